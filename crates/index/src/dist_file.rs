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

impl DistFile {
    /// A file named by a URL instead of listed on a page (a requirement given by URL, `npsolve
    /// scan URL`): its hash is the fragment's `sha256=` if any, and nothing else is known
    /// about it (not even whether a PEP 658 `.metadata` file sits beside it).
    pub fn at_url(mut url: Url, filename: DistFilename) -> DistFile {
        let sha256 = url.fragment().and_then(|fragment| {
            fragment
                .split('&')
                .find_map(|pair| pair.strip_prefix("sha256="))
                .map(str::to_string)
        });
        url.set_fragment(None);
        DistFile {
            filename,
            url,
            hashes: Hashes::from_pairs(sha256.as_deref().map(|sha256| ("sha256", sha256))),
            requires_python: None,
            yanked: None,
            upload_time: None,
            size: None,
            core_metadata: CoreMetadataHint::NotAvailable,
        }
    }
}

/// The file name a URL ends with, percent-decoded (`torch-2.5.1%2Bcpu-…` is
/// `torch-2.5.1+cpu-…`).
pub fn url_filename(url: &Url) -> String {
    url.path_segments()
        .and_then(|mut segments| segments.next_back())
        .map(|segment| {
            percent_encoding::percent_decode_str(segment)
                .decode_utf8_lossy()
                .into_owned()
        })
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_file_at_a_url_takes_its_name_and_hash_from_the_url() {
        let url = Url::parse(
            "https://h/x/torch-2.5.1%2Bcpu-cp311-cp311-linux_x86_64.whl#egg=x&sha256=AB12",
        )
        .unwrap();
        let name = url_filename(&url);
        assert_eq!(name, "torch-2.5.1+cpu-cp311-cp311-linux_x86_64.whl");
        let filename = DistFilename::Wheel(name.parse().unwrap());
        let file = DistFile::at_url(url, filename);
        assert_eq!(file.hashes.sha256.as_deref(), Some("ab12"));
        assert_eq!(file.url.fragment(), None);
    }
}
