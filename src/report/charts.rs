//! The report's charts, each one self-contained `<svg>` element: time series as
//! small multiples with confidence bands, ranked bars with confidence intervals, the
//! stage timeline and the village network.
//!
//! Every chart is an `<svg class="chart" data-chart="ID">`; its data marks carry the
//! classes and `data-*` attributes the tests (and a reader of the source) use: `mean`
//! and `band` paths, `bar` groups with `data-label` and `data-mean`, `stage` rects and
//! `hh` households.

use super::data::MeanCi;
use super::svg::{
    LinearScale, OKABE_ITO, Svg, attr, axis_bottom, axis_left, band_path, escape, f, fmt_step,
    fmt_value, line_path, nice_ticks, text_width, ticks_within, truncate,
};
use std::fmt::Write;

/// Fill colours of the five stages (Okabe–Ito): immersion, investigation, design,
/// action, organization.
pub const STAGE_COLOURS: [&str; 5] = ["#E69F00", "#56B4E9", "#009E73", "#F0E442", "#CC79A7"];

/// Colour of a mean line and its band.
pub const SERIES_COLOUR: &str = OKABE_ITO[4];
/// Colour of the organizer's exit mark.
pub const EXIT_COLOUR: &str = OKABE_ITO[5];
/// Colour of the reference strategy's bars.
pub const REFERENCE_COLOUR: &str = OKABE_ITO[0];
/// Colours of groups in the network, in group order (then repeated).
pub const GROUP_COLOURS: [&str; 7] = [
    "#E69F00", "#56B4E9", "#009E73", "#CC79A7", "#F0E442", "#0072B2", "#D55E00",
];

/// One stage of one strategy: mean start and end over the runs that reached it.
#[derive(Debug, Clone, PartialEq)]
pub struct StageSpan {
    /// Stage number, 1–5.
    pub number: usize,
    /// Stage name.
    pub name: String,
    /// Mean start step.
    pub start: f64,
    /// Mean end step.
    pub end: f64,
    /// Runs that reached the stage.
    pub reached: usize,
    /// Runs of the strategy.
    pub runs: usize,
    /// Runs in which it was skipped.
    pub skipped: usize,
    /// How the stage ended, with counts (`criterion 97, timeout 3`).
    pub ended_by: String,
}

impl StageSpan {
    /// Whether the stage counts as skipped (in most runs that reached it).
    pub fn is_skipped(&self) -> bool {
        self.reached > 0 && self.skipped * 2 > self.reached
    }

    fn colour(&self) -> &'static str {
        STAGE_COLOURS[(self.number.clamp(1, 5)) - 1]
    }

    fn tooltip(&self) -> String {
        if self.is_skipped() {
            return format!(
                "{}: skipped (in {} of {} runs)",
                self.name, self.skipped, self.runs
            );
        }
        format!(
            "{}: steps {} to {} (mean over the {} of {} runs that reached it; ended by {})",
            self.name,
            fmt_step(self.start),
            fmt_step(self.end),
            self.reached,
            self.runs,
            self.ended_by
        )
    }
}

/// One panel of a time-series chart: one strategy's mean and 95% band over steps.
#[derive(Debug, Clone, PartialEq)]
pub struct Panel {
    /// Strategy (cell) name.
    pub label: String,
    /// Steps.
    pub x: Vec<f64>,
    /// Mean at each step.
    pub mean: Vec<f64>,
    /// Lower end of the 95% interval at each step (NaN where there is none).
    pub lo: Vec<f64>,
    /// Upper end of the 95% interval.
    pub hi: Vec<f64>,
    /// Stage periods to shade.
    pub stages: Vec<StageSpan>,
    /// The organizer's entry step (marked when after 0).
    pub entry: Option<f64>,
    /// The organizer's exit step.
    pub exit: Option<f64>,
    /// Runs summarized.
    pub runs: usize,
    /// Lines drawn instead of the mean and band: one mean per social group, coloured
    /// by [`GROUP_COLOURS`] in order, sharing `x` (empty for a one-line panel).
    pub lines: Vec<(String, Vec<f64>)>,
}

/// Font size of panel titles, in pixels, with a margin for their bold face.
const TITLE_PX: f64 = 13.0;
/// Width of the whole grid of panels, in pixels.
const GRID_W: f64 = 1200.0;

/// Small multiples, one panel per strategy, sharing both axes: each strategy's mean
/// (line) and 95% band, the first panel's mean as a dashed reference line in the
/// others, its stage periods shaded and the organizer's exit marked. A measure with
/// `bounds` (a share in [0, 1]) has its band cut at them: a t interval of a mean
/// near 0 can reach below a value no run can take.
pub fn timeseries_grid(
    id: &str,
    label: &str,
    y_label: &str,
    panels: &[Panel],
    bounds: Option<(f64, f64)>,
) -> String {
    let cut = |v: f64| match bounds {
        Some((a, b)) if v.is_finite() => v.clamp(a, b),
        _ => v,
    };
    let clipped: Vec<Panel> = panels
        .iter()
        .map(|p| Panel {
            lo: p.lo.iter().map(|&v| cut(v)).collect(),
            hi: p.hi.iter().map(|&v| cut(v)).collect(),
            ..p.clone()
        })
        .collect();
    let panels = &clipped[..];
    let cols = panels.len().clamp(1, 4);
    let rows = panels.len().div_ceil(cols).max(1);
    // Four panels a row at 300 px; fewer panels get wider (up to 600 px) and taller.
    let pw = (GRID_W / cols as f64).min(600.0);
    // Titles that do not fit on one line (long labels of design points) take more:
    // the strategy, then the point's values, wrapped at their commas.
    let title_w = pw - 20.0;
    let title_of = |p: &Panel| format!("{} (n = {})", p.label, p.runs);
    let title_lines = |p: &Panel| -> Vec<String> {
        let title = title_of(p);
        if text_width(&title, TITLE_PX) <= title_w {
            return vec![title];
        }
        let Some((a, b)) = p.label.split_once(" · ") else {
            return vec![title];
        };
        let mut lines = vec![a.to_string()];
        let mut line = String::new();
        let rest = format!("{b} (n = {})", p.runs);
        for (i, part) in rest.split(", ").enumerate() {
            let candidate = if line.is_empty() {
                part.to_string()
            } else {
                format!("{line}, {part}")
            };
            // Room for the comma a broken line ends with.
            if i > 0 && text_width(&format!("{candidate},"), TITLE_PX) > title_w {
                lines.push(format!("{line},"));
                line = part.to_string();
            } else {
                line = candidate;
            }
        }
        lines.push(line);
        lines
    };
    let most_lines = panels
        .iter()
        .map(|p| title_lines(p).len())
        .max()
        .unwrap_or(1);
    let extra = 13.0 * (most_lines - 1) as f64;
    let ph = 190.0 + (pw - 300.0) * 0.25 + extra;
    let width = cols as f64 * pw;
    let height = rows as f64 * ph + 8.0;
    let mut svg = Svg::new(
        width,
        height,
        &format!(r#"class="chart timeseries" {}"#, attr("data-chart", id)),
        label,
    );
    let (mut lo, mut hi) = (0.0f64, f64::NEG_INFINITY);
    let mut x_max = 0.0f64;
    for p in panels {
        let lines = p.lines.iter().flat_map(|(_, v)| v);
        for v in p.mean.iter().chain(&p.lo).chain(&p.hi).chain(lines) {
            if v.is_finite() {
                lo = lo.min(*v);
                hi = hi.max(*v);
            }
        }
        for v in &p.x {
            if v.is_finite() {
                x_max = x_max.max(*v);
            }
        }
    }
    if !hi.is_finite() {
        hi = 1.0;
    }
    let y_ticks = nice_ticks(lo, hi, 5);
    let y_dom = (
        y_ticks.first().copied().unwrap_or(0.0),
        y_ticks.last().copied().unwrap_or(1.0),
    );
    let x_max = if x_max > 0.0 { x_max } else { 1.0 };
    let x_ticks = ticks_within(0.0, x_max, 5);
    let reference = panels.first();
    for (k, p) in panels.iter().enumerate() {
        let ox = (k % cols) as f64 * pw;
        let oy = (k / cols) as f64 * ph;
        let (left, right, top, bottom) =
            (ox + 46.0, ox + pw - 14.0, oy + 24.0 + extra, oy + ph - 34.0);
        let xs = LinearScale::new((0.0, x_max), (left, right));
        let ys = LinearScale::new(y_dom, (bottom, top));
        svg.open(&format!(
            r#"class="panel" {}"#,
            attr("data-label", &p.label)
        ));
        let title = title_of(p);
        let lines = title_lines(p);
        let mut tspans = String::new();
        for (j, line) in lines.iter().enumerate() {
            let _ = write!(
                tspans,
                r#"<tspan x="{}" dy="{}">{}</tspan>"#,
                f(ox + 16.0),
                if j == 0 { "0" } else { "13" },
                escape(&truncate(line, title_w, TITLE_PX))
            );
        }
        svg.raw(&format!(
            r#"<text y="{}" class="panel-title">{tspans}<title>{}</title></text>"#,
            f(oy + 14.0),
            escape(&title)
        ));
        // Stage periods.
        for s in p
            .stages
            .iter()
            .filter(|s| !s.is_skipped() && s.end > s.start)
        {
            let x0 = xs.map(s.start.clamp(0.0, x_max));
            let x1 = xs.map(s.end.clamp(0.0, x_max));
            svg.raw(&format!(
                r#"<rect class="stage-shade" x="{}" y="{}" width="{}" height="{}" fill="{}" fill-opacity="0.22"><title>{}</title></rect>"#,
                f(x0),
                f(top),
                f((x1 - x0).max(0.0)),
                f(bottom - top),
                s.colour(),
                escape(&s.tooltip())
            ));
        }
        axis_left(
            &mut svg,
            &ys,
            &y_ticks,
            left,
            Some(right),
            (k % cols == 0).then_some((y_label, ox + 12.0)),
        );
        axis_bottom(&mut svg, &xs, &x_ticks, bottom, Some(top), None);
        // The organizer's presence.
        for (step, what) in [(p.entry.filter(|&e| e > 0.0), "entry"), (p.exit, "exit")] {
            if let Some(t) = step.filter(|t| *t <= x_max) {
                let x = xs.map(t);
                svg.raw(&format!(
                    r#"<g class="{what}"><line x1="{x}" y1="{y0}" x2="{x}" y2="{y1}" stroke="{c}" stroke-width="1.5" stroke-dasharray="4 3"/><text x="{tx}" y="{ty}" fill="{c}" class="mark-label">{what} {s}</text><title>organizer's {what}: step {s}</title></g>"#,
                    x = f(x),
                    y0 = f(top),
                    y1 = f(bottom),
                    c = EXIT_COLOUR,
                    tx = f(x + 3.0),
                    ty = f(top + 10.0),
                    s = fmt_step(t),
                ));
            }
        }
        let px: Vec<f64> = p.x.iter().map(|&v| xs.map(v)).collect();
        let map_y = |v: &[f64]| -> Vec<f64> {
            v.iter()
                .map(|&y| if y.is_finite() { ys.map(y) } else { f64::NAN })
                .collect()
        };
        if !p.lines.is_empty() {
            // One mean line per group, in the groups' colours.
            for (g, (name, values)) in p.lines.iter().enumerate() {
                let pts: Vec<(f64, f64)> = px.iter().copied().zip(map_y(values)).collect();
                svg.path(
                    &line_path(&pts),
                    &format!(
                        r#"class="mean" fill="none" stroke="{}" stroke-width="2" {}"#,
                        GROUP_COLOURS[g % GROUP_COLOURS.len()],
                        attr("data-group", name)
                    ),
                );
            }
            svg.close();
            continue;
        }
        let band = band_path(&px, &map_y(&p.lo), &map_y(&p.hi));
        svg.path(
            &band,
            &format!(
                r#"class="band" fill="{SERIES_COLOUR}" fill-opacity="0.28" stroke="none" {}"#,
                attr("data-label", &p.label)
            ),
        );
        if let Some(r) = reference.filter(|_| k > 0) {
            let pts: Vec<(f64, f64)> =
                r.x.iter()
                    .zip(&r.mean)
                    .map(|(&x, &y)| (xs.map(x), if y.is_finite() { ys.map(y) } else { f64::NAN }))
                    .collect();
            svg.path(
                &line_path(&pts),
                r##"class="ref" fill="none" stroke="#000" stroke-opacity="0.6" stroke-width="1.2" stroke-dasharray="3 3""##,
            );
        }
        let pts: Vec<(f64, f64)> = px
            .iter()
            .zip(map_y(&p.mean))
            .map(|(&x, y)| (x, y))
            .collect();
        svg.path(
            &line_path(&pts),
            &format!(
                r#"class="mean" fill="none" stroke="{SERIES_COLOUR}" stroke-width="2" {}"#,
                attr("data-label", &p.label)
            ),
        );
        svg.close();
    }
    svg.finish()
}

/// One bar: a strategy's mean outcome and its 95% interval.
#[derive(Debug, Clone, PartialEq)]
pub struct Bar {
    /// Strategy (cell) name.
    pub label: String,
    /// Mean and interval.
    pub ci: MeanCi,
    /// Whether this is the reference strategy (drawn in its own colour).
    pub reference: bool,
}

/// Ranks bars best first: by mean, descending when higher is better, else
/// ascending; bars without a mean last; ties keep their order.
pub fn rank(bars: &mut [Bar], higher_is_better: bool) {
    bars.sort_by(|a, b| {
        let (x, y) = (a.ci.mean, b.ci.mean);
        match (x.is_finite(), y.is_finite()) {
            (true, true) => {
                if higher_is_better {
                    y.total_cmp(&x)
                } else {
                    x.total_cmp(&y)
                }
            }
            (true, false) => std::cmp::Ordering::Less,
            (false, true) => std::cmp::Ordering::Greater,
            (false, false) => std::cmp::Ordering::Equal,
        }
    });
}

/// Horizontal bars in the given order (rank them first with [`rank`]), each with its
/// 95% interval as a whisker and its mean written at the right.
pub fn ranked_bars(id: &str, label: &str, x_label: &str, bars: &[Bar]) -> String {
    const ROW: f64 = 21.0;
    let label_w = bars
        .iter()
        .map(|b| text_width(&b.label, 12.0))
        .fold(60.0, f64::max)
        .min(260.0);
    let left = label_w + 14.0;
    let plot_w = 300.0;
    let right = left + plot_w;
    let width = right + 64.0;
    let top = 8.0;
    let bottom = top + bars.len().max(1) as f64 * ROW;
    let height = bottom + 44.0;
    let mut svg = Svg::new(
        width,
        height,
        &format!(r#"class="chart bars" {}"#, attr("data-chart", id)),
        label,
    );
    let (mut lo, mut hi) = (0.0f64, 0.0f64);
    for b in bars {
        for v in [b.ci.mean, b.ci.lo, b.ci.hi] {
            if v.is_finite() {
                lo = lo.min(v);
                hi = hi.max(v);
            }
        }
    }
    let ticks = nice_ticks(lo, hi, 5);
    let dom = (
        ticks.first().copied().unwrap_or(0.0),
        ticks.last().copied().unwrap_or(1.0),
    );
    let xs = LinearScale::new(dom, (left, right));
    axis_bottom(&mut svg, &xs, &ticks, bottom, Some(top), Some(x_label));
    let x0 = xs.map(0.0);
    for (i, b) in bars.iter().enumerate() {
        let y = top + i as f64 * ROW;
        let mid = y + ROW / 2.0;
        let mut g = format!(
            r#"class="bar" {} data-mean="{}" data-lo="{}" data-hi="{}" data-n="{}""#,
            attr("data-label", &b.label),
            b.ci.mean,
            b.ci.lo,
            b.ci.hi,
            b.ci.n
        );
        if b.reference {
            g.push_str(r#" data-reference="true""#);
        }
        svg.open(&g);
        svg.title(&format!(
            "{}: mean {} (95% CI {} to {}, n = {})",
            b.label,
            fmt_value(b.ci.mean),
            fmt_value(b.ci.lo),
            fmt_value(b.ci.hi),
            b.ci.n
        ));
        svg.text(
            left - 8.0,
            mid + 4.0,
            &truncate(&b.label, label_w, 12.0),
            if b.reference {
                r#"text-anchor="end" font-weight="bold""#
            } else {
                r#"text-anchor="end""#
            },
        );
        if b.ci.mean.is_finite() {
            let xm = xs.map(b.ci.mean);
            let colour = if b.reference {
                REFERENCE_COLOUR
            } else {
                SERIES_COLOUR
            };
            svg.rect(
                x0.min(xm),
                y + 4.0,
                (xm - x0).abs().max(1.0),
                ROW - 8.0,
                &format!(r#"fill="{colour}""#),
            );
            if b.ci.lo.is_finite() && b.ci.hi.is_finite() {
                let (a, c) = (xs.map(b.ci.lo), xs.map(b.ci.hi));
                let d = format!(
                    "M{} {}L{} {}M{} {}L{} {}M{} {}L{} {}",
                    f(a),
                    f(mid),
                    f(c),
                    f(mid),
                    f(a),
                    f(mid - 5.0),
                    f(a),
                    f(mid + 5.0),
                    f(c),
                    f(mid - 5.0),
                    f(c),
                    f(mid + 5.0)
                );
                svg.path(
                    &d,
                    r##"class="ci" stroke="#000" stroke-width="1.3" fill="none""##,
                );
            }
        }
        svg.text(
            right + 8.0,
            mid + 4.0,
            &fmt_value(b.ci.mean),
            r#"class="value""#,
        );
        svg.close();
    }
    svg.line(x0, top, x0, bottom, r##"stroke="#333" stroke-width="1""##);
    svg.finish()
}

/// One row of the stage timeline.
#[derive(Debug, Clone, PartialEq)]
pub struct TimelineRow {
    /// Strategy (cell) name.
    pub label: String,
    /// Its five stages (those reached by any run).
    pub stages: Vec<StageSpan>,
    /// The organizer's entry step.
    pub entry: Option<f64>,
    /// The organizer's exit step.
    pub exit: Option<f64>,
}

/// The stage timeline: a row per strategy, a bar per stage from its mean start to
/// its mean end, skipped stages named at the row's end, the organizer's exit marked.
pub fn stage_timeline(
    id: &str,
    label: &str,
    x_label: &str,
    rows: &[TimelineRow],
    steps: f64,
) -> String {
    const ROW: f64 = 26.0;
    let label_w = rows
        .iter()
        .map(|r| text_width(&r.label, 12.0))
        .fold(60.0, f64::max)
        .min(260.0);
    let left = label_w + 14.0;
    let plot_w = 640.0;
    let right = left + plot_w;
    let width = right + 250.0;
    let top = 8.0;
    let bottom = top + rows.len().max(1) as f64 * ROW;
    let height = bottom + 44.0;
    let steps = if steps > 0.0 { steps } else { 1.0 };
    let mut svg = Svg::new(
        width,
        height,
        &format!(r#"class="chart timeline" {}"#, attr("data-chart", id)),
        label,
    );
    let xs = LinearScale::new((0.0, steps), (left, right));
    let ticks = ticks_within(0.0, steps, 8);
    axis_bottom(&mut svg, &xs, &ticks, bottom, Some(top), Some(x_label));
    for (i, r) in rows.iter().enumerate() {
        let y = top + i as f64 * ROW;
        let mid = y + ROW / 2.0;
        svg.open(&format!(r#"class="row" {}"#, attr("data-label", &r.label)));
        svg.text(
            left - 8.0,
            mid + 4.0,
            &truncate(&r.label, label_w, 12.0),
            r#"text-anchor="end""#,
        );
        let mut skipped = Vec::new();
        for s in &r.stages {
            if s.is_skipped() {
                continue;
            }
            let x0 = xs.map(s.start.clamp(0.0, steps));
            let x1 = xs.map(s.end.clamp(0.0, steps));
            let w = (x1 - x0).max(1.5);
            let partial = s.reached < s.runs;
            svg.raw(&format!(
                r#"<rect class="stage" data-stage="{}" data-start="{}" data-end="{}" x="{}" y="{}" width="{}" height="{}" fill="{}" stroke="{}" stroke-width="1"{}><title>{}</title></rect>"#,
                escape(&s.name),
                s.start,
                s.end,
                f(x0),
                f(y + 5.0),
                f(w),
                f(ROW - 10.0),
                s.colour(),
                "#333",
                if partial { r#" stroke-dasharray="3 2""# } else { "" },
                escape(&s.tooltip())
            ));
            if w > 16.0 {
                svg.text(
                    x0 + w / 2.0,
                    mid + 4.0,
                    &roman(s.number),
                    r#"class="stage-num" text-anchor="middle""#,
                );
            }
        }
        // Skipped stages last, on top of the bars beside them.
        for s in r.stages.iter().filter(|s| s.is_skipped()) {
            skipped.push(s.name.as_str());
            let x = xs.map(s.start.clamp(0.0, steps));
            svg.raw(&format!(
                r##"<path class="skipped" d="M{} {}l5 5l-5 5l-5 -5Z" fill="#fff" stroke="{}" stroke-width="1.5"><title>{}</title></path>"##,
                f(x),
                f(mid - 5.0),
                s.colour(),
                escape(&s.tooltip())
            ));
        }
        if let Some(t) = r.exit.filter(|&t| t <= steps) {
            let x = xs.map(t);
            svg.raw(&format!(
                r#"<g class="exit"><line x1="{x}" y1="{}" x2="{x}" y2="{}" stroke="{EXIT_COLOUR}" stroke-width="2.5"/><title>organizer's exit: step {}</title></g>"#,
                f(y + 2.0),
                f(y + ROW - 2.0),
                fmt_step(t),
                x = f(x)
            ));
        }
        if !skipped.is_empty() {
            svg.text(
                right + 10.0,
                mid + 4.0,
                &format!("skipped: {}", skipped.join(", ")),
                r#"class="note""#,
            );
        }
        svg.close();
    }
    svg.finish()
}

/// The stage number as a Roman numeral (I–V), as Hartini numbers them.
pub fn roman(n: usize) -> String {
    ["I", "II", "III", "IV", "V"]
        .get(n.wrapping_sub(1))
        .map_or_else(|| n.to_string(), |s| s.to_string())
}

/// A household drawn in the network.
#[derive(Debug, Clone, PartialEq)]
pub struct NetNode {
    /// Position in the unit square.
    pub pos: (f64, f64),
    /// Group number (colour).
    pub group: usize,
    /// Household id.
    pub id: u64,
    /// Member of the people's organization (`None`: state unknown).
    pub member: Option<bool>,
    /// Leader.
    pub leader: Option<bool>,
    /// Contacted by the organizer.
    pub contacted: Option<bool>,
}

/// The village network: ties as thin lines, households coloured by group; members
/// outlined in black, leaders as diamonds, households the organizer contacted with a
/// black dot.
pub fn network(
    id: &str,
    label: &str,
    nodes: &[NetNode],
    edges: &[(usize, usize)],
    groups: &[String],
) -> String {
    const SIZE: f64 = 370.0;
    const PAD: f64 = 12.0;
    let mut svg = Svg::new(
        SIZE,
        SIZE,
        &format!(r#"class="chart network" {}"#, attr("data-chart", id)),
        label,
    );
    let at = |p: (f64, f64)| {
        (
            PAD + p.0 * (SIZE - 2.0 * PAD),
            PAD + p.1 * (SIZE - 2.0 * PAD),
        )
    };
    svg.rect(0.0, 0.0, SIZE, SIZE, r##"fill="#fff""##);
    let mut d = String::new();
    for &(a, b) in edges {
        if let (Some(na), Some(nb)) = (nodes.get(a), nodes.get(b)) {
            let (x1, y1) = at(na.pos);
            let (x2, y2) = at(nb.pos);
            let _ = write!(d, "M{} {}L{} {}", f(x1), f(y1), f(x2), f(y2));
        }
    }
    svg.path(
        &d,
        r##"class="ties" stroke="#777" stroke-opacity="0.35" stroke-width="0.7" fill="none""##,
    );
    // Draw plain households first, then members, then leaders on top.
    let rank = |n: &NetNode| match (n.leader, n.member) {
        (Some(true), _) => 2,
        (_, Some(true)) => 1,
        _ => 0,
    };
    let mut order: Vec<usize> = (0..nodes.len()).collect();
    order.sort_by_key(|&i| rank(&nodes[i]));
    for i in order {
        let n = &nodes[i];
        let (x, y) = at(n.pos);
        let colour = GROUP_COLOURS[n.group % GROUP_COLOURS.len()];
        let group = groups.get(n.group).map_or("?", String::as_str);
        let mut tip = format!("household {} · {group}", n.id);
        let flags = [
            (n.leader, "leader"),
            (n.member, "member"),
            (n.contacted, "contacted"),
        ];
        for (v, name) in flags {
            if v == Some(true) {
                tip.push_str(" · ");
                tip.push_str(name);
            }
        }
        let state = match rank(n) {
            2 => "leader",
            1 => "member",
            _ => "other",
        };
        let shape = match rank(n) {
            2 => format!(
                r##"<path d="M{} {}l6.5 6.5l-6.5 6.5l-6.5 -6.5Z" fill="{colour}" stroke="#000" stroke-width="1.6"/>"##,
                f(x),
                f(y - 6.5)
            ),
            1 => format!(
                r##"<circle cx="{}" cy="{}" r="5" fill="{colour}" stroke="#000" stroke-width="1.6"/>"##,
                f(x),
                f(y)
            ),
            _ => format!(
                r##"<circle cx="{}" cy="{}" r="4.2" fill="{colour}" stroke="#fff" stroke-width="0.8"/>"##,
                f(x),
                f(y)
            ),
        };
        let dot = if n.contacted == Some(true) {
            format!(
                r##"<circle cx="{}" cy="{}" r="1.5" fill="#000"/>"##,
                f(x),
                f(y)
            )
        } else {
            String::new()
        };
        svg.raw(&format!(
            r#"<g class="hh" data-state="{state}" data-group="{}" data-contacted="{}">{shape}{dot}<title>{}</title></g>"#,
            escape(group),
            n.contacted == Some(true),
            escape(&tip)
        ));
    }
    svg.finish()
}
