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
            "{}:{}: {}: {}",
            problem.file,
            problem.line,
            problem.kind.code(),
            problem.message
        );
        if let Some(fix) = &problem.fix {
            let _ = writeln!(out, "    fix: {fix}");
        }
    }
    match problems.len() {
        0 => {
            let _ = writeln!(out, "{file}: no problems for {target}");
        }
        count => {
            let _ = writeln!(
                out,
                "{file}: {count} problem{} for {target}",
                if count == 1 { "" } else { "s" }
            );
        }
    }
    out
}

fn json(problems: &[Problem], file: &str, target: &str) -> String {
    let problems: Vec<serde_json::Value> = problems
        .iter()
        .map(|problem| {
            serde_json::json!({
                "kind": problem.kind.code(),
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
            "::error file={},line={},title={}::{}",
            escape(&problem.file, true),
            problem.line,
            escape(&format!("npsolve {}", problem.kind.code()), true),
            escape(&message, false)
        );
    }
    out
}
