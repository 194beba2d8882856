//! One project's files as an index lists them.

use std::collections::BTreeMap;

use npsolve_platform::DistFilename;
use pep440_rs::VersionSpecifiers;
use pep508_rs::PackageName;
use url::Url;

use crate::locations::IndexUrl;

/// A project page: every file of one project from the index that has it (plus find-links files).
#[derive(Debug, Clone)]
pub struct Project {
    /// The normalised project name.
    pub name: PackageName,
    /// The index the files came from (the first one that knows the project).
    pub index: IndexUrl,
    /// The files, newest release first, each release's files by file name (find-links files
    /// among their release's).
    pub files: Vec<DistFile>,
}

/// Hashes of a file, as the index advertises them (lower-case hex).
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct Hashes {
    /// SHA-256 digest, the one pip and uv verify.
    pub sha256: Option<String>,
    /// Any other digests by algorithm name (`sha384`, `sha512`, `md5`, …).
    pub others: BTreeMap<String, String>,
}

impl Hashes {
    /// Hashes from `(algorithm, hex digest)` pairs; algorithm names are lower-cased.
    pub fn from_pairs<'a>(pairs: impl IntoIterator<Item = (&'a str, &'a str)>) -> Hashes {
        let mut hashes = Hashes::default();
        for (algorithm, digest) in pairs {
            let algorithm = algorithm.to_ascii_lowercase();
            let digest = digest.to_ascii_lowercase();
            if algorithm == "sha256" {
                hashes.sha256 = Some(digest);
            } else {
                hashes.others.insert(algorithm, digest);
            }
        }
        hashes
    }

    /// True when no digest is known.
    pub fn is_empty(&self) -> bool {
        self.sha256.is_none() && self.others.is_empty()
    }

    /// All digests as `(algorithm, digest)`, sorted by algorithm.
    pub fn pairs(&self) -> Vec<(&str, &str)> {
        let mut pairs: Vec<(&str, &str)> = self
            .others
            .iter()
            .map(|(algorithm, digest)| (algorithm.as_str(), digest.as_str()))
            .collect();
        if let Some(sha256) = &self.sha256 {
            pairs.push(("sha256", sha256));
        }
        pairs.sort_unstable();
        pairs
    }
}

/// Whether the index serves the file's core metadata separately (PEP 658 / PEP 714).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum CoreMetadataHint {
    /// The page says nothing (the client still tries `<url>.metadata`).
    #[default]
    Unknown,
    /// `<url>.metadata` exists, with these hashes when given.
    Available(Option<Hashes>),
    /// The page says there is no separate metadata file.
    NotAvailable,
}

/// One distribution file (wheel or sdist) listed on a project page.
#[derive(Debug, Clone)]
pub struct DistFile {
    /// The parsed file name.
    pub filename: DistFilename,
    /// Where to download it (absolute).
    pub url: Url,
    /// Advertised hashes.
    pub hashes: Hashes,
    /// `requires-python` / `data-requires-python`, when given and valid.
    pub requires_python: Option<VersionSpecifiers>,
    /// `Some(reason)` (possibly empty) when yanked (PEP 592).
    pub yanked: Option<String>,
    /// Upload time (PEP 700), JSON pages only.
    pub upload_time: Option<jiff::Timestamp>,
    /// Size in bytes (PEP 700), JSON pages only.
    pub size: Option<u64>,
    /// Whether `<url>.metadata` is advertised.
    pub core_metadata: CoreMetadataHint,
}
