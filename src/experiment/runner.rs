//! Running a scenario: every strategy × design point × replicate, in parallel with
//! rayon.
//!
//! Runs are independent; each draws its village and its dynamics from streams derived
//! from (base seed, scenario, strategy, replicate) (see [`crate::model::rng`]; with a design
//! of several points, the point's number is part of the dynamics stream too), so
//! results do not depend on the number of threads or the order in which runs finish.
//! Under a posterior (`run --posterior`), the replicate's particle is drawn from a
//! stream of its own in the same way ([`Scenario::run_params`]).
//! [`record`] does one run and hands each recorded row to a [`Recorder`] as it is
//! made: [`run_one`] holds them in memory, the results store writes them to the
//! run's part file at once (the CLI). [`run_all`] returns runs in plan order;
//! [`run_each`] hands each finished run to a callback; [`for_each`] does any job per
//! run in parallel.

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

/// Why a run stopped before its end.
#[derive(Debug)]
pub enum Halt {
    /// The run failed (a panic, or a numerical blow-up); the sweep goes on without
    /// it, recording why.
    Failed(String),
    /// Its rows could not be kept (a disk error): the command stops.
    Error(crate::Error),
}

/// Where a run's recorded rows go as the run makes them: held in memory
/// ([`RunOutput`], by [`run_one`]) or written to the run's part file at once (the
/// results store), so that a run holds none of its rows.
pub trait Recorder {
    /// The village measured at step `step`, and its groups when `output.groups` is
    /// on (`None` when off).
    fn measured(
        &mut self,
        step: u32,
        m: &Metrics,
        groups: Option<&[GroupMetrics]>,
    ) -> Result<(), Halt>;
    /// Every household's state at step `step` (a snapshot the output settings ask
    /// for).
    fn snapshot(&mut self, step: u32, households: &Households) -> Result<(), Halt>;
}

/// What a run leaves besides its recorded rows.
#[derive(Debug, Clone)]
pub struct RunEnd {
    /// The last recorded step and the measures then.
    pub last: (u32, Metrics),
    /// When each stage began and ended, and why.
    pub stages: Vec<StageRecord>,
    /// The step `output.post_exit_horizon` steps after the organizer's exit, and the
    /// measures then (`None` when the run ends before it or has no organizer).
    pub post_exit: Option<(u32, Metrics)>,
}

/// Does one run, handing each recorded row to `rec` as it is made; stops at the
/// first [`Halt`] `rec` returns.
pub fn record(s: &Scenario, spec: &RunSpec, rec: &mut dyn Recorder) -> Result<RunEnd, Halt> {
    let params = &*s.run_params(spec.strategy, spec.point, spec.replicate);
    let village = Village::build(params, &s.inputs, &mut rng_from_seed(spec.village_seed));
    let mut sim = Simulation::new(params, village, rng_from_seed(spec.seed))
        .with_environment(rng_from_seed(spec.environment_seed));
    let steps = params.time.steps;
    let every = s.output.record_every.max(1);
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
    // One call measures the village and, when recorded, its groups, and hands them on.
    let mut measure = |t: u32, sim: &mut Simulation, rec: &mut dyn Recorder| {
        let m = if s.output.groups {
            groups.clear();
            sim.measure_with_groups(Some(&mut groups))
        } else {
            sim.measure()
        };
        rec.measured(t, &m, s.output.groups.then_some(&groups[..]))?;
        Ok::<_, Halt>(m)
    };
    let mut last = (0, measure(0, &mut sim, rec)?);
    if wants_snapshot(0) {
        rec.snapshot(0, &sim.village().households)?;
    }
    for t in 1..=steps {
        sim.step();
        let recorded = t.is_multiple_of(every) || t == steps;
        if recorded {
            let m = measure(t, &mut sim, rec)?;
            last = (t, m);
            if post_step == Some(t) {
                post_exit = Some((t, m));
            }
        } else if post_step == Some(t) {
            post_exit = Some((t, sim.measure()));
        }
        if wants_snapshot(t) {
            rec.snapshot(t, &sim.village().households)?;
        }
    }
    Ok(RunEnd {
        last,
        stages: sim.finish().to_vec(),
        post_exit,
    })
}

/// [`record`], with a panic or a numerical blow-up (a measure that is NaN or
/// infinite at a recorded step) turned into [`Halt::Failed`]: the run stops at the
/// first recorded step that blew up.
pub fn record_guarded(
    s: &Scenario,
    spec: &RunSpec,
    rec: &mut dyn Recorder,
) -> Result<RunEnd, Halt> {
    struct Guard<'r>(&'r mut dyn Recorder);
    impl Recorder for Guard<'_> {
        fn measured(
            &mut self,
            step: u32,
            m: &Metrics,
            groups: Option<&[GroupMetrics]>,
        ) -> Result<(), Halt> {
            if let Some(k) = blown_up(m) {
                return Err(Halt::Failed(format!(
                    "numerical blow-up: {k} is not finite at step {step}"
                )));
            }
            self.0.measured(step, m, groups)
        }
        fn snapshot(&mut self, step: u32, households: &Households) -> Result<(), Halt> {
            self.0.snapshot(step, households)
        }
    }
    let mut guard = Guard(rec);
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| record(s, spec, &mut guard)))
        .unwrap_or_else(|payload| {
            let msg = payload
                .downcast_ref::<&str>()
                .map(|s| s.to_string())
                .or_else(|| payload.downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "unknown panic".into());
            Err(Halt::Failed(format!("panic: {msg}")))
        })
}

/// A recorder that keeps no rows: for callers that need only a run's end
/// ([`RunEnd`]: its last measures and the post-exit measures), such as the
/// sensitivity analysis.
#[derive(Debug, Clone, Copy, Default)]
pub struct Discard;

impl Recorder for Discard {
    fn measured(&mut self, _: u32, _: &Metrics, _: Option<&[GroupMetrics]>) -> Result<(), Halt> {
        Ok(())
    }
    fn snapshot(&mut self, _: u32, _: &Households) -> Result<(), Halt> {
        Ok(())
    }
}

/// A run's rows held in memory.
#[derive(Default)]
struct Collect {
    timeseries: Vec<(u32, Metrics)>,
    groups: Vec<(u32, Vec<GroupMetrics>)>,
    snapshots: Vec<(u32, Households)>,
}

impl Recorder for Collect {
    fn measured(
        &mut self,
        step: u32,
        m: &Metrics,
        groups: Option<&[GroupMetrics]>,
    ) -> Result<(), Halt> {
        self.timeseries.push((step, *m));
        if let Some(g) = groups {
            self.groups.push((step, g.to_vec()));
        }
        Ok(())
    }
    fn snapshot(&mut self, step: u32, households: &Households) -> Result<(), Halt> {
        self.snapshots.push((step, households.clone()));
        Ok(())
    }
}

impl Collect {
    fn output(self, spec: &RunSpec, end: RunEnd) -> RunOutput {
        RunOutput {
            spec: spec.clone(),
            timeseries: self.timeseries,
            groups: self.groups,
            snapshots: self.snapshots,
            stages: end.stages,
            post_exit: end.post_exit,
        }
    }
}

/// Does one run, turning a panic or a numerical blow-up (a measure that is NaN or
/// infinite) into [`Outcome::Failed`]; its rows are held in memory.
pub fn run_guarded(s: &Scenario, spec: &RunSpec) -> Outcome {
    let mut rows = Collect::default();
    match record_guarded(s, spec, &mut rows) {
        Ok(end) => Outcome::Done(Box::new(rows.output(spec, end))),
        Err(halt) => Outcome::Failed {
            spec: spec.clone(),
            error: match halt {
                Halt::Failed(why) => why,
                Halt::Error(e) => e.to_string(),
            },
        },
    }
}

/// Does one run, holding its rows in memory.
pub fn run_one(s: &Scenario, spec: &RunSpec) -> RunOutput {
    let mut rows = Collect::default();
    match record(s, spec, &mut rows) {
        Ok(end) => rows.output(spec, end),
        // Held in memory, rows are never refused.
        Err(_) => unreachable!("Collect never halts a run"),
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
    for_each(specs, threads, &|spec| done(run_guarded(s, spec)))
}

/// Calls `job` on every run of `specs`, on `threads` threads (all cores when
/// `None`), in whatever order they come; stops at the first error `job` returns.
/// (The CLI's job does the run with its rows streamed to disk, see the results
/// store.)
pub fn for_each(
    specs: &[RunSpec],
    threads: Option<usize>,
    job: &(dyn Fn(&RunSpec) -> crate::Result<()> + Sync),
) -> crate::Result<()> {
    let pool = thread_pool(threads)?;
    pool.install(|| specs.par_iter().try_for_each(job))
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
