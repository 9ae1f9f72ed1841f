//! The plain view, when the output is not a terminal: one line per event, and the
//! summary at the end.

use super::*;

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
                    if is_guess(ind, &sf.metrics) {
                        return pad(&guess_words(v, ind.percent, pw), pw);
                    }
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
