//! Every failure the CLI can report, and the exit code each one maps to.

use std::process::ExitCode;

/// A failure of one npsolve command. Rendered once, in `main`.
#[derive(Debug, thiserror::Error)]
pub enum CliError {
    /// An input file could not be read or parsed.
    #[error(transparent)]
    Input(#[from] npsolve_requirements::InputError),
    /// The index could not be read.
    #[error(transparent)]
    Index(#[from] npsolve_index::IndexError),
    /// An output file could not be written.
    #[error(transparent)]
    Output(#[from] npsolve_output::OutputError),
    /// A lockfile could not be produced.
    #[error(transparent)]
    Pylock(#[from] npsolve_output::PylockError),
    /// The command line asked for something invalid.
    #[error("{0}")]
    Usage(String),
    /// The requirements cannot be satisfied; the text explains why (a screen of it; `full`
    /// is the whole derivation, printed with `-v`).
    #[error("No solution found when resolving dependencies:\n{report}")]
    NoSolution {
        /// The default explanation.
        report: String,
        /// Every step and note.
        full: String,
    },
    /// The index or the cache failed during resolution.
    #[error("{0}")]
    Resolution(String),
    /// An installed environment could not be read.
    #[error(transparent)]
    Environment(#[from] npsolve_environment::EnvironmentError),
}

impl CliError {
    /// The process exit code: 1 when the answer is "impossible", 2 for errors.
    pub fn exit_code(&self) -> ExitCode {
        match self {
            CliError::NoSolution { .. } => ExitCode::from(1),
            _ => ExitCode::from(2),
        }
    }
}

impl From<npsolve::EngineError> for CliError {
    fn from(error: npsolve::EngineError) -> Self {
        match error {
            npsolve::EngineError::Index(error) => CliError::Index(error),
            npsolve::EngineError::Source(error) => CliError::Resolution(error.to_string()),
            error @ (npsolve::EngineError::Runtime(_)
            | npsolve::EngineError::Request(_)
            | npsolve::EngineError::Build(_)) => CliError::Usage(error.to_string()),
        }
    }
}

impl From<npsolve_resolver::ResolveError> for CliError {
    fn from(error: npsolve_resolver::ResolveError) -> Self {
        match error {
            npsolve_resolver::ResolveError::NoSolution { report, full, .. } => {
                CliError::NoSolution { report, full }
            }
            npsolve_resolver::ResolveError::Source(message) => CliError::Resolution(message),
            npsolve_resolver::ResolveError::Unsupported(message) => CliError::Usage(message),
        }
    }
}
