//! Scanned NumPy verdicts on disk, keyed by the wheel's sha256: a file's binaries never
//! change, so an entry never expires. Every outcome is kept, so a warm run never downloads a
//! wheel again: a verdict, an undecided scan (with the byte budget it was tried with, so only
//! a larger budget tries again) and "not a valid archive". Entries go through the cache's own
//! atomic, self-checking writer (`cache.rs`) under `<sha256>.numpy-verdict-v2`; the body is one
//! row of the verdict table format (`npsolve_abi::ScannedWheel::to_row`). The suffix carries
//! the scanner generation: a scanner that reads more bumps it, and older entries are never
//! read again.

use npsolve_abi::ScannedWheel;
use serde::{Deserialize, Serialize};

use crate::cache::Cache;
use crate::stats::Counters;

/// The entry name suffix; bump when the scanner's verdicts would change. v2: scans read on
/// past binding signatures until the floor is known, and every outcome is kept.
const GENERATION: &str = "numpy-verdict-v2";

/// What the entry header carries besides the body.
#[derive(Debug, Serialize, Deserialize)]
struct VerdictEntry {
    /// The scanner generation that wrote it.
    generation: String,
    /// The byte budget the scan had.
    budget: u64,
    /// Whether every module the verdict needed was read (the budget did not run out).
    complete: bool,
    /// Why the file is not a readable wheel, when it is not.
    bad_archive: Option<String>,
}

/// A cached scan outcome.
#[derive(Debug, Clone)]
pub(crate) enum CachedScan {
    /// A verdict (possibly undecided), and whether it is final for the file.
    Verdict {
        /// The row.
        wheel: ScannedWheel,
        /// Whether every module it needed was read.
        complete: bool,
    },
    /// The file is not a valid wheel archive, for this reason.
    BadArchive(String),
}

impl Cache {
    /// The cached outcome for the file with this sha256 that answers a scan with `budget`
    /// bytes: a complete one, or one tried with at least that budget (a mismatching entry is
    /// deleted).
    pub(crate) fn cached_verdict(
        &self,
        sha256: &str,
        budget: u64,
        counters: &Counters,
    ) -> Option<CachedScan> {
        let path = self.verdict_path(sha256)?;
        let (entry, body) = self.read::<VerdictEntry>(&path, counters)?;
        let row = std::str::from_utf8(&body)
            .ok()
            .and_then(|text| ScannedWheel::from_row(text).ok())
            .filter(|row| entry.generation == GENERATION && row.sha256 == sha256);
        let Some(row) = row else {
            tracing::warn!("discarding the cached verdict `{}`", path.display());
            self.remove(&path);
            return None;
        };
        if !entry.complete && entry.budget < budget {
            return None;
        }
        Some(match entry.bad_archive {
            Some(reason) => CachedScan::BadArchive(reason),
            None => CachedScan::Verdict {
                wheel: row,
                complete: entry.complete,
            },
        })
    }

    /// Stores a scan outcome by its sha256 (nothing without one, or without a cache dir).
    pub(crate) fn store_verdict(
        &self,
        wheel: &ScannedWheel,
        budget: u64,
        complete: bool,
        bad_archive: Option<&str>,
    ) {
        let Some(path) = self.verdict_path(&wheel.sha256) else {
            return;
        };
        let entry = VerdictEntry {
            generation: GENERATION.to_string(),
            budget,
            complete,
            bad_archive: bad_archive.map(str::to_string),
        };
        if let Err(error) = self.write(&path, &entry, wheel.to_row().as_bytes()) {
            tracing::warn!("cannot write the cache: {error}");
        }
    }

    /// The entry path, when the sha256 is a real one and there is a cache dir.
    fn verdict_path(&self, sha256: &str) -> Option<std::path::PathBuf> {
        if sha256.len() != 64 || !sha256.bytes().all(|byte| byte.is_ascii_hexdigit()) {
            return None;
        }
        self.metadata_path(&format!("{}.{GENERATION}", sha256.to_ascii_lowercase()))
    }
}
