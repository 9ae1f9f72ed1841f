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

use crate::model::rng::rng_from_seed;
use serde::{Deserialize, Serialize};
use std::fmt;
use std::path::{Path, PathBuf};
use toml::Value;

/// The largest number of points a design may have.
pub const MAX_POINTS: usize = 1_000_000;

/// The number of dimensions the built-in Sobol generator supports (the first 32 of
/// Joe and Kuo's `new-joe-kuo-6.21201` table: dimension 1 is van der Corput's
/// sequence, dimensions 2–32 the table's first 31 lines).
pub const SOBOL_MAX_DIMS: usize = 32;

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

fn build_grid(p: &SweepParams) -> Result<Design, Vec<DesignError>> {
    let mut errs = Vec::new();
    let mut fac = Vec::new();
    flatten("", &p.factorial, &mut fac);
    let mut zip = Vec::new();
    flatten("", &p.zip, &mut zip);

    let mut entries: Vec<(String, String)> = Vec::new();
    for (path, _) in &fac {
        entries.push((path.clone(), format!("sweep.factorial.{path}")));
    }
    for (path, _) in &zip {
        entries.push((path.clone(), format!("sweep.zip.{path}")));
    }
    check_paths(&entries, &mut errs);

    let list =
        |section: &str, path: &str, v: &Value, errs: &mut Vec<DesignError>| -> Option<Vec<Value>> {
            let key = format!("sweep.{section}.{path}");
            match v {
                Value::Array(a) if !a.is_empty() => Some(a.clone()),
                Value::Array(_) => {
                    errs.push(DesignError::at(
                        key,
                        "the list of values is empty",
                        Some("a non-empty list such as [5, 10, 20]"),
                    ));
                    None
                }
                other => {
                    errs.push(DesignError::at(
                        key,
                        format!("expected a list of values, found {}", other.type_str()),
                        Some("a non-empty list such as [5, 10, 20]"),
                    ));
                    None
                }
            }
        };

    // Axes: (names, levels), each level one value per name.
    let mut axes: Vec<(Vec<String>, Vec<Vec<Value>>)> = Vec::new();
    for (path, v) in &fac {
        if let Some(vals) = list("factorial", path, v, &mut errs) {
            axes.push((
                vec![path.clone()],
                vals.into_iter().map(|x| vec![x]).collect(),
            ));
        }
    }
    let mut zip_lists: Vec<(String, Vec<Value>)> = Vec::new();
    for (path, v) in &zip {
        if let Some(vals) = list("zip", path, v, &mut errs) {
            zip_lists.push((path.clone(), vals));
        }
    }
    if let Some((first, first_vals)) = zip_lists.first() {
        let n = first_vals.len();
        for (path, vals) in &zip_lists[1..] {
            if vals.len() != n {
                errs.push(DesignError::at(
                    format!("sweep.zip.{path}"),
                    format!(
                        "has {} values but `{first}` has {n}; zip lists vary together and must have equal lengths",
                        vals.len()
                    ),
                    Some(&format!("a list of {n} values")),
                ));
            }
        }
        if errs.is_empty() {
            let names = zip_lists.iter().map(|(p, _)| p.clone()).collect();
            let levels = (0..n)
                .map(|i| zip_lists.iter().map(|(_, v)| v[i].clone()).collect())
                .collect();
            axes.push((names, levels));
        }
    }
    if !errs.is_empty() {
        return Err(errs);
    }

    let mut total: usize = 1;
    for (_, levels) in &axes {
        total = match total.checked_mul(levels.len()) {
            Some(t) if t <= MAX_POINTS => t,
            _ => {
                let sizes: Vec<String> = axes.iter().map(|(_, l)| l.len().to_string()).collect();
                return Err(vec![DesignError::at(
                    "sweep",
                    format!(
                        "the grid has {} points, more than {MAX_POINTS}",
                        sizes.join(" × ")
                    ),
                    Some("at most 1 000 000 points"),
                )]);
            }
        };
    }
    let names: Vec<String> = axes.iter().flat_map(|(n, _)| n.iter().cloned()).collect();
    let mut points = Vec::with_capacity(total);
    let mut digits = vec![0usize; axes.len()];
    for _ in 0..total {
        let mut values = Vec::with_capacity(names.len());
        for (a, (anames, levels)) in axes.iter().enumerate() {
            for (n, v) in anames.iter().zip(&levels[digits[a]]) {
                values.push((n.clone(), v.clone()));
            }
        }
        points.push(Point { values });
        // Odometer: the last axis turns fastest.
        for a in (0..axes.len()).rev() {
            digits[a] += 1;
            if digits[a] < axes[a].1.len() {
                break;
            }
            digits[a] = 0;
        }
    }
    Ok(Design {
        names,
        points,
        kind: DesignKind::Grid,
    })
}

/// A CSV cell as a TOML value: integer, else real, else `true`/`false`, else text.
fn parse_cell(s: &str) -> Result<Value, String> {
    if let Ok(i) = s.parse::<i64>() {
        return Ok(Value::Integer(i));
    }
    if let Ok(f) = s.parse::<f64>() {
        return if f.is_finite() {
            Ok(Value::Float(f))
        } else {
            Err(format!("`{s}` is not a finite number"))
        };
    }
    if s.eq_ignore_ascii_case("true") {
        return Ok(Value::Boolean(true));
    }
    if s.eq_ignore_ascii_case("false") {
        return Ok(Value::Boolean(false));
    }
    Ok(Value::String(s.to_string()))
}

const CELL_ALLOWED: &str = "an integer, a number, true/false, or text";

fn build_table(rel: &Path, base_dir: &Path) -> Result<Design, Vec<DesignError>> {
    let path = base_dir.join(rel);
    let shown = path.display().to_string();
    let bytes = match std::fs::read(&path) {
        Ok(b) => b,
        Err(e) => {
            return Err(vec![DesignError::at(
                "sweep.table",
                format!("cannot read design table {shown}: {e}"),
                Some("a CSV file path relative to the scenario file"),
            )]);
        }
    };
    let mut rdr = csv::ReaderBuilder::new()
        .trim(csv::Trim::All)
        .comment(Some(b'#'))
        .flexible(true)
        .from_reader(bytes.as_slice());
    let line_of =
        |pos: Option<&csv::Position>| pos.map(|p| crate::scenario::input::record_line(&bytes, p));
    let mut errs: Vec<DesignError> = Vec::new();
    let push = |errs: &mut Vec<DesignError>,
                line: Option<u64>,
                column: Option<usize>,
                key: &str,
                message: String,
                allowed: Option<&str>| {
        if errs.len() < MAX_TABLE_ERRORS {
            errs.push(DesignError {
                key: key.to_string(),
                message,
                allowed: allowed.map(str::to_string),
                line,
                column,
                file: Some(shown.clone()),
            });
        }
    };
    let header = match rdr.headers() {
        Ok(h) => h.clone(),
        Err(e) => {
            push(
                &mut errs,
                Some(1),
                Some(1),
                "",
                format!("cannot read the header: {e}"),
                None,
            );
            return Err(errs);
        }
    };
    const TABLE_ALLOWED: &str =
        "a header line of parameter paths, then one row of values per point";
    if header.iter().all(str::is_empty) {
        push(
            &mut errs,
            None,
            None,
            "",
            "the file is empty".into(),
            Some(TABLE_ALLOWED),
        );
        return Err(errs);
    }
    let names: Vec<String> = header.iter().map(str::to_string).collect();
    let header_line = line_of(header.position()).or(Some(1));
    for (i, name) in names.iter().enumerate() {
        if !valid_path(name) {
            push(
                &mut errs,
                header_line,
                Some(i + 1),
                name,
                if name.is_empty() {
                    "empty column name".to_string()
                } else {
                    format!("`{name}` is not a parameter path")
                },
                Some(PATH_ALLOWED),
            );
        } else if let Some(j) = names[..i].iter().position(|o| o == name) {
            push(
                &mut errs,
                header_line,
                Some(i + 1),
                name,
                format!("column `{name}` appears twice (also column {})", j + 1),
                None,
            );
        } else if let Some(o) = names[..i]
            .iter()
            .find(|o| name.starts_with(&format!("{o}.")) || o.starts_with(&format!("{name}.")))
        {
            push(
                &mut errs,
                header_line,
                Some(i + 1),
                name,
                format!("`{name}` overlaps column `{o}`; one is inside the other"),
                None,
            );
        }
    }
    let mut points = Vec::new();
    for rec in rdr.records() {
        if errs.len() >= MAX_TABLE_ERRORS {
            break;
        }
        let rec = match rec {
            Ok(r) => r,
            Err(e) => {
                let line = line_of(e.position());
                push(
                    &mut errs,
                    line,
                    None,
                    "",
                    format!("malformed row: {e}"),
                    None,
                );
                continue;
            }
        };
        let line = line_of(rec.position());
        if rec.len() != names.len() {
            push(
                &mut errs,
                line,
                Some(rec.len().min(names.len()) + 1),
                "",
                format!(
                    "the row has {} fields but the header has {}",
                    rec.len(),
                    names.len()
                ),
                Some(&format!("{} comma-separated values per row", names.len())),
            );
            continue;
        }
        let mut values = Vec::with_capacity(names.len());
        for (i, cell) in rec.iter().enumerate() {
            if cell.is_empty() {
                push(
                    &mut errs,
                    line,
                    Some(i + 1),
                    &names[i],
                    "empty cell".into(),
                    Some(CELL_ALLOWED),
                );
                continue;
            }
            match parse_cell(cell) {
                Ok(v) => values.push((names[i].clone(), v)),
                Err(m) => push(
                    &mut errs,
                    line,
                    Some(i + 1),
                    &names[i],
                    m,
                    Some(CELL_ALLOWED),
                ),
            }
        }
        if points.len() >= MAX_POINTS {
            push(
                &mut errs,
                line,
                None,
                "",
                format!("more than {MAX_POINTS} points"),
                None,
            );
            break;
        }
        points.push(Point { values });
    }
    if errs.is_empty() && points.is_empty() {
        push(
            &mut errs,
            None,
            None,
            "",
            "the table has no rows".into(),
            Some(TABLE_ALLOWED),
        );
    }
    if !errs.is_empty() {
        return Err(errs);
    }
    Ok(Design {
        names,
        points,
        kind: DesignKind::Table,
    })
}

/// Reads `[lo, hi]` ranges; `key_prefix` (such as `sweep.lhs.ranges`) prefixes the
/// keys of errors. Nested tables are flattened into dotted paths. The order is the
/// table's.
pub fn parse_ranges(
    ranges: &toml::Table,
    key_prefix: &str,
) -> Result<Vec<(String, Range)>, Vec<DesignError>> {
    let mut flat = Vec::new();
    flatten("", ranges, &mut flat);
    let mut errs = Vec::new();
    if flat.is_empty() {
        errs.push(DesignError::at(
            key_prefix,
            "no ranges given",
            Some("one `\"path\" = [lo, hi]` entry per parameter"),
        ));
        return Err(errs);
    }
    let entries: Vec<(String, String)> = flat
        .iter()
        .map(|(p, _)| (p.clone(), format!("{key_prefix}.{p}")))
        .collect();
    check_paths(&entries, &mut errs);
    const RANGE_ALLOWED: &str =
        "[lo, hi] with finite numbers, lo ≤ hi (integers for an integer parameter)";
    let mut out = Vec::new();
    for (path, v) in &flat {
        let key = format!("{key_prefix}.{path}");
        let Value::Array(a) = v else {
            errs.push(DesignError::at(
                key,
                format!("expected [lo, hi], found {}", v.type_str()),
                Some(RANGE_ALLOWED),
            ));
            continue;
        };
        if a.len() != 2 {
            errs.push(DesignError::at(
                key,
                format!("expected [lo, hi], found a list of {}", a.len()),
                Some(RANGE_ALLOWED),
            ));
            continue;
        }
        let num = |i: usize, errs: &mut Vec<DesignError>| -> Option<f64> {
            match &a[i] {
                Value::Integer(x) => Some(*x as f64),
                Value::Float(x) if x.is_finite() => Some(*x),
                Value::Float(x) => {
                    errs.push(DesignError::at(
                        format!("{key}[{i}]"),
                        format!("{x} is not finite"),
                        Some(RANGE_ALLOWED),
                    ));
                    None
                }
                other => {
                    errs.push(DesignError::at(
                        format!("{key}[{i}]"),
                        format!("expected a number, found {}", other.type_str()),
                        Some(RANGE_ALLOWED),
                    ));
                    None
                }
            }
        };
        let (Some(lo), Some(hi)) = (num(0, &mut errs), num(1, &mut errs)) else {
            continue;
        };
        let range = match (&a[0], &a[1]) {
            (Value::Integer(l), Value::Integer(h)) => {
                (l <= h).then_some(Range::Int { lo: *l, hi: *h })
            }
            _ => (lo <= hi).then_some(Range::Float { lo, hi }),
        };
        match range {
            Some(r) => out.push((path.clone(), r)),
            None => errs.push(DesignError::at(
                key,
                format!("lo ({lo}) is above hi ({hi})"),
                Some(RANGE_ALLOWED),
            )),
        }
    }
    if errs.is_empty() { Ok(out) } else { Err(errs) }
}

fn build_space_filling(
    s: &SpaceFilling,
    section: &str,
    default_seed: u64,
) -> Result<Design, Vec<DesignError>> {
    let prefix = format!("sweep.{section}");
    let mut errs = Vec::new();
    if s.points == 0 || s.points > MAX_POINTS {
        errs.push(DesignError::at(
            format!("{prefix}.points"),
            format!("{} points", s.points),
            Some("1 to 1 000 000 points"),
        ));
    }
    let is_sobol = section == "sobol";
    if is_sobol && s.seed.is_some() {
        errs.push(DesignError::at(
            format!("{prefix}.seed"),
            "a Sobol design takes no seed: its points are fixed",
            Some("no seed (use lhs for a random design)"),
        ));
    }
    let ranges = match parse_ranges(&s.ranges, &format!("{prefix}.ranges")) {
        Ok(r) => r,
        Err(e) => {
            errs.extend(e);
            Vec::new()
        }
    };
    if is_sobol && ranges.len() > SOBOL_MAX_DIMS {
        errs.push(DesignError::at(
            format!("{prefix}.ranges"),
            format!(
                "{} ranges; the Sobol generator has {SOBOL_MAX_DIMS} dimensions",
                ranges.len()
            ),
            Some("at most 32 ranges (use lhs for more)"),
        ));
    }
    if !errs.is_empty() {
        return Err(errs);
    }
    let unit = if is_sobol {
        sobol_points(s.points, ranges.len())
    } else {
        latin_hypercube(s.points, ranges.len(), s.seed.unwrap_or(default_seed))
    };
    let points = unit
        .iter()
        .map(|u| Point {
            values: ranges
                .iter()
                .zip(u)
                .map(|((n, r), &x)| (n.clone(), r.at(x)))
                .collect(),
        })
        .collect();
    Ok(Design {
        names: ranges.into_iter().map(|(n, _)| n).collect(),
        points,
        kind: if is_sobol {
            DesignKind::Sobol
        } else {
            DesignKind::LatinHypercube
        },
    })
}

/// A uniform real in [0, 1) from the top 53 bits of one `next_u64` (pinned to the
/// generator's stream, independent of `rand`'s sampling code).
pub(crate) fn unit_f64<R: rand::Rng + ?Sized>(rng: &mut R) -> f64 {
    (rng.next_u64() >> 11) as f64 * (1.0 / (1u64 << 53) as f64)
}

/// A uniform integer in `0..n` (`n > 0`), by Lemire's multiply-and-reject method.
pub(crate) fn below<R: rand::Rng + ?Sized>(rng: &mut R, n: u64) -> u64 {
    debug_assert!(n > 0);
    let threshold = n.wrapping_neg() % n;
    loop {
        let m = rng.next_u64() as u128 * n as u128;
        if (m as u64) >= threshold {
            return (m >> 64) as u64;
        }
    }
}

/// A Latin hypercube of `n` points in [0, 1)^`dims`: each dimension is cut into `n`
/// equal strata and every stratum holds exactly one point.
///
/// Draws from `ModelRng` seeded with `seed`, dimension by dimension: first a
/// Fisher–Yates shuffle of the strata (`i` from `n − 1` down to 1 swaps with a uniform
/// `j ≤ i`), then one uniform offset inside the stratum for each point in turn.
pub fn latin_hypercube(n: usize, dims: usize, seed: u64) -> Vec<Vec<f64>> {
    let mut rng = rng_from_seed(seed);
    let mut out = vec![vec![0.0; dims]; n];
    let mut perm: Vec<usize> = Vec::with_capacity(n);
    for d in 0..dims {
        perm.clear();
        perm.extend(0..n);
        for i in (1..n).rev() {
            let j = below(&mut rng, i as u64 + 1) as usize;
            perm.swap(i, j);
        }
        for (i, row) in out.iter_mut().enumerate() {
            let stratum = perm[i];
            let mut u = (stratum as f64 + unit_f64(&mut rng)) / n as f64;
            // Rounding can push a point onto the next stratum's edge.
            if (u * n as f64).floor() as usize != stratum {
                u = (stratum as f64 + 0.5) / n as f64;
            }
            row[d] = u;
        }
    }
    out
}

/// Joe and Kuo's `new-joe-kuo-6.21201` direction numbers for dimensions 2–32:
/// (degree `s`, polynomial coefficients `a`, initial direction numbers `m_1..m_s`).
const JOE_KUO: [(u32, u32, &[u32]); SOBOL_MAX_DIMS - 1] = [
    (1, 0, &[1]),
    (2, 1, &[1, 3]),
    (3, 1, &[1, 3, 1]),
    (3, 2, &[1, 1, 1]),
    (4, 1, &[1, 1, 3, 3]),
    (4, 4, &[1, 3, 5, 13]),
    (5, 2, &[1, 1, 5, 5, 17]),
    (5, 4, &[1, 1, 5, 5, 5]),
    (5, 7, &[1, 1, 7, 11, 19]),
    (5, 11, &[1, 1, 5, 1, 1]),
    (5, 13, &[1, 1, 1, 3, 11]),
    (5, 14, &[1, 3, 5, 5, 31]),
    (6, 1, &[1, 3, 3, 9, 7, 49]),
    (6, 13, &[1, 1, 1, 15, 21, 21]),
    (6, 16, &[1, 3, 1, 13, 27, 49]),
    (6, 19, &[1, 1, 1, 15, 7, 5]),
    (6, 22, &[1, 3, 1, 15, 13, 25]),
    (6, 25, &[1, 1, 5, 5, 19, 61]),
    (7, 1, &[1, 3, 7, 11, 23, 15, 103]),
    (7, 4, &[1, 3, 7, 13, 13, 15, 69]),
    (7, 7, &[1, 1, 3, 13, 7, 35, 63]),
    (7, 8, &[1, 3, 5, 9, 1, 25, 53]),
    (7, 14, &[1, 3, 1, 13, 9, 35, 107]),
    (7, 19, &[1, 3, 1, 5, 27, 61, 31]),
    (7, 21, &[1, 1, 5, 11, 19, 41, 61]),
    (7, 28, &[1, 3, 5, 3, 3, 13, 69]),
    (7, 31, &[1, 1, 7, 13, 1, 19, 1]),
    (7, 32, &[1, 3, 7, 5, 13, 19, 59]),
    (7, 37, &[1, 1, 3, 9, 25, 29, 41]),
    (7, 41, &[1, 3, 5, 13, 23, 1, 55]),
    (7, 42, &[1, 3, 7, 3, 13, 59, 17]),
];

/// Bits of precision of the generator.
const SOBOL_BITS: usize = 32;

/// The Sobol low-discrepancy sequence (Joe and Kuo's direction numbers
/// `new-joe-kuo-6.21201`, 32-bit, Gray-code order) in up to [`SOBOL_MAX_DIMS`]
/// dimensions.
///
/// The sequence starts with the all-zero point, which is kept: then the first 2^m
/// points form a (t, m, s)-net, so every dyadic interval of length 2^−k (k ≤ m) of
/// each coordinate holds exactly 2^(m−k) of them. After it, dimension 1 runs 0.5,
/// 0.75, 0.25, 0.375, …; dimension 2 runs 0.5, 0.25, 0.75, 0.375, …. The iterator
/// ends after 2^32 points.
#[derive(Debug, Clone)]
pub struct Sobol {
    /// Direction numbers per dimension, left-aligned in 32 bits.
    v: Vec<[u32; SOBOL_BITS]>,
    /// The current point's coordinates as 32-bit fractions.
    x: Vec<u32>,
    /// Index of the current point.
    index: u64,
}

impl Sobol {
    /// The generator in `dims` dimensions; `None` unless 1 ≤ `dims` ≤
    /// [`SOBOL_MAX_DIMS`].
    pub fn new(dims: usize) -> Option<Sobol> {
        if dims == 0 || dims > SOBOL_MAX_DIMS {
            return None;
        }
        let mut v = vec![[0u32; SOBOL_BITS]; dims];
        for (k, x) in v[0].iter_mut().enumerate() {
            *x = 1u32 << (SOBOL_BITS - 1 - k);
        }
        for (d, vd) in v.iter_mut().enumerate().skip(1) {
            let (s, a, m) = JOE_KUO[d - 1];
            let s = s as usize;
            for k in 0..SOBOL_BITS {
                vd[k] = if k < s {
                    m[k] << (SOBOL_BITS - 1 - k)
                } else {
                    let mut x = vd[k - s] ^ (vd[k - s] >> s);
                    for l in 1..s {
                        if (a >> (s - 1 - l)) & 1 == 1 {
                            x ^= vd[k - l];
                        }
                    }
                    x
                };
            }
        }
        Some(Sobol {
            v,
            x: vec![0; dims],
            index: 0,
        })
    }

    /// Number of dimensions.
    pub fn dims(&self) -> usize {
        self.v.len()
    }

    /// Point `index` (0 is the all-zero point) as 32-bit binary fractions, without
    /// stepping: the XOR of the direction numbers of the set bits of `index`'s Gray
    /// code.
    pub(crate) fn bits_at(&self, index: u32) -> Vec<u32> {
        let gray = index ^ (index >> 1);
        self.v
            .iter()
            .map(|v| {
                (0..SOBOL_BITS)
                    .filter(|k| (gray >> k) & 1 == 1)
                    .fold(0u32, |x, k| x ^ v[k])
            })
            .collect()
    }

    /// Point `index` of the sequence (0 is the all-zero point), without stepping.
    pub fn at(&self, index: u32) -> Vec<f64> {
        self.bits_at(index)
            .into_iter()
            .map(|x| x as f64 * TWO_POW_MINUS_32)
            .collect()
    }

    /// The next point as 32-bit binary fractions (coordinate = bits / 2^32).
    pub(crate) fn next_bits(&mut self) -> Option<Vec<u32>> {
        if self.index >= 1u64 << SOBOL_BITS {
            return None;
        }
        let out = self.x.clone();
        // Gray-code step: flip the direction number of the lowest zero bit of index.
        let c = self.index.trailing_ones() as usize;
        if c < SOBOL_BITS {
            for (x, v) in self.x.iter_mut().zip(&self.v) {
                *x ^= v[c];
            }
        }
        self.index += 1;
        Some(out)
    }
}

/// 2^−32.
pub(crate) const TWO_POW_MINUS_32: f64 = 1.0 / 4_294_967_296.0;

impl Iterator for Sobol {
    type Item = Vec<f64>;

    fn next(&mut self) -> Option<Vec<f64>> {
        self.next_bits()
            .map(|b| b.into_iter().map(|x| x as f64 * TWO_POW_MINUS_32).collect())
    }
}

/// The first `n` points (the all-zero point first) of the `dims`-dimensional Sobol
/// sequence.
///
/// # Panics
/// Unless 1 ≤ `dims` ≤ [`SOBOL_MAX_DIMS`] (for `dims` = 0, returns `n` empty points).
pub fn sobol_points(n: usize, dims: usize) -> Vec<Vec<f64>> {
    if dims == 0 {
        return vec![Vec::new(); n];
    }
    let seq = Sobol::new(dims).unwrap_or_else(|| {
        panic!("Sobol generator has at most {SOBOL_MAX_DIMS} dimensions, not {dims}")
    });
    seq.take(n).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;
    use std::io::Write;

    fn sweep(text: &str) -> SweepParams {
        toml::from_str(text).expect("sweep parses")
    }

    fn build_ok(text: &str) -> Design {
        build(&sweep(text), Path::new("."), 7).expect("design builds")
    }

    fn build_err(text: &str) -> Vec<DesignError> {
        build(&sweep(text), Path::new("."), 7).expect_err("design is rejected")
    }

    #[test]
    fn empty_sweep_is_one_point_setting_nothing() {
        let d = build_ok("");
        assert_eq!(d.len(), 1);
        assert!(d.names.is_empty());
        assert!(d.points[0].values.is_empty());
        assert_eq!(d.kind, DesignKind::Single);
        assert_eq!(d.label(0), "");
    }

    #[test]
    fn factorial_count_is_product_and_last_axis_fastest() {
        let d = build_ok(
            r#"
            [factorial]
            "organizer.contacts_per_step" = [5, 10, 20]
            "organizer.facilitation" = ["open", "directive"]
            "economy.bias" = [0.0, 0.5, 1.0, 1.5]
            "#,
        );
        assert_eq!(d.len(), 3 * 2 * 4);
        assert_eq!(
            d.names,
            [
                "organizer.contacts_per_step",
                "organizer.facilitation",
                "economy.bias"
            ]
        );
        // Every combination exactly once.
        let set: HashSet<String> = (0..d.len()).map(|i| d.label(i)).collect();
        assert_eq!(set.len(), 24);
        assert_eq!(d.label(0), "contacts_per_step=5;facilitation=open;bias=0");
        assert_eq!(d.label(1), "contacts_per_step=5;facilitation=open;bias=0.5");
        assert_eq!(
            d.label(4),
            "contacts_per_step=5;facilitation=directive;bias=0"
        );
        assert_eq!(
            d.label(23),
            "contacts_per_step=20;facilitation=directive;bias=1.5"
        );
        assert_eq!(d.points[8].values[0].1, Value::Integer(10));
    }

    #[test]
    fn unquoted_dotted_keys_are_flattened() {
        let d = build_ok("[factorial]\norganizer.contacts_per_step = [1, 2]\n");
        assert_eq!(d.names, ["organizer.contacts_per_step"]);
        assert_eq!(d.len(), 2);
    }

    #[test]
    fn zip_lists_pair_up_and_cross_with_factorial() {
        let d = build_ok(
            r#"
            [factorial]
            "organizer.contacts_per_step" = [5, 10]
            [zip]
            "time.steps" = [52, 260, 520]
            "shocks.probability" = [0.1, 0.02, 0.01]
            "#,
        );
        assert_eq!(d.len(), 2 * 3);
        assert_eq!(
            d.names,
            [
                "organizer.contacts_per_step",
                "time.steps",
                "shocks.probability"
            ]
        );
        for p in &d.points {
            let steps = p.values[1].1.as_integer().unwrap();
            let rate = p.values[2].1.as_float().unwrap();
            let expected = match steps {
                52 => 0.1,
                260 => 0.02,
                520 => 0.01,
                _ => panic!("unexpected steps {steps}"),
            };
            assert_eq!(rate, expected, "zip values stay paired");
        }
        assert_eq!(d.label(1), "contacts_per_step=5;steps=260;probability=0.02");
    }

    #[test]
    fn zip_alone_is_one_axis() {
        let d = build_ok("[zip]\n\"a.x\" = [1, 2, 3]\n\"a.y\" = [true, false, true]\n");
        assert_eq!(d.len(), 3);
        assert_eq!(d.label(2), "x=3;y=true");
    }

    #[test]
    fn unequal_zip_lengths_are_located() {
        let errs = build_err("[zip]\n\"time.steps\" = [52, 260]\n\"shocks.probability\" = [0.1]\n");
        assert_eq!(errs.len(), 1);
        assert_eq!(errs[0].key, "sweep.zip.shocks.probability");
        assert!(errs[0].message.contains("equal lengths"), "{}", errs[0]);
        assert_eq!(errs[0].allowed.as_deref(), Some("a list of 2 values"));
    }

    #[test]
    fn bad_grids_are_rejected_with_keys() {
        let errs = build_err("[factorial]\n\"a.b\" = []\n\"a.c\" = 3\n");
        let keys: Vec<&str> = errs.iter().map(|e| e.key.as_str()).collect();
        assert_eq!(keys, ["sweep.factorial.a.b", "sweep.factorial.a.c"]);
        let errs = build_err("[factorial]\n\"a.b\" = [1]\n[zip]\n\"a.b\" = [2]\n");
        assert_eq!(errs[0].key, "sweep.zip.a.b");
        assert!(errs[0].message.contains("already swept"), "{}", errs[0]);
        let errs = build_err("[factorial]\n\"a\" = [1]\n\"a.b\" = [2]\n");
        assert!(errs[0].message.contains("overlaps"), "{}", errs[0]);
        let errs = build_err("[factorial]\n\"a..b\" = [1]\n");
        assert!(errs[0].message.contains("not a parameter path"));
    }

    #[test]
    fn combining_kinds_is_an_error() {
        let errs = build_err("table = \"x.csv\"\n[factorial]\n\"a.b\" = [1]\n");
        assert_eq!(errs[0].key, "sweep");
        assert!(
            errs[0].message.contains("factorial and table"),
            "{}",
            errs[0]
        );
        let errs = build_err(
            "[lhs]\npoints = 4\nranges = { \"a.b\" = [0, 1] }\n[sobol]\npoints = 4\nranges = { \"a.b\" = [0, 1] }\n",
        );
        assert!(errs[0].message.contains("lhs and sobol"));
    }

    #[test]
    fn unknown_keys_are_refused() {
        assert!(toml::from_str::<SweepParams>("factorials = {}").is_err());
        assert!(toml::from_str::<SweepParams>("[lhs]\npoints = 3\nrange = {}").is_err());
    }

    #[test]
    fn huge_grid_is_refused() {
        let vals: Vec<String> = (0..1001).map(|i| i.to_string()).collect();
        let list = vals.join(", ");
        let errs = build_err(&format!(
            "[factorial]\n\"a.x\" = [{list}]\n\"a.y\" = [{list}]\n"
        ));
        assert_eq!(errs[0].key, "sweep");
        assert!(errs[0].message.contains("1001 × 1001"), "{}", errs[0]);
    }

    fn write_csv(text: &str) -> (tempfile::TempDir, SweepParams) {
        let dir = tempfile::tempdir().unwrap();
        let mut f = std::fs::File::create(dir.path().join("points.csv")).unwrap();
        f.write_all(text.as_bytes()).unwrap();
        (dir, sweep("table = \"points.csv\""))
    }

    #[test]
    fn table_cells_are_typed() {
        let (dir, p) = write_csv(
            "organizer.contacts_per_step,economy.bias,organizer.facilitation,participation.enabled\n\
             10, 0.5, open, true\n\
             # a comment line\n\
             20,1e-1,\"directive\",FALSE\n",
        );
        let d = build(&p, dir.path(), 0).unwrap();
        assert_eq!(d.kind, DesignKind::Table);
        assert_eq!(d.len(), 2);
        assert_eq!(
            d.points[1]
                .values
                .iter()
                .map(|(_, v)| v.clone())
                .collect::<Vec<_>>(),
            [
                Value::Integer(20),
                Value::Float(0.1),
                Value::String("directive".into()),
                Value::Boolean(false)
            ]
        );
        assert_eq!(
            d.label(0),
            "contacts_per_step=10;bias=0.5;facilitation=open;enabled=true"
        );
    }

    #[test]
    fn table_error_lines_count_blank_and_comment_lines() {
        // The csv crate would put a row (or the header) after a blank or comment line
        // on that line.
        for (text, want) in [
            ("# about\n\na.x,a..y\n1,2\n\n# note\n3,inf\n", [3, 7]),
            ("a.x,,a.y\r\n1,2,3\r\n\r\n4,5,inf\r\n", [1, 4]),
        ] {
            let (dir, p) = write_csv(text);
            let errs = build(&p, dir.path(), 0).unwrap_err();
            let lines: Vec<Option<u64>> = errs.iter().map(|e| e.line).collect();
            assert_eq!(lines, want.map(Some), "{text:?}: {errs:?}");
        }
    }

    #[test]
    fn table_errors_carry_file_line_column() {
        let (dir, p) = write_csv("a.x,a.y\n1,2\n3\n4,\n5,inf\n");
        let errs = build(&p, dir.path(), 0).unwrap_err();
        let shown = dir.path().join("points.csv").display().to_string();
        let got: Vec<(Option<u64>, Option<usize>, &str)> = errs
            .iter()
            .map(|e| (e.line, e.column, e.key.as_str()))
            .collect();
        assert_eq!(
            got,
            [
                (Some(3), Some(2), ""),
                (Some(4), Some(2), "a.y"),
                (Some(5), Some(2), "a.y")
            ]
        );
        assert!(
            errs.iter()
                .all(|e| e.file.as_deref() == Some(shown.as_str()))
        );
        assert!(
            errs[0].message.contains("1 fields but the header has 2"),
            "{}",
            errs[0]
        );

        let (dir, p) = write_csv("a.x,,a.x\n1,2,3\n");
        let errs = build(&p, dir.path(), 0).unwrap_err();
        assert_eq!(errs.len(), 2);
        assert_eq!(errs[0].message, "empty column name");
        assert!(errs[1].message.contains("appears twice"));

        let (dir, p) = write_csv("");
        let errs = build(&p, dir.path(), 0).unwrap_err();
        assert_eq!(errs[0].message, "the file is empty");
        let (dir, p) = write_csv("a.x\n");
        let errs = build(&p, dir.path(), 0).unwrap_err();
        assert_eq!(errs[0].message, "the table has no rows");

        let errs = build(&sweep("table = \"missing.csv\""), dir.path(), 0).unwrap_err();
        assert_eq!(errs[0].key, "sweep.table");
        assert!(errs[0].file.is_none());
        assert!(errs[0].message.starts_with("cannot read design table"));
    }

    /// Stratum of each coordinate of each point: `floor(u · n)`.
    fn strata(points: &[Vec<f64>], d: usize) -> Vec<usize> {
        let n = points.len() as f64;
        points.iter().map(|p| (p[d] * n).floor() as usize).collect()
    }

    #[test]
    fn latin_hypercube_has_one_point_per_stratum_in_every_dimension() {
        for seed in 0..200u64 {
            let n = 1 + (seed as usize * 7) % 60;
            let dims = 1 + (seed as usize) % 6;
            let pts = latin_hypercube(n, dims, seed);
            assert_eq!(pts.len(), n);
            for d in 0..dims {
                let mut s = strata(&pts, d);
                s.sort_unstable();
                assert_eq!(s, (0..n).collect::<Vec<_>>(), "seed {seed}, dim {d}");
                assert!(pts.iter().all(|p| (0.0..1.0).contains(&p[d])));
            }
        }
    }

    #[test]
    fn latin_hypercube_dimensions_are_permuted_independently() {
        // Over many seeds the strata of dimensions 0 and 1 should not coincide (the
        // chance that two independent permutations of 20 agree is 1/20!).
        for seed in 0..50 {
            let pts = latin_hypercube(20, 2, seed);
            assert_ne!(strata(&pts, 0), strata(&pts, 1), "seed {seed}");
        }
        // Different seeds, different designs; same seed, same design.
        assert_ne!(latin_hypercube(10, 2, 1), latin_hypercube(10, 2, 2));
        assert_eq!(latin_hypercube(10, 2, 1), latin_hypercube(10, 2, 1));
    }

    #[test]
    fn latin_hypercube_output_is_pinned() {
        // Guards reproducibility of LHS sweeps across releases: if this changes, old
        // LHS designs can no longer be rebuilt from their seeds.
        let p = latin_hypercube(3, 2, 42);
        assert_eq!(
            p,
            [
                [0.1425054676188399, 0.6012909223918755],
                [0.5424535070657801, 0.9237495936009523],
                [0.7628646263803942, 0.07952842146044643]
            ],
            "LHS stream changed"
        );
    }

    #[test]
    fn lhs_design_scales_ranges_and_uses_seeds() {
        let text = "[lhs]\npoints = 8\nseed = 3\n[lhs.ranges]\n\"organizer.contacts_per_step\" = [1, 8]\n\"economy.bias\" = [-1.0, 1]\n";
        let d = build_ok(text);
        assert_eq!(d.kind, DesignKind::LatinHypercube);
        assert_eq!(d.names, ["organizer.contacts_per_step", "economy.bias"]);
        // 8 integer values over 8 strata: each integer exactly once.
        let mut ints: Vec<i64> = d
            .points
            .iter()
            .map(|p| p.values[0].1.as_integer().unwrap())
            .collect();
        ints.sort_unstable();
        assert_eq!(ints, (1..=8).collect::<Vec<_>>());
        for p in &d.points {
            let b = p.values[1].1.as_float().expect("mixed bounds give reals");
            assert!((-1.0..=1.0).contains(&b));
        }
        // The scenario's seed is the default, and a given seed overrides it.
        let no_seed = sweep("[lhs]\npoints = 8\n[lhs.ranges]\n\"a.x\" = [0.0, 1.0]\n");
        let a = build(&no_seed, Path::new("."), 1).unwrap();
        let b = build(&no_seed, Path::new("."), 2).unwrap();
        assert_ne!(a, b);
        assert_eq!(a, build(&no_seed, Path::new("."), 1).unwrap());
    }

    #[test]
    fn space_filling_is_validated() {
        let errs = build_err(
            "[lhs]\npoints = 0\n[lhs.ranges]\n\"a.x\" = [2, 1]\n\"a.y\" = [0, inf]\n\"a.z\" = [1]\n\"a.w\" = [0, \"x\"]\n",
        );
        let keys: Vec<&str> = errs.iter().map(|e| e.key.as_str()).collect();
        assert_eq!(
            keys,
            [
                "sweep.lhs.points",
                "sweep.lhs.ranges.a.x",
                "sweep.lhs.ranges.a.y[1]",
                "sweep.lhs.ranges.a.z",
                "sweep.lhs.ranges.a.w[1]"
            ]
        );
        let errs = build_err("[lhs]\npoints = 1000001\nranges = {}\n");
        assert_eq!(errs.len(), 2);
        assert_eq!(errs[1].key, "sweep.lhs.ranges");
        let errs = build_err("[sobol]\npoints = 4\nseed = 3\nranges = { \"a.x\" = [0, 1] }\n");
        assert_eq!(errs[0].key, "sweep.sobol.seed");
        let many: Vec<String> = (0..33).map(|i| format!("\"a.x{i}\" = [0, 1]")).collect();
        let errs = build_err(&format!(
            "[sobol]\npoints = 4\n[sobol.ranges]\n{}\n",
            many.join("\n")
        ));
        assert!(errs[0].message.contains("32 dimensions"), "{}", errs[0]);
        // lo == hi is allowed.
        let d = build_ok("[sobol]\npoints = 3\nranges = { \"a.x\" = [2.5, 2.5] }\n");
        assert!(d.points.iter().all(|p| p.values[0].1 == Value::Float(2.5)));
    }

    #[test]
    fn integer_ranges_give_integers_with_equal_shares() {
        let r = Range::Int { lo: 1, hi: 3 };
        assert_eq!(r.at(0.0), Value::Integer(1));
        assert_eq!(r.at(0.33), Value::Integer(1));
        assert_eq!(r.at(0.34), Value::Integer(2));
        assert_eq!(r.at(0.99), Value::Integer(3));
        assert_eq!(r.at(1.0), Value::Integer(3));
        let f = Range::Float { lo: -2.0, hi: 2.0 };
        assert_eq!(f.at(0.25), Value::Float(-1.0));
        assert_eq!(f.at(1.0), Value::Float(2.0));
        let extreme = Range::Int {
            lo: i64::MIN,
            hi: i64::MAX,
        };
        assert_eq!(extreme.at(0.0), Value::Integer(i64::MIN));
        assert_eq!(extreme.at(1.0), Value::Integer(i64::MAX));
        // A Sobol design over [0, 3] with 8 points gives each integer twice.
        let d = build_ok("[sobol]\npoints = 8\nranges = { \"a.x\" = [0, 3] }\n");
        let mut counts = [0; 4];
        for p in &d.points {
            counts[p.values[0].1.as_integer().unwrap() as usize] += 1;
        }
        assert_eq!(counts, [2, 2, 2, 2]);
    }

    #[test]
    fn sobol_first_points_match_the_known_sequence() {
        let pts = sobol_points(8, 3);
        let dim = |d: usize| pts.iter().map(|p| p[d]).collect::<Vec<_>>();
        assert_eq!(dim(0), [0.0, 0.5, 0.75, 0.25, 0.375, 0.875, 0.625, 0.125]);
        assert_eq!(dim(1), [0.0, 0.5, 0.25, 0.75, 0.375, 0.875, 0.125, 0.625]);
        assert_eq!(dim(2), [0.0, 0.5, 0.25, 0.75, 0.625, 0.125, 0.875, 0.375]);
    }

    #[test]
    fn sobol_matches_reference_values_in_high_dimensions() {
        // Points 5, 100 and 3 000 001 of all 32 dimensions, as 32-bit fractions, as
        // SciPy 1.17's `qmc.Sobol(d=32, scramble=False, bits=32)` (an independent
        // implementation of the same Joe–Kuo table, Gray-code order, zero point
        // first) gives them. The last one exercises all of the recurrence.
        let mut g = Sobol::new(SOBOL_MAX_DIMS).unwrap();
        let pts: Vec<Vec<u32>> = (0..=100).map(|_| g.next_bits().unwrap()).collect();
        assert_eq!(pts[5], REFERENCE_POINT_5);
        assert_eq!(pts[100], REFERENCE_POINT_100);
        assert_eq!(g.bits_at(100), REFERENCE_POINT_100);
        assert_eq!(g.bits_at(3_000_001), REFERENCE_POINT_3000001);
    }

    #[test]
    fn sobol_stepping_and_random_access_agree() {
        let mut g = Sobol::new(SOBOL_MAX_DIMS).unwrap();
        for i in 0..5000u32 {
            assert_eq!(g.next_bits().unwrap(), g.bits_at(i), "point {i}");
        }
        assert_eq!(g.at(3)[..3], [0.25, 0.75, 0.75]);
    }

    const REFERENCE_POINT_5: [u32; 32] = [
        3758096384, 3758096384, 536870912, 1610612736, 3758096384, 2684354560, 3758096384,
        1610612736, 1610612736, 536870912, 1610612736, 3758096384, 3758096384, 536870912,
        3758096384, 1610612736, 3758096384, 1610612736, 1610612736, 2684354560, 2684354560,
        2684354560, 3758096384, 1610612736, 1610612736, 1610612736, 3758096384, 536870912,
        2684354560, 2684354560, 3758096384, 2684354560,
    ];
    const REFERENCE_POINT_100: [u32; 32] = [
        1778384896, 1107296256, 3321888768, 3120562176, 3791650816, 3187671040, 100663296,
        2046820352, 2717908992, 2986344448, 1979711488, 2919235584, 2046820352, 3657433088,
        1375731712, 2113929216, 2919235584, 3187671040, 3590324224, 1442840576, 3254779904,
        1711276032, 33554432, 2113929216, 100663296, 33554432, 4060086272, 2852126720, 1040187392,
        3120562176, 3053453312, 1778384896,
    ];
    const REFERENCE_POINT_3000001: [u32; 32] = [
        2242173952, 2884432896, 3663225856, 1739992064, 4258366464, 1392778240, 2822970368,
        305683456, 2575424512, 2444704768, 3058482176, 4115438592, 1608291328, 2350664704,
        2998924288, 1214780416, 1182850048, 462765056, 2066236416, 222268416, 273374208, 47762432,
        4241742848, 3563539456, 1158577152, 3079220224, 3640560640, 879619072, 4083278848,
        904209408, 2840871936, 3499049984,
    ];

    #[test]
    fn sobol_first_power_of_two_points_fill_every_dyadic_interval_equally() {
        // The first 2^m points form a (t, m, s)-net: in each dimension, every dyadic
        // interval [j/2^k, (j+1)/2^k) with k ≤ m holds exactly 2^(m−k) points.
        for m in 0..=10u32 {
            let n = 1usize << m;
            let pts = sobol_points(n, SOBOL_MAX_DIMS);
            for d in 0..SOBOL_MAX_DIMS {
                for k in 0..=m {
                    let mut counts = vec![0usize; 1 << k];
                    for p in &pts {
                        counts[(p[d] * (1u64 << k) as f64) as usize] += 1;
                    }
                    assert!(
                        counts.iter().all(|&c| c == n >> k),
                        "m {m}, dim {d}, k {k}: {counts:?}"
                    );
                }
            }
        }
    }

    #[test]
    fn sobol_pairs_of_dimensions_are_spread() {
        // Two-dimensional uniformity: over the first 2^12 points, every cell of an
        // 8 × 8 grid of each pair of the first 8 dimensions holds 64 ± 16 points.
        let pts = sobol_points(1 << 12, 8);
        for a in 0..8 {
            for b in (a + 1)..8 {
                let mut counts = [0usize; 64];
                for p in &pts {
                    counts[(p[a] * 8.0) as usize * 8 + (p[b] * 8.0) as usize] += 1;
                }
                assert!(
                    counts.iter().all(|&c| (48..=80).contains(&c)),
                    "dims {a},{b}: {counts:?}"
                );
            }
        }
    }

    #[test]
    fn sobol_generator_limits() {
        assert!(Sobol::new(0).is_none());
        assert!(Sobol::new(SOBOL_MAX_DIMS + 1).is_none());
        assert_eq!(Sobol::new(5).unwrap().dims(), 5);
        assert!(sobol_points(3, 0).iter().all(Vec::is_empty));
    }

    #[test]
    fn sobol_design_scales_points() {
        let d = build_ok(
            "[sobol]\npoints = 4\n[sobol.ranges]\n\"a.x\" = [0.0, 10.0]\n\"a.y\" = [-1.0, 1.0]\n",
        );
        assert_eq!(d.kind, DesignKind::Sobol);
        let xs: Vec<f64> = d
            .points
            .iter()
            .map(|p| p.values[0].1.as_float().unwrap())
            .collect();
        let ys: Vec<f64> = d
            .points
            .iter()
            .map(|p| p.values[1].1.as_float().unwrap())
            .collect();
        assert_eq!(xs, [0.0, 5.0, 7.5, 2.5]);
        assert_eq!(ys, [-1.0, 0.0, -0.5, 0.5]);
        assert_eq!(d.label(2), "x=7.5;y=-0.5");
    }

    #[test]
    fn labels_are_short_and_disambiguated() {
        let d = Design {
            names: vec!["organizer.rate".into(), "economy.rate".into(), "a.b".into()],
            points: vec![Point {
                values: vec![
                    ("organizer.rate".into(), Value::Float(0.123456789)),
                    ("economy.rate".into(), Value::Float(12345678.9)),
                    ("a.b".into(), Value::Float(-0.00001234567)),
                ],
            }],
            kind: DesignKind::Table,
        };
        assert_eq!(
            d.label(0),
            "organizer.rate=0.123457;economy.rate=1.23457e7;b=-1.23457e-5"
        );
        assert_eq!(short_float(1.0), "1");
        assert_eq!(short_float(2.5), "2.5");
        assert_eq!(short_float(100000.0), "100000");
        assert_eq!(short_float(0.0001), "0.0001");
    }

    #[test]
    fn design_errors_display() {
        let e = DesignError {
            key: "a.x".into(),
            message: "empty cell".into(),
            allowed: Some("a value".into()),
            line: Some(3),
            column: Some(2),
            file: Some("p.csv".into()),
        };
        assert_eq!(
            e.to_string(),
            "p.csv:3:2: `a.x`: empty cell (allowed: a value)"
        );
    }

    #[test]
    fn sweep_params_round_trip_through_toml() {
        let p = sweep(
            "[factorial]\n\"a.x\" = [1, 2]\n[lhs]\npoints = 3\nranges = { \"a.y\" = [0, 1] }\n",
        );
        let text = toml::to_string(&p).unwrap();
        assert_eq!(toml::from_str::<SweepParams>(&text).unwrap(), p);
        assert_eq!(toml::to_string(&SweepParams::default()).unwrap(), "");
    }
}
