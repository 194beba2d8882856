//! Why a resolution could not be produced.

/// A resolution failure.
#[derive(Debug, thiserror::Error)]
pub enum ResolveError {
    /// No set of versions satisfies the requirements; the report explains why.
    #[error("{report}")]
    NoSolution {
        /// The explanation in plain words, one derivation per line, then hints: at most a
        /// screen (the end of a long derivation, and the first hints).
        report: String,
        /// The same explanation with every derivation line and hint (`-v`).
        full: String,
        /// The packages of your own requirements that the derivation names, sorted.
        roots: Vec<pep508_rs::PackageName>,
    },
    /// The index could not be read.
    #[error("{0}")]
    Source(String),
    /// A requirement npsolve cannot honour (e.g. a direct URL).
    #[error("{0}")]
    Unsupported(String),
}
