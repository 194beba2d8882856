//! Targets for npsolve: which Python version and platform a resolution is
//! for, what that environment's PEP 508 markers evaluate to, which wheel tags
//! it accepts (in installer preference order, as `packaging.tags` computes
//! them), and how wheel and sdist filenames parse. Its principal type is
//! [`Target`]; [`DistFilename`] and [`Tags`] are what the index and resolver
//! use to decide which files a target can install.
//!
//! This crate does no network IO and knows nothing of indexes, metadata or
//! NumPy's ABI; the only process it runs is a Python interpreter (or
//! `getconf`/`sw_vers`) when asked to describe a real machine.
//!
//! ```
//! use npsolve_platform::{DistFilename, Target};
//!
//! let target = Target::new("3.12".parse()?, "x86_64-manylinux_2_28".parse()?);
//! let numpy = "numpy".parse()?;
//! let wheel = DistFilename::parse("numpy-2.1.3-cp312-cp312-manylinux_2_17_x86_64.manylinux2014_x86_64.whl", &numpy)?;
//! let DistFilename::Wheel(wheel) = wheel else { unreachable!() };
//! assert!(wheel.compatibility(target.tags()).is_some());
//! // Plain `linux_x86_64` wheels (PyTorch's index) install too, below every manylinux wheel.
//! let local: npsolve_platform::WheelFilename = "torch-2.5.1+cu121-cp312-cp312-linux_x86_64.whl".parse()?;
//! assert!(local.compatibility(target.tags()) < wheel.compatibility(target.tags()));
//! let arm: npsolve_platform::WheelFilename = "torch-2.5.1-cp312-cp312-linux_aarch64.whl".parse()?;
//! assert!(arm.compatibility(target.tags()).is_none());
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod dist_filename;
mod error;
mod interpreter;
mod markers;
mod platform;
mod python_version;
mod sdist_filename;
mod serde_impls;
mod tags;
mod target;
pub mod universal;
mod wheel_filename;

pub use dist_filename::DistFilename;
pub use error::{FilenameError, PlatformError};
pub use platform::{Arch, DEFAULT_MACOS, DEFAULT_MANYLINUX, DEFAULT_MUSLLINUX, Os, Platform};
pub use python_version::PythonVersion;
pub use sdist_filename::{SdistExtension, SdistFilename};
pub use tags::{TagPriority, Tags};
pub use target::Target;
pub use wheel_filename::{BuildTag, WheelFilename};
