//! `npsolve scan FILE.whl`: which NumPy a local wheel was built against, read from its
//! binaries with the scanner of `npsolve-abi` (smallest candidate modules first, stop
//! as soon as the verdict is decided).

use std::io::Read;
use std::path::Path;
use std::process::ExitCode;

use npsolve_abi::{BuildFact, Facts, WheelScan, numpy_runtime_range, reading_order};
use npsolve_platform::WheelFilename;
use npsolve_resolver::format_range;
use sha2::Digest;

use crate::args::ScanArgs;
use crate::error::CliError;
use crate::printer::Printer;

/// What one wheel scan found.
struct ScanReport {
    file: String,
    sha256: String,
    fact: BuildFact,
    evidence: String,
    modules_read: usize,
    candidate_modules: usize,
    bytes_read: u64,
    wheel_size: u64,
    curated: Option<String>,
}

/// Runs `npsolve scan`.
pub fn run(args: &ScanArgs, printer: &Printer) -> Result<ExitCode, CliError> {
    let path = Path::new(&args.target);
    if !args.target.ends_with(".whl") || !path.is_file() {
        return Err(CliError::Usage(format!(
            "`{}`: npsolve scan reads local wheel files (`FILE.whl`) for now; scanning `PKG==VERSION` and URLs over HTTP range requests is not implemented yet",
            args.target
        )));
    }
    let report = scan_file(path)?;
    let (verdict, silent, floor) = match &report.fact {
        BuildFact::Numpy1 { floor } => ("numpy1", false, floor.as_ref()),
        BuildFact::Numpy2 { floor } => ("numpy2", false, floor.as_ref()),
        BuildFact::Numpy1Silent { .. } => ("numpy1", true, None),
        BuildFact::NoCapi => ("no-capi", false, None),
        BuildFact::Unknown => ("unknown", false, None),
    };
    let runtime =
        numpy_runtime_range(&report.fact).map(|range| format!("numpy{}", format_range(&range)));
    if args.json {
        let value = serde_json::json!({
            "file": report.file,
            "sha256": report.sha256,
            "verdict": verdict,
            "silent": silent,
            "floor": floor.map(ToString::to_string),
            "runs_with": runtime,
            "evidence": report.evidence,
            "modules_read": report.modules_read,
            "candidate_modules": report.candidate_modules,
            "bytes_read": report.bytes_read,
            "wheel_size": report.wheel_size,
            "curated": report.curated,
        });
        printer.stdout(&format!("{value}\n"))?;
    } else {
        let mut out = format!(
            "{}\n  verdict: {verdict}{}{}\n  runs with: {}\n  evidence: {}\n  read {} of {} candidate modules, {} of {} bytes\n",
            report.file,
            if silent {
                " (silent: imports under NumPy 2 but reads arrays wrongly)"
            } else {
                ""
            },
            floor
                .map(|floor| format!(", floor {floor}"))
                .unwrap_or_default(),
            runtime.as_deref().unwrap_or("any NumPy (no constraint)"),
            report.evidence,
            report.modules_read,
            report.candidate_modules,
            report.bytes_read,
            report.wheel_size,
        );
        if let Some(curated) = &report.curated {
            out.push_str(&format!("  curated facts: {curated}\n"));
        }
        printer.stdout(&out)?;
    }
    Ok(ExitCode::SUCCESS)
}

fn scan_file(path: &Path) -> Result<ScanReport, CliError> {
    let unreadable = |error: &dyn std::fmt::Display| {
        CliError::Usage(format!("cannot read `{}`: {error}", path.display()))
    };
    let bytes = std::fs::read(path).map_err(|error| unreadable(&error))?;
    let sha256 = hex::encode(sha2::Sha256::digest(&bytes));
    let mut archive =
        zip::ZipArchive::new(std::io::Cursor::new(&bytes)).map_err(|error| unreadable(&error))?;
    let mut members = Vec::with_capacity(archive.len());
    for index in 0..archive.len() {
        let member = archive
            .by_index_raw(index)
            .map_err(|error| unreadable(&error))?;
        members.push((member.name().to_string(), member.size()));
    }
    let order: Vec<String> =
        reading_order(members.iter().map(|(name, size)| (name.as_str(), *size)))
            .into_iter()
            .map(str::to_string)
            .collect();
    let mut scan = WheelScan::new();
    let (mut modules_read, mut bytes_read) = (0, 0);
    for name in &order {
        let mut member = archive.by_name(name).map_err(|error| unreadable(&error))?;
        bytes_read += member.compressed_size();
        let mut contents = Vec::new();
        member
            .read_to_end(&mut contents)
            .map_err(|error| unreadable(&error))?;
        modules_read += 1;
        scan.scan_module(name, &contents);
        if scan.is_decided() {
            break;
        }
    }
    let verdict = scan.verdict();
    let file = path.file_name().map_or_else(
        || path.display().to_string(),
        |name| name.to_string_lossy().into_owned(),
    );
    // Curated facts override scans where they disagree; show both so the difference is visible.
    let curated = file.parse::<WheelFilename>().ok().and_then(|wheel| {
        Facts::bundled()
            .lookup(&wheel.name, &wheel.version, Some(&wheel))
            .map(|fact| {
                let agrees = if fact.fact.keyword() == verdict.fact.keyword() {
                    "agrees"
                } else {
                    "DISAGREES with the scan"
                };
                format!(
                    "{} ({agrees}; source: {})",
                    fact.fact.keyword(),
                    fact.source
                )
            })
    });
    Ok(ScanReport {
        file,
        sha256,
        fact: verdict.fact,
        evidence: verdict.evidence,
        modules_read,
        candidate_modules: order.len(),
        bytes_read,
        wheel_size: bytes.len() as u64,
        curated,
    })
}
