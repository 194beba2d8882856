//! `npsolve check` end to end: compile, check clean, break numpy, check flags it.

use crate::common::{Npsolve, Release, run_synthetic, transcript};

#[test]
fn compile_then_check_round_trip() {
    let mut compile = Npsolve::new("compile");
    compile.file("requirements.in", "pandas==1.5.3\nnumpy\n");
    compile.succeed(&["requirements.in", "-o", "requirements.txt"]);
    let pinned = compile.read("requirements.txt");

    let mut clean = Npsolve::new("check");
    clean.file("requirements.txt", &pinned);
    clean.succeed(&["requirements.txt"]);

    // Edit numpy up, as a bot or a hurried human would: check names the offender.
    let broken = pinned.replace("numpy==1.26.4", "numpy==2.1.3");
    assert_ne!(broken, pinned);
    let mut check = Npsolve::new("check");
    check.file("requirements.txt", &broken);
    let before = std::fs::read(check.dir.path().join("requirements.txt")).unwrap();
    let output = check.command.arg("requirements.txt").output().unwrap();
    assert_eq!(output.status.code(), Some(1));
    insta::assert_snapshot!(transcript(&output, check.dir.path()));
    // check never modifies anything.
    assert_eq!(
        std::fs::read(check.dir.path().join("requirements.txt")).unwrap(),
        before
    );
}

#[test]
fn check_reports_every_problem_in_json_and_github_formats() {
    let pins =
        "pandas==1.5.3\nnumpy==2.1.3\npython-dateutil==2.9.0.post0\npytz>=2020\ntzdata==2024.2\n";
    for format in ["json", "github"] {
        let mut check = Npsolve::new("check");
        check.file("requirements.txt", pins);
        let output = check
            .command
            .args(["requirements.txt", "--format", format])
            .output()
            .unwrap();
        assert_eq!(output.status.code(), Some(1));
        let text = transcript(&output, check.dir.path());
        for kind in ["abi-conflict", "not-pinned", "unsatisfied-dependency"] {
            assert!(text.contains(kind), "{format}: {kind} missing in\n{text}");
        }
        if format == "github" {
            assert!(
                text.contains("::error file=requirements.txt,line=1,"),
                "{text}"
            );
        }
    }
}

#[test]
fn uncovered_compiled_numpy_dependents_are_warnings_not_failures() {
    let releases = [
        Release::new("uncurated-ext", "1.0")
            .compiled()
            .requires("numpy"),
        Release::new("numpy", "2.1.3"),
    ];
    let (output, text) = run_synthetic(
        "check",
        &releases,
        "uncurated-ext==1.0\nnumpy==2.1.3\n",
        &[],
    );
    assert_eq!(output.status.code(), Some(0), "{text}");
    assert!(
        text.contains("requirements.txt:1: warning: abi-unchecked:"),
        "{text}"
    );
}

#[test]
fn lock_then_check_the_pylock_round_trip() {
    let mut lock = Npsolve::new("lock");
    lock.file("requirements.in", "pandas==1.5.3\nnumpy\n");
    lock.succeed(&["requirements.in", "-o", "pylock.toml"]);
    let locked = lock.read("pylock.toml");

    let mut clean = Npsolve::new("check");
    clean.file("pylock.toml", &locked);
    clean.succeed(&["pylock.toml"]);

    // Move numpy to 2.x by hand (version only; its file hashes no longer match 2.1.3's files).
    let broken = locked.replace("version = \"1.26.4\"", "version = \"2.1.3\"");
    assert_ne!(broken, locked);
    let pandas_line = broken
        .lines()
        .position(|line| line == "name = \"pandas\"")
        .unwrap()
        + 1;
    let mut check = Npsolve::new("check");
    check.file("pylock.toml", &broken);
    let output = check
        .command
        .args(["pylock.toml", "--format", "github"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    let text = transcript(&output, check.dir.path());
    assert!(
        text.contains(&format!(
            "::error file=pylock.toml,line={pandas_line},title=npsolve abi-conflict"
        )),
        "{text}"
    );
    assert!(text.contains("hash-mismatch"), "{text}");
}

#[test]
fn hash_pinned_files_are_checked_against_the_files_the_target_installs() {
    let mut compile = Npsolve::new("compile");
    compile.file("requirements.in", "six\n");
    let pinned = compile.succeed(&["requirements.in", "--generate-hashes", "--no-header"]);
    assert!(pinned.contains("--hash=sha256:"), "{pinned}");

    let mut clean = Npsolve::new("check");
    clean.file("requirements.txt", &pinned);
    clean.succeed(&["requirements.txt"]);

    // A hash from another file (or a tampered one) is caught before any install.
    let pin = pinned
        .lines()
        .find(|line| line.starts_with("six=="))
        .unwrap()
        .trim_end_matches('\\')
        .trim_end();
    let tampered = format!("{pin} --hash=sha256:{}\n", "0".repeat(64));
    let mut check = Npsolve::new("check");
    check.file("requirements.txt", &tampered);
    let output = check.command.arg("requirements.txt").output().unwrap();
    let text = transcript(&output, check.dir.path());
    assert_eq!(output.status.code(), Some(1), "{text}");
    assert!(text.contains("requirements.txt:1"), "{text}");
    assert!(text.contains("none of the 1 sha256 hashes given"), "{text}");
}
