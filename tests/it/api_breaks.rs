//! `npsolve api-breaks`: the removed Python names npsolve knows, with their release notes.

use assert_cmd::Command;

fn run(args: &[&str]) -> (i32, String) {
    let output = Command::cargo_bin("npsolve")
        .expect("binary")
        .env("NO_COLOR", "1")
        .arg("api-breaks")
        .args(args)
        .output()
        .expect("run npsolve");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    (output.status.code().unwrap_or(-1), text)
}

#[test]
fn a_release_lists_the_names_it_lacks_with_their_sources() {
    let (code, text) = run(&["scipy==1.14.1"]);
    assert_eq!(code, 0, "{text}");
    assert!(
        text.starts_with("scipy==1.14.1 lacks 6 public names:"),
        "{text}"
    );
    assert!(
        text.contains("scipy.integrate.simps (removed in 1.14): use `scipy.integrate.simpson`"),
        "{text}"
    );
    assert!(
        !text.contains("scipy.misc"),
        "removed in 1.15, still there: {text}"
    );
    // np.bool is back in NumPy 2.
    let (_, text) = run(&["numpy==2.1.3"]);
    assert!(text.contains("numpy.float_ (removed in 2.0)"), "{text}");
    assert!(!text.contains("numpy.bool "), "{text}");
    let (_, text) = run(&["numpy==1.23.5"]);
    assert!(
        text.contains("numpy==1.23.5 lacks 3 public names"),
        "{text}"
    );
}

#[test]
fn only_a_name_and_an_exact_version_are_accepted() {
    let (code, text) = run(&["numpy>=2"]);
    assert_eq!(code, 2, "{text}");
    assert!(text.contains("an optional `==VERSION`"), "{text}");
    let (code, text) = run(&["pandas"]);
    assert_eq!(code, 0, "{text}");
    assert!(text.contains("npsolve knows no removed names"), "{text}");
}
