//! Where packages come from: index URLs and find-links locations.

use std::fmt;
use std::path::Path;
use std::str::FromStr;

use url::Url;

use crate::error::IndexError;
use crate::safe_url::{mask_text, redact};

/// The base URL of a simple-API index (always ends with `/`); `file://` for a local mirror.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct IndexUrl(Url);

/// PyPI's simple API.
pub const PYPI_SIMPLE: &str = "https://pypi.org/simple/";

impl IndexUrl {
    /// PyPI (`https://pypi.org/simple/`).
    pub fn pypi() -> IndexUrl {
        IndexUrl(Url::parse(PYPI_SIMPLE).unwrap_or_else(|_| unreachable!("constant URL parses")))
    }

    /// An index at `url`; a trailing `/` is added when missing.
    pub fn from_url(mut url: Url) -> IndexUrl {
        if !url.path().ends_with('/') {
            let path = format!("{}/", url.path());
            url.set_path(&path);
        }
        IndexUrl(url)
    }

    /// The URL, ending with `/`.
    pub fn url(&self) -> &Url {
        &self.0
    }

    /// The URL with its secrets masked (see [`crate::SafeUrl`]), for messages.
    pub fn redacted(&self) -> String {
        redact(&self.0)
    }
}

impl fmt::Display for IndexUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.redacted())
    }
}

/// Parses a URL, or a local path (absolute or relative to the working directory) as `file://`.
fn url_or_path(text: &str) -> Result<Url, IndexError> {
    let invalid = |reason: &str| IndexError::InvalidUrl {
        url: mask_text(text),
        reason: reason.to_string(),
    };
    if text.is_empty() {
        return Err(invalid("empty"));
    }
    match Url::parse(text) {
        // A one-letter scheme is a Windows drive letter, not a URL.
        Ok(url) if url.scheme().len() > 1 => match url.scheme() {
            "http" | "https" | "file" => Ok(url),
            other => Err(invalid(&format!("unsupported scheme `{other}`"))),
        },
        // `scheme://...` that does not parse is a broken URL, not a relative path.
        Err(error) if text.contains("://") => Err(invalid(&error.to_string())),
        _ => {
            let path = Path::new(text);
            let absolute = if path.is_absolute() {
                path.to_path_buf()
            } else {
                std::env::current_dir()
                    .map_err(|error| invalid(&format!("cannot resolve a relative path: {error}")))?
                    .join(path)
            };
            Url::from_file_path(&absolute).map_err(|()| invalid("not a URL nor a usable path"))
        }
    }
}

impl FromStr for IndexUrl {
    type Err = IndexError;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        Ok(IndexUrl::from_url(url_or_path(text)?))
    }
}

/// A `--find-links` location: a local folder of distributions, or an HTML page of links.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct FindLinks(Url);

impl FindLinks {
    /// A find-links location at `url` (`file://` folder or page, or `http(s)://` page).
    pub fn from_url(url: Url) -> FindLinks {
        FindLinks(url)
    }

    /// The location.
    pub fn url(&self) -> &Url {
        &self.0
    }
}

impl FromStr for FindLinks {
    type Err = IndexError;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        url_or_path(text).map(FindLinks)
    }
}

impl fmt::Display for FindLinks {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&redact(&self.0))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn index_urls_end_with_a_slash_and_paths_become_file_urls() {
        let url: IndexUrl = "https://example.org/simple".parse().expect("valid");
        assert_eq!(url.url().as_str(), "https://example.org/simple/");
        let local: IndexUrl = "/tmp/mirror".parse().expect("valid");
        assert_eq!(local.url().as_str(), "file:///tmp/mirror/");
        assert!("ftp://example.org/".parse::<IndexUrl>().is_err());
        let broken = "https://T0KEN@example.org:99999/simple/".parse::<IndexUrl>();
        let message = broken
            .expect_err("an out-of-range port is no path")
            .to_string();
        assert!(message.contains("invalid port number"), "{message}");
        assert!(!message.contains("T0KEN"), "{message}");
        let secret: IndexUrl = "https://user:pw@example.org/simple/"
            .parse()
            .expect("valid");
        assert_eq!(secret.to_string(), "https://user:****@example.org/simple/");
    }
}
