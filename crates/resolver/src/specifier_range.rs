//! PEP 440 specifiers as PubGrub ranges, local versions and exclusive comparisons included.
//!
//! `pep440_rs` 0.7's own conversion takes `==1.2.3` for the single version `1.2.3`, so a
//! requirement `torch==2.5.1` misses `2.5.1+cpu`; it turns `>1.2.3.post0` into
//! `>=1.2.3.post1`, which misses `1.2.3.post1.dev0`; and its `<1.2.3.post1` excludes
//! `1.2.3` itself. This module follows Python's `packaging` 26.4, the reference
//! implementation, which states each operator as intervals too; the table it generated
//! (`tests/fixtures/pep440/oracle.tsv`) checks every operator here. Pre-release *policy*
//! (whether a pre-release may be chosen at all) is the provider's, not this module's.

use std::ops::Bound;

use pep440_rs::{Operator, Version, VersionSpecifier, VersionSpecifiers};
use version_ranges::Ranges;

/// The versions every one of `specifiers` admits.
pub fn specifiers_range(specifiers: &VersionSpecifiers) -> Ranges<Version> {
    specifiers.iter().fold(Ranges::full(), |range, specifier| {
        range.intersection(&specifier_range(specifier))
    })
}

/// The versions `specifier` admits.
pub fn specifier_range(specifier: &VersionSpecifier) -> Ranges<Version> {
    let version = specifier.version();
    match specifier.operator() {
        // `==1.4` admits every local build of 1.4 (`1.4+cpu`); `==1.4+cpu` only itself.
        Operator::Equal => same_release(version),
        Operator::NotEqual => same_release(version).complement(),
        // V and its local builds: `<=2.5.1` admits `2.5.1+cu121`.
        Operator::LessThanEqual => Ranges::strictly_lower_than(after_locals(version)),
        // Not V's own pre-releases, unless V is one: `<1.2.3.post1` admits `1.2.3a1` and
        // `1.2.3.post0`, not `1.2.3.post1.dev0`. A final release's earliest pre-release
        // is its `.dev0`, a post-release's too.
        Operator::LessThan if version.any_prerelease() => {
            Ranges::strictly_lower_than(version.clone())
        }
        Operator::LessThan => {
            Ranges::strictly_lower_than(version.clone().without_local().with_dev(Some(0)))
        }
        // Not V's local builds; not its post-releases unless V is one (a dev release has
        // none): past a dev or post release, the range starts right after its local builds.
        Operator::GreaterThan if version.dev().is_some() || version.post().is_some() => {
            Ranges::higher_than(after_locals(version))
        }
        // `max` sorts after every post-release and local build of V.
        Operator::GreaterThan => {
            Ranges::strictly_higher_than(version.clone().without_local().with_max(Some(0)))
        }
        // `>=`, `~=`, `==V.*`, `!=V.*` and `===` already agree with `packaging`.
        _ => Ranges::from(specifier.clone()),
    }
}

/// The release a range pins, when it admits one version and its local builds only (what
/// `==2.5.1` gives), or a single version.
pub(crate) fn pinned_version(range: &Ranges<Version>) -> Option<&Version> {
    let mut segments = range.iter();
    let (Bound::Included(low), high) = segments.next()? else {
        return None;
    };
    if segments.next().is_some() {
        return None;
    }
    match high {
        Bound::Included(high) if high == low => Some(low),
        Bound::Excluded(high) if !low.is_local() && *high == after_locals(low) => Some(low),
        _ => None,
    }
}

/// The version whose local builds end just below `bound`, when `bound` is such an end:
/// the inverse of [`after_locals`], for showing `<=2.5.1` rather than its bound.
pub(crate) fn before_locals(bound: &Version) -> Option<Version> {
    if bound.is_local() || bound.min().is_some() || bound.max().is_some() {
        return None;
    }
    match (bound.dev(), bound.post()) {
        (Some(0), Some(0)) => Some(bound.clone().with_dev(None).with_post(None)),
        (Some(0), Some(post)) => Some(bound.clone().with_dev(None).with_post(Some(post - 1))),
        (Some(dev), _) if dev > 0 => Some(bound.clone().with_dev(Some(dev - 1))),
        _ => None,
    }
}

/// `==version`: the version and, when it names no local label, every local build of it.
fn same_release(version: &Version) -> Ranges<Version> {
    if version.is_local() {
        Ranges::singleton(version.clone())
    } else {
        Ranges::from_range_bounds(version.clone()..after_locals(version))
    }
}

/// The smallest version above `version` and all its local builds (`1.0+cpu`, `1.0+cu121`):
/// its next dev release when it is one, else the `.dev0` of its next post-release.
fn after_locals(version: &Version) -> Version {
    let version = version.clone().without_local();
    match (version.dev(), version.post()) {
        (Some(dev), _) => version.with_dev(Some(dev + 1)),
        (None, Some(post)) => version.with_post(Some(post + 1)).with_dev(Some(0)),
        (None, None) => version.with_post(Some(0)).with_dev(Some(0)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn admits(specifiers: &str, version: &str) -> bool {
        let specifiers: VersionSpecifiers = specifiers.parse().unwrap();
        specifiers_range(&specifiers).contains(&version.parse().unwrap())
    }

    #[test]
    fn local_builds_match_a_release_named_without_one() {
        assert!(admits("==2.5.1", "2.5.1+cpu"));
        assert!(admits("<=2.5.1", "2.5.1+cu121"));
        assert!(!admits("!=2.5.1", "2.5.1+cpu"));
        assert!(!admits("==2.5.1+cpu", "2.5.1+cu121"));
        assert!(!admits("==2.5.1", "2.5.1.post0"));
    }

    #[test]
    fn a_release_pin_is_recognised_and_bounds_read_back() {
        let range = |text: &str| specifiers_range(&text.parse().unwrap());
        let pinned = range("==2.5.1");
        assert_eq!(
            pinned_version(&pinned).map(ToString::to_string).as_deref(),
            Some("2.5.1")
        );
        assert_eq!(
            pinned_version(&range("==2.5.1+cpu"))
                .map(ToString::to_string)
                .as_deref(),
            Some("2.5.1+cpu")
        );
        assert_eq!(pinned_version(&range(">=2.5.1,<2.5.2")), None);
        for version in ["1.0", "1.0.post3", "1.0.dev2", "1.0a1", "1.0.post2.dev5"] {
            let version: Version = version.parse().unwrap();
            assert_eq!(before_locals(&after_locals(&version)), Some(version));
        }
    }

    #[test]
    fn exclusive_comparisons_keep_post_and_dev_neighbours() {
        assert!(admits(">1.2.3.post0", "1.2.3.post1.dev0"));
        assert!(admits("<1.2.3.post1", "1.2.3a1"));
        assert!(!admits("<1.2.3.post1", "1.2.3.post1.dev0"));
        assert!(!admits(">1.2.3", "1.2.3.post1"));
        assert!(!admits(">1.2.3", "1.2.3+cpu"));
    }
}
