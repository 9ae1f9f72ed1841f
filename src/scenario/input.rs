//! Real data in: households and ties from CSV files, checked cell by cell.
//!
//! Every problem is reported with the file, the line, the column (the field's
//! 1-based position) and the column's name. Loading stops after
//! [`MAX_DIAGNOSTICS`] problems.

use crate::error::Diagnostic;
use crate::model::population::{MAX_RESOURCES, MIN_POSITIVE_RESOURCES};
use crate::model::village::{EdgeData, HouseholdRecord};
use crate::scenario::locate::suggest;
use std::collections::HashMap;
use std::path::Path;

/// What a `resources` cell may hold: what the model stores as `f32` without overflow
/// or underflow (see [`MAX_RESOURCES`]).
const RESOURCES_ALLOWED: &str = "0, or a number in [1e-30, 1e15]";

/// The smallest tie weight (weights are stored as `f32`: smaller ones would become 0
/// or lose precision).
pub const MIN_WEIGHT: f64 = 1e-30;

/// The largest tie weight: a household's weights are added up in `f32`, and with up
/// to 50 million ties each the sum stays finite. Weights are checked rather than
/// rescaled because the bridging ties meetings make weigh 1: a file's weights are on
/// that absolute scale.
pub const MAX_WEIGHT: f64 = 1e30;

/// Loading stops collecting problems after this many. The command line shows at
/// most 20 of a file's problems and counts the rest ("K more problems not shown").
pub const MAX_DIAGNOSTICS: usize = 1000;

const HOUSEHOLD_COLUMNS: &[&str] = &[
    "id",
    "group",
    "resources",
    "threshold",
    "availability",
    "priority",
    "participating",
];

struct Collector<'a> {
    file: &'a str,
    out: Vec<Diagnostic>,
}

impl Collector<'_> {
    fn push(
        &mut self,
        line: u64,
        column: usize,
        key: &str,
        message: String,
        allowed: Option<String>,
    ) {
        if self.out.len() < MAX_DIAGNOSTICS {
            self.out.push(Diagnostic {
                file: self.file.to_string(),
                line: line as usize,
                column,
                key: key.to_string(),
                message,
                allowed,
            });
        }
    }
    fn full(&self) -> bool {
        self.out.len() >= MAX_DIAGNOSTICS
    }
}

/// The largest data file read (households, ties, design table): 4 GiB.
pub const MAX_DATA_BYTES: u64 = 1 << 32;

/// Reads a file that must be a regular file (not a FIFO, device or folder) of at
/// most `max` bytes; with `follow_links` false, a symbolic link is refused too. A
/// FIFO is never opened (it would block), and a file that grows while read is cut
/// at `max + 1` bytes and refused.
pub fn read_regular(path: &Path, max: u64, follow_links: bool) -> std::io::Result<Vec<u8>> {
    use std::io::{Error as E, ErrorKind, Read};
    let link = std::fs::symlink_metadata(path)?;
    if link.file_type().is_symlink() && !follow_links {
        return Err(E::new(ErrorKind::InvalidInput, "is a symbolic link"));
    }
    let m = std::fs::metadata(path)?;
    if m.is_dir() {
        return Err(E::new(ErrorKind::InvalidInput, "is a folder, not a file"));
    }
    if !m.is_file() {
        return Err(E::new(
            ErrorKind::InvalidInput,
            "is not a regular file (a device, FIFO or socket)",
        ));
    }
    if m.len() > max {
        return Err(E::new(
            ErrorKind::InvalidInput,
            format!("is {} bytes, more than the {max} allowed", m.len()),
        ));
    }
    let f = std::fs::File::open(path)?;
    if !f.metadata()?.is_file() {
        return Err(E::new(ErrorKind::InvalidInput, "is not a regular file"));
    }
    let mut out = Vec::with_capacity(m.len() as usize);
    f.take(max + 1).read_to_end(&mut out)?;
    if out.len() as u64 > max {
        return Err(E::new(
            ErrorKind::InvalidInput,
            format!("holds more than the {max} bytes allowed"),
        ));
    }
    Ok(out)
}

/// The bytes of a data file, read whole so that error lines can be counted in them.
fn read_bytes(path: &Path, shown: &str) -> Result<Vec<u8>, Vec<Diagnostic>> {
    read_regular(path, MAX_DATA_BYTES, true)
        .map_err(|e| vec![file_diag(shown, &format!("cannot read: {e}"))])
}

fn reader(bytes: &[u8]) -> csv::Reader<&[u8]> {
    csv::ReaderBuilder::new()
        .trim(csv::Trim::All)
        .comment(Some(b'#'))
        .from_reader(bytes)
}

/// The 1-based line on which the CSV record read at `pos` in `text` begins. The csv
/// crate gives the line where it started looking for the record, which is that of
/// the blank or comment line before it when there is one (BurntSushi/rust-csv#208),
/// so such lines are skipped here.
pub(crate) fn record_line(text: &[u8], pos: &csv::Position) -> u64 {
    let mut at = (pos.byte() as usize).min(text.len());
    let mut line = pos.line();
    while at < text.len() {
        let end = text[at..]
            .iter()
            .position(|&b| b == b'\n')
            .map_or(text.len(), |k| at + k + 1);
        let l = &text[at..end];
        let blank = l.iter().all(|&b| b == b'\n' || b == b'\r');
        if !blank && l[0] != b'#' {
            break;
        }
        at = end;
        line += 1;
    }
    line
}

fn file_diag(file: &str, message: &str) -> Diagnostic {
    Diagnostic {
        file: file.to_string(),
        line: 0,
        column: 0,
        key: String::new(),
        message: message.to_string(),
        allowed: None,
    }
}

fn headers(
    rdr: &mut csv::Reader<&[u8]>,
    c: &mut Collector<'_>,
    allowed: &[&str],
    required: &[&str],
) -> Option<HashMap<String, usize>> {
    let hdr = match rdr.headers() {
        Ok(h) => h.clone(),
        Err(e) => {
            c.push(1, 1, "", format!("cannot read the header: {e}"), None);
            return None;
        }
    };
    if hdr.iter().all(str::is_empty) {
        // Nothing but (perhaps) blank or comment lines.
        let optional: Vec<&str> = allowed
            .iter()
            .filter(|a| !required.contains(a))
            .copied()
            .collect();
        c.push(
            0,
            0,
            "",
            "the file is empty".into(),
            Some(format!(
                "a header line naming at least {} (optional: {}), then one row per record",
                required.join(", "),
                optional.join(", ")
            )),
        );
        return None;
    }
    let mut map = HashMap::new();
    for (i, name) in hdr.iter().enumerate() {
        let lname = name.to_ascii_lowercase();
        if allowed.contains(&lname.as_str()) {
            if map.insert(lname.clone(), i).is_some() {
                c.push(1, i + 1, name, "column appears twice".into(), None);
            }
        } else {
            let hint = suggest(&lname, allowed)
                .map(|s| format!("; did you mean `{s}`?"))
                .unwrap_or_default();
            c.push(
                1,
                i + 1,
                name,
                format!("unknown column `{name}`{hint}"),
                Some(allowed.join(", ")),
            );
        }
    }
    for r in required {
        if !map.contains_key(*r) {
            c.push(
                1,
                1,
                r,
                format!("missing column `{r}`"),
                Some(format!("a header naming at least: {}", required.join(", "))),
            );
        }
    }
    Some(map)
}

fn parse_num(s: &str) -> Option<f64> {
    s.parse::<f64>().ok().filter(|v| v.is_finite())
}

fn parse_bool(s: &str) -> Option<bool> {
    match s.to_ascii_lowercase().as_str() {
        "true" | "1" | "yes" | "y" => Some(true),
        "false" | "0" | "no" | "n" => Some(false),
        _ => None,
    }
}

/// Loads a households CSV. `groups` and `issues` are the scenario's names; group and
/// priority cells must name one of them.
pub fn load_households(
    path: &Path,
    shown: &str,
    groups: &[String],
    issues: &[String],
) -> Result<Vec<HouseholdRecord>, Vec<Diagnostic>> {
    let bytes = read_bytes(path, shown)?;
    let mut rdr = reader(&bytes);
    let mut c = Collector {
        file: shown,
        out: Vec::new(),
    };
    let Some(cols) = headers(
        &mut rdr,
        &mut c,
        HOUSEHOLD_COLUMNS,
        &["id", "group", "resources"],
    ) else {
        return Err(c.out);
    };
    if !c.out.is_empty() {
        return Err(c.out);
    }
    let group_names: Vec<&str> = groups.iter().map(String::as_str).collect();
    let issue_names: Vec<&str> = issues.iter().map(String::as_str).collect();
    let mut seen: HashMap<u64, u64> = HashMap::new();
    let mut out = Vec::new();
    for rec in rdr.records() {
        if c.full() {
            break;
        }
        let rec = match rec {
            Ok(r) => r,
            Err(e) => {
                let line = e.position().map_or(0, |p| record_line(&bytes, p));
                c.push(line, 1, "", format!("malformed row: {e}"), None);
                continue;
            }
        };
        let line = rec.position().map_or(0, |p| record_line(&bytes, p));
        let cell = |name: &str| cols.get(name).map(|&i| (i, rec.get(i).unwrap_or("")));
        let mut ok = true;
        let mut num =
            |c: &mut Collector<'_>, name: &str, lo: f64, hi: f64, allowed: &str| -> Option<f64> {
                let (i, s) = cell(name)?;
                if s.is_empty() {
                    return None;
                }
                // A positive value too small for `f32` would silently become 0.
                let tiny = |v: &f64| name == "resources" && *v > 0.0 && *v < MIN_POSITIVE_RESOURCES;
                match parse_num(s).filter(|v| (lo..=hi).contains(v) && !tiny(v)) {
                    Some(v) => Some(v),
                    None => {
                        ok = false;
                        c.push(
                            line,
                            i + 1,
                            name,
                            format!("bad value `{s}`"),
                            Some(allowed.into()),
                        );
                        None
                    }
                }
            };
        let resources = num(&mut c, "resources", 0.0, MAX_RESOURCES, RESOURCES_ALLOWED);
        let threshold = num(
            &mut c,
            "threshold",
            0.0,
            1.0,
            "a number in [0, 1], or empty",
        );
        let availability = num(
            &mut c,
            "availability",
            0.0,
            1.0,
            "a number in [0, 1], or empty",
        );
        let (id_col, id_s) = cell("id").unwrap_or((0, ""));
        let id = match id_s.parse::<u64>() {
            Ok(v) => Some(v),
            Err(_) => {
                ok = false;
                c.push(
                    line,
                    id_col + 1,
                    "id",
                    format!("bad id `{id_s}`"),
                    Some("a whole number ≥ 0".into()),
                );
                None
            }
        };
        if let Some(id) = id
            && let Some(first) = seen.insert(id, line)
        {
            ok = false;
            c.push(
                line,
                id_col + 1,
                "id",
                format!("id {id} already used on line {first}"),
                Some("unique ids".into()),
            );
        }
        if resources.is_none() && cell("resources").is_some_and(|(_, s)| s.is_empty()) {
            ok = false;
            let (i, _) = cell("resources").unwrap_or((0, ""));
            c.push(
                line,
                i + 1,
                "resources",
                "empty cell".into(),
                Some(RESOURCES_ALLOWED.into()),
            );
        }
        let (g_col, g_s) = cell("group").unwrap_or((0, ""));
        let group = match group_names.iter().position(|g| *g == g_s) {
            Some(g) => Some(g as u8),
            None => {
                ok = false;
                let hint = suggest(g_s, &group_names)
                    .map(|s| format!("; did you mean `{s}`?"))
                    .unwrap_or_default();
                c.push(
                    line,
                    g_col + 1,
                    "group",
                    format!("unknown group `{g_s}`{hint}"),
                    Some(group_names.join(", ")),
                );
                None
            }
        };
        let priority = match cell("priority") {
            Some((_, "")) | None => None,
            Some((i, s)) => match issue_names.iter().position(|x| *x == s) {
                Some(k) => Some(k as u8),
                None => {
                    ok = false;
                    c.push(
                        line,
                        i + 1,
                        "priority",
                        format!("unknown issue `{s}`"),
                        Some(issue_names.join(", ")),
                    );
                    None
                }
            },
        };
        let participating = match cell("participating") {
            Some((_, "")) | None => None,
            Some((i, s)) => match parse_bool(s) {
                Some(b) => Some(b),
                None => {
                    ok = false;
                    c.push(
                        line,
                        i + 1,
                        "participating",
                        format!("bad value `{s}`"),
                        Some("true, false, 1, 0, yes, no".into()),
                    );
                    None
                }
            },
        };
        if let (true, Some(id), Some(group), Some(resources)) = (ok, id, group, resources) {
            out.push(HouseholdRecord {
                id,
                group,
                resources,
                threshold,
                availability,
                priority,
                participating,
            });
        }
    }
    if !c.out.is_empty() {
        return Err(c.out);
    }
    if out.is_empty() {
        return Err(vec![Diagnostic {
            line: 1,
            column: 1,
            allowed: Some("one row per household after the header".into()),
            ..file_diag(shown, "no households: the file has a header but no rows")
        }]);
    }
    Ok(out)
}

/// Loads an edge-list CSV. `ids` maps a household id (as written in the file) to its
/// index; `None` means ids are indices `0..n`.
pub fn load_edges(
    path: &Path,
    shown: &str,
    n: usize,
    ids: Option<&HashMap<u64, u32>>,
    repair: bool,
) -> Result<EdgeData, Vec<Diagnostic>> {
    let bytes = read_bytes(path, shown)?;
    let mut rdr = reader(&bytes);
    let mut c = Collector {
        file: shown,
        out: Vec::new(),
    };
    let Some(cols) = headers(
        &mut rdr,
        &mut c,
        &["source", "target", "weight"],
        &["source", "target"],
    ) else {
        return Err(c.out);
    };
    if !c.out.is_empty() {
        return Err(c.out);
    }
    let weighted = cols.contains_key("weight");
    let mut data = EdgeData {
        weights: weighted.then(Vec::new),
        ..Default::default()
    };
    let mut seen: HashMap<(u32, u32), u64> = HashMap::new();
    let range = match ids {
        Some(_) => "an id from the households CSV".to_string(),
        None => format!("a household number in 0..{n}"),
    };
    for rec in rdr.records() {
        if c.full() {
            break;
        }
        let rec = match rec {
            Ok(r) => r,
            Err(e) => {
                let line = e.position().map_or(0, |p| record_line(&bytes, p));
                c.push(line, 1, "", format!("malformed row: {e}"), None);
                continue;
            }
        };
        let line = rec.position().map_or(0, |p| record_line(&bytes, p));
        let mut end = |name: &str| -> Option<u32> {
            let i = cols[name];
            let s = rec.get(i).unwrap_or("");
            let idx = s.parse::<u64>().ok().and_then(|v| match ids {
                Some(map) => map.get(&v).copied(),
                None => (v < n as u64).then_some(v as u32),
            });
            if idx.is_none() {
                c.push(
                    line,
                    i + 1,
                    name,
                    format!("unknown household `{s}`"),
                    Some(range.clone()),
                );
            }
            idx
        };
        let (a, b) = (end("source"), end("target"));
        let w = if weighted {
            let i = cols["weight"];
            let s = rec.get(i).unwrap_or("");
            match parse_num(s).filter(|&v| (MIN_WEIGHT..=MAX_WEIGHT).contains(&v)) {
                Some(v) => Some(v as f32),
                None => {
                    c.push(
                        line,
                        i + 1,
                        "weight",
                        format!("bad weight `{s}`"),
                        Some(
                            "a number in [1e-30, 1e30] (weights are stored as 32-bit numbers)"
                                .into(),
                        ),
                    );
                    None
                }
            }
        } else {
            Some(1.0)
        };
        let (Some(a), Some(b), Some(w)) = (a, b, w) else {
            continue;
        };
        if a == b {
            if repair {
                data.self_loops_dropped += 1;
            } else {
                c.push(line, cols["target"] + 1, "target", "self-loop: a household tied to itself".into(), Some("two different households, or `repair = true` in [network] to drop self-loops".into()));
            }
            continue;
        }
        let key = (a.min(b), a.max(b));
        if let Some(first) = seen.get(&key) {
            if repair {
                data.duplicates_merged += 1;
            } else {
                c.push(line, 1, "source", format!("duplicate tie: already given on line {first}"), Some("each tie once, or `repair = true` in [network] to merge duplicates (adding weights)".into()));
                continue;
            }
        } else {
            seen.insert(key, line);
        }
        data.edges.push((a, b));
        if let Some(ws) = data.weights.as_mut() {
            ws.push(w);
        }
    }
    if !c.out.is_empty() {
        return Err(c.out);
    }
    // A file with no tie left (only a header, or only self-loops dropped by repair)
    // is refused the same way: a village without ties says so with `model = "none"`.
    if seen.is_empty() {
        let what = if data.self_loops_dropped > 0 {
            format!(
                "no ties: the file's only rows are {} self-loop(s), dropped by repair",
                data.self_loops_dropped
            )
        } else {
            "no ties: the file has a header but no rows".to_string()
        };
        return Err(vec![Diagnostic {
            line: 1,
            column: 1,
            allowed: Some(
                "one row per tie after the header, or `model = \"none\"` in [network] \
                 for a village without ties"
                    .into(),
            ),
            ..file_diag(shown, &what)
        }]);
    }
    Ok(data)
}
