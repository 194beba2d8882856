//! The text of `npsolve api-breaks LIBRARY[==VERSION]`: the removed names npsolve knows.

use std::fmt::Write;

use npsolve_api_breaks::Removal;
use pep440_rs::Version;

/// The removals of one library, oldest first; with `version`, only the names that release
/// lacks. `asked` is what the user typed, for the heading.
pub fn render_api_breaks(removals: &[&Removal], version: Option<&Version>, asked: &str) -> String {
    let mut out = String::new();
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
        let back = removal
            .until
            .as_ref()
            .map(|until| format!(", back in {until}"))
            .unwrap_or_default();
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
