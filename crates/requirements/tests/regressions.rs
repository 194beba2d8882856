//! Inputs the property tests once broke on; each stays here so the fix stays in.

use std::path::Path;

use npsolve_requirements::{
    InputError, ReadOptions, parse_environment_yml, parse_requirements_txt,
};

fn parse_error(
    result: Result<npsolve_requirements::RequirementsInput, InputError>,
) -> npsolve_requirements::ParseError {
    match result {
        Err(InputError::Parse(error)) => error,
        other => panic!("expected a parse error, got {other:?}"),
    }
}

/// pep508_rs 0.9.2 panicked (`PackageName` validation `expect`) on a name ending in `-` that
/// is followed by more text.
#[test]
fn name_ending_in_dash_before_more_text() {
    let error = parse_error(parse_requirements_txt(
        "d- ==1\n",
        Path::new("r.txt"),
        &ReadOptions::default(),
    ));
    assert_eq!((error.line, error.column, error.span_len), (1, 2, 1));
    assert!(
        error.expected.contains("end with a letter or digit"),
        "{}",
        error.expected
    );
}

/// The same panic through the extras parser (`ExtraName` validation `expect`).
#[test]
fn extra_ending_in_separator_before_more_text() {
    let error = parse_error(parse_requirements_txt(
        "pandas[excel_ ,x]\n",
        Path::new("r.txt"),
        &ReadOptions::default(),
    ));
    assert_eq!((error.line, error.column), (1, 13));
}

/// A `pip:` entry that is escaped in the YAML cannot be found verbatim; its error column ran
/// past the end of the line it was reported on.
#[test]
fn escaped_pip_entry_error_stays_on_its_line() {
    let text = "dependencies:\n  - numpy>=1.24,<2\n  - pip:\n    - \"\\tnumpy\\\\\"\n";
    let error = parse_error(parse_environment_yml(
        text,
        Path::new("environment.yml"),
        &ReadOptions::default(),
    ));
    assert!(error.column <= error.text.chars().count() + 1, "{error:?}");
}

/// pep508_rs 0.9.2 panicked (byte slice inside a character) on a non-ASCII character after a
/// complete marker.
#[test]
fn non_ascii_after_marker() {
    let text = "numpy ; python_version >= '3.9'é\n";
    let error = parse_error(parse_requirements_txt(
        text,
        Path::new("r.txt"),
        &ReadOptions::default(),
    ));
    assert_eq!((error.line, error.column, error.span_len), (1, 32, 1));
}

/// The same slicing panic with the non-ASCII word opening a quote, so a scan for "outside
/// quotes" missed it; also reached through `${VAR}` expansion.
#[test]
fn non_ascii_word_after_marker_even_in_quotes() {
    let options = ReadOptions {
        env: [("UNI", "é✓")].into_iter().collect(),
        ..ReadOptions::default()
    };
    for text in [
        "numpy ; python_version >= '3.9'\"${UNI}${UNI}\n",
        " and  ; python_version >= '3.9'\"é\n",
    ] {
        let error = parse_error(parse_requirements_txt(text, Path::new("r.txt"), &options));
        assert!(error.column <= error.text.chars().count() + 1, "{error:?}");
    }
    let text = "numpy ; python_version >= '3.9' 'é'\n";
    let error = parse_error(parse_requirements_txt(
        text,
        Path::new("r.txt"),
        &ReadOptions::default(),
    ));
    assert_eq!((error.column, error.span_len), (34, 1), "{error:?}");
}
