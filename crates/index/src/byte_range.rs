//! One single-range GET, the way both readers of remote wheels ask for bytes (the METADATA
//! member for resolution, the compiled modules for scans): `bytes=-N` or `bytes=A-B`, with
//! the part accepted only on 206 and a `Content-Range` that matches the body.
//!
//! PyPI answers single ranges with 206; a multi-range request returns the whole file with
//! 200, so only single ranges are sent, and anything but a matching 206 is "no part" (the
//! caller falls back to the whole file or gives up).

use reqwest::StatusCode;
use reqwest::header::{self, HeaderMap, HeaderValue};
use url::Url;

use crate::error::IndexError;
use crate::http::Http;
use crate::safe_url::redact;

/// How many bytes at the end of a wheel the first request asks for: the end record, ZIP64
/// records and, for most wheels, the whole central directory.
pub(crate) const TAIL_SIZE: u64 = 64 * 1024;

/// Bytes asked for past a member's name to cover its local header's extra field (the local
/// header repeats the name and may carry a different extra field than the directory says).
pub(crate) const LOCAL_HEADER_SLACK: u64 = 1024;

/// The answer to one range request.
pub(crate) struct RangeAnswer {
    /// The HTTP status.
    pub status: StatusCode,
    /// `(body, first byte, total size)` when the server sent the part asked for.
    pub part: Option<(Vec<u8>, u64, u64)>,
}

impl Http {
    /// GETs `spec` (`-N` for the last N bytes, `A-B` inclusive) of `url`.
    pub(crate) async fn range_get(&self, url: &Url, spec: &str) -> Result<RangeAnswer, IndexError> {
        let mut headers = HeaderMap::new();
        let value = HeaderValue::from_str(&format!("bytes={spec}")).map_err(|error| {
            IndexError::InvalidUrl {
                url: redact(url),
                reason: error.to_string(),
            }
        })?;
        headers.insert(header::RANGE, value);
        let response = self.get(url, &headers, true).await?;
        if response.status != StatusCode::PARTIAL_CONTENT {
            tracing::debug!(
                "range request `{spec}` to `{}` answered HTTP {}",
                redact(url),
                response.status
            );
            return Ok(RangeAnswer {
                status: response.status,
                part: None,
            });
        }
        let part = match response.content_range() {
            Some((start, end, total))
                if end >= start && end - start + 1 == response.body.len() as u64 =>
            {
                Some((response.body, start, total))
            }
            _ => None,
        };
        Ok(RangeAnswer {
            status: response.status,
            part,
        })
    }
}
