//! The files of a calibration folder, written after every generation (each
//! atomically) so that `kampung calibrate --resume` goes on from the last whole
//! generation after an interruption, and read back for that.
//!
//! - `posterior.csv`: every generation's particles (`generation, particle, weight,
//!   distance`, then one column per calibrated parameter); the posterior is the
//!   last generation.
//! - `statistics.csv`: each particle's statistics (one column per pattern).
//! - `calibration.csv`: per generation its tolerance, acceptance rate, effective
//!   sample size and simulations.
//! - `scales.csv`: the scale each pattern's deviation is divided by.
//! - `checkpoint.json`: what was calibrated (scenario and evidence hashes, the
//!   `[calibrate]` table), so a resume refuses a changed scenario.
//! - at the end, `predictive.csv`, `patterns.csv` and `manifest.json`.
//!
//! Numbers are written in Rust's shortest round-trip form, so a resumed calibration
//! reads back exactly the particles it wrote.

use crate::error::{Diagnostic, Error, Result};
use crate::experiment::abc::{Generation, Particle};
use crate::experiment::calibrate::{Draw, PatternCheck, Problem};
use crate::experiment::folder::AtomicFile;
use crate::scenario::Scenario;
use serde::{Deserialize, Serialize};
use std::io::Write;
use std::path::Path;

/// What was calibrated, to refuse resuming a different calibration.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Checkpoint {
    /// SHA-256 of the scenario file.
    pub scenario_sha256: String,
    /// Names and SHA-256 of its data files (the evidence file among them).
    pub data_sha256: Vec<(String, String)>,
}

impl Checkpoint {
    /// The checkpoint of `s`.
    pub fn of(s: &Scenario) -> Checkpoint {
        Checkpoint {
            scenario_sha256: s.sha256.clone(),
            data_sha256: s.data_sha256.clone(),
        }
    }
}

fn num(x: f64) -> String {
    if x.is_nan() {
        "NA".into()
    } else {
        format!("{x}")
    }
}

fn write_file(path: &Path, text: &str) -> Result<()> {
    let mut f = AtomicFile::create(path)?;
    f.writer()
        .write_all(text.as_bytes())
        .map_err(|e| Error::io(path, e))?;
    f.commit()
}

/// Writes the files of every generation so far, and the checkpoint.
pub fn save(
    dir: &Path,
    s: &Scenario,
    p: &Problem<'_>,
    gens: &[Generation],
    scales: &[f64],
) -> Result<()> {
    let cp =
        serde_json::to_string_pretty(&Checkpoint::of(s)).map_err(|e| Error::Run(e.to_string()))?;
    write_file(&dir.join("checkpoint.json"), &(cp + "\n"))?;
    let mut post = String::from("generation,particle,weight,distance");
    for (path, _, _) in &p.parameters {
        post.push(',');
        post.push_str(path);
    }
    post.push('\n');
    let mut stats = String::from("generation,particle");
    for f in &p.patterns {
        stats.push(',');
        stats.push_str(&f.pattern.id);
    }
    stats.push('\n');
    let mut cal = String::from("generation,tolerance,acceptance,ess,simulations,particles\n");
    for (g, gn) in gens.iter().enumerate() {
        for (k, q) in gn.particles.iter().enumerate() {
            post.push_str(&format!("{g},{k},{},{}", num(q.weight), num(q.distance)));
            for x in &q.theta {
                post.push(',');
                post.push_str(&num(*x));
            }
            post.push('\n');
            stats.push_str(&format!("{g},{k}"));
            for x in &q.stats {
                stats.push(',');
                stats.push_str(&num(*x));
            }
            stats.push('\n');
        }
        cal.push_str(&format!(
            "{g},{},{},{},{},{}\n",
            num(gn.tolerance),
            num(gn.acceptance()),
            num(gn.ess),
            gn.simulations,
            gn.particles.len()
        ));
    }
    let mut sc = String::from("pattern,scale\n");
    for (f, x) in p.patterns.iter().zip(scales) {
        sc.push_str(&format!("{},{}\n", f.pattern.id, num(*x)));
    }
    // The statistics and the summary first, the posterior last: a folder
    // interrupted between them is read back to the generations all of them hold.
    write_file(&dir.join("statistics.csv"), &stats)?;
    write_file(&dir.join("calibration.csv"), &cal)?;
    write_file(&dir.join("scales.csv"), &sc)?;
    write_file(&dir.join("posterior.csv"), &post)
}

/// A located problem in one of the folder's files.
fn bad(path: &Path, line: usize, message: impl Into<String>) -> Error {
    Error::Invalid(vec![Diagnostic {
        file: path.display().to_string(),
        line,
        column: 0,
        key: String::new(),
        message: message.into(),
        allowed: None,
    }])
}

/// Reads a small CSV of numbers: its header and rows (NA as NaN).
fn read_numbers(path: &Path, header: &[String]) -> Result<Vec<Vec<f64>>> {
    let text = crate::experiment::folder::read_bounded(path, 1 << 30)?;
    let mut lines = text.lines().enumerate();
    let head: Vec<String> = lines
        .next()
        .map(|(_, l)| l.split(',').map(str::to_string).collect())
        .unwrap_or_default();
    if head != header {
        return Err(bad(
            path,
            1,
            format!(
                "the header is not the one this calibration writes (`{}`): was the folder made by another scenario?",
                header.join(",")
            ),
        ));
    }
    let mut rows = Vec::new();
    for (i, l) in lines {
        let mut row = Vec::with_capacity(header.len());
        for (c, cell) in l.split(',').enumerate() {
            let x = if cell == "NA" {
                f64::NAN
            } else {
                cell.parse::<f64>().map_err(|_| {
                    bad(
                        path,
                        i + 1,
                        format!("column {}: `{cell}` is not a number", c + 1),
                    )
                })?
            };
            row.push(x);
        }
        if row.len() != header.len() {
            return Err(bad(
                path,
                i + 1,
                format!("{} fields, expected {}", row.len(), header.len()),
            ));
        }
        rows.push(row);
    }
    Ok(rows)
}

/// Reads back the generations a folder holds whole (in all three files), checking
/// that it was made by the same scenario and evidence.
pub fn load(dir: &Path, s: &Scenario, p: &Problem<'_>) -> Result<Vec<Generation>> {
    let cpath = dir.join("checkpoint.json");
    let text = crate::experiment::folder::read_bounded(&cpath, 1 << 20)?;
    let cp: Checkpoint =
        serde_json::from_str(&text).map_err(|e| bad(&cpath, e.line(), e.to_string()))?;
    if cp != Checkpoint::of(s) {
        return Err(Error::Run(format!(
            "{} holds a calibration of another version of the scenario or its evidence (their SHA-256 differ); \
             calibrate into a new folder, or pass --force to start this one again",
            dir.display()
        )));
    }
    let mut ph: Vec<String> = ["generation", "particle", "weight", "distance"]
        .map(String::from)
        .to_vec();
    ph.extend(p.parameters.iter().map(|(x, _, _)| x.clone()));
    let mut sh: Vec<String> = ["generation", "particle"].map(String::from).to_vec();
    sh.extend(p.patterns.iter().map(|f| f.pattern.id.clone()));
    let ch: Vec<String> = [
        "generation",
        "tolerance",
        "acceptance",
        "ess",
        "simulations",
        "particles",
    ]
    .map(String::from)
    .to_vec();
    let post = read_numbers(&dir.join("posterior.csv"), &ph)?;
    let stats = read_numbers(&dir.join("statistics.csv"), &sh)?;
    let cal = read_numbers(&dir.join("calibration.csv"), &ch)?;
    let mut gens = Vec::new();
    for (g, row) in cal.iter().enumerate() {
        if row[0] != g as f64 {
            return Err(bad(
                &dir.join("calibration.csv"),
                g + 2,
                "generations out of order",
            ));
        }
        let parts: Vec<&Vec<f64>> = post.iter().filter(|r| r[0] == g as f64).collect();
        let st: Vec<&Vec<f64>> = stats.iter().filter(|r| r[0] == g as f64).collect();
        if parts.len() != row[5] as usize || st.len() != parts.len() {
            break; // interrupted while writing this generation: resume before it
        }
        gens.push(Generation {
            tolerance: row[1],
            ess: row[3],
            simulations: row[4] as usize,
            particles: parts
                .iter()
                .zip(&st)
                .map(|(a, b)| Particle {
                    weight: a[2],
                    distance: a[3],
                    theta: a[4..].to_vec(),
                    stats: b[2..].to_vec(),
                })
                .collect(),
        });
    }
    Ok(gens)
}

/// Writes `predictive.csv` (one row per draw and pattern) and `patterns.csv` (one
/// row per pattern: its citation, observation, scale and predictive summary).
pub fn save_check(
    dir: &Path,
    p: &Problem<'_>,
    draws: &[Draw],
    checks: &[PatternCheck],
) -> Result<()> {
    let mut pred = String::from("draw,particle,pattern,value\n");
    for (j, d) in draws.iter().enumerate() {
        for (f, x) in p.patterns.iter().zip(&d.stats) {
            pred.push_str(&format!(
                "{j},{},{},{}\n",
                d.particle,
                f.pattern.id,
                num(*x)
            ));
        }
    }
    write_file(&dir.join("predictive.csv"), &pred)?;
    let mut w = csv::Writer::from_writer(Vec::new());
    let to_csv = |e: csv::Error| Error::Run(e.to_string());
    w.write_record([
        "pattern",
        "level",
        "citation",
        "observed_lo",
        "observed_hi",
        "observed",
        "scale",
        "predictive_mean",
        "predictive_q05",
        "predictive_q50",
        "predictive_q95",
        "matching",
        "prior_matching",
        "observed_in_90",
    ])
    .map_err(to_csv)?;
    for (f, c) in p.patterns.iter().zip(checks) {
        w.write_record([
            c.id.clone(),
            f.pattern.level.clone(),
            f.pattern.citation(),
            num(c.target.lo),
            num(c.target.hi),
            c.target.point.map_or("NA".into(), num),
            num(c.scale),
            num(c.mean),
            num(c.q05),
            num(c.q50),
            num(c.q95),
            num(c.matching),
            num(c.prior_matching),
            (c.observed_in_90 as u8).to_string(),
        ])
        .map_err(to_csv)?;
    }
    let bytes = w.into_inner().map_err(|e| Error::Run(e.to_string()))?;
    write_file(&dir.join("patterns.csv"), &String::from_utf8_lossy(&bytes))
}
