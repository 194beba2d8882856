//! Failure explanations in plain words, from PubGrub's derivation tree.
//!
//! The tree is first simplified the way uv does it: ranges are restated in terms of
//! versions that exist, and "no versions" leaves are collapsed into their parents.
//! The formatter then names the user's own requirement lines, the ABI rule behind
//! every ABI edge, and finishes with hints.

use std::collections::{BTreeMap, BTreeSet};
use std::ops::Bound;
use std::sync::Arc;

use pep440_rs::Version;
use pubgrub::{
    DefaultStringReporter, DerivationTree, Derived, External, Map, ReportFormatter, Reporter, Term,
};
use version_ranges::Ranges;

use crate::package::PubPackage;
use crate::provider::{Provider, Unavailable};
use crate::specifier_range::{before_locals, pinned_version};

type Tree = DerivationTree<PubPackage, Ranges<Version>, Unavailable>;

/// Renders a range as PEP 440 specifiers, e.g. `>=1.23,<2`.
pub fn format_range(range: &Ranges<Version>) -> String {
    if range.is_empty() {
        return "(no version)".to_string();
    }
    let segments: Vec<String> = range
        .iter()
        .map(|(lower, upper)| {
            if let (Bound::Included(low), Bound::Included(high)) = (lower, upper)
                && low == high
            {
                return format!("=={low}");
            }
            // `==2.5.1` admits 2.5.1's local builds: a bound just after them reads as the
            // release (`<=2.5.1`, not `<2.5.1.post0.dev0`).
            let before = |bound: &Version| before_locals(bound);
            if let (Bound::Included(low), Bound::Excluded(high)) = (lower, upper)
                && before(high).as_ref() == Some(low)
            {
                return format!("=={low}");
            }
            let mut parts = Vec::new();
            match lower {
                // After a dev or post release's local builds: `>1.2.3.post0`.
                Bound::Included(low) => match before(low) {
                    Some(version) if version.dev().is_some() || version.post().is_some() => {
                        parts.push(format!(">{version}"))
                    }
                    _ => parts.push(format!(">={low}")),
                },
                Bound::Excluded(low) => parts.push(format!(">{low}")),
                Bound::Unbounded => {}
            }
            match upper {
                Bound::Included(high) => parts.push(format!("<={high}")),
                Bound::Excluded(high) => match before(high) {
                    Some(version) => parts.push(format!("<={version}")),
                    None => parts.push(format!("<{}", strip_dev0(high))),
                },
                Bound::Unbounded => {}
            }
            if parts.is_empty() {
                "*".to_string()
            } else {
                parts.join(",")
            }
        })
        .collect();
    segments.join(" or ")
}

/// `2.dev0` as an exclusive upper bound reads better as `2`.
fn strip_dev0(version: &Version) -> Version {
    if version.dev() == Some(0) && version.pre().is_none() && version.post().is_none() {
        version.clone().with_dev(None)
    } else {
        version.clone()
    }
}

fn package_with_range(package: &PubPackage, range: &Ranges<Version>) -> String {
    if *range == Ranges::full() {
        return format!("every version of `{package}`");
    }
    format!("`{package}{}`", format_range(range))
}

/// Rewrites every range in the tree in terms of the versions that exist.
fn simplify(tree: &Tree, provider: &Provider<'_>) -> Tree {
    let simplify_range = |package: &PubPackage, range: &Ranges<Version>| -> Ranges<Version> {
        let Some(name) = package.name() else {
            return range.clone();
        };
        // A pin reads best as written (`==1.5.3`), not as the versions around it.
        if pinned_version(range).is_some() {
            return range.clone();
        }
        let memory = provider.memory.borrow();
        match memory.versions.get(name) {
            Some(versions) => {
                let mut all: Vec<&Version> = versions
                    .versions
                    .iter()
                    .map(|entry| &entry.version)
                    .collect();
                all.reverse();
                range.simplify(all.into_iter())
            }
            None => range.clone(),
        }
    };
    match tree {
        DerivationTree::External(external) => DerivationTree::External(match external {
            External::NotRoot(package, version) => {
                External::NotRoot(package.clone(), version.clone())
            }
            External::NoVersions(package, range) => {
                External::NoVersions(package.clone(), simplify_range(package, range))
            }
            External::FromDependencyOf(package, range, dependency, dependency_range) => {
                External::FromDependencyOf(
                    package.clone(),
                    simplify_range(package, range),
                    dependency.clone(),
                    simplify_range(dependency, dependency_range),
                )
            }
            External::Custom(package, range, reason) => External::Custom(
                package.clone(),
                simplify_range(package, range),
                reason.clone(),
            ),
        }),
        DerivationTree::Derived(derived) => {
            let mut terms = Map::default();
            let mut sorted: Vec<_> = derived.terms.iter().collect();
            sorted.sort_by(|a, b| a.0.cmp(b.0));
            for (package, term) in sorted {
                let term = match term {
                    Term::Positive(range) => Term::Positive(simplify_range(package, range)),
                    Term::Negative(range) => Term::Negative(simplify_range(package, range)),
                };
                terms.insert(package.clone(), term);
            }
            DerivationTree::Derived(Derived {
                terms,
                shared_id: derived.shared_id,
                cause1: Arc::new(simplify(&derived.cause1, provider)),
                cause2: Arc::new(simplify(&derived.cause2, provider)),
            })
        }
    }
}

/// Formats incompatibilities in npsolve's words.
struct Formatter<'a, 'b> {
    provider: &'a Provider<'b>,
    origins: &'a BTreeMap<pep508_rs::PackageName, Vec<String>>,
}

impl Formatter<'_, '_> {
    fn abi_reason(
        &self,
        package: &PubPackage,
        range: &Ranges<Version>,
        dependency: &PubPackage,
    ) -> Option<String> {
        let (PubPackage::Dist(name), PubPackage::Dist(dependency)) = (package, dependency) else {
            return None;
        };
        if dependency.as_ref() != "numpy" {
            return None;
        }
        let memory = self.provider.memory.borrow();
        let mut reasons: Vec<(&Version, &str)> = memory
            .abi
            .iter()
            .filter(|((abi_name, version), _)| abi_name == name && range.contains(version))
            .map(|((_, version), bound)| (version, bound.summary.as_str()))
            .collect();
        reasons.sort();
        let (_, summary) = reasons.last()?;
        Some(format!("ABI: {summary}"))
    }

    fn terms(&self, terms: &Map<PubPackage, Term<Ranges<Version>>>) -> String {
        // The root is always chosen, so it only adds noise to a term list.
        let mut sorted: Vec<_> = terms
            .iter()
            .filter(|(package, _)| **package != PubPackage::Root)
            .collect();
        sorted.sort_by(|a, b| a.0.cmp(b.0));
        let with_root = terms.contains_key(&PubPackage::Root);
        match sorted.as_slice() {
            [] if with_root => "your requirements are unsatisfiable".to_string(),
            [] => "version solving failed".to_string(),
            [(package, Term::Positive(range))] => {
                format!("{} cannot be used", package_with_range(package, range))
            }
            [(package, Term::Negative(range))] if with_root => {
                format!("you require {}", package_with_range(package, range))
            }
            [(package, Term::Negative(range))] => {
                format!("{} is required", package_with_range(package, range))
            }
            [(p1, Term::Positive(r1)), (p2, Term::Negative(r2))] if !with_root => self
                .format_external(&External::FromDependencyOf(
                    (*p1).clone(),
                    r1.clone(),
                    (*p2).clone(),
                    r2.clone(),
                )),
            [(p1, Term::Negative(r1)), (p2, Term::Positive(r2))] if !with_root => self
                .format_external(&External::FromDependencyOf(
                    (*p2).clone(),
                    r2.clone(),
                    (*p1).clone(),
                    r1.clone(),
                )),
            slice => {
                let parts: Vec<String> = slice
                    .iter()
                    .map(|(package, term)| match term {
                        Term::Positive(range) => package_with_range(package, range),
                        Term::Negative(range) => {
                            format!("not {}", package_with_range(package, range))
                        }
                    })
                    .collect();
                format!("{} cannot be used together", parts.join(" and "))
            }
        }
    }
}

impl ReportFormatter<PubPackage, Ranges<Version>, Unavailable> for Formatter<'_, '_> {
    type Output = String;

    fn format_external(
        &self,
        external: &External<PubPackage, Ranges<Version>, Unavailable>,
    ) -> String {
        match external {
            External::NotRoot(package, version) => {
                format!("we are solving dependencies of {package} {version}")
            }
            External::NoVersions(package, range) => {
                if *range == Ranges::full() {
                    format!("no version of `{package}` is available on the index for the target")
                } else {
                    format!(
                        "there is no usable version of `{package}{}`",
                        format_range(range)
                    )
                }
            }
            External::Custom(package, range, reason) => {
                format!(
                    "{} cannot be used ({reason})",
                    package_with_range(package, range)
                )
            }
            External::FromDependencyOf(PubPackage::Root, _, dependency, range) => {
                let required = if *range == Ranges::full() {
                    format!("`{dependency}`")
                } else {
                    package_with_range(dependency, range)
                };
                let name = dependency.name();
                let origins = name
                    .and_then(|name| self.origins.get(name))
                    .map(|origins| origins.join(", "));
                match origins {
                    Some(origins) => format!("you require {required} ({origins})"),
                    None => format!("you require {required}"),
                }
            }
            External::FromDependencyOf(package, range, dependency, dependency_range) => {
                let depender = if *range == Ranges::full() {
                    format!("`{package}`")
                } else {
                    package_with_range(package, range)
                };
                let base = format!(
                    "{depender} depends on {}",
                    package_with_range(dependency, dependency_range)
                );
                match self.abi_reason(package, range, dependency) {
                    Some(abi) => format!("{base} ({abi})"),
                    None => base,
                }
            }
        }
    }

    fn format_terms(&self, terms: &Map<PubPackage, Term<Ranges<Version>>>) -> String {
        self.terms(terms)
    }

    fn explain_both_external(
        &self,
        external1: &External<PubPackage, Ranges<Version>, Unavailable>,
        external2: &External<PubPackage, Ranges<Version>, Unavailable>,
        current_terms: &Map<PubPackage, Term<Ranges<Version>>>,
    ) -> String {
        format!(
            "Because {} and {}, {}.",
            self.format_external(external1),
            self.format_external(external2),
            self.terms(current_terms)
        )
    }

    fn explain_both_ref(
        &self,
        ref_id1: usize,
        derived1: &Derived<PubPackage, Ranges<Version>, Unavailable>,
        ref_id2: usize,
        derived2: &Derived<PubPackage, Ranges<Version>, Unavailable>,
        current_terms: &Map<PubPackage, Term<Ranges<Version>>>,
    ) -> String {
        format!(
            "Because {} ({ref_id1}) and {} ({ref_id2}), {}.",
            self.terms(&derived1.terms),
            self.terms(&derived2.terms),
            self.terms(current_terms)
        )
    }

    fn explain_ref_and_external(
        &self,
        ref_id: usize,
        derived: &Derived<PubPackage, Ranges<Version>, Unavailable>,
        external: &External<PubPackage, Ranges<Version>, Unavailable>,
        current_terms: &Map<PubPackage, Term<Ranges<Version>>>,
    ) -> String {
        format!(
            "Because {} ({ref_id}) and {}, {}.",
            self.terms(&derived.terms),
            self.format_external(external),
            self.terms(current_terms)
        )
    }

    fn and_explain_external(
        &self,
        external: &External<PubPackage, Ranges<Version>, Unavailable>,
        current_terms: &Map<PubPackage, Term<Ranges<Version>>>,
    ) -> String {
        format!(
            "And because {}, {}.",
            self.format_external(external),
            self.terms(current_terms)
        )
    }

    fn and_explain_ref(
        &self,
        ref_id: usize,
        derived: &Derived<PubPackage, Ranges<Version>, Unavailable>,
        current_terms: &Map<PubPackage, Term<Ranges<Version>>>,
    ) -> String {
        format!(
            "And because {} ({ref_id}), {}.",
            self.terms(&derived.terms),
            self.terms(current_terms)
        )
    }

    fn and_explain_prior_and_external(
        &self,
        prior_external: &External<PubPackage, Ranges<Version>, Unavailable>,
        external: &External<PubPackage, Ranges<Version>, Unavailable>,
        current_terms: &Map<PubPackage, Term<Ranges<Version>>>,
    ) -> String {
        format!(
            "And because {} and {}, {}.",
            self.format_external(prior_external),
            self.format_external(external),
            self.terms(current_terms)
        )
    }
}

/// The full explanation: the derivation, then hints.
pub(crate) fn explain(
    tree: &Tree,
    provider: &Provider<'_>,
    origins: &BTreeMap<pep508_rs::PackageName, Vec<String>>,
) -> String {
    let mut tree = simplify(tree, provider);
    tree.collapse_no_versions();
    let formatter = Formatter { provider, origins };
    let mut report = DefaultStringReporter::report_with_formatter(&tree, &formatter);
    let mut seen = BTreeSet::new();
    report = report
        .lines()
        .filter(|line| seen.insert(line.to_string()))
        .collect::<Vec<_>>()
        .join("\n");
    let hints = hints(&tree, provider);
    if !hints.is_empty() {
        report.push_str("\n\n");
        report.push_str(&hints.join("\n"));
    }
    report
}

/// Hints for the packages named in the tree: ABI rules that bound numpy and
/// versions that were skipped, with why.
fn hints(tree: &Tree, provider: &Provider<'_>) -> Vec<String> {
    let packages: BTreeSet<&PubPackage> = tree.packages().into_iter().collect();
    let memory = provider.memory.borrow();
    let mut hints = Vec::new();
    let mut abi: Vec<_> = memory
        .abi
        .iter()
        .filter(|((name, _), _)| packages.contains(&PubPackage::Dist(name.clone())))
        .collect();
    // Newest version first, so each package's rule is stated once, for its newest candidate.
    abi.sort_by(|a, b| a.0.0.cmp(&b.0.0).then_with(|| b.0.1.cmp(&a.0.1)));
    let numpy2 = Version::new([2]);
    let mut explained = BTreeSet::new();
    for ((name, _), bound) in abi {
        if bound.numpy.contains(&numpy2) || !explained.insert(name.clone()) {
            continue;
        }
        hints.push(format!("abi: {}", bound.reason));
        if let Some(first) = &bound.first_newer_build {
            hints.push(format!(
                "hint: `{name}` {first} is the first release built against NumPy 2; `{name}>={first}` allows numpy>=2"
            ));
        }
    }
    for package in packages {
        let Some(name) = package.name() else { continue };
        if let Some(notes) = memory.notes.get(name) {
            let mut by_reason: BTreeMap<&str, Vec<&Version>> = BTreeMap::new();
            for (version, why) in notes {
                by_reason.entry(why.as_str()).or_default().push(version);
            }
            for (why, mut versions) in by_reason {
                versions.sort();
                versions.dedup();
                let shown = match versions.as_slice() {
                    [one] => one.to_string(),
                    [first, .., last] => format!("{first} to {last} ({} versions)", versions.len()),
                    [] => continue,
                };
                let line = format!("note: `{name}` {shown} skipped: {why}");
                if !hints.contains(&line) {
                    hints.push(line);
                }
            }
        }
    }
    hints
}
