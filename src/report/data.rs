//! Reading a results folder for the report: `manifest.json`, `runs.csv`,
//! `timeseries.csv`, `stages.csv` and (if there) `households.csv`, streamed with the
//! `csv` crate and summarized as they are read, so a large folder is not held in
//! memory. Problems are [`Error`]s naming the file, and for a bad cell its line and
//! column.

use crate::error::{Diagnostic, Error, Result};
use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};

/// Running mean and variance (Welford), leaving out non-finite values.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Acc {
    /// Values added.
    pub n: usize,
    mean: f64,
    m2: f64,
}

impl Acc {
    /// Adds a value (ignored when not finite: a missing `NA`).
    pub fn add(&mut self, v: f64) {
        if !v.is_finite() {
            return;
        }
        self.n += 1;
        let d = v - self.mean;
        self.mean += d / self.n as f64;
        self.m2 += d * (v - self.mean);
    }

    /// The mean and its 95% confidence interval.
    pub fn ci(&self) -> MeanCi {
        let n = self.n;
        if n == 0 {
            return MeanCi {
                n,
                mean: f64::NAN,
                lo: f64::NAN,
                hi: f64::NAN,
            };
        }
        if n == 1 {
            return MeanCi {
                n,
                mean: self.mean,
                lo: f64::NAN,
                hi: f64::NAN,
            };
        }
        let sd = (self.m2 / (n - 1) as f64).max(0.0).sqrt();
        let half = t975(n - 1) * sd / (n as f64).sqrt();
        MeanCi {
            n,
            mean: self.mean,
            lo: self.mean - half,
            hi: self.mean + half,
        }
    }
}

/// A mean and its 95% Student-t confidence interval (`lo`, `hi` NaN with fewer than
/// two values; everything NaN with none).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct MeanCi {
    /// Values used.
    pub n: usize,
    /// Mean.
    pub mean: f64,
    /// Lower end of the interval.
    pub lo: f64,
    /// Upper end of the interval.
    pub hi: f64,
}

/// The mean of `values` (non-finite ones left out) with its 95% t interval.
pub fn mean_ci(values: &[f64]) -> MeanCi {
    let mut a = Acc::default();
    values.iter().for_each(|&v| a.add(v));
    a.ci()
}

/// The 97.5% quantile of Student's t with `df` degrees of freedom (the two-sided 95%
/// critical value: 12.706 for 1, 1.960 in the limit).
pub fn t975(df: usize) -> f64 {
    use statrs::distribution::{ContinuousCDF, StudentsT};
    if df == 0 {
        return f64::NAN;
    }
    if df > 10_000 {
        return 1.959_963_984_540_054 + 2.4 / df as f64;
    }
    StudentsT::new(0.0, 1.0, df as f64).map_or(f64::NAN, |t| t.inverse_cdf(0.975))
}

/// A CSV table of the results folder being read.
pub(crate) struct Table {
    pub path: PathBuf,
    shown: String,
    rdr: csv::Reader<std::fs::File>,
    pub header: Vec<String>,
}

/// An error in one cell of a CSV file (or its header, line 1).
pub(crate) fn cell_error(file: &str, line: usize, column: usize, key: &str, msg: String) -> Error {
    Error::Invalid(vec![Diagnostic {
        file: file.to_string(),
        line,
        column,
        key: key.to_string(),
        message: msg,
        allowed: None,
    }])
}

/// A problem with a file as a whole.
pub(crate) fn file_error(file: &Path, msg: impl Into<String>) -> Error {
    Error::Invalid(vec![Diagnostic {
        file: file.display().to_string(),
        line: 0,
        column: 0,
        key: String::new(),
        message: msg.into(),
        allowed: None,
    }])
}

/// Opens a file of the results folder for streaming: a regular file (not a link,
/// FIFO or device) of at most `max` bytes.
fn open_regular(path: &Path, max: u64) -> Result<std::fs::File> {
    let bad = |m: &str| {
        Error::io(
            path,
            std::io::Error::new(std::io::ErrorKind::InvalidInput, m),
        )
    };
    let m = std::fs::symlink_metadata(path).map_err(|e| Error::io(path, e))?;
    if m.file_type().is_symlink() {
        return Err(bad(
            "is a symbolic link; a results folder holds its own files",
        ));
    }
    if !m.is_file() {
        return Err(bad("is not a regular file"));
    }
    if m.len() > max {
        return Err(bad(&format!(
            "is {} bytes, more than the {max} allowed",
            m.len()
        )));
    }
    let f = std::fs::File::open(path).map_err(|e| Error::io(path, e))?;
    if !f.metadata().is_ok_and(|m| m.is_file()) {
        return Err(bad("is not a regular file"));
    }
    Ok(f)
}

impl Table {
    /// Opens `dir/name`; a missing file is an error that says so.
    pub fn open(dir: &Path, name: &str) -> Result<Table> {
        let path = dir.join(name);
        if !path.is_file() {
            return Err(file_error(
                &path,
                format!(
                    "missing from the results folder (`kampung run` writes {name}; \
                     is this a complete results folder?)"
                ),
            ));
        }
        let file = open_regular(&path, MAX_TABLE_BYTES)?;
        let mut rdr = csv::ReaderBuilder::new()
            .has_headers(true)
            .from_reader(file);
        let header = rdr
            .headers()
            .map_err(|e| Error::Csv {
                path: path.clone(),
                source: e,
            })?
            .iter()
            .map(str::to_string)
            .collect();
        Ok(Table {
            shown: path.display().to_string(),
            path,
            rdr,
            header,
        })
    }

    /// The index of a required column.
    pub fn col(&self, name: &str) -> Result<usize> {
        self.opt_col(name).ok_or_else(|| {
            cell_error(
                &self.shown,
                1,
                1,
                name,
                "missing column in the header".into(),
            )
        })
    }

    /// The index of a column, if present.
    pub fn opt_col(&self, name: &str) -> Option<usize> {
        self.header.iter().position(|h| h == name)
    }

    /// Calls `each` with every record, stopping at the first error.
    pub fn for_each(&mut self, mut each: impl FnMut(&Row) -> Result<()>) -> Result<()> {
        let mut rec = csv::ByteRecord::new();
        loop {
            match self.rdr.read_byte_record(&mut rec) {
                Ok(false) => return Ok(()),
                Ok(true) => {
                    let row = Row {
                        rec: &rec,
                        file: &self.shown,
                        header: &self.header,
                    };
                    each(&row)?;
                }
                Err(e) => {
                    return Err(Error::Csv {
                        path: self.path.clone(),
                        source: e,
                    });
                }
            }
        }
    }
}

/// One record of a [`Table`], with typed access to its cells.
pub(crate) struct Row<'a> {
    rec: &'a csv::ByteRecord,
    file: &'a str,
    header: &'a [String],
}

impl Row<'_> {
    /// The text of cell `i` (empty when absent or not UTF-8).
    pub fn str(&self, i: usize) -> &str {
        self.rec
            .get(i)
            .and_then(|b| std::str::from_utf8(b).ok())
            .unwrap_or("")
    }

    /// The line of the file this record is on.
    pub(crate) fn line(&self) -> usize {
        self.rec.position().map_or(0, |p| p.line() as usize)
    }

    /// The 1-based character column where cell `i` starts (exact for unquoted
    /// cells, as `kampung` writes them).
    fn column(&self, i: usize) -> usize {
        1 + (0..i)
            .map(|k| self.str(k).chars().count() + 1)
            .sum::<usize>()
    }

    fn bad(&self, i: usize, what: &str) -> Error {
        cell_error(
            self.file,
            self.line(),
            self.column(i),
            self.header.get(i).map_or("", String::as_str),
            format!("`{}` is not {what}", self.str(i)),
        )
    }

    /// Cell `i` as a number; `NA` and an empty cell are NaN.
    pub fn num(&self, i: usize) -> Result<f64> {
        let s = self.str(i).trim();
        if s.is_empty() || s == "NA" {
            return Ok(f64::NAN);
        }
        s.parse::<f64>()
            .map_err(|_| self.bad(i, "a number (or NA)"))
    }

    /// Cell `i` as a whole number ≥ 0.
    pub fn whole(&self, i: usize) -> Result<u64> {
        self.str(i)
            .trim()
            .parse::<u64>()
            .map_err(|_| self.bad(i, "a whole number ≥ 0"))
    }

    /// Cell `i` as a boolean (`true`/`false`, `1`/`0`).
    pub fn boolean(&self, i: usize) -> Result<bool> {
        match self.str(i).trim() {
            "true" | "1" => Ok(true),
            "false" | "0" => Ok(false),
            _ => Err(self.bad(i, "true or false")),
        }
    }
}

/// One (strategy, design point) of the results: a series, a bar, a timeline row.
#[derive(Debug, Clone, PartialEq)]
pub struct Cell {
    /// Strategy name.
    pub strategy: String,
    /// Design point, as written in the `point` column (`0` without one).
    pub point: String,
    /// Name shown in the report: the strategy, with the point when there are several.
    pub label: String,
    /// Runs (replicates) in `runs.csv`.
    pub runs: usize,
    /// The organizer's entry step (`param.organizer.entry_step`), if an organizer
    /// is enabled.
    pub entry: Option<f64>,
    /// The organizer's exit step (`param.organizer.exit_step`), if enabled.
    pub exit: Option<f64>,
    /// Last step simulated.
    pub steps: f64,
    /// The `post_exit.step` of its runs (NaN when there is none).
    pub post_exit_step: f64,
}

/// What the report needs from `runs.csv`.
#[derive(Debug, Clone, Default)]
pub struct Runs {
    /// Cells in the order of the file (plan order: the first is the reference).
    pub cells: Vec<Cell>,
    /// `param.*` column names, without the prefix, in file order.
    pub param_keys: Vec<String>,
    /// The parameters of each cell (from its first row), aligned with `param_keys`.
    pub params: Vec<Vec<String>>,
    /// Outcome columns asked for: per column, per cell, the values of its runs.
    pub outcomes: HashMap<String, Vec<Vec<f64>>>,
    /// The first cell's replicate-0 run: (replicate, seed, village seed).
    pub first_run: Option<(u64, String, String)>,
}

fn key_cols(t: &Table) -> Result<(usize, Option<usize>, usize)> {
    Ok((t.col("strategy")?, t.opt_col("point"), t.col("replicate")?))
}

/// Reads `runs.csv`, keeping the outcome columns `outcomes` (those missing from the
/// file are left out of the map).
pub fn read_runs(dir: &Path, outcomes: &[&str]) -> Result<Runs> {
    let mut t = Table::open(dir, "runs.csv")?;
    let (c_strat, c_point, c_rep) = key_cols(&t)?;
    let c_seed = t.col("seed")?;
    let c_vseed = t.opt_col("village_seed");
    let c_steps = t.col("steps")?;
    let c_enabled = t.opt_col("param.organizer.enabled");
    let c_entry = t.opt_col("param.organizer.entry_step");
    let c_exit = t.opt_col("param.organizer.exit_step");
    let c_post = t.opt_col("post_exit.step");
    let param_cols: Vec<(usize, String)> = t
        .header
        .iter()
        .enumerate()
        .filter_map(|(i, h)| h.strip_prefix("param.").map(|k| (i, k.to_string())))
        .collect();
    // Each column once, however often it is asked for (a repeat would count every
    // run twice).
    let mut out_cols: Vec<(usize, String)> = Vec::new();
    for &o in outcomes {
        if let Some(i) = t.opt_col(o)
            && !out_cols.iter().any(|(j, _)| *j == i)
        {
            out_cols.push((i, o.to_string()));
        }
    }
    let mut runs = Runs {
        param_keys: param_cols.iter().map(|(_, k)| k.clone()).collect(),
        ..Runs::default()
    };
    for (_, o) in &out_cols {
        runs.outcomes.insert(o.clone(), Vec::new());
    }
    let mut index: HashMap<(String, String), usize> = HashMap::new();
    t.for_each(|row| {
        let key = (
            row.str(c_strat).to_string(),
            c_point.map_or("0", |c| row.str(c)).to_string(),
        );
        let replicate = row.whole(c_rep)?;
        let k = match index.get(&key) {
            Some(&k) => k,
            None => {
                let k = runs.cells.len();
                index.insert(key.clone(), k);
                let enabled = match c_enabled {
                    Some(c) => row.boolean(c)?,
                    None => c_exit.is_some(),
                };
                let step_of = |c: Option<usize>| -> Result<Option<f64>> {
                    match c {
                        Some(c) if enabled => Ok(Some(row.num(c)?).filter(|v| v.is_finite())),
                        _ => Ok(None),
                    }
                };
                runs.cells.push(Cell {
                    strategy: key.0.clone(),
                    point: key.1.clone(),
                    label: key.0.clone(),
                    runs: 0,
                    entry: step_of(c_entry)?,
                    exit: step_of(c_exit)?,
                    steps: row.num(c_steps)?,
                    post_exit_step: match c_post {
                        Some(c) => row.num(c)?,
                        None => f64::NAN,
                    },
                });
                runs.params.push(
                    param_cols
                        .iter()
                        .map(|(c, _)| row.str(*c).to_string())
                        .collect(),
                );
                for v in runs.outcomes.values_mut() {
                    v.push(Vec::new());
                }
                k
            }
        };
        let cell = &mut runs.cells[k];
        cell.runs += 1;
        cell.steps = cell.steps.max(row.num(c_steps)?);
        if k == 0 && replicate == 0 && runs.first_run.is_none() {
            runs.first_run = Some((
                replicate,
                row.str(c_seed).to_string(),
                c_vseed.map_or("", |c| row.str(c)).to_string(),
            ));
        }
        for (c, name) in &out_cols {
            let v = row.num(*c)?;
            if let Some(per_cell) = runs.outcomes.get_mut(name) {
                per_cell[k].push(v);
            }
        }
        Ok(())
    })?;
    if runs.cells.is_empty() {
        return Err(file_error(
            &t.path,
            "has no runs (no rows after the header)",
        ));
    }
    let points: std::collections::HashSet<&str> =
        runs.cells.iter().map(|c| c.point.as_str()).collect();
    if points.len() > 1 {
        for c in &mut runs.cells {
            c.label = format!("{} · point {}", c.strategy, c.point);
        }
    }
    Ok(runs)
}

/// Per metric, per cell, per step: the running summary over replicates.
pub type Series = Vec<Vec<BTreeMap<u32, Acc>>>;

/// Reads `timeseries.csv`, summarizing `metrics` over replicates for each cell of
/// `cells` and each step. Rows of unknown cells are errors (the folder is not one
/// run's). A metric missing from the file is an error.
pub fn read_timeseries(dir: &Path, cells: &[Cell], metrics: &[&str]) -> Result<Series> {
    let mut t = Table::open(dir, "timeseries.csv")?;
    let (c_strat, c_point, _) = key_cols(&t)?;
    let c_step = t.col("step")?;
    let cols: Vec<usize> = metrics.iter().map(|m| t.col(m)).collect::<Result<_>>()?;
    let index = cell_index(cells);
    let mut out: Series = vec![vec![BTreeMap::new(); cells.len()]; metrics.len()];
    let shown = t.path.display().to_string();
    t.for_each(|row| {
        let k = find_cell(&index, row, c_strat, c_point, &shown)?;
        let step = row.whole(c_step)? as u32;
        for (m, &c) in cols.iter().enumerate() {
            let v = row.num(c)?;
            out[m][k].entry(step).or_default().add(v);
        }
        Ok(())
    })?;
    Ok(out)
}

/// Per metric, per cell, per group, per step (`groups.csv`): the running summary over
/// replicates, with the group names in the order they first appear.
#[derive(Debug, Clone, Default)]
pub struct GroupSeries {
    /// Group names, in `population.groups` order.
    pub groups: Vec<String>,
    /// Whether each group is marginalized.
    pub marginalized: Vec<bool>,
    /// `series[metric][cell][group]`: step → summary.
    pub series: Vec<Vec<Vec<BTreeMap<u32, Acc>>>>,
}

/// Reads `groups.csv` like [`read_timeseries`] reads `timeseries.csv`, per group;
/// `None` when the folder has no `groups.csv` (written with `output.groups = false`,
/// or by an older kampung).
pub fn read_groups(dir: &Path, cells: &[Cell], metrics: &[&str]) -> Result<Option<GroupSeries>> {
    if !dir.join("groups.csv").is_file() {
        return Ok(None);
    }
    let mut t = Table::open(dir, "groups.csv")?;
    let (c_strat, c_point, _) = key_cols(&t)?;
    let c_step = t.col("step")?;
    let c_group = t.col("group")?;
    let c_marg = t.col("marginalized")?;
    let cols: Vec<usize> = metrics.iter().map(|m| t.col(m)).collect::<Result<_>>()?;
    let index = cell_index(cells);
    let mut out = GroupSeries {
        series: vec![vec![Vec::new(); cells.len()]; metrics.len()],
        ..GroupSeries::default()
    };
    let shown = t.path.display().to_string();
    t.for_each(|row| {
        let k = find_cell(&index, row, c_strat, c_point, &shown)?;
        let step = row.whole(c_step)? as u32;
        let name = row.str(c_group);
        let g = match out.groups.iter().position(|x| x == name) {
            Some(g) => g,
            None => {
                out.groups.push(name.to_string());
                out.marginalized.push(row.boolean(c_marg)?);
                out.groups.len() - 1
            }
        };
        for (m, &c) in cols.iter().enumerate() {
            let v = row.num(c)?;
            let per_group = &mut out.series[m][k];
            if per_group.len() <= g {
                per_group.resize(g + 1, BTreeMap::new());
            }
            per_group[g].entry(step).or_default().add(v);
        }
        Ok(())
    })?;
    Ok(Some(out))
}

fn cell_index(cells: &[Cell]) -> HashMap<(String, String), usize> {
    cells
        .iter()
        .enumerate()
        .map(|(k, c)| ((c.strategy.clone(), c.point.clone()), k))
        .collect()
}

fn find_cell(
    index: &HashMap<(String, String), usize>,
    row: &Row,
    c_strat: usize,
    c_point: Option<usize>,
    shown: &str,
) -> Result<usize> {
    let key = (
        row.str(c_strat).to_string(),
        c_point.map_or("0", |c| row.str(c)).to_string(),
    );
    index.get(&key).copied().ok_or_else(|| {
        cell_error(
            shown,
            row.line(),
            row.column(c_strat),
            "strategy",
            format!(
                "strategy `{}` (point {}) has no row in runs.csv: files from different runs?",
                key.0, key.1
            ),
        )
    })
}

/// One stage of one run, from `stages.csv`.
#[derive(Debug, Clone, PartialEq)]
pub struct StageObs {
    /// Step at which it began.
    pub start: f64,
    /// Step at which it ended.
    pub end: f64,
    /// Why it ended (`criterion`, `timeout`, `skipped`, `exit`, `run_end`).
    pub ended_by: String,
}

/// The five stages' names, in order.
pub const STAGES: [&str; 5] = [
    "immersion",
    "investigation",
    "design",
    "action",
    "organization",
];

/// Per cell, per stage (0–4): the records of the runs that reached it.
pub type Stages = Vec<[Vec<StageObs>; 5]>;

/// Reads `stages.csv`.
pub fn read_stages(dir: &Path, cells: &[Cell]) -> Result<Stages> {
    let mut t = Table::open(dir, "stages.csv")?;
    let (c_strat, c_point, _) = key_cols(&t)?;
    let c_num = t.col("stage_number")?;
    let c_start = t.col("start")?;
    let c_end = t.col("end")?;
    let c_by = t.col("ended_by")?;
    let index = cell_index(cells);
    let mut out: Stages = vec![Default::default(); cells.len()];
    let shown = t.path.display().to_string();
    t.for_each(|row| {
        let k = find_cell(&index, row, c_strat, c_point, &shown)?;
        let num = row.whole(c_num)?;
        if !(1..=5).contains(&num) {
            return Err(row.bad(c_num, "a stage number from 1 to 5"));
        }
        out[k][num as usize - 1].push(StageObs {
            start: row.num(c_start)?,
            end: row.num(c_end)?,
            ended_by: row.str(c_by).to_string(),
        });
        Ok(())
    })?;
    Ok(out)
}

/// A household's state at a snapshot step.
#[derive(Debug, Clone, PartialEq)]
pub struct HouseholdState {
    /// Household id (CSV id or household number).
    pub id: u64,
    /// Group name.
    pub group: String,
    /// Member of the people's organization.
    pub member: bool,
    /// Leader.
    pub leader: bool,
    /// Visited by an organizer at least once.
    pub contacted: bool,
}

/// Reads the snapshots of one run (strategy, point, replicate) from
/// `households.csv`: step → households. `None` when the file is absent.
pub fn read_households(
    dir: &Path,
    strategy: &str,
    point: &str,
    replicate: u64,
) -> Result<Option<BTreeMap<u32, Vec<HouseholdState>>>> {
    if !dir.join("households.csv").is_file() {
        return Ok(None);
    }
    let mut t = Table::open(dir, "households.csv")?;
    let (c_strat, c_point, c_rep) = key_cols(&t)?;
    let c_step = t.col("step")?;
    let c_id = t.col("household")?;
    let c_group = t.col("group")?;
    let c_member = t.col("member")?;
    let c_leader = t.col("leader")?;
    let c_contacted = t.col("contacted")?;
    let mut out: BTreeMap<u32, Vec<HouseholdState>> = BTreeMap::new();
    t.for_each(|row| {
        if row.str(c_strat) != strategy
            || c_point.is_some_and(|c| row.str(c) != point)
            || row.str(c_rep).trim() != replicate.to_string()
        {
            return Ok(());
        }
        let step = row.whole(c_step)? as u32;
        out.entry(step).or_default().push(HouseholdState {
            id: row.whole(c_id)?,
            group: row.str(c_group).to_string(),
            member: row.boolean(c_member)?,
            leader: row.boolean(c_leader)?,
            contacted: row.boolean(c_contacted)?,
        });
        Ok(())
    })?;
    Ok(Some(out))
}

/// `manifest.json`, as JSON (read loosely: a field it lacks is shown as missing) and
/// as text.
#[derive(Debug, Clone)]
pub struct ManifestData {
    /// The parsed manifest.
    pub json: serde_json::Value,
    /// Its text.
    pub text: String,
}

impl ManifestData {
    /// A string field.
    pub fn str(&self, key: &str) -> Option<&str> {
        self.json.get(key).and_then(|v| v.as_str())
    }
}

/// The largest `manifest.json` read: 16 MiB.
pub const MAX_MANIFEST_BYTES: u64 = 16 << 20;

/// The largest table read from a results folder: 64 GiB (tables are streamed).
pub const MAX_TABLE_BYTES: u64 = 1 << 36;

/// Reads `manifest.json`; missing or not JSON is an error.
pub fn read_manifest(dir: &Path) -> Result<ManifestData> {
    let path = dir.join("manifest.json");
    if !path.is_file() {
        return Err(file_error(
            &path,
            "missing: not a complete results folder (`kampung run` writes manifest.json \
             last, once every other file is complete)",
        ));
    }
    let text = crate::experiment::folder::read_bounded(&path, MAX_MANIFEST_BYTES)?;
    let json: serde_json::Value = serde_json::from_str(&text).map_err(|e| {
        cell_error(
            &path.display().to_string(),
            e.line(),
            e.column(),
            "",
            format!("not valid JSON: {e}"),
        )
    })?;
    if !json.is_object() {
        return Err(file_error(&path, "not a JSON object"));
    }
    Ok(ManifestData { json, text })
}
