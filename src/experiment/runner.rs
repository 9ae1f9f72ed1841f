//! Running a scenario: every strategy × design point × replicate, in parallel with
//! rayon.
//!
//! Runs are independent; each draws its village and its dynamics from streams derived
//! from (base seed, scenario, strategy, replicate) (see [`crate::model::rng`]; with a design
//! of several points, the point's number is part of the dynamics stream too), so
//! results do not depend on the number of threads or the order in which runs finish.
//! Under a posterior (`run --posterior`), the replicate's particle is drawn from a
//! stream of its own in the same way ([`Scenario::run_params`]).
//! [`run_all`] returns results in plan order; [`run_each`] hands each finished run to
//! a callback (the CLI saves it to disk at once, see the results store).

use crate::model::Simulation;
use crate::model::household::Households;
use crate::model::metrics::{GroupMetrics, Metrics};
use crate::model::rng::{Purpose, derive_seed, rng_from_seed};
use crate::model::stage::StageRecord;
use crate::model::village::Village;
use crate::scenario::Scenario;
use rayon::prelude::*;

/// One run to do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RunSpec {
    /// Position in the plan (0-based), the order of output rows.
    pub index: usize,
    /// Index of the strategy in the scenario.
    pub strategy: usize,
    /// Index of the design point (0 when the scenario has no `[sweep]`).
    pub point: usize,
    /// Replicate number (0-based).
    pub replicate: u32,
    /// Seed of the run's dynamics stream (written in every output row).
    pub seed: u64,
    /// Seed of the run's village stream (shared by all strategies of a replicate).
    pub village_seed: u64,
    /// Seed of the run's environment stream (shocks; shared like the village).
    pub environment_seed: u64,
}

/// What one run produced.
#[derive(Debug, Clone)]
pub struct RunOutput {
    /// The run.
    pub spec: RunSpec,
    /// Recorded steps and their measures, step 0 (the initial state) first.
    pub timeseries: Vec<(u32, Metrics)>,
    /// The measures of each social group at the recorded steps (empty when
    /// `output.groups` is off).
    pub groups: Vec<(u32, Vec<GroupMetrics>)>,
    /// Household snapshots: the step and the households' state then.
    pub snapshots: Vec<(u32, Households)>,
    /// When each stage began and ended, and why.
    pub stages: Vec<StageRecord>,
    /// The step `output.post_exit_horizon` steps after the organizer's exit, and the
    /// measures then (`None` when the run ends before it or has no organizer).
    pub post_exit: Option<(u32, Metrics)>,
}

impl RunOutput {
    /// Measures at the last step.
    pub fn last(&self) -> Metrics {
        self.timeseries.last().map(|(_, m)| *m).unwrap_or_default()
    }
}

/// The runs of a scenario: strategy by strategy, point by point, replicate by
/// replicate.
pub fn plan(s: &Scenario) -> Vec<RunSpec> {
    let mut out = Vec::with_capacity(s.run_count());
    let points = s.point_count();
    for (k, st) in s.strategies.iter().enumerate() {
        for point in 0..points {
            let stream = if points > 1 {
                format!("{}#{point}", st.name)
            } else {
                st.name.clone()
            };
            for r in 0..s.replicates {
                out.push(RunSpec {
                    index: out.len(),
                    strategy: k,
                    point,
                    replicate: r,
                    seed: derive_seed(s.seed, &s.name, &stream, r, Purpose::Dynamics),
                    village_seed: derive_seed(s.seed, &s.name, &st.name, r, Purpose::Village),
                    environment_seed: derive_seed(
                        s.seed,
                        &s.name,
                        &st.name,
                        r,
                        Purpose::Environment,
                    ),
                });
            }
        }
    }
    out
}

/// A run's result: its output, or why it failed.
#[derive(Debug, Clone)]
pub enum Outcome {
    /// The run finished.
    Done(Box<RunOutput>),
    /// The run panicked or its numbers blew up; the sweep goes on without it.
    Failed {
        /// The run.
        spec: RunSpec,
        /// What went wrong.
        error: String,
    },
}

impl Outcome {
    /// The run.
    pub fn spec(&self) -> &RunSpec {
        match self {
            Outcome::Done(r) => &r.spec,
            Outcome::Failed { spec, .. } => spec,
        }
    }
}

/// Measures that must stay finite; a run where one is not has blown up.
fn blown_up(m: &Metrics) -> Option<&'static str> {
    let checks = [
        ("mean_resources", m.mean_resources),
        ("gini", m.gini),
        ("capacity", m.capacity),
        ("mean_trust", m.mean_trust),
        ("mean_awareness", m.mean_awareness),
        ("mean_efficacy", m.mean_efficacy),
        ("participation", m.participation),
    ];
    checks.iter().find(|(_, v)| !v.is_finite()).map(|(k, _)| *k)
}

/// Does one run, turning a panic or a numerical blow-up (a measure that is NaN or
/// infinite) into [`Outcome::Failed`].
pub fn run_guarded(s: &Scenario, spec: &RunSpec) -> Outcome {
    let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| run_one(s, spec)));
    match result {
        Ok(out) => {
            let bad = out
                .timeseries
                .iter()
                .find_map(|(t, m)| blown_up(m).map(|k| (*t, k)));
            match bad {
                None => Outcome::Done(Box::new(out)),
                Some((t, k)) => Outcome::Failed {
                    spec: spec.clone(),
                    error: format!("numerical blow-up: {k} is not finite at step {t}"),
                },
            }
        }
        Err(payload) => {
            let msg = payload
                .downcast_ref::<&str>()
                .map(|s| s.to_string())
                .or_else(|| payload.downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "unknown panic".into());
            Outcome::Failed {
                spec: spec.clone(),
                error: format!("panic: {msg}"),
            }
        }
    }
}

/// Does one run.
pub fn run_one(s: &Scenario, spec: &RunSpec) -> RunOutput {
    let params = &*s.run_params(spec.strategy, spec.point, spec.replicate);
    let village = Village::build(params, &s.inputs, &mut rng_from_seed(spec.village_seed));
    let mut sim = Simulation::new(params, village, rng_from_seed(spec.seed))
        .with_environment(rng_from_seed(spec.environment_seed));
    let steps = params.time.steps;
    let every = s.output.record_every.max(1);
    let mut timeseries = Vec::with_capacity((steps / every) as usize + 2);
    let mut snapshots = Vec::new();
    let wants_snapshot =
        |t: u32| s.output.households && (t == steps || s.output.household_steps.contains(&t));
    let post_step = params
        .organizer
        .enabled
        .then(|| {
            params
                .organizer
                .exit_step
                .saturating_add(s.output.post_exit_horizon)
        })
        .filter(|&t| t <= steps);
    let mut post_exit = None;
    let mut groups = Vec::new();
    // One call measures the village and, when recorded, its groups.
    let measure = |t: u32, sim: &mut Simulation, groups: &mut Vec<_>| {
        if s.output.groups {
            let mut g = Vec::new();
            let m = sim.measure_with_groups(Some(&mut g));
            groups.push((t, g));
            m
        } else {
            sim.measure()
        }
    };
    timeseries.push((0, measure(0, &mut sim, &mut groups)));
    if wants_snapshot(0) {
        snapshots.push((0, sim.village().households.clone()));
    }
    for t in 1..=steps {
        sim.step();
        let recorded = t.is_multiple_of(every) || t == steps;
        if recorded {
            let m = measure(t, &mut sim, &mut groups);
            timeseries.push((t, m));
            if post_step == Some(t) {
                post_exit = Some((t, m));
            }
        } else if post_step == Some(t) {
            post_exit = Some((t, sim.measure()));
        }
        if wants_snapshot(t) {
            snapshots.push((t, sim.village().households.clone()));
        }
    }
    let stages = sim.finish().to_vec();
    RunOutput {
        spec: spec.clone(),
        timeseries,
        groups,
        snapshots,
        stages,
        post_exit,
    }
}

/// Does every run of the plan on `threads` threads (all cores when `None`), calling
/// `progress` after each finished run with the number finished so far. Results come
/// back in plan order whatever the order of finishing.
pub fn run_all(
    s: &Scenario,
    specs: &[RunSpec],
    threads: Option<usize>,
    progress: &(dyn Fn(usize) + Sync),
) -> crate::Result<Vec<RunOutput>> {
    let pool = thread_pool(threads)?;
    let done = std::sync::atomic::AtomicUsize::new(0);
    Ok(pool.install(|| {
        specs
            .par_iter()
            .map(|spec| {
                let out = run_one(s, spec);
                let k = done.fetch_add(1, std::sync::atomic::Ordering::Relaxed) + 1;
                progress(k);
                out
            })
            .collect()
    }))
}

/// Does every run of `specs` on `threads` threads (all cores when `None`), handing
/// each outcome to `done` as soon as the run ends (in whatever order runs end). Stops
/// at the first error `done` returns.
pub fn run_each(
    s: &Scenario,
    specs: &[RunSpec],
    threads: Option<usize>,
    done: &(dyn Fn(Outcome) -> crate::Result<()> + Sync),
) -> crate::Result<()> {
    let pool = thread_pool(threads)?;
    pool.install(|| {
        specs
            .par_iter()
            .try_for_each(|spec| done(run_guarded(s, spec)))
    })
}

/// A pool of `threads` worker threads (all cores when `None`).
fn thread_pool(threads: Option<usize>) -> crate::Result<rayon::ThreadPool> {
    let mut builder = rayon::ThreadPoolBuilder::new();
    if let Some(t) = threads {
        builder = builder.num_threads(t.max(1));
    }
    builder
        .build()
        .map_err(|e| crate::Error::Run(format!("cannot start threads: {e}")))
}
