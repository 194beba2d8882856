//! Fault injection rules: what goes wrong, for which paths, how many times.

use std::time::Duration;

/// One misbehaviour of the server.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FaultKind {
    /// Answer with this status (e.g. 500, 503) and an empty body.
    Status(u16),
    /// Sleep this long before answering (longer than the client's timeout to simulate a stall).
    Stall(Duration),
    /// Announce the full `Content-Length`, send half the body, then drop the connection.
    TruncatedBody,
    /// Send the body with one byte flipped (same length, wrong hash).
    CorruptBytes,
    /// Answer a project page with invalid JSON (served as PEP 691 JSON).
    MalformedJson,
    /// Ignore the `Range` header and send the whole file with `200 OK`.
    IgnoreRange,
    /// Answer `404 Not Found` (e.g. for `.metadata` files).
    NotFound,
}

/// Applies `kind` to requests whose path contains `path_contains`, `times` times (then behaves).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FaultRule {
    /// Substring of the request path that triggers the rule.
    pub path_contains: String,
    /// What goes wrong.
    pub kind: FaultKind,
    /// How many matching requests it affects (`usize::MAX` for always).
    pub times: usize,
}

impl FaultRule {
    /// A rule for `times` requests whose path contains `path_contains`.
    pub fn new(path_contains: impl Into<String>, kind: FaultKind, times: usize) -> FaultRule {
        FaultRule {
            path_contains: path_contains.into(),
            kind,
            times,
        }
    }
}
