//! Python-API breaks: `npsolve api-breaks` (the removed names npsolve knows, with their
//! release notes), and resolutions bound by the uses of them in wheels' real sources.

use assert_cmd::Command;

use crate::common::{Release, compile_synthetic, run_synthetic};

fn run(args: &[&str]) -> (i32, String) {
    let output = Command::cargo_bin("npsolve")
        .expect("binary")
        .env("NO_COLOR", "1")
        .arg("api-breaks")
        .args(args)
        .output()
        .expect("run npsolve");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    (output.status.code().unwrap_or(-1), text)
}

#[test]
fn a_release_lists_the_names_it_lacks_with_their_sources() {
    let (code, text) = run(&["scipy==1.14.1"]);
    assert_eq!(code, 0, "{text}");
    assert!(
        text.starts_with("scipy==1.14.1 lacks 6 public names:"),
        "{text}"
    );
    assert!(
        text.contains("scipy.integrate.simps (removed in 1.14): use `scipy.integrate.simpson`"),
        "{text}"
    );
    assert!(
        !text.contains("scipy.misc"),
        "removed in 1.15, still there: {text}"
    );
    // np.bool is back in NumPy 2.
    let (_, text) = run(&["numpy==2.1.3"]);
    assert!(text.contains("numpy.float_ (removed in 2.0)"), "{text}");
    assert!(!text.contains("numpy.bool "), "{text}");
    let (_, text) = run(&["numpy==1.23.5"]);
    assert!(
        text.contains("numpy==1.23.5 lacks 3 public names"),
        "{text}"
    );
}

#[test]
fn only_a_name_and_an_exact_version_are_accepted() {
    let (code, text) = run(&["numpy>=2"]);
    assert_eq!(code, 2, "{text}");
    assert!(text.contains("an optional `==VERSION`"), "{text}");
    let (code, text) = run(&["requests"]);
    assert_eq!(code, 0, "{text}");
    assert!(text.contains("npsolve knows no removed names"), "{text}");
}

/// The real sources under `tests/fixtures/api-breaks`.
fn fixture(name: &str) -> Vec<u8> {
    std::fs::read(
        crate::common::repo()
            .join("tests/fixtures/api-breaks")
            .join(name),
    )
    .expect("fixture source")
}

/// gensim 4.3.2 (its real `matutils.py`, which imports `scipy.linalg.triu` at module level)
/// and two scipy releases, one each side of the removal in 1.13.
fn gensim_index() -> Vec<Release> {
    vec![
        Release::new("gensim", "4.3.2")
            .requires("scipy>=1.7.0")
            .requires("numpy>=1.18.5")
            .source("gensim/matutils.py", &fixture("gensim-4.3.2-matutils.py")),
        Release::new("scipy", "1.12.0").requires("numpy>=1.22.4"),
        Release::new("scipy", "1.13.0").requires("numpy>=1.22.4"),
        Release::new("numpy", "1.26.4"),
        Release::new("numpy", "2.0.2"),
    ]
}

#[test]
fn an_import_time_use_bounds_the_library_with_its_evidence() {
    let (output, text) = compile_synthetic(&gensim_index(), "gensim==4.3.2\n", &[]);
    assert!(output.status.success(), "{text}");
    assert!(text.contains("scipy==1.12.0\n"), "{text}");
    assert!(
        text.contains(
            "# API: gensim 4.3.2 uses scipy.linalg.triu at import (removed in scipy 1.13)"
        ),
        "{text}"
    );
    // Without the scan, metadata alone picks the scipy that breaks `import gensim`.
    let (_, text) = compile_synthetic(&gensim_index(), "gensim==4.3.2\n", &["--api-scan", "off"]);
    assert!(text.contains("scipy==1.13.0\n"), "{text}");
    assert!(!text.contains("# API"), "{text}");
}

#[test]
fn a_conflict_with_an_api_bound_names_the_file_line_and_release_note() {
    let (output, text) = compile_synthetic(&gensim_index(), "gensim==4.3.2\nscipy>=1.13\n", &[]);
    assert_eq!(output.status.code(), Some(1), "{text}");
    assert!(
        text.contains(
            "(API: gensim 4.3.2 uses scipy.linalg.triu at import (removed in scipy 1.13))"
        ),
        "{text}"
    );
    assert!(
        text.contains("api: `gensim-4.3.2-py3-none-any.whl`: gensim/matutils.py:20 uses `triu` (scipy.linalg.triu) at import"),
        "{text}"
    );
    assert!(
        text.contains("https://docs.scipy.org/doc/scipy/release/1.13.0-notes.html"),
        "{text}"
    );
}

/// scikit-optimize 0.9.0's real `transformers.py`: `np.int` inside methods only.
fn skopt_index() -> Vec<Release> {
    vec![
        Release::new("scikit-optimize", "0.9.0")
            .requires("numpy>=1.13.3")
            .source(
                "skopt/space/transformers.py",
                &fixture("scikit-optimize-0.9.0-transformers.py"),
            ),
        Release::new("numpy", "1.23.5"),
        Release::new("numpy", "1.26.4"),
    ]
}

#[test]
fn a_call_time_use_warns_by_default_and_bounds_only_when_strict() {
    let (output, text) = compile_synthetic(&skopt_index(), "scikit-optimize==0.9.0\n", &[]);
    assert!(output.status.success(), "{text}");
    assert!(text.contains("numpy==1.26.4\n"), "{text}");
    assert!(
        text.contains("# API warning: scikit-optimize 0.9.0 uses numpy.int in a function (removed in numpy 1.24), and numpy 1.26.4 is pinned"),
        "{text}"
    );
    assert!(
        text.contains("warning: scikit-optimize 0.9.0 uses numpy.int in a function"),
        "{text}"
    );
    let (output, text) = compile_synthetic(
        &skopt_index(),
        "scikit-optimize==0.9.0\n",
        &["--api-scan", "strict"],
    );
    assert!(output.status.success(), "{text}");
    assert!(text.contains("numpy==1.23.5\n"), "{text}");
    assert!(
        text.contains(
            "# API: scikit-optimize 0.9.0 uses numpy.int in a function (removed in numpy 1.24)"
        ),
        "{text}"
    );
    assert!(!text.contains("warning:"), "{text}");
}

#[test]
fn a_guarded_use_binds_nothing() {
    // rym-alias 0.2.0's real module: `try: from numpy import NaN` / `except ImportError`.
    let releases = [
        Release::new("rym-alias", "0.2.0").requires("numpy").source(
            "rym/alias/_coerce_explicit.py",
            &fixture("rym-alias-0.2.0-coerce_explicit.py"),
        ),
        Release::new("numpy", "1.26.4"),
        Release::new("numpy", "2.0.2"),
    ];
    let (output, text) = compile_synthetic(&releases, "rym-alias\n", &[]);
    assert!(output.status.success(), "{text}");
    assert!(text.contains("numpy==2.0.2\n"), "{text}");
    assert!(!text.contains("API"), "{text}");
}

#[test]
fn check_reports_an_import_time_break_as_an_error_and_a_call_time_one_as_a_warning() {
    let (output, text) = run_synthetic(
        "check",
        &gensim_index(),
        "gensim==4.3.2\nnumpy==1.26.4\nscipy==1.13.0\n",
        &[],
    );
    assert_eq!(output.status.code(), Some(1), "{text}");
    assert!(
        text.contains("requirements.txt:1: error: api-break: gensim 4.3.2 uses scipy.linalg.triu at import (removed in scipy 1.13), but line 3 pins `scipy==1.13.0`"),
        "{text}"
    );
    assert!(text.contains("fix: pin `scipy<1.13`"), "{text}");
    let (output, text) = run_synthetic(
        "check",
        &gensim_index(),
        "gensim==4.3.2\nnumpy==1.26.4\nscipy==1.12.0\n",
        &[],
    );
    assert!(output.status.success(), "{text}");
    let pins = "scikit-optimize==0.9.0\nnumpy==1.26.4\n";
    let (output, text) = run_synthetic("check", &skopt_index(), pins, &[]);
    assert!(output.status.success(), "{text}");
    assert!(
        text.contains("requirements.txt:1: warning: api-call-break: scikit-optimize 0.9.0 uses numpy.int in a function"),
        "{text}"
    );
    let (output, text) = run_synthetic("check", &skopt_index(), pins, &["--api-scan", "strict"]);
    assert_eq!(output.status.code(), Some(1), "{text}");
    assert!(
        text.contains("error: api-break: scikit-optimize 0.9.0"),
        "{text}"
    );
}

#[test]
fn a_curated_behaviour_break_bounds_the_library_with_its_source() {
    let releases = [
        Release::new("fastparquet", "2024.2.0").requires("pandas>=1.5.0"),
        Release::new("fastparquet", "2024.11.0").requires("pandas>=1.5.0"),
        Release::new("pandas", "2.2.3"),
        Release::new("pandas", "3.0.0"),
    ];
    let (output, text) = compile_synthetic(&releases, "fastparquet==2024.2.0\n", &[]);
    assert!(output.status.success(), "{text}");
    assert!(text.contains("pandas==2.2.3\n"), "{text}");
    assert!(
        text.contains("# API: fastparquet 2024.2.0 fails with pandas 3.0 and later (fixed in fastparquet 2024.11.0)"),
        "{text}"
    );
    // The fixed release takes the newest pandas.
    let (_, text) = compile_synthetic(&releases, "fastparquet\n", &[]);
    assert!(text.contains("fastparquet==2024.11.0\n"), "{text}");
    assert!(text.contains("pandas==3.0.0\n"), "{text}");
}

#[test]
fn a_pandas_removal_used_at_import_bounds_pandas() {
    let source =
        b"import pandas as pd\nfrom pandas.api.types import is_interval\n\nINDEX = pd.Int64Index\n";
    let releases = [
        Release::new("old-frames", "1.0")
            .requires("pandas")
            .source("old_frames/compat.py", source),
        Release::new("pandas", "1.5.3"),
        Release::new("pandas", "2.2.3"),
        Release::new("pandas", "3.0.0"),
    ];
    let (output, text) = compile_synthetic(&releases, "old-frames\n", &[]);
    assert!(output.status.success(), "{text}");
    // `pd.Int64Index` went in 2.0, `is_interval` in 3.0: the earlier removal decides.
    assert!(text.contains("pandas==1.5.3\n"), "{text}");
    assert!(
        text.contains("# API: old-frames 1.0 uses pandas.Int64Index at import (removed in pandas 2.0, and 1 more removed names)"),
        "{text}"
    );
}

#[test]
fn a_package_lists_the_behaviour_breaks_that_hold_for_it() {
    let (code, text) = run(&["fastparquet==2024.2.0"]);
    assert_eq!(code, 0, "{text}");
    assert!(
        text.starts_with("fastparquet==2024.2.0: behaviour breaks npsolve knows (1):\n  fastparquet < 2024.11.0 fails with pandas >= 3.0: "),
        "{text}"
    );
    assert!(
        text.contains("https://github.com/dask/fastparquet/pull/933"),
        "{text}"
    );
    let (_, text) = run(&["fastparquet==2024.11.0"]);
    assert!(text.contains("npsolve knows no removed names"), "{text}");
}

#[test]
fn a_lockfile_records_the_api_bound_on_the_library() {
    let out = tempfile::tempdir().expect("tempdir");
    let path = out.path().join("pylock.toml");
    let (output, text) = run_synthetic(
        "lock",
        &gensim_index(),
        "gensim==4.3.2\n",
        &["-o", path.to_str().expect("utf-8 path")],
    );
    assert!(output.status.success(), "{text}");
    let text = std::fs::read_to_string(&path).expect("pylock.toml");
    assert!(
        text.contains("name = \"scipy\"\nversion = \"1.12.0\""),
        "{text}"
    );
    assert!(
        text.contains(
            "api = \"gensim 4.3.2 uses scipy.linalg.triu at import (removed in scipy 1.13)\""
        ),
        "{text}"
    );
}
