//! One installed distribution, read from its `*.dist-info` folder.

use std::path::{Path, PathBuf};

use npsolve_metadata::parse_core_metadata;
use pep440_rs::Version;
use pep508_rs::{PackageName, Requirement};

use crate::error::EnvironmentError;
use crate::record::read_record;

/// One installed distribution.
#[derive(Debug, Clone)]
pub struct InstalledDist {
    /// Its normalised name.
    pub name: PackageName,
    /// Its version.
    pub version: Version,
    /// The `*.dist-info` folder.
    pub dist_info: PathBuf,
    /// The site-packages folder it is installed in (RECORD paths are relative to it).
    pub site_packages: PathBuf,
    /// `Requires-Dist`, with markers.
    pub requires_dist: Vec<Requirement>,
    /// Installed files from RECORD, relative to `site_packages` (empty without a RECORD).
    pub files: Vec<String>,
}

impl InstalledDist {
    /// Reads the dist-info folder `dist_info` inside `site_packages`.
    pub fn read(site_packages: &Path, dist_info: &Path) -> Result<InstalledDist, EnvironmentError> {
        let metadata_path = dist_info.join("METADATA");
        let bytes = std::fs::read(&metadata_path).map_err(|source| EnvironmentError::Io {
            path: metadata_path.clone(),
            source,
        })?;
        let metadata =
            parse_core_metadata(&bytes).map_err(|error| EnvironmentError::Malformed {
                path: metadata_path,
                reason: error.to_string(),
            })?;
        let record = dist_info.join("RECORD");
        let files = if record.exists() {
            read_record(&record)?
        } else {
            Vec::new()
        };
        Ok(InstalledDist {
            name: metadata.name,
            version: metadata.version,
            dist_info: dist_info.to_path_buf(),
            site_packages: site_packages.to_path_buf(),
            requires_dist: metadata.requires_dist,
            files,
        })
    }

    /// Whether RECORD lists `relative` (a path relative to site-packages, `/`-separated).
    pub fn owns(&self, relative: &str) -> bool {
        self.files.iter().any(|file| file == relative)
    }
}
