//! `kampung run`, through the real binary: what it writes and where.
//!
//! What this shows (issue 2, items 1 and 5): `run FILE --out DIR` writes
//! `timeseries.csv`, `runs.csv`, `households.csv` and `manifest.json`, header first;
//! `timeseries.csv` has exactly one row per run per recorded step, its columns the
//! run's key (scenario, strategy, replicate, seed, in that order, first), the step,
//! then every metric; every row's seed is its run's seed in `runs.csv`; the CSVs are
//! tidy (every row as wide as its header, numbers that parse or `NA`); the same
//! scenario gives byte-identical CSVs run after run and for 1 or 2 threads; an
//! existing non-empty `--out` is refused without `--force` (nothing overwritten) and
//! written into with it; with no `--out`, results go to a new
//! `results/<scenario>-<UTC timestamp>/` each time; `run` with no file runs
//! `scenarios/village.toml`; no hidden work file is left behind; and `manifest.json`
//! records the version, the scenario's SHA-256 (recomputed here with `sha2`), the seed,
//! the command line and the start and end times. A run killed (SIGKILL) at moments
//! spread over its duration leaves only complete files under their final names, a
//! manifest only when everything else is complete, and anything unfinished under a
//! hidden (dot) name.

use sha2::Digest;
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

const BIN: &str = env!("CARGO_BIN_EXE_kampung");

/// A small scenario: 3 strategies × 3 replicates, 37 steps recorded every 5 (so the
/// last step is recorded off the grid), 120 households, a snapshot at step 0 and 20.
const SCENARIO: &str = r#"
[scenario]
name = "small"
seed = 99
replicates = 3

[time]
steps = 37
step = "week"

[population]
households = 120
threshold = { dist = "normal", mean = 0.3, sd = 0.1 }

[[population.groups]]
name = "landed"
share = 0.8

[[population.groups]]
name = "landless"
share = 0.2
marginalized = true
resources = { dist = "lognormal", median = 4.0, sigma = 0.5 }

[network]
model = "sbm"
mean_degree = 6.0
homophily = 0.5

[participation]
seed_share = 0.05

[output]
record_every = 5
household_steps = [0, 20]

[strategies.baseline]
description = "as above"

[strategies.fair]
economy = { systemic_bias = 0.0 }

[strategies.small_world]
network = { model = "watts_strogatz", k = 6, rewiring = 0.1 }
"#;

const STRATEGIES: usize = 3;
const REPLICATES: usize = 3;
const STEPS: usize = 37;
const EVERY: usize = 5;
const HOUSEHOLDS: usize = 120;

/// Steps recorded per run: 0, every `EVERY`th step, and the last.
fn recorded_steps() -> Vec<usize> {
    let mut v: Vec<usize> = (0..=STEPS).step_by(EVERY).collect();
    if *v.last().unwrap() != STEPS {
        v.push(STEPS);
    }
    v
}

fn kampung(args: &[&std::ffi::OsStr], cwd: &Path) -> Output {
    Command::new(BIN)
        .args(args)
        .current_dir(cwd)
        .output()
        .expect("the kampung binary starts")
}

fn run_ok(args: &[&std::ffi::OsStr], cwd: &Path) -> Output {
    let out = kampung(args, cwd);
    assert!(
        out.status.success(),
        "kampung {args:?} failed:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

/// A temporary folder holding `small.toml`.
fn setup() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("small.toml");
    std::fs::write(&file, SCENARIO).unwrap();
    (dir, file)
}

fn run_into(file: &Path, out: &Path, extra: &[&str]) -> Output {
    let mut args: Vec<&std::ffi::OsStr> = vec![
        "run".as_ref(),
        file.as_os_str(),
        "--out".as_ref(),
        out.as_os_str(),
    ];
    args.extend(extra.iter().map(|s| std::ffi::OsStr::new(*s)));
    run_ok(&args, file.parent().unwrap())
}

/// A CSV file as header and rows, checking that it is tidy: a header first, and
/// every row exactly as wide as the header.
fn read_csv(path: &Path) -> (Vec<String>, Vec<Vec<String>>) {
    let mut r = csv::ReaderBuilder::new()
        .flexible(true)
        .from_path(path)
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let header: Vec<String> = r.headers().unwrap().iter().map(str::to_string).collect();
    assert!(!header.is_empty(), "{}: no header", path.display());
    let rows: Vec<Vec<String>> = r
        .records()
        .map(|rec| {
            let rec = rec.unwrap();
            assert_eq!(
                rec.len(),
                header.len(),
                "{} line {:?}: {} fields, header has {}",
                path.display(),
                rec.position().map(|p| p.line()),
                rec.len(),
                header.len()
            );
            rec.iter().map(str::to_string).collect()
        })
        .collect();
    (header, rows)
}

/// A number as written in the outputs: parses as f64, or is `NA`.
fn assert_number(cell: &str, what: &str) {
    assert!(
        cell == "NA" || cell.parse::<f64>().is_ok_and(f64::is_finite),
        "{what}: `{cell}` is neither a number nor NA"
    );
}

fn col(header: &[String], name: &str) -> usize {
    header
        .iter()
        .position(|h| h == name)
        .unwrap_or_else(|| panic!("no column `{name}` in {header:?}"))
}

/// The four files of issue 2 are there (later issues may add more).
fn assert_has_results(dir: &Path) {
    let have = files_in(dir);
    for f in RESULT_FILES {
        assert!(have.iter().any(|h| h == f), "no {f} in {have:?}");
    }
}

const RESULT_FILES: [&str; 4] = [
    "timeseries.csv",
    "runs.csv",
    "households.csv",
    "manifest.json",
];

fn files_in(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    v.sort();
    v
}

/// Checks that a table opens with the run's identifying columns — `scenario`,
/// `strategy`, `replicate`, `seed`, in that order, then `step` (when `with_step`) —
/// followed directly by `rest`; returns the position of the last identifying column.
/// Identifying columns a later issue adds (a design point, say) may sit among them.
fn assert_key_columns(header: &[String], with_step: bool, rest: &[&str]) -> usize {
    let mut keys = vec!["scenario", "strategy", "replicate", "seed"];
    if with_step {
        keys.push("step");
    }
    assert_eq!(header[0], "scenario", "{header:?}");
    let pos: Vec<usize> = keys.iter().map(|k| col(header, k)).collect();
    assert!(
        pos.windows(2).all(|w| w[0] < w[1]),
        "identifying columns out of order: {header:?}"
    );
    let last = *pos.last().unwrap();
    if !rest.is_empty() {
        assert_eq!(&header[last + 1..last + 1 + rest.len()], rest, "{header:?}");
    }
    last
}

/// The identity of the run a row belongs to: every identifying column before `seed`.
fn run_id(header: &[String], row: &[String]) -> String {
    row[..col(header, "seed")].join("|")
}

#[test]
fn run_writes_four_tidy_files_with_one_row_per_run_per_recorded_step() {
    let (dir, file) = setup();
    let out = dir.path().join("out");
    run_into(&file, &out, &["--quiet"]);
    assert_has_results(&out);
    let metrics = &kampung::experiment::output::measure_columns()[..];
    // The phase and the issue are written by name (the phase by number too).
    let names = ["stage", "issue"];

    // timeseries.csv: the run key, the step, then every metric, in that order.
    let (th, rows) = read_csv(&out.join("timeseries.csv"));
    let step_col = assert_key_columns(&th, true, metrics);
    assert_eq!(th.len(), step_col + 1 + metrics.len());
    let steps = recorded_steps();
    assert_eq!(rows.len(), STRATEGIES * REPLICATES * steps.len());
    // Per run, exactly the recorded steps, in order.
    let mut per_run: HashMap<String, Vec<usize>> = HashMap::new();
    let mut strategy_replicate = std::collections::HashSet::new();
    for r in &rows {
        assert_eq!(r[col(&th, "scenario")], "small");
        per_run
            .entry(run_id(&th, r))
            .or_default()
            .push(r[step_col].parse().unwrap());
        strategy_replicate.insert((
            r[col(&th, "strategy")].clone(),
            r[col(&th, "replicate")].clone(),
        ));
        for (c, cell) in r.iter().enumerate().skip(step_col + 1) {
            if !names.contains(&th[c].as_str()) {
                assert_number(cell, &th[c]);
            }
        }
    }
    assert_eq!(per_run.len(), STRATEGIES * REPLICATES);
    for (run, got) in &per_run {
        assert_eq!(got, &steps, "steps of run {run}");
    }
    for s in ["baseline", "fair", "small_world"] {
        for k in 0..REPLICATES {
            assert!(strategy_replicate.contains(&(s.to_string(), k.to_string())));
        }
    }

    // runs.csv: one row per run; its seed is the one in every other file's rows.
    let (rh, runs) = read_csv(&out.join("runs.csv"));
    assert_key_columns(&rh, false, &[]);
    assert_eq!(runs.len(), STRATEGIES * REPLICATES);
    let seed_col = col(&rh, "seed");
    let seed_of: HashMap<String, String> = runs
        .iter()
        .map(|r| (run_id(&rh, r), r[seed_col].clone()))
        .collect();
    assert_eq!(seed_of.len(), runs.len(), "one row per run");
    let distinct: std::collections::HashSet<&String> = seed_of.values().collect();
    assert_eq!(distinct.len(), runs.len(), "every run has its own seed");
    for s in seed_of.values() {
        s.parse::<u64>().expect("seeds are whole numbers");
    }
    for r in &rows {
        assert_eq!(r[col(&th, "seed")], seed_of[&run_id(&th, r)], "{r:?}");
    }
    for (c, name) in rh.iter().enumerate() {
        if name.starts_with("final.") && !names.iter().any(|n| name.ends_with(&format!(".{n}"))) {
            for r in &runs {
                assert_number(&r[c], name);
            }
        }
    }
    let steps_col = col(&rh, "steps");
    for r in &runs {
        assert_eq!(r[steps_col], STEPS.to_string());
    }
    // The strategies' overrides show in their parameters.
    let bias = col(&rh, "param.economy.systemic_bias");
    let model = col(&rh, "param.network.model");
    for r in &runs {
        let (b, m) = (&r[bias], &r[model]);
        match r[col(&rh, "strategy")].as_str() {
            "fair" => assert_eq!((b.as_str(), m.as_str()), ("0", "sbm")),
            "small_world" => assert_eq!(m, "watts_strogatz"),
            _ => assert_eq!(m, "sbm"),
        }
    }
    // The final measures equal the last timeseries row of the run.
    for r in &runs {
        let id = run_id(&rh, r);
        let last = rows.iter().rfind(|t| run_id(&th, t) == id).unwrap();
        for (k, m) in metrics.iter().enumerate() {
            assert_eq!(
                r[col(&rh, &format!("final.{m}"))],
                last[step_col + 1 + k],
                "{m}"
            );
        }
    }

    // households.csv: every household of every run at steps 0, 20 and the last.
    let (hh, hrows) = read_csv(&out.join("households.csv"));
    let hstep = assert_key_columns(&hh, true, kampung::experiment::output::HOUSEHOLD_COLUMNS);
    assert_eq!(hrows.len(), STRATEGIES * REPLICATES * HOUSEHOLDS * 3);
    let mut snap_steps: Vec<&str> = hrows.iter().map(|r| r[hstep].as_str()).collect();
    snap_steps.sort();
    snap_steps.dedup();
    assert_eq!(snap_steps, ["0", "20", "37"]);
    for r in &hrows {
        assert_eq!(r[col(&hh, "seed")], seed_of[&run_id(&hh, r)], "{r:?}");
        for name in [
            "resources",
            "access",
            "benefit",
            "influence",
            "threshold",
            "availability",
        ] {
            assert_number(&r[col(&hh, name)], name);
        }
        assert!(["landed", "landless"].contains(&r[col(&hh, "group")].as_str()));
        assert!(["true", "false"].contains(&r[col(&hh, "participating")].as_str()));
    }
}

#[test]
fn manifest_records_version_sha256_seed_command_and_times() {
    let (dir, file) = setup();
    let out = dir.path().join("m");
    let before = kampung::experiment::output::utc_now_iso8601();
    run_into(&file, &out, &["--threads", "2", "--quiet"]);
    let after = kampung::experiment::output::utc_now_iso8601();
    let text = std::fs::read_to_string(out.join("manifest.json")).unwrap();
    let m: serde_json::Value = serde_json::from_str(&text).expect("manifest is JSON");
    assert_eq!(m["program"], "kampung");
    assert_eq!(m["version"], env!("CARGO_PKG_VERSION"));
    assert_eq!(m["scenario"], "small");
    assert_eq!(m["scenario_file"], file.display().to_string());
    let sha: String = sha2::Sha256::digest(std::fs::read(&file).unwrap())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    assert_eq!(m["scenario_sha256"], sha.as_str());
    assert_eq!(m["seed"], 99);
    assert_eq!(m["replicates"], REPLICATES as u64);
    assert_eq!(m["runs"], (STRATEGIES * REPLICATES) as u64);
    assert_eq!(m["threads"], 2);
    assert_eq!(m["complete"], true);
    let cmd: Vec<&str> = m["command_line"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap())
        .collect();
    assert_eq!(
        &cmd[1..],
        [
            "run",
            &file.display().to_string(),
            "--out",
            &out.display().to_string(),
            "--threads",
            "2",
            "--quiet"
        ]
    );
    // ISO 8601 UTC, within the time the command ran.
    let iso = |v: &serde_json::Value| -> String {
        let s = v.as_str().unwrap().to_string();
        let b = s.as_bytes();
        assert!(
            s.len() == 20
                && b[4] == b'-'
                && b[7] == b'-'
                && b[10] == b'T'
                && b[13] == b':'
                && b[16] == b':'
                && b[19] == b'Z'
                && s.chars()
                    .enumerate()
                    .all(|(i, c)| [4, 7, 10, 13, 16, 19].contains(&i) || c.is_ascii_digit()),
            "not ISO 8601 UTC: {s}"
        );
        s
    };
    let (started, finished) = (iso(&m["started"]), iso(&m["finished"]));
    // Same fixed-width format, so text order is time order.
    assert!(
        before <= started && started <= finished && finished <= after,
        "{before} ≤ {started} ≤ {finished} ≤ {after} fails"
    );
    let listed: Vec<&str> = m["files"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap())
        .collect();
    for f in RESULT_FILES {
        assert!(listed.contains(&f), "{f} not listed: {listed:?}");
        assert!(out.join(f).exists(), "{f} listed but not written");
    }
    assert_eq!(
        listed.last(),
        Some(&"manifest.json"),
        "the manifest comes last"
    );
}

#[test]
fn same_scenario_gives_byte_identical_csvs_across_runs_and_threads() {
    let (dir, file) = setup();
    let a = dir.path().join("a");
    let b = dir.path().join("b");
    let c = dir.path().join("c");
    run_into(&file, &a, &["--threads", "1", "-q"]);
    run_into(&file, &b, &["--threads", "2", "-q"]);
    run_into(&file, &c, &["--threads", "2", "-q"]);
    for f in ["timeseries.csv", "runs.csv", "households.csv", "groups.csv"] {
        let x = std::fs::read(a.join(f)).unwrap();
        assert!(x.len() > 1000, "{f} suspiciously small");
        assert!(
            x == std::fs::read(b.join(f)).unwrap(),
            "{f}: 1 vs 2 threads"
        );
        assert!(x == std::fs::read(c.join(f)).unwrap(), "{f}: run to run");
    }
    // The shipped default scenario too (20 replicates).
    let village = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/village.toml");
    let v1 = dir.path().join("v1");
    let v2 = dir.path().join("v2");
    run_into(&village, &v1, &["--threads", "1", "-q"]);
    run_into(&village, &v2, &["--threads", "2", "-q"]);
    for f in ["timeseries.csv", "runs.csv", "households.csv", "groups.csv"] {
        assert!(
            std::fs::read(v1.join(f)).unwrap() == std::fs::read(v2.join(f)).unwrap(),
            "village {f}: 1 vs 2 threads"
        );
    }
}

#[test]
fn existing_non_empty_out_is_refused_without_force() {
    let (dir, file) = setup();
    let out = dir.path().join("taken");
    std::fs::create_dir(&out).unwrap();
    std::fs::write(out.join("timeseries.csv"), "precious\n").unwrap();
    std::fs::write(out.join("notes.txt"), "mine\n").unwrap();
    let args: Vec<&std::ffi::OsStr> = vec![
        "run".as_ref(),
        file.as_os_str(),
        "--out".as_ref(),
        out.as_os_str(),
    ];
    let refused = kampung(&args, dir.path());
    let stderr = String::from_utf8_lossy(&refused.stderr);
    assert!(!refused.status.success());
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert!(
        stderr.contains(&out.display().to_string())
            && stderr.contains("not empty")
            && stderr.contains("--force"),
        "unclear refusal:\n{stderr}"
    );
    // Nothing was touched.
    assert_eq!(files_in(&out), ["notes.txt", "timeseries.csv"]);
    assert_eq!(
        std::fs::read_to_string(out.join("timeseries.csv")).unwrap(),
        "precious\n"
    );

    // With --force it writes into the folder, replacing its own files only.
    run_into(&file, &out, &["--force", "-q"]);
    assert_has_results(&out);
    assert_eq!(
        std::fs::read_to_string(out.join("notes.txt")).unwrap(),
        "mine\n"
    );
    assert!(
        std::fs::read_to_string(out.join("timeseries.csv"))
            .unwrap()
            .starts_with("scenario,strategy,")
    );

    // An existing but empty folder needs no --force.
    let empty = dir.path().join("empty");
    std::fs::create_dir(&empty).unwrap();
    run_into(&file, &empty, &["-q"]);
    assert!(empty.join("manifest.json").exists());

    // A plain file where the folder should be is refused, and left alone.
    let plain = dir.path().join("plain");
    std::fs::write(&plain, "x").unwrap();
    let args: Vec<&std::ffi::OsStr> = vec![
        "run".as_ref(),
        file.as_os_str(),
        "--out".as_ref(),
        plain.as_os_str(),
        "--force".as_ref(),
    ];
    let o = kampung(&args, dir.path());
    assert!(!o.status.success());
    assert!(String::from_utf8_lossy(&o.stderr).contains(&plain.display().to_string()));
    assert_eq!(std::fs::read_to_string(&plain).unwrap(), "x");
}

#[test]
fn without_out_each_run_gets_a_new_timestamped_folder() {
    let (dir, file) = setup();
    let args: Vec<&std::ffi::OsStr> = vec!["run".as_ref(), file.as_os_str(), "-q".as_ref()];
    let printed = |o: &Output| -> PathBuf {
        let stdout = String::from_utf8_lossy(&o.stdout);
        let p = stdout
            .lines()
            .find_map(|l| l.strip_prefix("results written to "))
            .unwrap_or_else(|| panic!("where did the results go?\n{stdout}"));
        PathBuf::from(p.trim())
    };
    let first = printed(&run_ok(&args, dir.path()));
    let second = printed(&run_ok(&args, dir.path()));
    assert_ne!(first, second, "two runs, two folders");
    let results = dir.path().join("results");
    let made = files_in(&results);
    assert_eq!(made.len(), 2, "{made:?}");
    for (p, name) in [&first, &second].iter().zip(&made) {
        assert!(p.starts_with("results"), "{}", p.display());
        assert!(dir.path().join(p).join("manifest.json").exists());
        // small-YYYYMMDDTHHMMSSZ, with -2, -3, … when a second is shared.
        let stamp = name
            .strip_prefix("small-")
            .expect("named after the scenario");
        let (stamp, suffix) = stamp.split_at(16.min(stamp.len()));
        let b = stamp.as_bytes();
        assert!(
            b.len() == 16
                && b[8] == b'T'
                && b[15] == b'Z'
                && stamp
                    .chars()
                    .enumerate()
                    .all(|(i, c)| i == 8 || i == 15 || c.is_ascii_digit()),
            "not a UTC timestamp: {name}"
        );
        assert!(
            suffix.is_empty()
                || suffix
                    .strip_prefix('-')
                    .is_some_and(|n| n.parse::<u32>().is_ok()),
            "{name}"
        );
    }
}

#[test]
fn run_without_a_file_runs_the_default_village() {
    // The default is scenarios/village.toml relative to the working folder.
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("scenarios")).unwrap();
    std::fs::copy(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/village.toml"),
        dir.path().join("scenarios/village.toml"),
    )
    .unwrap();
    let o = run_ok(&["run".as_ref()], dir.path());
    let stdout = String::from_utf8_lossy(&o.stdout);
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert!(
        stdout.contains("results written to results/village-"),
        "{stdout}"
    );
    // Not quiet: it says what it runs and summarizes.
    assert!(stderr.contains("running `village`"), "{stderr}");
    assert!(stderr.contains("baseline"), "{stderr}");
    let made = files_in(&dir.path().join("results"));
    assert_eq!(made.len(), 1);
    let m: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(
            dir.path()
                .join("results")
                .join(&made[0])
                .join("manifest.json"),
        )
        .unwrap(),
    )
    .unwrap();
    assert_eq!(m["scenario"], "village");
    assert_eq!(m["runs"], 40);
    assert_eq!(
        m["strategies"],
        serde_json::json!(["full", "skip_immersion"])
    );

    // Without that file, a clear error naming it.
    let empty = tempfile::tempdir().unwrap();
    let o = kampung(&["run".as_ref()], empty.path());
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert!(!o.status.success());
    assert!(stderr.contains("scenarios/village.toml"), "{stderr}");
    assert!(!empty.path().join("results").exists(), "nothing written");
}

#[test]
fn no_partial_files_and_nothing_written_for_a_bad_scenario() {
    let (dir, file) = setup();
    let out = dir.path().join("out");
    run_into(&file, &out, &["-q"]);
    for name in files_in(&out) {
        assert!(
            !name.contains("partial") && !name.starts_with('.'),
            "{name}"
        );
    }
    // A scenario that does not validate writes nothing, not even the folder.
    let bad = dir.path().join("bad.toml");
    std::fs::write(&bad, "[economy]\nsystemic_bias = 2\n").unwrap();
    let never = dir.path().join("never");
    let args: Vec<&std::ffi::OsStr> = vec![
        "run".as_ref(),
        bad.as_os_str(),
        "--out".as_ref(),
        never.as_os_str(),
    ];
    let o = kampung(&args, dir.path());
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert!(!o.status.success());
    assert!(
        stderr.contains(&format!("{}:2:17:", bad.display())),
        "{stderr}"
    );
    assert!(!never.exists());
}

#[test]
fn quiet_prints_only_where_results_went() {
    let (dir, file) = setup();
    let out = dir.path().join("q");
    let o = run_into(&file, &out, &["--quiet"]);
    assert!(
        o.stderr.is_empty(),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    assert_eq!(
        String::from_utf8_lossy(&o.stdout).trim(),
        format!("results written to {}", out.display())
    );
}

#[test]
fn an_interrupted_run_leaves_no_file_that_looks_complete_and_is_not() {
    // Big enough output (~12 MB of households.csv) that killing the process at
    // spread-out moments catches it while computing and while writing.
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("big.toml");
    std::fs::write(
        &file,
        "[scenario]\nname = \"big\"\nreplicates = 4\n[time]\nsteps = 12\n\
         [population]\nhouseholds = 10000\n[organizer]\nenabled = false\n\
         [output]\nhousehold_steps = [0]\n",
    )
    .unwrap();
    let reference = dir.path().join("ref");
    let t0 = std::time::Instant::now();
    run_into(&file, &reference, &["-q", "--threads", "2"]);
    let full = t0.elapsed();
    let mut interrupted = 0;
    for (k, frac) in [0.1, 0.3, 0.5, 0.7, 0.85, 0.95].iter().enumerate() {
        let out = dir.path().join(format!("cut{k}"));
        let mut child = Command::new(BIN)
            .args([
                "run",
                file.to_str().unwrap(),
                "--out",
                out.to_str().unwrap(),
            ])
            .args(["-q", "--threads", "2"])
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap();
        std::thread::sleep(full.mul_f64(*frac));
        let _ = child.kill(); // SIGKILL: no chance to clean up
        let status = child.wait().unwrap();
        if !status.success() {
            interrupted += 1;
        }
        if !out.exists() {
            continue;
        }
        for name in files_in(&out) {
            if name.starts_with('.') {
                // Work under a hidden name (`.NAME.partial`, a work folder): not
                // mistakable for a result.
                continue;
            }
            if name == "manifest.json" {
                // Written last: every other file is complete.
                let m: serde_json::Value =
                    serde_json::from_str(&std::fs::read_to_string(out.join(&name)).unwrap())
                        .expect("a manifest is never half-written");
                assert_eq!(m["complete"], true);
                for f in RESULT_FILES.iter().filter(|f| **f != "manifest.json") {
                    assert!(out.join(f).exists(), "manifest but no {f}");
                }
                continue;
            }
            // Any result under its final name is the complete file (in input/, each
            // copy under its final name is the whole file).
            let mut pending = vec![std::path::PathBuf::from(&name)];
            while let Some(rel) = pending.pop() {
                let at = out.join(&rel);
                if at.is_dir() {
                    for inner in files_in(&at) {
                        if !inner.starts_with('.') {
                            pending.push(rel.join(inner));
                        }
                    }
                    continue;
                }
                assert!(
                    std::fs::read(&at).unwrap() == std::fs::read(reference.join(&rel)).unwrap(),
                    "{} in an interrupted run differs from the complete one",
                    rel.display()
                );
            }
        }
        std::fs::remove_dir_all(&out).unwrap();
    }
    // The kills did land (the process ended by signal, not by finishing) at least
    // once; otherwise this test shows nothing.
    assert!(
        interrupted > 0,
        "every run finished before it could be killed"
    );
}

/// `groups.csv` (one row per group per recorded step per run) agrees with
/// `timeseries.csv`: the groups' households add up to the village, their participation
/// weighted by size is the village's, the one marginalized group's attendance and
/// benefit share are the marginalized households' of `timeseries.csv`, and benefit
/// shares add up to 1. `groups = false` leaves the file out.
#[test]
fn groups_csv_agrees_with_the_timeseries() {
    let (dir, _) = setup();
    let village = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/village.toml");
    let out = dir.path().join("v");
    run_into(&village, &out, &["-q"]);
    let (gh, groups) = read_csv(&out.join("groups.csv"));
    let (th, ts) = read_csv(&out.join("timeseries.csv"));
    let last = assert_key_columns(&gh, true, &["group", "marginalized", "households"]);
    assert_eq!(
        groups.len(),
        3 * ts.len(),
        "three groups per timeseries row"
    );
    let num = |row: &[String], h: &[String], c: &str| -> f64 {
        let v = &row[col(h, c)];
        if v == "NA" {
            f64::NAN
        } else {
            v.parse().unwrap()
        }
    };
    let close = |a: f64, b: f64, what: &str| {
        assert!(
            (a.is_nan() && b.is_nan()) || (a - b).abs() < 1e-9,
            "{what}: {a} vs {b}"
        );
    };
    for (k, t) in ts.iter().enumerate() {
        let rows = &groups[3 * k..3 * k + 3];
        for g in rows {
            assert_eq!(
                g[..=last],
                t[..=col(&th, "step")],
                "rows in timeseries order"
            );
            for c in &gh[last + 3..] {
                assert_number(&g[col(&gh, c)], c);
            }
        }
        let names: Vec<&str> = rows.iter().map(|g| g[col(&gh, "group")].as_str()).collect();
        assert_eq!(names, ["elite", "smallholder", "landless"]);
        let n: f64 = rows.iter().map(|g| num(g, &gh, "households")).sum();
        assert_eq!(n, 500.0);
        let part: f64 = rows
            .iter()
            .map(|g| num(g, &gh, "households") * num(g, &gh, "participation"))
            .sum::<f64>()
            / n;
        close(part, num(t, &th, "participation"), "participation");
        let landless = &rows[2];
        assert_eq!(landless[col(&gh, "marginalized")], "true");
        close(
            num(landless, &gh, "attendance"),
            num(t, &th, "attendance_marginalized"),
            "attendance of the marginalized",
        );
        close(
            num(landless, &gh, "benefit_share"),
            num(t, &th, "benefit_share_marginalized"),
            "benefit share of the marginalized",
        );
        let shares: f64 = rows.iter().map(|g| num(g, &gh, "benefit_share")).sum();
        if shares.is_finite() {
            close(shares, 1.0, "benefit shares");
        }
    }
    // Meetings happened, and by group.
    assert!(groups.iter().any(|g| num(g, &gh, "attendance") > 0.0));

    let off = dir.path().join("off.toml");
    let text = std::fs::read_to_string(&village).unwrap();
    std::fs::write(
        &off,
        text.replace("[output]\n", "[output]\ngroups = false\n")
            .replace("replicates = 20", "replicates = 2"),
    )
    .unwrap();
    let out2 = dir.path().join("off");
    run_into(&off, &out2, &["-q"]);
    assert!(!out2.join("groups.csv").exists());
    assert!(out2.join("timeseries.csv").exists());
}

/// Issue 13: a shard folder does not look empty (its runs wait in the hidden work
/// folder): it holds a README.txt saying which shard of what it is and how to merge,
/// and the scenario's copy under input/, from which `merge` reads the scenario, so
/// shards merge from any working folder after the original file is gone. The merged
/// folder keeps its own copy. It could fail if a shard wrote nothing visible, or
/// merge looked for the scenario where the shards were started.
#[test]
fn shard_folders_say_what_they_hold_and_merge_from_anywhere() {
    let (dir, file) = setup();
    for i in 0..2 {
        let out = dir.path().join(format!("shard-{i}"));
        run_into(&file, &out, &["--shard", &format!("{i}/2"), "-q"]);
        assert_eq!(files_in(&out), [".kampung", "README.txt", "input"]);
        let note = std::fs::read_to_string(out.join("README.txt")).unwrap();
        assert!(note.contains(&format!("shard {i}/2")), "{note}");
        assert!(note.contains("scenario `small`"), "{note}");
        assert!(note.contains("kampung merge --out"), "{note}");
        assert_eq!(
            std::fs::read_to_string(out.join("input/small.toml")).unwrap(),
            SCENARIO
        );
    }
    let whole = dir.path().join("whole");
    run_into(&file, &whole, &["-q"]);
    std::fs::remove_file(&file).unwrap();
    let elsewhere = tempfile::tempdir().unwrap();
    let merged = dir.path().join("merged");
    run_ok(
        &[
            "merge".as_ref(),
            "--out".as_ref(),
            merged.as_os_str(),
            dir.path().join("shard-0").as_os_str(),
            dir.path().join("shard-1").as_os_str(),
            "-q".as_ref(),
        ],
        elsewhere.path(),
    );
    for f in [
        "timeseries.csv",
        "runs.csv",
        "households.csv",
        "input/small.toml",
    ] {
        assert_eq!(
            std::fs::read(merged.join(f)).unwrap(),
            std::fs::read(whole.join(f)).unwrap(),
            "{f}"
        );
    }
    assert!(!merged.join("README.txt").exists());
    // --force clears an earlier run's copies with its other files.
    let shard = dir.path().join("shard-0");
    std::fs::write(shard.join("input/stale.csv"), "old\n").unwrap();
    std::fs::write(dir.path().join("small.toml"), SCENARIO).unwrap();
    run_into(&file, &shard, &["--force", "-q"]);
    assert!(!shard.join("input/stale.csv").exists());
    assert!(!shard.join("README.txt").exists());
    assert!(shard.join("input/small.toml").exists());
}
