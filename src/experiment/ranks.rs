//! How often each strategy ranks first across draws: `ranks.csv` and its table,
//! written for runs under a posterior (`run --posterior`), where each replicate is a
//! draw of the calibrated parameters, so a strategy's share of first places says how
//! much of the posterior's weight favours it.
//!
//! For each ranked outcome ([`analysis::RANKED`], with its direction: more capacity
//! is better, a smaller access gap and fewer unreached households are better) and
//! each replicate in which every strategy has a value, the strategy with the best
//! value ranks first; strategies tied for the best share the place equally (capacity
//! is often exactly 0 for several strategies in a village where the organization
//! dissolved). A strategy's `share_first` is its first places over those replicates.

use crate::error::{Error, Result};
use crate::experiment::analysis::{self, Outcomes, RANKED};
use crate::experiment::folder::AtomicFile;
use crate::scenario::Scenario;
use crate::scenario::values::num;
use std::path::Path;

/// The columns of `ranks.csv`.
pub const RANKS_COLUMNS: &[&str] = &[
    "scenario",
    "outcome",
    "higher_is_better",
    "strategy",
    "share_first",
    "draws",
];

/// One row of `ranks.csv`.
#[derive(Debug, Clone, PartialEq)]
pub struct RankRow {
    /// The outcome (`post_exit.capacity`, …).
    pub outcome: String,
    /// Whether more of it is better.
    pub higher_is_better: bool,
    /// The strategy.
    pub strategy: String,
    /// Its share of first places over the draws (NaN when there are none).
    pub share_first: f64,
    /// Replicates in which every strategy has a finite value of the outcome.
    pub draws: usize,
}

/// The share of first places of every strategy on every ranked outcome, over the
/// replicates of design point 0 (a posterior run has no other).
pub fn ranks(s: &Scenario, o: &Outcomes) -> Vec<RankRow> {
    let reps = s.replicates as usize;
    let mut rows = Vec::new();
    for &(outcome, higher) in RANKED {
        let Some(c) = o.columns.iter().position(|x| x == outcome) else {
            continue;
        };
        let values: Vec<Vec<f64>> = s
            .strategies
            .iter()
            .map(|st| analysis::by_replicate(o, &st.name, 0, c, reps))
            .collect();
        let mut firsts = vec![0.0f64; s.strategies.len()];
        let mut draws = 0usize;
        for r in 0..reps {
            let v: Vec<f64> = values.iter().map(|x| x[r]).collect();
            if v.is_empty() || v.iter().any(|x| !x.is_finite()) {
                continue;
            }
            draws += 1;
            let best = v.iter().copied().fold(v[0], |b, x| {
                if (higher && x > b) || (!higher && x < b) {
                    x
                } else {
                    b
                }
            });
            let tied = v.iter().filter(|&&x| x == best).count() as f64;
            for (k, &x) in v.iter().enumerate() {
                if x == best {
                    firsts[k] += 1.0 / tied;
                }
            }
        }
        for (st, f) in s.strategies.iter().zip(firsts) {
            rows.push(RankRow {
                outcome: outcome.to_string(),
                higher_is_better: higher,
                strategy: st.name.clone(),
                share_first: if draws > 0 {
                    f / draws as f64
                } else {
                    f64::NAN
                },
                draws,
            });
        }
    }
    rows
}

/// What [`write_statistics`] wrote.
#[derive(Debug, Clone, Default)]
pub struct Statistics {
    /// The files written.
    pub files: Vec<String>,
    /// The comparison rows (`compare.csv`, the baseline's rows too).
    pub compare: Vec<analysis::CompareRow>,
    /// The shares of first places (`ranks.csv`); empty without a posterior.
    pub ranks: Vec<RankRow>,
}

impl Statistics {
    /// The comparison as text ([`analysis::compare_table`]), then, under a
    /// posterior, how often each strategy ranks first ([`ranks_table`]).
    pub fn table(&self, s: &Scenario) -> String {
        let mut out = analysis::compare_table(s, &self.compare);
        if !self.ranks.is_empty() {
            out.push_str(&ranks_table(s, &self.ranks));
        }
        out
    }
}

/// The statistics of a finished run from the `runs.csv` in `dir`, read once:
/// `summary.csv` and `compare.csv` ([`analysis::write_statistics`]) and, when the
/// runs drew from a posterior, `ranks.csv`.
pub fn write_statistics(dir: &Path, s: &Scenario) -> Result<Statistics> {
    let o = Outcomes::read(&dir.join("runs.csv"))?;
    let (mut files, compare) = analysis::write_statistics_of(dir, s, &o)?;
    let mut shares = Vec::new();
    if s.posterior.is_some() {
        shares = ranks(s, &o);
        write_ranks(dir, s, &shares)?;
        files.push("ranks.csv".into());
    }
    Ok(Statistics {
        files,
        compare,
        ranks: shares,
    })
}

/// Writes `ranks.csv` into `dir`.
pub fn write_ranks(dir: &Path, s: &Scenario, rows: &[RankRow]) -> Result<()> {
    let path = dir.join("ranks.csv");
    let mut f = AtomicFile::create(&path)?;
    {
        let mut w = csv::Writer::from_writer(f.writer());
        let err = |e: csv::Error| Error::Csv {
            path: path.clone(),
            source: e,
        };
        w.write_record(RANKS_COLUMNS).map_err(err)?;
        for r in rows {
            w.write_record([
                s.name.clone(),
                r.outcome.clone(),
                r.higher_is_better.to_string(),
                r.strategy.clone(),
                num(r.share_first),
                r.draws.to_string(),
            ])
            .map_err(err)?;
        }
        w.flush().map_err(|e| Error::io(&path, e))?;
    }
    f.commit()
}

/// The shares as a text table: a row per strategy (in file order), a column per
/// ranked outcome, each cell the share of first places in percent.
pub fn ranks_table(s: &Scenario, rows: &[RankRow]) -> String {
    let outcomes: Vec<&str> = RANKED
        .iter()
        .map(|(o, _)| *o)
        .filter(|o| rows.iter().any(|r| r.outcome == *o))
        .collect();
    if outcomes.is_empty() {
        return String::new();
    }
    let draws = rows.iter().map(|r| r.draws).max().unwrap_or(0);
    let label = |o: &str| -> String {
        let (when, what) = o.split_once('.').unwrap_or(("", o));
        let what = match what {
            "unreached_marginalized" => "unreached",
            w => w,
        }
        .replace('_', " ");
        if when == "post_exit" {
            format!("{what} after exit")
        } else {
            what
        }
    };
    let mut table: Vec<Vec<String>> = vec![
        std::iter::once("strategy".to_string())
            .chain(outcomes.iter().map(|o| label(o)))
            .collect(),
    ];
    for st in &s.strategies {
        let mut row = vec![st.name.clone()];
        for o in &outcomes {
            let cell = rows
                .iter()
                .find(|r| r.outcome == *o && r.strategy == st.name)
                .map_or("NA".to_string(), |r| {
                    if r.share_first.is_finite() {
                        format!("{:.0}%", 100.0 * r.share_first)
                    } else {
                        "NA".to_string()
                    }
                });
            row.push(cell);
        }
        table.push(row);
    }
    let widths = analysis::column_widths(&table);
    let mut out = format!(
        "\nhow often each strategy ranks first across the posterior's draws ({draws} \
         replicates, each with its own draw of the calibrated parameters):\n"
    );
    for row in &table {
        let mut line = String::new();
        for (c, cell) in row.iter().enumerate() {
            if c > 0 {
                line.push_str("  ");
            }
            let pad = widths[c] - cell.chars().count();
            if c == 0 {
                line.push_str(cell);
                line.extend(std::iter::repeat_n(' ', pad));
            } else {
                line.extend(std::iter::repeat_n(' ', pad));
                line.push_str(cell);
            }
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out.push_str(
        "(share of replicates in which the strategy does best on the outcome; ties share the \
         place; ranks.csv)\n",
    );
    out
}
