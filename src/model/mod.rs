//! The model: households, their ties, the organizers and Hartini's five stages, the
//! institution, and the measures read off them.
//!
//! This layer depends on nothing else in the crate and does no I/O: a
//! [`Simulation`] is built from [`Params`] and a [`Village`], stepped, and measured.
//! Scenario files, experiments and everything that shows results sit above it (see
//! `docs/architecture.md`).
//!
//! - the agents and their world: [`household`], [`population`], [`network`],
//!   [`village`];
//! - mechanisms: [`economy`] (benefit allocation, systemic bias, shocks),
//!   [`participation`] (the threshold rule), [`organizer`] (who organizes and
//!   how), [`stage`] (the stage plan and records);
//! - the organizing process: [`organizing`] (one step of it), [`stages`] (one file
//!   per stage: [`stages::immersion`],
//!   [`stages::investigation`], [`stages::design`], [`stages::action`],
//!   [`stages::organization`]), [`meeting`] (deliberation and the organization's
//!   meetings), [`institution`] (the organization at work and its capacity), the
//!   village's [`potential`] (what actions can draw on), and the shared state they
//!   act on, [`community`];
//! - the step: [`simulation`];
//! - data collection: [`metrics`];
//! - randomness: [`rng`];
//! - the parameters of one run: [`params`].
//!
//! One run of the default village, with no file read:
//!
//! ```
//! use kampung::model::rng::rng_from_seed;
//! use kampung::model::village::NoDataFiles;
//! use kampung::model::{Params, Simulation, Village};
//!
//! let params = Params::default();
//! let mut rng = rng_from_seed(1);
//! let village = Village::build(&params, &NoDataFiles, &mut rng);
//! let mut sim = Simulation::new(&params, village, rng);
//! for _ in 0..params.time.steps {
//!     sim.step();
//! }
//! let m = sim.measure();
//! assert!((0.0..=1.0).contains(&m.capacity));
//! ```

pub mod community;
pub mod economy;
pub mod household;
pub mod institution;
pub mod meeting;
pub mod metrics;
pub mod network;
pub mod organizer;
pub mod organizing;
pub mod params;
pub mod participation;
pub mod population;
pub mod potential;
pub mod rng;
pub mod simulation;
pub mod stage;
pub mod stages;
pub mod village;

pub use params::Params;
pub use simulation::Simulation;
pub use village::Village;
