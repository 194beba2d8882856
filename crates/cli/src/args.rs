//! Command-line arguments, named as in `uv pip compile` and `pip-compile`.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

const EXIT_CODES: &str = "\
Exit codes:
  0  success
  1  resolution impossible, or `check` found problems
  2  usage error, unreadable input, or index failure";

const MAIN_EXAMPLES: &str = "\
Examples:
  npsolve requirements.txt                     resolve and print pinned requirements
  npsolve compile requirements.in -o requirements.txt
  npsolve compile pyproject.toml --extra plot --python-version 3.11
  npsolve check requirements.txt               exit 1 if the pins break at import
  npsolve scan pandas==1.5.3                   which NumPy a wheel was built against
  npsolve abi pandas==1.5.3                    the curated facts npsolve holds";

/// npsolve: a Python dependency resolver that never pairs a wheel with a NumPy it
/// cannot import under.
#[derive(Debug, Parser)]
#[command(
    name = "npsolve",
    version,
    about = "A Python dependency resolver that never hands you a NumPy ABI mismatch",
    long_about = "npsolve resolves Python requirements into pinned versions like `uv pip compile`, \
                  and adds the NumPy binary (ABI) constraint of every wheel its curated facts cover \
                  (and warns about compiled numpy-dependent wheels they do not), so \
                  `import pandas` never dies with `numpy.dtype size changed` or `_ARRAY_API not found`.\n\n\
                  `npsolve FILE` is short for `npsolve compile FILE`.",
    after_help = MAIN_EXAMPLES,
    after_long_help = format!("{MAIN_EXAMPLES}\n\n{EXIT_CODES}"),
    propagate_version = true
)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
    /// Options shared by every command.
    #[command(flatten)]
    pub global: GlobalArgs,
}

/// Options shared by every command.
#[derive(Debug, Args)]
#[command(next_help_heading = "Global options")]
pub struct GlobalArgs {
    /// Print less: only errors.
    #[arg(short, long, global = true, conflicts_with = "verbose")]
    pub quiet: bool,
    /// Print more: what is fetched and decided (repeat for more).
    #[arg(short, long, global = true, action = clap::ArgAction::Count)]
    pub verbose: u8,
    /// When to use colour (`NO_COLOR` turns it off unless `always`).
    #[arg(long, global = true, value_enum, default_value_t = ColorChoice::Auto)]
    pub color: ColorChoice,
}

/// When to colour output.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ColorChoice {
    /// Colour when the output is a terminal and `NO_COLOR` is unset.
    Auto,
    /// Always colour.
    Always,
    /// Never colour.
    Never,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Resolve requirements into pinned versions (requirements.txt output).
    #[command(after_help = COMPILE_EXAMPLES)]
    Compile(CompileArgs),
    /// Resolve and write a PEP 751 pylock.toml.
    Lock(LockArgs),
    /// Check a pinned requirements.txt without changing it; exit 1 if it is broken.
    #[command(
        after_help = "Examples:\n  npsolve check requirements.txt --python-version 3.11 --python-platform x86_64-manylinux_2_28\n  npsolve check requirements.txt --format github --offline"
    )]
    Check(CheckArgs),
    /// Read which NumPy a wheel was built against, from its binaries.
    #[command(
        after_help = "Examples:\n  npsolve scan pandas-1.5.3-cp311-cp311-manylinux_2_17_x86_64.manylinux2014_x86_64.whl\n  npsolve scan ./dist/*.whl --json"
    )]
    Scan(ScanArgs),
    /// Print the curated NumPy ABI facts npsolve holds for a package.
    Abi(AbiArgs),
    /// Print the public Python names NumPy or SciPy removed, with their release notes.
    #[command(
        name = "api-breaks",
        after_help = "Examples:\n  npsolve api-breaks numpy\n  npsolve api-breaks numpy==2.1.3\n  npsolve api-breaks scipy==1.14.1"
    )]
    ApiBreaks(AbiArgs),
    /// Audit an installed environment: binaries that cannot run with its numpy, unmet
    /// dependencies, and the pins that fix them (exit 0 healthy, 1 problems).
    #[command(
        after_help = "Examples:\n  npsolve doctor                     # the active venv, else python3 on PATH\n  npsolve doctor --venv .venv\n  npsolve doctor --python /usr/bin/python3.11 --json\n  npsolve doctor --site-packages build/site-packages --python-version 3.11"
    )]
    Doctor(DoctorArgs),
    /// Decode a traceback: which package broke and how to fix it (exit 1: nothing recognised).
    #[command(
        after_help = "Examples:\n  python -c 'import pandas' 2>&1 | npsolve explain\n  npsolve explain crash.log --json"
    )]
    Explain(ExplainArgs),
    /// Index tools (snapshots for offline and reproducible use).
    #[command(subcommand)]
    Index(IndexCommand),
    /// Print a shell completion script.
    #[command(
        after_help = "Examples:\n  npsolve completions bash > ~/.local/share/bash-completion/completions/npsolve\n  npsolve completions zsh > \"${fpath[1]}/_npsolve\"\n  npsolve completions fish > ~/.config/fish/completions/npsolve.fish"
    )]
    Completions(CompletionsArgs),
}

/// Arguments of `npsolve completions`.
#[derive(Debug, Args)]
pub struct CompletionsArgs {
    /// The shell to complete in.
    #[arg(value_enum)]
    pub shell: clap_complete::Shell,
}

const COMPILE_EXAMPLES: &str = "\
Examples:
  npsolve compile requirements.in
  npsolve compile requirements.in -o requirements.txt --generate-hashes
  npsolve compile pyproject.toml --extra plot --group dev
  npsolve compile environment.yml --python-version 3.10 --python-platform aarch64-manylinux_2_28
  npsolve compile requirements.in --index-url file:///srv/mirror/simple --offline";

/// `npsolve compile`.
#[derive(Debug, Args)]
pub struct CompileArgs {
    /// Input files: requirements.txt / .in, pyproject.toml, environment.yml, or `-` for stdin.
    #[arg(required = true, value_name = "SRC_FILE")]
    pub src_files: Vec<PathBuf>,
    /// Write the pinned requirements here (atomically) instead of stdout; its pins are preferred.
    #[arg(short, long, value_name = "FILE")]
    pub output_file: Option<PathBuf>,
    /// Requirements, resolution and target options.
    #[command(flatten)]
    pub resolve: ResolveArgs,
    /// Output options.
    #[command(flatten)]
    pub output: OutputArgs,
}

/// Options that shape the resolution.
#[derive(Debug, Args, Clone, Default)]
#[command(next_help_heading = "Resolution options")]
pub struct ResolveArgs {
    /// Constrain versions using the given requirements files.
    #[arg(short, long = "constraint", value_name = "FILE")]
    pub constraints: Vec<PathBuf>,
    /// Override versions with the given requirements files: a package named there takes
    /// that range whatever any requirement on it says.
    #[arg(long = "override", value_name = "FILE")]
    pub overrides: Vec<PathBuf>,
    /// Include optional dependencies from this extra (pyproject.toml).
    #[arg(long = "extra", value_name = "EXTRA")]
    pub extras: Vec<String>,
    /// Include all extras (pyproject.toml).
    #[arg(long)]
    pub all_extras: bool,
    /// Include dependencies from this PEP 735 group of the pyproject.toml input, or of
    /// another pyproject.toml: `--group path/pyproject.toml:GROUP`.
    #[arg(long = "group", value_name = "GROUP")]
    pub groups: Vec<String>,
    /// When pre-releases may be chosen.
    #[arg(long, value_enum, value_name = "MODE")]
    pub prerelease: Option<PrereleaseArg>,
    /// Which version of each package to try first.
    #[arg(long, value_enum, value_name = "STRATEGY", default_value_t = ResolutionArg::Highest)]
    pub resolution: ResolutionArg,
    /// Pin only the requirements given, not their dependencies.
    #[arg(long)]
    pub no_deps: bool,
    /// Allow packages to be upgraded past the pins of the existing output file.
    #[arg(short = 'U', long)]
    pub upgrade: bool,
    /// Allow this package to be upgraded past its existing pin.
    #[arg(short = 'P', long = "upgrade-package", value_name = "PACKAGE")]
    pub upgrade_packages: Vec<String>,
    /// Never use wheels for these packages (`:all:` for every package).
    #[arg(long, value_name = "PACKAGE")]
    pub no_binary: Vec<String>,
    /// Only use wheels for these packages (`:all:` for every package).
    #[arg(long, value_name = "PACKAGE")]
    pub only_binary: Vec<String>,
    /// Allow a source-only version of these numpy-dependent packages (`:all:` for all).
    #[arg(long, value_name = "PACKAGE")]
    pub allow_source: Vec<String>,
    /// Build the sdists of these packages for their metadata when none of their files states
    /// it (`:all:` for every package): runs the package's build backend (PEP 517
    /// `prepare_metadata_for_build_wheel`) in a fresh virtual environment made with
    /// `--python` or the `python3` on PATH. Without it, npsolve never runs package code.
    #[arg(long, value_name = "PACKAGE")]
    pub allow_build: Vec<String>,
    /// Stop any step of a build (`--allow-build`) that runs longer than this many seconds.
    #[arg(long, value_name = "SECONDS", default_value_t = 300)]
    pub build_timeout: u64,
    /// Ignore NumPy ABI constraints (resolve from metadata alone, like pip and uv).
    #[arg(long)]
    pub no_abi: bool,
    /// Read the binaries of numpy-dependent wheels that no curated fact or bundled verdict
    /// covers (a few range requests each, cached by sha256); `off` leaves them unchecked.
    #[arg(long, value_enum, default_value_t = AbiScanArg::Auto, value_name = "WHEN")]
    pub abi_scan: AbiScanArg,
    /// Read the Python sources of wheels that require numpy, scipy or pandas for names
    /// those libraries removed (cached by sha256): a use at import bounds the library
    /// (`scipy<1.13`), a use inside a function is a warning; `strict` bounds both, `off`
    /// reads nothing.
    #[arg(long, value_enum, default_value_t = ApiScanArg::Auto, value_name = "WHEN")]
    pub api_scan: ApiScanArg,
    /// Target options.
    #[command(flatten)]
    pub target: TargetArgs,
    /// Index options.
    #[command(flatten)]
    pub index: IndexArgs,
}

/// Which version of each package to try first (`--resolution`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum, Default)]
pub enum ResolutionArg {
    /// The newest that fits (default).
    #[default]
    Highest,
    /// The oldest that fits, for every package.
    Lowest,
    /// The oldest for the requirements given, the newest for their dependencies.
    LowestDirect,
}

/// When pre-releases may be chosen.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum PrereleaseArg {
    /// Never.
    Disallow,
    /// Always.
    Allow,
    /// Stable first; a pre-release only when no stable release fits (default).
    IfNecessary,
    /// As if-necessary where a first-party requirement names a pre-release; never elsewhere.
    Explicit,
    /// The same as if-necessary (uv's deprecated alias).
    IfNecessaryOrExplicit,
}

/// The environment to resolve for.
#[derive(Debug, Args, Clone, Default)]
#[command(next_help_heading = "Target options")]
pub struct TargetArgs {
    /// Python version to resolve for, e.g. `3.11` (default: the `python3` on PATH, else 3.12).
    #[arg(long, value_name = "VERSION")]
    pub python_version: Option<String>,
    /// Platform to resolve for, e.g. `x86_64-manylinux_2_28`, `aarch64-apple-darwin`,
    /// `x86_64-pc-windows-msvc` (default: this machine); with `--universal`, repeat it to
    /// name the platforms the lock covers.
    #[arg(long, value_name = "PLATFORM")]
    pub python_platform: Vec<String>,
    /// Read the target from this Python interpreter.
    #[arg(long, value_name = "PYTHON", conflicts_with_all = ["python_version", "python_platform", "universal"])]
    pub python: Option<PathBuf>,
    /// Resolve for every Python release `requires-python` allows (from pyproject.toml, or
    /// `--python-version` as the lower bound) on every platform (manylinux and musllinux on
    /// x86_64 and aarch64, macOS x86_64 and arm64, Windows x86_64, or the `--python-platform`s
    /// given), and write one file whose markers select each target's packages.
    #[arg(long)]
    pub universal: bool,
}

/// Where packages come from, and the cache.
#[derive(Debug, Args, Clone, Default)]
#[command(next_help_heading = "Index options")]
pub struct IndexArgs {
    /// The package index (PEP 503/691), default PyPI; also `PIP_INDEX_URL` / `UV_INDEX_URL`.
    #[arg(short, long, value_name = "URL")]
    pub index_url: Option<String>,
    /// More indexes; a package is taken from the first index that has it, never mixed.
    #[arg(long = "extra-index-url", value_name = "URL")]
    pub extra_index_urls: Vec<String>,
    /// Folders or pages of links to look for distributions in.
    #[arg(short = 'f', long = "find-links", value_name = "PATH_OR_URL")]
    pub find_links: Vec<String>,
    /// Ignore the package index, use only --find-links.
    #[arg(long)]
    pub no_index: bool,
    /// Ignore files uploaded after this date (RFC 3339 or YYYY-MM-DD): reproducible answers.
    #[arg(long, value_name = "DATE")]
    pub exclude_newer: Option<String>,
    /// Cache directory (also `NPSOLVE_CACHE_DIR`).
    #[arg(long, value_name = "DIR", env = "NPSOLVE_CACHE_DIR")]
    pub cache_dir: Option<PathBuf>,
    /// Do not read or write the cache.
    #[arg(long)]
    pub no_cache: bool,
    /// Use only the cache; fail naming what is missing.
    #[arg(long)]
    pub offline: bool,
    /// Revalidate every cached index page.
    #[arg(long)]
    pub refresh: bool,
    /// Revalidate this package's cached page.
    #[arg(long = "refresh-package", value_name = "PACKAGE")]
    pub refresh_packages: Vec<String>,
    /// Allow plain HTTP to this host (a private mirror without TLS); loopback always may.
    /// TLS certificates are always verified.
    #[arg(long = "allow-insecure-host", value_name = "HOST")]
    pub allow_insecure_hosts: Vec<String>,
}

/// How the output looks.
#[derive(Debug, Args, Clone, Default)]
#[command(next_help_heading = "Output options")]
pub struct OutputArgs {
    /// Include `--hash` lines for every file of each pinned version.
    #[arg(long)]
    pub generate_hashes: bool,
    /// With --generate-hashes: only the hash of the file the target installs.
    #[arg(long, requires = "generate_hashes")]
    pub hashes_for_target: bool,
    /// Do not write the header comment.
    #[arg(long)]
    pub no_header: bool,
    /// Do not write `# via` annotations.
    #[arg(long)]
    pub no_annotate: bool,
    /// Annotation layout.
    #[arg(long, value_enum, default_value_t = AnnotationStyleArg::Split)]
    pub annotation_style: AnnotationStyleArg,
    /// Leave this package out of the output (its dependencies stay); pip-compile calls
    /// such packages unsafe.
    #[arg(
        long = "no-emit-package",
        alias = "unsafe-package",
        value_name = "PACKAGE"
    )]
    pub no_emit_packages: Vec<String>,
    /// Write the index URLs used (`--index-url`, `--extra-index-url`) after the header.
    #[arg(long)]
    pub emit_index_url: bool,
    /// Accepted for pip-compile: pip, setuptools and wheel are always pinned when needed.
    #[arg(long)]
    pub allow_unsafe: bool,
    /// Accepted for pip-compile and uv: pins never carry extras (`pkg[extra]==1` is
    /// written `pkg==1`).
    #[arg(long)]
    pub strip_extras: bool,
}

/// Annotation layout.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum, Default)]
pub enum AnnotationStyleArg {
    /// One source per line (uv's default).
    #[default]
    Split,
    /// All sources on the pin's line.
    Line,
}

/// `npsolve lock`.
#[derive(Debug, Args)]
pub struct LockArgs {
    /// A requirements file or pyproject.toml.
    pub src_file: PathBuf,
    /// Where to write the lockfile.
    #[arg(short, long, default_value = "pylock.toml")]
    pub output_file: PathBuf,
    /// Resolution options.
    #[command(flatten)]
    pub resolve: ResolveArgs,
}

/// `npsolve check`.
#[derive(Debug, Args)]
pub struct CheckArgs {
    /// Pinned requirements.txt files (hash-pinned ones too) or PEP 751 pylock.toml files.
    #[arg(required = true, value_name = "FILE")]
    pub files: Vec<PathBuf>,
    /// How to report problems.
    #[arg(long, value_enum, default_value_t = CheckFormatArg::Text)]
    pub format: CheckFormatArg,
    /// Python version to check for; repeat to check several (default: the `python3` on PATH, else 3.12).
    #[arg(
        long = "python-version",
        value_name = "VERSION",
        help_heading = "Target options"
    )]
    pub python_versions: Vec<String>,
    /// Platform to check for; repeat to check several (default: this machine).
    #[arg(
        long = "python-platform",
        value_name = "PLATFORM",
        help_heading = "Target options"
    )]
    pub python_platforms: Vec<String>,
    /// Check a universal lock on every target it covers: those its `[tool.npsolve] targets`
    /// name (a pylock.toml from `npsolve lock --universal`), else every CPython release from
    /// `--python-version` (default 3.10) to the newest on each `--python-platform` (default:
    /// the platforms `--universal` locks for).
    #[arg(long)]
    pub universal: bool,
    /// Read the binaries of numpy-dependent wheels that no curated fact or bundled verdict
    /// covers; `off` reports them as unchecked.
    #[arg(long, value_enum, default_value_t = AbiScanArg::Auto, value_name = "WHEN")]
    pub abi_scan: AbiScanArg,
    /// Read the Python sources of pinned wheels that require numpy, scipy or pandas for
    /// names the pinned library lacks: a use at import is an error, one inside a function a
    /// warning (`strict`: an error too); `off` reads nothing.
    #[arg(long, value_enum, default_value_t = ApiScanArg::Auto, value_name = "WHEN")]
    pub api_scan: ApiScanArg,
    /// Index options (`--offline` checks from the cache alone).
    #[command(flatten)]
    pub index: IndexArgs,
}

/// When wheels' binaries are read during resolution (`--abi-scan`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, ValueEnum)]
pub enum AbiScanArg {
    /// Scan wheels that require numpy and have no curated fact or bundled verdict, and
    /// wheels whose curated NumPy-2 fact has no floor.
    #[default]
    Auto,
    /// Never scan: such wheels are flagged `ABI: unchecked`.
    Off,
    /// Scan every compiled wheel nothing curated settles, numpy-dependent or not (a
    /// NumPy-2-only build may declare no numpy), ignoring the bundled verdict table (to
    /// verify the table, or to measure scanning).
    Always,
}

impl From<AbiScanArg> for npsolve::AbiScan {
    fn from(setting: AbiScanArg) -> Self {
        match setting {
            AbiScanArg::Auto => npsolve::AbiScan::Auto,
            AbiScanArg::Off => npsolve::AbiScan::Off,
            AbiScanArg::Always => npsolve::AbiScan::Always,
        }
    }
}

/// When wheels' Python sources are read during resolution (`--api-scan`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, ValueEnum)]
pub enum ApiScanArg {
    /// Uses at import bound the library; uses inside functions are warnings.
    #[default]
    Auto,
    /// Uses inside functions bound the library too.
    Strict,
    /// Never read sources.
    Off,
}

impl From<ApiScanArg> for npsolve::ApiScan {
    fn from(setting: ApiScanArg) -> Self {
        match setting {
            ApiScanArg::Auto => npsolve::ApiScan::Auto,
            ApiScanArg::Strict => npsolve::ApiScan::Strict,
            ApiScanArg::Off => npsolve::ApiScan::Off,
        }
    }
}

/// Report formats of `npsolve check`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum CheckFormatArg {
    /// `file:line: kind: message`, then the fix.
    Text,
    /// One JSON object with a `problems` array.
    Json,
    /// GitHub Actions annotations pointing at the lines.
    Github,
}

/// `npsolve scan`.
#[derive(Debug, Args)]
#[command(
    after_help = "Examples:\n  npsolve scan pandas==1.5.3 --python-version 3.11 --python-platform x86_64-manylinux_2_28\n  npsolve scan scipy==1.13.1 --all-wheels --json\n  npsolve scan gensim==4.3.2 --api\n  npsolve scan ./dist/demo-1.0-cp311-cp311-manylinux_2_17_x86_64.whl\n  npsolve scan https://files.pythonhosted.org/packages/.../contourpy-1.2.0-cp311-cp311-manylinux_2_17_x86_64.manylinux2014_x86_64.whl"
)]
pub struct ScanArgs {
    /// `PKG==VERSION` (the wheel the target would install), a local `.whl` file, or a wheel URL.
    #[arg(required = true, value_name = "PKG==VERSION|FILE.whl|URL")]
    pub targets: Vec<String>,
    /// Print one JSON object per wheel (one line each).
    #[arg(long)]
    pub json: bool,
    /// With `PKG==VERSION`: scan every wheel of the release, not only the target's.
    #[arg(long)]
    pub all_wheels: bool,
    /// Compressed bytes a scan may fetch per wheel; past it the verdict is `unknown`.
    #[arg(long, value_name = "BYTES", default_value_t = 32 * 1024 * 1024)]
    pub byte_budget: u64,
    /// Also read the wheel's Python sources: every use of a name NumPy, SciPy or pandas
    /// removed, import-time or call-time, guarded or not (what `--api-scan` acts on).
    #[arg(long)]
    pub api: bool,
    /// Target options (which wheel `PKG==VERSION` means).
    #[command(flatten)]
    pub target: TargetArgs,
    /// Index options.
    #[command(flatten)]
    pub index: IndexArgs,
}

/// `npsolve abi`.
#[derive(Debug, Args)]
pub struct AbiArgs {
    /// `PKG` or `PKG==VERSION`.
    pub package: String,
}

/// `npsolve doctor`.
#[derive(Debug, Args)]
pub struct DoctorArgs {
    /// The virtual environment to audit (default: the active one, `VIRTUAL_ENV`, else the
    /// `python3` on PATH; `--python PATH` audits that interpreter's environment).
    #[arg(long, value_name = "DIR", conflicts_with = "site_packages")]
    pub venv: Option<PathBuf>,
    /// A site-packages folder to audit as is (the target then comes from the target options).
    #[arg(long, value_name = "DIR")]
    pub site_packages: Option<PathBuf>,
    /// Print one JSON object instead of text.
    #[arg(long)]
    pub json: bool,
    /// Target options (read from the environment's interpreter when there is one).
    #[command(flatten)]
    pub target: TargetArgs,
    /// Index options, for computing the fix.
    #[command(flatten)]
    pub index: IndexArgs,
}

/// `npsolve explain`.
#[derive(Debug, Args)]
pub struct ExplainArgs {
    /// A file holding a traceback or log; stdin when absent or `-`.
    pub file: Option<PathBuf>,
    /// Print one JSON object instead of text.
    #[arg(long)]
    pub json: bool,
    /// The virtual environment that crashed: map the module to its distribution through
    /// RECORD files and hand over to `npsolve doctor` for the fix.
    #[arg(long, value_name = "DIR", conflicts_with_all = ["site_packages", "python"])]
    pub venv: Option<PathBuf>,
    /// The site-packages folder that crashed (as `--venv`).
    #[arg(long, value_name = "DIR", conflicts_with = "python")]
    pub site_packages: Option<PathBuf>,
    /// The interpreter that crashed (as `--venv`).
    #[arg(long, value_name = "PYTHON")]
    pub python: Option<PathBuf>,
    /// Index options, for the doctor's fix.
    #[command(flatten)]
    pub index: IndexArgs,
}

/// `npsolve index ...`.
#[derive(Debug, Subcommand)]
pub enum IndexCommand {
    /// Write a static PEP 691 mirror of some packages (for tests and air-gapped CI).
    #[command(
        after_help = "Example:\n  npsolve index snapshot 'numpy>=1.26,<2.2' pandas==2.2.2 --out mirror --python-version 3.11 --python-platform x86_64-manylinux_2_28\n  npsolve compile requirements.txt --index-url file://$PWD/mirror/simple --offline"
    )]
    Snapshot(SnapshotArgs),
}

/// `npsolve index snapshot`.
#[derive(Debug, Args)]
pub struct SnapshotArgs {
    /// Packages with optional version specifiers, e.g. `numpy>=1.26,<2.2`.
    #[arg(required = true, value_name = "REQUIREMENT")]
    pub packages: Vec<String>,
    /// The output folder.
    #[arg(long, value_name = "DIR")]
    pub out: PathBuf,
    /// Also copy the distribution files, not only their metadata.
    #[arg(long)]
    pub include_files: bool,
    /// Target options (files not installable on the target are dropped; sdists kept).
    #[command(flatten)]
    pub target: TargetArgs,
    /// Index options.
    #[command(flatten)]
    pub index: IndexArgs,
}

/// Rewrites `npsolve FILE ...` into `npsolve compile FILE ...`.
///
/// Only global options may come before the file in the shorthand form
/// (`npsolve -q --color never requirements.txt`).
pub fn with_implicit_compile(args: Vec<std::ffi::OsString>) -> Vec<std::ffi::OsString> {
    const SUBCOMMANDS: &[&str] = &[
        "compile",
        "lock",
        "check",
        "scan",
        "abi",
        "api-breaks",
        "doctor",
        "explain",
        "index",
        "completions",
        "help",
    ];
    let mut index = 1;
    while let Some(arg) = args.get(index) {
        let text = arg.to_string_lossy();
        match text.as_ref() {
            "--color" => index += 2,
            flag if flag.starts_with("--color=") || flag == "--quiet" || flag == "--verbose" => {
                index += 1
            }
            flag if flag.len() > 1
                && flag.starts_with('-')
                && !flag.starts_with("--")
                && flag[1..].chars().all(|c| c == 'q' || c == 'v') =>
            {
                index += 1
            }
            _ => break,
        }
    }
    let Some(first) = args.get(index) else {
        return args;
    };
    let text = first.to_string_lossy();
    if SUBCOMMANDS.contains(&text.as_ref()) || (text.starts_with('-') && text != "-") {
        return args;
    }
    let mut rewritten = args;
    rewritten.insert(index, "compile".into());
    rewritten
}

#[cfg(test)]
mod tests {
    use super::with_implicit_compile;

    fn rewrite(line: &str) -> String {
        let args = line.split(' ').map(std::ffi::OsString::from).collect();
        with_implicit_compile(args)
            .iter()
            .map(|arg| arg.to_string_lossy().into_owned())
            .collect::<Vec<_>>()
            .join(" ")
    }

    #[test]
    fn shorthand_inserts_compile_after_global_options() {
        assert_eq!(
            rewrite("npsolve req.txt -o out.txt"),
            "npsolve compile req.txt -o out.txt"
        );
        assert_eq!(
            rewrite("npsolve -q --color never req.txt"),
            "npsolve -q --color never compile req.txt"
        );
        assert_eq!(
            rewrite("npsolve -vv --color=always -"),
            "npsolve -vv --color=always compile -"
        );
        assert_eq!(rewrite("npsolve check req.txt"), "npsolve check req.txt");
        assert_eq!(rewrite("npsolve --help"), "npsolve --help");
        assert_eq!(
            rewrite("npsolve --python-version 3.11 req.txt"),
            "npsolve --python-version 3.11 req.txt"
        );
    }
}
