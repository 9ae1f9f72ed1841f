//! The organizing process, stage by stage: Hartini's (2003) five stages, one file
//! each.
//!
//! | stage | file | what the organizer does there |
//! |---|---|---|
//! | 1. immersion | [`immersion`] | lives in, visits, listens; trust spreads by word of mouth |
//! | 2. social investigation | [`investigation`] | interviews, wealth ranking, inventory of potentials, macro analysis from testimonies |
//! | 3. designing activities (musyawarah) | [`design`] | deliberation towards consensus, else a vote |
//! | 4. carrying them out | [`action`] | collective action by threshold plus push, drawing on potentials |
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
use crate::model::household::{Households, IssueId};
use crate::model::network::Network;
use crate::model::organizer::{ContactOrder, unit};
use crate::model::params::{BehaviourParams, OrganizingParams};
use crate::model::stage::{EndReason, Stage};
use rand::{Rng, RngExt};

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
    batch.clear();
    find(&mut c.order, k, h, rng, &mut batch);
    // The team: each member at work this step adds its own contacts, from its own
    // order, drawn when it starts work (so a member who never works draws nothing).
    for (member, order) in lead.team.iter().zip(c.team_orders.iter_mut()) {
        if !member.works_at(t, lead) {
            continue;
        }
        if order.is_empty() {
            *order = ContactOrder::new(member.targeting(lead), h, net, rng);
        }
        find(order, member.contacts(lead) as usize, h, rng, &mut batch);
    }
    if matches!(c.stage, Stage::Immersion | Stage::Investigation) {
        word_of_mouth(b, c, h, net);
    }
    match c.stage {
        Stage::Immersion => immersion::work(&batch, b, c, h, rng),
        Stage::Investigation => investigation::work(&batch, b, c, h, net, rng),
        Stage::Design => design::work(t, &batch, p, c, h, rng),
        Stage::Action => action::work(t, &batch, p, c, h, rng),
        Stage::Organization => organization::work(&batch, p, c, h, rng),
        Stage::Institution => {
            // Accompanying the institution until the exit: contacts keep trust up
            // and the organizer keeps listening.
            for &i in &batch {
                visit(h, c, i as usize, b, Depth::Call, rng);
            }
        }
        Stage::Before => {}
    }
    c.batch = batch;
}

/// The organizer goes down its order until it has found `k` households free to talk
/// (each is, with probability its availability), trying at most `2k` (and at most
/// the whole village); the households found are appended to `out`. Those not found
/// come round again in the next cycle of the order.
fn find<R: Rng + ?Sized>(
    order: &mut ContactOrder,
    k: usize,
    h: &Households,
    rng: &mut R,
    out: &mut Vec<u32>,
) {
    let tries = (2 * k).min(h.len());
    let start = out.len();
    for _ in 0..tries {
        if out.len() - start >= k {
            break;
        }
        let before = out.len();
        order.append_batch(1, out);
        if let Some(&i) = out.get(before)
            && unit(rng) >= h.availability[i as usize]
        {
            out.truncate(before);
        }
    }
}

/// How much time a visit gives: living in and working alongside (immersion) or a
/// call in the course of other work.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Depth {
    /// Immersion: the full `visit_gain`.
    LiveIn,
    /// Any other stage: half of it.
    Call,
}

/// A visit to a household found free to talk (see [`find`]): trust rises with
/// diminishing returns, and the organizer listens: it hears the household's priority
/// issue truly with probability equal to the household's trust, otherwise an issue
/// at random, so what it learns grows truer with trust and with repeated visits.
pub(crate) fn visit<R: Rng + ?Sized>(
    h: &mut Households,
    c: &mut Community,
    i: usize,
    b: &BehaviourParams,
    depth: Depth,
    rng: &mut R,
) {
    h.contacted[i] = true;
    let gain = match depth {
        Depth::LiveIn => b.visit_gain,
        Depth::Call => b.visit_gain * 0.5,
    } as f32;
    h.trust[i] += gain * (1.0 - h.trust[i]);
    listen(h, c, i, rng);
}

/// The organizer hears household `i` name its priority: truly with probability equal
/// to its trust, otherwise an issue drawn at random.
pub(crate) fn listen<R: Rng + ?Sized>(h: &Households, c: &mut Community, i: usize, rng: &mut R) {
    let heard = if unit(rng) < h.trust[i] {
        h.priority[i]
    } else {
        rng.random_range(0..c.issues.max(1)) as IssueId
    };
    let (was, is) = (c.heard[i] == h.priority[i], heard == h.priority[i]);
    c.heard_truly = c.heard_truly + is as usize - was as usize;
    c.heard[i] = heard;
}

/// Word of mouth while the organizer is being introduced (stages 1 and 2): what a
/// household's ties think of the organizer pulls its own trust up, as in DeGroot's
/// (1974) averaging: `trust += pass_on · max(0, t̄ − trust)`, where `t̄` is the mean
/// trust of its ties (synchronous: from the trust at the start of the step). Hearsay
/// never lifts trust above what the ties themselves hold, so trust spreads from the
/// households the organizer has won, fast in a cohesive village and slowly across
/// the boundaries of a divided one, without a cascade to everyone.
pub(crate) fn word_of_mouth(
    b: &BehaviourParams,
    c: &mut Community,
    h: &mut Households,
    net: &Network,
) {
    let pass = b.pass_on as f32;
    if pass <= 0.0 {
        return;
    }
    let pull = &mut c.push;
    let (offsets, neighbors, _) = net.rows();
    let trust = &h.trust[..];
    for ((p, &t), w) in pull.iter_mut().zip(trust).zip(offsets.windows(2)) {
        let nb = &neighbors[w[0] as usize..w[1] as usize];
        *p = if nb.is_empty() {
            0.0
        } else {
            let sum: f32 = nb.iter().map(|&j| trust[j as usize]).sum();
            (sum / nb.len() as f32 - t).max(0.0)
        };
    }
    for (t, &p) in h.trust.iter_mut().zip(pull.iter()) {
        *t += pass * p;
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
    // Time carried over from skipped stages lengthens this one.
    let (min_steps, max_steps) = (plan.min_steps + c.carried, plan.max_steps + c.carried);
    let met = match c.stage {
        Stage::Immersion => immersion::done(p, h, plan.target),
        Stage::Investigation => investigation::done(c, plan.target),
        Stage::Design => design::done(p, c, plan.target),
        Stage::Action => action::done(c, plan.target),
        Stage::Organization => organization::done(h, plan.target),
        Stage::Before | Stage::Institution => false,
    };
    let done = if met && elapsed >= min_steps {
        Some(EndReason::Criterion)
    } else if elapsed >= max_steps && c.action.is_none() {
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
