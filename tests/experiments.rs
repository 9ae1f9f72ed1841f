//! Experiments through the real binary: designs, their errors, the statistics of a
//! sweep, determinism, `plan`, `sensitivity` and progress (issue 4).
//!
//! What this shows:
//!
//! - **Designs.** A factorial × zip `[sweep]` gives strategies × points × replicates
//!   runs (as `validate` says and `runs.csv` has), the last axis turning fastest, and
//!   every `runs.csv` row's `param.*` columns carry its point's values; a CSV table
//!   next to the scenario gives one point per row; `[sweep.lhs]` puts one value of an
//!   integer range in each of its `points` strata; `[sweep.sobol]` gives the first
//!   points of the Sobol sequence (0, ½, ¾, ¼, …) scaled to the ranges. The dynamics
//!   seed differs between the points of one replicate, while the village and
//!   environment seeds are shared by every point and strategy of it.
//! - **Errors.** A value out of range (as a quoted or an unquoted dotted key), an
//!   unknown parameter path (misspelt in its last part or its first), zip lists of
//!   unequal length and bad table cells stop `validate` and `run` with exit 1 and a
//!   diagnostic naming the file, the line and column of the offending value, the key
//!   and what is allowed, with a "did you mean" for misspelt names, once however many
//!   points share the mistake; a cell that is no value is located in the CSV (its
//!   true line, counting blank and comment lines), a value wrong for its parameter at
//!   the `table` key with its point. Nothing panics and no output folder is made.
//! - **Statistics.** `summary.csv` (n, mean, sd, se, 95% t-interval, median) and
//!   `compare.csv` (paired difference, its t-interval, Cohen's d_z, significance,
//!   rank: higher capacity and lower access gap are better) agree with the same
//!   statistics recomputed here from `runs.csv`; the baseline's own rows are 0; the
//!   table `run` prints lists the strategies in rank order with compare.csv's
//!   numbers.
//! - **Determinism.** All tables are byte-identical for `--threads 1` and 2, and for
//!   one process and three `--shard`s merged.
//! - **`plan`** counts the runs, estimates time and memory and shows the first runs
//!   with their seeds (those of the real run) and point values; it rejects a bad file
//!   with the diagnostic.
//! - **`sensitivity`** writes one row per (method, outcome, parameter, index), gives
//!   a parameter that cannot matter μ* = 0 and an influential one a clearly larger
//!   μ*, is deterministic (and independent of `--threads`), and rejects a bad
//!   `[sensitivity]` with located errors before any run: an unknown outcome (with a
//!   suggestion), no ranges, a range over an unknown parameter or beyond what the
//!   parameter allows, an unknown strategy.
//! - **Progress**: periodic "N/M runs done (rate, ETA)" lines when stderr is not a
//!   terminal, nothing with `--quiet`.

mod common;

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

const BIN: &str = env!("CARGO_BIN_EXE_kampung");

/// t_{0.975} with 9 degrees of freedom (10 replicates).
const T_975_DF9: f64 = 2.262_157_162_740_991;

/// The start of a small scenario: 60 households, 40 weekly steps, the organizer
/// leaving at step 20, durability measured 10 steps later. Strategies and `[sweep]`
/// follow.
const BASE: &str = r#"[scenario]
name = "exp"
seed = 5
replicates = 2

[time]
steps = 40

[population]
households = 60

[organizer]
exit_step = 20

[output]
households = false
record_every = 10
post_exit_horizon = 10
"#;

const TWO_STRATEGIES: &str = r#"
[strategies.inclusive]
[strategies.top_down]
organizer.facilitation = "top_down"
"#;

fn kampung(args: &[&str]) -> Output {
    Command::new(BIN).args(args).output().unwrap()
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

/// Runs kampung and insists on success; returns (stdout, stderr).
fn ok(args: &[&str]) -> (String, String) {
    let out = kampung(args);
    assert!(
        out.status.success(),
        "kampung {args:?} failed ({:?}): {}",
        out.status.code(),
        text(&out.stderr)
    );
    (text(&out.stdout), text(&out.stderr))
}

fn write(dir: &Path, name: &str, content: &str) -> PathBuf {
    let f = dir.join(name);
    std::fs::write(&f, content).unwrap();
    f
}

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

/// A CSV file read whole.
struct Table {
    header: Vec<String>,
    rows: Vec<Vec<String>>,
}

impl Table {
    fn read(path: &Path) -> Table {
        let mut r =
            csv::Reader::from_path(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        let header = r.headers().unwrap().iter().map(String::from).collect();
        let rows = r
            .records()
            .map(|x| x.unwrap().iter().map(String::from).collect())
            .collect();
        Table { header, rows }
    }

    fn col(&self, name: &str) -> usize {
        self.header
            .iter()
            .position(|h| h == name)
            .unwrap_or_else(|| panic!("no column `{name}`"))
    }

    fn get<'a>(&'a self, row: &'a [String], name: &str) -> &'a str {
        &row[self.col(name)]
    }

    fn num(&self, row: &[String], name: &str) -> f64 {
        let v = self.get(row, name);
        v.parse()
            .unwrap_or_else(|_| panic!("`{name}` = `{v}` is not a number"))
    }
}

/// `a` and `b` agree to 1e-9 relative to `scale` (or to themselves).
fn close(a: f64, b: f64, scale: f64) -> bool {
    (a - b).abs() <= 1e-9 * scale.abs().max(a.abs()).max(b.abs()).max(1e-12)
}

fn assert_close(what: &str, got: f64, want: f64, scale: f64) {
    assert!(
        close(got, want, scale),
        "{what}: file has {got}, recomputed {want}"
    );
}

// ---------------------------------------------------------------------------------
// Designs
// ---------------------------------------------------------------------------------

#[test]
fn factorial_and_zip_points_reach_every_run_and_its_seeds() {
    let dir = tempfile::tempdir().unwrap();
    let file = write(
        dir.path(),
        "fz.toml",
        &format!(
            "{BASE}{TWO_STRATEGIES}
[sweep.factorial]
\"organizer.contacts_per_step\" = [3, 8]
[sweep.zip]
\"organizer.exit_step\" = [15, 25]
\"organizer.push\" = [0.1, 0.3]
"
        ),
    );
    let (stdout, _) = ok(&["validate", s(&file)]);
    assert!(
        stdout.contains("2 strategies × 4 points × 2 replicates = 16 runs"),
        "{stdout}"
    );
    let out = dir.path().join("out");
    ok(&["run", s(&file), "--out", s(&out), "-q"]);
    let runs = Table::read(&out.join("runs.csv"));
    assert_eq!(runs.rows.len(), 16);

    // The zip group is the last axis and turns fastest.
    let points = [
        ("3", "15", "0.1"),
        ("3", "25", "0.3"),
        ("8", "15", "0.1"),
        ("8", "25", "0.3"),
    ];
    for (i, row) in runs.rows.iter().enumerate() {
        let (strategy, point, replicate) = (i / 8, (i / 2) % 4, i % 2);
        assert_eq!(
            runs.get(row, "strategy"),
            ["inclusive", "top_down"][strategy]
        );
        assert_eq!(runs.get(row, "point"), point.to_string());
        assert_eq!(runs.get(row, "replicate"), replicate.to_string());
        let (c, e, p) = points[point];
        assert_eq!(runs.get(row, "param.organizer.contacts_per_step"), c);
        assert_eq!(runs.get(row, "param.organizer.exit_step"), e);
        assert_eq!(runs.get(row, "param.organizer.push"), p);
        // The strategy's own override stays.
        assert_eq!(
            runs.get(row, "param.organizer.facilitation"),
            ["inclusive", "top_down"][strategy]
        );
    }
    // summary.csv and compare.csv give each varied parameter a column of its own,
    // holding the point's value.
    for file in ["summary.csv", "compare.csv"] {
        let t = Table::read(&out.join(file));
        assert!(!t.header.iter().any(|h| h == "point_values"), "{file}");
        assert_eq!(t.rows.len() % 4, 0);
        let mut seen = BTreeSet::new();
        for r in &t.rows {
            let point: usize = t.get(r, "point").parse().unwrap();
            let (c, e, p) = points[point];
            assert_eq!(t.get(r, "point.organizer.contacts_per_step"), c, "{file}");
            assert_eq!(t.get(r, "point.organizer.exit_step"), e, "{file}");
            assert_eq!(t.get(r, "point.organizer.push"), p, "{file}");
            seen.insert(point);
        }
        assert_eq!(seen.len(), 4, "{file}");
    }

    // Seeds: every run has its own dynamics seed; the village and the environment
    // depend on the replicate only (paired across strategies and points).
    let seeds: BTreeSet<&str> = runs.rows.iter().map(|r| runs.get(r, "seed")).collect();
    assert_eq!(seeds.len(), 16, "dynamics seeds must all differ");
    for rep in 0..2 {
        let of_rep: Vec<&Vec<String>> = runs
            .rows
            .iter()
            .filter(|r| runs.get(r, "replicate") == rep.to_string())
            .collect();
        assert_eq!(of_rep.len(), 8);
        for col in ["village_seed", "environment_seed"] {
            let v: BTreeSet<&str> = of_rep.iter().map(|r| runs.get(r, col)).collect();
            assert_eq!(v.len(), 1, "{col} of replicate {rep} differs between runs");
        }
    }
    assert_ne!(
        runs.get(&runs.rows[0], "village_seed"),
        runs.get(&runs.rows[1], "village_seed")
    );
}

#[test]
fn a_csv_table_gives_one_point_per_row() {
    let dir = tempfile::tempdir().unwrap();
    let sub = dir.path().join("study");
    std::fs::create_dir(&sub).unwrap();
    write(
        &sub,
        "points.csv",
        "organizer.contacts_per_step,organizer.facilitation,economy.systemic_bias\n\
         4,open,0.25\n\
         # a comment line\n\
         9, top_down ,0.5\n\
         6,inclusive,0.75\n",
    );
    let file = write(
        &sub,
        "table.toml",
        &format!("{BASE}\n[sweep]\ntable = \"points.csv\"\n"),
    );
    // Run from elsewhere: the table is found next to the scenario.
    let (stdout, _) = ok(&["validate", s(&file)]);
    assert!(
        stdout.contains("1 strategy × 3 points × 2 replicates = 6 runs"),
        "{stdout}"
    );
    let out = dir.path().join("out");
    ok(&["run", s(&file), "--out", s(&out), "-q"]);
    let runs = Table::read(&out.join("runs.csv"));
    assert_eq!(runs.rows.len(), 6);
    let want = [
        ("4", "open", "0.25"),
        ("9", "top_down", "0.5"),
        ("6", "inclusive", "0.75"),
    ];
    for row in &runs.rows {
        let point: usize = runs.get(row, "point").parse().unwrap();
        let (c, f, b) = want[point];
        assert_eq!(runs.get(row, "param.organizer.contacts_per_step"), c);
        assert_eq!(runs.get(row, "param.organizer.facilitation"), f);
        assert_eq!(runs.get(row, "param.economy.systemic_bias"), b);
    }
}

/// The values of `column` in runs.csv, one per point (1 strategy, 1 replicate).
fn values_by_point(runs: &Table, column: &str) -> Vec<String> {
    let mut v: Vec<(usize, String)> = runs
        .rows
        .iter()
        .map(|r| {
            (
                runs.get(r, "point").parse().unwrap(),
                runs.get(r, column).to_string(),
            )
        })
        .collect();
    v.sort();
    v.into_iter().map(|(_, x)| x).collect()
}

#[test]
fn latin_hypercube_puts_one_value_in_each_stratum() {
    let dir = tempfile::tempdir().unwrap();
    let base = BASE.replace("replicates = 2", "replicates = 1");
    let file = write(
        dir.path(),
        "lhs.toml",
        &format!(
            "{base}
[sweep.lhs]
points = 8
seed = 4
[sweep.lhs.ranges]
\"organizer.contacts_per_step\" = [2, 17]
\"economy.systemic_bias\" = [0.0, 0.8]
"
        ),
    );
    let out = dir.path().join("out");
    ok(&["run", s(&file), "--out", s(&out), "-q"]);
    let runs = Table::read(&out.join("runs.csv"));
    assert_eq!(runs.rows.len(), 8);

    // Integer range [2, 17]: 16 integers, 8 strata of two integers each.
    let contacts: Vec<i64> = values_by_point(&runs, "param.organizer.contacts_per_step")
        .iter()
        .map(|v| {
            v.parse()
                .unwrap_or_else(|_| panic!("`{v}` is not an integer"))
        })
        .collect();
    assert!(
        contacts.iter().all(|c| (2..=17).contains(c)),
        "{contacts:?}"
    );
    let mut strata: Vec<i64> = contacts.iter().map(|c| (c - 2) / 2).collect();
    strata.sort_unstable();
    assert_eq!(strata, (0..8).collect::<Vec<_>>(), "{contacts:?}");

    // Real range [0, 0.8]: 8 strata of width 0.1.
    let bias: Vec<f64> = values_by_point(&runs, "param.economy.systemic_bias")
        .iter()
        .map(|v| v.parse().unwrap())
        .collect();
    assert!(bias.iter().all(|b| (0.0..=0.8).contains(b)), "{bias:?}");
    let mut strata: Vec<usize> = bias.iter().map(|b| (b / 0.1).floor() as usize).collect();
    strata.sort_unstable();
    assert_eq!(strata, (0..8).collect::<Vec<_>>(), "{bias:?}");
    // The two dimensions are not stratified in step.
    assert_ne!(
        contacts.iter().map(|c| (c - 2) / 2).collect::<Vec<_>>(),
        bias.iter()
            .map(|b| (b / 0.1).floor() as i64)
            .collect::<Vec<_>>()
    );
}

#[test]
fn sobol_design_gives_the_first_points_of_the_sequence_scaled() {
    let dir = tempfile::tempdir().unwrap();
    let base = BASE.replace("replicates = 2", "replicates = 1");
    let file = write(
        dir.path(),
        "sobol.toml",
        &format!(
            "{base}
[sweep.sobol]
points = 8
[sweep.sobol.ranges]
\"organizer.contacts_per_step\" = [2, 9]
\"organizer.push\" = [0.0, 0.5]
\"economy.systemic_bias\" = [0.0, 1.0]
"
        ),
    );
    let out = dir.path().join("out");
    ok(&["run", s(&file), "--out", s(&out), "-q"]);
    let runs = Table::read(&out.join("runs.csv"));
    // The first 8 points of dimensions 1-3 (Joe and Kuo's directions, zero first).
    let u = [
        [0.0, 0.5, 0.75, 0.25, 0.375, 0.875, 0.625, 0.125],
        [0.0, 0.5, 0.25, 0.75, 0.375, 0.875, 0.125, 0.625],
        [0.0, 0.5, 0.25, 0.75, 0.625, 0.125, 0.875, 0.375],
    ];
    // [2, 9] has 8 integers: point i gets 2 + floor(8 u).
    let contacts: Vec<String> = u[0]
        .iter()
        .map(|x| (2 + (8.0 * x) as i64).to_string())
        .collect();
    assert_eq!(
        values_by_point(&runs, "param.organizer.contacts_per_step"),
        contacts
    );
    let push: Vec<f64> = values_by_point(&runs, "param.organizer.push")
        .iter()
        .map(|v| v.parse().unwrap())
        .collect();
    assert_eq!(push, u[1].map(|x| 0.5 * x));
    let bias: Vec<f64> = values_by_point(&runs, "param.economy.systemic_bias")
        .iter()
        .map(|v| v.parse().unwrap())
        .collect();
    assert_eq!(bias, u[2]);
}

// ---------------------------------------------------------------------------------
// Errors
// ---------------------------------------------------------------------------------

/// Line and column (1-based, in characters) where `needle`, which must occur once in
/// `text`, begins.
fn position(text: &str, needle: &str) -> (usize, usize) {
    assert_eq!(
        text.matches(needle).count(),
        1,
        "`{needle}` must occur once"
    );
    let before = &text[..text.find(needle).unwrap()];
    let line = before.matches('\n').count() + 1;
    let col = before.rsplit('\n').next().unwrap().chars().count() + 1;
    (line, col)
}

/// Runs `validate` and `run` on a bad file: both exit 1, say nothing about panics,
/// make no output folder, and print the same diagnostics. Returns them.
fn rejected(file: &Path) -> String {
    let v = kampung(&["validate", s(file)]);
    let err = text(&v.stderr);
    assert_eq!(v.status.code(), Some(1), "validate: {err}");
    let out = file.with_extension("out");
    let r = kampung(&["run", s(file), "--out", s(&out), "-q"]);
    let run_err = text(&r.stderr);
    assert_eq!(r.status.code(), Some(1), "run: {run_err}");
    assert!(!out.exists(), "a rejected run made {}", out.display());
    for e in [&err, &run_err] {
        assert!(!e.contains("panicked"), "{e}");
        assert!(e.lines().all(|l| l.starts_with("error: ")), "{e}");
    }
    assert_eq!(err, run_err);
    err
}

/// The diagnostic lines of `err` at `file:line:col`.
fn at<'a>(err: &'a str, file: &Path, (line, col): (usize, usize)) -> Vec<&'a str> {
    let prefix = format!("error: {}:{line}:{col}: ", file.display());
    let found: Vec<&str> = err.lines().filter(|l| l.starts_with(&prefix)).collect();
    assert!(!found.is_empty(), "nothing at {prefix}; got:\n{err}");
    found
}

#[test]
fn bad_design_values_are_located_at_their_sweep_key() {
    let dir = tempfile::tempdir().unwrap();
    let sweep = |name: &str, body: &str| -> (PathBuf, String) {
        let t = format!("{BASE}{TWO_STRATEGIES}\n{body}");
        (write(dir.path(), name, &t), t)
    };

    // A value out of range, quoted or as unquoted dotted keys.
    for (name, key) in [
        ("range.toml", "\"organizer.contacts_per_step\""),
        ("dotted.toml", "organizer.contacts_per_step"),
    ] {
        let (f, t) = sweep(
            name,
            &format!("[sweep.factorial]\n\"organizer.push\" = [0.1, 0.2]\n{key} = [5, 0]\n"),
        );
        let err = rejected(&f);
        let lines = at(&err, &f, position(&t, "[5, 0]"));
        assert!(
            lines
                .iter()
                .all(|l| l.contains("`organizer.contacts_per_step`")
                    && l.contains("0 is out of range")
                    && l.contains("(allowed: a whole number in [1, 10000])")),
            "{err}"
        );
        assert_eq!(err.lines().count(), lines.len(), "{err}");
    }

    // Misspelt parameter paths, in the last part or in the first: a suggestion, the
    // fields that are allowed, once (not once per point or strategy).
    for (name, path, bad, good) in [
        (
            "field.toml",
            "organizer.contact_per_step",
            "contact_per_step",
            "contacts_per_step",
        ),
        (
            "prefix.toml",
            "organiser.contacts_per_step",
            "organiser",
            "organizer",
        ),
    ] {
        let (f, t) = sweep(
            name,
            &format!("[sweep.factorial]\n\"organizer.push\" = [0.1, 0.2]\n\"{path}\" = [5, 6]\n"),
        );
        let err = rejected(&f);
        let lines = at(&err, &f, position(&t, "[5, 6]"));
        assert_eq!(lines.len(), 1, "{err}");
        assert_eq!(err.lines().count(), 1, "{err}");
        let l = lines[0];
        assert!(l.contains(&format!("`{path}`")), "{l}");
        assert!(
            l.contains(&format!("unknown key `{bad}`; did you mean `{good}`?")),
            "{l}"
        );
        assert!(
            l.contains("(allowed: ") && l.contains(&format!("`{good}`")),
            "{l}"
        );
    }

    // Zip lists of unequal length.
    let (f, t) = sweep(
        "zip.toml",
        "[sweep.zip]\n\"organizer.exit_step\" = [15, 25]\n\"organizer.push\" = [0.1, 0.2, 0.3]\n",
    );
    let err = rejected(&f);
    let l = at(&err, &f, position(&t, "[0.1, 0.2, 0.3]"));
    assert!(
        l[0].contains("`sweep.zip.organizer.push`")
            && l[0].contains("has 3 values but `organizer.exit_step` has 2")
            && l[0].contains("(allowed: a list of 2 values)"),
        "{err}"
    );
}

#[test]
fn bad_table_cells_are_located_in_the_csv_file_or_at_the_table_key() {
    let dir = tempfile::tempdir().unwrap();
    let t = format!("{BASE}{TWO_STRATEGIES}\n[sweep]\ntable = \"points.csv\"\n");
    let f = write(dir.path(), "t.toml", &t);
    let csv = dir.path().join("points.csv");
    let header = "organizer.contacts_per_step,organizer.push\n";

    // Cells that are not values at all: located in the CSV (line 5 here, after a
    // blank line and a comment line), at their column.
    for (row, what) in [
        ("7,inf", "`inf` is not a finite number"),
        ("7,", "empty cell"),
    ] {
        std::fs::write(
            &csv,
            format!("{header}4,0.2\n\n# the second point\n{row}\n"),
        )
        .unwrap();
        let err = rejected(&f);
        let l = at(&err, &csv, (5, 2));
        assert!(
            l[0].contains("`organizer.push`")
                && l[0].contains(what)
                && l[0].contains("(allowed: an integer, a number, true/false, or text)"),
            "{err}"
        );
    }
    std::fs::write(&csv, format!("{header}4,0.2\n7\n")).unwrap();
    let err = rejected(&f);
    let l = at(&err, &csv, (3, 2));
    assert!(
        l[0].contains("the row has 1 fields but the header has 2"),
        "{err}"
    );

    // Values of the wrong type or out of range for the parameter: located in the CSV
    // too, at the point's line and the parameter's column, naming the point (issue
    // 14: they used to be located at the scenario's `table` key).
    std::fs::write(&csv, format!("{header}4,0.2\n7,abc\n")).unwrap();
    let err = rejected(&f);
    let l = at(&err, &csv, (3, 2));
    assert!(
        l[0].contains("`organizer.push`")
            && l[0].contains("design point 1 (contacts_per_step=7;push=abc)")
            && l[0].contains("wrong type")
            && l[0].contains("(allowed: a number)"),
        "{err}"
    );
    std::fs::write(&csv, format!("{header}4,0.2\n0,0.5\n")).unwrap();
    let err = rejected(&f);
    let l = at(&err, &csv, (3, 1));
    assert!(
        l[0].contains("`organizer.contacts_per_step`")
            && l[0].contains("design point 1 (contacts_per_step=0;push=0.5): 0 is out of range")
            && l[0].contains("(allowed: a whole number in [1, 10000])"),
        "{err}"
    );
}

// ---------------------------------------------------------------------------------
// Statistics
// ---------------------------------------------------------------------------------

/// 3 strategies × 2 points × 10 replicates of a slightly larger village, where the
/// organization has time to form.
fn stats_scenario(dir: &Path) -> PathBuf {
    write(
        dir,
        "stats.toml",
        r#"[scenario]
name = "stats"
seed = 21
replicates = 10
[time]
steps = 70
[population]
households = 80
[organizer]
exit_step = 40
[output]
households = false
record_every = 10
post_exit_horizon = 20
[strategies.inclusive]
[strategies.top_down]
organizer.facilitation = "top_down"
[strategies.open]
organizer.facilitation = "open"
[sweep.factorial]
"organizer.contacts_per_step" = [4, 12]
"#,
    )
}

fn mean(v: &[f64]) -> f64 {
    v.iter().sum::<f64>() / v.len() as f64
}

fn sd(v: &[f64]) -> f64 {
    let m = mean(v);
    (v.iter().map(|x| (x - m) * (x - m)).sum::<f64>() / (v.len() - 1) as f64).sqrt()
}

fn median(v: &[f64]) -> f64 {
    let mut w = v.to_vec();
    w.sort_by(f64::total_cmp);
    let n = w.len();
    if n % 2 == 1 {
        w[n / 2]
    } else {
        (w[n / 2 - 1] + w[n / 2]) / 2.0
    }
}

#[test]
fn summary_compare_and_the_printed_table_agree_with_runs_csv() {
    let dir = tempfile::tempdir().unwrap();
    let file = stats_scenario(dir.path());
    let out = dir.path().join("out");
    let (_, stderr) = ok(&["run", s(&file), "--out", s(&out)]);
    let runs = Table::read(&out.join("runs.csv"));
    assert_eq!(runs.rows.len(), 60);
    let strategies = ["inclusive", "top_down", "open"];

    // Outcomes by (strategy, point, outcome), indexed by replicate: every number
    // column after the run (the phase and the issue are names).
    let outcomes: Vec<&str> = runs
        .header
        .iter()
        .map(String::as_str)
        .filter(|h| {
            (h.starts_with("final.") || h.starts_with("post_exit.")) && *h != "post_exit.step"
        })
        .filter(|h| !h.ends_with(".stage") && !h.ends_with(".issue"))
        .collect();
    // Those names are names: the phase as stages.csv writes it, the issue as
    // households.csv does.
    for row in &runs.rows {
        assert!(
            [
                "before",
                "immersion",
                "investigation",
                "design",
                "action",
                "organization",
                "institution"
            ]
            .contains(&runs.get(row, "final.stage"))
        );
        assert!(["land", "water", "credit", "NA"].contains(&runs.get(row, "final.issue")));
    }
    let mut by: HashMap<(String, usize, String), Vec<f64>> = HashMap::new();
    for row in &runs.rows {
        let key = |o: &str| {
            (
                runs.get(row, "strategy").to_string(),
                runs.get(row, "point").parse::<usize>().unwrap(),
                o.to_string(),
            )
        };
        let rep: usize = runs.get(row, "replicate").parse().unwrap();
        for o in &outcomes {
            let v = by.entry(key(o)).or_insert_with(|| vec![f64::NAN; 10]);
            v[rep] = runs.get(row, o).parse().unwrap_or(f64::NAN);
        }
    }

    // summary.csv: every (strategy, point, outcome) once; recompute every cell whose
    // 10 runs all have a value.
    let summary = Table::read(&out.join("summary.csv"));
    assert_eq!(summary.rows.len(), 3 * 2 * outcomes.len());
    let mut checked = 0;
    let mut spread = 0;
    for row in &summary.rows {
        let key = (
            summary.get(row, "strategy").to_string(),
            summary.get(row, "point").parse().unwrap(),
            summary.get(row, "outcome").to_string(),
        );
        let v = &by[&key];
        if v.iter().any(|x| x.is_nan()) {
            continue;
        }
        let what = |c: &str| format!("{key:?} {c}");
        assert_eq!(summary.get(row, "n"), "10", "{key:?}");
        let (m, sd, med) = (mean(v), sd(v), median(v));
        let se = sd / 10f64.sqrt();
        let half = T_975_DF9 * se;
        let scale = m.abs() + half;
        assert_close(&what("mean"), summary.num(row, "mean"), m, scale);
        assert_close(&what("sd"), summary.num(row, "sd"), sd, scale);
        assert_close(&what("se"), summary.num(row, "se"), se, scale);
        assert_close(&what("median"), summary.num(row, "median"), med, scale);
        assert_close(&what("ci_low"), summary.num(row, "ci_low"), m - half, scale);
        assert_close(
            &what("ci_high"),
            summary.num(row, "ci_high"),
            m + half,
            scale,
        );
        checked += 1;
        spread += usize::from(sd > 0.0);
    }
    assert!(
        checked >= 3 * 2 * 30,
        "only {checked} summary cells checked"
    );
    assert!(spread >= 3 * 2 * 10, "only {spread} summary cells vary");

    // compare.csv: each strategy against the first, paired by replicate.
    let compare = Table::read(&out.join("compare.csv"));
    let ranked = [
        ("final.capacity", true),
        ("post_exit.capacity", true),
        ("final.access_gap", false),
        ("post_exit.access_gap", false),
        ("final.unreached_marginalized", false),
        ("post_exit.unreached_marginalized", false),
    ];
    // No row compares the baseline with itself.
    assert_eq!(compare.rows.len(), 2 * ranked.len() * 2);
    let mut significant = [0, 0];
    let mut cells = 0;
    for point in 0..2 {
        for (outcome, higher) in ranked {
            let rows: Vec<&Vec<String>> = compare
                .rows
                .iter()
                .filter(|r| {
                    compare.get(r, "point") == point.to_string()
                        && compare.get(r, "outcome") == outcome
                })
                .collect();
            assert_eq!(rows.len(), 2, "{point} {outcome}");
            let base = &by[&("inclusive".to_string(), point, outcome.to_string())];
            let mut means = vec![(mean(base), 0)];
            for (j, row) in rows.iter().enumerate() {
                let k = j + 1;
                let st = compare.get(row, "strategy");
                assert_eq!(st, strategies[k]);
                assert_eq!(compare.get(row, "baseline"), "inclusive");
                assert_eq!(compare.get(row, "higher_is_better"), higher.to_string());
                let a = &by[&(st.to_string(), point, outcome.to_string())];
                let what = |c: &str| format!("{point} {outcome} {st} {c}");
                assert_close(&what("mean"), compare.num(row, "mean"), mean(a), 1.0);
                assert_close(
                    &what("baseline_mean"),
                    compare.num(row, "baseline_mean"),
                    mean(base),
                    1.0,
                );
                means.push((compare.num(row, "mean"), k));
                let sig = compare.get(row, "significant");
                let d: Vec<f64> = a.iter().zip(base).map(|(x, y)| x - y).collect();
                assert_eq!(compare.get(row, "n"), "10");
                let (dm, dsd) = (mean(&d), sd(&d));
                assert_close(&what("difference"), compare.num(row, "difference"), dm, 1.0);
                if dsd == 0.0 {
                    continue; // a constant difference: no spread to test
                }
                let half = T_975_DF9 * dsd / 10f64.sqrt();
                let scale = dm.abs() + half;
                let (lo, hi) = (compare.num(row, "ci_low"), compare.num(row, "ci_high"));
                assert_close(&what("ci_low"), lo, dm - half, scale);
                assert_close(&what("ci_high"), hi, dm + half, scale);
                assert_close(
                    &what("effect_size"),
                    compare.num(row, "effect_size"),
                    dm / dsd,
                    1.0,
                );
                let excludes_zero = dm - half > 0.0 || dm + half < 0.0;
                assert_eq!(sig, excludes_zero.to_string(), "{}", what("significant"));
                significant[usize::from(excludes_zero)] += 1;
                cells += 1;
            }
            // Rank 1 is the best mean: the highest capacity, the lowest gap.
            means.sort_by(|x, y| {
                let o = if higher {
                    y.0.total_cmp(&x.0)
                } else {
                    x.0.total_cmp(&y.0)
                };
                o.then(x.1.cmp(&y.1))
            });
            for (rank, (_, k)) in means.iter().enumerate() {
                // The baseline's rank is on every row of the others.
                let (row, col) = match k {
                    0 => (rows[0], "baseline_rank"),
                    k => (rows[k - 1], "rank"),
                };
                assert_eq!(
                    compare.get(row, col),
                    (rank + 1).to_string(),
                    "{point} {outcome} {}",
                    strategies[*k]
                );
                if *k == 0 {
                    assert_eq!(compare.get(rows[1], col), (rank + 1).to_string());
                }
            }
        }
    }
    assert!(cells >= 12, "only {cells} comparisons with spread");
    assert!(
        significant[0] > 0 && significant[1] > 0,
        "significance never varies: {significant:?}"
    );

    // The table on stderr: per point, strategies in rank order (on capacity after
    // exit) with compare.csv's numbers.
    let find = |point: usize, st: &str, outcome: &str| -> &Vec<String> {
        compare
            .rows
            .iter()
            .find(|r| {
                compare.get(r, "point") == point.to_string()
                    && compare.get(r, "strategy") == st
                    && compare.get(r, "outcome") == outcome
            })
            .unwrap()
    };
    let shown = [
        "post_exit.capacity",
        "final.capacity",
        "post_exit.access_gap",
        "post_exit.unreached_marginalized",
    ];
    let mut point = None;
    let mut listed: BTreeMap<usize, Vec<String>> = BTreeMap::new();
    let mut in_table = false;
    for line in stderr.lines() {
        if let Some(rest) = line.strip_prefix("point ") {
            point = Some(rest.split(':').next().unwrap().parse::<usize>().unwrap());
            in_table = false;
        } else if line.starts_with("strategy ") {
            in_table = true;
        } else if in_table && !line.trim().is_empty() && !line.starts_with('(') {
            let p = point.expect("a point header before the table");
            let st = line.split_whitespace().next().unwrap();
            for (c, outcome) in shown.iter().enumerate() {
                // The baseline's rank and mean are on the rows of the others.
                let base = st == "inclusive";
                let r = find(p, if base { strategies[1] } else { st }, outcome);
                let (mean_col, rank_col) = if base {
                    ("baseline_mean", "baseline_rank")
                } else {
                    ("mean", "rank")
                };
                let m = compare.num(r, mean_col);
                // Each cell opens with the strategy's rank on that outcome, padded
                // to the width of the largest rank.
                let rank = format!("#{:<1}", compare.get(r, rank_col));
                let cell = if base {
                    format!("{rank} {m:.3} (baseline)")
                } else {
                    format!(
                        "{rank} {m:.3} {:+.3}{} [{:+.3},{:+.3}]",
                        compare.num(r, "difference"),
                        if compare.get(r, "significant") == "true" {
                            " "
                        } else {
                            "~"
                        },
                        compare.num(r, "ci_low"),
                        compare.num(r, "ci_high")
                    )
                };
                assert!(line.contains(&cell), "column {c}: `{cell}` not in `{line}`");
            }
            listed.entry(p).or_default().push(st.to_string());
        } else {
            in_table = false;
        }
    }
    assert_eq!(listed.len(), 2, "{stderr}");
    for (p, order) in &listed {
        let mut by_rank: Vec<(usize, &str)> = strategies
            .iter()
            .map(|st| {
                let rank = if *st == "inclusive" {
                    compare.get(find(*p, strategies[1], shown[0]), "baseline_rank")
                } else {
                    compare.get(find(*p, st, shown[0]), "rank")
                };
                (rank.parse().unwrap(), *st)
            })
            .collect();
        by_rank.sort();
        let want: Vec<&str> = by_rank.iter().map(|x| x.1).collect();
        assert_eq!(order, &want, "point {p}");
    }
}

// ---------------------------------------------------------------------------------
// Determinism
// ---------------------------------------------------------------------------------

const TABLES: &[&str] = &[
    "runs.csv",
    "timeseries.csv",
    "stages.csv",
    "groups.csv",
    "failures.csv",
    "summary.csv",
    "compare.csv",
];

#[test]
fn a_sweep_is_byte_identical_across_threads_and_shards() {
    let dir = tempfile::tempdir().unwrap();
    let file = stats_scenario(dir.path());
    let f = s(&file);
    let one = dir.path().join("one");
    let two = dir.path().join("two");
    ok(&["run", f, "--out", s(&one), "-q", "--threads", "1"]);
    ok(&["run", f, "--out", s(&two), "-q", "--threads", "2"]);
    common::same_tables(&one, &two, TABLES);
    assert_eq!(Table::read(&one.join("runs.csv")).rows.len(), 60);

    let shards: Vec<PathBuf> = (0..3)
        .map(|i| dir.path().join(format!("shard{i}")))
        .collect();
    for (i, d) in shards.iter().enumerate() {
        let sh = format!("{i}/3");
        ok(&[
            "run",
            f,
            "--out",
            s(d),
            "-q",
            "--shard",
            &sh,
            "--threads",
            "2",
        ]);
        assert!(!d.join("summary.csv").exists(), "a shard wrote statistics");
    }
    let merged = dir.path().join("merged");
    let mut args = vec!["merge", "--out", s(&merged), "-q"];
    args.extend(shards.iter().map(|d| s(d)));
    ok(&args);
    common::same_tables(&one, &merged, TABLES);
}

// ---------------------------------------------------------------------------------
// plan
// ---------------------------------------------------------------------------------

#[test]
fn plan_counts_runs_estimates_cost_and_shows_the_first_runs() {
    let dir = tempfile::tempdir().unwrap();
    let file = write(
        dir.path(),
        "plan.toml",
        &format!(
            "{BASE}{TWO_STRATEGIES}
[sweep.factorial]
\"organizer.contacts_per_step\" = [3, 8]
\"organizer.push\" = [0.1, 0.3]
"
        ),
    );
    let out = Command::new(BIN)
        .args(["plan", s(&file), "--threads", "2", "--show", "6"])
        .current_dir(dir.path())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let stdout = text(&out.stdout);
    assert!(
        stdout.contains("2 strategies × 4 points × 2 replicates = 16 runs"),
        "{stdout}"
    );
    let estimate = stdout
        .lines()
        .find(|l| l.starts_with("estimate on 2 threads: "))
        .unwrap_or_else(|| panic!("no estimate in\n{stdout}"));
    assert!(
        estimate.contains(" s wall time") && estimate.contains("B of memory"),
        "{estimate}"
    );
    assert!(stdout.contains("pilot: "), "{stdout}");
    // Nothing is written.
    let entries: Vec<_> = std::fs::read_dir(dir.path()).unwrap().collect();
    assert_eq!(entries.len(), 1, "plan wrote files");

    // The first 6 runs, with the seeds the real run uses and their point values.
    let shown: Vec<&str> = stdout
        .lines()
        .skip_while(|l| *l != "first runs:")
        .skip(1)
        .collect();
    assert_eq!(shown.len(), 6, "{stdout}");
    let run_dir = dir.path().join("out");
    ok(&["run", s(&file), "--out", s(&run_dir), "-q"]);
    let runs = Table::read(&run_dir.join("runs.csv"));
    let labels = [
        "organizer.contacts_per_step=3;organizer.push=0.1",
        "organizer.contacts_per_step=3;organizer.push=0.3",
        "organizer.contacts_per_step=8;organizer.push=0.1",
    ];
    for (i, line) in shown.iter().enumerate() {
        let words: Vec<&str> = line.split_whitespace().collect();
        let row = &runs.rows[i];
        assert_eq!(words[0], format!("#{i}"), "{line}");
        assert_eq!(words[1..3], ["strategy", "inclusive"], "{line}");
        assert_eq!(words[3..5], ["point", runs.get(row, "point")], "{line}");
        assert_eq!(
            words[5..7],
            ["replicate", runs.get(row, "replicate")],
            "{line}"
        );
        assert_eq!(words[7..9], ["seed", runs.get(row, "seed")], "{line}");
        assert_eq!(words[9], labels[i / 2], "{line}");
    }

    // A bad file: exit 1 and the located diagnostic.
    let bad_text = std::fs::read_to_string(&file)
        .unwrap()
        .replace("[0.1, 0.3]", "[0.1, 1.3]");
    let bad = write(dir.path(), "bad.toml", &bad_text);
    let out = kampung(&["plan", s(&bad)]);
    assert_eq!(out.status.code(), Some(1));
    let (line, col) = position(&bad_text, "[0.1, 1.3]");
    let err = text(&out.stderr);
    assert!(
        err.contains(&format!("{}:{line}:{col}: `organizer.push`", bad.display()))
            && err.contains("1.3 is out of range"),
        "{err}"
    );
    assert!(out.stdout.is_empty());
}

// ---------------------------------------------------------------------------------
// sensitivity
// ---------------------------------------------------------------------------------

/// No organizer and no shocks: the economy alone, so `organizer.contacts_per_step`
/// and `shocks.probability` (held at 0) cannot matter, and `economy.systemic_bias`
/// drives the access gap.
const SENSITIVITY: &str = r#"[scenario]
name = "sens"
seed = 9
replicates = 2
[time]
steps = 40
[population]
households = 60
[organizer]
enabled = false
[output]
households = false
record_every = 40
[sensitivity]
method = "both"
outcomes = ["final.access_gap", "final.gini"]
samples = 8
trajectories = 4
replicates = 2
bootstrap = 50
[sensitivity.ranges]
"economy.systemic_bias" = [0.0, 0.9]
"organizer.contacts_per_step" = [1, 20]
"shocks.probability" = [0.0, 0.0]
"#;

#[test]
fn sensitivity_writes_every_index_and_separates_inert_from_influential_parameters() {
    let dir = tempfile::tempdir().unwrap();
    let file = write(dir.path(), "sens.toml", SENSITIVITY);
    let a = dir.path().join("a");
    let b = dir.path().join("b");
    let (stdout, _) = ok(&["sensitivity", s(&file), "--out", s(&a), "--threads", "1"]);
    assert!(stdout.contains("sensitivity.csv"), "{stdout}");
    ok(&[
        "sensitivity",
        s(&file),
        "--out",
        s(&b),
        "--threads",
        "2",
        "-q",
    ]);
    let bytes = std::fs::read(a.join("sensitivity.csv")).unwrap();
    assert_eq!(
        bytes,
        std::fs::read(b.join("sensitivity.csv")).unwrap(),
        "sensitivity.csv differs between two runs"
    );
    assert!(
        text(&bytes).starts_with("method,outcome,parameter,index,estimate,ci_low,ci_high,runs\n")
    );

    let t = Table::read(&a.join("sensitivity.csv"));
    let outcomes = ["final.access_gap", "final.gini"];
    let params = [
        "economy.systemic_bias",
        "organizer.contacts_per_step",
        "shocks.probability",
    ];
    let mut want = BTreeSet::new();
    for o in outcomes {
        for p in params {
            for i in ["mu", "mu_star", "sigma"] {
                want.insert(format!("morris {o} {p} {i}"));
            }
            for i in ["first", "total"] {
                want.insert(format!("sobol {o} {p} {i}"));
            }
        }
    }
    // "method outcome parameter index" → (estimate, ci_low, ci_high) as written.
    let mut est: HashMap<String, (f64, String, String)> = HashMap::new();
    for r in &t.rows {
        let key = ["method", "outcome", "parameter", "index"].map(|c| t.get(r, c));
        let cell = (
            t.num(r, "estimate"),
            t.get(r, "ci_low").to_string(),
            t.get(r, "ci_high").to_string(),
        );
        assert!(est.insert(key.join(" "), cell).is_none(), "a repeated row");
        // Every run went in: 4 trajectories × (3 + 1) rows × 2 replicates for Morris,
        // 8 samples × (3 + 2) rows × 2 replicates for Sobol.
        let runs = if t.get(r, "method") == "morris" {
            32
        } else {
            80
        };
        assert_eq!(t.get(r, "runs"), runs.to_string());
    }
    assert_eq!(est.keys().cloned().collect::<BTreeSet<_>>(), want);
    assert_eq!(t.rows.len(), 2 * 3 * 5);

    let e = |m: &str, o: &str, p: &str, i: &str| est[&format!("{m} {o} {p} {i}")].clone();
    for o in outcomes {
        let (strong, lo, hi) = e("morris", o, "economy.systemic_bias", "mu_star");
        assert!(strong > 0.0, "{o}: μ* of systemic_bias is {strong}");
        let (lo, hi): (f64, f64) = (lo.parse().unwrap(), hi.parse().unwrap());
        assert!(lo <= hi && lo > 0.0, "{o}: μ* interval [{lo}, {hi}]");
        for p in ["organizer.contacts_per_step", "shocks.probability"] {
            for i in ["mu", "mu_star", "sigma"] {
                let (x, _, _) = e("morris", o, p, i);
                assert!(
                    x.abs() < 1e-12 && x.abs() * 1e6 < strong,
                    "{o} {p} {i} = {x}"
                );
            }
            for i in ["first", "total"] {
                let (x, _, _) = e("sobol", o, p, i);
                assert!(x.abs() < 1e-12, "{o} {p} Sobol {i} = {x}");
            }
        }
        let (total, _, _) = e("sobol", o, "economy.systemic_bias", "total");
        assert!(total > 0.5, "{o}: total index of systemic_bias is {total}");
        // Only mu_star and the Sobol indices have intervals.
        for i in ["mu", "sigma"] {
            let (_, lo, hi) = e("morris", o, "economy.systemic_bias", i);
            assert_eq!((lo.as_str(), hi.as_str()), ("NA", "NA"));
        }
    }
    let (gap, _, _) = e(
        "morris",
        "final.access_gap",
        "economy.systemic_bias",
        "mu_star",
    );
    assert!(
        gap > 0.1,
        "μ* of systemic_bias on the access gap is only {gap}"
    );
}

#[test]
fn bad_sensitivity_tables_are_located_errors() {
    let dir = tempfile::tempdir().unwrap();
    let check = |name: &str, t: &str, needle: &str, parts: &[&str]| {
        let f = write(dir.path(), name, t);
        let out_dir = dir.path().join(format!("{name}.out"));
        for args in [
            vec!["validate", s(&f)],
            vec!["sensitivity", s(&f), "--out", s(&out_dir), "-q"],
        ] {
            let out = kampung(&args);
            let err = text(&out.stderr);
            assert_eq!(out.status.code(), Some(1), "{args:?}: {err}");
            assert!(!err.contains("panicked"), "{err}");
            let (line, col) = position(t, needle);
            let l = at(&err, &f, (line, col));
            for p in parts {
                assert!(l.iter().any(|x| x.contains(p)), "`{p}` not in\n{err}");
            }
        }
        assert!(!out_dir.exists(), "a rejected analysis made its folder");
    };
    let outcomes = "outcomes = [\"final.access_gap\", \"final.gini\"]";
    check(
        "outcome.toml",
        &SENSITIVITY.replace(outcomes, "outcomes = [\"final.acess_gap\"]"),
        "\"final.acess_gap\"",
        &[
            "`sensitivity.outcomes[0]`",
            "unknown outcome `final.acess_gap`; did you mean `final.access_gap`?",
            "(allowed: final.X or post_exit.X",
        ],
    );
    let no_ranges = SENSITIVITY.split("[sensitivity.ranges]").next().unwrap();
    let f = write(dir.path(), "none.toml", no_ranges);
    let out = kampung(&["validate", s(&f)]);
    assert_eq!(out.status.code(), Some(1));
    let err = text(&out.stderr);
    let line = no_ranges
        .lines()
        .position(|l| l == "[sensitivity]")
        .unwrap()
        + 1;
    assert!(
        err.contains(&format!("{}:{line}:", f.display()))
            && err.contains("`sensitivity.ranges`: no ranges to analyse"),
        "{err}"
    );
    // A range over a parameter that does not exist, or beyond what the parameter
    // allows, and a strategy that does not exist are found before any run.
    check(
        "path.toml",
        &SENSITIVITY.replace(
            "\"organizer.contacts_per_step\" = [1, 20]",
            "\"organizer.contact_per_step\" = [1, 20]",
        ),
        "[1, 20]",
        &["unknown key `contact_per_step`; did you mean `contacts_per_step`?"],
    );
    check(
        "beyond.toml",
        &SENSITIVITY.replace("[0.0, 0.9]", "[0.0, 1.5]"),
        "[0.0, 1.5]",
        &[
            "`economy.systemic_bias`",
            "1.5 is out of range",
            "(allowed: a number in [0, 1])",
        ],
    );
    check(
        "strategy.toml",
        &SENSITIVITY.replace(
            "method = \"both\"",
            "method = \"both\"\nstrategy = \"basline\"",
        ),
        "\"basline\"",
        &[
            "`sensitivity.strategy`",
            "no strategy `basline`; did you mean `baseline`?",
        ],
    );
}

// ---------------------------------------------------------------------------------
// Progress
// ---------------------------------------------------------------------------------

#[test]
fn progress_lines_when_stderr_is_not_a_terminal_and_none_when_quiet() {
    let dir = tempfile::tempdir().unwrap();
    let base = BASE.replace("replicates = 2", "replicates = 5");
    let file = write(
        dir.path(),
        "p.toml",
        &format!(
            "{base}{TWO_STRATEGIES}\n[sweep.factorial]\n\"organizer.push\" = [0.1, 0.2, 0.3]\n"
        ),
    );
    // 2 × 3 × 5 = 30 runs: a line every 3 runs.
    let (_, stderr) = ok(&[
        "run",
        s(&file),
        "--out",
        s(&dir.path().join("a")),
        "-j",
        "2",
    ]);
    let mut done = Vec::new();
    for line in stderr.lines().filter(|l| l.contains(" runs done")) {
        let rest = line.strip_prefix("  ").expect("indented");
        let (count, rest) = rest.split_once(" runs done (").unwrap();
        let (k, total) = count.split_once('/').unwrap();
        assert_eq!(total, "30", "{line}");
        let (rate, eta) = rest
            .split_once(" runs/s, ETA ")
            .unwrap_or_else(|| panic!("{line}"));
        assert!(rate.parse::<f64>().unwrap() > 0.0, "{line}");
        assert!(
            eta.ends_with(" s)") || eta.ends_with(" min)") || eta.ends_with(" h)"),
            "{line}"
        );
        done.push(k.parse::<usize>().unwrap());
    }
    // Two threads may print their lines out of order.
    done.sort_unstable();
    assert_eq!(
        done,
        (1..=10).map(|i| 3 * i).collect::<Vec<_>>(),
        "{stderr}"
    );

    let out = kampung(&[
        "run",
        s(&file),
        "--out",
        s(&dir.path().join("q")),
        "-j",
        "2",
        "--quiet",
    ]);
    assert!(out.status.success());
    assert_eq!(text(&out.stderr), "", "--quiet printed to stderr");
    assert!(text(&out.stdout).starts_with("results written to "));
}

/// Every column name of every table is a syntactic name in R (letters, digits, `_`
/// and `.`, starting with a letter: `make.names` leaves it alone, so `read.csv`
/// keeps it and a formula takes it unquoted); the 30-odd parameters of the groups
/// are `param.population.groups.0.name`, not `...groups[0].name`. Each varied
/// parameter has its `point.PATH` column in `summary.csv`, `compare.csv` and
/// `failures.csv`; the manifest says what a step is.
#[test]
fn column_names_need_no_quoting_and_the_manifest_names_the_step() {
    let dir = tempfile::tempdir().unwrap();
    let file = stats_scenario(dir.path());
    let out = dir.path().join("out");
    ok(&["run", s(&file), "--out", s(&out), "-q"]);
    let syntactic = |n: &str| {
        n.chars().next().is_some_and(|c| c.is_ascii_alphabetic())
            && n.chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '.')
    };
    for t in TABLES {
        let h = Table::read(&out.join(t)).header;
        let bad: Vec<&String> = h.iter().filter(|n| !syntactic(n)).collect();
        assert!(bad.is_empty(), "{t}: {bad:?}");
    }
    let runs = Table::read(&out.join("runs.csv"));
    let groups: Vec<&String> = runs
        .header
        .iter()
        .filter(|h| h.starts_with("param.population.groups."))
        .collect();
    assert!(groups.len() >= 20, "{groups:?}");
    assert!(
        runs.header
            .iter()
            .any(|h| h == "param.population.groups.0.name")
    );
    for t in ["summary.csv", "compare.csv", "failures.csv"] {
        let h = Table::read(&out.join(t)).header;
        let points: Vec<&String> = h.iter().filter(|c| c.starts_with("point.")).collect();
        assert_eq!(points, ["point.organizer.contacts_per_step"], "{t}");
    }
    let m: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("manifest.json")).unwrap()).unwrap();
    assert_eq!(m["time_unit"], "week");
}

/// `plan` estimates each table's size on disk. On a small sweep whose points change
/// the number of households (so the rows a run writes differ from point to point),
/// every estimate of a file of more than 5 kB (all but `failures.csv`) is within a
/// factor of 1.5 of the size `run` then writes, and so is the total (when written,
/// the worst was 14% off: summary.csv's numbers are not all 18 bytes). It says how
/// it estimated.
#[test]
fn plan_estimates_each_file_within_a_factor_of_one_and_a_half() {
    let dir = tempfile::tempdir().unwrap();
    let file = write(
        dir.path(),
        "disk.toml",
        r#"[scenario]
name = "disk"
seed = 4
replicates = 3
[time]
steps = 90
[organizer]
exit_step = 50
[output]
record_every = 3
household_steps = [0, 30]
post_exit_horizon = 20
[strategies.inclusive]
[strategies.top_down]
organizer.facilitation = "top_down"
[sweep.factorial]
"population.households" = [60, 150]
"organizer.contacts_per_step" = [3, 8]
"#,
    );
    let (plan, _) = ok(&["plan", s(&file)]);
    assert!(
        plan.contains(
            "rows counted from the scenario × bytes a row measured on the pilot runs' rows"
        ),
        "{plan}"
    );
    let bytes = |text: &str| -> f64 {
        let (n, unit) = text.trim().split_once(' ').unwrap();
        let n: f64 = n.parse().unwrap();
        n * match unit {
            "kB" => 1e3,
            "MB" => 1e6,
            "GB" => 1e9,
            u => panic!("unit {u}"),
        }
    };
    let mut estimates = BTreeMap::new();
    for line in plan.lines() {
        let line = line.trim();
        if let Some((name, rest)) = line.split_once(".csv")
            && let Some((_, size)) = rest.split_once(" a row = ")
        {
            let size = size.split("  (").next().unwrap();
            estimates.insert(format!("{name}.csv"), bytes(size));
        }
    }
    let out = dir.path().join("out");
    ok(&["run", s(&file), "--out", s(&out), "-q"]);
    let mut checked = 0;
    let (mut est_total, mut real_total) = (0.0, 0.0);
    for f in [
        "timeseries.csv",
        "runs.csv",
        "stages.csv",
        "groups.csv",
        "households.csv",
        "failures.csv",
        "summary.csv",
        "compare.csv",
    ] {
        let est = *estimates
            .get(f)
            .unwrap_or_else(|| panic!("no estimate of {f}: {plan}"));
        let real = std::fs::metadata(out.join(f)).unwrap().len() as f64;
        est_total += est;
        real_total += real;
        if real > 5e3 {
            let ratio = est / real;
            assert!(
                (1.0 / 1.5..=1.5).contains(&ratio),
                "{f}: estimated {est}, wrote {real} ({ratio:.2})"
            );
            checked += 1;
        }
    }
    assert_eq!(checked, 7, "files checked");
    let ratio = est_total / real_total;
    assert!((1.0 / 1.5..=1.5).contains(&ratio), "total {ratio:.2}");
}

/// A design of many points prints a short table, not one per point: how often each
/// strategy differs from the baseline, each way, and the ten largest differences in
/// capacity after exit (those of compare.csv), then how many rows it leaves to the
/// files.
#[test]
fn a_design_of_many_points_prints_a_capped_table() {
    let dir = tempfile::tempdir().unwrap();
    let file = write(
        dir.path(),
        "many.toml",
        r#"[scenario]
name = "many"
seed = 8
replicates = 3
[time]
steps = 50
[population]
households = 60
[organizer]
exit_step = 30
[output]
households = false
groups = false
record_every = 10
post_exit_horizon = 10
[strategies.inclusive]
[strategies.top_down]
organizer.facilitation = "top_down"
[sweep.lhs]
points = 30
[sweep.lhs.ranges]
"economy.systemic_bias" = [0.2, 0.8]
"organizer.contacts_per_step" = [2, 12]
"#,
    );
    let out = dir.path().join("out");
    let (_, stderr) = ok(&["run", s(&file), "--out", s(&out)]);
    let table: Vec<&str> = stderr
        .lines()
        .skip_while(|l| !l.starts_with("30 design points"))
        .collect();
    assert!(table.len() < 25, "{stderr}");
    assert!(
        !stderr.contains("\npoint 0:"),
        "one table per point: {stderr}"
    );
    let compare = Table::read(&out.join("compare.csv"));
    let cap: Vec<&Vec<String>> = compare
        .rows
        .iter()
        .filter(|r| compare.get(r, "outcome") == "post_exit.capacity")
        .collect();
    assert_eq!(cap.len(), 30);
    let sig = cap
        .iter()
        .filter(|r| compare.get(r, "significant") == "true")
        .count();
    assert!(
        stderr.contains(&format!(
            "capacity after exit    significant at {sig:>4} of 30 points"
        )),
        "{stderr}"
    );
    let mut by_size: Vec<(f64, String)> = cap
        .iter()
        .map(|r| {
            (
                compare.num(r, "difference").abs(),
                compare.get(r, "point").to_string(),
            )
        })
        .collect();
    by_size.sort_by(|a, b| b.0.total_cmp(&a.0));
    let listed: Vec<String> = stderr
        .lines()
        .filter_map(|l| l.trim_start().strip_prefix('#'))
        .map(|l| l.split_whitespace().next().unwrap().to_string())
        .collect();
    let want: Vec<String> = by_size.iter().take(10).map(|x| x.1.clone()).collect();
    assert_eq!(listed, want, "{stderr}");
    assert!(
        stderr.contains("… 20 more rows of capacity after exit in compare.csv"),
        "{stderr}"
    );
}

fn sobol_row(
    parameter: &str,
    index: &'static str,
    estimate: f64,
    ci: (f64, f64),
) -> kampung::experiment::analysis::SensitivityRow {
    kampung::experiment::analysis::SensitivityRow {
        method: "sobol",
        outcome: "post_exit.capacity".into(),
        parameter: parameter.into(),
        index,
        estimate,
        ci,
        runs: 100,
    }
}

/// The convergence check flags exactly: an index outside [0, 1] with all of its
/// interval outside too; a first-order index above its total by more than 0.01; an
/// interval wider than 0.25. Converged-looking rows give no warning, and Morris rows
/// are not checked.
#[test]
fn the_convergence_check_flags_what_it_says_and_nothing_else() {
    use kampung::experiment::analysis::convergence;
    let clean = vec![
        sobol_row("a", "first", 0.30, (0.25, 0.36)),
        sobol_row("a", "total", 0.305, (0.27, 0.34)),
        // Noise about 0 for an inert parameter, first a hair above total.
        sobol_row("b", "first", -0.01, (-0.05, 0.03)),
        sobol_row("b", "total", -0.015, (-0.02, 0.01)),
        // A total of 1.05 whose interval reaches back into [0, 1].
        sobol_row("c", "total", 1.05, (0.95, 1.15)),
    ];
    assert_eq!(convergence(&clean), vec![]);
    let bad = vec![
        sobol_row("x", "first", 0.90, (0.80, 1.00)),
        sobol_row("x", "total", 1.13, (1.02, 1.20)),
        sobol_row("y", "first", 0.52, (0.23, 0.86)),
        sobol_row("y", "total", 0.40, (0.35, 0.45)),
    ];
    let w = convergence(&bad);
    let got: Vec<(String, String)> = w
        .iter()
        .map(|w| (w.parameter.clone(), w.index.clone()))
        .collect();
    assert_eq!(
        got,
        [
            ("x", "total"),         // all of [1.02, 1.30] above 1
            ("y", "first"),         // 0.63 wide
            ("y", "first > total"), // 0.52 > 0.40
        ]
        .map(|(a, b)| (a.to_string(), b.to_string()))
    );
    assert!(w[0].problem.contains("outside [0, 1]"), "{}", w[0].problem);
    assert!(w[1].problem.contains("0.630 wide"), "{}", w[1].problem);
    let mut morris = sobol_row("z", "mu_star", 5.0, (-3.0, 9.0));
    morris.method = "morris";
    assert_eq!(convergence(&[morris]), vec![]);
}

/// `sensitivity` prints the convergence warnings of its own indices in the terminal:
/// one line per sign the check finds in sensitivity.csv.
#[test]
fn sensitivity_prints_its_convergence_warnings() {
    let dir = tempfile::tempdir().unwrap();
    let file = write(dir.path(), "sens.toml", SENSITIVITY);
    let out = dir.path().join("a");
    let (_, stderr) = ok(&["sensitivity", s(&file), "--out", s(&out)]);
    let t = Table::read(&out.join("sensitivity.csv"));
    let rows: Vec<kampung::experiment::analysis::SensitivityRow> = t
        .rows
        .iter()
        .filter(|r| t.get(r, "method") == "sobol")
        .map(|r| {
            let index = if t.get(r, "index") == "first" {
                "first"
            } else {
                "total"
            };
            let mut x = sobol_row(
                t.get(r, "parameter"),
                index,
                t.num(r, "estimate"),
                (t.num(r, "ci_low"), t.num(r, "ci_high")),
            );
            x.outcome = t.get(r, "outcome").to_string();
            x
        })
        .collect();
    let w = kampung::experiment::analysis::convergence(&rows);
    assert!(
        !w.is_empty(),
        "the small example should not have converged: {stderr}"
    );
    assert!(
        stderr.contains(&format!(
            "warning: the Sobol estimates have not converged ({} signs)",
            w.len()
        )),
        "{stderr}"
    );
    for x in w.iter().take(12) {
        assert!(
            stderr.contains(&format!("  {} · {}: {}", x.outcome, x.parameter, x.problem)),
            "{x:?} not in {stderr}"
        );
    }
}
