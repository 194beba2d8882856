//! What can go wrong in a build.

use std::path::PathBuf;

/// A build step that failed, with what it printed.
#[derive(Debug, thiserror::Error)]
pub enum BuildError {
    /// A program could not be started (not found, not executable).
    #[error("cannot run `{program}`: {source}")]
    Spawn {
        /// The program.
        program: PathBuf,
        /// Why.
        #[source]
        source: std::io::Error,
    },
    /// A step exited with an error.
    #[error("{step} failed ({status}){}", tail_of(.output))]
    Failed {
        /// What was being done, e.g. "the backend's `prepare_metadata_for_build_wheel`".
        step: String,
        /// The exit status, as the OS reports it.
        status: String,
        /// The last lines it printed (stderr, else stdout).
        output: String,
    },
    /// A step ran past its time.
    #[error("{step} did not finish within {seconds} s (--build-timeout); it was stopped")]
    Timeout {
        /// What was being done.
        step: String,
        /// The limit.
        seconds: u64,
    },
    /// A step finished but did not leave what it should have.
    #[error("{step}: {reason}")]
    Output {
        /// What was being done.
        step: String,
        /// What was missing or wrong.
        reason: String,
    },
    /// The frontend's own files could not be written or read.
    #[error(transparent)]
    Io(#[from] std::io::Error),
}

/// The text after the status: the output's last lines, indented, when there is any.
fn tail_of(output: &str) -> String {
    if output.trim().is_empty() {
        String::new()
    } else {
        let lines: Vec<&str> = output.trim_end().lines().collect();
        let start = lines.len().saturating_sub(OUTPUT_LINES);
        let mut text = String::from(":");
        for line in &lines[start..] {
            text.push_str("\n    ");
            text.push_str(line);
        }
        text
    }
}

/// How many of a failed step's last lines are shown.
const OUTPUT_LINES: usize = 15;
