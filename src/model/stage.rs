//! Hartini's (2003) five stages of community organizing, the plan a strategy sets for
//! them, and the record of when each began and ended.
//!
//! A stage ends when its criterion is met (after at least `min_steps`), or when it has
//! lasted `max_steps` (a time-out), or when the organizer leaves. A strategy can
//! shorten (rush), lengthen, or skip any stage.

use serde::{Deserialize, Serialize};

/// The phases of a run. The five stages are numbered 1–5 as in the source text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Stage {
    /// The organizer has not arrived (or there is none).
    Before,
    /// 1. Immersion: blending in, making friends, building contact persons.
    Immersion,
    /// 2. Social investigation: macro and micro analysis, documentation.
    Investigation,
    /// 3. Designing the initial activities: shared issue, musyawarah, problems and
    ///    potentials.
    Design,
    /// 4. Carrying out the agreed activities.
    Action,
    /// 5. Forming the people's organization.
    Organization,
    /// After the five stages: the institution (with the organizer until the exit).
    Institution,
}

impl Stage {
    /// The five stages in order.
    pub const FIVE: [Stage; 5] = [
        Stage::Immersion,
        Stage::Investigation,
        Stage::Design,
        Stage::Action,
        Stage::Organization,
    ];

    /// Number used in outputs: 0 before, 1–5 for the stages, 6 for the institution.
    pub fn number(self) -> u8 {
        match self {
            Stage::Before => 0,
            Stage::Immersion => 1,
            Stage::Investigation => 2,
            Stage::Design => 3,
            Stage::Action => 4,
            Stage::Organization => 5,
            Stage::Institution => 6,
        }
    }

    /// Name used in outputs and scenario files.
    pub fn name(self) -> &'static str {
        match self {
            Stage::Before => "before",
            Stage::Immersion => "immersion",
            Stage::Investigation => "investigation",
            Stage::Design => "design",
            Stage::Action => "action",
            Stage::Organization => "organization",
            Stage::Institution => "institution",
        }
    }

    /// The stage after this one.
    pub fn next(self) -> Stage {
        match self {
            Stage::Before => Stage::Immersion,
            Stage::Immersion => Stage::Investigation,
            Stage::Investigation => Stage::Design,
            Stage::Design => Stage::Action,
            Stage::Action => Stage::Organization,
            Stage::Organization | Stage::Institution => Stage::Institution,
        }
    }
}

/// How long one stage may last and whether it happens at all.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StagePlan {
    /// Skip the stage entirely.
    #[serde(default)]
    pub skip: bool,
    /// The stage lasts at least this many steps, even if its criterion is met.
    #[serde(default = "one")]
    pub min_steps: u32,
    /// The stage ends after this many steps whether or not its criterion is met.
    pub max_steps: u32,
    /// The criterion's target (its meaning depends on the stage; see `docs/ODD.md`).
    pub target: f64,
}

fn one() -> u32 {
    1
}

impl StagePlan {
    /// The stage's planned time: the midpoint of its minimum and maximum durations.
    /// A skipped stage carries it into the next stage that runs.
    pub fn planned_steps(&self) -> u32 {
        (self.min_steps + self.max_steps) / 2
    }
}

/// The plan of all five stages.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct StagesParams {
    /// 1. Immersion; target: share of households trusting the organizer (trust ≥ 0.5).
    pub immersion: StagePlan,
    /// Stage 2, social investigation; target: share of the allocation rule's bias
    /// revealed by macro analysis (from the testimonies of marginalized households).
    pub investigation: StagePlan,
    /// Stage 3, design; target: number of deliberation meetings before a vote (when
    /// they reach no consensus).
    pub design: StagePlan,
    /// 4. Action; target: number of successful actions.
    pub action: StagePlan,
    /// 5. Organization; target: members as a share of households.
    pub organization: StagePlan,
}

impl Default for StagesParams {
    fn default() -> Self {
        let plan = |min_steps, max_steps, target| StagePlan {
            skip: false,
            min_steps,
            max_steps,
            target,
        };
        StagesParams {
            immersion: plan(4, 26, 0.15),
            investigation: plan(4, 26, 0.5),
            design: plan(2, 12, 3.0),
            action: plan(1, 26, 1.0),
            organization: plan(2, 12, 0.08),
        }
    }
}

impl StagesParams {
    /// The plan of one of the five stages (`None` for `Before` and `Institution`).
    pub fn get(&self, s: Stage) -> Option<&StagePlan> {
        match s {
            Stage::Immersion => Some(&self.immersion),
            Stage::Investigation => Some(&self.investigation),
            Stage::Design => Some(&self.design),
            Stage::Action => Some(&self.action),
            Stage::Organization => Some(&self.organization),
            Stage::Before | Stage::Institution => None,
        }
    }
}

/// Why a stage ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EndReason {
    /// Its criterion was met.
    Criterion,
    /// It reached its maximum duration.
    Timeout,
    /// The strategy skips it.
    Skipped,
    /// The organizer left before it ended.
    Exit,
    /// The run ended before it did.
    RunEnd,
}

impl EndReason {
    /// Name used in `stages.csv`.
    pub fn name(self) -> &'static str {
        match self {
            EndReason::Criterion => "criterion",
            EndReason::Timeout => "timeout",
            EndReason::Skipped => "skipped",
            EndReason::Exit => "exit",
            EndReason::RunEnd => "run_end",
        }
    }
}

/// One stage's record: when it started and ended and why.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StageRecord {
    /// The stage.
    pub stage: Stage,
    /// First step in the stage.
    pub start: u32,
    /// Step at which it ended (equal to `start` for a skipped stage).
    pub end: u32,
    /// Why it ended.
    pub reason: EndReason,
}
