//! The package index client: npsolve's only view of the outside world, and its only crate that
//! speaks HTTP.
//!
//! It owns the simple-API protocols (PEP 503 HTML, PEP 691 JSON, PEP 592 yanks, PEP 658/714
//! metadata files, PEP 700 sizes and upload times), `file://` mirrors and `--find-links`,
//! reading core metadata by the cheapest means (a `.metadata` file, HTTP range requests into
//! the wheel, the whole wheel, an sdist's static PKG-INFO), and the disk cache. It never runs
//! package code and never builds anything; platform tags and file names belong to
//! `npsolve-platform`, choosing versions to the resolver. The principal type is [`IndexClient`]:
//! `project(name)` for a project's files (`project_listing(name)`: the same, held compact
//! and read in place, cheap to read in bulk), `metadata(file)` for one file's dependencies.
//! `scan_wheel(file)` reads which NumPy a wheel was built against from its binaries by range
//! requests ([`WheelScanReport`]). [`snapshot::write_snapshot`] writes a static mirror used as a test fixture.

mod byte_range;
mod cache;
mod client;
mod credentials;
mod dist_file;
mod error;
mod file_metadata;
mod find_links;
mod http;
mod listing;
mod locations;
mod options;
mod page;
mod project_page;
mod safe_url;
mod sdist_archive;
pub mod snapshot;
mod stats;
#[doc(hidden)]
pub mod untrusted;
mod verdict_cache;
mod wheel_members;
mod wheel_sources;
mod wheel_tags;
mod zip_archive;

pub use cache::sha256_hex;
pub use client::{BuildRecord, IndexClient};
pub use dist_file::{CoreMetadataHint, DistFile, Hashes, Project, url_filename};
pub use error::IndexError;
pub use listing::{FileFit, FileId, FileView, ListedRelease, ProjectListing};
pub use locations::{FindLinks, IndexUrl, PYPI_SIMPLE};
pub use npsolve_metadata::{CoreMetadata, MetadataError, parse_core_metadata};
pub use options::{CacheOptions, ClientOptions, Refresh, parse_exclude_newer};
pub use safe_url::{SafeUrl, mask_text};
pub use sdist_archive::{read_members as sdist_members, unpack_sdist};
pub use stats::ClientStats;
pub use wheel_members::{ScanOptions, VerdictSource, WheelScanReport};
pub use wheel_sources::{SourceMember, SourceOptions, WheelSources};
pub use wheel_tags::WheelTags;
