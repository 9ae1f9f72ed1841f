//! The parameters of one run: everything a strategy can set.
//!
//! A scenario file's parameter tables (`[time]`, `[population]`, `[network]`, ...)
//! deserialize into [`Params`]. A table that one mechanism alone reads is defined
//! beside it (`EconomyParams` in `economy`, `NetworkParams` in `network`, ...); the
//! tables the organizing process shares between its stages, meetings and the
//! institution are defined here ([`BehaviourParams`], [`ActionParams`],
//! [`InstitutionParams`], and the bundle [`OrganizingParams`]), below all of them.

use crate::model::economy::{EconomyParams, ShockParams};
use crate::model::network::NetworkParams;
use crate::model::organizer::OrganizerParams;
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

/// How households respond to the organizer and to each other.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct BehaviourParams {
    /// Trust gained from a visit: `trust += visit_gain · (1 − trust)`, in [0, 1].
    pub visit_gain: f64,
    /// Word of mouth in stages 1 and 2: each step a household's trust rises by
    /// `pass_on · max(0, t̄ − trust)`, where `t̄` is its ties' mean trust (DeGroot
    /// 1974 averaging, upwards only), in [0, 1].
    pub pass_on: f64,
    /// Trust at or above which a household counts as trusting the organizer, serves
    /// as a contact person and joins the action's core group, in [0, 1].
    pub trusting: f64,
    /// Effort of micro analysis, in [0, 1]: an interview reveals whether a household
    /// is marginalized with probability `effort · (0.4 + 0.6 · trust)`.
    pub investigation_effort: f64,
    /// Share of households the organizer takes for marginalized, by visible poverty,
    /// before any interview, in [0, 1].
    pub proxy_share: f64,
    /// Awareness gained by taking part in analysis (an interview), times trust, in [0, 1].
    pub analysis_awareness: f64,
    /// Awareness gained by attending a meeting, in [0, 1] (times 1 + revealed bias).
    pub meeting_awareness: f64,
    /// Probability that a meeting attendee makes a new tie with an attendee of
    /// another group, in [0, 1].
    pub meeting_ties: f64,
    /// Efficacy gained by participants when an action succeeds, in [0, 1].
    pub success_efficacy: f64,
    /// Efficacy lost by participants when an action fails, in [0, 1].
    pub failure_efficacy: f64,
    /// Per-step decay of trust, awareness and efficacy towards 0, in [0, 1].
    pub decay: f64,
    /// Efficacy at or above which a participant joins the people's organization.
    pub member_efficacy: f64,
    /// Stubbornness in deliberation (Friedkin and Johnsen 1990): the weight an
    /// attendee keeps on its own priority at each musyawarah, in [0, 1]; the rest
    /// goes to the voice-weighted views in the room.
    pub stubbornness: f64,
    /// Share of attendees who must hold the same view for consensus (mufakat), in
    /// (0, 1].
    pub consensus: f64,
    /// Weight of the organizer's agenda (the priorities it heard in stages 1 and 2)
    /// in the views of the room, in [0, 1].
    pub agenda_weight: f64,
    /// Awareness at or above which a household joins the people's organization (it
    /// must see why the organization is needed), in [0, 1].
    pub member_awareness: f64,
}

impl Default for BehaviourParams {
    fn default() -> Self {
        BehaviourParams {
            visit_gain: 0.6,
            pass_on: 0.1,
            trusting: 0.5,
            investigation_effort: 0.9,
            proxy_share: 0.3,
            analysis_awareness: 0.3,
            meeting_awareness: 0.15,
            meeting_ties: 0.1,
            success_efficacy: 0.3,
            failure_efficacy: 0.2,
            decay: 0.004,
            member_efficacy: 0.45,
            member_awareness: 0.35,
            stubbornness: 0.2,
            consensus: 0.67,
            agenda_weight: 0.3,
        }
    }
}

/// Collective action.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ActionParams {
    /// Steps an action lasts, in [1, 1000].
    pub duration: u32,
    /// Contributions needed, as household-steps at full availability per household
    /// and step of the action, in [0, 1].
    pub need_share: f64,
    /// Share of the need that the documented potential of the action's kind covers
    /// when the inventory holds all of it, in [0, 1].
    pub potential_share: f64,
    /// Standard deviation of the log of the multiplicative noise on contributions.
    pub noise: f64,
    /// Each household's potential (what it could bring to collective work), as a
    /// share of its endowment, in [0, 10].
    pub potential_rate: f64,
    /// Share of the unused potential of the action's kind (held by participants or
    /// documented) that a success turns into benefits for the households the issue
    /// serves, in [0, 1].
    pub yield_share: f64,
    /// Share of systemic bias renegotiated away (for identified households) by a
    /// success, in [0, 1].
    pub bias_cut: f64,
    /// Weight of legitimacy in the push to join, in [0, 1].
    pub legitimacy_weight: f64,
    /// Weight of a household's efficacy in its push to join, in [0, 1].
    pub efficacy_weight: f64,
    /// Weight of a household's awareness in its push to join, in [0, 1].
    pub awareness_weight: f64,
    /// Push for households whose own priority issue the action serves, in [0, 1].
    pub issue_weight: f64,
}

impl Default for ActionParams {
    fn default() -> Self {
        ActionParams {
            duration: 8,
            need_share: 0.35,
            potential_share: 0.3,
            noise: 0.3,
            potential_rate: 0.5,
            yield_share: 0.2,
            bias_cut: 0.4,
            legitimacy_weight: 0.15,
            efficacy_weight: 0.1,
            awareness_weight: 0.1,
            issue_weight: 0.1,
        }
    }
}

/// The people's organization and the institution it becomes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct InstitutionParams {
    /// Steps between the organization's regular meetings, in [1, 1000].
    pub meeting_interval: u32,
    /// Steps between new issues the institution takes on, in [1, 10 000].
    pub issue_interval: u32,
    /// Leaders as a share of members, in (0, 1] (at least one leader).
    pub leaders_share: f64,
    /// Membership coverage at which the membership component is full, in (0, 1].
    pub full_coverage: f64,
    /// Dues per member per step, in resource units.
    pub dues: f64,
    /// Pool per household at which the pool component is one half, > 0.
    pub pool_half: f64,
    /// Rate at which capacity moves towards its components' weighted mean, in [0, 1].
    pub capacity_rate: f64,
    /// Weights of membership, oversight, representation, success record and pool in
    /// capacity (normalized).
    pub weights: [f64; 5],
    /// Rate at which renegotiated bias relaxes to what capacity sustains, in [0, 1].
    pub relapse: f64,
    /// Share of the bias that full capacity keeps renegotiated away, in [0, 1].
    pub sustained_cut: f64,
    /// Share of elite capture `β` that full capacity takes off the allocation rule
    /// (benefits shared in the open, by lists the constituents oversee), in [0, 1].
    pub elite_capture_cut: f64,
    /// Share of the benefit flow captured leaders divert when oversight is nil, in [0, 1].
    pub capture: f64,
    /// Share of a shock's loss that full capacity absorbs, in [0, 1].
    pub shock_buffer: f64,
    /// Push leaders give (times capacity) to an institution-run action, in [0, 1].
    pub leader_push: f64,
    /// Steps between elections of the leaders after the first, in [0, 10 000]; 0:
    /// the first leaders keep their seats.
    pub election_interval: u32,
    /// Regular meetings a member (not a leader) may miss in a row before leaving,
    /// in [0, 1000]; 0: members never lapse.
    pub lapse: u32,
    /// Weight of monitoring by constituents who are not members in oversight, in
    /// [0, 1] (the rest is members' turnout).
    pub constituent_oversight: f64,
}

impl Default for InstitutionParams {
    fn default() -> Self {
        InstitutionParams {
            meeting_interval: 4,
            issue_interval: 26,
            leaders_share: 0.1,
            full_coverage: 0.3,
            dues: 0.02,
            pool_half: 1.0,
            capacity_rate: 0.05,
            weights: [1.0, 1.0, 1.0, 1.0, 1.0],
            relapse: 0.01,
            sustained_cut: 0.8,
            elite_capture_cut: 0.5,
            capture: 0.3,
            shock_buffer: 0.5,
            leader_push: 0.15,
            election_interval: 52,
            lapse: 6,
            constituent_oversight: 0.5,
        }
    }
}

/// All parameters of the organizing process.
#[derive(Debug, Clone, Copy)]
pub struct OrganizingParams<'a> {
    /// The organizers.
    pub organizer: &'a OrganizerParams,
    /// The stage plan.
    pub stages: &'a StagesParams,
    /// Household responses.
    pub behaviour: &'a BehaviourParams,
    /// Collective action.
    pub action: &'a ActionParams,
    /// The institution.
    pub institution: &'a InstitutionParams,
    /// Whether the threshold rule runs.
    pub threshold_rule: bool,
}
