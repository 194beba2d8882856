//! The typed model every input file is read into.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::path::PathBuf;

use pep440_rs::VersionSpecifiers;
use pep508_rs::{PackageName, Requirement};

/// Everything read from one input file (and the files it includes).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RequirementsInput {
    /// The requirements to resolve, in file order (duplicates kept: the resolver intersects them).
    pub requirements: Vec<SourcedRequirement>,
    /// Constraints: from `-c` files and from a conda `numpy` pin. They limit versions but never
    /// add a package.
    pub constraints: Vec<SourcedRequirement>,
    /// Index options seen in the files (`-i`, `--extra-index-url`, `-f`, `--no-index`).
    pub index: IndexOptions,
    /// `--pre` was seen: pre-releases are allowed.
    pub pre: bool,
    /// `--only-binary` / `--no-binary` as the files left them.
    pub binary: BinaryOptions,
    /// `requires-python` of a `pyproject.toml`, or the `python` pin of an `environment.yml`.
    pub requires_python: Option<VersionSpecifiers>,
    /// The targets a universal pylock.toml says it covers (`[tool.npsolve] targets`), as
    /// (Python, platform) names; empty for every other file.
    pub covered_targets: Vec<(String, String)>,
    /// The `[project] name` of each pyproject.toml read, by path: output annotations name
    /// the project (`# via llava (pyproject.toml)`), as uv writes them.
    pub project_names: BTreeMap<PathBuf, String>,
}

impl RequirementsInput {
    /// Adds what another input file holds, as `pip-compile a.in b.in` reads both: requirements
    /// and constraints appended, the first `--index-url` kept, extra indexes and find-links
    /// added, `--no-index` and `--pre` if either says so, the first `requires-python`, and
    /// binary options from the last file that sets them (they are whole-resolution settings).
    pub fn merge(&mut self, from: RequirementsInput) {
        self.requirements.extend(from.requirements);
        self.constraints.extend(from.constraints);
        self.index.index_url = self.index.index_url.take().or(from.index.index_url);
        self.index
            .extra_index_urls
            .extend(from.index.extra_index_urls);
        self.index.find_links.extend(from.index.find_links);
        self.index.no_index |= from.index.no_index;
        self.pre |= from.pre;
        if self.requires_python.is_none() {
            self.requires_python = from.requires_python;
        }
        if from.binary != BinaryOptions::default() {
            self.binary = from.binary;
        }
        for (path, name) in from.project_names {
            self.project_names.entry(path).or_insert(name);
        }
    }
}

/// One requirement and where it was written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SourcedRequirement {
    /// The PEP 508 requirement, direct URL references included.
    pub requirement: Requirement,
    /// The file and line it came from.
    pub origin: Origin,
    /// `--hash` values given for it, as `algorithm:hexdigest` (e.g. `sha256:…`), lowercase.
    pub hashes: Vec<String>,
}

/// A place in an input file.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Origin {
    /// The file, as the user named it (includes joined onto the including file's folder).
    pub path: PathBuf,
    /// The 1-based line; for a continued line, the line it starts on.
    pub line: usize,
}

impl fmt::Display for Origin {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(formatter, "{}:{}", self.path.display(), self.line)
    }
}

/// Index options found in input files.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct IndexOptions {
    /// `-i` / `--index-url`: the last one given wins, like pip.
    pub index_url: Option<String>,
    /// `--extra-index-url`, in order, without duplicates.
    pub extra_index_urls: Vec<String>,
    /// `-f` / `--find-links`: URLs as written; relative paths joined onto the file's folder.
    pub find_links: Vec<String>,
    /// `--no-index` was seen.
    pub no_index: bool,
}

/// `--only-binary` and `--no-binary`, with pip's semantics (each `:all:` clears the other).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct BinaryOptions {
    /// Packages that must come from wheels.
    pub only_binary: PackageSelection,
    /// Packages that must not come from wheels.
    pub no_binary: PackageSelection,
}

/// A set of packages named by an option value such as `:all:`, `:none:` or `numpy,scipy`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum PackageSelection {
    /// Every package (`:all:`).
    All,
    /// No package (`:none:`, or the option never given).
    #[default]
    None,
    /// The listed packages, names normalized.
    Names(BTreeSet<PackageName>),
}

/// A bad part of a `--no-binary` / `--only-binary` value.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct SelectionError {
    /// Where the bad part starts in the value, in bytes.
    pub offset: usize,
    /// Its length in bytes.
    pub len: usize,
    /// What was expected and found.
    pub message: String,
}

impl PackageSelection {
    /// pip's `--no-binary` / `--only-binary` update by one option value (`a,b`, `:all:`,
    /// `:none:`): `:all:` selects every package and clears `other` (the opposite option),
    /// `:none:` clears this one, a name moves from `other` to this one.
    pub fn update(
        &mut self,
        value: &str,
        other: &mut PackageSelection,
    ) -> Result<(), SelectionError> {
        let mut offset = 0;
        for raw in value.split(',') {
            let start = offset;
            offset += raw.len() + 1;
            let part = raw.trim();
            if part.is_empty() {
                continue;
            }
            match part {
                ":all:" => {
                    *self = PackageSelection::All;
                    *other = PackageSelection::None;
                }
                ":none:" => *self = PackageSelection::None,
                name => {
                    let name = PackageName::new(name.to_string()).map_err(|_| SelectionError {
                        offset: start + (raw.len() - raw.trim_start().len()),
                        len: name.len(),
                        message: format!(
                            "expected `:all:`, `:none:` or a package name, found `{name}`"
                        ),
                    })?;
                    if let PackageSelection::Names(names) = other {
                        names.remove(&name);
                        if names.is_empty() {
                            *other = PackageSelection::None;
                        }
                    }
                    match self {
                        PackageSelection::All => {}
                        PackageSelection::None => {
                            *self = PackageSelection::Names([name].into_iter().collect())
                        }
                        PackageSelection::Names(names) => {
                            names.insert(name);
                        }
                    }
                }
            }
        }
        Ok(())
    }

    /// This selection updated by each of `values` in turn (command-line options given after
    /// the files' own), as [`PackageSelection::update`] without an opposite option.
    pub fn updated(mut self, values: &[String]) -> Result<PackageSelection, SelectionError> {
        for value in values {
            self.update(value, &mut PackageSelection::None)?;
        }
        Ok(self)
    }

    /// Whether `name` is selected.
    pub fn contains(&self, name: &PackageName) -> bool {
        match self {
            Self::All => true,
            Self::None => false,
            Self::Names(names) => names.contains(name),
        }
    }
}
