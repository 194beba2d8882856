//! The text and JSON of `npsolve explain` (a `npsolve_diagnose::Diagnosis` and its advice).

use npsolve::explain::Advice;
use npsolve_diagnose::{AbiErrorKind, Diagnosis};

/// The cause, the evidence line and the fixes, for people.
pub fn render_explanation_text(diagnosis: &Diagnosis, advice: &Advice) -> String {
    let mut out = format!("{}\n\n  evidence: {}\n", advice.cause, diagnosis.evidence);
    for fix in &advice.fixes {
        out.push_str(&format!("  fix: {fix}\n"));
    }
    out
}

/// One pretty-printed JSON object: `recognised`, `kind` (`built-for-numpy1`,
/// `built-for-newer-numpy`), `evidence`, `module`, `distribution`, `cause`, `fix`.
pub fn render_explanation_json(diagnosis: &Diagnosis, advice: &Advice) -> String {
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
    format!(
        "{}\n",
        serde_json::to_string_pretty(&value).unwrap_or_default()
    )
}
