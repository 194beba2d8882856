//! `npsolve doctor`: audit an installed environment for NumPy ABI breaks and unmet
//! dependencies, then propose the smallest pinned set that fixes them (the audit and the fix
//! are `npsolve::Engine::doctor`; the text and the JSON contract are in `npsolve-output`).

use std::process::ExitCode;

use npsolve_environment::{Environment, Location};
use npsolve_platform::Target;
use npsolve_requirements::IndexOptions;

use crate::args::DoctorArgs;
use crate::error::CliError;
use crate::printer::Printer;
use crate::settings;

/// Runs `npsolve doctor`: exit 0 healthy, 1 problems.
pub fn run(args: &DoctorArgs, printer: &Printer) -> Result<ExitCode, CliError> {
    let location = if let Some(dir) = &args.site_packages {
        Location::SitePackages(dir.clone())
    } else if let Some(dir) = &args.venv {
        Location::Venv(dir.clone())
    } else if let Some(python) = &args.target.python {
        Location::Python(python.clone())
    } else {
        settings::default_location()
    };
    let environment = Environment::read(&location)?;
    let target = match &environment.site_packages.interpreter {
        Some(python) if args.target.python_version.is_none() => {
            Target::from_interpreter(python).map_err(|error| CliError::Usage(error.to_string()))?
        }
        _ => {
            let mut target_args = args.target.clone();
            target_args.python = None;
            settings::target(&target_args)?
        }
    };
    let engine = npsolve::Engine::new()?;
    let report = engine.doctor(npsolve::DoctorRequest {
        environment: &environment,
        target: &target,
        client: settings::client_options(&args.index, &IndexOptions::default())?,
    })?;
    let text = if args.json {
        npsolve_output::render_doctor_json(&report)
    } else {
        npsolve_output::render_doctor_text(&report)
    };
    printer.stdout(&text)?;
    Ok(if report.healthy() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}
