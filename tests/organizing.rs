//! The organizing process, checked against the hypotheses of `docs/hypotheses.md`
//! (the brief's directions, MODEL.md *What must hold*, and issue 10's claims about
//! the regime). None of these outcomes is written into the code: each comes out of
//! the mechanisms in `src/model/stages/`, `src/model/institution.rs` and the modules
//! beside them; the hypotheses file says for each why it could fail.
//!
//! Every claim compares two strategies of `scenarios/strategies.toml` over
//! [`REPLICATES`] replicates in each of two independent seed families
//! ([`FAMILIES`]). Strategies of one replicate share the village, its potentials and
//! the shocks (common random numbers), so each comparison is paired: the test
//! computes the per-replicate difference and requires its mean to exceed [`Z`]
//! standard errors of that mean (a one-sided paired z-test at about p < 0.0015) in
//! both families, never a single lucky seed. A claim the model does not produce is
//! kept as an ignored test that says so (`cargo test -- --ignored` runs it).

use kampung::Scenario;
use kampung::experiment::runner::{self, RunOutput};
use kampung::model::metrics::Metrics;
use std::collections::HashMap;
use std::path::Path;
use std::sync::OnceLock;

/// Replicates per strategy and seed family.
const REPLICATES: u32 = 100;
/// Standard errors the mean paired difference must clear.
const Z: f64 = 3.0;
/// Base seeds of the two seed families (the scenario file's own seed, 7, is the one
/// the mechanisms were developed on, so it is not one of them).
const FAMILIES: [u64; 2] = [101, 202];

type Runs = HashMap<String, Vec<RunOutput>>;

/// All runs of the shipped strategy comparison in seed family `k`, by strategy, in
/// replicate order.
fn runs(k: usize) -> &'static Runs {
    static RUNS: [OnceLock<Runs>; 2] = [OnceLock::new(), OnceLock::new()];
    RUNS[k].get_or_init(|| {
        let mut s = Scenario::from_file(Path::new("scenarios/strategies.toml"))
            .expect("shipped scenario is valid");
        s.seed = FAMILIES[k];
        s.replicates = REPLICATES;
        s.strategies.retain(|x| x.name != "rushed");
        s.output.record_every = 1;
        s.output.households = false;
        let specs = runner::plan(&s);
        let out = runner::run_all(&s, &specs, None, &|_| {}).expect("runs");
        let mut by: Runs = HashMap::new();
        for r in out {
            by.entry(s.strategies[r.spec.strategy].name.clone())
                .or_default()
                .push(r);
        }
        by
    })
}

fn strategy(name: &str) -> &'static [RunOutput] {
    strategy_in(0, name)
}

fn strategy_in(k: usize, name: &str) -> &'static [RunOutput] {
    runs(k)
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
        n >= (a.len().min(b.len())) * 3 / 4,
        "{what}: only {n} comparable pairs"
    );
    assert!(
        mean > Z * se && mean > 0.0,
        "{what}: mean paired difference {mean:.4} (se {se:.4}, n {n}) is not above {Z} se"
    );
    eprintln!("{what}: difference {mean:.4} ± {se:.4} (n = {n})");
}

/// The outcomes of one hypothesis: every comparison in every seed family is
/// computed and printed before the test fails on any of them, so that a failing
/// run still reports the whole table.
#[derive(Default)]
struct Hypothesis {
    failed: Vec<String>,
}

impl Hypothesis {
    /// In every seed family, strategy `a` is larger than strategy `b` on the outcome
    /// `f`, by more than `Z` standard errors (pairs with an NA on either side are
    /// left out; at least half must remain).
    fn larger(&mut self, what: &str, a: &str, b: &str, f: impl Fn(&RunOutput) -> f64 + Copy) {
        for (k, family) in FAMILIES.iter().enumerate() {
            let x: Vec<f64> = strategy_in(k, a).iter().map(f).collect();
            let y: Vec<f64> = strategy_in(k, b).iter().map(f).collect();
            let (mean, se, n) = paired(&x, &y);
            let label = format!("{what} [{a} vs {b}, seeds {}]", family);
            let held = n * 2 >= x.len() && mean > Z * se && mean > 0.0;
            eprintln!(
                "{label}: difference {mean:.4} ± {se:.4} (n = {n}) {}",
                if held { "held" } else { "NOT HELD" }
            );
            if !held {
                self.failed.push(label);
            }
        }
    }

    fn verdict(self) {
        assert!(self.failed.is_empty(), "not held: {:?}", self.failed);
    }
}

/// Asserts, in every seed family, that strategy `a` is larger than strategy `b` on
/// the outcome `f`.
fn hypothesis(what: &str, a: &str, b: &str, f: impl Fn(&RunOutput) -> f64 + Copy) {
    let mut h = Hypothesis::default();
    h.larger(what, a, b, f);
    h.verdict();
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

/// Steps at which the run was in any of the given stages.
fn in_stages<'a>(r: &'a RunOutput, stages: &'a [u8]) -> impl Iterator<Item = &'a Metrics> {
    r.timeseries
        .iter()
        .map(|(_, m)| m)
        .filter(move |m| stages.contains(&(m.stage as u8)))
}

fn exit_step() -> u32 {
    156
}

fn post_exit(r: &RunOutput) -> Metrics {
    r.post_exit
        .expect("runs last past the durability horizon")
        .1
}

fn max(v: impl Iterator<Item = f64>) -> f64 {
    v.fold(f64::NAN, f64::max)
}

/// H1: skipping immersion lowers trust, attendance and participation.
#[test]
fn h1_skipping_immersion_lowers_trust_attendance_and_participation() {
    let mut h = Hypothesis::default();
    h.larger(
        "share trusting at the start of design",
        "full",
        "skip_immersion",
        |r| in_stage(r, 3).next().map_or(f64::NAN, |m| m.trusting),
    );
    h.larger(
        "peak attendance of the marginalized in stages 3-5",
        "full",
        "skip_immersion",
        |r| max(in_stages(r, &[3, 4, 5]).map(|m| m.attendance_marginalized)),
    );
    h.larger(
        "peak participation in stage 4",
        "full",
        "skip_immersion",
        |r| max(in_stage(r, 4).map(|m| m.participation)),
    );
    h.verdict();
}

/// H2: skipping social investigation lowers the benefits reaching the marginalized.
/// Not produced (docs/hypotheses.md, Results): at equal effort the carried time goes
/// to deliberation, and neither outcome differs beyond the noise in either family.
#[test]
#[ignore = "H2 not produced by the model: see docs/hypotheses.md"]
fn h2_skipping_investigation_lowers_benefits_to_the_marginalized() {
    let mut h = Hypothesis::default();
    h.larger(
        "benefit share of the marginalized in the two years after exit",
        "full",
        "skip_investigation",
        |r| {
            let v: Vec<f64> = r
                .timeseries
                .iter()
                .filter(|(t, _)| *t > exit_step() && *t <= exit_step() + 104)
                .map(|(_, m)| m.benefit_share_marginalized)
                .collect();
            v.iter().sum::<f64>() / v.len() as f64
        },
    );
    h.larger(
        "access gap two years after exit",
        "skip_investigation",
        "full",
        |r| post_exit(r).access_gap,
    );
    h.verdict();
}

/// H3: top-down design lowers legitimacy and post-exit durability.
#[test]
fn h3_top_down_design_lowers_legitimacy_and_durable_capacity() {
    let mut h = Hypothesis::default();
    h.larger("legitimacy at the end of design", "full", "top_down", |r| {
        in_stage(r, 4).next().map_or(f64::NAN, |m| m.legitimacy)
    });
    h.larger("capacity two years after exit", "full", "top_down", |r| {
        post_exit(r).capacity
    });
    h.verdict();
}

/// H4: without the organization stage, gains decay after the organizer leaves.
#[test]
fn h4_without_an_organization_gains_decay_after_the_organizer_leaves() {
    let mut h = Hypothesis::default();
    h.larger(
        "relapse of the relieved bias from exit to two years after",
        "skip_organization",
        "full",
        |r| post_exit(r).relieved_bias - at(r, exit_step()).relieved_bias,
    );
    h.larger(
        "fall of mean efficacy from exit to two years after",
        "skip_organization",
        "full",
        |r| at(r, exit_step()).mean_efficacy - post_exit(r).mean_efficacy,
    );
    h.verdict();
}

/// H5: inclusive facilitation raises the representation of the marginalized (and
/// narrows the access gap) against open facilitation.
#[test]
fn h5_inclusive_facilitation_raises_representation_of_the_marginalized() {
    let mut h = Hypothesis::default();
    h.larger(
        "representation among members two years after exit",
        "full",
        "open",
        |r| post_exit(r).member_representation,
    );
    h.larger("access gap two years after exit", "open", "full", |r| {
        post_exit(r).access_gap
    });
    // Partly built in (reserved seats): reported, not counted as a test.
    for (k, family) in FAMILIES.iter().enumerate() {
        let f = |r: &RunOutput| post_exit(r).leader_representation;
        let x: Vec<f64> = strategy_in(k, "full").iter().map(f).collect();
        let y: Vec<f64> = strategy_in(k, "open").iter().map(f).collect();
        let (mean, se, n) = paired(&x, &y);
        eprintln!(
            "leader representation, full vs open (not a test) [seeds {}]: {mean:.4} ± {se:.4} (n = {n})",
            family
        );
    }
    h.verdict();
}

/// H6: elite-first entry is fast but leaves the marginalized less reached.
#[test]
fn h6_elite_first_entry_is_faster_but_reaches_fewer_marginalized() {
    let mut h = Hypothesis::default();
    let immersion = |r: &RunOutput| {
        r.stages
            .iter()
            .find(|x| x.stage.name() == "immersion")
            .map_or(f64::NAN, |x| (x.end - x.start) as f64)
    };
    h.larger(
        "immersion duration",
        "marginalized_first",
        "elite_first",
        immersion,
    );
    h.larger(
        "marginalized unreached at the start of design",
        "elite_first",
        "marginalized_first",
        |r| {
            in_stage(r, 3)
                .next()
                .map_or(f64::NAN, |m| m.unreached_marginalized)
        },
    );
    h.verdict();
}

/// H7: the institution can decay: capacity two years after exit is lower than at
/// exit in some runs of the default strategy, and not in all.
#[test]
fn h7_capacity_falls_after_exit_in_some_runs_not_all() {
    for (k, family) in FAMILIES.iter().enumerate() {
        let runs = strategy_in(k, "full");
        let falls = runs
            .iter()
            .filter(|r| post_exit(r).capacity < at(r, exit_step()).capacity - 0.01)
            .count();
        let share = falls as f64 / runs.len() as f64;
        eprintln!(
            "capacity falls after exit in {falls} of {} runs [seeds {}]",
            runs.len(),
            family
        );
        assert!(
            (0.05..=0.95).contains(&share),
            "capacity fell after exit in {share} of runs [seeds {}]",
            family
        );
    }
}

/// H8: an organizer who stays differs from one who has left: capacity at step 207.
/// Not produced (docs/hypotheses.md, Results): the difference is within the noise in
/// both seed families. Kept, ignored, so that `--ignored` shows it.
#[test]
#[ignore = "H8 not produced by the model: see docs/hypotheses.md"]
fn h8_an_organizer_who_stays_raises_capacity_while_there() {
    hypothesis("capacity at step 207", "late_exit", "full", |r| {
        at(r, 207).capacity
    });
}

/// Issue 10's regime: at the defaults, actions succeed between 50% and 90% of the
/// time, immersion's and investigation's durations vary from run to run, and no
/// headline outcome sits at its bound in more than 90% of runs.
#[test]
fn the_default_strategy_is_out_of_saturation() {
    for (k, family) in FAMILIES.iter().enumerate() {
        let runs = strategy_in(k, "full");
        let (s, f) = runs.iter().fold((0.0, 0.0), |(s, f), r| {
            (s + r.last().successes, f + r.last().failures)
        });
        let rate = s / (s + f);
        eprintln!("success rate {rate:.3} [seeds {}]", family);
        assert!((0.5..0.9).contains(&rate), "action success rate {rate}");
        for stage in ["immersion", "investigation"] {
            let d: Vec<f64> = runs
                .iter()
                .filter_map(|r| r.stages.iter().find(|x| x.stage.name() == stage))
                .map(|x| (x.end - x.start) as f64)
                .collect();
            let mean = d.iter().sum::<f64>() / d.len() as f64;
            let sd = (d.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / d.len() as f64).sqrt();
            eprintln!("{stage}: {mean:.2} ± {sd:.2} steps [seeds {}]", family);
            assert!(sd > 0.0, "{stage} lasts {mean} steps in every run");
        }
        type Outcome = fn(&Metrics) -> f64;
        let headline: [(&str, Outcome, f64, f64); 5] = [
            ("capacity", |m| m.capacity, 0.0, 1.0),
            ("access gap", |m| m.access_gap, 0.0, f64::NAN),
            ("members", |m| m.members, 0.0, 1.0),
            ("unreached", |m| m.unreached_marginalized, 0.0, 1.0),
            (
                "leader representation",
                |m| m.leader_representation,
                0.0,
                f64::NAN,
            ),
        ];
        for (name, f, lo, hi) in headline {
            let at_bound = runs
                .iter()
                .filter(|r| {
                    let x = f(&post_exit(r));
                    x == lo || x == hi
                })
                .count();
            assert!(
                at_bound * 10 <= runs.len() * 9,
                "{name} at its bound in {at_bound} of {} runs",
                runs.len()
            );
        }
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
        // Unless all five stages were done by week 52, the one under way then is
        // recorded as cut by the exit.
        let all_done = last.stage.name() == "organization" && last.reason.name() != "exit";
        assert!(
            all_done || r.stages.iter().any(|x| x.reason.name() == "exit"),
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
        assert!(m.effective_elite_capture < beta || m.capacity == 0.0);
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
/// after the organization forms; with 0, and no diversion to recall leaders for
/// (`institution.capture = 0`), the first leaders keep their seats. Runs whose
/// organization has no leaders at step 100 or dissolves before step 300 are left out.
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
            .filter(|r| r.last().collapsed == 0.0)
            .filter_map(|r| {
                let at = |t: u32| {
                    let (_, h) = r.snapshots.iter().find(|(x, _)| *x == t).expect("snapshot");
                    h.leader.clone()
                };
                let (a, b) = (at(100), at(300));
                a.iter().any(|&l| l).then_some(a != b)
            })
            .collect()
    };
    let mut fixed = s.clone();
    fixed.strategies[0].params.institution.election_interval = 0;
    fixed.strategies[0].params.institution.capture = 0.0;
    let kept = leaders_changed(&fixed);
    assert!(kept.len() >= 20, "only {} runs with leaders", kept.len());
    assert!(
        kept.iter().all(|&c| !c),
        "without elections or recalls the leaders stay"
    );
    let changed = leaders_changed(&s);
    let share = changed.iter().filter(|&&c| c).count() as f64 / changed.len() as f64;
    assert!(
        share >= 0.9,
        "with yearly elections (4 between steps 100 and 300) leaders changed in only {share} of runs"
    );
}

/// The measures kept as the run goes (what the organizer heard truly, the potential
/// left) equal a recount from the state at every step. Could fail: a change of what
/// was heard not counted, or potential used without the total kept.
#[test]
fn running_counts_equal_a_recount() {
    use kampung::model::rng::rng_from_seed;
    use kampung::model::village::NoDataFiles;
    use kampung::model::{Params, Simulation, Village};
    let mut params = Params::default();
    params.population.households = 300;
    params.time.steps = 200;
    for seed in 1..4u64 {
        let village = Village::build(&params, &NoDataFiles, &mut rng_from_seed(seed));
        let mut sim = Simulation::new(&params, village, rng_from_seed(seed + 100));
        for _ in 0..params.time.steps {
            sim.step();
            let m = sim.measure();
            let h = &sim.village().households;
            let truly = sim
                .community()
                .heard
                .iter()
                .zip(&h.priority)
                .filter(|(a, b)| a == b)
                .count();
            assert_eq!(m.knowledge, truly as f64 / h.len() as f64);
            let p = &sim.community().potentials;
            // Households hold their potential as f32, the running total is f64: the
            // two agree to f32 precision.
            let (kept, recount) = (m.potential_left, p.left_share_recounted());
            assert!((kept - recount).abs() < 1e-5, "{kept} vs {recount}");
        }
    }
}
