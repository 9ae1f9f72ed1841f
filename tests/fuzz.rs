//! A standing fuzz harness (issue 14), driven by `proptest`: the scenario parser, the
//! data-file readers and part-file parsing never panic on any input, and merge and
//! resume never accept parts that were permuted, duplicated, truncated or corrupted.
//!
//! Bounded for CI: 64 cases a property by default, 12 for the merge property (a few
//! seconds). A longer run sets `PROPTEST_CASES` (docs/reliability.md), for example
//! about eight minutes in all:
//!
//! ```sh
//! PROPTEST_CASES=20000 cargo test --release --test fuzz -- --skip merge
//! PROPTEST_CASES=200 cargo test --release --test fuzz merge
//! ```

use kampung::Scenario;
use kampung::experiment::output::Table;
use kampung::experiment::part::Part;
use kampung::experiment::runner::RunSpec;
use kampung::scenario::input::{IdIndex, load_edges, load_households};
use proptest::prelude::*;
use std::path::Path;
use std::process::Command;

const BIN: &str = env!("CARGO_BIN_EXE_kampung");

/// Cases a property: `PROPTEST_CASES`, else `default`.
fn cases(default: u32) -> u32 {
    std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn config(default: u32) -> ProptestConfig {
    ProptestConfig {
        cases: cases(default),
        failure_persistence: None,
        ..ProptestConfig::default()
    }
}

/// A scenario text to mutate: the shipped example, which sets nearly every table.
fn village() -> String {
    std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/village.toml"))
        .unwrap()
}

/// `text` with `edits` applied: each (position, byte) replaces, inserts or deletes.
fn mutate(text: &[u8], edits: &[(usize, u8, u8)]) -> Vec<u8> {
    let mut b = text.to_vec();
    for &(at, byte, op) in edits {
        if b.is_empty() {
            b.push(byte);
            continue;
        }
        let at = at % b.len();
        match op % 3 {
            0 => b[at] = byte,
            1 => b.insert(at, byte),
            _ => {
                b.remove(at);
            }
        }
    }
    b
}

/// Interesting bytes for text formats: digits, separators, quotes, brackets, line
/// ends, escapes, and anything else.
fn byte() -> impl Strategy<Value = u8> {
    prop_oneof![
        3 => prop::sample::select(b"0123456789.,=\"'[]{}#\n\r -eE+_".to_vec()),
        1 => any::<u8>(),
    ]
}

proptest! {
    #![proptest_config(config(64))]

    /// The scenario parser never panics, on arbitrary text or on a mutated real file.
    #[test]
    fn scenario_parser_never_panics(
        junk in ".{0,400}",
        edits in prop::collection::vec((any::<usize>(), byte(), any::<u8>()), 1..8),
    ) {
        let dir = tempfile::tempdir().unwrap();
        let _ = Scenario::from_text(&junk, "junk.toml", "junk", dir.path());
        let text = mutate(village().as_bytes(), &edits);
        if let Ok(t) = String::from_utf8(text) {
            let _ = Scenario::from_text(&t, "village.toml", "village", dir.path());
        }
    }

    /// The households and ties readers never panic, on arbitrary bytes or on mutated
    /// real files; what they accept holds only values the model can store.
    #[test]
    fn data_readers_never_panic(
        junk in prop::collection::vec(byte(), 0..400),
        edits in prop::collection::vec((any::<usize>(), byte(), any::<u8>()), 1..8),
        repair in any::<bool>(),
    ) {
        let dir = tempfile::tempdir().unwrap();
        let data = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/data");
        let groups: Vec<String> = ["elite", "smallholder", "landless"].map(String::from).to_vec();
        let issues: Vec<String> = ["land", "water", "credit"].map(String::from).to_vec();
        let hh_real = std::fs::read(data.join("households.csv")).unwrap();
        let ties_real = std::fs::read(data.join("ties.csv")).unwrap();
        for (k, bytes) in [junk.clone(), mutate(&hh_real, &edits)].into_iter().enumerate() {
            let p = dir.path().join(format!("h{k}.csv"));
            std::fs::write(&p, &bytes).unwrap();
            if let Ok(rows) = load_households(&p, "h.csv", &groups, &issues) {
                for r in rows {
                    prop_assert!((r.resources as f32).is_finite());
                    prop_assert!(r.resources == 0.0 || r.resources as f32 > 0.0);
                }
            }
        }
        // Both kinds of id index: a table (small ids) and a hash map (large ones).
        let dense = IdIndex::new(&(0..200u64).map(|i| 1000 + i).collect::<Vec<_>>());
        let sparse = IdIndex::new(&(0..200u64).map(|i| 1000 + i * 1_000_003).collect::<Vec<_>>());
        prop_assert!(matches!(dense, IdIndex::Dense(_)) && matches!(sparse, IdIndex::Sparse(_)));
        for (k, bytes) in [junk, mutate(&ties_real, &edits)].into_iter().enumerate() {
            let p = dir.path().join(format!("t{k}.csv"));
            std::fs::write(&p, &bytes).unwrap();
            let _ = load_edges(&p, "t.csv", 60, None, repair);
            let _ = load_edges(&p, "t.csv", 200, Some(&sparse), repair);
            if let Ok(e) = load_edges(&p, "t.csv", 200, Some(&dense), repair) {
                prop_assert!(!e.edges.is_empty());
                for w in e.weights.iter().flatten() {
                    prop_assert!(w.is_finite() && *w > 0.0);
                }
            }
        }
    }

    /// Part-file parsing never panics; a part accepts only its own run; and no change
    /// of one byte, nor a cut, of a valid part is accepted.
    #[test]
    fn part_parsing_never_panics_and_catches_every_edit(
        junk in prop::collection::vec(any::<u8>(), 0..300),
        rows in "[a-z0-9,.\n]{0,200}",
        at in any::<usize>(),
        to in any::<u8>(),
        cut in any::<usize>(),
    ) {
        let _ = Part::parse(&junk);
        let spec = RunSpec {
            index: 7,
            strategy: 1,
            point: 0,
            replicate: 3,
            seed: 42,
            village_seed: 1,
            environment_seed: 2,
        };
        let sections: Vec<(Table, Vec<u8>)> = Table::ALL
            .iter()
            .map(|&t| (t, if t == Table::Runs { rows.clone().into_bytes() } else { Vec::new() }))
            .collect();
        let good = Part::encode(&spec, &sections);
        let ok = |b: &[u8]| Part::parse(b).and_then(|p| p.check(&spec)).is_ok();
        prop_assert!(ok(&good));
        let other = RunSpec { index: 8, ..spec.clone() };
        prop_assert!(Part::parse(&good).unwrap().check(&other).is_err());
        let mut bad = good.clone();
        let i = at % bad.len();
        if bad[i] != to {
            bad[i] = to;
            prop_assert!(!ok(&bad), "an edit at byte {i} was accepted");
        }
        let cut = cut % good.len();
        prop_assert!(!ok(&good[..cut]), "a part cut at {cut} was accepted");
    }
}

/// A small scenario for the merge and resume properties: 2 strategies × 4
/// replicates = 8 runs, in two shards of 4.
fn small(dir: &Path) {
    std::fs::write(
        dir.join("s.toml"),
        "[scenario]\nname = \"fz\"\nseed = 9\nreplicates = 4\n[time]\nsteps = 12\n\
         [population]\nhouseholds = 25\n[strategies.a]\n[strategies.b]\n\
         organizer.facilitation = \"open\"\n",
    )
    .unwrap();
}

fn run(dir: &Path, args: &[&str]) -> std::process::Output {
    Command::new(BIN)
        .args(args)
        .current_dir(dir)
        .output()
        .unwrap()
}

/// One change to the parts of shard 0 (runs 0..4).
#[derive(Debug, Clone)]
enum Damage {
    /// Part `a` given the contents of part `b` (a copy, or half a swap).
    Copy(usize, usize),
    /// Parts `a` and `b` swapped.
    Swap(usize, usize),
    /// Part `a` cut to `n` bytes (modulo its length).
    Truncate(usize, usize),
    /// Byte `n` (modulo the length) of part `a` set to `b`.
    Corrupt(usize, usize, u8),
    /// Part `a` removed.
    Remove(usize),
}

fn damage() -> impl Strategy<Value = Damage> {
    prop_oneof![
        (0..4usize, 0..4usize).prop_map(|(a, b)| Damage::Copy(a, b)),
        (0..4usize, 0..4usize).prop_map(|(a, b)| Damage::Swap(a, b)),
        (0..4usize, any::<usize>()).prop_map(|(a, n)| Damage::Truncate(a, n)),
        (0..4usize, any::<usize>(), any::<u8>()).prop_map(|(a, n, b)| Damage::Corrupt(a, n, b)),
        (0..4usize).prop_map(Damage::Remove),
    ]
}

proptest! {
    #![proptest_config(config(12))]

    /// Whatever is done to a shard's parts, `merge` refuses unless the parts are
    /// unchanged, and `--resume` repairs the shard so that the merge is the one-process
    /// run, byte for byte.
    #[test]
    fn merge_refuses_and_resume_repairs_damaged_parts(
        damages in prop::collection::vec(damage(), 1..4),
    ) {
        let t = tempfile::tempdir().unwrap();
        let d = t.path();
        small(d);
        for args in [
            &["run", "s.toml", "--out", "ref", "-q"][..],
            &["run", "s.toml", "--shard", "0/2", "--out", "s0", "-q"],
            &["run", "s.toml", "--shard", "1/2", "--out", "s1", "-q"],
        ] {
            let o = run(d, args);
            prop_assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        }
        let part = |i: usize| d.join(format!("s0/.kampung/parts/{i:09}.part"));
        let original: Vec<Vec<u8>> = (0..4).map(|i| std::fs::read(part(i)).unwrap()).collect();
        for dmg in &damages {
            let read = |i: usize| std::fs::read(part(i)).unwrap_or_default();
            match *dmg {
                Damage::Copy(a, b) => std::fs::write(part(a), read(b)).unwrap(),
                Damage::Swap(a, b) => {
                    let (x, y) = (read(a), read(b));
                    std::fs::write(part(a), y).unwrap();
                    std::fs::write(part(b), x).unwrap();
                }
                Damage::Truncate(a, n) => {
                    let x = read(a);
                    let n = if x.is_empty() { 0 } else { n % x.len() };
                    std::fs::write(part(a), &x[..n]).unwrap();
                }
                Damage::Corrupt(a, n, b) => {
                    let mut x = read(a);
                    if !x.is_empty() {
                        let n = n % x.len();
                        x[n] = b;
                    }
                    std::fs::write(part(a), x).unwrap();
                }
                Damage::Remove(a) => {
                    let _ = std::fs::remove_file(part(a));
                }
            }
        }
        let unchanged = (0..4).all(|i| std::fs::read(part(i)).ok().as_ref() == Some(&original[i]));
        let m = run(d, &["merge", "--out", "m", "s0", "s1", "-q"]);
        if unchanged {
            prop_assert!(m.status.success(), "{}", String::from_utf8_lossy(&m.stderr));
        } else {
            let e = String::from_utf8_lossy(&m.stderr);
            prop_assert_eq!(m.status.code(), Some(2), "damaged parts accepted: {:?}", damages);
            prop_assert!(!e.contains("panicked"), "{}", e);
            prop_assert!(!d.join("m/runs.csv").exists());
        }
        let r = run(d, &["run", "s.toml", "--shard", "0/2", "--out", "s0", "--resume", "-q"]);
        prop_assert!(r.status.success(), "{}", String::from_utf8_lossy(&r.stderr));
        let m = run(d, &["merge", "--out", "m", "s0", "s1", "-q", "--force"]);
        prop_assert!(m.status.success(), "{}", String::from_utf8_lossy(&m.stderr));
        for f in ["timeseries.csv", "runs.csv", "stages.csv", "groups.csv", "summary.csv", "compare.csv"] {
            prop_assert!(
                std::fs::read(d.join("ref").join(f)).unwrap() == std::fs::read(d.join("m").join(f)).unwrap(),
                "{} differs after resume", f
            );
        }
    }
}
