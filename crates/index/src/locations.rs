//! Where packages come from: index URLs and find-links locations.

use std::fmt;
use std::path::Path;
use std::str::FromStr;

use url::Url;

use crate::error::IndexError;

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

    /// The URL with its secrets masked (see [`SafeUrl`]), for messages.
    pub fn redacted(&self) -> String {
        redact(&self.0)
    }
}

/// A URL for messages: see [`SafeUrl`].
pub(crate) fn redact(url: &Url) -> String {
    SafeUrl(url).to_string()
}

/// A URL as it may be shown: in messages, logs, output headers and file names. Its
/// `Display` masks every secret a URL can carry: the password, a user name given alone (how
/// token-based indexes take their token: `https://TOKEN@host/simple/`), and the values of
/// query parameters whose names say they are secret (`token`, `key`, `signature`, ...). A
/// user name beside a password stays (it names the account, not the secret).
#[derive(Debug, Clone, Copy)]
pub struct SafeUrl<'a>(pub &'a Url);

/// Query parameter names (lower case, `-` and `_` ignored) whose values are secrets.
const SECRET_PARAMETERS: [&str; 12] = [
    "token",
    "accesstoken",
    "authtoken",
    "apikey",
    "key",
    "secret",
    "password",
    "passwd",
    "signature",
    "sig",
    "xamzsignature",
    "xamzsecuritytoken",
];

impl SafeUrl<'_> {
    fn secret_parameter(name: &str) -> bool {
        let folded: String = name
            .chars()
            .filter(|c| *c != '-' && *c != '_')
            .flat_map(char::to_lowercase)
            .collect();
        SECRET_PARAMETERS.contains(&folded.as_str())
    }
}

impl fmt::Display for SafeUrl<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut url = self.0.clone();
        if url.password().is_some() {
            let _ = url.set_password(Some("****"));
        } else if !url.username().is_empty() {
            let _ = url.set_username("****");
        }
        if url.query().is_some() {
            let pairs: Vec<(String, String)> = url
                .query_pairs()
                .map(|(name, value)| {
                    let value = if SafeUrl::secret_parameter(&name) {
                        "****".to_string()
                    } else {
                        value.into_owned()
                    };
                    (name.into_owned(), value)
                })
                .collect();
            url.query_pairs_mut().clear().extend_pairs(pairs);
        }
        f.write_str(url.as_str())
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
        url: text.to_string(),
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
        let secret: IndexUrl = "https://user:pw@example.org/simple/"
            .parse()
            .expect("valid");
        assert_eq!(secret.to_string(), "https://user:****@example.org/simple/");
    }
}

#[cfg(test)]
mod safe_url_tests {
    use super::*;

    fn shown(text: &str) -> String {
        SafeUrl(&Url::parse(text).expect("valid URL")).to_string()
    }

    #[test]
    fn every_secret_a_url_carries_is_masked() {
        assert_eq!(
            shown("https://user:pa55@host/simple/"),
            "https://user:****@host/simple/"
        );
        assert_eq!(
            shown("https://T0KEN@host/simple/"),
            "https://****@host/simple/"
        );
        assert_eq!(
            shown("https://host/simple/?token=T0KEN&page=2&X-Amz-Signature=abc"),
            "https://host/simple/?token=****&page=2&X-Amz-Signature=****"
        );
        assert_eq!(
            shown("https://host/simple/?api_key=k"),
            "https://host/simple/?api_key=****"
        );
        assert_eq!(
            shown("https://pypi.org/simple/"),
            "https://pypi.org/simple/"
        );
    }
}
