//! One PEP 508 requirement parsed from untrusted text without letting the parser panic.
//!
//! pep508_rs 0.9.2 panics on some malformed text: non-ASCII after a marker, and a name that
//! ends in `.`, `-` or `_` (`o.`: found by the property tests). Both are refused first, and
//! the parser runs behind `catch_unwind` for any case not known yet.

use std::str::FromStr;

use pep508_rs::Requirement;

/// Why a requirement's text could not be read.
#[derive(Debug, thiserror::Error)]
pub enum RequirementTextError {
    /// The text is refused before parsing (it would make the parser panic).
    #[error("{0}")]
    Refused(&'static str),
    /// The parser rejected it.
    #[error(transparent)]
    Invalid(Box<pep508_rs::Pep508Error>),
}

/// Parses `text` as one PEP 508 requirement.
pub fn parse_requirement(text: &str) -> Result<Requirement, RequirementTextError> {
    if !text.is_ascii() {
        return Err(RequirementTextError::Refused(
            "non-ASCII characters in a requirement",
        ));
    }
    let name: &str = {
        let trimmed = text.trim_start();
        let end = trimmed
            .find(|c: char| !(c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_')))
            .unwrap_or(trimmed.len());
        &trimmed[..end]
    };
    if name.ends_with(['.', '-', '_']) {
        return Err(RequirementTextError::Refused(
            "a name that does not end with a letter or digit",
        ));
    }
    std::panic::catch_unwind(|| Requirement::from_str(text))
        .map_err(|_| RequirementTextError::Refused("the PEP 508 parser failed on it"))?
        .map_err(|error| RequirementTextError::Invalid(Box::new(error)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_that_made_the_parser_panic_is_refused() {
        assert!(matches!(
            parse_requirement("o. ; x"),
            Err(RequirementTextError::Refused(_))
        ));
        assert!(parse_requirement("numpy>=1.19 ; python_version < '3.9'").is_ok());
    }
}
