//! The results folder: preparing it for a run, and writing files into it so that an
//! interrupted command never leaves a file that looks complete and is not.
//!
//! Every file is written under a fresh temporary name (`.NAME.PID.N.partial`, created
//! only if absent, so never through a link) in the output folder and renamed into
//! place only when complete (see [`AtomicFile`]); the runs of a command in progress
//! are kept in the work folder [`WORK_DIR`]; a command holds the folder's lock
//! ([`FolderLock`]) while it works there.

use crate::error::{Error, Result};
use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

/// The hidden folder inside a results folder that holds the plan and the part files
/// of runs saved as they finish.
pub const WORK_DIR: &str = ".kampung";

/// The folder inside a results folder that holds the copies of the scenario file and
/// the data files it read (written by the `inputs` module of this layer).
pub const INPUT_DIR: &str = "input";

/// The note a shard folder holds, saying what it is and how to merge it (its runs sit
/// in the hidden [`WORK_DIR`]).
pub const SHARD_NOTE: &str = "README.txt";

/// Every file `kampung run` may write into an output folder (besides the folders
/// [`INPUT_DIR`] and [`WORK_DIR`]).
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
    "ranks.csv",
    "sensitivity.csv",
    "report.html",
    SHARD_NOTE,
    "timeseries.parquet",
    "runs.parquet",
    "stages.parquet",
    "groups.parquet",
    "households.parquet",
    "failures.parquet",
    "summary.parquet",
    "compare.parquet",
    "ranks.parquet",
];

/// Prepares the output folder: creates it, or refuses an existing non-empty one
/// unless `force`. The folder must not be a link, a filesystem root or the home
/// folder (see [`check_out_dir`]); a lock file ([`LOCK_FILE`]) does not count as
/// content.
pub fn prepare_dir(dir: &Path, force: bool) -> Result<()> {
    check_out_dir(dir)?;
    if dir.exists() {
        let non_empty = fs::read_dir(dir)
            .map_err(|e| Error::io(dir, e))?
            .filter_map(|e| e.ok())
            .any(|e| e.file_name() != LOCK_FILE);
        if non_empty && !force {
            return Err(Error::OutputExists(dir.to_path_buf()));
        }
        // With --force, results of an earlier run must not survive beside the new
        // ones: remove the files kampung writes, its work folder and its copies of
        // the inputs (and nothing else). Removing a link
        // removes the link, never its target.
        for f in RESULT_FILES {
            let p = dir.join(f);
            if fs::symlink_metadata(&p).is_ok() {
                fs::remove_file(&p).map_err(|e| Error::io(&p, e))?;
            }
        }
        for sub in [WORK_DIR, INPUT_DIR] {
            let work = dir.join(sub);
            match fs::symlink_metadata(&work) {
                Ok(m) if m.file_type().is_dir() => {
                    fs::remove_dir_all(&work).map_err(|e| Error::io(&work, e))?
                }
                Ok(_) => fs::remove_file(&work).map_err(|e| Error::io(&work, e))?,
                Err(_) => {}
            }
        }
    }
    fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
    check_real_dir(dir)
}

fn refuse(dir: &Path, why: &str) -> Error {
    Error::io(
        dir,
        std::io::Error::new(std::io::ErrorKind::InvalidInput, why.to_string()),
    )
}

/// Checks that `dir`, if it exists, is a real folder: not a link (to a folder or
/// anything else), not a file.
pub fn check_real_dir(dir: &Path) -> Result<()> {
    match fs::symlink_metadata(dir) {
        Err(_) => Ok(()),
        Ok(m) if m.file_type().is_symlink() => Err(refuse(
            dir,
            "is a symbolic link; kampung writes only into real folders (give the link's target)",
        )),
        Ok(m) if !m.is_dir() => Err(refuse(dir, "exists and is not a folder")),
        Ok(_) => Ok(()),
    }
}

/// The folder `dir` names, made absolute and free of `..` and links where it exists
/// (its nearest existing ancestor is resolved, the rest appended).
pub fn resolved(dir: &Path) -> PathBuf {
    let abs = if dir.is_absolute() {
        dir.to_path_buf()
    } else {
        std::env::current_dir()
            .map(|c| c.join(dir))
            .unwrap_or_else(|_| dir.to_path_buf())
    };
    let mut tail = Vec::new();
    let mut at = abs.as_path();
    loop {
        if let Ok(c) = fs::canonicalize(at) {
            let mut out = c;
            for t in tail.iter().rev() {
                out.push(t);
            }
            return out;
        }
        match (at.parent(), at.file_name()) {
            (Some(p), Some(n)) => {
                tail.push(n.to_os_string());
                at = p;
            }
            _ => return abs,
        }
    }
}

/// Refuses an output folder that no command should empty or fill: a filesystem
/// root, the home folder, a link, or something that is not a folder. Checked before
/// anything is deleted.
pub fn check_out_dir(dir: &Path) -> Result<()> {
    check_real_dir(dir)?;
    let r = resolved(dir);
    if r.parent().is_none() {
        return Err(refuse(
            dir,
            "is a filesystem root; give a folder of its own",
        ));
    }
    if let Some(home) = std::env::var_os("HOME").filter(|h| !h.is_empty())
        && fs::canonicalize(&home).is_ok_and(|h| h == r)
    {
        return Err(refuse(dir, "is the home folder; give a folder of its own"));
    }
    Ok(())
}

/// Name of the lock file a command holds in a results folder while it works there.
pub const LOCK_FILE: &str = ".kampung.lock";

/// A results folder held by this process for the length of a command: the lock file
/// [`LOCK_FILE`] holds the holder's process id, is created only if absent, and is
/// removed when the lock is dropped. A lock whose process is gone (a command killed
/// with `kill -9`) is stale and taken over, with a note on standard error.
#[derive(Debug)]
pub struct FolderLock {
    path: PathBuf,
}

impl FolderLock {
    /// Locks `dir` (creating it), or says which process holds it.
    pub fn acquire(dir: &Path) -> Result<FolderLock> {
        check_out_dir(dir)?;
        fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
        check_real_dir(dir)?;
        let path = dir.join(LOCK_FILE);
        for _ in 0..3 {
            match fs::OpenOptions::new()
                .write(true)
                .create_new(true)
                .open(&path)
            {
                Ok(mut f) => {
                    writeln!(f, "{}", std::process::id()).map_err(|e| Error::io(&path, e))?;
                    return Ok(FolderLock { path });
                }
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
                    let holder = read_regular(&path, 64)
                        .ok()
                        .and_then(|b| String::from_utf8(b).ok())
                        .and_then(|t| t.trim().parse::<u32>().ok());
                    match holder {
                        Some(pid) if process_alive(pid) => {
                            return Err(Error::Run(format!(
                                "{}: in use by another kampung command (process {pid}, lock \
                                 file {}); wait for it to finish",
                                dir.display(),
                                path.display()
                            )));
                        }
                        Some(pid) => eprintln!(
                            "note: {}: taking over the lock of process {pid}, which is gone",
                            dir.display()
                        ),
                        None => {
                            // Being written at this moment, or damaged: wait a moment once.
                            std::thread::sleep(std::time::Duration::from_millis(200));
                            let again = read_regular(&path, 64)
                                .ok()
                                .and_then(|b| String::from_utf8(b).ok())
                                .and_then(|t| t.trim().parse::<u32>().ok());
                            if again.is_some() {
                                continue;
                            }
                            eprintln!(
                                "note: {}: taking over a lock file without a process id",
                                dir.display()
                            );
                        }
                    }
                    let _ = fs::remove_file(&path);
                }
                Err(e) => return Err(Error::io(&path, e)),
            }
        }
        Err(Error::Run(format!(
            "{}: could not take the lock file {}",
            dir.display(),
            path.display()
        )))
    }
}

impl Drop for FolderLock {
    fn drop(&mut self) {
        let _ = fs::remove_file(&self.path);
    }
}

/// Whether process `pid` is alive. Where `/proc` is not available this cannot be
/// told, and the process is taken to be alive (the lock file must then be removed
/// by hand).
fn process_alive(pid: u32) -> bool {
    if pid == std::process::id() {
        return true;
    }
    if !Path::new("/proc/self").exists() {
        return true;
    }
    Path::new("/proc").join(pid.to_string()).exists()
}

/// Reads a file inside a results folder: a regular file (not a link, FIFO or
/// device) of at most `max` bytes (see [`crate::scenario::input::read_regular`]).
pub fn read_regular(path: &Path, max: u64) -> std::io::Result<Vec<u8>> {
    crate::scenario::input::read_regular(path, max, false)
}

/// [`read_regular`] as UTF-8 text, with the path in the error.
pub fn read_bounded(path: &Path, max: u64) -> Result<String> {
    let bytes = read_regular(path, max).map_err(|e| Error::io(path, e))?;
    String::from_utf8(bytes).map_err(|_| {
        Error::io(
            path,
            std::io::Error::new(std::io::ErrorKind::InvalidData, "not UTF-8 text"),
        )
    })
}

/// A file being written under a temporary name; [`AtomicFile::commit`] renames it into
/// place, and dropping it uncommitted deletes the temporary file.
///
/// The temporary file has a name no other writer uses (`.NAME.PID.N.partial`) and is
/// created only if absent, so a link planted under that name is never followed;
/// renaming replaces whatever is at the destination (a link included) rather than
/// writing through it.
pub struct AtomicFile {
    tmp: PathBuf,
    dest: PathBuf,
    file: Option<std::io::BufWriter<fs::File>>,
}

impl AtomicFile {
    /// Starts writing `dest`.
    pub fn create(dest: &Path) -> Result<AtomicFile> {
        use std::sync::atomic::{AtomicU64, Ordering};
        static COUNTER: AtomicU64 = AtomicU64::new(0);
        let name = dest
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        if let Some(parent) = dest.parent().filter(|p| !p.as_os_str().is_empty()) {
            check_real_dir(parent)?;
        }
        loop {
            let n = COUNTER.fetch_add(1, Ordering::Relaxed);
            let tmp = dest.with_file_name(format!(".{name}.{}.{n}.partial", std::process::id()));
            match fs::OpenOptions::new()
                .write(true)
                .create_new(true)
                .open(&tmp)
            {
                Ok(f) => {
                    return Ok(AtomicFile {
                        tmp,
                        dest: dest.to_path_buf(),
                        file: Some(std::io::BufWriter::with_capacity(1 << 16, f)),
                    });
                }
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => continue,
                Err(e) => return Err(Error::io(&tmp, e)),
            }
        }
    }

    /// The writer.
    pub fn writer(&mut self) -> &mut std::io::BufWriter<fs::File> {
        self.file.as_mut().expect("file is open until commit")
    }

    /// Flushes, syncs and renames the file into place.
    pub fn commit(self) -> Result<()> {
        self.finish(true)
    }

    /// Flushes and renames the file into place without waiting for the disk (for
    /// files whose damage is detected on reading, such as part files).
    pub fn commit_nosync(self) -> Result<()> {
        self.finish(false)
    }

    fn finish(mut self, sync: bool) -> Result<()> {
        let mut w = self.file.take().expect("file is open until commit");
        let done = (|| {
            w.flush().map_err(|e| Error::io(&self.tmp, e))?;
            let f = w
                .into_inner()
                .map_err(|e| Error::io(&self.tmp, e.into_error()))?;
            if sync {
                f.sync_all().map_err(|e| Error::io(&self.tmp, e))?;
            }
            drop(f);
            fs::rename(&self.tmp, &self.dest).map_err(|e| Error::io(&self.dest, e))
        })();
        if done.is_err() {
            let _ = fs::remove_file(&self.tmp);
        }
        done
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
