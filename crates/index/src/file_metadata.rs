//! Core metadata of one file, by the cheapest means available: PEP 658 `.metadata`, HTTP range
//! requests into the wheel, the whole wheel, or an sdist's static PKG-INFO. Results (raw bytes,
//! verified and parsed first) are cached by the file's sha256.

use std::path::PathBuf;

use npsolve_platform::DistFilename;

use reqwest::header::HeaderMap;
use serde::{Deserialize, Serialize};
use url::Url;

use crate::byte_range::{LOCAL_HEADER_SLACK, TAIL_SIZE};
use crate::cache::sha256_hex;
use crate::client::Inner;
use crate::dist_file::{CoreMetadataHint, DistFile};
use crate::error::IndexError;
use crate::safe_url::{SafeUrl, redact};
use crate::sdist_archive;
use crate::stats::bump;
use crate::zip_archive;
use npsolve_metadata::sdist_static::{builds_extensions, to_pkg_info};
use npsolve_metadata::{
    CoreMetadata, SdistMembers, StaticSource, header_block, parse_core_metadata, static_metadata,
};

/// How metadata was obtained (kept in the cache entry).
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "kebab-case")]
enum Method {
    Pep658,
    Range,
    Whole,
    Sdist,
}

#[derive(Debug, Serialize, Deserialize)]
struct MetadataEntry {
    filename: String,
    method: Method,
    /// For an sdist: what the static ladder concluded.
    #[serde(default)]
    sdist: Option<SdistOutcome>,
    /// The bytes, fetched intact (the same on every attempt), do not parse: the file's
    /// metadata is broken as published, and stays so.
    #[serde(default)]
    malformed: bool,
}

/// The generation of the sdist ladder; entries of an older one are read again. 2: the
/// environment test looks inside the block it opens.
const LADDER: u32 = 2;

/// What reading an sdist statically concluded (kept in its cache entry, so that a warm or
/// offline run answers as the network did).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
struct SdistOutcome {
    /// The ladder generation that wrote it.
    ladder: u32,
    /// Where the dependencies were read from (`npsolve_metadata::StaticSource` label).
    source: Option<String>,
    /// Whether a build would compile extensions, when known.
    builds_extensions: Option<bool>,
    /// Why no static answer exists, when none does.
    needs_build: Option<String>,
    /// `build-system.requires`, as written.
    #[serde(default)]
    build_requires: Vec<String>,
}

/// Metadata fetched: how, the bytes to cache, the parsed metadata (an error for an sdist that
/// needs a build), and for an sdist its outcome.
type Fetched = (
    Method,
    Vec<u8>,
    Result<CoreMetadata, IndexError>,
    Option<SdistOutcome>,
);

/// The outcome of one way of getting metadata: bytes, or "try the next way".
enum Found {
    Bytes(Vec<u8>),
    Fallback,
}

impl Inner {
    /// The cache entry of the metadata of the file at `url` with `sha256`: keyed by the
    /// file's sha256, or by a hash of its URL.
    pub(crate) fn metadata_entry(&self, url: &str, sha256: Option<&str>) -> Option<PathBuf> {
        match sha256 {
            Some(sha256) => self.cache.metadata_path(sha256),
            None => self.cache.metadata_path(&sha256_hex(url.as_bytes())),
        }
    }

    /// Core metadata of `file`, from the cache or the network.
    pub(crate) async fn file_metadata(
        &self,
        file: &DistFile,
    ) -> Result<(CoreMetadata, Vec<u8>), IndexError> {
        let filename = file.filename.to_string();
        let is_local = file.url.scheme() == "file";
        let entry_path = if is_local {
            None
        } else {
            self.metadata_entry(file.url.as_str(), file.hashes.sha256.as_deref())
        };
        if let Some(path) = entry_path.as_deref() {
            if let Some((entry, bytes)) = self.cache.read::<MetadataEntry>(path, &self.counters)
                // An sdist read by an older ladder is read again: it may answer now.
                && (entry.method != Method::Sdist
                    || entry.sdist.as_ref().is_some_and(|outcome| outcome.ladder == LADDER))
            {
                match self.accept(file, &filename, &file.url, &bytes, entry.sdist.as_ref()) {
                    Ok(metadata) => {
                        bump(&self.counters.cache_hits);
                        return Ok((metadata, bytes));
                    }
                    // A source distribution whose metadata needs a build stays so: the
                    // cached PKG-INFO answers offline as the network did.
                    Err(error @ IndexError::NeedsBuild { .. }) => {
                        bump(&self.counters.cache_hits);
                        return Err(error);
                    }
                    Err(error @ IndexError::MalformedMetadata { .. }) if entry.malformed => {
                        bump(&self.counters.cache_hits);
                        return Err(error);
                    }
                    Err(error) => {
                        tracing::warn!("discarding cached metadata of `{filename}`: {error}");
                        self.cache.remove(path);
                    }
                }
            }
            bump(&self.counters.cache_misses);
        }
        if self.options.cache.offline && !is_local {
            return Err(IndexError::Offline {
                what: format!("metadata of `{filename}` ({})", redact(&file.url)),
            });
        }
        // Bytes that fail a hash, a CRC or a parse may have been damaged in transit: fetch
        // again before calling the file broken, so a flaky network cannot silently drop a
        // version (and change the answer). A file that stays broken is skipped by the caller.
        let mut attempt = 0;
        let (method, mut bytes, metadata, sdist) = loop {
            attempt += 1;
            match self.fetch_metadata(file, &filename).await {
                Ok((_, _, Err(error @ IndexError::MalformedMetadata { .. }), _))
                    if attempt < INTEGRITY_ATTEMPTS =>
                {
                    tracing::debug!("refetching the metadata of `{filename}`: {error}");
                }
                Ok(fetched) => break fetched,
                Err(error) if attempt < INTEGRITY_ATTEMPTS && is_integrity_error(&error) => {
                    tracing::warn!("refetching the metadata of `{filename}`: {error}");
                }
                Err(error) => return Err(error),
            }
        };
        let malformed = matches!(metadata, Err(IndexError::MalformedMetadata { .. }));
        if malformed {
            tracing::warn!(
                "the metadata of `{filename}` is malformed as published (fetched {INTEGRITY_ATTEMPTS} times): that release is skipped"
            );
        }
        let metadata = match metadata {
            Ok(metadata) => Ok(metadata),
            Err(error @ (IndexError::NeedsBuild { .. } | IndexError::MalformedMetadata { .. })) => {
                Err(error)
            }
            Err(error) => return Err(error),
        };
        match method {
            Method::Pep658 => bump(&self.counters.metadata_pep658),
            Method::Range => bump(&self.counters.metadata_range),
            Method::Whole => bump(&self.counters.metadata_whole),
            Method::Sdist => bump(&self.counters.metadata_sdist),
        }
        // Only the header block is kept: the long description after it is never read, and it
        // was most of the bytes every warm run read back (3.9 MB for sci-stack).
        let headers = header_block(&bytes).len();
        bytes.truncate(headers);
        let entry = MetadataEntry {
            filename,
            method,
            sdist,
            malformed,
        };
        if let Some(path) = entry_path.as_deref()
            && let Err(error) = self.cache.write(path, &entry, &bytes)
        {
            tracing::warn!("cannot write the cache: {error}");
        }
        Ok((metadata?, bytes))
    }

    /// Fetches and parses `file`'s metadata from the network, once. The metadata is `Err`
    /// (with the bytes and the outcome, which are worth caching) for a source distribution
    /// that needs a build.
    async fn fetch_metadata(&self, file: &DistFile, filename: &str) -> Result<Fetched, IndexError> {
        let (method, bytes, source_url, sdist) = match &file.filename {
            DistFilename::Wheel(wheel) => {
                let dist_info = wheel.name.as_dist_info_name().into_owned();
                let (method, bytes, url) = self.wheel_metadata(file, filename, &dist_info).await?;
                (method, bytes, url, None)
            }
            DistFilename::Sdist(_) => {
                let (bytes, url, outcome) = self.sdist_metadata(file, filename).await?;
                (Method::Sdist, bytes, url, Some(outcome))
            }
        };
        match self.accept(file, filename, &source_url, &bytes, sdist.as_ref()) {
            Ok(metadata) => Ok((method, bytes, Ok(metadata), sdist)),
            Err(error @ (IndexError::NeedsBuild { .. } | IndexError::MalformedMetadata { .. })) => {
                Ok((method, bytes, Err(error), sdist))
            }
            Err(error) => Err(error),
        }
    }

    /// Parses metadata bytes and checks them against the file they describe; for an sdist,
    /// `sdist` says what its static reading concluded.
    fn accept(
        &self,
        file: &DistFile,
        filename: &str,
        url: &Url,
        bytes: &[u8],
        sdist: Option<&SdistOutcome>,
    ) -> Result<CoreMetadata, IndexError> {
        if let Some(reason) = sdist.and_then(|outcome| outcome.needs_build.as_ref()) {
            return Err(IndexError::NeedsBuild {
                filename: filename.to_string(),
                reason: reason.clone(),
            });
        }
        let mut metadata =
            self.parser
                .parse(bytes)
                .map_err(|source| IndexError::MalformedMetadata {
                    filename: filename.to_string(),
                    url: SafeUrl::new(url.clone()),
                    source,
                })?;
        for repair in &metadata.repairs {
            tracing::warn!("the metadata of `{filename}` is not valid PEP 440/508: {repair}");
        }
        if metadata.version != *file.filename.version() {
            return Err(IndexError::BadArchive {
                filename: filename.to_string(),
                url: SafeUrl::new(url.clone()),
                reason: format!("its metadata says version `{}`", metadata.version),
            });
        }
        if let Some(outcome) = sdist {
            metadata.static_source = outcome
                .source
                .as_deref()
                .and_then(|label| label.parse().ok());
            metadata.builds_extensions = outcome.builds_extensions;
            metadata.build_requires = outcome
                .build_requires
                .iter()
                .filter_map(|text| text.parse().ok())
                .collect();
        }
        Ok(metadata)
    }

    async fn wheel_metadata(
        &self,
        file: &DistFile,
        filename: &str,
        dist_info: &str,
    ) -> Result<(Method, Vec<u8>, Url), IndexError> {
        if file.url.scheme() == "file" {
            if file.core_metadata != CoreMetadataHint::NotAvailable {
                let sidecar = sidecar_url(&file.url);
                if let Some(bytes) = sidecar
                    .to_file_path()
                    .ok()
                    .and_then(|path| fs_err::read(path).ok())
                    && self.sidecar_hash_ok(file, &sidecar, &bytes)
                {
                    return Ok((Method::Pep658, bytes, sidecar));
                }
            }
            let bytes = self.download(file).await?;
            return Ok((
                Method::Whole,
                self.metadata_from_archive(file, filename, &bytes, dist_info)?,
                file.url.clone(),
            ));
        }
        if file.core_metadata != CoreMetadataHint::NotAvailable {
            let metadata_url = sidecar_url(&file.url);
            if let Found::Bytes(bytes) = self.pep658(file, filename, &metadata_url).await? {
                return Ok((Method::Pep658, bytes, metadata_url));
            }
        }
        if file.size.is_none_or(|size| size > TAIL_SIZE) {
            match self.range_metadata(file, filename, dist_info).await {
                Ok(Found::Bytes(bytes)) => return Ok((Method::Range, bytes, file.url.clone())),
                Ok(Found::Fallback) => {}
                Err(error @ IndexError::BadArchive { .. }) => {
                    tracing::debug!("range requests failed, downloading the whole wheel: {error}");
                }
                Err(error) => return Err(error),
            }
        }
        let bytes = self.download(file).await?;
        Ok((
            Method::Whole,
            self.metadata_from_archive(file, filename, &bytes, dist_info)?,
            file.url.clone(),
        ))
    }

    /// `<url>.metadata`: tried even when not advertised; 404 (or any client error) ⇒ fall back.
    async fn pep658(
        &self,
        file: &DistFile,
        filename: &str,
        url: &Url,
    ) -> Result<Found, IndexError> {
        // A body that fails its advertised hash is fetched again (it may have been damaged
        // in transit) before the archive is read instead.
        for _ in 0..INTEGRITY_ATTEMPTS {
            let response = self.http.get(url, &HeaderMap::new(), false).await?;
            if !response.status.is_success() {
                tracing::debug!(
                    "no PEP 658 metadata for `{filename}` (HTTP {})",
                    response.status
                );
                return Ok(Found::Fallback);
            }
            if self.sidecar_hash_ok(file, url, &response.body) {
                return Ok(Found::Bytes(response.body));
            }
        }
        Ok(Found::Fallback)
    }

    /// Checks a `.metadata` file against the sha256 the page advertised for it (if any).
    fn sidecar_hash_ok(&self, file: &DistFile, url: &Url, bytes: &[u8]) -> bool {
        let expected = match &file.core_metadata {
            CoreMetadataHint::Available(Some(hashes)) => hashes.sha256.as_deref(),
            _ => None,
        };
        let Some(expected) = expected else {
            return true;
        };
        let actual = sha256_hex(bytes);
        if actual != expected {
            tracing::warn!(
                "hash mismatch for `{}` (expected sha256 `{expected}`, got `{actual}`); reading the archive instead",
                redact(url)
            );
            return false;
        }
        true
    }

    /// One range request; `None` when the server does not honour ranges.
    async fn range(
        &self,
        url: &Url,
        spec: &str,
    ) -> Result<Option<(Vec<u8>, u64, u64)>, IndexError> {
        Ok(self.http.range_get(url, spec).await?.part)
    }

    /// The METADATA member read with range requests: the tail (end record and, usually, the
    /// central directory), then only the member's bytes.
    async fn range_metadata(
        &self,
        file: &DistFile,
        filename: &str,
        dist_info: &str,
    ) -> Result<Found, IndexError> {
        let Some(archive) = self.range_directory(file, filename).await? else {
            return Ok(Found::Fallback);
        };
        let entry = zip_archive::metadata_entry(&archive.entries, dist_info)
            .ok_or_else(|| bad_archive(file, filename, "no `*.dist-info/METADATA` member".into()))?
            .clone();
        match self.range_member(file, filename, &archive, &entry).await? {
            Some(bytes) => Ok(Found::Bytes(bytes)),
            None => Ok(Found::Fallback),
        }
    }

    /// A remote ZIP's central directory, read with range requests (the tail, then the
    /// directory if the tail did not hold it); `None` when the server does not honour ranges.
    async fn range_directory(
        &self,
        file: &DistFile,
        filename: &str,
    ) -> Result<Option<RangedZip>, IndexError> {
        let bad = |reason: String| bad_archive(file, filename, reason);
        let tail_len = file.size.map_or(TAIL_SIZE, |size| size.min(TAIL_SIZE));
        let Some((tail, tail_start, total)) =
            self.range(&file.url, &format!("-{tail_len}")).await?
        else {
            return Ok(None);
        };
        let directory = zip_archive::find_directory(&tail, tail_start).map_err(bad)?;
        // The end record is the server's word: a directory past the end of the file, or larger
        // than any real wheel's, is refused before anything is asked for or allocated.
        if directory.size > MAX_DIRECTORY
            || directory
                .offset
                .checked_add(directory.size)
                .is_none_or(|end| end > total)
        {
            return Err(bad(format!(
                "its central directory ({} bytes at offset {}) lies outside the archive or is too large",
                directory.size, directory.offset
            )));
        }
        let directory_bytes = match directory.offset.checked_sub(tail_start) {
            Some(at) => slice(&tail, at, directory.size)
                .ok_or_else(|| bad("central directory past the end".into()))?
                .to_vec(),
            None => {
                let end = directory.offset + directory.size.saturating_sub(1);
                let Some((bytes, _, _)) = self
                    .range(&file.url, &format!("{}-{end}", directory.offset))
                    .await?
                else {
                    return Ok(None);
                };
                bytes
            }
        };
        let entries = zip_archive::entries(&directory_bytes).map_err(bad)?;
        Ok(Some(RangedZip {
            entries,
            tail,
            tail_start,
            total,
        }))
    }

    /// One member of a remote ZIP, read with range requests (or out of the tail already
    /// fetched) and inflated; `None` when the server stops honouring ranges.
    async fn range_member(
        &self,
        file: &DistFile,
        filename: &str,
        archive: &RangedZip,
        entry: &zip_archive::Entry,
    ) -> Result<Option<Vec<u8>>, IndexError> {
        let bad = |reason: String| bad_archive(file, filename, reason);
        let RangedZip {
            tail,
            tail_start,
            total,
            ..
        } = archive;
        let (tail_start, total) = (*tail_start, *total);
        if entry.compressed_size > MAX_DIRECTORY
            || entry
                .local_header_offset
                .checked_add(entry.compressed_size)
                .is_none_or(|end| end > total)
        {
            return Err(bad(format!(
                "its member `{}` ({} bytes at offset {}) lies outside the archive or is too large",
                entry.name, entry.compressed_size, entry.local_header_offset
            )));
        }
        let want = zip_archive::LOCAL_HEADER_SIZE
            + entry.name.len() as u64
            + entry.compressed_size
            + LOCAL_HEADER_SLACK;
        let local = match entry.local_header_offset.checked_sub(tail_start) {
            Some(at) => tail
                .get(usize::try_from(at).unwrap_or(usize::MAX)..)
                .map(<[u8]>::to_vec),
            None => None,
        };
        let local = match local {
            Some(bytes) => bytes,
            None => {
                let end = (entry.local_header_offset + want - 1).min(total.saturating_sub(1));
                let Some((bytes, _, _)) = self
                    .range(&file.url, &format!("{}-{end}", entry.local_header_offset))
                    .await?
                else {
                    return Ok(None);
                };
                bytes
            }
        };
        let header_len = zip_archive::local_header_len(&local).map_err(bad)?;
        let data = match slice(&local, header_len, entry.compressed_size) {
            Some(data) => data.to_vec(),
            None => {
                // The local extra field was longer than the slack: fetch the exact data range.
                let start = entry.local_header_offset + header_len;
                let end = start + entry.compressed_size.saturating_sub(1);
                let Some((bytes, _, _)) = self.range(&file.url, &format!("{start}-{end}")).await?
                else {
                    return Ok(None);
                };
                bytes
            }
        };
        zip_archive::inflate(entry, &data).map(Some).map_err(bad)
    }

    /// A remote `.zip` sdist's member names and wanted members, read with range requests
    /// like a wheel's METADATA (the directory, then each wanted member); `None` when the
    /// server does not honour ranges (the caller downloads the archive).
    async fn range_sdist_members(
        &self,
        file: &DistFile,
        filename: &str,
    ) -> Result<Option<SdistMembers>, IndexError> {
        let Some(archive) = self.range_directory(file, filename).await? else {
            return Ok(None);
        };
        let (mut members, wanted) = sdist_archive::plan_zip(&archive.entries)
            .map_err(|reason| bad_archive(file, filename, reason))?;
        for (path, entry) in wanted {
            let Some(bytes) = self.range_member(file, filename, &archive, entry).await? else {
                return Ok(None);
            };
            members.files.insert(path, bytes);
        }
        Ok(Some(members))
    }

    fn metadata_from_archive(
        &self,
        file: &DistFile,
        filename: &str,
        bytes: &[u8],
        dist_info: &str,
    ) -> Result<Vec<u8>, IndexError> {
        let bad = |reason: String| IndexError::BadArchive {
            filename: filename.to_string(),
            url: SafeUrl::new(file.url.clone()),
            reason,
        };
        let entries = zip_archive::archive_entries(bytes).map_err(bad)?;
        let entry = zip_archive::metadata_entry(&entries, dist_info)
            .ok_or_else(|| bad("no `*.dist-info/METADATA` member".to_string()))?;
        zip_archive::read_member(bytes, entry).map_err(bad)
    }

    /// An sdist's metadata: an advertised `.metadata` file when it is static (PEP 643), else
    /// the archive read statically (`npsolve_metadata::sdist_static`). Returns the bytes to
    /// cache (PKG-INFO text), where they came from, and the outcome.
    async fn sdist_metadata(
        &self,
        file: &DistFile,
        filename: &str,
    ) -> Result<(Vec<u8>, Url, SdistOutcome), IndexError> {
        if matches!(file.core_metadata, CoreMetadataHint::Available(_)) {
            let sidecar = sidecar_url(&file.url);
            let bytes = if file.url.scheme() == "file" {
                sidecar
                    .to_file_path()
                    .ok()
                    .and_then(|path| fs_err::read(path).ok())
                    .filter(|bytes| self.sidecar_hash_ok(file, &sidecar, bytes))
            } else {
                match self.pep658(file, filename, &sidecar).await? {
                    Found::Bytes(bytes) => Some(bytes),
                    Found::Fallback => None,
                }
            };
            if let Some(bytes) = bytes
                && parse_core_metadata(&bytes).is_ok_and(|metadata| metadata.is_static_for_sdist())
            {
                let outcome = SdistOutcome {
                    ladder: LADDER,
                    source: Some(StaticSource::PkgInfo.label().to_string()),
                    builds_extensions: None,
                    needs_build: None,
                    build_requires: Vec::new(),
                };
                return Ok((bytes, sidecar, outcome));
            }
        }
        let DistFilename::Sdist(sdist) = &file.filename else {
            unreachable!("only sdists are read here")
        };
        let ranged = if filename.to_ascii_lowercase().ends_with(".zip")
            && file.url.scheme() != "file"
            && !self.options.cache.offline
        {
            self.range_sdist_members(file, filename).await?
        } else {
            None
        };
        let members = match ranged {
            Some(members) => members,
            None => {
                let archive = self.download(file).await?;
                sdist_archive::read_members(filename, &archive)
                    .map_err(|reason| bad_archive(file, filename, reason))?
            }
        };
        let pkg_info = members.files.get("PKG-INFO").cloned().unwrap_or_default();
        let outcome = match static_metadata(&sdist.name, &sdist.version, &members) {
            Ok(found) => {
                let text = to_pkg_info(&found);
                let outcome = SdistOutcome {
                    ladder: LADDER,
                    source: found.static_source.map(|source| source.label().to_string()),
                    builds_extensions: found.builds_extensions,
                    needs_build: None,
                    build_requires: found
                        .build_requires
                        .iter()
                        .map(ToString::to_string)
                        .collect(),
                };
                return Ok((text.into_bytes(), file.url.clone(), outcome));
            }
            Err(none) => SdistOutcome {
                ladder: LADDER,
                source: None,
                builds_extensions: Some(builds_extensions(&members)),
                needs_build: Some(format!(
                    "{none}; only a build (running its code) would tell its dependencies"
                )),
                build_requires: Vec::new(),
            },
        };
        Ok((pkg_info, file.url.clone(), outcome))
    }

    /// The whole file, verified against the advertised sha256.
    pub(crate) async fn download(&self, file: &DistFile) -> Result<Vec<u8>, IndexError> {
        let bytes = if file.url.scheme() == "file" {
            let path = file
                .url
                .to_file_path()
                .map_err(|()| IndexError::InvalidUrl {
                    url: redact(&file.url),
                    reason: "not a local path".to_string(),
                })?;
            match fs_err::read(&path) {
                Ok(bytes) => bytes,
                Err(error) if error.kind() == std::io::ErrorKind::NotFound => {
                    return Err(IndexError::NotFound {
                        url: SafeUrl::new(file.url.clone()),
                    });
                }
                Err(source) => return Err(IndexError::Io { path, source }),
            }
        } else {
            if self.options.cache.offline {
                return Err(IndexError::Offline {
                    what: redact(&file.url),
                });
            }
            let response = self.http.get(&file.url, &HeaderMap::new(), false).await?;
            if !response.status.is_success() {
                return Err(IndexError::Status {
                    url: SafeUrl::new(file.url.clone()),
                    status: response.status.as_u16(),
                    attempts: 1,
                });
            }
            response.body
        };
        if let Some(expected) = &file.hashes.sha256 {
            let actual = sha256_hex(&bytes);
            if &actual != expected {
                return Err(IndexError::HashMismatch {
                    url: SafeUrl::new(file.url.clone()),
                    expected: expected.clone(),
                    actual,
                });
            }
        }
        Ok(bytes)
    }
}

/// `<url>.metadata` (PEP 658), keeping any query.
/// The largest central directory or METADATA member read by range requests (a wheel with
/// 100,000 files has a directory of about 10 MiB).
const MAX_DIRECTORY: u64 = 64 * 1024 * 1024;

/// How many times metadata that fails an integrity check is fetched before the file is
/// called broken.
const INTEGRITY_ATTEMPTS: u32 = 3;

/// Errors that bytes damaged in transit can cause.
fn is_integrity_error(error: &IndexError) -> bool {
    matches!(
        error,
        IndexError::HashMismatch { .. }
            | IndexError::BadArchive { .. }
            | IndexError::MalformedMetadata { .. }
    )
}

/// A remote ZIP's central directory and the tail fetched to find it.
struct RangedZip {
    entries: Vec<zip_archive::Entry>,
    /// The archive's last bytes, from `tail_start`.
    tail: Vec<u8>,
    tail_start: u64,
    /// The archive's size.
    total: u64,
}

fn bad_archive(file: &DistFile, filename: &str, reason: String) -> IndexError {
    IndexError::BadArchive {
        filename: filename.to_string(),
        url: SafeUrl::new(file.url.clone()),
        reason,
    }
}

fn sidecar_url(url: &Url) -> Url {
    let mut sidecar = url.clone();
    sidecar.set_path(&format!("{}.metadata", url.path()));
    sidecar
}

fn slice(bytes: &[u8], start: u64, len: u64) -> Option<&[u8]> {
    let start = usize::try_from(start).ok()?;
    let end = start.checked_add(usize::try_from(len).ok()?)?;
    bytes.get(start..end)
}
