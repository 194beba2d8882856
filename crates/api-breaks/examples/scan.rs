//! Prints the uses of removed NumPy, SciPy and pandas names in the Python files given, one
//! per line (`path:line:col: text (module.name removed in V; import time|call time[,
//! guarded])`, the format `docs/api-breaks-survey/run.py` reads), and on stderr how many
//! files the resolver's prefilter would parse.
//!
//! `cargo run -p npsolve-api-breaks --example scan -- path/to/module.py ...`

use npsolve_api_breaks::{Prefilter, Removals, scan_source};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let removals = Removals::bundled();
    let prefilter = Prefilter::new(removals);
    let (mut files, mut passed) = (0, 0);
    for path in std::env::args().skip(1) {
        let source = std::fs::read(&path)?;
        files += 1;
        let passes = prefilter.might_use(&source);
        passed += usize::from(passes);
        let found = scan_source(&source, removals)?;
        // Every file is parsed here, so the prefilter the resolver uses is checked too.
        if !found.is_empty() && !passes {
            eprintln!("{path}: the prefilter would skip a file with uses");
        }
        for found in found {
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
    eprintln!("{files} files, {passed} pass the prefilter");
    Ok(())
}
