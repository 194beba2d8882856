//! The text of `npsolve api-breaks LIBRARY[==VERSION]`: the removed names npsolve knows.

use std::fmt::Write;

use npsolve_api_breaks::{BehaviourBreak, Removal};
use pep440_rs::Version;

/// The removals of one library, oldest first, and the behaviour breaks that name the
/// package (as the one that breaks, or the library it breaks with); with `version`, only the
/// names that release lacks and the breaks that hold for it. `asked` is what the user typed,
/// for the heading.
pub fn render_api_breaks(
    removals: &[&Removal],
    breaks: &[&BehaviourBreak],
    version: Option<&Version>,
    asked: &str,
) -> String {
    let mut out = String::new();
    if !breaks.is_empty() {
        let _ = writeln!(
            out,
            "{asked}: behaviour breaks npsolve knows ({}):",
            breaks.len()
        );
        for entry in breaks {
            let _ = writeln!(
                out,
                "  {} < {} fails with {} >= {}: {}\n    source: {} (checked {})",
                entry.package,
                entry.fixed_in,
                entry.library,
                entry.from,
                entry.error,
                entry.source,
                entry.checked
            );
        }
        if removals.is_empty() {
            return out;
        }
    }
    if removals.is_empty() {
        let _ = writeln!(
            out,
            "{asked}: npsolve knows no removed names or behaviour breaks"
        );
        return out;
    }
    let shown: Vec<&&Removal> = removals
        .iter()
        .filter(|removal| version.is_none_or(|version| !removal.working_range().contains(version)))
        .collect();
    match (shown.is_empty(), version) {
        (true, Some(_)) => {
            let _ = writeln!(
                out,
                "{asked}: has every public name npsolve knows was removed"
            );
            return out;
        }
        (true, None) => {
            let _ = writeln!(out, "{asked}: npsolve knows no removed names");
            return out;
        }
        (false, Some(_)) => {
            let _ = writeln!(out, "{asked} lacks {} public names:", shown.len());
        }
        (false, None) => {
            let _ = writeln!(out, "{asked}: {} removed public names", shown.len());
        }
    }
    let mut sorted = shown;
    sorted.sort_by(|a, b| {
        (&a.removed_in, &a.module, &a.name).cmp(&(&b.removed_in, &b.module, &b.name))
    });
    for removal in sorted {
        let back = removal.back_note();
        let _ = writeln!(
            out,
            "  {} (removed in {}{back}): {}\n    source: {}",
            removal.path(),
            removal.removed_in,
            removal.replacement,
            removal.source
        );
    }
    out
}
