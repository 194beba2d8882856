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

/// Renders a range as PEP 440 specifiers, e.g. `>=1.23,<2`; a hole of one release (with its
/// local builds) between two pieces reads as `!=` (`>=1,!=1.5,<2`).
pub fn format_range(range: &Ranges<Version>) -> String {
    if range.is_empty() {
        return "(no version)".to_string();
    }
    // Pieces joined across one-release holes: (lower, upper, the releases left out).
    let mut pieces: Vec<(Bound<&Version>, Bound<&Version>, Vec<Version>)> = Vec::new();
    for (lower, upper) in range.iter() {
        let hole = pieces
            .last()
            .and_then(|(_, previous_upper, _)| match (previous_upper, lower) {
                (Bound::Excluded(end), Bound::Included(start)) => before_locals(start)
                    .filter(|released| released == *end)
                    .map(|_| (*end).clone()),
                (Bound::Excluded(end), Bound::Excluded(start)) if *end == start => {
                    Some((*end).clone())
                }
                _ => None,
            });
        match (hole, pieces.last_mut()) {
            (Some(released), Some(last)) => {
                last.1 = upper.as_ref();
                last.2.push(released);
            }
            _ => pieces.push((lower.as_ref(), upper.as_ref(), Vec::new())),
        }
    }
    let segments: Vec<String> = pieces
        .iter()
        .map(|(lower, upper, holes)| {
            if holes.is_empty()
                && let (Bound::Included(low), Bound::Included(high)) = (lower, upper)
                && low == high
            {
                return format!("=={low}");
            }
            // `==2.5.1` admits 2.5.1's local builds: a bound just after them reads as the
            // release (`<=2.5.1`, not `<2.5.1.post0.dev0`).
            let before = |bound: &Version| before_locals(bound);
            if holes.is_empty()
                && let (Bound::Included(low), Bound::Excluded(high)) = (lower, upper)
                && before(high).as_ref() == Some(*low)
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
            for hole in holes {
                parts.push(format!("!={hole}"));
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

/// At most this many `or` alternatives in a printed range; a range with more is stated by
/// the versions it selects.
const MAX_ALTERNATIVES: usize = 4;

/// Derivation lines in the default report; `-v` prints them all.
const MAX_DERIVATION_LINES: usize = 22;

/// Hint and note lines in the default report.
const MAX_HINT_LINES: usize = 8;

/// A reason longer than this is shortened where it is inlined (the notes give it whole).
const MAX_INLINE_REASON: usize = 110;

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
        // Versions refused for a reason of their own (the notes list them) are left out: a
        // range may take them in or not, so it needs no hole around each of them.
        let refused = memory.notes.get(name);
        match memory.versions.get(name) {
            Some(versions) => {
                let mut usable: Vec<&Version> = versions
                    .versions
                    .iter()
                    .map(|entry| &entry.version)
                    .filter(|version| refused.is_none_or(|refused| !refused.contains_key(*version)))
                    .collect();
                usable.reverse();
                range.simplify(usable.into_iter())
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

/// A reason as inlined in a derivation line: whole when short, else its first clause (the
/// notes after the derivation give it whole).
fn inline_reason(reason: &str) -> String {
    if reason.len() <= MAX_INLINE_REASON {
        return reason.to_string();
    }
    let cut = [": ", " (", "; "]
        .iter()
        .filter_map(|separator| reason.find(separator))
        .filter(|&at| at >= 20)
        .min()
        .unwrap_or(reason.len());
    let mut short: String = reason[..cut].chars().take(MAX_INLINE_REASON).collect();
    short.push_str("; see the notes below");
    short
}

/// Folds the derivations that only say "these versions of a package cannot be used" (a
/// chain of per-version refusals, one line each) into one statement, the reasons grouped.
fn collapse_unusable(tree: &Tree) -> Tree {
    let DerivationTree::Derived(derived) = tree else {
        return tree.clone();
    };
    if let Some(collapsed) = unusable_summary(derived) {
        return collapsed;
    }
    let mut derived = derived.clone();
    derived.cause1 = Arc::new(collapse_unusable(&derived.cause1));
    derived.cause2 = Arc::new(collapse_unusable(&derived.cause2));
    DerivationTree::Derived(derived)
}

/// Folds "no versions" leaves into the fact they are matched with, as pubgrub's own
/// `collapse_no_versions` does (`a` 1.0 and 2.0 exist, so "`b` depends on `a>1,<2`" widens
/// to what reads simply), except where the leaf is the cause: when what the other side needs
/// of the package has no version at all ("you require `a==2.0.0`", and there is none), it
/// stays, or the report would not say why.
fn collapse_no_versions(tree: &Tree) -> Tree {
    let DerivationTree::Derived(derived) = tree else {
        return tree.clone();
    };
    let cause1 = collapse_no_versions(&derived.cause1);
    let cause2 = collapse_no_versions(&derived.cause2);
    // Two "no versions" facts about one package are one.
    if let (
        DerivationTree::External(External::NoVersions(first, set1)),
        DerivationTree::External(External::NoVersions(second, set2)),
    ) = (&cause1, &cause2)
        && first == second
    {
        return DerivationTree::External(External::NoVersions(first.clone(), set1.union(set2)));
    }
    let pair = match (&cause1, &cause2) {
        (DerivationTree::External(External::NoVersions(package, set)), other)
        | (other, DerivationTree::External(External::NoVersions(package, set))) => {
            Some((package, set, other))
        }
        _ => None,
    };
    if let Some((package, set, other)) = pair
        && let Some(merged) = merge_no_versions(other.clone(), package, set)
    {
        return merged;
    }
    let mut derived = derived.clone();
    derived.cause1 = Arc::new(cause1);
    derived.cause2 = Arc::new(cause2);
    DerivationTree::Derived(derived)
}

/// `tree` with the versions `set` of `package` (none of which exist) folded in; `None` when
/// that would hide the cause.
fn merge_no_versions(tree: Tree, package: &PubPackage, set: &Ranges<Version>) -> Option<Tree> {
    let within = |range: &Ranges<Version>| range.intersection(set) == *range;
    match tree {
        DerivationTree::Derived(ref derived) => match derived.terms.get(package) {
            Some(Term::Negative(needed)) if within(needed) => None,
            _ => Some(tree),
        },
        DerivationTree::External(External::FromDependencyOf(
            depender,
            range,
            dependency,
            dependency_range,
        )) => {
            if depender == *package {
                Some(DerivationTree::External(External::FromDependencyOf(
                    depender,
                    range.union(set),
                    dependency,
                    dependency_range,
                )))
            } else if within(&dependency_range) {
                None
            } else {
                Some(DerivationTree::External(External::FromDependencyOf(
                    depender,
                    range,
                    dependency,
                    dependency_range.union(set),
                )))
            }
        }
        DerivationTree::External(_) => None,
    }
}

/// The leaves of a derivation, in order.
fn leaves<'t>(
    tree: &'t Tree,
    out: &mut Vec<&'t External<PubPackage, Ranges<Version>, Unavailable>>,
) {
    match tree {
        DerivationTree::External(external) => out.push(external),
        DerivationTree::Derived(derived) => {
            leaves(&derived.cause1, out);
            leaves(&derived.cause2, out);
        }
    }
}

impl Formatter<'_, '_> {
    /// `` `pkg` `` for every version, else the range as [`Self::package_with_range`] states it.
    fn named(&self, package: &PubPackage, range: &Ranges<Version>) -> String {
        if *range == Ranges::full() {
            format!("`{package}`")
        } else {
            self.package_with_range(package, range)
        }
    }

    /// ` (requirements.txt:3)`: where you required `package`, if you did.
    fn origin(&self, package: &PubPackage) -> String {
        package
            .name()
            .and_then(|name| self.origins.get(name))
            .map(|origins| format!(" ({})", origins.join(", ")))
            .unwrap_or_default()
    }

    /// The commonest conflict in one line: you require `a`, `a` depends on `b` in one range
    /// and you require `b` in another (`` `flask==3.0.0` (requirements.txt:1) depends on
    /// `werkzeug>=3.0.0`, but you require `werkzeug<3` (requirements.txt:2). ``). `None` for
    /// any other shape.
    fn one_line(&self, tree: &Tree) -> Option<String> {
        let mut found = Vec::new();
        leaves(tree, &mut found);
        // You require `a` in a range where it has no version at all.
        if let [first, second] = found.as_slice()
            && let Some((
                External::NoVersions(package, _),
                External::FromDependencyOf(PubPackage::Root, _, required, range),
            )) = [(first, second), (second, first)]
                .into_iter()
                .find(|(a, b)| {
                    matches!(a, External::NoVersions(..))
                        && matches!(b, External::FromDependencyOf(PubPackage::Root, ..))
                })
                .map(|(a, b)| (*a, *b))
            && package == required
        {
            let all = self.existing(package, &Ranges::full());
            let listed = match all.as_slice() {
                [] => String::new(),
                [a] => format!(" (it has {a})"),
                [a, b] => format!(" (it has {a} and {b})"),
                [a, b, rest @ ..] => format!(" (it has {a}, {b} and {} older)", rest.len()),
            };
            let has_none = if self.existing(package, range).is_empty() {
                "no version of it matches"
            } else {
                "none of its versions that match can be used"
            };
            let required = self.named(package, range);
            return Some(format!(
                "you require {required}{}, but {has_none}{listed}.",
                self.origin(package)
            ));
        }
        // You require `a` and `b`, and `a` depends on `b` (perhaps through other packages) in
        // a range your `b` misses.
        let mut from_root = Vec::new();
        let mut edges = Vec::new();
        for external in &found {
            match external {
                External::FromDependencyOf(PubPackage::Root, _, package, range) => {
                    from_root.push((package, range));
                }
                External::FromDependencyOf(package, range, dependency, dependency_range) => {
                    edges.push((package, range, dependency, dependency_range));
                }
                _ => return None,
            }
        }
        if from_root.len() != 2 || edges.is_empty() {
            return None;
        }
        // The path from one root package through every edge to the other.
        for (start, end) in [(0, 1), (1, 0)] {
            let (first, _) = from_root[start];
            let (last, last_range) = from_root[end];
            let mut path = Vec::new();
            let mut at = first;
            let mut left = edges.clone();
            while let Some(index) = left.iter().position(|edge| edge.0 == at) {
                let edge = left.remove(index);
                at = edge.2;
                path.push(edge);
            }
            if !left.is_empty() || at != last || path.is_empty() {
                continue;
            }
            let (package, range, _, _) = path[0];
            let (_, _, dependency, dependency_range) = path[path.len() - 1];
            let depender = self.named(package, range);
            // The last edge's words, with its ABI remark when it has one.
            let (last_from, last_range_of, _, _) = path[path.len() - 1];
            let edge = self.format_external(&External::FromDependencyOf(
                last_from.clone(),
                last_range_of.clone(),
                dependency.clone(),
                dependency_range.clone(),
            ));
            let (_, required) = edge.split_once(" depends on ")?;
            let through: Vec<String> = path[1..]
                .iter()
                .map(|(via, via_range, _, _)| self.package_with_range(via, via_range))
                .collect();
            let through = match through.as_slice() {
                [] => String::new(),
                [one] => format!(" through {one}"),
                [rest @ .., last] => format!(" through {} and {last}", rest.join(", ")),
            };
            return Some(format!(
                "{depender}{} depends on {required}{through}, but you require {}{}.",
                self.origin(package),
                self.package_with_range(last, last_range),
                self.origin(last)
            ));
        }
        None
    }
}

/// Folds each chain of steps that restate one dependency (`` `a<2` depends on `b>=1` ``, then
/// `` `a<3` depends on `b>=1` ``, … one release at a time) into the statement it ends with:
/// for the default report, which leaves the proofs of the releases to `-v`.
fn collapse_restating(tree: &Tree) -> Tree {
    let DerivationTree::Derived(derived) = tree else {
        return tree.clone();
    };
    if let Some((package, range, dependency, dependency_range)) = dependency_shape(derived) {
        let restates = |cause: &Tree| match cause {
            DerivationTree::Derived(inner) => dependency_shape(inner).is_some_and(
                |(inner_package, _, inner_dependency, inner_range)| {
                    inner_package == package
                        && inner_dependency == dependency
                        && inner_range == dependency_range
                },
            ),
            DerivationTree::External(_) => false,
        };
        if restates(&derived.cause1) || restates(&derived.cause2) {
            return DerivationTree::External(External::FromDependencyOf(
                package.clone(),
                range.clone(),
                dependency.clone(),
                dependency_range.clone(),
            ));
        }
    }
    let mut derived = derived.clone();
    derived.cause1 = Arc::new(collapse_restating(&derived.cause1));
    derived.cause2 = Arc::new(collapse_restating(&derived.cause2));
    DerivationTree::Derived(derived)
}

/// `Some((p, r, q, s))` when `derived` says "`p` in `r` depends on `q` in `s`".
fn dependency_shape(
    derived: &Derived<PubPackage, Ranges<Version>, Unavailable>,
) -> Option<(&PubPackage, &Ranges<Version>, &PubPackage, &Ranges<Version>)> {
    if derived.terms.len() != 2 || derived.terms.contains_key(&PubPackage::Root) {
        return None;
    }
    let mut positive = None;
    let mut negative = None;
    for (package, term) in &derived.terms {
        match term {
            Term::Positive(range) => positive = Some((package, range)),
            Term::Negative(range) => negative = Some((package, range)),
        }
    }
    let ((package, range), (dependency, dependency_range)) = (positive?, negative?);
    Some((package, range, dependency, dependency_range))
}

/// `Some` when `derived` states "`P` in range cannot be used" from facts about `P` alone,
/// at least two of them.
fn unusable_summary(derived: &Derived<PubPackage, Ranges<Version>, Unavailable>) -> Option<Tree> {
    let mut terms = derived
        .terms
        .iter()
        .filter(|(package, _)| **package != PubPackage::Root);
    let (package, Term::Positive(range)) = terms.next()? else {
        return None;
    };
    if terms.next().is_some() || derived.terms.contains_key(&PubPackage::Root) {
        return None;
    }
    let mut reasons = BTreeSet::new();
    let mut leaves = 0;
    fn walk<'t>(
        tree: &'t Tree,
        package: &PubPackage,
        reasons: &mut BTreeSet<&'t str>,
        leaves: &mut usize,
    ) -> bool {
        match tree {
            DerivationTree::External(External::NoVersions(about, _)) => {
                *leaves += 1;
                about == package
            }
            DerivationTree::External(External::Custom(about, _, reason)) => {
                *leaves += 1;
                reasons.insert(reason.0.as_str());
                about == package
            }
            DerivationTree::External(_) => false,
            DerivationTree::Derived(derived) => {
                walk(&derived.cause1, package, reasons, leaves)
                    && walk(&derived.cause2, package, reasons, leaves)
            }
        }
    }
    let only_about_package = walk(&derived.cause1, package, &mut reasons, &mut leaves)
        && walk(&derived.cause2, package, &mut reasons, &mut leaves);
    if !only_about_package || leaves < 2 {
        return None;
    }
    let reason = match reasons.len() {
        0 => return None,
        1 => reasons.first().map(|reason| reason.to_string())?,
        many => format!("for {many} different reasons, in the notes below"),
    };
    Some(DerivationTree::External(External::Custom(
        package.clone(),
        range.clone(),
        Unavailable(reason),
    )))
}

/// Formats incompatibilities in npsolve's words.
struct Formatter<'a, 'b> {
    provider: &'a Provider<'b>,
    origins: &'a BTreeMap<pep508_rs::PackageName, Vec<String>>,
}

impl Formatter<'_, '_> {
    /// `` `pkg>=1,<2` ``, or for a range of more than [`MAX_ALTERNATIVES`] pieces the versions
    /// it selects (`` 14 versions of `pkg` (1.8.1 to 3.3.2) ``): never a list of holes.
    fn package_with_range(&self, package: &PubPackage, range: &Ranges<Version>) -> String {
        if *range == Ranges::full() {
            return format!("every version of `{package}`");
        }
        if range.is_empty() {
            return format!("`{package}` in ranges that exclude each other");
        }
        if range.iter().count() <= MAX_ALTERNATIVES {
            return format!("`{package}{}`", format_range(range));
        }
        let selected = self.existing(package, range);
        match selected.as_slice() {
            [] => format!("`{package}{}`", format_range(range)),
            [one] => format!("`{package}=={one}`"),
            // Newest first.
            [newest, .., oldest] => format!(
                "{} versions of `{package}` ({oldest} to {newest})",
                selected.len()
            ),
        }
    }

    /// The versions of `package` the index lists in `range`, newest first.
    fn existing(&self, package: &PubPackage, range: &Ranges<Version>) -> Vec<Version> {
        let memory = self.provider.memory.borrow();
        package
            .name()
            .and_then(|name| memory.versions.get(name))
            .map(|versions| {
                versions
                    .versions
                    .iter()
                    .map(|entry| &entry.version)
                    .filter(|version| range.contains(version))
                    .cloned()
                    .collect()
            })
            .unwrap_or_default()
    }

    /// The Python-API bound behind an edge from `package` (in `range`) to a library, when
    /// it narrowed the edge beyond the metadata: `API: gensim 4.3.2 imports ...`.
    fn api_reason(
        &self,
        package: &PubPackage,
        range: &Ranges<Version>,
        dependency: &PubPackage,
    ) -> Option<String> {
        let (PubPackage::Dist(name), PubPackage::Dist(library)) = (package, dependency) else {
            return None;
        };
        let memory = self.provider.memory.borrow();
        let mut reasons: Vec<(&Version, &str)> = memory
            .api
            .iter()
            .filter(|(key, _)| {
                key.0 == *name
                    && range.contains(&key.1)
                    && memory.api_narrowed.contains_key(&(
                        name.clone(),
                        key.1.clone(),
                        library.clone(),
                    ))
            })
            .flat_map(|((_, version), bounds)| {
                bounds
                    .iter()
                    .filter(|bound| bound.enforced && bound.library == *library)
                    .map(move |bound| (version, bound.summary.as_str()))
            })
            .collect();
        reasons.sort();
        let (_, summary) = reasons.last()?;
        Some(format!("API: {summary}"))
    }

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
        // Only a bound that narrowed the edge beyond the metadata is part of the cause
        // (tensorflow 2.13.0's `numpy<=1.24.3` excludes numpy 2 before its NumPy-1 build does).
        let mut reasons: Vec<(&Version, &str)> = memory
            .abi
            .iter()
            .filter(|(key, _)| {
                key.0 == *name
                    && range.contains(&key.1)
                    && self.provider.abi_is_a_cause(name, &key.1)
            })
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
                format!("{} cannot be used", self.package_with_range(package, range))
            }
            [(package, Term::Negative(range))] if with_root => {
                format!("you require {}", self.package_with_range(package, range))
            }
            [(package, Term::Negative(range))] => {
                format!("{} is required", self.package_with_range(package, range))
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
                        Term::Positive(range) => self.package_with_range(package, range),
                        Term::Negative(range) => {
                            format!("not {}", self.package_with_range(package, range))
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
                } else if self.existing(package, range).is_empty() {
                    format!(
                        "there is no version of {}",
                        self.package_with_range(package, range)
                    )
                } else {
                    format!(
                        "there is no usable version among {}",
                        self.package_with_range(package, range)
                    )
                }
            }
            External::Custom(package, range, reason) => {
                format!(
                    "{} cannot be used ({})",
                    self.package_with_range(package, range),
                    inline_reason(&reason.0)
                )
            }
            External::FromDependencyOf(PubPackage::Root, _, dependency, range)
                if range.is_empty() =>
            {
                format!(
                    "your requirements on `{dependency}`{} exclude each other",
                    self.origin(dependency)
                )
            }
            External::FromDependencyOf(PubPackage::Root, _, dependency, range) => {
                let required = self.named(dependency, range);
                format!("you require {required}{}", self.origin(dependency))
            }
            External::FromDependencyOf(package, range, dependency, dependency_range) => {
                let depender = self.named(package, range);
                // `14 versions of `x` (…)` is plural.
                let verb = if depender.starts_with(|c: char| c.is_ascii_digit()) {
                    "depend"
                } else {
                    "depends"
                };
                let base = format!(
                    "{depender} {verb} on {}",
                    self.package_with_range(dependency, dependency_range)
                );
                match self
                    .abi_reason(package, range, dependency)
                    .or_else(|| self.api_reason(package, range, dependency))
                {
                    Some(reason) => format!("{base} ({reason})"),
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

/// An explanation, in its default length and whole.
pub(crate) struct Explanation {
    /// The packages of the root's edges that the derivation uses, sorted.
    pub roots: Vec<pep508_rs::PackageName>,
    /// At most [`MAX_DERIVATION_LINES`] derivation lines (the conclusion's end) and
    /// [`MAX_HINT_LINES`] hints: a screen.
    pub short: String,
    /// Every derivation line and hint (`-v`).
    pub full: String,
}

/// The explanation: the derivation, then hints.
pub(crate) fn explain(
    tree: &Tree,
    provider: &Provider<'_>,
    origins: &BTreeMap<pep508_rs::PackageName, Vec<String>>,
    fixes: &[String],
) -> Explanation {
    let tree = collapse_no_versions(&collapse_unusable(&simplify(tree, provider)));
    let formatter = Formatter { provider, origins };
    let lines = |tree: &Tree| {
        let report = DefaultStringReporter::report_with_formatter(tree, &formatter);
        let mut seen = BTreeSet::new();
        report
            .lines()
            .filter(|line| !line.trim().is_empty() && seen.insert(line.to_string()))
            .map(str::to_string)
            .collect::<Vec<String>>()
    };
    let whole = lines(&tree);
    let shown = collapse_restating(&tree);
    let derivation = match formatter.one_line(&shown) {
        Some(line) => vec![line],
        None => lines(&shown),
    };
    let full_hints = hints(&tree, provider);
    // The default report's hints are about the packages it names.
    let hints = hints(&shown, provider);
    let roots: Vec<pep508_rs::PackageName> = tree
        .packages()
        .into_iter()
        .filter_map(|package| match package {
            PubPackage::Dist(name) | PubPackage::Extra(name, _) => {
                origins.contains_key(name).then(|| name.clone())
            }
            _ => None,
        })
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    let render = |derivation: &[String], omitted: usize, hints: &[String], more: usize| {
        let mut out = String::new();
        for fix in fixes {
            out.push_str(fix);
            out.push('\n');
        }
        if omitted > 0 {
            out.push_str(&format!(
                "({omitted} earlier steps of the derivation are left out; -v prints them)\n"
            ));
        }
        out.push_str(&derivation.join("\n"));
        if !hints.is_empty() {
            out.push_str("\n\n");
            out.push_str(&hints.join("\n"));
        }
        if more > 0 {
            out.push_str(&format!("\n(and {more} more notes; -v prints them)"));
        }
        out
    };
    let full = render(&whole, 0, &full_hints, 0);
    let keep = derivation.len().min(MAX_DERIVATION_LINES);
    let shown_hints = hints.len().min(MAX_HINT_LINES);
    let short = render(
        &derivation[derivation.len() - keep..],
        derivation.len() - keep,
        &hints[..shown_hints],
        hints.len() - shown_hints,
    );
    Explanation { roots, short, full }
}

/// A reason with the file names and URLs it quotes left out, to group releases refused for
/// the same reason: `` malformed core metadata for `a-1.0.whl` (from `https://…`) `` reads
/// as `malformed core metadata`.
fn reason_class(reason: &str) -> String {
    let is_file = |span: &str| {
        span.contains("://")
            || [".whl", ".tar.gz", ".zip", ".metadata", ".tgz", ".tar.bz2"]
                .iter()
                .any(|suffix| span.ends_with(suffix))
    };
    // Quoted file names and URLs become a marker, dropped with the words that introduce them.
    let mut out = String::new();
    for (index, part) in reason.split('`').enumerate() {
        match (index % 2 == 1, is_file(part)) {
            (true, true) => out.push('\u{0}'),
            (true, false) => {
                out.push('`');
                out.push_str(part);
                out.push('`');
            }
            (false, _) => out.push_str(part),
        }
    }
    out.replace(" (from \u{0})", "")
        .replace(" for \u{0}", "")
        .replace(" of \u{0}", "")
        .replace('\u{0}', "a file")
        .trim()
        .to_string()
}

/// The `depends on numpy` edges of the derivation: the depender and its range.
fn edges_to_numpy<'t>(
    tree: &'t Tree,
    out: &mut Vec<(&'t pep508_rs::PackageName, &'t Ranges<Version>)>,
) {
    match tree {
        DerivationTree::External(External::FromDependencyOf(
            PubPackage::Dist(name),
            range,
            PubPackage::Dist(dependency),
            _,
        )) if dependency.as_ref() == "numpy" => out.push((name, range)),
        DerivationTree::External(_) => {}
        DerivationTree::Derived(derived) => {
            edges_to_numpy(&derived.cause1, out);
            edges_to_numpy(&derived.cause2, out);
        }
    }
}

/// Hints for the packages named in the tree: ABI rules that bound numpy and
/// versions that were skipped, with why.
fn hints(tree: &Tree, provider: &Provider<'_>) -> Vec<String> {
    let packages: BTreeSet<&PubPackage> = tree.packages().into_iter().collect();
    let memory = provider.memory.borrow();
    let mut hints = Vec::new();
    // The ABI rules of the edges to numpy the derivation uses, where the bound narrowed
    // the edge: an ABI bound that excluded nothing the metadata allowed is not a cause.
    let mut numpy_edges = Vec::new();
    edges_to_numpy(tree, &mut numpy_edges);
    let mut abi: Vec<_> = memory
        .abi
        .iter()
        .filter(|(key, _)| {
            provider.abi_is_a_cause(&key.0, &key.1)
                && numpy_edges
                    .iter()
                    .any(|(name, range)| *name == &key.0 && range.contains(&key.1))
        })
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
    // The Python-API bounds that narrowed an edge of a package in the derivation, stated
    // once per package and library, for its newest candidate.
    let mut api: Vec<_> = memory
        .api_narrowed
        .keys()
        .filter(|(name, _, _)| packages.contains(&PubPackage::Dist(name.clone())))
        .collect();
    api.sort_by(|a, b| (&a.0, &a.2).cmp(&(&b.0, &b.2)).then_with(|| b.1.cmp(&a.1)));
    let mut stated = BTreeSet::new();
    for (name, version, library) in api {
        if !stated.insert((name.clone(), library.clone())) {
            continue;
        }
        let bounds = memory.api.get(&(name.clone(), version.clone()));
        for bound in bounds.into_iter().flatten() {
            if bound.enforced && bound.library == *library {
                hints.push(format!("api: {}", bound.reason));
            }
        }
    }
    // A range with no usable version may hold pre-releases the policy kept out.
    let mut found = Vec::new();
    leaves(tree, &mut found);
    for external in found {
        let External::NoVersions(package, range) = external else {
            continue;
        };
        let Some(name) = package.name() else { continue };
        let Some(versions) = memory.versions.get(name) else {
            continue;
        };
        // A pinned build that does not exist, where other builds of that release do.
        if let Some(pinned) = pinned_version(range) {
            let release = pinned.clone().without_local();
            let builds: Vec<String> = versions
                .versions
                .iter()
                .map(|entry| &entry.version)
                .filter(|version| {
                    (*version).clone().without_local() == release && *version != pinned
                })
                .map(ToString::to_string)
                .collect();
            if !builds.is_empty() {
                let line = format!(
                    "hint: `{name}` has other builds of {release}: {} (`{name}=={release}` takes the highest)",
                    builds.join(", ")
                );
                if !hints.contains(&line) {
                    hints.push(line);
                }
            }
        }
        if !provider.never_prereleases(name) {
            continue;
        }
        let pre: Vec<&Version> = versions
            .versions
            .iter()
            .map(|entry| &entry.version)
            .filter(|version| version.any_prerelease() && range.contains(version))
            .collect();
        if let Some(newest) = pre.first() {
            let line = format!(
                "hint: `{name}` has pre-releases in that range ({newest}{}): `--prerelease allow`, or a requirement naming one (`{name}=={newest}`), would consider them",
                if pre.len() > 1 {
                    format!(" and {} more", pre.len() - 1)
                } else {
                    String::new()
                }
            );
            if !hints.contains(&line) {
                hints.push(line);
            }
        }
    }
    for package in packages {
        let Some(name) = package.name() else { continue };
        if let Some(notes) = memory.notes.get(name) {
            // One line per reason, the file names and URLs in it aside ("malformed core
            // metadata" for 22 releases is one note, with one file as the example).
            let mut by_reason: BTreeMap<String, (Vec<&Version>, BTreeSet<&str>)> = BTreeMap::new();
            for (version, why) in notes {
                let entry = by_reason.entry(reason_class(why)).or_default();
                entry.0.push(version);
                entry.1.insert(why.as_str());
            }
            for (class, (mut versions, variants)) in by_reason {
                let why = match variants.first() {
                    Some(only) if variants.len() == 1 => only.to_string(),
                    Some(example) => format!("{class}; e.g. {example}"),
                    None => continue,
                };
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
