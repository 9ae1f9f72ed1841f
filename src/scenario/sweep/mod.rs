//! Experiment designs: which parameter points a sweep visits.
//!
//! A scenario's `[sweep]` table names parameters by their dotted paths
//! (`"organizer.contacts_per_step"`) and says which values each takes. Four kinds of
//! design are offered; a scenario uses one of them:
//!
//! - **grid**: `[sweep.factorial]` lists values per parameter and every combination is
//!   visited; `[sweep.zip]` lists values that vary *together* (all lists of equal
//!   length, the i-th values forming one setting), as one more axis crossed with the
//!   factorial ones;
//! - **table**: `table = "points.csv"`, a CSV file whose header names the parameter
//!   paths and whose rows are the points;
//! - **Latin hypercube** (`[sweep.lhs]`) and **Sobol sequence** (`[sweep.sobol]`):
//!   `points` points spread over `[lo, hi]` ranges.
//!
//! ```toml
//! [sweep.factorial]
//! "organizer.contacts_per_step" = [5, 10, 20]
//! [sweep.zip]
//! "time.steps" = [52, 260]
//! "shocks.probability" = [0.1, 0.02]
//! ```
//!
//! Unquoted dotted keys (`organizer.contacts_per_step = [5, 10]`) mean the same as
//! quoted ones: nested tables are flattened into dotted paths.
//!
//! Everything here is pure computation: [`build`] reads the optional CSV table and
//! nothing else, and the random numbers of a Latin hypercube come from
//! [`ModelRng`](crate::model::rng::ModelRng) drawn in a documented order, so a design is a
//! function of the scenario alone.

use serde::{Deserialize, Serialize};
use std::fmt;
use std::path::{Path, PathBuf};
use toml::Value;

mod grid;
mod space_filling;
mod table;
#[cfg(test)]
mod tests;

use grid::build_grid;
use space_filling::build_space_filling;
pub use space_filling::parse_ranges;
use table::build_table;

/// The largest number of points a design may have.
pub const MAX_POINTS: usize = 1_000_000;

/// The most problems reported for one design table CSV file.
const MAX_TABLE_ERRORS: usize = 20;

/// The `[sweep]` table of a scenario: which design to build.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct SweepParams {
    /// Parameter path → list of values; every combination is visited.
    #[serde(skip_serializing_if = "toml::Table::is_empty")]
    pub factorial: toml::Table,
    /// Parameter path → list of values; all lists have equal length and vary together
    /// as one more axis, crossed with the factorial ones.
    #[serde(skip_serializing_if = "toml::Table::is_empty")]
    pub zip: toml::Table,
    /// A CSV file of points (relative to the scenario file): header = parameter
    /// paths, one row per point.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub table: Option<PathBuf>,
    /// A Latin hypercube over ranges.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub lhs: Option<SpaceFilling>,
    /// The first points of a Sobol sequence over ranges.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sobol: Option<SpaceFilling>,
}

/// A space-filling design (`[sweep.lhs]` or `[sweep.sobol]`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SpaceFilling {
    /// Number of points, in [1, 1 000 000].
    pub points: usize,
    /// Seed of the Latin hypercube's random numbers (default: the scenario's seed).
    /// Not accepted for Sobol designs, whose points are fixed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub seed: Option<u64>,
    /// Parameter path → `[lo, hi]`. When both bounds are integers the parameter takes
    /// integer values, else real ones.
    #[serde(default)]
    pub ranges: toml::Table,
}

/// One point of a design: the parameters it sets, in the design's name order.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Point {
    /// (dotted parameter path, value) pairs.
    pub values: Vec<(String, Value)>,
}

/// Which kind of design was built.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DesignKind {
    /// No `[sweep]` (or an empty one): one point that sets nothing.
    Single,
    /// Factorial and/or zip axes, crossed.
    Grid,
    /// Points read from a CSV table.
    Table,
    /// A Latin hypercube.
    LatinHypercube,
    /// The first points of a Sobol sequence.
    Sobol,
}

/// An experiment design: the parameters it varies and the points it visits.
#[derive(Debug, Clone, PartialEq)]
pub struct Design {
    /// The parameter paths the design sets, in order (factorial keys in file order,
    /// then zip keys; or the table's header; or the ranges in file order).
    pub names: Vec<String>,
    /// The points. For grids the last axis varies fastest (the zip group is the last
    /// axis, after the factorial keys in file order).
    pub points: Vec<Point>,
    /// Which kind of design this is.
    pub kind: DesignKind,
    /// For a table design: the CSV file, as opened, and the line of each point in
    /// it (so a point's problems are located in the CSV, not the scenario).
    pub table: Option<(String, Vec<u64>)>,
}

/// One problem with a `[sweep]` table or its CSV file.
///
/// Problems in the scenario file carry the dotted path of the offending key (for
/// instance `sweep.zip.time.steps`, or `sweep.factorial.organizer.rate[2]` for one
/// element) and no file, line or column: the caller locates them in the scenario.
/// Problems inside a design table CSV carry its file, line and column, and the column
/// name as key (empty for problems with a whole row or the whole file).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DesignError {
    /// Dotted key path in the scenario, or the CSV column name.
    pub key: String,
    /// What is wrong.
    pub message: String,
    /// What would be accepted, when that can be said.
    pub allowed: Option<String>,
    /// 1-based line in the CSV file.
    pub line: Option<u64>,
    /// 1-based column (field number) in the CSV file.
    pub column: Option<usize>,
    /// The CSV file, as opened (the scenario's directory joined with `table`).
    pub file: Option<String>,
}

impl DesignError {
    fn at(key: impl Into<String>, message: impl Into<String>, allowed: Option<&str>) -> Self {
        DesignError {
            key: key.into(),
            message: message.into(),
            allowed: allowed.map(str::to_string),
            line: None,
            column: None,
            file: None,
        }
    }
}

impl fmt::Display for DesignError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(file) = &self.file {
            match (self.line, self.column) {
                (Some(l), Some(c)) => write!(f, "{file}:{l}:{c}: ")?,
                (Some(l), None) => write!(f, "{file}:{l}: ")?,
                _ => write!(f, "{file}: ")?,
            }
        }
        if !self.key.is_empty() {
            write!(f, "`{}`: ", self.key)?;
        }
        f.write_str(&self.message)?;
        if let Some(a) = &self.allowed {
            write!(f, " (allowed: {a})")?;
        }
        Ok(())
    }
}

impl std::error::Error for DesignError {}

/// The range of one parameter in a space-filling or sensitivity design.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Range {
    /// Integer values in `[lo, hi]`.
    Int {
        /// Lowest value.
        lo: i64,
        /// Highest value.
        hi: i64,
    },
    /// Real values in `[lo, hi]`.
    Float {
        /// Lowest value.
        lo: f64,
        /// Highest value.
        hi: f64,
    },
}

impl Range {
    /// The parameter value at `u` in [0, 1].
    ///
    /// Real ranges map `u` linearly (`lo + u·(hi − lo)`). Integer ranges cut [0, 1]
    /// into `hi − lo + 1` equal cells and give cell `c` the value `lo + c`, so that
    /// every integer gets an equal share of a uniform or stratified `u` (plain
    /// rounding would give the two end values half a share each).
    pub fn at(&self, u: f64) -> Value {
        let u = if u.is_nan() { 0.0 } else { u.clamp(0.0, 1.0) };
        match *self {
            Range::Float { lo, hi } => Value::Float(if u >= 1.0 { hi } else { lo + u * (hi - lo) }),
            Range::Int { lo, hi } => {
                let count = hi as i128 - lo as i128 + 1;
                let cell = ((u * count as f64).floor() as i128).clamp(0, count - 1);
                Value::Integer((lo as i128 + cell) as i64)
            }
        }
    }

    /// Whether the range gives integer values.
    pub fn is_integer(&self) -> bool {
        matches!(self, Range::Int { .. })
    }
}

/// Builds the design a `[sweep]` table describes. `base_dir` is the scenario file's
/// directory (for `table`), `default_seed` seeds a Latin hypercube that gives no
/// seed of its own.
///
/// An empty `[sweep]` gives one point that sets nothing. All problems found are
/// returned together.
pub fn build(
    p: &SweepParams,
    base_dir: &Path,
    default_seed: u64,
) -> Result<Design, Vec<DesignError>> {
    let grid = !p.factorial.is_empty() || !p.zip.is_empty();
    let mut used: Vec<&str> = Vec::new();
    if grid {
        used.push(if p.factorial.is_empty() {
            "zip"
        } else if p.zip.is_empty() {
            "factorial"
        } else {
            "factorial/zip"
        });
    }
    if p.table.is_some() {
        used.push("table");
    }
    if p.lhs.is_some() {
        used.push("lhs");
    }
    if p.sobol.is_some() {
        used.push("sobol");
    }
    if used.len() > 1 {
        return Err(vec![DesignError::at(
            "sweep",
            format!(
                "combines {}; a sweep uses one kind of design",
                used.join(" and ")
            ),
            Some("factorial and/or zip, or table, or lhs, or sobol"),
        )]);
    }
    if grid {
        build_grid(p)
    } else if let Some(t) = &p.table {
        build_table(t, base_dir)
    } else if let Some(s) = &p.lhs {
        build_space_filling(s, "lhs", default_seed)
    } else if let Some(s) = &p.sobol {
        build_space_filling(s, "sobol", default_seed)
    } else {
        Ok(Design {
            names: Vec::new(),
            points: vec![Point::default()],
            kind: DesignKind::Single,
            table: None,
        })
    }
}

impl Design {
    /// Number of points.
    pub fn len(&self) -> usize {
        self.points.len()
    }

    /// Whether the design has no points (never true of a built design).
    pub fn is_empty(&self) -> bool {
        self.points.is_empty()
    }

    /// A short, stable text naming point `point`, such as
    /// `contacts_per_step=10;facilitation=open`: each parameter by the last part of
    /// its path (the whole path where two parameters share a last part), values as
    /// written (reals to 6 significant digits), joined by `;`. Empty for a point that
    /// sets nothing.
    ///
    /// # Panics
    /// If `point` is not below [`Design::len`].
    pub fn label(&self, point: usize) -> String {
        let pt = &self.points[point];
        let short = |name: &str| -> String {
            let last = name.rsplit('.').next().unwrap_or(name);
            let shared = pt
                .values
                .iter()
                .filter(|(n, _)| n.rsplit('.').next().unwrap_or(n) == last)
                .count()
                > 1;
            if shared {
                name.to_string()
            } else {
                last.to_string()
            }
        };
        pt.values
            .iter()
            .map(|(n, v)| format!("{}={}", short(n), short_value(v)))
            .collect::<Vec<_>>()
            .join(";")
    }
}

/// A value as a label shows it.
fn short_value(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Integer(i) => i.to_string(),
        Value::Float(f) => short_float(*f),
        Value::Boolean(b) => b.to_string(),
        other => other.to_string(),
    }
}

/// A real number to 6 significant digits, without trailing zeros.
fn short_float(f: f64) -> String {
    if f == 0.0 || !f.is_finite() {
        return format!("{f}");
    }
    let exp = f.abs().log10().floor() as i32;
    if (-4..6).contains(&exp) {
        let decimals = (5 - exp).max(0) as usize;
        let s = format!("{f:.decimals$}");
        if s.contains('.') {
            s.trim_end_matches('0').trim_end_matches('.').to_string()
        } else {
            s
        }
    } else {
        format!("{f:.5e}")
    }
}

/// Flattens nested tables into dotted paths (`a = { b = [1] }` → `a.b`).
fn flatten(prefix: &str, table: &toml::Table, out: &mut Vec<(String, Value)>) {
    for (k, v) in table {
        let path = if prefix.is_empty() {
            k.clone()
        } else {
            format!("{prefix}.{k}")
        };
        match v {
            Value::Table(t) => flatten(&path, t, out),
            _ => out.push((path, v.clone())),
        }
    }
}

/// Whether `path` is a well-formed dotted parameter path.
fn valid_path(path: &str) -> bool {
    !path.is_empty()
        && path
            .split('.')
            .all(|s| !s.is_empty() && s.trim() == s && !s.contains(['[', ']']))
}

const PATH_ALLOWED: &str = "a dotted parameter path such as \"organizer.contacts_per_step\"";

/// Reports paths that are malformed, repeated, or one inside another
/// (`organizer` and `organizer.rate`). `entries` are (path, key for errors).
fn check_paths(entries: &[(String, String)], errs: &mut Vec<DesignError>) {
    for (i, (path, key)) in entries.iter().enumerate() {
        if !valid_path(path) {
            errs.push(DesignError::at(
                key.clone(),
                format!("`{path}` is not a parameter path"),
                Some(PATH_ALLOWED),
            ));
            continue;
        }
        for (other, okey) in &entries[..i] {
            if other == path {
                errs.push(DesignError::at(
                    key.clone(),
                    format!("`{path}` is already swept (at `{okey}`); a parameter can be set in one place only"),
                    None,
                ));
            } else if path.starts_with(&format!("{other}."))
                || other.starts_with(&format!("{path}."))
            {
                errs.push(DesignError::at(
                    key.clone(),
                    format!("`{path}` overlaps `{other}` (at `{okey}`); one is inside the other"),
                    Some("parameters that are not inside one another"),
                ));
            }
        }
    }
}
