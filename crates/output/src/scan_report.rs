//! The text and JSON of `npsolve scan` (`npsolve::scan::WheelScanned`).

use std::fmt::Write as _;

use npsolve::scan::{VerdictSource, WheelScanned};
use npsolve_abi::{BuildFact, ScannedWheel, numpy_runtime_range};
use npsolve_resolver::format_range;

/// Whether a curated fact and a scan disagree: a different kind of build, or a different
/// floor where both know one. An undecided scan disagrees with nothing.
fn disagrees(curated: &BuildFact, scanned: &BuildFact) -> bool {
    if *scanned == BuildFact::Unknown || *curated == BuildFact::Unknown {
        return false;
    }
    if curated.keyword() != scanned.keyword() {
        return true;
    }
    matches!((curated.floor(), scanned.floor()), (Some(a), Some(b)) if a != b)
}

fn floor_text(fact: &BuildFact) -> Option<String> {
    fact.floor().map(ToString::to_string)
}

fn runs_with(fact: &BuildFact) -> Option<String> {
    numpy_runtime_range(fact).map(|range| format!("numpy{}", format_range(&range)))
}

fn source_keyword(source: VerdictSource) -> &'static str {
    match source {
        VerdictSource::PureWheel => "pure-wheel",
        VerdictSource::Cache => "cache",
        VerdictSource::Scan => "scan",
    }
}

/// One wheel's scan as one line of JSON, a stable contract for scripts: `file`, `sha256`,
/// `verdict` (`numpy1`, `numpy2`, `no-capi`, `unknown`), `silent`, `floor`, `module`,
/// `evidence`, `bytes_fetched`, `requests` (and more keys, which scripts may ignore).
pub fn render_scan_json(scanned: &WheelScanned) -> String {
    let report = &scanned.report;
    let curated = scanned.curated;
    let seconds = scanned.seconds;
    let wheel: &ScannedWheel = &report.wheel;
    let merged_json = scanned.merged.as_ref().map(|merged| {
        serde_json::json!({
            "verdict": merged.fact.keyword(),
            "floor": floor_text(&merged.fact),
            "runs_with": runs_with(&merged.fact),
            "settled_by": merged.settling_source().label(),
            "disagreements": merged.disagreements,
        })
    });
    let curated = curated.map(|fact| {
        serde_json::json!({
            "fact": fact.fact.keyword(),
            "floor": floor_text(&fact.fact),
            "source": fact.source,
            "disagrees": disagrees(&fact.fact, &wheel.fact),
        })
    });
    serde_json::json!({
        "file": wheel.file,
        "sha256": (!wheel.sha256.is_empty()).then_some(&wheel.sha256),
        "verdict": wheel.verdict_keyword(),
        "silent": wheel.is_silent(),
        "floor": floor_text(&wheel.fact),
        "module": wheel.module,
        "evidence": wheel.evidence,
        "bytes_fetched": report.bytes_fetched,
        "requests": report.requests,
        "fact": wheel.fact.keyword(),
        "binding": match &wheel.fact {
            BuildFact::Numpy1Silent { binding } => Some(binding.as_str()),
            _ => None,
        },
        "runs_with": runs_with(&wheel.fact),
        "wheel_size": report.wheel_size,
        "modules_read": report.modules_read,
        "candidate_modules": report.candidate_modules,
        "from": source_keyword(report.source),
        "seconds": (seconds * 1000.0).round() / 1000.0,
        "curated": curated,
        "complete": report.complete,
        "merged": merged_json,
        "api": scanned.api.as_ref().map(|api| match api {
            Ok(uses) => serde_json::json!({
                "facts": npsolve::facts_fingerprint(npsolve_api_breaks::Removals::bundled()),
                "complete": uses.complete,
                "uses": uses.uses.iter().map(|found| serde_json::json!({
                    "file": found.file,
                    "line": found.line,
                    "use": found.text,
                    "module": found.removal.module,
                    "name": found.removal.name,
                    "removed": found.removal.path(),
                    "library": found.removal.library,
                    "removed_in": found.removal.removed_in.to_string(),
                    "until": found.removal.until.as_ref().map(ToString::to_string),
                    "import_time": found.import_time,
                    "guarded": found.guarded,
                })).collect::<Vec<_>>(),
            }),
            Err(error) => serde_json::json!({"error": error}),
        }),
    })
    .to_string()
}

/// One wheel's scan for people: verdict, runtime range, evidence, cost, the curated fact and
/// what resolution uses, with a `DISAGREEMENT:` line per source that says another major.
pub fn render_scan_text(scanned: &WheelScanned) -> String {
    let report = &scanned.report;
    let curated = scanned.curated;
    let seconds = scanned.seconds;
    let wheel = &report.wheel;
    let mut out = format!("{}\n", wheel.file);
    let floor = floor_text(&wheel.fact)
        .map(|floor| format!(", floor {floor}"))
        .unwrap_or_default();
    let silent = if wheel.is_silent() {
        " (silent: imports under NumPy 2 but reads arrays wrongly)"
    } else {
        ""
    };
    let _ = writeln!(out, "  verdict: {}{floor}{silent}", wheel.verdict_keyword());
    let _ = writeln!(
        out,
        "  runs with: {}",
        runs_with(&wheel.fact).unwrap_or_else(|| "any NumPy (no constraint)".to_string())
    );
    if let Some(module) = &wheel.module {
        let _ = writeln!(out, "  module: {module}");
    }
    let _ = writeln!(out, "  evidence: {}", wheel.evidence);
    match report.source {
        VerdictSource::PureWheel => {
            let _ = writeln!(out, "  fetched nothing: the file name says pure Python");
        }
        VerdictSource::Cache => {
            let _ = writeln!(out, "  from the verdict cache (sha256 {})", wheel.sha256);
        }
        VerdictSource::Scan => {
            let size = report
                .wheel_size
                .map(|size| {
                    format!(
                        " of {size} ({:.1} %)",
                        report.bytes_fetched as f64 * 100.0 / size.max(1) as f64
                    )
                })
                .unwrap_or_default();
            let _ = writeln!(
                out,
                "  fetched {} bytes{size} in {} requests, {seconds:.2} s; read {} of {} candidate modules",
                report.bytes_fetched,
                report.requests,
                report.modules_read,
                report.candidate_modules
            );
        }
    }
    if let Some(fact) = curated {
        let floor = floor_text(&fact.fact)
            .map(|floor| format!(" floor {floor}"))
            .unwrap_or_default();
        let _ = writeln!(
            out,
            "  curated: {}{floor} (source: {})",
            fact.fact.keyword(),
            fact.source
        );
    } else {
        let _ = writeln!(out, "  curated: none");
    }
    if let Some(merged) = &scanned.merged {
        let _ = writeln!(
            out,
            "  resolution uses: {} (runs with {})",
            merged,
            runs_with(&merged.fact).unwrap_or_else(|| "any NumPy".to_string())
        );
        for disagreement in &merged.disagreements {
            let _ = writeln!(out, "  DISAGREEMENT: {disagreement}");
        }
    }
    match &scanned.api {
        None => {}
        Some(Err(error)) => {
            let _ = writeln!(out, "  Python sources: cannot be read: {error}");
        }
        Some(Ok(uses)) => {
            let partly = if uses.complete {
                ""
            } else {
                " (over the byte budget: not every file was read)"
            };
            if uses.uses.is_empty() {
                let _ = writeln!(out, "  Python sources: no use of a removed name{partly}");
            } else {
                let _ = writeln!(
                    out,
                    "  Python sources: {} uses of removed names{partly}",
                    uses.uses.len()
                );
            }
            for found in &uses.uses {
                let _ = writeln!(
                    out,
                    "    {}:{}: `{}` ({})",
                    found.file,
                    found.line,
                    found.text,
                    found.removal.describe_use(found.import_time, found.guarded)
                );
            }
        }
    }
    out
}
