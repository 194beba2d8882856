//! Resolver behaviour on small in-memory indexes: policies, explanations, determinism.

use std::collections::BTreeMap;
use std::str::FromStr;

use npsolve_resolver::{
    AbiBound, AbiOracle, DistRef, MemoryRelease, MemorySource, PrereleaseMode, ResolveError,
    ResolveOptions, RootRequirement, resolve,
};
use pep440_rs::Version;
use pep508_rs::{MarkerEnvironment, MarkerEnvironmentBuilder, PackageName, Requirement};
use version_ranges::Ranges;

/// A release with a wheel and an sdist.
fn release(version: &str, requires: &[&str]) -> MemoryRelease {
    MemoryRelease::parse(version, requires).unwrap()
}

/// The in-memory index the tests resolve against.
type Index = MemorySource;

/// Adding a release by name, for short tests.
trait With {
    fn with(self, name: &str, release: MemoryRelease) -> Self;
}

impl With for MemorySource {
    fn with(self, name: &str, release: MemoryRelease) -> Self {
        self.add(name.parse().unwrap(), release)
    }
}

fn markers() -> MarkerEnvironment {
    MarkerEnvironment::try_from(MarkerEnvironmentBuilder {
        implementation_name: "cpython",
        implementation_version: "3.11.0",
        os_name: "posix",
        platform_machine: "x86_64",
        platform_python_implementation: "CPython",
        platform_release: "",
        platform_system: "Linux",
        platform_version: "",
        python_full_version: "3.11.0",
        python_version: "3.11",
        sys_platform: "linux",
    })
    .unwrap()
}

fn options() -> ResolveOptions {
    ResolveOptions {
        markers: markers(),
        python_version: "3.11.0".parse().unwrap(),
        prerelease: PrereleaseMode::default(),
        allow_source: Default::default(),
        only_binary: Default::default(),
        no_binary: Default::default(),
        preferences: BTreeMap::new(),
        constraints: Vec::new(),
        overrides: Vec::new(),
        release_files: true,
        resolution: Default::default(),
        no_deps: false,
        direct: Default::default(),
    }
}

fn requirements(lines: &[&str]) -> Vec<RootRequirement> {
    lines
        .iter()
        .enumerate()
        .map(|(index, line)| RootRequirement {
            requirement: Requirement::from_str(line).unwrap(),
            origin: format!("requirements.txt:{}", index + 1),
            via: "-r requirements.txt".to_string(),
        })
        .collect()
}

fn pins(result: &npsolve_resolver::Resolution) -> String {
    result
        .pins
        .iter()
        .map(|pin| format!("{}=={}", pin.name, pin.version))
        .collect::<Vec<_>>()
        .join(" ")
}

fn solve(index: &Index, lines: &[&str], options: &ResolveOptions) -> String {
    match resolve(&requirements(lines), options, index, None) {
        Ok(resolution) => pins(&resolution),
        Err(error) => format!("error: {error}"),
    }
}

#[test]
fn picks_newest_and_follows_dependencies() {
    let index = Index::default()
        .with("a", release("1.0", &["b>=1"]))
        .with("a", release("2.0", &["b>=2"]))
        .with("b", release("1.5", &[]))
        .with("b", release("2.1", &[]));
    assert_eq!(solve(&index, &["a"], &options()), "a==2.0 b==2.1");
    assert_eq!(solve(&index, &["a<2"], &options()), "a==1.0 b==2.1");
}

#[test]
fn extras_pull_their_dependencies_at_the_same_version() {
    let mut with_extra = release("2.0", &["c; extra == 'fast'"]);
    with_extra.provides_extras = vec!["fast".parse().unwrap()];
    let index = Index::default()
        .with("a", release("1.0", &[]))
        .with("a", with_extra)
        .with("c", release("3.0", &[]));
    assert_eq!(solve(&index, &["a"], &options()), "a==2.0");
    assert_eq!(solve(&index, &["a[fast]"], &options()), "a==2.0 c==3.0");
}

#[test]
fn markers_are_evaluated_for_the_target() {
    let index = Index::default()
        .with(
            "a",
            release(
                "1.0",
                &[
                    "win ; sys_platform == 'win32'",
                    "lin ; sys_platform == 'linux'",
                ],
            ),
        )
        .with("win", release("1.0", &[]))
        .with("lin", release("1.0", &[]));
    assert_eq!(solve(&index, &["a"], &options()), "a==1.0 lin==1.0");
    assert_eq!(solve(&index, &["a ; python_version < '3'"], &options()), "");
}

#[test]
fn requires_python_excludes_versions() {
    let mut new = release("2.0", &[]);
    new.requires_python = Some(">=3.12".parse().unwrap());
    let index = Index::default()
        .with("a", release("1.0", &[]))
        .with("a", new);
    assert_eq!(solve(&index, &["a"], &options()), "a==1.0");
    let error = solve(&index, &["a>=2"], &options());
    assert!(error.contains("requires Python >=3.12"), "{error}");
}

#[test]
fn yanked_versions_are_skipped_unless_pinned() {
    let mut yanked = release("2.0", &[]);
    yanked.yanked = true;
    let index = Index::default()
        .with("a", release("1.0", &[]))
        .with("a", yanked);
    assert_eq!(solve(&index, &["a"], &options()), "a==1.0");
    assert_eq!(solve(&index, &["a==2.0"], &options()), "a==2.0");
    // Only your own `==` may take a yanked release (uv; PEP 592): a dependency's may not.
    let index = index.with("app", release("1.0", &["a==2.0"]));
    assert!(
        solve(&index, &["app"], &options()).starts_with("error:"),
        "a dependency's pin took a yanked release"
    );
    assert_eq!(
        solve(&index, &["app", "a==2.0"], &options()),
        "a==2.0 app==1.0"
    );
}

#[test]
fn prereleases_only_when_named_or_necessary() {
    let index = Index::default()
        .with("a", release("1.0", &[]))
        .with("a", release("2.0rc1", &[]))
        .with("only", release("0.1b1", &[]));
    assert_eq!(solve(&index, &["a"], &options()), "a==1.0");
    // Naming a pre-release does not rank pre-releases with stable ones (uv 0.12)...
    let index = index.with("a", release("2.0", &[]));
    assert_eq!(solve(&index, &["a>=2.0rc1"], &options()), "a==2.0");
    // ...and a range no stable release fits takes a pre-release, named or not.
    assert_eq!(solve(&index, &["a>=2.0rc1,!=2.0"], &options()), "a==2.0rc1");
    let index = index.with("b", release("1.0", &["a>1.0,!=2.0"]));
    assert_eq!(solve(&index, &["b"], &options()), "a==2.0rc1 b==1.0");
    let mut explicit = options();
    explicit.prerelease = PrereleaseMode::Explicit;
    assert!(solve(&index, &["b"], &explicit).starts_with("error"));
    assert_eq!(solve(&index, &["only"], &options()), "only==0.1b1");
    let mut allow = options();
    allow.prerelease = PrereleaseMode::Allow;
    assert_eq!(solve(&index, &["only"], &allow), "only==0.1b1");
    let mut disallow = options();
    disallow.prerelease = PrereleaseMode::Disallow;
    assert!(solve(&index, &["only"], &disallow).starts_with("error"));
}

#[test]
fn constraints_narrow_only_what_is_required() {
    let index = Index::default()
        .with("a", release("1.0", &["b"]))
        .with("b", release("1.0", &[]))
        .with("b", release("2.0", &[]))
        .with("unused", release("1.0", &[]));
    let mut constrained = options();
    constrained.constraints = vec![
        Requirement::from_str("b<2").unwrap(),
        Requirement::from_str("unused==1.0").unwrap(),
    ];
    assert_eq!(solve(&index, &["a"], &constrained), "a==1.0 b==1.0");
}

#[test]
fn preferences_keep_existing_pins() {
    let index = Index::default()
        .with("a", release("1.0", &[]))
        .with("a", release("2.0", &[]));
    let mut preferring = options();
    preferring
        .preferences
        .insert("a".parse().unwrap(), "1.0".parse().unwrap());
    assert_eq!(solve(&index, &["a"], &preferring), "a==1.0");
    assert_eq!(solve(&index, &["a>=2"], &preferring), "a==2.0");
}

#[test]
fn a_preferred_pin_without_a_wheel_does_not_beat_a_version_with_one() {
    // The lead target of a universal lock pinned b 3.0; on this target 3.0 has only an
    // sdist that compiles, and 2.0 has a wheel: binary first still holds.
    let mut source_only = release("3.0", &[]);
    source_only.wheel = false;
    let index = Index::default()
        .with("b", release("2.0", &[]))
        .with("b", release("2.5", &[]))
        .with("b", source_only);
    let mut preferring = options();
    preferring
        .preferences
        .insert("b".parse().unwrap(), "3.0".parse().unwrap());
    assert_eq!(solve(&index, &["b"], &preferring), "b==2.5");
    // Among versions with a wheel, the preference still wins over the newest.
    preferring
        .preferences
        .insert("b".parse().unwrap(), "2.0".parse().unwrap());
    assert_eq!(solve(&index, &["b"], &preferring), "b==2.0");
    // When nothing in range has a wheel, the preferred sdist is the one built.
    let mut sdists = Index::default();
    for version in ["1.0", "3.0", "4.0"] {
        let mut release = release(version, &[]);
        release.wheel = false;
        sdists = sdists.with("b", release);
    }
    preferring
        .preferences
        .insert("b".parse().unwrap(), "3.0".parse().unwrap());
    assert_eq!(solve(&sdists, &["b"], &preferring), "b==3.0");
}

#[test]
fn a_preferred_numpy_source_build_is_refused_like_any_other() {
    let mut source_only = release("2.0", &["numpy"]);
    source_only.wheel = false;
    let index = Index::default()
        .with("a", release("1.0", &["numpy"]))
        .with("a", source_only)
        .with("numpy", release("1.26.4", &[]));
    let mut preferring = options();
    preferring
        .preferences
        .insert("a".parse().unwrap(), "2.0".parse().unwrap());
    assert_eq!(solve(&index, &["a"], &preferring), "a==1.0 numpy==1.26.4");
}

#[test]
fn backtracks_to_an_older_version() {
    let index = Index::default()
        .with("a", release("1.0", &["c<2"]))
        .with("a", release("2.0", &["c>=2"]))
        .with("b", release("1.0", &["c<2"]))
        .with("c", release("1.0", &[]))
        .with("c", release("2.0", &[]));
    assert_eq!(
        solve(&index, &["a", "b"], &options()),
        "a==1.0 b==1.0 c==1.0"
    );
}

#[test]
fn binary_first_and_numpy_source_builds_refused() {
    let mut source_only = release("2.0", &["numpy"]);
    source_only.wheel = false;
    let index = Index::default()
        .with("a", release("1.0", &["numpy"]))
        .with("a", source_only)
        .with("numpy", release("1.26.4", &[]));
    assert_eq!(solve(&index, &["a"], &options()), "a==1.0 numpy==1.26.4");
    let error = solve(&index, &["a==2.0"], &options());
    assert!(error.contains("--allow-source"), "{error}");
    let mut allowing = options();
    allowing.allow_source = npsolve_resolver::PackageSelection::All;
    assert_eq!(
        solve(&index, &["a==2.0"], &allowing),
        "a==2.0 numpy==1.26.4"
    );
}

/// Bounds `old` below 2 for numpy, the way the curated facts would.
struct OldIsNumpy1;

impl AbiOracle for OldIsNumpy1 {
    fn bound(
        &self,
        name: &PackageName,
        version: &Version,
        _dist: &DistRef,
        _requires_numpy: bool,
    ) -> Option<AbiBound> {
        (name.as_ref() == "old" && *version < Version::from_str("2").unwrap()).then(|| AbiBound {
            numpy: Ranges::strictly_lower_than(Version::from_str("2.dev0").unwrap()),
            summary: format!("old {version} built with NumPy 1.x"),
            reason: format!("`old` {version} was built against NumPy 1.x (source: test)"),
            first_newer_build: Some("2.0".parse().unwrap()),
        })
    }
}

fn abi_index() -> Index {
    Index::default()
        .with("old", release("1.0", &["numpy>=1.20"]))
        .with("old", release("2.0", &["numpy>=1.23"]))
        .with("numpy", release("1.26.4", &[]))
        .with("numpy", release("2.1.0", &[]))
}

#[test]
fn abi_bound_caps_numpy_and_is_annotated() {
    let index = abi_index();
    let resolution = resolve(
        &requirements(&["old<2", "numpy"]),
        &options(),
        &index,
        Some(&OldIsNumpy1),
    )
    .unwrap();
    assert_eq!(pins(&resolution), "numpy==1.26.4 old==1.0");
    let numpy = resolution.get(&"numpy".parse().unwrap()).unwrap();
    assert_eq!(
        numpy.abi_bound_by,
        vec!["old 1.0 built with NumPy 1.x".to_string()]
    );
    // Without the oracle, the metadata-only answer is the broken pair.
    let plain = resolve(&requirements(&["old<2", "numpy"]), &options(), &index, None).unwrap();
    assert_eq!(pins(&plain), "numpy==2.1.0 old==1.0");
}

#[test]
fn abi_conflict_is_explained_with_rule_and_hint() {
    let index = abi_index();
    let error = resolve(
        &requirements(&["old<2", "numpy>=2"]),
        &options(),
        &index,
        Some(&OldIsNumpy1),
    )
    .unwrap_err();
    let ResolveError::NoSolution { report, .. } = error else {
        panic!("{error}")
    };
    insta::assert_snapshot!(report);
}

#[test]
fn unsatisfiable_names_requirement_lines() {
    let index = Index::default()
        .with("a", release("1.0", &["b<2"]))
        .with("b", release("1.0", &[]))
        .with("b", release("2.0", &[]));
    let error = resolve(&requirements(&["a", "b>=2"]), &options(), &index, None).unwrap_err();
    let ResolveError::NoSolution { report, .. } = error else {
        panic!("{error}")
    };
    insta::assert_snapshot!(report);
}

#[test]
fn input_order_does_not_change_the_answer() {
    let index = Index::default()
        .with("a", release("1.0", &["c<2"]))
        .with("a", release("2.0", &["c>=2"]))
        .with("b", release("1.0", &["c<2"]))
        .with("b", release("2.0", &["c>=2"]))
        .with("c", release("1.0", &[]))
        .with("c", release("2.0", &[]))
        .with("d", release("1.0", &["c<2"]));
    let lines = ["a", "b", "d", "c"];
    let expected = solve(&index, &lines, &options());
    let mut permuted = lines;
    for _ in 0..lines.len() {
        permuted.rotate_left(1);
        assert_eq!(solve(&index, &permuted, &options()), expected);
        let mut reversed = permuted;
        reversed.reverse();
        assert_eq!(solve(&index, &reversed, &options()), expected);
    }
}

#[test]
fn constrained_requirements_are_decided_before_bare_ones() {
    // pandas 2.2.1 caps numpy<2; an older pandas does not. Deciding the bare `numpy`
    // first would take numpy 2 and walk pandas back to the uncapped release.
    let index = Index::default()
        .with("pandas", release("2.1.1", &["numpy>=1.22"]))
        .with("pandas", release("2.2.1", &["numpy>=1.22,<2"]))
        .with("pandas", release("2.2.2", &["numpy>=1.22"]))
        .with("numpy", release("1.26.4", &[]))
        .with("numpy", release("2.4.6", &[]));
    for lines in [["pandas<2.2.2", "numpy"], ["numpy", "pandas<2.2.2"]] {
        assert_eq!(
            solve(&index, &lines, &options()),
            "numpy==1.26.4 pandas==2.2.1"
        );
    }
}

/// Records every wheel the resolver asks about; no bounds.
#[derive(Default)]
struct AskedFor(std::sync::Mutex<Vec<String>>);

impl AbiOracle for AskedFor {
    fn bound(
        &self,
        name: &PackageName,
        version: &Version,
        _dist: &DistRef,
        _requires_numpy: bool,
    ) -> Option<AbiBound> {
        self.0.lock().unwrap().push(format!("{name}=={version}"));
        None
    }
}

#[test]
fn a_version_the_root_pins_exclude_is_never_asked_for_its_abi_bound() {
    // bnb 2.0 needs torch>=2.2 but the root pins torch==2.1.2: it can never be chosen, so
    // reading its binaries would be wasted (a scan costs megabytes).
    let index = Index::default()
        .with("bnb", release("1.0", &["torch", "numpy"]))
        .with("bnb", release("2.0", &["torch>=2.2", "numpy"]))
        .with("torch", release("2.1.2", &[]))
        .with("torch", release("2.2.0", &[]))
        .with("numpy", release("2.1.0", &[]));
    let oracle = AskedFor::default();
    let resolution = resolve(
        &requirements(&["torch==2.1.2", "bnb"]),
        &options(),
        &index,
        Some(&oracle),
    )
    .unwrap();
    assert_eq!(pins(&resolution), "bnb==1.0 numpy==2.1.0 torch==2.1.2");
    let asked = oracle.0.lock().unwrap().clone();
    assert!(asked.contains(&"bnb==1.0".to_string()), "{asked:?}");
    assert!(!asked.contains(&"bnb==2.0".to_string()), "{asked:?}");

    // The same pin given only as a constraint (`-c`) rules bnb 2.0 out just as well.
    let oracle = AskedFor::default();
    let constrained = ResolveOptions {
        constraints: vec!["torch==2.1.2".parse().unwrap()],
        ..options()
    };
    let resolution = resolve(&requirements(&["bnb"]), &constrained, &index, Some(&oracle)).unwrap();
    assert_eq!(pins(&resolution), "bnb==1.0 numpy==2.1.0 torch==2.1.2");
    let asked = oracle.0.lock().unwrap().clone();
    assert!(!asked.contains(&"bnb==2.0".to_string()), "{asked:?}");
}

/// A bound on `arrow` (which does not declare numpy) for version 2: NumPy 2 only.
struct ArrowTwoNeedsNumpy2;

impl AbiOracle for ArrowTwoNeedsNumpy2 {
    fn bound(
        &self,
        name: &PackageName,
        version: &Version,
        _dist: &DistRef,
        _requires_numpy: bool,
    ) -> Option<AbiBound> {
        (name.as_ref() == "arrow" && *version >= Version::from_str("2").unwrap()).then(|| {
            AbiBound {
                numpy: Ranges::higher_than(Version::from_str("2.0").unwrap()),
                summary: format!("arrow {version} built with NumPy 2.x, needs numpy>=2.0"),
                reason: "test".to_string(),
                first_newer_build: None,
            }
        })
    }
}

#[test]
fn a_bound_on_a_package_without_numpy_holds_only_when_numpy_is_installed() {
    let index = Index::default()
        .with("arrow", release("1.0", &[]))
        .with("arrow", release("2.0", &[]))
        .with("numpy", release("1.26.4", &[]))
        .with("numpy", release("2.1.0", &[]));
    let solve = |lines: &[&str]| {
        pins(
            &resolve(
                &requirements(lines),
                &options(),
                &index,
                Some(&ArrowTwoNeedsNumpy2),
            )
            .unwrap(),
        )
    };
    assert_eq!(
        solve(&["arrow"]),
        "arrow==2.0",
        "the bound never pulls numpy in"
    );
    assert_eq!(solve(&["arrow", "numpy<2"]), "arrow==1.0 numpy==1.26.4");
    assert_eq!(solve(&["arrow", "numpy"]), "arrow==2.0 numpy==2.1.0");
    // Line order does not matter.
    assert_eq!(solve(&["numpy<2", "arrow"]), "arrow==1.0 numpy==1.26.4");
}

/// A source that counts which files' metadata the resolver read: a stand-in for the
/// requests a real index would serve.
struct Counting {
    inner: Index,
    read: std::cell::RefCell<std::collections::BTreeSet<String>>,
}

impl Counting {
    fn new(inner: Index) -> Counting {
        Counting {
            inner,
            read: Default::default(),
        }
    }

    /// How many distinct files of `name` had their metadata read.
    fn reads_of(&self, name: &str) -> usize {
        let prefix = format!("{name}-");
        self.read
            .borrow()
            .iter()
            .filter(|file| file.starts_with(&prefix))
            .count()
    }
}

impl npsolve_resolver::PackageSource for Counting {
    fn versions(
        &self,
        name: &PackageName,
    ) -> Result<std::sync::Arc<npsolve_resolver::PackageVersions>, npsolve_resolver::SourceError>
    {
        self.inner.versions(name)
    }

    fn files(
        &self,
        name: &PackageName,
        version: &Version,
    ) -> Result<Vec<DistRef>, npsolve_resolver::SourceError> {
        self.inner.files(name, version)
    }

    fn metadata(
        &self,
        name: &PackageName,
        dist: &DistRef,
    ) -> Result<std::sync::Arc<npsolve_resolver::DistMetadata>, npsolve_resolver::SourceError> {
        self.read.borrow_mut().insert(dist.filename.clone());
        self.inner.metadata(name, dist)
    }
}

#[test]
fn a_walk_down_to_a_decided_version_skips_the_releases_between() {
    // `client` is decided first and caps `core` at 5; every `sdk` release needs its own
    // `core`. Walking `sdk` down one release at a time reads 36 metadata files.
    let mut index = Index::new()
        .with("client", release("1", &[]))
        .with("client", release("2", &["core<=5"]));
    for i in 1..=40 {
        index = index
            .with("core", release(&i.to_string(), &[]))
            .with("sdk", release(&i.to_string(), &[&format!("core=={i}")]));
    }
    let source = Counting::new(index);
    let resolution = resolve(&requirements(&["client", "sdk"]), &options(), &source, None).unwrap();
    assert_eq!(pins(&resolution), "client==2 core==5 sdk==5");
    let sdk_reads = source.reads_of("sdk");
    assert!(sdk_reads <= 12, "{sdk_reads} sdk metadata files read");
}

#[test]
fn a_package_that_keeps_conflicting_with_a_decision_is_decided_before_it() {
    // `a` is discovered, and so decided, first; every `b` needs `a<2`. Plain PubGrub reads
    // all 30 `b` releases before it learns to take `a` 1; a restart that decides `b` first
    // reads only those of the first run's five conflicts and of one search below them.
    let mut index = Index::new()
        .with("a", release("1", &[]))
        .with("a", release("2", &[]));
    for i in 1..=30 {
        index = index.with("b", release(&i.to_string(), &["a<2"]));
    }
    let source = Counting::new(index);
    let resolution = resolve(&requirements(&["a", "b"]), &options(), &source, None).unwrap();
    assert_eq!(pins(&resolution), "a==1 b==30");
    let b_reads = source.reads_of("b");
    assert!(b_reads <= 12, "{b_reads} b metadata files read");
}

#[test]
fn a_requires_python_upper_bound_is_honoured_and_named() {
    let mut old = release("2.0", &[]);
    old.requires_python = Some("<=3.8".parse().unwrap());
    let index = Index::default()
        .with("lib", release("1.0", &[]))
        .with("lib", old);
    assert_eq!(solve(&index, &["lib"], &options()), "lib==1.0");
    let error = solve(&index, &["lib==2.0"], &options());
    assert!(error.contains("requires Python <=3.8"), "{error}");
    assert!(
        error.contains("an upper bound: pip would refuse"),
        "{error}"
    ); // An excluded version (`!=3.11.*`) is not an upper bound.
    let mut skipped = release("3.0", &[]);
    skipped.requires_python = Some(">=3.6,!=3.11.*".parse().unwrap());
    let index = index.with("lib", skipped);
    let error = solve(&index, &["lib==3.0"], &options());
    assert!(error.contains("requires Python >=3.6, !=3.11.*"), "{error}");
    assert!(!error.contains("upper bound"), "{error}");
}
