//! The answer: one pinned version per package, with why it is there.

use std::collections::{BTreeMap, BTreeSet};

use pep440_rs::Version;
use pep508_rs::{ExtraName, PackageName};

use crate::options::{AbiBound, ApiBound};
use crate::source::DistRef;

/// One pinned distribution.
#[derive(Debug, Clone)]
pub struct Pin {
    /// The package.
    pub name: PackageName,
    /// The pinned version.
    pub version: Version,
    /// The file the target installs.
    pub dist: DistRef,
    /// Every file of the release (for `--generate-hashes` and lockfiles), when
    /// [`crate::ResolveOptions::release_files`] asked for them.
    pub files: Vec<DistRef>,
    /// Extras of this package that were requested.
    pub extras: BTreeSet<ExtraName>,
    /// Who asked for it: `-r requirements.txt` labels and package names, sorted.
    pub via: Vec<String>,
    /// The NumPy bound this package's wheel imposes, if any.
    pub abi: Option<AbiBound>,
    /// Whether that bound kept numpy from its newest stable release.
    pub abi_binding: bool,
    /// A compiled wheel that requires numpy but for which the ABI oracle knew nothing:
    /// its NumPy compatibility was not checked.
    pub abi_unchecked: bool,
    /// For numpy: the packages whose binaries bound it, as short summaries.
    pub abi_bound_by: Vec<String>,
    /// The Python-API bounds of this package's code on the libraries it imports.
    pub api: Vec<ApiBound>,
    /// For a library (numpy, scipy, pandas): the packages whose code kept it from its
    /// newest stable release, as short summaries.
    pub api_bound_by: Vec<String>,
    /// Uses in this package's code of names the pinned library lacks that run only when a
    /// function is called (reported, not bound: `--api-scan strict` binds them), as short
    /// summaries.
    pub api_warnings: Vec<String>,
    /// For a pin installed from an sdist whose metadata was read from one of its files
    /// rather than a PEP 643 PKG-INFO: which (`egg-info`, `setup.cfg`, ...).
    pub metadata_source: Option<String>,
    /// Newer releases passed over because only a source distribution of them fits the target
    /// and it could not be used (its dependencies need a build, or it compiles against
    /// numpy), with why: the pin walked back past them.
    pub passed_over: Vec<(Version, String)>,
    /// For a package given by URL: the URL, written in the output as given.
    pub direct: Option<crate::DirectPin>,
}

impl Pin {
    /// Whether the pin will be built from a source distribution.
    pub fn from_source(&self) -> bool {
        !self.dist.is_wheel
    }
}

/// A complete resolution, sorted by package name.
#[derive(Debug, Clone, Default)]
pub struct Resolution {
    /// The pins, sorted by name.
    pub pins: Vec<Pin>,
}

impl Resolution {
    /// The pin of `name`, if resolved.
    pub fn get(&self, name: &PackageName) -> Option<&Pin> {
        self.pins
            .binary_search_by(|pin| pin.name.cmp(name))
            .ok()
            .map(|index| &self.pins[index])
    }

    /// Pins as `name -> version`.
    pub fn versions(&self) -> BTreeMap<PackageName, Version> {
        self.pins
            .iter()
            .map(|pin| (pin.name.clone(), pin.version.clone()))
            .collect()
    }
}
