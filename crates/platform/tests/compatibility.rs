//! Which wheels a target installs and which it prefers.

use std::str::FromStr;

use npsolve_platform::{DistFilename, Platform, PythonVersion, Target, WheelFilename};
use pep508_rs::{MarkerTree, PackageName};

fn target(python: &str, platform: &str) -> Target {
    let python: PythonVersion = python.parse().unwrap();
    let platform: Platform = platform.parse().unwrap();
    Target::new(python, platform)
}

fn wheel(filename: &str) -> WheelFilename {
    filename
        .parse()
        .unwrap_or_else(|error| panic!("{filename}: {error}"))
}

fn installable(target: &Target, filename: &str) -> bool {
    wheel(filename).compatibility(target.tags()).is_some()
}

#[test]
fn specific_beats_abi3_beats_pure() {
    let target = target("3.11", "x86_64-manylinux_2_28");
    let specific =
        wheel("cryptography-43.0.3-cp311-cp311-manylinux_2_17_x86_64.manylinux2014_x86_64.whl");
    let abi3 = wheel("cryptography-43.0.3-cp39-abi3-manylinux_2_28_x86_64.whl");
    let pure = wheel("cryptography-43.0.3-py3-none-any.whl");
    let [specific, abi3, pure] =
        [specific, abi3, pure].map(|wheel| wheel.compatibility(target.tags()).unwrap());
    assert!(specific > abi3, "{specific:?} {abi3:?}");
    assert!(abi3 > pure, "{abi3:?} {pure:?}");
    // Within one ABI, the newer glibc baseline is the more specific build.
    let newer = wheel("foo-1.0-cp311-cp311-manylinux_2_28_x86_64.whl").compatibility(target.tags());
    let older = wheel("foo-1.0-cp311-cp311-manylinux1_x86_64.whl").compatibility(target.tags());
    assert!(newer > older);
}

#[test]
fn glibc_ceiling_is_respected() {
    let old = target("3.12", "x86_64-manylinux_2_17");
    assert!(installable(
        &old,
        "numpy-2.1.3-cp312-cp312-manylinux_2_17_x86_64.manylinux2014_x86_64.whl"
    ));
    assert!(installable(
        &old,
        "numpy-2.1.3-cp312-cp312-manylinux2014_x86_64.whl"
    ));
    assert!(installable(
        &old,
        "numpy-1.21.0-cp312-cp312-manylinux_2_12_x86_64.manylinux2010_x86_64.whl"
    ));
    assert!(!installable(
        &old,
        "numpy-2.1.3-cp312-cp312-manylinux_2_28_x86_64.whl"
    ));
    let new = target("3.12", "x86_64-manylinux_2_28");
    assert!(!installable(
        &new,
        "foo-1.0-cp312-cp312-manylinux_2_34_x86_64.whl"
    ));
    assert!(installable(
        &new,
        "foo-1.0-cp312-cp312-manylinux_2_28_x86_64.whl"
    ));
    // Compressed platform sets are compatible when any member is.
    assert!(installable(
        &old,
        "foo-1.0-cp312-cp312-manylinux_2_28_x86_64.manylinux_2_17_x86_64.whl"
    ));
}

#[test]
fn plain_linux_installs_and_other_families_do_not() {
    let linux = target("3.11", "x86_64-manylinux_2_28");
    // pip (packaging's tags) and uv accept plain `linux_x86_64` below every manylinux tag:
    // PyTorch's index serves its local builds so.
    assert!(installable(
        &linux,
        "torch-2.5.1+cu121-cp311-cp311-linux_x86_64.whl"
    ));
    assert!(!installable(
        &linux,
        "numpy-1.26.4-cp311-cp311-musllinux_1_1_x86_64.whl"
    ));
    assert!(!installable(
        &linux,
        "numpy-1.26.4-cp311-cp311-manylinux_2_17_aarch64.manylinux2014_aarch64.whl"
    ));
    assert!(!installable(
        &linux,
        "numpy-1.26.4-cp311-cp311-win_amd64.whl"
    ));
    assert!(!installable(
        &linux,
        "numpy-1.21.0-pp37-pypy37_pp73-manylinux_2_12_x86_64.whl"
    ));
    let musl = target("3.11", "x86_64-musllinux_1_2");
    assert!(installable(
        &musl,
        "numpy-1.26.4-cp311-cp311-musllinux_1_1_x86_64.whl"
    ));
    assert!(!installable(
        &musl,
        "numpy-1.26.4-cp311-cp311-musllinux_1_3_x86_64.whl"
    ));
    assert!(!installable(
        &musl,
        "numpy-1.26.4-cp311-cp311-manylinux_2_17_x86_64.whl"
    ));
}

#[test]
fn python_version_bounds() {
    let py311 = target("3.11", "windows");
    assert!(!installable(
        &py311,
        "numpy-2.1.3-cp312-cp312-win_amd64.whl"
    ));
    assert!(!installable(
        &py311,
        "numpy-2.1.3-cp310-cp310-win_amd64.whl"
    ));
    assert!(
        !installable(&py311, "foo-1.0-cp312-abi3-win_amd64.whl"),
        "abi3 only works forwards"
    );
    assert!(installable(&py311, "foo-1.0-cp37-abi3-win_amd64.whl"));
    assert!(installable(
        &target("3.13", "windows"),
        "cryptography-43.0.3-cp39-abi3-win_amd64.whl"
    ));
    assert!(
        !installable(&py311, "numpy-2.2.0-cp313-cp313t-win_amd64.whl"),
        "free-threaded ABI"
    );
    assert!(!installable(&py311, "foo-1.0-py2-none-any.whl"));
    assert!(installable(&py311, "six-1.16.0-py2.py3-none-any.whl"));
    assert!(installable(&py311, "foo-1.0-cp311-none-any.whl"));
}

#[test]
fn macos_and_windows_architectures() {
    let arm = target("3.12", "aarch64-apple-darwin");
    assert!(installable(
        &arm,
        "numpy-2.1.3-cp312-cp312-macosx_11_0_arm64.whl"
    ));
    assert!(installable(
        &arm,
        "cryptography-43.0.3-cp37-abi3-macosx_10_9_universal2.whl"
    ));
    assert!(!installable(
        &arm,
        "numpy-2.1.3-cp312-cp312-macosx_10_13_x86_64.whl"
    ));
    assert!(
        !installable(&arm, "scipy-1.14.1-cp312-cp312-macosx_14_0_arm64.whl"),
        "macOS 12 target"
    );
    assert!(installable(
        &target("3.12", "aarch64-apple-darwin14.0"),
        "scipy-1.14.1-cp312-cp312-macosx_14_0_arm64.whl"
    ));
    let intel = target("3.12", "x86_64-apple-darwin");
    assert!(installable(
        &intel,
        "numpy-2.1.3-cp312-cp312-macosx_10_13_x86_64.whl"
    ));
    assert!(installable(
        &intel,
        "foo-1.0-cp312-cp312-macosx_10_6_intel.whl"
    ));
    assert!(!installable(
        &intel,
        "numpy-2.1.3-cp312-cp312-macosx_11_0_arm64.whl"
    ));
    let native = wheel("numpy-2.1.3-cp312-cp312-macosx_11_0_arm64.whl").compatibility(arm.tags());
    let universal =
        wheel("numpy-2.1.3-cp312-cp312-macosx_11_0_universal2.whl").compatibility(arm.tags());
    assert!(native > universal);
    let win32 = target("3.12", "i686-pc-windows-msvc");
    assert!(installable(
        &win32,
        "cryptography-43.0.3-cp37-abi3-win32.whl"
    ));
    assert!(!installable(
        &win32,
        "numpy-2.1.3-cp312-cp312-win_amd64.whl"
    ));
    assert!(!installable(
        &target("3.12", "windows"),
        "cryptography-43.0.3-cp37-abi3-win32.whl"
    ));
    assert!(installable(
        &target("3.12", "aarch64-pc-windows-msvc"),
        "numpy-2.1.3-cp312-cp312-win_arm64.whl"
    ));
}

#[test]
fn best_wheel_prefers_priority_then_build_tag() {
    let target = target("3.12", "x86_64-manylinux_2_28");
    let numpy = PackageName::from_str("numpy").unwrap();
    let files: Vec<DistFilename> = [
        "numpy-2.1.3.tar.gz",
        "numpy-2.1.3-py3-none-any.whl",
        "numpy-2.1.3-cp312-cp312-manylinux_2_17_x86_64.manylinux2014_x86_64.whl",
        "numpy-2.1.3-1-cp312-cp312-manylinux_2_17_x86_64.whl",
        "numpy-2.1.3-cp312-cp312-manylinux_2_34_x86_64.whl",
        "numpy-2.1.3-cp312-cp312-win_amd64.whl",
    ]
    .iter()
    .map(|filename| DistFilename::parse(filename, &numpy).unwrap())
    .collect();
    let (best, _) = DistFilename::best_wheel(&files, target.tags()).unwrap();
    assert_eq!(
        best.to_string(),
        "numpy-2.1.3-1-cp312-cp312-manylinux_2_17_x86_64.whl"
    );
    assert!(DistFilename::best_wheel(&files[..1], target.tags()).is_none());
    assert!(DistFilename::best_wheel(&files[5..], target.tags()).is_none());
}

#[test]
fn markers_follow_the_target() {
    let cases = [
        (
            "3.11",
            "linux",
            "sys_platform == 'linux' and platform_machine == 'x86_64'",
            true,
        ),
        ("3.11", "windows", "sys_platform == 'linux'", false),
        ("3.9", "linux", "python_version < '3.10'", true),
        (
            "3.12",
            "macos",
            "sys_platform == 'darwin' and platform_machine == 'arm64'",
            true,
        ),
        (
            "3.12",
            "x86_64-unknown-linux-musl",
            "platform_system == 'Linux'",
            true,
        ),
        (
            "3.12",
            "windows",
            "platform_system != 'Windows' or implementation_name != 'cpython'",
            false,
        ),
    ];
    for (python, platform, marker, expected) in cases {
        let target = target(python, platform);
        let marker = MarkerTree::from_str(marker).unwrap();
        assert_eq!(
            marker.evaluate(target.markers(), &[]),
            expected,
            "{python} {platform} {marker:?}"
        );
    }
}

#[test]
fn interpreter_on_path_describes_itself_when_present() {
    // Skipped (not failed) where no python3 exists; when one does, its
    // description must match what it reports about itself.
    let Ok(output) = std::process::Command::new("python3")
        .args(["-c", "import sys; print('%d.%d' % sys.version_info[:2])"])
        .output()
    else {
        return;
    };
    let expected = String::from_utf8_lossy(&output.stdout).trim().to_string();
    let target = Target::from_interpreter(std::path::Path::new("python3")).unwrap();
    assert_eq!(
        format!("{}.{}", target.python().major(), target.python().minor()),
        expected
    );
    assert!(target.python().patch().is_some());
    let cpython = format!("cp{}{}", target.python().major(), target.python().minor());
    assert!(
        target
            .tags()
            .iter()
            .next()
            .is_some_and(|(python, _, _)| python == cpython)
    );
}
