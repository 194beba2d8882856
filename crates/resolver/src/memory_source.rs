//! A [`PackageSource`] held in memory, for tests and examples (as pubgrub ships
//! `OfflineDependencyProvider`): releases with their requirements, no index, no IO.

use std::collections::BTreeMap;
use std::str::FromStr;
use std::sync::Arc;

use pep440_rs::{Version, VersionSpecifiers};
use pep508_rs::{ExtraName, PackageName, Requirement};

use crate::source::{
    DistKey, DistMetadata, DistRef, PackageSource, PackageVersions, SourceError, VersionEntry,
};

/// One release of a [`MemorySource`] package: its metadata and which files it has.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MemoryRelease {
    /// The version.
    pub version: Version,
    /// `Requires-Dist`, with markers.
    pub requires_dist: Vec<Requirement>,
    /// `Provides-Extra`.
    pub provides_extras: Vec<ExtraName>,
    /// `Requires-Python`, on the files and in the metadata.
    pub requires_python: Option<VersionSpecifiers>,
    /// Whether every file is yanked.
    pub yanked: bool,
    /// Whether it has a `py3-none-any` wheel.
    pub wheel: bool,
    /// Whether it has an sdist.
    pub sdist: bool,
}

impl MemoryRelease {
    /// A release with a wheel and an sdist; `version` and `requires` are parsed as PEP 440
    /// and PEP 508, and the error names the text that is not.
    pub fn parse(version: &str, requires: &[&str]) -> Result<MemoryRelease, String> {
        Ok(MemoryRelease {
            version: Version::from_str(version)
                .map_err(|error| format!("version `{version}`: {error}"))?,
            requires_dist: requires
                .iter()
                .map(|text| {
                    Requirement::from_str(text).map_err(|error| format!("`{text}`: {error}"))
                })
                .collect::<Result<_, _>>()?,
            provides_extras: Vec::new(),
            requires_python: None,
            yanked: false,
            wheel: true,
            sdist: true,
        })
    }

    fn dist(&self, name: &PackageName, wheel: bool) -> DistRef {
        let filename = if wheel {
            format!("{name}-{}-py3-none-any.whl", self.version)
        } else {
            format!("{name}-{}.tar.gz", self.version)
        };
        DistRef {
            key: DistKey(u128::from(!wheel)),
            url: format!("memory:///{filename}"),
            filename,
            sha256: Some("00".repeat(32)),
            requires_python: self.requires_python.clone(),
            yanked: self.yanked.then(String::new),
            size: Some(1),
            upload_time: None,
            is_wheel: wheel,
        }
    }
}

/// Packages and their releases, answering the resolver from memory.
///
/// ```
/// use npsolve_resolver::{MemoryRelease, MemorySource, ResolveOptions, RootRequirement, resolve};
///
/// let source = MemorySource::new()
///     .add("app".parse().unwrap(), MemoryRelease::parse("1.0", &["lib>=2"]).unwrap())
///     .add("lib".parse().unwrap(), MemoryRelease::parse("1.0", &[]).unwrap())
///     .add("lib".parse().unwrap(), MemoryRelease::parse("2.1", &[]).unwrap());
/// let markers = pep508_rs::MarkerEnvironment::try_from(pep508_rs::MarkerEnvironmentBuilder {
///     implementation_name: "cpython",
///     implementation_version: "3.11.9",
///     os_name: "posix",
///     platform_machine: "x86_64",
///     platform_python_implementation: "CPython",
///     platform_release: "",
///     platform_system: "Linux",
///     platform_version: "",
///     python_full_version: "3.11.9",
///     python_version: "3.11",
///     sys_platform: "linux",
/// })
/// .unwrap();
/// let options = ResolveOptions {
///     markers,
///     python_version: "3.11.9".parse().unwrap(),
///     prerelease: Default::default(),
///     allow_source: Default::default(),
///     only_binary: Default::default(),
///     no_binary: Default::default(),
///     release_files: false,
///     preferences: Default::default(),
///     constraints: Vec::new(),
///     overrides: Vec::new(),
///     resolution: Default::default(),
///     no_deps: false,
///     direct: Default::default(),
/// };
/// let roots = [RootRequirement {
///     requirement: "app".parse().unwrap(),
///     origin: "example".to_string(),
///     via: "example".to_string(),
/// }];
/// let resolution = resolve(&roots, &options, &source, None).unwrap();
/// let pins: Vec<String> = resolution
///     .pins
///     .iter()
///     .map(|pin| format!("{}=={}", pin.name, pin.version))
///     .collect();
/// assert_eq!(pins, ["app==1.0", "lib==2.1"]);
/// ```
#[derive(Debug, Clone, Default)]
pub struct MemorySource {
    packages: BTreeMap<PackageName, Vec<MemoryRelease>>,
}

impl MemorySource {
    /// An empty source.
    pub fn new() -> MemorySource {
        MemorySource::default()
    }

    /// Adds a release of `name`.
    pub fn add(mut self, name: PackageName, release: MemoryRelease) -> MemorySource {
        self.packages.entry(name).or_default().push(release);
        self
    }

    fn release(&self, name: &PackageName, version: &Version) -> Option<&MemoryRelease> {
        self.packages
            .get(name)?
            .iter()
            .find(|release| release.version == *version)
    }
}

impl PackageSource for MemorySource {
    fn versions(&self, name: &PackageName) -> Result<Arc<PackageVersions>, SourceError> {
        let mut versions: Vec<VersionEntry> = self
            .packages
            .get(name)
            .into_iter()
            .flatten()
            .map(|release| {
                let wheels = if release.wheel {
                    vec![release.dist(name, true)]
                } else {
                    Vec::new()
                };
                let sdist = release.sdist.then(|| release.dist(name, false));
                let any_file = release.wheel || release.sdist;
                VersionEntry::new(
                    release.version.clone(),
                    wheels,
                    sdist,
                    (release.yanked && any_file).then(String::new),
                )
            })
            .collect();
        versions.sort_by(|a, b| b.version.cmp(&a.version));
        Ok(Arc::new(PackageVersions { versions }))
    }

    fn files(&self, name: &PackageName, version: &Version) -> Result<Vec<DistRef>, SourceError> {
        let release = self
            .release(name, version)
            .ok_or_else(|| SourceError::Fatal(format!("`{name}` {version} is not in memory")))?;
        let mut files = Vec::new();
        if release.wheel {
            files.push(release.dist(name, true));
        }
        if release.sdist {
            files.push(release.dist(name, false));
        }
        files.sort_by(|a, b| a.filename.cmp(&b.filename));
        Ok(files)
    }

    fn metadata(
        &self,
        name: &PackageName,
        dist: &DistRef,
    ) -> Result<Arc<DistMetadata>, SourceError> {
        let release = self
            .packages
            .get(name)
            .into_iter()
            .flatten()
            .find(|release| {
                release.dist(name, true).filename == dist.filename
                    || release.dist(name, false).filename == dist.filename
            })
            .ok_or_else(|| SourceError::Fatal(format!("`{}` is not in memory", dist.filename)))?;
        Ok(Arc::new(DistMetadata {
            requires_dist: release.requires_dist.clone(),
            requires_python: release.requires_python.clone(),
            provides_extras: release.provides_extras.clone(),
            static_source: None,
            builds_extensions: None,
            build_requires: Vec::new(),
        }))
    }
}
