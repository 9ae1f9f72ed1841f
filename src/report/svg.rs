//! SVG primitives for the report: escaping, linear scales, "nice" axis ticks, number
//! formatting, paths with gaps, axes and a colour-blind-safe palette.
//!
//! Everything here writes plain SVG text; nothing is measured by a font engine, so
//! label widths are estimated from character counts ([`text_width`]).

use std::fmt::Write;

/// The Okabe–Ito palette (Okabe and Ito 2008), distinguishable under the common
/// forms of colour blindness: orange, sky blue, bluish green, yellow, blue,
/// vermillion, reddish purple, black.
pub const OKABE_ITO: [&str; 8] = [
    "#E69F00", "#56B4E9", "#009E73", "#F0E442", "#0072B2", "#D55E00", "#CC79A7", "#000000",
];

/// Escapes text for HTML and SVG, in element content and in quoted attribute values.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            // Control characters other than tab and newlines are not allowed in XML.
            c if c.is_control() && c != '\t' && c != '\n' && c != '\r' => out.push('\u{FFFD}'),
            c => out.push(c),
        }
    }
    out
}

/// A coordinate or length for SVG: at most two decimals, no trailing zeros, no `-0`.
pub fn f(v: f64) -> String {
    if !v.is_finite() {
        return "0".into();
    }
    let r = (v * 100.0).round() / 100.0;
    let s = format!("{r:.2}");
    let s = s.trim_end_matches('0').trim_end_matches('.');
    if s == "-0" { "0".into() } else { s.into() }
}

/// A linear map from a data domain to a pixel range.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LinearScale {
    /// Data values at the two ends.
    pub domain: (f64, f64),
    /// Pixel positions of the two ends (the range may run backwards, as y axes do).
    pub range: (f64, f64),
}

impl LinearScale {
    /// A scale from `domain` to `range`.
    pub fn new(domain: (f64, f64), range: (f64, f64)) -> LinearScale {
        LinearScale { domain, range }
    }

    /// The pixel position of `v`. A domain of zero width maps everything to the middle
    /// of the range.
    pub fn map(&self, v: f64) -> f64 {
        let (d0, d1) = self.domain;
        let (r0, r1) = self.range;
        if (d1 - d0).abs() < f64::EPSILON * d0.abs().max(d1.abs()).max(1.0) {
            return (r0 + r1) / 2.0;
        }
        r0 + (v - d0) / (d1 - d0) * (r1 - r0)
    }
}

/// A "nice" number near `x` (> 0): 1, 2, 5 or 10 times a power of ten; the nearest
/// when `round`, else the smallest not below `x` (Heckbert 1990, *Graphics Gems*).
pub fn nice_number(x: f64, round: bool) -> f64 {
    if !(x.is_finite() && x > 0.0) {
        return 1.0;
    }
    let e = x.log10().floor();
    let p = 10f64.powf(e);
    let m = x / p;
    let nice = if round {
        if m < 1.5 {
            1.0
        } else if m < 3.0 {
            2.0
        } else if m < 7.0 {
            5.0
        } else {
            10.0
        }
    } else if m <= 1.0 {
        1.0
    } else if m <= 2.0 {
        2.0
    } else if m <= 5.0 {
        5.0
    } else {
        10.0
    };
    nice * p
}

/// The spacing of about `target` ticks over `[lo, hi]`: 1, 2 or 5 times a power of
/// ten (1 for an empty or non-finite range).
pub fn nice_step(lo: f64, hi: f64, target: usize) -> f64 {
    let span = (hi - lo).abs();
    if !(span.is_finite() && span > 0.0) {
        return 1.0;
    }
    nice_number(span / (target.max(2) - 1) as f64, true)
}

/// Multiples of `step` from `first` to `last` (counted in steps), rounded to the
/// step's decimals so 0.1 · 3 is 0.3 and not 0.30000000000000004.
fn multiples(first: f64, last: f64, step: f64) -> Vec<f64> {
    let k = 10f64.powi(tick_decimals(step) as i32);
    let mut out = Vec::new();
    let mut i = first;
    while i <= last + 1e-9 && out.len() < 1000 {
        let v = (i * step * k).round() / k;
        out.push(if v == 0.0 { 0.0 } else { v });
        i += 1.0;
    }
    out
}

/// Ticks at nice numbers (1, 2 or 5 times a power of ten apart) covering
/// `[lo, hi]`, about `target` of them: the first at or below `lo`, the last at or
/// above `hi`, so the ticks' ends make a nice axis domain. A range of zero width is
/// widened around its value; non-finite ends give no ticks.
pub fn nice_ticks(lo: f64, hi: f64, target: usize) -> Vec<f64> {
    if !(lo.is_finite() && hi.is_finite()) {
        return Vec::new();
    }
    let (mut lo, mut hi) = if lo <= hi { (lo, hi) } else { (hi, lo) };
    if hi - lo < 1e-12 * lo.abs().max(hi.abs()).max(1e-300) {
        let pad = if lo == 0.0 { 1.0 } else { lo.abs() * 0.1 };
        lo -= pad;
        hi += pad;
    }
    let step = nice_step(lo, hi, target);
    // Tolerances so that an end on a multiple of the step is not pushed a step out.
    let first = (lo / step + 1e-9).floor();
    let last = (hi / step - 1e-9).ceil();
    multiples(first, last, step)
}

/// Ticks at nice numbers inside a fixed domain `[lo, hi]` (for an axis whose ends
/// are given, such as steps 0 to the last): about `target` of them, none outside.
pub fn ticks_within(lo: f64, hi: f64, target: usize) -> Vec<f64> {
    if !(lo.is_finite() && hi.is_finite()) || hi < lo {
        return Vec::new();
    }
    if hi == lo {
        return vec![lo];
    }
    let step = nice_step(lo, hi, target);
    let first = (lo / step - 1e-9).ceil();
    let last = (hi / step + 1e-9).floor();
    multiples(first, last, step)
}

/// Decimals needed to write multiples of `step` exactly.
pub fn tick_decimals(step: f64) -> usize {
    if !(step.is_finite() && step > 0.0) {
        return 0;
    }
    let d = -(step.log10().floor());
    let d = if d > 0.0 { d as usize } else { 0 };
    // A step of 2.5 times a power of ten needs one more (not produced by nice_ticks,
    // but callers may pass their own).
    let scaled = step * 10f64.powi(d as i32);
    if (scaled - scaled.round()).abs() > 1e-9 {
        d + 1
    } else {
        d
    }
}

/// Tick labels for `ticks`, all with the decimals their spacing needs (`0.25`,
/// `0.50`, ... rather than `0.25`, `0.5`).
pub fn tick_labels(ticks: &[f64]) -> Vec<String> {
    let step = ticks
        .windows(2)
        .map(|w| (w[1] - w[0]).abs())
        .fold(f64::INFINITY, f64::min);
    let d = if step.is_finite() {
        tick_decimals(step)
    } else {
        0
    };
    ticks.iter().map(|&v| fmt_fixed(v, d)).collect()
}

/// `v` with `decimals` decimals, using a true minus sign for negative numbers and
/// never `-0`.
pub fn fmt_fixed(v: f64, decimals: usize) -> String {
    if !v.is_finite() {
        return "NA".into();
    }
    let s = format!("{v:.decimals$}");
    let zero = s
        .trim_start_matches('-')
        .chars()
        .all(|c| c == '0' || c == '.');
    match s.strip_prefix('-') {
        Some(rest) if !zero => format!("\u{2212}{rest}"),
        Some(rest) => rest.to_string(),
        None => s,
    }
}

/// A value shown in a label or table: two decimals from 1 up (fewer for large
/// numbers), three significant digits below 1 (`0.654`, `0.00312`).
pub fn fmt_value(v: f64) -> String {
    if !v.is_finite() {
        return "NA".into();
    }
    let a = v.abs();
    let d = if a >= 100.0 {
        0
    } else if a >= 10.0 {
        1
    } else if a >= 1.0 || a == 0.0 {
        2
    } else {
        (2 - a.log10().floor() as i64).clamp(3, 12) as usize
    };
    fmt_fixed(v, d)
}

/// A step (or a mean of steps): whole numbers without decimals, others with one.
pub fn fmt_step(v: f64) -> String {
    if v.is_finite() && v.fract() == 0.0 {
        fmt_fixed(v, 0)
    } else {
        fmt_fixed(v, 1)
    }
}

/// Estimated width in pixels of `s` set at `font_px` in a sans-serif face (about
/// 0.56 em a character; generous, so labels are not clipped).
pub fn text_width(s: &str, font_px: f64) -> f64 {
    s.chars().count() as f64 * font_px * 0.56
}

/// `s` cut to fit `max_px` at `font_px` (by [`text_width`]), ending in `…` when cut.
pub fn truncate(s: &str, max_px: f64, font_px: f64) -> String {
    if text_width(s, font_px) <= max_px {
        return s.to_string();
    }
    let keep = ((max_px / (font_px * 0.56)).floor() as usize).saturating_sub(1);
    let mut out: String = s.chars().take(keep).collect();
    out.push('…');
    out
}

/// Path data (`M … L …`) through the points, broken where a value is not finite.
pub fn line_path(points: &[(f64, f64)]) -> String {
    let mut d = String::new();
    let mut pen_down = false;
    for &(x, y) in points {
        if !(x.is_finite() && y.is_finite()) {
            pen_down = false;
            continue;
        }
        let _ = write!(d, "{}{} {}", if pen_down { "L" } else { "M" }, f(x), f(y));
        pen_down = true;
    }
    d
}

/// Path data of a band between `lo` and `hi` over `x` (pixels): one closed polygon
/// for each run of points where both are finite.
pub fn band_path(x: &[f64], lo: &[f64], hi: &[f64]) -> String {
    let n = x.len().min(lo.len()).min(hi.len());
    let mut d = String::new();
    let mut i = 0;
    while i < n {
        let ok = |k: usize| x[k].is_finite() && lo[k].is_finite() && hi[k].is_finite();
        if !ok(i) {
            i += 1;
            continue;
        }
        let start = i;
        while i < n && ok(i) {
            i += 1;
        }
        for (j, k) in (start..i).enumerate() {
            let _ = write!(
                d,
                "{}{} {}",
                if j == 0 { "M" } else { "L" },
                f(x[k]),
                f(hi[k])
            );
        }
        for k in (start..i).rev() {
            let _ = write!(d, "L{} {}", f(x[k]), f(lo[k]));
        }
        d.push('Z');
    }
    d
}

/// An SVG document being written.
#[derive(Debug, Clone)]
pub struct Svg {
    width: f64,
    height: f64,
    attrs: String,
    label: String,
    body: String,
}

impl Svg {
    /// A new drawing of `width` × `height` pixels. `attrs` are extra attributes of the
    /// `<svg>` element, written as given (escape any values); `label` is its
    /// accessible name and tooltip (escaped here).
    pub fn new(width: f64, height: f64, attrs: &str, label: &str) -> Svg {
        Svg {
            width,
            height,
            attrs: attrs.to_string(),
            label: label.to_string(),
            body: String::new(),
        }
    }

    /// Width in pixels.
    pub fn width(&self) -> f64 {
        self.width
    }

    /// Appends raw SVG markup (already escaped).
    pub fn raw(&mut self, s: &str) {
        self.body.push_str(s);
    }

    /// A rectangle; `attrs` written as given.
    pub fn rect(&mut self, x: f64, y: f64, w: f64, h: f64, attrs: &str) {
        let _ = write!(
            self.body,
            r#"<rect x="{}" y="{}" width="{}" height="{}" {attrs}/>"#,
            f(x),
            f(y),
            f(w.max(0.0)),
            f(h.max(0.0))
        );
    }

    /// A line segment.
    pub fn line(&mut self, x1: f64, y1: f64, x2: f64, y2: f64, attrs: &str) {
        let _ = write!(
            self.body,
            r#"<line x1="{}" y1="{}" x2="{}" y2="{}" {attrs}/>"#,
            f(x1),
            f(y1),
            f(x2),
            f(y2)
        );
    }

    /// A path with data `d` (nothing when `d` is empty).
    pub fn path(&mut self, d: &str, attrs: &str) {
        if !d.is_empty() {
            let _ = write!(self.body, r#"<path d="{d}" {attrs}/>"#);
        }
    }

    /// A circle.
    pub fn circle(&mut self, cx: f64, cy: f64, r: f64, attrs: &str) {
        let _ = write!(
            self.body,
            r#"<circle cx="{}" cy="{}" r="{}" {attrs}/>"#,
            f(cx),
            f(cy),
            f(r)
        );
    }

    /// Text at (x, y); the text is escaped.
    pub fn text(&mut self, x: f64, y: f64, text: &str, attrs: &str) {
        let _ = write!(
            self.body,
            r#"<text x="{}" y="{}" {attrs}>{}</text>"#,
            f(x),
            f(y),
            escape(text)
        );
    }

    /// Opens a group `<g attrs>`.
    pub fn open(&mut self, attrs: &str) {
        let _ = write!(self.body, "<g {attrs}>");
    }

    /// Closes the last group opened.
    pub fn close(&mut self) {
        self.body.push_str("</g>");
    }

    /// A tooltip for the enclosing element (escaped).
    pub fn title(&mut self, text: &str) {
        let _ = write!(self.body, "<title>{}</title>", escape(text));
    }

    /// The finished `<svg>` element.
    pub fn finish(self) -> String {
        format!(
            r#"<svg xmlns="http://www.w3.org/2000/svg" width="{w}" height="{h}" viewBox="0 0 {w} {h}" role="img" aria-label="{l}" {a}><title>{l}</title>{b}</svg>"#,
            w = f(self.width),
            h = f(self.height),
            l = escape(&self.label),
            a = self.attrs,
            b = self.body
        )
    }
}

/// An attribute `name="value"` with the value escaped.
pub fn attr(name: &str, value: &str) -> String {
    format!(r#"{name}="{}""#, escape(value))
}

/// A horizontal axis at pixel height `y`: baseline, ticks and their labels, optional
/// grid lines up to `grid_top`, and an optional label centred below.
pub fn axis_bottom(
    svg: &mut Svg,
    scale: &LinearScale,
    ticks: &[f64],
    y: f64,
    grid_top: Option<f64>,
    label: Option<&str>,
) {
    let (r0, r1) = scale.range;
    svg.open(r#"class="axis x""#);
    if let Some(top) = grid_top {
        for &t in ticks {
            let x = scale.map(t);
            svg.line(x, top, x, y, r#"class="grid""#);
        }
    }
    svg.line(r0.min(r1), y, r0.max(r1), y, r#"class="domain""#);
    for (t, l) in ticks.iter().zip(tick_labels(ticks)) {
        let x = scale.map(*t);
        svg.line(x, y, x, y + 4.0, r#"class="tick""#);
        svg.text(x, y + 15.0, &l, r#"text-anchor="middle""#);
    }
    if let Some(l) = label {
        svg.text(
            (r0 + r1) / 2.0,
            y + 32.0,
            l,
            r#"class="axis-label" text-anchor="middle""#,
        );
    }
    svg.close();
}

/// A vertical axis at pixel position `x`: baseline, ticks and labels to its left,
/// optional grid lines to `grid_right`, and an optional label written upwards at
/// `label_x`.
pub fn axis_left(
    svg: &mut Svg,
    scale: &LinearScale,
    ticks: &[f64],
    x: f64,
    grid_right: Option<f64>,
    label: Option<(&str, f64)>,
) {
    let (r0, r1) = scale.range;
    svg.open(r#"class="axis y""#);
    if let Some(right) = grid_right {
        for &t in ticks {
            let y = scale.map(t);
            svg.line(x, y, right, y, r#"class="grid""#);
        }
    }
    svg.line(x, r0.min(r1), x, r0.max(r1), r#"class="domain""#);
    for (t, l) in ticks.iter().zip(tick_labels(ticks)) {
        let y = scale.map(*t);
        svg.line(x - 4.0, y, x, y, r#"class="tick""#);
        svg.text(x - 6.0, y + 4.0, &l, r#"text-anchor="end""#);
    }
    if let Some((l, lx)) = label {
        let cy = (r0 + r1) / 2.0;
        svg.text(
            lx,
            cy,
            l,
            &format!(
                r#"class="axis-label" text-anchor="middle" transform="rotate(-90 {} {})""#,
                f(lx),
                f(cy)
            ),
        );
    }
    svg.close();
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ticks_cover_the_range_at_nice_steps() {
        assert_eq!(nice_ticks(0.0, 1.0, 6), vec![0.0, 0.2, 0.4, 0.6, 0.8, 1.0]);
        assert_eq!(ticks_within(0.0, 312.0, 5), vec![0.0, 100.0, 200.0, 300.0]);
        let t = nice_ticks(-0.03, 0.27, 5);
        assert_eq!(t.first(), Some(&-0.1));
        assert_eq!(t.last(), Some(&0.3));
    }
}
