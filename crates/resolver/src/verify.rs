//! Checking an existing set of pins without resolving: every problem, not the first.

use std::collections::{BTreeMap, BTreeSet};

use pep440_rs::{Operator, Version};
use pep508_rs::{PackageName, Requirement, VersionOrUrl};
use version_ranges::Ranges;

use crate::options::{AbiOracle, ResolveOptions};
use crate::provider::{numpy_name, requirement_range};
use crate::report::format_range;
use crate::source::{DistRef, PackageSource, SourceError};

/// One line of a pinned file, as the checker sees it.
#[derive(Debug, Clone)]
pub struct PinnedLine {
    /// The requirement as written.
    pub requirement: Requirement,
    /// Where it was written, e.g. `requirements.txt`.
    pub file: String,
    /// Its 1-based line.
    pub line: usize,
    /// `--hash` values (or a lock file's file hashes) as `algorithm:hexdigest`; when any are
    /// sha256, an installer accepts only the files they name.
    pub hashes: Vec<String>,
}

/// What is wrong with a pin.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum ProblemKind {
    /// Not pinned to one exact version.
    NotPinned,
    /// The version does not exist on the index.
    UnknownVersion,
    /// The pinned release was yanked.
    Yanked,
    /// No file of the release installs on the target.
    NoFileForTarget,
    /// The line's hashes name no file that installs on the target: an installer checking
    /// hashes would refuse the pin.
    HashMismatch,
    /// A dependency is missing from the set or pinned outside its range.
    UnsatisfiedDependency,
    /// The pinned wheel's binaries cannot run with the pinned numpy.
    AbiConflict,
    /// A compiled wheel that requires numpy, with no ABI facts: a warning, not a failure.
    AbiUnchecked,
    /// Only a pure-Python source distribution installs on the target (an installer builds
    /// it, compiling nothing): a warning, not a failure.
    SourceOnly,
    /// The pinned wheel's code uses at import a name the pinned library (numpy, scipy,
    /// pandas) lacks: importing it fails.
    ApiBreak,
    /// The pinned wheel's code uses inside a function a name the pinned library lacks:
    /// calling it fails. A warning unless the oracle binds call-time uses (`--api-scan
    /// strict`).
    ApiCallBreak,
}

impl ProblemKind {
    /// A stable identifier for machine-readable output.
    pub fn code(self) -> &'static str {
        match self {
            ProblemKind::NotPinned => "not-pinned",
            ProblemKind::UnknownVersion => "unknown-version",
            ProblemKind::Yanked => "yanked",
            ProblemKind::NoFileForTarget => "no-file-for-target",
            ProblemKind::HashMismatch => "hash-mismatch",
            ProblemKind::UnsatisfiedDependency => "unsatisfied-dependency",
            ProblemKind::AbiConflict => "abi-conflict",
            ProblemKind::AbiUnchecked => "abi-unchecked",
            ProblemKind::SourceOnly => "source-only",
            ProblemKind::ApiBreak => "api-break",
            ProblemKind::ApiCallBreak => "api-call-break",
        }
    }

    /// Whether this kind only warns (it does not fail `npsolve check`).
    pub fn is_warning(self) -> bool {
        matches!(
            self,
            ProblemKind::AbiUnchecked | ProblemKind::SourceOnly | ProblemKind::ApiCallBreak
        )
    }
}

/// One problem found in a pinned file.
#[derive(Debug, Clone)]
pub struct Problem {
    /// What kind of problem.
    pub kind: ProblemKind,
    /// The package the problem is reported on.
    pub package: PackageName,
    /// The file it is reported in.
    pub file: String,
    /// The line it is reported on.
    pub line: usize,
    /// What is wrong, naming the rule and its source.
    pub message: String,
    /// The smallest fix, when one is known.
    pub fix: Option<String>,
}

/// A source failure while checking pins: a page that cannot be read stops the check, even
/// one the source calls unusable (there is no other version to fall back on).
fn stops_the_check(error: SourceError) -> SourceError {
    match error {
        SourceError::Unusable(why) => SourceError::Fatal(why),
        fatal => fatal,
    }
}

/// Checks `pins` for the target in `options`: exact pins, existence, yanked releases,
/// dependencies satisfied by the set, and NumPy ABI compatibility. Problems are
/// sorted by line, then kind. Errors are only the source's fatal ones.
pub fn verify(
    pins: &[PinnedLine],
    options: &ResolveOptions,
    source: &dyn PackageSource,
    abi: Option<&dyn AbiOracle>,
) -> Result<Vec<Problem>, SourceError> {
    let mut problems = Vec::new();
    let mut pinned: BTreeMap<PackageName, (Version, &PinnedLine)> = BTreeMap::new();
    for line in pins {
        if !line.requirement.evaluate_markers(&options.markers, &[]) {
            continue;
        }
        // A pin by URL is the one version the engine read from it.
        let by_url = || {
            crate::direct_url(&line.requirement)?;
            Some(options.direct.get(&line.requirement.name)?.version.clone())
        };
        match exact_version(&line.requirement).or_else(by_url) {
            Some(version) => {
                pinned.insert(line.requirement.name.clone(), (version, line));
            }
            None => problems.push(problem(
                ProblemKind::NotPinned,
                line,
                format!(
                    "`{}` is not pinned to one version (`==X.Y`)",
                    line.requirement
                ),
                None,
            )),
        }
    }
    for name in pinned.keys() {
        source.prefetch(name, &Ranges::full());
    }
    let numpy = numpy_name();
    let mut wheels = Vec::new();
    for (name, (version, line)) in &pinned {
        let versions = source.versions(name).map_err(stops_the_check)?;
        let Some(entry) = versions.get(version) else {
            problems.push(problem(
                ProblemKind::UnknownVersion,
                line,
                format!("`{name}` {version} is not on the index"),
                None,
            ));
            continue;
        };
        if let Some(reason) = &entry.yanked {
            let reason = if reason.is_empty() {
                String::new()
            } else {
                format!(": {reason}")
            };
            problems.push(problem(
                ProblemKind::Yanked,
                line,
                format!("`{name}` {version} was yanked{reason}"),
                None,
            ));
        }
        let python = &options.python_version;
        let usable = |file: &&DistRef| {
            file.requires_python
                .as_ref()
                .is_none_or(|spec| spec.contains(python))
        };
        // With hashes, an installer only considers the files they name (pip filters its
        // candidates by them), so the file that would be installed is the best hashed one.
        let allowed: BTreeSet<&str> = line
            .hashes
            .iter()
            .filter_map(|hash| hash.strip_prefix("sha256:"))
            .collect();
        let hashed = |file: &&DistRef| {
            allowed.is_empty()
                || file
                    .sha256
                    .as_deref()
                    .is_none_or(|sha256| allowed.contains(sha256.to_ascii_lowercase().as_str()))
        };
        let candidates = entry.candidates().map_err(stops_the_check)?;
        let installable = candidates
            .wheels
            .iter()
            .find(usable)
            .or(candidates.sdist.as_ref().filter(usable));
        let chosen = candidates
            .wheels
            .iter()
            .filter(usable)
            .find(hashed)
            .or(candidates.sdist.as_ref().filter(usable).filter(hashed));
        if let (Some(best), None) = (installable, chosen) {
            problems.push(problem(
                ProblemKind::HashMismatch,
                line,
                format!(
                    "none of the {} sha256 hashes given for it matches a file of `{name}` {version} that installs on the target (e.g. `{}`): an installer checking hashes would refuse it",
                    allowed.len(),
                    best.filename
                ),
                Some("regenerate the hashes (`npsolve compile --generate-hashes`)".to_string()),
            ));
            continue;
        }
        let Some(dist) = chosen else {
            problems.push(problem(
                ProblemKind::NoFileForTarget,
                line,
                format!("no file of `{name}` {version} installs on the target (Python {python})"),
                None,
            ));
            continue;
        };
        let mut requires_numpy = false;
        let mut declared: Vec<PackageName> = Vec::new();
        let metadata = source.metadata(name, dist);
        if !dist.is_wheel {
            let pure = metadata
                .as_ref()
                .ok()
                .filter(|metadata| metadata.builds_extensions == Some(false));
            problems.push(match pure {
                Some(metadata) => problem(
                    ProblemKind::SourceOnly,
                    line,
                    format!(
                        "`{name}` {version} is source-only for the target: an installer builds its pure-Python sdist{}",
                        metadata
                            .static_source
                            .as_ref()
                            .map(|source| format!(" (dependencies read from {source})"))
                            .unwrap_or_default()
                    ),
                    None,
                ),
                None => problem(
                    ProblemKind::NoFileForTarget,
                    line,
                    format!(
                        "no wheel of `{name}` {version} fits the target: an installer would build it from source"
                    ),
                    None,
                ),
            });
        }
        match metadata {
            Ok(metadata) => {
                requires_numpy = metadata.requires_dist.iter().any(|requirement| {
                    requirement.name == numpy && requirement.evaluate_markers(&options.markers, &[])
                });
                for requirement in &metadata.requires_dist {
                    if requirement.name == *name
                        || !requirement.evaluate_markers(&options.markers, &[])
                    {
                        continue;
                    }
                    declared.push(requirement.name.clone());
                    let range = requirement_range(requirement).unwrap_or_else(Ranges::full);
                    match pinned.get(&requirement.name) {
                        Some((other, _)) if range.contains(other) => {}
                        Some((other, other_line)) => problems.push(problem(
                            ProblemKind::UnsatisfiedDependency,
                            line,
                            format!(
                                "`{name}` {version} requires `{requirement}`, but line {} pins `{}=={other}`",
                                other_line.line, requirement.name
                            ),
                            None,
                        )),
                        None => problems.push(problem(
                            ProblemKind::UnsatisfiedDependency,
                            line,
                            format!("`{name}` {version} requires `{requirement}`, which the file does not pin"),
                            None,
                        )),
                    }
                }
            }
            Err(SourceError::Unusable(_)) if !dist.is_wheel => {}
            Err(SourceError::Unusable(why)) => problems.push(problem(
                ProblemKind::NoFileForTarget,
                line,
                format!("the dependencies of `{name}` {version} cannot be read: {why}"),
                None,
            )),
            Err(fatal) => return Err(fatal),
        }
        if dist.is_wheel {
            wheels.push((name, version, *line, dist.clone(), requires_numpy, declared));
        }
    }
    if let Some(abi) = abi {
        // Scans of uncovered wheels run side by side before the answers are awaited.
        for (name, version, _, dist, requires_numpy, declared) in &wheels {
            if *requires_numpy {
                abi.prefetch(name, &[((*version).clone(), dist.clone())]);
            }
            // Starts reading the wheel's sources; the answer is awaited below.
            let declared: Vec<&PackageName> = declared.iter().collect();
            abi.start_api_bounds(name, dist, &declared);
        }
        for (name, version, line, dist, requires_numpy, declared) in &wheels {
            if let Some(found) = abi_problem(
                abi,
                source,
                &pinned,
                (name, version, line),
                dist,
                *requires_numpy,
            )? {
                problems.push(found);
            }
            let declared: Vec<&PackageName> = declared.iter().collect();
            problems.extend(api_problems(
                abi,
                &pinned,
                (name, version, line),
                dist,
                &declared,
            ));
        }
    }
    problems.sort_by(|a, b| (a.line, a.kind, &a.message).cmp(&(b.line, b.kind, &b.message)));
    Ok(problems)
}

/// The Python-API problems of one pinned wheel: each bound its code sets on a library it
/// requires that the pinned library version falls outside.
fn api_problems(
    oracle: &dyn AbiOracle,
    pinned: &BTreeMap<PackageName, (Version, &PinnedLine)>,
    (name, version, line): (&PackageName, &Version, &PinnedLine),
    dist: &DistRef,
    declared: &[&PackageName],
) -> Vec<Problem> {
    let mut problems = Vec::new();
    for bound in oracle.api_bounds(name, version, dist, declared) {
        let Some((library_version, library_line)) = pinned.get(&bound.library) else {
            continue;
        };
        if bound.allowed.contains(library_version) {
            continue;
        }
        let kind = if bound.enforced {
            ProblemKind::ApiBreak
        } else {
            ProblemKind::ApiCallBreak
        };
        problems.push(problem(
            kind,
            line,
            format!(
                "{}, but line {} pins `{}=={library_version}`: {}",
                bound.summary, library_line.line, bound.library, bound.reason
            ),
            Some(format!(
                "pin `{}{}`, or a release of `{name}` that no longer uses the name",
                bound.library,
                format_range(&bound.allowed)
            )),
        ));
    }
    problems
}

/// The ABI problem of one pinned wheel, if any: unchecked (a warning) or a conflict with
/// the pinned numpy, with the smallest fix.
fn abi_problem(
    abi: &dyn AbiOracle,
    source: &dyn PackageSource,
    pinned: &BTreeMap<PackageName, (Version, &PinnedLine)>,
    (name, version, line): (&PackageName, &Version, &PinnedLine),
    dist: &DistRef,
    requires_numpy: bool,
) -> Result<Option<Problem>, SourceError> {
    let numpy = numpy_name();
    let bound = abi.bound(name, version, dist, requires_numpy);
    if bound.is_none() && requires_numpy && !dist.filename.ends_with("-none-any.whl") {
        return Ok(Some(problem(
            ProblemKind::AbiUnchecked,
            line,
            format!(
                "`{name}` {version} is a compiled wheel that requires numpy, and npsolve has no NumPy ABI facts for it: its NumPy compatibility is unchecked"
            ),
            None,
        )));
    }
    let (Some(bound), Some((numpy_version, numpy_line))) = (bound, pinned.get(&numpy)) else {
        return Ok(None);
    };
    if bound.numpy.contains(numpy_version) {
        return Ok(None);
    }
    let numpy_versions = source.versions(&numpy)?;
    let best_numpy = numpy_versions
        .versions
        .iter()
        .find(|entry| bound.numpy.contains(&entry.version) && !entry.version.any_prerelease())
        .map(|entry| entry.version.clone());
    let mut fixes = Vec::new();
    if let Some(best) = best_numpy {
        fixes.push(format!("pin numpy=={best} (line {})", numpy_line.line));
    }
    if below_floor(&bound.numpy, numpy_version)
        && let Some(older) =
            older_release_for(abi, source, (name, version), numpy_version, requires_numpy)?
    {
        fixes.push(format!(
            "or pin {name}=={older}, the newest older release whose wheel runs with numpy=={numpy_version}"
        ));
    }
    if let Some(first) = bound
        .first_newer_build
        .as_ref()
        .filter(|_| !bound.numpy.contains(&Version::new([2])))
    {
        fixes.push(format!(
            "or upgrade to {name}>={first}, the first release built against NumPy 2"
        ));
    }
    Ok(Some(Problem {
        kind: ProblemKind::AbiConflict,
        package: name.clone(),
        file: line.file.clone(),
        line: line.line,
        message: format!(
            "`{name}` {version} cannot run with numpy=={numpy_version} (line {}): it needs numpy{}. {}",
            numpy_line.line,
            format_range(&bound.numpy),
            bound.reason
        ),
        fix: (!fixes.is_empty()).then(|| fixes.join(" ")),
    }))
}

/// Whether `numpy` lies below every version of `range` (the wheel's floor is above it).
fn below_floor(range: &Ranges<Version>, numpy: &Version) -> bool {
    match range.bounding_range() {
        Some((std::ops::Bound::Included(low), _)) => numpy < low,
        Some((std::ops::Bound::Excluded(low), _)) => numpy <= low,
        _ => false,
    }
}

/// How many older releases are tried for a fix.
const OLDER_RELEASES_TRIED: usize = 12;

/// The newest release of `name` older than `version` (stable, not yanked) whose best wheel
/// for the target is known to run with `numpy`, among the next few. A release whose wheel has
/// no verdict is not offered: it is not known to run.
fn older_release_for(
    abi: &dyn AbiOracle,
    source: &dyn PackageSource,
    (name, version): (&PackageName, &Version),
    numpy: &Version,
    requires_numpy: bool,
) -> Result<Option<Version>, SourceError> {
    let versions = source.versions(name)?;
    let older = versions
        .versions
        .iter()
        .filter(|entry| entry.version < *version && !entry.version.any_prerelease())
        .filter(|entry| entry.yanked.is_none())
        .take(OLDER_RELEASES_TRIED);
    for entry in older {
        let candidates = entry.candidates()?;
        let Some(wheel) = candidates.wheels.first() else {
            continue;
        };
        let runs = abi
            .bound(name, &entry.version, wheel, requires_numpy)
            .is_some_and(|bound| bound.numpy.contains(numpy));
        if runs {
            return Ok(Some(entry.version.clone()));
        }
    }
    Ok(None)
}

fn problem(kind: ProblemKind, line: &PinnedLine, message: String, fix: Option<String>) -> Problem {
    Problem {
        kind,
        package: line.requirement.name.clone(),
        file: line.file.clone(),
        line: line.line,
        message,
        fix,
    }
}

/// The version of an exact `==X.Y` pin (no wildcard, one specifier).
fn exact_version(requirement: &Requirement) -> Option<Version> {
    let Some(VersionOrUrl::VersionSpecifier(specifiers)) = &requirement.version_or_url else {
        return None;
    };
    match specifiers.iter().as_slice() {
        [specifier] if matches!(specifier.operator(), Operator::Equal | Operator::ExactEqual) => {
            Some(specifier.version().clone())
        }
        _ => None,
    }
}
