//! The full-screen view in a terminal: both villages, their stages, indicators and
//! events, redrawn each frame.

use super::*;

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
                let name = stage_short(sf.stage);
                let start = sf.stage_start;
                let mut t = first_fitting(
                    &[
                        format!("{name} · since {unit} {start}"),
                        format!("{name} since {unit} {start}"),
                        format!("{name}, {unit} {start}"),
                        format!("{name} {start}"),
                    ],
                    pw,
                );
                if sf.stage == Stage::Institution && self.info.exit[k].is_some_and(|x| f.step > x) {
                    let exit = self.info.exit[k].unwrap_or(0);
                    t = first_fitting(
                        &[
                            format!("on its own since {unit} {exit}"),
                            format!("on its own, {unit} {exit}"),
                        ],
                        pw,
                    );
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
        let mut s = if is_guess(ind, &sf.metrics) {
            // No bar for a guess: the words say what it is.
            let w = bar_w + 6;
            pad(&paint(&guess_words(v, ind.percent, w), sgr::SIDE[k], c), w)
        } else {
            let (filled, empty) = bar(v, bar_w, true);
            format!(
                "{}{} {}",
                paint(&filled, sgr::SIDE[k], c),
                paint(&empty, sgr::DIM, c),
                rpad(&short_value(v, ind.percent), 5)
            )
        };
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
pub(super) const MAX_EVENTS: usize = 12;

/// Background colours of stages 1-5 on the timeline.
pub(super) const STAGE_BG: [&str; 5] = [
    "\x1b[30;44m",
    "\x1b[30;46m",
    "\x1b[30;42m",
    "\x1b[30;43m",
    "\x1b[30;45m",
];
