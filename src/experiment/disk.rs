//! How much disk a results folder will take, table by table, for `kampung plan`:
//! the rows each table gets (counted from the scenario, cell by cell) times the bytes
//! a row takes (measured on the rows of the pilot runs, written exactly as `run`
//! writes them, and counted as they are made: [`PilotRows`]).

use crate::error::Result;
use crate::experiment::output::{self, ParamColumns, Table, measure_columns};
use crate::experiment::rows::{RowSinks, RunRows};
use crate::experiment::runner::{self, Halt, RunSpec};
use crate::model::params::Params;
use crate::scenario::{OutputParams, Scenario};
use std::io::Write;
use std::path::Path;

/// Bytes and lines written to it.
#[derive(Debug, Clone, Copy, Default)]
struct Count {
    bytes: u64,
    lines: u64,
}

impl Write for Count {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.bytes += buf.len() as u64;
        self.lines += buf.iter().filter(|&&b| b == b'\n').count() as u64;
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// The rows a pilot run writes to each table, counted (bytes and rows) as the run
/// makes them, as `run` writes them, without holding any.
#[derive(Debug, Clone, Default)]
pub struct PilotRows {
    /// Bytes and rows per table, in the order of [`Table::ALL`].
    counts: [Count; Table::ALL.len()],
    /// Households in the run's snapshots (`None` without one).
    households: Option<u64>,
}

impl PilotRows {
    /// Does run `spec` of `s`, counting its rows.
    pub fn of(s: &Scenario, params: &ParamColumns, spec: &RunSpec) -> Result<PilotRows> {
        let rows = RunRows::new(s, params, spec)
            .map_err(|e| crate::Error::Run(format!("counting a pilot run's rows: {e}")))?;
        let mut sinks = RowSinks::new(rows, [Count::default(); 3], Path::new("(pilot run)"));
        let end = match runner::record(s, spec, &mut sinks) {
            Ok(end) => end,
            Err(Halt::Failed(why)) => {
                return Err(crate::Error::Run(format!("a pilot run failed: {why}")));
            }
            Err(Halt::Error(e)) => return Err(e),
        };
        let (mut runs, mut stages) = (Count::default(), Count::default());
        sinks.end(&end, &mut runs, &mut stages)?;
        let counts = Table::ALL.map(|t| match t {
            Table::Timeseries => sinks.timeseries,
            Table::Groups => sinks.groups,
            Table::Households => sinks.households,
            Table::Runs => runs,
            Table::Stages => stages,
            Table::Failures => Count::default(),
        });
        Ok(PilotRows {
            counts,
            households: sinks.snapshot_households,
        })
    }
}

/// The estimate for one file of the results folder.
#[derive(Debug, Clone, PartialEq)]
pub struct FileEstimate {
    /// File name (`timeseries.csv`, …).
    pub file: &'static str,
    /// Rows it will have, header left out.
    pub rows: u64,
    /// Bytes a row takes.
    pub bytes_per_row: f64,
    /// Bytes in all, header included.
    pub bytes: u64,
    /// How `bytes_per_row` was found: `measured` on the pilot runs' rows, or
    /// `text + 18 B a number` for the statistics, which need every run.
    pub how: &'static str,
}

/// Cells whose rows are counted one by one; past them, the mean of those counted
/// stands for the rest.
const MAX_CELLS: usize = 10_000;

/// Bytes a full-precision number takes in the statistics tables (shortest
/// round-trip text of a mean or a standard deviation: about 17 digits, a point, a
/// comma).
const NUMBER_BYTES: f64 = 18.0;

/// Rows one run of `p` adds to each of the per-run tables (`stages.csv` and
/// `failures.csv` excepted: those are measured), with `households` households.
fn rows_per_run(t: Table, p: &Params, out: &OutputParams, households: u64) -> u64 {
    let steps = p.time.steps;
    let every = out.record_every.max(1);
    let recorded = u64::from(steps / every) + 1 + u64::from(!steps.is_multiple_of(every));
    match t {
        Table::Timeseries => recorded,
        Table::Groups if out.groups => recorded * p.population.groups.len() as u64,
        Table::Households if out.households => {
            let mut at: Vec<u32> = out
                .household_steps
                .iter()
                .copied()
                .filter(|&t| t <= steps)
                .collect();
            at.push(steps);
            at.sort_unstable();
            at.dedup();
            at.len() as u64 * households
        }
        Table::Runs => 1,
        _ => 0,
    }
}

/// Estimates every table of the results folder of `s` from the rows of the `pilot`
/// runs (at least one).
pub fn estimate(s: &Scenario, pilot: &[PilotRows]) -> Vec<FileEstimate> {
    let params = ParamColumns::new(s);
    // Measured on the pilot: bytes and rows of each table, and households a run.
    let mut measured: Vec<(Table, u64, u64)> = Vec::new();
    for (k, t) in Table::ALL.into_iter().enumerate() {
        let counted = |r: &PilotRows| {
            let c = r.counts[k];
            if t != Table::Failures && t.wanted(&s.output) {
                (c.bytes, c.lines)
            } else {
                (0, 0)
            }
        };
        let bytes = pilot.iter().map(|r| counted(r).0).sum();
        let rows = pilot.iter().map(|r| counted(r).1).sum();
        measured.push((t, bytes, rows));
    }
    let pilot_households = pilot.iter().find_map(|r| r.households);
    let n_pilot = pilot.len().max(1) as u64;
    let reps = u64::from(s.replicates);
    let cells = s.strategies.len() * s.point_count();
    let counted = cells.min(MAX_CELLS);
    let mut out = Vec::new();
    for &(t, bytes, rows) in &measured {
        if !t.wanted(&s.output) {
            continue;
        }
        let header = output::header(t, &params).join(",").len() as u64 + 1;
        let per_row = if rows > 0 {
            bytes as f64 / rows as f64
        } else {
            0.0
        };
        let total_rows: u64 = match t {
            Table::Failures => 0,
            Table::Stages => {
                // Stages reached vary by run: the pilot's mean a run.
                (rows as f64 / n_pilot as f64 * s.run_count() as f64).round() as u64
            }
            _ => {
                let mut sum = 0u64;
                for c in 0..counted {
                    let (k, p) = (c / s.point_count(), c % s.point_count());
                    let cell = s.params(k, p);
                    let n = match (&cell.population.households_csv, pilot_households) {
                        (Some(_), Some(h)) => h,
                        _ => cell.population.households as u64,
                    };
                    sum += rows_per_run(t, &cell, &s.output, n) * reps;
                }
                (sum as f64 * cells as f64 / counted.max(1) as f64).round() as u64
            }
        };
        out.push(FileEstimate {
            file: t.file(),
            rows: total_rows,
            bytes_per_row: per_row,
            bytes: header + (total_rows as f64 * per_row).round() as u64,
            how: "measured",
        });
    }
    // The statistics: rows counted, a row's text plus its numbers.
    let keys = s.point_keys();
    let text = |fields: &[&str]| fields.iter().map(|f| f.len() + 1).sum::<usize>() as f64;
    let point_text: f64 = keys
        .iter()
        .map(|k| s.point_cells(0, std::slice::from_ref(k))[0].len() as f64 + 1.0)
        .sum();
    let outcomes = 2 * (measure_columns().len() - output::NAME_MEASURES.len()) as u64;
    let strategy = s.strategies.iter().map(|x| x.name.len()).max().unwrap_or(8) as f64;
    let point = s.point_count().to_string().len() as f64;
    // summary.csv: scenario, strategy, point, the point's values, outcome (about 22
    // characters), n, then six numbers.
    let summary_row =
        text(&[&s.name]) + strategy + point + 2.0 + point_text + 23.0 + 3.0 + 6.0 * NUMBER_BYTES;
    let summary_rows = (s.strategies.len() * s.point_count()) as u64 * outcomes;
    let head = |h: (&[&str], &[&str])| -> u64 {
        (h.0.iter().chain(h.1).map(|c| c.len() + 1).sum::<usize>()
            + keys.iter().map(|k| k.len() + 7).sum::<usize>()) as u64
    };
    out.push(FileEstimate {
        file: "summary.csv",
        rows: summary_rows,
        bytes_per_row: summary_row,
        bytes: head(crate::experiment::analysis::SUMMARY_COLUMNS)
            + (summary_rows as f64 * summary_row).round() as u64,
        how: "text + 18 B a number",
    });
    // compare.csv: scenario, point, values, outcome, true/false, strategy, baseline,
    // two ranks, n, then seven numbers.
    let compare_row = text(&[&s.name, &s.strategies[0].name])
        + strategy
        + point
        + 2.0
        + point_text
        + 23.0
        + 6.0
        + 9.0
        + 7.0 * NUMBER_BYTES
        + 6.0;
    let compare_rows = (s.strategies.len().saturating_sub(1) * s.point_count()) as u64
        * crate::experiment::analysis::RANKED.len() as u64;
    out.push(FileEstimate {
        file: "compare.csv",
        rows: compare_rows,
        bytes_per_row: compare_row,
        bytes: head(crate::experiment::analysis::COMPARE_COLUMNS)
            + (compare_rows as f64 * compare_row).round() as u64,
        how: "text + 18 B a number",
    });
    out
}
