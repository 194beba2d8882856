//! `npsolve abi PKG[==VERSION]`: the curated facts npsolve holds, with their sources.

use std::fmt::Write;
use std::process::ExitCode;
use std::str::FromStr;

use npsolve_abi::{
    Facts, SourceKind, SourceVerdict, Verdicts, merge_verdicts, numpy_runtime_range,
};
use npsolve_platform::WheelFilename;
use npsolve_resolver::format_range;
use pep440_rs::VersionSpecifiers;
use pep508_rs::PackageName;
use pep508_rs::{Requirement, VersionOrUrl};

use crate::args::AbiArgs;
use crate::error::CliError;
use crate::printer::Printer;
use npsolve::describe;

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
    let facts = Facts::bundled();
    let mut out = String::new();
    for fact in facts.for_package(&requirement.name) {
        // With a version, show only the entries whose range can contain it.
        if let Some(specifiers) = &specifiers {
            let overlaps = specifiers.iter().all(|specifier| {
                specifier.operator() != &pep440_rs::Operator::Equal
                    || fact.versions.contains(specifier.version())
            });
            if !overlaps {
                continue;
            }
        }
        let mut scope = Vec::new();
        if !fact.python_tags.is_empty() {
            scope.push(format!("python {}", fact.python_tags.join(",")));
        }
        if !fact.platforms.is_empty() {
            scope.push(format!("platform {}", fact.platforms.join(",")));
        }
        let scope = if scope.is_empty() {
            String::new()
        } else {
            format!(" [{}]", scope.join("; "))
        };
        let runtime = numpy_runtime_range(&fact.fact)
            .map(|range| format!("numpy{}", format_range(&range)))
            .unwrap_or_else(|| "no constraint".to_string());
        let described = describe(&fact.fact);
        let _ = writeln!(
            out,
            "{}{}{scope}: {described} -> runs with {runtime}",
            requirement.name, fact.versions
        );
        let _ = writeln!(
            out,
            "    source: {} (checked {})",
            fact.source, fact.checked
        );
        if let Some(note) = &fact.note {
            let _ = writeln!(out, "    note: {note}");
        }
    }
    let scanned = scanned_wheels(&requirement.name, specifiers.as_ref());
    if out.is_empty() && scanned.is_empty() {
        out = format!(
            "npsolve holds no curated NumPy ABI facts for `{}`.\n",
            args.package
        );
    }
    if !scanned.is_empty() {
        let _ = writeln!(
            out,
            "\nWheels in the bundled verdict table (read from their binaries), and what resolution uses:"
        );
        out.push_str(&scanned);
    }
    printer.stdout(&out)?;
    Ok(ExitCode::SUCCESS)
}

/// The bundled table's wheels of `name` (of the versions `specifiers` allow), each with its
/// verdict merged with the curated fact that covers it, and any disagreement.
fn scanned_wheels(name: &PackageName, specifiers: Option<&VersionSpecifiers>) -> String {
    let facts = Facts::bundled();
    let mut out = String::new();
    for row in Verdicts::bundled().iter() {
        let Ok(wheel) = WheelFilename::from_str(&row.file) else {
            continue;
        };
        if wheel.name != *name || specifiers.is_some_and(|spec| !spec.contains(&wheel.version)) {
            continue;
        }
        let mut sources = Vec::new();
        if let Some(fact) = facts.lookup(name, &wheel.version, Some(&wheel)) {
            sources.push(SourceVerdict::curated(fact, Some(&row.file)));
        }
        sources.push(SourceVerdict::binaries(
            SourceKind::VerdictTable,
            row.fact.clone(),
            None,
            row.evidence.clone(),
        ));
        let Some(merged) = merge_verdicts(sources) else {
            let _ = writeln!(out, "  {}: undecided", row.file);
            continue;
        };
        let _ = writeln!(out, "  {}: {merged}", row.file);
    }
    out
}
