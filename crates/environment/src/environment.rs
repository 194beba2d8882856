//! An installed environment: its site-packages and every distribution in them.

use pep508_rs::PackageName;

use crate::dist_info::InstalledDist;
use crate::error::EnvironmentError;
use crate::location::{Location, SitePackages};

/// An installed environment.
#[derive(Debug)]
pub struct Environment {
    /// Where it is.
    pub site_packages: SitePackages,
    /// Every distribution with a readable `*.dist-info`, sorted by name (the first found wins
    /// when two folders hold the same name, as Python's import system would).
    pub dists: Vec<InstalledDist>,
    /// dist-info folders that could not be read, with why (reported, not fatal).
    pub unreadable: Vec<EnvironmentError>,
}

impl Environment {
    /// Reads the environment at `location`.
    pub fn read(location: &Location) -> Result<Environment, EnvironmentError> {
        let site_packages = SitePackages::locate(location)?;
        let mut dists: Vec<InstalledDist> = Vec::new();
        let mut unreadable = Vec::new();
        for dir in &site_packages.dirs {
            let Ok(entries) = std::fs::read_dir(dir) else {
                continue;
            };
            let mut folders: Vec<_> = entries
                .filter_map(Result::ok)
                .map(|entry| entry.path())
                .filter(|path| {
                    path.is_dir()
                        && path
                            .file_name()
                            .and_then(|name| name.to_str())
                            .is_some_and(|name| name.ends_with(".dist-info"))
                })
                .collect();
            folders.sort();
            for folder in folders {
                match InstalledDist::read(dir, &folder) {
                    Ok(dist) if dists.iter().all(|known| known.name != dist.name) => {
                        dists.push(dist);
                    }
                    Ok(_) => {}
                    Err(error) => unreadable.push(error),
                }
            }
        }
        dists.sort_by(|a, b| a.name.cmp(&b.name));
        Ok(Environment {
            site_packages,
            dists,
            unreadable,
        })
    }

    /// The installed distribution named `name`.
    pub fn get(&self, name: &PackageName) -> Option<&InstalledDist> {
        self.dists.iter().find(|dist| dist.name == *name)
    }

    /// The distribution whose RECORD lists the module `module` (dotted, e.g.
    /// `pandas._libs.interval`) as a `.py` file, a package `__init__.py` or an extension.
    pub fn owner_of_module(&self, module: &str) -> Option<&InstalledDist> {
        let path = module.replace('.', "/");
        let top = module.split('.').next().unwrap_or(module);
        self.dists
            .iter()
            .find(|dist| {
                dist.files.iter().any(|file| {
                    file == &format!("{path}.py")
                        || file == &format!("{path}/__init__.py")
                        || (file.starts_with(&format!("{path}.")) && !file.ends_with(".pyc"))
                })
            })
            .or_else(|| {
                self.dists.iter().find(|dist| {
                    dist.files
                        .iter()
                        .any(|file| file.starts_with(&format!("{top}/")))
                })
            })
    }
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::*;

    fn install(site: &Path, name: &str, version: &str, requires: &[&str], files: &[&str]) {
        let dist_info = site.join(format!("{name}-{version}.dist-info"));
        std::fs::create_dir_all(&dist_info).unwrap();
        let mut metadata = format!("Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n");
        for requirement in requires {
            metadata.push_str(&format!("Requires-Dist: {requirement}\n"));
        }
        std::fs::write(dist_info.join("METADATA"), metadata).unwrap();
        let record: String = files.iter().map(|file| format!("{file},,\n")).collect();
        std::fs::write(dist_info.join("RECORD"), record).unwrap();
    }

    #[test]
    fn reads_dists_and_maps_modules_to_owners() {
        let dir = tempfile::tempdir().unwrap();
        install(
            dir.path(),
            "pandas",
            "1.5.3",
            &["numpy>=1.21"],
            &[
                "pandas/__init__.py",
                "pandas/_libs/interval.cpython-311-x86_64-linux-gnu.so",
            ],
        );
        install(dir.path(), "numpy", "2.1.3", &[], &["numpy/__init__.py"]);
        std::fs::create_dir_all(dir.path().join("broken-1.0.dist-info")).unwrap();
        let environment =
            Environment::read(&Location::SitePackages(dir.path().to_path_buf())).unwrap();
        let names: Vec<String> = environment
            .dists
            .iter()
            .map(|dist| format!("{}=={}", dist.name, dist.version))
            .collect();
        assert_eq!(names, vec!["numpy==2.1.3", "pandas==1.5.3"]);
        assert_eq!(environment.unreadable.len(), 1);
        let owner = environment
            .owner_of_module("pandas._libs.interval")
            .unwrap();
        assert_eq!(owner.name.to_string(), "pandas");
        assert!(environment.owner_of_module("sklearn.utils").is_none());
    }
}
