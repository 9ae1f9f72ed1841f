//! Stage 1, immersion: the organizer lives in the village and visits households;
//! a visited household that comes to trust the organizer serves as a contact person
//! and passes trust along its ties. The stage ends when a share `target` of
//! households trusts the organizer.

use super::visit;
use crate::model::household::Households;
use crate::model::network::Network;
use crate::model::params::BehaviourParams;
use crate::model::params::OrganizingParams;

/// This step's visits, each to a possible contact person.
pub(super) fn work(batch: &[u32], b: &BehaviourParams, h: &mut Households, net: &Network) {
    for &i in batch {
        visit(h, net, i as usize, b, true);
    }
}

/// Whether a share `target` of households trusts the organizer.
pub(super) fn done(p: OrganizingParams<'_>, h: &Households, target: f64) -> bool {
    let n = h.len().max(1) as f64;
    let trusting = p.behaviour.trusting as f32;
    h.trust.iter().filter(|&&x| x >= trusting).count() as f64 / n >= target
}
