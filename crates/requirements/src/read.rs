//! Entry points: read a file by its kind, or parse text of a known kind.

use std::io::Read;
use std::path::Path;

use crate::error::InputError;
use crate::model::RequirementsInput;
use crate::options::ReadOptions;
use crate::requirements_txt::{Destination, Reader};
use crate::source::decode;
use crate::{conda, pylock, pyproject};

/// The kinds of input file, told apart by name and, where the name does not settle it, by
/// content.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    RequirementsTxt,
    Pyproject,
    Pylock,
    EnvironmentYml,
}

/// The kind `path`'s name gives; `text` (the file's contents) settles the names that do not:
/// a `*.toml` with a top-level `lock-version` is a lock whatever its name, and a file with a
/// top-level `dependencies:` or `channels:` key is a conda environment whatever its name
/// (`env.yml`, `ci/deps.txt`): no requirements-file line can start that way.
fn kind_of(path: &Path, text: Option<&str>) -> Kind {
    let name = path
        .file_name()
        .and_then(|name| name.to_str())
        .unwrap_or_default()
        .to_ascii_lowercase();
    let lines = || text.into_iter().flat_map(str::lines);
    if name == "pylock.toml" || (name.starts_with("pylock.") && name.ends_with(".toml")) {
        Kind::Pylock
    } else if name.ends_with(".toml") {
        // The keys of a TOML table are not indented either: only those before the first
        // table header are top-level.
        let mut head = lines().take_while(|line| !line.trim_start().starts_with('['));
        if name != "pyproject.toml" && head.any(|line| starts_with_key(line, "lock-version", '=')) {
            Kind::Pylock
        } else {
            Kind::Pyproject
        }
    } else if name.ends_with(".yml")
        || name.ends_with(".yaml")
        || lines().any(|line| {
            starts_with_key(line, "dependencies", ':') || starts_with_key(line, "channels", ':')
        })
    {
        Kind::EnvironmentYml
    } else {
        Kind::RequirementsTxt
    }
}

/// Whether `line` starts (unindented) with `key` and then, after blanks, `separator`.
fn starts_with_key(line: &str, key: &str, separator: char) -> bool {
    line.strip_prefix(key)
        .is_some_and(|rest| rest.trim_start_matches([' ', '\t']).starts_with(separator))
}

/// Reads one input file, choosing the format by its name and contents: `pylock.toml` /
/// `pylock.*.toml`, or any `*.toml` with a top-level `lock-version`, is a PEP 751 lock file
/// (each package an exact pin), any other `*.toml` a pyproject.toml, a `*.yml`/`.yaml` or a
/// file with a top-level `dependencies:`/`channels:` key a conda environment, anything else a
/// requirements file;
/// `-` reads a requirements file from standard input (includes relative to the current folder).
pub fn read_input(path: &Path, options: &ReadOptions) -> Result<RequirementsInput, InputError> {
    if path == Path::new("-") {
        let mut bytes = Vec::new();
        std::io::stdin()
            .read_to_end(&mut bytes)
            .map_err(|source| InputError::Io {
                path: path.to_path_buf(),
                included_from: None,
                source,
            })?;
        let text = decode(&bytes, path)?;
        return parse_requirements_txt(&text, path, options);
    }
    let bytes = std::fs::read(path).map_err(|source| InputError::Io {
        path: path.to_path_buf(),
        included_from: None,
        source,
    })?;
    let text = decode(&bytes, path)?;
    match kind_of(path, Some(&text)) {
        // The text already read: includes are read relative to `path`'s folder, and `path`
        // heads the include chain, as when the file is read by name.
        Kind::RequirementsTxt => parse_requirements_txt(&text, path, options),
        Kind::Pyproject => parse_pyproject(&text, path, options),
        Kind::Pylock => pylock::parse(&text, path),
        Kind::EnvironmentYml => parse_environment_yml(&text, path, options),
    }
}

/// Whether `path` is read as a pyproject.toml (by its name: `*.toml`, not a lock file's).
pub fn is_pyproject(path: &Path) -> bool {
    kind_of(path, None) == Kind::Pyproject
}

/// Parses the text of a requirements file named `path`; includes are read relative to its folder.
pub fn parse_requirements_txt(
    text: &str,
    path: &Path,
    options: &ReadOptions,
) -> Result<RequirementsInput, InputError> {
    let mut reader = Reader::new(options);
    reader.parse_text(text, path, Destination::Requirements)?;
    Ok(reader.input)
}

/// Parses the text of a `pyproject.toml` named `path`.
pub fn parse_pyproject(
    text: &str,
    path: &Path,
    options: &ReadOptions,
) -> Result<RequirementsInput, InputError> {
    pyproject::parse(text, path, options)
}

/// Parses the text of a conda `environment.yml` named `path`.
pub fn parse_environment_yml(
    text: &str,
    path: &Path,
    options: &ReadOptions,
) -> Result<RequirementsInput, InputError> {
    conda::parse(text, path, options)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_by_name() {
        let kind = |name: &str| kind_of(Path::new(name), None);
        assert_eq!(kind("a/pyproject.toml"), Kind::Pyproject);
        assert_eq!(kind("pylock.toml"), Kind::Pylock);
        assert_eq!(kind("ci/pylock.dev.toml"), Kind::Pylock);
        assert_eq!(kind("pylock-notes.toml"), Kind::Pyproject);
        assert_eq!(kind("environment-dev.yaml"), Kind::EnvironmentYml);
        assert_eq!(kind("env.yml"), Kind::EnvironmentYml);
        assert_eq!(kind("requirements.in"), Kind::RequirementsTxt);
    }

    #[test]
    fn kinds_by_content() {
        let kind = |name: &str, text: &str| kind_of(Path::new(name), Some(text));
        let environment =
            "name: xarray-tests\nchannels:\n  - conda-forge\ndependencies:\n  - numpy\n";
        assert_eq!(kind("ci/deps", environment), Kind::EnvironmentYml);
        assert_eq!(
            kind("deps.txt", "dependencies :\n  - numpy\n"),
            Kind::EnvironmentYml
        );
        // Requirement lines never start with a bare key and a colon.
        assert_eq!(
            kind(
                "requirements.txt",
                "numpy\n# dependencies: below\npandas; python_version > '3'\n"
            ),
            Kind::RequirementsTxt
        );
        assert_eq!(
            kind("pylock2.toml", "lock-version = \"1.0\"\n"),
            Kind::Pylock
        );
        assert_eq!(
            kind(
                "deps.toml",
                "[project]\nname = \"a\"\n[tool.x]\nlock-version = 1\n"
            ),
            Kind::Pyproject
        );
        assert_eq!(
            kind("pyproject.toml", "lock-version = \"1.0\"\n"),
            Kind::Pyproject
        );
    }
}
