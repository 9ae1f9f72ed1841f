//! Benchmarks of reading data files (issue 15, item 2): a households CSV and an edge
//! list of the sizes a district-scale study reaches, read by kampung's loaders
//! (`scenario::input`, which check every cell and keep every error located) against
//! a bare reader on the same files (the `csv` crate's byte records, two numbers per
//! row, no checks beyond parsing), the floor any checked reader sits above.
//!
//! - `input/households/N`: `load_households` on N households (id, group, resources);
//! - `input/edges/N`: `load_edges` on 5N ties between them, ids remapped through the
//!   households' ids (`IdIndex`);
//! - `input/bare/N`: the bare reader on both files.
//!
//! Sizes N = 100 000 and 1 000 000 (5 million ties). The files are written once into
//! a temporary folder before timing (ids from 1000 up, no duplicate ties). Set
//! `KAMPUNG_BENCH_SMALL=1` to run the 100 000 size only.

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use kampung::scenario::input::{IdIndex, load_edges, load_households};
use rand::{RngExt, SeedableRng};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::Duration;

fn write_files(dir: &Path, n: usize) -> (PathBuf, PathBuf) {
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(n as u64);
    let hh = dir.join(format!("households-{n}.csv"));
    let mut f = std::io::BufWriter::new(std::fs::File::create(&hh).unwrap());
    writeln!(f, "id,group,resources").unwrap();
    for i in 0..n {
        let g = if rng.random::<f64>() < 0.3 {
            "landless"
        } else {
            "others"
        };
        writeln!(f, "{},{g},{:.4}", 1000 + i, rng.random_range(1.0..30.0)).unwrap();
    }
    drop(f);
    let ties = dir.join(format!("ties-{n}.csv"));
    let mut f = std::io::BufWriter::new(std::fs::File::create(&ties).unwrap());
    writeln!(f, "source,target").unwrap();
    // A ring lattice over a random order: 5 ties per household, none repeated.
    let mut order: Vec<usize> = (0..n).collect();
    for i in (1..n).rev() {
        order.swap(i, rng.random_range(0..=i));
    }
    for k in 1..=5 {
        for i in 0..n {
            writeln!(f, "{},{}", 1000 + order[i], 1000 + order[(i + k) % n]).unwrap();
        }
    }
    drop(f);
    (hh, ties)
}

/// The bare reader: byte records, two fields parsed per row, ids remapped through a
/// table; no checks, no error positions.
fn bare(hh: &Path, ties: &Path) -> (usize, usize) {
    let mut r = csv::Reader::from_path(hh).unwrap();
    let mut rec = csv::ByteRecord::new();
    let mut ids = Vec::new();
    let mut resources = Vec::new();
    while r.read_byte_record(&mut rec).unwrap() {
        let id: u64 = std::str::from_utf8(&rec[0]).unwrap().parse().unwrap();
        let res: f64 = std::str::from_utf8(&rec[2]).unwrap().parse().unwrap();
        ids.push(id);
        resources.push(res);
    }
    let max = ids.iter().copied().max().unwrap_or(0) as usize;
    let mut table = vec![u32::MAX; max + 1];
    for (i, &id) in ids.iter().enumerate() {
        table[id as usize] = i as u32;
    }
    let mut r = csv::Reader::from_path(ties).unwrap();
    let mut edges: Vec<(u32, u32)> = Vec::new();
    while r.read_byte_record(&mut rec).unwrap() {
        let a: usize = std::str::from_utf8(&rec[0]).unwrap().parse().unwrap();
        let b: usize = std::str::from_utf8(&rec[1]).unwrap().parse().unwrap();
        edges.push((table[a], table[b]));
    }
    (resources.len(), edges.len())
}

fn input(c: &mut Criterion) {
    let dir = tempfile::tempdir().unwrap();
    let sizes: &[usize] = if std::env::var_os("KAMPUNG_BENCH_SMALL").is_some() {
        &[100_000]
    } else {
        &[100_000, 1_000_000]
    };
    let groups = vec!["others".to_string(), "landless".to_string()];
    let issues = vec!["land".to_string()];
    let mut g = c.benchmark_group("input");
    g.sample_size(10)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(8));
    for &n in sizes {
        let (hh, ties) = write_files(dir.path(), n);
        let rows = load_households(&hh, "households.csv", &groups, &issues).unwrap();
        let index = IdIndex::new(&rows.iter().map(|r| r.id).collect::<Vec<_>>());
        g.throughput(Throughput::Elements(n as u64));
        g.bench_function(BenchmarkId::new("households", n), |b| {
            b.iter(|| load_households(&hh, "households.csv", &groups, &issues).unwrap())
        });
        g.throughput(Throughput::Elements(5 * n as u64));
        g.bench_function(BenchmarkId::new("edges", n), |b| {
            b.iter(|| load_edges(&ties, "ties.csv", n, Some(&index), false).unwrap())
        });
        g.throughput(Throughput::Elements(6 * n as u64));
        g.bench_function(BenchmarkId::new("bare", n), |b| b.iter(|| bare(&hh, &ties)));
    }
    g.finish();
}

criterion_group!(benches, input);
criterion_main!(benches);
