//! Serves a snapshot index folder on loopback, optionally with random faults, for the soak
//! test (`tests/soak/soak.py`). Prints the index URL on stdout, then serves until its
//! standard input closes.
//!
//!     npsolve-fixture-server ROOT [--fault-per-mille N] [--seed N] [--stall-ms N]

use std::io::{Read, Write};
use std::time::Duration;

use npsolve_testkit::{FaultKind, FixtureServer, RandomFaults, ServerOptions};

fn main() {
    let mut args = std::env::args().skip(1);
    let Some(root) = args.next() else {
        eprintln!(
            "usage: npsolve-fixture-server ROOT [--fault-per-mille N] [--seed N] [--stall-ms N]"
        );
        std::process::exit(2);
    };
    let (mut per_mille, mut seed, mut stall_ms) = (0u32, 1u64, 1500u64);
    while let Some(flag) = args.next() {
        let value = args.next().and_then(|value| value.parse::<u64>().ok());
        match (flag.as_str(), value) {
            ("--fault-per-mille", Some(value)) => per_mille = u32::try_from(value).unwrap_or(1000),
            ("--seed", Some(value)) => seed = value,
            ("--stall-ms", Some(value)) => stall_ms = value,
            _ => {
                eprintln!("unknown or incomplete option `{flag}`");
                std::process::exit(2);
            }
        }
    }
    let options = ServerOptions {
        random_faults: (per_mille > 0).then(|| RandomFaults {
            per_mille,
            seed,
            kinds: vec![
                FaultKind::Status(500),
                FaultKind::Status(503),
                FaultKind::Status(429),
                FaultKind::Stall(Duration::from_millis(stall_ms)),
                FaultKind::TruncatedBody,
                FaultKind::CorruptBytes,
                FaultKind::IgnoreRange,
            ],
        }),
        ..ServerOptions::default()
    };
    let server = FixtureServer::start(root, options);
    println!("{}", server.index_url());
    let _ = std::io::stdout().flush();
    // Serve until the parent closes our stdin (or dies).
    let mut sink = Vec::new();
    let _ = std::io::stdin().read_to_end(&mut sink);
    drop(server);
}
