//! Maps dotted key paths of a TOML document to lines and columns, and phrases serde's
//! complaints as diagnostics with a suggestion for misspelt keys.

use crate::error::Diagnostic;
use std::collections::HashMap;
use std::fmt;
use toml::de::{DeTable, DeValue};

/// One step of a key path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Seg {
    /// A table key.
    Key(String),
    /// An array index.
    Index(usize),
}

/// A dotted key path such as `population.groups[1].share`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct KeyPath(pub Vec<Seg>);

impl KeyPath {
    /// Parses a rendered path (`a.b[2].c`).
    pub fn parse(s: &str) -> KeyPath {
        let mut segs = Vec::new();
        for part in s.split('.') {
            if part.is_empty() {
                continue;
            }
            let (key, rest) = match part.find('[') {
                Some(p) => (&part[..p], &part[p..]),
                None => (part, ""),
            };
            if !key.is_empty() {
                segs.push(Seg::Key(key.to_string()));
            }
            for idx in rest.split('[').filter(|x| !x.is_empty()) {
                if let Ok(i) = idx.trim_end_matches(']').parse() {
                    segs.push(Seg::Index(i));
                }
            }
        }
        KeyPath(segs)
    }

    /// This path with a key appended.
    pub fn key(&self, k: &str) -> KeyPath {
        let mut p = self.clone();
        p.0.push(Seg::Key(k.to_string()));
        p
    }

    /// This path with an index appended.
    pub fn index(&self, i: usize) -> KeyPath {
        let mut p = self.clone();
        p.0.push(Seg::Index(i));
        p
    }

    /// `prefix` followed by this path.
    pub fn under(&self, prefix: &KeyPath) -> KeyPath {
        let mut p = prefix.clone();
        p.0.extend(self.0.iter().cloned());
        p
    }
}

impl fmt::Display for KeyPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut first = true;
        for s in &self.0 {
            match s {
                Seg::Key(k) => {
                    if !first {
                        f.write_str(".")?;
                    }
                    f.write_str(k)?;
                }
                Seg::Index(i) => write!(f, "[{i}]")?,
            }
            first = false;
        }
        Ok(())
    }
}

/// Where each key of a document is.
#[derive(Debug, Clone, Default)]
pub struct SpanIndex {
    file: String,
    text: String,
    /// Rendered path → (byte offset of the key, byte offset of the value).
    spans: HashMap<String, (usize, usize)>,
}

impl SpanIndex {
    /// Indexes a document that already parsed.
    pub fn new(file: &str, text: &str) -> SpanIndex {
        let mut idx = SpanIndex {
            file: file.to_string(),
            text: text.to_string(),
            spans: HashMap::new(),
        };
        if let Ok(root) = DeTable::parse(text) {
            idx.walk_table(&KeyPath::default(), root.get_ref());
        }
        idx
    }

    fn walk_table(&mut self, at: &KeyPath, t: &DeTable<'_>) {
        for (k, v) in t {
            let p = at.key(k.get_ref());
            self.spans
                .insert(p.to_string(), (k.span().start, v.span().start));
            self.walk_value(&p, v.get_ref());
        }
    }

    fn walk_value(&mut self, at: &KeyPath, v: &DeValue<'_>) {
        match v {
            DeValue::Table(t) => self.walk_table(at, t),
            DeValue::Array(a) => {
                for (i, item) in a.iter().enumerate() {
                    let p = at.index(i);
                    let s = item.span().start;
                    self.spans.insert(p.to_string(), (s, s));
                    self.walk_value(&p, item.get_ref());
                }
            }
            _ => {}
        }
    }

    /// Whether the document sets `path`.
    pub fn contains(&self, path: &KeyPath) -> bool {
        self.spans.contains_key(&path.to_string())
    }

    /// Line and column of `path` (of its value, or of its key with `at_key`), falling
    /// back to the nearest enclosing key the document has; (0, 0) if none.
    pub fn locate(&self, path: &KeyPath, at_key: bool) -> (usize, usize) {
        let mut p = path.clone();
        loop {
            if let Some(&(k, v)) = self.spans.get(&p.to_string()) {
                return line_col(&self.text, if at_key { k } else { v });
            }
            if p.0.pop().is_none() {
                return (0, 0);
            }
        }
    }

    /// A diagnostic about `path`.
    pub fn diag(
        &self,
        path: &KeyPath,
        at_key: bool,
        message: impl Into<String>,
        allowed: Option<String>,
    ) -> Diagnostic {
        let (line, column) = self.locate(path, at_key);
        Diagnostic {
            file: self.file.clone(),
            line,
            column,
            key: path.to_string(),
            message: message.into(),
            allowed,
        }
    }

    /// The file name used in diagnostics.
    pub fn file(&self) -> &str {
        &self.file
    }
}

/// 1-based line and column (in characters) of a byte offset.
pub fn line_col(text: &str, byte: usize) -> (usize, usize) {
    let byte = byte.min(text.len());
    let before = &text[..floor_char_boundary(text, byte)];
    let line = before.matches('\n').count() + 1;
    let col = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    (line, col)
}

fn floor_char_boundary(s: &str, mut i: usize) -> usize {
    while i > 0 && !s.is_char_boundary(i) {
        i -= 1;
    }
    i
}

/// Turns a serde error message into (message, allowed, offending key) and adds a
/// "did you mean" suggestion for unknown keys and variants.
pub fn explain_serde(msg: &str) -> (String, Option<String>, Option<String>) {
    for (prefix, what) in [("unknown field `", "key"), ("unknown variant `", "value")] {
        if let Some(rest) = msg.strip_prefix(prefix) {
            let Some(end) = rest.find('`') else { break };
            let bad = &rest[..end];
            let tail = &rest[end + 1..];
            let expected: Vec<&str> = tail
                .split('`')
                .enumerate()
                .filter(|(i, _)| i % 2 == 1)
                .map(|(_, s)| s)
                .collect();
            let mut message = format!("unknown {what} `{bad}`");
            if let Some(best) = suggest(bad, &expected) {
                message.push_str(&format!("; did you mean `{best}`?"));
            }
            let allowed = if expected.is_empty() {
                Some("no keys here".to_string())
            } else {
                Some(
                    expected
                        .iter()
                        .map(|e| format!("`{e}`"))
                        .collect::<Vec<_>>()
                        .join(", "),
                )
            };
            return (message, allowed, (what == "key").then(|| bad.to_string()));
        }
    }
    if let Some(rest) = msg.strip_prefix("missing field `") {
        let field = rest.split('`').next().unwrap_or("");
        return (
            format!("missing key `{field}`"),
            Some(format!("add `{field} = ...`")),
            Some(field.to_string()),
        );
    }
    if let Some((got, want)) = msg
        .strip_prefix("invalid type: ")
        .and_then(|rest| rest.split_once(", expected "))
    {
        return (format!("wrong type: found {got}"), Some(plain(want)), None);
    }
    if let Some((got, want)) = msg
        .strip_prefix("invalid value: ")
        .and_then(|rest| rest.split_once(", expected "))
    {
        return (format!("invalid value: {got}"), Some(plain(want)), None);
    }
    (msg.to_string(), None, None)
}

/// Serde's name for an expected type, in the words of a scenario file.
fn plain(want: &str) -> String {
    let s = match want {
        "u8" => "a whole number in [0, 255]",
        "u16" => "a whole number in [0, 65535]",
        "u32" => "a whole number in [0, 4294967295]",
        "u64" | "usize" => "a whole number ≥ 0",
        "i8" | "i16" | "i32" | "i64" | "isize" => "a whole number",
        "f32" | "f64" => "a number",
        "a boolean" => "true or false",
        "a sequence" => "a list, e.g. [1, 2]",
        "path string" => "a file path in quotes",
        "internally tagged enum Dist" => {
            "a distribution, e.g. { dist = \"normal\", mean = 0.3, sd = 0.1 }"
        }
        "internally tagged enum NetworkParams" => "a [network] table with a `model` key",
        w if w.starts_with("struct ") => "a table",
        w => w,
    };
    s.to_string()
}

/// The candidate closest to `bad`, if it is close enough to be a likely misspelling.
pub fn suggest<'a>(bad: &str, candidates: &[&'a str]) -> Option<&'a str> {
    candidates
        .iter()
        .map(|c| (strsim::damerau_levenshtein(bad, c), *c))
        .filter(|&(d, c)| d <= 2.max(c.len() / 3))
        .min_by_key(|&(d, _)| d)
        .map(|(_, c)| c)
}

/// Where a strategy's diagnostics point: at the override if the strategy set the key,
/// else at the base key.
pub(super) struct Located<'a> {
    pub(super) idx: &'a SpanIndex,
    pub(super) prefix: &'a KeyPath,
}

impl Located<'_> {
    pub(super) fn best(&self, path: &KeyPath) -> KeyPath {
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

    pub(super) fn diag(
        &self,
        path: &KeyPath,
        message: &str,
        allowed: Option<String>,
    ) -> Diagnostic {
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

    pub(super) fn serde_error(
        &self,
        e: &serde_path_to_error::Error<toml::de::Error>,
    ) -> Diagnostic {
        let path = from_serde_path(e.path());
        // A wrong value's range is put in by the caller, from the range check (see
        // `peel`): one source of truth for every key's range.
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
pub(super) fn with_field(path: &KeyPath, field: &str) -> KeyPath {
    match path.0.last() {
        Some(Seg::Key(k)) if k == field => path.clone(),
        _ => path.key(field),
    }
}

pub(super) fn from_serde_path(p: &serde_path_to_error::Path) -> KeyPath {
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_col_counts_from_one() {
        assert_eq!(line_col("a = 1\nbb = 2", 6), (2, 1));
        assert_eq!(line_col("a = 1\nbb = 2", 11), (2, 6));
        assert_eq!(line_col("é = 1", 4), (1, 4));
    }

    #[test]
    fn paths_round_trip() {
        let p = KeyPath::parse("population.groups[1].share");
        assert_eq!(p.to_string(), "population.groups[1].share");
        assert_eq!(p.0.len(), 4);
    }

    #[test]
    fn index_finds_nested_keys() {
        let text = "[a]\nb = 1\n[[c]]\nd = 2\n[[c]]\nd = 3\n";
        let idx = SpanIndex::new("f", text);
        assert_eq!(idx.locate(&KeyPath::parse("a.b"), false), (2, 5));
        assert_eq!(idx.locate(&KeyPath::parse("c[1].d"), false), (6, 5));
        assert_eq!(idx.locate(&KeyPath::parse("a.zzz"), true), (1, 2));
    }

    #[test]
    fn unknown_field_gets_suggestion() {
        let (m, a, k) = explain_serde("unknown field `sead`, expected one of `seed`, `name`");
        assert!(m.contains("did you mean `seed`"), "{m}");
        assert_eq!(a.as_deref(), Some("`seed`, `name`"));
        assert_eq!(k.as_deref(), Some("sead"));
    }

    #[test]
    fn far_keys_get_no_suggestion() {
        assert_eq!(suggest("zzzzzz", &["seed", "name"]), None);
    }
}
