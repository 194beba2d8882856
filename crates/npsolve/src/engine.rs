//! The entry object: one async runtime driving the index client, and one call per job.

use std::path::Path;
use std::sync::Arc;

use npsolve_index::snapshot::{SnapshotReport, SnapshotRequest, write_snapshot};
use npsolve_index::{ClientOptions, IndexClient, IndexError};
use npsolve_platform::Target;
use npsolve_resolver::{
    AbiOracle, PinnedLine, Problem, Resolution, ResolveError, ResolveOptions, RootRequirement,
    SourceError, requirement_range, resolve, verify,
};

use crate::abi_oracle::{AbiScan, WheelAbiOracle};
use crate::api_oracle::{ApiScan, WheelApiOracle};
use crate::index_source::IndexSource;
use crate::source_build::{BuildSettings, SourceBuilder};
use crate::wheel_scanner::ScanStats;

/// Resolver options for `target` with every policy at its default (as `uv pip compile`'s).
pub fn default_resolve_options(target: &Target) -> ResolveOptions {
    ResolveOptions {
        markers: target.markers().clone(),
        python_version: target.python().as_version(),
        prerelease: npsolve_resolver::PrereleaseMode::default(),
        allow_source: npsolve_resolver::PackageSelection::None,
        only_binary: npsolve_resolver::PackageSelection::None,
        no_binary: npsolve_resolver::PackageSelection::None,
        release_files: true,
        preferences: Default::default(),
        constraints: Vec::new(),
        overrides: Vec::new(),
        resolution: npsolve_resolver::ResolutionStrategy::default(),
        no_deps: false,
        direct: Default::default(),
    }
}

/// Reads the requirements given by URL among `requirements` and hands them to both the
/// resolver (`ResolveOptions::direct`) and the source that answers for them.
fn with_direct(
    requirements: &[RootRequirement],
    target: &Target,
    options: &ResolveOptions,
    source: IndexSource,
) -> Result<(ResolveOptions, IndexSource), EngineError> {
    let direct =
        crate::direct_dists::read_direct(requirements, target).map_err(EngineError::Request)?;
    let mut options = options.clone();
    options.direct = direct
        .iter()
        .map(|dist| (dist.name.clone(), dist.pin.clone()))
        .collect();
    Ok((options, source.with_direct(direct)))
}

/// A failure that stops a job: the runtime, the index client or the source gave out.
/// An impossible resolution is not one: it is [`ResolveReport::resolution`]'s `Err`.
#[derive(Debug, thiserror::Error)]
pub enum EngineError {
    /// The async runtime could not start.
    #[error("cannot start the async runtime: {0}")]
    Runtime(#[source] std::io::Error),
    /// The index client could not be set up.
    #[error(transparent)]
    Index(#[from] IndexError),
    /// The index or the cache failed while a file was checked.
    #[error(transparent)]
    Source(#[from] SourceError),
    /// Builds were asked for, but cannot be run (no interpreter).
    #[error("{0}")]
    Build(String),
    /// The request names nothing the job can work on (a release without wheels, a file
    /// name that is not a wheel's).
    #[error("{0}")]
    Request(String),
}

/// What to resolve, and how.
#[derive(Debug, Clone)]
pub struct ResolveRequest<'a> {
    /// Where packages come from, and the cache.
    pub client: ClientOptions,
    /// The environment the answer is for.
    pub target: &'a Target,
    /// The first-party requirements, with their origins.
    pub requirements: &'a [RootRequirement],
    /// Every resolver policy.
    pub options: &'a ResolveOptions,
    /// When wheels' binaries are read; `None` resolves from metadata alone (`--no-abi`),
    /// without API bounds either.
    pub abi: Option<AbiScan>,
    /// When wheels' Python sources are read for uses of removed names.
    pub api: ApiScan,
    /// Which sdists may be built for their metadata, and how; `None` builds nothing and
    /// starts no process.
    pub build: Option<&'a BuildSettings>,
}

/// The outcome of a resolution.
#[derive(Debug)]
pub struct ResolveReport {
    /// The pins, or why no set of them exists (or the source failed).
    pub resolution: Result<Resolution, ResolveError>,
    /// What reading wheels' binaries cost, when the ABI layer was on.
    pub scans: Option<ScanStats>,
}

/// What to check, and how.
#[derive(Debug, Clone)]
pub struct CheckRequest<'a> {
    /// Where packages come from, and the cache.
    pub client: ClientOptions,
    /// The environment the pins are for.
    pub target: &'a Target,
    /// The pinned lines.
    pub pins: &'a [PinnedLine],
    /// Every resolver policy (markers, Python).
    pub options: &'a ResolveOptions,
    /// When wheels' binaries are read.
    pub abi: AbiScan,
    /// When wheels' Python sources are read for uses of removed names.
    pub api: ApiScan,
}

/// The npsolve engine: owns the runtime that drives the index client and the wheel scans,
/// and runs resolutions and checks on the calling thread (the solver is synchronous).
///
/// ```no_run
/// # fn main() -> Result<(), Box<dyn std::error::Error>> {
/// use npsolve::{AbiScan, ApiScan, Engine, ResolveRequest, default_resolve_options};
/// use npsolve_platform::Target;
/// use npsolve_resolver::RootRequirement;
///
/// let target = Target::new("3.11".parse()?, "x86_64-manylinux_2_28".parse()?);
/// let requirements = [RootRequirement {
///     requirement: "pandas==1.5.3".parse()?,
///     origin: "example".to_string(),
///     via: "example".to_string(),
/// }];
/// let options = default_resolve_options(&target);
/// let engine = Engine::new()?;
/// let report = engine.resolve(ResolveRequest {
///     client: Default::default(),
///     target: &target,
///     requirements: &requirements,
///     options: &options,
///     abi: Some(AbiScan::Auto),
///     api: ApiScan::Auto,
///     build: None,
/// })?;
/// for pin in report.resolution?.pins {
///     println!("{}=={}", pin.name, pin.version);
/// }
/// # Ok(()) }
/// ```
pub struct Engine {
    runtime: Option<tokio::runtime::Runtime>,
}

impl Engine {
    /// An engine with a multi-threaded runtime.
    pub fn new() -> Result<Engine, EngineError> {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .enable_all()
            .build()
            .map_err(EngineError::Runtime)?;
        Ok(Engine {
            runtime: Some(runtime),
        })
    }

    /// The runtime's handle, for callers that drive the index client themselves.
    pub fn handle(&self) -> tokio::runtime::Handle {
        match &self.runtime {
            Some(runtime) => runtime.handle().clone(),
            None => unreachable!("the runtime lives until the engine is dropped"),
        }
    }

    /// Resolves `request.requirements` for its target.
    pub fn resolve(&self, request: ResolveRequest<'_>) -> Result<ResolveReport, EngineError> {
        let client = IndexClient::new(request.client.clone())?;
        self.resolve_with(&client, request)
    }

    /// Resolves `request` through `client` (whose caches several resolutions then share);
    /// `request.client` is not read.
    pub(crate) fn resolve_with(
        &self,
        client: &IndexClient,
        request: ResolveRequest<'_>,
    ) -> Result<ResolveReport, EngineError> {
        let handle = self.handle();
        let client = client.clone();
        let mut source = IndexSource::new(client.clone(), handle.clone(), request.target.clone());
        if let Some(settings) = request.build {
            let builder = SourceBuilder::new(settings.clone(), client.clone(), handle.clone())
                .map_err(EngineError::Build)?;
            if builder.python_version() != request.target.python().to_string() {
                tracing::warn!(
                    "builds run with Python {} while the resolution is for Python {}: a setup.py that looks at its Python may state other dependencies",
                    builder.python_version(),
                    request.target.python()
                );
            }
            source = source.with_builder(Arc::new(builder));
        }
        // Requirements given by URL are read first: each is one version of its package.
        let (options, source) = with_direct(
            request.requirements,
            request.target,
            request.options,
            source,
        )?;
        // The requirements' pages are read on the runtime's workers while this thread loads
        // the ABI facts.
        for root in request.requirements {
            let requirement = &root.requirement;
            if let Some(range) = requirement_range(requirement)
                && requirement.evaluate_markers(&options.markers, &[])
            {
                npsolve_resolver::PackageSource::prefetch(&source, &requirement.name, &range);
            }
        }
        let oracle = request.abi.map(|setting| {
            WheelAbiOracle::for_setting(setting, &source)
                .with_api(WheelApiOracle::for_setting(request.api, &source))
        });
        let abi = oracle.as_ref().map(|oracle| oracle as &dyn AbiOracle);
        let resolution = resolve(request.requirements, &options, &source, abi);
        Ok(ResolveReport {
            resolution,
            scans: oracle.as_ref().and_then(WheelAbiOracle::scan_stats),
        })
    }

    /// Writes a static PEP 691 mirror of `request.packages` under `out` (see
    /// [`npsolve_index::snapshot`]).
    pub fn snapshot(
        &self,
        client: ClientOptions,
        request: &SnapshotRequest,
        out: &Path,
    ) -> Result<SnapshotReport, EngineError> {
        let client = IndexClient::new(client)?;
        Ok(self
            .handle()
            .block_on(write_snapshot(&client, request, out))?)
    }

    /// Checks pinned lines for the target: every problem, with its line, rule and fix.
    pub fn check(&self, request: CheckRequest<'_>) -> Result<Vec<Problem>, EngineError> {
        let handle = self.handle();
        let client = IndexClient::new(request.client)?;
        // Pins by URL are read as a resolution reads them.
        let by_url: Vec<RootRequirement> = request
            .pins
            .iter()
            .map(|pin| RootRequirement {
                requirement: pin.requirement.clone(),
                origin: format!("{}:{}", pin.file, pin.line),
                via: pin.file.clone(),
            })
            .collect();
        let source = IndexSource::new(client, handle, request.target.clone());
        let (options, source) = with_direct(&by_url, request.target, request.options, source)?;
        let oracle = WheelAbiOracle::for_setting(request.abi, &source)
            .with_api(WheelApiOracle::for_setting(request.api, &source));
        Ok(verify(request.pins, &options, &source, Some(&oracle))?)
    }
}

impl Drop for Engine {
    /// Work still in flight (prefetches nobody waited for) is dropped, not awaited.
    fn drop(&mut self) {
        if let Some(runtime) = self.runtime.take() {
            runtime.shutdown_background();
        }
    }
}
