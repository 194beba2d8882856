//! Turning arguments (and the options found inside input files) into the options of
//! each stage: the target, the index client, the resolver.

use std::collections::BTreeSet;
use std::path::Path;
use std::time::Duration;

use npsolve_index::{CacheOptions, ClientOptions, IndexUrl, Refresh};
use npsolve_platform::{Platform, PythonVersion, Target};
use npsolve_requirements::IndexOptions;
use npsolve_resolver::{PackageSelection, PrereleaseMode};
use pep508_rs::PackageName;

use crate::args::{IndexArgs, PrereleaseArg, ResolveArgs, TargetArgs};
use crate::error::CliError;

/// The Python version used when neither a flag nor an interpreter says otherwise.
const DEFAULT_PYTHON: &str = "3.12";

/// The target from `--python-version` / `--python-platform` / `--python`, else the
/// `python3` on PATH, else this machine with Python 3.12.
pub fn target(args: &TargetArgs) -> Result<Target, CliError> {
    if let Some(python) = &args.python {
        return Target::from_interpreter(python)
            .map_err(|error| CliError::Usage(error.to_string()));
    }
    let from_path = || {
        (args.python_version.is_none() && args.python_platform.is_empty())
            .then(|| Target::from_interpreter(Path::new("python3")).ok())
            .flatten()
    };
    if let Some(target) = from_path() {
        return Ok(target);
    }
    let python: PythonVersion = args
        .python_version
        .as_deref()
        .unwrap_or(DEFAULT_PYTHON)
        .parse()
        .map_err(|error| CliError::Usage(format!("invalid --python-version: {error}")))?;
    if args.python_platform.len() > 1 {
        return Err(CliError::Usage(format!(
            "--python-platform was given {} times: name several platforms only with --universal",
            args.python_platform.len()
        )));
    }
    match args.python_platform.first() {
        Some(platform) => {
            let platform: Platform = platform
                .parse()
                .map_err(|error| CliError::Usage(format!("invalid --python-platform: {error}")))?;
            Ok(Target::new(python, platform))
        }
        None => Target::host(python).map_err(|error| CliError::Usage(error.to_string())),
    }
}

fn parse_index_url(text: &str, what: &str) -> Result<IndexUrl, CliError> {
    text.parse().map_err(|error| {
        let text = npsolve_index::mask_text(text);
        CliError::Usage(format!("invalid {what} `{text}`: {error}"))
    })
}

fn package_name(text: &str, what: &str) -> Result<PackageName, CliError> {
    PackageName::new(text.to_string()).map_err(|error| {
        CliError::Usage(format!("invalid package name `{text}` for {what}: {error}"))
    })
}

/// The index options of `options` as requirements-file lines (`--index-url URL`, then each
/// `--extra-index-url URL`), secrets masked and without the trailing `/`, as uv writes them.
pub fn index_lines(options: &ClientOptions) -> Vec<String> {
    let show = |url: &npsolve_index::IndexUrl| url.redacted().trim_end_matches('/').to_string();
    let main = options
        .index_url
        .clone()
        .unwrap_or_else(npsolve_index::IndexUrl::pypi);
    std::iter::once(format!("--index-url {}", show(&main)))
        .chain(
            options
                .extra_index_urls
                .iter()
                .map(|url| format!("--extra-index-url {}", show(url))),
        )
        .collect()
}

/// Index client options: flags first, then the options inside the input files, then
/// `UV_INDEX_URL` / `PIP_INDEX_URL`, then PyPI.
pub fn client_options(
    args: &IndexArgs,
    from_files: &IndexOptions,
) -> Result<ClientOptions, CliError> {
    let env_index = std::env::var("UV_INDEX_URL")
        .ok()
        .or_else(|| std::env::var("PIP_INDEX_URL").ok())
        .filter(|value| !value.is_empty());
    let index_url = args
        .index_url
        .clone()
        .or_else(|| from_files.index_url.clone())
        .or(env_index)
        .map(|url| parse_index_url(&url, "--index-url"))
        .transpose()?;
    let mut extra_index_urls = Vec::new();
    for url in args
        .extra_index_urls
        .iter()
        .chain(&from_files.extra_index_urls)
    {
        let url = parse_index_url(url, "--extra-index-url")?;
        if !extra_index_urls.contains(&url) {
            extra_index_urls.push(url);
        }
    }
    let mut find_links = Vec::new();
    for link in args.find_links.iter().chain(&from_files.find_links) {
        find_links.push(link.parse().map_err(|error| {
            let link = npsolve_index::mask_text(link);
            CliError::Usage(format!("invalid --find-links `{link}`: {error}"))
        })?);
    }
    let exclude_newer = args
        .exclude_newer
        .as_deref()
        .map(|text| {
            npsolve_index::parse_exclude_newer(text).map_err(|error| {
                CliError::Usage(format!("invalid --exclude-newer `{text}`: {error}"))
            })
        })
        .transpose()?;
    let refresh = if args.refresh {
        Refresh::All
    } else if args.refresh_packages.is_empty() {
        Refresh::None
    } else {
        Refresh::Packages(
            args.refresh_packages
                .iter()
                .map(|name| package_name(name, "--refresh-package"))
                .collect::<Result<_, _>>()?,
        )
    };
    Ok(ClientOptions {
        index_url,
        extra_index_urls,
        find_links,
        no_index: args.no_index || from_files.no_index,
        cache: CacheOptions {
            dir: args.cache_dir.clone(),
            no_cache: args.no_cache,
            offline: args.offline,
            refresh,
        },
        exclude_newer,
        max_concurrency: 64,
        timeout: http_timeout()?,
        retries: 3,
        allow_insecure_hosts: args.allow_insecure_hosts.clone(),
        netrc: netrc_path(),
    })
}

/// The `.netrc` whose logins are used: `NETRC` when set, else `~/.netrc` (as pip and uv).
fn netrc_path() -> Option<std::path::PathBuf> {
    match std::env::var_os("NETRC") {
        Some(path) if !path.is_empty() => Some(std::path::PathBuf::from(path)),
        _ => dirs::home_dir().map(|home| home.join(".netrc")),
    }
}

/// The environment `doctor` reads without a flag: the active virtual environment
/// (`VIRTUAL_ENV`), else the `python3` on `PATH`.
pub fn default_location() -> npsolve_environment::Location {
    match std::env::var_os("VIRTUAL_ENV") {
        Some(venv) if !venv.is_empty() => {
            npsolve_environment::Location::Venv(std::path::PathBuf::from(venv))
        }
        _ => npsolve_environment::Location::Python(std::path::PathBuf::from("python3")),
    }
}

/// `NPSOLVE_HTTP_TIMEOUT` (else uv's `UV_HTTP_TIMEOUT`): seconds of silence before a request
/// is retried; 30 by default.
fn http_timeout() -> Result<Duration, CliError> {
    for variable in ["NPSOLVE_HTTP_TIMEOUT", "UV_HTTP_TIMEOUT"] {
        if let Ok(text) = std::env::var(variable) {
            let seconds: f64 = text.trim().parse().map_err(|_| {
                CliError::Usage(format!(
                    "invalid {variable} `{text}`: expected seconds, e.g. 30"
                ))
            })?;
            if !(seconds.is_finite() && seconds > 0.0) {
                return Err(CliError::Usage(format!(
                    "invalid {variable} `{text}`: expected a positive number of seconds"
                )));
            }
            return Ok(Duration::from_secs_f64(seconds));
        }
    }
    Ok(Duration::from_secs(30))
}

/// A package selection: the files' one, updated by option values such as `--no-binary
/// :all:` or `--no-binary a,b`.
pub fn selection(
    values: &[String],
    from_files: &PackageSelection,
    what: &str,
) -> Result<PackageSelection, CliError> {
    from_files
        .clone()
        .updated(values)
        .map_err(|error| CliError::Usage(format!("invalid {what}: {error}")))
}

/// `--prerelease`, or `allow` when a file said `--pre`.
pub fn prerelease(arg: Option<PrereleaseArg>, pre_in_files: bool) -> PrereleaseMode {
    match arg {
        Some(PrereleaseArg::Disallow) => PrereleaseMode::Disallow,
        Some(PrereleaseArg::Allow) => PrereleaseMode::Allow,
        Some(PrereleaseArg::IfNecessary) => PrereleaseMode::IfNecessary,
        Some(PrereleaseArg::Explicit) => PrereleaseMode::Explicit,
        Some(PrereleaseArg::IfNecessaryOrExplicit) => PrereleaseMode::IfNecessaryOrExplicit,
        None if pre_in_files => PrereleaseMode::Allow,
        None => PrereleaseMode::IfNecessary,
    }
}

/// Parses `--upgrade-package` names.
pub fn package_names(values: &[String], what: &str) -> Result<BTreeSet<PackageName>, CliError> {
    values
        .iter()
        .map(|value| package_name(value, what))
        .collect()
}

/// `--allow-build` and its companions; `None` when no package may be built. The build
/// requirements are installed with uv when it is on `PATH` (it is quicker), else with the
/// interpreter's own pip.
pub fn build(args: &ResolveArgs) -> Result<Option<npsolve::BuildSettings>, CliError> {
    let packages = selection(&args.allow_build, &PackageSelection::None, "--allow-build")?;
    if packages == PackageSelection::None {
        return Ok(None);
    }
    let installer = match on_path("uv") {
        Some(uv) => npsolve::Installer::Uv(uv),
        None => npsolve::Installer::Pip,
    };
    Ok(Some(npsolve::BuildSettings {
        packages,
        python: args.target.python.clone(),
        installer,
        timeout: Duration::from_secs(args.build_timeout.max(1)),
    }))
}

/// The first executable file named `program` in a folder of `PATH`.
fn on_path(program: &str) -> Option<std::path::PathBuf> {
    let name = if cfg!(windows) {
        format!("{program}.exe")
    } else {
        program.to_string()
    };
    std::env::split_paths(&std::env::var_os("PATH")?)
        .map(|dir| dir.join(&name))
        .find(|path| path.is_file())
}
