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
    assert_eq!(scan_json(&path)["verdict"], "no-capi");
    let output = assert_cmd::Command::cargo_bin("npsolve")
        .unwrap()
        .args(["scan", "pandas==1.5.3"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    let broken = dir.path().join("broken-1.0-py3-none-any.whl");
    std::fs::write(&broken, b"not a zip").unwrap();
    let output = assert_cmd::Command::cargo_bin("npsolve")
        .unwrap()
        .args(["scan", broken.to_str().unwrap()])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("cannot read"));
}
