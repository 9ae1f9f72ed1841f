//! The `[sensitivity]` table of a scenario: which outcomes `kampung sensitivity`
//! analyses, over which ranges, with how many samples; checked with the scenario.

use crate::model::metrics::Metrics;
use crate::scenario::sweep::{self, SweepParams};
use serde::{Deserialize, Serialize};

/// Which sensitivity analysis to run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SensitivityMethod {
    /// Morris elementary effects (screening).
    Morris,
    /// Sobol first-order and total indices (Saltelli sampling).
    Sobol,
    /// Both.
    Both,
}

/// The `[sensitivity]` table of a scenario (used by `kampung sensitivity`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct SensitivityParams {
    /// Morris, Sobol or both.
    pub method: SensitivityMethod,
    /// The strategy analysed (default: the first).
    pub strategy: Option<String>,
    /// Outcomes analysed: `final.X` or `post_exit.X` with X a metric column.
    pub outcomes: Vec<String>,
    /// Saltelli base samples N (runs: N · (k + 2) · replicates).
    pub samples: usize,
    /// Morris trajectories r (runs: r · (k + 1) · replicates).
    pub trajectories: usize,
    /// Morris grid levels (even, ≥ 2).
    pub levels: usize,
    /// Replicates averaged at each design row (default: the scenario's).
    pub replicates: Option<u32>,
    /// Bootstrap resamples for the confidence intervals.
    pub bootstrap: usize,
    /// Seed of the designs and bootstraps (default: the scenario's seed).
    pub seed: Option<u64>,
    /// Parameter path → `[lo, hi]` (default: the ranges of `[sweep.lhs]` or
    /// `[sweep.sobol]`).
    pub ranges: toml::Table,
}

impl Default for SensitivityParams {
    fn default() -> Self {
        SensitivityParams {
            method: SensitivityMethod::Both,
            strategy: None,
            outcomes: vec!["post_exit.capacity".into(), "final.access_gap".into()],
            samples: 64,
            trajectories: 10,
            levels: 4,
            replicates: None,
            bootstrap: 500,
            seed: None,
            ranges: toml::Table::new(),
        }
    }
}

impl SensitivityParams {
    /// The ranges analysed: this table's, else the sweep's space-filling ranges.
    pub fn ranges<'a>(&'a self, sweep: &'a SweepParams) -> &'a toml::Table {
        if !self.ranges.is_empty() {
            return &self.ranges;
        }
        sweep
            .lhs
            .as_ref()
            .or(sweep.sobol.as_ref())
            .map_or(&self.ranges, |sf| &sf.ranges)
    }

    /// Problems as (key path, message, allowed).
    pub fn check(&self, sweep: &SweepParams) -> Vec<(String, String, Option<String>)> {
        let mut out = Vec::new();
        let known: Vec<String> = Metrics::COLUMNS
            .iter()
            .flat_map(|c| [format!("final.{c}"), format!("post_exit.{c}")])
            .collect();
        if self.outcomes.is_empty() {
            out.push((
                "sensitivity.outcomes".into(),
                "no outcomes".into(),
                Some("names like \"post_exit.capacity\"".into()),
            ));
        }
        for (i, o) in self.outcomes.iter().enumerate() {
            if !known.contains(o) {
                let names: Vec<&str> = known.iter().map(String::as_str).collect();
                let hint = crate::scenario::locate::suggest(o, &names)
                    .map(|s| format!("; did you mean `{s}`?"))
                    .unwrap_or_default();
                out.push((
                    format!("sensitivity.outcomes[{i}]"),
                    format!("unknown outcome `{o}`{hint}"),
                    Some("final.X or post_exit.X, X a column of timeseries.csv".into()),
                ));
            }
        }
        if self.samples == 0 || self.samples > 100_000 {
            out.push((
                "sensitivity.samples".into(),
                format!("{} is out of range", self.samples),
                Some("a whole number in [1, 100000]".into()),
            ));
        }
        if self.trajectories == 0 || self.trajectories > 10_000 {
            out.push((
                "sensitivity.trajectories".into(),
                format!("{} is out of range", self.trajectories),
                Some("a whole number in [1, 10000]".into()),
            ));
        }
        if self.levels < 2 || self.levels % 2 == 1 || self.levels > 100 {
            out.push((
                "sensitivity.levels".into(),
                format!("{} is not allowed", self.levels),
                Some("an even whole number in [2, 100]".into()),
            ));
        }
        if self.replicates == Some(0) {
            out.push((
                "sensitivity.replicates".into(),
                "0 is out of range".into(),
                Some("a whole number ≥ 1".into()),
            ));
        }
        let ranges = self.ranges(sweep);
        if ranges.is_empty() {
            out.push((
                "sensitivity.ranges".into(),
                "no ranges to analyse".into(),
                Some(
                    "[sensitivity.ranges] \"path\" = [lo, hi], or [sweep.lhs]/[sweep.sobol] ranges"
                        .into(),
                ),
            ));
        } else if let Err(es) = sweep::parse_ranges(ranges, "sensitivity.ranges") {
            for e in es {
                out.push((e.key, e.message, e.allowed));
            }
        }
        out
    }
}
