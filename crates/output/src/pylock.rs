//! PEP 751 `pylock.toml`: the lockfile installers read (`pip install -r pylock.toml`,
//! `uv pip install -r pylock.toml`).

use std::collections::BTreeMap;

use npsolve_resolver::{DirectKind, DirectPin, DistRef, Pin, Resolution, UniversalResolution};
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
    #[serde(skip_serializing_if = "Option::is_none")]
    tool: Option<LockTool>,
}

/// The lock's own `[tool.npsolve]`: the targets a universal lock was resolved for, which
/// `npsolve check` checks.
#[derive(Serialize)]
struct LockTool {
    npsolve: LockNpsolve,
}

#[derive(Serialize)]
struct LockNpsolve {
    targets: Vec<LockTarget>,
}

#[derive(Serialize)]
struct LockTarget {
    python: String,
    platform: String,
}

#[derive(Serialize)]
struct Package {
    name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    version: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    marker: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    wheels: Vec<File>,
    #[serde(skip_serializing_if = "Option::is_none")]
    sdist: Option<File>,
    #[serde(skip_serializing_if = "Option::is_none")]
    archive: Option<Archive>,
    #[serde(skip_serializing_if = "Option::is_none")]
    vcs: Option<Vcs>,
    #[serde(skip_serializing_if = "Option::is_none")]
    directory: Option<Directory>,
    #[serde(skip_serializing_if = "Option::is_none")]
    tool: Option<Tool>,
}

/// `[packages.archive]`: a wheel or sdist given by URL.
#[derive(Serialize)]
struct Archive {
    url: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    size: Option<u64>,
    hashes: BTreeMap<&'static str, String>,
}

/// `[packages.vcs]`: a git requirement, at the commit it resolved to.
#[derive(Serialize)]
struct Vcs {
    #[serde(rename = "type")]
    kind: &'static str,
    url: String,
    #[serde(rename = "requested-revision", skip_serializing_if = "Option::is_none")]
    requested_revision: Option<String>,
    #[serde(rename = "commit-id")]
    commit_id: String,
}

/// `[packages.directory]`: a local source tree.
#[derive(Serialize)]
struct Directory {
    path: String,
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
    #[serde(skip_serializing_if = "String::is_empty")]
    abi: String,
    /// Why this library's range is bound by the Python names other pins use, or which
    /// names this pin's code calls that its pinned library lacks (see `npsolve api-breaks`).
    #[serde(skip_serializing_if = "String::is_empty")]
    api: String,
    /// In a universal lock: the NumPy verdict of each wheel a covered target installs.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    wheels: Vec<WheelVerdict>,
}

/// One wheel's NumPy verdict (`npsolve scan` reads the same from its binaries).
#[derive(Serialize)]
struct WheelVerdict {
    name: String,
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
    if let Some(direct) = &pin.direct {
        return direct_package(pin, direct);
    }
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
    Package {
        name: pin.name.to_string(),
        version: Some(pin.version.to_string()),
        marker: None,
        wheels,
        sdist,
        archive: None,
        vcs: None,
        directory: None,
        tool: tool(pin),
    }
}

/// The `[tool.npsolve]` table of a pin with an ABI or Python-API story.
fn tool(pin: &Pin) -> Option<Tool> {
    let mut abi = pin.abi_bound_by.join("; ");
    if let Some(bound) = pin.abi.as_ref().filter(|_| pin.abi_binding) {
        abi = bound.summary.clone();
    }
    let api = pin
        .api_bound_by
        .iter()
        .chain(&pin.api_warnings)
        .cloned()
        .collect::<Vec<_>>()
        .join("; ");
    (!abi.is_empty() || !api.is_empty()).then_some(Tool {
        npsolve: NpsolveTool {
            abi,
            api,
            wheels: Vec::new(),
        },
    })
}

/// A package given by URL: `archive` (with its hash), `vcs` (with the commit) or
/// `directory`, as PEP 751 spells them; no version for a tree, whose files may change.
fn direct_package(pin: &Pin, direct: &DirectPin) -> Package {
    let mut package = Package {
        name: pin.name.to_string(),
        version: Some(pin.version.to_string()),
        marker: None,
        wheels: Vec::new(),
        sdist: None,
        archive: None,
        vcs: None,
        directory: None,
        tool: tool(pin),
    };
    match &direct.kind {
        DirectKind::Archive => {
            let hashed = pin
                .files
                .iter()
                .chain(std::iter::once(&pin.dist))
                .find(|dist| dist.sha256.is_some());
            package.archive = Some(Archive {
                url: direct.location.clone(),
                size: hashed.and_then(|dist| dist.size),
                hashes: hashed
                    .and_then(|dist| dist.sha256.clone())
                    .map(|sha256| BTreeMap::from([("sha256", sha256)]))
                    .unwrap_or_default(),
            });
        }
        DirectKind::Git {
            requested_revision,
            commit,
        } => {
            package.vcs = Some(Vcs {
                kind: "git",
                url: git_remote(&direct.location),
                requested_revision: requested_revision.clone(),
                commit_id: commit.clone(),
            });
        }
        DirectKind::Directory => {
            package.version = None;
            package.directory = Some(Directory {
                path: url::Url::parse(&direct.location)
                    .ok()
                    .and_then(|url| url.to_file_path().ok())
                    .map_or_else(
                        || direct.location.clone(),
                        |path| path.display().to_string(),
                    ),
            });
        }
    }
    package
}

/// `git+https://host/repo@rev#frag` as the repository URL PEP 751 records (`https://host/repo`).
fn git_remote(location: &str) -> String {
    let bare = location.split('#').next().unwrap_or(location);
    let bare = bare.strip_prefix("git+").unwrap_or(bare);
    match bare.rsplit_once('@') {
        Some((remote, revision)) if !revision.contains('/') && remote.contains("://") => {
            remote.to_string()
        }
        _ => bare.to_string(),
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
        tool: None,
    };
    Ok(toml::to_string(&lockfile)?)
}

/// The options of a universal lock: `requires_python` as the input states it, and one
/// environment per platform of its targets (`sys_platform == 'linux' and platform_machine ==
/// 'x86_64'`).
pub fn universal_options(resolution: &UniversalResolution, requires_python: &str) -> PylockOptions {
    let mut environments: Vec<String> = Vec::new();
    for (_, platform) in &resolution.targets {
        if let Ok(platform) = platform.parse::<npsolve_platform::Platform>() {
            let target = npsolve_platform::Target::new(
                npsolve_platform::PythonVersion::new(3, 12, None),
                platform,
            );
            let markers = target.markers();
            let environment = format!(
                "sys_platform == '{}' and platform_machine == '{}'",
                markers.sys_platform(),
                markers.platform_machine()
            );
            if !environments.contains(&environment) {
                environments.push(environment);
            }
        }
    }
    PylockOptions {
        created_by: "npsolve".to_string(),
        requires_python: requires_python.to_string(),
        environments,
    }
}

/// Renders a universal resolution as `pylock.toml`: each version with its marker, every wheel
/// of the release with its hash (an installer picks the one for its machine), the sdist, the
/// verdict of each wheel a covered target installs under `[packages.tool.npsolve]`, and the
/// covered targets under the lock's `[tool.npsolve]`.
pub fn render_universal_pylock(
    resolution: &UniversalResolution,
    options: &PylockOptions,
) -> Result<String, PylockError> {
    let packages = resolution
        .pins
        .iter()
        .map(|entry| {
            let first = entry.first();
            let mut package = package(first);
            package.marker = entry.marker.clone();
            if first.direct.is_none() {
                let mut wheels: BTreeMap<String, File> = BTreeMap::new();
                for pin in &entry.pins {
                    for dist in pin.files.iter().chain(std::iter::once(&pin.dist)) {
                        if dist.is_wheel
                            && let Some(file) = file(dist)
                        {
                            wheels.entry(file.name.clone()).or_insert(file);
                        }
                    }
                }
                package.wheels = wheels.into_values().collect();
            }
            let mut abi: Vec<String> = Vec::new();
            let mut api: Vec<String> = Vec::new();
            let mut verdicts: BTreeMap<String, String> = BTreeMap::new();
            for pin in &entry.pins {
                if let Some(tool) = tool(pin) {
                    for (into, text) in [(&mut abi, tool.npsolve.abi), (&mut api, tool.npsolve.api)]
                    {
                        if !text.is_empty() && !into.contains(&text) {
                            into.push(text);
                        }
                    }
                }
                if let Some(bound) = &pin.abi
                    && pin.dist.is_wheel
                {
                    verdicts
                        .entry(pin.dist.filename.clone())
                        .or_insert_with(|| bound.summary.clone());
                }
            }
            package.tool =
                (!abi.is_empty() || !api.is_empty() || !verdicts.is_empty()).then(|| Tool {
                    npsolve: NpsolveTool {
                        abi: abi.join("; "),
                        api: api.join("; "),
                        wheels: verdicts
                            .into_iter()
                            .map(|(name, abi)| WheelVerdict { name, abi })
                            .collect(),
                    },
                });
            package
        })
        .collect();
    let lockfile = Lockfile {
        lock_version: "1.0",
        environments: &options.environments,
        requires_python: &options.requires_python,
        extras: [],
        dependency_groups: [],
        default_groups: [],
        created_by: &options.created_by,
        packages,
        tool: Some(LockTool {
            npsolve: LockNpsolve {
                targets: resolution
                    .targets
                    .iter()
                    .map(|(python, platform)| LockTarget {
                        python: python.clone(),
                        platform: platform.clone(),
                    })
                    .collect(),
            },
        }),
    };
    Ok(toml::to_string(&lockfile)?)
}
