//! The scanner on real modules trimmed to their markers (`tests/fixtures/modules`, see its
//! README for the wheels and offsets they come from).

use std::path::PathBuf;
use std::str::FromStr;

use npsolve_abi::{BuildFact, ModuleEvidence, WheelScan};
use pep440_rs::Version;

fn module(name: &str) -> Vec<u8> {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../tests/fixtures/modules")
        .join(name);
    std::fs::read(&path).unwrap_or_else(|error| panic!("{}: {error}", path.display()))
}

fn v(text: &str) -> Version {
    Version::from_str(text).expect("valid version")
}

#[test]
fn pyarrow_26_is_built_for_numpy_2_only() {
    let evidence = ModuleEvidence::scan(&module("pyarrow-26.0.1-libarrow_python.so.trimmed"));
    assert_eq!(evidence.header_major, Some(2));
    assert_eq!(evidence.floor, Some(v("2.0")));
    let evidence = ModuleEvidence::scan(&module("pyarrow-25.0.0-libarrow_python.so.trimmed"));
    assert_eq!(
        (evidence.header_major, evidence.floor),
        (Some(2), Some(v("1.23")))
    );
}

#[test]
fn a_capi_module_beside_a_legacy_pybind11_module_is_a_loud_numpy1_build_with_its_floor() {
    // matplotlib 3.7.5: `_tri` (pybind11 < 2.12) is smaller than `_path`, so it is read first.
    let mut scan = WheelScan::new();
    scan.scan_module(
        "matplotlib/_tri.cpython-311-x86_64-linux-gnu.so",
        &module("matplotlib-3.7.5-_tri.so.trimmed"),
    );
    assert!(scan.knows_major());
    assert!(
        !scan.is_decided(),
        "a binding signature alone must not stop the scan"
    );
    assert!(matches!(
        scan.verdict().fact,
        BuildFact::Numpy1Silent { .. }
    ));
    scan.scan_module(
        "matplotlib/_path.cpython-311-x86_64-linux-gnu.so",
        &module("matplotlib-3.7.5-_path.so.trimmed"),
    );
    assert!(scan.is_decided());
    let verdict = scan.verdict();
    assert_eq!(
        verdict.fact,
        BuildFact::Numpy1 {
            floor: Some(v("1.23"))
        }
    );
    assert!(verdict.evidence.contains("_path"), "{}", verdict.evidence);
}

#[test]
fn a_numpy2_only_module_needs_a_second_one_to_confirm_it() {
    let numpy2_only = module("pyarrow-26.0.1-libarrow_python.so.trimmed");
    let mut scan = WheelScan::new();
    scan.scan_module("pyarrow/libarrow_python.so", &numpy2_only);
    assert!(!scan.is_decided());
    scan.scan_module("pyarrow/libarrow_python.so.2600", &numpy2_only);
    assert!(scan.is_decided());
    assert_eq!(
        scan.verdict().fact,
        BuildFact::Numpy2 {
            floor: Some(v("2.0"))
        }
    );
    // Beside a module that accepts NumPy 1.x it is an optional extra (h5py's `_npystrings`).
    let mut scan = WheelScan::new();
    scan.scan_module("h5py/_npystrings.so", &numpy2_only);
    scan.scan_module(
        "h5py/_proxy.so",
        &module("pyarrow-25.0.0-libarrow_python.so.trimmed"),
    );
    assert!(scan.is_decided());
    let verdict = scan.verdict();
    assert_eq!(
        verdict.fact,
        BuildFact::Numpy2 {
            floor: Some(v("1.23"))
        }
    );
    assert!(
        verdict
            .evidence
            .contains("`h5py/_npystrings.so` needs NumPy >= 2"),
        "{}",
        verdict.evidence
    );
}
