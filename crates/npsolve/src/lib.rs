//! The npsolve engine as a library: what stands between the index client
//! (`npsolve-index`, async) and the resolver (`npsolve-resolver`, pure and synchronous).
//! [`IndexSource`] is the resolver's `PackageSource` over the index client, bridging the
//! solver's thread to the tokio runtime that fetches ahead; [`WheelAbiOracle`] is its
//! `AbiOracle`, one merged NumPy verdict per wheel from the curated facts, the bundled table
//! and scans that [`WheelScanner`] runs on the runtime's workers. With [`BuildSettings`], an
//! sdist whose metadata only a build tells is built for the packages named (`source_build`:
//! its build requirements resolved by a nested resolution, the hooks run by `npsolve-build`).
//!
//! This crate owns the wiring of the stages, not the stages: it does not parse input files
//! (`npsolve-requirements`), speak HTTP (`npsolve-index`), choose versions
//! (`npsolve-resolver`) or write output files (`npsolve-output`). It knows nothing of a
//! command line: no clap, no environment variables, no process exit codes (that is
//! `npsolve-cli`). Its principal type is [`Engine`]: one runtime, and one call per job
//! ([`Engine::resolve`], [`Engine::check`], [`Engine::doctor`], [`Engine::scan`],
//! [`Engine::snapshot`]) taking plain request structs and returning
//! plain reports.

pub mod abi_facts;
mod abi_oracle;
mod api_audit;
mod api_oracle;
mod direct_dists;
mod doctor;
mod engine;
pub mod explain;
mod file_tasks;
mod index_source;
mod inputs;
pub mod scan;
mod source_build;
mod universal;
mod uses_table;
mod wheel_scanner;
mod wheel_uses;

pub use abi_oracle::{AbiScan, WheelAbiOracle, describe, reason_for, summary};
pub use api_audit::ApiProblem;
pub use api_oracle::{ApiScan, WheelApiOracle, bounds_from_uses};
pub use doctor::{AbiProblem, DoctorReport, DoctorRequest, Fix, Unsatisfied};
pub use engine::{
    CheckRequest, Engine, EngineError, ResolveReport, ResolveRequest, default_resolve_options,
};
pub use index_source::{FileRecords, IndexSource};
pub use inputs::{
    existing_pin_lines, existing_pins, pinned_lines, preferences_from, read_inputs, read_overrides,
    root_requirement, root_requirements,
};
pub use npsolve_build::Installer;
pub use source_build::BuildSettings;
pub use universal::{UniversalReport, UniversalRequest};
pub use uses_table::UsesTable;
pub use wheel_scanner::{ScanStats, WheelScanner};
pub use wheel_uses::{
    UsesScanner, WheelUse, WheelUses, facts_fingerprint, is_runtime_source, read_uses, scan_members,
};
