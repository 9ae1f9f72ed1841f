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
fn paint(text: &str, code: &str, color: bool) -> String {
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
fn fit(s: &str, width: usize) -> String {
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
fn pad(s: &str, width: usize) -> String {
    let s = fit(s, width);
    let w = visible_width(&s);
    format!("{s}{}", " ".repeat(width.saturating_sub(w)))
}

/// Right-aligns `s` in `width` cells.
fn rpad(s: &str, width: usize) -> String {
    let w = visible_width(s);
    format!("{}{s}", " ".repeat(width.saturating_sub(w)))
}

/// Greedy word wrap to `width` cells.
fn wrap(text: &str, width: usize) -> Vec<String> {
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
fn short_value(v: f64, percent: bool) -> String {
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
fn bar(v: f64, width: usize, unicode: bool) -> (String, String) {
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
fn sparkline(values: &[f64]) -> String {
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
fn stage_number(s: Stage) -> String {
    match s {
        Stage::Before => "before the organizer".into(),
        Stage::Institution => "after the five stages".into(),
        _ => format!("stage {} of 5", s.number()),
    }
}

/// A phase in a few words: `3 design`, `institution`.
fn stage_short(s: Stage) -> String {
    match s {
        Stage::Before | Stage::Institution => s.name().into(),
        _ => format!("{} {}", s.number(), s.name()),
    }
}

/// Why a stage ended, in words.
fn reason_words(r: EndReason) -> &'static str {
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
fn indicator_label(ind: &Indicator, marginalized: &str) -> String {
    if ind.label == "attend: marg." {
        format!("attend: {marginalized}")
    } else {
        ind.label.to_string()
    }
}

/// What the renderers need to know about a comparison besides its frames.
#[derive(Debug, Clone)]
struct Info {
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

/// The screen for a terminal: redrawn in place each step, sized to the terminal.
///
/// Feed it every frame with [`Screen::update`], then ask for the lines of the screen
/// with [`Screen::draw`]; [`Screen::paint`] wraps them in the cursor movements that
/// redraw in place.
#[derive(Debug, Clone)]
pub struct Screen {
    info: Info,
    color: bool,
    steps: u32,
    /// Per side, per step: indicator values.
    history: [Vec<[f64; INDICATORS.len()]>; 2],
    /// Per side, per step: the phase.
    phases: [Vec<Stage>; 2],
    /// Events so far, newest last: side and text.
    log: Vec<(usize, String)>,
    /// Last frame seen.
    frame: Option<Frame>,
    size: Option<(usize, usize)>,
}

impl Screen {
    /// A screen for `cmp`, in colour or not.
    pub fn new(cmp: &Comparison, color: bool) -> Screen {
        Screen {
            info: Info::new(cmp),
            color,
            steps: cmp.steps(),
            history: [Vec::new(), Vec::new()],
            phases: [Vec::new(), Vec::new()],
            log: Vec::new(),
            frame: None,
            size: None,
        }
    }

    /// Takes in a frame: its values join the sparklines and timeline, its events the
    /// log.
    pub fn update(&mut self, f: &Frame) {
        for k in 0..2 {
            let m = &f.sides[k].metrics;
            let row = std::array::from_fn(|i| (INDICATORS[i].value)(m));
            let t = f.step as usize;
            self.history[k].truncate(t);
            self.history[k].resize(t, row);
            self.history[k].push(row);
            self.phases[k].truncate(t);
            self.phases[k].resize(t, f.sides[k].stage);
            self.phases[k].push(f.sides[k].stage);
        }
        for e in &f.events {
            if matches!(e.kind, EventKind::StageEnded(..)) {
                continue; // the next stage's start says it
            }
            let text = format!(
                "{} {:>4}  {}: {}",
                capitalize(self.info.unit),
                e.step,
                self.info.labels[e.side],
                self.info.event_words(e)
            );
            self.log.push((e.side, text));
        }
        let keep = 64;
        if self.log.len() > keep {
            self.log.drain(..self.log.len() - keep);
        }
        self.frame = Some(f.clone());
    }

    /// The lines of the screen for a terminal of `cols` × `rows` cells (at most
    /// `rows − 1` lines, none wider than `cols`), with colour codes when colour is on.
    pub fn draw(&self, cols: usize, rows: usize) -> Vec<String> {
        let Some(f) = &self.frame else {
            return Vec::new();
        };
        let c = self.color;
        let cols = cols.max(40);
        let mut lines: Vec<(u8, String)> = Vec::new();
        let unit = self.info.unit;
        // Header.
        let left = format!(
            "kampung demo · {} · {} households · seed {}",
            self.info.scenario, self.info.households, self.info.seed
        );
        let right = format!("{} {} of {}", unit, f.step, f.steps);
        let gap = cols.saturating_sub(left.chars().count() + right.chars().count());
        let header = if gap >= 1 {
            format!(
                "{}{}{}",
                paint(&left, sgr::BOLD, c),
                " ".repeat(gap),
                paint(&right, sgr::BOLD, c)
            )
        } else {
            paint(&right, sgr::BOLD, c)
        };
        lines.push((10, header));
        // Banner: the reference side's phase.
        let s0 = &f.sides[0];
        let text = stage_text(s0.stage);
        let title = format!(" {} · {} ", capitalize(&stage_number(s0.stage)), text.title);
        let since = format!("since {unit} {} ", s0.stage_start);
        let banner = if visible_width(&title) + visible_width(&since) <= cols {
            format!(
                "{title}{}{since}",
                " ".repeat(cols - visible_width(&title) - visible_width(&since))
            )
        } else {
            pad(&title, cols)
        };
        lines.push((10, paint(&banner, sgr::BANNER, c)));
        for l in wrap(text.does, cols - 2) {
            lines.push((9, format!("  {l}")));
        }
        lines.push((3, String::new()));
        // Columns.
        let lw = 19;
        let pw = (cols - lw - 3) / 2;
        let sep = paint(" │ ", sgr::DIM, c);
        let (bar_w, spark_w) = if pw >= 40 {
            (16, pw - 16 - 1 - 5 - 2)
        } else {
            (pw.saturating_sub(7), 0)
        };
        let heads: Vec<String> = (0..2)
            .map(|k| pad(&paint(&self.info.labels[k], sgr::SIDE_BOLD[k], c), pw))
            .collect();
        lines.push((
            10,
            format!("{}{}{sep}{}", " ".repeat(lw), heads[0], heads[1]),
        ));
        let stage_cells: Vec<String> = (0..2)
            .map(|k| {
                let sf = &f.sides[k];
                let mut t = format!(
                    "{} · since {} {}",
                    stage_short(sf.stage),
                    unit,
                    sf.stage_start
                );
                if sf.stage == Stage::Institution && self.info.exit[k].is_some_and(|x| f.step > x) {
                    t = format!("on its own since {unit} {}", self.info.exit[k].unwrap_or(0));
                }
                pad(&t, pw)
            })
            .collect();
        lines.push((
            9,
            format!(
                "{}{}{sep}{}",
                pad("stage", lw),
                stage_cells[0],
                stage_cells[1]
            ),
        ));
        for (i, ind) in INDICATORS.iter().enumerate() {
            let moved = ind.moved_by.contains(&s0.stage);
            let label = indicator_label(ind, &self.info.marginalized);
            let label = if moved {
                paint(&format!("▸ {label}"), sgr::BOLD, c)
            } else {
                format!("  {label}")
            };
            let cells: Vec<String> = (0..2)
                .map(|k| self.cell(k, i, ind, &f.sides[k], bar_w, spark_w, pw))
                .collect();
            let prio = match ind.label {
                "marg. identified" | "legitimacy" | "unreached marg." => 6,
                _ => 8,
            };
            lines.push((
                prio,
                format!("{}{}{sep}{}", pad(&label, lw), cells[0], cells[1]),
            ));
        }
        lines.push((2, String::new()));
        // Stage timelines on one time axis.
        let tw = cols - lw - 2;
        for k in 0..2 {
            let strip = self.timeline(k, tw);
            lines.push((
                5,
                format!(
                    "{}[{}]",
                    pad(
                        &paint(&ellipsis(&self.info.labels[k], lw - 2), sgr::SIDE[k], c),
                        lw - 1
                    ),
                    strip
                ),
            ));
        }
        lines.push((
            1,
            paint(
                &format!(
                    "{}1-5 stages, ═ institution, | organizer leaves; {unit}s 0 to {}",
                    " ".repeat(lw),
                    f.steps
                ),
                sgr::DIM,
                c,
            ),
        ));
        lines.push((2, String::new()));
        // Events, newest last: the newest two by priority, older ones as room allows.
        let paint_event = |side: usize, text: &str| {
            let code = if text.contains("SKIPPED") {
                sgr::SKIPPED
            } else {
                sgr::SIDE[side]
            };
            paint(&fit(text, cols), code, c)
        };
        let n_events = self.log.len();
        let recent = n_events.saturating_sub(2);
        for (j, (side, text)) in self.log.iter().enumerate().skip(recent) {
            let prio = if j + 1 == n_events { 7 } else { 4 };
            lines.push((prio, paint_event(*side, text)));
        }
        lines.push((
            4,
            paint(
                &format!(
                    "▸ rows this stage moves · bars 0-100% (capacity, awareness, gap 0-1){}",
                    if spark_w > 0 {
                        format!(" · lines: {unit}s 0-{}", f.steps)
                    } else {
                        String::new()
                    }
                ),
                sgr::DIM,
                c,
            ),
        ));
        // Keep what fits: drop the lowest priorities first.
        let room = rows.saturating_sub(1).max(1);
        let mut min_prio = 0u8;
        while lines.iter().filter(|(p, _)| *p >= min_prio).count() > room && min_prio < 10 {
            min_prio += 1;
        }
        let mut kept: Vec<String> = lines
            .into_iter()
            .filter(|(p, _)| *p >= min_prio)
            .map(|(_, l)| fit(&l, cols))
            .collect();
        kept.truncate(room);
        // Older events, newest first, in the room left (at most 12 events in all),
        // just above the newest ones.
        let shown = n_events - recent;
        let spare = room
            .saturating_sub(kept.len())
            .min(MAX_EVENTS.saturating_sub(shown));
        if spare > 0 && min_prio <= 4 {
            let older: Vec<String> = self.log[recent.saturating_sub(spare)..recent]
                .iter()
                .map(|(side, text)| paint_event(*side, text))
                .collect();
            let at = kept.len() - 1 - shown.min(kept.len() - 1);
            for (o, l) in older.into_iter().enumerate() {
                kept.insert(at + o, l);
            }
        }
        kept
    }

    #[allow(clippy::too_many_arguments)]
    fn cell(
        &self,
        k: usize,
        i: usize,
        ind: &Indicator,
        sf: &SideFrame,
        bar_w: usize,
        spark_w: usize,
        pw: usize,
    ) -> String {
        let c = self.color;
        let v = (ind.value)(&sf.metrics);
        let (filled, empty) = bar(v, bar_w, true);
        let mut s = format!(
            "{}{} {}",
            paint(&filled, sgr::SIDE[k], c),
            paint(&empty, sgr::DIM, c),
            rpad(&short_value(v, ind.percent), 5)
        );
        if spark_w > 0 {
            let values = self.spark_values(k, i, spark_w);
            s.push_str("  ");
            s.push_str(&paint(&sparkline(&values), sgr::SIDE[k], c));
        }
        pad(&s, pw)
    }

    /// Values for a sparkline of `width` cells on the demonstration's time axis: cell
    /// `j` shows the value at the last step so far within its share of the steps; NaN
    /// for the future.
    fn spark_values(&self, k: usize, i: usize, width: usize) -> Vec<f64> {
        let h = &self.history[k];
        let total = self.steps.max(1) as usize;
        (0..width)
            .map(|j| {
                let end = ((j + 1) * total).div_ceil(width).min(total);
                let start = (j * total) / width;
                if start >= h.len() {
                    f64::NAN
                } else {
                    h[end.min(h.len() - 1)][i]
                }
            })
            .collect()
    }

    /// One side's phases along the time axis, `width` cells. A cell stands for its
    /// share of the steps and shows a stage that begins in it (so that a short stage
    /// still shows), else the phase it starts in.
    fn timeline(&self, k: usize, width: usize) -> String {
        let ph = &self.phases[k];
        let total = self.steps.max(1) as usize;
        let exit = self.info.exit[k].map(|x| x as usize);
        let mut out = String::new();
        let mut prev: Option<Stage> = None;
        for j in 0..width {
            let start = (j * total) / width;
            let end = (((j + 1) * total) / width).max(start + 1);
            if start >= ph.len() {
                out.push(' ');
                continue;
            }
            if exit.is_some_and(|x| x >= start && x < end) {
                out.push_str(&paint("|", sgr::EXIT, self.color));
                continue;
            }
            let seen = &ph[start..end.min(ph.len())];
            let s = seen
                .iter()
                .copied()
                .find(|&s| Some(s) != prev && Stage::FIVE.contains(&s))
                .unwrap_or(seen[0]);
            prev = Some(s);
            let (ch, code) = match s {
                Stage::Before => ("·", sgr::DIM),
                Stage::Institution => ("═", sgr::SIDE[k]),
                _ => (
                    ["1", "2", "3", "4", "5"][s.number() as usize - 1],
                    STAGE_BG[s.number() as usize - 1],
                ),
            };
            out.push_str(&paint(ch, code, self.color));
        }
        out
    }

    /// The screen as bytes for the terminal: the cursor goes home and every line is
    /// overwritten in place (cleared to its end), then the rest of the screen is
    /// cleared; the whole screen is cleared first when the terminal's size changed.
    pub fn paint(&mut self, cols: usize, rows: usize) -> String {
        let lines = self.draw(cols, rows);
        let mut out = String::new();
        if self.size != Some((cols, rows)) {
            out.push_str("\x1b[2J");
            self.size = Some((cols, rows));
        }
        out.push_str("\x1b[H");
        for l in &lines {
            out.push_str(l);
            out.push_str("\x1b[K\r\n");
        }
        out.push_str("\x1b[J");
        out
    }
}

/// The most events the screen lists at once.
const MAX_EVENTS: usize = 12;

/// Background colours of stages 1-5 on the timeline.
const STAGE_BG: [&str; 5] = [
    "\x1b[30;44m",
    "\x1b[30;46m",
    "\x1b[30;42m",
    "\x1b[30;43m",
    "\x1b[30;45m",
];

/// `s` cut to `width` characters, the last one an ellipsis when cut.
fn ellipsis(s: &str, width: usize) -> String {
    if s.chars().count() <= width {
        s.to_string()
    } else {
        let mut t: String = s.chars().take(width.saturating_sub(1)).collect();
        t.push('…');
        t
    }
}

fn capitalize(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().collect::<String>() + c.as_str(),
        None => String::new(),
    }
}

/// Plain lines for a pipe or a log: the header, a banner as the reference side begins
/// each stage, a line for every other event, and a table of the indicators every
/// `every` steps. No escape codes.
#[derive(Debug, Clone)]
pub struct PlainLog {
    info: Info,
    every: u32,
}

impl PlainLog {
    /// A log for `cmp` with a table every `every` steps (0: no tables).
    pub fn new(cmp: &Comparison, every: u32) -> PlainLog {
        PlainLog {
            info: Info::new(cmp),
            every,
        }
    }

    /// The opening lines: what is compared, on which village.
    pub fn header(&self) -> Vec<String> {
        self.info.header(false, 80, true)
    }

    /// The lines for one frame.
    pub fn frame(&self, f: &Frame) -> Vec<String> {
        let mut out = Vec::new();
        let unit = self.info.unit;
        for e in &f.events {
            let label = &self.info.labels[e.side];
            match e.kind {
                EventKind::StageStarted(s) if e.side == 0 => {
                    let text = stage_text(s);
                    out.push(String::new());
                    out.push(format!(
                        "== {unit} {} | {label} | {}: {} ==",
                        e.step,
                        capitalize(&stage_number(s)),
                        text.title
                    ));
                    for l in wrap(text.does, 76) {
                        out.push(format!("   {l}"));
                    }
                }
                _ => out.push(format!(
                    "   {unit} {} | {label} | {}",
                    e.step,
                    self.info.event_words(e)
                )),
            }
        }
        let last = f.step == f.steps;
        if f.step > 0 && ((self.every > 0 && f.step.is_multiple_of(self.every)) || last) {
            out.extend(self.table(f));
        }
        out
    }

    /// The indicators of both sides at a frame, with ASCII bars.
    pub fn table(&self, f: &Frame) -> Vec<String> {
        let unit = self.info.unit;
        let (lw, pw, bw) = (18, 26, 16);
        let mut out = vec![
            format!("-- {unit} {} of {} --", f.step, f.steps),
            format!(
                "{}{}  {}",
                " ".repeat(lw),
                pad(&self.info.labels[0], pw),
                pad(&self.info.labels[1], pw)
            ),
            format!(
                "{}{}  {}",
                pad("stage", lw),
                pad(&stage_short(f.sides[0].stage), pw),
                pad(&stage_short(f.sides[1].stage), pw)
            ),
        ];
        for ind in INDICATORS {
            let cells: Vec<String> = f
                .sides
                .iter()
                .map(|sf| {
                    let v = (ind.value)(&sf.metrics);
                    let (a, b) = bar(v, bw, false);
                    pad(
                        &format!("{a}{b} {}", rpad(&short_value(v, ind.percent), 5)),
                        pw,
                    )
                })
                .collect();
            out.push(format!(
                "{}{}  {}",
                pad(&indicator_label(ind, &self.info.marginalized), lw),
                cells[0],
                cells[1]
            ));
        }
        out
    }
}

/// The closing summary, side by side: when each stage began and ended (and why), when
/// the organizer left, and the outcomes at the end and `horizon` steps after the
/// organizer's exit. Colour codes only when `color` is on; text lines are wrapped to
/// `width` (the tables take 76 cells).
pub fn summary(cmp: &Comparison, s: &Summary, color: bool, width: usize) -> Vec<String> {
    let info = Info::new(cmp);
    let unit = info.unit;
    let c = color;
    let (lw, cw) = (26, 11);
    let pw = 2 * cw + 2;
    let mut out = info.header(color, width, false);
    out.push(String::new());
    let heads = format!(
        "{}  {}",
        pad(&paint(&s.sides[0].label, sgr::SIDE_BOLD[0], c), pw),
        pad(&paint(&s.sides[1].label, sgr::SIDE_BOLD[1], c), pw)
    );
    out.push(format!(
        "{}{heads}",
        pad(&paint(&format!("Stages ({unit}s)"), sgr::BOLD, c), lw)
    ));
    for st in Stage::FIVE {
        let cells: Vec<String> = s
            .sides
            .iter()
            .map(|side| match side.stage(st) {
                None => "not reached".to_string(),
                Some(r) if r.reason == EndReason::Skipped => "SKIPPED".to_string(),
                Some(r) => format!("{}-{}, {}", r.start, r.end, reason_words(r.reason)),
            })
            .map(|t| {
                if t == "SKIPPED" {
                    pad(&paint(&t, sgr::SKIPPED, c), pw)
                } else {
                    pad(&t, pw)
                }
            })
            .collect();
        out.push(format!(
            "{}{}  {}",
            pad(&format!("{} {}", st.number(), st.name()), lw),
            cells[0],
            cells[1]
        ));
    }
    let exits: Vec<String> = s
        .sides
        .iter()
        .map(|side| match side.exit_step {
            Some(x) => pad(&format!("{unit} {x}"), pw),
            None => pad("stays to the end", pw),
        })
        .collect();
    out.push(format!(
        "{}{}  {}",
        pad("organizer leaves", lw),
        exits[0],
        exits[1]
    ));
    out.push(String::new());
    out.push(format!(
        "{}{heads}",
        pad(&paint("Outcomes", sgr::BOLD, c), lw)
    ));
    let post_head = format!("+{} {unit}s", s.horizon);
    out.push(format!(
        "{}{}{}  {}{}",
        " ".repeat(lw),
        rpad("end", cw),
        rpad(&post_head, cw + 2),
        rpad("end", cw),
        rpad(&post_head, cw + 2)
    ));
    let steps_row: Vec<String> = s
        .sides
        .iter()
        .map(|side| {
            format!(
                "{}{}",
                rpad(&format!("({unit} {})", side.end_step), cw),
                rpad(
                    &side
                        .post_exit
                        .map_or("(not reached)".into(), |(t, _)| format!("({unit} {t})")),
                    cw + 2
                )
            )
        })
        .collect();
    out.push(format!(
        "{}{}  {}",
        " ".repeat(lw),
        steps_row[0],
        steps_row[1]
    ));
    for o in OUTCOMES {
        let cells: Vec<String> = s
            .sides
            .iter()
            .map(|side| {
                let end = format_outcome((o.value)(&side.end), o.percent);
                let post = side
                    .post_exit
                    .map_or("n/a".into(), |(_, m): (u32, Metrics)| {
                        format_outcome((o.value)(&m), o.percent)
                    });
                format!("{}{}", rpad(&end, cw), rpad(&post, cw + 2))
            })
            .collect();
        out.push(format!("{}{}  {}", pad(o.label, lw), cells[0], cells[1]));
    }
    let note = format!(
        "+{} {unit}s: {} {unit}s after the organizer left, as runs.csv's post_exit columns",
        s.horizon, s.horizon
    );
    out.extend(wrap(&note, width));
    out
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
