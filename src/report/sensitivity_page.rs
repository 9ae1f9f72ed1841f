//! The report of a sensitivity folder (`kampung sensitivity`): the charts and
//! convergence warnings of `sensitivity` (Morris μ*–σ, Sobol indices), the indices of
//! `sensitivity.csv` as tables, one per method and outcome, then the scenario file
//! and the manifest. [`sensitivity_page`] puts the page together from sections.

use super::sections::manifest_section;
use super::*;
use crate::experiment::analysis::SensitivityRow;

fn fmt(v: f64) -> String {
    if v.is_finite() {
        format!("{v:.3}")
    } else {
        "NA".into()
    }
}

/// The tables of the indices: one per method and outcome, a row per parameter and a
/// column per index (with its 95% bootstrap interval where it has one).
fn tables_section(rows: &[SensitivityRow]) -> String {
    let mut h = String::from(r#"<section id="indices"><h2>Sensitivity indices</h2>"#);
    h.push_str(
        "<p>From <code>sensitivity.csv</code>. Morris: <code>mu_star</code> is the mean \
         absolute elementary effect (how much the outcome moves with the parameter), \
         <code>sigma</code> their spread (interactions and nonlinearity). Sobol: \
         <code>first</code> is the share of the outcome's variance the parameter explains \
         alone, <code>total</code> with its interactions. Brackets: 95% bootstrap \
         intervals.</p>",
    );
    if rows.is_empty() {
        h.push_str(r#"<p class="note"><code>sensitivity.csv</code> holds no rows.</p>"#);
    }
    let mut groups: Vec<(&str, &str)> = Vec::new();
    for r in rows {
        if !groups.contains(&(r.method, r.outcome.as_str())) {
            groups.push((r.method, &r.outcome));
        }
    }
    for (method, outcome) in groups {
        let of: Vec<&SensitivityRow> = rows
            .iter()
            .filter(|r| r.method == method && r.outcome == outcome)
            .collect();
        let mut indices: Vec<&str> = Vec::new();
        let mut params: Vec<&str> = Vec::new();
        for r in &of {
            if !indices.contains(&r.index) {
                indices.push(r.index);
            }
            if !params.contains(&r.parameter.as_str()) {
                params.push(&r.parameter);
            }
        }
        let _ = write!(
            h,
            "<h3>{} · <code>{}</code></h3><table><tr><th>parameter</th>",
            escape(method),
            escape(outcome)
        );
        for i in &indices {
            let _ = write!(h, "<th>{}</th>", escape(i));
        }
        h.push_str("<th>runs</th></tr>");
        for p in params {
            let _ = write!(h, "<tr><td><code>{}</code></td>", escape(p));
            let mut runs = String::new();
            for i in &indices {
                match of.iter().find(|r| r.parameter == p && r.index == *i) {
                    Some(r) => {
                        runs = r.runs.to_string();
                        let ci = if r.ci.0.is_finite() {
                            format!(" [{}, {}]", fmt(r.ci.0), fmt(r.ci.1))
                        } else {
                            String::new()
                        };
                        let _ = write!(h, r#"<td class="num">{}{ci}</td>"#, fmt(r.estimate));
                    }
                    None => h.push_str("<td></td>"),
                }
            }
            let _ = write!(h, r#"<td class="num">{runs}</td></tr>"#);
        }
        h.push_str("</table>");
    }
    h.push_str("</section>\n");
    h
}

/// The scenario file's text (the folder's copy), and any notes about reading it.
pub(super) fn scenario_section(loaded: &Loaded) -> String {
    let mut h = String::from(r#"<section id="scenario"><h2>Scenario</h2>"#);
    for n in &loaded.notes {
        let _ = write!(h, r#"<p class="note">{n}</p>"#);
    }
    if let (Some(p), Some(t)) = (&loaded.path, &loaded.text) {
        let _ = write!(
            h,
            "<details><summary>The scenario file, <code>{}</code></summary><pre>{}</pre></details>",
            escape(&p.display().to_string()),
            escape(t)
        );
    }
    h.push_str("</section>\n");
    h
}

/// The page of a sensitivity folder: heading, the index tables, the scenario file and
/// the manifest.
pub(super) fn sensitivity_page(
    dir: &Path,
    manifest: &ManifestData,
    loaded: &Loaded,
) -> Result<String> {
    // `sensitivity.csv`, read once for the charts and the tables (a missing file is
    // the error opening it gives).
    let rows = match super::sensitivity::read_rows(dir)? {
        Some(rows) => rows,
        None => {
            data::Table::open(dir, "sensitivity.csv")?;
            Vec::new()
        }
    };
    let name = manifest.str("scenario").unwrap_or("results");
    let version = manifest.str("version").unwrap_or("?");
    let mut h = super::page::head(&format!("kampung sensitivity report: {name}"), version);
    if let Some(s) = &loaded.scenario
        && !s.description.is_empty()
    {
        let _ = writeln!(h, "<p>{}</p>", escape(&s.description));
    }
    let _ = writeln!(
        h,
        r#"<p class="trace">Results folder <code>{dir}</code> · strategy {st} · {runs} runs ({reps} replicates a design row) · kampung {v} (commit {c}) · finished {fin}</p></header>"#,
        dir = escape(&dir.display().to_string()),
        st = escape(&json_scalar(manifest.json.get("strategies"))),
        runs = escape(&json_scalar(manifest.json.get("runs"))),
        reps = escape(&json_scalar(manifest.json.get("replicates"))),
        v = escape(version),
        c = escape(manifest.str("commit").unwrap_or("unknown")),
        fin = escape(manifest.str("finished").unwrap_or("?")),
    );
    h.push_str(&super::sensitivity::sensitivity_section(&rows));
    h.push_str(&tables_section(&rows));
    h.push_str(&scenario_section(loaded));
    h.push_str(&manifest_section(manifest));
    h.push_str(&super::page::footer(dir));
    Ok(h)
}
