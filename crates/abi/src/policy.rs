//! The one place that turns a build fact into the NumPy versions it runs with.

use pep440_rs::Version;
use version_ranges::Ranges;

use crate::BuildFact;

/// The NumPy versions a wheel with this build fact can run with; `None` means
/// no constraint ([`BuildFact::NoCapi`], [`BuildFact::Unknown`]).
///
/// The rule (NumPy's own, as conda-forge's `run_exports` encode it): a build
/// against major `M` headers with feature floor `T` runs on `>= T` and below
/// the next major. The upper bound is `(M+1).dev0`, so pre-releases of the
/// next major (`2.0.0rc1`) are excluded too. Silent bindings get the 1.x
/// bound without a floor. A new NumPy major is one new arm here.
pub fn numpy_runtime_range(fact: &BuildFact) -> Option<Ranges<Version>> {
    match fact {
        BuildFact::Numpy1 { floor } => Some(built_against_major(1, floor.as_ref())),
        BuildFact::Numpy2 { floor } => Some(built_against_major(2, floor.as_ref())),
        BuildFact::Numpy1Silent { .. } => Some(built_against_major(1, None)),
        BuildFact::NoCapi | BuildFact::Unknown => None,
    }
}

/// `[floor, (major+1).dev0)`, or `< (major+1).dev0` without a floor.
fn built_against_major(major: u64, floor: Option<&Version>) -> Ranges<Version> {
    let below_next_major = Ranges::strictly_lower_than(first_of_major(major + 1));
    match floor {
        Some(floor) => Ranges::higher_than(floor.clone()).intersection(&below_next_major),
        None => below_next_major,
    }
}

/// The smallest version of a major series, pre-releases included: `M.dev0`.
fn first_of_major(major: u64) -> Version {
    Version::new([major]).with_dev(Some(0))
}

#[cfg(test)]
mod tests {
    use std::str::FromStr;

    use super::*;

    fn v(text: &str) -> Version {
        Version::from_str(text).expect("test version parses")
    }

    fn runs(fact: &BuildFact, numpy: &str) -> bool {
        numpy_runtime_range(fact)
            .expect("fact constrains numpy")
            .contains(&v(numpy))
    }

    #[test]
    fn numpy1_builds_stop_before_any_numpy2_release_or_prerelease() {
        let fact = BuildFact::Numpy1 {
            floor: Some(v("1.23")),
        };
        assert!(runs(&fact, "1.23.0"));
        assert!(runs(&fact, "1.26.4"));
        assert!(runs(&fact, "1.26.4.post1"));
        assert!(!runs(&fact, "1.22.4"));
        assert!(
            !runs(&fact, "1.23.0rc1"),
            "a pre-release of the floor is below the floor"
        );
        assert!(!runs(&fact, "2.0.0.dev0"));
        assert!(!runs(&fact, "2.0.0b1"));
        assert!(!runs(&fact, "2.0.0rc1"));
        assert!(!runs(&fact, "2.0.0"));
        assert!(!runs(&fact, "3.0.0"));
    }

    #[test]
    fn numpy1_without_floor_has_no_lower_bound() {
        let fact = BuildFact::Numpy1 { floor: None };
        assert!(runs(&fact, "1.0"));
        assert!(runs(&fact, "1.26.4"));
        assert!(!runs(&fact, "2.0.0rc2"));
    }

    #[test]
    fn numpy2_builds_run_from_their_floor_up_to_numpy3() {
        let fact = BuildFact::Numpy2 {
            floor: Some(v("1.22")),
        };
        assert!(!runs(&fact, "1.21.6"));
        assert!(runs(&fact, "1.22.0"));
        assert!(runs(&fact, "1.26.4"));
        assert!(runs(&fact, "2.0.0rc1"));
        assert!(runs(&fact, "2.3.5"));
        assert!(runs(&fact, "2.99"));
        assert!(!runs(&fact, "3.0.0.dev0"));
        assert!(!runs(&fact, "3.0.0a1"));
        assert!(!runs(&fact, "3.0"));
    }

    #[test]
    fn silent_bindings_are_held_below_numpy2() {
        let fact = BuildFact::Numpy1Silent {
            binding: "pybind11 < 2.12".to_string(),
        };
        assert!(runs(&fact, "1.19.5"));
        assert!(!runs(&fact, "2.0.0rc1"));
        assert!(!runs(&fact, "2.0.2"));
    }

    #[test]
    fn facts_without_capi_use_do_not_constrain() {
        assert_eq!(numpy_runtime_range(&BuildFact::NoCapi), None);
        assert_eq!(numpy_runtime_range(&BuildFact::Unknown), None);
    }

    #[test]
    fn the_range_is_exactly_the_half_open_interval() {
        let expected = Ranges::from_range_bounds(v("1.20")..v("3.dev0"));
        assert_eq!(
            numpy_runtime_range(&BuildFact::Numpy2 {
                floor: Some(v("1.20"))
            }),
            Some(expected)
        );
    }
}
