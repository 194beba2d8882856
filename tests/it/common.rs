//! Shared helpers: the fixture server, the command builder, output filters.

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use assert_cmd::Command;
use npsolve_testkit::{FixtureServer, ServerOptions};

/// The repository root.
pub fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .canonicalize()
        .expect("repo root")
}

/// The recorded fixture index.
pub fn fixture_index() -> PathBuf {
    repo().join("tests/fixtures/index")
}

/// One loopback server for the whole test binary (JSON and HTML by content negotiation).
pub fn server() -> &'static FixtureServer {
    static SERVER: OnceLock<FixtureServer> = OnceLock::new();
    SERVER.get_or_init(|| FixtureServer::start(fixture_index(), ServerOptions::default()))
}

/// `npsolve` with a private cache, a fixed target and the fixture index.
pub struct Npsolve {
    /// The command being built.
    pub command: Command,
    /// The temporary directory holding the cache and any files the test writes.
    pub dir: tempfile::TempDir,
}

impl Npsolve {
    /// `npsolve <subcommand>` resolving against the fixture server for CPython 3.11 on
    /// x86_64 manylinux_2_28.
    pub fn new(subcommand: &str) -> Npsolve {
        let dir = tempfile::tempdir().expect("tempdir");
        let mut command = Command::cargo_bin("npsolve").expect("binary");
        command
            .current_dir(dir.path())
            .env("NPSOLVE_CACHE_DIR", dir.path().join("cache"))
            .env("NO_COLOR", "1")
            .env_remove("UV_INDEX_URL")
            .env_remove("PIP_INDEX_URL")
            .env_remove("PIP_FIND_LINKS")
            .arg(subcommand)
            .args(["--index-url", server().index_url().as_str()])
            .args([
                "--python-version",
                "3.11",
                "--python-platform",
                "x86_64-manylinux_2_28",
            ]);
        Npsolve { command, dir }
    }

    /// Writes a file into the test directory and returns its name.
    pub fn file(&self, name: &str, contents: &str) -> &Self {
        std::fs::write(self.dir.path().join(name), contents).expect("write input");
        self
    }

    /// Runs with `args` and asserts exit code 0 (showing the transcript otherwise); returns stdout.
    pub fn succeed(&mut self, args: &[&str]) -> String {
        let output = self.command.args(args).output().expect("run npsolve");
        assert_eq!(
            output.status.code(),
            Some(0),
            "{}",
            transcript(&output, self.dir.path())
        );
        String::from_utf8(output.stdout).expect("UTF-8 stdout")
    }

    /// The contents of a file in the test directory.
    pub fn read(&self, name: &str) -> String {
        std::fs::read_to_string(self.dir.path().join(name)).expect("read output")
    }
}

/// Stdout, stderr and exit code of a run, with the server's port and temp paths masked.
pub fn transcript(output: &std::process::Output, dir: &Path) -> String {
    transcript_with(output, dir, &server().index_url())
}

/// One release in a synthetic index.
pub struct Release {
    name: String,
    version: String,
    requires: Vec<String>,
    requires_python: Option<String>,
    yanked: bool,
    extras: Vec<String>,
    compiled: bool,
    module: Option<Vec<u8>>,
    sources: Vec<(String, Vec<u8>)>,
    tags: Option<String>,
}

impl Release {
    /// A release of `name` at `version` with a `py3-none-any` wheel.
    pub fn new(name: &str, version: &str) -> Release {
        Release {
            name: name.to_string(),
            version: version.to_string(),
            requires: Vec::new(),
            requires_python: None,
            yanked: false,
            extras: Vec::new(),
            compiled: false,
            module: None,
            sources: Vec::new(),
            tags: None,
        }
    }

    /// Adds a `Requires-Dist` line.
    pub fn requires(mut self, requirement: &str) -> Release {
        self.requires.push(requirement.to_string());
        self
    }

    /// Sets `Requires-Python` on the file and in the metadata.
    pub fn requires_python(mut self, specifiers: &str) -> Release {
        self.requires_python = Some(specifiers.to_string());
        self
    }

    /// Marks the file yanked.
    pub fn yanked(mut self) -> Release {
        self.yanked = true;
        self
    }

    /// Ships a CPython 3.11 manylinux x86_64 wheel instead of a pure one.
    pub fn compiled(mut self) -> Release {
        self.compiled = true;
        self
    }

    /// Ships a real compiled wheel whose one extension module holds `bytes` (markers for
    /// the binary scanner), with its true sha256 and size on the page.
    pub fn module(mut self, bytes: &[u8]) -> Release {
        self.compiled = true;
        self.module = Some(bytes.to_vec());
        self
    }

    /// Ships a real wheel holding the file `path` (e.g. `gensim/matutils.py`) with
    /// `bytes`, with its true sha256 and size on the page.
    pub fn source(mut self, path: &str, bytes: &[u8]) -> Release {
        self.sources.push((path.to_string(), bytes.to_vec()));
        self
    }

    /// Ships its wheel with these tags (e.g. `cp313-cp313-win_amd64`); two releases of one
    /// version with different tags are two wheels of it.
    pub fn tags(mut self, tags: &str) -> Release {
        self.tags = Some(tags.to_string());
        self
    }

    /// Declares an extra.
    pub fn extra(mut self, extra: &str) -> Release {
        self.extras.push(extra.to_string());
        self
    }
}

/// Writes a PEP 691 index folder (the layout `npsolve index snapshot` writes) for
/// hand-made releases: the cases real packages do not show on demand.
pub fn synthetic_index(root: &Path, releases: &[Release]) {
    use sha2::Digest;
    let files = root.join("files");
    std::fs::create_dir_all(&files).expect("files dir");
    let mut by_name: std::collections::BTreeMap<&str, Vec<&Release>> = Default::default();
    for release in releases {
        by_name.entry(&release.name).or_default().push(release);
    }
    for (name, releases) in by_name {
        let mut entries = Vec::new();
        for release in releases {
            let tags = match &release.tags {
                Some(tags) => tags.as_str(),
                None if release.compiled => "cp311-cp311-manylinux_2_17_x86_64",
                None => "py3-none-any",
            };
            let filename = format!("{}-{}-{tags}.whl", name.replace('-', "_"), release.version);
            let mut metadata = format!(
                "Metadata-Version: 2.1\nName: {name}\nVersion: {}\n",
                release.version
            );
            if let Some(requires_python) = &release.requires_python {
                metadata.push_str(&format!("Requires-Python: {requires_python}\n"));
            }
            for extra in &release.extras {
                metadata.push_str(&format!("Provides-Extra: {extra}\n"));
            }
            for requirement in &release.requires {
                metadata.push_str(&format!("Requires-Dist: {requirement}\n"));
            }
            let digest = hex::encode(sha2::Sha256::digest(metadata.as_bytes()));
            std::fs::write(files.join(format!("{filename}.metadata")), &metadata)
                .expect("metadata");
            // Without a module the file itself is never fetched: its hash and size stand in.
            let (sha256, size) = match (&release.module, release.sources.is_empty()) {
                (None, true) => (hex::encode(sha2::Sha256::digest(filename.as_bytes())), 1000),
                (module, _) => {
                    let bytes = wheel_bytes(name, module.as_deref(), &release.sources);
                    std::fs::write(files.join(&filename), &bytes).expect("wheel");
                    (hex::encode(sha2::Sha256::digest(&bytes)), bytes.len())
                }
            };
            entries.push(serde_json::json!({
                "filename": filename,
                "url": format!("../../files/{filename}"),
                "hashes": {"sha256": sha256},
                "requires-python": release.requires_python,
                "yanked": release.yanked,
                "upload-time": "2024-01-01T00:00:00Z",
                "size": size,
                "core-metadata": {"sha256": digest},
            }));
        }
        let page =
            serde_json::json!({"meta": {"api-version": "1.1"}, "name": name, "files": entries});
        let dir = root.join("simple").join(name);
        std::fs::create_dir_all(&dir).expect("page dir");
        std::fs::write(
            dir.join("index.json"),
            serde_json::to_string_pretty(&page).expect("json"),
        )
        .expect("page");
    }
}

/// A wheel (zip) holding `<name>/__init__.py`, the extension module `<name>/_ext.so` when
/// there is one, and `sources`.
fn wheel_bytes(name: &str, module: Option<&[u8]>, sources: &[(String, Vec<u8>)]) -> Vec<u8> {
    use std::io::Write;
    let package = name.replace('-', "_");
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    let mut members = vec![(format!("{package}/__init__.py"), &b""[..])];
    if let Some(module) = module {
        members.push((format!("{package}/_ext.so"), module));
    }
    members.extend(
        sources
            .iter()
            .map(|(path, bytes)| (path.clone(), bytes.as_slice())),
    );
    for (member, bytes) in members {
        zip.start_file(member, options).expect("zip member");
        zip.write_all(bytes).expect("zip write");
    }
    zip.finish().expect("zip finish").into_inner()
}

/// `npsolve compile` against a synthetic index made from `releases`, with a fixed target.
pub fn compile_synthetic(
    releases: &[Release],
    requirements: &str,
    extra_args: &[&str],
) -> (std::process::Output, String) {
    let mut args = vec!["--no-header"];
    args.extend_from_slice(extra_args);
    run_synthetic("compile", releases, requirements, &args)
}

/// `npsolve <subcommand> requirements.txt` against a synthetic index made from `releases`.
pub fn run_synthetic(
    subcommand: &str,
    releases: &[Release],
    requirements: &str,
    extra_args: &[&str],
) -> (std::process::Output, String) {
    let index = tempfile::tempdir().expect("tempdir");
    synthetic_index(index.path(), releases);
    run_on_index(index.path(), subcommand, requirements, extra_args)
}

/// `npsolve <subcommand> requirements.txt` against the index folder `root` served on
/// loopback, in a temp folder with a fresh cache, for the test target unless `extra_args`
/// name one.
pub fn run_on_index(
    root: &Path,
    subcommand: &str,
    requirements: &str,
    extra_args: &[&str],
) -> (std::process::Output, String) {
    let dir = tempfile::tempdir().expect("tempdir");
    let server = FixtureServer::start(root, ServerOptions::default());
    std::fs::write(dir.path().join("requirements.txt"), requirements).expect("input");
    let output = Command::cargo_bin("npsolve")
        .expect("binary")
        .current_dir(dir.path())
        .env("NPSOLVE_CACHE_DIR", dir.path().join("cache"))
        .env("NO_COLOR", "1")
        .args([
            subcommand,
            "requirements.txt",
            "--index-url",
            server.index_url().as_str(),
        ])
        .args(extra_args)
        .args(default_target(extra_args))
        .output()
        .expect("run npsolve");
    let text = transcript_with(&output, dir.path(), &server.index_url());
    (output, text)
}

/// The test target (CPython 3.11, x86_64 manylinux_2_28) for what `args` leaves unset.
fn default_target(args: &[&str]) -> Vec<&'static str> {
    let mut target = Vec::new();
    if !args.contains(&"--python-version") {
        target.extend(["--python-version", "3.11"]);
    }
    if !args.contains(&"--python-platform") {
        target.extend(["--python-platform", "x86_64-manylinux_2_28"]);
    }
    target
}

/// Like [`transcript`], for a server other than the shared one.
pub fn transcript_with(output: &std::process::Output, dir: &Path, index_url: &str) -> String {
    let mask = |text: &[u8]| {
        String::from_utf8_lossy(text)
            .replace(index_url, "[INDEX]/")
            .replace(&dir.display().to_string(), "[TEMP]")
    };
    format!(
        "exit: {}\n--- stdout\n{}--- stderr\n{}",
        output.status.code().unwrap_or(-1),
        mask(&output.stdout),
        mask_elapsed(&mask(&output.stderr))
    )
}

/// `text` with each elapsed time of a summary line (` in 85ms`, ` in 1.23s`) as ` in [TIME]`.
pub fn mask_elapsed(text: &str) -> String {
    let mut masked = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find(" in ") {
        let (before, after) = rest.split_at(at + 4);
        masked.push_str(before);
        let digits = after
            .find(|c: char| !(c.is_ascii_digit() || c == '.'))
            .unwrap_or(after.len());
        let unit = &after[digits..];
        let unit_len = if unit.starts_with("ms") {
            2
        } else if unit.starts_with('s') {
            1
        } else {
            0
        };
        if digits > 0 && unit_len > 0 {
            masked.push_str("[TIME]");
            rest = &after[digits + unit_len..];
        } else {
            rest = after;
        }
    }
    masked.push_str(rest);
    masked
}

/// The longest run of `or` alternatives in one backticked range of `text` (a conflict
/// report states no range as a list of holes).
pub fn most_alternatives(text: &str) -> usize {
    text.split('`')
        .skip(1)
        .step_by(2)
        .map(|span| span.matches(" or ").count() + 1)
        .max()
        .unwrap_or(0)
}

/// Stand-in extension module bytes carrying NumPy 1.x header markers.
pub const NUMPY1_MODULE: &[u8] = b"\0_ARRAY_API\0_ARRAY_API not found\0module compiled against API version 0x%x but this version of numpy is 0x%x\0";
