//! The disk cache: versioned layout, atomic writes, self-checking entries.
//!
//! Layout under the cache dir: `v4/pages/<index-key>/<name>.entry` (project pages in their
//! compact form with their validators) and `v4/metadata/<key[..2]>/<key>.entry` (core metadata
//! keyed by the file's sha256, or by a hash of its URL). `v1` held pages as served, `v2` and
//! `v3` earlier compact forms or checksums; a format change bumps the folder, so an older
//! layout is never misread. Each entry is `npsolve-cache-v4\n`, one JSON header line (body
//! length, body CRC-32, caller data), then the body. A torn or corrupt entry fails the check
//! and is deleted; entries are written to a temp file in the same folder and renamed, so
//! concurrent processes only ever see whole entries.
//!
//! The check is a CRC-32, not a cryptographic hash: it guards against torn and damaged
//! files, and a hash stored beside the data it covers proves nothing against someone who can
//! write the cache. sha256 over the ~25 MB of pages a large warm resolution reads cost more
//! than the rest of reading them.

use std::io::Write;
use std::path::{Path, PathBuf};

use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::error::IndexError;
use crate::stats::{Counters, bump};

const MAGIC: &[u8] = b"npsolve-cache-v4\n";

/// The hex sha256 of `bytes`.
pub(crate) fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

#[derive(Serialize, Deserialize)]
struct Header<M> {
    len: u64,
    crc32: u32,
    data: M,
}

/// The CRC-32 of `bytes`.
fn crc32(bytes: &[u8]) -> u32 {
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

/// The cache; `root == None` keeps nothing on disk.
#[derive(Debug)]
pub(crate) struct Cache {
    root: Option<PathBuf>,
}

impl Cache {
    /// A cache under `<dir>/v4`, or none.
    pub fn new(dir: Option<PathBuf>) -> Cache {
        Cache {
            root: dir.map(|dir| dir.join("v4")),
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
        let io = |source| IndexError::Io {
            path: path.to_path_buf(),
            source,
        };
        let folder = path
            .parent()
            .ok_or_else(|| io(std::io::Error::other("no parent folder")))?;
        fs_err::create_dir_all(folder).map_err(io)?;
        let header = Header {
            len: body.len() as u64,
            crc32: crc32(body),
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

    /// Deletes an entry (missing is fine).
    pub fn remove(&self, path: &Path) {
        let _ = fs_err::remove_file(path);
    }
}

/// Checks and splits an entry; the body stays where it was read (no copy, no move).
fn decode<M: DeserializeOwned>(bytes: Vec<u8>) -> Option<(M, Body)> {
    let rest = bytes.strip_prefix(MAGIC)?;
    let newline = rest.iter().position(|&byte| byte == b'\n')?;
    let header: Header<M> = serde_json::from_slice(&rest[..newline]).ok()?;
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
}
