//! `pylock.toml` (PEP 751): each locked package read back as an exact pin, for `npsolve check`.
//!
//! A lock file is already a resolution, so every `[[packages]]` entry becomes
//! `name==version ; marker` with the hashes of its wheels and sdist, at the line where the
//! entry names its package. Entries that install from a VCS, a directory or an archive have no
//! index version to check and are refused like their requirements.txt counterparts.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::str::FromStr;

use pep440_rs::VersionSpecifiers;
use pep508_rs::Requirement;
use serde::Deserialize;
use toml::Spanned;

use crate::error::{InputError, ParseError};
use crate::model::{Origin, RequirementsInput, SourcedRequirement};
use crate::source::SourceText;

#[derive(Deserialize)]
struct PylockToml {
    #[serde(rename = "lock-version")]
    lock_version: Spanned<String>,
    #[serde(rename = "requires-python")]
    requires_python: Option<Spanned<String>>,
    #[serde(default)]
    packages: Vec<Package>,
    tool: Option<LockTool>,
}

/// The lock's `[tool]`: only npsolve's own table is read.
#[derive(Deserialize)]
struct LockTool {
    npsolve: Option<LockNpsolve>,
}

#[derive(Deserialize)]
struct LockNpsolve {
    #[serde(default)]
    targets: Vec<LockTarget>,
}

#[derive(Deserialize)]
struct LockTarget {
    python: String,
    platform: String,
}

#[derive(Deserialize)]
struct Package {
    name: Spanned<String>,
    version: Option<Spanned<String>>,
    marker: Option<Spanned<String>>,
    index: Option<String>,
    #[serde(default)]
    wheels: Vec<LockedFile>,
    sdist: Option<LockedFile>,
    vcs: Option<toml::Value>,
    directory: Option<toml::Value>,
    archive: Option<toml::Value>,
}

#[derive(Deserialize)]
struct LockedFile {
    #[serde(default)]
    hashes: BTreeMap<String, String>,
}

/// Parses a `pylock.toml` named `path` into exact pins.
pub(crate) fn parse(text: &str, path: &Path) -> Result<RequirementsInput, InputError> {
    let source = SourceText::new(text, path);
    let document: PylockToml =
        toml::from_str(text).map_err(|error| source.toml_error(&error, "invalid pylock.toml"))?;
    check_lock_version(&source, &document.lock_version)?;
    let mut input = RequirementsInput::default();
    if let Some(requires_python) = &document.requires_python {
        let specifiers = VersionSpecifiers::from_str(requires_python.get_ref())
            .map_err(|error| value_error(&source, requires_python, first_line(&error)))?;
        input.requires_python = Some(specifiers);
    }
    if let Some(npsolve) = document
        .tool
        .as_ref()
        .and_then(|tool| tool.npsolve.as_ref())
    {
        input.covered_targets = npsolve
            .targets
            .iter()
            .map(|target| (target.python.clone(), target.platform.clone()))
            .collect();
    }
    let mut indexes = BTreeSet::new();
    for package in &document.packages {
        let origin = Origin {
            path: path.to_path_buf(),
            line: source.pos_of_byte(package.name.span().start).line,
        };
        if let Some(kind) = [
            ("vcs", &package.vcs),
            ("directory", &package.directory),
            ("archive", &package.archive),
        ]
        .iter()
        .find_map(|(kind, value)| value.as_ref().map(|_| kind))
        {
            return Err(InputError::Unsupported {
                origin,
                what: format!("a `{kind}` package (`{}`)", package.name.get_ref()),
                why:
                    "npsolve checks packages locked from an index; lock the package from an index \
                      or check it with the tool that locked it"
                        .to_string(),
            });
        }
        let mut text = package.name.get_ref().clone();
        if let Some(version) = &package.version {
            text.push_str("==");
            text.push_str(version.get_ref());
        }
        if let Some(marker) = &package.marker {
            text.push_str(" ; ");
            text.push_str(marker.get_ref());
        }
        let requirement = Requirement::from_str(&text).map_err(|error| {
            let at = package
                .marker
                .as_ref()
                .or(package.version.as_ref())
                .unwrap_or(&package.name);
            value_error(
                &source,
                at,
                format!("invalid package entry `{text}`: {}", first_line(&error)),
            )
        })?;
        let mut hashes: Vec<String> = package
            .wheels
            .iter()
            .chain(&package.sdist)
            .flat_map(|file| file.hashes.iter())
            .map(|(algorithm, digest)| {
                format!(
                    "{}:{}",
                    algorithm.to_ascii_lowercase(),
                    digest.to_ascii_lowercase()
                )
            })
            .collect();
        hashes.sort();
        hashes.dedup();
        if let Some(index) = &package.index {
            indexes.insert(index.clone());
        }
        input.requirements.push(SourcedRequirement {
            requirement,
            origin,
            hashes,
        });
    }
    // One index for every package is the common case; several cannot be expressed as one
    // `--index-url` and are left to the command line.
    if indexes.len() == 1 {
        input.index.index_url = indexes.into_iter().next();
    }
    Ok(input)
}

/// PEP 751: a tool must refuse a major lock version it does not know.
fn check_lock_version(source: &SourceText, version: &Spanned<String>) -> Result<(), ParseError> {
    let major = version.get_ref().split('.').next().unwrap_or_default();
    if major == "1" {
        Ok(())
    } else {
        Err(value_error(
            source,
            version,
            format!(
                "unsupported lock-version `{}`: npsolve reads pylock.toml 1.x",
                version.get_ref()
            ),
        ))
    }
}

/// An error underlining the value of a TOML string entry.
fn value_error(source: &SourceText, value: &Spanned<String>, message: String) -> ParseError {
    let span = value.span();
    let length = source
        .text
        .get(span.clone())
        .map_or(1, |raw| raw.chars().count());
    source.error(source.pos_of_byte(span.start), length, message)
}

/// The first line of a library error (pep440/pep508 errors carry their own underline).
fn first_line(error: &impl std::fmt::Display) -> String {
    let message = error.to_string();
    message.lines().next().unwrap_or_default().to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    const LOCK: &str = r#"lock-version = "1.0"
created-by = "npsolve"
requires-python = ">=3.11"

[[packages]]
name = "numpy"
version = "2.1.0"
wheels = [
  { name = "numpy-2.1.0-cp311-cp311-manylinux_2_17_x86_64.whl", url = "https://x/n.whl", hashes = { sha256 = "AB12" } },
]

[[packages]]
name = "colorama"
version = "0.4.6"
marker = "sys_platform == 'win32'"
sdist = { name = "colorama-0.4.6.tar.gz", url = "https://x/c.tar.gz", hashes = { sha256 = "cd34" } }
"#;

    #[test]
    fn packages_become_exact_pins_at_their_name_line() {
        let input = parse(LOCK, Path::new("pylock.toml")).unwrap();
        let pins: Vec<(String, usize, Vec<String>)> = input
            .requirements
            .iter()
            .map(|sourced| {
                (
                    sourced.requirement.to_string(),
                    sourced.origin.line,
                    sourced.hashes.clone(),
                )
            })
            .collect();
        assert_eq!(
            pins,
            vec![
                (
                    "numpy==2.1.0".to_string(),
                    6,
                    vec!["sha256:ab12".to_string()]
                ),
                (
                    "colorama==0.4.6 ; sys_platform == 'win32'".to_string(),
                    13,
                    vec!["sha256:cd34".to_string()]
                ),
            ]
        );
        assert_eq!(input.requires_python.unwrap().to_string(), ">=3.11");
    }

    #[test]
    fn an_unknown_major_lock_version_is_refused_at_its_value() {
        let text = LOCK.replace("lock-version = \"1.0\"", "lock-version = \"2.0\"");
        let error = parse(&text, Path::new("pylock.toml")).unwrap_err();
        let InputError::Parse(error) = error else {
            panic!("{error}")
        };
        assert_eq!((error.line, error.column), (1, 16));
        assert!(error.expected.contains("unsupported lock-version `2.0`"));
    }

    #[test]
    fn a_bad_marker_points_at_the_marker() {
        let text = LOCK.replace("sys_platform == 'win32'", "sys_platform === 'win32'");
        let InputError::Parse(error) = parse(&text, Path::new("pylock.toml")).unwrap_err() else {
            panic!("expected a parse error")
        };
        assert_eq!(error.line, 15);
        assert!(
            error.expected.starts_with("invalid package entry"),
            "{error}"
        );
    }

    #[test]
    fn vcs_packages_are_refused_with_their_line() {
        let text = format!(
            "{LOCK}\n[[packages]]\nname = \"tool\"\nvcs = {{ type = \"git\", url = \"https://x/tool\", commit-id = \"abc\" }}\n"
        );
        let error = parse(&text, Path::new("pylock.toml")).unwrap_err();
        assert!(matches!(
            error,
            InputError::Unsupported { ref origin, .. } if origin.line == 19
        ));
    }

    #[test]
    fn missing_lock_version_is_a_parse_error() {
        let text = LOCK.replace("lock-version = \"1.0\"\n", "");
        let error = parse(&text, Path::new("pylock.toml")).unwrap_err();
        assert!(error.to_string().contains("lock-version"), "{error}");
    }
}
