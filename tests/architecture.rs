//! The layers of `src/` depend only downward, and no two modules import each other.
//!
//! The library is built in layers (see `docs/architecture.md`):
//!
//! | layer | modules | may use |
//! |---|---|---|
//! | 0 | `model` | nothing else in the crate |
//! | 1 | `scenario`, `error` | layer 0 |
//! | 2 | `experiment` | layers 0–1 |
//! | 3 | `report`, `demo`, `serve` | layers 0–2; `serve` also `demo` and `report` |
//! | 4 | `cli` (the binary's commands, with `main.rs`) | the library |
//!
//! This test reads every `.rs` file under `src/` and resolves each path that names a
//! module of the crate (`crate::a::b`, `super::b`, `self::b`, and the crate root's
//! re-exports `crate::Scenario`, `crate::Error`, …) to the module it points at. It
//! fails when a file names a module of a higher layer, and when the modules one level
//! inside each layer (`model::metrics`, `experiment::store`, …) import each other in
//! a circle.
//!
//! Why it could fail: any `use crate::scenario::…` added under `src/model/`, any
//! `crate::report` named from `src/experiment/`, or two experiment modules that call
//! each other, makes it fail with the file, the line and the path. The model is also
//! compiled on its own in CI (`cargo check --lib --no-default-features`), which
//! proves the same for layer 0 with the compiler.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// The layer of a top-level module of the crate.
fn layer(top: &str) -> Option<u8> {
    Some(match top {
        "model" => 0,
        "scenario" | "error" => 1,
        "experiment" => 2,
        "report" | "demo" | "serve" => 3,
        // The binary's own modules (declared by main.rs, not lib.rs).
        "cli" => 4,
        _ => return None,
    })
}

/// Names the crate root re-exports, and the module each comes from.
fn root_reexport(name: &str) -> Option<&'static str> {
    match name {
        "Scenario" => Some("scenario"),
        "Error" | "Result" | "Diagnostic" => Some("error"),
        _ => None,
    }
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            rust_files(&p, out);
        } else if p.extension().is_some_and(|x| x == "rs") {
            out.push(p);
        }
    }
}

/// The module path of a source file: `src/model/stages/action.rs` is
/// `["model", "stages", "action"]`, `src/model/mod.rs` is `["model"]`.
fn module_path(src: &Path, file: &Path) -> Vec<String> {
    let rel = file.strip_prefix(src).unwrap();
    let mut parts: Vec<String> = rel
        .iter()
        .map(|c| c.to_string_lossy().into_owned())
        .collect();
    let last = parts.pop().unwrap();
    let stem = last.trim_end_matches(".rs");
    if stem != "mod" && stem != "lib" && stem != "main" {
        parts.push(stem.to_string());
    }
    parts
}

/// Every `pub use x::Y;` / `pub use x::{Y, Z};` in a `mod.rs`: item name → the
/// child module it comes from.
fn reexports(text: &str) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    for line in text.lines() {
        let Some(rest) = line.trim().strip_prefix("pub use ") else {
            continue;
        };
        let rest = rest.trim_end_matches(';');
        let rest = rest.trim_start_matches("self::");
        let Some((module, items)) = rest.split_once("::") else {
            continue;
        };
        let items = items.trim_start_matches('{').trim_end_matches('}');
        for item in items.split(',') {
            let item = item.trim();
            if !item.is_empty() {
                out.insert(item.to_string(), module.to_string());
            }
        }
    }
    out
}

/// The identifier starting at `s`.
fn ident(s: &str) -> &str {
    let end = s
        .find(|c: char| !(c.is_alphanumeric() || c == '_'))
        .unwrap_or(s.len());
    &s[..end]
}

/// Module paths named in `line` by a file whose own module path is `here`. Each is
/// resolved to at most two segments (`["experiment", "store"]`); item names re-exported
/// by a layer's `mod.rs` resolve to the child that defines them.
fn named_modules(
    line: &str,
    here: &[String],
    exports: &BTreeMap<String, BTreeMap<String, String>>,
) -> Vec<Vec<String>> {
    let mut out = Vec::new();
    let bytes = line.as_bytes();
    let mut i = 0;
    while i < line.len() {
        let at_word = i == 0 || !(bytes[i - 1].is_ascii_alphanumeric() || bytes[i - 1] == b'_');
        let rest = &line[i..];
        let mut target: Option<Vec<String>> = None;
        if at_word && rest.starts_with("crate::") {
            target = Some(Vec::new());
            i += "crate::".len();
        } else if at_word && (rest.starts_with("super::") || rest.starts_with("self::")) {
            // `self::` in a mod.rs is the folder's module; in a file, that file.
            let mut base: Vec<String> = here.to_vec();
            if rest.starts_with("self::") {
                i += "self::".len();
            } else {
                let mut r = rest;
                // In a file `a/b.rs` (module a::b), `super` is `a`; in `a/mod.rs`
                // (module a), `super` is the crate root.
                while let Some(x) = r.strip_prefix("super::") {
                    base.pop();
                    r = x;
                    i += "super::".len();
                }
            }
            target = Some(base);
        }
        let Some(mut path) = target else {
            i += rest.chars().next().map_or(1, char::len_utf8);
            continue;
        };
        // Follow identifiers joined by `::`, stopping at an item (upper case) or a
        // group `{`.
        loop {
            let r = &line[i..];
            let id = ident(r);
            if id.is_empty() {
                break;
            }
            let upper = id.chars().next().is_some_and(char::is_uppercase);
            if upper {
                if path.is_empty() {
                    if let Some(m) = root_reexport(id) {
                        path.push(m.to_string());
                    }
                } else if path.len() == 1
                    && let Some(m) = exports.get(&path[0]).and_then(|e| e.get(id))
                {
                    path.push(m.clone());
                }
                break;
            }
            path.push(id.to_string());
            i += id.len();
            if line[i..].starts_with("::") {
                i += 2;
            } else {
                break;
            }
        }
        if path.len() > 2 {
            path.truncate(2);
        }
        if !path.is_empty() {
            out.push(path);
        }
    }
    out
}

/// One path that names a module: where it stands and what it names.
struct Use {
    file: PathBuf,
    line_no: usize,
    line: String,
    from: Vec<String>,
    to: Vec<String>,
}

struct Graph {
    uses: Vec<Use>,
}

fn graph() -> Graph {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    files.sort();
    let mut exports = BTreeMap::new();
    for f in &files {
        if f.file_name().is_some_and(|n| n == "mod.rs") {
            let m = module_path(&src, f);
            if m.len() == 1 {
                exports.insert(
                    m[0].clone(),
                    reexports(&std::fs::read_to_string(f).unwrap()),
                );
            }
        }
    }
    let mut uses = Vec::new();
    for f in &files {
        let here = module_path(&src, f);
        if here.is_empty() {
            continue; // lib.rs declares the layers; main.rs uses the library by name.
        }
        let text = std::fs::read_to_string(f).unwrap();
        for (n, line) in text.lines().enumerate() {
            for to in named_modules(line, &here, &exports) {
                uses.push(Use {
                    file: f.clone(),
                    line_no: n + 1,
                    line: line.trim().to_string(),
                    from: here.clone(),
                    to,
                });
            }
        }
    }
    Graph { uses }
}

#[test]
fn every_module_of_src_has_a_layer() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    let mut unplaced = BTreeSet::new();
    for f in &files {
        let m = module_path(&src, f);
        if let Some(top) = m.first()
            && layer(top).is_none()
        {
            unplaced.insert(top.clone());
        }
    }
    assert!(
        unplaced.is_empty(),
        "modules with no layer (add them to `layer` here and to docs/architecture.md): {unplaced:?}"
    );
}

#[test]
fn no_module_imports_a_higher_layer() {
    let g = graph();
    let mut bad = Vec::new();
    for Use {
        file,
        line_no: n,
        line,
        from,
        to,
    } in &g.uses
    {
        let (Some(lf), Some(lt)) = (layer(&from[0]), layer(&to[0])) else {
            continue;
        };
        if lt > lf {
            bad.push(format!(
                "{}:{n}: `{}` (layer {lf}) names `{}` (layer {lt}): {line}",
                file.display(),
                from.join("::"),
                to.join("::"),
            ));
        }
    }
    assert!(!g.uses.is_empty(), "no paths found: the scan reads nothing");
    assert!(bad.is_empty(), "upward imports:\n{}", bad.join("\n"));
}

/// Which presentation module may build on which: the live page reuses the terminal
/// demo's pairing of two villages and the report's network layout; the report and
/// the demo stand alone.
fn presentation_may_use(from: &str, to: &str) -> bool {
    matches!((from, to), ("serve", "demo") | ("serve", "report"))
}

#[test]
fn the_presentation_modules_import_each_other_only_as_allowed() {
    let g = graph();
    let bad: Vec<String> = g
        .uses
        .iter()
        .filter(|u| {
            layer(&u.from[0]) == Some(3)
                && layer(&u.to[0]) == Some(3)
                && u.from[0] != u.to[0]
                && !presentation_may_use(&u.from[0], &u.to[0])
        })
        .map(|u| format!("{}:{}: {}", u.file.display(), u.line_no, u.line))
        .collect();
    assert!(
        bad.is_empty(),
        "report and demo stand alone; serve may use them:\n{}",
        bad.join("\n")
    );
}

#[test]
fn no_two_modules_import_each_other_in_a_circle() {
    let g = graph();
    // Nodes: modules one level inside each layer (`model::metrics`), or the layer
    // itself for single-file layers (`error`) and a layer's mod.rs.
    let mut edges: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    let mut witness: BTreeMap<(String, String), String> = BTreeMap::new();
    for Use {
        file,
        line_no: n,
        line,
        from,
        to,
    } in &g.uses
    {
        let a = from.iter().take(2).cloned().collect::<Vec<_>>().join("::");
        let b = to.join("::");
        if a == b || b.is_empty() {
            continue;
        }
        // A module naming its own parent's items (e.g. `super::Foo`) is not an edge
        // between siblings; a parent naming its children is how folders work.
        if a.starts_with(&format!("{b}::")) || b.starts_with(&format!("{a}::")) {
            continue;
        }
        edges.entry(a.clone()).or_default().insert(b.clone());
        witness
            .entry((a, b))
            .or_insert_with(|| format!("{}:{n}: {line}", file.display()));
    }
    // Depth-first search for a back edge.
    fn visit(
        node: &str,
        edges: &BTreeMap<String, BTreeSet<String>>,
        state: &mut BTreeMap<String, u8>,
        stack: &mut Vec<String>,
        cycles: &mut Vec<Vec<String>>,
    ) {
        state.insert(node.to_string(), 1);
        stack.push(node.to_string());
        for next in edges.get(node).into_iter().flatten() {
            match state.get(next.as_str()).copied().unwrap_or(0) {
                0 => visit(next, edges, state, stack, cycles),
                1 => {
                    let start = stack.iter().position(|s| s == next).unwrap();
                    let mut c = stack[start..].to_vec();
                    c.push(next.clone());
                    cycles.push(c);
                }
                _ => {}
            }
        }
        stack.pop();
        state.insert(node.to_string(), 2);
    }
    let mut state = BTreeMap::new();
    let mut cycles = Vec::new();
    let nodes: Vec<String> = edges.keys().cloned().collect();
    for n in &nodes {
        if state.get(n).copied().unwrap_or(0) == 0 {
            visit(n, &edges, &mut state, &mut Vec::new(), &mut cycles);
        }
    }
    let shown: Vec<String> = cycles
        .iter()
        .map(|c| {
            let steps: Vec<String> = c
                .windows(2)
                .map(|w| {
                    witness
                        .get(&(w[0].clone(), w[1].clone()))
                        .cloned()
                        .unwrap_or_default()
                })
                .collect();
            format!("{}\n    {}", c.join(" -> "), steps.join("\n    "))
        })
        .collect();
    assert!(cycles.is_empty(), "import cycles:\n{}", shown.join("\n"));
}

#[test]
fn the_scan_finds_what_it_should() {
    // The resolver itself, on lines whose answer is known: if it stopped resolving
    // paths, the tests above would pass on anything.
    let here: Vec<String> = vec!["model".into(), "stages".into(), "action".into()];
    let mut exports = BTreeMap::new();
    exports.insert(
        "model".to_string(),
        reexports("pub use simulation::Simulation;\npub use params::{Params, StepUnit};"),
    );
    let got = |line: &str| named_modules(line, &here, &exports);
    assert_eq!(
        got("use crate::scenario::Scenario;"),
        vec![vec!["scenario"]]
    );
    assert_eq!(
        got("use crate::experiment::store::{self, Store};"),
        vec![vec!["experiment", "store"]]
    );
    assert_eq!(got("use crate::Scenario;"), vec![vec!["scenario"]]);
    assert_eq!(
        got("use crate::model::Params;"),
        vec![vec!["model", "params"]]
    );
    assert_eq!(
        got("use super::super::metrics::Metrics;"),
        vec![vec!["model", "metrics"]]
    );
    assert_eq!(got("use super::Community;"), vec![vec!["model", "stages"]]);
    assert_eq!(got("let x = 1; // nothing here"), Vec::<Vec<String>>::new());
}
