//! A village: its households and their ties, drawn or loaded for one run.

use crate::model::Params;
use crate::model::household::{Households, NewHousehold};
use crate::model::network::{Network, NetworkParams};
use rand::{Rng, RngExt, seq::SliceRandom};
use std::path::Path;

/// One household as given in a households CSV. Absent optional cells are drawn from
/// the household's group's distributions when the village is built.
#[derive(Debug, Clone, PartialEq)]
pub struct HouseholdRecord {
    /// The household's id.
    pub id: u64,
    /// Index of its group in `population.groups`.
    pub group: u8,
    /// Resources, in resource units.
    pub resources: f64,
    /// Threshold in [0, 1], if given.
    pub threshold: Option<f64>,
    /// Availability in [0, 1], if given.
    pub availability: Option<f64>,
    /// Index of the priority issue in `population.issues`, if given.
    pub priority: Option<u8>,
    /// Whether it takes part from the start, if given.
    pub participating: Option<bool>,
}

/// Ties loaded from an edge-list CSV, as household indices.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct EdgeData {
    /// Undirected ties.
    pub edges: Vec<(u32, u32)>,
    /// Their weights, when the file has a `weight` column.
    pub weights: Option<Vec<f32>>,
    /// Self-loops dropped by repair.
    pub self_loops_dropped: usize,
    /// Duplicate ties merged by repair.
    pub duplicates_merged: usize,
}

/// The data files a village may be built from, looked up by the paths the parameters
/// name (`population.households_csv`, an edge-list network). The model reads no files:
/// the scenario layer loads and checks them, and hands them over through this trait.
pub trait DataFiles {
    /// The households read from the households CSV at `path`.
    fn households(&self, path: &Path) -> Option<&[HouseholdRecord]>;
    /// The ties read from the edge list at `path`, resolved against the households
    /// CSV `households` (or taken as indices when `None`), repaired if `repair`.
    fn edges(&self, path: &Path, households: Option<&Path>, repair: bool) -> Option<&EdgeData>;
}

/// No data files: for villages whose parameters draw everything.
#[derive(Debug, Clone, Copy, Default)]
pub struct NoDataFiles;

impl DataFiles for NoDataFiles {
    fn households(&self, _: &Path) -> Option<&[HouseholdRecord]> {
        None
    }
    fn edges(&self, _: &Path, _: Option<&Path>, _: bool) -> Option<&EdgeData> {
        None
    }
}

/// The households of one run and their tie network.
#[derive(Debug, Clone)]
pub struct Village {
    /// The agents.
    pub households: Households,
    /// Their ties.
    pub network: Network,
}

impl Village {
    /// Draws (or loads, as the parameters say) a village. Uses `rng` for everything
    /// drawn, in this order: households (or the missing cells of a households CSV),
    /// ties, initial participants.
    ///
    /// # Panics
    /// If the parameters name a data file that `inputs` does not hold; a checked
    /// scenario (checked by the layer above) always holds them.
    pub fn build<R: Rng + ?Sized>(params: &Params, inputs: &dyn DataFiles, rng: &mut R) -> Village {
        let pop = &params.population;
        let households = match &pop.households_csv {
            None => pop.draw(rng),
            Some(path) => {
                let rows = inputs
                    .households(path)
                    .expect("scenario loaded its households CSV");
                let mut h = Households::with_capacity(rows.len());
                for r in rows.iter() {
                    let g = &pop.groups[r.group as usize];
                    let threshold = g.threshold.as_ref().unwrap_or(&pop.threshold);
                    h.push(NewHousehold {
                        id: Some(r.id),
                        group: r.group,
                        marginalized: g.marginalized,
                        resources: r.resources as f32,
                        threshold: r
                            .threshold
                            .unwrap_or_else(|| threshold.sample_clipped(rng, 0.0, 1.0))
                            as f32,
                        availability: r
                            .availability
                            .unwrap_or_else(|| g.availability.sample_clipped(rng, 0.0, 1.0))
                            as f32,
                        priority: r
                            .priority
                            .unwrap_or_else(|| pop.draw_priority(r.group as usize, rng)),
                        participating: r.participating.unwrap_or(false),
                        trust: pop.trust.sample_clipped(rng, 0.0, 1.0) as f32,
                        awareness: pop.awareness.sample_clipped(rng, 0.0, 1.0) as f32,
                        efficacy: pop.efficacy.sample_clipped(rng, 0.0, 1.0) as f32,
                    });
                }
                h
            }
        };
        let network = match &params.network {
            NetworkParams::EdgeList { path, repair } => {
                let data = inputs
                    .edges(path, pop.households_csv.as_deref(), *repair)
                    .expect("scenario loaded its edge list");
                Network::from_edges(households.len(), &data.edges, data.weights.as_deref())
                    .expect("edge list was checked against the households")
            }
            other => other
                .generate(rng, &households.group)
                .expect("every other model is generated"),
        };
        let mut v = Village {
            households,
            network,
        };
        v.seed_participants(params, rng);
        v
    }

    /// Marks the initial participants: `seed_ids`, then `seed_count + seed_share · n`
    /// more drawn at random from those not yet taking part.
    fn seed_participants<R: Rng + ?Sized>(&mut self, params: &Params, rng: &mut R) {
        let p = &params.participation;
        let h = &mut self.households;
        let n = h.len();
        for &id in &p.seed_ids {
            if let Some(i) = (0..n).find(|&i| h.external_id(i) == id) {
                h.participating[i] = true;
            }
        }
        let extra = p.seed_count + (p.seed_share * n as f64).round() as usize;
        if extra == 0 {
            return;
        }
        let mut free: Vec<u32> = (0..n as u32)
            .filter(|&i| !h.participating[i as usize])
            .collect();
        let k = extra.min(free.len());
        if k * 4 < free.len() {
            for _ in 0..k {
                let j = rng.random_range(0..free.len());
                h.participating[free.swap_remove(j) as usize] = true;
            }
        } else {
            free.shuffle(rng);
            for &i in &free[..k] {
                h.participating[i as usize] = true;
            }
        }
    }

    /// Heap bytes held by the village (households and ties).
    pub fn heap_bytes(&self) -> usize {
        self.households.heap_bytes() + self.network.heap_bytes()
    }
}
