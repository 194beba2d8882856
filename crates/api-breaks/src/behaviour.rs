//! The bundled behaviour breaks (`data/python-behaviour-breaks.toml`): "releases of P below X
//! fail with library L from V on", each with the error seen and its source. No name scan can
//! see them (fastparquet 2024.2.0 uses no removed pandas name, and still cannot write a
//! pandas 3 string column).

use std::str::FromStr;
use std::sync::OnceLock;

use pep440_rs::Version;
use pep508_rs::PackageName;
use serde::Deserialize;
use version_ranges::Ranges;

use crate::facts::FactsError;

/// The bundled data file.
const BUNDLED: &str = include_str!("../../../data/python-behaviour-breaks.toml");

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    #[serde(rename = "break")]
    breaks: Vec<Entry>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Entry {
    package: String,
    fixed_in: String,
    library: String,
    from: String,
    error: String,
    source: String,
    checked: String,
}

/// One behaviour break.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BehaviourBreak {
    /// The package that breaks.
    pub package: PackageName,
    /// Its first release that works.
    pub fixed_in: Version,
    /// The library it breaks with.
    pub library: PackageName,
    /// The library's first release it breaks with.
    pub from: Version,
    /// What fails, as seen.
    pub error: String,
    /// Where the fix or the incompatibility is recorded.
    pub source: String,
    /// When the entry was last checked (`YYYY-MM-DD`).
    pub checked: String,
}

impl BehaviourBreak {
    /// The library releases the package's broken releases work with: `<from`.
    pub fn working_range(&self) -> Ranges<Version> {
        Ranges::strictly_lower_than(self.from.clone())
    }
}

/// Every behaviour break npsolve knows.
#[derive(Debug)]
pub struct BehaviourBreaks {
    entries: Vec<BehaviourBreak>,
}

impl BehaviourBreaks {
    /// The bundled breaks, parsed once.
    pub fn bundled() -> &'static BehaviourBreaks {
        static BUNDLED_BREAKS: OnceLock<BehaviourBreaks> = OnceLock::new();
        BUNDLED_BREAKS.get_or_init(|| match BehaviourBreaks::parse(BUNDLED) {
            Ok(breaks) => breaks,
            Err(error) => unreachable!("the bundled breaks are checked by a test: {error}"),
        })
    }

    /// Parses a breaks file.
    pub fn parse(text: &str) -> Result<BehaviourBreaks, FactsError> {
        let file: File = toml::from_str(text)?;
        let mut entries = Vec::with_capacity(file.breaks.len());
        for entry in file.breaks {
            let version = |text: &str| {
                Version::from_str(text).map_err(|_| FactsError::Version {
                    module: entry.package.clone(),
                    name: entry.library.clone(),
                    version: text.to_string(),
                })
            };
            let name = |text: &str| {
                PackageName::from_str(text).map_err(|_| FactsError::Version {
                    module: entry.package.clone(),
                    name: entry.library.clone(),
                    version: text.to_string(),
                })
            };
            entries.push(BehaviourBreak {
                package: name(&entry.package)?,
                fixed_in: version(&entry.fixed_in)?,
                library: name(&entry.library)?,
                from: version(&entry.from)?,
                error: entry.error.clone(),
                source: entry.source.clone(),
                checked: entry.checked.clone(),
            });
        }
        Ok(BehaviourBreaks { entries })
    }

    /// Every break, in file order.
    pub fn all(&self) -> &[BehaviourBreak] {
        &self.entries
    }

    /// The breaks that hold for `package` `version` (a release below the entry's fix).
    pub fn for_release<'b>(
        &'b self,
        package: &'b PackageName,
        version: &'b Version,
    ) -> impl Iterator<Item = &'b BehaviourBreak> + 'b {
        self.entries
            .iter()
            .filter(move |entry| entry.package == *package && *version < entry.fixed_in)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_bundled_breaks_parse_and_apply_below_their_fix() {
        let breaks = BehaviourBreaks::bundled();
        assert!(!breaks.all().is_empty());
        for entry in breaks.all() {
            assert!(entry.source.contains("https://"), "{entry:?}");
            assert!(!entry.error.is_empty(), "{entry:?}");
        }
        let fastparquet = PackageName::from_str("fastparquet").unwrap();
        let old = Version::from_str("2024.2.0").unwrap();
        let fixed = Version::from_str("2024.11.0").unwrap();
        let found: Vec<_> = breaks.for_release(&fastparquet, &old).collect();
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].library.as_ref(), "pandas");
        assert!(
            found[0]
                .working_range()
                .contains(&Version::from_str("2.2.3").unwrap())
        );
        assert!(
            !found[0]
                .working_range()
                .contains(&Version::from_str("3.0.0").unwrap())
        );
        assert_eq!(breaks.for_release(&fastparquet, &fixed).count(), 0);
    }
}
