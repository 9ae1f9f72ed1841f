//! The community's shared state: where the organizing process stands (the stage, what
//! the organizer has learned, the shared issue, the action under way) and the
//! organization and institution that grow out of it.
//!
//! Every mechanism acts on the village through household state (trust, awareness,
//! efficacy, participation, membership) and on this state. No outcome is written in
//! directly: the measures of `model/metrics.rs` are read off it.

use crate::model::household::IssueId;
use crate::model::organizer::ContactOrder;
use crate::model::stage::{EndReason, Stage, StageRecord, StagesParams};

/// A collective action under way.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Action {
    /// The issue it serves.
    pub issue: IssueId,
    /// Step at which it resolves.
    pub ends: u32,
    /// Contributions so far (household-steps times availability).
    pub contributed: f64,
    /// Contributions needed.
    pub need: f64,
}

/// Attendance of the latest meeting.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Attendance {
    /// Share of marginalized households that attended.
    pub marginalized: f64,
    /// Share of the other households that attended.
    pub other: f64,
}

/// The community's shared state: the organizing process and the institution.
#[derive(Debug, Clone)]
pub struct Community {
    /// Current phase.
    pub stage: Stage,
    pub(crate) stage_start: u32,
    /// Finished stages.
    pub records: Vec<StageRecord>,
    /// Whether an organizer is in the village now.
    pub organizer_present: bool,
    pub(crate) order: ContactOrder,
    /// Each team member's order, built when it starts work (empty until then).
    pub(crate) team_orders: Vec<ContactOrder>,
    pub(crate) batch: Vec<u32>,
    pub(crate) interviewed_count: usize,
    /// Share of households documented in the resource map.
    pub map: f64,
    /// How far macro analysis has revealed the allocation rule's bias, in [0, 1].
    pub bias_revealed: f64,
    /// Deliberation meetings held.
    pub meetings_held: u32,
    /// The shared issue, once chosen.
    pub issue: Option<IssueId>,
    /// Legitimacy of the plan: share of households who took part or whose issue was
    /// chosen.
    pub legitimacy: f64,
    /// The action under way, if any.
    pub action: Option<Action>,
    /// Successful actions so far.
    pub successes: u32,
    /// Failed actions so far.
    pub failures: u32,
    /// Success record, in [0, 1] (moving average of outcomes).
    pub success_record: f64,
    /// Whether the people's organization has formed.
    pub formed: bool,
    /// Step at which the organization formed (its leaders were first elected).
    pub formed_at: u32,
    /// The organization's resource pool.
    pub pool: f64,
    /// Democratic oversight, in [0, 1].
    pub oversight: f64,
    /// Institutional capacity, in [0, 1].
    pub capacity: f64,
    /// Capacity's components: membership, oversight, representation, success
    /// record, pool.
    pub components: [f64; 5],
    /// Share of systemic bias renegotiated away for identified households, in [0, 1].
    pub renegotiated: f64,
    /// Share of the benefit flow diverted to leaders (elite capture), in [0, 1].
    pub diversion: f64,
    /// Share of leaders from the most influential fifth of households.
    pub leaders_elite_share: f64,
    /// Attendance of the latest meeting.
    pub attendance: Attendance,
    pub(crate) push: Vec<f32>,
    pub(crate) attendees: Vec<u32>,
    pub(crate) new_ties: Vec<(u32, u32)>,
}

impl Community {
    /// The households at the latest meeting (empty before any).
    pub fn attendees(&self) -> &[u32] {
        &self.attendees
    }

    /// The households the organizers contacted in their latest step of work (empty
    /// before the first; unchanged once they have left).
    pub fn contacts(&self) -> &[u32] {
        &self.batch
    }

    /// The community before any organizer arrives.
    pub fn new(n: usize) -> Community {
        Community {
            stage: Stage::Before,
            stage_start: 0,
            records: Vec::new(),
            organizer_present: false,
            order: ContactOrder::default(),
            team_orders: Vec::new(),
            batch: Vec::new(),
            interviewed_count: 0,
            map: 0.0,
            bias_revealed: 0.0,
            meetings_held: 0,
            issue: None,
            legitimacy: 0.0,
            action: None,
            successes: 0,
            failures: 0,
            success_record: 0.0,
            formed: false,
            formed_at: 0,
            pool: 0.0,
            oversight: 0.0,
            capacity: 0.0,
            components: [0.0; 5],
            renegotiated: 0.0,
            diversion: 0.0,
            leaders_elite_share: 0.0,
            attendance: Attendance::default(),
            push: vec![0.0; n],
            attendees: Vec::with_capacity(n),
            new_ties: Vec::new(),
        }
    }

    /// Closes the records at the end of a run: the stage under way ends with
    /// [`EndReason::RunEnd`].
    pub fn finish(&mut self, t: u32) {
        if Stage::FIVE.contains(&self.stage) {
            self.close(t, EndReason::RunEnd);
            self.stage = Stage::Institution;
        }
    }

    pub(crate) fn close(&mut self, t: u32, reason: EndReason) {
        self.records.push(StageRecord {
            stage: self.stage,
            start: self.stage_start,
            end: t,
            reason,
        });
    }

    /// Moves on to the next stage that is not skipped, recording skipped ones.
    pub(crate) fn advance(&mut self, t: u32, stages: &StagesParams) {
        let mut s = self.stage.next();
        while let Some(plan) = stages.get(s) {
            if !plan.skip {
                break;
            }
            self.records.push(StageRecord {
                stage: s,
                start: t,
                end: t,
                reason: EndReason::Skipped,
            });
            s = s.next();
        }
        self.stage = s;
        self.stage_start = t;
    }
}
