//! One requirement string, from any input file: PEP 508, or a form npsolve cannot honour.

use std::path::Path;

use pep508_rs::{Pep508Error, Requirement, VerbatimUrl};

/// Why a requirement string was not accepted; offsets are bytes into the string.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Problem {
    /// Malformed PEP 508.
    Syntax {
        start: usize,
        len: usize,
        message: String,
    },
    /// Valid for pip, impossible for npsolve.
    Unsupported { what: String, why: String },
}

/// The PEP 440 comparison operators, longest first.
const OPERATORS: [&str; 8] = ["===", "==", "!=", "<=", ">=", "~=", "<", ">"];

const NAME_WHY: &str = "npsolve needs the package name before it reads anything; write it as \
     `name @ <path or URL>`";

/// Archive suffixes that make a bare string a distribution file rather than a name.
const ARCHIVES: [&str; 7] = [
    ".whl", ".zip", ".tar.gz", ".tgz", ".tar.bz2", ".tar.xz", ".tar",
];

/// Parses one requirement string (already stripped of options and comments).
pub(crate) fn parse_requirement(text: &str, base_dir: &Path) -> Result<Requirement, Problem> {
    // Relative paths (`name @ ./pkg`) resolve against the file's folder, made absolute here
    // (pep508_rs asserts that it is).
    let folder = if base_dir.as_os_str().is_empty() {
        Path::new(".")
    } else {
        base_dir
    };
    let base_dir = std::path::absolute(folder).unwrap_or_else(|_| folder.to_path_buf());
    let base_dir = base_dir.as_path();
    if let Some(problem) = unsupported_form(text).or_else(|| bad_identifier_end(text)) {
        return Err(problem);
    }
    if let Some(problem) = non_ascii_marker_problem(text, base_dir) {
        return Err(problem);
    }
    // pep508_rs 0.9.2 has panicked on malformed input (see docs/inputs.md); the checks above
    // catch the known cases first, and this keeps an unknown one from taking the process down.
    let parsed = std::panic::catch_unwind(|| Requirement::<VerbatimUrl>::parse(text, base_dir));
    let requirement = match parsed {
        Ok(result) => result.map_err(|error| problem_of(text, &error))?,
        Err(_) => {
            return Err(Problem::Syntax {
                start: 0,
                len: text.len(),
                message:
                    "expected a PEP 508 requirement (the parser failed internally on this text)"
                        .to_string(),
            });
        }
    };
    Ok(requirement)
}

/// A name or extra ending in `-`, `_` or `.`. PEP 508 forbids it, and pep508_rs 0.9.2 panics
/// on it when more text follows (found by the property tests), so it is caught here first.
fn bad_identifier_end(text: &str) -> Option<Problem> {
    let is_identifier = |c: char| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_');
    let identifier_error = |start: usize, identifier: &str, what: &str| {
        let last = identifier.chars().last()?;
        matches!(last, '.' | '-' | '_').then(|| Problem::Syntax {
            start: start + identifier.len() - 1,
            len: 1,
            message: format!(
                "expected the {what} `{identifier}` to end with a letter or digit, found `{last}`"
            ),
        })
    };
    let start = text.len() - text.trim_start().len();
    let name_len = text[start..]
        .find(|c: char| !is_identifier(c))
        .unwrap_or(text.len() - start);
    if let Some(problem) = identifier_error(start, &text[start..start + name_len], "package name") {
        return Some(problem);
    }
    let rest = &text[start + name_len..];
    let after = rest.trim_start();
    if !after.starts_with('[') {
        return None;
    }
    let open = start + name_len + (rest.len() - after.len());
    let inner_end = text[open + 1..]
        .find(']')
        .map_or(text.len(), |index| open + 1 + index);
    let mut offset = open + 1;
    for part in text[open + 1..inner_end].split(',') {
        let leading = part.len() - part.trim_start().len();
        let trimmed = part.trim_start();
        let length = trimmed
            .find(|c: char| !is_identifier(c))
            .unwrap_or(trimmed.len());
        if let Some(problem) = identifier_error(offset + leading, &trimmed[..length], "extra") {
            return Some(problem);
        }
        offset += part.len() + 1;
    }
    None
}

fn problem_of(text: &str, error: &Pep508Error) -> Problem {
    let message = error.message.to_string();
    diagnose_operator(text, error.start, &message).unwrap_or(Problem::Syntax {
        start: error.start,
        len: error.len,
        message: lowercase_first(&message),
    })
}

/// Non-ASCII text in the marker part. pep508_rs 0.9.2 measures the word after a marker
/// expression in characters but slices it in bytes, so non-ASCII there panics (e.g.
/// `numpy ; python_version >= '3.9'é`, found by the property tests). The marker part is first
/// parsed with each non-ASCII character replaced by as many ASCII bytes: if that fails, the
/// error is reported (offsets are unchanged); if it succeeds, no such word exists.
fn non_ascii_marker_problem(text: &str, base_dir: &Path) -> Option<Problem> {
    let marker_start = text.find(';')?;
    if text[marker_start..].is_ascii() {
        return None;
    }
    let mut sanitized = String::with_capacity(text.len());
    sanitized.push_str(&text[..marker_start]);
    for character in text[marker_start..].chars() {
        if character.is_ascii() {
            sanitized.push(character);
        } else {
            sanitized.extend(std::iter::repeat_n('x', character.len_utf8()));
        }
    }
    let error =
        std::panic::catch_unwind(|| Requirement::<VerbatimUrl>::parse(&sanitized, base_dir))
            .ok()?
            .err()?;
    let span = text
        .get(error.start..error.start.saturating_add(error.len).min(text.len()))
        .unwrap_or_default();
    match span.chars().find(|character| !character.is_ascii()) {
        Some(character) => {
            let offset = error.start + span.find(character).unwrap_or_default();
            Some(Problem::Syntax {
                start: offset,
                len: character.len_utf8(),
                message: format!(
                    "expected a marker name, an operator, a quoted string, `and` or `or`, found `{character}`"
                ),
            })
        }
        None => Some(problem_of(text, &error)),
    }
}

/// Bare URLs and local paths: pip installs them, npsolve cannot resolve them.
fn unsupported_form(text: &str) -> Option<Problem> {
    let head = text
        .split(|c: char| c.is_whitespace() || c == ';')
        .next()
        .unwrap_or_default();
    let scheme = text
        .find("://")
        .or_else(|| text.starts_with("file:").then_some(0));
    let named = match (text.find('@'), scheme) {
        (Some(at), Some(scheme)) => at < scheme,
        (Some(_), None) => true,
        (None, _) => false,
    };
    if named {
        return None;
    }
    if scheme.is_some() {
        return Some(Problem::Unsupported {
            what: format!("a URL without a package name (`{head}`)"),
            why: NAME_WHY.to_string(),
        });
    }
    let lower = head.to_ascii_lowercase();
    if looks_like_path(head)
        || head.contains('/')
        || head.contains('\\')
        || ARCHIVES.iter().any(|suffix| lower.ends_with(suffix))
    {
        return Some(Problem::Unsupported {
            what: format!("a local path without a package name (`{head}`)"),
            why: NAME_WHY.to_string(),
        });
    }
    None
}

fn looks_like_path(text: &str) -> bool {
    let mut characters = text.chars();
    let first = characters.next();
    let drive = first.is_some_and(|c| c.is_ascii_alphabetic())
        && characters.next() == Some(':')
        && matches!(characters.next(), Some('\\' | '/'));
    drive || matches!(first, Some('.' | '/' | '~' | '\\'))
}

/// A clearer message for a misspelled comparison operator such as `=>` or `=<`.
fn diagnose_operator(text: &str, start: usize, message: &str) -> Option<Problem> {
    let rest = text.get(start..)?;
    let run_start = start + (rest.len() - rest.trim_start().len());
    let run: String = text
        .get(run_start..)?
        .chars()
        .take_while(|c| "=<>!~".contains(*c))
        .collect();
    if run.is_empty() || OPERATORS.contains(&run.as_str()) {
        let lowered = message.to_ascii_lowercase();
        if !lowered.contains("operator") || run.is_empty() {
            return None;
        }
    }
    Some(Problem::Syntax {
        start: run_start,
        len: run.len(),
        message: format!(
            "expected a version specifier operator (==, !=, <=, >=, <, >, ~=, ===), found `{run}`"
        ),
    })
}

fn lowercase_first(message: &str) -> String {
    let mut characters = message.chars();
    match characters.next() {
        Some(first) if !characters.clone().next().is_some_and(char::is_uppercase) => {
            first.to_lowercase().chain(characters).collect()
        }
        _ => message.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use pep508_rs::VersionOrUrl;

    fn parse(text: &str) -> Result<Requirement, Problem> {
        parse_requirement(text, Path::new("."))
    }

    #[test]
    fn plain_requirements_parse() {
        let requirement =
            parse("pandas[performance]>=1.5,<2 ; python_version >= '3.9'").expect("valid");
        assert_eq!(requirement.name.as_ref(), "pandas");
        assert_eq!(requirement.extras.len(), 1);
        assert!(
            parse("numpy @ https://example.org/numpy-1.26.4-cp311-cp311-manylinux_2_17_x86_64.whl")
                .is_ok()
        );
    }

    #[test]
    fn identifiers_ending_in_separators_are_errors_not_panics() {
        for (text, at) in [
            ("d- ", 1),
            ("numpy_ ==1", 5),
            ("pandas[excel-, x]", 12),
            ("pandas[a,b. c]", 10),
        ] {
            let Err(Problem::Syntax { start, len, .. }) = parse(text) else {
                panic!("expected a syntax problem for {text:?}");
            };
            assert_eq!((start, len), (at, 1), "{text}");
        }
    }

    #[test]
    fn non_ascii_after_a_marker_is_an_error_not_a_panic() {
        for text in [
            "numpy ; python_version >= '3.9'é",
            "numpy ; platform_version == 'é' é",
        ] {
            assert!(matches!(parse(text), Err(Problem::Syntax { .. })), "{text}");
        }
        assert!(parse("numpy ; platform_version == 'é'").is_ok());
        assert!(
            parse(
                "numpy @ https://example.org/é/numpy-1.0-py3-none-any.whl ; python_version > '3'"
            )
            .is_ok()
        );
    }

    #[test]
    fn wrong_operator_is_named() {
        let Err(Problem::Syntax {
            start,
            len,
            message,
        }) = parse("pandas=>1.0")
        else {
            panic!("expected a syntax problem");
        };
        assert_eq!((start, len), (6, 2));
        assert!(message.contains("found `=>`"), "{message}");
    }

    #[test]
    fn paths_and_urls_need_a_name() {
        for text in [
            "./pkg",
            "/abs/x.whl",
            "pkg/sub",
            "x-1.0.tar.gz",
            "file:///srv/pkg",
            "C:\\x\\y.whl",
        ] {
            assert!(
                matches!(parse(text), Err(Problem::Unsupported { .. })),
                "{text}"
            );
        }
        for text in [
            "pkg @ file:///srv/pkg",
            "pkg @ ./pkg",
            "pkg @ git+https://example.org/pkg.git@v1",
        ] {
            let requirement = parse(text).expect(text);
            assert!(
                matches!(requirement.version_or_url, Some(VersionOrUrl::Url(_))),
                "{text}"
            );
        }
        assert!(matches!(
            parse("https://example.org/x-1.0-py3-none-any.whl"),
            Err(Problem::Unsupported { .. })
        ));
    }
}
