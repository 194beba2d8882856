//! Real-world-shaped input files read end to end.

use std::path::{Path, PathBuf};

use npsolve_requirements::{
    EnvLookup, PackageSelection, ReadOptions, RequirementsInput, SourcedRequirement,
    parse_requirements_txt, read_input,
};
use pep508_rs::{ExtraName, PackageName, VersionOrUrl};

fn fixture(relative: &str) -> PathBuf {
    Path::new("../../tests/fixtures/inputs").join(relative)
}

fn read(relative: &str, options: &ReadOptions) -> RequirementsInput {
    read_input(&fixture(relative), options).unwrap_or_else(|error| panic!("`{relative}`: {error}"))
}

/// `name specifiers @ file:line` for each requirement, for compact assertions.
fn summary(requirements: &[SourcedRequirement]) -> Vec<String> {
    requirements
        .iter()
        .map(|sourced| {
            let file = sourced
                .origin
                .path
                .file_name()
                .and_then(|name| name.to_str())
                .unwrap_or_default();
            format!("{} @ {file}:{}", sourced.requirement, sourced.origin.line)
        })
        .collect()
}

fn name(text: &str) -> PackageName {
    PackageName::new(text.to_string()).expect("valid name")
}

#[test]
fn django_layout_follows_includes_and_constraints() {
    let input = read("django/requirements/local.txt", &ReadOptions::default());
    let summary = summary(&input.requirements);
    assert_eq!(summary.len(), 7 + 6);
    assert_eq!(summary[0], "django>=4.2,<5.0 @ base.txt:2");
    assert_eq!(summary[3], "celery[redis]>=5.3,<6 @ base.txt:5");
    assert!(
        summary[5]
            .starts_with("pillow>=10.0 ; platform_python_implementation == 'CPython' @ base.txt:7"),
        "{}",
        summary[5]
    );
    assert_eq!(summary[7], "werkzeug[watchdog]==3.0.1 @ local.txt:4");
    let constraints = self::summary(&input.constraints);
    assert_eq!(
        constraints,
        [
            "urllib3<2 @ constraints.txt:2",
            "cryptography>=41.0.7 @ constraints.txt:3"
        ]
    );
    // The include is joined onto the including file's folder.
    assert_eq!(
        input.constraints[0].origin.path,
        fixture("django/requirements/../constraints.txt")
    );
}

#[test]
fn production_includes_base_once() {
    let input = read(
        "django/requirements/production.txt",
        &ReadOptions::default(),
    );
    assert_eq!(input.requirements.len(), 7 + 3);
    assert_eq!(
        input.requirements[8].requirement.extras,
        [ExtraName::new("django".to_string()).expect("valid")]
    );
}

#[test]
fn data_science_file_expands_variables_and_continuations() {
    let options = ReadOptions {
        env: [("PIP_INDEX_URL", "https://pypi.internal.example/simple")]
            .into_iter()
            .collect(),
        ..ReadOptions::default()
    };
    let input = read("data-science.txt", &options);
    assert_eq!(
        input.index.index_url.as_deref(),
        Some("https://pypi.internal.example/simple")
    );
    assert_eq!(
        input.index.extra_index_urls,
        ["https://download.pytorch.org/whl/cpu"]
    );
    assert_eq!(input.binary.only_binary, PackageSelection::All);
    let summary = summary(&input.requirements);
    assert_eq!(
        summary,
        [
            "numpy>=1.22,<2 @ data-science.txt:6",
            "pandas[performance,excel]~=1.5.3 @ data-science.txt:7",
            "scipy>=1.9 ; python_full_version >= '3.9' @ data-science.txt:8",
            "scikit-learn<1.3 @ data-science.txt:9",
            "matplotlib>=3.6 ; platform_system != 'Emscripten' @ data-science.txt:10",
            "torch==2.1.2+cpu @ data-science.txt:12",
            "statsmodels @ data-science.txt:13",
            "xgboost @ https://files.example.org/xgboost-2.0.3-py3-none-manylinux2014_x86_64.whl @ data-science.txt:14",
        ]
    );
    assert!(matches!(
        input.requirements[7].requirement.version_or_url,
        Some(VersionOrUrl::Url(_))
    ));
}

#[test]
fn pip_compile_output_keeps_hashes_and_skips_via_comments() {
    let input = read("pip-compile-hashes.txt", &ReadOptions::default());
    assert_eq!(input.requirements.len(), 7);
    for sourced in &input.requirements {
        assert_eq!(sourced.hashes.len(), 2, "{}", sourced.requirement);
        assert!(
            sourced
                .hashes
                .iter()
                .all(|hash| hash.starts_with("sha256:") && hash.len() == 71)
        );
    }
    let numpy = &input.requirements[3];
    assert_eq!(numpy.requirement.to_string(), "numpy==1.26.3");
    assert_eq!(numpy.origin.line, 19);
}

#[test]
fn constraints_file_goes_to_constraints() {
    let input = read("with-constraints.in", &ReadOptions::default());
    assert_eq!(
        summary(&input.requirements),
        [
            "pandas @ with-constraints.in:2",
            "matplotlib @ with-constraints.in:3"
        ]
    );
    assert_eq!(
        summary(&input.constraints),
        [
            "numpy==1.26.4 @ constraints.txt:1",
            "pandas<2.2 @ constraints.txt:2"
        ]
    );
}

#[test]
fn index_and_binary_options_follow_pip() {
    let input = read("index-options.txt", &ReadOptions::default());
    assert_eq!(
        input.index.index_url.as_deref(),
        Some("https://pypi.example.org/simple")
    );
    assert_eq!(
        input.index.extra_index_urls,
        ["https://mirror.example.org/simple"],
        "duplicates dropped"
    );
    assert_eq!(input.index.find_links.len(), 2);
    assert!(
        input.index.find_links[0].ends_with("inputs/./wheelhouse"),
        "{}",
        input.index.find_links[0]
    );
    assert_eq!(
        input.index.find_links[1],
        "https://download.example.org/links.html"
    );
    assert!(input.pre);
    assert!(!input.index.no_index);
    // `--only-binary numpy,SciPy` after `--no-binary :all:`: pip discards names from the other
    // option's name set only, so `--no-binary` stays `:all:`.
    assert_eq!(input.binary.no_binary, PackageSelection::All);
    assert_eq!(
        input.binary.only_binary,
        PackageSelection::Names([name("numpy"), name("scipy")].into_iter().collect())
    );
}

#[test]
fn binary_options_clear_each_other() {
    let text = "--only-binary :all:\n--no-binary numpy\n--only-binary=:none:\n--no-binary=:all:\n";
    let input =
        parse_requirements_txt(text, Path::new("r.txt"), &ReadOptions::default()).expect("valid");
    assert_eq!(input.binary.no_binary, PackageSelection::All);
    assert_eq!(input.binary.only_binary, PackageSelection::None);
    let text = "--no-binary numpy,pandas\n--only-binary pandas\n";
    let input =
        parse_requirements_txt(text, Path::new("r.txt"), &ReadOptions::default()).expect("valid");
    assert_eq!(
        input.binary.no_binary,
        PackageSelection::Names([name("numpy")].into_iter().collect())
    );
    assert_eq!(
        input.binary.only_binary,
        PackageSelection::Names([name("pandas")].into_iter().collect())
    );
}

#[test]
fn duplicates_are_kept_and_short_options_attach() {
    let text = "numpy>=1.22\nnumpy<2\n-ihttps://a.example/simple\n--no-index\n";
    let input =
        parse_requirements_txt(text, Path::new("r.txt"), &ReadOptions::default()).expect("valid");
    assert_eq!(input.requirements.len(), 2);
    assert_eq!(
        input.index.index_url.as_deref(),
        Some("https://a.example/simple")
    );
    assert!(input.index.no_index);
}

#[test]
fn pyproject_base_dependencies_and_requires_python() {
    let input = read("pyproject/app/pyproject.toml", &ReadOptions::default());
    assert_eq!(
        summary(&input.requirements),
        [
            "numpy>=1.23 @ pyproject.toml:10",
            "pandas>=1.5,<3 @ pyproject.toml:11",
            "xarray>=2023.1 ; python_full_version >= '3.10' @ pyproject.toml:12",
        ]
    );
    assert_eq!(
        input
            .requires_python
            .map(|specifiers| specifiers.to_string())
            .as_deref(),
        Some(">=3.9")
    );
}

#[test]
fn pyproject_extras_expand_self_references() {
    let options = ReadOptions {
        extras: vec![ExtraName::new("all".to_string()).expect("valid")],
        ..ReadOptions::default()
    };
    let input = read("pyproject/app/pyproject.toml", &options);
    let names: Vec<String> = input
        .requirements
        .iter()
        .map(|sourced| sourced.requirement.name.to_string())
        .collect();
    assert_eq!(
        names,
        [
            "numpy",
            "pandas",
            "xarray",
            "scikit-learn",
            "torch",
            "matplotlib",
            "cartopy"
        ]
    );
    let all = read(
        "pyproject/app/pyproject.toml",
        &ReadOptions {
            all_extras: true,
            ..ReadOptions::default()
        },
    );
    assert_eq!(all.requirements.len(), 7);
}

#[test]
fn pyproject_groups_follow_include_group() {
    let options = ReadOptions {
        groups: vec!["Dev".to_string()],
        ..ReadOptions::default()
    };
    let input = read("pyproject/app/pyproject.toml", &options);
    let names: Vec<String> = input
        .requirements
        .iter()
        .map(|sourced| sourced.requirement.name.to_string())
        .collect();
    assert_eq!(
        names,
        [
            "numpy",
            "pandas",
            "xarray",
            "pytest",
            "pytest-cov",
            "ruff",
            "mypy",
            "ipython",
            "numpy",
            "pandas",
            "xarray",
            "matplotlib",
            "cartopy"
        ]
    );
    assert_eq!(input.requirements[3].origin.line, 21);
}

#[test]
fn conda_environment_reads_pip_section_and_numpy_pin() {
    let input = read("conda/environment.yml", &ReadOptions::default());
    assert_eq!(
        summary(&input.requirements),
        [
            "shapely>=2.0 @ requirements-pip.txt:1",
            "rasterio==1.3.9 @ environment.yml:14",
            "geopandas>=0.14 @ environment.yml:15"
        ]
    );
    assert_eq!(
        summary(&input.constraints),
        ["numpy==1.26.* @ environment.yml:7"]
    );
    assert_eq!(
        input.index.extra_index_urls,
        ["https://mirror.example.org/simple"]
    );
    assert_eq!(
        input
            .requires_python
            .map(|specifiers| specifiers.to_string())
            .as_deref(),
        Some("==3.11.*")
    );
}

#[test]
fn readme_example_parses() {
    let input = read_input(
        Path::new("../../data/examples/requirements.txt"),
        &ReadOptions::default(),
    )
    .expect("valid");
    let names: Vec<String> = input
        .requirements
        .iter()
        .map(|sourced| sourced.requirement.name.to_string())
        .collect();
    assert!(
        names.contains(&"numpy".to_string()) && names.contains(&"pandas".to_string()),
        "{names:?}"
    );
}

#[test]
fn variables_come_from_the_injected_environment_only() {
    let options = ReadOptions {
        env: EnvLookup::Map(Default::default()),
        ..ReadOptions::default()
    };
    let result = parse_requirements_txt("numpy==${NUMPY_VERSION}\n", Path::new("r.txt"), &options);
    assert!(result.is_err());
    let options = ReadOptions {
        env: [("NUMPY_VERSION", "1.26.4")].into_iter().collect(),
        ..ReadOptions::default()
    };
    let input = parse_requirements_txt("numpy==${NUMPY_VERSION}\n", Path::new("r.txt"), &options)
        .expect("valid");
    assert_eq!(
        input.requirements[0].requirement.to_string(),
        "numpy==1.26.4"
    );
}

#[test]
fn requirements_included_by_a_constraints_file_are_constraints() {
    let input = read("with-nested-constraints.in", &ReadOptions::default());
    assert_eq!(
        summary(&input.requirements),
        ["scipy @ with-nested-constraints.in:2"]
    );
    assert_eq!(
        summary(&input.constraints),
        [
            "numpy==1.26.4 @ constraints.txt:1",
            "pandas<2.2 @ constraints.txt:2",
            "scipy<1.12 @ upper-bounds.txt:3"
        ]
    );
}
