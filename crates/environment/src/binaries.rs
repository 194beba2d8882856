//! Which NumPy an installed distribution's compiled modules were built against.

use std::io::Read;
use std::path::Path;

use npsolve_abi::{ModuleScanner, WheelScan, WheelVerdict, is_candidate_module, reading_order};

use crate::dist_info::InstalledDist;

/// Bytes read from a module file at a time.
const PIECE: usize = 256 * 1024;

/// The verdict on one installed distribution's binaries.
#[derive(Debug, Clone)]
pub struct BinaryScan {
    /// What the binaries were built against, and the evidence.
    pub verdict: WheelVerdict,
    /// Compiled modules the distribution installed (outside vendored library folders).
    pub candidate_modules: usize,
    /// Modules read before the verdict was decided.
    pub modules_read: usize,
    /// Bytes read.
    pub bytes_read: u64,
}

/// Scans the compiled modules `dist` installed (from its RECORD), smallest first, until the
/// verdict is decided. `None` when it installed no compiled module; unreadable modules are
/// skipped (the verdict then rests on the others).
pub fn scan_binaries(dist: &InstalledDist) -> Option<BinaryScan> {
    let sized: Vec<(&str, u64)> = dist
        .files
        .iter()
        .filter(|file| is_candidate_module(file))
        .filter_map(|file| {
            let size = std::fs::metadata(dist.site_packages.join(file)).ok()?.len();
            Some((file.as_str(), size))
        })
        .collect();
    if sized.is_empty() {
        return None;
    }
    let mut scan = WheelScan::new();
    let mut bytes_read = 0;
    for module in reading_order(sized.iter().copied()) {
        if let Some(scanner) = scan_file(&dist.site_packages.join(module)) {
            bytes_read += scanner.bytes_fed();
            scan.add(module, scanner.finish());
        }
        if scan.is_decided() {
            break;
        }
    }
    Some(BinaryScan {
        verdict: scan.verdict(),
        candidate_modules: sized.len(),
        modules_read: scan.modules_read(),
        bytes_read,
    })
}

/// Streams one file through the scanner, stopping once its evidence is settled.
fn scan_file(path: &Path) -> Option<ModuleScanner> {
    let mut file = std::fs::File::open(path).ok()?;
    let mut scanner = ModuleScanner::new();
    let mut buffer = vec![0; PIECE];
    loop {
        let read = file.read(&mut buffer).ok()?;
        if read == 0 || {
            scanner.feed(&buffer[..read]);
            scanner.is_settled()
        } {
            return Some(scanner);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use npsolve_abi::BuildFact;

    #[test]
    fn reads_the_installed_modules_and_skips_vendored_ones() {
        let dir = tempfile::tempdir().unwrap();
        let site = dir.path();
        std::fs::create_dir_all(site.join("demo")).unwrap();
        std::fs::create_dir_all(site.join("demo.libs")).unwrap();
        std::fs::write(
            site.join("demo/_ext.so"),
            b"\0_ARRAY_API\0_ARRAY_API not found\0module compiled against API version 0x%x but this version of numpy is 0x%x\0",
        )
        .unwrap();
        std::fs::write(
            site.join("demo.libs/libx.so"),
            b"\0numpy._core._multiarray_umath\0",
        )
        .unwrap();
        let dist = InstalledDist {
            name: "demo".parse().unwrap(),
            version: "1.0".parse().unwrap(),
            dist_info: site.join("demo-1.0.dist-info"),
            site_packages: site.to_path_buf(),
            requires_dist: Vec::new(),
            files: vec![
                "demo/__init__.py".to_string(),
                "demo/_ext.so".to_string(),
                "demo.libs/libx.so".to_string(),
            ],
        };
        let scan = scan_binaries(&dist).unwrap();
        assert!(
            matches!(scan.verdict.fact, BuildFact::Numpy1 { .. }),
            "{scan:?}"
        );
        assert_eq!(scan.candidate_modules, 1);
        let pure = InstalledDist {
            files: vec!["demo/__init__.py".to_string()],
            ..dist
        };
        assert!(scan_binaries(&pure).is_none());
    }
}
