//! The text of `npsolve abi PKG[==VERSION]` (`npsolve::abi_facts::PackageFacts`).

use std::fmt::Write;

use npsolve::abi_facts::PackageFacts;
use npsolve::describe;
use npsolve_abi::numpy_runtime_range;
use npsolve_resolver::format_range;

/// The curated entries with their scope, runtime range, source and note, then the bundled
/// wheels with what resolution uses; `asked` names the package when nothing is known.
pub fn render_package_facts(name: &str, facts: &PackageFacts, asked: &str) -> String {
    let mut out = String::new();
    for fact in &facts.curated {
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
            "{name}{}{scope}: {described} -> runs with {runtime}",
            fact.versions
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
    if facts.curated.is_empty() && facts.wheels.is_empty() {
        return format!("npsolve holds no curated NumPy ABI facts for `{asked}`.\n");
    }
    if !facts.wheels.is_empty() {
        let _ = writeln!(
            out,
            "\nWheels in the bundled verdict table (read from their binaries), and what resolution uses:"
        );
        for (file, merged) in &facts.wheels {
            match merged {
                Some(merged) => {
                    let _ = writeln!(out, "  {file}: {merged}");
                }
                None => {
                    let _ = writeln!(out, "  {file}: undecided");
                }
            }
        }
    }
    out
}
