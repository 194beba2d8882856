//! `npsolve doctor`: audit an installed environment for NumPy ABI breaks and unmet
//! dependencies, then propose the smallest pinned set that fixes them.
//!
//! `--json` prints one object, a stable contract for tools:
//! `{"site_packages": [..], "python": str|null, "target": str, "numpy": str|null,
//!   "abi_problems": [{"package", "version", "needs", "fact", "module", "evidence", "source"}],
//!   "unsatisfied": [{"package", "version", "requirement", "installed"}],
//!   "unreadable": [str], "fix": {"pins": [str], "pip": str, "uv": str} | null,
//!   "fix_error": str | null}`.

use std::collections::BTreeMap;
use std::path::Path;
use std::process::ExitCode;
use std::str::FromStr;

use npsolve_abi::{
    BuildFact, Facts, MergedVerdict, SourceKind, SourceVerdict, merge_verdicts, numpy_runtime_range,
};
use npsolve_environment::{Environment, Location, scan_binaries};
use npsolve_platform::Target;
use npsolve_requirements::IndexOptions;
use npsolve_resolver::{PackageSource, RootRequirement, format_range, resolve};
use pep440_rs::Version;
use pep508_rs::{PackageName, Requirement, VersionOrUrl};
use version_ranges::Ranges;

use crate::args::DoctorArgs;
use crate::error::CliError;
use crate::printer::Printer;
use crate::settings;
use npsolve::IndexSource;
use npsolve::{WheelAbiOracle, describe};

/// A distribution whose installed binaries cannot run with the installed numpy.
struct AbiProblem {
    package: PackageName,
    version: Version,
    needs: String,
    fact: BuildFact,
    module: Option<String>,
    evidence: String,
    source: &'static str,
}

/// A declared dependency the environment does not satisfy.
struct Unsatisfied {
    package: PackageName,
    version: Version,
    requirement: Requirement,
    installed: Option<Version>,
}

/// The proposed fix: pins that change, and the commands that apply them.
struct Fix {
    pins: Vec<String>,
    /// The same pins as name and version.
    changes: Vec<(PackageName, Version)>,
}

/// Runs `npsolve doctor`: exit 0 healthy, 1 problems.
pub fn run(args: &DoctorArgs, printer: &Printer) -> Result<ExitCode, CliError> {
    let location = if let Some(dir) = &args.site_packages {
        Location::SitePackages(dir.clone())
    } else if let Some(dir) = &args.venv {
        Location::Venv(dir.clone())
    } else if let Some(python) = &args.target.python {
        Location::Python(python.clone())
    } else {
        Location::default_from_env()
    };
    let environment = Environment::read(&location)?;
    let target = match &environment.site_packages.interpreter {
        Some(python) if args.target.python_version.is_none() => {
            Target::from_interpreter(python).map_err(|error| CliError::Usage(error.to_string()))?
        }
        _ => {
            let mut target_args = args.target.clone();
            target_args.python = None;
            settings::target(&target_args)?
        }
    };
    let numpy_name = PackageName::from_str("numpy").expect("valid name");
    let numpy = environment
        .get(&numpy_name)
        .map(|dist| dist.version.clone());
    let abi_problems = numpy
        .as_ref()
        .map(|numpy| abi_problems(&environment, numpy, &[]))
        .unwrap_or_default();
    let unsatisfied = unsatisfied(&environment, &target);
    let healthy = abi_problems.is_empty() && unsatisfied.is_empty();
    let (fix, fix_error) = if healthy {
        (None, None)
    } else {
        // First keep the offenders' versions and move what they depend on (the user likely
        // chose them); when that cannot work, let them move too.
        let keep: Vec<&PackageName> = abi_problems
            .iter()
            .map(|problem| &problem.package)
            .collect();
        // Each proposal is checked against every installed binary it keeps before it is
        // printed; a proposal that would leave one broken is not offered.
        let mut outcome = (None, None);
        for keep in [&keep[..], &[]] {
            match propose_fix(&environment, &target, args, keep) {
                Ok(fix) => match verify_fix(&environment, &fix, numpy.as_ref()) {
                    None => {
                        outcome = (Some(fix), None);
                        break;
                    }
                    Some(why) => outcome = (None, Some(why)),
                },
                Err(error) => {
                    if outcome.1.is_none() {
                        outcome = (None, Some(error.to_string()));
                    }
                }
            }
        }
        outcome
    };
    let report = Report {
        environment: &environment,
        target: &target,
        numpy: numpy.as_ref(),
        abi_problems: &abi_problems,
        unsatisfied: &unsatisfied,
        fix: fix.as_ref(),
        fix_error: fix_error.as_deref(),
    };
    let text = if args.json {
        render_json(&report)
    } else {
        render_text(&report)
    };
    printer.stdout(&text)?;
    Ok(if healthy {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
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
fn propose_fix(
    environment: &Environment,
    target: &Target,
    args: &DoctorArgs,
    keep: &[&PackageName],
) -> Result<Fix, CliError> {
    let runtime = settings::runtime()?;
    let client = npsolve_index::IndexClient::new(settings::client_options(
        &args.index,
        &IndexOptions::default(),
    )?)?;
    let oracle = WheelAbiOracle::for_setting(npsolve::AbiScan::Auto, &client, runtime.handle());
    let source = IndexSource::new(client, runtime.handle().clone(), target.clone());
    for dist in &environment.dists {
        source.prefetch(&dist.name, &Ranges::full());
    }
    let mut roots = Vec::new();
    let mut preferences = BTreeMap::new();
    for dist in &environment.dists {
        let origin = format!("installed {}", dist.dist_info.display());
        let on_index = source
            .versions(&dist.name)
            .map_err(|error| CliError::Resolution(error.to_string()))?;
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
        let requirement =
            Requirement::from_str(&text).map_err(|error| CliError::Usage(error.to_string()))?;
        roots.push(RootRequirement {
            requirement,
            origin,
            via: "installed".to_string(),
        });
        preferences.insert(dist.name.clone(), dist.version.clone());
    }
    let options = npsolve_resolver::ResolveOptions {
        preferences,
        ..settings::default_resolve_options(target)
    };
    let resolution = resolve(&roots, &options, &source, Some(&oracle));
    drop(source);
    runtime.shutdown_background();
    let resolution = resolution?;
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

/// Everything the doctor found, for rendering.
struct Report<'a> {
    environment: &'a Environment,
    target: &'a Target,
    numpy: Option<&'a Version>,
    abi_problems: &'a [AbiProblem],
    unsatisfied: &'a [Unsatisfied],
    fix: Option<&'a Fix>,
    fix_error: Option<&'a str>,
}

fn render_text(report: &Report) -> String {
    let Report {
        environment,
        target,
        numpy,
        abi_problems,
        unsatisfied,
        fix,
        fix_error,
    } = *report;
    let python = environment.site_packages.interpreter.as_deref();
    let mut out = String::new();
    let dirs: Vec<String> = environment
        .site_packages
        .dirs
        .iter()
        .map(|dir| dir.display().to_string())
        .collect();
    out.push_str(&format!(
        "Environment: {} ({} distributions, {target})\n",
        dirs.join(", "),
        environment.dists.len()
    ));
    match numpy {
        Some(numpy) => out.push_str(&format!("numpy: {numpy}\n")),
        None => out.push_str("numpy: not installed\n"),
    }
    for error in &environment.unreadable {
        out.push_str(&format!("warning: skipped {error}\n"));
    }
    for problem in abi_problems {
        out.push_str(&format!(
            "\nerror: {} {} cannot run with numpy {}: it needs {} (according to its {}).\n",
            problem.package,
            problem.version,
            numpy.map(ToString::to_string).unwrap_or_default(),
            problem.needs,
            problem.source,
        ));
        if let Some(module) = &problem.module {
            out.push_str(&format!("    module: {module}\n"));
        }
        if !problem.evidence.is_empty() {
            out.push_str(&format!("    evidence: {}\n", problem.evidence));
        }
    }
    for missing in unsatisfied {
        let what = match &missing.installed {
            Some(version) => format!("but {} {version} is installed", missing.requirement.name),
            None => "which is not installed".to_string(),
        };
        out.push_str(&format!(
            "\nerror: {} {} requires `{}`, {what}\n",
            missing.package, missing.version, missing.requirement
        ));
    }
    if abi_problems.is_empty() && unsatisfied.is_empty() {
        out.push_str("\nNo problems: every installed binary can run with the installed numpy, and every dependency is satisfied.\n");
        return out;
    }
    out.push('\n');
    match (fix, fix_error) {
        (Some(fix), _) if fix.pins.is_empty() => out.push_str(
            "No fix found that keeps these packages installable: the index offers nothing better.\n",
        ),
        (Some(fix), _) => {
            out.push_str("Proposed fix (everything else stays as installed):\n");
            for pin in &fix.pins {
                out.push_str(&format!("    {pin}\n"));
            }
            out.push_str(&format!(
                "Apply it with:\n    {}\n    {}\n",
                pip_command(&fix.pins, python),
                uv_command(&fix.pins, python)
            ));
        }
        (None, Some(error)) => out.push_str(&format!(
            "The fix could not be computed: {}\n",
            error.lines().next().unwrap_or_default()
        )),
        (None, None) => {}
    }
    out
}

fn pip_command(pins: &[String], python: Option<&Path>) -> String {
    match python {
        Some(python) => format!("{} -m pip install {}", python.display(), pins.join(" ")),
        None => format!("pip install {}", pins.join(" ")),
    }
}

fn uv_command(pins: &[String], python: Option<&Path>) -> String {
    match python {
        Some(python) => format!(
            "uv pip install --python {} {}",
            python.display(),
            pins.join(" ")
        ),
        None => format!("uv pip install {}", pins.join(" ")),
    }
}

fn render_json(report: &Report) -> String {
    let Report {
        environment,
        target,
        numpy,
        abi_problems,
        unsatisfied,
        fix,
        fix_error,
    } = *report;
    let python = environment.site_packages.interpreter.as_deref();
    let value = serde_json::json!({
        "site_packages": environment
            .site_packages
            .dirs
            .iter()
            .map(|dir| dir.display().to_string())
            .collect::<Vec<_>>(),
        "python": python.map(|path| path.display().to_string()),
        "target": target.to_string(),
        "numpy": numpy.map(ToString::to_string),
        "abi_problems": abi_problems.iter().map(|problem| serde_json::json!({
            "package": problem.package.to_string(),
            "version": problem.version.to_string(),
            "needs": problem.needs,
            "fact": describe(&problem.fact),
            "module": problem.module,
            "evidence": problem.evidence,
            "source": problem.source,
        })).collect::<Vec<_>>(),
        "unsatisfied": unsatisfied.iter().map(|missing| serde_json::json!({
            "package": missing.package.to_string(),
            "version": missing.version.to_string(),
            "requirement": missing.requirement.to_string(),
            "installed": missing.installed.as_ref().map(ToString::to_string),
        })).collect::<Vec<_>>(),
        "unreadable": environment.unreadable.iter().map(ToString::to_string).collect::<Vec<_>>(),
        "fix": fix.map(|fix| serde_json::json!({
            "pins": fix.pins,
            "pip": pip_command(&fix.pins, python),
            "uv": uv_command(&fix.pins, python),
        })),
        "fix_error": fix_error,
    });
    format!("{value:#}\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn commands_name_the_interpreter_when_known() {
        let pins = vec!["numpy==1.26.4".to_string()];
        assert_eq!(
            pip_command(&pins, Some(Path::new("/v/bin/python"))),
            "/v/bin/python -m pip install numpy==1.26.4"
        );
        assert_eq!(uv_command(&pins, None), "uv pip install numpy==1.26.4");
    }
}
