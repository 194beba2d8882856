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
                python_platform: platform.clone(),
                python: None,
            });
        }
    }
    targets
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
        for target_args in targets(args) {
            let target = settings::target(&target_args)?;
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
