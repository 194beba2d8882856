//! Reads local wheel files with the crate's scanner and prints each verdict,
//! the modules read in order, and how many bytes that took, the way the index
//! client reads remote wheels (smallest candidate modules first, stop once
//! decided).
//!
//! `cargo run -p npsolve-abi --example scan_wheel -- path/to/*.whl`

use std::fs::File;
use std::process::ExitCode;

use npsolve_abi::{WheelScan, numpy_runtime_range, reading_order};

fn main() -> ExitCode {
    let mut status = ExitCode::SUCCESS;
    for path in std::env::args().skip(1) {
        if let Err(error) = scan(&path) {
            eprintln!("{path}: {error}");
            status = ExitCode::FAILURE;
        }
    }
    status
}

fn scan(path: &str) -> Result<(), Box<dyn std::error::Error>> {
    let total = std::fs::metadata(path)?.len();
    let mut archive = zip::ZipArchive::new(File::open(path)?)?;
    let members: Vec<(String, u64, u64)> = (0..archive.len())
        .map(|index| {
            archive
                .by_index_raw(index)
                .map(|file| (file.name().to_string(), file.size(), file.compressed_size()))
        })
        .collect::<Result<_, _>>()?;
    let sizes = members.iter().map(|(name, size, _)| (name.as_str(), *size));
    let order: Vec<String> = reading_order(sizes)
        .into_iter()
        .map(str::to_string)
        .collect();
    let mut scan = WheelScan::new();
    let (mut read, mut fetched) = (0, 0);
    for member in &order {
        let mut file = archive.by_name(member)?;
        let mut bytes = Vec::new();
        std::io::Read::read_to_end(&mut file, &mut bytes)?;
        fetched += file.compressed_size();
        read += 1;
        scan.scan_module(member, &bytes);
        if scan.is_decided() {
            break;
        }
    }
    let verdict = scan.verdict();
    let range = numpy_runtime_range(&verdict.fact)
        .map_or_else(|| "no constraint".to_string(), |range| range.to_string());
    let name = path.rsplit('/').next().unwrap_or(path);
    println!(
        "{name}\n  {:?} -> numpy {range}\n  {}",
        verdict.fact, verdict.evidence
    );
    println!(
        "  read {read} of {} candidate modules, {fetched} compressed bytes of {total} ({:.1} %)",
        order.len(),
        fetched as f64 * 100.0 / total as f64
    );
    Ok(())
}
