//! Reading one compiled module's bytes for the NumPy headers it was built with.
//!
//! The markers are string literals that NumPy's generated headers (and the
//! Cython, pybind11 and rust-numpy bindings) put in `.rodata`; they are the
//! same on ELF, Mach-O and PE. See `docs/abi-data.md` and the shared
//! `numpy-abi.md`, section 4.

use std::sync::OnceLock;

use aho_corasick::AhoCorasick;
use pep440_rs::Version;

use crate::api_version::first_numpy_with_api;
use crate::feature_check::numpy1_feature_version;

/// The marker literals, in the order of [`Marker`].
const MARKERS: [&[u8]; 13] = [
    b"_ARRAY_API",
    b"_ARRAY_API not found",
    b"module compiled against API version 0x%x but this version of numpy is 0x%x",
    b"numpy._core._multiarray_umath",
    b"module was compiled against NumPy C-API version 0x%x (NumPy ",
    b"numpy.core.multiarray failed to import\0",
    b"numpy._core.multiarray failed to import\0",
    b"NumpyVersion",
    b"numpy.core.multiarray",
    b"/numpy-",
    b"/rustc/",
    b"PyImport_Import",
    b"PyCapsule_GetPointer",
];

/// Indexes into [`MARKERS`].
#[derive(Clone, Copy)]
enum Marker {
    ArrayApi = 0,
    ArrayApiNotFound = 1,
    Numpy1VersionCheck = 2,
    CoreModule2 = 3,
    Numpy2VersionCheck = 4,
    CythonImport1 = 5,
    CythonImport2 = 6,
    PybindRuntimeSwitch = 7,
    LegacyMultiarray = 8,
    CratePath = 9,
    RustStd = 10,
    PythonImport = 11,
    CapsuleGetPointer = 12,
}

/// The first rust-numpy release that reads NumPy 2 layouts.
const RUST_NUMPY_FIXED: [u64; 2] = [0, 22];

/// What one compiled module reveals about the NumPy it was built with.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ModuleEvidence {
    /// `_ARRAY_API` appears: the module uses NumPy's C-API table.
    pub uses_capi: bool,
    /// The header major read from NumPy's own import code (1 or 2).
    pub header_major: Option<u64>,
    /// The oldest NumPy the module accepts: `(NumPy X.Y)` in 2.x builds, the
    /// feature-version immediate in 1.x builds (x86-64 and arm64 only).
    pub floor: Option<Version>,
    /// The major of the `.pxd` a Cython `cimport numpy` was compiled with.
    pub cython_major: Option<u64>,
    /// pybind11 >= 2.12: it picks the NumPy major at run time.
    pub pybind11_runtime_switch: bool,
    /// pybind11 < 2.12 signature: C-API table via `numpy.core.multiarray`,
    /// no NumPy header import code, no run-time switch.
    pub pybind11_legacy: bool,
    /// The rust-numpy crate version, when its source paths are embedded.
    pub rust_numpy: Option<Version>,
    /// Rust standard-library paths (`/rustc/<commit>/library/...`): a Rust module, so a
    /// legacy C-API signature without a crate version is rust-numpy < 0.22, not pybind11.
    pub rust: bool,
}

/// The automaton, built once.
fn automaton() -> &'static AhoCorasick {
    static AUTOMATON: OnceLock<AhoCorasick> = OnceLock::new();
    AUTOMATON.get_or_init(|| match AhoCorasick::new(MARKERS) {
        Ok(automaton) => automaton,
        // Fixed, valid literals: construction only fails on size limits far above these.
        Err(error) => unreachable!("marker automaton: {error}"),
    })
}

impl ModuleEvidence {
    /// Reads a module's bytes (a `.so`, `.pyd`, `.dll` or `.dylib`) in one go;
    /// the same as feeding them to a [`ModuleScanner`] in any number of pieces.
    pub fn scan(bytes: &[u8]) -> ModuleEvidence {
        let mut scanner = ModuleScanner::new();
        scanner.feed(bytes);
        scanner.finish()
    }

    /// Whether this module alone settles the wheel's verdict (a NumPy header
    /// marker, or a binding that implies one).
    pub fn is_decisive(&self) -> bool {
        self.header_major.is_some()
            || self.pybind11_runtime_switch
            || self.pybind11_legacy
            || self.rust_numpy.is_some()
    }

    /// Whether the rust-numpy version embedded predates NumPy 2 support.
    pub(crate) fn legacy_rust_numpy(&self) -> Option<&Version> {
        self.rust_numpy
            .as_ref()
            .filter(|version| version.release() < RUST_NUMPY_FIXED.as_slice())
    }
}

/// How many bytes of one piece are kept to be read again with the next: the
/// longest marker plus what is read after it (a version, a crate path, the
/// argument load of the feature check), rounded to keep 4-byte alignment.
const OVERLAP: usize = 256;

/// How many leading bytes hold the ELF header and its program headers (64 of them at most).
const HEAD_LEN: usize = 64 + 64 * 56;

/// Reads one module as a stream of pieces (inflated zip data as it arrives),
/// with one multi-pattern automaton; a marker split across two pieces is found.
///
/// Feed pieces with [`feed`](Self::feed), ask [`is_settled`](Self::is_settled)
/// to stop early, and [`finish`](Self::finish) for the evidence.
#[derive(Debug, Clone, Default)]
pub struct ModuleScanner {
    /// Which markers were seen.
    seen: [bool; MARKERS.len()],
    /// The highest `(NumPy X.Y)` floor read from a 2.x version check.
    numpy2_floor: Option<Version>,
    /// The highest rust-numpy crate version read from a source path.
    rust_numpy: Option<Version>,
    /// The highest feature version read from a 1.x feature check.
    feature_version: Option<u32>,
    /// The last bytes of the previous pieces, read again with the next one.
    tail: Vec<u8>,
    /// The module offset of `tail[0]` (a multiple of 4).
    tail_offset: u64,
    /// Bytes fed so far.
    fed: u64,
    /// Where the names of imported symbols end (see `elf_layout.rs`), once known.
    import_names_end: Option<u64>,
    /// Whether the start of the module was looked at for `import_names_end`.
    head_read: bool,
    /// The first bytes, until [`HEAD_LEN`] of them are there.
    head: Vec<u8>,
    /// Whether a Python import name (`PyImport_Import*`, `PyCapsule_GetPointer`) was seen
    /// before `import_names_end`.
    imports_python: bool,
}

impl ModuleScanner {
    /// A scanner at the start of a module.
    pub fn new() -> ModuleScanner {
        ModuleScanner::default()
    }

    /// Reads the next piece of the module.
    pub fn feed(&mut self, piece: &[u8]) {
        if piece.is_empty() {
            return;
        }
        if !self.head_read {
            // The ELF and program headers, gathered across pieces however small.
            let want = HEAD_LEN.saturating_sub(self.head.len());
            self.head
                .extend_from_slice(piece.get(..want.min(piece.len())).unwrap_or_default());
            if self.head.len() >= HEAD_LEN {
                self.head_read = true;
                self.import_names_end = crate::elf_layout::import_names_end(&self.head);
                self.head = Vec::new();
            }
        }
        self.fed += piece.len() as u64;
        if self.tail.is_empty() {
            let offset = self.tail_offset;
            self.read_region(piece, offset, false);
        } else {
            let mut region = std::mem::take(&mut self.tail);
            region.extend_from_slice(piece);
            let offset = self.tail_offset;
            self.read_region(&region, offset, false);
        }
    }

    /// Bytes fed so far.
    pub fn bytes_fed(&self) -> u64 {
        self.fed
    }

    /// Whether reading further cannot change this module's evidence in a way
    /// the verdict depends on: a NumPy header major with its floor, or a
    /// binding that picks the NumPy major at run time.
    pub fn is_settled(&self) -> bool {
        if self.never_calls_python() {
            return true;
        }
        let has = |marker: Marker| self.seen[marker as usize];
        let numpy1 = has(Marker::ArrayApiNotFound) || has(Marker::Numpy1VersionCheck);
        let numpy2 = has(Marker::CoreModule2) || has(Marker::Numpy2VersionCheck);
        match (numpy1, numpy2) {
            (true, false) => self.feature_version.is_some(),
            (false, true) => self.numpy2_floor.is_some(),
            (true, true) => true,
            (false, false) => has(Marker::ArrayApi) && has(Marker::PybindRuntimeSwitch),
        }
    }

    /// Whether the module's imported symbol names were all read and none is Python's: a plain
    /// library (loaded with `ctypes`, or linked by another module) that cannot use NumPy's
    /// C-API, whatever the rest of it holds.
    pub fn never_calls_python(&self) -> bool {
        // The tail kept for the next piece has been searched too, except its last bytes:
        // a name that starts there is found with the next piece, so wait for OVERLAP more.
        self.import_names_end
            .is_some_and(|end| self.fed >= end + OVERLAP as u64 && !self.imports_python)
    }

    /// Reads what is left and returns the module's evidence.
    pub fn finish(mut self) -> ModuleEvidence {
        let tail = std::mem::take(&mut self.tail);
        let offset = self.tail_offset;
        self.read_region(&tail, offset, true);
        self.evidence()
    }

    /// Reads `region` (module bytes from `offset`): markers starting before
    /// the kept tail are counted now, the rest with the next piece (or now,
    /// when `last`). Keeps the tail for the next call.
    fn read_region(&mut self, region: &[u8], offset: u64, last: bool) {
        let keep_from = if last {
            region.len()
        } else {
            // Keep at least OVERLAP bytes, starting at a 4-aligned module offset
            // so arm64 instruction words stay aligned.
            let end = offset + region.len() as u64;
            let keep = end.saturating_sub(OVERLAP as u64);
            let keep = (keep - keep % 4).max(offset);
            usize::try_from(keep - offset)
                .unwrap_or(0)
                .min(region.len())
        };
        for found in automaton().find_overlapping_iter(region) {
            if !last && found.start() >= keep_from {
                continue;
            }
            let index = found.pattern().as_usize();
            if index == Marker::PythonImport as usize || index == Marker::CapsuleGetPointer as usize
            {
                if self
                    .import_names_end
                    .is_none_or(|end| offset + (found.start() as u64) < end)
                {
                    self.imports_python = true;
                }
                continue;
            }
            self.seen[index] = true;
            let rest = region.get(found.end()..).unwrap_or_default();
            if index == Marker::Numpy2VersionCheck as usize {
                if let Some(floor) = leading_version(rest, b')') {
                    self.numpy2_floor = self.numpy2_floor.take().max(Some(floor));
                }
            } else if index == Marker::CratePath as usize
                && let Some(version) = leading_version(rest, b'/')
                && rest
                    .get(version.to_string().len()..)
                    .is_some_and(|tail| tail.starts_with(b"/src/"))
            {
                self.rust_numpy = self.rust_numpy.take().max(Some(version));
            }
        }
        // Call sites in the kept tail are read twice; the maximum does not mind.
        self.feature_version = self.feature_version.max(numpy1_feature_version(region));
        if !last {
            self.tail = region.get(keep_from..).unwrap_or_default().to_vec();
            self.tail_offset = offset + keep_from as u64;
        }
    }

    /// The evidence from what was read so far.
    fn evidence(&self) -> ModuleEvidence {
        if self.never_calls_python() {
            return ModuleEvidence::default();
        }
        let has = |marker: Marker| self.seen[marker as usize];
        let mut evidence = ModuleEvidence {
            uses_capi: has(Marker::ArrayApi),
            rust_numpy: self.rust_numpy.clone(),
            rust: has(Marker::RustStd),
            ..ModuleEvidence::default()
        };
        let numpy1 = has(Marker::ArrayApiNotFound) || has(Marker::Numpy1VersionCheck);
        let numpy2 = has(Marker::CoreModule2) || has(Marker::Numpy2VersionCheck);
        evidence.header_major = match (numpy1, numpy2) {
            (true, false) => Some(1),
            (false, true) => Some(2),
            // Both in one module: never seen; keep the stricter reading.
            (true, true) => Some(1),
            (false, false) => None,
        };
        evidence.floor = match evidence.header_major {
            Some(2) => self.numpy2_floor.clone(),
            Some(1) => self.feature_version.and_then(first_numpy_with_api),
            _ => None,
        };
        evidence.cython_major = match (has(Marker::CythonImport1), has(Marker::CythonImport2)) {
            (true, false) => Some(1),
            (false, true) => Some(2),
            _ => None,
        };
        evidence.pybind11_runtime_switch = evidence.uses_capi && has(Marker::PybindRuntimeSwitch);
        evidence.pybind11_legacy = evidence.uses_capi
            && evidence.header_major.is_none()
            && has(Marker::LegacyMultiarray)
            && !has(Marker::PybindRuntimeSwitch);
        evidence
    }
}

/// A dotted version at the start of `bytes`, ended by `terminator`.
fn leading_version(bytes: &[u8], terminator: u8) -> Option<Version> {
    let end = bytes.iter().take(32).position(|&b| b == terminator)?;
    let text = std::str::from_utf8(bytes.get(..end)?).ok()?;
    if text.is_empty() || !text.bytes().all(|b| b.is_ascii_digit() || b == b'.') {
        return None;
    }
    text.parse().ok()
}
