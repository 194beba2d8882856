//! Dependencies of real sdists (trimmed, `tests/fixtures/sdists/`) read without running them:
//! one per rung of the ladder, served over loopback HTTP as PyPI serves them (no `.metadata`
//! file), then read again from the cache.

use std::path::PathBuf;
use std::str::FromStr;

use npsolve_index::{CacheOptions, ClientOptions, CoreMetadata, IndexClient, IndexError};
use npsolve_metadata::StaticSource;
use npsolve_testkit::{FixtureServer, ServerOptions};
use pep508_rs::PackageName;

fn fixtures() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures/sdists/index")
}

fn client(server: &FixtureServer, cache: &std::path::Path, offline: bool) -> IndexClient {
    IndexClient::new(ClientOptions {
        index_url: Some(server.index_url().parse().expect("index URL")),
        cache: CacheOptions {
            dir: Some(cache.to_path_buf()),
            offline,
            ..CacheOptions::default()
        },
        ..ClientOptions::default()
    })
    .expect("client")
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime")
}

/// The metadata of the sdist of `project` at `version` (its only one when `None`).
fn read(
    client: &IndexClient,
    project: &str,
    version: Option<&str>,
) -> Result<std::sync::Arc<CoreMetadata>, IndexError> {
    runtime().block_on(async {
        let name = PackageName::from_str(project).expect("name");
        let page = client.project(&name).await?;
        let file = page
            .files
            .iter()
            .find(|file| {
                version.is_none_or(|version| file.filename.version().to_string() == version)
            })
            .expect("the file");
        client.metadata(file).await
    })
}

fn requires(metadata: &CoreMetadata) -> Vec<String> {
    metadata
        .requires_dist
        .iter()
        .map(ToString::to_string)
        .collect()
}

/// A project, the rung that answers, some of its Requires-Dist (all of them when empty), its
/// Requires-Python and extras.
type Case = (
    &'static str,
    StaticSource,
    &'static [&'static str],
    Option<&'static str>,
    &'static [&'static str],
);

#[test]
fn every_rung_answers_from_the_archive_and_again_from_the_cache() {
    let server = FixtureServer::start(fixtures(), ServerOptions::default());
    let cache = tempfile::tempdir().expect("cache");
    // (project, source, some of its Requires-Dist (all of them when empty), Requires-Python,
    // extras), as the real files say.
    let cases: [Case; 9] = [
        ("packaging", StaticSource::PkgInfo, &[], Some(">=3.8"), &[]),
        (
            "overrides",
            StaticSource::EggInfo,
            &["typing ; python_full_version < '3.5'"],
            None,
            &[],
        ),
        // A src/ layout: the egg-info sits one folder down.
        (
            "antlr4-python3-runtime",
            StaticSource::EggInfo,
            &["typing ; python_full_version < '3.5'"],
            None,
            &[],
        ),
        // An egg-info without requires.txt: no dependencies.
        ("htmlmin", StaticSource::EggInfo, &[], None, &[]),
        (
            "flask-mail",
            StaticSource::Pyproject,
            &["flask", "blinker"],
            Some(">=3.8"),
            &[],
        ),
        // `{file = ...}` lists; the optional one names a file the sdist lacks.
        (
            "circuitpython-styles",
            StaticSource::Pyproject,
            &["adafruit-blinka"],
            None,
            &["optional"],
        ),
        // Continuation lines (`; \`) inside an extra.
        (
            "importlib-metadata",
            StaticSource::SetupCfg,
            &[
                "zipp>=0.5",
                "typing-extensions>=3.6.4 ; python_full_version < '3.8'",
                "pytest-black>=0.3.7 ; platform_python_implementation != 'PyPy' and extra == 'testing'",
                "ipython ; extra == 'perf'",
            ],
            Some(">=3.6"),
            &["docs", "perf", "testing"],
        ),
        ("termcolor", StaticSource::SetupPy, &[], None, &[]),
        // `[extra]` and `[:marker]` sections; numpy required, nothing compiled.
        (
            "gruut",
            StaticSource::EggInfo,
            &[
                "numpy>=1.19.0",
                "importlib-resources ; python_full_version < '3.9'",
                "pydub~=0.24.1 ; extra == 'align'",
            ],
            Some(">=3.6"),
            &["align", "all", "train"],
        ),
    ];
    for offline in [false, true] {
        let client = client(&server, cache.path(), offline);
        for (project, source, expected, python, extras) in &cases {
            let metadata = read(
                &client,
                project,
                (*project == "overrides").then_some("3.0.0"),
            )
            .unwrap_or_else(|error| panic!("{project}: {error}"));
            assert_eq!(metadata.static_source, Some(*source), "{project}");
            let requires = requires(&metadata);
            for requirement in *expected {
                assert!(
                    requires.iter().any(|found| found == requirement),
                    "{project}: `{requirement}` not in {requires:?}"
                );
            }
            if expected.is_empty() {
                assert!(requires.is_empty(), "{project}: {requires:?}");
            }
            assert_eq!(
                metadata
                    .requires_python
                    .as_ref()
                    .map(ToString::to_string)
                    .as_deref(),
                *python,
                "{project}"
            );
            for extra in *extras {
                assert!(
                    metadata
                        .provides_extras
                        .iter()
                        .any(|found| found.as_ref() == *extra),
                    "{project}: extra `{extra}` in {:?}",
                    metadata.provides_extras
                );
            }
            assert_eq!(metadata.builds_extensions, Some(false), "{project}");
        }
    }
}

/// dkimpy's setup.py picks `Py3DNS` or `dnspython` by which one imports: its egg-info says
/// what the maker's machine had, so nothing static answers, and offline says the same.
#[test]
fn an_environment_dependent_setup_py_needs_a_build() {
    let server = FixtureServer::start(fixtures(), ServerOptions::default());
    let cache = tempfile::tempdir().expect("cache");
    for offline in [false, true] {
        let error = read(&client(&server, cache.path(), offline), "dkimpy", None)
            .expect_err("needs a build");
        let message = error.to_string();
        assert!(matches!(error, IndexError::NeedsBuild { .. }), "{message}");
        let IndexError::NeedsBuild { reason, .. } = &error else {
            unreachable!()
        };
        assert!(reason.contains("except ImportError"), "{reason}");
        assert!(
            reason.contains("PKG-INFO is Metadata-Version 2.1"),
            "{reason}"
        );
    }
}
