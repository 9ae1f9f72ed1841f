//! A run's rows of every table, written as the run makes them.
//!
//! [`RunRows`] writes one run's rows: a `timeseries.csv` row per recorded step, the
//! `groups.csv` rows of a step, the `households.csv` rows of a snapshot, and at the
//! end its `runs.csv` row and `stages.csv` rows. The results store streams them into
//! the run's part file while the run goes on (the `part` module), so a run
//! holds none of its rows in memory; [`write_rows`] writes the rows of a run held in
//! memory ([`RunOutput`]) with the same code, so both give the same bytes.
//! The tables' columns are in [`crate::experiment::output`].

use crate::experiment::output::{ParamColumns, RUN_KEYS, Table, measure_columns};
use crate::experiment::runner::{Halt, Recorder, RunEnd, RunOutput, RunSpec};
use crate::model::household::Households;
use crate::model::metrics::{GroupMetrics, Metrics};
use crate::model::stage::StageRecord;
use crate::scenario::Scenario;
use crate::scenario::values::{NA, flatten, fmt_f64, num, scalar};
use std::io::Write;
use std::path::{Path, PathBuf};

/// [`num`] for `f32` state (trust, awareness, …): its shortest round-trip form as an
/// `f32`, so a stored 0.1 reads back as 0.1, not 0.10000000149011612.
fn num32(v: f32) -> String {
    if !v.is_finite() {
        return NA.to_string();
    }
    if v == 0.0 {
        return "0".to_string();
    }
    let mut b = ryu::Buffer::new();
    let text = b.format_finite(v);
    text.strip_suffix(".0").unwrap_or(text).to_string()
}

/// The cells of the run key columns ([`RUN_KEYS`]).
fn run_key(s: &Scenario, spec: &RunSpec) -> [String; RUN_KEYS.len()] {
    [
        s.name.clone(),
        s.strategies[spec.strategy].name.clone(),
        spec.point.to_string(),
        spec.replicate.to_string(),
        spec.seed.to_string(),
    ]
}

/// The cells of [`posterior_columns`] for a run of replicate `replicate`: the
/// particle drawn and its values (none without a posterior).
fn posterior_cells(s: &Scenario, replicate: u32) -> Vec<String> {
    s.drawn(replicate).map_or(Vec::new(), |p| {
        std::iter::once(p.id.to_string())
            .chain(p.values.iter().map(|(_, v)| scalar(v)))
            .collect()
    })
}

/// Where the phase and the issue sit among [`Metrics::COLUMNS`].
#[derive(Clone, Copy)]
struct NamedAt {
    stage: usize,
    issue: usize,
}

impl NamedAt {
    fn new() -> NamedAt {
        let at = |n: &str| Metrics::COLUMNS.iter().position(|c| *c == n);
        NamedAt {
            stage: at("stage").unwrap_or(usize::MAX),
            issue: at("issue").unwrap_or(usize::MAX),
        }
    }
}

/// The name of the phase numbered `code` (`NA` for a number that is none).
fn stage_name(code: f64) -> &'static str {
    use crate::model::stage::Stage;
    const ALL: [Stage; 7] = [
        Stage::Before,
        Stage::Immersion,
        Stage::Investigation,
        Stage::Design,
        Stage::Action,
        Stage::Organization,
        Stage::Institution,
    ];
    ALL.iter()
        .find(|s| f64::from(s.number()) == code)
        .map_or(NA, |s| s.name())
}

/// The issue numbered `code` in `issues` (`None` before one is chosen, -1).
fn issue_of(code: f64, issues: &[String]) -> Option<&String> {
    (code >= 0.0 && code.fract() == 0.0)
        .then(|| issues.get(code as usize))
        .flatten()
}

/// A run's measures as CSV cells, in the order of [`measure_columns`].
fn measure_cells(values: &[f64], issues: &[String], at: NamedAt) -> Vec<String> {
    let mut out = Vec::with_capacity(values.len() + 1);
    for (i, &v) in values.iter().enumerate() {
        if i == at.stage {
            out.push(num(v));
            out.push(stage_name(v).to_string());
        } else if i == at.issue {
            out.push(issue_of(v, issues).map_or_else(|| NA.to_string(), Clone::clone));
        } else {
            out.push(num(v));
        }
    }
    out
}

/// Fills `line` with one CSV line: the `head` pieces as they are, then each measure
/// after a comma (numbers formatted by [`fmt_f64`], the phase and the issue as in
/// [`measure_cells`], issue names already quoted as CSV needs), then the line end.
fn number_line(
    line: &mut Vec<u8>,
    head: &[&[u8]],
    values: &[f64],
    named: Option<(NamedAt, &[Vec<u8>])>,
    fb: &mut ryu::Buffer,
) {
    line.clear();
    for piece in head {
        line.extend_from_slice(piece);
    }
    for (i, &v) in values.iter().enumerate() {
        line.push(b',');
        match named {
            Some((at, _)) if i == at.stage => {
                line.extend_from_slice(fmt_f64(fb, v).as_bytes());
                line.push(b',');
                line.extend_from_slice(stage_name(v).as_bytes());
            }
            Some((at, issues)) if i == at.issue => {
                let name = (v >= 0.0 && v.fract() == 0.0)
                    .then(|| issues.get(v as usize))
                    .flatten();
                line.extend_from_slice(name.map_or(NA.as_bytes(), Vec::as_slice));
            }
            _ => line.extend_from_slice(fmt_f64(fb, v).as_bytes()),
        }
    }
    line.push(b'\n');
}

/// Text fields as the start of a CSV line: each quoted as CSV needs, each followed
/// by a comma.
fn csv_fields(fields: &[String]) -> csv::Result<Vec<u8>> {
    let mut w = csv::Writer::from_writer(Vec::new());
    for f in fields {
        w.write_field(f)?;
    }
    w.write_field("")?;
    w.write_record(None::<&[u8]>)?;
    let mut bytes = w
        .into_inner()
        .map_err(|e| csv::Error::from(e.into_error()))?;
    bytes.truncate(bytes.len() - 1); // drop the line end, keep the last comma
    Ok(bytes)
}

/// Writes one run's rows, table by table, as the run makes them (see the module
/// docs). The run key, the issue names and the group names are quoted once.
pub struct RunRows<'a> {
    s: &'a Scenario,
    params: &'a ParamColumns,
    spec: &'a RunSpec,
    key: [String; RUN_KEYS.len()],
    /// The run key as the start of a CSV line (quoted as needed, with its comma).
    prefix: Vec<u8>,
    /// The issue names, quoted as needed.
    issues: Vec<Vec<u8>>,
    /// Per group: its name and marginalized flag, quoted as needed, comma between.
    group_names: Vec<Vec<u8>>,
    line: Vec<u8>,
    fb: ryu::Buffer,
}

impl<'a> RunRows<'a> {
    /// The writer of run `spec`'s rows.
    pub fn new(s: &'a Scenario, params: &'a ParamColumns, spec: &'a RunSpec) -> csv::Result<Self> {
        let key = run_key(s, spec);
        let prefix = csv_fields(&key)?;
        // Issue names quoted once, without the comma csv_fields adds.
        let issues = s
            .params(spec.strategy, spec.point)
            .population
            .issues
            .iter()
            .map(|n| {
                csv_fields(std::slice::from_ref(n)).map(|mut b| {
                    b.pop();
                    b
                })
            })
            .collect::<csv::Result<_>>()?;
        Ok(RunRows {
            s,
            params,
            spec,
            key,
            prefix,
            issues,
            group_names: Vec::new(),
            line: Vec::with_capacity(1024),
            fb: ryu::Buffer::new(),
        })
    }

    /// The run whose rows these are.
    pub fn spec(&self) -> &'a RunSpec {
        self.spec
    }

    /// The `timeseries.csv` row of step `step`.
    pub fn timeseries(&mut self, out: &mut dyn Write, step: u32, m: &Metrics) -> csv::Result<()> {
        let step = step.to_string();
        let head: [&[u8]; 2] = [&self.prefix, step.as_bytes()];
        let named = Some((NamedAt::new(), &self.issues[..]));
        number_line(&mut self.line, &head, &m.values(), named, &mut self.fb);
        out.write_all(&self.line)?;
        Ok(())
    }

    /// The `groups.csv` rows of step `step`, one per group.
    pub fn groups(
        &mut self,
        out: &mut dyn Write,
        step: u32,
        groups: &[GroupMetrics],
    ) -> csv::Result<()> {
        if self.group_names.len() != groups.len() {
            let cell = self.s.params(self.spec.strategy, self.spec.point);
            let defs = &cell.population.groups;
            self.group_names = (0..groups.len())
                .map(|g| {
                    let name = defs
                        .get(g)
                        .map_or_else(|| g.to_string(), |d| d.name.clone());
                    let flag = defs.get(g).is_some_and(|d| d.marginalized).to_string();
                    csv_fields(&[name, flag]).map(|mut b| {
                        b.pop(); // the line adds the comma
                        b
                    })
                })
                .collect::<csv::Result<_>>()?;
        }
        let step = step.to_string();
        for (m, name) in groups.iter().zip(&self.group_names) {
            let head: [&[u8]; 4] = [&self.prefix, step.as_bytes(), b",", name];
            number_line(&mut self.line, &head, &m.values(), None, &mut self.fb);
            out.write_all(&self.line)?;
        }
        Ok(())
    }

    /// The `households.csv` rows of a snapshot of every household at step `step`.
    pub fn households(
        &mut self,
        out: &mut dyn Write,
        step: u32,
        h: &Households,
    ) -> csv::Result<()> {
        let cell = self.s.params(self.spec.strategy, self.spec.point);
        let pop = &cell.population;
        let mut w = csv::Writer::from_writer(out);
        let mut row: Vec<String> = Vec::with_capacity(64);
        for i in 0..h.len() {
            row.clear();
            row.extend(self.key.iter().cloned());
            row.push(step.to_string());
            row.push(h.external_id(i).to_string());
            row.push(pop.groups[h.group[i] as usize].name.clone());
            row.push(h.marginalized[i].to_string());
            for v in [
                h.resources[i],
                h.access[i],
                h.benefit[i],
                h.influence[i],
                h.trust[i],
                h.awareness[i],
                h.efficacy[i],
                h.threshold[i],
                h.availability[i],
            ] {
                row.push(num32(v));
            }
            row.push(
                pop.issues
                    .get(h.priority[i] as usize)
                    .cloned()
                    .unwrap_or_default(),
            );
            for v in [
                h.participating[i],
                h.member[i],
                h.leader[i],
                h.contacted[i],
                h.interviewed[i],
                h.identified[i],
                h.attended[i],
                h.participated[i],
            ] {
                row.push(v.to_string());
            }
            w.write_record(&row)?;
        }
        w.flush()?;
        Ok(())
    }

    /// The run's `runs.csv` row: its last recorded step `last` and the measures then,
    /// and the measures `post_exit` after the organizer's exit (`None`: `NA`).
    pub fn runs(
        &mut self,
        out: &mut dyn Write,
        last: (u32, &Metrics),
        post_exit: Option<(u32, &Metrics)>,
    ) -> csv::Result<()> {
        let (s, spec) = (self.s, self.spec);
        let mut w = csv::Writer::from_writer(out);
        let mut row: Vec<String> = Vec::with_capacity(64);
        row.extend(self.key.iter().cloned());
        row.push(spec.village_seed.to_string());
        row.push(spec.environment_seed.to_string());
        row.push(last.0.to_string());
        row.extend(posterior_cells(s, spec.replicate));
        let cell = s.run_params(spec.strategy, spec.point, spec.replicate);
        if s.posterior.is_some() {
            // The run's own parameters: the cell's, with the particle drawn.
            let mut flat = Vec::new();
            if let Ok(v) = toml::Value::try_from(&*cell) {
                flatten("", &v, &mut flat);
            }
            let map: std::collections::HashMap<String, String> = flat.into_iter().collect();
            row.extend(
                self.params
                    .keys
                    .iter()
                    .map(|k| map.get(k).cloned().unwrap_or_default()),
            );
        } else {
            row.extend(self.params.cells[spec.strategy][spec.point].iter().cloned());
        }
        let (issues, at) = (&cell.population.issues, NamedAt::new());
        row.extend(measure_cells(&last.1.values(), issues, at));
        match post_exit {
            Some((t, m)) => {
                row.push(t.to_string());
                row.extend(measure_cells(&m.values(), issues, at));
            }
            None => row.extend(std::iter::repeat_n(
                NA.to_string(),
                measure_columns().len() + 1,
            )),
        }
        w.write_record(&row)?;
        w.flush()?;
        Ok(())
    }

    /// The run's `stages.csv` rows.
    pub fn stages(&mut self, out: &mut dyn Write, stages: &[StageRecord]) -> csv::Result<()> {
        let mut w = csv::Writer::from_writer(out);
        let mut row: Vec<String> = Vec::with_capacity(16);
        for rec in stages {
            row.clear();
            row.extend(self.key.iter().cloned());
            row.push(rec.stage.number().to_string());
            row.push(rec.stage.name().to_string());
            row.push(rec.start.to_string());
            row.push(rec.end.to_string());
            row.push(rec.reason.name().to_string());
            w.write_record(&row)?;
        }
        w.flush()?;
        Ok(())
    }
}

/// A [`Recorder`] that writes a run's rows as the run makes them, through
/// [`RunRows`], into one sink per streamed table (`timeseries`, `groups`,
/// `households`): files for the results store, counters for `plan`'s pilot.
pub struct RowSinks<'a, W> {
    rows: RunRows<'a>,
    /// `timeseries.csv` rows.
    pub timeseries: W,
    /// `groups.csv` rows.
    pub groups: W,
    /// `households.csv` rows.
    pub households: W,
    /// Households in the first snapshot (`None` before one).
    pub snapshot_households: Option<u64>,
    /// Named in errors: where the rows go.
    path: PathBuf,
}

impl<'a, W: Write> RowSinks<'a, W> {
    /// Rows of `rows`' run into `timeseries`, `groups` and `households`; `path`
    /// names where they go in errors.
    pub fn new(rows: RunRows<'a>, [timeseries, groups, households]: [W; 3], path: &Path) -> Self {
        RowSinks {
            rows,
            timeseries,
            groups,
            households,
            snapshot_households: None,
            path: path.to_path_buf(),
        }
    }

    /// The run whose rows these are.
    pub fn spec(&self) -> &'a RunSpec {
        self.rows.spec()
    }

    /// Writes the rows made at the run's end: its `runs.csv` row to `runs` and its
    /// `stages.csv` rows to `stages`.
    pub fn end(
        &mut self,
        end: &RunEnd,
        runs: &mut dyn Write,
        stages: &mut dyn Write,
    ) -> crate::Result<()> {
        let post = end.post_exit.as_ref().map(|(t, m)| (*t, m));
        self.rows
            .runs(runs, (end.last.0, &end.last.1), post)
            .and_then(|_| self.rows.stages(stages, &end.stages))
            .map_err(|e| self.error(e))
    }

    fn error(&self, e: csv::Error) -> crate::Error {
        crate::Error::Csv {
            path: self.path.clone(),
            source: e,
        }
    }
}

impl<W: Write> Recorder for RowSinks<'_, W> {
    fn measured(
        &mut self,
        step: u32,
        m: &Metrics,
        groups: Option<&[GroupMetrics]>,
    ) -> Result<(), Halt> {
        let done = self.rows.timeseries(&mut self.timeseries, step, m);
        let done = match (done, groups) {
            (Ok(()), Some(g)) => self.rows.groups(&mut self.groups, step, g),
            (done, _) => done,
        };
        done.map_err(|e| Halt::Error(self.error(e)))
    }

    fn snapshot(&mut self, step: u32, households: &Households) -> Result<(), Halt> {
        self.snapshot_households
            .get_or_insert(households.len() as u64);
        self.rows
            .households(&mut self.households, step, households)
            .map_err(|e| Halt::Error(self.error(e)))
    }
}

/// Writes the rows of table `t` of a run held in memory (no header); the same bytes
/// as the rows [`RunRows`] streams while the run goes on.
pub fn write_rows(
    out: &mut dyn Write,
    t: Table,
    s: &Scenario,
    params: &ParamColumns,
    r: &RunOutput,
) -> csv::Result<()> {
    let mut rows = RunRows::new(s, params, &r.spec)?;
    match t {
        Table::Timeseries => {
            for (step, m) in &r.timeseries {
                rows.timeseries(out, *step, m)?;
            }
        }
        Table::Groups => {
            for (step, gs) in &r.groups {
                rows.groups(out, *step, gs)?;
            }
        }
        Table::Households => {
            for (step, h) in &r.snapshots {
                rows.households(out, *step, h)?;
            }
        }
        Table::Runs => {
            let (step, m) = r.timeseries.last().copied().unwrap_or_default();
            let post = r.post_exit.as_ref().map(|(t, m)| (*t, m));
            rows.runs(out, (step, &m), post)?;
        }
        Table::Stages => rows.stages(out, &r.stages)?,
        Table::Failures => {}
    }
    Ok(())
}

/// Writes the row of a failed run.
pub fn write_failure(
    out: &mut dyn Write,
    s: &Scenario,
    spec: &RunSpec,
    error: &str,
) -> csv::Result<()> {
    let mut w = csv::Writer::from_writer(out);
    let mut row: Vec<String> = run_key(s, spec).to_vec();
    row.extend(s.point_cells(spec.point, &s.point_keys()));
    row.extend(posterior_cells(s, spec.replicate));
    row.push(error.to_string());
    w.write_record(&row)?;
    w.flush()?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fast_number_format_round_trips() {
        let mut b = ryu::Buffer::new();
        for v in [0.5, 3.0, -2.0, 1e-7, 123456.789, 0.1 + 0.2, 1e20, 2.5e-300] {
            let fast = fmt_f64(&mut b, v).to_string();
            assert_eq!(fast.parse::<f64>().unwrap(), v, "{fast}");
        }
        assert_eq!(fmt_f64(&mut b, f64::NAN), "NA");
        assert_eq!(fmt_f64(&mut b, 3.0), "3");
        assert_eq!(fmt_f64(&mut b, -0.0), "0");
    }

    #[test]
    fn numbers_format_for_readers() {
        assert_eq!(num(0.5), "0.5");
        assert_eq!(num(f64::NAN), "NA");
        assert_eq!(num(3.0), "3");
        assert_eq!(num(-0.0), "0");
        assert_eq!(num(0.1 + 0.2), "0.30000000000000004");
        assert_eq!(num32(0.1), "0.1");
        assert_eq!(num32(f32::INFINITY), "NA");
        // Every table writes a number the same way.
        for v in [1e21, 1e-7, 2.5e-300, -123456.75, 1.0 / 3.0] {
            assert_eq!(num(v), fmt_f64(&mut ryu::Buffer::new(), v));
            assert_eq!(num(v).parse::<f64>().ok(), Some(v));
        }
    }
}
