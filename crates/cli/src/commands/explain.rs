//! `npsolve explain`: read a traceback, name the package and the fix.

use std::io::Read;
use std::process::ExitCode;

use npsolve_diagnose::explain_traceback;

use npsolve_environment::{Environment, Location};

use crate::args::{DoctorArgs, ExplainArgs, TargetArgs};
use crate::commands::doctor;
use crate::error::CliError;
use crate::printer::Printer;

/// Runs `npsolve explain`: exit 0 when a NumPy ABI error was recognised, 1 when none was.
pub fn run(args: &ExplainArgs, printer: &Printer) -> Result<ExitCode, CliError> {
    let text = match args.file.as_deref() {
        None => read_stdin()?,
        Some(path) if path.as_os_str() == "-" => read_stdin()?,
        Some(path) => std::fs::read(path)
            .map(|bytes| String::from_utf8_lossy(&bytes).into_owned())
            .map_err(|error| {
                CliError::Usage(format!("cannot read `{}`: {error}", path.display()))
            })?,
    };
    let Some(mut diagnosis) = explain_traceback(&text) else {
        let message = "no NumPy binary-incompatibility error found (looked for `_ARRAY_API not found`, the \"compiled using NumPy 1.x\" banner, `numpy.core.multiarray failed to import`, `size changed, may indicate binary incompatibility` and C-API version mismatches)";
        if args.json {
            printer.stdout(&format!(
                "{}\n",
                serde_json::json!({"recognised": false, "message": message})
            ))?;
        } else {
            printer.stdout(&format!("{message}\n"))?;
        }
        return Ok(ExitCode::from(1));
    };
    let location = if let Some(dir) = &args.site_packages {
        Some(Location::SitePackages(dir.clone()))
    } else if let Some(dir) = &args.venv {
        Some(Location::Venv(dir.clone()))
    } else {
        args.python.clone().map(Location::Python)
    };
    if let (Some(location), Some(module)) = (&location, diagnosis.module.clone()) {
        // The environment knows exactly which distribution installed the module.
        let environment = Environment::read(location)?;
        if let Some(owner) = environment.owner_of_module(&module) {
            diagnosis.distribution = Some(owner.name.clone());
        }
    }
    let advice = npsolve::explain::advice(&diagnosis);
    if args.json {
        printer.stdout(&npsolve_output::render_explanation_json(
            &diagnosis, &advice,
        ))?;
    } else {
        printer.stdout(&npsolve_output::render_explanation_text(
            &diagnosis, &advice,
        ))?;
        if location.is_some() {
            printer.stdout("\nIn the environment (`npsolve doctor`):\n")?;
            let doctor = DoctorArgs {
                venv: args.venv.clone(),
                site_packages: args.site_packages.clone(),
                json: false,
                target: TargetArgs {
                    python: args.python.clone(),
                    ..TargetArgs::default()
                },
                index: args.index.clone(),
            };
            doctor::run(&doctor, printer)?;
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn read_stdin() -> Result<String, CliError> {
    let mut bytes = Vec::new();
    std::io::stdin()
        .read_to_end(&mut bytes)
        .map_err(|error| CliError::Usage(format!("cannot read stdin: {error}")))?;
    Ok(String::from_utf8_lossy(&bytes).into_owned())
}
