//! Global sensitivity analysis: Morris elementary effects and Sobol (variance-based)
//! indices, with bootstrap confidence intervals.
//!
//! Both methods work in the unit cube: designs are points in [0, 1]^k, which the
//! caller maps onto the parameters' ranges (for instance with
//! [`Range::at`](crate::scenario::sweep::Range::at)), runs the model at, and hands back one
//! outcome per design row (averaged over replicates, if there are several). Outcomes
//! that are not finite (failed runs) are left out of the estimates: a Morris
//! elementary effect that needs them is dropped, and so is a Saltelli base row.
//!
//! - **Morris** (1991): `r` random one-at-a-time trajectories of `k + 1` points on a
//!   grid of `p` levels, each step moving one factor by Δ = p / (2(p − 1)). For each
//!   factor, μ is the mean elementary effect, μ* (Campolongo et al. 2007) the mean of
//!   their absolute values (the overall importance) and σ their standard deviation
//!   (non-linearity and interactions).
//! - **Sobol** indices from a Saltelli design: matrices A and B of `n` base rows each
//!   (the first and last `k` coordinates of a `2k`-dimensional Sobol sequence) and,
//!   for each factor `i`, AB_i (A with column `i` taken from B). First-order indices
//!   use the estimator of Saltelli et al. (2010), total-effect indices Jansen's
//!   (1999); both are divided by the variance of the outcomes at A and B.

use crate::experiment::stats::percentile_interval;
use crate::model::rng::rng_from_seed;
use crate::scenario::sampling::{SOBOL_MAX_DIMS, Sobol, TWO_POW_MINUS_32, below, unit_f64};

/// Morris measures of one factor.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct MorrisIndex {
    /// Mean elementary effect (signed; effects of opposite signs cancel).
    pub mu: f64,
    /// Mean absolute elementary effect: the factor's overall importance.
    pub mu_star: f64,
    /// Standard deviation of the elementary effects (divisor `r − 1`): how much the
    /// effect depends on where it is measured (non-linearity or interactions). NaN
    /// with fewer than two effects.
    pub sigma: f64,
}

/// The Morris step Δ = `levels` / (2(`levels` − 1)) (2/3 for 4 levels).
pub fn morris_delta(levels: usize) -> f64 {
    levels as f64 / (2.0 * (levels as f64 - 1.0))
}

/// A Morris (1991) design: `trajectories` trajectories of `k + 1` points each, one
/// after another (rows `t·(k+1)` to `t·(k+1) + k` are trajectory `t`).
///
/// Each trajectory starts from a random base point on the grid {0, 1/(p−1), …, 1} of
/// `p` = `levels` levels, chosen so that base + Δ stays in [0, 1], and moves each
/// factor once, in random order and random direction, by Δ = p / (2(p − 1)): this is
/// Morris's B* = (J x* + (Δ/2)((2B − J) D* + J)) P* construction. An even number of
/// levels (4 is usual) keeps every point on the grid.
///
/// Random numbers are drawn per trajectory: for each factor its base level and then
/// its direction, then a Fisher–Yates shuffle of the factor order.
///
/// # Panics
/// If `k` or `trajectories` is 0, or `levels` < 2.
pub fn morris_design<R: rand::Rng + ?Sized>(
    k: usize,
    trajectories: usize,
    levels: usize,
    rng: &mut R,
) -> Vec<Vec<f64>> {
    assert!(k > 0, "Morris design needs at least one factor");
    assert!(
        trajectories > 0,
        "Morris design needs at least one trajectory"
    );
    assert!(levels >= 2, "Morris design needs at least 2 levels");
    let step = 1.0 / (levels - 1) as f64;
    let delta = morris_delta(levels);
    // Highest base level ℓ with ℓ·step + Δ ≤ 1.
    let top = (((1.0 - delta) / step) + 1e-9).floor() as u64;
    let mut rows = Vec::with_capacity(trajectories * (k + 1));
    let mut base = vec![0.0; k];
    let mut up = vec![false; k];
    let mut order: Vec<usize> = Vec::with_capacity(k);
    for _ in 0..trajectories {
        for i in 0..k {
            base[i] = below(rng, top + 1) as f64 * step;
            up[i] = below(rng, 2) == 1;
        }
        order.clear();
        order.extend(0..k);
        for i in (1..k).rev() {
            let j = below(rng, i as u64 + 1) as usize;
            order.swap(i, j);
        }
        let high = |b: f64| (b + delta).min(1.0);
        let mut x: Vec<f64> = (0..k)
            .map(|i| if up[i] { base[i] } else { high(base[i]) })
            .collect();
        rows.push(x.clone());
        for &f in &order {
            x[f] = if up[f] { high(base[f]) } else { base[f] };
            rows.push(x.clone());
        }
    }
    rows
}

/// The elementary effects of a Morris design: `effects[i][t]` is factor `i`'s effect
/// in trajectory `t`, (y after − y before) / (x_i after − x_i before), NaN where an
/// outcome is not finite.
///
/// # Panics
/// If `design` and `y` differ in length, the length is not a multiple of `k + 1`, or
/// a step of a trajectory does not move exactly one factor (each factor once).
pub fn elementary_effects(design: &[Vec<f64>], y: &[f64], k: usize) -> Vec<Vec<f64>> {
    assert_eq!(design.len(), y.len(), "one outcome per design row");
    assert!(
        k > 0 && design.len().is_multiple_of(k + 1),
        "a Morris design has k + 1 rows per trajectory"
    );
    let r = design.len() / (k + 1);
    let mut effects = vec![vec![f64::NAN; r]; k];
    let mut seen = vec![false; k];
    for (t, (traj, yt)) in design.chunks(k + 1).zip(y.chunks(k + 1)).enumerate() {
        seen.fill(false);
        for j in 0..k {
            let (x0, x1) = (&traj[j], &traj[j + 1]);
            let moved: Vec<usize> = (0..k).filter(|&i| x0[i] != x1[i]).collect();
            assert!(
                moved.len() == 1 && !seen[moved[0]],
                "trajectory {t}, step {j}: a Morris step moves one factor, each once"
            );
            let i = moved[0];
            seen[i] = true;
            let (ya, yb) = (yt[j], yt[j + 1]);
            if ya.is_finite() && yb.is_finite() {
                effects[i][t] = (yb - ya) / (x1[i] - x0[i]);
            }
        }
    }
    effects
}

fn morris_measures(effects: &[f64]) -> MorrisIndex {
    let ee: Vec<f64> = effects.iter().copied().filter(|e| e.is_finite()).collect();
    let n = ee.len() as f64;
    if ee.is_empty() {
        return MorrisIndex {
            mu: f64::NAN,
            mu_star: f64::NAN,
            sigma: f64::NAN,
        };
    }
    let mu = ee.iter().sum::<f64>() / n;
    let mu_star = ee.iter().map(|e| e.abs()).sum::<f64>() / n;
    let sigma = if ee.len() < 2 {
        f64::NAN
    } else {
        (ee.iter().map(|e| (e - mu) * (e - mu)).sum::<f64>() / (n - 1.0)).sqrt()
    };
    MorrisIndex { mu, mu_star, sigma }
}

/// Morris measures μ, μ* and σ of each of the `k` factors of a design made by
/// [`morris_design`], from one outcome per row. Elementary effects whose outcomes are
/// not finite are left out (all NaN for a factor with none left).
///
/// # Panics
/// As [`elementary_effects`].
pub fn morris_effects(design: &[Vec<f64>], y: &[f64], k: usize) -> Vec<MorrisIndex> {
    elementary_effects(design, y, k)
        .iter()
        .map(|e| morris_measures(e))
        .collect()
}

/// Percentile bootstrap 95% intervals of each factor's μ*, resampling whole
/// trajectories with replacement `resamples` times. (NaN, NaN) with no resamples.
///
/// # Panics
/// As [`elementary_effects`].
pub fn morris_mu_star_ci<R: rand::Rng + ?Sized>(
    design: &[Vec<f64>],
    y: &[f64],
    k: usize,
    resamples: usize,
    rng: &mut R,
) -> Vec<(f64, f64)> {
    let effects = elementary_effects(design, y, k);
    let r = design.len() / (k + 1);
    let mut stats = vec![Vec::with_capacity(resamples); k];
    let mut pick = vec![0usize; r];
    for _ in 0..resamples {
        for p in pick.iter_mut() {
            *p = below(rng, r as u64) as usize;
        }
        for (i, e) in effects.iter().enumerate() {
            let (mut sum, mut count) = (0.0, 0usize);
            for &t in &pick {
                if e[t].is_finite() {
                    sum += e[t].abs();
                    count += 1;
                }
            }
            if count > 0 {
                stats[i].push(sum / count as f64);
            }
        }
    }
    stats.iter_mut().map(|s| percentile_interval(s)).collect()
}

/// Where the base points of a Saltelli design come from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BaseSequence {
    /// A digitally shifted `2k`-dimensional Sobol sequence (when `2k` ≤
    /// [`SOBOL_MAX_DIMS`]).
    Sobol,
    /// Independent uniform random numbers (for more than 16 factors).
    Random,
}

/// A Saltelli design for Sobol indices of `k` factors from `n` base rows.
///
/// `rows` holds `n·(k + 2)` points of [0, 1)^k in this order: the `n` rows of A, the
/// `n` rows of B, then for each factor `i` = 0 … k−1 the `n` rows of AB_i (row `j` of
/// A with column `i` replaced by column `i` of row `j` of B). [`SaltelliDesign::a`],
/// [`SaltelliDesign::b`] and [`SaltelliDesign::ab`] give the row indices.
#[derive(Debug, Clone, PartialEq)]
pub struct SaltelliDesign {
    /// Number of factors.
    pub k: usize,
    /// Number of base rows.
    pub n: usize,
    /// Where A and B came from.
    pub sequence: BaseSequence,
    /// The points, in the order above.
    pub rows: Vec<Vec<f64>>,
}

impl SaltelliDesign {
    /// Index in `rows` of base row `j` of A.
    pub fn a(&self, j: usize) -> usize {
        j
    }

    /// Index in `rows` of base row `j` of B.
    pub fn b(&self, j: usize) -> usize {
        self.n + j
    }

    /// Index in `rows` of base row `j` of AB_`i`.
    pub fn ab(&self, i: usize, j: usize) -> usize {
        (2 + i) * self.n + j
    }

    /// Number of rows, `n·(k + 2)`.
    pub fn len(&self) -> usize {
        self.rows.len()
    }

    /// Whether the design has no rows (never true of a built design).
    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }
}

/// A Saltelli design of `n` base rows for `k` factors (`n·(k + 2)` model runs).
///
/// A and B are the first and last `k` coordinates of the first `n` points of the
/// `2k`-dimensional Sobol sequence (see [`Sobol`]), XOR-ed with a random digital
/// shift drawn from `ModelRng` seeded by `seed` (one `next_u32` per dimension): the
/// shift keeps the sequence's equidistribution and makes different seeds give
/// independent randomized estimates. A power of two for `n` is best. For more than
/// [`SOBOL_MAX_DIMS`]` / 2` factors, A and B are independent uniform random numbers
/// instead (drawn row by row, A's `k` then B's `k`).
///
/// # Panics
/// If `k` or `n` is 0.
pub fn saltelli_design(k: usize, n: usize, seed: u64) -> SaltelliDesign {
    assert!(
        k > 0 && n > 0,
        "a Saltelli design needs factors and base rows"
    );
    let mut rng = rng_from_seed(seed);
    let dims = 2 * k;
    let (sequence, base): (BaseSequence, Vec<Vec<f64>>) = match Sobol::new(dims) {
        Some(seq) => {
            use rand::Rng;
            let shift: Vec<u32> = (0..dims).map(|_| rng.next_u32()).collect();
            let mut seq = seq;
            let pts = (0..n)
                .map(|_| {
                    let bits = seq.next_bits().expect("fewer than 2^32 points");
                    bits.iter()
                        .zip(&shift)
                        .map(|(x, s)| (x ^ s) as f64 * TWO_POW_MINUS_32)
                        .collect()
                })
                .collect();
            (BaseSequence::Sobol, pts)
        }
        None => {
            debug_assert!(dims > SOBOL_MAX_DIMS);
            let pts = (0..n)
                .map(|_| (0..dims).map(|_| unit_f64(&mut rng)).collect())
                .collect();
            (BaseSequence::Random, pts)
        }
    };
    let mut rows = Vec::with_capacity(n * (k + 2));
    rows.extend(base.iter().map(|p| p[..k].to_vec()));
    rows.extend(base.iter().map(|p| p[k..].to_vec()));
    for i in 0..k {
        rows.extend(base.iter().map(|p| {
            let mut r = p[..k].to_vec();
            r[i] = p[k + i];
            r
        }));
    }
    SaltelliDesign {
        k,
        n,
        sequence,
        rows,
    }
}

/// Sobol indices of one factor with bootstrap 95% intervals.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SobolIndex {
    /// First-order index S_i: the share of the outcome's variance due to the factor
    /// alone.
    pub first: f64,
    /// Percentile bootstrap 95% interval of `first`.
    pub first_ci: (f64, f64),
    /// Total-effect index S_Ti: the share due to the factor including all its
    /// interactions.
    pub total: f64,
    /// Percentile bootstrap 95% interval of `total`.
    pub total_ci: (f64, f64),
}

/// First-order and total indices of every factor over the base rows `rows` (repeats
/// allowed), from outcomes `y` in the design's row order.
fn estimate(d: &SaltelliDesign, y: &[f64], rows: &[usize]) -> (Vec<f64>, Vec<f64>) {
    let m = rows.len() as f64;
    if rows.is_empty() {
        return (vec![f64::NAN; d.k], vec![f64::NAN; d.k]);
    }
    let mean = rows.iter().map(|&j| y[d.a(j)] + y[d.b(j)]).sum::<f64>() / (2.0 * m);
    let var = rows
        .iter()
        .map(|&j| (y[d.a(j)] - mean).powi(2) + (y[d.b(j)] - mean).powi(2))
        .sum::<f64>()
        / (2.0 * m);
    let mut first = vec![0.0; d.k];
    let mut total = vec![0.0; d.k];
    for &j in rows {
        let (fa, fb) = (y[d.a(j)], y[d.b(j)] - mean);
        for i in 0..d.k {
            let fab = y[d.ab(i, j)];
            first[i] += fb * (fab - fa);
            total[i] += (fa - fab) * (fa - fab);
        }
    }
    let scale = |s: f64, div: f64| if var > 0.0 { s / div / var } else { f64::NAN };
    (
        first.iter().map(|&s| scale(s, m)).collect(),
        total.iter().map(|&s| scale(s, 2.0 * m)).collect(),
    )
}

/// First-order (Saltelli et al. 2010) and total-effect (Jansen 1999) Sobol indices of
/// every factor of a [`saltelli_design`], from one outcome per row, with percentile
/// bootstrap 95% intervals from `resamples` resamples of the base rows.
///
/// With f the outcomes centred on the mean of A's and B's, and V their variance:
/// S_i = mean_j f(B_j)·(f(AB_i,j) − f(A_j)) / V and S_Ti = mean_j (f(A_j) −
/// f(AB_i,j))² / (2V). A base row with any non-finite outcome (in A, B or any AB_i)
/// is left out. Indices are NaN when the outcome does not vary; intervals are (NaN,
/// NaN) with no resamples. Estimates are not clipped to [0, 1]: values a little
/// outside show the estimate's noise.
///
/// # Panics
/// If `y` does not have one outcome per row of the design.
pub fn sobol_indices<R: rand::Rng + ?Sized>(
    design: &SaltelliDesign,
    y: &[f64],
    resamples: usize,
    rng: &mut R,
) -> Vec<SobolIndex> {
    assert_eq!(y.len(), design.len(), "one outcome per design row");
    let d = design;
    let valid: Vec<usize> = (0..d.n)
        .filter(|&j| {
            y[d.a(j)].is_finite()
                && y[d.b(j)].is_finite()
                && (0..d.k).all(|i| y[d.ab(i, j)].is_finite())
        })
        .collect();
    let (first, total) = estimate(d, y, &valid);
    let mut boot_first = vec![Vec::with_capacity(resamples); d.k];
    let mut boot_total = vec![Vec::with_capacity(resamples); d.k];
    let mut pick = vec![0usize; valid.len()];
    if !valid.is_empty() {
        for _ in 0..resamples {
            for p in pick.iter_mut() {
                *p = valid[below(rng, valid.len() as u64) as usize];
            }
            let (f, t) = estimate(d, y, &pick);
            for i in 0..d.k {
                if f[i].is_finite() {
                    boot_first[i].push(f[i]);
                }
                if t[i].is_finite() {
                    boot_total[i].push(t[i]);
                }
            }
        }
    }
    (0..d.k)
        .map(|i| SobolIndex {
            first: first[i],
            first_ci: percentile_interval(&mut boot_first[i]),
            total: total[i],
            total_ci: percentile_interval(&mut boot_total[i]),
        })
        .collect()
}

#[cfg(test)]
#[allow(clippy::needless_range_loop)] // factor-indexed checks read best as loops
mod tests {
    use super::*;
    use std::f64::consts::PI;

    const A: f64 = 7.0;
    const B: f64 = 0.1;

    /// The Ishigami function on [−π, π]^3, from unit coordinates.
    fn ishigami(u: &[f64]) -> f64 {
        let x: Vec<f64> = u.iter().map(|v| -PI + 2.0 * PI * v).collect();
        x[0].sin() + A * x[1].sin().powi(2) + B * x[2].powi(4) * x[0].sin()
    }

    /// Analytic (first-order, total) indices of the Ishigami function.
    fn ishigami_indices() -> ([f64; 3], [f64; 3]) {
        let v1 = 0.5 * (1.0 + B * PI.powi(4) / 5.0).powi(2);
        let v2 = A * A / 8.0;
        let v13 = B * B * PI.powi(8) * (1.0 / 18.0 - 1.0 / 50.0);
        let v = v1 + v2 + v13;
        ([v1 / v, v2 / v, 0.0], [(v1 + v13) / v, v2 / v, v13 / v])
    }

    #[test]
    fn ishigami_analytic_values_are_the_published_ones() {
        let (s1, st) = ishigami_indices();
        for (got, want) in s1.iter().zip([0.3139, 0.4424, 0.0]) {
            assert!((got - want).abs() < 1e-4, "{s1:?}");
        }
        for (got, want) in st.iter().zip([0.5576, 0.4424, 0.2437]) {
            assert!((got - want).abs() < 1e-4, "{st:?}");
        }
    }

    #[test]
    fn saltelli_design_layout() {
        let d = saltelli_design(3, 8, 1);
        assert_eq!(d.sequence, BaseSequence::Sobol);
        assert_eq!(d.len(), 8 * 5);
        for j in 0..8 {
            for i in 0..3 {
                let ab = &d.rows[d.ab(i, j)];
                for c in 0..3 {
                    let from = if c == i { d.b(j) } else { d.a(j) };
                    assert_eq!(ab[c], d.rows[from][c]);
                }
            }
        }
        assert!(d.rows.iter().flatten().all(|x| (0.0..1.0).contains(x)));
        // Shifted Sobol: each column of A and of B is still stratified, one point in
        // each eighth.
        for c in 0..3 {
            for block in [0, 8] {
                let mut s: Vec<usize> = (0..8)
                    .map(|j| (d.rows[block + j][c] * 8.0) as usize)
                    .collect();
                s.sort_unstable();
                assert_eq!(s, (0..8).collect::<Vec<_>>());
            }
        }
        assert_eq!(d, saltelli_design(3, 8, 1));
        assert_ne!(d, saltelli_design(3, 8, 2));
        let big = saltelli_design(17, 4, 1);
        assert_eq!(big.sequence, BaseSequence::Random);
        assert_eq!(big.len(), 4 * 19);
    }

    fn ishigami_indices_at(n: usize, seed: u64, resamples: usize) -> Vec<SobolIndex> {
        let d = saltelli_design(3, n, seed);
        let y: Vec<f64> = d.rows.iter().map(|r| ishigami(r)).collect();
        sobol_indices(&d, &y, resamples, &mut rng_from_seed(seed))
    }

    #[test]
    fn sobol_indices_of_ishigami_match_analytic_values() {
        // n = 4096 base rows (20 480 runs), 10 shift seeds: every estimate within
        // 0.01 of the analytic value (the largest error seen is 0.0022), and every 95%
        // bootstrap interval contains it. The intervals (width 0.03–0.09) treat the
        // base rows as independent draws, so they are conservative for a Sobol
        // sequence, whose error is smaller.
        let (s1, st) = ishigami_indices();
        for seed in 0..10 {
            let idx = ishigami_indices_at(4096, seed, 500);
            for i in 0..3 {
                let x = &idx[i];
                assert!(
                    (x.first - s1[i]).abs() < 0.01,
                    "seed {seed}, S1[{i}] = {}",
                    x.first
                );
                assert!(
                    (x.total - st[i]).abs() < 0.01,
                    "seed {seed}, ST[{i}] = {}",
                    x.total
                );
                assert!(
                    x.first_ci.0 <= s1[i] && s1[i] <= x.first_ci.1,
                    "seed {seed}, S1[{i}] CI {:?}",
                    x.first_ci
                );
                assert!(
                    x.total_ci.0 <= st[i] && st[i] <= x.total_ci.1,
                    "seed {seed}, ST[{i}] CI {:?}",
                    x.total_ci
                );
                assert!(x.first_ci.0 < x.first && x.first < x.first_ci.1);
            }
        }
    }

    #[test]
    fn sobol_indices_skip_failed_rows() {
        let d = saltelli_design(3, 1024, 4);
        let mut y: Vec<f64> = d.rows.iter().map(|r| ishigami(r)).collect();
        let clean = sobol_indices(&d, &y, 0, &mut rng_from_seed(0));
        assert!(clean[0].first_ci.0.is_nan());
        // Breaking one run drops its base row only: the estimates barely move.
        y[d.ab(1, 7)] = f64::NAN;
        let broken = sobol_indices(&d, &y, 0, &mut rng_from_seed(0));
        for (c, b) in clean.iter().zip(&broken) {
            assert!((c.first - b.first).abs() < 0.02 && (c.total - b.total).abs() < 0.02);
        }
        // A constant outcome has no variance to share out.
        let flat = vec![1.0; d.len()];
        assert!(
            sobol_indices(&d, &flat, 10, &mut rng_from_seed(0))[0]
                .first
                .is_nan()
        );
    }

    #[test]
    fn sobol_indices_of_a_linear_function_with_random_base_points() {
        // 17 factors (beyond the Sobol generator: random base points). For
        // y = Σ c_i x_i with independent uniform x_i, S_i = ST_i = c_i² / Σ c².
        let k = 17;
        let c: Vec<f64> = (0..k)
            .map(|i| if i < 3 { 4.0 - i as f64 } else { 0.5 })
            .collect();
        let sum_sq: f64 = c.iter().map(|v| v * v).sum();
        let d = saltelli_design(k, 8192, 9);
        assert_eq!(d.sequence, BaseSequence::Random);
        let y: Vec<f64> = d
            .rows
            .iter()
            .map(|r| r.iter().zip(&c).map(|(x, ci)| x * ci).sum())
            .collect();
        let idx = sobol_indices(&d, &y, 200, &mut rng_from_seed(1));
        let mut covered = 0;
        for i in 0..k {
            let want = c[i] * c[i] / sum_sq;
            // Jansen's estimator is exact-ish for additive functions; Saltelli's has
            // Monte Carlo noise of about 0.02 at this n.
            assert!(
                (idx[i].total - want).abs() < 0.01,
                "ST[{i}] = {}",
                idx[i].total
            );
            assert!(
                (idx[i].first - want).abs() < 0.05,
                "S1[{i}] = {}",
                idx[i].first
            );
            if idx[i].first_ci.0 <= want && want <= idx[i].first_ci.1 {
                covered += 1;
            }
        }
        // 95% intervals: about 16 of 17 contain the true value; P(fewer than 14) is
        // about 1% for independent intervals.
        assert!(covered >= 14, "{covered} of 17 intervals cover");
    }

    #[test]
    fn morris_design_is_a_set_of_one_at_a_time_trajectories() {
        for seed in 0..50 {
            let mut rng = rng_from_seed(seed);
            let (k, r, p) = (1 + seed as usize % 6, 7, 4);
            let d = morris_design(k, r, p, &mut rng);
            assert_eq!(d.len(), r * (k + 1));
            let delta = morris_delta(p);
            assert!((delta - 2.0 / 3.0).abs() < 1e-15);
            for row in &d {
                for &x in row {
                    // On the grid {0, 1/3, 2/3, 1}.
                    assert!((x * 3.0 - (x * 3.0).round()).abs() < 1e-12, "{x}");
                    assert!((0.0..=1.0).contains(&x));
                }
            }
            for t in 0..r {
                let mut moved = vec![0; k];
                for j in 0..k {
                    let (a, b) = (&d[t * (k + 1) + j], &d[t * (k + 1) + j + 1]);
                    let diff: Vec<usize> = (0..k).filter(|&i| a[i] != b[i]).collect();
                    assert_eq!(diff.len(), 1);
                    assert!(((b[diff[0]] - a[diff[0]]).abs() - delta).abs() < 1e-12);
                    moved[diff[0]] += 1;
                }
                assert!(moved.iter().all(|&m| m == 1));
            }
        }
        let mut rng = rng_from_seed(3);
        assert_eq!(
            morris_design(3, 5, 4, &mut rng.clone()),
            morris_design(3, 5, 4, &mut rng)
        );
        // Two levels: Δ = 1, every step runs from 0 to 1 or back.
        let d = morris_design(2, 3, 2, &mut rng_from_seed(0));
        assert!(d.iter().flatten().all(|&x| x == 0.0 || x == 1.0));
    }

    #[test]
    fn morris_of_a_linear_function_recovers_its_coefficients() {
        let c = [3.0, -2.0, 0.5, 0.0, 10.0];
        let mut rng = rng_from_seed(17);
        let d = morris_design(5, 20, 4, &mut rng);
        let y: Vec<f64> = d
            .iter()
            .map(|r| r.iter().zip(&c).map(|(x, ci)| x * ci).sum())
            .collect();
        let m = morris_effects(&d, &y, 5);
        for i in 0..5 {
            assert!((m[i].mu - c[i]).abs() < 1e-9, "{:?}", m[i]);
            assert!((m[i].mu_star - c[i].abs()).abs() < 1e-9);
            assert!(m[i].sigma < 1e-9);
        }
        let ci = morris_mu_star_ci(&d, &y, 5, 100, &mut rng);
        for i in 0..5 {
            assert!((ci[i].0 - c[i].abs()).abs() < 1e-9 && (ci[i].1 - c[i].abs()).abs() < 1e-9);
        }
    }

    /// Expected μ* of Ishigami's factors for a 4-level Morris design on [−π, π]^3.
    ///
    /// The grid is {−π, −π/3, π/3, π} and Δ = 2/3 (two grid steps), so every step
    /// goes between −π and π/3 or between −π/3 and π, and at each step the other
    /// factors sit uniformly on the grid. x2's effect is 7·(3/4)/(2/3) = 7.875 in
    /// absolute value, always. x1's is (1 + 0.1·x3⁴)·sin(π/3)/(2/3), with x3⁴ = π⁴
    /// or (π/3)⁴ each half the time. x3's is 0.1·(π⁴ − (π/3)⁴)·sin x1/(2/3), with
    /// sin x1 = 0 half the time and ±sin(π/3) otherwise.
    fn ishigami_morris_mu_star() -> [f64; 3] {
        let s = (PI / 3.0).sin();
        let x1 = 0.5 * ((1.0 + B * PI.powi(4)) + (1.0 + B * (PI / 3.0).powi(4))) * s / (2.0 / 3.0);
        let x2 = A * 0.75 / (2.0 / 3.0);
        let x3 = 0.5 * B * (PI.powi(4) - (PI / 3.0).powi(4)) * s / (2.0 / 3.0);
        [x1, x2, x3]
    }

    #[test]
    fn morris_on_ishigami_ranks_and_matches_expectations() {
        let want = ishigami_morris_mu_star();
        assert!((want[1] - 7.875).abs() < 1e-12);
        for seed in 0..10 {
            let mut rng = rng_from_seed(seed);
            let d = morris_design(3, 1000, 4, &mut rng);
            let y: Vec<f64> = d.iter().map(|r| ishigami(r)).collect();
            let m = morris_effects(&d, &y, 3);
            // x2's |effect| is the same everywhere.
            assert!((m[1].mu_star - 7.875).abs() < 1e-9, "{m:?}");
            // μ* of x1 and x3 within 0.8 (4 standard errors at r = 1000) of
            // expectation; x1 and x2 rank above x3.
            assert!((m[0].mu_star - want[0]).abs() < 0.8, "seed {seed}: {m:?}");
            assert!((m[2].mu_star - want[2]).abs() < 0.8, "seed {seed}: {m:?}");
            assert!(m[0].mu_star > m[2].mu_star && m[1].mu_star > m[2].mu_star);
            // x3 acts only through its interaction with x1: its effects vary a lot
            // and cancel on average (μ ≈ 0, σ large).
            assert!(m[2].mu.abs() < 1.5 && m[2].sigma > 5.0, "{:?}", m[2]);
        }
    }

    #[test]
    fn morris_mu_star_intervals_cover_expectations() {
        // r = 100 trajectories, 200 seeds: the share of 95% intervals containing the
        // expected μ* of x1 and of x3 is at least 88% (the percentile bootstrap of a
        // mean of 100 two-point values is close to nominal; binomial sd 1.5%).
        let want = ishigami_morris_mu_star();
        let mut hits = [0usize; 3];
        for seed in 0..200 {
            let mut rng = rng_from_seed(1000 + seed);
            let d = morris_design(3, 100, 4, &mut rng);
            let y: Vec<f64> = d.iter().map(|r| ishigami(r)).collect();
            let ci = morris_mu_star_ci(&d, &y, 3, 300, &mut rng);
            for i in 0..3 {
                if ci[i].0 - 1e-9 <= want[i] && want[i] <= ci[i].1 + 1e-9 {
                    hits[i] += 1;
                }
            }
        }
        assert_eq!(hits[1], 200);
        assert!(hits[0] >= 176 && hits[2] >= 176, "{hits:?}");
    }

    #[test]
    fn morris_skips_failed_runs() {
        let mut rng = rng_from_seed(2);
        let d = morris_design(2, 10, 4, &mut rng);
        let mut y: Vec<f64> = d.iter().map(|r| 2.0 * r[0] + r[1]).collect();
        y[0] = f64::NAN;
        let m = morris_effects(&d, &y, 2);
        assert!((m[0].mu - 2.0).abs() < 1e-9 && (m[1].mu - 1.0).abs() < 1e-9);
        let ee = elementary_effects(&d, &y, 2);
        assert_eq!(ee.iter().flatten().filter(|e| e.is_nan()).count(), 1);
    }

    #[test]
    #[should_panic(expected = "moves one factor")]
    fn elementary_effects_refuse_a_design_that_is_not_morris() {
        let d = vec![vec![0.0, 0.0], vec![1.0, 1.0], vec![1.0, 0.0]];
        elementary_effects(&d, &[0.0, 1.0, 2.0], 2);
    }
}
