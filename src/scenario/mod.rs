//! Scenario files: reading, checking and resolving them into the parameters of every
//! strategy.
//!
//! A scenario is a TOML file. Its top-level tables are `[scenario]` (name, seed,
//! replicates), the model's parameter tables (`[time]`, `[population]`, `[network]`,
//! `[economy]`, `[shocks]`, `[participation]`), `[output]`, and `[strategies.NAME]`
//! tables whose contents override the base parameters for that strategy. Every problem
//! is reported as a [`Diagnostic`] with file, line, column, key and what is allowed.

mod check;
mod data;
pub mod input;
pub mod locate;
pub mod points;
pub mod sampling;
pub mod sensitivity;
pub mod sweep;
pub mod values;

use check::{check_meta, check_params};
use data::load_inputs;
use locate::{Located, deserialize_at};
use points::{PointError, check_sensitivity, design_diag, sweep_key};

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
}

/// A checked scenario, ready to run.
#[derive(Debug, Clone)]
pub struct Scenario {
    /// The file it was read from, if any.
    pub file: Option<PathBuf>,
    /// SHA-256 of the file's bytes, in hex.
    pub sha256: String,
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
}

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
    /// Reads and checks a scenario file.
    pub fn from_file(path: &Path) -> Result<Scenario> {
        let shown = path.display().to_string();
        let whole = |m: String| {
            Error::Invalid(vec![Diagnostic {
                file: shown.clone(),
                line: 0,
                column: 0,
                key: String::new(),
                message: m,
                allowed: None,
            }])
        };
        if path.is_dir() {
            return Err(whole("is a folder, not a scenario file".into()));
        }
        let bytes = std::fs::read(path).map_err(|e| whole(format!("cannot read: {e}")))?;
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
        let meta: Meta = deserialize_at(&root, "scenario", &idx, &KeyPath::default(), &mut diags)
            .unwrap_or_default();
        let output: OutputParams =
            deserialize_at(&root, "output", &idx, &KeyPath::default(), &mut diags)
                .unwrap_or_default();
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
        if !diags.is_empty() {
            return Err(Error::Invalid(diags));
        }

        let mut strategies = Vec::new();
        for (name, description, over) in raw {
            let prefix = KeyPath::default().key("strategies").key(&name);
            let mut merged = base.clone();
            merge(&mut merged, &over);
            let located = Located {
                idx: &idx,
                prefix: &prefix,
            };
            let value = toml::Value::Table(merged);
            let params: Params = match serde_path_to_error::deserialize(value) {
                Ok(p) => p,
                Err(e) => {
                    diags.push(located.serde_error(&e));
                    continue;
                }
            };
            for p in check_params(&params, &output) {
                diags.push(located.diag(&p.path, &p.message, p.allowed));
            }
            strategies.push(Strategy {
                name,
                description,
                params,
            });
        }
        dedup_diagnostics(&mut diags);
        let meta_problems = check_meta(&meta);
        for p in meta_problems {
            diags.push(idx.diag(&p.path, false, p.message, p.allowed));
        }
        if !diags.is_empty() {
            return Err(Error::Invalid(diags));
        }

        let (inputs, repairs) = load_inputs(&mut strategies, base_dir, &idx, &mut diags);
        if !diags.is_empty() {
            return Err(Error::Invalid(diags));
        }

        // The experiment design: every point must give valid parameters for every
        // strategy.
        let sweep: SweepParams =
            deserialize_at(&root, "sweep", &idx, &KeyPath::default(), &mut diags)
                .unwrap_or_default();
        let sensitivity: Option<SensitivityParams> =
            deserialize_at(&root, "sensitivity", &idx, &KeyPath::default(), &mut diags);
        if !diags.is_empty() {
            return Err(Error::Invalid(diags));
        }
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
        dedup_diagnostics(&mut diags);
        if !diags.is_empty() {
            return Err(Error::Invalid(diags));
        }
        use sha2::Digest;
        let sha256 = sha2::Sha256::digest(text.as_bytes())
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        Ok(Scenario {
            file: None,
            sha256,
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
        })
    }

    /// Total number of runs: strategies × design points × replicates.
    pub fn run_count(&self) -> usize {
        self.strategies.len() * self.point_count() * self.replicates as usize
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

/// Drops repeated diagnostics (a base key's problem is found once per strategy),
/// keeping the first of each.
fn dedup_diagnostics(d: &mut Vec<Diagnostic>) {
    let mut seen = std::collections::HashSet::new();
    d.retain(|x| seen.insert(x.to_string()));
}

fn quoted(keys: &[&str]) -> String {
    keys.iter()
        .map(|k| format!("`{k}`"))
        .collect::<Vec<_>>()
        .join(", ")
}
