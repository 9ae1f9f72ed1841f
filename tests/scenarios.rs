//! Every shipped scenario file validates and runs.
//!
//! What this shows (issue 2, item 3: "each one must validate and run in CI"): every
//! `scenarios/**/*.toml` is accepted by [`kampung::Scenario::from_file`] (and by the
//! `validate` command), and runs to completion through [`kampung::experiment::runner`]: every
//! strategy over its full number of steps, with replicates capped at 2 to keep CI
//! fast, its results written by [`kampung::experiment::store::write_results`]. Each file also
//! opens with comments saying what it is and how to run it.

use kampung::Scenario;
use kampung::experiment::{output, runner, store};
use kampung::model::village::DataFiles;
use std::path::{Path, PathBuf};

fn scenario_files() -> Vec<PathBuf> {
    fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
        for e in std::fs::read_dir(dir).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                walk(&p, out);
            } else if p.extension().is_some_and(|x| x == "toml") {
                out.push(p);
            }
        }
    }
    let mut v = Vec::new();
    walk(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios"),
        &mut v,
    );
    v.sort();
    v
}

#[test]
fn the_examples_are_there() {
    let names: Vec<String> = scenario_files()
        .iter()
        .map(|p| p.file_name().unwrap().to_string_lossy().into_owned())
        .collect();
    for f in [
        "village.toml",
        "threshold-only.toml",
        "networks.toml",
        "real-data.toml",
    ] {
        assert!(
            names.iter().any(|n| n == f),
            "scenarios/{f} missing: {names:?}"
        );
    }
    let data = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/data");
    assert!(data.join("households.csv").is_file());
    assert!(data.join("ties.csv").is_file());
}

#[test]
fn every_scenario_file_validates_and_runs_every_strategy_to_the_end() {
    let files = scenario_files();
    assert!(!files.is_empty());
    for file in &files {
        let shown = file.display();
        let mut s = Scenario::from_file(file).unwrap_or_else(|e| panic!("{shown}:\n{e}"));
        assert!(!s.strategies.is_empty(), "{shown}");
        s.replicates = s.replicates.min(2);
        let plan = runner::plan(&s);
        assert_eq!(plan.len(), s.run_count());
        assert!(plan.len() >= s.strategies.len() * s.replicates as usize);
        let runs =
            runner::run_all(&s, &plan, None, &|_| {}).unwrap_or_else(|e| panic!("{shown}: {e}"));
        assert_eq!(runs.len(), plan.len(), "{shown}");
        for r in &runs {
            let st = &s.strategies[r.spec.strategy];
            let steps = st.params.time.steps;
            let (first, _) = r.timeseries.first().expect("step 0 is recorded");
            let (last, m) = r.timeseries.last().unwrap();
            assert_eq!(*first, 0, "{shown} {}", st.name);
            assert_eq!(*last, steps, "{shown} {}: stopped early", st.name);
            let every = s.output.record_every.max(1);
            let expected = steps / every + 1 + u32::from(!steps.is_multiple_of(every));
            assert_eq!(r.timeseries.len(), expected as usize, "{shown} {}", st.name);
            assert!(
                (0.0..=1.0).contains(&m.participation),
                "{shown} {}: participation {}",
                st.name,
                m.participation
            );
        }
        // And the results can be written.
        let dir = tempfile::tempdir().unwrap();
        let info = output::RunInfo {
            command_line: vec!["test".into()],
            started: output::utc_now_iso8601(),
            threads: 1,
        };
        store::write_results(dir.path(), &s, &runs, &info)
            .unwrap_or_else(|e| panic!("{shown}: {e}"));
        assert!(dir.path().join("manifest.json").exists(), "{shown}");
    }
}

#[test]
fn the_validate_command_accepts_every_scenario_file() {
    let files = scenario_files();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_kampung"))
        .arg("validate")
        .args(&files)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    for f in &files {
        assert!(
            stdout.contains(&format!("{}: ok", f.display())),
            "{}:\n{stdout}",
            f.display()
        );
    }
}

#[test]
fn every_scenario_file_says_what_it_is_and_how_to_run_it() {
    for file in scenario_files() {
        let text = std::fs::read_to_string(&file).unwrap();
        let shown = file.display();
        assert!(text.starts_with('#'), "{shown}: should open with a comment");
        assert!(text.contains("-- run"), "{shown}: should say how to run it");
        let comments = text
            .lines()
            .filter(|l| l.trim_start().starts_with('#'))
            .count();
        assert!(comments >= 5, "{shown}: only {comments} comment lines");
    }
}

#[test]
fn the_real_data_example_loads_its_households_and_ties() {
    let file = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/real-data.toml");
    let s = Scenario::from_file(&file).unwrap();
    assert!(s.repairs.is_empty(), "the shipped data needs no repair");
    let p = &s.strategies[0].params;
    let hh = p.population.households_csv.as_ref().unwrap();
    let rows = s.inputs.households(hh).expect("households loaded");
    assert!((50..=80).contains(&rows.len()), "{} households", rows.len());
    // Some optional cells are left empty on purpose, to be drawn.
    assert!(rows.iter().any(|r| r.threshold.is_none()));
    assert!(rows.iter().any(|r| r.availability.is_none()));
    assert!(rows.iter().any(|r| r.priority.is_none()));
    assert!(rows.iter().any(|r| r.participating == Some(true)));
    // The ties connect the CSV's households, and the village uses them.
    let spec = &runner::plan(&s)[0];
    let v = kampung::model::village::Village::build(
        p,
        &s.inputs,
        &mut kampung::model::rng::rng_from_seed(spec.village_seed),
    );
    assert_eq!(v.households.len(), rows.len());
    let ties = std::fs::read_to_string(file.parent().unwrap().join("data/ties.csv")).unwrap();
    assert_eq!(v.network.edge_count(), ties.lines().count() - 1);
    assert!(v.network.is_weighted());
    for (i, r) in rows.iter().enumerate() {
        assert_eq!(v.households.external_id(i), r.id);
    }
}
