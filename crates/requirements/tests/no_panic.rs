//! Property tests: no input makes the readers panic, and every error points inside the file.
//!
//! The case count comes from `PROPTEST_CASES` (proptest's default is 256, enough for CI);
//! docs/inputs.md records the long runs.

use std::path::Path;

use npsolve_requirements::{
    EnvLookup, InputError, ReadOptions, RequirementsInput, parse_environment_yml, parse_pyproject,
    parse_requirements_txt,
};
use proptest::prelude::*;

fn options() -> ReadOptions {
    ReadOptions {
        env: [
            ("INDEX", "https://pypi.example/simple"),
            ("V", "1.0"),
            ("EMPTY", ""),
            ("UNI", "é✓"),
        ]
        .into_iter()
        .collect(),
        groups: vec!["dev".to_string()],
        all_extras: true,
        ..ReadOptions::default()
    }
}

/// The file name used for in-memory inputs: its folder does not exist, so includes fail
/// cleanly instead of reading this machine's files.
const PATH: &str = "no-such-folder/requirements.txt";

/// Checks what any outcome must satisfy: an error's position lies in the text, its rendering
/// works, and every requirement's origin line exists.
fn check(text: &str, result: Result<RequirementsInput, InputError>) -> Result<(), TestCaseError> {
    let line_count = text.split('\n').count();
    match result {
        Ok(input) => {
            for sourced in input.requirements.iter().chain(&input.constraints) {
                if sourced.origin.path == Path::new(PATH) {
                    prop_assert!(sourced.origin.line >= 1 && sourced.origin.line <= line_count);
                }
                let _ = sourced.requirement.to_string();
            }
        }
        Err(InputError::Parse(error)) => {
            prop_assert!(
                error.line >= 1 && error.line <= line_count,
                "line {} of {}",
                error.line,
                line_count
            );
            prop_assert!(error.column >= 1);
            prop_assert!(error.span_len >= 1);
            let physical = text.split('\n').nth(error.line - 1).unwrap_or_default();
            prop_assert_eq!(
                physical.strip_suffix('\r').unwrap_or(physical),
                error.text.as_str()
            );
            prop_assert!(
                error.column <= error.text.chars().count() + 1,
                "column {} in {:?}",
                error.column,
                error.text
            );
            let rendered = error.to_string();
            let location = format!(":{}:{}: ", error.line, error.column);
            prop_assert!(rendered.contains(&location), "{}", rendered);
        }
        Err(other) => {
            let _ = other.to_string();
        }
    }
    Ok(())
}

/// Pieces of requirements-file syntax, right and wrong, to build near-miss lines from.
fn fragment() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("numpy".to_string()),
        Just("pandas".to_string()),
        Just("Scikit_Learn.x".to_string()),
        Just("[".to_string()),
        Just("]".to_string()),
        Just("[excel, performance]".to_string()),
        Just(",".to_string()),
        Just("==".to_string()),
        Just("=>".to_string()),
        Just("~=".to_string()),
        Just("===".to_string()),
        Just("<".to_string()),
        Just("!".to_string()),
        Just("1.26.4".to_string()),
        Just("2.*".to_string()),
        Just("1.0+local.7".to_string()),
        Just("1.0rc1.post2.dev3".to_string()),
        Just(";".to_string()),
        Just(" ; python_version >= '3.9'".to_string()),
        Just(" and ".to_string()),
        Just(" or (".to_string()),
        Just(")".to_string()),
        Just("platform_machine".to_string()),
        Just("extra == 'x'".to_string()),
        Just("\"".to_string()),
        Just("'".to_string()),
        Just(" @ ".to_string()),
        Just("https://example.org/x-1.0-py3-none-any.whl".to_string()),
        Just("file:///tmp/x".to_string()),
        Just("git+https://example.org/x.git@v1#egg=x".to_string()),
        Just("./local".to_string()),
        Just("C:\\x".to_string()),
        Just("-r".to_string()),
        Just("-c ".to_string()),
        Just("-e".to_string()),
        Just("-i ${INDEX}".to_string()),
        Just("--index-url=".to_string()),
        Just("--extra-index-url".to_string()),
        Just("--no-binary".to_string()),
        Just("--only-binary=:all:,numpy".to_string()),
        Just(":none:".to_string()),
        Just("--pre".to_string()),
        Just("--hash=sha256:".to_string()),
        Just("--hash".to_string()),
        Just("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855".to_string()),
        Just("--unknown".to_string()),
        Just("-".to_string()),
        Just("--".to_string()),
        Just("=".to_string()),
        Just("${V}".to_string()),
        Just("${UNSET}".to_string()),
        Just("${EMPTY}".to_string()),
        Just("${UNI}".to_string()),
        Just("${".to_string()),
        Just("$".to_string()),
        Just("}".to_string()),
        Just("#".to_string()),
        Just(" # comment".to_string()),
        Just("\\".to_string()),
        Just("\\\n".to_string()),
        Just("\n".to_string()),
        Just("\r\n".to_string()),
        Just(" ".to_string()),
        Just("\t".to_string()),
        Just("é".to_string()),
        Just("✓".to_string()),
        Just("\u{0}".to_string()),
        "[a-zA-Z0-9._-]{1,8}".prop_map(String::from),
        any::<char>().prop_map(String::from),
    ]
}

fn near_miss_text() -> impl Strategy<Value = String> {
    prop::collection::vec(fragment(), 0..24).prop_map(|parts| parts.concat())
}

/// Pieces of TOML and YAML around requirement strings.
fn document_fragment() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("[project]\n".to_string()),
        Just("name = \"demo\"\n".to_string()),
        Just("dependencies = [".to_string()),
        Just("]\n".to_string()),
        Just("\"numpy>=1.2\", ".to_string()),
        Just("\"demo[a]\", ".to_string()),
        Just("'pandas=>1'".to_string()),
        Just("\"\\u00e9\"".to_string()),
        Just("[project.optional-dependencies]\na = [\"demo[a]\", \"x\"]\n".to_string()),
        Just("[dependency-groups]\n".to_string()),
        Just("dev = [{include-group = \"dev\"}]\n".to_string()),
        Just("dev = [\"pytest\", {include-group = \"test\"}]\n".to_string()),
        Just("test = [{include-group = \"Dev\"}, 3]\n".to_string()),
        Just("requires-python = \">=3.9\"\n".to_string()),
        Just("dynamic = [\"dependencies\"]\n".to_string()),
        Just("dependencies:\n".to_string()),
        Just("  - numpy=1.26\n".to_string()),
        Just("  - numpy 1.*|2\n".to_string()),
        Just("  - python=3.11\n".to_string()),
        Just("  - pip:\n".to_string()),
        Just("    - pandas=>1\n".to_string()),
        Just("    - -r x.txt\n".to_string()),
        Just("    - {a: b}\n".to_string()),
        Just(": ".to_string()),
        Just("- ".to_string()),
        Just("\n".to_string()),
        Just("  ".to_string()),
        any::<char>().prop_map(String::from),
    ]
}

fn document_text() -> impl Strategy<Value = String> {
    prop::collection::vec(document_fragment(), 0..16).prop_map(|parts| parts.concat())
}

proptest! {
    #[test]
    fn requirements_txt_never_panics_on_bytes(bytes in prop::collection::vec(any::<u8>(), 0..256)) {
        let text = String::from_utf8_lossy(&bytes).into_owned();
        check(&text, parse_requirements_txt(&text, Path::new(PATH), &options()))?;
    }

    #[test]
    fn requirements_txt_never_panics_on_strings(text in any::<String>()) {
        check(&text, parse_requirements_txt(&text, Path::new(PATH), &options()))?;
    }

    #[test]
    fn requirements_txt_never_panics_on_near_misses(text in near_miss_text()) {
        check(&text, parse_requirements_txt(&text, Path::new(PATH), &options()))?;
        let no_env = ReadOptions { env: EnvLookup::Map(Default::default()), ..ReadOptions::default() };
        check(&text, parse_requirements_txt(&text, Path::new(PATH), &no_env))?;
    }

    #[test]
    fn pyproject_never_panics(text in document_text()) {
        check(&text, parse_pyproject(&text, Path::new("no-such-folder/pyproject.toml"), &options()))?;
    }

    #[test]
    fn environment_yml_never_panics(text in document_text()) {
        check(&text, parse_environment_yml(&text, Path::new("no-such-folder/environment.yml"), &options()))?;
    }

    #[test]
    fn environment_yml_never_panics_on_near_miss_pip_lines(lines in prop::collection::vec(near_miss_text(), 0..6)) {
        let mut text = String::from("dependencies:\n  - numpy>=1.24,<2\n  - pip:\n");
        for line in &lines {
            text.push_str("    - ");
            text.push_str(&serde_json_string(line));
            text.push('\n');
        }
        check(&text, parse_environment_yml(&text, Path::new("no-such-folder/environment.yml"), &options()))?;
    }
}

/// A double-quoted YAML string (JSON escapes are valid YAML).
fn serde_json_string(text: &str) -> String {
    let mut quoted = String::from("\"");
    for character in text.chars() {
        match character {
            '"' => quoted.push_str("\\\""),
            '\\' => quoted.push_str("\\\\"),
            '\n' => quoted.push_str("\\n"),
            '\r' => quoted.push_str("\\r"),
            '\t' => quoted.push_str("\\t"),
            c if c.is_control() => quoted.push_str(&format!("\\u{:04x}", c as u32)),
            c => quoted.push(c),
        }
    }
    quoted.push('"');
    quoted
}
