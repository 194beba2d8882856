//! The disk cache: versioned layout, atomic writes, self-checking entries.
//!
//! Layout under the cache dir: `v5/pages/<index-key>/<name>.entry` (project pages in their
//! compact form with their validators) and `v5/metadata/<key[..2]>/<key>.entry` (core metadata
//! keyed by the file's sha256, or by a hash of its URL). `v1` held pages as served, `v2` to
//! `v4` earlier compact forms or checksums; a format change bumps the folder, so an older
//! layout is never misread. Each entry is `npsolve-cache-v5\n`, one JSON header line (body
//! length, a CRC-32, caller data), then the body. A torn or corrupt entry fails the check
//! and is deleted; entries are written to a temp file in the same folder and renamed, so
//! concurrent processes only ever see whole entries.
//!
//! Most entries are read whole and their CRC-32 covers the whole body. A project page is an
//! *indexed* entry ([`Cache::write_indexed`], [`Cache::open_indexed`]): its CRC-32 covers only
//! the body's leading index, which is checked when the entry is opened, and the rest is read
//! in pieces on demand through a [`BodyReader`], each piece checked by its reader against a
//! CRC-32 the index holds. A warm resolution touches a few of a big project's thousands of
//! releases, and reading every page whole (30 MB for 170 projects) was most of its time.
//!
//! The check is a CRC-32, not a cryptographic hash: it guards against torn and damaged
//! files, and a hash stored beside the data it covers proves nothing against someone who can
//! write the cache.

use std::borrow::Cow;
use std::fs::File;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::error::IndexError;
use crate::stats::{Counters, bump};

const MAGIC: &[u8] = b"npsolve-cache-v5\n";

/// An indexed entry no larger than this is read whole when opened (one read, no file kept
/// open); a larger one keeps its file open and reads the rest on demand.
const WHOLE_READ: u64 = 32 * 1024;

/// How much of a larger indexed entry the first read takes (more when its index is longer).
const FIRST_READ: u64 = 16 * 1024;

/// At most this many indexed entries are kept open at once (macOS allows a process 256 open
/// files by default); past it, entries are read whole.
const MAX_OPEN: usize = 128;

/// The hex sha256 of `bytes`.
pub fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

#[derive(Serialize, Deserialize)]
struct Header<M> {
    len: u64,
    /// The CRC-32 of the whole body, or of its first `index` bytes for an indexed entry.
    crc32: u32,
    /// For an indexed entry, the length of the body's index.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    index: Option<u64>,
    data: M,
}

/// The CRC-32 of `bytes`.
pub(crate) fn crc32(bytes: &[u8]) -> u32 {
    let mut crc = flate2::Crc::new();
    crc.update(bytes);
    crc.sum()
}

/// An entry's body, still in the buffer the entry was read into.
#[derive(Debug)]
pub(crate) struct Body {
    bytes: Vec<u8>,
    start: usize,
}

impl Body {
    /// A body that is the whole buffer (one just encoded, not read from an entry).
    pub(crate) fn whole(bytes: Vec<u8>) -> Body {
        Body { bytes, start: 0 }
    }
}

impl std::ops::Deref for Body {
    type Target = [u8];

    fn deref(&self) -> &[u8] {
        self.bytes.get(self.start..).unwrap_or_default()
    }
}

/// The body of an indexed entry: the bytes read so far, and the open file for the rest.
///
/// Pieces are read with positioned reads, so one reader serves many threads at once; the
/// open file keeps the entry's bytes readable even when another process replaces the entry.
#[derive(Debug)]
pub(crate) struct BodyReader {
    /// The entry's path (for messages, and to delete it when a piece is damaged).
    path: Option<PathBuf>,
    /// The first bytes of the entry, from `start` on its body.
    prefix: Body,
    /// The body's length.
    len: u64,
    /// Where the body starts in the file.
    offset: u64,
    /// The file, when `prefix` does not hold the whole body.
    file: Option<OpenFile>,
}

/// A file kept open, counted against [`MAX_OPEN`] until dropped.
#[derive(Debug)]
struct OpenFile {
    file: File,
    count: Arc<AtomicUsize>,
}

impl OpenFile {
    /// Keeps `file` open when fewer than [`MAX_OPEN`] are, else gives it back.
    fn keep(file: File, count: &Arc<AtomicUsize>) -> Result<OpenFile, File> {
        match count.fetch_update(Ordering::Relaxed, Ordering::Relaxed, |open| {
            (open < MAX_OPEN).then_some(open + 1)
        }) {
            Ok(_) => Ok(OpenFile {
                file,
                count: count.clone(),
            }),
            Err(_) => Err(file),
        }
    }
}

impl Drop for OpenFile {
    fn drop(&mut self) {
        self.count.fetch_sub(1, Ordering::Relaxed);
    }
}

impl BodyReader {
    /// A reader over a body held whole in memory (one just encoded).
    pub(crate) fn memory(bytes: Vec<u8>) -> BodyReader {
        BodyReader {
            path: None,
            len: bytes.len() as u64,
            prefix: Body::whole(bytes),
            offset: 0,
            file: None,
        }
    }

    /// The body's length.
    pub(crate) fn len(&self) -> u64 {
        self.len
    }

    /// The entry's path, when it is one.
    pub(crate) fn path(&self) -> Option<&Path> {
        self.path.as_deref()
    }

    /// `len` bytes of the body from `start`: borrowed when already read, else read now.
    pub(crate) fn read(&self, start: u64, len: u64) -> std::io::Result<Cow<'_, [u8]>> {
        let end = start
            .checked_add(len)
            .filter(|&end| end <= self.len)
            .ok_or_else(|| std::io::Error::other("a piece beyond the end of the entry"))?;
        let held = self.prefix.len() as u64;
        if end <= held {
            // Within `held`, which is a `usize`.
            return Ok(Cow::Borrowed(&self.prefix[start as usize..end as usize]));
        }
        let open = self
            .file
            .as_ref()
            .ok_or_else(|| std::io::Error::other("the entry is not open"))?;
        let mut bytes = vec![0; usize::try_from(len).map_err(std::io::Error::other)?];
        read_exact_at(&open.file, &mut bytes, self.offset + start)?;
        Ok(Cow::Owned(bytes))
    }

    /// Deletes the entry (a piece of it was found damaged); the open file stays readable.
    pub(crate) fn discard(&self) {
        if let Some(path) = &self.path {
            tracing::warn!("deleting damaged cache entry `{}`", path.display());
            let _ = fs_err::remove_file(path);
        }
    }
}

/// Fills `buffer` from `file` at `offset`, without moving a shared cursor.
#[cfg(unix)]
fn read_exact_at(file: &File, buffer: &mut [u8], offset: u64) -> std::io::Result<()> {
    std::os::unix::fs::FileExt::read_exact_at(file, buffer, offset)
}

/// Fills `buffer` from `file` at `offset`, without moving a shared cursor.
#[cfg(windows)]
fn read_exact_at(file: &File, mut buffer: &mut [u8], mut offset: u64) -> std::io::Result<()> {
    while !buffer.is_empty() {
        match std::os::windows::fs::FileExt::seek_read(file, buffer, offset) {
            Ok(0) => return Err(std::io::ErrorKind::UnexpectedEof.into()),
            Ok(read) => {
                buffer = &mut buffer[read..];
                offset += read as u64;
            }
            Err(error) if error.kind() == std::io::ErrorKind::Interrupted => {}
            Err(error) => return Err(error),
        }
    }
    Ok(())
}

/// The cache; `root == None` keeps nothing on disk.
#[derive(Debug)]
pub(crate) struct Cache {
    root: Option<PathBuf>,
    /// How many indexed entries are kept open now.
    open_files: Arc<AtomicUsize>,
}

impl Cache {
    /// A cache under `<dir>/v5`, or none.
    pub fn new(dir: Option<PathBuf>) -> Cache {
        Cache {
            root: dir.map(|dir| dir.join("v5")),
            open_files: Arc::new(AtomicUsize::new(0)),
        }
    }

    /// The entry of a project page of one index.
    pub fn page_path(&self, index: &url::Url, name: &str) -> Option<PathBuf> {
        let index_key = &sha256_hex(index.as_str().as_bytes())[..16];
        Some(
            self.root
                .as_ref()?
                .join("pages")
                .join(index_key)
                .join(format!("{name}.entry")),
        )
    }

    /// The entry of a metadata file under a hex key.
    pub fn metadata_path(&self, key: &str) -> Option<PathBuf> {
        let prefix = key.get(..2).unwrap_or("xx");
        Some(
            self.root
                .as_ref()?
                .join("metadata")
                .join(prefix)
                .join(format!("{key}.entry")),
        )
    }

    /// The entry of metadata a build produced, under its key (the sdist's sha256 and the
    /// building Python).
    pub fn build_path(&self, key: &str) -> Option<PathBuf> {
        Some(
            self.root
                .as_ref()?
                .join("builds")
                .join(format!("{key}.entry")),
        )
    }

    /// Reads an entry; `None` when absent or corrupt (a corrupt entry is deleted).
    pub fn read<M: DeserializeOwned>(
        &self,
        path: &Path,
        counters: &Counters,
    ) -> Option<(M, Vec<u8>)> {
        self.read_body(path, counters)
            .map(|(data, body)| (data, body.to_vec()))
    }

    /// Reads an entry without copying its body out of the read buffer.
    pub fn read_body<M: DeserializeOwned>(
        &self,
        path: &Path,
        counters: &Counters,
    ) -> Option<(M, Body)> {
        let bytes = match fs_err::read(path) {
            Ok(bytes) => bytes,
            Err(error) => {
                if error.kind() != std::io::ErrorKind::NotFound {
                    tracing::warn!("{error}");
                }
                return None;
            }
        };
        match decode(bytes) {
            Some(entry) => Some(entry),
            None => {
                tracing::warn!("deleting corrupt cache entry `{}`", path.display());
                bump(&counters.corrupt_entries);
                let _ = fs_err::remove_file(path);
                None
            }
        }
    }

    /// Writes an entry atomically (temp file in the same folder, then rename).
    pub fn write<M: Serialize>(
        &self,
        path: &Path,
        data: &M,
        body: &[u8],
    ) -> Result<(), IndexError> {
        self.write_entry(path, data, body, None)
    }

    /// Writes an indexed entry atomically: only the first `index` bytes of `body` are covered
    /// by the entry's CRC-32; its readers check the rest piece by piece.
    pub fn write_indexed<M: Serialize>(
        &self,
        path: &Path,
        data: &M,
        body: &[u8],
        index: usize,
    ) -> Result<(), IndexError> {
        self.write_entry(path, data, body, Some(index))
    }

    fn write_entry<M: Serialize>(
        &self,
        path: &Path,
        data: &M,
        body: &[u8],
        index: Option<usize>,
    ) -> Result<(), IndexError> {
        let io = |source| IndexError::Io {
            path: path.to_path_buf(),
            source,
        };
        let folder = path
            .parent()
            .ok_or_else(|| io(std::io::Error::other("no parent folder")))?;
        fs_err::create_dir_all(folder).map_err(io)?;
        let checked = index.map_or(body, |index| &body[..index.min(body.len())]);
        let header = Header {
            len: body.len() as u64,
            crc32: crc32(checked),
            index: index.map(|index| index as u64),
            data,
        };
        let header =
            serde_json::to_vec(&header).map_err(|error| io(std::io::Error::other(error)))?;
        let mut file = tempfile::NamedTempFile::new_in(folder).map_err(io)?;
        file.write_all(MAGIC).map_err(io)?;
        file.write_all(&header).map_err(io)?;
        file.write_all(b"\n").map_err(io)?;
        file.write_all(body).map_err(io)?;
        // No fsync: a crash can leave a torn entry only after a power loss, and the length and
        // CRC check then rejects it; syncing every page and metadata file cost seconds cold.
        file.persist(path).map_err(|error| io(error.error))?;
        Ok(())
    }

    /// Opens an indexed entry: reads its header and index (the whole entry when small) and
    /// checks them; `None` when absent or corrupt (a corrupt entry is deleted). The reader's
    /// first `index` bytes are the checked index.
    pub fn open_indexed<M: DeserializeOwned>(
        &self,
        path: &Path,
        counters: &Counters,
    ) -> Option<(M, BodyReader, usize)> {
        let opened = match File::open(path) {
            Ok(file) => open_indexed(file, path, &self.open_files),
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => return None,
            Err(error) => Err(error),
        };
        match opened {
            Ok(Some(entry)) => Some(entry),
            Ok(None) => {
                tracing::warn!("deleting corrupt cache entry `{}`", path.display());
                bump(&counters.corrupt_entries);
                let _ = fs_err::remove_file(path);
                None
            }
            Err(error) => {
                tracing::warn!("cannot read cache entry `{}`: {error}", path.display());
                None
            }
        }
    }

    /// Deletes an entry (missing is fine).
    pub fn remove(&self, path: &Path) {
        let _ = fs_err::remove_file(path);
    }
}

/// Reads and checks the header and index of an indexed entry; `Ok(None)` when it is corrupt.
fn open_indexed<M: DeserializeOwned>(
    file: File,
    path: &Path,
    open_files: &Arc<AtomicUsize>,
) -> std::io::Result<Option<(M, BodyReader, usize)>> {
    let size = file.metadata()?.len();
    // A large entry stays open (while few are) and is read in pieces; any other is read whole.
    let kept = if size > WHOLE_READ {
        OpenFile::keep(file, open_files)
    } else {
        Err(file)
    };
    let (first, file) = match &kept {
        Ok(open) => (FIRST_READ, &open.file),
        Err(file) => (size, file),
    };
    let mut bytes = vec![0; usize::try_from(first).map_err(std::io::Error::other)?];
    read_exact_at(file, &mut bytes, 0)?;
    let Some(rest) = bytes.strip_prefix(MAGIC) else {
        return Ok(None);
    };
    let Some(newline) = rest.iter().position(|&byte| byte == b'\n') else {
        return Ok(None);
    };
    let Ok(header) = serde_json::from_slice::<Header<M>>(&rest[..newline]) else {
        return Ok(None);
    };
    let start = (MAGIC.len() + newline + 1) as u64;
    let Some(index) = header.index.filter(|&index| index <= header.len) else {
        return Ok(None);
    };
    // A torn entry is shorter than its header says.
    if start.checked_add(header.len) != Some(size) {
        return Ok(None);
    }
    let held = bytes.len() as u64;
    if start + index > held {
        let mut more =
            vec![0; usize::try_from(start + index - held).map_err(std::io::Error::other)?];
        read_exact_at(file, &mut more, held)?;
        bytes.extend_from_slice(&more);
    }
    let whole = bytes.len() as u64 == size;
    let start = start as usize;
    let index = index as usize;
    if crc32(&bytes[start..start + index]) != header.crc32 {
        return Ok(None);
    }
    let reader = BodyReader {
        path: Some(path.to_path_buf()),
        prefix: Body { bytes, start },
        len: header.len,
        offset: start as u64,
        file: kept.ok().filter(|_| !whole),
    };
    Ok(Some((header.data, reader, index)))
}

/// Checks and splits an entry; the body stays where it was read (no copy, no move).
fn decode<M: DeserializeOwned>(bytes: Vec<u8>) -> Option<(M, Body)> {
    let rest = bytes.strip_prefix(MAGIC)?;
    let newline = rest.iter().position(|&byte| byte == b'\n')?;
    let header: Header<M> = serde_json::from_slice(&rest[..newline]).ok()?;
    if header.index.is_some() {
        return None;
    }
    let body = &rest[newline + 1..];
    if body.len() as u64 != header.len || crc32(body) != header.crc32 {
        return None;
    }
    let start = MAGIC.len() + newline + 1;
    Some((header.data, Body { bytes, start }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_and_detects_corruption() {
        let dir = tempfile::tempdir().expect("temp dir");
        let cache = Cache::new(Some(dir.path().to_path_buf()));
        let counters = Counters::default();
        let path = cache.metadata_path("abcdef").expect("has a root");
        cache
            .write(&path, &"data".to_string(), b"body bytes")
            .expect("writes");
        let (data, body): (String, Vec<u8>) = cache.read(&path, &counters).expect("reads back");
        assert_eq!(
            (data.as_str(), body.as_slice()),
            ("data", &b"body bytes"[..])
        );

        // Flip one body byte, then truncate: both are detected and the entry is deleted.
        let mut bytes = std::fs::read(&path).expect("exists");
        let last = bytes.len() - 1;
        bytes[last] ^= 1;
        std::fs::write(&path, &bytes).expect("write");
        assert!(cache.read::<String>(&path, &counters).is_none());
        assert!(!path.exists());
        cache
            .write(&path, &"data".to_string(), b"body bytes")
            .expect("writes");
        let bytes = std::fs::read(&path).expect("exists");
        std::fs::write(&path, &bytes[..bytes.len() - 3]).expect("write");
        assert!(cache.read::<String>(&path, &counters).is_none());
        assert_eq!(counters.snapshot().corrupt_entries, 2);
        assert!(Cache::new(None).metadata_path("ab").is_none());
    }

    /// An indexed entry checks its index when opened and hands out the rest as asked; a
    /// damaged index or a torn entry is deleted, a damaged piece after the index is not seen
    /// until read (its reader checks it). Large entries keep their file open, small ones not.
    #[test]
    fn indexed_entries_check_the_index_and_read_the_rest_on_demand() {
        let dir = tempfile::tempdir().expect("temp dir");
        let cache = Cache::new(Some(dir.path().to_path_buf()));
        let counters = Counters::default();
        for size in [100, 3 * WHOLE_READ as usize] {
            let path = cache
                .page_path(&"https://i.example/".parse().expect("url"), "p")
                .expect("has a root");
            let mut body = b"index".to_vec();
            body.extend((0..size).map(|byte| (byte % 251) as u8));
            cache
                .write_indexed(&path, &"data".to_string(), &body, 5)
                .expect("writes");
            let (data, reader, index) = cache
                .open_indexed::<String>(&path, &counters)
                .expect("opens");
            assert_eq!(
                (data.as_str(), index, reader.len()),
                ("data", 5, body.len() as u64)
            );
            assert_eq!(reader.file.is_some(), size > WHOLE_READ as usize);
            let end = body.len() as u64;
            assert_eq!(&*reader.read(0, 5).expect("index"), b"index");
            assert_eq!(
                &*reader.read(end - 10, 10).expect("tail"),
                &body[body.len() - 10..]
            );
            assert!(reader.read(end - 10, 11).is_err());
            drop(reader);

            // A flipped byte after the index opens fine; one in the index does not.
            let mut bytes = std::fs::read(&path).expect("exists");
            let last = bytes.len() - 1;
            bytes[last] ^= 1;
            std::fs::write(&path, &bytes).expect("write");
            assert!(cache.open_indexed::<String>(&path, &counters).is_some());
            let header = bytes.iter().position(|&byte| byte == b'\n').expect("magic");
            let body_start = header
                + 1
                + bytes[header + 1..]
                    .iter()
                    .position(|&b| b == b'\n')
                    .expect("line")
                + 1;
            bytes[body_start] ^= 1;
            std::fs::write(&path, &bytes).expect("write");
            assert!(cache.open_indexed::<String>(&path, &counters).is_none());
            assert!(!path.exists(), "a damaged index is deleted");
            // Torn: shorter than its header says.
            cache
                .write_indexed(&path, &"data".to_string(), &body, 5)
                .expect("writes");
            let bytes = std::fs::read(&path).expect("exists");
            std::fs::write(&path, &bytes[..bytes.len() - 1]).expect("write");
            assert!(cache.open_indexed::<String>(&path, &counters).is_none());
            // An indexed entry is not read as a plain one, nor the other way round.
            cache
                .write_indexed(&path, &"data".to_string(), &body, 5)
                .expect("writes");
            assert!(cache.read::<String>(&path, &counters).is_none());
            cache
                .write(&path, &"data".to_string(), &body)
                .expect("writes");
            assert!(cache.open_indexed::<String>(&path, &counters).is_none());
        }
    }
}
