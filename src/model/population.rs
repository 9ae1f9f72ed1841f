//! The population: social groups, the distributions households are drawn from, and
//! drawing (or loading) the households of a village.

use crate::model::household::{GroupId, Households, IssueId, NewHousehold};
use rand::{Rng, RngExt, seq::SliceRandom};
use rand_distr::{Beta, Distribution, LogNormal, Normal};
use serde::{Deserialize, Serialize};
use std::path::PathBuf;

/// The largest resources a household can hold (resource units). Resources are stored
/// as `f32`; capping them here keeps every sum and product of them over a village of
/// up to 50 million households finite. Drawn values are clipped to it, and scenario
/// and data files are checked against it.
pub const MAX_RESOURCES: f64 = 1e15;

/// The smallest positive resources a data file may give (smaller positive values
/// would underflow in `f32`); 0 is allowed.
pub const MIN_POSITIVE_RESOURCES: f64 = 1e-30;

/// A probability distribution of one household attribute, written in a scenario as an
/// inline table tagged by `dist`, e.g. `{ dist = "lognormal", median = 10, sigma = 0.7 }`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "dist", rename_all = "snake_case", deny_unknown_fields)]
pub enum Dist {
    /// Always `value`.
    Constant {
        /// The value.
        value: f64,
    },
    /// Uniform on [`min`, `max`).
    Uniform {
        /// Lower bound.
        min: f64,
        /// Upper bound.
        max: f64,
    },
    /// Normal with mean `mean` and standard deviation `sd` (clipped to the
    /// attribute's range).
    Normal {
        /// Mean.
        mean: f64,
        /// Standard deviation (≥ 0).
        sd: f64,
    },
    /// Log-normal with median `median` and log-scale standard deviation `sigma`.
    Lognormal {
        /// Median (> 0).
        median: f64,
        /// Standard deviation of the logarithm (≥ 0).
        sigma: f64,
    },
    /// Beta with shape parameters `alpha` and `beta` (both > 0), on [0, 1].
    Beta {
        /// First shape parameter.
        alpha: f64,
        /// Second shape parameter.
        beta: f64,
    },
}

impl Dist {
    /// Checks the distribution's own parameters; returns the offending key and what is
    /// allowed.
    pub fn check(&self) -> Result<(), (&'static str, String)> {
        let finite = |k: &'static str, v: f64| {
            if v.is_finite() {
                Ok(())
            } else {
                Err((k, "a finite number".to_string()))
            }
        };
        match *self {
            Dist::Constant { value } => finite("value", value),
            Dist::Uniform { min, max } => {
                finite("min", min)?;
                finite("max", max)?;
                if min > max {
                    return Err(("max", format!("a number ≥ min ({min})")));
                }
                Ok(())
            }
            Dist::Normal { mean, sd } => {
                finite("mean", mean)?;
                if !(sd.is_finite() && sd >= 0.0) {
                    return Err(("sd", "a number ≥ 0".to_string()));
                }
                Ok(())
            }
            Dist::Lognormal { median, sigma } => {
                if !(median.is_finite() && median > 0.0) {
                    return Err(("median", "a number > 0".to_string()));
                }
                if !(sigma.is_finite() && sigma >= 0.0) {
                    return Err(("sigma", "a number ≥ 0".to_string()));
                }
                Ok(())
            }
            Dist::Beta { alpha, beta } => {
                for (k, v) in [("alpha", alpha), ("beta", beta)] {
                    if !(v.is_finite() && v > 0.0) {
                        return Err((k, "a number > 0".to_string()));
                    }
                }
                Ok(())
            }
        }
    }

    /// Draws one value (parameters must have passed [`Dist::check`]).
    pub fn sample<R: Rng + ?Sized>(&self, rng: &mut R) -> f64 {
        match *self {
            Dist::Constant { value } => value,
            Dist::Uniform { min, max } => {
                if max > min {
                    rng.random_range(min..max)
                } else {
                    min
                }
            }
            Dist::Normal { mean, sd } => Normal::new(mean, sd).map_or(mean, |d| d.sample(rng)),
            Dist::Lognormal { median, sigma } => {
                LogNormal::new(median.ln(), sigma).map_or(median, |d| d.sample(rng))
            }
            Dist::Beta { alpha, beta } => {
                Beta::new(alpha, beta).map_or(alpha / (alpha + beta), |d| d.sample(rng))
            }
        }
    }

    /// Draws one value clipped to [`lo`, `hi`].
    pub fn sample_clipped<R: Rng + ?Sized>(&self, rng: &mut R, lo: f64, hi: f64) -> f64 {
        self.sample(rng).clamp(lo, hi)
    }
}

/// One social group of the population.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GroupParams {
    /// Name, used in outputs and in a households CSV's `group` column.
    pub name: String,
    /// Share of households in the group (shares are normalized to sum to 1).
    pub share: f64,
    /// Whether the group is structurally marginalized.
    #[serde(default)]
    pub marginalized: bool,
    /// Distribution of resources, in resource units (clipped at 0).
    #[serde(default = "default_resources")]
    pub resources: Dist,
    /// Distribution of availability (clipped to [0, 1]).
    #[serde(default = "default_availability")]
    pub availability: Dist,
    /// Relative weights of the community issues as this group's priority, one per
    /// entry of `population.issues` (equal weights when empty).
    #[serde(default)]
    pub issue_weights: Vec<f64>,
    /// The group's own threshold distribution (the population's when absent).
    #[serde(default)]
    pub threshold: Option<Dist>,
}

fn default_resources() -> Dist {
    Dist::Lognormal {
        median: 10.0,
        sigma: 0.6,
    }
}

fn default_availability() -> Dist {
    Dist::Beta {
        alpha: 4.0,
        beta: 4.0,
    }
}

/// The population of a village.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct PopulationParams {
    /// Number of households to draw (ignored when `households_csv` is set).
    pub households: usize,
    /// Names of the community issues households may hold as their priority.
    pub issues: Vec<String>,
    /// Distribution of participation thresholds (clipped to [0, 1]).
    pub threshold: Dist,
    /// The social groups.
    pub groups: Vec<GroupParams>,
    /// Distribution of initial trust in the organizer (clipped to [0, 1]).
    pub trust: Dist,
    /// Distribution of initial awareness (clipped to [0, 1]).
    pub awareness: Dist,
    /// Distribution of initial efficacy (clipped to [0, 1]).
    pub efficacy: Dist,
    /// Load households from this CSV instead of drawing them (path relative to the
    /// scenario file).
    pub households_csv: Option<PathBuf>,
}

impl Default for PopulationParams {
    fn default() -> Self {
        PopulationParams {
            households: 500,
            issues: vec!["land".into(), "water".into(), "credit".into()],
            threshold: Dist::Normal { mean: 0.3, sd: 0.1 },
            groups: vec![
                GroupParams {
                    name: "landed".into(),
                    share: 0.7,
                    marginalized: false,
                    resources: default_resources(),
                    availability: default_availability(),
                    issue_weights: Vec::new(),
                    threshold: None,
                },
                GroupParams {
                    name: "landless".into(),
                    share: 0.3,
                    marginalized: true,
                    resources: Dist::Lognormal {
                        median: 5.0,
                        sigma: 0.5,
                    },
                    availability: Dist::Beta {
                        alpha: 3.0,
                        beta: 5.0,
                    },
                    issue_weights: Vec::new(),
                    threshold: None,
                },
            ],
            trust: Dist::Constant { value: 0.0 },
            awareness: Dist::Beta {
                alpha: 2.0,
                beta: 6.0,
            },
            efficacy: Dist::Beta {
                alpha: 2.0,
                beta: 4.0,
            },
            households_csv: None,
        }
    }
}

impl PopulationParams {
    /// Index of the group called `name`.
    pub fn group_index(&self, name: &str) -> Option<GroupId> {
        self.groups
            .iter()
            .position(|g| g.name == name)
            .and_then(|i| GroupId::try_from(i).ok())
    }

    /// Household counts per group for `n` households: shares normalized, rounded by
    /// largest remainder so the counts sum to `n` exactly.
    pub fn group_counts(&self, n: usize) -> Vec<usize> {
        let total: f64 = self.groups.iter().map(|g| g.share.max(0.0)).sum();
        if total <= 0.0 {
            return vec![0; self.groups.len()];
        }
        let exact: Vec<f64> = self
            .groups
            .iter()
            .map(|g| g.share.max(0.0) / total * n as f64)
            .collect();
        let mut counts: Vec<usize> = exact.iter().map(|x| x.floor() as usize).collect();
        let mut left = n - counts.iter().sum::<usize>();
        let mut order: Vec<usize> = (0..exact.len()).collect();
        order.sort_by(|&a, &b| {
            (exact[b] - exact[b].floor())
                .total_cmp(&(exact[a] - exact[a].floor()))
                .then(a.cmp(&b))
        });
        for &g in order.iter().cycle() {
            if left == 0 {
                break;
            }
            counts[g] += 1;
            left -= 1;
        }
        counts
    }

    /// Draws the priority issue for a household of group `g`.
    pub fn draw_priority<R: Rng + ?Sized>(&self, g: usize, rng: &mut R) -> IssueId {
        let k = self.issues.len().max(1);
        let w = &self.groups[g].issue_weights;
        if w.is_empty() {
            return rng.random_range(0..k) as IssueId;
        }
        let total: f64 = w.iter().sum();
        let mut x = rng.random::<f64>() * total;
        for (i, &wi) in w.iter().enumerate() {
            if x < wi {
                return i as IssueId;
            }
            x -= wi;
        }
        (w.len() - 1) as IssueId
    }

    /// Draws the households of a village. Groups are assigned by exact counts, then
    /// shuffled, so that household number carries no information about group.
    pub fn draw<R: Rng + ?Sized>(&self, rng: &mut R) -> Households {
        let n = self.households;
        let counts = self.group_counts(n);
        let mut groups: Vec<GroupId> = Vec::with_capacity(n);
        for (g, &c) in counts.iter().enumerate() {
            groups.extend(std::iter::repeat_n(g as GroupId, c));
        }
        groups.shuffle(rng);
        let mut h = Households::with_capacity(n);
        for &g in &groups {
            let gp = &self.groups[g as usize];
            let threshold = gp.threshold.as_ref().unwrap_or(&self.threshold);
            h.push(NewHousehold {
                id: None,
                group: g,
                marginalized: gp.marginalized,
                resources: gp.resources.sample_clipped(rng, 0.0, MAX_RESOURCES) as f32,
                threshold: threshold.sample_clipped(rng, 0.0, 1.0) as f32,
                availability: gp.availability.sample_clipped(rng, 0.0, 1.0) as f32,
                priority: self.draw_priority(g as usize, rng),
                participating: false,
                trust: self.trust.sample_clipped(rng, 0.0, 1.0) as f32,
                awareness: self.awareness.sample_clipped(rng, 0.0, 1.0) as f32,
                efficacy: self.efficacy.sample_clipped(rng, 0.0, 1.0) as f32,
            });
        }
        h
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::rng::rng_from_seed;

    #[test]
    fn counts_sum_exactly() {
        let p = PopulationParams::default();
        for n in [0, 1, 7, 100, 999] {
            assert_eq!(p.group_counts(n).iter().sum::<usize>(), n);
        }
        assert_eq!(p.group_counts(10), vec![7, 3]);
    }

    #[test]
    fn drawn_values_respect_ranges() {
        let p = PopulationParams {
            households: 2000,
            threshold: Dist::Normal { mean: 0.5, sd: 2.0 },
            ..Default::default()
        };
        let h = p.draw(&mut rng_from_seed(3));
        assert_eq!(h.len(), 2000);
        assert!(h.threshold.iter().all(|&t| (0.0..=1.0).contains(&t)));
        assert!(h.availability.iter().all(|&t| (0.0..=1.0).contains(&t)));
        assert!(h.resources.iter().all(|&r| r >= 0.0));
        assert_eq!(h.marginalized.iter().filter(|&&m| m).count(), 600);
    }

    #[test]
    fn lognormal_median_is_median() {
        let d = Dist::Lognormal {
            median: 10.0,
            sigma: 0.8,
        };
        let mut rng = rng_from_seed(11);
        let mut xs: Vec<f64> = (0..20001).map(|_| d.sample(&mut rng)).collect();
        xs.sort_by(f64::total_cmp);
        // Standard error of the median here is about 0.08; allow 5 of them.
        assert!((xs[10000] - 10.0).abs() < 0.4, "median {}", xs[10000]);
    }
}
