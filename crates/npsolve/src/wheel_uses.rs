//! The removed Python names a wheel's code uses: its `.py` members read by range requests
//! (`npsolve_index`), those that mention a library scanned with a Python parser
//! (`npsolve_api_breaks`), the uses cached by the wheel's sha256 and the facts' fingerprint.
//! Reads are started on the runtime's workers, shared per file, and awaited only when the
//! resolver needs the answer.

use std::sync::Arc;

use futures::FutureExt;
use npsolve_api_breaks::{Prefilter, Removal, Removals, scan_source};
use npsolve_index::{DistFile, IndexClient, SourceOptions, sha256_hex};
use npsolve_resolver::DistKey;
use pep508_rs::PackageName;
use tokio::runtime::Handle;

use crate::file_tasks::{FileTask, FileTasks};

/// The scanner generation: bump when the scanner would find other uses in the same bytes (the
/// cache key and the bundled table's fingerprint carry it). v2: a comment in an `except`
/// handler no longer hides what it catches. v3: `if TYPE_CHECKING:` guards. v4: local and postponed annotations are not uses.
const GENERATION: &str = "api-uses-v4";

/// One use of a removed name in a wheel's code.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WheelUse {
    /// The member, e.g. `gensim/matutils.py`.
    pub file: String,
    /// 1-based line.
    pub line: usize,
    /// The use as written, e.g. `np.float_` or `triu`.
    pub text: String,
    /// The removal it uses.
    pub removal: &'static Removal,
    /// Whether it runs when the module is imported.
    pub import_time: bool,
    /// Whether a `try`, `hasattr` or version check keeps its failure in.
    pub guarded: bool,
}

/// What a wheel's code uses.
#[derive(Debug, Clone, Default)]
pub struct WheelUses {
    /// Every use, by file and line.
    pub uses: Vec<WheelUse>,
    /// Whether every `.py` member was read (else the byte budget ran out first).
    pub complete: bool,
}

impl WheelUses {
    /// The cache body: one use per line, tab-separated.
    pub(crate) fn to_text(&self) -> String {
        let mut text = format!("complete\t{}\n", self.complete);
        for found in &self.uses {
            text.push_str(&format!(
                "{}\t{}\t{}\t{}\t{}\t{}\t{}\n",
                found.file,
                found.line,
                found.removal.module,
                found.removal.name,
                found.import_time,
                found.guarded,
                found.text
            ));
        }
        text
    }

    /// Reads a cache body back; `None` when it names a removal the facts no longer hold.
    pub(crate) fn from_text(text: &str, removals: &'static Removals) -> Option<WheelUses> {
        let mut lines = text.lines();
        let complete = lines.next()?.strip_prefix("complete\t")?.parse().ok()?;
        let mut uses = Vec::new();
        for line in lines {
            let fields: Vec<&str> = line.splitn(7, '\t').collect();
            let [file, number, module, name, import_time, guarded, text] = fields[..] else {
                return None;
            };
            uses.push(WheelUse {
                file: file.to_string(),
                line: number.parse().ok()?,
                text: text.to_string(),
                removal: removals.lookup(module, name)?,
                import_time: import_time.parse().ok()?,
                guarded: guarded.parse().ok()?,
            });
        }
        Some(WheelUses { uses, complete })
    }
}

/// Whether a wheel member is code the package runs: a `.py` file outside tests and
/// metadata.
pub fn is_runtime_source(path: &str) -> bool {
    if !path.ends_with(".py") || path.contains(".dist-info/") || path.contains(".data/") {
        return false;
    }
    let mut parts = path.split('/');
    let file = parts.next_back().unwrap_or(path);
    let in_tests = parts.any(|part| matches!(part, "tests" | "test" | "testing" | "benchmarks"));
    !in_tests && !file.starts_with("test_") && file != "conftest.py"
}

/// The uses in the already-read `members` (path, bytes) of one wheel.
pub fn scan_members<'m>(
    members: impl IntoIterator<Item = (&'m str, &'m [u8])>,
    removals: &'static Removals,
) -> Vec<WheelUse> {
    static PREFILTER: std::sync::OnceLock<Prefilter> = std::sync::OnceLock::new();
    let prefilter = PREFILTER.get_or_init(|| Prefilter::new(removals));
    let mut uses = Vec::new();
    for (path, bytes) in members {
        if !prefilter.might_use(bytes) {
            continue;
        }
        match scan_source(bytes, removals) {
            Ok(found) => uses.extend(found.into_iter().map(|found| WheelUse {
                file: path.to_string(),
                line: found.line,
                text: found.text,
                removal: found.removal,
                import_time: found.import_time,
                guarded: found.guarded,
            })),
            Err(error) => tracing::debug!("cannot scan `{path}`: {error}"),
        }
    }
    uses
}

/// The fingerprint of the facts and the scanner generation a reading was made with (the
/// cache key and the bundled table carry it).
pub fn facts_fingerprint(removals: &Removals) -> String {
    let text: String = std::iter::once(format!("{GENERATION}\n"))
        .chain(removals.all().iter().map(|removal| {
            format!(
                "{}|{}|{:?}\n",
                removal.path(),
                removal.removed_in,
                removal.until
            )
        }))
        .collect();
    sha256_hex(text.as_bytes())[..12].to_string()
}

/// The uses in the wheel `file`: from the bundled table or the disk cache (`cache_key`) when
/// they hold it, else read now by range requests and scanned (and then cached).
///
/// The uses are also cached by the content of the sources read (see
/// [`npsolve_index::WheelSources::content`]): a wheel whose Python sources are those of a
/// wheel read before (another platform's wheel of the same release, in a universal lock)
/// costs its central directory only.
pub async fn read_uses(
    client: &IndexClient,
    file: &DistFile,
    removals: &'static Removals,
    options: &SourceOptions,
    cache_key: Option<&str>,
) -> Result<WheelUses, npsolve_index::IndexError> {
    let started = std::time::Instant::now();
    if let Some(sha256) = file.hashes.sha256.as_deref()
        && let Some(uses) = crate::uses_table::UsesTable::bundled().by_sha256(sha256)
    {
        return Ok(uses);
    }
    if let Some(key) = cache_key
        && let Some(body) = client.stored_reading(key)
        && let Some(uses) = std::str::from_utf8(&body)
            .ok()
            .and_then(|text| WheelUses::from_text(text, removals))
    {
        return Ok(uses);
    }
    // The facts' fingerprint is the part of `cache_key` after the wheel's sha256.
    let fingerprint = cache_key
        .and_then(|key| key.split_once('.'))
        .map(|(_, rest)| rest);
    let content_key = |content: &str| fingerprint.map(|rest| format!("{content}.{rest}"));
    let stored = |content: &str| {
        content_key(content)
            .and_then(|key| client.stored_reading(&key))
            .and_then(|body| {
                std::str::from_utf8(&body)
                    .ok()
                    .and_then(|text| WheelUses::from_text(text, removals))
            })
    };
    // The stored uses `known` found, so that the cache is read once.
    let found = std::sync::Mutex::new(None);
    let known = |content: &str| match stored(content) {
        Some(uses) => {
            *found.lock().expect("found uses") = Some(uses);
            true
        }
        None => false,
    };
    let sources = client
        .wheel_sources(file, &is_runtime_source, &known, options)
        .await?;
    // `known` said yes only after it found the uses.
    if sources.known
        && let Some(uses) = found.lock().expect("found uses").take()
    {
        tracing::debug!(
            "the Python sources of `{}` are those of a wheel read before ({} requests)",
            file.filename,
            sources.requests
        );
        if let Some(key) = cache_key {
            client.store_reading(key, uses.to_text().as_bytes());
        }
        return Ok(uses);
    }
    let content = sources.content.clone();
    let complete = sources.complete;
    let cost = format!(
        "{} of {} files, {} KiB in {} requests",
        sources.members.len(),
        sources.chosen,
        sources.bytes_fetched / 1024,
        sources.requests,
    );
    // Parsing is CPU work: off the workers that drive the network.
    let uses = tokio::task::spawn_blocking(move || {
        scan_members(
            sources
                .members
                .iter()
                .map(|member| (member.name.as_str(), member.bytes.as_slice())),
            removals,
        )
    })
    .await
    .unwrap_or_default();
    tracing::info!(
        "read the Python sources of `{}` ({cost}, {:.2} s): {} of removed names{}",
        file.filename,
        started.elapsed().as_secs_f64(),
        match uses.len() {
            1 => "1 use".to_string(),
            count => format!("{count} uses"),
        },
        if complete {
            ""
        } else {
            " (over the byte budget: not every file was read)"
        }
    );
    let uses = WheelUses { uses, complete };
    if let Some(key) = cache_key {
        client.store_reading(key, uses.to_text().as_bytes());
    }
    if complete && let Some(key) = content.as_deref().and_then(content_key) {
        client.store_reading(&key, uses.to_text().as_bytes());
    }
    Ok(uses)
}

/// The disk cache key of the uses in the file with `sha256`, read with the facts whose
/// fingerprint is `fingerprint`.
pub fn cache_key(sha256: Option<&str>, fingerprint: &str) -> Option<String> {
    sha256
        .filter(|sha256| sha256.len() == 64)
        .map(|sha256| format!("{sha256}.api-uses-{fingerprint}"))
}

/// Reads wheels' Python sources through the index client, once per file.
pub struct UsesScanner {
    client: IndexClient,
    removals: &'static Removals,
    fingerprint: String,
    options: SourceOptions,
    readings: FileTasks<WheelUses>,
}

impl UsesScanner {
    /// A scanner using `client`'s connections and disk cache, driven by `runtime`.
    pub fn new(client: IndexClient, runtime: Handle) -> UsesScanner {
        let removals = Removals::bundled();
        UsesScanner {
            client,
            removals,
            fingerprint: facts_fingerprint(removals),
            options: SourceOptions::default(),
            readings: FileTasks::new(runtime),
        }
    }

    /// Starts reading `file` (the source's `key`) in the background if nobody has yet.
    pub fn start(&self, name: &PackageName, key: DistKey, file: &DistFile) {
        drop(self.task(name, key, file));
    }

    /// The uses in `file`, reading it now if needed; `None` when it cannot be read.
    pub fn uses(
        &self,
        name: &PackageName,
        key: DistKey,
        file: &DistFile,
    ) -> Option<Arc<WheelUses>> {
        self.readings.wait(self.task(name, key, file))
    }

    fn task(&self, name: &PackageName, key: DistKey, file: &DistFile) -> FileTask<WheelUses> {
        self.readings.task(name, key, || {
            let file = file.clone();
            let client = self.client.clone();
            let removals = self.removals;
            let options = self.options;
            let cache_key = cache_key(file.hashes.sha256.as_deref(), &self.fingerprint);
            async move {
                match read_uses(&client, &file, removals, &options, cache_key.as_deref()).await {
                    Ok(uses) => Some(Arc::new(uses)),
                    Err(error) => {
                        tracing::info!(
                            "cannot read the sources of `{}` (its Python-API uses stay unchecked): {error}",
                            file.filename
                        );
                        None
                    }
                }
            }
            .boxed()
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tests_and_metadata_are_not_runtime_sources() {
        assert!(is_runtime_source("gensim/matutils.py"));
        assert!(is_runtime_source("skopt/space/transformers.py"));
        assert!(!is_runtime_source("gensim/test/test_matutils.py"));
        assert!(!is_runtime_source("pkg/tests/helpers.py"));
        assert!(!is_runtime_source("pkg/conftest.py"));
        assert!(!is_runtime_source("pkg-1.0.dist-info/RECORD"));
        assert!(!is_runtime_source("pkg/_ext.so"));
    }

    #[test]
    fn cached_uses_read_back_as_written() {
        let removals = Removals::bundled();
        let uses = scan_members(
            [(
                "pkg/a.py",
                &b"import numpy as np\nX = np.float_\ndef f():\n    return np.int\n"[..],
            )],
            removals,
        );
        assert_eq!(uses.len(), 2);
        let written = WheelUses {
            uses,
            complete: true,
        };
        let read = WheelUses::from_text(&written.to_text(), removals).expect("reads back");
        assert_eq!(read.uses, written.uses);
        assert!(read.complete);
        assert!(WheelUses::from_text("complete\ttrue\nbroken", removals).is_none());
    }
}
