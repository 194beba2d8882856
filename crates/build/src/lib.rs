//! A PEP 517 build frontend, the one part of npsolve that runs package code, and only when the
//! user asked for a build (`--allow-build`).
//!
//! It owns the processes: a build environment made with a real interpreter
//! ([`Frontend::environment`]: `python -m venv --without-pip`), wheels installed into it with
//! the interpreter's pip or with uv ([`BuildEnvironment::install`]), and a backend's hooks run
//! in the source tree ([`BuildEnvironment::requires_for_build_wheel`],
//! [`BuildEnvironment::wheel_metadata`]: `prepare_metadata_for_build_wheel`, else
//! `build_wheel`), each under a timeout. It does not fetch, resolve, unpack archives or
//! cache: the `npsolve` library resolves the build requirements, downloads their wheels,
//! unpacks the sdist and keeps the result.

mod environment;
mod error;
mod hooks;
mod run;

pub use environment::{BuildEnvironment, Frontend, Installer};
pub use error::BuildError;
pub use hooks::Backend;
