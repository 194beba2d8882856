//! One entry of the curated facts file.

use npsolve_platform::WheelFilename;
use pep440_rs::{Version, VersionSpecifiers};
use pep508_rs::PackageName;

use crate::BuildFact;
use crate::tag_pattern::pattern_matches;

/// One curated entry: which releases (and optionally which wheels) of a package
/// were built against what, and where that was learned.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CuratedFact {
    /// The package.
    pub package: PackageName,
    /// The releases the entry covers.
    pub versions: VersionSpecifiers,
    /// Python tag patterns (`cp311`, `cp3*`); empty means every wheel.
    pub python_tags: Vec<String>,
    /// Platform tag patterns (`win_amd64`, `macosx_*_arm64`); empty means every wheel.
    pub platforms: Vec<String>,
    /// What the wheels were built against.
    pub fact: BuildFact,
    /// Release notes URL, upstream issue or PR, or `probe of <wheel filename>`.
    pub source: String,
    /// When the entry was last checked.
    pub checked: jiff::civil::Date,
    /// Anything a reader should know.
    pub note: Option<String>,
    /// The line of the entry in its file, for messages.
    pub line: usize,
}

impl CuratedFact {
    /// Whether the entry covers `version`, and `wheel` when the entry is
    /// restricted to some python or platform tags (a restricted entry never
    /// covers an unknown wheel).
    pub fn covers(&self, version: &Version, wheel: Option<&WheelFilename>) -> bool {
        if !self.versions.contains(version) {
            return false;
        }
        let tags_match = |patterns: &[String], tags: &[String]| {
            patterns.is_empty()
                || tags
                    .iter()
                    .any(|tag| patterns.iter().any(|pattern| pattern_matches(pattern, tag)))
        };
        match wheel {
            Some(wheel) => {
                tags_match(&self.python_tags, &wheel.python_tags)
                    && tags_match(&self.platforms, &wheel.platform_tags)
            }
            None => self.python_tags.is_empty() && self.platforms.is_empty(),
        }
    }

    /// How specific the entry is; the most specific covering entry wins. A
    /// python tag restriction outranks a platform restriction (the build
    /// toolchain usually differs by Python version), both together outrank either.
    pub(crate) fn specificity(&self) -> (bool, bool) {
        (!self.python_tags.is_empty(), !self.platforms.is_empty())
    }
}
