//! How the client is configured: indexes, cache, limits.

use std::path::PathBuf;
use std::time::Duration;

use pep508_rs::PackageName;

use crate::locations::{FindLinks, IndexUrl};

/// Everything [`crate::IndexClient::new`] needs. Environment variables are the CLI's business.
#[derive(Debug, Clone)]
pub struct ClientOptions {
    /// The primary index; `None` means PyPI.
    pub index_url: Option<IndexUrl>,
    /// Further indexes, tried in order after the primary one (first index that has a project wins).
    pub extra_index_urls: Vec<IndexUrl>,
    /// Local folders or HTML pages whose files are added to every project page.
    pub find_links: Vec<FindLinks>,
    /// Ignore all indexes; only find-links are read.
    pub no_index: bool,
    /// Disk cache settings.
    pub cache: CacheOptions,
    /// Drop files uploaded after this instant, and files without an upload time (as uv does).
    pub exclude_newer: Option<jiff::Timestamp>,
    /// Most requests in flight at once.
    pub max_concurrency: usize,
    /// Connect timeout and longest silence while reading a response.
    pub timeout: Duration,
    /// Further attempts after a transient failure (connect error, timeout, 5xx, truncated body).
    pub retries: u32,
    /// Hosts that may be reached over plain HTTP (`--allow-insecure-host`). Loopback hosts
    /// always may; every other plain-HTTP request (or redirect) is refused.
    pub allow_insecure_hosts: Vec<String>,
    /// A `.netrc` file whose logins are sent, by host, over HTTPS to hosts whose URLs carry
    /// none (`None`: no file is read; the CLI passes `NETRC` or `~/.netrc`).
    pub netrc: Option<std::path::PathBuf>,
}

impl Default for ClientOptions {
    fn default() -> Self {
        ClientOptions {
            index_url: None,
            extra_index_urls: Vec::new(),
            find_links: Vec::new(),
            no_index: false,
            cache: CacheOptions::default(),
            exclude_newer: None,
            max_concurrency: 50,
            timeout: Duration::from_secs(30),
            retries: 3,
            allow_insecure_hosts: Vec::new(),
            netrc: None,
        }
    }
}

/// Disk cache settings.
#[derive(Debug, Clone, Default)]
pub struct CacheOptions {
    /// Cache directory; `None` means the platform cache dir (`~/.cache/npsolve` on Linux).
    pub dir: Option<PathBuf>,
    /// Keep nothing on disk (memory only, for this process).
    pub no_cache: bool,
    /// Never touch the network: answer from the cache or fail naming what is missing.
    pub offline: bool,
    /// Which cached project pages to revalidate even when still fresh.
    pub refresh: Refresh,
}

/// Which cached project pages must be revalidated with the index before use.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum Refresh {
    /// Trust fresh pages (within `Cache-Control: max-age`).
    #[default]
    None,
    /// Revalidate every page.
    All,
    /// Revalidate the pages of these projects.
    Packages(Vec<PackageName>),
}

impl Refresh {
    /// True when the page of `name` must be revalidated.
    pub fn covers(&self, name: &PackageName) -> bool {
        match self {
            Refresh::None => false,
            Refresh::All => true,
            Refresh::Packages(names) => names.contains(name),
        }
    }
}

/// An `--exclude-newer` value: an RFC 3339 timestamp, or a date (midnight UTC), as uv takes it.
pub fn parse_exclude_newer(text: &str) -> Result<jiff::Timestamp, String> {
    if let Ok(timestamp) = text.parse::<jiff::Timestamp>() {
        return Ok(timestamp);
    }
    let date: jiff::civil::Date = text.parse().map_err(|_| {
        "expected a date (2024-06-01) or an RFC 3339 timestamp (2024-06-01T00:00:00Z)".to_string()
    })?;
    date.to_zoned_datetime(jiff::tz::TimeZone::UTC)
        .map(|zoned| zoned.timestamp())
        .map_err(|error| error.to_string())
}
