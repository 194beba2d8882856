//! NumPy ABI knowledge for npsolve: what a wheel's compiled modules were built
//! against ([`BuildFact`]), the one policy turning that into the NumPy versions
//! the wheel can run with ([`numpy_runtime_range`]), the curated facts shipped
//! in `data/numpy-abi.toml` ([`Facts`]), and the reasons given to users
//! ([`AbiReason`], [`AbiConstraint`]).
//!
//! This crate is pure: it does no IO beyond parsing text and bytes handed to
//! it. It does not fetch wheels (that is `npsolve-index`) nor decide a
//! resolution (that is `npsolve-resolver`). Its principal type is [`Facts`].

mod build_fact;
mod curated_fact;
mod error;
mod facts;
mod loader;
mod policy;
mod reason;
mod tag_pattern;

pub use build_fact::BuildFact;
pub use curated_fact::CuratedFact;
pub use error::{FactsError, FactsErrorKind};
pub use facts::Facts;
pub use policy::numpy_runtime_range;
pub use reason::{AbiConstraint, AbiReason, FactOrigin, constraint_for};
