//! Source-only packages end to end: real sdists (trimmed, `tests/fixtures/sdists/`) resolved
//! from the dependencies their files state, served over loopback without `.metadata` files.

use crate::common::{repo, run_on_index};

/// `npsolve <subcommand> requirements.txt <args>` against the sdist fixture index.
fn run(requirements: &str, subcommand: &str, args: &[&str]) -> (std::process::Output, String) {
    run_on_index(
        &repo().join("tests/fixtures/sdists/index"),
        subcommand,
        requirements,
        args,
    )
}

#[test]
fn sdists_without_pep_643_metadata_resolve_and_say_where_it_came_from() {
    let (output, text) = run(
        "termcolor==1.1.0\nhtmlmin\noverrides\n",
        "compile",
        &["--no-header"],
    );
    assert_eq!(output.status.code(), Some(0), "{text}");
    // overrides 3.1.0 (its egg-info trimmed away) states its dependencies only in a setup.py
    // call: the walk-back to 3.0.0 is said, not silent.
    assert!(
        text.contains("warning: `overrides` 3.0.0 chosen, not the newer 3.1.0: no wheel of it fits the target, and its source distribution states its dependencies in none of its files"),
        "{text}"
    );
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert_eq!(
        stdout,
        "htmlmin==0.1.12
    # via -r requirements.txt
    # built from source: no wheel of htmlmin 0.1.12 fits the target
    # metadata: egg-info
overrides==3.0.0
    # via -r requirements.txt
    # built from source: no wheel of overrides 3.0.0 fits the target
    # metadata: egg-info
termcolor==1.1.0
    # via -r requirements.txt
    # built from source: no wheel of termcolor 1.1.0 fits the target
    # metadata: setup.py
",
        "{text}"
    );
}

#[test]
fn an_sdist_only_its_build_could_describe_is_refused_with_the_reason() {
    let (output, text) = run("dkimpy\n", "compile", &["-v"]);
    assert_eq!(output.status.code(), Some(1), "{text}");
    assert!(text.contains("only a build would tell"), "{text}");
    // `-v` names the files read and what each lacked.
    assert!(
        text.contains("setup.py chooses its dependencies by `except ImportError`"),
        "{text}"
    );
    assert!(text.contains("PKG-INFO is Metadata-Version 2.1"), "{text}");
}

/// `check` on pinned source-only packages: a pure-Python sdist is fine (an installer builds
/// it), and is said to be source-only; one whose dependencies need a build is reported.
#[test]
fn check_accepts_pinned_pure_python_sdists_and_says_so() {
    let (output, text) = run("termcolor==1.1.0\nhtmlmin==0.1.12\n", "check", &[]);
    assert_eq!(output.status.code(), Some(0), "{text}");
    assert!(
        text.contains("requirements.txt:1: warning: source-only: `termcolor` 1.1.0 is source-only for the target: an installer builds its pure-Python sdist (dependencies read from setup.py)"),
        "{text}"
    );
    assert!(text.contains("(dependencies read from egg-info)"), "{text}");
    // One whose dependencies only a build would tell stays an error.
    let (output, text) = run("dkimpy==1.1.8\n", "check", &[]);
    assert_eq!(output.status.code(), Some(1), "{text}");
    assert!(text.contains("error: no-file-for-target"), "{text}");
}

/// pyemd 1.0.0 compiles against numpy and its `build-system.requires` names
/// `oldest-supported-numpy`: refused by default; with `--allow-source` its build is predicted
/// to be a NumPy 1.x one, so numpy stays below 2 (numpy comes from the main fixture index).
#[test]
fn a_numpy_source_build_allowed_is_bounded_by_its_build_requirements() {
    let main = crate::common::server().index_url();
    let extra = ["--extra-index-url", main.as_str()];
    let mut args = vec!["--no-header"];
    args.extend(extra);
    let (output, text) = run("pyemd\n", "compile", &args);
    assert_eq!(output.status.code(), Some(1), "{text}");
    assert!(text.contains("--allow-source"), "{text}");
    args.extend(["--allow-source", "pyemd"]);
    let (output, text) = run("pyemd\n", "compile", &args);
    assert_eq!(output.status.code(), Some(0), "{text}");
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(stdout.contains("numpy==1.26.4\n"), "{text}");
    assert!(stdout.contains("pyemd==1.0.0\n"), "{text}");
    assert!(
        stdout.contains("# ABI: pyemd 1.0.0 built from source with NumPy 1.x (predicted from build-system.requires `oldest-supported-numpy`)"),
        "{text}"
    );
}
