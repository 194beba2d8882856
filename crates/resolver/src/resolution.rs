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

/// One pinned version of a universal resolution: the marker under which it installs and the
/// pin each target that selects it resolved (its wheel, bounds and annotations there).
#[derive(Debug, Clone)]
pub struct UniversalPin {
    /// The marker that selects this version (`None`: every covered target).
    pub marker: Option<String>,
    /// The pins of the targets that select it, in the order of
    /// [`UniversalResolution::targets`]; never empty.
    pub pins: Vec<Pin>,
    /// Those targets, as indexes into [`UniversalResolution::targets`].
    pub targets: Vec<usize>,
}

impl UniversalPin {
    /// The pin of the first target that selects this version.
    pub fn first(&self) -> &Pin {
        &self.pins[0]
    }
}

/// A resolution for every target a universal lock covers: each target's answer, and the
/// versions they select merged into marker-qualified pins.
#[derive(Debug, Clone, Default)]
pub struct UniversalResolution {
    /// The covered targets as (Python, platform) names, e.g. `("3.11",
    /// "x86_64-manylinux_2_28")`; the first led (its pins were preferred by the others).
    pub targets: Vec<(String, String)>,
    /// Each target's own resolution, in the order of `targets`.
    pub resolutions: Vec<Resolution>,
    /// The pins sorted by name, then version.
    pub pins: Vec<UniversalPin>,
}
