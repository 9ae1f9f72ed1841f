//! The commands of the `kampung` binary, one file each where they are more than a
//! call into the library. Arguments are parsed in `main.rs`; the work is the
//! library's.

pub(crate) mod limits;
pub(crate) mod plan;
pub(crate) mod progress;
pub(crate) mod run;
pub(crate) mod sensitivity;

pub(crate) use crate::{DEFAULT_SCENARIO, EXIT_RUNS_FAILED, describe, plural};
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
