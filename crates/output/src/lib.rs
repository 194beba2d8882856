//! Output formats: the files npsolve writes for people and for installers.
//!
//! This crate owns the text of every file npsolve produces: pinned
//! `requirements.txt` in the shape `uv pip compile` and `pip-compile` print
//! ([`RequirementsTxt`]), PEP 751 `pylock.toml` ([`render_pylock`]), the reports of
//! `npsolve check` ([`render_check`]) and `npsolve doctor` ([`render_doctor_text`],
//! [`render_doctor_json`]) and `npsolve scan` ([`render_scan_text`], [`render_scan_json`]),
//! the one-line status messages of a resolution ([`unchecked_warning`], [`scan_summary`]),
//! and writing any output atomically
//! ([`write_atomic`]) so a failed run never leaves a partial file. It does not
//! resolve anything: it renders a [`npsolve_resolver::Resolution`].

mod api_breaks;
mod atomic;
mod check_report;
mod doctor_report;
mod explanation;
mod header;
mod package_facts;
mod pylock;
mod requirements_txt;
mod scan_report;
mod status;

pub use api_breaks::render_api_breaks;
pub use atomic::{OutputError, write_atomic};
pub use check_report::{CheckFormat, render_check};
pub use doctor_report::{render_doctor_json, render_doctor_text};
pub use explanation::{render_explanation_json, render_explanation_text};
pub use header::header_command;
pub use package_facts::render_package_facts;
pub use pylock::{
    PylockError, PylockOptions, render_pylock, render_universal_pylock, universal_options,
};
pub use requirements_txt::{AnnotationStyle, HashMode, RequirementsTxt};
pub use scan_report::{render_scan_json, render_scan_text};
pub use status::{api_warnings, scan_summary, unchecked_warning, walked_back_warnings};
