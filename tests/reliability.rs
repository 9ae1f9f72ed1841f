//! Issue 14, "trust nothing on disk, refuse what cannot be done": each reproduction
//! of the issue, run through the built binary in a temporary folder. Each test's doc
//! says how the code before the fix failed it.

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

const BIN: &str = env!("CARGO_BIN_EXE_kampung");

/// The result tables, which must match byte for byte.
const TABLES: &[&str] = &[
    "timeseries.csv",
    "runs.csv",
    "stages.csv",
    "groups.csv",
    "households.csv",
    "failures.csv",
    "summary.csv",
    "compare.csv",
];

fn kampung(cwd: &Path, args: &[&str]) -> Output {
    Command::new(BIN)
        .args(args)
        .current_dir(cwd)
        .output()
        .unwrap()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn ok(cwd: &Path, args: &[&str]) {
    let o = kampung(cwd, args);
    assert!(o.status.success(), "kampung {args:?}: {}", stderr(&o));
}

/// Asserts that `kampung args` exits with `code`, without a panic, saying `what`.
fn refused(cwd: &Path, args: &[&str], code: i32, what: &str) -> String {
    let o = kampung(cwd, args);
    let e = stderr(&o);
    assert_eq!(o.status.code(), Some(code), "kampung {args:?}: {e}");
    assert!(!e.contains("panicked"), "{e}");
    assert!(
        e.contains(what),
        "kampung {args:?}: expected `{what}`:\n{e}"
    );
    e
}

/// `scenarios/real-data.toml` and its data files, copied into a temporary folder,
/// with 2 replicates of 30 steps (4 runs).
fn real_data() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios");
    let text = std::fs::read_to_string(root.join("real-data.toml"))
        .unwrap()
        .replace("replicates = 20", "replicates = 2")
        .replace("steps = 104", "steps = 30");
    std::fs::write(dir.path().join("real-data.toml"), text).unwrap();
    std::fs::create_dir(dir.path().join("data")).unwrap();
    for f in ["households.csv", "ties.csv"] {
        std::fs::copy(root.join("data").join(f), dir.path().join("data").join(f)).unwrap();
    }
    dir
}

/// A small drawn village: 2 strategies × 3 replicates = 6 runs.
fn tiny(dir: &Path, extra: &str) -> PathBuf {
    let f = dir.join("tiny.toml");
    std::fs::write(
        &f,
        format!(
            "[scenario]\nname = \"tiny\"\nseed = 3\nreplicates = 3\n[time]\nsteps = 20\n\
             [population]\nhouseholds = 40\n[strategies.a]\n[strategies.b]\n\
             organizer.facilitation = \"open\"\n{extra}"
        ),
    )
    .unwrap();
    f
}

fn parts(dir: &Path) -> PathBuf {
    dir.join(".kampung/parts")
}

fn part(dir: &Path, i: usize) -> PathBuf {
    parts(dir).join(format!("{i:09}.part"))
}

/// Repro 1: editing a data file between two shards, then restoring it, made `merge`
/// exit 0 with strategies run on different villages (the plan hashed the scenario
/// text only). Now the second shard's plan names the data file's other SHA-256, and
/// `merge` and `--resume` refuse, naming the file.
#[test]
fn merge_and_resume_refuse_runs_made_from_other_data() {
    let t = real_data();
    let d = t.path();
    ok(
        d,
        &[
            "run",
            "real-data.toml",
            "--shard",
            "0/2",
            "--out",
            "s0",
            "-q",
        ],
    );
    let hh = d.join("data/households.csv");
    let original = std::fs::read_to_string(&hh).unwrap();
    let edited = original.replacen("1002,smallholder,10.7", "1002,smallholder,99", 1);
    assert_ne!(edited, original, "the test's edit must change the file");
    std::fs::write(&hh, &edited).unwrap();
    ok(
        d,
        &[
            "run",
            "real-data.toml",
            "--shard",
            "1/2",
            "--out",
            "s1",
            "-q",
        ],
    );
    std::fs::write(&hh, &original).unwrap();
    let e = refused(
        d,
        &["merge", "--out", "m", "s0", "s1", "--force"],
        2,
        "data/households.csv",
    );
    assert!(e.contains("changed"), "{e}");
    assert!(!d.join("m/runs.csv").exists());
    // The same with --resume after editing the data.
    std::fs::write(&hh, &edited).unwrap();
    refused(
        d,
        &[
            "run",
            "real-data.toml",
            "--shard",
            "0/2",
            "--out",
            "s0",
            "--resume",
            "-q",
        ],
        2,
        "data/households.csv changed",
    );
}

/// Repro 10 (part): resuming with another `--shard` was accepted and kept the old
/// shard in the plan.
#[test]
fn resume_refuses_another_shard() {
    let t = tempfile::tempdir().unwrap();
    let d = t.path();
    tiny(d, "");
    ok(
        d,
        &["run", "tiny.toml", "--shard", "0/2", "--out", "s", "-q"],
    );
    refused(
        d,
        &[
            "run",
            "tiny.toml",
            "--shard",
            "1/2",
            "--out",
            "s",
            "--resume",
        ],
        2,
        "resume with the same --shard",
    );
    refused(
        d,
        &["run", "tiny.toml", "--out", "s", "--resume"],
        2,
        "holds shard 0/2",
    );
}

/// Repro 2: a part copied over another, two parts swapped, or a same-length digit
/// edit inside a part: `merge` exited 0 with a run twice, one missing and wrong
/// statistics. Now it refuses, naming the part file; `--resume` does such parts
/// again and gives the results of an untouched run, byte for byte.
#[test]
fn copied_swapped_and_edited_parts_are_refused_by_merge_and_redone_by_resume() {
    let t = tempfile::tempdir().unwrap();
    let d = t.path();
    tiny(d, "");
    ok(d, &["run", "tiny.toml", "--out", "reference", "-q"]);
    ok(
        d,
        &["run", "tiny.toml", "--shard", "0/2", "--out", "s0", "-q"],
    );
    ok(
        d,
        &["run", "tiny.toml", "--shard", "1/2", "--out", "s1", "-q"],
    );
    let s0 = d.join("s0");
    let keep: Vec<Vec<u8>> = (0..3)
        .map(|i| std::fs::read(part(&s0, i)).unwrap())
        .collect();
    let restore = || {
        for (i, b) in keep.iter().enumerate() {
            std::fs::write(part(&s0, i), b).unwrap();
        }
    };
    // A copy of part 0 over part 2.
    std::fs::write(part(&s0, 2), &keep[0]).unwrap();
    refused(
        d,
        &["merge", "--out", "m", "s0", "s1", "--force"],
        2,
        "000000002.part",
    );
    restore();
    // Parts 1 and 2 swapped.
    std::fs::write(part(&s0, 1), &keep[2]).unwrap();
    std::fs::write(part(&s0, 2), &keep[1]).unwrap();
    refused(
        d,
        &["merge", "--out", "m", "s0", "s1", "--force"],
        2,
        "000000001.part",
    );
    restore();
    // A same-length edit of one digit in the rows.
    let mut b = keep[1].clone();
    let nl = b.iter().position(|&c| c == b'\n').unwrap();
    let at = (nl + 200..b.len())
        .find(|&k| b[k].is_ascii_digit())
        .unwrap();
    b[at] = if b[at] == b'7' { b'8' } else { b'7' };
    std::fs::write(part(&s0, 1), &b).unwrap();
    let e = refused(
        d,
        &["merge", "--out", "m", "s0", "s1", "--force"],
        2,
        "checksum",
    );
    assert!(e.contains("000000001.part"), "{e}");
    // The same run in two shard folders.
    restore();
    std::fs::copy(part(&s0, 0), part(&d.join("s1"), 0)).unwrap();
    refused(
        d,
        &["merge", "--out", "m", "s0", "s1", "--force"],
        2,
        "in two folders",
    );
    std::fs::remove_file(part(&d.join("s1"), 0)).unwrap();
    // Whole again: the merge is the one-process run.
    ok(d, &["merge", "--out", "m", "s0", "s1", "-q", "--force"]);
    common::same_tables(&d.join("reference"), &d.join("m"), TABLES);

    // --resume repairs: damaged parts are done again.
    ok(
        d,
        &["run", "tiny.toml", "--shard", "0/2", "--out", "r0", "-q"],
    );
    let r0 = d.join("r0");
    std::fs::write(part(&r0, 2), std::fs::read(part(&r0, 0)).unwrap()).unwrap();
    std::fs::write(part(&r0, 1), &b).unwrap();
    let o = kampung(
        d,
        &[
            "run",
            "tiny.toml",
            "--shard",
            "0/2",
            "--out",
            "r0",
            "--resume",
        ],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stderr(&o).contains("doing again"), "{}", stderr(&o));
    ok(d, &["merge", "--out", "m2", "r0", "s1", "-q"]);
    common::same_tables(&d.join("reference"), &d.join("m2"), TABLES);
}

/// Repro 3: a `.summary.csv.partial` link planted in the output folder made
/// `run --force` overwrite the link's target, and a `runs.csv` link was written
/// through; a `.kampung` link made `--resume` write elsewhere. Now temporary files
/// have fresh names created only if absent, outputs replace links rather than follow
/// them, and a linked work folder is refused.
#[test]
fn writes_never_follow_links_planted_in_the_folder() {
    let t = tempfile::tempdir().unwrap();
    let d = t.path();
    tiny(d, "");
    let victim = d.join("victim.txt");
    std::fs::write(&victim, "precious").unwrap();
    let out = d.join("out");
    std::fs::create_dir(&out).unwrap();
    for name in [
        ".summary.csv.partial",
        ".manifest.json.partial",
        ".runs.csv.partial",
        "runs.csv",
        "summary.csv",
    ] {
        std::os::unix::fs::symlink(&victim, out.join(name)).unwrap();
    }
    ok(d, &["run", "tiny.toml", "--out", "out", "--force", "-q"]);
    assert_eq!(std::fs::read_to_string(&victim).unwrap(), "precious");
    for f in ["runs.csv", "summary.csv", "manifest.json"] {
        let m = std::fs::symlink_metadata(out.join(f)).unwrap();
        assert!(m.file_type().is_file(), "{f} is not a regular file");
    }
    // A report with a planted temporary link.
    std::os::unix::fs::symlink(&victim, out.join(".report.html.partial")).unwrap();
    ok(d, &["report", "out"]);
    assert_eq!(std::fs::read_to_string(&victim).unwrap(), "precious");

    // A `.kampung` link: refused, and nothing written through it.
    let elsewhere = d.join("elsewhere");
    std::fs::create_dir(&elsewhere).unwrap();
    let o2 = d.join("o2");
    std::fs::create_dir(&o2).unwrap();
    std::os::unix::fs::symlink(&elsewhere, o2.join(".kampung")).unwrap();
    refused(
        d,
        &["run", "tiny.toml", "--out", "o2", "--resume"],
        2,
        "symbolic link",
    );
    assert_eq!(std::fs::read_dir(&elsewhere).unwrap().count(), 0);
    // An output folder that is itself a link.
    std::os::unix::fs::symlink(&elsewhere, d.join("linked")).unwrap();
    refused(
        d,
        &["run", "tiny.toml", "--out", "linked", "--force"],
        2,
        "symbolic link",
    );
    assert_eq!(std::fs::read_dir(&elsewhere).unwrap().count(), 0);
}

/// Repros 3 and 4: `--out /` was accepted, and `merge --out T0 T0 T1 --force`
/// deleted T0's parts before failing. Now a root, the home folder, a file and a
/// shard of the same merge are refused before anything is deleted.
#[test]
fn dangerous_output_folders_are_refused_before_anything_is_deleted() {
    let t = tempfile::tempdir().unwrap();
    let d = t.path();
    tiny(d, "");
    refused(
        d,
        &["run", "tiny.toml", "--out", "/", "--force"],
        2,
        "filesystem root",
    );
    let home = d.join("home");
    std::fs::create_dir(&home).unwrap();
    std::fs::write(home.join("notes.txt"), "mine").unwrap();
    let o = Command::new(BIN)
        .args(["run", "tiny.toml", "--force", "--out"])
        .arg(&home)
        .env("HOME", &home)
        .current_dir(d)
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(stderr(&o).contains("home folder"), "{}", stderr(&o));
    std::fs::write(d.join("file"), "x").unwrap();
    refused(
        d,
        &["run", "tiny.toml", "--out", "file", "--force"],
        2,
        "not a folder",
    );

    ok(
        d,
        &["run", "tiny.toml", "--shard", "0/2", "--out", "T0", "-q"],
    );
    ok(
        d,
        &["run", "tiny.toml", "--shard", "1/2", "--out", "T1", "-q"],
    );
    let before = std::fs::read_dir(parts(&d.join("T0"))).unwrap().count();
    refused(
        d,
        &["merge", "--out", "T0", "T0", "T1", "--force"],
        2,
        "shard folder",
    );
    refused(
        d,
        &["merge", "--out", "./T1/", "T0", "T1", "--force"],
        2,
        "shard folder",
    );
    assert_eq!(
        std::fs::read_dir(parts(&d.join("T0"))).unwrap().count(),
        before
    );
    ok(d, &["merge", "--out", "M", "T0", "T1", "-q"]);
}

/// Repro 5: two commands into one results folder at once both went ahead. Now a
/// command holds the folder's lock; a second is refused while the holder lives, and
/// a lock left by a process that is gone is taken over with a note.
#[test]
fn a_results_folder_is_locked_for_the_length_of_a_command() {
    let t = tempfile::tempdir().unwrap();
    let d = t.path();
    tiny(d, "");
    let out = d.join("out");
    std::fs::create_dir(&out).unwrap();
    // A live holder: this test's own process.
    std::fs::write(
        out.join(".kampung.lock"),
        format!("{}\n", std::process::id()),
    )
    .unwrap();
    refused(d, &["run", "tiny.toml", "--out", "out"], 2, "in use");
    refused(
        d,
        &["run", "tiny.toml", "--out", "out", "--resume"],
        2,
        "in use",
    );
    // A holder that is gone: a child that has exited.
    let mut child = Command::new("true").spawn().unwrap();
    let pid = child.id();
    child.wait().unwrap();
    std::fs::write(out.join(".kampung.lock"), format!("{pid}\n")).unwrap();
    let o = kampung(d, &["run", "tiny.toml", "--out", "out", "-q"]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stderr(&o).contains("taking over"), "{}", stderr(&o));
    assert!(!out.join(".kampung.lock").exists(), "the lock is released");

    // Two real runs at once: one is refused, the other finishes complete.
    std::fs::remove_dir_all(&out).unwrap();
    let big = tiny(d, "").with_file_name("slow.toml");
    std::fs::write(
        &big,
        std::fs::read_to_string(d.join("tiny.toml"))
            .unwrap()
            .replace("replicates = 3", "replicates = 200")
            .replace("households = 40", "households = 300")
            .replace("steps = 20", "steps = 200"),
    )
    .unwrap();
    let first = Command::new(BIN)
        .args(["run", "slow.toml", "--out", "out", "-q", "-j", "1"])
        .current_dir(d)
        .spawn()
        .unwrap();
    let t0 = std::time::Instant::now();
    while !out.join(".kampung.lock").exists() && t0.elapsed().as_secs() < 20 {
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
    let second = kampung(d, &["run", "slow.toml", "--out", "out", "--resume", "-q"]);
    let first = first.wait_with_output().unwrap();
    assert!(first.status.success(), "{}", stderr(&first));
    if out.join(".kampung.lock").exists() || !second.status.success() {
        assert_eq!(second.status.code(), Some(2), "{}", stderr(&second));
        assert!(stderr(&second).contains("in use"), "{}", stderr(&second));
    }
    assert!(out.join("manifest.json").exists());
}

/// Repro 6: tie weights of 1e39 became infinity and 1e-50 zero, and resources of
/// 1e39 (CSV cell, constant, lognormal median 1e308) validated and then every run
/// blew up at step 0. Now each is refused at validation, located, with the range the
/// model stores.
#[test]
fn numbers_the_model_cannot_store_are_refused_at_validation() {
    let t = real_data();
    let d = t.path();
    let ties = d.join("data/ties.csv");
    let original = std::fs::read_to_string(&ties).unwrap();
    for w in ["1e39", "1e-50"] {
        std::fs::write(
            &ties,
            original.replacen("1002,1015,1", &format!("1002,1015,{w}"), 1),
        )
        .unwrap();
        refused(d, &["validate", "real-data.toml"], 1, "[1e-30, 1e30]");
    }
    std::fs::write(&ties, &original).unwrap();
    let hh = d.join("data/households.csv");
    let original = std::fs::read_to_string(&hh).unwrap();
    for r in ["1e39", "1e-45"] {
        std::fs::write(
            &hh,
            original.replacen("1002,smallholder,10.7", &format!("1002,smallholder,{r}"), 1),
        )
        .unwrap();
        refused(d, &["validate", "real-data.toml"], 1, "[1e-30, 1e15]");
    }
    std::fs::write(&hh, &original).unwrap();
    ok(d, &["validate", "real-data.toml"]);

    for dist in [
        r#"{ dist = "constant", value = 1e39 }"#,
        r#"{ dist = "lognormal", median = 1e308, sigma = 1.0 }"#,
    ] {
        std::fs::write(
            d.join("r.toml"),
            format!("[[population.groups]]\nname = \"a\"\nshare = 1\nresources = {dist}\n"),
        )
        .unwrap();
        refused(d, &["validate", "r.toml"], 1, "resources");
    }
    // At the limit, runs finish (no blow-up).
    std::fs::write(
        d.join("r.toml"),
        "[time]\nsteps = 20\n[population]\nhouseholds = 30\n[[population.groups]]\n\
         name = \"a\"\nshare = 1\nresources = { dist = \"constant\", value = 1e15 }\n",
    )
    .unwrap();
    ok(d, &["run", "r.toml", "--out", "r", "-q"]);
}

/// Repro 7: 10,000 LHS points × 10⁶ replicates validated and then aborted
/// allocating 560 GB (exit 134); `steps = 10000000` validated and aborted (its
/// rows were held in memory; now they go to disk as they are made, and a village
/// too large for a run's memory is what is refused); the range printed for `steps`
/// was not the one enforced; `--threads 100000` panicked
/// and `-j 0` meant 1. Now each is refused with its limit, quickly.
#[test]
fn plans_that_cannot_run_are_refused_with_their_limits() {
    let t = tempfile::tempdir().unwrap();
    let d = t.path();
    std::fs::write(
        d.join("huge.toml"),
        "[scenario]\nreplicates = 1000000\n[sweep.lhs]\npoints = 10000\n\
         [sweep.lhs.ranges]\n\"economy.systemic_bias\" = [0.0, 1.0]\n",
    )
    .unwrap();
    for cmd in ["validate", "plan", "run"] {
        let e = refused(d, &[cmd, "huge.toml"], 1, "10000000");
        assert!(e.contains("runs"), "{e}");
    }
    assert!(!d.join("results").exists(), "no folder left behind");
    // A run's rows go to disk as they are made, so only the village counts against
    // a run's memory: 40 million households at the default mean degree need about
    // 10 GiB.
    std::fs::write(
        d.join("big.toml"),
        "[time]\nsteps = 10\n[population]\nhouseholds = 40000000\n",
    )
    .unwrap();
    for cmd in ["validate", "plan", "run"] {
        let e = refused(
            d,
            &[cmd, "big.toml"],
            1,
            "more than the 8.0 GiB a run may use",
        );
        assert!(e.contains("big.toml:4:"), "{e}");
    }
    // The range said for a value beyond the type is the range enforced.
    std::fs::write(d.join("s2.toml"), "[time]\nsteps = 10000000000\n").unwrap();
    refused(d, &["validate", "s2.toml"], 1, "[1, 10000000]");
    std::fs::write(d.join("s3.toml"), "[time]\nsteps = 0\n").unwrap();
    refused(d, &["validate", "s3.toml"], 1, "[1, 10000000]");

    tiny(d, "");
    for j in ["0", "100000"] {
        for cmd in ["run", "plan"] {
            refused(d, &[cmd, "tiny.toml", "-j", j], 2, "[1, 1024]");
        }
    }
}

/// Repro 8: `report` read whatever the manifest named: `/dev/zero` grew it without
/// bound and a FIFO hung it. Now it reads only regular files of bounded size, and no
/// links out of the folder.
#[test]
fn report_reads_only_regular_files_inside_the_folder() {
    let t = tempfile::tempdir().unwrap();
    let d = t.path();
    tiny(d, "");
    ok(d, &["run", "tiny.toml", "--out", "out", "-q"]);
    let out = d.join("out");
    // The manifest names /dev/zero as the scenario, and a copy outside the folder:
    // the copy is not followed, and the page says the file cannot be read.
    let m = std::fs::read_to_string(out.join("manifest.json")).unwrap();
    let v: serde_json::Value = serde_json::from_str(&m).unwrap();
    let mut v2 = v.clone();
    v2["scenario_file"] = "/dev/zero".into();
    v2["input_scenario"] = "../tiny.toml".into();
    std::fs::write(out.join("manifest.json"), v2.to_string()).unwrap();
    let o = run_with_timeout(d, &["report", "out"], 60);
    assert!(o.status.success(), "{}", stderr(&o));
    refused(
        d,
        &["report", "out", "--scenario", "/dev/zero"],
        2,
        "not a regular file",
    );
    std::fs::write(out.join("manifest.json"), &m).unwrap();
    // A table that is a FIFO, or a link out of the folder.
    let runs = out.join("runs.csv");
    let keep = std::fs::read(&runs).unwrap();
    std::fs::remove_file(&runs).unwrap();
    assert!(
        Command::new("mkfifo")
            .arg(&runs)
            .status()
            .unwrap()
            .success()
    );
    let o = run_with_timeout(d, &["report", "out"], 60);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    std::fs::remove_file(&runs).unwrap();
    let outside = d.join("outside.csv");
    std::fs::write(&outside, &keep).unwrap();
    std::os::unix::fs::symlink(&outside, &runs).unwrap();
    refused(d, &["report", "out"], 2, "symbolic link");
}

/// Runs `kampung args`, killing it (and failing) after `secs` seconds.
fn run_with_timeout(cwd: &Path, args: &[&str], secs: u64) -> Output {
    let mut child = Command::new(BIN)
        .args(args)
        .current_dir(cwd)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let t0 = std::time::Instant::now();
    loop {
        if child.try_wait().unwrap().is_some() {
            return child.wait_with_output().unwrap();
        }
        if t0.elapsed().as_secs() > secs {
            child.kill().unwrap();
            panic!("kampung {args:?} hung");
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
}

/// Repro 9: a CSV cell holding escape sequences reached the terminal unchanged, a
/// quoted cell with a newline forged an `error:` line, and one stray quote gave
/// 200+ error lines. Now text from files is escaped and each file's errors are
/// capped with a count of the rest.
#[test]
fn text_from_files_is_escaped_and_error_lists_are_capped() {
    let t = real_data();
    let d = t.path();
    let hh = d.join("data/households.csv");
    let original = std::fs::read_to_string(&hh).unwrap();
    std::fs::write(
        &hh,
        original.replacen(
            "1002,smallholder,10.7",
            "1002,\"small\x1b[31mholder\nerror: forged line\",10.7",
            1,
        ),
    )
    .unwrap();
    let e = refused(d, &["validate", "real-data.toml"], 1, "\\u{1b}");
    assert!(!e.contains('\x1b'), "{e}");
    assert!(
        e.lines().all(|l| !l.starts_with("error: forged")),
        "a cell forged a line:\n{e}"
    );
    // Many bad rows: at most 20 shown for the file, then a count.
    let mut many = String::from("id,group,resources\n");
    for i in 0..300 {
        many.push_str(&format!("{i},nobody,1\n"));
    }
    std::fs::write(&hh, many).unwrap();
    let e = refused(d, &["validate", "real-data.toml"], 1, "nobody");
    assert!(e.lines().count() <= 21, "{} lines:\n{e}", e.lines().count());
    assert!(e.contains("more problems not shown"), "{e}");
    // Names that later reach the terminal in progress lines and tables (strategy,
    // group) may not hold control characters; the refusal shows them escaped.
    std::fs::write(d.join("ctl.toml"), "[strategies.\"a\\u001b[31mb\"]\n").unwrap();
    let e = refused(d, &["validate", "ctl.toml"], 1, "control characters");
    assert!(!e.contains('\x1b') && e.contains("\\u{1b}"), "{e}");
    std::fs::write(
        d.join("ctl.toml"),
        "[[population.groups]]\nname = \"x\\ny\"\nshare = 1\n",
    )
    .unwrap();
    let e = refused(d, &["validate", "ctl.toml"], 1, "control characters");
    assert!(e.lines().count() == 1, "{e}");
}

/// Repro 10: a missing scenario file exited 1 where the README says 2; `sensitivity`
/// on a file without `[sensitivity]` exited 2 (it is invalid input: 1); a sweep
/// table's bad value was located in the scenario file, not the CSV; a ties file
/// holding only a self-loop was accepted while a header-only one was refused.
#[test]
fn exit_codes_and_locations_are_as_documented() {
    let t = real_data();
    let d = t.path();
    for args in [
        &["run", "nowhere.toml"][..],
        &["validate", "nowhere.toml"],
        &["plan", "nowhere.toml"],
        &["sensitivity", "nowhere.toml"],
        &["validate", "data"],
    ] {
        refused(d, args, 2, args[1]);
    }
    // validate: invalid (1) and unreadable (2) files together give 2.
    std::fs::write(d.join("bad.toml"), "[economy]\nsystemic_bias = 7\n").unwrap();
    refused(d, &["validate", "bad.toml"], 1, "bad.toml:2:17:");
    refused(
        d,
        &["validate", "bad.toml", "nowhere.toml"],
        2,
        "bad.toml:2:17:",
    );
    refused(
        d,
        &["sensitivity", "real-data.toml"],
        1,
        "no [sensitivity] table",
    );
    refused(d, &["report", "nowhere"], 2, "nowhere");
    refused(d, &["merge", "--out", "m", "nowhere"], 2, "nowhere");

    // A design table's bad value: the CSV file, its line and column.
    std::fs::write(
        d.join("points.csv"),
        "organizer.contacts_per_step,economy.systemic_bias\n3,0.5\n4,7\n",
    )
    .unwrap();
    std::fs::write(d.join("table.toml"), "[sweep]\ntable = \"points.csv\"\n").unwrap();
    refused(d, &["validate", "table.toml"], 1, "points.csv:3:2:");

    // A ties file of only a self-loop (repaired away) and one with only a header are
    // refused alike.
    let scenario = std::fs::read_to_string(d.join("real-data.toml")).unwrap();
    std::fs::write(
        d.join("loops.toml"),
        scenario
            .replace("data/ties.csv", "data/loops.csv")
            .replace("repair = false", "repair = true"),
    )
    .unwrap();
    let with_repair = std::fs::read_to_string(d.join("loops.toml")).unwrap();
    assert!(with_repair.contains("repair = true"), "{with_repair}");
    std::fs::write(d.join("data/loops.csv"), "source,target\n1002,1002\n").unwrap();
    let a = refused(d, &["validate", "loops.toml"], 1, "no ties");
    std::fs::write(d.join("data/loops.csv"), "source,target\n").unwrap();
    let b = refused(d, &["validate", "loops.toml"], 1, "no ties");
    assert!(a.contains("model = \"none\"") && b.contains("model = \"none\""));
}
