//! The compact form of a project page that the disk cache keeps: only the validated fields of
//! each file, in postcard, read back without copying strings twice.
//!
//! A warm run used to re-parse every cached PyPI JSON page (46 MB for a 170-project
//! resolution) and re-validate every entry. The compact form holds absolute URLs with the
//! fragment already removed, lower-cased hashes, requires-python texts that parsed (each
//! distinct text stored and parsed once per page), and upload times as seconds and nanoseconds.

use std::str::FromStr;

use npsolve_platform::DistFilename;
use pep440_rs::VersionSpecifiers;
use pep508_rs::PackageName;
use rustc_hash::FxHashMap;
use serde::{Deserialize, Serialize};

use crate::dist_file::{CoreMetadataHint, DistFile, Hashes};
use crate::listed_file::ListedFile;

/// A project page: the distinct requires-python texts, then the files.
#[derive(Serialize, Deserialize)]
struct CompactPage<'a> {
    #[serde(borrow)]
    requires_python: Vec<&'a str>,
    #[serde(borrow)]
    files: Vec<CompactFile<'a>>,
}

#[derive(Serialize, Deserialize)]
struct CompactFile<'a> {
    filename: &'a str,
    /// The absolute URL, or (when `url_is_folder`) the part before the file name.
    url: &'a str,
    url_is_folder: bool,
    #[serde(borrow)]
    hashes: CompactHashes<'a>,
    /// An index into [`CompactPage::requires_python`].
    requires_python: Option<u32>,
    yanked: Option<&'a str>,
    /// Unix seconds and nanoseconds.
    upload_time: Option<(i64, i32)>,
    size: Option<u64>,
    #[serde(borrow)]
    core_metadata: CompactHint<'a>,
}

#[derive(Serialize, Deserialize)]
struct CompactHashes<'a> {
    sha256: Option<&'a str>,
    #[serde(borrow)]
    others: Vec<(&'a str, &'a str)>,
}

#[derive(Serialize, Deserialize)]
enum CompactHint<'a> {
    Unknown,
    Available(#[serde(borrow)] Option<CompactHashes<'a>>),
    NotAvailable,
}

impl<'a> CompactHashes<'a> {
    fn new(hashes: &'a Hashes) -> CompactHashes<'a> {
        CompactHashes {
            sha256: hashes.sha256.as_deref(),
            others: hashes
                .others
                .iter()
                .map(|(algorithm, digest)| (algorithm.as_str(), digest.as_str()))
                .collect(),
        }
    }

    fn to_hashes(&self) -> Hashes {
        Hashes {
            sha256: self.sha256.map(str::to_string),
            others: self
                .others
                .iter()
                .map(|&(algorithm, digest)| (algorithm.to_string(), digest.to_string()))
                .collect(),
        }
    }
}

/// Encodes validated files.
pub(crate) fn encode(files: &[DistFile]) -> Result<Vec<u8>, postcard::Error> {
    let texts: Vec<String> = files
        .iter()
        .map(|file| {
            file.requires_python
                .as_ref()
                .map(ToString::to_string)
                .unwrap_or_default()
        })
        .collect();
    let mut requires_python: Vec<&str> = Vec::new();
    let mut positions: FxHashMap<&str, u32> = FxHashMap::default();
    let mut compact = Vec::with_capacity(files.len());
    for (file, text) in files.iter().zip(&texts) {
        let requires_python = file.requires_python.as_ref().map(|_| {
            *positions.entry(text.as_str()).or_insert_with(|| {
                requires_python.push(text.as_str());
                u32::try_from(requires_python.len() - 1).unwrap_or(u32::MAX)
            })
        });
        let filename = file.filename.filename();
        let url = file.url.as_str();
        let folder = url
            .strip_suffix(filename)
            .filter(|folder| folder.ends_with('/'));
        compact.push(CompactFile {
            filename,
            url: folder.unwrap_or(url),
            url_is_folder: folder.is_some(),
            hashes: CompactHashes::new(&file.hashes),
            requires_python,
            yanked: file.yanked.as_deref(),
            upload_time: file
                .upload_time
                .map(|time| (time.as_second(), time.subsec_nanosecond())),
            size: file.size,
            core_metadata: match &file.core_metadata {
                CoreMetadataHint::Unknown => CompactHint::Unknown,
                CoreMetadataHint::NotAvailable => CompactHint::NotAvailable,
                CoreMetadataHint::Available(hashes) => {
                    CompactHint::Available(hashes.as_ref().map(CompactHashes::new))
                }
            },
        });
    }
    postcard::to_allocvec(&CompactPage {
        requires_python,
        files: compact,
    })
}

/// Decodes the files of `name`; any inconsistency is an error (the entry is then refetched).
/// URLs stay text: they were written by [`url::Url`], and parsing 100,000 of them again on
/// every warm run was a fifth of its time.
pub(crate) fn decode(bytes: &[u8], name: &PackageName) -> Result<Vec<ListedFile>, String> {
    let page: CompactPage<'_> =
        postcard::from_bytes(bytes).map_err(|error| format!("invalid compact page: {error}"))?;
    let requires_python = page
        .requires_python
        .iter()
        .map(|text| VersionSpecifiers::from_str(text).map_err(|error| error.to_string()))
        .collect::<Result<Vec<_>, _>>()?;
    page.files
        .iter()
        .map(|file| {
            let filename = DistFilename::parse(file.filename, name)
                .map_err(|error| format!("`{}`: {error}", file.filename))?;
            let mut url = String::with_capacity(
                file.url.len()
                    + if file.url_is_folder {
                        file.filename.len()
                    } else {
                        0
                    },
            );
            url.push_str(file.url);
            if file.url_is_folder {
                url.push_str(file.filename);
            }
            let requires_python = match file.requires_python {
                None => None,
                Some(index) => Some(
                    usize::try_from(index)
                        .ok()
                        .and_then(|index| requires_python.get(index))
                        .ok_or_else(|| format!("requires-python index {index} out of range"))?
                        .clone(),
                ),
            };
            let upload_time = match file.upload_time {
                None => None,
                Some((seconds, nanos)) => {
                    Some(jiff::Timestamp::new(seconds, nanos).map_err(|error| error.to_string())?)
                }
            };
            Ok(ListedFile {
                filename,
                url,
                hashes: file.hashes.to_hashes(),
                requires_python,
                yanked: file.yanked.map(str::to_string),
                upload_time,
                size: file.size,
                core_metadata: match &file.core_metadata {
                    CompactHint::Unknown => CoreMetadataHint::Unknown,
                    CompactHint::NotAvailable => CoreMetadataHint::NotAvailable,
                    CompactHint::Available(hashes) => {
                        CoreMetadataHint::Available(hashes.as_ref().map(CompactHashes::to_hashes))
                    }
                },
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::page::parse_project_page;
    use url::Url;

    const PAGE: &[u8] = br#"{"meta":{"api-version":"1.1"},"name":"x","files":[
        {"filename":"x-1.0-cp311-cp311-manylinux_2_17_x86_64.whl","url":"../../f/x-1.0-cp311-cp311-manylinux_2_17_x86_64.whl#sha256=AB",
         "hashes":{"sha512":"EF"},"requires-python":">=3.8","yanked":"broken",
         "upload-time":"2024-01-01T00:00:00.123456Z","size":10,"core-metadata":{"sha256":"cd"}},
        {"filename":"x-1.0.tar.gz","url":"https://mirror.example/x/download?file=x-1.0.tar.gz","hashes":{},
         "requires-python":">=3.8","yanked":true,"dist-info-metadata":false},
        {"filename":"x-0.9.zip","url":"x-0.9.zip","hashes":{"sha256":"00"},"requires-python":">= 3.7, <4",
         "core-metadata":true},
        {"filename":"x-0.8.tar.gz","url":"x-0.8.tar.gz","hashes":{}}]}"#;

    fn name() -> PackageName {
        PackageName::from_str("x").expect("valid name")
    }

    fn files() -> Vec<DistFile> {
        let page_url = Url::parse("https://index.example/simple/x/").expect("valid URL");
        parse_project_page(PAGE, crate::page::JSON_MEDIA_TYPE, &page_url, &name())
            .expect("valid page")
    }

    /// Every field of every file survives the round trip (compared through `Debug`, which
    /// shows all of them).
    #[test]
    fn round_trips_every_field() {
        let files = files();
        assert_eq!(files.len(), 4);
        let bytes = encode(&files).expect("encodes");
        let decoded: Vec<DistFile> = decode(&bytes, &name())
            .expect("decodes")
            .into_iter()
            .map(|file| file.into_dist_file().expect("valid URL"))
            .collect();
        assert_eq!(format!("{decoded:#?}"), format!("{files:#?}"));
        // The file name is not stored twice when the URL ends with it.
        let occurrences = bytes
            .windows(b"x-1.0-cp311".len())
            .filter(|window| *window == b"x-1.0-cp311")
            .count();
        assert_eq!(occurrences, 1);
    }

    #[test]
    fn rejects_damaged_or_foreign_bytes() {
        let bytes = encode(&files()).expect("encodes");
        assert!(decode(&bytes[..bytes.len() / 2], &name()).is_err());
        // The same page read as another project's: its file names do not match.
        let other = PackageName::from_str("y").expect("valid name");
        assert!(decode(&bytes, &other).is_err());
        assert!(decode(b"", &name()).is_err());
    }
}
