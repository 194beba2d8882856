//! `--find-links`: distributions in a local folder, or linked from an HTML page.

use npsolve_platform::DistFilename;
use pep508_rs::PackageName;
use reqwest::header::HeaderMap;
use url::Url;

use crate::client::Inner;
use crate::dist_file::{DistFile, Hashes};
use crate::error::IndexError;
use crate::locations::FindLinks;
use crate::page::html as page_html;
use crate::page::{self, RawFile};
use crate::safe_url::SafeUrl;

/// Whether a file name could belong to `name` (cheap pre-filter, no warnings for other projects).
fn may_belong(filename: &str, name: &PackageName) -> bool {
    let normalized: String = filename
        .chars()
        .map(|character| {
            if matches!(character, '-' | '_' | '.') {
                '-'
            } else {
                character.to_ascii_lowercase()
            }
        })
        .collect();
    normalized.starts_with(&format!("{name}-"))
}

impl Inner {
    /// The files of `name` found at one find-links location.
    pub(crate) async fn find_links_files(
        &self,
        link: &FindLinks,
        name: &PackageName,
    ) -> Result<Vec<DistFile>, IndexError> {
        let url = link.url();
        let raw = if url.scheme() == "file" {
            let path = url.to_file_path().map_err(|()| IndexError::InvalidUrl {
                url: link.to_string(),
                reason: "not a local path".to_string(),
            })?;
            if path.is_dir() {
                return list_folder(&path, name);
            }
            let text = fs_err::read_to_string(&path).map_err(|source| IndexError::Io {
                path: path.clone(),
                source,
            })?;
            page_html::parse(&text, url)
                .map_err(|reason| IndexError::MalformedPage {
                    url: SafeUrl::new(url.clone()),
                    reason,
                })?
                .files
        } else {
            if self.options.cache.offline {
                return Err(IndexError::Offline {
                    what: format!("find-links page {link}"),
                });
            }
            let response = self.http.get(url, &HeaderMap::new(), false).await?;
            if !response.status.is_success() {
                return Err(IndexError::Status {
                    url: SafeUrl::new(url.clone()),
                    status: response.status.as_u16(),
                    attempts: 1,
                });
            }
            let text = String::from_utf8_lossy(&response.body);
            page_html::parse(&text, &response.url)
                .map_err(|reason| IndexError::MalformedPage {
                    url: SafeUrl::new(response.url.clone()),
                    reason,
                })?
                .files
        };
        let base = url.clone();
        Ok(raw
            .into_iter()
            .filter(|file| may_belong(&file.filename, name))
            .filter_map(|file: RawFile| page::validate(file, &base, name))
            .collect())
    }
}

fn list_folder(path: &std::path::Path, name: &PackageName) -> Result<Vec<DistFile>, IndexError> {
    let io = |source| IndexError::Io {
        path: path.to_path_buf(),
        source,
    };
    let mut names: Vec<String> = fs_err::read_dir(path)
        .map_err(io)?
        .filter_map(Result::ok)
        .filter(|entry| entry.file_type().is_ok_and(|kind| kind.is_file()))
        .filter_map(|entry| entry.file_name().into_string().ok())
        .filter(|filename| may_belong(filename, name))
        .collect();
    names.sort();
    let mut files = Vec::new();
    for filename in names {
        let Ok(parsed) = DistFilename::parse(&filename, name) else {
            tracing::debug!(
                "ignoring `{filename}` in find-links folder `{}`",
                path.display()
            );
            continue;
        };
        let Ok(url) = Url::from_file_path(path.join(&filename)) else {
            continue;
        };
        let size = fs_err::metadata(path.join(&filename))
            .ok()
            .map(|metadata| metadata.len());
        files.push(DistFile {
            filename: parsed,
            url,
            hashes: Hashes::default(),
            requires_python: None,
            yanked: None,
            upload_time: None,
            size,
            core_metadata: crate::dist_file::CoreMetadataHint::NotAvailable,
        });
    }
    Ok(files)
}

#[cfg(test)]
mod tests {
    use super::may_belong;
    use pep508_rs::PackageName;

    #[test]
    fn prefilters_by_normalised_name() {
        let name = PackageName::new("python-dateutil".to_string()).expect("valid");
        assert!(may_belong(
            "python_dateutil-2.9.0-py2.py3-none-any.whl",
            &name
        ));
        assert!(may_belong("Python.Dateutil-2.9.0.tar.gz", &name));
        assert!(!may_belong("python_dateutils-1.0.tar.gz", &name));
    }
}
