//! `npsolve scan PKG==VERSION | FILE.whl | URL`: which NumPy a wheel was built against, read
//! from its binaries by the index client (HTTP range requests: the zip directory, then the
//! smallest candidate modules until the verdict is decided), beside the curated fact.
//!
//! `--json` prints one object per wheel, a stable contract for scripts: `file`, `sha256`,
//! `verdict` (`numpy1`, `numpy2`, `no-capi`, `unknown`), `silent`, `floor`, `module`,
//! `evidence`, `bytes_fetched`, `requests` (and more keys, which scripts may ignore).

use std::fmt::Write as _;
use std::process::ExitCode;
use std::str::FromStr;
use std::time::Instant;

use futures::StreamExt;
use npsolve_abi::{
    BuildFact, CuratedFact, Facts, MergedVerdict, ScannedWheel, SourceKind, SourceVerdict,
    merge_verdicts, numpy_runtime_range,
};
use npsolve_index::{
    ClientOptions, CoreMetadataHint, DistFile, Hashes, IndexClient, ScanOptions, VerdictSource,
    WheelScanReport,
};
use npsolve_platform::{DistFilename, WheelFilename};
use npsolve_requirements::IndexOptions;
use npsolve_resolver::format_range;
use pep508_rs::{Requirement, VersionOrUrl};
use url::Url;

use crate::args::ScanArgs;
use crate::error::CliError;
use crate::printer::Printer;
use crate::settings;

/// A scan's report and how long it took, or why it failed.
type Scanned = Result<(WheelScanReport, f64), npsolve_index::IndexError>;

/// Wheels scanned at once.
const CONCURRENT_SCANS: usize = 8;

/// One wheel to scan and how it was named.
struct Job {
    file: DistFile,
}

/// Runs `npsolve scan`.
pub fn run(args: &ScanArgs, printer: &Printer) -> Result<ExitCode, CliError> {
    let mut options: ClientOptions =
        settings::client_options(&args.index, &IndexOptions::default())?;
    options.max_concurrency = options.max_concurrency.min(16);
    let client = IndexClient::new(options)?;
    let scan_options = ScanOptions {
        byte_budget: args.byte_budget,
        use_cache: true,
    };
    let runtime = settings::runtime()?;
    let jobs = runtime.block_on(jobs(args, &client))?;
    let results: Vec<(Job, Scanned)> = runtime.block_on(
        futures::stream::iter(jobs)
            .map(|job| {
                let client = client.clone();
                async move {
                    let started = Instant::now();
                    let result = client
                        .scan_wheel(&job.file, &scan_options)
                        .await
                        .map(|report| (report, started.elapsed().as_secs_f64()));
                    (job, result)
                }
            })
            .buffered(CONCURRENT_SCANS)
            .collect(),
    );
    let single = results.len() == 1;
    let mut failed = false;
    for (job, result) in results {
        match result {
            Ok((report, seconds)) => {
                let curated = curated_for(&job.file);
                let text = if args.json {
                    format!("{}\n", json(&report, curated, seconds))
                } else {
                    text(&report, curated, seconds)
                };
                printer.stdout(&text)?;
            }
            Err(error) if single => return Err(CliError::Index(error)),
            Err(error) => {
                failed = true;
                let mut message = format!("error: cannot scan `{}`: {error}", job.file.filename);
                let mut source = std::error::Error::source(&error);
                while let Some(cause) = source {
                    let _ = write!(message, "\n  caused by: {cause}");
                    source = cause.source();
                }
                eprintln!("{message}");
            }
        }
    }
    Ok(if failed {
        ExitCode::from(2)
    } else {
        ExitCode::SUCCESS
    })
}

/// The wheels the arguments name: local files, URLs, or releases (the target's wheel, or all).
async fn jobs(args: &ScanArgs, client: &IndexClient) -> Result<Vec<Job>, CliError> {
    let mut jobs = Vec::new();
    let mut target = None;
    for text in &args.targets {
        if text.starts_with("http://")
            || text.starts_with("https://")
            || text.starts_with("file://")
        {
            let url = Url::parse(text)
                .map_err(|error| CliError::Usage(format!("invalid URL `{text}`: {error}")))?;
            jobs.push(Job {
                file: dist_file_from_url(url, text)?,
            });
        } else if text.ends_with(".whl") || std::path::Path::new(text).exists() {
            let path = std::path::absolute(text)
                .map_err(|error| CliError::Usage(format!("cannot read `{text}`: {error}")))?;
            if !path.is_file() {
                return Err(CliError::Usage(format!(
                    "cannot read `{text}`: no such file"
                )));
            }
            let url = Url::from_file_path(&path)
                .map_err(|()| CliError::Usage(format!("cannot read `{text}`: not a local path")))?;
            jobs.push(Job {
                file: dist_file_from_url(url, text)?,
            });
        } else {
            let requirement: Requirement = Requirement::from_str(text).map_err(|error| {
                CliError::Usage(format!(
                    "`{text}` is not `PKG==VERSION`, a `.whl` file or a URL:\n{error}"
                ))
            })?;
            let version = match &requirement.version_or_url {
                Some(VersionOrUrl::VersionSpecifier(specifiers))
                    if specifiers.len() == 1
                        && specifiers.iter().all(|specifier| {
                            *specifier.operator() == pep440_rs::Operator::Equal
                        }) =>
                {
                    specifiers
                        .iter()
                        .next()
                        .map(|specifier| specifier.version().clone())
                }
                _ => None,
            };
            let Some(version) = version else {
                return Err(CliError::Usage(format!(
                    "`{text}`: name one release as `PKG==VERSION`"
                )));
            };
            let project = client.project(&requirement.name).await?;
            let release: Vec<&DistFile> = project
                .files
                .iter()
                .filter(|file| {
                    file.filename.version() == &version
                        && matches!(file.filename, DistFilename::Wheel(_))
                })
                .collect();
            if release.is_empty() {
                return Err(CliError::Usage(format!(
                    "`{}` {version} has no wheels on the index",
                    requirement.name
                )));
            }
            if args.all_wheels {
                jobs.extend(release.into_iter().map(|file| Job { file: file.clone() }));
                continue;
            }
            if target.is_none() {
                target = Some(settings::target(&args.target)?);
            }
            let Some(target) = &target else { continue };
            let best =
                DistFilename::best_wheel(release.iter().map(|file| &file.filename), target.tags())
                    .map(|(wheel, _)| wheel.filename().to_string());
            let Some(best) = best else {
                return Err(CliError::Usage(format!(
                    "`{}` {version} has no wheel for Python {} on {} ({} wheels; try --all-wheels)",
                    requirement.name,
                    target.python().short_version_string(),
                    target.platform(),
                    release.len()
                )));
            };
            if let Some(file) = release
                .into_iter()
                .find(|file| file.filename.filename() == best)
            {
                jobs.push(Job { file: file.clone() });
            }
        }
    }
    Ok(jobs)
}

/// A file record for a wheel named by URL or path (`#sha256=` fragments are honoured).
fn dist_file_from_url(url: Url, text: &str) -> Result<DistFile, CliError> {
    let name = url
        .path_segments()
        .and_then(|mut segments| segments.next_back())
        .map(percent_decode)
        .unwrap_or_default();
    let wheel = WheelFilename::from_str(&name)
        .map_err(|error| CliError::Usage(format!("`{text}` is not a wheel file name: {error}")))?;
    let sha256 = url
        .fragment()
        .and_then(|fragment| fragment.strip_prefix("sha256="))
        .map(str::to_string);
    let mut url = url;
    url.set_fragment(None);
    Ok(DistFile {
        filename: DistFilename::Wheel(wheel),
        url,
        hashes: Hashes::from_pairs(sha256.as_deref().map(|sha| ("sha256", sha))),
        requires_python: None,
        yanked: None,
        upload_time: None,
        size: None,
        core_metadata: CoreMetadataHint::NotAvailable,
    })
}

/// `%2B` → `+` in a URL path segment (local version labels).
fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut at = 0;
    while at < bytes.len() {
        if bytes[at] == b'%'
            && let Some(value) = text
                .get(at + 1..at + 3)
                .and_then(|hex| u8::from_str_radix(hex, 16).ok())
        {
            out.push(value);
            at += 3;
            continue;
        }
        out.push(bytes[at]);
        at += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// The curated fact for the file, if any.
fn curated_for(file: &DistFile) -> Option<&'static CuratedFact> {
    let DistFilename::Wheel(wheel) = &file.filename else {
        return None;
    };
    Facts::bundled().lookup(&wheel.name, &wheel.version, Some(wheel))
}

/// What resolution uses for the wheel: the curated fact and the scan merged
/// (`npsolve_abi::merge_verdicts`).
fn merged(report: &WheelScanReport, curated: Option<&CuratedFact>) -> Option<MergedVerdict> {
    let mut sources = Vec::new();
    if let Some(fact) = curated {
        sources.push(SourceVerdict::curated(fact, Some(&report.wheel.file)));
    }
    sources.push(SourceVerdict::binaries(
        SourceKind::Scan,
        report.wheel.fact.clone(),
        None,
        report.wheel.evidence.clone(),
    ));
    merge_verdicts(sources)
}

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

/// The JSON object of one wheel.
fn json(
    report: &WheelScanReport,
    curated: Option<&CuratedFact>,
    seconds: f64,
) -> serde_json::Value {
    let wheel: &ScannedWheel = &report.wheel;
    let merged_json = merged(report, curated).map(|merged| {
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
    })
}

/// The text block of one wheel.
fn text(report: &WheelScanReport, curated: Option<&CuratedFact>, seconds: f64) -> String {
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
    if let Some(merged) = merged(report, curated) {
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
    out
}
