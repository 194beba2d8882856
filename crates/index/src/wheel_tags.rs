//! A wheel's tag sets, parsed once per page and shared by the files that have them.

use npsolve_platform::{TagPriority, Tags, WheelFilename};

/// The expanded tag sets of a wheel file name (`cp311.cp312-abi3-manylinux_2_17_x86_64`).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct WheelTags {
    /// Python tags (`cp311`, `py3`).
    pub python: Vec<String>,
    /// ABI tags (`cp311`, `abi3`, `none`).
    pub abi: Vec<String>,
    /// Platform tags (`manylinux_2_17_x86_64`, `any`).
    pub platform: Vec<String>,
}

impl WheelTags {
    /// The tags of a parsed wheel file name.
    pub fn of(wheel: &WheelFilename) -> WheelTags {
        WheelTags {
            python: wheel.python_tags.clone(),
            abi: wheel.abi_tags.clone(),
            platform: wheel.platform_tags.clone(),
        }
    }

    /// The best priority among the expanded tag triples, `None` when `tags` cannot install the
    /// wheel (the same answer as [`WheelFilename::compatibility`]).
    pub fn compatibility(&self, tags: &Tags) -> Option<TagPriority> {
        best_priority(
            self.python.iter().map(String::as_str),
            self.abi.iter().map(String::as_str),
            self.platform.iter().map(String::as_str),
            tags,
        )
    }
}

/// The best priority `tags` gives any triple of these python, abi and platform tags; `None`
/// when no triple installs.
pub(crate) fn best_priority<'a, I>(
    python: I,
    abi: I,
    platform: I,
    tags: &Tags,
) -> Option<TagPriority>
where
    I: Iterator<Item = &'a str> + Clone,
{
    let mut best = None;
    for python in python {
        for abi in abi.clone() {
            for platform in platform.clone() {
                best = best.max(tags.priority(python, abi, platform));
            }
        }
    }
    best
}

#[cfg(test)]
mod tests {
    use std::str::FromStr;

    use npsolve_platform::{DistFilename, Platform, PythonVersion};
    use pep508_rs::PackageName;

    use super::*;

    /// The tag sets answer exactly as the platform crate's wheel file name does.
    #[test]
    fn compatibility_matches_the_wheel_filename() {
        let project = PackageName::from_str("demo").expect("name");
        let tags = Tags::for_cpython(
            &PythonVersion::from_str("3.11").expect("version"),
            &Platform::from_str("x86_64-manylinux_2_28").expect("platform"),
        );
        let mut seen = 0;
        for name in [
            "demo-1.0-cp311-cp311-manylinux_2_17_x86_64.manylinux2014_x86_64.whl",
            "demo-1.0-cp311-cp311-musllinux_1_1_x86_64.whl",
            "demo-1.0-cp310.cp311.cp312-abi3-manylinux_2_28_x86_64.whl",
            "demo-1.0-py2.py3-none-any.whl",
            "demo-1.0-cp312-cp312-manylinux_2_17_x86_64.whl",
            "demo-1.0-1-cp311-cp311-win_amd64.whl",
        ] {
            let Ok(DistFilename::Wheel(wheel)) = DistFilename::parse(name, &project) else {
                panic!("`{name}` is a wheel");
            };
            let expected = wheel.compatibility(&tags);
            seen += usize::from(expected.is_some());
            assert_eq!(
                WheelTags::of(&wheel).compatibility(&tags),
                expected,
                "{name}"
            );
        }
        assert_eq!(seen, 3);
    }
}
