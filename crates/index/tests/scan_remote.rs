//! Scanning wheels' binaries over loopback HTTP range requests: synthetic wheels with stand-in
//! modules carrying each marker kind, stored and deflated members, ZIP64, a marker split across
//! two range requests, the byte budget, pure wheels and the verdict cache.

use std::io::Write;
use std::path::Path;
use std::str::FromStr;
use std::time::Duration;

use npsolve_abi::BuildFact;
use npsolve_index::{
    CacheOptions, ClientOptions, CoreMetadataHint, DistFile, Hashes, IndexClient, ScanOptions,
    SourceOptions, VerdictSource,
};
use npsolve_platform::DistFilename;
use npsolve_testkit::{FaultKind, FaultRule, FixtureServer, ServerOptions};
use pep440_rs::Version;
use pep508_rs::PackageName;
use sha2::{Digest, Sha256};

const NUMPY1: &[&str] = &[
    "_ARRAY_API",
    "_ARRAY_API not found",
    "module compiled against API version 0x%x but this version of numpy is 0x%x",
];
const NUMPY2_120: &[&str] = &[
    "_ARRAY_API",
    "numpy._core._multiarray_umath",
    "module was compiled against NumPy C-API version 0x%x (NumPy 1.20) but the running NumPy has C-API version 0x%x.",
];
/// `call [rax+0x698]; mov edx, 0x10`: a 1.x feature check for NumPy 1.23.
const CHECK_0X10: &[u8] = &[
    0xFF, 0x90, 0x98, 0x06, 0x00, 0x00, 0xBA, 0x10, 0x00, 0x00, 0x00, 0x48,
];

/// Incompressible bytes, so stored and deflated sizes are about the same.
fn noise(len: usize, seed: u64) -> Vec<u8> {
    let mut state = seed | 1;
    (0..len)
        .map(|_| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            (state >> 24) as u8
        })
        .collect()
}

/// A stand-in module: `pad` bytes of noise, then code, then NUL-terminated literals, then more noise.
fn module(pad: usize, code: &[u8], literals: &[&str], trailer: usize) -> Vec<u8> {
    let mut bytes = b"\x7fELF".to_vec();
    bytes.extend(noise(pad, pad as u64 + 7));
    bytes.extend_from_slice(code);
    for literal in literals {
        bytes.extend_from_slice(literal.as_bytes());
        bytes.push(0);
    }
    bytes.extend(noise(trailer, trailer as u64 + 11));
    bytes
}

#[derive(Clone, Copy)]
enum Method {
    Stored,
    Deflated,
}

/// Writes a wheel; with `zip64`, the end record points through the ZIP64 records.
fn wheel_bytes(members: &[(&str, Vec<u8>, Method)], zip64: bool) -> Vec<u8> {
    let mut buffer = std::io::Cursor::new(Vec::new());
    {
        let mut zip = zip::ZipWriter::new(&mut buffer);
        if zip64 {
            zip.set_zip64_comment(Some(""));
        }
        for (name, bytes, method) in members {
            let method = match method {
                Method::Stored => zip::CompressionMethod::Stored,
                Method::Deflated => zip::CompressionMethod::Deflated,
            };
            let options = zip::write::SimpleFileOptions::default()
                .compression_method(method)
                .large_file(zip64);
            zip.start_file(*name, options).expect("zip");
            zip.write_all(bytes).expect("zip");
        }
        zip.finish().expect("zip");
    }
    let mut bytes = buffer.into_inner();
    if zip64 {
        // Saturate the 32-bit directory size and offset, as a >4 GiB archive would.
        let eocd = bytes
            .windows(4)
            .rposition(|window| window == b"PK\x05\x06")
            .expect("end record");
        bytes[eocd + 12..eocd + 20].fill(0xFF);
    }
    bytes
}

struct Served {
    _dir: tempfile::TempDir,
    cache: tempfile::TempDir,
    server: FixtureServer,
}

fn serve(wheels: &[(&str, &[u8])], options: ServerOptions) -> Served {
    let dir = tempfile::tempdir().expect("temp");
    std::fs::create_dir_all(dir.path().join("files")).expect("mkdir");
    for (name, bytes) in wheels {
        std::fs::write(dir.path().join("files").join(name), bytes).expect("write");
    }
    let server = FixtureServer::start(dir.path(), options);
    Served {
        _dir: dir,
        cache: tempfile::tempdir().expect("temp"),
        server,
    }
}

fn client(cache: &Path) -> IndexClient {
    IndexClient::new(ClientOptions {
        cache: CacheOptions {
            dir: Some(cache.to_path_buf()),
            ..CacheOptions::default()
        },
        timeout: Duration::from_secs(10),
        retries: 0,
        ..ClientOptions::default()
    })
    .expect("client")
}

fn dist_file(served: &Served, name: &str, bytes: &[u8]) -> DistFile {
    let package = PackageName::from_str(name.split('-').next().expect("name")).expect("name");
    DistFile {
        filename: DistFilename::parse(name, &package).expect("wheel name"),
        url: format!("{}files/{name}", served.server.url())
            .parse()
            .expect("url"),
        hashes: Hashes::from_pairs([("sha256", hex::encode(Sha256::digest(bytes)).as_str())]),
        requires_python: None,
        yanked: None,
        upload_time: None,
        size: Some(bytes.len() as u64),
        core_metadata: CoreMetadataHint::Unknown,
    }
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime")
}

fn v(text: &str) -> Version {
    Version::from_str(text).expect("version")
}

const NAME: &str = "demo-1.0-cp311-cp311-manylinux_2_17_x86_64.whl";

#[test]
fn numpy2_wheel_is_read_from_its_smallest_module_with_few_bytes() {
    // A large data member and a large plain module that a full download would pay for.
    let bytes = wheel_bytes(
        &[
            ("demo/data.bin", noise(400_000, 1), Method::Stored),
            (
                "demo/_big.cpython-311-x86_64-linux-gnu.so",
                module(300_000, &[], &[], 0),
                Method::Deflated,
            ),
            (
                "demo/_ext.cpython-311-x86_64-linux-gnu.so",
                module(20_000, &[], NUMPY2_120, 100),
                Method::Deflated,
            ),
            (
                "demo.libs/libvendored.so",
                module(10, &[], NUMPY1, 10),
                Method::Deflated,
            ),
        ],
        false,
    );
    let served = serve(&[(NAME, &bytes)], ServerOptions::default());
    let client = client(served.cache.path());
    let file = dist_file(&served, NAME, &bytes);
    let report = runtime()
        .block_on(client.scan_wheel(&file, &ScanOptions::default()))
        .expect("scan");
    assert_eq!(
        report.wheel.fact,
        BuildFact::Numpy2 {
            floor: Some(v("1.20"))
        }
    );
    assert_eq!(
        report.wheel.module.as_deref(),
        Some("demo/_ext.cpython-311-x86_64-linux-gnu.so")
    );
    assert_eq!((report.candidate_modules, report.modules_read), (2, 1));
    assert_eq!(report.source, VerdictSource::Scan);
    assert!(
        report.bytes_fetched < bytes.len() as u64 / 4,
        "{} of {}",
        report.bytes_fetched,
        bytes.len()
    );
    let requests = served.server.requests();
    assert_eq!(requests.len() as u64, report.requests, "{requests:?}");
    assert!(
        requests
            .iter()
            .all(|request| request.status == 206 && request.range.is_some())
    );

    // Cached by sha256: a fresh client answers without a request.
    served.server.clear_requests();
    let again = client_cached(&served);
    let cached = runtime()
        .block_on(again.scan_wheel(&file, &ScanOptions::default()))
        .expect("cached");
    assert_eq!(cached.source, VerdictSource::Cache);
    assert_eq!(cached.wheel.fact, report.wheel.fact);
    assert_eq!(cached.wheel.evidence, report.wheel.evidence);
    assert!(served.server.requests().is_empty());
}

fn client_cached(served: &Served) -> IndexClient {
    client(served.cache.path())
}

#[test]
fn marker_split_across_range_requests_in_a_stored_member_and_zip64() {
    // The first request brings 512 KiB of member data plus the local-header slack (256 bytes
    // less the local extra field: 20 bytes with ZIP64); the 1.x literals start just before
    // that end, so they straddle two range requests.
    for zip64 in [false, true] {
        // Around the end of the first window: 512 KiB of data plus the local header slack
        // (1024 bytes, `byte_range::LOCAL_HEADER_SLACK`) past the member's name.
        for offset in [
            512 * 1024 + 1024 - 50,
            512 * 1024 + 1004 - 50,
            512 * 1024 + 968,
        ] {
            let contents = module(offset - 4 - CHECK_0X10.len(), CHECK_0X10, NUMPY1, 200_000);
            let bytes = wheel_bytes(
                &[(
                    "demo/_ext.cpython-311-x86_64-linux-gnu.so",
                    contents,
                    Method::Stored,
                )],
                zip64,
            );
            let served = serve(&[(NAME, &bytes)], ServerOptions::default());
            let client = client(served.cache.path());
            let file = dist_file(&served, NAME, &bytes);
            let report = runtime()
                .block_on(client.scan_wheel(
                    &file,
                    &ScanOptions {
                        use_cache: false,
                        ..ScanOptions::default()
                    },
                ))
                .expect("scan");
            assert_eq!(
                report.wheel.fact,
                BuildFact::Numpy1 {
                    floor: Some(v("1.23"))
                },
                "zip64 {zip64}, offset {offset}: {}",
                report.wheel.evidence
            );
            assert!(
                report.requests >= 3,
                "tail, first window, second window: {} requests, {:?}",
                report.requests,
                served.server.requests()
            );
        }
    }
}

#[test]
fn every_marker_kind_through_deflate_streams() {
    let cases: Vec<(Vec<&str>, BuildFact)> = vec![
        (NUMPY1.to_vec(), BuildFact::Numpy1 { floor: None }),
        (
            vec!["_ARRAY_API", "numpy.core.multiarray"],
            BuildFact::Numpy1Silent {
                binding: "pybind11 < 2.12".to_string(),
            },
        ),
        (
            vec!["_ARRAY_API", "numpy.core.multiarray", "NumpyVersion"],
            BuildFact::Numpy2 { floor: None },
        ),
        (
            vec![
                "_ARRAY_API",
                "/cargo/registry/src/x/numpy-0.21.0/src/array.rs",
            ],
            BuildFact::Numpy1Silent {
                binding: "rust-numpy 0.21.0".to_string(),
            },
        ),
        (
            vec!["numpy.core.multiarray failed to import"],
            BuildFact::Numpy1 { floor: None },
        ),
        (vec!["PyInit__imaging"], BuildFact::NoCapi),
    ];
    for (literals, expected) in cases {
        // Markers deep in a member bigger than one inflate step and one window.
        let contents = module(700_000, &[], &literals, 50_000);
        let bytes = wheel_bytes(
            &[
                ("demo/_a.so", module(100, &[], &[], 100), Method::Deflated),
                ("demo/_b.pyd", contents, Method::Deflated),
            ],
            false,
        );
        let served = serve(&[(NAME, &bytes)], ServerOptions::default());
        let report = runtime()
            .block_on(
                client(served.cache.path())
                    .scan_wheel(&dist_file(&served, NAME, &bytes), &ScanOptions::default()),
            )
            .expect("scan");
        assert_eq!(report.wheel.fact, expected, "{literals:?}");
        assert_eq!(report.modules_read, 2);
    }
}

#[test]
fn budget_pure_wheels_and_servers_without_ranges() {
    let bytes = wheel_bytes(
        &[(
            "demo/_ext.so",
            module(600_000, &[], NUMPY1, 0),
            Method::Stored,
        )],
        false,
    );
    let pure_name = "demo-1.0-py3-none-any.whl";
    let pure = wheel_bytes(&[("demo/__init__.py", b"".to_vec(), Method::Stored)], false);
    let served = serve(
        &[(NAME, &bytes), (pure_name, &pure)],
        ServerOptions::default(),
    );
    let client = client(served.cache.path());
    let rt = runtime();
    let small = ScanOptions {
        byte_budget: 300_000,
        use_cache: true,
    };
    let report = rt
        .block_on(client.scan_wheel(&dist_file(&served, NAME, &bytes), &small))
        .expect("scan");
    assert_eq!(report.wheel.fact, BuildFact::Unknown);
    assert!(
        report.wheel.evidence.contains("budget"),
        "{}",
        report.wheel.evidence
    );
    assert!(report.bytes_fetched <= 300_000);
    // An unknown verdict is not cached: a larger budget decides it.
    let report = rt
        .block_on(client.scan_wheel(&dist_file(&served, NAME, &bytes), &ScanOptions::default()))
        .expect("scan");
    assert_eq!(report.wheel.fact, BuildFact::Numpy1 { floor: None });
    assert_eq!(report.source, VerdictSource::Scan);

    served.server.clear_requests();
    let report = rt
        .block_on(client.scan_wheel(&dist_file(&served, pure_name, &pure), &small))
        .expect("pure");
    assert_eq!(
        (report.wheel.fact, report.source, report.requests),
        (BuildFact::NoCapi, VerdictSource::PureWheel, 0)
    );
    assert!(served.server.requests().is_empty());

    // A server that ignores ranges: a wheel within the budget is downloaded whole.
    let ignoring = serve(
        &[(NAME, &bytes)],
        ServerOptions {
            faults: vec![FaultRule::new(NAME, FaultKind::IgnoreRange, usize::MAX)],
            ..ServerOptions::default()
        },
    );
    let report = rt
        .block_on(client.scan_wheel(
            &dist_file(&ignoring, NAME, &bytes),
            &ScanOptions {
                use_cache: false,
                ..ScanOptions::default()
            },
        ))
        .expect("whole");
    assert_eq!(report.wheel.fact, BuildFact::Numpy1 { floor: None });
    assert_eq!(report.requests, 2, "one refused range, one download");
}

#[test]
fn corrupt_archives_are_file_errors() {
    let bytes = noise(100_000, 5);
    let served = serve(&[(NAME, &bytes)], ServerOptions::default());
    let error = runtime()
        .block_on(
            client(served.cache.path())
                .scan_wheel(&dist_file(&served, NAME, &bytes), &ScanOptions::default()),
        )
        .expect_err("not a zip");
    assert!(error.is_file_specific(), "{error}");
}

#[test]
fn real_wheels_over_range_requests() {
    // The small real wheels kept by the abi crate (see its tests/wheels/README.md).
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../abi/tests/wheels");
    let mut wheels: Vec<(String, Vec<u8>)> = std::fs::read_dir(&dir)
        .expect("real wheels")
        .filter_map(Result::ok)
        .filter_map(|entry| {
            let name = entry.file_name().into_string().ok()?;
            name.ends_with(".whl")
                .then(|| (name, std::fs::read(entry.path()).expect("read")))
        })
        .collect();
    wheels.sort();
    assert_eq!(wheels.len(), 4);
    let borrowed: Vec<(&str, &[u8])> = wheels
        .iter()
        .map(|(name, bytes)| (name.as_str(), bytes.as_slice()))
        .collect();
    let served = serve(&borrowed, ServerOptions::default());
    let client = client(served.cache.path());
    let rt = runtime();
    let mut verdicts = Vec::new();
    for (name, bytes) in &wheels {
        let report = rt
            .block_on(client.scan_wheel(&dist_file(&served, name, bytes), &ScanOptions::default()))
            .expect("scan");
        assert!(report.bytes_fetched <= bytes.len() as u64, "{name}");
        verdicts.push((
            name.split('-').take(2).collect::<Vec<_>>().join("-"),
            report.wheel.fact,
        ));
    }
    assert_eq!(
        verdicts,
        vec![
            (
                "contourpy-1.2.0".to_string(),
                BuildFact::Numpy1Silent {
                    binding: "pybind11 < 2.12".to_string()
                }
            ),
            (
                "contourpy-1.2.1".to_string(),
                BuildFact::Numpy2 { floor: None }
            ),
            (
                "numpy_quaternion-2023.0.2".to_string(),
                BuildFact::Numpy1 {
                    floor: Some(v("1.23"))
                }
            ),
            (
                "numpy_quaternion-2024.0.3".to_string(),
                BuildFact::Numpy2 {
                    floor: Some(v("1.20"))
                }
            ),
        ]
    );
}

#[test]
fn a_refused_suffix_range_on_a_small_wheel_of_unknown_size_downloads_it() {
    let bytes = wheel_bytes(
        &[(
            "demo/_ext.so",
            module(100, &[], NUMPY2_120, 100),
            Method::Deflated,
        )],
        false,
    );
    // Some servers answer an over-long suffix range with 416 (the wheel is smaller than it).
    let served = serve(
        &[(NAME, &bytes)],
        ServerOptions {
            faults: vec![FaultRule::new(NAME, FaultKind::Status(416), 1)],
            ..ServerOptions::default()
        },
    );
    let mut file = dist_file(&served, NAME, &bytes);
    file.size = None;
    let report = runtime()
        .block_on(client(served.cache.path()).scan_wheel(&file, &ScanOptions::default()))
        .expect("scan");
    assert_eq!(
        report.wheel.fact,
        BuildFact::Numpy2 {
            floor: Some(v("1.20"))
        }
    );
    assert_eq!(report.requests, 2, "the refused range, then the download");
}

#[test]
fn later_modules_are_fetched_in_parallel_batches_and_reading_stops_at_the_decisive_one() {
    // Seven modules, smallest first; only the fifth carries NumPy markers.
    let names: Vec<String> = (0..7).map(|i| format!("demo/_m{i}.so")).collect();
    let members: Vec<(&str, Vec<u8>, Method)> = names
        .iter()
        .enumerate()
        .map(|(i, name)| {
            let literals: &[&str] = if i == 4 { NUMPY2_120 } else { &[] };
            (
                name.as_str(),
                module(70_000 + 1000 * i, &[], literals, 10),
                Method::Deflated,
            )
        })
        .collect();
    let bytes = wheel_bytes(&members, false);
    let served = serve(&[(NAME, &bytes)], ServerOptions::default());
    let report = runtime()
        .block_on(
            client(served.cache.path())
                .scan_wheel(&dist_file(&served, NAME, &bytes), &ScanOptions::default()),
        )
        .expect("scan");
    assert_eq!(
        report.wheel.fact,
        BuildFact::Numpy2 {
            floor: Some(v("1.20"))
        }
    );
    assert_eq!(report.wheel.module.as_deref(), Some("demo/_m4.so"));
    assert_eq!((report.modules_read, report.candidate_modules), (5, 7));
    // The tail, the smallest module alone, then modules 2 to 5 together; 6 and 7 never.
    assert_eq!(report.requests, 6, "{:?}", served.server.requests());
    let sixth = format!("bytes={}-", offset_of(&bytes, "demo/_m5.so"));
    assert!(
        !served.server.requests().iter().any(|request| request
            .range
            .as_deref()
            .is_some_and(|range| range.starts_with(&sixth))),
        "module 6 is not fetched"
    );
}

/// The offset of a member's local header.
fn offset_of(archive: &[u8], name: &str) -> u64 {
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(archive)).expect("zip");
    zip.by_name(name).expect("member").header_start()
}

#[test]
fn wheels_with_the_same_sources_share_their_content_and_a_known_one_reads_no_member() {
    let source = b"import numpy as np\nx = np.float_\n".to_vec();
    let members = |code: &[u8], binary: u64| {
        vec![
            ("pkg/__init__.py", code.to_vec(), Method::Deflated),
            ("pkg/_ext.so", noise(400_000, binary), Method::Stored),
            (
                "pkg-1.0.dist-info/METADATA",
                b"Name: pkg\n".to_vec(),
                Method::Stored,
            ),
        ]
    };
    let linux = wheel_bytes(&members(&source, 1), false);
    let mac = wheel_bytes(&members(&source, 2), false);
    let changed = wheel_bytes(&members(b"x = 1\n", 3), false);
    let names = [
        "pkg-1.0-cp312-cp312-manylinux_2_28_x86_64.whl",
        "pkg-1.0-cp312-cp312-macosx_11_0_arm64.whl",
        "pkg-1.0-cp313-cp313-win_amd64.whl",
    ];
    let served = serve(
        &[
            (names[0], &linux[..]),
            (names[1], &mac[..]),
            (names[2], &changed[..]),
        ],
        ServerOptions::default(),
    );
    let client = client(served.cache.path());
    let python = |name: &str| name.ends_with(".py");
    let read = |name: &str, bytes: &[u8], known: &(dyn Fn(&str) -> bool + Sync)| {
        runtime()
            .block_on(client.wheel_sources(
                &dist_file(&served, name, bytes),
                &python,
                known,
                &SourceOptions::default(),
            ))
            .expect("read")
    };
    let first = read(names[0], &linux, &|_| false);
    assert_eq!(first.members.len(), 1);
    let content = first.content.clone().expect("content");
    // Another platform's wheel: same sources, other binary; known, so nothing is read.
    let same = read(names[1], &mac, &|digest| digest == content);
    assert!(same.known && same.members.is_empty());
    assert_eq!(same.content.as_deref(), Some(content.as_str()));
    assert!(
        same.bytes_fetched < linux.len() as u64 / 2,
        "{}",
        same.bytes_fetched
    );
    // Other sources: another content, read in full whatever the caller knows.
    let other = read(names[2], &changed, &|digest| digest == content);
    assert!(!other.known);
    assert_ne!(other.content.as_deref(), Some(content.as_str()));
    assert_eq!(other.members.len(), 1);
}
