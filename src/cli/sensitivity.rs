//! `kampung sensitivity`: Morris and Sobol analysis of a scenario's `[sensitivity]`
//! table.

use super::*;

/// Rows of the terminal's table of indices at most.
const MAX_ROWS: usize = 40;
/// Convergence warnings listed in the terminal at most.
const MAX_WARNINGS: usize = 12;

pub(crate) fn sensitivity(
    file: &Path,
    out: Option<PathBuf>,
    force: bool,
    threads: Option<usize>,
    quiet: bool,
) -> Result<ExitCode, Error> {
    let started = output::utc_now_iso8601();
    let s = Scenario::from_file(file)?;
    let threads = super::limits::threads_of(threads)?;
    if s.sensitivity.is_none() {
        // A problem in the scenario file: invalid input (exit status 1).
        return Err(Error::Invalid(vec![kampung::error::Diagnostic {
            file: file.display().to_string(),
            line: 0,
            column: 0,
            key: "sensitivity".into(),
            message: "the file has no [sensitivity] table".into(),
            allowed: Some(
                "a [sensitivity] table naming the outcomes and ranges (see docs/scenario-format.md, Sensitivity analysis)"
                    .into(),
            ),
        }]));
    }
    let dir = out.unwrap_or_else(|| fresh_results_dir(&format!("{}-sensitivity", s.name)));
    let _lock = folder::FolderLock::acquire(&dir)?;
    folder::prepare_dir(&dir, force)?;
    let bar = Mutex::new(None::<indicatif::ProgressBar>);
    let tty = !quiet && std::io::stderr().is_terminal();
    let t0 = Instant::now();
    let result = analysis::sensitivity(&s, Some(threads), &|k, total| {
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
    let info = RunInfo {
        command_line: std::env::args().collect(),
        started,
        threads,
    };
    analysis::write_sensitivity_manifest(&dir, &s, &result, &info)?;
    if !quiet {
        eprintln!("finished in {:.1} s", t0.elapsed().as_secs_f64());
        eprintln!(
            "{:<8} {:<34} {:<36} {:<8} {:>9} {:>21}",
            "method", "outcome", "parameter", "index", "estimate", "95% CI"
        );
        let listed: Vec<&analysis::SensitivityRow> = rows
            .iter()
            .filter(|r| r.index != "mu" && r.index != "sigma")
            .collect();
        for r in listed.iter().take(MAX_ROWS) {
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
        if listed.len() > MAX_ROWS {
            eprintln!(
                "… {} more rows in {} (and Morris mu and sigma for every row)",
                listed.len() - MAX_ROWS,
                path.display()
            );
        }
    }
    let warnings = analysis::convergence(rows);
    if !warnings.is_empty() {
        eprintln!(
            "warning: the Sobol estimates have not converged ({}): raise `samples` (or \
             `replicates`) in [sensitivity]; the intervals narrow about as 1/√samples",
            if warnings.len() == 1 {
                "1 sign".to_string()
            } else {
                format!("{} signs", warnings.len())
            }
        );
        for w in warnings.iter().take(MAX_WARNINGS) {
            eprintln!("  {} · {}: {}", w.outcome, w.parameter, w.problem);
        }
        if warnings.len() > MAX_WARNINGS {
            eprintln!(
                "  … {} more (kampung report {} lists them all)",
                warnings.len() - MAX_WARNINGS,
                dir.display()
            );
        }
    }
    println!("sensitivity written to {}", path.display());
    if !quiet {
        println!("report: {}", super::report_command(&dir));
    }
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
