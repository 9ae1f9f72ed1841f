//! # kampung
//!
//! An agent-based simulation of community organizing: households with resources and
//! social ties, organizers following Hartini's (2003) five stages, and the people's
//! institution that grows out of them, run over many scenarios in parallel to compare
//! how strategies build institutional capacity and reduce marginalization.
//!
//! The library is laid out as the model reads:
//! - agents and their world: [`household`], [`population`], [`network`], [`village`];
//! - mechanisms: [`economy`] (benefit allocation, systemic bias, shocks),
//!   [`participation`] (threshold rule), [`organizer`] and [`stage`] (who organizes,
//!   how, and Hartini's five stages), [`organizing`] (what each stage does,
//!   collective action, the people's organization and the institution);
//! - the step: [`model`];
//! - data collection: [`metrics`];
//! - experiments: [`scenario`] (files and strategies), [`design`] (experiment
//!   designs), [`sweep`] (parallel runs), [`store`] (runs saved as they finish,
//!   resume, shards, merge), [`output`] (CSV and manifest), [`input`] (CSV data in);
//! - analysis: [`stats`] and [`analysis`] (summaries, paired comparisons),
//!   [`sensitivity`] (Morris, Sobol);
//! - showing it: [`report`] (an HTML page of a results folder) and [`demo`] (the
//!   stages played in a terminal), and [`serve`] (two villages live in a browser).
//!
//! ```no_run
//! use kampung::{Scenario, sweep};
//! let s = Scenario::from_file("scenarios/village.toml".as_ref())?;
//! let runs = sweep::run_all(&s, &sweep::plan(&s), None, &|_| {})?;
//! println!("final participation: {}", runs[0].last().participation);
//! # Ok::<(), kampung::Error>(())
//! ```

#![warn(missing_docs)]

pub mod analysis;
pub mod demo;
pub mod design;
pub mod economy;
pub mod error;
pub mod household;
pub mod input;
pub mod metrics;
pub mod model;
pub mod network;
pub mod organizer;
pub mod organizing;
pub mod output;
pub mod participation;
pub mod population;
pub mod report;
pub mod rng;
pub mod scenario;
pub mod sensitivity;
pub mod serve;
pub mod stage;
pub mod stats;
pub mod store;
pub mod sweep;
pub mod village;

pub use error::{Diagnostic, Error, Result};
pub use scenario::Scenario;
