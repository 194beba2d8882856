//! Combining the evidence of a wheel's modules into one build fact.

use std::fmt::Write as _;

use pep440_rs::Version;

use crate::{BuildFact, ModuleEvidence};

/// Whether a wheel member is a compiled module worth reading: `.so` (also
/// versioned, `libfoo.so.1`), `.pyd`, `.dll`, `.dylib`, outside the vendored
/// library folders (`*.libs/`, `.dylibs/`) that auditwheel and delocate add.
pub fn is_candidate_module(path: &str) -> bool {
    let lower = path.to_ascii_lowercase();
    let vendored = lower
        .split('/')
        .rev()
        .skip(1)
        .any(|folder| folder.ends_with(".libs") || folder == ".dylibs");
    if vendored || lower.ends_with('/') {
        return false;
    }
    let file = lower.rsplit('/').next().unwrap_or(&lower);
    [".pyd", ".dll", ".dylib", ".so"]
        .iter()
        .any(|suffix| file.ends_with(suffix))
        || file.contains(".so.")
}

/// The order to read candidate modules in, smallest first (cheapest to
/// fetch; typical extension modules decide the verdict), ties by path.
pub fn reading_order<'a>(members: impl IntoIterator<Item = (&'a str, u64)>) -> Vec<&'a str> {
    let mut candidates: Vec<(&str, u64)> = members
        .into_iter()
        .filter(|(path, _)| is_candidate_module(path))
        .collect();
    candidates.sort_by(|a, b| a.1.cmp(&b.1).then_with(|| a.0.cmp(b.0)));
    candidates.into_iter().map(|(path, _)| path).collect()
}

/// The modules read so far from one wheel, and what they add up to.
#[derive(Debug, Clone, Default)]
pub struct WheelScan {
    modules: Vec<(String, ModuleEvidence)>,
}

/// A wheel's verdict: the fact and the evidence behind it, in words.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WheelVerdict {
    /// What the wheel's binaries were built against.
    pub fact: BuildFact,
    /// What was found where, e.g. ``numpy 2.x headers (floor 1.20) in `pandas/_libs/lib.so` ``.
    pub evidence: String,
    /// The module that decided the verdict, when one did.
    pub module: Option<String>,
}

impl WheelScan {
    /// An empty scan.
    pub fn new() -> WheelScan {
        WheelScan::default()
    }

    /// Adds the evidence read from the module at `path`.
    pub fn add(&mut self, path: &str, evidence: ModuleEvidence) {
        self.modules.push((path.to_string(), evidence));
    }

    /// Reads `bytes` as the module at `path` and adds what it shows.
    pub fn scan_module(&mut self, path: &str, bytes: &[u8]) -> &ModuleEvidence {
        self.modules
            .push((path.to_string(), ModuleEvidence::scan(bytes)));
        match self.modules.last() {
            Some((_, evidence)) => evidence,
            None => unreachable!("just pushed"),
        }
    }

    /// How many modules were read.
    pub fn modules_read(&self) -> usize {
        self.modules.len()
    }

    /// Whether the modules read so far settle both the major and the floor, so the caller
    /// can stop fetching: a module with NumPy's own header code whose floor was read (within
    /// one wheel the header markers always agreed in every sample); a floor of 2.0 or more
    /// (NumPy-2-only) needs a second module to confirm it. A binding signature
    /// alone (pybind11, rust-numpy) or a Cython size check does not: another module may
    /// carry NumPy's headers, which make the wheel loud and give the floor. Proving
    /// [`BuildFact::NoCapi`] needs every candidate module.
    pub fn is_decided(&self) -> bool {
        let numpy2_only = Version::new([2]);
        let mut confirmed_numpy2_only = 0;
        for (_, evidence) in &self.modules {
            let Some(floor) = evidence
                .floor
                .as_ref()
                .filter(|_| evidence.header_major.is_some())
            else {
                continue;
            };
            if *floor < numpy2_only {
                return true;
            }
            // A NumPy-2-only module may be an optional extra beside modules that accept
            // NumPy 1.x (h5py's `_npystrings`): a second one confirms it.
            confirmed_numpy2_only += 1;
            if confirmed_numpy2_only >= 2 {
                return true;
            }
        }
        false
    }

    /// Whether a module read so far decides the major (a NumPy header marker, or a binding
    /// that implies one), even if the floor is still unknown: what a scan that must stop
    /// early (its byte budget spent) can still say.
    pub fn knows_major(&self) -> bool {
        self.modules
            .iter()
            .any(|(_, evidence)| evidence.is_decisive())
    }

    /// The verdict from the modules read so far. Call it after every
    /// candidate module was added (or [`is_decided`](Self::is_decided)):
    /// with none carrying NumPy markers the answer is [`BuildFact::NoCapi`].
    pub fn verdict(&self) -> WheelVerdict {
        let mut numpy1: Option<MajorSeen<'_>> = None;
        let mut numpy2: Option<MajorSeen<'_>> = None;
        let mut silent: Option<(String, &str)> = None;
        let mut capi_unknown: Option<&str> = None;
        let mut runtime_switch: Option<&str> = None;
        for (path, evidence) in &self.modules {
            // NumPy's own import code decides; a Cython `cimport numpy` size
            // check alone (no C-API table) still breaks across majors.
            let major = evidence.header_major.or(evidence
                .cython_major
                .filter(|_| !evidence.pybind11_runtime_switch));
            if let Some(version) = evidence.legacy_rust_numpy() {
                silent.get_or_insert((format!("rust-numpy {version}"), path));
            } else if evidence.pybind11_legacy {
                let binding = if evidence.rust {
                    "rust-numpy < 0.22"
                } else {
                    "pybind11 < 2.12"
                };
                silent.get_or_insert((binding.to_string(), path));
            }
            match major {
                Some(1) => merge(&mut numpy1, evidence, path),
                Some(2) => merge(&mut numpy2, evidence, path),
                _ if evidence.pybind11_runtime_switch || evidence.rust_numpy.is_some() => {
                    runtime_switch.get_or_insert(path);
                }
                _ if evidence.uses_capi && !evidence.pybind11_legacy => {
                    capi_unknown.get_or_insert(path);
                }
                _ => {}
            }
        }
        let mut evidence = String::new();
        let mut module: Option<&str> = None;
        let fact = if let Some(seen) = numpy1 {
            module = Some(seen.path);
            evidence.push_str(&marked_by(&seen, 1));
            if let Some(floor) = &seen.floor {
                let _ = write!(evidence, " (feature level of NumPy {floor})");
            }
            // A wheel mixing majors can only run where both halves can: the
            // 1.x bound, with the higher floor.
            let floor = match numpy2 {
                Some(seen2) => {
                    let _ = write!(evidence, ", but {}", marked_by(&seen2, 2));
                    seen.floor.max(seen2.floor)
                }
                None => seen.floor,
            };
            BuildFact::Numpy1 { floor }
        } else if let Some((binding, path)) = silent {
            module = Some(path);
            let _ = write!(evidence, "{binding} signature in `{path}`");
            BuildFact::Numpy1Silent { binding }
        } else if let Some(seen) = numpy2 {
            module = Some(seen.path);
            evidence.push_str(&marked_by(&seen, 2));
            let mut exception = String::new();
            let floor = self.numpy2_floor(&mut exception);
            if let Some(floor) = &floor {
                let _ = write!(evidence, " (NPY_TARGET_VERSION {floor})");
            }
            evidence.push_str(&exception);
            BuildFact::Numpy2 { floor }
        } else if let Some(path) = runtime_switch {
            module = Some(path);
            let _ = write!(
                evidence,
                "a binding that picks the NumPy major at run time in `{path}`"
            );
            BuildFact::Numpy2 { floor: None }
        } else if let Some(path) = capi_unknown {
            module = Some(path);
            let _ = write!(
                evidence,
                "NumPy C-API use without a known header marker in `{path}`"
            );
            BuildFact::Unknown
        } else {
            let _ = write!(
                evidence,
                "no NumPy C-API use in {} compiled modules",
                self.modules.len()
            );
            BuildFact::NoCapi
        };
        WheelVerdict {
            fact,
            evidence,
            module: module.map(str::to_string),
        }
    }
}

impl WheelScan {
    /// The floor of a NumPy-2 build: the highest floor of its header modules, except that
    /// modules built for NumPy 2 only (floor 2.0 or more) beside header modules that accept
    /// NumPy 1.x are taken as optional extras (h5py 3.14's `_npystrings`, imported only
    /// under NumPy 2): the floor is then the highest of the others, and the exception is
    /// named in `evidence`.
    fn numpy2_floor(&self, evidence: &mut String) -> Option<Version> {
        let numpy2_only = Version::new([2]);
        let floors: Vec<(&Version, &str)> = self
            .modules
            .iter()
            .filter(|(_, module)| module.header_major == Some(2))
            .filter_map(|(path, module)| Some((module.floor.as_ref()?, path.as_str())))
            .collect();
        let below = floors
            .iter()
            .filter(|(floor, _)| **floor < numpy2_only)
            .map(|(floor, _)| *floor)
            .max();
        let Some(below) = below else {
            return floors.iter().map(|(floor, _)| (*floor).clone()).max();
        };
        let optional: Vec<&str> = floors
            .iter()
            .filter(|(floor, _)| **floor >= numpy2_only)
            .map(|(_, path)| *path)
            .collect();
        if let Some(first) = optional.first() {
            let _ = write!(
                evidence,
                "; `{first}`{} needs NumPy >= 2 but other modules accept NumPy {below}, so it is taken as optional",
                if optional.len() > 1 {
                    format!(" and {} more", optional.len() - 1)
                } else {
                    String::new()
                }
            );
        }
        Some(below.clone())
    }
}

/// What was seen for one NumPy major: the highest floor, and the first module
/// with what marked it.
struct MajorSeen<'a> {
    floor: Option<Version>,
    path: &'a str,
    headers: bool,
}

/// Keeps the first path and the highest floor seen for one major.
fn merge<'a>(slot: &mut Option<MajorSeen<'a>>, evidence: &ModuleEvidence, path: &'a str) {
    match slot {
        Some(seen) => {
            if evidence.floor > seen.floor {
                seen.floor = evidence.floor.clone();
            }
        }
        None => {
            *slot = Some(MajorSeen {
                floor: evidence.floor.clone(),
                path,
                headers: evidence.header_major.is_some(),
            });
        }
    }
}

/// How a major was recognised, for the evidence text.
fn marked_by(seen: &MajorSeen<'_>, major: u64) -> String {
    if seen.headers {
        format!("NumPy {major}.x headers in `{}`", seen.path)
    } else {
        format!(
            "Cython `cimport numpy` against the NumPy {major}.x .pxd in `{}`",
            seen.path
        )
    }
}
