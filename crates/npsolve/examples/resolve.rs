//! Resolves a requirements string with the npsolve library, without the CLI:
//!
//!     cargo run -p npsolve --example resolve -- INDEX_URL 'pandas==1.5.3
//!     numpy'
//!
//! for CPython 3.11 on x86_64 manylinux_2_28, printing one `name==version` per line (and the
//! NumPy ABI bound that held numpy back, when one did). Against the recorded fixture index:
//! start `cargo run -p npsolve-testkit --bin npsolve-fixture-server -- tests/fixtures/index`
//! (it serves while its standard input stays open) and pass the URL it prints.

use std::process::ExitCode;

use npsolve::{AbiScan, Engine, ResolveRequest, default_resolve_options};
use npsolve_index::{CacheOptions, ClientOptions};
use npsolve_platform::Target;
use npsolve_resolver::RootRequirement;

fn main() -> ExitCode {
    let mut args = std::env::args().skip(1);
    let (Some(index_url), Some(requirements)) = (args.next(), args.next()) else {
        eprintln!("usage: resolve INDEX_URL REQUIREMENTS");
        return ExitCode::from(2);
    };
    match run(&index_url, &requirements) {
        Ok(code) => code,
        Err(error) => {
            eprintln!("error: {error}");
            ExitCode::from(2)
        }
    }
}

fn run(index_url: &str, requirements: &str) -> Result<ExitCode, Box<dyn std::error::Error>> {
    let target = Target::new("3.11".parse()?, "x86_64-manylinux_2_28".parse()?);
    let requirements = requirements
        .lines()
        .map(str::trim)
        .filter(|line| !line.is_empty() && !line.starts_with('#'))
        .enumerate()
        .map(|(index, line)| {
            Ok(RootRequirement {
                requirement: line.parse()?,
                origin: format!("<string>:{}", index + 1),
                via: "<string>".to_string(),
            })
        })
        .collect::<Result<Vec<_>, Box<dyn std::error::Error>>>()?;
    let cache = std::env::temp_dir().join("npsolve-example-cache");
    let client = ClientOptions {
        index_url: Some(index_url.parse()?),
        cache: CacheOptions {
            dir: Some(cache),
            ..CacheOptions::default()
        },
        ..ClientOptions::default()
    };
    let options = default_resolve_options(&target);
    let engine = Engine::new()?;
    let report = engine.resolve(ResolveRequest {
        client,
        target: &target,
        requirements: &requirements,
        options: &options,
        abi: Some(AbiScan::Auto),
        api: npsolve::ApiScan::Auto,
        build: None,
    })?;
    match report.resolution {
        Ok(resolution) => {
            for pin in &resolution.pins {
                println!("{}=={}", pin.name, pin.version);
                for bound in &pin.abi_bound_by {
                    println!("    # ABI: {bound}");
                }
            }
            Ok(ExitCode::SUCCESS)
        }
        Err(npsolve_resolver::ResolveError::NoSolution { report, .. }) => {
            eprintln!("no solution:\n{report}");
            Ok(ExitCode::from(1))
        }
        Err(error) => Err(error.into()),
    }
}
