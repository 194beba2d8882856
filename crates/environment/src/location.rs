//! Finding site-packages: from an interpreter, a virtual environment or a folder.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::error::EnvironmentError;

/// Where the user said the environment is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Location {
    /// A Python interpreter (a path or a command on `PATH`).
    Python(PathBuf),
    /// A virtual environment folder.
    Venv(PathBuf),
    /// A site-packages folder, read as is.
    SitePackages(PathBuf),
}

/// The folders distributions are installed in, and the interpreter that uses them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SitePackages {
    /// purelib then platlib (one entry when they are the same folder).
    pub dirs: Vec<PathBuf>,
    /// The interpreter, when one was found.
    pub interpreter: Option<PathBuf>,
}

const PROBE: &str =
    "import sysconfig; p = sysconfig.get_paths(); print(p['purelib']); print(p['platlib'])";

impl SitePackages {
    /// Finds the site-packages of `location`.
    pub fn locate(location: &Location) -> Result<SitePackages, EnvironmentError> {
        match location {
            Location::Python(python) => Self::from_interpreter(python),
            Location::Venv(dir) => {
                let python = venv_interpreter(dir);
                match python {
                    Some(python) => Self::from_interpreter(&python),
                    None => Self::from_venv_layout(dir),
                }
            }
            Location::SitePackages(dir) => {
                if dir.is_dir() {
                    Ok(SitePackages {
                        dirs: vec![dir.clone()],
                        interpreter: None,
                    })
                } else {
                    Err(EnvironmentError::NotAnEnvironment {
                        path: dir.clone(),
                        what: "a folder".to_string(),
                    })
                }
            }
        }
    }

    fn from_interpreter(python: &Path) -> Result<SitePackages, EnvironmentError> {
        let failed = |reason: String| EnvironmentError::Interpreter {
            python: python.to_path_buf(),
            reason,
        };
        let output = Command::new(python)
            .args(["-I", "-c", PROBE])
            .output()
            .map_err(|error| failed(error.to_string()))?;
        if !output.status.success() {
            return Err(failed(format!(
                "it exited with {}: {}",
                output.status,
                String::from_utf8_lossy(&output.stderr).trim()
            )));
        }
        let stdout = String::from_utf8_lossy(&output.stdout);
        let mut dirs: Vec<PathBuf> = stdout
            .lines()
            .map(str::trim)
            .filter(|line| !line.is_empty())
            .map(PathBuf::from)
            .collect();
        dirs.dedup();
        if dirs.is_empty() {
            return Err(failed("it printed no paths".to_string()));
        }
        Ok(SitePackages {
            dirs,
            interpreter: Some(python.to_path_buf()),
        })
    }

    /// `lib/python3.*/site-packages` (POSIX) or `Lib/site-packages` (Windows) of a venv
    /// whose interpreter cannot be run here.
    fn from_venv_layout(dir: &Path) -> Result<SitePackages, EnvironmentError> {
        let mut dirs = Vec::new();
        let windows = dir.join("Lib").join("site-packages");
        if windows.is_dir() {
            dirs.push(windows);
        }
        if let Ok(entries) = std::fs::read_dir(dir.join("lib")) {
            let mut found: Vec<PathBuf> = entries
                .filter_map(Result::ok)
                .map(|entry| entry.path().join("site-packages"))
                .filter(|path| path.is_dir())
                .collect();
            found.sort();
            dirs.extend(found);
        }
        if dirs.is_empty() {
            return Err(EnvironmentError::NotAnEnvironment {
                path: dir.to_path_buf(),
                what: "a virtual environment (no bin/python, no lib/python3.*/site-packages)"
                    .to_string(),
            });
        }
        Ok(SitePackages {
            dirs,
            interpreter: None,
        })
    }
}

/// The interpreter of a venv, when it exists.
fn venv_interpreter(dir: &Path) -> Option<PathBuf> {
    [
        dir.join("bin").join("python"),
        dir.join("bin").join("python3"),
        dir.join("Scripts").join("python.exe"),
    ]
    .into_iter()
    .find(|path| path.exists())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_venv_without_a_runnable_interpreter_is_read_from_its_layout() {
        let dir = tempfile::tempdir().unwrap();
        let site = dir.path().join("lib/python3.11/site-packages");
        std::fs::create_dir_all(&site).unwrap();
        let found = SitePackages::locate(&Location::Venv(dir.path().to_path_buf())).unwrap();
        assert_eq!(found.dirs, vec![site]);
        assert_eq!(found.interpreter, None);
    }

    #[test]
    fn an_empty_folder_is_not_a_venv() {
        let dir = tempfile::tempdir().unwrap();
        let error = SitePackages::locate(&Location::Venv(dir.path().to_path_buf())).unwrap_err();
        assert!(
            error.to_string().contains("is not a virtual environment"),
            "{error}"
        );
    }

    #[test]
    fn a_missing_interpreter_is_an_error_naming_it() {
        let error = SitePackages::locate(&Location::Python(PathBuf::from(
            "/nonexistent/python-npsolve",
        )))
        .unwrap_err();
        assert!(error.to_string().contains("python-npsolve"), "{error}");
    }
}
