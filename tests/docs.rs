//! The documentation stays true to the code: every measure the model writes has a
//! row in the `timeseries.csv` table of `docs/outputs.md` and no row there names a column that
//! does not exist, and so for `groups.csv`; `docs/ODD.md` names every measure.

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
    let missing: Vec<_> = Metrics::COLUMNS
        .iter()
        .filter(|c| !listed.iter().any(|l| l == *c))
        .collect();
    assert!(
        missing.is_empty(),
        "docs/outputs.md's timeseries.csv table lacks {missing:?}"
    );
    let unknown: Vec<_> = listed
        .iter()
        .filter(|l| !Metrics::COLUMNS.contains(&l.as_str()))
        .collect();
    assert!(
        unknown.is_empty(),
        "docs/outputs.md's timeseries.csv table names columns the model does not write: {unknown:?}"
    );
    // In the order the file has them.
    assert_eq!(listed, Metrics::COLUMNS);
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
