//! The one HTTP client: bounded concurrency, retries with backoff and jitter, byte counting.

use std::sync::Arc;
use std::time::Duration;

use reqwest::StatusCode;
use reqwest::header::{self, HeaderMap, HeaderValue};
use tokio::sync::Semaphore;
use url::Url;

use crate::credentials::Credentials;
use crate::error::IndexError;
use crate::locations::IndexUrl;
use crate::options::ClientOptions;
use crate::safe_url::{SafeUrl, redact};
use crate::stats::{Counters, bump};

/// A response with its whole body.
#[derive(Debug)]
pub(crate) struct Fetched {
    /// The status code.
    pub status: StatusCode,
    /// The URL after redirects.
    pub url: Url,
    /// The response headers.
    pub headers: HeaderMap,
    /// The body; empty when a range request was answered with the whole file (not read).
    pub body: Vec<u8>,
}

impl Fetched {
    /// A header as text.
    pub fn header(&self, name: header::HeaderName) -> Option<&str> {
        self.headers.get(name).and_then(|value| value.to_str().ok())
    }

    /// `Content-Range: bytes <start>-<end>/<total>` as numbers, when present and well formed.
    pub fn content_range(&self) -> Option<(u64, u64, u64)> {
        let (span, total) = self
            .header(header::CONTENT_RANGE)?
            .strip_prefix("bytes ")?
            .split_once('/')?;
        let (start, end) = span.split_once('-')?;
        Some((
            start.trim().parse().ok()?,
            end.trim().parse().ok()?,
            total.trim().parse().ok()?,
        ))
    }
}

/// The shared HTTP client.
#[derive(Debug)]
pub(crate) struct Http {
    /// Built on the first request: loading the system's trust store costs milliseconds that
    /// a run answered from the cache (`--offline`, fresh pages) never needs to spend.
    client: tokio::sync::OnceCell<reqwest::Client>,
    timeout: Duration,
    permits: Semaphore,
    retries: u32,
    counters: Arc<Counters>,
    /// Logins for private indexes, each sent only to its own origin.
    credentials: Credentials,
    /// Hosts allowed over plain HTTP besides loopback.
    insecure_hosts: Arc<Vec<String>>,
}

/// Whether `url` may be fetched: HTTPS and `file://` always; plain HTTP to loopback (as pip's
/// secure origins) or to a host named by `--allow-insecure-host`.
fn transport_allowed(url: &Url, insecure_hosts: &[String]) -> bool {
    if url.scheme() != "http" {
        return true;
    }
    match url.host() {
        Some(url::Host::Ipv4(ip)) if ip.is_loopback() => true,
        Some(url::Host::Ipv6(ip)) if ip.is_loopback() => true,
        Some(url::Host::Domain(name)) => {
            name.eq_ignore_ascii_case("localhost")
                || insecure_hosts
                    .iter()
                    .any(|host| host.eq_ignore_ascii_case(name))
        }
        Some(host) => insecure_hosts
            .iter()
            .any(|allowed| *allowed == host.to_string()),
        None => false,
    }
}

/// Why one attempt failed, and whether trying again may help.
enum Attempt {
    Done(Fetched),
    Transient(IndexError),
    Failed(IndexError),
}

/// The most bytes one response may carry after decompression: the largest wheels read whole
/// fit; a compression bomb or a runaway server stops here with an error naming the URL.
const MAX_BODY: u64 = 1 << 30;

impl Http {
    pub fn new(options: &ClientOptions, counters: Arc<Counters>) -> Http {
        for host in &options.allow_insecure_hosts {
            tracing::warn!(
                "plain HTTP allowed to `{host}` (--allow-insecure-host): packages and credentials sent to it travel unencrypted"
            );
        }
        Http {
            client: tokio::sync::OnceCell::new(),
            timeout: options.timeout,
            permits: Semaphore::new(options.max_concurrency.max(1)),
            retries: options.retries,
            counters,
            insecure_hosts: Arc::new(options.allow_insecure_hosts.clone()),
            credentials: Credentials::new(
                options
                    .index_url
                    .iter()
                    .chain(&options.extra_index_urls)
                    .map(IndexUrl::url),
                options.netrc.as_deref(),
            ),
        }
    }

    /// The reqwest client, built once; a failure to build it is returned to every caller.
    async fn client(&self) -> Result<&reqwest::Client, IndexError> {
        self.client
            .get_or_try_init(|| async {
                reqwest::Client::builder()
                    .user_agent(concat!("npsolve/", env!("CARGO_PKG_VERSION")))
                    .connect_timeout(self.timeout)
                    .read_timeout(self.timeout)
                    .redirect({
                        let insecure_hosts = Arc::clone(&self.insecure_hosts);
                        reqwest::redirect::Policy::custom(move |attempt| {
                            if attempt.previous().len() >= 5 {
                                attempt.error("more than 5 redirects")
                            } else if !transport_allowed(attempt.url(), &insecure_hosts) {
                                attempt.error("a redirect to plain HTTP (not allowed by --allow-insecure-host)")
                            } else {
                                attempt.follow()
                            }
                        })
                    })
                    .build()
                    .map_err(IndexError::ClientSetup)
            })
            .await
    }

    /// GETs `url`, retrying transient failures (connect errors, timeouts, 5xx, 429, truncated bodies).
    ///
    /// With `range`, a `200 OK` means the server ignored the `Range` header: the body is not read
    /// (the connection is dropped) and an empty body is returned with status 200.
    pub async fn get(
        &self,
        url: &Url,
        headers: &HeaderMap,
        range: bool,
    ) -> Result<Fetched, IndexError> {
        let client = self.client().await?;
        let mut attempt = 0;
        loop {
            attempt += 1;
            match self.attempt(client, url, headers, range, attempt).await {
                Attempt::Done(fetched) => return Ok(fetched),
                Attempt::Transient(error) if attempt <= self.retries => {
                    bump(&self.counters.retries);
                    let delay = backoff(attempt);
                    tracing::debug!("retrying `{}` in {delay:?}: {error}", redact(url));
                    tokio::time::sleep(delay).await;
                }
                Attempt::Transient(error) | Attempt::Failed(error) => return Err(error),
            }
        }
    }

    async fn attempt(
        &self,
        client: &reqwest::Client,
        url: &Url,
        headers: &HeaderMap,
        range: bool,
        attempts: u32,
    ) -> Attempt {
        let transport = |source: reqwest::Error| {
            Attempt::Transient(IndexError::Transport {
                url: SafeUrl::new(url.clone()),
                attempts,
                // reqwest's message repeats the URL, userinfo included: keep only ours.
                source: source.without_url(),
            })
        };
        if !transport_allowed(url, &self.insecure_hosts) {
            return Attempt::Failed(IndexError::Insecure {
                url: SafeUrl::new(url.clone()),
                host: url.host_str().unwrap_or_default().to_string(),
            });
        }
        let _permit = self.permits.acquire().await;
        bump(&self.counters.requests);
        tracing::debug!("GET {}", redact(url));
        let mut request = client.get(url.clone()).headers(headers.clone());
        if let Some(login) = self.credentials.for_url(url) {
            request = request.basic_auth(&login.username, login.password.as_deref());
        }
        if range {
            request = request.header(
                header::ACCEPT_ENCODING,
                HeaderValue::from_static("identity"),
            );
        }
        let response = match request.send().await {
            Ok(response) => response,
            Err(error) => return transport(error),
        };
        let status = response.status();
        let final_url = response.url().clone();
        let response_headers = response.headers().clone();
        if status.is_server_error() || status == StatusCode::TOO_MANY_REQUESTS {
            return Attempt::Transient(IndexError::Status {
                url: SafeUrl::new(url.clone()),
                status: status.as_u16(),
                attempts,
            });
        }
        if range && status == StatusCode::OK {
            // The whole file is coming: drop the response to abort the body.
            drop(response);
            return Attempt::Done(Fetched {
                status,
                url: final_url,
                headers: response_headers,
                body: Vec::new(),
            });
        }
        let expected = response.content_length();
        let too_large = || {
            Attempt::Failed(IndexError::TooLarge {
                url: SafeUrl::new(url.clone()),
                limit: MAX_BODY,
            })
        };
        if expected.is_some_and(|length| length > MAX_BODY) {
            return too_large();
        }
        let mut response = response;
        let mut body =
            Vec::with_capacity(usize::try_from(expected.unwrap_or(0).min(64 << 20)).unwrap_or(0));
        loop {
            match response.chunk().await {
                Ok(Some(chunk)) => {
                    if (body.len() + chunk.len()) as u64 > MAX_BODY {
                        return too_large();
                    }
                    body.extend_from_slice(&chunk);
                }
                Ok(None) => break,
                Err(error) => return transport(error),
            }
        }
        self.counters
            .bytes_downloaded
            .fetch_add(body.len() as u64, std::sync::atomic::Ordering::Relaxed);
        let encoded = response_headers.contains_key(header::CONTENT_ENCODING);
        if let Some(expected) =
            expected.filter(|&expected| !encoded && expected != body.len() as u64)
        {
            return Attempt::Transient(IndexError::Truncated {
                url: SafeUrl::new(url.clone()),
                expected,
                received: body.len() as u64,
                attempts,
            });
        }
        Attempt::Done(Fetched {
            status,
            url: final_url,
            headers: response_headers,
            body,
        })
    }
}

/// Exponential backoff (200 ms, 400 ms, … capped at 5 s) with up to 50% jitter.
fn backoff(attempt: u32) -> Duration {
    let base = 200u64
        .saturating_mul(1 << attempt.saturating_sub(1).min(5))
        .min(5_000);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|elapsed| u64::from(elapsed.subsec_nanos()))
        .unwrap_or(0);
    Duration::from_millis(base + nanos % (base / 2 + 1))
}
