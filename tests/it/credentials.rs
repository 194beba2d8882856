//! A private index on loopback that demands Basic auth: credentials from the index URL's
//! userinfo work, and the secret appears in no output, log or cache file name.

use assert_cmd::Command;
use npsolve_testkit::{FixtureServer, ServerOptions};

use crate::common::fixture_index;

const SECRET: &str = "s3cretTok3n9f2";
/// Base64 of `npsolve-user:s3cretTok3n9f2`.
const BASIC: &str = "Basic bnBzb2x2ZS11c2VyOnMzY3JldFRvazNuOWYy";

fn private_index() -> FixtureServer {
    FixtureServer::start(
        fixture_index(),
        ServerOptions {
            authorization: Some(BASIC.to_string()),
            ..ServerOptions::default()
        },
    )
}

/// `npsolve ARGS --index-url INDEX_URL` in `dir` with a private cache and the test target.
fn npsolve(dir: &std::path::Path, index_url: &str, args: &[&str]) -> std::process::Output {
    Command::cargo_bin("npsolve")
        .unwrap()
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .env("NPSOLVE_CACHE_DIR", dir.join("cache"))
        .env("NPSOLVE_HTTP_TIMEOUT", "2")
        .args(args)
        .args(["--index-url", index_url])
        .args([
            "--python-version",
            "3.11",
            "--python-platform",
            "x86_64-manylinux_2_28",
        ])
        .output()
        .unwrap()
}

/// Every file name under `dir` and the contents of every text-ish file, for grepping.
fn everything_under(dir: &std::path::Path) -> String {
    let mut seen = String::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(path) = stack.pop() {
        seen.push_str(&path.display().to_string());
        seen.push('\n');
        if path.is_dir() {
            for entry in std::fs::read_dir(&path).unwrap() {
                stack.push(entry.unwrap().path());
            }
        } else if let Ok(bytes) = std::fs::read(&path) {
            seen.push_str(&String::from_utf8_lossy(&bytes));
        }
    }
    seen
}

#[test]
fn userinfo_credentials_work_and_never_surface() {
    let server = private_index();
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("requirements.in"), "pandas==1.5.3\nnumpy\n").unwrap();
    let index_url = server
        .index_url()
        .replace("http://", &format!("http://npsolve-user:{SECRET}@"));
    let run = |args: &[&str]| {
        let mut args = args.to_vec();
        args.push("-v");
        npsolve(dir.path(), &index_url, &args)
    };
    let compile = run(&[
        "compile",
        "requirements.in",
        "-o",
        "requirements.txt",
        "--generate-hashes",
    ]);
    let lock = run(&["lock", "requirements.in", "-o", "pylock.toml"]);
    let check = run(&["check", "requirements.txt"]);
    for (what, output) in [("compile", &compile), ("lock", &lock), ("check", &check)] {
        assert_eq!(
            output.status.code(),
            Some(0),
            "{what}: {}",
            String::from_utf8_lossy(&output.stderr)
        );
        let text = format!(
            "{}{}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        );
        assert!(!text.contains(SECRET), "{what} printed the secret:\n{text}");
    }
    // The index did demand the credentials, and got them.
    assert!(
        server
            .requests()
            .iter()
            .any(|request| request.authorization.as_deref() == Some(BASIC))
    );
    assert!(
        server
            .requests()
            .iter()
            .all(|request| request.status != 401)
    );
    // Outputs, cache entries and their names.
    let files = everything_under(dir.path());
    assert!(
        !files.contains(SECRET),
        "the secret is on disk:\n{}",
        files
            .lines()
            .find(|line| line.contains(SECRET))
            .unwrap_or_default()
    );
}

#[test]
fn wrong_credentials_fail_clearly_without_echoing_them() {
    let server = private_index();
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("requirements.in"), "six\n").unwrap();
    let index_url = server
        .index_url()
        .replace("http://", "http://npsolve-user:wrongS3cret@");
    let output = npsolve(dir.path(), &index_url, &["compile", "requirements.in"]);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("401"), "{stderr}");
    assert!(!stderr.contains("wrongS3cret"), "{stderr}");
}

#[test]
fn a_redirect_to_another_host_does_not_carry_the_credentials() {
    // The public mirror the private index redirects file downloads to.
    let mirror = FixtureServer::start(fixture_index(), ServerOptions::default());
    let private = FixtureServer::start(
        fixture_index(),
        ServerOptions {
            authorization: Some(BASIC.to_string()),
            faults: vec![npsolve_testkit::FaultRule::new(
                "/files/",
                npsolve_testkit::FaultKind::RedirectTo(mirror.url()),
                usize::MAX,
            )],
            ..ServerOptions::default()
        },
    );
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("requirements.in"), "six\n").unwrap();
    let index_url = private
        .index_url()
        .replace("http://", &format!("http://npsolve-user:{SECRET}@"));
    let output = npsolve(dir.path(), &index_url, &["compile", "requirements.in"]);
    assert_eq!(
        output.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let redirected: Vec<_> = mirror.requests();
    assert!(
        !redirected.is_empty(),
        "the files were fetched through the redirect"
    );
    assert!(
        redirected
            .iter()
            .all(|request| request.authorization.is_none()),
        "{redirected:?}"
    );
    assert!(
        private
            .requests()
            .iter()
            .any(|request| request.status == 302)
    );
}

#[test]
fn plain_http_is_refused_off_loopback_unless_the_host_is_allowed() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("requirements.in"), "six\n").unwrap();
    let run = |extra: &[&str]| {
        let mut args = vec!["compile", "requirements.in"];
        args.extend_from_slice(extra);
        npsolve(dir.path(), "http://mirror.invalid/simple/", &args)
    };
    let refused = run(&[]);
    let stderr = String::from_utf8_lossy(&refused.stderr);
    assert_eq!(refused.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("pass `--allow-insecure-host mirror.invalid`"),
        "{stderr}"
    );
    // Allowed: the host is named in a warning (offline, so nothing leaves the machine; the
    // refusal above happens before any request is sent).
    let allowed = run(&["--allow-insecure-host", "mirror.invalid", "--offline"]);
    let stderr = String::from_utf8_lossy(&allowed.stderr);
    assert!(
        stderr.contains("plain HTTP allowed to `mirror.invalid`"),
        "{stderr}"
    );
    assert!(!stderr.contains("refusing plain HTTP"), "{stderr}");
}

/// A user name alone is how many token-based indexes take their secret.
const TOKEN: &str = "pypiTok3nOnly7q";

#[test]
fn a_token_as_the_user_name_never_surfaces() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("requirements.in"), "six\n").unwrap();
    // A closed port (bound, then released) and a private index that answers 401.
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = closed.local_addr().unwrap().port();
    drop(closed);
    let private = private_index();
    let targets = [
        format!("https://{TOKEN}@127.0.0.1:{port}/simple/"),
        private
            .index_url()
            .replace("http://", &format!("http://{TOKEN}@")),
        private
            .index_url()
            .replace("http://", "http://user@")
            .replace("/simple/", &format!("/simple/?token={TOKEN}")),
        // Not a URL at all (the port is out of range): the usage error shows it masked.
        format!("https://{TOKEN}@127.0.0.1:99999/simple/"),
    ];
    for index_url in &targets {
        for args in [
            &["compile", "requirements.in", "-o", "out.txt", "-v"][..],
            &["compile", "requirements.in", "-vv"][..],
            &["lock", "requirements.in", "-o", "pylock.toml"][..],
        ] {
            let output = npsolve(dir.path(), index_url, args);
            let text = format!(
                "{}{}",
                String::from_utf8_lossy(&output.stdout),
                String::from_utf8_lossy(&output.stderr)
            );
            assert_eq!(
                output.status.code(),
                Some(2),
                "{args:?} {index_url}: {text}"
            );
            assert!(!text.contains(TOKEN), "{args:?} printed the token:\n{text}");
            assert!(
                text.contains("127.0.0.1"),
                "the host is still named: {text}"
            );
        }
    }
    let files = everything_under(dir.path());
    assert!(!files.contains(TOKEN), "the token is on disk:\n{files}");
}
