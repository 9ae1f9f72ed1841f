//! Sweeps at scale: resuming after a real `kill -9`, shards merged into results
//! identical to one process, refusing shards of another plan, and failed runs kept
//! apart without stopping the sweep.

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const BIN: &str = env!("CARGO_BIN_EXE_kampung");

/// The result tables, which must match byte for byte (the manifest has times in it).
const TABLES: &[&str] = &[
    "timeseries.csv",
    "runs.csv",
    "stages.csv",
    "groups.csv",
    "failures.csv",
];

/// A sweep of 3 strategies × 40 replicates of a 300-household village: long enough
/// (about a second) to be killed part-way, short enough for a test.
fn scenario(dir: &Path, extra: &str) -> PathBuf {
    let text = format!(
        r#"
[scenario]
name = "sweep-test"
seed = 11
replicates = 40
[time]
steps = 200
[population]
households = 300
[organizer]
exit_step = 100
[output]
household_steps = []
households = false
post_exit_horizon = 52
[strategies.full]
[strategies.open]
organizer.facilitation = "open"
[strategies.skip_design]
stages.design.skip = true
{extra}
"#
    );
    let f = dir.join("sweep.toml");
    std::fs::write(&f, text).unwrap();
    f
}

fn kampung(args: &[&str]) -> std::process::Output {
    Command::new(BIN).args(args).output().unwrap()
}

fn run_ok(args: &[&str]) {
    let out = kampung(args);
    assert!(
        out.status.success(),
        "kampung {args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn resume_after_kill_gives_the_uninterrupted_results() {
    let dir = tempfile::tempdir().unwrap();
    let file = scenario(dir.path(), "");
    let f = file.to_str().unwrap();
    let reference = dir.path().join("reference");
    let t0 = Instant::now();
    run_ok(&[
        "run",
        f,
        "--out",
        reference.to_str().unwrap(),
        "-q",
        "--threads",
        "2",
    ]);
    let full = t0.elapsed();
    let mut cut_midway = 0;
    for (k, frac) in [0.15, 0.4, 0.65, 0.9].iter().enumerate() {
        let out = dir.path().join(format!("cut{k}"));
        let mut child = Command::new(BIN)
            .args([
                "run",
                f,
                "--out",
                out.to_str().unwrap(),
                "-q",
                "--threads",
                "2",
            ])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        std::thread::sleep(full.mul_f64(*frac).max(Duration::from_millis(20)));
        child.kill().unwrap(); // SIGKILL: no chance to clean up
        let status = child.wait().unwrap();
        let parts = out.join(".kampung/parts");
        let saved = std::fs::read_dir(&parts).map(|d| d.count()).unwrap_or(0);
        if !status.success() && saved > 0 && !out.join("manifest.json").exists() {
            cut_midway += 1;
        }
        // Running the same command again with --resume finishes only what is missing.
        let again = kampung(&[
            "run",
            f,
            "--out",
            out.to_str().unwrap(),
            "--resume",
            "-q",
            "--threads",
            "2",
        ]);
        assert!(
            again.status.success(),
            "{}",
            String::from_utf8_lossy(&again.stderr)
        );
        common::same_tables(&reference, &out, TABLES);
        assert!(
            !out.join(".kampung").exists(),
            "working files are removed once complete"
        );
    }
    assert!(
        cut_midway >= 2,
        "only {cut_midway} of 4 kills landed mid-sweep: make the sweep longer"
    );
}

#[test]
fn resume_of_a_complete_run_does_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let file = scenario(dir.path(), "");
    let out = dir.path().join("out");
    let o = out.to_str().unwrap();
    run_ok(&["run", file.to_str().unwrap(), "--out", o, "-q"]);
    let before = std::fs::read(out.join("manifest.json")).unwrap();
    let again = kampung(&["run", file.to_str().unwrap(), "--out", o, "--resume", "-q"]);
    assert!(again.status.success());
    assert!(String::from_utf8_lossy(&again.stdout).contains("nothing to do"));
    assert_eq!(std::fs::read(out.join("manifest.json")).unwrap(), before);
}

#[test]
fn resume_refuses_another_scenario() {
    let dir = tempfile::tempdir().unwrap();
    let file = scenario(dir.path(), "");
    let out = dir.path().join("out");
    let o = out.to_str().unwrap();
    // A shard leaves its working folder in place.
    run_ok(&[
        "run",
        file.to_str().unwrap(),
        "--out",
        o,
        "--shard",
        "0/2",
        "-q",
    ]);
    let other = scenario(dir.path(), "[strategies.extra]\norganizer.push = 0.3\n");
    let r = kampung(&[
        "run",
        other.to_str().unwrap(),
        "--out",
        o,
        "--shard",
        "0/2",
        "--resume",
        "-q",
    ]);
    assert!(!r.status.success());
    let err = String::from_utf8_lossy(&r.stderr);
    assert!(err.contains("another plan"), "{err}");
    assert!(!err.contains("panicked"));
}

#[test]
fn shards_merge_into_the_single_process_results() {
    let dir = tempfile::tempdir().unwrap();
    let file = scenario(dir.path(), "");
    let f = file.to_str().unwrap();
    let single = dir.path().join("single");
    run_ok(&["run", f, "--out", single.to_str().unwrap(), "-q"]);
    for n in [1usize, 2, 3, 7] {
        let shards: Vec<PathBuf> = (0..n)
            .map(|i| dir.path().join(format!("n{n}-s{i}")))
            .collect();
        // Run the shards in reverse order: the order must not matter.
        for (i, s) in shards.iter().enumerate().rev() {
            run_ok(&[
                "run",
                f,
                "--out",
                s.to_str().unwrap(),
                "--shard",
                &format!("{i}/{n}"),
                "-q",
                "--threads",
                "1",
            ]);
        }
        let merged = dir.path().join(format!("merged{n}"));
        let mut args = vec![
            "merge".to_string(),
            "--out".into(),
            merged.to_str().unwrap().into(),
            "-q".into(),
        ];
        args.extend(shards.iter().map(|p| p.to_str().unwrap().to_string()));
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        run_ok(&args);
        common::same_tables(&single, &merged, TABLES);
    }
}

#[test]
fn slurm_array_variables_select_the_shard() {
    let dir = tempfile::tempdir().unwrap();
    let file = scenario(dir.path(), "");
    let f = file.to_str().unwrap();
    let by_flag = dir.path().join("flag");
    run_ok(&[
        "run",
        f,
        "--out",
        by_flag.to_str().unwrap(),
        "--shard",
        "1/3",
        "-q",
    ]);
    let by_env = dir.path().join("env");
    let out = Command::new(BIN)
        .args(["run", f, "--out", by_env.to_str().unwrap(), "-q"])
        .env("SLURM_ARRAY_TASK_ID", "1")
        .env("SLURM_ARRAY_TASK_COUNT", "3")
        .output()
        .unwrap();
    assert!(out.status.success());
    let list = |d: &Path| {
        let mut v: Vec<String> = std::fs::read_dir(d.join(".kampung/parts"))
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        v.sort();
        v
    };
    assert_eq!(list(&by_flag), list(&by_env));
    assert_eq!(list(&by_flag).len(), 40);
}

#[test]
fn merge_refuses_missing_shards_and_other_plans() {
    let dir = tempfile::tempdir().unwrap();
    let file = scenario(dir.path(), "");
    let f = file.to_str().unwrap();
    let s0 = dir.path().join("s0");
    let s1 = dir.path().join("s1");
    run_ok(&[
        "run",
        f,
        "--out",
        s0.to_str().unwrap(),
        "--shard",
        "0/2",
        "-q",
    ]);
    // Missing shard 1.
    let m = kampung(&[
        "merge",
        "--out",
        dir.path().join("m1").to_str().unwrap(),
        s0.to_str().unwrap(),
    ]);
    assert!(!m.status.success());
    assert!(String::from_utf8_lossy(&m.stderr).contains("missing"));
    // Shard 1 of a different scenario file.
    let other_dir = tempfile::tempdir().unwrap();
    let other = scenario(other_dir.path(), "[strategies.extra]\n");
    run_ok(&[
        "run",
        other.to_str().unwrap(),
        "--out",
        s1.to_str().unwrap(),
        "--shard",
        "1/2",
        "-q",
    ]);
    let m = kampung(&[
        "merge",
        "--out",
        dir.path().join("m2").to_str().unwrap(),
        s0.to_str().unwrap(),
        s1.to_str().unwrap(),
    ]);
    assert!(!m.status.success());
    let err = String::from_utf8_lossy(&m.stderr);
    assert!(err.contains("another plan"), "{err}");
    assert!(!dir.path().join("m2/runs.csv").exists());
}

/// A fourth strategy, every one of whose runs fails. Input that validates no longer
/// blows up (resources of 1e300 are refused, issue 14), so the failure is injected:
/// `kampung` records the runs of the strategy named by `KAMPUNG_FAIL_STRATEGY` as
/// numerical blow-ups.
const BLOWUP: &str = "[strategies.blowup]\n";

/// `kampung args` with the runs of strategy `blowup` failing.
fn kampung_failing(args: &[&str]) -> std::process::Output {
    Command::new(BIN)
        .args(args)
        .env("KAMPUNG_FAIL_STRATEGY", "blowup")
        .output()
        .unwrap()
}

#[test]
fn failed_runs_are_recorded_and_the_sweep_goes_on() {
    let dir = tempfile::tempdir().unwrap();
    let file = scenario(dir.path(), BLOWUP);
    let out = dir.path().join("out");
    let r = kampung_failing(&[
        "run",
        file.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
        "-q",
    ]);
    assert_eq!(
        r.status.code(),
        Some(3),
        "{}",
        String::from_utf8_lossy(&r.stderr)
    );
    let failures = std::fs::read_to_string(out.join("failures.csv")).unwrap();
    let lines: Vec<&str> = failures.lines().collect();
    assert_eq!(lines.len(), 1 + 40, "one row per failed run");
    assert!(
        lines[1].contains("blowup") && lines[1].contains("not finite"),
        "{}",
        lines[1]
    );
    // Every failed row names its seed, which runs.csv of the other strategies does too.
    let runs = std::fs::read_to_string(out.join("runs.csv")).unwrap();
    assert_eq!(runs.lines().count(), 1 + 3 * 40);
    assert!(!runs.contains(",blowup,"));
    let m: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("manifest.json")).unwrap()).unwrap();
    assert_eq!(m["failed_runs"], 40);
}

#[test]
fn a_shard_with_failed_runs_says_so_and_merges_with_them_listed() {
    let dir = tempfile::tempdir().unwrap();
    let file = scenario(dir.path(), BLOWUP);
    // The plan is 4 strategies × 40 replicates, the blow-up last: shard 1/2 holds it.
    let f = file.to_str().unwrap();
    let (s0, s1) = (dir.path().join("s0"), dir.path().join("s1"));
    // Shard 0 holds none of the failures and succeeds; shard 1 says its runs failed.
    for (shard, out, code) in [("0/2", &s0, 0), ("1/2", &s1, 3)] {
        let r = kampung_failing(&[
            "run",
            f,
            "--out",
            out.to_str().unwrap(),
            "--shard",
            shard,
            "-q",
        ]);
        let err = String::from_utf8_lossy(&r.stderr);
        assert_eq!(r.status.code(), Some(code), "{err}");
        assert_eq!(
            err.contains("40 runs of this shard failed"),
            code == 3,
            "{err}"
        );
    }
    let m = dir.path().join("m");
    let r = kampung_failing(&[
        "merge",
        "--out",
        m.to_str().unwrap(),
        s0.to_str().unwrap(),
        s1.to_str().unwrap(),
        "-q",
    ]);
    assert_eq!(
        r.status.code(),
        Some(3),
        "{}",
        String::from_utf8_lossy(&r.stderr)
    );
    let failures = std::fs::read_to_string(m.join("failures.csv")).unwrap();
    assert_eq!(failures.lines().count(), 1 + 40);
}
