//! The design section of the report, for a results folder whose `[sweep]` varied
//! parameters: each outcome against each varied parameter (every point's mean with
//! its 95% interval over replicates, per strategy, and a trend line of means), and
//! forest plots of the paired differences of `compare.csv` (strategy − baseline,
//! with their 95% intervals). Read from `summary.csv` and `compare.csv`, whose
//! `point.PATH` columns hold the points' values.

use super::svg::{
    LinearScale, OKABE_ITO, Svg, attr, axis_bottom, axis_left, escape, f, fmt_value, nice_ticks,
    text_width, truncate,
};
use super::{METRICS, MetricDef};
use crate::error::Result;
use std::collections::HashMap;
use std::fmt::Write as _;
use std::path::Path;

/// Parameters drawn at most (one panel each); the others are named on the page.
pub const MAX_PARAMETERS: usize = 8;
/// Rows a forest plot draws at most: the largest and smallest differences, half each.
pub const MAX_FOREST_ROWS: usize = 400;
/// A forest plot of more rows than this is sorted by difference, not by point.
const SORT_ABOVE: usize = 40;
/// Distinct values of a parameter above which the trend line joins binned means.
const MAX_DISTINCT: usize = 12;
/// Bins of the trend line of a parameter of many distinct values.
const BINS: usize = 8;

/// Colour of strategy `k` (the baseline first, in the reference colour).
pub fn strategy_colour(k: usize) -> &'static str {
    const ORDER: [usize; 8] = [0, 4, 2, 6, 5, 1, 7, 3];
    OKABE_ITO[ORDER[k % ORDER.len()]]
}

/// A number of a design point written short (see
/// [`crate::scenario::values::short_value`]).
pub fn short_value(text: &str) -> String {
    crate::scenario::values::short_value(text)
}

/// Short names of parameter paths: the last part, or more parts where two would
/// read the same (`organizer.exit_step` → `exit_step`).
pub fn short_names(paths: &[String]) -> Vec<String> {
    let parts: Vec<Vec<&str>> = paths.iter().map(|p| p.split('.').collect()).collect();
    (0..paths.len())
        .map(|i| {
            let mut take = 1;
            loop {
                let name = |j: usize| -> String {
                    let n = parts[j].len();
                    parts[j][n.saturating_sub(take)..].join(".")
                };
                let mine = name(i);
                let clash = (0..paths.len()).any(|j| j != i && name(j) == mine);
                if !clash || take >= parts[i].len() {
                    return mine;
                }
                take += 1;
            }
        })
        .collect()
}

/// One point of one strategy on one outcome (`summary.csv`).
#[derive(Debug, Clone, PartialEq)]
struct Mean {
    point: usize,
    mean: f64,
    lo: f64,
    hi: f64,
    n: u64,
}

/// One paired difference (`compare.csv`).
#[derive(Debug, Clone, PartialEq)]
struct Diff {
    point: usize,
    strategy: String,
    difference: f64,
    lo: f64,
    hi: f64,
    significant: bool,
}

/// What the design section needs from the folder.
#[derive(Debug, Default)]
struct Design {
    /// Varied parameters (paths without `point.`).
    keys: Vec<String>,
    /// Values of each point, aligned with `keys`, by point number.
    points: HashMap<usize, Vec<String>>,
    /// Strategies, baseline first (file order).
    strategies: Vec<String>,
    /// `(strategy, outcome)` → the points' means.
    means: HashMap<(usize, String), Vec<Mean>>,
    /// Outcome → the paired differences.
    diffs: HashMap<String, Vec<Diff>>,
    /// The baseline (`compare.csv`'s `baseline` column).
    baseline: String,
}

/// The outcomes shown: after the exit where the folder has values, else at the end.
fn outcome_of(d: &Design, m: &MetricDef) -> String {
    let post = format!("post_exit.{}", m.column);
    let has = d
        .means
        .iter()
        .any(|((_, o), v)| *o == post && v.iter().any(|x| x.mean.is_finite()));
    if has {
        post
    } else {
        format!("final.{}", m.column)
    }
}

fn read(dir: &Path) -> Result<Option<Design>> {
    if !dir.join("summary.csv").is_file() {
        return Ok(None);
    }
    let mut t = super::data::Table::open(dir, "summary.csv")?;
    let keys: Vec<(usize, String)> = t
        .header
        .iter()
        .enumerate()
        .filter_map(|(i, h)| h.strip_prefix("point.").map(|k| (i, k.to_string())))
        .collect();
    if keys.is_empty() {
        return Ok(None);
    }
    let wanted: Vec<String> = METRICS
        .iter()
        .flat_map(|m| {
            [
                format!("final.{}", m.column),
                format!("post_exit.{}", m.column),
            ]
        })
        .collect();
    let (c_st, c_pt, c_out) = (t.col("strategy")?, t.col("point")?, t.col("outcome")?);
    let (c_mean, c_lo, c_hi, c_n) = (
        t.col("mean")?,
        t.col("ci_low")?,
        t.col("ci_high")?,
        t.col("n")?,
    );
    let mut d = Design {
        keys: keys.iter().map(|(_, k)| k.clone()).collect(),
        ..Design::default()
    };
    t.for_each(|row| {
        let point = row.whole(c_pt)? as usize;
        d.points
            .entry(point)
            .or_insert_with(|| keys.iter().map(|(i, _)| row.str(*i).to_string()).collect());
        let st = row.str(c_st);
        let k = match d.strategies.iter().position(|s| s == st) {
            Some(k) => k,
            None => {
                d.strategies.push(st.to_string());
                d.strategies.len() - 1
            }
        };
        let outcome = row.str(c_out);
        if wanted.iter().any(|w| w == outcome) {
            d.means
                .entry((k, outcome.to_string()))
                .or_default()
                .push(Mean {
                    point,
                    mean: row.num(c_mean)?,
                    lo: row.num(c_lo)?,
                    hi: row.num(c_hi)?,
                    n: row.whole(c_n)?,
                });
        }
        Ok(())
    })?;
    d.baseline = d.strategies.first().cloned().unwrap_or_default();
    if dir.join("compare.csv").is_file() {
        let mut c = super::data::Table::open(dir, "compare.csv")?;
        let (c_st, c_pt, c_out) = (c.col("strategy")?, c.col("point")?, c.col("outcome")?);
        let c_base = c.opt_col("baseline");
        let (c_d, c_lo, c_hi, c_sig) = (
            c.col("difference")?,
            c.col("ci_low")?,
            c.col("ci_high")?,
            c.col("significant")?,
        );
        let mut baseline = None;
        c.for_each(|row| {
            if baseline.is_none() {
                baseline = c_base.map(|b| row.str(b).to_string());
            }
            if c_base.is_some_and(|b| row.str(b) == row.str(c_st)) {
                return Ok(()); // a self-comparison (folders of older versions)
            }
            d.diffs
                .entry(row.str(c_out).to_string())
                .or_default()
                .push(Diff {
                    point: row.whole(c_pt)? as usize,
                    strategy: row.str(c_st).to_string(),
                    difference: row.num(c_d)?,
                    lo: row.num(c_lo)?,
                    hi: row.num(c_hi)?,
                    significant: row.boolean(c_sig)?,
                });
            Ok(())
        })?;
        if let Some(b) = baseline {
            d.baseline = b;
        }
    }
    Ok(Some(d))
}

/// The design section (empty when the folder's `summary.csv` has no varied
/// parameters), and whether it was drawn.
pub(super) fn design_section(dir: &Path, unit: &str) -> Result<String> {
    let Some(d) = read(dir)? else {
        return Ok(String::new());
    };
    let mut h = String::from(r#"<section id="design"><h2>The design</h2>"#);
    let names = short_names(&d.keys);
    let _ = writeln!(
        h,
        "<p>{} design points over {}; {}. The charts below draw every point.</p>",
        d.points.len(),
        super::plural(d.keys.len(), "varied parameter", "varied parameters"),
        d.strategies
            .iter()
            .enumerate()
            .map(|(k, s)| format!(
                r#"<span class="sw" style="background:{}"></span><b>{}</b>{}"#,
                strategy_colour(k),
                escape(s),
                if k == 0 { " (baseline)" } else { "" }
            ))
            .collect::<Vec<_>>()
            .join(", ")
    );
    let drawn = d.keys.len().min(MAX_PARAMETERS);
    if drawn < d.keys.len() {
        let _ = writeln!(
            h,
            r#"<p class="note">Only the first {drawn} of the {} varied parameters have panels ({} not drawn); every parameter is a <code>point.*</code> column of <code>summary.csv</code>.</p>"#,
            d.keys.len(),
            d.keys[drawn..]
                .iter()
                .map(|k| format!("<code>{}</code>", escape(k)))
                .collect::<Vec<_>>()
                .join(", ")
        );
    }
    // Outcome against parameter.
    h.push_str(r#"<h3 id="design-response">Outcomes against each varied parameter</h3>"#);
    let _ = writeln!(
        h,
        "<p>One panel per varied parameter: each point's mean over its replicates \
         (dot) and the 95% confidence interval of that mean (Student's t; whisker), per \
         strategy; the line joins the strategy's means averaged over the other \
         parameters ({} distinct values or fewer: at each value; more: in {BINS} bins of \
         equal width). From <code>summary.csv</code>; values at the organizer's exit plus \
         the horizon where there are any, else at the last {}.</p>",
        MAX_DISTINCT,
        escape(unit)
    );
    for m in &METRICS {
        let outcome = outcome_of(&d, m);
        let _ = write!(
            h,
            r#"<figure id="design-{o}"><h3>{t} (<code>{o}</code>)</h3>{svg}<figcaption>{a}</figcaption></figure>"#,
            o = escape(&outcome),
            t = escape(m.title),
            svg = response_grid(&d, &outcome, m, &names, drawn),
            a = escape(m.about)
        );
    }
    // Forest plots.
    h.push_str(&forests(&d, &names));
    h.push_str("</section>\n");
    Ok(h)
}

/// Positions on a parameter's axis: its values as numbers, or (text values) the
/// index of each distinct value in order of first appearance.
fn positions(values: &[&str]) -> (Vec<f64>, Option<Vec<String>>) {
    let nums: Option<Vec<f64>> = values
        .iter()
        .map(|v| v.trim().parse::<f64>().ok())
        .collect();
    if let Some(n) = nums.filter(|n| n.iter().all(|x| x.is_finite())) {
        return (n, None);
    }
    let mut cats: Vec<String> = Vec::new();
    let pos = values
        .iter()
        .map(|v| match cats.iter().position(|c| c == v) {
            Some(i) => i as f64,
            None => {
                cats.push(v.to_string());
                (cats.len() - 1) as f64
            }
        })
        .collect();
    (pos, Some(cats))
}

/// The trend of one strategy over a parameter: the mean of the points' means at each
/// value (few values) or in equal bins (many), at the mean position of the points.
fn trend(xs: &[f64], ys: &[f64]) -> Vec<(f64, f64)> {
    let mut distinct: Vec<f64> = xs.to_vec();
    distinct.sort_by(f64::total_cmp);
    distinct.dedup();
    let (lo, hi) = (
        distinct.first().copied().unwrap_or(0.0),
        distinct.last().copied().unwrap_or(1.0),
    );
    let bin = |x: f64| -> usize {
        if distinct.len() <= MAX_DISTINCT {
            distinct.iter().position(|&d| d == x).unwrap_or(0)
        } else if hi > lo {
            (((x - lo) / (hi - lo) * BINS as f64) as usize).min(BINS - 1)
        } else {
            0
        }
    };
    let n = if distinct.len() <= MAX_DISTINCT {
        distinct.len()
    } else {
        BINS
    };
    let mut acc = vec![(0.0, 0.0, 0usize); n];
    for (&x, &y) in xs.iter().zip(ys) {
        if y.is_finite() {
            let a = &mut acc[bin(x)];
            a.0 += x;
            a.1 += y;
            a.2 += 1;
        }
    }
    acc.into_iter()
        .filter(|a| a.2 > 0)
        .map(|(x, y, k)| (x / k as f64, y / k as f64))
        .collect()
}

/// One figure: a panel per varied parameter (the first `drawn`) of `outcome`.
fn response_grid(
    d: &Design,
    outcome: &str,
    m: &MetricDef,
    names: &[String],
    drawn: usize,
) -> String {
    const PW: f64 = 300.0;
    const PH: f64 = 230.0;
    let cols = drawn.clamp(1, 4);
    let rows = drawn.div_ceil(cols).max(1);
    let width = cols as f64 * PW;
    let height = rows as f64 * PH + 6.0;
    let mut svg = Svg::new(
        width,
        height,
        &format!(
            r#"class="chart design" {} {}"#,
            attr("data-chart", &format!("design-{outcome}")),
            attr("data-outcome", outcome)
        ),
        &format!("{} against each varied parameter, per strategy", m.title),
    );
    // One y scale for every panel.
    let (mut lo, mut hi) = (f64::INFINITY, f64::NEG_INFINITY);
    for k in 0..d.strategies.len() {
        for x in d.means.get(&(k, outcome.to_string())).into_iter().flatten() {
            for v in [x.mean, x.lo, x.hi] {
                if v.is_finite() {
                    lo = lo.min(v);
                    hi = hi.max(v);
                }
            }
        }
    }
    if let Some((a, b)) = m.bounds {
        lo = lo.max(a);
        hi = hi.min(b);
    }
    if !(lo.is_finite() && hi.is_finite()) {
        (lo, hi) = (0.0, 1.0);
    }
    let y_ticks = nice_ticks(lo, hi, 5);
    let y_dom = (
        y_ticks.first().copied().unwrap_or(0.0),
        y_ticks.last().copied().unwrap_or(1.0),
    );
    let cut = |v: f64| match m.bounds {
        Some((a, b)) if v.is_finite() => v.clamp(a, b),
        _ => v,
    };
    for (j, key) in d.keys.iter().take(drawn).enumerate() {
        let (ox, oy) = ((j % cols) as f64 * PW, (j / cols) as f64 * PH);
        let (left, right, top, bottom) = (ox + 50.0, ox + PW - 14.0, oy + 22.0, oy + PH - 40.0);
        let mut order: Vec<usize> = d.points.keys().copied().collect();
        order.sort_unstable();
        let texts: Vec<&str> = order.iter().map(|p| d.points[p][j].as_str()).collect();
        let (pos, cats) = positions(&texts);
        let at: HashMap<usize, f64> = order.iter().copied().zip(pos.iter().copied()).collect();
        let (x_lo, x_hi) = pos
            .iter()
            .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), &x| {
                (a.min(x), b.max(x))
            });
        let (x_lo, x_hi) = if cats.is_some() {
            (x_lo - 0.5, x_hi + 0.5)
        } else {
            (x_lo, x_hi)
        };
        let x_ticks = match &cats {
            Some(c) => (0..c.len()).map(|i| i as f64).collect(),
            None => super::svg::ticks_within(x_lo, x_hi, 5),
        };
        let pad = if cats.is_none() {
            (x_hi - x_lo) * 0.04
        } else {
            0.0
        };
        let xs = LinearScale::new((x_lo - pad, x_hi + pad), (left, right));
        let ys = LinearScale::new(y_dom, (bottom, top));
        svg.open(&format!(
            r#"class="panel" {} {}"#,
            attr("data-param", key),
            attr("data-points", &order.len().to_string())
        ));
        svg.raw(&format!(
            r#"<text x="{}" y="{}" class="panel-title">{}<title>{}</title></text>"#,
            f(left),
            f(oy + 14.0),
            escape(&truncate(&names[j], PW - 60.0, 13.0)),
            escape(key)
        ));
        axis_left(
            &mut svg,
            &ys,
            &y_ticks,
            left,
            Some(right),
            (j % cols == 0).then_some((m.axis, ox + 12.0)),
        );
        match &cats {
            None => axis_bottom(&mut svg, &xs, &x_ticks, bottom, None, Some(&names[j])),
            Some(c) => {
                svg.line(left, bottom, right, bottom, r#"class="domain""#);
                for (i, name) in c.iter().enumerate() {
                    svg.text(
                        xs.map(i as f64),
                        bottom + 15.0,
                        &truncate(name, (right - left) / c.len() as f64, 11.0),
                        r#"text-anchor="middle""#,
                    );
                }
                svg.text(
                    (left + right) / 2.0,
                    bottom + 32.0,
                    &names[j],
                    r#"class="axis-label" text-anchor="middle""#,
                );
            }
        }
        // Strategies side by side at a value where values repeat (grids).
        let repeats = {
            let mut p = pos.clone();
            p.sort_by(f64::total_cmp);
            p.dedup();
            p.len() <= MAX_DISTINCT
        };
        let ns = d.strategies.len() as f64;
        let spacing = if repeats {
            ((right - left) / (x_ticks.len().max(2) as f64) * 0.25).min(18.0)
        } else {
            0.0
        };
        for (k, st) in d.strategies.iter().enumerate() {
            let colour = strategy_colour(k);
            let dodge = (k as f64 - (ns - 1.0) / 2.0) * spacing / ns.max(1.0);
            let Some(ms) = d.means.get(&(k, outcome.to_string())) else {
                continue;
            };
            svg.open(&format!(
                r#"class="strategy" {}"#,
                attr("data-strategy", st)
            ));
            for x in ms {
                let Some(&p) = at.get(&x.point) else {
                    continue;
                };
                let px = xs.map(p) + dodge;
                svg.open(&format!(
                    r#"class="pt" data-point="{}" data-x="{}" data-mean="{}" data-lo="{}" data-hi="{}""#,
                    x.point,
                    escape(&d.points[&x.point][j]),
                    x.mean,
                    x.lo,
                    x.hi
                ));
                svg.title(&format!(
                    "{st}, point {}: {}; mean {} (95% CI {} to {}, n = {})",
                    x.point,
                    point_label(d, names, x.point),
                    fmt_value(x.mean),
                    fmt_value(x.lo),
                    fmt_value(x.hi),
                    x.n
                ));
                if x.lo.is_finite() && x.hi.is_finite() {
                    svg.line(
                        px,
                        ys.map(cut(x.lo)),
                        px,
                        ys.map(cut(x.hi)),
                        &format!(r#"stroke="{colour}" stroke-opacity="0.35" stroke-width="1""#),
                    );
                }
                if x.mean.is_finite() {
                    svg.circle(
                        px,
                        ys.map(x.mean),
                        2.4,
                        &format!(r#"fill="{colour}" fill-opacity="0.75""#),
                    );
                }
                svg.close();
            }
            let (tx, ty): (Vec<f64>, Vec<f64>) = ms
                .iter()
                .filter_map(|x| at.get(&x.point).map(|&p| (p, x.mean)))
                .unzip();
            let line: Vec<(f64, f64)> = trend(&tx, &ty)
                .into_iter()
                .map(|(x, y)| (xs.map(x) + dodge, ys.map(y)))
                .collect();
            svg.path(
                &super::svg::line_path(&line),
                &format!(r#"class="trend" fill="none" stroke="{colour}" stroke-width="2.2""#),
            );
            svg.close();
        }
        svg.close();
    }
    svg.finish()
}

/// A point's values, short: `bias 0.418, contacts 7`.
fn point_label(d: &Design, names: &[String], point: usize) -> String {
    d.points
        .get(&point)
        .map(|v| {
            names
                .iter()
                .zip(v)
                .map(|(n, x)| format!("{n} {}", short_value(x)))
                .collect::<Vec<_>>()
                .join(", ")
        })
        .unwrap_or_default()
}

/// The forest plots: one per ranked outcome after the exit (else at the end).
fn forests(d: &Design, names: &[String]) -> String {
    let mut h = String::from(r#"<h3 id="design-forest">Paired differences from the baseline</h3>"#);
    let outcomes: Vec<String> = ["capacity", "access_gap", "unreached_marginalized"]
        .iter()
        .map(|c| {
            let post = format!("post_exit.{c}");
            if d.diffs
                .get(&post)
                .is_some_and(|v| v.iter().any(|x| x.difference.is_finite()))
            {
                post
            } else {
                format!("final.{c}")
            }
        })
        .collect();
    if d.strategies.len() < 2 || outcomes.iter().all(|o| !d.diffs.contains_key(o)) {
        h.push_str(r#"<p class="note">No paired differences: the scenario has one strategy, so <code>compare.csv</code> has no rows.</p>"#);
        return h;
    }
    let _ = writeln!(
        h,
        "<p>Each row is one strategy at one design point: its mean difference from \
         <b>{}</b>, paired by replicate (the same village and shocks), with the 95% \
         confidence interval of the paired t-test, as in <code>compare.csv</code>. A filled \
         dot is significant (the interval excludes 0), a hollow one is not. With more than \
         {SORT_ABOVE} rows they are sorted by the difference; rows name the point and its \
         values.</p>",
        escape(&d.baseline)
    );
    h.push_str(r#"<div class="forest-grid">"#);
    for o in &outcomes {
        let Some(rows) = d.diffs.get(o) else {
            continue;
        };
        let higher = super::METRICS
            .iter()
            .find(|m| o.ends_with(m.column))
            .is_some_and(|m| m.higher_is_better);
        let mut lines = Vec::new();
        for (k, st) in d.strategies.iter().enumerate().skip(1) {
            let of: Vec<&Diff> = rows.iter().filter(|r| &r.strategy == st).collect();
            let sig = of.iter().filter(|r| r.significant).count();
            let better = of
                .iter()
                .filter(|r| r.significant && ((r.difference > 0.0) == higher))
                .count();
            lines.push(format!(
                r#"<span class="sw" style="background:{}"></span><b>{}</b> − {}: significant at {} of {} points ({} better, {} worse)"#,
                strategy_colour(k),
                escape(st),
                escape(&d.baseline),
                sig,
                of.len(),
                better,
                sig - better
            ));
        }
        let (svg, note) = forest(d, o, rows, names, higher);
        let _ = write!(
            h,
            r#"<figure id="forest-{o}"><h3><code>{o}</code></h3><p class="trace">{}</p>{note}{svg}<figcaption>{} is better. From <code>compare.csv</code>.</figcaption></figure>"#,
            lines.join("<br>"),
            if higher { "Higher" } else { "Lower" },
            o = escape(o),
        );
    }
    h.push_str("</div>");
    h
}

/// One forest plot and a note when rows were left out.
fn forest(
    d: &Design,
    outcome: &str,
    rows: &[Diff],
    names: &[String],
    higher: bool,
) -> (String, String) {
    const ROW: f64 = 12.0;
    let mut order: Vec<&Diff> = rows.iter().collect();
    let sorted = order.len() > SORT_ABOVE;
    if sorted {
        order.sort_by(|a, b| {
            let o = b.difference.total_cmp(&a.difference);
            if higher { o } else { o.reverse() }
        });
    }
    let mut note = String::new();
    let mut gap = None;
    if order.len() > MAX_FOREST_ROWS {
        let half = MAX_FOREST_ROWS / 2;
        let left_out = order.len() - MAX_FOREST_ROWS;
        note = format!(
            r#"<p class="note">{} rows: the {half} best and the {half} worst are drawn; the {left_out} between them are in <code>compare.csv</code> (outcome <code>{}</code>).</p>"#,
            order.len(),
            escape(outcome)
        );
        let tail = order.split_off(order.len() - half);
        order.truncate(half);
        gap = Some((half, left_out));
        order.extend(tail);
    }
    // Rows are labelled by the point's values alone, in the order the head names.
    let values_of = |p: usize| -> String {
        d.points
            .get(&p)
            .map(|v| {
                v.iter()
                    .map(|x| short_value(x))
                    .collect::<Vec<_>>()
                    .join(" · ")
            })
            .unwrap_or_default()
    };
    let label_of = |r: &Diff| -> String {
        let st = if d.strategies.len() > 2 {
            format!("{} ", r.strategy)
        } else {
            String::new()
        };
        format!("{st}#{} {}", r.point, values_of(r.point))
    };
    let head: Vec<String> = std::iter::once("#".to_string())
        .chain(names.iter().cloned())
        .collect();
    let label_w = order
        .iter()
        .map(|r| text_width(&label_of(r), 10.0))
        .fold(80.0, f64::max)
        .min(200.0);
    let left = label_w + 10.0;
    let right = left + 150.0;
    let width = right + 16.0;
    // The head names the values' order, wrapped to the width.
    let mut head_lines: Vec<String> = vec![String::new()];
    for (i, n) in head.iter().enumerate() {
        let last = head_lines.last_mut().expect("one line");
        let candidate = match i {
            0 => n.clone(),
            1 => format!("{last} {n}"),
            _ => format!("{last} · {n}"),
        };
        if i > 1 && text_width(&candidate, 10.0) > width - 4.0 {
            last.push_str(" ·");
            head_lines.push(n.clone());
        } else {
            *last = candidate;
        }
    }
    let top = 8.0 + 12.0 * head_lines.len() as f64;
    let n_rows = order.len() + usize::from(gap.is_some());
    let bottom = top + n_rows.max(1) as f64 * ROW;
    let height = bottom + 40.0;
    let mut svg = Svg::new(
        width,
        height,
        &format!(
            r#"class="chart forest" {} {}"#,
            attr("data-chart", &format!("forest-{outcome}")),
            attr("data-rows", &order.len().to_string())
        ),
        &format!(
            "Paired differences from {} in {outcome}, per point",
            d.baseline
        ),
    );
    let (mut lo, mut hi) = (0.0f64, 0.0f64);
    for r in &order {
        for v in [r.difference, r.lo, r.hi] {
            if v.is_finite() {
                lo = lo.min(v);
                hi = hi.max(v);
            }
        }
    }
    let ticks = nice_ticks(lo, hi, 4);
    let dom = (
        ticks.first().copied().unwrap_or(-1.0),
        ticks.last().copied().unwrap_or(1.0),
    );
    let xs = LinearScale::new(dom, (left, right));
    axis_bottom(
        &mut svg,
        &xs,
        &ticks,
        bottom,
        Some(top),
        Some(&format!("difference from {}", d.baseline)),
    );
    svg.line(
        xs.map(0.0),
        top,
        xs.map(0.0),
        bottom,
        r##"stroke="#333" stroke-width="1""##,
    );
    for (i, line) in head_lines.iter().enumerate() {
        svg.text(
            2.0,
            11.0 + 12.0 * i as f64,
            &truncate(line, width - 4.0, 10.0),
            r#"class="mark-label" font-weight="bold""#,
        );
    }
    let mut y = top;
    for (i, r) in order.iter().enumerate() {
        if gap.is_some_and(|(at, _)| at == i) {
            let (_, n) = gap.unwrap_or_default();
            svg.text(
                left - 6.0,
                y + ROW - 3.0,
                &format!("… {n} rows in compare.csv"),
                r#"class="note" text-anchor="end""#,
            );
            y += ROW;
        }
        let k = d
            .strategies
            .iter()
            .position(|s| *s == r.strategy)
            .unwrap_or(1);
        let colour = strategy_colour(k);
        let mid = y + ROW / 2.0;
        svg.open(&format!(
            r#"class="diff" data-point="{}" {} data-difference="{}" data-lo="{}" data-hi="{}" data-significant="{}""#,
            r.point,
            attr("data-strategy", &r.strategy),
            r.difference,
            r.lo,
            r.hi,
            r.significant
        ));
        svg.title(&format!(
            "{} at point {} ({}): difference {} (95% CI {} to {}){}",
            r.strategy,
            r.point,
            point_label(d, names, r.point),
            fmt_value(r.difference),
            fmt_value(r.lo),
            fmt_value(r.hi),
            if r.significant {
                ""
            } else {
                ", not significant"
            }
        ));
        svg.text(
            left - 6.0,
            mid + 3.5,
            &truncate(&label_of(r), label_w, 10.0),
            r#"class="mark-label" text-anchor="end""#,
        );
        if r.lo.is_finite() && r.hi.is_finite() {
            svg.line(
                xs.map(r.lo),
                mid,
                xs.map(r.hi),
                mid,
                &format!(r#"stroke="{colour}" stroke-width="1.3""#),
            );
        }
        if r.difference.is_finite() {
            svg.circle(
                xs.map(r.difference),
                mid,
                3.0,
                &if r.significant {
                    format!(r#"fill="{colour}""#)
                } else {
                    format!(r##"fill="#fff" stroke="{colour}" stroke-width="1.3""##)
                },
            );
        }
        svg.close();
        y += ROW;
    }
    (svg.finish(), note)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_are_written_short() {
        assert_eq!(short_value("0.4177855213809799"), "0.418");
        assert_eq!(short_value("12"), "12");
        assert_eq!(short_value("12.3456"), "12.3");
        assert_eq!(short_value("0.00012345"), "0.000123");
        assert_eq!(short_value("0.5"), "0.5");
        assert_eq!(short_value("inclusive"), "inclusive");
        assert_eq!(short_value("1234.56"), "1235");
    }

    #[test]
    fn short_names_stay_apart() {
        let p = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        assert_eq!(
            short_names(&p(&["economy.systemic_bias", "organizer.exit_step"])),
            p(&["systemic_bias", "exit_step"])
        );
        assert_eq!(
            short_names(&p(&["stages.design.max_steps", "stages.action.max_steps"])),
            p(&["design.max_steps", "action.max_steps"])
        );
    }
}
