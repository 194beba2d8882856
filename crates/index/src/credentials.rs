//! Credentials for private indexes, and where they may be sent.
//!
//! They come from the userinfo of `--index-url` / `--extra-index-url` (the uv and pip way)
//! and from a `.netrc` file (`NETRC`, else `~/.netrc`). Each is tied to one origin (scheme,
//! host, port): a request to that origin without its own userinfo gets them as HTTP Basic
//! auth, a request anywhere else never does. (reqwest drops the `Authorization` header when a
//! redirect leaves the origin.) They are never written anywhere: messages use `redact`.

use url::Url;

/// A URL's origin: scheme, host and port (the scheme's default when implicit).
type Origin = (String, String, Option<u16>);

fn origin(url: &Url) -> Option<Origin> {
    Some((
        url.scheme().to_string(),
        url.host_str()?.to_ascii_lowercase(),
        url.port_or_known_default(),
    ))
}

/// A username and optional password.
#[derive(Clone, PartialEq, Eq)]
pub(crate) struct Login {
    pub(crate) username: String,
    pub(crate) password: Option<String>,
}

impl std::fmt::Debug for Login {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Login(****)")
    }
}

/// Logins by origin; the first one given for an origin wins.
#[derive(Debug, Default)]
pub(crate) struct Credentials {
    by_origin: Vec<(Origin, Login)>,
    /// `.netrc` logins by host name, read once.
    netrc: Vec<(Option<String>, Login)>,
}

impl Credentials {
    /// Logins from the userinfo of `urls`, then from the `netrc` file (when given) as a
    /// fallback by host.
    pub(crate) fn new<'a>(
        urls: impl IntoIterator<Item = &'a Url>,
        netrc: Option<&std::path::Path>,
    ) -> Credentials {
        let mut credentials = Credentials::default();
        for url in urls {
            if url.username().is_empty() {
                continue;
            }
            let Some(origin) = origin(url) else { continue };
            if credentials
                .by_origin
                .iter()
                .any(|(known, _)| *known == origin)
            {
                continue;
            }
            let decode = |text: &str| {
                percent_encoding::percent_decode_str(text)
                    .decode_utf8_lossy()
                    .into_owned()
            };
            credentials.by_origin.push((
                origin,
                Login {
                    username: decode(url.username()),
                    password: url.password().map(decode),
                },
            ));
        }
        if let Some(text) = netrc.and_then(|path| std::fs::read_to_string(path).ok()) {
            credentials.netrc = parse_netrc(&text);
        }
        credentials
    }

    /// The login to send with a request to `url`: none when the URL carries its own
    /// userinfo (reqwest sends that) or when no login belongs to its origin.
    pub(crate) fn for_url(&self, url: &Url) -> Option<&Login> {
        if !url.username().is_empty() || url.scheme() == "file" {
            return None;
        }
        let origin = origin(url)?;
        if let Some((_, login)) = self.by_origin.iter().find(|(known, _)| *known == origin) {
            return Some(login);
        }
        // `.netrc` is by host name only, and only over HTTPS (a password is never sent in
        // the clear because a file said so).
        if url.scheme() != "https" {
            return None;
        }
        self.netrc
            .iter()
            .find(|(host, _)| host.as_deref() == Some(origin.1.as_str()))
            .or_else(|| self.netrc.iter().find(|(host, _)| host.is_none()))
            .map(|(_, login)| login)
    }
}

/// `machine HOST login USER password PASS` entries (and `default`), `macdef` bodies skipped.
fn parse_netrc(text: &str) -> Vec<(Option<String>, Login)> {
    let mut entries = Vec::new();
    let mut tokens = text.split_whitespace();
    let mut current: Option<(Option<String>, Login)> = None;
    while let Some(token) = tokens.next() {
        match token {
            "machine" | "default" => {
                entries.extend(current.take());
                let host = if token == "machine" {
                    tokens.next().map(str::to_ascii_lowercase)
                } else {
                    None
                };
                current = Some((
                    host,
                    Login {
                        username: String::new(),
                        password: None,
                    },
                ));
            }
            "login" => {
                if let (Some((_, login)), Some(value)) = (current.as_mut(), tokens.next()) {
                    login.username = value.to_string();
                }
            }
            "password" => {
                if let (Some((_, login)), Some(value)) = (current.as_mut(), tokens.next()) {
                    login.password = Some(value.to_string());
                }
            }
            "account" => {
                tokens.next();
            }
            "macdef" => {
                // A macro runs to the next blank line; whitespace splitting loses that, so a
                // file with macros ends its useful part here.
                break;
            }
            _ => {}
        }
    }
    entries.extend(current);
    entries.retain(|(_, login)| !login.username.is_empty());
    entries
}

#[cfg(test)]
mod tests {
    use super::*;

    fn url(text: &str) -> Url {
        Url::parse(text).unwrap()
    }

    #[test]
    fn userinfo_belongs_to_its_origin_only() {
        let credentials =
            Credentials::new([&url("https://me:p%40ss@private.example/simple/")], None);
        let login = credentials
            .for_url(&url("https://private.example/files/x.whl"))
            .unwrap();
        assert_eq!(login.username, "me");
        assert_eq!(login.password.as_deref(), Some("p@ss"));
        assert!(
            credentials
                .for_url(&url("https://files.example/x.whl"))
                .is_none()
        );
        assert!(
            credentials
                .for_url(&url("http://private.example/x.whl"))
                .is_none()
        );
        assert!(
            credentials
                .for_url(&url("https://private.example:8443/x.whl"))
                .is_none()
        );
        assert_eq!(format!("{login:?}"), "Login(****)");
    }

    #[test]
    fn netrc_entries_are_read_by_host_with_a_default() {
        let entries = parse_netrc(
            "machine Private.Example login me password s3cret\ndefault login anon password x\nmacdef init\nignored",
        );
        assert_eq!(entries.len(), 2);
        assert_eq!(entries[0].0.as_deref(), Some("private.example"));
        assert_eq!(entries[0].1.password.as_deref(), Some("s3cret"));
        assert_eq!(entries[1].0, None);
    }
}
