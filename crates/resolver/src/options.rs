//! What the user asked for: the target, the policies and the requirements.

use std::collections::BTreeMap;

use crate::source::DistRef;
use pep440_rs::Version;
use pep508_rs::{MarkerEnvironment, PackageName, Requirement};
use version_ranges::Ranges;

/// When pre-releases may be chosen (`--prerelease`, named as in uv).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum PrereleaseMode {
    /// Never.
    Disallow,
    /// Always, like stable versions.
    Allow,
    /// Stable releases first; a pre-release only when no stable release in range can be
    /// used (the default, as in uv 0.12).
    #[default]
    IfNecessary,
    /// As `IfNecessary` for packages whose first-party requirement names a pre-release;
    /// never for the others.
    Explicit,
    /// The same as `IfNecessary` (uv keeps it as a deprecated alias).
    IfNecessaryOrExplicit,
}

/// A set of packages named by an option such as `--no-binary` or `--allow-source`: the one
/// definition, shared with the input files' `--only-binary`/`--no-binary`.
pub use npsolve_requirements::PackageSelection;

/// A first-party requirement and the place the user wrote it.
#[derive(Debug, Clone)]
pub struct RootRequirement {
    /// The requirement as parsed.
    pub requirement: Requirement,
    /// Where it came from, e.g. `requirements.txt:3`; shown in explanations.
    pub origin: String,
    /// The `# via` label for this origin, e.g. `-r requirements.txt`.
    pub via: String,
}

/// A NumPy range a candidate's wheel can run with, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AbiBound {
    /// The NumPy versions the wheel's binaries can run with.
    pub numpy: Ranges<Version>,
    /// A short annotation, e.g. `pandas 1.5.3 built with NumPy 1.x`.
    pub summary: String,
    /// The full sentence with its source, for explanations.
    pub reason: String,
    /// The first release of the package built against a newer NumPy major, for hints.
    pub first_newer_build: Option<Version>,
}

/// A range of a library (numpy, scipy, pandas) a candidate's Python code can run with,
/// because it uses a public name some releases of the library lack, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiBound {
    /// The library whose name the code uses.
    pub library: PackageName,
    /// The library releases that have every name the code uses.
    pub allowed: Ranges<Version>,
    /// Whether the bound is an edge: the use runs at import (or the user asked for call-time
    /// uses to bind too). Otherwise it is only reported.
    pub enforced: bool,
    /// A short annotation, e.g. `gensim 4.3.2 imports scipy.linalg.triu (removed in 1.13)`.
    pub summary: String,
    /// The full sentence with its evidence (wheel, file:line, the release note).
    pub reason: String,
}

/// Knows which NumPy a candidate's wheel can run with, and which releases of the libraries
/// it imports have the Python names its code uses.
pub trait AbiOracle {
    /// The bound for the wheel `dist` of `name` `version`, if it has one. `requires_numpy`
    /// says whether the wheel's metadata requires numpy on the target: only then is it worth
    /// reading the wheel's binaries when nothing else is known. May block while it does.
    fn bound(
        &self,
        name: &PackageName,
        version: &Version,
        dist: &DistRef,
        requires_numpy: bool,
    ) -> Option<AbiBound>;

    /// The bound for a source build of `name` `version` (its sdist, which compiles and
    /// requires numpy) whose `build-system.requires` are `build_requires`, built for
    /// `markers` when the newest NumPy release is `newest_numpy`: the NumPy the build
    /// would compile against decides which it runs with. `None` when nothing predicts it.
    fn source_bound(
        &self,
        name: &PackageName,
        version: &Version,
        build_requires: &[pep508_rs::Requirement],
        markers: &pep508_rs::MarkerEnvironment,
        newest_numpy: Option<&Version>,
    ) -> Option<AbiBound> {
        let _ = (name, version, build_requires, markers, newest_numpy);
        None
    }

    /// The Python-API bounds of the wheel `dist` of `name` `version` on the libraries among
    /// `declared` (the packages its metadata requires on the target), one per library whose
    /// removed names its code uses (or that a curated behaviour break names). May block while
    /// it reads the wheel's sources.
    fn api_bounds(
        &self,
        name: &PackageName,
        version: &Version,
        dist: &DistRef,
        declared: &[&PackageName],
    ) -> Vec<ApiBound> {
        let _ = (name, version, dist, declared);
        Vec::new()
    }

    /// A hint that [`AbiOracle::api_bounds`] will be asked for this wheel: start reading its
    /// sources now. Must not block.
    fn start_api_bounds(&self, name: &PackageName, dist: &DistRef, declared: &[&PackageName]) {
        let _ = (name, dist, declared);
    }

    /// A hint that the bounds of these wheels (of a package known to require numpy) will
    /// likely be asked for soon: start any slow work now. Must not block.
    fn prefetch(&self, name: &PackageName, dists: &[(Version, DistRef)]) {
        let _ = (name, dists);
    }
}

/// Which version of a package is tried first (`--resolution`, named as in uv).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ResolutionStrategy {
    /// The newest version that fits (the default).
    #[default]
    Highest,
    /// The oldest version that fits, for every package.
    Lowest,
    /// The oldest for first-party requirements, the newest for the rest.
    LowestDirect,
}

/// Everything about a resolution except the requirements.
#[derive(Debug, Clone)]
pub struct ResolveOptions {
    /// The target's marker environment.
    pub markers: MarkerEnvironment,
    /// The target's full Python version, checked against `Requires-Python`.
    pub python_version: Version,
    /// When pre-releases may be chosen.
    pub prerelease: PrereleaseMode,
    /// Packages that may be built from source even though they require numpy.
    pub allow_source: PackageSelection,
    /// Packages that must come from wheels.
    pub only_binary: PackageSelection,
    /// Packages that must be built from source.
    pub no_binary: PackageSelection,
    /// Versions to prefer when allowed (pins of an existing output file).
    pub preferences: BTreeMap<PackageName, Version>,
    /// Constraints (`-c`): they narrow a package's versions when something requires it.
    pub constraints: Vec<Requirement>,
    /// Overrides (`--override`, as uv): a package's range here replaces what every
    /// requirement on it says, your own and its dependents'.
    pub overrides: Vec<Requirement>,
    /// Whether to read every file of each pinned release into [`crate::Pin::files`] (for
    /// `--generate-hashes` and lockfiles); when false it stays empty. A release can have a
    /// hundred files, and most outputs name one.
    pub release_files: bool,
    /// Which version of a package is tried first.
    pub resolution: ResolutionStrategy,
    /// Pin the first-party requirements only, not what they depend on (`--no-deps`). ABI
    /// bounds still hold between the packages pinned, but never add numpy.
    pub no_deps: bool,
    /// The first-party requirements given by URL, as the engine read them: each package is
    /// its one version, never looked up on an index.
    pub direct: BTreeMap<PackageName, crate::DirectPin>,
}
