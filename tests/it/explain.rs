//! `npsolve explain` on the traceback fixtures (tests/fixtures/tracebacks).

use crate::common::repo;

fn explain(args: &[&str]) -> std::process::Output {
    assert_cmd::Command::cargo_bin("npsolve")
        .unwrap()
        .arg("explain")
        .args(args)
        .output()
        .unwrap()
}

#[test]
fn explains_a_real_report_in_text_and_json() {
    let fixture = repo().join("tests/fixtures/tracebacks/pandas_banner_pycharm.txt");
    let output = explain(&[fixture.to_str().unwrap()]);
    assert_eq!(output.status.code(), Some(0));
    insta::assert_snapshot!(String::from_utf8_lossy(&output.stdout));
    let output = explain(&[fixture.to_str().unwrap(), "--json"]);
    let value: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(value["distribution"], "pandas");
    assert_eq!(value["kind"], "built-for-numpy1");
}

#[test]
fn nothing_recognised_is_exit_1() {
    let output = assert_cmd::Command::cargo_bin("npsolve")
        .unwrap()
        .arg("explain")
        .write_stdin("Traceback (most recent call last):\nKeyError: 'x'\n")
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
}

#[test]
fn a_numpy2_only_build_under_numpy1_is_recognised_with_owner_and_fix() {
    let fixture = repo().join("tests/fixtures/tracebacks/pyarrow_requires_numpy2.txt");
    let output = explain(&[fixture.to_str().unwrap(), "--json"]);
    assert_eq!(output.status.code(), Some(0));
    let value: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(value["kind"], "built-for-newer-numpy", "{value}");
    assert_eq!(value["distribution"], "pyarrow", "{value}");
    let output = explain(&[fixture.to_str().unwrap()]);
    let text = String::from_utf8_lossy(&output.stdout);
    assert!(text.contains("NumPy 2.0 or newer"), "{text}");
    assert!(text.contains("numpy>=2.0"), "{text}");
    // The NumPy 1.x headers' own message for a newer feature level.
    let output = assert_cmd::Command::cargo_bin("npsolve")
        .unwrap()
        .arg("explain")
        .arg("--json")
        .write_stdin("  File \"/v/lib/python3.11/site-packages/scipy/_lib/_ccallback.py\", line 1\nRuntimeError: module compiled against API version 0x10 but this version of numpy is 0xe\n")
        .output()
        .unwrap();
    let value: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(value["kind"], "built-for-newer-numpy", "{value}");
    assert!(
        value["cause"]
            .as_str()
            .unwrap()
            .contains("NumPy 1.23 or newer"),
        "{value}"
    );
}
