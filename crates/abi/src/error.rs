//! Errors from reading a curated facts file.

use std::fmt;

/// A curated facts file was refused: where, and what is wrong.
#[derive(Debug)]
pub struct FactsError {
    /// The file, as given to [`Facts::parse`](crate::Facts::parse).
    pub path: String,
    /// 1-based line of the offending value.
    pub line: usize,
    /// 1-based column (in characters) of the offending value.
    pub column: usize,
    /// What is wrong (boxed: errors stay small on the `Ok` path).
    pub kind: Box<FactsErrorKind>,
}

/// What is wrong with a curated facts file.
#[derive(Debug, thiserror::Error)]
pub enum FactsErrorKind {
    /// Not valid TOML, an unknown key, a missing key or a value of the wrong type.
    #[error("{message}")]
    Toml {
        /// The TOML reader's message.
        message: String,
    },
    /// The file's `schema` is not one this version reads.
    #[error("unsupported schema `{schema}` (this npsolve reads schema 1)")]
    Schema {
        /// The schema found.
        schema: i64,
    },
    /// `package` is not a valid Python package name.
    #[error("invalid package name `{value}`")]
    PackageName {
        /// The value found.
        value: String,
        /// Why it is invalid.
        #[source]
        source: pep508_rs::InvalidNameError,
    },
    /// `versions` is not a PEP 440 version specifier set.
    #[error("invalid version specifier `{value}`")]
    Specifiers {
        /// The value found.
        value: String,
        /// Why it is invalid.
        #[source]
        source: Box<pep440_rs::VersionSpecifiersParseError>,
    },
    /// `versions` is empty, which would match every release.
    #[error("`versions` is empty; write `>=0` to mean every release")]
    EmptySpecifiers,
    /// `floor` is not a PEP 440 version.
    #[error("invalid floor version `{value}`")]
    Floor {
        /// The value found.
        value: String,
        /// Why it is invalid.
        #[source]
        source: pep440_rs::VersionParseError,
    },
    /// `fact` is not one of the known keywords.
    #[error(
        "unknown fact `{value}` (expected one of `numpy1`, `numpy2`, `numpy1-silent`, `no-capi`)"
    )]
    Fact {
        /// The value found.
        value: String,
    },
    /// `floor` given for a fact that has none.
    #[error("`floor` is meaningless for fact `{fact}` (only `numpy1` and `numpy2` have a floor)")]
    FloorNotAllowed {
        /// The fact keyword.
        fact: String,
    },
    /// `binding` missing for `numpy1-silent`, or given for another fact.
    #[error(
        "`binding` is required for fact `numpy1-silent` and only allowed there (found fact `{fact}`)"
    )]
    Binding {
        /// The fact keyword.
        fact: String,
    },
    /// A floor that is not a NumPy release the fact's major can have.
    #[error(
        "floor `{floor}` does not fit fact `{fact}` (a floor must be below the next NumPy major)"
    )]
    FloorOutOfRange {
        /// The floor found.
        floor: String,
        /// The fact keyword.
        fact: String,
    },
    /// `source` is empty.
    #[error(
        "`source` is empty: cite release notes, an upstream issue, or `probe of <wheel filename>`"
    )]
    EmptySource,
    /// `checked` is not a plain date.
    #[error("`checked` must be a date like 2026-11-23, found `{value}`")]
    Checked {
        /// The value found.
        value: String,
    },
    /// A python or platform tag pattern that cannot match a wheel tag.
    #[error(
        "invalid {field} tag pattern `{value}` (lowercase letters, digits, `_`, `.` and `*` only)"
    )]
    Tag {
        /// `python` or `platforms`.
        field: &'static str,
        /// The value found.
        value: String,
    },
    /// Two entries for the same package and tags overlap in versions but disagree.
    #[error(
        "entry for `{package}` `{versions}` overlaps the entry on line {other_line} (`{other_versions}`) \
         with the same tags but says `{fact}` where that one says `{other_fact}`"
    )]
    Conflict {
        /// The package.
        package: String,
        /// This entry's versions.
        versions: String,
        /// This entry's fact.
        fact: String,
        /// The line of the earlier entry.
        other_line: usize,
        /// The earlier entry's versions.
        other_versions: String,
        /// The earlier entry's fact.
        other_fact: String,
    },
}

impl fmt::Display for FactsError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "`{}`:{}:{}: {}",
            self.path, self.line, self.column, self.kind
        )
    }
}

impl std::error::Error for FactsError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        std::error::Error::source(&self.kind)
    }
}

/// A verdict table (`data/numpy-verdicts.tsv`) was refused: where, and why.
#[derive(Debug, thiserror::Error)]
#[error("`{path}`, line {line}: {reason}")]
pub struct VerdictTableError {
    /// The file, as given to [`Verdicts::parse`](crate::Verdicts::parse).
    pub path: String,
    /// 1-based line of the offending row.
    pub line: usize,
    /// What is wrong with it.
    pub reason: String,
}
