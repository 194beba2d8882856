//! Python and platform tag patterns of curated entries (`cp311`, `macosx_*_arm64`).

/// A lowercase wheel tag, optionally with `*` standing for any run of characters.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) struct TagPattern(String);

impl TagPattern {
    /// The pattern, or `None` when it holds characters no wheel tag has.
    pub(crate) fn new(text: &str) -> Option<TagPattern> {
        let valid = !text.is_empty()
            && text
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b"_.*".contains(&b));
        valid.then(|| TagPattern(text.to_string()))
    }

    /// The pattern as written.
    pub(crate) fn into_string(self) -> String {
        self.0
    }
}

/// Whether the wheel tag `tag` (compared case-insensitively) matches the
/// validated pattern `pattern`.
pub(crate) fn pattern_matches(pattern: &str, tag: &str) -> bool {
    glob_match(pattern.as_bytes(), tag.to_ascii_lowercase().as_bytes())
}

/// `*`-only glob matching, iterative with single backtracking point.
fn glob_match(pattern: &[u8], text: &[u8]) -> bool {
    let (mut p, mut t) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    while t < text.len() {
        if p < pattern.len() && pattern[p] == b'*' {
            star = Some((p, t));
            p += 1;
        } else if p < pattern.len() && pattern[p] == text[t] {
            p += 1;
            t += 1;
        } else if let Some((star_p, star_t)) = star {
            p = star_p + 1;
            t = star_t + 1;
            star = Some((star_p, star_t + 1));
        } else {
            return false;
        }
    }
    pattern[p..].iter().all(|&b| b == b'*')
}

#[cfg(test)]
mod tests {
    use super::*;

    fn matches(pattern: &str, tag: &str) -> bool {
        let pattern = TagPattern::new(pattern)
            .expect("valid pattern")
            .into_string();
        pattern_matches(&pattern, tag)
    }

    #[test]
    fn exact_and_glob() {
        assert!(matches("cp311", "cp311"));
        assert!(matches("cp311", "CP311"));
        assert!(!matches("cp311", "cp3110"));
        assert!(!matches("cp31", "cp311"));
        assert!(matches("macosx_*_arm64", "macosx_11_0_arm64"));
        assert!(!matches("macosx_*_arm64", "macosx_10_9_x86_64"));
        assert!(matches("manylinux*", "manylinux2014_x86_64"));
        assert!(matches("*", "win_amd64"));
        assert!(matches("*x86_64", "musllinux_1_1_x86_64"));
        assert!(matches("a*b*c", "axxbyybc"));
        assert!(!matches("a*b*c", "axxbyyb"));
    }

    #[test]
    fn invalid_patterns() {
        assert!(TagPattern::new("").is_none());
        assert!(TagPattern::new("CP311").is_none());
        assert!(TagPattern::new("cp 311").is_none());
        assert!(TagPattern::new("cp311?").is_none());
    }
}
