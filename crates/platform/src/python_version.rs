//! The target Python version (`3.11`, `3.11.4`).

use std::fmt;
use std::str::FromStr;

use pep440_rs::Version;

use crate::error::PlatformError;

/// A CPython version: major, minor and an optional patch (micro) number.
///
/// Ordered numerically; a version without patch sorts before the same
/// version with any patch.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct PythonVersion {
    major: u8,
    minor: u8,
    patch: Option<u8>,
}

impl PythonVersion {
    /// A version from its numbers.
    pub fn new(major: u8, minor: u8, patch: Option<u8>) -> PythonVersion {
        PythonVersion {
            major,
            minor,
            patch,
        }
    }

    /// The major number (`3`).
    pub fn major(&self) -> u8 {
        self.major
    }

    /// The minor number (`11` for 3.11).
    pub fn minor(&self) -> u8 {
        self.minor
    }

    /// The patch number when one was given.
    pub fn patch(&self) -> Option<u8> {
        self.patch
    }

    /// The version as given, as a PEP 440 version (`3.11` or `3.11.4`); `3.11`
    /// compares equal to `3.11.0`, the lowest patch, which is what
    /// `requires-python` checks should use.
    pub fn as_version(&self) -> Version {
        match self.patch {
            Some(patch) => Version::new([
                u64::from(self.major),
                u64::from(self.minor),
                u64::from(patch),
            ]),
            None => Version::new([u64::from(self.major), u64::from(self.minor)]),
        }
    }

    /// `X.Y.Z` for the `python_full_version` marker: the given patch, else `0`.
    pub fn full_version_string(&self) -> String {
        format!("{}.{}.{}", self.major, self.minor, self.patch.unwrap_or(0))
    }

    /// `X.Y` for the `python_version` marker.
    pub fn short_version_string(&self) -> String {
        format!("{}.{}", self.major, self.minor)
    }
}

impl FromStr for PythonVersion {
    type Err = PlatformError;

    fn from_str(text: &str) -> Result<PythonVersion, PlatformError> {
        let invalid = || PlatformError::InvalidPythonVersion(text.to_string());
        let trimmed = text.trim();
        let mut parts = trimmed.split('.');
        let mut number = |required: bool| -> Result<Option<u8>, PlatformError> {
            match parts.next() {
                None if !required => Ok(None),
                None => Err(invalid()),
                Some(part) if !part.is_empty() && part.bytes().all(|b| b.is_ascii_digit()) => {
                    part.parse().map(Some).map_err(|_| invalid())
                }
                Some(_) => Err(invalid()),
            }
        };
        let major = number(true)?.ok_or_else(invalid)?;
        let minor = number(true)?.ok_or_else(invalid)?;
        let patch = number(false)?;
        if parts.next().is_some() || major != 3 {
            return Err(invalid());
        }
        Ok(PythonVersion {
            major,
            minor,
            patch,
        })
    }
}

impl fmt::Display for PythonVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.patch {
            Some(patch) => write!(f, "{}.{}.{}", self.major, self.minor, patch),
            None => write!(f, "{}.{}", self.major, self.minor),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_short_and_full_versions() {
        let short: PythonVersion = "3.11".parse().unwrap();
        assert_eq!((short.major(), short.minor(), short.patch()), (3, 11, None));
        assert_eq!(short.to_string(), "3.11");
        assert_eq!(short.as_version(), Version::new([3, 11, 0]));
        assert_eq!(short.full_version_string(), "3.11.0");
        let full: PythonVersion = "3.12.4".parse().unwrap();
        assert_eq!(full.to_string(), "3.12.4");
        assert_eq!(full.as_version(), Version::new([3, 12, 4]));
        assert!(short < full);
    }

    #[test]
    fn rejects_garbage() {
        for text in [
            "", "3", "3.", "3.x", "3.11.4.1", "2.7", "3.-1", "3.300", "+3.11", "3.11rc1",
        ] {
            let error = text.parse::<PythonVersion>().unwrap_err();
            assert!(error.to_string().contains(&format!("`{text}`")), "{error}");
        }
    }
}
