//! Benchmark of the whole model step ([`Simulation::step`]) with the default
//! parameters, for villages of 1 000, 10 000 and 100 000 households (2% seeded
//! participants).
//!
//! The model's state changes from step to step (stages, meetings that add ties,
//! actions), so one step is not representative of another. Each benchmark therefore
//! measures the mean cost of a step over a whole default-length run: it steps a run
//! from the start to its last step (`time.steps`), then starts again from a fresh
//! copy of the same initial simulation; only the steps are timed, not the copying.
//! Throughput is in households (household-steps per second).
//!
//! `recording` measures what watching a run costs: the same whole-run steps at 20 000
//! and 100 000 households, once alone (`step`) and once with every step measured,
//! groups included (`step+measure`), as `kampung run` does with `record_every = 1`.
//! The ratio of the two is the cost of recording every step.
//!
//! `meeting_step` times, over the same whole default runs, the steps in which a
//! meeting added bridging ties (`ties_added`) and those in which none were added
//! (`no_ties_added`), each counting only steps of its kind: the ratio is what adding
//! ties to the network costs a step.
//!
//! Run with `cargo bench --bench model`; see `docs/performance.md`.

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use kampung::model::Params;
use kampung::model::Simulation;
use kampung::model::rng::rng_from_seed;
use kampung::model::village::NoDataFiles;
use kampung::model::village::Village;
use std::time::{Duration, Instant};

fn params(n: usize) -> Params {
    let mut p = Params::default();
    p.population.households = n;
    p.participation.seed_share = 0.02;
    p
}

fn model_step(c: &mut Criterion) {
    let mut g = c.benchmark_group("model_step");
    g.sample_size(10)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(5));
    let all: Vec<(usize, Params)> = [1_000, 10_000, 100_000]
        .into_iter()
        .map(|n| (n, params(n)))
        .collect();
    for (n, p) in &all {
        let village = Village::build(p, &NoDataFiles, &mut rng_from_seed(1));
        let fresh = Simulation::new(p, village, rng_from_seed(2));
        let steps = p.time.steps;
        g.throughput(Throughput::Elements(*n as u64));
        g.bench_function(BenchmarkId::from_parameter(n), |b| {
            b.iter_custom(|iters| {
                let mut sim = fresh.clone();
                let mut total = Duration::ZERO;
                for _ in 0..iters {
                    if sim.current_step() >= steps {
                        sim = fresh.clone();
                    }
                    let t0 = Instant::now();
                    sim.step();
                    total += t0.elapsed();
                }
                total
            })
        });
    }
    g.finish();
}

fn recording(c: &mut Criterion) {
    let mut g = c.benchmark_group("recording");
    g.sample_size(10)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(5));
    for n in [20_000, 100_000] {
        let p = params(n);
        let village = Village::build(&p, &NoDataFiles, &mut rng_from_seed(1));
        let fresh = Simulation::new(&p, village, rng_from_seed(2));
        let steps = p.time.steps;
        g.throughput(Throughput::Elements(n as u64));
        for measured in [false, true] {
            let name = if measured { "step+measure" } else { "step" };
            g.bench_function(BenchmarkId::new(name, n), |b| {
                b.iter_custom(|iters| {
                    let mut sim = fresh.clone();
                    let mut groups = Vec::new();
                    let mut total = Duration::ZERO;
                    for _ in 0..iters {
                        if sim.current_step() >= steps {
                            sim = fresh.clone();
                        }
                        let t0 = Instant::now();
                        sim.step();
                        if measured {
                            std::hint::black_box(sim.measure_with_groups(Some(&mut groups)));
                        }
                        total += t0.elapsed();
                    }
                    total
                })
            });
        }
    }
    g.finish();
}

/// Steps in which a meeting added bridging ties against steps in which none were
/// added (issue 15, item 3: a step with a meeting should cost at most 1.5 times one
/// without). Both are timed over the same default runs, restarted as needed, each
/// counting only steps of its kind.
fn meeting_step(c: &mut Criterion) {
    let mut g = c.benchmark_group("meeting_step");
    g.sample_size(10)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(5));
    for n in [20_000, 100_000] {
        let p = params(n);
        let village = Village::build(&p, &NoDataFiles, &mut rng_from_seed(1));
        let fresh = Simulation::new(&p, village, rng_from_seed(2));
        let steps = p.time.steps;
        g.throughput(Throughput::Elements(n as u64));
        for with_ties in [true, false] {
            let name = if with_ties {
                "ties_added"
            } else {
                "no_ties_added"
            };
            g.bench_function(BenchmarkId::new(name, n), |b| {
                b.iter_custom(|iters| {
                    let mut sim = fresh.clone();
                    let (mut total, mut counted) = (Duration::ZERO, 0u64);
                    let mut since = 0u32;
                    while counted < iters {
                        since += 1;
                        assert!(
                            since <= 10 * steps,
                            "no step of kind `{name}` in ten default runs"
                        );
                        if sim.current_step() >= steps {
                            sim = fresh.clone();
                        }
                        let before = sim.village().network.edge_count();
                        let t0 = Instant::now();
                        sim.step();
                        let dt = t0.elapsed();
                        let added = sim.village().network.edge_count() != before;
                        if added == with_ties {
                            total += dt;
                            counted += 1;
                            since = 0;
                        }
                    }
                    total
                })
            });
        }
    }
    g.finish();
}

criterion_group!(benches, model_step, recording, meeting_step);
criterion_main!(benches);
