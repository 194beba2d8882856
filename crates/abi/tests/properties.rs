//! No input makes the loader or the scanner panic, and the policy's ranges
//! keep their shape for any floor.

use npsolve_abi::{BuildFact, Facts, ModuleEvidence, WheelScan, numpy_runtime_range};
use std::str::FromStr;

use pep440_rs::Version;
use proptest::prelude::*;

/// Lines that look like a facts file, shuffled into near misses.
fn facts_line() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("schema = 1".to_string()),
        Just("[[entry]]".to_string()),
        Just("package = \"pandas\"".to_string()),
        Just("versions = \">=1,<2\"".to_string()),
        Just("fact = \"numpy1\"".to_string()),
        Just("fact = \"numpy2\"".to_string()),
        Just("floor = \"1.23\"".to_string()),
        Just("python = [\"cp311\"]".to_string()),
        Just("source = \"probe\"".to_string()),
        Just("checked = 2026-11-23".to_string()),
        "[ -~]{0,40}",
        "\\PC{0,20}",
    ]
}

proptest! {
    #[test]
    fn loader_never_panics(lines in proptest::collection::vec(facts_line(), 0..30)) {
        let text = lines.join("\n");
        if let Err(error) = Facts::parse(&text, "fuzz.toml") {
            prop_assert!(error.line >= 1 && error.column >= 1);
            prop_assert!(error.line <= text.lines().count().max(1) + 1);
        }
    }

    #[test]
    fn scanner_never_panics(bytes in proptest::collection::vec(any::<u8>(), 0..4096), marker in 0usize..4) {
        let literals: [&[u8]; 4] = [
            b"module was compiled against NumPy C-API version 0x%x (NumPy ",
            b"/numpy-",
            &[0xFF, 0x90, 0x98, 0x06, 0x00, 0x00, 0xBA],
            b"_ARRAY_API",
        ];
        let mut input = literals[marker].to_vec();
        input.extend_from_slice(&bytes);
        let mut scan = WheelScan::new();
        let evidence = ModuleEvidence::scan(&input);
        scan.add("m.so", evidence);
        let _ = scan.verdict();
    }

    #[test]
    fn ranges_stay_below_the_next_major(minor in 0u64..40, patch in 0u64..10, major in 1u64..3) {
        let floor = Version::new([1, minor, patch]);
        let fact = if major == 1 { BuildFact::Numpy1 { floor: Some(floor.clone()) } } else { BuildFact::Numpy2 { floor: Some(floor.clone()) } };
        let range = numpy_runtime_range(&fact).expect("constrains");
        prop_assert!(range.contains(&floor));
        let next_rc = Version::from_str(&format!("{}.0.0rc1", major + 1)).expect("valid");
        prop_assert!(!range.contains(&next_rc));
        prop_assert!(!range.contains(&Version::new([major + 1, 0, 0])));
        prop_assert!(range.contains(&Version::new([major, 99])));
    }
}
