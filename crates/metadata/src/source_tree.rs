//! The name and version of a source tree (a git checkout, a local directory) read from its
//! files without running anything: an sdist states both in its file name, a tree only in
//! `PKG-INFO`, `pyproject.toml` `[project]` or `setup.cfg` `[metadata]`. Its dependencies
//! then come from the same ladder as an sdist's ([`crate::static_metadata`]).

use std::str::FromStr;

use pep440_rs::Version;
use pep508_rs::PackageName;

use crate::parse_core_metadata;
use crate::sdist_static::SdistMembers;

/// A source tree's name and version, each from the first file that states it statically.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TreeIdentity {
    /// The project name, when a file states it.
    pub name: Option<PackageName>,
    /// The version.
    pub version: Version,
    /// Which file said the version (`PKG-INFO`, `pyproject.toml`, `setup.cfg`).
    pub version_from: &'static str,
}

/// Reads the tree's name and version. The error names each file looked at and why it did
/// not answer (a version that is `dynamic`, `attr:` or `file:` needs a build).
pub fn tree_identity(members: &SdistMembers) -> Result<TreeIdentity, String> {
    let mut looked_at = Vec::new();
    let mut name = None;
    if let Some(bytes) = members.files.get("pyproject.toml") {
        match pyproject_identity(bytes) {
            Ok((found, Some(version))) => {
                return Ok(TreeIdentity {
                    name: found,
                    version,
                    version_from: "pyproject.toml",
                });
            }
            Ok((found, None)) => {
                name = found;
                looked_at.push("pyproject.toml: the version is dynamic or absent".to_string());
            }
            Err(why) => looked_at.push(why),
        }
    } else {
        looked_at.push("no pyproject.toml".to_string());
    }
    if let Some(bytes) = members.files.get("PKG-INFO") {
        match parse_core_metadata(bytes) {
            Ok(metadata) => {
                return Ok(TreeIdentity {
                    name: name.or(Some(metadata.name)),
                    version: metadata.version,
                    version_from: "PKG-INFO",
                });
            }
            Err(error) => looked_at.push(format!("PKG-INFO: {error}")),
        }
    }
    if let Some(bytes) = members.files.get("setup.cfg") {
        match setup_cfg_identity(bytes) {
            Ok((found, Some(version))) => {
                return Ok(TreeIdentity {
                    name: name.or(found),
                    version,
                    version_from: "setup.cfg",
                });
            }
            Ok((_, None)) => looked_at.push(
                "setup.cfg: no literal [metadata] version (attr: and file: need a build)"
                    .to_string(),
            ),
            Err(why) => looked_at.push(why),
        }
    } else {
        looked_at.push("no setup.cfg".to_string());
    }
    Err(format!("no static version ({})", looked_at.join("; ")))
}

fn pyproject_identity(bytes: &[u8]) -> Result<(Option<PackageName>, Option<Version>), String> {
    let text = std::str::from_utf8(bytes).map_err(|_| "pyproject.toml is not UTF-8")?;
    let document: toml::Table = text
        .parse()
        .map_err(|error| format!("pyproject.toml does not parse: {error}"))?;
    let Some(project) = document.get("project").and_then(toml::Value::as_table) else {
        return Ok((None, None));
    };
    let name = project
        .get("name")
        .and_then(toml::Value::as_str)
        .map(|name| {
            PackageName::from_str(name)
                .map_err(|error| format!("pyproject.toml: name `{name}`: {error}"))
        })
        .transpose()?;
    let version = project
        .get("version")
        .and_then(toml::Value::as_str)
        .map(|version| {
            Version::from_str(version)
                .map_err(|error| format!("pyproject.toml: version `{version}`: {error}"))
        })
        .transpose()?;
    Ok((name, version))
}

fn setup_cfg_identity(bytes: &[u8]) -> Result<(Option<PackageName>, Option<Version>), String> {
    let sections = crate::sdist_static::read_setup_cfg(bytes)?;
    let metadata = sections.get("metadata");
    let value = |key: &str| {
        metadata
            .and_then(|section| section.get(key))
            .cloned()
            .flatten()
            .map(|text| text.trim().to_string())
    };
    let name = value("name").and_then(|name| PackageName::from_str(&name).ok());
    let version = match value("version") {
        Some(text) if text.starts_with("attr:") || text.starts_with("file:") => None,
        Some(text) => Some(
            Version::from_str(&text)
                .map_err(|error| format!("setup.cfg: version `{text}`: {error}"))?,
        ),
        None => None,
    };
    Ok((name, version))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tree(files: &[(&str, &str)]) -> SdistMembers {
        SdistMembers {
            names: files.iter().map(|(path, _)| path.to_string()).collect(),
            files: files
                .iter()
                .map(|(path, text)| (path.to_string(), text.as_bytes().to_vec()))
                .collect(),
        }
    }

    #[test]
    fn a_static_project_version_answers() {
        let identity = tree_identity(&tree(&[(
            "pyproject.toml",
            "[project]\nname = \"Demo_Pkg\"\nversion = \"1.2.0\"\n",
        )]))
        .expect("static");
        assert_eq!(identity.version.to_string(), "1.2.0");
        assert_eq!(identity.name.expect("name").as_ref(), "demo-pkg");
        assert_eq!(identity.version_from, "pyproject.toml");
    }

    #[test]
    fn setup_cfg_answers_when_pyproject_is_dynamic() {
        let identity = tree_identity(&tree(&[
            (
                "pyproject.toml",
                "[project]\nname = \"demo\"\ndynamic = [\"version\"]\n",
            ),
            ("setup.cfg", "[metadata]\nname = demo\nversion = 0.3\n"),
        ]))
        .expect("setup.cfg");
        assert_eq!(identity.version.to_string(), "0.3");
        assert_eq!(identity.version_from, "setup.cfg");
    }

    #[test]
    fn a_version_only_code_knows_is_refused_with_the_files_looked_at() {
        let error = tree_identity(&tree(&[
            (
                "pyproject.toml",
                "[project]\nname = \"demo\"\ndynamic = [\"version\"]\n",
            ),
            (
                "setup.cfg",
                "[metadata]\nversion = attr: demo.__version__\n",
            ),
        ]))
        .expect_err("dynamic");
        assert!(
            error.contains("pyproject.toml: the version is dynamic"),
            "{error}"
        );
        assert!(error.contains("attr: and file: need a build"), "{error}");
    }
}
