//! The set of curated facts and how they are looked up.

use std::collections::BTreeMap;
use std::ops::Bound;
use std::sync::OnceLock;

use npsolve_platform::WheelFilename;
use pep440_rs::Version;
use pep508_rs::PackageName;
use version_ranges::Ranges;

use crate::{BuildFact, CuratedFact, FactsError};

/// The bundled facts file, compiled in.
const BUNDLED_TOML: &str = include_str!("../../../data/numpy-abi.toml");

/// Curated NumPy build facts, validated (see `docs/abi-data.md` for the file format).
#[derive(Debug, Clone, Default)]
pub struct Facts {
    /// Entries in file order, grouped by package.
    by_package: BTreeMap<PackageName, Vec<CuratedFact>>,
    /// Per package, the lowest release an entry says is built against NumPy 2.
    first_numpy2: BTreeMap<PackageName, Version>,
}

impl Facts {
    /// The facts shipped with npsolve (`data/numpy-abi.toml`), parsed once.
    ///
    /// # Panics
    ///
    /// Never for a released build: a unit test parses the same compiled-in
    /// text, so a broken bundled file fails the test suite first.
    pub fn bundled() -> &'static Facts {
        static BUNDLED: OnceLock<Facts> = OnceLock::new();
        BUNDLED.get_or_init(|| match Facts::parse(BUNDLED_TOML, "data/numpy-abi.toml") {
            Ok(facts) => facts,
            Err(error) => panic!("the bundled NumPy ABI facts are invalid: {error}"),
        })
    }

    /// Parses and validates a facts file; `path` is only used in errors.
    pub fn parse(text: &str, path: &str) -> Result<Facts, FactsError> {
        crate::loader::parse(text, path).map(Facts::from_entries)
    }

    /// Builds the set from validated entries, keeping their order.
    pub(crate) fn from_entries(entries: Vec<CuratedFact>) -> Facts {
        let mut facts = Facts::default();
        for entry in entries {
            if let BuildFact::Numpy2 { .. } = entry.fact
                && let Some(first) = lowest_release(&entry)
            {
                facts
                    .first_numpy2
                    .entry(entry.package.clone())
                    .and_modify(|known| {
                        if first < *known {
                            *known = first.clone();
                        }
                    })
                    .or_insert(first);
            }
            facts
                .by_package
                .entry(entry.package.clone())
                .or_default()
                .push(entry);
        }
        facts
    }

    /// The entry that decides `name` `version` (built as `wheel`, when known):
    /// among the covering entries the most specific wins (python and platform
    /// tags, then python tags, then platform tags, then none), ties going to
    /// the entry written first.
    pub fn lookup(
        &self,
        name: &PackageName,
        version: &Version,
        wheel: Option<&WheelFilename>,
    ) -> Option<&CuratedFact> {
        self.for_package(name)
            .filter(|entry| entry.covers(version, wheel))
            .min_by_key(|entry| std::cmp::Reverse(entry.specificity()))
    }

    /// All entries for `name`, in file order.
    pub fn for_package(&self, name: &PackageName) -> impl Iterator<Item = &CuratedFact> {
        self.by_package.get(name).into_iter().flatten()
    }

    /// The lowest release of `name` that an entry says is built against NumPy 2,
    /// for hints such as "`pandas` >= 2.2.2 is built against NumPy 2".
    pub fn first_numpy2_release(&self, name: &PackageName) -> Option<&Version> {
        self.first_numpy2.get(name)
    }

    /// Every entry, grouped by package (packages in name order).
    pub fn iter(&self) -> impl Iterator<Item = &CuratedFact> {
        self.by_package.values().flatten()
    }

    /// The number of entries.
    pub fn len(&self) -> usize {
        self.by_package.values().map(Vec::len).sum()
    }

    /// Whether there are no entries.
    pub fn is_empty(&self) -> bool {
        self.by_package.is_empty()
    }
}

/// The lowest version an entry covers, when its range has an inclusive lower bound.
fn lowest_release(entry: &CuratedFact) -> Option<Version> {
    let range = Ranges::from(entry.versions.clone());
    match range.bounding_range()? {
        (Bound::Included(version), _) => Some(version.clone()),
        _ => None,
    }
}
