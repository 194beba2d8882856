//! The doctor: an installed environment audited for NumPy ABI breaks and unmet
//! dependencies, and the smallest pinned set that fixes them, checked against every
//! installed binary before it is offered.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::str::FromStr;

use npsolve_abi::{
    BuildFact, Facts, MergedVerdict, SourceKind, SourceVerdict, merge_verdicts, numpy_runtime_range,
};
use npsolve_environment::{Environment, scan_binaries};
use npsolve_index::{ClientOptions, IndexClient};
use npsolve_platform::Target;
use npsolve_resolver::{PackageSource, ResolveError, RootRequirement, format_range, resolve};
use pep440_rs::Version;
use pep508_rs::{PackageName, Requirement, VersionOrUrl};
use version_ranges::Ranges;

use crate::abi_oracle::{AbiScan, WheelAbiOracle};
use crate::api_oracle::{ApiScan, WheelApiOracle};
use crate::engine::{Engine, EngineError, default_resolve_options};
use crate::index_source::IndexSource;

/// A distribution whose installed binaries cannot run with the installed numpy.
#[derive(Debug, Clone)]
pub struct AbiProblem {
    /// The distribution.
    pub package: PackageName,
    /// Its installed version.
    pub version: Version,
    /// The NumPy it needs, e.g. `numpy>=2.0,<3`.
    pub needs: String,
    /// What its binaries were built against (merged).
    pub fact: BuildFact,
    /// The installed module that showed it, when the binaries were read.
    pub module: Option<String>,
    /// What was found, in words.
    pub evidence: String,
    /// Which sources said so, e.g. `installed binaries and curated fact`.
    pub source: &'static str,
}

/// A declared dependency the environment does not satisfy.
#[derive(Debug, Clone)]
pub struct Unsatisfied {
    /// The distribution that declares it.
    pub package: PackageName,
    /// Its installed version.
    pub version: Version,
    /// The requirement.
    pub requirement: Requirement,
    /// The version installed, if any.
    pub installed: Option<Version>,
}

/// The proposed fix: the pins that change.
#[derive(Debug, Clone)]
pub struct Fix {
    /// `name==version` for every distribution that changes.
    pub pins: Vec<String>,
    /// The same pins as name and version.
    pub changes: Vec<(PackageName, Version)>,
}

/// What to audit.
#[derive(Debug)]
pub struct DoctorRequest<'a> {
    /// The environment, read from disk.
    pub environment: &'a Environment,
    /// The environment's target (its interpreter's, or the one asked for).
    pub target: &'a Target,
    /// Where the fix's packages come from.
    pub client: ClientOptions,
}

/// Everything the doctor found.
#[derive(Debug)]
pub struct DoctorReport {
    /// The site-packages folders read.
    pub site_packages: Vec<PathBuf>,
    /// The environment's interpreter, when known.
    pub python: Option<PathBuf>,
    /// How many distributions are installed.
    pub distributions: usize,
    /// Distributions that could not be read, in words.
    pub unreadable: Vec<String>,
    /// The target, as text.
    pub target: String,
    /// The installed numpy, if any.
    pub numpy: Option<Version>,
    /// Binaries that cannot run with the installed numpy.
    pub abi_problems: Vec<AbiProblem>,
    /// Declared dependencies not satisfied.
    pub unsatisfied: Vec<Unsatisfied>,
    /// Uses of Python names the installed NumPy or SciPy lacks (`import_time` ones break
    /// `import`; the others break a call).
    pub api_problems: Vec<crate::ApiProblem>,
    /// The verified fix, when one was found.
    pub fix: Option<Fix>,
    /// Why no fix is offered, when the environment is broken and none was found.
    pub fix_error: Option<String>,
}

impl DoctorReport {
    /// Whether nothing is wrong.
    pub fn healthy(&self) -> bool {
        self.abi_problems.is_empty()
            && self.unsatisfied.is_empty()
            && self.api_problems.iter().all(|problem| !problem.import_time)
    }
}

impl Engine {
    /// Audits an installed environment and proposes a fix, checked against every installed
    /// binary it keeps.
    pub fn doctor(&self, request: DoctorRequest<'_>) -> Result<DoctorReport, EngineError> {
        let DoctorRequest {
            environment,
            target,
            client,
        } = request;
        let numpy_name =
            PackageName::from_str("numpy").unwrap_or_else(|_| unreachable!("valid name"));
        let numpy = environment
            .get(&numpy_name)
            .map(|dist| dist.version.clone());
        let abi_problems = numpy
            .as_ref()
            .map(|numpy| abi_problems(environment, numpy, &[]))
            .unwrap_or_default();
        let unsatisfied = unsatisfied(environment, target);
        let api_problems = crate::api_audit::api_problems(environment);
        // A call-time use is a warning: it alone asks for no fix.
        let api_breaks = api_problems.iter().filter(|problem| problem.import_time);
        let healthy =
            abi_problems.is_empty() && unsatisfied.is_empty() && api_breaks.clone().count() == 0;
        let (fix, fix_error) = if healthy {
            (None, None)
        } else {
            // First keep the offenders' versions and move what they depend on (the user
            // likely chose them); when that cannot work, let them move too. Each proposal is
            // checked against every installed binary it keeps before it is offered.
            let mut keep: Vec<&PackageName> = abi_problems
                .iter()
                .map(|problem| &problem.package)
                .chain(api_breaks.map(|problem| &problem.package))
                .collect();
            keep.sort();
            keep.dedup();
            let mut outcome = (None, None);
            for keep in [&keep[..], &[]] {
                match self.propose_fix(environment, target, &client, keep) {
                    Ok(fix) => match verify_fix(environment, &fix, numpy.as_ref()) {
                        None => {
                            outcome = (Some(fix), None);
                            break;
                        }
                        Some(why) => outcome = (None, Some(why)),
                    },
                    Err(error) => {
                        if outcome.1.is_none() {
                            outcome = (None, Some(error));
                        }
                    }
                }
            }
            outcome
        };
        Ok(DoctorReport {
            site_packages: environment.site_packages.dirs.clone(),
            python: environment.site_packages.interpreter.clone(),
            distributions: environment.dists.len(),
            unreadable: environment
                .unreadable
                .iter()
                .map(ToString::to_string)
                .collect(),
            target: target.to_string(),
            numpy,
            abi_problems,
            unsatisfied,
            api_problems,
            fix,
            fix_error,
        })
    }
}

/// The merged verdict on what `dist` installed: the curated fact covering it and the
/// installed modules themselves (`npsolve_abi::merge_verdicts`), with the scan's module.
fn installed_verdict(
    dist: &npsolve_environment::InstalledDist,
) -> Option<(MergedVerdict, Option<String>)> {
    let scan = scan_binaries(dist);
    let mut sources = Vec::new();
    if let Some(curated) = Facts::bundled().lookup(&dist.name, &dist.version, None) {
        sources.push(SourceVerdict::curated(curated, None));
    }
    let module = scan.as_ref().and_then(|scan| scan.verdict.module.clone());
    if let Some(scan) = scan {
        sources.push(SourceVerdict::binaries(
            SourceKind::InstalledBinaries,
            scan.verdict.fact,
            None,
            scan.verdict.evidence,
        ));
    }
    Some((merge_verdicts(sources)?, module))
}

/// Every distribution whose binaries (the curated fact and the installed modules, merged)
/// cannot run with `numpy`; `except` names distributions left out (those a fix replaces).
fn abi_problems(
    environment: &Environment,
    numpy: &Version,
    except: &[PackageName],
) -> Vec<AbiProblem> {
    let mut problems = Vec::new();
    for dist in &environment.dists {
        if dist.name.as_ref() == "numpy" || except.contains(&dist.name) {
            continue;
        }
        let Some((merged, module)) = installed_verdict(dist) else {
            continue;
        };
        let Some(range) = numpy_runtime_range(&merged.fact) else {
            continue;
        };
        if range.contains(numpy) {
            continue;
        }
        let settling = merged.settling_source();
        let source = match (&settling.kind, merged.sources.len()) {
            (SourceKind::InstalledBinaries, 1) => "installed binaries",
            (SourceKind::InstalledBinaries, _) => "installed binaries and curated fact",
            (_, 1) => "curated fact",
            _ => "curated fact and installed binaries",
        };
        let module = module.filter(|_| merged.from_binaries() && merged.fact != BuildFact::NoCapi);
        problems.push(AbiProblem {
            package: dist.name.clone(),
            version: dist.version.clone(),
            needs: format!("numpy{}", format_range(&range)),
            fact: merged.fact.clone(),
            module,
            evidence: merged.evidence(),
            source,
        });
    }
    problems
}

/// Why a proposed fix would still leave a binary that cannot run, if it would: every
/// installed distribution the fix keeps is checked against the numpy the fix installs.
fn verify_fix(
    environment: &Environment,
    fix: &Fix,
    installed_numpy: Option<&Version>,
) -> Option<String> {
    let numpy = fix
        .changes
        .iter()
        .find(|(name, _)| name.as_ref() == "numpy")
        .map(|(_, version)| version)
        .or(installed_numpy)?;
    let replaced: Vec<PackageName> = fix.changes.iter().map(|(name, _)| name.clone()).collect();
    let left = abi_problems(environment, numpy, &replaced);
    let first = left.first()?;
    Some(format!(
        "the proposed pins keep `{}` {}, which cannot run with numpy {numpy} (it needs {})",
        first.package, first.version, first.needs
    ))
}

/// Every `Requires-Dist` (whose markers hold for the target) that the environment lacks or
/// holds at a version outside the requirement, like `pip check`.
fn unsatisfied(environment: &Environment, target: &Target) -> Vec<Unsatisfied> {
    let mut found = Vec::new();
    for dist in &environment.dists {
        for requirement in &dist.requires_dist {
            if requirement.name == dist.name || !requirement.evaluate_markers(target.markers(), &[])
            {
                continue;
            }
            let installed = environment.get(&requirement.name);
            let satisfied = installed.is_some_and(|other| match &requirement.version_or_url {
                Some(VersionOrUrl::VersionSpecifier(specifiers)) => {
                    specifiers.contains(&other.version)
                }
                _ => true,
            });
            if !satisfied {
                found.push(Unsatisfied {
                    package: dist.name.clone(),
                    version: dist.version.clone(),
                    requirement: requirement.clone(),
                    installed: installed.map(|other| other.version.clone()),
                });
            }
        }
    }
    found
}

/// Resolves the installed set again, preferring every installed version (and requiring it
/// for `keep`), with the ABI constraints on: the pins that differ from what is installed are
/// the fix.
impl Engine {
    fn propose_fix(
        &self,
        environment: &Environment,
        target: &Target,
        client: &ClientOptions,
        keep: &[&PackageName],
    ) -> Result<Fix, String> {
        let handle = self.handle();
        let client = IndexClient::new(client.clone()).map_err(|error| error.to_string())?;
        let source = IndexSource::new(client, handle, target.clone());
        // The fix is a resolution: the uses of removed names in the wheels it picks bound
        // their libraries as they do in `compile`.
        let oracle = WheelAbiOracle::for_setting(AbiScan::Auto, &source)
            .with_api(WheelApiOracle::for_setting(ApiScan::Auto, &source));
        for dist in &environment.dists {
            source.prefetch(&dist.name, &Ranges::full());
        }
        let mut roots = Vec::new();
        let mut preferences = BTreeMap::new();
        for dist in &environment.dists {
            let origin = format!("installed {}", dist.dist_info.display());
            let on_index = source
                .versions(&dist.name)
                .map_err(|error| error.to_string())?;
            if on_index.versions.is_empty() {
                // Installed from elsewhere (a local build, a private index): keep it as it is and
                // honour what it requires.
                for requirement in &dist.requires_dist {
                    if requirement.name != dist.name
                        && requirement.evaluate_markers(target.markers(), &[])
                    {
                        roots.push(RootRequirement {
                            requirement: requirement.clone(),
                            origin: origin.clone(),
                            via: dist.name.to_string(),
                        });
                    }
                }
                continue;
            }
            let text = if keep.contains(&&dist.name) {
                format!("{}=={}", dist.name, dist.version)
            } else {
                dist.name.to_string()
            };
            let requirement = Requirement::from_str(&text).map_err(|error| error.to_string())?;
            roots.push(RootRequirement {
                requirement,
                origin,
                via: "installed".to_string(),
            });
            preferences.insert(dist.name.clone(), dist.version.clone());
        }
        let options = npsolve_resolver::ResolveOptions {
            preferences,
            ..default_resolve_options(target)
        };
        let resolution =
            resolve(&roots, &options, &source, Some(&oracle)).map_err(|error| match error {
                ResolveError::NoSolution { report, .. } => {
                    format!("No solution found when resolving dependencies:\n{report}")
                }
                ResolveError::Source(message) | ResolveError::Unsupported(message) => message,
            })?;
        let changes: Vec<(PackageName, Version)> = resolution
            .pins
            .iter()
            .filter(|pin| {
                environment
                    .get(&pin.name)
                    .is_none_or(|installed| installed.version != pin.version)
            })
            .map(|pin| (pin.name.clone(), pin.version.clone()))
            .collect();
        let pins = changes
            .iter()
            .map(|(name, version)| format!("{name}=={version}"))
            .collect();
        Ok(Fix { pins, changes })
    }
}
