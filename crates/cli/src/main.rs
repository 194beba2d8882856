//! The `npsolve` binary: parses the command line, runs one command, and is the one
//! place where errors become messages and exit codes.

mod args;
mod commands;
mod error;
mod printer;
mod settings;

use std::process::ExitCode;

use clap::Parser;

use crate::args::{Cli, Command, IndexCommand};
use crate::error::CliError;
use crate::printer::Printer;

fn main() -> ExitCode {
    let args = args::with_implicit_compile(std::env::args_os().collect());
    let cli = match Cli::try_parse_from(args) {
        Ok(cli) => cli,
        Err(error) => {
            let _ = error.print();
            // clap exits 0 for --help/--version and 2 for usage errors, as documented.
            return ExitCode::from(error.exit_code() as u8);
        }
    };
    let printer = Printer::new(&cli.global);
    printer.init_logging();
    match run(cli, &printer) {
        Ok(code) => code,
        Err(error) => {
            printer.error(&error);
            error.exit_code()
        }
    }
}

fn run(cli: Cli, printer: &Printer) -> Result<ExitCode, CliError> {
    match cli.command {
        Command::Compile(args) => commands::compile::run(&args, printer),
        Command::Abi(args) => commands::abi::run(&args, printer),
        Command::ApiBreaks(args) => commands::api_breaks::run(&args, printer),
        Command::Index(IndexCommand::Snapshot(args)) => commands::snapshot::run(&args, printer),
        Command::Lock(args) => commands::lock::run(&args, printer),
        Command::Check(args) => commands::check::run(&args, printer),
        Command::Scan(args) => commands::scan::run(&args, printer),
        Command::Doctor(args) => commands::doctor::run(&args, printer),
        Command::Explain(args) => commands::explain::run(&args, printer),
        Command::Completions(args) => commands::completions::run(&args, printer),
    }
}
