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
//!   [`participation`] (the threshold rule), [`organizer`] and [`stage`] (who
//!   organizes, how, and the stage plan), [`organizing`] (what each stage does,
//!   collective action, the people's organization and the institution);
//! - the step: [`simulation`];
//! - data collection: [`metrics`];
//! - randomness: [`rng`];
//! - the parameters of one run: [`params`].

pub mod economy;
pub mod household;
pub mod metrics;
pub mod network;
pub mod organizer;
pub mod organizing;
pub mod params;
pub mod participation;
pub mod population;
pub mod rng;
pub mod simulation;
pub mod stage;
pub mod village;

pub use params::Params;
pub use simulation::Simulation;
pub use village::Village;
