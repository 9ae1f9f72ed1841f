//! Errors: every failure a user can cause is reported with where it happened and what
//! would have been accepted.

use std::fmt;
use std::path::PathBuf;

/// One problem in an input file, located by file, line and column.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    /// The file, as the user named it.
    pub file: String,
    /// 1-based line (0 when the problem is the file as a whole).
    pub line: usize,
    /// 1-based column, in characters (0 when the problem is the file as a whole).
    pub column: usize,
    /// The key (scenario files, as a dotted path) or column (CSV files) concerned.
    pub key: String,
    /// What is wrong.
    pub message: String,
    /// What would be accepted, when that can be said.
    pub allowed: Option<String>,
}

/// Makes text from a file safe to show on a terminal, on one line: control
/// characters (escape sequences, line ends, tabs, …) and the characters that reorder
/// text (bidirectional overrides) are shown as Rust escapes (`\u{1b}`, `\n`), and
/// a backslash is shown doubled only where it could be mistaken for one of those.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        let reorders = matches!(c, '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}');
        if c.is_control() || reorders {
            out.extend(c.escape_default());
        } else {
            out.push(c);
        }
    }
    out
}

impl fmt::Display for Diagnostic {
    /// One line, with everything that came from a file escaped ([`escape`]).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.line > 0 {
            write!(f, "{}:{}:{}: ", escape(&self.file), self.line, self.column)?;
        } else {
            write!(f, "{}: ", escape(&self.file))?;
        }
        if !self.key.is_empty() {
            write!(f, "`{}`: ", escape(&self.key))?;
        }
        f.write_str(&escape(&self.message))?;
        if let Some(a) = &self.allowed {
            write!(f, " (allowed: {})", escape(a))?;
        }
        Ok(())
    }
}

/// Everything that can go wrong in `kampung`.
#[derive(Debug)]
pub enum Error {
    /// Problems in a scenario file or the data files it names (one or more).
    Invalid(Vec<Diagnostic>),
    /// A file could not be read or written.
    Io {
        /// The file or folder.
        path: PathBuf,
        /// What the operating system said.
        source: std::io::Error,
    },
    /// The output folder exists and is not empty, and `--force` was not given.
    OutputExists(PathBuf),
    /// A CSV file could not be written.
    Csv {
        /// The file.
        path: PathBuf,
        /// What the CSV writer said.
        source: csv::Error,
    },
    /// A run failed (a bug or a numerical blow-up).
    Run(String),
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Invalid(ds) => {
                for (k, d) in ds.iter().enumerate() {
                    if k > 0 {
                        writeln!(f)?;
                    }
                    write!(f, "{d}")?;
                }
                Ok(())
            }
            Error::Io { path, source } => write!(
                f,
                "{}: {}",
                escape(&path.display().to_string()),
                escape(&source.to_string())
            ),
            Error::OutputExists(p) => write!(
                f,
                "{}: output folder exists and is not empty (use --force to write into it, \
                 or --out to choose another)",
                escape(&p.display().to_string())
            ),
            Error::Csv { path, source } => write!(
                f,
                "{}: {}",
                escape(&path.display().to_string()),
                escape(&source.to_string())
            ),
            Error::Run(m) => write!(f, "run failed: {}", escape(m)),
        }
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Error::Io { source, .. } => Some(source),
            Error::Csv { source, .. } => Some(source),
            _ => None,
        }
    }
}

impl Error {
    /// An I/O error on `path`.
    pub fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Error {
        Error::Io {
            path: path.into(),
            source,
        }
    }
}

/// Result type of the crate.
pub type Result<T, E = Error> = std::result::Result<T, E>;
