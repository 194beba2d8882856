//! A static PEP 691 mirror of chosen packages, for fixtures and offline use.
//!
//! Layout: `simple/index.html`, `simple/<name>/index.json` and `index.html` (the same data),
//! `files/<filename>.metadata` (PEP 658, sha256 recorded in `core-metadata`; headers only, the
//! long description is dropped to keep mirrors small), and with
//! `include_files` the archives themselves at `files/<filename>`. File URLs are relative
//! (`../../files/<filename>`), so any static server can serve the folder. Output is
//! deterministic: files sorted by version then name, JSON with a fixed field order.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::path::Path;

use futures::StreamExt;
use npsolve_platform::{DistFilename, Target};
use pep440_rs::Version;
use pep508_rs::{PackageName, Requirement, VersionOrUrl};
use serde::Serialize;

use crate::cache::sha256_hex;
use crate::client::IndexClient;
use crate::dist_file::DistFile;
use crate::error::IndexError;
use npsolve_metadata::StaticSource;

/// What to put in a snapshot.
#[derive(Debug, Clone, Default)]
pub struct SnapshotRequest {
    /// Projects and the versions to keep (a file is kept when any requirement of its project matches).
    pub packages: Vec<Requirement>,
    /// Keep only wheels installable on at least one of these (and all sdists); empty keeps all.
    pub targets: Vec<Target>,
    /// Also copy the archives (off by default: metadata is enough for resolving).
    pub include_files: bool,
    /// Drop files uploaded after this instant (and files with no upload time).
    pub exclude_newer: Option<jiff::Timestamp>,
}

/// What a snapshot wrote.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SnapshotReport {
    /// Project pages written.
    pub projects: usize,
    /// Files listed on those pages.
    pub files: usize,
    /// `.metadata` files written.
    pub metadata_files: usize,
    /// Archives copied.
    pub archives: usize,
    /// Files listed without metadata, with the reason.
    pub without_metadata: Vec<String>,
    /// Bytes written in all.
    pub bytes_written: u64,
}

impl fmt::Display for SnapshotReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} project(s), {} file(s), {} metadata file(s), {} archive(s), {} bytes",
            self.projects, self.files, self.metadata_files, self.archives, self.bytes_written
        )?;
        if !self.without_metadata.is_empty() {
            write!(
                f,
                "; {} file(s) without metadata",
                self.without_metadata.len()
            )?;
        }
        Ok(())
    }
}

#[derive(Serialize)]
struct JsonPage<'a> {
    meta: JsonMeta,
    name: &'a str,
    versions: Vec<String>,
    files: Vec<JsonFile>,
}

#[derive(Serialize)]
struct JsonMeta {
    #[serde(rename = "api-version")]
    api_version: &'static str,
}

#[derive(Serialize, Clone)]
struct JsonFile {
    filename: String,
    url: String,
    hashes: BTreeMap<String, String>,
    #[serde(rename = "requires-python")]
    requires_python: Option<String>,
    yanked: serde_json::Value,
    #[serde(rename = "upload-time", skip_serializing_if = "Option::is_none")]
    upload_time: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    size: Option<u64>,
    #[serde(rename = "core-metadata")]
    core_metadata: serde_json::Value,
    #[serde(rename = "data-dist-info-metadata")]
    dist_info_metadata: serde_json::Value,
}

fn keep(file: &DistFile, requirements: &[&Requirement], request: &SnapshotRequest) -> bool {
    let version = file.filename.version();
    let wanted = requirements
        .iter()
        .any(|requirement| match &requirement.version_or_url {
            None => true,
            Some(VersionOrUrl::VersionSpecifier(specifiers)) => specifiers.contains(version),
            Some(VersionOrUrl::Url(_)) => false,
        });
    let fresh = request
        .exclude_newer
        .is_none_or(|cutoff| file.upload_time.is_some_and(|time| time <= cutoff));
    let installable = match &file.filename {
        DistFilename::Sdist(_) => true,
        DistFilename::Wheel(wheel) => {
            request.targets.is_empty()
                || request
                    .targets
                    .iter()
                    .any(|target| wheel.compatibility(target.tags()).is_some())
        }
    };
    wanted && fresh && installable
}

fn write(path: &Path, bytes: &[u8], report: &mut SnapshotReport) -> Result<(), IndexError> {
    let io = |source| IndexError::Io {
        path: path.to_path_buf(),
        source,
    };
    if let Some(parent) = path.parent() {
        fs_err::create_dir_all(parent).map_err(io)?;
    }
    fs_err::write(path, bytes).map_err(io)?;
    report.bytes_written += bytes.len() as u64;
    Ok(())
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

fn html_page(name: &str, files: &[JsonFile]) -> String {
    let mut html = format!(
        "<!DOCTYPE html>\n<html>\n  <head>\n    <meta name=\"pypi:repository-version\" content=\"1.1\">\n    <title>Links for {name}</title>\n  </head>\n  <body>\n    <h1>Links for {name}</h1>\n"
    );
    for file in files {
        let mut href = file.url.clone();
        if let Some(sha256) = file.hashes.get("sha256") {
            href.push_str(&format!("#sha256={sha256}"));
        }
        let mut attributes = format!("href=\"{}\"", escape(&href));
        if let Some(requires_python) = &file.requires_python {
            attributes.push_str(&format!(
                " data-requires-python=\"{}\"",
                escape(requires_python)
            ));
        }
        match &file.yanked {
            serde_json::Value::String(reason) => {
                attributes.push_str(&format!(" data-yanked=\"{}\"", escape(reason)))
            }
            serde_json::Value::Bool(true) => attributes.push_str(" data-yanked=\"\""),
            _ => {}
        }
        if let serde_json::Value::Object(hashes) = &file.core_metadata
            && let Some(serde_json::Value::String(sha256)) = hashes.get("sha256")
        {
            attributes.push_str(&format!(
                " data-core-metadata=\"sha256={sha256}\" data-dist-info-metadata=\"sha256={sha256}\""
            ));
        }
        html.push_str(&format!(
            "    <a {attributes}>{}</a><br />\n",
            escape(&file.filename)
        ));
    }
    html.push_str("  </body>\n</html>\n");
    html
}

/// The header block of core metadata without the long description (the `Description` header
/// and the body), which is most of the bytes and nothing a resolver reads.
fn headers_only(bytes: &[u8]) -> Vec<u8> {
    let text = String::from_utf8_lossy(bytes);
    let mut out = String::new();
    let mut in_description = false;
    for line in text.split('\n') {
        let line = line.strip_suffix('\r').unwrap_or(line);
        if line.is_empty() {
            break;
        }
        if line.starts_with([' ', '\t']) {
            if !in_description {
                out.push_str(line);
                out.push('\n');
            }
            continue;
        }
        in_description = line.to_ascii_lowercase().starts_with("description:");
        if !in_description {
            out.push_str(line);
            out.push('\n');
        }
    }
    out.into_bytes()
}

/// Writes a static mirror of the requested packages into `out`.
pub async fn write_snapshot(
    client: &IndexClient,
    request: &SnapshotRequest,
    out: &Path,
) -> Result<SnapshotReport, IndexError> {
    let mut report = SnapshotReport::default();
    let mut by_name: BTreeMap<PackageName, Vec<&Requirement>> = BTreeMap::new();
    for requirement in &request.packages {
        by_name
            .entry(requirement.name.clone())
            .or_default()
            .push(requirement);
    }
    for (name, requirements) in &by_name {
        let project = client.project(name).await?;
        let mut files: Vec<&DistFile> = project
            .files
            .iter()
            .filter(|file| keep(file, requirements, request))
            .collect();
        files.sort_by(|a, b| {
            a.filename
                .version()
                .cmp(b.filename.version())
                .then_with(|| a.filename.to_string().cmp(&b.filename.to_string()))
        });
        files.dedup_by(|a, b| a.filename.to_string() == b.filename.to_string());
        type Fetched = Result<(Option<StaticSource>, Vec<u8>), IndexError>;
        let fetched: Vec<(&DistFile, Fetched)> = futures::stream::iter(files.iter().copied())
            .map(|file| async move {
                (
                    file,
                    client
                        .inner
                        .file_metadata(file)
                        .await
                        .map(|(metadata, bytes)| (metadata.static_source, bytes)),
                )
            })
            .buffered(16)
            .collect()
            .await;
        let mut json_files = Vec::new();
        let mut versions = BTreeSet::<Version>::new();
        for (file, metadata) in fetched {
            let filename = file.filename.to_string();
            versions.insert(file.filename.version().clone());
            // An sdist whose dependencies were read from its files (egg-info, setup.cfg,
            // ...) gets no `.metadata` file: that would claim PEP 643 metadata it does not
            // have and lose where it came from. Its archive is copied instead, so the
            // mirror reads it as the index did.
            let from_files =
                matches!(&metadata, Ok((Some(source), _)) if *source != StaticSource::PkgInfo);
            let core_metadata = match metadata {
                Ok(_) if from_files => serde_json::Value::Bool(false),
                Ok((_, bytes)) => {
                    let bytes = headers_only(&bytes);
                    write(
                        &out.join("files").join(format!("{filename}.metadata")),
                        &bytes,
                        &mut report,
                    )?;
                    report.metadata_files += 1;
                    serde_json::json!({ "sha256": sha256_hex(&bytes) })
                }
                Err(error) if error.is_file_specific() => {
                    tracing::warn!("`{filename}` listed without metadata: {error}");
                    report.without_metadata.push(format!("{filename}: {error}"));
                    serde_json::Value::Bool(false)
                }
                Err(error) => return Err(error),
            };
            if request.include_files || from_files {
                let bytes = client.download(file).await?;
                write(&out.join("files").join(&filename), &bytes, &mut report)?;
                report.archives += 1;
            }
            let hashes = file
                .hashes
                .pairs()
                .into_iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect();
            json_files.push(JsonFile {
                url: format!("../../files/{filename}"),
                filename,
                hashes,
                requires_python: file.requires_python.as_ref().map(ToString::to_string),
                yanked: match &file.yanked {
                    None => serde_json::Value::Bool(false),
                    Some(reason) if reason.is_empty() => serde_json::Value::Bool(true),
                    Some(reason) => serde_json::Value::String(reason.clone()),
                },
                upload_time: file.upload_time.map(|time| time.to_string()),
                size: file.size,
                dist_info_metadata: core_metadata.clone(),
                core_metadata,
            });
        }
        let page = JsonPage {
            meta: JsonMeta { api_version: "1.1" },
            name: name.as_ref(),
            versions: versions.iter().map(ToString::to_string).collect(),
            files: json_files,
        };
        let mut json = serde_json::to_string_pretty(&page).map_err(|error| IndexError::Io {
            path: out.to_path_buf(),
            source: std::io::Error::other(error),
        })?;
        json.push('\n');
        let folder = out.join("simple").join(name.as_ref());
        write(&folder.join("index.json"), json.as_bytes(), &mut report)?;
        write(
            &folder.join("index.html"),
            html_page(name.as_ref(), &page.files).as_bytes(),
            &mut report,
        )?;
        report.projects += 1;
        report.files += page.files.len();
    }
    // The root page lists every project in the folder (earlier snapshots included).
    let mut names: BTreeSet<String> = by_name.keys().map(ToString::to_string).collect();
    if let Ok(entries) = fs_err::read_dir(out.join("simple")) {
        names.extend(
            entries
                .filter_map(Result::ok)
                .filter(|entry| entry.path().join("index.json").is_file())
                .filter_map(|entry| entry.file_name().into_string().ok()),
        );
    }
    let mut root = String::from(
        "<!DOCTYPE html>\n<html>\n  <head>\n    <meta name=\"pypi:repository-version\" content=\"1.1\">\n    <title>Simple index</title>\n  </head>\n  <body>\n",
    );
    for name in &names {
        root.push_str(&format!("    <a href=\"{name}/\">{name}</a><br />\n"));
    }
    root.push_str("  </body>\n</html>\n");
    write(
        &out.join("simple").join("index.html"),
        root.as_bytes(),
        &mut report,
    )?;
    Ok(report)
}
