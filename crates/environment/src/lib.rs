//! What is installed in a Python environment, read from disk: where its site-packages are
//! ([`Location`], [`SitePackages`]), every distribution's `*.dist-info` (METADATA and RECORD,
//! [`InstalledDist`]), and which NumPy each distribution's installed binaries were built
//! against ([`scan_binaries`], with the same scanner `npsolve scan` uses on wheels).
//!
//! It runs the environment's interpreter at most once (to ask where site-packages is) and
//! never imports packages, fetches anything or resolves versions: judging the findings and
//! proposing a fix belong to the CLI's `doctor` with the resolver. The principal type is
//! [`Environment`].

mod binaries;
mod dist_info;
mod environment;
mod error;
mod location;
mod record;

pub use binaries::{BinaryScan, scan_binaries};
pub use dist_info::InstalledDist;
pub use environment::Environment;
pub use error::EnvironmentError;
pub use location::{Location, SitePackages};
pub use record::read_record;
