//! `npsolve index snapshot`: a static PEP 691 mirror of chosen packages.

use std::process::ExitCode;
use std::str::FromStr;

use npsolve_index::snapshot::SnapshotRequest;
use npsolve_requirements::IndexOptions;

use crate::args::SnapshotArgs;
use crate::error::CliError;
use crate::printer::Printer;
use crate::settings;

/// Runs `npsolve index snapshot`.
pub fn run(args: &SnapshotArgs, printer: &Printer) -> Result<ExitCode, CliError> {
    let packages = args
        .packages
        .iter()
        .map(|text| {
            pep508_rs::Requirement::from_str(text)
                .map_err(|error| CliError::Usage(format!("invalid requirement `{text}`:\n{error}")))
        })
        .collect::<Result<Vec<_>, _>>()?;
    let targets = if args.target.python_version.is_some()
        || !args.target.python_platform.is_empty()
        || args.target.python.is_some()
    {
        vec![settings::target(&args.target)?]
    } else {
        Vec::new()
    };
    let client = settings::client_options(&args.index, &IndexOptions::default())?;
    let request = SnapshotRequest {
        packages,
        targets,
        include_files: args.include_files,
        exclude_newer: client.exclude_newer,
    };
    let report = npsolve::Engine::new()?.snapshot(client, &request, &args.out)?;
    printer.status(&format!("Wrote {report} to {}", args.out.display()));
    Ok(ExitCode::SUCCESS)
}
