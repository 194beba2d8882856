//! A file as a project page lists it, with its URL kept as text.
//!
//! A resolver reads every file of every page it touches (100,000 files for a large
//! resolution) but asks for the metadata of a few hundred. [`ListedFile`] is what it reads:
//! the same fields as a [`DistFile`] without parsing each URL again on every warm run, and
//! owned, so a caller can move the strings into its own records instead of copying them.

use npsolve_platform::DistFilename;
use pep440_rs::VersionSpecifiers;
use url::Url;

use crate::dist_file::{CoreMetadataHint, DistFile, Hashes};
use crate::error::IndexError;

/// One file of a project page; [`ListedFile::to_dist_file`] gives the record
/// [`crate::IndexClient::metadata`] and [`crate::IndexClient::download`] take.
#[derive(Debug, Clone)]
pub struct ListedFile {
    /// The parsed file name.
    pub filename: DistFilename,
    /// Where to download it: an absolute URL without fragment.
    pub url: String,
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

impl ListedFile {
    /// The full record, parsing the URL.
    pub fn to_dist_file(&self) -> Result<DistFile, IndexError> {
        self.clone().into_dist_file()
    }

    /// The full record, parsing the URL, without copying the other fields.
    pub fn into_dist_file(self) -> Result<DistFile, IndexError> {
        let url = Url::parse(&self.url).map_err(|error| IndexError::InvalidUrl {
            url: self.url.clone(),
            reason: error.to_string(),
        })?;
        Ok(DistFile {
            filename: self.filename,
            url,
            hashes: self.hashes,
            requires_python: self.requires_python,
            yanked: self.yanked,
            upload_time: self.upload_time,
            size: self.size,
            core_metadata: self.core_metadata,
        })
    }
}

impl From<DistFile> for ListedFile {
    fn from(file: DistFile) -> ListedFile {
        ListedFile {
            filename: file.filename,
            url: file.url.into(),
            hashes: file.hashes,
            requires_python: file.requires_python,
            yanked: file.yanked,
            upload_time: file.upload_time,
            size: file.size,
            core_metadata: file.core_metadata,
        }
    }
}
