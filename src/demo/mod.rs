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
pub mod lesson;
pub mod render;

mod comparison;
mod frames;
mod summary;

pub use comparison::{Comparison, Side};
use frames::Tracker;
pub use frames::{Demo, Event, EventKind, Frame, SideFrame};
pub use summary::{INDICATORS, Indicator, OUTCOMES, Outcome, SideSummary, Summary, format_outcome};

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
