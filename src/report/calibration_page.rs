//! The page of a calibration folder (`kampung calibrate`): how the tolerance fell
//! generation by generation, each parameter's marginal posterior against its flat
//! prior, every pair of parameters' particles, and the posterior predictive check
//! of every pattern against its observation.

use super::data::Table;
use super::sections::manifest_section;
use super::sensitivity_page::scenario_section;
use super::svg::{LinearScale, Svg, axis_bottom, axis_left, fmt_value, ticks_within};
use super::*;

/// The last generation's particles: parameter names, values and weights.
struct Posterior {
    names: Vec<String>,
    theta: Vec<Vec<f64>>,
    weights: Vec<f64>,
}

fn read_posterior(dir: &Path) -> Result<Posterior> {
    let mut t = Table::open(dir, "posterior.csv")?;
    let (g, w) = (t.col("generation")?, t.col("weight")?);
    let first = t.col("distance")? + 1;
    let names: Vec<String> = t.header[first..].to_vec();
    let mut rows: Vec<(u64, f64, Vec<f64>)> = Vec::new();
    t.for_each(|r| {
        let th = (first..first + names.len())
            .map(|i| r.num(i))
            .collect::<Result<Vec<f64>>>()?;
        rows.push((r.whole(g)?, r.num(w)?, th));
        Ok(())
    })?;
    let last = rows.iter().map(|r| r.0).max().unwrap_or(0);
    let rows: Vec<_> = rows.into_iter().filter(|r| r.0 == last).collect();
    Ok(Posterior {
        names,
        weights: rows.iter().map(|r| r.1).collect(),
        theta: rows.into_iter().map(|r| r.2).collect(),
    })
}

/// The prior ranges of the parameters, from the folder's copy of the scenario.
fn priors(loaded: &Loaded, names: &[String]) -> Vec<(f64, f64)> {
    let ranges = loaded
        .scenario
        .as_ref()
        .and_then(|s| s.calibrate.as_ref())
        .and_then(|c| c.parsed_ranges().ok())
        .unwrap_or_default();
    names
        .iter()
        .map(|n| {
            ranges
                .iter()
                .find(|(p, _, _)| p == n)
                .map_or((f64::NAN, f64::NAN), |(_, lo, hi)| (*lo, *hi))
        })
        .collect()
}

fn generations_section(dir: &Path) -> Result<String> {
    let mut t = Table::open(dir, "calibration.csv")?;
    let cols = [
        "generation",
        "tolerance",
        "acceptance",
        "ess",
        "simulations",
    ]
    .map(|c| t.col(c));
    let cols = cols.into_iter().collect::<Result<Vec<usize>>>()?;
    let mut h = String::from(
        r#"<section id="generations"><h2>Generations</h2><p>Each generation keeps the particles within its tolerance (the median distance of the one before); the distance is the root mean square of each pattern's deviation from its observation over the pattern's spread in the prior predictive (<code>scales.csv</code>).</p><table><thead><tr><th>generation</th><th>tolerance</th><th>acceptance</th><th>effective sample size</th><th>simulations</th></tr></thead><tbody>"#,
    );
    t.for_each(|r| {
        h.push_str("<tr>");
        for (k, &c) in cols.iter().enumerate() {
            let v = r.num(c)?;
            let cell = match k {
                2 => format!("{:.1}%", 100.0 * v),
                1 if v.is_infinite() => "∞ (the prior)".into(),
                1 | 3 => fmt_value(v),
                _ => format!("{v}"),
            };
            let _ = write!(h, "<td>{}</td>", escape(&cell));
        }
        h.push_str("</tr>");
        Ok(())
    })?;
    h.push_str("</tbody></table></section>\n");
    Ok(h)
}

/// One parameter's weighted histogram over its prior range, the prior's flat
/// density dashed.
fn marginal(name: &str, values: &[f64], weights: &[f64], prior: (f64, f64)) -> String {
    let (w, hgt, l, b) = (300.0, 170.0, 44.0, 36.0);
    let (lo, hi) = if prior.0.is_finite() {
        prior
    } else {
        let lo = values.iter().copied().fold(f64::INFINITY, f64::min);
        let hi = values.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        (lo, hi.max(lo + 1e-9))
    };
    let bins = 20;
    let mut dens = vec![0.0; bins];
    let total: f64 = weights.iter().sum::<f64>().max(f64::MIN_POSITIVE);
    for (v, wt) in values.iter().zip(weights) {
        let k = (((v - lo) / (hi - lo)) * bins as f64)
            .floor()
            .clamp(0.0, bins as f64 - 1.0);
        dens[k as usize] += wt / total;
    }
    let width = (hi - lo) / bins as f64;
    let dens: Vec<f64> = dens.iter().map(|d| d / width).collect();
    let flat = 1.0 / (hi - lo);
    let top = dens.iter().copied().fold(flat, f64::max) * 1.1;
    let x = LinearScale::new((lo, hi), (l, w - 16.0));
    let y = LinearScale::new((0.0, top), (hgt - b, 8.0));
    let mut s = Svg::new(w, hgt, r#"class="chart""#, &format!("posterior of {name}"));
    for (k, d) in dens.iter().enumerate() {
        let x0 = x.map(lo + k as f64 * width);
        let x1 = x.map(lo + (k + 1) as f64 * width);
        s.rect(
            x0,
            y.map(*d),
            (x1 - x0 - 1.0).max(0.5),
            y.map(0.0) - y.map(*d),
            r##"fill="#2f6f9f" fill-opacity="0.75""##,
        );
    }
    s.line(
        x.map(lo),
        y.map(flat),
        x.map(hi),
        y.map(flat),
        r##"stroke="#888" stroke-dasharray="4 3""##,
    );
    axis_bottom(
        &mut s,
        &x,
        &ticks_within(lo, hi, 4),
        hgt - b,
        None,
        Some(name),
    );
    axis_left(&mut s, &y, &ticks_within(0.0, top, 3), l, None, None);
    s.finish()
}

/// Particles of two parameters, each a dot with area proportional to its weight.
fn pair(p: &Posterior, i: usize, j: usize, pri: &[(f64, f64)]) -> String {
    let (w, hgt, l, b) = (240.0, 200.0, 58.0, 36.0);
    let range = |k: usize| {
        if pri[k].0.is_finite() {
            pri[k]
        } else {
            let v = p.theta.iter().map(|t| t[k]);
            let lo = v.clone().fold(f64::INFINITY, f64::min);
            (lo, v.fold(f64::NEG_INFINITY, f64::max).max(lo + 1e-9))
        }
    };
    let (xr, yr) = (range(i), range(j));
    let x = LinearScale::new(xr, (l, w - 16.0));
    let y = LinearScale::new(yr, (hgt - b, 8.0));
    let label = format!("{} against {}", p.names[j], p.names[i]);
    let mut s = Svg::new(w, hgt, r#"class="chart""#, &label);
    let wmax = p
        .weights
        .iter()
        .copied()
        .fold(0.0, f64::max)
        .max(f64::MIN_POSITIVE);
    for (t, wt) in p.theta.iter().zip(&p.weights) {
        s.circle(
            x.map(t[i]),
            y.map(t[j]),
            1.0 + 3.0 * (wt / wmax).sqrt(),
            r##"fill="#2f6f9f" fill-opacity="0.45""##,
        );
    }
    axis_bottom(
        &mut s,
        &x,
        &ticks_within(xr.0, xr.1, 5),
        hgt - b,
        None,
        Some(&p.names[i]),
    );
    axis_left(
        &mut s,
        &y,
        &ticks_within(yr.0, yr.1, 5),
        l,
        None,
        Some((&p.names[j], 12.0)),
    );
    s.finish()
}

/// Each pattern: its predictive 5–95% band and median against the observed value
/// or region.
fn predictive_section(dir: &Path) -> Result<String> {
    let mut t = Table::open(dir, "patterns.csv")?;
    let names = [
        "pattern",
        "citation",
        "observed_lo",
        "observed_hi",
        "observed",
        "predictive_q05",
        "predictive_q50",
        "predictive_q95",
        "matching",
        "prior_matching",
        "observed_in_90",
    ];
    let cols = names
        .map(|c| t.col(c))
        .into_iter()
        .collect::<Result<Vec<usize>>>()?;
    let mut h = String::from(
        r#"<section id="predictive"><h2>Posterior predictive check</h2><p>For each pattern: the band holds 90% of the statistic in fresh simulations at particles drawn from the posterior (the tick is its median); the orange mark or shaded region is what the source observed. A band that misses the observation is a pattern the calibrated model does not reproduce.</p>"#,
    );
    let mut table = String::from(
        "<table><thead><tr><th>pattern</th><th>observed</th><th>predictive median [90%]</th><th>prior matches</th><th>posterior matches</th><th>source</th></tr></thead><tbody>",
    );
    t.for_each(|r| {
        let v = |k: usize| r.num(cols[k]);
        let (lo, hi, pt) = (v(2)?, v(3)?, v(4)?);
        let (q05, q50, q95) = (v(5)?, v(6)?, v(7)?);
        let (w, hgt) = (520.0, 54.0);
        let finite = |x: f64| x.is_finite().then_some(x);
        let pts: Vec<f64> = [lo, hi, pt, q05, q95].into_iter().filter_map(finite).collect();
        let a = pts.iter().copied().fold(f64::INFINITY, f64::min);
        let z = pts.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        let pad = ((z - a) * 0.15).max(1e-6);
        let x = LinearScale::new((a - pad, z + pad), (16.0, w - 20.0));
        let id = r.str(cols[0]).to_string();
        let mut s = Svg::new(w, hgt, r#"class="chart""#, &format!("predictive check: {id}"));
        let (rl, rh) = (
            x.map(if lo.is_finite() { lo } else { a - pad }),
            x.map(if hi.is_finite() { hi } else { z + pad }),
        );
        s.rect(rl, 6.0, (rh - rl).max(2.0), 22.0, r##"fill="#e08a2c" fill-opacity="0.35""##);
        if pt.is_finite() {
            s.line(x.map(pt), 4.0, x.map(pt), 30.0, r##"stroke="#c0641a" stroke-width="2""##);
        }
        if q05.is_finite() && q95.is_finite() {
            s.rect(
                x.map(q05),
                13.0,
                (x.map(q95) - x.map(q05)).max(1.0),
                8.0,
                r##"fill="#2f6f9f""##,
            );
            s.line(x.map(q50), 10.0, x.map(q50), 24.0, r##"stroke="#123" stroke-width="2""##);
        }
        axis_bottom(&mut s, &x, &ticks_within(a - pad, z + pad, 5), 34.0, None, None);
        let _ = write!(
            h,
            r#"<figure><figcaption><code>{}</code>{}</figcaption>{}</figure>"#,
            escape(&id),
            if v(10)? == 1.0 {
                ""
            } else {
                " · <strong>not reproduced</strong> (observation outside the 90% band)"
            },
            s.finish()
        );
        let pct = |x: f64| {
            if x.is_nan() {
                "a point".to_string()
            } else {
                format!("{:.0}%", 100.0 * x)
            }
        };
        let observed = if pt.is_finite() {
            fmt_value(pt)
        } else {
            format!(
                "{} … {}",
                if lo.is_finite() { fmt_value(lo) } else { "−∞".into() },
                if hi.is_finite() { fmt_value(hi) } else { "∞".into() }
            )
        };
        let _ = write!(
            table,
            "<tr><td><code>{}</code></td><td>{}</td><td>{} [{}, {}]</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            escape(&id),
            escape(&observed),
            fmt_value(q50),
            fmt_value(q05),
            fmt_value(q95),
            pct(v(9)?),
            pct(v(8)?),
            escape(r.str(cols[1]))
        );
        Ok(())
    })?;
    h.push_str(&table);
    h.push_str("</tbody></table></section>\n");
    Ok(h)
}

/// The page of a calibration folder.
pub(super) fn calibration_page(
    dir: &Path,
    manifest: &ManifestData,
    loaded: &Loaded,
) -> Result<String> {
    let post = read_posterior(dir)?;
    let pri = priors(loaded, &post.names);
    let name = manifest.str("scenario").unwrap_or("results");
    let version = manifest.str("version").unwrap_or("?");
    let mut h = super::page::head(&format!("kampung calibration report: {name}"), version);
    let _ = writeln!(
        h,
        r#"<p class="trace">Results folder <code>{dir}</code> · {k} particles in the posterior · kampung {v} (commit {c}) · finished {fin}</p></header>"#,
        v = escape(version),
        dir = escape(&dir.display().to_string()),
        k = post.weights.len(),
        c = escape(manifest.str("commit").unwrap_or("unknown")),
        fin = escape(manifest.str("finished").unwrap_or("?")),
    );
    h.push_str(&generations_section(dir)?);
    h.push_str(r#"<section id="marginals"><h2>Marginal posteriors</h2><p>Bars: the last generation's particles, weighted; dashed: the flat prior.</p><div style="display:flex;flex-wrap:wrap;gap:12px">"#);
    for (k, n) in post.names.iter().enumerate() {
        let v: Vec<f64> = post.theta.iter().map(|t| t[k]).collect();
        h.push_str(&marginal(n, &v, &post.weights, pri[k]));
    }
    h.push_str("</div></section>\n");
    if post.names.len() > 1 {
        h.push_str(r#"<section id="pairs"><h2>Pairs of parameters</h2><p>Each dot a particle, its area its weight: a ridge or a slant is a trade-off the evidence cannot separate.</p><div style="display:flex;flex-wrap:wrap;gap:12px">"#);
        for i in 0..post.names.len() {
            for j in i + 1..post.names.len() {
                h.push_str(&pair(&post, i, j, &pri));
            }
        }
        h.push_str("</div></section>\n");
    }
    h.push_str(&predictive_section(dir)?);
    h.push_str(&scenario_section(loaded));
    h.push_str(&manifest_section(manifest));
    h.push_str(&super::page::footer(dir));
    Ok(h)
}
