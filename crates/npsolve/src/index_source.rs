//! The bridge from the async index client to the synchronous resolver.
//!
//! The solver runs on its own thread and calls [`IndexSource`] synchronously; every
//! request is a shared future driven by the tokio runtime, so a prefetch started early
//! is simply awaited when the solver gets there, and nothing is fetched twice.

use std::sync::{Arc, Mutex, OnceLock};

use futures::FutureExt;
use futures::future::{BoxFuture, Shared};
use npsolve_index::{DistFile, FileFit, FileId, FileView, IndexClient, IndexError, ProjectListing};
use npsolve_platform::{Tags, Target};
use npsolve_resolver::{
    CandidateLoader, Candidates, DistKey, DistMetadata, DistRef, PackageSource, PackageVersions,
    SourceError, VersionEntry,
};
use pep440_rs::Version;
use pep508_rs::{ExtraName, PackageName, Requirement, VersionOrUrl};
use rustc_hash::{FxHashMap, FxHashSet};
use tokio::runtime::RuntimeFlavor;

use crate::direct_dists::DirectDist;
use crate::source_build::SourceBuilder;
use version_ranges::Ranges;

/// The `# metadata:` label of a pin whose metadata a build told (`--allow-build`).
const BUILT: &str = "build";

type PageFuture = Shared<BoxFuture<'static, Result<Arc<Page>, SourceError>>>;
type MetadataFuture = Shared<BoxFuture<'static, Result<Arc<DistMetadata>, SourceError>>>;

/// A project page turned into the resolver's view: its versions, whose candidate files are
/// read from the compact listing only when the resolver looks at them (it looks at a handful
/// of a big project's thousands of releases).
struct Page {
    versions: Arc<PackageVersions>,
    releases: Arc<Releases>,
}

/// A file's place, kept in the [`DistKey`] of the record handed to the resolver: which
/// listing it was read from, its id there, and whether the target can install it (only such a
/// file's metadata may be asked for).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct FilePlace {
    /// True for the listing fetched again after the cached one was found damaged.
    fresh: bool,
    /// True for a file the target can install (a wheel for its tags, or an sdist).
    candidate: bool,
    id: FileId,
}

/// The bits of a key that hold [`FilePlace::fresh`] and [`FilePlace::candidate`] (a
/// [`FileId`] takes the low 96).
const FRESH_BIT: u128 = 1 << 127;
const CANDIDATE_BIT: u128 = 1 << 126;

impl FilePlace {
    fn key(self) -> DistKey {
        let mut bits = self.id.to_bits();
        if self.fresh {
            bits |= FRESH_BIT;
        }
        if self.candidate {
            bits |= CANDIDATE_BIT;
        }
        DistKey(bits)
    }

    fn of(key: DistKey) -> FilePlace {
        FilePlace {
            fresh: key.0 & FRESH_BIT != 0,
            candidate: key.0 & CANDIDATE_BIT != 0,
            id: FileId::from_bits(key.0 & !(FRESH_BIT | CANDIDATE_BIT)),
        }
    }
}

/// A page's releases for one target, read from the compact listing release by release.
struct Releases {
    name: PackageName,
    listing: ProjectListing,
    /// The target's tags, to judge each wheel.
    tags: Tags,
    /// For fetching the page again when its cache entry turns out damaged.
    client: IndexClient,
    runtime: tokio::runtime::Handle,
    /// The page fetched again, once needed.
    fresh: OnceLock<Result<ProjectListing, String>>,
}

impl Page {
    /// The index's record of a candidate the resolver names, found by its key: only a
    /// candidate's metadata may be asked for.
    fn file(&self, name: &PackageName, dist: &DistRef) -> Option<Result<DistFile, IndexError>> {
        if !FilePlace::of(dist.key).candidate {
            return None;
        }
        self.record(name, dist)
    }

    /// The index's record of any file this page handed out, found by its key.
    fn record(&self, name: &PackageName, dist: &DistRef) -> Option<Result<DistFile, IndexError>> {
        let place = FilePlace::of(dist.key);
        self.releases
            .listing(place.fresh)?
            .file(place.id)
            .map(|file| file.to_dist_file(name))
    }

    /// Every file of `version`, ordered by file name.
    fn files(&self, version: &Version) -> Result<Vec<DistRef>, SourceError> {
        let releases = &self.releases;
        let Some(release) = releases.listing.release_of(version) else {
            return Ok(Vec::new());
        };
        releases.read(release, |fresh, listing, release| {
            let installable: FxHashSet<FileId> = listing
                .release_fits(release, &releases.tags)?
                .into_iter()
                .filter(|(_, fit)| *fit != FileFit::Foreign)
                .map(|(id, _)| id)
                .collect();
            Ok(listing
                .release_files(release)?
                .iter()
                .map(|(id, file)| {
                    let place = FilePlace {
                        fresh,
                        candidate: installable.contains(id),
                        id: *id,
                    };
                    dist_ref(file, place)
                })
                .collect())
        })
    }

    /// The best usable wheel of the newest stable version `wanted` accepts: the file the
    /// solver will most likely try first. The candidates read are the solver's own (it will
    /// not read them again); releases that cannot be read are passed over (this only starts
    /// a prefetch).
    fn likely(&self, wanted: impl Fn(&Version) -> bool, python: &Version) -> Option<DistRef> {
        self.versions
            .versions
            .iter()
            .filter(|entry| wanted(&entry.version) && !entry.version.any_prerelease())
            .find_map(|entry| {
                let candidates = entry.candidates().ok()?;
                candidates
                    .wheels
                    .iter()
                    .find(|wheel| {
                        wheel.yanked.is_none()
                            && wheel
                                .requires_python
                                .as_ref()
                                .is_none_or(|specifiers| specifiers.contains(python))
                    })
                    .cloned()
            })
    }
}

impl Releases {
    /// The listing `fresh` names, when there is one.
    fn listing(&self, fresh: bool) -> Option<&ProjectListing> {
        if fresh {
            self.fresh.get()?.as_ref().ok()
        } else {
            Some(&self.listing)
        }
    }

    /// Runs `read` on release `release` of the listing (telling it the listing is not the
    /// fresh one); when the cache entry turns out damaged (it is then deleted), fetches the
    /// page again and runs `read` on the same version there.
    fn read<T>(
        &self,
        release: usize,
        read: impl Fn(bool, &ProjectListing, usize) -> Result<T, IndexError>,
    ) -> Result<T, SourceError> {
        let damage = match read(false, &self.listing, release) {
            Err(damage @ IndexError::CacheDamaged { .. }) => damage,
            other => return other.map_err(|error| fatal(&error)),
        };
        tracing::warn!("{damage}; fetching the page of `{}` again", self.name);
        let fresh = self.fresh.get_or_init(|| {
            let fetch = || {
                self.runtime
                    .block_on(self.client.project_listing(&self.name))
                    .map_err(|error| fatal(&error).to_string())
            };
            // Candidates are read on the solver's thread, and by prefetches on the runtime's
            // workers, where waiting needs `block_in_place`.
            match tokio::runtime::Handle::try_current() {
                Err(_) => fetch(),
                Ok(handle) if handle.runtime_flavor() == RuntimeFlavor::MultiThread => {
                    tokio::task::block_in_place(fetch)
                }
                Ok(_) => {
                    Err("it cannot be fetched again from a single-threaded runtime".to_string())
                }
            }
        });
        let fresh = fresh
            .as_ref()
            .map_err(|error| SourceError::Fatal(format!("{damage}, and {error}")))?;
        // A release the index no longer lists has no files (`usize::MAX` names none).
        let version = self.listing.releases()[release].version();
        let again = fresh.release_of(version).unwrap_or(usize::MAX);
        read(true, fresh, again).map_err(|error| fatal(&error))
    }

    /// The candidates of release `release` of `listing` (the fresh one when `fresh`).
    fn candidates_in(
        &self,
        fresh: bool,
        listing: &ProjectListing,
        release: usize,
    ) -> Result<Candidates, IndexError> {
        let mut wheels = Vec::new();
        let mut sdist: Option<DistRef> = None;
        for (id, fit) in listing.release_fits(release, &self.tags)? {
            let priority = match fit {
                FileFit::Wheel(priority) => Some(priority),
                FileFit::Sdist => None,
                FileFit::Foreign => continue,
            };
            let Some(file) = listing.file(id) else {
                continue;
            };
            let place = FilePlace {
                fresh,
                candidate: true,
                id,
            };
            let dist = dist_ref(&file, place);
            match priority {
                Some(priority) => wheels.push((priority, dist)),
                // Prefer .tar.gz over .zip when a release has both.
                None if sdist
                    .as_ref()
                    .is_none_or(|current| !current.filename.ends_with(".tar.gz")) =>
                {
                    sdist = Some(dist);
                }
                None => {}
            }
        }
        wheels.sort_by(|a, b| b.0.cmp(&a.0).then_with(|| a.1.filename.cmp(&b.1.filename)));
        Ok(Candidates {
            wheels: wheels.into_iter().map(|(_, dist)| dist).collect(),
            sdist,
        })
    }
}

impl CandidateLoader for Releases {
    fn candidates(&self, release: usize) -> Result<Candidates, SourceError> {
        self.read(release, |fresh, listing, release| {
            self.candidates_in(fresh, listing, release)
        })
    }
}

/// Locks a mutex, recovering the data if a panicking thread poisoned it.
fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// Answers the resolver from the index client, fetching ahead on hints.
pub struct IndexSource {
    inner: Arc<Inner>,
}

/// The index's own records of the files an [`IndexSource`] handed out, found by their
/// [`DistKey`]: how the ABI oracle reaches a file's parsed name, URL and hashes without
/// rebuilding them from the resolver's copy. Cheap to clone.
#[derive(Clone)]
pub struct FileRecords {
    inner: Arc<Inner>,
}

impl FileRecords {
    /// The record of `dist`, a file of `name` the source handed out; `None` for a file it did
    /// not (or whose page it no longer holds).
    pub fn get(&self, name: &PackageName, dist: &DistRef) -> Option<DistFile> {
        if let Some(direct) = self.inner.direct.get(name) {
            return direct.file.clone().filter(|_| direct.dist.key == dist.key);
        }
        let page = lock(&self.inner.pages)
            .get(name)?
            .peek()?
            .as_ref()
            .ok()?
            .clone();
        page.record(name, dist)?.ok()
    }

    /// The client the files are read through.
    pub fn client(&self) -> &IndexClient {
        &self.inner.client
    }

    /// The runtime requests are driven on.
    pub fn runtime(&self) -> &tokio::runtime::Handle {
        &self.inner.runtime
    }
}

/// What [`Inner::fetch_dependencies_ahead`] has done.
#[derive(Default)]
struct Ahead {
    /// Projects whose page and likely metadata were requested.
    fetched: FxHashSet<PackageName>,
    /// The extras requirements asked of each project so far.
    extras: FxHashMap<PackageName, Vec<ExtraName>>,
    /// The dependencies of each project whose metadata arrived (the latest file's).
    requires: FxHashMap<PackageName, Vec<Requirement>>,
}

/// The shared state, also held by prefetch tasks.
struct Inner {
    client: IndexClient,
    runtime: tokio::runtime::Handle,
    target: Target,
    pages: Mutex<FxHashMap<PackageName, PageFuture>>,
    /// What was fetched ahead of the solver.
    ahead: Mutex<Ahead>,
    metadata: Mutex<FxHashMap<(PackageName, String), MetadataFuture>>,
    /// Builds sdists whose metadata needs one, for the packages `--allow-build` names.
    builder: Option<Arc<SourceBuilder>>,
    /// Packages given by URL: answered from here, never looked up on the index.
    direct: FxHashMap<PackageName, Arc<DirectDist>>,
    /// Whether dropping the source reports the client's work (not for a nested resolution
    /// of build requirements, which shares the client).
    report: bool,
}

impl IndexSource {
    /// The records of the files this source hands out (for the ABI oracle).
    pub fn records(&self) -> FileRecords {
        FileRecords {
            inner: Arc::clone(&self.inner),
        }
    }

    /// A source for `target` over `client`, driving requests on `runtime`.
    pub fn new(
        client: IndexClient,
        runtime: tokio::runtime::Handle,
        target: Target,
    ) -> IndexSource {
        IndexSource {
            inner: Arc::new(Inner {
                client,
                runtime,
                target,
                pages: Mutex::new(FxHashMap::default()),
                ahead: Mutex::new(Ahead::default()),
                metadata: Mutex::new(FxHashMap::default()),
                builder: None,
                direct: FxHashMap::default(),
                report: true,
            }),
        }
    }

    /// The same source, building the sdists `builder` allows when their metadata needs a
    /// build. Call before handing the source out.
    pub(crate) fn with_builder(mut self, builder: Arc<SourceBuilder>) -> IndexSource {
        match Arc::get_mut(&mut self.inner) {
            Some(inner) => inner.builder = Some(builder),
            None => unreachable!("the source is not shared yet"),
        }
        self
    }

    /// The same source, answering for the packages given by URL from `direct`. Call before
    /// handing the source out.
    pub(crate) fn with_direct(mut self, direct: Vec<DirectDist>) -> IndexSource {
        match Arc::get_mut(&mut self.inner) {
            Some(inner) => {
                inner.direct = direct
                    .into_iter()
                    .map(|dist| (dist.name.clone(), Arc::new(dist)))
                    .collect();
            }
            None => unreachable!("the source is not shared yet"),
        }
        self
    }

    /// The same source, leaving the client's report to the source that owns the client.
    pub(crate) fn nested(mut self) -> IndexSource {
        match Arc::get_mut(&mut self.inner) {
            Some(inner) => inner.report = false,
            None => unreachable!("the source is not shared yet"),
        }
        self
    }
}

impl Drop for IndexSource {
    /// Reports what the index client did (shown with `-v`), then leaves the pages to the
    /// operating system: a source lives until its command ends, and freeing ~100,000 small
    /// file records one by one took a fifth of a warm resolution's wall time.
    fn drop(&mut self) {
        let stats = self.inner.client.stats();
        if self.inner.report {
            tracing::info!(
                "index: {} requests ({} retried), {:.1} MiB received; cache: {} hits, {} misses, {} revalidated, {} corrupt; metadata: {} PEP 658, {} range, {} whole wheel, {} sdist",
                stats.requests,
                stats.retries,
                stats.bytes_downloaded as f64 / (1024.0 * 1024.0),
                stats.cache_hits,
                stats.cache_misses,
                stats.revalidated,
                stats.corrupt_entries,
                stats.metadata_pep658,
                stats.metadata_range,
                stats.metadata_whole,
                stats.metadata_sdist,
            );
        }
        let pages = std::mem::take(
            &mut *self
                .inner
                .pages
                .lock()
                .unwrap_or_else(|poison| poison.into_inner()),
        );
        std::mem::forget(pages);
    }
}

impl Inner {
    fn page(self: &Arc<Self>, name: &PackageName) -> PageFuture {
        let mut pages = self
            .pages
            .lock()
            .unwrap_or_else(|poison| poison.into_inner());
        if let Some(page) = pages.get(name) {
            return page.clone();
        }
        let inner = self.clone();
        let owned = name.clone();
        let future = async move {
            let listing = inner
                .client
                .project_listing(&owned)
                .await
                .map_err(|error| fatal(&error))?;
            Ok(Arc::new(page_for_target(
                &owned,
                listing,
                inner.target.tags().clone(),
                inner.client.clone(),
                inner.runtime.clone(),
            )))
        }
        .boxed()
        .shared();
        // Drive it now, so the page arrives while the solver works on something else.
        self.runtime.spawn(future.clone());
        pages.insert(name.clone(), future.clone());
        future
    }

    fn metadata_future(
        self: &Arc<Self>,
        name: &PackageName,
        file: DistFile,
        filename: &str,
    ) -> MetadataFuture {
        let mut metadata = self
            .metadata
            .lock()
            .unwrap_or_else(|poison| poison.into_inner());
        let key = (name.clone(), filename.to_string());
        if let Some(future) = metadata.get(&key) {
            return future.clone();
        }
        let inner = self.clone();
        let name = name.clone();
        let future = async move {
            match inner.client.metadata(&file).await {
                Ok(metadata) => {
                    inner.fetch_dependencies_ahead(&name, &metadata.requires_dist);
                    Ok(Arc::new(dist_metadata(&metadata)))
                }
                // A build the user allowed for this package answers instead.
                Err(IndexError::NeedsBuild { .. })
                    if inner.builder.as_ref().is_some_and(|builder| builder.allows(&name)) =>
                {
                    let builder = inner.builder.clone().expect("checked above");
                    let built = builder
                        .metadata(name.clone(), file.clone())
                        .await
                        .map_err(SourceError::Unusable)?;
                    inner.fetch_dependencies_ahead(&name, &built.metadata.requires_dist);
                    Ok(Arc::new(DistMetadata {
                        requires_dist: built.metadata.requires_dist,
                        requires_python: built.metadata.requires_python,
                        provides_extras: built.metadata.provides_extras,
                        static_source: Some(BUILT.to_string()),
                        builds_extensions: Some(built.builds_extensions),
                        build_requires: built.build_requires,
                    }))
                }
                // Same words for every such release of a package, so explanations can group
                // them; what each file lacked goes to `-v`.
                Err(IndexError::NeedsBuild { filename, reason }) => {
                    tracing::info!("`{filename}`: {reason}");
                    Err(SourceError::Unusable(
                        format!("its source distribution states its dependencies in none of its files (PKG-INFO, egg-info, pyproject.toml, setup.cfg, setup.py): only a build would tell, which npsolve runs only when asked (--allow-build {name}; -v shows what each file lacked)"),
                    ))
                }
                Err(error) if error.is_file_specific() => {
                    Err(SourceError::Unusable(error.to_string()))
                }
                Err(error) => Err(fatal(&error)),
            }
        }
        .boxed()
        .shared();
        self.runtime.spawn(future.clone());
        metadata.insert(key, future.clone());
        future
    }

    /// Starts fetching the page of each dependency of `name` the target needs and the
    /// metadata of its likely version, as soon as a file's metadata arrives: the solver reaches
    /// a package's dependencies only when it decides that package, and waiting for it turned a
    /// cold resolution into a chain of round trips. Markers are evaluated with the extras some
    /// requirement seen so far asked of `name`; an extra asked later follows the dependencies
    /// already read. Each project is fetched ahead once; what the solver later asks for is
    /// shared, never fetched twice.
    fn fetch_dependencies_ahead(
        self: &Arc<Self>,
        name: &PackageName,
        requires_dist: &[Requirement],
    ) {
        let mut fetch = Vec::new();
        let mut follow = Vec::new();
        {
            let mut ahead = self
                .ahead
                .lock()
                .unwrap_or_else(|poison| poison.into_inner());
            ahead.requires.insert(name.clone(), requires_dist.to_vec());
            let extras = ahead.extras.get(name).cloned().unwrap_or_default();
            for requirement in requires_dist {
                if !requirement.evaluate_markers(self.target.markers(), &extras) {
                    continue;
                }
                let specifiers = match &requirement.version_or_url {
                    None => None,
                    Some(VersionOrUrl::VersionSpecifier(specifiers)) => Some(specifiers.clone()),
                    Some(VersionOrUrl::Url(_)) => continue,
                };
                let known = ahead.extras.entry(requirement.name.clone()).or_default();
                let before = known.len();
                for extra in &requirement.extras {
                    if !known.contains(extra) {
                        known.push(extra.clone());
                    }
                }
                if known.len() > before
                    && let Some(requires) = ahead.requires.get(&requirement.name)
                {
                    follow.push((requirement.name.clone(), requires.clone()));
                }
                if ahead.fetched.insert(requirement.name.clone()) {
                    fetch.push((requirement.name.clone(), specifiers));
                }
            }
        }
        for (name, specifiers) in fetch {
            self.fetch_likely(name, move |version| {
                specifiers
                    .as_ref()
                    .is_none_or(|specifiers| specifiers.contains(version))
            });
        }
        for (name, requires) in follow {
            self.fetch_dependencies_ahead(&name, &requires);
        }
    }

    /// Fetches the page of `name`, then the metadata of the file the solver will most likely
    /// try first: the best usable wheel of the newest stable version `wanted` accepts.
    fn fetch_likely(
        self: &Arc<Self>,
        name: PackageName,
        wanted: impl Fn(&Version) -> bool + Send + 'static,
    ) {
        if self.direct.contains_key(&name) {
            return;
        }
        let inner = self.clone();
        let page = inner.page(&name);
        self.runtime.spawn(async move {
            let Ok(page) = page.await else { return };
            let python = inner.target.python().as_version();
            if let Some(dist) = page.likely(wanted, &python) {
                inner.start_metadata(&name, &page, &dist);
            }
        });
    }

    /// The one file of a package given by URL, for hashes and lockfiles: an archive whose URL
    /// gave no `#sha256=` is downloaded to hash it (asked only with `--generate-hashes` and
    /// for locks).
    fn direct_files(&self, direct: &DirectDist) -> Result<Vec<DistRef>, SourceError> {
        let mut dist = direct.dist.clone();
        if let (None, Some(file)) = (&dist.sha256, &direct.file) {
            let bytes = self
                .runtime
                .block_on(self.client.download(file))
                .map_err(|error| fatal(&error))?;
            dist.sha256 = Some(npsolve_index::sha256_hex(&bytes));
            dist.size = Some(bytes.len() as u64);
        }
        Ok(vec![dist])
    }

    fn start_metadata(
        self: &Arc<Self>,
        name: &PackageName,
        page: &Page,
        dist: &DistRef,
    ) -> Option<Result<MetadataFuture, SourceError>> {
        // Asked again for the same file (the solver prefetches the same candidates each time
        // it rejects a package): no need to read its record again.
        let key = (name.clone(), dist.filename.clone());
        if let Some(future) = lock(&self.metadata).get(&key) {
            return Some(Ok(future.clone()));
        }
        let file = match page.file(name, dist)? {
            Ok(file) => file,
            Err(error) => return Some(Err(SourceError::Unusable(error.to_string()))),
        };
        Some(Ok(self.metadata_future(name, file, &dist.filename)))
    }
}

/// The part of core metadata the resolver uses, with the static source's label.
pub(crate) fn dist_metadata(metadata: &npsolve_index::CoreMetadata) -> DistMetadata {
    DistMetadata {
        requires_dist: metadata.requires_dist.clone(),
        requires_python: metadata.requires_python.clone(),
        provides_extras: metadata.provides_extras.clone(),
        static_source: metadata
            .static_source
            .map(|source| source.label().to_string()),
        builds_extensions: metadata.builds_extensions,
        build_requires: metadata.build_requires.clone(),
    }
}

/// A failure that stops resolution, with its causes (e.g. "connection refused").
fn fatal(error: &IndexError) -> SourceError {
    let mut message = error.to_string();
    let mut source = std::error::Error::source(error);
    while let Some(cause) = source {
        message.push_str(&format!(": {cause}"));
        source = cause.source();
    }
    SourceError::Fatal(message)
}

/// The resolver's view of `listing` for `tags`: one lazily read entry per release, newest
/// first, with whether the whole release was yanked.
fn page_for_target(
    name: &PackageName,
    listing: ProjectListing,
    tags: Tags,
    client: IndexClient,
    runtime: tokio::runtime::Handle,
) -> Page {
    let releases = Arc::new(Releases {
        name: name.clone(),
        listing,
        tags,
        client,
        runtime,
        fresh: OnceLock::new(),
    });
    let loader: Arc<dyn CandidateLoader> = releases.clone();
    let versions = releases
        .listing
        .releases()
        .iter()
        .enumerate()
        .map(|(index, release)| {
            VersionEntry::lazy(
                release.version().clone(),
                release.yanked().map(str::to_string),
                loader.clone(),
                index,
            )
        })
        .collect();
    Page {
        versions: Arc::new(PackageVersions { versions }),
        releases,
    }
}

/// The resolver's record of a file at `place`.
fn dist_ref(file: &FileView<'_>, place: FilePlace) -> DistRef {
    DistRef {
        key: place.key(),
        is_wheel: file.is_wheel(),
        filename: file.filename().to_string(),
        url: file.url(),
        sha256: file.sha256(),
        requires_python: file.requires_python().cloned(),
        yanked: file.yanked().map(str::to_string),
        size: file.size(),
        upload_time: file.upload_time(),
    }
}

impl PackageSource for IndexSource {
    fn versions(&self, name: &PackageName) -> Result<Arc<PackageVersions>, SourceError> {
        let inner = &self.inner;
        if let Some(direct) = inner.direct.get(name) {
            return Ok(direct.versions.clone());
        }
        let page = inner.runtime.block_on(inner.page(name))?;
        Ok(page.versions.clone())
    }

    fn files(&self, name: &PackageName, version: &Version) -> Result<Vec<DistRef>, SourceError> {
        let inner = &self.inner;
        if let Some(direct) = inner.direct.get(name) {
            return inner.direct_files(direct);
        }
        let page = inner.runtime.block_on(inner.page(name))?;
        page.files(version)
    }

    fn metadata(
        &self,
        name: &PackageName,
        dist: &DistRef,
    ) -> Result<Arc<DistMetadata>, SourceError> {
        let inner = &self.inner;
        if let Some(direct) = inner.direct.get(name) {
            return match (&direct.metadata, &direct.file) {
                (Some(metadata), _) => Ok(metadata.clone()),
                (None, Some(file)) => inner.runtime.block_on(inner.metadata_future(
                    name,
                    file.clone(),
                    &dist.filename,
                )),
                (None, None) => unreachable!("a direct dist is a tree or a file"),
            };
        }
        let page = inner.runtime.block_on(inner.page(name))?;
        let future = inner.start_metadata(name, &page, dist).ok_or_else(|| {
            SourceError::Unusable(format!(
                "`{}` is not on the index page as a file the target can install",
                dist.filename
            ))
        })??;
        inner.runtime.block_on(future)
    }

    fn prefetch(&self, name: &PackageName, range: &Ranges<Version>) {
        if self.inner.direct.contains_key(name) {
            return;
        }
        let range = range.clone();
        self.inner
            .fetch_likely(name.clone(), move |version| range.contains(version));
    }

    fn fetches_ahead(&self) -> bool {
        !self.inner.client.is_offline()
    }

    fn prefetch_metadata(&self, name: &PackageName, dists: &[DistRef]) {
        let inner = &self.inner;
        if inner.direct.contains_key(name) {
            return;
        }
        let Some(page) = inner
            .page(name)
            .peek()
            .and_then(|page| page.as_ref().ok().cloned())
        else {
            return;
        };
        for dist in dists {
            // Cached metadata is read when the solver asks, in microseconds: reading it ahead
            // would take the other core from the pages and metadata the solver waits for.
            if inner
                .client
                .metadata_needs_network(&dist.url, dist.sha256.as_deref())
            {
                inner.start_metadata(name, &page, dist);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use std::str::FromStr;

    use std::path::Path;
    use std::time::{Duration, Instant};

    use npsolve_index::{CacheOptions, ClientOptions, CoreMetadataHint, Hashes, IndexUrl};
    use npsolve_platform::{DistFilename, Platform, PythonVersion};
    use npsolve_testkit::{FixtureServer, ServerOptions};
    use url::Url;

    use super::*;

    fn target() -> Target {
        Target::new(
            PythonVersion::from_str("3.11").expect("python"),
            Platform::from_str("x86_64-manylinux_2_28").expect("platform"),
        )
    }

    /// A project with one pure wheel whose `.metadata` lists `requires`.
    fn write_project(root: &Path, name: &str, requires: &[&str]) {
        let filename = format!("{name}-1.0-py3-none-any.whl");
        let folder = root.join("simple").join(name);
        std::fs::create_dir_all(&folder).expect("page folder");
        std::fs::create_dir_all(root.join("files")).expect("files folder");
        let page = serde_json::json!({
            "meta": {"api-version": "1.1"},
            "name": name,
            "files": [{"filename": filename, "url": format!("../../files/{filename}"),
                       "hashes": {}, "core-metadata": true}],
        });
        std::fs::write(folder.join("index.json"), page.to_string()).expect("page");
        let mut metadata = format!("Metadata-Version: 2.1\nName: {name}\nVersion: 1.0\n");
        for requirement in requires {
            metadata.push_str(&format!("Requires-Dist: {requirement}\n"));
        }
        std::fs::write(
            root.join("files").join(format!("{filename}.metadata")),
            metadata,
        )
        .expect("metadata");
    }

    /// A page whose cache entry turns out damaged after it was opened (a release's files fail
    /// their check) is fetched again, and the resolver gets the same candidates; offline, it
    /// is an error that says so.
    #[test]
    fn a_page_found_damaged_late_is_fetched_again() {
        let index = tempfile::tempdir().expect("temp dir");
        write_project(index.path(), "top", &[]);
        let server = FixtureServer::start(index.path(), ServerOptions::default());
        let cache = tempfile::tempdir().expect("temp dir");
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .expect("runtime");
        let source = |offline: bool| {
            let options = ClientOptions {
                index_url: Some(IndexUrl::from_str(&server.index_url()).expect("index URL")),
                cache: CacheOptions {
                    dir: Some(cache.path().to_path_buf()),
                    offline,
                    ..CacheOptions::default()
                },
                ..ClientOptions::default()
            };
            let client = IndexClient::new(options).expect("client");
            IndexSource::new(client, runtime.handle().clone(), target())
        };
        let top = PackageName::from_str("top").expect("name");
        let wheels = |source: &IndexSource| -> Result<Vec<String>, SourceError> {
            let versions = source.versions(&top)?;
            let candidates = versions.versions[0].candidates()?;
            Ok(candidates
                .wheels
                .iter()
                .map(|dist| dist.url.clone())
                .collect())
        };
        let expected = wheels(&source(false)).expect("a clean page");
        assert_eq!(expected.len(), 1);
        let entry = walk(cache.path())
            .into_iter()
            .find(|path| path.ends_with("top.entry"))
            .expect("the page is cached");
        let damage = || {
            let mut bytes = std::fs::read(&entry).expect("entry");
            let last = bytes.len() - 1;
            bytes[last] ^= 0xff;
            std::fs::write(&entry, bytes).expect("damaged");
        };
        damage();
        let pages = |server: &FixtureServer| {
            server
                .requests()
                .iter()
                .filter(|request| request.path == "/simple/top/")
                .count()
        };
        let before = pages(&server);
        assert_eq!(wheels(&source(false)).expect("recovered"), expected);
        assert!(pages(&server) > before, "the page was not fetched again");
        // Found by a prefetch on the runtime's workers, not by the solver.
        damage();
        let before = pages(&server);
        let prefetching = source(false);
        prefetching.prefetch(&top, &Ranges::full());
        let deadline = Instant::now() + Duration::from_secs(20);
        while pages(&server) < before + 2 && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(20));
        }
        assert!(
            pages(&server) >= before + 2,
            "the prefetch did not fetch the page again"
        );
        assert_eq!(wheels(&prefetching).expect("recovered"), expected);
        damage();
        let Err(SourceError::Fatal(message)) = wheels(&source(true)) else {
            panic!("offline, a damaged page cannot be recovered");
        };
        assert!(message.contains("damaged"), "{message}");
        runtime.shutdown_background();
    }

    /// Every file under `root`.
    fn walk(root: &Path) -> Vec<std::path::PathBuf> {
        let mut files = Vec::new();
        for entry in std::fs::read_dir(root).into_iter().flatten().flatten() {
            let path = entry.path();
            if path.is_dir() {
                files.extend(walk(&path));
            } else {
                files.push(path);
            }
        }
        files
    }

    /// Once the solver has read one project's metadata, the source alone fetches the pages of
    /// its dependencies and of theirs, following extras that were asked for and no others.
    #[test]
    fn fetches_dependencies_ahead_of_the_solver() {
        let index = tempfile::tempdir().expect("temp dir");
        write_project(
            index.path(),
            "top",
            &["middle>=1", "optional ; extra == 'x'", "wide[y]"],
        );
        write_project(index.path(), "middle", &["leaf"]);
        write_project(index.path(), "leaf", &[]);
        write_project(index.path(), "optional", &[]);
        write_project(index.path(), "wide", &["extra-only ; extra == 'y'"]);
        write_project(index.path(), "extra-only", &[]);
        let server = FixtureServer::start(index.path(), ServerOptions::default());
        let cache = tempfile::tempdir().expect("temp dir");
        let options = ClientOptions {
            index_url: Some(IndexUrl::from_str(&server.index_url()).expect("index URL")),
            cache: CacheOptions {
                dir: Some(cache.path().to_path_buf()),
                ..CacheOptions::default()
            },
            ..ClientOptions::default()
        };
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .expect("runtime");
        let client = IndexClient::new(options).expect("client");
        let source = IndexSource::new(client, runtime.handle().clone(), target());
        let top = PackageName::from_str("top").expect("name");
        let versions = source.versions(&top).expect("page of top");
        let dist = versions.versions[0].candidates().expect("readable").wheels[0].clone();
        source.metadata(&top, &dist).expect("metadata of top");

        let page_requested = |name: &str| {
            server
                .requests()
                .iter()
                .any(|request| request.path == format!("/simple/{name}/"))
        };
        let deadline = Instant::now() + Duration::from_secs(20);
        let expected = ["middle", "leaf", "wide", "extra-only"];
        while !expected.iter().all(|name| page_requested(name)) && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(20));
        }
        for name in expected {
            assert!(page_requested(name), "`{name}` was not fetched ahead");
        }
        assert!(
            !page_requested("optional"),
            "an extra nobody asked for was followed"
        );
        drop(source);
        runtime.shutdown_background();
    }

    fn listed(project: &PackageName, filename: &str) -> DistFile {
        DistFile {
            filename: DistFilename::parse(filename, project).expect("valid file name"),
            url: Url::parse(&format!("https://files.example/{filename}")).expect("valid URL"),
            hashes: Hashes::from_pairs([("sha256", &*"ab".repeat(32))]),
            requires_python: None,
            yanked: filename.ends_with("win_amd64.whl").then(String::new),
            upload_time: None,
            size: None,
            core_metadata: CoreMetadataHint::Unknown,
        }
    }

    /// The page of `demo` with `files`, for the test target.
    fn page_of(files: &[DistFile]) -> Page {
        let project = PackageName::from_str("demo").expect("name");
        let listing =
            ProjectListing::from_files(IndexUrl::pypi(), &project, files).expect("encodes");
        static RUNTIME: OnceLock<tokio::runtime::Runtime> = OnceLock::new();
        let runtime = RUNTIME.get_or_init(|| {
            tokio::runtime::Builder::new_current_thread()
                .build()
                .expect("runtime")
        });
        let client = IndexClient::new(ClientOptions::default()).expect("client");
        page_for_target(
            &project,
            listing,
            target().tags().clone(),
            client,
            runtime.handle().clone(),
        )
    }

    /// The files of `demo` with these names.
    fn demo_files<const N: usize>(filenames: [&str; N]) -> [DistFile; N] {
        let project = PackageName::from_str("demo").expect("name");
        filenames.map(|filename| listed(&project, filename))
    }

    /// The names of the files whose metadata can be asked for among `dists`, sorted.
    fn askable(page: &Page, dists: &[DistRef]) -> Vec<String> {
        let project = PackageName::from_str("demo").expect("name");
        let mut names: Vec<String> = dists
            .iter()
            .filter_map(|dist| page.file(&project, dist))
            .map(|file| file.expect("valid").filename.to_string())
            .collect();
        names.sort_unstable();
        names.dedup();
        names
    }

    /// Versions newest first (`1.0` and `1.0.0` are one release, named as the page first
    /// lists it), installable wheels best first, `.tar.gz` preferred, every file kept, and
    /// full records only for the files metadata can be asked for.
    #[test]
    fn groups_files_for_the_target() {
        let project = PackageName::from_str("demo").expect("name");
        let page = page_of(&demo_files([
            "demo-1.0.zip",
            "demo-1.0-cp311-cp311-win_amd64.whl",
            "demo-2.0-py3-none-any.whl",
            "demo-1.0.0.tar.gz",
            "demo-1.0-py3-none-any.whl",
            "demo-1.0-cp311-cp311-manylinux_2_17_x86_64.whl",
            "demo-0.9-cp310-cp310-manylinux_2_17_x86_64.whl",
        ]));
        /// Version, wheels, sdist, number of files, yanked reason.
        type Release<'a> = (
            String,
            Vec<&'a str>,
            Option<&'a str>,
            usize,
            Option<&'a str>,
        );
        let summary: Vec<Release<'_>> = page
            .versions
            .versions
            .iter()
            .enumerate()
            .map(|(release, entry)| {
                let candidates = entry.candidates().expect("readable");
                (
                    entry.version.to_string(),
                    candidates
                        .wheels
                        .iter()
                        .map(|dist| dist.filename.as_str())
                        .collect(),
                    candidates.sdist.as_ref().map(|dist| dist.filename.as_str()),
                    page.releases
                        .listing
                        .release_files(release)
                        .expect("readable")
                        .len(),
                    entry.yanked.as_deref(),
                )
            })
            .collect();
        assert_eq!(
            summary,
            [
                (
                    "2.0".to_string(),
                    vec!["demo-2.0-py3-none-any.whl"],
                    None,
                    1,
                    None
                ),
                (
                    "1.0".to_string(),
                    vec![
                        "demo-1.0-cp311-cp311-manylinux_2_17_x86_64.whl",
                        "demo-1.0-py3-none-any.whl"
                    ],
                    Some("demo-1.0.0.tar.gz"),
                    5,
                    None
                ),
                // Its only file is for another Python: nothing to choose, still listed.
                ("0.9".to_string(), vec![], None, 1, None),
            ]
        );
        // Every file of a version, in file-name order, with all its fields.
        let files = page
            .files(&Version::from_str("1.0").expect("version"))
            .expect("readable");
        let names: Vec<&str> = files.iter().map(|dist| dist.filename.as_str()).collect();
        assert_eq!(
            names,
            [
                "demo-1.0-cp311-cp311-manylinux_2_17_x86_64.whl",
                "demo-1.0-cp311-cp311-win_amd64.whl",
                "demo-1.0-py3-none-any.whl",
                "demo-1.0.0.tar.gz",
                "demo-1.0.zip",
            ]
        );
        for dist in &files {
            assert_eq!(dist.url, format!("https://files.example/{}", dist.filename));
            assert_eq!(dist.sha256.as_deref(), Some(&*"ab".repeat(32)));
            assert_eq!(
                dist.yanked.is_some(),
                dist.filename.ends_with("win_amd64.whl")
            );
        }
        assert!(
            page.files(&Version::from_str("3.0").expect("version"))
                .expect("nothing to read")
                .is_empty()
        );
        // Metadata can be asked of the candidates handed out, and of nothing else.
        let mut offered = files.clone();
        for entry in &page.versions.versions {
            let candidates = entry.candidates().expect("read");
            offered.extend(candidates.wheels.iter().cloned());
            offered.extend(candidates.sdist.iter().cloned());
        }
        assert_eq!(
            askable(&page, &offered),
            [
                "demo-1.0-cp311-cp311-manylinux_2_17_x86_64.whl",
                "demo-1.0-py3-none-any.whl",
                "demo-1.0.0.tar.gz",
                "demo-1.0.zip",
                "demo-2.0-py3-none-any.whl",
            ]
        );
        let wheel = &page.versions.versions[1].candidates().expect("read").wheels[0];
        let file = page.file(&project, wheel).expect("kept").expect("valid");
        assert_eq!(file.url.as_str(), wheel.url);
        let foreign = &page
            .files(&Version::from_str("0.9").expect("version"))
            .expect("readable")[0];
        assert!(page.file(&project, foreign).is_none());
    }

    /// Nothing is copied out of the listing until the resolver looks at a release, and then
    /// only that release's candidates are.
    #[test]
    fn reads_candidates_only_of_the_releases_looked_at() {
        let page = page_of(&demo_files([
            "demo-1.0-py3-none-any.whl",
            "demo-1.0.tar.gz",
            "demo-2.0-py3-none-any.whl",
            "demo-2.0-cp311-cp311-win_amd64.whl",
            "demo-2.0.tar.gz",
        ]));
        let read = |page: &Page| -> Vec<String> {
            page.versions
                .versions
                .iter()
                .filter(|entry| entry.is_read())
                .map(|entry| entry.version.to_string())
                .collect()
        };
        assert!(read(&page).is_empty());
        let newest = &page.versions.versions[0];
        assert_eq!(newest.version.to_string(), "2.0");
        let candidates = newest.candidates().expect("readable");
        assert_eq!(candidates.wheels.len(), 1);
        assert_eq!(read(&page), ["2.0"]);
        let mut offered = candidates.wheels.clone();
        offered.extend(candidates.sdist.iter().cloned());
        assert_eq!(
            askable(&page, &offered),
            ["demo-2.0-py3-none-any.whl", "demo-2.0.tar.gz"]
        );
    }

    /// A release whose every file is yanked says so, with the first file's reason.
    #[test]
    fn marks_a_release_whose_files_are_all_yanked() {
        let mut files = demo_files([
            "demo-1.0-py3-none-any.whl",
            "demo-1.0.tar.gz",
            "demo-2.0-py3-none-any.whl",
            "demo-2.0.tar.gz",
        ]);
        files[0].yanked = Some("broken metadata".to_string());
        files[1].yanked = Some(String::new());
        files[2].yanked = Some(String::new());
        let page = page_of(&files);
        let yanked: Vec<Option<&str>> = page
            .versions
            .versions
            .iter()
            .map(|entry| entry.yanked.as_deref())
            .collect();
        assert_eq!(yanked, [None, Some("broken metadata")]);
    }
}
