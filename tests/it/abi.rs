//! The NumPy ABI layer end to end, on the recorded fixture index (real PyPI metadata
//! for pandas, scipy, scikit-learn, matplotlib and numpy 1.24–2.1) with the bundled facts.

use crate::common::{NUMPY1_MODULE, Npsolve, Release, compile_synthetic, transcript};

/// Runs `npsolve compile` on `requirements` with `extra` arguments.
fn compile(requirements: &str, extra: &[&str]) -> (std::process::Output, String) {
    let mut npsolve = Npsolve::new("compile");
    npsolve.file("requirements.txt", requirements);
    let output = npsolve
        .command
        .args(["requirements.txt", "--no-header"])
        .args(extra)
        .output()
        .expect("run npsolve");
    let text = transcript(&output, npsolve.dir.path());
    (output, text)
}

fn pin(output: &std::process::Output, name: &str) -> Option<String> {
    String::from_utf8_lossy(&output.stdout)
        .lines()
        .find_map(|line| line.strip_prefix(&format!("{name}==")).map(str::to_string))
}

#[test]
fn old_pin_with_unpinned_numpy_gets_numpy_1() {
    let (output, text) = compile("pandas==1.5.3\nnumpy\n", &[]);
    assert_eq!(pin(&output, "numpy").as_deref(), Some("1.26.4"), "{text}");
    assert!(
        text.contains("# ABI: pandas 1.5.3 built with NumPy 1.x"),
        "{text}"
    );
    // Metadata alone pairs it with NumPy 2, the set that crashes at import.
    let (plain, text) = compile("pandas==1.5.3\nnumpy\n", &["--no-abi"]);
    assert_eq!(pin(&plain, "numpy").as_deref(), Some("2.1.3"), "{text}");
}

#[test]
fn old_pin_with_numpy_2_fails_naming_package_rule_and_first_numpy2_release() {
    let (output, text) = compile("pandas==1.5.3\nnumpy>=2\n", &[]);
    assert_eq!(output.status.code(), Some(1), "{text}");
    insta::assert_snapshot!(text);
}

#[test]
fn only_the_offender_is_named() {
    let (output, text) = compile(
        "pandas==2.2.2\nscipy==1.13.1\nscikit-learn==1.3.2\nnumpy\n",
        &[],
    );
    assert_eq!(pin(&output, "numpy").as_deref(), Some("1.26.4"), "{text}");
    let stdout = String::from_utf8_lossy(&output.stdout);
    let abi_lines: Vec<&str> = stdout
        .lines()
        .filter(|line| line.contains("ABI:"))
        .collect();
    assert_eq!(
        abi_lines,
        vec!["    # ABI: scikit-learn 1.3.2 built with NumPy 1.x, needs numpy>=1.23,<2"; 2],
        "{text}"
    );
}

#[test]
fn range_does_not_walk_back_to_an_old_uncapped_release() {
    // pandas 2.0.3 declares `numpy>=1.23.2` with no upper bound, so a metadata-only
    // resolver walks back to it and pairs it with NumPy 2.
    let (plain, text) = compile("pandas<2.2\nnumpy>=2\n", &["--no-abi"]);
    assert_eq!(pin(&plain, "pandas").as_deref(), Some("2.0.3"), "{text}");
    assert_eq!(pin(&plain, "numpy").as_deref(), Some("2.1.3"), "{text}");
    // npsolve knows those wheels were built against NumPy 1.x and says so.
    let (output, text) = compile("pandas<2.2\nnumpy>=2\n", &[]);
    assert_eq!(output.status.code(), Some(1), "{text}");
    assert!(
        text.contains("built with NumPy 1.x") && text.contains("`pandas>=2.2.2` allows numpy>=2"),
        "{text}"
    );
    // Without the cap on pandas it moves forward instead, to a NumPy-2 build.
    let (output, text) = compile("pandas\nnumpy>=2\n", &[]);
    assert_eq!(pin(&output, "pandas").as_deref(), Some("2.2.3"), "{text}");
}

#[test]
fn stacks_without_offenders_are_unchanged() {
    for requirements in [
        "six\npython-dateutil\npytz\ntzdata\n",
        "pandas==2.2.2\nnumpy\n",
        "matplotlib>=3.9\nnumpy\n",
    ] {
        let (with_abi, text) = compile(requirements, &[]);
        assert!(with_abi.status.success(), "{text}");
        let (without, _) = compile(requirements, &["--no-abi"]);
        let pins = |output: &std::process::Output| {
            String::from_utf8_lossy(&output.stdout)
                .lines()
                .filter(|line| line.contains("=="))
                .map(str::to_string)
                .collect::<Vec<_>>()
        };
        assert_eq!(pins(&with_abi), pins(&without), "{requirements}");
    }
}

#[test]
fn abi_command_prints_facts_with_sources() {
    let output = assert_cmd::Command::cargo_bin("npsolve")
        .unwrap()
        .args(["abi", "contourpy==1.2.0"])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&output.stdout);
    assert!(output.status.success());
    assert!(
        text.contains("pybind11") && text.contains("source:"),
        "{text}"
    );
    // The bundled wheels of the release, with what resolution uses for each.
    let output = assert_cmd::Command::cargo_bin("npsolve")
        .unwrap()
        .args(["abi", "pyarrow==26.0.1"])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&output.stdout);
    assert!(
        text.contains(
            "pyarrow-26.0.1-cp311-cp311-manylinux_2_28_x86_64.whl: numpy2 (floor 2.0), settled by"
        ),
        "{text}"
    );
}

#[test]
fn compiled_numpy_dependents_without_facts_are_flagged_unchecked() {
    let releases = [
        Release::new("uncurated-ext", "1.0")
            .compiled()
            .requires("numpy>=1.20"),
        Release::new("pure-helper", "1.0").requires("numpy"),
        Release::new("numpy", "2.1.3"),
    ];
    let (output, text) = compile_synthetic(&releases, "uncurated-ext\npure-helper\n", &[]);
    assert!(output.status.success(), "{text}");
    assert!(
        text.contains("warning: no NumPy ABI facts for `uncurated-ext` 1.0"),
        "{text}"
    );
    assert_eq!(
        text.matches("ABI: unchecked").count(),
        1,
        "only the compiled wheel: {text}"
    );
}

#[test]
fn wheels_nobody_curated_are_scanned_during_resolution() {
    let releases = [
        Release::new("uncurated-ext", "1.0")
            .module(NUMPY1_MODULE)
            .requires("numpy>=1.20"),
        Release::new("numpy", "2.1.3"),
        Release::new("numpy", "1.26.4"),
    ];
    let (output, text) = compile_synthetic(&releases, "uncurated-ext\nnumpy\n", &[]);
    assert!(output.status.success(), "{text}");
    assert_eq!(pin(&output, "numpy").as_deref(), Some("1.26.4"), "{text}");
    assert!(
        text.contains("uncurated-ext 1.0 built with NumPy 1.x"),
        "the pin says why: {text}"
    );
    assert!(!text.contains("ABI: unchecked"), "{text}");

    // The scan decides a conflict the same way a curated fact would, naming where it looked.
    let (output, text) = compile_synthetic(&releases, "uncurated-ext\nnumpy>=2\n", &[]);
    assert_eq!(output.status.code(), Some(1), "{text}");
    assert!(text.contains("found in its binaries"), "{text}");
    assert!(text.contains("uncurated_ext/_ext.so"), "{text}");

    // --abi-scan off: metadata alone, the wheel flagged unchecked.
    let (output, text) =
        compile_synthetic(&releases, "uncurated-ext\nnumpy\n", &["--abi-scan", "off"]);
    assert!(output.status.success(), "{text}");
    assert_eq!(pin(&output, "numpy").as_deref(), Some("2.1.3"), "{text}");
    assert!(text.contains("ABI: unchecked"), "{text}");
}

#[test]
fn check_scans_pins_nobody_curated() {
    let releases = [
        Release::new("uncurated-ext", "1.0")
            .module(NUMPY1_MODULE)
            .requires("numpy>=1.20"),
        Release::new("numpy", "2.1.3"),
    ];
    let (output, text) = crate::common::run_synthetic(
        "check",
        &releases,
        "uncurated-ext==1.0\nnumpy==2.1.3\n",
        &[],
    );
    assert_eq!(output.status.code(), Some(1), "{text}");
    assert!(
        text.contains("requirements.txt:1: error: abi-conflict"),
        "{text}"
    );
}

#[test]
fn a_wheel_without_capi_use_is_checked_and_adds_no_numpy() {
    // Scanned: a compiled numpy dependent whose module never touches the C-API.
    let releases = [
        Release::new("ctypes-ext", "1.0")
            .module(b"\0PyInit__ext\0ctypes\0")
            .requires("numpy"),
        Release::new("numpy", "2.1.3"),
        Release::new("numpy", "1.26.4"),
    ];
    let (output, text) = compile_synthetic(&releases, "ctypes-ext\n", &[]);
    assert!(output.status.success(), "{text}");
    assert_eq!(pin(&output, "numpy").as_deref(), Some("2.1.3"), "{text}");
    assert!(!text.contains("unchecked"), "{text}");

    // Curated "no C-API" on a package that does not require numpy: numpy stays out.
    let (output, text) = compile("pillow\n", &[]);
    assert!(output.status.success(), "{text}");
    assert_eq!(pin(&output, "numpy"), None, "{text}");
}

/// A real module trimmed to its markers (tests/fixtures/modules).
fn real_module(name: &str) -> Vec<u8> {
    std::fs::read(
        crate::common::repo()
            .join("tests/fixtures/modules")
            .join(name),
    )
    .expect("module fixture")
}

/// pyarrow 25 (NumPy 2 headers, floor 1.23) and 26 (floor 2.0), neither declaring numpy,
/// with numpy 1.26.4 and 2.1.3.
fn pyarrow_releases() -> Vec<Release> {
    vec![
        Release::new("pyarrow", "25.0.0")
            .module(&real_module("pyarrow-25.0.0-libarrow_python.so.trimmed")),
        Release::new("pyarrow", "26.0.1")
            .module(&real_module("pyarrow-26.0.1-libarrow_python.so.trimmed")),
        Release::new("numpy", "1.26.4"),
        Release::new("numpy", "2.1.3"),
    ]
}

#[test]
fn a_numpy2_only_build_that_declares_no_numpy_gets_its_floor_as_a_bound() {
    let releases = pyarrow_releases();
    // numpy<2: pyarrow 26 (floor 2.0) cannot run, so pyarrow moves back to 25.
    let (output, text) = compile_synthetic(&releases, "pyarrow\nnumpy<2\n", &[]);
    assert!(output.status.success(), "{text}");
    assert_eq!(pin(&output, "pyarrow").as_deref(), Some("25.0.0"), "{text}");
    assert_eq!(pin(&output, "numpy").as_deref(), Some("1.26.4"), "{text}");
    // Nothing else holds numpy back: the newest of both.
    let (output, text) = compile_synthetic(&releases, "pyarrow\nnumpy\n", &[]);
    assert_eq!(pin(&output, "pyarrow").as_deref(), Some("26.0.1"), "{text}");
    assert_eq!(pin(&output, "numpy").as_deref(), Some("2.1.3"), "{text}");
    // A bound never pulls numpy in: pyarrow runs without it.
    let (output, text) = compile_synthetic(&releases, "pyarrow\n", &[]);
    assert!(output.status.success(), "{text}");
    assert_eq!(pin(&output, "numpy"), None, "{text}");
    // Only numpy 2 pinned as pyarrow==26 needs: a conflict naming the floor.
    let (output, text) = compile_synthetic(&releases, "pyarrow==26.0.1\nnumpy<2\n", &[]);
    assert_eq!(output.status.code(), Some(1), "{text}");
    assert!(
        text.contains("built with NumPy 2.x, needs numpy>=2.0"),
        "{text}"
    );
}

#[test]
fn a_curated_fact_without_a_floor_keeps_the_floor_a_scan_reads() {
    // The curated facts say gensim > 4.4.0 is a NumPy 2 build, without a floor; this wheel's
    // module (pyarrow 26's, a real NPY_TARGET_VERSION 2.0 build) says 2.0. gensim 4.4.0 is
    // curated with floor 1.16.
    let releases = [
        Release::new("gensim", "4.4.0")
            .module(&real_module("pyarrow-25.0.0-libarrow_python.so.trimmed"))
            .requires("numpy>=1.18.5"),
        Release::new("gensim", "4.4.1")
            .module(&real_module("pyarrow-26.0.1-libarrow_python.so.trimmed"))
            .requires("numpy>=1.18.5"),
        Release::new("numpy", "1.22.4"),
        Release::new("numpy", "1.26.4"),
        Release::new("numpy", "2.1.3"),
    ];
    let (output, text) = compile_synthetic(&releases, "gensim\nnumpy<2\n", &[]);
    assert!(output.status.success(), "{text}");
    assert_eq!(pin(&output, "gensim").as_deref(), Some("4.4.0"), "{text}");
    assert_eq!(pin(&output, "numpy").as_deref(), Some("1.26.4"), "{text}");
    let (output, text) = compile_synthetic(&releases, "gensim==4.4.1\nnumpy<2\n", &[]);
    assert_eq!(output.status.code(), Some(1), "{text}");
    assert!(
        text.contains("built with NumPy 2.x, needs numpy>=2.0"),
        "{text}"
    );
}

#[test]
fn check_flags_a_numpy2_only_build_beside_numpy1_and_names_a_release_that_runs() {
    let (output, text) = crate::common::run_synthetic(
        "check",
        &pyarrow_releases(),
        "pyarrow==26.0.1\nnumpy==1.26.4\n",
        &[],
    );
    assert_eq!(output.status.code(), Some(1), "{text}");
    assert!(
        text.contains("requirements.txt:1: error: abi-conflict")
            && text.contains("it needs numpy>=2.0,<3")
            && text.contains(
                "pin pyarrow==25.0.0, the newest older release whose wheel runs with numpy==1.26.4"
            ),
        "{text}"
    );
}

#[test]
fn abi_scan_always_reads_compiled_wheels_that_declare_no_numpy() {
    // An uncurated wheel built for NumPy 2 only that does not declare numpy: the default
    // scans only what requires numpy or is curated; `always` reads it too.
    let releases = [
        Release::new("arrowlike", "1.0")
            .module(&real_module("pyarrow-26.0.1-libarrow_python.so.trimmed")),
        Release::new("numpy", "1.26.4"),
    ];
    let (output, text) = compile_synthetic(&releases, "arrowlike\nnumpy<2\n", &[]);
    assert!(output.status.success(), "{text}");
    let (output, text) =
        compile_synthetic(&releases, "arrowlike\nnumpy<2\n", &["--abi-scan", "always"]);
    assert_eq!(output.status.code(), Some(1), "{text}");
    assert!(text.contains("needs numpy>=2.0"), "{text}");
}

#[test]
fn check_offers_only_an_older_release_known_to_run() {
    // Both releases of an uncurated numpy dependent are NumPy-2-only builds: the older one
    // is read too, and since it cannot run with numpy 1.26 either it is not offered.
    let numpy2_only = real_module("pyarrow-26.0.1-libarrow_python.so.trimmed");
    let releases = [
        Release::new("newext", "1.0")
            .module(&numpy2_only)
            .requires("numpy>=1.26"),
        Release::new("newext", "2.0")
            .module(&numpy2_only)
            .requires("numpy>=1.26"),
        Release::new("numpy", "1.26.4"),
        Release::new("numpy", "2.1.3"),
    ];
    let (output, text) =
        crate::common::run_synthetic("check", &releases, "newext==2.0\nnumpy==1.26.4\n", &[]);
    assert_eq!(output.status.code(), Some(1), "{text}");
    assert!(text.contains("it needs numpy>=2.0,<3"), "{text}");
    assert!(text.contains("pin numpy==2.1.3"), "{text}");
    assert!(
        !text.contains("pin newext=="),
        "no older release runs: {text}"
    );
}
