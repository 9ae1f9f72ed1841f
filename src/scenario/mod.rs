//! Scenario files: reading, checking and resolving them into the parameters of every
//! strategy.
//!
//! A scenario is a TOML file. Its top-level tables are `[scenario]` (name, seed,
//! replicates), the model's parameter tables (`[time]`, `[population]`, `[network]`,
//! `[economy]`, `[shocks]`, `[participation]`), `[output]`, and `[strategies.NAME]`
//! tables whose contents override the base parameters for that strategy. Every problem
//! is reported as a [`Diagnostic`] with file, line, column, key and what is allowed.

pub mod input;
pub mod locate;
pub mod sensitivity;
pub mod sweep;
pub mod values;

use crate::error::{Diagnostic, Error, Result};
use crate::model::Params;
use crate::model::network::NetworkParams;
use crate::model::population::Dist;
use crate::model::village::{DataFiles, EdgeData, HouseholdRecord};
use locate::{KeyPath, SpanIndex, explain_serde, suggest};
use sensitivity::SensitivityParams;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use sweep::{DesignError, SweepParams};

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

/// Data files loaded for a scenario, shared by all runs.
#[derive(Debug, Clone, Default)]
pub struct Inputs {
    households: HashMap<PathBuf, Arc<Vec<HouseholdRecord>>>,
    edges: HashMap<(PathBuf, Option<PathBuf>, bool), Arc<EdgeData>>,
}

impl DataFiles for Inputs {
    fn households(&self, path: &Path) -> Option<&[HouseholdRecord]> {
        self.households.get(path).map(|v| v.as_slice())
    }

    fn edges(&self, path: &Path, households: Option<&Path>, repair: bool) -> Option<&EdgeData> {
        self.edges
            .get(&(
                path.to_path_buf(),
                households.map(Path::to_path_buf),
                repair,
            ))
            .map(|e| e.as_ref())
    }
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

/// Where a strategy's diagnostics point: at the override if the strategy set the key,
/// else at the base key.
struct Located<'a> {
    idx: &'a SpanIndex,
    prefix: &'a KeyPath,
}

impl Located<'_> {
    fn best(&self, path: &KeyPath) -> KeyPath {
        let over = path.under(self.prefix);
        // The deepest prefix of the path that the document sets decides.
        let mut p = path.clone();
        loop {
            if self.idx.contains(&p.under(self.prefix)) {
                return over;
            }
            if self.idx.contains(&p) {
                return path.clone();
            }
            if p.0.pop().is_none() {
                return path.clone();
            }
        }
    }

    fn diag(&self, path: &KeyPath, message: &str, allowed: Option<String>) -> Diagnostic {
        let shown = self.best(path);
        let mut d = self.idx.diag(&shown, false, message, allowed);
        // Name the strategy when the problem is in a base key it inherits, unless the
        // file has no strategies (then the implicit `baseline` would only confuse).
        if self.prefix.0.len() > 1
            && self.idx.contains(self.prefix)
            && shown != path.under(self.prefix)
        {
            d.message
                .push_str(&format!(" (for strategy `{}`)", self.prefix));
        }
        d
    }

    fn serde_error(&self, e: &serde_path_to_error::Error<toml::de::Error>) -> Diagnostic {
        let path = from_serde_path(e.path());
        let (message, allowed, field) = explain_serde(e.inner().message());
        match field {
            Some(f) if message.starts_with("unknown key") => {
                let full = with_field(&path, &f);
                let shown = self.best(&full);
                self.idx.diag(&shown, true, message, allowed)
            }
            Some(f) => {
                let mut d = self.diag(&path, &message, allowed);
                d.key = with_field(&path, &f).to_string();
                d
            }
            None => self.diag(&path, &message, allowed),
        }
    }
}

/// `path` with the offending `field` appended, unless serde's path already ends with
/// it (it does for an unknown key of a struct, not of an internally tagged enum).
fn with_field(path: &KeyPath, field: &str) -> KeyPath {
    match path.0.last() {
        Some(locate::Seg::Key(k)) if k == field => path.clone(),
        _ => path.key(field),
    }
}

fn from_serde_path(p: &serde_path_to_error::Path) -> KeyPath {
    use serde_path_to_error::Segment;
    let mut k = KeyPath::default();
    for s in p.iter() {
        match s {
            Segment::Seq { index } => k = k.index(*index),
            Segment::Map { key } => k = k.key(key),
            Segment::Enum { variant } => k = k.key(variant),
            Segment::Unknown => {}
        }
    }
    k
}

fn deserialize_at<T: serde::de::DeserializeOwned + Default>(
    root: &toml::Table,
    key: &str,
    idx: &SpanIndex,
    prefix: &KeyPath,
    diags: &mut Vec<Diagnostic>,
) -> Option<T> {
    let v = root.get(key)?.clone();
    let at = KeyPath::default().key(key);
    match serde_path_to_error::deserialize::<_, T>(v) {
        Ok(t) => Some(t),
        Err(e) => {
            let located = Located { idx, prefix };
            let mut d = located.serde_error(&e);
            let inner = from_serde_path(e.path()).under(&at);
            let (message, allowed, field) = explain_serde(e.inner().message());
            let full = match &field {
                Some(f) => with_field(&inner, f),
                None => inner.clone(),
            };
            let at_key = message.starts_with("unknown key");
            let (line, column) = idx.locate(&full, at_key);
            d.line = line;
            d.column = column;
            d.key = full.to_string();
            d.message = message;
            d.allowed = allowed;
            diags.push(d);
            None
        }
    }
}

/// Where a design value for `path` is written in the scenario: under
/// `[sweep.factorial]`, `[sweep.zip]`, or the ranges of `[sweep.lhs]`/`[sweep.sobol]`
/// (the `table` key for a CSV design).
fn sweep_key(sweep: &SweepParams, path: &str) -> KeyPath {
    let mut k = KeyPath::default().key("sweep");
    if sets(&sweep.factorial, path) {
        k = k.key("factorial").key(path);
    } else if sets(&sweep.zip, path) {
        k = k.key("zip").key(path);
    } else if sweep.lhs.is_some() {
        k = k.key("lhs").key("ranges").key(path);
    } else if sweep.sobol.is_some() {
        k = k.key("sobol").key("ranges").key(path);
    } else if sweep.table.is_some() {
        k = k.key("table");
    }
    k
}

/// Whether `table` sets the dotted `path`, written as one quoted key
/// (`"organizer.rate"`), as nested tables (`organizer.rate`, `[x.organizer]`), or a
/// mix of both. (A key path renders the same either way, so [`SpanIndex`] finds both.)
fn sets(table: &toml::Table, path: &str) -> bool {
    table.contains_key(path)
        || path.match_indices('.').any(|(i, _)| {
            matches!(table.get(&path[..i]), Some(toml::Value::Table(sub)) if sets(sub, &path[i + 1..]))
        })
}

/// An [`apply_point`] failure, explained: which of the point's parameters it
/// concerns, what is wrong (with a "did you mean" for a misspelt key) and what is
/// allowed.
struct PointError {
    /// The point's parameter path the error concerns (for `organiser.rate`, an
    /// unknown `organiser`, the whole path as written).
    path: String,
    message: String,
    allowed: Option<String>,
    /// Whether the path names a key that does not exist.
    unknown_key: bool,
}

impl PointError {
    fn new(m: &str, values: &[(String, toml::Value)]) -> PointError {
        let (at, inner) = m.split_once(": ").unwrap_or(("", m));
        let (message, allowed, field) = explain_serde(inner);
        let unknown_key = field.is_some() && message.starts_with("unknown key");
        // The error's path may be a prefix of the point's path (an unknown table) or
        // lie inside it (a table-valued parameter).
        let path = values
            .iter()
            .map(|(p, _)| p.as_str())
            .find(|p| {
                *p == at || p.starts_with(&format!("{at}.")) || at.starts_with(&format!("{p}."))
            })
            .unwrap_or(at)
            .to_string();
        PointError {
            path,
            message,
            allowed: allowed.or_else(|| Some("values of the parameter's type".into())),
            unknown_key,
        }
    }
}

/// Checks what `[sensitivity]` asks of the strategies (once its own table is
/// well-formed): that the strategy it names exists, and that each range's ends,
/// applied to that strategy, give valid parameters (so that an unknown parameter or a
/// range beyond what the parameter allows is found before any run).
fn check_sensitivity(
    sp: &SensitivityParams,
    sweep: &SweepParams,
    strategies: &[Strategy],
    output: &OutputParams,
    idx: &SpanIndex,
    diags: &mut Vec<Diagnostic>,
) {
    let st = match &sp.strategy {
        None => strategies.first(),
        Some(name) => {
            let found = strategies.iter().find(|s| &s.name == name);
            if found.is_none() {
                let names: Vec<&str> = strategies.iter().map(|s| s.name.as_str()).collect();
                let hint = suggest(name, &names)
                    .map(|s| format!("; did you mean `{s}`?"))
                    .unwrap_or_default();
                diags.push(idx.diag(
                    &KeyPath::parse("sensitivity.strategy"),
                    false,
                    format!("no strategy `{name}`{hint}"),
                    Some(quoted(&names)),
                ));
            }
            found
        }
    };
    let (Some(st), Ok(ranges)) = (
        st,
        sweep::parse_ranges(sp.ranges(sweep), "sensitivity.ranges"),
    ) else {
        return;
    };
    let own = !sp.ranges.is_empty();
    for (path, range) in &ranges {
        let at = if own {
            KeyPath::default()
                .key("sensitivity")
                .key("ranges")
                .key(path)
        } else {
            sweep_key(sweep, path)
        };
        for (end, u) in [("lo", 0.0), ("hi", 1.0)] {
            let values = [(path.clone(), range.at(u))];
            match apply_point(&st.params, &values) {
                Err(m) => {
                    let e = PointError::new(&m, &values);
                    let mut d = idx.diag(&at, false, e.message, e.allowed);
                    d.key = e.path;
                    diags.push(d);
                }
                Ok(params) => {
                    for p in check_params(&params, output) {
                        let mut d = idx.diag(
                            &at,
                            false,
                            format!("at the range's {end} end: {}", p.message),
                            p.allowed,
                        );
                        d.key = p.path.to_string();
                        diags.push(d);
                    }
                }
            }
        }
    }
}

fn design_diag(idx: &SpanIndex, shown: &str, e: DesignError) -> Diagnostic {
    match (&e.file, e.line) {
        (Some(file), Some(line)) => Diagnostic {
            file: file.clone(),
            line: line as usize,
            column: e.column.unwrap_or(1),
            key: e.key,
            message: e.message,
            allowed: e.allowed,
        },
        _ => {
            let mut d = idx.diag(&KeyPath::parse(&e.key), false, e.message, e.allowed);
            if d.file.is_empty() {
                d.file = shown.to_string();
            }
            d
        }
    }
}

/// What is wrong with parameters (such as a strategy's with a design point applied),
/// one "`key`: message (allowed: …)" line per problem; empty when they can be run.
pub fn point_problems(p: &Params, output: &OutputParams) -> Vec<String> {
    check_params(p, output)
        .into_iter()
        .map(|x| match x.allowed {
            Some(a) => format!("`{}`: {} (allowed: {a})", x.path, x.message),
            None => format!("`{}`: {}", x.path, x.message),
        })
        .collect()
}

/// Applies a design point's values (dotted parameter paths) to parameters.
pub fn apply_point(base: &Params, values: &[(String, toml::Value)]) -> Result<Params, String> {
    let mut table = match toml::Value::try_from(base) {
        Ok(toml::Value::Table(t)) => t,
        _ => return Err("parameters do not serialize".into()),
    };
    for (path, v) in values {
        merge(&mut table, &nested(path, v.clone()));
    }
    serde_path_to_error::deserialize::<_, Params>(toml::Value::Table(table))
        .map_err(|e| format!("{}: {}", e.path(), e.inner().message()))
}

/// `a.b.c = v` as nested tables.
fn nested(path: &str, v: toml::Value) -> toml::Table {
    let mut value = v;
    let parts: Vec<&str> = path.split('.').collect();
    for k in parts[1..].iter().rev() {
        let mut t = toml::Table::new();
        t.insert((*k).to_string(), value);
        value = toml::Value::Table(t);
    }
    let mut t = toml::Table::new();
    t.insert(parts[0].to_string(), value);
    t
}

/// Overrides `base` with `over`: tables merge key by key, anything else replaces. A
/// table whose `model` or `dist` tag changes is replaced whole (its other keys belong
/// to the old kind).
pub fn merge(base: &mut toml::Table, over: &toml::Table) {
    for (k, v) in over {
        match (base.get_mut(k), v) {
            (Some(toml::Value::Table(b)), toml::Value::Table(o)) => {
                let tag_changes = ["model", "dist"]
                    .iter()
                    .any(|t| o.get(*t).is_some_and(|ov| b.get(*t) != Some(ov)));
                if tag_changes {
                    *b = o.clone();
                } else {
                    merge(b, o);
                }
            }
            _ => {
                base.insert(k.clone(), v.clone());
            }
        }
    }
}

/// A range or consistency problem found after parsing.
struct Problem {
    path: KeyPath,
    message: String,
    allowed: Option<String>,
}

struct Checker {
    out: Vec<Problem>,
}

impl Checker {
    fn bad(&mut self, path: &str, message: impl Into<String>, allowed: impl Into<String>) {
        self.out.push(Problem {
            path: KeyPath::parse(path),
            message: message.into(),
            allowed: Some(allowed.into()),
        });
    }

    fn whole(&mut self, path: &str, v: u64, lo: u64, hi: u64) {
        if !(lo..=hi).contains(&v) {
            self.bad(
                path,
                format!("{v} is out of range"),
                format!("a whole number in [{lo}, {hi}]"),
            );
        }
    }

    fn range(&mut self, path: &str, v: f64, lo: f64, hi: f64) {
        if !(v.is_finite() && v >= lo && v <= hi) {
            self.bad(
                path,
                format!("{v} is out of range"),
                format!("a number in [{lo}, {hi}]"),
            );
        }
    }

    fn dist(&mut self, path: &str, d: &Dist, lo: f64, hi: f64) {
        if let Err((k, allowed)) = d.check() {
            self.bad(
                &format!("{path}.{k}"),
                "invalid distribution parameter",
                allowed,
            );
            return;
        }
        // A distribution whose whole mass lies outside the attribute's range is a
        // mistake, not something to clip silently.
        let outside = match *d {
            Dist::Constant { value } => value < lo || value > hi,
            Dist::Uniform { min, max } => max < lo || min > hi,
            Dist::Normal { mean, .. } => mean < lo || mean > hi,
            Dist::Lognormal { median, .. } => median > hi,
            Dist::Beta { .. } => lo > 0.0 || hi < 1.0,
        };
        if outside {
            self.bad(
                path,
                "distribution lies outside the allowed range",
                format!("values in [{lo}, {hi}]"),
            );
        }
    }
}

fn check_meta(m: &Meta) -> Vec<Problem> {
    let mut c = Checker { out: Vec::new() };
    if m.replicates == 0 || m.replicates > 1_000_000 {
        c.bad(
            "scenario.replicates",
            format!("{} is out of range", m.replicates),
            "a whole number in [1, 1000000]",
        );
    }
    if let Some(n) = &m.name
        && (n.is_empty() || n.contains(['/', '\\', '\0']))
    {
        c.bad(
            "scenario.name",
            "not a usable name",
            "a non-empty name without slashes",
        );
    }
    c.out
}

fn check_params(p: &Params, out: &OutputParams) -> Vec<Problem> {
    let mut c = Checker { out: Vec::new() };
    let t = &p.time;
    if t.steps == 0 || t.steps > 10_000_000 {
        c.bad(
            "time.steps",
            format!("{} is out of range", t.steps),
            "a whole number in [1, 10000000]",
        );
    }
    let pop = &p.population;
    let n = pop.households;
    if pop.households_csv.is_none() && !(1..=50_000_000).contains(&n) {
        c.bad(
            "population.households",
            format!("{n} is out of range"),
            "a whole number in [1, 50000000]",
        );
    }
    if pop.issues.is_empty() || pop.issues.len() > 255 {
        c.bad(
            "population.issues",
            "needs between 1 and 255 issues",
            "a list of 1 to 255 names",
        );
    }
    for (i, name) in pop.issues.iter().enumerate() {
        if name.is_empty() || pop.issues[..i].contains(name) {
            c.bad(
                &format!("population.issues[{i}]"),
                format!("issue name `{name}` is empty or repeated"),
                "distinct non-empty names",
            );
        }
    }
    c.dist("population.threshold", &pop.threshold, 0.0, 1.0);
    c.dist("population.trust", &pop.trust, 0.0, 1.0);
    c.dist("population.awareness", &pop.awareness, 0.0, 1.0);
    c.dist("population.efficacy", &pop.efficacy, 0.0, 1.0);
    if pop.groups.is_empty() || pop.groups.len() > 255 {
        c.bad(
            "population.groups",
            "needs between 1 and 255 groups",
            "[[population.groups]] tables, 1 to 255",
        );
    }
    let mut share_sum = 0.0;
    for (i, g) in pop.groups.iter().enumerate() {
        let at = format!("population.groups[{i}]");
        if g.name.is_empty() || pop.groups[..i].iter().any(|h| h.name == g.name) {
            c.bad(
                &format!("{at}.name"),
                format!("group name `{}` is empty or repeated", g.name),
                "distinct non-empty names",
            );
        }
        c.range(&format!("{at}.share"), g.share, 0.0, 1e12);
        share_sum += g.share.max(0.0);
        c.dist(&format!("{at}.resources"), &g.resources, 0.0, f64::MAX);
        c.dist(&format!("{at}.availability"), &g.availability, 0.0, 1.0);
        if let Some(t) = &g.threshold {
            c.dist(&format!("{at}.threshold"), t, 0.0, 1.0);
        }
        if !g.issue_weights.is_empty() {
            if g.issue_weights.len() != pop.issues.len() {
                c.bad(
                    &format!("{at}.issue_weights"),
                    format!(
                        "{} weights for {} issues",
                        g.issue_weights.len(),
                        pop.issues.len()
                    ),
                    "one weight per entry of population.issues",
                );
            } else if g
                .issue_weights
                .iter()
                .any(|w| !(w.is_finite() && *w >= 0.0))
                || g.issue_weights.iter().sum::<f64>() <= 0.0
            {
                c.bad(
                    &format!("{at}.issue_weights"),
                    "weights must be ≥ 0 and not all 0",
                    "numbers ≥ 0, at least one > 0",
                );
            }
        }
    }
    if !pop.groups.is_empty() && share_sum <= 0.0 {
        c.bad(
            "population.groups",
            "group shares sum to 0",
            "shares ≥ 0, at least one > 0",
        );
    }
    let nmax = (n.max(2) - 1) as f64;
    match &p.network {
        NetworkParams::Sbm {
            mean_degree,
            homophily,
        } => {
            c.range("network.mean_degree", *mean_degree, 0.0, nmax);
            c.range("network.homophily", *homophily, 0.0, 1.0);
        }
        NetworkParams::ErdosRenyi { mean_degree } => {
            c.range("network.mean_degree", *mean_degree, 0.0, nmax)
        }
        NetworkParams::WattsStrogatz { k, rewiring } => {
            if *k < 2 || k % 2 == 1 || (*k >= n && pop.households_csv.is_none()) {
                c.bad(
                    "network.k",
                    format!("{k} is not allowed"),
                    "an even whole number ≥ 2 and below the number of households",
                );
            }
            c.range("network.rewiring", *rewiring, 0.0, 1.0);
        }
        NetworkParams::BarabasiAlbert { m } => {
            if *m < 1 || (*m >= n && pop.households_csv.is_none()) {
                c.bad(
                    "network.m",
                    format!("{m} is not allowed"),
                    "a whole number ≥ 1 and below the number of households",
                );
            }
        }
        NetworkParams::EdgeList { .. } | NetworkParams::None => {}
    }
    let ties = match &p.network {
        NetworkParams::Sbm { mean_degree, .. } | NetworkParams::ErdosRenyi { mean_degree } => {
            *mean_degree
        }
        NetworkParams::WattsStrogatz { k, .. } => *k as f64,
        NetworkParams::BarabasiAlbert { m } => 2.0 * *m as f64,
        NetworkParams::EdgeList { .. } | NetworkParams::None => 0.0,
    };
    if n as f64 * ties * 1.2 >= u32::MAX as f64 {
        c.bad(
            "network",
            "too many ties for one village",
            "households × mean degree below about 3.5 billion",
        );
    }
    let o = &p.organizer;
    c.whole("organizer.count", o.count as u64, 1, 100);
    c.whole(
        "organizer.contacts_per_step",
        o.contacts_per_step as u64,
        1,
        10_000,
    );
    if o.exit_step < o.entry_step {
        c.bad(
            "organizer.exit_step",
            format!(
                "exit at step {} is before entry at step {}",
                o.exit_step, o.entry_step
            ),
            format!("a step ≥ organizer.entry_step ({})", o.entry_step),
        );
    }
    c.range("organizer.push", o.push, 0.0, 1.0);
    c.range("organizer.accommodation", o.accommodation, 1.0, 5.0);
    if o.team.len() > 100 {
        c.bad(
            "organizer.team",
            format!("{} team members", o.team.len()),
            "at most 100 [[organizer.team]] entries",
        );
    }
    for (i, m) in o.team.iter().enumerate() {
        let at = format!("organizer.team[{i}]");
        if let Some(k) = m.contacts_per_step {
            c.whole(&format!("{at}.contacts_per_step"), k as u64, 1, 10_000);
        }
        let entry = m.entry_step.unwrap_or(o.entry_step);
        let exit = m.exit_step.unwrap_or(o.exit_step);
        if exit < entry {
            c.bad(
                &format!("{at}.exit_step"),
                format!("exit at step {exit} is before entry at step {entry}"),
                format!("a step ≥ {at}.entry_step ({entry})"),
            );
        }
    }
    for stage in crate::model::stage::Stage::FIVE {
        let Some(plan) = p.stages.get(stage) else {
            continue;
        };
        let at = format!("stages.{}", stage.name());
        if plan.max_steps == 0 {
            c.bad(
                &format!("{at}.max_steps"),
                "0 is out of range",
                "a whole number ≥ 1 (use skip = true to skip the stage)",
            );
        }
        if plan.min_steps > plan.max_steps {
            c.bad(
                &format!("{at}.min_steps"),
                format!("{} is above max_steps ({})", plan.min_steps, plan.max_steps),
                "a whole number ≤ max_steps",
            );
        }
        let hi = match stage {
            crate::model::stage::Stage::Design | crate::model::stage::Stage::Action => 1000.0,
            _ => 1.0,
        };
        c.range(&format!("{at}.target"), plan.target, 0.0, hi);
    }
    let b = &p.behaviour;
    for (k, v) in [
        ("visit_gain", b.visit_gain),
        ("pass_on", b.pass_on),
        ("trusting", b.trusting),
        ("investigation_effort", b.investigation_effort),
        ("proxy_share", b.proxy_share),
        ("analysis_awareness", b.analysis_awareness),
        ("meeting_awareness", b.meeting_awareness),
        ("meeting_ties", b.meeting_ties),
        ("success_efficacy", b.success_efficacy),
        ("failure_efficacy", b.failure_efficacy),
        ("decay", b.decay),
        ("member_efficacy", b.member_efficacy),
        ("member_awareness", b.member_awareness),
    ] {
        c.range(&format!("behaviour.{k}"), v, 0.0, 1.0);
    }
    let a = &p.action;
    c.whole("action.duration", a.duration as u64, 1, 1000);
    for (k, v) in [
        ("need_share", a.need_share),
        ("potential_share", a.potential_share),
        ("bias_cut", a.bias_cut),
        ("legitimacy_weight", a.legitimacy_weight),
        ("efficacy_weight", a.efficacy_weight),
        ("awareness_weight", a.awareness_weight),
        ("issue_weight", a.issue_weight),
    ] {
        c.range(&format!("action.{k}"), v, 0.0, 1.0);
    }
    c.range("action.noise", a.noise, 0.0, 5.0);
    c.range("action.benefit", a.benefit, 0.0, 1e9);
    let ins = &p.institution;
    c.whole(
        "institution.meeting_interval",
        ins.meeting_interval as u64,
        1,
        1000,
    );
    c.whole(
        "institution.issue_interval",
        ins.issue_interval as u64,
        1,
        10_000,
    );
    c.whole(
        "institution.election_interval",
        ins.election_interval as u64,
        0,
        10_000,
    );
    for (k, v) in [
        ("capacity_rate", ins.capacity_rate),
        ("relapse", ins.relapse),
        ("sustained_cut", ins.sustained_cut),
        ("elite_capture_cut", ins.elite_capture_cut),
        ("capture", ins.capture),
        ("shock_buffer", ins.shock_buffer),
        ("leader_push", ins.leader_push),
    ] {
        c.range(&format!("institution.{k}"), v, 0.0, 1.0);
    }
    if !(ins.leaders_share > 0.0 && ins.leaders_share <= 1.0) {
        c.bad(
            "institution.leaders_share",
            format!("{} is out of range", ins.leaders_share),
            "a number in (0, 1]",
        );
    }
    if !(ins.full_coverage > 0.0 && ins.full_coverage <= 1.0) {
        c.bad(
            "institution.full_coverage",
            format!("{} is out of range", ins.full_coverage),
            "a number in (0, 1]",
        );
    }
    c.range("institution.dues", ins.dues, 0.0, 1e9);
    if !(ins.pool_half > 0.0 && ins.pool_half.is_finite()) {
        c.bad(
            "institution.pool_half",
            format!("{} is out of range", ins.pool_half),
            "a number > 0",
        );
    }
    for (k, w) in ins.weights.iter().enumerate() {
        c.range(&format!("institution.weights[{k}]"), *w, 0.0, 1e6);
    }
    if ins.weights.iter().sum::<f64>() <= 0.0 {
        c.bad(
            "institution.weights",
            "weights sum to 0",
            "numbers ≥ 0, at least one > 0",
        );
    }
    let e = &p.economy;
    c.range(
        "economy.benefit_per_household",
        e.benefit_per_household,
        0.0,
        1e9,
    );
    c.range("economy.elite_capture", e.elite_capture, 0.0, 5.0);
    c.range("economy.systemic_bias", e.systemic_bias, 0.0, 1.0);
    c.range("economy.reversion", e.reversion, 0.0, 1.0);
    c.range("economy.network_influence", e.network_influence, 0.0, 1.0);
    if !(e.access_memory > 0.0 && e.access_memory <= 1.0) {
        c.bad(
            "economy.access_memory",
            format!("{} is out of range", e.access_memory),
            "a number in (0, 1]",
        );
    }
    let s = &p.shocks;
    c.range("shocks.probability", s.probability, 0.0, 1.0);
    c.range("shocks.severity", s.severity, 0.0, 1.0);
    c.range("shocks.reach", s.reach, 0.0, 1.0);
    c.range(
        "shocks.marginalized_multiplier",
        s.marginalized_multiplier,
        0.0,
        10.0,
    );
    let part = &p.participation;
    c.range("participation.seed_share", part.seed_share, 0.0, 1.0);
    if pop.households_csv.is_none() {
        if part.seed_count > n {
            c.bad(
                "participation.seed_count",
                format!("{} seeds for {n} households", part.seed_count),
                format!("a whole number in [0, {n}]"),
            );
        }
        for (i, &id) in part.seed_ids.iter().enumerate() {
            if id >= n as u64 {
                c.bad(
                    &format!("participation.seed_ids[{i}]"),
                    format!("no household {id}"),
                    format!("household numbers in 0..{n}"),
                );
            }
        }
    }
    if out.record_every == 0 {
        c.bad(
            "output.record_every",
            "0 is out of range",
            "a whole number ≥ 1",
        );
    }
    for (i, &s) in out.household_steps.iter().enumerate() {
        if s > t.steps {
            c.bad(
                &format!("output.household_steps[{i}]"),
                format!("step {s} is after the last step {}", t.steps),
                format!("steps in [0, {}]", t.steps),
            );
        }
    }
    c.out
}

/// Loads every data file the strategies name, once each.
fn load_inputs(
    strategies: &mut [Strategy],
    base_dir: &Path,
    idx: &SpanIndex,
    diags: &mut Vec<Diagnostic>,
) -> (Inputs, Vec<String>) {
    let mut inputs = Inputs::default();
    let mut repairs = Vec::new();
    let mut failed: Vec<PathBuf> = Vec::new();
    for s in strategies.iter_mut() {
        let pop = &mut s.params.population;
        if let Some(rel) = pop.households_csv.clone() {
            let path = base_dir.join(&rel);
            pop.households_csv = Some(path.clone());
            if !inputs.households.contains_key(&path) && !failed.contains(&path) {
                let names: Vec<String> = pop.groups.iter().map(|g| g.name.clone()).collect();
                match input::load_households(
                    &path,
                    &path.display().to_string(),
                    &names,
                    &pop.issues,
                ) {
                    Ok(rows) => {
                        inputs.households.insert(path.clone(), Arc::new(rows));
                    }
                    Err(mut d) => {
                        if d.iter().any(|d| d.message.starts_with("cannot read")) {
                            let mut at = idx.diag(
                                &KeyPath::parse("population.households_csv"),
                                false,
                                format!("cannot read households file {}", path.display()),
                                Some("a CSV file path relative to the scenario file".into()),
                            );
                            at.message.push_str(&format!(": {}", d[0].message));
                            d = vec![at];
                        }
                        diags.extend(d);
                        failed.push(path);
                        continue;
                    }
                }
            }
            if let Some(rows) = inputs.households.get(&path) {
                for (i, id) in s.params.participation.seed_ids.iter().enumerate() {
                    if !rows.iter().any(|r| r.id == *id) {
                        diags.push(idx.diag(
                            &KeyPath::parse(&format!("participation.seed_ids[{i}]")),
                            false,
                            format!("no household with id {id} in {}", path.display()),
                            Some("ids from the households CSV".into()),
                        ));
                    }
                }
            }
        }
        let hh_path = s.params.population.households_csv.clone();
        if let NetworkParams::EdgeList { path: rel, repair } = &mut s.params.network {
            let path = base_dir.join(&*rel);
            *rel = path.clone();
            let key = (path.clone(), hh_path.clone(), *repair);
            if inputs.edges.contains_key(&key) || failed.contains(&path) {
                continue;
            }
            let (n, ids) = match &hh_path {
                Some(hp) => match inputs.households.get(hp) {
                    Some(rows) => (
                        rows.len(),
                        Some(
                            rows.iter()
                                .enumerate()
                                .map(|(i, r)| (r.id, i as u32))
                                .collect::<HashMap<_, _>>(),
                        ),
                    ),
                    None => continue,
                },
                None => (s.params.population.households, None),
            };
            match input::load_edges(&path, &path.display().to_string(), n, ids.as_ref(), *repair) {
                Ok(data) => {
                    if data.self_loops_dropped + data.duplicates_merged > 0 {
                        repairs.push(format!(
                            "{}: dropped {} self-loop(s), merged {} duplicate tie(s)",
                            path.display(),
                            data.self_loops_dropped,
                            data.duplicates_merged
                        ));
                    }
                    inputs.edges.insert(key, Arc::new(data));
                }
                Err(d) => {
                    if d.iter().any(|d| d.message.starts_with("cannot read")) {
                        let mut at = idx.diag(
                            &KeyPath::parse("network.path"),
                            false,
                            format!("cannot read edge list {}", path.display()),
                            Some("a CSV file path relative to the scenario file".into()),
                        );
                        at.message.push_str(&format!(": {}", d[0].message));
                        diags.push(at);
                    } else {
                        diags.extend(d);
                    }
                    failed.push(path);
                }
            }
        }
    }
    (inputs, repairs)
}
