//! Core metadata (`METADATA` / `PKG-INFO`, versions 1.0–2.4): the fields a resolver needs.

use std::str::FromStr;
use std::sync::Mutex;

use pep440_rs::{Version, VersionSpecifiers};
use pep508_rs::{ExtraName, PackageName, Requirement};
use rustc_hash::FxHashMap;

use crate::MetadataError;

/// What a resolver needs from a distribution's core metadata.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CoreMetadata {
    /// `Metadata-Version`, as written (`1.0` when absent).
    pub metadata_version: String,
    /// `Name`, normalised.
    pub name: PackageName,
    /// `Version`.
    pub version: Version,
    /// Every `Requires-Dist`, markers included.
    pub requires_dist: Vec<Requirement>,
    /// `Requires-Python`, if declared.
    pub requires_python: Option<VersionSpecifiers>,
    /// Every `Provides-Extra` (invalid names are dropped with a warning).
    pub provides_extras: Vec<ExtraName>,
    /// Every `Dynamic` field name (metadata 2.2+), as written.
    pub dynamic: Vec<String>,
    /// For a source distribution: which of its files the dependencies were read from
    /// (`None` for a wheel's METADATA, and for bytes parsed as they are).
    pub static_source: Option<crate::StaticSource>,
    /// For a source distribution read statically: whether building it would compile
    /// extension modules (`None` when not known).
    pub builds_extensions: Option<bool>,
    /// For a source distribution read statically: its `pyproject.toml` `build-system.requires`
    /// (what a build environment installs first).
    pub build_requires: Vec<Requirement>,
    /// Fields read only after a repair (`Requires-Python: >=3.5.*` read as `>=3.5`), in
    /// words, for the caller to warn about with the file's name.
    pub repairs: Vec<String>,
}

impl CoreMetadata {
    /// True when this metadata may be trusted for a source distribution (PEP 643): version
    /// 2.2 or later and neither `Requires-Dist` nor `Requires-Python` is declared dynamic.
    pub fn is_static_for_sdist(&self) -> bool {
        let version_ok = parse_major_minor(&self.metadata_version).is_some_and(|v| v >= (2, 2));
        let dynamic = self.dynamic.iter().any(|field| {
            field.eq_ignore_ascii_case("requires-dist")
                || field.eq_ignore_ascii_case("requires-python")
        });
        version_ok && !dynamic
    }
}

fn parse_major_minor(text: &str) -> Option<(u32, u32)> {
    let mut parts = text.trim().split('.');
    let major = parts.next()?.parse().ok()?;
    let minor = parts.next().unwrap_or("0").parse().ok()?;
    Some((major, minor))
}

/// One `Key: value` header with the line it started on.
struct Header<'a> {
    line: usize,
    key: &'a str,
    value: String,
}

/// Splits the header block (up to the first empty line) into headers, folding continuation lines.
fn headers(text: &str) -> Result<Vec<Header<'_>>, MetadataError> {
    let mut headers: Vec<Header<'_>> = Vec::new();
    for (index, raw) in text.split('\n').enumerate() {
        let line = raw.strip_suffix('\r').unwrap_or(raw);
        if line.is_empty() {
            break;
        }
        if line.starts_with([' ', '\t']) {
            // Continuation of the previous header (RFC 822 folding).
            if let Some(last) = headers.last_mut() {
                last.value.push('\n');
                last.value.push_str(line.trim());
                continue;
            }
        }
        let Some((key, value)) = line.split_once(':') else {
            return Err(MetadataError::MalformedLine {
                line: index + 1,
                text: line.to_string(),
            });
        };
        headers.push(Header {
            line: index + 1,
            key: key.trim(),
            value: value.trim().to_string(),
        });
    }
    Ok(headers)
}

/// The bytes up to the first empty line (`\n\n` or `\n\r\n`), or all of them: everything
/// [`parse_core_metadata`] reads.
pub fn header_block(bytes: &[u8]) -> &[u8] {
    let mut start = 0;
    while let Some(found) = bytes[start..].iter().position(|&byte| byte == b'\n') {
        let next = start + found + 1;
        match bytes.get(next..) {
            Some([b'\n', ..] | [b'\r', b'\n', ..]) => return &bytes[..next],
            _ => start = next,
        }
    }
    bytes
}

/// Parses core metadata (RFC 822-style headers; the body after the first empty line is ignored).
///
/// `Name` and `Version` are required; an invalid `Requires-Dist` or `Requires-Python` is an error
/// naming the line; an invalid `Provides-Extra` is dropped with a warning.
pub fn parse_core_metadata(bytes: &[u8]) -> Result<CoreMetadata, MetadataError> {
    parse(bytes, None)
}

/// Parses core metadata like [`parse_core_metadata`], remembering every `Requires-Dist` text it
/// has read: the releases of one project repeat most of their requirements (apache-airflow's
/// hundreds of extras), and a resolution that walks back through 90 of them then parses each
/// text once. Shared between threads; it grows with the distinct texts seen (a large
/// resolution sees tens of thousands, a few MiB).
#[derive(Debug, Default)]
pub struct MetadataParser {
    requirements: Mutex<FxHashMap<Box<str>, Requirement>>,
}

impl MetadataParser {
    /// Parses `bytes` as [`parse_core_metadata`] does.
    pub fn parse(&self, bytes: &[u8]) -> Result<CoreMetadata, MetadataError> {
        parse(bytes, Some(&self.requirements))
    }
}

/// The parser, with or without a memo of requirement texts.
fn parse(
    bytes: &[u8],
    memo: Option<&Mutex<FxHashMap<Box<str>, Requirement>>>,
) -> Result<CoreMetadata, MetadataError> {
    // Real METADATA files are kilobytes (with the long description, rarely over 1 MiB).
    if bytes.len() > 16 * 1024 * 1024 {
        return Err(MetadataError::TooLarge(bytes.len()));
    }
    // Only the header block must be text: the body (the long description, most of the
    // bytes) is never read, so it is not checked either.
    let text = std::str::from_utf8(header_block(bytes)).map_err(MetadataError::NotUtf8)?;
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut metadata_version = None;
    let mut name = None;
    let mut version = None;
    let mut requires_dist = Vec::new();
    let mut requires_python = None;
    let mut provides_extras = Vec::new();
    let mut dynamic = Vec::new();
    let mut repairs = Vec::new();
    for header in headers(text)? {
        let Header { line, key, value } = header;
        match key.to_ascii_lowercase().as_str() {
            "metadata-version" => metadata_version = Some(value),
            "name" => {
                let parsed = PackageName::new(value.clone())
                    .map_err(|source| MetadataError::InvalidName { value, source })?;
                name = Some(parsed);
            }
            "version" => {
                let parsed = Version::from_str(&value)
                    .map_err(|source| MetadataError::InvalidVersion { value, source })?;
                version = Some(parsed);
            }
            "requires-dist" => {
                let unreadable = |reason| MetadataError::UnreadableRequiresDist {
                    line,
                    value: value.clone(),
                    reason,
                };
                // METADATA comes from the network: the guarded parser (pep508_rs 0.9.2
                // panics on some malformed text).
                let remembered = memo.and_then(|memo| {
                    memo.lock()
                        .unwrap_or_else(std::sync::PoisonError::into_inner)
                        .get(value.as_str())
                        .cloned()
                });
                if let Some(parsed) = remembered {
                    requires_dist.push(parsed);
                    continue;
                }
                let parsed = match crate::parse_requirement(&value) {
                    Ok(parsed) => parsed,
                    Err(crate::RequirementTextError::Refused(reason)) => {
                        return Err(unreadable(reason));
                    }
                    Err(crate::RequirementTextError::Invalid(source)) => {
                        // `numpy (>=1.19.*)`: repair the specifiers, never the marker.
                        let (specified, marker) = match value.split_once(';') {
                            Some((specified, marker)) => (specified, Some(marker)),
                            None => (value.as_str(), None),
                        };
                        let repaired = crate::relax_specifiers(specified).map(|specified| {
                            marker
                                .map_or(specified.clone(), |marker| format!("{specified};{marker}"))
                        });
                        match repaired.and_then(|text| {
                            crate::parse_requirement(&text)
                                .ok()
                                .map(|parsed| (text, parsed))
                        }) {
                            Some((text, parsed)) => {
                                repairs.push(format!("`Requires-Dist: {value}` read as `{text}`"));
                                parsed
                            }
                            None => {
                                return Err(MetadataError::InvalidRequiresDist {
                                    line,
                                    value: value.clone(),
                                    source,
                                });
                            }
                        }
                    }
                };
                if let Some(memo) = memo {
                    memo.lock()
                        .unwrap_or_else(std::sync::PoisonError::into_inner)
                        .insert(value.as_str().into(), parsed.clone());
                }
                requires_dist.push(parsed);
            }
            "requires-python" => {
                let parsed = match VersionSpecifiers::from_str(&value) {
                    Ok(parsed) => parsed,
                    Err(source) => {
                        let repaired = crate::relax_specifiers(&value).and_then(|text| {
                            VersionSpecifiers::from_str(&text)
                                .ok()
                                .map(|parsed| (text, parsed))
                        });
                        let Some((text, parsed)) = repaired else {
                            return Err(MetadataError::InvalidRequiresPython {
                                line,
                                value: value.clone(),
                                source: Box::new(source),
                            });
                        };
                        repairs.push(format!("`Requires-Python: {value}` read as `{text}`"));
                        parsed
                    }
                };
                requires_python = Some(parsed);
            }
            "provides-extra" => match ExtraName::new(value.clone()) {
                Ok(extra) => {
                    if !provides_extras.contains(&extra) {
                        provides_extras.push(extra);
                    }
                }
                Err(error) => {
                    tracing::warn!("ignoring `Provides-Extra: {value}` (line {line}): {error}")
                }
            },
            "dynamic" => dynamic.push(value),
            _ => {}
        }
    }
    Ok(CoreMetadata {
        metadata_version: metadata_version.unwrap_or_else(|| "1.0".to_string()),
        name: name.ok_or(MetadataError::MissingField("Name"))?,
        version: version.ok_or(MetadataError::MissingField("Version"))?,
        requires_dist,
        requires_python,
        provides_extras,
        dynamic,
        static_source: None,
        builds_extensions: None,
        build_requires: Vec::new(),
        repairs,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const PANDAS: &str = "Metadata-Version: 2.1\r\nName: pandas\r\nVersion: 2.2.2\r\nSummary: Powerful\r\n  data structures\r\nRequires-Python: >=3.9\r\nRequires-Dist: numpy>=1.22.4; python_version < \"3.11\"\r\nRequires-Dist: python-dateutil>=2.8.2\r\nProvides-Extra: test\r\nRequires-Dist: pytest>=7.3.2; extra == \"test\"\r\n\r\nRequires-Dist: not-a-header-this-is-body\r\n";

    #[test]
    fn lenient_specifiers_are_repaired_and_said() {
        let text = "Metadata-Version: 2.1\nName: torchsde\nVersion: 0.2.5\nRequires-Python: >=3.5.*\nRequires-Dist: numpy (>=1.19.*) ; python_version >= \"3.7\"\n\n";
        let metadata = parse_core_metadata(text.as_bytes()).expect("repaired");
        assert_eq!(metadata.requires_python.unwrap().to_string(), ">=3.5");
        assert_eq!(
            metadata.requires_dist[0].to_string(),
            "numpy>=1.19 ; python_full_version >= '3.7'"
        );
        assert_eq!(metadata.repairs.len(), 2, "{:?}", metadata.repairs);
        assert!(parse_core_metadata(b"Name: x\nVersion: 1\nRequires-Python: >=three\n").is_err());
    }

    #[test]
    fn parses_headers_and_ignores_body() {
        let metadata = parse_core_metadata(PANDAS.as_bytes()).expect("valid metadata");
        assert_eq!(metadata.name.as_ref(), "pandas");
        assert_eq!(metadata.version.to_string(), "2.2.2");
        assert_eq!(metadata.requires_dist.len(), 3);
        assert_eq!(metadata.requires_dist[0].name.as_ref(), "numpy");
        assert_eq!(
            metadata
                .requires_python
                .as_ref()
                .map(ToString::to_string)
                .as_deref(),
            Some(">=3.9")
        );
        assert_eq!(metadata.provides_extras.len(), 1);
        assert_eq!(metadata.metadata_version, "2.1");
    }

    #[test]
    fn invalid_requires_dist_names_the_line() {
        let text = "Metadata-Version: 2.1\nName: x\nVersion: 1\nRequires-Dist: numpy >>= 1\n";
        let error = parse_core_metadata(text.as_bytes()).expect_err("invalid requirement");
        let message = error.to_string();
        assert!(message.contains("line 4"), "{message}");
        assert!(message.contains("numpy >>= 1"), "{message}");
    }

    #[test]
    fn missing_name_and_non_utf8_are_errors() {
        assert!(matches!(
            parse_core_metadata(b"Metadata-Version: 1.0\nVersion: 1.0\n"),
            Err(MetadataError::MissingField("Name"))
        ));
        assert!(matches!(
            parse_core_metadata(b"Name: \xff\n"),
            Err(MetadataError::NotUtf8(_))
        ));
        // A body that is not text is never read.
        assert!(parse_core_metadata(b"Name: a\nVersion: 1\n\n\xff\n").is_ok());
        assert!(parse_core_metadata(b"Name: a\r\nVersion: 1\r\n\r\n\xff\n").is_ok());
        assert!(matches!(
            parse_core_metadata(b"Name: a\nthis line has no colon\n"),
            Err(MetadataError::MalformedLine { line: 2, .. })
        ));
    }

    #[test]
    fn sdist_trust_follows_pep_643() {
        let base = "Name: a\nVersion: 1\n";
        let old =
            parse_core_metadata(format!("Metadata-Version: 2.1\n{base}").as_bytes()).expect("ok");
        assert!(!old.is_static_for_sdist());
        let new =
            parse_core_metadata(format!("Metadata-Version: 2.2\n{base}").as_bytes()).expect("ok");
        assert!(new.is_static_for_sdist());
        let dynamic = parse_core_metadata(
            format!("Metadata-Version: 2.4\n{base}Dynamic: Requires-Dist\n").as_bytes(),
        )
        .expect("ok");
        assert!(!dynamic.is_static_for_sdist());
    }

    #[test]
    fn non_ascii_after_a_marker_is_an_error_not_a_panic() {
        // Found by tests/no_panic.rs: pep508_rs 0.9.2 slices inside a multi-byte character.
        let text = "Metadata-Version: 2.1\nName: x\nVersion: 1\nRequires-Dist: numpy>=1.21; python_version < \"3.11\" \u{0ed8}\"\n";
        let error = parse_core_metadata(text.as_bytes()).unwrap_err();
        assert!(error.to_string().contains("non-ASCII"), "{error}");
    }
}
