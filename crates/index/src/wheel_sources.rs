//! Reading some of a wheel's members whole (its Python sources, for the API scan) without
//! downloading the wheel: the zip tail and central directory by HTTP range requests, then
//! the chosen members' compressed bytes, neighbours merged into one range when little lies
//! between them, within a byte budget. Each member is inflated and checked against its
//! CRC-32.
//!
//! The caller chooses the members by name and reads their text; this module knows nothing
//! of Python.

use futures::future::join_all;
use npsolve_platform::DistFilename;
use reqwest::StatusCode;

use crate::byte_range::LOCAL_HEADER_SLACK;
use crate::client::{IndexClient, Inner};
use crate::dist_file::DistFile;
use crate::error::IndexError;
use crate::safe_url::{SafeUrl, redact};
use crate::wheel_members::Reader;
use crate::zip_archive::{self, Entry, LOCAL_HEADER_SIZE};

/// Two members closer than this are fetched in one range (the gap is read and dropped).
const MERGE_GAP: u64 = 64 * 1024;
/// The longest range asked for at once.
const MAX_SPAN: u64 = 4 * 1024 * 1024;
/// Ranges in flight at once.
const PARALLEL_SPANS: usize = 16;
/// A member larger than this once inflated is not read (generated tables, vendored bundles).
const MAX_MEMBER: u64 = 4 * 1024 * 1024;

/// How a wheel's members are read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SourceOptions {
    /// Compressed bytes one wheel may cost (the tail and directory included); the members
    /// past it are not read.
    pub byte_budget: u64,
}

impl Default for SourceOptions {
    fn default() -> Self {
        SourceOptions {
            byte_budget: 8 * 1024 * 1024,
        }
    }
}

/// One member, inflated.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SourceMember {
    /// Its path in the wheel.
    pub name: String,
    /// Its bytes.
    pub bytes: Vec<u8>,
}

/// The members read, and what reading them cost.
#[derive(Debug, Clone, Default)]
pub struct WheelSources {
    /// The members chosen and read, by path.
    pub members: Vec<SourceMember>,
    /// How many members were chosen.
    pub chosen: usize,
    /// Whether every chosen member was read (else the budget ran out, or a member was too
    /// large, or the server serves no ranges for a large file).
    pub complete: bool,
    /// Bytes fetched (or read, for a local file).
    pub bytes_fetched: u64,
    /// HTTP requests made (0 for a local file).
    pub requests: u64,
    /// What the chosen members hold, from the central directory alone: a digest of each
    /// one's path, CRC-32 and size. Wheels of one release built for other platforms have
    /// the same Python sources, so the same content; `None` when the directory was not read.
    pub content: Option<String>,
    /// The caller already knew `content` (its `known` said so): no member was read.
    pub known: bool,
}

impl IndexClient {
    /// Reads the members of the wheel `file` whose paths `choose` accepts, by range requests
    /// (or from the local file), within `options`' budget, smallest offsets first.
    ///
    /// Fails when the file is not a wheel or not a zip archive, a member fails its CRC-32,
    /// or the file cannot be fetched; running out of budget is `Ok` with `complete: false`.
    /// When `known` accepts the [`WheelSources::content`] of the chosen members (the caller
    /// read the same members from another wheel), nothing more is fetched.
    pub async fn wheel_sources(
        &self,
        file: &DistFile,
        choose: &(dyn Fn(&str) -> bool + Sync),
        known: &(dyn Fn(&str) -> bool + Sync),
        options: &SourceOptions,
    ) -> Result<WheelSources, IndexError> {
        self.inner.wheel_sources(file, choose, known, options).await
    }
}

/// The bytes of one member's local header and data, within the archive, as far as the
/// central directory tells (the extra field's length is a guess, checked on reading).
fn extent(entry: &Entry) -> (u64, u64) {
    let len = LOCAL_HEADER_SIZE + entry.name.len() as u64 + LOCAL_HEADER_SLACK;
    (entry.local_header_offset, len + entry.compressed_size)
}

/// The digest of `members`' paths, CRC-32s and sizes, in path order (the order of a
/// directory is the builder's, not the content's).
fn content_digest(members: &[&Entry]) -> String {
    use sha2::Digest;
    let mut listed: Vec<(&str, u32, u64)> = members
        .iter()
        .map(|entry| (entry.name.as_str(), entry.crc32, entry.uncompressed_size))
        .collect();
    listed.sort_unstable();
    let mut hasher = sha2::Sha256::new();
    for (name, crc32, size) in listed {
        hasher.update(format!("{name}\t{crc32:08x}\t{size}\n").as_bytes());
    }
    hex::encode(hasher.finalize())
}

/// Members grouped into ranges: each group is fetched with one request.
fn spans<'e>(members: &[&'e Entry], limit: u64) -> Vec<(u64, u64, Vec<&'e Entry>)> {
    let mut spans: Vec<(u64, u64, Vec<&Entry>)> = Vec::new();
    for entry in members {
        let (start, len) = extent(entry);
        let end = (start + len).min(limit);
        match spans.last_mut() {
            Some((span_start, span_end, group))
                if start <= *span_end + MERGE_GAP && end - *span_start <= MAX_SPAN =>
            {
                *span_end = (*span_end).max(end);
                group.push(entry);
            }
            _ => spans.push((start, end, vec![entry])),
        }
    }
    spans
}

impl Inner {
    async fn wheel_sources(
        &self,
        file: &DistFile,
        choose: &(dyn Fn(&str) -> bool + Sync),
        known: &(dyn Fn(&str) -> bool + Sync),
        options: &SourceOptions,
    ) -> Result<WheelSources, IndexError> {
        let filename = file.filename.to_string();
        if !matches!(file.filename, DistFilename::Wheel(_)) {
            return Err(IndexError::BadArchive {
                filename,
                url: SafeUrl::new(file.url.clone()),
                reason: "only wheels are read member by member; this is a source distribution"
                    .to_string(),
            });
        }
        let mut sources = WheelSources {
            complete: true,
            ..WheelSources::default()
        };
        let reader = if file.url.scheme() == "file" {
            Reader::whole(&file.url, self.download(file).await?)
        } else {
            if self.options.cache.offline {
                return Err(IndexError::Offline {
                    what: format!("the sources of `{filename}` ({})", redact(&file.url)),
                });
            }
            match self.remote_reader(file, &filename).await? {
                Ok(reader) => reader,
                Err(status) => {
                    let small = status == StatusCode::RANGE_NOT_SATISFIABLE.as_u16()
                        || file.size.is_some_and(|size| size <= options.byte_budget);
                    if !small {
                        sources.complete = false;
                        sources.requests = 1;
                        return Ok(sources);
                    }
                    let mut reader = Reader::whole(&file.url, self.download(file).await?);
                    reader.count_download();
                    reader
                }
            }
        };
        let outcome = self
            .read_sources(&reader, choose, known, options, &mut sources)
            .await;
        sources.bytes_fetched = reader.fetched();
        sources.requests = reader.requests();
        outcome.map(|()| sources)
    }

    async fn read_sources(
        &self,
        reader: &Reader,
        choose: &(dyn Fn(&str) -> bool + Sync),
        known: &(dyn Fn(&str) -> bool + Sync),
        options: &SourceOptions,
        sources: &mut WheelSources,
    ) -> Result<(), IndexError> {
        let (directory, entries) = self.directory(reader).await?;
        let mut chosen: Vec<&Entry> = entries
            .iter()
            .filter(|entry| !entry.name.ends_with('/') && choose(&entry.name))
            .collect();
        sources.chosen = chosen.len();
        let content = content_digest(&chosen);
        sources.known = known(&content);
        sources.content = Some(content);
        if sources.known {
            return Ok(());
        }
        let before = chosen.len();
        chosen.retain(|entry| entry.uncompressed_size <= MAX_MEMBER);
        if chosen.len() < before {
            sources.complete = false;
        }
        chosen.sort_by_key(|entry| entry.local_header_offset);
        // Members end before the central directory; the guessed slack must not run past it.
        let spans = spans(&chosen, directory.offset.min(reader.total()));
        let mut budget = options.byte_budget.saturating_sub(reader.fetched());
        let mut wanted = Vec::new();
        for (start, end, group) in spans {
            let len = end - start;
            if len > budget {
                sources.complete = false;
                break;
            }
            budget -= len;
            wanted.push((start, len, group));
        }
        for batch in wanted.chunks(PARALLEL_SPANS) {
            let fetched = join_all(
                batch
                    .iter()
                    .map(|(start, len, _)| self.read(reader, *start, *len)),
            )
            .await;
            for ((start, _, group), bytes) in batch.iter().zip(fetched) {
                let bytes = bytes?;
                for entry in group {
                    let member = self.member_in_span(reader, entry, *start, &bytes).await?;
                    sources.members.push(SourceMember {
                        name: entry.name.clone(),
                        bytes: member,
                    });
                }
            }
        }
        sources.members.sort_by(|a, b| a.name.cmp(&b.name));
        Ok(())
    }

    /// One member's inflated bytes from a span fetched from `span_start`; an extra field
    /// longer than the slack costs one more request for the rest.
    async fn member_in_span(
        &self,
        reader: &Reader,
        entry: &Entry,
        span_start: u64,
        span: &[u8],
    ) -> Result<Vec<u8>, IndexError> {
        let at = usize::try_from(entry.local_header_offset - span_start)
            .map_err(|_| reader.bad(format!("`{}` lies out of range", entry.name)))?;
        let header = span
            .get(at..)
            .ok_or_else(|| reader.bad(format!("`{}` lies past the range read", entry.name)))?;
        let header_len =
            zip_archive::local_header_len(header).map_err(|reason| reader.bad(reason))?;
        let data_len = usize::try_from(entry.compressed_size).unwrap_or(usize::MAX);
        let data_start = usize::try_from(header_len).unwrap_or(usize::MAX);
        let data = match header.get(data_start..data_start.saturating_add(data_len)) {
            Some(data) => data.to_vec(),
            None => {
                self.read(
                    reader,
                    entry.local_header_offset + header_len,
                    entry.compressed_size,
                )
                .await?
            }
        };
        zip_archive::inflate(entry, &data).map_err(|reason| reader.bad(reason))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(name: &str, offset: u64, compressed: u64) -> Entry {
        Entry {
            name: name.to_string(),
            method: 8,
            crc32: 0,
            compressed_size: compressed,
            uncompressed_size: compressed * 3,
            local_header_offset: offset,
        }
    }

    #[test]
    fn neighbours_share_a_range_and_distant_members_do_not() {
        let a = entry("a.py", 0, 1000);
        let b = entry("b.py", 2000, 1000);
        let far = entry("c.py", 10 * 1024 * 1024, 1000);
        let members = [&a, &b, &far];
        let spans = spans(&members, 20 * 1024 * 1024);
        assert_eq!(spans.len(), 2);
        assert_eq!(spans[0].2.len(), 2);
        assert_eq!(spans[0].0, 0);
        assert!(spans[0].1 >= 3000 + LOCAL_HEADER_SIZE);
        assert_eq!(spans[1].0, 10 * 1024 * 1024);
    }

    #[test]
    fn a_range_stops_at_the_directory() {
        let a = entry("a.py", 0, 1000);
        let spans = spans(&[&a], 1100);
        assert_eq!(spans[0].1, 1100);
    }
}
