//! Dependency resolution: PubGrub over index metadata, with NumPy ABI edges.
//!
//! This crate owns the choice of versions for a target: which candidates exist
//! (binary first, pre-release and yanked policy, `Requires-Python`), the dependency
//! edges of each candidate (markers, extras as proxy packages, constraints, and the
//! NumPy ABI bound of the wheel the target would install), and the plain-words
//! explanation when no solution exists. It does no IO: package data comes through
//! the [`PackageSource`] trait and ABI knowledge through [`AbiOracle`], both
//! implemented by the CLI. It does not know file formats (see `npsolve-output`).
//! The principal entry point is [`resolve`], which returns a [`Resolution`];
//! [`verify`] checks an existing set of pins against the same rules.

mod direct;
mod error;
mod memory_source;
mod options;
mod package;
mod provider;
mod report;
mod resolution;
mod resolve;
mod source;
mod specifier_range;
mod verify;

pub use direct::{DirectKind, DirectPin, direct_url, same_url};
pub use error::ResolveError;
pub use memory_source::{MemoryRelease, MemorySource};
pub use options::{
    AbiBound, AbiOracle, ApiBound, PackageSelection, PrereleaseMode, ResolutionStrategy,
    ResolveOptions, RootRequirement,
};
pub use package::PubPackage;
pub use provider::requirement_range;
pub use report::format_range;
pub use resolution::{Pin, Resolution, UniversalPin, UniversalResolution};
pub use resolve::resolve;
pub use source::{
    CandidateLoader, Candidates, DistKey, DistMetadata, DistRef, PackageSource, PackageVersions,
    SourceError, VersionEntry,
};
pub use specifier_range::{specifier_range, specifiers_range};
pub use verify::{PinnedLine, Problem, ProblemKind, verify};
