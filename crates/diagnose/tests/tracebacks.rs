//! Every traceback fixture (tests/fixtures/tracebacks, sources in its README) maps to
//! the right error form and package.

use npsolve_diagnose::{AbiErrorKind, explain_traceback};

fn fixture(name: &str) -> String {
    let path = format!(
        "{}/../../tests/fixtures/tracebacks/{name}",
        env!("CARGO_MANIFEST_DIR")
    );
    std::fs::read_to_string(&path).unwrap_or_else(|error| panic!("{path}: {error}"))
}

fn culprit(name: &str) -> (AbiErrorKind, String) {
    let diagnosis =
        explain_traceback(&fixture(name)).unwrap_or_else(|| panic!("{name}: not recognised"));
    let distribution = diagnosis
        .distribution
        .map(|name| name.to_string())
        .unwrap_or_default();
    (diagnosis.kind, distribution)
}

#[test]
fn numpy1_builds_under_numpy2_name_the_innermost_package() {
    for (file, expected) in [
        ("numexpr_array_api.txt", "numexpr"),
        ("pandas_banner_ras_commander.txt", "pandas"),
        ("pandas_banner_pycharm.txt", "pandas"),
        ("matplotlib_multiarray.txt", "matplotlib"),
        ("dtype_size_changed.txt", "scikit-learn"),
        ("paraphrase.txt", "opencv-python"),
    ] {
        assert_eq!(
            culprit(file),
            (AbiErrorKind::BuiltForNumpy1, expected.to_string()),
            "{file}"
        );
    }
}

#[test]
fn builds_for_a_newer_numpy_say_which_numpy_they_need() {
    let (kind, distribution) = culprit("api_version_too_new.txt");
    assert_eq!(
        kind,
        AbiErrorKind::BuiltForNewerNumpy {
            needs: Some("1.23".parse().unwrap())
        }
    );
    assert_eq!(distribution, "scipy");
    let old_header = "RuntimeError: module compiled against API version 0x10 but this version of numpy is 0xf\n  File \"/v/lib/python3.9/site-packages/pandas/__init__.py\", line 1, in <module>";
    let diagnosis = explain_traceback(old_header).unwrap();
    assert_eq!(
        diagnosis.kind,
        AbiErrorKind::BuiltForNewerNumpy {
            needs: Some("1.23".parse().unwrap())
        }
    );
}

#[test]
fn unrelated_errors_are_not_diagnosed() {
    assert_eq!(
        explain_traceback("Traceback (most recent call last):\nKeyError: 'a'\n"),
        None
    );
    assert_eq!(explain_traceback(""), None);
}
