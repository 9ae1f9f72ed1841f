//! The progress bar of long commands (hidden when not a terminal or with --quiet).

use super::*;

/// Progress on stderr: a bar on a terminal, a line every 10% (or every 30 s)
/// otherwise, nothing with --quiet.
pub(crate) struct Progress {
    bar: Option<indicatif::ProgressBar>,
    total: usize,
    done: AtomicUsize,
    quiet: bool,
    last_line: Mutex<Instant>,
    start: Instant,
}

impl Progress {
    pub(crate) fn new(total: usize, quiet: bool) -> Progress {
        let bar = (!quiet && std::io::stderr().is_terminal()).then(|| {
            let b = indicatif::ProgressBar::new(total as u64);
            b.set_style(
                indicatif::ProgressStyle::with_template(
                    "  [{bar:40}] {pos}/{len} runs, {per_sec}, ETA {eta}",
                )
                .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar())
                .progress_chars("=> "),
            );
            b
        });
        Progress {
            bar,
            total,
            done: AtomicUsize::new(0),
            quiet,
            last_line: Mutex::new(Instant::now()),
            start: Instant::now(),
        }
    }

    pub(crate) fn tick(&self) {
        let k = self.done.fetch_add(1, Ordering::Relaxed) + 1;
        if let Some(b) = &self.bar {
            b.inc(1);
            return;
        }
        if self.quiet {
            return;
        }
        let step = (self.total / 10).max(1);
        let mut last = self.last_line.lock().unwrap_or_else(|e| e.into_inner());
        if k == self.total || k.is_multiple_of(step) || last.elapsed() > Duration::from_secs(30) {
            let rate = k as f64 / self.start.elapsed().as_secs_f64().max(1e-9);
            let eta = (self.total - k) as f64 / rate.max(1e-9);
            eprintln!(
                "  {k}/{} runs done ({rate:.1} runs/s, ETA {})",
                self.total,
                human_time(eta)
            );
            *last = Instant::now();
        }
    }

    pub(crate) fn note(&self, msg: &str) {
        if self.quiet {
            return;
        }
        match &self.bar {
            Some(b) => b.println(format!("  {msg}")),
            None => eprintln!("  {msg}"),
        }
    }

    pub(crate) fn finish(&self) {
        if let Some(b) = &self.bar {
            b.finish_and_clear();
        }
    }
}
