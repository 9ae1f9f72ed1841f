//! Where each household is drawn: the village's tie network laid out once, when a
//! village is built.
//!
//! Up to [`EXACT_UP_TO`] households this is the report's force-directed layout
//! ([`force_layout`], exact and `O(n²)` a round). Larger villages use the same forces
//! with the repulsion taken only from households in neighbouring cells of a grid (as
//! Fruchterman and Reingold suggest), so a round costs `O(n)` and 10 000 households
//! are laid out in well under a second.

use super::bridge::{force_layout, rng_from_seed};
use rand::RngExt;

/// Villages up to this size get the report's exact layout.
pub const EXACT_UP_TO: usize = 1_000;

/// Rounds of the exact layout (as the report).
const EXACT_ROUNDS: usize = 300;

/// Rounds of the grid layout.
const GRID_ROUNDS: usize = 80;

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

/// The grid-approximated force layout: start on a disc with each group in its own
/// sector, then `rounds` rounds of repulsion from households within two ideal
/// distances, attraction along ties and a pull to the centre.
pub fn grid_layout(
    n: usize,
    groups: &[usize],
    edges: &[(usize, usize)],
    rounds: usize,
    seed: u64,
) -> Vec<(f64, f64)> {
    if n == 0 {
        return Vec::new();
    }
    let mut rng = rng_from_seed(seed);
    let group_of = |i: usize| groups.get(i).copied().unwrap_or(0);
    let mut order: Vec<usize> = (0..n).collect();
    order.sort_by_key(|&i| (group_of(i), i));
    let mut pos = vec![(0.5f64, 0.5f64); n];
    for (rank, &i) in order.iter().enumerate() {
        let a = std::f64::consts::TAU * rank as f64 / n as f64;
        let r = 0.45 * rng.random::<f64>().sqrt();
        pos[i] = (0.5 + r * a.cos(), 0.5 + r * a.sin());
    }
    let edges: Vec<(usize, usize)> = edges
        .iter()
        .copied()
        .filter(|&(a, b)| a < n && b < n && a != b)
        .collect();
    let k = (1.0 / n as f64).sqrt() * 0.9;
    let k2 = k * k;
    let cell = 2.0 * k;
    let side = ((1.5 / cell).ceil() as usize).max(1);
    let mut heads = vec![usize::MAX; side * side];
    let mut next = vec![usize::MAX; n];
    let mut disp = vec![(0.0f64, 0.0f64); n];
    let cell_of = |p: (f64, f64)| {
        let cx = (((p.0 + 0.25) / cell).floor().max(0.0) as usize).min(side - 1);
        let cy = (((p.1 + 0.25) / cell).floor().max(0.0) as usize).min(side - 1);
        (cx, cy)
    };
    for it in 0..rounds {
        let temp = 0.05 * (1.0 - it as f64 / rounds as f64) + 1e-4;
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
                    while j != usize::MAX {
                        if j != i {
                            let dx = pos[i].0 - pos[j].0;
                            let dy = pos[i].1 - pos[j].1;
                            let d2 = (dx * dx + dy * dy).max(1e-12);
                            if d2 < cell * cell {
                                let fr = k2 / d2;
                                disp[i].0 += dx * fr;
                                disp[i].1 += dy * fr;
                            }
                        }
                        j = next[j];
                    }
                }
            }
        }
        for &(a, b) in &edges {
            let dx = pos[a].0 - pos[b].0;
            let dy = pos[a].1 - pos[b].1;
            let d = (dx * dx + dy * dy).sqrt().max(1e-9);
            let fa = d / k;
            disp[a].0 -= dx * fa;
            disp[a].1 -= dy * fa;
            disp[b].0 += dx * fa;
            disp[b].1 += dy * fa;
        }
        for i in 0..n {
            disp[i].0 += (0.5 - pos[i].0) * 3.0;
            disp[i].1 += (0.5 - pos[i].1) * 3.0;
            let (dx, dy) = disp[i];
            let len = (dx * dx + dy * dy).sqrt();
            if len > 0.0 && len.is_finite() {
                let step = len.min(temp);
                pos[i].0 = (pos[i].0 + dx / len * step).clamp(-0.2, 1.2);
                pos[i].1 = (pos[i].1 + dy / len * step).clamp(-0.2, 1.2);
            }
        }
    }
    normalize(&mut pos);
    pos
}

/// Scales positions to fill `[0, 1]²`, keeping the aspect ratio and centring.
fn normalize(pos: &mut [(f64, f64)]) {
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
