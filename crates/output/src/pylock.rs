//! PEP 751 `pylock.toml`: the lockfile installers read (`pip install -r pylock.toml`,
//! `uv pip install -r pylock.toml`).

use std::collections::BTreeMap;

use npsolve_resolver::{DistRef, Pin, Resolution};
use serde::Serialize;

/// The lockfile could not be serialised.
#[derive(Debug, thiserror::Error)]
#[error("cannot serialise pylock.toml: {0}")]
pub struct PylockError(#[from] toml::ser::Error);

/// What the lockfile says about where it applies.
#[derive(Debug, Clone)]
pub struct PylockOptions {
    /// `created-by`.
    pub created_by: String,
    /// `requires-python`, e.g. `==3.11.*`.
    pub requires_python: String,
    /// `environments`: marker expressions the lock was resolved for.
    pub environments: Vec<String>,
}

impl PylockOptions {
    /// The options of a lock resolved for `target` alone: its Python release, its
    /// `python_version`, `sys_platform` and `platform_machine` as the one environment.
    pub fn for_target(target: &npsolve_platform::Target) -> PylockOptions {
        let markers = target.markers();
        PylockOptions {
            created_by: "npsolve".to_string(),
            requires_python: format!("=={}.*", target.python().short_version_string()),
            environments: vec![format!(
                "python_version == '{}' and sys_platform == '{}' and platform_machine == '{}'",
                markers.python_version(),
                markers.sys_platform(),
                markers.platform_machine()
            )],
        }
    }
}

#[derive(Serialize)]
struct Lockfile<'a> {
    #[serde(rename = "lock-version")]
    lock_version: &'static str,
    environments: &'a [String],
    #[serde(rename = "requires-python")]
    requires_python: &'a str,
    extras: [String; 0],
    #[serde(rename = "dependency-groups")]
    dependency_groups: [String; 0],
    #[serde(rename = "default-groups")]
    default_groups: [String; 0],
    #[serde(rename = "created-by")]
    created_by: &'a str,
    packages: Vec<Package>,
}

#[derive(Serialize)]
struct Package {
    name: String,
    version: String,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    wheels: Vec<File>,
    #[serde(skip_serializing_if = "Option::is_none")]
    sdist: Option<File>,
    #[serde(skip_serializing_if = "Option::is_none")]
    tool: Option<Tool>,
}

#[derive(Serialize)]
struct File {
    name: String,
    url: String,
    #[serde(rename = "upload-time", skip_serializing_if = "Option::is_none")]
    upload_time: Option<toml::value::Datetime>,
    #[serde(skip_serializing_if = "Option::is_none")]
    size: Option<u64>,
    hashes: BTreeMap<&'static str, String>,
}

#[derive(Serialize)]
struct Tool {
    npsolve: NpsolveTool,
}

#[derive(Serialize)]
struct NpsolveTool {
    /// Why this pin's NumPy range is bound (see `npsolve abi`).
    abi: String,
}

/// A file entry, or `None` when the index gave no sha256 (PEP 751 requires a hash).
fn file(dist: &DistRef) -> Option<File> {
    Some(File {
        name: dist.filename.clone(),
        url: dist.url.clone(),
        // TOML's own date-time type, from the timestamp's RFC 3339 form.
        upload_time: dist
            .upload_time
            .and_then(|time| time.to_string().parse().ok()),
        size: dist.size,
        hashes: BTreeMap::from([("sha256", dist.sha256.clone()?)]),
    })
}

/// The lock is for one target (its `environments`), so a package lists the wheel the
/// target installs and the sdist; wheels for other platforms would never be chosen.
fn package(pin: &Pin) -> Package {
    let wheels: Vec<File> = Some(&pin.dist)
        .filter(|dist| dist.is_wheel)
        .and_then(file)
        .into_iter()
        .collect();
    let sdist = pin
        .files
        .iter()
        .filter(|dist| !dist.is_wheel)
        .find_map(file);
    let mut abi = pin.abi_bound_by.join("; ");
    if let Some(bound) = pin.abi.as_ref().filter(|_| pin.abi_binding) {
        abi = bound.summary.clone();
    }
    Package {
        name: pin.name.to_string(),
        version: pin.version.to_string(),
        wheels,
        sdist,
        tool: (!abi.is_empty()).then_some(Tool {
            npsolve: NpsolveTool { abi },
        }),
    }
}

/// Renders a resolution as `pylock.toml` (lock-version 1.0), deterministic byte for byte.
pub fn render_pylock(
    resolution: &Resolution,
    options: &PylockOptions,
) -> Result<String, PylockError> {
    let lockfile = Lockfile {
        lock_version: "1.0",
        environments: &options.environments,
        requires_python: &options.requires_python,
        extras: [],
        dependency_groups: [],
        default_groups: [],
        created_by: &options.created_by,
        packages: resolution.pins.iter().map(package).collect(),
    };
    Ok(toml::to_string(&lockfile)?)
}
