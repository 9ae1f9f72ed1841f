//! Strategy overrides and design points: values merged into the base parameters
//! ([`merge`], [`apply_point`]), and every point of a design checked for every
//! strategy, its problems located at the key that set the value.

use super::calibrate::CalibrateParams;
use super::check::check_params;
use super::quoted;
use super::{OutputParams, Strategy};
use crate::error::{Diagnostic, Result};
use crate::model::Params;
use crate::scenario::locate::{KeyPath, SpanIndex, explain_serde, suggest};
use crate::scenario::sensitivity::SensitivityParams;
use crate::scenario::sweep::{self, DesignError, SweepParams};

/// Where a design value for `path` is written in the scenario: under
/// `[sweep.factorial]`, `[sweep.zip]`, or the ranges of `[sweep.lhs]`/`[sweep.sobol]`
/// (the `table` key for a CSV design).
pub(super) fn sweep_key(sweep: &SweepParams, path: &str) -> KeyPath {
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
pub(super) fn sets(table: &toml::Table, path: &str) -> bool {
    table.contains_key(path)
        || path.match_indices('.').any(|(i, _)| {
            matches!(table.get(&path[..i]), Some(toml::Value::Table(sub)) if sets(sub, &path[i + 1..]))
        })
}

/// An [`apply_point`] failure, explained: which of the point's parameters it
/// concerns, what is wrong (with a "did you mean" for a misspelt key) and what is
/// allowed.
pub(super) struct PointError {
    /// The point's parameter path the error concerns (for `organiser.rate`, an
    /// unknown `organiser`, the whole path as written).
    pub(super) path: String,
    pub(super) message: String,
    pub(super) allowed: Option<String>,
    /// Whether the path names a key that does not exist.
    pub(super) unknown_key: bool,
}

impl PointError {
    pub(super) fn new(m: &str, values: &[(String, toml::Value)]) -> PointError {
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
pub(super) fn check_sensitivity(
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
        check_range_ends(&st.params, path, range, &at, output, idx, diags);
    }
}

/// Checks a range's two ends applied to `params`: each a value the parameter takes,
/// and the parameters then valid; problems located at `at`.
fn check_range_ends(
    params: &Params,
    path: &str,
    range: &sweep::Range,
    at: &KeyPath,
    output: &OutputParams,
    idx: &SpanIndex,
    diags: &mut Vec<Diagnostic>,
) {
    for (end, u) in [("lo", 0.0), ("hi", 1.0)] {
        let values = [(path.to_string(), range.at(u))];
        match apply_point(params, &values) {
            Err(m) => {
                let e = PointError::new(&m, &values);
                let mut d = idx.diag(at, false, e.message, e.allowed);
                d.key = e.path;
                diags.push(d);
            }
            Ok(p) => {
                for x in check_params(&p, output) {
                    let mut d = idx.diag(
                        at,
                        false,
                        format!("at the range's {end} end: {}", x.message),
                        x.allowed,
                    );
                    d.key = x.path.to_string();
                    diags.push(d);
                }
            }
        }
    }
}

/// Checks `[calibrate.ranges]` against every strategy: both ends of each range
/// valid for each, and no strategy setting a calibrated parameter itself (a
/// strategy's lever cannot also be fitted).
pub(super) fn check_calibrate(
    cp: &CalibrateParams,
    strategies: &[Strategy],
    raw_strategies: Option<&toml::Table>,
    output: &OutputParams,
    idx: &SpanIndex,
    diags: &mut Vec<Diagnostic>,
) {
    let Ok(ranges) = sweep::parse_ranges(&cp.ranges, "calibrate.ranges") else {
        return;
    };
    for (path, range) in &ranges {
        let at = KeyPath::default().key("calibrate").key("ranges").key(path);
        for st in strategies {
            if let Some(toml::Value::Table(t)) = raw_strategies.and_then(|r| r.get(&st.name))
                && sets(t, path)
            {
                diags.push(idx.diag(
                    &KeyPath::parse(path)
                        .under(&KeyPath::default().key("strategies").key(&st.name)),
                    true,
                    format!(
                        "strategy `{}` sets `{path}`, which [calibrate.ranges] fits: a strategy's lever cannot also be a calibrated parameter",
                        st.name
                    ),
                    Some("remove one of the two".into()),
                ));
            }
            check_range_ends(&st.params, path, range, &at, output, idx, diags);
        }
    }
}

pub(super) fn design_diag(idx: &SpanIndex, shown: &str, e: DesignError) -> Diagnostic {
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
pub(super) fn nested(path: &str, v: toml::Value) -> toml::Table {
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
