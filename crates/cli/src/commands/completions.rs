//! `npsolve completions SHELL`: a completion script for the shell, on stdout.

use std::process::ExitCode;

use clap::CommandFactory;

use crate::args::{Cli, CompletionsArgs};
use crate::error::CliError;
use crate::printer::Printer;

/// Runs `npsolve completions`.
pub fn run(args: &CompletionsArgs, printer: &Printer) -> Result<ExitCode, CliError> {
    let mut command = Cli::command();
    let mut script = Vec::new();
    clap_complete::generate(args.shell, &mut command, "npsolve", &mut script);
    printer.stdout(&String::from_utf8_lossy(&script))?;
    Ok(ExitCode::SUCCESS)
}
