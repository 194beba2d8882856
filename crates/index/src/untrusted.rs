//! Entry points into the parsers of untrusted bytes, for property tests and fuzzers only.
//!
//! Each one runs a parser the client uses on bytes from the network and reports whether
//! it accepted them; none may panic, hang or allocate without bound on any input. These
//! are not an API: the client calls the parsers itself.

use url::Url;

/// The PEP 691 JSON project page parser: `true` when it accepts `body`.
pub fn simple_json(body: &[u8]) -> bool {
    crate::page_json::parse(body).is_ok()
}

/// The PEP 503 HTML project page parser (links resolved against `page_url`).
pub fn simple_html(text: &str, page_url: &Url) -> bool {
    crate::page_html::parse(text, page_url).is_ok()
}

/// The ZIP end-record and central-directory reader over the last bytes of an archive that
/// starts at `tail_offset`, then the central directory itself when it lies inside `tail`.
pub fn zip_tail(tail: &[u8], tail_offset: u64) -> bool {
    let Ok(directory) = crate::zip_archive::find_directory(tail, tail_offset) else {
        return false;
    };
    let start = directory.offset.checked_sub(tail_offset);
    let slice = start.and_then(|start| {
        let start = usize::try_from(start).ok()?;
        let end = start.checked_add(usize::try_from(directory.size).ok()?)?;
        tail.get(start..end)
    });
    slice.is_some_and(|bytes| crate::zip_archive::entries(bytes).is_ok())
}

/// Every member of a whole archive, read and inflated as the client would.
pub fn zip_archive(archive: &[u8]) -> bool {
    let Ok(entries) = crate::zip_archive::archive_entries(archive) else {
        return false;
    };
    entries
        .iter()
        .all(|entry| crate::zip_archive::read_member(archive, entry).is_ok())
}
