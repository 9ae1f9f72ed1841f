//! Stage 4, carrying out the activities: a collective action on the shared issue.
//! The core group takes part from the start; others join by the threshold rule plus a
//! push (the organizer's, the leaders', legitimacy, efficacy, awareness, and whether
//! the issue is their own), limited by availability; participants contribute their
//! availability, and at the end the action succeeds if the contributions (with
//! noise) meet the need. The stage ends after `target` successes.

use super::design::{agenda_issue, legitimacy};
use super::{Depth, visit};
use crate::model::community::{Action, Community};
use crate::model::household::{Households, IssueId};
use crate::model::network::Network;
use crate::model::organizer::unit;
use crate::model::params::OrganizingParams;
use crate::model::participation::ThresholdRule;
use rand::Rng;
use rand_distr::{Distribution, LogNormal};

/// This step's visits, and an action started on the shared issue when none is under
/// way (on an issue brought from outside if deliberation chose none).
pub(super) fn work<R: Rng + ?Sized>(
    t: u32,
    batch: &[u32],
    p: OrganizingParams<'_>,
    c: &mut Community,
    h: &mut Households,
    rng: &mut R,
) {
    let b = p.behaviour;
    for &i in batch {
        visit(h, c, i as usize, b, Depth::Call, rng);
    }
    if c.action.is_none() {
        let issue = match c.issue {
            Some(x) => x,
            None => {
                let x = agenda_issue(c, h, rng);
                c.issue = Some(x);
                c.legitimacy = legitimacy(c, h, c.issue);
                x
            }
        };
        start_action(t, p, c, h, issue, false);
    }
}

/// Whether `target` actions have succeeded and none is under way.
pub(super) fn done(c: &Community, target: f64) -> bool {
    c.successes as f64 >= target && c.action.is_none()
}

/// Starts a collective action: the core group (trusting attendees, or members for an
/// institution-run action) takes part from the start.
pub(crate) fn start_action(
    t: u32,
    p: OrganizingParams<'_>,
    c: &mut Community,
    h: &mut Households,
    issue: IssueId,
    by_institution: bool,
) {
    let a = p.action;
    let n = h.len();
    let need = a.need_share
        * n as f64
        * a.duration as f64
        * (1.0 - a.potential_share * c.potentials.inventory(issue));
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
pub(crate) fn step<R: Rng + ?Sized>(
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
    // What a success yields: a share of the unused potential of the issue's kind,
    // shared equally among the households the issue serves.
    let served_count = h.priority.iter().filter(|&&x| x == a.issue).count();
    let each = if success && served_count > 0 {
        (c.potentials
            .mobilize(a.issue, &h.participating, ap.yield_share)
            / served_count as f64) as f32
    } else {
        0.0
    };
    // Trust in the organizer grows from a success only while it is there.
    let trust_gain = if c.organizer_present {
        0.5 * b.success_efficacy as f32
    } else {
        0.0
    };
    for i in 0..h.len() {
        let served = h.priority[i] == a.issue;
        if h.participating[i] {
            h.participated[i] = true;
            if success {
                h.efficacy[i] += b.success_efficacy as f32 * (1.0 - h.efficacy[i]);
                h.trust[i] += trust_gain * (1.0 - h.trust[i]);
            } else {
                h.efficacy[i] -= b.failure_efficacy as f32 * h.efficacy[i];
                h.trust[i] -= 0.5 * b.failure_efficacy as f32 * h.trust[i];
            }
        } else if success && served {
            h.efficacy[i] += 0.3 * b.success_efficacy as f32 * (1.0 - h.efficacy[i]);
        }
        if success && served {
            h.resources[i] += each;
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
