//! The resolver's window on the index: a synchronous trait and the data it returns.
//!
//! The resolver never does IO. The engine (`npsolve::IndexSource`) implements
//! [`PackageSource`] over the async index client and answers from its caches, fetching ahead
//! when asked to [`PackageSource::prefetch`]; [`crate::MemorySource`] answers from memory.

use std::sync::{Arc, OnceLock};

use pep440_rs::{Version, VersionSpecifiers};
use pep508_rs::{ExtraName, PackageName, Requirement};
use version_ranges::Ranges;

/// Which file a [`DistRef`] is, in the words of the source that handed it out: a number the
/// resolver only passes back (to [`PackageSource::metadata`], to an ABI oracle), so that the
/// source finds its own record of the file without a lookup by name or URL.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct DistKey(pub u128);

/// One file of a release, as the index describes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DistRef {
    /// The source's key for this file.
    pub key: DistKey,
    /// The file name, e.g. `pandas-2.2.2-cp311-cp311-manylinux_2_17_x86_64.manylinux2014_x86_64.whl`.
    pub filename: String,
    /// Where the file is downloaded from.
    pub url: String,
    /// Its sha256 as hex, when the index gives one.
    pub sha256: Option<String>,
    /// `Requires-Python` as served by the index for this file (PEP 503 `data-requires-python`).
    pub requires_python: Option<VersionSpecifiers>,
    /// Why the file was yanked (PEP 592), `Some("")` when yanked without a reason.
    pub yanked: Option<String>,
    /// The size in bytes, when known.
    pub size: Option<u64>,
    /// The upload time, when known.
    pub upload_time: Option<jiff::Timestamp>,
    /// Whether this is a wheel (`true`) or a source distribution.
    pub is_wheel: bool,
}

/// The files of one release the target could install: what the resolver chooses from.
#[derive(Debug, Clone, Default)]
pub struct Candidates {
    /// Wheels installable on the target's tags, most preferred first.
    pub wheels: Vec<DistRef>,
    /// The source distribution, if any.
    pub sdist: Option<DistRef>,
}

/// Reads the [`Candidates`] of a release when the resolver first looks at it.
///
/// A big project lists thousands of releases and the resolver looks at a handful, so a
/// source may hand out [`VersionEntry::lazy`] entries and build their files on demand.
pub trait CandidateLoader: Send + Sync {
    /// The candidates of the release numbered `release` (a number the source chose when it
    /// made the entry); an error when they cannot be read (the resolver stops on a
    /// [`SourceError::Fatal`]).
    fn candidates(&self, release: usize) -> Result<Candidates, SourceError>;
}

/// One version of a package and the files that could serve it on the target.
///
/// Only the files the resolver may choose are here, and they may be read on first use; every
/// file of a release (for hashes and lockfiles) comes from [`PackageSource::files`], asked
/// for the pinned versions only.
#[derive(Clone)]
pub struct VersionEntry {
    /// The release version.
    pub version: Version,
    /// `Some(reason)` (possibly empty) when every file of the release was yanked (PEP 592):
    /// the reason given for the first of them in file-name order.
    pub yanked: Option<String>,
    /// Boxed: a project lists thousands of releases and the resolver reads a few, so an
    /// entry stays small until it is read.
    candidates: OnceLock<Result<Box<Candidates>, SourceError>>,
    loader: Option<(Arc<dyn CandidateLoader>, usize)>,
}

impl VersionEntry {
    /// An entry whose candidates are known now.
    pub fn new(
        version: Version,
        wheels: Vec<DistRef>,
        sdist: Option<DistRef>,
        yanked: Option<String>,
    ) -> VersionEntry {
        VersionEntry {
            version,
            yanked,
            candidates: OnceLock::from(Ok(Box::new(Candidates { wheels, sdist }))),
            loader: None,
        }
    }

    /// An entry whose candidates `loader` reads when first asked for, as release `release`.
    pub fn lazy(
        version: Version,
        yanked: Option<String>,
        loader: Arc<dyn CandidateLoader>,
        release: usize,
    ) -> VersionEntry {
        VersionEntry {
            version,
            yanked,
            candidates: OnceLock::new(),
            loader: Some((loader, release)),
        }
    }

    /// Whether the candidates have been read (or tried) yet.
    pub fn is_read(&self) -> bool {
        self.candidates.get().is_some()
    }

    /// The files the target could install, read on first use.
    pub fn candidates(&self) -> Result<&Candidates, SourceError> {
        self.candidates
            .get_or_init(|| match &self.loader {
                Some((loader, release)) => loader.candidates(*release).map(Box::new),
                None => Ok(Box::default()),
            })
            .as_deref()
            .map_err(Clone::clone)
    }
}

impl std::fmt::Debug for VersionEntry {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter
            .debug_struct("VersionEntry")
            .field("version", &self.version)
            .field("yanked", &self.yanked)
            .field("candidates", &self.candidates.get())
            .finish_non_exhaustive()
    }
}

/// All versions of a package, newest first.
#[derive(Debug, Clone, Default)]
pub struct PackageVersions {
    /// Newest first, one entry per version.
    pub versions: Vec<VersionEntry>,
}

impl PackageVersions {
    /// The entry for exactly `version`.
    pub fn get(&self, version: &Version) -> Option<&VersionEntry> {
        self.versions
            .binary_search_by(|entry| version.cmp(&entry.version))
            .ok()
            .map(|index| &self.versions[index])
    }
}

/// The part of a distribution's core metadata the resolver uses.
#[derive(Debug, Clone, Default)]
pub struct DistMetadata {
    /// `Requires-Dist`, with markers.
    pub requires_dist: Vec<Requirement>,
    /// `Requires-Python` from the metadata itself.
    pub requires_python: Option<VersionSpecifiers>,
    /// `Provides-Extra`.
    pub provides_extras: Vec<ExtraName>,
    /// For a source distribution read without a build: which of its files said this (e.g.
    /// `egg-info`), for annotations.
    pub static_source: Option<String>,
    /// For a source distribution: whether building it compiles extension modules (`None`
    /// when not known). A pure-Python one cannot have a NumPy ABI.
    pub builds_extensions: Option<bool>,
    /// For a source distribution: its `build-system.requires` (empty when not known).
    pub build_requires: Vec<Requirement>,
}

/// Why the source could not answer.
#[derive(Debug, Clone, thiserror::Error)]
pub enum SourceError {
    /// This one file is unusable (malformed metadata, metadata that needs a build):
    /// the resolver treats the version as unavailable and says why.
    #[error("{0}")]
    Unusable(String),
    /// A failure that must stop resolution (network exhausted, offline cache miss).
    #[error("{0}")]
    Fatal(String),
}

/// Where the resolver gets package versions and metadata.
pub trait PackageSource {
    /// All versions of `name` offered by the index for the target, newest first.
    /// A package no index knows has no versions.
    fn versions(&self, name: &PackageName) -> Result<Arc<PackageVersions>, SourceError>;

    /// Every file of `name` at `version` (not only those the target installs), ordered by
    /// file name: for `--generate-hashes` and lockfiles. Asked for pinned versions only.
    fn files(&self, name: &PackageName, version: &Version) -> Result<Vec<DistRef>, SourceError>;

    /// Core metadata of one file of `name`.
    fn metadata(
        &self,
        name: &PackageName,
        dist: &DistRef,
    ) -> Result<Arc<DistMetadata>, SourceError>;

    /// A hint that `name` will be needed soon, within `range`: start fetching its page
    /// and the metadata of its likely versions. Must not block.
    fn prefetch(&self, name: &PackageName, range: &Ranges<Version>) {
        let _ = (name, range);
    }

    /// A hint that these files' metadata will likely be needed soon. Must not block.
    fn prefetch_metadata(&self, name: &PackageName, dists: &[DistRef]) {
        let _ = (name, dists);
    }

    /// Whether fetching ahead can save time: false when the source cannot fetch (offline),
    /// so the resolver need not even work out what it would fetch.
    fn fetches_ahead(&self) -> bool {
        true
    }
}
