//! `npsolve doctor` on throwaway environments: dist-info folders and stand-in modules
//! carrying the markers, with the fix computed against a synthetic index on loopback.

use std::path::Path;

use assert_cmd::Command;
use npsolve_testkit::{FixtureServer, ServerOptions};

use crate::common::{Release, synthetic_index, transcript_with};

const NUMPY1: &[u8] = b"\0_ARRAY_API\0_ARRAY_API not found\0module compiled against API version 0x%x but this version of numpy is 0x%x\0";
const NUMPY2: &[u8] = b"\0_ARRAY_API\0numpy._core._multiarray_umath\0module was compiled against NumPy C-API version 0x%x (NumPy 1.21) but the running NumPy has C-API version 0x%x.\0";
const PYBIND11_LEGACY: &[u8] = b"\0_ARRAY_API\0numpy.core.multiarray\0numpy.core._internal\0";
const NO_CAPI: &[u8] = b"\0PyInit__ext\0ctypes\0";

/// Installs `name` `version` into `site`: METADATA with `requires`, RECORD listing the files,
/// and `<name>/_ext.so` holding `module` when given.
fn install(site: &Path, name: &str, version: &str, requires: &[&str], module: Option<&[u8]>) {
    let package = name.replace('-', "_");
    let dist_info = site.join(format!("{package}-{version}.dist-info"));
    std::fs::create_dir_all(&dist_info).unwrap();
    std::fs::create_dir_all(site.join(&package)).unwrap();
    let mut metadata = format!("Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n");
    for requirement in requires {
        metadata.push_str(&format!("Requires-Dist: {requirement}\n"));
    }
    std::fs::write(dist_info.join("METADATA"), metadata).unwrap();
    std::fs::write(site.join(&package).join("__init__.py"), "").unwrap();
    let mut record = format!("{package}/__init__.py,,\n");
    if let Some(module) = module {
        std::fs::write(site.join(&package).join("_ext.so"), module).unwrap();
        record.push_str(&format!("{package}/_ext.so,,\n"));
    }
    record.push_str(&format!("{package}-{version}.dist-info/RECORD,,\n"));
    std::fs::write(dist_info.join("RECORD"), record).unwrap();
}

/// A site-packages with numpy 2.1.3 and `name` 1.0 requiring numpy, its module holding `module`.
fn numpy2_site_with(name: &str, module: &[u8]) -> tempfile::TempDir {
    let site = tempfile::tempdir().unwrap();
    install(site.path(), "numpy", "2.1.3", &[], None);
    install(site.path(), name, "1.0", &["numpy>=1.21"], Some(module));
    site
}

/// Runs `npsolve doctor --site-packages` on `site` with a synthetic index of `releases`.
fn doctor(site: &Path, releases: &[Release], extra: &[&str]) -> (std::process::Output, String) {
    let dir = tempfile::tempdir().unwrap();
    synthetic_index(&dir.path().join("index"), releases);
    let server = FixtureServer::start(dir.path().join("index"), ServerOptions::default());
    let output = Command::cargo_bin("npsolve")
        .unwrap()
        .env("NO_COLOR", "1")
        .env("NPSOLVE_CACHE_DIR", dir.path().join("cache"))
        .args(["doctor", "--site-packages", site.to_str().unwrap()])
        .args(["--index-url", server.index_url().as_str()])
        .args([
            "--python-version",
            "3.11",
            "--python-platform",
            "x86_64-manylinux_2_28",
        ])
        .args(extra)
        .output()
        .unwrap();
    let text = transcript_with(&output, site, &server.index_url());
    (output, text)
}

fn index() -> Vec<Release> {
    vec![
        Release::new("numpy", "2.1.3"),
        Release::new("numpy", "1.26.4"),
        Release::new("old-ext", "1.0")
            .module(NUMPY1)
            .requires("numpy>=1.21"),
        Release::new("six", "1.17.0"),
    ]
}

#[test]
fn a_healthy_environment_exits_zero() {
    let site = tempfile::tempdir().unwrap();
    install(site.path(), "numpy", "2.1.3", &[], None);
    install(
        site.path(),
        "new-ext",
        "2.0",
        &["numpy>=1.21"],
        Some(NUMPY2),
    );
    install(site.path(), "ctypes-ext", "1.0", &["numpy"], Some(NO_CAPI));
    let (output, text) = doctor(site.path(), &index(), &[]);
    assert_eq!(output.status.code(), Some(0), "{text}");
    assert!(text.contains("No problems"), "{text}");
}

#[test]
fn a_numpy1_build_under_numpy2_is_named_with_evidence_and_fixed() {
    let site = numpy2_site_with("old-ext", NUMPY1);
    let (output, text) = doctor(site.path(), &index(), &[]);
    assert_eq!(output.status.code(), Some(1), "{text}");
    assert!(
        text.contains("error: old-ext 1.0 cannot run with numpy 2.1.3: it needs numpy<2"),
        "{text}"
    );
    assert!(text.contains("module: old_ext/_ext.so"), "{text}");
    assert!(text.contains("NumPy 1.x headers"), "{text}");
    // The fix keeps old-ext and moves numpy, as one command.
    assert!(text.contains("    numpy==1.26.4\n"), "{text}");
    assert!(text.contains("pip install numpy==1.26.4"), "{text}");

    let (output, text) = doctor(site.path(), &index(), &["--json"]);
    assert_eq!(output.status.code(), Some(1), "{text}");
    let json: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(json["numpy"], "2.1.3");
    assert_eq!(json["abi_problems"][0]["package"], "old-ext");
    assert_eq!(json["abi_problems"][0]["module"], "old_ext/_ext.so");
    assert_eq!(json["fix"]["pins"][0], "numpy==1.26.4");
}

#[test]
fn a_missing_dependency_is_reported_like_pip_check() {
    let site = tempfile::tempdir().unwrap();
    install(
        site.path(),
        "app",
        "1.0",
        &["six>=1.16", "colorama ; sys_platform == 'win32'"],
        None,
    );
    let (output, text) = doctor(site.path(), &index(), &[]);
    assert_eq!(output.status.code(), Some(1), "{text}");
    assert!(
        text.contains("error: app 1.0 requires `six>=1.16`, which is not installed"),
        "{text}"
    );
    assert!(!text.contains("colorama"), "markers are evaluated: {text}");
    assert!(text.contains("    six==1.17.0\n"), "{text}");
}

#[test]
fn a_pybind11_before_2_12_module_is_flagged_under_numpy2() {
    let site = numpy2_site_with("bound-ext", PYBIND11_LEGACY);
    let (output, text) = doctor(site.path(), &index(), &[]);
    assert_eq!(output.status.code(), Some(1), "{text}");
    assert!(
        text.contains("error: bound-ext 1.0 cannot run with numpy 2.1.3"),
        "{text}"
    );
    assert!(text.contains("pybind11"), "{text}");
}

#[test]
fn an_unreachable_index_still_gives_the_diagnosis() {
    let site = numpy2_site_with("old-ext", NUMPY1);
    let (output, text) = doctor(site.path(), &index(), &["--offline"]);
    assert_eq!(output.status.code(), Some(1), "{text}");
    assert!(text.contains("error: old-ext 1.0 cannot run"), "{text}");
    assert!(text.contains("The fix could not be computed"), "{text}");
}

#[test]
fn a_folder_that_is_no_environment_is_a_usage_error() {
    let (output, text) = doctor(Path::new("/nonexistent/site-packages"), &index(), &[]);
    assert_eq!(output.status.code(), Some(2), "{text}");
    assert!(text.contains("is not a folder"), "{text}");
}

#[test]
fn explain_with_the_environment_names_the_owner_from_record_and_hands_over() {
    let site = tempfile::tempdir().unwrap();
    install(site.path(), "numpy", "2.1.3", &[], None);
    // The distribution's name differs from its top-level module, as with scikit-learn.
    let dist_info = site.path().join("pretty_name-1.0.dist-info");
    std::fs::create_dir_all(&dist_info).unwrap();
    std::fs::write(
        dist_info.join("METADATA"),
        "Metadata-Version: 2.1\nName: pretty-name\nVersion: 1.0\nRequires-Dist: numpy\n",
    )
    .unwrap();
    std::fs::create_dir_all(site.path().join("ugly_mod")).unwrap();
    std::fs::write(site.path().join("ugly_mod/__init__.py"), "").unwrap();
    std::fs::write(site.path().join("ugly_mod/_ext.so"), NUMPY1).unwrap();
    std::fs::write(
        dist_info.join("RECORD"),
        "ugly_mod/__init__.py,,\nugly_mod/_ext.so,,\npretty_name-1.0.dist-info/RECORD,,\n",
    )
    .unwrap();
    let traceback = format!(
        "Traceback (most recent call last):\n  File \"<string>\", line 1, in <module>\n  File \"{0}/ugly_mod/__init__.py\", line 1, in <module>\n    from ugly_mod._ext import run\nAttributeError: _ARRAY_API not found\n",
        site.path().display()
    );
    std::fs::write(site.path().join("crash.log"), traceback).unwrap();
    let output = Command::cargo_bin("npsolve")
        .unwrap()
        .env("NO_COLOR", "1")
        .args(["explain", site.path().join("crash.log").to_str().unwrap()])
        .args([
            "--site-packages",
            site.path().to_str().unwrap(),
            "--offline",
        ])
        .output()
        .unwrap();
    let text = transcript_with(&output, site.path(), "http://unused/");
    assert_eq!(output.status.code(), Some(0), "{text}");
    assert!(text.contains("`pretty-name` (module `ugly_mod"), "{text}");
    assert!(
        text.contains("In the environment (`npsolve doctor`)"),
        "{text}"
    );
    assert!(
        text.contains("error: pretty-name 1.0 cannot run with numpy 2.1.3"),
        "{text}"
    );
}

#[test]
fn a_numpy2_only_build_beside_numpy1_is_found_and_the_fix_moves_it_back() {
    // pyarrow 26.0.1's real module (trimmed) needs NumPy >= 2.0; legacy-ext, a NumPy 1 build
    // with no newer release, holds numpy below 2: the verified fix moves pyarrow to 25.
    let pyarrow26 = std::fs::read(
        crate::common::repo()
            .join("tests/fixtures/modules/pyarrow-26.0.1-libarrow_python.so.trimmed"),
    )
    .unwrap();
    let pyarrow25 = std::fs::read(
        crate::common::repo()
            .join("tests/fixtures/modules/pyarrow-25.0.0-libarrow_python.so.trimmed"),
    )
    .unwrap();
    let site = tempfile::tempdir().unwrap();
    install(site.path(), "numpy", "1.26.4", &[], None);
    install(site.path(), "pyarrow", "26.0.1", &[], Some(&pyarrow26));
    install(
        site.path(),
        "legacy-ext",
        "1.0",
        &["numpy>=1.21"],
        Some(NUMPY1),
    );
    let releases = [
        Release::new("numpy", "2.1.3"),
        Release::new("numpy", "1.26.4"),
        Release::new("pyarrow", "25.0.0").module(&pyarrow25),
        Release::new("pyarrow", "26.0.1").module(&pyarrow26),
        Release::new("legacy-ext", "1.0")
            .module(NUMPY1)
            .requires("numpy>=1.21"),
    ];
    let (output, text) = doctor(site.path(), &releases, &[]);
    assert_eq!(output.status.code(), Some(1), "{text}");
    assert!(
        text.contains("error: pyarrow 26.0.1 cannot run with numpy 1.26.4: it needs numpy>=2.0,<3"),
        "{text}"
    );
    assert!(text.contains("NPY_TARGET_VERSION 2.0"), "{text}");
    assert!(text.contains("    pyarrow==25.0.0\n"), "{text}");
    assert!(
        !text.contains("numpy==2.1.3"),
        "the fix keeps legacy-ext working: {text}"
    );
}

/// Adds `relative` (copied from `source`) to the installed files of `name` `version`.
fn add_source(site: &Path, name: &str, version: &str, relative: &str, source: &Path) {
    let target = site.join(relative);
    std::fs::create_dir_all(target.parent().unwrap()).unwrap();
    std::fs::copy(source, &target).unwrap();
    let record = site
        .join(format!("{}-{version}.dist-info", name.replace('-', "_")))
        .join("RECORD");
    let mut text = std::fs::read_to_string(&record).unwrap();
    text.push_str(&format!("{relative},,\n"));
    std::fs::write(record, text).unwrap();
}

#[test]
fn python_names_the_installed_libraries_lack_are_reported() {
    let fixtures = crate::common::repo().join("tests/fixtures/api-breaks");
    let site = tempfile::tempdir().unwrap();
    install(site.path(), "numpy", "1.26.4", &[], None);
    install(site.path(), "scipy", "1.14.1", &[], None);
    // As their real metadata does, both declare what they use.
    install(
        site.path(),
        "gensim",
        "4.3.2",
        &["numpy>=1.18.5", "scipy>=1.7.0"],
        None,
    );
    add_source(
        site.path(),
        "gensim",
        "4.3.2",
        "gensim/matutils.py",
        &fixtures.join("gensim-4.3.2-matutils.py"),
    );
    install(
        site.path(),
        "scikit-optimize",
        "0.9.0",
        &["numpy>=1.13.3"],
        None,
    );
    add_source(
        site.path(),
        "scikit-optimize",
        "0.9.0",
        "skopt/space/transformers.py",
        &fixtures.join("scikit-optimize-0.9.0-transformers.py"),
    );
    // Code that does not declare scipy is not read (it cannot count on it).
    install(site.path(), "vendored", "1.0", &[], None);
    add_source(
        site.path(),
        "vendored",
        "1.0",
        "vendored/matutils.py",
        &fixtures.join("gensim-4.3.2-matutils.py"),
    );
    let (output, text) = doctor(site.path(), &index(), &[]);
    assert!(!text.contains("vendored"), "{text}");
    // gensim fails at import: an error. skopt fails only when called: a warning.
    assert_eq!(output.status.code(), Some(1), "{text}");
    assert!(
        text.contains("error: gensim 4.3.2 cannot be imported with scipy 1.14.1: gensim/matutils.py:20 uses `triu`, and scipy.linalg.triu was removed in scipy 1.13 (use `numpy.triu`)"),
        "{text}"
    );
    assert!(text.contains("fix: keep `scipy<1.13`"), "{text}");
    assert!(
        text.contains("warning: scikit-optimize 0.9.0 fails when the function is called with numpy 1.26.4: skopt/space/transformers.py:61 uses `np.int` in a function"),
        "{text}"
    );
    assert!(!text.contains("No problems"), "{text}");

    // The same environment with SciPy 1.12: gensim imports; skopt's call-time use stays a
    // warning and the exit is 0.
    std::fs::remove_dir_all(site.path().join("scipy-1.14.1.dist-info")).unwrap();
    install(site.path(), "scipy", "1.12.0", &[], None);
    let (output, text) = doctor(site.path(), &index(), &["--json"]);
    assert_eq!(output.status.code(), Some(0), "{text}");
    let stdout = String::from_utf8_lossy(&output.stdout);
    let report: serde_json::Value = serde_json::from_str(&stdout).expect("JSON");
    let problems = report["api_problems"].as_array().expect("api_problems");
    assert_eq!(problems.len(), 2, "{text}");
    assert!(
        problems
            .iter()
            .all(|problem| problem["import_time"] == false),
        "{text}"
    );
    assert_eq!(problems[0]["name"], "numpy.int");
}
