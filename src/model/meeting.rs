//! Meetings: who comes (by availability, trust, awareness and efficacy, and the room
//! inclusive facilitation makes: the organizer's full accommodation while it is
//! there, afterwards as much as the leadership represents the marginalized), what
//! attending does (awareness, efficacy), and the bridging ties made there. The design stage's musyawarah and the organization's
//! regular meetings are both held here.

use crate::model::community::{Attendance, Community};
use crate::model::household::Households;
use crate::model::organizer::{Facilitation, unit};
use crate::model::params::OrganizingParams;
use rand::{Rng, RngExt};

/// What a meeting is for.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum MeetingKind {
    /// Musyawarah in the design stage: everyone is invited.
    Deliberation,
    /// The organization's regular meeting: members are invited.
    Institution,
}

/// Holds a meeting: draws attendance, raises attendees' awareness, makes bridging
/// ties among them, and records attendance by group.
pub(crate) fn meeting<R: Rng + ?Sized>(
    p: OrganizingParams<'_>,
    c: &mut Community,
    h: &mut Households,
    rng: &mut R,
    kind: MeetingKind,
) {
    let b = p.behaviour;
    let inclusive = p.organizer.facilitation == Facilitation::Inclusive;
    // The organizer arranges meetings the marginalized can make; once it has left,
    // the organization keeps the practice as far as its leadership represents them.
    let accommodation = if c.organizer_present {
        p.organizer.accommodation
    } else {
        1.0 + (p.organizer.accommodation - 1.0) * c.components[2]
    } as f32;
    c.attendees.clear();
    // What attending adds to awareness (the same for every attendee).
    let gain = ((b.meeting_awareness * (1.0 + c.bias_revealed)) as f32).min(1.0);
    let (mut am, mut nm, mut ao, mut no) = (0usize, 0usize, 0usize, 0usize);
    for i in 0..h.len() {
        let invited = match kind {
            MeetingKind::Deliberation => true,
            MeetingKind::Institution => h.member[i],
        };
        let mut prob = 0.0f32;
        if invited {
            prob = match kind {
                MeetingKind::Deliberation => {
                    h.availability[i] * (0.1 + 0.6 * h.trust[i] + 0.3 * h.awareness[i])
                }
                MeetingKind::Institution => {
                    h.availability[i] * (0.2 + 0.4 * h.efficacy[i] + 0.4 * h.awareness[i])
                }
            };
            // Inclusive facilitation reserves room for those identified as marginalized:
            // meetings at times and places they can make.
            if inclusive && h.identified[i] {
                prob *= accommodation;
            }
        }
        let came = invited && unit(rng) < prob.min(1.0);
        if h.marginalized[i] {
            nm += 1;
            am += came as usize;
        } else {
            no += 1;
            ao += came as usize;
        }
        if came {
            c.attendees.push(i as u32);
            h.attended[i] = true;
            h.awareness[i] += gain * (1.0 - h.awareness[i]);
            if kind == MeetingKind::Institution {
                h.efficacy[i] += 0.05 * (1.0 - h.efficacy[i]);
            }
        }
    }
    c.attendance = Attendance {
        marginalized: if nm > 0 { am as f64 / nm as f64 } else { 0.0 },
        other: if no > 0 { ao as f64 / no as f64 } else { 0.0 },
    };
    // Bridging ties: an attendee may befriend an attendee of another group.
    let m = c.attendees.len();
    if m >= 2 {
        for x in 0..m {
            if rng.random::<f64>() >= b.meeting_ties {
                continue;
            }
            let a = c.attendees[x];
            let other = c.attendees[rng.random_range(0..m)];
            if h.group[a as usize] != h.group[other as usize] {
                c.new_ties.push((a, other));
            }
        }
    }
}
