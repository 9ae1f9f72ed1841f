//! A training lesson's claims checked on demo villages: [`play`] runs a lesson's two
//! sides as `kampung demo` plays them and reads every [`LessonMeasure`] off each;
//! [`check`] plays many villages and says, claim by claim, in how many the stated
//! direction held. `tests/training.rs` uses both; so can a trainer who edits a lesson.

use super::{Change, Comparison, EventKind};
use crate::error::Result;
use crate::model::stage::Stage;
use crate::scenario::Scenario;
use crate::scenario::lesson::{LessonClaim, LessonMeasure};
use rayon::prelude::*;

/// What one side of one village came to, on every measure a lesson can claim.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct LessonOutcome {
    trust_at_design: f64,
    peak_participation: f64,
    peak_attendance_marginalized: f64,
    legitimacy: f64,
    recall: f64,
    members: f64,
    capacity: f64,
    gap_after_exit: f64,
    gap_at_end: f64,
    unreached: f64,
    leader_representation: f64,
    diversion: f64,
    benefit_share_after_exit: f64,
    successes: f64,
}

impl LessonOutcome {
    /// The value of `m`.
    pub fn get(&self, m: LessonMeasure) -> f64 {
        match m {
            LessonMeasure::TrustAtDesign => self.trust_at_design,
            LessonMeasure::PeakParticipation => self.peak_participation,
            LessonMeasure::PeakAttendanceMarginalized => self.peak_attendance_marginalized,
            LessonMeasure::Legitimacy => self.legitimacy,
            LessonMeasure::Recall => self.recall,
            LessonMeasure::Members => self.members,
            LessonMeasure::Capacity => self.capacity,
            LessonMeasure::GapAfterExit => self.gap_after_exit,
            LessonMeasure::GapAtEnd => self.gap_at_end,
            LessonMeasure::Unreached => self.unreached,
            LessonMeasure::LeaderRepresentation => self.leader_representation,
            LessonMeasure::Diversion => self.diversion,
            LessonMeasure::BenefitShareAfterExit => self.benefit_share_after_exit,
            LessonMeasure::Successes => self.successes,
        }
    }
}

/// Plays the lesson's village of `seed` (its own seed when `None`) as `kampung demo`
/// does and reads both sides' outcomes (left: `full`; right: the lesson's strategy).
pub fn play(s: &Scenario, seed: Option<u64>) -> Result<[LessonOutcome; 2]> {
    let cmp = Comparison::new(s.clone(), Change::default(), seed)?;
    let exits = [0, 1].map(|k| cmp.sides[k].params.organizer.exit_step);
    let mut o = [LessonOutcome::default(); 2];
    let mut after_exit = [(0.0, 0u32); 2];
    let mut demo = cmp.start();
    for f in demo.by_ref() {
        for k in 0..2 {
            let m = &f.sides[k].metrics;
            if f.events
                .iter()
                .any(|e| e.side == k && e.kind == EventKind::StageStarted(Stage::Design))
            {
                o[k].trust_at_design = m.trusting;
            }
            let stage = f.sides[k].stage;
            if matches!(stage, Stage::Design | Stage::Action | Stage::Organization) {
                o[k].peak_attendance_marginalized = o[k]
                    .peak_attendance_marginalized
                    .max(m.attendance_marginalized);
            }
            if stage == Stage::Action {
                o[k].peak_participation = o[k].peak_participation.max(m.participation);
            }
            if f.step > exits[k] && m.benefit_share_marginalized.is_finite() {
                after_exit[k].0 += m.benefit_share_marginalized;
                after_exit[k].1 += 1;
            }
        }
    }
    let sum = demo.into_summary();
    for k in 0..2 {
        let e = &sum.sides[k].end;
        let post = sum.sides[k].post_exit.map(|(_, m)| m).unwrap_or_default();
        o[k].legitimacy = e.legitimacy;
        o[k].recall = e.identification_recall;
        o[k].members = e.members;
        o[k].capacity = e.capacity;
        o[k].gap_after_exit = post.access_gap;
        o[k].gap_at_end = e.access_gap;
        o[k].unreached = e.unreached_marginalized;
        o[k].leader_representation = e.leader_representation;
        o[k].diversion = e.diversion;
        o[k].successes = e.successes;
        o[k].benefit_share_after_exit = after_exit[k].0 / f64::from(after_exit[k].1.max(1));
    }
    Ok(o)
}

/// How one claim fared over the villages played.
#[derive(Debug, Clone, PartialEq)]
pub struct ClaimCheck {
    /// The claim.
    pub claim: LessonClaim,
    /// Villages in which it went the stated way.
    pub held: usize,
    /// Villages played.
    pub villages: usize,
    /// Mean over the villages, `full` then the lesson's strategy.
    pub means: [f64; 2],
    /// Whether it went the stated way in the file's own village.
    pub own_village: bool,
}

impl ClaimCheck {
    /// Whether the claim holds as stated: in enough villages, and in the file's own
    /// village (the one the demo plays, chosen to show every claim).
    pub fn holds(&self) -> bool {
        self.held >= self.claim.villages.needed(self.villages) && self.own_village
    }
}

/// Plays the villages of `seeds` (replicate 0 of each base seed, as `demo --seed`
/// does) and the file's own village, and checks every claim of the lesson.
pub fn check(s: &Scenario, seeds: &[u64]) -> Result<Vec<ClaimCheck>> {
    let claims = s
        .lesson
        .as_ref()
        .map(|l| l.claims.clone())
        .unwrap_or_default();
    let runs: Vec<[LessonOutcome; 2]> = seeds
        .par_iter()
        .map(|&seed| play(s, Some(seed)))
        .collect::<Result<_>>()?;
    let own = play(s, None)?;
    let n = runs.len().max(1) as f64;
    Ok(claims
        .into_iter()
        .map(|claim| {
            let m = claim.measure;
            let held = runs
                .iter()
                .filter(|[l, r]| claim.direction.holds(l.get(m), r.get(m)))
                .count();
            let means = [0, 1].map(|k| runs.iter().map(|o| o[k].get(m)).sum::<f64>() / n);
            ClaimCheck {
                own_village: claim.direction.holds(own[0].get(m), own[1].get(m)),
                claim,
                held,
                villages: runs.len(),
                means,
            }
        })
        .collect())
}
