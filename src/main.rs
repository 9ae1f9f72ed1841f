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
#[command(
    name = "kampung",
    version = env!("KAMPUNG_LONG_VERSION"),
    about,
    long_about = None,
    after_long_help = "Exit status: 0 success, 1 invalid input (a scenario or data file), 2 any \
                       other error, 3 some runs failed (their rows are in failures.csv). The \
                       full table: docs/cli.md, Exit status."
)]
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
        /// Also write each table as Parquet (NAME.parquet beside NAME.csv); needs a
        /// kampung built with `--features parquet`. Shards leave it to `merge --parquet`.
        #[arg(long)]
        parquet: bool,
        /// Draw each replicate's calibrated parameters from this posterior (the
        /// posterior.csv of a calibration): one particle of its last generation per
        /// replicate, by weight, the same for every strategy of the replicate.
        #[arg(long, value_name = "FILE")]
        posterior: Option<PathBuf>,
    },
    /// Check scenario files without running them.
    Validate {
        /// Scenario files.
        #[arg(required = true)]
        scenarios: Vec<PathBuf>,
        /// Check each scenario with this posterior too, as `run --posterior` would.
        #[arg(long, value_name = "FILE")]
        posterior: Option<PathBuf>,
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
    /// Calibrate the scenario's `[calibrate]` parameters against the patterns of its
    /// evidence file by ABC-SMC; writes posterior.csv, calibration.csv, the posterior
    /// predictive check (predictive.csv, patterns.csv) and manifest.json.
    Calibrate {
        /// Scenario file with a `[calibrate]` table.
        scenario: PathBuf,
        /// Output folder [default: results/<scenario>-calibration-<UTC timestamp>/].
        #[arg(long, short)]
        out: Option<PathBuf>,
        /// Write into an existing, non-empty output folder (starting afresh).
        #[arg(long, conflicts_with = "resume")]
        force: bool,
        /// Go on with the calibration in --out from its last whole generation.
        #[arg(long)]
        resume: bool,
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
        /// Also write each table as Parquet (needs `--features parquet`).
        #[arg(long)]
        parquet: bool,
    },
    /// Play one village through the five stages in the terminal, beside the same
    /// village with a stage skipped or another facilitation style, for a room to watch.
    Demo(kampung::demo::cli::DemoArgs),
    /// Serve a page that plays the village live in a browser, beside the same
    /// village with the settings a trainer changes (offline: everything is embedded).
    Serve(kampung::serve::ServeArgs),
    /// Print the command-line reference (docs/cli.md) as Markdown, from these
    /// definitions.
    #[command(hide = true)]
    HelpMarkdown,
    /// Write one self-contained HTML page of a results folder's charts (opens offline).
    Report {
        /// The results folder (made by `kampung run`, `merge` or `sensitivity`).
        dir: PathBuf,
        /// The page to write [default: DIR/report.html].
        #[arg(long, short)]
        out: Option<PathBuf>,
        /// Scenario file to rebuild the village's network from [default: the
        /// folder's copy, input/NAME.toml].
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
            parquet,
            posterior,
        } => run(RunArgs {
            scenario,
            out,
            force,
            resume,
            shard,
            threads,
            quiet,
            parquet,
            posterior,
        }),
        Command::Validate {
            scenarios,
            posterior,
        } => validate(&scenarios, posterior.as_deref()),
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
        Command::Calibrate {
            scenario,
            out,
            force,
            resume,
            threads,
            quiet,
        } => cli::calibrate::calibrate(&scenario, out, force, resume, threads, quiet),
        Command::Merge {
            shards,
            out,
            scenario,
            force,
            quiet,
            parquet,
        } => merge(&shards, &out, scenario, force, quiet, parquet),
        Command::Demo(args) => kampung::demo::cli::run(args),
        Command::HelpMarkdown => {
            print!("{}", cli::reference::markdown());
            Ok(ExitCode::SUCCESS)
        }
        Command::Serve(args) => kampung::serve::run(args),
        Command::Report { dir, out, scenario } => {
            let out = out.unwrap_or_else(|| dir.join("report.html"));
            match kampung::report::write_report(&dir, &out, scenario.as_deref()) {
                Ok(p) => {
                    println!("report written to {}", p.display());
                    Ok(ExitCode::SUCCESS)
                }
                // Whatever is wrong with a results folder (missing, unreadable or
                // malformed files) is one kind of fault: status 2. Only a scenario
                // file given with --scenario can be invalid input (status 1).
                Err(Error::Invalid(ds)) if !ds.iter().all(|d| scenario_given(&scenario, d)) => {
                    report(&Error::Invalid(ds));
                    return ExitCode::from(2);
                }
                Err(e) => Err(e),
            }
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

/// Whether diagnostic `d` is about the scenario file given to `report --scenario`.
fn scenario_given(scenario: &Option<PathBuf>, d: &kampung::error::Diagnostic) -> bool {
    scenario
        .as_ref()
        .is_some_and(|s| d.file == s.display().to_string())
}

/// Most problems shown for one file; the rest are counted.
const MAX_SHOWN_PER_FILE: usize = 20;

/// Prints an error on standard error, one `error:` line per problem. Everything
/// from a file is escaped (see [`kampung::error::escape`]), so no text in a file can
/// start a line of its own, and at most [`MAX_SHOWN_PER_FILE`] problems are shown
/// for a file, followed by a count of the rest.
fn report(e: &Error) {
    match e {
        Error::Invalid(ds) => {
            let mut shown: Vec<(&str, usize)> = Vec::new();
            for d in ds {
                let k = match shown.iter().position(|(f, _)| *f == d.file) {
                    Some(k) => k,
                    None => {
                        shown.push((&d.file, 0));
                        shown.len() - 1
                    }
                };
                shown[k].1 += 1;
                if shown[k].1 <= MAX_SHOWN_PER_FILE {
                    eprintln!("error: {d}");
                }
            }
            for (f, n) in shown {
                if n > MAX_SHOWN_PER_FILE {
                    eprintln!(
                        "error: {}: {} more problems not shown",
                        kampung::error::escape(f),
                        n - MAX_SHOWN_PER_FILE
                    );
                }
            }
        }
        // One line: the Display of every other error escapes what came from outside.
        _ => eprintln!("error: {e}"),
    }
}

fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// One line about a posterior: the file, its last generation and what it calibrates.
fn describe_posterior(p: &kampung::scenario::posterior::Posterior) -> String {
    format!(
        "posterior {}: {} of generation {}, calibrating {}",
        kampung::error::escape(&p.file.display().to_string()),
        plural(p.particles.len(), "particle", "particles"),
        p.generation,
        kampung::error::escape(&p.paths.join(", "))
    )
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

/// Checks each file (with the posterior, when given); the exit status is the worst
/// of the files': 2 if any file cannot be read, else 1 if any is invalid, else 0.
fn validate(files: &[PathBuf], posterior: Option<&std::path::Path>) -> Result<ExitCode, Error> {
    let mut worst = 0u8;
    for f in files {
        let loaded = Scenario::from_file(f).and_then(|s| match posterior {
            Some(p) => s.with_posterior(p),
            None => Ok(s),
        });
        match loaded {
            Ok(s) => {
                println!(
                    "{}: ok: scenario `{}`, {}",
                    f.display(),
                    kampung::error::escape(&s.name),
                    describe(&s)
                );
                if let Some(p) = &s.posterior {
                    println!("  {}", describe_posterior(p));
                }
                for r in &s.repairs {
                    println!("  repaired: {}", kampung::error::escape(r));
                }
            }
            Err(e) => {
                report(&e);
                worst = worst.max(match e {
                    Error::Invalid(_) => 1,
                    _ => 2,
                });
            }
        }
    }
    Ok(ExitCode::from(worst))
}
