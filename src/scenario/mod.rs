//! Scenario files: reading, checking and resolving them into the parameters of every
//! strategy.
//!
//! A scenario is a TOML file. Its top-level tables are `[scenario]` (name, seed,
//! replicates), the model's parameter tables (`[time]`, `[population]`, `[network]`,
//! `[economy]`, `[shocks]`, `[participation]`), `[output]`, and `[strategies.NAME]`
//! tables whose contents override the base parameters for that strategy. Every problem
//! is reported as a [`Diagnostic`] with file, line, column, key and what is allowed.

pub mod calibrate;
mod check;
mod data;
pub mod evidence;
pub mod input;
pub mod lesson;
pub mod locate;
mod peel;
pub mod points;
pub mod posterior;
pub mod sampling;
pub mod sensitivity;
pub mod sweep;
pub mod values;

use check::{check_meta, check_params};
use data::load_inputs;
use locate::Located;
use points::{PointError, check_calibrate, check_sensitivity, design_diag, sweep_key};

pub use check::{MAX_RUN_BYTES, gib, memory_per_run};
pub use data::Inputs;
pub use points::{apply_point, merge, point_problems};

use crate::error::{Diagnostic, Error, Result};
use crate::model::Params;
use locate::{KeyPath, SpanIndex, suggest};
use sensitivity::SensitivityParams;
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};
use sweep::SweepParams;

/// What is written besides the per-run outcomes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct OutputParams {
    /// Write a `timeseries.csv` row every this many steps (the last step always).
    pub record_every: u32,
    /// Steps (besides the last) at which `households.csv` records every household.
    pub household_steps: Vec<u32>,
    /// Whether to write `households.csv` at all.
    pub households: bool,
    /// Whether to write `groups.csv` (measures per social group at every recorded
    /// step).
    pub groups: bool,
    /// Steps after the organizer's exit at which `runs.csv` records the durability
    /// measures (`post_exit.*` columns).
    pub post_exit_horizon: u32,
}

impl Default for OutputParams {
    fn default() -> Self {
        OutputParams {
            record_every: 1,
            household_steps: Vec::new(),
            households: true,
            groups: true,
            post_exit_horizon: 104,
        }
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
struct Meta {
    name: Option<String>,
    description: String,
    seed: u64,
    replicates: u32,
}

impl Default for Meta {
    /// One replicate when the file does not say (a file without `replicates`, or
    /// without a `[scenario]` table, is valid).
    fn default() -> Self {
        Meta {
            name: None,
            description: String::new(),
            seed: 0,
            replicates: 1,
        }
    }
}

/// One named strategy: the base parameters with its overrides applied.
#[derive(Debug, Clone, PartialEq)]
pub struct Strategy {
    /// Name, as in `[strategies.NAME]` (`baseline` when the file names none).
    pub name: String,
    /// What the strategy stands for.
    pub description: String,
    /// Its parameters.
    pub params: Params,
    /// What its `[strategies.NAME]` table sets, as written (without `description`):
    /// the strategy's levers.
    pub overrides: toml::Table,
}

/// A checked scenario, ready to run.
#[derive(Debug, Clone)]
pub struct Scenario {
    /// The file it was read from, if any.
    pub file: Option<PathBuf>,
    /// SHA-256 of the file's bytes, in hex.
    pub sha256: String,
    /// Every data file the scenario reads (households and ties CSVs, the design
    /// table), as `(name relative to the scenario's folder, SHA-256 of its bytes)`,
    /// sorted by name: with [`Scenario::sha256`] and the version, a run's identity.
    pub data_sha256: Vec<(String, String)>,
    /// The data files themselves, as the scenario resolved them (relative to the
    /// working folder, or absolute), in the order of [`Scenario::data_sha256`]: what a
    /// results folder copies into its `input/` folder.
    pub data_files: Vec<PathBuf>,
    /// Name (from `[scenario] name`, else the file's stem).
    pub name: String,
    /// Description.
    pub description: String,
    /// Base seed.
    pub seed: u64,
    /// Replicates per strategy.
    pub replicates: u32,
    /// Output settings.
    pub output: OutputParams,
    /// The strategies, in file order; the first is the baseline of comparisons.
    pub strategies: Vec<Strategy>,
    /// Loaded data files.
    pub inputs: Inputs,
    /// Repairs made to data files, one line each, for the user and the manifest.
    pub repairs: Vec<String>,
    /// The design points: parameter paths and values set at each point (one point
    /// with no values when the scenario has no `[sweep]`).
    pub points: Vec<Vec<(String, toml::Value)>>,
    /// The `[sweep]` table as written.
    pub sweep: SweepParams,
    /// The `[sensitivity]` table, if any.
    pub sensitivity: Option<SensitivityParams>,
    /// The `[calibrate]` table, if any.
    pub calibrate: Option<calibrate::CalibrateParams>,
    /// The evidence file `[calibrate]` names, read and checked.
    pub evidence: Option<evidence::Evidence>,
    /// The `[lesson]` table of a training lesson, if any.
    pub lesson: Option<lesson::Lesson>,
    /// The posterior each replicate draws its calibrated parameters from
    /// (`run --posterior`), if any: see [`Scenario::with_posterior`].
    pub posterior: Option<std::sync::Arc<posterior::Posterior>>,
}

/// The most runs a scenario may have (strategies × design points × replicates):
/// the plan of runs is held in memory (about 60 bytes a run).
pub const MAX_RUNS: usize = 10_000_000;

/// The largest scenario file read: 16 MiB.
pub const MAX_SCENARIO_BYTES: u64 = 16 << 20;

const TOP_KEYS: &[&str] = &[
    "scenario",
    "time",
    "population",
    "network",
    "economy",
    "shocks",
    "participation",
    "organizer",
    "stages",
    "behaviour",
    "action",
    "institution",
    "output",
    "strategies",
    "sweep",
    "sensitivity",
    "calibrate",
    "lesson",
];
const PARAM_KEYS: &[&str] = &[
    "time",
    "population",
    "network",
    "economy",
    "shocks",
    "participation",
    "organizer",
    "stages",
    "behaviour",
    "action",
    "institution",
];

impl Scenario {
    /// Reads and checks a scenario file. A file that cannot be read (missing, a
    /// folder, not a regular file, larger than [`MAX_SCENARIO_BYTES`]) is an
    /// [`Error::Io`]; a problem in its contents is an [`Error::Invalid`].
    pub fn from_file(path: &Path) -> Result<Scenario> {
        let shown = path.display().to_string();
        let bytes = input::read_regular(path, MAX_SCENARIO_BYTES, true).map_err(|e| {
            let m = if path.is_dir() {
                "is a folder, not a scenario file".to_string()
            } else {
                format!("cannot read: {e}")
            };
            Error::io(path, std::io::Error::new(e.kind(), m))
        })?;
        let text = match String::from_utf8(bytes.clone()) {
            Ok(t) => t,
            Err(e) => {
                let at = e.utf8_error().valid_up_to();
                let valid = std::str::from_utf8(&bytes[..at]).unwrap_or("");
                let (line, column) = locate::line_col(valid, at);
                return Err(Error::Invalid(vec![Diagnostic {
                    file: shown,
                    line,
                    column,
                    key: String::new(),
                    message: format!("not UTF-8 text (bad byte at offset {at})"),
                    allowed: Some("a TOML text file in UTF-8".into()),
                }]));
            }
        };
        let base = path.parent().unwrap_or(Path::new(".")).to_path_buf();
        let stem = path
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_else(|| "scenario".into());
        let mut s = Scenario::from_text(&text, &shown, &stem, &base)?;
        s.file = Some(path.to_path_buf());
        Ok(s)
    }

    /// Checks a scenario given as text. `shown` names it in diagnostics, `stem` is the
    /// name used when the file sets none, and relative data paths are resolved
    /// against `base_dir`.
    pub fn from_text(text: &str, shown: &str, stem: &str, base_dir: &Path) -> Result<Scenario> {
        let diag0 = |m: &str, allowed: Option<String>| Diagnostic {
            file: shown.to_string(),
            line: 0,
            column: 0,
            key: String::new(),
            message: m.to_string(),
            allowed,
        };
        let root: toml::Table = match toml::from_str(text) {
            Ok(t) => t,
            Err(e) => {
                let (line, column) = e.span().map_or((0, 0), |s| locate::line_col(text, s.start));
                return Err(Error::Invalid(vec![Diagnostic {
                    file: shown.to_string(),
                    line,
                    column,
                    key: String::new(),
                    message: format!("not valid TOML: {}", e.message().trim()),
                    allowed: Some("TOML syntax (https://toml.io)".into()),
                }]));
            }
        };
        if root.is_empty() {
            return Err(Error::Invalid(vec![diag0(
                "the file sets nothing",
                Some("at least a [scenario] table; see scenarios/village.toml".into()),
            )]));
        }
        let idx = SpanIndex::new(shown, text);
        let mut diags = Vec::new();
        for k in root.keys() {
            if !TOP_KEYS.contains(&k.as_str()) {
                let hint = suggest(k, TOP_KEYS)
                    .map(|s| format!("; did you mean `{s}`?"))
                    .unwrap_or_default();
                diags.push(idx.diag(
                    &KeyPath::parse(k),
                    true,
                    format!("unknown key `{k}`{hint}"),
                    Some(quoted(TOP_KEYS)),
                ));
            }
        }
        // Every table is read to the end, its problems collected, whatever problems
        // the tables before it had: one `validate` reports them all.
        let meta: Meta = peel::deserialize_table(&root, "scenario", &idx, &mut diags, |p, t| {
            check::allowed_meta(p, t)
        })
        .unwrap_or_default();
        let output: OutputParams =
            peel::deserialize_table(&root, "output", &idx, &mut diags, |_, _| None)
                .unwrap_or_default();
        let sweep: SweepParams =
            peel::deserialize_table(&root, "sweep", &idx, &mut diags, |_, _| None)
                .unwrap_or_default();
        let sensitivity: Option<SensitivityParams> =
            peel::deserialize_table(&root, "sensitivity", &idx, &mut diags, |_, _| None);
        let lesson: Option<lesson::Lesson> =
            peel::deserialize_table(&root, "lesson", &idx, &mut diags, |_, _| None);
        let calibrate: Option<calibrate::CalibrateParams> =
            peel::deserialize_table(&root, "calibrate", &idx, &mut diags, |_, _| None);
        // Base parameters: the model's defaults, overridden by the file's tables, so
        // that a strategy may override part of a table the file leaves out.
        let mut base: toml::Table = match toml::Value::try_from(Params::default()) {
            Ok(toml::Value::Table(t)) => t,
            _ => toml::Table::new(),
        };
        let file_params: toml::Table = root
            .iter()
            .filter(|(k, _)| PARAM_KEYS.contains(&k.as_str()))
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect();
        merge(&mut base, &file_params);

        // Strategies: (name, description, overrides).
        let mut raw: Vec<(String, String, toml::Table)> = Vec::new();
        match root.get("strategies") {
            None => raw.push(("baseline".into(), String::new(), toml::Table::new())),
            Some(toml::Value::Table(t)) => {
                for (name, v) in t {
                    let at = KeyPath::default().key("strategies").key(name);
                    let toml::Value::Table(over) = v else {
                        diags.push(idx.diag(
                            &at,
                            false,
                            "a strategy must be a table",
                            Some(format!("[strategies.{name}] followed by overrides")),
                        ));
                        continue;
                    };
                    if name.chars().any(char::is_control) {
                        diags.push(idx.diag(
                            &at,
                            true,
                            "a strategy name must not hold control characters",
                            Some("a name of letters, digits, `_` or `-`".into()),
                        ));
                    }
                    let mut over = over.clone();
                    let description = match over.remove("description") {
                        None => String::new(),
                        Some(toml::Value::String(d)) => d,
                        Some(_) => {
                            diags.push(idx.diag(
                                &at.key("description"),
                                false,
                                "wrong type",
                                Some("a string".into()),
                            ));
                            String::new()
                        }
                    };
                    for k in over.keys() {
                        if !PARAM_KEYS.contains(&k.as_str()) {
                            let mut allowed = PARAM_KEYS.to_vec();
                            allowed.push("description");
                            let hint = suggest(k, &allowed)
                                .map(|s| format!("; did you mean `{s}`?"))
                                .unwrap_or_default();
                            diags.push(idx.diag(
                                &at.key(k),
                                true,
                                format!("unknown key `{k}`{hint}"),
                                Some(quoted(&allowed)),
                            ));
                        }
                    }
                    raw.push((name.clone(), description, over));
                }
                if raw.is_empty() {
                    diags.push(
                        idx.diag(
                            &KeyPath::parse("strategies"),
                            true,
                            "no strategies listed",
                            Some(
                                "one or more [strategies.NAME] tables, or no [strategies] at all"
                                    .into(),
                            ),
                        ),
                    );
                }
            }
            Some(_) => diags.push(idx.diag(
                &KeyPath::parse("strategies"),
                false,
                "wrong type",
                Some("a table of [strategies.NAME] tables".into()),
            )),
        }

        // Each strategy's parameters, every problem of each (a wrong value is
        // replaced by the model's default so that the checks of the rest go on).
        let defaults = toml::Value::try_from(Params::default()).ok();
        let mut strategies = Vec::new();
        let mut sound = Vec::new();
        for (name, description, over) in raw {
            let prefix = KeyPath::default().key("strategies").key(&name);
            let mut merged = base.clone();
            merge(&mut merged, &over);
            let overrides = over;
            let located = Located {
                idx: &idx,
                prefix: &prefix,
            };
            let mut found = Vec::new();
            let (params, left) = peel::deserialize_all::<Params>(
                toml::Value::Table(merged),
                defaults.as_ref(),
                &located,
                &mut found,
            );
            let clean = found.is_empty();
            for mut f in found {
                // A wrong value is told the range the check enforces for its key.
                if f.about_value
                    && params.is_some()
                    && let Some(a) = check::allowed_param(&f.path, &left, &output)
                {
                    f.diag.allowed = Some(a);
                }
                diags.push(f.diag);
            }
            let Some(params) = params else { continue };
            let problems = check_params(&params, &output);
            sound.push(clean && problems.is_empty());
            for p in problems {
                diags.push(located.diag(&p.path, &p.message, p.allowed));
            }
            strategies.push(Strategy {
                name,
                description,
                params,
                overrides,
            });
        }
        for p in check_meta(&meta) {
            diags.push(idx.diag(&p.path, false, p.message, p.allowed));
        }
        if !diags.is_empty() {
            // The data files of the strategies that passed their checks are still
            // read, for their problems to be reported with the rest.
            let mut good: Vec<Strategy> = strategies
                .into_iter()
                .zip(&sound)
                .filter(|(_, ok)| **ok)
                .map(|(st, _)| st)
                .collect();
            load_inputs(&mut good, base_dir, &idx, &mut diags);
            dedup_diagnostics(&mut diags);
            return Err(Error::Invalid(diags));
        }

        let (inputs, repairs) = load_inputs(&mut strategies, base_dir, &idx, &mut diags);
        if !diags.is_empty() {
            dedup_diagnostics(&mut diags);
            return Err(Error::Invalid(diags));
        }

        // The experiment design: every point must give valid parameters for every
        // strategy.
        let design = match sweep::build(&sweep, base_dir, meta.seed) {
            Ok(d) => d,
            Err(errors) => {
                for e in errors {
                    diags.push(design_diag(&idx, shown, e));
                }
                return Err(Error::Invalid(diags));
            }
        };
        let points: Vec<Vec<(String, toml::Value)>> =
            design.points.iter().map(|p| p.values.clone()).collect();
        let runs = (strategies.len() as u128)
            * (points.len().max(1) as u128)
            * (meta.replicates.max(1) as u128);
        if runs > MAX_RUNS as u128 {
            diags.push(idx.diag(
                &KeyPath::parse("scenario.replicates"),
                false,
                format!(
                    "{} strategies × {} design points × {} replicates = {runs} runs, more than \
                     the {MAX_RUNS} a scenario may have",
                    strategies.len(),
                    points.len().max(1),
                    meta.replicates.max(1)
                ),
                Some(format!(
                    "at most {MAX_RUNS} runs; split the experiment into several scenarios"
                )),
            ));
            return Err(Error::Invalid(diags));
        }
        for st in &strategies {
            for (k, values) in points.iter().enumerate() {
                if values.is_empty() {
                    continue;
                }
                let at_sweep = |path: &str| sweep_key(&sweep, path);
                match apply_point(&st.params, values) {
                    Err(m) => {
                        let e = PointError::new(&m, values);
                        // An unknown key is the same at every point: say it once.
                        let message = if e.unknown_key {
                            e.message
                        } else {
                            format!("design point {k} ({}): {}", design.label(k), e.message)
                        };
                        let mut d = idx.diag(&at_sweep(&e.path), false, message, e.allowed);
                        if let (false, Some((file, lines)), Some(col)) = (
                            e.unknown_key,
                            &design.table,
                            design.names.iter().position(|n| *n == e.path),
                        ) {
                            d.file = file.clone();
                            d.line = lines.get(k).copied().unwrap_or(0) as usize;
                            d.column = if d.line > 0 { col + 1 } else { 0 };
                        }
                        d.key = e.path;
                        diags.push(d);
                    }
                    Ok(params) => {
                        for p in check_params(&params, &output) {
                            let key = p.path.to_string();
                            let located = if values.iter().any(|(v, _)| *v == key) {
                                at_sweep(&key)
                            } else {
                                p.path.clone()
                            };
                            let mut d = idx.diag(
                                &located,
                                false,
                                format!("design point {k} ({}): {}", design.label(k), p.message),
                                p.allowed,
                            );
                            // A value from a design table is located in the CSV file,
                            // at the point's line and the parameter's column.
                            if let (Some((file, lines)), Some(col)) =
                                (&design.table, design.names.iter().position(|n| *n == key))
                            {
                                d.file = file.clone();
                                d.line = lines.get(k).copied().unwrap_or(0) as usize;
                                d.column = if d.line > 0 { col + 1 } else { 0 };
                            }
                            d.key = key;
                            diags.push(d);
                        }
                    }
                }
                if diags.len() >= 20 {
                    break;
                }
            }
        }
        if let Some(sp) = &sensitivity {
            let problems = sp.check(&sweep);
            if problems.is_empty() {
                check_sensitivity(sp, &sweep, &strategies, &output, &idx, &mut diags);
            }
            for (path, message, allowed) in problems {
                diags.push(idx.diag(&KeyPath::parse(&path), false, message, allowed));
            }
        }
        let mut evidence = None;
        if let Some(cp) = &calibrate {
            let problems = cp.check();
            if problems.is_empty() {
                check_calibrate(
                    cp,
                    &strategies,
                    root.get("strategies").and_then(toml::Value::as_table),
                    &output,
                    &idx,
                    &mut diags,
                );
            }
            for (path, message, allowed) in problems {
                diags.push(idx.diag(&KeyPath::parse(&path), false, message, allowed));
            }
            match evidence::Evidence::from_file(&base_dir.join(&cp.evidence)) {
                Ok(e) => {
                    calibrate::check_patterns(cp, &e, &strategies, &idx, &mut diags);
                    evidence = Some(e);
                }
                Err(Error::Invalid(ds)) => diags.extend(ds),
                Err(e) => diags.push(idx.diag(
                    &KeyPath::parse("calibrate.evidence"),
                    false,
                    e.to_string(),
                    None,
                )),
            }
        }
        dedup_diagnostics(&mut diags);
        if !diags.is_empty() {
            return Err(Error::Invalid(diags));
        }
        let sha256 = sha256_hex(text.as_bytes());
        let data = data_hashes(&strategies, &sweep, base_dir).map_err(|(p, e)| {
            Error::Invalid(vec![Diagnostic {
                file: p.display().to_string(),
                line: 0,
                column: 0,
                key: String::new(),
                message: format!("cannot read: {e}"),
                allowed: None,
            }])
        })?;
        let (mut data_sha256, mut data_files): (Vec<_>, Vec<_>) = data
            .into_iter()
            .map(|(name, sha, path)| ((name, sha), path))
            .unzip();
        // The evidence file is an input like a data file: hashed in the manifest and
        // copied into the results folder.
        if let (Some(cp), Some(e)) = (&calibrate, &evidence) {
            data_sha256.push(("evidence".to_string(), sha256_hex(e.text.as_bytes())));
            data_files.push(base_dir.join(&cp.evidence));
        }
        Ok(Scenario {
            file: None,
            sha256,
            data_sha256,
            data_files,
            name: meta.name.unwrap_or_else(|| stem.to_string()),
            description: meta.description,
            seed: meta.seed,
            replicates: meta.replicates.max(1),
            output,
            strategies,
            inputs,
            repairs,
            points,
            sweep,
            sensitivity,
            calibrate,
            evidence,
            lesson,
            posterior: None,
        })
    }

    /// This scenario with the posterior in `path` (a `posterior.csv`, see
    /// [`posterior`]): each replicate then draws one particle of its last generation
    /// and runs every strategy with the particle's values applied over the
    /// strategy's parameters. Refused for a scenario with a `[sweep]` design (its
    /// points would set parameters a second way), and for a file with any problem
    /// (located at its line and column), including a calibrated parameter that a
    /// strategy sets or a particle that gives some strategy invalid parameters.
    pub fn with_posterior(mut self, path: &Path) -> Result<Scenario> {
        if self.points.iter().any(|p| !p.is_empty()) {
            return Err(Error::Invalid(vec![Diagnostic {
                file: self
                    .file
                    .as_ref()
                    .map_or_else(|| self.name.clone(), |f| f.display().to_string()),
                line: 0,
                column: 0,
                key: "sweep".into(),
                message: format!(
                    "a scenario with a [sweep] design ({} points) cannot run with --posterior \
                     {}: the design and the posterior would both set parameters",
                    self.point_count(),
                    path.display()
                ),
                allowed: Some(
                    "--posterior with a scenario without [sweep] (one point), or the sweep \
                     without --posterior"
                        .into(),
                ),
            }]));
        }
        let p = posterior::Posterior::read(path, &self.strategies, &self.output)?;
        self.posterior = Some(std::sync::Arc::new(p));
        Ok(self)
    }

    /// The particle of the posterior that replicate `replicate` runs with, if the
    /// scenario has a posterior (the same for every strategy: see
    /// [`posterior::Posterior::draw`]).
    pub fn drawn(&self, replicate: u32) -> Option<&posterior::PosteriorParticle> {
        self.posterior
            .as_ref()
            .map(|p| p.draw(self.seed, &self.name, replicate))
    }

    /// The parameters of one run: the strategy's at the design point
    /// ([`Scenario::params`]) with, under a posterior, the particle drawn for the
    /// replicate applied over them.
    ///
    /// # Panics
    /// If the particle's values do not fit; a posterior is checked against every
    /// strategy when it is read.
    pub fn run_params(
        &self,
        strategy: usize,
        point: usize,
        replicate: u32,
    ) -> std::borrow::Cow<'_, Params> {
        let params = self.params(strategy, point);
        match self.drawn(replicate) {
            None => params,
            Some(p) => std::borrow::Cow::Owned(
                apply_point(&params, &p.values).expect("posterior particles were checked"),
            ),
        }
    }

    /// Total number of runs: strategies × design points × replicates.
    pub fn run_count(&self) -> usize {
        self.strategies.len() * self.point_count() * self.replicates as usize
    }

    /// The estimate of the memory one run needs at its peak, the largest over the
    /// strategies (see [`memory_per_run`]).
    pub fn memory_per_run(&self) -> u64 {
        let drawn = self.posterior.as_ref().map_or(0, |p| p.memory_per_run);
        (0..self.strategies.len())
            .map(|k| memory_per_run(&self.params(k, 0)))
            .max()
            .unwrap_or(0)
            .max(drawn)
    }

    /// Number of design points (1 without a `[sweep]`).
    pub fn point_count(&self) -> usize {
        self.points.len().max(1)
    }

    /// Parameters of a strategy at a design point: the strategy's parameters with
    /// the point's values applied (borrowed when the point sets nothing).
    ///
    /// # Panics
    /// If the point's values do not fit the parameters; a checked scenario's points
    /// always do (they are checked for every strategy when the file is read).
    pub fn params(&self, strategy: usize, point: usize) -> std::borrow::Cow<'_, Params> {
        let base = &self.strategies[strategy].params;
        match self.points.get(point) {
            None => std::borrow::Cow::Borrowed(base),
            Some(v) if v.is_empty() => std::borrow::Cow::Borrowed(base),
            Some(values) => std::borrow::Cow::Owned(
                apply_point(base, values).expect("design points were checked on loading"),
            ),
        }
    }

    /// The parameters the design varies, as dotted paths in first-seen order (the
    /// `point.PATH` columns of `summary.csv`, `compare.csv` and `failures.csv`);
    /// empty without a `[sweep]`.
    pub fn point_keys(&self) -> Vec<String> {
        let mut keys: Vec<String> = Vec::new();
        for p in &self.points {
            for (k, _) in p {
                if !keys.contains(k) {
                    keys.push(k.clone());
                }
            }
        }
        keys
    }

    /// A design point's values aligned with `keys` (from [`Scenario::point_keys`]),
    /// as CSV cells; empty where the point does not set the key.
    pub fn point_cells(&self, point: usize, keys: &[String]) -> Vec<String> {
        let vals = self.points.get(point).map_or(&[][..], Vec::as_slice);
        keys.iter()
            .map(|k| {
                vals.iter()
                    .find(|(p, _)| p == k)
                    .map(|(_, v)| values::scalar(v))
                    .unwrap_or_default()
            })
            .collect()
    }

    /// What one step of simulated time stands for (`day`, `week` or `month`), as
    /// the manifest records it: the first strategy's `time.step`.
    pub fn time_unit(&self) -> &'static str {
        match self.strategies.first().map(|s| s.params.time.step) {
            Some(crate::model::params::StepUnit::Day) => "day",
            Some(crate::model::params::StepUnit::Month) => "month",
            _ => "week",
        }
    }

    /// A short text naming a design point's values (`path=value;...`), empty for the
    /// single point of a scenario without `[sweep]`.
    pub fn point_label(&self, point: usize) -> String {
        self.points
            .get(point)
            .map(|vals| {
                vals.iter()
                    .map(|(k, v)| format!("{k}={}", values::scalar(v)))
                    .collect::<Vec<_>>()
                    .join(";")
            })
            .unwrap_or_default()
    }
}

/// The SHA-256 of `bytes`, in lower-case hex.
pub fn sha256_hex(bytes: &[u8]) -> String {
    use sha2::Digest;
    sha2::Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// The SHA-256 of every data file the strategies and the design read, named relative
/// to `base_dir` where they lie inside it, sorted and without repeats, each with its
/// path as resolved. The files were read and checked moments before; they are read
/// once more here to hash exactly the bytes on disk.
type DataHashes = Vec<(String, String, PathBuf)>;

fn data_hashes(
    strategies: &[Strategy],
    sweep: &SweepParams,
    base_dir: &Path,
) -> std::result::Result<DataHashes, (PathBuf, std::io::Error)> {
    let mut paths: Vec<PathBuf> = Vec::new();
    for st in strategies {
        if let Some(p) = &st.params.population.households_csv {
            paths.push(p.clone());
        }
        if let crate::model::network::NetworkParams::EdgeList { path, .. } = &st.params.network {
            paths.push(path.clone());
        }
    }
    if let Some(t) = &sweep.table {
        paths.push(base_dir.join(t));
    }
    let mut out: DataHashes = Vec::new();
    for p in paths {
        let name = p.strip_prefix(base_dir).unwrap_or(&p).display().to_string();
        if out.iter().any(|(n, _, _)| *n == name) {
            continue;
        }
        let bytes =
            input::read_regular(&p, input::MAX_DATA_BYTES, true).map_err(|e| (p.clone(), e))?;
        out.push((name, sha256_hex(&bytes), p));
    }
    out.sort();
    Ok(out)
}

/// Drops repeated diagnostics, keeping the first of each, and says a base key's
/// problem (found once per strategy that inherits it, each ending ``(for strategy
/// `strategies.NAME`)``) once, naming every such strategy: ``(for strategies
/// `strategies.a`, `strategies.b`)``.
fn dedup_diagnostics(d: &mut Vec<Diagnostic>) {
    let mut seen = std::collections::HashSet::new();
    d.retain(|x| seen.insert(x.to_string()));
    let split = |m: &str| -> Option<(String, String)> {
        let (stem, rest) = m.rsplit_once(" (for strategy `")?;
        let name = rest.strip_suffix("`)")?;
        Some((stem.to_string(), name.to_string()))
    };
    let mut out: Vec<Diagnostic> = Vec::with_capacity(d.len());
    let mut names: Vec<Vec<String>> = Vec::with_capacity(d.len());
    for x in d.drain(..) {
        if let Some((stem, name)) = split(&x.message)
            && let Some(k) = out.iter().position(|y| {
                y.file == x.file
                    && y.line == x.line
                    && y.column == x.column
                    && y.key == x.key
                    && y.allowed == x.allowed
                    && split(&y.message).is_some_and(|(s, _)| s == stem)
            })
        {
            names[k].push(name);
            continue;
        }
        names.push(split(&x.message).map(|(_, n)| vec![n]).unwrap_or_default());
        out.push(x);
    }
    for (x, n) in out.iter_mut().zip(&names) {
        if n.len() > 1
            && let Some((stem, _)) = split(&x.message)
        {
            let list: Vec<String> = n.iter().map(|s| format!("`{s}`")).collect();
            x.message = format!("{stem} (for strategies {})", list.join(", "));
        }
    }
    // In reading order: file by file (in the order they came up), line by line.
    let files: Vec<String> = out.iter().fold(Vec::new(), |mut v, x| {
        if !v.contains(&x.file) {
            v.push(x.file.clone());
        }
        v
    });
    out.sort_by_key(|x| (files.iter().position(|f| *f == x.file), x.line, x.column));
    *d = out;
}

fn quoted(keys: &[&str]) -> String {
    keys.iter()
        .map(|k| format!("`{k}`"))
        .collect::<Vec<_>>()
        .join(", ")
}
