//! `kampung calibrate`: the model fitted to the patterns of an evidence file by
//! ABC-SMC ([`crate::experiment::abc`]).
//!
//! A simulation at a parameter point runs every strategy the selected patterns
//! name, `replicates` times, paired (each replicate's village and shocks are shared
//! by the strategies, as in `kampung run`), measures the steps the patterns' terms
//! name, and reduces them to one statistic per pattern. Its distance from the
//! evidence is the root mean square of each statistic's deviation from its
//! observation (0 inside an observed interval or on the right side of an
//! inequality), each divided by the statistic's spread over the prior predictive
//! (see [`abc::Model::scales`]).

use crate::experiment::abc::{self, Generation, Model, Particle};
use crate::experiment::stats;
use crate::model::Params;
use crate::model::Simulation;
use crate::model::metrics::{GroupMetrics, Metrics};
use crate::model::rng::{Purpose, derive_seed, rng_from_seed};
use crate::model::village::Village;
use crate::scenario::evidence::{Pattern, Target};
use crate::scenario::{Scenario, apply_point, point_problems};
use crate::{Error, Result};
use rand::{RngExt, SeedableRng};
use std::collections::BTreeMap;

/// A pattern fitted, with its target.
#[derive(Debug, Clone)]
pub struct Fitted {
    /// The pattern, as the evidence file gives it.
    pub pattern: Pattern,
    /// Where its observation lies.
    pub target: Target,
}

/// One strategy a simulation runs: which steps it measures, and whether with its
/// groups.
#[derive(Debug, Clone)]
struct Run {
    strategy: usize,
    steps: Vec<u32>,
    groups: bool,
}

/// The calibration problem of a scenario with a `[calibrate]` table.
#[derive(Debug, Clone)]
pub struct Problem<'a> {
    s: &'a Scenario,
    /// The calibrated parameters: path, low and high end of the uniform prior.
    pub parameters: Vec<(String, f64, f64)>,
    /// The patterns fitted, in the order of the statistics.
    pub patterns: Vec<Fitted>,
    runs: Vec<Run>,
    replicates: u32,
}

/// What a run's measures at one step were.
type Measured = BTreeMap<u32, (Metrics, Vec<GroupMetrics>)>;

impl<'a> Problem<'a> {
    /// The problem `s`'s `[calibrate]` table sets (an error if it has none).
    pub fn new(s: &'a Scenario) -> Result<Problem<'a>> {
        let (Some(cp), Some(e)) = (&s.calibrate, &s.evidence) else {
            return Err(Error::Run("the scenario has no [calibrate] table".into()));
        };
        let parameters = cp.parsed_ranges().map_err(|es| {
            Error::Run(
                es.iter()
                    .map(|(k, m)| format!("`{k}`: {m}"))
                    .collect::<Vec<_>>()
                    .join("; "),
            )
        })?;
        let mut patterns = Vec::new();
        for p in cp.selected(e) {
            let target = p
                .target()
                .ok_or_else(|| Error::Run(format!("pattern `{}` has no observation", p.id)))?;
            patterns.push(Fitted {
                pattern: p.clone(),
                target,
            });
        }
        let mut runs: Vec<Run> = Vec::new();
        for f in &patterns {
            for t in f.pattern.statistic.iter().flat_map(|x| &x.terms) {
                let k = s
                    .strategies
                    .iter()
                    .position(|x| x.name == t.strategy)
                    .ok_or_else(|| Error::Run(format!("no strategy `{}`", t.strategy)))?;
                let i = match runs.iter().position(|r| r.strategy == k) {
                    Some(i) => i,
                    None => {
                        runs.push(Run {
                            strategy: k,
                            steps: Vec::new(),
                            groups: false,
                        });
                        runs.len() - 1
                    }
                };
                let (a, b) = t.steps();
                runs[i].steps.extend(a..=b);
                runs[i].groups |= t.group.is_some() || t.measure == "targeting_error";
            }
        }
        for r in runs.iter_mut() {
            r.steps.sort_unstable();
            r.steps.dedup();
        }
        runs.sort_by_key(|r| r.strategy);
        Ok(Problem {
            s,
            parameters,
            patterns,
            runs,
            replicates: cp.replicates.max(1),
        })
    }

    /// The scenario's parameters for strategy `k` at `theta`, or why they cannot be
    /// run.
    pub fn params(&self, k: usize, theta: &[f64]) -> std::result::Result<Params, String> {
        let values: Vec<(String, toml::Value)> = self
            .parameters
            .iter()
            .zip(theta)
            .map(|((path, _, _), &x)| (path.clone(), toml::Value::Float(x)))
            .collect();
        let p = apply_point(&self.s.strategies[k].params, &values)?;
        match point_problems(&p, &self.s.output).into_iter().next() {
            Some(m) => Err(m),
            None => Ok(p),
        }
    }

    /// Simulations one statistic vector costs (strategies × replicates).
    pub fn runs_per_simulation(&self) -> usize {
        self.runs.len() * self.replicates as usize
    }

    fn measure_run(&self, run: &Run, params: &Params, seed: u64, r: u32) -> Measured {
        let name = &self.s.strategies[run.strategy].name;
        let seed_of = |purpose| derive_seed(seed, &self.s.name, name, r, purpose);
        let village = Village::build(
            params,
            &self.s.inputs,
            &mut rng_from_seed(seed_of(Purpose::Village)),
        );
        let mut sim = Simulation::new(params, village, rng_from_seed(seed_of(Purpose::Dynamics)))
            .with_environment(rng_from_seed(seed_of(Purpose::Environment)));
        let mut out = Measured::new();
        let mut at = 0u32;
        for &t in &run.steps {
            while at < t {
                sim.step();
                at += 1;
            }
            let mut g = Vec::new();
            let m = if run.groups {
                sim.measure_with_groups(Some(&mut g))
            } else {
                sim.measure()
            };
            out.insert(t, (m, g));
        }
        out
    }

    /// The statistics at `theta` with `seed`: one per pattern (NaN where the
    /// parameters cannot be run or a run failed).
    pub fn statistics(&self, theta: &[f64], seed: u64) -> Vec<f64> {
        let nan = vec![f64::NAN; self.patterns.len()];
        let mut measured: Vec<Vec<Measured>> = Vec::with_capacity(self.runs.len());
        for run in &self.runs {
            let Ok(params) = self.params(run.strategy, theta) else {
                return nan;
            };
            let reps = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                (0..self.replicates)
                    .map(|r| self.measure_run(run, &params, seed, r))
                    .collect::<Vec<_>>()
            }));
            match reps {
                Ok(m) => measured.push(m),
                Err(_) => return nan,
            }
        }
        self.patterns
            .iter()
            .map(|f| {
                let terms = f.pattern.statistic.iter().flat_map(|x| &x.terms);
                terms
                    .map(|t| {
                        let Some(i) = self
                            .runs
                            .iter()
                            .position(|r| self.s.strategies[r.strategy].name == t.strategy)
                        else {
                            return f64::NAN;
                        };
                        let params = &self.s.strategies[self.runs[i].strategy].params;
                        let (a, b) = t.steps();
                        let mut sum = 0.0;
                        for m in &measured[i] {
                            for step in a..=b {
                                sum += m
                                    .get(&step)
                                    .map_or(f64::NAN, |(mm, g)| term_value(t, params, mm, g));
                            }
                        }
                        t.coef * sum / (measured[i].len() as f64 * f64::from(b - a + 1))
                    })
                    .sum()
            })
            .collect()
    }
}

/// The value of a term's measure at one step.
fn term_value(
    t: &crate::scenario::evidence::Term,
    params: &Params,
    m: &Metrics,
    groups: &[GroupMetrics],
) -> f64 {
    let groups_of = &params.population.groups;
    if let Some(g) = &t.group {
        let Some(i) = groups_of.iter().position(|x| &x.name == g) else {
            return f64::NAN;
        };
        let Some(col) = GroupMetrics::COLUMNS.iter().position(|c| *c == t.measure) else {
            return f64::NAN;
        };
        return groups.get(i).map_or(f64::NAN, |gm| gm.values()[col]);
    }
    if t.measure == "targeting_error" {
        return targeting_error(params, groups);
    }
    Metrics::COLUMNS
        .iter()
        .position(|c| *c == t.measure)
        .map_or(f64::NAN, |col| m.values()[col])
}

/// Share of households misclassified by identification: marginalized households
/// not identified plus others identified, over all households (the error rate of
/// Alatas et al. 2012, Table 3: mistargeted households over all).
pub fn targeting_error(params: &Params, groups: &[GroupMetrics]) -> f64 {
    let mut wrong = 0.0;
    let mut all = 0.0;
    for (g, gm) in params.population.groups.iter().zip(groups) {
        let miss = if g.marginalized {
            1.0 - gm.identified
        } else {
            gm.identified
        };
        wrong += gm.households * miss;
        all += gm.households;
    }
    if all > 0.0 { wrong / all } else { f64::NAN }
}

impl Model for Problem<'_> {
    fn simulate(&self, theta: &[f64], seed: u64) -> Vec<f64> {
        self.statistics(theta, seed)
    }

    fn deviations(&self, stats: &[f64]) -> Vec<f64> {
        self.patterns
            .iter()
            .zip(stats)
            .map(|(f, &x)| f.target.deviation(x))
            .collect()
    }
}

/// The ABC settings of the scenario's `[calibrate]` table.
pub fn settings(s: &Scenario, p: &Problem<'_>) -> abc::Settings {
    let cp = s.calibrate.clone().unwrap_or_default();
    abc::Settings {
        ranges: p.parameters.iter().map(|(_, lo, hi)| (*lo, *hi)).collect(),
        particles: cp.particles,
        generations: cp.generations,
        quantile: cp.quantile,
        max_simulations: cp.budget(),
        min_acceptance: cp.min_acceptance,
        seed: cp.seed.unwrap_or(s.seed),
    }
}

/// One posterior predictive draw: the particle drawn and its statistics.
#[derive(Debug, Clone, PartialEq)]
pub struct Draw {
    /// Index of the particle in the last generation.
    pub particle: usize,
    /// The statistics of a fresh simulation at it.
    pub stats: Vec<f64>,
}

/// The posterior predictive check: `n` particles of the last generation drawn by
/// weight, each simulated again with a fresh seed (draw `j` from its own stream, so
/// the result does not depend on the threads).
pub fn predictive(p: &Problem<'_>, last: &Generation, n: usize, seed: u64) -> Vec<Draw> {
    use rayon::prelude::*;
    let by_weight = abc::ByWeight::new(&last.particles);
    (0..n)
        .into_par_iter()
        .map(|j| {
            let mut r = rand_chacha::ChaCha8Rng::seed_from_u64(seed);
            r.set_stream((1u64 << 63) | j as u64);
            let k = by_weight.pick(r.random::<f64>());
            Draw {
                particle: k,
                stats: p.statistics(&last.particles[k].theta, r.random::<u64>()),
            }
        })
        .collect()
}

/// One pattern's posterior predictive summary (a row of `patterns.csv`).
#[derive(Debug, Clone, PartialEq)]
pub struct PatternCheck {
    /// The pattern's id.
    pub id: String,
    /// Where its observation lies.
    pub target: Target,
    /// The scale its deviations were divided by.
    pub scale: f64,
    /// Predictive mean, 5%, 50% and 95% quantiles of the statistic.
    pub mean: f64,
    /// 5% quantile.
    pub q05: f64,
    /// Median.
    pub q50: f64,
    /// 95% quantile.
    pub q95: f64,
    /// Share of predictive draws matching the observation (NaN for a point
    /// observation, which no continuous statistic meets exactly).
    pub matching: f64,
    /// The same share over the prior predictive (generation 0).
    pub prior_matching: f64,
    /// Whether the observation (its point, else its nearest end) lies within the
    /// predictive 90% interval `[q05, q95]`.
    pub observed_in_90: bool,
}

/// Summaries of the predictive check, one per pattern.
pub fn predictive_summary(
    p: &Problem<'_>,
    draws: &[Draw],
    first: &Generation,
    scales: &[f64],
) -> Vec<PatternCheck> {
    p.patterns
        .iter()
        .enumerate()
        .map(|(i, f)| {
            let mut v: Vec<f64> = draws
                .iter()
                .map(|d| d.stats[i])
                .filter(|x| x.is_finite())
                .collect();
            v.sort_by(f64::total_cmp);
            let q = |x: f64| stats::quantile(&v, x);
            let point = f.target.lo == f.target.hi;
            let share = |xs: &mut dyn Iterator<Item = f64>| {
                if point {
                    return f64::NAN;
                }
                let (mut k, mut n) = (0usize, 0usize);
                for x in xs {
                    n += 1;
                    k += f.target.holds(x) as usize;
                }
                if n == 0 {
                    f64::NAN
                } else {
                    k as f64 / n as f64
                }
            };
            PatternCheck {
                id: f.pattern.id.clone(),
                target: f.target,
                scale: scales.get(i).copied().unwrap_or(f64::NAN),
                mean: if v.is_empty() {
                    f64::NAN
                } else {
                    v.iter().sum::<f64>() / v.len() as f64
                },
                q05: q(0.05),
                q50: q(0.5),
                q95: q(0.95),
                observed_in_90: f.target.hi >= q(0.05) && f.target.lo <= q(0.95),
                matching: share(&mut draws.iter().map(|d| d.stats[i])),
                prior_matching: share(&mut first.particles.iter().map(|q: &Particle| q.stats[i])),
            }
        })
        .collect()
}

/// The posterior summary of one parameter (the last generation, weighted).
#[derive(Debug, Clone, PartialEq)]
pub struct ParameterSummary {
    /// The parameter's path.
    pub path: String,
    /// The prior's ends.
    pub prior: (f64, f64),
    /// Weighted mean.
    pub mean: f64,
    /// Weighted standard deviation.
    pub sd: f64,
    /// Weighted 5% quantile.
    pub q05: f64,
    /// Weighted median.
    pub q50: f64,
    /// Weighted 95% quantile.
    pub q95: f64,
}

/// The `q`-quantile of `values` under `weights` (the smallest value whose
/// cumulative weight reaches `q` of the total).
pub fn weighted_quantile(values: &[f64], weights: &[f64], q: f64) -> f64 {
    let mut idx: Vec<usize> = (0..values.len()).collect();
    idx.sort_by(|&a, &b| values[a].total_cmp(&values[b]));
    let total: f64 = weights.iter().sum();
    let mut acc = 0.0;
    for &i in &idx {
        acc += weights[i];
        if acc >= q * total {
            return values[i];
        }
    }
    idx.last().map_or(f64::NAN, |&i| values[i])
}

/// The posterior summary of every parameter.
pub fn summarize(p: &Problem<'_>, last: &Generation) -> Vec<ParameterSummary> {
    let w: Vec<f64> = last.particles.iter().map(|q| q.weight).collect();
    let mean = last.mean();
    let var = last.variance();
    p.parameters
        .iter()
        .enumerate()
        .map(|(k, (path, lo, hi))| {
            let v: Vec<f64> = last.particles.iter().map(|q| q.theta[k]).collect();
            ParameterSummary {
                path: path.clone(),
                prior: (*lo, *hi),
                mean: mean[k],
                sd: var[k].sqrt(),
                q05: weighted_quantile(&v, &w, 0.05),
                q50: weighted_quantile(&v, &w, 0.5),
                q95: weighted_quantile(&v, &w, 0.95),
            }
        })
        .collect()
}
