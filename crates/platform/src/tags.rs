//! The ordered set of wheel tags a target accepts, as `packaging.tags.sys_tags`
//! computes them for CPython.

use std::collections::HashMap;
use std::sync::Arc;

use crate::platform::{Arch, Os, Platform};
use crate::python_version::PythonVersion;

/// How much an installer prefers a tag: higher is better; only comparable
/// between priorities from the same [`Tags`].
#[derive(Copy, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Debug)]
pub struct TagPriority(u32);

impl TagPriority {
    /// The raw rank (1 for the least preferred tag).
    pub fn get(self) -> u32 {
        self.0
    }
}

type PlatformMap = HashMap<String, TagPriority>;
type AbiMap = HashMap<String, PlatformMap>;

#[derive(Debug)]
struct TagsInner {
    ordered: Vec<(String, String, String)>,
    lookup: HashMap<String, AbiMap>,
}

/// The `(python, abi, platform)` tags a target supports, most preferred first.
///
/// Cheap to clone (shared).
#[derive(Debug, Clone)]
pub struct Tags(Arc<TagsInner>);

impl Tags {
    /// Tags from an explicit list, most preferred first (duplicates keep their
    /// first, higher, priority).
    pub fn from_ordered<I, S>(tags: I) -> Tags
    where
        I: IntoIterator<Item = (S, S, S)>,
        S: Into<String>,
    {
        let ordered: Vec<(String, String, String)> = tags
            .into_iter()
            .map(|(python, abi, platform)| (python.into(), abi.into(), platform.into()))
            .collect();
        let count = u32::try_from(ordered.len()).unwrap_or(u32::MAX);
        let mut lookup: HashMap<String, AbiMap> = HashMap::new();
        for (index, (python, abi, platform)) in ordered.iter().enumerate() {
            let rank = count.saturating_sub(u32::try_from(index).unwrap_or(u32::MAX));
            lookup
                .entry(python.clone())
                .or_default()
                .entry(abi.clone())
                .or_default()
                .entry(platform.clone())
                .or_insert(TagPriority(rank));
        }
        Tags(Arc::new(TagsInner { ordered, lookup }))
    }

    /// The tags CPython `python` accepts on `platform`, in `packaging.tags` order.
    pub fn for_cpython(python: &PythonVersion, platform: &Platform) -> Tags {
        Tags::from_ordered(cpython_tags(python, &platform_tags(platform)))
    }

    /// The priority of one tag triple, `None` when the target does not accept it.
    pub fn priority(&self, python: &str, abi: &str, platform: &str) -> Option<TagPriority> {
        self.0.lookup.get(python)?.get(abi)?.get(platform).copied()
    }

    /// Every tag, most preferred first.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &str, &str)> {
        self.0
            .ordered
            .iter()
            .map(|(python, abi, platform)| (python.as_str(), abi.as_str(), platform.as_str()))
    }

    /// How many tags there are.
    pub fn len(&self) -> usize {
        self.0.ordered.len()
    }

    /// True when no tag is accepted.
    pub fn is_empty(&self) -> bool {
        self.0.ordered.is_empty()
    }
}

/// The interpreter-specific then generic tags for CPython `X.Y`, like
/// `packaging.tags.cpython_tags` followed by `compatible_tags`.
fn cpython_tags(python: &PythonVersion, platforms: &[String]) -> Vec<(String, String, String)> {
    let (major, minor) = (python.major(), python.minor());
    let interpreter = format!("cp{major}{minor}");
    // CPython before 3.8 built with pymalloc tags its ABI `cpXYm`.
    let abi = if minor < 8 {
        format!("cp{major}{minor}m")
    } else {
        interpreter.clone()
    };
    let abi3 = major == 3 && minor >= 2;
    let mut tags =
        Vec::with_capacity(platforms.len() * (usize::from(minor) * 3 + 6) + usize::from(minor) + 4);
    let mut push = |python: &str, abi: &str, platform: &str| {
        tags.push((python.to_string(), abi.to_string(), platform.to_string()))
    };

    for platform in platforms {
        push(&interpreter, &abi, platform);
    }
    if abi3 {
        for platform in platforms {
            push(&interpreter, "abi3", platform);
        }
    }
    for platform in platforms {
        push(&interpreter, "none", platform);
    }
    if abi3 {
        for older in (2..minor).rev() {
            let older = format!("cp{major}{older}");
            for platform in platforms {
                push(&older, "abi3", platform);
            }
        }
    }
    let generic = generic_pythons(major, minor);
    for version in &generic {
        for platform in platforms {
            push(version, "none", platform);
        }
    }
    push(&interpreter, "none", "any");
    for version in &generic {
        push(version, "none", "any");
    }
    tags
}

/// `pyXY`, `pyX`, then `pyX(Y-1)` down to `pyX0`.
fn generic_pythons(major: u8, minor: u8) -> Vec<String> {
    let mut versions = vec![format!("py{major}{minor}"), format!("py{major}")];
    versions.extend((0..minor).rev().map(|older| format!("py{major}{older}")));
    versions
}

/// The platform tags of `platform`, most specific first.
pub(crate) fn platform_tags(platform: &Platform) -> Vec<String> {
    let arch = platform.arch;
    match platform.os {
        Os::Manylinux { major, minor } => manylinux_tags(arch, major, minor),
        Os::Musllinux { major, minor } => {
            let mut tags: Vec<String> = (0..=minor)
                .rev()
                .map(|minor| format!("musllinux_{major}_{minor}_{arch}"))
                .collect();
            // Plain `linux_arch` last, as packaging and uv have it.
            tags.push(format!("linux_{arch}"));
            tags
        }
        Os::Macos { major, minor } => macos_tags(arch, major, minor),
        Os::Windows => match arch {
            Arch::X86_64 => vec!["win_amd64".to_string()],
            Arch::Aarch64 => vec!["win_arm64".to_string()],
            Arch::I686 => vec!["win32".to_string()],
            Arch::Armv7l | Arch::Ppc64le | Arch::S390x => Vec::new(),
        },
    }
}

/// `manylinux_2_Y_arch` down to the oldest glibc the architecture had wheels for,
/// each legacy alias (`manylinux2014`, `manylinux2010`, `manylinux1`) right after
/// its PEP 600 twin, then plain `linux_arch` with the lowest priority, as packaging (pip) and
/// uv have it: PyPI refuses such wheels, but PyTorch's index serves its local builds so
/// (`torch-2.5.1+cpu-cp311-cp311-linux_x86_64.whl`).
fn manylinux_tags(arch: Arch, major: u16, minor: u16) -> Vec<String> {
    if major != 2 {
        return vec![format!("linux_{arch}")];
    }
    // packaging: glibc 2.4 and older are too old for x86 wheels, 2.16 for the rest.
    let oldest_excluded = if matches!(arch, Arch::X86_64 | Arch::I686) {
        4
    } else {
        16
    };
    let mut tags = Vec::new();
    for glibc_minor in ((oldest_excluded + 1)..=minor).rev() {
        tags.push(format!("manylinux_2_{glibc_minor}_{arch}"));
        let legacy = match glibc_minor {
            17 => Some("manylinux2014"),
            12 => Some("manylinux2010"),
            5 => Some("manylinux1"),
            _ => None,
        };
        if let Some(legacy) = legacy {
            tags.push(format!("{legacy}_{arch}"));
        }
    }
    tags.push(format!("linux_{arch}"));
    tags
}

/// The binary formats a macOS `major.minor` on `arch` runs (`_mac_binary_formats`).
fn macos_formats(arch: &str, major: u16, minor: u16) -> Vec<&'static str> {
    let mut formats = Vec::new();
    match arch {
        "x86_64" => {
            if (major, minor) < (10, 4) {
                return formats;
            }
            formats.extend([
                "x86_64",
                "intel",
                "fat64",
                "fat3",
                "universal2",
                "universal",
            ]);
        }
        "arm64" => formats.extend(["arm64", "universal2"]),
        _ => {}
    }
    formats
}

/// `packaging.tags.mac_platforms`: 11+ step by major (`14_0`, `13_0`, … `11_0`),
/// then 10.16 down to 10.4 (only `universal2` on arm64); 10.x steps by minor.
fn macos_tags(arch: Arch, major: u16, minor: u16) -> Vec<String> {
    let arch = match arch {
        Arch::X86_64 => "x86_64",
        Arch::Aarch64 => "arm64",
        Arch::I686 | Arch::Armv7l | Arch::Ppc64le | Arch::S390x => return Vec::new(),
    };
    let mut tags = Vec::new();
    if major == 10 {
        for minor in (0..=minor).rev() {
            for format in macos_formats(arch, 10, minor) {
                tags.push(format!("macosx_10_{minor}_{format}"));
            }
        }
    } else if major >= 11 {
        for major in (11..=major).rev() {
            for format in macos_formats(arch, major, 0) {
                tags.push(format!("macosx_{major}_0_{format}"));
            }
        }
        for minor in (4..=16).rev() {
            if arch == "x86_64" {
                for format in macos_formats(arch, 10, minor) {
                    tags.push(format!("macosx_10_{minor}_{format}"));
                }
            } else {
                tags.push(format!("macosx_10_{minor}_universal2"));
            }
        }
    }
    tags
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tags(python: &str, platform: &str) -> Tags {
        Tags::for_cpython(&python.parse().unwrap(), &platform.parse().unwrap())
    }

    fn listed(tags: &Tags) -> Vec<String> {
        tags.iter()
            .map(|(python, abi, platform)| format!("{python}-{abi}-{platform}"))
            .collect()
    }

    #[test]
    fn windows_order_matches_packaging() {
        let tags = listed(&tags("3.11", "windows"));
        let expected_start = [
            "cp311-cp311-win_amd64",
            "cp311-abi3-win_amd64",
            "cp311-none-win_amd64",
            "cp310-abi3-win_amd64",
        ];
        assert_eq!(tags[..4], expected_start);
        assert_eq!(tags[11], "cp32-abi3-win_amd64");
        assert_eq!(tags[12], "py311-none-win_amd64");
        assert_eq!(tags[13], "py3-none-win_amd64");
        assert_eq!(tags[14], "py310-none-win_amd64");
        assert_eq!(tags[24], "py30-none-win_amd64");
        assert_eq!(tags[25], "cp311-none-any");
        assert_eq!(tags[26], "py311-none-any");
        assert_eq!(tags[27], "py3-none-any");
        assert_eq!(tags.last().map(String::as_str), Some("py30-none-any"));
        assert_eq!(tags.len(), 39);
    }

    #[test]
    fn manylinux_platforms_descend_with_legacy_aliases() {
        let plats = platform_tags(&"x86_64-manylinux_2_28".parse().unwrap());
        assert_eq!(plats[0], "manylinux_2_28_x86_64");
        let position = |tag: &str| plats.iter().position(|p| p == tag).unwrap();
        assert_eq!(
            position("manylinux2014_x86_64"),
            position("manylinux_2_17_x86_64") + 1
        );
        assert_eq!(
            position("manylinux2010_x86_64"),
            position("manylinux_2_12_x86_64") + 1
        );
        assert_eq!(
            plats[plats.len() - 2..],
            ["manylinux1_x86_64", "linux_x86_64"]
        );
        let aarch64 = platform_tags(&"aarch64-manylinux_2_17".parse().unwrap());
        assert_eq!(
            aarch64,
            [
                "manylinux_2_17_aarch64",
                "manylinux2014_aarch64",
                "linux_aarch64"
            ]
        );
    }

    #[test]
    fn musllinux_and_macos_platforms() {
        let musl = platform_tags(&"aarch64-musllinux_1_2".parse().unwrap());
        assert_eq!(
            musl,
            [
                "musllinux_1_2_aarch64",
                "musllinux_1_1_aarch64",
                "musllinux_1_0_aarch64",
                "linux_aarch64"
            ]
        );
        let arm = platform_tags(&"aarch64-apple-darwin13.0".parse().unwrap());
        assert_eq!(
            arm[..6],
            [
                "macosx_13_0_arm64",
                "macosx_13_0_universal2",
                "macosx_12_0_arm64",
                "macosx_12_0_universal2",
                "macosx_11_0_arm64",
                "macosx_11_0_universal2"
            ]
        );
        assert_eq!(arm[6], "macosx_10_16_universal2");
        assert_eq!(
            arm.last().map(String::as_str),
            Some("macosx_10_4_universal2")
        );
        assert!(!arm.iter().any(|p| p.contains("x86_64")));
        let intel = platform_tags(&"x86_64-apple-darwin10.9".parse().unwrap());
        assert_eq!(
            intel[..6],
            [
                "macosx_10_9_x86_64",
                "macosx_10_9_intel",
                "macosx_10_9_fat64",
                "macosx_10_9_fat3",
                "macosx_10_9_universal2",
                "macosx_10_9_universal"
            ]
        );
        assert_eq!(
            intel.last().map(String::as_str),
            Some("macosx_10_4_universal")
        );
        let intel12 = platform_tags(&"x86_64-apple-darwin".parse().unwrap());
        assert!(intel12.contains(&"macosx_10_9_x86_64".to_string()));
        assert!(!intel12.contains(&"macosx_13_0_x86_64".to_string()));
    }

    #[test]
    fn priorities_follow_order() {
        let tags = tags("3.12", "x86_64-manylinux_2_17");
        let specific = tags
            .priority("cp312", "cp312", "manylinux_2_17_x86_64")
            .unwrap();
        let abi3 = tags
            .priority("cp39", "abi3", "manylinux2014_x86_64")
            .unwrap();
        let pure = tags.priority("py3", "none", "any").unwrap();
        assert!(specific > abi3 && abi3 > pure);
        assert_eq!(
            tags.priority("cp312", "cp312", "manylinux_2_28_x86_64"),
            None
        );
        assert_eq!(
            tags.priority("cp313", "cp313", "manylinux_2_17_x86_64"),
            None
        );
        // Plain linux wheels install, below every manylinux one (PyTorch's local builds).
        let linux = tags.priority("cp312", "cp312", "linux_x86_64").unwrap();
        assert!(specific > linux);
        assert_eq!(tags.priority("cp312", "cp312", "linux_aarch64"), None);
        assert_eq!(tags.priority("py2", "none", "any"), None);
    }

    #[test]
    fn python_37_uses_the_m_abi() {
        let tags = tags("3.7", "windows");
        assert!(tags.priority("cp37", "cp37m", "win_amd64").is_some());
        assert!(tags.priority("cp37", "cp37", "win_amd64").is_none());
    }
}
