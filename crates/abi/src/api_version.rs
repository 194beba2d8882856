//! NumPy's C-API feature versions (`NPY_API_VERSION`) and the releases that introduced them.

use pep440_rs::Version;

/// The first NumPy release with C-API feature version `api`, per numpy's
/// `_core/code_generators/cversions.txt` (version 8 never shipped in a
/// release; it maps to 1.8, the release of version 9).
pub(crate) fn first_numpy_with_api(api: u32) -> Option<Version> {
    let (major, minor) = match api {
        6 => (1, 6),
        7 => (1, 7),
        8 | 9 => (1, 8),
        10 => (1, 10),
        11 => (1, 13),
        12 => (1, 14),
        13 => (1, 16),
        14 => (1, 20),
        15 => (1, 22),
        16 => (1, 23),
        17 => (1, 25),
        18 => (2, 0),
        19 => (2, 1),
        20 => (2, 3),
        21 => (2, 4),
        22 => (2, 5),
        _ => return None,
    };
    Some(Version::new([major, minor]))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_levels() {
        assert_eq!(first_numpy_with_api(0xd), Some(Version::new([1, 16])));
        assert_eq!(first_numpy_with_api(0x10), Some(Version::new([1, 23])));
        assert_eq!(first_numpy_with_api(0x11), Some(Version::new([1, 25])));
        assert_eq!(first_numpy_with_api(0x12), Some(Version::new([2, 0])));
        assert_eq!(first_numpy_with_api(0x5), None);
        assert_eq!(
            first_numpy_with_api(0x17),
            None,
            "an unknown future level is not guessed"
        );
    }
}
