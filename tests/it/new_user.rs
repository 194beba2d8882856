//! What a new user hits first: output file modes, inputs told apart by content, options
//! that do not apply, Windows-encoded files, and what stderr says.

use std::path::Path;

use assert_cmd::Command;
use npsolve_testkit::{FixtureServer, ServerOptions};

use crate::common::{Release, mask_elapsed, synthetic_index};

/// A synthetic index served on loopback, and a working folder for one test.
struct Project {
    _index: tempfile::TempDir,
    server: FixtureServer,
    dir: tempfile::TempDir,
}

impl Project {
    fn new(releases: &[Release]) -> Project {
        let index = tempfile::tempdir().unwrap();
        synthetic_index(index.path(), releases);
        let server = FixtureServer::start(index.path(), ServerOptions::default());
        Project {
            _index: index,
            server,
            dir: tempfile::tempdir().unwrap(),
        }
    }

    fn write(&self, name: &str, contents: impl AsRef<[u8]>) -> &Project {
        let path = self.dir.path().join(name);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, contents).unwrap();
        self
    }

    fn path(&self, name: &str) -> std::path::PathBuf {
        self.dir.path().join(name)
    }

    /// The arguments after the subcommand's own: the index and the test target.
    fn common_args(&self) -> Vec<String> {
        [
            "--index-url",
            &self.server.index_url(),
            "--python-version",
            "3.11",
            "--python-platform",
            "x86_64-manylinux_2_28",
        ]
        .map(str::to_string)
        .to_vec()
    }

    fn command(&self, args: &[&str]) -> Command {
        let mut command = Command::cargo_bin("npsolve").unwrap();
        command
            .current_dir(self.dir.path())
            .env("NPSOLVE_CACHE_DIR", self.dir.path().join("cache"))
            .env("NO_COLOR", "1")
            .env_remove("NPSOLVE_LOG")
            .args(args)
            .args(self.common_args());
        command
    }

    /// Runs `npsolve ARGS`; returns (exit code, stdout, stderr).
    fn run(&self, args: &[&str]) -> (i32, String, String) {
        let output = self.command(args).output().unwrap();
        (
            output.status.code().unwrap_or(-1),
            String::from_utf8_lossy(&output.stdout).into_owned(),
            String::from_utf8_lossy(&output.stderr).into_owned(),
        )
    }

    /// Runs `npsolve ARGS` under `umask 022`, as a shell would.
    #[cfg(unix)]
    fn run_with_umask_022(&self, args: &[&str]) -> i32 {
        let binary = assert_cmd::cargo::cargo_bin("npsolve");
        std::process::Command::new("sh")
            .arg("-c")
            .arg("umask 022 && exec \"$0\" \"$@\"")
            .arg(binary)
            .args(args)
            .args(self.common_args())
            .current_dir(self.dir.path())
            .env("NPSOLVE_CACHE_DIR", self.dir.path().join("cache"))
            .status()
            .unwrap()
            .code()
            .unwrap_or(-1)
    }
}

fn small_index() -> Vec<Release> {
    vec![
        Release::new("six", "1.17.0"),
        Release::new("attrs", "25.1.0"),
        Release::new("numpy", "1.26.4"),
        Release::new("numpy", "2.1.3"),
    ]
}

#[cfg(unix)]
fn mode(path: &Path) -> u32 {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(path).unwrap().permissions().mode() & 0o777
}

#[cfg(unix)]
#[test]
fn output_files_get_the_usual_mode_or_keep_their_own() {
    use std::os::unix::fs::PermissionsExt;
    let project = Project::new(&small_index());
    project.write("requirements.in", "six\n");
    // New files: 0666 less the umask, readable by an installer running as another user.
    assert_eq!(
        project.run_with_umask_022(&["compile", "requirements.in", "-o", "out.txt"]),
        0
    );
    assert_eq!(mode(&project.path("out.txt")), 0o644);
    assert_eq!(project.run_with_umask_022(&["lock", "requirements.in"]), 0);
    assert_eq!(mode(&project.path("pylock.toml")), 0o644);
    // A file replaced keeps the mode its owner gave it.
    std::fs::set_permissions(
        project.path("out.txt"),
        std::fs::Permissions::from_mode(0o640),
    )
    .unwrap();
    assert_eq!(
        project.run_with_umask_022(&["compile", "requirements.in", "-o", "out.txt", "-U"]),
        0
    );
    assert_eq!(mode(&project.path("out.txt")), 0o640);
}

#[test]
fn environment_files_are_recognised_by_content_whatever_their_name() {
    let project = Project::new(&small_index());
    let environment = "name: xarray-tests\nchannels:\n  - conda-forge\ndependencies:\n  - python=3.11\n  - pip\n  - pip:\n    - six\n";
    for name in ["env.yml", "environment-dev.yaml", "ci/requirements/py311"] {
        project.write(name, environment);
        let (code, stdout, stderr) = project.run(&["compile", name, "--no-header"]);
        assert_eq!(code, 0, "{name}: {stderr}");
        assert!(stdout.contains("six==1.17.0"), "{name}: {stdout}");
    }
}

#[test]
fn an_environment_without_pip_packages_says_what_it_read_and_fails() {
    let project = Project::new(&small_index());
    project.write(
        "environment.yml",
        "name: analysis\nchannels:\n  - conda-forge\ndependencies:\n  - python=3.11\n  - numpy>=1.26\n  - xarray\n",
    );
    let (code, stdout, stderr) = project.run(&["compile", "environment.yml"]);
    assert_eq!(code, 2, "{stderr}");
    assert!(stdout.is_empty(), "{stdout}");
    assert!(stderr.contains("environment.yml:4:1"), "{stderr}");
    assert!(stderr.contains("nothing to resolve"), "{stderr}");
    assert!(
        stderr.contains("3 conda package(s) (python=3.11, numpy>=1.26, xarray)"),
        "{stderr}"
    );
    assert!(stderr.contains("numpy pin `numpy>=1.26`"), "{stderr}");
}

#[test]
fn extras_and_groups_without_a_pyproject_are_refused() {
    let project = Project::new(&small_index());
    project.write("requirements.txt", "six\n");
    for args in [
        &["--extra", "plot"][..],
        &["--all-extras"],
        &["--group", "dev"],
    ] {
        let mut all = vec!["compile", "requirements.txt"];
        all.extend_from_slice(args);
        let (code, _, stderr) = project.run(&all);
        assert_eq!(code, 2, "{args:?}: {stderr}");
        assert!(
            stderr.contains("selects from a pyproject.toml, and no input is one"),
            "{args:?}: {stderr}"
        );
    }
    // A group named with its file: read from there, and the file must exist.
    let (code, _, stderr) = project.run(&[
        "compile",
        "requirements.txt",
        "--group",
        "missing/pyproject.toml:dev",
    ]);
    assert_eq!(code, 2, "{stderr}");
    assert!(stderr.contains("missing/pyproject.toml"), "{stderr}");
    project.write(
        "tools/pyproject.toml",
        "[project]\nname = \"tools\"\nversion = \"0\"\ndependencies = [\"numpy\"]\n[dependency-groups]\ndev = [\"attrs\"]\n",
    );
    let (code, stdout, stderr) = project.run(&[
        "compile",
        "requirements.txt",
        "--group",
        "tools/pyproject.toml:dev",
        "--no-header",
    ]);
    assert_eq!(code, 0, "{stderr}");
    assert!(stdout.contains("attrs==25.1.0"), "{stdout}");
    assert!(stdout.contains("six==1.17.0"), "{stdout}");
    assert!(
        !stdout.contains("numpy"),
        "only the group is read from a file that is not an input: {stdout}"
    );
}

#[test]
fn utf16_requirements_files_from_powershell_are_read() {
    let project = Project::new(&small_index());
    for (bom, little_endian) in [(&b"\xff\xfe"[..], true), (&b"\xfe\xff"[..], false)] {
        let mut bytes = bom.to_vec();
        for unit in "six==1.17.0\r\nattrs\r\n".encode_utf16() {
            let pair = if little_endian {
                unit.to_le_bytes()
            } else {
                unit.to_be_bytes()
            };
            bytes.extend_from_slice(&pair);
        }
        project.write("frozen.txt", &bytes);
        let (code, stdout, stderr) = project.run(&["compile", "frozen.txt", "--no-header"]);
        assert_eq!(code, 0, "{stderr}");
        assert!(stdout.contains("six==1.17.0"), "{stdout}");
        assert!(stdout.contains("attrs==25.1.0"), "{stdout}");
    }
    // An odd number of bytes after the mark is an error with a position, not a panic.
    project.write("broken.txt", b"\xff\xfes\x00i\x00x\x00\n");
    let (code, _, stderr) = project.run(&["compile", "broken.txt"]);
    assert_eq!(code, 2, "{stderr}");
    assert!(stderr.contains("broken.txt:1:"), "{stderr}");
    assert!(stderr.contains("expected UTF-16 text"), "{stderr}");
}

#[test]
fn lock_says_where_it_wrote_and_stderr_ends_with_the_summary() {
    let project = Project::new(&small_index());
    project.write("requirements.in", "six\nattrs\n");
    let (code, _, stderr) = project.run(&["lock", "requirements.in"]);
    assert_eq!(code, 0, "{stderr}");
    assert!(project.path("pylock.toml").is_file());
    assert_eq!(
        mask_elapsed(stderr.lines().last().unwrap_or_default()),
        "Resolved 2 packages in [TIME]; wrote pylock.toml"
    );
    let (code, _, stderr) = project.run(&["compile", "requirements.in"]);
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(
        mask_elapsed(stderr.lines().last().unwrap_or_default()),
        "Resolved 2 packages in [TIME]"
    );
    let (code, _, stderr) = project.run(&["compile", "requirements.in", "-q"]);
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(stderr, "", "quiet means quiet");
}

#[test]
fn verbose_shows_npsolve_and_the_libraries_only_at_three() {
    let project = Project::new(&small_index());
    project.write("requirements.in", "six\n");
    let library_lines = |stderr: &str| {
        stderr
            .lines()
            .filter(|line| {
                ["hyper", "reqwest", "rustls", "h2::", "pubgrub"]
                    .iter()
                    .any(|name| line.contains(name))
            })
            .count()
    };
    let (code, _, verbose) = project.run(&["compile", "requirements.in", "-vv"]);
    assert_eq!(code, 0, "{verbose}");
    assert!(
        verbose.contains("npsolve"),
        "npsolve's own debug lines: {verbose}"
    );
    assert_eq!(library_lines(&verbose), 0, "{verbose}");
    let (code, _, very_verbose) = project.run(&["compile", "requirements.in", "-vvv"]);
    assert_eq!(code, 0);
    assert!(library_lines(&very_verbose) > 0, "{very_verbose}");
}

#[test]
fn a_pyproject_requirement_is_annotated_with_its_project() {
    let project = Project::new(&small_index());
    project.write(
        "pyproject.toml",
        "[project]\nname = \"llava\"\nversion = \"1.0\"\ndependencies = [\"six\"]\n",
    );
    let (code, stdout, stderr) = project.run(&["compile", "pyproject.toml", "--no-header"]);
    assert_eq!(code, 0, "{stderr}");
    assert!(
        stdout.contains("six==1.17.0\n    # via llava (pyproject.toml)\n"),
        "{stdout}"
    );
}

#[test]
fn an_abi_bound_from_a_package_that_does_not_declare_numpy_is_not_a_via() {
    let numpy2_only = std::fs::read(
        crate::common::repo()
            .join("tests/fixtures/modules/pyarrow-26.0.1-libarrow_python.so.trimmed"),
    )
    .unwrap();
    let project = Project::new(&[
        Release::new("arrowlike", "1.0").module(&numpy2_only),
        Release::new("numpy", "1.26.4"),
        Release::new("numpy", "2.1.3"),
    ]);
    project.write("requirements.in", "arrowlike\nnumpy\n");
    let (code, stdout, stderr) = project.run(&[
        "compile",
        "requirements.in",
        "--no-header",
        "--abi-scan",
        "always",
        // numpy 1.26.4 first: arrowlike's bound is then violated, and the second pass
        // makes it an edge of arrowlike.
        "--resolution",
        "lowest",
    ]);
    assert_eq!(code, 0, "{stderr}");
    let numpy = stdout
        .split("numpy==")
        .nth(1)
        .unwrap_or_else(|| panic!("{stdout}"));
    let via: Vec<&str> = numpy
        .lines()
        .skip(1)
        .take_while(|line| line.starts_with("    #"))
        .collect();
    assert!(
        via.iter()
            .any(|line| line.contains("ABI:") && line.contains("arrowlike")),
        "{stdout}"
    );
    assert!(
        !via.iter()
            .any(|line| line.contains("via") && line.contains("arrowlike")),
        "{stdout}"
    );
}
