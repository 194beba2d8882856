//! A scenario's index folder, built in process: for every release its wheels (real zip files
//! with `METADATA`, `WHEEL` and `RECORD`) and its sdist (a real `.tar.gz` with `PKG-INFO` and
//! `pyproject.toml`), and a PEP 691 page per project, laid out as [`crate::FixtureServer`]
//! serves a snapshot (`simple/<name>/index.json`, `files/…`). Wheels also get a PEP 658
//! `.metadata` file, as PyPI serves them.

use std::fmt::Write as _;
use std::io::{Cursor, Write as _};
use std::path::Path;

use sha2::{Digest, Sha256};

use crate::packse::{Release, Scenario};
use crate::server::normalize;

/// Writes `scenario`'s index under `root` (which must exist).
pub fn write_index(scenario: &Scenario, root: &Path) -> std::io::Result<()> {
    let files = root.join("files");
    std::fs::create_dir_all(&files)?;
    let mut listing = String::from("<!DOCTYPE html><html><body>\n");
    for (name, package) in &scenario.packages {
        let project = normalize(name);
        let mut entries = Vec::new();
        for (version, release) in &package.versions {
            for (filename, bytes, metadata) in distributions(name, version, release) {
                std::fs::write(files.join(&filename), &bytes)?;
                let core_metadata = match &metadata {
                    Some(metadata) => {
                        std::fs::write(files.join(format!("{filename}.metadata")), metadata)?;
                        serde_json::json!({ "sha256": sha256(metadata.as_bytes()) })
                    }
                    None => serde_json::Value::Bool(false),
                };
                entries.push(serde_json::json!({
                    "filename": filename,
                    "url": format!("../../files/{filename}"),
                    "hashes": { "sha256": sha256(&bytes) },
                    "requires-python": release.requires_python,
                    "yanked": release.yanked,
                    "size": bytes.len(),
                    "core-metadata": core_metadata,
                }));
            }
        }
        let page = serde_json::json!({
            "meta": { "api-version": "1.1" },
            "name": project,
            "versions": package.versions.keys().collect::<Vec<_>>(),
            "files": entries,
        });
        let folder = root.join("simple").join(&project);
        std::fs::create_dir_all(&folder)?;
        std::fs::write(
            folder.join("index.json"),
            serde_json::to_vec_pretty(&page).map_err(std::io::Error::other)?,
        )?;
        writeln!(listing, "<a href=\"/simple/{project}/\">{project}</a>").ok();
    }
    listing.push_str("</body></html>\n");
    std::fs::create_dir_all(root.join("simple"))?;
    std::fs::write(root.join("simple").join("index.html"), listing)
}

/// The release's files: `(filename, bytes, core metadata for wheels)`.
fn distributions(
    name: &str,
    version: &str,
    release: &Release,
) -> Vec<(String, Vec<u8>, Option<String>)> {
    let metadata = core_metadata(name, version, release);
    let stem = format!("{}-{version}", dist_name(name));
    let mut out = Vec::new();
    if release.wheel {
        let tags: Vec<&str> = if release.wheel_tags.is_empty() {
            vec!["py3-none-any"]
        } else {
            release.wheel_tags.iter().map(String::as_str).collect()
        };
        for tag in tags {
            let filename = format!("{stem}-{tag}.whl");
            out.push((
                filename,
                wheel(name, version, tag, &metadata),
                Some(metadata.clone()),
            ));
        }
    }
    if release.sdist {
        let pyproject = pyproject(name, version, release);
        out.push((
            format!("{stem}.tar.gz"),
            sdist(&stem, &metadata, &pyproject, &dist_name(name)),
            None,
        ));
    }
    out
}

/// `METADATA` / `PKG-INFO` text (Metadata-Version 2.3, nothing dynamic).
fn core_metadata(name: &str, version: &str, release: &Release) -> String {
    let mut text = format!("Metadata-Version: 2.3\nName: {name}\nVersion: {version}\n");
    if !release.requires_python.is_empty() {
        writeln!(text, "Requires-Python: {}", release.requires_python).ok();
    }
    for extra in release.extras.keys() {
        writeln!(text, "Provides-Extra: {extra}").ok();
    }
    for requirement in &release.requires {
        writeln!(text, "Requires-Dist: {requirement}").ok();
    }
    for (extra, requirements) in &release.extras {
        for requirement in requirements {
            writeln!(text, "Requires-Dist: {}", with_extra(requirement, extra)).ok();
        }
    }
    text
}

/// `requirement` limited to `extra`: its marker (if any) and `extra == "<extra>"`.
fn with_extra(requirement: &str, extra: &str) -> String {
    match requirement.split_once(';') {
        Some((head, marker)) => {
            format!(
                "{} ; ({}) and extra == \"{extra}\"",
                head.trim(),
                marker.trim()
            )
        }
        None => format!("{} ; extra == \"{extra}\"", requirement.trim()),
    }
}

/// A hatchling `pyproject.toml` with static `[project]` metadata.
fn pyproject(name: &str, version: &str, release: &Release) -> String {
    let quoted = |items: &[String]| {
        items
            .iter()
            .map(|item| format!("{item:?}"))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let mut text = format!(
        "[build-system]\nrequires = [\"hatchling\"]\nbuild-backend = \"hatchling.build\"\n\n\
         [project]\nname = {name:?}\nversion = {version:?}\ndependencies = [{}]\n",
        quoted(&release.requires)
    );
    if !release.requires_python.is_empty() {
        writeln!(text, "requires-python = {:?}", release.requires_python).ok();
    }
    if !release.extras.is_empty() {
        text.push_str("\n[project.optional-dependencies]\n");
        for (extra, requirements) in &release.extras {
            writeln!(text, "{extra:?} = [{}]", quoted(requirements)).ok();
        }
    }
    text
}

/// A wheel: the package's `__init__.py`, `METADATA`, `WHEEL` and `RECORD`.
fn wheel(name: &str, version: &str, tag: &str, metadata: &str) -> Vec<u8> {
    let module = dist_name(name);
    let dist_info = format!("{module}-{version}.dist-info");
    let members = [
        (
            format!("{module}/__init__.py"),
            format!("__version__ = {version:?}\n"),
        ),
        (format!("{dist_info}/METADATA"), metadata.to_string()),
        (
            format!("{dist_info}/WHEEL"),
            format!(
                "Wheel-Version: 1.0\nGenerator: npsolve-testkit\nRoot-Is-Purelib: true\nTag: {tag}\n"
            ),
        ),
    ];
    let mut record = String::new();
    for (path, contents) in &members {
        writeln!(
            record,
            "{path},sha256={},{}",
            record_hash(contents.as_bytes()),
            contents.len()
        )
        .ok();
    }
    writeln!(record, "{dist_info}/RECORD,,").ok();
    let mut zip = zip::ZipWriter::new(Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    let record_member = (format!("{dist_info}/RECORD"), record);
    for (path, contents) in members.iter().chain(std::iter::once(&record_member)) {
        zip.start_file(path.as_str(), options)
            .and_then(|()| zip.write_all(contents.as_bytes()).map_err(Into::into))
            .expect("an in-memory zip accepts members");
    }
    zip.finish()
        .expect("an in-memory zip finishes")
        .into_inner()
}

/// An sdist: `<stem>/PKG-INFO`, `<stem>/pyproject.toml` and the package's `__init__.py`.
fn sdist(stem: &str, pkg_info: &str, pyproject: &str, module: &str) -> Vec<u8> {
    let encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    let mut tar = tar::Builder::new(encoder);
    let members = [
        (format!("{stem}/PKG-INFO"), pkg_info.to_string()),
        (format!("{stem}/pyproject.toml"), pyproject.to_string()),
        (
            format!("{stem}/src/{module}/__init__.py"),
            "__version__ = \"0\"\n".to_string(),
        ),
    ];
    for (path, contents) in &members {
        let mut header = tar::Header::new_gnu();
        header.set_size(contents.len() as u64);
        header.set_mode(0o644);
        header.set_mtime(0);
        header.set_cksum();
        tar.append_data(&mut header, path, contents.as_bytes())
            .expect("an in-memory tar accepts members");
    }
    tar.into_inner()
        .and_then(flate2::write::GzEncoder::finish)
        .expect("an in-memory tar.gz finishes")
}

fn sha256(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

/// RECORD's hash form: urlsafe base64 without padding.
fn record_hash(bytes: &[u8]) -> String {
    use base64::Engine as _;
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(Sha256::digest(bytes))
}

/// The name as it appears in distribution filenames (`-` → `_`, lower case).
fn dist_name(name: &str) -> String {
    normalize(name).replace('-', "_")
}

#[cfg(test)]
mod tests {
    use super::{record_hash, with_extra};

    #[test]
    fn record_hashes_are_urlsafe_base64_without_padding() {
        // sha256("") in RECORD form, as pip writes it.
        assert_eq!(
            record_hash(b""),
            "47DEQpj8HBSa-_TImW-5JCeuQeRkm5NMpJWZG3hSuFU"
        );
    }

    #[test]
    fn an_extra_joins_an_existing_marker() {
        assert_eq!(
            with_extra("b>=1; python_version < '3.12'", "x"),
            "b>=1 ; (python_version < '3.12') and extra == \"x\""
        );
        assert_eq!(with_extra("b", "x"), "b ; extra == \"x\"");
    }
}
