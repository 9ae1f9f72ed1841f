//! The page itself: its style sheet and the HTML that puts the sections together.

use super::*;

pub(super) const CSS: &str = r#"
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
.forest-grid{display:flex;flex-wrap:wrap;gap:4px 26px;align-items:flex-start}
.forest-grid figure{margin:4px 0;max-width:380px}
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

/// The start of a report page, up to its open `<header>` and the `<h1>` title
/// (`title` and `version` escaped here).
pub(super) fn head(title: &str, version: &str) -> String {
    format!(
        r#"<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="kampung {v}">
<title>{t}</title>
<style>{CSS}</style>
</head>
<body>
<main>
<header>
<h1>{t}</h1>
"#,
        v = escape(version),
        t = escape(title)
    )
}

/// The end of a report page made from results folder `dir`: the footer and the
/// closing tags.
pub(super) fn footer(dir: &Path) -> String {
    format!(
        "<footer>Made by <code>kampung report</code> (kampung {}) from <code>{}</code>. \
         Self-contained: no scripts, no fonts or images from elsewhere.</footer>\n</main>\n</body>\n</html>\n",
        escape(env!("CARGO_PKG_VERSION")),
        escape(&dir.display().to_string())
    )
}

pub(super) fn page(
    dir: &Path,
    manifest: &ManifestData,
    runs: &Runs,
    series: &Series,
    stages: &Stages,
    loaded: &Loaded,
    sections: &Sections,
) -> String {
    let (by_group, network) = (&sections.by_group, &sections.network);
    let name = manifest
        .str("scenario")
        .map(str::to_string)
        .or_else(|| loaded.scenario.as_ref().map(|s| s.name.clone()))
        .unwrap_or_else(|| "results".into());
    let version = manifest.str("version").unwrap_or("?");
    let total_runs: usize = runs.cells.iter().map(|c| c.runs).sum();
    let unit = param(runs, 0, "time.step").unwrap_or("step");
    let mut h = String::with_capacity(1 << 20);
    h.push_str(&head(&format!("kampung report: {name}"), version));
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
<nav>{}{}{}<a href="#over-time">Over time</a>{}<a href="#outcomes">Outcomes</a><a href="#stages">Stage timeline</a><a href="#network">Network</a><a href="#parameters">Parameters</a><a href="#manifest">Manifest</a></nav>
"##,
        if sections.design.is_empty() {
            ""
        } else {
            r##"<a href="#design">The design</a>"##
        },
        if sections.design.contains(r#"<section id="tipping">"#) {
            r##"<a href="#tipping">Where it tips</a>"##
        } else {
            ""
        },
        if sections.ranks.is_empty() {
            ""
        } else {
            r##"<a href="#ranks">Ranks under the posterior</a>"##
        },
        if by_group.is_empty() {
            ""
        } else {
            r##"<a href="#by-group">By group</a>"##
        }
    );

    h.push_str(&sections.design);
    h.push_str(&sections.ranks);

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
        h.push_str(&capped_note(
            shown,
            runs.cells.len(),
            "drawn over time",
            "timeseries.csv",
        ));
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
                    // A design point's values do not fit beside a bar: its number does
                    // (the design section and summary.csv give the values).
                    label: row_label(c),
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
            let all = bars.len();
            let cap = if all > MAX_PANELS {
                // The best cells, their reference kept; the rest named by count.
                let reference = bars.iter().position(|b| b.reference);
                let mut kept: Vec<Bar> = bars.iter().take(MAX_PANELS).cloned().collect();
                if let Some(r) = reference.filter(|&r| r >= MAX_PANELS) {
                    kept.push(bars[r].clone());
                }
                bars = kept;
                format!(
                    r#" The best {MAX_PANELS} of {all} cells are drawn{}; every cell is in <code>summary.csv</code>, and the design charts above draw every point."#,
                    if bars.len() > MAX_PANELS {
                        ", and the reference last"
                    } else {
                        ""
                    }
                )
            } else {
                String::new()
            };
            let _ = write!(
                h,
                r#"<figure id="bars-{kind}-{c}"><h3>{t} {when}</h3>{svg}<figcaption>{dir}; <code>{col}</code>.{cap}</figcaption></figure>"#,
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
    let shown = runs.cells.len().min(MAX_PANELS);
    if shown < runs.cells.len() {
        h.push_str(&capped_note(
            shown,
            runs.cells.len(),
            "in the timeline",
            "stages.csv",
        ));
    }
    let rows: Vec<TimelineRow> = runs
        .cells
        .iter()
        .take(shown)
        .enumerate()
        .map(|(k, c)| TimelineRow {
            label: row_label(c),
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
    h.push_str(&footer(dir));
    h
}

/// The note a capped chart carries: how many of how many cells it shows, and the
/// file that has them all.
pub(super) fn capped_note(shown: usize, all: usize, what: &str, file: &str) -> String {
    format!(
        r#"<p class="note">Only the first {shown} of {all} strategy × point cells are {what}; every cell is in <code>{file}</code>, and the design section draws every point.</p>"#
    )
}

/// A cell's name beside a bar or a timeline row: a design point's values do not fit
/// there, its number does (the design section and `summary.csv` give the values).
fn row_label(c: &Cell) -> String {
    if svg::text_width(&c.label, 12.0) > 260.0 {
        format!("{} · point {}", c.strategy, c.point)
    } else {
        c.label.clone()
    }
}

pub(super) fn strip_tags(s: &str) -> String {
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

pub(super) fn stage_legend(shading: bool) -> String {
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
