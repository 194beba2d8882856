//! The bundled removals (`data/python-api-breaks.toml`): "module M lost public name N in
//! release V (and, for a name that came back, got it again in U)", each with its source.

use std::str::FromStr;
use std::sync::OnceLock;

use pep440_rs::Version;
use serde::Deserialize;
use version_ranges::Ranges;

/// The bundled data file, generated from NumPy's migration guide and curated release notes.
const BUNDLED: &str = include_str!("../../../data/python-api-breaks.toml");

/// The facts file could not be read.
#[derive(Debug, thiserror::Error)]
pub enum FactsError {
    /// Not valid TOML of the expected shape.
    #[error("python-api-breaks.toml: {0}")]
    Toml(#[from] toml::de::Error),
    /// A version that PEP 440 does not accept.
    #[error("python-api-breaks.toml: `{module}.{name}`: bad version `{version}`")]
    Version {
        /// The module of the entry.
        module: String,
        /// The name of the entry.
        name: String,
        /// The text that did not parse.
        version: String,
    },
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    removed: Vec<Entry>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Entry {
    module: String,
    name: String,
    removed_in: String,
    #[serde(default)]
    until: Option<String>,
    replacement: String,
    source: String,
}

/// One removal.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Removal {
    /// The distribution that owns the module (`numpy`, `scipy`).
    pub library: String,
    /// The module the name lived in, e.g. `scipy.integrate`.
    pub module: String,
    /// The name, or `*` when the whole module went away.
    pub name: String,
    /// The first release without it.
    pub removed_in: Version,
    /// The release that brought it back, if one did (`np.bool` in NumPy 2.0).
    pub until: Option<Version>,
    /// What to use instead, as the release notes say.
    pub replacement: String,
    /// The release note (URL, and the source commit where it was read).
    pub source: String,
}

impl Removal {
    /// The releases of the library that still have the name: `<removed_in`, or
    /// `<removed_in || >=until` when it came back.
    pub fn working_range(&self) -> Ranges<Version> {
        let before = Ranges::strictly_lower_than(self.removed_in.clone());
        match &self.until {
            Some(until) => before.union(&Ranges::higher_than(until.clone())),
            None => before,
        }
    }

    /// `, back in 2.0` for a name that came back, else nothing.
    pub fn back_note(&self) -> String {
        self.until
            .as_ref()
            .map(|until| format!(", back in {until}"))
            .unwrap_or_default()
    }

    /// A use of it in a few words: `numpy.float_, removed in numpy 2.0; at import` (`, guarded`
    /// when a failure cannot escape).
    pub fn describe_use(&self, import_time: bool, guarded: bool) -> String {
        format!(
            "{}, removed in {} {}{}; {}{}",
            self.path(),
            self.library,
            self.removed_in,
            self.back_note(),
            if import_time {
                "at import"
            } else {
                "in a function"
            },
            if guarded { ", guarded" } else { "" }
        )
    }

    /// `numpy.float_` (or `scipy.misc` for a whole module).
    pub fn path(&self) -> String {
        if self.name == "*" {
            self.module.clone()
        } else {
            format!("{}.{}", self.module, self.name)
        }
    }
}

/// Every removal npsolve knows.
#[derive(Debug)]
pub struct Removals {
    entries: Vec<Removal>,
}

impl Removals {
    /// The bundled facts, parsed once.
    pub fn bundled() -> &'static Removals {
        static BUNDLED_REMOVALS: OnceLock<Removals> = OnceLock::new();
        BUNDLED_REMOVALS.get_or_init(|| match Removals::parse(BUNDLED) {
            Ok(removals) => removals,
            Err(error) => unreachable!("the bundled facts are checked by a test: {error}"),
        })
    }

    /// Parses a facts file.
    pub fn parse(text: &str) -> Result<Removals, FactsError> {
        let file: File = toml::from_str(text)?;
        let version = |entry: &Entry, text: &str| {
            Version::from_str(text).map_err(|_| FactsError::Version {
                module: entry.module.clone(),
                name: entry.name.clone(),
                version: text.to_string(),
            })
        };
        let mut entries = Vec::with_capacity(file.removed.len());
        for entry in &file.removed {
            let removed_in = version(entry, &entry.removed_in)?;
            let until = entry
                .until
                .as_deref()
                .map(|until| version(entry, until))
                .transpose()?;
            entries.push(Removal {
                library: entry
                    .module
                    .split('.')
                    .next()
                    .unwrap_or(&entry.module)
                    .to_string(),
                module: entry.module.clone(),
                name: entry.name.clone(),
                removed_in,
                until,
                replacement: entry.replacement.clone(),
                source: entry.source.clone(),
            });
        }
        Ok(Removals { entries })
    }

    /// Every removal, in file order (by module, then name).
    pub fn all(&self) -> &[Removal] {
        &self.entries
    }

    /// The libraries with removals (`numpy`, `scipy`): only sources that mention one are
    /// worth reading.
    pub fn libraries(&self) -> Vec<&str> {
        let mut libraries: Vec<&str> = self
            .entries
            .iter()
            .map(|entry| entry.library.as_str())
            .collect();
        libraries.sort_unstable();
        libraries.dedup();
        libraries
    }

    /// The removal of `name` from `module`, or of the whole `module` (or a parent of it).
    pub fn lookup(&self, module: &str, name: &str) -> Option<&Removal> {
        self.entries
            .iter()
            .find(|entry| entry.module == module && entry.name == name)
            .or_else(|| {
                self.entries.iter().find(|entry| {
                    entry.name == "*"
                        && (module == entry.module
                            || module.starts_with(&format!("{}.", entry.module)))
                })
            })
    }

    /// Whether `module` itself (a dotted path) is a removed name of its parent, or a removed
    /// whole module.
    pub fn module_removal(&self, module: &str) -> Option<&Removal> {
        let (parent, last) = module.rsplit_once('.')?;
        self.lookup(parent, last)
            .or_else(|| self.lookup(module, "*"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_bundled_facts_parse_and_each_has_a_source() {
        let removals = Removals::bundled();
        assert!(removals.all().len() >= 80);
        for removal in removals.all() {
            assert!(removal.source.starts_with("https://"), "{removal:?}");
            assert!(!removal.replacement.is_empty(), "{removal:?}");
        }
        assert_eq!(removals.libraries(), ["numpy", "pandas", "scipy"]);
    }

    #[test]
    fn lookups_follow_the_release_notes() {
        let removals = Removals::bundled();
        let float = removals.lookup("numpy", "float_").expect("np.float_");
        assert_eq!(float.removed_in.to_string(), "2.0");
        let simps = removals.lookup("scipy.integrate", "simps").expect("simps");
        assert_eq!(simps.removed_in.to_string(), "1.14");
        // A whole module, and what lies below it.
        assert!(removals.lookup("scipy.misc", "face").is_some());
        assert!(removals.module_removal("scipy.misc").is_some());
        assert!(removals.lookup("numpy", "float64").is_none());
        // np.bool is missing from 1.24 until 2.0 only.
        let bool_ = removals.lookup("numpy", "bool").expect("np.bool");
        let working = bool_.working_range();
        assert!(working.contains(&Version::from_str("1.23.5").unwrap()));
        assert!(!working.contains(&Version::from_str("1.26.4").unwrap()));
        assert!(working.contains(&Version::from_str("2.1.0").unwrap()));
    }
}
