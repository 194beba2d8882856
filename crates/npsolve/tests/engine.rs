//! The library on its own, against the recorded fixture index on loopback: resolve a
//! requirements string, lock it (every pinned file with its hash), and check the pins,
//! without the CLI.

use std::path::PathBuf;

use npsolve::{AbiScan, CheckRequest, Engine, ResolveRequest, default_resolve_options};
use npsolve_index::{CacheOptions, ClientOptions};
use npsolve_platform::Target;
use npsolve_resolver::{PinnedLine, ProblemKind, RootRequirement};
use npsolve_testkit::{FixtureServer, ServerOptions};

fn fixture_index() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures/index")
}

fn target() -> Target {
    Target::new(
        "3.11".parse().expect("python"),
        "x86_64-manylinux_2_28".parse().expect("platform"),
    )
}

fn client(server: &FixtureServer, cache: &std::path::Path) -> ClientOptions {
    ClientOptions {
        index_url: Some(server.index_url().parse().expect("index url")),
        cache: CacheOptions {
            dir: Some(cache.to_path_buf()),
            ..CacheOptions::default()
        },
        ..ClientOptions::default()
    }
}

fn roots(text: &str) -> Vec<RootRequirement> {
    text.lines()
        .map(|line| RootRequirement {
            requirement: line.parse().expect("requirement"),
            origin: "test".to_string(),
            via: "test".to_string(),
        })
        .collect()
}

fn pinned(lines: &[String]) -> Vec<PinnedLine> {
    lines
        .iter()
        .enumerate()
        .map(|(index, line)| PinnedLine {
            requirement: line.parse().expect("pin"),
            file: "pins.txt".to_string(),
            line: index + 1,
            hashes: Vec::new(),
        })
        .collect()
}

#[test]
fn resolves_locks_and_checks_through_the_library() {
    let server = FixtureServer::start(fixture_index(), ServerOptions::default());
    let cache = tempfile::tempdir().expect("cache");
    let target = target();
    let options = default_resolve_options(&target);
    let engine = Engine::new().expect("engine");
    let requirements = roots("pandas==1.5.3\nnumpy");
    let report = engine
        .resolve(ResolveRequest {
            client: client(&server, cache.path()),
            target: &target,
            requirements: &requirements,
            options: &options,
            abi: Some(AbiScan::Auto),
            api: npsolve::ApiScan::Auto,
            build: None,
        })
        .expect("engine runs");
    let resolution = report.resolution.expect("a solution");
    let pins: Vec<String> = resolution
        .pins
        .iter()
        .map(|pin| format!("{}=={}", pin.name, pin.version))
        .collect();
    assert!(pins.contains(&"pandas==1.5.3".to_string()), "{pins:?}");
    assert!(
        pins.contains(&"numpy==1.26.4".to_string()),
        "the ABI layer holds numpy below 2: {pins:?}"
    );

    // Lock: every pinned release comes with its files and their hashes (what a lockfile
    // writer needs).
    for pin in &resolution.pins {
        assert!(!pin.files.is_empty(), "{} has no files", pin.name);
        assert!(
            pin.files.iter().all(|file| file.sha256.is_some()),
            "{} has a file without a hash",
            pin.name
        );
    }

    // Check: the pins are clean; the same pins with numpy 2 are an ABI conflict.
    let check = |lines: &[String]| {
        engine
            .check(CheckRequest {
                client: client(&server, cache.path()),
                target: &target,
                pins: &pinned(lines),
                options: &options,
                abi: AbiScan::Auto,
                api: npsolve::ApiScan::Auto,
            })
            .expect("check runs")
    };
    let problems = check(&pins);
    assert!(
        problems.iter().all(|problem| problem.kind.is_warning()),
        "{problems:?}"
    );
    let broken: Vec<String> = pins
        .iter()
        .map(|pin| {
            if pin.starts_with("numpy==") {
                "numpy==2.1.3".to_string()
            } else {
                pin.clone()
            }
        })
        .collect();
    let problems = check(&broken);
    assert!(
        problems
            .iter()
            .any(|problem| problem.kind == ProblemKind::AbiConflict
                && problem.package.as_ref() == "pandas"),
        "{problems:?}"
    );
}
