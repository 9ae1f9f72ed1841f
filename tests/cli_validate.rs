//! `kampung validate` on bad scenario files, through the real binary.
//!
//! What this shows (issue 2, item 2): every kind of bad input — malformed TOML, wrong
//! types, out-of-range values, unknown keys at every level (top level, in a table, in a
//! strategy override, in a distribution's inline table), an unknown network model,
//! missing files, empty files, a folder, random bytes, invalid UTF-8 — makes
//! `validate` exit non-zero with an error on stderr that names the file, the line and
//! column (checked exactly for many cases), the key and what is allowed, suggesting
//! the nearest valid key or value when one is close; and the program never panics.
//! A property test then feeds 2000 byte-level mutations (deletions, insertions, bit
//! flips, tokens, duplicated slices) of the shipped scenario files to
//! [`kampung::Scenario::from_text`], and 60 mutations of `scenarios/village.toml` to
//! the binary: none may panic, each either parses or yields located diagnostics, and
//! each one that parses also builds its villages and steps without panicking.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

const BIN: &str = env!("CARGO_BIN_EXE_kampung");

fn village_text() -> String {
    std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/village.toml"))
        .expect("scenarios/village.toml is shipped")
}

fn validate(files: &[&Path]) -> Output {
    Command::new(BIN)
        .arg("validate")
        .args(files)
        .output()
        .expect("the kampung binary starts")
}

/// Writes `bytes` to `name` in a fresh temporary folder.
fn write_tmp(name: &str, bytes: &[u8]) -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(name);
    std::fs::write(&path, bytes).unwrap();
    (dir, path)
}

/// Runs `validate` on `text` and returns stderr, after checking what every failure
/// must show: non-zero exit, the file named, no panic.
fn rejected(text: &[u8]) -> (String, PathBuf, tempfile::TempDir) {
    let (dir, path) = write_tmp("bad.toml", text);
    let out = validate(&[&path]);
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(
        !out.status.success(),
        "validate accepted:\n{}\nstdout: {}",
        String::from_utf8_lossy(text),
        String::from_utf8_lossy(&out.stdout)
    );
    assert!(!stderr.contains("panicked"), "panic:\n{stderr}");
    assert!(
        stderr.contains(&path.display().to_string()),
        "file not named:\n{stderr}"
    );
    (stderr, path, dir)
}

/// One expected diagnostic: where, which key, and fragments of the message and of
/// the allowed values.
struct Expect<'a> {
    line: usize,
    col: usize,
    key: &'a str,
    message: &'a str,
    allowed: &'a str,
}

fn expect_error(text: &str, e: Expect<'_>) -> String {
    let (stderr, path, _dir) = rejected(text.as_bytes());
    let at = format!("{}:{}:{}: `{}`:", path.display(), e.line, e.col, e.key);
    let line = stderr
        .lines()
        .find(|l| l.contains(&at))
        .unwrap_or_else(|| panic!("no error at `{at}` for\n{text}\nstderr:\n{stderr}"));
    assert!(
        line.contains(e.message),
        "message lacks `{}`: {line}",
        e.message
    );
    let allowed = line
        .split_once("(allowed: ")
        .unwrap_or_else(|| panic!("no allowed values: {line}"))
        .1;
    assert!(
        allowed.contains(e.allowed),
        "allowed lacks `{}`: {line}",
        e.allowed
    );
    stderr
}

#[test]
fn malformed_toml_is_located() {
    // Unclosed array: reported where the parser gave up, on the array's line.
    expect_error_whole(
        "[scenario]\nname = \"x\"\nreplicates = [1, 2\n",
        3,
        "not valid TOML",
    );
    // A key without a value.
    expect_error_whole("[scenario]\nreplicates\n", 2, "not valid TOML");
    // A duplicate key: the second occurrence, line 3 column 1.
    let (stderr, path, _d) = rejected(b"[scenario]\nreplicates = 2\nreplicates = 3\n");
    assert!(
        stderr.contains(&format!(
            "{}:3:1: not valid TOML: duplicate key",
            path.display()
        )),
        "{stderr}"
    );
    // An unterminated table header.
    expect_error_whole("[scenario\nreplicates = 2\n", 1, "not valid TOML");
    // Every TOML error says what is allowed.
    let (stderr, _, _d) = rejected(b"= 3\n");
    assert!(stderr.contains("allowed: TOML syntax"), "{stderr}");
}

/// A syntax error on `line` (column unchecked: the parser decides it).
fn expect_error_whole(text: &str, line: usize, message: &str) {
    let (stderr, path, _d) = rejected(text.as_bytes());
    let at = format!("{}:{line}:", path.display());
    assert!(
        stderr
            .lines()
            .any(|l| l.contains(&at) && l.contains(message)),
        "expected `{at}` … `{message}` for\n{text}\nstderr:\n{stderr}"
    );
}

#[test]
fn wrong_types_are_located_with_what_is_allowed() {
    expect_error(
        "[economy]\nsystemic_bias = \"high\"\n",
        Expect {
            line: 2,
            col: 17,
            key: "economy.systemic_bias",
            message: "wrong type: found string \"high\"",
            allowed: "a number",
        },
    );
    expect_error(
        "[scenario]\nreplicates = \"two\"\n",
        Expect {
            line: 2,
            col: 14,
            key: "scenario.replicates",
            message: "wrong type",
            allowed: "a whole number",
        },
    );
    expect_error(
        "[time]\nsteps = 1.5\n",
        Expect {
            line: 2,
            col: 9,
            key: "time.steps",
            message: "wrong type: found floating point `1.5`",
            allowed: "a whole number",
        },
    );
    expect_error(
        "[time]\nsteps = -3\n",
        Expect {
            line: 2,
            col: 9,
            key: "time.steps",
            message: "invalid value: integer `-3`",
            allowed: "a whole number",
        },
    );
    expect_error(
        "[economy]\nenabled = 1\n",
        Expect {
            line: 2,
            col: 11,
            key: "economy.enabled",
            message: "wrong type",
            allowed: "true or false",
        },
    );
    expect_error(
        "[population]\nissues = \"land\"\n",
        Expect {
            line: 2,
            col: 10,
            key: "population.issues",
            message: "wrong type",
            allowed: "a list",
        },
    );
    expect_error(
        "[population]\nthreshold = 0.3\n",
        Expect {
            line: 2,
            col: 13,
            key: "population.threshold",
            message: "wrong type",
            allowed: "dist = ",
        },
    );
    expect_error(
        "[strategies.a]\ndescription = 3\n",
        Expect {
            line: 2,
            col: 15,
            key: "strategies.a.description",
            message: "wrong type",
            allowed: "a string",
        },
    );
    expect_error(
        "[time]\nstep = \"year\"\n",
        Expect {
            line: 2,
            col: 8,
            key: "time.step",
            message: "unknown value `year`",
            allowed: "`week`",
        },
    );
}

#[test]
fn out_of_range_values_are_located() {
    expect_error(
        "[economy]\nsystemic_bias = 1.5\n",
        Expect {
            line: 2,
            col: 17,
            key: "economy.systemic_bias",
            message: "1.5 is out of range",
            allowed: "a number in [0, 1]",
        },
    );
    expect_error(
        "[scenario]\nname = \"r\"\nreplicates = 0\n",
        Expect {
            line: 3,
            col: 14,
            key: "scenario.replicates",
            message: "0 is out of range",
            allowed: "[1, 1000000]",
        },
    );
    // A log-normal with a negative median: the error points at the median itself.
    let group = "[[population.groups]]\nname = \"a\"\nshare = 1\n";
    expect_error(
        &format!("{group}resources = {{ dist = \"lognormal\", median = -2.0, sigma = 0.3 }}\n"),
        Expect {
            line: 4,
            col: 44,
            key: "population.groups[0].resources.median",
            message: "invalid distribution parameter",
            allowed: "a number > 0",
        },
    );
    // Three issues by default, two weights.
    expect_error(
        &format!("{group}issue_weights = [1.0, 2.0]\n"),
        Expect {
            line: 4,
            col: 17,
            key: "population.groups[0].issue_weights",
            message: "2 weights for 3 issues",
            allowed: "one weight per entry of population.issues",
        },
    );
    expect_error(
        "[time]\nsteps = 0\n",
        Expect {
            line: 2,
            col: 9,
            key: "time.steps",
            message: "0 is out of range",
            allowed: "[1, 10000000]",
        },
    );
    expect_error(
        "[network]\nmodel = \"watts_strogatz\"\nk = 3\n",
        Expect {
            line: 3,
            col: 5,
            key: "network.k",
            message: "3 is not allowed",
            allowed: "an even whole number",
        },
    );
    expect_error(
        "[population]\nhouseholds = 10\n[participation]\nseed_ids = [3, 12]\n",
        Expect {
            line: 4,
            col: 16,
            key: "participation.seed_ids[1]",
            message: "no household 12",
            allowed: "0..10",
        },
    );
    expect_error(
        "[shocks]\nprobability = nan\n",
        Expect {
            line: 2,
            col: 15,
            key: "shocks.probability",
            message: "NaN is out of range",
            allowed: "[0, 1]",
        },
    );
    // A base value out of range is reported for the strategy that inherits it, at the
    // base key; an override out of range at the override.
    let stderr = expect_error(
        "[economy]\nsystemic_bias = 2\n[strategies.a]\n[strategies.b.economy]\nsystemic_bias = 3\n",
        Expect {
            line: 5,
            col: 17,
            key: "strategies.b.economy.systemic_bias",
            message: "3 is out of range",
            allowed: "[0, 1]",
        },
    );
    assert!(
        stderr
            .lines()
            .any(|l| l.contains(":2:17: `economy.systemic_bias`")
                && l.contains("for strategy `strategies.a`")),
        "{stderr}"
    );
}

#[test]
fn unknown_keys_everywhere_suggest_the_nearest() {
    // Top level.
    expect_error(
        "[scenari]\nname = \"x\"\n",
        Expect {
            line: 1,
            col: 2,
            key: "scenari",
            message: "unknown key `scenari`; did you mean `scenario`?",
            allowed: "`network`",
        },
    );
    // In a table.
    expect_error(
        "[scenario]\nname = \"x\"\nsead = 3\n",
        Expect {
            line: 3,
            col: 1,
            key: "scenario.sead",
            message: "unknown key `sead`; did you mean `seed`?",
            allowed: "`replicates`",
        },
    );
    expect_error(
        "[network]\nmodel = \"sbm\"\nhomophly = 0.5\n",
        Expect {
            line: 3,
            col: 1,
            key: "network.homophly",
            message: "unknown key `homophly`; did you mean `homophily`?",
            allowed: "`mean_degree`, `homophily`",
        },
    );
    expect_error(
        "[[population.groups]]\nname = \"a\"\nshares = 1\n",
        Expect {
            line: 3,
            col: 1,
            key: "population.groups[0].shares",
            message: "did you mean `share`?",
            allowed: "`marginalized`",
        },
    );
    // A strategy's own keys.
    expect_error(
        "[strategies.a]\necnomy = { systemic_bias = 0.1 }\n",
        Expect {
            line: 2,
            col: 1,
            key: "strategies.a.ecnomy",
            message: "did you mean `economy`?",
            allowed: "`description`",
        },
    );
    // Inside a strategy's override table.
    expect_error(
        "[strategies.c.economy]\nsistemic_bias = 0.2\n",
        Expect {
            line: 2,
            col: 1,
            key: "strategies.c.economy.sistemic_bias",
            message: "did you mean `systemic_bias`?",
            allowed: "`elite_capture`",
        },
    );
    expect_error(
        "[strategies.a]\nnetwork = { model = \"sbm\", homophly = 0.3 }\n",
        Expect {
            line: 2,
            col: 28,
            key: "strategies.a.network.homophly",
            message: "did you mean `homophily`?",
            allowed: "`homophily`",
        },
    );
    // In a distribution's inline table.
    expect_error(
        "[population]\nthreshold = { dist = \"normal\", mean = 0.3, sdd = 0.1 }\n",
        Expect {
            line: 2,
            col: 44,
            key: "population.threshold.sdd",
            message: "unknown key `sdd`; did you mean `sd`?",
            allowed: "`mean`, `sd`",
        },
    );
    expect_error(
        "[strategies.a.population]\nthreshold = { dist = \"normal\", mean = 0.3, sdd = 0.1 }\n",
        Expect {
            line: 2,
            col: 44,
            key: "strategies.a.population.threshold.sdd",
            message: "did you mean `sd`?",
            allowed: "`sd`",
        },
    );
    // Far from every valid key: no suggestion, but the allowed keys still listed.
    let stderr = expect_error(
        "[economy]\nzzzzzzzzzz = 1\n",
        Expect {
            line: 2,
            col: 1,
            key: "economy.zzzzzzzzzz",
            message: "unknown key `zzzzzzzzzz`",
            allowed: "`systemic_bias`",
        },
    );
    assert!(!stderr.contains("did you mean"), "{stderr}");
}

#[test]
fn unknown_model_and_distribution_names_suggest_the_nearest() {
    expect_error(
        "[network]\nmodel = \"watts_strogatts\"\n",
        Expect {
            line: 2,
            col: 9,
            key: "network.model",
            message: "unknown value `watts_strogatts`; did you mean `watts_strogatz`?",
            allowed: "`sbm`, `watts_strogatz`, `erdos_renyi`, `barabasi_albert`, `edge_list`",
        },
    );
    expect_error(
        "[strategies.er]\nnetwork = { model = \"erdos_reny\" }\n",
        Expect {
            line: 2,
            col: 21,
            key: "strategies.er.network.model",
            message: "did you mean `erdos_renyi`?",
            allowed: "`erdos_renyi`",
        },
    );
    expect_error(
        "[population]\nthreshold = { dist = \"gamma\", k = 2 }\n",
        Expect {
            line: 2,
            col: 22,
            key: "population.threshold.dist",
            message: "unknown value `gamma`",
            allowed: "`lognormal`, `beta`",
        },
    );
    expect_error(
        "[network]\nmodel = \"edge_list\"\n",
        Expect {
            line: 1,
            col: 1,
            key: "network.path",
            message: "missing key `path`",
            allowed: "path = ",
        },
    );
}

#[test]
fn a_file_without_replicates_or_scenario_table_is_valid() {
    // Defaults fill everything in; one replicate when none is given.
    let (_d, path) = write_tmp("minimal.toml", b"[time]\nsteps = 3\n");
    let out = validate(&[&path]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        stdout.contains(": ok")
            && stdout.contains("1 strategy ×")
            && stdout.contains("× 1 replicate "),
        "{stdout}"
    );
}

#[test]
fn missing_empty_folder_and_junk_files_are_refused_by_name() {
    let dir = tempfile::tempdir().unwrap();
    let check = |path: &Path, what: &str| {
        let out = validate(&[path]);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(!out.status.success(), "{} accepted", path.display());
        assert!(!stderr.contains("panicked"), "{stderr}");
        assert!(
            stderr.contains(&path.display().to_string()) && stderr.contains(what),
            "expected `{what}` about {}:\n{stderr}",
            path.display()
        );
    };
    check(&dir.path().join("no-such-file.toml"), "cannot read");
    let empty = dir.path().join("empty.toml");
    std::fs::write(&empty, b"").unwrap();
    check(&empty, "the file sets nothing");
    let comments = dir.path().join("comments.toml");
    std::fs::write(&comments, b"# nothing here\n\n   \n").unwrap();
    check(&comments, "the file sets nothing");
    check(dir.path(), "is a folder");

    // Invalid UTF-8 in the middle of a line: located at the bad byte.
    let bad = dir.path().join("latin1.toml");
    std::fs::write(&bad, b"[scenario]\nname = \"caf\xe9\"\n").unwrap();
    check(&bad, "not UTF-8");
    let stderr = String::from_utf8_lossy(&validate(&[&bad]).stderr).into_owned();
    assert!(
        stderr.contains(&format!("{}:2:12:", bad.display())),
        "{stderr}"
    );

    // Random bytes, many times over; NUL bytes and control characters too.
    let mut x = 0x9e37_79b9_7f4a_7c15_u64;
    for k in 0..20 {
        let len = 1 + (k * 97) % 4000;
        let bytes: Vec<u8> = (0..len)
            .map(|_| {
                x = splitmix(x);
                (x >> 56) as u8
            })
            .collect();
        let junk = dir.path().join(format!("junk{k}.toml"));
        std::fs::write(&junk, &bytes).unwrap();
        let out = validate(&[&junk]);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(!out.status.success(), "junk {k} accepted");
        assert!(!stderr.contains("panicked"), "{stderr}");
        assert!(stderr.contains(&junk.display().to_string()), "{stderr}");
    }
    let ctl = dir.path().join("control.toml");
    std::fs::write(&ctl, b"[scenario]\nname = \"ok\"\n\x00\x01\x02\n").unwrap();
    check(&ctl, "not valid TOML");
}

#[test]
fn several_files_report_each_and_fail_if_any_fails() {
    let dir = tempfile::tempdir().unwrap();
    let good = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/village.toml");
    let bad = dir.path().join("bad.toml");
    std::fs::write(&bad, "[economy]\nsystemic_bias = 7\n").unwrap();
    let missing = dir.path().join("missing.toml");
    let out = validate(&[&good, &bad, &missing]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success());
    assert!(stdout.contains("village.toml: ok"), "{stdout}");
    assert!(
        stderr.contains(&format!("{}:2:17:", bad.display())),
        "{stderr}"
    );
    assert!(stderr.contains(&missing.display().to_string()), "{stderr}");
    // And the good file alone passes.
    assert!(validate(&[&good]).status.success());
}

fn splitmix(mut z: u64) -> u64 {
    z = z.wrapping_add(0x9e37_79b9_7f4a_7c15);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// A small deterministic generator for the mutations.
struct Gen(u64);

impl Gen {
    fn next(&mut self) -> u64 {
        self.0 = splitmix(self.0);
        self.0
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

/// Fragments that steer mutations towards the parser's and checker's edges.
const TOKENS: &[&str] = &[
    "\"",
    "'",
    "[",
    "]",
    "[[",
    "]]",
    "{",
    "}",
    "=",
    ",",
    ".",
    "#",
    "\n",
    "\\",
    "-",
    "+",
    "0",
    "-1",
    "1e400",
    "nan",
    "inf",
    "-inf",
    "true",
    "\"\"",
    "[]",
    "{}",
    "é",
    "\u{0}",
    "🙂",
    "18446744073709551616",
    "4294967296",
    "0.0",
    "\"x\"",
    "dist",
    "model",
    "edge_list",
    "households_csv",
    "strategies",
    "[strategies.s]",
    "[[population.groups]]",
    "\"\"\"",
    "'''",
    "0x1F",
    "1979-05-27",
];

fn mutate(base: &[u8], g: &mut Gen) -> Vec<u8> {
    let mut b = base.to_vec();
    let edits = 1 + g.below(4);
    for _ in 0..edits {
        let at = g.below(b.len() + 1);
        match g.below(6) {
            // Delete a run of bytes.
            0 => {
                let len = 1 + g.below(40);
                let end = (at + len).min(b.len());
                b.drain(at..end);
            }
            // Insert random bytes.
            1 => {
                let len = 1 + g.below(4);
                for _ in 0..len {
                    let byte = g.next() as u8;
                    b.insert(at.min(b.len()), byte);
                }
            }
            // Flip bits of one byte.
            2 => {
                if !b.is_empty() {
                    let i = at.min(b.len() - 1);
                    b[i] ^= 1 << g.below(8);
                }
            }
            // Replace a byte with a printable ASCII one.
            3 => {
                if !b.is_empty() {
                    let i = at.min(b.len() - 1);
                    b[i] = b' ' + g.below(95) as u8;
                }
            }
            // Insert a token.
            4 => {
                let t = TOKENS[g.below(TOKENS.len())].as_bytes();
                b.splice(at..at, t.iter().copied());
            }
            // Duplicate a slice elsewhere (repeats keys and tables).
            _ => {
                let from = g.below(b.len());
                let len = (1 + g.below(80)).min(b.len() - from);
                let piece: Vec<u8> = b[from..from + len].to_vec();
                b.splice(at..at, piece);
            }
        }
    }
    b
}

/// Builds a village for every strategy of an accepted mutant and steps it a few
/// times: a scenario that validates must also build and step without panicking.
/// Mutants too big to build quickly are skipped.
fn run_briefly(s: &kampung::Scenario, k: usize) {
    use kampung::model::network::NetworkParams as N;
    for st in &s.strategies {
        let p = &st.params;
        let degree = match p.network {
            N::Sbm { mean_degree, .. } | N::ErdosRenyi { mean_degree, .. } => mean_degree,
            N::WattsStrogatz { k, .. } => k as f64,
            N::BarabasiAlbert { m, .. } => 2.0 * m as f64,
            _ => 0.0,
        };
        let small = p.population.households_csv.is_some() || p.population.households <= 2000;
        if !small || degree > 50.0 {
            continue;
        }
        let r = std::panic::catch_unwind(|| {
            let village = kampung::model::village::Village::build(
                p,
                &s.inputs,
                &mut kampung::model::rng::rng_from_seed(k as u64),
            );
            let mut sim =
                kampung::model::Simulation::new(p, village, kampung::model::rng::rng_from_seed(1));
            sim.measure();
            for _ in 0..p.time.steps.min(3) {
                sim.step();
            }
            sim.measure()
        });
        assert!(
            r.is_ok(),
            "mutation {k}: validated but panicked when run ({})",
            st.name
        );
    }
}

/// The shipped scenario files, the bases of the mutations.
fn shipped() -> Vec<String> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios");
    let mut v: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "toml"))
        .map(|p| std::fs::read_to_string(p).unwrap())
        .collect();
    v.sort();
    assert!(!v.is_empty());
    v
}

#[test]
fn mutated_scenarios_never_panic_the_library() {
    // Every shipped file in turn (village, strategies, networks, real data with its
    // CSVs …), resolved against scenarios/ so that data paths load real files.
    let bases = shipped();
    let data_dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios");
    let mut g = Gen(20_261_128);
    let (mut ok, mut refused) = (0, 0);
    for k in 0..2000 {
        let base = &bases[k % bases.len()];
        let bytes = mutate(base.as_bytes(), &mut g);
        let text = String::from_utf8_lossy(&bytes).into_owned();
        let result = std::panic::catch_unwind(|| {
            kampung::Scenario::from_text(&text, "mutant.toml", "mutant", &data_dir)
        });
        match result {
            Err(_) => panic!("from_text panicked on mutation {k}:\n{text}"),
            Ok(Ok(s)) => {
                ok += 1;
                run_briefly(&s, k);
            }
            Ok(Err(kampung::Error::Invalid(ds))) => {
                refused += 1;
                assert!(!ds.is_empty(), "mutation {k}: empty diagnostics");
                for d in &ds {
                    assert!(!d.message.is_empty(), "mutation {k}: empty message");
                    if d.line > 0 {
                        assert!(d.column >= 1, "mutation {k}: {d}");
                    }
                    if d.file == "mutant.toml" {
                        // A located diagnostic points inside the text.
                        let lines = text.split('\n').count();
                        assert!(d.line <= lines, "mutation {k}: {d} beyond {lines} lines");
                    } else if d.file.ends_with("patterns.toml") {
                        // Or about the evidence file a [calibrate] table names
                        // (a mutated strategy or group no longer matching it),
                        // located inside that file.
                        let evidence = std::fs::read_to_string(&d.file).unwrap();
                        let lines = evidence.split('\n').count();
                        assert!(d.line <= lines, "mutation {k}: {d} beyond {lines} lines");
                    } else {
                        // Or it is about a data file the scenario names.
                        assert!(d.file.ends_with(".csv"), "mutation {k}: {d}");
                    }
                }
            }
            Ok(Err(e)) => panic!("mutation {k}: unexpected error kind {e:?}"),
        }
    }
    // The mutations exercise both sides.
    assert!(ok > 50 && refused > 500, "ok {ok}, refused {refused}");
}

#[test]
fn mutated_scenario_files_never_panic_the_binary() {
    let base = village_text();
    let dir = tempfile::tempdir().unwrap();
    let mut g = Gen(7);
    let files: Vec<PathBuf> = (0..60)
        .map(|k| {
            let p = dir.path().join(format!("m{k}.toml"));
            std::fs::write(&p, mutate(base.as_bytes(), &mut g)).unwrap();
            p
        })
        .collect();
    let refs: Vec<&Path> = files.iter().map(PathBuf::as_path).collect();
    let out = validate(&refs);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!stderr.contains("panicked"), "{stderr}");
    // Every file is either reported ok on stdout or named on stderr.
    let stdout = String::from_utf8_lossy(&out.stdout);
    for f in &files {
        let name = f.display().to_string();
        assert!(
            stdout.contains(&format!("{name}: ok")) || stderr.contains(&name),
            "{name} neither accepted nor refused"
        );
    }
}

/// The `error:` lines of `validate` on `files`, and its exit status.
fn errors_of(files: &[&Path]) -> (Vec<String>, Option<i32>) {
    let out = validate(files);
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(!stderr.contains("panicked"), "{stderr}");
    (
        stderr
            .lines()
            .filter(|l| l.starts_with("error: "))
            .map(str::to_string)
            .collect(),
        out.status.code(),
    )
}

/// Issue 13: `validate` finds every problem at once. Three typos in three tables of
/// one file, a wrong type, a value out of range and an unknown key in a strategy of
/// a second, a bad cell in a third file's data file, and a missing fourth file: one
/// run names all of them, each at its line and column, and exits 2 (a file could
/// not be read; 1 without the missing file). It could fail if any table's problems
/// stopped the checks of the next, as they did (one error a run).
#[test]
fn validate_reports_every_problem_of_every_file_in_one_run() {
    let dir = tempfile::tempdir().unwrap();
    let typos = village_text()
        .replace("replicates = 20 ", "replicatez = 20 ")
        .replace("mean_degree = 8.0 ", "mean_degre = 8.0 ")
        .replace("systemic_bias = 0.5 ", "systemic_bais = 0.5 ");
    let a = dir.path().join("typos.toml");
    std::fs::write(&a, &typos).unwrap();
    let line_of = |text: &str, needle: &str| {
        1 + text
            .lines()
            .position(|l| l.starts_with(needle))
            .unwrap_or_else(|| panic!("no line {needle}"))
    };
    let b_text = village_text()
        .replace("homophily = 0.6 ", "homophily = \"high\" ")
        .replace("reversion = 0.02 ", "reversion = 7.0 ")
        + "\n[strategies.quick]\norganizer = { contacts_per_step = 3, exitstep = 52 }\n";
    let b = dir.path().join("types.toml");
    std::fs::write(&b, &b_text).unwrap();
    // A data file with a bad cell, beside a typo in its scenario.
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios");
    std::fs::create_dir(dir.path().join("data")).unwrap();
    let ties = std::fs::read_to_string(root.join("data/ties.csv")).unwrap();
    // The first tie again, to a household that is not there.
    let source = ties.lines().nth(1).unwrap().split(',').next().unwrap();
    let ties = ties.replacen("\n", &format!("\n{source},nobody,1\n"), 1);
    std::fs::write(dir.path().join("data/ties.csv"), ties).unwrap();
    std::fs::copy(
        root.join("data/households.csv"),
        dir.path().join("data/households.csv"),
    )
    .unwrap();
    let c_text = std::fs::read_to_string(root.join("real-data.toml"))
        .unwrap()
        .replace("\nseed = ", "\nsed = ");
    let c = dir.path().join("data.toml");
    std::fs::write(&c, &c_text).unwrap();
    let missing = dir.path().join("missing.toml");

    let (errors, code) = errors_of(&[&a, &b, &c, &missing]);
    let expect = [
        format!(
            "{}:{}:1: `scenario.replicatez`: unknown key",
            a.display(),
            line_of(&typos, "replicatez")
        ),
        format!(
            "{}:{}:1: `network.mean_degre`: unknown key",
            a.display(),
            line_of(&typos, "mean_degre")
        ),
        format!(
            "{}:{}:1: `economy.systemic_bais`: unknown key",
            a.display(),
            line_of(&typos, "systemic_bais")
        ),
        format!(
            "{}:{}:13: `network.homophily`: wrong type",
            b.display(),
            line_of(&b_text, "homophily")
        ),
        format!(
            "{}:{}:13: `economy.reversion`: 7 is out of range",
            b.display(),
            line_of(&b_text, "reversion")
        ),
        format!(
            "{}:{}:",
            b.display(),
            line_of(&b_text, "organizer = { contacts_per_step = 3, exitstep")
        ),
        format!(
            "{}:{}:1: `scenario.sed`",
            c.display(),
            line_of(&c_text, "sed = ")
        ),
        format!(
            "{}:2:2: `target`: unknown household `nobody`",
            dir.path().join("data/ties.csv").display()
        ),
        format!("{}: cannot read", missing.display()),
    ];
    for e in &expect {
        assert!(
            errors.iter().any(|l| l.contains(e.as_str())),
            "no `{e}` among\n{}",
            errors.join("\n")
        );
    }
    assert!(
        errors
            .iter()
            .any(|l| l.contains("`strategies.quick.organizer.exitstep`")
                && l.contains("did you mean `exit_step`?")),
        "{}",
        errors.join("\n")
    );
    assert_eq!(code, Some(2), "a file could not be read");
    // Without the missing file: 1, the same problems.
    let (again, code) = errors_of(&[&a, &b, &c]);
    assert_eq!(code, Some(1));
    assert_eq!(again.len(), errors.len() - 1, "{}", again.join("\n"));
}

/// The text after `(allowed: ` of the one error line about `key`.
fn allowed_of(text: &str, key: &str) -> String {
    let (_dir, path) = write_tmp("range.toml", text.as_bytes());
    let (errors, code) = errors_of(&[&path]);
    assert_eq!(code, Some(1), "{}", errors.join("\n"));
    let line = errors
        .iter()
        .find(|l| l.contains(&format!("`{key}`")))
        .unwrap_or_else(|| panic!("no error about {key}:\n{}", errors.join("\n")));
    line.split_once("(allowed: ")
        .map(|(_, a)| a.trim_end_matches(')').to_string())
        .unwrap_or_else(|| panic!("no allowed in {line}"))
}

/// Issue 13: a key's range is said the same whether its value has the wrong type or
/// is out of range: the range check is the one source of truth, and a type error
/// asks it. Before, `systemic_bias = "x"` was told "a number" and `systemic_bias =
/// 2` "a number in [0, 1]"; `replicates = "x"` "a whole number ≥ 0" against "[1,
/// 1000000]".
#[test]
fn a_type_error_and_a_range_error_name_the_same_range() {
    let v = village_text();
    for (line, key, bad_type, out_of_range) in [
        (
            "systemic_bias = 0.5 ",
            "economy.systemic_bias",
            "\"x\"",
            "2.0",
        ),
        ("reversion = 0.02 ", "economy.reversion", "true", "-1.0"),
        ("replicates = 20 ", "scenario.replicates", "\"many\"", "0"),
        ("steps = 312 ", "time.steps", "\"long\"", "0"),
        ("homophily = 0.6 ", "network.homophily", "\"x\"", "1.5"),
        (
            "contacts_per_step = 5 ",
            "organizer.contacts_per_step",
            "2.5",
            "0",
        ),
    ] {
        let typed = allowed_of(
            &v.replace(
                line,
                &format!("{} = {bad_type} ", line.split(' ').next().unwrap()),
            ),
            key,
        );
        let ranged = allowed_of(
            &v.replace(
                line,
                &format!("{} = {out_of_range} ", line.split(' ').next().unwrap()),
            ),
            key,
        );
        assert_eq!(typed, ranged, "{key}");
        assert!(typed.contains('['), "{key}: {typed} names no range");
    }
}

/// A base key's problem is said once, naming every strategy that inherits it, and
/// the problems of a file come in reading order (line by line), however the checks
/// found them. It could fail if each strategy repeated the base key's error, or a
/// table read later were listed first.
#[test]
fn a_base_keys_problem_is_said_once_and_errors_come_in_reading_order() {
    let text = "[scenario]\nreplicatez = 2\n[economy]\nsystemic_bias = \"x\"\n\
                [strategies.a]\n[strategies.b]\nshocks.severty = 0.1\n";
    let (_dir, path) = write_tmp("twice.toml", text.as_bytes());
    let (errors, code) = errors_of(&[&path]);
    assert_eq!(code, Some(1));
    let bias: Vec<&String> = errors
        .iter()
        .filter(|l| l.contains("`economy.systemic_bias`"))
        .collect();
    assert_eq!(bias.len(), 1, "{}", errors.join("\n"));
    assert!(
        bias[0].contains("(for strategies `strategies.a`, `strategies.b`)"),
        "{}",
        bias[0]
    );
    let lines: Vec<usize> = errors
        .iter()
        .map(|l| {
            l.split(':')
                .nth(2)
                .and_then(|n| n.parse().ok())
                .unwrap_or_else(|| panic!("{l}"))
        })
        .collect();
    assert_eq!(lines, [2, 4, 7], "{}", errors.join("\n"));
}
