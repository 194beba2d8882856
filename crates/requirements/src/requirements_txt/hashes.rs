//! `--hash=algorithm:hexdigest` values.

/// The algorithms pip accepts in `--hash`, with their digest lengths in hex digits.
const ALGORITHMS: [(&str, usize); 3] = [("sha256", 64), ("sha384", 96), ("sha512", 128)];

/// Validates a `--hash` value and returns it normalized (`algorithm:hexdigest`, lowercase),
/// or the message saying what was expected.
pub(crate) fn parse_hash(value: &str) -> Result<String, String> {
    let Some((algorithm, digest)) = value.split_once(':') else {
        return Err(format!(
            "expected a hash as `<algorithm>:<hex digest>` (e.g. `sha256:…`), found `{value}`"
        ));
    };
    let algorithm = algorithm.to_ascii_lowercase();
    let Some((_, length)) = ALGORITHMS.iter().find(|(name, _)| *name == algorithm) else {
        return Err(format!(
            "expected a hash algorithm of sha256, sha384 or sha512, found `{algorithm}`"
        ));
    };
    if digest.len() != *length || !digest.chars().all(|c| c.is_ascii_hexdigit()) {
        return Err(format!(
            "expected a {algorithm} digest of {length} hex digits, found `{digest}` ({} characters)",
            digest.chars().count()
        ));
    }
    Ok(format!("{algorithm}:{}", digest.to_ascii_lowercase()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_and_normalizes() {
        let digest = "AB".repeat(32);
        assert_eq!(
            parse_hash(&format!("SHA256:{digest}")),
            Ok(format!("sha256:{}", "ab".repeat(32)))
        );
    }

    #[test]
    fn rejects_bad_values() {
        assert!(parse_hash("sha256").is_err());
        assert!(parse_hash("md5:d41d8cd98f00b204e9800998ecf8427e").is_err());
        assert!(parse_hash("sha256:abc").is_err());
        assert!(parse_hash(&format!("sha256:{}", "g".repeat(64))).is_err());
    }
}
