//! Benchmarks of the synchronous threshold step ([`ThresholdRule::step`]), the model's
//! innermost loop, and a report of memory per household.
//!
//! - `threshold_step/households`: one step on Erdős–Rényi graphs of 10 000, 100 000
//!   and 1 000 000 households at mean degree 10;
//! - `threshold_step/mean_degree`: one step on 100 000 households at mean degree 4, 10
//!   and 20 (how the cost grows with ties).
//!
//! Throughput is reported in households (household-steps per second). The state is
//! the realistic one for a step early in collective action: thresholds drawn from
//! Normal(0.3, 0.1) clipped to [0, 1] (the model's default) and 3% of households
//! participating, so 97% of households evaluate all their ties (the rule skips those
//! already participating). Each measured step starts from that same state (the copy
//! of the state is made outside the timing).
//!
//! - `threshold_step/bare_kernel`: the same steps as `threshold_step/households`, on
//!   the same graphs, thresholds and state, by a bare compressed-sparse-row kernel
//!   (`benches/common/bare.rs`, a plain loop over plain arrays): the floor the rule is
//!   measured against (issue 15: within 10%). Before timing, both are run once and
//!   must give the same next state.
//!
//! Memory: before the timings, prints the bytes per household (household arrays, CSR
//! ties and the rule's buffer, by heap capacity) of 100 000-household villages at mean
//! degree 10.
//!
//! - `contagion_run`: a whole contagion-only run to its fixed point from the same
//!   state (100 000 households, mean degree 10), by full scans (`full_scan`) and by
//!   re-evaluating only households tied to the last step's joiners (`frontier`);
//!   the two give the same result at every step (a unit test checks it).
//!
//! Run with `cargo bench --bench threshold`; see `docs/performance.md`.

use criterion::{BatchSize, BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use kampung::model::Params;
use kampung::model::network::{Network, NetworkParams, erdos_renyi};
use kampung::model::participation::ThresholdRule;
use kampung::model::rng::rng_from_seed;
use kampung::model::village::NoDataFiles;
use kampung::model::village::Village;
use rand::RngExt;
use rand_distr::{Distribution, Normal};
use std::hint::black_box;

#[path = "common/bare.rs"]
mod bare;
use std::time::Duration;

/// A graph with thresholds and an initial participation of 3%.
struct Setup {
    network: Network,
    threshold: Vec<f32>,
    participating: Vec<bool>,
}

fn setup(n: usize, mean_degree: f64) -> Setup {
    let mut rng = rng_from_seed(n as u64 ^ (mean_degree as u64) << 40);
    let network = erdos_renyi(&mut rng, n, mean_degree);
    let normal = Normal::new(0.3f64, 0.1).unwrap();
    let threshold = (0..n)
        .map(|_| normal.sample(&mut rng).clamp(0.0, 1.0) as f32)
        .collect();
    let participating = (0..n).map(|_| rng.random::<f64>() < 0.03).collect();
    Setup {
        network,
        threshold,
        participating,
    }
}

fn bench_step(
    c: &mut Criterion,
    group: &str,
    cases: &[(usize, f64)],
    label: fn(usize, f64) -> String,
) {
    let mut g = c.benchmark_group(group);
    g.sample_size(20)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(3));
    for &(n, z) in cases {
        let s = setup(n, z);
        let mut rule = ThresholdRule::new(n);
        g.throughput(Throughput::Elements(n as u64));
        g.bench_function(BenchmarkId::from_parameter(label(n, z)), |b| {
            b.iter_batched_ref(
                || s.participating.clone(),
                |p| black_box(rule.step(&s.network, &s.threshold, p, None)),
                BatchSize::LargeInput,
            )
        });
    }
    g.finish();
}

fn by_households(c: &mut Criterion) {
    let cases = [(10_000, 10.0), (100_000, 10.0), (1_000_000, 10.0)];
    bench_step(c, "threshold_step/households", &cases, |n, _| n.to_string());
}

/// The bare kernel on the graphs, thresholds and states of `by_households`, its
/// tie lists copied row by row from the model's network (the same order in memory).
fn bare_kernel(c: &mut Criterion) {
    let mut g = c.benchmark_group("threshold_step/bare_kernel");
    g.sample_size(20)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(3));
    for n in [10_000, 100_000, 1_000_000] {
        let s = setup(n, 10.0);
        let mut offsets = vec![0u32];
        let mut targets = Vec::new();
        for i in 0..n {
            targets.extend_from_slice(s.network.neighbors(i));
            offsets.push(targets.len() as u32);
        }
        let csr = bare::Csr { offsets, targets };
        // Both give the same step.
        let mut next = vec![false; n];
        let joined = bare::step(&csr, &s.threshold, &s.participating, &mut next);
        let mut p = s.participating.clone();
        let by_rule = ThresholdRule::new(n).step(&s.network, &s.threshold, &mut p, None);
        assert!(
            joined == by_rule && next == p,
            "the bare kernel is not the rule"
        );
        g.throughput(Throughput::Elements(n as u64));
        g.bench_function(BenchmarkId::from_parameter(n), |b| {
            b.iter(|| black_box(bare::step(&csr, &s.threshold, &s.participating, &mut next)))
        });
    }
    g.finish();
}

fn by_degree(c: &mut Criterion) {
    let cases = [(100_000, 4.0), (100_000, 10.0), (100_000, 20.0)];
    bench_step(c, "threshold_step/mean_degree", &cases, |_, z| {
        z.to_string()
    });
}

/// Prints bytes per household at mean degree 10 (the test `tests/memory.rs` asserts
/// the bound).
fn memory(_: &mut Criterion) {
    let n = 100_000;
    for network in [
        NetworkParams::Sbm {
            mean_degree: 10.0,
            homophily: 0.6,
        },
        NetworkParams::ErdosRenyi { mean_degree: 10.0 },
    ] {
        let mut params = Params::default();
        params.population.households = n;
        params.network = network.clone();
        params.participation.seed_share = 0.02;
        let v = Village::build(&params, &NoDataFiles, &mut rng_from_seed(1));
        let rule = ThresholdRule::new(n);
        let (hh, ties, buf) = (
            v.households.heap_bytes() as f64 / n as f64,
            v.network.heap_bytes() as f64 / n as f64,
            rule.heap_bytes() as f64 / n as f64,
        );
        eprintln!(
            "memory {network:?}, {n} households, mean degree {:.2}: {:.1} bytes/household \
             (households {hh:.1}, ties {ties:.1}, rule buffer {buf:.1})",
            v.network.mean_degree(),
            hh + ties + buf
        );
    }
}

fn contagion_run(c: &mut Criterion) {
    let mut g = c.benchmark_group("contagion_run");
    g.sample_size(10)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(3));
    let n = 100_000;
    let s = setup(n, 10.0);
    let mut rule = ThresholdRule::new(n);
    for frontier in [false, true] {
        let name = if frontier { "frontier" } else { "full_scan" };
        g.bench_function(BenchmarkId::new(name, n), |b| {
            b.iter_batched_ref(
                || s.participating.clone(),
                |p| {
                    rule.reset_frontier();
                    let mut steps = 0;
                    loop {
                        let joined = if frontier {
                            rule.step_frontier(&s.network, &s.threshold, p)
                        } else {
                            rule.step(&s.network, &s.threshold, p, None)
                        };
                        steps += 1;
                        if joined == 0 || steps == 1000 {
                            break black_box(steps);
                        }
                    }
                },
                BatchSize::LargeInput,
            )
        });
    }
    g.finish();
}

criterion_group!(
    benches,
    memory,
    by_households,
    bare_kernel,
    by_degree,
    contagion_run
);
criterion_main!(benches);
