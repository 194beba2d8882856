//! Project pages of the simple API: PEP 691 JSON or PEP 503 HTML, chosen by Content-Type.

pub(crate) mod compact;
pub(crate) mod html;
pub(crate) mod json;

use std::str::FromStr;

use npsolve_platform::DistFilename;
use pep440_rs::VersionSpecifiers;
use pep508_rs::PackageName;
use url::Url;

use crate::dist_file::{CoreMetadataHint, DistFile, Hashes};

/// The PEP 691 JSON media type.
pub(crate) const JSON_MEDIA_TYPE: &str = "application/vnd.pypi.simple.v1+json";

/// The `Accept` header pip and uv send: JSON preferred, HTML accepted.
pub(crate) const ACCEPT: &str = "application/vnd.pypi.simple.v1+json, application/vnd.pypi.simple.v1+html;q=0.2, text/html;q=0.01";

/// A file entry before its name and fields are validated.
#[derive(Debug, Clone, Default)]
pub(crate) struct RawFile {
    pub filename: String,
    pub url: String,
    pub hashes: Hashes,
    pub requires_python: Option<String>,
    pub yanked: Option<String>,
    pub upload_time: Option<String>,
    pub size: Option<u64>,
    pub core_metadata: CoreMetadataHint,
}

/// True when the media type is PEP 691 JSON (any version 1.x).
pub(crate) fn is_json(content_type: &str) -> bool {
    let media = content_type
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    media == JSON_MEDIA_TYPE
        || (media.starts_with("application/vnd.pypi.simple.v") && media.ends_with("+json"))
}

/// Parses a project page into files of `name`, resolving URLs against `page_url`.
///
/// Entries whose file name cannot be parsed (or names another project) are dropped with a warning;
/// an invalid `requires-python` is dropped with a warning (the file stays).
pub(crate) fn parse_project_page(
    body: &[u8],
    content_type: &str,
    page_url: &Url,
    name: &PackageName,
) -> Result<Vec<DistFile>, String> {
    let raw = if is_json(content_type) {
        json::parse(body)?
    } else {
        let text = String::from_utf8_lossy(body);
        html::parse(&text, page_url)?.files
    };
    let base = if is_json(content_type) {
        page_url.clone()
    } else {
        html::base_url(&String::from_utf8_lossy(body), page_url)
    };
    Ok(raw
        .into_iter()
        .filter_map(|file| validate(file, &base, name))
        .collect())
}

/// Turns a raw entry into a [`DistFile`], or `None` (with a warning) when it is unusable.
pub(crate) fn validate(raw: RawFile, base: &Url, name: &PackageName) -> Option<DistFile> {
    let filename = match DistFilename::parse(&raw.filename, name) {
        Ok(filename) => filename,
        // Eggs, Windows installers, pre-PEP 440 versions: old projects are full of
        // them, and pip and uv skip them quietly too (`-vv` shows them).
        Err(error) => {
            tracing::debug!(
                "skipping `{}` on the page of `{name}`: {error}",
                raw.filename
            );
            return None;
        }
    };
    let mut url = match base.join(&raw.url) {
        Ok(url) => url,
        Err(error) => {
            tracing::warn!(
                "skipping `{}`: invalid URL `{}`: {error}",
                raw.filename,
                raw.url
            );
            return None;
        }
    };
    // A `#sha256=…` fragment carries a hash (PEP 503); the URL itself goes without it.
    let mut hashes = raw.hashes;
    if let Some(fragment) = url.fragment().map(str::to_string) {
        if let Some((algorithm, digest)) = fragment.split_once('=') {
            let from_fragment = Hashes::from_pairs([(algorithm, digest)]);
            if hashes.sha256.is_none() {
                hashes.sha256 = from_fragment.sha256;
            }
            for (algorithm, digest) in from_fragment.others {
                hashes.others.entry(algorithm).or_insert(digest);
            }
        }
        url.set_fragment(None);
    }
    let requires_python = raw
        .requires_python
        .filter(|text| !text.trim().is_empty())
        .and_then(|text| {
            VersionSpecifiers::from_str(&text)
                // Old releases carry specifiers from before PEP 440 was strict
                // (`>=3.6,`, `!=3.0*`); like pip, ignore them, quietly (`-vv` shows them).
                .inspect_err(|error| {
                    tracing::debug!(
                        "ignoring invalid requires-python `{text}` of `{}`: {error}",
                        raw.filename
                    );
                })
                .ok()
        });
    let upload_time = raw.upload_time.and_then(|text| {
        jiff::Timestamp::from_str(&text)
            .inspect_err(|error| {
                tracing::warn!(
                    "ignoring invalid upload-time `{text}` of `{}`: {error}",
                    raw.filename
                )
            })
            .ok()
    });
    Some(DistFile {
        filename,
        url,
        hashes,
        requires_python,
        yanked: raw.yanked,
        upload_time,
        size: raw.size,
        core_metadata: raw.core_metadata,
    })
}
