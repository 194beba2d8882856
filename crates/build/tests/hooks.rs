//! The frontend against in-tree backends (PEP 517 `backend-path`), with the `python3` on PATH:
//! no index and no build requirements, so nothing but the frontend is tested.

use std::path::Path;
use std::time::Duration;

use npsolve_build::{Backend, BuildError, Frontend, Installer};

fn frontend(timeout: Duration) -> Frontend {
    Frontend::new("python3".into(), Installer::Pip, timeout)
}

fn tree(backend: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("a folder");
    fs_err::create_dir_all(dir.path().join("src")).expect("src");
    fs_err::write(dir.path().join("src/_backend.py"), backend).expect("backend");
    dir
}

fn in_tree() -> Backend {
    Backend {
        spec: "_backend".to_string(),
        path: vec!["."].into_iter().map(String::from).collect(),
    }
}

async fn env(frontend: &Frontend, dir: &Path) -> npsolve_build::BuildEnvironment {
    frontend
        .environment(&dir.join("env"))
        .await
        .expect("python3 -m venv works")
}

const PREPARING: &str = r#"
import os
def get_requires_for_build_wheel(config_settings=None):
    return ["demo-helper>=1"]
def prepare_metadata_for_build_wheel(directory, config_settings=None):
    print("noise on stdout that is not the answer")
    os.makedirs(os.path.join(directory, "demo-1.0.dist-info"))
    with open(os.path.join(directory, "demo-1.0.dist-info", "METADATA"), "w") as f:
        f.write("Metadata-Version: 2.1\nName: demo\nVersion: 1.0\nRequires-Dist: six\n")
    return "demo-1.0.dist-info"
"#;

#[tokio::test]
async fn runs_the_requires_and_metadata_hooks_of_an_in_tree_backend() {
    let dir = tree(PREPARING);
    let frontend = frontend(Duration::from_secs(60));
    let env = env(&frontend, dir.path()).await;
    let source = dir.path().join("src");
    let scratch = dir.path().join("scratch");
    let requires = env
        .requires_for_build_wheel(&source, &in_tree(), &scratch)
        .await
        .expect("the hook answers");
    assert_eq!(requires, ["demo-helper>=1"]);
    let metadata = env
        .wheel_metadata(&source, &in_tree(), &scratch)
        .await
        .expect("the hook answers");
    let text = String::from_utf8(metadata).expect("text");
    assert!(text.contains("Requires-Dist: six"), "{text}");
}

const WHEEL_ONLY: &str = r#"
import zipfile, os
def build_wheel(directory, config_settings=None, metadata_directory=None):
    name = "demo-1.0-py3-none-any.whl"
    with zipfile.ZipFile(os.path.join(directory, name), "w") as z:
        z.writestr("demo/__init__.py", "")
        z.writestr("demo-1.0.dist-info/METADATA", "Metadata-Version: 2.1\nName: demo\nVersion: 1.0\n")
    return name
"#;

#[tokio::test]
async fn falls_back_to_build_wheel_and_reads_its_metadata() {
    let dir = tree(WHEEL_ONLY);
    let frontend = frontend(Duration::from_secs(60));
    let env = env(&frontend, dir.path()).await;
    let source = dir.path().join("src");
    let scratch = dir.path().join("scratch");
    assert!(
        env.requires_for_build_wheel(&source, &in_tree(), &scratch)
            .await
            .expect("no hook: nothing required")
            .is_empty()
    );
    let metadata = env
        .wheel_metadata(&source, &in_tree(), &scratch)
        .await
        .expect("from the wheel");
    assert!(String::from_utf8_lossy(&metadata).contains("Name: demo"));
}

#[tokio::test]
async fn a_failing_hook_shows_its_last_lines_and_a_slow_one_is_stopped() {
    let dir = tree(
        "def prepare_metadata_for_build_wheel(d, c=None):\n    raise RuntimeError('setup.py exploded here')\n",
    );
    let frontend = frontend(Duration::from_secs(60));
    let env = env(&frontend, dir.path()).await;
    let error = env
        .wheel_metadata(&dir.path().join("src"), &in_tree(), &dir.path().join("s"))
        .await
        .expect_err("the hook raises");
    assert!(matches!(error, BuildError::Failed { .. }), "{error}");
    assert!(
        error.to_string().contains("setup.py exploded here"),
        "{error}"
    );

    let slow =
        tree("import time\ndef prepare_metadata_for_build_wheel(d, c=None):\n    time.sleep(60)\n");
    let quick = self::frontend(Duration::from_millis(1500));
    let env = self::env(&quick, slow.path()).await;
    let started = std::time::Instant::now();
    let error = env
        .wheel_metadata(&slow.path().join("src"), &in_tree(), &slow.path().join("s"))
        .await
        .expect_err("stopped");
    assert!(matches!(error, BuildError::Timeout { .. }), "{error}");
    assert!(started.elapsed() < Duration::from_secs(30));
}

#[tokio::test]
async fn a_missing_interpreter_is_named() {
    let dir = tempfile::tempdir().expect("a folder");
    let frontend = Frontend::new(
        "/nonexistent/python3".into(),
        Installer::Pip,
        Duration::from_secs(5),
    );
    let error = frontend
        .environment(&dir.path().join("env"))
        .await
        .expect_err("no interpreter");
    assert!(
        error.to_string().contains("/nonexistent/python3"),
        "{error}"
    );
}
