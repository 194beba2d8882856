//! The scanner on real wheels kept in `tests/wheels/` (see its README for sources and
//! licences): whole modules and the same modules streamed in small pieces agree, and the
//! verdicts are the ones measured on PyPI.

use std::io::Read;
use std::path::PathBuf;
use std::str::FromStr;

use npsolve_abi::{BuildFact, ModuleEvidence, ModuleScanner, WheelScan, reading_order};
use pep440_rs::Version;

fn wheel(prefix: &str) -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/wheels");
    std::fs::read_dir(&dir)
        .expect("tests/wheels")
        .filter_map(Result::ok)
        .map(|entry| entry.path())
        .find(|path| {
            path.file_name()
                .and_then(|name| name.to_str())
                .is_some_and(|name| name.starts_with(prefix) && name.ends_with(".whl"))
        })
        .unwrap_or_else(|| panic!("no wheel `{prefix}*` in {}", dir.display()))
}

/// Scans a wheel the way the index client does (smallest candidates first, stop once
/// decided), streaming each module in `piece`-byte pieces; checks each module's streamed
/// evidence against a whole-module scan.
fn scan(prefix: &str, piece: usize) -> BuildFact {
    let file = std::fs::File::open(wheel(prefix)).expect("open");
    let mut archive = zip::ZipArchive::new(file).expect("zip");
    let members: Vec<(String, u64)> = (0..archive.len())
        .map(|index| {
            let member = archive.by_index_raw(index).expect("member");
            (member.name().to_string(), member.size())
        })
        .collect();
    let order: Vec<String> =
        reading_order(members.iter().map(|(name, size)| (name.as_str(), *size)))
            .into_iter()
            .map(str::to_string)
            .collect();
    assert!(!order.is_empty(), "{prefix}: no candidate modules");
    let mut scan = WheelScan::new();
    for name in &order {
        let mut bytes = Vec::new();
        archive
            .by_name(name)
            .expect("member")
            .read_to_end(&mut bytes)
            .expect("inflate");
        let mut scanner = ModuleScanner::new();
        for chunk in bytes.chunks(piece) {
            scanner.feed(chunk);
        }
        let streamed = scanner.finish();
        assert_eq!(
            streamed,
            ModuleEvidence::scan(&bytes),
            "{name} in pieces of {piece}"
        );
        scan.add(name, streamed);
        if scan.is_decided() {
            break;
        }
    }
    scan.verdict().fact
}

fn v(text: &str) -> Option<Version> {
    Some(Version::from_str(text).expect("version"))
}

#[test]
fn real_wheels_give_the_verdicts_measured_on_pypi() {
    for piece in [4093, 65536, usize::MAX] {
        assert_eq!(
            scan("numpy_quaternion-2023.0.2", piece),
            BuildFact::Numpy1 { floor: v("1.23") }
        );
        assert_eq!(
            scan("numpy_quaternion-2024.0.3", piece),
            BuildFact::Numpy2 { floor: v("1.20") }
        );
        assert_eq!(
            scan("contourpy-1.2.0", piece),
            BuildFact::Numpy1Silent {
                binding: "pybind11 < 2.12".to_string()
            }
        );
        assert_eq!(
            scan("contourpy-1.2.1", piece),
            BuildFact::Numpy2 { floor: None }
        );
    }
}
