//! The bridge from the async index client to the synchronous resolver.
//!
//! The solver runs on its own thread and calls [`IndexSource`] synchronously; every
//! request is a shared future driven by the tokio runtime, so a prefetch started early
//! is simply awaited when the solver gets there, and nothing is fetched twice.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

use futures::FutureExt;
use futures::future::{BoxFuture, Shared};
use npsolve_index::{DistFile, IndexClient, IndexError, ListedFile};
use npsolve_platform::Target;
use npsolve_resolver::{
    DistMetadata, DistRef, PackageSource, PackageVersions, SourceError, VersionEntry,
};
use pep440_rs::Version;
use pep508_rs::PackageName;
use rustc_hash::FxHashMap;
use version_ranges::Ranges;

type PageFuture = Shared<BoxFuture<'static, Result<Arc<Page>, SourceError>>>;
type MetadataFuture = Shared<BoxFuture<'static, Result<Arc<DistMetadata>, SourceError>>>;

/// A project page turned into the resolver's view, plus the index's records of the files
/// the resolver may ask metadata for: installable wheels and source distributions. The other
/// files (most of a big project's page: other platforms and Pythons) live only as
/// [`DistRef`]s, their strings moved, not copied.
struct Page {
    versions: Arc<PackageVersions>,
    candidates: FxHashMap<String, ListedFile>,
}

impl Page {
    /// The index's record of the file the resolver names, found by its URL.
    fn file(&self, name: &PackageName, dist: &DistRef) -> Option<Result<DistFile, IndexError>> {
        self.candidates
            .get(&dist.url)
            .map(|file| file.to_dist_file(name))
    }
}

/// Answers the resolver from the index client, fetching ahead on hints.
pub struct IndexSource {
    inner: Arc<Inner>,
}

/// The shared state, also held by prefetch tasks.
struct Inner {
    client: IndexClient,
    runtime: tokio::runtime::Handle,
    target: Target,
    pages: Mutex<FxHashMap<PackageName, PageFuture>>,
    metadata: Mutex<FxHashMap<(PackageName, String), MetadataFuture>>,
}

impl IndexSource {
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
                metadata: Mutex::new(FxHashMap::default()),
            }),
        }
    }
}

impl Drop for IndexSource {
    /// Reports what the index client did (shown with `-v`), then leaves the pages to the
    /// operating system: a source lives until its command ends, and freeing ~100,000 small
    /// file records one by one took a fifth of a warm resolution's wall time.
    fn drop(&mut self) {
        let stats = self.inner.client.stats();
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
            let files = inner
                .client
                .project_files(&owned)
                .await
                .map_err(|error| fatal(&error))?;
            Ok(Arc::new(page_for_target(files, &inner.target)))
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
        let client = self.client.clone();
        let future = async move {
            match client.metadata(&file).await {
                Ok(metadata) => Ok(Arc::new(DistMetadata {
                    requires_dist: metadata.requires_dist.clone(),
                    requires_python: metadata.requires_python.clone(),
                    provides_extras: metadata.provides_extras.clone(),
                })),
                // Same words for every such release, so explanations can group them.
                Err(IndexError::NeedsBuild { .. }) => Err(SourceError::Unusable(
                    "its source distribution declares its dependencies only after a build, which npsolve never runs"
                        .to_string(),
                )),
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

    fn start_metadata(
        self: &Arc<Self>,
        name: &PackageName,
        page: &Page,
        dist: &DistRef,
    ) -> Option<Result<MetadataFuture, SourceError>> {
        let file = match page.file(name, dist)? {
            Ok(file) => file,
            Err(error) => return Some(Err(SourceError::Unusable(error.to_string()))),
        };
        Some(Ok(self.metadata_future(name, file, &dist.filename)))
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

/// Groups a project's files by version, keeping wheels the target can install
/// (most preferred first) and the source distribution.
fn page_for_target(files: Vec<ListedFile>, target: &Target) -> Page {
    let mut by_version: BTreeMap<Version, Vec<ListedFile>> = BTreeMap::new();
    for file in files {
        by_version
            .entry(file.version.clone())
            .or_default()
            .push(file);
    }
    let mut versions = Vec::with_capacity(by_version.len());
    let mut candidates = FxHashMap::default();
    for (version, mut group) in by_version.into_iter().rev() {
        group.sort_by(|a, b| a.filename.cmp(&b.filename));
        let mut wheels = Vec::new();
        let mut sdist = None;
        let mut all = Vec::with_capacity(group.len());
        for file in group {
            let candidate = match &file.wheel_tags {
                Some(tags) => tags.compatibility(target.tags()).map(Some),
                None => Some(None),
            };
            let Some(priority) = candidate else {
                all.push(into_dist_ref(file));
                continue;
            };
            let dist = dist_ref(&file);
            match priority {
                Some(priority) => wheels.push((priority, dist.clone())),
                None => {
                    // Prefer .tar.gz over .zip when a release has both.
                    let better = sdist
                        .as_ref()
                        .is_none_or(|current: &DistRef| !current.filename.ends_with(".tar.gz"));
                    if better {
                        sdist = Some(dist.clone());
                    }
                }
            }
            candidates.insert(file.url.clone(), file);
            all.push(dist);
        }
        wheels.sort_by(|a, b| b.0.cmp(&a.0).then_with(|| a.1.filename.cmp(&b.1.filename)));
        versions.push(VersionEntry {
            version,
            wheels: wheels.into_iter().map(|(_, dist)| dist).collect(),
            sdist,
            files: all,
        });
    }
    Page {
        versions: Arc::new(PackageVersions { versions }),
        candidates,
    }
}

/// The resolver's record of a file the page keeps too.
fn dist_ref(file: &ListedFile) -> DistRef {
    DistRef {
        is_wheel: file.is_wheel(),
        filename: file.filename.clone(),
        url: file.url.clone(),
        sha256: file.hashes.sha256.clone(),
        requires_python: file.requires_python.clone(),
        yanked: file.yanked.clone(),
        size: file.size,
        upload_time: file.upload_time.map(|time| time.to_string()),
    }
}

/// The resolver's record of a file nothing else keeps: its strings are moved.
fn into_dist_ref(file: ListedFile) -> DistRef {
    DistRef {
        is_wheel: file.is_wheel(),
        filename: file.filename,
        url: file.url,
        sha256: file.hashes.sha256,
        requires_python: file.requires_python,
        yanked: file.yanked,
        size: file.size,
        upload_time: file.upload_time.map(|time| time.to_string()),
    }
}

impl PackageSource for IndexSource {
    fn versions(&self, name: &PackageName) -> Result<Arc<PackageVersions>, SourceError> {
        let inner = &self.inner;
        let page = inner.runtime.block_on(inner.page(name))?;
        Ok(page.versions.clone())
    }

    fn metadata(
        &self,
        name: &PackageName,
        dist: &DistRef,
    ) -> Result<Arc<DistMetadata>, SourceError> {
        let inner = &self.inner;
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
        let inner = self.inner.clone();
        let page = inner.page(name);
        let range = range.clone();
        let name = name.clone();
        // Once the page is in, fetch the metadata of the newest stable wheel in range:
        // it is the version the solver will most likely try first.
        self.inner.runtime.spawn(async move {
            let Ok(page) = page.await else { return };
            let likely = page
                .versions
                .versions
                .iter()
                .find(|entry| {
                    range.contains(&entry.version)
                        && !entry.version.any_prerelease()
                        && !entry.wheels.is_empty()
                })
                .and_then(|entry| entry.wheels.first().cloned());
            if let Some(dist) = likely {
                inner.start_metadata(&name, &page, &dist);
            }
        });
    }

    fn prefetch_metadata(&self, name: &PackageName, dists: &[DistRef]) {
        let inner = &self.inner;
        let Some(page) = inner
            .page(name)
            .peek()
            .and_then(|page| page.as_ref().ok().cloned())
        else {
            return;
        };
        for dist in dists {
            inner.start_metadata(name, &page, dist);
        }
    }
}
