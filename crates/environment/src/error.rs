//! Why an environment could not be read.

use std::path::PathBuf;

/// Why an environment could not be read.
#[derive(Debug, thiserror::Error)]
pub enum EnvironmentError {
    /// The interpreter could not be run or did not answer as expected.
    #[error("cannot ask `{}` where its packages are: {reason}", python.display())]
    Interpreter {
        /// The interpreter.
        python: PathBuf,
        /// What went wrong.
        reason: String,
    },
    /// A folder that should hold an environment does not.
    #[error("`{}` is not {what}", path.display())]
    NotAnEnvironment {
        /// The folder.
        path: PathBuf,
        /// What it should have been, e.g. `a virtual environment (no lib/python3.*/site-packages)`.
        what: String,
    },
    /// A file could not be read.
    #[error("cannot read `{}`", path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// The cause.
        #[source]
        source: std::io::Error,
    },
    /// A dist-info file is malformed.
    #[error("`{}` is malformed: {reason}", path.display())]
    Malformed {
        /// The file.
        path: PathBuf,
        /// What is wrong.
        reason: String,
    },
}
