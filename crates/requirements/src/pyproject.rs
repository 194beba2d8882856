//! `pyproject.toml`: `[project]` dependencies, extras, PEP 735 groups, `requires-python`.

use std::path::Path;

use crate::error::InputError;
use crate::model::RequirementsInput;
use crate::options::ReadOptions;

pub(crate) fn parse(
    _text: &str,
    _path: &Path,
    _options: &ReadOptions,
) -> Result<RequirementsInput, InputError> {
    Ok(RequirementsInput::default())
}
