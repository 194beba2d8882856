//! One step of a build: a command run to completion under a timeout, its output kept for the
//! error.

use std::process::Stdio;
use std::time::Duration;

use tokio::process::Command;

use crate::error::BuildError;

/// Environment variables that would let the caller's setup leak into a build environment
/// (another interpreter's modules, user site-packages, a pip configured to ask questions).
const CLEARED: &[&str] = &["PYTHONPATH", "PYTHONHOME", "PYTHONSTARTUP", "VIRTUAL_ENV"];

/// Runs `command` as `step`, killing it when it runs past `timeout`. Its stdout is returned;
/// a failure carries its last lines.
pub(crate) async fn run(
    step: &str,
    mut command: Command,
    timeout: Duration,
) -> Result<String, BuildError> {
    for name in CLEARED {
        command.env_remove(name);
    }
    command
        .env("PYTHONNOUSERSITE", "1")
        .env("PYTHONDONTWRITEBYTECODE", "1")
        .env("PIP_NO_INPUT", "1")
        .env("PIP_DISABLE_PIP_VERSION_CHECK", "1")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true);
    let program = std::path::PathBuf::from(command.as_std().get_program());
    tracing::debug!("build: {step}: {:?}", command.as_std());
    let child = command
        .spawn()
        .map_err(|source| BuildError::Spawn { program, source })?;
    let output = match tokio::time::timeout(timeout, child.wait_with_output()).await {
        Ok(output) => output?,
        // Dropping the future drops the child, which kills it (`kill_on_drop`).
        Err(_) => {
            return Err(BuildError::Timeout {
                step: step.to_string(),
                seconds: timeout.as_secs(),
            });
        }
    };
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    if output.status.success() {
        return Ok(stdout);
    }
    let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
    Err(BuildError::Failed {
        step: step.to_string(),
        status: output.status.to_string(),
        output: if stderr.trim().is_empty() {
            stdout
        } else {
            stderr
        },
    })
}
