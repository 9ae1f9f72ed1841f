//! Table designs: one point per row of a CSV file whose header names the
//! parameters.

use super::*;

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

pub(super) fn build_table(rel: &Path, base_dir: &Path) -> Result<Design, Vec<DesignError>> {
    let path = base_dir.join(rel);
    let shown = path.display().to_string();
    let bytes = match crate::scenario::input::read_regular(
        &path,
        crate::scenario::input::MAX_DATA_BYTES,
        true,
    ) {
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
    let mut lines: Vec<u64> = Vec::new();
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
        lines.push(line.unwrap_or(0));
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
        table: Some((shown, lines)),
    })
}
