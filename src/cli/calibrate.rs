//! `kampung calibrate`: ABC-SMC of a scenario's `[calibrate]` table against the
//! patterns of its evidence file; resumable after an interruption at the last whole
//! generation.

use super::*;
use kampung::experiment::abc::{self, Stop};
use kampung::experiment::calibrate::{self as cal, Problem};
use kampung::experiment::calibration_store as files;

/// The files a finished calibration folder holds.
const FILES: &[&str] = &[
    "posterior.csv",
    "statistics.csv",
    "calibration.csv",
    "scales.csv",
    "checkpoint.json",
    "predictive.csv",
    "patterns.csv",
    "manifest.json",
];

pub(crate) fn calibrate(
    file: &Path,
    out: Option<PathBuf>,
    force: bool,
    resume: bool,
    threads: Option<usize>,
    quiet: bool,
) -> Result<ExitCode, Error> {
    let started = output::utc_now_iso8601();
    let s = Scenario::from_file(file)?;
    let threads = super::limits::threads_of(threads)?;
    let Some(cp) = s.calibrate.clone() else {
        return Err(Error::Invalid(vec![kampung::error::Diagnostic {
            file: file.display().to_string(),
            line: 0,
            column: 0,
            key: "calibrate".into(),
            message: "the file has no [calibrate] table".into(),
            allowed: Some(
                "a [calibrate] table naming the evidence and the parameter ranges (see docs/calibration.md)"
                    .into(),
            ),
        }]));
    };
    let dir = match (out, resume) {
        (Some(d), _) => d,
        (None, true) => {
            return Err(Error::Run(
                "--resume needs --out: the folder of the calibration to go on with".into(),
            ));
        }
        (None, false) => fresh_results_dir(&format!("{}-calibration", s.name)),
    };
    let _lock = folder::FolderLock::acquire(&dir)?;
    let p = Problem::new(&s)?;
    let done = if resume && !force {
        folder::check_real_dir(&dir)?;
        files::load(&dir, &s, &p)?
    } else {
        folder::prepare_dir(&dir, force)?;
        Vec::new()
    };
    let settings = cal::settings(&s, &p);
    if !quiet {
        eprintln!(
            "calibrating {} against {}: {} particles, up to {} generations, {} per simulation, {}{}",
            plural(p.parameters.len(), "parameter", "parameters"),
            plural(p.patterns.len(), "pattern", "patterns"),
            settings.particles,
            settings.generations + 1,
            plural(p.runs_per_simulation(), "run", "runs"),
            plural(threads, "thread", "threads"),
            if done.is_empty() {
                String::new()
            } else {
                format!(
                    "; resuming after generation {} of {}",
                    done.len() - 1,
                    settings.generations
                )
            }
        );
    }
    let tty = !quiet && std::io::stderr().is_terminal();
    let bar = tty.then(|| {
        let b = indicatif::ProgressBar::new(settings.particles as u64);
        b.set_style(
            indicatif::ProgressStyle::with_template(
                "{prefix} [{bar:30}] {pos}/{len} accepted · {msg} · {elapsed} (about {eta} left in this generation)",
            )
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar())
            .progress_chars("=> "),
        );
        b
    });
    let t0 = Instant::now();
    let total_gens = settings.generations;
    let progress = |x: abc::Progress| {
        if let Some(b) = &bar {
            b.set_prefix(format!("generation {}/{total_gens}", x.generation));
            b.set_position(x.accepted.min(settings.particles) as u64);
            b.set_message(format!(
                "tolerance {} · acceptance {:.0}% of {} simulated",
                if x.tolerance.is_finite() {
                    format!("{:.3}", x.tolerance)
                } else {
                    "∞".into()
                },
                100.0 * x.accepted as f64 / x.simulations.max(1) as f64,
                x.simulations
            ));
        }
    };
    let mut saved = |gens: &[abc::Generation], scales: &[f64]| {
        files::save(&dir, &s, &p, gens, scales).map_err(|e| e.to_string())?;
        let g = gens.len() - 1;
        let last = &gens[g];
        let line = format!(
            "generation {g}/{total_gens}: tolerance {}, acceptance {:.1}%, effective sample size {:.0}, {} simulations, {:.0} s",
            if last.tolerance.is_finite() {
                format!("{:.4}", last.tolerance)
            } else {
                "∞ (the prior)".into()
            },
            100.0 * last.acceptance(),
            last.ess,
            last.simulations,
            t0.elapsed().as_secs_f64()
        );
        match &bar {
            Some(b) => {
                b.println(line);
                b.reset();
            }
            None if !quiet => eprintln!("{line}"),
            None => {}
        }
        Ok(())
    };
    let mut hooks = abc::Hooks {
        progress: &progress,
        saved: &mut saved,
    };
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .map_err(|e| Error::Run(format!("cannot start {threads} threads: {e}")))?;
    let (gens, stop) = pool.install(|| abc::run_model(&settings, &p, done, &mut hooks));
    if let Some(b) = &bar {
        b.finish_and_clear();
    }
    let why = match &stop {
        Some(Stop::Saving(e)) => return Err(Error::Run(format!("saving a generation: {e}"))),
        None => format!("all {} generations done", settings.generations),
        Some(Stop::Budget { generation }) => format!(
            "generation {generation} used its budget of {} simulations without filling its particles; the posterior is generation {}",
            settings.max_simulations,
            generation - 1
        ),
        Some(Stop::Acceptance { generation }) => format!(
            "generation {generation}'s acceptance fell below min_acceptance ({})",
            settings.min_acceptance
        ),
        Some(Stop::Exact { generation }) => {
            format!("generation {generation} meets every pattern exactly (tolerance 0)")
        }
    };
    let last = gens
        .last()
        .ok_or_else(|| Error::Run("no generation".into()))?;
    let first = &gens[0];
    let prior: Vec<Vec<f64>> = first.particles.iter().map(|q| q.stats.clone()).collect();
    let scales = abc::Model::scales(&p, &prior);
    let seed = settings.seed;
    let draws = pool.install(|| cal::predictive(&p, last, cp.predictive, seed));
    let checks = cal::predictive_summary(&p, &draws, first, &scales);
    files::save_check(&dir, &p, &draws, &checks)?;
    let info = RunInfo {
        command_line: std::env::args().collect(),
        started,
        threads,
    };
    let simulations: usize = gens.iter().map(|g| g.simulations).sum::<usize>() + draws.len();
    write_manifest(&dir, &s, &info, simulations * p.runs_per_simulation())?;
    if !quiet {
        eprintln!(
            "stopped: {why}; {simulations} simulations in {:.1} s",
            t0.elapsed().as_secs_f64()
        );
        eprintln!(
            "{:<40} {:>17} {:>9} {:>9} {:>21}",
            "parameter", "prior", "mean", "sd", "90% interval"
        );
        for x in cal::summarize(&p, last) {
            eprintln!(
                "{:<40} {:>17} {:>9.4} {:>9.4} {:>21}",
                x.path,
                format!("[{}, {}]", x.prior.0, x.prior.1),
                x.mean,
                x.sd,
                format!("[{:.4}, {:.4}]", x.q05, x.q95)
            );
        }
        eprintln!(
            "{:<44} {:>14} {:>18} {:>22}",
            "pattern", "prior matches", "posterior matches", "observed in 90% band"
        );
        let pct = |x: f64| {
            if x.is_nan() {
                "(a point)".to_string()
            } else {
                format!("{:.0}%", 100.0 * x)
            }
        };
        for c in &checks {
            eprintln!(
                "{:<44} {:>14} {:>18} {:>22}",
                c.id,
                pct(c.prior_matching),
                pct(c.matching),
                if c.observed_in_90 { "yes" } else { "no" }
            );
        }
    }
    println!(
        "posterior written to {}",
        dir.join("posterior.csv").display()
    );
    if !quiet {
        println!("report: {}", super::report_command(&dir));
    }
    Ok(ExitCode::SUCCESS)
}

fn write_manifest(dir: &Path, s: &Scenario, info: &RunInfo, runs: usize) -> Result<(), Error> {
    let copied = kampung::experiment::inputs::copy_inputs(dir, s)?;
    let cp = s.calibrate.clone().unwrap_or_default();
    let m = output::Manifest {
        program: "kampung".into(),
        kind: output::kind::CALIBRATION.into(),
        version: output::VERSION.into(),
        commit: output::COMMIT.into(),
        scenario: s.name.clone(),
        scenario_file: s.file.as_ref().map(|f| f.display().to_string()),
        input_scenario: copied.scenario,
        inputs: copied.files,
        scenario_sha256: s.sha256.clone(),
        data_sha256: s.data_sha256.clone(),
        seed: cp.seed.unwrap_or(s.seed),
        time_unit: s.time_unit().into(),
        replicates: cp.replicates,
        strategies: s.strategies.iter().map(|x| x.name.clone()).collect(),
        points: 0,
        runs,
        failed_runs: 0,
        command_line: info.command_line.clone(),
        threads: info.threads,
        started: info.started.clone(),
        finished: output::utc_now_iso8601(),
        peak_memory_bytes: output::peak_memory_bytes(),
        repairs: s.repairs.clone(),
        files: FILES.iter().map(|f| f.to_string()).collect(),
        complete: true,
        posterior: None,
    };
    output::write_manifest(dir, &m)
}
