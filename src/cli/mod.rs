//! The commands of the `kampung` binary, one file each where they are more than a
//! call into the library. Arguments are parsed in `main.rs`; the work is the
//! library's.

pub(crate) mod calibrate;
pub(crate) mod limits;
pub(crate) mod plan;
pub(crate) mod progress;
pub(crate) mod reference;
pub(crate) mod run;
pub(crate) mod sensitivity;

pub(crate) use crate::{DEFAULT_SCENARIO, EXIT_RUNS_FAILED, describe, describe_posterior, plural};
pub(crate) use kampung::experiment::analysis;
pub(crate) use kampung::experiment::folder;
pub(crate) use kampung::experiment::output::{self, RunInfo};
pub(crate) use kampung::experiment::runner::{self, Outcome};
pub(crate) use kampung::experiment::store::{Mode, PlanFile, Shard, Store};
pub(crate) use kampung::{Error, Scenario};
pub(crate) use plan::human_time;
pub(crate) use progress::Progress;
pub(crate) use run::fresh_results_dir;
pub(crate) use std::io::IsTerminal;
pub(crate) use std::path::{Path, PathBuf};
pub(crate) use std::process::ExitCode;
pub(crate) use std::sync::Mutex;
pub(crate) use std::sync::atomic::{AtomicUsize, Ordering};
pub(crate) use std::time::{Duration, Instant};

/// `text` as one word of a POSIX shell command: as it is when it holds only
/// characters no shell treats specially, else in single quotes.
pub(crate) fn shell_word(text: &str) -> String {
    let plain = !text.is_empty()
        && text
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "/._-+:@%,=".contains(c));
    if plain {
        text.to_string()
    } else {
        format!("'{}'", text.replace('\'', r"'\''"))
    }
}

/// This program as the start of a command printed for the user to run next, so that
/// it runs as printed: `kampung` when it was started by that bare name (found on the
/// `PATH`, as after `cargo install --path .`), else the path it was started by
/// (`target/release/kampung` under `cargo run --release`), which runs from the same
/// folder.
pub(crate) fn program() -> String {
    match std::env::args_os().next() {
        Some(a) if Path::new(&a).components().count() > 1 => shell_word(&a.to_string_lossy()),
        _ => "kampung".into(),
    }
}

/// The command that makes the report of results folder `dir`, as printed after
/// `run` and `sensitivity` (see [`program`]).
pub(crate) fn report_command(dir: &Path) -> String {
    format!(
        "{} report {}",
        program(),
        shell_word(&dir.display().to_string())
    )
}
