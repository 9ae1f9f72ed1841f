//! The results folder: preparing it for a run, and writing files into it so that an
//! interrupted command never leaves a file that looks complete and is not.
//!
//! Every file is written under a temporary name (`.NAME.partial`) in the output folder
//! and renamed into place only when complete (see [`AtomicFile`]); the runs of a
//! command in progress are kept in the work folder [`WORK_DIR`].

use crate::error::{Error, Result};
use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

/// The hidden folder inside a results folder that holds the plan and the part files
/// of runs saved as they finish.
pub const WORK_DIR: &str = ".kampung";

/// Every file `kampung run` may write into an output folder.
pub const RESULT_FILES: &[&str] = &[
    "manifest.json",
    "timeseries.csv",
    "runs.csv",
    "stages.csv",
    "groups.csv",
    "households.csv",
    "failures.csv",
    "summary.csv",
    "compare.csv",
    "sensitivity.csv",
    "report.html",
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
        let work = dir.join(WORK_DIR);
        if work.exists() {
            fs::remove_dir_all(&work).map_err(|e| Error::io(&work, e))?;
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

#[cfg(test)]
mod tests {
    use super::*;

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
}
