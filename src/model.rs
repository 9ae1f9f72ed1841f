//! The model's step: what happens to a village in one unit of simulated time.
//!
//! A [`Simulation`] owns one village and its random stream. [`Simulation::step`]
//! advances time by one step; [`Simulation::measure`] reads the measures without
//! changing anything. The core does no I/O.
//!
//! Order of events within a step (see `docs/ODD.md`, *Process overview*):
//! 1. shock (drawn, then applied to resources);
//! 2. resources revert towards endowments;
//! 3. influence is recomputed;
//! 4. benefits are shared out by the allocation rule;
//! 5. participation by threshold (synchronous).

use crate::economy::{self, EconomyStep};
use crate::metrics::{self, Metrics};
use crate::participation::ThresholdRule;
use crate::rng::ModelRng;
use crate::scenario::Params;
use crate::village::Village;

/// One run of the model.
#[derive(Debug, Clone)]
pub struct Simulation<'p> {
    params: &'p Params,
    village: Village,
    rng: ModelRng,
    step: u32,
    rule: ThresholdRule,
    scratch: metrics::Scratch,
    last: EconomyStep,
}

impl<'p> Simulation<'p> {
    /// A run starting from `village`, drawing from `rng`.
    pub fn new(params: &'p Params, village: Village, rng: ModelRng) -> Self {
        let n = village.households.len();
        let mut sim = Simulation {
            params,
            village,
            rng,
            step: 0,
            rule: ThresholdRule::new(n),
            scratch: metrics::Scratch::new(n),
            last: EconomyStep::default(),
        };
        let lambda = params.economy.network_influence;
        economy::update_influence(&mut sim.village.households, &sim.village.network, lambda);
        sim
    }

    /// The current step (0 before the first step).
    pub fn current_step(&self) -> u32 {
        self.step
    }

    /// The village as it is now.
    pub fn village(&self) -> &Village {
        &self.village
    }

    /// The parameters of this run.
    pub fn params(&self) -> &Params {
        self.params
    }

    /// Advances one step.
    pub fn step(&mut self) {
        let p = self.params;
        let h = &mut self.village.households;
        let net = &self.village.network;
        self.last = EconomyStep::default();
        if p.economy.enabled {
            self.last.shock = economy::apply_shock(h, &p.shocks, 0.0, &mut self.rng);
            economy::revert_resources(h, p.economy.reversion);
            economy::update_influence(h, net, p.economy.network_influence);
            self.last.benefits = economy::allocate_benefits(
                h,
                p.economy.benefit_per_household,
                p.economy.elite_capture,
                p.economy.systemic_bias,
                p.economy.access_memory,
            );
        }
        if p.participation.enabled {
            self.rule
                .step(net, &h.threshold, &mut h.participating, None);
        }
        self.step += 1;
    }

    /// The measures of the village now.
    pub fn measure(&mut self) -> Metrics {
        metrics::measure(
            &self.village.households,
            &self.village.network,
            self.last.benefits,
            self.last.shock,
            &mut self.scratch,
        )
    }

    /// Consumes the run, returning the village.
    pub fn into_village(self) -> Village {
        self.village
    }
}
