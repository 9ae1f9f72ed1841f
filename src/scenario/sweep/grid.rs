//! Grid designs: `[sweep.factorial]` (every combination) and `[sweep.zip]` (lists
//! that vary together, as one more axis).

use super::*;

pub(super) fn build_grid(p: &SweepParams) -> Result<Design, Vec<DesignError>> {
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
        table: None,
    })
}
