//! `kampung plan`: a dry run that counts the runs and estimates memory and time from
//! a short pilot.

use super::*;

pub(crate) fn plan(file: &Path, threads: Option<usize>, show: usize) -> Result<ExitCode, Error> {
    let s = Scenario::from_file(file)?;
    let specs = runner::plan(&s);
    let threads = super::limits::threads_of(threads)?;
    super::limits::check_memory(&s, threads)?;
    println!(
        "scenario `{}` ({}): {}",
        s.name,
        file.display(),
        describe(&s)
    );
    // Pilot: the first run of each strategy (at most 4 runs), one at a time.
    let mut pilot: Vec<&runner::RunSpec> = Vec::new();
    for k in 0..s.strategies.len() {
        if let Some(r) = specs.iter().find(|r| r.strategy == k) {
            pilot.push(r);
        }
        if pilot.len() >= 4 {
            break;
        }
    }
    let mut secs = 0.0;
    let mut outputs = Vec::with_capacity(pilot.len());
    let columns = kampung::experiment::output::ParamColumns::new(&s);
    for r in &pilot {
        let t0 = Instant::now();
        // The pilot's rows are counted as they are made, not kept.
        outputs.push(kampung::experiment::disk::PilotRows::of(&s, &columns, r)?);
        secs += t0.elapsed().as_secs_f64();
    }
    let per_run = secs / pilot.len().max(1) as f64;
    let total = per_run * specs.len() as f64 / threads as f64;
    // The same estimate validation checks against its limit: the village (a run's
    // rows go to disk as they are made).
    let in_flight = s.memory_per_run() as usize;
    println!(
        "pilot: {} in {:.3} s ({:.3} s a run)",
        plural(pilot.len(), "run", "runs"),
        secs,
        per_run
    );
    println!(
        "estimate on {}: {} wall time, about {} of memory ({} runs in flight × {} each)",
        plural(threads, "thread", "threads"),
        human_time(total),
        human_bytes(in_flight * threads),
        threads,
        human_bytes(in_flight)
    );
    let files = kampung::experiment::disk::estimate(&s, &outputs);
    let total: u64 = files.iter().map(|f| f.bytes).sum();
    println!(
        "disk: about {} of tables in the results folder (as much again in part files \
         while the runs are under way); rows counted from the scenario × bytes a row \
         measured on the pilot runs' rows:",
        human_bytes(total as usize)
    );
    for f in &files {
        println!(
            "  {:<16} {:>14} rows × {:>8} a row = {:>9}{}",
            f.file,
            group_digits(f.rows),
            human_bytes_small(f.bytes_per_row),
            human_bytes(f.bytes as usize),
            if f.how == "measured" {
                String::new()
            } else {
                format!("  ({})", f.how)
            }
        );
    }
    if let Some(sp) = &s.sensitivity {
        let k = sp.ranges(&s.sweep).len();
        let mut runs: Vec<_> = analysis::sensitivity_runs(sp, k, s.replicates)
            .into_iter()
            .collect();
        runs.sort();
        let text: Vec<String> = runs.iter().map(|(m, n)| format!("{m}: {n} runs")).collect();
        println!("sensitivity ({} parameters): {}", k, text.join(", "));
    }
    println!("first runs:");
    for r in specs.iter().take(show) {
        let label = s.point_label(r.point);
        println!(
            "  #{:<6} strategy {:<20} point {:<4} replicate {:<4} seed {:<20} {}",
            r.index, s.strategies[r.strategy].name, r.point, r.replicate, r.seed, label
        );
    }
    Ok(ExitCode::SUCCESS)
}

pub(crate) fn human_time(secs: f64) -> String {
    if secs < 120.0 {
        format!("{secs:.1} s")
    } else if secs < 7200.0 {
        format!("{:.1} min", secs / 60.0)
    } else {
        format!("{:.1} h", secs / 3600.0)
    }
}

/// A whole number with thin groups of three digits (`1 234 567`).
fn group_digits(n: u64) -> String {
    let s = n.to_string();
    let mut out = String::new();
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push(' ');
        }
        out.push(c);
    }
    out
}

/// Bytes of a row: `612 B`, `1.8 kB`.
fn human_bytes_small(b: f64) -> String {
    if b < 1000.0 {
        format!("{b:.0} B")
    } else {
        format!("{:.1} kB", b / 1e3)
    }
}

pub(crate) fn human_bytes(b: usize) -> String {
    let b = b as f64;
    if b < 1e6 {
        format!("{:.0} kB", b / 1e3)
    } else if b < 1e9 {
        format!("{:.1} MB", b / 1e6)
    } else {
        format!("{:.2} GB", b / 1e9)
    }
}
