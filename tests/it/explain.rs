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
