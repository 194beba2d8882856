//! Errors of the index client, each naming the URL, file or cache entry at fault.

use std::path::PathBuf;

use npsolve_metadata::MetadataError;
use url::Url;

/// Everything that can go wrong while talking to an index, a find-links source or the cache.
#[derive(Debug, thiserror::Error)]
pub enum IndexError {
    /// An index URL, find-links location or file URL is not usable.
    #[error("invalid URL `{url}`: {reason}")]
    InvalidUrl {
        /// The URL (or path) as given.
        url: String,
        /// What is wrong with it.
        reason: String,
    },
    /// The HTTP client could not be built (TLS roots, proxy settings).
    #[error("cannot set up the HTTP client")]
    ClientSetup(#[source] reqwest::Error),
    /// A request failed at the transport level (connect, timeout, broken body) on every attempt.
    #[error(
        "request to `{}` failed after {attempts} attempt(s)",
        crate::locations::redact(url)
    )]
    Transport {
        /// The URL requested.
        url: Box<Url>,
        /// How many attempts were made.
        attempts: u32,
        /// The last transport error.
        #[source]
        source: reqwest::Error,
    },
    /// The server answered with an unexpected status.
    #[error(
        "`{}` answered HTTP {status} after {attempts} attempt(s)",
        crate::locations::redact(url)
    )]
    Status {
        /// The URL requested.
        url: Box<Url>,
        /// The final status code.
        status: u16,
        /// How many attempts were made.
        attempts: u32,
    },
    /// The body ended before its announced length on every attempt.
    #[error(
        "`{}` sent {received} of {expected} bytes after {attempts} attempt(s)",
        crate::locations::redact(url)
    )]
    Truncated {
        /// The URL requested.
        url: Box<Url>,
        /// Bytes announced by `Content-Length`.
        expected: u64,
        /// Bytes received.
        received: u64,
        /// How many attempts were made.
        attempts: u32,
    },
    /// A plain-HTTP URL whose host was not allowed with `--allow-insecure-host`.
    #[error(
        "refusing plain HTTP to `{}`: packages and credentials would travel unencrypted; pass `--allow-insecure-host {host}` if this mirror cannot serve HTTPS",
        crate::locations::redact(url)
    )]
    Insecure {
        /// The URL.
        url: Box<Url>,
        /// Its host.
        host: String,
    },
    /// A response larger than npsolve accepts (after decompression): a runaway server or a
    /// compression bomb.
    #[error(
        "`{}` sent more than {limit} bytes, the most npsolve accepts in one response",
        crate::locations::redact(url)
    )]
    TooLarge {
        /// The URL requested.
        url: Box<Url>,
        /// The bound, in bytes.
        limit: u64,
    },
    /// A downloaded file does not match the hash the index advertised.
    #[error(
        "hash mismatch for `{}`: expected sha256 `{expected}`, got `{actual}`",
        crate::locations::redact(url)
    )]
    HashMismatch {
        /// The URL downloaded.
        url: Box<Url>,
        /// The advertised sha256.
        expected: String,
        /// The sha256 of what arrived.
        actual: String,
    },
    /// A project page (JSON or HTML) could not be parsed.
    #[error("malformed project page `{}`: {reason}", crate::locations::redact(url))]
    MalformedPage {
        /// The page URL.
        url: Box<Url>,
        /// What is wrong with it.
        reason: String,
    },
    /// The core metadata of a file is malformed; skip the file.
    #[error(
        "malformed core metadata for `{filename}` (from `{}`)",
        crate::locations::redact(url)
    )]
    MalformedMetadata {
        /// The distribution file name.
        filename: String,
        /// Where the metadata came from.
        url: Box<Url>,
        /// What is wrong with it.
        #[source]
        source: MetadataError,
    },
    /// A wheel or sdist archive could not be read; skip the file.
    #[error(
        "cannot read archive `{filename}` (from `{}`): {reason}",
        crate::locations::redact(url)
    )]
    BadArchive {
        /// The distribution file name.
        filename: String,
        /// Where it came from.
        url: Box<Url>,
        /// What is wrong with it.
        reason: String,
    },
    /// A source distribution whose dependencies are only known after building it.
    #[error("`{filename}` needs a build to know its dependencies: {reason}")]
    NeedsBuild {
        /// The sdist file name.
        filename: String,
        /// Why its PKG-INFO cannot be trusted.
        reason: String,
    },
    /// Offline mode and the cache does not have what is needed.
    #[error("offline: `{what}` is not in the cache")]
    Offline {
        /// The page or file that would have been fetched.
        what: String,
    },
    /// A local file (a `file://` index, a find-links folder, a snapshot output) could not be read or written.
    #[error("cannot access `{path}`")]
    Io {
        /// The path at fault.
        path: PathBuf,
        /// The operating system's complaint.
        #[source]
        source: std::io::Error,
    },
    /// A cache entry was found damaged after it was opened (a release's files fail their
    /// check); the entry has been deleted, so the page is fetched again.
    #[error("cache entry `{}` is damaged ({reason}); it was deleted", path.display())]
    CacheDamaged {
        /// The entry.
        path: PathBuf,
        /// What failed.
        reason: String,
    },
    /// A local file that should exist does not.
    #[error("`{}` does not exist", crate::locations::redact(url))]
    NotFound {
        /// The missing file.
        url: Box<Url>,
    },
}

impl IndexError {
    /// True when the error concerns one distribution file only (bad metadata, bad archive,
    /// wrong hash, needs a build, missing file): the caller skips that file and goes on.
    pub fn is_file_specific(&self) -> bool {
        matches!(
            self,
            IndexError::MalformedMetadata { .. }
                | IndexError::BadArchive { .. }
                | IndexError::HashMismatch { .. }
                | IndexError::NeedsBuild { .. }
                | IndexError::NotFound { .. }
        ) || matches!(
            self,
            IndexError::Status {
                status: 404 | 410,
                ..
            }
        )
    }
}
