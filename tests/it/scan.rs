//! `npsolve scan` on synthetic wheels: zip files with stand-in modules carrying markers.

use std::io::Write;

fn wheel(dir: &std::path::Path, name: &str, members: &[(&str, &[u8])]) -> std::path::PathBuf {
    let path = dir.join(name);
    let mut zip = zip::ZipWriter::new(std::fs::File::create(&path).unwrap());
    for (member, bytes) in members {
        let options = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Deflated);
        zip.start_file(*member, options).unwrap();
        zip.write_all(bytes).unwrap();
    }
    zip.finish().unwrap();
    path
}

fn scan_json(path: &std::path::Path) -> serde_json::Value {
    let output = assert_cmd::Command::cargo_bin("npsolve")
        .unwrap()
        .args(["scan", path.to_str().unwrap(), "--json"])
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_slice(&output.stdout).unwrap()
}

#[test]
fn reads_numpy2_headers_and_their_floor() {
    let dir = tempfile::tempdir().unwrap();
    let module: &[u8] = b"\x7fELF....\0_ARRAY_API\0numpy._core._multiarray_umath\0module was compiled against NumPy C-API version 0x%x (NumPy 1.20) but the running NumPy has C-API version 0x%x.\0";
    let path = wheel(
        dir.path(),
        "demo-1.0-cp311-cp311-manylinux_2_17_x86_64.whl",
        &[
            ("demo/_ext.cpython-311-x86_64-linux-gnu.so", module),
            ("demo/__init__.py", b""),
        ],
    );
    let report = scan_json(&path);
    assert_eq!(report["verdict"], "numpy2");
    assert_eq!(report["floor"], "1.20");
    assert_eq!(report["runs_with"], "numpy>=1.20,<3");
    assert_eq!(
        report["module"],
        "demo/_ext.cpython-311-x86_64-linux-gnu.so"
    );
}

#[test]
fn reads_numpy1_headers_and_skips_vendored_libraries() {
    let dir = tempfile::tempdir().unwrap();
    let numpy1: &[u8] = b"\0_ARRAY_API\0_ARRAY_API not found\0module compiled against API version 0x%x but this version of numpy is 0x%x\0";
    let vendored: &[u8] = b"\0_ARRAY_API\0numpy._core._multiarray_umath\0";
    let path = wheel(
        dir.path(),
        "demo-1.0-cp311-cp311-manylinux_2_17_x86_64.whl",
        &[
            ("demo.libs/libvendored.so", vendored),
            ("demo/_ext.cpython-311-x86_64-linux-gnu.so", numpy1),
        ],
    );
    assert_eq!(scan_json(&path)["verdict"], "numpy1");
}

#[test]
fn pure_wheel_has_no_capi_and_bad_targets_are_usage_errors() {
    let dir = tempfile::tempdir().unwrap();
    let path = wheel(
        dir.path(),
        "demo-1.0-py3-none-any.whl",
        &[("demo/__init__.py", b"import numpy\n")],
    );
    let report = scan_json(&path);
    assert_eq!(report["verdict"], "no-capi");
    assert_eq!(report["requests"], 0);
    for bad in ["pandas>=1.5", "not a requirement !"] {
        let output = assert_cmd::Command::cargo_bin("npsolve")
            .unwrap()
            .args(["scan", bad, "--offline"])
            .output()
            .unwrap();
        assert_eq!(output.status.code(), Some(2), "{bad}");
    }
    let broken = dir
        .path()
        .join("broken-1.0-cp311-cp311-manylinux_2_17_x86_64.whl");
    std::fs::write(&broken, b"not a zip").unwrap();
    let output = assert_cmd::Command::cargo_bin("npsolve")
        .unwrap()
        .args(["scan", broken.to_str().unwrap()])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&output.stderr).contains("cannot read archive"),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
}

const NUMPY1: &[u8] = b"\0_ARRAY_API\0_ARRAY_API not found\0module compiled against API version 0x%x but this version of numpy is 0x%x\0";
const NUMPY2: &[u8] = b"\0_ARRAY_API\0numpy._core._multiarray_umath\0module was compiled against NumPy C-API version 0x%x (NumPy 1.21) but the running NumPy has C-API version 0x%x.\0";

/// A PEP 691 index on loopback with one release of `name` (wheels named by their tags).
fn index(
    name: &str,
    version: &str,
    wheels: &[(&str, &[u8])],
) -> (tempfile::TempDir, npsolve_testkit::FixtureServer) {
    use sha2::Digest;
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("index");
    let files = root.join("files");
    std::fs::create_dir_all(&files).unwrap();
    let mut entries = Vec::new();
    for (tags, module) in wheels {
        let filename = format!("{name}-{version}-{tags}.whl");
        let path = wheel(
            &files,
            &filename,
            &[
                (&format!("{name}/_ext.so"), module),
                (&format!("{name}/__init__.py"), b""),
            ],
        );
        let bytes = std::fs::read(&path).unwrap();
        entries.push(serde_json::json!({
            "filename": filename,
            "url": format!("../../files/{filename}"),
            "hashes": {"sha256": hex::encode(sha2::Sha256::digest(&bytes))},
            "size": bytes.len(),
        }));
    }
    let page = serde_json::json!({"meta": {"api-version": "1.1"}, "name": name, "files": entries});
    std::fs::create_dir_all(root.join("simple").join(name)).unwrap();
    std::fs::write(
        root.join("simple").join(name).join("index.json"),
        page.to_string(),
    )
    .unwrap();
    let server =
        npsolve_testkit::FixtureServer::start(root, npsolve_testkit::ServerOptions::default());
    (dir, server)
}

fn scan_remote(
    server: &npsolve_testkit::FixtureServer,
    cache: &std::path::Path,
    args: &[&str],
) -> std::process::Output {
    assert_cmd::Command::cargo_bin("npsolve")
        .unwrap()
        .arg("scan")
        .args(args)
        .args([
            "--index-url",
            &server.index_url(),
            "--cache-dir",
            cache.to_str().unwrap(),
        ])
        .args([
            "--python-version",
            "3.11",
            "--python-platform",
            "x86_64-manylinux_2_28",
        ])
        .env("NO_COLOR", "1")
        .output()
        .unwrap()
}

#[test]
fn package_version_scans_the_wheel_the_target_installs_over_range_requests() {
    let (dir, server) = index(
        "demo",
        "1.0",
        &[
            ("cp311-cp311-manylinux_2_17_x86_64", NUMPY1),
            ("cp312-cp312-manylinux_2_17_x86_64", NUMPY2),
            ("cp311-cp311-win_amd64", NUMPY2),
        ],
    );
    let cache = dir.path().join("cache");
    let output = scan_remote(&server, &cache, &["demo==1.0", "--json"]);
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let lines: Vec<serde_json::Value> = String::from_utf8_lossy(&output.stdout)
        .lines()
        .map(|line| serde_json::from_str(line).unwrap())
        .collect();
    assert_eq!(lines.len(), 1, "one object per wheel");
    let report = &lines[0];
    for key in [
        "file",
        "sha256",
        "verdict",
        "silent",
        "floor",
        "module",
        "evidence",
        "bytes_fetched",
        "requests",
    ] {
        assert!(
            report.get(key).is_some(),
            "the contract has `{key}`: {report}"
        );
    }
    assert_eq!(
        report["file"],
        "demo-1.0-cp311-cp311-manylinux_2_17_x86_64.whl"
    );
    assert_eq!(report["verdict"], "numpy1");
    assert_eq!(report["silent"], false);
    assert_eq!(report["module"], "demo/_ext.so");
    assert_eq!(report["from"], "scan");
    assert!(report["requests"].as_u64().unwrap() >= 1);
    let wheel_requests = server
        .requests()
        .into_iter()
        .filter(|request| request.path.ends_with(".whl"))
        .collect::<Vec<_>>();
    assert!(
        wheel_requests.iter().all(|request| request.status == 206),
        "{wheel_requests:?}"
    );

    // Every wheel of the release, the second time from the verdict cache for the first one.
    let output = scan_remote(&server, &cache, &["demo==1.0", "--all-wheels", "--json"]);
    let text = String::from_utf8_lossy(&output.stdout);
    let verdicts: Vec<(String, String, String)> = text
        .lines()
        .map(|line| {
            let value: serde_json::Value = serde_json::from_str(line).unwrap();
            (
                value["file"].as_str().unwrap().to_string(),
                value["verdict"].as_str().unwrap().to_string(),
                value["from"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    assert_eq!(verdicts.len(), 3, "{text}");
    assert!(verdicts.contains(&(
        "demo-1.0-cp311-cp311-manylinux_2_17_x86_64.whl".to_string(),
        "numpy1".to_string(),
        "cache".to_string()
    )));
    // The cp312 and win_amd64 wheels are the same bytes (one sha256): whichever of the two
    // concurrent scans finishes first caches the verdict the other may read.
    let cp312 = verdicts
        .iter()
        .find(|(file, _, _)| file == "demo-1.0-cp312-cp312-manylinux_2_17_x86_64.whl")
        .unwrap_or_else(|| panic!("{text}"));
    assert_eq!(cp312.1, "numpy2", "{text}");
    assert!(cp312.2 == "scan" || cp312.2 == "cache", "{text}");

    // A wheel URL with its sha256 in the fragment.
    let url = format!("{}files/demo-1.0-cp311-cp311-win_amd64.whl", server.url());
    let output = scan_remote(&server, &cache, &[&url]);
    let text = String::from_utf8_lossy(&output.stdout);
    assert!(text.contains("verdict: numpy2, floor 1.21"), "{text}");
    assert!(text.contains("runs with: numpy>=1.21,<3"), "{text}");

    // No wheel for the target is a usage error naming the target.
    let output = scan_remote(&server, &cache, &["demo==1.0", "--python-version", "3.13"]);
    assert_eq!(output.status.code(), Some(2));
}

#[test]
fn a_scan_that_contradicts_the_curated_facts_is_reported() {
    // The curated data says pandas 1.5.3 (cp311) is built against NumPy 1.x with floor 1.23;
    // this stand-in carries NumPy 2 headers.
    let (dir, server) = index(
        "pandas",
        "1.5.3",
        &[("cp311-cp311-manylinux_2_17_x86_64", NUMPY2)],
    );
    let output = scan_remote(&server, &dir.path().join("cache"), &["pandas==1.5.3"]);
    let text = String::from_utf8_lossy(&output.stdout);
    assert!(output.status.success());
    assert!(text.contains("curated: numpy1 floor 1.23"), "{text}");
    // The binaries of this very file settle the major; the disagreement is named.
    assert!(
        text.contains("resolution uses: numpy2 (floor 1.21), settled by the scan of its binaries"),
        "{text}"
    );
    assert!(
        text.contains("DISAGREEMENT: the curated fact (data/numpy-abi.toml line ")
            && text.contains("says built against NumPy 1.x (floor 1.23) but the scan of its binaries says built against NumPy 2.x (floor 1.21)"),
        "{text}"
    );
    let output = scan_remote(
        &server,
        &dir.path().join("cache"),
        &["pandas==1.5.3", "--json"],
    );
    let value: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(value["curated"]["disagrees"], true);
    assert_eq!(value["merged"]["verdict"], "numpy2");
    assert_eq!(value["merged"]["floor"], "1.21");
    assert_eq!(
        value["merged"]["disagreements"].as_array().map(Vec::len),
        Some(1)
    );
}

#[test]
fn an_undecided_scan_is_cached_with_its_budget_and_not_retried() {
    // A module without markers: proving "no C-API" needs all of it, which a 300-byte budget
    // cannot fetch.
    let blank = vec![0u8; 64 * 1024];
    let (dir, server) = index(
        "demo",
        "1.0",
        &[("cp311-cp311-manylinux_2_17_x86_64", &blank)],
    );
    let cache = dir.path().join("cache");
    let scan = |budget: &str| {
        let output = scan_remote(
            &server,
            &cache,
            &["demo==1.0", "--json", "--byte-budget", budget],
        );
        assert!(
            output.status.success(),
            "{}",
            String::from_utf8_lossy(&output.stderr)
        );
        serde_json::from_slice::<serde_json::Value>(&output.stdout).unwrap()
    };
    let cold = scan("300");
    assert_eq!(cold["verdict"], "unknown");
    assert_eq!(cold["complete"], false);
    assert!(cold["requests"].as_u64().unwrap() > 0);
    let warm = scan("300");
    assert_eq!(warm["from"], "cache", "{warm}");
    assert_eq!(warm["requests"], 0);
    assert_eq!(warm["verdict"], "unknown");
    // A larger budget may say more, so it reads the wheel again, and keeps the answer.
    let larger = scan("1000000");
    assert_eq!(larger["from"], "scan");
    assert_eq!(larger["verdict"], "no-capi");
    let again = scan("300");
    assert_eq!(again["from"], "cache");
    assert_eq!(again["verdict"], "no-capi");
}
