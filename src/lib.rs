//! # kampung
//!
//! An agent-based simulation of community organizing: households with resources and
//! social ties, organizers following Hartini's (2003) five stages, and the people's
//! institution that grows out of them, run over many scenarios in parallel to compare
//! how strategies build institutional capacity and reduce marginalization.
//!
//! The library is built in layers, each depending only on those below it (see
//! `docs/architecture.md`; `tests/architecture.rs` fails on an upward import):
//! 1. [`model`]: agents, mechanisms, the five stages, the institution, the step and
//!    the measures. No I/O, and nothing from the layers above.
//! 2. [`scenario`]: scenario files, strategies, experiment designs (`[sweep]`), data
//!    files in, and located errors ([`error`]).
//! 3. [`experiment`]: running every run in parallel, the results store, output tables,
//!    statistics and sensitivity analysis.
//! 4. What shows results: [`report`] (an HTML page of a results folder), [`demo`]
//!    (the stages played in a terminal) and [`serve`] (two villages live in a
//!    browser).
//!
//! The `kampung` command line (`src/main.rs`) only parses arguments and wires these
//! together.
//!
//! ```no_run
//! use kampung::Scenario;
//! use kampung::experiment::runner;
//! let s = Scenario::from_file("scenarios/village.toml".as_ref())?;
//! let runs = runner::run_all(&s, &runner::plan(&s), None, &|_| {})?;
//! println!("final participation: {}", runs[0].last().participation);
//! # Ok::<(), kampung::Error>(())
//! ```

#![warn(missing_docs)]

pub mod model;

#[cfg(feature = "full")]
pub mod error;
#[cfg(feature = "full")]
pub mod scenario;

#[cfg(feature = "full")]
pub mod experiment;

#[cfg(feature = "full")]
pub mod demo;
#[cfg(feature = "full")]
pub mod report;
#[cfg(feature = "full")]
pub mod serve;

#[cfg(feature = "full")]
pub use error::{Diagnostic, Error, Result};
#[cfg(feature = "full")]
pub use scenario::Scenario;
