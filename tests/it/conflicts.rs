//! Conflict reports on real packages (the recorded index) and on shapes real indexes show
//! (an ABI bound beside a tighter metadata bound, a long release history): each fits a
//! screen, states no range as a list of holes, names an ABI rule only when an ABI bound is
//! part of the cause, and opens with the smallest fix.

use crate::common::{
    NUMPY1_MODULE, Npsolve, Release, compile_synthetic, most_alternatives, repo, run_on_index,
    transcript,
};

/// `npsolve compile` on the recorded index; the transcript.
fn recorded(requirements: &str) -> String {
    let mut npsolve = Npsolve::new("compile");
    npsolve.file("requirements.txt", requirements);
    let output = npsolve
        .command
        .args(["requirements.txt", "--no-header"])
        .output()
        .expect("run npsolve");
    assert_eq!(
        output.status.code(),
        Some(1),
        "{}",
        transcript(&output, npsolve.dir.path())
    );
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// Checks the report's shape and adds it to the snapshot text.
fn check(all: &mut String, title: &str, requirements: &str, report: &str, abi_is_the_cause: bool) {
    assert!(report.lines().count() <= 40, "{title}: {report}");
    assert!(most_alternatives(report) <= 4, "{title}: {report}");
    assert_eq!(
        report.contains("abi:") || report.contains("(ABI:"),
        abi_is_the_cause,
        "{title}: {report}"
    );
    all.push_str(&format!("## {title}\n{requirements}--\n{report}\n"));
}

#[test]
fn real_conflicts_read_in_a_screen() {
    let cases: [(&str, &str, bool); 12] = [
        ("an ABI bound", "pandas==1.5.3\nnumpy>=2\n", true),
        // scikit-learn 1.3.2 is a NumPy-1 build, and its own metadata says `numpy<2.0`
        // already: the metadata is the cause.
        (
            "a metadata cap as tight as the ABI",
            "scikit-learn==1.3.2\nnumpy>=2\n",
            false,
        ),
        // matplotlib 3.7.5 caps numpy below 2 in its metadata too.
        (
            "a NumPy-1 build that says so",
            "matplotlib==3.7.5\nnumpy>=2\n",
            false,
        ),
        // scikit-learn carries ABI bounds, but scipy's bound is the cause.
        (
            "a metadata bound beside ABI-bound packages",
            "scikit-learn==1.5.2\nscipy<1.6\n",
            false,
        ),
        (
            "a direct dependency",
            "matplotlib==3.9.2\npyparsing<2.3\n",
            false,
        ),
        (
            "a bound no release meets",
            "pandas==2.2.2\nsix<1.5\n",
            false,
        ),
        (
            "markers",
            "pandas==2.2.3 ; python_version >= \"3.9\"\npython-dateutil<2.8.2 ; sys_platform == \"linux\"\n",
            false,
        ),
        (
            "an extra whose dependency is missing",
            "pandas[performance]==2.2.3\n",
            false,
        ),
        (
            "an ABI bound the metadata does not state",
            "pandas==2.0.3\nnumpy>=2\n",
            true,
        ),
        (
            "an ABI bound among three requirements",
            "pandas==1.5.3\nmatplotlib==3.9.2\nnumpy>=2\n",
            true,
        ),
        (
            "a metadata cap among three requirements",
            "scikit-learn==1.3.2\nscipy==1.14.1\nnumpy>=2\n",
            false,
        ),
        (
            "a dependency with no release in range",
            "matplotlib==3.9.2\npillow<10\n",
            false,
        ),
    ];
    let mut all = String::new();
    for (title, requirements, abi) in cases {
        let report = recorded(requirements);
        check(&mut all, title, requirements, &report, abi);
    }
    insta::assert_snapshot!(all);
}

#[test]
fn an_abi_note_appears_only_where_the_abi_bound_is_a_cause() {
    // tensorflow 2.13.0's shape: built against NumPy 1, and its metadata caps numpy lower
    // still (`<=1.24.3`): against `numpy>=1.25` the metadata is the cause.
    let releases = [
        Release::new("capped-ext", "1.0")
            .module(NUMPY1_MODULE)
            .requires("numpy>=1.22,<=1.24.3"),
        Release::new("open-ext", "1.0")
            .module(NUMPY1_MODULE)
            .requires("numpy>=1.22"),
        Release::new("numpy", "1.24.3"),
        Release::new("numpy", "1.26.4"),
        Release::new("numpy", "2.1.3"),
    ];
    let mut all = String::new();
    for (requirements, abi) in [
        ("capped-ext==1.0\nnumpy>=1.25\n", false),
        ("capped-ext==1.0\nnumpy>=2\n", false),
        ("open-ext==1.0\nnumpy>=2\n", true),
    ] {
        let (output, text) = compile_synthetic(&releases, requirements, &[]);
        assert_eq!(output.status.code(), Some(1), "{text}");
        let report = String::from_utf8_lossy(&output.stderr);
        check(
            &mut all,
            requirements.lines().next().unwrap_or_default(),
            requirements,
            &report,
            abi,
        );
    }
    insta::assert_snapshot!(all);
}

#[test]
fn a_long_release_history_is_stated_by_the_versions_it_selects() {
    // 60 releases of `lib`: all need `core>=2`, and every third needs a newer Python.
    let mut releases = Vec::new();
    for major in 1..=6 {
        for minor in 0..10 {
            let mut release = Release::new("lib", &format!("{major}.{minor}")).requires("core>=2");
            if minor % 3 == 1 {
                release = release.requires_python(">=3.13");
            }
            releases.push(release);
        }
    }
    releases.push(Release::new("core", "1.0"));
    releases.push(Release::new("core", "2.0"));
    let (output, text) = compile_synthetic(&releases, "lib\ncore<2\n", &[]);
    assert_eq!(output.status.code(), Some(1), "{text}");
    let report = String::from_utf8_lossy(&output.stderr).into_owned();
    let mut all = String::new();
    check(&mut all, "a long history", "lib\ncore<2\n", &report, false);
    // The twenty releases for another Python are one note.
    assert_eq!(report.matches("note: `lib`").count(), 1, "{report}");
    insta::assert_snapshot!(all);
}

#[test]
fn hints_name_the_builds_and_pre_releases_that_exist() {
    let releases = [
        Release::new("torch", "2.5.1+cpu").compiled(),
        Release::new("torch", "2.5.1+cu118").compiled(),
        Release::new("tool", "1.0"),
        Release::new("tool", "2.0b1"),
    ];
    let (output, text) = compile_synthetic(&releases, "torch==2.5.1+cu121\n", &[]);
    assert_eq!(output.status.code(), Some(1), "{text}");
    assert!(
        text.contains("hint: `torch` has other builds of 2.5.1: 2.5.1+cu118, 2.5.1+cpu"),
        "{text}"
    );
    let (output, text) = compile_synthetic(&releases, "tool>1.0\n", &["--prerelease", "disallow"]);
    assert_eq!(output.status.code(), Some(1), "{text}");
    assert!(
        text.contains("hint: `tool` has pre-releases in that range (2.0b1)"),
        "{text}"
    );
}

#[test]
fn conflicts_across_long_histories_read_in_a_screen() {
    let index = repo().join("tests/fixtures/conflicts-index");
    let mut all = String::new();
    for (title, requirements) in [
        // flask 3.0.0 reaches markupsafe through jinja2 and werkzeug.
        (
            "transitive, through two packages",
            "flask==3.0.0\nmarkupsafe<2\n",
        ),
        (
            "every release of a long history",
            "werkzeug>=3\nmarkupsafe<2.1.1\n",
        ),
        ("a range of releases", "flask>=3\nwerkzeug<2.3\n"),
        (
            "a pre-release policy",
            "markupsafe==2.0.0rc2\njinja2>=3.1\n",
        ),
    ] {
        let (output, text) = run_on_index(&index, "compile", requirements, &["--no-header"]);
        assert_eq!(output.status.code(), Some(1), "{text}");
        let report = String::from_utf8_lossy(&output.stderr).into_owned();
        check(&mut all, title, requirements, &report, false);
    }
    insta::assert_snapshot!(all);
}
