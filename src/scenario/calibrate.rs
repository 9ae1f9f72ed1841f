//! The `[calibrate]` table of a scenario: which patterns of an evidence file
//! `kampung calibrate` fits, over which parameter ranges (independent uniform
//! priors), with how many particles and generations; checked with the scenario and
//! against its strategies.

use crate::error::Diagnostic;
use crate::scenario::Strategy;
use crate::scenario::evidence::{Evidence, Pattern};
use crate::scenario::locate::{KeyPath, SpanIndex, suggest};
use crate::scenario::sweep::{self, Range};
use serde::{Deserialize, Serialize};

/// Calibrated parameters: path, low and high end of the prior.
pub type Ranges = Vec<(String, f64, f64)>;
/// Problems with ranges: key path and message.
pub type RangeProblems = Vec<(String, String)>;

/// The `[calibrate]` table of a scenario (used by `kampung calibrate`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct CalibrateParams {
    /// The evidence file, relative to the scenario file.
    pub evidence: String,
    /// The ids of the patterns fitted (default: every pattern of the file with a
    /// statistic).
    pub patterns: Vec<String>,
    /// Particles per generation.
    pub particles: usize,
    /// Generations after the first (drawn from the prior), at most.
    pub generations: usize,
    /// Each generation's tolerance is this quantile of the previous distances.
    pub quantile: f64,
    /// Proposals one generation may simulate at most (default: 50 × particles).
    pub max_simulations: Option<usize>,
    /// Stop after a generation accepting fewer than this share of its proposals.
    pub min_acceptance: f64,
    /// Replicates averaged in each simulation (paired across strategies).
    pub replicates: u32,
    /// Seed of the calibration (default: the scenario's seed).
    pub seed: Option<u64>,
    /// Simulations at the final particles for the posterior predictive check.
    pub predictive: usize,
    /// Parameter path → `[lo, hi]`: the uniform prior of each calibrated parameter.
    pub ranges: toml::Table,
}

impl Default for CalibrateParams {
    fn default() -> Self {
        CalibrateParams {
            evidence: "../evidence/patterns.toml".into(),
            patterns: Vec::new(),
            particles: 100,
            generations: 5,
            quantile: 0.5,
            max_simulations: None,
            min_acceptance: 0.02,
            replicates: 1,
            seed: None,
            predictive: 100,
            ranges: toml::Table::new(),
        }
    }
}

impl CalibrateParams {
    /// The most proposals a generation may simulate.
    pub fn budget(&self) -> usize {
        self.max_simulations.unwrap_or(50 * self.particles)
    }

    /// The calibrated parameters and their ranges, in file order (real ranges only).
    pub fn parsed_ranges(&self) -> Result<Ranges, RangeProblems> {
        let parsed = sweep::parse_ranges(&self.ranges, "calibrate.ranges").map_err(|es| {
            es.into_iter()
                .map(|e| (e.key, e.message))
                .collect::<Vec<_>>()
        })?;
        let mut out = Vec::new();
        let mut bad = Vec::new();
        for (path, r) in parsed {
            match r {
                Range::Float { lo, hi } if lo < hi => out.push((path, lo, hi)),
                Range::Float { .. } => bad.push((
                    format!("calibrate.ranges.{path}"),
                    "the range is empty (lo = hi)".into(),
                )),
                Range::Int { .. } => bad.push((
                    format!("calibrate.ranges.{path}"),
                    "a whole-number range cannot be calibrated: write its ends as real numbers (1.0, not 1) if the parameter takes them".into(),
                )),
            }
        }
        if bad.is_empty() { Ok(out) } else { Err(bad) }
    }

    /// The patterns fitted, from `evidence`.
    pub fn selected<'e>(&self, evidence: &'e Evidence) -> Vec<&'e Pattern> {
        if self.patterns.is_empty() {
            evidence
                .patterns
                .iter()
                .filter(|p| p.statistic.is_some())
                .collect()
        } else {
            self.patterns
                .iter()
                .filter_map(|id| evidence.get(id))
                .collect()
        }
    }

    /// Problems with the table's own values, as (key path, message, allowed).
    pub fn check(&self) -> Vec<(String, String, Option<String>)> {
        let mut out = Vec::new();
        let mut bad = |k: &str, m: String, a: &str| {
            out.push((format!("calibrate.{k}"), m, Some(a.to_string())));
        };
        if !(2..=100_000).contains(&self.particles) {
            bad(
                "particles",
                format!("{} is out of range", self.particles),
                "a whole number in [2, 100000]",
            );
        }
        if self.generations > 100 {
            bad(
                "generations",
                format!("{} is out of range", self.generations),
                "a whole number in [0, 100]",
            );
        }
        if !(self.quantile > 0.0 && self.quantile < 1.0) {
            bad(
                "quantile",
                format!("{} is out of range", self.quantile),
                "a number strictly between 0 and 1",
            );
        }
        if !(0.0..1.0).contains(&self.min_acceptance) {
            bad(
                "min_acceptance",
                format!("{} is out of range", self.min_acceptance),
                "a number in [0, 1)",
            );
        }
        if self
            .max_simulations
            .is_some_and(|m| m < self.particles || m > 100_000_000)
        {
            bad(
                "max_simulations",
                "fewer than the particles, or more than 100000000".into(),
                "a whole number in [particles, 100000000]",
            );
        }
        if !(1..=1000).contains(&self.replicates) {
            bad(
                "replicates",
                format!("{} is out of range", self.replicates),
                "a whole number in [1, 1000]",
            );
        }
        if self.predictive > 100_000 {
            bad(
                "predictive",
                format!("{} is out of range", self.predictive),
                "a whole number in [0, 100000]",
            );
        }
        if self.ranges.is_empty() {
            bad(
                "ranges",
                "no parameters to calibrate".into(),
                "[calibrate.ranges] \"path\" = [lo, hi]",
            );
        } else if let Err(es) = self.parsed_ranges() {
            for (k, m) in es {
                out.push((k, m, Some("[lo, hi] with lo < hi, real numbers".into())));
            }
        }
        out
    }
}

/// Checks the patterns `cp` selects against the scenario's strategies: each id is
/// in the evidence file and has a statistic, each term's strategy exists, its group
/// is one of that strategy's groups, and its steps are within the strategy's run.
/// Problems with the selection are located in the scenario (`idx`), problems with
/// a term in the evidence file.
pub fn check_patterns(
    cp: &CalibrateParams,
    evidence: &Evidence,
    strategies: &[Strategy],
    idx: &SpanIndex,
    diags: &mut Vec<Diagnostic>,
) {
    let ids: Vec<&str> = evidence.patterns.iter().map(|p| p.id.as_str()).collect();
    for (i, id) in cp.patterns.iter().enumerate() {
        let at = KeyPath::parse("calibrate.patterns").index(i);
        match evidence.get(id) {
            None => {
                let hint = suggest(id, &ids)
                    .map(|s| format!("; did you mean `{s}`?"))
                    .unwrap_or_default();
                diags.push(idx.diag(
                    &at,
                    false,
                    format!("no pattern `{id}` in {}{hint}", evidence.shown),
                    None,
                ));
            }
            Some(p) if p.statistic.is_none() => diags.push(idx.diag(
                &at,
                false,
                format!(
                    "pattern `{id}` has no statistic: {}",
                    if p.expressible {
                        "the model can express it, but the evidence file does not say how"
                    } else {
                        "the model cannot express it yet (see its why_not)"
                    }
                ),
                None,
            )),
            _ => {}
        }
    }
    if cp.selected(evidence).is_empty() && cp.patterns.iter().all(|id| evidence.get(id).is_some()) {
        diags.push(idx.diag(
            &KeyPath::parse("calibrate.patterns"),
            false,
            "no pattern with a statistic to fit",
            None,
        ));
    }
    let names: Vec<&str> = strategies.iter().map(|s| s.name.as_str()).collect();
    for p in cp.selected(evidence) {
        let Some(i) = evidence.patterns.iter().position(|q| q.id == p.id) else {
            continue;
        };
        for (k, t) in p.statistic.iter().flat_map(|s| s.terms.iter()).enumerate() {
            let at = Evidence::pattern_key(i)
                .key("statistic")
                .key("terms")
                .index(k);
            let Some(st) = strategies.iter().find(|s| s.name == t.strategy) else {
                let hint = suggest(&t.strategy, &names)
                    .map(|s| format!("; did you mean `{s}`?"))
                    .unwrap_or_default();
                diags.push(evidence.diag(
                    &at.key("strategy"),
                    format!(
                        "pattern `{}` needs strategy `{}`, which the scenario does not have{hint} (it has {})",
                        p.id,
                        t.strategy,
                        names.join(", ")
                    ),
                ));
                continue;
            };
            if let Some(g) = &t.group
                && !st.params.population.groups.iter().any(|x| &x.name == g)
            {
                diags.push(evidence.diag(
                    &at.key("group"),
                    format!(
                        "strategy `{}` has no group `{g}` (it has {})",
                        st.name,
                        st.params
                            .population
                            .groups
                            .iter()
                            .map(|x| x.name.as_str())
                            .collect::<Vec<_>>()
                            .join(", ")
                    ),
                ));
            }
            let (_, b) = t.steps();
            if b > st.params.time.steps {
                diags.push(evidence.diag(
                    &at,
                    format!(
                        "step {b} is past the end of strategy `{}`'s runs ({} steps)",
                        st.name, st.params.time.steps
                    ),
                ));
            }
        }
    }
}
