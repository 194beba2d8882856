//! A build backend's PEP 517 hooks, run in the source tree by a small script of npsolve's
//! (`hook.py`) with the environment's interpreter.

use std::path::Path;

use tokio::process::Command;

use crate::environment::BuildEnvironment;
use crate::error::BuildError;
use crate::run::run;

/// The script that calls one hook and writes its answer as JSON.
const HOOK_SCRIPT: &str = include_str!("hook.py");

/// A build backend: `build-system.build-backend` and `backend-path`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Backend {
    /// The object reference, `module` or `module:object`.
    pub spec: String,
    /// Source-tree folders put first on `sys.path`.
    pub path: Vec<String>,
}

impl BuildEnvironment {
    /// `get_requires_for_build_wheel`: what the backend needs beyond `build-system.requires`
    /// (empty for a backend without the hook), as requirement strings.
    pub async fn requires_for_build_wheel(
        &self,
        source: &Path,
        backend: &Backend,
        scratch: &Path,
    ) -> Result<Vec<String>, BuildError> {
        let step = "the backend's `get_requires_for_build_wheel`";
        let answer = self
            .hook("requires", step, source, backend, scratch)
            .await?;
        serde_json::from_str::<Vec<String>>(&answer).map_err(|error| BuildError::Output {
            step: step.to_string(),
            reason: format!("not a list of requirements: {error}"),
        })
    }

    /// The `METADATA` a wheel built from `source` would have: from
    /// `prepare_metadata_for_build_wheel`, else from the wheel `build_wheel` makes.
    pub async fn wheel_metadata(
        &self,
        source: &Path,
        backend: &Backend,
        scratch: &Path,
    ) -> Result<Vec<u8>, BuildError> {
        let step = "the backend's `prepare_metadata_for_build_wheel`";
        let answer = self
            .hook("metadata", step, source, backend, scratch)
            .await?;
        let path: String = serde_json::from_str(&answer).map_err(|error| BuildError::Output {
            step: step.to_string(),
            reason: format!("no path to METADATA: {error}"),
        })?;
        fs_err::read(&path).map_err(|error| BuildError::Output {
            step: step.to_string(),
            reason: error.to_string(),
        })
    }

    /// Runs `hook` with the script, in `source`, keeping its files under `scratch`; returns
    /// the JSON it wrote.
    async fn hook(
        &self,
        hook: &str,
        step: &str,
        source: &Path,
        backend: &Backend,
        scratch: &Path,
    ) -> Result<String, BuildError> {
        let out = scratch.join(format!("{hook}-out"));
        fs_err::create_dir_all(&out)?;
        let script = scratch.join("npsolve_hook.py");
        fs_err::write(&script, HOOK_SCRIPT)?;
        let result = scratch.join(format!("{hook}.json"));
        let backend_path =
            serde_json::to_string(&backend.path).expect("a list of strings serialises");
        let mut command = Command::new(&self.python);
        command
            .arg(&script)
            .arg(hook)
            .arg(&backend.spec)
            .arg(backend_path)
            .arg(&out)
            .arg(&result)
            .current_dir(source);
        run(step, command, self.timeout).await?;
        fs_err::read_to_string(&result).map_err(|error| BuildError::Output {
            step: step.to_string(),
            reason: format!("the hook left no answer: {error}"),
        })
    }
}
