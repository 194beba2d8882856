//! Fetching one project page from one index: `file://` mirrors, or HTTP with the page cache.

use std::path::Path;

use pep508_rs::PackageName;
use reqwest::StatusCode;
use reqwest::header::{self, HeaderMap, HeaderValue};
use serde::{Deserialize, Serialize};
use url::Url;

use crate::client::{Inner, lock};
use crate::dist_file::DistFile;
use crate::error::IndexError;
use crate::listing::{read_back, segment_of};
use crate::locations::IndexUrl;
use crate::page::compact::{self as page_compact, Segment};
use crate::page::{ACCEPT, JSON_MEDIA_TYPE, parse_project_page};
use crate::safe_url::{SafeUrl, redact};
use crate::stats::bump;

/// What the cache keeps beside a page's files (the body is their compact form, see
/// [`crate::page::compact`], never the page as served).
#[derive(Debug, Clone, Serialize, Deserialize)]
struct PageEntry {
    /// The page URL after redirects (for people reading the cache; file URLs are absolute).
    url: String,
    etag: Option<String>,
    last_modified: Option<String>,
    /// When the page was fetched or last revalidated (Unix seconds).
    stored_at: i64,
    /// `Cache-Control: max-age`, seconds; 0 when the page must be revalidated.
    max_age: u64,
}

fn now() -> i64 {
    jiff::Timestamp::now().as_second()
}

/// `max-age` from a Cache-Control header; `no-cache`/`no-store` mean 0.
fn max_age(cache_control: Option<&str>) -> u64 {
    let Some(value) = cache_control else { return 0 };
    let mut age = 0;
    for directive in value.split(',').map(str::trim) {
        let lower = directive.to_ascii_lowercase();
        if lower == "no-cache" || lower == "no-store" {
            return 0;
        }
        if let Some(seconds) = lower.strip_prefix("max-age=") {
            age = seconds.trim_matches('"').parse().unwrap_or(0);
        }
    }
    age
}

impl Inner {
    /// The files of `name` on `index`, without those `cutoff` excludes (and how many of them
    /// had no upload time); `None` when the index does not have the project.
    pub(crate) async fn index_page(
        &self,
        index: &IndexUrl,
        name: &PackageName,
        cutoff: Option<jiff::Timestamp>,
    ) -> Result<Option<(Segment, usize)>, IndexError> {
        let url =
            index
                .url()
                .join(&format!("{name}/"))
                .map_err(|error| IndexError::InvalidUrl {
                    url: format!("{index}{name}/"),
                    reason: error.to_string(),
                })?;
        if url.scheme() == "file" {
            return match self.local_page(index, name)? {
                Some(files) => segment_of(&files, name, cutoff, &url).map(Some),
                None => Ok(None),
            };
        }
        let entry_path = self.cache.page_path(index.url(), name.as_ref());
        let cached = entry_path.as_deref().and_then(|path| {
            let (entry, body, index) =
                self.cache.open_indexed::<PageEntry>(path, &self.counters)?;
            match Segment::read(body, index, name, cutoff) {
                Ok(segment) => Some((entry, segment)),
                Err(reason) => {
                    tracing::warn!(
                        "deleting unreadable cache entry `{}`: {reason}",
                        path.display()
                    );
                    bump(&self.counters.corrupt_entries);
                    self.cache.remove(path);
                    None
                }
            }
        });
        let answered = lock(&self.answered_pages).get(url.as_str()).copied();
        if answered == Some(false) {
            return Ok(None);
        }
        if let Some((entry, _)) = &cached {
            let fresh = answered == Some(true)
                || now().saturating_sub(entry.stored_at)
                    < i64::try_from(entry.max_age).unwrap_or(i64::MAX);
            if self.options.cache.offline || (fresh && !self.options.cache.refresh.covers(name)) {
                bump(&self.counters.cache_hits);
                return Ok(cached.map(|(_, segment)| segment));
            }
        } else {
            bump(&self.counters.cache_misses);
        }
        if self.options.cache.offline {
            return Err(IndexError::Offline {
                what: format!("project page {}", redact(&url)),
            });
        }
        let mut headers = HeaderMap::new();
        headers.insert(header::ACCEPT, HeaderValue::from_static(ACCEPT));
        if let Some((entry, _)) = &cached {
            if let Some(etag) = entry
                .etag
                .as_deref()
                .and_then(|value| HeaderValue::from_str(value).ok())
            {
                headers.insert(header::IF_NONE_MATCH, etag);
            }
            if let Some(date) = entry
                .last_modified
                .as_deref()
                .and_then(|value| HeaderValue::from_str(value).ok())
            {
                headers.insert(header::IF_MODIFIED_SINCE, date);
            }
        }
        let response = self.http.get(&url, &headers, false).await?;
        if response.status == StatusCode::NOT_MODIFIED {
            if let (Some((mut entry, segment)), Some(path)) = (cached, entry_path.as_deref()) {
                bump(&self.counters.revalidated);
                entry.stored_at = now();
                entry.max_age = max_age(response.header(header::CACHE_CONTROL));
                let written = segment.0.body().map_err(|source| IndexError::Io {
                    path: path.to_path_buf(),
                    source,
                });
                if let Err(error) = written
                    .and_then(|(body, index)| self.cache.write_indexed(path, &entry, &body, index))
                {
                    tracing::warn!("cannot update the cache: {error}");
                }
                lock(&self.answered_pages).insert(url.to_string(), true);
                return Ok(Some(segment));
            }
            return Err(IndexError::Status {
                url: SafeUrl::new(url),
                status: 304,
                attempts: 1,
            });
        }
        if matches!(response.status, StatusCode::NOT_FOUND | StatusCode::GONE) {
            lock(&self.answered_pages).insert(url.to_string(), false);
            return Ok(None);
        }
        if !response.status.is_success() {
            return Err(IndexError::Status {
                url: SafeUrl::new(url),
                status: response.status.as_u16(),
                attempts: 1,
            });
        }
        let content_type = response
            .header(header::CONTENT_TYPE)
            .unwrap_or("text/html")
            .to_string();
        let entry = PageEntry {
            url: response.url.to_string(),
            etag: response.header(header::ETAG).map(str::to_string),
            last_modified: response.header(header::LAST_MODIFIED).map(str::to_string),
            stored_at: now(),
            max_age: max_age(response.header(header::CACHE_CONTROL)),
        };
        // Parse before caching: a malformed page never reaches the cache.
        let files = parse_project_page(&response.body, &content_type, &response.url, name)
            .map_err(|reason| IndexError::MalformedPage {
                url: SafeUrl::new(response.url.clone()),
                reason,
            })?;
        // The body can be megabytes (and many pages arrive at once on a cold run).
        drop(response);
        let (compact, index) =
            page_compact::encode(name, &files).map_err(|error| IndexError::MalformedPage {
                url: SafeUrl::new(url.clone()),
                reason: format!("its files cannot be encoded: {error}"),
            })?;
        drop(files);
        if let Some(path) = entry_path.as_deref()
            && let Err(error) = self.cache.write_indexed(path, &entry, &compact, index)
        {
            tracing::warn!("cannot write the cache: {error}");
        } else if entry_path.is_some() {
            lock(&self.answered_pages).insert(url.to_string(), true);
        }
        // Read back what was stored: a cold run resolves with exactly the records a warm run
        // will read, with each version, tag set and requires-python shared across files.
        read_back((compact, index), name, cutoff, &url).map(Some)
    }

    /// A project page of a `file://` mirror: `<name>/index.json`, else `<name>/index.html`
    /// (also under `simple/` when the URL names the mirror's root).
    fn local_page(
        &self,
        index: &IndexUrl,
        name: &PackageName,
    ) -> Result<Option<Vec<DistFile>>, IndexError> {
        let root = index
            .url()
            .to_file_path()
            .map_err(|()| IndexError::InvalidUrl {
                url: index.to_string(),
                reason: "not a local path".to_string(),
            })?;
        for folder in [
            root.join(name.as_ref()),
            root.join("simple").join(name.as_ref()),
        ] {
            for (file, content_type) in
                [("index.json", JSON_MEDIA_TYPE), ("index.html", "text/html")]
            {
                let path = folder.join(file);
                if let Some(files) = read_local_page(&path, content_type, name)? {
                    return Ok(Some(files));
                }
            }
        }
        Ok(None)
    }
}

fn read_local_page(
    path: &Path,
    content_type: &str,
    name: &PackageName,
) -> Result<Option<Vec<DistFile>>, IndexError> {
    let body = match fs_err::read(path) {
        Ok(body) => body,
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(error) => {
            return Err(IndexError::Io {
                path: path.to_path_buf(),
                source: error,
            });
        }
    };
    let page_url = Url::from_file_path(path).map_err(|()| IndexError::InvalidUrl {
        url: path.display().to_string(),
        reason: "not absolute".to_string(),
    })?;
    parse_project_page(&body, content_type, &page_url, name)
        .map(Some)
        .map_err(|reason| IndexError::MalformedPage {
            url: SafeUrl::new(page_url),
            reason,
        })
}

#[cfg(test)]
mod tests {
    use super::max_age;

    #[test]
    fn reads_max_age() {
        assert_eq!(max_age(Some("max-age=600, public")), 600);
        assert_eq!(max_age(Some("public, no-cache, max-age=600")), 0);
        assert_eq!(max_age(None), 0);
    }
}
