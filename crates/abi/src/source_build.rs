//! The NumPy a source build would compile against, predicted from the sdist's
//! `build-system.requires`, and so the NumPy its result runs with.
//!
//! A build environment gets the newest NumPy its build requirements allow: `oldest-supported-
//! numpy` or `numpy<2` make a 1.x build (runs on `< 2`); a requirement that admits 2.x (or a
//! bare `numpy`) makes a 2.x build, whose default feature floor follows the header version
//! (NumPy's rule, `../shared/docs/numpy-abi.md` section 2): 2.0 → 1.19, 2.1 and 2.2 → 1.21,
//! 2.3 and 2.4 → 1.23, 2.5 → 1.25. A build requirement that names no NumPy predicts nothing.

use std::str::FromStr;

use pep440_rs::Version;
use pep508_rs::{MarkerEnvironment, Requirement, VersionOrUrl};

use crate::BuildFact;

/// The default feature floor (`NPY_TARGET_VERSION`) of each NumPy 2.x header minor, newest
/// last (numpyconfig.h at each tag).
const DEFAULT_FLOORS: [(u64, &str); 6] = [
    (0, "1.19"),
    (1, "1.21"),
    (2, "1.21"),
    (3, "1.23"),
    (4, "1.23"),
    (5, "1.25"),
];

/// A predicted build: the fact, and the requirement that decided it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PredictedBuild {
    /// What the build would compile against.
    pub fact: BuildFact,
    /// The build requirement it follows from, e.g. `oldest-supported-numpy`.
    pub because: String,
}

/// The build an sdist with these `build-system.requires` would make for the environment
/// `markers`, when `newest_numpy` is the newest NumPy release the build could install.
pub fn predict_source_build(
    build_requires: &[Requirement],
    markers: &MarkerEnvironment,
    newest_numpy: Option<&Version>,
) -> Option<PredictedBuild> {
    let applies = |requirement: &&Requirement| requirement.evaluate_markers(markers, &[]);
    if let Some(oldest) = build_requires
        .iter()
        .filter(applies)
        .find(|requirement| requirement.name.as_ref() == "oldest-supported-numpy")
    {
        return Some(PredictedBuild {
            fact: BuildFact::Numpy1 { floor: None },
            because: oldest.to_string(),
        });
    }
    let numpy = build_requires
        .iter()
        .filter(applies)
        .find(|requirement| requirement.name.as_ref() == "numpy")?;
    let allows = |version: &Version| match &numpy.version_or_url {
        Some(VersionOrUrl::VersionSpecifier(specifiers)) => specifiers.contains(version),
        Some(VersionOrUrl::Url(_)) => false,
        None => true,
    };
    let newest_minor = newest_numpy
        .filter(|newest| newest.release().first() == Some(&2))
        .and_then(|newest| newest.release().get(1).copied());
    // The newest 2.x header the build could get: the newest minor the requirement admits, no
    // newer than the newest release (when known).
    let header = DEFAULT_FLOORS
        .iter()
        .rev()
        .filter(|(minor, _)| newest_minor.is_none_or(|newest| *minor <= newest))
        .find(|(minor, _)| {
            (0..30).any(|patch| {
                Version::from_str(&format!("2.{minor}.{patch}"))
                    .is_ok_and(|version| allows(&version))
            })
        });
    let fact = match header {
        Some((_, floor)) => BuildFact::Numpy2 {
            floor: Version::from_str(floor).ok(),
        },
        // Admits no 2.x release: a 1.x build, when it admits any 1.x at all.
        None if (0..30).any(|minor| {
            Version::from_str(&format!("1.{minor}.0")).is_ok_and(|version| allows(&version))
        }) =>
        {
            BuildFact::Numpy1 { floor: None }
        }
        None => return None,
    };
    Some(PredictedBuild {
        fact,
        because: numpy.to_string(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn predict(requires: &[&str], newest: Option<&str>) -> Option<BuildFact> {
        let requires: Vec<Requirement> = requires
            .iter()
            .map(|text| Requirement::from_str(text).expect("requirement"))
            .collect();
        let markers = MarkerEnvironment::try_from(pep508_rs::MarkerEnvironmentBuilder {
            implementation_name: "cpython",
            implementation_version: "3.11.9",
            os_name: "posix",
            platform_machine: "x86_64",
            platform_python_implementation: "CPython",
            platform_release: "",
            platform_system: "Linux",
            platform_version: "",
            python_full_version: "3.11.9",
            python_version: "3.11",
            sys_platform: "linux",
        })
        .expect("markers");
        let newest = newest.map(|text| Version::from_str(text).expect("version"));
        predict_source_build(&requires, &markers, newest.as_ref()).map(|build| build.fact)
    }

    fn numpy2(floor: &str) -> BuildFact {
        BuildFact::Numpy2 {
            floor: Version::from_str(floor).ok(),
        }
    }

    #[test]
    fn build_requirements_decide_the_major_and_the_floor() {
        let numpy1 = BuildFact::Numpy1 { floor: None };
        assert_eq!(
            predict(&["setuptools", "oldest-supported-numpy"], None),
            Some(numpy1.clone())
        );
        assert_eq!(predict(&["numpy<2"], Some("2.4.6")), Some(numpy1.clone()));
        assert_eq!(predict(&["numpy==1.26.*"], Some("2.4.6")), Some(numpy1));
        assert_eq!(
            predict(&["numpy>=2.0.0rc1"], Some("2.4.6")),
            Some(numpy2("1.23"))
        );
        assert_eq!(predict(&["numpy"], Some("2.2.1")), Some(numpy2("1.21")));
        assert_eq!(
            predict(&["numpy>=2.0,<2.1"], Some("2.4.6")),
            Some(numpy2("1.19"))
        );
        assert_eq!(predict(&["numpy"], None), Some(numpy2("1.25")));
        assert_eq!(predict(&["setuptools", "cython"], Some("2.4.6")), None);
        // A marker that excludes the target leaves the requirement out.
        assert_eq!(
            predict(
                &[
                    "numpy<2; python_version<'3.9'",
                    "numpy>=2; python_version>='3.9'"
                ],
                Some("2.4.6")
            ),
            Some(numpy2("1.23"))
        );
    }
}
