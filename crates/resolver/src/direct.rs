//! Requirements given by URL (`name @ https://…/x.whl`, `name @ git+https://…@rev`, a
//! `file://` archive or directory): what the resolver knows of each. The engine reads them
//! before the resolution starts; the resolver then treats such a package as one version, the
//! one the URL holds, and never asks an index for it.

use pep440_rs::Version;
use pep508_rs::{Requirement, VerbatimUrl, VersionOrUrl};

/// One first-party requirement given by URL, as read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DirectPin {
    /// The version the URL holds (from the file name, or the source tree's static metadata).
    pub version: Version,
    /// The URL as written in the requirement (pinned in the output as given).
    pub url: String,
    /// The same URL made absolute (a relative path resolved), for comparisons and lockfiles.
    pub location: String,
    /// What the URL points at.
    pub kind: DirectKind,
}

/// What a direct URL points at.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DirectKind {
    /// A wheel or an sdist, over HTTP(S) or `file://`.
    Archive,
    /// A git repository at a revision.
    Git {
        /// The revision after `@`, if any (a branch, tag or commit).
        requested_revision: Option<String>,
        /// The commit it resolved to.
        commit: String,
    },
    /// A local source tree.
    Directory,
}

/// The URL of `requirement` when it is given by URL.
pub fn direct_url(requirement: &Requirement) -> Option<&VerbatimUrl> {
    match &requirement.version_or_url {
        Some(VersionOrUrl::Url(url)) => Some(url),
        _ => None,
    }
}

/// Whether two spellings name the same thing: the same URL but for a fragment
/// (`#sha256=…`, `#egg=…`) and a trailing slash.
pub fn same_url(a: &str, b: &str) -> bool {
    let bare = |url: &str| {
        url.split('#')
            .next()
            .unwrap_or(url)
            .trim_end_matches('/')
            .to_string()
    };
    bare(a) == bare(b)
}

#[cfg(test)]
mod tests {
    use super::same_url;

    #[test]
    fn fragments_do_not_make_another_url() {
        assert!(same_url(
            "https://example.org/a-1.0-py3-none-any.whl#sha256=ab",
            "https://example.org/a-1.0-py3-none-any.whl"
        ));
        assert!(!same_url(
            "git+https://example.org/a@v1",
            "git+https://example.org/a@v2"
        ));
    }
}
