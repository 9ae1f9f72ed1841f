//! What a run read, kept in its results folder: a copy of the scenario file, of
//! every data file it names (households and ties CSVs, the design table) and of the
//! posterior it drew from (`run --posterior`) under
//! [`INPUT_DIR`], so that a folder copied elsewhere still holds everything its report
//! draws from, and a shard folder everything `merge` needs.
//!
//! The files keep their places relative to each other (the scenario at
//! `input/village.toml`, its `data/households.csv` at `input/data/households.csv`),
//! so the copied scenario reads the copied data files. Each copy is checked against
//! the SHA-256 recorded when the scenario was read, so the folder holds exactly the
//! bytes that were run, and written under a temporary name and renamed into place.

use crate::error::{Error, Result};
pub use crate::experiment::folder::INPUT_DIR;
use crate::experiment::folder::{AtomicFile, check_real_dir};
use crate::scenario::{MAX_SCENARIO_BYTES, Scenario, input, sha256_hex};
use std::io::Write;
use std::path::{Component, Path, PathBuf};

/// Where the copies of a scenario's files go.
#[derive(Debug, Clone, PartialEq)]
pub struct Layout {
    /// The scenario file's copy, relative to the results folder (`input/NAME.toml`),
    /// with `/` between the parts.
    pub scenario: String,
    /// Every file to copy: its path as the scenario read it, its copy relative to the
    /// results folder, and the SHA-256 recorded when it was read. The scenario first,
    /// the posterior (if any) last.
    pub files: Vec<(PathBuf, String, String)>,
    /// The posterior file's copy (`run --posterior`), relative to the results folder.
    pub posterior: Option<String>,
}

/// `p` made absolute against the working folder, with `.` and `..` folded away
/// (lexically: the paths were just read through the same names).
fn absolute(p: &Path) -> PathBuf {
    let abs = if p.is_absolute() {
        p.to_path_buf()
    } else {
        std::env::current_dir()
            .map(|c| c.join(p))
            .unwrap_or_else(|_| p.to_path_buf())
    };
    let mut out = PathBuf::new();
    for c in abs.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir => {
                out.pop();
            }
            other => out.push(other),
        }
    }
    out
}

/// The deepest folder holding every one of `paths`.
fn common_folder(paths: &[PathBuf]) -> PathBuf {
    let mut common: Option<PathBuf> = None;
    for p in paths {
        let parent = p.parent().map(Path::to_path_buf).unwrap_or_default();
        common = Some(match common {
            None => parent,
            Some(c) => {
                let mut shared = PathBuf::new();
                for (a, b) in c.components().zip(parent.components()) {
                    if a != b {
                        break;
                    }
                    shared.push(a);
                }
                shared
            }
        });
    }
    common.unwrap_or_default()
}

/// Where the copies of `s`'s files go, or `None` for a scenario not read from a file.
pub fn layout(s: &Scenario) -> Option<Layout> {
    let file = s.file.as_ref()?;
    let mut sources: Vec<(PathBuf, String)> = vec![(file.clone(), s.sha256.clone())];
    for (path, (_, sha)) in s.data_files.iter().zip(&s.data_sha256) {
        sources.push((path.clone(), sha.clone()));
    }
    if let Some(p) = &s.posterior {
        sources.push((p.file.clone(), p.sha256.clone()));
    }
    let abs: Vec<PathBuf> = sources.iter().map(|(p, _)| absolute(p)).collect();
    let root = common_folder(&abs);
    let files: Vec<(PathBuf, String, String)> = sources
        .into_iter()
        .zip(&abs)
        .map(|((path, sha), a)| {
            let rel: Vec<String> = a
                .strip_prefix(&root)
                .unwrap_or(a)
                .components()
                .filter_map(|c| match c {
                    Component::Normal(n) => Some(n.to_string_lossy().into_owned()),
                    _ => None,
                })
                .collect();
            (path, format!("{INPUT_DIR}/{}", rel.join("/")), sha)
        })
        .collect();
    Some(Layout {
        scenario: files[0].1.clone(),
        posterior: s
            .posterior
            .as_ref()
            .and_then(|_| files.last().map(|f| f.1.clone())),
        files,
    })
}

/// What [`copy_inputs`] wrote.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Copied {
    /// The scenario's copy, relative to the results folder (`None` for a scenario not
    /// read from a file).
    pub scenario: Option<String>,
    /// Every copy, relative to the results folder, with its SHA-256.
    pub files: Vec<(String, String)>,
    /// The posterior's copy, relative to the results folder (`run --posterior`).
    pub posterior: Option<String>,
}

/// Copies the scenario file of `s` and every data file it read into `dir`'s
/// [`INPUT_DIR`]. A file whose bytes are no longer those that were read (changed
/// while the runs ran) is an error naming it: the folder would not hold what was run.
pub fn copy_inputs(dir: &Path, s: &Scenario) -> Result<Copied> {
    let Some(layout) = layout(s) else {
        return Ok(Copied::default());
    };
    let mut copied = Copied {
        scenario: Some(layout.scenario.clone()),
        files: Vec::new(),
        posterior: layout.posterior.clone(),
    };
    for (k, (src, rel, sha)) in layout.files.iter().enumerate() {
        let max = if k == 0 {
            MAX_SCENARIO_BYTES
        } else {
            input::MAX_DATA_BYTES
        };
        let bytes = input::read_regular(src, max, true).map_err(|e| Error::io(src, e))?;
        if sha256_hex(&bytes) != *sha {
            return Err(Error::Run(format!(
                "{}: changed since the scenario was read; the results folder would not hold \
                 the file that was run (run again)",
                src.display()
            )));
        }
        let dest = dir.join(rel);
        // Every folder on the way is created here and must be a real folder.
        let mut at = dir.to_path_buf();
        if let Some(parent) = Path::new(rel).parent() {
            for c in parent.components() {
                at.push(c);
                check_real_dir(&at)?;
                if !at.is_dir() {
                    std::fs::create_dir(&at).map_err(|e| Error::io(&at, e))?;
                }
            }
        }
        let mut f = AtomicFile::create(&dest)?;
        f.writer()
            .write_all(&bytes)
            .map_err(|e| Error::io(&dest, e))?;
        f.commit()?;
        copied.files.push((rel.clone(), sha.clone()));
    }
    Ok(copied)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_fold_and_share_their_deepest_folder() {
        let a = absolute(Path::new("/a/b/./c/../s.toml"));
        assert_eq!(a, PathBuf::from("/a/b/s.toml"));
        let files = vec![
            PathBuf::from("/a/b/s.toml"),
            PathBuf::from("/a/b/data/h.csv"),
            PathBuf::from("/a/d/t.csv"),
        ];
        assert_eq!(common_folder(&files), PathBuf::from("/a"));
        assert_eq!(common_folder(&files[..2]), PathBuf::from("/a/b"));
    }
}
