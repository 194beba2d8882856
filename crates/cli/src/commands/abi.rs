//! `npsolve abi PKG[==VERSION]`: the curated facts npsolve holds, with their sources, and the
//! bundled wheels with what resolution uses (`npsolve::abi_facts`).

use std::process::ExitCode;
use std::str::FromStr;

use pep508_rs::{Requirement, VersionOrUrl};

use crate::args::AbiArgs;
use crate::error::CliError;
use crate::printer::Printer;

/// Runs `npsolve abi`.
pub fn run(args: &AbiArgs, printer: &Printer) -> Result<ExitCode, CliError> {
    let requirement: Requirement = Requirement::from_str(&args.package).map_err(|error| {
        CliError::Usage(format!("invalid package `{}`:\n{error}", args.package))
    })?;
    let specifiers = match &requirement.version_or_url {
        Some(VersionOrUrl::VersionSpecifier(specifiers)) => Some(specifiers.clone()),
        Some(VersionOrUrl::Url(_)) => {
            return Err(CliError::Usage(
                "`npsolve abi` takes a name and an optional version, not a URL".to_string(),
            ));
        }
        None => None,
    };
    let facts = npsolve::abi_facts::package_facts(&requirement.name, specifiers.as_ref());
    let out =
        npsolve_output::render_package_facts(requirement.name.as_ref(), &facts, &args.package);
    printer.stdout(&out)?;
    Ok(ExitCode::SUCCESS)
}
