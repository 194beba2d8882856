//! Bad input through the binary: a clear message and exit code 2, never a panic.

use crate::common::{Npsolve, transcript};

#[test]
fn parse_error_points_at_line_and_column() {
    let mut npsolve = Npsolve::new("compile");
    npsolve.file("requirements.txt", "numpy\npandas=>1.0\n");
    let output = npsolve.command.arg("requirements.txt").output().unwrap();
    assert_eq!(output.status.code(), Some(2));
    insta::assert_snapshot!(transcript(&output, npsolve.dir.path()));
}

#[test]
fn missing_file_is_exit_2() {
    let npsolve = Npsolve::new("compile");
    let mut command = npsolve.command;
    let output = command.arg("nope.txt").output().unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("nope.txt"));
}

#[test]
fn shorthand_runs_compile_and_help_shows_examples() {
    let npsolve = Npsolve::new("compile");
    npsolve.file("requirements.txt", "six\n");
    let help = assert_cmd::Command::cargo_bin("npsolve")
        .unwrap()
        .arg("--help")
        .output()
        .unwrap();
    let help = String::from_utf8_lossy(&help.stdout);
    assert!(
        help.contains("Examples:") && help.contains("Exit codes:"),
        "{help}"
    );
    let compile_help = assert_cmd::Command::cargo_bin("npsolve")
        .unwrap()
        .args(["compile", "--help"])
        .output()
        .unwrap();
    let compile_help = String::from_utf8_lossy(&compile_help.stdout);
    assert!(
        compile_help.contains("Index options") && compile_help.contains("Examples:"),
        "{compile_help}"
    );
    let shorthand = assert_cmd::Command::cargo_bin("npsolve")
        .unwrap()
        .current_dir(npsolve.dir.path())
        .env("NPSOLVE_CACHE_DIR", npsolve.dir.path().join("cache"))
        .args([
            "requirements.txt",
            "--no-header",
            "--index-url",
            &crate::common::server().index_url(),
        ])
        .args([
            "--python-version",
            "3.11",
            "--python-platform",
            "x86_64-manylinux_2_28",
        ])
        .output()
        .unwrap();
    assert!(
        shorthand.status.success(),
        "{}",
        String::from_utf8_lossy(&shorthand.stderr)
    );
    assert!(String::from_utf8_lossy(&shorthand.stdout).starts_with("six==1.17.0"));
}

#[test]
fn doctor_on_a_missing_venv_is_a_usage_error() {
    let output = assert_cmd::Command::cargo_bin("npsolve")
        .unwrap()
        .args(["doctor", "--venv", "/nonexistent/venv"])
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&output.stderr)
            .contains("`/nonexistent/venv` is not a virtual environment"),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
}
