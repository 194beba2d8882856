//! `npsolve compile` end to end: policies on synthetic indexes, real recorded data,
//! determinism, output files.

use crate::common::{Npsolve, Release, compile_synthetic, repo, run_on_index, server, transcript};
use npsolve_testkit::{FixtureServer, Flavor, ServerOptions};

fn pins(output: &std::process::Output) -> String {
    String::from_utf8_lossy(&output.stdout)
        .lines()
        .filter(|line| !line.trim_start().starts_with('#') && !line.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

#[test]
fn extras_pull_in_their_dependencies() {
    let releases = [
        Release::new("app", "1.0")
            .extra("fast")
            .requires("speedup>=2; extra == 'fast'"),
        Release::new("speedup", "1.0"),
        Release::new("speedup", "2.5"),
    ];
    let (output, text) = compile_synthetic(&releases, "app\n", &[]);
    assert_eq!(pins(&output), "app==1.0", "{text}");
    let (output, text) = compile_synthetic(&releases, "app[fast]\n", &[]);
    assert_eq!(pins(&output), "app==1.0 speedup==2.5", "{text}");
}

#[test]
fn markers_follow_the_target_platform_and_python() {
    let releases = [
        Release::new("app", "1.0")
            .requires("winonly; sys_platform == 'win32'")
            .requires("oldpy; python_version < '3.10'")
            .requires("linux-helper; sys_platform == 'linux' and platform_machine == 'x86_64'"),
        Release::new("winonly", "1.0"),
        Release::new("oldpy", "1.0"),
        Release::new("linux-helper", "1.0"),
    ];
    let (output, text) = compile_synthetic(&releases, "app\n", &[]);
    assert_eq!(pins(&output), "app==1.0 linux-helper==1.0", "{text}");
    let (output, text) = compile_synthetic(
        &releases,
        "app\n",
        &["--python-platform", "x86_64-pc-windows-msvc"],
    );
    assert_eq!(pins(&output), "app==1.0 winonly==1.0", "{text}");
}

#[test]
fn requires_python_skips_releases_and_explains() {
    let releases = [
        Release::new("lib", "1.0"),
        Release::new("lib", "2.0").requires_python(">=3.12"),
    ];
    let (output, text) = compile_synthetic(&releases, "lib\n", &[]);
    assert_eq!(pins(&output), "lib==1.0", "{text}");
    let (output, text) = compile_synthetic(&releases, "lib>=2\n", &[]);
    assert_eq!(output.status.code(), Some(1), "{text}");
    assert!(text.contains("requires Python >=3.12"), "{text}");
    let (output, text) = compile_synthetic(&releases, "lib\n", &["--python-version", "3.12"]);
    assert_eq!(pins(&output), "lib==2.0", "{text}");
}

#[test]
fn yanked_only_when_pinned() {
    let releases = [
        Release::new("lib", "1.0"),
        Release::new("lib", "1.1").yanked(),
    ];
    let (output, text) = compile_synthetic(&releases, "lib\n", &[]);
    assert_eq!(pins(&output), "lib==1.0", "{text}");
    let (output, text) = compile_synthetic(&releases, "lib==1.1\n", &[]);
    assert_eq!(pins(&output), "lib==1.1", "{text}");
}

#[test]
fn prereleases_when_named_or_allowed() {
    let releases = [
        Release::new("lib", "1.0"),
        Release::new("lib", "2.0rc1"),
        Release::new("beta-only", "0.1b2"),
    ];
    let (output, text) = compile_synthetic(&releases, "lib\nbeta-only\n", &[]);
    assert_eq!(pins(&output), "beta-only==0.1b2 lib==1.0", "{text}");
    let (output, text) = compile_synthetic(&releases, "lib>=2.0rc1\n", &[]);
    assert_eq!(pins(&output), "lib==2.0rc1", "{text}");
    let (output, text) = compile_synthetic(&releases, "lib\n", &["--prerelease", "allow"]);
    assert_eq!(pins(&output), "lib==2.0rc1", "{text}");
}

#[test]
fn constraints_files_narrow_versions() {
    let releases = [
        Release::new("app", "1.0").requires("lib"),
        Release::new("lib", "1.0"),
        Release::new("lib", "2.0"),
    ];
    let dir = tempfile::tempdir().unwrap();
    let constraints = dir.path().join("constraints.txt");
    std::fs::write(&constraints, "lib<2\nunrelated==1.0\n").unwrap();
    let (output, text) =
        compile_synthetic(&releases, "app\n", &["-c", constraints.to_str().unwrap()]);
    assert_eq!(pins(&output), "app==1.0 lib==1.0", "{text}");
}

#[test]
fn backtracks_past_a_conflicting_release() {
    let releases = [
        Release::new("a", "1.0").requires("c<2"),
        Release::new("a", "2.0").requires("c>=2"),
        Release::new("b", "1.0").requires("c<2"),
        Release::new("c", "1.0"),
        Release::new("c", "2.0"),
    ];
    let (output, text) = compile_synthetic(&releases, "a\nb\n", &[]);
    assert_eq!(pins(&output), "a==1.0 b==1.0 c==1.0", "{text}");
}

#[test]
fn unsatisfiable_explains_with_line_numbers() {
    let releases = [
        Release::new("a", "1.0").requires("b<2"),
        Release::new("b", "1.0"),
        Release::new("b", "2.0"),
    ];
    let (output, text) = compile_synthetic(&releases, "a\nb>=2\n", &[]);
    assert_eq!(output.status.code(), Some(1));
    insta::assert_snapshot!(text);
}

#[test]
fn line_order_never_changes_the_answer() {
    let releases = [
        Release::new("a", "1.0").requires("c<2"),
        Release::new("a", "2.0").requires("c>=2"),
        Release::new("b", "1.0").requires("c<2"),
        Release::new("b", "2.0").requires("c>=2"),
        Release::new("c", "1.0"),
        Release::new("c", "2.0"),
        Release::new("d", "1.0").requires("c<2"),
    ];
    let (first, text) = compile_synthetic(&releases, "a\nb\nd\n", &[]);
    assert!(first.status.success(), "{text}");
    for order in ["d\nb\na\n", "b\nd\na\n", "a\nd\nb\n"] {
        let (other, _) = compile_synthetic(&releases, order, &[]);
        assert_eq!(pins(&first), pins(&other), "order {order:?}");
    }
}

#[test]
fn recorded_index_resolves_a_real_stack_in_both_flavours() {
    let mut json = Npsolve::new("compile");
    json.file(
        "requirements.txt",
        "pandas==2.2.2\nmatplotlib<3.8\nnumpy<2\n",
    );
    let output = json
        .command
        .args(["requirements.txt", "--no-header"])
        .output()
        .unwrap();
    insta::assert_snapshot!(transcript(&output, json.dir.path()));

    let html_server = FixtureServer::start(
        repo().join("tests/fixtures/index"),
        ServerOptions {
            flavor: Flavor::Html,
            ..ServerOptions::default()
        },
    );
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("requirements.txt"),
        "pandas==2.2.2\nmatplotlib<3.8\nnumpy<2\n",
    )
    .unwrap();
    let html = assert_cmd::Command::cargo_bin("npsolve")
        .unwrap()
        .current_dir(dir.path())
        .env("NPSOLVE_CACHE_DIR", dir.path().join("cache"))
        .args([
            "compile",
            "requirements.txt",
            "--no-header",
            "--index-url",
            &html_server.index_url(),
        ])
        .args([
            "--python-version",
            "3.11",
            "--python-platform",
            "x86_64-manylinux_2_28",
        ])
        .output()
        .unwrap();
    assert_eq!(pins(&html), pins(&output));
    let _ = server();
}

#[test]
fn output_file_is_written_and_its_pins_preferred() {
    let releases = [Release::new("lib", "1.0"), Release::new("lib", "2.0")];
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out.txt");
    std::fs::write(&out, "lib==1.0\n").unwrap();
    let out_arg = out.to_str().unwrap();
    let (output, text) = compile_synthetic(&releases, "lib\n", &["-o", out_arg]);
    assert!(output.status.success(), "{text}");
    assert!(
        std::fs::read_to_string(&out).unwrap().contains("lib==1.0"),
        "existing pin kept"
    );
    let (output, text) = compile_synthetic(
        &releases,
        "lib\n",
        &["-o", out_arg, "--upgrade-package", "lib"],
    );
    assert!(output.status.success(), "{text}");
    assert!(
        std::fs::read_to_string(&out).unwrap().contains("lib==2.0"),
        "upgraded"
    );
    // A failed run leaves the file as it was.
    let (output, _) = compile_synthetic(&releases, "lib>=3\n", &["-o", out_arg]);
    assert_eq!(output.status.code(), Some(1));
    assert!(std::fs::read_to_string(&out).unwrap().contains("lib==2.0"));
}

#[test]
fn a_release_pin_takes_its_local_builds_as_pip_does() {
    // The layout of PyTorch's CPU and CUDA indexes: local labels on compiled wheels, and
    // a requirement that names the release only.
    let releases = [
        Release::new("torch", "2.5.1").compiled(),
        Release::new("torch", "2.5.1+cpu").compiled(),
        Release::new("torch", "2.5.1+cu121").compiled(),
        Release::new("torch", "2.5.2").compiled(),
        Release::new("app", "1.0").requires("torch<=2.5.1"),
    ];
    // The highest build of 2.5.1, as pip picks it (`cu121` sorts after `cpu`).
    let (output, text) = compile_synthetic(&releases, "torch==2.5.1\n", &[]);
    assert_eq!(pins(&output), "torch==2.5.1+cu121", "{text}");
    // `<=2.5.1` admits 2.5.1's local builds, not 2.5.2.
    let (output, text) = compile_synthetic(&releases, "app\n", &[]);
    assert_eq!(pins(&output), "app==1.0 torch==2.5.1+cu121", "{text}");
    // A local label pins that build; `!=2.5.1` excludes every build of 2.5.1.
    let (output, text) = compile_synthetic(&releases, "torch==2.5.1+cpu\n", &[]);
    assert_eq!(pins(&output), "torch==2.5.1+cpu", "{text}");
    let (output, text) = compile_synthetic(&releases, "torch!=2.5.1,<2.5.2\n", &[]);
    assert_eq!(output.status.code(), Some(1), "{text}");
}

#[test]
fn resolution_strategies_no_deps_and_omitted_packages_follow_uv() {
    let releases = [
        Release::new("app", "1.0").requires("lib>=1.1"),
        Release::new("app", "2.0").requires("lib>=1.1"),
        Release::new("lib", "1.0"),
        Release::new("lib", "1.1"),
        Release::new("lib", "1.2"),
    ];
    let (output, text) = compile_synthetic(&releases, "app\n", &[]);
    assert_eq!(pins(&output), "app==2.0 lib==1.2", "{text}");
    let (output, text) = compile_synthetic(&releases, "app\n", &["--resolution", "lowest"]);
    assert_eq!(pins(&output), "app==1.0 lib==1.1", "{text}");
    let (output, text) = compile_synthetic(&releases, "app\n", &["--resolution", "lowest-direct"]);
    assert_eq!(pins(&output), "app==1.0 lib==1.2", "{text}");
    let (output, text) = compile_synthetic(&releases, "app\n", &["--no-deps"]);
    assert_eq!(pins(&output), "app==2.0", "{text}");
    let (output, text) = compile_synthetic(
        &releases,
        "app\n",
        &[
            "--no-emit-package",
            "lib",
            "--allow-unsafe",
            "--strip-extras",
        ],
    );
    assert_eq!(pins(&output), "app==2.0", "{text}");
}

#[test]
fn lenient_specifiers_in_published_metadata_are_read_with_one_warning() {
    // torchsde 0.2.5 publishes both forms.
    let releases = [
        Release::new("torchsde", "0.2.5")
            .requires_python(">=3.5.*")
            .requires("scipy (>=1.5.*)"),
        Release::new("scipy", "1.4.0"),
        Release::new("scipy", "1.5.0"),
    ];
    let (output, text) = compile_synthetic(&releases, "torchsde\n", &[]);
    assert_eq!(pins(&output), "scipy==1.5.0 torchsde==0.2.5", "{text}");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(stderr.matches("read as `>=3.5`").count(), 1, "{text}");
    assert_eq!(
        stderr.matches("read as `scipy (>=1.5)`").count(),
        1,
        "{text}"
    );
}

#[test]
fn an_override_replaces_every_requirement_on_its_package() {
    let releases = [
        Release::new("app", "1.0").requires("lib<1.1"),
        Release::new("lib", "1.0"),
        Release::new("lib", "1.2"),
    ];
    let (output, text) = compile_synthetic(&releases, "app\n", &[]);
    assert_eq!(pins(&output), "app==1.0 lib==1.0", "{text}");
    // The override file sits beside the input; run_on_index writes only requirements.txt,
    // so pass an absolute path.
    let dir = tempfile::tempdir().expect("tempdir");
    let overrides = dir.path().join("overrides.txt");
    std::fs::write(&overrides, "lib==1.2\n").expect("overrides");
    let path = overrides.display().to_string();
    let (output, text) = compile_synthetic(&releases, "app\nlib<1.1\n", &["--override", &path]);
    assert_eq!(pins(&output), "app==1.0 lib==1.2", "{text}");
}

#[test]
fn emit_index_url_writes_the_index_after_the_header() {
    let releases = [Release::new("lib", "1.0")];
    let (output, text) = compile_synthetic(&releases, "lib\n", &["--emit-index-url"]);
    let stdout = String::from_utf8_lossy(&output.stdout);
    let first = stdout.lines().next().unwrap_or_default();
    assert!(first.starts_with("--index-url http://127.0.0.1:"), "{text}");
    assert!(!first.ends_with('/'), "{text}");
    assert!(stdout.contains("\nlib==1.0\n"), "{text}");
}

#[test]
fn real_local_version_wheels_resolve_as_pip_picks_them() {
    use npsolve_testkit::packse::Scenario;
    let index = tempfile::tempdir().expect("tempdir");
    let text = std::fs::read_to_string(repo().join("tests/fixtures/local-versions/torch.toml"))
        .expect("fixture");
    npsolve_testkit::write_index(&Scenario::parse(&text).expect("fixture"), index.path())
        .expect("index");
    // The highest build of 2.5.1 that installs: `+cu121` (linux_x86_64 on a manylinux target),
    // with its CUDA dependency.
    let (output, text) = run_on_index(index.path(), "compile", "torch==2.5.1\n", &["--no-header"]);
    assert_eq!(
        pins(&output),
        "filelock==3.16.1 nvidia-cudnn-cu12==9.1.0.70 torch==2.5.1+cu121",
        "{text}"
    );
    // A label pins that build; every file of it is hashed.
    let (output, text) = run_on_index(
        index.path(),
        "compile",
        "torch==2.5.1+cpu\n",
        &["--no-header", "--generate-hashes"],
    );
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        stdout.starts_with("filelock==3.16.1 \\") && stdout.contains("\ntorch==2.5.1+cpu \\"),
        "{text}"
    );
    use sha2::Digest;
    for wheel in [
        "torch-2.5.1+cpu-cp311-cp311-linux_x86_64.whl",
        "torch-2.5.1+cpu-cp311-cp311-win_amd64.whl",
    ] {
        let bytes = std::fs::read(index.path().join("files").join(wheel)).expect("wheel");
        let hash = hex::encode(sha2::Sha256::digest(&bytes));
        assert!(
            text.contains(&format!("--hash=sha256:{hash}")),
            "{wheel}: {text}"
        );
    }
    // On Windows only the CPU build has a wheel.
    let (output, text) = run_on_index(
        index.path(),
        "compile",
        "torch==2.5.1\n",
        &["--no-header", "--python-platform", "x86_64-pc-windows-msvc"],
    );
    assert_eq!(pins(&output), "filelock==3.16.1 torch==2.5.1+cpu", "{text}");
}
