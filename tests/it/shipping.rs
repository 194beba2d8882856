//! What ships beside the resolver: shell completions.

use assert_cmd::Command;

fn completions(shell: &str) -> String {
    let output = Command::cargo_bin("npsolve")
        .unwrap()
        .args(["completions", shell])
        .output()
        .unwrap();
    assert!(output.status.success(), "{output:?}");
    String::from_utf8(output.stdout).unwrap()
}

#[test]
fn completions_name_the_subcommands_and_their_options_in_each_shell() {
    for (shell, opening) in [
        ("bash", "_npsolve()"),
        ("zsh", "#compdef npsolve"),
        ("fish", "complete -c npsolve"),
    ] {
        let script = completions(shell);
        assert!(script.contains(opening), "{shell}: {script}");
        for word in ["compile", "lock", "check", "universal", "python-platform"] {
            assert!(script.contains(word), "{shell} lacks {word}");
        }
    }
    // The bash script is valid bash (where bash is installed).
    if let Ok(mut bash) = std::process::Command::new("bash")
        .arg("-n")
        .stdin(std::process::Stdio::piped())
        .spawn()
    {
        use std::io::Write;
        bash.stdin
            .take()
            .unwrap()
            .write_all(completions("bash").as_bytes())
            .unwrap();
        assert!(bash.wait().unwrap().success());
    }
    let output = Command::cargo_bin("npsolve")
        .unwrap()
        .args(["completions", "tcsh"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
}
