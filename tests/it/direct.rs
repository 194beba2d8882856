//! Requirements given by URL: a wheel over HTTP, an sdist and a directory on disk, a git
//! repository. Each package is the one version its URL holds, pinned by that URL; what it
//! depends on comes from the index.

use std::path::Path;
use std::process::Command as StdCommand;

use assert_cmd::Command;
use npsolve_testkit::packse::Scenario;
use npsolve_testkit::{FixtureServer, ServerOptions, write_index};

use crate::common::transcript_with;

/// `a` 1.0.0 (requires `b>=1`) and 2.0.0, `b` 1.0.0 and 1.1.0: the index the URLs sit beside.
const INDEX: &str = r#"
name = "direct-urls"
[root]
requires = []
[expected]
satisfiable = true
[packages.a.versions."1.0.0"]
requires = ["b>=1"]
requires_python = ">=3.8"
[packages.a.versions."2.0.0"]
requires_python = ">=3.8"
[packages.b.versions."1.0.0"]
requires_python = ">=3.8"
[packages.b.versions."1.1.0"]
requires_python = ">=3.8"
"#;

struct Run {
    server: FixtureServer,
    index: tempfile::TempDir,
    dir: tempfile::TempDir,
}

impl Run {
    fn new() -> Run {
        let index = tempfile::tempdir().expect("tempdir");
        write_index(&Scenario::parse(INDEX).expect("index"), index.path()).expect("index");
        let server = FixtureServer::start(index.path(), ServerOptions::default());
        Run {
            server,
            index,
            dir: tempfile::tempdir().expect("tempdir"),
        }
    }

    fn files(&self) -> std::path::PathBuf {
        self.index.path().join("files")
    }

    /// `npsolve <subcommand> requirements.txt` with `requirements`; exit code and transcript.
    fn run(&self, subcommand: &str, requirements: &str, args: &[&str]) -> (i32, String) {
        std::fs::write(self.dir.path().join("requirements.txt"), requirements).expect("input");
        let output = Command::cargo_bin("npsolve")
            .expect("binary")
            .current_dir(self.dir.path())
            .env("NPSOLVE_CACHE_DIR", self.dir.path().join("cache"))
            .env("NO_COLOR", "1")
            .args([subcommand, "requirements.txt", "--index-url"])
            .arg(self.server.index_url())
            .args(["--python-version", "3.11"])
            .args(["--python-platform", "x86_64-manylinux_2_28"])
            .args(args)
            .output()
            .expect("run npsolve");
        let text = transcript_with(&output, self.dir.path(), &self.server.index_url())
            .replace(&self.index.path().display().to_string(), "[INDEX]")
            .replace(&self.server.url(), "[SERVER]/");
        (output.status.code().unwrap_or(-1), text)
    }

    fn asked_for_page(&self, project: &str) -> bool {
        self.server
            .requests()
            .iter()
            .any(|request| request.path == format!("/simple/{project}/"))
    }
}

/// Runs git in `dir` with a fixed identity; panics with its stderr on failure.
fn git(dir: &Path, args: &[&str]) -> String {
    let output = StdCommand::new("git")
        .args(["-c", "user.name=npsolve", "-c", "user.email=t@example.org"])
        .args([
            "-c",
            "init.defaultBranch=main",
            "-c",
            "commit.gpgsign=false",
        ])
        .args(args)
        .current_dir(dir)
        .output()
        .expect("git runs");
    assert!(
        output.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8_lossy(&output.stdout).trim().to_string()
}

#[test]
fn a_wheel_url_is_pinned_by_its_url_and_its_dependencies_come_from_the_index() {
    let run = Run::new();
    let url = format!("{}files/a-1.0.0-py3-none-any.whl", run.server.url());
    let (code, text) = run.run(
        "compile",
        &format!("a @ {url}\n"),
        &["--no-header", "--generate-hashes"],
    );
    assert_eq!(code, 0, "{text}");
    // Pinned as written (a 2.0.0 on the index does not matter), hashed from the download.
    assert!(
        text.contains("a @ [SERVER]/files/a-1.0.0-py3-none-any.whl \\\n    --hash=sha256:"),
        "{text}"
    );
    assert!(text.contains("b==1.1.0"), "{text}");
    assert!(!run.asked_for_page("a"), "the index was asked for `a`");
}

#[test]
fn an_sdist_on_disk_is_read_statically() {
    let run = Run::new();
    let sdist = run.files().join("a-1.0.0.tar.gz");
    let url = url::Url::from_file_path(&sdist).expect("file URL");
    let (code, text) = run.run("compile", &format!("a @ {url}\nb<1.1\n"), &["--no-header"]);
    assert_eq!(code, 0, "{text}");
    assert!(
        text.contains("a @ file://[INDEX]/files/a-1.0.0.tar.gz\n"),
        "{text}"
    );
    assert!(text.contains("b==1.0.0"), "{text}");
    assert!(!run.asked_for_page("a"), "the index was asked for `a`");
}

/// A git repository holding project `c`: 0.5.0 (requires `b<1.1`) tagged `v0.5.0`, then 0.6.0
/// on `main`.
fn c_repository(root: &Path) -> (std::path::PathBuf, String) {
    let repo = root.join("c-repo");
    std::fs::create_dir_all(&repo).expect("repo dir");
    git(&repo, &["init", "--quiet"]);
    let pyproject = |version: &str| {
        format!(
            "[build-system]\nrequires = [\"hatchling\"]\nbuild-backend = \"hatchling.build\"\n\n[project]\nname = \"c\"\nversion = \"{version}\"\ndependencies = [\"b<1.1\"]\n"
        )
    };
    std::fs::write(repo.join("pyproject.toml"), pyproject("0.5.0")).expect("write");
    git(&repo, &["add", "."]);
    git(&repo, &["commit", "--quiet", "-m", "0.5.0"]);
    git(&repo, &["tag", "v0.5.0"]);
    let tagged = git(&repo, &["rev-parse", "HEAD"]);
    std::fs::write(repo.join("pyproject.toml"), pyproject("0.6.0")).expect("write");
    git(&repo, &["commit", "--quiet", "-am", "0.6.0"]);
    (repo, tagged)
}

#[test]
fn a_git_requirement_is_fetched_at_its_revision_and_read_statically() {
    let run = Run::new();
    let (repo, tagged) = c_repository(run.dir.path());
    let url = url::Url::from_directory_path(&repo).expect("file URL");
    let remote = url.as_str().trim_end_matches('/');
    let requirement = format!("c @ git+{remote}@v0.5.0\n");
    let (code, text) = run.run("compile", &requirement, &["--no-header"]);
    assert_eq!(code, 0, "{text}");
    assert!(
        text.contains("c @ git+file://[TEMP]/c-repo@v0.5.0\n"),
        "{text}"
    );
    assert!(text.contains(&format!("# git commit {tagged}")), "{text}");
    assert!(text.contains("b==1.0.0"), "{text}");
    assert!(!run.asked_for_page("c"), "the index was asked for `c`");

    // Without a revision: the default branch, 0.6.0.
    let (code, text) = run.run(
        "lock",
        &format!("c @ git+{remote}\n"),
        &["-o", "pylock.toml"],
    );
    assert_eq!(code, 0, "{text}");
    let lock: toml::Table = std::fs::read_to_string(run.dir.path().join("pylock.toml"))
        .expect("pylock")
        .parse()
        .expect("TOML");
    let packages = lock["packages"].as_array().expect("packages");
    let c = packages
        .iter()
        .find(|package| package["name"].as_str() == Some("c"))
        .expect("c locked");
    assert_eq!(c["version"].as_str(), Some("0.6.0"));
    assert_eq!(c["vcs"]["type"].as_str(), Some("git"));
    assert_eq!(c["vcs"]["url"].as_str(), Some(remote));
    assert_eq!(
        c["vcs"]["commit-id"].as_str(),
        Some(git(&repo, &["rev-parse", "HEAD"]).as_str())
    );
}

#[test]
fn a_local_directory_is_read_in_place() {
    let run = Run::new();
    let project = run.dir.path().join("d");
    std::fs::create_dir_all(&project).expect("dir");
    std::fs::write(
        project.join("setup.cfg"),
        "[metadata]\nname = d\nversion = 0.1\n\n[options]\ninstall_requires =\n    b<1.1\n",
    )
    .expect("setup.cfg");
    std::fs::write(
        project.join("setup.py"),
        "from setuptools import setup\nsetup()\n",
    )
    .expect("setup.py");
    let (code, text) = run.run("compile", "d @ ./d\n", &["--no-header"]);
    assert_eq!(code, 0, "{text}");
    assert!(text.contains("d @ ./d\n"), "{text}");
    assert!(text.contains("# metadata: setup.cfg"), "{text}");
    assert!(text.contains("b==1.0.0"), "{text}");
}

#[test]
fn urls_npsolve_cannot_use_are_refused_with_the_reason() {
    let run = Run::new();
    // A wheel for another platform.
    let other = run.files().join("a-1.0.0-cp311-cp311-win_amd64.whl");
    std::fs::copy(run.files().join("a-1.0.0-py3-none-any.whl"), &other).expect("copy");
    let url = url::Url::from_file_path(&other).expect("file URL");
    let (code, text) = run.run("compile", &format!("a @ {url}\n"), &[]);
    assert_eq!(code, 2, "{text}");
    assert!(text.contains("does not install on the target"), "{text}");

    // A tree whose version only code knows.
    let project = run.dir.path().join("e");
    std::fs::create_dir_all(&project).expect("dir");
    std::fs::write(
        project.join("pyproject.toml"),
        "[project]\nname = \"e\"\ndynamic = [\"version\"]\n",
    )
    .expect("pyproject");
    let (code, text) = run.run("compile", "e @ ./e\n", &[]);
    assert_eq!(code, 2, "{text}");
    assert!(
        text.contains("requirements.txt:1") && text.contains("no static version"),
        "{text}"
    );
    assert!(text.contains("the version is dynamic"), "{text}");
}

#[test]
fn every_url_form_is_pinned_as_written() {
    let run = Run::new();
    let project = run.dir.path().join("d");
    std::fs::create_dir_all(&project).expect("dir");
    std::fs::write(
        project.join("pyproject.toml"),
        "[project]\nname = \"d\"\nversion = \"0.1.0\"\ndependencies = [\"b<1.1\"]\n",
    )
    .expect("pyproject");
    let sdist = url::Url::from_file_path(run.files().join("a-1.0.0.tar.gz")).expect("URL");
    let requirements = format!(
        "a @ {sdist}\nd @ ./d\nb\n# the same URL twice is one requirement\na @ {sdist}#sha256=ignored-for-identity\n"
    );
    let (code, text) = run.run("compile", &requirements, &["-o", "pinned.txt"]);
    assert_eq!(code, 0, "{text}");
    let pinned = std::fs::read_to_string(run.dir.path().join("pinned.txt")).expect("output");
    insta::assert_snapshot!(
        pinned
            .replace(&run.index.path().display().to_string(), "[INDEX]")
            .replace(&run.server.url(), "[SERVER]/")
    );
    // `check` accepts its own output: a pin by URL is one version.
    let (code, text) = run.run("check", &pinned, &[]);
    assert_eq!(code, 0, "{text}");
    assert!(text.contains("0 problems"), "{text}");
}
