//! uv's copy of the packse scenarios (`tests/fixtures/packse`): each single-target scenario's
//! wheels and sdists are built in process, served on loopback, and `npsolve compile` of its root
//! requirements must give the expected pins, or fail when the scenario is unsatisfiable.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use npsolve_testkit::packse::Scenario;

use crate::common::{most_alternatives, repo, run_on_index};

/// Scenarios npsolve answers differently on purpose, with the reason (docs/resolver.md,
/// "packse scenarios"). Each must still differ, so the table cannot go stale.
const DIFFERS: &[(&str, &str)] = &[(
    "python-less-than-current",
    "a Requires-Python upper bound is honoured, as pip honours it (uv ignores it)",
)];

fn scenario_files() -> Vec<PathBuf> {
    fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
        for entry in std::fs::read_dir(dir).expect("scenario folder") {
            let path = entry.expect("entry").path();
            if path.is_dir() {
                walk(&path, out);
            } else if path.extension().is_some_and(|ext| ext == "toml") {
                out.push(path);
            }
        }
    }
    let mut files = Vec::new();
    walk(&repo().join("tests/fixtures/packse/scenarios"), &mut files);
    files.sort();
    files
}

/// The pins of a `--no-header --no-annotate` requirements file.
fn pins(stdout: &str) -> BTreeMap<String, String> {
    stdout
        .lines()
        .filter_map(|line| line.split_once("=="))
        .map(|(name, version)| (name.trim().to_string(), version.trim().to_string()))
        .collect()
}

/// `npsolve compile` of the scenario's root requirements against its index.
fn compile(scenario: &Scenario) -> (std::process::Output, String) {
    let index = tempfile::tempdir().expect("tempdir");
    npsolve_testkit::write_index(scenario, index.path()).expect("scenario index");
    let mut args = vec!["--no-header".to_string(), "--no-annotate".to_string()];
    args.extend(scenario.compile_flags());
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    run_on_index(index.path(), "compile", &scenario.requirements_in(), &args)
}

/// Runs `work` on every scenario, four at a time; results in the scenarios' order.
fn each<T: Send>(scenarios: &[&Scenario], work: impl Fn(&Scenario) -> T + Sync) -> Vec<T> {
    let results = Mutex::new(Vec::new());
    let next = Mutex::new(scenarios.iter().enumerate());
    std::thread::scope(|scope| {
        for _ in 0..4 {
            scope.spawn(|| {
                loop {
                    let Some((index, scenario)) = next.lock().expect("queue").next() else {
                        break;
                    };
                    let result = work(scenario);
                    results.lock().expect("results").push((index, result));
                }
            });
        }
    });
    let mut results = results.into_inner().expect("results");
    results.sort_by_key(|(index, _)| *index);
    results.into_iter().map(|(_, result)| result).collect()
}

fn scenarios() -> Vec<Scenario> {
    scenario_files()
        .iter()
        .map(|path| Scenario::read(path).expect("scenario parses"))
        .collect()
}

/// What went wrong with one scenario, or `None` when npsolve gave the expected answer.
fn mismatch(scenario: &Scenario) -> Option<String> {
    let (output, transcript) = compile(scenario);
    let expected = &scenario.expected;
    let code = output.status.code();
    if !expected.satisfiable {
        return (code != Some(1)).then(|| format!("expected no solution (exit 1)\n{transcript}"));
    }
    if code != Some(0) {
        return Some(format!("expected {:?}\n{transcript}", expected.packages));
    }
    // A satisfiable scenario that lists no packages asserts only that a resolution exists.
    if expected.packages.is_empty() {
        return None;
    }
    let got = pins(&String::from_utf8_lossy(&output.stdout));
    let want: BTreeMap<String, String> = expected
        .packages
        .iter()
        .map(|(name, version)| (name.replace('_', "-").to_lowercase(), version.clone()))
        .collect();
    (got != want).then(|| format!("expected {want:?}, got {got:?}\n{transcript}"))
}

#[test]
fn packse_scenarios_resolve_as_expected() {
    let scenarios = scenarios();
    let universal = scenarios
        .iter()
        .filter(|scenario| scenario.resolver_options.universal)
        .count();
    let single: Vec<&Scenario> = scenarios
        .iter()
        .filter(|scenario| scenario.is_single_target())
        .collect();
    // uv's copy at the recorded commit: 135 single-target scenarios, 53 universal ones (left
    // for the universal lock), one disabled.
    assert_eq!((single.len(), universal), (135, 53));

    let results: Vec<(String, Option<String>)> = each(&single, |scenario| {
        (scenario.name.clone(), mismatch(scenario))
    });
    let mut report = Vec::new();
    for (name, result) in &results {
        let excused = DIFFERS.iter().any(|(differs, _)| differs == name);
        match (result, excused) {
            (Some(problem), false) => report.push(format!("== {name}: {problem}")),
            (None, true) => report.push(format!(
                "== {name}: listed in DIFFERS but now gives the expected answer"
            )),
            _ => {}
        }
    }
    let failed = report.len();
    assert!(
        report.is_empty(),
        "{failed} of {} scenarios:\n{}",
        results.len(),
        report.join("\n")
    );
}

#[test]
fn packse_conflict_reports_fit_a_screen() {
    let scenarios = scenarios();
    let unsatisfiable: Vec<&Scenario> = scenarios
        .iter()
        .filter(|scenario| scenario.is_single_target() && !scenario.expected.satisfiable)
        .collect();
    assert_eq!(unsatisfiable.len(), 48);
    let reports = each(&unsatisfiable, |scenario| {
        let (output, _) = compile(scenario);
        let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
        (scenario.name.clone(), scenario.requirements_in(), stderr)
    });
    let mut all = String::new();
    for (name, requirements, report) in &reports {
        assert!(report.lines().count() <= 40, "{name}: {report}");
        assert!(most_alternatives(report) <= 4, "{name}: {report}");
        assert!(!report.contains("abi:"), "{name}: {report}");
        all.push_str(&format!("## {name}\n{requirements}--\n{report}\n"));
    }
    insta::assert_snapshot!(all);
}

/// Universal scenarios npsolve answers differently, with the reason (docs/resolver.md,
/// "Universal scenarios"). Each must still differ, so the table cannot go stale.
const UNIVERSAL_DIFFERS: &[(&str, &str)] = &[
    (
        "wrong-backtracking-basic",
        "another valid set (a 2.0.0 with b 1.0.0): uv raises the priority of a package that keeps conflicting, npsolve's decision order does not",
    ),
    (
        "conflict-in-fork",
        "the conflict is on sys_platform 'os1', which no covered target has: a lock for the covered targets exists",
    ),
    (
        "fork-non-local-fork-marker-direct",
        "each target is resolved on its own, so c may differ between linux and darwin: valid on each; uv forks only on a package's own requirements and refuses",
    ),
    (
        "fork-non-local-fork-marker-transitive",
        "as fork-non-local-fork-marker-direct: per-target answers are valid on each target",
    ),
    (
        "preferences-dependent-forking-conflicting",
        "per-target answers (foo and bar differ by platform) are valid on each target; uv's forks keep one version and refuse",
    ),
];

/// `npsolve compile --universal` of a universal scenario: the lower Python bound is the
/// interpreter's for a `pip compile` scenario, the root's `requires-python` for a lock one;
/// every default platform is named (the harness would otherwise name one).
fn compile_universal(scenario: &Scenario) -> (std::process::Output, String) {
    let index = tempfile::tempdir().expect("tempdir");
    npsolve_testkit::write_index(scenario, index.path()).expect("scenario index");
    let lower = if scenario.testgen.kind.as_deref() == Some("compile") {
        scenario.target_python().to_string()
    } else {
        let specifiers: pep440_rs::VersionSpecifiers = scenario
            .root
            .requires_python
            .parse()
            .expect("requires-python");
        npsolve_platform::universal::python_versions(Some(&specifiers))
            .first()
            .map_or_else(|| "3.8".to_string(), |version| version.to_string())
    };
    let mut args = vec![
        "--universal".to_string(),
        "--no-header".to_string(),
        "--no-annotate".to_string(),
        "--python-version".to_string(),
        lower,
    ];
    if let Some(resolution) = &scenario.resolver_options.resolution {
        args.push(format!("--resolution={resolution}"));
    }
    if scenario.resolver_options.prereleases {
        args.push("--prerelease=allow".into());
    }
    for platform in npsolve_platform::universal::DEFAULT_PLATFORMS {
        args.extend(["--python-platform".to_string(), platform.to_string()]);
    }
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    run_on_index(index.path(), "compile", &scenario.requirements_in(), &args)
}

fn universal_mismatch(scenario: &Scenario) -> Option<String> {
    let (output, transcript) = compile_universal(scenario);
    let expected = &scenario.expected;
    let code = output.status.code();
    if !expected.satisfiable {
        return (code != Some(1)).then(|| format!("expected no solution (exit 1)\n{transcript}"));
    }
    if code != Some(0) {
        return Some(format!("expected {:?}\n{transcript}", expected.packages));
    }
    // Every expected pin must be among the file's (other versions may be pinned under other
    // markers).
    let stdout = String::from_utf8_lossy(&output.stdout);
    let got: Vec<(String, String)> = stdout
        .lines()
        .filter_map(|line| line.split_once("=="))
        .map(|(name, rest)| {
            let version = rest.split(';').next().unwrap_or(rest).trim();
            (name.trim().to_string(), version.to_string())
        })
        .collect();
    let missing: Vec<String> = expected
        .packages
        .iter()
        .map(|(name, version)| (name.replace('_', "-").to_lowercase(), version.clone()))
        .filter(|pin| !got.contains(pin))
        .map(|(name, version)| format!("{name}=={version}"))
        .collect();
    (!missing.is_empty()).then(|| format!("missing {missing:?}\n{transcript}"))
}

#[test]
fn packse_universal_scenarios_resolve_as_expected() {
    let scenarios = scenarios();
    let universal: Vec<&Scenario> = scenarios
        .iter()
        .filter(|scenario| scenario.resolver_options.universal && !scenario.testgen.disable)
        .collect();
    let results: Vec<(String, Option<String>)> = each(&universal, |scenario| {
        (scenario.name.clone(), universal_mismatch(scenario))
    });
    let mut report = Vec::new();
    for (name, result) in &results {
        let excused = UNIVERSAL_DIFFERS.iter().any(|(differs, _)| differs == name);
        match (result, excused) {
            (Some(problem), false) => report.push(format!("== {name}: {problem}")),
            (None, true) => report.push(format!(
                "== {name}: listed in UNIVERSAL_DIFFERS but now gives the expected answer"
            )),
            _ => {}
        }
    }
    assert!(
        report.is_empty(),
        "{} of {} universal scenarios:\n{}",
        report.len(),
        results.len(),
        report.join("\n")
    );
}
