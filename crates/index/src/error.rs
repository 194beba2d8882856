//! Errors of the index client, each naming the URL, file or cache entry at fault.

use std::path::PathBuf;

use crate::safe_url::SafeUrl;
use npsolve_metadata::MetadataError;

/// Everything that can go wrong while talking to an index, a find-links source or the cache.
#[derive(Debug, thiserror::Error)]
pub enum IndexError {
    /// An index URL, find-links location or file URL is not usable.
    #[error("invalid URL `{url}`: {reason}")]
    InvalidUrl {
        /// The URL (or path) as given, masked (see [`crate::mask_text`]).
        url: String,
        /// What is wrong with it.
        reason: String,
    },
    /// The HTTP client could not be built (TLS roots, proxy settings).
    #[error("cannot set up the HTTP client")]
    ClientSetup(#[source] reqwest::Error),
    /// A request failed at the transport level (connect, timeout, broken body) on every attempt.
    #[error("request to `{url}` failed after {attempts} attempt(s)")]
    Transport {
        /// The URL requested.
        url: SafeUrl,
        /// How many attempts were made.
        attempts: u32,
        /// The last transport error.
        #[source]
        source: reqwest::Error,
    },
    /// The server answered with an unexpected status.
    #[error("`{url}` answered HTTP {status} after {attempts} attempt(s)")]
    Status {
        /// The URL requested.
        url: SafeUrl,
        /// The final status code.
        status: u16,
        /// How many attempts were made.
        attempts: u32,
    },
    /// The body ended before its announced length on every attempt.
    #[error("`{url}` sent {received} of {expected} bytes after {attempts} attempt(s)")]
    Truncated {
        /// The URL requested.
        url: SafeUrl,
        /// Bytes announced by `Content-Length`.
        expected: u64,
        /// Bytes received.
        received: u64,
        /// How many attempts were made.
        attempts: u32,
    },
    /// A plain-HTTP URL whose host was not allowed with `--allow-insecure-host`.
    #[error(
        "refusing plain HTTP to `{url}`: packages and credentials would travel unencrypted; pass `--allow-insecure-host {host}` if this mirror cannot serve HTTPS"
    )]
    Insecure {
        /// The URL.
        url: SafeUrl,
        /// Its host.
        host: String,
    },
    /// A response larger than npsolve accepts (after decompression): a runaway server or a
    /// compression bomb.
    #[error("`{url}` sent more than {limit} bytes, the most npsolve accepts in one response")]
    TooLarge {
        /// The URL requested.
        url: SafeUrl,
        /// The bound, in bytes.
        limit: u64,
    },
    /// A downloaded file does not match the hash the index advertised.
    #[error("hash mismatch for `{url}`: expected sha256 `{expected}`, got `{actual}`")]
    HashMismatch {
        /// The URL downloaded.
        url: SafeUrl,
        /// The advertised sha256.
        expected: String,
        /// The sha256 of what arrived.
        actual: String,
    },
    /// A project page (JSON or HTML) could not be parsed.
    #[error("malformed project page `{url}`: {reason}")]
    MalformedPage {
        /// The page URL.
        url: SafeUrl,
        /// What is wrong with it.
        reason: String,
    },
    /// The core metadata of a file is malformed; skip the file.
    #[error("malformed core metadata for `{filename}` (from `{url}`)")]
    MalformedMetadata {
        /// The distribution file name.
        filename: String,
        /// Where the metadata came from.
        url: SafeUrl,
        /// What is wrong with it.
        #[source]
        source: MetadataError,
    },
    /// A wheel or sdist archive could not be read; skip the file.
    #[error("cannot read archive `{filename}` (from `{url}`): {reason}")]
    BadArchive {
        /// The distribution file name.
        filename: String,
        /// Where it came from.
        url: SafeUrl,
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
    #[error("`{url}` does not exist")]
    NotFound {
        /// The missing file.
        url: SafeUrl,
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
