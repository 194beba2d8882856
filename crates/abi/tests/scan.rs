//! The binary scanner over synthetic modules that carry the literals real
//! wheels carry (see docs/abi-data.md for the probes of real wheels).

use std::str::FromStr;

use npsolve_abi::{
    BuildFact, ModuleEvidence, ModuleScanner, WheelScan, is_candidate_module, numpy_runtime_range,
    reading_order,
};
use pep440_rs::Version;

fn v(text: &str) -> Version {
    Version::from_str(text).expect("valid version")
}

/// A fake module: some code bytes, then the given literals NUL-terminated as in `.rodata`.
fn module(literals: &[&str], code: &[u8]) -> Vec<u8> {
    let mut bytes = vec![0x7F, b'E', b'L', b'F', 2, 1, 1, 0];
    bytes.extend_from_slice(code);
    for literal in literals {
        bytes.extend_from_slice(literal.as_bytes());
        bytes.push(0);
    }
    bytes
}

const NUMPY1_HEADER: &[&str] = &[
    "_ARRAY_API",
    "numpy.core._multiarray_umath",
    "_ARRAY_API not found",
    "module compiled against ABI version 0x%x but this version of numpy is 0x%x",
    "module compiled against API version 0x%x but this version of numpy is 0x%x",
    "numpy.core.multiarray failed to import",
];

/// `call [rax+0x698]; mov edx, 0x10` as in pandas 1.5.3 cp311.
const CHECK_0X10: &[u8] = &[
    0xFF, 0x90, 0x98, 0x06, 0x00, 0x00, 0xBA, 0x10, 0x00, 0x00, 0x00, 0x48,
];

fn numpy2_header(floor: &str) -> Vec<String> {
    vec![
        "_ARRAY_API".to_string(),
        "numpy._core._multiarray_umath".to_string(),
        format!(
            "module was compiled against NumPy C-API version 0x%x (NumPy {floor}) but the running NumPy has C-API version 0x%x. Check the section C-API incompatibility at the Troubleshooting ImportError section at https://numpy.org/devdocs/user/troubleshooting-importerror.html#c-api-incompatibility for indications on how to solve this problem."
        ),
        "numpy._core.multiarray failed to import".to_string(),
    ]
}

fn strs(owned: &[String]) -> Vec<&str> {
    owned.iter().map(String::as_str).collect()
}

#[test]
fn numpy1_module_with_feature_floor() {
    let evidence = ModuleEvidence::scan(&module(NUMPY1_HEADER, CHECK_0X10));
    assert!(evidence.uses_capi);
    assert_eq!(evidence.header_major, Some(1));
    assert_eq!(evidence.floor, Some(v("1.23")));
    assert_eq!(evidence.cython_major, Some(1));
    assert!(evidence.is_decisive());
    assert!(!evidence.pybind11_legacy);
}

#[test]
fn numpy2_module_with_target_floor() {
    let evidence = ModuleEvidence::scan(&module(&strs(&numpy2_header("1.20")), &[]));
    assert_eq!(evidence.header_major, Some(2));
    assert_eq!(evidence.floor, Some(v("1.20")));
    assert_eq!(evidence.cython_major, Some(2));
}

#[test]
fn cython3_longer_message_is_not_the_weak_numpy1_marker() {
    // Cython 3 also emits `numpy.core.multiarray failed to import (auto-generated ...)`
    // in 2.x builds: only the NUL-terminated literal counts.
    let literal = "numpy.core.multiarray failed to import (auto-generated because you didn't call 'numpy.import_array()' after cimporting numpy; use '<void>numpy._import_array' to disable if you are certain you don't need it).";
    let evidence = ModuleEvidence::scan(&module(&[literal], &[]));
    assert_eq!(evidence.cython_major, None);
    assert!(!evidence.uses_capi);
}

#[test]
fn pybind11_generations() {
    let legacy = ModuleEvidence::scan(&module(
        &[
            "_ARRAY_API",
            "numpy.core.multiarray",
            "numpy.core._internal",
        ],
        &[],
    ));
    assert!(legacy.pybind11_legacy);
    assert_eq!(legacy.header_major, None);
    let modern = ModuleEvidence::scan(&module(
        &[
            "_ARRAY_API",
            "numpy.core.multiarray",
            "numpy._core.multiarray",
            "NumpyVersion",
            "numpy.lib",
        ],
        &[],
    ));
    assert!(modern.pybind11_runtime_switch);
    assert!(!modern.pybind11_legacy);
}

#[test]
fn rust_numpy_crate_version_from_paths() {
    let old = ModuleEvidence::scan(&module(
        &[
            "_ARRAY_API",
            "/home/runner/.cargo/registry/src/index.crates.io-6f17d22bba15001f/numpy-0.21.0/src/npyffi/array.rs",
        ],
        &[],
    ));
    assert_eq!(old.rust_numpy, Some(v("0.21.0")));
    let mut scan = WheelScan::new();
    scan.add("pkg/_rust.abi3.so", old);
    assert_eq!(
        scan.verdict().fact,
        BuildFact::Numpy1Silent {
            binding: "rust-numpy 0.21.0".to_string()
        }
    );

    let new = ModuleEvidence::scan(&module(
        &[
            "_ARRAY_API",
            "/cargo/registry/src/x/numpy-0.22.1/src/array.rs",
        ],
        &[],
    ));
    let mut scan = WheelScan::new();
    scan.add("pkg/_rust.abi3.so", new);
    assert_eq!(scan.verdict().fact, BuildFact::Numpy2 { floor: None });
    // A look-alike path that is not a crate source path is ignored.
    let other = ModuleEvidence::scan(&module(&["/usr/lib/numpy-1.2.3.tar.gz"], &[]));
    assert_eq!(other.rust_numpy, None);
}

#[test]
fn wheel_verdicts() {
    let mut scan = WheelScan::new();
    scan.scan_module("pandas/_libs/tslibs/base.so", &module(&[], &[]));
    assert!(
        !scan.is_decided(),
        "a module without markers decides nothing"
    );
    scan.scan_module("pandas/_libs/lib.so", &module(NUMPY1_HEADER, CHECK_0X10));
    assert!(scan.is_decided());
    let verdict = scan.verdict();
    assert_eq!(
        verdict.fact,
        BuildFact::Numpy1 {
            floor: Some(v("1.23"))
        }
    );
    assert_eq!(
        verdict.evidence,
        "NumPy 1.x headers in `pandas/_libs/lib.so` (feature level of NumPy 1.23)"
    );

    let mut scan = WheelScan::new();
    scan.scan_module("a.so", &module(&strs(&numpy2_header("1.16")), &[]));
    scan.scan_module("b.so", &module(&strs(&numpy2_header("1.20")), &[]));
    assert_eq!(
        scan.verdict().fact,
        BuildFact::Numpy2 {
            floor: Some(v("1.20"))
        },
        "highest floor wins"
    );
}

#[test]
fn mixed_majors_keep_the_1x_bound_and_the_higher_floor() {
    let mut scan = WheelScan::new();
    scan.scan_module("a.so", &module(NUMPY1_HEADER, &[]));
    scan.scan_module("b.so", &module(&strs(&numpy2_header("1.22")), &[]));
    let verdict = scan.verdict();
    assert_eq!(
        verdict.fact,
        BuildFact::Numpy1 {
            floor: Some(v("1.22"))
        }
    );
    let range = numpy_runtime_range(&verdict.fact).expect("constrains");
    assert!(
        range.contains(&v("1.26.4")) && !range.contains(&v("1.21")) && !range.contains(&v("2.0"))
    );
}

#[test]
fn cython_size_check_without_capi_table_is_numpy1() {
    // gensim 4.3.2, rasterio 1.3.8, cftime 1.6.2: `cimport numpy` for types only.
    let mut scan = WheelScan::new();
    scan.scan_module(
        "gensim/models/word2vec_inner.so",
        &module(&["numpy.core.multiarray failed to import"], &[]),
    );
    let verdict = scan.verdict();
    assert_eq!(verdict.fact, BuildFact::Numpy1 { floor: None });
    assert_eq!(
        verdict.evidence,
        "Cython `cimport numpy` against the NumPy 1.x .pxd in `gensim/models/word2vec_inner.so`"
    );
}

#[test]
fn no_markers_means_no_capi_and_unknown_when_table_without_header() {
    let mut scan = WheelScan::new();
    scan.scan_module("PIL/_imaging.so", &module(&["PyInit__imaging"], &[]));
    scan.scan_module("PIL/_webp.so", &module(&[], &[]));
    let verdict = scan.verdict();
    assert_eq!(verdict.fact, BuildFact::NoCapi);
    assert_eq!(verdict.evidence, "no NumPy C-API use in 2 compiled modules");
    let mut scan = WheelScan::new();
    scan.scan_module("x.so", &module(&["_ARRAY_API"], &[]));
    assert_eq!(scan.verdict().fact, BuildFact::Unknown);
}

#[test]
fn candidates_exclude_vendored_libraries() {
    assert!(is_candidate_module(
        "pandas/_libs/lib.cpython-311-x86_64-linux-gnu.so"
    ));
    assert!(is_candidate_module("pyarrow/libarrow_python.so.1600"));
    assert!(is_candidate_module(
        "scipy/linalg/_fblas.cp311-win_amd64.pyd"
    ));
    assert!(is_candidate_module("cv2/cv2.abi3.so"));
    assert!(!is_candidate_module(
        "numpy.libs/libopenblas64_p-r0-0cf96a72.3.23.dev.so"
    ));
    assert!(!is_candidate_module(
        "scipy.libs/libgfortran-040039e1.so.5.0.0"
    ));
    assert!(!is_candidate_module("PIL/.dylibs/libjpeg.62.dylib"));
    assert!(!is_candidate_module("pandas/_libs/lib.pyx"));
    assert!(!is_candidate_module("pandas/__init__.py"));
    assert!(!is_candidate_module("docs/so/"));
    let order = reading_order([
        ("b.so", 500),
        ("a.so", 500),
        ("big.so", 9000),
        ("x.py", 1),
        ("x.libs/l.so", 2),
        ("s.pyd", 10),
    ]);
    assert_eq!(order, ["s.pyd", "a.so", "b.so", "big.so"]);
}

#[test]
fn scanner_never_panics_on_truncated_or_odd_bytes() {
    let numpy2 = module(&strs(&numpy2_header("1.20")), CHECK_0X10);
    for cut in 0..numpy2.len() {
        let _ = ModuleEvidence::scan(&numpy2[..cut]);
    }
    let odd = module(
        &["module was compiled against NumPy C-API version 0x%x (NumPy 99999999999999999999999.1)"],
        &[],
    );
    let _ = ModuleEvidence::scan(&odd);
    let call_at_end = [0xFF, 0x90, 0x98, 0x06, 0x00, 0x00, 0xBA, 0x10];
    assert_eq!(ModuleEvidence::scan(&call_at_end).floor, None);
}

/// Feeds `bytes` to a streaming scanner in pieces of `size` bytes.
fn scan_in_pieces(bytes: &[u8], size: usize) -> ModuleEvidence {
    let mut scanner = ModuleScanner::new();
    for piece in bytes.chunks(size) {
        scanner.feed(piece);
    }
    assert_eq!(scanner.bytes_fed(), bytes.len() as u64);
    scanner.finish()
}

#[test]
fn streaming_finds_markers_split_across_pieces() {
    // Padding puts markers and the feature check at every offset relative to piece
    // boundaries; arm64 words stay aligned to the module start.
    let ldr: u32 = 0xF940_0000 | ((0x698 / 8) << 10) | (1 << 5) | 8;
    let mov: u32 = 0x5280_0002 | (0x0F << 5);
    let arm64: Vec<u8> = [ldr, 0xD63F_0100, mov]
        .iter()
        .flat_map(|word| word.to_le_bytes())
        .collect();
    let modules = [
        module(NUMPY1_HEADER, CHECK_0X10),
        module(NUMPY1_HEADER, &arm64),
        module(&strs(&numpy2_header("1.21")), &[]),
        module(
            &[
                "_ARRAY_API",
                "/cargo/registry/src/x/numpy-0.21.0/src/array.rs",
            ],
            &[],
        ),
        module(&["_ARRAY_API", "numpy.core.multiarray"], &[]),
    ];
    for original in &modules {
        let whole = ModuleEvidence::scan(original);
        assert!(whole.uses_capi);
        for pad in [0usize, 1, 4, 61, 300] {
            let mut bytes = vec![0u8; pad * 4];
            bytes.extend_from_slice(original);
            bytes.extend(std::iter::repeat_n(0x90, 333));
            for size in [1, 2, 3, 5, 7, 64, 255, 256, 257, 1000, 4096] {
                assert_eq!(
                    scan_in_pieces(&bytes, size),
                    whole,
                    "pad {pad}, pieces of {size}"
                );
            }
        }
    }
}

#[test]
fn streaming_scanner_settles_once_major_and_floor_are_read() {
    let mut scanner = ModuleScanner::new();
    scanner.feed(b"\0_ARRAY_API\0numpy._core._multiarray_umath\0");
    assert!(!scanner.is_settled(), "the floor is still to come");
    let header = numpy2_header("1.23");
    scanner.feed(header[2].as_bytes());
    scanner.feed(&[0; 300]);
    assert!(scanner.is_settled());
    assert_eq!(scanner.finish().floor, Some(v("1.23")));

    let mut scanner = ModuleScanner::new();
    scanner.feed(&module(NUMPY1_HEADER, &[]));
    scanner.feed(&[0; 300]);
    assert!(
        !scanner.is_settled(),
        "a 1.x build settles with its feature floor"
    );
    scanner.feed(CHECK_0X10);
    scanner.feed(&[0; 300]);
    assert!(scanner.is_settled());
}

#[test]
fn legacy_signature_in_a_rust_module_is_rust_numpy() {
    // polars 1.9.0 (abi3): the C-API table through `numpy.core.multiarray`, no crate path.
    let mut scan = WheelScan::new();
    scan.scan_module(
        "polars/polars.abi3.so",
        &module(
            &[
                "_ARRAY_API",
                "numpy.core.multiarray",
                "/rustc/129f3b9964af4d4a709d1383930ade12dfe7c081/library/core/src/fmt/mod.rs",
            ],
            &[],
        ),
    );
    assert_eq!(
        scan.verdict().fact,
        BuildFact::Numpy1Silent {
            binding: "rust-numpy < 0.22".to_string()
        }
    );
}
