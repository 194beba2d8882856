//! The resolver's ABI oracle: curated facts first, then verdicts read from wheels' binaries
//! (the bundled verdict table, the disk cache, or a scan made now).

use npsolve_abi::{
    AbiReason, BuildFact, FactOrigin, Facts, ScannedWheel, Verdicts, numpy_runtime_range,
};
use npsolve_platform::WheelFilename;
use npsolve_resolver::{AbiBound, AbiOracle, DistRef};
use pep440_rs::Version;
use pep508_rs::PackageName;
use version_ranges::Ranges;

use npsolve_index::IndexClient;

use crate::args::AbiScanArg;
use crate::wheel_scanner::{ScanStats, WheelScanner};

/// Answers "which NumPy can this wheel run with": curated facts (`data/numpy-abi.toml`)
/// override everything; then the bundled verdict table (`data/numpy-verdicts.tsv`) by
/// sha256; then, for a wheel whose metadata requires numpy, a scan of its binaries (cached
/// by sha256) when scanning is on.
pub struct WheelAbiOracle {
    facts: &'static Facts,
    verdicts: Option<&'static Verdicts>,
    scanner: Option<WheelScanner>,
}

impl WheelAbiOracle {
    /// The oracle over the bundled facts and (with `use_table`) the bundled verdicts;
    /// `scanner` reads wheels neither covers (`None`: `--abi-scan off`).
    pub fn new(scanner: Option<WheelScanner>, use_table: bool) -> WheelAbiOracle {
        WheelAbiOracle {
            facts: Facts::bundled(),
            verdicts: use_table.then(Verdicts::bundled),
            scanner,
        }
    }

    /// The oracle `--abi-scan` asks for, scanning through `client` on `runtime`.
    pub fn for_setting(
        setting: AbiScanArg,
        client: &IndexClient,
        runtime: &tokio::runtime::Handle,
    ) -> WheelAbiOracle {
        let scanner = (setting != AbiScanArg::Off)
            .then(|| WheelScanner::new(client.clone(), runtime.clone()));
        WheelAbiOracle::new(scanner, setting != AbiScanArg::Always)
    }

    fn table(&self, dist: &DistRef) -> Option<&ScannedWheel> {
        let sha256 = dist.sha256.as_deref()?;
        self.verdicts?.by_sha256(sha256)
    }

    /// What scanning cost in this run, when scanning is on.
    pub fn scan_stats(&self) -> Option<ScanStats> {
        self.scanner.as_ref().map(WheelScanner::stats)
    }

    /// `Some` when a curated fact covers the wheel: its bound, or `None` when the fact puts
    /// no bound on NumPy (a curated "no C-API" is not second-guessed by a scan).
    fn curated(
        &self,
        name: &PackageName,
        version: &Version,
        filename: &str,
    ) -> Option<Option<AbiBound>> {
        let wheel: Option<WheelFilename> = filename.parse().ok();
        let fact = self.facts.lookup(name, version, wheel.as_ref())?;
        let Some(numpy) = runtime_range(&fact.fact) else {
            return Some(None);
        };
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
        Some(Some(AbiBound {
            numpy,
            summary: summary(name, version, &fact.fact),
            reason: reason.to_string(),
            first_newer_build: self.facts.first_numpy2_release(name).cloned(),
        }))
    }

    /// The recorded verdict for `dist` (bundled table, then scan), if any.
    fn scanned(
        &self,
        name: &PackageName,
        dist: &DistRef,
        requires_numpy: bool,
    ) -> Option<(ScannedWheel, &str)> {
        if let Some(row) = self.table(dist) {
            return Some((row.clone(), "bundled verdict table"));
        }
        let scanner = self.scanner.as_ref().filter(|_| requires_numpy)?;
        let wheel = scanner.verdict(name, dist)?;
        Some(((*wheel).clone(), "scanned"))
    }
}

/// The NumPy versions a wheel with `fact` runs with: the policy's range, every version for
/// a wheel that uses no C-API (checked, unconstrained), `None` when unknown (unchecked).
fn runtime_range(fact: &BuildFact) -> Option<Ranges<Version>> {
    numpy_runtime_range(fact).or_else(|| matches!(fact, BuildFact::NoCapi).then(Ranges::full))
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

impl AbiOracle for WheelAbiOracle {
    fn bound(
        &self,
        name: &PackageName,
        version: &Version,
        dist: &DistRef,
        requires_numpy: bool,
    ) -> Option<AbiBound> {
        if let Some(curated) = self.curated(name, version, &dist.filename) {
            return curated;
        }
        let (wheel, how) = self.scanned(name, dist, requires_numpy)?;
        let numpy = runtime_range(&wheel.fact)?;
        let reason = AbiReason {
            package: name.clone(),
            version: version.clone(),
            wheel: Some(dist.filename.clone()),
            fact: wheel.fact.clone(),
            origin: FactOrigin::Scanned {
                evidence: format!("{} ({how})", wheel.evidence),
            },
        };
        Some(AbiBound {
            numpy,
            summary: summary(name, version, &wheel.fact),
            reason: reason.to_string(),
            first_newer_build: self.facts.first_numpy2_release(name).cloned(),
        })
    }

    fn prefetch(&self, name: &PackageName, dists: &[(Version, DistRef)]) {
        let Some(scanner) = &self.scanner else {
            return;
        };
        for (version, dist) in dists {
            let known =
                self.curated(name, version, &dist.filename).is_some() || self.table(dist).is_some();
            if !known {
                scanner.start(name, dist);
            }
        }
    }
}
