//! `npsolve compile`: requirements in, pinned requirements out.

use std::collections::BTreeMap;
use std::path::Path;
use std::process::ExitCode;
use std::time::Instant;

use npsolve_output::{AnnotationStyle, HashMode, RequirementsTxt, write_atomic};
use npsolve_requirements::ReadOptions;
use npsolve_resolver::{Resolution, ResolutionStrategy, ResolveOptions, RootRequirement};
use pep508_rs::ExtraName;

use crate::args::{AnnotationStyleArg, CompileArgs, ResolutionArg, ResolveArgs};
use crate::error::CliError;
use crate::printer::Printer;
use crate::settings;

/// Runs `npsolve compile`.
pub fn run(args: &CompileArgs, printer: &Printer) -> Result<ExitCode, CliError> {
    let started = Instant::now();
    let existing = args.output_file.as_deref().filter(|path| path.exists());
    let target = settings::target(&args.resolve.target)?;
    // Only `--generate-hashes` for every file needs each pinned release's whole file list.
    let release_files = args.output.generate_hashes && !args.output.hashes_for_target;
    let (resolution, indexes) = resolve_files(
        &args.src_files,
        &args.resolve,
        &target,
        existing,
        release_files,
        printer,
    )?;
    printer.status(&format!(
        "Resolved {} packages in {:.2}s",
        resolution.pins.len(),
        started.elapsed().as_secs_f64()
    ));
    let writer = RequirementsTxt {
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
    };
    if let Some(warning) = npsolve_output::unchecked_warning(&resolution) {
        printer.warn(&warning);
    }
    for warning in npsolve_output::walked_back_warnings(&resolution) {
        printer.warn(&warning);
    }
    for warning in npsolve_output::api_warnings(&resolution) {
        printer.warn(&warning);
    }
    let text = writer.render(&resolution);
    match &args.output_file {
        Some(path) => write_atomic(path, text.as_bytes())?,
        None => printer.stdout(&text)?,
    }
    Ok(ExitCode::SUCCESS)
}

/// Reads the inputs and resolves them; shared by `compile` and `lock`. `release_files` asks for
/// every file of each pinned release (hashes of all files, lockfiles). Also returns the index
/// options used, as requirements-file lines with secrets masked (`--emit-index-url`).
pub fn resolve_files(
    src_files: &[std::path::PathBuf],
    args: &ResolveArgs,
    target: &npsolve_platform::Target,
    existing_output: Option<&Path>,
    release_files: bool,
    printer: &Printer,
) -> Result<(Resolution, Vec<String>), CliError> {
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
    let preferences = match existing_output {
        Some(path) if !args.upgrade => {
            let upgrade = settings::package_names(&args.upgrade_packages, "--upgrade-package")?;
            npsolve::existing_pins(path, &upgrade).unwrap_or_else(|error| {
                printer.warn(&format!(
                    "ignoring the pins of `{}`: {error}",
                    path.display()
                ));
                BTreeMap::new()
            })
        }
        _ => BTreeMap::new(),
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
    let requirements: Vec<RootRequirement> = input
        .requirements
        .iter()
        .map(npsolve::root_requirement)
        .collect();

    let build = settings::build(args)?;
    let engine = npsolve::Engine::new()?;
    let report = engine.resolve(npsolve::ResolveRequest {
        client: client_options,
        target,
        requirements: &requirements,
        options: &options,
        abi: (!args.no_abi).then(|| args.abi_scan.into()),
        api: args.api_scan.into(),
        build: build.as_ref(),
    })?;
    if let Some(line) = report.scans.as_ref().and_then(npsolve_output::scan_summary) {
        printer.status(&line);
    }
    Ok((report.resolution?, indexes))
}
