//! `kampung run` and `kampung merge`: a scenario's runs into a results folder, saved
//! as they finish, resumed, sharded and merged.

use super::*;

pub(crate) struct RunArgs {
    pub(crate) scenario: Option<PathBuf>,
    pub(crate) out: Option<PathBuf>,
    pub(crate) force: bool,
    pub(crate) resume: bool,
    pub(crate) shard: Option<String>,
    pub(crate) threads: Option<usize>,
    pub(crate) quiet: bool,
    pub(crate) parquet: bool,
    pub(crate) posterior: Option<PathBuf>,
}

/// Refuses `--parquet` in a kampung built without Parquet, before any run.
fn check_parquet(wanted: bool) -> Result<(), Error> {
    if wanted && !cfg!(feature = "parquet") {
        return Err(Error::Run(
            "--parquet: this kampung was built without Parquet; build it with \
             `cargo install --path . --features parquet`"
                .into(),
        ));
    }
    Ok(())
}

/// Writes every table of `dir` as Parquet beside its CSV (`--parquet`); returns the
/// files written.
#[cfg(feature = "parquet")]
fn parquet_tables(dir: &Path, s: &Scenario) -> Result<Vec<String>, Error> {
    let mut names: Vec<&str> = output::Table::ALL
        .iter()
        .filter(|t| t.wanted(&s.output))
        .map(|t| t.name())
        .collect();
    names.extend(["summary", "compare"]);
    if s.posterior.is_some() {
        names.push("ranks");
    }
    let mut files = Vec::new();
    for n in names {
        kampung::experiment::columnar::csv_to_parquet(dir, n)?;
        files.push(format!("{n}.parquet"));
    }
    Ok(files)
}

#[cfg(not(feature = "parquet"))]
fn parquet_tables(_: &Path, _: &Scenario) -> Result<Vec<String>, Error> {
    Ok(Vec::new())
}

pub(crate) fn shard_of(arg: Option<&str>) -> Result<Option<Shard>, Error> {
    let bad = |m: String| Error::Run(format!("--shard: {m}"));
    match arg {
        Some(a) => Shard::parse(a).map(Some).map_err(bad),
        None => Shard::from_slurm_env().transpose().map_err(bad),
    }
}

pub(crate) fn run(a: RunArgs) -> Result<ExitCode, Error> {
    let started = output::utc_now_iso8601();
    let file = a
        .scenario
        .unwrap_or_else(|| PathBuf::from(DEFAULT_SCENARIO));
    let s = Scenario::from_file(&file)?;
    let s = match &a.posterior {
        Some(p) => s.with_posterior(p)?,
        None => s,
    };
    check_parquet(a.parquet)?;
    let shard = shard_of(a.shard.as_deref())?;
    if a.resume && a.out.is_none() {
        return Err(Error::Run(
            "--resume needs --out DIR: the folder of the run to finish".into(),
        ));
    }
    if !a.quiet {
        for r in &s.repairs {
            eprintln!("note: repaired {}", kampung::error::escape(r));
        }
    }
    let threads = super::limits::threads_of(a.threads)?;
    super::limits::check_memory(&s, threads)?;
    let dir = match a.out {
        Some(d) => d,
        None => fresh_results_dir(&s.name),
    };
    folder::check_out_dir(&dir)?;
    if a.resume && !dir.is_dir() {
        return Err(Error::Run(format!(
            "{}: no such results folder to resume",
            dir.display()
        )));
    }
    let _lock = folder::FolderLock::acquire(&dir)?;
    if a.resume && finished_already(&dir, &s) {
        println!("results in {} are complete; nothing to do", dir.display());
        return Ok(ExitCode::SUCCESS);
    }
    let mode = if a.resume { Mode::Resume } else { Mode::Fresh };
    if !a.resume {
        folder::prepare_dir(&dir, a.force)?;
    }
    let store = Store::open(&dir, &s, shard, mode)?;
    if let Some(sh) = shard {
        store.prepare_shard(&s, sh)?;
    }
    let all = runner::plan(&s);
    let range = shard.map_or(0..all.len(), |sh| sh.range(all.len()));
    let (finished, damaged) = store.finished(&all)?;
    if !damaged.is_empty() && !a.quiet {
        let n = damaged.len();
        for d in damaged.iter().take(10) {
            eprintln!("note: doing again: {}", kampung::error::escape(d));
        }
        if n > 10 {
            eprintln!("note: ... and {} more damaged parts done again", n - 10);
        }
    }
    let todo: Vec<_> = all[range.clone()]
        .iter()
        .filter(|r| !finished.contains(&r.index))
        .cloned()
        .collect();
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
        if let Some(p) = &s.posterior {
            eprintln!("each replicate draws from the {}", describe_posterior(p));
        }
    }
    let progress = Progress::new(todo.len(), a.quiet);
    let failed = AtomicUsize::new(0);
    let t0 = Instant::now();
    // Test hook: validated input no longer blows up, so the tests of failed runs
    // name a strategy whose runs are recorded as failed (docs/reliability.md).
    let fail_strategy = std::env::var("KAMPUNG_FAIL_STRATEGY").ok();
    runner::for_each(&todo, Some(threads), &|spec| {
        let injected = fail_strategy.as_deref() == Some(s.strategies[spec.strategy].name.as_str());
        let error = if injected {
            let error = "measures not finite (failure injected by KAMPUNG_FAIL_STRATEGY)";
            store.save(
                &s,
                &Outcome::Failed {
                    spec: spec.clone(),
                    error: error.into(),
                },
            )?;
            Some(error.to_string())
        } else {
            // The run's rows go to its part file as they are made.
            store.run(&s, spec)?
        };
        if let Some(error) = error {
            failed.fetch_add(1, Ordering::Relaxed);
            progress.note(&format!(
                "run {} (strategy `{}`, replicate {}, seed {}) failed: {error}",
                spec.index, s.strategies[spec.strategy].name, spec.replicate, spec.seed
            ));
        }
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
        // Not a command to paste (the other shards' folders are not known here): the
        // note in the folder gives the command with its placeholders.
        println!(
            "shard {}/{} written to {}; when all {} shards are written, merge their folders \
             with `merge` (see {})",
            sh.index,
            sh.count,
            dir.display(),
            sh.count,
            dir.join(folder::SHARD_NOTE).display()
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
        let stats = kampung::experiment::ranks::write_statistics(d, &s)?;
        let mut files = stats.files.clone();
        if a.parquet {
            files.extend(parquet_tables(d, &s)?);
        }
        *table.lock().unwrap_or_else(|e| e.into_inner()) = stats.table(&s);
        Ok(files)
    })?;
    if !a.quiet {
        eprint!("{}", table.into_inner().unwrap_or_else(|e| e.into_inner()));
    }
    println!("results written to {}", dir.display());
    if !a.quiet {
        println!("report: {}", super::report_command(&dir));
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
pub(crate) fn finished_already(dir: &Path, s: &Scenario) -> bool {
    let Ok(text) = std::fs::read_to_string(dir.join("manifest.json")) else {
        return false;
    };
    let Ok(m) = serde_json::from_str::<output::Manifest>(&text) else {
        return false;
    };
    m.complete
        && m.scenario_sha256 == s.sha256
        && m.data_sha256 == s.data_sha256
        && m.posterior.map(|p| p.sha256) == s.posterior.as_ref().map(|p| p.sha256.clone())
        && m.version == env!("CARGO_PKG_VERSION")
        && !dir.join(folder::WORK_DIR).exists()
}

pub(crate) fn merge(
    shards: &[PathBuf],
    out: &Path,
    scenario: Option<PathBuf>,
    force: bool,
    quiet: bool,
    parquet: bool,
) -> Result<ExitCode, Error> {
    let started = output::utc_now_iso8601();
    check_parquet(parquet)?;
    // The output folder must be none of the shards, nor hold one or lie inside one:
    // it is emptied before the shards are read.
    folder::check_out_dir(out)?;
    let target = folder::resolved(out);
    for d in shards {
        let src = folder::resolved(d);
        if src == target || src.starts_with(&target) || target.starts_with(&src) {
            return Err(Error::Run(format!(
                "--out {}: is (or holds, or lies inside) the shard folder {}; merge into a \
                 folder of its own",
                out.display(),
                d.display()
            )));
        }
    }
    let plans: Vec<PlanFile> = shards
        .iter()
        .map(|d| PlanFile::read(d))
        .collect::<Result<_, _>>()?;
    for (d, p) in shards.iter().zip(&plans).skip(1) {
        let diff = p.differences(&plans[0]);
        if !diff.is_empty() {
            return Err(Error::Run(format!(
                "{}: a shard of another plan than {}: {}",
                d.display(),
                shards[0].display(),
                diff.join("; ")
            )));
        }
    }
    // The scenario: as given, else the copy the first shard keeps (so a merge works
    // from any folder, wherever the original file is now), else the file the shards
    // recorded.
    let copy = plans[0]
        .input_scenario
        .as_ref()
        .map(|rel| shards[0].join(rel))
        .filter(|p| p.is_file());
    let file = scenario
        .or(copy)
        .or_else(|| plans[0].scenario_file.clone().map(PathBuf::from))
        .ok_or_else(|| {
            Error::Run("the shards do not record their scenario file: give --scenario FILE".into())
        })?;
    let s = Scenario::from_file(&file)?;
    // A posterior the shards drew from is read from the first shard's copy.
    let s = match (&plans[0].posterior_sha256, &plans[0].input_posterior) {
        (None, _) => s,
        (Some(_), Some(rel)) if shards[0].join(rel).is_file() => {
            s.with_posterior(&shards[0].join(rel))?
        }
        (Some(_), _) => {
            return Err(Error::Run(format!(
                "{}: the shards drew from a posterior, but this shard holds no copy of it \
                     (input/ is missing or incomplete)",
                shards[0].display()
            )));
        }
    };
    let mine = PlanFile::of(&s, None);
    let diff = plans[0].differences(&mine);
    if !diff.is_empty() {
        return Err(Error::Run(format!(
            "{}: not the plan the shards ran: {}",
            file.display(),
            diff.join("; ")
        )));
    }
    let _lock = folder::FolderLock::acquire(out)?;
    folder::prepare_dir(out, force)?;
    let store = Store::open(out, &s, None, Mode::Fresh)?;
    let info = RunInfo {
        command_line: std::env::args().collect(),
        started,
        threads: 1,
    };
    let table = Mutex::new(String::new());
    let done = store
        .finish(&s, shards, &info, |d| {
            let stats = kampung::experiment::ranks::write_statistics(d, &s)?;
            let mut files = stats.files.clone();
            if parquet {
                files.extend(parquet_tables(d, &s)?);
            }
            *table.lock().unwrap_or_else(|e| e.into_inner()) = stats.table(&s);
            Ok(files)
        })
        .inspect_err(|_| {
            // A refused merge leaves no work folder behind in --out (it is none of
            // the shards, checked above).
            let _ = store.clean();
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

/// `results/<name>-<UTC timestamp>`, with a numeric suffix if that exists already.
pub(crate) fn fresh_results_dir(name: &str) -> PathBuf {
    let base = Path::new("results").join(format!("{name}-{}", output::utc_now_compact()));
    if !base.exists() {
        return base;
    }
    (2..)
        .map(|k| PathBuf::from(format!("{}-{k}", base.display())))
        .find(|p| !p.exists())
        .unwrap_or(base)
}
