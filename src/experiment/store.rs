//! The results store: each run's rows go to disk as the run makes them, into one
//! part file per run (holding its rows of every table; [`crate::experiment::part`]),
//! and the parts are gathered into the final tables in run order at the end.
//!
//! This is what makes a sweep safe and scalable:
//! - memory stays bounded: a run's rows go to disk as they are made, and parts are
//!   gathered a chunk at a time, so memory does not grow with steps, snapshots or
//!   runs;
//! - results are deterministic: tables are gathered in plan order, whatever the order
//!   in which runs finished or the number of threads;
//! - an interrupted sweep (Ctrl-C, `kill -9`, power cut) resumes: a part is renamed
//!   to its final name only when whole, opens with a header of its sections' lengths
//!   and checksum and ends with a trailer line, so a run counts as done only when its
//!   part is whole and checks (a part cut short or damaged is done again);
//! - a sweep splits across machines: a shard runs a slice of the plan into its own
//!   folder, and merging the folders gathers exactly what one machine would have.
//!
//! Layout of a results folder while runs are under way:
//! `.kampung/plan.json` (what is being run) and `.kampung/parts/RUN.part` (one file
//! per finished run, holding its rows of every table).

use crate::error::{Error, Result};
use crate::experiment::folder::{self, AtomicFile, WORK_DIR};
use crate::experiment::output::{self, ParamColumns, RunInfo, Table};
use crate::experiment::part;
use crate::experiment::part::{Part, PartFile, PartWriter};
use crate::experiment::rows;
use crate::experiment::runner::{self, Halt, Outcome, RunOutput, RunSpec};
use crate::scenario::Scenario;
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;
use std::fs;
use std::io::Write;
use std::ops::Range;
use std::path::{Path, PathBuf};

/// A deterministic slice of a plan: shard `index` of `count` (0-based) takes the
/// contiguous block of runs `[index·total/count, (index+1)·total/count)`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Shard {
    /// This shard, in `0..count`.
    pub index: usize,
    /// Number of shards.
    pub count: usize,
}

impl Shard {
    /// Parses `I/N` (0 ≤ I < N).
    pub fn parse(s: &str) -> std::result::Result<Shard, String> {
        let (i, n) = s
            .split_once('/')
            .ok_or_else(|| format!("`{s}` is not of the form I/N (e.g. 0/4)"))?;
        let index: usize = i
            .trim()
            .parse()
            .map_err(|_| format!("`{i}` is not a whole number"))?;
        let count: usize = n
            .trim()
            .parse()
            .map_err(|_| format!("`{n}` is not a whole number"))?;
        if count == 0 || index >= count {
            return Err(format!("shard {index}/{count}: need 0 ≤ I < N"));
        }
        Ok(Shard { index, count })
    }

    /// The shard SLURM assigns to this array task, from `SLURM_ARRAY_TASK_ID` and
    /// `SLURM_ARRAY_TASK_COUNT` (when both are set). Task ids are taken relative to
    /// `SLURM_ARRAY_TASK_MIN` when that is set.
    pub fn from_slurm_env() -> Option<std::result::Result<Shard, String>> {
        let id = std::env::var("SLURM_ARRAY_TASK_ID").ok()?;
        let count = std::env::var("SLURM_ARRAY_TASK_COUNT").ok()?;
        let min = std::env::var("SLURM_ARRAY_TASK_MIN").unwrap_or_else(|_| "0".into());
        let parse = |v: &str| {
            v.trim()
                .parse::<usize>()
                .map_err(|_| format!("SLURM array variable `{v}` is not a whole number"))
        };
        Some((|| {
            let (id, count, min) = (parse(&id)?, parse(&count)?, parse(&min)?);
            Shard::parse(&format!("{}/{count}", id.saturating_sub(min)))
        })())
    }

    /// The runs of this shard in a plan of `total` runs.
    pub fn range(&self, total: usize) -> Range<usize> {
        let lo = self.index * total / self.count;
        let hi = (self.index + 1) * total / self.count;
        lo..hi
    }
}

/// What a results folder holds: `.kampung/plan.json`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PlanFile {
    /// Always `kampung`.
    pub program: String,
    /// Program version that made the parts.
    pub version: String,
    /// Scenario name.
    pub scenario: String,
    /// SHA-256 of the scenario file.
    pub scenario_sha256: String,
    /// SHA-256 of every data file the scenario reads (households and ties CSVs, the
    /// design table), by name relative to the scenario's folder.
    #[serde(default)]
    pub data_sha256: Vec<(String, String)>,
    /// Runs in the whole plan.
    pub runs: usize,
    /// The shard this folder runs, if any.
    pub shard: Option<Shard>,
    /// The scenario file, as given (for `merge`).
    #[serde(default)]
    pub scenario_file: Option<String>,
    /// The copy of the scenario file inside the folder (`input/NAME.toml`), which a
    /// shard folder holds for `merge` (see [`Store::prepare_shard`]).
    #[serde(default)]
    pub input_scenario: Option<String>,
    /// SHA-256 of the posterior file the runs draw from (`run --posterior`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub posterior_sha256: Option<String>,
    /// The posterior's copy inside the folder, from which `merge` reads it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub input_posterior: Option<String>,
}

impl PlanFile {
    /// The plan file of a scenario run as `shard`.
    pub fn of(s: &Scenario, shard: Option<Shard>) -> PlanFile {
        PlanFile {
            program: "kampung".into(),
            version: env!("CARGO_PKG_VERSION").into(),
            scenario: s.name.clone(),
            scenario_sha256: s.sha256.clone(),
            data_sha256: s.data_sha256.clone(),
            runs: s.run_count(),
            shard,
            scenario_file: s.file.as_ref().map(|f| {
                std::fs::canonicalize(f)
                    .unwrap_or_else(|_| f.clone())
                    .display()
                    .to_string()
            }),
            input_scenario: crate::experiment::inputs::layout(s).map(|l| l.scenario),
            posterior_sha256: s.posterior.as_ref().map(|p| p.sha256.clone()),
            input_posterior: crate::experiment::inputs::layout(s).and_then(|l| l.posterior),
        }
    }

    /// Whether two folders hold runs of the same plan (shards may differ).
    pub fn same_plan(&self, other: &PlanFile) -> bool {
        self.differences(other).is_empty()
    }

    /// What differs between the plans of two folders (shards aside), one phrase per
    /// difference, naming the scenario file, the data file or the version that
    /// changed; empty when the runs of both are runs of the same plan.
    pub fn differences(&self, other: &PlanFile) -> Vec<String> {
        let mut out = Vec::new();
        let short = |h: &str| h[..12.min(h.len())].to_string();
        if self.program != other.program {
            out.push(format!(
                "program `{}` against `{}`",
                self.program, other.program
            ));
        }
        if self.version != other.version {
            out.push(format!(
                "kampung version {} against {}",
                self.version, other.version
            ));
        }
        if self.scenario_sha256 != other.scenario_sha256 {
            out.push(format!(
                "the scenario file changed (SHA-256 {} against {})",
                short(&self.scenario_sha256),
                short(&other.scenario_sha256)
            ));
        }
        let names: BTreeSet<&String> = self
            .data_sha256
            .iter()
            .chain(&other.data_sha256)
            .map(|(n, _)| n)
            .collect();
        for n in names {
            let find = |p: &PlanFile| {
                p.data_sha256
                    .iter()
                    .find(|(m, _)| m == n)
                    .map(|(_, h)| h.clone())
            };
            match (find(self), find(other)) {
                (Some(a), Some(b)) if a != b => out.push(format!(
                    "data file {n} changed (SHA-256 {} against {})",
                    short(&a),
                    short(&b)
                )),
                (Some(_), None) | (None, Some(_)) => {
                    out.push(format!("data file {n} is read by one plan only"))
                }
                _ => {}
            }
        }
        match (&self.posterior_sha256, &other.posterior_sha256) {
            (Some(a), Some(b)) if a != b => out.push(format!(
                "the posterior file changed (SHA-256 {} against {})",
                short(a),
                short(b)
            )),
            (Some(_), None) | (None, Some(_)) => {
                out.push("one plan draws from a posterior (--posterior), the other not".into())
            }
            _ => {}
        }
        if self.runs != other.runs && out.is_empty() {
            out.push(format!("{} runs against {}", self.runs, other.runs));
        }
        out
    }

    /// Reads the plan file of a results folder.
    pub fn read(dir: &Path) -> Result<PlanFile> {
        let path = dir.join(WORK_DIR).join("plan.json");
        let text = folder::read_bounded(&path, 1 << 20)?;
        serde_json::from_str(&text)
            .map_err(|e| Error::Run(format!("{}: not a kampung plan file: {e}", path.display())))
    }
}

/// How to treat what a results folder already holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// A new run: the folder must hold no parts of another plan.
    Fresh,
    /// Carry on: keep the finished runs of the same plan, refuse another plan's.
    Resume,
}

/// A results folder receiving runs.
#[derive(Debug)]
pub struct Store {
    dir: PathBuf,
    params: ParamColumns,
}

fn parts_dir(dir: &Path) -> PathBuf {
    dir.join(WORK_DIR).join("parts")
}

fn part_path(dir: &Path, index: usize) -> PathBuf {
    parts_dir(dir).join(format!("{index:09}.part"))
}

impl Store {
    /// Opens (creating) the working folder of `dir` for scenario `s`.
    ///
    /// With [`Mode::Resume`], a folder whose plan differs from this one (another
    /// scenario file, data file or version; or another shard) is refused, naming
    /// what differs. The working folder must be a real folder, not a link.
    pub fn open(dir: &Path, s: &Scenario, shard: Option<Shard>, mode: Mode) -> Result<Store> {
        let work = dir.join(WORK_DIR);
        folder::check_real_dir(dir)?;
        folder::check_real_dir(&work)?;
        let plan = PlanFile::of(s, shard);
        let plan_path = work.join("plan.json");
        if plan_path.exists() {
            let old = PlanFile::read(dir)?;
            let diff = old.differences(&plan);
            if mode == Mode::Resume {
                if !diff.is_empty() {
                    return Err(Error::Run(format!(
                        "{}: holds runs of another plan (scenario {}): {}; resume only with \
                         the same scenario file, data files, posterior and version",
                        dir.display(),
                        old.scenario,
                        diff.join("; ")
                    )));
                }
                if old.shard != shard {
                    let show = |s: Option<Shard>| {
                        s.map_or("no shard".to_string(), |s| {
                            format!("shard {}/{}", s.index, s.count)
                        })
                    };
                    return Err(Error::Run(format!(
                        "{}: holds {} of the plan, not {}; resume with the same --shard",
                        dir.display(),
                        show(old.shard),
                        show(shard)
                    )));
                }
            } else {
                fs::remove_dir_all(&work).map_err(|e| Error::io(&work, e))?;
            }
        }
        let parts = parts_dir(dir);
        fs::create_dir_all(&parts).map_err(|e| Error::io(&parts, e))?;
        folder::check_real_dir(&work)?;
        folder::check_real_dir(&parts)?;
        if !plan_path.exists() {
            let mut f = AtomicFile::create(&plan_path)?;
            serde_json::to_writer_pretty(f.writer(), &plan)
                .map_err(|e| Error::io(&plan_path, std::io::Error::other(e)))?;
            f.commit()?;
        }
        Ok(Store {
            dir: dir.to_path_buf(),
            params: ParamColumns::new(s),
        })
    }

    /// The runs of `specs` whose parts are complete and verified: the part names the
    /// run its file name says, its key (strategy, point, replicate, seed) is that
    /// run's, and its checksum matches its body. Parts that fail are removed (so the
    /// run is done again) and named in the second list.
    pub fn finished(&self, specs: &[RunSpec]) -> Result<(BTreeSet<usize>, Vec<String>)> {
        let mut ok = BTreeSet::new();
        let mut bad = Vec::new();
        for i in finished_in(&self.dir)? {
            let p = part_path(&self.dir, i);
            let verdict = match specs.get(i) {
                None => Err(format!("run {i} is not in the plan")),
                Some(spec) => PartFile::open(&p).and_then(|mut part| part.check(spec)),
            };
            match verdict {
                Ok(()) => {
                    ok.insert(i);
                }
                Err(m) => {
                    bad.push(format!("{}: {m}", p.display()));
                    fs::remove_file(&p).map_err(|e| Error::io(&p, e))?;
                }
            }
        }
        Ok((ok, bad))
    }

    /// Does run `spec`, its rows written to its part file as the run makes them (the
    /// run holds none in memory; see [`crate::experiment::part`]). A run that
    /// panics or blows up is saved as failed; its error is returned (`Ok(None)` for
    /// a run that finished). Fails only when the disk does.
    pub fn run(&self, s: &Scenario, spec: &RunSpec) -> Result<Option<String>> {
        let path = part_path(&self.dir, spec.index);
        let mut writer = PartWriter::new(&path, s, &self.params, spec)?;
        let error = match runner::record_guarded(s, spec, writer.recorder()) {
            Ok(end) => return writer.finish(&end).map(|_| None),
            Err(Halt::Error(e)) => return Err(e),
            Err(Halt::Failed(why)) => why,
        };
        drop(writer); // its spools vanish with it
        self.save(
            s,
            &Outcome::Failed {
                spec: spec.clone(),
                error: error.clone(),
            },
        )?;
        Ok(Some(error))
    }

    /// Saves one run held in memory: its rows of every table in one part file (see
    /// the module docs).
    pub fn save(&self, s: &Scenario, outcome: &Outcome) -> Result<()> {
        let spec = outcome.spec();
        let path = part_path(&self.dir, spec.index);
        let mut sections: Vec<(Table, Vec<u8>)> = Vec::with_capacity(Table::ALL.len());
        let wrap = |e: csv::Error| Error::Csv {
            path: path.clone(),
            source: e,
        };
        for t in Table::ALL {
            let mut buf = Vec::new();
            match (outcome, t) {
                (Outcome::Done(_), Table::Failures) => {}
                (Outcome::Done(_), t) if !t.wanted(&s.output) => {}
                (Outcome::Done(r), _) => {
                    rows::write_rows(&mut buf, t, s, &self.params, r).map_err(wrap)?
                }
                (Outcome::Failed { spec, error }, Table::Failures) => {
                    rows::write_failure(&mut buf, s, spec, error).map_err(wrap)?
                }
                (Outcome::Failed { .. }, _) => {}
            }
            sections.push((t, buf));
        }
        let bytes = Part::encode(spec, &sections);
        // Written under a fresh temporary name (never following a link) and renamed
        // into place: a part cut short by a crash is never under its final name.
        let mut f = AtomicFile::create(&path)?;
        f.writer()
            .write_all(&bytes)
            .map_err(|e| Error::io(&path, e))?;
        f.commit_nosync()
    }

    /// Gathers the parts found in `sources` (this folder, or the shard folders being
    /// merged) into the final tables of this folder, in run order. Fails, writing
    /// nothing final, if any run of the plan is missing, found twice, or has a part
    /// that is not the run its name says or whose checksum does not match; the error
    /// names the file.
    pub fn assemble(&self, s: &Scenario, sources: &[PathBuf]) -> Result<Assembled> {
        let total = s.run_count();
        let specs = crate::experiment::runner::plan(s);
        // Where each run's part is.
        let mut home: Vec<Option<&PathBuf>> = vec![None; total];
        for src in sources {
            for i in finished_in(src)? {
                if i >= total {
                    return Err(Error::Run(format!(
                        "{}: run {i} is not in the plan of {total} runs",
                        part_path(src, i).display()
                    )));
                }
                if let Some(first) = home[i] {
                    return Err(Error::Run(format!(
                        "run {i} is in two folders: {} and {}",
                        part_path(first, i).display(),
                        part_path(src, i).display()
                    )));
                }
                home[i] = Some(src);
            }
        }
        let missing: Vec<usize> = (0..total).filter(|&i| home[i].is_none()).collect();
        if !missing.is_empty() {
            let shown: Vec<String> = missing.iter().take(10).map(|i| i.to_string()).collect();
            return Err(Error::Run(format!(
                "{} of {total} runs are missing (runs {}{}); run the missing shards or resume",
                missing.len(),
                shown.join(", "),
                if missing.len() > 10 { ", ..." } else { "" }
            )));
        }
        let tables: Vec<Table> = Table::ALL
            .into_iter()
            .filter(|&t| t.wanted(&s.output))
            .collect();
        let mut files: Vec<(Table, AtomicFile)> = Vec::new();
        for &t in &tables {
            let dest = self.dir.join(t.file());
            let mut f = AtomicFile::create(&dest)?;
            let mut w = csv::Writer::from_writer(f.writer());
            w.write_record(output::header(t, &self.params))
                .map_err(|e| Error::Csv {
                    path: dest.clone(),
                    source: e,
                })?;
            w.flush().map_err(|e| Error::io(&dest, e))?;
            drop(w);
            files.push((t, f));
        }
        let mut failed = 0usize;
        for (i, src) in home.iter().enumerate() {
            let Some(src) = src else { continue };
            let p = part_path(src, i);
            let mut part = PartFile::open(&p)
                .and_then(|mut part| part.check(&specs[i]).map(|_| part))
                .map_err(|m| Error::Run(format!("{}: {m}", p.display())))?;
            if part.has_rows(Table::Failures) {
                failed += 1;
            }
            for (t, f) in files.iter_mut() {
                part.copy_section(*t, f.writer())
                    .map_err(|e| Error::io(&p, e))?;
            }
        }
        let mut names = Vec::new();
        for (t, f) in files {
            f.commit()?;
            names.push(t.file().to_string());
        }
        Ok(Assembled {
            files: names,
            failed,
        })
    }

    /// Gathers the final tables ([`Store::assemble`]), writes `manifest.json` last,
    /// and removes the working folder. `extra_files` are files the caller wrote
    /// besides the tables (listed in the manifest).
    pub fn finish(
        &self,
        s: &Scenario,
        sources: &[PathBuf],
        info: &output::RunInfo,
        extra: impl FnOnce(&Path) -> Result<Vec<String>>,
    ) -> Result<Assembled> {
        let mut done = self.assemble(s, sources)?;
        done.files.extend(extra(&self.dir)?);
        let copied = crate::experiment::inputs::copy_inputs(&self.dir, s)?;
        done.files.push("manifest.json".into());
        let m = output::Manifest {
            program: "kampung".into(),
            kind: output::kind::RUN.into(),
            version: output::VERSION.into(),
            commit: output::COMMIT.into(),
            scenario: s.name.clone(),
            scenario_file: s.file.as_ref().map(|f| f.display().to_string()),
            input_scenario: copied.scenario,
            inputs: copied.files,
            scenario_sha256: s.sha256.clone(),
            data_sha256: s.data_sha256.clone(),
            posterior: s.posterior.as_ref().map(|p| output::PosteriorInfo {
                file: p.file.display().to_string(),
                input: copied.posterior.clone(),
                sha256: p.sha256.clone(),
                generation: p.generation,
                particles: p.particles.len(),
                parameters: p.paths.clone(),
            }),
            seed: s.seed,
            replicates: s.replicates,
            time_unit: s.time_unit().into(),
            strategies: s.strategies.iter().map(|x| x.name.clone()).collect(),
            points: s.point_count(),
            runs: s.run_count(),
            failed_runs: done.failed,
            command_line: info.command_line.clone(),
            threads: info.threads,
            started: info.started.clone(),
            finished: output::utc_now_iso8601(),
            peak_memory_bytes: output::peak_memory_bytes(),
            repairs: s.repairs.clone(),
            files: done.files.clone(),
            complete: true,
        };
        output::write_manifest(&self.dir, &m)?;
        self.clean()?;
        Ok(done)
    }

    /// Makes a shard folder say what it is: copies the scenario and data files into
    /// its `input/` (from which `merge` reads the scenario) and writes its note
    /// ([`folder::SHARD_NOTE`]): which shard of which scenario, that the runs wait in
    /// the hidden work folder, and the command that merges the shards.
    pub fn prepare_shard(&self, s: &Scenario, shard: Shard) -> Result<()> {
        let copied = crate::experiment::inputs::copy_inputs(&self.dir, s)?;
        let range = shard.range(s.run_count());
        let note = format!(
            "This folder holds shard {index}/{count} (0-based) of scenario `{name}`: runs \
             {lo}..{hi} of {total},\nrun by kampung {version} (commit {commit}).\n\n\
             The runs are saved in the hidden folder {work}/ (one part file per run) until \
             the shards\nare merged into one results folder with its tables and report:\n\n    \
             kampung merge --out MERGED_DIR SHARD_DIR...\n\n\
             naming all {count} shard folders (e.g. `out/shard-*`). An interrupted shard is \
             finished\nby running its command again with --resume.\n\n\
             {input}/ holds copies of the scenario file ({scenario}) and the data files \
             it read;\nmerge reads the scenario from there unless --scenario is given.\n",
            index = shard.index,
            count = shard.count,
            name = crate::error::escape(&s.name),
            lo = range.start,
            hi = range.end,
            total = s.run_count(),
            version = output::VERSION,
            commit = output::COMMIT,
            work = WORK_DIR,
            input = folder::INPUT_DIR,
            scenario = copied.scenario.as_deref().unwrap_or("none"),
        );
        let path = self.dir.join(folder::SHARD_NOTE);
        let mut f = AtomicFile::create(&path)?;
        f.writer()
            .write_all(note.as_bytes())
            .map_err(|e| Error::io(&path, e))?;
        f.commit()
    }

    /// Removes the working folder (after the final tables are written).
    pub fn clean(&self) -> Result<()> {
        let work = self.dir.join(WORK_DIR);
        if work.exists() {
            fs::remove_dir_all(&work).map_err(|e| Error::io(&work, e))?;
        }
        Ok(())
    }

    /// The results folder.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The `param.*` columns.
    pub fn params(&self) -> &ParamColumns {
        &self.params
    }
}

/// What [`Store::assemble`] wrote.
#[derive(Debug, Clone, PartialEq)]
pub struct Assembled {
    /// Files written, in order.
    pub files: Vec<String>,
    /// Runs that failed.
    pub failed: usize,
}

/// Runs with a complete part file (one ending with the trailer line) in `dir`.
pub fn finished_in(dir: &Path) -> Result<BTreeSet<usize>> {
    let mut out = BTreeSet::new();
    let p = parts_dir(dir);
    let Ok(entries) = fs::read_dir(&p) else {
        return Ok(out);
    };
    for e in entries {
        let e = e.map_err(|e| Error::io(&p, e))?;
        let name = e.file_name();
        let name = name.to_string_lossy();
        let Some(stem) = name.strip_suffix(".part") else {
            continue;
        };
        let Ok(i) = stem.parse::<usize>() else {
            continue;
        };
        if part_is_complete(&e.path()) {
            out.insert(i);
        }
    }
    Ok(out)
}

fn part_is_complete(p: &Path) -> bool {
    use std::io::{Read, Seek, SeekFrom};
    let Ok(meta) = fs::symlink_metadata(p) else {
        return false;
    };
    if !meta.file_type().is_file() {
        return false;
    }
    let Ok(mut f) = fs::File::open(p) else {
        return false;
    };
    let n = part::TRAILER.len() as i64;
    if f.seek(SeekFrom::End(-n)).is_err() {
        return false;
    }
    let mut buf = Vec::with_capacity(part::TRAILER.len());
    f.read_to_end(&mut buf).is_ok() && buf == part::TRAILER.as_bytes()
}

/// Writes a whole results folder from runs held in memory (library use; the CLI
/// streams runs to disk instead through the [`Store`]).
pub fn write_results(dir: &Path, s: &Scenario, runs: &[RunOutput], info: &RunInfo) -> Result<()> {
    let store =
        crate::experiment::store::Store::open(dir, s, None, crate::experiment::store::Mode::Fresh)?;
    for r in runs {
        store.save(
            s,
            &crate::experiment::runner::Outcome::Done(Box::new(r.clone())),
        )?;
    }
    store.finish(s, &[dir.to_path_buf()], info, |_| Ok(Vec::new()))?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shards_cover_the_plan_exactly_once() {
        for total in [0, 1, 7, 100, 1001] {
            for count in [1, 2, 3, 7, 16] {
                let mut seen = vec![0; total];
                for index in 0..count {
                    for i in (Shard { index, count }).range(total) {
                        seen[i] += 1;
                    }
                }
                assert!(seen.iter().all(|&c| c == 1), "total {total}, count {count}");
            }
        }
    }

    #[test]
    fn shard_parsing() {
        assert_eq!(Shard::parse("2/4"), Ok(Shard { index: 2, count: 4 }));
        assert!(Shard::parse("4/4").is_err());
        assert!(Shard::parse("x/4").is_err());
        assert!(Shard::parse("1").is_err());
        assert!(Shard::parse("0/0").is_err());
    }
}
