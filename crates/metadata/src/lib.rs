//! Core metadata, the `METADATA` file of a wheel and the `PKG-INFO` of an sdist
//! ([`CoreMetadata`], [`parse_core_metadata`]): name, version, `Requires-Dist`,
//! `Requires-Python`, `Provides-Extra` and `Dynamic`, read leniently where the ecosystem is
//! lenient and with a typed error ([`MetadataError`]) where it is not.
//!
//! [`sdist_static`] reads a source distribution's dependencies from its files (PKG-INFO,
//! egg-info, `pyproject.toml`, `setup.cfg`, `setup.py`) without running anything;
//! [`tree_identity`] reads a source tree's name and version the same way.
//!
//! This crate only parses bytes it is handed: the index client (`npsolve-index`) fetches
//! them over HTTP and the environment reader (`npsolve-environment`) reads them from disk,
//! and neither has to bring the other's dependencies along.

mod core_metadata;
mod error;
mod lenient;
mod requirement_text;
pub mod sdist_static;
mod source_tree;

pub use core_metadata::{CoreMetadata, MetadataParser, header_block, parse_core_metadata};
pub use error::MetadataError;
pub use lenient::relax_specifiers;
pub use requirement_text::{RequirementTextError, parse_requirement};
pub use sdist_static::{
    BuildSystem, NoStaticMetadata, SdistMembers, StaticSource, static_metadata,
};
pub use source_tree::{TreeIdentity, tree_identity};
