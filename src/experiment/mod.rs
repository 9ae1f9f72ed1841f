//! Experiments: running every run of a scenario in parallel, saving runs as they
//! finish, writing the result tables, and the statistics and sensitivity analysis
//! over them.
//!
//! - [`runner`]: the plan of runs and running it (rayon);
//! - [`store`]: runs saved as they finish, resume, shards, merge;
//! - [`part`]: a run's part file, written while the run goes on, read back checked;
//! - [`folder`]: the results folder and files written into it atomically;
//! - [`inputs`]: the copies of the scenario and data files a results folder keeps;
//! - [`output`]: the CSV tables' columns and the manifest;
//! - [`rows`]: a run's rows of every table, written as the run makes them;
//! - [`stats`] and [`analysis`]: summaries and paired comparisons;
//! - [`ranks`]: how often each strategy ranks first across a posterior's draws;
//! - [`sensitivity`]: Morris and Sobol indices.
//!
//! Depends on [`crate::model`] and [`crate::scenario`]; nothing below imports it.

pub mod abc;
pub mod analysis;
pub mod calibrate;
pub mod calibration_store;
#[cfg(feature = "parquet")]
pub mod columnar;
pub mod disk;
pub mod folder;
pub mod inputs;
pub mod output;
pub mod part;
pub mod ranks;
pub mod rows;
pub mod runner;
pub mod sensitivity;
pub mod stats;
pub mod store;
