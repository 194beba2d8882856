//! `scan`: which NumPy wheels were built against, read from their binaries by the index
//! client (HTTP range requests: the zip directory, then the smallest candidate modules until
//! the verdict is decided), beside the curated fact and merged with it.

use std::path::PathBuf;
use std::str::FromStr;
use std::time::Instant;

use futures::StreamExt;
use npsolve_abi::{CuratedFact, Facts, MergedVerdict, SourceKind, SourceVerdict, merge_verdicts};
use npsolve_index::{ClientOptions, DistFile, IndexClient, IndexError, ScanOptions};
use npsolve_platform::{DistFilename, Target, WheelFilename};
use pep440_rs::{Operator, Version};
use pep508_rs::{PackageName, Requirement, VersionOrUrl};
use url::Url;

pub use npsolve_index::{VerdictSource, WheelScanReport};

use crate::engine::{Engine, EngineError};

/// Wheels scanned at once.
const CONCURRENT_SCANS: usize = 8;

/// A wheel to scan, as the user named it.
#[derive(Debug, Clone)]
pub enum ScanTarget {
    /// A remote (or `file://`) wheel URL; a `#sha256=` fragment is honoured.
    Url(Url),
    /// A local wheel file.
    File(PathBuf),
    /// A release: the wheel the target would install, or every wheel.
    Release {
        /// The project.
        name: PackageName,
        /// The release.
        version: Version,
    },
}

impl FromStr for ScanTarget {
    type Err = String;

    /// One argument as a wheel to scan: a URL, a local `.whl` (made absolute), or
    /// `PKG==VERSION`; the error says what was expected.
    fn from_str(text: &str) -> Result<ScanTarget, String> {
        if text.starts_with("http://")
            || text.starts_with("https://")
            || text.starts_with("file://")
        {
            let url = Url::parse(text).map_err(|error| {
                format!("invalid URL `{}`: {error}", npsolve_index::mask_text(text))
            })?;
            return Ok(ScanTarget::Url(url));
        }
        if text.ends_with(".whl") || std::path::Path::new(text).exists() {
            let path = std::path::absolute(text)
                .map_err(|error| format!("cannot read `{text}`: {error}"))?;
            if !path.is_file() {
                return Err(format!("cannot read `{text}`: no such file"));
            }
            return Ok(ScanTarget::File(path));
        }
        let requirement: Requirement = Requirement::from_str(text).map_err(|error| {
            format!("`{text}` is not `PKG==VERSION`, a `.whl` file or a URL:\n{error}")
        })?;
        let version = match &requirement.version_or_url {
            Some(VersionOrUrl::VersionSpecifier(specifiers)) => {
                match specifiers.iter().as_slice() {
                    [specifier] if *specifier.operator() == Operator::Equal => {
                        Some(specifier.version().clone())
                    }
                    _ => None,
                }
            }
            _ => None,
        };
        let version =
            version.ok_or_else(|| format!("`{text}`: name one release as `PKG==VERSION`"))?;
        Ok(ScanTarget::Release {
            name: requirement.name,
            version,
        })
    }
}

/// What to scan, and how.
#[derive(Debug, Clone)]
pub struct ScanRequest<'a> {
    /// Where releases are looked up, and the cache.
    pub client: ClientOptions,
    /// The wheels.
    pub targets: &'a [ScanTarget],
    /// Which wheel a release means (needed only for [`ScanTarget::Release`] without
    /// `all_wheels`).
    pub target: Option<&'a Target>,
    /// For releases: every wheel, not only the target's.
    pub all_wheels: bool,
    /// Compressed bytes a scan may fetch per wheel.
    pub byte_budget: u64,
    /// Also read each wheel's Python sources for uses of removed names.
    pub api: bool,
}

/// One wheel's scan, with the curated fact beside it and what resolution would use.
#[derive(Debug)]
pub struct WheelScanned {
    /// The verdict and what reading it cost.
    pub report: WheelScanReport,
    /// How long it took.
    pub seconds: f64,
    /// The curated entry covering the wheel, if any.
    pub curated: Option<&'static CuratedFact>,
    /// The curated fact and the scan merged (`npsolve_abi::merge_verdicts`).
    pub merged: Option<MergedVerdict>,
    /// The uses of removed Python names in its sources, when asked for (or why they could
    /// not be read).
    pub api: Option<Result<crate::WheelUses, String>>,
}

/// One wheel and how its scan went.
#[derive(Debug)]
pub struct ScanOutcome {
    /// The wheel's file name.
    pub filename: String,
    /// The scan, or why it failed.
    pub result: Result<WheelScanned, IndexError>,
}

impl Engine {
    /// Scans the named wheels, eight at a time, in the order named. Fails when a name does
    /// not lead to a wheel (no such release, no wheel for the target); a wheel that cannot be
    /// read is an outcome with its error.
    pub fn scan(&self, request: ScanRequest<'_>) -> Result<Vec<ScanOutcome>, EngineError> {
        let mut options = request.client.clone();
        options.max_concurrency = options.max_concurrency.min(16);
        let client = IndexClient::new(options)?;
        let scan_options = ScanOptions {
            byte_budget: request.byte_budget,
            use_cache: true,
        };
        let handle = self.handle();
        let files = handle.block_on(files(&request, &client))?;
        let outcomes = handle.block_on(
            futures::stream::iter(files)
                .map(|file| {
                    let client = client.clone();
                    let api = request.api;
                    async move {
                        let started = Instant::now();
                        let result = client.scan_wheel(&file, &scan_options).await;
                        let api = if api {
                            let removals = npsolve_api_breaks::Removals::bundled();
                            let key = crate::wheel_uses::cache_key(
                                file.hashes.sha256.as_deref(),
                                &crate::facts_fingerprint(removals),
                            );
                            let options = npsolve_index::SourceOptions::default();
                            Some(
                                crate::read_uses(
                                    &client,
                                    &file,
                                    removals,
                                    &options,
                                    key.as_deref(),
                                )
                                .await
                                .map_err(|error| error.to_string()),
                            )
                        } else {
                            None
                        };
                        let result = result.map(|report| {
                            let curated = curated_for(&file);
                            let merged = merged(&report, curated);
                            WheelScanned {
                                report,
                                seconds: started.elapsed().as_secs_f64(),
                                curated,
                                merged,
                                api,
                            }
                        });
                        ScanOutcome {
                            filename: file.filename.to_string(),
                            result,
                        }
                    }
                })
                .buffered(CONCURRENT_SCANS)
                .collect(),
        );
        Ok(outcomes)
    }
}

/// The wheels the request names: local files, URLs, or releases (the target's wheel, or all).
async fn files(
    request: &ScanRequest<'_>,
    client: &IndexClient,
) -> Result<Vec<DistFile>, EngineError> {
    let mut files = Vec::new();
    for target in request.targets {
        match target {
            ScanTarget::Url(url) => files.push(dist_file_from_url(url.clone(), url.as_str())?),
            ScanTarget::File(path) => {
                let url = Url::from_file_path(path).map_err(|()| {
                    EngineError::Request(format!(
                        "cannot read `{}`: not a local path",
                        path.display()
                    ))
                })?;
                files.push(dist_file_from_url(url, &path.display().to_string())?);
            }
            ScanTarget::Release { name, version } => {
                let project = client.project(name).await?;
                let release: Vec<&DistFile> = project
                    .files
                    .iter()
                    .filter(|file| {
                        file.filename.version() == version
                            && matches!(file.filename, DistFilename::Wheel(_))
                    })
                    .collect();
                if release.is_empty() {
                    return Err(EngineError::Request(format!(
                        "`{name}` {version} has no wheels on the index"
                    )));
                }
                if request.all_wheels {
                    files.extend(release.into_iter().cloned());
                    continue;
                }
                let Some(target) = request.target else {
                    return Err(EngineError::Request(format!(
                        "`{name}` {version}: which wheel? name a target, or scan all wheels"
                    )));
                };
                let best = DistFilename::best_wheel(
                    release.iter().map(|file| &file.filename),
                    target.tags(),
                )
                .map(|(wheel, _)| wheel.filename().to_string());
                let Some(best) = best else {
                    return Err(EngineError::Request(format!(
                        "`{name}` {version} has no wheel for Python {} on {} ({} wheels; try --all-wheels)",
                        target.python().short_version_string(),
                        target.platform(),
                        release.len()
                    )));
                };
                if let Some(file) = release
                    .into_iter()
                    .find(|file| file.filename.filename() == best)
                {
                    files.push(file.clone());
                }
            }
        }
    }
    Ok(files)
}

/// A file record for a wheel named by URL or path (`#sha256=` fragments are honoured).
fn dist_file_from_url(url: Url, text: &str) -> Result<DistFile, EngineError> {
    let wheel = WheelFilename::from_str(&npsolve_index::url_filename(&url)).map_err(|error| {
        EngineError::Request(format!("`{text}` is not a wheel file name: {error}"))
    })?;
    Ok(DistFile::at_url(url, DistFilename::Wheel(wheel)))
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
