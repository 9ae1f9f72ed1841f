//! A run's part file: its rows of every table, written while the run goes on and
//! read back, checked, when the runs are gathered.
//!
//! A part is a header line
//! `#kampung-part run=I strategy=K point=P replicate=R seed=S sha256=HEX TABLE=BYTES ...`
//! giving the run it holds, a SHA-256 and the length of each table's rows; the rows
//! of each table in that order (the body); and the trailer line. The SHA-256 is of
//! the header without its `sha256=` word, a line end, and the body: it covers the
//! run key and the section lengths as well as the rows. Lengths rather than markers
//! keep any text in the rows safe; the key and the checksum let `merge` and
//! `--resume` refuse a part copied, swapped or edited.
//!
//! Writing ([`PartWriter`]): while a run goes on, its rows of the large tables
//! (`timeseries`, `groups`, `households`) go to unnamed spool files in the parts
//! folder as they are made, so the run holds none of them in memory, and a run that
//! is killed leaves nothing behind (the spools have no name). At the end the part is
//! written under a temporary name, its sections copied from the spools, and renamed
//! into place: a part is under its final name only when whole.
//!
//! Reading ([`PartFile`]): the header line is read, the file's length checked
//! against it, the checksum computed by streaming through the body, and each section
//! copied to its table, so gathering a part needs a fixed amount of memory, whatever
//! its size.

use crate::error::{Error, Result};
use crate::experiment::folder::AtomicFile;
use crate::experiment::output::{ParamColumns, Table};
use crate::experiment::rows::{RowSinks, RunRows};
use crate::experiment::runner::{Recorder, RunEnd, RunSpec};
use crate::scenario::Scenario;
use sha2::Digest;
use std::fs;
use std::io::{BufWriter, Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

/// Last line of every complete part file.
pub const TRAILER: &str = "#kampung-part-complete\n";

/// First word of a part file's header line.
const PART_HEADER: &str = "#kampung-part";

/// The run key fields of a part file's header, in order.
const KEY_FIELDS: [&str; 6] = ["run", "strategy", "point", "replicate", "seed", "sha256"];

/// The longest header line read; a longer one is not a part's.
const MAX_HEAD: usize = 64 * 1024;

/// Size of the chunks a part's body is read and copied in.
const CHUNK: usize = 1 << 16;

/// A part's header line, read.
#[derive(Debug, Clone)]
struct Head {
    key: [u64; 5],
    sha256: String,
    /// Each table's section and its length, in body order.
    sections: Vec<(Table, u64)>,
    /// The header without its `sha256=` word.
    signed: String,
}

impl Head {
    /// Reads a header line (without its line end). Never panics.
    fn parse(head: &str) -> std::result::Result<Head, String> {
        let mut words = head.split(' ');
        if words.next() != Some(PART_HEADER) {
            return Err("not a part file (bad header)".into());
        }
        let mut key = [0u64; 5];
        let mut sha256 = String::new();
        let mut signed: Vec<&str> = vec![PART_HEADER];
        for (k, field) in KEY_FIELDS.iter().enumerate() {
            let w = words.next().unwrap_or("");
            let v = w
                .strip_prefix(field)
                .and_then(|v| v.strip_prefix('='))
                .ok_or_else(|| format!("header lacks `{field}=` (a part of an older kampung?)"))?;
            if k < 5 {
                key[k] = v
                    .parse()
                    .map_err(|_| format!("header's `{field}` is not a whole number"))?;
                signed.push(w);
            } else {
                sha256 = v.to_string();
            }
        }
        let mut sections: Vec<(Table, u64)> = Vec::new();
        for w in words {
            signed.push(w);
            let (name, len) = w
                .split_once('=')
                .ok_or("header has a malformed section length")?;
            let table = Table::ALL
                .into_iter()
                .find(|t| t.name() == name)
                .filter(|t| sections.iter().all(|(s, _)| s != t))
                .ok_or_else(|| format!("header names an unknown or repeated table `{name}`"))?;
            let len: u64 = len
                .parse()
                .map_err(|_| "header has a malformed section length")?;
            sections.push((table, len));
        }
        Ok(Head {
            key,
            sha256,
            sections,
            signed: signed.join(" "),
        })
    }

    /// The length of the body the header announces (`None` past `u64`).
    fn body_len(&self) -> Option<u64> {
        self.sections
            .iter()
            .try_fold(0u64, |sum, (_, len)| sum.checked_add(*len))
    }

    /// Checks that the header names run `spec`.
    fn check_key(&self, spec: &RunSpec) -> std::result::Result<(), String> {
        let want = [
            spec.index as u64,
            spec.strategy as u64,
            spec.point as u64,
            spec.replicate as u64,
            spec.seed,
        ];
        if self.key == want {
            return Ok(());
        }
        let k = self.key;
        Err(format!(
            "holds run {} (strategy {}, point {}, replicate {}, seed {}), not run {} \
             (strategy {}, point {}, replicate {}, seed {}) that its name says",
            k[0], k[1], k[2], k[3], k[4], want[0], want[1], want[2], want[3], want[4]
        ))
    }

    /// Where table `t`'s rows lie in the body: offset and length (`(0, 0)` when the
    /// part has no such section).
    fn section(&self, t: Table) -> (u64, u64) {
        let mut at = 0;
        for (s, len) in &self.sections {
            if *s == t {
                return (at, *len);
            }
            at += len;
        }
        (0, 0)
    }
}

/// The run key and the section lengths of the header of `spec`'s part holding
/// sections of these lengths (the words before and after its `sha256=` word).
fn head_words(spec: &RunSpec, lens: &[(Table, u64)]) -> (String, String) {
    let key = format!(
        "run={} strategy={} point={} replicate={} seed={}",
        spec.index, spec.strategy, spec.point, spec.replicate, spec.seed
    );
    let lens: Vec<String> = lens
        .iter()
        .map(|(t, n)| format!("{}={n}", t.name()))
        .collect();
    (key, lens.join(" "))
}

fn hex(digest: &[u8]) -> String {
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

/// Hands `len` bytes of `file` from `from` on to `f`, a chunk at a time; a file
/// shorter than that is an error.
fn read_range(
    file: &mut fs::File,
    from: u64,
    len: u64,
    f: &mut dyn FnMut(&[u8]) -> std::io::Result<()>,
) -> std::io::Result<()> {
    file.seek(SeekFrom::Start(from))?;
    let mut rest = file.take(len);
    let mut buf = vec![0u8; CHUNK.min(len as usize)];
    loop {
        let n = rest.read(&mut buf)?;
        if n == 0 {
            break;
        }
        f(&buf[..n])?;
    }
    if rest.limit() != 0 {
        return Err(std::io::Error::new(
            std::io::ErrorKind::UnexpectedEof,
            "the file became shorter while it was read",
        ));
    }
    Ok(())
}

/// A section's rows while a part is written: in memory, or in a spool file.
enum Section {
    Bytes(Vec<u8>),
    Spool(Spool),
}

impl Section {
    fn len(&self) -> u64 {
        match self {
            Section::Bytes(b) => b.len() as u64,
            Section::Spool(s) => s.len,
        }
    }

    /// Hands the rows to `f`, chunk by chunk.
    fn feed(&mut self, f: &mut dyn FnMut(&[u8]) -> std::io::Result<()>) -> std::io::Result<()> {
        match self {
            Section::Bytes(b) => f(b),
            Section::Spool(s) => read_range(s.out.get_mut(), 0, s.len, f),
        }
    }
}

/// Writes a part file's bytes to `out`: the header for `spec` and `sections` (with
/// the checksum of a first pass through them), the sections, the trailer.
fn write_part(
    out: &mut dyn Write,
    spec: &RunSpec,
    sections: &mut [(Table, Section)],
) -> std::io::Result<()> {
    let lens: Vec<(Table, u64)> = sections.iter().map(|(t, s)| (*t, s.len())).collect();
    let (key, lens) = head_words(spec, &lens);
    let mut sha = sha2::Sha256::new();
    sha.update(format!("{PART_HEADER} {key} {lens}").as_bytes());
    sha.update(b"\n");
    for (_, s) in sections.iter_mut() {
        s.feed(&mut |b| {
            sha.update(b);
            Ok(())
        })?;
    }
    let sha = hex(&sha.finalize());
    writeln!(out, "{PART_HEADER} {key} sha256={sha} {lens}")?;
    for (_, s) in sections.iter_mut() {
        s.feed(&mut |b| out.write_all(b))?;
    }
    out.write_all(TRAILER.as_bytes())
}

/// One run's part file, held in memory (the library's and the tests' way; runs of
/// the command line stream theirs, see [`PartWriter`] and [`PartFile`]).
#[derive(Debug)]
pub struct Part<'a> {
    /// Run index, strategy, point, replicate and seed, as the header gives them.
    pub key: [u64; 5],
    /// The header's SHA-256, in hex.
    pub sha256: String,
    head: Head,
    body: &'a [u8],
}

impl<'a> Part<'a> {
    /// The bytes of a part file for run `spec` holding `sections`.
    pub fn encode(spec: &RunSpec, sections: &[(Table, Vec<u8>)]) -> Vec<u8> {
        let mut s: Vec<(Table, Section)> = sections
            .iter()
            .map(|(t, b)| (*t, Section::Bytes(b.clone())))
            .collect();
        let mut out = Vec::new();
        // Writing to memory from memory cannot fail.
        let _ = write_part(&mut out, spec, &mut s);
        out
    }

    /// Reads the structure of a part file; says what is wrong when it is not one.
    /// Never panics, whatever the bytes.
    pub fn parse(bytes: &'a [u8]) -> std::result::Result<Part<'a>, String> {
        let all = bytes
            .strip_suffix(TRAILER.as_bytes())
            .ok_or("not a complete part file (no trailer line)")?;
        let nl = all
            .iter()
            .position(|&b| b == b'\n')
            .ok_or("not a part file (no header line)")?;
        let head = std::str::from_utf8(&all[..nl]).map_err(|_| "header is not UTF-8")?;
        let head = Head::parse(head)?;
        let body = &all[nl + 1..];
        match head.body_len() {
            Some(n) if n == body.len() as u64 => {}
            Some(n) if n > body.len() as u64 => return Err("shorter than its header says".into()),
            _ => return Err("longer than its header says".into()),
        }
        Ok(Part {
            key: head.key,
            sha256: head.sha256.clone(),
            head,
            body,
        })
    }

    /// Checks that the part holds run `spec` and that its body has the checksum its
    /// header gives.
    pub fn check(&self, spec: &RunSpec) -> std::result::Result<(), String> {
        self.head.check_key(spec)?;
        let mut sha = sha2::Sha256::new();
        sha.update(self.head.signed.as_bytes());
        sha.update(b"\n");
        sha.update(self.body);
        if hex(&sha.finalize()) != self.head.sha256 {
            return Err("its contents do not match its checksum (edited or damaged)".into());
        }
        Ok(())
    }

    /// Table `t`'s rows.
    pub fn section(&self, t: Table) -> &'a [u8] {
        let (at, len) = self.head.section(t);
        &self.body[at as usize..(at + len) as usize]
    }
}

/// A part file on disk, read a chunk at a time.
pub struct PartFile {
    file: fs::File,
    head: Head,
    /// Where the body starts.
    body_at: u64,
}

impl PartFile {
    /// Opens a part file: a regular file (not a link) whose header line reads and
    /// whose length is what the header says, trailer line included. Says what is
    /// wrong otherwise.
    pub fn open(path: &Path) -> std::result::Result<PartFile, String> {
        let meta = fs::symlink_metadata(path).map_err(|e| e.to_string())?;
        if !meta.file_type().is_file() {
            return Err("is not a regular file".into());
        }
        let mut file = fs::File::open(path).map_err(|e| e.to_string())?;
        let size = file.metadata().map_err(|e| e.to_string())?.len();
        let mut first = Vec::with_capacity(256);
        (&mut file)
            .take(MAX_HEAD as u64)
            .read_to_end(&mut first)
            .map_err(|e| e.to_string())?;
        let nl = first
            .iter()
            .position(|&b| b == b'\n')
            .ok_or("not a part file (no header line)")?;
        let head = std::str::from_utf8(&first[..nl]).map_err(|_| "header is not UTF-8")?;
        let head = Head::parse(head)?;
        let body_at = nl as u64 + 1;
        let want = head
            .body_len()
            .and_then(|n| n.checked_add(body_at + TRAILER.len() as u64));
        match want {
            Some(n) if n == size => {}
            Some(n) if n > size => return Err("shorter than its header says".into()),
            _ => return Err("longer than its header says".into()),
        }
        let mut trailer = vec![0u8; TRAILER.len()];
        file.seek(SeekFrom::Start(size - TRAILER.len() as u64))
            .and_then(|_| file.read_exact(&mut trailer))
            .map_err(|e| e.to_string())?;
        if trailer != TRAILER.as_bytes() {
            return Err("not a complete part file (no trailer line)".into());
        }
        Ok(PartFile {
            file,
            head,
            body_at,
        })
    }

    /// Checks that the part holds run `spec` and that its body has the checksum its
    /// header gives (reading the body through once).
    pub fn check(&mut self, spec: &RunSpec) -> std::result::Result<(), String> {
        self.head.check_key(spec)?;
        let mut sha = sha2::Sha256::new();
        sha.update(self.head.signed.as_bytes());
        sha.update(b"\n");
        let len = self.head.body_len().unwrap_or(0);
        self.copy(self.body_at, len, &mut |b| {
            sha.update(b);
            Ok(())
        })
        .map_err(|e| e.to_string())?;
        if hex(&sha.finalize()) != self.head.sha256 {
            return Err("its contents do not match its checksum (edited or damaged)".into());
        }
        Ok(())
    }

    /// Copies table `t`'s rows to `out`.
    pub fn copy_section(&mut self, t: Table, out: &mut dyn Write) -> std::io::Result<()> {
        let (at, len) = self.head.section(t);
        self.copy(self.body_at + at, len, &mut |b| out.write_all(b))
    }

    /// Whether the part has rows of table `t`.
    pub fn has_rows(&self, t: Table) -> bool {
        self.head.section(t).1 > 0
    }

    fn copy(
        &mut self,
        from: u64,
        len: u64,
        f: &mut dyn FnMut(&[u8]) -> std::io::Result<()>,
    ) -> std::io::Result<()> {
        read_range(&mut self.file, from, len, f)
    }
}

/// Rows written to an unnamed file, and how many bytes.
struct Spool {
    out: BufWriter<fs::File>,
    len: u64,
}

impl Write for Spool {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let n = self.out.write(buf)?;
        self.len += n as u64;
        Ok(n)
    }
    fn flush(&mut self) -> std::io::Result<()> {
        self.out.flush()
    }
}

/// Writes one run's part file while the run goes on: its rows go to spool files at
/// once (through [`PartWriter::recorder`]), and [`PartWriter::finish`] writes the
/// part from them (see the module docs).
pub struct PartWriter<'a> {
    sinks: RowSinks<'a, Spool>,
    /// Where the part goes.
    path: PathBuf,
}

impl<'a> PartWriter<'a> {
    /// Starts the part of run `spec` at `path`, its spools in the folder of `path`.
    pub fn new(
        path: &Path,
        s: &'a Scenario,
        params: &'a ParamColumns,
        spec: &'a RunSpec,
    ) -> Result<PartWriter<'a>> {
        let dir = path.parent().unwrap_or(Path::new("."));
        let spool = || -> Result<Spool> {
            let f = tempfile::tempfile_in(dir).map_err(|e| Error::io(dir, e))?;
            Ok(Spool {
                out: BufWriter::with_capacity(CHUNK, f),
                len: 0,
            })
        };
        let rows = RunRows::new(s, params, spec).map_err(|e| Error::Csv {
            path: path.to_path_buf(),
            source: e,
        })?;
        Ok(PartWriter {
            sinks: RowSinks::new(rows, [spool()?, spool()?, spool()?], path),
            path: path.to_path_buf(),
        })
    }

    /// What the run hands its rows to.
    pub fn recorder(&mut self) -> &mut dyn Recorder {
        &mut self.sinks
    }

    /// Writes the part: the run's `runs.csv` row and `stages.csv` rows from `end`,
    /// the spooled rows, under a temporary name renamed into place when whole.
    pub fn finish(mut self, end: &RunEnd) -> Result<()> {
        let (mut runs, mut stages) = (Vec::new(), Vec::new());
        self.sinks.end(end, &mut runs, &mut stages)?;
        let spec = self.sinks.spec();
        let path = self.path;
        let spooled = |mut sp: Spool| -> Result<Section> {
            sp.flush().map_err(|e| Error::io(&path, e))?;
            Ok(Section::Spool(sp))
        };
        // In the order of `Table::ALL`. A table the scenario does not ask for was
        // never written to, so its section is empty.
        let sinks = self.sinks;
        let mut sections = vec![
            (Table::Timeseries, spooled(sinks.timeseries)?),
            (Table::Runs, Section::Bytes(runs)),
            (Table::Stages, Section::Bytes(stages)),
            (Table::Groups, spooled(sinks.groups)?),
            (Table::Households, spooled(sinks.households)?),
            (Table::Failures, Section::Bytes(Vec::new())),
        ];
        debug_assert!(sections.iter().map(|(t, _)| *t).eq(Table::ALL));
        let mut f = AtomicFile::create(&path)?;
        write_part(f.writer(), spec, &mut sections).map_err(|e| Error::io(&path, e))?;
        f.commit_nosync()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec() -> RunSpec {
        RunSpec {
            index: 3,
            strategy: 1,
            point: 0,
            replicate: 2,
            seed: 99,
            village_seed: 5,
            environment_seed: 6,
        }
    }

    /// Rows of every table, some empty, one larger than a read chunk.
    fn rows() -> Vec<(Table, Vec<u8>)> {
        Table::ALL
            .into_iter()
            .enumerate()
            .map(|(k, t)| {
                let body = match k % 3 {
                    0 => Vec::new(),
                    1 => format!("{},1,2\n", t.name()).into_bytes(),
                    _ => b"a,b\n".repeat(CHUNK / 2),
                };
                (t, body)
            })
            .collect()
    }

    /// A part written from spool files is the part encoded from memory, byte for
    /// byte, and reads back section by section from disk; any cut or changed byte
    /// of it is refused. Why it could fail: a spool read from where its writer left
    /// off (not its start), a section copied with the wrong offset, or a checksum
    /// computed over other bytes than those written.
    #[test]
    fn spooled_parts_are_encoded_parts_and_read_back_checked() {
        let dir = tempfile::tempdir().unwrap();
        let want = Part::encode(&spec(), &rows());
        let mut sections: Vec<(Table, Section)> = rows()
            .into_iter()
            .map(|(t, b)| {
                let f = tempfile::tempfile_in(dir.path()).unwrap();
                let mut sp = Spool {
                    out: BufWriter::new(f),
                    len: 0,
                };
                sp.write_all(&b).unwrap();
                sp.flush().unwrap();
                (t, Section::Spool(sp))
            })
            .collect();
        let mut got = Vec::new();
        write_part(&mut got, &spec(), &mut sections).unwrap();
        assert_eq!(got, want);

        let path = dir.path().join("000000003.part");
        fs::write(&path, &got).unwrap();
        let mut part = PartFile::open(&path).unwrap();
        part.check(&spec()).unwrap();
        for (t, b) in rows() {
            let mut out = Vec::new();
            part.copy_section(t, &mut out).unwrap();
            assert_eq!(out, b, "{}", t.name());
            assert_eq!(part.has_rows(t), !b.is_empty());
        }
        let other = RunSpec {
            seed: 100,
            ..spec()
        };
        assert!(PartFile::open(&path).unwrap().check(&other).is_err());
        for at in [0, 40, got.len() / 2, got.len() - 30, got.len() - 1] {
            let mut bad = got.clone();
            bad[at] ^= 1;
            fs::write(&path, &bad).unwrap();
            let verdict = PartFile::open(&path).and_then(|mut p| p.check(&spec()));
            assert!(verdict.is_err(), "a changed byte at {at} was accepted");
        }
        for cut in [0, 10, got.len() / 2, got.len() - 1] {
            fs::write(&path, &got[..cut]).unwrap();
            let verdict = PartFile::open(&path).and_then(|mut p| p.check(&spec()));
            assert!(verdict.is_err(), "a part cut at {cut} was accepted");
        }
    }
}
