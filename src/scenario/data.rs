//! The data files a scenario names (households and ties CSVs), loaded and checked
//! once each and shared by every run; the model reads them through
//! [`DataFiles`](crate::model::village::DataFiles).

use super::Strategy;
use crate::error::Diagnostic;
use crate::model::network::NetworkParams;
use crate::model::village::{DataFiles, EdgeData, HouseholdRecord};
use crate::scenario::input;
use crate::scenario::locate::{KeyPath, SpanIndex};
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// Data files loaded for a scenario, shared by all runs.
#[derive(Debug, Clone, Default)]
pub struct Inputs {
    households: HashMap<PathBuf, Arc<Vec<HouseholdRecord>>>,
    edges: HashMap<(PathBuf, Option<PathBuf>, bool), Arc<EdgeData>>,
}

impl DataFiles for Inputs {
    fn households(&self, path: &Path) -> Option<&[HouseholdRecord]> {
        self.households.get(path).map(|v| v.as_slice())
    }

    fn edges(&self, path: &Path, households: Option<&Path>, repair: bool) -> Option<&EdgeData> {
        self.edges
            .get(&(
                path.to_path_buf(),
                households.map(Path::to_path_buf),
                repair,
            ))
            .map(|e| e.as_ref())
    }
}

/// Loads every data file the strategies name, once each.
pub(super) fn load_inputs(
    strategies: &mut [Strategy],
    base_dir: &Path,
    idx: &SpanIndex,
    diags: &mut Vec<Diagnostic>,
) -> (Inputs, Vec<String>) {
    let mut inputs = Inputs::default();
    let mut repairs = Vec::new();
    let mut failed: Vec<PathBuf> = Vec::new();
    for s in strategies.iter_mut() {
        let pop = &mut s.params.population;
        if let Some(rel) = pop.households_csv.clone() {
            let path = base_dir.join(&rel);
            pop.households_csv = Some(path.clone());
            if !inputs.households.contains_key(&path) && !failed.contains(&path) {
                let names: Vec<String> = pop.groups.iter().map(|g| g.name.clone()).collect();
                match input::load_households(
                    &path,
                    &path.display().to_string(),
                    &names,
                    &pop.issues,
                ) {
                    Ok(rows) => {
                        inputs.households.insert(path.clone(), Arc::new(rows));
                    }
                    Err(mut d) => {
                        if d.iter().any(|d| d.message.starts_with("cannot read")) {
                            let mut at = idx.diag(
                                &KeyPath::parse("population.households_csv"),
                                false,
                                format!("cannot read households file {}", path.display()),
                                Some("a CSV file path relative to the scenario file".into()),
                            );
                            at.message.push_str(&format!(": {}", d[0].message));
                            d = vec![at];
                        }
                        diags.extend(d);
                        failed.push(path);
                        continue;
                    }
                }
            }
            if let Some(rows) = inputs.households.get(&path) {
                for (i, id) in s.params.participation.seed_ids.iter().enumerate() {
                    if !rows.iter().any(|r| r.id == *id) {
                        diags.push(idx.diag(
                            &KeyPath::parse(&format!("participation.seed_ids[{i}]")),
                            false,
                            format!("no household with id {id} in {}", path.display()),
                            Some("ids from the households CSV".into()),
                        ));
                    }
                }
            }
        }
        let hh_path = s.params.population.households_csv.clone();
        if let NetworkParams::EdgeList { path: rel, repair } = &mut s.params.network {
            let path = base_dir.join(&*rel);
            *rel = path.clone();
            let key = (path.clone(), hh_path.clone(), *repair);
            if inputs.edges.contains_key(&key) || failed.contains(&path) {
                continue;
            }
            let (n, ids) = match &hh_path {
                Some(hp) => match inputs.households.get(hp) {
                    Some(rows) => (
                        rows.len(),
                        Some(input::IdIndex::new(
                            &rows.iter().map(|r| r.id).collect::<Vec<_>>(),
                        )),
                    ),
                    None => continue,
                },
                None => (s.params.population.households, None),
            };
            match input::load_edges(&path, &path.display().to_string(), n, ids.as_ref(), *repair) {
                Ok(data) => {
                    if data.self_loops_dropped + data.duplicates_merged > 0 {
                        repairs.push(format!(
                            "{}: dropped {} self-loop(s), merged {} duplicate tie(s)",
                            path.display(),
                            data.self_loops_dropped,
                            data.duplicates_merged
                        ));
                    }
                    inputs.edges.insert(key, Arc::new(data));
                }
                Err(d) => {
                    if d.iter().any(|d| d.message.starts_with("cannot read")) {
                        let mut at = idx.diag(
                            &KeyPath::parse("network.path"),
                            false,
                            format!("cannot read edge list {}", path.display()),
                            Some("a CSV file path relative to the scenario file".into()),
                        );
                        at.message.push_str(&format!(": {}", d[0].message));
                        diags.push(at);
                    } else {
                        diags.extend(d);
                    }
                    failed.push(path);
                }
            }
        }
    }
    (inputs, repairs)
}
