//! First-party requirements given by URL, read before the resolution starts.
//!
//! * A wheel or sdist URL (`https://`, `file://`) is one file: its version is in its name, and
//!   its metadata is read when the solver asks, through the same path as an index's files
//!   (range requests into a wheel, the static ladder for an sdist, a build under
//!   `--allow-build`).
//! * A git URL (`git+https://…@rev#subdirectory=…`) is fetched with the `git` executable into
//!   a temporary folder (`git fetch --depth 1`, a full fetch when the server refuses a
//!   shallow one); nothing in the checkout is run.
//! * A directory (`file:///…`, `./path`) is read in place.
//!
//! A tree's version and dependencies come from its files statically
//! ([`npsolve_metadata::tree_identity`], [`npsolve_metadata::static_metadata`]); one that only a
//! build could tell is refused with the files looked at.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Arc;

use npsolve_index::{DistFile, SafeUrl};
use npsolve_metadata::SdistMembers;
use npsolve_metadata::sdist_static::{Wanted, wanted_member};
use npsolve_platform::{DistFilename, Target};
use npsolve_resolver::{
    DirectKind, DirectPin, DistKey, DistMetadata, DistRef, PackageVersions, RootRequirement,
    VersionEntry, direct_url, same_url,
};
use pep508_rs::{PackageName, VerbatimUrl};
use url::Url;

/// Folders a tree walk skips: version control, environments, caches, build output.
const SKIPPED_DIRS: [&str; 9] = [
    ".git",
    ".hg",
    ".svn",
    ".venv",
    "venv",
    ".tox",
    ".nox",
    "node_modules",
    "__pycache__",
];
/// At most this many files are listed in a tree.
const MAX_TREE_FILES: usize = 50_000;
/// A wanted member larger than this is not read.
const MAX_MEMBER_BYTES: u64 = 4 * 1024 * 1024;

/// One package given by URL, as the source hands it to the solver.
pub(crate) struct DirectDist {
    /// The package.
    pub name: PackageName,
    /// What the resolver knows of it.
    pub pin: DirectPin,
    /// The one file the solver is offered.
    pub dist: DistRef,
    /// For an archive: the file, read through the index client when the solver asks.
    pub file: Option<DistFile>,
    /// For a tree: its metadata, read now.
    pub metadata: Option<Arc<DistMetadata>>,
    /// The one version, as the solver reads versions.
    pub versions: Arc<PackageVersions>,
}

/// Reads every first-party requirement given by URL whose markers hold on `target`. Errors
/// name the requirement's origin, and mask credentials.
pub(crate) fn read_direct(
    requirements: &[RootRequirement],
    target: &Target,
) -> Result<Vec<DirectDist>, String> {
    let mut out: Vec<DirectDist> = Vec::new();
    for root in requirements {
        let requirement = &root.requirement;
        let Some(url) = direct_url(requirement) else {
            continue;
        };
        if !requirement.evaluate_markers(target.markers(), &[]) {
            continue;
        }
        let name = &requirement.name;
        let given = url.given().unwrap_or(url.raw().as_str()).to_string();
        if let Some(seen) = out.iter().find(|dist| dist.name == *name) {
            if same_url(&seen.pin.location, url.raw().as_str()) {
                continue;
            }
            return Err(format!(
                "{}: `{name}` is given by two URLs: `{}` and `{}`",
                root.origin,
                npsolve_index::mask_text(&seen.pin.location),
                masked(url)
            ));
        }
        let key = DistKey(u128::MAX - out.len() as u128);
        let dist = read_one(name, url, given, key, target)
            .map_err(|why| format!("{}: `{name} @ {}`: {why}", root.origin, masked(url)))?;
        out.push(dist);
    }
    Ok(out)
}

fn masked(url: &VerbatimUrl) -> String {
    SafeUrl::masked(url.raw())
}

fn read_one(
    name: &PackageName,
    url: &VerbatimUrl,
    given: String,
    key: DistKey,
    target: &Target,
) -> Result<DirectDist, String> {
    let raw = url.raw();
    if let Some(transport) = raw.scheme().strip_prefix("git+") {
        return read_git(name, raw, transport, given, key);
    }
    if raw.scheme().contains('+') {
        return Err(format!(
            "the `{}` scheme is not supported (git is; hg, svn and bzr are not)",
            raw.scheme()
        ));
    }
    if raw.scheme() == "file" {
        let path = raw
            .to_file_path()
            .map_err(|()| "not a local path".to_string())?;
        if path.is_dir() {
            let members = read_tree(&path)?;
            return tree_dist(name, &members, given, raw, key, DirectKind::Directory);
        }
        if !path.is_file() {
            return Err(format!("no such file or folder: {}", path.display()));
        }
    } else if !matches!(raw.scheme(), "https" | "http") {
        return Err(format!("the `{}` scheme is not supported", raw.scheme()));
    }
    archive_dist(name, raw, given, key, target)
}

/// A wheel or sdist URL: the file the index client reads like an index's.
fn archive_dist(
    name: &PackageName,
    raw: &Url,
    given: String,
    key: DistKey,
    target: &Target,
) -> Result<DirectDist, String> {
    let filename = npsolve_index::url_filename(raw);
    let parsed = DistFilename::parse(&filename, name).map_err(|error| {
        format!("`{filename}` is not the file name of a wheel or sdist of `{name}`: {error}")
    })?;
    let (version, is_wheel) = match &parsed {
        DistFilename::Wheel(wheel) => {
            if wheel.compatibility(target.tags()).is_none() {
                return Err(format!(
                    "the wheel `{filename}` does not install on the target ({})",
                    target
                ));
            }
            (wheel.version.clone(), true)
        }
        DistFilename::Sdist(sdist) => (sdist.version.clone(), false),
    };
    let file = DistFile::at_url(raw.clone(), parsed);
    let dist = DistRef {
        key,
        filename,
        url: file.url.to_string(),
        sha256: file.hashes.sha256.clone(),
        requires_python: None,
        yanked: None,
        size: None,
        upload_time: None,
        is_wheel,
    };
    Ok(DirectDist {
        name: name.clone(),
        pin: DirectPin {
            version: version.clone(),
            url: given,
            location: raw.to_string(),
            kind: DirectKind::Archive,
        },
        versions: one_version(version, &dist),
        dist,
        file: Some(file),
        metadata: None,
    })
}

fn one_version(version: pep440_rs::Version, dist: &DistRef) -> Arc<PackageVersions> {
    let (wheels, sdist) = if dist.is_wheel {
        (vec![dist.clone()], None)
    } else {
        (Vec::new(), Some(dist.clone()))
    };
    Arc::new(PackageVersions {
        versions: vec![VersionEntry::new(version, wheels, sdist, None)],
    })
}

/// A git URL: fetched into a temporary folder, read, and the folder removed.
fn read_git(
    name: &PackageName,
    raw: &Url,
    transport: &str,
    given: String,
    key: DistKey,
) -> Result<DirectDist, String> {
    let mut remote = raw.clone();
    remote.set_fragment(None);
    let text = remote.as_str().replacen(raw.scheme(), transport, 1);
    let mut remote = Url::parse(&text).map_err(|error| format!("not a URL: {error}"))?;
    let (path, revision) = match remote.path().rsplit_once('@') {
        Some((path, revision)) if !revision.is_empty() && !revision.contains('/') => {
            (path.to_string(), Some(revision.to_string()))
        }
        _ => (remote.path().to_string(), None),
    };
    remote.set_path(&path);
    let subdirectory = raw.fragment().and_then(|fragment| {
        fragment
            .split('&')
            .find_map(|pair| pair.strip_prefix("subdirectory="))
            .map(str::to_string)
    });
    let checkout = tempfile::tempdir().map_err(|error| format!("a temporary folder: {error}"))?;
    let commit = fetch_git(remote.as_str(), revision.as_deref(), checkout.path())?;
    let mut tree = checkout.path().to_path_buf();
    if let Some(subdirectory) = &subdirectory {
        if Path::new(subdirectory)
            .components()
            .any(|part| !matches!(part, std::path::Component::Normal(_)))
        {
            return Err(format!(
                "the subdirectory `{subdirectory}` leaves the checkout"
            ));
        }
        tree.push(subdirectory);
    }
    let members = read_tree(&tree)?;
    tree_dist(
        name,
        &members,
        given,
        raw,
        key,
        DirectKind::Git {
            requested_revision: revision,
            commit,
        },
    )
}

/// Fetches `revision` (else the default branch) of `remote` into `dir`, checks it out and
/// returns its commit. Git never prompts (`GIT_TERMINAL_PROMPT=0`), gives up on a stalled
/// HTTP transfer, and its messages are passed on with credentials masked.
fn fetch_git(remote: &str, revision: Option<&str>, dir: &Path) -> Result<String, String> {
    let git = |args: &[&str]| -> Result<String, String> {
        let output = Command::new("git")
            // A transfer that stalls (under 1 KB/s for a minute) fails instead of hanging.
            .args([
                "-c",
                "http.lowSpeedLimit=1000",
                "-c",
                "http.lowSpeedTime=60",
            ])
            .args(args)
            .current_dir(dir)
            .env("GIT_TERMINAL_PROMPT", "0")
            .env("GIT_ASKPASS", "")
            .stdin(std::process::Stdio::null())
            .output()
            .map_err(|error| format!("cannot run `git` ({error}); git requirements need it"))?;
        if output.status.success() {
            Ok(String::from_utf8_lossy(&output.stdout).trim().to_string())
        } else {
            Err(npsolve_index::mask_text(
                String::from_utf8_lossy(&output.stderr).trim(),
            ))
        }
    };
    git(&["init", "--quiet"])?;
    let wanted = revision.unwrap_or("HEAD");
    let shallow = git(&["fetch", "--quiet", "--depth", "1", remote, wanted]);
    if shallow.is_err() {
        // A server may refuse a shallow fetch of a commit: fetch its branches and tags.
        git(&[
            "fetch",
            "--quiet",
            remote,
            "+refs/heads/*:refs/remotes/origin/*",
            "+refs/tags/*:refs/tags/*",
        ])
        .map_err(|error| format!("git fetch failed: {error}"))?;
        let commit = [
            wanted.to_string(),
            format!("origin/{wanted}"),
            format!("refs/tags/{wanted}"),
        ]
        .into_iter()
        .find_map(|candidate| {
            git(&[
                "rev-parse",
                "--verify",
                "--quiet",
                &format!("{candidate}^{{commit}}"),
            ])
            .ok()
        })
        .ok_or_else(|| format!("the revision `{wanted}` is not in the repository"))?;
        git(&["checkout", "--quiet", &commit])
            .map_err(|error| format!("git checkout failed: {error}"))?;
        return Ok(commit);
    }
    git(&["checkout", "--quiet", "FETCH_HEAD"])
        .map_err(|error| format!("git checkout failed: {error}"))?;
    git(&["rev-parse", "HEAD"])
}

/// The files of a tree as the sdist ladder reads an archive: every file's path (bounded),
/// and the contents of the members it wants. Links are not followed.
fn read_tree(root: &Path) -> Result<SdistMembers, String> {
    let mut members = SdistMembers::default();
    let mut pending: Vec<PathBuf> = vec![PathBuf::new()];
    while let Some(relative) = pending.pop() {
        let dir = root.join(&relative);
        let entries =
            std::fs::read_dir(&dir).map_err(|error| format!("{}: {error}", dir.display()))?;
        let mut entries: Vec<_> = entries.filter_map(Result::ok).collect();
        entries.sort_by_key(std::fs::DirEntry::file_name);
        for entry in entries {
            let Ok(kind) = entry.file_type() else {
                continue;
            };
            let file_name = entry.file_name().to_string_lossy().into_owned();
            let path = relative.join(&file_name);
            if kind.is_dir() {
                if !SKIPPED_DIRS.contains(&file_name.as_str()) {
                    pending.push(path);
                }
                continue;
            }
            if !kind.is_file() {
                continue;
            }
            let member = path
                .components()
                .map(|part| part.as_os_str().to_string_lossy())
                .collect::<Vec<_>>()
                .join("/");
            if members.names.len() >= MAX_TREE_FILES {
                return Err(format!(
                    "{} holds more than {MAX_TREE_FILES} files",
                    root.display()
                ));
            }
            if let Some(wanted) = wanted_member(&member) {
                let size = entry.metadata().map(|meta| meta.len()).unwrap_or(u64::MAX);
                if size <= MAX_MEMBER_BYTES {
                    let bytes = std::fs::read(entry.path())
                        .map_err(|error| format!("{}: {error}", entry.path().display()))?;
                    members.files.insert(member.clone(), bytes);
                } else if wanted == Wanted::Needed {
                    return Err(format!(
                        "`{member}` is larger than {} MiB",
                        MAX_MEMBER_BYTES / (1024 * 1024)
                    ));
                }
            }
            members.names.push(member);
        }
    }
    members.names.sort();
    Ok(members)
}

/// A tree's package: its version and dependencies from its files.
fn tree_dist(
    name: &PackageName,
    members: &SdistMembers,
    given: String,
    raw: &Url,
    key: DistKey,
    kind: DirectKind,
) -> Result<DirectDist, String> {
    let identity = npsolve_metadata::tree_identity(members)
        .map_err(|why| format!("{why}; npsolve reads source trees without running them"))?;
    if let Some(found) = &identity.name
        && found != name
    {
        return Err(format!(
            "the project there is `{found}` (its {}), not `{name}`",
            identity.version_from
        ));
    }
    let metadata = npsolve_metadata::static_metadata(name, &identity.version, members)
        .map_err(|none| format!("{none}; only a build would tell its dependencies"))?;
    let dist = DistRef {
        key,
        filename: format!("{name}-{}", identity.version),
        url: raw.to_string(),
        sha256: None,
        requires_python: None,
        yanked: None,
        size: None,
        upload_time: None,
        is_wheel: false,
    };
    let metadata = crate::index_source::dist_metadata(&metadata);
    Ok(DirectDist {
        name: name.clone(),
        pin: DirectPin {
            version: identity.version.clone(),
            url: given,
            location: raw.to_string(),
            kind,
        },
        versions: one_version(identity.version, &dist),
        dist,
        file: None,
        metadata: Some(Arc::new(metadata)),
    })
}
