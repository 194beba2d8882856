//! The platform half of a target: CPU architecture and operating system,
//! named the way uv's `--python-platform` names them.

use std::fmt;
use std::str::FromStr;

use crate::error::PlatformError;

/// A CPU architecture as it appears in wheel platform tags and markers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Arch {
    /// 64-bit x86 (`x86_64`, `amd64`).
    X86_64,
    /// 64-bit ARM (`aarch64`, `arm64`).
    Aarch64,
    /// 32-bit x86 (`i686`, `win32`).
    I686,
    /// 32-bit ARM with hard float (`armv7l`).
    Armv7l,
    /// 64-bit little-endian POWER (`ppc64le`).
    Ppc64le,
    /// IBM Z (`s390x`).
    S390x,
}

impl Arch {
    /// Every architecture, for messages and tests.
    pub const ALL: [Arch; 6] = [
        Arch::X86_64,
        Arch::Aarch64,
        Arch::I686,
        Arch::Armv7l,
        Arch::Ppc64le,
        Arch::S390x,
    ];

    /// The Linux name, as in `manylinux_2_17_<name>` and `platform.machine()`.
    pub fn as_str(self) -> &'static str {
        match self {
            Arch::X86_64 => "x86_64",
            Arch::Aarch64 => "aarch64",
            Arch::I686 => "i686",
            Arch::Armv7l => "armv7l",
            Arch::Ppc64le => "ppc64le",
            Arch::S390x => "s390x",
        }
    }

    /// Parses a Linux-style name; `arm64` and `amd64` are accepted as aliases.
    fn from_name(name: &str) -> Option<Arch> {
        match name {
            "x86_64" | "amd64" => Some(Arch::X86_64),
            "aarch64" | "arm64" => Some(Arch::Aarch64),
            "i686" | "x86" => Some(Arch::I686),
            "armv7l" => Some(Arch::Armv7l),
            "ppc64le" => Some(Arch::Ppc64le),
            "s390x" => Some(Arch::S390x),
            _ => None,
        }
    }
}

impl fmt::Display for Arch {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// An operating system family with the version that bounds which wheels run on it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Os {
    /// Linux with glibc `major.minor` (PEP 600 `manylinux_major_minor`).
    Manylinux {
        /// glibc major version (2).
        major: u16,
        /// glibc minor version.
        minor: u16,
    },
    /// Linux with musl `major.minor` (PEP 656 `musllinux_major_minor`).
    Musllinux {
        /// musl major version (1).
        major: u16,
        /// musl minor version.
        minor: u16,
    },
    /// macOS `major.minor`, the oldest release the environment must run on.
    Macos {
        /// macOS major version (10, 11, 12, …).
        major: u16,
        /// macOS minor version (meaningful for 10.x).
        minor: u16,
    },
    /// Windows (MSVC builds of CPython).
    Windows,
}

/// The macOS version assumed by `ARCH-apple-darwin` without a version, as uv does.
pub const DEFAULT_MACOS: (u16, u16) = (12, 0);
/// The glibc version assumed by `linux` and `ARCH-unknown-linux-gnu`, as uv does.
pub const DEFAULT_MANYLINUX: (u16, u16) = (2, 28);
/// The musl version assumed by `ARCH-unknown-linux-musl`, as uv does.
pub const DEFAULT_MUSLLINUX: (u16, u16) = (1, 2);

/// A platform: architecture plus operating system.
///
/// Parsed from uv's `--python-platform` names and a few more explicit forms:
///
/// | name | meaning |
/// |---|---|
/// | `linux`, `x86_64-unknown-linux-gnu` | `x86_64-manylinux_2_28` |
/// | `ARCH-unknown-linux-gnu` | `ARCH-manylinux_2_28` |
/// | `ARCH-manylinux_2_Y` (also `manylinux2014`, `manylinux2010`, `manylinux1`) | glibc 2.Y |
/// | `ARCH-unknown-linux-musl` | `ARCH-musllinux_1_2` |
/// | `ARCH-musllinux_1_Y` | musl 1.Y |
/// | `macos`, `aarch64-apple-darwin`, `x86_64-apple-darwin` | macOS 12.0 |
/// | `ARCH-apple-darwinX.Y` (e.g. `aarch64-apple-darwin14.0`), `ARCH-macosx_X_Y` | macOS X.Y (the macOS release, not the Darwin kernel version) |
/// | `windows`, `x86_64-pc-windows-msvc`, `aarch64-pc-windows-msvc`, `i686-pc-windows-msvc` | Windows |
///
/// `Display` gives the canonical name, which parses back to the same platform.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Platform {
    /// The CPU architecture.
    pub arch: Arch,
    /// The operating system and its version.
    pub os: Os,
}

impl Platform {
    /// A platform, checking that the operating system ships the architecture.
    pub fn new(arch: Arch, os: Os) -> Result<Platform, PlatformError> {
        let supported = match os {
            Os::Manylinux { .. } | Os::Musllinux { .. } => true,
            Os::Macos { .. } => matches!(arch, Arch::X86_64 | Arch::Aarch64),
            Os::Windows => matches!(arch, Arch::X86_64 | Arch::Aarch64 | Arch::I686),
        };
        if supported {
            Ok(Platform { arch, os })
        } else {
            Err(PlatformError::UnsupportedArch {
                arch: arch.to_string(),
                os: os_family(os).to_string(),
            })
        }
    }
}

fn os_family(os: Os) -> &'static str {
    match os {
        Os::Manylinux { .. } => "manylinux",
        Os::Musllinux { .. } => "musllinux",
        Os::Macos { .. } => "macos",
        Os::Windows => "windows",
    }
}

/// Parses `X_Y` (or `X.Y` when `dotted`) into two numbers.
fn pair(text: &str, separator: char) -> Option<(u16, u16)> {
    let (major, minor) = text.split_once(separator)?;
    let digits = |part: &str| !part.is_empty() && part.bytes().all(|b| b.is_ascii_digit());
    if !digits(major) || !digits(minor) {
        return None;
    }
    Some((major.parse().ok()?, minor.parse().ok()?))
}

fn parse_os(rest: &str) -> Option<Os> {
    let manylinux = |(major, minor): (u16, u16)| Os::Manylinux { major, minor };
    let musllinux = |(major, minor): (u16, u16)| Os::Musllinux { major, minor };
    let macos = |(major, minor): (u16, u16)| Os::Macos { major, minor };
    match rest {
        "unknown-linux-gnu" => return Some(manylinux(DEFAULT_MANYLINUX)),
        "unknown-linux-musl" => return Some(musllinux(DEFAULT_MUSLLINUX)),
        "apple-darwin" => return Some(macos(DEFAULT_MACOS)),
        "pc-windows-msvc" => return Some(Os::Windows),
        "manylinux2014" => return Some(manylinux((2, 17))),
        "manylinux2010" => return Some(manylinux((2, 12))),
        "manylinux1" => return Some(manylinux((2, 5))),
        _ => {}
    }
    if let Some(version) = rest.strip_prefix("manylinux_") {
        return pair(version, '_')
            .filter(|(major, _)| *major == 2)
            .map(manylinux);
    }
    if let Some(version) = rest.strip_prefix("musllinux_") {
        return pair(version, '_')
            .filter(|(major, _)| *major == 1)
            .map(musllinux);
    }
    if let Some(version) = rest.strip_prefix("macosx_") {
        return pair(version, '_')
            .filter(|(major, _)| *major >= 10)
            .map(macos);
    }
    if let Some(version) = rest.strip_prefix("apple-darwin") {
        let version = if version.contains('.') {
            pair(version, '.')
        } else {
            version.parse().ok().map(|major| (major, 0))
        };
        return version.filter(|(major, _)| *major >= 10).map(macos);
    }
    None
}

impl FromStr for Platform {
    type Err = PlatformError;

    fn from_str(text: &str) -> Result<Platform, PlatformError> {
        let unknown = || PlatformError::UnknownPlatform(text.to_string());
        let name = text.trim();
        match name {
            "linux" => {
                return Platform::new(
                    Arch::X86_64,
                    Os::Manylinux {
                        major: 2,
                        minor: 28,
                    },
                );
            }
            "macos" => {
                let (major, minor) = DEFAULT_MACOS;
                return Platform::new(Arch::Aarch64, Os::Macos { major, minor });
            }
            "windows" => return Platform::new(Arch::X86_64, Os::Windows),
            _ => {}
        }
        let (arch, rest) = name.split_once('-').ok_or_else(unknown)?;
        let arch = Arch::from_name(arch).ok_or_else(unknown)?;
        let os = parse_os(rest).ok_or_else(unknown)?;
        Platform::new(arch, os)
    }
}

impl fmt::Display for Platform {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let arch = self.arch;
        match self.os {
            Os::Manylinux { major, minor } => write!(f, "{arch}-manylinux_{major}_{minor}"),
            Os::Musllinux { major, minor } => write!(f, "{arch}-musllinux_{major}_{minor}"),
            Os::Macos { major, minor } if (major, minor) == DEFAULT_MACOS => {
                write!(f, "{arch}-apple-darwin")
            }
            Os::Macos { major, minor } => write!(f, "{arch}-apple-darwin{major}.{minor}"),
            Os::Windows => write!(f, "{arch}-pc-windows-msvc"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn platform(name: &str) -> Platform {
        name.parse()
            .unwrap_or_else(|error| panic!("{name}: {error}"))
    }

    #[test]
    fn uv_names_and_aliases() {
        let cases = [
            (
                "linux",
                Arch::X86_64,
                Os::Manylinux {
                    major: 2,
                    minor: 28,
                },
            ),
            (
                "x86_64-unknown-linux-gnu",
                Arch::X86_64,
                Os::Manylinux {
                    major: 2,
                    minor: 28,
                },
            ),
            (
                "aarch64-unknown-linux-gnu",
                Arch::Aarch64,
                Os::Manylinux {
                    major: 2,
                    minor: 28,
                },
            ),
            (
                "aarch64-manylinux_2_17",
                Arch::Aarch64,
                Os::Manylinux {
                    major: 2,
                    minor: 17,
                },
            ),
            (
                "ppc64le-manylinux_2_31",
                Arch::Ppc64le,
                Os::Manylinux {
                    major: 2,
                    minor: 31,
                },
            ),
            (
                "x86_64-manylinux2014",
                Arch::X86_64,
                Os::Manylinux {
                    major: 2,
                    minor: 17,
                },
            ),
            (
                "x86_64-unknown-linux-musl",
                Arch::X86_64,
                Os::Musllinux { major: 1, minor: 2 },
            ),
            (
                "x86_64-musllinux_1_1",
                Arch::X86_64,
                Os::Musllinux { major: 1, minor: 1 },
            ),
            (
                "macos",
                Arch::Aarch64,
                Os::Macos {
                    major: 12,
                    minor: 0,
                },
            ),
            (
                "x86_64-apple-darwin",
                Arch::X86_64,
                Os::Macos {
                    major: 12,
                    minor: 0,
                },
            ),
            (
                "x86_64-apple-darwin10.9",
                Arch::X86_64,
                Os::Macos {
                    major: 10,
                    minor: 9,
                },
            ),
            (
                "aarch64-apple-darwin14",
                Arch::Aarch64,
                Os::Macos {
                    major: 14,
                    minor: 0,
                },
            ),
            (
                "arm64-macosx_13_0",
                Arch::Aarch64,
                Os::Macos {
                    major: 13,
                    minor: 0,
                },
            ),
            ("windows", Arch::X86_64, Os::Windows),
            ("aarch64-pc-windows-msvc", Arch::Aarch64, Os::Windows),
            ("i686-pc-windows-msvc", Arch::I686, Os::Windows),
        ];
        for (name, arch, os) in cases {
            assert_eq!(platform(name), Platform { arch, os }, "{name}");
        }
    }

    #[test]
    fn display_is_canonical_and_round_trips() {
        assert_eq!(platform("linux").to_string(), "x86_64-manylinux_2_28");
        assert_eq!(platform("macos").to_string(), "aarch64-apple-darwin");
        assert_eq!(
            platform("aarch64-macosx_14_0").to_string(),
            "aarch64-apple-darwin14.0"
        );
        assert_eq!(platform("windows").to_string(), "x86_64-pc-windows-msvc");
        for arch in Arch::ALL {
            for os in [
                Os::Manylinux { major: 2, minor: 5 },
                Os::Musllinux { major: 1, minor: 0 },
                Os::Macos {
                    major: 10,
                    minor: 15,
                },
                Os::Windows,
            ] {
                if let Ok(original) = Platform::new(arch, os) {
                    assert_eq!(platform(&original.to_string()), original);
                }
            }
        }
    }

    #[test]
    fn unknown_names_list_the_valid_forms() {
        for name in [
            "",
            "solaris",
            "x86_64",
            "riscv64-manylinux_2_28",
            "x86_64-manylinux_3_1",
            "x86_64-manylinux_2",
            "s390x-pc-windows-msvc",
            "armv7l-apple-darwin",
            "x86_64-apple-darwin9.0",
        ] {
            let error = name.parse::<Platform>().unwrap_err().to_string();
            assert!(
                error.contains(&format!("`{name}`")) || error.contains("not supported"),
                "{error}"
            );
        }
        let error = "solaris".parse::<Platform>().unwrap_err().to_string();
        assert!(
            error.contains("ARCH-manylinux_2_Y") && error.contains("ARCH-pc-windows-msvc"),
            "{error}"
        );
    }
}
