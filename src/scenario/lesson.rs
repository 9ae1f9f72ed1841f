//! A training lesson's claims (`[lesson]` with `[[lesson.claims]]`): what the
//! lesson's text says its second strategy does against `full`, in a form a test can
//! check on the lesson's own demo village and over its replicates
//! (`tests/training.rs`; the measures are computed by `demo::lesson`).
//!
//! ```toml
//! [[lesson.claims]]
//! measure = "trust_at_design"   # one of LessonMeasure's names
//! direction = "lower"           # the lesson's strategy against full
//! villages = "all"              # all | most (at least three quarters)
//! main = true                   # the headline difference (the file's own village
//!                               # is chosen near its median; it must show every claim)
//! ```

use serde::{Deserialize, Serialize};

/// The `[lesson]` table.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Lesson {
    /// The claims the lesson's text makes.
    #[serde(default)]
    pub claims: Vec<LessonClaim>,
}

/// One claim: on `measure`, the lesson's strategy is `direction` than `full` in
/// `villages` of the villages played.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LessonClaim {
    /// What is compared.
    pub measure: LessonMeasure,
    /// Which way the lesson's strategy goes against `full`.
    pub direction: Direction,
    /// In how many of the villages played it must go that way.
    pub villages: Villages,
    /// Whether this is the lesson's headline difference: the file's own village (the
    /// one `demo` plays) is the village nearest the median of this difference among
    /// those that show every claim.
    #[serde(default)]
    pub main: bool,
}

/// The outcomes a lesson can make claims about, each read off one side of a demo.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LessonMeasure {
    /// Share of households trusting the organizer when the design stage begins.
    TrustAtDesign,
    /// Peak share of households taking part during stage 4.
    PeakParticipation,
    /// Peak attendance of the marginalized at meetings in stages 3 to 5.
    PeakAttendanceMarginalized,
    /// Legitimacy of the plan at the end of the run.
    Legitimacy,
    /// Identification recall at the end of the run.
    Recall,
    /// Members as a share of households at the end.
    Members,
    /// Institutional capacity at the end.
    Capacity,
    /// Access gap two years after the organizer left.
    GapAfterExit,
    /// Access gap at the end.
    GapAtEnd,
    /// Share of marginalized households unreached at the end.
    Unreached,
    /// Representation of the marginalized among leaders at the end.
    LeaderRepresentation,
    /// Share of the benefit flow diverted to leaders at the end.
    Diversion,
    /// Mean share of benefits reaching the marginalized after the exit.
    BenefitShareAfterExit,
    /// Successful actions by the end.
    Successes,
}

impl LessonMeasure {
    /// The name used in scenario files.
    pub fn name(self) -> &'static str {
        match self {
            LessonMeasure::TrustAtDesign => "trust_at_design",
            LessonMeasure::PeakParticipation => "peak_participation",
            LessonMeasure::PeakAttendanceMarginalized => "peak_attendance_marginalized",
            LessonMeasure::Legitimacy => "legitimacy",
            LessonMeasure::Recall => "recall",
            LessonMeasure::Members => "members",
            LessonMeasure::Capacity => "capacity",
            LessonMeasure::GapAfterExit => "gap_after_exit",
            LessonMeasure::GapAtEnd => "gap_at_end",
            LessonMeasure::Unreached => "unreached",
            LessonMeasure::LeaderRepresentation => "leader_representation",
            LessonMeasure::Diversion => "diversion",
            LessonMeasure::BenefitShareAfterExit => "benefit_share_after_exit",
            LessonMeasure::Successes => "successes",
        }
    }
}

/// Which way the lesson's strategy goes against `full`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Direction {
    /// Below `full`.
    Lower,
    /// Above `full`.
    Higher,
}

impl Direction {
    /// Whether `right` (the lesson's strategy) goes this way from `left` (`full`).
    pub fn holds(self, left: f64, right: f64) -> bool {
        match self {
            Direction::Lower => right < left,
            Direction::Higher => right > left,
        }
    }
}

/// In how many villages a claim must hold.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Villages {
    /// Every village played.
    All,
    /// At least three quarters of them.
    Most,
}

impl Villages {
    /// How many of `n` villages must show the claim.
    pub fn needed(self, n: usize) -> usize {
        match self {
            Villages::All => n,
            Villages::Most => (n * 3).div_ceil(4),
        }
    }
}
