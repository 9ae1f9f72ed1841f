//! Space-filling designs: `[sweep.lhs]` (a Latin hypercube) and `[sweep.sobol]`
//! (the Sobol sequence) over `[lo, hi]` ranges.

use super::*;
use crate::scenario::sampling::{SOBOL_MAX_DIMS, latin_hypercube, sobol_points};

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

pub(super) fn build_space_filling(
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
        table: None,
    })
}
