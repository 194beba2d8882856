//! Source distribution filenames (`{name}-{version}.tar.gz`, PEP 625).

use std::fmt;

use pep440_rs::Version;
use pep508_rs::PackageName;

use crate::error::FilenameError;
use crate::wheel_filename::name_and_version;

/// The archive format of a source distribution.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum SdistExtension {
    /// `.tar.gz`, the only format PEP 625 allows.
    TarGz,
    /// `.zip`, common before PEP 625.
    Zip,
    /// `.tar.bz2` / `.tbz` (legacy).
    TarBz2,
    /// `.tar.xz` / `.txz` (legacy).
    TarXz,
    /// `.tgz` (legacy spelling of `.tar.gz`).
    Tgz,
    /// `.tar` (legacy, uncompressed).
    Tar,
}

impl SdistExtension {
    const ALL: [(SdistExtension, &'static str); 8] = [
        (SdistExtension::TarGz, ".tar.gz"),
        (SdistExtension::Zip, ".zip"),
        (SdistExtension::TarBz2, ".tar.bz2"),
        (SdistExtension::TarBz2, ".tbz"),
        (SdistExtension::TarXz, ".tar.xz"),
        (SdistExtension::TarXz, ".txz"),
        (SdistExtension::Tgz, ".tgz"),
        (SdistExtension::Tar, ".tar"),
    ];

    /// Splits a filename into its stem and archive format.
    pub(crate) fn split(filename: &str) -> Option<(&str, SdistExtension)> {
        let lower = filename.to_ascii_lowercase();
        Self::ALL.iter().find_map(|(extension, suffix)| {
            lower
                .ends_with(suffix)
                .then(|| (&filename[..filename.len() - suffix.len()], *extension))
        })
    }

    /// True for formats other than `.tar.gz` and `.zip`, which pip and uv
    /// still read but indexes no longer accept.
    pub fn is_legacy(self) -> bool {
        !matches!(self, SdistExtension::TarGz | SdistExtension::Zip)
    }
}

/// A parsed source distribution filename.
///
/// `Display` gives the filename exactly as parsed.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct SdistFilename {
    /// The normalised project name.
    pub name: PackageName,
    /// The version.
    pub version: Version,
    extension: SdistExtension,
    filename: String,
}

impl SdistFilename {
    /// Parses `filename` as an sdist of `package`. The name–version split is
    /// ambiguous (`zope-interface-6.0`), so the longest leading part that
    /// normalises to `package` is taken as the name; PEP 625 names
    /// (`zope_interface-6.0.tar.gz`) and dotted names work alike.
    pub fn parse(filename: &str, package: &PackageName) -> Result<SdistFilename, FilenameError> {
        let (stem, extension) = SdistExtension::split(filename)
            .ok_or_else(|| FilenameError::UnknownExtension(filename.to_string()))?;
        let mismatch = || FilenameError::NameMismatch {
            filename: filename.to_string(),
            package: package.to_string(),
        };
        let mut first_error = None;
        for (index, _) in stem.match_indices('-') {
            let (name, version) = (&stem[..index], &stem[index + 1..]);
            if !normalised_eq(name, package.as_ref()) {
                continue;
            }
            match name_and_version(name, version, filename) {
                Ok((name, version)) => {
                    return Ok(SdistFilename {
                        name,
                        version,
                        extension,
                        filename: filename.to_string(),
                    });
                }
                Err(error) => {
                    first_error.get_or_insert(error);
                }
            }
        }
        Err(first_error.unwrap_or_else(mismatch))
    }

    /// The archive format.
    pub fn extension(&self) -> SdistExtension {
        self.extension
    }

    /// The filename as parsed.
    pub fn filename(&self) -> &str {
        &self.filename
    }
}

/// PEP 503 comparison: case-insensitive, runs of `-`, `_`, `.` equal.
fn normalised_eq(raw: &str, normalised: &str) -> bool {
    let mut normalised_raw = String::with_capacity(raw.len());
    let mut last_separator = false;
    for c in raw.chars() {
        if matches!(c, '-' | '_' | '.') {
            if !last_separator {
                normalised_raw.push('-');
            }
            last_separator = true;
        } else {
            normalised_raw.push(c.to_ascii_lowercase());
            last_separator = false;
        }
    }
    normalised_raw == normalised
}

impl fmt::Display for SdistFilename {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.filename)
    }
}
