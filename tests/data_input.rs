//! Real data in: households and edge-list CSVs named by a scenario, through the binary.
//!
//! What this shows (issue 2, item 4): a households CSV (`population.households_csv`)
//! and an edge-list CSV (`[network] model = "edge_list"`) are checked cell by cell.
//! Unknown groups (with the nearest name suggested), unknown household ids in ties,
//! self-loops, duplicate ties (naming the line where the tie first appeared), missing
//! or misspelt columns, non-numeric cells, out-of-range thresholds, empty files and
//! header-only files each give a clear error naming the file, the line and the column
//! (checked exactly), and never a panic. With `repair = true`, self-loops are dropped
//! and duplicates merged (weights added), and `validate` reports what it repaired. A
//! good households + ties pair runs, its `households.csv` reports the CSV's own ids,
//! groups and given values, and the ties it read are the ones the threshold rule
//! follows.

use std::path::PathBuf;
use std::process::{Command, Output};

const BIN: &str = env!("CARGO_BIN_EXE_kampung");

/// The scenario used throughout: data from `h.csv` and `e.csv`, the economy and the
/// organizer off so that given values stay as given and the threshold rule runs alone.
fn scenario(network_extra: &str) -> String {
    format!(
        r#"[scenario]
name = "data"
replicates = 2

[time]
steps = 4

[population]
households_csv = "h.csv"
issues = ["land", "water"]

[[population.groups]]
name = "landed"
share = 0.7

[[population.groups]]
name = "landless"
share = 0.3
marginalized = true

[network]
model = "edge_list"
path = "e.csv"
{network_extra}

[economy]
enabled = false

[organizer]
enabled = false

[output]
household_steps = [0]
"#
    )
}

const GOOD_HOUSEHOLDS: &str = "\
id,group,resources,threshold,availability,priority,participating
101,landed,5.5,0.25,0.5,land,true
205,landless,2,0.5,,water,false
307,landed,8,0,0.75,,
400,landless,1.25,0,,land,no
";

const GOOD_TIES: &str = "\
source,target,weight
101,205,1
205,307,2.5
";

struct Case {
    dir: tempfile::TempDir,
}

impl Case {
    fn new(households: &str, ties: &str, network_extra: &str) -> Case {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("s.toml"), scenario(network_extra)).unwrap();
        std::fs::write(dir.path().join("h.csv"), households).unwrap();
        std::fs::write(dir.path().join("e.csv"), ties).unwrap();
        Case { dir }
    }

    fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    fn kampung(&self, args: &[&str]) -> Output {
        Command::new(BIN)
            .args(args)
            .current_dir(self.dir.path())
            .output()
            .expect("the kampung binary starts")
    }

    fn validate(&self) -> Output {
        self.kampung(&["validate", self.path("s.toml").to_str().unwrap()])
    }

    /// Validation fails, without a panic; returns stderr.
    fn refused(&self) -> String {
        let out = self.validate();
        let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
        assert!(
            !out.status.success(),
            "accepted: {}",
            String::from_utf8_lossy(&out.stdout)
        );
        assert!(!stderr.contains("panicked"), "{stderr}");
        // `run` refuses the same way, and writes nothing.
        let run = self.kampung(&["run", "s.toml", "--out", "never", "-q"]);
        assert!(!run.status.success());
        assert!(!self.path("never").exists());
        stderr
    }

    /// Validation fails with an error at `file:line:col` about `key`, whose message
    /// contains `message` and whose allowed values contain `allowed`.
    fn expect(&self, file: &str, line: usize, col: usize, key: &str, message: &str, allowed: &str) {
        let stderr = self.refused();
        let mut at = format!("{}:{line}:{col}: ", self.path(file).display());
        if !key.is_empty() {
            at.push_str(&format!("`{key}`: "));
        }
        let hit = stderr
            .lines()
            .find(|l| l.contains(&at))
            .unwrap_or_else(|| panic!("no error at `{at}`:\n{stderr}"));
        assert!(hit.contains(message), "message lacks `{message}`: {hit}");
        assert!(
            hit.split_once("(allowed: ")
                .is_some_and(|(_, a)| a.contains(allowed)),
            "allowed lacks `{allowed}`: {hit}"
        );
    }
}

fn households_with(rows: &str) -> String {
    format!("id,group,resources,threshold\n{rows}")
}

#[test]
fn household_cells_are_checked_and_located() {
    // Unknown group, with the nearest suggested: line 3, column 2 (group).
    Case::new(
        &households_with("1,landed,5,0.2\n2,landles,3,0.1\n"),
        "source,target\n1,2\n",
        "",
    )
    .expect(
        "h.csv",
        3,
        2,
        "group",
        "unknown group `landles`; did you mean `landless`?",
        "landed, landless",
    );
    // Non-numeric resources: line 2, column 3.
    Case::new(
        &households_with("1,landed,lots,0.2\n2,landless,3,0.1\n"),
        "source,target\n1,2\n",
        "",
    )
    .expect(
        "h.csv",
        2,
        3,
        "resources",
        "bad value `lots`",
        "0, or a number in [1e-30, 1e15]",
    );
    // Out-of-range threshold: line 3, column 4.
    Case::new(
        &households_with("1,landed,5,0.2\n2,landless,3,1.5\n"),
        "source,target\n1,2\n",
        "",
    )
    .expect("h.csv", 3, 4, "threshold", "bad value `1.5`", "[0, 1]");
    // Negative resources.
    Case::new(
        &households_with("1,landed,-5,0.2\n2,landless,3,0.1\n"),
        "source,target\n1,2\n",
        "",
    )
    .expect(
        "h.csv",
        2,
        3,
        "resources",
        "bad value `-5`",
        "0, or a number in [1e-30, 1e15]",
    );
    // Empty required cell.
    Case::new(
        &households_with("1,landed,,0.2\n2,landless,3,0.1\n"),
        "source,target\n1,2\n",
        "",
    )
    .expect(
        "h.csv",
        2,
        3,
        "resources",
        "empty cell",
        "0, or a number in [1e-30, 1e15]",
    );
    // A repeated id names the line where it was first used.
    Case::new(
        &households_with("1,landed,5,0.2\n2,landless,3,0.1\n1,landed,4,0.3\n"),
        "source,target\n1,2\n",
        "",
    )
    .expect(
        "h.csv",
        4,
        1,
        "id",
        "id 1 already used on line 2",
        "unique ids",
    );
    // A non-numeric id.
    Case::new(
        &households_with("x1,landed,5,0.2\n2,landless,3,0.1\n"),
        "source,target\nx1,2\n",
        "",
    )
    .expect("h.csv", 2, 1, "id", "bad id `x1`", "a whole number");
    // Unknown priority issue and a bad participating flag.
    let c = Case::new(
        "id,group,resources,priority,participating\n1,landed,5,fishing,maybe\n2,landless,3,,\n",
        "source,target\n1,2\n",
        "",
    );
    c.expect(
        "h.csv",
        2,
        4,
        "priority",
        "unknown issue `fishing`",
        "land, water",
    );
    c.expect(
        "h.csv",
        2,
        5,
        "participating",
        "bad value `maybe`",
        "true, false",
    );
    // A row with too few fields.
    let stderr = Case::new(
        &households_with("1,landed,5,0.2\n2,landless\n"),
        "source,target\n1,2\n",
        "",
    )
    .refused();
    assert!(
        stderr.contains("h.csv:3:1:") && stderr.contains("malformed row"),
        "{stderr}"
    );
}

#[test]
fn household_columns_and_empty_files_are_checked() {
    // Missing required column: named, on the header line.
    Case::new(
        "id,group,threshold\n1,landed,0.2\n",
        "source,target\n1,2\n",
        "",
    )
    .expect(
        "h.csv",
        1,
        1,
        "resources",
        "missing column `resources`",
        "id, group, resources",
    );
    // Misspelt column: located at its position, nearest suggested.
    Case::new(
        "id,grup,resources\n1,landed,5\n",
        "source,target\n1,2\n",
        "",
    )
    .expect(
        "h.csv",
        1,
        2,
        "grup",
        "unknown column `grup`; did you mean `group`?",
        "participating",
    );
    // Header only.
    Case::new("id,group,resources\n", "source,target\n1,2\n", "").expect(
        "h.csv",
        1,
        1,
        "",
        "no households",
        "one row per household",
    );
    // Empty file: named, said to be empty, with what it should hold.
    for empty in ["", "\n\n", "# just a comment\n"] {
        let c = Case::new(empty, "source,target\n1,2\n", "");
        let stderr = c.refused();
        let at = format!("{}: the file is empty", c.path("h.csv").display());
        assert!(
            stderr
                .lines()
                .any(|l| l.contains(&at) && l.contains("id, group, resources")),
            "{empty:?}:\n{stderr}"
        );
    }
    // Missing file: the scenario key that names it is located.
    let c = Case::new("", "", "");
    std::fs::remove_file(c.path("h.csv")).unwrap();
    let stderr = c.refused();
    assert!(
        stderr.contains(&format!("{}:", c.path("s.toml").display()))
            && stderr.contains("population.households_csv")
            && stderr.contains("cannot read households file"),
        "{stderr}"
    );
    // Binary junk.
    let c = Case::new("", "source,target\n1,2\n", "");
    std::fs::write(
        c.path("h.csv"),
        b"\xff\xfe\x00\x01id,\x80group\n\x9f,\xc3\n",
    )
    .unwrap();
    let stderr = c.refused();
    assert!(
        stderr.contains(&c.path("h.csv").display().to_string()),
        "{stderr}"
    );
}

const HH: &str = "id,group,resources\n1,landed,5\n2,landless,3\n3,landed,7\n";

#[test]
fn tie_cells_are_checked_and_located() {
    // Unknown household id in a tie: line 3, column 2 (target).
    Case::new(HH, "source,target\n1,2\n2,99\n", "").expect(
        "e.csv",
        3,
        2,
        "target",
        "unknown household `99`",
        "an id from the households CSV",
    );
    Case::new(HH, "source,target\nabc,2\n", "").expect(
        "e.csv",
        2,
        1,
        "source",
        "unknown household `abc`",
        "an id from the households CSV",
    );
    // Self-loop.
    Case::new(HH, "source,target\n1,2\n3,3\n", "").expect(
        "e.csv",
        3,
        2,
        "target",
        "self-loop",
        "repair = true",
    );
    // Duplicate tie, either direction: names the first line.
    Case::new(HH, "source,target\n1,2\n2,3\n2,1\n", "").expect(
        "e.csv",
        4,
        1,
        "source",
        "duplicate tie: already given on line 2",
        "repair = true",
    );
    // Bad weight.
    Case::new(HH, "source,target,weight\n1,2,heavy\n", "").expect(
        "e.csv",
        2,
        3,
        "weight",
        "bad weight `heavy`",
        "a number in [1e-30, 1e30]",
    );
    Case::new(HH, "source,target,weight\n1,2,-1\n", "").expect(
        "e.csv",
        2,
        3,
        "weight",
        "bad weight `-1`",
        "a number in [1e-30, 1e30]",
    );
    // Missing and misspelt columns.
    Case::new(HH, "source\n1\n", "").expect(
        "e.csv",
        1,
        1,
        "target",
        "missing column `target`",
        "source, target",
    );
    Case::new(HH, "source,targte\n1,2\n", "").expect(
        "e.csv",
        1,
        2,
        "targte",
        "did you mean `target`?",
        "source, target, weight",
    );
    // Header only, and empty.
    Case::new(HH, "source,target\n", "").expect("e.csv", 1, 1, "", "no ties", "model = \"none\"");
    let c = Case::new(HH, "", "");
    let stderr = c.refused();
    assert!(
        stderr.contains(&format!("{}: the file is empty", c.path("e.csv").display())),
        "{stderr}"
    );
    // Missing file.
    let c = Case::new(HH, "", "");
    std::fs::remove_file(c.path("e.csv")).unwrap();
    let stderr = c.refused();
    assert!(
        stderr.contains("network.path") && stderr.contains("cannot read edge list"),
        "{stderr}"
    );
}

#[test]
fn repair_drops_self_loops_merges_duplicates_and_says_so() {
    let ties = "source,target,weight\n1,2,1\n2,2,1\n2,1,0.5\n2,3,2\n3,2,1\n";
    // Without repair: refused.
    Case::new(HH, ties, "").refused();
    // With repair: accepted, and the repairs are reported.
    let c = Case::new(HH, ties, "repair = true");
    let out = c.validate();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        stdout.contains("repaired")
            && stdout.contains("e.csv")
            && stdout.contains("dropped 1 self-loop(s)")
            && stdout.contains("merged 2 duplicate tie(s)"),
        "{stdout}"
    );
    // `run` reports them too (on stderr), and records them in the manifest.
    let run = c.kampung(&["run", "s.toml", "--out", "o"]);
    assert!(run.status.success());
    assert!(String::from_utf8_lossy(&run.stderr).contains("note: repaired"));
    let m: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(c.path("o/manifest.json")).unwrap()).unwrap();
    let repairs = m["repairs"].as_array().unwrap();
    assert_eq!(repairs.len(), 1, "{repairs:?}");
    assert!(repairs[0].as_str().unwrap().contains("merged 2 duplicate"));

    // The repaired network: two ties, weights of duplicates added.
    let s = kampung::Scenario::from_file(&c.path("s.toml")).unwrap();
    let spec = &kampung::experiment::runner::plan(&s)[0];
    let v = kampung::model::village::Village::build(
        &s.strategies[0].params,
        &s.inputs,
        &mut kampung::model::rng::rng_from_seed(spec.village_seed),
    );
    let net = &v.network;
    assert_eq!(net.edge_count(), 2);
    assert!(net.has_edge(0, 1) && net.has_edge(1, 2) && !net.has_edge(0, 2));
    assert_eq!(net.degree(1), 2);
    let w = |a: usize, b: usize| {
        let k = net
            .neighbors(a)
            .iter()
            .position(|&x| x as usize == b)
            .unwrap();
        net.weights(a).unwrap()[k]
    };
    assert_eq!(w(0, 1), 1.5);
    assert_eq!(w(1, 0), 1.5);
    assert_eq!(w(1, 2), 3.0);
}

#[test]
fn good_households_and_ties_run_and_report_the_csv_ids() {
    let c = Case::new(GOOD_HOUSEHOLDS, GOOD_TIES, "");
    let out = c.validate();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let run = c.kampung(&["run", "s.toml", "--out", "o", "-q"]);
    assert!(
        run.status.success(),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    let mut r = csv::Reader::from_path(c.path("o/households.csv")).unwrap();
    let header: Vec<String> = r.headers().unwrap().iter().map(str::to_string).collect();
    let col = |n: &str| header.iter().position(|h| h == n).unwrap();
    let rows: Vec<csv::StringRecord> = r.records().map(Result::unwrap).collect();
    // 2 replicates × 4 households × (step 0 and the last).
    assert_eq!(rows.len(), 2 * 4 * 2);
    let at = |step: &str, rep: &str| -> Vec<&csv::StringRecord> {
        rows.iter()
            .filter(|r| &r[col("step")] == step && &r[col("replicate")] == rep)
            .collect()
    };
    for rep in ["0", "1"] {
        let start = at("0", rep);
        let ids: Vec<&str> = start.iter().map(|r| &r[col("household")]).collect();
        assert_eq!(ids, ["101", "205", "307", "400"], "the CSV's ids, in order");
        let groups: Vec<&str> = start.iter().map(|r| &r[col("group")]).collect();
        assert_eq!(groups, ["landed", "landless", "landed", "landless"]);
        let marg: Vec<&str> = start.iter().map(|r| &r[col("marginalized")]).collect();
        assert_eq!(marg, ["false", "true", "false", "true"]);
        // Given cells are kept (the economy is off, so resources stay put).
        let res: Vec<&str> = start.iter().map(|r| &r[col("resources")]).collect();
        assert_eq!(res, ["5.5", "2", "8", "1.25"]);
        let thr: Vec<&str> = start.iter().map(|r| &r[col("threshold")]).collect();
        assert_eq!(thr, ["0.25", "0.5", "0", "0"]);
        assert_eq!(&start[0][col("availability")], "0.5");
        assert_eq!(&start[2][col("availability")], "0.75");
        // Empty availability cells are drawn, within [0, 1].
        for i in [1, 3] {
            let a: f64 = start[i][col("availability")].parse().unwrap();
            assert!((0.0..=1.0).contains(&a), "{a}");
        }
        assert_eq!(&start[0][col("priority")], "land");
        assert_eq!(&start[1][col("priority")], "water");
        let part: Vec<&str> = start.iter().map(|r| &r[col("participating")]).collect();
        assert_eq!(part, ["true", "false", "false", "false"]);

        // The ties are those of the file: 101–205–307 is a chain and 400 is alone.
        // 205 (threshold 0.5) sees 1 of 2 ties taking part and joins; then 307
        // (threshold 0, one tie) joins; 400 has threshold 0 but no tie, so never does.
        let end = at("4", rep);
        let part: Vec<&str> = end.iter().map(|r| &r[col("participating")]).collect();
        assert_eq!(part, ["true", "true", "true", "false"]);
    }
}

#[test]
fn ties_by_index_without_a_households_csv_are_checked_against_the_count() {
    // Without households_csv, ids in the edge list are household numbers 0..n.
    let dir = tempfile::tempdir().unwrap();
    let s = dir.path().join("s.toml");
    std::fs::write(
        &s,
        "[population]\nhouseholds = 10\n[network]\nmodel = \"edge_list\"\npath = \"e.csv\"\n",
    )
    .unwrap();
    let e = dir.path().join("e.csv");
    std::fs::write(&e, "source,target\n0,9\n3,10\n").unwrap();
    let err = kampung::Scenario::from_file(&s).unwrap_err().to_string();
    assert!(
        err.contains(&format!(
            "{}:3:2: `target`: unknown household `10`",
            e.display()
        )) && err.contains("0..10"),
        "{err}"
    );
    std::fs::write(&e, "source,target\n0,9\n3,4\n").unwrap();
    let s = kampung::Scenario::from_file(&s).unwrap();
    let runs = kampung::experiment::runner::run_all(
        &s,
        &kampung::experiment::runner::plan(&s),
        Some(1),
        &|_| {},
    )
    .unwrap();
    assert_eq!(runs.len(), 1);
}

/// Blank and comment lines count: a bad cell right after them is reported on its own
/// line, not on the blank or comment line before it (csv crate #208), in both files.
#[test]
fn lines_after_blank_and_comment_lines_are_located_on_their_own_line() {
    Case::new(
        &households_with("1,landed,5,0.2\n\n# the landless\n2,landless,lots,0.1\n"),
        "source,target\n1,2\n",
        "",
    )
    .expect(
        "h.csv",
        5,
        3,
        "resources",
        "bad value `lots`",
        "0, or a number in [1e-30, 1e15]",
    );
    Case::new(
        &households_with("1,landed,5,0.2\n2,landless,3,0.1\n"),
        "source,target\n# a comment\n\n1,9\n",
        "",
    )
    .expect("e.csv", 4, 2, "target", "", "");
}
