//! One step of the organizing process: the organizers arrive or leave, last step's
//! trust, awareness and efficacy fade, the organizers work in the current stage
//! ([`crate::model::stages`], one file per stage), the institution works
//! ([`crate::model::institution`]), a collective action under way advances,
//! capacity is updated, and the stage may end.

use crate::model::community::Community;
use crate::model::household::Households;
use crate::model::institution;
use crate::model::network::Network;
use crate::model::organizer::ContactOrder;
use crate::model::params::OrganizingParams;
use crate::model::participation::ThresholdRule;
use crate::model::stage::{EndReason, Stage};
use crate::model::stages;
use rand::Rng;

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
        stages::investigation::proxy_identification(h, p.behaviour.proxy_share);
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
        stages::work(t, p, c, h, net, rng);
    }
    if c.formed {
        institution::work(t, p, c, h, net, rng);
    }
    if let Some(a) = c.action {
        stages::action::step(t, a, p, c, h, net, rule, rng);
    }
    institution::update_capacity(p.institution, c, h);
    if c.organizer_present {
        stages::transition(t, p, c, h, rng);
    }
    std::mem::take(&mut c.new_ties)
}

/// Trust, awareness and efficacy fade towards 0 by `rate` each step.
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
