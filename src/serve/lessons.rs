//! The training lessons the page can load: `scenarios/training/*.toml`, with the
//! block of comments each opens with (the questions to ask the room and what the
//! result shows) cut into sections the page can show.

use serde::Serialize;
use std::path::{Path, PathBuf};

/// One lesson file.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Lesson {
    /// The file's stem, by which the page asks for it (`01-skip-immersion`).
    pub name: String,
    /// The first line of its comments (`Training lesson 1 of 8: ...`), or its name.
    pub title: String,
    /// The rest of its opening comments, in paragraphs.
    pub sections: Vec<Section>,
    /// The file.
    #[serde(skip)]
    pub path: PathBuf,
}

/// A paragraph of a lesson's script, under its heading if it has one.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Section {
    /// `ASK THE ROOM BEFORE RUNNING IT`, `WHAT THE RESULT SHOWS`, or empty.
    pub heading: String,
    /// The paragraph, its lines joined; list items (`- ...`) start on a new line.
    pub body: String,
}

/// The lessons in `dir` (`*.toml`, by file name); none when it cannot be read.
pub fn list(dir: &Path) -> Vec<Lesson> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut paths: Vec<PathBuf> = entries
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "toml"))
        .collect();
    paths.sort();
    paths
        .into_iter()
        .filter_map(|p| {
            let text = std::fs::read_to_string(&p).ok()?;
            let name = p.file_stem()?.to_string_lossy().into_owned();
            Some(parse(&name, &p, &text))
        })
        .collect()
}

/// Cuts a lesson file's opening comments into its title and sections. Paragraphs
/// that give commands (`cargo run ...`) are left out: the page plays the lesson.
pub fn parse(name: &str, path: &Path, text: &str) -> Lesson {
    let lines: Vec<&str> = text
        .lines()
        .take_while(|l| l.trim_start().starts_with('#'))
        .map(|l| {
            let l = l.trim_start().trim_start_matches('#');
            l.strip_prefix(' ').unwrap_or(l).trim_end()
        })
        .collect();
    let title = lines
        .first()
        .map(|t| t.trim().to_string())
        .filter(|t| !t.is_empty())
        .unwrap_or_else(|| name.to_string());
    let mut sections = Vec::new();
    let mut para: Vec<&str> = Vec::new();
    let flush = |para: &mut Vec<&str>, sections: &mut Vec<Section>| {
        if para.is_empty() {
            return;
        }
        let (heading, body) = match para.first() {
            Some(h) if is_heading(h) => (h.trim().to_string(), &para[1..]),
            _ => (String::new(), &para[..]),
        };
        let mut text = String::new();
        for l in body {
            let t = l.trim();
            if t.starts_with("- ") && !text.is_empty() {
                text.push('\n');
            } else if !text.is_empty() {
                text.push(' ');
            }
            text.push_str(t);
        }
        let commands = text.contains("cargo run");
        let empty = heading.is_empty() && text.is_empty();
        if !commands && !empty {
            sections.push(Section {
                heading,
                body: text,
            });
        }
        para.clear();
    };
    for l in lines.iter().skip(1) {
        if l.trim().is_empty() || is_heading(l) {
            flush(&mut para, &mut sections);
        }
        if !l.trim().is_empty() {
            para.push(l);
        }
    }
    flush(&mut para, &mut sections);
    Lesson {
        name: name.to_string(),
        title,
        sections,
        path: path.to_path_buf(),
    }
}

fn is_heading(l: &str) -> bool {
    let t = l.trim();
    t.len() > 3
        && t.chars().any(|c| c.is_ascii_uppercase())
        && !t.chars().any(|c| c.is_ascii_lowercase())
}
