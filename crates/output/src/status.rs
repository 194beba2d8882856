//! One-line status messages about a resolution, for stderr.

use npsolve::ScanStats;
use npsolve_resolver::Resolution;

/// The warning for pins whose NumPy compatibility nothing could establish, if any.
pub fn unchecked_warning(resolution: &Resolution) -> Option<String> {
    let unchecked: Vec<String> = resolution
        .pins
        .iter()
        .filter(|pin| pin.abi_unchecked)
        .map(|pin| format!("`{}` {}", pin.name, pin.version))
        .collect();
    (!unchecked.is_empty()).then(|| {
        format!(
            "no NumPy ABI facts for {}: compiled wheels that require numpy whose binaries could not be read (scanning off, offline, over the byte budget, or no recognisable marker), so their NumPy compatibility is unchecked; try `npsolve scan NAME==VERSION`",
            unchecked.join(", ")
        )
    })
}

/// What the scans during a resolution cost, when any wheel was read or failed.
pub fn scan_summary(stats: &ScanStats) -> Option<String> {
    (stats.scanned + stats.failed > 0).then(|| {
        format!(
            "Scanned {} wheels' binaries for their NumPy build ({} failed): {} KiB in {} requests",
            stats.scanned,
            stats.failed,
            stats.bytes / 1024,
            stats.requests
        )
    })
}
