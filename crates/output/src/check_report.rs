//! Reports of `npsolve check`: for people, for scripts, for GitHub annotations.

use std::fmt::Write;

use npsolve_resolver::Problem;

/// How a check report is written (`--format`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum CheckFormat {
    /// `file:line: message` lines and a summary.
    #[default]
    Text,
    /// One JSON object with a `problems` array (a stable contract for scripts).
    Json,
    /// GitHub Actions workflow commands (`::error file=…,line=…::…`).
    Github,
}

/// Renders the problems found in `file` for `target`.
pub fn render_check(problems: &[Problem], file: &str, target: &str, format: CheckFormat) -> String {
    match format {
        CheckFormat::Text => text(problems, file, target),
        CheckFormat::Json => json(problems, file, target),
        CheckFormat::Github => github(problems),
    }
}

fn text(problems: &[Problem], file: &str, target: &str) -> String {
    let mut out = String::new();
    for problem in problems {
        let _ = writeln!(
            out,
            "{}:{}: {}: {}: {}",
            problem.file,
            problem.line,
            severity(problem),
            problem.kind.code(),
            problem.message
        );
        if let Some(fix) = &problem.fix {
            let _ = writeln!(out, "    fix: {fix}");
        }
    }
    let warnings = problems
        .iter()
        .filter(|problem| problem.kind.is_warning())
        .count();
    let errors = problems.len() - warnings;
    let plural = |count: usize| if count == 1 { "" } else { "s" };
    let _ = match (errors, warnings) {
        (0, 0) => writeln!(out, "{file}: no problems for {target}"),
        (errors, 0) => writeln!(
            out,
            "{file}: {errors} problem{} for {target}",
            plural(errors)
        ),
        (errors, warnings) => writeln!(
            out,
            "{file}: {errors} problem{} and {warnings} warning{} for {target}",
            plural(errors),
            plural(warnings)
        ),
    };
    out
}

/// `error` for problems that fail the check, `warning` for the others.
fn severity(problem: &Problem) -> &'static str {
    if problem.kind.is_warning() {
        "warning"
    } else {
        "error"
    }
}

fn json(problems: &[Problem], file: &str, target: &str) -> String {
    let problems: Vec<serde_json::Value> = problems
        .iter()
        .map(|problem| {
            serde_json::json!({
                "kind": problem.kind.code(),
                "severity": severity(problem),
                "package": problem.package.to_string(),
                "file": problem.file,
                "line": problem.line,
                "message": problem.message,
                "fix": problem.fix,
            })
        })
        .collect();
    let report = serde_json::json!({"file": file, "target": target, "problems": problems});
    format!(
        "{}\n",
        serde_json::to_string_pretty(&report).unwrap_or_default()
    )
}

/// Escapes a workflow-command value (GitHub's `%`, CR, LF, and `,`/`:` in properties).
fn escape(value: &str, property: bool) -> String {
    let mut escaped = value
        .replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A");
    if property {
        escaped = escaped.replace(':', "%3A").replace(',', "%2C");
    }
    escaped
}

fn github(problems: &[Problem]) -> String {
    let mut out = String::new();
    for problem in problems {
        let mut message = problem.message.clone();
        if let Some(fix) = &problem.fix {
            message.push_str(&format!("\nfix: {fix}"));
        }
        let _ = writeln!(
            out,
            "::{} file={},line={},title={}::{}",
            severity(problem),
            escape(&problem.file, true),
            problem.line,
            escape(&format!("npsolve {}", problem.kind.code()), true),
            escape(&message, false)
        );
    }
    out
}
