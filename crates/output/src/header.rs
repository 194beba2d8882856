//! The command line an output file's header repeats, as `uv pip compile` and
//! `pip-compile` write it.

/// The command line for an output file's header (`npsolve` and `args`, the arguments after
/// the program name), without options that do not change the answer (cache, verbosity,
/// colour) and with every URL's secrets masked.
pub fn header_command(args: impl IntoIterator<Item = String>) -> String {
    let args: Vec<String> = args_for_header(args.into_iter().collect());
    let mut command = vec!["npsolve".to_string()];
    command.extend(args);
    command.join(" ")
}

fn args_for_header(args: Vec<String>) -> Vec<String> {
    const DROP_WITH_VALUE: &[&str] = &["--cache-dir", "--color", "--refresh-package"];
    const DROP: &[&str] = &[
        "-q",
        "--quiet",
        "-v",
        "-vv",
        "-vvv",
        "--verbose",
        "--offline",
        "--no-cache",
        "--refresh",
    ];
    let mut kept = Vec::new();
    let mut skip_next = false;
    for arg in args {
        if skip_next {
            skip_next = false;
            continue;
        }
        if DROP.contains(&arg.as_str()) {
            continue;
        }
        if DROP_WITH_VALUE.contains(&arg.as_str()) {
            skip_next = true;
            continue;
        }
        if DROP_WITH_VALUE
            .iter()
            .any(|option| arg.starts_with(&format!("{option}=")))
        {
            continue;
        }
        kept.push(redact_arg(&arg));
    }
    kept
}

/// An argument with any URL secrets masked (`npsolve_index::SafeUrl`: a password, a lone
/// user name, which is often a token, and secret query values), as `--index-url URL` or
/// `--index-url=URL`.
fn redact_arg(arg: &str) -> String {
    let (prefix, value) = match arg.split_once('=') {
        Some((option, value)) if option.starts_with("--") => (format!("{option}="), value),
        _ => (String::new(), arg),
    };
    let Ok(url) = url::Url::parse(value) else {
        return arg.to_string();
    };
    let shown = npsolve_index::SafeUrl::masked(&url);
    // Unchanged when there is nothing to mask (no normalisation of what the user typed).
    if shown == url.as_str() {
        return arg.to_string();
    }
    format!("{prefix}{shown}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_header_never_repeats_credentials() {
        let args = [
            "in.txt",
            "--index-url",
            "https://me:s3cret@private.example/simple/",
            "--extra-index-url=https://tok3n@other.example/simple/",
            "--cache-dir",
            "/tmp/c",
        ]
        .map(str::to_string)
        .to_vec();
        assert_eq!(
            args_for_header(args).join(" "),
            "in.txt --index-url https://me:****@private.example/simple/ --extra-index-url=https://****@other.example/simple/"
        );
    }
}
