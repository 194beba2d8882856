//! The interpreter, the installer and the isolated environment a build runs in.

use std::path::{Path, PathBuf};
use std::time::Duration;

use tokio::process::Command;

use crate::error::BuildError;
use crate::run::run;

/// What installs the build requirements' wheels into an environment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Installer {
    /// The interpreter's own pip, pointed at the environment (`pip --python`, pip ≥ 22.3).
    Pip,
    /// uv at this path (`uv pip install --python`).
    Uv(PathBuf),
}

/// How builds are run: with which interpreter and installer, and how long a step may take.
#[derive(Debug, Clone)]
pub struct Frontend {
    python: PathBuf,
    installer: Installer,
    timeout: Duration,
}

/// An isolated virtual environment made for one build, removed with its folder by the
/// caller.
#[derive(Debug)]
pub struct BuildEnvironment {
    pub(crate) python: PathBuf,
    pub(crate) timeout: Duration,
    installer: Installer,
    frontend_python: PathBuf,
}

impl Frontend {
    /// A frontend that builds with the interpreter `python`, installs with `installer` and
    /// stops any step that runs longer than `timeout`.
    pub fn new(python: PathBuf, installer: Installer, timeout: Duration) -> Frontend {
        Frontend {
            python,
            installer,
            timeout,
        }
    }

    /// The interpreter builds run with.
    pub fn python(&self) -> &Path {
        &self.python
    }

    /// Makes a fresh virtual environment at `dir` (which must not exist yet): no pip, no
    /// system site-packages.
    pub async fn environment(&self, dir: &Path) -> Result<BuildEnvironment, BuildError> {
        let mut command = Command::new(&self.python);
        command.args(["-m", "venv", "--without-pip"]).arg(dir);
        run(
            "creating the build environment (`python -m venv`)",
            command,
            self.timeout,
        )
        .await?;
        let python = if cfg!(windows) {
            dir.join("Scripts").join("python.exe")
        } else {
            dir.join("bin").join("python")
        };
        if !python.exists() {
            return Err(BuildError::Output {
                step: "creating the build environment (`python -m venv`)".to_string(),
                reason: format!("no interpreter at `{}`", python.display()),
            });
        }
        Ok(BuildEnvironment {
            python,
            timeout: self.timeout,
            installer: self.installer.clone(),
            frontend_python: self.python.clone(),
        })
    }
}

impl BuildEnvironment {
    /// The environment's interpreter.
    pub fn python(&self) -> &Path {
        &self.python
    }

    /// Installs exactly these wheel files, without their dependencies and without looking
    /// at any index (the caller resolved them and downloaded them, hash-checked).
    pub async fn install(&self, wheels: &[PathBuf]) -> Result<(), BuildError> {
        if wheels.is_empty() {
            return Ok(());
        }
        let mut command = match &self.installer {
            Installer::Pip => {
                let mut command = Command::new(&self.frontend_python);
                command
                    .args(["-m", "pip", "--python"])
                    .arg(&self.python)
                    .args(["install", "--no-deps", "--no-index", "--no-compile", "-q"]);
                command
            }
            Installer::Uv(uv) => {
                let mut command = Command::new(uv);
                command
                    .args(["pip", "install", "--python"])
                    .arg(&self.python)
                    .args(["--no-deps", "--offline", "--no-index", "-q"]);
                command
            }
        };
        command.args(wheels);
        run("installing the build requirements", command, self.timeout)
            .await
            .map(drop)
    }
}
