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

/// One warning per pin that walked back past newer releases only a source build could use,
/// e.g. "`seqeval` 0.0.10 chosen: the newer 1.2.2 is source-only and ...".
pub fn walked_back_warnings(resolution: &Resolution) -> Vec<String> {
    resolution
        .pins
        .iter()
        .filter_map(|pin| {
            let (newest, why) = pin.passed_over.iter().max_by(|a, b| a.0.cmp(&b.0))?;
            let more = match pin.passed_over.len() {
                1 => String::new(),
                count => format!(" (and {} releases between)", count - 1),
            };
            Some(format!(
                "`{}` {} chosen, not the newer {newest}{more}: {why}",
                pin.name, pin.version
            ))
        })
        .collect()
}

/// One warning per pin whose code calls, inside a function, a name the pinned library
/// lacks: importing it works, calling that function fails.
pub fn api_warnings(resolution: &Resolution) -> Vec<String> {
    resolution
        .pins
        .iter()
        .flat_map(|pin| {
            pin.api_warnings.iter().map(|summary| {
                format!(
                    "{summary}: calling that function fails (`--api-scan strict` bounds the library)"
                )
            })
        })
        .collect()
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
