//! Snapshot tests for the pinned requirements.txt format.

use std::collections::BTreeSet;

use npsolve_output::{AnnotationStyle, HashMode, RequirementsTxt};
use npsolve_resolver::{AbiBound, DistKey, DistRef, Pin, Resolution};
use version_ranges::Ranges;

fn file(filename: &str, hash: char, is_wheel: bool) -> DistRef {
    DistRef {
        key: DistKey::default(),
        filename: filename.to_string(),
        url: format!("https://files.test/{filename}"),
        sha256: Some(hash.to_string().repeat(64)),
        requires_python: None,
        yanked: None,
        size: None,
        upload_time: None,
        is_wheel,
    }
}

fn pin(name: &str, version: &str, via: &[&str], files: Vec<DistRef>) -> Pin {
    Pin {
        name: name.parse().unwrap(),
        version: version.parse().unwrap(),
        dist: files[0].clone(),
        files,
        extras: BTreeSet::new(),
        via: via.iter().map(ToString::to_string).collect(),
        abi: None,
        abi_binding: false,
        abi_unchecked: false,
        abi_bound_by: Vec::new(),
        api: Vec::new(),
        api_bound_by: Vec::new(),
        api_warnings: Vec::new(),
        metadata_source: None,
        passed_over: Vec::new(),
        direct: None,
    }
}

fn resolution() -> Resolution {
    let mut numpy = pin(
        "numpy",
        "1.26.4",
        &["-r requirements.txt", "pandas"],
        vec![
            file(
                "numpy-1.26.4-cp311-cp311-manylinux_2_17_x86_64.whl",
                'a',
                true,
            ),
            file("numpy-1.26.4.tar.gz", 'b', false),
        ],
    );
    numpy.abi_bound_by = vec!["pandas 1.5.3 built with NumPy 1.x".to_string()];
    let mut pandas = pin(
        "pandas",
        "1.5.3",
        &["-r requirements.txt"],
        vec![file(
            "pandas-1.5.3-cp311-cp311-manylinux_2_17_x86_64.whl",
            'c',
            true,
        )],
    );
    pandas.abi = Some(AbiBound {
        numpy: Ranges::full(),
        summary: "pandas 1.5.3 built with NumPy 1.x".to_string(),
        reason: String::new(),
        first_newer_build: None,
    });
    pandas.abi_binding = true;
    let source = pin(
        "tiny",
        "0.1",
        &["pandas"],
        vec![file("tiny-0.1.tar.gz", 'd', false)],
    );
    Resolution {
        pins: vec![numpy, pandas, source],
    }
}

#[test]
fn split_annotations_with_header() {
    let writer = RequirementsTxt {
        header_command: Some("npsolve compile requirements.txt".to_string()),
        annotate: true,
        style: AnnotationStyle::Split,
        hashes: HashMode::None,
        omit: Default::default(),
        index_lines: Vec::new(),
    };
    insta::assert_snapshot!(writer.render(&resolution()));
}

#[test]
fn line_annotations() {
    let writer = RequirementsTxt {
        annotate: true,
        style: AnnotationStyle::Line,
        ..Default::default()
    };
    insta::assert_snapshot!(writer.render(&resolution()));
}

#[test]
fn hashes_for_all_files_and_for_target() {
    let all = RequirementsTxt {
        hashes: HashMode::AllFiles,
        ..Default::default()
    };
    insta::assert_snapshot!(all.render(&resolution()));
    let target = RequirementsTxt {
        hashes: HashMode::TargetOnly,
        annotate: true,
        ..Default::default()
    };
    insta::assert_snapshot!(target.render(&resolution()));
}
