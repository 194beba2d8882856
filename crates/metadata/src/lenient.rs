//! Repairs of version specifiers that published metadata gets wrong and the ecosystem
//! reads anyway (uv and pip accept them): `>=3.5.*` (a wildcard on an ordered comparison),
//! `=>3.6` and `=<4`, and a trailing comma. Strict parsing is tried first; a repair is
//! only used when it parses, and the caller says what was read instead.

/// `text` with the repairs applied, or `None` when none applies. `text` is a specifier
/// list (`>=3.5.*`) or the part of a requirement before its marker (`numpy (>=1.19.*)`).
pub fn relax_specifiers(text: &str) -> Option<String> {
    let mut repaired = text.replace("=>", ">=").replace("=<", "<=");
    repaired = drop_ordered_wildcards(&repaired);
    let trimmed = repaired.trim_end();
    let trimmed = trimmed.strip_suffix(',').unwrap_or(trimmed);
    let repaired = trimmed.replace(",)", ")").replace(", )", ")");
    (repaired != text).then_some(repaired)
}

/// Removes `.*` after a version unless its clause is `==` or `!=` (where it means a prefix).
fn drop_ordered_wildcards(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find(".*") {
        let (before, after) = rest.split_at(at);
        out.push_str(before);
        // The clause the wildcard ends: from the last `,` or `(` written so far.
        let clause = &out[out.rfind([',', '(']).map_or(0, |i| i + 1)..];
        let operator = clause.trim_start().trim_start_matches(|c: char| {
            c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.' | '[' | ']' | ' ')
        });
        if operator.starts_with("==") || operator.starts_with("!=") {
            out.push_str(".*");
        }
        rest = &after[2..];
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn repairs_what_published_metadata_gets_wrong() {
        assert_eq!(relax_specifiers(">=3.5.*").as_deref(), Some(">=3.5"));
        assert_eq!(
            relax_specifiers("numpy (>=1.19.*)").as_deref(),
            Some("numpy (>=1.19)")
        );
        assert_eq!(
            relax_specifiers(">=2.7, !=3.0.*, <4.*").as_deref(),
            Some(">=2.7, !=3.0.*, <4")
        );
        assert_eq!(relax_specifiers("=>3.6,").as_deref(), Some(">=3.6"));
        assert_eq!(relax_specifiers("==3.*"), None);
        assert_eq!(relax_specifiers(">=3.6"), None);
    }
}
