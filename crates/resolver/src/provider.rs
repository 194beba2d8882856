//! The PubGrub `DependencyProvider`: candidate choice, dependency edges, ABI edges.

use std::cell::RefCell;
use std::cmp::Reverse;
use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use pep440_rs::{Version, VersionSpecifiers};
use pep508_rs::{ExtraName, PackageName, Requirement, VersionOrUrl};
use pubgrub::{Dependencies, DependencyConstraints, PackageResolutionStatistics};
use rustc_hash::FxHashMap;
use version_ranges::Ranges;

use crate::direct::{direct_url, same_url};
use crate::options::{
    AbiBound, AbiOracle, ApiBound, PrereleaseMode, ResolutionStrategy, ResolveOptions,
    RootRequirement,
};
use crate::package::PubPackage;
use crate::source::{DistMetadata, DistRef, PackageSource, PackageVersions, SourceError};
use crate::specifier_range::{pinned_version, specifiers_range};

/// How many conflicts a package may be affected by, or the culprit of, before the
/// resolution restarts with it decided early, or late (uv uses 5).
const CONFLICTS_BEFORE_RESTART: u32 = 5;

/// Where a package that kept conflicting is decided in the runs after a restart.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Placement {
    /// Before every package but the root and single-version pins: its choices kept
    /// conflicting with earlier decisions.
    Early,
    /// After every other package: its decision kept ruling out the choices of others.
    Late,
}

/// When pre-releases of a package may be chosen.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Prereleases {
    /// Never (unless the range pins one).
    Never,
    /// Only when no stable release in range can be used.
    Fallback,
    /// Ranked with stable releases.
    Always,
}

/// How a candidate's requirements stand against what the solver knows of the others.
#[derive(Debug, PartialEq, Eq)]
enum Fit {
    /// Nothing it requires is ruled out.
    Fits,
    /// Its metadata cannot be read, or it needs another Python.
    Unusable,
    /// It requires a version ruled out; the packages named were decided (culprits).
    Conflicts(Vec<PackageName>),
}

/// How many restarts one resolution may take; each places one more package.
const MAX_RESTARTS: usize = 16;

/// How many versions ahead to prefetch for a package the solver keeps rejecting.
const PREFETCH_BATCH: usize = 8;

/// Why a source-only release of a numpy-dependent package is not chosen.
const NUMPY_SOURCE_BUILD: &str = "only a source distribution fits the target, and it requires numpy: a source build compiles against whatever NumPy the build picks, so npsolve does not choose it unless allowed (--allow-source)";

/// Why a version cannot be used, as shown in explanations.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unavailable(pub String);

impl std::fmt::Display for Unavailable {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// A failure that stops the solver (network exhausted, offline cache miss).
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct Fatal(pub String);

/// What the provider learnt while solving, kept for output and explanations.
#[derive(Default)]
pub(crate) struct Memory {
    /// Versions pages seen so far.
    pub versions: FxHashMap<PackageName, Arc<PackageVersions>>,
    /// The file chosen for each version the solver tried.
    pub chosen: FxHashMap<(PackageName, Version), DistRef>,
    /// Dependency edges of every version the solver tried, sorted by package.
    pub edges: FxHashMap<(PubPackage, Version), BTreeMap<PubPackage, Ranges<Version>>>,
    /// ABI bounds applied, by package version.
    pub abi: FxHashMap<(PackageName, Version), AbiBound>,
    /// The versions whose ABI bound narrowed their edge to numpy beyond what their metadata
    /// (and the constraints) allowed, with that metadata range: only there can the ABI be
    /// part of a conflict's cause.
    pub abi_narrowed: FxHashMap<(PackageName, Version), Ranges<Version>>,
    /// Python-API bounds found, by package version (enforced or reported only).
    pub api: FxHashMap<(PackageName, Version), Vec<ApiBound>>,
    /// The versions whose API bound narrowed their edge to a library beyond what their
    /// metadata (and the constraints) allowed, by library, with that metadata range.
    pub api_narrowed: FxHashMap<(PackageName, Version, PackageName), Ranges<Version>>,
    /// Wheels whose edges were made without their API bounds (the first pass): the answer's
    /// are checked after it (see `resolve.rs`).
    pub api_pending: rustc_hash::FxHashSet<(PackageName, Version)>,
    /// Versions skipped or refused, with the reason, for hints.
    pub notes: BTreeMap<PackageName, BTreeMap<Version, String>>,
    /// First-seen order of packages, for the BFS tie-break in priorities.
    pub discovered: FxHashMap<PubPackage, usize>,
    /// Packages seen to require numpy in the metadata of some version.
    pub numpy_dependents: rustc_hash::FxHashSet<PackageName>,
    /// How many times a version was chosen for a package (rejections + 1).
    pub attempts: FxHashMap<PackageName, usize>,
    /// Bounds recorded but not made edges: the package does not require numpy, so its
    /// bound only holds if numpy is installed anyway (see [`Provider::numpy_present`]).
    pub conditional: rustc_hash::FxHashSet<(PackageName, Version)>,
    /// Releases whose numpy edge is an ABI bound only (the package does not declare numpy):
    /// annotated `# ABI:` on numpy, not `# via`.
    pub abi_only_edges: rustc_hash::FxHashSet<(PackageName, Version)>,
    /// Versions passed over because only an unusable source distribution fits, with why.
    pub source_only: BTreeMap<PackageName, BTreeMap<Version, String>>,
    /// Where the metadata of each sdist chosen so far was read from (`egg-info`, ...).
    pub static_sources: FxHashMap<(PackageName, Version), String>,
    /// What the solver last said of each package (itself, not one of its extras): the
    /// version chosen for it, or, while it is undecided, the range it was prioritized
    /// with. A hint for choices (`Provider::fit`), never a fact: the solver may
    /// have backtracked since.
    pub known: FxHashMap<PackageName, Ranges<Version>>,
    /// How many versions chosen for a package conflicted with `known` (each one the
    /// solver is about to reject).
    pub affected: FxHashMap<PackageName, u32>,
    /// How many such conflicts each decided package was part of.
    pub culprit: FxHashMap<PackageName, u32>,
    /// Packages for which no older release fitted `known` once: not searched again in this
    /// run (each search reads metadata), only counted.
    pub no_fit: rustc_hash::FxHashSet<PackageName>,
    /// A package that kept conflicting: the solver stops, and the resolution starts
    /// again with it placed (`Provider::placed`).
    pub restart: Option<(PackageName, Placement)>,
}

/// A version's dependency edges, or why the version is unusable.
type Edges = Result<BTreeMap<PubPackage, Ranges<Version>>, Unavailable>;

/// The dependency provider handed to `pubgrub::resolve`.
pub(crate) struct Provider<'a> {
    pub source: &'a dyn PackageSource,
    pub abi: Option<&'a dyn AbiOracle>,
    pub options: &'a ResolveOptions,
    pub root: BTreeMap<PubPackage, Ranges<Version>>,
    pub constraints: BTreeMap<PackageName, Ranges<Version>>,
    /// Overrides (`--override`): the range that replaces every requirement on a package.
    pub overrides: BTreeMap<PackageName, Ranges<Version>>,
    pub explicit_prerelease: BTreeSet<PackageName>,
    /// Whether numpy is known to be in the resolution (the second pass, after a first one
    /// pinned numpy against a bound that was only conditional): then the ABI bounds of
    /// packages that do not require numpy (pyarrow, torch) are edges too. In the first
    /// pass they are recorded only, so that they never pull numpy in by themselves.
    pub numpy_present: bool,
    /// Whether API bounds are edges. The first pass applies none (it only starts reading the
    /// sources), so that reading overlaps solving and the answer never depends on which
    /// readings came back first; the answer's bounds are checked after it (`resolve.rs`),
    /// and a violated one makes a pass with every bound as an edge.
    pub api_wait: bool,
    /// Packages decided early or late: those that kept conflicting in a previous run
    /// (`Memory::restart`).
    pub placed: BTreeMap<PackageName, Placement>,
    pub memory: RefCell<Memory>,
}

/// Turns a requirement's specifiers into a range; `None` for a direct URL.
pub fn requirement_range(requirement: &Requirement) -> Option<Ranges<Version>> {
    match &requirement.version_or_url {
        None => Some(Ranges::full()),
        Some(VersionOrUrl::VersionSpecifier(specifiers)) => Some(specifiers_range(specifiers)),
        Some(VersionOrUrl::Url(_)) => None,
    }
}

/// The range each package gets from `requirements` (constraints or overrides) whose markers
/// hold: several lines for one package (one per marker branch) intersect. `what` names the
/// kind in the error for a direct URL.
fn ranges_by_name(
    requirements: &[Requirement],
    markers: &pep508_rs::MarkerEnvironment,
    what: &str,
) -> Result<BTreeMap<PackageName, Ranges<Version>>, String> {
    let mut ranges: BTreeMap<PackageName, Ranges<Version>> = BTreeMap::new();
    for requirement in requirements {
        if !requirement.evaluate_markers(markers, &[]) {
            continue;
        }
        let range = requirement_range(requirement).ok_or_else(|| {
            format!("{what} `{requirement}` is a direct URL; npsolve honours only version ranges in {what}s")
        })?;
        let entry = ranges
            .entry(requirement.name.clone())
            .or_insert_with(Ranges::full);
        *entry = entry.intersection(&range);
    }
    Ok(ranges)
}

fn names_prerelease(requirement: &Requirement) -> bool {
    match &requirement.version_or_url {
        Some(VersionOrUrl::VersionSpecifier(specifiers)) => specifiers
            .iter()
            .any(|specifier| specifier.version().any_prerelease()),
        _ => false,
    }
}

/// Why `Requires-Python: specifiers` rules out `python`. An upper bound is honoured, as pip
/// does when it installs the file (uv's resolver ignores upper bounds): the note says so.
fn python_mismatch(specifiers: &VersionSpecifiers, python: &Version) -> String {
    // Only `<` and `<=` clauses exclude it (`!=3.9.*` is not an upper bound).
    let only_upper_bounds = specifiers.iter().all(|specifier| {
        specifier.contains(python)
            || matches!(
                specifier.operator(),
                pep440_rs::Operator::LessThan | pep440_rs::Operator::LessThanEqual
            )
    });
    if only_upper_bounds {
        format!(
            "it requires Python {specifiers}, but the target is Python {python} (an upper bound: pip would refuse to install it, so npsolve honours it)"
        )
    } else {
        format!("it requires Python {specifiers}, but the target is Python {python}")
    }
}

fn python_allows(specifiers: Option<&VersionSpecifiers>, python: &Version) -> bool {
    specifiers.is_none_or(|specifiers| specifiers.contains(python))
}

impl<'a> Provider<'a> {
    /// Builds the provider for first-party requirements.
    pub fn new(
        source: &'a dyn PackageSource,
        abi: Option<&'a dyn AbiOracle>,
        options: &'a ResolveOptions,
        requirements: &[RootRequirement],
    ) -> Result<Self, String> {
        let constraints = ranges_by_name(&options.constraints, &options.markers, "constraint")?;
        let overrides = ranges_by_name(&options.overrides, &options.markers, "override")?;
        let explicit_prerelease = options
            .constraints
            .iter()
            .filter(|constraint| {
                constraint.evaluate_markers(&options.markers, &[]) && names_prerelease(constraint)
            })
            .map(|constraint| constraint.name.clone())
            .collect();
        let mut provider = Provider {
            source,
            abi,
            options,
            root: BTreeMap::new(),
            constraints,
            overrides,
            explicit_prerelease,
            numpy_present: false,
            api_wait: false,
            placed: BTreeMap::new(),
            memory: RefCell::new(Memory::default()),
        };
        let mut root = BTreeMap::new();
        for requirement in requirements {
            let requirement = &requirement.requirement;
            if !requirement.evaluate_markers(&options.markers, &[]) {
                continue;
            }
            if names_prerelease(requirement) {
                provider
                    .explicit_prerelease
                    .insert(requirement.name.clone());
            }
            let range = provider.range_of(requirement).ok_or_else(|| {
                format!(
                    "`{requirement}` is a direct URL reference that was not read before the resolution"
                )
            })??;
            if direct_url(requirement).is_some() {
                // A URL holds one version, pre-release or not.
                provider
                    .explicit_prerelease
                    .insert(requirement.name.clone());
            }
            provider.add_edge(&mut root, &requirement.name, &requirement.extras, range);
        }
        provider.root = root;
        Ok(provider)
    }

    /// The range a requirement allows: its specifiers' range, or for a URL the one version a
    /// first-party requirement's same URL holds. `None` for a URL no first-party requirement
    /// gives; `Some(Err)` for a package given by one URL and required at another.
    fn range_of(&self, requirement: &Requirement) -> Option<Result<Ranges<Version>, String>> {
        let Some(url) = direct_url(requirement) else {
            return requirement_range(requirement).map(Ok);
        };
        let pin = self.options.direct.get(&requirement.name)?;
        Some(if same_url(&pin.location, url.raw().as_str()) {
            Ok(Ranges::singleton(pin.version.clone()))
        } else {
            Err(format!(
                "`{requirement}` names another URL than the requirement `{} @ {}`",
                requirement.name, pin.url
            ))
        })
    }

    /// Adds the edges for one requirement, intersecting with constraints and with
    /// edges already present for the same package.
    fn add_edge(
        &self,
        edges: &mut BTreeMap<PubPackage, Ranges<Version>>,
        name: &PackageName,
        extras: &[ExtraName],
        range: Ranges<Version>,
    ) {
        let range = self.overrides.get(name).cloned().unwrap_or(range);
        let range = match self.constraints.get(name) {
            Some(constraint) => range.intersection(constraint),
            None => range,
        };
        let mut targets = vec![PubPackage::Dist(name.clone())];
        targets.extend(
            extras
                .iter()
                .map(|extra| PubPackage::Extra(name.clone(), extra.clone())),
        );
        for target in targets {
            let entry = edges.entry(target).or_insert_with(Ranges::full);
            *entry = entry.intersection(&range);
        }
    }

    /// Notes why `version` of `name` was passed over because only its source distribution
    /// fits the target and it cannot be used: for the explanation, and for the walk-back
    /// warning on the pin (`Pin::passed_over`).
    fn note_source_only(&self, name: &PackageName, version: &Version, why: String) {
        self.memory
            .borrow_mut()
            .source_only
            .entry(name.clone())
            .or_default()
            .entry(version.clone())
            .or_insert_with(|| why.clone());
        self.note(name, version, why);
    }

    fn note(&self, name: &PackageName, version: &Version, why: String) {
        self.memory
            .borrow_mut()
            .notes
            .entry(name.clone())
            .or_default()
            .entry(version.clone())
            .or_insert(why);
    }

    /// The versions page of `name`, fetched once.
    pub fn versions(&self, name: &PackageName) -> Result<Arc<PackageVersions>, Fatal> {
        if let Some(versions) = self.memory.borrow().versions.get(name) {
            return Ok(versions.clone());
        }
        let versions = self
            .source
            .versions(name)
            .map_err(|error| Fatal(error.to_string()))?;
        self.memory
            .borrow_mut()
            .versions
            .insert(name.clone(), versions.clone());
        Ok(versions)
    }

    /// Whether the pre-release policy keeps pre-releases of `name` out entirely (for the
    /// hint that one would satisfy).
    pub(crate) fn never_prereleases(&self, name: &PackageName) -> bool {
        self.prerelease_policy(name) == Prereleases::Never
    }

    /// When pre-releases of `name` may be chosen, as uv 0.12 decides: stable releases
    /// first, and a pre-release only when no stable release in range can be used.
    fn prerelease_policy(&self, name: &PackageName) -> Prereleases {
        match self.options.prerelease {
            PrereleaseMode::Disallow => Prereleases::Never,
            PrereleaseMode::Allow => Prereleases::Always,
            PrereleaseMode::IfNecessary | PrereleaseMode::IfNecessaryOrExplicit => {
                Prereleases::Fallback
            }
            PrereleaseMode::Explicit if self.explicit_prerelease.contains(name) => {
                Prereleases::Fallback
            }
            PrereleaseMode::Explicit => Prereleases::Never,
        }
    }

    /// The file the target would install for one version, under the binary policy.
    fn pick_file(
        &self,
        name: &PackageName,
        entry: &crate::source::VersionEntry,
        yanked_ok: bool,
        allow_sdist: bool,
    ) -> Result<Option<DistRef>, Fatal> {
        let python = &self.options.python_version;
        let usable = |file: &&DistRef| {
            (yanked_ok || file.yanked.is_none())
                && python_allows(file.requires_python.as_ref(), python)
        };
        let candidates = candidates(entry)?;
        if !self.options.no_binary.contains(name)
            && let Some(wheel) = candidates.wheels.iter().find(usable)
        {
            return Ok(Some(wheel.clone()));
        }
        if allow_sdist
            && !self.options.only_binary.contains(name)
            && let Some(sdist) = candidates.sdist.as_ref().filter(usable)
        {
            return Ok(Some(sdist.clone()));
        }
        Ok(None)
    }

    /// The sdist of `entry` when it may be chosen as readily as a wheel: source builds of
    /// the package are allowed, and its metadata (read without a build) says a build
    /// compiles nothing.
    fn pure_sdist(
        &self,
        name: &PackageName,
        entry: &crate::source::VersionEntry,
        yanked_ok: bool,
    ) -> Result<Option<DistRef>, Fatal> {
        if !self.source_builds_allowed(name) {
            return Ok(None);
        }
        let Some(sdist) = self.pick_file(name, entry, yanked_ok, true)? else {
            return Ok(None);
        };
        if sdist.is_wheel {
            return Ok(None);
        }
        match self.source.metadata(name, &sdist) {
            Ok(metadata) if metadata.builds_extensions == Some(false) => Ok(Some(sdist)),
            Ok(metadata) => {
                // A compiling sdist that requires numpy: the package is a compiled numpy
                // dependent, so its other source-only releases are refused unread (each
                // read is a whole sdist: numba's 70 releases are 190 MB).
                let numpy = numpy_name();
                if metadata.requires_dist.iter().any(|requirement| {
                    requirement.name == numpy
                        && requirement.evaluate_markers(&self.options.markers, &[])
                }) {
                    self.memory
                        .borrow_mut()
                        .numpy_dependents
                        .insert(name.clone());
                }
                Ok(None)
            }
            Err(SourceError::Unusable(why)) => {
                self.note_source_only(
                    name,
                    &entry.version,
                    format!("no wheel of it fits the target, and {why}"),
                );
                Ok(None)
            }
            Err(SourceError::Fatal(why)) => Err(Fatal(why)),
        }
    }

    /// Why no file of `entry` is usable, for hints.
    fn explain_unusable(
        &self,
        name: &PackageName,
        entry: &crate::source::VersionEntry,
    ) -> Result<String, Fatal> {
        let python = &self.options.python_version;
        if entry.yanked.is_some() {
            return Ok("it was yanked (only a `==` pin of your own may take it)".to_string());
        }
        let candidates = candidates(entry)?;
        let (wheels, sdist) = (&candidates.wheels, candidates.sdist.as_ref());
        // Only the files the target could install matter: when all of them need another
        // Python, say which one.
        let mut installable = wheels.iter().chain(sdist).peekable();
        if installable.peek().is_some()
            && let Some(specifiers) = installable
                .map(|file| {
                    file.requires_python
                        .as_ref()
                        .filter(|spec| !spec.contains(python))
                })
                .collect::<Option<Vec<_>>>()
                .and_then(|specifiers| specifiers.first().copied())
        {
            return Ok(python_mismatch(specifiers, python));
        }
        if wheels.is_empty() && sdist.is_none() {
            return Ok(
                "it has no wheel for the target platform and no source distribution".to_string(),
            );
        }
        if self.options.only_binary.contains(name) && wheels.is_empty() {
            return Ok(
                "it has no wheel for the target and source builds are disabled (--only-binary)"
                    .to_string(),
            );
        }
        Ok("it has no file installable on the target".to_string())
    }

    /// Whether a source-only release of `name` may be chosen: not when the package
    /// is known to require numpy, unless the user allowed it.
    fn source_builds_allowed(&self, name: &PackageName) -> bool {
        self.options.allow_source.contains(name)
            || self.options.no_binary.contains(name)
            || !self.memory.borrow().numpy_dependents.contains(name)
    }

    fn choose(
        &self,
        name: &PackageName,
        range: &Ranges<Version>,
        base: bool,
    ) -> Result<Option<Version>, Fatal> {
        let versions = self.versions(name)?;
        let policy = self.prerelease_policy(name);
        let mut prerelease = policy == Prereleases::Always;
        let pinned = pinned_version(range).is_some();
        // Only your own `==` (a requirement or a constraint) may take a yanked release.
        let yanked_ok = pinned && self.first_party_pin(name);
        let attempts = {
            let mut memory = self.memory.borrow_mut();
            let attempts = memory.attempts.entry(name.clone()).or_insert(0);
            *attempts += 1;
            *attempts
        };
        let lowest = self.lowest_first(name);
        // Newest first, or oldest first under `--resolution lowest`.
        let in_range = |prerelease: bool| {
            let admitted = move |entry: &&crate::source::VersionEntry| {
                range.contains(&entry.version)
                    && (prerelease || pinned || !entry.version.any_prerelease())
            };
            let ordered: Box<dyn Iterator<Item = &crate::source::VersionEntry>> = if lowest {
                Box::new(versions.versions.iter().rev())
            } else {
                Box::new(versions.versions.iter())
            };
            ordered.filter(admitted)
        };
        let mut choice = None;
        // A preferred version (an earlier output's pin, or the lead target's in a universal
        // resolution) comes first within each round below, never ahead of the rounds: a pin
        // whose only file for this target is a compiling sdist must not beat a version
        // with a wheel, as it would not without the preference.
        let preferred = self.options.preferences.get(name).and_then(|preferred| {
            versions
                .get(preferred)
                .filter(|entry| range.contains(&entry.version))
        });
        // Binary first: a version with a usable wheel, or a pure-Python sdist whose
        // dependencies its files state, beats a newer source-only version that compiles.
        // Stable releases first; pre-releases in a second round when the policy allows.
        loop {
            for allow_sdist in [false, true] {
                if choice.is_some() {
                    break;
                }
                let source_allowed = allow_sdist && self.source_builds_allowed(name);
                // The file this round may choose for `entry`: a wheel, a pure sdist in the
                // first round, any allowed sdist in the second.
                let usable = |entry: &crate::source::VersionEntry| -> Result<_, Fatal> {
                    Ok(
                        match self.pick_file(name, entry, yanked_ok, source_allowed)? {
                            Some(dist) => Some(dist),
                            None if !allow_sdist => self.pure_sdist(name, entry, yanked_ok)?,
                            None => None,
                        },
                    )
                };
                if let Some(entry) = preferred
                    && let Some(dist) = usable(entry)?
                {
                    choice = Some((entry.version.clone(), dist));
                    break;
                }
                for entry in in_range(prerelease) {
                    if let Some(dist) = usable(entry)? {
                        choice = Some((entry.version.clone(), dist));
                        break;
                    }
                    if allow_sdist {
                        if source_allowed || candidates(entry)?.sdist.is_none() {
                            let why = self.explain_unusable(name, entry)?;
                            self.note(name, &entry.version, why);
                        } else {
                            self.note_source_only(
                                name,
                                &entry.version,
                                NUMPY_SOURCE_BUILD.to_string(),
                            );
                        }
                    }
                }
            }
            if choice.is_some() || prerelease || policy != Prereleases::Fallback {
                break;
            }
            prerelease = true;
        }
        let Some((mut version, mut dist)) = choice else {
            return Ok(None);
        };
        if base
            && attempts > 1
            && !pinned
            && !lowest
            && let Fit::Conflicts(culprits) = self.fit(name, &dist)
        {
            let searched = !self.memory.borrow().no_fit.contains(name);
            let found = if searched {
                self.newest_fitting(name, &in_range(prerelease).collect::<Vec<_>>(), &version)?
            } else {
                None
            };
            match found {
                Some((newest_fitting, its_dist)) => (version, dist) = (newest_fitting, its_dist),
                None => {
                    self.memory.borrow_mut().no_fit.insert(name.clone());
                    self.count_conflict(name, &culprits);
                }
            }
        }
        if attempts > 1 && self.source.fetches_ahead() {
            // The solver keeps rejecting this package: fetch the next candidates' metadata now.
            let mut ahead: Vec<(Version, DistRef)> = Vec::new();
            for entry in in_range(prerelease)
                .filter(|entry| (entry.version < version) != lowest)
                .take(PREFETCH_BATCH)
            {
                if let Some(dist) = self.pick_file(name, entry, yanked_ok, false)? {
                    ahead.push((entry.version.clone(), dist));
                }
            }
            let dists: Vec<DistRef> = ahead.iter().map(|(_, dist)| dist.clone()).collect();
            self.source.prefetch_metadata(name, &dists);
            if let Some(abi) = self.abi
                && self.memory.borrow().numpy_dependents.contains(name)
            {
                abi.prefetch(name, &ahead);
            }
        }
        self.memory
            .borrow_mut()
            .chosen
            .insert((name.clone(), version.clone()), dist);
        Ok(Some(version))
    }

    /// Whether your own requirements or constraints pin `name` to one release.
    fn first_party_pin(&self, name: &PackageName) -> bool {
        self.root
            .get(&PubPackage::Dist(name.clone()))
            .and_then(pinned_version)
            .is_some()
            || self
                .constraints
                .get(name)
                .and_then(pinned_version)
                .is_some()
    }

    /// Whether `name`'s oldest admitted version is tried first (`--resolution`).
    fn lowest_first(&self, name: &PackageName) -> bool {
        match self.options.resolution {
            ResolutionStrategy::Highest => false,
            ResolutionStrategy::Lowest => true,
            ResolutionStrategy::LowestDirect => {
                self.root.contains_key(&PubPackage::Dist(name.clone()))
            }
        }
    }

    /// Counts a choice the solver will reject, against `name` (affected) and the packages
    /// whose decisions it conflicts with (culprits); past the limit, asks for a restart
    /// with the affected package decided early or the culprit late.
    fn count_conflict(&self, name: &PackageName, culprits: &[PackageName]) {
        if self.placed.len() >= MAX_RESTARTS {
            return;
        }
        let memory = &mut *self.memory.borrow_mut();
        let mut wanted = None;
        let affected = memory.affected.entry(name.clone()).or_insert(0);
        *affected += 1;
        if *affected >= CONFLICTS_BEFORE_RESTART && !self.placed.contains_key(name) {
            wanted = Some((name.clone(), Placement::Early));
        }
        for culprit in culprits {
            let count = memory.culprit.entry(culprit.clone()).or_insert(0);
            *count += 1;
            if *count >= CONFLICTS_BEFORE_RESTART && !self.placed.contains_key(culprit) {
                wanted = wanted.or(Some((culprit.clone(), Placement::Late)));
            }
        }
        if memory.restart.is_none() {
            memory.restart = wanted;
        }
    }

    /// How the requirements of `dist` stand against what the solver last said of the
    /// packages they name (`Memory::known`): a version that conflicts would be rejected
    /// as soon as the solver saw its dependencies.
    fn fit(&self, name: &PackageName, dist: &DistRef) -> Fit {
        let Ok(metadata) = self.source.metadata(name, dist) else {
            return Fit::Unusable;
        };
        if !python_allows(
            metadata.requires_python.as_ref(),
            &self.options.python_version,
        ) {
            return Fit::Unusable;
        }
        let memory = self.memory.borrow();
        let mut conflicts = false;
        let mut culprits = Vec::new();
        for requirement in &metadata.requires_dist {
            let Some(known) = memory.known.get(&requirement.name) else {
                continue;
            };
            if requirement.name == *name
                || !requirement.evaluate_markers(&self.options.markers, &[])
                || self
                    .overrides
                    .get(&requirement.name)
                    .cloned()
                    .or_else(|| self.range_of(requirement).and_then(Result::ok))
                    .is_none_or(|range| !range.is_disjoint(known))
            {
                continue;
            }
            conflicts = true;
            if known.as_singleton().is_some() {
                culprits.push(requirement.name.clone());
            }
        }
        if conflicts {
            Fit::Conflicts(culprits)
        } else {
            Fit::Fits
        }
    }

    /// The newest candidate below `rejected` whose requirements fit the versions already
    /// chosen, found by galloping down `entries` (newest first) and then bisecting, on the
    /// assumption that a package's requirements move monotonically with its version
    /// (boto3 and botocore, litellm and boto3). PubGrub would get there one release, and
    /// one dependency lookup, at a time; any version in the range is a valid choice, so a
    /// wrong guess costs only a conflict. Only the releases probed have their files read.
    /// `None` when no probe fits.
    fn newest_fitting(
        &self,
        name: &PackageName,
        entries: &[&crate::source::VersionEntry],
        rejected: &Version,
    ) -> Result<Option<(Version, DistRef)>, Fatal> {
        let below: Vec<&crate::source::VersionEntry> = entries
            .iter()
            .copied()
            .filter(|entry| entry.version < *rejected)
            .collect();
        // The first release at or after `at` with a wheel for the target, and that wheel.
        let usable_from = |at: usize| -> Result<Option<(usize, DistRef)>, Fatal> {
            for (index, entry) in below.iter().enumerate().skip(at) {
                if let Some(dist) = self.pick_file(name, entry, false, false)? {
                    return Ok(Some((index, dist)));
                }
            }
            Ok(None)
        };
        // Probes at 0, 1, 3, 7, ... and the oldest, fetched together.
        let mut probes: Vec<(usize, DistRef)> = Vec::new();
        let mut step = 1;
        while step - 1 < below.len() {
            if let Some(probe) = usable_from(step - 1)?
                && probes.last().is_none_or(|(last, _)| *last < probe.0)
            {
                probes.push(probe);
            }
            step *= 2;
        }
        if let Some(oldest) = below
            .len()
            .checked_sub(1)
            .map(usable_from)
            .transpose()?
            .flatten()
            && probes.last().is_none_or(|(last, _)| *last < oldest.0)
        {
            probes.push(oldest);
        }
        if self.source.fetches_ahead() {
            let dists: Vec<DistRef> = probes.iter().map(|(_, dist)| dist.clone()).collect();
            self.source.prefetch_metadata(name, &dists);
        }
        let mut low = 0;
        let mut best = None;
        for (index, dist) in probes {
            if self.fit(name, &dist) == Fit::Fits {
                best = Some((index, dist));
                break;
            }
            low = index + 1;
        }
        let Some((mut high, mut dist)) = best else {
            return Ok(None);
        };
        // Bisect [low, high) for an older fitting release; `high` fits.
        let mut search_end = high;
        while low < search_end {
            let middle = low + (search_end - low) / 2;
            match usable_from(middle)? {
                Some((index, candidate)) if index < search_end => {
                    if self.fit(name, &candidate) == Fit::Fits {
                        (high, dist) = (index, candidate);
                        search_end = index;
                    } else {
                        low = index + 1;
                    }
                }
                // Nothing usable between `middle` and the end of the search.
                _ => search_end = middle,
            }
        }
        Ok(Some((below[high].version.clone(), dist)))
    }

    fn metadata(
        &self,
        name: &PackageName,
        version: &Version,
    ) -> Result<Result<(DistRef, Arc<DistMetadata>), Unavailable>, Fatal> {
        let dist = self
            .memory
            .borrow()
            .chosen
            .get(&(name.clone(), version.clone()))
            .cloned();
        let Some(dist) = dist else {
            return Ok(Err(Unavailable(
                "no installable file was chosen for it".to_string(),
            )));
        };
        match self.source.metadata(name, &dist) {
            Ok(metadata) => Ok(Ok((dist, metadata))),
            Err(SourceError::Unusable(why)) if dist.is_wheel => {
                self.note(name, version, why.clone());
                Ok(Err(Unavailable(why)))
            }
            Err(SourceError::Unusable(why)) => {
                let why = format!("no wheel of it fits the target, and {why}");
                self.note_source_only(name, version, why.clone());
                Ok(Err(Unavailable(why)))
            }
            Err(SourceError::Fatal(why)) => Err(Fatal(why)),
        }
    }

    fn dist_dependencies(&self, name: &PackageName, version: &Version) -> Result<Edges, Fatal> {
        let (dist, metadata) = match self.metadata(name, version)? {
            Ok(found) => found,
            Err(why) => return Ok(Err(why)),
        };
        let python = &self.options.python_version;
        if !python_allows(metadata.requires_python.as_ref(), python) {
            let why = metadata
                .requires_python
                .as_ref()
                .map(|specifiers| python_mismatch(specifiers, python))
                .unwrap_or_default();
            self.note(name, version, why.clone());
            return Ok(Err(Unavailable(why)));
        }
        let mut edges = BTreeMap::new();
        let mut requires_numpy = false;
        let numpy = numpy_name();
        // `--no-deps`: no requirement becomes an edge, so the ABI bound cannot add numpy.
        let requirements: &[Requirement] = if self.options.no_deps {
            &[]
        } else {
            &metadata.requires_dist
        };
        for requirement in requirements {
            if !requirement.evaluate_markers(&self.options.markers, &[])
                || requirement.name == *name
            {
                continue;
            }
            requires_numpy |= requirement.name == numpy;
            let range = match self.range_of(requirement) {
                Some(Ok(range)) => range,
                Some(Err(why)) => return Ok(Err(Unavailable(why))),
                None => {
                    return Ok(Err(Unavailable(format!(
                        "it depends on `{requirement}`, a direct URL, which indexes must not serve (give the same URL as a requirement of your own to allow it)"
                    ))));
                }
            };
            self.add_edge(&mut edges, &requirement.name, &requirement.extras, range);
        }
        // A pure-Python sdist that requires numpy does not make its package a compiled
        // dependent (whose other source-only releases are refused).
        if requires_numpy && (dist.is_wheel || metadata.builds_extensions != Some(false)) {
            self.memory
                .borrow_mut()
                .numpy_dependents
                .insert(name.clone());
        }
        if !dist.is_wheel
            && let Some(source) = &metadata.static_source
        {
            self.memory
                .borrow_mut()
                .static_sources
                .insert((name.clone(), version.clone()), source.clone());
        }
        // A pure-Python sdist has no NumPy ABI: only one that compiles is refused.
        if !dist.is_wheel
            && requires_numpy
            && metadata.builds_extensions != Some(false)
            && !self.options.allow_source.contains(name)
            && !self.options.no_binary.contains(name)
        {
            let why = NUMPY_SOURCE_BUILD.to_string();
            self.note_source_only(name, version, why.clone());
            return Ok(Err(Unavailable(why)));
        }
        // A source build that compiles against numpy (allowed above): the NumPy its build
        // requirements would give it decides which it runs with.
        let source_bound = || {
            let newest_numpy = self
                .memory
                .borrow()
                .versions
                .get(&numpy)
                .and_then(|versions| {
                    versions
                        .versions
                        .iter()
                        .find(|entry| !entry.version.any_prerelease())
                        .map(|entry| entry.version.clone())
                });
            self.abi.and_then(|abi| {
                abi.source_bound(
                    name,
                    version,
                    &metadata.build_requires,
                    &self.options.markers,
                    newest_numpy.as_ref(),
                )
            })
        };
        let excluded = self.excluded_by_root(&edges);
        let bound = if excluded {
            None
        } else if dist.is_wheel {
            self.abi
                .and_then(|abi| abi.bound(name, version, &dist, requires_numpy))
        } else if requires_numpy && metadata.builds_extensions != Some(false) {
            source_bound()
        } else {
            None
        };
        if let Some(bound) = bound {
            // A bound that allows every numpy ("no C-API") records that the wheel was
            // checked. A package that does not require numpy gets its bound as an edge only
            // once numpy is known to be installed: a bound must not pull numpy in.
            if requires_numpy || (self.numpy_present && bound.numpy != Ranges::full()) {
                if !requires_numpy {
                    self.memory
                        .borrow_mut()
                        .abi_only_edges
                        .insert((name.clone(), version.clone()));
                }
                let entry = edges
                    .entry(PubPackage::Dist(numpy.clone()))
                    .or_insert_with(Ranges::full);
                let mut before = entry.clone();
                if let Some(constraint) = self.constraints.get(&numpy) {
                    before = before.intersection(constraint);
                }
                *entry = before.intersection(&bound.numpy);
                if *entry != before {
                    self.memory
                        .borrow_mut()
                        .abi_narrowed
                        .insert((name.clone(), version.clone()), before);
                }
            } else if bound.numpy != Ranges::full() {
                self.memory
                    .borrow_mut()
                    .conditional
                    .insert((name.clone(), version.clone()));
            }
            self.memory
                .borrow_mut()
                .abi
                .insert((name.clone(), version.clone()), bound);
        }
        // The Python names its code uses: a wheel only (an sdist's files are not read).
        if dist.is_wheel && !excluded {
            self.apply_api_bounds(name, version, &dist, &mut edges);
        }
        Ok(Ok(edges))
    }

    /// Narrows the edges of `name` `version` (its wheel `dist`) to the library releases that
    /// have the Python names its code uses at import (or at all, when the oracle enforces
    /// call-time uses), and records every bound found; in the first pass, only starts reading
    /// (see [`Provider::api_wait`]).
    fn apply_api_bounds(
        &self,
        name: &PackageName,
        version: &Version,
        dist: &DistRef,
        edges: &mut BTreeMap<PubPackage, Ranges<Version>>,
    ) {
        let Some(oracle) = self.abi else {
            return;
        };
        let declared: Vec<&PackageName> = edges
            .keys()
            .filter_map(|package| match package {
                PubPackage::Dist(dependency) => Some(dependency),
                _ => None,
            })
            .collect();
        if !self.api_wait {
            oracle.start_api_bounds(name, dist, &declared);
            self.memory
                .borrow_mut()
                .api_pending
                .insert((name.clone(), version.clone()));
            return;
        }
        let bounds = oracle.api_bounds(name, version, dist, &declared);
        if bounds.is_empty() {
            return;
        }
        for bound in bounds.iter().filter(|bound| bound.enforced) {
            let Some(entry) = edges.get_mut(&PubPackage::Dist(bound.library.clone())) else {
                continue;
            };
            let before = entry.clone();
            *entry = before.intersection(&bound.allowed);
            if *entry != before {
                self.memory.borrow_mut().api_narrowed.insert(
                    (name.clone(), version.clone(), bound.library.clone()),
                    before,
                );
            }
        }
        self.memory
            .borrow_mut()
            .api
            .insert((name.clone(), version.clone()), bounds);
    }

    /// Whether the ABI bound of `name` `version` is part of why it conflicts: it narrowed the
    /// version's edge to numpy, and (when you require numpy yourself) its metadata alone
    /// would still have allowed a numpy you accept.
    pub(crate) fn abi_is_a_cause(&self, name: &PackageName, version: &Version) -> bool {
        let memory = self.memory.borrow();
        let Some(metadata) = memory.abi_narrowed.get(&(name.clone(), version.clone())) else {
            return false;
        };
        match self.root.get(&PubPackage::Dist(numpy_name())) {
            Some(root) => !root.is_disjoint(metadata),
            None => true,
        }
    }

    /// Whether one of these edges can never hold beside the root's own requirements or
    /// constraints (a version that needs `torch>=2.2` when you pinned `torch==2.1.2`, or
    /// constrained it so in a `-c` file): such a version is
    /// never chosen, so its ABI bound need not be read (a scan costs real bytes). PubGrub
    /// still learns why from the edge itself.
    fn excluded_by_root(&self, edges: &BTreeMap<PubPackage, Ranges<Version>>) -> bool {
        // An edge is already narrowed by the constraints (`add_edge`): empty means a
        // constraint rules the version out.
        edges.iter().any(|(package, range)| {
            range.is_empty()
                || self
                    .root
                    .get(package)
                    .is_some_and(|root| root.is_disjoint(range))
        })
    }

    fn extra_dependencies(
        &self,
        name: &PackageName,
        extra: &ExtraName,
        version: &Version,
    ) -> Result<Edges, Fatal> {
        let (_, metadata) = match self.metadata(name, version)? {
            Ok(found) => found,
            Err(why) => return Ok(Err(why)),
        };
        let mut edges = BTreeMap::new();
        edges.insert(
            PubPackage::Dist(name.clone()),
            Ranges::singleton(version.clone()),
        );
        let extras = std::slice::from_ref(extra);
        let requirements: &[Requirement] = if self.options.no_deps {
            &[]
        } else {
            &metadata.requires_dist
        };
        for requirement in requirements {
            let with_extra = requirement.evaluate_markers(&self.options.markers, extras);
            if !with_extra || requirement.evaluate_markers(&self.options.markers, &[]) {
                continue;
            }
            let range = match self.range_of(requirement) {
                Some(Ok(range)) => range,
                Some(Err(why)) => return Ok(Err(Unavailable(why))),
                None => {
                    return Ok(Err(Unavailable(format!(
                        "its extra `{extra}` depends on `{requirement}`, a direct URL (give the same URL as a requirement of your own to allow it)"
                    ))));
                }
            };
            if requirement.name == *name {
                // `pandas[all]` requiring `pandas[performance]`: only the extras matter.
                for other in &requirement.extras {
                    if other != extra {
                        let entry = edges
                            .entry(PubPackage::Extra(name.clone(), other.clone()))
                            .or_insert_with(Ranges::full);
                        *entry = entry.intersection(&Ranges::singleton(version.clone()));
                    }
                }
                continue;
            }
            self.add_edge(&mut edges, &requirement.name, &requirement.extras, range);
        }
        if !metadata.provides_extras.is_empty() && !metadata.provides_extras.contains(extra) {
            self.note(
                name,
                version,
                format!("it has no extra `{extra}` (ignored)"),
            );
        }
        Ok(Ok(edges))
    }

    fn discover(&self, edges: &BTreeMap<PubPackage, Ranges<Version>>) {
        let mut memory = self.memory.borrow_mut();
        for (package, range) in edges {
            let next = memory.discovered.len();
            if !memory.discovered.contains_key(package) {
                memory.discovered.insert(package.clone(), next);
                if let PubPackage::Dist(name) = package
                    && !memory.versions.contains_key(name)
                {
                    self.source.prefetch(name, range);
                }
            }
        }
    }
}

/// The candidates of `entry`; failing to read them stops the solver.
fn candidates(entry: &crate::source::VersionEntry) -> Result<&crate::source::Candidates, Fatal> {
    entry.candidates().map_err(|error| Fatal(error.to_string()))
}

/// The normalised name `numpy`.
pub(crate) fn numpy_name() -> PackageName {
    PackageName::new("numpy".to_string()).expect("`numpy` is a valid package name")
}

impl pubgrub::DependencyProvider for Provider<'_> {
    type P = PubPackage;
    type V = Version;
    type VS = Ranges<Version>;
    type M = Unavailable;
    /// Root first, then pinned packages, then those placed early, then constrained ones,
    /// then the rest, then those placed late; within a tier the most conflicted, then the
    /// first discovered.
    type Priority = (u8, u32, Reverse<usize>);
    type Err = Fatal;

    fn prioritize(
        &self,
        package: &PubPackage,
        range: &Ranges<Version>,
        statistics: &PackageResolutionStatistics,
    ) -> Self::Priority {
        let discovered = self
            .memory
            .borrow()
            .discovered
            .get(package)
            .copied()
            .unwrap_or(usize::MAX);
        // Only undecided packages are prioritized: this is what the solver says of it now.
        if let PubPackage::Dist(name) = package {
            self.memory
                .borrow_mut()
                .known
                .insert(name.clone(), range.clone());
        }
        // A package someone constrained is decided before one nobody did: `pandas<2.2.2`
        // with a bare `numpy` picks pandas first and lets numpy follow its cap, whatever
        // the line order. A placed package goes before the constrained ones, or last.
        let tier = match package {
            PubPackage::Root => 5,
            _ if pinned_version(range).is_some() => 4,
            PubPackage::Dist(name) if self.placed.get(name) == Some(&Placement::Early) => 3,
            PubPackage::Dist(name) if self.placed.get(name) == Some(&Placement::Late) => 0,
            _ if *range != Ranges::full() => 2,
            _ => 1,
        };
        (tier, statistics.conflict_count(), Reverse(discovered))
    }

    fn should_cancel(&self) -> Result<(), Fatal> {
        match &self.memory.borrow().restart {
            // Never shown: `solve_restarting` runs again instead.
            Some((name, _)) => Err(Fatal(format!("restart to place `{name}`"))),
            None => Ok(()),
        }
    }

    fn choose_version(
        &self,
        package: &PubPackage,
        range: &Ranges<Version>,
    ) -> Result<Option<Version>, Fatal> {
        match package {
            PubPackage::Root => Ok(Some(Version::new([0]))),
            PubPackage::Dist(name) => {
                let choice = self.choose(name, range, true)?;
                if let Some(version) = &choice {
                    self.memory
                        .borrow_mut()
                        .known
                        .insert(name.clone(), Ranges::singleton(version.clone()));
                }
                Ok(choice)
            }
            PubPackage::Extra(name, _) => {
                // `kombu[redis]` after `kombu` was decided: its own newest version would
                // only conflict with `kombu==decided`, and walking down from there costs
                // one lookup per release in between.
                let base = self
                    .memory
                    .borrow()
                    .known
                    .get(name)
                    .and_then(|known| known.as_singleton().cloned());
                if let Some(version) = base.filter(|version| range.contains(version))
                    && self
                        .memory
                        .borrow()
                        .chosen
                        .contains_key(&(name.clone(), version.clone()))
                {
                    return Ok(Some(version));
                }
                self.choose(name, range, false)
            }
        }
    }

    fn get_dependencies(
        &self,
        package: &PubPackage,
        version: &Version,
    ) -> Result<Dependencies<PubPackage, Ranges<Version>, Unavailable>, Fatal> {
        let edges = match package {
            PubPackage::Root => Ok(self.root.clone()),
            PubPackage::Dist(name) => self.dist_dependencies(name, version)?,
            PubPackage::Extra(name, extra) => self.extra_dependencies(name, extra, version)?,
        };
        let edges = match edges {
            Ok(edges) => edges,
            Err(why) => return Ok(Dependencies::Unavailable(why)),
        };
        self.discover(&edges);
        self.memory
            .borrow_mut()
            .edges
            .insert((package.clone(), version.clone()), edges.clone());
        // Sorted by package, so the solver sees the same edges whatever the input order.
        Ok(Dependencies::Available(DependencyConstraints::from_iter(
            edges,
        )))
    }
}
