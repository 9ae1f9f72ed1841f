//! The community's shared state: where the organizing process stands (the stage, what
//! the organizer has learned, the shared issue, the action under way) and the
//! organization and institution that grow out of it.
//!
//! Every mechanism acts on the village through household state (trust, awareness,
//! efficacy, participation, membership) and on this state. No outcome is written in
//! directly: the measures of `model/metrics.rs` are read off it.

use crate::model::household::{Households, IssueId};
use crate::model::organizer::ContactOrder;
use crate::model::potential::Potentials;
use crate::model::stage::{EndReason, Stage, StageRecord, StagesParams};

/// The issue with the largest weight in `v` (the first of equal ones).
pub(crate) fn argmax(v: &[f32]) -> IssueId {
    let mut best = 0;
    for x in 1..v.len() {
        if v[x] > v[best] {
            best = x;
        }
    }
    best as IssueId
}

/// [`Community::heard`] for a household the organizer has not yet listened to.
pub const NOT_HEARD: IssueId = IssueId::MAX;

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
    /// How far macro analysis has revealed the allocation rule's bias, in [0, 1]:
    /// the testimonies of marginalized households gathered so far over the number
    /// that reveals it fully.
    pub bias_revealed: f64,
    /// Marginalized households whose situation an interview revealed (macro
    /// analysis's evidence).
    pub testimonies: usize,
    /// Whether each household has told the organizer its situation in an interview.
    pub(crate) told: Vec<bool>,
    /// What the organizer heard each household name as its priority issue, or
    /// [`NOT_HEARD`]: true with a probability equal to the household's trust.
    pub heard: Vec<IssueId>,
    /// Households whose priority the organizer heard truly (kept as it listens).
    pub(crate) heard_truly: usize,
    /// Number of community issues.
    pub issues: usize,
    /// The village's potentials (`model/potential.rs`): what each household could
    /// bring, of which kind, and what the organizer has documented.
    pub potentials: Potentials,
    /// Deliberated views: for households that attended a musyawarah, their weights
    /// on each issue (`issues` per household, summing to 1); empty before any.
    pub(crate) opinion: Vec<f32>,
    /// Each household's view, the issue its `opinion` weighs most (by `argmax`),
    /// kept with `opinion` (written wherever a row of it is); empty before any.
    pub(crate) views: Vec<IssueId>,
    /// Whether the latest deliberation reached consensus (mufakat) rather than a vote.
    pub consensus: bool,
    /// Steps the organizer carries over from skipped stages into the next one.
    pub(crate) carried: u32,
    /// Institution meetings each member has missed in a row.
    pub(crate) missed: Vec<u16>,
    /// Leaders recalled after members or other constituents caught diversion.
    pub recalls: u32,
    /// Step at which the organization dissolved (fewer than three members), if it did.
    pub collapsed_at: Option<u32>,
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

    /// The weight household `i`'s view puts on issue `x`: its deliberated view if it
    /// has attended a musyawarah, else all on its own priority.
    pub fn weight(&self, h: &Households, i: usize, x: IssueId) -> f32 {
        let k = self.issues.max(1);
        if self.opinion.is_empty() {
            return (h.priority[i] == x) as u8 as f32;
        }
        self.opinion[i * k + x as usize]
    }

    /// The issue household `i`'s view favours: its deliberated view if any, else its
    /// priority.
    pub fn view(&self, h: &Households, i: usize) -> IssueId {
        let k = self.issues.max(1);
        if self.opinion.is_empty() {
            return h.priority[i];
        }
        debug_assert_eq!(self.views[i], argmax(&self.opinion[i * k..(i + 1) * k]));
        self.views[i]
    }

    /// Gives every household a view (all weight on its priority) before the first
    /// deliberation.
    pub(crate) fn ensure_opinions(&mut self, h: &Households) {
        if !self.opinion.is_empty() {
            return;
        }
        let k = self.issues.max(1);
        self.opinion = vec![0.0; h.len() * k];
        for i in 0..h.len() {
            let x = (h.priority[i] as usize).min(k - 1);
            self.opinion[i * k + x] = 1.0;
        }
        self.views = self.opinion.chunks_exact(k).map(argmax).collect();
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
            testimonies: 0,
            told: vec![false; n],
            heard: vec![NOT_HEARD; n],
            heard_truly: 0,
            issues: 1,
            potentials: Potentials::default(),
            opinion: Vec::new(),
            views: Vec::new(),
            consensus: false,
            carried: 0,
            missed: vec![0; n],
            recalls: 0,
            collapsed_at: None,
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
    /// A skipped stage's planned time (the midpoint of its minimum and maximum) is
    /// carried into the next stage that runs, whose minimum and maximum durations
    /// grow by it: skipping changes what the organizer does, not how long.
    pub(crate) fn advance(&mut self, t: u32, stages: &StagesParams) {
        let mut s = self.stage.next();
        self.carried = 0;
        while let Some(plan) = stages.get(s) {
            if !plan.skip {
                break;
            }
            self.carried += plan.planned_steps();
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

#[cfg(test)]
mod tests {
    use super::argmax;
    use crate::model::rng::rng_from_seed;
    use crate::model::village::{NoDataFiles, Village};
    use crate::model::{Params, Simulation};

    /// The kept views must be the `argmax` of the opinions, household by household,
    /// after every step of a default run with deliberations. Could fail: a row of
    /// opinions written without its view, or views made before the opinions.
    #[test]
    fn kept_views_match_opinions() {
        let mut p = Params::default();
        p.population.households = 2000;
        let village = Village::build(&p, &NoDataFiles, &mut rng_from_seed(1));
        let mut sim = Simulation::new(&p, village, rng_from_seed(2));
        let mut checked = 0;
        while sim.current_step() < p.time.steps {
            sim.step();
            let c = sim.community();
            if !c.opinion.is_empty() {
                let k = c.issues.max(1);
                assert_eq!(c.views.len() * k, c.opinion.len());
                for (i, row) in c.opinion.chunks_exact(k).enumerate() {
                    assert_eq!(c.views[i], argmax(row), "household {i}");
                }
                checked += 1;
            }
        }
        assert!(checked > 0, "no deliberation was held");
    }
}
