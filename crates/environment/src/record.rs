//! `RECORD` files (PEP 376 / the wheel spec): the installed files of a distribution.

use std::path::Path;

use crate::error::EnvironmentError;

/// The file paths listed in a `RECORD` (CSV: path, hash, size), relative to site-packages
/// as written.
pub fn read_record(path: &Path) -> Result<Vec<String>, EnvironmentError> {
    let bytes = std::fs::read(path).map_err(|source| EnvironmentError::Io {
        path: path.to_path_buf(),
        source,
    })?;
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(bytes.as_slice());
    let mut files = Vec::new();
    for row in reader.records() {
        let row = row.map_err(|error| EnvironmentError::Malformed {
            path: path.to_path_buf(),
            reason: error.to_string(),
        })?;
        if let Some(file) = row.get(0).filter(|file| !file.is_empty()) {
            files.push(file.to_string());
        }
    }
    Ok(files)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_paths_including_quoted_ones() {
        let dir = tempfile::tempdir().unwrap();
        let record = dir.path().join("RECORD");
        std::fs::write(
            &record,
            "demo/__init__.py,sha256=abc,10\n\"demo/a,b.so\",sha256=def,20\ndemo-1.0.dist-info/RECORD,,\n",
        )
        .unwrap();
        assert_eq!(
            read_record(&record).unwrap(),
            vec![
                "demo/__init__.py",
                "demo/a,b.so",
                "demo-1.0.dist-info/RECORD"
            ]
        );
    }
}
