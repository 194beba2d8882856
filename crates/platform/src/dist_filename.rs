//! A distribution filename from an index: wheel or source distribution.

use std::fmt;

use pep440_rs::Version;
use pep508_rs::PackageName;

use crate::error::FilenameError;
use crate::sdist_filename::SdistFilename;
use crate::tags::{TagPriority, Tags};
use crate::wheel_filename::WheelFilename;

/// A wheel or source distribution filename.
///
/// `Display` gives the filename exactly as parsed.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum DistFilename {
    /// A `.whl`.
    Wheel(WheelFilename),
    /// A source archive.
    Sdist(SdistFilename),
}

impl DistFilename {
    /// Parses a file listed for `package`: `.whl` as a wheel, anything else as
    /// an sdist split using the known name. Fails when the file names another
    /// project.
    pub fn parse(filename: &str, package: &PackageName) -> Result<DistFilename, FilenameError> {
        if filename.ends_with(".whl") {
            let wheel: WheelFilename = filename.parse()?;
            if wheel.name != *package {
                return Err(FilenameError::NameMismatch {
                    filename: filename.to_string(),
                    package: package.to_string(),
                });
            }
            return Ok(DistFilename::Wheel(wheel));
        }
        SdistFilename::parse(filename, package).map(DistFilename::Sdist)
    }

    /// The normalised project name.
    pub fn name(&self) -> &PackageName {
        match self {
            DistFilename::Wheel(wheel) => &wheel.name,
            DistFilename::Sdist(sdist) => &sdist.name,
        }
    }

    /// The version.
    pub fn version(&self) -> &Version {
        match self {
            DistFilename::Wheel(wheel) => &wheel.version,
            DistFilename::Sdist(sdist) => &sdist.version,
        }
    }

    /// The filename as parsed.
    pub fn filename(&self) -> &str {
        match self {
            DistFilename::Wheel(wheel) => wheel.filename(),
            DistFilename::Sdist(sdist) => sdist.filename(),
        }
    }

    /// The wheel among `files` an installer would pick for `tags` (highest tag
    /// priority, then highest build tag, then the first listed), with its priority.
    pub fn best_wheel<'a, I>(files: I, tags: &Tags) -> Option<(&'a WheelFilename, TagPriority)>
    where
        I: IntoIterator<Item = &'a DistFilename>,
    {
        let mut best: Option<(&'a WheelFilename, TagPriority)> = None;
        for file in files {
            let DistFilename::Wheel(wheel) = file else {
                continue;
            };
            let Some(priority) = wheel.compatibility(tags) else {
                continue;
            };
            let better = match best {
                None => true,
                Some((current, current_priority)) => {
                    (priority, &wheel.build_tag) > (current_priority, &current.build_tag)
                }
            };
            if better {
                best = Some((wheel, priority));
            }
        }
        best
    }
}

impl fmt::Display for DistFilename {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.filename())
    }
}
