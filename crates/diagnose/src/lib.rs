//! Diagnosing NumPy ABI breaks after the fact, from what the user already has.
//!
//! This crate owns reading a pasted traceback or log ([`explain_traceback`]): which of
//! NumPy's binary-incompatibility errors it shows, which module raised it, and which
//! distribution most likely owns that module. It is pure text processing; it does not
//! read environments or the index, and it does not decide fixes (the CLI combines a
//! [`Diagnosis`] with the curated facts of `npsolve-abi`). Reading an installed
//! environment belongs to `npsolve-environment`.

mod module_owner;
mod traceback;

pub use module_owner::distribution_for_module;
pub use traceback::{AbiErrorKind, Diagnosis, explain_traceback};
