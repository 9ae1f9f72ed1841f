//! Results out: tidy CSV files and a JSON manifest, written so that an interrupted
//! run never leaves a file that looks complete and is not.
//!
//! Every file is written under a temporary name (`.NAME.PID.N.partial`) in the output folder
//! and renamed into place only when complete; `manifest.json` is renamed last, so a
//! folder with a manifest holds a complete set of results.

use crate::error::{Error, Result};
use crate::experiment::folder::AtomicFile;
use crate::model::metrics::{GroupMetrics, Metrics};
use crate::scenario::Scenario;
use crate::scenario::values::flatten;
use serde::Serialize;
use std::io::Write;
use std::path::Path;

/// The tidy tables of a results folder. Each run contributes rows to each table;
/// rows are written per run (by the results store) and gathered in run order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Table {
    /// `timeseries.csv`: one row per run per recorded step.
    Timeseries,
    /// `runs.csv`: one row per finished run: parameters and outcomes.
    Runs,
    /// `stages.csv`: one row per stage per run.
    Stages,
    /// `groups.csv`: one row per social group per recorded step per run.
    Groups,
    /// `households.csv`: one row per household per snapshot step per run.
    Households,
    /// `failures.csv`: one row per failed run.
    Failures,
}

impl Table {
    /// Every table, in the order they are gathered.
    pub const ALL: [Table; 6] = [
        Table::Timeseries,
        Table::Runs,
        Table::Stages,
        Table::Groups,
        Table::Households,
        Table::Failures,
    ];

    /// File name in the results folder.
    pub fn file(self) -> &'static str {
        match self {
            Table::Timeseries => "timeseries.csv",
            Table::Runs => "runs.csv",
            Table::Stages => "stages.csv",
            Table::Groups => "groups.csv",
            Table::Households => "households.csv",
            Table::Failures => "failures.csv",
        }
    }

    /// Short name (folder of its parts).
    pub fn name(self) -> &'static str {
        match self {
            Table::Timeseries => "timeseries",
            Table::Runs => "runs",
            Table::Stages => "stages",
            Table::Groups => "groups",
            Table::Households => "households",
            Table::Failures => "failures",
        }
    }

    /// Whether a scenario's output settings ask for this table (`households.csv`
    /// and `groups.csv` can be switched off).
    pub fn wanted(self, out: &crate::scenario::OutputParams) -> bool {
        match self {
            Table::Households => out.households,
            Table::Groups => out.groups,
            _ => true,
        }
    }
}

/// Columns that identify a run, first in every table.
pub const RUN_KEYS: [&str; 5] = ["scenario", "strategy", "point", "replicate", "seed"];

/// Flattened parameters of every (strategy, point) cell and the union of their keys,
/// in first-seen order: the `param.*` columns of `runs.csv`.
#[derive(Debug, Clone, Default)]
pub struct ParamColumns {
    /// Column keys (without the `param.` prefix).
    pub keys: Vec<String>,
    /// Values per cell, `cells[strategy][point][key]`, aligned with `keys`.
    pub cells: Vec<Vec<Vec<String>>>,
    /// The parameters the design varies (the `point.*` columns of `failures.csv`).
    pub points: Vec<String>,
    /// The parameters a posterior calibrates (the `posterior.*` columns of
    /// `runs.csv` and `failures.csv`; empty without `--posterior`).
    pub posterior: Vec<String>,
}

impl ParamColumns {
    /// Flattens the parameters of every cell of the scenario.
    pub fn new(s: &Scenario) -> ParamColumns {
        let mut flat_cells: Vec<Vec<Vec<(String, String)>>> = Vec::new();
        let mut keys: Vec<String> = Vec::new();
        let mut seen = std::collections::HashSet::new();
        for k in 0..s.strategies.len() {
            let mut row = Vec::new();
            for p in 0..s.point_count() {
                let mut flat = Vec::new();
                if let Ok(v) = toml::Value::try_from(&*s.params(k, p)) {
                    flatten("", &v, &mut flat);
                }
                for (key, _) in &flat {
                    if seen.insert(key.clone()) {
                        keys.push(key.clone());
                    }
                }
                row.push(flat);
            }
            flat_cells.push(row);
        }
        let posterior: Vec<String> = s.posterior.as_ref().map_or(Vec::new(), |p| p.paths.clone());
        // A calibrated parameter has its column even if no strategy sets it (an
        // optional parameter): each run's row holds the value drawn.
        for p in &posterior {
            if seen.insert(p.clone()) {
                keys.push(p.clone());
            }
        }
        let cells = flat_cells
            .into_iter()
            .map(|row| {
                row.into_iter()
                    .map(|flat| {
                        let map: std::collections::HashMap<String, String> =
                            flat.into_iter().collect();
                        keys.iter()
                            .map(|k| map.get(k).cloned().unwrap_or_default())
                            .collect()
                    })
                    .collect()
            })
            .collect();
        ParamColumns {
            keys,
            cells,
            points: s.point_keys(),
            posterior,
        }
    }
}

/// The header of a table.
pub fn header(t: Table, params: &ParamColumns) -> Vec<String> {
    let mut h: Vec<String> = RUN_KEYS.iter().map(|k| k.to_string()).collect();
    match t {
        Table::Timeseries => {
            h.push("step".into());
            h.extend(measure_columns().iter().map(|c| c.to_string()));
        }
        Table::Runs => {
            h.push("village_seed".into());
            h.push("environment_seed".into());
            h.push("steps".into());
            h.extend(posterior_columns(params));
            h.extend(params.keys.iter().map(|k| format!("param.{k}")));
            h.extend(measure_columns().iter().map(|c| format!("final.{c}")));
            h.push("post_exit.step".into());
            h.extend(measure_columns().iter().map(|c| format!("post_exit.{c}")));
        }
        Table::Stages => {
            h.extend(["stage_number", "stage", "start", "end", "ended_by"].map(String::from));
        }
        Table::Groups => {
            h.extend(["step", "group", "marginalized"].map(String::from));
            h.extend(GroupMetrics::COLUMNS.iter().map(|c| c.to_string()));
        }
        Table::Households => {
            h.push("step".into());
            h.extend(HOUSEHOLD_COLUMNS.iter().map(|c| c.to_string()));
        }
        Table::Failures => {
            h.extend(params.points.iter().map(|k| format!("point.{k}")));
            h.extend(posterior_columns(params));
            h.push("error".into());
        }
    }
    h
}

/// The `posterior.particle` and `posterior.PATH` columns (none without a
/// posterior).
fn posterior_columns(params: &ParamColumns) -> Vec<String> {
    if params.posterior.is_empty() {
        return Vec::new();
    }
    std::iter::once("posterior.particle".to_string())
        .chain(params.posterior.iter().map(|p| format!("posterior.{p}")))
        .collect()
}

/// The columns a run's measures take in `timeseries.csv` (and, after `final.` and
/// `post_exit.`, in `runs.csv`): [`Metrics::COLUMNS`] in order, except that the
/// phase is two columns, `stage_number` (0 before the organizer, 1–5 the stages, 6
/// the institution) and `stage` (its name, as in `stages.csv`), and `issue` is the
/// issue's name (as in `households.csv`), not its number.
pub fn measure_columns() -> Vec<&'static str> {
    let mut out = Vec::with_capacity(Metrics::COLUMNS.len() + 1);
    for &c in Metrics::COLUMNS {
        if c == "stage" {
            out.push("stage_number");
        }
        out.push(c);
    }
    out
}

/// The measure columns written as names, not numbers (see [`measure_columns`]):
/// analyses over numbers (`summary.csv`) leave them out.
pub const NAME_MEASURES: [&str; 2] = ["stage", "issue"];

/// Columns of `households.csv` after the run key and step.
pub const HOUSEHOLD_COLUMNS: &[&str] = &[
    "household",
    "group",
    "marginalized",
    "resources",
    "access",
    "benefit",
    "influence",
    "trust",
    "awareness",
    "efficacy",
    "threshold",
    "availability",
    "priority",
    "participating",
    "member",
    "leader",
    "contacted",
    "interviewed",
    "identified",
    "attended",
    "participated",
];

/// What the manifest records about the run, besides what is in the scenario.
#[derive(Debug, Clone)]
pub struct RunInfo {
    /// The command line, as typed.
    pub command_line: Vec<String>,
    /// Start time, UTC, ISO 8601.
    pub started: String,
    /// Threads used (results do not depend on it).
    pub threads: usize,
}

/// The most memory this process has held at once (its peak resident set, `VmHWM`
/// of `/proc/self/status`), in bytes; `None` where that cannot be read (not Linux).
pub fn peak_memory_bytes() -> Option<u64> {
    let text = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = text.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kb: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb.saturating_mul(1024))
}

/// The program's version (`Cargo.toml`).
pub const VERSION: &str = env!("CARGO_PKG_VERSION");

/// The git commit the program was built from (`build.rs`), or `unknown` when it was
/// not built from a git checkout.
pub const COMMIT: &str = env!("KAMPUNG_COMMIT");

/// What kind of results folder a manifest describes.
pub mod kind {
    /// The runs of a scenario (`kampung run`, `kampung merge`).
    pub const RUN: &str = "run";
    /// A sensitivity analysis (`kampung sensitivity`).
    pub const SENSITIVITY: &str = "sensitivity";
    /// A calibration (`kampung calibrate`).
    pub const CALIBRATION: &str = "calibration";
}

fn kind_run() -> String {
    kind::RUN.into()
}

fn commit_unknown() -> String {
    "unknown".into()
}

/// `manifest.json`: what was run, by what, when, and which files are complete.
#[derive(Debug, Clone, Serialize, serde::Deserialize, PartialEq)]
pub struct Manifest {
    /// Always `kampung`.
    pub program: String,
    /// What the folder holds: [`kind::RUN`] or [`kind::SENSITIVITY`].
    #[serde(default = "kind_run")]
    pub kind: String,
    /// The program's version.
    pub version: String,
    /// The git commit the program was built from ([`COMMIT`]).
    #[serde(default = "commit_unknown")]
    pub commit: String,
    /// Scenario name.
    pub scenario: String,
    /// Scenario file, as given.
    pub scenario_file: Option<String>,
    /// The copy of the scenario file inside the folder (`input/NAME.toml`), from which
    /// `report` draws; `None` when the scenario was not read from a file.
    #[serde(default)]
    pub input_scenario: Option<String>,
    /// Every file copied into the folder's `input/` (the scenario file and the data
    /// files it reads), relative to the folder, with its SHA-256.
    #[serde(default)]
    pub inputs: Vec<(String, String)>,
    /// SHA-256 of the scenario file.
    pub scenario_sha256: String,
    /// SHA-256 of every data file the scenario reads, by name.
    #[serde(default)]
    pub data_sha256: Vec<(String, String)>,
    /// The posterior the runs drew their calibrated parameters from
    /// (`run --posterior`); absent without one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub posterior: Option<PosteriorInfo>,
    /// Base seed.
    pub seed: u64,
    /// Replicates per strategy and point.
    pub replicates: u32,
    /// What one step stands for (`day`, `week` or `month`): the unit of every `step`,
    /// `start`, `end` and `*_step` column (the first strategy's `time.step`;
    /// `runs.csv` has each run's as `param.time.step`).
    #[serde(default)]
    pub time_unit: String,
    /// Strategy names, baseline first.
    pub strategies: Vec<String>,
    /// Design points.
    pub points: usize,
    /// Runs in the plan.
    pub runs: usize,
    /// Runs that failed (see failures.csv).
    pub failed_runs: usize,
    /// Command line.
    pub command_line: Vec<String>,
    /// Threads used (results do not depend on it).
    pub threads: usize,
    /// Start time, UTC.
    pub started: String,
    /// End time, UTC.
    pub finished: String,
    /// The most memory the command's process held at once (its peak resident set,
    /// `VmHWM` of `/proc/self/status`), in bytes; `None` where it cannot be read.
    #[serde(default)]
    pub peak_memory_bytes: Option<u64>,
    /// Data repairs made.
    pub repairs: Vec<String>,
    /// Files written.
    pub files: Vec<String>,
    /// True once every file is complete (written last).
    pub complete: bool,
}

/// What a manifest records of the posterior a run drew from.
#[derive(Debug, Clone, Serialize, serde::Deserialize, PartialEq)]
pub struct PosteriorInfo {
    /// The posterior file, as given to `--posterior`.
    pub file: String,
    /// Its copy inside the folder (`input/...`).
    pub input: Option<String>,
    /// SHA-256 of its bytes.
    pub sha256: String,
    /// The generation drawn from (the file's last).
    pub generation: u64,
    /// Particles in that generation.
    pub particles: usize,
    /// The calibrated parameters' paths.
    pub parameters: Vec<String>,
}

/// Writes `manifest.json` (atomically).
pub fn write_manifest(dir: &Path, m: &Manifest) -> Result<()> {
    let path = dir.join("manifest.json");
    let mut f = AtomicFile::create(&path)?;
    serde_json::to_writer_pretty(f.writer(), m)
        .map_err(|e| Error::io(&path, std::io::Error::other(e)))?;
    writeln!(f.writer()).map_err(|e| Error::io(&path, e))?;
    f.commit()
}

/// The current time, UTC, as `YYYY-MM-DDTHH:MM:SSZ`.
pub fn utc_now_iso8601() -> String {
    let (y, mo, d, h, mi, s) = utc_now_parts();
    format!("{y:04}-{mo:02}-{d:02}T{h:02}:{mi:02}:{s:02}Z")
}

/// The current time, UTC, as `YYYYMMDDTHHMMSSZ` (for folder names).
pub fn utc_now_compact() -> String {
    let (y, mo, d, h, mi, s) = utc_now_parts();
    format!("{y:04}{mo:02}{d:02}T{h:02}{mi:02}{s:02}Z")
}

fn utc_now_parts() -> (i64, u32, u32, u32, u32, u32) {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64);
    civil(secs)
}

/// Converts Unix seconds to (year, month, day, hour, minute, second), UTC, by
/// H. Hinnant's days-from-civil inverse.
fn civil(secs: i64) -> (i64, u32, u32, u32, u32, u32) {
    let days = secs.div_euclid(86_400);
    let rem = secs.rem_euclid(86_400);
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let y = if m <= 2 { y + 1 } else { y };
    (
        y,
        m,
        d,
        (rem / 3600) as u32,
        (rem % 3600 / 60) as u32,
        (rem % 60) as u32,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn civil_dates() {
        assert_eq!(civil(0), (1970, 1, 1, 0, 0, 0));
        assert_eq!(civil(951_782_400), (2000, 2, 29, 0, 0, 0));
        assert_eq!(civil(1_795_838_645), (2026, 11, 28, 4, 4, 5));
    }
}
