//! The organizing process, stage by stage: Hartini's (2003) five stages, one file
//! each.
//!
//! | stage | file | what the organizer does there |
//! |---|---|---|
//! | 1. immersion | [`immersion`] | lives in, visits; contact persons pass trust on |
//! | 2. social investigation | [`investigation`] | interviews, wealth ranking, macro analysis |
//! | 3. designing activities (musyawarah) | [`design`] | deliberation chooses the shared issue |
//! | 4. carrying them out | [`action`] | collective action by threshold plus push |
//! | 5. the people's organization | [`organization`] | recruits members, holds the first election |
//!
//! Here: the organizers' contacts each step (`work`) and the end of a stage
//! (`transition`). The step that runs them with the institution is in
//! `model/organizing.rs`; after stage 5 the organization works as an institution
//! (`model/institution.rs`); meetings of both kinds are held in `model/meeting.rs`;
//! the shared state is `model/community.rs`.
//! Equations and reasons are in `docs/ODD.md`.

pub mod action;
pub mod design;
pub mod immersion;
pub mod investigation;
pub mod organization;

use crate::model::community::Community;
use crate::model::household::Households;
use crate::model::network::Network;
use crate::model::organizer::ContactOrder;
use crate::model::params::{BehaviourParams, OrganizingParams};
use crate::model::stage::{EndReason, Stage};
use rand::Rng;

/// The organizers' work this step: this step's contacts (the lead's and every team
/// member's at work), then what the current stage does with them.
pub(crate) fn work<R: Rng + ?Sized>(
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
        Stage::Immersion => immersion::work(&batch, b, h, net),
        Stage::Investigation => investigation::work(&batch, working, b, c, h, net, rng),
        Stage::Design => design::work(t, &batch, p, c, h, net, rng),
        Stage::Action => action::work(t, &batch, p, c, h, net, rng),
        Stage::Organization => organization::work(&batch, p, h, net, rng),
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

/// Ends the current stage when its criterion is met (after `min_steps`) or it times
/// out, and moves to the next.
pub(crate) fn transition<R: Rng + ?Sized>(
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
    let met = match c.stage {
        Stage::Immersion => immersion::done(p, h, plan.target),
        Stage::Investigation => investigation::done(c, plan.target),
        Stage::Design => design::done(p, c, plan.target),
        Stage::Action => action::done(c, plan.target),
        Stage::Organization => organization::done(h, plan.target),
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
            organization::found(t + 1, p, c, h, rng);
        }
        c.advance(t + 1, p.stages);
    }
}
