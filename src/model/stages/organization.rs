//! Stage 5, forming the people's organization: households with enough efficacy and
//! awareness who took part in an action or trust the organizer join when they can
//! make time (inclusive facilitation accommodates those identified as
//! marginalized); when the stage ends with at least three members the organization
//! is founded and elects its first leaders (`found`). The stage ends when members
//! are a share `target` of households.

use super::{Depth, visit};
use crate::model::community::Community;
use crate::model::household::Households;
use crate::model::organizer::{Facilitation, unit};
use crate::model::params::BehaviourParams;
use crate::model::params::OrganizingParams;
use rand::{Rng, RngExt};

/// Per-step chance that an eligible household with full availability joins the
/// organization while the organizer is forming it.
const JOIN_RATE: f32 = 0.25;

/// This step's visits and recruitment.
pub(super) fn work<R: Rng + ?Sized>(
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
    let accommodation = match p.organizer.facilitation {
        Facilitation::Inclusive => p.organizer.accommodation as f32,
        _ => 1.0,
    };
    recruit(h, b, accommodation, rng);
}

/// Whether members are a share `target` of households.
pub(super) fn done(h: &Households, target: f64) -> bool {
    let n = h.len().max(1) as f64;
    h.member_count() as f64 / n >= target
}

/// At the end of the stage (step `t`): the organization is founded if it has at
/// least three members, and elects its first leaders.
pub(super) fn found<R: Rng + ?Sized>(
    t: u32,
    p: OrganizingParams<'_>,
    c: &mut Community,
    h: &mut Households,
    rng: &mut R,
) {
    c.formed = h.member_count() >= 3;
    if c.formed {
        c.formed_at = t;
        elect_leaders(p, c, h, rng, false);
    }
}

/// Participants of past actions with enough efficacy, and contacted households with
/// enough efficacy and trust, join the organization when they can make time; an
/// inclusive organizer accommodates households identified as marginalized (their
/// chance is multiplied by `accommodation`).
fn recruit<R: Rng + ?Sized>(
    h: &mut Households,
    b: &BehaviourParams,
    accommodation: f32,
    rng: &mut R,
) {
    let e = b.member_efficacy as f32;
    let aware = b.member_awareness as f32;
    let trusting = b.trusting as f32;
    for i in 0..h.len() {
        if h.member[i] {
            continue;
        }
        let eligible = h.efficacy[i] >= e
            && h.awareness[i] >= aware
            && (h.participated[i] || h.trust[i] >= trusting);
        let boost = if h.identified[i] { accommodation } else { 1.0 };
        if eligible && unit(rng) < JOIN_RATE * h.availability[i] * boost {
            h.member[i] = true;
        }
    }
}

/// Members elect leaders with the facilitation style's weighting: open by influence,
/// inclusive by equal chance with seats reserved for marginalized members in
/// proportion to their share of members, top-down by the organizer's trust in them.
/// In a recall (`recall`), the recalled leaders cannot stand again (unless no other
/// member can).
pub(crate) fn elect_leaders<R: Rng + ?Sized>(
    p: OrganizingParams<'_>,
    c: &mut Community,
    h: &mut Households,
    rng: &mut R,
    recall: bool,
) {
    let mut members: Vec<u32> = (0..h.len() as u32)
        .filter(|&i| h.member[i as usize] && !(recall && h.leader[i as usize]))
        .collect();
    if members.is_empty() {
        members = (0..h.len() as u32)
            .filter(|&i| h.member[i as usize])
            .collect();
    }
    for l in h.leader.iter_mut() {
        *l = false;
    }
    if members.is_empty() {
        return;
    }
    let all = h.member_count();
    let seats =
        ((all as f64 * p.institution.leaders_share).round() as usize).clamp(1, members.len());
    // Score: larger wins. Random keys implement weighted sampling without replacement
    // (Efraimidis and Spirakis 2006): key = u^(1/w).
    let key = |w: f64, rng: &mut R| rng.random::<f64>().powf(1.0 / w.max(1e-9));
    let mut scored: Vec<(f64, u32)> = match p.organizer.facilitation {
        Facilitation::Open => members
            .iter()
            .map(|&i| (key((h.influence[i as usize] as f64).powi(2), rng), i))
            .collect(),
        Facilitation::Inclusive => members.iter().map(|&i| (key(1.0, rng), i)).collect(),
        Facilitation::TopDown => members
            .iter()
            .map(|&i| {
                (
                    h.trust[i as usize] as f64 * h.influence[i as usize] as f64,
                    i,
                )
            })
            .collect(),
    };
    scored.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
    let mut chosen: Vec<u32> = Vec::with_capacity(seats);
    if p.organizer.facilitation == Facilitation::Inclusive {
        let marg_members = members
            .iter()
            .filter(|&&i| h.marginalized[i as usize])
            .count();
        let reserved = ((seats * marg_members) as f64 / members.len() as f64).round() as usize;
        chosen.extend(
            scored
                .iter()
                .filter(|(_, i)| h.marginalized[*i as usize])
                .take(reserved)
                .map(|&(_, i)| i),
        );
    }
    for &(_, i) in &scored {
        if chosen.len() >= seats {
            break;
        }
        if !chosen.contains(&i) {
            chosen.push(i);
        }
    }
    for &i in &chosen {
        h.leader[i as usize] = true;
    }
    // Leaders from the most influential fifth of the village.
    let mut infl: Vec<f32> = h.influence.clone();
    let len = infl.len();
    let cut = if len == 0 {
        f32::MAX
    } else {
        *infl
            .select_nth_unstable_by(((len * 4) / 5).min(len - 1), f32::total_cmp)
            .1
    };
    let elite = chosen
        .iter()
        .filter(|&&i| h.influence[i as usize] >= cut)
        .count();
    c.leaders_elite_share = elite as f64 / chosen.len() as f64;
}
