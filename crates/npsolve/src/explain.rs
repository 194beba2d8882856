//! `explain`: what a traceback's NumPy ABI error means and how to fix it.

use npsolve_abi::Facts;
use npsolve_diagnose::{AbiErrorKind, Diagnosis};

/// The cause in one paragraph, and the fixes, most specific first.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Advice {
    /// What went wrong and why, in one paragraph.
    pub cause: String,
    /// The fixes, most specific first.
    pub fixes: Vec<String>,
}

/// The cause and the fixes for a diagnosed traceback, with the curated facts' first NumPy-2
/// release of the culprit when there is one.
pub fn advice(diagnosis: &Diagnosis) -> Advice {
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
