//! "Where organizing tips": for a design that varies exactly two parameters over a
//! full grid (a factorial `[sweep]`, as `scenarios/regimes.toml` has), one map per
//! outcome of the first strategy: a cell per pair of values, coloured by the mean
//! over its replicates, the value written in the cell. A cliff shows as a sharp
//! border between dark and light cells, a gradient as a smooth run of shades.

use super::data::Runs;
use super::svg::{escape, f};
use std::collections::BTreeSet;
use std::fmt::Write as _;

/// An outcome drawn as a map: its title, how it is read from the runs, and its range.
struct MapOutcome {
    title: &'static str,
    about: &'static str,
    /// Mean over the runs of one cell (NaN if none can be computed).
    value: fn(&Runs, usize) -> f64,
    /// The colour scale's ends.
    range: (f64, f64),
}

/// Columns of `runs.csv` the maps need, besides the report's own.
pub const COLUMNS: [&str; 4] = [
    "final.successes",
    "final.failures",
    "post_exit.capacity",
    "post_exit.access_gap",
];

fn mean_of(runs: &Runs, col: &str, k: usize) -> f64 {
    let Some(v) = runs.outcomes.get(col).and_then(|c| c.get(k)) else {
        return f64::NAN;
    };
    let v: Vec<f64> = v.iter().copied().filter(|x| x.is_finite()).collect();
    if v.is_empty() {
        f64::NAN
    } else {
        v.iter().sum::<f64>() / v.len() as f64
    }
}

const OUTCOMES: [MapOutcome; 3] = [
    MapOutcome {
        title: "Share of actions that succeed",
        about: "All successful actions of the cell's runs over all their resolved actions.",
        value: |runs, k| {
            let s = mean_of(runs, "final.successes", k);
            let f = mean_of(runs, "final.failures", k);
            if s + f > 0.0 { s / (s + f) } else { f64::NAN }
        },
        range: (0.0, 1.0),
    },
    MapOutcome {
        title: "Capacity two years after the organizer left",
        about: "Mean institutional capacity at the durability horizon.",
        value: |runs, k| mean_of(runs, "post_exit.capacity", k),
        range: (0.0, 1.0),
    },
    MapOutcome {
        title: "Access gap two years after the organizer left",
        about: "Mean access gap at the durability horizon (lower is better).",
        value: |runs, k| mean_of(runs, "post_exit.access_gap", k),
        range: (0.0, 1.0),
    },
];

/// The two varied parameters of the first strategy's cells, with their sorted values,
/// and each (x, y) pair's cell; `None` unless exactly two parameters vary and every
/// pair of their values has exactly one cell.
#[allow(clippy::type_complexity)]
fn grid(runs: &Runs) -> Option<(String, Vec<String>, String, Vec<String>, Vec<Vec<usize>>)> {
    let first = &runs.cells.first()?.strategy;
    let cells: Vec<usize> = (0..runs.cells.len())
        .filter(|&k| &runs.cells[k].strategy == first)
        .collect();
    if cells.len() < 4 {
        return None;
    }
    let value = |k: usize, i: usize| runs.params[k].get(i).cloned().unwrap_or_default();
    let varied: Vec<usize> = (0..runs.param_keys.len())
        .filter(|&i| cells.iter().any(|&k| value(k, i) != value(cells[0], i)))
        .collect();
    let [a, b] = varied[..] else {
        return None;
    };
    let sorted = |i: usize| -> Vec<String> {
        let set: BTreeSet<String> = cells.iter().map(|&k| value(k, i)).collect();
        let mut v: Vec<String> = set.into_iter().collect();
        v.sort_by(|x, y| match (x.parse::<f64>(), y.parse::<f64>()) {
            (Ok(p), Ok(q)) => p.total_cmp(&q),
            _ => x.cmp(y),
        });
        v
    };
    let (xs, ys) = (sorted(a), sorted(b));
    let mut at = vec![vec![usize::MAX; xs.len()]; ys.len()];
    for &k in &cells {
        let x = xs.iter().position(|v| *v == value(k, a))?;
        let y = ys.iter().position(|v| *v == value(k, b))?;
        if at[y][x] != usize::MAX {
            return None;
        }
        at[y][x] = k;
    }
    if at.iter().flatten().any(|&k| k == usize::MAX) {
        return None;
    }
    Some((
        runs.param_keys[a].clone(),
        xs,
        runs.param_keys[b].clone(),
        ys,
        at,
    ))
}

/// A sequential colour for `t` in [0, 1]: light yellow to dark blue (the ends and
/// middle of the viridis scale, interpolated in RGB), readable in greyscale.
fn colour(t: f64) -> String {
    const STOPS: [(f64, [f64; 3]); 3] = [
        (0.0, [253.0, 231.0, 37.0]),
        (0.5, [33.0, 145.0, 140.0]),
        (1.0, [68.0, 1.0, 84.0]),
    ];
    let t = t.clamp(0.0, 1.0);
    let (lo, hi) = if t <= 0.5 {
        (STOPS[0], STOPS[1])
    } else {
        (STOPS[1], STOPS[2])
    };
    let u = (t - lo.0) / (hi.0 - lo.0);
    let c: Vec<u8> = (0..3)
        .map(|i| (lo.1[i] + u * (hi.1[i] - lo.1[i])).round() as u8)
        .collect();
    format!("#{:02x}{:02x}{:02x}", c[0], c[1], c[2])
}

/// The section, or an empty string when the design is not a two-parameter grid.
pub(super) fn tipping_section(runs: &Runs) -> String {
    let Some((kx, xs, ky, ys, at)) = grid(runs) else {
        return String::new();
    };
    let mut h = String::new();
    let _ = write!(
        h,
        r#"<section id="tipping"><h2>Where organizing tips</h2><p>The design varies <code>{kx}</code> (across) and <code>{ky}</code> (up). Each cell is the mean over the replicates of <b>{s}</b> at that pair of values; darker is higher. A sharp border between light and dark cells is a cliff; a run of shades is a gradient.</p>"#,
        kx = escape(&kx),
        ky = escape(&ky),
        s = escape(&runs.cells[0].strategy),
    );
    let (cw, ch, left, top) = (56.0, 30.0, 70.0, 34.0);
    let width = left + cw * xs.len() as f64 + 10.0;
    let height = top + ch * ys.len() as f64 + 46.0;
    for (n, o) in OUTCOMES.iter().enumerate() {
        let values: Vec<Vec<f64>> = at
            .iter()
            .map(|row| row.iter().map(|&k| (o.value)(runs, k)).collect())
            .collect();
        if !values.iter().flatten().any(|v| v.is_finite()) {
            continue;
        }
        let _ = write!(
            h,
            r#"<figure id="tipping-{n}"><h3>{t}</h3><p class="about">{a}</p><svg viewBox="0 0 {w} {hh}" width="{w}" height="{hh}" role="img" aria-label="{t}">"#,
            t = escape(o.title),
            a = escape(o.about),
            w = f(width),
            hh = f(height),
        );
        // Rows from the top: the largest y value first.
        for (r, y) in (0..ys.len()).rev().enumerate() {
            let py = top + ch * r as f64;
            let _ = write!(
                h,
                r#"<text x="{x}" y="{ty}" text-anchor="end" font-size="11">{v}</text>"#,
                x = f(left - 6.0),
                ty = f(py + ch / 2.0 + 4.0),
                v = escape(&ys[y]),
            );
            for (c, v) in values[y].iter().enumerate() {
                let px = left + cw * c as f64;
                let t = (v - o.range.0) / (o.range.1 - o.range.0);
                let (fill, label, ink) = if v.is_finite() {
                    (
                        colour(t),
                        format!("{v:.2}"),
                        if t > 0.45 { "#ffffff" } else { "#000000" },
                    )
                } else {
                    ("#eeeeee".to_string(), "NA".to_string(), "#000000")
                };
                let _ = write!(
                    h,
                    r#"<rect x="{x}" y="{y}" width="{w}" height="{hh}" fill="{fill}"><title>{kx} = {vx}, {ky} = {vy}: {label}</title></rect><text x="{tx}" y="{ty}" text-anchor="middle" font-size="11" fill="{ink}">{label}</text>"#,
                    x = f(px),
                    y = f(py),
                    w = f(cw - 1.0),
                    hh = f(ch - 1.0),
                    kx = escape(&kx),
                    ky = escape(&ky),
                    vx = escape(&xs[c]),
                    vy = escape(&ys[y]),
                    tx = f(px + cw / 2.0),
                    ty = f(py + ch / 2.0 + 4.0),
                );
            }
        }
        let base = top + ch * ys.len() as f64;
        for (c, x) in xs.iter().enumerate() {
            let _ = write!(
                h,
                r#"<text x="{tx}" y="{ty}" text-anchor="middle" font-size="11">{v}</text>"#,
                tx = f(left + cw * c as f64 + cw / 2.0),
                ty = f(base + 14.0),
                v = escape(x),
            );
        }
        let _ = write!(
            h,
            r#"<text x="{tx}" y="{ty}" text-anchor="middle" font-size="12">{kx}</text><text x="12" y="{yy}" font-size="12" transform="rotate(-90 12 {yy})" text-anchor="middle">{ky}</text></svg></figure>"#,
            tx = f(left + cw * xs.len() as f64 / 2.0),
            ty = f(base + 34.0),
            kx = escape(&kx),
            yy = f(top + ch * ys.len() as f64 / 2.0),
            ky = escape(&ky),
        );
    }
    h.push_str("</section>\n");
    h
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn colours_run_from_light_to_dark() {
        assert_eq!(colour(0.0), "#fde725");
        assert_eq!(colour(1.0), "#440154");
        assert_eq!(colour(0.5), "#21918c");
        assert_eq!(colour(-1.0), colour(0.0));
    }
}
