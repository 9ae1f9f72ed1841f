//! Turning frames into text: a [`Screen`] redrawn in place on a terminal (colours,
//! bars, sparklines, a stage timeline), or a [`PlainLog`] of lines for a pipe or a
//! log file (no escape codes: a line per event, a banner per stage, a table every few
//! steps). Both end with the same [`summary`].
//!
//! Renderers only format: every number comes from the frames and the summary.

use super::{
    Comparison, Event, EventKind, Frame, INDICATORS, Indicator, OUTCOMES, SideFrame, Summary,
    format_outcome, stage_text, unit_name,
};
use crate::model::metrics::Metrics;
use crate::model::stage::{EndReason, Stage};
use crate::model::village::DataFiles;

/// ANSI select-graphic-rendition codes used on the terminal.
mod plain;
mod screen;

pub use plain::{PlainLog, summary};
pub use screen::Screen;

mod sgr {
    pub const RESET: &str = "\x1b[0m";
    pub const BOLD: &str = "\x1b[1m";
    pub const DIM: &str = "\x1b[2m";
    pub const BANNER: &str = "\x1b[1;30;43m";
    pub const SKIPPED: &str = "\x1b[1;31m";
    pub const EXIT: &str = "\x1b[1;31m";
    /// Colours of the reference side and the compared side.
    pub const SIDE: [&str; 2] = ["\x1b[36m", "\x1b[35m"];
    pub const SIDE_BOLD: [&str; 2] = ["\x1b[1;36m", "\x1b[1;35m"];
}

/// Wraps `text` in an SGR code when `color` is on.
pub(super) fn paint(text: &str, code: &str, color: bool) -> String {
    if color && !text.is_empty() {
        format!("{code}{text}{}", sgr::RESET)
    } else {
        text.to_string()
    }
}

/// The number of character cells `s` takes on screen, escape codes left out (every
/// character this module prints is one cell wide).
pub fn visible_width(s: &str) -> usize {
    let mut n = 0;
    let mut chars = s.chars();
    while let Some(c) = chars.next() {
        if c == '\x1b' {
            for d in chars.by_ref() {
                if d.is_ascii_alphabetic() {
                    break;
                }
            }
        } else {
            n += 1;
        }
    }
    n
}

/// Cuts `s` to at most `width` visible cells, keeping escape codes whole (and
/// resetting the style when it cuts).
pub(super) fn fit(s: &str, width: usize) -> String {
    if visible_width(s) <= width {
        return s.to_string();
    }
    let mut out = String::new();
    let mut n = 0;
    let mut chars = s.chars();
    let mut styled = false;
    while let Some(c) = chars.next() {
        if c == '\x1b' {
            out.push(c);
            for d in chars.by_ref() {
                out.push(d);
                if d.is_ascii_alphabetic() {
                    break;
                }
            }
            styled = true;
        } else {
            if n == width {
                break;
            }
            out.push(c);
            n += 1;
        }
    }
    if styled {
        out.push_str(sgr::RESET);
    }
    out
}

/// Cuts a line to `width` visible cells, keeping its escape codes whole.
pub fn fit_width(s: &str, width: usize) -> String {
    fit(s, width)
}

/// Pads `s` with spaces to `width` visible cells (cutting it if longer).
pub(super) fn pad(s: &str, width: usize) -> String {
    let s = fit(s, width);
    let w = visible_width(&s);
    format!("{s}{}", " ".repeat(width.saturating_sub(w)))
}

/// Right-aligns `s` in `width` cells.
pub(super) fn rpad(s: &str, width: usize) -> String {
    let w = visible_width(s);
    format!("{}{s}", " ".repeat(width.saturating_sub(w)))
}

/// Greedy word wrap to `width` cells.
pub(super) fn wrap(text: &str, width: usize) -> Vec<String> {
    let width = width.max(10);
    let mut lines = Vec::new();
    let mut cur = String::new();
    for word in text.split_whitespace() {
        if !cur.is_empty() && cur.chars().count() + 1 + word.chars().count() > width {
            lines.push(std::mem::take(&mut cur));
        }
        if !cur.is_empty() {
            cur.push(' ');
        }
        cur.push_str(word);
    }
    if !cur.is_empty() {
        lines.push(cur);
    }
    lines
}

/// A value as shown beside its bar: `41%` for a share, `0.32` otherwise, `n/a` when
/// undefined.
pub(super) fn short_value(v: f64, percent: bool) -> String {
    if !v.is_finite() {
        "n/a".into()
    } else if percent {
        format!("{:.0}%", 100.0 * v)
    } else {
        format!("{v:.2}")
    }
}

/// A horizontal bar of `width` cells for a value in [0, 1] (clipped): Unicode blocks
/// in eighths on a terminal, `#` and `.` in plain text.
pub(super) fn bar(v: f64, width: usize, unicode: bool) -> (String, String) {
    if width == 0 {
        return (String::new(), String::new());
    }
    if !v.is_finite() {
        return (String::new(), " ".repeat(width));
    }
    let x = v.clamp(0.0, 1.0) * width as f64;
    if unicode {
        let eighths = (x * 8.0).round() as usize;
        let full = eighths / 8;
        let part = eighths % 8;
        let mut filled = "█".repeat(full.min(width));
        if part > 0 && full < width {
            filled.push(['▏', '▎', '▍', '▌', '▋', '▊', '▉'][part - 1]);
        }
        let used = full + usize::from(part > 0);
        (filled, "░".repeat(width.saturating_sub(used)))
    } else {
        let full = (x.round() as usize).min(width);
        ("#".repeat(full), ".".repeat(width - full))
    }
}

/// A sparkline of `values` (each in [0, 1], clipped; NaN blank).
pub(super) fn sparkline(values: &[f64]) -> String {
    const TICKS: [char; 8] = ['▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'];
    values
        .iter()
        .map(|&v| {
            if v.is_finite() {
                TICKS[((v.clamp(0.0, 1.0) * 7.0).round() as usize).min(7)]
            } else {
                ' '
            }
        })
        .collect()
}

/// `stage 2 of 5` for the five stages, words for the other phases.
pub(super) fn stage_number(s: Stage) -> String {
    match s {
        Stage::Before => "before the organizer".into(),
        Stage::Institution => "after the five stages".into(),
        _ => format!("stage {} of 5", s.number()),
    }
}

/// A phase in a few words: `3 design`, `institution`.
pub(super) fn stage_short(s: Stage) -> String {
    match s {
        Stage::Before | Stage::Institution => s.name().into(),
        _ => format!("{} {}", s.number(), s.name()),
    }
}

/// Why a stage ended, in words.
pub(super) fn reason_words(r: EndReason) -> &'static str {
    match r {
        EndReason::Criterion => "target met",
        EndReason::Timeout => "time ran out",
        EndReason::Skipped => "skipped",
        EndReason::Exit => "organizer left",
        EndReason::RunEnd => "run ended",
    }
}

/// The label of an indicator row: the `attend` rows name the marginalized group when
/// the village has exactly one.
pub(super) fn indicator_label(ind: &Indicator, marginalized: &str) -> String {
    if ind.label == "attend: marg." {
        format!("attend: {marginalized}")
    } else {
        ind.label.to_string()
    }
}

/// Whether the value `ind` shows for a side is the organizer's guess rather than a
/// finding: "marg. identified" before any household has been interviewed is the
/// proxy the organizer takes on arrival, the poorest households (ODD 7.14; without
/// the investigation stage the guess stays).
pub(super) fn is_guess(ind: &Indicator, m: &crate::model::metrics::Metrics) -> bool {
    ind.label == "marg. identified" && m.map == 0.0
}

/// A guessed value in words, in at most `width` cells if it can be said so:
/// `organizer's guess 63%`, else `guess 63%`.
pub(super) fn guess_words(v: f64, percent: bool, width: usize) -> String {
    let value = short_value(v, percent);
    let long = format!("organizer's guess {value}");
    if long.chars().count() <= width {
        long
    } else {
        format!("guess {value}")
    }
}

/// The first of `candidates` that fits in `width` cells, else the last: texts that
/// say the same more briefly, so that a narrow terminal shortens the words and never
/// cuts a number.
pub(super) fn first_fitting(candidates: &[String], width: usize) -> String {
    candidates
        .iter()
        .find(|c| visible_width(c) <= width)
        .or(candidates.last())
        .cloned()
        .unwrap_or_default()
}

/// What the renderers need to know about a comparison besides its frames.
#[derive(Debug, Clone)]
pub(super) struct Info {
    scenario: String,
    households: usize,
    seed: u64,
    unit: &'static str,
    labels: [String; 2],
    marginalized: String,
    issues: Vec<String>,
    exit: [Option<u32>; 2],
    how: String,
    same_village: bool,
    /// Village, environment, and the two dynamics seeds.
    seeds: [u64; 4],
}

impl Info {
    fn new(cmp: &Comparison) -> Info {
        let p = &cmp.sides[0].params;
        let marg: Vec<&str> = p
            .population
            .groups
            .iter()
            .filter(|g| g.marginalized)
            .map(|g| g.name.as_str())
            .collect();
        let households = match &p.population.households_csv {
            Some(path) => cmp
                .scenario()
                .inputs
                .households(path)
                .map_or(p.population.households, |r| r.len()),
            None => p.population.households,
        };
        Info {
            scenario: cmp.scenario().name.clone(),
            households,
            seed: cmp.scenario().seed,
            unit: unit_name(p.time.step),
            labels: [cmp.sides[0].label.clone(), cmp.sides[1].label.clone()],
            marginalized: if marg.len() == 1 {
                marg[0].to_string()
            } else {
                "marg.".to_string()
            },
            issues: p.population.issues.clone(),
            exit: [0, 1].map(|k| {
                let o = &cmp.sides[k].params.organizer;
                (o.enabled && o.exit_step < cmp.sides[k].params.time.steps).then_some(o.exit_step)
            }),
            how: cmp.how.clone(),
            same_village: cmp.same_village(),
            seeds: [
                cmp.village_seed,
                cmp.environment_seed,
                cmp.sides[0].seed,
                cmp.sides[1].seed,
            ],
        }
    }

    fn issue(&self, k: Option<usize>) -> String {
        match k.and_then(|k| self.issues.get(k)) {
            Some(name) => format!(" on {name}"),
            None => String::new(),
        }
    }

    /// One event in words, without the step.
    fn event_words(&self, e: &Event) -> String {
        match e.kind {
            EventKind::StageStarted(s) => match s {
                Stage::Institution => "the five stages are over".into(),
                Stage::Before => "waits for the organizer".into(),
                _ => format!("{}: {} begins", stage_number(s), s.name()),
            },
            EventKind::StageSkipped(s) => {
                format!("{}: {} SKIPPED", stage_number(s), s.name())
            }
            EventKind::StageEnded(s, r) => format!("{} ends ({})", s.name(), reason_words(r)),
            EventKind::ActionEnded { success, issue } => format!(
                "the collective action{} {}",
                self.issue(issue),
                if success { "succeeded" } else { "failed" }
            ),
            EventKind::OrganizationFormed(m) => format!(
                "the people's organization forms: {:.1}% of households are members",
                100.0 * m
            ),
            EventKind::NoOrganization => "no people's organization has formed".into(),
            EventKind::OrganizerLeft => "the organizer leaves: the village is on its own".into(),
        }
    }

    fn header(&self, unicode: bool, width: usize, seeds: bool) -> Vec<String> {
        let dot = if unicode { "·" } else { "-" };
        let mut v = vec![
            format!(
                "kampung demo {dot} `{}` {dot} {} households {dot} seed {}, replicate 0",
                self.scenario, self.households, self.seed
            ),
            format!("compared: {}", self.how),
        ];
        if seeds {
            v.push(format!(
                "both sides: village seed {}, shocks seed {}; dynamics seeds {} and {}",
                self.seeds[0], self.seeds[1], self.seeds[2], self.seeds[3]
            ));
        }
        if !self.same_village {
            v.push(
                "note: the two sides set population, network or participation differently, \
                 so their villages differ"
                    .into(),
            );
        }
        v.iter().flat_map(|l| wrap(l, width)).collect()
    }
}

/// `s` cut to `width` characters, the last one an ellipsis when cut.
pub(super) fn ellipsis(s: &str, width: usize) -> String {
    if s.chars().count() <= width {
        s.to_string()
    } else {
        let mut t: String = s.chars().take(width.saturating_sub(1)).collect();
        t.push('…');
        t
    }
}

pub(super) fn capitalize(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().collect::<String>() + c.as_str(),
        None => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bars_fill_in_proportion() {
        let (a, b) = bar(0.5, 10, false);
        assert_eq!((a.as_str(), b.as_str()), ("#####", "....."));
        let (a, b) = bar(1.7, 4, true);
        assert_eq!((a.chars().count(), b.chars().count()), (4, 0));
        let (a, b) = bar(0.0, 4, true);
        assert_eq!((a.chars().count(), b.chars().count()), (0, 4));
        let (a, b) = bar(f64::NAN, 4, true);
        assert_eq!(a.chars().count() + b.chars().count(), 4);
        // Eighths: 0.55 of 2 cells = 1.1 cells: one full and a partial cell.
        let (a, b) = bar(0.55, 2, true);
        assert_eq!(a.chars().count() + b.chars().count(), 2);
    }

    #[test]
    fn fitting_keeps_escape_codes_whole() {
        let s = format!("{}hello{} world", sgr::BOLD, sgr::RESET);
        assert_eq!(visible_width(&s), 11);
        let f = fit(&s, 3);
        assert_eq!(visible_width(&f), 3);
        assert!(f.starts_with(sgr::BOLD) && f.ends_with(sgr::RESET));
        assert_eq!(pad("ab", 4), "ab  ");
        assert_eq!(rpad("ab", 4), "  ab");
    }

    #[test]
    fn wrapping_respects_the_width() {
        let text = stage_text(Stage::Immersion).does;
        for l in wrap(text, 30) {
            assert!(l.chars().count() <= 30, "{l}");
        }
        assert_eq!(wrap(text, 1000).len(), 1);
    }

    #[test]
    fn sparklines_scale_from_zero_to_one() {
        assert_eq!(sparkline(&[0.0, 1.0, f64::NAN, 2.0]), "▁█ █");
    }
}
