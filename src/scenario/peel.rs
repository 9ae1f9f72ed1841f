//! Every problem of a table in one pass. Serde stops at the first problem it meets;
//! [`deserialize_all`] records it, takes the offending key away (an unknown key is
//! removed, a value of the wrong type is replaced by its default, or removed when it
//! has none) and tries again, until the table deserializes. What is left, with
//! defaults in place of the wrong values, goes on to the range checks, so that three
//! typos in a file are three errors of one `validate`.

use crate::error::Diagnostic;
use crate::scenario::locate::{
    KeyPath, Located, Seg, SpanIndex, explain_serde, from_serde_path, with_field,
};
use toml::Value;

/// The most problems taken away from one table before giving up.
const MAX_PEELED: usize = 200;

/// The value at `path` inside `v`.
pub(super) fn get<'a>(v: &'a Value, path: &KeyPath) -> Option<&'a Value> {
    let mut at = v;
    for s in &path.0 {
        at = match (s, at) {
            (Seg::Key(k), Value::Table(t)) => t.get(k)?,
            (Seg::Index(i), Value::Array(a)) => a.get(*i)?,
            _ => return None,
        };
    }
    Some(at)
}

/// The value at `path` inside `v`, to change.
pub(super) fn get_mut<'a>(v: &'a mut Value, path: &KeyPath) -> Option<&'a mut Value> {
    let mut at = v;
    for s in &path.0 {
        at = match (s, at) {
            (Seg::Key(k), Value::Table(t)) => t.get_mut(k)?,
            (Seg::Index(i), Value::Array(a)) => a.get_mut(*i)?,
            _ => return None,
        };
    }
    Some(at)
}

/// Puts `x` at `path` inside `v` (adding the key to its table if it is not there);
/// `None` when the path's table is not there.
pub(super) fn set(v: &mut Value, path: &KeyPath, x: Value) -> Option<()> {
    if let Some(slot) = get_mut(v, path) {
        *slot = x;
        return Some(());
    }
    let (Seg::Key(k), parent) = path.0.split_last()? else {
        return None;
    };
    match get_mut(v, &KeyPath(parent.to_vec()))? {
        Value::Table(t) => {
            t.insert(k.clone(), x);
            Some(())
        }
        _ => None,
    }
}

/// Takes the key at `path` out of `v`: replaced by the value `defaults` has there,
/// else removed from its table. Returns whether `v` changed.
fn take_away(v: &mut Value, defaults: Option<&Value>, path: &KeyPath) -> bool {
    let Some((last, parent)) = path.0.split_last() else {
        return false;
    };
    let parent = KeyPath(parent.to_vec());
    if let Some(d) = defaults.and_then(|d| get(d, path)).cloned() {
        match get_mut(v, path) {
            Some(slot) if *slot != d => {
                *slot = d;
                return true;
            }
            Some(_) => return false,
            None => {
                // A key the table must have (serde: missing) that has a default.
                if let (Seg::Key(k), Some(Value::Table(t))) = (last, get_mut(v, &parent)) {
                    t.insert(k.clone(), d);
                    return true;
                }
                return false;
            }
        }
    }
    match (last, get_mut(v, &parent)) {
        (Seg::Key(k), Some(Value::Table(t))) => t.remove(k).is_some(),
        _ => false,
    }
}

/// How serde describes a value it did not expect (`string "x"`, `integer `5``).
fn described(v: &Value) -> Option<String> {
    Some(match v {
        Value::String(s) => format!("string {s:?}"),
        Value::Integer(i) => format!("integer `{i}`"),
        Value::Boolean(b) => format!("boolean `{b}`"),
        _ => return None,
    })
}

/// A problem serde found, located.
pub(super) struct Found {
    /// The key at fault.
    pub(super) path: KeyPath,
    /// The diagnostic.
    pub(super) diag: Diagnostic,
    /// Whether it is about the value (its type or its value), not about the key: such
    /// a diagnostic is given the key's range once the table deserializes.
    pub(super) about_value: bool,
}

/// Where serde's complaint `e` about `value` is, and what it says. Inside an
/// internally tagged enum (`[network]`, a distribution) serde loses the path; the
/// value it names is then looked for among the table's keys, and the one key that
/// holds it is named.
fn found(
    located: &Located<'_>,
    e: &serde_path_to_error::Error<toml::de::Error>,
    value: &Value,
) -> Found {
    let path = from_serde_path(e.path());
    let raw = e.inner().message();
    let (message, allowed, field) = explain_serde(raw);
    let mut diag = located.serde_error(e);
    let mut at = match &field {
        Some(f) => with_field(&path, f),
        None => path.clone(),
    };
    if field.is_none()
        && let Some(got) = raw
            .strip_prefix("invalid type: ")
            .or_else(|| raw.strip_prefix("invalid value: "))
            .and_then(|r| r.split_once(", expected ").map(|(g, _)| g))
        && let Some(Value::Table(t)) = get(value, &path)
    {
        let holders: Vec<&String> = t
            .iter()
            .filter(|(_, v)| described(v).as_deref() == Some(got))
            .map(|(k, _)| k)
            .collect();
        if let [k] = holders[..] {
            at = path.key(k);
            diag = located.diag(&at, &message, allowed);
        }
    }
    let about_value = field.is_none();
    Found {
        path: at,
        diag,
        about_value,
    }
}

/// Deserializes `value`, recording every problem serde finds in `found` (see the
/// module's text); `defaults` holds the values put in place of wrong ones. Returns
/// the value deserialized from what is left, or `None` when a problem could not be
/// taken away.
pub(super) fn deserialize_all<T: serde::de::DeserializeOwned>(
    mut value: Value,
    defaults: Option<&Value>,
    located: &Located<'_>,
    problems: &mut Vec<Found>,
) -> (Option<T>, Value) {
    for _ in 0..MAX_PEELED {
        match serde_path_to_error::deserialize::<_, T>(value.clone()) {
            Ok(t) => return (Some(t), value),
            Err(e) => {
                let f = found(located, &e, &value);
                let changed = take_away(&mut value, defaults, &f.path);
                problems.push(f);
                if !changed {
                    return (None, value);
                }
            }
        }
    }
    (None, value)
}

/// [`deserialize_all`] for a top-level table `key` of the file (no strategy; its
/// keys all have defaults, so a wrong one is removed), with its problems pushed to
/// `diags` (the range of a wrong value given by `allowed`, from the table left).
pub(super) fn deserialize_table<T: serde::de::DeserializeOwned>(
    root: &toml::Table,
    key: &str,
    idx: &SpanIndex,
    diags: &mut Vec<Diagnostic>,
    allowed: impl Fn(&KeyPath, &Value) -> Option<String>,
) -> Option<T> {
    let v = root.get(key)?.clone();
    let mut wrapped = toml::Table::new();
    wrapped.insert(key.to_string(), v);
    let prefix = KeyPath::default();
    let located = Located {
        idx,
        prefix: &prefix,
    };
    let mut problems = Vec::new();
    let (t, left) =
        deserialize_all::<Wrapped<T>>(Value::Table(wrapped), None, &located, &mut problems);
    for mut p in problems {
        if p.about_value
            && t.is_some()
            && let Some(a) = allowed(&p.path, &left)
        {
            p.diag.allowed = Some(a);
        }
        diags.push(p.diag);
    }
    t.map(|w| w.0)
}

/// A table under one key, as the file has it: `{ key = { ... } }`, so that serde's
/// paths name the key.
pub(super) struct Wrapped<T>(pub(super) T);

impl<'de, T: serde::de::DeserializeOwned> serde::Deserialize<'de> for Wrapped<T> {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V<T>(std::marker::PhantomData<T>);
        impl<'de, T: serde::de::DeserializeOwned> serde::de::Visitor<'de> for V<T> {
            type Value = Wrapped<T>;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a table")
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(
                self,
                mut m: A,
            ) -> Result<Wrapped<T>, A::Error> {
                let (_, v): (String, T) = m
                    .next_entry()?
                    .ok_or_else(|| serde::de::Error::custom("an empty table"))?;
                Ok(Wrapped(v))
            }
        }
        d.deserialize_map(V(std::marker::PhantomData))
    }
}
