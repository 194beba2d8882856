//! A target: the Python version and platform a resolution is for.

use std::fmt;
use std::hash::{Hash, Hasher};
use std::path::Path;
use std::process::Command;

use pep508_rs::MarkerEnvironment;

use crate::error::PlatformError;
use crate::interpreter;
use crate::markers::marker_environment;
use crate::platform::{Arch, DEFAULT_MANYLINUX, DEFAULT_MUSLLINUX, Os, Platform};
use crate::python_version::PythonVersion;
use crate::tags::Tags;

/// A CPython version on a platform, with its marker environment and supported
/// wheel tags computed once. Cheap to clone.
///
/// Two targets are equal when their Python version and platform are.
#[derive(Debug, Clone)]
pub struct Target {
    python: PythonVersion,
    platform: Platform,
    markers: MarkerEnvironment,
    tags: Tags,
}

impl Target {
    /// The target for CPython `python` on `platform`.
    pub fn new(python: PythonVersion, platform: Platform) -> Target {
        let markers = marker_environment(&python, &platform);
        let tags = Tags::for_cpython(&python, &platform);
        Target {
            python,
            platform,
            markers,
            tags,
        }
    }

    /// The Python version.
    pub fn python(&self) -> &PythonVersion {
        &self.python
    }

    /// The platform.
    pub fn platform(&self) -> &Platform {
        &self.platform
    }

    /// The full PEP 508 marker environment of CPython on this platform.
    pub fn markers(&self) -> &MarkerEnvironment {
        &self.markers
    }

    /// The wheel tags this target accepts, most preferred first.
    pub fn tags(&self) -> &Tags {
        &self.tags
    }

    /// CPython `python` on this machine: its architecture, and its glibc
    /// (from `getconf GNU_LIBC_VERSION`, else glibc 2.28), musl (1.2) or
    /// macOS version (from `sw_vers`, else 12.0).
    pub fn host(python: PythonVersion) -> Result<Target, PlatformError> {
        Ok(Target::new(python, host_platform()?))
    }

    /// The target of the interpreter at `python` (a path or a command on
    /// `PATH`), read by running it in isolated mode without `site`.
    pub fn from_interpreter(python: &Path) -> Result<Target, PlatformError> {
        let (version, platform) = interpreter::query(python)?;
        Ok(Target::new(version, platform))
    }
}

impl PartialEq for Target {
    fn eq(&self, other: &Target) -> bool {
        self.python == other.python && self.platform == other.platform
    }
}

impl Eq for Target {}

impl Hash for Target {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.python.hash(state);
        self.platform.hash(state);
    }
}

impl fmt::Display for Target {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "CPython {} on {}", self.python, self.platform)
    }
}

fn host_platform() -> Result<Platform, PlatformError> {
    let arch = match std::env::consts::ARCH {
        "x86_64" => Arch::X86_64,
        "aarch64" => Arch::Aarch64,
        "x86" => Arch::I686,
        "arm" => Arch::Armv7l,
        "powerpc64" if cfg!(target_endian = "little") => Arch::Ppc64le,
        "s390x" => Arch::S390x,
        other => {
            return Err(PlatformError::UnsupportedHost(format!(
                "architecture `{other}`"
            )));
        }
    };
    let os = match std::env::consts::OS {
        "linux" if cfg!(target_env = "musl") => {
            let (major, minor) = DEFAULT_MUSLLINUX;
            Os::Musllinux { major, minor }
        }
        "linux" => {
            let (major, minor) = command_output("getconf", &["GNU_LIBC_VERSION"])
                .and_then(|text| glibc_version(&text))
                .unwrap_or(DEFAULT_MANYLINUX);
            Os::Manylinux { major, minor }
        }
        "macos" => command_output("sw_vers", &["-productVersion"])
            .and_then(|text| interpreter::macos_version(&text))
            .unwrap_or(Os::Macos {
                major: crate::platform::DEFAULT_MACOS.0,
                minor: crate::platform::DEFAULT_MACOS.1,
            }),
        "windows" => Os::Windows,
        other => {
            return Err(PlatformError::UnsupportedHost(format!(
                "operating system `{other}`"
            )));
        }
    };
    Platform::new(arch, os)
}

fn command_output(program: &str, args: &[&str]) -> Option<String> {
    let output = Command::new(program).args(args).output().ok()?;
    output
        .status
        .success()
        .then(|| String::from_utf8_lossy(&output.stdout).into_owned())
}

/// `glibc 2.36` → (2, 36).
fn glibc_version(text: &str) -> Option<(u16, u16)> {
    let version = text.trim().strip_prefix("glibc ")?;
    let mut numbers = version.split('.');
    let major = numbers.next()?.parse().ok()?;
    let minor = numbers.next()?.trim().parse().ok()?;
    Some((major, minor))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn target_exposes_its_parts() {
        let target = Target::new("3.12".parse().unwrap(), "linux".parse().unwrap());
        assert_eq!(target.python().to_string(), "3.12");
        assert_eq!(target.platform().to_string(), "x86_64-manylinux_2_28");
        assert_eq!(target.markers().python_version().to_string(), "3.12");
        assert!(
            target
                .tags()
                .priority("cp312", "cp312", "manylinux_2_28_x86_64")
                .is_some()
        );
        assert_eq!(target.to_string(), "CPython 3.12 on x86_64-manylinux_2_28");
        assert_eq!(target.clone(), target);
    }

    #[test]
    fn host_is_this_machine() {
        let host = Target::host("3.12".parse().unwrap()).unwrap();
        let machine = match std::env::consts::ARCH {
            "x86_64" => Arch::X86_64,
            "aarch64" => Arch::Aarch64,
            _ => host.platform().arch,
        };
        assert_eq!(host.platform().arch, machine);
        if cfg!(all(target_os = "linux", target_env = "gnu")) {
            assert!(matches!(host.platform().os, Os::Manylinux { major: 2, .. }));
        }
    }

    #[test]
    fn parses_getconf_output() {
        assert_eq!(glibc_version("glibc 2.36\n"), Some((2, 36)));
        assert_eq!(glibc_version("musl"), None);
    }
}
