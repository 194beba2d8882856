//! The resolver's ABI oracle over the curated facts of `npsolve-abi`.

use npsolve_abi::{AbiReason, BuildFact, FactOrigin, Facts, numpy_runtime_range};
use npsolve_platform::WheelFilename;
use npsolve_resolver::{AbiBound, AbiOracle, DistRef};
use pep440_rs::Version;
use pep508_rs::PackageName;

/// Answers "which NumPy can this wheel run with" from the bundled curated facts.
pub struct FactsOracle {
    facts: &'static Facts,
}

impl FactsOracle {
    /// The oracle over `data/numpy-abi.toml`, compiled into the binary.
    pub fn bundled() -> FactsOracle {
        FactsOracle {
            facts: Facts::bundled(),
        }
    }
}

/// A few words for annotations, e.g. `pandas 1.5.3 built with NumPy 1.x`.
pub fn summary(name: &PackageName, version: &Version, fact: &BuildFact) -> String {
    format!("{name} {version} {}", describe(fact))
}

/// What a build fact means, e.g. `built with NumPy 1.x`.
pub fn describe(fact: &BuildFact) -> String {
    match fact {
        BuildFact::Numpy1 { floor: Some(floor) } => {
            format!("built with NumPy 1.x, needs numpy>={floor},<2")
        }
        BuildFact::Numpy1 { floor: None } => "built with NumPy 1.x".to_string(),
        BuildFact::Numpy1Silent { binding } => format!("uses {binding} (NumPy 1.x layout)"),
        BuildFact::Numpy2 { floor: Some(floor) } => {
            format!("built with NumPy 2.x, needs numpy>={floor}")
        }
        BuildFact::Numpy2 { floor: None } => "built with NumPy 2.x".to_string(),
        BuildFact::NoCapi => "uses no NumPy C-API".to_string(),
        BuildFact::Unknown => "has an unknown NumPy build".to_string(),
    }
}

impl AbiOracle for FactsOracle {
    fn bound(
        &self,
        name: &PackageName,
        version: &Version,
        dist: &DistRef,
        _requires_numpy: bool,
    ) -> Option<AbiBound> {
        let filename = dist.filename.as_str();
        let wheel: Option<WheelFilename> = filename.parse().ok();
        let fact = self.facts.lookup(name, version, wheel.as_ref())?;
        let numpy = numpy_runtime_range(&fact.fact)?;
        let reason = AbiReason {
            package: name.clone(),
            version: version.clone(),
            wheel: Some(filename.to_string()),
            fact: fact.fact.clone(),
            origin: FactOrigin::Curated {
                source: fact.source.clone(),
                checked: fact.checked,
            },
        };
        Some(AbiBound {
            numpy,
            summary: summary(name, version, &fact.fact),
            reason: reason.to_string(),
            first_newer_build: self.facts.first_numpy2_release(name).cloned(),
        })
    }
}
