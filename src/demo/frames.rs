//! The demo played step by step: frames of both villages, and the events (stage
//! changes, actions, the organization founded) a trainer reads aloud.

use super::*;

/// Something that happened to one side in one step.
#[derive(Debug, Clone, PartialEq)]
pub struct Event {
    /// The side: 0 the reference, 1 the compared side.
    pub side: usize,
    /// The step it happened at (stage records' numbering, as in `stages.csv`).
    pub step: u32,
    /// What happened.
    pub kind: EventKind,
}

/// What happened.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum EventKind {
    /// A stage (or the institution) began.
    StageStarted(Stage),
    /// A stage was skipped.
    StageSkipped(Stage),
    /// A stage ended, and why.
    StageEnded(Stage, EndReason),
    /// A collective action ended: whether it succeeded, and the issue it served.
    ActionEnded {
        /// Whether it succeeded.
        success: bool,
        /// The issue's number in `population.issues`, if known.
        issue: Option<usize>,
    },
    /// The people's organization formed, with this share of households as members.
    OrganizationFormed(f64),
    /// The five stages ended without a people's organization.
    NoOrganization,
    /// The organizer left.
    OrganizerLeft,
}

/// One side's state at one step.
#[derive(Debug, Clone, PartialEq)]
pub struct SideFrame {
    /// The current phase.
    pub stage: Stage,
    /// The step at which it began.
    pub stage_start: u32,
    /// The measures now.
    pub metrics: Metrics,
    /// Whether this side's run has reached its last step.
    pub finished: bool,
}

/// Both sides at one step.
#[derive(Debug, Clone, PartialEq)]
pub struct Frame {
    /// The step (0 = the village before any step).
    pub step: u32,
    /// The number of steps in the demonstration.
    pub steps: u32,
    /// The reference side and the compared side.
    pub sides: [SideFrame; 2],
    /// What happened in this step, side 0 first.
    pub events: Vec<Event>,
}

impl Frame {
    /// Whether the frame is worth a pause: the reference side begins a stage, the
    /// compared side skips one, or an organizer leaves.
    pub fn is_milestone(&self) -> bool {
        self.events.iter().any(|e| {
            matches!(
                (e.side, e.kind),
                (0, EventKind::StageStarted(_))
                    | (1, EventKind::StageSkipped(_))
                    | (_, EventKind::OrganizerLeft)
            )
        })
    }
}

/// Follows one run's community state from step to step, turning its changes into
/// events.
#[derive(Debug, Clone)]
pub(super) struct Tracker {
    stage: Stage,
    stage_start: u32,
    records_seen: usize,
    present: bool,
    successes: f64,
    failures: f64,
    formed: bool,
    steps: u32,
    post_step: Option<u32>,
    post: Option<(u32, Metrics)>,
    last: Metrics,
}

impl Tracker {
    pub(super) fn new(p: &Params, horizon: u32) -> Tracker {
        let steps = p.time.steps;
        Tracker {
            stage: Stage::Before,
            stage_start: 0,
            records_seen: 0,
            present: false,
            successes: 0.0,
            failures: 0.0,
            formed: false,
            steps,
            post_step: p
                .organizer
                .enabled
                .then(|| p.organizer.exit_step.saturating_add(horizon))
                .filter(|&t| t <= steps),
            post: None,
            last: Metrics::default(),
        }
    }

    /// Reads the run after a step (or at step 0), appending its events.
    pub(super) fn observe(&mut self, k: usize, sim: &mut Simulation<'_>, events: &mut Vec<Event>) {
        let t = sim.current_step();
        let m = sim.measure();
        let c = sim.community();
        for r in &c.records[self.records_seen..] {
            let kind = match r.reason {
                EndReason::Skipped => EventKind::StageSkipped(r.stage),
                reason => EventKind::StageEnded(r.stage, reason),
            };
            events.push(Event {
                side: k,
                step: r.end,
                kind,
            });
        }
        self.records_seen = c.records.len();
        if m.successes > self.successes || m.failures > self.failures {
            let success = m.successes > self.successes;
            events.push(Event {
                side: k,
                step: t,
                kind: EventKind::ActionEnded {
                    success,
                    issue: (m.issue >= 0.0).then_some(m.issue as usize),
                },
            });
        }
        self.successes = m.successes;
        self.failures = m.failures;
        if c.formed && !self.formed {
            events.push(Event {
                side: k,
                step: t,
                kind: EventKind::OrganizationFormed(m.members),
            });
        }
        self.formed = c.formed;
        if self.present && !c.organizer_present {
            events.push(Event {
                side: k,
                step: t.saturating_sub(1),
                kind: EventKind::OrganizerLeft,
            });
        }
        if c.stage != self.stage {
            // An organizer arriving begins at the step it arrives (the step just
            // taken); a transition begins a stage at the step it ends the last one.
            let start = if self.stage == Stage::Before {
                t.saturating_sub(1)
            } else {
                t
            };
            self.stage = c.stage;
            self.stage_start = start;
            events.push(Event {
                side: k,
                step: start,
                kind: EventKind::StageStarted(c.stage),
            });
            if c.stage == Stage::Institution && !c.formed {
                events.push(Event {
                    side: k,
                    step: start,
                    kind: EventKind::NoOrganization,
                });
            }
        }
        self.present = c.organizer_present;
        if self.post_step == Some(t) {
            self.post = Some((t, m));
        }
        self.last = m;
    }

    pub(super) fn frame(&self, t: u32) -> SideFrame {
        SideFrame {
            stage: self.stage,
            stage_start: self.stage_start,
            metrics: self.last,
            finished: t >= self.steps,
        }
    }
}

/// The two runs of a [`Comparison`], stepped together. As an iterator it yields the
/// frame of step 0 (the village before any step), then one frame per step up to the
/// last; a side whose run is shorter stays at its last step.
#[derive(Debug)]
pub struct Demo<'a> {
    pub(super) cmp: &'a Comparison,
    pub(super) sims: [Simulation<'a>; 2],
    pub(super) trackers: [Tracker; 2],
    pub(super) step: u32,
    pub(super) steps: u32,
    pub(super) started: bool,
}

impl Demo<'_> {
    /// The comparison being played.
    pub fn comparison(&self) -> &Comparison {
        self.cmp
    }

    /// Ends both runs (closing their stage records) and returns the outcomes.
    pub fn into_summary(mut self) -> Summary {
        let horizon = self.cmp.scenario.output.post_exit_horizon;
        let sides = [0, 1].map(|k| {
            let sim = &mut self.sims[k];
            let end_step = sim.current_step();
            let end = sim.measure();
            let stages = sim.finish().to_vec();
            let p = &self.cmp.sides[k].params;
            let exit_step = (p.organizer.enabled && p.organizer.exit_step < p.time.steps)
                .then_some(p.organizer.exit_step);
            SideSummary {
                label: self.cmp.sides[k].label.clone(),
                end_step,
                end,
                post_exit: self.trackers[k].post,
                exit_step,
                stages,
            }
        });
        Summary { sides, horizon }
    }

    fn frame(&self, events: Vec<Event>) -> Frame {
        Frame {
            step: self.step,
            steps: self.steps,
            sides: [0, 1].map(|k| self.trackers[k].frame(self.step)),
            events,
        }
    }
}

impl Iterator for Demo<'_> {
    type Item = Frame;

    fn next(&mut self) -> Option<Frame> {
        let mut events = Vec::new();
        if !self.started {
            self.started = true;
            for k in 0..2 {
                self.trackers[k].observe(k, &mut self.sims[k], &mut events);
            }
            return Some(self.frame(events));
        }
        if self.step >= self.steps {
            return None;
        }
        self.step += 1;
        for k in 0..2 {
            let sim = &mut self.sims[k];
            if sim.current_step() < self.trackers[k].steps {
                sim.step();
                self.trackers[k].observe(k, sim, &mut events);
            }
        }
        Some(self.frame(events))
    }
}
