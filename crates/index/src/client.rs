//! The client: one per process, cheap to clone, shared by many tokio tasks.

use std::sync::{Arc, Mutex};

use pep508_rs::PackageName;
use rustc_hash::FxHashMap;

use crate::cache::Cache;
use crate::dist_file::{DistFile, Project};
use crate::error::IndexError;
use crate::http::Http;
use crate::listing::ProjectListing;
use crate::listing::segment_of;
use crate::locations::IndexUrl;
use crate::options::ClientOptions;
use crate::stats::{ClientStats, Counters};
use npsolve_metadata::CoreMetadata;

/// Reads project pages and core metadata from indexes, find-links and the cache.
///
/// `Clone + Send + Sync + 'static`; clones share connections, cache and counters.
#[derive(Clone, Debug)]
pub struct IndexClient {
    pub(crate) inner: Arc<Inner>,
}

/// The state shared by clones.
#[derive(Debug)]
pub(crate) struct Inner {
    pub options: ClientOptions,
    /// The indexes to try, in order (empty with `no_index`).
    pub indexes: Vec<IndexUrl>,
    pub http: Http,
    pub cache: Cache,
    pub counters: Arc<Counters>,
    /// Project pages already answered in this process.
    pub projects: Mutex<FxHashMap<PackageName, Arc<Project>>>,
    /// Project page URLs the index answered in this process (`true`: it has the project):
    /// their cached entry is fresh for the rest of it, so resolutions that share the client
    /// (one per target of a universal lock) revalidate each page once.
    pub answered_pages: Mutex<FxHashMap<String, bool>>,
    /// Metadata already answered in this process, by file URL.
    pub metadata: Mutex<FxHashMap<String, Arc<CoreMetadata>>>,
    /// Parses metadata, each requirement text once per process.
    pub parser: npsolve_metadata::MetadataParser,
}

impl IndexClient {
    /// A client for `options`. The HTTP client is built on the first request (a cached run
    /// never pays for loading the trust store), so a setup failure
    /// ([`IndexError::ClientSetup`]) is returned by that request; this constructor keeps its
    /// `Result` for callers and future checks.
    pub fn new(options: ClientOptions) -> Result<IndexClient, IndexError> {
        let counters = Arc::new(Counters::default());
        let http = Http::new(&options, counters.clone());
        let dir = if options.cache.no_cache {
            None
        } else {
            options
                .cache
                .dir
                .clone()
                .or_else(|| dirs::cache_dir().map(|dir| dir.join("npsolve")))
        };
        let mut indexes = Vec::new();
        if !options.no_index {
            indexes.push(options.index_url.clone().unwrap_or_else(IndexUrl::pypi));
            for extra in &options.extra_index_urls {
                if !indexes.contains(extra) {
                    indexes.push(extra.clone());
                }
            }
        }
        Ok(IndexClient {
            inner: Arc::new(Inner {
                indexes,
                http,
                cache: Cache::new(dir),
                counters,
                projects: Mutex::new(FxHashMap::default()),
                answered_pages: Mutex::new(FxHashMap::default()),
                metadata: Mutex::new(FxHashMap::default()),
                parser: npsolve_metadata::MetadataParser::default(),
                options,
            }),
        })
    }

    /// All files of a project from the first index that has it (no mixing of indexes), plus
    /// matching find-links files, minus files newer than `exclude_newer`.
    ///
    /// A project no index knows is `Ok` with no files. Answers are kept for the process.
    pub async fn project(&self, name: &PackageName) -> Result<Arc<Project>, IndexError> {
        if let Some(project) = lock(&self.inner.projects).get(name) {
            return Ok(project.clone());
        }
        let listing = self.inner.listing(name).await?;
        let mut files = Vec::with_capacity(listing.len());
        for (_, file) in listing.files()? {
            match file.to_dist_file(name) {
                Ok(file) => files.push(file),
                Err(error) => tracing::warn!("skipping a file of `{name}`: {error}"),
            }
        }
        let project = Arc::new(Project {
            name: name.clone(),
            index: listing.index().clone(),
            files,
        });
        lock(&self.inner.projects).insert(name.clone(), project.clone());
        Ok(project)
    }

    /// The same files as [`IndexClient::project`], held in their compact form and read in
    /// place: the cheap way to look at every file of many projects. Not kept by the client
    /// (the caller keeps what it needs); [`crate::FileView::to_dist_file`] gives a file's full
    /// record.
    pub async fn project_listing(&self, name: &PackageName) -> Result<ProjectListing, IndexError> {
        self.inner.listing(name).await
    }

    /// The core metadata of one file: PEP 658 `.metadata`, else range requests into the wheel,
    /// else the whole file; sdists only when their PKG-INFO is static (PEP 643).
    pub async fn metadata(&self, file: &DistFile) -> Result<Arc<CoreMetadata>, IndexError> {
        let key = file.url.to_string();
        if let Some(metadata) = lock(&self.inner.metadata).get(&key) {
            return Ok(metadata.clone());
        }
        let metadata = Arc::new(self.inner.file_metadata(file).await?.0);
        lock(&self.inner.metadata).insert(key, metadata.clone());
        Ok(metadata)
    }

    /// True when the client answers from its cache only (`--offline`).
    pub fn is_offline(&self) -> bool {
        self.inner.options.cache.offline
    }

    /// True when reading the metadata of the file at `url` (with the index's `sha256` for it)
    /// would send a request: it is neither in the disk cache nor local, and the client is not
    /// offline. Only then is it worth fetching ahead of need; otherwise reading it when asked
    /// takes microseconds (or fails at once), and doing it ahead takes a core from the solver.
    pub fn metadata_needs_network(&self, url: &str, sha256: Option<&str>) -> bool {
        if self.is_offline()
            || url.starts_with("file:")
            || lock(&self.inner.metadata).contains_key(url)
        {
            return false;
        }
        self.inner
            .metadata_entry(url, sha256)
            .is_none_or(|path| !path.is_file())
    }

    /// The raw bytes of a file, hash-verified when the index gave a sha256.
    pub async fn download(&self, file: &DistFile) -> Result<Vec<u8>, IndexError> {
        self.inner.download(file).await
    }

    /// What a build told earlier under `key` (see [`IndexClient::store_build`]); `None`
    /// when there is none, or no disk cache.
    pub fn stored_build(&self, key: &str) -> Option<BuildRecord> {
        let path = self.inner.cache.build_path(key)?;
        let (entry, metadata) = self
            .inner
            .cache
            .read::<BuiltEntry>(&path, &self.inner.counters)?;
        Some(BuildRecord {
            metadata,
            builds_extensions: entry.builds_extensions,
            build_requires: entry.build_requires,
        })
    }

    /// Keeps what a build of `filename` told, under `key`: the sdist's sha256 and whatever
    /// else the answer depends on (the building Python). A failure to write is a warning:
    /// the next run builds again.
    pub fn store_build(&self, key: &str, filename: &str, record: &BuildRecord) {
        let Some(path) = self.inner.cache.build_path(key) else {
            return;
        };
        let entry = BuiltEntry {
            filename: filename.to_string(),
            builds_extensions: record.builds_extensions,
            build_requires: record.build_requires.clone(),
        };
        if let Err(error) = self.inner.cache.write(&path, &entry, &record.metadata) {
            tracing::warn!("cannot write the cache: {error}");
        }
    }

    /// What a reading of a file's contents stored under `key` (see
    /// [`IndexClient::store_reading`]) said; `None` when there is none, or no disk cache.
    pub fn stored_reading(&self, key: &str) -> Option<Vec<u8>> {
        let path = self.inner.cache.metadata_path(&reading_key(key)?)?;
        let (entry, body) = self
            .inner
            .cache
            .read::<ReadingEntry>(&path, &self.inner.counters)?;
        (entry.key == key).then_some(body)
    }

    /// Keeps what a reading of a file's contents found, under `key`: a hex sha256 of the
    /// file and whatever else the answer depends on (e.g. `<sha256>.api-uses-v1-<facts>`).
    /// A file's bytes never change, so the entry never expires. A failure to write is a
    /// warning: the next run reads again.
    pub fn store_reading(&self, key: &str, body: &[u8]) {
        let Some(path) = reading_key(key).and_then(|key| self.inner.cache.metadata_path(&key))
        else {
            return;
        };
        let entry = ReadingEntry {
            key: key.to_string(),
        };
        if let Err(error) = self.inner.cache.write(&path, &entry, body) {
            tracing::warn!("cannot write the cache: {error}");
        }
    }

    /// What the client has done so far.
    pub fn stats(&self) -> ClientStats {
        self.inner.counters.snapshot()
    }
}

/// What a build of a source distribution told (`--allow-build`), as the cache keeps it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BuildRecord {
    /// The `METADATA` the backend wrote.
    pub metadata: Vec<u8>,
    /// Whether building it compiles extension modules (read from its files).
    pub builds_extensions: bool,
    /// Its `build-system.requires`, as written.
    pub build_requires: Vec<String>,
}

/// The record kept beside a stored reading: its whole key, checked on reading.
#[derive(serde::Serialize, serde::Deserialize)]
struct ReadingEntry {
    key: String,
}

/// A reading's file name: a key that starts with a hex sha256 and holds only characters safe
/// in a file name; `None` otherwise.
fn reading_key(key: &str) -> Option<String> {
    let (sha256, rest) = key.split_at_checked(64)?;
    let safe = |text: &str| {
        text.bytes()
            .all(|byte| byte.is_ascii_alphanumeric() || matches!(byte, b'.' | b'-' | b'_'))
    };
    (sha256.bytes().all(|byte| byte.is_ascii_hexdigit()) && safe(rest))
        .then(|| key.to_ascii_lowercase())
}

/// The record kept beside a build's `METADATA`.
#[derive(serde::Serialize, serde::Deserialize)]
struct BuiltEntry {
    /// The sdist that was built.
    filename: String,
    builds_extensions: bool,
    build_requires: Vec<String>,
}

/// Locks a mutex, recovering the data if a panicking thread poisoned it.
pub(crate) fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

impl Inner {
    /// The files of `name`: the page of the first index that has it, then find-links files.
    async fn listing(&self, name: &PackageName) -> Result<ProjectListing, IndexError> {
        let cutoff = self.options.exclude_newer;
        let mut found = None;
        for index in &self.indexes {
            if let Some(segment) = self.index_page(index, name, cutoff).await? {
                found = Some((index.clone(), segment));
                break;
            }
        }
        let index = found.as_ref().map_or_else(
            || self.indexes.first().cloned().unwrap_or_else(IndexUrl::pypi),
            |(index, _)| index.clone(),
        );
        let mut segments = Vec::new();
        if let Some((_, (segment, undated))) = found {
            if undated > 0 {
                tracing::warn!(
                    "`{name}`: dropped {undated} files with no upload time (exclude-newer is set)"
                );
            }
            segments.push(segment);
        }
        // Find-links files have no upload time; exclude-newer does not apply to them.
        for link in &self.options.find_links {
            let files = self.find_links_files(link, name).await?;
            if !files.is_empty() {
                segments.push(segment_of(&files, name, None, link.url())?.0);
            }
        }
        Ok(ProjectListing::new(index, segments))
    }
}
