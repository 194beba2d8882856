//! The index client against the loopback fixture server, in JSON and HTML flavours, with faults.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::time::Duration;

use npsolve_index::snapshot::{SnapshotRequest, write_snapshot};
use npsolve_index::{
    CacheOptions, ClientOptions, CoreMetadataHint, DistFile, FindLinks, IndexClient, IndexError,
    IndexUrl,
};
use npsolve_testkit::{FaultKind, FaultRule, FixtureServer, Flavor, ServerOptions};
use pep508_rs::PackageName;
use sha2::{Digest, Sha256};

fn sha256(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

fn name(text: &str) -> PackageName {
    PackageName::from_str(text).expect("valid name")
}

fn metadata_text(name: &str, version: &str, metadata_version: &str, extra: &str) -> String {
    format!(
        "Metadata-Version: {metadata_version}\nName: {name}\nVersion: {version}\nRequires-Python: >=3.9\nRequires-Dist: numpy>=1.22\nRequires-Dist: pytz; extra == \"tz\"\nProvides-Extra: tz\n{extra}\n"
    )
}

/// A wheel whose METADATA comes first and is followed by ~200 KB of incompressible data, so
/// the tail request does not cover it.
/// `len` bytes that do not compress (xorshift from `seed`): a member big enough that reading
/// it whole shows in the bytes downloaded.
fn noise(len: usize, seed: u64) -> Vec<u8> {
    let mut state = seed;
    (0..len)
        .map(|_| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state as u8
        })
        .collect()
}

/// A zip archive of `members` (path, bytes, compression), in order.
fn zip_archive(members: &[(&str, &[u8], zip::CompressionMethod)]) -> Vec<u8> {
    let mut buffer = std::io::Cursor::new(Vec::new());
    {
        let mut zip = zip::ZipWriter::new(&mut buffer);
        for (path, bytes, method) in members {
            let options = zip::write::SimpleFileOptions::default().compression_method(*method);
            zip.start_file(*path, options).expect("zip");
            zip.write_all(bytes).expect("zip");
        }
        zip.finish().expect("zip");
    }
    buffer.into_inner()
}

fn wheel(name: &str, version: &str) -> Vec<u8> {
    use zip::CompressionMethod::{Deflated, Stored};
    let metadata = metadata_text(name, version, "2.1", "");
    let noise = noise(200_000, 0x9e37_79b9_7f4a_7c15);
    zip_archive(&[
        (
            &format!("{name}-{version}.dist-info/METADATA"),
            metadata.as_bytes(),
            Deflated,
        ),
        (&format!("{name}/data.bin"), &noise, Stored),
        (&format!("{name}-{version}.dist-info/RECORD"), b"", Deflated),
    ])
}

fn sdist(name: &str, version: &str, metadata_version: &str) -> Vec<u8> {
    let mut tar = tar::Builder::new(flate2::write::GzEncoder::new(
        Vec::new(),
        flate2::Compression::default(),
    ));
    let text = metadata_text(name, version, metadata_version, "");
    let mut header = tar::Header::new_gnu();
    header.set_size(text.len() as u64);
    header.set_mode(0o644);
    header.set_cksum();
    tar.append_data(
        &mut header,
        format!("{name}-{version}/PKG-INFO"),
        text.as_bytes(),
    )
    .expect("tar");
    tar.into_inner().expect("tar").finish().expect("gzip")
}

struct Fixture {
    dir: tempfile::TempDir,
}

impl Fixture {
    /// Project `demo`: 1.0 wheel (with .metadata), 2.0 wheel (no .metadata, yanked), 2.0 sdist
    /// (metadata 2.2), 0.9 sdist (metadata 2.1), 3.0 wheel uploaded late.
    fn new() -> Fixture {
        let dir = tempfile::tempdir().expect("temp dir");
        let files = dir.path().join("files");
        std::fs::create_dir_all(&files).expect("mkdir");
        let mut entries = Vec::new();
        let mut add = |filename: &str,
                       bytes: Vec<u8>,
                       sidecar: bool,
                       yanked: serde_json::Value,
                       time: &str| {
            std::fs::write(files.join(filename), &bytes).expect("write");
            let core = if sidecar {
                let version = filename.split('-').nth(1).expect("version");
                let metadata = metadata_text("demo", version, "2.1", "");
                std::fs::write(files.join(format!("{filename}.metadata")), &metadata)
                    .expect("write");
                serde_json::json!({ "sha256": sha256(metadata.as_bytes()) })
            } else {
                serde_json::Value::Bool(false)
            };
            entries.push(serde_json::json!({
                "filename": filename, "url": format!("../../files/{filename}"),
                "hashes": { "sha256": sha256(&bytes) }, "requires-python": ">=3.9",
                "yanked": yanked, "upload-time": time, "size": bytes.len(), "core-metadata": core,
            }));
        };
        add(
            "demo-1.0-py3-none-any.whl",
            wheel("demo", "1.0"),
            true,
            false.into(),
            "2023-01-01T00:00:00Z",
        );
        add(
            "demo-2.0-py3-none-any.whl",
            wheel("demo", "2.0"),
            false,
            "broken build".into(),
            "2024-01-01T00:00:00.5Z",
        );
        add(
            "demo-2.0.tar.gz",
            sdist("demo", "2.0", "2.2"),
            false,
            false.into(),
            "2024-01-01T00:00:00Z",
        );
        add(
            "demo-0.9.tar.gz",
            sdist("demo", "0.9", "2.1"),
            false,
            true.into(),
            "2022-01-01T00:00:00Z",
        );
        add(
            "demo-3.0-py3-none-any.whl",
            wheel("demo", "3.0"),
            false,
            false.into(),
            "2025-06-01T00:00:00Z",
        );
        let page = dir.path().join("simple").join("demo");
        std::fs::create_dir_all(&page).expect("mkdir");
        let json = serde_json::json!({ "meta": { "api-version": "1.1" }, "name": "demo", "files": entries });
        std::fs::write(
            page.join("index.json"),
            serde_json::to_vec_pretty(&json).expect("json"),
        )
        .expect("write");
        let mut html = String::from("<html><body>\n");
        for entry in &entries {
            let filename = entry["filename"].as_str().expect("str");
            let mut attributes = format!(
                "href=\"../../files/{filename}#sha256={}\" data-requires-python=\"&gt;=3.9\"",
                entry["hashes"]["sha256"].as_str().expect("str")
            );
            match &entry["yanked"] {
                serde_json::Value::String(reason) => {
                    attributes.push_str(&format!(" data-yanked=\"{reason}\""))
                }
                serde_json::Value::Bool(true) => attributes.push_str(" data-yanked"),
                _ => {}
            }
            if let Some(sha) = entry["core-metadata"]["sha256"].as_str() {
                attributes.push_str(&format!(" data-core-metadata=\"sha256={sha}\""));
            }
            html.push_str(&format!("<a {attributes}>{filename}</a>\n"));
        }
        html.push_str("</body></html>\n");
        std::fs::write(page.join("index.html"), html).expect("write");
        Fixture { dir }
    }

    fn root(&self) -> &Path {
        self.dir.path()
    }
}

fn options(index: &str, cache: &Path) -> ClientOptions {
    ClientOptions {
        index_url: Some(index.parse().expect("index url")),
        cache: CacheOptions {
            dir: Some(cache.to_path_buf()),
            ..CacheOptions::default()
        },
        timeout: Duration::from_millis(800),
        retries: 2,
        ..ClientOptions::default()
    }
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime")
}

fn file<'a>(files: &'a [DistFile], filename: &str) -> &'a DistFile {
    files
        .iter()
        .find(|file| file.filename.to_string() == filename)
        .expect("file listed")
}

fn cache_files(cache: &Path, kind: &str) -> Vec<PathBuf> {
    fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
        for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
            if entry.path().is_dir() {
                walk(&entry.path(), out);
            } else {
                out.push(entry.path());
            }
        }
    }
    let mut out = Vec::new();
    walk(&cache.join("v5").join(kind), &mut out);
    out
}

#[test]
fn pages_parse_in_both_flavours() {
    let fixture = Fixture::new();
    for flavor in [Flavor::Json, Flavor::Html] {
        let server = FixtureServer::start(
            fixture.root(),
            ServerOptions {
                flavor,
                ..ServerOptions::default()
            },
        );
        let cache = tempfile::tempdir().expect("temp");
        let client = IndexClient::new(options(&server.index_url(), cache.path())).expect("client");
        let project = runtime()
            .block_on(client.project(&name("Demo")))
            .expect("page");
        assert_eq!(project.files.len(), 5, "{flavor:?}");
        let yanked = file(&project.files, "demo-2.0-py3-none-any.whl");
        assert_eq!(yanked.yanked.as_deref(), Some("broken build"));
        assert_eq!(
            file(&project.files, "demo-0.9.tar.gz").yanked.as_deref(),
            Some("")
        );
        assert_eq!(
            file(&project.files, "demo-1.0-py3-none-any.whl").yanked,
            None
        );
        let first = file(&project.files, "demo-1.0-py3-none-any.whl");
        assert_eq!(
            first
                .requires_python
                .as_ref()
                .map(ToString::to_string)
                .as_deref(),
            Some(">=3.9")
        );
        assert!(first.hashes.sha256.is_some());
        assert!(!first.url.as_str().contains('#'));
        assert!(first.url.as_str().starts_with(&server.url()));
        assert!(matches!(
            &first.core_metadata,
            CoreMetadataHint::Available(Some(_))
        ));
        match flavor {
            Flavor::Json => {
                assert_eq!(
                    yanked.upload_time.map(|time| time.to_string()).as_deref(),
                    Some("2024-01-01T00:00:00.5Z")
                );
                assert_eq!(
                    yanked.size,
                    Some(
                        std::fs::metadata(fixture.root().join("files/demo-2.0-py3-none-any.whl"))
                            .expect("size")
                            .len()
                    )
                );
                assert_eq!(yanked.core_metadata, CoreMetadataHint::NotAvailable);
            }
            Flavor::Html => {
                assert_eq!(yanked.upload_time, None);
                assert_eq!(yanked.core_metadata, CoreMetadataHint::Unknown);
            }
        }
        // The name was normalised in the URL and no redirect was needed.
        assert!(
            server
                .requests()
                .iter()
                .any(|request| request.path == "/simple/demo/" && request.status == 200)
        );
        // A project the index does not know is an empty page, not an error.
        let missing = runtime()
            .block_on(client.project(&name("nothing-here")))
            .expect("empty page");
        assert!(missing.files.is_empty());
    }
}

#[test]
fn metadata_by_pep_658_range_and_whole_wheel() {
    let fixture = Fixture::new();
    let server = FixtureServer::start(fixture.root(), ServerOptions::default());
    let cache = tempfile::tempdir().expect("temp");
    let client = IndexClient::new(options(&server.index_url(), cache.path())).expect("client");
    let rt = runtime();
    let project = rt.block_on(client.project(&name("demo"))).expect("page");

    let metadata = rt
        .block_on(client.metadata(file(&project.files, "demo-1.0-py3-none-any.whl")))
        .expect("658");
    assert_eq!(metadata.version.to_string(), "1.0");
    assert_eq!(metadata.requires_dist.len(), 2);
    assert_eq!(client.stats().metadata_pep658, 1);

    server.clear_requests();
    let wheel = file(&project.files, "demo-2.0-py3-none-any.whl");
    let metadata = rt.block_on(client.metadata(wheel)).expect("range");
    assert_eq!(metadata.version.to_string(), "2.0");
    assert_eq!(client.stats().metadata_range, 1);
    let requests = server.requests();
    let wheel_requests: Vec<_> = requests
        .iter()
        .filter(|request| request.path.ends_with(".whl"))
        .collect();
    assert!(
        wheel_requests
            .iter()
            .all(|request| request.range.is_some() && request.status == 206),
        "{requests:?}"
    );
    assert!(wheel_requests.len() >= 2, "tail then member: {requests:?}");
    // `.metadata` was not advertised (core-metadata: false), so it was not asked for.
    assert!(
        !requests
            .iter()
            .any(|request| request.path.ends_with(".metadata"))
    );
    let downloaded = client.stats().bytes_downloaded;
    assert!(
        downloaded < 150_000,
        "range requests fetch a fraction of the wheel ({downloaded} bytes)"
    );

    // Same wheel again: answered from memory; a fresh client answers from the disk cache.
    let again = IndexClient::new(options(&server.index_url(), cache.path())).expect("client");
    server.clear_requests();
    rt.block_on(again.metadata(wheel)).expect("cached");
    assert!(server.requests().is_empty());
    assert_eq!(again.stats().cache_hits, 1);
}

#[test]
fn range_answered_with_200_falls_back_to_the_whole_wheel() {
    let fixture = Fixture::new();
    let faults = vec![FaultRule::new(
        "demo-2.0-py3-none-any.whl",
        FaultKind::IgnoreRange,
        usize::MAX,
    )];
    let server = FixtureServer::start(
        fixture.root(),
        ServerOptions {
            faults,
            ..ServerOptions::default()
        },
    );
    let cache = tempfile::tempdir().expect("temp");
    let client = IndexClient::new(options(&server.index_url(), cache.path())).expect("client");
    let rt = runtime();
    let project = rt.block_on(client.project(&name("demo"))).expect("page");
    let metadata = rt
        .block_on(client.metadata(file(&project.files, "demo-2.0-py3-none-any.whl")))
        .expect("whole");
    assert_eq!(metadata.version.to_string(), "2.0");
    let stats = client.stats();
    assert_eq!((stats.metadata_range, stats.metadata_whole), (0, 1));
    let requests = server.requests();
    let wheel: Vec<_> = requests
        .iter()
        .filter(|request| request.path.ends_with(".whl"))
        .collect();
    assert_eq!(
        wheel.len(),
        2,
        "one aborted range request, one download: {requests:?}"
    );
}

#[test]
fn sdists_need_static_pkg_info() {
    let fixture = Fixture::new();
    let server = FixtureServer::start(fixture.root(), ServerOptions::default());
    let cache = tempfile::tempdir().expect("temp");
    let client = IndexClient::new(options(&server.index_url(), cache.path())).expect("client");
    let rt = runtime();
    let project = rt.block_on(client.project(&name("demo"))).expect("page");
    let metadata = rt
        .block_on(client.metadata(file(&project.files, "demo-2.0.tar.gz")))
        .expect("static PKG-INFO");
    assert_eq!(metadata.metadata_version, "2.2");
    assert_eq!(client.stats().metadata_sdist, 1);
    let error = rt
        .block_on(client.metadata(file(&project.files, "demo-0.9.tar.gz")))
        .expect_err("2.1 is not static");
    assert!(matches!(error, IndexError::NeedsBuild { .. }), "{error}");
    assert!(error.is_file_specific());
    assert!(error.to_string().contains("demo-0.9.tar.gz"));

    // The answer is kept: offline, the same sdist still needs a build (it is not "missing
    // from the cache"), so an offline run resolves as the online one did.
    let mut offline = options(&server.index_url(), cache.path());
    offline.cache.offline = true;
    let offline = IndexClient::new(offline).expect("client");
    let project = rt
        .block_on(offline.project(&name("demo")))
        .expect("cached page");
    let error = rt
        .block_on(offline.metadata(file(&project.files, "demo-0.9.tar.gz")))
        .expect_err("still not static");
    assert!(matches!(error, IndexError::NeedsBuild { .. }), "{error}");
}

#[test]
fn exclude_newer_drops_late_and_undated_files() {
    let fixture = Fixture::new();
    let server = FixtureServer::start(fixture.root(), ServerOptions::default());
    let cache = tempfile::tempdir().expect("temp");
    let mut options = options(&server.index_url(), cache.path());
    options.exclude_newer = Some("2024-06-01T00:00:00Z".parse().expect("timestamp"));
    let client = IndexClient::new(options).expect("client");
    let project = runtime()
        .block_on(client.project(&name("demo")))
        .expect("page");
    assert_eq!(project.files.len(), 4);
    assert!(
        !project
            .files
            .iter()
            .any(|file| file.filename.to_string().starts_with("demo-3.0"))
    );
}

#[test]
fn pages_are_revalidated_or_served_fresh_and_offline_uses_the_cache() {
    let fixture = Fixture::new();
    let server = FixtureServer::start(fixture.root(), ServerOptions::default());
    let cache = tempfile::tempdir().expect("temp");
    let rt = runtime();
    let first = IndexClient::new(options(&server.index_url(), cache.path())).expect("client");
    let project = rt.block_on(first.project(&name("demo"))).expect("page");
    rt.block_on(first.metadata(file(&project.files, "demo-1.0-py3-none-any.whl")))
        .expect("metadata");

    // max-age=0: a new client revalidates and gets a 304.
    server.clear_requests();
    let second = IndexClient::new(options(&server.index_url(), cache.path())).expect("client");
    let again = rt.block_on(second.project(&name("demo"))).expect("page");
    assert_eq!(again.files.len(), 5);
    assert_eq!(second.stats().revalidated, 1);
    assert_eq!(
        server
            .requests()
            .iter()
            .map(|request| request.status)
            .collect::<Vec<_>>(),
        vec![304]
    );

    // Offline: cached page and metadata are served, anything else is an error naming it.
    let mut offline = options(&server.index_url(), cache.path());
    offline.cache.offline = true;
    let offline = IndexClient::new(offline).expect("client");
    server.clear_requests();
    let page = rt
        .block_on(offline.project(&name("demo")))
        .expect("cached page");
    rt.block_on(offline.metadata(file(&page.files, "demo-1.0-py3-none-any.whl")))
        .expect("cached metadata");
    let miss = rt
        .block_on(offline.metadata(file(&page.files, "demo-2.0-py3-none-any.whl")))
        .expect_err("not cached");
    assert!(matches!(miss, IndexError::Offline { .. }));
    assert!(
        miss.to_string().contains("demo-2.0-py3-none-any.whl"),
        "{miss}"
    );
    let miss = rt
        .block_on(offline.project(&name("other")))
        .expect_err("not cached");
    assert!(miss.to_string().contains("/simple/other/"), "{miss}");
    assert!(server.requests().is_empty());

    // max-age honoured: within it, no request at all.
    let fresh_server = FixtureServer::start(
        fixture.root(),
        ServerOptions {
            max_age: Some(600),
            ..ServerOptions::default()
        },
    );
    let fresh_cache = tempfile::tempdir().expect("temp");
    rt.block_on(
        IndexClient::new(options(&fresh_server.index_url(), fresh_cache.path()))
            .expect("client")
            .project(&name("demo")),
    )
    .expect("page");
    fresh_server.clear_requests();
    let client =
        IndexClient::new(options(&fresh_server.index_url(), fresh_cache.path())).expect("client");
    rt.block_on(client.project(&name("demo"))).expect("page");
    assert!(fresh_server.requests().is_empty());
    assert_eq!(client.stats().cache_hits, 1);
}

#[test]
fn transient_faults_are_retried() {
    let fixture = Fixture::new();
    let faults = vec![
        FaultRule::new("/simple/demo/", FaultKind::Status(500), 1),
        FaultRule::new("/simple/demo/", FaultKind::Status(503), 1),
        FaultRule::new(
            "demo-1.0-py3-none-any.whl.metadata",
            FaultKind::Stall(Duration::from_secs(3)),
            1,
        ),
        FaultRule::new("demo-2.0.tar.gz", FaultKind::TruncatedBody, 1),
    ];
    let server = FixtureServer::start(
        fixture.root(),
        ServerOptions {
            faults,
            ..ServerOptions::default()
        },
    );
    let cache = tempfile::tempdir().expect("temp");
    let client = IndexClient::new(options(&server.index_url(), cache.path())).expect("client");
    let rt = runtime();
    let project = rt
        .block_on(client.project(&name("demo")))
        .expect("page after two 5xx");
    rt.block_on(client.metadata(file(&project.files, "demo-1.0-py3-none-any.whl")))
        .expect("after a stall");
    rt.block_on(client.metadata(file(&project.files, "demo-2.0.tar.gz")))
        .expect("after a truncated body");
    assert_eq!(client.stats().retries, 4);
}

#[test]
fn persistent_faults_fail_naming_the_url_and_leave_the_cache_clean() {
    let fixture = Fixture::new();
    let faults = vec![
        FaultRule::new("/simple/demo/", FaultKind::MalformedJson, 1),
        FaultRule::new("demo-2.0.tar.gz", FaultKind::CorruptBytes, usize::MAX),
        FaultRule::new(
            "demo-1.0-py3-none-any.whl.metadata",
            FaultKind::NotFound,
            usize::MAX,
        ),
        FaultRule::new("/simple/gone/", FaultKind::Status(503), usize::MAX),
    ];
    let server = FixtureServer::start(
        fixture.root(),
        ServerOptions {
            faults,
            ..ServerOptions::default()
        },
    );
    let cache = tempfile::tempdir().expect("temp");
    let client = IndexClient::new(options(&server.index_url(), cache.path())).expect("client");
    let rt = runtime();
    let error = rt
        .block_on(client.project(&name("demo")))
        .expect_err("malformed JSON");
    assert!(matches!(error, IndexError::MalformedPage { .. }));
    assert!(
        error
            .to_string()
            .contains(&format!("{}demo/", server.index_url())),
        "{error}"
    );
    assert!(cache_files(cache.path(), "pages").is_empty());

    let fresh = IndexClient::new(options(&server.index_url(), cache.path())).expect("client");
    let project = rt.block_on(fresh.project(&name("demo"))).expect("page");
    let error = rt
        .block_on(fresh.metadata(file(&project.files, "demo-2.0.tar.gz")))
        .expect_err("wrong hash");
    assert!(matches!(error, IndexError::HashMismatch { .. }));
    assert!(error.is_file_specific());
    assert!(
        error.to_string().contains("files/demo-2.0.tar.gz"),
        "{error}"
    );
    assert!(cache_files(cache.path(), "metadata").is_empty());

    // A 404 `.metadata` falls back to range requests.
    let metadata = rt
        .block_on(fresh.metadata(file(&project.files, "demo-1.0-py3-none-any.whl")))
        .expect("fallback");
    assert_eq!(metadata.version.to_string(), "1.0");
    assert_eq!(fresh.stats().metadata_range, 1);
    assert_eq!(cache_files(cache.path(), "metadata").len(), 1);

    let error = rt
        .block_on(fresh.project(&name("gone")))
        .expect_err("5xx every time");
    let message = error.to_string();
    assert!(
        message.contains("/simple/gone/")
            && message.contains("503")
            && message.contains("3 attempt"),
        "{message}"
    );
}

#[test]
fn corrupt_cache_entries_are_refetched() {
    let fixture = Fixture::new();
    let server = FixtureServer::start(fixture.root(), ServerOptions::default());
    let cache = tempfile::tempdir().expect("temp");
    let rt = runtime();
    let client = IndexClient::new(options(&server.index_url(), cache.path())).expect("client");
    let project = rt.block_on(client.project(&name("demo"))).expect("page");
    rt.block_on(client.metadata(file(&project.files, "demo-1.0-py3-none-any.whl")))
        .expect("metadata");
    for path in cache_files(cache.path(), "metadata")
        .into_iter()
        .chain(cache_files(cache.path(), "pages"))
    {
        let bytes = std::fs::read(&path).expect("read");
        std::fs::write(&path, &bytes[..bytes.len() - 5]).expect("tear");
    }
    let client = IndexClient::new(options(&server.index_url(), cache.path())).expect("client");
    let project = rt.block_on(client.project(&name("demo"))).expect("page");
    rt.block_on(client.metadata(file(&project.files, "demo-1.0-py3-none-any.whl")))
        .expect("metadata");
    assert_eq!(client.stats().corrupt_entries, 2);
    assert_eq!(client.stats().metadata_pep658, 1);
}

#[test]
fn file_indexes_find_links_and_snapshots() {
    let fixture = Fixture::new();
    let rt = runtime();
    let cache = tempfile::tempdir().expect("temp");
    // A snapshot folder used directly as a `file://` index (its root or its `simple/`).
    for index in [fixture.root().to_path_buf(), fixture.root().join("simple")] {
        let client = IndexClient::new(options(index.to_str().expect("utf-8"), cache.path()))
            .expect("client");
        let project = rt.block_on(client.project(&name("demo"))).expect("page");
        assert_eq!(project.files.len(), 5);
        let metadata = rt
            .block_on(client.metadata(file(&project.files, "demo-2.0-py3-none-any.whl")))
            .expect("local wheel");
        assert_eq!(metadata.version.to_string(), "2.0");
    }
    // A find-links folder, with no index at all.
    let mut links = options("https://unused.invalid/simple/", cache.path());
    links.no_index = true;
    links.find_links = vec![
        FindLinks::from_str(fixture.root().join("files").to_str().expect("utf-8")).expect("path"),
    ];
    let client = IndexClient::new(links).expect("client");
    let project = rt
        .block_on(client.project(&name("demo")))
        .expect("find-links");
    assert_eq!(project.files.len(), 5);

    // Snapshot from the server, then serve the snapshot and read it back.
    let server = FixtureServer::start(fixture.root(), ServerOptions::default());
    let client = IndexClient::new(options(&server.index_url(), cache.path())).expect("client");
    let out = tempfile::tempdir().expect("temp");
    let request = SnapshotRequest {
        packages: vec![pep508_rs::Requirement::from_str("demo>=1,<3").expect("requirement")],
        ..SnapshotRequest::default()
    };
    let report = rt
        .block_on(write_snapshot(&client, &request, out.path()))
        .expect("snapshot");
    assert_eq!(
        (report.projects, report.files, report.metadata_files),
        (1, 3, 3),
        "{report}"
    );
    let first = std::fs::read(out.path().join("simple/demo/index.json")).expect("json");
    rt.block_on(write_snapshot(&client, &request, out.path()))
        .expect("snapshot again");
    assert_eq!(
        first,
        std::fs::read(out.path().join("simple/demo/index.json")).expect("json"),
        "deterministic"
    );
    for flavor in [Flavor::Json, Flavor::Html] {
        let mirror = FixtureServer::start(
            out.path(),
            ServerOptions {
                flavor,
                ..ServerOptions::default()
            },
        );
        let fresh = tempfile::tempdir().expect("temp");
        let client = IndexClient::new(options(&mirror.index_url(), fresh.path())).expect("client");
        let project = rt.block_on(client.project(&name("demo"))).expect("page");
        assert_eq!(project.files.len(), 3);
        for dist in &project.files {
            rt.block_on(client.metadata(dist))
                .expect("metadata from the mirror");
        }
        let stats = client.stats();
        assert_eq!(
            (stats.metadata_pep658, stats.metadata_sdist),
            (2, 1),
            "{flavor:?}"
        );
        // Only pages and `.metadata` files were asked for: the mirror has no archives.
        assert!(
            mirror
                .requests()
                .iter()
                .all(|r| r.path.starts_with("/simple/") || r.path.ends_with(".metadata"))
        );
    }
    let _: IndexUrl = IndexUrl::pypi();
}

#[test]
fn recorded_fixture_index_reads_back() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures/index");
    let cache = tempfile::tempdir().expect("temp");
    let client =
        IndexClient::new(options(root.to_str().expect("utf-8"), cache.path())).expect("client");
    let rt = runtime();
    let numpy = rt
        .block_on(client.project(&name("numpy")))
        .expect("numpy page");
    let versions: std::collections::BTreeSet<String> = numpy
        .files
        .iter()
        .map(|file| file.filename.version().to_string())
        .collect();
    assert_eq!(
        versions.into_iter().collect::<Vec<_>>(),
        ["1.24.4", "1.26.4", "2.0.2", "2.1.3"]
    );
    let pandas = rt
        .block_on(client.project(&name("pandas")))
        .expect("pandas page");
    let wheels: Vec<&DistFile> = pandas
        .files
        .iter()
        .filter(|file| file.filename.to_string().ends_with(".whl"))
        .collect();
    assert!(!wheels.is_empty());
    for wheel in wheels {
        let metadata = rt
            .block_on(client.metadata(wheel))
            .expect("metadata in the fixture");
        assert!(
            metadata
                .requires_dist
                .iter()
                .any(|requirement| requirement.name.as_ref() == "numpy")
        );
    }
}

/// A `.zip` sdist (egg-info inside, a big data member beside it) is read like a wheel: its
/// central directory and the few members the static ladder wants, by range requests, never
/// the whole archive.
#[test]
fn zip_sdists_are_read_by_range_requests() {
    use zip::CompressionMethod::{Deflated, Stored};
    let dir = tempfile::tempdir().expect("temp dir");
    let blob = noise(300_000, 0x2545_f491_4f6c_dd1d);
    let archive = zip_archive(&[
        (
            "zipdemo-1.0/PKG-INFO",
            b"Metadata-Version: 1.1\nName: zipdemo\nVersion: 1.0\n",
            Deflated,
        ),
        (
            "zipdemo-1.0/setup.py",
            b"from setuptools import setup\nsetup(name='zipdemo', install_requires=['six'])\n",
            Deflated,
        ),
        (
            "zipdemo-1.0/zipdemo.egg-info/PKG-INFO",
            b"Metadata-Version: 1.1\nName: zipdemo\nVersion: 1.0\n",
            Deflated,
        ),
        (
            "zipdemo-1.0/zipdemo.egg-info/requires.txt",
            b"six>=1.10\n\n[fast]\nujson\n",
            Deflated,
        ),
        ("zipdemo-1.0/data/blob.bin", &blob, Stored),
    ]);
    let files = dir.path().join("files");
    std::fs::create_dir_all(&files).expect("mkdir");
    std::fs::write(files.join("zipdemo-1.0.zip"), &archive).expect("write");
    let page = dir.path().join("simple").join("zipdemo");
    std::fs::create_dir_all(&page).expect("mkdir");
    let json = serde_json::json!({ "meta": { "api-version": "1.1" }, "name": "zipdemo", "files": [{
        "filename": "zipdemo-1.0.zip", "url": "../../files/zipdemo-1.0.zip",
        "hashes": { "sha256": sha256(&archive) }, "size": archive.len(), "core-metadata": false,
    }]});
    std::fs::write(
        page.join("index.json"),
        serde_json::to_vec(&json).expect("json"),
    )
    .expect("write");

    let server = FixtureServer::start(dir.path(), ServerOptions::default());
    let cache = tempfile::tempdir().expect("temp");
    let client = IndexClient::new(options(&server.index_url(), cache.path())).expect("client");
    let rt = runtime();
    let project = rt.block_on(client.project(&name("zipdemo"))).expect("page");
    server.clear_requests();
    let metadata = rt
        .block_on(client.metadata(file(&project.files, "zipdemo-1.0.zip")))
        .expect("read statically");
    let requires: Vec<String> = metadata
        .requires_dist
        .iter()
        .map(ToString::to_string)
        .collect();
    assert_eq!(requires, ["six>=1.10", "ujson ; extra == 'fast'"]);
    let requests = server.requests();
    assert!(
        requests
            .iter()
            .filter(|request| request.path.ends_with(".zip"))
            .all(|request| request.range.is_some() && request.status == 206),
        "{requests:?}"
    );
    let downloaded = client.stats().bytes_downloaded;
    assert!(
        downloaded < archive.len() as u64 / 3,
        "{downloaded} of {} bytes",
        archive.len()
    );
}
