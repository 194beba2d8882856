//! Scanned NumPy verdicts on disk, keyed by the wheel's sha256: a file's binaries never
//! change, so an entry never expires. Entries go through the cache's own atomic, self-checking
//! writer (`cache.rs`) under `<sha256>.numpy-verdict-v1`; the body is one row of the verdict
//! table format (`npsolve_abi::ScannedWheel::to_row`). The suffix carries the scanner
//! generation: a scanner that reads more bumps it, and older entries are never read again.

use npsolve_abi::ScannedWheel;
use serde::{Deserialize, Serialize};

use crate::client::Inner;

/// The entry name suffix; bump when the scanner's verdicts would change.
const GENERATION: &str = "numpy-verdict-v1";

/// What the entry header carries besides the body.
#[derive(Debug, Serialize, Deserialize)]
struct VerdictEntry {
    /// The scanner generation that wrote it.
    generation: String,
}

impl Inner {
    /// The cached verdict of the file with this sha256, if any (a mismatching entry is deleted).
    pub(crate) fn cached_verdict(&self, sha256: &str) -> Option<ScannedWheel> {
        let path = self.verdict_path(sha256)?;
        let (entry, body) = self.cache.read::<VerdictEntry>(&path, &self.counters)?;
        let row = std::str::from_utf8(&body)
            .ok()
            .and_then(|text| ScannedWheel::from_row(text).ok())
            .filter(|row| entry.generation == GENERATION && row.sha256 == sha256);
        if row.is_none() {
            tracing::warn!("discarding the cached verdict `{}`", path.display());
            self.cache.remove(&path);
        }
        row
    }

    /// Stores a verdict by its sha256 (nothing without one, or without a cache dir).
    pub(crate) fn store_verdict(&self, wheel: &ScannedWheel) {
        let Some(path) = self.verdict_path(&wheel.sha256) else {
            return;
        };
        let entry = VerdictEntry {
            generation: GENERATION.to_string(),
        };
        if let Err(error) = self.cache.write(&path, &entry, wheel.to_row().as_bytes()) {
            tracing::warn!("cannot write the cache: {error}");
        }
    }

    /// The entry path, when the sha256 is a real one and there is a cache dir.
    fn verdict_path(&self, sha256: &str) -> Option<std::path::PathBuf> {
        if sha256.len() != 64 || !sha256.bytes().all(|byte| byte.is_ascii_hexdigit()) {
            return None;
        }
        self.cache
            .metadata_path(&format!("{}.{GENERATION}", sha256.to_ascii_lowercase()))
    }
}
