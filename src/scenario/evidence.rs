//! The evidence file (`evidence/patterns.toml`): the empirical patterns the model
//! should reproduce, each with its citation, what was observed (a value, an interval,
//! or an inequality), and — where the model can express it — the statistic of the
//! model's outputs it maps to. `kampung calibrate` fits the model to the patterns a
//! scenario's `[calibrate]` table selects.
//!
//! A statistic is a sum of terms, each the mean over replicates of one measure of
//! one strategy (optionally of one social group) at one step or averaged over a
//! window of steps, times a coefficient. A paired contrast (strategy A minus
//! strategy B), a change over time (step 260 minus step 156) and a difference of
//! differences across groups are all such sums.

use crate::error::{Diagnostic, Error, Result};
use crate::model::metrics::{GroupMetrics, Metrics};
use crate::scenario::locate::{KeyPath, SpanIndex, explain_serde, from_serde_path, suggest};
use serde::Deserialize;
use std::path::Path;

/// Largest evidence file read, in bytes.
pub const MAX_EVIDENCE_BYTES: u64 = 4 << 20;

/// Measures computed from a run's group measures, beyond the columns of
/// `timeseries.csv` and `groups.csv`.
pub const DERIVED_MEASURES: &[&str] = &["targeting_error"];

/// One empirical pattern.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Pattern {
    /// Short unique name.
    pub id: String,
    /// The finding, in one sentence.
    pub claim: String,
    /// household, group, village or process.
    pub level: String,
    /// The source's authors.
    pub authors: Vec<String>,
    /// Year of publication.
    pub year: u32,
    /// The source's title.
    pub title: String,
    /// Where it was published.
    pub venue: String,
    /// Table, page or passage the figure comes from.
    #[serde(rename = "where")]
    pub location: String,
    /// An address where the passage can be read.
    #[serde(default)]
    pub url: Option<String>,
    /// A number from the source.
    #[serde(default)]
    pub observed: Option<Observed>,
    /// An inequality or qualitative finding, instead of a number.
    #[serde(default)]
    pub relation: Option<Relation>,
    /// The unit of the observed quantity.
    #[serde(default)]
    pub unit: String,
    /// The model measure it maps to, in words.
    #[serde(default)]
    pub measure: String,
    /// The steps it maps to, in words.
    #[serde(default)]
    pub window: String,
    /// The strategies it maps to, in words.
    #[serde(default)]
    pub strategy: String,
    /// Whether the model can produce this quantity today.
    pub expressible: bool,
    /// Why not, when it cannot.
    #[serde(default)]
    pub why_not: Option<String>,
    /// quoted, secondary or no.
    pub verified: String,
    /// What was searched, for a figure not found.
    #[serde(default)]
    pub status: Option<String>,
    /// Conversions, caveats.
    #[serde(default)]
    pub notes: Option<String>,
    /// The statistic of the model's outputs the pattern is compared with.
    #[serde(default)]
    pub statistic: Option<Statistic>,
}

/// A number from the source.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Observed {
    /// The point value.
    pub value: f64,
    /// A range the source gives (between releases, a confidence interval).
    #[serde(default)]
    pub interval: Option<[f64; 2]>,
    /// The source's standard error.
    #[serde(default)]
    pub se: Option<f64>,
}

/// An inequality or a qualitative finding.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Relation {
    /// What kind of relation.
    pub kind: RelationKind,
    /// The bound (0 when left out: the statistic is then a contrast).
    #[serde(default)]
    pub bound: Option<f64>,
    /// The quantity constrained, in words.
    #[serde(default)]
    pub of: Option<String>,
    /// What it is compared with, in words.
    #[serde(default)]
    pub than: Option<String>,
}

/// The kinds of relation an evidence file may state.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RelationKind {
    /// Below the bound.
    LessThan,
    /// At most the bound.
    LessThanOrEqual,
    /// Above the bound.
    GreaterThan,
    /// About the bound.
    ApproximatelyEqual,
    /// About zero.
    ApproximatelyZero,
}

/// A statistic of the model's outputs: `Σ coef · measure` over its terms.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Statistic {
    /// The terms summed.
    pub terms: Vec<Term>,
}

/// One term of a statistic: the mean over replicates of one measure.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Term {
    /// The strategy run (a strategy of the calibrated scenario).
    pub strategy: String,
    /// A column of `timeseries.csv`, of `groups.csv` (with `group`), or a derived
    /// measure ([`DERIVED_MEASURES`]).
    pub measure: String,
    /// The social group measured (a `groups.csv` measure).
    #[serde(default)]
    pub group: Option<String>,
    /// The step measured.
    #[serde(default)]
    pub step: Option<u32>,
    /// The steps averaged, first and last included (instead of `step`).
    #[serde(default)]
    pub window: Option<[u32; 2]>,
    /// The term's coefficient (1 when left out; −1 for the subtracted side of a
    /// contrast).
    #[serde(default = "one")]
    pub coef: f64,
}

fn one() -> f64 {
    1.0
}

impl Term {
    /// The steps measured, first and last.
    pub fn steps(&self) -> (u32, u32) {
        match (self.step, self.window) {
            (_, Some([a, b])) => (a, b),
            (Some(t), None) => (t, t),
            (None, None) => (0, 0),
        }
    }
}

/// Where a pattern's observation lies: the statistic's distance from it is how far
/// outside `[lo, hi]` the statistic falls (0 inside).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Target {
    /// Lowest value matching the observation (−∞ for an upper bound).
    pub lo: f64,
    /// Highest value matching it (+∞ for a lower bound).
    pub hi: f64,
    /// The point value, where there is one (for the predictive check).
    pub point: Option<f64>,
}

impl Target {
    /// How far `x` lies outside the target (NaN stays NaN).
    pub fn deviation(&self, x: f64) -> f64 {
        if x.is_nan() {
            f64::NAN
        } else if x < self.lo {
            self.lo - x
        } else if x > self.hi {
            x - self.hi
        } else {
            0.0
        }
    }

    /// Whether `x` matches.
    pub fn holds(&self, x: f64) -> bool {
        self.deviation(x) == 0.0
    }
}

impl Pattern {
    /// The pattern's target, from its observation (the interval when it gives one,
    /// else the value) or its relation; `None` when it has neither.
    pub fn target(&self) -> Option<Target> {
        if let Some(o) = &self.observed {
            let (lo, hi) = o.interval.map_or((o.value, o.value), |[a, b]| (a, b));
            return Some(Target {
                lo,
                hi,
                point: Some(o.value),
            });
        }
        let r = self.relation.as_ref()?;
        let b = r.bound.unwrap_or(0.0);
        let (lo, hi, point) = match r.kind {
            RelationKind::LessThan | RelationKind::LessThanOrEqual => (f64::NEG_INFINITY, b, None),
            RelationKind::GreaterThan => (b, f64::INFINITY, None),
            RelationKind::ApproximatelyEqual => (b, b, Some(b)),
            RelationKind::ApproximatelyZero => (0.0, 0.0, Some(0.0)),
        };
        Some(Target { lo, hi, point })
    }

    /// "Authors (year), where": the citation as one line.
    pub fn citation(&self) -> String {
        let who = match self.authors.as_slice() {
            [] => String::new(),
            [a] => a.clone(),
            [a, b] => format!("{a} & {b}"),
            [a, ..] => format!("{a} et al."),
        };
        format!("{who} ({}), {}", self.year, self.location)
    }
}

/// An evidence file, read and checked.
#[derive(Debug, Clone, PartialEq)]
pub struct Evidence {
    /// The patterns in file order.
    pub patterns: Vec<Pattern>,
    /// The file's text, for locating later problems.
    pub text: String,
    /// The file as named in diagnostics.
    pub shown: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    pattern: Vec<Pattern>,
}

impl Evidence {
    /// Reads an evidence file; every problem located by line and column.
    pub fn from_file(path: &Path) -> Result<Evidence> {
        let bytes = crate::scenario::input::read_regular(path, MAX_EVIDENCE_BYTES, true)
            .map_err(|e| Error::io(path, e))?;
        let shown = path.display().to_string();
        let text = String::from_utf8(bytes).map_err(|_| {
            Error::Invalid(vec![Diagnostic {
                file: shown.clone(),
                line: 0,
                column: 0,
                key: String::new(),
                message: "not UTF-8 text".into(),
                allowed: Some("a TOML text file in UTF-8".into()),
            }])
        })?;
        Evidence::from_text(&text, &shown)
    }

    /// Reads an evidence file from its text (`shown` names it in diagnostics).
    pub fn from_text(text: &str, shown: &str) -> Result<Evidence> {
        let value: toml::Value = toml::from_str(text).map_err(|e| {
            let (line, column) = e
                .span()
                .map_or((0, 0), |s| crate::scenario::locate::line_col(text, s.start));
            Error::Invalid(vec![Diagnostic {
                file: shown.into(),
                line,
                column,
                key: String::new(),
                message: e.message().to_string(),
                allowed: None,
            }])
        })?;
        let idx = SpanIndex::new(shown, text);
        let file: File = serde_path_to_error::deserialize(value).map_err(|e| {
            let path = from_serde_path(e.path());
            let (message, allowed, _) = explain_serde(&e.inner().to_string());
            Error::Invalid(vec![idx.diag(&path, true, message, allowed)])
        })?;
        let mut diags = Vec::new();
        for (i, p) in file.pattern.iter().enumerate() {
            let at = KeyPath::default().key("pattern").index(i);
            if file.pattern[..i].iter().any(|q| q.id == p.id) {
                diags.push(idx.diag(
                    &at.key("id"),
                    false,
                    format!("pattern `{}` is given twice", p.id),
                    Some("a different id for each pattern".into()),
                ));
            }
            if p.observed.is_some() == p.relation.is_some() && p.statistic.is_some() {
                diags.push(idx.diag(
                    &at.key("statistic"),
                    true,
                    "a pattern with a statistic needs exactly one of `observed` and `relation`",
                    None,
                ));
            }
            if let Some(o) = &p.observed {
                let bad = !o.value.is_finite()
                    || o.interval
                        .is_some_and(|[a, b]| !(a.is_finite() && b.is_finite() && a <= b))
                    || o.se.is_some_and(|s| !(s.is_finite() && s >= 0.0));
                if bad {
                    diags.push(idx.diag(
                        &at.key("observed"),
                        false,
                        "the observation is not a finite value with an ordered interval and a standard error ≥ 0",
                        None,
                    ));
                }
            }
            if let Some(st) = &p.statistic {
                if !p.expressible {
                    diags.push(idx.diag(
                        &at.key("expressible"),
                        false,
                        "a pattern with a statistic is one the model can express",
                        Some("true, or remove the statistic".into()),
                    ));
                }
                check_terms(st, &at.key("statistic"), &idx, &mut diags);
            }
        }
        if diags.is_empty() {
            Ok(Evidence {
                patterns: file.pattern,
                text: text.to_string(),
                shown: shown.to_string(),
            })
        } else {
            Err(Error::Invalid(diags))
        }
    }

    /// The pattern named `id`.
    pub fn get(&self, id: &str) -> Option<&Pattern> {
        self.patterns.iter().find(|p| p.id == id)
    }

    /// A diagnostic located at `path` in this file.
    pub fn diag(&self, path: &KeyPath, message: impl Into<String>) -> Diagnostic {
        SpanIndex::new(&self.shown, &self.text).diag(path, false, message, None)
    }

    /// The key path of pattern `i`.
    pub fn pattern_key(i: usize) -> KeyPath {
        KeyPath::default().key("pattern").index(i)
    }
}

/// Checks what can be checked without a scenario: known measures, one of `step`
/// and `window`, an ordered window, finite coefficients.
fn check_terms(st: &Statistic, at: &KeyPath, idx: &SpanIndex, diags: &mut Vec<Diagnostic>) {
    if st.terms.is_empty() {
        diags.push(idx.diag(&at.key("terms"), false, "no terms", None));
    }
    for (k, t) in st.terms.iter().enumerate() {
        let tk = at.key("terms").index(k);
        let known: Vec<&str> = if t.group.is_some() {
            GroupMetrics::COLUMNS.to_vec()
        } else {
            Metrics::COLUMNS
                .iter()
                .chain(DERIVED_MEASURES)
                .copied()
                .collect()
        };
        if !known.contains(&t.measure.as_str()) {
            let hint = suggest(&t.measure, &known)
                .map(|s| format!("; did you mean `{s}`?"))
                .unwrap_or_default();
            let what = if t.group.is_some() {
                "a column of groups.csv (the term has a `group`)"
            } else {
                "a column of timeseries.csv, or targeting_error"
            };
            diags.push(idx.diag(
                &tk.key("measure"),
                false,
                format!("unknown measure `{}`{hint}", t.measure),
                Some(what.into()),
            ));
        }
        match (t.step, t.window) {
            (Some(_), Some(_)) | (None, None) => diags.push(idx.diag(
                &tk,
                false,
                "give exactly one of `step` and `window`",
                Some("step = 156, or window = [104, 156]".into()),
            )),
            (None, Some([a, b])) if a > b => diags.push(idx.diag(
                &tk.key("window"),
                false,
                format!("the window [{a}, {b}] ends before it starts"),
                None,
            )),
            _ => {}
        }
        if !t.coef.is_finite() {
            diags.push(idx.diag(&tk.key("coef"), false, "not a finite number", None));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ONE: &str = r#"
[[pattern]]
id = "g"
claim = "c"
level = "household"
authors = ["A"]
year = 2024
title = "t"
venue = "v"
where = "Table 1"
observed = { value = 0.306, interval = [0.299, 0.313] }
expressible = true
verified = "quoted"
[pattern.statistic]
terms = [{ strategy = "full", measure = "gini", step = 0 }]
"#;

    #[test]
    fn reads_a_pattern_and_its_target() {
        let e = Evidence::from_text(ONE, "e.toml").expect("valid");
        let t = e.patterns[0].target().expect("target");
        assert_eq!((t.lo, t.hi, t.point), (0.299, 0.313, Some(0.306)));
        assert_eq!(t.deviation(0.3), 0.0);
        assert!((t.deviation(0.32) - 0.007).abs() < 1e-12);
    }

    #[test]
    fn a_misspelt_measure_is_located_with_a_suggestion() {
        let bad = ONE.replace("\"gini\"", "\"ginni\"");
        let Err(Error::Invalid(d)) = Evidence::from_text(&bad, "e.toml") else {
            panic!("accepted a misspelt measure")
        };
        assert_eq!(d[0].line, 15, "{d:?}");
        assert!(d[0].message.contains("did you mean `gini`"), "{d:?}");
    }

    #[test]
    fn an_unknown_key_is_located() {
        let bad = ONE.replace("verified =", "verifed =");
        let Err(Error::Invalid(d)) = Evidence::from_text(&bad, "e.toml") else {
            panic!("accepted an unknown key")
        };
        assert!(d[0].line > 0 && d[0].message.contains("verified"), "{d:?}");
    }
}
