//! Error messages for bad inputs, as the CLI prints them (message, then each cause).

use std::error::Error;
use std::path::{Path, PathBuf};

use npsolve_requirements::{EnvLookup, InputError, ReadOptions, read_input};
use pep508_rs::ExtraName;

fn fixture(relative: &str) -> PathBuf {
    Path::new("../../tests/fixtures/inputs").join(relative)
}

fn no_env() -> ReadOptions {
    ReadOptions {
        env: EnvLookup::Map(Default::default()),
        ..ReadOptions::default()
    }
}

/// The rendering of an error with its causes, like the CLI's printer.
fn render(error: &InputError) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        let cause_text = cause.to_string();
        if !text.contains(&cause_text) {
            text.push_str(&format!("\n  Caused by: {cause_text}"));
        }
        source = cause.source();
    }
    text
}

fn error_of(relative: &str, options: &ReadOptions) -> String {
    match read_input(&fixture(relative), options) {
        Ok(input) => panic!("`{relative}` was accepted: {input:?}"),
        Err(error) => render(&error),
    }
}

macro_rules! bad_input {
    ($name:ident, $file:expr) => {
        bad_input!($name, $file, no_env());
    };
    ($name:ident, $file:expr, $options:expr) => {
        #[test]
        fn $name() {
            insta::assert_snapshot!(stringify!($name), error_of($file, &$options));
        }
    };
}

bad_input!(bad_operator, "bad/bad-operator.txt");
bad_input!(missing_version, "bad/missing-version.txt");
bad_input!(bad_marker, "bad/bad-marker.txt");
bad_input!(unclosed_extras, "bad/unclosed-extras.txt");
bad_input!(unknown_option, "bad/unknown-option.txt");
bad_input!(missing_include, "bad/missing-include.txt");
bad_input!(include_cycle, "include-cycle/a.txt");
bad_input!(undefined_variable, "bad/undefined-variable.txt");
bad_input!(editable, "bad/editable.txt");
bad_input!(local_path, "bad/local-path.txt");
bad_input!(bad_hash, "bad/bad-hash.txt");
bad_input!(dangling_continuation, "bad/dangling-continuation.txt");
bad_input!(invalid_utf8, "bad/invalid-utf8.txt");
bad_input!(option_after_requirement, "bad/option-after-requirement.txt");
bad_input!(flag_with_value, "bad/flag-with-value.txt");
bad_input!(include_without_value, "bad/include-without-value.txt");
bad_input!(bare_url, "bad/bare-url.txt");
bad_input!(build_option, "bad/build-option.txt");
bad_input!(continued_marker, "bad/continued-marker.txt");
bad_input!(bad_binary_list, "bad/bad-binary-list.txt");
bad_input!(toml_syntax, "bad/syntax/pyproject.toml");
bad_input!(toml_bad_requirement, "bad/badreq/pyproject.toml");
bad_input!(toml_bad_requires_python, "bad/badpython/pyproject.toml");
bad_input!(poetry_only, "bad/poetry.toml");
bad_input!(
    unknown_extra,
    "pyproject/app/pyproject.toml",
    ReadOptions {
        extras: vec![ExtraName::new("gpu".to_string()).expect("valid name")],
        ..ReadOptions::default()
    }
);
bad_input!(
    unknown_group,
    "pyproject/app/pyproject.toml",
    ReadOptions {
        groups: vec!["docs".to_string()],
        ..ReadOptions::default()
    }
);
bad_input!(
    group_cycle,
    "pyproject/groups-cycle/pyproject.toml",
    ReadOptions {
        groups: vec!["test".to_string()],
        ..ReadOptions::default()
    }
);
bad_input!(yaml_syntax, "bad/environment-broken.yml");
bad_input!(conda_bad_spec, "bad/environment-badspec.yml");
bad_input!(conda_bad_pip_line, "bad/environment-badpip.yml");

#[test]
fn parse_error_fields_point_at_the_file() {
    let Err(InputError::Parse(error)) = read_input(&fixture("bad/bad-operator.txt"), &no_env())
    else {
        panic!("expected a parse error");
    };
    assert_eq!((error.line, error.column, error.span_len), (3, 7, 2));
    assert_eq!(error.text, "pandas=>1.0");
}
