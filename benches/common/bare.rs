//! A bare threshold model, the floor kampung is measured against (issue 15, item 6):
//! a reader of the two data files with the `csv` crate's byte records and no checks,
//! a compressed-sparse-row graph, and the synchronous threshold step as a plain loop.
//! Shared by `benches/threshold.rs` (the step alone) and `benches/process.rs` (a
//! whole run from the files).

#![allow(dead_code)] // each bench uses its own part of this module

use std::path::Path;

/// Ties in compressed-sparse-row form: household `i`'s ties are
/// `targets[offsets[i]..offsets[i + 1]]`.
pub struct Csr {
    pub offsets: Vec<u32>,
    pub targets: Vec<u32>,
}

impl Csr {
    /// The undirected graph of `edges` over `n` households (each tie stored at both
    /// ends), by a counting sort.
    pub fn from_edges(n: usize, edges: &[(u32, u32)]) -> Csr {
        let mut offsets = vec![0u32; n + 1];
        for &(a, b) in edges {
            offsets[a as usize + 1] += 1;
            offsets[b as usize + 1] += 1;
        }
        for i in 0..n {
            offsets[i + 1] += offsets[i];
        }
        let mut next = offsets.clone();
        let mut targets = vec![0u32; 2 * edges.len()];
        for &(a, b) in edges {
            targets[next[a as usize] as usize] = b;
            next[a as usize] += 1;
            targets[next[b as usize] as usize] = a;
            next[b as usize] += 1;
        }
        Csr { offsets, targets }
    }

    /// Households.
    pub fn len(&self) -> usize {
        self.offsets.len() - 1
    }
}

/// One synchronous threshold step: a household not yet taking part joins when the
/// share of its ties taking part reaches its threshold (less 1e-6, as kampung's
/// rule); one with no ties does not. Returns how many joined.
pub fn step(g: &Csr, threshold: &[f32], cur: &[bool], next: &mut [bool]) -> usize {
    let mut joined = 0;
    for i in 0..g.len() {
        if cur[i] {
            next[i] = true;
            continue;
        }
        let row = &g.targets[g.offsets[i] as usize..g.offsets[i + 1] as usize];
        if row.is_empty() {
            next[i] = false;
            continue;
        }
        let mut on = 0u32;
        for &j in row {
            on += cur[j as usize] as u32;
        }
        let join = on as f32 / row.len() as f32 + 1e-6 >= threshold[i];
        next[i] = join;
        joined += join as usize;
    }
    joined
}

/// Reads the files of `scripts/village-files.py`: the thresholds (fourth column of
/// the households file) and the ties, ids remapped through a table.
pub fn read(households: &Path, ties: &Path) -> (Vec<f32>, Csr) {
    let mut r = csv::Reader::from_path(households).expect("households file");
    let mut rec = csv::ByteRecord::new();
    let mut ids = Vec::new();
    let mut threshold = Vec::new();
    let id = |b: &[u8]| -> usize {
        std::str::from_utf8(b)
            .ok()
            .and_then(|s| s.parse().ok())
            .expect("an id")
    };
    while r.read_byte_record(&mut rec).expect("a row") {
        ids.push(id(&rec[0]));
        let t: f32 = std::str::from_utf8(&rec[3])
            .ok()
            .and_then(|s| s.parse().ok())
            .expect("a threshold");
        threshold.push(t);
    }
    let max = ids.iter().copied().max().unwrap_or(0);
    let mut table = vec![u32::MAX; max + 1];
    for (i, &id) in ids.iter().enumerate() {
        table[id] = i as u32;
    }
    let mut r = csv::Reader::from_path(ties).expect("ties file");
    let mut edges = Vec::new();
    while r.read_byte_record(&mut rec).expect("a row") {
        edges.push((table[id(&rec[0])], table[id(&rec[1])]));
    }
    let g = Csr::from_edges(ids.len(), &edges);
    (threshold, g)
}
