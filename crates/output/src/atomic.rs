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
///
/// A path that exists but is not a regular file (`/dev/null`, `/dev/stdout`, a FIFO) is
/// written in place: renaming over it would replace the device with a file. A symbolic
/// link is followed, so the file it points to is replaced, not the link.
pub fn write_atomic(path: &Path, contents: &[u8]) -> Result<(), OutputError> {
    let error = |source| OutputError {
        path: path.to_path_buf(),
        source,
    };
    // Followed through a symbolic link, so it is also the metadata of the file replaced.
    let existing = std::fs::metadata(path).ok();
    if let Some(metadata) = &existing
        && !metadata.is_file()
    {
        let mut target = std::fs::OpenOptions::new()
            .write(true)
            .open(path)
            .map_err(error)?;
        return target.write_all(contents).map_err(error);
    }
    let resolved = std::fs::canonicalize(path).ok();
    let path = resolved.as_deref().unwrap_or(path);
    let directory = match path.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent,
        _ => Path::new("."),
    };
    let mut builder = tempfile::Builder::new();
    builder.prefix(".npsolve-").suffix(".tmp");
    // A temporary file is private (0600); an output file is not: others (an installer
    // running as another user in a container build) must read it. A new file gets the
    // usual mode (0666 less the umask, which the kernel applies at creation); a file
    // replaced keeps its mode.
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        builder.permissions(std::fs::Permissions::from_mode(0o666));
    }
    let mut file = builder.tempfile_in(directory).map_err(error)?;
    if let Some(metadata) = existing {
        file.as_file()
            .set_permissions(metadata.permissions())
            .map_err(error)?;
    }
    file.write_all(contents).map_err(error)?;
    file.as_file().sync_all().map_err(error)?;
    file.persist(path).map_err(|persist| error(persist.error))?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::write_atomic;

    #[test]
    fn replaces_files_but_writes_devices_in_place() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("out.txt");
        std::fs::write(&file, "old").unwrap();
        write_atomic(&file, b"new").unwrap();
        assert_eq!(std::fs::read_to_string(&file).unwrap(), "new");
        #[cfg(unix)]
        {
            let link = dir.path().join("link.txt");
            std::os::unix::fs::symlink(&file, &link).unwrap();
            write_atomic(&link, b"through the link").unwrap();
            assert!(
                std::fs::symlink_metadata(&link)
                    .unwrap()
                    .file_type()
                    .is_symlink()
            );
            assert_eq!(std::fs::read_to_string(&file).unwrap(), "through the link");
            write_atomic(std::path::Path::new("/dev/null"), b"discarded").unwrap();
            use std::os::unix::fs::PermissionsExt;
            let mode = |path: &std::path::Path| {
                std::fs::metadata(path).unwrap().permissions().mode() & 0o777
            };
            // Replaced files keep their mode, whatever it was (new files: tests/it/output.rs,
            // which sets the umask of the process it runs).
            let fresh = dir.path().join("fresh.txt");
            write_atomic(&fresh, b"new").unwrap();
            std::fs::set_permissions(&fresh, std::fs::Permissions::from_mode(0o640)).unwrap();
            write_atomic(&fresh, b"newer").unwrap();
            assert_eq!(mode(&fresh), 0o640);
            assert!(!std::fs::metadata("/dev/null").unwrap().is_file());
        }
    }
}
