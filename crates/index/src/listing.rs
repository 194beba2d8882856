//! A project's files as the indexes list them, held in their compact encoded form and read in
//! place.
//!
//! A resolver reads every file of every page it touches (100,000 files for a large
//! resolution) but needs full records for a few thousand: the files its target can install,
//! and every file of the versions it pins. Decoding each file into owned strings was most of a
//! warm resolution's time and memory, so a [`ProjectListing`] keeps each page as the bytes the
//! cache holds (see [`crate::page_compact`]) and hands out [`FileView`]s that borrow from them;
//! a [`FileId`] names a file so it can be read again later without a search.

use pep440_rs::{Version, VersionSpecifiers};
use pep508_rs::PackageName;
use std::sync::Arc;
use url::Url;

use crate::dist_file::{CoreMetadataHint, DistFile, Hashes};
use crate::error::IndexError;
use crate::locations::IndexUrl;
use crate::page_compact::{Segment, SegmentFile};
use crate::project_page::segment_of;
use crate::wheel_tags::WheelTags;
use npsolve_platform::DistFilename;

/// Every file of one project: the page of the first index that has it, then find-links files,
/// minus what `--exclude-newer` excludes.
#[derive(Debug)]
pub struct ProjectListing {
    /// The index the page came from (the first index when none has the project).
    index: IndexUrl,
    /// The index page first, then one segment per find-links location with files.
    segments: Vec<Segment>,
}

/// Names one file of a [`ProjectListing`] (valid for that listing only).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct FileId {
    segment: u32,
    offset: u32,
}

/// One file of a [`ProjectListing`], borrowed from it.
pub struct FileView<'a> {
    inner: SegmentFile<'a>,
}

impl ProjectListing {
    /// A listing of `segments` from `index`.
    pub(crate) fn new(index: IndexUrl, segments: Vec<Segment>) -> ProjectListing {
        ProjectListing { index, segments }
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

    /// How many files there are.
    pub fn len(&self) -> usize {
        self.segments.iter().map(Segment::len).sum()
    }

    /// True when no index or find-links location has a file of the project.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Every file in listing order (page order, find-links files last).
    pub fn files(&self) -> impl Iterator<Item = (FileId, FileView<'_>)> + '_ {
        self.segments
            .iter()
            .zip(0u32..)
            .flat_map(|(segment, number)| {
                segment.offsets().iter().filter_map(move |&offset| {
                    let file = segment.file(offset)?;
                    Some((
                        FileId {
                            segment: number,
                            offset,
                        },
                        FileView { inner: file },
                    ))
                })
            })
    }

    /// The file `id` names; `None` when `id` came from another listing.
    pub fn file(&self, id: FileId) -> Option<FileView<'_>> {
        let segment = self.segments.get(usize::try_from(id.segment).ok()?)?;
        segment.file(id.offset).map(|inner| FileView { inner })
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
            url: url.clone(),
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
