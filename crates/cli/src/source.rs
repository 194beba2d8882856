//! The bridge from the async index client to the synchronous resolver.
//!
//! The solver runs on its own thread and calls [`IndexSource`] synchronously; every
//! request is a shared future driven by the tokio runtime, so a prefetch started early
//! is simply awaited when the solver gets there, and nothing is fetched twice.

use std::sync::{Arc, Mutex};

use futures::FutureExt;
use futures::future::{BoxFuture, Shared};
use npsolve_index::{DistFile, IndexClient, IndexError, ListedFile, WheelTags};
use npsolve_platform::{TagPriority, Target};
use npsolve_resolver::{
    DistMetadata, DistRef, PackageSource, PackageVersions, SourceError, VersionEntry,
};
use pep440_rs::Version;
use pep508_rs::{ExtraName, PackageName, Requirement, VersionOrUrl};
use rustc_hash::{FxHashMap, FxHashSet};
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
                ahead: Mutex::new(Ahead::default()),
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
        let inner = self.clone();
        let name = name.clone();
        let future = async move {
            match inner.client.metadata(&file).await {
                Ok(metadata) => {
                    inner.fetch_dependencies_ahead(&name, &metadata.requires_dist);
                    Ok(Arc::new(DistMetadata {
                        requires_dist: metadata.requires_dist.clone(),
                        requires_python: metadata.requires_python.clone(),
                        provides_extras: metadata.provides_extras.clone(),
                    }))
                }
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
        let inner = self.clone();
        let page = inner.page(&name);
        self.runtime.spawn(async move {
            let Ok(page) = page.await else { return };
            let python = inner.target.python().as_version();
            let likely = page
                .versions
                .versions
                .iter()
                .filter(|entry| wanted(&entry.version) && !entry.version.any_prerelease())
                .find_map(|entry| {
                    entry.wheels.iter().find(|wheel| {
                        wheel.yanked.is_none()
                            && wheel
                                .requires_python
                                .as_ref()
                                .is_none_or(|specifiers| specifiers.contains(&python))
                    })
                })
                .cloned();
            if let Some(dist) = likely {
                inner.start_metadata(&name, &page, &dist);
            }
        });
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
///
/// Files are ordered through indices (a `ListedFile` is a few hundred bytes; moving 100,000 of
/// them through a map and a sort showed up in profiles), and each shared tag set is judged
/// once.
fn page_for_target(mut files: Vec<ListedFile>, target: &Target) -> Page {
    // Newest version first; a stable sort keeps page order within a version, so a group's
    // version is that of its first file on the page, as a map keyed by version would keep.
    let mut order: Vec<usize> = (0..files.len()).collect();
    order.sort_by(|&a, &b| files[b].version.cmp(&files[a].version));
    let mut judged: FxHashMap<*const WheelTags, Option<TagPriority>> = FxHashMap::default();
    let mut versions = Vec::new();
    let mut candidates = FxHashMap::default();
    let groups: Vec<Vec<usize>> = order
        .chunk_by(|&a, &b| files[a].version == files[b].version)
        .map(<[usize]>::to_vec)
        .collect();
    for mut group in groups {
        let version = files[group[0]].version.clone();
        group.sort_by(|&a, &b| files[a].filename.cmp(&files[b].filename));
        let mut wheels = Vec::new();
        let mut sdist = None;
        let mut all = Vec::with_capacity(group.len());
        for index in group {
            let file = &mut files[index];
            let candidate = match &file.wheel_tags {
                Some(tags) => (*judged
                    .entry(Arc::as_ptr(tags))
                    .or_insert_with(|| tags.compatibility(target.tags())))
                .map(Some),
                None => Some(None),
            };
            let Some(priority) = candidate else {
                all.push(take_dist_ref(file));
                continue;
            };
            let dist = dist_ref(file);
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
            candidates.insert(file.url.clone(), file.clone());
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

/// The resolver's record of a file nothing else keeps: its strings are moved out.
fn take_dist_ref(file: &mut ListedFile) -> DistRef {
    DistRef {
        is_wheel: file.is_wheel(),
        filename: std::mem::take(&mut file.filename),
        url: std::mem::take(&mut file.url),
        sha256: file.hashes.sha256.take(),
        requires_python: file.requires_python.take(),
        yanked: file.yanked.take(),
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
        let range = range.clone();
        self.inner
            .fetch_likely(name.clone(), move |version| range.contains(version));
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
        let dist = versions.versions[0].wheels[0].clone();
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

    fn listed(project: &PackageName, filename: &str) -> ListedFile {
        ListedFile::of(DistFile {
            filename: DistFilename::parse(filename, project).expect("valid file name"),
            url: Url::parse(&format!("https://files.example/{filename}")).expect("valid URL"),
            hashes: Hashes::from_pairs([("sha256", filename)]),
            requires_python: None,
            yanked: None,
            upload_time: None,
            size: None,
            core_metadata: CoreMetadataHint::Unknown,
        })
    }

    /// Versions newest first (`1.0` and `1.0.0` are one release, named as the page first
    /// lists it), installable wheels best first, `.tar.gz` preferred, every file kept, and
    /// full records only for the files metadata can be asked for.
    #[test]
    fn groups_files_for_the_target() {
        let project = PackageName::from_str("demo").expect("name");
        let target = target();
        let files = [
            "demo-1.0.zip",
            "demo-1.0-cp311-cp311-win_amd64.whl",
            "demo-2.0-py3-none-any.whl",
            "demo-1.0.0.tar.gz",
            "demo-1.0-py3-none-any.whl",
            "demo-1.0-cp311-cp311-manylinux_2_17_x86_64.whl",
            "demo-0.9-cp310-cp310-manylinux_2_17_x86_64.whl",
        ]
        .map(|filename| listed(&project, filename));
        let page = page_for_target(files.to_vec(), &target);
        let summary: Vec<(String, Vec<&str>, Option<&str>, usize)> = page
            .versions
            .versions
            .iter()
            .map(|entry| {
                (
                    entry.version.to_string(),
                    entry
                        .wheels
                        .iter()
                        .map(|dist| dist.filename.as_str())
                        .collect(),
                    entry.sdist.as_ref().map(|dist| dist.filename.as_str()),
                    entry.files.len(),
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
                    1
                ),
                (
                    "1.0".to_string(),
                    vec![
                        "demo-1.0-cp311-cp311-manylinux_2_17_x86_64.whl",
                        "demo-1.0-py3-none-any.whl"
                    ],
                    Some("demo-1.0.0.tar.gz"),
                    5
                ),
                ("0.9".to_string(), vec![], None, 1),
            ]
        );
        // Every file keeps its fields, whether moved or copied.
        for entry in &page.versions.versions {
            for dist in &entry.files {
                assert_eq!(dist.url, format!("https://files.example/{}", dist.filename));
                assert_eq!(dist.sha256.as_deref(), Some(dist.filename.as_str()));
            }
        }
        let mut kept: Vec<&str> = page
            .candidates
            .values()
            .map(|file| file.filename.as_str())
            .collect();
        kept.sort_unstable();
        assert_eq!(
            kept,
            [
                "demo-1.0-cp311-cp311-manylinux_2_17_x86_64.whl",
                "demo-1.0-py3-none-any.whl",
                "demo-1.0.0.tar.gz",
                "demo-1.0.zip",
                "demo-2.0-py3-none-any.whl",
            ]
        );
        let wheel = &page.versions.versions[1].wheels[0];
        let file = page.file(&project, wheel).expect("kept").expect("valid");
        assert_eq!(file.url.as_str(), wheel.url);
        let foreign = &page.versions.versions[2].files[0];
        assert!(page.file(&project, foreign).is_none());
    }
}
