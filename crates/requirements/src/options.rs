//! How to read inputs: selected extras and groups, and where `${VAR}` values come from.

use std::collections::BTreeMap;

use pep508_rs::ExtraName;

/// Options that change what is read from an input.
#[derive(Debug, Clone, Default)]
pub struct ReadOptions {
    /// `[project.optional-dependencies]` extras to include (pyproject.toml only).
    pub extras: Vec<ExtraName>,
    /// Include every extra (pyproject.toml only).
    pub all_extras: bool,
    /// PEP 735 dependency groups to include (pyproject.toml only).
    pub groups: Vec<String>,
    /// Read only the selected groups of a pyproject.toml, not its project's dependencies
    /// (`--group path/pyproject.toml:GROUP` names a file that is not an input).
    pub groups_only: bool,
    /// Where `${VAR}` references in requirements files are looked up.
    pub env: EnvLookup,
}

/// The source of environment variables for `${VAR}` expansion.
#[derive(Debug, Clone, Default)]
pub enum EnvLookup {
    /// The process environment.
    #[default]
    Process,
    /// A fixed set of variables (tests, or a caller that sandboxes the environment).
    Map(BTreeMap<String, String>),
}

impl EnvLookup {
    /// The value of `name`, if set (a value that is not valid Unicode counts as unset).
    pub fn get(&self, name: &str) -> Option<String> {
        match self {
            Self::Process => std::env::var(name).ok(),
            Self::Map(map) => map.get(name).cloned(),
        }
    }
}

impl<K: Into<String>, V: Into<String>> FromIterator<(K, V)> for EnvLookup {
    fn from_iter<I: IntoIterator<Item = (K, V)>>(iter: I) -> Self {
        Self::Map(
            iter.into_iter()
                .map(|(key, value)| (key.into(), value.into()))
                .collect(),
        )
    }
}
