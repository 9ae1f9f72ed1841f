//! Where each household is drawn: the village's tie network laid out once, when a
//! village is built.
//!
//! Up to [`EXACT_UP_TO`] households this is the report's force-directed layout
//! ([`force_layout`], exact and `O(n²)` a round). A larger village lays out a sample
//! of its households that way and places the others near those they are tied to
//! ([`grid_layout`]), so that 10 000 households are laid out in well under a second.

use super::bridge::{ModelRng, force_layout, normalize, rng_from_seed, sample_indices};
use rand::RngExt;

/// Villages up to this size get the report's exact layout.
pub const EXACT_UP_TO: usize = 1_000;

/// Rounds of the exact layout (as the report).
const EXACT_ROUNDS: usize = 300;

/// Rounds of spreading in the layout of a large village.
const GRID_ROUNDS: usize = 20;

/// Positions in `[0, 1]²`, one per household, for `n` households of the given
/// groups tied by `edges`, laid out deterministically from `seed`.
pub fn village_layout(
    n: usize,
    groups: &[usize],
    edges: &[(usize, usize)],
    seed: u64,
) -> Vec<(f64, f64)> {
    if n <= EXACT_UP_TO {
        force_layout(n, groups, edges, EXACT_ROUNDS, seed)
    } else {
        grid_layout(n, groups, edges, GRID_ROUNDS, seed)
    }
}

/// Households of a large village laid out exactly, before the others join them.
pub const SAMPLE: usize = 800;

/// The layout of a large village: a sample of [`SAMPLE`] households laid out exactly
/// with the ties among them; every other household then placed, breadth first
/// through the ties, near the households it is tied to that have a place (near its
/// group when it has none); then `rounds` rounds of repulsion between households in
/// neighbouring cells of a grid, so that none hides another. `O(n)` a round.
pub fn grid_layout(
    n: usize,
    groups: &[usize],
    edges: &[(usize, usize)],
    rounds: usize,
    seed: u64,
) -> Vec<(f64, f64)> {
    if n <= SAMPLE {
        return force_layout(n, groups, edges, EXACT_ROUNDS, seed);
    }
    let mut rng = rng_from_seed(seed);
    let group_of = |i: usize| groups.get(i).copied().unwrap_or(0);
    let edges: Vec<(usize, usize)> = edges
        .iter()
        .copied()
        .filter(|&(a, b)| a < n && b < n && a != b)
        .collect();
    let mut adj: Vec<Vec<u32>> = vec![Vec::new(); n];
    for &(a, b) in &edges {
        adj[a].push(b as u32);
        adj[b].push(a as u32);
    }
    // The sample, laid out exactly.
    let sample = sample_indices(n, SAMPLE, seed);
    let mut slot = vec![usize::MAX; n];
    for (k, &i) in sample.iter().enumerate() {
        slot[i] = k;
    }
    let sub_edges: Vec<(usize, usize)> = edges
        .iter()
        .filter(|&&(a, b)| slot[a] != usize::MAX && slot[b] != usize::MAX)
        .map(|&(a, b)| (slot[a], slot[b]))
        .collect();
    let sub_groups: Vec<usize> = sample.iter().map(|&i| group_of(i)).collect();
    let placed_sample = force_layout(SAMPLE, &sub_groups, &sub_edges, EXACT_ROUNDS, seed);
    let mut pos = vec![(0.5f64, 0.5f64); n];
    let mut placed = vec![false; n];
    let mut queue = std::collections::VecDeque::new();
    for (k, &i) in sample.iter().enumerate() {
        pos[i] = placed_sample[k];
        placed[i] = true;
        queue.push_back(i);
    }
    // Where each group's sampled households are, on average.
    let ngroups = groups.iter().copied().max().map_or(1, |g| g + 1);
    let mut centre = vec![(0.0f64, 0.0f64, 0usize); ngroups];
    for &i in &sample {
        let c = &mut centre[group_of(i).min(ngroups - 1)];
        c.0 += pos[i].0;
        c.1 += pos[i].1;
        c.2 += 1;
    }
    let spacing = 0.8 / (n as f64).sqrt();
    let jitter = |rng: &mut ModelRng, r: f64| {
        let a = std::f64::consts::TAU * rng.random::<f64>();
        let d = r * rng.random::<f64>().sqrt();
        (d * a.cos(), d * a.sin())
    };
    let place = |i: usize, pos: &mut Vec<(f64, f64)>, placed: &[bool], rng: &mut _| {
        let (mut x, mut y, mut k) = (0.0, 0.0, 0usize);
        for &j in &adj[i] {
            if placed[j as usize] {
                x += pos[j as usize].0;
                y += pos[j as usize].1;
                k += 1;
            }
        }
        let (cx, cy) = if k > 0 {
            (x / k as f64, y / k as f64)
        } else {
            let c = centre[group_of(i).min(ngroups - 1)];
            if c.2 > 0 {
                (c.0 / c.2 as f64, c.1 / c.2 as f64)
            } else {
                (0.5, 0.5)
            }
        };
        let (dx, dy) = jitter(rng, if k > 0 { 3.0 * spacing } else { 0.25 });
        pos[i] = (cx + dx, cy + dy);
    };
    loop {
        while let Some(u) = queue.pop_front() {
            for &v in &adj[u] {
                let v = v as usize;
                if !placed[v] {
                    place(v, &mut pos, &placed, &mut rng);
                    placed[v] = true;
                    queue.push_back(v);
                }
            }
        }
        // Households with no tie to any placed one: near their group.
        match (0..n).find(|&i| !placed[i]) {
            Some(i) => {
                place(i, &mut pos, &placed, &mut rng);
                placed[i] = true;
                queue.push_back(i);
            }
            None => break,
        }
    }
    normalize(&mut pos);
    spread(&mut pos, spacing, rounds);
    normalize(&mut pos);
    pos
}

/// Rounds of repulsion between households closer than `2 · spacing`, found through
/// a grid of cells that size; each move capped at half a spacing.
fn spread(pos: &mut [(f64, f64)], spacing: f64, rounds: usize) {
    let n = pos.len();
    let cell = 2.0 * spacing;
    let side = ((1.0 / cell).ceil() as usize + 1).max(1);
    let mut heads = vec![usize::MAX; side * side];
    let mut next = vec![usize::MAX; n];
    let mut disp = vec![(0.0f64, 0.0f64); n];
    let cell_of = |p: (f64, f64)| {
        let cx = ((p.0 / cell).floor().max(0.0) as usize).min(side - 1);
        let cy = ((p.1 / cell).floor().max(0.0) as usize).min(side - 1);
        (cx, cy)
    };
    let s2 = spacing * spacing;
    for _ in 0..rounds {
        heads.iter_mut().for_each(|h| *h = usize::MAX);
        for i in 0..n {
            let (cx, cy) = cell_of(pos[i]);
            next[i] = heads[cy * side + cx];
            heads[cy * side + cx] = i;
        }
        disp.iter_mut().for_each(|d| *d = (0.0, 0.0));
        for i in 0..n {
            let (cx, cy) = cell_of(pos[i]);
            for y in cy.saturating_sub(1)..=(cy + 1).min(side - 1) {
                for x in cx.saturating_sub(1)..=(cx + 1).min(side - 1) {
                    let mut j = heads[y * side + x];
                    // At most a few dozen neighbours a cell are looked at.
                    let mut seen = 0;
                    while j != usize::MAX && seen < 32 {
                        seen += 1;
                        if j != i {
                            let dx = pos[i].0 - pos[j].0;
                            let dy = pos[i].1 - pos[j].1;
                            let d2 = (dx * dx + dy * dy).max(1e-12);
                            if d2 < 4.0 * s2 {
                                let f = s2 / d2;
                                disp[i].0 += dx * f;
                                disp[i].1 += dy * f;
                            }
                        }
                        j = next[j];
                    }
                }
            }
        }
        for i in 0..n {
            let (dx, dy) = disp[i];
            let len = (dx * dx + dy * dy).sqrt();
            if len > 0.0 && len.is_finite() {
                let step = len.min(0.5 * spacing);
                pos[i].0 += dx / len * step;
                pos[i].1 += dy / len * step;
            }
        }
    }
}
