//! Builds asked for with `--allow-build`: the metadata of an sdist that states its
//! dependencies in none of its files, learnt by running its backend's PEP 517 metadata hook.
//!
//! One build: the sdist is downloaded (hash-checked) and unpacked; its `build-system.requires`
//! are resolved by npsolve itself for the building interpreter (wheels only: a build
//! requirement is never built in turn), downloaded and installed into a fresh virtual
//! environment; `get_requires_for_build_wheel` may add requirements, resolved together with
//! the first ones; `prepare_metadata_for_build_wheel` (else `build_wheel`) gives `METADATA`.
//! The answer is kept in the cache under the sdist's sha256 and the interpreter's Python
//! version, and is read only when a build of that package is allowed: without the flag no
//! process is started and no earlier build changes the answer.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use npsolve_build::{Backend, BuildEnvironment, Frontend, Installer};
use npsolve_index::{BuildRecord, CoreMetadata, DistFile, IndexClient, parse_core_metadata};
use npsolve_metadata::BuildSystem;
use npsolve_metadata::sdist_static::builds_extensions;
use npsolve_platform::{DistFilename, Target};
use npsolve_resolver::{PackageSelection, RootRequirement, resolve};
use pep508_rs::{PackageName, Requirement};

use crate::engine::default_resolve_options;
use crate::index_source::IndexSource;

/// The most builds run at once (each is a few processes and a virtual environment).
const PARALLEL_BUILDS: usize = 2;

/// When and how sdists are built for their metadata.
#[derive(Debug, Clone)]
pub struct BuildSettings {
    /// The packages whose sdists may be built (`--allow-build`).
    pub packages: PackageSelection,
    /// The interpreter builds run with (`--python`; `python3` on PATH when `None`).
    pub python: Option<PathBuf>,
    /// What installs the build requirements.
    pub installer: Installer,
    /// The longest any step of a build may take.
    pub timeout: Duration,
}

/// A source distribution's metadata learnt by a build, and what the build showed.
#[derive(Debug, Clone)]
pub(crate) struct Built {
    /// The `METADATA` the backend wrote.
    pub metadata: CoreMetadata,
    /// Whether a build of it compiles extension modules (read from its files).
    pub builds_extensions: bool,
    /// Its `build-system.requires`.
    pub build_requires: Vec<Requirement>,
}

/// Runs the builds of one resolution.
pub(crate) struct SourceBuilder {
    settings: BuildSettings,
    frontend: Frontend,
    /// The building interpreter's environment: build requirements are resolved for it.
    target: Target,
    client: IndexClient,
    runtime: tokio::runtime::Handle,
    permits: tokio::sync::Semaphore,
}

impl SourceBuilder {
    /// A builder for `settings`, asking the interpreter what it is (the first process a
    /// build starts, and only when builds are allowed).
    pub(crate) fn new(
        settings: BuildSettings,
        client: IndexClient,
        runtime: tokio::runtime::Handle,
    ) -> Result<SourceBuilder, String> {
        let python = settings
            .python
            .clone()
            .unwrap_or_else(|| PathBuf::from("python3"));
        let target = Target::from_interpreter(&python).map_err(|error| {
            format!(
                "--allow-build needs a Python interpreter to build with (`{}`): {error}",
                python.display()
            )
        })?;
        Ok(SourceBuilder {
            frontend: Frontend::new(python, settings.installer.clone(), settings.timeout),
            settings,
            target,
            client,
            runtime,
            permits: tokio::sync::Semaphore::new(PARALLEL_BUILDS),
        })
    }

    /// Whether `name`'s sdists may be built.
    pub(crate) fn allows(&self, name: &PackageName) -> bool {
        self.settings.packages.contains(name)
    }

    /// The Python the builds run with, e.g. `3.11`.
    pub(crate) fn python_version(&self) -> String {
        self.target.python().to_string()
    }

    /// The metadata of the sdist `file` of `name`, from an earlier build or a new one.
    /// Errors are sentences for the resolver's explanation.
    pub(crate) async fn metadata(
        self: Arc<Self>,
        name: PackageName,
        file: DistFile,
    ) -> Result<Built, String> {
        let filename = file.filename.to_string();
        let DistFilename::Sdist(sdist) = &file.filename else {
            return Err(format!("`{filename}` is not a source distribution"));
        };
        // The index's sha256 names the bytes; without one, the URL stands in (as for
        // metadata), and the download is still hash-checked when a hash is known.
        let identity = file
            .hashes
            .sha256
            .clone()
            .unwrap_or_else(|| npsolve_index::sha256_hex(file.url.as_str().as_bytes()));
        let key = format!("{identity}-py{}", self.python_version());
        let record = match self.client.stored_build(&key) {
            Some(record) => {
                tracing::info!("`{filename}`: metadata from an earlier build");
                record
            }
            None => {
                let _permit = self
                    .permits
                    .acquire()
                    .await
                    .map_err(|_| "the build queue closed".to_string())?;
                let record = self.build(&filename, &file).await?;
                self.client.store_build(&key, &filename, &record);
                record
            }
        };
        let metadata = parse_core_metadata(&record.metadata)
            .map_err(|error| format!("the build of `{filename}` wrote bad METADATA: {error}"))?;
        if metadata.name != name || metadata.version != sdist.version {
            return Err(format!(
                "the build of `{filename}` describes {} {}, not {name} {}",
                metadata.name, metadata.version, sdist.version
            ));
        }
        Ok(Built {
            metadata,
            builds_extensions: record.builds_extensions,
            build_requires: record
                .build_requires
                .iter()
                .filter_map(|text| npsolve_metadata::parse_requirement(text).ok())
                .collect(),
        })
    }

    /// Downloads the sdist `file` and builds its metadata in a temporary folder that is
    /// removed afterwards.
    async fn build(&self, filename: &str, file: &DistFile) -> Result<BuildRecord, String> {
        tracing::info!(
            "building `{filename}` for its metadata with {} (--allow-build)",
            self.frontend.python().display()
        );
        let archive = self
            .client
            .download(file)
            .await
            .map_err(|error| error.to_string())?;
        let members = npsolve_index::sdist_members(filename, &archive)
            .map_err(|reason| format!("`{filename}` cannot be read: {reason}"))?;
        let system = match members.files.get("pyproject.toml") {
            Some(bytes) => BuildSystem::from_pyproject(&String::from_utf8_lossy(bytes))
                .map_err(|reason| format!("`{filename}`: {reason}"))?,
            None => BuildSystem::legacy(),
        };
        let metadata = self.run_build(filename, &archive, &system).await?;
        Ok(BuildRecord {
            metadata,
            builds_extensions: builds_extensions(&members),
            build_requires: system.requires.iter().map(ToString::to_string).collect(),
        })
    }

    /// Unpacks `archive`, prepares its build environment and runs the metadata hooks.
    async fn run_build(
        &self,
        filename: &str,
        archive: &[u8],
        system: &BuildSystem,
    ) -> Result<Vec<u8>, String> {
        let scratch = tempfile::Builder::new()
            .prefix("npsolve-build-")
            .tempdir()
            .map_err(|error| format!("cannot make a build folder: {error}"))?;
        let source = npsolve_index::unpack_sdist(filename, archive, &scratch.path().join("src"))
            .map_err(|reason| format!("`{filename}` cannot be unpacked: {reason}"))?;
        let failed = |error: npsolve_build::BuildError| format!("building `{filename}`: {error}");
        let env = self
            .frontend
            .environment(&scratch.path().join("env"))
            .await
            .map_err(failed)?;
        let backend = Backend {
            spec: system.backend.clone(),
            path: system.backend_path.clone(),
        };
        let hooks = scratch.path().join("hooks");
        let mut installed = self
            .install(filename, &env, &system.requires, &[], scratch.path())
            .await?;
        let more = env
            .requires_for_build_wheel(&source, &backend, &hooks)
            .await
            .map_err(failed)?;
        if !more.is_empty() {
            let more = more
                .iter()
                .map(|text| {
                    npsolve_metadata::parse_requirement(text).map_err(|error| {
                        format!("building `{filename}`: the backend asked for `{text}`: {error}")
                    })
                })
                .collect::<Result<Vec<_>, _>>()?;
            let all: Vec<Requirement> = system.requires.iter().cloned().chain(more).collect();
            installed = self
                .install(filename, &env, &all, &installed, scratch.path())
                .await?;
        }
        tracing::debug!("`{filename}`: build environment holds {installed:?}");
        env.wheel_metadata(&source, &backend, &hooks)
            .await
            .map_err(failed)
    }

    /// Resolves `requirements` for the building interpreter, downloads the wheels not in
    /// `installed` and installs them; returns every wheel now installed.
    async fn install(
        &self,
        filename: &str,
        env: &BuildEnvironment,
        requirements: &[Requirement],
        installed: &[String],
        scratch: &Path,
    ) -> Result<Vec<String>, String> {
        let files = self
            .resolve_build_requirements(filename, requirements)
            .await?;
        let wheels_dir = scratch.join("wheels");
        fs_err::create_dir_all(&wheels_dir).map_err(|error| error.to_string())?;
        let mut wheels = Vec::new();
        let mut names = installed.to_vec();
        for file in files {
            let wheel = file.filename.to_string();
            if installed.contains(&wheel) {
                continue;
            }
            let bytes = self
                .client
                .download(&file)
                .await
                .map_err(|error| error.to_string())?;
            let path = wheels_dir.join(&wheel);
            fs_err::write(&path, bytes).map_err(|error| error.to_string())?;
            wheels.push(path);
            names.push(wheel);
        }
        env.install(&wheels)
            .await
            .map_err(|error| format!("building `{filename}`: {error}"))?;
        Ok(names)
    }

    /// The wheels that satisfy `requirements` for the building interpreter, resolved by
    /// npsolve on a blocking thread (the resolver is synchronous).
    async fn resolve_build_requirements(
        &self,
        filename: &str,
        requirements: &[Requirement],
    ) -> Result<Vec<DistFile>, String> {
        if requirements.is_empty() {
            return Ok(Vec::new());
        }
        let origin = format!("build-system.requires of {filename}");
        let roots: Vec<RootRequirement> = requirements
            .iter()
            .map(|requirement| RootRequirement {
                requirement: requirement.clone(),
                origin: origin.clone(),
                via: origin.clone(),
            })
            .collect();
        let client = self.client.clone();
        let runtime = self.runtime.clone();
        let target = self.target.clone();
        let resolved = tokio::task::spawn_blocking(move || {
            let source = IndexSource::new(client, runtime, target.clone()).nested();
            let mut options = default_resolve_options(&target);
            options.only_binary = PackageSelection::All;
            options.release_files = false;
            let resolution = resolve(&roots, &options, &source, None)
                .map_err(|error| format!("its build requirements cannot be met: {error}"))?;
            let records = source.records();
            resolution
                .pins
                .iter()
                .map(|pin| {
                    records
                        .get(&pin.name, &pin.dist)
                        .ok_or_else(|| format!("no record of `{}`", pin.dist.filename))
                })
                .collect::<Result<Vec<_>, String>>()
        })
        .await
        .map_err(|error| format!("the build resolution stopped: {error}"))?;
        resolved.map_err(|error| format!("building `{filename}`: {error}"))
    }
}
