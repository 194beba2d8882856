//! Recognising NumPy's binary-incompatibility errors in a traceback, and the culprit.

use pep440_rs::Version;
use pep508_rs::PackageName;

use crate::module_owner::distribution_for_module;

/// Which way the binary and the running NumPy disagree.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AbiErrorKind {
    /// A module built against NumPy 1.x headers, imported under NumPy 2.
    BuiltForNumpy1,
    /// A module built for a newer NumPy feature level than the one running.
    BuiltForNewerNumpy {
        /// The oldest NumPy the module accepts, when the message says.
        needs: Option<Version>,
    },
}

/// What a traceback says went wrong, and who did it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnosis {
    /// The kind of mismatch.
    pub kind: AbiErrorKind,
    /// The line of the log that shows it.
    pub evidence: String,
    /// The dotted module that failed to import, when a frame shows it.
    pub module: Option<String>,
    /// The distribution that most likely owns that module.
    pub distribution: Option<PackageName>,
}

/// NumPy C-API feature levels and the first NumPy that has them
/// (numpy `_core/include/numpy/numpyconfig.h`, see `numpy-abi.md` section 1).
const FEATURE_LEVELS: &[(u32, &str)] = &[
    (0xd, "1.16"),
    (0xe, "1.20"),
    (0xf, "1.22"),
    (0x10, "1.23"),
    (0x11, "1.25"),
    (0x12, "2.0"),
    (0x13, "2.1"),
    (0x14, "2.3"),
    (0x15, "2.4"),
    (0x16, "2.5"),
];

/// Messages of a 1.x-built module under NumPy 2 (numpy `generate_numpy_api.py`,
/// the `numpy.core` shim, Cython's size check, and a common paraphrase).
const NUMPY1_UNDER_2: &[&str] = &[
    "compiled using NumPy 1.x cannot be run in",
    "_ARRAY_API not found",
    "cannot import name '_ARRAY_API' from 'numpy'",
    "numpy.dtype size changed, may indicate binary incompatibility. Expected 96 from C header, got 88",
];

/// Messages of a module built for a newer NumPy than the one running.
const NEWER_THAN_RUNNING: &[&str] = &[
    "module compiled against API version",
    // A package's own import-time check, e.g. pyarrow's `lib.pyx`:
    // `pyarrow requires NumPy 2.0 or newer, found 1.26.4`.
    " or newer, found ",
    "module was compiled against NumPy C-API version",
    "numpy.ndarray size changed, may indicate binary incompatibility",
    "numpy.dtype size changed, may indicate binary incompatibility",
];

/// Reads a traceback or log; `None` when it shows none of NumPy's ABI errors.
pub fn explain_traceback(text: &str) -> Option<Diagnosis> {
    let lines: Vec<&str> = text.lines().collect();
    let (kind, evidence) = classify(&lines)?;
    let module = culprit_module(&lines).or_else(|| self_named(&evidence));
    let distribution = module.as_deref().and_then(distribution_for_module);
    Some(Diagnosis {
        kind,
        evidence,
        module,
        distribution,
    })
}

fn classify(lines: &[&str]) -> Option<(AbiErrorKind, String)> {
    // The 1.x-under-2 banner wins: NumPy 2 prints it before the follow-on errors.
    if let Some(line) = lines
        .iter()
        .find(|line| NUMPY1_UNDER_2.iter().any(|needle| line.contains(needle)))
    {
        return Some((AbiErrorKind::BuiltForNumpy1, line.trim().to_string()));
    }
    let line = lines.iter().find(|line| {
        NEWER_THAN_RUNNING
            .iter()
            .any(|needle| line.contains(needle))
            && (!line.contains(" or newer, found ") || line.contains("requires NumPy "))
    })?;
    Some((
        AbiErrorKind::BuiltForNewerNumpy {
            needs: needed_numpy(line),
        },
        line.trim().to_string(),
    ))
}

/// The package a self-check names: `pyarrow` in `pyarrow requires NumPy 2.0 or newer`.
fn self_named(evidence: &str) -> Option<String> {
    let before = &evidence[..evidence.find(" requires NumPy ")?];
    let word = before
        .rsplit([' ', ':'])
        .next()?
        .trim_matches(|c: char| !c.is_ascii_alphanumeric() && c != '_' && c != '.');
    (!word.is_empty() && !is_numpy_or_runtime(word)).then(|| word.to_string())
}

/// `(NumPy 1.23)` in NumPy 2 headers' message, `requires NumPy 2.0 or newer` in a package's
/// own check, else the hex feature level.
fn needed_numpy(line: &str) -> Option<Version> {
    if let Some(start) = line.find("requires NumPy ") {
        let rest = &line[start + "requires NumPy ".len()..];
        let end = rest.find(" or newer")?;
        return rest[..end].trim().parse().ok();
    }
    if let Some(start) = line.find("(NumPy ") {
        let rest = &line[start + 7..];
        let end = rest.find(')')?;
        return rest[..end].parse().ok();
    }
    let start = line.find("version 0x")? + "version 0x".len();
    let hex: String = line[start..]
        .chars()
        .take_while(char::is_ascii_hexdigit)
        .collect();
    let level = u32::from_str_radix(&hex, 16).ok()?;
    FEATURE_LEVELS
        .iter()
        .find(|(known, _)| *known == level)
        .and_then(|(_, version)| version.parse().ok())
}

/// The innermost frame in an installed package other than numpy, else the last
/// `import` statement shown that is not numpy's.
fn culprit_module(lines: &[&str]) -> Option<String> {
    // Pasted tracebacks often lose their line breaks: several frames can share a line.
    let frames: Vec<String> = lines.iter().flat_map(|line| frame_paths(line)).collect();
    let from_frames = frames.iter().rev().find_map(|path| {
        let module = installed_module(path)?;
        (!is_numpy_or_runtime(&module)).then_some(module)
    });
    from_frames.or_else(|| {
        lines.iter().rev().find_map(|line| {
            let statement = line.trim();
            let module = statement
                .strip_prefix("from ")
                .and_then(|rest| rest.split_whitespace().next())
                .or_else(|| {
                    statement
                        .strip_prefix("import ")
                        .and_then(|rest| rest.split([' ', ',']).next())
                })?;
            (!module.is_empty() && !is_numpy_or_runtime(module)).then(|| module.to_string())
        })
    })
}

/// The paths of the `File "...", line N` frames on a line.
fn frame_paths(line: &str) -> Vec<String> {
    line.split("File \"")
        .skip(1)
        .filter_map(|rest| rest.find('"').map(|end| rest[..end].replace('\\', "/")))
        .collect()
}

/// `.../site-packages/pandas/_libs/lib.py` → `pandas._libs.lib`.
fn installed_module(path: &str) -> Option<String> {
    let marker = ["site-packages/", "dist-packages/"]
        .iter()
        .find_map(|marker| path.rfind(marker).map(|at| at + marker.len()))?;
    let relative = &path[marker..];
    let without_suffix = relative.split_once('.').map_or(relative, |(stem, _)| stem);
    let module = without_suffix
        .trim_end_matches("/__init__")
        .replace('/', ".");
    (!module.is_empty()).then_some(module)
}

fn is_numpy_or_runtime(module: &str) -> bool {
    let top = module.split('.').next().unwrap_or(module);
    matches!(
        top,
        "numpy" | "importlib" | "_frozen_importlib" | "runpy" | "IPython" | "ipykernel" | "site"
    )
}
