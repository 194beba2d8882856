//! PEP 691 JSON project pages (with PEP 700 and PEP 714 fields).

use std::collections::BTreeMap;

use serde::Deserialize;

use crate::dist_file::{CoreMetadataHint, Hashes};
use crate::page::RawFile;

#[derive(Deserialize)]
struct JsonPage {
    files: Vec<JsonFile>,
}

#[derive(Deserialize)]
struct JsonFile {
    filename: String,
    url: String,
    #[serde(default)]
    hashes: BTreeMap<String, String>,
    #[serde(default, rename = "requires-python")]
    requires_python: Option<String>,
    #[serde(default)]
    yanked: Option<Yanked>,
    #[serde(default, rename = "upload-time")]
    upload_time: Option<String>,
    #[serde(default)]
    size: Option<u64>,
    #[serde(default, rename = "core-metadata")]
    core_metadata: Option<MetadataFlag>,
    #[serde(default, rename = "dist-info-metadata")]
    dist_info_metadata: Option<MetadataFlag>,
}

#[derive(Deserialize)]
#[serde(untagged)]
enum Yanked {
    Flag(bool),
    Reason(String),
}

#[derive(Deserialize)]
#[serde(untagged)]
enum MetadataFlag {
    Flag(bool),
    Hashes(BTreeMap<String, String>),
}

fn hint(flag: Option<MetadataFlag>) -> CoreMetadataHint {
    match flag {
        None => CoreMetadataHint::Unknown,
        Some(MetadataFlag::Flag(false)) => CoreMetadataHint::NotAvailable,
        Some(MetadataFlag::Flag(true)) => CoreMetadataHint::Available(None),
        Some(MetadataFlag::Hashes(hashes)) => {
            CoreMetadataHint::Available(Some(Hashes::from_pairs(
                hashes
                    .iter()
                    .map(|(algorithm, digest)| (algorithm.as_str(), digest.as_str())),
            )))
        }
    }
}

/// Parses the files of a PEP 691 project page.
pub(crate) fn parse(body: &[u8]) -> Result<Vec<RawFile>, String> {
    let page: JsonPage =
        serde_json::from_slice(body).map_err(|error| format!("invalid JSON: {error}"))?;
    Ok(page
        .files
        .into_iter()
        .map(|file| RawFile {
            hashes: Hashes::from_pairs(
                file.hashes
                    .iter()
                    .map(|(algorithm, digest)| (algorithm.as_str(), digest.as_str())),
            ),
            requires_python: file.requires_python,
            yanked: match file.yanked {
                None | Some(Yanked::Flag(false)) => None,
                Some(Yanked::Flag(true)) => Some(String::new()),
                Some(Yanked::Reason(reason)) => Some(reason),
            },
            upload_time: file.upload_time,
            size: file.size,
            // PEP 714: `core-metadata` wins; `dist-info-metadata` is the older spelling.
            core_metadata: hint(file.core_metadata.or(file.dist_info_metadata)),
            filename: file.filename,
            url: file.url,
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_pep_691_700_714_fields() {
        let body = br#"{"meta":{"api-version":"1.1"},"name":"x","files":[
            {"filename":"x-1.0-py3-none-any.whl","url":"../../f/x-1.0-py3-none-any.whl","hashes":{"sha256":"AB"},
             "requires-python":">=3.8","yanked":"broken","upload-time":"2024-01-01T00:00:00.123456Z","size":10,
             "core-metadata":{"sha256":"cd"}},
            {"filename":"x-1.0.tar.gz","url":"x-1.0.tar.gz","hashes":{},"yanked":true,"dist-info-metadata":false},
            {"filename":"x-0.9.tar.gz","url":"x-0.9.tar.gz","hashes":{},"yanked":false}]}"#;
        let files = parse(body).expect("valid page");
        assert_eq!(files.len(), 3);
        assert_eq!(files[0].hashes.sha256.as_deref(), Some("ab"));
        assert_eq!(files[0].yanked.as_deref(), Some("broken"));
        assert_eq!(files[0].size, Some(10));
        assert!(
            matches!(&files[0].core_metadata, CoreMetadataHint::Available(Some(h)) if h.sha256.as_deref() == Some("cd"))
        );
        assert_eq!(files[1].yanked.as_deref(), Some(""));
        assert_eq!(files[1].core_metadata, CoreMetadataHint::NotAvailable);
        assert_eq!(files[2].yanked, None);
        assert_eq!(files[2].core_metadata, CoreMetadataHint::Unknown);
    }

    #[test]
    fn malformed_json_is_an_error() {
        assert!(parse(b"{\"files\": [").is_err());
    }
}
