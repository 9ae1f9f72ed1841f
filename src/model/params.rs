//! The parameters of one run: everything a strategy can set.
//!
//! A scenario file's parameter tables (`[time]`, `[population]`, `[network]`, ...)
//! deserialize into [`Params`]; each mechanism's own table is defined beside the
//! mechanism and gathered here.

use crate::model::economy::{EconomyParams, ShockParams};
use crate::model::network::NetworkParams;
use crate::model::organizer::OrganizerParams;
use crate::model::organizing::{ActionParams, BehaviourParams, InstitutionParams};
use crate::model::population::PopulationParams;
use crate::model::stage::StagesParams;
use serde::{Deserialize, Serialize};

/// What one step of simulated time stands for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StepUnit {
    /// One day.
    Day,
    /// One week (the default).
    Week,
    /// One month.
    Month,
}

impl StepUnit {
    /// Steps in one year.
    pub fn per_year(self) -> f64 {
        match self {
            StepUnit::Day => 365.0,
            StepUnit::Week => 52.0,
            StepUnit::Month => 12.0,
        }
    }
}

/// Simulated time.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct TimeParams {
    /// Number of steps to simulate, in [1, 10 000 000].
    pub steps: u32,
    /// What one step stands for.
    pub step: StepUnit,
}

impl Default for TimeParams {
    fn default() -> Self {
        TimeParams {
            steps: 260,
            step: StepUnit::Week,
        }
    }
}

/// Which households take part from the start, and whether the threshold rule runs.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ParticipationParams {
    /// Whether the threshold rule runs each step.
    pub enabled: bool,
    /// Number of households drawn at random to take part from the start.
    pub seed_count: usize,
    /// Share of households drawn at random to take part from the start, in [0, 1]
    /// (added to `seed_count`).
    pub seed_share: f64,
    /// Households (by id) that take part from the start.
    pub seed_ids: Vec<u64>,
}

impl Default for ParticipationParams {
    fn default() -> Self {
        ParticipationParams {
            enabled: true,
            seed_count: 0,
            seed_share: 0.0,
            seed_ids: Vec::new(),
        }
    }
}

/// Everything a strategy can set: the model's parameters.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Params {
    /// Simulated time.
    pub time: TimeParams,
    /// Households and groups.
    pub population: PopulationParams,
    /// Social ties.
    pub network: NetworkParams,
    /// Benefits and resources.
    pub economy: EconomyParams,
    /// Shocks.
    pub shocks: ShockParams,
    /// Threshold participation.
    pub participation: ParticipationParams,
    /// The organizers.
    pub organizer: OrganizerParams,
    /// The plan of the five stages.
    pub stages: StagesParams,
    /// How households respond.
    pub behaviour: BehaviourParams,
    /// Collective action.
    pub action: ActionParams,
    /// The people's organization and institution.
    pub institution: InstitutionParams,
}
