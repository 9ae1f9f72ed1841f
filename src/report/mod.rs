//! `kampung report`: one self-contained HTML page (inline SVG and CSS, no scripts, no
//! network) that shows a results folder: capacity and marginalization over time,
//! outcomes ranked with confidence intervals, the stage timeline, the village
//! network, and the parameters and manifest that trace every figure to its run.
//!
//! The page is made from the folder's files ([`data`]) alone and, for the network,
//! from the village rebuilt from the folder's copy of the scenario file and its data
//! files (`input/`; the folder holds no ties): replicate 0 of the first strategy,
//! drawn by the same seed as in the run. A sensitivity folder gets a page of its own
//! (`sensitivity`). Charts are
//! hand-written SVG ([`svg`], [`charts`]); the network is laid out by a seeded
//! force-directed layout ([`layout`]). The same folder gives the same page.

mod calibration_page;
pub mod charts;
pub mod data;
pub mod design;
pub mod layout;
pub mod sensitivity;
mod sensitivity_page;
pub mod svg;

mod network;
mod page;
mod sections;
mod tipping;

use crate::error::{Error, Result};
use crate::scenario::Scenario;
use charts::{Bar, NetNode, Panel, StageSpan, TimelineRow};
use data::{Cell, ManifestData, Runs, Series, Stages};
use network::network_section;
use page::page;
use sections::{
    grid_figure, groups_section, manifest_section, panel, parameters_section, ranks_section,
    stage_spans,
};
use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use svg::{escape, fmt_step};

/// A measure the report follows over time and compares at the end.
#[derive(Debug, Clone, Copy)]
pub struct MetricDef {
    /// Column in `timeseries.csv` (and `final.`/`post_exit.` in `runs.csv`).
    pub column: &'static str,
    /// Title.
    pub title: &'static str,
    /// Axis label.
    pub axis: &'static str,
    /// Whether a higher value is better (ranking order).
    pub higher_is_better: bool,
    /// What it measures, one sentence.
    pub about: &'static str,
    /// The range its values can take, if bounded.
    pub bounds: Option<(f64, f64)>,
}

/// The measures shown, in order.
pub const METRICS: [MetricDef; 4] = [
    MetricDef {
        column: "capacity",
        title: "Institutional capacity",
        axis: "capacity (0–1)",
        higher_is_better: true,
        about: "Capacity of the people's organization: membership, oversight, representative leadership, a record of success and a resource pool.",
        bounds: Some((0.0, 1.0)),
    },
    MetricDef {
        column: "access_gap",
        title: "Access gap",
        axis: "access gap",
        higher_is_better: false,
        about: "Mean access to public benefits of the other households minus that of the marginalized (0 = no gap).",
        bounds: None,
    },
    MetricDef {
        column: "unreached_marginalized",
        title: "Marginalized households unreached",
        axis: "share unreached",
        higher_is_better: false,
        about: "Share of marginalized households neither in the organization nor tied to it.",
        bounds: Some((0.0, 1.0)),
    },
    MetricDef {
        column: "participation",
        title: "Participation",
        axis: "share taking part",
        higher_is_better: true,
        about: "Share of households taking part in collective action.",
        bounds: Some((0.0, 1.0)),
    },
];

/// The measures of `groups.csv` the report follows per group.
pub const GROUP_METRICS: [MetricDef; 3] = [
    MetricDef {
        column: "attendance",
        title: "Meeting attendance by group",
        axis: "share attending",
        higher_is_better: true,
        about: "Share of each group's households at the latest meeting (deliberation in the design stage, the organization's meetings after).",
        bounds: Some((0.0, 1.0)),
    },
    MetricDef {
        column: "benefit_share",
        title: "Share of the benefits by group",
        axis: "share of benefits",
        higher_is_better: true,
        about: "Share of each step's public benefits received by each group's households (compare with the group's share of households).",
        bounds: Some((0.0, 1.0)),
    },
    MetricDef {
        column: "members",
        title: "Membership by group",
        axis: "share members",
        higher_is_better: true,
        about: "Share of each group's households that are members of the people's organization.",
        bounds: Some((0.0, 1.0)),
    },
];

/// Above this many households the network shows a random sample.
pub const MAX_DRAWN: usize = 400;
/// Size of that sample.
pub const SAMPLE: usize = 300;
/// At most this many snapshot steps are drawn.
const MAX_SNAPSHOTS: usize = 4;
/// Time-series panels, bars, timeline rows and parameter columns drawn at most
/// (strategy × point cells); the page says when there are more, and where they are.
const MAX_PANELS: usize = 32;

/// The sections drawn apart from the tables of every cell.
struct Sections {
    /// "By group" (empty without `groups.csv`).
    by_group: String,
    /// The village network.
    network: String,
    /// "The design" (empty without varied parameters).
    design: String,
    /// "Ranks under the posterior" (empty without `ranks.csv`).
    ranks: String,
}

/// Writes the report of the results folder `dir` to `out` (atomically) and returns
/// its path. `scenario` is the scenario file to rebuild the village from (default:
/// the folder's copy, `input/`, which the manifest names; for a folder without one,
/// the manifest's `scenario_file`); when it is not given and the default cannot be
/// read, the page says so and leaves the network out, while a given one that cannot
/// be read is an error. A sensitivity folder (manifest `kind` `sensitivity`) gets a
/// page of its tables.
pub fn write_report(dir: &Path, out: &Path, scenario: Option<&Path>) -> Result<PathBuf> {
    let html = render(dir, scenario)?;
    if let Some(parent) = out.parent().filter(|p| !p.as_os_str().is_empty())
        && !parent.is_dir()
    {
        return Err(Error::io(
            parent,
            std::io::Error::new(
                std::io::ErrorKind::NotFound,
                "folder for the report does not exist",
            ),
        ));
    }
    let mut f = crate::experiment::folder::AtomicFile::create(out)?;
    f.writer()
        .write_all(html.as_bytes())
        .map_err(|e| Error::io(out, e))?;
    f.commit()?;
    Ok(out.to_path_buf())
}

/// The report of `dir` as HTML text (see [`write_report`]).
pub fn render(dir: &Path, scenario: Option<&Path>) -> Result<String> {
    if !dir.exists() {
        return Err(Error::io(
            dir,
            std::io::Error::new(std::io::ErrorKind::NotFound, "results folder not found"),
        ));
    }
    if !dir.is_dir() {
        return Err(Error::io(
            dir,
            std::io::Error::other(
                "not a folder (give the results folder that `kampung run` wrote)",
            ),
        ));
    }
    // A folder of `kampung sensitivity`: its indices on a page of their own, with
    // the scenario and manifest when it has one (older folders have none).
    let has_manifest = dir.join("manifest.json").exists();
    if !has_manifest
        && !dir.join("runs.csv").exists()
        && let Some(rows) = sensitivity::read_rows(dir)?
    {
        return Ok(sensitivity::page(dir, &rows));
    }
    let manifest = data::read_manifest(dir)?;
    if manifest.str("kind") == Some(crate::experiment::output::kind::SENSITIVITY) {
        let loaded = load_scenario(dir, &manifest, scenario)?;
        return sensitivity_page::sensitivity_page(dir, &manifest, &loaded);
    }
    if manifest.str("kind") == Some(crate::experiment::output::kind::CALIBRATION) {
        let loaded = load_scenario(dir, &manifest, scenario)?;
        return calibration_page::calibration_page(dir, &manifest, &loaded);
    }
    let outcome_cols: Vec<String> = METRICS
        .iter()
        .flat_map(|m| {
            [
                format!("final.{}", m.column),
                format!("post_exit.{}", m.column),
            ]
        })
        .collect();
    let mut refs: Vec<&str> = outcome_cols.iter().map(String::as_str).collect();
    for c in tipping::COLUMNS {
        if !refs.contains(&c) {
            refs.push(c);
        }
    }
    let runs = data::read_runs(dir, &refs)?;
    let metric_cols: Vec<&str> = METRICS.iter().map(|m| m.column).collect();
    let series = data::read_timeseries(dir, &runs.cells, &metric_cols)?;
    let stages = data::read_stages(dir, &runs.cells)?;
    let group_cols: Vec<&str> = GROUP_METRICS.iter().map(|m| m.column).collect();
    let groups = data::read_groups(dir, &runs.cells, &group_cols)?;
    let loaded = load_scenario(dir, &manifest, scenario)?;
    let mut runs = runs;
    if let Some(s) = loaded.scenario.as_ref().filter(|_| loaded.same_file) {
        name_points(&mut runs, s);
    }
    let network = network_section(dir, &runs, &loaded)?;
    let by_group = groups
        .as_ref()
        .map(|g| groups_section(g, &runs, &stages))
        .unwrap_or_default();
    let unit = param(&runs, 0, "time.step").unwrap_or("step").to_string();
    // A two-parameter grid's tipping maps follow the design's charts.
    let design = design::design_section(dir, &unit)? + &tipping::tipping_section(&runs);
    Ok(page(
        dir,
        &manifest,
        &runs,
        &series,
        &stages,
        &loaded,
        &Sections {
            by_group,
            network,
            design,
            ranks: ranks_section(dir)?,
        },
    ))
}

/// With several design points, names each cell's point by the values it sets
/// (`full · exit_step=104`) when the scenario file has them.
fn name_points(runs: &mut Runs, s: &Scenario) {
    if s.point_count() < 2 {
        return;
    }
    for c in &mut runs.cells {
        let Some(values) = c.point.parse::<usize>().ok().and_then(|p| s.points.get(p)) else {
            continue;
        };
        if values.is_empty() {
            continue;
        }
        let keys: Vec<String> = values.iter().map(|(k, _)| k.clone()).collect();
        let label = design::short_names(&keys)
            .iter()
            .zip(values)
            .map(|(short, (_, v))| {
                let text = crate::scenario::values::scalar(v);
                format!("{short} {}", design::short_value(&text))
            })
            .collect::<Vec<_>>()
            .join(", ");
        c.label = format!("{} · {label}", c.strategy);
    }
}

/// The scenario file, as far as it could be read.
struct Loaded {
    /// Where it was looked for.
    path: Option<PathBuf>,
    /// Its text, if readable.
    text: Option<String>,
    /// The checked scenario, if it loads.
    scenario: Option<Scenario>,
    /// What went wrong or needs saying (HTML).
    notes: Vec<String>,
    /// Whether it is the file that was run (its SHA-256 is the manifest's).
    same_file: bool,
}

/// The copy of the scenario file the folder holds (the manifest's `input_scenario`),
/// if the manifest names one inside the folder and it is there.
fn folder_copy(dir: &Path, manifest: &ManifestData) -> Option<PathBuf> {
    let rel = Path::new(manifest.str("input_scenario")?);
    // Only a plain path inside the folder: a manifest does not send the report
    // elsewhere.
    if !rel
        .components()
        .all(|c| matches!(c, std::path::Component::Normal(_)))
    {
        return None;
    }
    Some(dir.join(rel)).filter(|p| p.is_file())
}

/// The scenario the report draws from: `given` (`--scenario`), else the copy inside
/// the results folder, else (a folder made before folders kept their inputs) the
/// file the manifest records.
fn load_scenario(dir: &Path, manifest: &ManifestData, given: Option<&Path>) -> Result<Loaded> {
    let copy = if given.is_none() {
        folder_copy(dir, manifest)
    } else {
        None
    };
    let path = given
        .map(Path::to_path_buf)
        .or(copy.clone())
        .or_else(|| manifest.str("scenario_file").map(PathBuf::from));
    let mut l = Loaded {
        path: path.clone(),
        text: None,
        scenario: None,
        notes: Vec::new(),
        same_file: false,
    };
    if copy.is_none() && given.is_none() && path.is_some() {
        l.notes.push(
            "This results folder holds no copy of its scenario file (it was made by an older              kampung), so the report reads the file the manifest records, from where the              report is run."
                .into(),
        );
    }
    let Some(path) = path else {
        l.notes.push(
            "The manifest records no scenario file; give one with <code>--scenario FILE</code> \
             to draw the network and show the file."
                .into(),
        );
        return Ok(l);
    };
    l.text = crate::scenario::input::read_regular(&path, crate::scenario::MAX_SCENARIO_BYTES, true)
        .ok()
        .and_then(|b| String::from_utf8(b).ok());
    match Scenario::from_file(&path) {
        Ok(s) => {
            let s = with_folder_posterior(dir, manifest, s, &mut l.notes);
            if let Some(recorded) = manifest.str("scenario_sha256")
                && recorded != s.sha256
            {
                l.notes.push(format!(
                    "The scenario file <code>{}</code> is not the one that was run: its SHA-256 is \
                     <code>{}</code>, the manifest records <code>{}</code>. The network and the \
                     file shown below may not match the results.",
                    escape(&path.display().to_string()),
                    escape(&s.sha256),
                    escape(recorded)
                ));
            }
            l.same_file = manifest
                .str("scenario_sha256")
                .is_none_or(|recorded| recorded == s.sha256);
            l.scenario = Some(s);
        }
        Err(e) if given.is_some() => return Err(e),
        Err(e) => l.notes.push(format!(
            "The scenario file the manifest records, <code>{}</code>, could not be read from \
             here ({}); give it with <code>--scenario FILE</code> to draw the network.",
            escape(&path.display().to_string()),
            escape(&e.to_string())
        )),
    }
    Ok(l)
}

/// `s` with the posterior the runs drew from (the manifest's `posterior.input`, a
/// plain path inside the folder), so that the network is drawn with replicate 0's
/// parameters; `s` as it is, with a note, when that copy cannot be used.
fn with_folder_posterior(
    dir: &Path,
    manifest: &ManifestData,
    s: Scenario,
    notes: &mut Vec<String>,
) -> Scenario {
    let Some(rel) = manifest
        .json
        .get("posterior")
        .and_then(|p| p.get("input"))
        .and_then(|v| v.as_str())
    else {
        return s;
    };
    let plain = Path::new(rel)
        .components()
        .all(|c| matches!(c, std::path::Component::Normal(_)));
    let path = dir.join(rel);
    if !plain || !path.is_file() {
        notes.push(format!(
            "The runs drew from a posterior, but its copy <code>{}</code> is not in the              folder: the network is drawn without the calibrated parameters.",
            escape(rel)
        ));
        return s;
    }
    match s.clone().with_posterior(&path) {
        Ok(with) => with,
        Err(e) => {
            notes.push(format!(
                "The posterior the runs drew from, <code>{}</code>, does not load ({}): the                  network is drawn without the calibrated parameters.",
                escape(rel),
                escape(&e.to_string())
            ));
            s
        }
    }
}

pub(super) fn param<'a>(runs: &'a Runs, k: usize, key: &str) -> Option<&'a str> {
    let i = runs.param_keys.iter().position(|p| p == key)?;
    runs.params.get(k)?.get(i).map(String::as_str)
}

pub(super) fn short(sha: &str) -> String {
    sha.chars().take(16).collect::<String>() + if sha.len() > 16 { "…" } else { "" }
}

pub(super) fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

pub(super) fn json_scalar(v: Option<&serde_json::Value>) -> String {
    match v {
        None | Some(serde_json::Value::Null) => "?".into(),
        Some(serde_json::Value::String(s)) => s.clone(),
        Some(serde_json::Value::Array(a)) => a
            .iter()
            .map(|x| json_scalar(Some(x)))
            .collect::<Vec<_>>()
            .join(", "),
        Some(x) => x.to_string(),
    }
}

pub(super) fn pct(k: usize, n: usize) -> String {
    if n == 0 {
        return "NA".into();
    }
    format!("{:.0}%", 100.0 * k as f64 / n as f64)
}
