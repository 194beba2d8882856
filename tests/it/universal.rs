//! `--universal`: one file for every target, each target's packages selected by markers, and
//! the NumPy verdict of the wheel each target installs.

use std::str::FromStr;

use npsolve_platform::Target;
use pep508_rs::Requirement;

use crate::common::{NUMPY1_MODULE, Release, run_synthetic};

/// A module built against NumPy 2 (runs with NumPy 1.21 and later, 2.x included).
const NUMPY2_MODULE: &[u8] = b"\0_ARRAY_API\0numpy._core._multiarray_umath\0module was compiled against NumPy C-API version 0x%x (NumPy 1.21) but the running NumPy has C-API version 0x%x.\0";

/// `fastlib` 1.0 ships a cp312 wheel built against NumPy 1 and a cp313 wheel built against
/// NumPy 2: metadata alike, binaries not.
fn index() -> Vec<Release> {
    vec![
        Release::new("numpy", "1.26.4"),
        Release::new("numpy", "2.1.0"),
        Release::new("fastlib", "1.0")
            .requires("numpy>=1.23")
            .module(NUMPY1_MODULE)
            .tags("cp312-cp312-manylinux_2_17_x86_64"),
        Release::new("fastlib", "1.0")
            .requires("numpy>=1.23")
            .module(NUMPY2_MODULE)
            .tags("cp313-cp313-manylinux_2_17_x86_64"),
        Release::new("winonly", "1.0"),
        Release::new("tomlish", "1.0"),
    ]
}

/// The pins whose markers hold on `target`.
fn selected(text: &str, target: &Target) -> Vec<(String, String)> {
    text.lines()
        .filter(|line| line.contains("=="))
        .filter_map(|line| {
            let requirement = Requirement::<pep508_rs::VerbatimUrl>::from_str(line).ok()?;
            requirement
                .evaluate_markers(target.markers(), &[])
                .then(|| {
                    let (name, rest) = line.split_once("==")?;
                    let version = rest.split(" ;").next()?.trim();
                    Some((name.to_string(), version.to_string()))
                })
                .flatten()
        })
        .collect()
}

#[test]
fn each_target_gets_the_numpy_its_wheel_was_built_for() {
    // numpy 2 is asked for on 3.13 and later: there the cp313 wheel allows it, while on 3.12
    // the cp312 wheel keeps numpy below 2 (a metadata-only resolver would give 3.12 numpy 2).
    let requirements = "fastlib\nnumpy\nnumpy>=2 ; python_version >= '3.13'\nwinonly ; sys_platform == 'win32'\ntomlish ; python_version < '3.13'\n";
    let (output, transcript) = run_synthetic(
        "compile",
        &index(),
        requirements,
        &[
            "--universal",
            "--no-header",
            "--python-version",
            "3.12",
            "--python-platform",
            "x86_64-manylinux_2_28",
        ],
    );
    assert!(output.status.success(), "{transcript}");
    let stdout = String::from_utf8_lossy(&output.stdout);
    // The cp312 wheel needs NumPy 1; the cp313 wheel runs with NumPy 2.
    assert!(
        stdout.contains("numpy==1.26.4 ; python_full_version < '3.13'"),
        "{transcript}"
    );
    assert!(
        stdout.contains("numpy==2.1.0 ; python_full_version >= '3.13'"),
        "{transcript}"
    );
    assert!(
        stdout.contains("tomlish==1.0 ; python_full_version < '3.13'"),
        "{transcript}"
    );
    // Not a target here: Windows is not among the platforms named.
    assert!(!stdout.contains("winonly"), "{transcript}");
    // CPython 3.14 and 3.15 have no wheel of fastlib (and no sdist): left out, and said so.
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("the lock does not cover CPython 3.14 on x86_64-manylinux_2_28"),
        "{transcript}"
    );
    // No target pairs the NumPy-1 build with numpy 2.
    for python in ["3.12", "3.13"] {
        let target = Target::new(
            python.parse().unwrap(),
            "x86_64-manylinux_2_28".parse().unwrap(),
        );
        let pins = selected(&stdout, &target);
        let numpy = pins.iter().find(|(name, _)| name == "numpy").unwrap();
        assert!(
            pins.iter().any(|(name, _)| name == "fastlib"),
            "{python}: {pins:?}"
        );
        assert_eq!(
            numpy.1.starts_with('2'),
            python == "3.13",
            "{python}: {pins:?}"
        );
        let count = pins.iter().filter(|(name, _)| name == "numpy").count();
        assert_eq!(count, 1, "{python}: {pins:?}");
    }
    // The binding bound shows on the NumPy-1 side.
    assert!(stdout.contains("# ABI: fastlib 1.0"), "{transcript}");
}

#[test]
fn a_universal_lock_lists_every_wheel_its_markers_and_verdicts_and_check_reads_its_targets() {
    let index_dir = tempfile::tempdir().unwrap();
    crate::common::synthetic_index(index_dir.path(), &index());
    let dir = tempfile::tempdir().unwrap();
    let server = npsolve_testkit::FixtureServer::start(
        index_dir.path(),
        npsolve_testkit::ServerOptions::default(),
    );
    std::fs::write(
        dir.path().join("requirements.txt"),
        "fastlib\nnumpy\nnumpy>=2 ; python_version >= '3.13'\n",
    )
    .unwrap();
    let run = |args: &[&str]| {
        assert_cmd::Command::cargo_bin("npsolve")
            .unwrap()
            .current_dir(dir.path())
            .env("NPSOLVE_CACHE_DIR", dir.path().join("cache"))
            .env("NO_COLOR", "1")
            .args(args)
            .args(["--index-url", server.index_url().as_str()])
            .output()
            .unwrap()
    };
    let locked = run(&[
        "lock",
        "requirements.txt",
        "--universal",
        "--python-version",
        "3.12",
        "--python-platform",
        "x86_64-manylinux_2_28",
        "-o",
        "pylock.toml",
    ]);
    assert!(
        locked.status.success(),
        "{}",
        String::from_utf8_lossy(&locked.stderr)
    );
    let text = std::fs::read_to_string(dir.path().join("pylock.toml")).unwrap();
    assert!(
        text.contains("marker = \"python_full_version < '3.13'\""),
        "{text}"
    );
    // Both wheels of fastlib, each with its own verdict.
    assert!(
        text.contains("fastlib-1.0-cp312-cp312-manylinux_2_17_x86_64.whl"),
        "{text}"
    );
    assert!(
        text.contains("fastlib-1.0-cp313-cp313-manylinux_2_17_x86_64.whl"),
        "{text}"
    );
    assert!(text.contains("built with NumPy 1.x"), "{text}");
    assert!(text.contains("built with NumPy 2.x"), "{text}");
    assert!(text.contains("[[tool.npsolve.targets]]"), "{text}");
    // check --universal checks the targets the lock names, and finds them clean.
    let checked = run(&["check", "pylock.toml", "--universal"]);
    let report = String::from_utf8_lossy(&checked.stdout);
    assert!(
        checked.status.success(),
        "{report}{}",
        String::from_utf8_lossy(&checked.stderr)
    );
    assert!(
        report.contains("CPython 3.12 on x86_64-manylinux_2_28"),
        "{report}"
    );
    assert!(
        report.contains("CPython 3.13 on x86_64-manylinux_2_28"),
        "{report}"
    );
    // A lock that pairs the NumPy-1 build with numpy 2 on 3.12 fails that target's check.
    let broken = text.replace("version = \"1.26.4\"", "version = \"2.1.0\"");
    std::fs::write(dir.path().join("broken.toml"), broken).unwrap();
    std::fs::rename(
        dir.path().join("broken.toml"),
        dir.path().join("pylock.broken.toml"),
    )
    .unwrap();
    let checked = run(&["check", "pylock.broken.toml", "--universal"]);
    assert_eq!(
        checked.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&checked.stdout)
    );
}

#[test]
fn python_platform_repeated_needs_universal() {
    let (output, transcript) = run_synthetic(
        "compile",
        &index(),
        "numpy\n",
        &[
            "--python-platform",
            "x86_64-manylinux_2_28",
            "--python-platform",
            "aarch64-apple-darwin",
        ],
    );
    assert_eq!(output.status.code(), Some(2), "{transcript}");
    assert!(transcript.contains("only with --universal"), "{transcript}");
}
