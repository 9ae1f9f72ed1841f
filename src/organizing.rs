//! The organizing process: what the organizers do in each of Hartini's five stages,
//! collective action, the people's organization, and the institution that follows.
//!
//! All mechanisms act on the village through household state (trust, awareness,
//! efficacy, participation, membership) and on the shared [`Community`] state (the
//! resource map, the shared issue, legitimacy, the organization's capacity and the
//! renegotiated allocation rule). No outcome is written in directly: the measures of
//! `metrics` are read off this state. Equations and reasons are in `docs/ODD.md`.

use crate::household::{Households, IssueId};
use crate::network::Network;
use crate::organizer::{ContactOrder, Facilitation, OrganizerParams, unit};
use crate::participation::ThresholdRule;
use crate::stage::{EndReason, Stage, StageRecord, StagesParams};
use rand::{Rng, RngExt};
use rand_distr::{Distribution, LogNormal};
use serde::{Deserialize, Serialize};

/// How households respond to the organizer and to each other.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct BehaviourParams {
    /// Trust gained from a visit: `trust += visit_gain · (1 − trust)`, in [0, 1].
    pub visit_gain: f64,
    /// Trust a visited contact person passes to each tie, scaled by the contact's
    /// influence (capped at 4) and trust:
    /// `trust_j += pass_on · min(influence_i, 4) · trust_i · (1 − trust_j)`, in [0, 1].
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
    /// Share of the need that identified potentials (the resource map, when complete)
    /// cover, in [0, 1].
    pub potential_share: f64,
    /// Standard deviation of the log of the multiplicative noise on contributions.
    pub noise: f64,
    /// Resources each household whose issue an action serves gains on success.
    pub benefit: f64,
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
            need_share: 0.2,
            potential_share: 0.3,
            noise: 0.3,
            benefit: 2.0,
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
    stage_start: u32,
    /// Finished stages.
    pub records: Vec<StageRecord>,
    /// Whether an organizer is in the village now.
    pub organizer_present: bool,
    order: ContactOrder,
    /// Each team member's order, built when it starts work (empty until then).
    team_orders: Vec<ContactOrder>,
    batch: Vec<u32>,
    interviewed_count: usize,
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
    push: Vec<f32>,
    attendees: Vec<u32>,
    new_ties: Vec<(u32, u32)>,
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

    fn close(&mut self, t: u32, reason: EndReason) {
        self.records.push(StageRecord {
            stage: self.stage,
            start: self.stage_start,
            end: t,
            reason,
        });
    }

    /// Moves on to the next stage that is not skipped, recording skipped ones.
    fn advance(&mut self, t: u32, stages: &StagesParams) {
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

/// One step of the organizing process and the institution. Returns new ties made
/// at meetings, to be added to the network by the caller.
pub fn step<R: Rng + ?Sized>(
    t: u32,
    p: OrganizingParams<'_>,
    c: &mut Community,
    h: &mut Households,
    net: &Network,
    rule: &mut ThresholdRule,
    rng: &mut R,
) -> Vec<(u32, u32)> {
    c.new_ties.clear();
    let org = p.organizer;
    // Arrival and exit.
    if org.enabled && t == org.entry_step && c.stage == Stage::Before && t < org.exit_step {
        c.organizer_present = true;
        proxy_identification(h, p.behaviour.proxy_share);
        c.order = ContactOrder::new(org.targeting, h, net, rng);
        // The team's orders are drawn when each member starts work.
        c.team_orders = vec![ContactOrder::default(); org.team.len()];
        c.stage_start = t;
        c.advance(t, p.stages);
        c.stage_start = t;
    }
    if c.organizer_present && t >= org.exit_step {
        c.organizer_present = false;
        if Stage::FIVE.contains(&c.stage) {
            c.close(t, EndReason::Exit);
            c.stage = Stage::Institution;
        }
    }

    // Last step's trust, awareness and efficacy fade before this step's work.
    decay(h, p.behaviour.decay);
    if c.organizer_present {
        organizer_work(t, p, c, h, net, rng);
    }
    if c.formed {
        institution_work(t, p, c, h, net, rng);
    }
    if let Some(a) = c.action {
        action_step(t, a, p, c, h, net, rule, rng);
    }
    update_capacity(p.institution, c, h);
    if c.organizer_present {
        check_transition(t, p, c, h, rng);
    }
    std::mem::take(&mut c.new_ties)
}

/// Before any interview the organizer takes the poorest `share` of households for
/// marginalized (visible poverty).
fn proxy_identification(h: &mut Households, share: f64) {
    let n = h.len();
    let k = ((share * n as f64).round() as usize).min(n);
    let mut order: Vec<u32> = (0..n as u32).collect();
    order.sort_by(|&a, &b| {
        h.resources[a as usize]
            .total_cmp(&h.resources[b as usize])
            .then(a.cmp(&b))
    });
    for (rank, &i) in order.iter().enumerate() {
        h.identified[i as usize] = rank < k;
    }
}

fn organizer_work<R: Rng + ?Sized>(
    t: u32,
    p: OrganizingParams<'_>,
    c: &mut Community,
    h: &mut Households,
    net: &Network,
    rng: &mut R,
) {
    let b = p.behaviour;
    let lead = p.organizer;
    let k = (lead.count * lead.contacts_per_step) as usize;
    let mut batch = std::mem::take(&mut c.batch);
    c.order.next_batch(k, &mut batch);
    // The team: each member at work this step adds its own contacts, from its own
    // order, drawn when it starts work (so a member who never works draws nothing).
    let mut working = lead.count;
    for (member, order) in lead.team.iter().zip(c.team_orders.iter_mut()) {
        if !member.works_at(t, lead) {
            continue;
        }
        if order.is_empty() {
            *order = ContactOrder::new(member.targeting(lead), h, net, rng);
        }
        order.append_batch(member.contacts(lead) as usize, &mut batch);
        working += 1;
    }
    match c.stage {
        Stage::Immersion => {
            for &i in &batch {
                visit(h, net, i as usize, b, true);
            }
        }
        Stage::Investigation => {
            for &i in &batch {
                let i = i as usize;
                visit(h, net, i, b, false);
                if !h.interviewed[i] {
                    h.interviewed[i] = true;
                    c.interviewed_count += 1;
                }
                let trust = h.trust[i] as f64;
                // People tell a trusted organizer the truth: the interview reveals
                // the household's situation with a probability that rises with
                // trust and effort; otherwise the earlier classification stands.
                if rng.random::<f64>() < b.investigation_effort * (0.4 + 0.6 * trust) {
                    h.identified[i] = h.marginalized[i];
                }
                // Participatory wealth ranking: a trusting household also tells the
                // organizer about the households it is tied to.
                if trust >= b.trusting {
                    let q = 0.5 * b.investigation_effort * trust;
                    for &j in net.neighbors(i) {
                        if rng.random::<f64>() < q {
                            h.identified[j as usize] = h.marginalized[j as usize];
                        }
                    }
                }
                h.awareness[i] += (b.analysis_awareness * trust) as f32 * (1.0 - h.awareness[i]);
            }
            c.map = c.interviewed_count as f64 / h.len().max(1) as f64;
            // Macro analysis: each organizer-step of investigation uncovers a share
            // MACRO_RATE of what remains hidden of how the allocation rule works.
            let rate = 1.0 - (1.0 - MACRO_RATE).powi(working as i32);
            c.bias_revealed += rate * (1.0 - c.bias_revealed);
        }
        Stage::Design => {
            for &i in &batch {
                visit(h, net, i as usize, b, false);
            }
            if p.organizer.facilitation == Facilitation::TopDown {
                // The organizer decides alone: no deliberation is held.
                if c.issue.is_none() {
                    c.issue = Some(agenda_issue(h, rng));
                    c.legitimacy = legitimacy(h, c.issue);
                }
            } else if (t - c.stage_start).is_multiple_of(DESIGN_MEETING_INTERVAL) {
                meeting(p, c, h, rng, MeetingKind::Deliberation);
                c.meetings_held += 1;
                let style = p.organizer.facilitation;
                c.issue = Some(vote(&c.attendees, h, style));
                c.legitimacy = legitimacy(h, c.issue);
            }
        }
        Stage::Action => {
            for &i in &batch {
                visit(h, net, i as usize, b, false);
            }
            if c.action.is_none() {
                let issue = match c.issue {
                    Some(x) => x,
                    None => {
                        let x = agenda_issue(h, rng);
                        c.issue = Some(x);
                        c.legitimacy = legitimacy(h, c.issue);
                        x
                    }
                };
                start_action(t, p, c, h, issue, false);
            }
        }
        Stage::Organization => {
            for &i in &batch {
                visit(h, net, i as usize, b, false);
            }
            let accommodation = match p.organizer.facilitation {
                Facilitation::Inclusive => p.organizer.accommodation as f32,
                _ => 1.0,
            };
            recruit(h, b, accommodation, rng);
        }
        Stage::Institution => {
            // Accompanying the institution until the exit: contacts keep trust up.
            for &i in &batch {
                visit(h, net, i as usize, b, false);
            }
        }
        Stage::Before => {}
    }
    c.batch = batch;
}

/// A visit: trust rises with diminishing returns; in immersion, a trusting contact
/// person passes trust along its ties.
fn visit(h: &mut Households, net: &Network, i: usize, b: &BehaviourParams, contact_person: bool) {
    h.contacted[i] = true;
    let gain = if contact_person {
        b.visit_gain
    } else {
        b.visit_gain * 0.5
    } as f32;
    h.trust[i] += gain * (1.0 - h.trust[i]);
    if contact_person && h.trust[i] as f64 >= b.trusting {
        let pass = (b.pass_on as f32) * h.influence[i].min(4.0) * h.trust[i];
        for &j in net.neighbors(i) {
            let j = j as usize;
            h.trust[j] += pass * (1.0 - h.trust[j]);
        }
    }
}

/// The issue an organizer brings from outside when there is no deliberation: drawn
/// uniformly among the issues households hold.
fn agenda_issue<R: Rng + ?Sized>(h: &Households, rng: &mut R) -> IssueId {
    let k = h
        .priority
        .iter()
        .copied()
        .max()
        .map_or(1, |m| m as usize + 1);
    rng.random_range(0..k) as IssueId
}

/// Share of households that attended deliberation or whose issue was chosen.
fn legitimacy(h: &Households, issue: Option<IssueId>) -> f64 {
    let n = h.len();
    if n == 0 {
        return 0.0;
    }
    let served = (0..n)
        .filter(|&i| h.attended[i] || Some(h.priority[i]) == issue)
        .count();
    served as f64 / n as f64
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum MeetingKind {
    Deliberation,
    Institution,
}

/// Holds a meeting: draws attendance, raises attendees' awareness, makes bridging
/// ties among them, and records attendance by group.
fn meeting<R: Rng + ?Sized>(
    p: OrganizingParams<'_>,
    c: &mut Community,
    h: &mut Households,
    rng: &mut R,
    kind: MeetingKind,
) {
    let b = p.behaviour;
    let inclusive = p.organizer.facilitation == Facilitation::Inclusive;
    let accommodation = p.organizer.accommodation as f32;
    c.attendees.clear();
    let (mut am, mut nm, mut ao, mut no) = (0usize, 0usize, 0usize, 0usize);
    for i in 0..h.len() {
        let invited = match kind {
            MeetingKind::Deliberation => true,
            MeetingKind::Institution => h.member[i],
        };
        let mut prob = 0.0f32;
        if invited {
            prob = match kind {
                MeetingKind::Deliberation => {
                    h.availability[i] * (0.1 + 0.6 * h.trust[i] + 0.3 * h.awareness[i])
                }
                MeetingKind::Institution => {
                    h.availability[i] * (0.2 + 0.4 * h.efficacy[i] + 0.4 * h.awareness[i])
                }
            };
            // Inclusive facilitation reserves room for those identified as marginalized:
            // meetings at times and places they can make.
            if inclusive && h.identified[i] {
                prob *= accommodation;
            }
        }
        let came = invited && unit(rng) < prob.min(1.0);
        if h.marginalized[i] {
            nm += 1;
            am += came as usize;
        } else {
            no += 1;
            ao += came as usize;
        }
        if came {
            c.attendees.push(i as u32);
            h.attended[i] = true;
            let gain = ((b.meeting_awareness * (1.0 + c.bias_revealed)) as f32).min(1.0);
            h.awareness[i] += gain * (1.0 - h.awareness[i]);
            if kind == MeetingKind::Institution {
                h.efficacy[i] += 0.05 * (1.0 - h.efficacy[i]);
            }
        }
    }
    c.attendance = Attendance {
        marginalized: if nm > 0 { am as f64 / nm as f64 } else { 0.0 },
        other: if no > 0 { ao as f64 / no as f64 } else { 0.0 },
    };
    // Bridging ties: an attendee may befriend an attendee of another group.
    let m = c.attendees.len();
    if m >= 2 {
        for x in 0..m {
            if rng.random::<f64>() >= b.meeting_ties {
                continue;
            }
            let a = c.attendees[x];
            let other = c.attendees[rng.random_range(0..m)];
            if h.group[a as usize] != h.group[other as usize] {
                c.new_ties.push((a, other));
            }
        }
    }
}

/// Chooses the shared issue by a vote of the attendees, weighted by the facilitation
/// style: open meetings weigh by influence; inclusive ones give equal voice and
/// lift the marginalized attendees' total weight to at least their share of the
/// village. (Top-down facilitation holds no vote.)
fn vote(attendees: &[u32], h: &Households, style: Facilitation) -> IssueId {
    let k = h
        .priority
        .iter()
        .copied()
        .max()
        .map_or(1, |m| m as usize + 1);
    let mut tally_m = vec![0f64; k];
    let mut tally_o = vec![0f64; k];
    for &i in attendees {
        let i = i as usize;
        let w = match style {
            Facilitation::Open => h.influence[i] as f64,
            _ => 1.0,
        };
        if h.marginalized[i] {
            tally_m[h.priority[i] as usize] += w;
        } else {
            tally_o[h.priority[i] as usize] += w;
        }
    }
    let (sm, so): (f64, f64) = (tally_m.iter().sum(), tally_o.iter().sum());
    let mut scale_m = 1.0;
    if style == Facilitation::Inclusive && sm > 0.0 {
        let pop_share =
            h.marginalized.iter().filter(|&&m| m).count() as f64 / h.len().max(1) as f64;
        let share = sm / (sm + so);
        if share < pop_share && pop_share < 1.0 {
            // Scale marginalized votes so they hold pop_share of the total.
            scale_m = pop_share / (1.0 - pop_share) * so / sm;
        }
    }
    let mut best = 0;
    let mut best_v = f64::MIN;
    for x in 0..k {
        let v = tally_o[x] + scale_m * tally_m[x];
        if v > best_v {
            best_v = v;
            best = x;
        }
    }
    best as IssueId
}

/// Starts a collective action: the core group (trusting attendees, or members for an
/// institution-run action) takes part from the start.
fn start_action(
    t: u32,
    p: OrganizingParams<'_>,
    c: &mut Community,
    h: &mut Households,
    issue: IssueId,
    by_institution: bool,
) {
    let a = p.action;
    let n = h.len();
    let need = a.need_share * n as f64 * a.duration as f64 * (1.0 - a.potential_share * c.map);
    let trusting = p.behaviour.trusting as f32;
    for i in 0..n {
        let in_core = if by_institution {
            h.member[i]
        } else {
            h.trust[i] >= trusting && (h.attended[i] || (c.meetings_held == 0 && h.contacted[i]))
        };
        h.participating[i] = in_core;
    }
    c.action = Some(Action {
        issue,
        ends: t + a.duration,
        contributed: 0.0,
        need,
    });
}

/// One step of an action: households join by the threshold rule plus push, limited by
/// availability; participants contribute their availability; at the end the action
/// resolves.
#[allow(clippy::too_many_arguments)]
fn action_step<R: Rng + ?Sized>(
    t: u32,
    mut a: Action,
    p: OrganizingParams<'_>,
    c: &mut Community,
    h: &mut Households,
    net: &Network,
    rule: &mut ThresholdRule,
    rng: &mut R,
) {
    let ap = p.action;
    let organizer_push = if c.organizer_present {
        p.organizer.push
    } else {
        0.0
    } as f32;
    let leader_push = (p.institution.leader_push * c.capacity) as f32;
    let base = (ap.legitimacy_weight * c.legitimacy) as f32;
    let ew = ap.efficacy_weight as f32;
    let aw = ap.awareness_weight as f32;
    let iw = ap.issue_weight as f32;
    for i in 0..h.len() {
        // A household that cannot make time this step cannot join this step.
        c.push[i] = if unit(rng) < h.availability[i] {
            let served = (h.priority[i] == a.issue) as u8 as f32;
            organizer_push * h.trust[i]
                + leader_push
                + base
                + ew * h.efficacy[i]
                + aw * h.awareness[i]
                + iw * served
        } else {
            -2.0
        };
    }
    if p.threshold_rule {
        rule.step(net, &h.threshold, &mut h.participating, Some(&c.push));
    }
    let mut contributed = 0f64;
    for i in 0..h.len() {
        if h.participating[i] {
            contributed += h.availability[i] as f64;
        }
    }
    a.contributed += contributed;
    c.action = Some(a);
    if t + 1 >= a.ends {
        resolve_action(a, p, c, h, rng);
    }
}

fn resolve_action<R: Rng + ?Sized>(
    a: Action,
    p: OrganizingParams<'_>,
    c: &mut Community,
    h: &mut Households,
    rng: &mut R,
) {
    let ap = p.action;
    let b = p.behaviour;
    let noise = LogNormal::new(0.0, ap.noise.max(0.0)).map_or(1.0, |d| d.sample(rng));
    let success = a.contributed * noise >= a.need;
    for i in 0..h.len() {
        let served = h.priority[i] == a.issue;
        if h.participating[i] {
            h.participated[i] = true;
            if success {
                h.efficacy[i] += b.success_efficacy as f32 * (1.0 - h.efficacy[i]);
                h.trust[i] += 0.5 * b.success_efficacy as f32 * (1.0 - h.trust[i]);
            } else {
                h.efficacy[i] -= b.failure_efficacy as f32 * h.efficacy[i];
                h.trust[i] -= 0.5 * b.failure_efficacy as f32 * h.trust[i];
            }
        } else if success && served {
            h.efficacy[i] += 0.3 * b.success_efficacy as f32 * (1.0 - h.efficacy[i]);
        }
        if success && served {
            h.resources[i] += ap.benefit as f32;
        }
        h.participating[i] = false;
    }
    if success {
        c.successes += 1;
        c.renegotiated += ap.bias_cut * (1.0 - c.renegotiated);
    } else {
        c.failures += 1;
    }
    c.success_record += 0.3 * ((success as u8 as f64) - c.success_record);
    c.action = None;
}

/// Per-step chance that an eligible household with full availability joins the
/// organization while the organizer is forming it.
const JOIN_RATE: f32 = 0.25;

/// Share of the allocation rule's hidden bias one organizer uncovers per step of
/// social investigation (macro analysis).
const MACRO_RATE: f64 = 0.1;

/// Steps between deliberation meetings in the design stage.
const DESIGN_MEETING_INTERVAL: u32 = 2;

/// Participants of past actions with enough efficacy, and contacted households with
/// enough efficacy and trust, join the organization when they can make time; an
/// inclusive organizer accommodates households identified as marginalized (their
/// chance is multiplied by `accommodation`).
fn recruit<R: Rng + ?Sized>(
    h: &mut Households,
    b: &BehaviourParams,
    accommodation: f32,
    rng: &mut R,
) {
    let e = b.member_efficacy as f32;
    let aware = b.member_awareness as f32;
    let trusting = b.trusting as f32;
    for i in 0..h.len() {
        if h.member[i] {
            continue;
        }
        let eligible = h.efficacy[i] >= e
            && h.awareness[i] >= aware
            && (h.participated[i] || h.trust[i] >= trusting);
        let boost = if h.identified[i] { accommodation } else { 1.0 };
        if eligible && unit(rng) < JOIN_RATE * h.availability[i] * boost {
            h.member[i] = true;
        }
    }
}

/// Members elect leaders with the facilitation style's weighting: open by influence,
/// inclusive by equal chance with seats reserved for marginalized members in
/// proportion to their share of members, top-down by the organizer's trust in them.
fn elect_leaders<R: Rng + ?Sized>(
    p: OrganizingParams<'_>,
    c: &mut Community,
    h: &mut Households,
    rng: &mut R,
) {
    let members: Vec<u32> = (0..h.len() as u32)
        .filter(|&i| h.member[i as usize])
        .collect();
    for l in h.leader.iter_mut() {
        *l = false;
    }
    if members.is_empty() {
        return;
    }
    let seats = ((members.len() as f64 * p.institution.leaders_share).round() as usize)
        .clamp(1, members.len());
    // Score: larger wins. Random keys implement weighted sampling without replacement
    // (Efraimidis and Spirakis 2006): key = u^(1/w).
    let key = |w: f64, rng: &mut R| rng.random::<f64>().powf(1.0 / w.max(1e-9));
    let mut scored: Vec<(f64, u32)> = match p.organizer.facilitation {
        Facilitation::Open => members
            .iter()
            .map(|&i| (key((h.influence[i as usize] as f64).powi(2), rng), i))
            .collect(),
        Facilitation::Inclusive => members.iter().map(|&i| (key(1.0, rng), i)).collect(),
        Facilitation::TopDown => members
            .iter()
            .map(|&i| {
                (
                    h.trust[i as usize] as f64 * h.influence[i as usize] as f64,
                    i,
                )
            })
            .collect(),
    };
    scored.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
    let mut chosen: Vec<u32> = Vec::with_capacity(seats);
    if p.organizer.facilitation == Facilitation::Inclusive {
        let marg_members = members
            .iter()
            .filter(|&&i| h.marginalized[i as usize])
            .count();
        let reserved = ((seats * marg_members) as f64 / members.len() as f64).round() as usize;
        chosen.extend(
            scored
                .iter()
                .filter(|(_, i)| h.marginalized[*i as usize])
                .take(reserved)
                .map(|&(_, i)| i),
        );
    }
    for &(_, i) in &scored {
        if chosen.len() >= seats {
            break;
        }
        if !chosen.contains(&i) {
            chosen.push(i);
        }
    }
    for &i in &chosen {
        h.leader[i as usize] = true;
    }
    // Leaders from the most influential fifth of the village.
    let mut infl: Vec<f32> = h.influence.clone();
    let len = infl.len();
    let cut = if len == 0 {
        f32::MAX
    } else {
        *infl
            .select_nth_unstable_by(((len * 4) / 5).min(len - 1), f32::total_cmp)
            .1
    };
    let elite = chosen
        .iter()
        .filter(|&&i| h.influence[i as usize] >= cut)
        .count();
    c.leaders_elite_share = elite as f64 / chosen.len() as f64;
}

/// The organization at work: regular meetings (oversight), dues, and new issues taken
/// on without the organizer.
fn institution_work<R: Rng + ?Sized>(
    t: u32,
    p: OrganizingParams<'_>,
    c: &mut Community,
    h: &mut Households,
    net: &Network,
    rng: &mut R,
) {
    let ip = p.institution;
    let members = h.member_count();
    if members == 0 {
        return;
    }
    if t.is_multiple_of(ip.meeting_interval.max(1)) {
        meeting(p, c, h, rng, MeetingKind::Institution);
        // Oversight: members' turnout, discounted when marginalized members are
        // under-represented among those who turn out.
        let turnout = c.attendees.len() as f64 / members as f64;
        let marg_members = (0..h.len())
            .filter(|&i| h.member[i] && h.marginalized[i])
            .count();
        let marg_att = c
            .attendees
            .iter()
            .filter(|&&i| h.marginalized[i as usize])
            .count();
        let inclusion = if marg_members == 0 || c.attendees.is_empty() {
            1.0
        } else {
            let share_att = marg_att as f64 / c.attendees.len() as f64;
            let share_mem = marg_members as f64 / members as f64;
            (share_att / share_mem).min(1.0)
        };
        c.oversight += 0.3 * (turnout * inclusion - c.oversight);
    }
    turnover(p, h, net, rng);
    // Elections: the members choose their leaders again, by the rule the
    // organization was founded with.
    let every = ip.election_interval;
    if every > 0 && t > c.formed_at && (t - c.formed_at).is_multiple_of(every) {
        elect_leaders(p, c, h, rng);
    }
    // Members pay dues from their resources (as far as they have them).
    let dues = ip.dues as f32;
    let mut paid = 0f64;
    for i in 0..h.len() {
        if h.member[i] {
            let d = dues.min(h.resources[i].max(0.0));
            h.resources[i] -= d;
            paid += d as f64;
        }
    }
    c.pool = c.pool * 0.99 + paid;
    if c.action.is_none()
        && c.stage == Stage::Institution
        && t.is_multiple_of(ip.issue_interval.max(1))
    {
        let style = p.organizer.facilitation;
        let issue = if style == Facilitation::TopDown || c.attendees.is_empty() {
            c.issue.unwrap_or(0)
        } else {
            vote(&c.attendees, h, style)
        };
        c.issue = Some(issue);
        c.legitimacy = legitimacy(h, c.issue);
        // The pool pays for part of the need.
        start_action(t, p, c, h, issue, true);
        if let Some(a) = c.action.as_mut() {
            let paid = (c.pool * 0.5).min(a.need * 0.5);
            a.need -= paid;
            c.pool -= paid;
        }
    }
    c.diversion = ip.capture * c.leaders_elite_share * (1.0 - c.oversight);
}

/// Membership turnover once the organization exists: a member (not a leader) whose
/// efficacy has fallen below half the joining level leaves with probability
/// `TURNOVER`; a non-member with enough efficacy and awareness who took part in an
/// action or is tied to a member joins with probability `TURNOVER` times
/// availability (word of mouth).
fn turnover<R: Rng + ?Sized>(
    p: OrganizingParams<'_>,
    h: &mut Households,
    net: &Network,
    rng: &mut R,
) {
    let e = p.behaviour.member_efficacy as f32;
    let aware = p.behaviour.member_awareness as f32;
    for i in 0..h.len() {
        if h.member[i] {
            if h.efficacy[i] < 0.5 * e && !h.leader[i] && unit(rng) < TURNOVER {
                h.member[i] = false;
            }
        } else if h.efficacy[i] >= e
            && h.awareness[i] >= aware
            && unit(rng) < TURNOVER * h.availability[i]
            && (h.participated[i] || net.neighbors(i).iter().any(|&j| h.member[j as usize]))
        {
            h.member[i] = true;
        }
    }
}

/// Per-step chance of leaving or joining in [`turnover`].
const TURNOVER: f32 = 0.02;

/// Capacity moves towards the weighted mean of its components; the renegotiated bias
/// relaxes towards what capacity sustains.
fn update_capacity(ip: &InstitutionParams, c: &mut Community, h: &Households) {
    let n = h.len().max(1) as f64;
    let members = h.member_count();
    let membership = if c.formed {
        (members as f64 / n / ip.full_coverage).min(1.0)
    } else {
        0.0
    };
    let leaders = h.leader.iter().filter(|&&l| l).count();
    let representation = if c.formed && leaders > 0 {
        let pop = h.marginalized.iter().filter(|&&m| m).count() as f64 / n;
        let lead = (0..h.len())
            .filter(|&i| h.leader[i] && h.marginalized[i])
            .count() as f64
            / leaders as f64;
        if pop > 0.0 {
            (lead / pop).min(1.0)
        } else {
            1.0
        }
    } else {
        0.0
    };
    let oversight = if c.formed { c.oversight } else { 0.0 };
    let pool = c.pool / (c.pool + ip.pool_half * n);
    c.components = [
        membership,
        oversight,
        representation,
        c.success_record,
        pool,
    ];
    let wsum: f64 = ip.weights.iter().sum();
    let target = if wsum > 0.0 {
        c.components
            .iter()
            .zip(ip.weights)
            .map(|(x, w)| x * w)
            .sum::<f64>()
            / wsum
    } else {
        0.0
    };
    c.capacity += ip.capacity_rate * (target - c.capacity);
    let sustained = ip.sustained_cut * c.capacity;
    if c.renegotiated > sustained {
        c.renegotiated += ip.relapse * (sustained - c.renegotiated);
    }
    if !c.formed {
        c.success_record *= 1.0 - ip.relapse;
    }
}

fn decay(h: &mut Households, rate: f64) {
    let keep = 1.0 - rate as f32;
    for x in h.trust.iter_mut() {
        *x *= keep;
    }
    for x in h.awareness.iter_mut() {
        *x *= keep;
    }
    for x in h.efficacy.iter_mut() {
        *x *= keep;
    }
}

/// Ends the current stage when its criterion is met (after `min_steps`) or it times
/// out, and moves to the next.
fn check_transition<R: Rng + ?Sized>(
    t: u32,
    p: OrganizingParams<'_>,
    c: &mut Community,
    h: &mut Households,
    rng: &mut R,
) {
    let Some(plan) = p.stages.get(c.stage) else {
        return;
    };
    let elapsed = t + 1 - c.stage_start;
    let n = h.len().max(1) as f64;
    let met = match c.stage {
        Stage::Immersion => {
            let trusting = p.behaviour.trusting as f32;
            h.trust.iter().filter(|&&x| x >= trusting).count() as f64 / n >= plan.target
        }
        Stage::Investigation => c.map >= plan.target,
        Stage::Design => {
            c.issue.is_some()
                && (p.organizer.facilitation == Facilitation::TopDown
                    || c.meetings_held as f64 >= plan.target)
        }
        Stage::Action => c.successes as f64 >= plan.target && c.action.is_none(),
        Stage::Organization => h.member_count() as f64 / n >= plan.target,
        Stage::Before | Stage::Institution => false,
    };
    let done = if met && elapsed >= plan.min_steps {
        Some(EndReason::Criterion)
    } else if elapsed >= plan.max_steps && c.action.is_none() {
        Some(EndReason::Timeout)
    } else {
        None
    };
    if let Some(reason) = done {
        c.close(t + 1, reason);
        if c.stage == Stage::Organization {
            c.formed = h.member_count() >= 3;
            if c.formed {
                c.formed_at = t + 1;
                elect_leaders(p, c, h, rng);
            }
        }
        c.advance(t + 1, p.stages);
    }
}
