//! Stage 3, designing the initial activities through deliberation (musyawarah):
//! meetings every `DESIGN_MEETING_INTERVAL` steps where the attendees deliberate
//! towards consensus (mufakat).
//!
//! Deliberation follows Friedkin and Johnsen (1990): each attendee's view (weights
//! on the issues) becomes `s · own priority + (1 − s) · the room`, where `s` is
//! `behaviour.stubbornness` and the room is the voice-weighted mean of the
//! attendees' views (voice by influence in open meetings; equal in inclusive ones,
//! with the marginalized attendees lifted to their share of the village), mixed
//! with the organizer's agenda (`behaviour.agenda_weight`): the priorities the
//! organizer heard in stages 1 and 2, true or not. An attendee consents to an
//! issue its view weighs at least `1/k` (k issues); consensus is reached when a
//! share `behaviour.consensus` of the attendees consent to the issue the room
//! favours. Without consensus after `target` meetings the attendees vote (`vote`).
//! Top-down facilitation holds no meeting: the organizer sets the issue it heard
//! most (at random if it heard nothing). The plan's legitimacy is the share of
//! households whose view is the chosen issue or who attended a deliberation that
//! reached consensus.

use super::{Depth, visit};
use crate::model::community::{Community, NOT_HEARD, argmax};
use crate::model::household::{Households, IssueId};
use crate::model::meeting::{MeetingKind, meeting};
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
    rng: &mut R,
) {
    let b = p.behaviour;
    for &i in batch {
        visit(h, c, i as usize, b, Depth::Call, rng);
    }
    let style = p.organizer.facilitation;
    if style == Facilitation::TopDown {
        // The organizer decides alone: no deliberation is held.
        if c.issue.is_none() {
            c.issue = Some(agenda_issue(c, h, rng));
            c.consensus = false;
            c.legitimacy = legitimacy(c, h, c.issue);
        }
    } else if (t - c.stage_start).is_multiple_of(DESIGN_MEETING_INTERVAL) {
        meeting(p, c, h, rng, MeetingKind::Deliberation);
        c.meetings_held += 1;
        let accommodation = p.organizer.accommodation;
        let room = deliberate(c, h, style, accommodation, b.stubbornness, b.agenda_weight);
        let favoured = argmax(&room);
        let consenting = c
            .attendees
            .iter()
            .filter(|&&i| c.weight(h, i as usize, favoured) >= 1.0 / c.issues as f32)
            .count();
        c.consensus =
            !c.attendees.is_empty() && consenting as f64 >= b.consensus * c.attendees.len() as f64;
        c.issue = Some(if c.consensus {
            favoured
        } else {
            vote(&c.attendees, c, h, style)
        });
        c.legitimacy = legitimacy(c, h, c.issue);
    }
}

/// Whether the issue is settled: by consensus, by a vote after `target` meetings, or
/// top-down.
pub(super) fn done(p: OrganizingParams<'_>, c: &Community, target: f64) -> bool {
    c.issue.is_some()
        && (p.organizer.facilitation == Facilitation::TopDown
            || c.consensus
            || c.meetings_held as f64 >= target)
}

/// One round of Friedkin-Johnsen deliberation among this meeting's attendees;
/// returns the room (the voice-weighted mean view mixed with the organizer's
/// agenda) the attendees moved towards.
fn deliberate(
    c: &mut Community,
    h: &Households,
    style: Facilitation,
    accommodation: f64,
    stubbornness: f64,
    agenda_weight: f64,
) -> Vec<f32> {
    let k = c.issues.max(1);
    c.ensure_opinions(h);
    let voices = voices(&c.attendees, h, style);
    let mut room = vec![0f64; k];
    let mut total = 0f64;
    for (&i, &v) in c.attendees.iter().zip(&voices) {
        let o = &c.opinion[i as usize * k..(i as usize + 1) * k];
        for x in 0..k {
            room[x] += v * o[x] as f64;
        }
        total += v;
    }
    if total > 0.0 {
        for r in room.iter_mut() {
            *r /= total;
        }
    }
    if let Some(a) = agenda(c, h, style, accommodation) {
        let w = agenda_weight.clamp(0.0, 1.0);
        for x in 0..k {
            room[x] = (1.0 - w) * room[x] + w * a[x];
        }
    }
    let s = stubbornness.clamp(0.0, 1.0) as f32;
    let room: Vec<f32> = room.iter().map(|&r| r as f32).collect();
    for &i in &c.attendees {
        let i = i as usize;
        let o = &mut c.opinion[i * k..(i + 1) * k];
        for x in 0..k {
            let own = (h.priority[i] as usize == x) as u8 as f32;
            o[x] = s * own + (1.0 - s) * room[x];
        }
        c.views[i] = argmax(o);
    }
    room
}

/// Each attendee's voice: influence in open meetings; equal in inclusive ones, with
/// the marginalized attendees' total lifted to at least their share of the village.
fn voices(attendees: &[u32], h: &Households, style: Facilitation) -> Vec<f64> {
    let mut v: Vec<f64> = attendees
        .iter()
        .map(|&i| match style {
            Facilitation::Open => h.influence[i as usize] as f64,
            _ => 1.0,
        })
        .collect();
    if style == Facilitation::Inclusive {
        let (mut sm, mut so) = (0f64, 0f64);
        for (&i, &w) in attendees.iter().zip(&v) {
            if h.marginalized[i as usize] {
                sm += w;
            } else {
                so += w;
            }
        }
        let pop_share =
            h.marginalized.iter().filter(|&&m| m).count() as f64 / h.len().max(1) as f64;
        if sm > 0.0 && sm / (sm + so) < pop_share && pop_share < 1.0 {
            let scale = pop_share / (1.0 - pop_share) * so / sm;
            for (&i, w) in attendees.iter().zip(v.iter_mut()) {
                if h.marginalized[i as usize] {
                    *w *= scale;
                }
            }
        }
    }
    v
}

/// The organizer's agenda: the shares of the issues it heard households name (under
/// inclusive facilitation those it identified as marginalized count `accommodation`
/// times); `None` if it heard no one.
fn agenda(
    c: &Community,
    h: &Households,
    style: Facilitation,
    accommodation: f64,
) -> Option<Vec<f64>> {
    let k = c.issues.max(1);
    let mut a = vec![0f64; k];
    let mut total = 0f64;
    for (i, &x) in c.heard.iter().enumerate() {
        if x == NOT_HEARD || x as usize >= k {
            continue;
        }
        let w = if style == Facilitation::Inclusive && h.identified[i] {
            accommodation
        } else {
            1.0
        };
        a[x as usize] += w;
        total += w;
    }
    (total > 0.0).then(|| a.iter().map(|x| x / total).collect())
}

/// The issue the organizer brings when there is no deliberation: the one it heard
/// most, or one drawn uniformly if it heard no one.
pub(crate) fn agenda_issue<R: Rng + ?Sized>(c: &Community, h: &Households, rng: &mut R) -> IssueId {
    match agenda(c, h, Facilitation::Open, 1.0) {
        Some(a) => argmax(&a.iter().map(|&x| x as f32).collect::<Vec<_>>()),
        None => rng.random_range(0..c.issues.max(1)) as IssueId,
    }
}

/// Share of households whose view is the chosen issue, or who attended a
/// deliberation that reached consensus on it.
pub(crate) fn legitimacy(c: &Community, h: &Households, issue: Option<IssueId>) -> f64 {
    let n = h.len();
    if n == 0 {
        return 0.0;
    }
    let Some(issue) = issue else {
        return 0.0;
    };
    // The same count as `(consensus && attended) || view == issue` household by
    // household, over the kept views (no `argmax` per household).
    let served = if c.opinion.is_empty() {
        (0..n)
            .filter(|&i| (c.consensus && h.attended[i]) || c.view(h, i) == issue)
            .count()
    } else if c.consensus {
        let (views, attended) = (&c.views[..n], &h.attended[..n]);
        views
            .iter()
            .zip(attended)
            .map(|(&v, &a)| (a | (v == issue)) as usize)
            .sum()
    } else {
        c.views[..n].iter().map(|&v| (v == issue) as usize).sum()
    };
    served as f64 / n as f64
}

/// Chooses the issue by a vote of the attendees on their views, weighted by the
/// facilitation style's voices (top-down facilitation holds no vote).
pub(crate) fn vote(
    attendees: &[u32],
    c: &Community,
    h: &Households,
    style: Facilitation,
) -> IssueId {
    let k = c.issues.max(1);
    let mut tally = vec![0f32; k];
    for (&i, w) in attendees.iter().zip(voices(attendees, h, style)) {
        let x = c.view(h, i as usize) as usize;
        if x < k {
            tally[x] += w as f32;
        }
    }
    argmax(&tally)
}
