//! Posteriors for `kampung run --posterior FILE`: the weighted particles of a
//! calibration (`posterior.csv`, as `kampung calibrate` writes it), read, checked
//! against a scenario's strategies, and drawn from, one particle per replicate.
//!
//! The file is a CSV table with the header `generation,particle,weight,distance`
//! followed by one column per calibrated parameter, named by its dotted path (as a
//! `[sweep]` names it). Its rows hold every generation; the posterior is the last
//! (largest) generation, whose particles are drawn with probability proportional to
//! their weights. Every problem is located at its line and column of the file.

use super::check::check_params;
use super::points::{PointError, apply_point, sets};
use super::{OutputParams, Strategy, memory_per_run};
use crate::error::{Diagnostic, Error, Result};
use crate::model::rng::{Purpose, derive_seed, rng_from_seed};
use crate::scenario::locate::suggest;
use crate::scenario::values::flatten;
use rand::RngExt;
use std::path::{Path, PathBuf};

/// The columns every posterior file starts with, in this order.
pub const POSTERIOR_COLUMNS: [&str; 4] = ["generation", "particle", "weight", "distance"];

/// What a posterior file's header must be.
const HEADER_ALLOWED: &str = "the header `generation,particle,weight,distance`, then one column \
     per calibrated parameter named by its dotted path (e.g. `organizer.rate`)";

/// Problems reported at most for one file (the rest are not looked for).
const MAX_PROBLEMS: usize = 20;

/// One particle of the posterior's last generation.
#[derive(Debug, Clone, PartialEq)]
pub struct PosteriorParticle {
    /// Its number, as the `particle` column gives it.
    pub id: u64,
    /// Its line in the file (from 1).
    pub line: u64,
    /// Its weight, as written (the draw normalises).
    pub weight: f64,
    /// The calibrated parameters' values, by dotted path, in the file's column order:
    /// what is applied over each strategy's parameters.
    pub values: Vec<(String, toml::Value)>,
}

/// The last generation of a posterior file, checked against a scenario.
#[derive(Debug, Clone, PartialEq)]
pub struct Posterior {
    /// The file, as given.
    pub file: PathBuf,
    /// SHA-256 of its bytes, in hex.
    pub sha256: String,
    /// The generation drawn from (the file's largest).
    pub generation: u64,
    /// The calibrated parameters' paths, in the file's column order.
    pub paths: Vec<String>,
    /// The particles of that generation, in file order.
    pub particles: Vec<PosteriorParticle>,
    /// The sum of their weights (positive).
    pub total_weight: f64,
    /// The largest estimate of one run's memory over strategies and particles.
    pub memory_per_run: u64,
}

impl Posterior {
    /// The particle replicate `replicate` of scenario `scenario` (base seed `seed`)
    /// runs with: drawn with probability proportional to its weight from the
    /// replicate's own stream ([`Purpose::Posterior`]), which depends on the seed, the
    /// scenario name and the replicate only, so every strategy of a replicate draws
    /// the same particle, in any run order, thread count, resume or shard.
    pub fn draw(&self, seed: u64, scenario: &str, replicate: u32) -> &PosteriorParticle {
        let mut rng = rng_from_seed(derive_seed(
            seed,
            scenario,
            "",
            replicate,
            Purpose::Posterior,
        ));
        let u = rng.random::<f64>() * self.total_weight;
        let mut sum = 0.0;
        for p in &self.particles {
            sum += p.weight;
            // A particle of weight 0 never passes: `sum` did not grow.
            if u < sum {
                return p;
            }
        }
        // `u` at the total by rounding: the last particle that has any weight.
        self.particles
            .iter()
            .rev()
            .find(|p| p.weight > 0.0)
            .unwrap_or(&self.particles[0])
    }

    /// Reads a posterior file and checks it against the strategies: every calibrated
    /// path must be a parameter, set by no strategy (a strategy's lever cannot also be
    /// drawn), and every particle of the last generation must give every strategy
    /// valid parameters. A file that cannot be read is an [`Error::Io`]; any problem
    /// in it, an [`Error::Invalid`] located at its line and column.
    pub fn read(path: &Path, strategies: &[Strategy], output: &OutputParams) -> Result<Posterior> {
        let bytes =
            super::input::read_regular(path, super::input::MAX_DATA_BYTES, true).map_err(|e| {
                let m = if path.is_dir() {
                    "is a folder, not a posterior file".to_string()
                } else {
                    format!("cannot read the posterior: {e}")
                };
                Error::io(path, std::io::Error::new(e.kind(), m))
            })?;
        let mut r = Reader {
            shown: path.display().to_string(),
            hline: 1,
            diags: Vec::new(),
        };
        let parsed = r.parse(&bytes);
        let Some((paths, generation, particles)) = parsed.filter(|_| r.diags.is_empty()) else {
            return Err(Error::Invalid(r.diags));
        };
        let memory = r.check(&paths, &particles, strategies, output);
        if !r.diags.is_empty() {
            return Err(Error::Invalid(r.diags));
        }
        Ok(Posterior {
            file: path.to_path_buf(),
            sha256: super::sha256_hex(&bytes),
            generation,
            total_weight: particles.iter().map(|p| p.weight).sum(),
            paths,
            particles,
            memory_per_run: memory,
        })
    }
}

/// The problems of one file, as they are found.
struct Reader {
    shown: String,
    /// The header's line (after any comment lines).
    hline: u64,
    diags: Vec<Diagnostic>,
}

/// A parsed file: the paths, the last generation and its particles.
type Parsed = (Vec<String>, u64, Vec<PosteriorParticle>);

impl Reader {
    fn push(&mut self, line: u64, column: usize, key: &str, message: String, allowed: &str) {
        if self.diags.len() < MAX_PROBLEMS {
            self.diags.push(Diagnostic {
                file: self.shown.clone(),
                line: line as usize,
                column: if line > 0 { column } else { 0 },
                key: key.to_string(),
                message,
                allowed: (!allowed.is_empty()).then(|| allowed.to_string()),
            });
        }
    }

    /// The header, then every row; the last generation's particles.
    fn parse(&mut self, bytes: &[u8]) -> Option<Parsed> {
        let mut rdr = csv::ReaderBuilder::new()
            .trim(csv::Trim::All)
            .comment(Some(b'#'))
            .flexible(true)
            .from_reader(bytes);
        let line_of =
            |p: Option<&csv::Position>| p.map_or(0, |p| super::input::record_line(bytes, p));
        let header = match rdr.headers() {
            Ok(h) => h.clone(),
            Err(e) => {
                self.push(1, 1, "", format!("cannot read the header: {e}"), "");
                return None;
            }
        };
        let hline = line_of(header.position()).max(1);
        self.hline = hline;
        let names: Vec<String> = header.iter().map(str::to_string).collect();
        if names.iter().all(String::is_empty) {
            self.push(0, 0, "", "the file is empty".into(), HEADER_ALLOWED);
            return None;
        }
        for (i, want) in POSTERIOR_COLUMNS.iter().enumerate() {
            match names.get(i) {
                Some(n) if n == want => {}
                Some(n) => self.push(
                    hline,
                    i + 1,
                    n,
                    format!("column {} must be `{want}`, not `{n}`", i + 1),
                    HEADER_ALLOWED,
                ),
                None => self.push(
                    hline,
                    names.len() + 1,
                    want,
                    format!("the header lacks the column `{want}`"),
                    HEADER_ALLOWED,
                ),
            }
        }
        if names.len() <= POSTERIOR_COLUMNS.len() && self.diags.is_empty() {
            self.push(
                hline,
                names.len() + 1,
                "",
                "no parameter columns: the header names no calibrated parameter".into(),
                HEADER_ALLOWED,
            );
        }
        let paths: Vec<String> = names
            .iter()
            .skip(POSTERIOR_COLUMNS.len())
            .cloned()
            .collect();
        for (i, p) in paths.iter().enumerate() {
            let col = POSTERIOR_COLUMNS.len() + i + 1;
            let well_formed = !p.is_empty()
                && p.split('.')
                    .all(|s| !s.is_empty() && !s.contains(['[', ']', ' ']));
            if !well_formed {
                self.push(
                    hline,
                    col,
                    p,
                    format!("`{p}` is not a parameter path"),
                    "a dotted parameter path such as `organizer.rate`",
                );
            } else if let Some(j) = paths[..i].iter().position(|o| o == p) {
                self.push(
                    hline,
                    col,
                    p,
                    format!(
                        "column `{p}` appears twice (also column {})",
                        POSTERIOR_COLUMNS.len() + j + 1
                    ),
                    "",
                );
            }
        }
        if !self.diags.is_empty() {
            return None;
        }
        // Every row: (generation, particle) and the rest.
        let mut rows: Vec<(u64, PosteriorParticle)> = Vec::new();
        for rec in rdr.records() {
            if self.diags.len() >= MAX_PROBLEMS {
                break;
            }
            let rec = match rec {
                Ok(r) => r,
                Err(e) => {
                    let line = line_of(e.position());
                    self.push(line, 1, "", format!("malformed row: {e}"), "");
                    continue;
                }
            };
            let line = line_of(rec.position());
            if rec.len() != names.len() {
                self.push(
                    line,
                    rec.len().min(names.len()) + 1,
                    "",
                    format!(
                        "the row has {} fields but the header has {}",
                        rec.len(),
                        names.len()
                    ),
                    &format!("{} comma-separated values per row", names.len()),
                );
                continue;
            }
            let before = self.diags.len();
            let whole = |r: &mut Reader, k: usize| -> u64 {
                let cell = rec.get(k).unwrap_or("");
                cell.parse::<u64>().unwrap_or_else(|_| {
                    r.push(
                        line,
                        k + 1,
                        POSTERIOR_COLUMNS[k],
                        format!("`{cell}` is not a whole number"),
                        "a whole number, 0 or more",
                    );
                    0
                })
            };
            let generation = whole(self, 0);
            let id = whole(self, 1);
            let wcell = rec.get(2).unwrap_or("");
            let weight = match wcell.parse::<f64>() {
                Ok(w) if w.is_finite() && w >= 0.0 => w,
                Ok(w) => {
                    let what = if w.is_nan() {
                        "not a number"
                    } else if w.is_infinite() {
                        "infinite"
                    } else {
                        "negative"
                    };
                    self.push(
                        line,
                        3,
                        "weight",
                        format!("weight `{wcell}` is {what}"),
                        "a finite number, 0 or more",
                    );
                    0.0
                }
                Err(_) => {
                    self.push(
                        line,
                        3,
                        "weight",
                        format!("weight `{wcell}` is not a number"),
                        "a finite number, 0 or more",
                    );
                    0.0
                }
            };
            let dcell = rec.get(3).unwrap_or("");
            if dcell.parse::<f64>().is_err() {
                self.push(
                    line,
                    4,
                    "distance",
                    format!("distance `{dcell}` is not a number"),
                    "a number",
                );
            }
            let mut values = Vec::with_capacity(paths.len());
            for (i, p) in paths.iter().enumerate() {
                let k = POSTERIOR_COLUMNS.len() + i;
                let cell = rec.get(k).unwrap_or("");
                let v = if let Ok(n) = cell.parse::<i64>() {
                    toml::Value::Integer(n)
                } else {
                    match cell.parse::<f64>() {
                        Ok(x) if x.is_finite() => toml::Value::Float(x),
                        _ => {
                            self.push(
                                line,
                                k + 1,
                                p,
                                format!("`{cell}` is not a finite number"),
                                "the parameter's value, a finite number",
                            );
                            continue;
                        }
                    }
                };
                values.push((p.clone(), v));
            }
            if self.diags.len() == before {
                rows.push((
                    generation,
                    PosteriorParticle {
                        id,
                        line,
                        weight,
                        values,
                    },
                ));
            }
        }
        if !self.diags.is_empty() {
            return None;
        }
        let Some(last) = rows.iter().map(|(g, _)| *g).max() else {
            self.push(
                0,
                0,
                "",
                "the file has no particles (only a header)".into(),
                "one row per particle of every generation",
            );
            return None;
        };
        let particles: Vec<PosteriorParticle> = rows
            .into_iter()
            .filter(|(g, _)| *g == last)
            .map(|(_, p)| p)
            .collect();
        for (i, p) in particles.iter().enumerate() {
            if let Some(q) = particles[..i].iter().find(|q| q.id == p.id) {
                self.push(
                    p.line,
                    2,
                    "particle",
                    format!(
                        "particle {} of generation {last} appears twice (also line {})",
                        p.id, q.line
                    ),
                    "each particle once in a generation",
                );
            }
        }
        if particles.iter().all(|p| p.weight == 0.0) {
            self.push(
                particles[0].line,
                3,
                "weight",
                format!(
                    "every weight of generation {last}, the last (the posterior), is 0: no \
                     particle can be drawn"
                ),
                "weights of 0 or more, at least one above 0",
            );
        }
        Some((paths, last, particles))
    }

    /// Checks the paths and the particles against the strategies; returns the largest
    /// memory estimate of a run.
    fn check(
        &mut self,
        paths: &[String],
        particles: &[PosteriorParticle],
        strategies: &[Strategy],
        output: &OutputParams,
    ) -> u64 {
        let Some(first) = strategies.first() else {
            return 0;
        };
        // The parameters there are, for a "did you mean".
        let mut leaves = Vec::new();
        if let Ok(v) = toml::Value::try_from(&first.params) {
            flatten("", &v, &mut leaves);
        }
        let known: Vec<&str> = leaves.iter().map(|(k, _)| k.as_str()).collect();
        let hline = self.hline;
        for (i, path) in paths.iter().enumerate() {
            let col = POSTERIOR_COLUMNS.len() + i + 1;
            let inside = format!("{path}.");
            if let Some(leaf) = known.iter().find(|k| k.starts_with(&inside)) {
                self.push(
                    hline,
                    col,
                    path,
                    format!("`{path}` is a table of parameters, not one parameter (e.g. `{leaf}`)"),
                    "one parameter's dotted path",
                );
                continue;
            }
            if !known.contains(&path.as_str()) {
                let value = particles[0].values[i].clone();
                if let Err(m) = apply_point(&first.params, std::slice::from_ref(&value)) {
                    let e = PointError::new(&m, std::slice::from_ref(&value));
                    if e.unknown_key {
                        let hint = suggest(path, &known)
                            .map(|s| format!("; did you mean `{s}`?"))
                            .unwrap_or_default();
                        self.push(
                            hline,
                            col,
                            path,
                            format!("unknown parameter `{path}`{hint}"),
                            "a parameter's dotted path, as `[sweep]` names it (docs/scenario-format.md)",
                        );
                        continue;
                    }
                }
            }
            for st in strategies {
                if sets(&st.overrides, path) {
                    self.push(
                        hline,
                        col,
                        path,
                        format!(
                            "strategy `{}` sets `{path}`, which the posterior calibrates: a \
                             strategy's lever cannot also be a calibrated parameter (take it \
                             out of [strategies.{}] or out of the calibration)",
                            st.name, st.name
                        ),
                        "parameters no strategy sets",
                    );
                }
            }
        }
        if !self.diags.is_empty() {
            return 0;
        }
        let column = |key: &str| {
            paths
                .iter()
                .position(|p| p == key)
                .map_or(0, |i| POSTERIOR_COLUMNS.len() + i + 1)
        };
        let mut memory = 0;
        for p in particles {
            for st in strategies {
                let before = self.diags.len();
                match apply_point(&st.params, &p.values) {
                    Err(m) => {
                        let e = PointError::new(&m, &p.values);
                        self.push(
                            p.line,
                            column(&e.path),
                            &e.path,
                            format!("particle {} (strategy `{}`): {}", p.id, st.name, e.message),
                            e.allowed.as_deref().unwrap_or(""),
                        );
                    }
                    Ok(params) => {
                        for x in check_params(&params, output) {
                            let key = x.path.to_string();
                            self.push(
                                p.line,
                                column(&key),
                                &key,
                                format!(
                                    "particle {} (strategy `{}`): {}",
                                    p.id, st.name, x.message
                                ),
                                x.allowed.as_deref().unwrap_or(""),
                            );
                        }
                        memory = memory.max(memory_per_run(&params));
                    }
                }
                // One strategy's problems are enough to show for a particle.
                if self.diags.len() > before || self.diags.len() >= MAX_PROBLEMS {
                    break;
                }
            }
            if self.diags.len() >= MAX_PROBLEMS {
                break;
            }
        }
        memory
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn posterior(weights: &[f64]) -> Posterior {
        Posterior {
            file: PathBuf::from("p.csv"),
            sha256: String::new(),
            generation: 0,
            paths: vec!["organizer.rate".into()],
            particles: weights
                .iter()
                .enumerate()
                .map(|(i, &w)| PosteriorParticle {
                    id: i as u64,
                    line: i as u64 + 2,
                    weight: w,
                    values: vec![("organizer.rate".into(), toml::Value::Float(i as f64))],
                })
                .collect(),
            total_weight: weights.iter().sum(),
            memory_per_run: 0,
        }
    }

    /// Particles of weight 0 are never drawn, whatever the replicate: a draw that
    /// passed over the cumulative sum wrongly (`<=` for `<`, or a fallback to the
    /// first particle) would pick them.
    #[test]
    fn particles_of_weight_zero_are_never_drawn() {
        let p = posterior(&[0.0, 1.0, 0.0, 2.0, 0.0]);
        for r in 0..2000 {
            let d = p.draw(5, "v", r);
            assert!(
                d.id == 1 || d.id == 3,
                "replicate {r} drew particle {}",
                d.id
            );
        }
    }

    /// The draw depends on the seed, the scenario and the replicate only, and does
    /// differ between replicates (a stream that ignored the replicate would draw one
    /// particle for all).
    #[test]
    fn the_draw_is_a_function_of_seed_scenario_and_replicate() {
        let p = posterior(&[1.0; 10]);
        let a: Vec<u64> = (0..50).map(|r| p.draw(1, "v", r).id).collect();
        let b: Vec<u64> = (0..50).map(|r| p.draw(1, "v", r).id).collect();
        assert_eq!(a, b);
        let distinct: std::collections::BTreeSet<_> = a.iter().collect();
        assert!(distinct.len() > 5, "{a:?}");
        let c: Vec<u64> = (0..50).map(|r| p.draw(2, "v", r).id).collect();
        assert_ne!(a, c);
    }
}
