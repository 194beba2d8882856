//! A NumPy constraint derived from one wheel's build fact, and why.

use std::fmt;

use pep440_rs::Version;
use pep508_rs::PackageName;
use version_ranges::Ranges;

use crate::{BuildFact, numpy_runtime_range};

/// Where a build fact came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FactOrigin {
    /// An entry of the curated facts file.
    Curated {
        /// The release notes, issue, or probe the entry cites.
        source: String,
        /// When the entry was last checked.
        checked: jiff::civil::Date,
    },
    /// Read from the wheel's binaries.
    Scanned {
        /// What was found, e.g. `numpy._core._multiarray_umath in pandas/_libs/lib.so`.
        evidence: String,
    },
}

/// Why a package version constrains NumPy, in plain words (see its `Display`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AbiReason {
    /// The package whose binaries carry the fact.
    pub package: PackageName,
    /// Its version.
    pub version: Version,
    /// The wheel filename the fact is about, when known.
    pub wheel: Option<String>,
    /// What the binaries were built against.
    pub fact: BuildFact,
    /// Where the fact came from.
    pub origin: FactOrigin,
}

/// A constraint on `numpy` derived from one wheel's build fact.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AbiConstraint {
    /// The NumPy versions the wheel can run with.
    pub numpy: Ranges<Version>,
    /// Why.
    pub reason: AbiReason,
}

/// The constraint `fact` puts on NumPy, with `reason` attached; `None` when the
/// fact does not constrain NumPy.
pub fn constraint_for(fact: &BuildFact, reason: AbiReason) -> Option<AbiConstraint> {
    numpy_runtime_range(fact).map(|numpy| AbiConstraint { numpy, reason })
}

impl fmt::Display for AbiReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "`{}` {}", self.package, self.version)?;
        if let Some(wheel) = &self.wheel {
            write!(f, " ({wheel})")?;
        }
        match &self.fact {
            BuildFact::Numpy1 { floor } => {
                f.write_str(
                    " was built against NumPy 1.x (its wheels cannot import under NumPy 2",
                )?;
                if let Some(floor) = floor {
                    write!(f, " and need NumPy >= {floor}")?;
                }
            }
            BuildFact::Numpy2 { floor } => {
                f.write_str(" was built against NumPy 2.x (it runs with NumPy ")?;
                match floor {
                    Some(floor) => write!(f, ">= {floor}, < 3")?,
                    None => f.write_str("< 3")?,
                }
            }
            BuildFact::Numpy1Silent { binding } => write!(
                f,
                " uses {binding}, which assumes NumPy 1.x memory layouts \
                 (it imports under NumPy 2 but returns wrong data"
            )?,
            BuildFact::NoCapi => {
                f.write_str(" does not use the NumPy C-API (no NumPy constraint")?
            }
            BuildFact::Unknown => {
                f.write_str(" has an unknown NumPy build (no NumPy constraint")?
            }
        }
        match &self.origin {
            FactOrigin::Curated { source, checked } => {
                write!(f, "; source: {source}, checked {checked})")
            }
            FactOrigin::Scanned { evidence } => write!(f, "; found in its binaries: {evidence})"),
        }
    }
}

#[cfg(test)]
mod tests {
    use std::str::FromStr;

    use super::*;

    fn reason(fact: BuildFact, wheel: Option<&str>, origin: FactOrigin) -> AbiReason {
        AbiReason {
            package: PackageName::from_str("pandas").expect("valid name"),
            version: Version::from_str("1.5.3").expect("valid version"),
            wheel: wheel.map(str::to_string),
            fact,
            origin,
        }
    }

    fn curated() -> FactOrigin {
        FactOrigin::Curated {
            source: "https://pandas.pydata.org/docs/whatsnew/v2.2.2.html".to_string(),
            checked: jiff::civil::date(2026, 11, 23),
        }
    }

    #[test]
    fn numpy1_reason_names_package_version_and_source() {
        let text = reason(BuildFact::Numpy1 { floor: None }, None, curated()).to_string();
        assert_eq!(
            text,
            "`pandas` 1.5.3 was built against NumPy 1.x (its wheels cannot import under NumPy 2; \
             source: https://pandas.pydata.org/docs/whatsnew/v2.2.2.html, checked 2026-11-23)"
        );
    }

    #[test]
    fn numpy1_reason_with_wheel_and_floor() {
        let wheel = "pandas-1.5.3-cp311-cp311-manylinux_2_17_x86_64.manylinux2014_x86_64.whl";
        let fact = BuildFact::Numpy1 {
            floor: Some(Version::from_str("1.23").expect("valid")),
        };
        let origin = FactOrigin::Scanned {
            evidence: "`_ARRAY_API not found` in pandas/_libs/lib.so".to_string(),
        };
        assert_eq!(
            reason(fact, Some(wheel), origin).to_string(),
            format!(
                "`pandas` 1.5.3 ({wheel}) was built against NumPy 1.x (its wheels cannot import under NumPy 2 \
                 and need NumPy >= 1.23; found in its binaries: `_ARRAY_API not found` in pandas/_libs/lib.so)"
            )
        );
    }

    #[test]
    fn numpy2_and_silent_and_no_capi_reasons() {
        let numpy2 = BuildFact::Numpy2 {
            floor: Some(Version::from_str("1.22.4").expect("valid")),
        };
        assert!(
            reason(numpy2, None, curated())
                .to_string()
                .starts_with("`pandas` 1.5.3 was built against NumPy 2.x (it runs with NumPy >= 1.22.4, < 3; source: ")
        );
        let silent = BuildFact::Numpy1Silent {
            binding: "pybind11 < 2.12".to_string(),
        };
        assert!(reason(silent, None, curated()).to_string().contains(
            "uses pybind11 < 2.12, which assumes NumPy 1.x memory layouts (it imports under NumPy 2 but returns wrong data;"
        ));
        assert!(
            reason(BuildFact::NoCapi, None, curated())
                .to_string()
                .contains("does not use the NumPy C-API")
        );
    }

    #[test]
    fn constraint_only_for_constraining_facts() {
        let numpy1 = BuildFact::Numpy1 { floor: None };
        let constraint = constraint_for(&numpy1, reason(numpy1.clone(), None, curated()))
            .expect("numpy1 constrains");
        assert!(
            !constraint
                .numpy
                .contains(&Version::from_str("2.0.0").expect("valid"))
        );
        assert_eq!(constraint.reason.fact, numpy1);
        assert!(
            constraint_for(
                &BuildFact::NoCapi,
                reason(BuildFact::NoCapi, None, curated())
            )
            .is_none()
        );
    }
}
