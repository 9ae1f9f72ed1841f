//! `kampung calibrate` as a user runs it: the same files for any thread count and
//! after an interrupted calibration is resumed; located errors for bad `[calibrate]`
//! tables and evidence files; and simulation-based calibration on the real model
//! (the truth inside the 90% credible intervals about 90% of the time).

use kampung::Scenario;
use kampung::experiment::abc::{self, Hooks, Model};
use kampung::experiment::calibrate::{Problem, settings, summarize};
use std::path::Path;
use std::process::Command;

/// A small village, a short run: 80 households, 60 weeks, the organizer leaving at
/// week 40.
const SCENARIO: &str = r#"
[scenario]
name = "tiny"
seed = 3
replicates = 1

[time]
steps = 60

[population]
households = 80

[organizer]
exit_step = 40

[strategies.full]

[strategies.open]
organizer.facilitation = "open"

[calibrate]
evidence = "evidence.toml"
particles = 30
generations = 2
predictive = 8

[calibrate.ranges]
"behaviour.visit_gain" = [0.2, 0.9]
"behaviour.decay" = [0.001, 0.02]
"#;

/// Two patterns the two parameters move: trust in the organizer while it visits
/// (visit_gain) and what is left of it after the exit (decay).
fn evidence(trust: f64, after: f64) -> String {
    let one = |id: &str, value: f64, terms: &str| {
        format!(
            r#"
[[pattern]]
id = "{id}"
claim = "synthetic"
level = "village"
authors = ["Test"]
year = 2026
title = "t"
venue = "v"
where = "here"
observed = {{ value = {value} }}
expressible = true
verified = "no"
[pattern.statistic]
terms = [{terms}]
"#
        )
    };
    one(
        "trust",
        trust,
        r#"{ strategy = "full", measure = "mean_trust", window = [15, 35] }"#,
    ) + &one(
        "after",
        after,
        r#"{ strategy = "full", measure = "mean_trust", window = [50, 60] }"#,
    )
}

fn write(dir: &Path, scenario: &str, evidence: &str) -> std::path::PathBuf {
    std::fs::write(dir.join("evidence.toml"), evidence).expect("write evidence");
    let p = dir.join("tiny.toml");
    std::fs::write(&p, scenario).expect("write scenario");
    p
}

fn kampung(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_kampung"))
        .args(args)
        .output()
        .expect("run kampung")
}

const FILES: &[&str] = &[
    "posterior.csv",
    "statistics.csv",
    "calibration.csv",
    "scales.csv",
    "predictive.csv",
    "patterns.csv",
];

fn same_files(a: &Path, b: &Path) {
    for f in FILES {
        let x = std::fs::read(a.join(f)).expect("read a");
        let y = std::fs::read(b.join(f)).expect("read b");
        assert!(
            x == y,
            "{f} differs between {} and {}",
            a.display(),
            b.display()
        );
    }
}

/// One thread, two threads, and a calibration interrupted after generation 1 (the
/// last generation's rows gone, or half written) then resumed, all give the same
/// bytes. Could fail: proposals drawn from a shared stream, accepted in finish
/// order, numbers not read back exactly, or a resume that starts from the wrong
/// generation.
#[test]
fn the_same_calibration_for_any_thread_count_and_after_a_resume() {
    let t = tempfile::tempdir().expect("tempdir");
    let sc = write(t.path(), SCENARIO, &evidence(0.5, 0.3));
    let sc = sc.to_str().expect("utf-8");
    let a = t.path().join("a");
    let b = t.path().join("b");
    for (dir, j) in [(&a, "1"), (&b, "2")] {
        let o = kampung(&[
            "calibrate",
            sc,
            "-q",
            "-j",
            j,
            "--out",
            dir.to_str().expect("p"),
        ]);
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    }
    same_files(&a, &b);
    // The report of the folder draws both parameters' marginals, their pair, and
    // each pattern's predictive check. Could fail: a calibration folder taken for a
    // run folder, or a section left out.
    let o = kampung(&["report", a.to_str().expect("p")]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let html = std::fs::read_to_string(a.join("report.html")).expect("report");
    for want in [
        "Marginal posteriors",
        "posterior of behaviour.visit_gain",
        "posterior of behaviour.decay",
        "behaviour.decay against behaviour.visit_gain",
        "predictive check: trust",
        "predictive check: after",
    ] {
        assert!(html.contains(want), "the report lacks {want}");
    }
    let post = std::fs::read_to_string(a.join("posterior.csv")).expect("posterior");
    assert_eq!(post.lines().count(), 1 + 3 * 30, "three generations of 30");
    // An interruption after generation 1: generation 2 not written at all, or its
    // particles written to the posterior but not the statistics.
    for half in [false, true] {
        let c = t.path().join(format!("c{half}"));
        std::fs::create_dir(&c).expect("mkdir");
        for f in ["checkpoint.json", "scales.csv"] {
            std::fs::copy(a.join(f), c.join(f)).expect("copy");
        }
        let keep = |f: &str, before_gen: &str| {
            let text = std::fs::read_to_string(a.join(f)).expect("read");
            let kept: String = text
                .lines()
                .filter(|l| !l.starts_with(before_gen))
                .map(|l| format!("{l}\n"))
                .collect();
            std::fs::write(c.join(f), kept).expect("write");
        };
        keep("statistics.csv", "2,");
        keep("calibration.csv", if half { "3," } else { "2," });
        if half {
            std::fs::copy(a.join("posterior.csv"), c.join("posterior.csv")).expect("copy");
        } else {
            keep("posterior.csv", "2,");
        }
        let o = kampung(&[
            "calibrate",
            sc,
            "--resume",
            "-q",
            "--out",
            c.to_str().expect("p"),
        ]);
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        same_files(&a, &c);
    }
    // A changed scenario is not resumed into the old folder.
    let changed = SCENARIO.replace("seed = 3", "seed = 4");
    let sc2 = write(t.path(), &changed, &evidence(0.5, 0.3));
    let o = kampung(&[
        "calibrate",
        sc2.to_str().expect("p"),
        "--resume",
        "-q",
        "--out",
        a.to_str().expect("p"),
    ]);
    assert!(!o.status.success());
    assert!(
        String::from_utf8_lossy(&o.stderr).contains("another version of the scenario"),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
}

/// A calibration killed (SIGKILL) once it has saved a generation, then resumed,
/// gives the same bytes as one never interrupted. Could fail: a file left half
/// written and read back, a checkpoint ahead of the particles, or a resume that
/// redraws a generation differently. (If the machine is so fast that the run ends
/// before the kill, the resume of a finished folder must still give the same
/// bytes.)
#[cfg(unix)]
#[test]
fn a_calibration_killed_mid_run_resumes_to_the_same_bytes() {
    let t = tempfile::tempdir().expect("tempdir");
    let bigger = SCENARIO
        .replace("households = 80", "households = 300")
        .replace("particles = 30", "particles = 60")
        .replace("generations = 2", "generations = 4");
    let sc = write(t.path(), &bigger, &evidence(0.5, 0.3));
    let sc = sc.to_str().expect("utf-8");
    let whole = t.path().join("whole");
    let o = kampung(&["calibrate", sc, "-q", "--out", whole.to_str().expect("p")]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let cut = t.path().join("cut");
    let mut child = Command::new(env!("CARGO_BIN_EXE_kampung"))
        .args(["calibrate", sc, "-q", "--out", cut.to_str().expect("p")])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("start");
    let t0 = std::time::Instant::now();
    loop {
        let saved = std::fs::read_to_string(cut.join("calibration.csv"))
            .map(|x| x.lines().count())
            .unwrap_or(0);
        if saved >= 3 || t0.elapsed() > std::time::Duration::from_secs(120) {
            break;
        }
        if child.try_wait().expect("wait").is_some() {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(5));
    }
    let _ = child.kill(); // SIGKILL on unix
    let _ = child.wait();
    let o = kampung(&[
        "calibrate",
        sc,
        "--resume",
        "-q",
        "--out",
        cut.to_str().expect("p"),
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    same_files(&whole, &cut);
}

fn invalid(scenario: &str, evidence: &str) -> String {
    let t = tempfile::tempdir().expect("tempdir");
    let sc = write(t.path(), scenario, evidence);
    let o = kampung(&["validate", sc.to_str().expect("p")]);
    assert!(!o.status.success(), "accepted:\n{scenario}\n{evidence}");
    String::from_utf8_lossy(&o.stderr).replace(&format!("{}/", t.path().display()), "")
}

/// Each mistake is reported at its file, line and column. Could fail: a problem
/// found but placed at the wrong key, or not found (then `validate` succeeds).
#[test]
fn mistakes_in_calibrate_and_evidence_are_located() {
    let ev = evidence(0.5, 0.3);
    let e = invalid(
        &SCENARIO.replace("predictive = 8", "predictive = 8\npatterns = [\"trsut\"]"),
        &ev,
    );
    assert!(
        e.contains("tiny.toml:26:13:") && e.contains("did you mean `trust`"),
        "{e}"
    );
    let e = invalid(
        SCENARIO,
        &ev.replace(
            "\"mean_trust\", window = [15",
            "\"mean_trst\", window = [15",
        ),
    );
    assert!(
        e.contains("evidence.toml:15:41:") && e.contains("did you mean `mean_trust`"),
        "{e}"
    );
    let e = invalid(
        SCENARIO,
        &ev.replace(
            "strategy = \"full\", measure = \"mean_trust\", window = [50",
            "strategy = \"fulll\", measure = \"mean_trust\", window = [50",
        ),
    );
    assert!(
        e.contains("evidence.toml:30:") && e.contains("needs strategy `fulll`"),
        "{e}"
    );
    let e = invalid(&SCENARIO.replace("[0.001, 0.02]", "[1, 2]"), &ev);
    assert!(e.contains("whole-number range cannot be calibrated"), "{e}");
    let e = invalid(
        &SCENARIO.replace(
            "organizer.facilitation = \"open\"",
            "organizer.facilitation = \"open\"\nbehaviour.decay = 0.01",
        ),
        &ev,
    );
    assert!(
        e.contains("tiny.toml:20:11:") && e.contains("cannot also be a calibrated parameter"),
        "{e}"
    );
    let e = invalid(
        SCENARIO,
        &ev.replace("window = [50, 60]", "window = [50, 70]"),
    );
    assert!(e.contains("past the end"), "{e}");
    let e = invalid(SCENARIO, "[[pattern]]\nid = 3\n");
    assert!(e.contains("evidence.toml:2:"), "{e}");
}

/// Simulation-based calibration on the real model (Talts, Betancourt, Simpson,
/// Vehtari & Gelman 2018, arXiv:1804.06788, in its coverage form): draw a true
/// parameter point from the prior, simulate the patterns at it, calibrate against
/// them, and count how often each true value falls inside its 90% credible
/// interval. Two seed families of 20 recoveries each; each family must cover at
/// least 15 of 20 per parameter (expected 18; P(X ≤ 14 | n = 20, p = 0.9) ≈ 0.011),
/// and the intervals must be informative: on average narrower than 0.8 of the
/// prior's range (else coverage would be trivially met by the prior itself).
/// Could fail: wrong importance weights or a tolerance schedule that collapses too
/// early (intervals too narrow: under-coverage), or statistics that do not inform
/// the parameters (intervals as wide as the prior). Tolerances set before the
/// first run.
#[test]
fn simulation_based_calibration_covers_the_truth() {
    sbc(20, 15);
}

/// The full version, as a documented command (about 35 seconds on 2 cores):
/// `cargo test --release --test calibrate -- --ignored --nocapture`. 100 recoveries
/// per seed family; at least 83 must cover (expected 90; P(X ≤ 82 | n = 100, p =
/// 0.9) ≈ 0.006).
#[test]
#[ignore = "about 35 seconds; the CI runs the 20-recovery version"]
fn simulation_based_calibration_covers_the_truth_over_100_recoveries() {
    sbc(100, 83);
}

/// Simulation-based calibration with `n` recoveries per seed family, each family
/// to cover the truth at least `least` times per parameter.
fn sbc(n: u64, least: usize) {
    let t = tempfile::tempdir().expect("tempdir");
    let base = SCENARIO.replace("generations = 2", "generations = 3");
    for family in [100u64, 200] {
        let mut covered = [0usize; 2];
        let mut width = [0.0f64; 2];
        for rec in 0..n {
            let seed = family * 1000 + rec;
            // The truth, and the patterns it produces (one replicate, its own seed).
            let sc = write(t.path(), &base, &evidence(0.0, 0.0));
            let s = Scenario::from_file(&sc).expect("scenario");
            let p = Problem::new(&s).expect("problem");
            let mut r = <rand_chacha::ChaCha8Rng as rand::SeedableRng>::seed_from_u64(seed);
            let truth: Vec<f64> = p
                .parameters
                .iter()
                .map(|(_, lo, hi)| lo + (hi - lo) * rand::RngExt::random::<f64>(&mut r))
                .collect();
            let obs = p.simulate(&truth, seed ^ 0x5eed);
            let sc = write(
                t.path(),
                &base.replace("seed = 3", &format!("seed = {}", seed + 1000)),
                &evidence(obs[0], obs[1]),
            );
            let s = Scenario::from_file(&sc).expect("scenario");
            let p = Problem::new(&s).expect("problem");
            let mut saved = |_: &[abc::Generation], _: &[f64]| Ok(());
            let mut hooks = Hooks {
                progress: &|_| {},
                saved: &mut saved,
            };
            let (gens, _) = abc::run_model(&settings(&s, &p), &p, Vec::new(), &mut hooks);
            let last = gens.last().expect("a generation");
            for (k, x) in summarize(&p, last).iter().enumerate() {
                covered[k] += (x.q05 <= truth[k] && truth[k] <= x.q95) as usize;
                width[k] += (x.q95 - x.q05) / (x.prior.1 - x.prior.0) / n as f64;
            }
        }
        for k in 0..2 {
            assert!(
                covered[k] >= least,
                "family {family}, parameter {k}: the truth inside the 90% interval {} times in {n}",
                covered[k]
            );
            assert!(
                width[k] < 0.8,
                "family {family}, parameter {k}: mean interval width {:.2} of the prior's",
                width[k]
            );
        }
        eprintln!(
            "family {family}: coverage {covered:?} of {n}, mean width {width:?} of the prior"
        );
    }
}
