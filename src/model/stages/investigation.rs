//! Stage 2, social investigation: micro analysis (interviews that reveal who is
//! marginalized, with a probability that rises with trust; participatory wealth
//! ranking by trusting households about their ties; awareness from taking part in
//! analysis), the resource map of households documented, and macro analysis of how
//! the allocation rule works. Before any interview, on arrival, the organizer takes
//! the visibly poorest households for marginalized (`proxy_identification`). The
//! stage ends when the map covers a share `target` of households.

use super::visit;
use crate::model::community::Community;
use crate::model::household::Households;
use crate::model::network::Network;
use crate::model::params::BehaviourParams;
use rand::{Rng, RngExt};

/// Share of the allocation rule's hidden bias one organizer uncovers per step of
/// social investigation (macro analysis).
const MACRO_RATE: f64 = 0.1;

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

/// This step's interviews by the organizers at work (`working` of them), and the
/// macro analysis they advance.
pub(super) fn work<R: Rng + ?Sized>(
    batch: &[u32],
    working: u32,
    b: &BehaviourParams,
    c: &mut Community,
    h: &mut Households,
    net: &Network,
    rng: &mut R,
) {
    for &i in batch {
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

/// Whether the resource map covers a share `target` of households.
pub(super) fn done(c: &Community, target: f64) -> bool {
    c.map >= target
}
