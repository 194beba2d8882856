//! Just enough of the ZIP format to pull one member out of a wheel: the end-of-central-directory
//! record (ZIP64 included), the central directory, one local header and its data.
//!
//! Works on whole archives and on the pieces that range requests bring.

use std::io::Read;

/// Longest member we are willing to inflate (metadata files are small).
const MAX_MEMBER_SIZE: u64 = 64 * 1024 * 1024;

/// Size of the fixed part of the end-of-central-directory record.
const EOCD_SIZE: usize = 22;
/// Size of the fixed part of a local file header.
pub(crate) const LOCAL_HEADER_SIZE: u64 = 30;

/// Where the central directory lies.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Directory {
    /// Offset of the central directory from the start of the archive.
    pub offset: u64,
    /// Its size in bytes.
    pub size: u64,
}

/// One central-directory entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Entry {
    pub name: String,
    pub method: u16,
    /// CRC-32 of the uncompressed data, as the central directory records it.
    pub crc32: u32,
    pub compressed_size: u64,
    pub uncompressed_size: u64,
    pub local_header_offset: u64,
}

fn u16_at(bytes: &[u8], at: usize) -> Option<u16> {
    Some(u16::from_le_bytes(bytes.get(at..at + 2)?.try_into().ok()?))
}

fn u32_at(bytes: &[u8], at: usize) -> Option<u32> {
    Some(u32::from_le_bytes(bytes.get(at..at + 4)?.try_into().ok()?))
}

fn u64_at(bytes: &[u8], at: usize) -> Option<u64> {
    Some(u64::from_le_bytes(bytes.get(at..at + 8)?.try_into().ok()?))
}

/// Finds the central directory from the last bytes of an archive.
///
/// `tail` holds the archive's bytes from `tail_offset` to its end.
pub(crate) fn find_directory(tail: &[u8], tail_offset: u64) -> Result<Directory, String> {
    if tail.len() < EOCD_SIZE {
        return Err("archive too short for a ZIP end record".to_string());
    }
    let eocd = (0..=tail.len() - EOCD_SIZE)
        .rev()
        .find(|&at| tail[at..].starts_with(b"PK\x05\x06"))
        .ok_or_else(|| "no ZIP end-of-central-directory record".to_string())?;
    let size = u32_at(tail, eocd + 12).ok_or("truncated ZIP end record")?;
    let offset = u32_at(tail, eocd + 16).ok_or("truncated ZIP end record")?;
    if size != u32::MAX && offset != u32::MAX {
        return Ok(Directory {
            offset: u64::from(offset),
            size: u64::from(size),
        });
    }
    // ZIP64: the locator sits just before the end record and points at the ZIP64 end record.
    let locator = eocd
        .checked_sub(20)
        .filter(|&at| tail[at..].starts_with(b"PK\x06\x07"))
        .ok_or("ZIP64 locator missing")?;
    let record = u64_at(tail, locator + 8).ok_or("truncated ZIP64 locator")?;
    let at = record
        .checked_sub(tail_offset)
        .and_then(|at| usize::try_from(at).ok())
        .filter(|&at| {
            tail.get(at..)
                .is_some_and(|rest| rest.starts_with(b"PK\x06\x06"))
        })
        .ok_or("ZIP64 end record not in the fetched tail")?;
    Ok(Directory {
        size: u64_at(tail, at + 40).ok_or("truncated ZIP64 end record")?,
        offset: u64_at(tail, at + 48).ok_or("truncated ZIP64 end record")?,
    })
}

/// Parses the central directory's entries.
pub(crate) fn entries(directory: &[u8]) -> Result<Vec<Entry>, String> {
    let mut entries = Vec::new();
    let mut at = 0;
    while directory
        .get(at..)
        .is_some_and(|rest| rest.starts_with(b"PK\x01\x02"))
    {
        let field =
            |offset: usize| u32_at(directory, at + offset).ok_or("truncated central directory");
        let short =
            |offset: usize| u16_at(directory, at + offset).ok_or("truncated central directory");
        let method = short(10)?;
        let crc32 = field(16)?;
        let mut compressed_size = u64::from(field(20)?);
        let mut uncompressed_size = u64::from(field(24)?);
        let name_len = usize::from(short(28)?);
        let extra_len = usize::from(short(30)?);
        let comment_len = usize::from(short(32)?);
        let mut local_header_offset = u64::from(field(42)?);
        let name_start = at + 46;
        let name = directory
            .get(name_start..name_start + name_len)
            .ok_or("truncated central directory")?;
        let extra = directory
            .get(name_start + name_len..name_start + name_len + extra_len)
            .ok_or("truncated central directory")?;
        // ZIP64 extended information: the 64-bit values present are those whose 32-bit field is saturated.
        let mut extra_at = 0;
        while extra_at + 4 <= extra.len() {
            let id = u16_at(extra, extra_at).unwrap_or(0);
            let len = usize::from(u16_at(extra, extra_at + 2).unwrap_or(0));
            if id == 0x0001 {
                let mut cursor = extra_at + 4;
                for value in [
                    &mut uncompressed_size,
                    &mut compressed_size,
                    &mut local_header_offset,
                ] {
                    if *value == u64::from(u32::MAX) {
                        *value = u64_at(extra, cursor).ok_or("truncated ZIP64 extra field")?;
                        cursor += 8;
                    }
                }
            }
            extra_at += 4 + len;
        }
        entries.push(Entry {
            name: String::from_utf8_lossy(name).into_owned(),
            method,
            crc32,
            compressed_size,
            uncompressed_size,
            local_header_offset,
        });
        at = name_start + name_len + extra_len + comment_len;
    }
    Ok(entries)
}

/// The wheel's `<name>-<version>.dist-info/METADATA` entry: top-level only, preferring the
/// `.dist-info` folder whose name matches the project.
pub(crate) fn metadata_entry<'a>(
    entries: &'a [Entry],
    dist_info_prefix: &str,
) -> Option<&'a Entry> {
    let candidates = entries.iter().filter(|entry| {
        entry
            .name
            .split_once('/')
            .is_some_and(|(folder, file)| folder.ends_with(".dist-info") && file == "METADATA")
    });
    let mut fallback = None;
    for entry in candidates {
        let folder = entry.name.split('/').next().unwrap_or("");
        if folder
            .to_ascii_lowercase()
            .starts_with(&format!("{}-", dist_info_prefix.to_ascii_lowercase()))
        {
            return Some(entry);
        }
        fallback.get_or_insert(entry);
    }
    fallback
}

/// The length of a local header (fixed part + name + extra), read from its first 30 bytes.
pub(crate) fn local_header_len(header: &[u8]) -> Result<u64, String> {
    if !header.starts_with(b"PK\x03\x04") {
        return Err("bad ZIP local header signature".to_string());
    }
    let name_len = u16_at(header, 26).ok_or("truncated ZIP local header")?;
    let extra_len = u16_at(header, 28).ok_or("truncated ZIP local header")?;
    Ok(LOCAL_HEADER_SIZE + u64::from(name_len) + u64::from(extra_len))
}

/// Decompresses a member's data (stored or deflated), checking its size.
pub(crate) fn inflate(entry: &Entry, data: &[u8]) -> Result<Vec<u8>, String> {
    if entry.uncompressed_size > MAX_MEMBER_SIZE {
        return Err(format!(
            "`{}` is too large ({} bytes)",
            entry.name, entry.uncompressed_size
        ));
    }
    let data = usize::try_from(entry.compressed_size)
        .ok()
        .and_then(|len| data.get(..len))
        .ok_or_else(|| format!("`{}` is truncated", entry.name))?;
    let out = match entry.method {
        0 => data.to_vec(),
        8 => {
            let mut out = Vec::with_capacity(usize::try_from(entry.uncompressed_size).unwrap_or(0));
            flate2::read::DeflateDecoder::new(data)
                .take(MAX_MEMBER_SIZE)
                .read_to_end(&mut out)
                .map_err(|error| format!("cannot inflate `{}`: {error}", entry.name))?;
            out
        }
        other => {
            return Err(format!(
                "`{}` uses unsupported compression method {other}",
                entry.name
            ));
        }
    };
    if out.len() as u64 != entry.uncompressed_size {
        return Err(format!(
            "`{}` inflated to {} bytes, expected {}",
            entry.name,
            out.len(),
            entry.uncompressed_size
        ));
    }
    // Range reads carry no file hash: the member's CRC-32 is what catches bytes corrupted
    // in transit (a flipped byte that still inflates).
    let mut crc = flate2::Crc::new();
    crc.update(&out);
    if crc.sum() != entry.crc32 {
        return Err(format!(
            "`{}` fails its CRC-32 check (corrupted in transit or in the archive)",
            entry.name
        ));
    }
    Ok(out)
}

/// Reads one member out of a whole archive held in memory.
pub(crate) fn read_member(archive: &[u8], entry: &Entry) -> Result<Vec<u8>, String> {
    let start = usize::try_from(entry.local_header_offset)
        .map_err(|_| "offset out of range".to_string())?;
    let header = archive
        .get(start..)
        .ok_or_else(|| format!("`{}` starts past the end", entry.name))?;
    let data_start = usize::try_from(local_header_len(header)?)
        .map_err(|_| "offset out of range".to_string())?;
    inflate(
        entry,
        header
            .get(data_start..)
            .ok_or_else(|| format!("`{}` is truncated", entry.name))?,
    )
}

/// The central directory of a whole archive held in memory.
pub(crate) fn archive_entries(archive: &[u8]) -> Result<Vec<Entry>, String> {
    let directory = find_directory(archive, 0)?;
    let start = usize::try_from(directory.offset).map_err(|_| "offset out of range".to_string())?;
    let end = start.saturating_add(usize::try_from(directory.size).unwrap_or(usize::MAX));
    entries(
        archive
            .get(start..end)
            .ok_or("central directory lies past the end of the archive")?,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A one-member stored archive: local header, data, central directory, end record.
    fn stored(name: &str, data: &[u8], crc32: u32) -> Vec<u8> {
        let mut archive = Vec::new();
        let size = u32::try_from(data.len()).unwrap();
        let name_len = u16::try_from(name.len()).unwrap();
        archive.extend_from_slice(b"PK\x03\x04");
        archive.extend_from_slice(&[20, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
        archive.extend_from_slice(&crc32.to_le_bytes());
        archive.extend_from_slice(&size.to_le_bytes());
        archive.extend_from_slice(&size.to_le_bytes());
        archive.extend_from_slice(&name_len.to_le_bytes());
        archive.extend_from_slice(&0u16.to_le_bytes());
        archive.extend_from_slice(name.as_bytes());
        archive.extend_from_slice(data);
        let directory_offset = u32::try_from(archive.len()).unwrap();
        archive.extend_from_slice(b"PK\x01\x02");
        archive.extend_from_slice(&[20, 0, 20, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
        archive.extend_from_slice(&crc32.to_le_bytes());
        archive.extend_from_slice(&size.to_le_bytes());
        archive.extend_from_slice(&size.to_le_bytes());
        archive.extend_from_slice(&name_len.to_le_bytes());
        archive.extend_from_slice(&[0; 12]);
        archive.extend_from_slice(&0u32.to_le_bytes());
        archive.extend_from_slice(name.as_bytes());
        let directory_size = u32::try_from(archive.len()).unwrap() - directory_offset;
        archive.extend_from_slice(b"PK\x05\x06");
        archive.extend_from_slice(&[0, 0, 0, 0, 1, 0, 1, 0]);
        archive.extend_from_slice(&directory_size.to_le_bytes());
        archive.extend_from_slice(&directory_offset.to_le_bytes());
        archive.extend_from_slice(&0u16.to_le_bytes());
        archive
    }

    #[test]
    fn a_member_damaged_in_transit_fails_its_crc() {
        let data = b"Metadata-Version: 2.1\nName: demo\nVersion: 1.0\n";
        let mut crc = flate2::Crc::new();
        crc.update(data);
        let archive = stored("demo-1.0.dist-info/METADATA", data, crc.sum());
        let entries = archive_entries(&archive).unwrap();
        assert_eq!(read_member(&archive, &entries[0]).unwrap(), data);
        // One flipped byte in the data still "inflates" (stored), but the CRC catches it.
        let mut damaged = archive.clone();
        damaged[30 + entries[0].name.len() + 5] ^= 0x01;
        let error = read_member(&damaged, &entries[0]).unwrap_err();
        assert!(error.contains("CRC-32"), "{error}");
    }
}
