//! Universal resolution (`--universal`): one answer for every target a lock covers.
//!
//! Each covered target (a CPython release on a platform, `npsolve_platform::universal`) is
//! resolved as a single-target resolution would resolve it, so every ABI verdict is the one
//! of the wheel that target installs: a release whose cp313 wheel is built against NumPy 2
//! and whose cp312 wheel against NumPy 1 bounds numpy differently on the two. The lead target
//! (the first) is resolved first; the others prefer its versions, so targets agree wherever
//! their wheels and requirements allow and fork where they do not. Targets that markers cannot
//! tell apart (manylinux and musllinux on one machine) must agree: when they do not, each
//! one's answer is tried on the others, and without a common one the lock is refused. The
//! versions are then merged into pins with the marker of the targets that select them.

use std::collections::BTreeMap;
use std::sync::Mutex;

use npsolve_index::{ClientOptions, IndexClient};
use npsolve_platform::Target;
use npsolve_platform::universal::{MarkerKey, marker_for};
use npsolve_resolver::{
    Resolution, ResolveError, ResolveOptions, RootRequirement, UniversalPin, UniversalResolution,
};
use pep440_rs::Version;
use pep508_rs::{PackageName, Requirement};

use crate::abi_oracle::AbiScan;
use crate::api_oracle::ApiScan;
use crate::engine::{Engine, EngineError, ResolveRequest};
use crate::source_build::BuildSettings;
use crate::wheel_scanner::ScanStats;

/// What to resolve for every covered target, and how.
#[derive(Debug, Clone)]
pub struct UniversalRequest<'a> {
    /// Where packages come from, and the cache.
    pub client: ClientOptions,
    /// The covered targets; the first leads.
    pub targets: &'a [Target],
    /// The first-party requirements, with their origins.
    pub requirements: &'a [RootRequirement],
    /// Every resolver policy; the markers and Python are each target's own.
    pub options: &'a ResolveOptions,
    /// Exact pins of an earlier output (with their markers): each target prefers the ones
    /// its markers select, so a fork recorded there is kept.
    pub existing: &'a [Requirement],
    /// When wheels' binaries are read; `None` resolves from metadata alone.
    pub abi: Option<AbiScan>,
    /// When wheels' Python sources are read for uses of removed names.
    pub api: ApiScan,
    /// Which sdists may be built for their metadata.
    pub build: Option<&'a BuildSettings>,
}

/// The outcome of a universal resolution.
#[derive(Debug)]
pub struct UniversalReport {
    /// The merged pins, or why a covered target has no answer (its report names it).
    pub resolution: Result<UniversalResolution, ResolveError>,
    /// What reading wheels' binaries cost over every target.
    pub scans: Option<ScanStats>,
    /// The targets left out of the lock (as `CPython 3.15 on x86_64-manylinux_2_28`), each
    /// with the first line of why: no answer there, or none that agrees with a target its
    /// markers cannot tell apart.
    pub left_out: Vec<(String, String)>,
}

/// The first line of a failure, for a warning.
fn first_line(error: &ResolveError) -> String {
    error
        .to_string()
        .lines()
        .find(|line| !line.trim().is_empty() && !line.starts_with("for CPython"))
        .unwrap_or_default()
        .to_string()
}

fn add_stats(total: &mut Option<ScanStats>, more: Option<ScanStats>) {
    if let Some(more) = more {
        let sum = total.get_or_insert_with(ScanStats::default);
        sum.scanned += more.scanned;
        sum.cached += more.cached;
        sum.failed += more.failed;
        sum.bytes += more.bytes;
        sum.requests += more.requests;
    }
}

/// `error` with the target it happened on named first.
fn on_target(target: &Target, error: ResolveError) -> ResolveError {
    match error {
        ResolveError::NoSolution {
            report,
            full,
            roots,
        } => ResolveError::NoSolution {
            report: format!("for {target}:\n{report}"),
            full: format!("for {target}:\n{full}"),
            roots,
        },
        other => other,
    }
}

impl Engine {
    /// Resolves `request.requirements` for every target of `request.targets` and merges the
    /// answers into marker-qualified pins (see the module documentation).
    pub fn resolve_universal(
        &self,
        request: UniversalRequest<'_>,
    ) -> Result<UniversalReport, EngineError> {
        let client = IndexClient::new(request.client.clone())?;
        let scans = Mutex::new(None);
        let solve = |target: &Target, lead: Option<&Resolution>, prefer: Option<&Resolution>| {
            let mut options = ResolveOptions {
                markers: target.markers().clone(),
                python_version: target.python().as_version(),
                ..request.options.clone()
            };
            let mut preferences = BTreeMap::new();
            for pins in [lead, prefer].into_iter().flatten() {
                preferences.extend(pins.versions());
            }
            preferences.extend(crate::inputs::preferences_from(
                request.existing,
                Some(target.markers()),
            ));
            preferences.extend(request.options.preferences.clone());
            options.preferences = preferences;
            let report = self.resolve_with(
                &client,
                ResolveRequest {
                    client: request.client.clone(),
                    target,
                    requirements: request.requirements,
                    options: &options,
                    abi: request.abi,
                    api: request.api,
                    build: request.build,
                },
            )?;
            add_stats(&mut scans.lock().expect("scan stats"), report.scans);
            Ok::<_, EngineError>(report.resolution.map_err(|error| on_target(target, error)))
        };
        let Some(first) = request.targets.first() else {
            return Err(EngineError::Request(
                "a universal resolution needs at least one target".to_string(),
            ));
        };
        // The lead is the lowest Python of the first platform that has an answer there (a
        // release may ship wheels for newer Pythons only); when that platform has none on any
        // Python, there is no lock.
        let mut left_out = Vec::new();
        let mut first_error = None;
        let mut lead = None;
        for (index, target) in request.targets.iter().enumerate() {
            if target.platform() != first.platform() {
                continue;
            }
            match solve(target, None, None)? {
                Ok(answer) => {
                    lead = Some((index, answer));
                    break;
                }
                Err(error) => {
                    left_out.push((target.to_string(), first_line(&error)));
                    first_error.get_or_insert(error);
                }
            }
        }
        let Some((lead_index, lead)) = lead else {
            return Ok(UniversalReport {
                resolution: Err(first_error.unwrap_or_else(|| {
                    ResolveError::Unsupported("no target to resolve".to_string())
                })),
                scans: scans.into_inner().expect("scan stats"),
                left_out: Vec::new(),
            });
        };
        let first = &request.targets[lead_index];
        let rest: Vec<Target> = request
            .targets
            .iter()
            .enumerate()
            .filter(|(index, target)| {
                *index != lead_index
                    && !(target.platform() == first.platform() && *index < lead_index)
            })
            .map(|(_, target)| target.clone())
            .collect();
        // The other targets only read the lead's answer, so they run side by side. One that
        // has no answer is left out of the lock, with why.
        let answers = parallel(&rest, |target| solve(target, Some(&lead), None))?;
        let mut covered = vec![first.clone()];
        let mut resolutions = vec![lead];
        for (target, answer) in rest.iter().zip(answers) {
            match answer {
                Ok(resolution) => {
                    covered.push(target.clone());
                    resolutions.push(resolution);
                }
                Err(error) => left_out.push((target.to_string(), first_line(&error))),
            }
        }
        reconcile(
            &mut covered,
            &mut resolutions,
            &mut left_out,
            |target, prefer| solve(target, None, Some(prefer)),
        )?;
        Ok(UniversalReport {
            resolution: Ok(merge(&covered, resolutions)),
            scans: scans.into_inner().expect("scan stats"),
            left_out,
        })
    }
}

/// Makes targets with equal [`MarkerKey`]s agree: for each such group whose answers differ,
/// the first member's answer that every other member also reaches when it prefers it wins;
/// without one, the members that disagree with the first are left out.
fn reconcile(
    targets: &mut Vec<Target>,
    resolutions: &mut Vec<Resolution>,
    left_out: &mut Vec<(String, String)>,
    mut solve: impl FnMut(&Target, &Resolution) -> Result<Result<Resolution, ResolveError>, EngineError>,
) -> Result<(), EngineError> {
    let mut groups: BTreeMap<MarkerKey, Vec<usize>> = BTreeMap::new();
    for (index, target) in targets.iter().enumerate() {
        groups.entry(MarkerKey::of(target)).or_default().push(index);
    }
    let mut dropped = Vec::new();
    for members in groups.values().filter(|members| members.len() > 1) {
        let first = resolutions[members[0]].versions();
        if members
            .iter()
            .all(|&index| resolutions[index].versions() == first)
        {
            continue;
        }
        let mut settled = false;
        for &candidate in members {
            let wanted = resolutions[candidate].clone();
            let mut answers = Vec::new();
            for &other in members.iter().filter(|&&other| other != candidate) {
                match solve(&targets[other], &wanted)? {
                    Ok(answer) if answer.versions() == wanted.versions() => {
                        answers.push((other, answer));
                    }
                    _ => break,
                }
            }
            if answers.len() + 1 == members.len() {
                for (other, answer) in answers {
                    resolutions[other] = answer;
                }
                settled = true;
                break;
            }
        }
        if !settled {
            for &other in &members[1..] {
                if resolutions[other].versions() != first {
                    left_out.push((
                        targets[other].to_string(),
                        disagreement(
                            &targets[members[0]],
                            &resolutions[members[0]],
                            &resolutions[other],
                        ),
                    ));
                    dropped.push(other);
                }
            }
        }
    }
    dropped.sort_unstable();
    for index in dropped.into_iter().rev() {
        targets.remove(index);
        resolutions.remove(index);
    }
    Ok(())
}

/// Why a target was left out for disagreeing with one its markers cannot tell apart.
fn disagreement(first: &Target, theirs: &Resolution, other: &Resolution) -> String {
    let differences: Vec<String> = theirs
        .pins
        .iter()
        .filter_map(|pin| {
            let version = other.get(&pin.name).map(|pin| pin.version.to_string());
            (version.as_deref() != Some(&pin.version.to_string())).then(|| {
                format!(
                    "{} {} there, {}",
                    pin.name,
                    pin.version,
                    version.unwrap_or_else(|| "absent".to_string())
                )
            })
        })
        .take(3)
        .collect();
    format!(
        "it has the markers of {first} but needs other versions ({}), which markers cannot select",
        differences.join("; ")
    )
}

/// Targets resolved at once. A cold target waits on the index far more than it computes, so
/// this is not the number of cores: sci-stack's 41 targets after the lead took 56 s cold with
/// 2 workers, 18 s with 8 and 14 s with 16 (and 20% more memory); warm, 1.6 s with 2, 1.9 s
/// with 8 (2 cores).
const TARGET_WORKERS: usize = 8;

/// Runs `work` on every item, [`TARGET_WORKERS`] at a time; results in order.
fn parallel<T: Sync, R: Send>(
    items: &[T],
    work: impl Fn(&T) -> Result<R, EngineError> + Sync,
) -> Result<Vec<R>, EngineError> {
    let workers = TARGET_WORKERS;
    let next = Mutex::new(0usize);
    let results: Mutex<Vec<(usize, Result<R, EngineError>)>> = Mutex::new(Vec::new());
    std::thread::scope(|scope| {
        for _ in 0..workers.min(items.len()) {
            scope.spawn(|| {
                loop {
                    let index = {
                        let mut next = next.lock().expect("queue");
                        let index = *next;
                        *next += 1;
                        index
                    };
                    let Some(item) = items.get(index) else { break };
                    let result = work(item);
                    results.lock().expect("results").push((index, result));
                }
            });
        }
    });
    let mut results = results.into_inner().expect("results");
    results.sort_by_key(|(index, _)| *index);
    results.into_iter().map(|(_, result)| result).collect()
}

/// Each distinct (name, version) over the targets' answers, with the marker of the targets
/// that select it.
fn merge(targets: &[Target], resolutions: Vec<Resolution>) -> UniversalResolution {
    let mut by_version: BTreeMap<(PackageName, Version), (Vec<usize>, Vec<npsolve_resolver::Pin>)> =
        BTreeMap::new();
    for (index, resolution) in resolutions.iter().enumerate() {
        for pin in &resolution.pins {
            let entry = by_version
                .entry((pin.name.clone(), pin.version.clone()))
                .or_default();
            entry.0.push(index);
            entry.1.push(pin.clone());
        }
    }
    let pins = by_version
        .into_values()
        .map(|(chosen, pins)| {
            let selected: Vec<bool> = (0..targets.len())
                .map(|index| chosen.contains(&index))
                .collect();
            UniversalPin {
                marker: marker_for(targets, &selected),
                pins,
                targets: chosen,
            }
        })
        .collect();
    UniversalResolution {
        targets: targets
            .iter()
            .map(|target| (target.python().to_string(), target.platform().to_string()))
            .collect(),
        resolutions,
        pins,
    }
}
