//! packse scenarios: the model of one scenario file and the `npsolve compile` arguments it asks
//! for. The files are uv's copy of packse's scenarios (`tests/fixtures/packse/SOURCE.md`); the
//! fields and their defaults follow that format (a version's `requires_python` defaults to
//! `>=3.12`, the interpreter to 3.12, every version gets a wheel and an sdist).

use std::collections::BTreeMap;
use std::path::Path;

use serde::Deserialize;

/// One scenario: its packages, the root requirements and the expected answer.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Scenario {
    /// The scenario's name, e.g. `local-simple`.
    pub name: String,
    /// What the scenario checks.
    #[serde(default)]
    pub description: Option<String>,
    /// Packages by name, each with its versions.
    #[serde(default)]
    pub packages: BTreeMap<String, Package>,
    /// The root requirements.
    pub root: Root,
    /// The expected resolution.
    pub expected: Expected,
    /// The interpreter the scenario runs with.
    #[serde(default)]
    pub environment: Environment,
    /// Resolver flags.
    #[serde(default)]
    pub resolver_options: ResolverOptions,
    /// Test generation switches.
    #[serde(default)]
    pub testgen: TestGeneration,
}

/// A package's versions.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Package {
    /// Versions as written in the scenario, each with its metadata.
    pub versions: BTreeMap<String, Release>,
}

/// One version of a package and the files it publishes.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Release {
    /// `Requires-Python` (default `>=3.12`).
    #[serde(default = "default_requires_python")]
    pub requires_python: String,
    /// `Requires-Dist` entries without an extra.
    #[serde(default)]
    pub requires: Vec<String>,
    /// Each extra's requirements.
    #[serde(default)]
    pub extras: BTreeMap<String, Vec<String>>,
    /// Whether an sdist is published (default true).
    #[serde(default = "yes")]
    pub sdist: bool,
    /// Whether wheels are published (default true).
    #[serde(default = "yes")]
    pub wheel: bool,
    /// Whether the release is yanked.
    #[serde(default)]
    pub yanked: bool,
    /// Wheel tags (`py3-none-any` when empty).
    #[serde(default)]
    pub wheel_tags: Vec<String>,
}

/// The root requirements.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Root {
    /// The root's `Requires-Python` (used by project locks, not by `pip compile`).
    #[serde(default = "default_requires_python")]
    pub requires_python: String,
    /// Requirement lines.
    #[serde(default)]
    pub requires: Vec<String>,
}

/// What the resolver must answer.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Expected {
    /// Whether a resolution exists.
    pub satisfiable: bool,
    /// The pins, by name.
    #[serde(default)]
    pub packages: BTreeMap<String, String>,
    /// Why.
    #[serde(default)]
    pub explanation: Option<String>,
}

/// The interpreters present.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Environment {
    /// The active interpreter's version.
    #[serde(default = "default_python")]
    pub python: String,
    /// Other interpreters on the machine.
    #[serde(default)]
    pub additional_python: Vec<String>,
}

impl Default for Environment {
    fn default() -> Self {
        Environment {
            python: default_python(),
            additional_python: Vec::new(),
        }
    }
}

/// Resolver flags a scenario sets.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ResolverOptions {
    /// `--resolution`.
    #[serde(default)]
    pub resolution: Option<String>,
    /// `--python-version` (a compile scenario; otherwise the interpreter's version is the target).
    #[serde(default)]
    pub python: Option<String>,
    /// `--prerelease allow`.
    #[serde(default)]
    pub prereleases: bool,
    /// `--only-binary` for these packages.
    #[serde(default)]
    pub no_build: Vec<String>,
    /// `--no-binary` for these packages.
    #[serde(default)]
    pub no_binary: Vec<String>,
    /// A universal resolution (not `pip compile`'s single target).
    #[serde(default)]
    pub universal: bool,
    /// `--python-platform`.
    #[serde(default)]
    pub python_platform: Option<String>,
    /// Environments a universal lock must cover.
    #[serde(default)]
    pub required_environments: Vec<String>,
}

/// Test generation switches.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TestGeneration {
    /// No test is generated from this scenario.
    #[serde(default)]
    pub disable: bool,
    /// `install`, `compile` or `lock`.
    #[serde(default)]
    pub kind: Option<String>,
}

fn default_requires_python() -> String {
    ">=3.12".to_string()
}

fn default_python() -> String {
    "3.12".to_string()
}

fn yes() -> bool {
    true
}

impl Scenario {
    /// Reads and parses one scenario file.
    pub fn read(path: &Path) -> Result<Scenario, String> {
        let text = std::fs::read_to_string(path)
            .map_err(|error| format!("{}: {error}", path.display()))?;
        Scenario::parse(&text).map_err(|error| format!("{}: {error}", path.display()))
    }

    /// Parses a scenario from its TOML text (tests write small indexes this way too).
    pub fn parse(text: &str) -> Result<Scenario, String> {
        toml::from_str(text).map_err(|error| error.to_string())
    }

    /// Whether this scenario is a `pip compile`/`pip install` one (not universal, not disabled).
    pub fn is_single_target(&self) -> bool {
        !self.resolver_options.universal && !self.testgen.disable
    }

    /// The Python the resolution targets: `--python-version` when the scenario sets it, else
    /// the active interpreter's (as `uv pip install` resolves for it).
    pub fn target_python(&self) -> &str {
        self.resolver_options
            .python
            .as_deref()
            .unwrap_or(&self.environment.python)
    }

    /// The requirements file's text.
    pub fn requirements_in(&self) -> String {
        let mut text = self.root.requires.join("\n");
        text.push('\n');
        text
    }

    /// The `npsolve compile` flags the scenario's resolver options stand for (uv's own
    /// generator maps them to the same `uv pip` flags).
    pub fn compile_flags(&self) -> Vec<String> {
        let options = &self.resolver_options;
        let mut flags = vec!["--python-version".to_string(), self.target_python().into()];
        if let Some(resolution) = &options.resolution {
            flags.push(format!("--resolution={resolution}"));
        }
        if options.prereleases {
            flags.push("--prerelease=allow".into());
        }
        for package in &options.no_build {
            flags.extend(["--only-binary".to_string(), package.clone()]);
        }
        for package in &options.no_binary {
            flags.extend(["--no-binary".to_string(), package.clone()]);
        }
        flags.push("--python-platform".into());
        flags.push(
            options
                .python_platform
                .clone()
                .unwrap_or_else(|| "x86_64-manylinux_2_28".into()),
        );
        flags
    }
}
