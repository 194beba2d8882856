//! The entry point: run PubGrub and turn its answer into a [`Resolution`].

use std::collections::{BTreeMap, BTreeSet};
use std::ops::Bound;

use pep440_rs::Version;
use pep508_rs::PackageName;
use pubgrub::PubGrubError;

use crate::error::ResolveError;
use crate::options::{AbiOracle, ResolveOptions, RootRequirement};
use crate::package::PubPackage;
use crate::provider::{Placement, Provider, numpy_name};
use crate::report::explain;
use crate::resolution::{Pin, Resolution};
use crate::source::PackageSource;

/// PubGrub's answer: a version for every package.
type Solution = pubgrub::SelectedDependencies<PubPackage, pep440_rs::Version>;

/// One PubGrub run over `provider`.
fn solve(
    provider: &Provider<'_>,
    origins: &BTreeMap<PackageName, Vec<String>>,
) -> Result<Solution, ResolveError> {
    match pubgrub::resolve(provider, PubPackage::Root, pep440_rs::Version::new([0])) {
        Ok(solution) => Ok(solution),
        Err(PubGrubError::NoSolution(tree)) => {
            let explanation = explain(&tree, provider, origins, &[]);
            Err(ResolveError::NoSolution {
                report: explanation.short,
                full: explanation.full,
                roots: explanation.roots,
            })
        }
        Err(PubGrubError::ErrorChoosingVersion { source, .. })
        | Err(PubGrubError::ErrorRetrievingDependencies { source, .. })
        | Err(PubGrubError::ErrorInShouldCancel(source)) => Err(ResolveError::Source(source.0)),
    }
}

/// Runs PubGrub until a run ends without asking for a restart. A package that kept
/// conflicting with decisions already made is placed (decided early, or late) for the runs
/// after, as uv's conflict priorities do; pubgrub's own loop cannot reorder decisions it
/// has made, so the placement takes a fresh run. Starts from `placed` (a previous pass's
/// placements); the provider returned holds every placement made.
fn solve_restarting<'a>(
    requirements: &[RootRequirement],
    options: &'a ResolveOptions,
    source: &'a dyn PackageSource,
    abi: Option<&'a dyn AbiOracle>,
    pass: Pass,
    mut placed: BTreeMap<PackageName, Placement>,
    origins: &BTreeMap<PackageName, Vec<String>>,
) -> Result<(Provider<'a>, Solution), ResolveError> {
    loop {
        let mut provider =
            Provider::new(source, abi, options, requirements).map_err(ResolveError::Unsupported)?;
        provider.numpy_present = pass.numpy_present;
        provider.api_wait = pass.api_wait;
        provider.placed = placed.clone();
        let outcome = solve(&provider, origins);
        let restart = provider.memory.borrow_mut().restart.take();
        match (outcome, restart) {
            (Err(_), Some((name, placement))) => {
                placed.insert(name, placement);
            }
            (outcome, _) => return outcome.map(|solution| (provider, solution)),
        }
    }
}

/// What a run of the solver knows from the runs before it.
#[derive(Debug, Clone, Copy, Default)]
struct Pass {
    /// numpy is in the answer: conditional ABI bounds are edges.
    numpy_present: bool,
    /// Wait for every wheel's sources before making its edges.
    api_wait: bool,
}

/// Waits for the API bounds of the solution's pins whose edges were made without them,
/// records them, and tells whether one excludes the library version the solution pins (then
/// the resolution runs again with every bound as an edge).
fn violates_pending_api_bound(
    provider: &Provider<'_>,
    solution: &Solution,
    abi: Option<&dyn AbiOracle>,
) -> bool {
    let Some(abi) = abi else {
        return false;
    };
    let mut pending: Vec<(PackageName, Version)> = provider
        .memory
        .borrow()
        .api_pending
        .iter()
        .filter(|(name, version)| solution.get(&PubPackage::Dist(name.clone())) == Some(version))
        .cloned()
        .collect();
    pending.sort();
    let mut violated = false;
    for (name, version) in pending {
        let key = (PubPackage::Dist(name.clone()), version.clone());
        let (dist, declared) = {
            let memory = provider.memory.borrow();
            let Some(dist) = memory.chosen.get(&(name.clone(), version.clone())).cloned() else {
                continue;
            };
            let declared: Vec<PackageName> = memory
                .edges
                .get(&key)
                .into_iter()
                .flat_map(|edges| edges.keys().filter_map(PubPackage::name).cloned())
                .collect();
            (dist, declared)
        };
        let declared: Vec<&PackageName> = declared.iter().collect();
        let bounds = abi.api_bounds(&name, &version, &dist, &declared);
        violated |= bounds.iter().any(|bound| {
            bound.enforced
                && solution
                    .get(&PubPackage::Dist(bound.library.clone()))
                    .is_some_and(|pinned| !bound.allowed.contains(pinned))
        });
        if !bounds.is_empty() {
            provider
                .memory
                .borrow_mut()
                .api
                .insert((name, version), bounds);
        }
    }
    violated
}

/// Whether the solution pins numpy at a version that a recorded-only (conditional) ABI bound
/// excludes.
fn violates_conditional_bound(provider: &Provider<'_>, solution: &Solution) -> bool {
    let Some(numpy) = solution.get(&PubPackage::Dist(numpy_name())) else {
        return false;
    };
    let memory = provider.memory.borrow();
    memory.conditional.iter().any(|(name, version)| {
        solution.get(&PubPackage::Dist(name.clone())) == Some(version)
            && memory
                .abi
                .get(&(name.clone(), version.clone()))
                .is_some_and(|bound| !bound.numpy.contains(numpy))
    })
}

/// At most this many of your requirements are tried without their bounds for a fix.
const MAX_FIX_TRIALS: usize = 4;

/// The smallest changes that make an impossible resolution possible, as one line: each of
/// your requirements the derivation names (at most [`MAX_FIX_TRIALS`]) is tried without its
/// version bound, and every one whose removal lets the rest resolve is named, with the version
/// npsolve would then pick. `None` when no single one does. Costs a resolution per trial, on
/// metadata the failed run mostly read already.
fn fixes(
    requirements: &[RootRequirement],
    options: &ResolveOptions,
    source: &dyn PackageSource,
    abi: Option<&dyn AbiOracle>,
    origins: &BTreeMap<PackageName, Vec<String>>,
    roots: &[PackageName],
) -> Option<String> {
    let mut found = Vec::new();
    for name in roots.iter().take(MAX_FIX_TRIALS) {
        let bounded: Vec<&RootRequirement> = requirements
            .iter()
            .filter(|root| {
                root.requirement.name == *name
                    && matches!(
                        root.requirement.version_or_url,
                        Some(pep508_rs::VersionOrUrl::VersionSpecifier(_))
                    )
            })
            .collect();
        if bounded.is_empty() {
            continue;
        }
        let widened: Vec<RootRequirement> = requirements
            .iter()
            .map(|root| {
                let mut root = root.clone();
                if root.requirement.name == *name {
                    root.requirement.version_or_url = None;
                }
                root
            })
            .collect();
        let Ok((_, solution)) = solve_restarting(
            &widened,
            options,
            source,
            abi,
            Pass::default(),
            BTreeMap::new(),
            origins,
        ) else {
            continue;
        };
        let Some(version) = solution.get(&PubPackage::Dist(name.clone())) else {
            continue;
        };
        let written: Vec<String> = bounded
            .iter()
            .map(|root| format!("`{}` ({})", root.requirement, root.origin))
            .collect();
        found.push(format!("{} to get {name} {version}", written.join(" and ")));
    }
    (!found.is_empty()).then(|| format!("fix: relax {}", found.join("; or ")))
}

/// Resolves `requirements` for the target in `options`.
///
/// Deterministic: the same requirements (in any order), options and source state give
/// the same resolution. The ABI bound of a package that does not require numpy is first only
/// recorded; when the answer pins numpy against such a bound, the resolution runs once more
/// with those bounds as edges.
pub fn resolve(
    requirements: &[RootRequirement],
    options: &ResolveOptions,
    source: &dyn PackageSource,
    abi: Option<&dyn AbiOracle>,
) -> Result<Resolution, ResolveError> {
    let mut origins: BTreeMap<PackageName, Vec<String>> = BTreeMap::new();
    let mut vias: BTreeMap<PackageName, BTreeSet<String>> = BTreeMap::new();
    for requirement in requirements {
        let name = &requirement.requirement.name;
        origins
            .entry(name.clone())
            .or_default()
            .push(requirement.origin.clone());
        vias.entry(name.clone())
            .or_default()
            .insert(requirement.via.clone());
    }
    for list in origins.values_mut() {
        list.sort();
        list.dedup();
    }
    let (mut provider, mut solution) = match solve_restarting(
        requirements,
        options,
        source,
        abi,
        Pass::default(),
        BTreeMap::new(),
        &origins,
    ) {
        Ok(found) => found,
        Err(ResolveError::NoSolution {
            report,
            full,
            roots,
        }) => {
            let fix = fixes(requirements, options, source, abi, &origins, &roots);
            let with_fix = |text: String| match &fix {
                Some(fix) => format!("{fix}\n{text}"),
                None => text,
            };
            return Err(ResolveError::NoSolution {
                report: with_fix(report),
                full: with_fix(full),
                roots,
            });
        }
        Err(error) => return Err(error),
    };
    if violates_conditional_bound(&provider, &solution) {
        // numpy is installed anyway, and a package that does not declare numpy cannot run
        // with the one chosen (a NumPy-2-only pyarrow beside numpy 1.26): resolve again with
        // every such bound as an edge.
        let placed = provider.placed.clone();
        let pass = Pass {
            numpy_present: true,
            api_wait: false,
        };
        (provider, solution) =
            solve_restarting(requirements, options, source, abi, pass, placed, &origins)?;
    }
    if violates_pending_api_bound(&provider, &solution, abi) {
        // A wheel's code uses a name the chosen library lacks, found once its sources were
        // read: resolve again with every bound known before its edges are made.
        let placed = provider.placed.clone();
        let pass = Pass {
            numpy_present: provider.numpy_present,
            api_wait: true,
        };
        (provider, solution) =
            solve_restarting(requirements, options, source, abi, pass, placed, &origins)?;
    }

    let memory = provider.memory.borrow();
    let mut selected: Vec<(&PubPackage, &pep440_rs::Version)> = solution.iter().collect();
    selected.sort();
    let mut extras: BTreeMap<PackageName, BTreeSet<pep508_rs::ExtraName>> = BTreeMap::new();
    let mut parents: BTreeMap<PackageName, BTreeSet<String>> = BTreeMap::new();
    for (package, version) in &selected {
        if let PubPackage::Extra(name, extra) = package {
            extras
                .entry(name.clone())
                .or_default()
                .insert(extra.clone());
        }
        let Some(edges) = memory.edges.get(&((*package).clone(), (*version).clone())) else {
            continue;
        };
        for dependency in edges.keys() {
            let Some(dependency_name) = dependency.name() else {
                continue;
            };
            match package {
                PubPackage::Root => {
                    if let Some(labels) = vias.get(dependency_name) {
                        parents
                            .entry(dependency_name.clone())
                            .or_default()
                            .extend(labels.iter().cloned());
                    }
                }
                PubPackage::Dist(name) | PubPackage::Extra(name, _)
                    if memory
                        .abi_only_edges
                        .contains(&(name.clone(), (*version).clone()))
                        && *dependency_name == numpy_name() =>
                {
                    // Not a dependency: an ABI bound, named on numpy's `# ABI:` line.
                }
                PubPackage::Dist(name) | PubPackage::Extra(name, _) if name != dependency_name => {
                    parents
                        .entry(dependency_name.clone())
                        .or_default()
                        .insert(name.to_string());
                }
                _ => {}
            }
        }
    }
    let numpy = numpy_name();
    let mut pins = Vec::new();
    for (package, version) in &selected {
        let PubPackage::Dist(name) = package else {
            continue;
        };
        let key = (name.clone(), (*version).clone());
        let Some(dist) = memory.chosen.get(&key) else {
            continue;
        };
        let files = if options.release_files {
            source
                .files(name, version)
                .map_err(|error| ResolveError::Source(error.to_string()))?
        } else {
            Vec::new()
        };
        pins.push(Pin {
            name: name.clone(),
            version: (*version).clone(),
            dist: dist.clone(),
            files,
            extras: extras.remove(name).unwrap_or_default(),
            via: parents
                .remove(name)
                .map(|set| set.into_iter().collect())
                .unwrap_or_default(),
            abi: memory.abi.get(&key).cloned(),
            abi_binding: false,
            abi_unchecked: abi.is_some()
                && memory.numpy_dependents.contains(name)
                && !memory.abi.contains_key(&key)
                && dist.is_wheel
                && !dist.filename.ends_with("-none-any.whl"),
            abi_bound_by: Vec::new(),
            api: memory.api.get(&key).cloned().unwrap_or_default(),
            api_bound_by: Vec::new(),
            api_warnings: Vec::new(),
            passed_over: memory
                .source_only
                .get(name)
                .map(|skipped| {
                    skipped
                        .range((Bound::Excluded((*version).clone()), Bound::Unbounded))
                        .map(|(newer, why)| (newer.clone(), why.clone()))
                        .collect()
                })
                .unwrap_or_default(),
            direct: options.direct.get(name).cloned(),
            metadata_source: memory
                .static_sources
                .get(&key)
                .filter(|source| source.as_str() != "PKG-INFO")
                .cloned(),
        });
    }
    // Name only the bounds that kept numpy from its newest stable release.
    let newest_numpy = memory.versions.get(&numpy).and_then(|versions| {
        versions
            .versions
            .iter()
            .find(|entry| !entry.version.any_prerelease())
            .map(|entry| entry.version.clone())
    });
    let mut bound_by = Vec::new();
    for pin in &mut pins {
        let Some(abi) = &pin.abi else {
            continue;
        };
        if newest_numpy
            .as_ref()
            .is_some_and(|newest| !abi.numpy.contains(newest))
        {
            pin.abi_binding = true;
            bound_by.push(abi.summary.clone());
        } else if memory
            .abi_only_edges
            .contains(&(pin.name.clone(), pin.version.clone()))
        {
            // It bounds numpy without declaring it: numpy's `# via` leaves it out, so say why
            // it constrains numpy at all.
            bound_by.push(abi.summary.clone());
        }
    }
    if let Some(numpy_pin) = pins.iter_mut().find(|pin| pin.name == numpy) {
        numpy_pin.abi_bound_by = bound_by;
    }
    api_annotations(&mut pins, &memory);
    Ok(Resolution { pins })
}

/// Names, on each library pin, the API bounds that kept it from its newest stable release,
/// and on each pin the call-time uses the pinned libraries cannot serve.
fn api_annotations(pins: &mut [Pin], memory: &crate::provider::Memory) {
    let pinned: BTreeMap<PackageName, Version> = pins
        .iter()
        .map(|pin| (pin.name.clone(), pin.version.clone()))
        .collect();
    let mut bound_by: BTreeMap<PackageName, Vec<String>> = BTreeMap::new();
    for pin in pins.iter_mut() {
        for bound in &pin.api {
            if bound.enforced {
                let newest = memory.versions.get(&bound.library).and_then(|versions| {
                    versions
                        .versions
                        .iter()
                        .find(|entry| !entry.version.any_prerelease())
                        .map(|entry| entry.version.clone())
                });
                if newest.is_some_and(|newest| !bound.allowed.contains(&newest)) {
                    bound_by
                        .entry(bound.library.clone())
                        .or_default()
                        .push(bound.summary.clone());
                }
            } else if let Some(version) = pinned
                .get(&bound.library)
                .filter(|version| !bound.allowed.contains(version))
            {
                pin.api_warnings.push(format!(
                    "{}, and {} {version} is pinned",
                    bound.summary, bound.library
                ));
            }
        }
    }
    for pin in pins.iter_mut() {
        if let Some(summaries) = bound_by.remove(&pin.name) {
            pin.api_bound_by = summaries;
        }
    }
}
