//! The organizing process, checked against the directions the project brief expects
//! (MODEL.md, *What must hold*; issue 3). None of these outcomes is written into the
//! code: each comes out of the mechanisms in `src/model/stages/`, `src/model/institution.rs` and the modules beside them.
//!
//! Every claim compares two strategies of `scenarios/strategies.toml` over
//! [`REPLICATES`] replicates. Strategies of one replicate share the village and the
//! shocks (common random numbers), so each comparison is paired: the test computes
//! the per-replicate difference and requires its mean to exceed [`Z`] standard
//! errors of that mean (a one-sided paired z-test at about p < 0.0015), never a
//! single lucky seed.

use kampung::Scenario;
use kampung::experiment::runner::{self, RunOutput};
use kampung::model::metrics::Metrics;
use std::collections::HashMap;
use std::path::Path;
use std::sync::OnceLock;

/// Replicates per strategy. The smallest effect tested (skipping immersion on
/// capacity after exit, about 0.03 on a 0-1 scale) needs this many to stand clear
/// of the seed-to-seed spread.
const REPLICATES: u32 = 150;
/// Standard errors the mean paired difference must clear.
const Z: f64 = 3.0;

/// All runs of the shipped strategy comparison, by strategy, in replicate order.
fn runs() -> &'static HashMap<String, Vec<RunOutput>> {
    static RUNS: OnceLock<HashMap<String, Vec<RunOutput>>> = OnceLock::new();
    RUNS.get_or_init(|| {
        let mut s = Scenario::from_file(Path::new("scenarios/strategies.toml"))
            .expect("shipped scenario is valid");
        s.replicates = REPLICATES;
        s.strategies
            .retain(|x| !matches!(x.name.as_str(), "rushed" | "late_exit"));
        s.output.record_every = 1;
        s.output.households = false;
        let specs = runner::plan(&s);
        let out = runner::run_all(&s, &specs, None, &|_| {}).expect("runs");
        let mut by: HashMap<String, Vec<RunOutput>> = HashMap::new();
        for r in out {
            by.entry(s.strategies[r.spec.strategy].name.clone())
                .or_default()
                .push(r);
        }
        by
    })
}

fn strategy(name: &str) -> &'static [RunOutput] {
    runs()
        .get(name)
        .unwrap_or_else(|| panic!("strategy {name} in scenarios/strategies.toml"))
}

/// Mean and standard error of the paired differences `a − b` (pairs with a missing
/// value on either side are left out).
fn paired(a: &[f64], b: &[f64]) -> (f64, f64, usize) {
    let d: Vec<f64> = a
        .iter()
        .zip(b)
        .filter(|(x, y)| x.is_finite() && y.is_finite())
        .map(|(x, y)| x - y)
        .collect();
    let n = d.len() as f64;
    let mean = d.iter().sum::<f64>() / n;
    let var = d.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (n - 1.0);
    (mean, (var / n).sqrt(), d.len())
}

/// Asserts `a` is larger than `b` on average, by more than `Z` standard errors.
fn assert_larger(what: &str, a: &[f64], b: &[f64]) {
    let (mean, se, n) = paired(a, b);
    assert!(
        n >= (REPLICATES as usize) * 3 / 4,
        "{what}: only {n} comparable pairs"
    );
    assert!(
        mean > Z * se && mean > 0.0,
        "{what}: mean paired difference {mean:.4} (se {se:.4}, n {n}) is not above {Z} se"
    );
    eprintln!("{what}: difference {mean:.4} ± {se:.4} (n = {n})");
}

fn each(name: &str, f: impl Fn(&RunOutput) -> f64) -> Vec<f64> {
    strategy(name).iter().map(f).collect()
}

fn at(r: &RunOutput, step: u32) -> Metrics {
    r.timeseries[step as usize].1
}

/// Steps at which the run was in a given stage.
fn in_stage(r: &RunOutput, stage: u8) -> impl Iterator<Item = &Metrics> {
    r.timeseries
        .iter()
        .map(|(_, m)| m)
        .filter(move |m| m.stage as u8 == stage)
}

fn exit_step() -> u32 {
    156
}

fn post_exit(r: &RunOutput) -> Metrics {
    r.post_exit
        .expect("runs last past the durability horizon")
        .1
}

#[test]
fn skipping_immersion_lowers_trust_attendance_and_participation() {
    // Trust when deliberation starts (first step of the design stage).
    let trust = |r: &RunOutput| in_stage(r, 3).next().map_or(f64::NAN, |m| m.mean_trust);
    assert_larger(
        "trust at the start of design",
        &each("full", trust),
        &each("skip_immersion", trust),
    );
    // Attendance of the deliberation meetings (village-wide share, 30% marginalized).
    let attendance = |r: &RunOutput| {
        let v: Vec<f64> = in_stage(r, 3)
            .map(|m| 0.3 * m.attendance_marginalized + 0.7 * m.attendance_other)
            .collect();
        v.iter().copied().fold(f64::NAN, f64::max)
    };
    assert_larger(
        "meeting attendance",
        &each("full", attendance),
        &each("skip_immersion", attendance),
    );
    // Participation at the height of the first action.
    let participation = |r: &RunOutput| {
        in_stage(r, 4)
            .map(|m| m.participation)
            .fold(f64::NAN, f64::max)
    };
    assert_larger(
        "peak participation in the first action",
        &each("full", participation),
        &each("skip_immersion", participation),
    );
}

#[test]
fn skipping_investigation_lowers_identification_and_benefits_to_the_marginalized() {
    let recall = |r: &RunOutput| r.last().identification_recall;
    assert_larger(
        "identification recall",
        &each("full", recall),
        &each("skip_investigation", recall),
    );
    // Share of benefits reaching marginalized households, averaged over the years after
    // the organizer has left.
    let share = |r: &RunOutput| {
        let v: Vec<f64> = r
            .timeseries
            .iter()
            .filter(|(t, _)| *t > exit_step())
            .map(|(_, m)| m.benefit_share_marginalized)
            .collect();
        v.iter().sum::<f64>() / v.len() as f64
    };
    assert_larger(
        "benefit share of marginalized households after exit",
        &each("full", share),
        &each("skip_investigation", share),
    );
}

#[test]
fn top_down_design_lowers_legitimacy_and_durable_capacity() {
    let legitimacy = |r: &RunOutput| r.last().legitimacy;
    assert_larger(
        "legitimacy",
        &each("full", legitimacy),
        &each("top_down", legitimacy),
    );
    let capacity = |r: &RunOutput| post_exit(r).capacity;
    assert_larger(
        "capacity two years after exit",
        &each("full", capacity),
        &each("top_down", capacity),
    );
}

#[test]
fn without_an_organization_gains_decay_after_the_organizer_leaves() {
    // The access gap widens again after the exit without an organization ...
    let widening = |r: &RunOutput| post_exit(r).access_gap - at(r, exit_step()).access_gap;
    assert_larger(
        "widening of the access gap after exit",
        &each("skip_organization", widening),
        &each("full", widening),
    );
    // ... because the renegotiated bias relapses.
    let relapse = |r: &RunOutput| post_exit(r).relieved_bias - at(r, exit_step()).relieved_bias;
    let zero = vec![0.0; REPLICATES as usize];
    assert_larger(
        "relapse of the bias",
        &each("skip_organization", relapse),
        &zero,
    );
}

#[test]
fn inclusive_facilitation_raises_representation_of_the_marginalized() {
    let members = |r: &RunOutput| r.last().member_representation;
    assert_larger(
        "representation among members",
        &each("full", members),
        &each("open", members),
    );
    let leaders = |r: &RunOutput| r.last().leader_representation;
    assert_larger(
        "representation among leaders",
        &each("full", leaders),
        &each("open", leaders),
    );
}

#[test]
fn elite_first_entry_builds_trust_faster_but_leaves_more_marginalized_unreached() {
    let trusting = |r: &RunOutput| at(r, 20).trusting;
    assert_larger(
        "households trusting the organizer at week 20",
        &each("elite_first", trusting),
        &each("marginalized_first", trusting),
    );
    let unreached = |r: &RunOutput| r.last().unreached_marginalized;
    assert_larger(
        "marginalized households unreached at the end",
        &each("elite_first", unreached),
        &each("marginalized_first", unreached),
    );
}

/// Skipping immersion is left out: in this model its effect on capacity two years
/// after the exit is small and not clear of the seed-to-seed spread (0.0073 ± 0.0031
/// over 150 paired replicates, 2.4 standard errors, below the 3 asked of the rest). Immersion changes who trusts
/// the organizer, attends and joins first (see the test above), but the
/// institution's own turnover of members and oversight dominates two years on. The
/// finding is reported as it is rather than tuned away (issue 3).
#[test]
fn the_full_sequence_beats_every_single_stage_skip_on_capacity_after_exit() {
    let capacity = |r: &RunOutput| post_exit(r).capacity;
    for skip in [
        "skip_investigation",
        "skip_design",
        "skip_action",
        "skip_organization",
    ] {
        assert_larger(
            &format!("capacity after exit, full vs {skip}"),
            &each("full", capacity),
            &each(skip, capacity),
        );
    }
    // Measured each time, asserted never (see above): printed so the note's numbers
    // can be checked with `--nocapture`.
    {
        let skip = "skip_immersion";
        let (mean, se, n) = paired(&each("full", capacity), &each(skip, capacity));
        eprintln!(
            "capacity after exit, full vs {skip} (not asserted): difference {mean:.4} ± {se:.4} (n = {n})"
        );
    }
}

#[test]
fn skipped_stages_are_recorded_as_skipped() {
    for (name, stage) in [
        ("skip_immersion", "immersion"),
        ("skip_investigation", "investigation"),
        ("skip_design", "design"),
        ("skip_action", "action"),
        ("skip_organization", "organization"),
    ] {
        for r in strategy(name) {
            let rec = r
                .stages
                .iter()
                .find(|x| x.stage.name() == stage)
                .expect("every stage has a record");
            assert_eq!(rec.reason.name(), "skipped", "{name}");
            assert_eq!(rec.start, rec.end);
        }
    }
}

#[test]
fn stages_follow_each_other_without_gaps() {
    for r in strategy("full") {
        let five: Vec<_> = r.stages.iter().collect();
        assert_eq!(five.len(), 5);
        for w in five.windows(2) {
            assert_eq!(
                w[0].end,
                w[1].start,
                "stage {} ends where the next starts",
                w[0].stage.name()
            );
            assert!(w[0].stage < w[1].stage);
        }
        assert_eq!(five[0].start, 0);
    }
}

#[test]
fn an_early_exit_cuts_the_stage_under_way() {
    for r in strategy("early_exit") {
        let last = r.stages.last().expect("records");
        assert!(last.end <= 52);
        assert!(
            r.stages.iter().any(|x| x.reason.name() == "exit") || last.end < 52,
            "a stage under way at week 52 is recorded as cut by the exit"
        );
    }
}

/// The institution's capacity takes elite capture off the allocation rule
/// (`institution.elite_capture_cut`, ODD 7.8): with the cut, the elite capture in
/// force falls as capacity grows and the richest fifth gets a smaller share of the
/// benefits after the exit than in the same villages without it.
#[test]
fn capacity_lowers_elite_capture_and_the_top_fifths_share() {
    let mut s = Scenario::from_file(Path::new("scenarios/strategies.toml"))
        .expect("shipped scenario is valid");
    s.replicates = REPLICATES;
    s.output.households = false;
    let full = s
        .strategies
        .iter()
        .find(|x| x.name == "full")
        .expect("strategy full")
        .clone();
    let mut without = full.clone();
    without.name = "no_cut".into();
    without.params.institution.elite_capture_cut = 0.0;
    let mut with = full;
    with.name = "cut".into();
    with.params.institution.elite_capture_cut = 0.5;
    s.strategies = vec![with, without];
    let out = runner::run_all(&s, &runner::plan(&s), None, &|_| {}).expect("runs");
    let (cut, no_cut): (Vec<&RunOutput>, Vec<&RunOutput>) =
        out.iter().partition(|r| r.spec.strategy == 0);
    let beta = s.strategies[0].params.economy.elite_capture;
    for r in &cut {
        let m = post_exit(r);
        let expected = beta * (1.0 - 0.5 * m.capacity.clamp(0.0, 1.0));
        // The rule as it stands at the end of the step, for the next allocation.
        assert!(
            (m.effective_elite_capture - expected).abs() <= 1e-12,
            "β in force {} against {expected}",
            m.effective_elite_capture
        );
        assert!(m.effective_elite_capture < beta);
    }
    for r in &no_cut {
        assert_eq!(post_exit(r).effective_elite_capture, beta);
    }
    let top = |rs: &[&RunOutput]| -> Vec<f64> {
        rs.iter()
            .map(|r| post_exit(r).top_quintile_benefit_share)
            .collect()
    };
    assert_larger(
        "top fifth's benefit share after exit, no cut vs cut",
        &top(&no_cut),
        &top(&cut),
    );
}

/// A team: a second organizer with elite-first targeting for the first 10 weeks
/// contacts the village's elites sooner than the lead alone (random targeting) does,
/// and a team member whose time in the village never comes changes nothing at all.
#[test]
fn a_team_member_works_by_its_own_rule_within_its_own_time() {
    const TEXT: &str = r#"
[scenario]
name = "team"
seed = 5
replicates = 150
[time]
steps = 40
[population]
households = 300
[[population.groups]]
name = "elite"
share = 0.1
resources = { dist = "lognormal", median = 30.0, sigma = 0.4 }
[[population.groups]]
name = "others"
share = 0.9
[organizer]
targeting = "random"
[output]
households = false

[strategies.alone]

[strategies.with_liaison]
[[strategies.with_liaison.organizer.team]]
targeting = "elite_first"
exit_step = 10
"#;
    let s = Scenario::from_text(TEXT, "team.toml", "team", Path::new(".")).expect("valid");
    let out = runner::run_all(&s, &runner::plan(&s), None, &|_| {}).expect("runs");
    let elite_contacted = |k: usize| -> Vec<f64> {
        out.iter()
            .filter(|r| r.spec.strategy == k)
            .map(|r| {
                let (_, groups) = r.groups.iter().find(|(t, _)| *t == 10).expect("step 10");
                groups[0].contacted
            })
            .collect()
    };
    assert_larger(
        "elite households contacted by week 10, with the liaison vs alone",
        &elite_contacted(1),
        &elite_contacted(0),
    );
    // After the liaison leaves, contacts per step fall back to the lead's.
    for r in out.iter().filter(|r| r.spec.strategy == 1) {
        let contacted = |t: u32| r.timeseries[t as usize].1.contacted * 300.0;
        let early = contacted(10) - contacted(0);
        let late = contacted(20) - contacted(10);
        assert!(
            early <= 100.0 + 1e-9 && late <= 50.0 + 1e-9,
            "{early} {late}"
        );
    }

    // A member who would start after the lead has left never works: the same runs,
    // byte for byte in every measure, as without it.
    let mut idle = s.clone();
    idle.strategies.truncate(1);
    idle.strategies[0]
        .params
        .organizer
        .team
        .push(kampung::model::organizer::TeamMember {
            targeting: Some(kampung::model::organizer::Targeting::EliteFirst),
            entry_step: Some(500),
            exit_step: Some(600),
            ..Default::default()
        });
    let mut alone = s.clone();
    alone.strategies.truncate(1);
    let a = runner::run_all(&alone, &runner::plan(&alone), None, &|_| {}).expect("runs");
    let b = runner::run_all(&idle, &runner::plan(&idle), None, &|_| {}).expect("runs");
    // Compared as bits, so that NA (NaN) equals NA.
    let bits = |r: &RunOutput| -> Vec<u64> {
        r.timeseries
            .iter()
            .flat_map(|(_, m)| m.values())
            .chain(
                r.groups
                    .iter()
                    .flat_map(|(_, g)| g.iter().flat_map(|m| m.values())),
            )
            .map(f64::to_bits)
            .collect()
    };
    assert_eq!(a.len(), b.len());
    for (x, y) in a.iter().zip(&b) {
        assert!(bits(x) == bits(y), "replicate {} differs", x.spec.replicate);
    }
}

/// Members elect their leaders again every `institution.election_interval` steps
/// after the organization forms; with 0 the first leaders keep their seats.
#[test]
fn leaders_are_elected_again_at_the_interval() {
    let mut s = Scenario::from_file(Path::new("scenarios/strategies.toml"))
        .expect("shipped scenario is valid");
    s.replicates = 30;
    s.strategies.retain(|x| x.name == "full");
    s.output.households = true;
    s.output.household_steps = vec![100, 300];
    let leaders_changed = |s: &Scenario| -> Vec<bool> {
        runner::run_all(s, &runner::plan(s), None, &|_| {})
            .expect("runs")
            .iter()
            .filter(|r| r.stages.iter().any(|x| x.stage.name() == "organization"))
            .map(|r| {
                let at = |t: u32| {
                    let (_, h) = r.snapshots.iter().find(|(x, _)| *x == t).expect("snapshot");
                    h.leader.clone()
                };
                let (a, b) = (at(100), at(300));
                assert!(
                    a.iter().any(|&l| l),
                    "the organization has leaders at step 100"
                );
                a != b
            })
            .collect()
    };
    let mut fixed = s.clone();
    fixed.strategies[0].params.institution.election_interval = 0;
    let kept = leaders_changed(&fixed);
    assert!(kept.len() >= 25);
    assert!(
        kept.iter().all(|&c| !c),
        "without elections the leaders stay"
    );
    let changed = leaders_changed(&s);
    let share = changed.iter().filter(|&&c| c).count() as f64 / changed.len() as f64;
    assert!(
        share >= 0.9,
        "with yearly elections (4 between steps 100 and 300) leaders changed in only {share} of runs"
    );
}
