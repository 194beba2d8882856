//! `npsolve scan PKG==VERSION | FILE.whl | URL`: which NumPy a wheel was built against, read
//! from its binaries (`npsolve::Engine::scan`), beside the curated fact; the text and the
//! JSON contract are `npsolve_output::render_scan_text`/`_json`.

use std::fmt::Write as _;
use std::process::ExitCode;
use std::str::FromStr;

use npsolve::scan::{ScanRequest, ScanTarget};
use npsolve_requirements::IndexOptions;

use crate::args::ScanArgs;
use crate::error::CliError;
use crate::printer::Printer;
use crate::settings;

/// Runs `npsolve scan`.
pub fn run(args: &ScanArgs, printer: &Printer) -> Result<ExitCode, CliError> {
    let targets = args
        .targets
        .iter()
        .map(|text| ScanTarget::from_str(text).map_err(CliError::Usage))
        .collect::<Result<Vec<_>, _>>()?;
    let needs_target = !args.all_wheels
        && targets
            .iter()
            .any(|target| matches!(target, ScanTarget::Release { .. }));
    let target = needs_target
        .then(|| settings::target(&args.target))
        .transpose()?;
    let engine = npsolve::Engine::new()?;
    let outcomes = engine.scan(ScanRequest {
        client: settings::client_options(&args.index, &IndexOptions::default())?,
        targets: &targets,
        target: target.as_ref(),
        all_wheels: args.all_wheels,
        byte_budget: args.byte_budget,
        api: args.api,
    })?;
    let single = outcomes.len() == 1;
    let mut failed = false;
    for outcome in outcomes {
        match outcome.result {
            Ok(scanned) => {
                let text = if args.json {
                    format!("{}\n", npsolve_output::render_scan_json(&scanned))
                } else {
                    npsolve_output::render_scan_text(&scanned)
                };
                printer.stdout(&text)?;
            }
            Err(error) if single => return Err(CliError::Index(error)),
            Err(error) => {
                failed = true;
                let mut message = format!("error: cannot scan `{}`: {error}", outcome.filename);
                let mut source = std::error::Error::source(&error);
                while let Some(cause) = source {
                    let _ = write!(message, "\n  caused by: {cause}");
                    source = cause.source();
                }
                eprintln!("{message}");
            }
        }
    }
    Ok(if failed {
        ExitCode::from(2)
    } else {
        ExitCode::SUCCESS
    })
}
