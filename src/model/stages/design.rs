//! Stage 3, designing the initial activities through deliberation (musyawarah):
//! meetings every `DESIGN_MEETING_INTERVAL` steps where the attendees choose the
//! shared issue by a vote weighted by the facilitation style (`vote`); top-down
//! facilitation holds none and brings an issue from outside (`agenda_issue`). The
//! plan's legitimacy is the share of households who took part or whose issue was
//! chosen. The stage ends after `target` meetings (top-down: once the issue is set).

use super::visit;
use crate::model::community::Community;
use crate::model::household::{Households, IssueId};
use crate::model::meeting::{MeetingKind, meeting};
use crate::model::network::Network;
use crate::model::organizer::Facilitation;
use crate::model::params::OrganizingParams;
use rand::{Rng, RngExt};

/// Steps between deliberation meetings in the design stage.
const DESIGN_MEETING_INTERVAL: u32 = 2;

/// This step's visits, and a deliberation meeting when one is due.
pub(super) fn work<R: Rng + ?Sized>(
    t: u32,
    batch: &[u32],
    p: OrganizingParams<'_>,
    c: &mut Community,
    h: &mut Households,
    net: &Network,
    rng: &mut R,
) {
    let b = p.behaviour;
    for &i in batch {
        visit(h, net, i as usize, b, false);
    }
    if p.organizer.facilitation == Facilitation::TopDown {
        // The organizer decides alone: no deliberation is held.
        if c.issue.is_none() {
            c.issue = Some(agenda_issue(h, rng));
            c.legitimacy = legitimacy(h, c.issue);
        }
    } else if (t - c.stage_start).is_multiple_of(DESIGN_MEETING_INTERVAL) {
        meeting(p, c, h, rng, MeetingKind::Deliberation);
        c.meetings_held += 1;
        let style = p.organizer.facilitation;
        c.issue = Some(vote(&c.attendees, h, style));
        c.legitimacy = legitimacy(h, c.issue);
    }
}

/// Whether the shared issue is chosen after `target` meetings (or set top-down).
pub(super) fn done(p: OrganizingParams<'_>, c: &Community, target: f64) -> bool {
    c.issue.is_some()
        && (p.organizer.facilitation == Facilitation::TopDown || c.meetings_held as f64 >= target)
}

/// The issue an organizer brings from outside when there is no deliberation: drawn
/// uniformly among the issues households hold.
pub(crate) fn agenda_issue<R: Rng + ?Sized>(h: &Households, rng: &mut R) -> IssueId {
    let k = h
        .priority
        .iter()
        .copied()
        .max()
        .map_or(1, |m| m as usize + 1);
    rng.random_range(0..k) as IssueId
}

/// Share of households that attended deliberation or whose issue was chosen.
pub(crate) fn legitimacy(h: &Households, issue: Option<IssueId>) -> f64 {
    let n = h.len();
    if n == 0 {
        return 0.0;
    }
    let served = (0..n)
        .filter(|&i| h.attended[i] || Some(h.priority[i]) == issue)
        .count();
    served as f64 / n as f64
}

/// Chooses the shared issue by a vote of the attendees, weighted by the facilitation
/// style: open meetings weigh by influence; inclusive ones give equal voice and
/// lift the marginalized attendees' total weight to at least their share of the
/// village. (Top-down facilitation holds no vote.)
pub(crate) fn vote(attendees: &[u32], h: &Households, style: Facilitation) -> IssueId {
    let k = h
        .priority
        .iter()
        .copied()
        .max()
        .map_or(1, |m| m as usize + 1);
    let mut tally_m = vec![0f64; k];
    let mut tally_o = vec![0f64; k];
    for &i in attendees {
        let i = i as usize;
        let w = match style {
            Facilitation::Open => h.influence[i] as f64,
            _ => 1.0,
        };
        if h.marginalized[i] {
            tally_m[h.priority[i] as usize] += w;
        } else {
            tally_o[h.priority[i] as usize] += w;
        }
    }
    let (sm, so): (f64, f64) = (tally_m.iter().sum(), tally_o.iter().sum());
    let mut scale_m = 1.0;
    if style == Facilitation::Inclusive && sm > 0.0 {
        let pop_share =
            h.marginalized.iter().filter(|&&m| m).count() as f64 / h.len().max(1) as f64;
        let share = sm / (sm + so);
        if share < pop_share && pop_share < 1.0 {
            // Scale marginalized votes so they hold pop_share of the total.
            scale_m = pop_share / (1.0 - pop_share) * so / sm;
        }
    }
    let mut best = 0;
    let mut best_v = f64::MIN;
    for x in 0..k {
        let v = tally_o[x] + scale_m * tally_m[x];
        if v > best_v {
            best_v = v;
            best = x;
        }
    }
    best as IssueId
}
