//! Approximate Bayesian computation by sequential Monte Carlo (ABC-SMC): the engine
//! `kampung calibrate` is to be built on (issue 11). Here it is generic: parameters
//! are points in a box (independent uniform priors), and the model is a function
//! from a parameter point and a seed to a distance from the observed patterns.
//!
//! The scheme is population Monte Carlo ABC (Beaumont, Cornuet, Marin & Robert
//! 2009, *Biometrika* 96(4): 983–990) with
//! - an adaptive tolerance schedule: each generation's tolerance is a quantile
//!   (`quantile`, 0.5 by default) of the previous generation's distances (Del Moral,
//!   Doucet & Jasra 2012, *Statistics and Computing* 22(5): 1009–1020);
//! - a Gaussian perturbation kernel per particle with the optimal local covariance
//!   (OLCM: the weighted covariance of the previous particles that already meet the
//!   new tolerance, around the particle; Filippi, Barnes, Cornebise & Stumpf 2013,
//!   *Statistical Applications in Genetics and Molecular Biology* 12(1): 87–107);
//! - importance weights `prior(θ) / Σ_j w_j K_j(θ | θ_j)`, and multinomial
//!   resampling to equal weights when the effective sample size falls below half
//!   the particles.
//!
//! Reproducible for any thread count: proposal `k` of generation `g` draws from its
//! own random stream (seeded from the base seed, `g` and `k`), proposals are made in
//! parallel in fixed batches, and a generation keeps the first accepted proposals in
//! proposal order, so the result is the same however the work was scheduled.

// The small matrix routines below (Cholesky factor, inverse, quadratic forms) read
// as the textbook formulas with explicit indices.
#![allow(clippy::needless_range_loop)]

use rand::{Rng, RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rayon::prelude::*;
use std::sync::atomic::{AtomicUsize, Ordering};

/// One weighted particle.
#[derive(Debug, Clone, PartialEq)]
pub struct Particle {
    /// The parameter point.
    pub theta: Vec<f64>,
    /// Its normalised importance weight.
    pub weight: f64,
    /// Its distance from the observed patterns.
    pub distance: f64,
    /// The summary statistics of the simulation that was accepted.
    pub stats: Vec<f64>,
}

/// What one generation came to.
#[derive(Debug, Clone, PartialEq)]
pub struct Generation {
    /// Its tolerance (infinite for the first, drawn from the prior).
    pub tolerance: f64,
    /// Its particles.
    pub particles: Vec<Particle>,
    /// Proposals simulated (accepted or not).
    pub simulations: usize,
    /// Effective sample size of its weights, `1 / Σ w²`, before any resampling.
    pub ess: f64,
}

impl Generation {
    /// Share of the proposals simulated that were accepted.
    pub fn acceptance(&self) -> f64 {
        self.particles.len() as f64 / self.simulations.max(1) as f64
    }

    /// The weighted mean of each parameter.
    pub fn mean(&self) -> Vec<f64> {
        let d = self.particles.first().map_or(0, |p| p.theta.len());
        (0..d)
            .map(|k| self.particles.iter().map(|p| p.weight * p.theta[k]).sum())
            .collect()
    }

    /// The weighted variance of each parameter.
    pub fn variance(&self) -> Vec<f64> {
        let m = self.mean();
        (0..m.len())
            .map(|k| {
                self.particles
                    .iter()
                    .map(|p| p.weight * (p.theta[k] - m[k]).powi(2))
                    .sum()
            })
            .collect()
    }
}

/// The settings of a run of ABC-SMC.
#[derive(Debug, Clone, PartialEq)]
pub struct Settings {
    /// The prior box: `(low, high)` per parameter.
    pub ranges: Vec<(f64, f64)>,
    /// Particles per generation.
    pub particles: usize,
    /// Generations after the first (drawn from the prior).
    pub generations: usize,
    /// The quantile of the previous distances taken as the next tolerance, in (0, 1).
    pub quantile: f64,
    /// The most proposals a generation may simulate before it stops short.
    pub max_simulations: usize,
    /// Stop after a generation whose acceptance rate falls below this (0: never).
    pub min_acceptance: f64,
    /// Base seed.
    pub seed: u64,
}

/// Why a run stopped before its last generation.
#[derive(Debug, Clone, PartialEq)]
pub enum Stop {
    /// A generation reached `max_simulations` without filling its particles.
    Budget {
        /// The generation that ran out.
        generation: usize,
    },
    /// A generation's acceptance rate fell below `min_acceptance`: further
    /// generations would cost more than they refine.
    Acceptance {
        /// The generation.
        generation: usize,
    },
    /// A generation's tolerance reached 0: every pattern is met exactly, and
    /// further generations would draw from the same region.
    Exact {
        /// The generation.
        generation: usize,
    },
    /// The caller's `saved` hook failed (its message).
    Saving(String),
}

/// A model to calibrate: summary statistics from a simulation, and how far each
/// lies from its observation.
pub trait Model: Sync {
    /// The summary statistics of one simulation at `theta` with `seed` (NaN for one
    /// that cannot be computed: the distance is then infinite).
    fn simulate(&self, theta: &[f64], seed: u64) -> Vec<f64>;

    /// How far each statistic lies from its observation, in the statistic's units
    /// (0 = matches).
    fn deviations(&self, stats: &[f64]) -> Vec<f64>;

    /// The scale each deviation is divided by, from the statistics of the first
    /// generation (the prior predictive). By default the median absolute deviation
    /// of each statistic (times 1.4826, a standard deviation for normal data; Prangle
    /// 2017, *Bayesian Analysis* 12(1): 289–309, normalises by it), falling back to
    /// the standard deviation when that is 0, and to 1 when both are.
    fn scales(&self, prior: &[Vec<f64>]) -> Vec<f64> {
        let k = prior.first().map_or(0, Vec::len);
        (0..k)
            .map(|i| {
                let v: Vec<f64> = prior
                    .iter()
                    .map(|s| s[i])
                    .filter(|x| x.is_finite())
                    .collect();
                robust_scale(&v)
            })
            .collect()
    }
}

/// 1.4826 · MAD of `v`, else its standard deviation, else 1.
pub fn robust_scale(v: &[f64]) -> f64 {
    if v.len() < 2 {
        return 1.0;
    }
    let med = median(v.to_vec());
    let mad = 1.4826 * median(v.iter().map(|x| (x - med).abs()).collect());
    if mad > 0.0 {
        return mad;
    }
    let m = v.iter().sum::<f64>() / v.len() as f64;
    let sd = (v.iter().map(|x| (x - m).powi(2)).sum::<f64>() / (v.len() - 1) as f64).sqrt();
    if sd > 0.0 { sd } else { 1.0 }
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    let n = v.len();
    if n % 2 == 1 {
        v[n / 2]
    } else {
        0.5 * (v[n / 2 - 1] + v[n / 2])
    }
}

/// The distance of statistics from the observations: the root mean square of the
/// deviations, each divided by its scale (infinite when one is NaN).
pub fn distance<M: Model + ?Sized>(model: &M, stats: &[f64], scales: &[f64]) -> f64 {
    let dev = model.deviations(stats);
    if dev.is_empty() {
        return 0.0;
    }
    let ss: f64 = dev.iter().zip(scales).map(|(d, s)| (d / s).powi(2)).sum();
    let d = (ss / dev.len() as f64).sqrt();
    if d.is_nan() { f64::INFINITY } else { d }
}

/// Saves every generation so far and the scales (a checkpoint); an error stops the
/// run.
pub type SaveHook<'a> = &'a mut (dyn FnMut(&[Generation], &[f64]) -> Result<(), String> + Send);

/// Where a run is, as reported while it goes.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Progress {
    /// The generation being drawn.
    pub generation: usize,
    /// Its tolerance (infinite for the first).
    pub tolerance: f64,
    /// Proposals it has simulated so far.
    pub simulations: usize,
    /// Proposals it has accepted so far.
    pub accepted: usize,
}

/// What a run reports as it goes, and where it saves each generation.
pub struct Hooks<'a> {
    /// Called (from worker threads) as proposals finish.
    pub progress: &'a (dyn Fn(Progress) + Sync),
    /// Called with every generation so far after each new one (to save a checkpoint).
    pub saved: SaveHook<'a>,
}

/// A plain distance function as a [`Model`]: its one statistic is the distance, its
/// scale 1.
struct Plain<F>(F);

impl<F: Fn(&[f64], u64) -> f64 + Sync> Model for Plain<F> {
    fn simulate(&self, theta: &[f64], seed: u64) -> Vec<f64> {
        vec![(self.0)(theta, seed)]
    }
    fn deviations(&self, stats: &[f64]) -> Vec<f64> {
        stats.to_vec()
    }
    fn scales(&self, _: &[Vec<f64>]) -> Vec<f64> {
        vec![1.0]
    }
}

/// Runs ABC-SMC where `distance(θ, seed)` simulates the model at `θ` with `seed` and
/// returns its distance from the observed patterns (NaN counts as infinitely far).
/// Returns every generation, and why it stopped early if it did.
pub fn run<F>(s: &Settings, distance: F) -> (Vec<Generation>, Option<Stop>)
where
    F: Fn(&[f64], u64) -> f64 + Sync,
{
    let mut saved = |_: &[Generation], _: &[f64]| Ok(());
    let mut hooks = Hooks {
        progress: &|_| {},
        saved: &mut saved,
    };
    run_model(s, &Plain(distance), Vec::new(), &mut hooks)
}

/// Proposal `k` of generation `g`'s own random stream.
fn stream(seed: u64, g: usize, k: usize) -> ChaCha8Rng {
    let mut r = ChaCha8Rng::seed_from_u64(seed);
    r.set_stream(((g as u64) << 40) | k as u64);
    r
}

/// Runs ABC-SMC on `model`, going on from the generations `done` (a checkpoint of
/// an earlier run with the same settings; empty to start afresh). The result is the
/// same whether or not the run was interrupted and resumed at a generation's end,
/// and whatever the number of threads.
pub fn run_model<M: Model>(
    s: &Settings,
    model: &M,
    done: Vec<Generation>,
    hooks: &mut Hooks<'_>,
) -> (Vec<Generation>, Option<Stop>) {
    let d = s.ranges.len();
    let n = s.particles.max(2);
    let progress = hooks.progress;
    let counter = AtomicUsize::new(0);
    let mut gens = done;
    if gens.is_empty() {
        // Generation 0: the prior, all accepted (tolerance infinite); distances wait
        // for the scales, which come from its statistics.
        let first: Vec<Particle> = (0..n)
            .into_par_iter()
            .map(|k| {
                let mut r = stream(s.seed, 0, k);
                let theta: Vec<f64> = s
                    .ranges
                    .iter()
                    .map(|&(lo, hi)| lo + (hi - lo) * r.random::<f64>())
                    .collect();
                let stats = model.simulate(&theta, r.random::<u64>());
                let c = counter.fetch_add(1, Ordering::Relaxed) + 1;
                progress(Progress {
                    generation: 0,
                    tolerance: f64::INFINITY,
                    simulations: c,
                    accepted: c,
                });
                Particle {
                    theta,
                    weight: 1.0 / n as f64,
                    distance: 0.0,
                    stats,
                }
            })
            .collect();
        gens.push(Generation {
            tolerance: f64::INFINITY,
            ess: n as f64,
            simulations: n,
            particles: first,
        });
    }
    let prior: Vec<Vec<f64>> = gens[0].particles.iter().map(|p| p.stats.clone()).collect();
    let scales = model.scales(&prior);
    for p in gens[0].particles.iter_mut() {
        p.distance = distance(model, &p.stats, &scales);
    }
    if gens.len() == 1
        && let Err(e) = (hooks.saved)(&gens, &scales)
    {
        return (gens, Some(Stop::Saving(e)));
    }
    for g in gens.len()..=s.generations {
        let last = &gens[gens.len() - 1];
        if last.tolerance == 0.0 {
            return (gens, Some(Stop::Exact { generation: g - 1 }));
        }
        if g > 1 && last.acceptance() < s.min_acceptance {
            return (gens, Some(Stop::Acceptance { generation: g - 1 }));
        }
        let prev = last.particles.clone();
        let tolerance = quantile(prev.iter().map(|p| p.distance).collect(), s.quantile);
        // Each previous particle's kernel: the weighted covariance, around it, of
        // the previous particles that already meet the new tolerance (OLCM), or of
        // all of them when too few do.
        let close: Vec<&Particle> = prev.iter().filter(|p| p.distance <= tolerance).collect();
        let pool: Vec<&Particle> = if close.len() > d {
            close
        } else {
            prev.iter().collect()
        };
        let kernels: Vec<Kernel> = prev
            .iter()
            .map(|p| Kernel::local(&p.theta, &pool, &s.ranges))
            .collect();
        let by_weight = ByWeight::new(&prev);
        let mut accepted: Vec<Particle> = Vec::with_capacity(n);
        let mut simulations = 0usize;
        let batch = (2 * n).max(64);
        let tried = AtomicUsize::new(0);
        let taken = AtomicUsize::new(0);
        while accepted.len() < n && simulations < s.max_simulations {
            let take = batch.min(s.max_simulations - simulations);
            let results: Vec<Option<Particle>> = (simulations..simulations + take)
                .into_par_iter()
                .map(|k| {
                    let mut r = stream(s.seed, g, k);
                    let j = by_weight.pick(r.random::<f64>());
                    let theta = kernels[j].draw(&prev[j].theta, &mut r);
                    let c = tried.fetch_add(1, Ordering::Relaxed) + 1;
                    if !inside(&theta, &s.ranges) {
                        progress(Progress {
                            generation: g,
                            tolerance,
                            simulations: c,
                            accepted: taken.load(Ordering::Relaxed),
                        });
                        return None;
                    }
                    let stats = model.simulate(&theta, r.random::<u64>());
                    let dist = distance(model, &stats, &scales);
                    let ok = dist <= tolerance;
                    let a = taken.fetch_add(ok as usize, Ordering::Relaxed) + ok as usize;
                    progress(Progress {
                        generation: g,
                        tolerance,
                        simulations: c,
                        accepted: a,
                    });
                    ok.then_some(Particle {
                        theta,
                        weight: 0.0,
                        distance: dist,
                        stats,
                    })
                })
                .collect();
            simulations += take;
            for p in results.into_iter().flatten() {
                if accepted.len() < n {
                    accepted.push(p);
                }
            }
        }
        if accepted.len() < n {
            return (gens, Some(Stop::Budget { generation: g }));
        }
        // Importance weights: the (uniform) prior over the mixture of kernels.
        for p in accepted.iter_mut() {
            let mix: f64 = prev
                .iter()
                .zip(&kernels)
                .map(|(q, k)| q.weight * k.density(&p.theta, &q.theta))
                .sum();
            p.weight = if mix > 0.0 { 1.0 / mix } else { 0.0 };
        }
        let total: f64 = accepted.iter().map(|p| p.weight).sum();
        for p in accepted.iter_mut() {
            p.weight /= total;
        }
        let ess = 1.0 / accepted.iter().map(|p| p.weight * p.weight).sum::<f64>();
        if ess < n as f64 / 2.0 {
            accepted = resample(&accepted, &mut stream(s.seed, g, usize::MAX >> 24));
        }
        gens.push(Generation {
            tolerance,
            particles: accepted,
            simulations,
            ess,
        });
        if let Err(e) = (hooks.saved)(&gens, &scales) {
            return (gens, Some(Stop::Saving(e)));
        }
    }
    (gens, None)
}

fn inside(theta: &[f64], ranges: &[(f64, f64)]) -> bool {
    theta
        .iter()
        .zip(ranges)
        .all(|(&x, &(lo, hi))| x >= lo && x <= hi)
}

/// The `q`-quantile of `v` (the lower of the two middle values at ties).
fn quantile(mut v: Vec<f64>, q: f64) -> f64 {
    v.sort_by(f64::total_cmp);
    let k = ((v.len() as f64 - 1.0) * q.clamp(0.0, 1.0)).floor() as usize;
    v.get(k).copied().unwrap_or(f64::INFINITY)
}

/// Draws particles by their weights: the running sums of the weights, in particle
/// order.
pub struct ByWeight(Vec<f64>);

impl ByWeight {
    /// The running sums of `ps`'s weights.
    pub fn new(ps: &[Particle]) -> ByWeight {
        ByWeight(
            ps.iter()
                .scan(0.0, |acc, p| {
                    *acc += p.weight;
                    Some(*acc)
                })
                .collect(),
        )
    }

    /// The index of the particle a uniform number `x` in [0, 1) picks.
    pub fn pick(&self, x: f64) -> usize {
        let u = x * self.0.last().copied().unwrap_or(1.0);
        self.0
            .partition_point(|&c| c < u)
            .min(self.0.len().saturating_sub(1))
    }
}

/// Multinomial resampling to equal weights.
fn resample<R: Rng>(ps: &[Particle], r: &mut R) -> Vec<Particle> {
    let n = ps.len();
    let by_weight = ByWeight::new(ps);
    (0..n)
        .map(|_| {
            let j = by_weight.pick(r.random::<f64>());
            Particle {
                weight: 1.0 / n as f64,
                ..ps[j].clone()
            }
        })
        .collect()
}

/// A Gaussian perturbation kernel: its covariance's Cholesky factor and the
/// inverse and log-determinant the density needs.
#[derive(Debug, Clone)]
struct Kernel {
    chol: Vec<Vec<f64>>,
    inv: Vec<Vec<f64>>,
    log_norm: f64,
}

impl Kernel {
    /// The OLCM kernel around `center`: `Σ = Σ_k w_k (θ_k − c)(θ_k − c)ᵀ / Σ_k w_k`
    /// over `pool`, with a floor of 1e-6 of each range squared on the diagonal so
    /// that it stays positive definite.
    fn local(center: &[f64], pool: &[&Particle], ranges: &[(f64, f64)]) -> Kernel {
        let d = center.len();
        let mut cov = vec![vec![0.0; d]; d];
        let wsum: f64 = pool
            .iter()
            .map(|p| p.weight)
            .sum::<f64>()
            .max(f64::MIN_POSITIVE);
        for p in pool {
            for a in 0..d {
                for b in 0..d {
                    cov[a][b] += p.weight * (p.theta[a] - center[a]) * (p.theta[b] - center[b]);
                }
            }
        }
        for (a, row) in cov.iter_mut().enumerate() {
            for x in row.iter_mut() {
                *x /= wsum;
            }
            let span = ranges[a].1 - ranges[a].0;
            row[a] += 1e-6 * span * span;
        }
        let chol = cholesky(&cov);
        let inv = invert_lower_product(&chol);
        let log_det: f64 = chol.iter().enumerate().map(|(i, r)| 2.0 * r[i].ln()).sum();
        Kernel {
            chol,
            inv,
            log_norm: -0.5 * (d as f64 * (2.0 * std::f64::consts::PI).ln() + log_det),
        }
    }

    fn draw<R: Rng>(&self, center: &[f64], r: &mut R) -> Vec<f64> {
        let d = center.len();
        let z: Vec<f64> = (0..d).map(|_| standard_normal(r)).collect();
        (0..d)
            .map(|a| center[a] + (0..=a).map(|b| self.chol[a][b] * z[b]).sum::<f64>())
            .collect()
    }

    fn density(&self, x: &[f64], center: &[f64]) -> f64 {
        let d = x.len();
        let diff: Vec<f64> = (0..d).map(|a| x[a] - center[a]).collect();
        let mut q = 0.0;
        for a in 0..d {
            for b in 0..d {
                q += diff[a] * self.inv[a][b] * diff[b];
            }
        }
        (self.log_norm - 0.5 * q).exp()
    }
}

/// A standard normal draw (Box–Muller, one of the pair).
fn standard_normal<R: Rng>(r: &mut R) -> f64 {
    let u1 = 1.0 - r.random::<f64>();
    let u2 = r.random::<f64>();
    (-2.0 * u1.ln()).sqrt() * (2.0 * std::f64::consts::PI * u2).cos()
}

/// The lower Cholesky factor of a symmetric positive definite matrix.
fn cholesky(a: &[Vec<f64>]) -> Vec<Vec<f64>> {
    let d = a.len();
    let mut l = vec![vec![0.0; d]; d];
    for i in 0..d {
        for j in 0..=i {
            let s: f64 = (0..j).map(|k| l[i][k] * l[j][k]).sum();
            if i == j {
                l[i][j] = (a[i][i] - s).max(1e-300).sqrt();
            } else {
                l[i][j] = (a[i][j] - s) / l[j][j];
            }
        }
    }
    l
}

/// `(L Lᵀ)⁻¹` from the lower factor `L`.
fn invert_lower_product(l: &[Vec<f64>]) -> Vec<Vec<f64>> {
    let d = l.len();
    // L⁻¹ by forward substitution, then (L⁻¹)ᵀ L⁻¹.
    let mut li = vec![vec![0.0; d]; d];
    for i in 0..d {
        li[i][i] = 1.0 / l[i][i];
        for j in 0..i {
            let s: f64 = (j..i).map(|k| l[i][k] * li[k][j]).sum();
            li[i][j] = -s / l[i][i];
        }
    }
    let mut inv = vec![vec![0.0; d]; d];
    for a in 0..d {
        for b in 0..d {
            inv[a][b] = (0..d).map(|k| li[k][a] * li[k][b]).sum();
        }
    }
    inv
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kernels_invert_their_covariance() {
        let a = vec![
            vec![4.0, 1.2, 0.3],
            vec![1.2, 2.0, 0.5],
            vec![0.3, 0.5, 1.0],
        ];
        let l = cholesky(&a);
        let inv = invert_lower_product(&l);
        for i in 0..3 {
            for j in 0..3 {
                let x: f64 = (0..3).map(|k| a[i][k] * inv[k][j]).sum();
                assert!((x - (i == j) as u8 as f64).abs() < 1e-12, "{i} {j} {x}");
            }
        }
    }
}
