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
pub(crate) fn update_capacity(ip: &InstitutionParams, c: &mut Community, h: &Households) {
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
