//! Counters of what the client did, for reports and tests.

use std::sync::atomic::{AtomicU64, Ordering};

/// A snapshot of the client's counters.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ClientStats {
    /// HTTP requests sent (retries included; `file://` reads excluded).
    pub requests: u64,
    /// Body bytes received over HTTP.
    pub bytes_downloaded: u64,
    /// Retried attempts after a transient failure.
    pub retries: u64,
    /// Answers served from the disk cache without a request.
    pub cache_hits: u64,
    /// Cache lookups that found nothing usable.
    pub cache_misses: u64,
    /// Cached pages revalidated with a `304 Not Modified`.
    pub revalidated: u64,
    /// Cache entries found corrupt and deleted.
    pub corrupt_entries: u64,
    /// Metadata read from a PEP 658 `.metadata` file.
    pub metadata_pep658: u64,
    /// Metadata read with HTTP range requests into the wheel.
    pub metadata_range: u64,
    /// Metadata read from a whole downloaded wheel.
    pub metadata_whole: u64,
    /// Metadata read from an sdist's PKG-INFO.
    pub metadata_sdist: u64,
}

/// The live counters.
#[derive(Debug, Default)]
pub(crate) struct Counters {
    pub requests: AtomicU64,
    pub bytes_downloaded: AtomicU64,
    pub retries: AtomicU64,
    pub cache_hits: AtomicU64,
    pub cache_misses: AtomicU64,
    pub revalidated: AtomicU64,
    pub corrupt_entries: AtomicU64,
    pub metadata_pep658: AtomicU64,
    pub metadata_range: AtomicU64,
    pub metadata_whole: AtomicU64,
    pub metadata_sdist: AtomicU64,
}

/// Adds one to a counter.
pub(crate) fn bump(counter: &AtomicU64) {
    counter.fetch_add(1, Ordering::Relaxed);
}

impl Counters {
    pub fn snapshot(&self) -> ClientStats {
        let get = |counter: &AtomicU64| counter.load(Ordering::Relaxed);
        ClientStats {
            requests: get(&self.requests),
            bytes_downloaded: get(&self.bytes_downloaded),
            retries: get(&self.retries),
            cache_hits: get(&self.cache_hits),
            cache_misses: get(&self.cache_misses),
            revalidated: get(&self.revalidated),
            corrupt_entries: get(&self.corrupt_entries),
            metadata_pep658: get(&self.metadata_pep658),
            metadata_range: get(&self.metadata_range),
            metadata_whole: get(&self.metadata_whole),
            metadata_sdist: get(&self.metadata_sdist),
        }
    }
}
