//! Results out: tidy CSV files and a JSON manifest, written so that an interrupted
//! run never leaves a file that looks complete and is not.
//!
//! Every file is written under a temporary name (`.NAME.partial`) in the output folder
//! and renamed into place only when complete; `manifest.json` is renamed last, so a
//! folder with a manifest holds a complete set of results.

use crate::error::{Error, Result};
use crate::metrics::Metrics;
use crate::scenario::Scenario;
use crate::sweep::RunOutput;
use serde::Serialize;
use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

/// Missing values (e.g. the access of marginalized households in a village that has
/// none) are written as `NA`, which pandas and readr read as missing by default.
pub const NA: &str = "NA";

/// Every file `kampung run` may write into an output folder.
pub const RESULT_FILES: &[&str] = &[
    "manifest.json",
    "timeseries.csv",
    "runs.csv",
    "stages.csv",
    "households.csv",
];

/// Prepares the output folder: creates it, or refuses an existing non-empty one
/// unless `force`.
pub fn prepare_dir(dir: &Path, force: bool) -> Result<()> {
    if dir.exists() {
        if !dir.is_dir() {
            return Err(Error::io(
                dir,
                std::io::Error::new(
                    std::io::ErrorKind::AlreadyExists,
                    "exists and is not a folder",
                ),
            ));
        }
        let non_empty = fs::read_dir(dir)
            .map_err(|e| Error::io(dir, e))?
            .next()
            .is_some();
        if non_empty && !force {
            return Err(Error::OutputExists(dir.to_path_buf()));
        }
        // With --force, results of an earlier run must not survive beside the new
        // ones: remove the files kampung writes (and nothing else).
        for f in RESULT_FILES {
            let p = dir.join(f);
            if p.exists() {
                fs::remove_file(&p).map_err(|e| Error::io(&p, e))?;
            }
        }
    }
    fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))
}

/// A file being written under a temporary name; [`AtomicFile::commit`] renames it into
/// place, and dropping it uncommitted deletes the temporary file.
pub struct AtomicFile {
    tmp: PathBuf,
    dest: PathBuf,
    file: Option<std::io::BufWriter<fs::File>>,
}

impl AtomicFile {
    /// Starts writing `dest`.
    pub fn create(dest: &Path) -> Result<AtomicFile> {
        let name = dest
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let tmp = dest.with_file_name(format!(".{name}.partial"));
        let f = fs::File::create(&tmp).map_err(|e| Error::io(&tmp, e))?;
        Ok(AtomicFile {
            tmp,
            dest: dest.to_path_buf(),
            file: Some(std::io::BufWriter::with_capacity(1 << 16, f)),
        })
    }

    /// The writer.
    pub fn writer(&mut self) -> &mut std::io::BufWriter<fs::File> {
        self.file.as_mut().expect("file is open until commit")
    }

    /// Flushes, syncs and renames the file into place.
    pub fn commit(mut self) -> Result<()> {
        let mut w = self.file.take().expect("file is open until commit");
        w.flush().map_err(|e| Error::io(&self.tmp, e))?;
        let f = w
            .into_inner()
            .map_err(|e| Error::io(&self.tmp, e.into_error()))?;
        f.sync_all().map_err(|e| Error::io(&self.tmp, e))?;
        drop(f);
        fs::rename(&self.tmp, &self.dest).map_err(|e| Error::io(&self.dest, e))
    }
}

impl Drop for AtomicFile {
    fn drop(&mut self) {
        if self.file.is_some() {
            self.file = None;
            let _ = fs::remove_file(&self.tmp);
        }
    }
}

fn csv_file(
    path: &Path,
    body: impl FnOnce(&mut csv::Writer<&mut dyn Write>) -> csv::Result<()>,
) -> Result<()> {
    let mut f = AtomicFile::create(path)?;
    {
        let w: &mut dyn Write = f.writer();
        let mut c = csv::Writer::from_writer(w);
        body(&mut c).map_err(|e| Error::Csv {
            path: path.to_path_buf(),
            source: e,
        })?;
        c.flush().map_err(|e| Error::io(path, e))?;
    }
    f.commit()
}

/// Formats a number for CSV: shortest round-trip form, `NA` when not finite.
pub fn num(v: f64) -> String {
    if v.is_finite() {
        v.to_string()
    } else {
        NA.to_string()
    }
}

fn num32(v: f32) -> String {
    if v.is_finite() {
        v.to_string()
    } else {
        NA.to_string()
    }
}

/// What the manifest records about the run, besides what is in the scenario.
#[derive(Debug, Clone)]
pub struct RunInfo {
    /// The command line, as typed.
    pub command_line: Vec<String>,
    /// Start time, UTC, ISO 8601.
    pub started: String,
    /// Threads used (results do not depend on it).
    pub threads: usize,
}

#[derive(Serialize)]
struct Manifest<'a> {
    program: &'static str,
    version: &'static str,
    scenario: &'a str,
    scenario_file: Option<String>,
    scenario_sha256: &'a str,
    seed: u64,
    replicates: u32,
    strategies: Vec<&'a str>,
    runs: usize,
    command_line: &'a [String],
    threads: usize,
    started: &'a str,
    finished: String,
    repairs: &'a [String],
    files: Vec<&'static str>,
    complete: bool,
}

/// Writes `timeseries.csv`, `runs.csv`, `households.csv` (when asked for) and, last,
/// `manifest.json` into `dir`.
pub fn write_results(dir: &Path, s: &Scenario, runs: &[RunOutput], info: &RunInfo) -> Result<()> {
    let mut files = vec!["timeseries.csv", "runs.csv", "stages.csv"];
    write_timeseries(&dir.join("timeseries.csv"), s, runs)?;
    write_runs(&dir.join("runs.csv"), s, runs)?;
    write_stages(&dir.join("stages.csv"), s, runs)?;
    if s.output.households {
        write_households(&dir.join("households.csv"), s, runs)?;
        files.push("households.csv");
    }
    files.push("manifest.json");
    let m = Manifest {
        program: "kampung",
        version: env!("CARGO_PKG_VERSION"),
        scenario: &s.name,
        scenario_file: s.file.as_ref().map(|f| f.display().to_string()),
        scenario_sha256: &s.sha256,
        seed: s.seed,
        replicates: s.replicates,
        strategies: s.strategies.iter().map(|x| x.name.as_str()).collect(),
        runs: runs.len(),
        command_line: &info.command_line,
        threads: info.threads,
        started: &info.started,
        finished: utc_now_iso8601(),
        repairs: &s.repairs,
        files,
        complete: true,
    };
    let path = dir.join("manifest.json");
    let mut f = AtomicFile::create(&path)?;
    serde_json::to_writer_pretty(f.writer(), &m)
        .map_err(|e| Error::io(&path, std::io::Error::other(e)))?;
    writeln!(f.writer()).map_err(|e| Error::io(&path, e))?;
    f.commit()
}

const RUN_KEYS: [&str; 4] = ["scenario", "strategy", "replicate", "seed"];

fn run_key(s: &Scenario, r: &RunOutput) -> [String; 4] {
    [
        s.name.clone(),
        s.strategies[r.spec.strategy].name.clone(),
        r.spec.replicate.to_string(),
        r.spec.seed.to_string(),
    ]
}

fn write_timeseries(path: &Path, s: &Scenario, runs: &[RunOutput]) -> Result<()> {
    csv_file(path, |w| {
        let mut header: Vec<&str> = RUN_KEYS.to_vec();
        header.push("step");
        header.extend_from_slice(Metrics::COLUMNS);
        w.write_record(&header)?;
        let mut row: Vec<String> = Vec::with_capacity(header.len());
        for r in runs {
            let key = run_key(s, r);
            for (t, m) in &r.timeseries {
                row.clear();
                row.extend(key.iter().cloned());
                row.push(t.to_string());
                row.extend(m.values().iter().map(|&v| num(v)));
                w.write_record(&row)?;
            }
        }
        Ok(())
    })
}

/// Flattens a serializable value into dotted keys and display values.
pub fn flatten(prefix: &str, v: &toml::Value, out: &mut Vec<(String, String)>) {
    let join = |k: &str| {
        if prefix.is_empty() {
            k.to_string()
        } else {
            format!("{prefix}.{k}")
        }
    };
    match v {
        toml::Value::Table(t) => {
            for (k, x) in t {
                flatten(&join(k), x, out);
            }
        }
        toml::Value::Array(a) if a.iter().any(|x| x.is_table()) => {
            for (i, x) in a.iter().enumerate() {
                flatten(&format!("{prefix}[{i}]"), x, out);
            }
        }
        toml::Value::Array(a) => {
            let parts: Vec<String> = a.iter().map(scalar).collect();
            out.push((prefix.to_string(), parts.join(";")));
        }
        x => out.push((prefix.to_string(), scalar(x))),
    }
}

fn scalar(v: &toml::Value) -> String {
    match v {
        toml::Value::String(s) => s.clone(),
        toml::Value::Integer(i) => i.to_string(),
        toml::Value::Float(f) => num(*f),
        toml::Value::Boolean(b) => b.to_string(),
        other => other.to_string(),
    }
}

fn write_runs(path: &Path, s: &Scenario, runs: &[RunOutput]) -> Result<()> {
    // Parameters of every strategy, flattened; the union of keys in first-seen order.
    let mut per_strategy: Vec<Vec<(String, String)>> = Vec::new();
    let mut keys: Vec<String> = Vec::new();
    for st in &s.strategies {
        let mut flat = Vec::new();
        if let Ok(v) = toml::Value::try_from(&st.params) {
            flatten("", &v, &mut flat);
        }
        for (k, _) in &flat {
            if !keys.contains(k) {
                keys.push(k.clone());
            }
        }
        per_strategy.push(flat);
    }
    csv_file(path, |w| {
        let mut header: Vec<String> = RUN_KEYS.iter().map(|k| k.to_string()).collect();
        header.push("village_seed".into());
        header.push("steps".into());
        header.extend(keys.iter().map(|k| format!("param.{k}")));
        header.extend(Metrics::COLUMNS.iter().map(|c| format!("final.{c}")));
        header.push("post_exit.step".into());
        header.extend(Metrics::COLUMNS.iter().map(|c| format!("post_exit.{c}")));
        w.write_record(&header)?;
        for r in runs {
            let mut row: Vec<String> = run_key(s, r).to_vec();
            row.push(r.spec.village_seed.to_string());
            row.push(r.timeseries.last().map_or(0, |(t, _)| *t).to_string());
            let flat = &per_strategy[r.spec.strategy];
            for k in &keys {
                row.push(
                    flat.iter()
                        .find(|(x, _)| x == k)
                        .map_or(String::new(), |(_, v)| v.clone()),
                );
            }
            row.extend(r.last().values().iter().map(|&v| num(v)));
            match &r.post_exit {
                Some((t, m)) => {
                    row.push(t.to_string());
                    row.extend(m.values().iter().map(|&v| num(v)));
                }
                None => row.extend(std::iter::repeat_n(
                    NA.to_string(),
                    Metrics::COLUMNS.len() + 1,
                )),
            }
            w.write_record(&row)?;
        }
        Ok(())
    })
}

fn write_stages(path: &Path, s: &Scenario, runs: &[RunOutput]) -> Result<()> {
    csv_file(path, |w| {
        let mut header: Vec<&str> = RUN_KEYS.to_vec();
        header.extend_from_slice(&["stage_number", "stage", "start", "end", "ended_by"]);
        w.write_record(&header)?;
        for r in runs {
            let key = run_key(s, r);
            for rec in &r.stages {
                let mut row: Vec<String> = key.to_vec();
                row.push(rec.stage.number().to_string());
                row.push(rec.stage.name().to_string());
                row.push(rec.start.to_string());
                row.push(rec.end.to_string());
                row.push(rec.reason.name().to_string());
                w.write_record(&row)?;
            }
        }
        Ok(())
    })
}

/// Columns of `households.csv` after the run key and step.
pub const HOUSEHOLD_COLUMNS: &[&str] = &[
    "household",
    "group",
    "marginalized",
    "resources",
    "access",
    "benefit",
    "influence",
    "trust",
    "awareness",
    "efficacy",
    "threshold",
    "availability",
    "priority",
    "participating",
    "member",
    "leader",
    "contacted",
    "interviewed",
    "identified",
    "attended",
    "participated",
];

fn write_households(path: &Path, s: &Scenario, runs: &[RunOutput]) -> Result<()> {
    csv_file(path, |w| {
        let mut header: Vec<&str> = RUN_KEYS.to_vec();
        header.push("step");
        header.extend_from_slice(HOUSEHOLD_COLUMNS);
        w.write_record(&header)?;
        let mut row: Vec<String> = Vec::with_capacity(header.len());
        for r in runs {
            let key = run_key(s, r);
            let pop = &s.strategies[r.spec.strategy].params.population;
            for (t, h) in &r.snapshots {
                for i in 0..h.len() {
                    row.clear();
                    row.extend(key.iter().cloned());
                    row.push(t.to_string());
                    row.push(h.external_id(i).to_string());
                    row.push(pop.groups[h.group[i] as usize].name.clone());
                    row.push(h.marginalized[i].to_string());
                    for v in [
                        h.resources[i],
                        h.access[i],
                        h.benefit[i],
                        h.influence[i],
                        h.trust[i],
                        h.awareness[i],
                        h.efficacy[i],
                        h.threshold[i],
                        h.availability[i],
                    ] {
                        row.push(num32(v));
                    }
                    row.push(
                        pop.issues
                            .get(h.priority[i] as usize)
                            .cloned()
                            .unwrap_or_default(),
                    );
                    row.push(h.participating[i].to_string());
                    row.push(h.member[i].to_string());
                    row.push(h.leader[i].to_string());
                    for v in [
                        h.contacted[i],
                        h.interviewed[i],
                        h.identified[i],
                        h.attended[i],
                        h.participated[i],
                    ] {
                        row.push(v.to_string());
                    }
                    w.write_record(&row)?;
                }
            }
        }
        Ok(())
    })
}

/// The current time, UTC, as `YYYY-MM-DDTHH:MM:SSZ`.
pub fn utc_now_iso8601() -> String {
    let (y, mo, d, h, mi, s) = utc_now_parts();
    format!("{y:04}-{mo:02}-{d:02}T{h:02}:{mi:02}:{s:02}Z")
}

/// The current time, UTC, as `YYYYMMDDTHHMMSSZ` (for folder names).
pub fn utc_now_compact() -> String {
    let (y, mo, d, h, mi, s) = utc_now_parts();
    format!("{y:04}{mo:02}{d:02}T{h:02}{mi:02}{s:02}Z")
}

fn utc_now_parts() -> (i64, u32, u32, u32, u32, u32) {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64);
    civil(secs)
}

/// Converts Unix seconds to (year, month, day, hour, minute, second), UTC, by
/// H. Hinnant's days-from-civil inverse.
fn civil(secs: i64) -> (i64, u32, u32, u32, u32, u32) {
    let days = secs.div_euclid(86_400);
    let rem = secs.rem_euclid(86_400);
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let y = if m <= 2 { y + 1 } else { y };
    (
        y,
        m,
        d,
        (rem / 3600) as u32,
        (rem % 3600 / 60) as u32,
        (rem % 60) as u32,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn civil_dates() {
        assert_eq!(civil(0), (1970, 1, 1, 0, 0, 0));
        assert_eq!(civil(951_782_400), (2000, 2, 29, 0, 0, 0));
        assert_eq!(civil(1_795_838_645), (2026, 11, 28, 4, 4, 5));
    }

    #[test]
    fn uncommitted_file_leaves_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let dest = dir.path().join("x.csv");
        {
            let mut f = AtomicFile::create(&dest).unwrap();
            f.writer().write_all(b"half").unwrap();
        }
        assert!(!dest.exists());
        assert_eq!(fs::read_dir(dir.path()).unwrap().count(), 0);
    }

    #[test]
    fn numbers_format_for_readers() {
        assert_eq!(num(0.5), "0.5");
        assert_eq!(num(f64::NAN), "NA");
        assert_eq!(num(3.0), "3");
    }
}
