//! A whole run of `kampung` from data files against a bare reader and kernel on the
//! same files (issue 15, item 6).
//!
//! The files are written by the shipped script `scripts/village-files.py` (an
//! Erdős–Rényi village of N households at mean degree 10, thresholds Normal(0.3,
//! 0.1), and a contagion-only scenario reading them: 30 steps, 3% seeded, one row at
//! the end), once, into a temporary folder, before timing:
//!
//! - `process/kampung/N`: the `kampung run` process on that scenario, one thread,
//!   from start to exit: reading and checking both files with located errors,
//!   building the village, 30 steps (the frontier rule, as a contagion-only run
//!   uses), the measures at steps 0 and 30, and writing a results folder;
//! - `process/bare/N`: the bare reader and kernel of `benches/common/bare.rs` on the
//!   same files, in this process: byte records, no checks, a CSR built by counting
//!   sort, the same 3% share seeded (other households), 30 full synchronous steps.
//!
//! The ratio of the two is what kampung's checks, its village and its outputs cost
//! over the floor. N = 100 000 and 1 000 000 (`KAMPUNG_BENCH_SMALL=1`: 100 000
//! only). Needs `python3` on the PATH. Run with `cargo bench --bench process`.

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use rand::{RngExt, SeedableRng};
use std::hint::black_box;
use std::path::Path;
use std::process::Command;
use std::time::Duration;

#[path = "common/bare.rs"]
mod bare;

/// Writes the village files of `n` households into `dir` with the shipped script.
fn write_files(dir: &Path, n: usize) {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("scripts/village-files.py");
    let status = Command::new("python3")
        .arg(script)
        .args([&n.to_string(), "10", "1"])
        .arg(dir)
        .status()
        .expect("python3 runs");
    assert!(status.success(), "scripts/village-files.py failed");
}

/// The bare run: read, seed 3%, 30 steps. Returns how many take part at the end.
fn bare_run(dir: &Path) -> usize {
    let (threshold, g) = bare::read(&dir.join("households.csv"), &dir.join("ties.csv"));
    let n = g.len();
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(1);
    let mut cur: Vec<bool> = (0..n).map(|_| rng.random::<f64>() < 0.03).collect();
    let mut next = vec![false; n];
    for _ in 0..30 {
        bare::step(&g, &threshold, &cur, &mut next);
        std::mem::swap(&mut cur, &mut next);
    }
    cur.iter().filter(|&&p| p).count()
}

fn process(c: &mut Criterion) {
    let sizes: &[usize] = if std::env::var_os("KAMPUNG_BENCH_SMALL").is_some() {
        &[100_000]
    } else {
        &[100_000, 1_000_000]
    };
    let mut g = c.benchmark_group("process");
    g.sample_size(10)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(10));
    for &n in sizes {
        let files = tempfile::tempdir().expect("temp dir");
        write_files(files.path(), n);
        g.throughput(Throughput::Elements(n as u64));
        g.bench_function(BenchmarkId::new("kampung", n), |b| {
            b.iter(|| {
                let out = Command::new(env!("CARGO_BIN_EXE_kampung"))
                    .args([
                        "run",
                        "village.toml",
                        "--out",
                        "r",
                        "--force",
                        "-q",
                        "-j",
                        "1",
                    ])
                    .current_dir(files.path())
                    .output()
                    .expect("kampung runs");
                assert!(
                    out.status.success(),
                    "{}",
                    String::from_utf8_lossy(&out.stderr)
                );
            })
        });
        g.bench_function(BenchmarkId::new("bare", n), |b| {
            b.iter(|| black_box(bare_run(files.path())))
        });
    }
    g.finish();
}

criterion_group!(benches, process);
criterion_main!(benches);
