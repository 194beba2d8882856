//! The compact form of a project page that the disk cache keeps: only the validated fields of
//! each file, in postcard, read back without copying strings twice.
//!
//! A warm run used to re-parse every cached PyPI JSON page (46 MB for a 170-project
//! resolution) and re-validate every entry. The compact form holds absolute URLs with the
//! fragment already removed, lower-cased hashes, requires-python texts that parsed (each
//! distinct text stored and parsed once per page), and upload times as seconds and nanoseconds.

use std::str::FromStr;
use std::sync::Arc;

use npsolve_platform::DistFilename;
use pep440_rs::{Version, VersionSpecifiers};
use pep508_rs::PackageName;
use rustc_hash::FxHashMap;
use serde::{Deserialize, Serialize};

use crate::cache::Body;
use crate::dist_file::{CoreMetadataHint, DistFile, Hashes};
use crate::wheel_tags::WheelTags;

/// A project page: tables of what many files share, then the files. (Postcard writes a
/// nested struct's fields in place, so a reader can take the header alone, then the files one
/// by one.)
#[derive(Serialize)]
struct CompactPage<'a> {
    header: CompactHeader<'a>,
    files: Vec<CompactFile<'a>>,
}

/// The tables before the files.
#[derive(Serialize, Deserialize)]
struct CompactHeader<'a> {
    /// The project, checked on reading.
    name: &'a str,
    /// Distinct versions, as text.
    #[serde(borrow)]
    versions: Vec<&'a str>,
    /// Distinct wheel tag sets.
    #[serde(borrow)]
    tag_sets: Vec<CompactTags<'a>>,
    /// Distinct requires-python texts.
    #[serde(borrow)]
    requires_python: Vec<&'a str>,
}

#[derive(Clone, Serialize, Deserialize, PartialEq, Eq, Hash)]
struct CompactTags<'a> {
    #[serde(borrow)]
    python: Vec<&'a str>,
    #[serde(borrow)]
    abi: Vec<&'a str>,
    #[serde(borrow)]
    platform: Vec<&'a str>,
}

#[derive(Serialize, Deserialize)]
pub(crate) struct CompactFile<'a> {
    pub(crate) filename: &'a str,
    /// An index into [`CompactHeader::versions`].
    version: u32,
    /// An index into [`CompactHeader::tag_sets`]; `None` for an sdist.
    wheel_tags: Option<u32>,
    /// The absolute URL, or (when `url_is_folder`) the part before the file name.
    url: &'a str,
    url_is_folder: bool,
    #[serde(borrow)]
    hashes: CompactHashes<'a>,
    /// An index into [`CompactHeader::requires_python`].
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

fn strs(tags: &[String]) -> Vec<&str> {
    tags.iter().map(String::as_str).collect()
}

/// Encodes the validated files of `name`.
pub(crate) fn encode(name: &PackageName, files: &[DistFile]) -> Result<Vec<u8>, postcard::Error> {
    let texts: Vec<(String, String)> = files
        .iter()
        .map(|file| {
            (
                file.filename.version().to_string(),
                file.requires_python
                    .as_ref()
                    .map(ToString::to_string)
                    .unwrap_or_default(),
            )
        })
        .collect();
    let mut versions = Table::new();
    let mut tag_sets = Table::new();
    let mut requires_python = Table::new();
    let mut compact = Vec::with_capacity(files.len());
    for (file, (version, requires)) in files.iter().zip(&texts) {
        let filename = file.filename.filename();
        let url = file.url.as_str();
        let folder = url
            .strip_suffix(filename)
            .filter(|folder| folder.ends_with('/'));
        compact.push(CompactFile {
            filename,
            version: versions.index(version.as_str()),
            wheel_tags: match &file.filename {
                DistFilename::Wheel(wheel) => Some(tag_sets.index(CompactTags {
                    python: strs(&wheel.python_tags),
                    abi: strs(&wheel.abi_tags),
                    platform: strs(&wheel.platform_tags),
                })),
                DistFilename::Sdist(_) => None,
            },
            url: folder.unwrap_or(url),
            url_is_folder: folder.is_some(),
            hashes: CompactHashes::new(&file.hashes),
            requires_python: file
                .requires_python
                .as_ref()
                .map(|_| requires_python.index(requires.as_str())),
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
        });
    }
    postcard::to_allocvec(&CompactPage {
        header: CompactHeader {
            name: name.as_ref(),
            versions: versions.values,
            tag_sets: tag_sets.values,
            requires_python: requires_python.values,
        },
        files: compact,
    })
}

/// The entry of a table, or an error naming what is out of range.
fn entry<'t, T>(table: &'t [T], index: u32, what: &str) -> Result<&'t T, String> {
    usize::try_from(index)
        .ok()
        .and_then(|index| table.get(index))
        .ok_or_else(|| format!("{what} index {index} out of range"))
}

/// One compact page held as its bytes: the tables parsed once, each file decoded in place
/// when asked for (nothing is copied for the files nobody asks about).
#[derive(Debug)]
pub(crate) struct Segment {
    bytes: Body,
    versions: Vec<Version>,
    tag_sets: Vec<Arc<WheelTags>>,
    requires_python: Vec<VersionSpecifiers>,
    /// Where each kept file starts in `bytes`, in page order.
    offsets: Vec<u32>,
}

/// A file of a [`Segment`], its table references resolved.
pub(crate) struct SegmentFile<'a> {
    pub file: CompactFile<'a>,
    pub version: &'a Version,
    pub wheel_tags: Option<&'a Arc<WheelTags>>,
    pub requires_python: Option<&'a VersionSpecifiers>,
}

impl Segment {
    /// Reads and checks the compact page of `name` in `bytes`; any inconsistency is an error
    /// (the cache entry is then refetched). With `cutoff`, files uploaded after it or with no
    /// upload time are left out (`--exclude-newer`), and the second value counts the undated.
    ///
    /// Nothing is parsed per file: versions, tag sets and requires-python texts are parsed once
    /// per page, and URLs stay text (they were written by [`url::Url`]).
    pub(crate) fn read(
        bytes: Body,
        name: &PackageName,
        cutoff: Option<jiff::Timestamp>,
    ) -> Result<(Segment, usize), String> {
        let invalid = |error: postcard::Error| format!("invalid compact page: {error}");
        let whole: &[u8] = &bytes;
        let (header, rest) =
            postcard::take_from_bytes::<CompactHeader<'_>>(whole).map_err(invalid)?;
        if header.name != name.as_ref() {
            return Err(format!("the page of `{}`, not of `{name}`", header.name));
        }
        let versions = header
            .versions
            .iter()
            .map(|text| Version::from_str(text).map_err(|error| error.to_string()))
            .collect::<Result<Vec<_>, _>>()?;
        let requires_python = header
            .requires_python
            .iter()
            .map(|text| VersionSpecifiers::from_str(text).map_err(|error| error.to_string()))
            .collect::<Result<Vec<_>, _>>()?;
        let owned = |tags: &[&str]| tags.iter().map(|tag| (*tag).to_string()).collect();
        let tag_sets: Vec<Arc<WheelTags>> = header
            .tag_sets
            .iter()
            .map(|tags| {
                Arc::new(WheelTags {
                    python: owned(&tags.python),
                    abi: owned(&tags.abi),
                    platform: owned(&tags.platform),
                })
            })
            .collect();
        let (count, mut rest) = postcard::take_from_bytes::<u64>(rest).map_err(invalid)?;
        // Every file takes more than one byte: a count beyond the bytes left is damage, and
        // must not size an allocation.
        if count > rest.len() as u64 {
            return Err(format!("{count} files announced in {} bytes", rest.len()));
        }
        let mut offsets = Vec::with_capacity(usize::try_from(count).unwrap_or(0));
        let mut undated = 0;
        for _ in 0..count {
            let offset = u32::try_from(whole.len() - rest.len())
                .map_err(|_| "a compact page over 4 GiB".to_string())?;
            let (file, after) =
                postcard::take_from_bytes::<CompactFile<'_>>(rest).map_err(invalid)?;
            rest = after;
            entry(&versions, file.version, "version")?;
            if let Some(index) = file.wheel_tags {
                entry(&tag_sets, index, "tag set")?;
            }
            if let Some(index) = file.requires_python {
                entry(&requires_python, index, "requires-python")?;
            }
            let upload_time = upload_time(&file)?;
            let kept = match (cutoff, upload_time) {
                (None, _) => true,
                (Some(cutoff), Some(time)) => time <= cutoff,
                (Some(_), None) => {
                    undated += 1;
                    false
                }
            };
            if kept {
                offsets.push(offset);
            }
        }
        if !rest.is_empty() {
            return Err(format!("{} bytes after the last file", rest.len()));
        }
        let segment = Segment {
            bytes,
            versions,
            tag_sets,
            requires_python,
            offsets,
        };
        Ok((segment, undated))
    }

    /// The page's bytes, as the cache keeps them.
    pub(crate) fn bytes(&self) -> &[u8] {
        &self.bytes
    }

    /// How many files were kept.
    pub(crate) fn len(&self) -> usize {
        self.offsets.len()
    }

    /// Where each kept file starts, in page order.
    pub(crate) fn offsets(&self) -> &[u32] {
        &self.offsets
    }

    /// The file starting at `offset` (one [`Segment::offset`] gave). `None` only for an offset
    /// that did not come from this segment: every file was checked when the page was read.
    pub(crate) fn file(&self, offset: u32) -> Option<SegmentFile<'_>> {
        let bytes = self.bytes.get(usize::try_from(offset).ok()?..)?;
        let (file, _) = postcard::take_from_bytes::<CompactFile<'_>>(bytes).ok()?;
        let version = entry(&self.versions, file.version, "version").ok()?;
        let wheel_tags = match file.wheel_tags {
            None => None,
            Some(index) => Some(entry(&self.tag_sets, index, "tag set").ok()?),
        };
        let requires_python = match file.requires_python {
            None => None,
            Some(index) => Some(entry(&self.requires_python, index, "requires-python").ok()?),
        };
        Some(SegmentFile {
            file,
            version,
            wheel_tags,
            requires_python,
        })
    }
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

    fn listing(bytes: Vec<u8>, cutoff: Option<jiff::Timestamp>) -> Result<ProjectListing, String> {
        let (segment, _) = Segment::read(Body::whole(bytes), &name(), cutoff)?;
        Ok(ProjectListing::new(crate::IndexUrl::pypi(), vec![segment]))
    }

    /// Every field of every file survives the round trip (compared through `Debug`, which
    /// shows all of them), and a file read again by its id is the same file.
    #[test]
    fn round_trips_every_field() {
        let files = files();
        assert_eq!(files.len(), 5);
        let bytes = encode(&name(), &files).expect("encodes");
        let listing = listing(bytes.clone(), None).expect("reads");
        let decoded: Vec<DistFile> = listing
            .files()
            .map(|(_, file)| file.to_dist_file(&name()).expect("valid name and URL"))
            .collect();
        assert_eq!(format!("{decoded:#?}"), format!("{files:#?}"));
        let views: Vec<(FileId, FileView<'_>)> = listing.files().collect();
        for (id, view) in &views {
            let again = listing.file(*id).expect("its own id");
            assert_eq!(again.filename(), view.filename());
            assert_eq!(again.url(), view.url());
        }
        // The two wheels share one tag set; full-length sha256s were stored as bytes.
        let (Some(first), Some(last)) = (views[0].1.wheel_tags(), views[3].1.wheel_tags()) else {
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

    /// With a cutoff, later and undated files are left out and counted apart.
    #[test]
    fn leaves_out_files_after_the_cutoff() {
        let bytes = encode(&name(), &files()).expect("encodes");
        let cutoff: jiff::Timestamp = "2024-06-01T00:00:00Z".parse().expect("time");
        let (segment, undated) =
            Segment::read(Body::whole(bytes.clone()), &name(), Some(cutoff)).expect("reads");
        assert_eq!((segment.len(), undated), (1, 4));
        let early: jiff::Timestamp = "2023-06-01T00:00:00Z".parse().expect("time");
        let (segment, undated) =
            Segment::read(Body::whole(bytes), &name(), Some(early)).expect("reads");
        assert_eq!((segment.len(), undated), (0, 4));
    }

    #[test]
    fn rejects_damaged_or_foreign_bytes() {
        let bytes = encode(&name(), &files()).expect("encodes");
        assert!(listing(bytes[..bytes.len() / 2].to_vec(), None).is_err());
        // Every truncation, and bytes after the end, are errors, never a panic.
        for end in 0..bytes.len() {
            assert!(listing(bytes[..end].to_vec(), None).is_err(), "{end}");
        }
        let mut longer = bytes.clone();
        longer.push(0);
        assert!(listing(longer, None).is_err());
        // The same page read as another project's.
        let other = PackageName::from_str("y").expect("valid name");
        assert!(Segment::read(Body::whole(bytes), &other, None).is_err());
        assert!(listing(Vec::new(), None).is_err());
    }
}
