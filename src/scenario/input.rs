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

/// A reader of a data file. Headers are trimmed here; fields are trimmed by the
/// loaders as they read them (the csv crate's own field trimming copies every
/// record, which was most of the cost of loading a large file).
fn reader(bytes: &[u8]) -> csv::Reader<&[u8]> {
    csv::ReaderBuilder::new()
        .trim(csv::Trim::Headers)
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

/// Reads the next row of a data file into `rec` (one record reused for every row),
/// reporting a malformed row where it is and reading on; `false` at the end of the
/// file, or once `c` holds as many problems as it keeps.
fn next_record(
    rdr: &mut csv::Reader<&[u8]>,
    rec: &mut csv::StringRecord,
    bytes: &[u8],
    c: &mut Collector<'_>,
) -> bool {
    while !c.full() {
        match rdr.read_record(rec) {
            Ok(more) => return more,
            Err(e) => {
                let line = e.position().map_or(0, |p| record_line(bytes, p));
                c.push(line, 1, "", format!("malformed row: {e}"), None);
            }
        }
    }
    false
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
    let out = match read_households(&bytes, shown, groups, issues, false) {
        Ok(out) => out,
        // With other problems, read again to report repeated ids among them too.
        Err(_) => return read_households(&bytes, shown, groups, issues, true),
    };
    let mut ids: Vec<u64> = out.iter().map(|r| r.id).collect();
    ids.sort_unstable();
    if ids.windows(2).any(|w| w[0] == w[1]) {
        // Rare: say where each repeated id was first used.
        return read_households(&bytes, shown, groups, issues, true);
    }
    Ok(out)
}

/// One pass over a households CSV; with `locate_duplicates`, a repeated id is
/// refused where it appears, with the line of its first use (the fast pass leaves
/// repeated ids to the caller, who finds them by sorting).
fn read_households(
    bytes: &[u8],
    shown: &str,
    groups: &[String],
    issues: &[String],
    locate_duplicates: bool,
) -> Result<Vec<HouseholdRecord>, Vec<Diagnostic>> {
    let mut rdr = reader(bytes);
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
    let mut seen: rustc_hash::FxHashMap<u64, u64> = Default::default();
    let mut out = Vec::new();
    // Each column's position, looked up once rather than by name in every row.
    let at: Vec<Option<usize>> = HOUSEHOLD_COLUMNS
        .iter()
        .map(|name| cols.get(*name).copied())
        .collect();
    let mut rec = csv::StringRecord::new();
    while next_record(&mut rdr, &mut rec, bytes, &mut c) {
        // The line is worked out only when something needs saying about the row.
        let pos = rec.position().cloned();
        let line = || pos.as_ref().map_or(0, |p| record_line(bytes, p));
        let cell = |name: &str| {
            let k = HOUSEHOLD_COLUMNS.iter().position(|c| *c == name)?;
            at[k].map(|i| (i, rec.get(i).unwrap_or("").trim()))
        };
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
                            line(),
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
                    line(),
                    id_col + 1,
                    "id",
                    format!("bad id `{id_s}`"),
                    Some("a whole number ≥ 0".into()),
                );
                None
            }
        };
        if let Some(id) = id
            && locate_duplicates
            && let Some(first) = seen.insert(id, line())
        {
            ok = false;
            c.push(
                line(),
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
                line(),
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
                    line(),
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
                        line(),
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
                        line(),
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

/// Household ids as written in the households CSV, to household indices: a table
/// indexed by id when the ids are small numbers (at most four times the number of
/// households, as ids `1..=n` or `1000..` are), else a hash map with a fast
/// non-cryptographic hash (`rustc-hash`: ids come from the user's own file, so
/// collision attacks are not a concern).
#[derive(Debug, Clone)]
pub enum IdIndex {
    /// `table[id]` is the index plus one, 0 for an id not used.
    Dense(Vec<u32>),
    /// Any other ids.
    Sparse(rustc_hash::FxHashMap<u64, u32>),
}

impl IdIndex {
    /// The index of each id, in the order given (ids must be unique, as the
    /// households loader ensures).
    pub fn new(ids: &[u64]) -> IdIndex {
        let n = ids.len() as u64;
        let max = ids.iter().copied().max().unwrap_or(0);
        if max <= 4 * n + 1024 && n < u32::MAX as u64 {
            let mut table = vec![0u32; max as usize + 1];
            for (i, &id) in ids.iter().enumerate() {
                table[id as usize] = i as u32 + 1;
            }
            IdIndex::Dense(table)
        } else {
            IdIndex::Sparse(
                ids.iter()
                    .enumerate()
                    .map(|(i, &id)| (id, i as u32))
                    .collect(),
            )
        }
    }

    /// The index of household `id`, if there is one.
    #[inline]
    pub fn get(&self, id: u64) -> Option<u32> {
        match self {
            IdIndex::Dense(t) => match t.get(usize::try_from(id).ok()?) {
                Some(&k) if k > 0 => Some(k - 1),
                _ => None,
            },
            IdIndex::Sparse(m) => m.get(&id).copied(),
        }
    }
}

/// Loads an edge-list CSV. `ids` maps a household id (as written in the file) to its
/// index; `None` means ids are indices `0..n`.
///
/// Duplicate ties are found once the file is read (`count_duplicates`); only
/// when `repair` is off and there are duplicates (or other problems, to report
/// duplicates among them) is the file read a second time, keeping the line of each
/// tie's first appearance, to say where each duplicate was first given.
pub fn load_edges(
    path: &Path,
    shown: &str,
    n: usize,
    ids: Option<&IdIndex>,
    repair: bool,
) -> Result<EdgeData, Vec<Diagnostic>> {
    let bytes = read_bytes(path, shown)?;
    let data = match read_edges(&bytes, shown, n, ids, repair, false) {
        Ok(x) => x,
        // With other problems, read again to report duplicates among them too.
        Err(_) if !repair => return read_edges(&bytes, shown, n, ids, repair, true),
        Err(d) => return Err(d),
    };
    let duplicates = count_duplicates(n, &data.edges);
    if duplicates == 0 {
        return Ok(data);
    }
    if repair {
        return Ok(EdgeData {
            duplicates_merged: duplicates,
            ..data
        });
    }
    // Rare: say where each duplicate was first given.
    read_edges(&bytes, shown, n, ids, repair, true)
}

/// The number of ties in `edges` (none a self-loop) that repeat an earlier one, in
/// either direction: each tie is filed under its lower end by a counting sort, and
/// each household's few higher ends are sorted and compared (linear in ties, where
/// a sort of all ties or a hash set of them is not).
fn count_duplicates(n: usize, edges: &[(u32, u32)]) -> usize {
    let mut start = vec![0u32; n + 1];
    for &(a, b) in edges {
        start[a.min(b) as usize + 1] += 1;
    }
    for i in 0..n {
        start[i + 1] += start[i];
    }
    let mut next = start.clone();
    let mut high = vec![0u32; edges.len()];
    for &(a, b) in edges {
        let lo = a.min(b) as usize;
        high[next[lo] as usize] = a.max(b);
        next[lo] += 1;
    }
    let mut duplicates = 0;
    for i in 0..n {
        let row = &mut high[start[i] as usize..start[i + 1] as usize];
        if row.len() > 1 {
            row.sort_unstable();
            duplicates += row.windows(2).filter(|w| w[0] == w[1]).count();
        }
    }
    duplicates
}

/// One pass over an edge list: the ties; with `locate_duplicates`, duplicate ties
/// are refused where they appear, with the line of their first appearance.
fn read_edges(
    bytes: &[u8],
    shown: &str,
    n: usize,
    ids: Option<&IdIndex>,
    repair: bool,
    locate_duplicates: bool,
) -> Result<EdgeData, Vec<Diagnostic>> {
    let mut rdr = reader(bytes);
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
    let (source_col, target_col) = (cols["source"], cols["target"]);
    let weight_col = cols.get("weight").copied();
    let mut data = EdgeData {
        weights: weight_col.map(|_| Vec::new()),
        ..Default::default()
    };
    let mut seen: rustc_hash::FxHashMap<u64, u64> = Default::default();
    let range = match ids {
        Some(_) => "an id from the households CSV".to_string(),
        None => format!("a household number in 0..{n}"),
    };
    let mut rec = csv::StringRecord::new();
    while next_record(&mut rdr, &mut rec, bytes, &mut c) {
        // The line is worked out only when something needs saying about the row.
        let pos = rec.position().cloned();
        let line = || pos.as_ref().map_or(0, |p| record_line(bytes, p));
        let mut end = |i: usize, name: &str| -> Option<u32> {
            let s = rec.get(i).unwrap_or("").trim();
            let idx = s.parse::<u64>().ok().and_then(|v| match ids {
                Some(map) => map.get(v),
                None => (v < n as u64).then_some(v as u32),
            });
            if idx.is_none() {
                c.push(
                    line(),
                    i + 1,
                    name,
                    format!("unknown household `{s}`"),
                    Some(range.clone()),
                );
            }
            idx
        };
        let (a, b) = (end(source_col, "source"), end(target_col, "target"));
        let w = match weight_col {
            Some(i) => {
                let s = rec.get(i).unwrap_or("").trim();
                match parse_num(s).filter(|&v| (MIN_WEIGHT..=MAX_WEIGHT).contains(&v)) {
                    Some(v) => Some(v as f32),
                    None => {
                        c.push(
                            line(),
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
            }
            None => Some(1.0),
        };
        let (Some(a), Some(b), Some(w)) = (a, b, w) else {
            continue;
        };
        if a == b {
            if repair {
                data.self_loops_dropped += 1;
            } else {
                c.push(line(), target_col + 1, "target", "self-loop: a household tied to itself".into(), Some("two different households, or `repair = true` in [network] to drop self-loops".into()));
            }
            continue;
        }
        let key = ((a.min(b) as u64) << 32) | a.max(b) as u64;
        if locate_duplicates {
            let here = line();
            if let Some(first) = seen.get(&key) {
                c.push(here, 1, "source", format!("duplicate tie: already given on line {first}"), Some("each tie once, or `repair = true` in [network] to merge duplicates (adding weights)".into()));
                continue;
            }
            seen.insert(key, here);
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
    if data.edges.is_empty() {
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

#[cfg(test)]
mod tests {
    use super::*;
    use rand::{RngExt, SeedableRng};

    /// The linear duplicate count must agree with a hash set over random ties with
    /// many repeats in both directions. Could fail: a tie filed under the wrong end,
    /// a row boundary off by one, a repeat counted twice.
    #[test]
    fn duplicates_are_counted_as_a_set_would() {
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(3);
        for n in [2usize, 5, 50, 1000] {
            let edges: Vec<(u32, u32)> = (0..3 * n)
                .filter_map(|_| {
                    let (a, b) = (rng.random_range(0..n as u32), rng.random_range(0..n as u32));
                    (a != b).then_some((a, b))
                })
                .collect();
            let mut set = std::collections::HashSet::new();
            let repeats = edges
                .iter()
                .filter(|&&(a, b)| !set.insert((a.min(b), a.max(b))))
                .count();
            assert_eq!(count_duplicates(n, &edges), repeats, "n = {n}");
        }
        assert_eq!(count_duplicates(0, &[]), 0);
    }

    /// Both kinds of id index find exactly the ids given, and nothing else.
    #[test]
    fn id_indexes_find_the_ids_given_and_no_others() {
        let small: Vec<u64> = vec![7, 3, 1000, 0, 42];
        let large: Vec<u64> = vec![7, u64::MAX, 1 << 40, 0, 42];
        for ids in [&small, &large] {
            let index = IdIndex::new(ids);
            for (i, &id) in ids.iter().enumerate() {
                assert_eq!(index.get(id), Some(i as u32));
            }
            for other in [1u64, 8, 999, 1001, 1 << 41, u64::MAX - 1] {
                assert_eq!(index.get(other), None, "{other}");
            }
        }
        assert!(matches!(IdIndex::new(&small), IdIndex::Dense(_)));
        assert!(matches!(IdIndex::new(&large), IdIndex::Sparse(_)));
    }
}
