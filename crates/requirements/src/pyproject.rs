//! `pyproject.toml`: `[project]` dependencies, extras, PEP 735 groups, `requires-python`.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::str::FromStr;

use pep440_rs::VersionSpecifiers;
use pep508_rs::{ExtraName, MarkerTree, PackageName, Requirement};
use serde::Deserialize;
use toml::Spanned;

use crate::error::{InputError, ParseError};
use crate::model::{Origin, RequirementsInput, SourcedRequirement};
use crate::options::ReadOptions;
use crate::requirement::{Problem, parse_requirement};
use crate::source::SourceText;

#[derive(Deserialize)]
struct PyProjectToml {
    project: Option<Project>,
    #[serde(rename = "dependency-groups")]
    dependency_groups: Option<BTreeMap<String, Vec<Spanned<toml::Value>>>>,
}

#[derive(Deserialize)]
struct Project {
    name: Option<String>,
    #[serde(default)]
    dependencies: Vec<Spanned<String>>,
    #[serde(rename = "optional-dependencies", default)]
    optional_dependencies: BTreeMap<String, Vec<Spanned<String>>>,
    #[serde(rename = "requires-python")]
    requires_python: Option<Spanned<String>>,
    #[serde(default)]
    dynamic: Vec<String>,
}

/// Parses a pyproject.toml: base dependencies, the selected extras and groups.
pub(crate) fn parse(
    text: &str,
    path: &Path,
    options: &ReadOptions,
) -> Result<RequirementsInput, InputError> {
    let source = SourceText::new(text, path);
    let document: PyProjectToml =
        toml::from_str(text).map_err(|error| source.toml_error(&error, "invalid TOML"))?;
    let mut input = RequirementsInput::default();
    let mut reader = ProjectReader {
        source: &source,
        input: &mut input,
    };
    if document.project.is_none() && document.dependency_groups.is_none() {
        return Err(InputError::Unsupported {
            origin: Origin { path: path.to_path_buf(), line: 1 },
            what: "a pyproject.toml without `[project]` or `[dependency-groups]`".to_string(),
            why: "npsolve reads standard metadata only (PEP 621, PEP 735); tool-specific tables such as \
                  `[tool.poetry]` are not read"
                .to_string(),
        });
    }
    if options.groups_only {
        // Only the named groups: the project's own dependencies are another input's.
    } else if let Some(project) = &document.project {
        reader.project(project, options)?;
    } else if !options.extras.is_empty() {
        return Err(InputError::UnknownExtra {
            path: path.to_path_buf(),
            extra: options.extras[0].to_string(),
            available: Vec::new(),
        });
    }
    let empty = BTreeMap::new();
    let groups = document.dependency_groups.as_ref().unwrap_or(&empty);
    let self_name = document
        .project
        .as_ref()
        .and_then(|project| project.name.as_deref());
    if let Some(name) = self_name {
        reader
            .input
            .project_names
            .insert(path.to_path_buf(), name.to_string());
    }
    reader.groups(
        groups,
        &options.groups,
        self_name,
        document.project.as_ref(),
    )?;
    Ok(input)
}

struct ProjectReader<'s, 'i> {
    source: &'s SourceText<'s>,
    input: &'i mut RequirementsInput,
}

impl ProjectReader<'_, '_> {
    fn project(&mut self, project: &Project, options: &ReadOptions) -> Result<(), InputError> {
        for field in ["dependencies", "optional-dependencies"] {
            if project.dynamic.iter().any(|name| name == field) {
                return Err(InputError::Unsupported {
                    origin: Origin { path: self.source.path.clone(), line: 1 },
                    what: format!("dynamic `{field}`"),
                    why: "npsolve does not run build backends to compute metadata; list the dependencies in \
                          `[project]` or use a requirements file"
                        .to_string(),
                });
            }
        }
        if let Some(requires_python) = &project.requires_python {
            let specifiers =
                VersionSpecifiers::from_str(requires_python.get_ref()).map_err(|error| {
                    // The library's message carries its own underline; keep its first line.
                    let message = error.to_string();
                    let first = message.lines().next().unwrap_or_default();
                    let reason = first
                        .trim_start_matches("Failed to parse version: ")
                        .trim_end_matches(':');
                    let length = requires_python.get_ref().len();
                    self.string_error(
                        requires_python,
                        0,
                        length,
                        format!("invalid `requires-python`: {reason}"),
                    )
                })?;
            self.input.requires_python = Some(specifiers);
        }
        let extras = self.extras_table(project)?;
        let selected: Vec<ExtraName> = if options.all_extras {
            extras.keys().cloned().collect()
        } else {
            for extra in &options.extras {
                if !extras.contains_key(extra) {
                    return Err(InputError::UnknownExtra {
                        path: self.source.path.clone(),
                        extra: extra.to_string(),
                        available: extras.keys().map(ToString::to_string).collect(),
                    });
                }
            }
            options.extras.clone()
        };
        let self_name = project
            .name
            .as_deref()
            .and_then(|name| PackageName::from_str(name).ok());
        let mut pending: Vec<(ExtraName, MarkerTree)> = Vec::new();
        for dependency in &project.dependencies {
            self.push(
                self.requirement(dependency)?,
                dependency,
                self_name.as_ref(),
                &mut pending,
            );
        }
        pending.extend(selected.into_iter().map(|extra| (extra, MarkerTree::TRUE)));
        // Self-references such as `name[test]` inside an extra expand that extra in place.
        let mut expanded: BTreeSet<(ExtraName, MarkerTree)> = BTreeSet::new();
        while let Some((extra, marker)) = pending.pop() {
            if !expanded.insert((extra.clone(), marker.clone())) {
                continue;
            }
            let Some(entries) = extras.get(&extra) else {
                continue;
            };
            for entry in *entries {
                let mut requirement = self.requirement(entry)?;
                requirement.marker.and(marker.clone());
                self.push(requirement, entry, self_name.as_ref(), &mut pending);
            }
        }
        Ok(())
    }

    fn extras_table<'p>(
        &self,
        project: &'p Project,
    ) -> Result<BTreeMap<ExtraName, &'p Vec<Spanned<String>>>, InputError> {
        let mut extras = BTreeMap::new();
        for (name, entries) in &project.optional_dependencies {
            let extra = ExtraName::from_str(name).map_err(|error| InputError::Unsupported {
                origin: Origin {
                    path: self.source.path.clone(),
                    line: 1,
                },
                what: format!("the extra name `{name}`"),
                why: error.to_string(),
            })?;
            extras.insert(extra, entries);
        }
        Ok(extras)
    }

    /// Adds a requirement, or queues the extras of a self-reference.
    fn push(
        &mut self,
        requirement: Requirement,
        entry: &Spanned<String>,
        self_name: Option<&PackageName>,
        pending: &mut Vec<(ExtraName, MarkerTree)>,
    ) {
        if self_name == Some(&requirement.name) {
            pending.extend(
                requirement
                    .extras
                    .iter()
                    .map(|extra| (extra.clone(), requirement.marker.clone())),
            );
            return;
        }
        let line = self.source.pos_of_byte(entry.span().start).line;
        self.input.requirements.push(SourcedRequirement {
            requirement,
            origin: Origin {
                path: self.source.path.clone(),
                line,
            },
            hashes: Vec::new(),
        });
    }

    fn requirement(&self, entry: &Spanned<String>) -> Result<Requirement, InputError> {
        let base_dir = self.source.path.parent().unwrap_or(Path::new(""));
        parse_requirement(entry.get_ref(), base_dir).map_err(|problem| match problem {
            Problem::Syntax {
                start,
                len,
                message,
            } => self.string_error(entry, start, len, message).into(),
            Problem::Unsupported { what, why } => InputError::Unsupported {
                origin: Origin {
                    path: self.source.path.clone(),
                    line: self.source.pos_of_byte(entry.span().start).line,
                },
                what,
                why,
            },
        })
    }

    /// An error inside a TOML string, at byte `start` of its value when the value appears
    /// verbatim in the file (no escapes), else at the string as a whole.
    fn string_error(
        &self,
        entry: &Spanned<String>,
        start: usize,
        len: usize,
        message: String,
    ) -> ParseError {
        let span = entry.span();
        let raw = self.source.text.get(span.clone()).unwrap_or_default();
        match raw
            .find(entry.get_ref().as_str())
            .filter(|_| !entry.get_ref().is_empty())
        {
            Some(offset) => {
                let at = span.start + offset + start.min(entry.get_ref().len());
                let end = (at + len).min(span.start + offset + entry.get_ref().len());
                let pos = self.source.pos_of_byte(at);
                let span_len = self
                    .source
                    .text
                    .get(at..end)
                    .map_or(1, |text| text.chars().count());
                self.source.error(pos, span_len, message)
            }
            None => self.source.error(
                self.source.pos_of_byte(span.start),
                raw.chars().count(),
                message,
            ),
        }
    }

    fn groups(
        &mut self,
        groups: &BTreeMap<String, Vec<Spanned<toml::Value>>>,
        selected: &[String],
        self_name: Option<&str>,
        project: Option<&Project>,
    ) -> Result<(), InputError> {
        let table: BTreeMap<String, (&String, &Vec<Spanned<toml::Value>>)> = groups
            .iter()
            .map(|(name, entries)| (normalize_group(name), (name, entries)))
            .collect();
        let available: Vec<String> = groups.keys().cloned().collect();
        for group in selected {
            let mut chain = Vec::new();
            self.group(&table, group, &available, &mut chain, self_name, project)?;
        }
        Ok(())
    }

    fn group(
        &mut self,
        table: &BTreeMap<String, (&String, &Vec<Spanned<toml::Value>>)>,
        group: &str,
        available: &[String],
        chain: &mut Vec<String>,
        self_name: Option<&str>,
        project: Option<&Project>,
    ) -> Result<(), InputError> {
        let key = normalize_group(group);
        let Some((name, entries)) = table.get(&key) else {
            return Err(InputError::UnknownGroup {
                path: self.source.path.clone(),
                group: group.to_string(),
                available: available.to_vec(),
            });
        };
        if chain.iter().any(|seen| normalize_group(seen) == key) {
            chain.push((*name).clone());
            return Err(InputError::GroupCycle {
                path: self.source.path.clone(),
                chain: chain.clone(),
            });
        }
        chain.push((*name).clone());
        for entry in entries.iter() {
            let span = entry.span();
            match entry.get_ref() {
                toml::Value::String(text) => {
                    let spanned = Spanned::new(span, text.clone());
                    let requirement = self.requirement(&spanned)?;
                    let self_reference = self_name
                        .and_then(|name| PackageName::from_str(name).ok())
                        .is_some_and(|name| name == requirement.name);
                    if self_reference {
                        self.self_reference(&requirement, project)?;
                    } else {
                        self.push(requirement, &spanned, None, &mut Vec::new());
                    }
                }
                toml::Value::Table(include) if include.len() == 1 => {
                    let Some(toml::Value::String(included)) = include.get("include-group") else {
                        return Err(self
                            .entry_error(span.start, "expected `{include-group = \"name\"}`")
                            .into());
                    };
                    self.group(table, included, available, chain, self_name, project)?;
                }
                _ => {
                    return Err(self
                        .entry_error(
                            span.start,
                            "expected a requirement string or `{include-group = \"name\"}`",
                        )
                        .into());
                }
            }
        }
        chain.pop();
        Ok(())
    }

    /// A group entry naming the project itself (`name[test]`): its extras' requirements.
    fn self_reference(
        &mut self,
        requirement: &Requirement,
        project: Option<&Project>,
    ) -> Result<(), InputError> {
        let Some(project) = project else {
            return Ok(());
        };
        let options = ReadOptions {
            extras: requirement.extras.clone(),
            ..ReadOptions::default()
        };
        let mut nested = RequirementsInput::default();
        let mut reader = ProjectReader {
            source: self.source,
            input: &mut nested,
        };
        reader.project(project, &options)?;
        for mut sourced in nested.requirements {
            sourced.requirement.marker.and(requirement.marker.clone());
            self.input.requirements.push(sourced);
        }
        Ok(())
    }

    fn entry_error(&self, start: usize, message: &str) -> ParseError {
        self.source
            .error(self.source.pos_of_byte(start), 1, message)
    }
}

/// PEP 735 group names compare like package names: case-insensitive, runs of `-_.` equal.
fn normalize_group(name: &str) -> String {
    let mut normalized = String::with_capacity(name.len());
    let mut separator = false;
    for character in name.chars() {
        if matches!(character, '-' | '_' | '.') {
            separator = true;
        } else {
            if separator && !normalized.is_empty() {
                normalized.push('-');
            }
            separator = false;
            normalized.extend(character.to_lowercase());
        }
    }
    normalized
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn group_names_normalize() {
        assert_eq!(normalize_group("Test_Suite..x"), "test-suite-x");
        assert_eq!(normalize_group("dev"), "dev");
    }
}
