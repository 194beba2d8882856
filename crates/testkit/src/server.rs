//! The loopback server: its own thread and tokio runtime, shared state for records and faults.

use std::collections::hash_map::DefaultHasher;
use std::hash::{Hash, Hasher};
use std::net::SocketAddr;
use std::path::{Component, Path, PathBuf};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::thread::JoinHandle;

use axum::Router;
use axum::body::Body;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, Uri, header};
use axum::response::Response;

use crate::faults::{Draws, FaultKind, FaultRule, RandomFaults};
use crate::ranges::{RangeAnswer, answer};

/// Which page formats the server offers.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Flavor {
    /// PEP 691 JSON when the client's `Accept` asks for it, else HTML (like PyPI).
    #[default]
    Json,
    /// HTML pages only (a PEP 503-only server).
    Html,
}

/// How the server behaves.
#[derive(Debug, Clone, Default)]
pub struct ServerOptions {
    /// Page formats offered.
    pub flavor: Flavor,
    /// Faults to inject, checked in order; the first live matching rule applies.
    pub faults: Vec<FaultRule>,
    /// `Cache-Control: max-age` sent on project pages (`None`: `max-age=0, must-revalidate`).
    pub max_age: Option<u64>,
    /// Faults drawn at random for requests no rule matches (the soak test).
    pub random_faults: Option<RandomFaults>,
    /// When set, every request must carry this exact `Authorization` header value (e.g.
    /// `Basic dXNlcjpzM2NyZXQ=`), else it is answered `401` (a private index).
    pub authorization: Option<String>,
}

/// One request as the server saw it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequestRecord {
    /// `GET`, `HEAD`, …
    pub method: String,
    /// The request path (no query).
    pub path: String,
    /// The `Range` header, if any.
    pub range: Option<String>,
    /// The `Authorization` header, if any.
    pub authorization: Option<String>,
    /// The status answered.
    pub status: u16,
}

struct Shared {
    root: PathBuf,
    options: ServerOptions,
    /// Remaining uses of each fault rule.
    remaining: Mutex<Vec<usize>>,
    /// The random fault draws, when enabled.
    draws: Mutex<Draws>,
    records: Mutex<Vec<RequestRecord>>,
}

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

/// A snapshot folder served on `127.0.0.1:<port>` until dropped.
pub struct FixtureServer {
    address: SocketAddr,
    shared: Arc<Shared>,
    shutdown: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<JoinHandle<()>>,
}

impl std::fmt::Debug for FixtureServer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FixtureServer")
            .field("address", &self.address)
            .finish()
    }
}

impl FixtureServer {
    /// Serves `root` on an ephemeral loopback port. Panics if the port cannot be bound (tests only).
    pub fn start(root: impl Into<PathBuf>, options: ServerOptions) -> FixtureServer {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind a loopback port");
        listener
            .set_nonblocking(true)
            .expect("non-blocking listener");
        let address = listener.local_addr().expect("local address");
        let shared = Arc::new(Shared {
            root: root.into(),
            remaining: Mutex::new(options.faults.iter().map(|rule| rule.times).collect()),
            draws: Mutex::new(Draws::new(
                options
                    .random_faults
                    .as_ref()
                    .map_or(0, |faults| faults.seed),
            )),
            options,
            records: Mutex::new(Vec::new()),
        });
        let (shutdown, stop) = tokio::sync::oneshot::channel::<()>();
        let state = shared.clone();
        let thread = std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_multi_thread()
                .worker_threads(2)
                .enable_all()
                .build()
                .expect("server runtime");
            runtime.block_on(async move {
                let listener = tokio::net::TcpListener::from_std(listener).expect("tokio listener");
                let app = Router::new().fallback(handle).with_state(state);
                tokio::select! {
                    _ = axum::serve(listener, app) => {}
                    _ = stop => {}
                }
            });
            // Dropping the runtime cancels stalled responses.
            runtime.shutdown_background();
        });
        FixtureServer {
            address,
            shared,
            shutdown: Some(shutdown),
            thread: Some(thread),
        }
    }

    /// `http://127.0.0.1:<port>/`.
    pub fn url(&self) -> String {
        format!("http://{}/", self.address)
    }

    /// `http://127.0.0.1:<port>/simple/`.
    pub fn index_url(&self) -> String {
        format!("{}simple/", self.url())
    }

    /// Every request so far, in arrival order.
    pub fn requests(&self) -> Vec<RequestRecord> {
        lock(&self.shared.records).clone()
    }

    /// Forgets the recorded requests.
    pub fn clear_requests(&self) {
        lock(&self.shared.records).clear();
    }
}

impl Drop for FixtureServer {
    fn drop(&mut self) {
        if let Some(shutdown) = self.shutdown.take() {
            let _ = shutdown.send(());
        }
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

/// The live fault for `path`, consuming one use.
fn take_fault(shared: &Shared, path: &str) -> Option<FaultKind> {
    let mut remaining = lock(&shared.remaining);
    for (index, rule) in shared.options.faults.iter().enumerate() {
        if path.contains(&rule.path_contains) && remaining[index] > 0 {
            remaining[index] -= 1;
            return Some(rule.kind.clone());
        }
    }
    let faults = shared.options.random_faults.as_ref()?;
    let fault = lock(&shared.draws).draw(faults)?;
    // Pages carry no checksum in PEP 503/691 (TLS guards them in transit), so a flipped byte
    // there models a lying index rather than a faulty network: files only.
    (fault != FaultKind::CorruptBytes || !path.starts_with("/simple")).then_some(fault)
}

/// PEP 503 normalisation.
pub(crate) fn normalize(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    let mut dash = false;
    for character in name.chars() {
        if matches!(character, '-' | '_' | '.') {
            dash = true;
        } else {
            if dash && !out.is_empty() {
                out.push('-');
            }
            dash = false;
            out.push(character.to_ascii_lowercase());
        }
    }
    out
}

fn plain(status: StatusCode) -> Response {
    let mut response = Response::new(Body::empty());
    *response.status_mut() = status;
    response
}

fn etag_of(bytes: &[u8]) -> String {
    let mut hasher = DefaultHasher::new();
    bytes.hash(&mut hasher);
    format!("\"{:016x}\"", hasher.finish())
}

/// A path under the root, refusing `..` and absolute components.
fn safe_join(root: &Path, relative: &str) -> Option<PathBuf> {
    let relative = Path::new(relative);
    relative
        .components()
        .all(|component| matches!(component, Component::Normal(_)))
        .then(|| root.join(relative))
}

async fn handle(
    State(shared): State<Arc<Shared>>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
) -> Response {
    let path = uri.path().to_string();
    let range = headers
        .get(header::RANGE)
        .and_then(|value| value.to_str().ok())
        .map(str::to_string);
    let authorization = headers
        .get(header::AUTHORIZATION)
        .and_then(|value| value.to_str().ok())
        .map(str::to_string);
    let allowed = shared
        .options
        .authorization
        .as_ref()
        .is_none_or(|expected| authorization.as_ref() == Some(expected));
    let response = if allowed {
        respond(&shared, &path, &headers).await
    } else {
        plain(StatusCode::UNAUTHORIZED)
    };
    lock(&shared.records).push(RequestRecord {
        method: method.to_string(),
        path,
        range,
        authorization,
        status: response.status().as_u16(),
    });
    response
}

async fn respond(shared: &Shared, path: &str, headers: &HeaderMap) -> Response {
    let fault = take_fault(shared, path);
    match &fault {
        Some(FaultKind::Status(code)) => {
            return plain(StatusCode::from_u16(*code).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR));
        }
        Some(FaultKind::NotFound) => return plain(StatusCode::NOT_FOUND),
        Some(FaultKind::RedirectTo(base)) => {
            let mut response = plain(StatusCode::FOUND);
            let target = format!("{}{path}", base.trim_end_matches('/'));
            if let Ok(location) = HeaderValue::from_str(&target) {
                response.headers_mut().insert(header::LOCATION, location);
            }
            return response;
        }
        Some(FaultKind::Stall(duration)) => tokio::time::sleep(*duration).await,
        _ => {}
    }
    let relative = path.trim_start_matches('/');
    let (file, content_type, is_page) = if relative == "simple" || relative == "simple/" {
        (
            shared.root.join("simple").join("index.html"),
            "text/html",
            true,
        )
    } else if let Some(project) = relative.strip_prefix("simple/") {
        let name = project.trim_end_matches('/');
        if name.contains('/') {
            return plain(StatusCode::NOT_FOUND);
        }
        let normalized = normalize(name);
        if normalized != name || !project.ends_with('/') {
            let mut response = plain(StatusCode::MOVED_PERMANENTLY);
            if let Ok(location) = HeaderValue::from_str(&format!("/simple/{normalized}/")) {
                response.headers_mut().insert(header::LOCATION, location);
            }
            return response;
        }
        let folder = shared.root.join("simple").join(&normalized);
        let accept = headers
            .get(header::ACCEPT)
            .and_then(|value| value.to_str().ok())
            .unwrap_or("");
        let wants_json = shared.options.flavor == Flavor::Json
            && accept.contains("application/vnd.pypi.simple.v1+json");
        if wants_json && folder.join("index.json").is_file() {
            (
                folder.join("index.json"),
                "application/vnd.pypi.simple.v1+json",
                true,
            )
        } else {
            (folder.join("index.html"), "text/html", true)
        }
    } else {
        match safe_join(&shared.root, relative) {
            Some(file) => (file, "application/octet-stream", false),
            None => return plain(StatusCode::NOT_FOUND),
        }
    };
    let Ok(mut body) = tokio::fs::read(&file).await else {
        return plain(StatusCode::NOT_FOUND);
    };
    let mut content_type = content_type;
    if fault == Some(FaultKind::MalformedJson) {
        body = b"{\"meta\": {\"api-version\": \"1.1\"}, \"files\": [{\"filename\": ".to_vec();
        content_type = "application/vnd.pypi.simple.v1+json";
    }
    let middle = body.len() / 2;
    if fault == Some(FaultKind::CorruptBytes)
        && let Some(byte) = body.get_mut(middle)
    {
        *byte ^= 0xff;
    }
    let etag = etag_of(&body);
    let mut response_headers = HeaderMap::new();
    if let Ok(value) = HeaderValue::from_str(content_type) {
        response_headers.insert(header::CONTENT_TYPE, value);
    }
    if let Ok(value) = HeaderValue::from_str(&etag) {
        response_headers.insert(header::ETAG, value);
    }
    if is_page {
        let cache_control = match shared.options.max_age {
            Some(seconds) => format!("max-age={seconds}, public"),
            None => "max-age=0, must-revalidate".to_string(),
        };
        if let Ok(value) = HeaderValue::from_str(&cache_control) {
            response_headers.insert(header::CACHE_CONTROL, value);
        }
        let matches = headers
            .get(header::IF_NONE_MATCH)
            .and_then(|value| value.to_str().ok())
            .is_some_and(|value| value.split(',').any(|tag| tag.trim() == etag));
        if matches {
            let mut response = plain(StatusCode::NOT_MODIFIED);
            *response.headers_mut() = response_headers;
            return response;
        }
    } else {
        response_headers.insert(header::ACCEPT_RANGES, HeaderValue::from_static("bytes"));
    }
    let len = body.len() as u64;
    let range = headers
        .get(header::RANGE)
        .and_then(|value| value.to_str().ok());
    let (status, body) = match if is_page || fault == Some(FaultKind::IgnoreRange) {
        RangeAnswer::Whole
    } else {
        answer(range, len)
    } {
        RangeAnswer::Whole => (StatusCode::OK, body),
        RangeAnswer::Unsatisfiable => {
            if let Ok(value) = HeaderValue::from_str(&format!("bytes */{len}")) {
                response_headers.insert(header::CONTENT_RANGE, value);
            }
            (StatusCode::RANGE_NOT_SATISFIABLE, Vec::new())
        }
        RangeAnswer::Partial { start, end } => {
            if let Ok(value) = HeaderValue::from_str(&format!("bytes {start}-{end}/{len}")) {
                response_headers.insert(header::CONTENT_RANGE, value);
            }
            let slice = body
                .get(start as usize..=end as usize)
                .map(<[u8]>::to_vec)
                .unwrap_or_default();
            (StatusCode::PARTIAL_CONTENT, slice)
        }
    };
    if let Ok(value) = HeaderValue::from_str(&body.len().to_string()) {
        response_headers.insert(header::CONTENT_LENGTH, value);
    }
    let body = if fault == Some(FaultKind::TruncatedBody) {
        // Half the bytes, then an error: the connection is dropped mid-body.
        let half = body[..body.len() / 2].to_vec();
        let chunks: Vec<Result<Vec<u8>, std::io::Error>> =
            vec![Ok(half), Err(std::io::Error::other("injected truncation"))];
        Body::from_stream(futures::stream::iter(chunks))
    } else {
        Body::from(body)
    };
    let mut response = Response::new(body);
    *response.status_mut() = status;
    *response.headers_mut() = response_headers;
    response
}

#[cfg(test)]
mod tests {
    use super::normalize;

    #[test]
    fn normalizes_like_pep_503() {
        assert_eq!(normalize("Foo.Bar__baz"), "foo-bar-baz");
        assert_eq!(normalize("numpy"), "numpy");
    }
}
