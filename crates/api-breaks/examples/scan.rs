//! Prints the uses of removed NumPy and SciPy names in the Python files given.
//!
//! `cargo run -p npsolve-api-breaks --example scan -- path/to/module.py ...`

use npsolve_api_breaks::{Removals, scan_source};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let removals = Removals::bundled();
    for path in std::env::args().skip(1) {
        let source = std::fs::read(&path)?;
        for found in scan_source(&source, removals)? {
            println!(
                "{path}:{}:{}: {} ({} removed in {}; {}{})",
                found.line,
                found.column,
                found.text,
                found.removal.path(),
                found.removal.removed_in,
                if found.import_time {
                    "import time"
                } else {
                    "call time"
                },
                if found.guarded { ", guarded" } else { "" }
            );
        }
    }
    Ok(())
}
