//! `abi`: the NumPy ABI knowledge npsolve holds for one package: the curated entries, and
//! the bundled table's wheels with what resolution uses for each.

use std::str::FromStr;

use npsolve_abi::{
    CuratedFact, Facts, MergedVerdict, SourceKind, SourceVerdict, Verdicts, merge_verdicts,
};
use npsolve_platform::WheelFilename;
use pep440_rs::{Operator, VersionSpecifiers};
use pep508_rs::PackageName;

/// What npsolve knows about one package.
#[derive(Debug, Clone)]
pub struct PackageFacts {
    /// The curated entries that can cover the asked-for version, in file order.
    pub curated: Vec<&'static CuratedFact>,
    /// The bundled table's wheels of those versions, each with its merged verdict (`None`
    /// when undecided).
    pub wheels: Vec<(String, Option<MergedVerdict>)>,
}

/// The facts for `name`, limited to the versions `specifiers` allow (an entry is kept when
/// it can contain an `==` version asked for).
pub fn package_facts(name: &PackageName, specifiers: Option<&VersionSpecifiers>) -> PackageFacts {
    let facts = Facts::bundled();
    let curated = facts
        .for_package(name)
        .filter(|fact| {
            specifiers.is_none_or(|specifiers| {
                specifiers.iter().all(|specifier| {
                    specifier.operator() != &Operator::Equal
                        || fact.versions.contains(specifier.version())
                })
            })
        })
        .collect();
    let mut wheels = Vec::new();
    for row in Verdicts::bundled().iter() {
        let Ok(wheel) = WheelFilename::from_str(&row.file) else {
            continue;
        };
        if wheel.name != *name || specifiers.is_some_and(|spec| !spec.contains(&wheel.version)) {
            continue;
        }
        let mut sources = Vec::new();
        if let Some(fact) = facts.lookup(name, &wheel.version, Some(&wheel)) {
            sources.push(SourceVerdict::curated(fact, Some(&row.file)));
        }
        sources.push(SourceVerdict::binaries(
            SourceKind::VerdictTable,
            row.fact.clone(),
            None,
            row.evidence.clone(),
        ));
        wheels.push((row.file.clone(), merge_verdicts(sources)));
    }
    PackageFacts { curated, wheels }
}
