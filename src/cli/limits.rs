//! Limits the commands check before starting work: worker threads, and the memory
//! the runs in flight would need against what the machine has available.

use super::*;

/// The worker threads `-j`/`--threads` asks for (all cores when not given), refused
/// outside `1..=MAX_THREADS`.
pub(crate) fn threads_of(arg: Option<usize>) -> Result<usize, Error> {
    match arg {
        None => Ok(rayon::current_num_threads().clamp(1, MAX_THREADS)),
        Some(n) if (1..=MAX_THREADS).contains(&n) => Ok(n),
        Some(n) => Err(Error::Run(format!(
            "--threads {n}: out of range (allowed: a whole number in [1, {MAX_THREADS}])"
        ))),
    }
}

/// The most worker threads a command starts.
pub(crate) const MAX_THREADS: usize = 1024;

/// The memory available to new programs (`MemAvailable` of `/proc/meminfo`), when
/// it can be read.
pub(crate) fn mem_available() -> Option<u64> {
    let text = std::fs::read_to_string("/proc/meminfo").ok()?;
    let line = text.lines().find(|l| l.starts_with("MemAvailable:"))?;
    let kb: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb.saturating_mul(1024))
}

/// Refuses a plan whose runs in flight (`threads` of them) would need more memory
/// than the machine has available, stating the estimate and the limit.
pub(crate) fn check_memory(s: &Scenario, threads: usize) -> Result<(), Error> {
    let per_run = s.memory_per_run();
    let in_flight = per_run.saturating_mul(threads.min(s.run_count().max(1)) as u64);
    match mem_available() {
        Some(avail) if in_flight > avail => Err(Error::Run(format!(
            "not enough memory: {} runs in flight × about {} each = {}, but {} is available; \
             use fewer threads (-j) or lighten the runs (output.record_every, fewer steps)",
            threads.min(s.run_count().max(1)),
            kampung::scenario::gib(per_run),
            kampung::scenario::gib(in_flight),
            kampung::scenario::gib(avail)
        ))),
        _ => Ok(()),
    }
}
