//! Benchmarks of the sweep machinery (issue 4):
//!
//! - `strategy_comparison`: runs per second of the shipped strategy comparison
//!   (`scenarios/strategies.toml`, every strategy, 4 replicates each, saved to disk as
//!   the CLI does) on 1 and 2 threads; throughput is in runs.
//! - `overhead`: one 500-household, 260-step run of the default village alone, and the
//!   same run with what the sweep adds around it (panic guard, blow-up check, writing
//!   its part files: held in memory and saved, or streamed as `kampung run` does);
//!   the difference is the machinery's overhead per run.
//!
//! Run with `cargo bench --bench sweep`; the figures are in `docs/performance.md`.

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use kampung::Scenario;
use kampung::experiment::output::Table;
use kampung::experiment::rows;
use kampung::experiment::runner;
use kampung::experiment::store::{Mode, Store};
use std::path::Path;
use std::time::Duration;

fn strategy_comparison(c: &mut Criterion) {
    let mut s = Scenario::from_file(Path::new("scenarios/strategies.toml")).expect("valid");
    s.replicates = 4;
    let specs = runner::plan(&s);
    let mut g = c.benchmark_group("strategy_comparison");
    g.sample_size(10)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(10))
        .throughput(Throughput::Elements(specs.len() as u64));
    for threads in [1usize, 2] {
        g.bench_with_input(BenchmarkId::new("threads", threads), &threads, |b, &t| {
            b.iter(|| {
                let dir = tempfile::tempdir().expect("temp dir");
                let store = Store::open(dir.path(), &s, None, Mode::Fresh).expect("store");
                runner::for_each(&specs, Some(t), &|spec| store.run(&s, spec).map(|_| ()))
                    .expect("runs");
            })
        });
    }
    g.finish();
}

fn overhead(c: &mut Criterion) {
    let mut s = Scenario::from_file(Path::new("scenarios/village.toml")).expect("valid");
    s.replicates = 1;
    s.output.household_steps.clear();
    s.output.households = false;
    let mut p = s.strategies[0].params.clone();
    p.time.steps = 260;
    s.strategies[0].params = p;
    let spec = runner::plan(&s).remove(0);
    let mut g = c.benchmark_group("overhead");
    g.sample_size(20)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(8));
    g.bench_function("run_only", |b| b.iter(|| runner::run_one(&s, &spec)));
    let dir = tempfile::tempdir().expect("temp dir");
    let store = Store::open(dir.path(), &s, None, Mode::Fresh).expect("store");
    let done = runner::run_guarded(&s, &spec);
    g.bench_function("save_only", |b| {
        b.iter(|| store.save(&s, &done).expect("saved"))
    });
    if let runner::Outcome::Done(r) = &done {
        g.bench_function("format_only", |b| {
            b.iter(|| {
                for t in [Table::Timeseries, Table::Groups, Table::Stages, Table::Runs] {
                    rows::write_rows(&mut std::io::sink(), t, &s, store.params(), r).expect("rows");
                }
            })
        });
    }
    g.bench_function("run_guarded", |b| b.iter(|| runner::run_guarded(&s, &spec)));
    g.bench_function("run_guarded_and_saved", |b| {
        b.iter(|| {
            let o = runner::run_guarded(&s, &spec);
            store.save(&s, &o).expect("saved");
        })
    });
    // What `kampung run` does: the run with its rows streamed to its part file.
    g.bench_function("run_streamed", |b| {
        b.iter(|| store.run(&s, &spec).expect("saved"))
    });
    // The same run recorded every 4th step, as scenarios/strategies.toml does: a
    // quarter of the timeseries rows to format and write.
    let mut s4 = s.clone();
    s4.output.record_every = 4;
    let done4 = runner::run_guarded(&s4, &spec);
    let dir4 = tempfile::tempdir().expect("temp dir");
    let store4 = Store::open(dir4.path(), &s4, None, Mode::Fresh).expect("store");
    g.bench_function("save_only_every_4th_step", |b| {
        b.iter(|| store4.save(&s4, &done4).expect("saved"))
    });
    g.finish();
}

criterion_group!(benches, strategy_comparison, overhead);
criterion_main!(benches);
