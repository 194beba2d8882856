//! `npsolve lock`: a PEP 751 lockfile from the recorded index.

use crate::common::{Npsolve, server};

#[test]
fn lock_writes_a_pylock_for_the_target() {
    let mut lock = Npsolve::new("lock");
    lock.file("requirements.txt", "pandas==1.5.3\nnumpy\n");
    let output = lock
        .command
        .args(["requirements.txt", "-o", "pylock.toml"])
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let text = std::fs::read_to_string(lock.dir.path().join("pylock.toml")).unwrap();
    // Valid TOML with the fields PEP 751 requires.
    let parsed: toml::Table = text.parse().expect("pylock.toml is TOML");
    assert_eq!(parsed["lock-version"].as_str(), Some("1.0"));
    assert_eq!(parsed["created-by"].as_str(), Some("npsolve"));
    let packages = parsed["packages"].as_array().unwrap();
    for package in packages {
        let wheels = package.get("wheels").and_then(|wheels| wheels.as_array());
        assert!(
            wheels.is_some() || package.get("sdist").is_some(),
            "{package:?}"
        );
        for wheel in wheels.into_iter().flatten() {
            assert!(
                wheel["hashes"]["sha256"]
                    .as_str()
                    .is_some_and(|hash| hash.len() == 64)
            );
        }
    }
    insta::assert_snapshot!(text.replace(&server().url(), "[SERVER]/"));
}
