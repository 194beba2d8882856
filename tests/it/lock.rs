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

/// A TOML value as JSON, for the JSON schema; datetimes become RFC 3339 strings.
fn toml_to_json(value: &toml::Value) -> serde_json::Value {
    match value {
        toml::Value::String(text) => serde_json::Value::String(text.clone()),
        toml::Value::Integer(number) => serde_json::Value::from(*number),
        toml::Value::Float(number) => serde_json::Value::from(*number),
        toml::Value::Boolean(flag) => serde_json::Value::Bool(*flag),
        toml::Value::Datetime(datetime) => serde_json::Value::String(datetime.to_string()),
        toml::Value::Array(items) => items.iter().map(toml_to_json).collect(),
        toml::Value::Table(table) => table
            .iter()
            .map(|(key, value)| (key.clone(), toml_to_json(value)))
            .collect::<serde_json::Map<_, _>>()
            .into(),
    }
}

/// Validates TOML text against SchemaStore's pylock.toml schema (tests/fixtures/schemas).
fn validate_pylock(text: &str) -> Result<(), String> {
    let schema = crate::common::repo().join("tests/fixtures/schemas/pylock.schema.json");
    let mut schemas = boon::Schemas::new();
    let mut compiler = boon::Compiler::new();
    compiler.set_default_draft(boon::Draft::V7);
    let index = compiler
        .compile(schema.to_str().unwrap(), &mut schemas)
        .map_err(|error| format!("{error:#}"))?;
    let table: toml::Table = text.parse().map_err(|error| format!("{error}"))?;
    let instance = toml_to_json(&toml::Value::Table(table));
    schemas
        .validate(&instance, index)
        .map_err(|error| format!("{error:#}"))
}

#[test]
fn lock_output_validates_against_the_pylock_json_schema() {
    let mut lock = Npsolve::new("lock");
    lock.file(
        "requirements.txt",
        "pandas==1.5.3\nnumpy\nscikit-learn\nmatplotlib\n",
    );
    lock.succeed(&["requirements.txt", "-o", "pylock.toml"]);
    let text = lock.read("pylock.toml");
    if let Err(error) = validate_pylock(&text) {
        panic!("pylock.toml does not match the schema:\n{error}\n{text}");
    }
    // The validator is not vacuous: the same file with a wrong lock-version or a stray
    // package key is rejected.
    let wrong_version = text.replace("lock-version = \"1.0\"", "lock-version = \"0.9\"");
    assert_ne!(wrong_version, text);
    assert!(validate_pylock(&wrong_version).is_err());
    let stray_key = text.replacen("[[packages]]\n", "[[packages]]\nchecksum = \"x\"\n", 1);
    assert_ne!(stray_key, text);
    assert!(validate_pylock(&stray_key).is_err());
}
