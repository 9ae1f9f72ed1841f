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
//! The ratio of the two is the cost of recording every step. It also times the
//! measures alone (`measure`, the step untimed) and bare versions of their two
//! costliest parts, each alone (`bare_gini`: the exact Gini coefficient by a plain
//! radix sort; `bare_sums`: the sums behind the village's and groups' means,
//! reassociated; see `benches/common/bare_measures.rs`), checked first to give the
//! same numbers.
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
use kampung::model::household::Households;
use kampung::model::rng::rng_from_seed;
use kampung::model::village::NoDataFiles;
use kampung::model::village::Village;
use std::hint::black_box;
use std::time::{Duration, Instant};

#[path = "common/bare_measures.rs"]
mod bare;

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
        let k = p.population.groups.len();
        check_bare_measures(&fresh, steps / 2);
        g.throughput(Throughput::Elements(n as u64));
        for kind in Timed::ALL {
            g.bench_function(BenchmarkId::new(kind.name(), n), |b| {
                b.iter_custom(|iters| {
                    let mut sim = fresh.clone();
                    let (mut groups, mut sums) = (Vec::new(), Vec::new());
                    let mut scratch = bare::GiniScratch::default();
                    let mut total = Duration::ZERO;
                    for _ in 0..iters {
                        if sim.current_step() >= steps {
                            sim = fresh.clone();
                        }
                        // The step is timed only when it is part of what is measured.
                        if !kind.steps() {
                            sim.step();
                        }
                        let t0 = Instant::now();
                        if kind.steps() {
                            sim.step();
                        }
                        match kind {
                            Timed::Step => {}
                            Timed::StepMeasure | Timed::Measure => {
                                black_box(sim.measure_with_groups(Some(&mut groups)));
                            }
                            Timed::BareGini => {
                                let h = &sim.village().households;
                                black_box(bare::gini(&h.resources, &mut scratch));
                            }
                            Timed::BareSums => {
                                let h = &sim.village().households;
                                bare::sums(&quantities(h), k, &mut sums);
                                black_box(&sums);
                            }
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

/// What a `recording` benchmark times of each step of a run.
#[derive(Clone, Copy, PartialEq)]
enum Timed {
    /// The step alone.
    Step,
    /// The step and the measures of a recorded row, groups included.
    StepMeasure,
    /// The measures alone (the step untimed).
    Measure,
    /// A bare exact Gini coefficient alone (the step untimed).
    BareGini,
    /// Bare sums behind the village's and groups' means alone (the step untimed).
    BareSums,
}

impl Timed {
    const ALL: [Timed; 5] = [
        Timed::Step,
        Timed::StepMeasure,
        Timed::Measure,
        Timed::BareGini,
        Timed::BareSums,
    ];

    fn name(self) -> &'static str {
        match self {
            Timed::Step => "step",
            Timed::StepMeasure => "step+measure",
            Timed::Measure => "measure",
            Timed::BareGini => "bare_gini",
            Timed::BareSums => "bare_sums",
        }
    }

    fn steps(self) -> bool {
        matches!(self, Timed::Step | Timed::StepMeasure)
    }
}

fn quantities(h: &Households) -> bare::Quantities<'_> {
    bare::Quantities {
        group: &h.group,
        marginalized: &h.marginalized,
        values: [
            &h.resources,
            &h.access,
            &h.benefit,
            &h.trust,
            &h.awareness,
            &h.efficacy,
        ],
    }
}

/// The bare kernel computes the same numbers as the model's measures (to rounding:
/// its sums are reassociated) after `steps` steps, or the comparison means nothing.
fn check_bare_measures(fresh: &Simulation, steps: u32) {
    let mut sim = fresh.clone();
    for _ in 0..steps {
        sim.step();
    }
    let mut groups = Vec::new();
    let m = sim.measure_with_groups(Some(&mut groups));
    let h = &sim.village().households;
    let n = h.len() as f64;
    let close = |a: f64, b: f64| (a - b).abs() <= 1e-9 * a.abs().max(b.abs()).max(1e-300);
    let gini = bare::gini(&h.resources, &mut bare::GiniScratch::default());
    assert!(close(gini, m.gini), "bare Gini {gini} against {}", m.gini);
    let k = groups.len();
    let mut sums = Vec::new();
    bare::sums(&quantities(h), k, &mut sums);
    let village = |q: usize| sums[..k].iter().map(|s| s[q]).sum::<f64>() / n;
    assert!(close(village(0), m.mean_resources), "mean resources");
    assert!(close(village(3), m.mean_trust), "mean trust");
    assert!(close(village(5), m.mean_efficacy), "mean efficacy");
    for (g, gm) in groups.iter().enumerate() {
        let mean = sums[g][0] / gm.households;
        assert!(close(mean, gm.mean_resources), "group {g}'s mean resources");
    }
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
