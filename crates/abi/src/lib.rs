//! NumPy ABI knowledge for npsolve: what a wheel's compiled modules were built
//! against ([`BuildFact`]), the one policy turning that into the NumPy versions
//! the wheel can run with ([`numpy_runtime_range`]), the curated facts shipped
//! in `data/numpy-abi.toml` ([`Facts`]), and the reasons given to users
//! ([`AbiReason`], [`AbiConstraint`]); and the binary scanner that reads the
//! same facts from a wheel's compiled modules, whole or as a stream
//! ([`ModuleEvidence`], [`ModuleScanner`], [`WheelScan`]), with the table of
//! verdicts it produced for popular wheels ([`Verdicts`], keyed by sha256); and the one
//! rule that merges what every source says about a wheel ([`merge_verdicts`]).
//!
//! This crate is pure: it does no IO beyond parsing text and bytes handed to
//! it. It does not fetch wheels or read zip archives (that is `npsolve-index`)
//! nor decide a resolution (that is `npsolve-resolver`). Its principal type is
//! [`Facts`].

mod api_version;
mod build_fact;
mod curated_fact;
mod elf_layout;
mod error;
mod facts;
mod feature_check;
mod loader;
mod merged_verdict;
mod module_scan;
mod policy;
mod reason;
mod source_build;
mod tag_pattern;
mod verdict_table;
mod wheel_scan;

pub use build_fact::BuildFact;
pub use curated_fact::CuratedFact;
pub use error::{FactsError, FactsErrorKind, VerdictTableError};
pub use facts::Facts;
pub use merged_verdict::{MergedVerdict, SourceKind, SourceVerdict, merge_verdicts};
pub use module_scan::{ModuleEvidence, ModuleScanner};
pub use policy::numpy_runtime_range;
pub use reason::{AbiConstraint, AbiReason, FactOrigin, constraint_for};
pub use source_build::{PredictedBuild, predict_source_build};
pub use verdict_table::{ScannedWheel, VERDICT_COLUMNS, Verdicts};
pub use wheel_scan::{WheelScan, WheelVerdict, is_candidate_module, reading_order};
