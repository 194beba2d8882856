//! From input files to the resolver's requests: first-party requirements with their
//! origins, and the pins of an existing output kept across runs.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use npsolve_requirements::{
    InputError, ReadOptions, RequirementsInput, SourcedRequirement, is_pyproject, read_input,
};
use npsolve_resolver::{PinnedLine, RootRequirement};
use pep440_rs::{Operator, Version};
use pep508_rs::{PackageName, Requirement, VersionOrUrl};

/// The inputs of one resolution: `sources` read with `options` and merged in order, then the
/// requirements and constraints of each `constraints` file added as constraints (`-c`).
///
/// Extras and groups select from a pyproject.toml: with none among `sources` they are an
/// error, not ignored. A group written `PATH:GROUP` (uv's spelling) is read from that file,
/// which need not be an input; only the group is read from it.
pub fn read_inputs(
    sources: &[impl AsRef<Path>],
    constraints: &[impl AsRef<Path>],
    options: &ReadOptions,
) -> Result<RequirementsInput, InputError> {
    let (named, plain): (Vec<_>, Vec<_>) = options
        .groups
        .iter()
        .map(|group| match group.rsplit_once(':') {
            Some((path, name)) if path.ends_with(".toml") => (Some(path), name.to_string()),
            _ => (None, group.clone()),
        })
        .partition(|(path, _)| path.is_some());
    let plain: Vec<String> = plain.into_iter().map(|(_, group)| group).collect();
    if !sources.iter().any(|path| is_pyproject(path.as_ref())) {
        let option = if let Some(extra) = options.extras.first() {
            Some(format!("--extra {extra}"))
        } else if options.all_extras {
            Some("--all-extras".to_string())
        } else {
            plain.first().map(|group| format!("--group {group}"))
        };
        if let Some(option) = option {
            return Err(InputError::NeedsPyproject {
                option,
                inputs: sources
                    .iter()
                    .map(|path| path.as_ref().to_path_buf())
                    .collect(),
            });
        }
    }
    let source_options = ReadOptions {
        groups: plain,
        ..options.clone()
    };
    let mut input = RequirementsInput::default();
    for path in sources {
        input.merge(read_input(path.as_ref(), &source_options)?);
    }
    for (path, group) in named {
        let group_options = ReadOptions {
            groups: vec![group],
            groups_only: true,
            env: options.env.clone(),
            ..ReadOptions::default()
        };
        input.merge(read_input(
            Path::new(path.unwrap_or_default()),
            &group_options,
        )?);
    }
    for path in constraints {
        let read = read_input(path.as_ref(), &ReadOptions::default())?;
        input.constraints.extend(read.requirements);
        input.constraints.extend(read.constraints);
    }
    Ok(input)
}

/// The requirements of override files (`--override`): every line of each, read like a
/// constraints file.
pub fn read_overrides(paths: &[impl AsRef<Path>]) -> Result<Vec<Requirement>, InputError> {
    let mut overrides = Vec::new();
    for path in paths {
        let read = read_input(path.as_ref(), &ReadOptions::default())?;
        overrides.extend(
            read.requirements
                .into_iter()
                .map(|sourced| sourced.requirement),
        );
        overrides.extend(
            read.constraints
                .into_iter()
                .map(|sourced| sourced.requirement),
        );
    }
    Ok(overrides)
}

/// The pinned lines of a file read for `check`, each with its `file:line` and hashes.
pub fn pinned_lines(input: &RequirementsInput) -> Vec<PinnedLine> {
    input
        .requirements
        .iter()
        .map(|sourced| PinnedLine {
            requirement: sourced.requirement.clone(),
            file: sourced.origin.path.display().to_string(),
            line: sourced.origin.line,
            hashes: sourced.hashes.clone(),
        })
        .collect()
}

/// The resolver's view of a requirement line: its origin `file:line` for messages, and
/// `-r file` for `# via` annotations.
pub fn root_requirement(sourced: &SourcedRequirement) -> RootRequirement {
    let path = sourced.origin.path.display().to_string();
    RootRequirement {
        requirement: sourced.requirement.clone(),
        origin: format!("{path}:{}", sourced.origin.line),
        via: format!("-r {path}"),
    }
}

/// The first-party requirements of `input`, each annotated as uv annotates it: `-r FILE`
/// for a requirements file, `PROJECT (FILE)` for a pyproject.toml's.
pub fn root_requirements(input: &RequirementsInput) -> Vec<RootRequirement> {
    input
        .requirements
        .iter()
        .map(|sourced| {
            let mut root = root_requirement(sourced);
            if let Some(project) = input.project_names.get(&sourced.origin.path) {
                root.via = format!("{project} ({})", sourced.origin.path.display());
            }
            root
        })
        .collect()
}

/// The exact pins (`name==version`) of an existing output file, except those in `upgrade`:
/// pip-compile's stable re-resolution keeps them as preferences.
pub fn existing_pins(
    path: &Path,
    upgrade: &BTreeSet<PackageName>,
) -> Result<BTreeMap<PackageName, Version>, InputError> {
    Ok(preferences_from(&existing_pin_lines(path, upgrade)?, None))
}

/// The exact pin lines (`name==version ; marker`) of an existing output file, except those
/// in `upgrade`, with their markers (a universal file pins one package per marker).
pub fn existing_pin_lines(
    path: &Path,
    upgrade: &BTreeSet<PackageName>,
) -> Result<Vec<Requirement>, InputError> {
    let input = read_input(path, &ReadOptions::default())?;
    Ok(input
        .requirements
        .into_iter()
        .map(|sourced| sourced.requirement)
        .filter(|requirement| !upgrade.contains(&requirement.name))
        .filter(|requirement| {
            matches!(&requirement.version_or_url,
                Some(VersionOrUrl::VersionSpecifier(specifiers))
                    if matches!(specifiers.iter().as_slice(), [one] if *one.operator() == Operator::Equal))
        })
        .collect())
}

/// The versions `lines` pin, as preferences; with `markers`, only the lines whose markers
/// hold there (later lines win).
pub fn preferences_from(
    lines: &[Requirement],
    markers: Option<&pep508_rs::MarkerEnvironment>,
) -> BTreeMap<PackageName, Version> {
    let mut pins = BTreeMap::new();
    for requirement in lines {
        if let Some(markers) = markers
            && !requirement.evaluate_markers(markers, &[])
        {
            continue;
        }
        if let Some(VersionOrUrl::VersionSpecifier(specifiers)) = &requirement.version_or_url
            && let [specifier] = specifiers.iter().as_slice()
            && *specifier.operator() == Operator::Equal
        {
            pins.insert(requirement.name.clone(), specifier.version().clone());
        }
    }
    pins
}
