//! The options a requirements file may contain, as pip defines them.

/// What an option does in npsolve.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Action {
    Requirement,
    Constraint,
    Editable,
    IndexUrl,
    ExtraIndexUrl,
    FindLinks,
    NoIndex,
    Pre,
    NoBinary,
    OnlyBinary,
    /// Accepted and ignored (the reason is in docs/inputs.md).
    Ignored,
    /// Accepted by pip, refused by npsolve with this reason.
    Unsupported(&'static str),
    /// `--hash`: only after a requirement.
    Hash,
}

/// One option: its names, whether it takes a value, and what it does.
#[derive(Debug, Clone, Copy)]
pub(crate) struct OptionSpec {
    pub(crate) long: &'static str,
    pub(crate) short: Option<char>,
    pub(crate) takes_value: bool,
    pub(crate) action: Action,
}

const BUILD_WHY: &str = "npsolve never builds packages, so build options have nothing to apply to";

const fn spec(
    long: &'static str,
    short: Option<char>,
    takes_value: bool,
    action: Action,
) -> OptionSpec {
    OptionSpec {
        long,
        short,
        takes_value,
        action,
    }
}

/// Every option npsolve recognises in a requirements file.
pub(crate) const OPTIONS: [OptionSpec; 21] = [
    spec("--requirement", Some('r'), true, Action::Requirement),
    spec("--constraint", Some('c'), true, Action::Constraint),
    spec("--editable", Some('e'), true, Action::Editable),
    spec("--index-url", Some('i'), true, Action::IndexUrl),
    spec("--extra-index-url", None, true, Action::ExtraIndexUrl),
    spec("--find-links", Some('f'), true, Action::FindLinks),
    spec("--no-index", None, false, Action::NoIndex),
    spec("--pre", None, false, Action::Pre),
    spec("--no-binary", None, true, Action::NoBinary),
    spec("--only-binary", None, true, Action::OnlyBinary),
    spec("--prefer-binary", None, false, Action::Ignored),
    spec("--require-hashes", None, false, Action::Ignored),
    spec("--trusted-host", None, true, Action::Ignored),
    spec("--use-feature", None, true, Action::Ignored),
    spec("--hash", None, true, Action::Hash),
    spec(
        "--global-option",
        None,
        true,
        Action::Unsupported(BUILD_WHY),
    ),
    spec(
        "--config-settings",
        Some('C'),
        true,
        Action::Unsupported(BUILD_WHY),
    ),
    spec(
        "--install-option",
        None,
        true,
        Action::Unsupported(BUILD_WHY),
    ),
    spec("--use-pep517", None, false, Action::Unsupported(BUILD_WHY)),
    spec(
        "--no-use-pep517",
        None,
        false,
        Action::Unsupported(BUILD_WHY),
    ),
    spec(
        "--no-build-isolation",
        None,
        false,
        Action::Unsupported(BUILD_WHY),
    ),
];

/// The option named by a token's name part (`--name` or `-x`).
pub(crate) fn find(name: &str) -> Option<&'static OptionSpec> {
    if let Some(long) = name.strip_prefix("--") {
        OPTIONS.iter().find(|spec| spec.long.get(2..) == Some(long))
    } else {
        let mut characters = name.strip_prefix('-')?.chars();
        let short = characters.next()?;
        OPTIONS.iter().find(|spec| spec.short == Some(short))
    }
}

/// The list shown when an option is not known.
pub(crate) fn known_list() -> String {
    OPTIONS
        .iter()
        .map(|spec| match spec.short {
            Some(short) => format!("-{short}/{}", spec.long),
            None => spec.long.to_string(),
        })
        .collect::<Vec<_>>()
        .join(", ")
}
