//! Wheel scans during resolution: started on the runtime's workers, shared per file, awaited
//! only when the resolver needs the answer.

use std::sync::{Arc, Mutex, PoisonError};

use futures::FutureExt;
use npsolve_abi::ScannedWheel;
use npsolve_index::{DistFile, IndexClient, ScanOptions, VerdictSource};
use npsolve_resolver::DistKey;
use pep508_rs::PackageName;
use tokio::runtime::Handle;

use crate::file_tasks::{FileTask, FileTasks};

/// What the scans of one run cost, for `-v`.
#[derive(Debug, Clone, Copy, Default)]
pub struct ScanStats {
    /// Wheels whose binaries were read over the network.
    pub scanned: u64,
    /// Verdicts found in the disk cache.
    pub cached: u64,
    /// Scans that failed (network, not a zip); their wheels stay unchecked.
    pub failed: u64,
    /// Bytes fetched by scans.
    pub bytes: u64,
    /// Requests made by scans.
    pub requests: u64,
}

/// Scans wheels' binaries through the index client, once per file.
pub struct WheelScanner {
    client: IndexClient,
    options: ScanOptions,
    /// One scan per file, by the source's key.
    scans: FileTasks<ScannedWheel>,
    stats: Arc<Mutex<ScanStats>>,
}

impl WheelScanner {
    /// A scanner using `client`'s connections and disk cache, driven by `runtime`.
    pub fn new(client: IndexClient, runtime: Handle) -> WheelScanner {
        WheelScanner {
            client,
            options: ScanOptions::default(),
            scans: FileTasks::new(runtime),
            stats: Arc::new(Mutex::new(ScanStats::default())),
        }
    }

    /// Starts scanning `file` (the source's `key`) in the background if nobody has yet.
    /// Never blocks.
    pub fn start(&self, name: &PackageName, key: DistKey, file: &DistFile) {
        // The future is already spawned on the runtime: nobody needs to wait for it here.
        drop(self.future(name, key, file));
    }

    /// The verdict for `file`, scanning it now if needed; `None` when it cannot be read.
    pub fn verdict(
        &self,
        name: &PackageName,
        key: DistKey,
        file: &DistFile,
    ) -> Option<Arc<ScannedWheel>> {
        self.scans.wait(self.future(name, key, file))
    }

    /// What the scans so far cost.
    pub fn stats(&self) -> ScanStats {
        *self.stats.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn future(&self, name: &PackageName, key: DistKey, file: &DistFile) -> FileTask<ScannedWheel> {
        self.scans.task(name, key, || self.scan(file))
    }

    /// The work of scanning `file`, counted in the stats.
    fn scan(
        &self,
        file: &DistFile,
    ) -> futures::future::BoxFuture<'static, Option<Arc<ScannedWheel>>> {
        let file = file.clone();
        let client = self.client.clone();
        let options = self.options;
        let stats = Arc::clone(&self.stats);
        async move {
            let report = client.scan_wheel(&file, &options).await;
            let mut stats = stats.lock().unwrap_or_else(PoisonError::into_inner);
            match report {
                Ok(report) => {
                    if report.source == VerdictSource::Scan {
                        tracing::info!(
                            "scanned `{}`: {}{} ({} KiB, {} of {} modules)",
                            report.wheel.file,
                            report.wheel.fact.keyword(),
                            report
                                .wheel
                                .fact
                                .floor()
                                .map(|floor| format!(", floor {floor}"))
                                .unwrap_or_default(),
                            report.bytes_fetched / 1024,
                            report.modules_read,
                            report.candidate_modules
                        );
                    }
                    match report.source {
                        VerdictSource::Scan => stats.scanned += 1,
                        VerdictSource::Cache => stats.cached += 1,
                        VerdictSource::PureWheel => {}
                    }
                    stats.bytes += report.bytes_fetched;
                    stats.requests += report.requests;
                    Some(Arc::new(report.wheel))
                }
                Err(error) => {
                    stats.failed += 1;
                    tracing::warn!("cannot scan `{}`: {error}", file.filename);
                    None
                }
            }
        }
        .boxed()
    }
}
