//! The undirected social network, stored in compressed sparse row (CSR) form, and the
//! generators that draw it.
//!
//! Node `i`'s neighbours are `neighbors[offsets[i]..offsets[i + 1]]`, sorted and free
//! of duplicates and self-loops. Every undirected tie is stored twice (once from each
//! end). Weights are stored only when ties carry them (an edge list with a `weight`
//! column); otherwise every tie weighs 1 and no memory is spent on weights.

use rand::{Rng, RngExt};
use serde::{Deserialize, Serialize};
use std::path::PathBuf;

/// How the tie network is made, written in a scenario as `[network]` with a `model` key.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "model", rename_all = "snake_case", deny_unknown_fields)]
pub enum NetworkParams {
    /// Stochastic block model with homophily by group (the default).
    Sbm {
        /// Expected mean degree (ties per household), in [0, n − 1].
        #[serde(default = "default_mean_degree")]
        mean_degree: f64,
        /// Homophily in [0, 1]: a tie across groups is `1 − homophily` times as likely
        /// as one within a group.
        #[serde(default = "default_homophily")]
        homophily: f64,
    },
    /// Watts–Strogatz small world.
    WattsStrogatz {
        /// Ring neighbours per household (even, ≥ 2).
        #[serde(default = "default_k")]
        k: usize,
        /// Rewiring probability per tie, in [0, 1].
        #[serde(default = "default_rewiring")]
        rewiring: f64,
    },
    /// Erdős–Rényi G(n, p).
    ErdosRenyi {
        /// Expected mean degree, in [0, n − 1].
        #[serde(default = "default_mean_degree")]
        mean_degree: f64,
    },
    /// Barabási–Albert preferential attachment.
    BarabasiAlbert {
        /// Ties each new household makes (mean degree about `2m`), ≥ 1.
        #[serde(default = "default_m")]
        m: usize,
    },
    /// Ties from an edge-list CSV (`source,target[,weight]`), path relative to the
    /// scenario file.
    EdgeList {
        /// The CSV file.
        path: PathBuf,
        /// Drop self-loops and merge duplicate ties (adding weights) instead of
        /// rejecting them; what was repaired is reported.
        #[serde(default)]
        repair: bool,
    },
    /// No ties at all.
    None,
}

fn default_mean_degree() -> f64 {
    8.0
}
fn default_homophily() -> f64 {
    0.6
}
fn default_k() -> usize {
    8
}
fn default_rewiring() -> f64 {
    0.1
}
fn default_m() -> usize {
    4
}

impl Default for NetworkParams {
    fn default() -> Self {
        NetworkParams::Sbm {
            mean_degree: default_mean_degree(),
            homophily: default_homophily(),
        }
    }
}

impl NetworkParams {
    /// Draws a network for households of the given groups. Edge lists are not drawn
    /// (they are loaded by the scenario); this returns `None` for them.
    pub fn generate<R: Rng + ?Sized>(&self, rng: &mut R, group: &[u8]) -> Option<Network> {
        let n = group.len();
        Some(match *self {
            NetworkParams::Sbm {
                mean_degree,
                homophily,
            } => stochastic_block(rng, group, mean_degree, homophily),
            NetworkParams::WattsStrogatz { k, rewiring } => watts_strogatz(rng, n, k, rewiring),
            NetworkParams::ErdosRenyi { mean_degree } => erdos_renyi(rng, n, mean_degree),
            NetworkParams::BarabasiAlbert { m } => barabasi_albert(rng, n, m),
            NetworkParams::None => Network::empty(n),
            NetworkParams::EdgeList { .. } => return None,
        })
    }
}

/// Errors raised while assembling a network from an edge list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NetworkError {
    /// An endpoint is not a household index.
    NodeOutOfRange {
        /// The endpoint.
        node: u64,
        /// Number of households.
        nodes: usize,
    },
    /// More tie entries than the CSR index type can address.
    TooManyTies,
}

impl std::fmt::Display for NetworkError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            NetworkError::NodeOutOfRange { node, nodes } => {
                write!(f, "tie endpoint {node} is not a household (0..{nodes})")
            }
            NetworkError::TooManyTies => write!(f, "more than 2^32 - 1 tie entries"),
        }
    }
}

impl std::error::Error for NetworkError {}

/// An undirected network in compressed sparse row form.
#[derive(Debug, Clone)]
pub struct Network {
    offsets: Vec<u32>,
    neighbors: Vec<u32>,
    weights: Option<Vec<f32>>,
    /// Which ties these are: a number no other network, nor this one before its last
    /// change, was given in this process (a copy keeps it, as it holds the same
    /// ties). Lets whoever keeps sums over the ties (the threshold rule's counts)
    /// know whether they still hold.
    stamp: u64,
    /// The stamp before the last [`Network::add_edges`] that added ties, and the
    /// ties it added (each once, lower end first): so that sums kept over the ties
    /// before can be brought up to date instead of made afresh (0 and none for a
    /// network built whole).
    parent: u64,
    last_added: Vec<(u32, u32)>,
}

/// Networks are equal when their ties are (whatever their stamps).
impl PartialEq for Network {
    fn eq(&self, other: &Network) -> bool {
        self.offsets == other.offsets
            && self.neighbors == other.neighbors
            && self.weights == other.weights
    }
}

/// A stamp no network was given before (see [`Network::stamp`]).
fn fresh_stamp() -> u64 {
    use std::sync::atomic::{AtomicU64, Ordering};
    static NEXT: AtomicU64 = AtomicU64::new(1);
    NEXT.fetch_add(1, Ordering::Relaxed)
}

impl Network {
    /// Builds a network of `n` nodes from undirected edges. Self-loops are dropped and
    /// duplicate edges (in either direction) are merged; when `weights` are given, the
    /// weights of merged duplicates are added.
    pub fn from_edges(
        n: usize,
        edges: &[(u32, u32)],
        weights: Option<&[f32]>,
    ) -> Result<Network, NetworkError> {
        for &(a, b) in edges {
            for node in [a, b] {
                if node as usize >= n {
                    return Err(NetworkError::NodeOutOfRange {
                        node: node as u64,
                        nodes: n,
                    });
                }
            }
        }
        let entries = edges
            .len()
            .checked_mul(2)
            .ok_or(NetworkError::TooManyTies)?;
        if entries >= u32::MAX as usize {
            return Err(NetworkError::TooManyTies);
        }
        // Counting sort of both directions into CSR order.
        let mut degree = vec![0u32; n + 1];
        for &(a, b) in edges {
            if a != b {
                degree[a as usize] += 1;
                degree[b as usize] += 1;
            }
        }
        let mut offsets = vec![0u32; n + 1];
        for i in 0..n {
            offsets[i + 1] = offsets[i] + degree[i];
        }
        let total = offsets[n] as usize;
        let mut cursor: Vec<u32> = offsets[..n].to_vec();
        let mut nbr = vec![0u32; total];
        let mut wts = weights.map(|_| vec![0f32; total]);
        for (e, &(a, b)) in edges.iter().enumerate() {
            if a == b {
                continue;
            }
            for (u, v) in [(a, b), (b, a)] {
                let slot = cursor[u as usize] as usize;
                nbr[slot] = v;
                if let (Some(w), Some(src)) = (wts.as_mut(), weights) {
                    w[slot] = src[e];
                }
                cursor[u as usize] += 1;
            }
        }
        // Sort each row, merge duplicates, and compact in place.
        let mut write = 0usize;
        let mut new_offsets = vec![0u32; n + 1];
        let mut row: Vec<(u32, f32)> = Vec::new();
        for i in 0..n {
            let (s, e) = (offsets[i] as usize, offsets[i + 1] as usize);
            row.clear();
            row.extend((s..e).map(|k| (nbr[k], wts.as_ref().map_or(1.0, |w| w[k]))));
            row.sort_unstable_by_key(|&(v, _)| v);
            let mut last: Option<u32> = None;
            for &(v, w) in &row {
                if last == Some(v) {
                    if let Some(ws) = wts.as_mut() {
                        ws[write - 1] += w;
                    }
                    continue;
                }
                nbr[write] = v;
                if let Some(ws) = wts.as_mut() {
                    ws[write] = w;
                }
                write += 1;
                last = Some(v);
            }
            new_offsets[i + 1] = write as u32;
        }
        nbr.truncate(write);
        nbr.shrink_to_fit();
        if let Some(ws) = wts.as_mut() {
            ws.truncate(write);
            ws.shrink_to_fit();
        }
        Ok(Network {
            offsets: new_offsets,
            neighbors: nbr,
            weights: wts,
            stamp: fresh_stamp(),
            parent: 0,
            last_added: Vec::new(),
        })
    }

    /// This network with `extra` ties added (duplicates and self-loops are ignored;
    /// new ties weigh 1): a copy, then [`Network::add_edges`].
    pub fn with_added_edges(&self, extra: &[(u32, u32)]) -> Network {
        let mut g = self.clone();
        g.add_edges(extra);
        g
    }

    /// Adds `extra` ties (duplicates and self-loops are ignored; new ties weigh 1)
    /// in place, keeping every row sorted: the rows after the last changed row move
    /// up as one block, and each changed row is merged with its new ties from the
    /// end, so no new tie list is allocated (beyond the vector's growth) and no row
    /// is sorted again: O(nodes + ties + k log k) for `k` new ties, and the same
    /// network [`Network::from_edges`] builds from all the ties. Returns whether
    /// any tie was added.
    pub fn add_edges(&mut self, extra: &[(u32, u32)]) -> bool {
        let n = self.len();
        // Both directions of every new tie, by row then neighbour.
        let mut added: Vec<(u32, u32)> = extra
            .iter()
            .filter(|&&(a, b)| a != b && !self.has_edge(a as usize, b as usize))
            .flat_map(|&(a, b)| [(a, b), (b, a)])
            .collect();
        added.sort_unstable();
        added.dedup();
        if added.is_empty() {
            return false;
        }
        self.parent = self.stamp;
        self.stamp = fresh_stamp();
        self.last_added.clear();
        self.last_added
            .extend(added.iter().filter(|&&(a, b)| a < b).copied());
        let old_len = self.neighbors.len();
        // `shift`: new ties still to be placed, all in rows up to the current one.
        let mut shift = added.len();
        self.neighbors.resize(old_len + shift, 0);
        if let Some(w) = self.weights.as_mut() {
            w.resize(old_len + shift, 0.0);
        }
        // Old entries before `end` have not moved yet; offsets after `upto` are final.
        let (mut end, mut upto, mut a) = (old_len, n, added.len());
        while a > 0 {
            let r = added[a - 1].0 as usize;
            let (lo, hi) = (self.offsets[r] as usize, self.offsets[r + 1] as usize);
            // The rows after `r` not moved yet move up as one block.
            self.neighbors.copy_within(hi..end, hi + shift);
            if let Some(w) = self.weights.as_mut() {
                w.copy_within(hi..end, hi + shift);
            }
            for o in &mut self.offsets[r + 1..=upto] {
                *o += shift as u32;
            }
            // Row `r` merged with its new ties from the end.
            let (mut at, mut k) = (hi + shift, hi);
            while a > 0 && added[a - 1].0 as usize == r {
                let b = added[a - 1].1;
                while k > lo && self.neighbors[k - 1] > b {
                    at -= 1;
                    k -= 1;
                    self.neighbors[at] = self.neighbors[k];
                    if let Some(w) = self.weights.as_mut() {
                        w[at] = w[k];
                    }
                }
                at -= 1;
                self.neighbors[at] = b;
                if let Some(w) = self.weights.as_mut() {
                    w[at] = 1.0;
                }
                a -= 1;
                shift -= 1;
            }
            // The row's old entries below its new ties move with the next block.
            end = k;
            upto = r;
        }
        debug_assert_eq!(shift, 0);
        true
    }

    /// A network of `n` nodes and no ties.
    pub fn empty(n: usize) -> Network {
        Network {
            offsets: vec![0; n + 1],
            neighbors: Vec::new(),
            weights: None,
            stamp: fresh_stamp(),
            parent: 0,
            last_added: Vec::new(),
        }
    }

    /// Number of nodes.
    pub fn len(&self) -> usize {
        self.offsets.len() - 1
    }

    /// Whether the network has no nodes.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Number of undirected ties.
    pub fn edge_count(&self) -> usize {
        self.neighbors.len() / 2
    }

    /// Degree of node `i`.
    #[inline]
    pub fn degree(&self, i: usize) -> usize {
        (self.offsets[i + 1] - self.offsets[i]) as usize
    }

    /// Mean degree over all nodes.
    pub fn mean_degree(&self) -> f64 {
        if self.is_empty() {
            0.0
        } else {
            self.neighbors.len() as f64 / self.len() as f64
        }
    }

    /// Sorted neighbours of node `i`.
    #[inline]
    pub fn neighbors(&self, i: usize) -> &[u32] {
        &self.neighbors[self.offsets[i] as usize..self.offsets[i + 1] as usize]
    }

    /// Weights of node `i`'s ties, aligned with [`Network::neighbors`], or `None` when
    /// every tie weighs 1.
    #[inline]
    pub fn weights(&self, i: usize) -> Option<&[f32]> {
        self.weights
            .as_ref()
            .map(|w| &w[self.offsets[i] as usize..self.offsets[i + 1] as usize])
    }

    /// The tie lists as compressed sparse rows: node `i`'s ties are
    /// `neighbors[offsets[i]..offsets[i + 1]]`, with weights aligned (`None` when
    /// every tie weighs 1). For loops over every node that want no per-row checks.
    #[inline]
    pub fn rows(&self) -> (&[u32], &[u32], Option<&[f32]>) {
        (&self.offsets, &self.neighbors, self.weights.as_deref())
    }

    /// Which ties these are: equal stamps mean the same ties (a network and its
    /// copies, unchanged since); a network gets a new stamp when built and whenever
    /// ties are added. Two networks with different stamps may still hold the same
    /// ties.
    #[inline]
    pub fn stamp(&self) -> u64 {
        self.stamp
    }

    /// The ties the last [`Network::add_edges`] added (each once, lower end first),
    /// when the network held before it the ties stamped `before`: `None` when this
    /// network is not `before`'s ties plus one addition (built whole, or changed
    /// more than once since).
    pub fn added_since(&self, before: u64) -> Option<&[(u32, u32)]> {
        (before != 0 && self.parent == before).then_some(&self.last_added[..])
    }

    /// Whether ties carry weights.
    pub fn is_weighted(&self) -> bool {
        self.weights.is_some()
    }

    /// Whether `a` and `b` are tied (binary search in `a`'s row).
    pub fn has_edge(&self, a: usize, b: usize) -> bool {
        self.neighbors(a).binary_search(&(b as u32)).is_ok()
    }

    /// Each undirected tie once, as `(a, b)` with `a < b`.
    pub fn edges(&self) -> impl Iterator<Item = (u32, u32)> + '_ {
        (0..self.len()).flat_map(move |a| {
            self.neighbors(a)
                .iter()
                .filter(move |&&b| (a as u32) < b)
                .map(move |&b| (a as u32, b))
        })
    }

    /// Heap bytes held by the network (capacity, not just length).
    pub fn heap_bytes(&self) -> usize {
        self.offsets.capacity() * 4
            + self.neighbors.capacity() * 4
            + self.weights.as_ref().map_or(0, |w| w.capacity() * 4)
            + self.last_added.capacity() * 8
    }

    /// Mean local clustering coefficient (nodes of degree < 2 count as 0).
    pub fn average_clustering(&self) -> f64 {
        if self.is_empty() {
            return 0.0;
        }
        let mut sum = 0.0;
        for i in 0..self.len() {
            let nb = self.neighbors(i);
            let k = nb.len();
            if k < 2 {
                continue;
            }
            let mut links = 0usize;
            for (x, &a) in nb.iter().enumerate() {
                for &b in &nb[x + 1..] {
                    if self.has_edge(a as usize, b as usize) {
                        links += 1;
                    }
                }
            }
            sum += 2.0 * links as f64 / (k * (k - 1)) as f64;
        }
        sum / self.len() as f64
    }

    /// Krackhardt and Stern's E-I index of the ties with respect to a partition of the
    /// nodes: (external − internal) / (external + internal), in [−1, 1]. −1 means every
    /// tie stays inside a group (no bridging), +1 every tie crosses groups. `0` for a
    /// network without ties.
    pub fn ei_index(&self, group: &[u8]) -> f64 {
        let (ext, int) = self.ei_counts(group);
        ei_of_counts(ext, int)
    }

    /// The ties across groups and within groups: the counts [`Network::ei_index`]
    /// is made of.
    pub fn ei_counts(&self, group: &[u8]) -> (u64, u64) {
        let (mut ext, mut int) = (0u64, 0u64);
        for (a, b) in self.edges() {
            if group[a as usize] == group[b as usize] {
                int += 1;
            } else {
                ext += 1;
            }
        }
        (ext, int)
    }
}

/// The E-I index of `ext` ties across groups and `int` within: `0` without ties.
pub fn ei_of_counts(ext: u64, int: u64) -> f64 {
    if ext + int == 0 {
        0.0
    } else {
        (ext as f64 - int as f64) / (ext + int) as f64
    }
}

/// Appends the edges of an Erdős–Rényi G(n, p) graph between node ranges, by geometric
/// skipping (Batagelj and Brandes 2005): time proportional to nodes plus edges.
///
/// With `same == true` the two ranges are the same block and each unordered pair is
/// considered once; otherwise every pair (a in `a_range`, b in `b_range`) is.
fn bernoulli_pairs<R: Rng + ?Sized>(
    rng: &mut R,
    a_nodes: &[u32],
    b_nodes: &[u32],
    same: bool,
    p: f64,
    out: &mut Vec<(u32, u32)>,
) {
    if p <= 0.0 || a_nodes.is_empty() || b_nodes.is_empty() {
        return;
    }
    let total: u64 = if same {
        let n = a_nodes.len() as u64;
        n * (n - 1) / 2
    } else {
        a_nodes.len() as u64 * b_nodes.len() as u64
    };
    let log_q = (1.0 - p).ln();
    let mut idx: u64 = 0;
    loop {
        if p < 1.0 {
            let r: f64 = 1.0 - rng.random::<f64>(); // (0, 1]
            let skip = (r.ln() / log_q).floor();
            if !skip.is_finite() || skip >= (total - idx) as f64 {
                return;
            }
            idx += skip as u64;
        }
        if idx >= total {
            return;
        }
        let (a, b) = if same {
            // Pair number idx in the order (1,0), (2,0), (2,1), (3,0), ...
            let row = ((1.0 + (1.0 + 8.0 * idx as f64).sqrt()) / 2.0).floor() as u64;
            let mut row = row.max(1);
            while row * (row - 1) / 2 > idx {
                row -= 1;
            }
            while (row + 1) * row / 2 <= idx {
                row += 1;
            }
            let col = idx - row * (row - 1) / 2;
            (a_nodes[row as usize], a_nodes[col as usize])
        } else {
            let nb = b_nodes.len() as u64;
            (a_nodes[(idx / nb) as usize], b_nodes[(idx % nb) as usize])
        };
        out.push((a, b));
        idx += 1;
    }
}

/// Erdős–Rényi G(n, p) with `p = mean_degree / (n − 1)`.
pub fn erdos_renyi<R: Rng + ?Sized>(rng: &mut R, n: usize, mean_degree: f64) -> Network {
    if n < 2 {
        return Network::empty(n);
    }
    let p = (mean_degree / (n as f64 - 1.0)).clamp(0.0, 1.0);
    let nodes: Vec<u32> = (0..n as u32).collect();
    let mut edges = Vec::with_capacity((p * (n * (n - 1) / 2) as f64 * 1.05) as usize + 16);
    bernoulli_pairs(rng, &nodes, &nodes, true, p, &mut edges);
    Network::from_edges(n, &edges, None).expect("generated endpoints are in range")
}

/// Stochastic block model with homophily by group.
///
/// Two households of the same group are tied with probability `c`, of different groups
/// with probability `c · (1 − homophily)`; `c` is set so that the expected mean degree
/// is `mean_degree`. `homophily = 0` gives Erdős–Rényi; `homophily = 1` no tie across
/// groups.
pub fn stochastic_block<R: Rng + ?Sized>(
    rng: &mut R,
    group: &[u8],
    mean_degree: f64,
    homophily: f64,
) -> Network {
    let n = group.len();
    if n < 2 {
        return Network::empty(n);
    }
    let groups = group.iter().copied().max().map_or(0, |g| g as usize + 1);
    let mut members: Vec<Vec<u32>> = vec![Vec::new(); groups];
    for (i, &g) in group.iter().enumerate() {
        members[g as usize].push(i as u32);
    }
    let (c, _) = sbm_scale(&members, mean_degree, homophily);
    let mut edges = Vec::with_capacity((mean_degree * n as f64 * 0.55) as usize + 16);
    for a in 0..groups {
        bernoulli_pairs(rng, &members[a], &members[a], true, c.min(1.0), &mut edges);
        for b in a + 1..groups {
            let p = (c * (1.0 - homophily)).clamp(0.0, 1.0);
            bernoulli_pairs(rng, &members[a], &members[b], false, p, &mut edges);
        }
    }
    Network::from_edges(n, &edges, None).expect("generated endpoints are in range")
}

/// The within-group tie probability `c` of [`stochastic_block`], and the expected
/// share of ties that fall within groups.
pub fn sbm_scale(members: &[Vec<u32>], mean_degree: f64, homophily: f64) -> (f64, f64) {
    let n: f64 = members.iter().map(|m| m.len() as f64).sum();
    let within: f64 = members
        .iter()
        .map(|m| {
            let k = m.len() as f64;
            k * (k - 1.0) / 2.0
        })
        .sum();
    let all_pairs = n * (n - 1.0) / 2.0;
    let between = all_pairs - within;
    let weighted = within + (1.0 - homophily) * between;
    if weighted <= 0.0 {
        return (0.0, 1.0);
    }
    let c = mean_degree * n / 2.0 / weighted;
    (c, within / weighted)
}

/// Watts–Strogatz small world: a ring where each node is tied to its `k` nearest
/// neighbours (`k` even), then each tie's far end is rewired with probability `beta`
/// to a uniformly drawn node, avoiding self-loops and duplicate ties.
pub fn watts_strogatz<R: Rng + ?Sized>(rng: &mut R, n: usize, k: usize, beta: f64) -> Network {
    let half = k / 2;
    if n < 3 || half == 0 {
        return Network::empty(n);
    }
    let half = half.min((n - 1) / 2);
    // Adjacency sets as sorted vectors, small for realistic k.
    let mut adj: Vec<Vec<u32>> = vec![Vec::with_capacity(2 * half + 2); n];
    let add = |adj: &mut Vec<Vec<u32>>, a: usize, b: usize| {
        if let Err(p) = adj[a].binary_search(&(b as u32)) {
            adj[a].insert(p, b as u32);
        }
        if let Err(p) = adj[b].binary_search(&(a as u32)) {
            adj[b].insert(p, a as u32);
        }
    };
    for i in 0..n {
        for j in 1..=half {
            add(&mut adj, i, (i + j) % n);
        }
    }
    if beta > 0.0 {
        for j in 1..=half {
            for i in 0..n {
                let t = (i + j) % n;
                if rng.random::<f64>() >= beta {
                    continue;
                }
                if adj[i].len() >= n - 1 {
                    continue;
                }
                // Only rewire a tie that still exists.
                let Ok(pos) = adj[i].binary_search(&(t as u32)) else {
                    continue;
                };
                let new = loop {
                    let c = rng.random_range(0..n);
                    if c != i && adj[i].binary_search(&(c as u32)).is_err() {
                        break c;
                    }
                };
                adj[i].remove(pos);
                if let Ok(p) = adj[t].binary_search(&(i as u32)) {
                    adj[t].remove(p);
                }
                add(&mut adj, i, new);
            }
        }
    }
    let mut edges = Vec::with_capacity(n * half);
    for (a, row) in adj.iter().enumerate() {
        for &b in row {
            if (a as u32) < b {
                edges.push((a as u32, b));
            }
        }
    }
    Network::from_edges(n, &edges, None).expect("generated endpoints are in range")
}

/// Barabási–Albert preferential attachment: starting from a clique of `m + 1` nodes,
/// each new node ties to `m` distinct existing nodes chosen with probability
/// proportional to their degree. Mean degree tends to `2m`.
pub fn barabasi_albert<R: Rng + ?Sized>(rng: &mut R, n: usize, m: usize) -> Network {
    if n < 2 || m == 0 {
        return Network::empty(n);
    }
    let m = m.min(n - 1);
    let core = m + 1;
    let mut edges: Vec<(u32, u32)> = Vec::with_capacity(n * m);
    // Each node appears in `ends` once per tie end: sampling from it is sampling by degree.
    let mut ends: Vec<u32> = Vec::with_capacity(2 * n * m);
    for a in 0..core.min(n) {
        for b in a + 1..core.min(n) {
            edges.push((a as u32, b as u32));
            ends.push(a as u32);
            ends.push(b as u32);
        }
    }
    let mut chosen: Vec<u32> = Vec::with_capacity(m);
    for v in core..n {
        chosen.clear();
        while chosen.len() < m {
            let t = ends[rng.random_range(0..ends.len())];
            if !chosen.contains(&t) {
                chosen.push(t);
            }
        }
        for &t in &chosen {
            edges.push((v as u32, t));
            ends.push(v as u32);
            ends.push(t);
        }
    }
    Network::from_edges(n, &edges, None).expect("generated endpoints are in range")
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Adding ties in place, row by row, must give exactly the network that
    /// rebuilding from all the ties gives (many new ties or a few) (rows sorted, duplicates and self-loops and existing ties
    /// ignored, weights kept, new ties weighing 1). Could fail: a row merged out of
    /// order, a weight shifted by one, a new tie counted twice.
    #[test]
    fn added_ties_equal_a_rebuild() {
        use rand::{RngExt, SeedableRng};
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(5);
        for (weighted, count) in [(false, 40), (true, 40), (false, 1), (true, 3)] {
            let n = 60;
            let base: Vec<(u32, u32)> = (0..150)
                .map(|_| (rng.random_range(0..n), rng.random_range(0..n)))
                .collect();
            let w: Vec<f32> = (0..base.len())
                .map(|_| rng.random_range(0.5..2.0))
                .collect();
            let net = Network::from_edges(n as usize, &base, weighted.then_some(&w[..])).unwrap();
            let mut extra: Vec<(u32, u32)> = (0..count)
                .map(|_| (rng.random_range(0..n), rng.random_range(0..n)))
                .collect();
            extra.push((3, 3));
            extra.push(extra[0]);
            extra.push((extra[1].1, extra[1].0));
            extra.push(net.edges().next().unwrap());
            let merged = net.with_added_edges(&extra);
            // The rebuild: every old tie with its weight, then the new ones at 1.
            let mut all: Vec<(u32, u32)> = net.edges().collect();
            let mut all_w: Vec<f32> = (0..net.len())
                .flat_map(|a| {
                    net.neighbors(a)
                        .iter()
                        .zip(net.weights(a).unwrap_or(&[]))
                        .filter(move |&(&b, _)| (a as u32) < b)
                        .map(|(_, &w)| w)
                })
                .collect();
            let mut seen = std::collections::HashSet::new();
            for &(a, b) in &extra {
                let e = (a.min(b), a.max(b));
                if a != b && !net.has_edge(a as usize, b as usize) && seen.insert(e) {
                    all.push(e);
                    all_w.push(1.0);
                }
            }
            let rebuilt =
                Network::from_edges(n as usize, &all, weighted.then_some(&all_w[..])).unwrap();
            assert_eq!(merged.offsets, rebuilt.offsets, "weighted {weighted}");
            assert_eq!(merged.neighbors, rebuilt.neighbors, "weighted {weighted}");
            assert_eq!(merged.weights, rebuilt.weights, "weighted {weighted}");
            assert!(merged.edge_count() > net.edge_count());
        }
    }

    #[test]
    fn csr_dedups_and_drops_loops() {
        let g = Network::from_edges(4, &[(0, 1), (1, 0), (2, 2), (1, 2), (3, 1)], None).unwrap();
        assert_eq!(g.edge_count(), 3);
        assert_eq!(g.neighbors(1), &[0, 2, 3]);
        assert_eq!(g.neighbors(2), &[1]);
        assert!(g.has_edge(3, 1));
        assert!(!g.has_edge(0, 3));
    }

    #[test]
    fn merged_duplicate_weights_add() {
        let g = Network::from_edges(2, &[(0, 1), (1, 0)], Some(&[0.5, 0.25])).unwrap();
        assert_eq!(g.weights(0), Some(&[0.75f32][..]));
        assert_eq!(g.weights(1), Some(&[0.75f32][..]));
    }

    #[test]
    fn out_of_range_endpoint_is_an_error() {
        let e = Network::from_edges(2, &[(0, 5)], None).unwrap_err();
        assert_eq!(e, NetworkError::NodeOutOfRange { node: 5, nodes: 2 });
    }

    #[test]
    fn ei_index_extremes() {
        let g = Network::from_edges(4, &[(0, 1), (2, 3)], None).unwrap();
        assert_eq!(g.ei_index(&[0, 0, 1, 1]), -1.0);
        assert_eq!(g.ei_index(&[0, 1, 0, 1]), 1.0);
    }
}
