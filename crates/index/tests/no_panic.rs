//! Property tests over every parser of untrusted bytes (issue 9; cargo-fuzz needs nightly):
//! arbitrary bytes and structured near misses must never panic. Raise `PROPTEST_CASES` for
//! long runs (docs/reliability.md records them); the default keeps `cargo test` fast.

use std::io::Write;

use npsolve_index::parse_core_metadata;
use npsolve_index::untrusted::{
    compact_page, compact_page_of, sdist, simple_html, simple_json, zip_archive, zip_tail,
};
use proptest::prelude::*;

/// Lines that look like METADATA headers, shuffled into near misses.
fn metadata_line() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("Metadata-Version: 2.1".to_string()),
        Just("Name: pandas".to_string()),
        Just("Version: 1.5.3".to_string()),
        Just("Requires-Dist: numpy>=1.21; python_version < \"3.11\"".to_string()),
        Just("Requires-Python: >=3.8".to_string()),
        Just("Provides-Extra: test".to_string()),
        Just("Dynamic: Requires-Dist".to_string()),
        Just("        continued".to_string()),
        Just(String::new()),
        "[ -~]{0,60}",
        "\\PC{0,30}",
    ]
}

/// Fragments of a PEP 691 page.
fn json_piece() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("{\"meta\": {\"api-version\": \"1.1\"}, \"name\": \"x\", \"files\": [".to_string()),
        Just("{\"filename\": \"x-1.0-py3-none-any.whl\", \"url\": \"../x.whl\", \"hashes\": {\"sha256\": \"ab\"}}".to_string()),
        Just("\"requires-python\": \">=3.8\"".to_string()),
        Just("\"yanked\": true".to_string()),
        Just("\"core-metadata\": {\"sha256\": \"cd\"}".to_string()),
        Just("\"size\": 18446744073709551615".to_string()),
        Just("]}".to_string()),
        Just(",".to_string()),
        "[ -~]{0,30}",
    ]
}

/// Fragments of a PEP 503 page.
fn html_piece() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("<!DOCTYPE html><html><head><base href=\"../../\"></head><body>".to_string()),
        Just("<a href=\"x-1.0.tar.gz#sha256=ab\" data-requires-python=\"&gt;=3.8\">x-1.0.tar.gz</a>".to_string()),
        Just("<a href=\"../x-1.0-py3-none-any.whl\" data-yanked=\"\" data-dist-info-metadata=\"sha256=cd\">".to_string()),
        Just("<a href=\"http://[::1\">broken</a>".to_string()),
        Just("</body></html>".to_string()),
        Just("&#x;&#99999999;&amp;".to_string()),
        "[ -~]{0,30}",
    ]
}

/// A real small zip, to mutate.
fn small_zip(members: &[(String, Vec<u8>)], deflate: bool) -> Vec<u8> {
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let method = if deflate {
        zip::CompressionMethod::Deflated
    } else {
        zip::CompressionMethod::Stored
    };
    let options = zip::write::SimpleFileOptions::default().compression_method(method);
    for (index, (name, bytes)) in members.iter().enumerate() {
        zip.start_file(format!("m{index}/{name}"), options).unwrap();
        zip.write_all(bytes).unwrap();
    }
    zip.finish().unwrap().into_inner()
}

/// A page with releases of several shapes for the compact reader: wheels sharing a tag set,
/// sdists, yanked files, requires-python, upload times and metadata hints.
const COMPACT_SOURCE: &str = r#"{"meta":{"api-version":"1.1"},"name":"x","files":[
    {"filename":"x-2.0-cp311-cp311-manylinux_2_17_x86_64.whl","url":"https://f.example/a/x-2.0-cp311-cp311-manylinux_2_17_x86_64.whl",
     "hashes":{"sha256":"0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"},"requires-python":">=3.9",
     "upload-time":"2024-01-01T00:00:00Z","size":10,"core-metadata":{"sha256":"fedcba9876543210fedcba9876543210fedcba9876543210fedcba9876543210"}},
    {"filename":"x-2.0.tar.gz","url":"https://f.example/a/x-2.0.tar.gz","hashes":{"sha512":"ab"},"yanked":"bad"},
    {"filename":"x-1.0-cp311-cp311-manylinux_2_17_x86_64.whl","url":"https://f.example/b/x-1.0-cp311-cp311-manylinux_2_17_x86_64.whl",
     "hashes":{},"requires-python":">=3.8","upload-time":"2022-01-01T00:00:00.5Z","core-metadata":true},
    {"filename":"x-1.0.0.zip","url":"https://mirror.example/get?f=x-1.0.0.zip","hashes":{},"yanked":true},
    {"filename":"x-0.1.tar.gz","url":"https://f.example/c/x-0.1.tar.gz","hashes":{}}]}"#;

fn page_url() -> url::Url {
    url::Url::parse("https://example.invalid/simple/x/").unwrap()
}

proptest! {
    #[test]
    fn metadata_parser_never_panics(lines in proptest::collection::vec(metadata_line(), 0..40)) {
        let _ = parse_core_metadata(lines.join("\n").as_bytes());
    }

    #[test]
    fn metadata_parser_takes_any_bytes(bytes in proptest::collection::vec(any::<u8>(), 0..2048)) {
        let _ = parse_core_metadata(&bytes);
    }

    #[test]
    fn json_page_parser_never_panics(pieces in proptest::collection::vec(json_piece(), 0..30)) {
        let _ = simple_json(pieces.concat().as_bytes());
    }

    #[test]
    fn json_page_parser_takes_any_bytes(bytes in proptest::collection::vec(any::<u8>(), 0..2048)) {
        let _ = simple_json(&bytes);
    }

    #[test]
    fn html_page_parser_never_panics(pieces in proptest::collection::vec(html_piece(), 0..30)) {
        let _ = simple_html(&pieces.concat(), &page_url());
    }

    #[test]
    fn html_page_parser_takes_any_text(text in "\\PC{0,1000}") {
        let _ = simple_html(&text, &page_url());
    }

    #[test]
    fn zip_reader_survives_mutated_archives(
        members in proptest::collection::vec(("[a-z/]{1,12}", proptest::collection::vec(any::<u8>(), 0..300)), 1..4),
        deflate in any::<bool>(),
        flips in proptest::collection::vec((any::<usize>(), any::<u8>()), 0..8),
        cut in any::<usize>(),
        offset in 0u64..u64::MAX,
    ) {
        let mut archive = small_zip(&members, deflate);
        for (at, byte) in flips {
            let len = archive.len();
            archive[at % len] ^= byte;
        }
        let _ = zip_archive(&archive);
        let tail = &archive[cut % archive.len()..];
        let _ = zip_tail(tail, offset);
        let _ = zip_tail(tail, (archive.len() - tail.len()) as u64);
    }

    /// A compact page damaged anywhere (the cache's CRC-32 covers only the index, and a
    /// block's own CRC-32 is what a reader trusts) is refused or read, never a panic.
    #[test]
    fn compact_page_reader_survives_damage(
        flips in proptest::collection::vec((any::<usize>(), any::<u8>()), 0..6),
        index_shift in -3isize..3,
        cut in any::<usize>(),
    ) {
        let (mut body, index) = compact_page_of(COMPACT_SOURCE.as_bytes()).expect("a valid page");
        prop_assert!(compact_page(&body, index));
        for (at, byte) in flips {
            let len = body.len();
            body[at % len] ^= byte;
        }
        let index = index.saturating_add_signed(index_shift);
        let _ = compact_page(&body, index);
        let _ = compact_page(&body[..cut % (body.len() + 1)], index);
    }

    #[test]
    fn compact_page_reader_takes_any_bytes(bytes in proptest::collection::vec(any::<u8>(), 0..2048), index in 0usize..2100) {
        let _ = compact_page(&bytes, index);
    }

    #[test]
    fn zip_reader_takes_any_bytes(bytes in proptest::collection::vec(any::<u8>(), 0..4096), offset in any::<u64>()) {
        let _ = zip_archive(&bytes);
        let _ = zip_tail(&bytes, offset);
    }

    /// A real sdist (trimmed fixture) damaged anywhere, or cut short, is refused or read:
    /// never a panic, also when the ladder reads the damaged build files.
    #[test]
    fn sdist_reader_survives_damage(
        flips in proptest::collection::vec((any::<usize>(), any::<u8>()), 0..6),
        cut in any::<usize>(),
    ) {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../tests/fixtures/sdists/index/files/gruut-2.4.0.tar.gz");
        let mut bytes = std::fs::read(path).expect("fixture");
        prop_assert!(sdist("gruut-2.4.0.tar.gz", &bytes));
        for (at, byte) in flips {
            let len = bytes.len();
            bytes[at % len] ^= byte;
        }
        let _ = sdist("gruut-2.4.0.tar.gz", &bytes);
        let _ = sdist("gruut-2.4.0.tar.gz", &bytes[..cut % (bytes.len() + 1)]);
    }

    /// Build files of any shape (setup.py, setup.cfg, pyproject.toml, requires.txt) inside a
    /// well-formed archive never make the ladder panic.
    #[test]
    fn static_ladder_takes_any_build_files(
        setup_py in "\\PC{0,200}",
        setup_cfg in prop_oneof![Just("[options]\ninstall_requires =\n    a; \\\n    b\n".to_string()), "\\PC{0,200}"],
        pyproject in prop_oneof![Just("[project]\ndynamic = [\"dependencies\"]\n[tool.setuptools.dynamic]\ndependencies = {file = \"r.txt\"}\n".to_string()), "\\PC{0,200}"],
        requires in prop_oneof![Just("[:python_version<'3'\nx".to_string()), Just("[a:]\n[:]\n".to_string()), "\\PC{0,200}"],
    ) {
        let mut builder = tar::Builder::new(Vec::new());
        for (path, text) in [
            ("demo-1.0/setup.py", &setup_py),
            ("demo-1.0/setup.cfg", &setup_cfg),
            ("demo-1.0/pyproject.toml", &pyproject),
            ("demo-1.0/r.txt", &requires),
            ("demo-1.0/demo.egg-info/requires.txt", &requires),
            ("demo-1.0/demo.egg-info/PKG-INFO", &"Metadata-Version: 1.0\nName: demo\nVersion: 1.0\n".to_string()),
        ] {
            let mut header = tar::Header::new_gnu();
            header.set_size(text.len() as u64);
            header.set_mode(0o644);
            header.set_cksum();
            builder.append_data(&mut header, path, text.as_bytes()).expect("member");
        }
        let tar = builder.into_inner().expect("tar");
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        gz.write_all(&tar).expect("gz");
        prop_assert!(sdist("demo-1.0.tar.gz", &gz.finish().expect("gz")));
    }
}
