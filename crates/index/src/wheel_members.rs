//! Reading a wheel's compiled modules for the NumPy they were built against, without
//! downloading the wheel: the zip tail and central directory by HTTP range requests, then only
//! the candidate modules' compressed bytes (smallest first), inflated as they arrive and fed to
//! `npsolve-abi`'s streaming scanner, stopping as soon as the verdict is decided.
//!
//! PyPI answers single ranges with 206; a multi-range request returns the whole file with 200,
//! so only single ranges are sent and a 200 aborts the body. Pure wheels need no request.
//! Verdicts are cached by the file's sha256 (see `verdict_cache.rs`).

use std::sync::atomic::{AtomicU16, AtomicU64, Ordering};

use flate2::{Decompress, FlushDecompress, Status};
use npsolve_abi::{ModuleScanner, ScannedWheel, WheelScan, WheelVerdict, reading_order};
use npsolve_platform::DistFilename;
use reqwest::StatusCode;
use url::Url;

use crate::byte_range::{LOCAL_HEADER_SLACK, TAIL_SIZE};
use crate::cache::sha256_hex;
use crate::client::{IndexClient, Inner};
use crate::dist_file::DistFile;
use crate::error::IndexError;
use crate::safe_url::{SafeUrl, redact};
use crate::verdict_cache::CachedScan;
use crate::zip_archive::{self, Entry};

/// The first window of a member's compressed data; later windows double up to [`MAX_WINDOW`].
const FIRST_WINDOW: u64 = 512 * 1024;
/// The largest window asked for at once.
const MAX_WINDOW: u64 = 8 * 1024 * 1024;
/// Members whose first windows are fetched at once after the first one (together at most
/// [`FIRST_WINDOW`] bytes).
const PARALLEL_MEMBERS: usize = 4;
/// How a failure starts when the server, not the archive, is at fault (not cached).
const RANGES_STOPPED: &str = "the server stopped serving byte ranges";
/// Inflated bytes produced per step.
const INFLATE_STEP: usize = 256 * 1024;

/// How a wheel is scanned.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ScanOptions {
    /// Compressed bytes a scan may fetch per wheel (the tail and directory included); past
    /// it the verdict is `unknown`.
    pub byte_budget: u64,
    /// Read and write the verdict cache (keyed by sha256).
    pub use_cache: bool,
}

impl Default for ScanOptions {
    fn default() -> Self {
        ScanOptions {
            byte_budget: 32 * 1024 * 1024,
            use_cache: true,
        }
    }
}

/// Where a verdict came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum VerdictSource {
    /// The file name says pure Python: no request was made.
    PureWheel,
    /// The disk cache (by sha256).
    Cache,
    /// The wheel's binaries, read now.
    Scan,
}

/// One wheel's verdict and what reading it cost.
#[derive(Debug, Clone)]
pub struct WheelScanReport {
    /// The verdict (with the file's sha256, empty when the index gave none).
    pub wheel: ScannedWheel,
    /// Where the verdict came from.
    pub source: VerdictSource,
    /// Candidate modules (compiled files outside vendored folders) in the wheel.
    pub candidate_modules: usize,
    /// Candidate modules read (in part or whole).
    pub modules_read: usize,
    /// Bytes fetched (or read, for a local file): tail, directory and members.
    pub bytes_fetched: u64,
    /// HTTP requests made (0 for a local file, a pure wheel or a cached verdict).
    pub requests: u64,
    /// The wheel's size, when known.
    pub wheel_size: Option<u64>,
    /// Whether the verdict is final for this file: every module it needed was read. `false`
    /// when the byte budget ran out first (a larger budget may say more).
    pub complete: bool,
}

impl IndexClient {
    /// Reads which NumPy `file` (a wheel) was built against from its compiled modules, by
    /// range requests (or from the local file), with the verdict cache keyed by sha256.
    ///
    /// Fails when the file is not a wheel, is not a zip archive, or cannot be fetched; a
    /// wheel whose modules exceed the byte budget is `Ok` with an `unknown` verdict.
    pub async fn scan_wheel(
        &self,
        file: &DistFile,
        options: &ScanOptions,
    ) -> Result<WheelScanReport, IndexError> {
        self.inner.scan_wheel(file, options).await
    }
}

impl Inner {
    async fn scan_wheel(
        &self,
        file: &DistFile,
        options: &ScanOptions,
    ) -> Result<WheelScanReport, IndexError> {
        let filename = file.filename.to_string();
        let DistFilename::Wheel(wheel) = &file.filename else {
            return Err(IndexError::BadArchive {
                filename,
                url: SafeUrl::new(file.url.clone()),
                reason: "only wheels have binaries to scan; this is a source distribution"
                    .to_string(),
            });
        };
        let sha256 = file.hashes.sha256.clone().unwrap_or_default();
        let mut report = WheelScanReport {
            wheel: ScannedWheel {
                file: filename.clone(),
                sha256: sha256.clone(),
                fact: npsolve_abi::BuildFact::Unknown,
                module: None,
                evidence: String::new(),
            },
            source: VerdictSource::Scan,
            candidate_modules: 0,
            modules_read: 0,
            bytes_fetched: 0,
            requests: 0,
            wheel_size: file.size,
            complete: true,
        };
        if wheel.is_pure() {
            report.wheel.fact = npsolve_abi::BuildFact::NoCapi;
            report.wheel.evidence =
                "pure-Python wheel (no compiled modules; tags say so)".to_string();
            report.source = VerdictSource::PureWheel;
            return Ok(report);
        }
        if options.use_cache
            && let Some(cached) =
                self.cache
                    .cached_verdict(&sha256, options.byte_budget, &self.counters)
        {
            match cached {
                CachedScan::Verdict { wheel, complete } => {
                    report.wheel = ScannedWheel {
                        file: filename,
                        ..wheel
                    };
                    report.complete = complete;
                    report.source = VerdictSource::Cache;
                    return Ok(report);
                }
                CachedScan::BadArchive(reason) => {
                    return Err(IndexError::BadArchive {
                        filename,
                        url: SafeUrl::new(file.url.clone()),
                        reason,
                    });
                }
            }
        }
        let outcome = self.read_wheel(file, &filename, options, &mut report).await;
        if options.use_cache {
            match &outcome {
                Ok(()) => self.cache.store_verdict(
                    &report.wheel,
                    options.byte_budget,
                    report.complete,
                    None,
                ),
                // The bytes of a file never change: a broken archive stays broken. A server
                // that stopped serving ranges may serve them next time.
                Err(IndexError::BadArchive { reason, .. })
                    if !reason.starts_with(RANGES_STOPPED) =>
                {
                    self.cache.store_verdict(
                        &report.wheel,
                        options.byte_budget,
                        true,
                        Some(reason),
                    );
                }
                Err(_) => {}
            }
        }
        outcome.map(|()| report)
    }

    /// Reads the wheel's modules (by range requests, or from the local file) into `report`.
    async fn read_wheel(
        &self,
        file: &DistFile,
        filename: &str,
        options: &ScanOptions,
        report: &mut WheelScanReport,
    ) -> Result<(), IndexError> {
        let reader = if file.url.scheme() == "file" {
            let bytes = self.download(file).await?;
            if report.wheel.sha256.is_empty() {
                report.wheel.sha256 = sha256_hex(&bytes);
            }
            Reader::whole(&file.url, bytes)
        } else {
            if self.options.cache.offline {
                return Err(IndexError::Offline {
                    what: format!("the binaries of `{filename}` ({})", redact(&file.url)),
                });
            }
            match self.remote_reader(file, filename).await? {
                Ok(reader) => reader,
                Err(status) => {
                    // No range support: download small wheels whole, give up on large ones.
                    // A 416 to the tail's suffix range means the file is shorter than the tail
                    // (some servers refuse an over-long suffix): small, so download it.
                    let small = status == StatusCode::RANGE_NOT_SATISFIABLE.as_u16()
                        || file.size.is_some_and(|size| size <= options.byte_budget);
                    if small {
                        let bytes = self.download(file).await?;
                        let mut reader = Reader::whole(&file.url, bytes);
                        reader.count_download();
                        reader
                    } else {
                        report.wheel.evidence = "undecided: the server does not serve byte ranges and the wheel is larger than the scan budget".to_string();
                        report.requests = 1;
                        report.complete = false;
                        return Ok(());
                    }
                }
            }
        };
        let verdict = self.scan_members(&reader, filename, options, report).await;
        report.bytes_fetched = reader.fetched();
        report.requests = reader.requests.load(Ordering::Relaxed);
        report.wheel_size = Some(reader.total);
        let verdict = verdict?;
        report.wheel.fact = verdict.fact;
        report.wheel.module = verdict.module;
        report.wheel.evidence = verdict.evidence;
        Ok(())
    }

    /// A reader over the remote wheel, its tail fetched; `Err(status)` when the server did not
    /// answer the range request with 206.
    pub(crate) async fn remote_reader(
        &self,
        file: &DistFile,
        filename: &str,
    ) -> Result<Result<Reader, u16>, IndexError> {
        let tail_len = file.size.map_or(TAIL_SIZE, |size| size.clamp(1, TAIL_SIZE));
        let mut reader = Reader {
            url: file.url.clone(),
            filename: filename.to_string(),
            whole: None,
            total: 0,
            tail: Vec::new(),
            tail_start: 0,
            fetched: AtomicU64::new(0),
            requests: AtomicU64::new(0),
            last_status: AtomicU16::new(0),
        };
        let Some((tail, start, total)) =
            self.range_request(&reader, &format!("-{tail_len}")).await?
        else {
            return Ok(Err(reader.last_status.load(Ordering::Relaxed)));
        };
        reader.total = total;
        reader.tail = tail;
        reader.tail_start = start;
        Ok(Ok(reader))
    }

    /// Reads the central directory, then candidate modules smallest first until decided.
    async fn scan_members(
        &self,
        reader: &Reader,
        filename: &str,
        options: &ScanOptions,
        report: &mut WheelScanReport,
    ) -> Result<WheelVerdict, IndexError> {
        let (_, entries) = self.directory(reader).await?;
        let order: Vec<&Entry> = {
            let sizes = entries
                .iter()
                .map(|entry| (entry.name.as_str(), entry.uncompressed_size));
            let names = reading_order(sizes);
            names
                .iter()
                .filter_map(|name| entries.iter().find(|entry| entry.name == *name))
                .collect()
        };
        report.candidate_modules = order.len();
        let mut scan = WheelScan::new();
        // The smallest module alone first (it decides most wheels); after that, the first
        // windows of the next few modules in parallel, read in order until one decides.
        let mut at = 0;
        let mut batch = 1;
        'batches: while at < order.len() {
            let mut remaining = options.byte_budget.saturating_sub(reader.fetched());
            let mut chunk = Vec::new();
            let mut batch_bytes = 0;
            for entry in order.iter().skip(at).take(batch) {
                let len = first_window_len(entry, reader.total);
                // Within the budget; a batch of several stays within one window's worth of
                // bytes, so prefetching wastes little when an early module decides.
                if len > remaining || (!chunk.is_empty() && batch_bytes + len > FIRST_WINDOW) {
                    break;
                }
                remaining -= len;
                batch_bytes += len;
                chunk.push(*entry);
            }
            let Some(&blocked) = order.get(at).filter(|_| chunk.is_empty()) else {
                let firsts = futures::future::join_all(
                    chunk.iter().map(|entry| self.first_window(reader, entry)),
                )
                .await;
                for (entry, first) in chunk.iter().zip(firsts) {
                    let evidence = self.finish_member(reader, entry, first?, options).await?;
                    let Some(evidence) = evidence else {
                        report.modules_read = scan.modules_read();
                        report.complete = false;
                        return Ok(over_budget(options, entry, &scan));
                    };
                    scan.add(&entry.name, evidence);
                    if scan.is_decided() {
                        break 'batches;
                    }
                }
                at += chunk.len();
                batch = PARALLEL_MEMBERS;
                continue;
            };
            report.modules_read = scan.modules_read();
            report.complete = false;
            return Ok(over_budget(options, blocked, &scan));
        }
        report.modules_read = scan.modules_read();
        tracing::debug!(
            "scanned `{filename}`: {} of {} modules, {} bytes",
            report.modules_read,
            report.candidate_modules,
            reader.fetched()
        );
        Ok(scan.verdict())
    }

    /// Where the archive's central directory lies, and its entries.
    pub(crate) async fn directory(
        &self,
        reader: &Reader,
    ) -> Result<(zip_archive::Directory, Vec<Entry>), IndexError> {
        let (tail, tail_start) = reader.tail_view();
        let directory =
            zip_archive::find_directory(&tail, tail_start).map_err(|reason| reader.bad(reason))?;
        let directory_bytes = self.read(reader, directory.offset, directory.size).await?;
        let entries =
            zip_archive::entries(&directory_bytes).map_err(|reason| reader.bad(reason))?;
        Ok((directory, entries))
    }

    /// The local header and first window of a member's data.
    async fn first_window(&self, reader: &Reader, entry: &Entry) -> Result<Vec<u8>, IndexError> {
        self.read(
            reader,
            entry.local_header_offset,
            first_window_len(entry, reader.total),
        )
        .await
    }

    /// Streams one member through the scanner from its first window on, fetching further
    /// windows until it is settled or read; `None` when the budget runs out first.
    async fn finish_member(
        &self,
        reader: &Reader,
        entry: &Entry,
        first: Vec<u8>,
        options: &ScanOptions,
    ) -> Result<Option<npsolve_abi::ModuleEvidence>, IndexError> {
        let mut window = FIRST_WINDOW.min(entry.compressed_size);
        let header_len =
            zip_archive::local_header_len(&first).map_err(|reason| reader.bad(reason))?;
        let data_start = entry.local_header_offset + header_len;
        let mut inflater = MemberInflater::new(entry).map_err(|reason| reader.bad(reason))?;
        let mut scanner = ModuleScanner::new();
        let mut have = first
            .get(usize::try_from(header_len).unwrap_or(usize::MAX)..)
            .unwrap_or_default();
        let mut next = data_start;
        let mut pending: Vec<u8>;
        loop {
            let take = usize::try_from(entry.compressed_size.saturating_sub(next - data_start))
                .unwrap_or(usize::MAX)
                .min(have.len());
            let piece = &have[..take];
            next += take as u64;
            let done = inflater
                .feed(piece, &mut scanner)
                .map_err(|reason| reader.bad(reason))?;
            let consumed_all = next >= data_start + entry.compressed_size;
            if done || consumed_all || scanner.is_settled() {
                break;
            }
            window = (window * 2).min(MAX_WINDOW);
            let len = window.min(data_start + entry.compressed_size - next);
            if reader.fetched().saturating_add(len) > options.byte_budget {
                return Ok(None);
            }
            pending = self.read(reader, next, len).await?;
            have = &pending;
        }
        Ok(Some(scanner.finish()))
    }

    /// `len` bytes from `start`, from the tail already held, the local file or one range request.
    pub(crate) async fn read(
        &self,
        reader: &Reader,
        start: u64,
        len: u64,
    ) -> Result<Vec<u8>, IndexError> {
        if let Some(bytes) = reader.held(start, len) {
            return Ok(bytes);
        }
        if len == 0 {
            return Ok(Vec::new());
        }
        // A range that runs into the tail already held: fetch only the part before it.
        let held_after = reader.held_suffix(start, len).unwrap_or_default();
        let end = start + (len - held_after.len() as u64) - 1;
        match self
            .range_request(reader, &format!("{start}-{end}"))
            .await?
        {
            Some((mut bytes, at, _)) if at == start => {
                bytes.extend(held_after);
                Ok(bytes)
            }
            _ => Err(reader.bad(format!("{RANGES_STOPPED} (asked for {start}-{end})"))),
        }
    }

    /// One single-range request: `(body, first byte, total size)`, or `None` when the server
    /// answered with something other than 206 and a matching `Content-Range`; a file that
    /// is gone (404, 410) is an error.
    async fn range_request(
        &self,
        reader: &Reader,
        spec: &str,
    ) -> Result<Option<(Vec<u8>, u64, u64)>, IndexError> {
        reader.requests.fetch_add(1, Ordering::Relaxed);
        let answer = self.http.range_get(&reader.url, spec).await?;
        reader
            .last_status
            .store(answer.status.as_u16(), Ordering::Relaxed);
        if answer.status == StatusCode::NOT_FOUND || answer.status == StatusCode::GONE {
            return Err(IndexError::Status {
                url: SafeUrl::new(reader.url.clone()),
                status: answer.status.as_u16(),
                attempts: 1,
            });
        }
        if let Some((body, _, _)) = &answer.part {
            reader
                .fetched
                .fetch_add(body.len() as u64, Ordering::Relaxed);
        }
        Ok(answer.part)
    }
}

/// The bytes of one wheel being scanned: the whole local file, or a remote URL with its tail.
pub(crate) struct Reader {
    url: Url,
    filename: String,
    whole: Option<Vec<u8>>,
    total: u64,
    tail: Vec<u8>,
    tail_start: u64,
    /// Bytes fetched (or read, for a local file) so far.
    fetched: AtomicU64,
    /// Requests made so far.
    requests: AtomicU64,
    /// The status of the last response.
    last_status: AtomicU16,
}

impl Reader {
    /// A reader over a whole file held in memory.
    pub(crate) fn whole(url: &Url, bytes: Vec<u8>) -> Reader {
        Reader {
            url: url.clone(),
            filename: url
                .path_segments()
                .and_then(|mut segments| segments.next_back())
                .unwrap_or_default()
                .to_string(),
            total: bytes.len() as u64,
            whole: Some(bytes),
            tail: Vec::new(),
            tail_start: 0,
            fetched: AtomicU64::new(0),
            requests: AtomicU64::new(0),
            last_status: AtomicU16::new(0),
        }
    }

    /// The bytes the end record is looked for in: the fetched tail, or the last
    /// [`TAIL_SIZE`] bytes of a whole file.
    pub(crate) fn tail_view(&self) -> (Vec<u8>, u64) {
        match &self.whole {
            Some(bytes) => {
                let start = bytes.len().saturating_sub(TAIL_SIZE as usize);
                self.fetched
                    .fetch_add((bytes.len() - start) as u64, Ordering::Relaxed);
                (bytes[start..].to_vec(), start as u64)
            }
            None => (self.tail.clone(), self.tail_start),
        }
    }

    /// The range if it lies in bytes already held (counted as read for a local file).
    fn held(&self, start: u64, len: u64) -> Option<Vec<u8>> {
        let end = start.checked_add(len)?;
        if let Some(bytes) = &self.whole {
            let slice = bytes.get(usize::try_from(start).ok()?..usize::try_from(end).ok()?)?;
            self.fetched.fetch_add(len, Ordering::Relaxed);
            return Some(slice.to_vec());
        }
        let from = usize::try_from(start.checked_sub(self.tail_start)?).ok()?;
        let to = usize::try_from(end - self.tail_start).ok()?;
        self.tail.get(from..to).map(<[u8]>::to_vec)
    }

    /// Bytes fetched (or read) so far.
    pub(crate) fn fetched(&self) -> u64 {
        self.fetched.load(Ordering::Relaxed)
    }

    /// Requests made so far.
    pub(crate) fn requests(&self) -> u64 {
        self.requests.load(Ordering::Relaxed)
    }

    /// The archive's size.
    pub(crate) fn total(&self) -> u64 {
        self.total
    }

    /// Counts a whole download made instead of range requests (a server without ranges).
    pub(crate) fn count_download(&mut self) {
        self.requests = AtomicU64::new(2);
        self.fetched = AtomicU64::new(self.total);
    }

    /// The end of `start..start + len` held in the fetched tail, when the range starts before
    /// the tail and ends inside it (a range wholly inside is [`held`](Self::held)).
    fn held_suffix(&self, start: u64, len: u64) -> Option<Vec<u8>> {
        let end = start.checked_add(len)?;
        let tail_end = self.tail_start + self.tail.len() as u64;
        if self.whole.is_some()
            || start >= self.tail_start
            || end <= self.tail_start
            || end > tail_end
        {
            return None;
        }
        let to = usize::try_from(end - self.tail_start).ok()?;
        self.tail.get(..to).map(<[u8]>::to_vec)
    }

    pub(crate) fn bad(&self, reason: String) -> IndexError {
        IndexError::BadArchive {
            filename: self.filename.clone(),
            url: SafeUrl::new(self.url.clone()),
            reason,
        }
    }
}

/// Turns a member's compressed bytes, piece by piece, into scanner input.
enum MemberInflater {
    Stored,
    Deflated(Box<Decompress>, Vec<u8>),
}

impl MemberInflater {
    fn new(entry: &Entry) -> Result<MemberInflater, String> {
        match entry.method {
            0 => Ok(MemberInflater::Stored),
            8 => Ok(MemberInflater::Deflated(
                Box::new(Decompress::new(false)),
                vec![0; INFLATE_STEP],
            )),
            other => Err(format!(
                "`{}` uses unsupported compression method {other}",
                entry.name
            )),
        }
    }

    /// Feeds compressed bytes; `true` once the deflate stream has ended.
    fn feed(&mut self, mut input: &[u8], scanner: &mut ModuleScanner) -> Result<bool, String> {
        match self {
            MemberInflater::Stored => {
                scanner.feed(input);
                Ok(false)
            }
            MemberInflater::Deflated(inflater, out) => loop {
                let (before_in, before_out) = (inflater.total_in(), inflater.total_out());
                let status = inflater
                    .decompress(input, out, FlushDecompress::None)
                    .map_err(|error| format!("cannot inflate: {error}"))?;
                let consumed = usize::try_from(inflater.total_in() - before_in).unwrap_or(0);
                let produced = usize::try_from(inflater.total_out() - before_out).unwrap_or(0);
                scanner.feed(out.get(..produced).unwrap_or_default());
                input = input.get(consumed..).unwrap_or_default();
                if status == Status::StreamEnd {
                    return Ok(true);
                }
                if consumed == 0 && produced == 0 {
                    return Ok(false);
                }
                if input.is_empty() && produced < out.len() {
                    return Ok(false);
                }
            },
        }
    }
}

/// Bytes asked for in a member's first request: its local header (with slack for the extra
/// field) and the first window of its data, within the archive.
fn first_window_len(entry: &Entry, total: u64) -> u64 {
    let header_guess =
        zip_archive::LOCAL_HEADER_SIZE + entry.name.len() as u64 + LOCAL_HEADER_SLACK;
    (header_guess + FIRST_WINDOW.min(entry.compressed_size))
        .min(total.saturating_sub(entry.local_header_offset))
}

/// The verdict when the budget runs out before `entry` could be read: what the modules read so
/// far show when they settle the major (the floor may be missing), else `unknown`.
fn over_budget(options: &ScanOptions, entry: &Entry, scan: &WheelScan) -> WheelVerdict {
    if scan.knows_major() {
        let mut verdict = scan.verdict();
        verdict.evidence.push_str(&format!(
            "; the scan budget of {} bytes ran out before `{}` was read ({} modules read), so the floor may be higher",
            options.byte_budget,
            entry.name,
            scan.modules_read()
        ));
        return verdict;
    }
    WheelVerdict {
        fact: npsolve_abi::BuildFact::Unknown,
        evidence: format!(
            "undecided: the scan budget of {} bytes ran out while reading `{}` ({} modules read, none decisive)",
            options.byte_budget,
            entry.name,
            scan.modules_read()
        ),
        module: None,
    }
}
