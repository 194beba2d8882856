//! The text and JSON of `npsolve doctor`'s report (`npsolve::DoctorReport`).

use std::path::Path;

use npsolve::{DoctorReport, describe};

/// The doctor's report for people: each problem with its module and evidence, then the fix
/// and the `pip` and `uv pip` commands that apply it.
pub fn render_doctor_text(report: &DoctorReport) -> String {
    let DoctorReport {
        target,
        abi_problems,
        unsatisfied,
        ..
    } = report;
    let numpy = report.numpy.as_ref();
    let fix = report.fix.as_ref();
    let fix_error = report.fix_error.as_deref();
    let python = report.python.as_deref();
    let mut out = String::new();
    let dirs: Vec<String> = report
        .site_packages
        .iter()
        .map(|dir| dir.display().to_string())
        .collect();
    out.push_str(&format!(
        "Environment: {} ({} distributions, {target})\n",
        dirs.join(", "),
        report.distributions
    ));
    match numpy {
        Some(numpy) => out.push_str(&format!("numpy: {numpy}\n")),
        None => out.push_str("numpy: not installed\n"),
    }
    for error in &report.unreadable {
        out.push_str(&format!("warning: skipped {error}\n"));
    }
    for problem in abi_problems {
        out.push_str(&format!(
            "\nerror: {} {} cannot run with numpy {}: it needs {} (according to its {}).\n",
            problem.package,
            problem.version,
            numpy.map(ToString::to_string).unwrap_or_default(),
            problem.needs,
            problem.source,
        ));
        if let Some(module) = &problem.module {
            out.push_str(&format!("    module: {module}\n"));
        }
        if !problem.evidence.is_empty() {
            out.push_str(&format!("    evidence: {}\n", problem.evidence));
        }
    }
    for missing in unsatisfied {
        let what = match &missing.installed {
            Some(version) => format!("but {} {version} is installed", missing.requirement.name),
            None => "which is not installed".to_string(),
        };
        out.push_str(&format!(
            "\nerror: {} {} requires `{}`, {what}\n",
            missing.package, missing.version, missing.requirement
        ));
    }
    for problem in &report.api_problems {
        out.push_str(&api_problem_text(problem));
    }
    if report.healthy() {
        if report.api_problems.is_empty() {
            out.push_str("\nNo problems: every installed binary can run with the installed numpy, and every dependency is satisfied.\n");
        }
        return out;
    }
    out.push('\n');
    match (fix, fix_error) {
        (Some(fix), _) if fix.pins.is_empty() => out.push_str(
            "No fix found that keeps these packages installable: the index offers nothing better.\n",
        ),
        (Some(fix), _) => {
            out.push_str("Proposed fix (everything else stays as installed):\n");
            for pin in &fix.pins {
                out.push_str(&format!("    {pin}\n"));
            }
            out.push_str(&format!(
                "Apply it with:\n    {}\n    {}\n",
                pip_command(&fix.pins, python),
                uv_command(&fix.pins, python)
            ));
        }
        (None, Some(error)) => out.push_str(&format!(
            "The fix could not be computed: {}\n",
            error.lines().next().unwrap_or_default()
        )),
        (None, None) => {}
    }
    out
}

/// One use of a removed Python name, with what to do about it.
fn api_problem_text(problem: &npsolve::ApiProblem) -> String {
    let back = problem
        .until
        .as_ref()
        .map(|until| format!(", back in {until}"))
        .unwrap_or_default();
    let keep = match &problem.until {
        Some(until) => format!(
            "`{0}<{1}` or `{0}>={until}`",
            problem.library, problem.removed_in
        ),
        None => format!("`{}<{}`", problem.library, problem.removed_in),
    };
    let (level, what, when) = if problem.import_time {
        ("error", "cannot be imported", "")
    } else {
        (
            "warning",
            "fails when the function is called",
            " in a function",
        )
    };
    format!(
        "\n{level}: {} {} {what} with {} {}: {}:{} uses `{}`{when}, and {} was removed in {} {}{back} ({}).\n    fix: keep {keep}, or move {} to a release that does not use it\n    source: {}\n",
        problem.package,
        problem.version,
        problem.library,
        problem.installed,
        problem.file,
        problem.line,
        problem.text,
        problem.name,
        problem.library,
        problem.removed_in,
        problem.replacement.trim_end_matches('.'),
        problem.package,
        problem.source,
    )
}

fn pip_command(pins: &[String], python: Option<&Path>) -> String {
    match python {
        Some(python) => format!("{} -m pip install {}", python.display(), pins.join(" ")),
        None => format!("pip install {}", pins.join(" ")),
    }
}

fn uv_command(pins: &[String], python: Option<&Path>) -> String {
    match python {
        Some(python) => format!(
            "uv pip install --python {} {}",
            python.display(),
            pins.join(" ")
        ),
        None => format!("uv pip install {}", pins.join(" ")),
    }
}

/// The doctor's report as one JSON object, a stable contract for tools:
/// `{"site_packages": [..], "python": str|null, "target": str, "numpy": str|null,
///   "abi_problems": [{"package", "version", "needs", "fact", "module", "evidence", "source"}],
///   "unsatisfied": [{"package", "version", "requirement", "installed"}],
///   "api_problems": [{"package", "version", "file", "line", "use", "name", "library",
///     "installed", "removed_in", "until", "replacement", "source", "import_time"}],
///   "unreadable": [str], "fix": {"pins": [str], "pip": str, "uv": str} | null,
///   "fix_error": str | null}`.
pub fn render_doctor_json(report: &DoctorReport) -> String {
    let DoctorReport {
        target,
        abi_problems,
        unsatisfied,
        ..
    } = report;
    let numpy = report.numpy.as_ref();
    let fix = report.fix.as_ref();
    let fix_error = report.fix_error.as_deref();
    let python = report.python.as_deref();
    let value = serde_json::json!({
        "site_packages": report
            .site_packages
            .iter()
            .map(|dir| dir.display().to_string())
            .collect::<Vec<_>>(),
        "python": python.map(|path| path.display().to_string()),
        "target": target,
        "numpy": numpy.map(ToString::to_string),
        "abi_problems": abi_problems.iter().map(|problem| serde_json::json!({
            "package": problem.package.to_string(),
            "version": problem.version.to_string(),
            "needs": problem.needs,
            "fact": describe(&problem.fact),
            "module": problem.module,
            "evidence": problem.evidence,
            "source": problem.source,
        })).collect::<Vec<_>>(),
        "unsatisfied": unsatisfied.iter().map(|missing| serde_json::json!({
            "package": missing.package.to_string(),
            "version": missing.version.to_string(),
            "requirement": missing.requirement.to_string(),
            "installed": missing.installed.as_ref().map(ToString::to_string),
        })).collect::<Vec<_>>(),
        "api_problems": report.api_problems.iter().map(|problem| serde_json::json!({
            "package": problem.package.to_string(),
            "version": problem.version.to_string(),
            "file": problem.file,
            "line": problem.line,
            "use": problem.text,
            "name": problem.name,
            "library": problem.library.to_string(),
            "installed": problem.installed.to_string(),
            "removed_in": problem.removed_in.to_string(),
            "until": problem.until.as_ref().map(ToString::to_string),
            "replacement": problem.replacement,
            "source": problem.source,
            "import_time": problem.import_time,
        })).collect::<Vec<_>>(),
        "unreadable": report.unreadable,
        "fix": fix.map(|fix| serde_json::json!({
            "pins": fix.pins,
            "pip": pip_command(&fix.pins, python),
            "uv": uv_command(&fix.pins, python),
        })),
        "fix_error": fix_error,
    });
    format!("{value:#}\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn commands_name_the_interpreter_when_known() {
        let pins = vec!["numpy==1.26.4".to_string()];
        assert_eq!(
            pip_command(&pins, Some(Path::new("/v/bin/python"))),
            "/v/bin/python -m pip install numpy==1.26.4"
        );
        assert_eq!(uv_command(&pins, None), "uv pip install numpy==1.26.4");
    }
}
