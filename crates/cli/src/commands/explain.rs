//! `npsolve explain`: read a traceback, name the package and the fix.

use std::io::Read;
use std::process::ExitCode;

use npsolve_abi::Facts;
use npsolve_diagnose::{AbiErrorKind, Diagnosis, explain_traceback};

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
    let advice = advice(&diagnosis);
    if args.json {
        let kind = match &diagnosis.kind {
            AbiErrorKind::BuiltForNumpy1 => "built-for-numpy1",
            AbiErrorKind::BuiltForNewerNumpy { .. } => "built-for-newer-numpy",
        };
        let value = serde_json::json!({
            "recognised": true,
            "kind": kind,
            "evidence": diagnosis.evidence,
            "module": diagnosis.module,
            "distribution": diagnosis.distribution.as_ref().map(ToString::to_string),
            "cause": advice.cause,
            "fix": advice.fixes,
        });
        printer.stdout(&format!(
            "{}\n",
            serde_json::to_string_pretty(&value).unwrap_or_default()
        ))?;
    } else {
        let mut out = format!("{}\n\n  evidence: {}\n", advice.cause, diagnosis.evidence);
        for fix in &advice.fixes {
            out.push_str(&format!("  fix: {fix}\n"));
        }
        printer.stdout(&out)?;
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

/// The cause in one paragraph, and the fixes, most specific first.
struct Advice {
    cause: String,
    fixes: Vec<String>,
}

fn advice(diagnosis: &Diagnosis) -> Advice {
    let who = match (&diagnosis.distribution, &diagnosis.module) {
        (Some(distribution), Some(module)) => format!("`{distribution}` (module `{module}`)"),
        _ => "a compiled module".to_string(),
    };
    match &diagnosis.kind {
        AbiErrorKind::BuiltForNumpy1 => {
            let mut fixes = Vec::new();
            if let Some(distribution) = &diagnosis.distribution {
                if let Some(first) = Facts::bundled().first_numpy2_release(distribution) {
                    fixes.push(format!(
                        "upgrade it: pip install \"{distribution}>={first}\" ({first} is the first release built against NumPy 2; `npsolve abi {distribution}` shows the source)"
                    ));
                } else {
                    fixes.push(format!(
                        "upgrade `{distribution}` to a release built against NumPy 2, if one exists"
                    ));
                }
            }
            fixes.push("or keep NumPy 1: pip install \"numpy<2\"".to_string());
            fixes.push(
                "to get a set that cannot break this way: npsolve compile requirements.txt"
                    .to_string(),
            );
            Advice {
                cause: format!(
                    "{who} was compiled against NumPy 1.x, and NumPy 2 is installed. Wheels built with NumPy 1.x headers cannot run under NumPy 2 (its C structures changed), but most of them declare `numpy>=X` with no upper bound, so pip and uv installed NumPy 2 next to it."
                ),
                fixes,
            }
        }
        AbiErrorKind::BuiltForNewerNumpy { needs } => {
            let needs_text = needs
                .as_ref()
                .map(|version| format!(" (NumPy {version} or newer)"))
                .unwrap_or_default();
            let mut fixes = Vec::new();
            match needs {
                Some(version) => {
                    fixes.push(format!("upgrade NumPy: pip install \"numpy>={version}\""))
                }
                None => fixes.push("upgrade NumPy: pip install -U numpy".to_string()),
            }
            match &diagnosis.distribution {
                Some(distribution) => fixes.push(format!(
                    "or keep your NumPy and move `{distribution}` back to a release built for it (`npsolve doctor` proposes the pins, checked against every installed binary)"
                )),
                None => fixes.push(
                    "or install a release of the package built for the NumPy you have"
                        .to_string(),
                ),
            }
            Advice {
                cause: format!(
                    "{who} was compiled for a newer NumPy{needs_text} than the one installed. A wheel runs only on NumPy at or above the feature level it was built for."
                ),
                fixes,
            }
        }
    }
}
