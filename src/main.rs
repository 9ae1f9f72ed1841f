//! The `kampung` command line: a thin layer over the library.

use clap::{Parser, Subcommand};
use kampung::analysis;
use kampung::output::{self, RunInfo};
use kampung::store::{self, Mode, PlanFile, Shard, Store};
use kampung::sweep::{self, Outcome};
use kampung::{Error, Scenario};
use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

/// The scenario `run` uses when given none.
const DEFAULT_SCENARIO: &str = "scenarios/village.toml";

/// Exit status when some runs failed (their rows are in failures.csv).
const EXIT_RUNS_FAILED: u8 = 3;

/// Agent-based simulation of community organizing: households, ties, organizers and
/// the people's institution, compared across strategies.
#[derive(Parser, Debug)]
#[command(name = "kampung", version, about, long_about = None)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Run a scenario (every strategy × design point × replicate) and write its results.
    Run {
        /// Scenario file [default: scenarios/village.toml].
        scenario: Option<PathBuf>,
        /// Output folder [default: results/<scenario>-<UTC timestamp>/].
        #[arg(long, short)]
        out: Option<PathBuf>,
        /// Write into an existing, non-empty output folder (replacing its results).
        #[arg(long, conflicts_with = "resume")]
        force: bool,
        /// Finish an interrupted run in --out: only the missing runs are done.
        #[arg(long)]
        resume: bool,
        /// Run only shard I of N (0-based) of the plan, e.g. `--shard 3/16`; join the
        /// shard folders with `kampung merge`. Read from SLURM_ARRAY_TASK_ID and
        /// SLURM_ARRAY_TASK_COUNT when those are set.
        #[arg(long, value_name = "I/N")]
        shard: Option<String>,
        /// Worker threads [default: all cores]; results do not depend on it.
        #[arg(long, short = 'j')]
        threads: Option<usize>,
        /// Print nothing but errors and the results folder.
        #[arg(long, short)]
        quiet: bool,
    },
    /// Check scenario files without running them.
    Validate {
        /// Scenario files.
        #[arg(required = true)]
        scenarios: Vec<PathBuf>,
    },
    /// Dry run: check a scenario, count its runs, estimate memory and time from a
    /// short pilot, and show the first runs.
    Plan {
        /// Scenario file.
        scenario: PathBuf,
        /// Worker threads the estimate assumes [default: all cores].
        #[arg(long, short = 'j')]
        threads: Option<usize>,
        /// How many runs to show.
        #[arg(long, default_value_t = 5)]
        show: usize,
    },
    /// Sensitivity analysis (Morris elementary effects, Sobol indices) of the outcomes
    /// the scenario's `[sensitivity]` table names over its ranges; writes
    /// sensitivity.csv.
    Sensitivity {
        /// Scenario file.
        scenario: PathBuf,
        /// Output folder [default: results/<scenario>-sensitivity-<UTC timestamp>/].
        #[arg(long, short)]
        out: Option<PathBuf>,
        /// Write into an existing, non-empty output folder.
        #[arg(long)]
        force: bool,
        /// Worker threads [default: all cores].
        #[arg(long, short = 'j')]
        threads: Option<usize>,
        /// Print nothing but errors and the output file.
        #[arg(long, short)]
        quiet: bool,
    },
    /// Merge the folders of shard runs into one results folder, identical to a
    /// single-machine run.
    Merge {
        /// Shard folders (each made by `run --shard I/N --out DIR`).
        #[arg(required = true)]
        shards: Vec<PathBuf>,
        /// Folder for the merged results.
        #[arg(long, short)]
        out: PathBuf,
        /// The scenario file [default: the one the shards recorded].
        #[arg(long)]
        scenario: Option<PathBuf>,
        /// Write into an existing, non-empty folder.
        #[arg(long)]
        force: bool,
        /// Print nothing but errors and the results folder.
        #[arg(long, short)]
        quiet: bool,
    },
    /// Play one village through the five stages in the terminal, beside the same
    /// village with a stage skipped or another facilitation style, for a room to watch.
    Demo(kampung::demo::cli::DemoArgs),
    /// Serve a page that plays the village live in a browser, beside the same
    /// village with the settings a trainer changes (offline: everything is embedded).
    Serve(kampung::serve::ServeArgs),
    /// Write one self-contained HTML page of a results folder's charts (opens offline).
    Report {
        /// The results folder (made by `kampung run`).
        dir: PathBuf,
        /// The page to write [default: DIR/report.html].
        #[arg(long, short)]
        out: Option<PathBuf>,
        /// Scenario file to rebuild the village's network from [default: the
        /// manifest's scenario_file].
        #[arg(long)]
        scenario: Option<PathBuf>,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Run {
            scenario,
            out,
            force,
            resume,
            shard,
            threads,
            quiet,
        } => run(RunArgs {
            scenario,
            out,
            force,
            resume,
            shard,
            threads,
            quiet,
        }),
        Command::Validate { scenarios } => validate(&scenarios),
        Command::Plan {
            scenario,
            threads,
            show,
        } => plan(&scenario, threads, show),
        Command::Sensitivity {
            scenario,
            out,
            force,
            threads,
            quiet,
        } => sensitivity(&scenario, out, force, threads, quiet),
        Command::Merge {
            shards,
            out,
            scenario,
            force,
            quiet,
        } => merge(&shards, &out, scenario, force, quiet),
        Command::Demo(args) => kampung::demo::cli::run(args),
        Command::Serve(args) => kampung::serve::run(args),
        Command::Report { dir, out, scenario } => {
            let out = out.unwrap_or_else(|| dir.join("report.html"));
            kampung::report::write_report(&dir, &out, scenario.as_deref()).map(|p| {
                println!("report written to {}", p.display());
                ExitCode::SUCCESS
            })
        }
    };
    match result {
        Ok(code) => code,
        Err(e) => {
            report(&e);
            ExitCode::from(match e {
                Error::Invalid(_) => 1,
                _ => 2,
            })
        }
    }
}

fn report(e: &Error) {
    for line in e.to_string().lines() {
        eprintln!("error: {line}");
    }
}

fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

fn describe(s: &Scenario) -> String {
    format!(
        "{} × {} × {} = {}",
        plural(s.strategies.len(), "strategy", "strategies"),
        plural(s.point_count(), "point", "points"),
        plural(s.replicates as usize, "replicate", "replicates"),
        plural(s.run_count(), "run", "runs")
    )
}

fn validate(files: &[PathBuf]) -> Result<ExitCode, Error> {
    let mut bad = 0;
    for f in files {
        match Scenario::from_file(f) {
            Ok(s) => {
                println!(
                    "{}: ok: scenario `{}`, {}",
                    f.display(),
                    s.name,
                    describe(&s)
                );
                for r in &s.repairs {
                    println!("  repaired: {r}");
                }
            }
            Err(e) => {
                report(&e);
                bad += 1;
            }
        }
    }
    Ok(if bad == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}

struct RunArgs {
    scenario: Option<PathBuf>,
    out: Option<PathBuf>,
    force: bool,
    resume: bool,
    shard: Option<String>,
    threads: Option<usize>,
    quiet: bool,
}

fn shard_of(arg: Option<&str>) -> Result<Option<Shard>, Error> {
    let bad = |m: String| Error::Run(format!("--shard: {m}"));
    match arg {
        Some(a) => Shard::parse(a).map(Some).map_err(bad),
        None => Shard::from_slurm_env().transpose().map_err(bad),
    }
}

fn run(a: RunArgs) -> Result<ExitCode, Error> {
    let started = output::utc_now_iso8601();
    let file = a
        .scenario
        .unwrap_or_else(|| PathBuf::from(DEFAULT_SCENARIO));
    let s = Scenario::from_file(&file)?;
    let shard = shard_of(a.shard.as_deref())?;
    if a.resume && a.out.is_none() {
        return Err(Error::Run(
            "--resume needs --out DIR: the folder of the run to finish".into(),
        ));
    }
    if !a.quiet {
        for r in &s.repairs {
            eprintln!("note: repaired {r}");
        }
    }
    let dir = match a.out {
        Some(d) => d,
        None => fresh_results_dir(&s.name),
    };
    if a.resume && finished_already(&dir, &s) {
        println!("results in {} are complete; nothing to do", dir.display());
        return Ok(ExitCode::SUCCESS);
    }
    let mode = if a.resume { Mode::Resume } else { Mode::Fresh };
    if !a.resume {
        output::prepare_dir(&dir, a.force)?;
    }
    let store = Store::open(&dir, &s, shard, mode)?;
    let all = sweep::plan(&s);
    let range = shard.map_or(0..all.len(), |sh| sh.range(all.len()));
    let finished = store.finished()?;
    let todo: Vec<_> = all[range.clone()]
        .iter()
        .filter(|r| !finished.contains(&r.index))
        .cloned()
        .collect();
    let threads = a.threads.unwrap_or_else(rayon::current_num_threads).max(1);
    if !a.quiet {
        let part = match shard {
            Some(sh) => format!(
                " (shard {}/{}: runs {}..{})",
                sh.index, sh.count, range.start, range.end
            ),
            None => String::new(),
        };
        let resumed = range.len() - todo.len();
        eprintln!(
            "running `{}`: {}{part} on {}{}",
            s.name,
            describe(&s),
            plural(threads, "thread", "threads"),
            if resumed > 0 {
                format!("; {resumed} already done")
            } else {
                String::new()
            }
        );
    }
    let progress = Progress::new(todo.len(), a.quiet);
    let failed = AtomicUsize::new(0);
    let t0 = Instant::now();
    sweep::run_each(&s, &todo, Some(threads), &|outcome: Outcome| {
        if let Outcome::Failed { spec, error } = &outcome {
            failed.fetch_add(1, Ordering::Relaxed);
            progress.note(&format!(
                "run {} (strategy `{}`, replicate {}, seed {}) failed: {error}",
                spec.index, s.strategies[spec.strategy].name, spec.replicate, spec.seed
            ));
        }
        store.save(&s, &outcome)?;
        progress.tick();
        Ok(())
    })?;
    progress.finish();
    if !a.quiet {
        eprintln!(
            "finished {} in {:.2} s",
            plural(todo.len(), "run", "runs"),
            t0.elapsed().as_secs_f64()
        );
    }
    if let Some(sh) = shard {
        println!(
            "shard {}/{} written to {} (merge the shards with `kampung merge --out DIR SHARD_DIRS...`)",
            sh.index,
            sh.count,
            dir.display()
        );
        let failed = failed.into_inner();
        if failed > 0 {
            eprintln!(
                "warning: {} of this shard failed; `merge` lists them in failures.csv",
                plural(failed, "run", "runs")
            );
            return Ok(ExitCode::from(EXIT_RUNS_FAILED));
        }
        return Ok(ExitCode::SUCCESS);
    }
    let info = RunInfo {
        command_line: std::env::args().collect(),
        started,
        threads,
    };
    let table = Mutex::new(String::new());
    let done = store.finish(&s, std::slice::from_ref(&dir), &info, |d| {
        let (files, rows) = analysis::write_statistics(d, &s)?;
        *table.lock().unwrap_or_else(|e| e.into_inner()) = analysis::compare_table(&s, &rows);
        Ok(files)
    })?;
    if !a.quiet {
        eprint!("{}", table.into_inner().unwrap_or_else(|e| e.into_inner()));
    }
    println!("results written to {}", dir.display());
    if !a.quiet {
        println!("report: kampung report {}", dir.display());
    }
    if done.failed > 0 {
        eprintln!(
            "warning: {} failed; see {}",
            plural(done.failed, "run", "runs"),
            dir.join("failures.csv").display()
        );
        return Ok(ExitCode::from(EXIT_RUNS_FAILED));
    }
    Ok(ExitCode::SUCCESS)
}

/// Whether `dir` holds the complete results of this scenario already.
fn finished_already(dir: &Path, s: &Scenario) -> bool {
    let Ok(text) = std::fs::read_to_string(dir.join("manifest.json")) else {
        return false;
    };
    let Ok(m) = serde_json::from_str::<output::Manifest>(&text) else {
        return false;
    };
    m.complete
        && m.scenario_sha256 == s.sha256
        && m.version == env!("CARGO_PKG_VERSION")
        && !dir.join(store::WORK_DIR).exists()
}

fn merge(
    shards: &[PathBuf],
    out: &Path,
    scenario: Option<PathBuf>,
    force: bool,
    quiet: bool,
) -> Result<ExitCode, Error> {
    let started = output::utc_now_iso8601();
    let plans: Vec<PlanFile> = shards
        .iter()
        .map(|d| PlanFile::read(d))
        .collect::<Result<_, _>>()?;
    for (d, p) in shards.iter().zip(&plans).skip(1) {
        if !p.same_plan(&plans[0]) {
            return Err(Error::Run(format!(
                "{}: a shard of another plan (scenario {}, kampung {}) than {} (scenario {}, kampung {})",
                d.display(),
                p.scenario,
                p.version,
                shards[0].display(),
                plans[0].scenario,
                plans[0].version
            )));
        }
    }
    let file = scenario
        .or_else(|| plans[0].scenario_file.clone().map(PathBuf::from))
        .ok_or_else(|| {
            Error::Run("the shards do not record their scenario file: give --scenario FILE".into())
        })?;
    let s = Scenario::from_file(&file)?;
    let mine = PlanFile::of(&s, None);
    if !mine.same_plan(&plans[0]) {
        return Err(Error::Run(format!(
            "{}: not the scenario (or kampung version) the shards ran: its SHA-256 or plan differs",
            file.display()
        )));
    }
    output::prepare_dir(out, force)?;
    let store = Store::open(out, &s, None, Mode::Fresh)?;
    let info = RunInfo {
        command_line: std::env::args().collect(),
        started,
        threads: 1,
    };
    let table = Mutex::new(String::new());
    let done = store.finish(&s, shards, &info, |d| {
        let (files, rows) = analysis::write_statistics(d, &s)?;
        *table.lock().unwrap_or_else(|e| e.into_inner()) = analysis::compare_table(&s, &rows);
        Ok(files)
    })?;
    if !quiet {
        eprint!("{}", table.into_inner().unwrap_or_else(|e| e.into_inner()));
    }
    println!(
        "merged {} into {}",
        plural(shards.len(), "shard", "shards"),
        out.display()
    );
    Ok(if done.failed > 0 {
        ExitCode::from(EXIT_RUNS_FAILED)
    } else {
        ExitCode::SUCCESS
    })
}

fn sensitivity(
    file: &Path,
    out: Option<PathBuf>,
    force: bool,
    threads: Option<usize>,
    quiet: bool,
) -> Result<ExitCode, Error> {
    let s = Scenario::from_file(file)?;
    let dir = out.unwrap_or_else(|| fresh_results_dir(&format!("{}-sensitivity", s.name)));
    output::prepare_dir(&dir, force)?;
    let bar = Mutex::new(None::<indicatif::ProgressBar>);
    let tty = !quiet && std::io::stderr().is_terminal();
    let t0 = Instant::now();
    let result = analysis::sensitivity(&s, threads, &|k, total| {
        if quiet {
            return;
        }
        let mut b = bar.lock().unwrap_or_else(|e| e.into_inner());
        if tty {
            b.get_or_insert_with(|| indicatif::ProgressBar::new(total as u64))
                .set_position(k as u64);
        } else if k == total || k.is_multiple_of((total / 10).max(1)) {
            eprintln!("  {k}/{total} runs done");
        }
    })?;
    if let Some(b) = bar.into_inner().unwrap_or_else(|e| e.into_inner()) {
        b.finish_and_clear();
    }
    let rows = &result.rows;
    let path = dir.join("sensitivity.csv");
    analysis::write_sensitivity(&path, rows)?;
    if !quiet {
        eprintln!("finished in {:.1} s", t0.elapsed().as_secs_f64());
        eprintln!(
            "{:<8} {:<34} {:<36} {:<8} {:>9} {:>21}",
            "method", "outcome", "parameter", "index", "estimate", "95% CI"
        );
        for r in rows {
            if r.index == "mu" || r.index == "sigma" {
                continue;
            }
            eprintln!(
                "{:<8} {:<34} {:<36} {:<8} {:>9.3} {:>21}",
                r.method,
                r.outcome,
                r.parameter,
                r.index,
                r.estimate,
                if r.ci.0.is_finite() {
                    format!("[{:.3}, {:.3}]", r.ci.0, r.ci.1)
                } else {
                    String::new()
                }
            );
        }
    }
    println!("sensitivity written to {}", path.display());
    if !result.failures.is_empty() {
        for (spec, error) in &result.failures {
            eprintln!(
                "run {} (design row {}, replicate {}, seed {}) failed: {error}",
                spec.index, spec.point, spec.replicate, spec.seed
            );
        }
        eprintln!(
            "warning: {} of {} runs failed; each design row is averaged over the replicates that finished (column `runs`)",
            result.failures.len(),
            result.runs
        );
        return Ok(ExitCode::from(3));
    }
    Ok(ExitCode::SUCCESS)
}

fn plan(file: &Path, threads: Option<usize>, show: usize) -> Result<ExitCode, Error> {
    let s = Scenario::from_file(file)?;
    let specs = sweep::plan(&s);
    let threads = threads.unwrap_or_else(rayon::current_num_threads).max(1);
    println!(
        "scenario `{}` ({}): {}",
        s.name,
        file.display(),
        describe(&s)
    );
    // Pilot: the first run of each strategy (at most 4 runs), one at a time.
    let mut pilot: Vec<&sweep::RunSpec> = Vec::new();
    for k in 0..s.strategies.len() {
        if let Some(r) = specs.iter().find(|r| r.strategy == k) {
            pilot.push(r);
        }
        if pilot.len() >= 4 {
            break;
        }
    }
    let mut secs = 0.0;
    let mut bytes = 0usize;
    for r in &pilot {
        let t0 = Instant::now();
        let out = sweep::run_one(&s, r);
        secs += t0.elapsed().as_secs_f64();
        let village: usize = out.snapshots.iter().map(|(_, h)| h.heap_bytes()).sum();
        let series = out.timeseries.len() * std::mem::size_of::<kampung::metrics::Metrics>();
        bytes = bytes.max(village + series);
    }
    let per_run = secs / pilot.len().max(1) as f64;
    let total = per_run * specs.len() as f64 / threads as f64;
    let n = s.params(0, 0).population.households;
    // A run holds its village (about 150 bytes a household with its ties, measured
    // in benches) besides its recorded rows and snapshots.
    let in_flight = bytes + n * 150;
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

fn human_time(secs: f64) -> String {
    if secs < 120.0 {
        format!("{secs:.1} s")
    } else if secs < 7200.0 {
        format!("{:.1} min", secs / 60.0)
    } else {
        format!("{:.1} h", secs / 3600.0)
    }
}

fn human_bytes(b: usize) -> String {
    let b = b as f64;
    if b < 1e6 {
        format!("{:.0} kB", b / 1e3)
    } else if b < 1e9 {
        format!("{:.1} MB", b / 1e6)
    } else {
        format!("{:.2} GB", b / 1e9)
    }
}

/// Progress on stderr: a bar on a terminal, a line every 10% (or every 30 s)
/// otherwise, nothing with --quiet.
struct Progress {
    bar: Option<indicatif::ProgressBar>,
    total: usize,
    done: AtomicUsize,
    quiet: bool,
    last_line: Mutex<Instant>,
    start: Instant,
}

impl Progress {
    fn new(total: usize, quiet: bool) -> Progress {
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

    fn tick(&self) {
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

    fn note(&self, msg: &str) {
        if self.quiet {
            return;
        }
        match &self.bar {
            Some(b) => b.println(format!("  {msg}")),
            None => eprintln!("  {msg}"),
        }
    }

    fn finish(&self) {
        if let Some(b) = &self.bar {
            b.finish_and_clear();
        }
    }
}

/// `results/<name>-<UTC timestamp>`, with a numeric suffix if that exists already.
fn fresh_results_dir(name: &str) -> PathBuf {
    let base = Path::new("results").join(format!("{name}-{}", output::utc_now_compact()));
    if !base.exists() {
        return base;
    }
    (2..)
        .map(|k| PathBuf::from(format!("{}-{k}", base.display())))
        .find(|p| !p.exists())
        .unwrap_or(base)
}
