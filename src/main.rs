//! The `kampung` command line: a thin layer over the library.

use clap::{Parser, Subcommand};
use kampung::output::{self, RunInfo};
use kampung::{Error, Scenario, sweep};
use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// The scenario `run` uses when given none.
const DEFAULT_SCENARIO: &str = "scenarios/village.toml";

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
    /// Run a scenario (every strategy × replicate) and write its results.
    Run {
        /// Scenario file [default: scenarios/village.toml].
        scenario: Option<PathBuf>,
        /// Output folder [default: results/<scenario>-<UTC timestamp>/].
        #[arg(long, short)]
        out: Option<PathBuf>,
        /// Write into an existing, non-empty output folder.
        #[arg(long)]
        force: bool,
        /// Worker threads [default: all cores]; results do not depend on it.
        #[arg(long, short = 'j')]
        threads: Option<usize>,
        /// Print nothing but errors.
        #[arg(long, short)]
        quiet: bool,
    },
    /// Check scenario files without running them.
    Validate {
        /// Scenario files.
        #[arg(required = true)]
        scenarios: Vec<PathBuf>,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Run {
            scenario,
            out,
            force,
            threads,
            quiet,
        } => run(scenario, out, force, threads, quiet),
        Command::Validate { scenarios } => validate(&scenarios),
    };
    match result {
        Ok(code) => code,
        Err(e) => {
            report(&e);
            ExitCode::from(2)
        }
    }
}

fn report(e: &Error) {
    for line in e.to_string().lines() {
        eprintln!("error: {line}");
    }
}

fn validate(files: &[PathBuf]) -> Result<ExitCode, Error> {
    let mut bad = 0;
    for f in files {
        match Scenario::from_file(f) {
            Ok(s) => {
                println!(
                    "{}: ok: scenario `{}`, {} strateg{} × {} replicate{} = {} runs",
                    f.display(),
                    s.name,
                    s.strategies.len(),
                    if s.strategies.len() == 1 { "y" } else { "ies" },
                    s.replicates,
                    if s.replicates == 1 { "" } else { "s" },
                    s.run_count()
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

fn run(
    scenario: Option<PathBuf>,
    out: Option<PathBuf>,
    force: bool,
    threads: Option<usize>,
    quiet: bool,
) -> Result<ExitCode, Error> {
    let started = output::utc_now_iso8601();
    let file = scenario.unwrap_or_else(|| PathBuf::from(DEFAULT_SCENARIO));
    let s = Scenario::from_file(&file)?;
    for r in &s.repairs {
        if !quiet {
            eprintln!("note: repaired {r}");
        }
    }
    let dir = match out {
        Some(d) => d,
        None => fresh_results_dir(&s.name),
    };
    output::prepare_dir(&dir, force)?;
    let specs = sweep::plan(&s);
    let threads_used = threads.unwrap_or_else(rayon::current_num_threads).max(1);
    let total = specs.len();
    let tty = std::io::stderr().is_terminal();
    if !quiet {
        eprintln!(
            "running `{}`: {} strateg{} × {} replicate{} = {} runs on {} thread{}",
            s.name,
            s.strategies.len(),
            if s.strategies.len() == 1 { "y" } else { "ies" },
            s.replicates,
            if s.replicates == 1 { "" } else { "s" },
            total,
            threads_used,
            if threads_used == 1 { "" } else { "s" }
        );
    }
    let t0 = std::time::Instant::now();
    let progress = |k: usize| {
        if quiet {
            return;
        }
        if tty {
            eprint!("\r  {k}/{total} runs done");
            if k == total {
                eprintln!();
            }
        } else if k == total || k.is_multiple_of((total / 10).max(1)) {
            eprintln!("  {k}/{total} runs done");
        }
    };
    let runs = sweep::run_all(&s, &specs, Some(threads_used), &progress)?;
    let info = RunInfo {
        command_line: std::env::args().collect(),
        started,
        threads: threads_used,
    };
    output::write_results(&dir, &s, &runs, &info)?;
    if !quiet {
        eprintln!(
            "finished {total} runs in {:.2} s",
            t0.elapsed().as_secs_f64()
        );
        print_summary(&s, &runs);
    }
    println!("results written to {}", dir.display());
    Ok(ExitCode::SUCCESS)
}

/// Mean outcomes per strategy: at the end, and two years (or the scenario's horizon)
/// after the organizer's exit.
fn print_summary(s: &Scenario, runs: &[sweep::RunOutput]) {
    eprintln!(
        "\n{:<22} {:>5} {:>9} {:>10} {:>9} {:>10} {:>10} {:>8}",
        "strategy", "runs", "capacity", "cap. post", "gap", "gap post", "unreached", "members"
    );
    let mean = |v: &[f64]| {
        let ok: Vec<f64> = v.iter().copied().filter(|x| x.is_finite()).collect();
        if ok.is_empty() {
            f64::NAN
        } else {
            ok.iter().sum::<f64>() / ok.len() as f64
        }
    };
    for (k, st) in s.strategies.iter().enumerate() {
        let mine: Vec<&sweep::RunOutput> = runs.iter().filter(|r| r.spec.strategy == k).collect();
        let last = |f: fn(&kampung::metrics::Metrics) -> f64| {
            mean(&mine.iter().map(|r| f(&r.last())).collect::<Vec<_>>())
        };
        let post = |f: fn(&kampung::metrics::Metrics) -> f64| {
            mean(
                &mine
                    .iter()
                    .map(|r| r.post_exit.map_or(f64::NAN, |(_, m)| f(&m)))
                    .collect::<Vec<_>>(),
            )
        };
        eprintln!(
            "{:<22} {:>5} {:>9.3} {:>10.3} {:>9.3} {:>10.3} {:>10.3} {:>8.3}",
            st.name,
            mine.len(),
            last(|m| m.capacity),
            post(|m| m.capacity),
            last(|m| m.access_gap),
            post(|m| m.access_gap),
            last(|m| m.unreached_marginalized),
            last(|m| m.members)
        );
    }
    eprintln!(
        "(means over replicates; `post` = {} steps after the organizer's exit, NA if the run ends first)",
        s.output.post_exit_horizon
    );
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
