//! The sections of the page drawn from the results tables: time-series grids with
//! stage shading, the by-group section, parameters and the manifest.

use super::*;

/// Mean start and end of each stage a cell's runs reached.
pub(super) fn stage_spans(stages: &Stages, k: usize, runs: usize) -> Vec<StageSpan> {
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

pub(super) fn panel(series: &Series, m: usize, k: usize, cell: &Cell, stages: &Stages) -> Panel {
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
pub(super) fn grid_figure(prefix: &str, file: &str, def: &MetricDef, panels: &[Panel]) -> String {
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
pub(super) fn groups_section(g: &data::GroupSeries, runs: &Runs, stages: &Stages) -> String {
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
    if shown < runs.cells.len() {
        h.push_str(&super::page::capped_note(
            shown,
            runs.cells.len(),
            "drawn by group",
            "groups.csv",
        ));
    }
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

pub(super) fn parameters_section(runs: &Runs, loaded: &Loaded) -> String {
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
    let shown = runs.cells.len().min(MAX_PANELS);
    if shown < runs.cells.len() {
        h.push_str(&super::page::capped_note(
            shown,
            runs.cells.len(),
            "listed here",
            "runs.csv",
        ));
    }
    h.push_str("<table><tr><th>strategy</th><th>runs</th><th>description</th><th>differs from the reference in</th></tr>");
    for (k, c) in runs.cells.iter().enumerate().take(shown) {
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
    for c in runs.cells.iter().take(shown) {
        let _ = write!(h, "<th>{}</th>", escape(&c.label));
    }
    h.push_str("</tr>");
    for (i, key) in runs.param_keys.iter().enumerate() {
        let _ = write!(h, "<tr><td><code>{}</code></td>", escape(key));
        for k in 0..shown {
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

pub(super) fn manifest_section(m: &ManifestData) -> String {
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

/// How often each strategy ranked first across a posterior's draws (`ranks.csv`,
/// written by `run --posterior`): a table of strategies by outcome; empty without
/// the file.
pub(super) fn ranks_section(dir: &Path) -> Result<String> {
    if !dir.join("ranks.csv").exists() {
        return Ok(String::new());
    }
    let mut t = data::Table::open(dir, "ranks.csv")?;
    let (o, st, share, draws) = (
        t.col("outcome")?,
        t.col("strategy")?,
        t.col("share_first")?,
        t.col("draws")?,
    );
    let mut outcomes: Vec<String> = Vec::new();
    let mut strategies: Vec<String> = Vec::new();
    let mut cells: BTreeMap<(String, String), (f64, u64)> = BTreeMap::new();
    t.for_each(|r| {
        let (oc, sc) = (r.str(o).to_string(), r.str(st).to_string());
        if !outcomes.contains(&oc) {
            outcomes.push(oc.clone());
        }
        if !strategies.contains(&sc) {
            strategies.push(sc.clone());
        }
        cells.insert((oc, sc), (r.num(share)?, r.whole(draws)?));
        Ok(())
    })?;
    let mut h = String::from(
        r#"<section id="ranks"><h2>Ranks under the posterior</h2><p>Each replicate drew its calibrated parameters from the posterior (the same draw for every strategy); a cell is the share of replicates in which the strategy did best on the outcome (ties share the place; <code>ranks.csv</code>). NA: the outcome is missing for some strategy in every replicate.</p><table><thead><tr><th>strategy</th>"#,
    );
    for oc in &outcomes {
        let _ = write!(h, "<th>{}</th>", escape(oc));
    }
    h.push_str("</tr></thead><tbody>");
    for sc in &strategies {
        let _ = write!(h, "<tr><td>{}</td>", escape(sc));
        for oc in &outcomes {
            let cell = match cells.get(&(oc.clone(), sc.clone())) {
                Some((x, n)) if x.is_finite() => format!("{:.0}% of {n}", 100.0 * x),
                _ => "NA".into(),
            };
            let _ = write!(h, "<td>{cell}</td>");
        }
        h.push_str("</tr>");
    }
    h.push_str("</tbody></table></section>\n");
    Ok(h)
}
