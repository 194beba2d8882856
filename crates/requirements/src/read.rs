//! Entry points: read a file by its kind, or parse text of a known kind.

use std::io::Read;
use std::path::Path;

use crate::error::InputError;
use crate::model::RequirementsInput;
use crate::options::ReadOptions;
use crate::requirements_txt::{Destination, Reader, read_requirements_file};
use crate::source::decode;
use crate::{conda, pylock, pyproject};

/// The kinds of input file, told apart by name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    RequirementsTxt,
    Pyproject,
    Pylock,
    EnvironmentYml,
}

fn kind_of(path: &Path) -> Kind {
    let name = path
        .file_name()
        .and_then(|name| name.to_str())
        .unwrap_or_default()
        .to_ascii_lowercase();
    if name == "pylock.toml" || (name.starts_with("pylock.") && name.ends_with(".toml")) {
        Kind::Pylock
    } else if name.ends_with(".toml") {
        Kind::Pyproject
    } else if name.starts_with("environment") && (name.ends_with(".yml") || name.ends_with(".yaml"))
    {
        Kind::EnvironmentYml
    } else {
        Kind::RequirementsTxt
    }
}

/// Reads one input file, choosing the format by its name: `pylock.toml` / `pylock.*.toml` is a
/// PEP 751 lock file (each package an exact pin), any other `*.toml` a pyproject.toml,
/// `environment*.yml`/`.yaml` a conda environment, anything else a requirements file;
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
    match kind_of(path) {
        Kind::RequirementsTxt => read_requirements_file(path, options),
        kind => {
            let bytes = std::fs::read(path).map_err(|source| InputError::Io {
                path: path.to_path_buf(),
                included_from: None,
                source,
            })?;
            let text = decode(&bytes, path)?;
            match kind {
                Kind::Pyproject => parse_pyproject(&text, path, options),
                Kind::Pylock => pylock::parse(&text, path),
                _ => parse_environment_yml(&text, path, options),
            }
        }
    }
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
        assert_eq!(kind_of(Path::new("a/pyproject.toml")), Kind::Pyproject);
        assert_eq!(kind_of(Path::new("pylock.toml")), Kind::Pylock);
        assert_eq!(kind_of(Path::new("ci/pylock.dev.toml")), Kind::Pylock);
        assert_eq!(kind_of(Path::new("pylock-notes.toml")), Kind::Pyproject);
        assert_eq!(
            kind_of(Path::new("environment-dev.yaml")),
            Kind::EnvironmentYml
        );
        assert_eq!(kind_of(Path::new("requirements.in")), Kind::RequirementsTxt);
        assert_eq!(kind_of(Path::new("ci.yml")), Kind::RequirementsTxt);
    }
}
