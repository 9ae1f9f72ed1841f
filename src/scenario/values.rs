//! Values as text: numbers written the one way every table writes them, and TOML
//! values (design points, parameters) as CSV cells.

/// Missing values (e.g. the access of marginalized households in a village that has
/// none) are written as `NA`, which pandas and readr read as missing by default.
pub const NA: &str = "NA";

/// Formats a number for CSV into `buf`, as [`num`] does but without allocating:
/// the shortest text that reads back as the same number (ryu), whole numbers without
/// a fraction, `NA` when not finite.
pub fn fmt_f64(buf: &mut ryu::Buffer, v: f64) -> &str {
    if !v.is_finite() {
        return NA;
    }
    if v == 0.0 {
        return "0";
    }
    let text = buf.format_finite(v);
    text.strip_suffix(".0").unwrap_or(text)
}

/// Formats a number for CSV as [`fmt_f64`] does (so every table writes numbers the
/// same way), into a new `String`.
pub fn num(v: f64) -> String {
    fmt_f64(&mut ryu::Buffer::new(), v).to_string()
}

/// Flattens a serializable value into dotted keys and display values. An element
/// of a list of tables is named by its index as one more dotted part
/// (`population.groups.0.name`, not `population.groups[0].name`), so every key is a
/// syntactic name in R (`make.names` leaves it unchanged) and needs no quoting in
/// pandas or in a model formula.
pub fn flatten(prefix: &str, v: &toml::Value, out: &mut Vec<(String, String)>) {
    let join = |k: &str| {
        if prefix.is_empty() {
            k.to_string()
        } else {
            format!("{prefix}.{k}")
        }
    };
    match v {
        toml::Value::Table(t) => {
            for (k, x) in t {
                flatten(&join(k), x, out);
            }
        }
        toml::Value::Array(a) if a.iter().any(|x| x.is_table()) => {
            for (i, x) in a.iter().enumerate() {
                flatten(&format!("{prefix}.{i}"), x, out);
            }
        }
        toml::Value::Array(a) => {
            let parts: Vec<String> = a.iter().map(scalar).collect();
            out.push((prefix.to_string(), parts.join(";")));
        }
        x => out.push((prefix.to_string(), scalar(x))),
    }
}

/// A number of a design point written short: whole numbers as they are, others with
/// three significant digits (`0.4177855213809799` → `0.418`, `12.3456` → `12.3`);
/// text as it is.
pub fn short_value(text: &str) -> String {
    let Ok(v) = text.trim().parse::<f64>() else {
        return text.to_string();
    };
    if !v.is_finite() || (v.fract() == 0.0 && v.abs() < 1e15) {
        return text.trim().to_string();
    }
    let mag = v.abs().log10().floor() as i32;
    let decimals = (2 - mag).clamp(0, 12) as usize;
    let s = format!("{v:.decimals$}");
    let s = if s.contains('.') {
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        s
    };
    if s == "-0" { "0".into() } else { s }
}

/// A TOML scalar as CSV text.
pub fn scalar(v: &toml::Value) -> String {
    match v {
        toml::Value::String(s) => s.clone(),
        toml::Value::Integer(i) => i.to_string(),
        toml::Value::Float(f) => num(*f),
        toml::Value::Boolean(b) => b.to_string(),
        other => other.to_string(),
    }
}

/// The most steps a run may have.
pub const MAX_STEPS: u32 = 10_000_000;

/// What `time.steps` may be, as every message about it says (the range check's and
/// the type error's alike).
pub const STEPS_ALLOWED: &str = "a whole number in [1, 10000000]";
