//! The PEP 508 marker environment of a CPython target.

use pep508_rs::{MarkerEnvironment, MarkerEnvironmentBuilder};

use crate::platform::{Arch, Os, Platform};
use crate::python_version::PythonVersion;

/// The marker environment CPython `python` reports on `platform`.
///
/// `python_full_version` and `implementation_version` use the given patch, or
/// `X.Y.0` when none was given (the lowest patch, as uv assumes for
/// `requires-python`). `platform_release` and `platform_version` are empty:
/// they describe one machine, not a platform.
pub(crate) fn marker_environment(python: &PythonVersion, platform: &Platform) -> MarkerEnvironment {
    let full_version = python.full_version_string();
    let short_version = python.short_version_string();
    let (os_name, platform_system, sys_platform) = match platform.os {
        Os::Manylinux { .. } | Os::Musllinux { .. } => ("posix", "Linux", "linux"),
        Os::Macos { .. } => ("posix", "Darwin", "darwin"),
        Os::Windows => ("nt", "Windows", "win32"),
    };
    let builder = MarkerEnvironmentBuilder {
        implementation_name: "cpython",
        implementation_version: &full_version,
        os_name,
        platform_machine: platform_machine(platform),
        platform_python_implementation: "CPython",
        platform_release: "",
        platform_system,
        platform_version: "",
        python_full_version: &full_version,
        python_version: &short_version,
        sys_platform,
    };
    match MarkerEnvironment::try_from(builder) {
        Ok(environment) => environment,
        // Both versions are built from small integers above and always parse.
        Err(_) => unreachable!("`{full_version}` and `{short_version}` are valid PEP 440 versions"),
    }
}

/// `platform.machine()` as CPython reports it on the platform.
fn platform_machine(platform: &Platform) -> &'static str {
    match (platform.os, platform.arch) {
        (Os::Windows, Arch::X86_64) => "AMD64",
        (Os::Windows, Arch::Aarch64) => "ARM64",
        (Os::Windows, Arch::I686) => "x86",
        (Os::Macos { .. }, Arch::Aarch64) => "arm64",
        (_, arch) => arch.as_str(),
    }
}

#[cfg(test)]
mod tests {
    use std::str::FromStr;

    use pep508_rs::{MarkerTree, PackageName, Requirement};

    use super::*;

    fn evaluate(marker: &str, python: &str, platform: &str) -> bool {
        let environment = marker_environment(&python.parse().unwrap(), &platform.parse().unwrap());
        let marker = MarkerTree::from_str(marker).unwrap();
        marker.evaluate(&environment, &[])
    }

    #[test]
    fn linux_target() {
        let env = marker_environment(
            &"3.11".parse().unwrap(),
            &"aarch64-manylinux_2_28".parse().unwrap(),
        );
        assert_eq!(env.platform_machine(), "aarch64");
        assert_eq!(env.sys_platform(), "linux");
        assert_eq!(env.python_full_version().to_string(), "3.11.0");
        assert!(evaluate(
            "sys_platform == 'linux' and platform_machine == 'aarch64' and python_version >= '3.10'",
            "3.11",
            "aarch64-manylinux_2_28"
        ));
        assert!(evaluate(
            "platform_system == 'Linux' and os_name == 'posix' and implementation_name == 'cpython'",
            "3.11",
            "linux"
        ));
        assert!(!evaluate(
            "python_full_version >= '3.11.1'",
            "3.11",
            "linux"
        ));
        assert!(evaluate(
            "python_full_version >= '3.11.1'",
            "3.11.4",
            "linux"
        ));
    }

    #[test]
    fn windows_and_macos_targets() {
        assert!(evaluate(
            "sys_platform == 'win32' and platform_machine == 'AMD64' and os_name == 'nt'",
            "3.12",
            "windows"
        ));
        assert!(evaluate(
            "platform_machine == 'ARM64'",
            "3.12",
            "aarch64-pc-windows-msvc"
        ));
        assert!(evaluate(
            "sys_platform == 'darwin' and platform_machine == 'arm64' and platform_system == 'Darwin'",
            "3.12",
            "macos"
        ));
        assert!(evaluate(
            "platform_machine == 'x86_64'",
            "3.12",
            "x86_64-apple-darwin"
        ));
        // The marker numpy's own requirements use for the CPython only wheels.
        let requirement = Requirement::<pep508_rs::VerbatimUrl>::from_str(
            "pywin32>=306; sys_platform == 'win32' and platform_python_implementation == 'CPython'",
        )
        .unwrap();
        assert_eq!(requirement.name, PackageName::from_str("pywin32").unwrap());
        let windows = marker_environment(&"3.12".parse().unwrap(), &"windows".parse().unwrap());
        let linux = marker_environment(&"3.12".parse().unwrap(), &"linux".parse().unwrap());
        assert!(requirement.evaluate_markers(&windows, &[]));
        assert!(!requirement.evaluate_markers(&linux, &[]));
    }
}
