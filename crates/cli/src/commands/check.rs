//! `npsolve check`: do pinned files hold together for the targets? Never modifies them.

use std::process::ExitCode;

use npsolve_output::{CheckFormat, render_check};
use npsolve_requirements::{ReadOptions, read_input};

use crate::args::{CheckArgs, CheckFormatArg, TargetArgs};
use crate::error::CliError;
use crate::printer::Printer;
use crate::settings;

/// The targets named by repeated `--python-version` / `--python-platform`: every pair.
fn targets(args: &CheckArgs) -> Vec<TargetArgs> {
    let versions: Vec<Option<String>> = if args.python_versions.is_empty() {
        vec![None]
    } else {
        args.python_versions.iter().cloned().map(Some).collect()
    };
    let platforms: Vec<Option<String>> = if args.python_platforms.is_empty() {
        vec![None]
    } else {
        args.python_platforms.iter().cloned().map(Some).collect()
    };
    let mut targets = Vec::new();
    for version in &versions {
        for platform in &platforms {
            targets.push(TargetArgs {
                python_version: version.clone(),
                python_platform: platform.iter().cloned().collect(),
                universal: false,
                python: None,
            });
        }
    }
    targets
}

/// The targets `check --universal` covers for `input` (see the flag's help).
fn universal_targets(
    args: &CheckArgs,
    input: &npsolve_requirements::RequirementsInput,
) -> Result<Vec<npsolve_platform::Target>, CliError> {
    use npsolve_platform::{Platform, PythonVersion, Target, universal};
    if !input.covered_targets.is_empty()
        && args.python_versions.is_empty()
        && args.python_platforms.is_empty()
    {
        return input
            .covered_targets
            .iter()
            .map(|(python, platform)| {
                let python: PythonVersion = python.parse().map_err(|error| {
                    CliError::Usage(format!(
                        "invalid target Python `{python}` in the lock: {error}"
                    ))
                })?;
                let platform: Platform = platform.parse().map_err(|error| {
                    CliError::Usage(format!("invalid target platform in the lock: {error}"))
                })?;
                Ok(Target::new(python, platform))
            })
            .collect();
    }
    let lower = args.python_versions.first().map_or("3.10", String::as_str);
    let lower: PythonVersion = lower
        .parse()
        .map_err(|error| CliError::Usage(format!("invalid --python-version: {error}")))?;
    let specifiers: pep440_rs::VersionSpecifiers = format!(">={}", lower.as_version())
        .parse()
        .map_err(|error| CliError::Usage(format!("invalid --python-version: {error}")))?;
    let platforms = if args.python_platforms.is_empty() {
        universal::default_platforms()
    } else {
        args.python_platforms
            .iter()
            .map(|name| {
                name.parse::<Platform>()
                    .map_err(|error| CliError::Usage(format!("invalid --python-platform: {error}")))
            })
            .collect::<Result<_, _>>()?
    };
    Ok(universal::targets(
        &universal::python_versions(Some(&specifiers)),
        &platforms,
    ))
}

/// Runs `npsolve check`: exit 0 when every file is clean for every target, 1 otherwise.
pub fn run(args: &CheckArgs, printer: &Printer) -> Result<ExitCode, CliError> {
    let format = match args.format {
        CheckFormatArg::Text => CheckFormat::Text,
        CheckFormatArg::Json => CheckFormat::Json,
        CheckFormatArg::Github => CheckFormat::Github,
    };
    let engine = npsolve::Engine::new()?;
    let mut clean = true;
    for file in &args.files {
        let input = read_input(file, &ReadOptions::default())?;
        let pins = npsolve::pinned_lines(&input);
        let targets = if args.universal {
            universal_targets(args, &input)?
        } else {
            targets(args)
                .iter()
                .map(settings::target)
                .collect::<Result<Vec<_>, _>>()?
        };
        for target in targets {
            let target_name = target.to_string();
            let options = npsolve::default_resolve_options(&target);
            let problems = engine.check(npsolve::CheckRequest {
                client: settings::client_options(&args.index, &input.index)?,
                target: &target,
                pins: &pins,
                options: &options,
                abi: args.abi_scan.into(),
                api: args.api_scan.into(),
            })?;
            clean &= problems.iter().all(|problem| problem.kind.is_warning());
            printer.stdout(&render_check(
                &problems,
                &file.display().to_string(),
                &target_name,
                format,
            ))?;
        }
    }
    drop(engine);
    Ok(if clean {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}
