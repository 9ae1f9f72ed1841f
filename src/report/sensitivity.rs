//! The sensitivity section of the report, from `sensitivity.csv` (`kampung
//! sensitivity`): per outcome, the Morris μ*–σ plane (each parameter's overall
//! importance against how much its effect changes over the ranges, μ* with its
//! bootstrap interval) and the Sobol first-order and total indices with their
//! bootstrap intervals, with the convergence warnings of
//! [`crate::experiment::analysis::convergence`] listed above them and marked on the
//! indices they concern.

use super::design::short_names;
use super::svg::{
    LinearScale, OKABE_ITO, Svg, attr, axis_bottom, axis_left, escape, fmt_value, nice_ticks,
    text_width,
};
use crate::error::Result;
use crate::experiment::analysis::{
    ConvergenceWarning, FIRST_ABOVE_TOTAL, SOBOL_MAX_WIDTH, SensitivityRow, convergence,
};
use std::fmt::Write as _;
use std::path::Path;

/// Colour of first-order indices.
const FIRST_COLOUR: &str = OKABE_ITO[4];
/// Colour of total indices.
const TOTAL_COLOUR: &str = OKABE_ITO[0];
/// Colour that marks an index a warning concerns.
const WARN_COLOUR: &str = OKABE_ITO[5];

/// Reads `dir/sensitivity.csv` (`None` when there is none).
pub fn read_rows(dir: &Path) -> Result<Option<Vec<SensitivityRow>>> {
    if !dir.join("sensitivity.csv").is_file() {
        return Ok(None);
    }
    let mut t = super::data::Table::open(dir, "sensitivity.csv")?;
    let (c_m, c_o, c_p, c_i) = (
        t.col("method")?,
        t.col("outcome")?,
        t.col("parameter")?,
        t.col("index")?,
    );
    let (c_e, c_lo, c_hi, c_runs) = (
        t.col("estimate")?,
        t.col("ci_low")?,
        t.col("ci_high")?,
        t.col("runs")?,
    );
    let shown = t.path.display().to_string();
    let mut rows = Vec::new();
    t.for_each(|row| {
        let known = |v: &str, all: &[&'static str], col: usize, what: &str| {
            all.iter().copied().find(|x| *x == v).ok_or_else(|| {
                super::data::cell_error(
                    &shown,
                    row.line(),
                    col + 1,
                    what,
                    format!("`{v}` is not one of {}", all.join(", ")),
                )
            })
        };
        rows.push(SensitivityRow {
            method: known(row.str(c_m), &["morris", "sobol"], c_m, "method")?,
            outcome: row.str(c_o).to_string(),
            parameter: row.str(c_p).to_string(),
            index: known(
                row.str(c_i),
                &["mu", "mu_star", "sigma", "first", "total"],
                c_i,
                "index",
            )?,
            estimate: row.num(c_e)?,
            ci: (row.num(c_lo)?, row.num(c_hi)?),
            runs: row.whole(c_runs)? as usize,
        });
        Ok(())
    })?;
    Ok(Some(rows))
}

/// The sensitivity section: the warnings, then per outcome the Morris and Sobol
/// charts, then every index as a table.
pub fn sensitivity_section(rows: &[SensitivityRow]) -> String {
    let mut h = String::from(r#"<section id="sensitivity"><h2>Sensitivity</h2>"#);
    let warnings = convergence(rows);
    h.push_str(&warnings_html(&warnings));
    let mut outcomes: Vec<&str> = Vec::new();
    for r in rows {
        if !outcomes.contains(&r.outcome.as_str()) {
            outcomes.push(&r.outcome);
        }
    }
    let mut params: Vec<String> = Vec::new();
    for r in rows {
        if !params.contains(&r.parameter) {
            params.push(r.parameter.clone());
        }
    }
    let names = short_names(&params);
    let name_of = |p: &str| {
        params
            .iter()
            .position(|x| x == p)
            .map_or_else(|| p.to_string(), |i| names[i].clone())
    };
    let _ = writeln!(
        h,
        "<p>From <code>sensitivity.csv</code>. <b>Morris</b>: μ* is a parameter's overall \
         importance (the mean absolute change of the outcome over the parameter's whole \
         range), σ how much that change varies across the other parameters (interactions \
         and curvature); points above the dashed line σ = μ* act mostly through \
         interactions or non-linearly. The whisker is μ*'s 95% bootstrap interval. \
         <b>Sobol</b>: the share of the outcome's variance due to the parameter alone \
         (first-order, <span class=\"sw\" style=\"background:{FIRST_COLOUR}\"></span>) and \
         with all its interactions (total, <span class=\"sw\" style=\"background:{TOTAL_COLOUR}\"></span>), \
         each with its 95% bootstrap interval; both lie in [0, 1] and first ≤ total when \
         the estimates have converged.</p>"
    );
    for o in &outcomes {
        let of: Vec<&SensitivityRow> = rows.iter().filter(|r| r.outcome == *o).collect();
        let _ = write!(h, r#"<h3>{}</h3><div class="forest-grid">"#, escape(o));
        if of.iter().any(|r| r.method == "morris") {
            let _ = write!(
                h,
                r#"<figure id="morris-{o}">{}<figcaption>Morris μ*–σ, <code>{o}</code>.</figcaption></figure>"#,
                morris_chart(o, &of, &name_of),
                o = escape(o)
            );
        }
        if of.iter().any(|r| r.method == "sobol") {
            let flagged: Vec<&ConvergenceWarning> =
                warnings.iter().filter(|w| w.outcome == *o).collect();
            let _ = write!(
                h,
                r#"<figure id="sobol-{o}">{}<figcaption>Sobol indices, <code>{o}</code>; an index a warning concerns is ringed in vermillion.</figcaption></figure>"#,
                sobol_chart(o, &of, &name_of, &flagged),
                o = escape(o)
            );
        }
        h.push_str("</div>");
    }
    h.push_str("<details><summary>Every index</summary><table><tr><th>method</th><th>outcome</th><th>parameter</th><th>index</th><th>estimate</th><th>95% interval</th><th>runs</th></tr>");
    for r in rows {
        let _ = write!(
            h,
            r#"<tr><td>{}</td><td><code>{}</code></td><td><code>{}</code></td><td>{}</td><td class="num">{}</td><td class="num">{}</td><td class="num">{}</td></tr>"#,
            r.method,
            escape(&r.outcome),
            escape(&r.parameter),
            r.index,
            fmt_value(r.estimate),
            if r.ci.0.is_finite() {
                format!("{} to {}", fmt_value(r.ci.0), fmt_value(r.ci.1))
            } else {
                String::new()
            },
            r.runs
        );
    }
    h.push_str("</table></details></section>\n");
    h
}

/// The warnings as a note (empty when there are none).
fn warnings_html(w: &[ConvergenceWarning]) -> String {
    if w.is_empty() {
        return format!(
            r#"<p class="trace">Convergence: no Sobol index lies outside [0, 1] beyond its interval, no first-order index is above its total by more than {FIRST_ABOVE_TOTAL}, and no interval is wider than {SOBOL_MAX_WIDTH}.</p>"#
        );
    }
    let mut h = format!(
        r#"<div class="note" id="convergence"><b>The Sobol estimates have not converged</b> ({} signs): raise <code>samples</code> (or <code>replicates</code>) in <code>[sensitivity]</code>; the intervals narrow about as 1/√samples. Flagged: an index outside [0, 1] with all of its 95% interval, a first-order index above its total by more than {FIRST_ABOVE_TOTAL}, an interval wider than {SOBOL_MAX_WIDTH}.<ul>"#,
        w.len()
    );
    for x in w {
        let _ = write!(
            h,
            "<li><code>{}</code> · <code>{}</code>: {}</li>",
            escape(&x.outcome),
            escape(&x.parameter),
            escape(&x.problem)
        );
    }
    h.push_str("</ul></div>");
    h
}

/// The Morris μ*–σ plane of one outcome.
fn morris_chart(
    outcome: &str,
    rows: &[&SensitivityRow],
    name_of: &dyn Fn(&str) -> String,
) -> String {
    let get = |p: &str, i: &str| {
        rows.iter()
            .find(|r| r.method == "morris" && r.parameter == p && r.index == i)
    };
    let mut params: Vec<&str> = Vec::new();
    for r in rows.iter().filter(|r| r.method == "morris") {
        if !params.contains(&r.parameter.as_str()) {
            params.push(&r.parameter);
        }
    }
    let (w, hgt) = (420.0, 330.0);
    let (left, right, top, bottom) = (56.0, w - 20.0, 14.0, hgt - 44.0);
    let mut max = 0.0f64;
    for p in &params {
        for (i, end) in [("mu_star", true), ("sigma", false)] {
            if let Some(r) = get(p, i) {
                for v in [r.estimate, if end { r.ci.1 } else { r.estimate }] {
                    if v.is_finite() {
                        max = max.max(v);
                    }
                }
            }
        }
    }
    let ticks = nice_ticks(0.0, if max > 0.0 { max } else { 1.0 }, 5);
    let dom = (0.0, ticks.last().copied().unwrap_or(1.0));
    let xs = LinearScale::new(dom, (left, right));
    let ys = LinearScale::new(dom, (bottom, top));
    let mut svg = Svg::new(
        w,
        hgt,
        &format!(
            r#"class="chart morris" {} {}"#,
            attr("data-chart", &format!("morris-{outcome}")),
            attr("data-outcome", outcome)
        ),
        &format!("Morris mu-star against sigma, {outcome}"),
    );
    axis_bottom(
        &mut svg,
        &xs,
        &ticks,
        bottom,
        Some(top),
        Some("μ* (overall importance)"),
    );
    axis_left(
        &mut svg,
        &ys,
        &ticks,
        left,
        Some(right),
        Some(("σ (interactions, curvature)", 14.0)),
    );
    svg.line(
        xs.map(dom.0),
        ys.map(dom.0),
        xs.map(dom.1),
        ys.map(dom.1),
        r##"stroke="#777" stroke-dasharray="4 3" stroke-width="1""##,
    );
    for (k, p) in params.iter().enumerate() {
        let (Some(ms), Some(sg)) = (get(p, "mu_star"), get(p, "sigma")) else {
            continue;
        };
        let colour = OKABE_ITO[[4, 0, 2, 6, 5, 1, 7, 3][k % 8]];
        svg.open(&format!(
            r#"class="morris-pt" {} data-mu-star="{}" data-sigma="{}" data-lo="{}" data-hi="{}""#,
            attr("data-parameter", p),
            ms.estimate,
            sg.estimate,
            ms.ci.0,
            ms.ci.1
        ));
        svg.title(&format!(
            "{p}: μ* {} (95% interval {} to {}), σ {}",
            fmt_value(ms.estimate),
            fmt_value(ms.ci.0),
            fmt_value(ms.ci.1),
            fmt_value(sg.estimate)
        ));
        if !(ms.estimate.is_finite() && sg.estimate.is_finite()) {
            svg.close();
            continue;
        }
        let (x, y) = (xs.map(ms.estimate), ys.map(sg.estimate));
        if ms.ci.0.is_finite() && ms.ci.1.is_finite() {
            svg.line(
                xs.map(ms.ci.0),
                y,
                xs.map(ms.ci.1),
                y,
                &format!(r#"stroke="{colour}" stroke-width="1.5""#),
            );
        }
        svg.circle(x, y, 4.5, &format!(r##"fill="{colour}" stroke="#fff""##));
        let name = name_of(p);
        let anchor_end = x + 8.0 + text_width(&name, 11.0) > right;
        svg.text(
            if anchor_end { x - 7.0 } else { x + 7.0 },
            y - 6.0,
            &name,
            if anchor_end {
                r#"class="mark-label" text-anchor="end""#
            } else {
                r#"class="mark-label""#
            },
        );
        svg.close();
    }
    svg.finish()
}

/// The Sobol indices of one outcome: a row per parameter, its first-order and total
/// index with their intervals.
fn sobol_chart(
    outcome: &str,
    rows: &[&SensitivityRow],
    name_of: &dyn Fn(&str) -> String,
    flagged: &[&ConvergenceWarning],
) -> String {
    const ROW: f64 = 34.0;
    let sobol: Vec<&&SensitivityRow> = rows.iter().filter(|r| r.method == "sobol").collect();
    let mut params: Vec<&str> = Vec::new();
    for r in &sobol {
        if !params.contains(&r.parameter.as_str()) {
            params.push(&r.parameter);
        }
    }
    let label_w = params
        .iter()
        .map(|p| text_width(&name_of(p), 11.0))
        .fold(60.0, f64::max)
        .min(200.0);
    let left = label_w + 12.0;
    let right = left + 300.0;
    let width = right + 20.0;
    let top = 8.0;
    let bottom = top + params.len().max(1) as f64 * ROW;
    let height = bottom + 44.0;
    let (mut lo, mut hi) = (0.0f64, 1.0f64);
    for r in &sobol {
        for v in [r.estimate, r.ci.0, r.ci.1] {
            if v.is_finite() {
                lo = lo.min(v);
                hi = hi.max(v);
            }
        }
    }
    let ticks = nice_ticks(lo, hi, 6);
    let dom = (
        ticks.first().copied().unwrap_or(0.0),
        ticks.last().copied().unwrap_or(1.0),
    );
    let xs = LinearScale::new(dom, (left, right));
    let mut svg = Svg::new(
        width,
        height,
        &format!(
            r#"class="chart sobol" {} {}"#,
            attr("data-chart", &format!("sobol-{outcome}")),
            attr("data-outcome", outcome)
        ),
        &format!("Sobol first-order and total indices, {outcome}"),
    );
    axis_bottom(
        &mut svg,
        &xs,
        &ticks,
        bottom,
        Some(top),
        Some("Sobol index (share of variance)"),
    );
    for edge in [0.0, 1.0] {
        svg.line(
            xs.map(edge),
            top,
            xs.map(edge),
            bottom,
            r##"stroke="#333" stroke-dasharray="4 3" stroke-width="1""##,
        );
    }
    for (i, p) in params.iter().enumerate() {
        let y = top + i as f64 * ROW;
        svg.text(
            left - 8.0,
            y + ROW / 2.0 + 4.0,
            &name_of(p),
            r#"class="mark-label" text-anchor="end""#,
        );
        for (j, (index, colour)) in [("first", FIRST_COLOUR), ("total", TOTAL_COLOUR)]
            .into_iter()
            .enumerate()
        {
            let Some(r) = sobol.iter().find(|r| r.parameter == *p && r.index == index) else {
                continue;
            };
            let warned = flagged
                .iter()
                .any(|w| w.parameter == *p && (w.index == index || w.index == "first > total"));
            let mid = y + 11.0 + j as f64 * 12.0;
            svg.open(&format!(
                r#"class="sobol-idx" {} data-index="{index}" data-estimate="{}" data-lo="{}" data-hi="{}" data-flagged="{warned}""#,
                attr("data-parameter", p),
                r.estimate,
                r.ci.0,
                r.ci.1
            ));
            svg.title(&format!(
                "{p}: {index} index {} (95% interval {} to {}; {} runs){}",
                fmt_value(r.estimate),
                fmt_value(r.ci.0),
                fmt_value(r.ci.1),
                r.runs,
                if warned {
                    "; not converged, see the warnings"
                } else {
                    ""
                }
            ));
            if r.ci.0.is_finite() && r.ci.1.is_finite() {
                svg.line(
                    xs.map(r.ci.0),
                    mid,
                    xs.map(r.ci.1),
                    mid,
                    &format!(r#"stroke="{colour}" stroke-width="2""#),
                );
            }
            if r.estimate.is_finite() {
                let x = xs.map(r.estimate);
                if warned {
                    svg.circle(
                        x,
                        mid,
                        7.0,
                        &format!(r#"fill="none" stroke="{WARN_COLOUR}" stroke-width="2""#),
                    );
                }
                svg.circle(x, mid, 4.0, &format!(r##"fill="{colour}" stroke="#fff""##));
            }
            svg.close();
        }
    }
    svg.finish()
}

/// A page of its own for a folder of `kampung sensitivity` (no runs of a sweep).
pub fn page(dir: &Path, rows: &[SensitivityRow]) -> String {
    let name = dir.file_name().map_or_else(
        || dir.display().to_string(),
        |n| n.to_string_lossy().into_owned(),
    );
    let mut h = String::new();
    let _ = write!(
        h,
        r#"<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="kampung {v}">
<title>kampung sensitivity report: {n}</title>
<style>{css}</style>
</head>
<body>
<main>
<header><h1>kampung sensitivity report: {n}</h1><p class="trace">Results folder <code>{d}</code> · kampung {v}</p></header>
"#,
        v = escape(env!("CARGO_PKG_VERSION")),
        n = escape(&name),
        d = escape(&dir.display().to_string()),
        css = super::page::CSS
    );
    h.push_str(&sensitivity_section(rows));
    h.push_str(&super::page::footer(dir));
    h
}
