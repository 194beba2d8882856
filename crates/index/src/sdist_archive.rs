//! The members of a source archive (`.tar.gz` or `.zip`) that static metadata needs, read
//! from the bytes in memory under limits: paths that escape the archive, links where a
//! needed file should be, huge members and archives that expand past a bound are refused with
//! the reason.

use std::io::Read;

use npsolve_metadata::SdistMembers;
use npsolve_metadata::sdist_static::{MEMBER_LIMIT, Wanted, wanted_member};

use crate::zip_archive;

/// The most members an sdist may have.
const MAX_MEMBERS: usize = 100_000;

/// The most bytes its members may expand to, together (a bomb stops here).
const MAX_EXPANDED: u64 = 1024 * 1024 * 1024;

/// The most bytes of wanted members read, together.
const MAX_WANTED: u64 = 16 * 1024 * 1024;

/// Reads the member list and the wanted members of the sdist `filename` held in `bytes`.
pub fn read_members(filename: &str, bytes: &[u8]) -> Result<SdistMembers, String> {
    let lower = filename.to_ascii_lowercase();
    if lower.ends_with(".zip") {
        read_zip(bytes)
    } else if lower.ends_with(".tar.gz") || lower.ends_with(".tgz") {
        read_tar(flate2::read::GzDecoder::new(bytes))
    } else {
        Err("only .tar.gz and .zip source archives are read".to_string())
    }
}

/// A member's path below the archive's top folder, or `None` for the top folder itself;
/// an error for a path that is absolute or climbs out with `..`.
fn below_top(path: &str) -> Result<Option<String>, String> {
    let path = path.trim_start_matches("./");
    if path.starts_with('/') {
        return Err(format!("member `{path}` has an absolute path"));
    }
    let parts: Vec<&str> = path.split('/').filter(|part| !part.is_empty()).collect();
    if parts.contains(&"..") {
        return Err(format!("member `{path}` escapes the archive"));
    }
    Ok((parts.len() > 1).then(|| parts[1..].join("/")))
}

/// Whether a link at `path` (below the top folder) to the relative `target` lands outside the
/// archive.
fn escapes(path: &str, target: &str) -> bool {
    // The top folder counts: `../x` from a top-level member climbs out of it.
    let mut depth = path.matches('/').count() as i64 + 1;
    for part in target.split('/') {
        match part {
            "" | "." => {}
            ".." => depth -= 1,
            _ => depth += 1,
        }
        if depth < 1 {
            return true;
        }
    }
    false
}

/// Whether a wanted member of `size` bytes is read, given `wanted_bytes` read so far: yes
/// within the limits; past them a needed member refuses the archive, an optional one is left
/// out (`false`).
fn admits(wanted_bytes: u64, path: &str, wanted: Wanted, size: u64) -> Result<bool, String> {
    let refusal = if size > MEMBER_LIMIT {
        Some(format!("member `{path}` is {size} bytes"))
    } else if wanted_bytes + size > MAX_WANTED {
        Some(format!(
            "the build files read exceed {MAX_WANTED} bytes together"
        ))
    } else {
        None
    };
    match (refusal, wanted) {
        (Some(reason), Wanted::Needed) => Err(reason),
        (Some(_), Wanted::Optional) => Ok(false),
        (None, _) => Ok(true),
    }
}

/// Reads a wanted member of `size` bytes with `read` and keeps it, when [`admits`] says so.
fn keep(
    members: &mut SdistMembers,
    wanted_bytes: &mut u64,
    path: &str,
    wanted: Wanted,
    size: u64,
    read: impl FnOnce() -> Result<Vec<u8>, String>,
) -> Result<(), String> {
    if admits(*wanted_bytes, path, wanted, size)? {
        let bytes = read()?;
        *wanted_bytes += bytes.len() as u64;
        members.files.insert(path.to_string(), bytes);
    }
    Ok(())
}

fn read_tar(reader: impl Read) -> Result<SdistMembers, String> {
    let mut archive = tar::Archive::new(reader);
    let mut members = SdistMembers::default();
    let mut expanded = 0u64;
    let mut wanted_bytes = 0u64;
    let entries = archive.entries().map_err(|error| error.to_string())?;
    for (count, entry) in entries.enumerate() {
        if count >= MAX_MEMBERS {
            return Err(format!("more than {MAX_MEMBERS} members"));
        }
        let mut entry = entry.map_err(|error| format!("not a valid tar archive: {error}"))?;
        let raw = entry
            .path()
            .map_err(|error| format!("a member's path: {error}"))?
            .to_string_lossy()
            .into_owned();
        let Some(path) = below_top(&raw)? else {
            continue;
        };
        let kind = entry.header().entry_type();
        expanded = expanded.saturating_add(entry.size());
        if expanded > MAX_EXPANDED {
            return Err(format!("members expand past {MAX_EXPANDED} bytes"));
        }
        if kind.is_symlink() || kind.is_hard_link() {
            if wanted_member(&path) == Some(Wanted::Needed) {
                return Err(format!("member `{path}` is a link"));
            }
            let target = entry
                .link_name()
                .map_err(|error| format!("link `{path}`: {error}"))?
                .map(|target| target.to_string_lossy().into_owned())
                .unwrap_or_default();
            if target.starts_with('/') || escapes(&path, &target) {
                return Err(format!(
                    "link `{path}` points outside the archive (`{target}`)"
                ));
            }
            continue;
        }
        if !kind.is_file() {
            continue;
        }
        if let Some(wanted) = wanted_member(&path) {
            let size = entry.size();
            keep(&mut members, &mut wanted_bytes, &path, wanted, size, || {
                let mut bytes = Vec::new();
                entry
                    .by_ref()
                    .take(MEMBER_LIMIT)
                    .read_to_end(&mut bytes)
                    .map_err(|error| format!("member `{path}`: {error}"))?;
                Ok(bytes)
            })?;
        }
        members.names.push(path);
    }
    Ok(members)
}

fn read_zip(bytes: &[u8]) -> Result<SdistMembers, String> {
    let entries = zip_archive::archive_entries(bytes)?;
    let (mut members, wanted) = plan_zip(&entries)?;
    for (path, entry) in wanted {
        let data = zip_archive::read_member(bytes, entry)?;
        members.files.insert(path, data);
    }
    Ok(members)
}

/// The wanted members of a ZIP sdist, by their path below the top folder, to be read.
pub(crate) type WantedEntries<'a> = Vec<(String, &'a zip_archive::Entry)>;

/// A ZIP sdist's member names, and the wanted members to read, decided from its central
/// directory alone under the same limits as a tar (so that they can be read by range requests
/// as well as from the whole archive). The sizes are the directory's word; reading a member
/// checks its data against them.
pub(crate) fn plan_zip(
    entries: &[zip_archive::Entry],
) -> Result<(SdistMembers, WantedEntries<'_>), String> {
    if entries.len() > MAX_MEMBERS {
        return Err(format!("more than {MAX_MEMBERS} members"));
    }
    let mut members = SdistMembers::default();
    let mut wanted_members = Vec::new();
    let mut expanded = 0u64;
    let mut wanted_bytes = 0u64;
    for entry in entries {
        let Some(path) = below_top(&entry.name)? else {
            continue;
        };
        if entry.name.ends_with('/') {
            continue;
        }
        expanded = expanded.saturating_add(entry.uncompressed_size);
        if expanded > MAX_EXPANDED {
            return Err(format!("members expand past {MAX_EXPANDED} bytes"));
        }
        if let Some(wanted) = wanted_member(&path)
            && admits(wanted_bytes, &path, wanted, entry.uncompressed_size)?
        {
            wanted_bytes += entry.uncompressed_size;
            wanted_members.push((path.clone(), entry));
        }
        members.names.push(path);
    }
    Ok((members, wanted_members))
}

/// Unpacks the sdist `filename` held in `bytes` into the empty folder `dest`, for a build,
/// under the same limits as reading it (member count, expanded size, paths that escape);
/// links are not created (a link in an sdist is rare and a build that needs one fails
/// visibly). Returns the source tree: the archive's top folder under `dest`.
pub fn unpack_sdist(
    filename: &str,
    bytes: &[u8],
    dest: &std::path::Path,
) -> Result<std::path::PathBuf, String> {
    let lower = filename.to_ascii_lowercase();
    let mut top: Option<String> = None;
    let mut write = |raw: &str, data: &mut dyn Read| -> Result<(), String> {
        let Some(path) = below_top(raw)? else {
            return Ok(());
        };
        let first = raw.trim_start_matches("./").split('/').next().unwrap_or("");
        match &top {
            None => top = Some(first.to_string()),
            Some(top) if top != first => {
                return Err(format!("member `{raw}` is outside the top folder `{top}`"));
            }
            Some(_) => {}
        }
        let target = dest.join(first).join(&path);
        if let Some(parent) = target.parent() {
            fs_err::create_dir_all(parent).map_err(|error| error.to_string())?;
        }
        let mut file = fs_err::File::create(&target).map_err(|error| error.to_string())?;
        std::io::copy(data, &mut file).map_err(|error| format!("member `{path}`: {error}"))?;
        Ok(())
    };
    let mut expanded = 0u64;
    let mut count_and_size = |size: u64, count: usize| -> Result<(), String> {
        if count >= MAX_MEMBERS {
            return Err(format!("more than {MAX_MEMBERS} members"));
        }
        expanded = expanded.saturating_add(size);
        if expanded > MAX_EXPANDED {
            return Err(format!("members expand past {MAX_EXPANDED} bytes"));
        }
        Ok(())
    };
    if lower.ends_with(".zip") {
        let entries = zip_archive::archive_entries(bytes)?;
        for (count, entry) in entries.iter().enumerate() {
            count_and_size(entry.uncompressed_size, count)?;
            if entry.name.ends_with('/') {
                continue;
            }
            let data = zip_archive::read_member(bytes, entry)?;
            write(&entry.name, &mut data.as_slice())?;
        }
    } else if lower.ends_with(".tar.gz") || lower.ends_with(".tgz") {
        let mut archive = tar::Archive::new(flate2::read::GzDecoder::new(bytes));
        let entries = archive.entries().map_err(|error| error.to_string())?;
        for (count, entry) in entries.enumerate() {
            let mut entry = entry.map_err(|error| format!("not a valid tar archive: {error}"))?;
            count_and_size(entry.size(), count)?;
            if !entry.header().entry_type().is_file() {
                continue;
            }
            let raw = entry
                .path()
                .map_err(|error| format!("a member's path: {error}"))?
                .to_string_lossy()
                .into_owned();
            let size = entry.size();
            write(&raw, &mut entry.by_ref().take(size))?;
        }
    } else {
        return Err("only .tar.gz and .zip source archives are read".to_string());
    }
    let top = top.ok_or("the archive holds no files below a top folder")?;
    Ok(dest.join(top))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tar_gz(build: impl FnOnce(&mut tar::Builder<Vec<u8>>)) -> Vec<u8> {
        let mut builder = tar::Builder::new(Vec::new());
        build(&mut builder);
        let tar = builder.into_inner().expect("tar");
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        std::io::Write::write_all(&mut gz, &tar).expect("gz");
        gz.finish().expect("gz")
    }

    fn file(builder: &mut tar::Builder<Vec<u8>>, path: &str, data: &[u8]) {
        let mut header = tar::Header::new_gnu();
        header.set_size(data.len() as u64);
        header.set_mode(0o644);
        header.set_entry_type(tar::EntryType::Regular);
        // `append_data` refuses `..`; the raw name goes in the header as an attacker's would.
        let name = header.as_old_mut().name.as_mut();
        name[..path.len()].copy_from_slice(path.as_bytes());
        header.set_cksum();
        builder.append(&header, data).expect("member");
    }

    #[test]
    fn reads_the_wanted_members_below_the_top_folder() {
        let bytes = tar_gz(|builder| {
            file(builder, "demo-1.0/PKG-INFO", b"Metadata-Version: 1.0\n");
            file(builder, "demo-1.0/setup.py", b"setup()");
            file(builder, "demo-1.0/demo/__init__.py", b"x = 1");
            file(builder, "demo-1.0/demo.egg-info/requires.txt", b"six\n");
            file(builder, "demo-1.0/demo.egg-info/SOURCES.txt", b"setup.py\n");
        });
        let members = read_members("demo-1.0.tar.gz", &bytes).expect("readable");
        assert_eq!(
            members.files.keys().collect::<Vec<_>>(),
            ["PKG-INFO", "demo.egg-info/requires.txt", "setup.py"]
        );
        assert_eq!(members.names.len(), 5);
    }

    #[test]
    fn refuses_paths_that_escape_and_links_to_needed_files() {
        let escaping = tar_gz(|builder| file(builder, "demo-1.0/../../etc/PKG-INFO", b"x"));
        let error = read_members("demo-1.0.tar.gz", &escaping).expect_err("escapes");
        assert!(error.contains("escapes the archive"), "{error}");

        let linked = tar_gz(|builder| {
            let mut header = tar::Header::new_gnu();
            header.set_entry_type(tar::EntryType::Symlink);
            header.set_size(0);
            builder
                .append_link(&mut header, "demo-1.0/PKG-INFO", "/etc/passwd")
                .expect("link");
        });
        let error = read_members("demo-1.0.tar.gz", &linked).expect_err("a link");
        assert!(error.contains("is a link"), "{error}");
    }

    /// A big data file that only looks like a requirement list is left out, not a refusal.
    #[test]
    fn a_huge_optional_member_is_left_out() {
        let words = vec![b'w'; (MEMBER_LIMIT + 1) as usize];
        let bytes = tar_gz(|builder| {
            file(builder, "demo-1.0/PKG-INFO", b"Metadata-Version: 1.0\n");
            file(builder, "demo-1.0/data/words.txt", &words);
        });
        let members = read_members("demo-1.0.tar.gz", &bytes).expect("readable");
        assert_eq!(members.files.keys().collect::<Vec<_>>(), ["PKG-INFO"]);
        assert!(members.names.iter().any(|name| name == "data/words.txt"));
    }

    #[test]
    fn refuses_huge_members_and_bombs() {
        let huge = vec![b'#'; (MEMBER_LIMIT + 1) as usize];
        let bytes = tar_gz(|builder| file(builder, "demo-1.0/setup.py", &huge));
        let error = read_members("demo-1.0.tar.gz", &bytes).expect_err("huge");
        assert!(error.contains("is 1048577 bytes"), "{error}");

        // A header that claims more than the bound (the data is never read).
        let mut header = tar::Header::new_gnu();
        header.set_size(MAX_EXPANDED + 1);
        header.set_entry_type(tar::EntryType::Regular);
        header.set_path("demo-1.0/blob").expect("path");
        header.set_cksum();
        let bomb = header.as_bytes().to_vec();
        let error = read_tar(bomb.as_slice()).expect_err("bomb");
        assert!(error.contains("expand past"), "{error}");
    }

    #[test]
    fn unpacks_below_one_top_folder_and_refuses_escapes() {
        let bytes = tar_gz(|builder| {
            file(builder, "demo-1.0/PKG-INFO", b"Metadata-Version: 1.0\n");
            file(builder, "demo-1.0/demo/__init__.py", b"x = 1");
        });
        let dest = tempfile::tempdir().expect("a folder");
        let tree = unpack_sdist("demo-1.0.tar.gz", &bytes, dest.path()).expect("unpacks");
        assert_eq!(tree, dest.path().join("demo-1.0"));
        assert_eq!(
            fs_err::read_to_string(tree.join("demo/__init__.py")).expect("written"),
            "x = 1"
        );

        let escaping = tar_gz(|builder| file(builder, "demo-1.0/../../evil.py", b"x"));
        let other = tempfile::tempdir().expect("a folder");
        let error = unpack_sdist("demo-1.0.tar.gz", &escaping, other.path()).expect_err("escapes");
        assert!(error.contains("escapes the archive"), "{error}");
        assert!(!other.path().join("evil.py").exists());

        let two_tops = tar_gz(|builder| {
            file(builder, "demo-1.0/setup.py", b"");
            file(builder, "other/setup.py", b"");
        });
        let third = tempfile::tempdir().expect("a folder");
        let error = unpack_sdist("demo-1.0.tar.gz", &two_tops, third.path()).expect_err("two tops");
        assert!(error.contains("outside the top folder"), "{error}");
    }
}
