//! A deterministic force-directed layout of a village's tie network
//! (Fruchterman and Reingold 1991), for the report's network pictures.
//!
//! Households start on a circle, each group in its own arc (with a seeded jitter),
//! and then `iterations` rounds of repulsion between all pairs, attraction along
//! ties and a weak pull to the centre (which keeps isolated households in view) move
//! them, each move capped by a temperature that cools linearly. The same input and
//! seed give the same picture on every machine that computes IEEE doubles the same
//! way; the cost is `O(n²)` a round, fine for the few hundred households drawn.

use rand::RngExt;

/// Strength of the pull towards the centre.
const GRAVITY: f64 = 3.0;

/// Positions in the unit square `[0, 1]²`, one per node.
pub type Positions = Vec<(f64, f64)>;

/// Lays out `n` nodes with the given `groups` (one per node) and undirected `edges`
/// (node indices; out-of-range ones are ignored), in `iterations` rounds, jittered by
/// `seed`. Returns positions scaled to fill the unit square.
pub fn force_layout(
    n: usize,
    groups: &[usize],
    edges: &[(usize, usize)],
    iterations: usize,
    seed: u64,
) -> Positions {
    if n == 0 {
        return Vec::new();
    }
    if n == 1 {
        return vec![(0.5, 0.5)];
    }
    let mut rng = crate::model::rng::rng_from_seed(seed);
    // Start: each group on its own arc of a circle, in order of group number.
    let group_of = |i: usize| groups.get(i).copied().unwrap_or(0);
    let mut order: Vec<usize> = (0..n).collect();
    order.sort_by_key(|&i| (group_of(i), i));
    let mut pos = vec![(0.0f64, 0.0f64); n];
    for (rank, &i) in order.iter().enumerate() {
        let a = std::f64::consts::TAU * rank as f64 / n as f64;
        let r = 0.35 + 0.1 * rng.random::<f64>();
        pos[i] = (0.5 + r * a.cos(), 0.5 + r * a.sin());
    }
    let edges: Vec<(usize, usize)> = edges
        .iter()
        .copied()
        .filter(|&(a, b)| a < n && b < n && a != b)
        .collect();
    let k = (1.0 / n as f64).sqrt() * 0.9; // ideal distance in a unit square
    let k2 = k * k;
    let t0 = 0.1;
    let mut disp = vec![(0.0f64, 0.0f64); n];
    for it in 0..iterations {
        let temp = t0 * (1.0 - it as f64 / iterations as f64) + 1e-4;
        disp.iter_mut().for_each(|d| *d = (0.0, 0.0));
        for i in 0..n {
            for j in (i + 1)..n {
                let dx = pos[i].0 - pos[j].0;
                let dy = pos[i].1 - pos[j].1;
                let d2 = (dx * dx + dy * dy).max(1e-9);
                let fr = k2 / d2; // repulsion k²/d, along the unit vector (dx, dy)/d
                disp[i].0 += dx * fr;
                disp[i].1 += dy * fr;
                disp[j].0 -= dx * fr;
                disp[j].1 -= dy * fr;
            }
        }
        for &(a, b) in &edges {
            let dx = pos[a].0 - pos[b].0;
            let dy = pos[a].1 - pos[b].1;
            let d = (dx * dx + dy * dy).sqrt().max(1e-9);
            let fa = d / k; // attraction d²/k, along the unit vector
            disp[a].0 -= dx * fa;
            disp[a].1 -= dy * fa;
            disp[b].0 += dx * fa;
            disp[b].1 += dy * fa;
        }
        for i in 0..n {
            // Gravity towards the centre, so loose households stay in the picture:
            // with n·k² ≈ 0.8, a strength of 3 balances the repulsion of the whole
            // village at a radius of about half the square.
            disp[i].0 += (0.5 - pos[i].0) * GRAVITY;
            disp[i].1 += (0.5 - pos[i].1) * GRAVITY;
            let (dx, dy) = disp[i];
            let len = (dx * dx + dy * dy).sqrt();
            if len > 0.0 {
                let step = len.min(temp);
                pos[i].0 += dx / len * step;
                pos[i].1 += dy / len * step;
            }
        }
    }
    normalize(&mut pos);
    pos
}

/// Scales positions to fill `[0, 1]²`, keeping the aspect ratio and centring.
pub fn normalize(pos: &mut [(f64, f64)]) {
    let (mut x0, mut y0, mut x1, mut y1) = (f64::MAX, f64::MAX, f64::MIN, f64::MIN);
    for &(x, y) in pos.iter() {
        x0 = x0.min(x);
        y0 = y0.min(y);
        x1 = x1.max(x);
        y1 = y1.max(y);
    }
    let span = (x1 - x0).max(y1 - y0);
    if !(span.is_finite() && span > 0.0) {
        pos.iter_mut().for_each(|p| *p = (0.5, 0.5));
        return;
    }
    let ox = (span - (x1 - x0)) / 2.0;
    let oy = (span - (y1 - y0)) / 2.0;
    for p in pos.iter_mut() {
        *p = ((p.0 - x0 + ox) / span, (p.1 - y0 + oy) / span);
    }
}

/// A sample of `k` of `0 .. n`, drawn without replacement by `seed`, in increasing
/// order (all of them when `k ≥ n`).
pub fn sample_indices(n: usize, k: usize, seed: u64) -> Vec<usize> {
    if k >= n {
        return (0..n).collect();
    }
    let mut rng = crate::model::rng::rng_from_seed(seed);
    let mut all: Vec<usize> = (0..n).collect();
    for i in 0..k {
        let j = rng.random_range(i..n);
        all.swap(i, j);
    }
    let mut s = all[..k].to_vec();
    s.sort_unstable();
    s
}
