//! Stage 1, immersion: the organizer lives in the village, visits households and
//! works alongside them (the full `visit_gain` of trust for each household found
//! free to talk), and listens to what they name as their priority (heard truly with
//! probability equal to their trust). What households' ties think of the organizer
//! pulls their trust up (word of mouth, `stages::word_of_mouth`), so the stage ends
//! early in a cohesive village and drags on in a divided one. It ends when a share
//! `target` of households trusts the organizer.

use super::{Depth, visit};
use crate::model::community::Community;
use crate::model::household::Households;
use crate::model::params::BehaviourParams;
use crate::model::params::OrganizingParams;
use rand::Rng;

/// This step's visits: living in, working alongside, listening.
pub(super) fn work<R: Rng + ?Sized>(
    batch: &[u32],
    b: &BehaviourParams,
    c: &mut Community,
    h: &mut Households,
    rng: &mut R,
) {
    for &i in batch {
        visit(h, c, i as usize, b, Depth::LiveIn, rng);
    }
}

/// Whether a share `target` of households trusts the organizer.
pub(super) fn done(p: OrganizingParams<'_>, h: &Households, target: f64) -> bool {
    let n = h.len().max(1) as f64;
    let trusting = p.behaviour.trusting as f32;
    h.trust.iter().filter(|&&x| x >= trusting).count() as f64 / n >= target
}
