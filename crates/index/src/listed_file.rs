//! A file as a project page lists it, in the form that is cheap to read in bulk.
//!
//! A resolver reads every file of every page it touches (100,000 files for a large
//! resolution) but asks for the metadata of a few hundred. [`ListedFile`] is what it reads:
//! the file name as text with its version and wheel tags beside it (a page's versions and tag
//! sets are parsed once each and shared, not once per file), the URL as text, and owned
//! strings a caller can move into its own records. [`ListedFile::to_dist_file`] gives the full
//! [`DistFile`] for the few files that need one.

use std::sync::Arc;

use npsolve_platform::{DistFilename, TagPriority, Tags, WheelFilename};
use pep440_rs::{Version, VersionSpecifiers};
use pep508_rs::PackageName;
use url::Url;

use crate::dist_file::{CoreMetadataHint, DistFile, Hashes};
use crate::error::IndexError;

/// One file of a project page.
#[derive(Debug, Clone)]
pub struct ListedFile {
    /// The file name as listed (valid for the project: checked when the page was read).
    pub filename: String,
    /// The version the file name gives.
    pub version: Version,
    /// A wheel's tags, shared by the page's files that have the same ones; `None` for an sdist.
    pub wheel_tags: Option<Arc<WheelTags>>,
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

/// The expanded tag sets of a wheel file name (`cp311.cp312-abi3-manylinux_2_17_x86_64`).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct WheelTags {
    /// Python tags (`cp311`, `py3`).
    pub python: Vec<String>,
    /// ABI tags (`cp311`, `abi3`, `none`).
    pub abi: Vec<String>,
    /// Platform tags (`manylinux_2_17_x86_64`, `any`).
    pub platform: Vec<String>,
}

impl WheelTags {
    /// The tags of a parsed wheel file name.
    pub fn of(wheel: &WheelFilename) -> WheelTags {
        WheelTags {
            python: wheel.python_tags.clone(),
            abi: wheel.abi_tags.clone(),
            platform: wheel.platform_tags.clone(),
        }
    }

    /// The best priority among the expanded tag triples, `None` when `tags` cannot install the
    /// wheel (the same answer as [`WheelFilename::compatibility`]).
    pub fn compatibility(&self, tags: &Tags) -> Option<TagPriority> {
        let mut best = None;
        for python in &self.python {
            for abi in &self.abi {
                for platform in &self.platform {
                    best = best.max(tags.priority(python, abi, platform));
                }
            }
        }
        best
    }
}

impl ListedFile {
    /// True for a wheel.
    pub fn is_wheel(&self) -> bool {
        self.wheel_tags.is_some()
    }

    /// The full record of this file of `project`, parsing its name and URL.
    pub fn to_dist_file(&self, project: &PackageName) -> Result<DistFile, IndexError> {
        let invalid = |reason: String| IndexError::InvalidUrl {
            url: self.url.clone(),
            reason,
        };
        let filename = DistFilename::parse(&self.filename, project)
            .map_err(|error| invalid(format!("file name `{}`: {error}", self.filename)))?;
        let url = Url::parse(&self.url).map_err(|error| invalid(error.to_string()))?;
        Ok(DistFile {
            filename,
            url,
            hashes: self.hashes.clone(),
            requires_python: self.requires_python.clone(),
            yanked: self.yanked.clone(),
            upload_time: self.upload_time,
            size: self.size,
            core_metadata: self.core_metadata.clone(),
        })
    }

    /// The listed form of a full record.
    pub fn of(file: DistFile) -> ListedFile {
        let (filename, version, wheel_tags) = match file.filename {
            DistFilename::Wheel(wheel) => (
                wheel.to_string(),
                wheel.version.clone(),
                Some(Arc::new(WheelTags::of(&wheel))),
            ),
            DistFilename::Sdist(sdist) => (sdist.to_string(), sdist.version, None),
        };
        ListedFile {
            filename,
            version,
            wheel_tags,
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

#[cfg(test)]
mod tests {
    use std::str::FromStr;

    use npsolve_platform::{Platform, PythonVersion};

    use super::*;

    /// The tag sets answer exactly as the platform crate's wheel file name does.
    #[test]
    fn compatibility_matches_the_wheel_filename() {
        let project = PackageName::from_str("demo").expect("name");
        let tags = Tags::for_cpython(
            &PythonVersion::from_str("3.11").expect("version"),
            &Platform::from_str("x86_64-manylinux_2_28").expect("platform"),
        );
        let mut seen = 0;
        for name in [
            "demo-1.0-cp311-cp311-manylinux_2_17_x86_64.manylinux2014_x86_64.whl",
            "demo-1.0-cp311-cp311-musllinux_1_1_x86_64.whl",
            "demo-1.0-cp310.cp311.cp312-abi3-manylinux_2_28_x86_64.whl",
            "demo-1.0-py2.py3-none-any.whl",
            "demo-1.0-cp312-cp312-manylinux_2_17_x86_64.whl",
            "demo-1.0-1-cp311-cp311-win_amd64.whl",
        ] {
            let Ok(DistFilename::Wheel(wheel)) = DistFilename::parse(name, &project) else {
                panic!("`{name}` is a wheel");
            };
            let expected = wheel.compatibility(&tags);
            seen += usize::from(expected.is_some());
            assert_eq!(
                WheelTags::of(&wheel).compatibility(&tags),
                expected,
                "{name}"
            );
        }
        assert_eq!(seen, 3);
    }

    #[test]
    fn round_trips_a_dist_file() {
        let project = PackageName::from_str("demo").expect("name");
        let file = DistFile {
            filename: DistFilename::parse("demo-2.0.tar.gz", &project).expect("sdist"),
            url: Url::parse("https://files.example/demo-2.0.tar.gz").expect("url"),
            hashes: Hashes::from_pairs([("sha256", "AB")]),
            requires_python: Some(VersionSpecifiers::from_str(">=3.9").expect("spec")),
            yanked: Some(String::new()),
            upload_time: None,
            size: Some(3),
            core_metadata: CoreMetadataHint::NotAvailable,
        };
        let listed = ListedFile::of(file.clone());
        assert!(!listed.is_wheel());
        assert_eq!(listed.version.to_string(), "2.0");
        let back = listed.to_dist_file(&project).expect("valid");
        assert_eq!(format!("{back:?}"), format!("{file:?}"));
        let other = PackageName::from_str("other").expect("name");
        assert!(listed.to_dist_file(&other).is_err());
    }
}
