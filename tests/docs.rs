//! The documentation stays true to the code: every measure the model writes has a
//! row in the README's `timeseries.csv` table and no row there names a column that
//! does not exist, and so for `groups.csv`; `docs/ODD.md` names every measure.

use kampung::experiment::output::measure_columns;
use kampung::model::metrics::{GroupMetrics, Metrics};

fn read(path: &str) -> String {
    let p = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(path);
    std::fs::read_to_string(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

/// The column names of the table rows (`| \`name\` | … |`) in the README's
/// `### \`FILE\`` section.
fn readme_columns(file: &str) -> Vec<String> {
    let readme = read("README.md");
    let start = readme
        .find(&format!("### `{file}`"))
        .unwrap_or_else(|| panic!("README.md has no {file} section"));
    let section = &readme[start + 1..];
    let section = &section[..section.find("\n#").unwrap_or(section.len())];
    section
        .lines()
        .filter_map(|l| l.strip_prefix("| `"))
        .filter_map(|l| l.split_once('`').map(|(name, _)| name.to_string()))
        .collect()
}

#[test]
fn the_readme_lists_every_measure_and_only_those() {
    let listed = readme_columns("timeseries.csv");
    let columns = measure_columns();
    let missing: Vec<_> = columns
        .iter()
        .filter(|c| !listed.iter().any(|l| l == *c))
        .collect();
    assert!(
        missing.is_empty(),
        "README.md's timeseries.csv table lacks {missing:?}"
    );
    let unknown: Vec<_> = listed
        .iter()
        .filter(|l| !columns.contains(&l.as_str()))
        .collect();
    assert!(
        unknown.is_empty(),
        "README.md's timeseries.csv table names columns the model does not write: {unknown:?}"
    );
    // In the order the file has them.
    assert_eq!(listed, columns);
}

/// Every column name in the first cell of the table rows of the README's
/// `### \`FILE\`` section (`| \`a\`, \`b\` | … |` gives `a`, `b`).
fn readme_all_columns(file: &str) -> Vec<String> {
    let readme = read("README.md");
    let start = readme
        .find(&format!("### `{file}`"))
        .unwrap_or_else(|| panic!("README.md has no {file} section"));
    let section = &readme[start + 1..];
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
fn the_readme_lists_the_statistics_columns_in_order() {
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
        assert_eq!(readme_all_columns(file), expected, "{file}");
    }
}

#[test]
fn the_readme_lists_every_group_measure_in_order() {
    assert_eq!(readme_columns("groups.csv"), GroupMetrics::COLUMNS);
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
