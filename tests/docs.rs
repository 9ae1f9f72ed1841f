//! The documentation stays true to the code: every measure the model writes has a
//! row in the `timeseries.csv` table of `docs/outputs.md` and no row there names a column that
//! does not exist, and so for `groups.csv`; `docs/ODD.md` names every measure;
//! `docs/cli.md` is what clap generates; the README stays short; relative links lead
//! to files that exist.

use kampung::experiment::output::measure_columns;
use kampung::model::metrics::{GroupMetrics, Metrics};

fn read(path: &str) -> String {
    let p = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(path);
    std::fs::read_to_string(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

/// The column names of the table rows (`| \`name\` | … |`) in the
/// `### \`FILE\`` section of `docs/outputs.md` (the column dictionary).
fn outputs_columns(file: &str) -> Vec<String> {
    let readme = read("docs/outputs.md");
    let start = readme
        .find(&format!("### `{file}`"))
        .unwrap_or_else(|| panic!("docs/outputs.md has no {file} section"));
    let section = &readme[start + 1..];
    let section = &section[..section.find("\n#").unwrap_or(section.len())];
    section
        .lines()
        .filter_map(|l| l.strip_prefix("| `"))
        .filter_map(|l| l.split_once('`').map(|(name, _)| name.to_string()))
        .collect()
}

#[test]
fn the_outputs_page_lists_every_measure_and_only_those() {
    let listed = outputs_columns("timeseries.csv");
    let columns = measure_columns();
    let missing: Vec<_> = columns
        .iter()
        .filter(|c| !listed.iter().any(|l| l == *c))
        .collect();
    assert!(
        missing.is_empty(),
        "docs/outputs.md's timeseries.csv table lacks {missing:?}"
    );
    let unknown: Vec<_> = listed
        .iter()
        .filter(|l| !columns.contains(&l.as_str()))
        .collect();
    assert!(
        unknown.is_empty(),
        "docs/outputs.md's timeseries.csv table names columns the model does not write: {unknown:?}"
    );
    // In the order the file has them.
    assert_eq!(listed, columns);
}

/// Every column name in the first cell of the table rows of the `### \`FILE\``
/// section of `docs/outputs.md` (`| \`a\`, \`b\` | … |` gives `a`, `b`).
fn outputs_all_columns(file: &str) -> Vec<String> {
    let text = read("docs/outputs.md");
    let start = text
        .find(&format!("### `{file}`"))
        .unwrap_or_else(|| panic!("docs/outputs.md has no {file} section"));
    let section = &text[start + 1..];
    let section = &section[..section.find("\n#").unwrap_or(section.len())];
    section
        .lines()
        .filter_map(|l| l.strip_prefix("| `"))
        .filter_map(|l| l.split_once(" |").map(|(cell, _)| cell))
        .flat_map(|cell| {
            cell.split(", ")
                .map(|n| n.trim_matches('`').to_string())
                .collect::<Vec<_>>()
        })
        .collect()
}

#[test]
fn the_outputs_page_lists_the_statistics_columns_in_order() {
    use kampung::experiment::analysis::{COMPARE_COLUMNS, SUMMARY_COLUMNS};
    for (file, (head, tail)) in [
        ("summary.csv", SUMMARY_COLUMNS),
        ("compare.csv", COMPARE_COLUMNS),
    ] {
        let expected: Vec<String> = head
            .iter()
            .map(|c| c.to_string())
            .chain(["point.PATH".to_string()])
            .chain(tail.iter().map(|c| c.to_string()))
            .collect();
        assert_eq!(outputs_all_columns(file), expected, "{file}");
    }
}

/// `ranks.csv`'s table in `docs/outputs.md` names its columns in the order
/// `run --posterior` writes them; fails when a column is added, dropped or moved in
/// one place only.
#[test]
fn the_outputs_page_lists_the_ranks_columns_in_order() {
    use kampung::experiment::ranks::RANKS_COLUMNS;
    assert_eq!(outputs_all_columns("ranks.csv"), RANKS_COLUMNS);
}

#[test]
fn the_outputs_page_lists_every_group_measure_in_order() {
    assert_eq!(outputs_columns("groups.csv"), GroupMetrics::COLUMNS);
}

#[test]
fn the_odd_names_every_measure() {
    let odd = read("docs/ODD.md");
    let missing: Vec<_> = Metrics::COLUMNS
        .iter()
        .chain(GroupMetrics::COLUMNS)
        .filter(|c| !odd.contains(&format!("`{c}`")))
        .collect();
    assert!(missing.is_empty(), "docs/ODD.md never names {missing:?}");
}

const BIN: &str = env!("CARGO_BIN_EXE_kampung");

/// `docs/cli.md` is what the clap definitions give (`kampung help-markdown`), so the
/// reference cannot drift from the program. It fails when an option, a help text or
/// the exit-status table changed without the page being written again.
#[test]
fn the_cli_reference_is_what_clap_generates() {
    let o = std::process::Command::new(BIN)
        .arg("help-markdown")
        .output()
        .expect("the kampung binary runs");
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let generated = String::from_utf8(o.stdout).unwrap();
    let page = read("docs/cli.md");
    assert!(
        page == generated,
        "docs/cli.md differs from what clap generates; rewrite it with\n    \
         cargo run --release -- help-markdown > docs/cli.md"
    );
    // It holds every command and the exit statuses.
    for c in [
        "run",
        "validate",
        "plan",
        "sensitivity",
        "merge",
        "demo",
        "serve",
        "report",
    ] {
        assert!(page.contains(&format!("## `kampung {c}`")), "{c}");
    }
    for status in ["| 0 |", "| 1 |", "| 2 |", "| 3 |"] {
        assert!(page.contains(status), "{status}");
    }
}

/// The README stays a first page (issue 13: it had grown to 53 KB): under 10 KB, with
/// the install steps and the three commands of the quickstart.
#[test]
fn the_readme_is_short_and_walks_a_newcomer_in() {
    let readme = read("README.md");
    assert!(
        readme.len() < 10 * 1024,
        "README.md is {} bytes",
        readme.len()
    );
    for needed in [
        "cargo install --path .",
        "kampung run --out results/first",
        "kampung report results/first",
        "results/first/report.html",
        "cargo test --release",
        "cargo run --release -- run",
        "docs/guide.md",
        "docs/trainers.md",
        "docs/cluster.md",
    ] {
        assert!(readme.contains(needed), "README.md lacks `{needed}`");
    }
    // The minimum Rust version it states is Cargo.toml's.
    let manifest = read("Cargo.toml");
    let msrv = manifest
        .lines()
        .find_map(|l| l.strip_prefix("rust-version = \""))
        .and_then(|v| v.strip_suffix('"'))
        .expect("Cargo.toml has a rust-version");
    assert!(
        readme.contains(&format!("Rust**, {msrv} or newer")),
        "README.md does not state rust-version {msrv}"
    );
}

/// Every relative link of the README and of docs/*.md (`[text](path)`, `![..](path)`)
/// names a file that is there, so moving text between pages breaks no link.
#[test]
fn relative_links_lead_to_files_that_exist() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut pages = vec![root.join("README.md")];
    for e in std::fs::read_dir(root.join("docs")).unwrap() {
        let p = e.unwrap().path();
        if p.extension().is_some_and(|x| x == "md") {
            pages.push(p);
        }
    }
    let mut broken = Vec::new();
    for page in &pages {
        let text = std::fs::read_to_string(page).unwrap();
        let mut rest = text.as_str();
        while let Some(i) = rest.find("](") {
            rest = &rest[i + 2..];
            let Some(end) = rest.find(')') else { break };
            let target = &rest[..end];
            let file = target.split('#').next().unwrap_or("");
            if file.is_empty() || file.contains("://") || file.contains(' ') {
                continue;
            }
            if !page.parent().unwrap().join(file).exists() {
                broken.push(format!("{}: {target}", page.display()));
            }
        }
    }
    assert!(broken.is_empty(), "broken links:\n{}", broken.join("\n"));
}
