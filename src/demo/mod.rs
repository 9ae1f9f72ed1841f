//! A stage-by-stage demonstration for trainers: one village played through Hartini's
//! five stages, beside the same village with one stage skipped or the facilitation
//! style changed.
//!
//! The pieces, from data to text:
//! - [`Comparison`] fixes the two sides: their parameters, and the seeds they share. Both
//!   sides build their village with [`Village::build`] from the same village seed and
//!   meet the same shocks through [`Simulation::with_environment`] from the same
//!   environment seed, exactly as `kampung run` pairs the strategies of a replicate;
//! - [`Demo`] steps both runs together and yields one [`Frame`] per step: each side's
//!   measures and stage, and the [`Event`]s of that step (a stage begins, is skipped,
//!   ends; an action succeeds or fails; the organizer leaves); at the end,
//!   [`Demo::into_summary`] gives the [`Summary`] of outcomes;
//! - [`render`] turns frames into text: a screen redrawn in place for a terminal, or
//!   plain lines for a log or a pipe;
//! - [`cli`] is the `kampung demo` command: it paces the frames and writes them out.
//!
//! Everything shown comes from the runs; the only fixed text is what the organizer does
//! in each stage ([`stage_text`]), in the words of the source text.

pub mod cli;
pub mod render;

use crate::error::{Diagnostic, Error, Result};
use crate::experiment::runner;
use crate::model::Params;
use crate::model::Simulation;
use crate::model::metrics::Metrics;
use crate::model::organizer::Facilitation;
use crate::model::params::StepUnit;
use crate::model::rng::{Purpose, derive_seed, rng_from_seed};
use crate::model::stage::{EndReason, Stage, StagePlan, StageRecord, StagesParams};
use crate::model::village::Village;
use crate::scenario::Scenario;

/// What the organizer does in a stage, and what it is called: the fixed text of the
/// demonstration, grounded in the source text (Hartini 2003, as rendered in
/// `seed/TRANSLATION.md`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StageText {
    /// The stage's title, with its Indonesian name where the source gives one.
    pub title: &'static str,
    /// One sentence: what the organizer does in it.
    pub does: &'static str,
}

/// The fixed text of a phase.
pub fn stage_text(stage: Stage) -> StageText {
    match stage {
        Stage::Before => StageText {
            title: "Before the organizer arrives",
            does: "The village goes on as it is: benefits flow by the old rule, and \
                   nobody has yet come to organize.",
        },
        Stage::Immersion => StageText {
            title: "Immersion: \"melebur bersama masyarakat\"",
            does: "The organizer blends in with the community: building contact persons, \
                   making friends, taking part as a listener, joining the discussions \
                   and working together.",
        },
        Stage::Investigation => StageText {
            title: "Social investigation: \"penyelidikan sosial\"",
            does: "The organizer carries out social analysis, macro and micro, to find \
                   what systematically keeps some groups from access to resources and \
                   benefits, and documents it.",
        },
        Stage::Design => StageText {
            title: "Designing the initial activities: musyawarah",
            does: "Together the community formulates a shared issue, holds deliberation \
                   (musyawarah), and identifies its problems and potentials.",
        },
        Stage::Action => StageText {
            title: "Carrying out the activities",
            does: "The community carries out the activities agreed in the musyawarah.",
        },
        Stage::Organization => StageText {
            title: "Forming the people's organization: \"organisasi rakyat\"",
            does: "Those who took part form a people's organization, an organisasi \
                   rakyat, and choose its leaders.",
        },
        Stage::Institution => StageText {
            title: "The institution",
            does: "The organization becomes an institution democratically overseen by \
                   all its constituents, building the capacity to handle their own \
                   problems: a tool for reaching the goal, not the goal itself.",
        },
    }
}

/// What the compared side changes in the reference side's parameters.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Change {
    /// Skip this stage.
    pub skip: Option<Stage>,
    /// Facilitate deliberation and elections this way.
    pub facilitation: Option<Facilitation>,
}

impl Change {
    /// Whether the change changes nothing.
    pub fn is_empty(&self) -> bool {
        self.skip.is_none() && self.facilitation.is_none()
    }

    /// The comparison used when none is asked for and the scenario names only one
    /// strategy: the organization stage skipped, so that what the people's
    /// organization does for durability shows once the organizer has left.
    pub const DEFAULT: Change = Change {
        skip: Some(Stage::Organization),
        facilitation: None,
    };

    /// Short name, used for the compared side's random stream (as a strategy name
    /// would be): `skip_organization`, `open`, `skip_design+open`.
    pub fn name(&self) -> String {
        let mut parts = Vec::new();
        if let Some(s) = self.skip {
            parts.push(format!("skip_{}", s.name()));
        }
        if let Some(f) = self.facilitation {
            parts.push(facilitation_name(f).to_string());
        }
        parts.join("+")
    }

    /// Words for the column heading: `organization skipped`, `open facilitation`.
    pub fn label(&self) -> String {
        let mut parts = Vec::new();
        if let Some(s) = self.skip {
            parts.push(format!("{} skipped", s.name()));
        }
        if let Some(f) = self.facilitation {
            parts.push(format!("{} facilitation", facilitation_name(f)));
        }
        parts.join(", ")
    }
}

/// The name of a facilitation style, as in scenario files.
pub fn facilitation_name(f: Facilitation) -> &'static str {
    match f {
        Facilitation::Open => "open",
        Facilitation::Inclusive => "inclusive",
        Facilitation::TopDown => "top_down",
    }
}

/// What one step stands for, as a word (`week`).
pub fn unit_name(u: StepUnit) -> &'static str {
    match u {
        StepUnit::Day => "day",
        StepUnit::Week => "week",
        StepUnit::Month => "month",
    }
}

fn plan_mut(stages: &mut StagesParams, s: Stage) -> Option<&mut StagePlan> {
    match s {
        Stage::Immersion => Some(&mut stages.immersion),
        Stage::Investigation => Some(&mut stages.investigation),
        Stage::Design => Some(&mut stages.design),
        Stage::Action => Some(&mut stages.action),
        Stage::Organization => Some(&mut stages.organization),
        Stage::Before | Stage::Institution => None,
    }
}

/// One side of the comparison.
#[derive(Debug, Clone)]
pub struct Side {
    /// Column heading.
    pub label: String,
    /// The strategy name its dynamics stream is derived from.
    pub stream: String,
    /// Its parameters.
    pub params: Params,
    /// Seed of its dynamics stream.
    pub seed: u64,
}

/// The two runs of a demonstration: the reference side (left) and the compared side
/// (right), sharing one village and one history of shocks.
#[derive(Debug, Clone)]
pub struct Comparison {
    scenario: Scenario,
    /// The reference side (0) and the compared side (1).
    pub sides: [Side; 2],
    /// Seed of the village both sides build.
    pub village_seed: u64,
    /// Seed of the shocks both sides meet.
    pub environment_seed: u64,
    /// Why the compared side is what it is, in words (for the header).
    pub how: String,
}

impl Comparison {
    /// Sets up a demonstration of scenario `s`.
    ///
    /// The reference side is the scenario's first strategy. The compared side is:
    /// the first strategy with `change` applied, when `change` changes anything;
    /// otherwise the scenario's second strategy, when it has one; otherwise the first
    /// strategy with the organization stage skipped ([`Change::DEFAULT`]).
    ///
    /// `seed` replaces the scenario's base seed. The runs are replicate 0 of the plan
    /// `kampung run` would make: the reference side is exactly the first run of
    /// `run` (and a compared strategy from the file exactly its replicate 0); a
    /// changed side draws its dynamics from the stream of a strategy named
    /// [`Change::name`] (as `skip_organization` in `scenarios/strategies.toml`).
    ///
    /// Fails, with a message saying why, when the scenario has no organizer or the
    /// change leaves the reference side as it is.
    pub fn new(mut s: Scenario, change: Change, seed: Option<u64>) -> Result<Comparison> {
        if let Some(seed) = seed {
            s.seed = seed;
        }
        let specs = runner::plan(&s);
        let first = specs
            .iter()
            .find(|r| r.strategy == 0 && r.point == 0 && r.replicate == 0)
            .ok_or_else(|| Error::Run("the scenario has no runs".into()))?
            .clone();
        let base = s.params(0, 0).into_owned();
        if !base.organizer.enabled {
            return Err(problem(
                &s,
                "organizer.enabled",
                format!(
                    "the first strategy (`{}`) has no organizer, so there are no stages to show",
                    s.strategies[0].name
                ),
                Some("a scenario whose first strategy has an organizer, such as scenarios/village.toml".into()),
            ));
        }
        let first_name = s.strategies[0].name.clone();
        let left_label = if first_name == "baseline" {
            if Stage::FIVE
                .iter()
                .all(|&st| base.stages.get(st).is_some_and(|p| !p.skip))
            {
                "all five stages".to_string()
            } else {
                "as planned".to_string()
            }
        } else {
            first_name.clone()
        };
        // A style the reference side already uses changes nothing: leave it out (an
        // empty change is refused below, with the reason).
        let mut change = change;
        let same_style = change.facilitation == Some(base.organizer.facilitation);
        if same_style && change.skip.is_some() {
            change.facilitation = None;
        }
        let defaulted = change.is_empty() && s.strategies.len() < 2;
        let change = if defaulted { Change::DEFAULT } else { change };
        let (right, how) = if change.is_empty() {
            let spec = specs
                .iter()
                .find(|r| r.strategy == 1 && r.point == 0 && r.replicate == 0)
                .ok_or_else(|| Error::Run("the scenario's second strategy has no runs".into()))?;
            let st = &s.strategies[1];
            let side = Side {
                label: st.name.clone(),
                stream: st.name.clone(),
                params: s.params(1, 0).into_owned(),
                seed: spec.seed,
            };
            let how = format!(
                "`{}` against `{}`, the scenario's first two strategies",
                first_name, st.name
            );
            (side, how)
        } else {
            let mut p = base.clone();
            let mut changed = false;
            if let Some(stage) = change.skip {
                let plan = plan_mut(&mut p.stages, stage).ok_or_else(|| {
                    Error::Run(format!("`{}` is not one of the five stages", stage.name()))
                })?;
                changed |= !plan.skip;
                plan.skip = true;
            }
            if let Some(f) = change.facilitation {
                changed |= p.organizer.facilitation != f;
                p.organizer.facilitation = f;
            }
            if !changed {
                let mut why = Vec::new();
                let mut keys = Vec::new();
                if let Some(stage) = change.skip {
                    why.push(format!("already skips {}", stage.name()));
                    keys.push(format!("stages.{}.skip", stage.name()));
                }
                if let Some(f) = change.facilitation {
                    why.push(format!(
                        "already uses {} facilitation",
                        facilitation_name(f)
                    ));
                    keys.push("organizer.facilitation".into());
                }
                return Err(problem(
                    &s,
                    &keys.join(", "),
                    format!("nothing to compare: `{first_name}` {}", why.join(" and ")),
                    Some("another --skip or --facilitation".into()),
                ));
            }
            let name = change.name();
            let stream = if s.point_count() > 1 {
                format!("{name}#0")
            } else {
                name.clone()
            };
            let seed = derive_seed(s.seed, &s.name, &stream, 0, Purpose::Dynamics);
            let how = if defaulted {
                format!(
                    "`{first_name}` against the same with the {} stage skipped (the default \
                     comparison)",
                    Stage::Organization.name()
                )
            } else {
                format!("`{first_name}` against the same with {}", change.label())
            };
            (
                Side {
                    label: change.label(),
                    stream: name,
                    params: p,
                    seed,
                },
                how,
            )
        };
        let left = Side {
            label: left_label,
            stream: first_name,
            params: base,
            seed: first.seed,
        };
        Ok(Comparison {
            village_seed: first.village_seed,
            environment_seed: first.environment_seed,
            scenario: s,
            sides: [left, right],
            how,
        })
    }

    /// The scenario (with the base seed the demonstration uses).
    pub fn scenario(&self) -> &Scenario {
        &self.scenario
    }

    /// Whether both sides draw the same village: their population, network and
    /// initial participants are set alike (strategies that change those draw
    /// different villages from the same seed).
    pub fn same_village(&self) -> bool {
        let [a, b] = &self.sides;
        a.params.population == b.params.population
            && a.params.network == b.params.network
            && a.params.participation == b.params.participation
    }

    /// The number of steps the demonstration lasts (the longer side's).
    pub fn steps(&self) -> u32 {
        self.sides[0]
            .params
            .time
            .steps
            .max(self.sides[1].params.time.steps)
    }

    /// Starts the two runs.
    pub fn start(&self) -> Demo<'_> {
        let sims = [0, 1].map(|k| {
            let side = &self.sides[k];
            let village = Village::build(
                &side.params,
                &self.scenario.inputs,
                &mut rng_from_seed(self.village_seed),
            );
            Simulation::new(&side.params, village, rng_from_seed(side.seed))
                .with_environment(rng_from_seed(self.environment_seed))
        });
        let horizon = self.scenario.output.post_exit_horizon;
        let trackers = [0, 1].map(|k| Tracker::new(&self.sides[k].params, horizon));
        Demo {
            cmp: self,
            sims,
            trackers,
            step: 0,
            steps: self.steps(),
            started: false,
        }
    }
}

/// A problem with what the demonstration was asked to show, reported against the
/// scenario file like a problem in it.
fn problem(s: &Scenario, key: &str, message: String, allowed: Option<String>) -> Error {
    Error::Invalid(vec![Diagnostic {
        file: s
            .file
            .as_ref()
            .map_or_else(|| s.name.clone(), |f| f.display().to_string()),
        line: 0,
        column: 0,
        key: key.to_string(),
        message,
        allowed,
    }])
}

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
struct Tracker {
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
    fn new(p: &Params, horizon: u32) -> Tracker {
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
    fn observe(&mut self, k: usize, sim: &mut Simulation<'_>, events: &mut Vec<Event>) {
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

    fn frame(&self, t: u32) -> SideFrame {
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
    cmp: &'a Comparison,
    sims: [Simulation<'a>; 2],
    trackers: [Tracker; 2],
    step: u32,
    steps: u32,
    started: bool,
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

/// One side's outcomes.
#[derive(Debug, Clone)]
pub struct SideSummary {
    /// Column heading.
    pub label: String,
    /// The last step.
    pub end_step: u32,
    /// The measures at the last step.
    pub end: Metrics,
    /// The step `output.post_exit_horizon` steps after the organizer's exit and the
    /// measures then, as in `runs.csv`'s `post_exit.*` columns (`None` when the run
    /// ends before it).
    pub post_exit: Option<(u32, Metrics)>,
    /// The step at which the organizer left, if it left before the end.
    pub exit_step: Option<u32>,
    /// When each stage began and ended, and why (as in `stages.csv`).
    pub stages: Vec<StageRecord>,
}

impl SideSummary {
    /// The record of one stage, if the run reached it.
    pub fn stage(&self, s: Stage) -> Option<&StageRecord> {
        self.stages.iter().find(|r| r.stage == s)
    }
}

/// The outcomes of both sides.
#[derive(Debug, Clone)]
pub struct Summary {
    /// The reference side and the compared side.
    pub sides: [SideSummary; 2],
    /// `output.post_exit_horizon`: steps after the exit at which durability is read.
    pub horizon: u32,
}

/// A measure shown in the demonstration.
#[derive(Debug, Clone, Copy)]
pub struct Indicator {
    /// Row label.
    pub label: &'static str,
    /// Its value in a row of measures.
    pub value: fn(&Metrics) -> f64,
    /// Shown as a percentage (a share of households); otherwise as a number.
    pub percent: bool,
    /// Whether less is better (the access gap, the unreached).
    pub lower_is_better: bool,
    /// The phases whose work moves it most: its row is marked while they last.
    pub moved_by: &'static [Stage],
}

/// The indicators, in display order. `attend` rows take the name of the marginalized
/// group where the renderer knows it.
pub const INDICATORS: &[Indicator] = &[
    Indicator {
        label: "trust organizer",
        value: |m| m.trusting,
        percent: true,
        lower_is_better: false,
        moved_by: &[Stage::Immersion],
    },
    Indicator {
        label: "awareness",
        value: |m| m.mean_awareness,
        percent: false,
        lower_is_better: false,
        moved_by: &[Stage::Investigation, Stage::Design],
    },
    Indicator {
        label: "marg. identified",
        value: |m| m.identification_recall,
        percent: true,
        lower_is_better: false,
        moved_by: &[Stage::Investigation],
    },
    Indicator {
        label: "attend: marg.",
        value: |m| m.attendance_marginalized,
        percent: true,
        lower_is_better: false,
        moved_by: &[Stage::Design],
    },
    Indicator {
        label: "attend: others",
        value: |m| m.attendance_other,
        percent: true,
        lower_is_better: false,
        moved_by: &[Stage::Design],
    },
    Indicator {
        label: "legitimacy",
        value: |m| m.legitimacy,
        percent: true,
        lower_is_better: false,
        moved_by: &[Stage::Design],
    },
    Indicator {
        label: "participation",
        value: |m| m.participation,
        percent: true,
        lower_is_better: false,
        moved_by: &[Stage::Action],
    },
    Indicator {
        label: "members",
        value: |m| m.members,
        percent: true,
        lower_is_better: false,
        moved_by: &[Stage::Organization],
    },
    Indicator {
        label: "capacity",
        value: |m| m.capacity,
        percent: false,
        lower_is_better: false,
        moved_by: &[Stage::Organization, Stage::Institution],
    },
    Indicator {
        label: "access gap",
        value: |m| m.access_gap,
        percent: false,
        lower_is_better: true,
        moved_by: &[Stage::Action, Stage::Institution],
    },
    Indicator {
        label: "unreached marg.",
        value: |m| m.unreached_marginalized,
        percent: true,
        lower_is_better: true,
        moved_by: &[Stage::Organization, Stage::Institution],
    },
];

/// A summary outcome: label, value, and whether it is a percentage.
#[derive(Debug, Clone, Copy)]
pub struct Outcome {
    /// Row label.
    pub label: &'static str,
    /// Its value in a row of measures.
    pub value: fn(&Metrics) -> f64,
    /// Shown as a percentage; otherwise with three decimals.
    pub percent: bool,
}

/// The outcomes of the final summary, in display order.
pub const OUTCOMES: &[Outcome] = &[
    Outcome {
        label: "capacity (0-1)",
        value: |m| m.capacity,
        percent: false,
    },
    Outcome {
        label: "access gap",
        value: |m| m.access_gap,
        percent: false,
    },
    Outcome {
        label: "unreached marginalized",
        value: |m| m.unreached_marginalized,
        percent: true,
    },
    Outcome {
        label: "members",
        value: |m| m.members,
        percent: true,
    },
    Outcome {
        label: "representation: members",
        value: |m| m.member_representation,
        percent: false,
    },
    Outcome {
        label: "representation: leaders",
        value: |m| m.leader_representation,
        percent: false,
    },
];

/// Formats a summary value as the summary prints it: a percentage with one decimal
/// (`61.8%`) or a number with three (`0.412`); `n/a` when it is not defined (no
/// members, no leaders).
pub fn format_outcome(v: f64, percent: bool) -> String {
    if !v.is_finite() {
        "n/a".into()
    } else if percent {
        format!("{:.1}%", 100.0 * v)
    } else {
        format!("{v:.3}")
    }
}
