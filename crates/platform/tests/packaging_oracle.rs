//! Tag lists compared line by line with `packaging.tags` (packaging 26.3:
//! `cpython_tags` then `compatible_tags`, with the glibc / macOS version of
//! the target), recorded in `tests/data/{python}_{platform}.txt`. The Linux lists were
//! regenerated with packaging 26.4 over the platforms `_linux_platforms` yields (the
//! manylinux or musllinux tags of the target's libc, then plain `linux_<arch>`); the first
//! recording had left `linux_<arch>` out.

use std::path::Path;

use npsolve_platform::Target;

#[test]
fn tags_match_packaging_in_order() {
    let data = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data");
    let mut checked = 0;
    for entry in std::fs::read_dir(&data).unwrap() {
        let path = entry.unwrap().path();
        let stem = path.file_stem().unwrap().to_str().unwrap().to_string();
        let (python, platform) = stem.split_once('_').unwrap();
        let target = Target::new(python.parse().unwrap(), platform.parse().unwrap());
        let expected = std::fs::read_to_string(&path).unwrap();
        let expected: Vec<&str> = expected.lines().collect();
        let actual: Vec<String> = target
            .tags()
            .iter()
            .map(|(python, abi, platform)| format!("{python}-{abi}-{platform}"))
            .collect();
        for (index, (actual, expected)) in actual.iter().zip(&expected).enumerate() {
            assert_eq!(actual, expected, "{stem}: tag {index}");
        }
        assert_eq!(actual.len(), expected.len(), "{stem}");
        checked += 1;
    }
    assert_eq!(checked, 6);
}
