//! Atomic file output: write a temporary file beside the target, then rename.

use std::io::Write;
use std::path::{Path, PathBuf};

/// Writing an output file failed; the previous file, if any, is untouched.
#[derive(Debug, thiserror::Error)]
#[error("cannot write `{}`: {source}", path.display())]
pub struct OutputError {
    /// The file that was to be written.
    pub path: PathBuf,
    /// The underlying IO error.
    #[source]
    pub source: std::io::Error,
}

/// Writes `contents` to `path` atomically: readers see the old file or the new one,
/// never a part of either.
pub fn write_atomic(path: &Path, contents: &[u8]) -> Result<(), OutputError> {
    let error = |source| OutputError {
        path: path.to_path_buf(),
        source,
    };
    let directory = match path.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent,
        _ => Path::new("."),
    };
    let mut file = tempfile::Builder::new()
        .prefix(".npsolve-")
        .suffix(".tmp")
        .tempfile_in(directory)
        .map_err(error)?;
    file.write_all(contents).map_err(error)?;
    file.as_file().sync_all().map_err(error)?;
    file.persist(path).map_err(|persist| error(persist.error))?;
    Ok(())
}
