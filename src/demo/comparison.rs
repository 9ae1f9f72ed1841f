//! Two villages side by side: the same village under the scenario's first strategy
//! and under one change (a stage skipped or rushed, another facilitation style).

use super::*;

/// One side of the comparison.
#[derive(Debug, Clone)]
pub struct Side {
    /// Column heading.
    pub label: String,
    /// The strategy name its dynamics stream is derived from.
    pub stream: String,
    /// Its parameters.
    pub params: Params,
    /// Seed of its dynamics stream.
    pub seed: u64,
}

/// The two runs of a demonstration: the reference side (left) and the compared side
/// (right), sharing one village and one history of shocks.
#[derive(Debug, Clone)]
pub struct Comparison {
    pub(super) scenario: Scenario,
    /// The reference side (0) and the compared side (1).
    pub sides: [Side; 2],
    /// Seed of the village both sides build.
    pub village_seed: u64,
    /// Seed of the shocks both sides meet.
    pub environment_seed: u64,
    /// Why the compared side is what it is, in words (for the header).
    pub how: String,
}

impl Comparison {
    /// Sets up a demonstration of scenario `s`.
    ///
    /// The reference side is the scenario's first strategy. The compared side is:
    /// the first strategy with `change` applied, when `change` changes anything;
    /// otherwise the scenario's second strategy, when it has one; otherwise the first
    /// strategy with the organization stage skipped ([`Change::DEFAULT`]).
    ///
    /// `seed` replaces the scenario's base seed. The runs are replicate 0 of the plan
    /// `kampung run` would make: the reference side is exactly the first run of
    /// `run` (and a compared strategy from the file exactly its replicate 0); a
    /// changed side draws its dynamics from the stream of a strategy named
    /// [`Change::name`] (as `skip_organization` in `scenarios/strategies.toml`).
    ///
    /// Fails, with a message saying why, when the scenario has no organizer or the
    /// change leaves the reference side as it is.
    pub fn new(mut s: Scenario, change: Change, seed: Option<u64>) -> Result<Comparison> {
        if let Some(seed) = seed {
            s.seed = seed;
        }
        let specs = runner::plan(&s);
        let first = specs
            .iter()
            .find(|r| r.strategy == 0 && r.point == 0 && r.replicate == 0)
            .ok_or_else(|| Error::Run("the scenario has no runs".into()))?
            .clone();
        let base = s.params(0, 0).into_owned();
        if !base.organizer.enabled {
            return Err(problem(
                &s,
                "organizer.enabled",
                format!(
                    "the first strategy (`{}`) has no organizer, so there are no stages to show",
                    s.strategies[0].name
                ),
                Some("a scenario whose first strategy has an organizer, such as scenarios/village.toml".into()),
            ));
        }
        let first_name = s.strategies[0].name.clone();
        let left_label = if first_name == "baseline" {
            if Stage::FIVE
                .iter()
                .all(|&st| base.stages.get(st).is_some_and(|p| !p.skip))
            {
                "all five stages".to_string()
            } else {
                "as planned".to_string()
            }
        } else {
            first_name.clone()
        };
        // A style the reference side already uses changes nothing: leave it out (an
        // empty change is refused below, with the reason).
        let mut change = change;
        let same_style = change.facilitation == Some(base.organizer.facilitation);
        if same_style && change.skip.is_some() {
            change.facilitation = None;
        }
        let defaulted = change.is_empty() && s.strategies.len() < 2;
        let change = if defaulted { Change::DEFAULT } else { change };
        let (right, how) = if change.is_empty() {
            let spec = specs
                .iter()
                .find(|r| r.strategy == 1 && r.point == 0 && r.replicate == 0)
                .ok_or_else(|| Error::Run("the scenario's second strategy has no runs".into()))?;
            let st = &s.strategies[1];
            let side = Side {
                label: st.name.clone(),
                stream: st.name.clone(),
                params: s.params(1, 0).into_owned(),
                seed: spec.seed,
            };
            let how = format!(
                "`{}` against `{}`, the scenario's first two strategies",
                first_name, st.name
            );
            (side, how)
        } else {
            let mut p = base.clone();
            let mut changed = false;
            if let Some(stage) = change.skip {
                let plan = plan_mut(&mut p.stages, stage).ok_or_else(|| {
                    Error::Run(format!("`{}` is not one of the five stages", stage.name()))
                })?;
                changed |= !plan.skip;
                plan.skip = true;
            }
            if let Some(f) = change.facilitation {
                changed |= p.organizer.facilitation != f;
                p.organizer.facilitation = f;
            }
            if !changed {
                let mut why = Vec::new();
                let mut keys = Vec::new();
                if let Some(stage) = change.skip {
                    why.push(format!("already skips {}", stage.name()));
                    keys.push(format!("stages.{}.skip", stage.name()));
                }
                if let Some(f) = change.facilitation {
                    why.push(format!(
                        "already uses {} facilitation",
                        facilitation_name(f)
                    ));
                    keys.push("organizer.facilitation".into());
                }
                return Err(problem(
                    &s,
                    &keys.join(", "),
                    format!("nothing to compare: `{first_name}` {}", why.join(" and ")),
                    Some("another --skip or --facilitation".into()),
                ));
            }
            let name = change.name();
            let stream = if s.point_count() > 1 {
                format!("{name}#0")
            } else {
                name.clone()
            };
            let seed = derive_seed(s.seed, &s.name, &stream, 0, Purpose::Dynamics);
            let how = if defaulted {
                format!(
                    "`{first_name}` against the same with the {} stage skipped (the default \
                     comparison)",
                    Stage::Organization.name()
                )
            } else {
                format!("`{first_name}` against the same with {}", change.label())
            };
            (
                Side {
                    label: change.label(),
                    stream: name,
                    params: p,
                    seed,
                },
                how,
            )
        };
        let left = Side {
            label: left_label,
            stream: first_name,
            params: base,
            seed: first.seed,
        };
        Ok(Comparison {
            village_seed: first.village_seed,
            environment_seed: first.environment_seed,
            scenario: s,
            sides: [left, right],
            how,
        })
    }

    /// The scenario (with the base seed the demonstration uses).
    pub fn scenario(&self) -> &Scenario {
        &self.scenario
    }

    /// Whether both sides draw the same village: their population, network and
    /// initial participants are set alike (strategies that change those draw
    /// different villages from the same seed).
    pub fn same_village(&self) -> bool {
        let [a, b] = &self.sides;
        a.params.population == b.params.population
            && a.params.network == b.params.network
            && a.params.participation == b.params.participation
    }

    /// The number of steps the demonstration lasts (the longer side's).
    pub fn steps(&self) -> u32 {
        self.sides[0]
            .params
            .time
            .steps
            .max(self.sides[1].params.time.steps)
    }

    /// Starts the two runs.
    pub fn start(&self) -> Demo<'_> {
        let sims = [0, 1].map(|k| {
            let side = &self.sides[k];
            let village = Village::build(
                &side.params,
                &self.scenario.inputs,
                &mut rng_from_seed(self.village_seed),
            );
            Simulation::new(&side.params, village, rng_from_seed(side.seed))
                .with_environment(rng_from_seed(self.environment_seed))
        });
        let horizon = self.scenario.output.post_exit_horizon;
        let trackers = [0, 1].map(|k| Tracker::new(&self.sides[k].params, horizon));
        Demo {
            cmp: self,
            sims,
            trackers,
            step: 0,
            steps: self.steps(),
            started: false,
        }
    }
}

/// A problem with what the demonstration was asked to show, reported against the
/// scenario file like a problem in it.
pub(super) fn problem(s: &Scenario, key: &str, message: String, allowed: Option<String>) -> Error {
    Error::Invalid(vec![Diagnostic {
        file: s
            .file
            .as_ref()
            .map_or_else(|| s.name.clone(), |f| f.display().to_string()),
        line: 0,
        column: 0,
        key: key.to_string(),
        message,
        allowed,
    }])
}
