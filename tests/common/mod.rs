//! Helpers shared by the integration tests (`mod common;` in each that uses them).

use std::path::Path;

/// Asserts that each of `tables` is byte-for-byte the same in folders `a` and `b`.
pub fn same_tables(a: &Path, b: &Path, tables: &[&str]) {
    for t in tables {
        let x = std::fs::read(a.join(t)).unwrap_or_else(|e| panic!("{}: {e}", a.join(t).display()));
        let y = std::fs::read(b.join(t)).unwrap_or_else(|e| panic!("{}: {e}", b.join(t).display()));
        assert!(
            x == y,
            "{t} differs between {} and {}",
            a.display(),
            b.display()
        );
    }
}
