//! conda `environment.yml`: the `pip:` section read as requirements-file lines, and the
//! conda `numpy` pin kept as a constraint. Other conda packages are not read: npsolve
//! resolves PyPI wheels, and conda's own packages do not come from PyPI.

use std::path::Path;
use std::str::FromStr;

use pep440_rs::VersionSpecifiers;
use pep508_rs::Requirement;
use serde_yaml_ng::Value;

use crate::conda_spec::parse_match_spec;
use crate::error::InputError;
use crate::model::{Origin, RequirementsInput, SourcedRequirement};
use crate::options::ReadOptions;
use crate::requirements_txt::{Destination, Reader};
use crate::source::{Pos, SourceText};

/// Finds each entry's text in the file, in document order, to give it a position.
struct Locator<'s> {
    source: &'s SourceText<'s>,
    cursor: usize,
}

impl Locator<'_> {
    /// The position of `needle`'s next occurrence (at or after the previous one found).
    fn find(&mut self, needle: &str) -> Option<Pos> {
        let offset = self.cursor + self.source.text.get(self.cursor..)?.find(needle)?;
        self.cursor = offset + needle.len();
        Some(self.source.pos_of_byte(offset))
    }

    /// The line the search has reached, for entries that cannot be found verbatim.
    fn here(&self) -> Pos {
        self.source.pos_of_byte(self.cursor)
    }
}

pub(crate) fn parse(
    text: &str,
    path: &Path,
    options: &ReadOptions,
) -> Result<RequirementsInput, InputError> {
    let source = SourceText::new(text, path);
    let document: Value = serde_yaml_ng::from_str(text).map_err(|error| {
        let offset = error.location().map_or(0, |location| location.index());
        let message = error.to_string();
        let message = message
            .split(" at line ")
            .next()
            .unwrap_or(&message)
            .to_string();
        source.error(
            source.pos_of_byte(offset),
            1,
            format!("invalid YAML: {message}"),
        )
    })?;
    let mut locator = Locator {
        source: &source,
        cursor: 0,
    };
    let mut reader = Reader::new(options);
    let mut constraints = Vec::new();
    let mut requires_python = None;
    let mut conda_packages = Vec::new();
    let dependencies = match document.get("dependencies") {
        None | Some(Value::Null) => &[][..],
        Some(Value::Sequence(items)) => items.as_slice(),
        Some(_) => {
            let pos = locator
                .find("dependencies")
                .unwrap_or(Pos { line: 1, column: 1 });
            return Err(source
                .error(
                    pos,
                    "dependencies".len(),
                    "expected `dependencies` to be a list",
                )
                .into());
        }
    };
    for item in dependencies {
        match item {
            Value::String(spec) => {
                let pos = locator.find(spec).unwrap_or_else(|| locator.here());
                let parsed = parse_match_spec(spec).map_err(|error| {
                    let at = Pos {
                        line: pos.line,
                        column: pos.column + spec[..error.offset.min(spec.len())].chars().count(),
                    };
                    source.error(at, error.len, error.message)
                })?;
                let origin = Origin {
                    path: path.to_path_buf(),
                    line: pos.line,
                };
                conda_packages.push(spec.trim().to_string());
                match parsed.name.as_str() {
                    "numpy" if !parsed.specifiers.is_empty() => {
                        let text = format!("numpy{}", parsed.specifiers);
                        let requirement = Requirement::from_str(&text).map_err(|error| {
                            source.error(
                                pos,
                                spec.chars().count(),
                                format!(
                                    "cannot use `{spec}` as a numpy constraint: {}",
                                    error.message
                                ),
                            )
                        })?;
                        constraints.push(SourcedRequirement {
                            requirement,
                            origin,
                            hashes: Vec::new(),
                        });
                    }
                    "python" if !parsed.specifiers.is_empty() => {
                        requires_python = VersionSpecifiers::from_str(&parsed.specifiers).ok();
                    }
                    _ => {}
                }
            }
            Value::Mapping(mapping) => {
                for (key, value) in mapping {
                    if key.as_str() != Some("pip") {
                        continue;
                    }
                    let anchor = locator.find("pip").unwrap_or_else(|| locator.here());
                    let Value::Sequence(entries) = value else {
                        return Err(source
                            .error(
                                anchor,
                                3,
                                "expected `pip:` to hold a list of requirement lines",
                            )
                            .into());
                    };
                    let mut lines = Vec::new();
                    for entry in entries {
                        let text = match entry {
                            Value::String(text) => text.clone(),
                            Value::Number(number) => number.to_string(),
                            _ => {
                                let pos = locator.here();
                                return Err(source
                                    .error(
                                        pos,
                                        1,
                                        "expected each `pip:` entry to be a requirement line",
                                    )
                                    .into());
                            }
                        };
                        let pos = locator.find(&text).unwrap_or_else(|| locator.here());
                        lines.push((text, pos));
                    }
                    let borrowed: Vec<(&str, Pos)> = lines
                        .iter()
                        .map(|(text, pos)| (text.as_str(), *pos))
                        .collect();
                    let base_dir = path.parent().unwrap_or(Path::new(""));
                    reader.parse_lines(&source, &borrowed, base_dir, Destination::Requirements)?;
                }
            }
            _ => {}
        }
    }
    let mut input = reader.input;
    if input.requirements.is_empty() {
        return Err(
            nothing_to_resolve(&source, &mut locator, &conda_packages, &constraints).into(),
        );
    }
    input.constraints.extend(constraints);
    if input.requires_python.is_none() {
        input.requires_python = requires_python;
    }
    Ok(input)
}

/// The error for an environment whose `pip:` section is missing or empty: what was read, and
/// that conda, not npsolve, installs the rest.
fn nothing_to_resolve(
    source: &SourceText<'_>,
    locator: &mut Locator<'_>,
    conda_packages: &[String],
    numpy_pins: &[SourcedRequirement],
) -> crate::error::ParseError {
    locator.cursor = 0;
    let pos = locator
        .find("dependencies")
        .unwrap_or(Pos { line: 1, column: 1 });
    let shown: Vec<&str> = conda_packages.iter().take(6).map(String::as_str).collect();
    let more = conda_packages.len().saturating_sub(shown.len());
    let packages = match (conda_packages.len(), more) {
        (0, _) => "no conda packages".to_string(),
        (count, 0) => format!("{count} conda package(s) ({})", shown.join(", ")),
        (count, more) => format!(
            "{count} conda packages ({}, and {more} more)",
            shown.join(", ")
        ),
    };
    let numpy = match numpy_pins.first() {
        Some(pin) => format!(
            "; its numpy pin `{}` would constrain the pip packages",
            pin.requirement
        ),
        None => String::new(),
    };
    source.error(
        pos,
        "dependencies".len(),
        format!(
            "nothing to resolve: no requirement under a `pip:` entry of `dependencies`; \
             read {packages}, which conda installs, not npsolve{numpy}"
        ),
    )
}
