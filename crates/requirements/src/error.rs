//! Errors: a [`ParseError`] points at a file, line and column; an [`InputError`] is any reason
//! an input could not be read.

use std::fmt;
use std::path::PathBuf;

use crate::model::Origin;

/// A syntax or value error at a position in an input file.
///
/// Renders as `path:line:column: message`, then the offending line with a caret under the span.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseError {
    /// The file.
    pub path: PathBuf,
    /// The 1-based physical line.
    pub line: usize,
    /// The 1-based column, in characters of the physical line.
    pub column: usize,
    /// The physical line as written in the file (without its line ending).
    pub text: String,
    /// How many characters the caret underlines (at least 1).
    pub span_len: usize,
    /// What was expected and what was found, e.g. ``expected a version, found `=`:``.
    pub expected: String,
}

impl fmt::Display for ParseError {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        let number = self.line.to_string();
        let gutter = " ".repeat(number.len());
        // Tabs are shown as single spaces so that the caret stays under the right character.
        let shown: String = self
            .text
            .chars()
            .map(|c| if c == '\t' { ' ' } else { c })
            .collect();
        let width = shown.chars().count();
        let start = self.column.saturating_sub(1).min(width);
        let span = self.span_len.max(1);
        write!(
            formatter,
            "{}:{}:{}: {}\n{gutter} |\n{number} | {}\n{gutter} | {}{}",
            self.path.display(),
            self.line,
            self.column,
            self.expected,
            shown.trim_end(),
            " ".repeat(start),
            "^".repeat(span)
        )
    }
}

impl std::error::Error for ParseError {}

/// Any reason an input could not be read.
#[derive(Debug, thiserror::Error)]
pub enum InputError {
    /// The text is malformed at a known position.
    #[error(transparent)]
    Parse(#[from] ParseError),
    /// A file could not be read.
    #[error("cannot read `{}`{}", path.display(), included_from.as_ref().map(|origin| format!(" (included from {origin})")).unwrap_or_default())]
    Io {
        /// The file.
        path: PathBuf,
        /// The `-r`/`-c` line that named it, when it was included.
        included_from: Option<Origin>,
        /// The cause.
        #[source]
        source: std::io::Error,
    },
    /// `-r`/`-c` includes loop back onto a file already being read.
    #[error("include cycle: {}", chain.iter().map(|path| format!("`{}`", path.display())).collect::<Vec<_>>().join(" -> "))]
    IncludeCycle {
        /// The files, from the first to the one included again.
        chain: Vec<PathBuf>,
    },
    /// A line pip accepts but npsolve cannot honour.
    #[error("{origin}: {what} is not supported: {why}")]
    Unsupported {
        /// Where it was written.
        origin: Origin,
        /// What was asked for, e.g. ``an editable requirement (`-e .`)``.
        what: String,
        /// Why npsolve cannot do it, and what to do instead.
        why: String,
    },
    /// `--extra`, `--all-extras` or `--group` was given, and no input is a pyproject.toml
    /// to select from.
    #[error("`{option}` selects from a pyproject.toml, and no input is one ({}): give the pyproject.toml as an input{}", inputs.iter().map(|path| format!("`{}`", path.display())).collect::<Vec<_>>().join(", "), if option.starts_with("--group") { ", or name it: `--group pyproject.toml:GROUP`" } else { "" })]
    NeedsPyproject {
        /// The option, as given.
        option: String,
        /// The inputs given.
        inputs: Vec<PathBuf>,
    },
    /// An extra was requested that the pyproject.toml does not define.
    #[error("`{}` has no extra `{extra}`; available: {}", path.display(), list(available))]
    UnknownExtra {
        /// The pyproject.toml.
        path: PathBuf,
        /// The extra asked for.
        extra: String,
        /// The extras it defines.
        available: Vec<String>,
    },
    /// A dependency group was requested (or included) that the pyproject.toml does not define.
    #[error("`{}` has no dependency group `{group}`; available: {}", path.display(), list(available))]
    UnknownGroup {
        /// The pyproject.toml.
        path: PathBuf,
        /// The group asked for.
        group: String,
        /// The groups it defines.
        available: Vec<String>,
    },
    /// PEP 735 `include-group` entries loop back onto a group already being expanded.
    #[error("`{}`: dependency groups include each other in a cycle: {}", path.display(), chain.iter().map(|group| format!("`{group}`")).collect::<Vec<_>>().join(" -> "))]
    GroupCycle {
        /// The pyproject.toml.
        path: PathBuf,
        /// The groups, from the first to the one included again.
        chain: Vec<String>,
    },
}

fn list(names: &[String]) -> String {
    if names.is_empty() {
        "none".to_string()
    } else {
        names
            .iter()
            .map(|name| format!("`{name}`"))
            .collect::<Vec<_>>()
            .join(", ")
    }
}
