//! conda `environment.yml`: the `pip:` section and the `numpy` pin.

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
