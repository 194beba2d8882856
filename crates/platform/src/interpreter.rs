//! Asking a Python interpreter for its version and platform.

use std::path::Path;
use std::process::Command;

use crate::error::PlatformError;
use crate::platform::{Arch, DEFAULT_MUSLLINUX, Os, Platform};
use crate::python_version::PythonVersion;

/// Printed as `key=value` lines; uses only modules that import without `site`.
const SCRIPT: &str = r#"
import sys, platform, sysconfig
print("implementation=" + sys.implementation.name)
print("abiflags=" + getattr(sys, "abiflags", ""))
print("version=%d.%d.%d" % sys.version_info[:3])
print("sys_platform=" + sys.platform)
print("machine=" + platform.machine())
print("host_type=" + str(sysconfig.get_config_var("HOST_GNU_TYPE") or ""))
libc = platform.libc_ver() if sys.platform.startswith("linux") else ("", "")
print("libc=%s %s" % libc)
print("mac_ver=" + (platform.mac_ver()[0] if sys.platform == "darwin" else ""))
"#;

/// What the interpreter said about itself.
#[derive(Debug, Default)]
pub(crate) struct Description {
    pub(crate) implementation: String,
    pub(crate) version: String,
    pub(crate) sys_platform: String,
    pub(crate) machine: String,
    pub(crate) host_type: String,
    pub(crate) libc: String,
    pub(crate) mac_ver: String,
    pub(crate) abiflags: String,
}

/// Runs `python -I -S -c SCRIPT` and reads its target.
pub(crate) fn query(python: &Path) -> Result<(PythonVersion, Platform), PlatformError> {
    let path = python.display().to_string();
    let output = Command::new(python)
        .args(["-I", "-S", "-c", SCRIPT])
        .output()
        .map_err(|source| PlatformError::InterpreterSpawn {
            path: path.clone(),
            source,
        })?;
    if !output.status.success() {
        let stderr = String::from_utf8_lossy(&output.stderr);
        return Err(PlatformError::InterpreterOutput {
            path,
            message: format!("{}: {}", output.status, stderr.trim()),
        });
    }
    let description = parse(&String::from_utf8_lossy(&output.stdout));
    describe(&path, &description)
}

pub(crate) fn parse(stdout: &str) -> Description {
    let mut description = Description::default();
    for line in stdout.lines() {
        let Some((key, value)) = line.split_once('=') else {
            continue;
        };
        let value = value.trim().to_string();
        match key {
            "implementation" => description.implementation = value,
            "version" => description.version = value,
            "sys_platform" => description.sys_platform = value,
            "machine" => description.machine = value,
            "host_type" => description.host_type = value,
            "libc" => description.libc = value,
            "mac_ver" => description.mac_ver = value,
            "abiflags" => description.abiflags = value,
            _ => {}
        }
    }
    description
}

/// Turns a description into a target.
pub(crate) fn describe(
    path: &str,
    description: &Description,
) -> Result<(PythonVersion, Platform), PlatformError> {
    let bad = |message: String| PlatformError::InterpreterOutput {
        path: path.to_string(),
        message,
    };
    if description.implementation != "cpython" {
        return Err(PlatformError::UnsupportedInterpreter {
            path: path.to_string(),
            implementation: description.implementation.clone(),
        });
    }
    // A free-threaded build takes `cpXYt` wheels, not `cpXY` or abi3 ones.
    if description.abiflags.contains('t') {
        return Err(PlatformError::UnsupportedInterpreter {
            path: path.to_string(),
            implementation: format!("cpython (free-threaded, `{}`)", description.version),
        });
    }
    let python: PythonVersion = description
        .version
        .parse()
        .map_err(|_| bad(format!("unexpected version `{}`", description.version)))?;
    let machine = description.machine.to_ascii_lowercase();
    let arch = match machine.as_str() {
        "x86_64" | "amd64" => Arch::X86_64,
        "aarch64" | "arm64" | "aarch64_be" => Arch::Aarch64,
        "i386" | "i486" | "i586" | "i686" | "x86" => Arch::I686,
        "armv7l" | "armv8l" => Arch::Armv7l,
        "ppc64le" => Arch::Ppc64le,
        "s390x" => Arch::S390x,
        _ => {
            return Err(bad(format!(
                "unsupported machine `{}`",
                description.machine
            )));
        }
    };
    let os = if description.sys_platform.starts_with("linux") {
        linux_os(&description.libc, &description.host_type).ok_or_else(|| {
            bad(format!(
                "cannot tell the C library from `{}`",
                description.libc
            ))
        })?
    } else if description.sys_platform == "darwin" {
        macos_version(&description.mac_ver).ok_or_else(|| {
            bad(format!(
                "unexpected macOS version `{}`",
                description.mac_ver
            ))
        })?
    } else if description.sys_platform == "win32" {
        Os::Windows
    } else {
        return Err(bad(format!(
            "unsupported sys.platform `{}`",
            description.sys_platform
        )));
    };
    let platform = Platform::new(arch, os)?;
    Ok((python, platform))
}

/// glibc from `platform.libc_ver()` (`glibc 2.36`); musl when the build triple
/// says so (its version is not exposed: assume 1.2, as uv does for musl).
fn linux_os(libc: &str, host_type: &str) -> Option<Os> {
    if let Some(version) = libc.strip_prefix("glibc ") {
        let mut numbers = version.trim().split('.');
        let major = numbers.next()?.parse().ok()?;
        let minor = numbers.next()?.parse().ok()?;
        return Some(Os::Manylinux { major, minor });
    }
    if host_type.contains("musl") {
        let (major, minor) = DEFAULT_MUSLLINUX;
        return Some(Os::Musllinux { major, minor });
    }
    None
}

/// `14.5` → macOS 14.0 (11+ is compatible by major), `10.15.7` → 10.15.
pub(crate) fn macos_version(text: &str) -> Option<Os> {
    let mut numbers = text.trim().split('.');
    let major: u16 = numbers.next()?.parse().ok()?;
    let minor: u16 = numbers.next().map_or(Some(0), |minor| minor.parse().ok())?;
    if major < 10 {
        return None;
    }
    let minor = if major >= 11 { 0 } else { minor };
    Some(Os::Macos { major, minor })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn target(stdout: &str) -> Result<(PythonVersion, Platform), PlatformError> {
        describe("python", &parse(stdout))
    }

    #[test]
    fn reads_linux_glibc_interpreters() {
        let (python, platform) = target(
            "implementation=cpython\nversion=3.11.2\nsys_platform=linux\nmachine=x86_64\nhost_type=x86_64-pc-linux-gnu\nlibc=glibc 2.36\nmac_ver=\n",
        )
        .unwrap();
        assert_eq!(python.to_string(), "3.11.2");
        assert_eq!(platform.to_string(), "x86_64-manylinux_2_36");
    }

    #[test]
    fn reads_musl_macos_and_windows() {
        let musl = target("implementation=cpython\nversion=3.12.1\nsys_platform=linux\nmachine=aarch64\nhost_type=aarch64-alpine-linux-musl\nlibc= \n").unwrap();
        assert_eq!(musl.1.to_string(), "aarch64-musllinux_1_2");
        let mac = target("implementation=cpython\nversion=3.13.0\nsys_platform=darwin\nmachine=arm64\nmac_ver=14.5\n").unwrap();
        assert_eq!(mac.1.to_string(), "aarch64-apple-darwin14.0");
        let old_mac = target("implementation=cpython\nversion=3.9.0\nsys_platform=darwin\nmachine=x86_64\nmac_ver=10.15.7\n").unwrap();
        assert_eq!(old_mac.1.to_string(), "x86_64-apple-darwin10.15");
        let windows =
            target("implementation=cpython\nversion=3.10.11\nsys_platform=win32\nmachine=AMD64\n")
                .unwrap();
        assert_eq!(windows.1.to_string(), "x86_64-pc-windows-msvc");
    }

    #[test]
    fn rejects_other_interpreters_and_garbage() {
        let pypy = target("implementation=pypy\nversion=3.10.14\nsys_platform=linux\nmachine=x86_64\nlibc=glibc 2.36\n").unwrap_err();
        assert!(pypy.to_string().contains("`pypy`"), "{pypy}");
        let garbage = target("hello").unwrap_err();
        assert!(matches!(
            garbage,
            PlatformError::UnsupportedInterpreter { .. }
        ));
        let threaded = target("implementation=cpython\nabiflags=t\nversion=3.13.1\nsys_platform=linux\nmachine=x86_64\nlibc=glibc 2.36\n").unwrap_err();
        assert!(threaded.to_string().contains("free-threaded"), "{threaded}");
        let machine = target("implementation=cpython\nversion=3.12.0\nsys_platform=linux\nmachine=riscv64\nlibc=glibc 2.39\n").unwrap_err();
        assert!(machine.to_string().contains("`riscv64`"), "{machine}");
    }

    #[test]
    fn missing_interpreter_is_a_spawn_error() {
        let error = query(Path::new("/nonexistent/python3")).unwrap_err();
        assert!(
            matches!(error, PlatformError::InterpreterSpawn { .. }),
            "{error}"
        );
    }
}
