//! The institution: the people's organization at work after stage 5, with or
//! without the organizer. Regular meetings (democratic oversight), elections at
//! intervals, membership turnover, dues into a pool, new issues taken on and actions
//! run by the members; and the institutional capacity built from membership,
//! oversight, representation, the success record and the pool, which renegotiates
//! the allocation rule's bias and holds it against relapse.

use crate::model::community::Community;
use crate::model::household::Households;
use crate::model::meeting::{MeetingKind, meeting};
use crate::model::network::Network;
use crate::model::organizer::{Facilitation, unit};
use crate::model::params::{InstitutionParams, OrganizingParams};
use crate::model::stage::Stage;
use crate::model::stages::action::start_action;
use crate::model::stages::design::{legitimacy, vote};
use crate::model::stages::organization::elect_leaders;
use rand::Rng;

/// The organization at work: regular meetings (oversight), dues, and new issues taken
/// on without the organizer.
pub(crate) fn work<R: Rng + ?Sized>(
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
        oversee(p, c, h, members, rng);
        lapse(ip.lapse, c, h);
        // Leaders caught diverting benefits are recalled: the constituents who watch
        // catch a diversion with probability oversight times its share of what
        // captured leaders could divert.
        if c.diversion > 0.0 && ip.capture > 0.0 {
            let caught = (c.oversight * c.diversion / ip.capture).clamp(0.0, 1.0);
            if (unit(rng) as f64) < caught {
                elect_leaders(p, c, h, rng, true);
                c.recalls += 1;
            }
        }
    }
    turnover(p, h, net, rng);
    if h.member_count() < 3 {
        // Too few members to be an organization: it dissolves.
        dissolve(t, c, h);
        return;
    }
    // Elections: the members choose their leaders again, by the rule the
    // organization was founded with.
    let every = ip.election_interval;
    if every > 0 && t > c.formed_at && (t - c.formed_at).is_multiple_of(every) {
        elect_leaders(p, c, h, rng, false);
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
            vote(&c.attendees, c, h, style)
        };
        c.issue = Some(issue);
        c.legitimacy = legitimacy(c, h, c.issue);
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

/// Oversight after a regular meeting moves towards what the constituents watch:
/// members' turnout (discounted when marginalized members are under-represented
/// among those who turn out), and, with weight `constituent_oversight`, the share of
/// the other households that monitor. A non-member aware enough to see why it
/// matters monitors with probability its awareness times what oversight still
/// lacks: the more others watch, the more it free-rides.
fn oversee<R: Rng + ?Sized>(
    p: OrganizingParams<'_>,
    c: &mut Community,
    h: &Households,
    members: usize,
    rng: &mut R,
) {
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
    let aware = p.behaviour.member_awareness as f32;
    let lacking = (1.0 - c.oversight).clamp(0.0, 1.0) as f32;
    let (mut others, mut watching) = (0usize, 0usize);
    for i in 0..h.len() {
        if h.member[i] {
            continue;
        }
        others += 1;
        if h.awareness[i] >= aware && unit(rng) < h.awareness[i] * lacking {
            watching += 1;
        }
    }
    let monitoring = if others == 0 {
        0.0
    } else {
        watching as f64 / others as f64
    };
    let w = p.institution.constituent_oversight.clamp(0.0, 1.0);
    let watched = (1.0 - w) * turnout * inclusion + w * monitoring;
    c.oversight += 0.3 * (watched - c.oversight);
}

/// Members (not leaders) who have missed `lapse` regular meetings in a row leave
/// (0: never).
fn lapse(lapse: u32, c: &mut Community, h: &mut Households) {
    for i in 0..h.len() {
        if h.member[i] {
            c.missed[i] = c.missed[i].saturating_add(1);
        }
    }
    for &i in &c.attendees {
        c.missed[i as usize] = 0;
    }
    if lapse == 0 {
        return;
    }
    for i in 0..h.len() {
        if h.member[i] && !h.leader[i] && c.missed[i] as u32 >= lapse {
            h.member[i] = false;
            c.missed[i] = 0;
        }
    }
}

/// The organization dissolves: no members, no leaders, and its pool is shared out
/// among those who paid into it (it leaves the organization's books).
fn dissolve(t: u32, c: &mut Community, h: &mut Households) {
    c.formed = false;
    c.collapsed_at = Some(t);
    c.pool = 0.0;
    for m in h.member.iter_mut() {
        *m = false;
    }
    for l in h.leader.iter_mut() {
        *l = false;
    }
    c.leaders_elite_share = 0.0;
    c.diversion = 0.0;
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
pub(crate) fn update_capacity(ip: &InstitutionParams, c: &mut Community, h: &Households) {
    let n = h.len().max(1) as f64;
    let members = h.member_count();
    // Measured from what exists: a village without an organization has no members
    // or leaders, its oversight fades, and its record of success fades.
    let membership = (members as f64 / n / ip.full_coverage).min(1.0);
    let leaders = h.leader.iter().filter(|&&l| l).count();
    let representation = if leaders > 0 {
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
    if !c.formed {
        c.oversight *= 1.0 - ip.relapse;
    }
    let oversight = c.oversight;
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
