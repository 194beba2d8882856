//! The scanner on trimmed real sources (`tests/fixtures/api-breaks`, see its SOURCE.md).

use std::path::Path;

use npsolve_api_breaks::{Prefilter, Removals, scan_source};

fn scan(file: &str) -> Vec<(String, String, usize, bool, bool)> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../tests/fixtures/api-breaks")
        .join(file);
    let source = std::fs::read(path).expect("fixture");
    let removals = Removals::bundled();
    // The resolver parses only what its prefilter passes.
    assert!(Prefilter::new(removals).might_use(&source));
    scan_source(&source, removals)
        .expect("parses")
        .into_iter()
        .map(|found| {
            (
                found.removal.path(),
                found.removal.removed_in.to_string(),
                found.line,
                found.import_time,
                found.guarded,
            )
        })
        .collect()
}

#[test]
fn gensim_4_3_2_imports_a_name_scipy_1_13_removed() {
    assert_eq!(
        scan("gensim-4.3.2-matutils.py"),
        [(
            "scipy.linalg.triu".to_string(),
            "1.13".to_string(),
            20,
            true,
            false
        )]
    );
}

#[test]
fn scikit_optimize_0_9_0_uses_np_int_only_when_called() {
    assert_eq!(
        scan("scikit-optimize-0.9.0-transformers.py"),
        [
            (
                "numpy.int".to_string(),
                "1.24".to_string(),
                61,
                false,
                false
            ),
            (
                "numpy.int".to_string(),
                "1.24".to_string(),
                74,
                false,
                false
            ),
        ]
    );
}

#[test]
fn nptyping_2_5_0_uses_np_float_at_module_level() {
    let found = scan("nptyping-2.5.0-typing_.py");
    let float = found
        .iter()
        .find(|found| found.0 == "numpy.float_")
        .expect("np.float_");
    assert_eq!(
        float,
        &(
            "numpy.float_".to_string(),
            "2.0".to_string(),
            55,
            true,
            false
        )
    );
    // Every use in the aliases table runs at import, none is guarded.
    assert!(found.iter().all(|found| found.3 && !found.4), "{found:?}");
}

#[test]
fn rym_alias_0_2_0_guards_its_numpy_nan_import() {
    assert_eq!(
        scan("rym-alias-0.2.0-coerce_explicit.py"),
        [("numpy.NaN".to_string(), "2.0".to_string(), 43, true, true)]
    );
}

#[test]
fn saiph_1_0_6_uses_np_float_at_module_level_and_in_class_annotations() {
    // The local variable's annotation on line 19 is never evaluated.
    assert_eq!(
        scan("saiph-1.0.6-common.py"),
        [(
            "numpy.float_".to_string(),
            "2.0".to_string(),
            30,
            true,
            false
        )]
    );
    assert_eq!(
        scan("saiph-1.0.6-models.py"),
        [
            (
                "numpy.float_".to_string(),
                "2.0".to_string(),
                28,
                true,
                false
            ),
            (
                "numpy.float_".to_string(),
                "2.0".to_string(),
                30,
                true,
                false
            ),
        ]
    );
}
