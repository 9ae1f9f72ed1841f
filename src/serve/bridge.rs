//! Everything `serve` takes from the rest of the crate, gathered in one place so
//! that a move of the model's modules needs re-pointing only here.
//!
//! The serve layer is presentation: it reads the model, scenarios and the terminal
//! demo's comparison (the same pairing of seeds and strategies), and nothing in the
//! crate depends on it.

pub use crate::demo::{Change, Comparison, EventKind, facilitation_name, stage_text, unit_name};
pub use crate::error::{Error, Result};
pub use crate::metrics::Metrics;
pub use crate::model::Simulation;
pub use crate::organizer::{Facilitation, Targeting};
pub use crate::report::layout::{force_layout, sample_indices};
pub use crate::rng::{ModelRng, rng_from_seed};
pub use crate::scenario::{Params, Scenario};
pub use crate::stage::{EndReason, Stage, StagePlan};
pub use crate::village::Village;
