//! Everything `serve` takes from the rest of the crate, gathered in one place so
//! that a move of the model's modules needs re-pointing only here.
//!
//! The serve layer is presentation: it reads the model, scenarios and the terminal
//! demo's comparison (the same pairing of seeds and strategies), and nothing in the
//! crate depends on it.

pub use crate::demo::{Change, Comparison, EventKind, facilitation_name, stage_text, unit_name};
pub use crate::error::{Error, Result};
pub use crate::model::metrics::Metrics;
pub use crate::model::organizer::{Facilitation, Targeting};
pub use crate::model::rng::{ModelRng, rng_from_seed};
pub use crate::model::stage::{EndReason, Stage, StagePlan};
pub use crate::model::{Params, Simulation, Village};
pub use crate::report::layout::{force_layout, normalize, sample_indices};
pub use crate::scenario::Scenario;
