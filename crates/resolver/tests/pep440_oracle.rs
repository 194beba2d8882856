//! The specifier-to-range conversion against Python's `packaging`, row by row.
//!
//! `tests/fixtures/pep440/oracle.tsv` was generated once by `generate.py` beside it (its
//! first line names the `packaging` version); each row is a specifier, a version and
//! whether `packaging` says the specifier contains it, pre-releases allowed.

use std::path::Path;

use npsolve_resolver::specifiers_range;
use pep440_rs::{Version, VersionSpecifiers};

#[test]
fn every_row_of_the_packaging_table_agrees() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures/pep440/oracle.tsv");
    let table = std::fs::read_to_string(&path).unwrap();
    let mut rows = 0;
    let mut wrong = Vec::new();
    for line in table.lines().filter(|line| !line.starts_with('#')) {
        let [specifiers, version, expected] = line.split('\t').collect::<Vec<_>>()[..] else {
            panic!("malformed row: {line:?}");
        };
        let range = specifiers_range(&specifiers.parse::<VersionSpecifiers>().unwrap());
        let version: Version = version.parse().unwrap();
        if range.contains(&version) != (expected == "1") {
            wrong.push(format!("{specifiers} {version}: packaging says {expected}"));
        }
        rows += 1;
    }
    assert!(rows > 5000, "only {rows} rows");
    assert!(
        wrong.is_empty(),
        "{} of {rows} rows disagree:\n{}",
        wrong.len(),
        wrong.join("\n")
    );
}
