//! conda match specs (`numpy=1.26`, `numpy>=1.24,<2`, `numpy 1.26.*`, `conda-forge::numpy=1.26=*_0`)
//! translated to a package name and PEP 440 specifiers.

/// A conda match spec: its package name and the PEP 440 specifiers its version part means
/// (empty when it has none). The build string, if any, is dropped.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct MatchSpec {
    pub(crate) name: String,
    pub(crate) specifiers: String,
}

/// Why a spec could not be translated; `offset` is a byte offset into the spec.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct SpecError {
    pub(crate) offset: usize,
    pub(crate) len: usize,
    pub(crate) message: String,
}

const OPERATORS: [&str; 7] = ["==", "!=", "<=", ">=", "~=", "<", ">"];

/// Parses a conda match spec.
pub(crate) fn parse_match_spec(spec: &str) -> Result<MatchSpec, SpecError> {
    // A channel prefix (`conda-forge::numpy`) names where to get it; it does not change versions.
    let body_start = spec.rfind("::").map_or(0, |index| index + 2);
    let body = &spec[body_start..];
    let name_len = body
        .find(|c: char| c.is_whitespace() || "=<>!~[".contains(c))
        .unwrap_or(body.len());
    let name = &body[..name_len];
    if name.is_empty()
        || !name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_.".contains(c))
    {
        return Err(SpecError {
            offset: body_start,
            len: name_len.max(1),
            message: format!("expected a conda package name, found `{name}`"),
        });
    }
    let rest_start = body_start + name_len;
    let rest = &spec[rest_start..];
    if rest.trim_start().starts_with('[') {
        return Err(SpecError {
            offset: rest_start + (rest.len() - rest.trim_start().len()),
            len: rest.trim().len(),
            message: "expected `name=version`, `name>=version` or `name version`; bracketed conda specs are not supported".to_string(),
        });
    }
    // `name=1.2=build`, `name 1.2 build`, `name>=1.2`, `name==1.2.3`.
    let (version, version_start) =
        if let Some(stripped) = rest.strip_prefix('=').filter(|text| !text.starts_with('=')) {
            let version = stripped.split('=').next().unwrap_or_default();
            (fuzzy(version), rest_start + 1)
        } else if rest.starts_with(char::is_whitespace) {
            let trimmed = rest.trim_start();
            let start = rest_start + (rest.len() - trimmed.len());
            let version = trimmed.split_whitespace().next().unwrap_or_default();
            (version.to_string(), start)
        } else {
            (rest.to_string(), rest_start)
        };
    let specifiers = translate(&version).map_err(|message| SpecError {
        offset: version_start,
        len: version.len().max(1),
        message,
    })?;
    Ok(MatchSpec {
        name: name.to_ascii_lowercase(),
        specifiers,
    })
}

/// `=1.26` means any 1.26 release: conda's fuzzy match.
fn fuzzy(version: &str) -> String {
    if version.is_empty() || version.ends_with('*') || version.contains(['<', '>', '!', ',', '|']) {
        version.to_string()
    } else {
        format!("{version}.*")
    }
}

/// A conda version expression as PEP 440 specifiers.
fn translate(version: &str) -> Result<String, String> {
    let version = version.trim();
    if version.is_empty() || version == "*" {
        return Ok(String::new());
    }
    if version.contains('|') {
        return Err(format!(
            "expected a version range without `|` (alternatives cannot be expressed as one PEP 440 range), found `{version}`"
        ));
    }
    let mut parts = Vec::new();
    for part in version.split(',') {
        let part = part.trim();
        let operator = OPERATORS
            .iter()
            .find(|operator| part.starts_with(**operator))
            .copied();
        let (operator, number) = match operator {
            Some(operator) => (operator, part[operator.len()..].trim()),
            None => ("==", part),
        };
        // `1.26*` and `1.26.*` both mean the 1.26 series.
        let number = match number.strip_suffix('*') {
            Some(stem) => format!("{}.*", stem.trim_end_matches('.')),
            None => number.to_string(),
        };
        if number.is_empty() || number.starts_with(".*") {
            return Err(format!(
                "expected a version after `{operator}`, found `{part}`"
            ));
        }
        let operator = if operator == "==" || operator == "!=" || !number.ends_with(".*") {
            operator
        } else {
            return Err(format!(
                "expected a wildcard only with `==` or `!=`, found `{part}`"
            ));
        };
        let text = format!("{operator}{number}");
        text.parse::<pep440_rs::VersionSpecifier>()
            .map_err(|error| format!("expected a conda version such as `1.26`, `1.26.*` or `>=1.24,<2`, found `{part}`: {error}"))?;
        parts.push(text);
    }
    Ok(parts.join(","))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn specifiers(spec: &str) -> String {
        parse_match_spec(spec).expect("valid").specifiers
    }

    #[test]
    fn conda_forms_translate() {
        assert_eq!(specifiers("numpy=1.26"), "==1.26.*");
        assert_eq!(specifiers("numpy==1.26.4"), "==1.26.4");
        assert_eq!(specifiers("numpy>=1.24,<2"), ">=1.24,<2");
        assert_eq!(specifiers("numpy 1.26.*"), "==1.26.*");
        assert_eq!(specifiers("numpy 1.26*"), "==1.26.*");
        assert_eq!(specifiers("numpy=1.26=py311h64a7726_0"), "==1.26.*");
        assert_eq!(specifiers("conda-forge::numpy=1.26.4"), "==1.26.4.*");
        assert_eq!(specifiers("numpy"), "");
        assert_eq!(specifiers("numpy 1.26.4 py311_0"), "==1.26.4");
        assert_eq!(parse_match_spec("NumPy").expect("valid").name, "numpy");
    }

    #[test]
    fn bad_specs_are_errors() {
        assert!(parse_match_spec("numpy=1.26|1.25").is_err());
        assert!(parse_match_spec("numpy>=abc").is_err());
        assert!(parse_match_spec("=1.2").is_err());
        assert!(parse_match_spec("numpy[version='>=1.24']").is_err());
        assert!(parse_match_spec("numpy>=1.*").is_err());
    }
}
