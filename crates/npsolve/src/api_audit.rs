//! The doctor's Python-API audit: each installed distribution's `.py` files (from its RECORD)
//! scanned for names the installed NumPy or SciPy no longer has (`npsolve_api_breaks`).

use std::str::FromStr;

use npsolve_api_breaks::Removals;
use npsolve_environment::Environment;
use pep440_rs::Version;
use pep508_rs::PackageName;

use crate::wheel_uses::{is_runtime_source, scan_members};

/// Files larger than this are not read.
const MAX_SOURCE_BYTES: u64 = 2 * 1024 * 1024;
/// At most this many `.py` files of one distribution are read.
const MAX_SOURCES: usize = 5_000;

/// A use of a Python name that the installed library lacks.
#[derive(Debug, Clone)]
pub struct ApiProblem {
    /// The distribution whose code uses it.
    pub package: PackageName,
    /// Its installed version.
    pub version: Version,
    /// The file (relative to site-packages) and 1-based line.
    pub file: String,
    /// The line.
    pub line: usize,
    /// The use as written, e.g. `np.float_` or `triu`.
    pub text: String,
    /// The removed name, e.g. `scipy.linalg.triu`.
    pub name: String,
    /// The library and its installed version.
    pub library: PackageName,
    /// The installed version of the library.
    pub installed: Version,
    /// The release that removed it.
    pub removed_in: Version,
    /// The release that brought it back, if any.
    pub until: Option<Version>,
    /// What to use instead.
    pub replacement: String,
    /// The release note.
    pub source: String,
    /// Whether importing the package fails (else calling a function does).
    pub import_time: bool,
}

/// Every unguarded use, in the installed distributions that require NumPy or SciPy (the
/// libraries themselves aside), of a name the installed library version lacks; by package,
/// file and line.
pub(crate) fn api_problems(environment: &Environment) -> Vec<ApiProblem> {
    let removals = Removals::bundled();
    let libraries = removals.libraries();
    let installed: Vec<(PackageName, Version)> = libraries
        .iter()
        .filter_map(|library| {
            let name = PackageName::from_str(library).ok()?;
            let dist = environment.get(&name)?;
            Some((name, dist.version.clone()))
        })
        .collect();
    if installed.is_empty() {
        return Vec::new();
    }
    let mut problems = Vec::new();
    for dist in &environment.dists {
        // Only code that declares a library can rely on it being installed: the rest is not
        // read (a big environment has tens of thousands of `.py` files).
        if installed.iter().any(|(library, _)| *library == dist.name)
            || !dist.requires_dist.iter().any(|requirement| {
                installed
                    .iter()
                    .any(|(library, _)| *library == requirement.name)
            })
        {
            continue;
        }
        let sources = dist
            .files
            .iter()
            .filter(|file| is_runtime_source(file))
            .take(MAX_SOURCES);
        for file in sources {
            let path = dist.site_packages.join(file);
            let too_big =
                std::fs::metadata(&path).map_or(true, |meta| meta.len() > MAX_SOURCE_BYTES);
            if too_big {
                continue;
            }
            let Ok(bytes) = std::fs::read(&path) else {
                continue;
            };
            let uses = scan_members([(file.as_str(), bytes.as_slice())], removals);
            for found in uses.into_iter().filter(|found| !found.guarded) {
                let removal = found.removal;
                let Some((library, version)) = installed
                    .iter()
                    .find(|(library, _)| library.as_ref() == removal.library)
                else {
                    continue;
                };
                if removal.working_range().contains(version) {
                    continue;
                }
                problems.push(ApiProblem {
                    package: dist.name.clone(),
                    version: dist.version.clone(),
                    file: file.clone(),
                    line: found.line,
                    text: found.text,
                    name: removal.path(),
                    library: library.clone(),
                    installed: version.clone(),
                    removed_in: removal.removed_in.clone(),
                    until: removal.until.clone(),
                    replacement: removal.replacement.clone(),
                    source: removal.source.clone(),
                    import_time: found.import_time,
                });
            }
        }
    }
    problems.sort_by(|a, b| (&a.package, &a.file, a.line).cmp(&(&b.package, &b.file, b.line)));
    problems
}
