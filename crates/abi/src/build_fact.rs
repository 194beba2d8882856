//! What a wheel's binaries were built against: facts, no policy.

use std::fmt;

use pep440_rs::Version;

/// What a wheel's compiled modules were built against (facts, no policy; see
/// [`numpy_runtime_range`](crate::numpy_runtime_range) for what they imply).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum BuildFact {
    /// Built with NumPy 1.x headers; `floor` is the feature level targeted
    /// (before NumPy 1.25 that was the build-time NumPy itself, e.g. `1.23`).
    Numpy1 {
        /// The oldest NumPy the binaries accept, when known.
        floor: Option<Version>,
    },
    /// Built with NumPy 2.x headers; `floor` is `NPY_TARGET_VERSION` (e.g. `1.20`).
    Numpy2 {
        /// The oldest NumPy the binaries accept, when known.
        floor: Option<Version>,
    },
    /// A binding that does not include NumPy's headers and hard-codes the 1.x
    /// struct layout (pybind11 < 2.12, rust-numpy < 0.22): it imports under
    /// NumPy 2 but reads arrays wrongly.
    Numpy1Silent {
        /// The binding and its version range, e.g. `pybind11 < 2.12`.
        binding: String,
    },
    /// The binaries do not use NumPy's C-API (or there are none): no constraint.
    NoCapi,
    /// Nothing is known.
    Unknown,
}

impl BuildFact {
    /// The keyword used for this fact in `data/numpy-abi.toml`.
    pub fn keyword(&self) -> &'static str {
        match self {
            BuildFact::Numpy1 { .. } => "numpy1",
            BuildFact::Numpy2 { .. } => "numpy2",
            BuildFact::Numpy1Silent { .. } => "numpy1-silent",
            BuildFact::NoCapi => "no-capi",
            BuildFact::Unknown => "unknown",
        }
    }

    /// The floor, for the facts that carry one.
    pub fn floor(&self) -> Option<&Version> {
        match self {
            BuildFact::Numpy1 { floor } | BuildFact::Numpy2 { floor } => floor.as_ref(),
            _ => None,
        }
    }
}

impl fmt::Display for BuildFact {
    /// A short description, e.g. `built against NumPy 1.x (floor 1.23)`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            BuildFact::Numpy1 { floor } | BuildFact::Numpy2 { floor } => {
                let major = if matches!(self, BuildFact::Numpy1 { .. }) {
                    1
                } else {
                    2
                };
                write!(f, "built against NumPy {major}.x")?;
                if let Some(floor) = floor {
                    write!(f, " (floor {floor})")?;
                }
                Ok(())
            }
            BuildFact::Numpy1Silent { binding } => {
                write!(f, "uses {binding}, which assumes the NumPy 1.x layout")
            }
            BuildFact::NoCapi => f.write_str("does not use the NumPy C-API"),
            BuildFact::Unknown => f.write_str("has an unknown NumPy build"),
        }
    }
}
