//! `npsolve compile`: requirements in, pinned requirements out.

use std::collections::BTreeMap;
use std::path::Path;
use std::process::ExitCode;
use std::time::Instant;

use npsolve_output::{AnnotationStyle, HashMode, RequirementsTxt, write_atomic};
use npsolve_requirements::ReadOptions;
use npsolve_resolver::{
    Resolution, ResolutionStrategy, ResolveOptions, RootRequirement, UniversalResolution,
};
use pep508_rs::ExtraName;

use crate::args::{AnnotationStyleArg, CompileArgs, ResolutionArg, ResolveArgs};
use crate::error::CliError;
use crate::printer::Printer;
use crate::settings;

/// Runs `npsolve compile`.
pub fn run(args: &CompileArgs, printer: &Printer) -> Result<ExitCode, CliError> {
    let started = Instant::now();
    let existing = args.output_file.as_deref().filter(|path| path.exists());
    // Only `--generate-hashes` for every file needs each pinned release's whole file list.
    let release_files = args.output.generate_hashes && !args.output.hashes_for_target;
    let writer = |indexes: Vec<String>| -> Result<RequirementsTxt, CliError> {
        Ok(RequirementsTxt {
            header_command: (!args.output.no_header)
                .then(|| npsolve_output::header_command(std::env::args().skip(1))),
            annotate: !args.output.no_annotate,
            style: match args.output.annotation_style {
                AnnotationStyleArg::Split => AnnotationStyle::Split,
                AnnotationStyleArg::Line => AnnotationStyle::Line,
            },
            hashes: match (args.output.generate_hashes, args.output.hashes_for_target) {
                (false, _) => HashMode::None,
                (true, false) => HashMode::AllFiles,
                (true, true) => HashMode::TargetOnly,
            },
            omit: settings::package_names(&args.output.no_emit_packages, "--no-emit-package")?,
            index_lines: if args.output.emit_index_url {
                indexes
            } else {
                Vec::new()
            },
        })
    };
    let summary;
    let text = if args.resolve.target.universal {
        let (resolution, indexes, _) = resolve_universal_files(
            &args.src_files,
            &args.resolve,
            existing,
            release_files,
            printer,
        )?;
        warn_all(printer, &resolution.resolutions);
        summary = format!(
            "Resolved {} packages for {} targets in {}",
            resolution.pins.len(),
            resolution.targets.len(),
            elapsed(started)
        );
        writer(indexes)?.render_universal(&resolution)
    } else {
        let target = settings::target(&args.resolve.target)?;
        let (resolution, indexes) = resolve_files(
            &args.src_files,
            &args.resolve,
            &target,
            existing,
            release_files,
            printer,
        )?;
        warn_all(printer, std::slice::from_ref(&resolution));
        summary = format!(
            "Resolved {} packages in {}",
            resolution.pins.len(),
            elapsed(started)
        );
        writer(indexes)?.render(&resolution)
    };
    match &args.output_file {
        Some(path) => write_atomic(path, text.as_bytes())?,
        None => printer.stdout(&text)?,
    }
    printer.summary(&summary);
    Ok(ExitCode::SUCCESS)
}

/// Time since `started` as uv prints it: `85ms` under a second, else `1.23s`.
pub fn elapsed(started: Instant) -> String {
    let elapsed = started.elapsed();
    if elapsed.as_millis() < 1000 {
        format!("{}ms", elapsed.as_millis())
    } else {
        format!("{:.2}s", elapsed.as_secs_f64())
    }
}

/// The warnings about unchecked wheels, walked-back pins and call-time API uses, once each
/// over the resolutions (a universal one has one per target).
pub fn warn_all(printer: &Printer, resolutions: &[Resolution]) {
    let mut seen = std::collections::BTreeSet::new();
    for resolution in resolutions {
        let warnings = npsolve_output::unchecked_warning(resolution)
            .into_iter()
            .chain(npsolve_output::walked_back_warnings(resolution))
            .chain(npsolve_output::api_warnings(resolution));
        for warning in warnings {
            if seen.insert(warning.clone()) {
                printer.warn(&warning);
            }
        }
    }
}

/// The inputs read and the resolver options built from them; shared by `compile` and `lock`,
/// for one target and for `--universal`.
pub struct Prepared {
    /// Where packages come from.
    pub client: npsolve_index::ClientOptions,
    /// The index options used, as requirements-file lines with secrets masked.
    pub indexes: Vec<String>,
    /// The resolver policies (markers and Python of `target`).
    pub options: ResolveOptions,
    /// The first-party requirements.
    pub requirements: Vec<RootRequirement>,
    /// The builds allowed.
    pub build: Option<npsolve::BuildSettings>,
    /// `requires-python` of the input (pyproject.toml, environment.yml).
    pub requires_python: Option<pep440_rs::VersionSpecifiers>,
    /// The exact pins of the existing output file, with their markers (stable re-resolution).
    pub existing: Vec<pep508_rs::Requirement>,
}

/// Reads the inputs and builds the options. `release_files` asks for every file of each
/// pinned release (hashes of all files, lockfiles).
pub fn prepare(
    src_files: &[std::path::PathBuf],
    args: &ResolveArgs,
    target: &npsolve_platform::Target,
    existing_output: Option<&Path>,
    release_files: bool,
    printer: &Printer,
) -> Result<Prepared, CliError> {
    let read_options = ReadOptions {
        extras: args
            .extras
            .iter()
            .map(|extra| {
                ExtraName::new(extra.clone())
                    .map_err(|error| CliError::Usage(format!("invalid --extra `{extra}`: {error}")))
            })
            .collect::<Result<_, _>>()?,
        all_extras: args.all_extras,
        groups: args.groups.clone(),
        ..ReadOptions::default()
    };
    let input = npsolve::read_inputs(src_files, &args.constraints, &read_options)?;
    let client_options = settings::client_options(&args.index, &input.index)?;
    let indexes = settings::index_lines(&client_options);
    let existing = match existing_output {
        Some(path) if !args.upgrade => {
            let upgrade = settings::package_names(&args.upgrade_packages, "--upgrade-package")?;
            npsolve::existing_pin_lines(path, &upgrade).unwrap_or_else(|error| {
                printer.warn(&format!(
                    "ignoring the pins of `{}`: {error}",
                    path.display()
                ));
                Vec::new()
            })
        }
        _ => Vec::new(),
    };
    let preferences = if args.target.universal {
        BTreeMap::new()
    } else {
        npsolve::preferences_from(&existing, None)
    };
    let options = ResolveOptions {
        prerelease: settings::prerelease(args.prerelease, input.pre),
        allow_source: settings::selection(
            &args.allow_source,
            &Default::default(),
            "--allow-source",
        )?,
        only_binary: settings::selection(
            &args.only_binary,
            &input.binary.only_binary,
            "--only-binary",
        )?,
        no_binary: settings::selection(&args.no_binary, &input.binary.no_binary, "--no-binary")?,
        preferences,
        constraints: input
            .constraints
            .iter()
            .map(|sourced| sourced.requirement.clone())
            .collect(),
        overrides: npsolve::read_overrides(&args.overrides)?,
        release_files,
        resolution: match args.resolution {
            ResolutionArg::Highest => ResolutionStrategy::Highest,
            ResolutionArg::Lowest => ResolutionStrategy::Lowest,
            ResolutionArg::LowestDirect => ResolutionStrategy::LowestDirect,
        },
        no_deps: args.no_deps,
        direct: Default::default(),
        ..npsolve::default_resolve_options(target)
    };
    let requirements: Vec<RootRequirement> = npsolve::root_requirements(&input);
    Ok(Prepared {
        client: client_options,
        indexes,
        options,
        requirements,
        build: settings::build(args)?,
        requires_python: input.requires_python.clone(),
        existing,
    })
}

/// Reads the inputs and resolves them for `target`; shared by `compile` and `lock`. Also
/// returns the index options used, as requirements-file lines with secrets masked
/// (`--emit-index-url`).
pub fn resolve_files(
    src_files: &[std::path::PathBuf],
    args: &ResolveArgs,
    target: &npsolve_platform::Target,
    existing_output: Option<&Path>,
    release_files: bool,
    printer: &Printer,
) -> Result<(Resolution, Vec<String>), CliError> {
    let prepared = prepare(
        src_files,
        args,
        target,
        existing_output,
        release_files,
        printer,
    )?;
    let engine = npsolve::Engine::new()?;
    let report = engine.resolve(npsolve::ResolveRequest {
        client: prepared.client,
        target,
        requirements: &prepared.requirements,
        options: &prepared.options,
        abi: (!args.no_abi).then(|| args.abi_scan.into()),
        api: args.api_scan.into(),
        build: prepared.build.as_ref(),
    })?;
    if let Some(line) = report.scans.as_ref().and_then(npsolve_output::scan_summary) {
        printer.status(&line);
    }
    Ok((report.resolution?, prepared.indexes))
}

/// The targets `--universal` covers: every CPython minor the input's `requires-python`
/// allows (`--python-version` as its lower bound, else the `python3` on PATH's when the input
/// states none) on each `--python-platform`, or the default platforms.
pub fn universal_targets(
    args: &ResolveArgs,
    requires_python: Option<&pep440_rs::VersionSpecifiers>,
) -> Result<(Vec<npsolve_platform::Target>, String), CliError> {
    use npsolve_platform::universal;
    let mut bounds: Vec<String> = requires_python
        .map(|specifiers| specifiers.to_string())
        .into_iter()
        .filter(|text| !text.is_empty())
        .collect();
    let lower = match &args.target.python_version {
        Some(version) => Some(version.clone()),
        None if bounds.is_empty() => Some(
            npsolve_platform::Target::from_interpreter(Path::new("python3"))
                .map(|target| target.python().short_version_string())
                .unwrap_or_else(|_| "3.12".to_string()),
        ),
        None => None,
    };
    if let Some(lower) = lower {
        let version: npsolve_platform::PythonVersion = lower
            .parse()
            .map_err(|error| CliError::Usage(format!("invalid --python-version: {error}")))?;
        bounds.push(format!(">={}", version.as_version()));
    }
    let text = bounds.join(", ");
    let specifiers: pep440_rs::VersionSpecifiers = text
        .parse()
        .map_err(|error| CliError::Usage(format!("invalid requires-python `{text}`: {error}")))?;
    let pythons = universal::python_versions(Some(&specifiers));
    if pythons.is_empty() {
        return Err(CliError::Usage(format!(
            "requires-python `{text}` allows no CPython release from {}.{} to {}.{}",
            universal::OLDEST_PYTHON.0,
            universal::OLDEST_PYTHON.1,
            universal::NEWEST_PYTHON.0,
            universal::NEWEST_PYTHON.1
        )));
    }
    let platforms = if args.target.python_platform.is_empty() {
        universal::default_platforms()
    } else {
        let mut platforms = Vec::new();
        for name in &args.target.python_platform {
            let platform: npsolve_platform::Platform = name
                .parse()
                .map_err(|error| CliError::Usage(format!("invalid --python-platform: {error}")))?;
            if !platforms.contains(&platform) {
                platforms.push(platform);
            }
        }
        platforms
    };
    Ok((universal::targets(&pythons, &platforms), text))
}

/// Reads the inputs and resolves them for every target `--universal` covers; shared by
/// `compile` and `lock`. Also returns the index lines and the `requires-python` covered.
pub fn resolve_universal_files(
    src_files: &[std::path::PathBuf],
    args: &ResolveArgs,
    existing_output: Option<&Path>,
    release_files: bool,
    printer: &Printer,
) -> Result<(UniversalResolution, Vec<String>, String), CliError> {
    // The inputs are read once (for their requires-python) with the default target's options.
    let probe = npsolve_platform::Target::new(
        npsolve_platform::PythonVersion::new(3, 12, None),
        npsolve_platform::universal::default_platforms()[0],
    );
    let prepared = prepare(
        src_files,
        args,
        &probe,
        existing_output,
        release_files,
        printer,
    )?;
    let (targets, requires_python) = universal_targets(args, prepared.requires_python.as_ref())?;
    let engine = npsolve::Engine::new()?;
    let report = engine.resolve_universal(npsolve::UniversalRequest {
        client: prepared.client,
        targets: &targets,
        requirements: &prepared.requirements,
        options: &prepared.options,
        existing: &prepared.existing,
        abi: (!args.no_abi).then(|| args.abi_scan.into()),
        api: args.api_scan.into(),
        build: prepared.build.as_ref(),
    })?;
    if let Some(line) = report.scans.as_ref().and_then(npsolve_output::scan_summary) {
        printer.status(&line);
    }
    for (target, why) in &report.left_out {
        printer.warn(&format!("the lock does not cover {target}: {why}"));
    }
    Ok((report.resolution?, prepared.indexes, requires_python))
}
