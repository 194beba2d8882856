//! Why a core metadata file could not be read.

/// Why a core metadata file could not be read.
#[derive(Debug, thiserror::Error)]
pub enum MetadataError {
    /// More bytes than any real METADATA file has.
    #[error("core metadata of {0} bytes is larger than npsolve reads (16 MiB)")]
    TooLarge(usize),
    /// The bytes are not UTF-8 text.
    #[error("core metadata is not UTF-8 text")]
    NotUtf8(#[source] std::str::Utf8Error),
    /// A required field is absent.
    #[error("core metadata has no `{0}` field")]
    MissingField(&'static str),
    /// A header line has no `:`.
    #[error("line {line} of core metadata is not a `Key: value` header: `{text}`")]
    MalformedLine {
        /// The 1-based line number.
        line: usize,
        /// The line as found.
        text: String,
    },
    /// The `Name` field is not a valid package name.
    #[error("invalid `Name: {value}` in core metadata")]
    InvalidName {
        /// The value as found.
        value: String,
        /// The parser's complaint.
        #[source]
        source: pep508_rs::InvalidNameError,
    },
    /// The `Version` field is not a PEP 440 version.
    #[error("invalid `Version: {value}` in core metadata")]
    InvalidVersion {
        /// The value as found.
        value: String,
        /// The parser's complaint.
        #[source]
        source: pep440_rs::VersionParseError,
    },
    /// A `Requires-Dist` line npsolve refuses to hand to the PEP 508 parser, or on which
    /// that parser failed internally.
    #[error("unreadable `Requires-Dist: {value}` (line {line} of core metadata): {reason}")]
    UnreadableRequiresDist {
        /// The 1-based line number.
        line: usize,
        /// The value as found.
        value: String,
        /// Why.
        reason: &'static str,
    },
    /// A `Requires-Dist` line is not a PEP 508 requirement.
    #[error("invalid `Requires-Dist: {value}` (line {line} of core metadata)")]
    InvalidRequiresDist {
        /// The 1-based line number.
        line: usize,
        /// The value as found.
        value: String,
        /// The parser's complaint.
        #[source]
        source: Box<pep508_rs::Pep508Error>,
    },
    /// The `Requires-Python` field is not a PEP 440 specifier set.
    #[error("invalid `Requires-Python: {value}` (line {line} of core metadata)")]
    InvalidRequiresPython {
        /// The 1-based line number.
        line: usize,
        /// The value as found.
        value: String,
        /// The parser's complaint.
        #[source]
        source: Box<pep440_rs::VersionSpecifiersParseError>,
    },
}
