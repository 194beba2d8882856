//! Wheel and sdist filenames as real indexes list them.

use std::str::FromStr;

use npsolve_platform::{
    BuildTag, DistFilename, FilenameError, SdistExtension, SdistFilename, WheelFilename,
};
use pep508_rs::PackageName;
use pep508_rs::pep440_rs::Version;

fn name(text: &str) -> PackageName {
    PackageName::from_str(text).unwrap()
}

/// (filename, name, version, python tags, abi tags, platform tags)
type WheelCase = (
    &'static str,
    &'static str,
    &'static str,
    &'static [&'static str],
    &'static [&'static str],
    &'static [&'static str],
);

fn wheel(filename: &str) -> WheelFilename {
    filename
        .parse()
        .unwrap_or_else(|error| panic!("{filename}: {error}"))
}

#[test]
fn real_wheels_parse() {
    // (filename, name, version, python tags, abi tags, platform tags)
    let cases: &[WheelCase] = &[
        (
            "numpy-2.1.3-cp312-cp312-manylinux_2_17_x86_64.manylinux2014_x86_64.whl",
            "numpy",
            "2.1.3",
            &["cp312"],
            &["cp312"],
            &["manylinux_2_17_x86_64", "manylinux2014_x86_64"],
        ),
        (
            "numpy-1.26.4-cp311-cp311-macosx_11_0_arm64.whl",
            "numpy",
            "1.26.4",
            &["cp311"],
            &["cp311"],
            &["macosx_11_0_arm64"],
        ),
        (
            "numpy-1.26.4-cp312-cp312-musllinux_1_1_x86_64.whl",
            "numpy",
            "1.26.4",
            &["cp312"],
            &["cp312"],
            &["musllinux_1_1_x86_64"],
        ),
        (
            "numpy-2.0.0-cp310-cp310-win_amd64.whl",
            "numpy",
            "2.0.0",
            &["cp310"],
            &["cp310"],
            &["win_amd64"],
        ),
        (
            "numpy-2.2.0rc1-cp313-cp313t-manylinux_2_28_aarch64.whl",
            "numpy",
            "2.2.0rc1",
            &["cp313"],
            &["cp313t"],
            &["manylinux_2_28_aarch64"],
        ),
        (
            "pandas-2.2.3-cp313-cp313-manylinux_2_17_aarch64.manylinux2014_aarch64.whl",
            "pandas",
            "2.2.3",
            &["cp313"],
            &["cp313"],
            &["manylinux_2_17_aarch64", "manylinux2014_aarch64"],
        ),
        (
            "scipy-1.14.1-cp312-cp312-macosx_14_0_arm64.whl",
            "scipy",
            "1.14.1",
            &["cp312"],
            &["cp312"],
            &["macosx_14_0_arm64"],
        ),
        (
            "torch-2.5.1+cu121-cp311-cp311-linux_x86_64.whl",
            "torch",
            "2.5.1+cu121",
            &["cp311"],
            &["cp311"],
            &["linux_x86_64"],
        ),
        (
            "torch-2.5.1-cp312-none-macosx_11_0_arm64.whl",
            "torch",
            "2.5.1",
            &["cp312"],
            &["none"],
            &["macosx_11_0_arm64"],
        ),
        (
            "cryptography-43.0.3-cp39-abi3-manylinux_2_28_x86_64.whl",
            "cryptography",
            "43.0.3",
            &["cp39"],
            &["abi3"],
            &["manylinux_2_28_x86_64"],
        ),
        (
            "cryptography-43.0.3-cp37-abi3-macosx_10_9_universal2.whl",
            "cryptography",
            "43.0.3",
            &["cp37"],
            &["abi3"],
            &["macosx_10_9_universal2"],
        ),
        (
            "cryptography-43.0.3-cp37-abi3-win32.whl",
            "cryptography",
            "43.0.3",
            &["cp37"],
            &["abi3"],
            &["win32"],
        ),
        (
            "six-1.16.0-py2.py3-none-any.whl",
            "six",
            "1.16.0",
            &["py2", "py3"],
            &["none"],
            &["any"],
        ),
        (
            "PyYAML-6.0.2-cp311-cp311-win_arm64.whl",
            "pyyaml",
            "6.0.2",
            &["cp311"],
            &["cp311"],
            &["win_arm64"],
        ),
        (
            "scikit_learn-1.5.2-cp312-cp312-musllinux_1_2_aarch64.whl",
            "scikit-learn",
            "1.5.2",
            &["cp312"],
            &["cp312"],
            &["musllinux_1_2_aarch64"],
        ),
        (
            "zope.interface-6.0-cp311-cp311-macosx_10_9_x86_64.whl",
            "zope-interface",
            "6.0",
            &["cp311"],
            &["cp311"],
            &["macosx_10_9_x86_64"],
        ),
        (
            "numpy-1.21.0-pp37-pypy37_pp73-manylinux_2_12_x86_64.manylinux2010_x86_64.whl",
            "numpy",
            "1.21.0",
            &["pp37"],
            &["pypy37_pp73"],
            &["manylinux_2_12_x86_64", "manylinux2010_x86_64"],
        ),
        (
            "mypy-1.13.0-cp311.cp312-cp311.cp312-win_amd64.whl",
            "mypy",
            "1.13.0",
            &["cp311", "cp312"],
            &["cp311", "cp312"],
            &["win_amd64"],
        ),
    ];
    for (filename, project, version, python, abi, platform) in cases {
        let parsed = wheel(filename);
        assert_eq!(parsed.name, name(project), "{filename}");
        assert_eq!(
            parsed.version,
            Version::from_str(version).unwrap(),
            "{filename}"
        );
        assert_eq!(parsed.build_tag, None, "{filename}");
        assert_eq!(parsed.python_tags, *python, "{filename}");
        assert_eq!(parsed.abi_tags, *abi, "{filename}");
        assert_eq!(parsed.platform_tags, *platform, "{filename}");
        assert_eq!(parsed.to_string(), *filename);
        assert_eq!(parsed.filename(), *filename);
    }
}

#[test]
fn build_tags_parse_and_order_like_pip() {
    let plain = wheel("foo-1.0-1-py3-none-any.whl");
    assert_eq!(
        plain.build_tag,
        Some(BuildTag {
            number: 1,
            suffix: String::new()
        })
    );
    let suffixed = wheel("foo-1.0-2local-py3-none-any.whl");
    assert_eq!(
        suffixed.build_tag,
        Some(BuildTag {
            number: 2,
            suffix: "local".to_string()
        })
    );
    let ten = wheel("foo-1.0-10-py3-none-any.whl");
    assert!(plain.build_tag < suffixed.build_tag);
    assert!(suffixed.build_tag < ten.build_tag, "numeric, not lexical");
    assert!(
        None < plain.build_tag,
        "a wheel with a build tag beats one without"
    );
    assert_eq!(suffixed.to_string(), "foo-1.0-2local-py3-none-any.whl");
}

#[test]
fn garbage_wheels_are_errors_naming_the_file() {
    let cases = [
        "numpy-1.0-cp311-cp311.whl",
        "numpy-1.0-b-x-cp311-cp311-any.whl",
        "numpy-1.0-x1-cp311-cp311-any.whl",
        "numpy-notaversion-py3-none-any.whl",
        "numpy-1.0-py3..py2-none-any.whl",
        "numpy-1.0-py3-none-.whl",
        "-1.0-py3-none-any.whl",
        "num py-1.0-py3-none-any.whl",
        "numpy-1.0-99999999999999999999999-py3-none-any.whl",
        ".whl",
        "",
    ];
    for filename in cases {
        let error = filename.parse::<WheelFilename>().unwrap_err();
        assert!(
            error.to_string().contains(&format!("`{filename}")),
            "{filename}: {error}"
        );
    }
    assert!(matches!(
        "numpy-1.0.tar.gz".parse::<WheelFilename>(),
        Err(FilenameError::UnknownExtension(_))
    ));
    assert!(matches!(
        "numpy-1.0-x1-py3-none-any.whl".parse::<WheelFilename>(),
        Err(FilenameError::InvalidBuildTag { .. })
    ));
}

#[test]
fn purity() {
    assert!(wheel("six-1.16.0-py2.py3-none-any.whl").is_pure());
    assert!(wheel("attrs-24.2.0-py3-none-any.whl").is_pure());
    assert!(!wheel("cryptography-43.0.3-cp39-abi3-manylinux_2_28_x86_64.whl").is_pure());
    assert!(
        !wheel("foo-1.0-cp311-none-any.whl").is_pure(),
        "interpreter-specific"
    );
    assert!(
        !wheel("foo-1.0-py3-none-win_amd64.whl").is_pure(),
        "platform-specific"
    );
}

#[test]
fn sdists_split_with_the_known_name() {
    let cases = [
        (
            "backports.zoneinfo-0.2.1.tar.gz",
            "backports.zoneinfo",
            "0.2.1",
            SdistExtension::TarGz,
        ),
        (
            "backports_zoneinfo-0.2.1.tar.gz",
            "backports-zoneinfo",
            "0.2.1",
            SdistExtension::TarGz,
        ),
        (
            "zope-interface-6.0.tar.gz",
            "zope.interface",
            "6.0",
            SdistExtension::TarGz,
        ),
        (
            "zope_interface-6.0.tar.gz",
            "zope.interface",
            "6.0",
            SdistExtension::TarGz,
        ),
        ("Django-5.0.tar.gz", "django", "5.0", SdistExtension::TarGz),
        (
            "numpy-2.1.3.tar.gz",
            "numpy",
            "2.1.3",
            SdistExtension::TarGz,
        ),
        (
            "numpy-2.2.0rc1.tar.gz",
            "numpy",
            "2.2.0rc1",
            SdistExtension::TarGz,
        ),
        (
            "pyobjc-core-10.3.zip",
            "pyobjc-core",
            "10.3",
            SdistExtension::Zip,
        ),
        (
            "python-dateutil-2.9.0.post0.tar.gz",
            "python-dateutil",
            "2.9.0.post0",
            SdistExtension::TarGz,
        ),
        (
            "foo-bar-1.0-1.tar.gz",
            "foo-bar",
            "1.0.post1",
            SdistExtension::TarGz,
        ),
        (
            "simplejson-3.0.tar.bz2",
            "simplejson",
            "3.0",
            SdistExtension::TarBz2,
        ),
        (
            "PyYAML-3.10.TAR.GZ",
            "pyyaml",
            "3.10",
            SdistExtension::TarGz,
        ),
    ];
    for (filename, project, version, extension) in cases {
        let parsed = SdistFilename::parse(filename, &name(project))
            .unwrap_or_else(|error| panic!("{error}"));
        assert_eq!(parsed.name, name(project), "{filename}");
        assert_eq!(
            parsed.version,
            Version::from_str(version).unwrap(),
            "{filename}"
        );
        assert_eq!(parsed.extension(), extension, "{filename}");
        assert_eq!(parsed.to_string(), filename);
    }
    assert!(SdistExtension::TarBz2.is_legacy());
    assert!(!SdistExtension::Zip.is_legacy() && !SdistExtension::TarGz.is_legacy());
}

#[test]
fn sdist_errors() {
    let mismatch = SdistFilename::parse("requests-2.0.tar.gz", &name("numpy")).unwrap_err();
    assert!(
        matches!(mismatch, FilenameError::NameMismatch { .. }),
        "{mismatch}"
    );
    assert!(
        mismatch.to_string().contains("`requests-2.0.tar.gz`")
            && mismatch.to_string().contains("`numpy`")
    );
    let prefix = SdistFilename::parse("zope-6.0.tar.gz", &name("zope-interface")).unwrap_err();
    assert!(
        matches!(prefix, FilenameError::NameMismatch { .. }),
        "{prefix}"
    );
    let version = SdistFilename::parse("numpy-latest.tar.gz", &name("numpy")).unwrap_err();
    assert!(
        matches!(version, FilenameError::InvalidVersion { .. }),
        "{version}"
    );
    let bare = SdistFilename::parse("numpy.tar.gz", &name("numpy")).unwrap_err();
    assert!(matches!(bare, FilenameError::NameMismatch { .. }), "{bare}");
    let exe = SdistFilename::parse("numpy-1.0.win32.exe", &name("numpy")).unwrap_err();
    assert!(matches!(exe, FilenameError::UnknownExtension(_)), "{exe}");
    let egg = DistFilename::parse("numpy-1.0-py2.7.egg", &name("numpy")).unwrap_err();
    assert!(matches!(egg, FilenameError::UnknownExtension(_)), "{egg}");
}

#[test]
fn dist_filenames_dispatch_and_check_the_project() {
    let numpy = name("numpy");
    let wheel = DistFilename::parse("numpy-2.1.3-cp312-cp312-win_amd64.whl", &numpy).unwrap();
    assert!(matches!(wheel, DistFilename::Wheel(_)));
    assert_eq!(wheel.name(), &numpy);
    assert_eq!(wheel.version(), &Version::from_str("2.1.3").unwrap());
    assert_eq!(wheel.to_string(), "numpy-2.1.3-cp312-cp312-win_amd64.whl");
    let sdist = DistFilename::parse("numpy-2.1.3.tar.gz", &numpy).unwrap();
    assert!(matches!(sdist, DistFilename::Sdist(_)));
    assert_eq!(sdist.filename(), "numpy-2.1.3.tar.gz");
    let other = DistFilename::parse("scipy-1.14.1-cp312-cp312-win_amd64.whl", &numpy).unwrap_err();
    assert!(
        matches!(other, FilenameError::NameMismatch { .. }),
        "{other}"
    );
}

mod properties {
    use proptest::prelude::*;

    use super::*;

    proptest! {
        #[test]
        fn parsing_never_panics(text in "[a-zA-Z0-9._+!-]{0,40}(\\.whl|\\.tar\\.gz|\\.zip)?") {
            let _ = text.parse::<WheelFilename>();
            let _ = DistFilename::parse(&text, &name("foo"));
        }

        #[test]
        fn generated_wheels_round_trip(
            project in "[a-z][a-z0-9]{0,8}(_[a-z0-9]{1,5})?",
            release in proptest::collection::vec(0u32..100, 1..4),
            build in proptest::option::of((0u64..1000, "[a-z]{0,3}")),
            python in proptest::collection::vec("(cp3[0-9]{1,2}|py3)", 1..3),
        ) {
            let version = release.iter().map(u32::to_string).collect::<Vec<_>>().join(".");
            let build_part = build.as_ref().map(|(number, suffix)| format!("-{number}{suffix}")).unwrap_or_default();
            let filename = format!("{project}-{version}{build_part}-{}-none-any.whl", python.join("."));
            let parsed: WheelFilename = filename.parse().unwrap();
            prop_assert_eq!(parsed.to_string(), filename.clone());
            prop_assert_eq!(parsed.name, name(&project));
            prop_assert_eq!(parsed.python_tags, python);
            prop_assert_eq!(parsed.build_tag.map(|tag| (tag.number, tag.suffix)), build);
            let listed = DistFilename::parse(&filename, &name(&project)).unwrap();
            prop_assert_eq!(listed.to_string(), filename);
        }
    }
}
