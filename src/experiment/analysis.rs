//! Statistics over a finished sweep: `summary.csv` (every outcome of every strategy ×
//! design point), `compare.csv` (every strategy against the baseline, paired by
//! replicate) and the sensitivity analysis of `kampung sensitivity`.
//!
//! Everything here reads the outcomes of `runs.csv` (the `final.*` and `post_exit.*`
//! columns), so it works the same on one machine's results and on merged shards.

use crate::error::{Error, Result};
use crate::experiment::folder::AtomicFile;
use crate::experiment::runner;
use crate::experiment::sensitivity;
use crate::experiment::stats;
use crate::model::metrics::Metrics;
use crate::scenario::Scenario;
use crate::scenario::sensitivity::{SensitivityMethod, SensitivityParams};
use crate::scenario::sweep::{self, Range};
use crate::scenario::values::num;
use std::collections::HashMap;
use std::io::Write;
use std::path::Path;
use std::sync::Mutex;

/// Outcomes of `runs.csv` by run: the column names and, per run, the key
/// (strategy, point, replicate) and values.
#[derive(Debug, Clone, Default)]
pub struct Outcomes {
    /// Outcome column names (`final.*`, `post_exit.*`).
    pub columns: Vec<String>,
    /// One entry per run, in file order.
    pub runs: Vec<RunOutcomes>,
}

/// One run's outcomes.
#[derive(Debug, Clone)]
pub struct RunOutcomes {
    /// Strategy name.
    pub strategy: String,
    /// Design point.
    pub point: usize,
    /// Replicate.
    pub replicate: u32,
    /// Values aligned with [`Outcomes::columns`] (NaN for `NA`).
    pub values: Vec<f64>,
}

impl Outcomes {
    /// Reads the outcome columns of a `runs.csv`.
    pub fn read(path: &Path) -> Result<Outcomes> {
        let bad = |m: String| Error::Run(format!("{}: {m}", path.display()));
        let mut rdr = csv::Reader::from_path(path).map_err(|e| bad(e.to_string()))?;
        let header = rdr.headers().map_err(|e| bad(e.to_string()))?.clone();
        let col = |n: &str| header.iter().position(|h| h == n);
        let (Some(cs), Some(cp), Some(cr)) = (col("strategy"), col("point"), col("replicate"))
        else {
            return Err(bad(
                "not a kampung runs.csv (no strategy/point/replicate)".into()
            ));
        };
        let outcome_cols: Vec<(usize, String)> = header
            .iter()
            .enumerate()
            .filter(|(_, h)| {
                let measure = h
                    .strip_prefix("final.")
                    .or_else(|| h.strip_prefix("post_exit."));
                // Names (the phase, the issue) are no numbers to summarize.
                measure.is_some_and(|m| {
                    *h != "post_exit.step" && !crate::experiment::output::NAME_MEASURES.contains(&m)
                })
            })
            .map(|(i, h)| (i, h.to_string()))
            .collect();
        let mut runs = Vec::new();
        for rec in rdr.records() {
            let rec = rec.map_err(|e| bad(e.to_string()))?;
            let get = |i: usize| rec.get(i).unwrap_or("");
            runs.push(RunOutcomes {
                strategy: get(cs).to_string(),
                point: get(cp)
                    .parse()
                    .map_err(|_| bad(format!("bad point `{}`", get(cp))))?,
                replicate: get(cr)
                    .parse()
                    .map_err(|_| bad(format!("bad replicate `{}`", get(cr))))?,
                values: outcome_cols
                    .iter()
                    .map(|(i, _)| get(*i).parse::<f64>().unwrap_or(f64::NAN))
                    .collect(),
            });
        }
        Ok(Outcomes {
            columns: outcome_cols.into_iter().map(|(_, h)| h).collect(),
            runs,
        })
    }

    fn column(&self, name: &str) -> Option<usize> {
        self.columns.iter().position(|c| c == name)
    }
}

/// Values of one outcome for a (strategy, point), indexed by replicate.
pub(crate) fn by_replicate(
    o: &Outcomes,
    strategy: &str,
    point: usize,
    col: usize,
    reps: usize,
) -> Vec<f64> {
    let mut v = vec![f64::NAN; reps];
    for r in &o.runs {
        if r.strategy == strategy && r.point == point && (r.replicate as usize) < reps {
            v[r.replicate as usize] = r.values[col];
        }
    }
    v
}

/// The columns of `summary.csv`: these, then one `point.PATH` column per varied
/// parameter, then these.
pub const SUMMARY_COLUMNS: (&[&str], &[&str]) = (
    &["scenario", "strategy", "point"],
    &[
        "outcome", "n", "mean", "sd", "se", "ci_low", "ci_high", "median",
    ],
);

/// The columns of `compare.csv`: these, then one `point.PATH` column per varied
/// parameter, then these.
pub const COMPARE_COLUMNS: (&[&str], &[&str]) = (
    &["scenario", "point"],
    &[
        "outcome",
        "higher_is_better",
        "strategy",
        "baseline",
        "rank",
        "baseline_rank",
        "n",
        "mean",
        "baseline_mean",
        "difference",
        "ci_low",
        "ci_high",
        "effect_size",
        "p_value",
        "significant",
    ],
);

/// A header: `head`, then one `point.PATH` column per varied parameter, then `tail`.
fn header_with_points(head: &[&str], keys: &[String], tail: &[&str]) -> Vec<String> {
    head.iter()
        .map(|h| h.to_string())
        .chain(keys.iter().map(|k| format!("point.{k}")))
        .chain(tail.iter().map(|h| h.to_string()))
        .collect()
}

/// Writes `summary.csv`: for every strategy × point × outcome, the number of runs,
/// mean, standard deviation, standard error, 95% confidence interval and median.
/// Each varied parameter of the design has a `point.PATH` column with its value.
pub fn write_summary(dir: &Path, s: &Scenario, o: &Outcomes) -> Result<()> {
    let path = dir.join("summary.csv");
    let mut f = AtomicFile::create(&path)?;
    {
        let mut w = csv::Writer::from_writer(f.writer());
        let err = |e: csv::Error| Error::Csv {
            path: path.clone(),
            source: e,
        };
        let keys = s.point_keys();
        w.write_record(header_with_points(
            SUMMARY_COLUMNS.0,
            &keys,
            SUMMARY_COLUMNS.1,
        ))
        .map_err(err)?;
        let reps = s.replicates as usize;
        let mut row: Vec<String> = Vec::new();
        for st in &s.strategies {
            for point in 0..s.point_count() {
                let cells = s.point_cells(point, &keys);
                for (c, name) in o.columns.iter().enumerate() {
                    let v = by_replicate(o, &st.name, point, c, reps);
                    let m = stats::summarize(&v);
                    row.clear();
                    row.extend([s.name.clone(), st.name.clone(), point.to_string()]);
                    row.extend(cells.iter().cloned());
                    row.extend([
                        name.clone(),
                        m.n.to_string(),
                        num(m.mean),
                        num(m.sd),
                        num(m.se),
                        num(m.ci_low),
                        num(m.ci_high),
                        num(m.median),
                    ]);
                    w.write_record(&row).map_err(err)?;
                }
            }
        }
        w.flush().map_err(|e| Error::io(&path, e))?;
    }
    f.commit()
}

/// The outcomes strategies are ranked on, and whether more is better.
pub const RANKED: &[(&str, bool)] = &[
    ("final.capacity", true),
    ("post_exit.capacity", true),
    ("final.access_gap", false),
    ("post_exit.access_gap", false),
    ("final.unreached_marginalized", false),
    ("post_exit.unreached_marginalized", false),
];

/// One row of `compare.csv`.
#[derive(Debug, Clone)]
pub struct CompareRow {
    /// Design point.
    pub point: usize,
    /// Strategy compared.
    pub strategy: String,
    /// Outcome.
    pub outcome: String,
    /// Whether more of the outcome is better.
    pub higher_is_better: bool,
    /// Mean of the strategy.
    pub mean: f64,
    /// Mean of the baseline.
    pub baseline_mean: f64,
    /// Paired comparison strategy − baseline.
    pub cmp: stats::Comparison,
    /// Rank among the strategies on this outcome at this point (1 = best).
    pub rank: usize,
    /// The baseline's rank on this outcome at this point.
    pub baseline_rank: usize,
}

/// Compares every strategy with the baseline (the first strategy), paired by
/// replicate (strategies of one replicate share the village and the shocks), on the
/// [`RANKED`] outcomes, and ranks the strategies on each.
pub fn compare(s: &Scenario, o: &Outcomes) -> Vec<CompareRow> {
    let reps = s.replicates as usize;
    let base = &s.strategies[0].name;
    let mut rows = Vec::new();
    for point in 0..s.point_count() {
        for &(outcome, higher) in RANKED {
            let Some(c) = o.column(outcome) else { continue };
            let b = by_replicate(o, base, point, c, reps);
            let mut block: Vec<CompareRow> = s
                .strategies
                .iter()
                .map(|st| {
                    let a = by_replicate(o, &st.name, point, c, reps);
                    CompareRow {
                        point,
                        strategy: st.name.clone(),
                        outcome: outcome.to_string(),
                        higher_is_better: higher,
                        mean: stats::summarize(&a).mean,
                        baseline_mean: stats::summarize(&b).mean,
                        cmp: stats::paired(&a, &b),
                        rank: 0,
                        baseline_rank: 0,
                    }
                })
                .collect();
            let mut order: Vec<usize> = (0..block.len()).collect();
            order.sort_by(|&x, &y| {
                let (a, b) = (block[x].mean, block[y].mean);
                let ord = if higher {
                    b.total_cmp(&a)
                } else {
                    a.total_cmp(&b)
                };
                ord.then(x.cmp(&y))
            });
            for (rank, &i) in order.iter().enumerate() {
                block[i].rank = rank + 1;
            }
            let base_rank = block[0].rank;
            for r in &mut block {
                r.baseline_rank = base_rank;
            }
            rows.extend(block);
        }
    }
    rows
}

/// Writes `compare.csv`: the rows of every strategy but the baseline (whose
/// comparison with itself says nothing; its mean and rank are on every row as
/// `baseline_mean` and `baseline_rank`), with a `point.PATH` column per varied
/// parameter.
pub fn write_compare(dir: &Path, s: &Scenario, rows: &[CompareRow]) -> Result<()> {
    let path = dir.join("compare.csv");
    let mut f = AtomicFile::create(&path)?;
    {
        let mut w = csv::Writer::from_writer(f.writer());
        let err = |e: csv::Error| Error::Csv {
            path: path.clone(),
            source: e,
        };
        let keys = s.point_keys();
        w.write_record(header_with_points(
            COMPARE_COLUMNS.0,
            &keys,
            COMPARE_COLUMNS.1,
        ))
        .map_err(err)?;
        let base = &s.strategies[0].name;
        let mut row: Vec<String> = Vec::new();
        for r in rows.iter().filter(|r| &r.strategy != base) {
            row.clear();
            row.extend([s.name.clone(), r.point.to_string()]);
            row.extend(s.point_cells(r.point, &keys));
            row.extend([
                r.outcome.clone(),
                r.higher_is_better.to_string(),
                r.strategy.clone(),
                base.clone(),
                r.rank.to_string(),
                r.baseline_rank.to_string(),
                r.cmp.n.to_string(),
                num(r.mean),
                num(r.baseline_mean),
                num(r.cmp.difference),
                num(r.cmp.ci_low),
                num(r.cmp.ci_high),
                num(r.cmp.effect_size),
                num(r.cmp.p_value),
                r.cmp.significant.to_string(),
            ]);
            w.write_record(&row).map_err(err)?;
        }
        w.flush().map_err(|e| Error::io(&path, e))?;
    }
    f.commit()
}

/// The comparison as a text table: for each design point, strategies ranked on
/// capacity after exit, with each outcome's difference from the baseline and its
/// 95% interval; `~` marks a difference that is not significant.
pub fn compare_table(s: &Scenario, rows: &[CompareRow]) -> String {
    if s.point_count() > MAX_POINT_TABLES {
        return design_table(s, rows);
    }
    let mut out = String::new();
    let shown = [
        ("post_exit.capacity", "capacity after exit"),
        ("final.capacity", "capacity"),
        ("post_exit.access_gap", "access gap after exit"),
        ("post_exit.unreached_marginalized", "unreached after exit"),
    ];
    for point in 0..s.point_count() {
        let label = s.point_label(point);
        if !label.is_empty() {
            out.push_str(&format!("\npoint {point}: {label}\n"));
        }
        let find = |st: &str, oc: &str| {
            rows.iter()
                .find(|r| r.point == point && r.strategy == st && r.outcome == oc)
        };
        let mut order: Vec<&str> = s.strategies.iter().map(|x| x.name.as_str()).collect();
        let key = |st: &str| {
            find(st, "post_exit.capacity")
                .or_else(|| find(st, "final.capacity"))
                .map_or(usize::MAX, |r| r.rank)
        };
        order.sort_by_key(|st| key(st));
        let w = s.strategies.len().to_string().len();
        // Every cell first, then columns as wide as their widest cell.
        let mut table: Vec<Vec<String>> = vec![
            std::iter::once("strategy".to_string())
                .chain(shown.iter().map(|(_, h)| h.to_string()))
                .collect(),
        ];
        for st in order {
            let mut row = vec![st.to_string()];
            for (oc, _) in shown {
                row.push(match find(st, oc) {
                    None => "NA".to_string(),
                    Some(r) if st == s.strategies[0].name => {
                        format!("#{:<w$} {:.3} (baseline)", r.rank, r.mean)
                    }
                    Some(r) if !r.cmp.difference.is_finite() => {
                        format!("#{:<w$} {:.3}", r.rank, r.mean)
                    }
                    Some(r) => format!(
                        "#{:<w$} {:.3} {:+.3}{} [{:+.3},{:+.3}]",
                        r.rank,
                        r.mean,
                        r.cmp.difference,
                        if r.cmp.significant { " " } else { "~" },
                        r.cmp.ci_low,
                        r.cmp.ci_high
                    ),
                });
            }
            table.push(row);
        }
        let widths = column_widths(&table);
        out.push('\n');
        for row in &table {
            let mut line = String::new();
            for (c, cell) in row.iter().enumerate() {
                let pad = widths[c] - cell.chars().count();
                if c > 0 {
                    line.push_str("  ");
                }
                line.push_str(cell);
                line.extend(std::iter::repeat_n(' ', pad));
            }
            out.push_str(line.trim_end());
            out.push('\n');
        }
    }
    out.push_str(&format!(
        "(strategies in order of capacity after exit; #rank on each outcome, best first; mean; difference from `{}` paired by replicate, 95% CI; ~ = not significant)\n",
        s.strategies[0].name
    ));
    out
}

/// The width in characters of each column of a text table (rows of cells).
pub fn column_widths(table: &[Vec<String>]) -> Vec<usize> {
    (0..table.first().map_or(0, Vec::len))
        .map(|c| {
            table
                .iter()
                .map(|r| r[c].chars().count())
                .max()
                .unwrap_or(0)
        })
        .collect()
}

/// Designs of more points than this get one short table, not a table per point.
pub const MAX_POINT_TABLES: usize = 6;
/// Rows of that short table.
pub const MAX_DESIGN_ROWS: usize = 10;

/// The comparison of a design of many points, kept short: per strategy and shown
/// outcome, at how many points it differs significantly from the baseline, each
/// way; then the [`MAX_DESIGN_ROWS`] (point, strategy) rows with the largest
/// differences in capacity after exit, and how many more rows `compare.csv` has.
fn design_table(s: &Scenario, rows: &[CompareRow]) -> String {
    let base = &s.strategies[0].name;
    let points = s.point_count();
    let mut out = format!(
        "\n{points} design points: how often each strategy differs from `{base}` (paired by \
         replicate, 95% CI excludes 0):\n"
    );
    let shown = [
        ("post_exit.capacity", "capacity after exit"),
        ("post_exit.access_gap", "access gap after exit"),
        ("post_exit.unreached_marginalized", "unreached after exit"),
    ];
    let others: Vec<&str> = s
        .strategies
        .iter()
        .skip(1)
        .map(|x| x.name.as_str())
        .collect();
    let sw = others
        .iter()
        .map(|x| x.chars().count())
        .max()
        .unwrap_or(8)
        .max(8);
    for st in &others {
        for (oc, label) in shown {
            let of: Vec<&CompareRow> = rows
                .iter()
                .filter(|r| r.strategy == *st && r.outcome == oc)
                .collect();
            if of.is_empty() {
                continue;
            }
            let sig: Vec<&&CompareRow> = of.iter().filter(|r| r.cmp.significant).collect();
            let better = sig
                .iter()
                .filter(|r| (r.cmp.difference > 0.0) == r.higher_is_better)
                .count();
            out.push_str(&format!(
                "  {st:<sw$}  {label:<22} significant at {:>4} of {} points ({} better, {} worse)\n",
                sig.len(),
                of.len(),
                better,
                sig.len() - better
            ));
        }
    }
    let mut top: Vec<&CompareRow> = rows
        .iter()
        .filter(|r| &r.strategy != base && r.outcome == "post_exit.capacity")
        .filter(|r| r.cmp.difference.is_finite())
        .collect();
    if top.is_empty() {
        return out;
    }
    let all = top.len();
    top.sort_by(|a, b| {
        b.cmp
            .difference
            .abs()
            .total_cmp(&a.cmp.difference.abs())
            .then(a.point.cmp(&b.point))
    });
    top.truncate(MAX_DESIGN_ROWS);
    out.push_str(&format!(
        "\nthe {} largest differences in capacity after exit:\n",
        top.len()
    ));
    let keys = s.point_keys();
    let label = |p: usize| -> String {
        let short: Vec<&str> = keys
            .iter()
            .map(|k| k.rsplit('.').next().unwrap_or(k))
            .collect();
        short
            .iter()
            .zip(s.point_cells(p, &keys))
            .map(|(k, v)| format!("{k} {}", crate::scenario::values::short_value(&v)))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let labels: Vec<String> = top.iter().map(|r| label(r.point)).collect();
    let lw = labels.iter().map(|l| l.chars().count()).max().unwrap_or(0);
    let pw = (points - 1).to_string().len() + 1;
    for (r, l) in top.iter().zip(&labels) {
        out.push_str(&format!(
            "  #{:<pw$} {l:<lw$}  {:<sw$} {:+.3}{} [{:+.3},{:+.3}]\n",
            r.point,
            r.strategy,
            r.cmp.difference,
            if r.cmp.significant { " " } else { "~" },
            r.cmp.ci_low,
            r.cmp.ci_high,
        ));
    }
    if all > top.len() {
        out.push_str(&format!(
            "  … {} more rows of capacity after exit in compare.csv; every outcome of every point in summary.csv and compare.csv (kampung report draws them all)\n",
            all - top.len()
        ));
    }
    out.push_str(&format!(
        "(difference from `{base}` paired by replicate, 95% CI; ~ = not significant)\n"
    ));
    out
}

/// Writes `summary.csv` and `compare.csv` from the `runs.csv` in `dir`; returns the
/// files written and the comparison rows.
pub fn write_statistics(dir: &Path, s: &Scenario) -> Result<(Vec<String>, Vec<CompareRow>)> {
    let o = Outcomes::read(&dir.join("runs.csv"))?;
    write_statistics_of(dir, s, &o)
}

/// [`write_statistics`] of outcomes already read.
pub fn write_statistics_of(
    dir: &Path,
    s: &Scenario,
    o: &Outcomes,
) -> Result<(Vec<String>, Vec<CompareRow>)> {
    write_summary(dir, s, o)?;
    let rows = compare(s, o);
    write_compare(dir, s, &rows)?;
    Ok((vec!["summary.csv".into(), "compare.csv".into()], rows))
}

/// One row of `sensitivity.csv`.
#[derive(Debug, Clone, PartialEq)]
pub struct SensitivityRow {
    /// `morris` or `sobol`.
    pub method: &'static str,
    /// Outcome.
    pub outcome: String,
    /// Parameter path.
    pub parameter: String,
    /// `mu`, `mu_star`, `sigma` (Morris) or `first`, `total` (Sobol).
    pub index: &'static str,
    /// Estimate.
    pub estimate: f64,
    /// 95% bootstrap interval (NaN where none).
    pub ci: (f64, f64),
    /// Runs whose value of the outcome went into the estimate (the method's design
    /// rows × replicates, less failed runs and runs without a value).
    pub runs: usize,
}

/// What [`sensitivity()`] found: the indices, and the runs that failed.
#[derive(Debug, Clone, Default)]
pub struct SensitivityResult {
    /// One row per (method, outcome, parameter, index).
    pub rows: Vec<SensitivityRow>,
    /// Runs done in all.
    pub runs: usize,
    /// The strategy analysed (`[sensitivity] strategy`, else the first).
    pub strategy: String,
    /// Replicates of every design row.
    pub replicates: u32,
    /// Failed runs in plan order, with the error; their design rows are averaged
    /// over the replicates that finished.
    pub failures: Vec<(runner::RunSpec, String)>,
}

/// Runs the sensitivity analysis the scenario's `[sensitivity]` table asks for
/// (Morris and/or Sobol over its ranges, each design row averaged over replicates)
/// on `threads` threads; `progress` is called with (runs done, runs in all). A run
/// that fails does not stop the analysis: it is listed in the result, and its design
/// row is averaged over the replicates that finished.
pub fn sensitivity(
    s: &Scenario,
    threads: Option<usize>,
    progress: &(dyn Fn(usize, usize) + Sync),
) -> Result<SensitivityResult> {
    let sp = s.sensitivity.clone().unwrap_or_default();
    let problems = sp.check(&s.sweep);
    if !problems.is_empty() {
        return Err(Error::Run(
            problems
                .iter()
                .map(|(k, m, _)| format!("`{k}`: {m}"))
                .collect::<Vec<_>>()
                .join("; "),
        ));
    }
    let ranges: Vec<(String, Range)> =
        sweep::parse_ranges(sp.ranges(&s.sweep), "sensitivity.ranges").map_err(|es| {
            Error::Run(
                es.iter()
                    .map(|e| e.to_string())
                    .collect::<Vec<_>>()
                    .join("; "),
            )
        })?;
    let k = ranges.len();
    let seed = sp.seed.unwrap_or(s.seed);
    let strategy = match &sp.strategy {
        None => 0,
        Some(n) => s
            .strategies
            .iter()
            .position(|x| &x.name == n)
            .ok_or_else(|| Error::Run(format!("sensitivity.strategy: no strategy `{n}`")))?,
    };
    let reps = sp.replicates.unwrap_or(s.replicates);
    let mut rng = crate::model::rng::rng_from_seed(seed);
    let mut units: Vec<Vec<f64>> = Vec::new();
    let morris_rows = if matches!(
        sp.method,
        SensitivityMethod::Morris | SensitivityMethod::Both
    ) {
        let d = sensitivity::morris_design(k, sp.trajectories, sp.levels, &mut rng);
        let r = units.len()..units.len() + d.len();
        units.extend(d);
        Some(r)
    } else {
        None
    };
    let saltelli = if matches!(
        sp.method,
        SensitivityMethod::Sobol | SensitivityMethod::Both
    ) {
        let d = sensitivity::saltelli_design(k, sp.samples, seed);
        let r = units.len()..units.len() + d.rows.len();
        units.extend(d.rows.iter().cloned());
        Some((d, r))
    } else {
        None
    };
    // A scenario of one strategy whose design points are the rows.
    let mut sub = s.clone();
    sub.strategies = vec![s.strategies[strategy].clone()];
    sub.replicates = reps;
    sub.points = units
        .iter()
        .map(|u| {
            ranges
                .iter()
                .zip(u)
                .map(|((path, range), &x)| (path.clone(), range.at(x)))
                .collect()
        })
        .collect();
    // Loading checked each range's ends; combinations can still break a constraint
    // between parameters (an exit before the entry), so every row is checked.
    for (i, values) in sub.points.iter().enumerate() {
        let p = crate::scenario::apply_point(&sub.strategies[0].params, values)
            .map_err(|m| Error::Run(format!("sensitivity row {i}: {m}")))?;
        if let Some(m) = crate::scenario::point_problems(&p, &s.output).first() {
            return Err(Error::Run(format!(
                "sensitivity row {i} ({}): {m}",
                sub.point_label(i)
            )));
        }
    }
    let specs = runner::plan(&sub);
    let outcome_idx: Vec<(bool, usize)> = sp
        .outcomes
        .iter()
        .map(|o| {
            let post = o.starts_with("post_exit.");
            let name = o.split_once('.').map_or("", |x| x.1);
            (
                post,
                Metrics::COLUMNS
                    .iter()
                    .position(|c| *c == name)
                    .unwrap_or(0),
            )
        })
        .collect();
    let n_out = outcome_idx.len();
    // Each run's outcomes stored at its place in the plan (NaN when it failed or has
    // no post-exit value), so the averages below add up in plan order, whatever order
    // the runs finished in.
    let values = Mutex::new(vec![f64::NAN; specs.len() * n_out]);
    let failures = Mutex::new(Vec::new());
    let done = std::sync::atomic::AtomicUsize::new(0);
    let total = specs.len();
    runner::for_each(&specs, threads, &|spec| {
        // Only the run's end is needed: its rows are not kept.
        match runner::record_guarded(&sub, spec, &mut runner::Discard) {
            Ok(end) => {
                let last = end.last.1.values();
                let post = end.post_exit.map(|(_, m)| m.values());
                let mut g = values.lock().unwrap_or_else(|e| e.into_inner());
                for (j, &(is_post, c)) in outcome_idx.iter().enumerate() {
                    g[spec.index * n_out + j] = if is_post {
                        post.map_or(f64::NAN, |p| p[c])
                    } else {
                        last[c]
                    };
                }
            }
            Err(runner::Halt::Failed(error)) => failures
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .push((spec.clone(), error)),
            Err(runner::Halt::Error(e)) => return Err(e),
        }
        progress(
            done.fetch_add(1, std::sync::atomic::Ordering::Relaxed) + 1,
            total,
        );
        Ok(())
    })?;
    let values = values.into_inner().unwrap_or_else(|e| e.into_inner());
    let mut failures = failures.into_inner().unwrap_or_else(|e| e.into_inner());
    failures.sort_by_key(|(spec, _)| spec.index);
    // Mean over replicates of each design row and outcome, and how many runs gave it.
    let mut sums = vec![(0.0f64, 0usize); units.len() * n_out];
    for spec in &specs {
        for j in 0..n_out {
            let v = values[spec.index * n_out + j];
            if v.is_finite() {
                let cell = &mut sums[spec.point * n_out + j];
                cell.0 += v;
                cell.1 += 1;
            }
        }
    }
    let runs_in = |j: usize, range: &std::ops::Range<usize>| -> usize {
        range.clone().map(|row| sums[row * n_out + j].1).sum()
    };
    let y = |j: usize, range: &std::ops::Range<usize>| -> Vec<f64> {
        range
            .clone()
            .map(|row| {
                let (s, n) = sums[row * n_out + j];
                if n > 0 { s / n as f64 } else { f64::NAN }
            })
            .collect()
    };
    let mut rows = Vec::new();
    for (j, outcome) in sp.outcomes.iter().enumerate() {
        if let Some(r) = &morris_rows {
            let design: Vec<Vec<f64>> = units[r.clone()].to_vec();
            let yy = y(j, r);
            let used = runs_in(j, r);
            let idx = sensitivity::morris_effects(&design, &yy, k);
            let ci = sensitivity::morris_mu_star_ci(&design, &yy, k, sp.bootstrap, &mut rng);
            for (i, m) in idx.iter().enumerate() {
                let p = &ranges[i].0;
                let none = (f64::NAN, f64::NAN);
                for (name, est, c) in [
                    ("mu", m.mu, none),
                    ("mu_star", m.mu_star, ci[i]),
                    ("sigma", m.sigma, none),
                ] {
                    rows.push(SensitivityRow {
                        method: "morris",
                        outcome: outcome.clone(),
                        parameter: p.clone(),
                        index: name,
                        estimate: est,
                        ci: c,
                        runs: used,
                    });
                }
            }
        }
        if let Some((d, r)) = &saltelli {
            let yy = y(j, r);
            let used = runs_in(j, r);
            let idx = sensitivity::sobol_indices(d, &yy, sp.bootstrap, &mut rng);
            for (i, x) in idx.iter().enumerate() {
                let p = &ranges[i].0;
                rows.push(SensitivityRow {
                    method: "sobol",
                    outcome: outcome.clone(),
                    parameter: p.clone(),
                    index: "first",
                    estimate: x.first,
                    ci: x.first_ci,
                    runs: used,
                });
                rows.push(SensitivityRow {
                    method: "sobol",
                    outcome: outcome.clone(),
                    parameter: p.clone(),
                    index: "total",
                    estimate: x.total,
                    ci: x.total_ci,
                    runs: used,
                });
            }
        }
    }
    Ok(SensitivityResult {
        rows,
        runs: total,
        strategy: s.strategies[strategy].name.clone(),
        replicates: reps,
        failures,
    })
}

/// Finishes a sensitivity folder whose `sensitivity.csv` is written: copies the
/// scenario and data files into its `input/` and writes `manifest.json` last (kind
/// `sensitivity`; `points` counts the design rows, `strategies` names the strategy
/// analysed), so that `kampung report` can read the folder alone.
pub fn write_sensitivity_manifest(
    dir: &Path,
    s: &Scenario,
    result: &SensitivityResult,
    info: &crate::experiment::output::RunInfo,
) -> Result<()> {
    use crate::experiment::output;
    let copied = crate::experiment::inputs::copy_inputs(dir, s)?;
    let m = output::Manifest {
        program: "kampung".into(),
        kind: output::kind::SENSITIVITY.into(),
        version: output::VERSION.into(),
        commit: output::COMMIT.into(),
        scenario: s.name.clone(),
        scenario_file: s.file.as_ref().map(|f| f.display().to_string()),
        input_scenario: copied.scenario,
        inputs: copied.files,
        scenario_sha256: s.sha256.clone(),
        data_sha256: s.data_sha256.clone(),
        posterior: None,
        seed: s
            .sensitivity
            .as_ref()
            .and_then(|sp| sp.seed)
            .unwrap_or(s.seed),
        time_unit: s.time_unit().into(),
        replicates: result.replicates,
        strategies: vec![result.strategy.clone()],
        points: result.runs / (result.replicates.max(1) as usize),
        runs: result.runs,
        failed_runs: result.failures.len(),
        command_line: info.command_line.clone(),
        threads: info.threads,
        started: info.started.clone(),
        finished: output::utc_now_iso8601(),
        peak_memory_bytes: output::peak_memory_bytes(),
        repairs: s.repairs.clone(),
        files: vec!["sensitivity.csv".into(), "manifest.json".into()],
        complete: true,
    };
    output::write_manifest(dir, &m)
}

/// A Sobol index's 95% interval wider than this is flagged as not converged.
pub const SOBOL_MAX_WIDTH: f64 = 0.25;
/// A first-order index above its total index by more than this is flagged (exactly,
/// the first-order index is at most the total; estimates may cross by noise).
pub const FIRST_ABOVE_TOTAL: f64 = 0.01;

/// One sign that a Sobol estimate has not converged.
#[derive(Debug, Clone, PartialEq)]
pub struct ConvergenceWarning {
    /// Outcome.
    pub outcome: String,
    /// Parameter path.
    pub parameter: String,
    /// `first` or `total`, or `first > total`.
    pub index: String,
    /// What is wrong, with the numbers.
    pub problem: String,
}

/// The signs that the Sobol indices of `rows` have not converged: an index outside
/// [0, 1] with its whole 95% interval outside too, a first-order index above the
/// total by more than [`FIRST_ABOVE_TOTAL`], and an interval wider than
/// [`SOBOL_MAX_WIDTH`]. In row order.
pub fn convergence(rows: &[SensitivityRow]) -> Vec<ConvergenceWarning> {
    let mut out = Vec::new();
    let fmt = |v: f64| format!("{v:.3}");
    for r in rows.iter().filter(|r| r.method == "sobol") {
        let warn = |index: &str, problem: String| ConvergenceWarning {
            outcome: r.outcome.clone(),
            parameter: r.parameter.clone(),
            index: index.to_string(),
            problem,
        };
        let (lo, hi) = r.ci;
        if r.estimate.is_finite() && lo.is_finite() && hi.is_finite() {
            if lo > 1.0 || hi < 0.0 {
                out.push(warn(
                    r.index,
                    format!(
                        "{} index {} is outside [0, 1], and so is all of its 95% interval [{}, {}]",
                        r.index,
                        fmt(r.estimate),
                        fmt(lo),
                        fmt(hi)
                    ),
                ));
            }
            if hi - lo > SOBOL_MAX_WIDTH {
                out.push(warn(
                    r.index,
                    format!(
                        "{} index {}: its 95% interval [{}, {}] is {} wide (more than {SOBOL_MAX_WIDTH})",
                        r.index,
                        fmt(r.estimate),
                        fmt(lo),
                        fmt(hi),
                        fmt(hi - lo)
                    ),
                ));
            }
        }
        if r.index == "first"
            && let Some(total) = rows.iter().find(|t| {
                t.method == "sobol"
                    && t.index == "total"
                    && t.outcome == r.outcome
                    && t.parameter == r.parameter
            })
            && r.estimate > total.estimate + FIRST_ABOVE_TOTAL
        {
            out.push(warn(
                "first > total",
                format!(
                    "first-order index {} is above the total index {}",
                    fmt(r.estimate),
                    fmt(total.estimate)
                ),
            ));
        }
    }
    out
}

/// Writes `sensitivity.csv`.
pub fn write_sensitivity(path: &Path, rows: &[SensitivityRow]) -> Result<()> {
    let mut f = AtomicFile::create(path)?;
    {
        let w = f.writer();
        let io = |e| Error::io(path, e);
        writeln!(
            w,
            "method,outcome,parameter,index,estimate,ci_low,ci_high,runs"
        )
        .map_err(io)?;
        let mut c = csv::Writer::from_writer(w);
        for r in rows {
            c.write_record([
                r.method.to_string(),
                r.outcome.clone(),
                r.parameter.clone(),
                r.index.to_string(),
                num(r.estimate),
                num(r.ci.0),
                num(r.ci.1),
                r.runs.to_string(),
            ])
            .map_err(|e| Error::Csv {
                path: path.to_path_buf(),
                source: e,
            })?;
        }
        c.flush().map_err(io)?;
    }
    f.commit()
}

/// Runs per method for a sensitivity analysis of `k` parameters (for `plan`).
pub fn sensitivity_runs(
    sp: &SensitivityParams,
    k: usize,
    replicates: u32,
) -> HashMap<&'static str, usize> {
    let mut m = HashMap::new();
    let reps = sp.replicates.unwrap_or(replicates) as usize;
    if matches!(
        sp.method,
        SensitivityMethod::Morris | SensitivityMethod::Both
    ) {
        m.insert("morris", sp.trajectories * (k + 1) * reps);
    }
    if matches!(
        sp.method,
        SensitivityMethod::Sobol | SensitivityMethod::Both
    ) {
        m.insert("sobol", sp.samples * (k + 2) * reps);
    }
    m
}
