//! `kampung run --posterior FILE` (issue 11, item 4), through the real binary and the
//! library: every strategy of a replicate runs with the same particle, drawn as
//! often as its weight says; results are byte-identical for any thread count, after
//! a resume and across shards; bad posterior files are refused with errors located
//! at their line and column; and without `--posterior` nothing of a run changes.

mod common;

use kampung::Scenario;
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

const BIN: &str = env!("CARGO_BIN_EXE_kampung");

/// Every table a posterior run writes whose bytes must not depend on how it ran.
const TABLES: &[&str] = &[
    "timeseries.csv",
    "runs.csv",
    "stages.csv",
    "groups.csv",
    "failures.csv",
    "summary.csv",
    "compare.csv",
    "ranks.csv",
];

/// A small village, 3 strategies (none of which sets a calibrated parameter).
fn scenario(dir: &Path, replicates: u32, extra: &str) -> PathBuf {
    let text = format!(
        r#"
[scenario]
name = "post-test"
seed = 17
replicates = {replicates}
[time]
steps = 40
[population]
households = 60
[organizer]
exit_step = 20
[output]
household_steps = []
households = false
post_exit_horizon = 10
[strategies.full]
[strategies.open]
organizer.facilitation = "open"
[strategies.skip_design]
stages.design.skip = true
{extra}"#
    );
    let f = dir.join("post.toml");
    std::fs::write(&f, text).unwrap();
    f
}

/// A posterior of two generations over `organizer.push` and `economy.systemic_bias`;
/// the last has four particles with distinct values.
const POSTERIOR: &str = "generation,particle,weight,distance,organizer.push,economy.systemic_bias
0,0,0.25,1.9,0.05,0.1
0,1,0.25,1.7,0.3,0.9
0,2,0.25,1.8,0.2,0.5
0,3,0.25,2.0,0.1,0.2
1,0,0.4,0.41,0.11,0.31
1,1,0.3,0.52,0.22,0.42
1,2,0.2,0.63,0.33,0.53
1,3,0.1,0.74,0.44,0.64
";

fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, text).unwrap();
    p
}

fn kampung(cwd: &Path, args: &[&str]) -> Output {
    Command::new(BIN)
        .current_dir(cwd)
        .args(args)
        .output()
        .unwrap()
}

fn ok(cwd: &Path, args: &[&str]) -> Output {
    let o = kampung(cwd, args);
    assert!(
        o.status.success(),
        "kampung {args:?}: {}",
        String::from_utf8_lossy(&o.stderr)
    );
    o
}

/// `runs.csv` as rows of column name → cell.
fn runs(dir: &Path) -> Vec<HashMap<String, String>> {
    let mut r = csv::Reader::from_path(dir.join("runs.csv")).unwrap();
    let h = r.headers().unwrap().clone();
    r.records()
        .map(|rec| {
            let rec = rec.unwrap();
            h.iter()
                .zip(rec.iter())
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect()
        })
        .collect()
}

/// Each replicate's particle is the same for all three strategies, its values are
/// the run's parameters (`param.PATH` = `posterior.PATH`), and they are the file's
/// values for that particle of the last generation. Fails if the draw's stream took
/// the strategy in (the strategies of a replicate would draw apart), if the values
/// were recorded but not applied, or if an earlier generation were drawn from.
#[test]
fn every_strategy_of_a_replicate_runs_with_the_same_particle() {
    let t = tempfile::tempdir().unwrap();
    let d = t.path();
    scenario(d, 30, "");
    write(d, "posterior.csv", POSTERIOR);
    ok(
        d,
        &[
            "run",
            "post.toml",
            "--posterior",
            "posterior.csv",
            "--out",
            "o",
            "-q",
        ],
    );
    let rows = runs(&d.join("o"));
    assert_eq!(rows.len(), 90);
    let last: HashMap<&str, (&str, &str)> = [
        ("0", ("0.11", "0.31")),
        ("1", ("0.22", "0.42")),
        ("2", ("0.33", "0.53")),
        ("3", ("0.44", "0.64")),
    ]
    .into();
    let mut by_rep: HashMap<String, String> = HashMap::new();
    let mut seen = std::collections::BTreeSet::new();
    for r in &rows {
        let p = r["posterior.particle"].clone();
        let first = by_rep.entry(r["replicate"].clone()).or_insert(p.clone());
        assert_eq!(*first, p, "replicate {} drew apart", r["replicate"]);
        let (push, bias) = last[p.as_str()];
        assert_eq!(r["posterior.organizer.push"], push);
        assert_eq!(r["posterior.economy.systemic_bias"], bias);
        assert_eq!(r["param.organizer.push"], push);
        assert_eq!(r["param.economy.systemic_bias"], bias);
        seen.insert(p);
    }
    // 30 replicates over weights 0.4/0.3/0.2/0.1: more than one particle is drawn
    // (all draws alike would have probability below 1e-11).
    assert!(seen.len() > 1, "{seen:?}");
    // The strategies' own levers stay theirs.
    assert!(
        rows.iter()
            .any(|r| r["param.organizer.facilitation"] == "open")
    );
}

/// Over 4000 replicates, a posterior weighted 0.9/0.1 gives the first particle 90% of
/// the draws, for two seeds. The count is binomial (n = 4000, p = 0.9: sd = 19):
/// the test allows 4 sd (76 draws, 1.9%), which a correct draw exceeds with
/// probability about 6e-5. Fails if the draw ignored the weights (50%), inverted them
/// (10%), or drew from the first generation (whose weights are equal here).
#[test]
fn draws_follow_the_weights() {
    let t = tempfile::tempdir().unwrap();
    let d = t.path();
    let file = write(
        d,
        "p.csv",
        "generation,particle,weight,distance,organizer.push\n\
         0,7,0.5,1,0.2\n0,8,0.5,1,0.3\n\
         1,7,0.9,0.1,0.2\n1,8,0.1,0.1,0.3\n",
    );
    for seed in [1u64, 20261128] {
        let text = format!("[scenario]\nname = \"w\"\nseed = {seed}\nreplicates = 4000\n");
        let s = Scenario::from_text(&text, "w.toml", "w", d)
            .unwrap()
            .with_posterior(&file)
            .unwrap();
        let n = 4000.0;
        let first = (0..4000).filter(|&r| s.drawn(r).unwrap().id == 7).count() as f64;
        let sd = (n * 0.9 * 0.1f64).sqrt();
        assert!(
            (first - 0.9 * n).abs() <= 4.0 * sd,
            "seed {seed}: particle 7 drawn {first} times of {n}, expected {} ± {:.0}",
            0.9 * n,
            4.0 * sd
        );
    }
}

/// The same end to end: 300 runs of one strategy, the particles counted in
/// `runs.csv` (n = 300, p = 0.9: sd = 5.2; 4 sd allowed). Fails if `run` drew
/// differently from the library, or not by weight.
#[test]
fn runs_draw_by_weight() {
    let t = tempfile::tempdir().unwrap();
    let d = t.path();
    write(
        d,
        "w.toml",
        "[scenario]\nname = \"w\"\nseed = 5\nreplicates = 300\n[time]\nsteps = 3\n\
         [population]\nhouseholds = 20\n[output]\nhouseholds = false\ngroups = false\n",
    );
    write(
        d,
        "p.csv",
        "generation,particle,weight,distance,organizer.push\n0,0,0.9,0,0.2\n0,1,0.1,0,0.3\n",
    );
    ok(
        d,
        &["run", "w.toml", "--posterior", "p.csv", "--out", "o", "-q"],
    );
    let rows = runs(&d.join("o"));
    let first = rows
        .iter()
        .filter(|r| r["posterior.particle"] == "0")
        .count() as f64;
    let sd = (300.0 * 0.9 * 0.1f64).sqrt();
    assert!((first - 270.0).abs() <= 4.0 * sd, "{first} of 300");
}

/// One thread and two, a run resumed after some of its runs were lost, and three
/// shards merged all give the same tables byte for byte (`ranks.csv` included), and
/// the folder keeps the posterior in `input/` with its SHA-256 in the manifest.
/// Fails if a draw depended on the order runs are done or on which runs a process
/// did (a shared stream advanced run by run would).
#[test]
fn threads_resume_and_shards_give_the_same_results() {
    let t = tempfile::tempdir().unwrap();
    let d = t.path();
    scenario(d, 8, "");
    write(d, "posterior.csv", POSTERIOR);
    let base = ["run", "post.toml", "--posterior", "posterior.csv", "-q"];
    let with = |extra: &[&str]| -> Vec<String> {
        base.iter()
            .chain(extra)
            .map(|s| s.to_string())
            .collect::<Vec<_>>()
    };
    let run = |extra: &[&str]| {
        let a = with(extra);
        let a: Vec<&str> = a.iter().map(String::as_str).collect();
        ok(d, &a);
    };
    run(&["--out", "one", "--threads", "1"]);
    run(&["--out", "two", "--threads", "2"]);
    common::same_tables(&d.join("one"), &d.join("two"), TABLES);

    // Resume: shard 0/2's runs saved, some lost (as a kill would lose them), then
    // finished with --resume; merged with shard 1/2.
    run(&["--out", "r0", "--shard", "0/2"]);
    let parts = d.join("r0/.kampung/parts");
    let mut names: Vec<_> = std::fs::read_dir(&parts)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    names.sort();
    assert_eq!(names.len(), 12);
    for p in names.iter().step_by(2) {
        std::fs::remove_file(p).unwrap();
    }
    run(&["--out", "r0", "--shard", "0/2", "--resume"]);
    run(&["--out", "r1", "--shard", "1/2"]);
    ok(d, &["merge", "--out", "resumed", "r0", "r1", "-q"]);
    common::same_tables(&d.join("one"), &d.join("resumed"), TABLES);

    // Three shards, run in reverse order.
    for i in (0..3).rev() {
        run(&["--out", &format!("s{i}"), "--shard", &format!("{i}/3")]);
    }
    ok(d, &["merge", "--out", "merged", "s0", "s1", "s2", "-q"]);
    common::same_tables(&d.join("one"), &d.join("merged"), TABLES);

    let m: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(d.join("merged/manifest.json")).unwrap())
            .unwrap();
    let sha = m["posterior"]["sha256"].as_str().unwrap();
    let copy = d
        .join("merged")
        .join(m["posterior"]["input"].as_str().unwrap());
    let bytes = std::fs::read(copy).unwrap();
    assert_eq!(bytes, POSTERIOR.as_bytes());
    assert_eq!(sha, kampung::scenario::sha256_hex(POSTERIOR.as_bytes()));
    assert_eq!(m["posterior"]["generation"], 1);
    assert!(
        m["files"]
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f == "ranks.csv")
    );

    // A resume without the posterior, or with another, is refused.
    run(&["--out", "r2", "--shard", "0/2"]);
    let o = kampung(
        d,
        &[
            "run",
            "post.toml",
            "--out",
            "r2",
            "--shard",
            "0/2",
            "--resume",
            "-q",
        ],
    );
    assert!(!o.status.success());
    assert!(String::from_utf8_lossy(&o.stderr).contains("posterior"));
}

/// `ranks.csv` holds, for each ranked outcome and strategy, the share of replicates
/// in which the strategy was best, computed here again from `runs.csv` in the
/// outcome's direction; the shares of an outcome sum to 1. Fails if a direction were
/// wrong (less capacity counted best) or ties were not shared.
#[test]
fn ranks_count_first_places_in_each_outcomes_direction() {
    let t = tempfile::tempdir().unwrap();
    let d = t.path();
    scenario(d, 12, "");
    write(d, "posterior.csv", POSTERIOR);
    let o = ok(
        d,
        &[
            "run",
            "post.toml",
            "--posterior",
            "posterior.csv",
            "--out",
            "o",
        ],
    );
    assert!(
        String::from_utf8_lossy(&o.stderr).contains("how often each strategy ranks first"),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let rows = runs(&d.join("o"));
    let mut r = csv::Reader::from_path(d.join("o/ranks.csv")).unwrap();
    let mut sums: HashMap<String, f64> = HashMap::new();
    for rec in r.records() {
        let rec = rec.unwrap();
        let (outcome, higher, strategy) = (&rec[1], &rec[2] == "true", &rec[3]);
        let share: f64 = rec[4].parse().unwrap();
        let draws: usize = rec[5].parse().unwrap();
        *sums.entry(outcome.to_string()).or_default() += share;
        let mut credit = 0.0;
        let mut n = 0;
        for rep in 0..12 {
            let v: Vec<(String, f64)> = rows
                .iter()
                .filter(|x| x["replicate"] == rep.to_string())
                .map(|x| {
                    (
                        x["strategy"].clone(),
                        x[outcome].parse().unwrap_or(f64::NAN),
                    )
                })
                .collect();
            if v.iter().any(|(_, x)| !x.is_finite()) {
                continue;
            }
            n += 1;
            let best =
                v.iter()
                    .map(|(_, x)| *x)
                    .fold(if higher { f64::MIN } else { f64::MAX }, |a, b| {
                        if higher { a.max(b) } else { a.min(b) }
                    });
            let tied = v.iter().filter(|(_, x)| *x == best).count() as f64;
            if v.iter().any(|(s, x)| s == strategy && *x == best) {
                credit += 1.0 / tied;
            }
        }
        assert_eq!(draws, n, "{outcome}");
        assert!(
            (share - credit / n as f64).abs() < 1e-12,
            "{outcome} {strategy}"
        );
    }
    assert_eq!(sums.len(), 6);
    for (o, s) in sums {
        assert!((s - 1.0).abs() < 1e-9, "{o}: shares sum to {s}");
    }
    // The report shows the table, with its link in the menu. Fails if ranks.csv
    // were left out of the page.
    ok(d, &["report", "o"]);
    let html = std::fs::read_to_string(d.join("o/report.html")).unwrap();
    assert!(html.contains(r#"<section id="ranks">"#) && html.contains(r##"href="#ranks""##));
}

/// Each bad posterior is refused with status 1 and an error at its file, line and
/// column, never a panic. Fails if a problem went unseen, was located elsewhere, or
/// crashed the reader.
#[test]
fn bad_posteriors_are_refused_with_located_errors() {
    let t = tempfile::tempdir().unwrap();
    let d = t.path();
    scenario(d, 2, "");
    let h = "generation,particle,weight,distance";
    let cases: &[(&str, String, &str)] = &[
        (
            "unknown path",
            format!("{h},organiser.push\n0,0,1,0,0.1\n"),
            "bad.csv:1:5: `organiser.push`: unknown parameter `organiser.push`; did you mean `organizer.push`?",
        ),
        (
            "bad header",
            "generation,particle,wieght,distance,organizer.push\n0,0,1,0,0.1\n".into(),
            "bad.csv:1:3: `wieght`: column 3 must be `weight`",
        ),
        (
            "no parameter",
            format!("{h}\n0,0,1,0\n"),
            "bad.csv:1:5: no parameter columns",
        ),
        (
            "text weight",
            format!("{h},organizer.push\n0,0,1,0,0.1\n0,1,heavy,0,0.1\n"),
            "bad.csv:3:3: `weight`: weight `heavy` is not a number",
        ),
        (
            "negative weight",
            format!("{h},organizer.push\n0,0,-0.5,0,0.1\n"),
            "bad.csv:2:3: `weight`: weight `-0.5` is negative",
        ),
        (
            "NaN weight",
            format!("{h},organizer.push\n0,0,NaN,0,0.1\n"),
            "bad.csv:2:3: `weight`: weight `NaN` is not a number",
        ),
        (
            "all zero",
            format!("{h},organizer.push\n0,0,1,0,0.1\n1,0,0,0,0.1\n1,1,0,0,0.2\n"),
            "bad.csv:3:3: `weight`: every weight of generation 1",
        ),
        (
            "out of range",
            format!("{h},organizer.push\n0,0,1,0,0.1\n0,1,1,0,1.5\n"),
            "bad.csv:3:5: `organizer.push`: particle 1 (strategy `full`): 1.5 is out of range",
        ),
        (
            "not a number",
            format!("{h},organizer.push\n0,0,1,0,lots\n"),
            "bad.csv:2:5: `organizer.push`: `lots` is not a finite number",
        ),
        (
            "short row",
            format!("{h},organizer.push\n0,0,1,0\n"),
            "bad.csv:2:5: the row has 4 fields but the header has 5",
        ),
        (
            "repeated particle",
            format!("{h},organizer.push\n0,3,1,0,0.1\n0,3,1,0,0.2\n"),
            "bad.csv:3:2: `particle`: particle 3 of generation 0 appears twice",
        ),
        (
            "strategy lever",
            format!("{h},organizer.facilitation\n0,0,1,0,1\n"),
            "bad.csv:1:5: `organizer.facilitation`: strategy `open` sets `organizer.facilitation`",
        ),
        (
            "a table",
            format!("{h},organizer\n0,0,1,0,1\n"),
            "bad.csv:1:5: `organizer`: `organizer` is a table of parameters",
        ),
        ("empty", String::new(), "bad.csv: the file is empty"),
        (
            "header only",
            format!("{h},organizer.push\n"),
            "bad.csv: the file has no particles",
        ),
    ];
    for (what, text, expected) in cases {
        write(d, "bad.csv", text);
        for cmd in ["run", "validate"] {
            let o = kampung(d, &[cmd, "post.toml", "--posterior", "bad.csv"]);
            let err = String::from_utf8_lossy(&o.stderr);
            assert_eq!(o.status.code(), Some(1), "{what} ({cmd}): {err}");
            assert!(err.contains(expected), "{what} ({cmd}): {err}");
            assert!(!err.contains("panicked"), "{what}: {err}");
        }
    }
    // A missing file: status 2 (cannot read), naming it.
    let o = kampung(d, &["run", "post.toml", "--posterior", "nowhere.csv"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("nowhere.csv: cannot read the posterior"));
    // A scenario with a [sweep] design refuses a posterior.
    scenario(
        d,
        2,
        "[sweep.factorial]\n\"organizer.exit_step\" = [10, 20]\n",
    );
    write(d, "good.csv", &format!("{h},organizer.push\n0,0,1,0,0.1\n"));
    let o = kampung(d, &["run", "post.toml", "--posterior", "good.csv"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        String::from_utf8_lossy(&o.stderr)
            .contains("[sweep] design (2 points) cannot run with --posterior")
    );
    assert!(
        !d.join("results").exists(),
        "nothing written for a refused run"
    );
}

/// Without `--posterior` a run is what it was: no `posterior.*` column, no
/// `ranks.csv`, no `posterior` in the manifest, and every run's parameters are its
/// strategy's at its point, untouched. Fails if the posterior's columns, file or
/// draw leaked into plain runs. (Byte-identity of every shipped scenario's tables
/// with the build before `--posterior` was checked when this was written: see the
/// commit that added this file.)
#[test]
fn without_a_posterior_nothing_changes() {
    let t = tempfile::tempdir().unwrap();
    let d = t.path();
    let f = scenario(d, 3, "");
    ok(d, &["run", "post.toml", "--out", "plain", "-q"]);
    let plain = d.join("plain");
    let header = std::fs::read_to_string(plain.join("runs.csv")).unwrap();
    assert!(!header.lines().next().unwrap().contains("posterior"));
    assert!(!plain.join("ranks.csv").exists());
    let m = std::fs::read_to_string(plain.join("manifest.json")).unwrap();
    assert!(!m.contains("posterior"), "{m}");
    let s = Scenario::from_file(&f).unwrap();
    for spec in kampung::experiment::runner::plan(&s) {
        assert!(s.drawn(spec.replicate).is_none());
        assert_eq!(
            *s.run_params(spec.strategy, spec.point, spec.replicate),
            *s.params(spec.strategy, spec.point)
        );
    }
}
