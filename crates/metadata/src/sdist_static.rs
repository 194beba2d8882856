//! Dependencies of a source distribution read from its files, never by running it.
//!
//! A ladder, tried in order; the first rung that answers wins and its answer is labelled
//! ([`StaticSource`]):
//!
//! 1. `PKG-INFO` with Metadata-Version 2.2 or later and neither `Requires-Dist` nor
//!    `Requires-Python` dynamic (PEP 643);
//! 2. setuptools' own record, written when the sdist was made: `*.egg-info/requires.txt`
//!    (`install_requires`, `[extra]`, `[:marker]`, `[extra:marker]` sections), with the
//!    egg-info's `PKG-INFO` for `Requires-Python`; an egg-info without `requires.txt` means no
//!    dependencies;
//! 3. `pyproject.toml` `[project]` whose `dependencies` and `optional-dependencies` are not
//!    dynamic, or are setuptools' `[tool.setuptools.dynamic]` `{file = [...]}` read from the
//!    archive;
//! 4. `setup.cfg` `[options]` `install_requires` / `python_requires` and
//!    `[options.extras_require]`, when `setup.py` passes none of its own (decided by reading
//!    it);
//! 5. a `setup.py` alone that passes no dependency argument at all (read, not run): no
//!    dependencies.
//!
//! Otherwise there is no static answer, and [`NoStaticMetadata`] names the files looked at.
//! Whether the sdist would compile anything (`CoreMetadata::builds_extensions`) is read
//! from its member names and build files, for the NumPy rule on source builds.

use std::collections::BTreeMap;
use std::fmt;
use std::str::FromStr;

use pep440_rs::{Version, VersionSpecifiers};
use pep508_rs::{ExtraName, PackageName, Requirement};

use crate::core_metadata::{CoreMetadata, parse_core_metadata};

/// The most bytes read of one member (a `setup.py` or `requires.txt` is a few KiB).
pub const MEMBER_LIMIT: u64 = 1024 * 1024;

/// Where a source distribution's dependencies were read from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum StaticSource {
    /// `PKG-INFO`, Metadata-Version 2.2+ with static `Requires-Dist` (PEP 643).
    PkgInfo,
    /// `*.egg-info/requires.txt` (or its absence beside an egg-info `PKG-INFO`).
    EggInfo,
    /// `pyproject.toml` `[project]`.
    Pyproject,
    /// `setup.cfg` `[options]`.
    SetupCfg,
    /// `setup.py`, read: it passes no dependencies.
    SetupPy,
}

impl StaticSource {
    /// The label used in annotations and the cache, e.g. `egg-info`.
    pub fn label(self) -> &'static str {
        match self {
            StaticSource::PkgInfo => "PKG-INFO",
            StaticSource::EggInfo => "egg-info",
            StaticSource::Pyproject => "pyproject.toml",
            StaticSource::SetupCfg => "setup.cfg",
            StaticSource::SetupPy => "setup.py",
        }
    }
}

impl fmt::Display for StaticSource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label())
    }
}

impl FromStr for StaticSource {
    type Err = String;

    fn from_str(text: &str) -> Result<StaticSource, String> {
        [
            StaticSource::PkgInfo,
            StaticSource::EggInfo,
            StaticSource::Pyproject,
            StaticSource::SetupCfg,
            StaticSource::SetupPy,
        ]
        .into_iter()
        .find(|source| source.label() == text)
        .ok_or_else(|| format!("unknown metadata source `{text}`"))
    }
}

/// The members of an sdist that the ladder reads, by path below the archive's top folder
/// (`pkg-1.0/setup.py` is `setup.py`), and the paths of all its members.
#[derive(Debug, Clone, Default)]
pub struct SdistMembers {
    /// Every member path below the top folder (files only).
    pub names: Vec<String>,
    /// The contents of the members [`wanted_member`] asked for.
    pub files: BTreeMap<String, Vec<u8>>,
}

/// How much the ladder needs a member it reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Wanted {
    /// `PKG-INFO`, a build file, an egg-info's `PKG-INFO` or `requires.txt`: an archive where
    /// it cannot be read (too big, a link) is refused.
    Needed,
    /// A requirement list a `pyproject.toml` or `setup.cfg` may name (`*.txt`, `*.in`): one
    /// too big to read is left out (the ladder then says it was named but not read).
    Optional,
}

/// Whether the ladder reads the member at `path` (below the top folder), and how much it
/// needs it: `PKG-INFO`, the build files, an egg-info's `PKG-INFO` and `requires.txt`, and
/// requirement lists (`*.txt`, `*.in` within two folders of the top).
pub fn wanted_member(path: &str) -> Option<Wanted> {
    let depth = path.matches('/').count();
    let file = path.rsplit('/').next().unwrap_or(path);
    let needed = match depth {
        0 => matches!(
            file,
            "PKG-INFO" | "pyproject.toml" | "setup.cfg" | "setup.py"
        ),
        _ if depth <= 2 && egg_info_dir(path).is_some() => {
            return matches!(file, "PKG-INFO" | "requires.txt").then_some(Wanted::Needed);
        }
        _ => false,
    };
    if needed {
        Some(Wanted::Needed)
    } else {
        (depth <= 2 && (file.ends_with(".txt") || file.ends_with(".in")))
            .then_some(Wanted::Optional)
    }
}

/// The egg-info folder `path` is directly inside, e.g. `src/pkg.egg-info`.
fn egg_info_dir(path: &str) -> Option<&str> {
    let (dir, _) = path.rsplit_once('/')?;
    let last = dir.rsplit('/').next().unwrap_or(dir);
    last.ends_with(".egg-info").then_some(dir)
}

/// No rung of the ladder answered.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("no static dependency metadata ({})", .looked_at.join("; "))]
pub struct NoStaticMetadata {
    /// Each file looked at, with why it did not answer.
    pub looked_at: Vec<String>,
}

/// Reads the dependencies of the sdist of `name` `version` from `members`: metadata as if from
/// a PEP 643 PKG-INFO, with `static_source` (the rung that answered), `builds_extensions`
/// and `build_requires` set.
pub fn static_metadata(
    name: &PackageName,
    version: &Version,
    members: &SdistMembers,
) -> Result<CoreMetadata, NoStaticMetadata> {
    let mut looked_at = Vec::new();
    let builds_extensions = builds_extensions(members);
    let build_requires = build_requires(members);
    let answer = |mut metadata: CoreMetadata, source: StaticSource| {
        metadata.static_source = Some(source);
        metadata.builds_extensions = Some(builds_extensions);
        metadata.build_requires = build_requires.clone();
        metadata
    };
    let pkg_info = members
        .files
        .get("PKG-INFO")
        .and_then(|bytes| parse_core_metadata(bytes).ok());
    match &pkg_info {
        Some(metadata) if metadata.is_static_for_sdist() => {
            return Ok(answer(metadata.clone(), StaticSource::PkgInfo));
        }
        Some(metadata) => looked_at.push(format!(
            "PKG-INFO is Metadata-Version {}{}",
            metadata.metadata_version,
            if metadata.dynamic.is_empty() {
                String::new()
            } else {
                format!(" with Dynamic: {}", metadata.dynamic.join(", "))
            }
        )),
        None => looked_at.push("no readable PKG-INFO".to_string()),
    }
    let requires_python = pkg_info
        .as_ref()
        .and_then(|metadata| metadata.requires_python.clone());
    let base = |requires_python: Option<VersionSpecifiers>| CoreMetadata {
        metadata_version: "2.2".to_string(),
        name: name.clone(),
        version: version.clone(),
        requires_dist: Vec::new(),
        requires_python,
        provides_extras: Vec::new(),
        dynamic: Vec::new(),
        static_source: None,
        builds_extensions: None,
        build_requires: Vec::new(),
        repairs: Vec::new(),
    };
    match egg_info(members, &base) {
        Ok(Some(metadata)) => return Ok(answer(metadata, StaticSource::EggInfo)),
        Ok(None) => looked_at.push("no *.egg-info".to_string()),
        Err(reason) => looked_at.push(reason),
    }
    match pyproject(members, &base, requires_python.clone()) {
        Ok(metadata) => return Ok(answer(metadata, StaticSource::Pyproject)),
        Err(reason) => looked_at.push(reason),
    }
    let setup_py = members
        .files
        .get("setup.py")
        .map(|bytes| String::from_utf8_lossy(bytes).into_owned());
    match setup_cfg(members, setup_py.as_deref(), &base, requires_python.clone()) {
        Ok(metadata) => return Ok(answer(metadata, StaticSource::SetupCfg)),
        Err(reason) => looked_at.push(reason),
    }
    match setup_py_alone(members, setup_py.as_deref(), &base, requires_python) {
        Ok(metadata) => return Ok(answer(metadata, StaticSource::SetupPy)),
        Err(reason) => looked_at.push(reason),
    }
    Err(NoStaticMetadata { looked_at })
}

/// `build-system.requires` of the sdist's `pyproject.toml` (empty without one, or when the
/// table, or any requirement in it, does not parse).
pub fn build_requires(members: &SdistMembers) -> Vec<Requirement> {
    let text = members
        .files
        .get("pyproject.toml")
        .and_then(|bytes| std::str::from_utf8(bytes).ok());
    match text.map(BuildSystem::from_pyproject) {
        Some(Ok(system)) if system.declared => system.requires,
        _ => Vec::new(),
    }
}

/// How a source tree is built (PEP 517 and 518): the `[build-system]` table of its
/// `pyproject.toml`, with the defaults a frontend uses where it is missing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BuildSystem {
    /// Whether `pyproject.toml` has a `[build-system]` table at all.
    pub declared: bool,
    /// `requires`: what the build environment needs before any hook runs.
    pub requires: Vec<Requirement>,
    /// `build-backend`, an object reference (`module` or `module:object`).
    pub backend: String,
    /// `backend-path`: folders of the source tree put first on `sys.path` (an in-tree
    /// backend).
    pub backend_path: Vec<String>,
}

impl BuildSystem {
    /// The legacy setuptools build, for a source tree with no `[build-system]`: what pip
    /// and uv fall back to (PEP 517, "If the pyproject.toml file is absent, or the
    /// build-backend key is missing").
    pub fn legacy() -> BuildSystem {
        BuildSystem {
            declared: false,
            requires: vec![
                crate::parse_requirement("setuptools>=40.8.0").expect("a valid requirement"),
            ],
            backend: "setuptools.build_meta:__legacy__".to_string(),
            backend_path: Vec::new(),
        }
    }

    /// Reads the `[build-system]` table of a `pyproject.toml`. A table without
    /// `build-backend` uses the legacy setuptools backend with its own `requires`. Errors
    /// name what is wrong: TOML that does not parse, a requirement that does not, a value of
    /// the wrong type, a backend path that leaves the tree.
    pub fn from_pyproject(text: &str) -> Result<BuildSystem, String> {
        let document: toml::Table = text
            .parse()
            .map_err(|error| format!("pyproject.toml does not parse: {error}"))?;
        let Some(table) = document.get("build-system") else {
            return Ok(BuildSystem::legacy());
        };
        let table = table
            .as_table()
            .ok_or("pyproject.toml: `build-system` is not a table")?;
        let mut system = BuildSystem::legacy();
        system.declared = true;
        if let Some(requires) = table.get("requires") {
            let items = requires
                .as_array()
                .ok_or("pyproject.toml: `build-system.requires` is not an array")?;
            system.requires = items
                .iter()
                .map(|item| {
                    let text = item.as_str().ok_or(
                        "pyproject.toml: `build-system.requires` holds a value that is not a string",
                    )?;
                    crate::parse_requirement(text).map_err(|error| {
                        format!("pyproject.toml: `build-system.requires`: {error}")
                    })
                })
                .collect::<Result<_, String>>()?;
        }
        if let Some(backend) = table.get("build-backend") {
            system.backend = backend
                .as_str()
                .ok_or("pyproject.toml: `build-system.build-backend` is not a string")?
                .to_string();
        }
        if let Some(paths) = table.get("backend-path") {
            let items = paths
                .as_array()
                .ok_or("pyproject.toml: `build-system.backend-path` is not an array")?;
            for item in items {
                let path = item.as_str().ok_or(
                    "pyproject.toml: `build-system.backend-path` holds a value that is not a string",
                )?;
                if path.starts_with('/') || path.split(['/', '\\']).any(|part| part == "..") {
                    return Err(format!(
                        "pyproject.toml: backend path `{path}` leaves the source tree"
                    ));
                }
                system.backend_path.push(path.to_string());
            }
        }
        Ok(system)
    }
}

/// Rung 2: the egg-info setuptools wrote into the sdist; `None` when there is none. With
/// several (a `src/` layout and a stray one), the shallowest wins.
fn egg_info(
    members: &SdistMembers,
    base: &dyn Fn(Option<VersionSpecifiers>) -> CoreMetadata,
) -> Result<Option<CoreMetadata>, String> {
    let Some(dir) = members
        .files
        .keys()
        .filter(|path| path.ends_with("/PKG-INFO"))
        .filter_map(|path| egg_info_dir(path))
        .min_by_key(|dir| (dir.matches('/').count(), dir.to_string()))
    else {
        return Ok(None);
    };
    if let Some(setup_py) = members.files.get("setup.py") {
        let setup_py = String::from_utf8_lossy(setup_py);
        if let Some(test) = environment_dependent(&setup_py) {
            return Err(format!(
                "{dir} records the sdist maker's machine: setup.py chooses its dependencies by `{test}`"
            ));
        }
    }
    let pkg_info = members
        .files
        .get(&format!("{dir}/PKG-INFO"))
        .and_then(|bytes| parse_core_metadata(bytes).ok());
    let mut metadata = base(pkg_info.and_then(|metadata| metadata.requires_python));
    if let Some(bytes) = members.files.get(&format!("{dir}/requires.txt")) {
        let text = String::from_utf8_lossy(bytes);
        let (requires, extras) =
            parse_requires_txt(&text).map_err(|reason| format!("{dir}/requires.txt: {reason}"))?;
        metadata.requires_dist = requires;
        metadata.provides_extras = extras;
    }
    Ok(Some(metadata))
}

/// The test of the running environment `setup.py` chooses dependencies by, if any: an
/// environment test (`except ImportError`, `sys.platform`, `sys.version`, `os.environ`, ...)
/// on a line that names a dependency list as code, or opening a block (`if ...:`, `except
/// ...:`) inside which a line does. Its egg-info then
/// says what the sdist maker's machine got, not what the target would (dkimpy adds `Py3DNS` or
/// `dnspython` by which one imports).
fn environment_dependent(setup_py: &str) -> Option<&'static str> {
    const TESTS: [&str; 9] = [
        "except ImportError",
        "except ModuleNotFoundError",
        "sys.platform",
        "platform.system",
        "platform.machine",
        "platform.python",
        "os.name",
        "sys.version",
        "os.environ",
    ];
    // `install_requires = [...]`, `kw['install_requires'] = ...`, `requirements.append(...)`:
    // a line that names a dependency list as code ("requires Python 3.6" in a message, or
    // compile flags extended by an environment variable, are not one).
    let names_dependencies = |line: &str| {
        ["requires", "requirements"].iter().any(|word| {
            line.match_indices(word).any(|(at, _)| {
                line[at + word.len()..]
                    .trim_start()
                    .starts_with(['=', '.', '[', '+', '(', '\'', '"', ']', ')', ','])
            })
        })
    };
    let lines: Vec<&str> = setup_py.lines().collect();
    let indent = |line: &str| line.len() - line.trim_start().len();
    for (number, line) in lines.iter().enumerate() {
        let Some(test) = TESTS.iter().find(|test| line.contains(*test)) else {
            continue;
        };
        if names_dependencies(line) {
            return Some(test);
        }
        // A block the test opens (`if sys.platform == ...:`, `except ImportError:`): the
        // lines indented past it.
        let code = line.split('#').next().unwrap_or(line);
        if !code.trim_end().ends_with(':') {
            continue;
        }
        let depth = indent(line);
        let block = lines[number + 1..]
            .iter()
            .filter(|line| !line.trim().is_empty())
            .take_while(|line| indent(line) > depth);
        if block.into_iter().any(|line| names_dependencies(line)) {
            return Some(test);
        }
    }
    None
}

/// `requires.txt` as setuptools writes it: plain lines, then `[extra]`, `[:marker]` and
/// `[extra:marker]` sections.
pub fn parse_requires_txt(text: &str) -> Result<(Vec<Requirement>, Vec<ExtraName>), String> {
    let mut requires = Vec::new();
    let mut extras: Vec<ExtraName> = Vec::new();
    let mut section: (Option<ExtraName>, Option<String>) = (None, None);
    for (number, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        if let Some(header) = line
            .strip_prefix('[')
            .and_then(|rest| rest.strip_suffix(']'))
        {
            let (extra, marker) = match header.split_once(':') {
                Some((extra, marker)) => (extra.trim(), Some(marker.trim().to_string())),
                None => (header.trim(), None),
            };
            let extra = if extra.is_empty() {
                None
            } else {
                let extra = ExtraName::new(extra.to_string())
                    .map_err(|error| format!("line {}: {error}", number + 1))?;
                if !extras.contains(&extra) {
                    extras.push(extra.clone());
                }
                Some(extra)
            };
            section = (extra, marker.filter(|marker| !marker.is_empty()));
            continue;
        }
        let requirement = with_condition(line, section.0.as_ref(), section.1.as_deref())
            .map_err(|error| format!("line {}: {error}", number + 1))?;
        requires.push(requirement);
    }
    Ok((requires, extras))
}

/// `line` (a PEP 508 requirement) under an extra and a marker, as one requirement.
fn with_condition(
    line: &str,
    extra: Option<&ExtraName>,
    marker: Option<&str>,
) -> Result<Requirement, String> {
    let (requirement, own) = match line.split_once(';') {
        Some((requirement, own)) => (requirement.trim(), Some(own.trim())),
        None => (line, None),
    };
    let mut conditions: Vec<String> = Vec::new();
    for condition in [own, marker].into_iter().flatten() {
        conditions.push(format!("({condition})"));
    }
    if let Some(extra) = extra {
        conditions.push(format!("extra == \"{extra}\""));
    }
    let text = if conditions.is_empty() {
        requirement.to_string()
    } else {
        format!("{requirement} ; {}", conditions.join(" and "))
    };
    crate::parse_requirement(&text).map_err(|error| format!("`{line}`: {error}"))
}

/// Rung 3: PEP 621 `[project]`, with setuptools' `{file = [...]}` for dynamic lists.
fn pyproject(
    members: &SdistMembers,
    base: &dyn Fn(Option<VersionSpecifiers>) -> CoreMetadata,
    pkg_info_python: Option<VersionSpecifiers>,
) -> Result<CoreMetadata, String> {
    let Some(bytes) = members.files.get("pyproject.toml") else {
        return Err("no pyproject.toml".to_string());
    };
    let text = std::str::from_utf8(bytes).map_err(|_| "pyproject.toml is not UTF-8")?;
    let document: toml::Table = text
        .parse()
        .map_err(|error| format!("pyproject.toml does not parse: {error}"))?;
    let Some(project) = document.get("project").and_then(toml::Value::as_table) else {
        return Err("pyproject.toml has no [project]".to_string());
    };
    let dynamic: Vec<&str> = project
        .get("dynamic")
        .and_then(toml::Value::as_array)
        .map(|items| items.iter().filter_map(toml::Value::as_str).collect())
        .unwrap_or_default();
    let setuptools_dynamic = document
        .get("tool")
        .and_then(|tool| tool.get("setuptools"))
        .and_then(|setuptools| setuptools.get("dynamic"));
    let requires_python = match project.get("requires-python") {
        Some(value) => {
            let text = value
                .as_str()
                .ok_or("pyproject.toml: requires-python is not a string")?;
            Some(
                VersionSpecifiers::from_str(text)
                    .map_err(|error| format!("pyproject.toml: requires-python: {error}"))?,
            )
        }
        None if dynamic.contains(&"requires-python") => pkg_info_python,
        None => None,
    };
    let mut metadata = base(requires_python);
    if dynamic.contains(&"dependencies") {
        let files = setuptools_dynamic
            .and_then(|dynamic| dynamic.get("dependencies"))
            .ok_or("pyproject.toml: dependencies are dynamic")?;
        metadata.requires_dist = file_requirements(members, files, None)?;
    } else if let Some(list) = project.get("dependencies") {
        metadata.requires_dist = requirement_list(list, None)
            .map_err(|error| format!("pyproject.toml: dependencies: {error}"))?;
    }
    let optional = if dynamic.contains(&"optional-dependencies") {
        let table = setuptools_dynamic
            .and_then(|dynamic| dynamic.get("optional-dependencies"))
            .and_then(toml::Value::as_table)
            .ok_or("pyproject.toml: optional-dependencies are dynamic")?;
        let mut extras = Vec::new();
        for (extra, files) in table {
            extras.push((extra.clone(), Some(files), None));
        }
        extras
    } else {
        project
            .get("optional-dependencies")
            .and_then(toml::Value::as_table)
            .map(|table| {
                table
                    .iter()
                    .map(|(extra, list)| (extra.clone(), None, Some(list)))
                    .collect()
            })
            .unwrap_or_default()
    };
    for (extra, files, list) in optional {
        let name = ExtraName::new(extra.clone())
            .map_err(|error| format!("pyproject.toml: extra `{extra}`: {error}"))?;
        let requirements = match (files, list) {
            (Some(files), _) => file_requirements(members, files, Some(&name))?,
            (None, Some(list)) => requirement_list(list, Some(&name))
                .map_err(|error| format!("pyproject.toml: extra `{extra}`: {error}"))?,
            (None, None) => Vec::new(),
        };
        metadata.requires_dist.extend(requirements);
        if !metadata.provides_extras.contains(&name) {
            metadata.provides_extras.push(name);
        }
    }
    Ok(metadata)
}

/// A TOML array of PEP 508 strings, under `extra`.
fn requirement_list(
    list: &toml::Value,
    extra: Option<&ExtraName>,
) -> Result<Vec<Requirement>, String> {
    let items = list.as_array().ok_or("not an array")?;
    items
        .iter()
        .map(|item| {
            let text = item.as_str().ok_or("an item is not a string")?;
            with_condition(text.trim(), extra, None)
        })
        .collect()
}

/// setuptools' `{file = "a.txt"}` or `{file = ["a.txt", "b.txt"]}`: requirement lines read
/// from those members (comments and blank lines skipped; options are refused; a file the
/// sdist does not hold gives nothing, as setuptools skips it).
fn file_requirements(
    members: &SdistMembers,
    value: &toml::Value,
    extra: Option<&ExtraName>,
) -> Result<Vec<Requirement>, String> {
    let files: Vec<&str> = match value.get("file") {
        Some(toml::Value::String(file)) => vec![file.as_str()],
        Some(toml::Value::Array(files)) => files.iter().filter_map(toml::Value::as_str).collect(),
        _ => return Err("pyproject.toml: a dynamic list is not `{file = ...}`".to_string()),
    };
    let mut requirements = Vec::new();
    for file in files {
        let path = file.trim_start_matches("./");
        let Some(bytes) = members.files.get(path) else {
            // setuptools skips a listed file that does not exist (with a warning), so a
            // build gets nothing from it either; one never read (too deep) is unknown.
            if members.names.iter().any(|name| name == path) {
                return Err(format!("`{file}` is named but was not read"));
            }
            continue;
        };
        for line in String::from_utf8_lossy(bytes).lines() {
            let line = line.split(" #").next().unwrap_or(line).trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            if line.starts_with('-') {
                return Err(format!("`{file}` holds an option (`{line}`)"));
            }
            requirements.push(
                with_condition(line, extra, None).map_err(|error| format!("{file}: {error}"))?,
            );
        }
    }
    Ok(requirements)
}

/// Whether `setup.py` passes dependency arguments of its own (or might, through `**kwargs`).
fn setup_py_passes_dependencies(setup_py: &str) -> bool {
    ["install_requires", "extras_require", "requires_dist"]
        .iter()
        .any(|keyword| setup_py.contains(keyword))
        || setup_py.match_indices("**").any(|(at, _)| {
            setup_py[at + 2..].starts_with(|c: char| c.is_ascii_alphabetic() || c == '_')
        })
}

/// `python_requires` as `setup.py` passes it: `Ok(None)` when absent, the value when it is a
/// string literal, an error otherwise (computed at run time).
fn setup_py_python_requires(setup_py: &str) -> Result<Option<VersionSpecifiers>, String> {
    let Some(at) = setup_py.find("python_requires") else {
        return Ok(None);
    };
    let rest = setup_py[at + "python_requires".len()..].trim_start();
    let literal = rest
        .strip_prefix('=')
        .map(str::trim_start)
        .and_then(|rest| {
            let quote = rest.chars().next().filter(|c| *c == '"' || *c == '\'')?;
            let body = &rest[1..];
            body.find(quote).map(|end| &body[..end])
        })
        .ok_or("setup.py computes python_requires")?;
    VersionSpecifiers::from_str(literal)
        .map(Some)
        .map_err(|error| format!("setup.py: python_requires: {error}"))
}

/// Rung 4: `setup.cfg`, when `setup.py` adds nothing of its own.
/// The sections of a `setup.cfg`, as Python's ConfigParser reads it for setuptools.
pub(crate) fn read_setup_cfg(
    bytes: &[u8],
) -> Result<
    std::collections::HashMap<String, std::collections::HashMap<String, Option<String>>>,
    String,
> {
    let mut defaults = configparser::ini::IniDefault::default();
    defaults.multiline = true;
    // Python's ConfigParser has no inline comments: `;` starts a marker here.
    defaults.comment_symbols = vec!['#'];
    let mut ini = configparser::ini::Ini::new_from_defaults(defaults);
    ini.read(String::from_utf8_lossy(bytes).into_owned())
        .map_err(|error| format!("setup.cfg does not parse: {error}"))
}

fn setup_cfg(
    members: &SdistMembers,
    setup_py: Option<&str>,
    base: &dyn Fn(Option<VersionSpecifiers>) -> CoreMetadata,
    pkg_info_python: Option<VersionSpecifiers>,
) -> Result<CoreMetadata, String> {
    let Some(bytes) = members.files.get("setup.cfg") else {
        return Err("no setup.cfg".to_string());
    };
    if setup_py.is_some_and(setup_py_passes_dependencies) {
        return Err("setup.py passes dependencies of its own".to_string());
    }
    let sections = read_setup_cfg(bytes)?;
    let options = sections.get("options");
    let value = |key: &str| {
        options
            .and_then(|options| options.get(key))
            .cloned()
            .flatten()
    };
    let requires_python = match value("python_requires") {
        Some(text) => Some(
            VersionSpecifiers::from_str(text.trim())
                .map_err(|error| format!("setup.cfg: python_requires: {error}"))?,
        ),
        None => match setup_py
            .map(setup_py_python_requires)
            .transpose()?
            .flatten()
        {
            Some(specifiers) => Some(specifiers),
            None => pkg_info_python,
        },
    };
    let mut metadata = base(requires_python);
    if let Some(text) = value("install_requires") {
        metadata.requires_dist = cfg_list(&text, members, None)?;
    }
    if let Some(extras) = sections.get("options.extras_require") {
        for (extra, text) in extras {
            let name = ExtraName::new(extra.clone())
                .map_err(|error| format!("setup.cfg: extra `{extra}`: {error}"))?;
            if let Some(text) = text {
                metadata
                    .requires_dist
                    .extend(cfg_list(text, members, Some(&name))?);
            }
            metadata.provides_extras.push(name);
        }
    }
    Ok(metadata)
}

/// A `setup.cfg` requirement list: one per line (or `;`-separated on one line, as older
/// setuptools read it), or `file: a.txt, b.txt`.
fn cfg_list(
    text: &str,
    members: &SdistMembers,
    extra: Option<&ExtraName>,
) -> Result<Vec<Requirement>, String> {
    let text = text.trim();
    if let Some(files) = text.strip_prefix("file:") {
        let names: Vec<toml::Value> = files
            .split(',')
            .map(|file| toml::Value::String(file.trim().to_string()))
            .collect();
        let mut table = toml::Table::new();
        table.insert("file".to_string(), toml::Value::Array(names));
        return file_requirements(members, &toml::Value::Table(table), extra);
    }
    // A line ending with `\` continues on the next (pkg_resources joins them).
    let mut joined: Vec<String> = Vec::new();
    let mut continued = false;
    for line in text.lines().map(str::trim) {
        if line.is_empty() || line.starts_with('#') || line.starts_with(';') {
            continue;
        }
        let (body, continues) = match line.strip_suffix('\\') {
            Some(body) => (body.trim_end(), true),
            None => (line, false),
        };
        match joined.last_mut() {
            Some(last) if continued => {
                last.push(' ');
                last.push_str(body);
            }
            _ => joined.push(body.to_string()),
        }
        continued = continues;
    }
    let lines: Vec<&str> = joined.iter().map(String::as_str).collect();
    let mut requirements = Vec::new();
    for line in &lines {
        match with_condition(line, extra, None) {
            Ok(requirement) => requirements.push(requirement),
            Err(_) if lines.len() == 1 && line.contains(';') => {
                for part in line
                    .split(';')
                    .map(str::trim)
                    .filter(|part| !part.is_empty())
                {
                    requirements.push(
                        with_condition(part, extra, None)
                            .map_err(|error| format!("setup.cfg: {error}"))?,
                    );
                }
            }
            Err(error) => return Err(format!("setup.cfg: {error}")),
        }
    }
    Ok(requirements)
}

/// Rung 5: a `setup.py` that passes no dependency argument (and no `**kwargs`), with no
/// `setup.cfg` or `pyproject.toml` that could add any.
fn setup_py_alone(
    members: &SdistMembers,
    setup_py: Option<&str>,
    base: &dyn Fn(Option<VersionSpecifiers>) -> CoreMetadata,
    pkg_info_python: Option<VersionSpecifiers>,
) -> Result<CoreMetadata, String> {
    let Some(setup_py) = setup_py else {
        return Err("no setup.py".to_string());
    };
    if setup_py_passes_dependencies(setup_py) {
        return Err("setup.py passes dependencies that only running it would tell".to_string());
    }
    if members.files.contains_key("setup.cfg") {
        return Err("setup.cfg gives no usable answer beside it".to_string());
    }
    let requires_python = setup_py_python_requires(setup_py)?.or(pkg_info_python);
    Ok(base(requires_python))
}

/// Whether building the sdist would compile something: extension sources among its members,
/// `ext_modules` in `setup.py`, or a build backend or build requirement that compiles.
pub fn builds_extensions(members: &SdistMembers) -> bool {
    const SOURCES: [&str; 12] = [
        ".c", ".cc", ".cpp", ".cxx", ".c++", ".pyx", ".f", ".f90", ".for", ".cu", ".rs", ".m",
    ];
    let compiled_member = members.names.iter().any(|path| {
        let lower = path.to_ascii_lowercase();
        SOURCES.iter().any(|suffix| lower.ends_with(suffix))
            || lower.rsplit('/').next() == Some("cargo.toml")
            || lower.rsplit('/').next() == Some("meson.build")
            || lower.rsplit('/').next() == Some("cmakelists.txt")
    });
    let setup_py_compiles = members.files.get("setup.py").is_some_and(|bytes| {
        let text = String::from_utf8_lossy(bytes);
        [
            "ext_modules",
            "Extension(",
            "cythonize",
            "cffi_modules",
            "rust_extensions",
        ]
        .iter()
        .any(|token| text.contains(token))
    });
    let backend_compiles = members.files.get("pyproject.toml").is_some_and(|bytes| {
        let text = String::from_utf8_lossy(bytes).to_ascii_lowercase();
        [
            "maturin",
            "scikit-build",
            "scikit_build",
            "mesonpy",
            "meson-python",
            "cython",
            "pybind11",
            "cffi",
            "setuptools-rust",
            "setuptools_rust",
        ]
        .iter()
        .any(|token| text.contains(token))
    });
    compiled_member || setup_py_compiles || backend_compiles
}

/// The metadata as PKG-INFO text (Metadata-Version 2.2, nothing dynamic), for the cache.
pub fn to_pkg_info(metadata: &CoreMetadata) -> String {
    let mut text = format!(
        "Metadata-Version: 2.2\nName: {}\nVersion: {}\n",
        metadata.name, metadata.version
    );
    if let Some(requires_python) = &metadata.requires_python {
        text.push_str(&format!("Requires-Python: {requires_python}\n"));
    }
    for requirement in &metadata.requires_dist {
        text.push_str(&format!("Requires-Dist: {requirement}\n"));
    }
    for extra in &metadata.provides_extras {
        text.push_str(&format!("Provides-Extra: {extra}\n"));
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn requires_txt_sections_become_markers() {
        // The shape of gruut 2.4.0's egg-info/requires.txt.
        let text = "numpy>=1.19.0\n\n[:python_version<\"3.9\"]\nimportlib_resources\n\n[align]\npydub~=0.24.1\n\n[fa:sys_platform == \"linux\"]\nhazm\n";
        let (requires, extras) = parse_requires_txt(text).expect("parses");
        let shown: Vec<String> = requires.iter().map(ToString::to_string).collect();
        assert_eq!(
            shown,
            [
                "numpy>=1.19.0",
                "importlib-resources ; python_full_version < '3.9'",
                "pydub~=0.24.1 ; extra == 'align'",
                "hazm ; sys_platform == 'linux' and extra == 'fa'",
            ]
        );
        let extras: Vec<&str> = extras.iter().map(AsRef::as_ref).collect();
        assert_eq!(extras, ["align", "fa"]);
    }

    #[test]
    fn a_setup_py_that_tests_its_environment_next_to_a_dependency_list_is_caught() {
        // dkimpy 1.1.8.
        let dkimpy = "kw = {}\ntry:\n    import DNS\n    kw['install_requires'] = ['Py3DNS']\nexcept ImportError:  # If PyDNS is not installed\n    kw['install_requires'] = ['dnspython>=2.0.0']\nsetup(name='dkimpy', **kw)\n";
        assert_eq!(environment_dependent(dkimpy), Some("except ImportError"));
        // A version check that only refuses old Pythons (its message says "requires").
        let guard = "import sys\nif sys.version_info < (3, 6):\n    sys.exit('x requires Python 3.6+')\nsetup(name='x',\n    version='1',\n    install_requires=['six'])\n";
        assert_eq!(environment_dependent(guard), None);
        // Compile flags extended by an environment variable (python-ldap 3.4.4).
        let flags =
            "if os.environ.get('WITH_GCOV'):\n    LDAP_CLASS.extra_compile_args.extend(['-O0'])\n";
        assert_eq!(environment_dependent(flags), None);
        // Dependencies chosen by the running Python (alibabacloud-tea 0.4.3).
        let by_python = "if sys.version_info.minor <= 7:\n    install_requires.append('requests>=2.21.0, <2.32.0')\n";
        assert_eq!(environment_dependent(by_python), Some("sys.version"));
        assert!(setup_py_passes_dependencies(dkimpy));
        assert!(!setup_py_passes_dependencies(
            "setup(name='termcolor', py_modules=['termcolor'])"
        ));
    }

    #[test]
    fn python_requires_is_read_from_a_literal_only() {
        assert_eq!(
            setup_py_python_requires("setup(python_requires='>=3.7')")
                .expect("literal")
                .map(|specifiers| specifiers.to_string()),
            Some(">=3.7".to_string())
        );
        assert!(setup_py_python_requires("setup(python_requires=PYTHON)").is_err());
        assert_eq!(setup_py_python_requires("setup()"), Ok(None));
    }

    #[test]
    fn nothing_static_names_every_file_looked_at() {
        let name = PackageName::from_str("demo").expect("name");
        let version = Version::from_str("1.0").expect("version");
        let mut members = SdistMembers::default();
        members.files.insert(
            "PKG-INFO".to_string(),
            b"Metadata-Version: 2.1\nName: demo\nVersion: 1.0\n".to_vec(),
        );
        members.files.insert(
            "setup.py".to_string(),
            b"setup(install_requires=read_requirements())".to_vec(),
        );
        members.names = members.files.keys().cloned().collect();
        let error = static_metadata(&name, &version, &members).expect_err("nothing static");
        assert_eq!(
            error.looked_at,
            [
                "PKG-INFO is Metadata-Version 2.1",
                "no *.egg-info",
                "no pyproject.toml",
                "no setup.cfg",
                "setup.py passes dependencies that only running it would tell",
            ]
        );
    }

    #[test]
    fn compiled_sources_or_backends_mean_a_build_compiles() {
        let mut members = SdistMembers {
            names: vec!["pkg/__init__.py".to_string()],
            ..SdistMembers::default()
        };
        assert!(!builds_extensions(&members));
        members.names.push("pkg/_speedups.c".to_string());
        assert!(builds_extensions(&members));
        let mut rust = SdistMembers::default();
        rust.files.insert(
            "pyproject.toml".to_string(),
            b"[build-system]\nbuild-backend = \"maturin\"\n".to_vec(),
        );
        assert!(builds_extensions(&rust));
    }

    #[test]
    fn a_build_system_falls_back_to_legacy_setuptools_and_refuses_escaping_paths() {
        let legacy = BuildSystem::from_pyproject("[tool.black]\n").expect("parses");
        assert_eq!(legacy, BuildSystem::legacy());
        assert_eq!(legacy.backend, "setuptools.build_meta:__legacy__");

        let only_requires = BuildSystem::from_pyproject(
            "[build-system]\nrequires = [\"setuptools>=61\", \"wheel\"]\n",
        )
        .expect("parses");
        assert!(only_requires.declared);
        assert_eq!(only_requires.requires.len(), 2);
        assert_eq!(only_requires.backend, "setuptools.build_meta:__legacy__");

        let in_tree = BuildSystem::from_pyproject(
            "[build-system]\nrequires = []\nbuild-backend = \"backend:hooks\"\nbackend-path = [\"_build\"]\n",
        )
        .expect("parses");
        assert_eq!(in_tree.backend, "backend:hooks");
        assert_eq!(in_tree.backend_path, ["_build"]);
        assert!(in_tree.requires.is_empty());

        let escaping = BuildSystem::from_pyproject("[build-system]\nbackend-path = [\"../..\"]\n")
            .expect_err("escapes");
        assert!(escaping.contains("leaves the source tree"), "{escaping}");
        let bad = BuildSystem::from_pyproject("[build-system]\nrequires = [\"numpy>=\"]\n")
            .expect_err("a bad requirement");
        assert!(bad.contains("build-system.requires"), "{bad}");
    }
}
