//! Entry points into the parsers of untrusted bytes, for property tests and fuzzers only.
//!
//! Each one runs a parser the client uses on bytes from the network and reports whether
//! it accepted them; none may panic, hang or allocate without bound on any input. These
//! are not an API: the client calls the parsers itself.

use url::Url;

/// The PEP 691 JSON project page parser: `true` when it accepts `body`.
pub fn simple_json(body: &[u8]) -> bool {
    crate::page::json::parse(body).is_ok()
}

/// The PEP 503 HTML project page parser (links resolved against `page_url`).
pub fn simple_html(text: &str, page_url: &Url) -> bool {
    crate::page::html::parse(text, page_url).is_ok()
}

/// The compact page cache form of the PEP 691 JSON page `body` of project `x` (the page
/// body and the length of its index), for building valid inputs to damage.
pub fn compact_page_of(body: &[u8]) -> Option<(Vec<u8>, usize)> {
    let name = pep508_rs::PackageName::new("x".to_string()).ok()?;
    let page_url = Url::parse("https://index.example/simple/x/").ok()?;
    let files =
        crate::page::parse_project_page(body, crate::page::JSON_MEDIA_TYPE, &page_url, &name)
            .ok()?;
    crate::page::compact::encode(&name, &files).ok()
}

/// The compact page reader over a page of project `x` whose first `index` bytes are its
/// index (as the cache hands it over once the index's CRC-32 passed), then every release
/// and every field of every file, with and without an `--exclude-newer` cutoff: `true` when
/// all of it reads.
pub fn compact_page(body: &[u8], index: usize) -> bool {
    let Ok(name) = pep508_rs::PackageName::new("x".to_string()) else {
        return false;
    };
    let cutoff = jiff::Timestamp::from_second(1_700_000_000).ok();
    [None, cutoff].into_iter().all(|cutoff| {
        let reader = crate::cache::BodyReader::memory(body.to_vec());
        let Ok((segment, _)) = crate::page::compact::Segment::read(reader, index, &name, cutoff)
        else {
            return false;
        };
        let listing = crate::listing::ProjectListing::new(crate::IndexUrl::pypi(), vec![segment]);
        (0..listing.releases().len()).all(|release| {
            listing.release_files(release).is_ok_and(|files| {
                files.iter().all(|(_, file)| {
                    let _ = (
                        file.url(),
                        file.sha256(),
                        file.hashes(),
                        file.core_metadata(),
                    );
                    let _ = (
                        file.upload_time(),
                        file.requires_python(),
                        file.wheel_tags(),
                    );
                    file.to_dist_file(&name).is_ok()
                })
            })
        })
    })
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

/// The sdist member reader and the static ladder over a source archive `filename` of project
/// `demo` 1.0 held in `bytes`: `true` when the archive was read (whatever the ladder said).
pub fn sdist(filename: &str, bytes: &[u8]) -> bool {
    let Ok(members) = crate::sdist_archive::read_members(filename, bytes) else {
        return false;
    };
    let name = pep508_rs::PackageName::new("demo".to_string()).expect("valid name");
    let version: pep440_rs::Version = "1.0".parse().expect("valid version");
    let _ = npsolve_metadata::static_metadata(&name, &version, &members);
    true
}
