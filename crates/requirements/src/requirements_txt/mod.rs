//! pip's requirements.txt format, includes and all.

mod hashes;
mod lines;
mod option_spec;
mod tokens;

use std::path::{Path, PathBuf};

use crate::error::InputError;
use crate::model::{Origin, RequirementsInput, SelectionError, SourcedRequirement};
use crate::options::ReadOptions;
use crate::requirement::{Problem, parse_requirement};
use crate::source::{LogicalLine, Pos, SourceText, decode};
use option_spec::{Action, OptionSpec};
use tokens::{Token, tokenize};

/// Where the requirements of the file being read go.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Destination {
    Requirements,
    Constraints,
}

/// An option found on a line: its spec, its value (text and byte offset) and how many tokens
/// it used.
type ParsedOption<'t> = (&'static OptionSpec, Option<(&'t str, usize)>, usize);

/// Reads requirements files into one [`RequirementsInput`], following includes.
pub(crate) struct Reader<'o> {
    options: &'o ReadOptions,
    /// The files being read, outermost first: (identity for cycle checks, path as shown).
    stack: Vec<(PathBuf, PathBuf)>,
    pub(crate) input: RequirementsInput,
}

/// The identity of a file for cycle detection: its canonical path when it exists.
fn identity(path: &Path) -> PathBuf {
    std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf())
}

impl<'o> Reader<'o> {
    pub(crate) fn new(options: &'o ReadOptions) -> Self {
        Self {
            options,
            stack: Vec::new(),
            input: RequirementsInput::default(),
        }
    }

    /// Reads a file from disk (an include when `included_from` is set).
    fn read_file(
        &mut self,
        path: &Path,
        destination: Destination,
        included_from: Option<Origin>,
    ) -> Result<(), InputError> {
        let key = identity(path);
        if self.stack.iter().any(|(seen, _)| *seen == key) {
            let mut chain: Vec<PathBuf> =
                self.stack.iter().map(|(_, shown)| shown.clone()).collect();
            chain.push(path.to_path_buf());
            return Err(InputError::IncludeCycle { chain });
        }
        let bytes = std::fs::read(path).map_err(|source| InputError::Io {
            path: path.to_path_buf(),
            included_from,
            source,
        })?;
        let text = decode(&bytes, path)?;
        self.parse_text(&text, path, destination)
    }

    /// Reads the text of a requirements file.
    pub(crate) fn parse_text(
        &mut self,
        text: &str,
        path: &Path,
        destination: Destination,
    ) -> Result<(), InputError> {
        let source = SourceText::new(text, path);
        let lines: Vec<(&str, Pos)> = source
            .lines
            .iter()
            .enumerate()
            .map(|(index, line)| {
                (
                    *line,
                    Pos {
                        line: index + 1,
                        column: 1,
                    },
                )
            })
            .collect();
        let base_dir = path.parent().map(Path::to_path_buf).unwrap_or_default();
        self.parse_lines(&source, &lines, &base_dir, destination)
    }

    /// Reads some lines of `source` as requirements-file lines (all of a requirements file, or
    /// the `pip:` entries of an environment.yml), with includes relative to `base_dir`.
    pub(crate) fn parse_lines(
        &mut self,
        source: &SourceText<'_>,
        lines: &[(&str, Pos)],
        base_dir: &Path,
        destination: Destination,
    ) -> Result<(), InputError> {
        self.stack
            .push((identity(&source.path), source.path.clone()));
        let result = self.parse_logical_lines(source, lines, base_dir, destination);
        self.stack.pop();
        result
    }

    fn parse_logical_lines(
        &mut self,
        source: &SourceText<'_>,
        lines: &[(&str, Pos)],
        base_dir: &Path,
        destination: Destination,
    ) -> Result<(), InputError> {
        for mut line in lines::join_lines(source, lines)? {
            lines::strip_comment(&mut line);
            let line = lines::expand_variables(source, line, &self.options.env)?;
            self.line(source, &line, base_dir, destination)?;
        }
        Ok(())
    }

    fn line(
        &mut self,
        source: &SourceText<'_>,
        line: &LogicalLine,
        base_dir: &Path,
        destination: Destination,
    ) -> Result<(), InputError> {
        let tokens = tokenize(&line.text);
        let Some(first) = tokens.first() else {
            return Ok(());
        };
        let origin = Origin {
            path: source.path.clone(),
            line: line.first_line(),
        };
        if first.text.starts_with('-') {
            return self.options_line(source, line, &tokens, base_dir, destination, &origin);
        }
        let split = tokens
            .iter()
            .position(|token| token.text.starts_with('-'))
            .unwrap_or(tokens.len());
        let end = tokens[..split].last().map_or(first.end(), Token::end);
        let text = &line.text[first.start..end];
        let requirement = parse_requirement(text, base_dir).map_err(|problem| match problem {
            Problem::Syntax {
                start,
                len,
                message,
            } => InputError::Parse(line.error(source, first.start + start, len, message)),
            Problem::Unsupported { what, why } => InputError::Unsupported {
                origin: origin.clone(),
                what,
                why,
            },
        })?;
        let mut hashes = Vec::new();
        let mut rest = &tokens[split..];
        while let Some(token) = rest.first() {
            let (spec, value, consumed) = self.option_at(source, line, rest)?;
            rest = &rest[consumed..];
            match spec.action {
                Action::Hash => {
                    let (text, start) = value.unwrap_or((token.text, token.start));
                    let hash = hashes::parse_hash(text)
                        .map_err(|message| line.error(source, start, text.len(), message))?;
                    hashes.push(hash);
                }
                Action::Unsupported(why) => {
                    return Err(InputError::Unsupported {
                        origin,
                        what: format!("`{}`", spec.long),
                        why: why.to_string(),
                    });
                }
                _ => {
                    return Err(line
                        .error(
                            source,
                            token.start,
                            token.text.len(),
                            format!("expected only `--hash` options after a requirement, found `{}` (write it on its own line)", spec.long),
                        )
                        .into());
                }
            }
        }
        let sourced = SourcedRequirement {
            requirement,
            origin,
            hashes,
        };
        match destination {
            Destination::Requirements => self.input.requirements.push(sourced),
            Destination::Constraints => self.input.constraints.push(sourced),
        }
        Ok(())
    }

    /// Parses the option starting `tokens`: its spec, its value (text and offset) and how many
    /// tokens it used.
    fn option_at<'t>(
        &self,
        source: &SourceText<'_>,
        line: &LogicalLine,
        tokens: &[Token<'t>],
    ) -> Result<ParsedOption<'t>, InputError> {
        let Some(token) = tokens.first() else {
            return Err(line
                .error(source, line.text.len(), 1, "expected an option")
                .into());
        };
        let (name, inline) = if token.text.starts_with("--") {
            match token.text.split_once('=') {
                Some((name, value)) => (name, Some((value, token.start + name.len() + 1))),
                None => (token.text, None),
            }
        } else {
            let split = token
                .text
                .char_indices()
                .nth(2)
                .map_or(token.text.len(), |(offset, _)| offset);
            let (name, value) = token.text.split_at(split);
            (
                name,
                (!value.is_empty()).then_some((value, token.start + split)),
            )
        };
        let Some(spec) = option_spec::find(name) else {
            return Err(line
                .error(
                    source,
                    token.start,
                    name.len(),
                    format!(
                        "unknown option `{name}`; expected one of: {}",
                        option_spec::known_list()
                    ),
                )
                .into());
        };
        if !spec.takes_value {
            if let Some((_, start)) = inline {
                return Err(line
                    .error(
                        source,
                        start,
                        token.end() - start,
                        format!("`{}` takes no value", spec.long),
                    )
                    .into());
            }
            return Ok((spec, None, 1));
        }
        if inline.is_some() {
            return Ok((spec, inline, 1));
        }
        match tokens.get(1) {
            Some(next) if !next.text.starts_with('-') || spec.action == Action::Editable => {
                Ok((spec, Some((next.text, next.start)), 2))
            }
            _ => Err(line
                .error(
                    source,
                    token.start,
                    token.text.len(),
                    format!("expected a value after `{name}`"),
                )
                .into()),
        }
    }

    fn options_line(
        &mut self,
        source: &SourceText<'_>,
        line: &LogicalLine,
        tokens: &[Token<'_>],
        base_dir: &Path,
        destination: Destination,
        origin: &Origin,
    ) -> Result<(), InputError> {
        let mut rest = tokens;
        while let Some(token) = rest.first() {
            let (spec, value, consumed) = self.option_at(source, line, rest)?;
            rest = &rest[consumed..];
            let (value, value_start) = value.unwrap_or(("", token.start));
            match spec.action {
                Action::Requirement | Action::Constraint => {
                    let target = self.include_path(value, base_dir, origin)?;
                    let nested = if spec.action == Action::Constraint {
                        Destination::Constraints
                    } else {
                        destination
                    };
                    self.read_file(&target, nested, Some(origin.clone()))?;
                }
                Action::Editable => {
                    return Err(InputError::Unsupported {
                        origin: origin.clone(),
                        what: format!("an editable requirement (`-e {value}`)"),
                        why: "npsolve resolves from package indexes and never builds local or VCS projects; \
                              pin the published package instead"
                            .to_string(),
                    });
                }
                Action::IndexUrl => self.input.index.index_url = Some(value.to_string()),
                Action::ExtraIndexUrl => {
                    if !self
                        .input
                        .index
                        .extra_index_urls
                        .iter()
                        .any(|url| url == value)
                    {
                        self.input.index.extra_index_urls.push(value.to_string());
                    }
                }
                Action::FindLinks => self
                    .input
                    .index
                    .find_links
                    .push(find_links(value, base_dir)),
                Action::NoIndex => self.input.index.no_index = true,
                Action::Pre => self.input.pre = true,
                Action::NoBinary | Action::OnlyBinary => {
                    let binary = &mut self.input.binary;
                    let (target, other) = if spec.action == Action::NoBinary {
                        (&mut binary.no_binary, &mut binary.only_binary)
                    } else {
                        (&mut binary.only_binary, &mut binary.no_binary)
                    };
                    target.update(value, other).map_err(
                        |SelectionError {
                             offset,
                             len,
                             message,
                         }| {
                            line.error(source, value_start + offset, len, message)
                        },
                    )?;
                }
                Action::Ignored => {}
                Action::Unsupported(why) => {
                    return Err(InputError::Unsupported {
                        origin: origin.clone(),
                        what: format!("`{}`", spec.long),
                        why: why.to_string(),
                    });
                }
                Action::Hash => {
                    return Err(line
                        .error(source, token.start, token.text.len(), "expected a requirement before `--hash` (it applies to one requirement)")
                        .into());
                }
            }
        }
        Ok(())
    }

    /// The file an `-r`/`-c` value names, relative to the including file's folder.
    fn include_path(
        &self,
        value: &str,
        base_dir: &Path,
        origin: &Origin,
    ) -> Result<PathBuf, InputError> {
        if value.starts_with("file:") {
            return url::Url::parse(value)
                .ok()
                .and_then(|url| url.to_file_path().ok())
                .ok_or_else(|| InputError::Unsupported {
                    origin: origin.clone(),
                    what: format!("the include `{value}`"),
                    why: "it is not a `file:` URL of a local file".to_string(),
                });
        }
        if value.contains("://") {
            return Err(InputError::Unsupported {
                origin: origin.clone(),
                what: format!("including a remote file (`{value}`)"),
                why: "npsolve reads input files from disk only; download it first".to_string(),
            });
        }
        Ok(base_dir.join(value))
    }
}

/// A `--find-links` value: URLs as written, relative paths joined onto the file's folder.
fn find_links(value: &str, base_dir: &Path) -> String {
    if value.contains("://") || value.starts_with("file:") || Path::new(value).is_absolute() {
        value.to_string()
    } else {
        base_dir.join(value).display().to_string()
    }
}
