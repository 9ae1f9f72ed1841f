//! Frames per second of `kampung serve`: one frame is a step of both villages (the
//! left as planned, the right with the organization stage skipped) and the encoding
//! of the frame sent to the pages (the households' state bytes that changed, or all
//! of them when that is smaller, and the step's chart points and announcements), for
//! villages of 1 000 and 10 000 households. It also prints the mean size of a frame.
//!
//! As in `benches/model.rs`, each measurement steps a run from the start to its last
//! step and starts again from a fresh pair; criterion's `thrpt` is in frames per
//! second. Run with `cargo bench --bench serve`.

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use kampung::Scenario;
use kampung::serve::protocol::Frames;
use kampung::serve::session::{Setup, resize};
use std::time::{Duration, Instant};

fn setup(n: usize) -> Setup {
    let mut s = Scenario::from_file("scenarios/village.toml".as_ref()).expect("village.toml");
    resize(&mut s, n).expect("a generated village");
    Setup::new(s, None).expect("the village has an organizer")
}

/// Prints the mean size of a frame over a whole run, against a frame that sends
/// every household.
fn sizes(n: usize, s: &Setup) {
    let mut pair = s.start();
    let mut frames = Frames::new();
    let (mut total, mut count, mut buf) = (0usize, 0usize, Vec::new());
    while !pair.finished() {
        let said = pair.announcements().len();
        pair.advance();
        buf.clear();
        frames.message(&mut pair, 1, said, false, &mut buf);
        total += buf.len();
        count += 1;
    }
    buf.clear();
    let said = pair.announcements().len();
    frames.message(&mut pair, 1, said, true, &mut buf);
    println!(
        "serve_frame/{n}: {count} frames, mean {} bytes a frame (a full frame: {} bytes)",
        total / count.max(1),
        buf.len()
    );
}

fn frames(c: &mut Criterion) {
    let mut g = c.benchmark_group("serve_frame");
    g.sample_size(10)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(4));
    for n in [1_000usize, 10_000] {
        let s = setup(n);
        sizes(n, &s);
        g.throughput(Throughput::Elements(1));
        g.bench_function(BenchmarkId::from_parameter(n), |b| {
            b.iter_custom(|iters| {
                let mut pair = s.start();
                let mut frames = Frames::new();
                let mut buf = Vec::new();
                let mut total = Duration::ZERO;
                for _ in 0..iters {
                    if pair.finished() {
                        pair = s.start();
                        frames = Frames::new();
                    }
                    let t0 = Instant::now();
                    let said = pair.announcements().len();
                    pair.advance();
                    buf.clear();
                    frames.message(&mut pair, 1, said, false, &mut buf);
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
