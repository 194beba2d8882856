//! `npsolve api-breaks NAME[==VERSION]`: the removed Python names npsolve knows for a
//! library and the behaviour breaks that name a package (`npsolve_api_breaks`), with their
//! sources.

use std::process::ExitCode;
use std::str::FromStr;

use pep508_rs::{Requirement, VersionOrUrl};

use crate::args::AbiArgs;
use crate::error::CliError;
use crate::printer::Printer;

/// Runs `npsolve api-breaks`.
pub fn run(args: &AbiArgs, printer: &Printer) -> Result<ExitCode, CliError> {
    let requirement: Requirement = Requirement::from_str(&args.package).map_err(|error| {
        CliError::Usage(format!("invalid library `{}`:\n{error}", args.package))
    })?;
    let version = match &requirement.version_or_url {
        None => None,
        Some(VersionOrUrl::VersionSpecifier(specifiers)) => match specifiers.iter().next() {
            Some(specifier)
                if specifiers.len() == 1 && *specifier.operator() == pep440_rs::Operator::Equal =>
            {
                Some(specifier.version().clone())
            }
            _ => {
                return Err(CliError::Usage(format!(
                    "`npsolve api-breaks` takes a library and an optional `==VERSION`, not `{}`",
                    args.package
                )));
            }
        },
        Some(VersionOrUrl::Url(_)) => {
            return Err(CliError::Usage(
                "`npsolve api-breaks` takes a library and an optional `==VERSION`, not a URL"
                    .to_string(),
            ));
        }
    };
    let removals: Vec<_> = npsolve_api_breaks::Removals::bundled()
        .all()
        .iter()
        .filter(|removal| removal.library == requirement.name.as_ref())
        .collect();
    let name = &requirement.name;
    let breaks: Vec<_> = npsolve_api_breaks::BehaviourBreaks::bundled()
        .all()
        .iter()
        .filter(|entry| match &version {
            None => entry.package == *name || entry.library == *name,
            Some(version) => {
                (entry.package == *name && *version < entry.fixed_in)
                    || (entry.library == *name && *version >= entry.from)
            }
        })
        .collect();
    let out =
        npsolve_output::render_api_breaks(&removals, &breaks, version.as_ref(), &args.package);
    printer.stdout(&out)?;
    Ok(ExitCode::SUCCESS)
}
