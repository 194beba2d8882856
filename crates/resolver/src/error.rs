//! Why a resolution could not be produced.

/// A resolution failure.
#[derive(Debug, thiserror::Error)]
pub enum ResolveError {
    /// No set of versions satisfies the requirements; the report explains why.
    #[error("{report}")]
    NoSolution {
        /// The explanation in plain words, one derivation per line, then hints.
        report: String,
    },
    /// The index could not be read.
    #[error("{0}")]
    Source(String),
    /// A requirement npsolve cannot honour (e.g. a direct URL).
    #[error("{0}")]
    Unsupported(String),
}
