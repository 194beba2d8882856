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

/// overrides 3.1.0 (its egg-info trimmed away) states its dependencies only in a `setup()`
/// call. Without `--allow-build` it is refused, naming the flag; with it, its setup.py runs
/// through setuptools' PEP 517 hook in a fresh virtual environment (setuptools comes from
/// the fixture index as a wheel, resolved by npsolve itself) and 3.1.0 is chosen.
#[test]
fn an_sdist_only_a_build_describes_resolves_when_its_build_is_allowed() {
    let (output, text) = run("overrides==3.1.0\n", "compile", &[]);
    assert_eq!(output.status.code(), Some(1), "{text}");
    assert!(text.contains("--allow-build overrides"), "{text}");

    let (output, text) = run(
        "overrides\n",
        "compile",
        &["--no-header", "--allow-build", "overrides"],
    );
    assert_eq!(output.status.code(), Some(0), "{text}");
    assert_eq!(
        String::from_utf8_lossy(&output.stdout),
        "overrides==3.1.0
    # via -r requirements.txt
    # built from source: no wheel of overrides 3.1.0 fits the target
    # metadata: build
",
        "{text}"
    );
    assert!(!text.contains("warning"), "{text}");
}

/// A build's answer is cached under the sdist's sha256: the next run (offline) does not build
/// again; and it is read only when a build is allowed, so a run without the flag answers as
/// if no build had ever happened.
#[test]
fn a_build_is_cached_and_never_answers_a_run_that_did_not_allow_it() {
    let dir = tempfile::tempdir().expect("tempdir");
    let server = npsolve_testkit::FixtureServer::start(
        repo().join("tests/fixtures/sdists/index"),
        npsolve_testkit::ServerOptions::default(),
    );
    std::fs::write(dir.path().join("requirements.txt"), "overrides\n").expect("input");
    let run = |args: &[&str]| {
        let output = assert_cmd::Command::cargo_bin("npsolve")
            .expect("binary")
            .current_dir(dir.path())
            .env("NPSOLVE_CACHE_DIR", dir.path().join("cache"))
            .env("NO_COLOR", "1")
            .args(["compile", "requirements.txt", "--no-header", "-v"])
            .args(["--index-url", server.index_url().as_str()])
            .args([
                "--python-version",
                "3.11",
                "--python-platform",
                "x86_64-manylinux_2_28",
            ])
            .args(args)
            .output()
            .expect("run npsolve");
        let text = crate::common::transcript_with(&output, dir.path(), &server.index_url());
        (output, text)
    };
    let (output, text) = run(&["--allow-build", ":all:"]);
    assert_eq!(output.status.code(), Some(0), "{text}");
    assert!(text.contains("building `overrides-3.1.0.tar.gz`"), "{text}");

    let (output, text) = run(&["--allow-build", ":all:", "--offline"]);
    assert_eq!(output.status.code(), Some(0), "{text}");
    assert!(!text.contains("building `"), "{text}");
    assert!(text.contains("metadata from an earlier build"), "{text}");
    assert!(
        String::from_utf8_lossy(&output.stdout).contains("overrides==3.1.0\n"),
        "{text}"
    );

    let (output, text) = run(&[]);
    assert_eq!(output.status.code(), Some(0), "{text}");
    assert!(text.contains("--allow-build overrides"), "{text}");
    assert!(
        String::from_utf8_lossy(&output.stdout).contains("overrides==3.0.0\n"),
        "{text}"
    );
}
