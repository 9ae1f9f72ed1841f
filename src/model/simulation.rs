//! The model's step: what happens to a village in one unit of simulated time.
//!
//! A [`Simulation`] owns one village, its community state and its random stream.
//! [`Simulation::step`] advances time by one step; [`Simulation::measure`] reads the
//! measures without changing anything. The core does no I/O.
//!
//! Order of events within a step (see `docs/ODD.md`, *Process overview*):
//! 1. economy: a shock may strike (softened by institutional capacity), resources
//!    revert towards endowments, influence is recomputed, and benefits are shared
//!    out by the allocation rule (systemic bias, elite capture less what the
//!    institution's capacity takes off it, the bias relief the organization has
//!    renegotiated, and any diversion by captured leaders);
//! 2. organizing: the organizer arrives or leaves; last step's trust, awareness and
//!    efficacy decay; the organizer works in the current stage, the institution meets
//!    and takes on issues, a collective action under way advances (threshold rule
//!    with push) and may resolve, capacity is updated, and the stage may end;
//! 3. outside an action, participation by threshold alone (synchronous).

use crate::model::Params;
use crate::model::community::Community;
use crate::model::economy::{self, Allocation, EconomyStep};
use crate::model::metrics::{self, Metrics};
use crate::model::organizing;
use crate::model::params::OrganizingParams;
use crate::model::participation::ThresholdRule;
use crate::model::rng::ModelRng;
use crate::model::stage::StageRecord;
use crate::model::village::Village;

/// One run of the model.
#[derive(Debug, Clone)]
pub struct Simulation<'p> {
    params: &'p Params,
    village: Village,
    community: Community,
    rng: ModelRng,
    env: ModelRng,
    step: u32,
    rule: ThresholdRule,
    scratch: metrics::Scratch,
    degree: economy::DegreeTerm,
    last: EconomyStep,
}

impl<'p> Simulation<'p> {
    /// A run starting from `village`, drawing from `rng`. Shocks draw from a second
    /// stream of the same generator (see [`Simulation::with_environment`]).
    pub fn new(params: &'p Params, village: Village, rng: ModelRng) -> Self {
        let n = village.households.len();
        let mut env = rng.clone();
        env.set_stream(1);
        let mut sim = Simulation {
            params,
            village,
            community: Community::new(n),
            rng,
            env,
            step: 0,
            rule: ThresholdRule::new(n),
            scratch: metrics::Scratch::new(n),
            degree: economy::DegreeTerm::default(),
            last: EconomyStep::default(),
        };
        let issues = params.population.issues.len().max(
            sim.village
                .households
                .priority
                .iter()
                .map(|&x| x as usize + 1)
                .max()
                .unwrap_or(1),
        );
        sim.community.issues = issues;
        sim.draw_potentials();
        let lambda = params.economy.network_influence;
        economy::update_influence(
            &mut sim.village.households,
            &sim.village.network,
            lambda,
            &mut sim.degree,
        );
        sim
    }

    /// Draws shocks from `env` instead: a stream shared by all strategies of a
    /// replicate gives them the same history of shocks.
    pub fn with_environment(mut self, env: ModelRng) -> Self {
        self.env = env;
        self.draw_potentials();
        self
    }

    /// Draws the village's potentials from stream 2 of the environment's generator,
    /// so that every strategy of a replicate (which shares the environment) finds
    /// the same potentials.
    fn draw_potentials(&mut self) {
        let mut r = self.env.clone();
        r.set_stream(2);
        self.community.potentials = crate::model::potential::Potentials::draw(
            &self.village.households,
            self.community.issues,
            self.params.action.potential_rate,
            &mut r,
        );
    }

    /// The current step (0 before the first step).
    pub fn current_step(&self) -> u32 {
        self.step
    }

    /// The village as it is now.
    pub fn village(&self) -> &Village {
        &self.village
    }

    /// The community's state (stage, organization, capacity).
    pub fn community(&self) -> &Community {
        &self.community
    }

    /// The parameters of this run.
    pub fn params(&self) -> &Params {
        self.params
    }

    fn organizing(&self) -> OrganizingParams<'p> {
        let p = self.params;
        OrganizingParams {
            organizer: &p.organizer,
            stages: &p.stages,
            behaviour: &p.behaviour,
            action: &p.action,
            institution: &p.institution,
            threshold_rule: p.participation.enabled,
        }
    }

    /// Systemic bias now faced by marginalized households the organization has
    /// identified (for the others it is `economy.systemic_bias`).
    pub fn relieved_bias(&self) -> f64 {
        self.params.economy.systemic_bias * (1.0 - self.community.renegotiated)
    }

    /// Elite capture `β` in force now: `economy.elite_capture` less the share
    /// `institution.elite_capture_cut · capacity` the institution has taken off it.
    pub fn elite_capture(&self) -> f64 {
        let p = self.params;
        p.economy.elite_capture
            * (1.0 - p.institution.elite_capture_cut * self.community.capacity.clamp(0.0, 1.0))
    }

    /// The allocation rule as it stands now (what the institution has changed of it).
    pub fn rule_now(&self) -> metrics::RuleNow {
        metrics::RuleNow {
            relieved_bias: self.relieved_bias(),
            elite_capture: self.elite_capture(),
        }
    }

    /// Advances one step.
    pub fn step(&mut self) {
        let p = self.params;
        let t = self.step;
        let org = self.organizing();
        let beta = self.elite_capture();
        let h = &mut self.village.households;
        self.last = EconomyStep::default();
        if p.economy.enabled {
            let mitigation = p.institution.shock_buffer * self.community.capacity;
            self.last.shock = economy::apply_shock(h, &p.shocks, mitigation, &mut self.env);
            economy::revert_resources(h, p.economy.reversion);
            economy::update_influence(
                h,
                &self.village.network,
                p.economy.network_influence,
                &mut self.degree,
            );
            self.last.benefits = economy::allocate_benefits(
                h,
                &Allocation {
                    per_household: p.economy.benefit_per_household,
                    beta,
                    bias: p.economy.systemic_bias,
                    relief: self.community.renegotiated,
                    diversion: self.community.diversion,
                    access_memory: p.economy.access_memory,
                },
            );
        }
        if p.organizer.enabled || self.community.formed {
            let ties = organizing::step(
                t,
                org,
                &mut self.community,
                h,
                &self.village.network,
                &mut self.rule,
                &mut self.rng,
            );
            // Rare (meetings only): the new bridging ties merged into the rows. What is
            // kept over the ties (the threshold rule's counts, the degree term, the
            // measures' E-I counts and reach) sees the change by the network's stamp.
            if !ties.is_empty() {
                self.village.network.add_edges(&ties);
            }
        }
        let h = &mut self.village.households;
        if p.participation.enabled && self.community.action.is_none() {
            if p.organizer.enabled {
                self.rule.step(
                    &self.village.network,
                    &h.threshold,
                    &mut h.participating,
                    None,
                );
            } else {
                // Contagion alone: nothing but the rule changes who takes part, the
                // thresholds or the ties, so only households tied to last step's
                // joiners need a look (the same result as the full scan).
                self.rule
                    .step_frontier(&self.village.network, &h.threshold, &mut h.participating);
            }
        }
        self.step += 1;
    }

    /// The measures of the village now.
    pub fn measure(&mut self) -> Metrics {
        self.measure_with_groups(None)
    }

    /// The measures of the village now and, into `groups` when given, those of each
    /// social group (one entry per group of `population.groups`, in order), in one
    /// call.
    pub fn measure_with_groups(
        &mut self,
        groups: Option<&mut Vec<metrics::GroupMetrics>>,
    ) -> Metrics {
        let rule = self.rule_now();
        let k = self.params.population.groups.len();
        metrics::measure(
            &self.village.households,
            &self.village.network,
            &self.community,
            rule,
            self.params.behaviour.trusting as f32,
            self.last,
            &mut self.scratch,
            groups.map(|out| (k, out)),
        )
    }

    /// The measures of each social group now, into `out` (one entry per group of
    /// `population.groups`, in order).
    pub fn measure_groups(&self, out: &mut Vec<metrics::GroupMetrics>) {
        metrics::measure_groups(
            &self.village.households,
            &self.community,
            self.params.population.groups.len(),
            out,
        );
    }

    /// Ends the run: closes the stage records. Returns them.
    pub fn finish(&mut self) -> &[StageRecord] {
        self.community.finish(self.step);
        &self.community.records
    }

    /// Consumes the run, returning the village.
    pub fn into_village(self) -> Village {
        self.village
    }
}
