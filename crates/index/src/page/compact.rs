//! The compact form of a project page that the disk cache keeps: only the validated fields of
//! each file, in postcard, grouped by release behind an index, read back without copying
//! strings twice and without reading the releases nobody looks at.
//!
//! A warm run used to re-parse every cached PyPI JSON page (46 MB for a 170-project
//! resolution), then to decode every file of every compact page (108,645 files) to group them
//! by version. The compact form holds absolute URLs with the fragment already removed,
//! lower-cased hashes, requires-python texts that parsed (each distinct text stored and parsed
//! once per page), and upload times as seconds and nanoseconds. Its body is an index (the
//! project, the tables, and one row per release: version, whether all its files are yanked,
//! and where its block of files lies, with the block's CRC-32), then the blocks, newest
//! release first, each block's files ordered by file name. Reading a page parses the index
//! only; a release's block is read and checked when someone asks for its files.

use std::str::FromStr;
use std::sync::{Arc, OnceLock};

use npsolve_platform::{DistFilename, TagPriority, Tags};
use pep440_rs::{Version, VersionSpecifiers};
use pep508_rs::PackageName;
use rustc_hash::FxHashMap;
use serde::{Deserialize, Serialize};

use crate::cache::{BodyReader, crc32};
use crate::dist_file::{CoreMetadataHint, DistFile, Hashes};
use crate::wheel_tags::{WheelTags, best_priority};

/// The index before the blocks.
#[derive(Serialize, Deserialize)]
struct CompactIndex<'a> {
    /// The project, checked on reading.
    name: &'a str,
    /// Distinct wheel tag sets, each as the file name writes it (`cp311-cp311-manylinux_2_17_x86_64.manylinux2014_x86_64`).
    #[serde(borrow)]
    tag_sets: Vec<&'a str>,
    /// Distinct requires-python texts.
    #[serde(borrow)]
    requires_python: Vec<&'a str>,
    /// The releases, newest first.
    #[serde(borrow)]
    releases: Vec<CompactRelease<'a>>,
}

/// One release's row in the index.
#[derive(Serialize, Deserialize)]
struct CompactRelease<'a> {
    /// The version as the page first lists it (`1.0` and `1.0.0` are one release).
    version: &'a str,
    /// When every file is yanked, the reason given for the first in file-name order.
    yanked: Option<&'a str>,
    /// Where the block starts, counted from the end of the index.
    start: u32,
    /// The block's length in bytes.
    len: u32,
    /// The block's CRC-32.
    crc32: u32,
    /// How many files the block holds.
    files: u32,
}

#[derive(Serialize, Deserialize)]
pub(crate) struct CompactFile<'a> {
    pub(crate) filename: &'a str,
    /// An index into [`CompactIndex::tag_sets`]; `None` for an sdist.
    wheel_tags: Option<u32>,
    /// The absolute URL, or (when `url_is_folder`) the part before the file name.
    url: &'a str,
    url_is_folder: bool,
    #[serde(borrow)]
    hashes: CompactHashes<'a>,
    /// An index into [`CompactIndex::requires_python`].
    requires_python: Option<u32>,
    pub(crate) yanked: Option<&'a str>,
    /// Unix seconds and nanoseconds.
    upload_time: Option<(i64, i32)>,
    pub(crate) size: Option<u64>,
    #[serde(borrow)]
    core_metadata: CompactHint<'a>,
}

#[derive(Serialize, Deserialize)]
struct CompactHashes<'a> {
    #[serde(borrow)]
    sha256: Option<Digest<'a>>,
    #[serde(borrow)]
    others: Vec<(&'a str, &'a str)>,
}

/// A sha256 as its 32 bytes when it is lower-case hex (half the size), else as given.
#[derive(Serialize, Deserialize)]
enum Digest<'a> {
    Bytes([u8; 32]),
    Text(&'a str),
}

#[derive(Serialize, Deserialize)]
enum CompactHint<'a> {
    Unknown,
    Available(#[serde(borrow)] Option<CompactHashes<'a>>),
    NotAvailable,
}

impl<'a> Digest<'a> {
    fn new(hex_digest: &'a str) -> Digest<'a> {
        let mut bytes = [0u8; 32];
        let lower = !hex_digest.bytes().any(|byte| byte.is_ascii_uppercase());
        match hex::decode_to_slice(hex_digest, &mut bytes) {
            Ok(()) if lower => Digest::Bytes(bytes),
            _ => Digest::Text(hex_digest),
        }
    }

    fn to_hex(&self) -> String {
        const DIGITS: &[u8; 16] = b"0123456789abcdef";
        match self {
            // A table loop: `hex::encode` goes through a `char` iterator, and this runs for
            // every file of every page read.
            Digest::Bytes(bytes) => {
                let mut text = String::with_capacity(64);
                for byte in bytes {
                    text.push(char::from(DIGITS[usize::from(byte >> 4)]));
                    text.push(char::from(DIGITS[usize::from(byte & 0x0f)]));
                }
                text
            }
            Digest::Text(text) => (*text).to_string(),
        }
    }
}

impl<'a> CompactHashes<'a> {
    fn new(hashes: &'a Hashes) -> CompactHashes<'a> {
        CompactHashes {
            sha256: hashes.sha256.as_deref().map(Digest::new),
            others: hashes
                .others
                .iter()
                .map(|(algorithm, digest)| (algorithm.as_str(), digest.as_str()))
                .collect(),
        }
    }

    fn to_hashes(&self) -> Hashes {
        Hashes {
            sha256: self.sha256.as_ref().map(Digest::to_hex),
            others: self
                .others
                .iter()
                .map(|&(algorithm, digest)| (algorithm.to_string(), digest.to_string()))
                .collect(),
        }
    }
}

/// Numbers distinct values in first-seen order.
struct Table<K> {
    values: Vec<K>,
    positions: FxHashMap<K, u32>,
}

impl<K: Clone + Eq + std::hash::Hash> Table<K> {
    fn new() -> Table<K> {
        Table {
            values: Vec::new(),
            positions: FxHashMap::default(),
        }
    }

    fn index(&mut self, value: K) -> u32 {
        if let Some(&position) = self.positions.get(&value) {
            return position;
        }
        let position = u32::try_from(self.values.len()).unwrap_or(u32::MAX);
        self.values.push(value.clone());
        self.positions.insert(value, position);
        position
    }
}

/// A wheel's tag sets as its file name writes them: `python-abi-platform`, each part's tags
/// joined by `.`.
fn tag_text(python: &[String], abi: &[String], platform: &[String]) -> String {
    format!(
        "{}-{}-{}",
        python.join("."),
        abi.join("."),
        platform.join(".")
    )
}

/// Whether `text` is a [`tag_text`]: three parts, no empty tag. Checked when a page is read,
/// so [`parse_tags`] and [`Segment::tag_priority`] can take it apart without checking again.
fn is_tag_text(text: &str) -> bool {
    text.split('-').count() == 3 && text.split(['-', '.']).all(|tag| !tag.is_empty())
}

/// The tag sets of a [`tag_text`] (one [`is_tag_text`] accepted).
fn parse_tags(text: &str) -> WheelTags {
    let mut parts = text
        .split('-')
        .map(|part| part.split('.').map(str::to_string).collect::<Vec<_>>());
    WheelTags {
        python: parts.next().unwrap_or_default(),
        abi: parts.next().unwrap_or_default(),
        platform: parts.next().unwrap_or_default(),
    }
}

/// Encodes the validated files of `name`: the body of its cache entry, and how many of its
/// first bytes are the index.
pub(crate) fn encode(
    name: &PackageName,
    files: &[DistFile],
) -> Result<(Vec<u8>, usize), postcard::Error> {
    // Group by version (`1.0` and `1.0.0` are one release, named as the page first lists
    // it), newest first; a release's files by file name.
    let mut order: Vec<usize> = (0..files.len()).collect();
    order.sort_by(|&a, &b| {
        files[b]
            .filename
            .version()
            .cmp(files[a].filename.version())
            .then(a.cmp(&b))
    });
    let mut tag_sets = Table::new();
    let mut requires_python = Table::new();
    let requires_texts: Vec<String> = files
        .iter()
        .map(|file| {
            file.requires_python
                .as_ref()
                .map(ToString::to_string)
                .unwrap_or_default()
        })
        .collect();
    let version_texts: Vec<String> = order
        .iter()
        .map(|&index| files[index].filename.version().to_string())
        .collect();
    let mut releases = Vec::new();
    let mut blocks = Vec::new();
    let mut position = 0;
    for group in order.chunk_by(|&a, &b| files[a].filename.version() == files[b].filename.version())
    {
        let version = version_texts[position].as_str();
        position += group.len();
        let mut group = group.to_vec();
        group.sort_by(|&a, &b| {
            files[a]
                .filename
                .filename()
                .cmp(files[b].filename.filename())
        });
        let block_start = blocks.len();
        for &index in &group {
            let file = &files[index];
            let compact = compact_file(
                file,
                &requires_texts[index],
                &mut tag_sets,
                &mut requires_python,
            );
            blocks = postcard::to_extend(&compact, blocks)?;
        }
        let block = &blocks[block_start..];
        let yanked = group
            .iter()
            .all(|&index| files[index].yanked.is_some())
            .then(|| {
                group
                    .iter()
                    .find_map(|&index| files[index].yanked.as_deref())
            })
            .flatten();
        let too_large = || postcard::Error::SerializeBufferFull;
        releases.push(CompactRelease {
            version,
            yanked,
            start: u32::try_from(block_start).map_err(|_| too_large())?,
            len: u32::try_from(block.len()).map_err(|_| too_large())?,
            crc32: crc32(block),
            files: u32::try_from(group.len()).map_err(|_| too_large())?,
        });
    }
    let mut body = postcard::to_allocvec(&CompactIndex {
        name: name.as_ref(),
        tag_sets: tag_sets.values.iter().map(String::as_str).collect(),
        requires_python: requires_python.values,
        releases,
    })?;
    let index = body.len();
    body.extend_from_slice(&blocks);
    Ok((body, index))
}

/// The compact record of one file, its shared parts numbered in the page's tables.
fn compact_file<'a>(
    file: &'a DistFile,
    requires_text: &'a str,
    tag_sets: &mut Table<String>,
    requires_python: &mut Table<&'a str>,
) -> CompactFile<'a> {
    let filename = file.filename.filename();
    let url = file.url.as_str();
    let folder = url
        .strip_suffix(filename)
        .filter(|folder| folder.ends_with('/'));
    CompactFile {
        filename,
        wheel_tags: match &file.filename {
            DistFilename::Wheel(wheel) => Some(tag_sets.index(tag_text(
                &wheel.python_tags,
                &wheel.abi_tags,
                &wheel.platform_tags,
            ))),
            DistFilename::Sdist(_) => None,
        },
        url: folder.unwrap_or(url),
        url_is_folder: folder.is_some(),
        hashes: CompactHashes::new(&file.hashes),
        requires_python: file
            .requires_python
            .as_ref()
            .map(|_| requires_python.index(requires_text)),
        yanked: file.yanked.as_deref(),
        upload_time: file
            .upload_time
            .map(|time| (time.as_second(), time.subsec_nanosecond())),
        size: file.size,
        core_metadata: match &file.core_metadata {
            CoreMetadataHint::Unknown => CompactHint::Unknown,
            CoreMetadataHint::NotAvailable => CompactHint::NotAvailable,
            CoreMetadataHint::Available(hashes) => {
                CompactHint::Available(hashes.as_ref().map(CompactHashes::new))
            }
        },
    }
}

/// The entry of a table, or an error naming what is out of range.
fn entry<'t, T>(table: &'t [T], index: u32, what: &str) -> Result<&'t T, String> {
    usize::try_from(index)
        .ok()
        .and_then(|index| table.get(index))
        .ok_or_else(|| format!("{what} index {index} out of range"))
}

/// One compact page: its index parsed, each release's block read and checked on first use,
/// and each file decoded in place from its block when asked for.
#[derive(Debug)]
pub(crate) struct Segment {
    reader: BodyReader,
    /// Where the blocks start in the body (the index's length).
    blocks: u64,
    /// The texts of the page's tag sets, one after the other.
    tag_texts: String,
    tag_sets: Vec<TagSet>,
    requires_python: Vec<VersionSpecifiers>,
    releases: Vec<Release>,
}

impl Release {
    /// How many files it has (after `--exclude-newer`, which reads every block at once).
    pub(crate) fn files(&self) -> usize {
        self.block
            .get()
            .map_or(self.count as usize, |block| block.files.len())
    }
}

/// One tag set of a [`Segment`]: where its text is, and the tags once parsed.
#[derive(Debug)]
struct TagSet {
    text: std::ops::Range<usize>,
    parsed: OnceLock<Arc<WheelTags>>,
}

/// One release of a [`Segment`].
#[derive(Debug)]
pub(crate) struct Release {
    /// The release's version.
    pub version: Version,
    /// When every (kept) file is yanked, the reason given for the first in file-name order.
    pub yanked: Option<String>,
    start: u64,
    len: u64,
    crc32: u32,
    /// How many files its block holds.
    count: u32,
    /// Boxed: most releases are never read.
    block: OnceLock<Box<Block>>,
}

/// A release's files as read from the entry: the block's bytes, and where each kept file
/// starts in them with its tag set (so a reader can pass over the wheels for other targets
/// without decoding them).
#[derive(Debug)]
struct Block {
    bytes: Vec<u8>,
    files: Vec<BlockFile>,
}

/// One file of a [`Block`].
#[derive(Debug, Clone, Copy)]
pub(crate) struct BlockFile {
    /// Where it starts in the block.
    pub offset: u32,
    /// Its tag set (an index for [`Segment::tags`]); `None` for an sdist.
    pub tags: Option<u32>,
}

/// A file of a [`Segment`], its table references resolved.
pub(crate) struct SegmentFile<'a> {
    pub file: CompactFile<'a>,
    pub version: &'a Version,
    pub wheel_tags: Option<&'a Arc<WheelTags>>,
    pub requires_python: Option<&'a VersionSpecifiers>,
}

impl Segment {
    /// Reads and checks the index of the compact page of `name` (`reader`'s first `index`
    /// bytes); any inconsistency is an error (the cache entry is then refetched). With
    /// `cutoff`, files uploaded after it or with no upload time are left out
    /// (`--exclude-newer`): every block is then read now, and the second value counts the
    /// undated.
    ///
    /// Nothing is parsed per file: each release's version and each requires-python text are
    /// parsed once per page, tag sets when a file that has them is first read, and URLs stay
    /// text (they were written by [`url::Url`]).
    pub(crate) fn read(
        reader: BodyReader,
        index: usize,
        name: &PackageName,
        cutoff: Option<jiff::Timestamp>,
    ) -> Result<(Segment, usize), String> {
        let invalid = |error: postcard::Error| format!("invalid compact page: {error}");
        let index_bytes = reader
            .read(0, index as u64)
            .map_err(|error| format!("cannot read the page index: {error}"))?;
        let (compact, rest) =
            postcard::take_from_bytes::<CompactIndex<'_>>(&index_bytes).map_err(invalid)?;
        if !rest.is_empty() {
            return Err(format!("{} bytes after the page index", rest.len()));
        }
        if compact.name != name.as_ref() {
            return Err(format!("the page of `{}`, not of `{name}`", compact.name));
        }
        let requires_python = compact
            .requires_python
            .iter()
            .map(|text| VersionSpecifiers::from_str(text).map_err(|error| error.to_string()))
            .collect::<Result<Vec<_>, _>>()?;
        // Tag sets are many (7,000 over sci-stack's pages) and few are looked at: their texts
        // are kept in one string, each parsed when a file that has it is first read.
        let mut tag_texts = String::new();
        let mut tag_sets = Vec::with_capacity(compact.tag_sets.len());
        for text in &compact.tag_sets {
            if !is_tag_text(text) {
                return Err(format!("invalid tag set `{text}`"));
            }
            let start = tag_texts.len();
            tag_texts.push_str(text);
            tag_sets.push(TagSet {
                text: start..tag_texts.len(),
                parsed: OnceLock::new(),
            });
        }
        let blocks = index as u64;
        let room = reader.len() - blocks;
        let mut releases = Vec::with_capacity(compact.releases.len());
        let mut previous: Option<Version> = None;
        let mut end = 0;
        for row in &compact.releases {
            let version = Version::from_str(row.version).map_err(|error| error.to_string())?;
            if previous.as_ref().is_some_and(|newer| *newer <= version) {
                return Err(format!("release `{version}` out of order"));
            }
            let (start, len) = (u64::from(row.start), u64::from(row.len));
            // The blocks follow each other in release order; every file takes more than one
            // byte, so a count beyond its block is damage.
            if start != end || start + len > room || u64::from(row.files) > len {
                return Err(format!(
                    "release `{version}`: its block lies outside the page"
                ));
            }
            end = start + len;
            previous = Some(version.clone());
            releases.push(Release {
                version,
                yanked: row.yanked.map(str::to_string),
                start,
                len,
                crc32: row.crc32,
                count: row.files,
                block: OnceLock::new(),
            });
        }
        if end != room {
            return Err(format!("{} bytes after the last release", room - end));
        }
        drop(index_bytes);
        let mut segment = Segment {
            reader,
            blocks,
            tag_texts,
            tag_sets,
            requires_python,
            releases,
        };
        let mut undated = 0;
        if let Some(cutoff) = cutoff {
            undated = segment.apply_cutoff(cutoff)?;
        }
        Ok((segment, undated))
    }

    /// Leaves out the files uploaded after `cutoff` or undated, and the releases left with
    /// none; returns how many files were undated.
    fn apply_cutoff(&mut self, cutoff: jiff::Timestamp) -> Result<usize, String> {
        let mut undated = 0;
        let mut kept_releases = Vec::with_capacity(self.releases.len());
        for mut release in std::mem::take(&mut self.releases) {
            let mut block = self.read_block(&release)?;
            let mut kept = Vec::with_capacity(block.files.len());
            let mut yanked = Vec::new();
            for &entry in &block.files {
                let file = decode(&block.bytes, entry.offset).map_err(|error| error.to_string())?;
                match upload_time(&file)? {
                    Some(time) if time <= cutoff => {
                        kept.push(entry);
                        yanked.push(file.yanked.map(str::to_string));
                    }
                    Some(_) => {}
                    None => undated += 1,
                }
            }
            if kept.is_empty() {
                continue;
            }
            release.yanked = yanked
                .iter()
                .all(Option::is_some)
                .then(|| yanked.into_iter().flatten().next())
                .flatten();
            block.files = kept;
            let _ = release.block.set(Box::new(block));
            kept_releases.push(release);
        }
        self.releases = kept_releases;
        Ok(undated)
    }

    /// Reads, checks and splits the block of `release`.
    fn read_block(&self, release: &Release) -> Result<Block, String> {
        let bytes = self
            .reader
            .read(self.blocks + release.start, release.len)
            .map_err(|error| format!("cannot read release `{}`: {error}", release.version))?
            .into_owned();
        if crc32(&bytes) != release.crc32 {
            return Err(format!("release `{}` fails its check", release.version));
        }
        let mut files = Vec::with_capacity(release.count as usize);
        let mut rest: &[u8] = &bytes;
        for _ in 0..release.count {
            // Within a block of at most `u32::MAX` bytes.
            let offset = (bytes.len() - rest.len()) as u32;
            let (file, after) = postcard::take_from_bytes::<CompactFile<'_>>(rest)
                .map_err(|error| format!("invalid compact file: {error}"))?;
            rest = after;
            if let Some(index) = file.wheel_tags {
                entry(&self.tag_sets, index, "tag set")?;
            }
            if let Some(index) = file.requires_python {
                entry(&self.requires_python, index, "requires-python")?;
            }
            upload_time(&file)?;
            files.push(BlockFile {
                offset,
                tags: file.wheel_tags,
            });
        }
        if !rest.is_empty() {
            return Err(format!("{} bytes after the last file", rest.len()));
        }
        Ok(Block { bytes, files })
    }

    /// How well a wheel with tag set `index` fits `tags` (`None`: it does not install there),
    /// judged on the set's text: nothing is allocated for the many wheels of other targets.
    pub(crate) fn tag_priority(&self, index: u32, tags: &Tags) -> Option<TagPriority> {
        let set = entry(&self.tag_sets, index, "tag set").ok()?;
        let mut parts = self.tag_texts.get(set.text.clone())?.split('-');
        let (python, abi, platform) = (parts.next()?, parts.next()?, parts.next()?);
        best_priority(python.split('.'), abi.split('.'), platform.split('.'), tags)
    }

    /// Tag set `index`, parsed on first use; `None` when out of range.
    pub(crate) fn tags(&self, index: u32) -> Option<&Arc<WheelTags>> {
        let set = entry(&self.tag_sets, index, "tag set").ok()?;
        let text = self.tag_texts.get(set.text.clone())?;
        Some(set.parsed.get_or_init(|| Arc::new(parse_tags(text))))
    }

    /// The releases, newest first.
    pub(crate) fn releases(&self) -> &[Release] {
        &self.releases
    }

    /// The kept files of release `release` (an index into [`Segment::releases`]), as places
    /// in its block, in file-name order; the block is read and checked on first use. A
    /// damaged block is an error, and the cache entry is deleted.
    pub(crate) fn release_files(&self, release: usize) -> Result<&[BlockFile], String> {
        let row = self
            .releases
            .get(release)
            .ok_or_else(|| format!("no release number {release}"))?;
        if let Some(block) = row.block.get() {
            return Ok(&block.files);
        }
        let block = self
            .read_block(row)
            .inspect_err(|_| self.reader.discard())?;
        Ok(&row.block.get_or_init(|| Box::new(block)).files)
    }

    /// The file at `offset` in release `release`'s block. `None` for an offset that did not
    /// come from [`Segment::release_files`] (every file was checked when its block was read).
    pub(crate) fn file(&self, release: usize, offset: u32) -> Option<SegmentFile<'_>> {
        let row = self.releases.get(release)?;
        let block = row.block.get()?;
        let file = decode(&block.bytes, offset).ok()?;
        let wheel_tags = match file.wheel_tags {
            None => None,
            Some(index) => Some(self.tags(index)?),
        };
        let requires_python = match file.requires_python {
            None => None,
            Some(index) => Some(entry(&self.requires_python, index, "requires-python").ok()?),
        };
        Some(SegmentFile {
            file,
            version: &row.version,
            wheel_tags,
            requires_python,
        })
    }

    /// The whole body, as the cache keeps it (to write the entry again).
    pub(crate) fn body(&self) -> std::io::Result<(Vec<u8>, usize)> {
        let body = self.reader.read(0, self.reader.len())?.into_owned();
        Ok((body, self.blocks as usize))
    }

    /// The cache entry this page was read from, when it was.
    pub(crate) fn path(&self) -> Option<&std::path::Path> {
        self.reader.path()
    }
}

/// The compact file at `offset` of a block.
fn decode(bytes: &[u8], offset: u32) -> postcard::Result<CompactFile<'_>> {
    let bytes = bytes
        .get(offset as usize..)
        .ok_or(postcard::Error::DeserializeUnexpectedEnd)?;
    postcard::take_from_bytes::<CompactFile<'_>>(bytes).map(|(file, _)| file)
}

/// A file's upload time, checked.
fn upload_time(file: &CompactFile<'_>) -> Result<Option<jiff::Timestamp>, String> {
    match file.upload_time {
        None => Ok(None),
        Some((seconds, nanos)) => jiff::Timestamp::new(seconds, nanos)
            .map(Some)
            .map_err(|error| error.to_string()),
    }
}

impl<'a> SegmentFile<'a> {
    /// The file's absolute URL.
    pub(crate) fn url(&self) -> String {
        let file = &self.file;
        if !file.url_is_folder {
            return file.url.to_string();
        }
        let mut url = String::with_capacity(file.url.len() + file.filename.len());
        url.push_str(file.url);
        url.push_str(file.filename);
        url
    }

    /// The advertised sha256 as lower-case hex (as served when it was not).
    pub(crate) fn sha256(&self) -> Option<String> {
        self.file.hashes.sha256.as_ref().map(Digest::to_hex)
    }

    /// Every advertised hash.
    pub(crate) fn hashes(&self) -> Hashes {
        self.file.hashes.to_hashes()
    }

    /// The upload time (checked when the page was read).
    pub(crate) fn upload_time(&self) -> Option<jiff::Timestamp> {
        upload_time(&self.file).ok().flatten()
    }

    /// Whether `<url>.metadata` is advertised.
    pub(crate) fn core_metadata(&self) -> CoreMetadataHint {
        match &self.file.core_metadata {
            CompactHint::Unknown => CoreMetadataHint::Unknown,
            CompactHint::NotAvailable => CoreMetadataHint::NotAvailable,
            CompactHint::Available(hashes) => {
                CoreMetadataHint::Available(hashes.as_ref().map(CompactHashes::to_hashes))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::listing::{FileId, FileView, ProjectListing};
    use crate::page::parse_project_page;
    use url::Url;

    const PAGE: &[u8] = br#"{"meta":{"api-version":"1.1"},"name":"x","files":[
        {"filename":"x-1.0-cp311-cp311-manylinux_2_17_x86_64.whl","url":"../../f/x-1.0-cp311-cp311-manylinux_2_17_x86_64.whl#sha256=AB",
         "hashes":{"sha512":"EF"},"requires-python":">=3.8","yanked":"broken",
         "upload-time":"2024-01-01T00:00:00.123456Z","size":10,"core-metadata":{"sha256":"cd"}},
        {"filename":"x-1.0.tar.gz","url":"https://mirror.example/x/download?file=x-1.0.tar.gz","hashes":{},
         "requires-python":">=3.8","yanked":true,"dist-info-metadata":false},
        {"filename":"x-0.9.zip","url":"x-0.9.zip","hashes":{"sha256":"00"},"requires-python":">= 3.7, <4",
         "core-metadata":true},
        {"filename":"x-0.9-cp311-cp311-manylinux_2_17_x86_64.whl","url":"x-0.9-cp311-cp311-manylinux_2_17_x86_64.whl",
         "hashes":{"sha256":"0123456789ABCDEF0123456789abcdef0123456789abcdef0123456789abcdef"},
         "core-metadata":{"sha256":"fedcba9876543210fedcba9876543210fedcba9876543210fedcba9876543210"}},
        {"filename":"x-0.8.tar.gz","url":"x-0.8.tar.gz","hashes":{}}]}"#;

    fn name() -> PackageName {
        PackageName::from_str("x").expect("valid name")
    }

    fn files() -> Vec<DistFile> {
        let page_url = Url::parse("https://index.example/simple/x/").expect("valid URL");
        parse_project_page(PAGE, crate::page::JSON_MEDIA_TYPE, &page_url, &name())
            .expect("valid page")
    }

    fn segment(
        (bytes, index): (Vec<u8>, usize),
        cutoff: Option<jiff::Timestamp>,
    ) -> Result<(Segment, usize), String> {
        Segment::read(BodyReader::memory(bytes), index, &name(), cutoff)
    }

    fn listing(encoded: (Vec<u8>, usize)) -> Result<ProjectListing, String> {
        let (segment, _) = segment(encoded, None)?;
        Ok(ProjectListing::new(crate::IndexUrl::pypi(), vec![segment]))
    }

    fn by_name(mut files: Vec<DistFile>) -> Vec<DistFile> {
        files.sort_by(|a, b| a.filename.filename().cmp(b.filename.filename()));
        files
    }

    /// Every field of every file survives the round trip (compared through `Debug`, which
    /// shows all of them), releases come newest first with their files by name, and a file
    /// read again by its id is the same file.
    #[test]
    fn round_trips_every_field() {
        let files = files();
        assert_eq!(files.len(), 5);
        let (bytes, index) = encode(&name(), &files).expect("encodes");
        let listing = listing((bytes.clone(), index)).expect("reads");
        let versions: Vec<String> = listing
            .releases()
            .iter()
            .map(|release| release.version().to_string())
            .collect();
        assert_eq!(versions, ["1.0", "0.9", "0.8"]);
        let views: Vec<(FileId, FileView<'_>)> = listing.files().expect("readable");
        let names: Vec<&str> = views.iter().map(|(_, view)| view.filename()).collect();
        assert_eq!(
            names,
            [
                "x-1.0-cp311-cp311-manylinux_2_17_x86_64.whl",
                "x-1.0.tar.gz",
                "x-0.9-cp311-cp311-manylinux_2_17_x86_64.whl",
                "x-0.9.zip",
                "x-0.8.tar.gz"
            ]
        );
        let decoded: Vec<DistFile> = views
            .iter()
            .map(|(_, file)| file.to_dist_file(&name()).expect("valid name and URL"))
            .collect();
        assert_eq!(
            format!("{:#?}", by_name(decoded)),
            format!("{:#?}", by_name(files))
        );
        for (id, view) in &views {
            let again = listing.file(*id).expect("its own id");
            assert_eq!(again.filename(), view.filename());
            assert_eq!(again.url(), view.url());
        }
        // Both files of 1.0 are yanked, so the release is, with the first reason by file name.
        assert_eq!(listing.releases()[0].yanked(), Some("broken"));
        assert_eq!(listing.releases()[1].yanked(), None);
        // The two wheels share one tag set; full-length sha256s were stored as bytes.
        let (Some(first), Some(last)) = (views[0].1.wheel_tags(), views[2].1.wheel_tags()) else {
            panic!("both are wheels");
        };
        assert!(Arc::ptr_eq(first, last));
        assert!(
            !bytes
                .windows(16)
                .any(|window| window == b"fedcba9876543210")
        );
        // The file name is not stored twice when the URL ends with it.
        let occurrences = bytes
            .windows(b"x-1.0-cp311".len())
            .filter(|window| *window == b"x-1.0-cp311")
            .count();
        assert_eq!(occurrences, 1);
    }

    /// A wheel's fit judged on its tag-set text is the file name's own answer.
    #[test]
    fn fits_match_the_file_names() {
        use crate::listing::FileFit;
        use npsolve_platform::{Platform, PythonVersion};
        let listing = listing(encode(&name(), &files()).expect("encodes")).expect("reads");
        for (python, platform) in [
            ("3.11", "x86_64-manylinux_2_28"),
            ("3.12", "x86_64-manylinux_2_28"),
            ("3.11", "x86_64-manylinux_2_12"),
        ] {
            let tags = Tags::for_cpython(
                &PythonVersion::from_str(python).expect("python"),
                &Platform::from_str(platform).expect("platform"),
            );
            let mut wheels = 0;
            for release in 0..listing.releases().len() {
                for (id, fit) in listing.release_fits(release, &tags).expect("readable") {
                    let file = listing.file(id).expect("its own id");
                    let expected = match DistFilename::parse(file.filename(), &name()) {
                        Ok(DistFilename::Wheel(wheel)) => {
                            wheels += 1;
                            wheel
                                .compatibility(&tags)
                                .map_or(FileFit::Foreign, FileFit::Wheel)
                        }
                        _ => FileFit::Sdist,
                    };
                    assert_eq!(fit, expected, "{} on {python} {platform}", file.filename());
                }
            }
            assert_eq!(wheels, 2);
        }
    }

    /// Nothing but the index is read until a release's files are asked for.
    #[test]
    fn reads_a_release_only_when_asked() {
        let (mut bytes, index) = encode(&name(), &files()).expect("encodes");
        // Damage the last block (0.8's): the page still opens, 1.0 still reads, 0.8 fails.
        let last = bytes.len() - 1;
        bytes[last] ^= 0xff;
        let listing = listing((bytes, index)).expect("the index is intact");
        assert_eq!(listing.release_files(0).expect("intact").len(), 2);
        let Err(error) = listing.release_files(2) else {
            panic!("a damaged block was read");
        };
        assert!(
            error.to_string().contains("`0.8` fails its check"),
            "{error}"
        );
    }

    /// With a cutoff, later and undated files are left out and counted apart, releases left
    /// with no file disappear, and yanked is judged on the files kept.
    #[test]
    fn leaves_out_files_after_the_cutoff() {
        let encoded = encode(&name(), &files()).expect("encodes");
        let cutoff: jiff::Timestamp = "2024-06-01T00:00:00Z".parse().expect("time");
        let (late, undated) = segment(encoded.clone(), Some(cutoff)).expect("reads");
        let kept: Vec<(String, usize, Option<&str>)> = late
            .releases()
            .iter()
            .map(|release| {
                (
                    release.version.to_string(),
                    release.files(),
                    release.yanked.as_deref(),
                )
            })
            .collect();
        assert_eq!(kept, [("1.0".to_string(), 1, Some("broken"))]);
        assert_eq!(undated, 4);
        let early: jiff::Timestamp = "2023-06-01T00:00:00Z".parse().expect("time");
        let (early, undated) = segment(encoded, Some(early)).expect("reads");
        assert_eq!((early.releases().len(), undated), (0, 4));
    }

    #[test]
    fn rejects_damaged_or_foreign_bytes() {
        let (bytes, index) = encode(&name(), &files()).expect("encodes");
        // Every truncation, and bytes after the end, are errors, never a panic.
        for end in 0..bytes.len() {
            let index = index.min(end);
            assert!(listing((bytes[..end].to_vec(), index)).is_err(), "{end}");
        }
        let mut longer = bytes.clone();
        longer.push(0);
        assert!(listing((longer, index)).is_err());
        // An index that claims more or fewer bytes than it has.
        assert!(listing((bytes.clone(), index - 1)).is_err());
        assert!(listing((bytes.clone(), index + 1)).is_err());
        // The same page read as another project's.
        let other = PackageName::from_str("y").expect("valid name");
        assert!(Segment::read(BodyReader::memory(bytes), index, &other, None).is_err());
        assert!(listing((Vec::new(), 0)).is_err());
    }
}
