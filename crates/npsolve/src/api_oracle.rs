//! The resolver's Python-API bounds: the unguarded uses of removed names in a wheel's code
//! (`wheel_uses.rs`) turned into ranges of the libraries it requires. An import-time use
//! binds (`scipy<1.13`); a call-time use is reported, and binds only under
//! [`ApiScan::Strict`]. A guarded use binds nothing.

use std::str::FromStr;

use npsolve_api_breaks::{BehaviourBreak, BehaviourBreaks, Removals};
use npsolve_resolver::{ApiBound, DistRef};
use pep440_rs::Version;
use pep508_rs::PackageName;
use version_ranges::Ranges;

use crate::index_source::{FileRecords, IndexSource};
use crate::wheel_uses::{UsesScanner, WheelUse};

/// When wheels' Python sources are read during resolution (`--api-scan`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum ApiScan {
    /// Read the sources of wheels that require numpy, scipy or pandas: import-time uses of
    /// names the library removed bind it, call-time uses are reported.
    #[default]
    Auto,
    /// As `Auto`, and call-time uses bind too.
    Strict,
    /// Never read sources.
    Off,
}

/// How many uses a reason names besides the one that decides the bound.
const MORE_USES: usize = 3;

/// Reads wheels' Python sources and answers with their API bounds.
pub struct WheelApiOracle {
    scanner: UsesScanner,
    records: FileRecords,
    removals: &'static Removals,
    breaks: &'static BehaviourBreaks,
    strict: bool,
}

impl WheelApiOracle {
    /// The oracle for `setting` on the files `source` hands out; `None` for
    /// [`ApiScan::Off`].
    pub fn for_setting(setting: ApiScan, source: &IndexSource) -> Option<WheelApiOracle> {
        if setting == ApiScan::Off {
            return None;
        }
        let records = source.records();
        Some(WheelApiOracle {
            scanner: UsesScanner::new(records.client().clone(), records.runtime().clone()),
            records,
            removals: Removals::bundled(),
            breaks: BehaviourBreaks::bundled(),
            strict: setting == ApiScan::Strict,
        })
    }

    /// The libraries among `declared` that have removals, unless `name` is one of them
    /// (a library's own code is its maintainers' to keep in step).
    fn libraries(&self, name: &PackageName, declared: &[&PackageName]) -> Vec<PackageName> {
        let libraries = self.removals.libraries();
        if libraries.contains(&name.as_ref()) {
            return Vec::new();
        }
        declared
            .iter()
            .filter(|dependency| libraries.contains(&dependency.as_ref()))
            .map(|dependency| (*dependency).clone())
            .collect()
    }

    /// The bounds of the wheel `dist` on the libraries among `declared`, reading its sources
    /// now if needed.
    pub fn bounds(
        &self,
        name: &PackageName,
        version: &Version,
        dist: &DistRef,
        declared: &[&PackageName],
    ) -> Vec<ApiBound> {
        let mut bounds: Vec<ApiBound> = self
            .breaks
            .for_release(name, version)
            .filter(|entry| declared.contains(&&entry.library))
            .map(|entry| curated_bound(name, version, entry))
            .collect();
        let libraries = self.libraries(name, declared);
        if libraries.is_empty() {
            return bounds;
        }
        let Some(file) = self.records.get(name, dist) else {
            return bounds;
        };
        if let Some(uses) = self.scanner.uses(name, dist.key, &file) {
            bounds.extend(bounds_from_uses(
                name,
                version,
                &dist.filename,
                &uses.uses,
                &libraries,
                self.strict,
            ));
        }
        bounds
    }

    /// Starts reading the sources of the wheel `dist` if its bounds will need them.
    pub fn start(&self, name: &PackageName, dist: &DistRef, declared: &[&PackageName]) {
        if !self.libraries(name, declared).is_empty()
            && let Some(file) = self.records.get(name, dist)
        {
            self.scanner.start(name, dist.key, &file);
        }
    }

    /// Starts reading the sources of `dists` (of a package that requires numpy) ahead.
    pub fn prefetch(&self, name: &PackageName, dists: &[(Version, DistRef)]) {
        let Some(numpy) = library_name("numpy") else {
            return;
        };
        for (_, dist) in dists.iter().filter(|(_, dist)| dist.is_wheel) {
            self.start(name, dist, &[&numpy]);
        }
    }
}

/// The bounds the unguarded `uses` in the wheel `filename` of `name` `version` give on each
/// of `libraries`: one for its import-time uses (enforced) and one for its call-time uses
/// (enforced when `strict`).
pub fn bounds_from_uses(
    name: &PackageName,
    version: &Version,
    filename: &str,
    uses: &[WheelUse],
    libraries: &[PackageName],
    strict: bool,
) -> Vec<ApiBound> {
    let mut bounds = Vec::new();
    for library in libraries {
        for import_time in [true, false] {
            let group: Vec<&WheelUse> = uses
                .iter()
                .filter(|found| {
                    !found.guarded
                        && found.import_time == import_time
                        && found.removal.library == library.as_ref()
                })
                .collect();
            if group.is_empty() {
                continue;
            }
            let allowed = group.iter().fold(Ranges::full(), |allowed, found| {
                allowed.intersection(&found.removal.working_range())
            });
            if allowed == Ranges::full() {
                continue;
            }
            // The earliest removal decides; ties go to the first use in the file order.
            let Some(decisive) = group
                .iter()
                .min_by(|a, b| a.removal.removed_in.cmp(&b.removal.removed_in))
            else {
                continue;
            };
            bounds.push(bound(
                (name, version, filename),
                library,
                decisive,
                &group,
                allowed,
                import_time,
                import_time || strict,
            ));
        }
    }
    bounds
}

/// The bound a curated behaviour break gives `name` `version`: always enforced.
fn curated_bound(name: &PackageName, version: &Version, entry: &BehaviourBreak) -> ApiBound {
    ApiBound {
        library: entry.library.clone(),
        allowed: entry.working_range(),
        enforced: true,
        summary: format!(
            "{name} {version} fails with {} {} and later (fixed in {name} {})",
            entry.library, entry.from, entry.fixed_in
        ),
        reason: format!(
            "`{name}` before {} fails with {}>={}: {} (curated, checked {}; {})",
            entry.fixed_in, entry.library, entry.from, entry.error, entry.checked, entry.source
        ),
    }
}

/// One bound, with its summary and reason.
fn bound(
    (name, version, filename): (&PackageName, &Version, &str),
    library: &PackageName,
    decisive: &WheelUse,
    group: &[&WheelUse],
    allowed: Ranges<Version>,
    import_time: bool,
    enforced: bool,
) -> ApiBound {
    let removal = decisive.removal;
    let when = if import_time {
        "at import"
    } else {
        "in a function"
    };
    let mut names: Vec<String> = group.iter().map(|found| found.removal.path()).collect();
    names.sort();
    names.dedup();
    let more = match names.len() {
        1 => String::new(),
        count => format!(", and {} more removed names", count - 1),
    };
    let summary = format!(
        "{name} {version} uses {} {when} (removed in {library} {}{more})",
        removal.path(),
        removal.removed_in
    );
    let consequence = if import_time {
        format!("importing `{name}` fails")
    } else {
        format!("calling that function fails (`{name}` still imports)")
    };
    let mut reason = format!(
        "`{filename}`: {}:{} uses `{}` ({}) {when}, which {library} {} removed ({}; {}): {consequence} with {library} outside `{}`",
        decisive.file,
        decisive.line,
        decisive.text,
        removal.path(),
        removal.removed_in,
        removal.replacement,
        removal.source,
        npsolve_resolver::format_range(&allowed),
    );
    let others: Vec<String> = group
        .iter()
        .filter(|found| !std::ptr::eq(**found, decisive))
        .take(MORE_USES)
        .map(|found| format!("{}:{} `{}`", found.file, found.line, found.text))
        .collect();
    if !others.is_empty() {
        reason.push_str(&format!("; also {}", others.join(", ")));
        if group.len() > others.len() + 1 {
            reason.push_str(&format!(" and {} more", group.len() - others.len() - 1));
        }
    }
    if !enforced {
        reason.push_str("; not a bound unless `--api-scan strict`");
    }
    ApiBound {
        library: library.clone(),
        allowed,
        enforced,
        summary,
        reason,
    }
}

/// A library's name as a package name.
fn library_name(name: &str) -> Option<PackageName> {
    PackageName::from_str(name).ok()
}
