//! Memory per household, measured: the heap capacity held by a village of 100 000
//! households at mean degree 10 (the household arrays, the CSR ties) plus the
//! threshold rule's double buffer must stay under 150 bytes per household, the
//! project's target (see `docs/performance.md`).
//!
//! This is a measurement of real allocations (`Vec` capacities as reported by
//! [`Village::heap_bytes`] and [`ThresholdRule::heap_bytes`]), not an estimate: a
//! field added to every household, a tie list that keeps slack capacity, or weights
//! stored for unweighted ties would all show up here.
//!
//! And a run's peak memory, measured on the `kampung` program itself (the
//! `peak_memory_bytes` its manifest records): it must not grow with the rows and
//! snapshots a run records, since `kampung run` writes them to disk as it makes
//! them.

use kampung::model::Params;
use kampung::model::network::NetworkParams;
use kampung::model::participation::ThresholdRule;
use kampung::model::rng::rng_from_seed;
use kampung::model::village::NoDataFiles;
use kampung::model::village::Village;

/// Bytes per household of a drawn village of `n` households with the given network,
/// ties and rule buffer included.
fn bytes_per_household(n: usize, network: NetworkParams, seed: u64) -> (f64, f64) {
    let mut params = Params::default();
    params.population.households = n;
    params.network = network;
    params.participation.seed_share = 0.02;
    let village = Village::build(&params, &NoDataFiles, &mut rng_from_seed(seed));
    let rule = ThresholdRule::new(n);
    let bytes = village.heap_bytes() + rule.heap_bytes();
    (bytes as f64 / n as f64, village.network.mean_degree())
}

/// 100 000 households at mean degree 10, for the default network (stochastic block
/// model) and Erdős–Rényi, over 3 seeds each (the tie count varies by about 0.1%
/// between seeds, far inside the margin). Each stored tie costs 8 bytes (4 per end),
/// so mean degree 10 is about 40 bytes per household of ties; the rest is the
/// household arrays, the row offsets and the rule's buffer.
#[test]
fn under_150_bytes_per_household_at_mean_degree_10() {
    let n = 100_000;
    for seed in 0..3 {
        for network in [
            NetworkParams::Sbm {
                mean_degree: 10.0,
                homophily: 0.6,
            },
            NetworkParams::ErdosRenyi { mean_degree: 10.0 },
        ] {
            let (bytes, degree) = bytes_per_household(n, network.clone(), seed);
            eprintln!("{network:?}: {bytes:.1} bytes/household at mean degree {degree:.2}");
            assert!((degree - 10.0).abs() < 0.1, "mean degree {degree}");
            assert!(bytes < 150.0, "{network:?}: {bytes} bytes per household");
        }
    }
}

/// Runs `kampung run` on a 1000-household village for `steps` steps with a
/// snapshot of every household at every step, recording every step, on one thread;
/// returns the peak memory its manifest records and the size of `households.csv`
/// (`None` where the peak cannot be read, off Linux).
fn peak_of_run(steps: u32) -> Option<(u64, u64)> {
    let t = tempfile::tempdir().unwrap();
    let d = t.path();
    let snapshots: Vec<String> = (1..steps).map(|s| s.to_string()).collect();
    std::fs::write(
        d.join("s.toml"),
        format!(
            "[scenario]\nseed = 1\nreplicates = 1\n[time]\nsteps = {steps}\n\
             [population]\nhouseholds = 1000\n[output]\nrecord_every = 1\n\
             household_steps = [{}]\n",
            snapshots.join(", ")
        ),
    )
    .unwrap();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_kampung"))
        .args(["run", "s.toml", "--out", "r", "-q", "-j", "1"])
        .current_dir(d)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let m: serde_json::Value =
        serde_json::from_slice(&std::fs::read(d.join("r/manifest.json")).unwrap()).unwrap();
    let csv = std::fs::metadata(d.join("r/households.csv")).unwrap().len();
    m["peak_memory_bytes"].as_u64().map(|p| (p, csv))
}

/// A run that records ten times as many rows and snapshots (400 steps against 40,
/// each with every household: about 80 MB of `households.csv` against 8 MB) peaks
/// at no more memory than the short one, give or take 8 MiB (the allocator's and
/// the page cache's noise; a run's village here is well under 1 MiB).
///
/// Why it could fail: a run that held its snapshots (as clones or as CSV text) or
/// its time series until it ended would peak at least 70 MB higher in the long run;
/// so would gathering a part file by reading it whole.
#[test]
fn a_runs_peak_memory_does_not_grow_with_its_rows() {
    let Some((short, short_csv)) = peak_of_run(40) else {
        eprintln!("peak memory cannot be read here (not Linux): skipped");
        return;
    };
    let (long, long_csv) = peak_of_run(400).unwrap();
    eprintln!(
        "peak memory: {short} bytes for {short_csv} bytes of households.csv, \
         {long} bytes for {long_csv}"
    );
    assert!(
        long_csv > 9 * short_csv,
        "the long run records ten times the rows"
    );
    assert!(
        long < short + (8 << 20),
        "peak memory grew from {short} to {long} bytes with the rows recorded"
    );
}
