//! `npsolve check`: does a pinned file hold together for the target? Never modifies it.

use std::process::ExitCode;

use npsolve_output::{CheckFormat, render_check};
use npsolve_requirements::{ReadOptions, read_input};
use npsolve_resolver::{PinnedLine, verify};

use crate::abi_oracle::FactsOracle;
use crate::args::{CheckArgs, CheckFormatArg};
use crate::error::CliError;
use crate::printer::Printer;
use crate::settings;
use crate::source::IndexSource;

/// Runs `npsolve check`: exit 0 when clean, 1 when problems were found.
pub fn run(args: &CheckArgs, printer: &Printer) -> Result<ExitCode, CliError> {
    let input = read_input(&args.file, &ReadOptions::default())?;
    let pins: Vec<PinnedLine> = input
        .requirements
        .iter()
        .map(|sourced| PinnedLine {
            requirement: sourced.requirement.clone(),
            file: sourced.origin.path.display().to_string(),
            line: sourced.origin.line,
        })
        .collect();
    let target = settings::target(&args.target)?;
    let target_name = target.to_string();
    let options = settings::default_resolve_options(&target);
    let client =
        npsolve_index::IndexClient::new(settings::client_options(&args.index, &input.index)?)?;
    let runtime = settings::runtime()?;
    let source = IndexSource::new(client, runtime.handle().clone(), target);
    let oracle = FactsOracle::bundled();
    let problems = verify(&pins, &options, &source, Some(&oracle))
        .map_err(|error| CliError::Resolution(error.to_string()))?;
    drop(source);
    runtime.shutdown_background();
    let format = match args.format {
        CheckFormatArg::Text => CheckFormat::Text,
        CheckFormatArg::Json => CheckFormat::Json,
        CheckFormatArg::Github => CheckFormat::Github,
    };
    printer.stdout(&render_check(
        &problems,
        &args.file.display().to_string(),
        &target_name,
        format,
    ))?;
    Ok(if problems.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}
