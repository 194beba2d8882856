//! Every input a user hands npsolve, read into one typed model: [`RequirementsInput`].
//!
//! This crate owns the file formats people write requirements in: pip's requirements.txt (with
//! includes, constraints, index and binary options, hashes, continuations and `${VAR}`
//! expansion), `pyproject.toml` (`[project]` dependencies, extras, PEP 735 dependency groups,
//! `requires-python`), PEP 751 `pylock.toml` (read back as exact pins, for checking) and
//! conda's `environment.yml` (its `pip:` section and its `numpy` pin).
//! It does not fetch anything, resolve anything or know about NumPy's ABI: every
//! requirement comes out as a [`pep508_rs::Requirement`] tagged with the file and line it came
//! from ([`Origin`]), and every mistake comes out as an [`InputError`] that points at the file,
//! line and column (a [`ParseError`] renders the offending line with a caret underneath).

mod conda;
mod conda_spec;
mod error;
mod model;
mod options;
mod pylock;
mod pyproject;
mod read;
mod requirement;
mod requirements_txt;
mod source;

pub use error::{InputError, ParseError};
pub use model::{
    BinaryOptions, IndexOptions, Origin, PackageSelection, RequirementsInput, SelectionError,
    SourcedRequirement,
};
pub use options::{EnvLookup, ReadOptions};
pub use read::{
    is_pyproject, parse_environment_yml, parse_pyproject, parse_requirements_txt, read_input,
};
