//! Experiments: running every run of a scenario in parallel, saving runs as they
//! finish, writing the result tables, and the statistics and sensitivity analysis
//! over them.
//!
//! - [`runner`]: the plan of runs and running it (rayon);
//! - [`store`]: runs saved as they finish, resume, shards, merge;
//! - [`folder`]: the results folder and files written into it atomically;
//! - [`inputs`]: the copies of the scenario and data files a results folder keeps;
//! - [`output`]: the CSV tables and the manifest;
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
pub mod ranks;
pub mod runner;
pub mod sensitivity;
pub mod stats;
pub mod store;
