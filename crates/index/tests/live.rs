//! Opt-in: `NPSOLVE_LIVE=1 cargo test -p npsolve-index --test live -- --nocapture` fetches
//! metadata for real PyPI packages and prints bytes and requests per package.

use std::str::FromStr;

use npsolve_index::{CacheOptions, ClientOptions, IndexClient};
use npsolve_platform::DistFilename;
use pep508_rs::PackageName;

const PACKAGES: [&str; 20] = [
    "numpy",
    "pandas",
    "scipy",
    "matplotlib",
    "scikit-learn",
    "requests",
    "six",
    "pytz",
    "tzdata",
    "python-dateutil",
    "contourpy",
    "joblib",
    "threadpoolctl",
    "pillow",
    "packaging",
    "pyparsing",
    "cycler",
    "kiwisolver",
    "fonttools",
    "urllib3",
];

#[test]
fn live_pypi_metadata() {
    if std::env::var("NPSOLVE_LIVE").as_deref() != Ok("1") {
        println!("skipped (set NPSOLVE_LIVE=1 to run against PyPI)");
        return;
    }
    let cache = tempfile::tempdir().expect("temp dir");
    let options = ClientOptions {
        cache: CacheOptions {
            dir: Some(cache.path().to_path_buf()),
            ..CacheOptions::default()
        },
        ..ClientOptions::default()
    };
    let client = IndexClient::new(options).expect("client");
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    println!("| package | file | method | requests | bytes |");
    println!("|---|---|---|---|---|");
    for package in PACKAGES {
        let name = PackageName::from_str(package).expect("valid name");
        let before = client.stats();
        let project = runtime
            .block_on(client.project(&name))
            .expect("project page");
        assert!(!project.files.is_empty(), "{package} has files");
        let page = client.stats();
        // The newest wheel (files come newest release first): PEP 658 on PyPI.
        let wheel = project
            .files
            .iter()
            .find(|file| matches!(file.filename, DistFilename::Wheel(_)) && file.yanked.is_none())
            .expect("a wheel");
        let metadata = runtime.block_on(client.metadata(wheel)).expect("metadata");
        assert_eq!(metadata.name, name);
        let after = client.stats();
        println!(
            "| {package} | page | json | {} | {} |",
            page.requests - before.requests,
            page.bytes_downloaded - before.bytes_downloaded
        );
        println!(
            "| {package} | {} | {} | {} | {} |",
            wheel.filename,
            if after.metadata_pep658 > page.metadata_pep658 {
                "pep658"
            } else if after.metadata_range > page.metadata_range {
                "range"
            } else {
                "whole"
            },
            after.requests - page.requests,
            after.bytes_downloaded - page.bytes_downloaded
        );
        // The same wheel by range requests, bypassing PEP 658.
        let mut ranged = wheel.clone();
        ranged.core_metadata = npsolve_index::CoreMetadataHint::NotAvailable;
        ranged.hashes.sha256 = None;
        ranged.url.set_query(Some("range"));
        let before_range = client.stats();
        let by_range = runtime
            .block_on(client.metadata(&ranged))
            .expect("metadata by range");
        assert_eq!(by_range.requires_dist, metadata.requires_dist);
        let after_range = client.stats();
        println!(
            "| {package} | (same, by range, size {}) | {} | {} | {} |",
            wheel.size.unwrap_or(0),
            if after_range.metadata_range > before_range.metadata_range {
                "range"
            } else {
                "whole"
            },
            after_range.requests - before_range.requests,
            after_range.bytes_downloaded - before_range.bytes_downloaded
        );
    }
    println!("{:?}", client.stats());
}
