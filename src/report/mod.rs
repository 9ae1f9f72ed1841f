//! `kampung report`: one self-contained HTML page (inline SVG and CSS, no scripts, no
//! network) that shows a results folder: capacity and marginalization over time,
//! outcomes ranked with confidence intervals, the stage timeline, the village
//! network, and the parameters and manifest that trace every figure to its run.
//!
//! The page is made from the folder's files ([`data`]) and, for the network, from
//! the village rebuilt from the scenario file (the folder holds no ties): replicate
//! 0 of the first strategy, drawn by the same seed as in the run. Charts are
//! hand-written SVG ([`svg`], [`charts`]); the network is laid out by a seeded
//! force-directed layout ([`layout`]). The same folder gives the same page.

pub mod charts;
pub mod data;
pub mod layout;
pub mod svg;

use crate::error::{Error, Result};
use crate::scenario::Scenario;
use charts::{Bar, NetNode, Panel, StageSpan, TimelineRow};
use data::{Cell, ManifestData, Runs, Series, Stages};
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
/// Time-series panels drawn at most (strategy × point cells).
const MAX_PANELS: usize = 32;

/// Writes the report of the results folder `dir` to `out` (atomically) and returns
/// its path. `scenario` is the scenario file to rebuild the village from (default:
/// the manifest's `scenario_file`); when it is not given and the recorded one cannot
/// be read, the page says so and leaves the network out, while a given one that
/// cannot be read is an error.
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
    let manifest = data::read_manifest(dir)?;
    let outcome_cols: Vec<String> = METRICS
        .iter()
        .flat_map(|m| {
            [
                format!("final.{}", m.column),
                format!("post_exit.{}", m.column),
            ]
        })
        .collect();
    let refs: Vec<&str> = outcome_cols.iter().map(String::as_str).collect();
    let runs = data::read_runs(dir, &refs)?;
    let metric_cols: Vec<&str> = METRICS.iter().map(|m| m.column).collect();
    let series = data::read_timeseries(dir, &runs.cells, &metric_cols)?;
    let stages = data::read_stages(dir, &runs.cells)?;
    let group_cols: Vec<&str> = GROUP_METRICS.iter().map(|m| m.column).collect();
    let groups = data::read_groups(dir, &runs.cells, &group_cols)?;
    let loaded = load_scenario(&manifest, scenario)?;
    let mut runs = runs;
    if let Some(s) = loaded.scenario.as_ref().filter(|_| loaded.same_file) {
        name_points(&mut runs, s);
    }
    let network = network_section(dir, &runs, &loaded)?;
    let by_group = groups
        .as_ref()
        .map(|g| groups_section(g, &runs, &stages))
        .unwrap_or_default();
    Ok(page(
        dir, &manifest, &runs, &series, &stages, &loaded, &by_group, &network,
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
        let label = values
            .iter()
            .map(|(k, v)| {
                let short = k.rsplit('.').next().unwrap_or(k);
                format!("{short}={}", crate::scenario::values::scalar(v))
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

fn load_scenario(manifest: &ManifestData, given: Option<&Path>) -> Result<Loaded> {
    let path = given
        .map(Path::to_path_buf)
        .or_else(|| manifest.str("scenario_file").map(PathBuf::from));
    let mut l = Loaded {
        path: path.clone(),
        text: None,
        scenario: None,
        notes: Vec::new(),
        same_file: false,
    };
    let Some(path) = path else {
        l.notes.push(
            "The manifest records no scenario file; give one with <code>--scenario FILE</code> \
             to draw the network and show the file."
                .into(),
        );
        return Ok(l);
    };
    l.text = std::fs::read_to_string(&path).ok();
    match Scenario::from_file(&path) {
        Ok(s) => {
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

/// Mean start and end of each stage a cell's runs reached.
fn stage_spans(stages: &Stages, k: usize, runs: usize) -> Vec<StageSpan> {
    let mut out = Vec::new();
    for (i, obs) in stages[k].iter().enumerate() {
        if obs.is_empty() {
            continue;
        }
        let skipped = obs.iter().filter(|o| o.ended_by == "skipped").count();
        let mean = |v: Vec<f64>| data::mean_ci(&v).mean;
        let mut reasons: BTreeMap<&str, usize> = BTreeMap::new();
        for o in obs {
            *reasons.entry(o.ended_by.as_str()).or_default() += 1;
        }
        let mut reasons: Vec<(&str, usize)> = reasons.into_iter().collect();
        reasons.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
        out.push(StageSpan {
            number: i + 1,
            name: data::STAGES[i].to_string(),
            start: mean(obs.iter().map(|o| o.start).collect()),
            end: mean(obs.iter().map(|o| o.end).collect()),
            reached: obs.len(),
            runs,
            skipped,
            ended_by: reasons
                .iter()
                .map(|(r, n)| format!("{r} {n}"))
                .collect::<Vec<_>>()
                .join(", "),
        });
    }
    out
}

fn panel(series: &Series, m: usize, k: usize, cell: &Cell, stages: &Stages) -> Panel {
    let mut p = Panel {
        label: cell.label.clone(),
        x: Vec::new(),
        mean: Vec::new(),
        lo: Vec::new(),
        hi: Vec::new(),
        stages: stage_spans(stages, k, cell.runs),
        entry: cell.entry,
        exit: cell.exit,
        runs: cell.runs,
        lines: Vec::new(),
    };
    for (step, acc) in &series[m][k] {
        let ci = acc.ci();
        p.x.push(*step as f64);
        p.mean.push(ci.mean);
        p.lo.push(ci.lo);
        p.hi.push(ci.hi);
    }
    p
}

/// A figure of small multiples over time of the measure `def` (column of `file`),
/// with id `{prefix}-{column}`.
fn grid_figure(prefix: &str, file: &str, def: &MetricDef, panels: &[Panel]) -> String {
    format!(
        r#"<figure id="{prefix}-{c}"><h3>{t}</h3>{svg}<figcaption>{a} Column <code>{c}</code> of <code>{file}</code>.</figcaption></figure>"#,
        c = def.column,
        t = escape(def.title),
        svg = charts::timeseries_grid(
            &format!("{prefix}-{}", def.column),
            &format!("{} over time, per strategy", def.title),
            def.axis,
            panels,
            def.bounds
        ),
        a = escape(def.about)
    )
}

/// The "By group" section: per strategy, one line per social group for each measure
/// of [`GROUP_METRICS`] (means over replicates; `groups.csv`).
fn groups_section(g: &data::GroupSeries, runs: &Runs, stages: &Stages) -> String {
    let mut h = String::from(r#"<section id="by-group"><h2>By group</h2>"#);
    let _ = writeln!(
        h,
        "<p>The same panels, one line per social group: the mean over the replicates at          each recorded step (from <code>groups.csv</code>; no bands, to keep the lines          apart).</p>"
    );
    h.push_str(r#"<p class="legend">"#);
    for (k, name) in g.groups.iter().enumerate() {
        let _ = write!(
            h,
            r#"<span><span class="ln" style="border-color:{}"></span>{}{}</span>"#,
            charts::GROUP_COLOURS[k % charts::GROUP_COLOURS.len()],
            escape(name),
            if g.marginalized.get(k) == Some(&true) {
                " (marginalized)"
            } else {
                ""
            }
        );
    }
    h.push_str("</p>\n");
    let shown = runs.cells.len().min(MAX_PANELS);
    for (m, def) in GROUP_METRICS.iter().enumerate() {
        let panels: Vec<Panel> = (0..shown)
            .map(|k| {
                let per_group = &g.series[m][k];
                let mut steps: Vec<u32> =
                    per_group.iter().flat_map(|s| s.keys().copied()).collect();
                steps.sort_unstable();
                steps.dedup();
                Panel {
                    label: runs.cells[k].label.clone(),
                    x: steps.iter().map(|&t| t as f64).collect(),
                    mean: Vec::new(),
                    lo: Vec::new(),
                    hi: Vec::new(),
                    stages: stage_spans(stages, k, runs.cells[k].runs),
                    entry: runs.cells[k].entry,
                    exit: runs.cells[k].exit,
                    runs: runs.cells[k].runs,
                    lines: per_group
                        .iter()
                        .enumerate()
                        .map(|(j, s)| {
                            let values = steps
                                .iter()
                                .map(|t| s.get(t).map_or(f64::NAN, |a| a.ci().mean))
                                .collect();
                            (g.groups.get(j).cloned().unwrap_or_default(), values)
                        })
                        .collect(),
                }
            })
            .collect();
        h.push_str(&grid_figure("group", "groups.csv", def, &panels));
    }
    h.push_str("</section>\n");
    h
}

const CSS: &str = r#"
:root{--ink:#1b1b1b;--muted:#555;--rule:#ddd}
*{box-sizing:border-box}
body{margin:0;background:#eeeeea;color:var(--ink);font:15px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif}
main{max-width:1260px;margin:0 auto;padding:22px 30px 40px;background:#fff}
h1{font-size:26px;margin:0 0 4px}
h2{font-size:20px;margin:34px 0 8px;padding-bottom:4px;border-bottom:2px solid var(--ink)}
h3{font-size:15px;margin:16px 0 4px}
p{margin:6px 0;max-width:980px}
.trace{color:var(--muted);font-size:13px}
nav{font-size:14px;margin:10px 0}
nav a{margin-right:14px;color:#0072B2}
figure{margin:10px 0 22px}
figcaption{font-size:13px;color:var(--muted);max-width:980px;margin-top:2px}
svg.chart{display:block;max-width:100%;height:auto;font-family:inherit;font-size:11px}
svg .grid{stroke:#ebebeb;stroke-width:1}
svg .domain,svg .tick{stroke:#444;stroke-width:1}
svg .axis-label{font-size:12px}
svg .panel-title{font-size:12px;font-weight:600}
svg .mark-label{font-size:10px}
svg .value{font-variant-numeric:tabular-nums}
svg .note{fill:#555;font-style:italic}
svg .stage-num{font-size:10px;font-weight:600}
.bars-grid{display:grid;grid-template-columns:repeat(auto-fill,minmax(540px,1fr));gap:4px 28px}
.net-grid{display:flex;flex-wrap:wrap;gap:10px 22px}
.net-grid figure{margin:4px 0;width:370px}
.wide{overflow-x:auto;max-width:100%}
.legend{display:flex;flex-wrap:wrap;gap:4px 18px;font-size:13px;margin:6px 0 8px;align-items:center}
.legend span{white-space:nowrap}
.sw{display:inline-block;width:14px;height:14px;vertical-align:-2px;margin-right:5px;border-radius:2px}
.ln{display:inline-block;width:22px;height:0;vertical-align:4px;margin-right:5px;border-top:2px solid}
.dot{display:inline-block;width:11px;height:11px;border-radius:50%;vertical-align:-1px;margin-right:5px;background:#bbb;border:1px solid #fff}
.dia{display:inline-block;width:10px;height:10px;transform:rotate(45deg);vertical-align:0;margin:0 7px 0 3px;background:#bbb;border:1.6px solid #000}
.note{background:#fff6dc;border-left:4px solid #E69F00;padding:6px 10px;font-size:13px;max-width:980px}
table{border-collapse:collapse;font-size:13px;margin:6px 0}
td,th{border-bottom:1px solid var(--rule);padding:3px 9px;text-align:left;vertical-align:top}
th{background:#f3f3f1}
td.num{text-align:right;font-variant-numeric:tabular-nums}
pre{background:#f7f7f5;border:1px solid var(--rule);padding:10px;overflow:auto;font-size:12px;max-height:640px}
code{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;font-size:.92em}
details{margin:8px 0}
summary{cursor:pointer;font-weight:600}
footer{margin-top:30px;font-size:12px;color:var(--muted)}
@media print{body{background:#fff}main{padding:0}}
"#;

#[allow(clippy::too_many_arguments)]
fn page(
    dir: &Path,
    manifest: &ManifestData,
    runs: &Runs,
    series: &Series,
    stages: &Stages,
    loaded: &Loaded,
    by_group: &str,
    network: &str,
) -> String {
    let name = manifest
        .str("scenario")
        .map(str::to_string)
        .or_else(|| loaded.scenario.as_ref().map(|s| s.name.clone()))
        .unwrap_or_else(|| "results".into());
    let version = manifest.str("version").unwrap_or("?");
    let total_runs: usize = runs.cells.iter().map(|c| c.runs).sum();
    let unit = param(runs, 0, "time.step").unwrap_or("step");
    let mut h = String::with_capacity(1 << 20);
    let _ = write!(
        h,
        r#"<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="kampung {v}">
<title>kampung report: {n}</title>
<style>{CSS}</style>
</head>
<body>
<main>
<header>
<h1>kampung report: {n}</h1>
"#,
        v = escape(version),
        n = escape(&name)
    );
    if let Some(s) = &loaded.scenario
        && !s.description.is_empty()
    {
        let _ = writeln!(h, "<p>{}</p>", escape(&s.description));
    }
    let _ = writeln!(
        h,
        r#"<p class="trace">Results folder <code>{dir}</code> · scenario file <code>{file}</code> · SHA-256 <code>{sha}</code> · base seed {seed} · {cells} × {reps} replicates = {total} runs · kampung {v} · run finished {fin}</p>"#,
        dir = escape(&dir.display().to_string()),
        file = escape(manifest.str("scenario_file").unwrap_or("(not recorded)")),
        sha = escape(&short(manifest.str("scenario_sha256").unwrap_or("?"))),
        seed = escape(&json_scalar(manifest.json.get("seed"))),
        cells = if runs.cells.iter().any(|c| c.point != runs.cells[0].point) {
            plural(
                runs.cells.len(),
                "strategy × point cell",
                "strategy × point cells",
            )
        } else {
            plural(runs.cells.len(), "strategy", "strategies")
        },
        reps = escape(&json_scalar(manifest.json.get("replicates"))),
        total = total_runs,
        v = escape(version),
        fin = escape(manifest.str("finished").unwrap_or("?")),
    );
    if manifest.json.get("complete").and_then(|v| v.as_bool()) != Some(true) {
        let _ = writeln!(
            h,
            r#"<p class="note">The manifest does not mark these results complete.</p>"#
        );
    }
    if let Some(failed) = manifest.json.get("failed_runs").and_then(|v| v.as_u64())
        && failed > 0
    {
        let _ = writeln!(
            h,
            r#"<p class="note">{} failed and {} left out (see <code>failures.csv</code>).</p>"#,
            plural(failed as usize, "run", "runs"),
            if failed == 1 { "is" } else { "are" }
        );
    }
    let _ = write!(
        h,
        r##"</header>
<nav><a href="#over-time">Over time</a>{}<a href="#outcomes">Outcomes</a><a href="#stages">Stage timeline</a><a href="#network">Network</a><a href="#parameters">Parameters</a><a href="#manifest">Manifest</a></nav>
"##,
        if by_group.is_empty() {
            ""
        } else {
            r##"<a href="#by-group">By group</a>"##
        }
    );

    // Over time.
    let reference = &runs.cells[0].label;
    h.push_str(r#"<section id="over-time"><h2>Over time</h2>"#);
    let _ = writeln!(
        h,
        "<p>Each panel is one strategy: the line is the mean over its replicates at each \
         recorded {unit}, the band the 95% confidence interval of that mean (Student's t, \
         per {unit}).{r} Shaded periods are the five stages (mean start and end over the \
         runs that reached them; hover for details); the vermillion dashed line is the \
         organizer's exit.</p>",
        unit = escape(unit),
        r = if runs.cells.len() > 1 {
            format!(
                " The dashed black line repeats the reference strategy, <b>{}</b>, for \
                 comparison.",
                escape(reference)
            )
        } else {
            String::new()
        }
    );
    h.push_str(&stage_legend(true));
    let shown = runs.cells.len().min(MAX_PANELS);
    if shown < runs.cells.len() {
        let _ = writeln!(
            h,
            r#"<p class="note">Only the first {shown} of {} strategy × point cells are drawn over time.</p>"#,
            runs.cells.len()
        );
    }
    for (m, def) in METRICS.iter().enumerate() {
        let panels: Vec<Panel> = (0..shown)
            .map(|k| panel(series, m, k, &runs.cells[k], stages))
            .collect();
        if !panels.iter().any(|p| p.mean.iter().any(|v| v.is_finite())) {
            let _ = write!(
                h,
                r#"<figure id="ts-{c}"><h3>{t}</h3><p class="note">No values: <code>{c}</code> is <code>NA</code> at every step of every run (it needs, for example, the economy, marginalized households or an organizer that this scenario does not have).</p></figure>"#,
                c = def.column,
                t = escape(def.title),
            );
            continue;
        }
        h.push_str(&grid_figure("ts", "timeseries.csv", def, &panels));
    }
    h.push_str("</section>\n");
    h.push_str(by_group);

    // Outcomes.
    h.push_str(r#"<section id="outcomes"><h2>Outcomes, ranked</h2>"#);
    let last = runs.cells[0].steps;
    let same_end = runs.cells.iter().all(|c| c.steps == last);
    let horizon = runs.cells.iter().find_map(|c| {
        let h = c.post_exit_step - c.exit?;
        h.is_finite().then_some(h)
    });
    let _ = writeln!(
        h,
        "<p>Mean outcome per strategy over its replicates, with its 95% confidence interval \
         (Student's t), ranked best first (the direction is given under each chart). \
         <span class=\"sw\" style=\"background:{}\"></span>the reference strategy, \
         <b>{}</b>; <span class=\"sw\" style=\"background:{}\"></span>the others. From \
         <code>runs.csv</code>: <code>final.*</code> at the last {} and \
         <code>post_exit.*</code>{}.</p>",
        charts::REFERENCE_COLOUR,
        escape(reference),
        charts::SERIES_COLOUR,
        escape(unit),
        match horizon {
            Some(hz) => format!(
                " {} {}s after the organizer's exit",
                fmt_step(hz),
                escape(unit)
            ),
            None => " after the organizer's exit".into(),
        }
    );
    h.push_str(r#"<div class="bars-grid">"#);
    for def in &METRICS {
        for (kind, when) in [
            (
                "final",
                if same_end {
                    format!("at the end ({} {})", escape(unit), fmt_step(last))
                } else {
                    "at the end".to_string()
                },
            ),
            (
                "post_exit",
                match horizon {
                    Some(hz) => format!("{} {}s after the exit", fmt_step(hz), escape(unit)),
                    None => "after the exit".to_string(),
                },
            ),
        ] {
            let col = format!("{kind}.{}", def.column);
            let Some(values) = runs.outcomes.get(&col) else {
                let _ = write!(
                    h,
                    r#"<figure><h3>{} {}</h3><p class="note">No column <code>{}</code> in runs.csv.</p></figure>"#,
                    escape(def.title),
                    when,
                    escape(&col)
                );
                continue;
            };
            let mut bars: Vec<Bar> = runs
                .cells
                .iter()
                .zip(values)
                .enumerate()
                .map(|(k, (c, v))| Bar {
                    label: c.label.clone(),
                    ci: data::mean_ci(v),
                    reference: k == 0,
                })
                .collect();
            if bars.iter().all(|b| !b.ci.mean.is_finite()) {
                let _ = write!(
                    h,
                    r#"<figure><h3>{} {}</h3><p class="note">No values: every run has <code>NA</code> in <code>{}</code>{}.</p></figure>"#,
                    escape(def.title),
                    when,
                    escape(&col),
                    if kind == "post_exit" {
                        " (no organizer, or the runs end before the post-exit horizon)"
                    } else {
                        ""
                    }
                );
                continue;
            }
            charts::rank(&mut bars, def.higher_is_better);
            let _ = write!(
                h,
                r#"<figure id="bars-{kind}-{c}"><h3>{t} {when}</h3>{svg}<figcaption>{dir}; <code>{col}</code>.</figcaption></figure>"#,
                c = def.column,
                t = escape(def.title),
                svg = charts::ranked_bars(
                    &format!("bars-{kind}-{}", def.column),
                    &format!("{} {}, by strategy, ranked", def.title, strip_tags(&when)),
                    def.axis,
                    &bars
                ),
                dir = if def.higher_is_better {
                    "Higher is better"
                } else {
                    "Lower is better"
                },
                col = escape(&col)
            );
        }
    }
    h.push_str("</div></section>\n");

    // Stage timeline.
    h.push_str(r#"<section id="stages"><h2>Stage timeline</h2>"#);
    let _ = writeln!(
        h,
        "<p>When each of Hartini's five stages started and ended, per strategy: mean start and \
         end {unit} over the runs that reached the stage (a dashed outline: not every run \
         reached it; hover for counts and how the stages ended). A hollow diamond is a \
         skipped stage; the vermillion tick is the organizer's exit. From \
         <code>stages.csv</code>.</p>",
        unit = escape(unit)
    );
    h.push_str(&stage_legend(false));
    let rows: Vec<TimelineRow> = runs
        .cells
        .iter()
        .enumerate()
        .map(|(k, c)| TimelineRow {
            label: c.label.clone(),
            stages: stage_spans(stages, k, c.runs),
            entry: c.entry,
            exit: c.exit,
        })
        .collect();
    if rows.iter().all(|r| r.stages.is_empty()) {
        h.push_str(r#"<p class="note">No stages in <code>stages.csv</code>: no run had an organizer who started the stages.</p>"#);
    } else {
        let max_steps = runs.cells.iter().map(|c| c.steps).fold(0.0, f64::max);
        let _ = write!(
            h,
            "<figure>{}</figure>",
            charts::stage_timeline(
                "timeline",
                "Stage timeline per strategy",
                &format!("{unit} (mean over replicates)"),
                &rows,
                max_steps
            )
        );
    }
    h.push_str("</section>\n");

    // Network.
    h.push_str(r#"<section id="network"><h2>The village network</h2>"#);
    h.push_str(network);
    h.push_str("</section>\n");

    // Parameters.
    h.push_str(&parameters_section(runs, loaded));
    h.push_str(&manifest_section(manifest));
    let _ = write!(
        h,
        "<footer>Made by <code>kampung report</code> (kampung {}) from <code>{}</code>. \
         Self-contained: no scripts, no fonts or images from elsewhere.</footer>\n</main>\n</body>\n</html>\n",
        escape(env!("CARGO_PKG_VERSION")),
        escape(&dir.display().to_string())
    );
    h
}

fn strip_tags(s: &str) -> String {
    let mut out = String::new();
    let mut inside = false;
    for c in s.chars() {
        match c {
            '<' => inside = true,
            '>' => inside = false,
            c if !inside => out.push(c),
            _ => {}
        }
    }
    out.replace("&amp;", "&")
}

fn stage_legend(shading: bool) -> String {
    let mut s = String::from(r#"<div class="legend">"#);
    for (i, name) in data::STAGES.iter().enumerate() {
        let _ = write!(
            s,
            r#"<span><span class="sw" style="background:{}{}"></span>{} {}</span>"#,
            charts::STAGE_COLOURS[i],
            if shading { ";opacity:.45" } else { "" },
            charts::roman(i + 1),
            name
        );
    }
    if shading {
        let _ = write!(
            s,
            r#"<span><span class="ln" style="border-color:{c}"></span>mean</span><span><span class="sw" style="background:{c};opacity:.35"></span>95% CI</span><span><span class="ln" style="border-top:2px dashed #555"></span>reference mean</span>"#,
            c = charts::SERIES_COLOUR
        );
    }
    let _ = write!(
        s,
        r#"<span><span class="ln" style="border-top:{} {}"></span>organizer's exit</span></div>"#,
        if shading { "2px dashed" } else { "3px solid" },
        charts::EXIT_COLOUR
    );
    s
}

fn param<'a>(runs: &'a Runs, k: usize, key: &str) -> Option<&'a str> {
    let i = runs.param_keys.iter().position(|p| p == key)?;
    runs.params.get(k)?.get(i).map(String::as_str)
}

fn short(sha: &str) -> String {
    sha.chars().take(16).collect::<String>() + if sha.len() > 16 { "…" } else { "" }
}

fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

fn json_scalar(v: Option<&serde_json::Value>) -> String {
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

fn parameters_section(runs: &Runs, loaded: &Loaded) -> String {
    let mut h = String::from(r#"<section id="parameters"><h2>Parameters</h2>"#);
    let _ = writeln!(
        h,
        "<p>The <code>param.*</code> columns of <code>runs.csv</code>: every parameter of each \
         strategy after merging, defaults included. First what each strategy changes from the \
         reference, <b>{}</b>; then every parameter.</p>",
        escape(&runs.cells[0].label)
    );
    let description = |c: &Cell| -> String {
        loaded
            .scenario
            .as_ref()
            .and_then(|s| s.strategies.iter().find(|st| st.name == c.strategy))
            .map(|st| st.description.clone())
            .unwrap_or_default()
    };
    h.push_str("<table><tr><th>strategy</th><th>runs</th><th>description</th><th>differs from the reference in</th></tr>");
    for (k, c) in runs.cells.iter().enumerate() {
        let diffs: Vec<String> = runs
            .param_keys
            .iter()
            .enumerate()
            .filter(|&(i, _)| runs.params[k].get(i) != runs.params[0].get(i))
            .map(|(i, key)| {
                format!(
                    "<code>{}</code> = <code>{}</code>",
                    escape(key),
                    escape(runs.params[k].get(i).map_or("", String::as_str))
                )
            })
            .collect();
        let _ = write!(
            h,
            r#"<tr><td><b>{}</b></td><td class="num">{}</td><td>{}</td><td>{}</td></tr>"#,
            escape(&c.label),
            c.runs,
            escape(&description(c)),
            if k == 0 {
                "(the reference)".to_string()
            } else if diffs.is_empty() {
                "nothing".to_string()
            } else {
                diffs.join("<br>")
            }
        );
    }
    h.push_str("</table>");
    h.push_str("<details><summary>Every parameter, per strategy</summary><div class=\"wide\"><table><tr><th>parameter</th>");
    for c in &runs.cells {
        let _ = write!(h, "<th>{}</th>", escape(&c.label));
    }
    h.push_str("</tr>");
    for (i, key) in runs.param_keys.iter().enumerate() {
        let _ = write!(h, "<tr><td><code>{}</code></td>", escape(key));
        for k in 0..runs.cells.len() {
            let v = runs.params[k].get(i).map_or("", String::as_str);
            let differs = k > 0 && runs.params[0].get(i).map(String::as_str) != Some(v);
            let _ = write!(
                h,
                "<td>{}{}{}</td>",
                if differs { "<b>" } else { "" },
                escape(v),
                if differs { "</b>" } else { "" }
            );
        }
        h.push_str("</tr>");
    }
    h.push_str("</table></div></details>");
    for n in &loaded.notes {
        let _ = write!(h, r#"<p class="note">{n}</p>"#);
    }
    match (&loaded.path, &loaded.text) {
        (Some(p), Some(t)) => {
            let _ = write!(
                h,
                "<details><summary>The scenario file, <code>{}</code></summary><pre>{}</pre></details>",
                escape(&p.display().to_string()),
                escape(t)
            );
        }
        (Some(p), None) => {
            let _ = write!(
                h,
                r#"<p class="note">The scenario file <code>{}</code> could not be read, so its text is not shown.</p>"#,
                escape(&p.display().to_string())
            );
        }
        _ => {}
    }
    h.push_str("</section>\n");
    h
}

fn manifest_section(m: &ManifestData) -> String {
    let mut h = String::from(
        r#"<section id="manifest"><h2>Manifest</h2><p><code>manifest.json</code> of the results folder: what was run, by what, when.</p><table>"#,
    );
    if let Some(obj) = m.json.as_object() {
        for (k, v) in obj {
            let _ = write!(
                h,
                "<tr><th>{}</th><td>{}</td></tr>",
                escape(k),
                escape(&json_scalar(Some(v)))
            );
        }
    }
    let _ = writeln!(
        h,
        "</table><details><summary>As written</summary><pre>{}</pre></details></section>",
        escape(&m.text)
    );
    h
}

/// The network section: the rebuilt village of replicate 0 of the first strategy,
/// coloured by the households' states at the snapshot steps of `households.csv`.
fn network_section(dir: &Path, runs: &Runs, loaded: &Loaded) -> Result<String> {
    let mut h = String::new();
    let cell = &runs.cells[0];
    let Some(s) = &loaded.scenario else {
        let _ = write!(
            h,
            r#"<p class="note">The network is not drawn: the results folder holds no ties, and the scenario file to rebuild the village from could not be read. {}</p>"#,
            loaded.notes.join(" ")
        );
        return Ok(h);
    };
    let not_drawn = |why: String| {
        Ok(format!(
            r#"<p class="note">The network is not drawn: {why}</p>"#
        ))
    };
    let Some(k) = s.strategies.iter().position(|st| st.name == cell.strategy) else {
        return not_drawn(format!(
            "the scenario file has no strategy <code>{}</code>, the first strategy of the results.",
            escape(&cell.strategy)
        ));
    };
    let Ok(point) = cell.point.parse::<usize>() else {
        return not_drawn(format!(
            "design point <code>{}</code> is not a number.",
            escape(&cell.point)
        ));
    };
    if point >= s.point_count() {
        return not_drawn(format!("the scenario file has no design point {point}."));
    }
    let Some(spec) = crate::experiment::runner::plan(s)
        .into_iter()
        .find(|r| r.strategy == k && r.point == point && r.replicate == 0)
    else {
        return not_drawn("the scenario plans no replicate 0.".into());
    };
    if let Some((_, _, vseed)) = &runs.first_run
        && !vseed.is_empty()
        && *vseed != spec.village_seed.to_string()
    {
        return not_drawn(format!(
            "the scenario file gives replicate 0 the village seed {}, but the run used {}: \
             not the scenario that was run.",
            spec.village_seed,
            escape(vseed)
        ));
    }
    let params = s.params(k, point);
    let village = crate::model::village::Village::build(
        &params,
        &s.inputs,
        &mut crate::model::rng::rng_from_seed(spec.village_seed),
    );
    let hh = &village.households;
    let n = hh.len();
    if n == 0 {
        return not_drawn("the village has no households.".into());
    }
    let group_names: Vec<String> = params
        .population
        .groups
        .iter()
        .map(|g| g.name.clone())
        .collect();
    let snapshots = data::read_households(dir, &cell.strategy, &cell.point, 0)?;
    let mut notes: Vec<String> = Vec::new();
    // States by household index, per snapshot step; checked against the village.
    let mut states: BTreeMap<u32, Vec<data::HouseholdState>> = BTreeMap::new();
    match snapshots {
        None => notes.push(
            "This results folder has no <code>households.csv</code> (the scenario sets \
             <code>output.households = false</code>), so the households' states are not \
             shown: the picture is the village at the start, coloured by group."
                .into(),
        ),
        Some(snaps) if snaps.is_empty() => notes.push(format!(
            "<code>households.csv</code> has no rows for replicate 0 of <code>{}</code>, so \
             the households' states are not shown.",
            escape(&cell.strategy)
        )),
        Some(snaps) => {
            let index: std::collections::HashMap<u64, usize> =
                (0..n).map(|i| (hh.external_id(i), i)).collect();
            let mut ok = true;
            for rows in snaps.values() {
                let distinct: std::collections::HashSet<u64> = rows.iter().map(|r| r.id).collect();
                ok &= rows.len() == n
                    && distinct.len() == n
                    && rows.iter().all(|r| {
                        index.get(&r.id).is_some_and(|&i| {
                            group_names.get(hh.group[i] as usize) == Some(&r.group)
                        })
                    });
            }
            if ok {
                for (step, rows) in snaps {
                    let mut by_index = rows.clone();
                    for r in rows {
                        let i = index[&r.id];
                        by_index[i] = r;
                    }
                    states.insert(step, by_index);
                }
            } else {
                notes.push(
                    "The households in <code>households.csv</code> do not match the rebuilt \
                     village (ids or groups differ), so their states are not shown."
                        .into(),
                );
            }
        }
    }
    // Which households to draw.
    let drawn: Vec<usize> = layout::sample_indices(
        n,
        if n > MAX_DRAWN { SAMPLE } else { n },
        spec.village_seed ^ 0x6e65_7477_6f72_6b21,
    );
    let pos_of: std::collections::HashMap<usize, usize> =
        drawn.iter().enumerate().map(|(j, &i)| (i, j)).collect();
    let mut edges = Vec::new();
    for (j, &i) in drawn.iter().enumerate() {
        for &nb in village.network.neighbors(i) {
            if let Some(&jb) = pos_of.get(&(nb as usize))
                && jb > j
            {
                edges.push((j, jb));
            }
        }
    }
    let groups: Vec<usize> = drawn.iter().map(|&i| hh.group[i] as usize).collect();
    let positions = layout::force_layout(drawn.len(), &groups, &edges, 300, spec.village_seed);
    let _ = write!(
        h,
        "<p>The village of replicate 0 of <b>{strat}</b> (village seed {vs}), rebuilt from the \
         scenario file: {n} households and {t} ties. Households are coloured by group{marks}. \
         The layout is force-directed{same}.</p>",
        strat = escape(&cell.label),
        vs = spec.village_seed,
        n = n,
        t = village.network.edge_count(),
        marks = if states.is_empty() {
            ""
        } else {
            "; members of the people's organization are outlined in black, leaders are \
             diamonds, and a black dot marks a household the organizer has contacted, at \
             each step <code>households.csv</code> records"
        },
        same = if states.len() > 1 {
            " and the same in every picture"
        } else {
            ""
        },
    );
    notes.push(
        "Only the village's initial ties are drawn: ties made at meetings during the run (bridging \
         ties across groups) are not recorded in the results."
            .into(),
    );
    if drawn.len() < n {
        notes.push(format!(
            "The village has more than {MAX_DRAWN} households, so a random sample of {} of its {n} \
             households is drawn, with the ties among them ({} of {}); the counts under each \
             picture are of the whole village.",
            drawn.len(),
            edges.len(),
            village.network.edge_count()
        ));
    }
    for note in &notes {
        let _ = write!(h, r#"<p class="note">{note}</p>"#);
    }
    // Legend.
    h.push_str(r#"<div class="legend">"#);
    for (g, name) in group_names.iter().enumerate() {
        let marg = params.population.groups[g].marginalized;
        let _ = write!(
            h,
            r#"<span><span class="dot" style="background:{}"></span>{}{}</span>"#,
            charts::GROUP_COLOURS[g % charts::GROUP_COLOURS.len()],
            escape(name),
            if marg { " (marginalized)" } else { "" }
        );
    }
    if !states.is_empty() {
        h.push_str(r#"<span><span class="dot" style="border:1.6px solid #000"></span>member</span><span><span class="dia"></span>leader</span><span><span class="dot" style="background:#fff;border:1px solid #999;position:relative"><span style="position:absolute;left:3px;top:3px;width:4px;height:4px;border-radius:50%;background:#000"></span></span>contacted by the organizer</span>"#);
    }
    h.push_str("</div>");
    // Snapshot steps: all, or the first, the last and evenly spaced between.
    let steps: Vec<u32> = states.keys().copied().collect();
    let chosen: Vec<u32> = if steps.len() <= MAX_SNAPSHOTS {
        steps.clone()
    } else {
        let mut c: Vec<u32> = (0..MAX_SNAPSHOTS)
            .map(|j| steps[j * (steps.len() - 1) / (MAX_SNAPSHOTS - 1)])
            .collect();
        c.dedup();
        c
    };
    h.push_str(r#"<div class="net-grid">"#);
    let node = |j: usize, st: Option<&data::HouseholdState>| NetNode {
        pos: positions[j],
        group: groups[j],
        id: hh.external_id(drawn[j]),
        member: st.map(|s| s.member),
        leader: st.map(|s| s.leader),
        contacted: st.map(|s| s.contacted),
    };
    if chosen.is_empty() {
        let nodes: Vec<NetNode> = (0..drawn.len()).map(|j| node(j, None)).collect();
        let _ = write!(
            h,
            "<figure>{}<figcaption>Step 0: the village before the organizer arrives, by group.</figcaption></figure>",
            charts::network(
                "network-0",
                "The village network at step 0",
                &nodes,
                &edges,
                &group_names
            )
        );
    }
    for step in chosen {
        let st = &states[&step];
        let nodes: Vec<NetNode> = (0..drawn.len())
            .map(|j| node(j, st.get(drawn[j])))
            .collect();
        let members = st.iter().filter(|s| s.member).count();
        let leaders = st.iter().filter(|s| s.leader).count();
        let contacted = st.iter().filter(|s| s.contacted).count();
        let when = if cell.exit == Some(step as f64) {
            " (the organizer's exit)"
        } else if step as f64 == cell.steps {
            " (the end)"
        } else if step == 0 {
            " (the start)"
        } else {
            ""
        };
        let _ = write!(
            h,
            "<figure>{svg}<figcaption><b>Step {step}{when}</b>: {members} members ({mp}), {leaders} leaders, {contacted} households contacted ({cp}) of {n}.</figcaption></figure>",
            svg = charts::network(
                &format!("network-{step}"),
                &format!("The village network at step {step}"),
                &nodes,
                &edges,
                &group_names
            ),
            mp = pct(members, n),
            cp = pct(contacted, n),
        );
    }
    h.push_str("</div>");
    Ok(h)
}

fn pct(k: usize, n: usize) -> String {
    if n == 0 {
        return "NA".into();
    }
    format!("{:.0}%", 100.0 * k as f64 / n as f64)
}
