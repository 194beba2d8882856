//! Curated facts: loading, validation errors with positions, and lookup.

use std::str::FromStr;

use npsolve_abi::{BuildFact, Facts, FactsErrorKind, numpy_runtime_range};
use npsolve_platform::WheelFilename;
use pep440_rs::Version;
use pep508_rs::PackageName;

fn name(text: &str) -> PackageName {
    PackageName::from_str(text).expect("valid name")
}

fn v(text: &str) -> Version {
    Version::from_str(text).expect("valid version")
}

fn wheel(filename: &str) -> WheelFilename {
    filename.parse().expect("valid wheel filename")
}

const SPECIFIC: &str = r#"
schema = 1

[[entry]]
package = "Pandas"
versions = ">=1.0,<2.2.2"
fact = "numpy1"
source = "https://pandas.pydata.org/docs/whatsnew/v2.2.2.html"
checked = 2026-11-23

[[entry]]
package = "pandas"
versions = "==1.5.3"
python = ["cp311"]
fact = "numpy1"
floor = "1.23"
source = "probe of pandas-1.5.3-cp311-cp311-manylinux_2_17_x86_64.manylinux2014_x86_64.whl"
checked = 2026-11-23

[[entry]]
package = "pandas"
versions = "==1.5.3"
python = ["cp38"]
fact = "numpy1"
floor = "1.20"
source = "probe"
checked = 2026-11-23

[[entry]]
package = "pandas"
versions = "==1.5.3"
platforms = ["win_*"]
fact = "numpy1"
floor = "1.21"
source = "probe"
checked = 2026-11-23

[[entry]]
package = "pandas"
versions = "==1.5.3"
python = ["cp311"]
platforms = ["macosx_*_arm64"]
fact = "numpy1"
floor = "1.24"
source = "probe"
checked = 2026-11-23

[[entry]]
package = "pandas"
versions = ">=2.2.2"
fact = "numpy2"
floor = "1.22.4"
source = "https://pandas.pydata.org/docs/whatsnew/v2.2.2.html"
checked = 2026-11-23
note = "first release built with NumPy 2.0"

[[entry]]
package = "opencv-python-headless"
versions = "==4.10.0.84"
fact = "numpy2"
source = "https://github.com/opencv/opencv-python/releases/tag/84"
checked = 2026-11-23

[[entry]]
package = "opencv-python-headless"
versions = ">=3,<4.10.0.84"
fact = "numpy1"
source = "https://github.com/opencv/opencv-python/releases/tag/84"
checked = 2026-11-23

[[entry]]
package = "contourpy"
versions = "<1.2.1"
fact = "numpy1-silent"
binding = "pybind11 < 2.12"
source = "https://github.com/contourpy/contourpy/releases/tag/v1.2.1"
checked = 2026-11-23
"#;

fn specific() -> Facts {
    Facts::parse(SPECIFIC, "specific.toml").expect("fixture parses")
}

fn floor_of(facts: &Facts, version: &str, wheel_name: Option<&str>) -> Option<Version> {
    let wheel = wheel_name.map(wheel);
    facts
        .lookup(&name("pandas"), &v(version), wheel.as_ref())
        .and_then(|entry| entry.fact.floor().cloned())
}

#[test]
fn generic_entry_applies_without_a_wheel() {
    let facts = specific();
    let entry = facts
        .lookup(&name("pandas"), &v("1.5.3"), None)
        .expect("covered");
    assert_eq!(entry.fact, BuildFact::Numpy1 { floor: None });
    assert_eq!(entry.line, 5);
    assert_eq!(entry.package, name("pandas"), "names are normalised");
}

#[test]
fn python_tag_entry_beats_generic() {
    let facts = specific();
    let cp311 = "pandas-1.5.3-cp311-cp311-manylinux_2_17_x86_64.manylinux2014_x86_64.whl";
    let cp38 = "pandas-1.5.3-cp38-cp38-manylinux_2_17_x86_64.manylinux2014_x86_64.whl";
    let cp310 = "pandas-1.5.3-cp310-cp310-manylinux_2_17_x86_64.manylinux2014_x86_64.whl";
    assert_eq!(floor_of(&facts, "1.5.3", Some(cp311)), Some(v("1.23")));
    assert_eq!(floor_of(&facts, "1.5.3", Some(cp38)), Some(v("1.20")));
    assert_eq!(
        floor_of(&facts, "1.5.3", Some(cp310)),
        None,
        "no cp310 entry: the generic one"
    );
    assert_eq!(
        floor_of(&facts, "1.5.2", Some(cp311)),
        None,
        "the specific entry is for 1.5.3 only"
    );
}

#[test]
fn platform_entries_and_python_beats_platform() {
    let facts = specific();
    assert_eq!(
        floor_of(
            &facts,
            "1.5.3",
            Some("pandas-1.5.3-cp310-cp310-win_amd64.whl")
        ),
        Some(v("1.21"))
    );
    assert_eq!(
        floor_of(
            &facts,
            "1.5.3",
            Some("pandas-1.5.3-cp311-cp311-win_amd64.whl")
        ),
        Some(v("1.23")),
        "python tag restriction outranks a platform restriction"
    );
    assert_eq!(
        floor_of(
            &facts,
            "1.5.3",
            Some("pandas-1.5.3-cp311-cp311-macosx_11_0_arm64.whl")
        ),
        Some(v("1.24")),
        "python and platform together outrank either"
    );
    assert_eq!(
        floor_of(
            &facts,
            "1.5.3",
            Some("pandas-1.5.3-cp311-cp311-macosx_10_9_x86_64.whl")
        ),
        Some(v("1.23"))
    );
}

#[test]
fn lookup_is_deterministic_across_versions() {
    let facts = specific();
    let at = |version: &str| {
        facts
            .lookup(&name("pandas"), &v(version), None)
            .map(|entry| entry.fact.clone())
    };
    assert_eq!(at("0.25.3"), None, "below every entry");
    assert_eq!(at("2.2.1"), Some(BuildFact::Numpy1 { floor: None }));
    assert_eq!(
        at("2.2.2rc0"),
        None,
        "PEP 440: `<2.2.2` excludes 2.2.2's pre-releases, `>=2.2.2` is above them"
    );
    assert_eq!(at("2.2.1rc1"), Some(BuildFact::Numpy1 { floor: None }));
    assert_eq!(
        at("2.2.2"),
        Some(BuildFact::Numpy2 {
            floor: Some(v("1.22.4"))
        })
    );
    assert_eq!(
        at("3.0.0"),
        Some(BuildFact::Numpy2 {
            floor: Some(v("1.22.4"))
        })
    );
    assert!(facts.lookup(&name("numpy"), &v("2.0.0"), None).is_none());
}

#[test]
fn rebuild_under_a_new_post_number_is_told_apart() {
    let facts = specific();
    let opencv = name("opencv-python-headless");
    let at = |version: &str| {
        facts
            .lookup(&opencv, &v(version), None)
            .map(|entry| entry.fact.keyword())
    };
    assert_eq!(at("4.10.0.82"), Some("numpy1"));
    assert_eq!(at("4.10.0.84"), Some("numpy2"));
    assert_eq!(at("4.11.0.86"), None);
}

#[test]
fn first_numpy2_release_is_the_lowest_numpy2_entry() {
    let facts = specific();
    assert_eq!(
        facts.first_numpy2_release(&name("pandas")),
        Some(&v("2.2.2"))
    );
    assert_eq!(
        facts.first_numpy2_release(&name("opencv-python-headless")),
        Some(&v("4.10.0.84"))
    );
    assert_eq!(facts.first_numpy2_release(&name("contourpy")), None);
    assert_eq!(facts.first_numpy2_release(&name("unknown")), None);
}

#[test]
fn for_package_keeps_file_order() {
    let facts = specific();
    let lines: Vec<usize> = facts
        .for_package(&name("PANDAS"))
        .map(|entry| entry.line)
        .collect();
    assert_eq!(lines.len(), 6);
    assert!(lines.windows(2).all(|pair| pair[0] < pair[1]));
    assert_eq!(facts.len(), 9);
}

#[test]
fn silent_binding_is_kept() {
    let facts = specific();
    let entry = facts
        .lookup(&name("contourpy"), &v("1.2.0"), None)
        .expect("covered");
    assert_eq!(
        entry.fact,
        BuildFact::Numpy1Silent {
            binding: "pybind11 < 2.12".to_string()
        }
    );
    assert!(
        !numpy_runtime_range(&entry.fact)
            .expect("constrains")
            .contains(&v("2.0.0"))
    );
}

/// Parses `text` expecting an error; returns `line:column: kind`.
fn refusal(text: &str) -> (usize, usize, FactsErrorKind, String) {
    let error = Facts::parse(text, "bad.toml").expect_err("must be refused");
    let shown = error.to_string();
    (error.line, error.column, *error.kind, shown)
}

const HEADER: &str = "schema = 1\n\n[[entry]]\npackage = \"pandas\"\n";
const TAIL: &str = "source = \"x\"\nchecked = 2026-11-23\n";

#[test]
fn refuses_unknown_key_with_its_position() {
    let (line, column, kind, shown) = refusal(&format!(
        "{HEADER}versions = \">=1\"\nfact = \"numpy1\"\nflor = \"1.2\"\n{TAIL}"
    ));
    assert!(matches!(kind, FactsErrorKind::Toml { .. }));
    assert_eq!((line, column), (7, 1), "{shown}");
    assert!(
        shown.starts_with("`bad.toml`:7:1: unknown field `flor`"),
        "{shown}"
    );
}

#[test]
fn refuses_bad_specifier() {
    let (line, column, kind, shown) = refusal(&format!(
        "{HEADER}versions = \">=1.x\"\nfact = \"numpy1\"\n{TAIL}"
    ));
    assert!(matches!(kind, FactsErrorKind::Specifiers { .. }));
    assert_eq!((line, column), (5, 12));
    assert!(
        shown.contains("invalid version specifier `>=1.x`"),
        "{shown}"
    );
}

#[test]
fn refuses_bad_fact_and_empty_versions() {
    let (line, column, kind, _) = refusal(&format!(
        "{HEADER}versions = \">=1\"\nfact = \"numpy3\"\n{TAIL}"
    ));
    assert!(matches!(kind, FactsErrorKind::Fact { ref value } if value == "numpy3"));
    assert_eq!((line, column), (6, 8));
    let (line, _, kind, _) = refusal(&format!(
        "{HEADER}versions = \"\"\nfact = \"numpy1\"\n{TAIL}"
    ));
    assert!(matches!(kind, FactsErrorKind::EmptySpecifiers));
    assert_eq!(line, 5);
}

#[test]
fn refuses_missing_and_empty_source() {
    let (line, _, kind, shown) = refusal(&format!(
        "{HEADER}versions = \">=1\"\nfact = \"numpy1\"\nchecked = 2026-11-23\n"
    ));
    assert!(matches!(kind, FactsErrorKind::Toml { .. }));
    assert!(shown.contains("missing field `source`"), "{shown}");
    assert_eq!(line, 3, "points at the entry");
    let (line, _, kind, _) = refusal(&format!(
        "{HEADER}versions = \">=1\"\nfact = \"numpy1\"\nsource = \"  \"\nchecked = 2026-11-23\n"
    ));
    assert!(matches!(kind, FactsErrorKind::EmptySource));
    assert_eq!(line, 7);
}

#[test]
fn refuses_floor_problems() {
    let (line, _, kind, _) = refusal(&format!(
        "{HEADER}versions = \">=1\"\nfact = \"no-capi\"\nfloor = \"1.20\"\n{TAIL}"
    ));
    assert!(matches!(kind, FactsErrorKind::FloorNotAllowed { .. }));
    assert_eq!(line, 7);
    let (_, _, kind, _) = refusal(&format!(
        "{HEADER}versions = \">=1\"\nfact = \"numpy1\"\nfloor = \"2.0\"\n{TAIL}"
    ));
    assert!(matches!(kind, FactsErrorKind::FloorOutOfRange { .. }));
    let (_, _, kind, _) = refusal(&format!(
        "{HEADER}versions = \">=1\"\nfact = \"numpy1\"\nfloor = \"one\"\n{TAIL}"
    ));
    assert!(matches!(kind, FactsErrorKind::Floor { .. }));
}

#[test]
fn refuses_binding_problems() {
    let (_, _, kind, _) = refusal(&format!(
        "{HEADER}versions = \">=1\"\nfact = \"numpy1-silent\"\n{TAIL}"
    ));
    assert!(matches!(kind, FactsErrorKind::Binding { .. }));
    let (line, _, kind, _) = refusal(&format!(
        "{HEADER}versions = \">=1\"\nfact = \"numpy1\"\nbinding = \"pybind11\"\n{TAIL}"
    ));
    assert!(matches!(kind, FactsErrorKind::Binding { .. }));
    assert_eq!(line, 7);
}

#[test]
fn refuses_bad_names_tags_dates_and_schema() {
    let (_, _, kind, _) = refusal(&format!(
        "schema = 1\n[[entry]]\npackage = \"-pandas\"\nversions = \">=1\"\nfact = \"numpy1\"\n{TAIL}"
    ));
    assert!(matches!(kind, FactsErrorKind::PackageName { .. }));
    let (line, column, kind, _) = refusal(&format!(
        "{HEADER}versions = \">=1\"\npython = [\"cp311\", \"CP312\"]\nfact = \"numpy1\"\n{TAIL}"
    ));
    assert!(matches!(
        kind,
        FactsErrorKind::Tag {
            field: "python",
            ..
        }
    ));
    assert_eq!((line, column), (6, 20));
    let (_, _, kind, _) = refusal(&format!(
        "{HEADER}versions = \">=1\"\nfact = \"numpy1\"\nsource = \"x\"\nchecked = 2026-11-23T10:00:00\n"
    ));
    assert!(matches!(kind, FactsErrorKind::Checked { .. }));
    let (_, _, kind, _) = refusal(&format!(
        "{HEADER}versions = \">=1\"\nfact = \"numpy1\"\nsource = \"x\"\nchecked = \"2026-11-23\"\n"
    ));
    assert!(matches!(kind, FactsErrorKind::Toml { .. }));
    let (line, _, kind, _) = refusal("schema = 2\n");
    assert!(matches!(kind, FactsErrorKind::Schema { schema: 2 }));
    assert_eq!(line, 1);
    let (line, _, kind, _) = refusal("schema = 1\n[[entry]\n");
    assert!(matches!(kind, FactsErrorKind::Toml { .. }));
    assert_eq!(line, 2);
}

#[test]
fn refuses_overlapping_entries_that_disagree() {
    let text = format!(
        "{HEADER}versions = \">=1,<2.2.2\"\nfact = \"numpy1\"\n{TAIL}\n[[entry]]\npackage = \"pandas\"\nversions = \">=2.2\"\nfact = \"numpy2\"\n{TAIL}"
    );
    let (line, _, kind, shown) = refusal(&text);
    assert!(
        matches!(kind, FactsErrorKind::Conflict { other_line: 4, .. }),
        "{shown}"
    );
    assert_eq!(line, 10, "{shown}");
    assert!(shown.contains("overlaps the entry on line 4"), "{shown}");
}

#[test]
fn accepts_overlaps_that_agree_or_differ_in_tags() {
    let agree = format!(
        "{HEADER}versions = \">=1\"\nfact = \"numpy1\"\n{TAIL}\n[[entry]]\npackage = \"pandas\"\nversions = \">=1.5\"\nfact = \"numpy1\"\n{TAIL}"
    );
    assert!(Facts::parse(&agree, "agree.toml").is_ok());
    let tagged = format!(
        "{HEADER}versions = \">=1\"\nfact = \"numpy1\"\n{TAIL}\n[[entry]]\npackage = \"pandas\"\nversions = \">=1.5\"\npython = [\"cp311\"]\nfact = \"numpy1\"\nfloor = \"1.23\"\n{TAIL}"
    );
    assert!(Facts::parse(&tagged, "tagged.toml").is_ok());
    let disjoint = format!(
        "{HEADER}versions = \"<2\"\nfact = \"numpy1\"\n{TAIL}\n[[entry]]\npackage = \"pandas\"\nversions = \">=2\"\nfact = \"numpy2\"\n{TAIL}"
    );
    assert!(Facts::parse(&disjoint, "disjoint.toml").is_ok());
}

#[test]
fn bundled_facts_parse_and_every_entry_cites_a_source() {
    let facts = Facts::bundled();
    assert!(!facts.is_empty());
    for entry in facts.iter() {
        assert!(
            !entry.source.trim().is_empty(),
            "line {}: no source",
            entry.line
        );
        assert!(
            entry.checked
                <= jiff::Timestamp::now()
                    .to_zoned_datetime(jiff::tz::TimeZone::UTC)
                    .date(),
            "line {}: checked in the future",
            entry.line
        );
        assert!(
            !matches!(entry.fact, npsolve_abi::BuildFact::Unknown),
            "line {}",
            entry.line
        );
    }
}

/// The bundled data agrees with the measured examples of the shared
/// `numpy-abi.md` (cp311, manylinux x86_64).
#[test]
fn bundled_facts_agree_with_the_measured_examples() {
    let facts = Facts::bundled();
    let linux = |name_text: &str, version: &str, python: &str| {
        let filename = format!(
            "{name_text}-{version}-{python}-{python}-manylinux_2_17_x86_64.manylinux2014_x86_64.whl"
        );
        let wheel = wheel(&filename);
        facts
            .lookup(&name(name_text), &v(version), Some(&wheel))
            .map(|entry| entry.fact.clone())
    };
    assert_eq!(
        linux("pandas", "1.5.3", "cp311"),
        Some(BuildFact::Numpy1 {
            floor: Some(v("1.23"))
        })
    );
    assert_eq!(
        linux("pandas", "1.5.3", "cp38"),
        Some(BuildFact::Numpy1 {
            floor: Some(v("1.16"))
        })
    );
    assert_eq!(
        linux("pandas", "2.2.2", "cp311"),
        Some(BuildFact::Numpy2 {
            floor: Some(v("1.20"))
        })
    );
    assert!(matches!(
        linux("scipy", "1.11.4", "cp311"),
        Some(BuildFact::Numpy1 { .. })
    ));
    assert_eq!(
        linux("scipy", "1.13.1", "cp311"),
        Some(BuildFact::Numpy2 {
            floor: Some(v("1.16"))
        })
    );
    assert_eq!(linux("pillow", "10.4.0", "cp311"), Some(BuildFact::NoCapi));
    assert!(matches!(
        linux("contourpy", "1.2.0", "cp311"),
        Some(BuildFact::Numpy1Silent { .. })
    ));
    assert!(matches!(
        linux("contourpy", "1.2.1", "cp311"),
        Some(BuildFact::Numpy2 { .. })
    ));
    let opencv = |version: &str| {
        facts
            .lookup(&name("opencv-python-headless"), &v(version), None)
            .map(|entry| entry.fact.keyword())
    };
    assert_eq!(opencv("4.10.0.82"), Some("numpy1"));
    assert_eq!(opencv("4.10.0.84"), Some("numpy2"));
    assert_eq!(
        facts.first_numpy2_release(&name("pandas")),
        Some(&v("2.2.2"))
    );
    assert_eq!(
        facts.first_numpy2_release(&name("opencv-python")),
        Some(&v("4.10.0.84"))
    );
    // Windows torch 2.3 wheels were still 1.x builds; Linux ones were not.
    let torch_windows = wheel("torch-2.3.1-cp311-cp311-win_amd64.whl");
    let torch_linux = wheel("torch-2.3.1-cp311-cp311-manylinux1_x86_64.whl");
    let torch = |wheel: &WheelFilename| {
        facts
            .lookup(&name("torch"), &v("2.3.1"), Some(wheel))
            .map(|e| e.fact.keyword())
    };
    assert_eq!(torch(&torch_windows), Some("numpy1"));
    assert_eq!(torch(&torch_linux), Some("numpy2"));
}

#[test]
fn bundled_facts_cover_the_required_packages() {
    let facts = Facts::bundled();
    for package in [
        "pandas",
        "scipy",
        "scikit-learn",
        "matplotlib",
        "h5py",
        "pyarrow",
        "numba",
        "tables",
        "statsmodels",
        "scikit-image",
        "shapely",
        "pywavelets",
        "astropy",
        "pyerfa",
        "opencv-python",
        "opencv-python-headless",
        "opencv-contrib-python",
        "opencv-contrib-python-headless",
        "contourpy",
        "numexpr",
        "bottleneck",
        "netcdf4",
        "cftime",
        "gensim",
        "fastparquet",
        "torch",
        "rasterio",
        "xgboost",
        "lightgbm",
        "pillow",
    ] {
        assert!(
            facts.for_package(&name(package)).next().is_some(),
            "no entry for `{package}`"
        );
    }
}
