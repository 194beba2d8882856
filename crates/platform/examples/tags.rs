//! Prints a target's supported tags, most preferred first, one
//! `python-abi-platform` per line: `cargo run -p npsolve-platform --example tags -- 3.12 linux`.

use std::process::ExitCode;

use npsolve_platform::{Platform, PythonVersion, Target};

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [python, platform] = args.as_slice() else {
        eprintln!("usage: tags PYTHON_VERSION PLATFORM");
        return ExitCode::from(2);
    };
    let python: PythonVersion = match python.parse() {
        Ok(python) => python,
        Err(error) => {
            eprintln!("{error}");
            return ExitCode::from(2);
        }
    };
    let platform: Platform = match platform.parse() {
        Ok(platform) => platform,
        Err(error) => {
            eprintln!("{error}");
            return ExitCode::from(2);
        }
    };
    let target = Target::new(python, platform);
    for (python, abi, platform) in target.tags().iter() {
        println!("{python}-{abi}-{platform}");
    }
    ExitCode::SUCCESS
}
