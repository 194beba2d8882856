//! Wheel filenames (binary distribution format, PEP 427 / PEP 491).

use std::cmp::Ordering;
use std::fmt;
use std::str::FromStr;

use pep440_rs::Version;
use pep508_rs::PackageName;

use crate::error::FilenameError;
use crate::tags::{TagPriority, Tags};

/// A wheel build tag: a number and an optional suffix (`1`, `2local`), ordered
/// like pip (number, then suffix).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct BuildTag {
    /// The leading digits.
    pub number: u64,
    /// Whatever follows the digits.
    pub suffix: String,
}

impl fmt::Display for BuildTag {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}{}", self.number, self.suffix)
    }
}

/// A parsed wheel filename: `{name}-{version}(-{build})?-{python}-{abi}-{platform}.whl`,
/// each tag part possibly a compressed set (`cp311.cp312`, `py2.py3`).
///
/// `Display` gives the filename exactly as parsed.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct WheelFilename {
    /// The normalised project name.
    pub name: PackageName,
    /// The version.
    pub version: Version,
    /// The optional build tag.
    pub build_tag: Option<BuildTag>,
    /// The python tags (`cp311`, `py3`).
    pub python_tags: Vec<String>,
    /// The ABI tags (`cp311`, `abi3`, `none`).
    pub abi_tags: Vec<String>,
    /// The platform tags (`manylinux_2_17_x86_64`, `any`).
    pub platform_tags: Vec<String>,
    filename: String,
}

impl WheelFilename {
    /// The best priority among the wheel's expanded tag triples, `None` when
    /// the target cannot install it.
    pub fn compatibility(&self, tags: &Tags) -> Option<TagPriority> {
        let mut best = None;
        for python in &self.python_tags {
            for abi in &self.abi_tags {
                for platform in &self.platform_tags {
                    let priority = tags.priority(python, abi, platform);
                    if priority > best {
                        best = priority;
                    }
                }
            }
        }
        best
    }

    /// True for a pure-Python wheel: only `py*` python tags, ABI `none` and platform `any`.
    pub fn is_pure(&self) -> bool {
        self.python_tags.iter().all(|tag| tag.starts_with("py"))
            && self.abi_tags.iter().all(|tag| tag == "none")
            && self.platform_tags.iter().all(|tag| tag == "any")
    }

    /// The filename as parsed.
    pub fn filename(&self) -> &str {
        &self.filename
    }

    /// Orders two wheels of the same release the way an installer picks:
    /// by tag priority, then by build tag (a wheel with a build tag beats one without).
    pub fn cmp_preference(&self, other: &WheelFilename, tags: &Tags) -> Ordering {
        self.compatibility(tags)
            .cmp(&other.compatibility(tags))
            .then_with(|| self.build_tag.cmp(&other.build_tag))
    }
}

fn split_tags(part: &str, filename: &str) -> Result<Vec<String>, FilenameError> {
    part.split('.')
        .map(|tag| {
            if tag.is_empty() {
                Err(FilenameError::EmptyTag(filename.to_string()))
            } else {
                Ok(tag.to_string())
            }
        })
        .collect()
}

fn parse_build_tag(build: &str, filename: &str) -> Result<BuildTag, FilenameError> {
    let invalid = || FilenameError::InvalidBuildTag {
        filename: filename.to_string(),
        build: build.to_string(),
    };
    let digits = build.bytes().take_while(u8::is_ascii_digit).count();
    if digits == 0 {
        return Err(invalid());
    }
    let (number, suffix) = build.split_at(digits);
    Ok(BuildTag {
        number: number.parse().map_err(|_| invalid())?,
        suffix: suffix.to_string(),
    })
}

/// Parses the name and version parts shared by wheels and sdists.
pub(crate) fn name_and_version(
    name: &str,
    version: &str,
    filename: &str,
) -> Result<(PackageName, Version), FilenameError> {
    let name = PackageName::from_str(name).map_err(|source| FilenameError::InvalidName {
        filename: filename.to_string(),
        source,
    })?;
    let version = Version::from_str(version).map_err(|source| FilenameError::InvalidVersion {
        filename: filename.to_string(),
        version: version.to_string(),
        source,
    })?;
    Ok((name, version))
}

impl FromStr for WheelFilename {
    type Err = FilenameError;

    fn from_str(filename: &str) -> Result<WheelFilename, FilenameError> {
        let stem = filename
            .strip_suffix(".whl")
            .ok_or_else(|| FilenameError::UnknownExtension(filename.to_string()))?;
        let parts: Vec<&str> = stem.split('-').collect();
        let (name, version, build, python, abi, platform) = match parts.as_slice() {
            [name, version, python, abi, platform] => {
                (*name, *version, None, *python, *abi, *platform)
            }
            [name, version, build, python, abi, platform] => {
                (*name, *version, Some(*build), *python, *abi, *platform)
            }
            _ => return Err(FilenameError::WheelParts(filename.to_string())),
        };
        // Wheel names escape runs of `-_.` to `_`; anything else is not a name.
        if name.is_empty()
            || !name
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '.')
        {
            return Err(FilenameError::InvalidName {
                filename: filename.to_string(),
                source: match PackageName::from_str(name) {
                    Err(error) => error,
                    Ok(_) => return Err(FilenameError::WheelParts(filename.to_string())),
                },
            });
        }
        let (name, version) = name_and_version(name, version, filename)?;
        let build_tag = build
            .map(|build| parse_build_tag(build, filename))
            .transpose()?;
        Ok(WheelFilename {
            name,
            version,
            build_tag,
            python_tags: split_tags(python, filename)?,
            abi_tags: split_tags(abi, filename)?,
            platform_tags: split_tags(platform, filename)?,
            filename: filename.to_string(),
        })
    }
}

impl fmt::Display for WheelFilename {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.filename)
    }
}
