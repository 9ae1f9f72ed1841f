//! What calibration costs (issue 11, item 5): simulations per second of
//! `scenarios/calibrated.toml`'s calibration problem, one simulation being every
//! strategy its patterns name (four runs of 500 households for 260 weeks), measured
//! at the middle of the prior box on one thread, and a generation's worth of
//! proposals (64) on one and two threads, as `kampung calibrate` runs them.
//!
//! Run with `cargo bench --bench calibrate`; the figures are in
//! `docs/performance.md` and `docs/calibration.md`.

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use kampung::Scenario;
use kampung::experiment::calibrate::Problem;
use rayon::prelude::*;
use std::path::Path;
use std::time::Duration;

fn calibration(c: &mut Criterion) {
    let s = Scenario::from_file(Path::new("scenarios/calibrated.toml")).expect("valid");
    let p = Problem::new(&s).expect("problem");
    let mid: Vec<f64> = p
        .parameters
        .iter()
        .map(|(_, lo, hi)| 0.5 * (lo + hi))
        .collect();
    let mut g = c.benchmark_group("calibration");
    g.sample_size(10)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(10));
    g.throughput(Throughput::Elements(1));
    g.bench_function("one_simulation", |b| {
        let mut seed = 0u64;
        b.iter(|| {
            seed += 1;
            p.statistics(&mid, seed)
        })
    });
    let batch = 64u64;
    g.throughput(Throughput::Elements(batch));
    for threads in [1usize, 2] {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .expect("pool");
        g.bench_with_input(
            BenchmarkId::new("batch_threads", threads),
            &threads,
            |b, _| {
                b.iter(|| {
                    pool.install(|| {
                        (0..batch)
                            .into_par_iter()
                            .map(|k| p.statistics(&mid, k))
                            .collect::<Vec<_>>()
                    })
                })
            },
        );
    }
    g.finish();
}

criterion_group!(benches, calibration);
criterion_main!(benches);
