//! URLs that cannot print their secrets.
//!
//! Every URL this crate puts in an error, a log line or a file name goes through here. A
//! [`SafeUrl`] holds the real URL (requests need it) but its `Display` and `Debug` show it
//! masked, so an error that stores one cannot leak a token however it is printed.

use std::fmt;

use url::Url;

/// A URL as it may be shown: in messages, logs, output headers and file names. Its
/// `Display` (and `Debug`) masks every secret a URL can carry: the password, a user name
/// given alone (how token-based indexes take their token: `https://TOKEN@host/simple/`), and
/// the values of query parameters whose names say they are secret (`token`, `key`,
/// `signature`, ...). A user name beside a password stays (it names the account, not the
/// secret).
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct SafeUrl(Box<Url>);

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

/// What replaces a secret.
const MASK: &str = "****";

impl SafeUrl {
    /// Wraps `url`.
    pub fn new(url: Url) -> SafeUrl {
        SafeUrl(Box::new(url))
    }

    /// The real URL, secrets included: for making requests, never for showing.
    pub fn expose(&self) -> &Url {
        &self.0
    }

    /// The URL as it may be shown.
    pub fn masked(url: &Url) -> String {
        let mut url = url.clone();
        if url.password().is_some() {
            let _ = url.set_password(Some(MASK));
        } else if !url.username().is_empty() {
            let _ = url.set_username(MASK);
        }
        if url.query().is_some() {
            let pairs: Vec<(String, String)> = url
                .query_pairs()
                .map(|(name, value)| {
                    let value = if secret_parameter(&name) {
                        MASK.to_string()
                    } else {
                        value.into_owned()
                    };
                    (name.into_owned(), value)
                })
                .collect();
            url.query_pairs_mut().clear().extend_pairs(pairs);
        }
        url.into()
    }
}

impl From<Url> for SafeUrl {
    fn from(url: Url) -> SafeUrl {
        SafeUrl::new(url)
    }
}

impl fmt::Display for SafeUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&SafeUrl::masked(&self.0))
    }
}

impl fmt::Debug for SafeUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "SafeUrl({self})")
    }
}

fn secret_parameter(name: &str) -> bool {
    let folded: String = name
        .chars()
        .filter(|c| *c != '-' && *c != '_')
        .flat_map(char::to_lowercase)
        .collect();
    SECRET_PARAMETERS.contains(&folded.as_str())
}

/// A URL for messages: see [`SafeUrl`].
pub(crate) fn redact(url: &Url) -> String {
    SafeUrl::masked(url)
}

/// Text that may hold a URL, as it may be shown: a URL is masked as [`SafeUrl`] masks it; text
/// that does not parse as one (an invalid `--index-url`) loses whatever sits between `://` and
/// an `@`, where a login would be.
pub fn mask_text(text: &str) -> String {
    if let Ok(url) = Url::parse(text) {
        return SafeUrl::masked(&url);
    }
    match text.split_once("://") {
        Some((scheme, rest)) => {
            let authority_end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
            match rest[..authority_end].rfind('@') {
                Some(at) => format!("{scheme}://{MASK}{}", &rest[at..]),
                None => text.to_string(),
            }
        }
        None => text.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shown(text: &str) -> String {
        SafeUrl::new(Url::parse(text).expect("valid URL")).to_string()
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

    #[test]
    fn debug_masks_too() {
        let url = SafeUrl::new(Url::parse("https://T0KEN@host/simple/").expect("valid"));
        assert!(!format!("{url:?}").contains("T0KEN"));
    }

    #[test]
    fn text_that_is_not_a_url_loses_its_login() {
        assert_eq!(
            mask_text("https://T0KEN@host:99999/simple/"),
            "https://****@host:99999/simple/"
        );
        assert_eq!(mask_text("./mirror/simple"), "./mirror/simple");
        assert_eq!(
            mask_text("https://u:p@h/simple/"),
            "https://u:****@h/simple/"
        );
    }
}
