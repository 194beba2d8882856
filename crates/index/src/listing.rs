//! A project's files as the indexes list them, held in their compact encoded form and read in
//! place, release by release.
//!
//! A resolver looks at a few releases of each project it touches (a large resolution touches
//! 100,000 files and needs a few thousand): the ones it tries, and every file of the versions
//! it pins. So a [`ProjectListing`] holds each page as its compact cache entry (see
//! [`crate::page::compact`]): the releases are known from the page's index, and a release's
//! files are read from the entry when first asked for, as [`FileView`]s that borrow from them.
//! A [`FileId`] names a file so it can be read again later without a search.

use pep440_rs::{Version, VersionSpecifiers};
use pep508_rs::PackageName;
use std::sync::Arc;
use url::Url;

use crate::cache::BodyReader;
use crate::dist_file::{CoreMetadataHint, DistFile, Hashes};
use crate::error::IndexError;
use crate::locations::IndexUrl;
use crate::page::compact::{BlockFile, Segment, SegmentFile};
use crate::safe_url::SafeUrl;
use crate::wheel_tags::WheelTags;
use npsolve_platform::{DistFilename, TagPriority, Tags};

/// Every file of one project: the page of the first index that has it, then find-links files,
/// minus what `--exclude-newer` excludes; grouped into releases, newest first.
#[derive(Debug)]
pub struct ProjectListing {
    /// The index the page came from (the first index when none has the project).
    index: IndexUrl,
    /// The index page first, then one segment per find-links location with files.
    segments: Vec<Segment>,
    /// The releases of all segments together, newest first.
    releases: Vec<ListedRelease>,
}

/// One release of a [`ProjectListing`]: a version and where its files are.
#[derive(Debug)]
pub struct ListedRelease {
    version: Version,
    yanked: Option<String>,
    /// `(segment, release within it)` of the first segment that has it.
    first: (u32, u32),
    /// The same in later segments (find-links): almost always none.
    more: Vec<(u32, u32)>,
    /// How many files it has.
    files: usize,
}

impl ListedRelease {
    /// Where its files are, index page first.
    fn parts(&self) -> impl Iterator<Item = (u32, u32)> + '_ {
        std::iter::once(self.first).chain(self.more.iter().copied())
    }

    /// The version (as the first segment that has it names it: `1.0` and `1.0.0` are one).
    pub fn version(&self) -> &Version {
        &self.version
    }

    /// `Some(reason)` (possibly empty) when every file of the release is yanked: the reason
    /// given for the first of them in file-name order.
    pub fn yanked(&self) -> Option<&str> {
        self.yanked.as_deref()
    }
}

/// Names one file of a [`ProjectListing`] (valid for that listing only).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct FileId {
    segment: u32,
    release: u32,
    offset: u32,
}

impl FileId {
    /// The id as one number (for a caller that hands files out under its own opaque key).
    pub fn to_bits(self) -> u128 {
        (u128::from(self.segment) << 64)
            | (u128::from(self.release) << 32)
            | u128::from(self.offset)
    }

    /// The id [`FileId::to_bits`] gave; a number it did not give names no file of the listing
    /// (or another one: it is valid for the listing it came from only).
    pub fn from_bits(bits: u128) -> FileId {
        // Each field is 32 bits wide by construction; the casts take exactly those bits.
        FileId {
            segment: (bits >> 64) as u32,
            release: (bits >> 32) as u32,
            offset: bits as u32,
        }
    }
}

/// How a file fits a target.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileFit {
    /// A wheel the target installs, with its tag priority (higher is better).
    Wheel(TagPriority),
    /// A source distribution.
    Sdist,
    /// A wheel for another platform or Python.
    Foreign,
}

/// One file of a [`ProjectListing`], borrowed from it.
pub struct FileView<'a> {
    inner: SegmentFile<'a>,
}

impl ProjectListing {
    /// A listing of `segments` from `index`.
    pub(crate) fn new(index: IndexUrl, segments: Vec<Segment>) -> ProjectListing {
        let mut releases: Vec<ListedRelease> = Vec::new();
        for (segment, number) in segments.iter().zip(0u32..) {
            for (release, part) in segment.releases().iter().zip(0u32..) {
                // A segment's releases come newest first, so the index page's (usually all
                // there is) are appended without a search.
                let found = match releases.last() {
                    Some(last) if release.version >= last.version => {
                        releases.binary_search_by(|listed| release.version.cmp(&listed.version))
                    }
                    _ => Err(releases.len()),
                };
                match found {
                    Ok(position) => {
                        let listed = &mut releases[position];
                        listed.yanked = listed.yanked.take().and(release.yanked.clone());
                        listed.more.push((number, part));
                        listed.files += release.files();
                    }
                    Err(position) => releases.insert(
                        position,
                        ListedRelease {
                            version: release.version.clone(),
                            yanked: release.yanked.clone(),
                            first: (number, part),
                            more: Vec::new(),
                            files: release.files(),
                        },
                    ),
                }
            }
        }
        ProjectListing {
            index,
            segments,
            releases,
        }
    }

    /// A listing of `files` of `project` from `index`, in the same compact form as pages read
    /// from an index (for callers that hold files from elsewhere, and tests).
    pub fn from_files(
        index: IndexUrl,
        project: &PackageName,
        files: &[DistFile],
    ) -> Result<ProjectListing, IndexError> {
        let (segment, _) = segment_of(files, project, None, index.url())?;
        Ok(ProjectListing::new(index, vec![segment]))
    }

    /// The index the files came from (the first one that knows the project).
    pub fn index(&self) -> &IndexUrl {
        &self.index
    }

    /// The releases, newest first.
    pub fn releases(&self) -> &[ListedRelease] {
        &self.releases
    }

    /// The number of `version`'s release in [`ProjectListing::releases`].
    pub fn release_of(&self, version: &Version) -> Option<usize> {
        self.releases
            .binary_search_by(|listed| version.cmp(&listed.version))
            .ok()
    }

    /// How many files there are.
    pub fn len(&self) -> usize {
        self.segments
            .iter()
            .flat_map(Segment::releases)
            .map(|release| release.files())
            .sum()
    }

    /// True when no index or find-links location has a file of the project.
    pub fn is_empty(&self) -> bool {
        self.releases.is_empty()
    }

    /// Every file of release number `release`, ordered by file name, with how it fits `tags`,
    /// without decoding the files: read one with [`ProjectListing::file`]. The release's files
    /// are read from the cache entry on first use; a damaged entry is an error (and is
    /// deleted, so the page is fetched again next time).
    pub fn release_fits(
        &self,
        release: usize,
        tags: &Tags,
    ) -> Result<Vec<(FileId, FileFit)>, IndexError> {
        self.release_entries(release, |segment, entry| match entry.tags {
            None => FileFit::Sdist,
            Some(index) => segment
                .tag_priority(index, tags)
                .map_or(FileFit::Foreign, FileFit::Wheel),
        })
    }

    /// Every file of release `release` with what `judge` says of it, ordered by file name.
    fn release_entries<T>(
        &self,
        release: usize,
        judge: impl Fn(&Segment, &BlockFile) -> T,
    ) -> Result<Vec<(FileId, T)>, IndexError> {
        let Some(listed) = self.releases.get(release) else {
            return Ok(Vec::new());
        };
        let mut files = Vec::with_capacity(listed.files);
        for (number, part) in listed.parts() {
            let segment = &self.segments[number as usize];
            let entries = segment.release_files(part as usize).map_err(|reason| {
                IndexError::CacheDamaged {
                    path: segment
                        .path()
                        .map(std::path::Path::to_path_buf)
                        .unwrap_or_default(),
                    reason,
                }
            })?;
            for entry in entries {
                let id = FileId {
                    segment: number,
                    release: part,
                    offset: entry.offset,
                };
                files.push((id, judge(segment, entry)));
            }
        }
        if !listed.more.is_empty() {
            files.sort_by_cached_key(|(id, _)| {
                self.file(*id)
                    .map(|file| file.filename().to_string())
                    .unwrap_or_default()
            });
        }
        Ok(files)
    }

    /// Every file of release number `release`, ordered by file name (read as
    /// [`ProjectListing::release_fits`] says).
    pub fn release_files(&self, release: usize) -> Result<Vec<(FileId, FileView<'_>)>, IndexError> {
        Ok(self
            .release_entries(release, |_, _| ())?
            .into_iter()
            .filter_map(|(id, _)| Some((id, self.file(id)?)))
            .collect())
    }

    /// Every file, newest release first, each release's files by file name.
    pub fn files(&self) -> Result<Vec<(FileId, FileView<'_>)>, IndexError> {
        let mut files = Vec::with_capacity(self.len());
        for release in 0..self.releases.len() {
            files.extend(self.release_files(release)?);
        }
        Ok(files)
    }

    /// The file `id` names; `None` when `id` came from another listing (or names a file of
    /// a release not read yet).
    pub fn file(&self, id: FileId) -> Option<FileView<'_>> {
        let segment = self.segments.get(usize::try_from(id.segment).ok()?)?;
        segment
            .file(id.release as usize, id.offset)
            .map(|inner| FileView { inner })
    }
}

impl<'a> FileView<'a> {
    /// The file name as listed (checked against the project when the page was read).
    pub fn filename(&self) -> &'a str {
        self.inner.file.filename
    }

    /// The version the file name gives.
    pub fn version(&self) -> &'a Version {
        self.inner.version
    }

    /// A wheel's tags, shared by the page's files that have the same ones; `None` for an sdist.
    pub fn wheel_tags(&self) -> Option<&'a Arc<WheelTags>> {
        self.inner.wheel_tags
    }

    /// True for a wheel.
    pub fn is_wheel(&self) -> bool {
        self.inner.wheel_tags.is_some()
    }

    /// Where to download it: an absolute URL without fragment.
    pub fn url(&self) -> String {
        self.inner.url()
    }

    /// The advertised sha256, lower-case hex.
    pub fn sha256(&self) -> Option<String> {
        self.inner.sha256()
    }

    /// `requires-python` / `data-requires-python`, when given and valid.
    pub fn requires_python(&self) -> Option<&'a VersionSpecifiers> {
        self.inner.requires_python
    }

    /// `Some(reason)` (possibly empty) when yanked (PEP 592).
    pub fn yanked(&self) -> Option<&'a str> {
        self.inner.file.yanked
    }

    /// Upload time (PEP 700), JSON pages only.
    pub fn upload_time(&self) -> Option<jiff::Timestamp> {
        self.inner.upload_time()
    }

    /// Size in bytes (PEP 700), JSON pages only.
    pub fn size(&self) -> Option<u64> {
        self.inner.file.size
    }

    /// The full record of this file of `project`, parsing its name and URL.
    pub fn to_dist_file(&self, project: &PackageName) -> Result<DistFile, IndexError> {
        let url = self.url();
        let invalid = |reason: String| IndexError::InvalidUrl {
            url: crate::safe_url::mask_text(&url),
            reason,
        };
        let filename = DistFilename::parse(self.filename(), project)
            .map_err(|error| invalid(format!("file name `{}`: {error}", self.filename())))?;
        let parsed = Url::parse(&url).map_err(|error| invalid(error.to_string()))?;
        Ok(DistFile {
            filename,
            url: parsed,
            hashes: self.hashes(),
            requires_python: self.requires_python().cloned(),
            yanked: self.yanked().map(str::to_string),
            upload_time: self.upload_time(),
            size: self.size(),
            core_metadata: self.core_metadata(),
        })
    }

    /// Every advertised hash.
    pub fn hashes(&self) -> Hashes {
        self.inner.hashes()
    }

    /// Whether `<url>.metadata` is advertised.
    pub fn core_metadata(&self) -> CoreMetadataHint {
        self.inner.core_metadata()
    }
}

/// The compact form of files read from somewhere other than the cache, as a segment.
pub(crate) fn segment_of(
    files: &[DistFile],
    name: &PackageName,
    cutoff: Option<jiff::Timestamp>,
    url: &Url,
) -> Result<(Segment, usize), IndexError> {
    let encoded =
        crate::page::compact::encode(name, files).map_err(|error| IndexError::MalformedPage {
            url: SafeUrl::new(url.clone()),
            reason: format!("its files cannot be encoded: {error}"),
        })?;
    read_back(encoded, name, cutoff, url)
}

/// Reads a page's freshly encoded compact form, as a warm run reads it from the cache.
pub(crate) fn read_back(
    (compact, index): (Vec<u8>, usize),
    name: &PackageName,
    cutoff: Option<jiff::Timestamp>,
    url: &Url,
) -> Result<(Segment, usize), IndexError> {
    let reader = BodyReader::memory(compact);
    Segment::read(reader, index, name, cutoff).map_err(|reason| IndexError::MalformedPage {
        url: SafeUrl::new(url.clone()),
        reason: format!("its compact form does not read back: {reason}"),
    })
}
