//! The resolver's ABI oracle: one merged verdict per wheel from the curated facts, the bundled
//! verdict table, the disk cache and scans made now (`npsolve_abi::merge_verdicts` holds the
//! rule).

use std::cell::OnceCell;
use std::collections::HashSet;
use std::sync::{Mutex, PoisonError};

use npsolve_abi::{
    AbiReason, BuildFact, CuratedFact, FactOrigin, Facts, MergedVerdict, ScannedWheel, SourceKind,
    SourceVerdict, Verdicts, merge_verdicts, numpy_runtime_range, predict_source_build,
};
use npsolve_index::DistFile;
use npsolve_platform::DistFilename;
use npsolve_resolver::{AbiBound, AbiOracle, ApiBound, DistRef};
use pep440_rs::Version;
use pep508_rs::PackageName;
use version_ranges::Ranges;

use crate::api_oracle::WheelApiOracle;
use crate::index_source::{FileRecords, IndexSource};
use crate::wheel_scanner::{ScanStats, WheelScanner};

/// When wheels' binaries are read during resolution.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum AbiScan {
    /// Scan wheels that require numpy and have no curated fact or bundled verdict, and
    /// wheels whose curated NumPy-2 fact has no floor.
    #[default]
    Auto,
    /// Never scan: such wheels stay unchecked.
    Off,
    /// Scan every compiled wheel nothing curated settles, numpy-dependent or not, ignoring
    /// the bundled verdict table.
    Always,
}

/// How many of a rejected package's next candidates get their scans started ahead: scans
/// cost real bytes, and most rejections are settled by the first one or two.
const SCAN_AHEAD: usize = 2;

/// Answers "which NumPy can this wheel run with" with one merged verdict: the curated fact
/// (`data/numpy-abi.toml`) covering it, the bundled verdict table (`data/numpy-verdicts.tsv`)
/// by sha256, and, when neither gives both a major and a floor, a scan of its binaries
/// (cached by sha256) when scanning is on. A wheel is scanned when its metadata requires
/// numpy or a curated entry names it (pyarrow declares no numpy and is built for NumPy 2
/// only).
pub struct WheelAbiOracle {
    facts: &'static Facts,
    verdicts: Option<&'static Verdicts>,
    scanner: Option<WheelScanner>,
    /// The index's records of the files the resolver asks about.
    records: FileRecords,
    /// Scan every compiled wheel nothing bundled covers, whether or not it requires numpy
    /// ([`AbiScan::Always`]).
    scan_all: bool,
    /// Wheels whose disagreements were already logged.
    reported: Mutex<HashSet<String>>,
    /// The Python-API bounds, when sources are read.
    api: Option<WheelApiOracle>,
}

impl WheelAbiOracle {
    /// The oracle for `setting` on the files `source` hands out, over the bundled facts and
    /// (but for [`AbiScan::Always`]) the bundled verdicts, scanning through the source's
    /// client (but for [`AbiScan::Off`]).
    pub fn for_setting(setting: AbiScan, source: &IndexSource) -> WheelAbiOracle {
        let records = source.records();
        WheelAbiOracle {
            facts: Facts::bundled(),
            verdicts: (setting != AbiScan::Always).then(Verdicts::bundled),
            scanner: (setting != AbiScan::Off)
                .then(|| WheelScanner::new(records.client().clone(), records.runtime().clone())),
            records,
            scan_all: setting == AbiScan::Always,
            reported: Mutex::new(HashSet::new()),
            api: None,
        }
    }

    /// The same oracle, also answering with the Python-API bounds of wheels' code.
    pub fn with_api(mut self, api: Option<WheelApiOracle>) -> WheelAbiOracle {
        self.api = api;
        self
    }

    fn table(&self, dist: &DistRef) -> Option<&ScannedWheel> {
        let sha256 = dist.sha256.as_deref()?;
        self.verdicts?.by_sha256(sha256)
    }

    /// What scanning cost in this run, when scanning is on.
    pub fn scan_stats(&self) -> Option<ScanStats> {
        self.scanner.as_ref().map(WheelScanner::stats)
    }

    /// The curated entry covering the wheel `file` gives (the index's record), if any; `file`
    /// is called only for a package with curated entries.
    fn curated<'f>(
        &self,
        name: &PackageName,
        version: &Version,
        file: impl FnOnce() -> Option<&'f DistFile>,
    ) -> Option<&'static CuratedFact> {
        self.facts.for_package(name).next()?;
        let wheel = file().and_then(|file| match &file.filename {
            DistFilename::Wheel(wheel) => Some(wheel),
            DistFilename::Sdist(_) => None,
        });
        self.facts.lookup(name, version, wheel)
    }

    /// Whether the wheel's binaries are worth reading: nothing bundled covers it, and either
    /// nothing curated covers it and its metadata requires numpy, or a curated entry says
    /// NumPy 2 without a floor (which may be 2.0: pyarrow 26 declares no numpy at all).
    fn wants_scan(
        &self,
        curated: Option<&CuratedFact>,
        dist: &DistRef,
        requires_numpy: bool,
    ) -> bool {
        if self.scanner.is_none() || self.table(dist).is_some() {
            return false;
        }
        match curated.map(|fact| &fact.fact) {
            None => requires_numpy || self.scan_all,
            // A NumPy-2 build's floor may be 2.0 (NumPy-2-only): worth a scan. A NumPy-1
            // build's floor only matters against old NumPy pins, and its major is known.
            Some(BuildFact::Numpy2 { floor }) => floor.is_none(),
            Some(_) => false,
        }
    }

    /// The merged verdict on `dist` from every source that covers it (scanning it now when
    /// its scan rule says so); `None` when nothing decides anything.
    pub fn verdict(
        &self,
        name: &PackageName,
        version: &Version,
        dist: &DistRef,
        requires_numpy: bool,
    ) -> Option<MergedVerdict> {
        // The index's record is looked up only when needed: by a curated entry of this
        // package (which may name wheels) or by a scan.
        let record = OnceCell::new();
        let file = || record.get_or_init(|| self.records.get(name, dist)).as_ref();
        let curated = self.curated(name, version, file);
        let mut sources = Vec::new();
        if let Some(fact) = curated {
            sources.push(SourceVerdict::curated(fact, Some(&dist.filename)));
        }
        if let Some(row) = self.table(dist) {
            let made = self
                .verdicts
                .and_then(Verdicts::made)
                .and_then(|made| made.get(..10))
                .map(str::to_string);
            sources.push(SourceVerdict::binaries(
                SourceKind::VerdictTable,
                row.fact.clone(),
                made,
                row.evidence.clone(),
            ));
        } else if self.wants_scan(curated, dist, requires_numpy)
            && let Some(scanner) = &self.scanner
            && let Some(file) = file()
            && let Some(wheel) = scanner.verdict(name, dist.key, file)
        {
            sources.push(SourceVerdict::binaries(
                SourceKind::Scan,
                wheel.fact.clone(),
                Some(today()),
                wheel.evidence.clone(),
            ));
        }
        let merged = merge_verdicts(sources)?;
        if !merged.disagreements.is_empty() {
            let mut reported = self.reported.lock().unwrap_or_else(PoisonError::into_inner);
            if reported.insert(dist.filename.clone()) {
                for disagreement in &merged.disagreements {
                    tracing::info!("`{}`: {disagreement}", dist.filename);
                }
            }
        }
        Some(merged)
    }
}

/// Today's date, `YYYY-MM-DD`, for a reading made now.
fn today() -> String {
    jiff::Timestamp::now()
        .to_zoned_datetime(jiff::tz::TimeZone::UTC)
        .date()
        .to_string()
}

/// The reason and origin of a merged verdict, for explanations.
pub fn reason_for(
    name: &PackageName,
    version: &Version,
    wheel: Option<&str>,
    merged: &MergedVerdict,
) -> AbiReason {
    let settling = merged.settling_source();
    // A curated entry that says exactly what the merge concluded is the citation users can
    // follow; otherwise the binaries' reading is.
    let agreeing_curated = merged.sources.iter().find(|source| {
        matches!(source.kind, SourceKind::Curated { .. }) && source.fact == merged.fact
    });
    let origin = match agreeing_curated {
        Some(SourceVerdict {
            kind: SourceKind::Curated { source, .. },
            date,
            ..
        }) => FactOrigin::Curated {
            source: source.clone(),
            checked: date
                .as_deref()
                .and_then(|date| date.parse().ok())
                .unwrap_or_default(),
        },
        _ => FactOrigin::Scanned {
            evidence: format!("{} ({})", merged.evidence(), settling.label()),
        },
    };
    AbiReason {
        package: name.clone(),
        version: version.clone(),
        wheel: wheel.map(str::to_string),
        fact: merged.fact.clone(),
        origin,
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
        let merged = self.verdict(name, version, dist, requires_numpy)?;
        let numpy = runtime_range(&merged.fact)?;
        let reason = reason_for(name, version, Some(&dist.filename), &merged);
        Some(AbiBound {
            numpy,
            summary: summary(name, version, &merged.fact),
            reason: reason.to_string(),
            first_newer_build: self.facts.first_numpy2_release(name).cloned(),
        })
    }

    fn source_bound(
        &self,
        name: &PackageName,
        version: &Version,
        build_requires: &[pep508_rs::Requirement],
        markers: &pep508_rs::MarkerEnvironment,
        newest_numpy: Option<&Version>,
    ) -> Option<AbiBound> {
        let build = predict_source_build(build_requires, markers, newest_numpy)?;
        let numpy = runtime_range(&build.fact)?;
        Some(AbiBound {
            numpy,
            summary: format!(
                "{name} {version} built from source {} (predicted from build-system.requires `{}`)",
                describe(&build.fact).trim_start_matches("built "),
                build.because
            ),
            reason: format!(
                "a source build of `{name}` {version} compiles against the NumPy its build requirement `{}` installs: {}",
                build.because,
                describe(&build.fact)
            ),
            first_newer_build: None,
        })
    }

    fn api_bounds(
        &self,
        name: &PackageName,
        version: &Version,
        dist: &DistRef,
        declared: &[&PackageName],
    ) -> Vec<ApiBound> {
        self.api
            .as_ref()
            .map(|api| api.bounds(name, version, dist, declared))
            .unwrap_or_default()
    }

    fn start_api_bounds(&self, name: &PackageName, dist: &DistRef, declared: &[&PackageName]) {
        if let Some(api) = &self.api {
            api.start(name, dist, declared);
        }
    }

    fn prefetch(&self, name: &PackageName, dists: &[(Version, DistRef)]) {
        if let Some(api) = &self.api {
            api.prefetch(name, &dists[..dists.len().min(SCAN_AHEAD)]);
        }
        let Some(scanner) = &self.scanner else {
            return;
        };
        for (version, dist) in dists.iter().take(SCAN_AHEAD) {
            let record = OnceCell::new();
            let file = || record.get_or_init(|| self.records.get(name, dist)).as_ref();
            let curated = self.curated(name, version, file);
            if self.wants_scan(curated, dist, true)
                && let Some(file) = file()
            {
                scanner.start(name, dist.key, file);
            }
        }
    }
}
