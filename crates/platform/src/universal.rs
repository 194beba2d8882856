//! The environments a universal lock covers (every CPython release `requires-python` allows on
//! each platform of a set), and the marker expression that selects a subset of them.
//!
//! A universal lock is correct for an environment when the packages its markers select there
//! are the ones a resolution for that environment would accept. Markers can only tell
//! environments apart by what they evaluate: `python_full_version`, `sys_platform` and
//! `platform_machine` here. Two targets they cannot tell apart (manylinux and musllinux on
//! one architecture) must therefore be given the same packages.

use std::collections::BTreeMap;

use pep440_rs::VersionSpecifiers;

use crate::platform::Platform;
use crate::python_version::PythonVersion;
use crate::target::Target;

/// The oldest CPython minor a universal lock covers when `requires-python` allows older ones
/// (uv's oldest supported Python).
pub const OLDEST_PYTHON: (u8, u8) = (3, 8);

/// The newest CPython minor a universal lock covers: the newest final release.
pub const NEWEST_PYTHON: (u8, u8) = (3, 15);

/// The platforms a universal lock covers unless `--python-platform` names others: manylinux
/// and musllinux on x86_64 and aarch64, macOS on x86_64 and arm64, Windows on x86_64.
pub const DEFAULT_PLATFORMS: [&str; 7] = [
    "x86_64-manylinux_2_28",
    "aarch64-manylinux_2_28",
    "x86_64-unknown-linux-musl",
    "aarch64-unknown-linux-musl",
    "x86_64-apple-darwin",
    "aarch64-apple-darwin",
    "x86_64-pc-windows-msvc",
];

/// The platforms of [`DEFAULT_PLATFORMS`].
pub fn default_platforms() -> Vec<Platform> {
    DEFAULT_PLATFORMS
        .iter()
        .map(|name| match name.parse() {
            Ok(platform) => platform,
            Err(error) => unreachable!("the default platform `{name}` parses: {error}"),
        })
        .collect()
}

/// The CPython releases `requires_python` allows between [`OLDEST_PYTHON`] and
/// [`NEWEST_PYTHON`], one per minor: `X.Y` when `X.Y.0` is allowed, else the lowest allowed
/// patch (`>=3.10.1` gives 3.10.1, 3.11, ...).
pub fn python_versions(requires_python: Option<&VersionSpecifiers>) -> Vec<PythonVersion> {
    let mut versions = Vec::new();
    for minor in OLDEST_PYTHON.1..=NEWEST_PYTHON.1 {
        let plain = PythonVersion::new(3, minor, None);
        let Some(specifiers) = requires_python else {
            versions.push(plain);
            continue;
        };
        if specifiers.contains(&plain.as_version()) {
            versions.push(plain);
        } else if let Some(patch) = (1..=40u8).find(|patch| {
            specifiers.contains(&PythonVersion::new(3, minor, Some(*patch)).as_version())
        }) {
            versions.push(PythonVersion::new(3, minor, Some(patch)));
        }
    }
    versions
}

/// Every pair of `pythons` and `platforms`, Python first (the lowest Python on the first
/// platform leads).
pub fn targets(pythons: &[PythonVersion], platforms: &[Platform]) -> Vec<Target> {
    let mut targets = Vec::new();
    for python in pythons {
        for platform in platforms {
            targets.push(Target::new(*python, *platform));
        }
    }
    targets
}

/// What markers see of a target: the Python minor, `sys_platform` and `platform_machine`.
/// Targets with equal keys cannot be told apart by a marker.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct MarkerKey {
    /// `(major, minor)`.
    pub python: (u8, u8),
    /// `sys_platform`.
    pub sys_platform: String,
    /// `platform_machine`.
    pub machine: String,
}

impl MarkerKey {
    /// The key of `target`.
    pub fn of(target: &Target) -> MarkerKey {
        let markers = target.markers();
        MarkerKey {
            python: (target.python().major(), target.python().minor()),
            sys_platform: markers.sys_platform().to_string(),
            machine: markers.platform_machine().to_string(),
        }
    }
}

/// A platform as markers see it: `(sys_platform, platform_machine)`.
type MarkerPlatform = (String, String);

/// The marker expression that holds on exactly the targets of `covered` where `selected` is
/// true (as uv writes them: `python_full_version < '3.11'`, `sys_platform == 'win32'`), or
/// `None` when it holds on all of them. Targets with equal [`MarkerKey`]s must agree.
///
/// The expression is exact on the covered targets; on other environments it says what its
/// terms say (a `sys_platform == 'linux'` term covers every Linux machine).
pub fn marker_for(covered: &[Target], selected: &[bool]) -> Option<String> {
    let keys: Vec<MarkerKey> = covered.iter().map(MarkerKey::of).collect();
    let mut pythons: Vec<(u8, u8)> = keys.iter().map(|key| key.python).collect();
    pythons.sort();
    pythons.dedup();
    // Each platform (sys_platform, machine) and the Pythons it is selected on.
    let mut by_platform: BTreeMap<(String, String), Vec<(u8, u8)>> = BTreeMap::new();
    for (key, chosen) in keys.iter().zip(selected) {
        let entry = by_platform
            .entry((key.sys_platform.clone(), key.machine.clone()))
            .or_default();
        if *chosen {
            entry.push(key.python);
        }
    }
    if by_platform.values().all(|chosen| {
        let mut chosen = chosen.clone();
        chosen.sort();
        chosen.dedup();
        chosen == pythons
    }) {
        return None;
    }
    // Platforms that share their Pythons share one clause.
    let mut groups: BTreeMap<Vec<(u8, u8)>, Vec<MarkerPlatform>> = BTreeMap::new();
    for (platform, mut chosen) in by_platform.clone() {
        chosen.sort();
        chosen.dedup();
        if !chosen.is_empty() {
            groups.entry(chosen).or_default().push(platform);
        }
    }
    let platforms: Vec<&(String, String)> = by_platform.keys().collect();
    let clauses: Vec<String> = groups
        .iter()
        .map(|(chosen, members)| {
            let parts: Vec<String> = [
                platform_clause(members, &platforms),
                python_clause(chosen, &pythons),
            ]
            .into_iter()
            .flatten()
            .collect();
            parts.join(" and ")
        })
        .collect();
    Some(if clauses.len() == 1 {
        clauses.into_iter().next().unwrap_or_default()
    } else {
        clauses
            .iter()
            .map(|clause| {
                if clause.contains(" and ") || clause.contains(" or ") {
                    format!("({clause})")
                } else {
                    clause.clone()
                }
            })
            .collect::<Vec<_>>()
            .join(" or ")
    })
}

/// `sys_platform == 'x'` for every sys_platform whose machines are all members, the machine
/// otherwise; `None` when the members are every platform.
fn platform_clause(members: &[(String, String)], all: &[&(String, String)]) -> Option<String> {
    if members.len() == all.len() {
        return None;
    }
    let mut terms = Vec::new();
    let mut systems: Vec<&String> = members.iter().map(|(system, _)| system).collect();
    systems.dedup();
    for system in systems {
        let machines: Vec<&String> = members
            .iter()
            .filter(|(other, _)| other == system)
            .map(|(_, machine)| machine)
            .collect();
        let every = all.iter().filter(|(other, _)| other == system).count();
        if machines.len() == every {
            terms.push(format!("sys_platform == '{system}'"));
        } else {
            for machine in machines {
                terms.push(format!(
                    "(sys_platform == '{system}' and platform_machine == '{machine}')"
                ));
            }
        }
    }
    if terms.len() == 1 {
        let term = terms.remove(0);
        let bare = term
            .strip_prefix('(')
            .and_then(|term| term.strip_suffix(')'))
            .map(str::to_string);
        return Some(bare.unwrap_or(term));
    }
    Some(format!("({})", terms.join(" or ")))
}

/// The Python part: runs of consecutive covered minors as `python_full_version` bounds;
/// `None` when every covered minor is chosen.
fn python_clause(chosen: &[(u8, u8)], all: &[(u8, u8)]) -> Option<String> {
    if chosen == all {
        return None;
    }
    let mut runs: Vec<String> = Vec::new();
    let mut index = 0;
    while index < all.len() {
        if !chosen.contains(&all[index]) {
            index += 1;
            continue;
        }
        let start = index;
        while index + 1 < all.len() && chosen.contains(&all[index + 1]) {
            index += 1;
        }
        let mut bounds = Vec::new();
        if start > 0 {
            let (major, minor) = all[start];
            bounds.push(format!("python_full_version >= '{major}.{minor}'"));
        }
        if let Some((major, minor)) = all.get(index + 1) {
            bounds.push(format!("python_full_version < '{major}.{minor}'"));
        }
        runs.push(bounds.join(" and "));
        index += 1;
    }
    if runs.len() == 1 {
        return runs.pop();
    }
    Some(format!(
        "({})",
        runs.iter()
            .map(|run| if run.contains(" and ") {
                format!("({run})")
            } else {
                run.clone()
            })
            .collect::<Vec<_>>()
            .join(" or ")
    ))
}

#[cfg(test)]
mod tests {
    use std::str::FromStr;

    use pep508_rs::MarkerTree;

    use super::*;

    fn matrix(pythons: &[&str]) -> Vec<Target> {
        let pythons: Vec<PythonVersion> = pythons.iter().map(|p| p.parse().unwrap()).collect();
        targets(&pythons, &default_platforms())
    }

    /// The marker must hold exactly where selected, on every covered target.
    fn assert_exact(covered: &[Target], selected: &[bool], marker: &Option<String>) {
        let tree = marker
            .as_deref()
            .map(|text| MarkerTree::from_str(text).unwrap());
        for (target, chosen) in covered.iter().zip(selected) {
            let holds = tree
                .as_ref()
                .is_none_or(|tree| tree.evaluate(target.markers(), &[]));
            assert_eq!(holds, *chosen, "{marker:?} on {target}");
        }
    }

    #[test]
    fn python_versions_follow_requires_python() {
        let spec = VersionSpecifiers::from_str(">=3.10.1,<3.14").unwrap();
        let versions: Vec<String> = python_versions(Some(&spec))
            .iter()
            .map(|v| v.to_string())
            .collect();
        assert_eq!(versions, ["3.10.1", "3.11", "3.12", "3.13"]);
        assert_eq!(python_versions(None).len(), 8);
    }

    #[test]
    fn markers_select_exactly() {
        let covered = matrix(&["3.10", "3.11", "3.12"]);
        type Select = Box<dyn Fn(&Target) -> bool>;
        let cases: Vec<(Select, Option<&str>)> = vec![
            (Box::new(|_| true), None),
            (
                Box::new(|t| t.markers().sys_platform() == "win32"),
                Some("sys_platform == 'win32'"),
            ),
            (
                Box::new(|t| t.python().minor() < 11),
                Some("python_full_version < '3.11'"),
            ),
            (
                Box::new(|t| t.python().minor() >= 11 && t.markers().sys_platform() == "linux"),
                Some("sys_platform == 'linux' and python_full_version >= '3.11'"),
            ),
            (
                Box::new(|t| t.markers().platform_machine() == "arm64"),
                Some("sys_platform == 'darwin' and platform_machine == 'arm64'"),
            ),
            (
                Box::new(|t| t.python().minor() == 11),
                Some("python_full_version >= '3.11' and python_full_version < '3.12'"),
            ),
            (
                Box::new(|t| t.python().minor() != 11 || t.markers().sys_platform() == "darwin"),
                None,
            ),
        ];
        for (select, expected) in cases {
            let selected: Vec<bool> = covered.iter().map(&select).collect();
            let marker = marker_for(&covered, &selected);
            if let Some(expected) = expected {
                assert_eq!(marker.as_deref(), Some(expected));
            }
            assert_exact(&covered, &selected, &marker);
        }
    }

    #[test]
    fn musllinux_and_manylinux_share_a_key() {
        let covered = matrix(&["3.12"]);
        let keys: Vec<MarkerKey> = covered.iter().map(MarkerKey::of).collect();
        assert_eq!(keys[0], keys[2]);
        assert_ne!(keys[0], keys[1]);
    }
}
