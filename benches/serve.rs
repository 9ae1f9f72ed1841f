//! Frames per second of `kampung serve`: one frame is a step of both villages (the
//! left as planned, the right with the organization stage skipped) and the encoding
//! of the frame sent to the pages (every household's state bytes and the step's
//! chart points and announcements), for villages of 1 000 and 10 000 households.
//!
//! As in `benches/model.rs`, each measurement steps a run from the start to its last
//! step and starts again from a fresh pair; criterion's `thrpt` is in frames per
//! second. Run with `cargo bench --bench serve`.

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use kampung::Scenario;
use kampung::serve::protocol::frame_message;
use kampung::serve::session::{Setup, resize};
use std::time::{Duration, Instant};

fn setup(n: usize) -> Setup {
    let mut s = Scenario::from_file("scenarios/village.toml".as_ref()).expect("village.toml");
    resize(&mut s, n).expect("a generated village");
    Setup::new(s, None).expect("the village has an organizer")
}

fn frames(c: &mut Criterion) {
    let mut g = c.benchmark_group("serve_frame");
    g.sample_size(10)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(4));
    for n in [1_000usize, 10_000] {
        let s = setup(n);
        g.throughput(Throughput::Elements(1));
        g.bench_function(BenchmarkId::from_parameter(n), |b| {
            b.iter_custom(|iters| {
                let mut pair = s.start();
                let mut buf = Vec::new();
                let mut total = Duration::ZERO;
                for _ in 0..iters {
                    if pair.finished() {
                        pair = s.start();
                    }
                    let t0 = Instant::now();
                    let said = pair.announcements().len();
                    pair.advance();
                    buf.clear();
                    frame_message(&mut pair, 1, said, &mut buf);
                    std::hint::black_box(&buf);
                    total += t0.elapsed();
                }
                total
            })
        });
    }
    g.finish();
}

criterion_group!(benches, frames);
criterion_main!(benches);
