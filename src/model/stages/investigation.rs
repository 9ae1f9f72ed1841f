//! Stage 2, social investigation. Micro analysis: interviews (visits to households
//! found free to talk) reveal who is marginalized, with a probability that rises with
//! trust; a trusting household also ranks the households it is tied to
//! (participatory wealth ranking); taking part raises awareness; each interview
//! documents the household's potential (the inventory of resources and
//! infrastructure, one kind per issue, `model/potential.rs`). Macro analysis: how
//! the allocation rule works is revealed by what marginalized households tell the
//! organizer, in proportion to the testimonies gathered (all of it once a share
//! [`MACRO_EVIDENCE`] of them have told their situation). Before
//! any interview, on arrival, the organizer takes the visibly poorest households for
//! marginalized (`proxy_identification`). The stage ends when macro analysis has
//! revealed a share `target` of the bias: a stage that ends on what the organizer
//! has learned, not on a count of interviews.

use super::{Depth, visit};
use crate::model::community::Community;
use crate::model::household::Households;
use crate::model::network::Network;
use crate::model::params::BehaviourParams;
use rand::{Rng, RngExt};

/// Share of the marginalized households whose testimony reveals the allocation
/// rule's bias completely (macro analysis).
pub const MACRO_EVIDENCE: f64 = 0.25;

/// Before any interview the organizer takes the poorest `share` of households for
/// marginalized (visible poverty).
pub(crate) fn proxy_identification(h: &mut Households, share: f64) {
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

/// This step's interviews, the inventory they add to, and the macro analysis the
/// testimonies advance.
pub(super) fn work<R: Rng + ?Sized>(
    batch: &[u32],
    b: &BehaviourParams,
    c: &mut Community,
    h: &mut Households,
    net: &Network,
    rng: &mut R,
) {
    for &i in batch {
        let i = i as usize;
        visit(h, c, i, b, Depth::Call, rng);
        if !h.interviewed[i] {
            h.interviewed[i] = true;
            c.interviewed_count += 1;
        }
        c.potentials.document(i);
        let trust = h.trust[i] as f64;
        // People tell a trusted organizer the truth: the interview reveals
        // the household's situation with a probability that rises with
        // trust and effort; otherwise the earlier classification stands.
        if rng.random::<f64>() < b.investigation_effort * (0.4 + 0.6 * trust) {
            h.identified[i] = h.marginalized[i];
            if h.marginalized[i] && !c.told[i] {
                c.told[i] = true;
                c.testimonies += 1;
            }
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
    // Macro analysis from the testimonies of marginalized households.
    let marginalized = h.marginalized.iter().filter(|&&m| m).count();
    c.bias_revealed = if marginalized == 0 {
        0.0
    } else {
        (c.testimonies as f64 / (MACRO_EVIDENCE * marginalized as f64)).min(1.0)
    };
}

/// Whether macro analysis has revealed a share `target` of how the allocation rule
/// works (from the testimonies gathered).
pub(super) fn done(c: &Community, target: f64) -> bool {
    c.bias_revealed >= target
}
