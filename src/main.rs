//! The `kampung` command line: a thin layer over the library.

mod cli;

use clap::{Parser, Subcommand};
use cli::plan::plan;
use cli::run::{RunArgs, merge, run};
use cli::sensitivity::sensitivity;
use kampung::{Error, Scenario};
use std::path::PathBuf;
use std::process::ExitCode;

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
