//! Reading and validating a curated facts file (format: `docs/abi-data.md`).

use std::ops::Range;
use std::str::FromStr;

use pep440_rs::{Version, VersionSpecifiers};
use pep508_rs::PackageName;
use serde::Deserialize;
use toml::Spanned;
use version_ranges::Ranges;

use crate::tag_pattern::TagPattern;
use crate::{BuildFact, CuratedFact, FactsError, FactsErrorKind, numpy_runtime_range};

/// The only schema this version reads.
const SCHEMA: i64 = 1;

/// The file as written.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFile {
    schema: Spanned<i64>,
    #[serde(default)]
    entry: Vec<Spanned<RawEntry>>,
}

/// One `[[entry]]` as written.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawEntry {
    package: Spanned<String>,
    versions: Spanned<String>,
    #[serde(default)]
    python: Vec<Spanned<String>>,
    #[serde(default)]
    platforms: Vec<Spanned<String>>,
    fact: Spanned<String>,
    floor: Option<Spanned<String>>,
    binding: Option<Spanned<String>>,
    source: Spanned<String>,
    checked: Spanned<toml::value::Datetime>,
    note: Option<String>,
}

/// Parses `text`, refusing it with the position of the first problem.
pub(crate) fn parse(text: &str, path: &str) -> Result<Vec<CuratedFact>, FactsError> {
    let lines = Lines::new(text);
    let error_at = |span: Range<usize>, kind: FactsErrorKind| {
        let (line, column) = lines.line_column(span.start);
        FactsError {
            path: path.to_string(),
            line,
            column,
            kind: Box::new(kind),
        }
    };
    let raw: RawFile = toml::from_str(text).map_err(|error| {
        error_at(
            error.span().unwrap_or(0..0),
            FactsErrorKind::Toml {
                message: error.message().trim().to_string(),
            },
        )
    })?;
    if *raw.schema.get_ref() != SCHEMA {
        return Err(error_at(
            raw.schema.span(),
            FactsErrorKind::Schema {
                schema: *raw.schema.get_ref(),
            },
        ));
    }
    let mut entries: Vec<(CuratedFact, Ranges<Version>)> = Vec::with_capacity(raw.entry.len());
    for raw_entry in raw.entry {
        let entry_span = raw_entry.span();
        let entry = convert(raw_entry.into_inner(), &lines, &error_at)?;
        let range = Ranges::from(entry.versions.clone());
        if let Some((other, _)) = entries.iter().find(|(other, other_range)| {
            other.package == entry.package
                && same_patterns(&other.python_tags, &entry.python_tags)
                && same_patterns(&other.platforms, &entry.platforms)
                && other.fact != entry.fact
                && !other_range.is_disjoint(&range)
        }) {
            return Err(error_at(
                entry_span,
                FactsErrorKind::Conflict {
                    package: entry.package.to_string(),
                    versions: entry.versions.to_string(),
                    fact: entry.fact.to_string(),
                    other_line: other.line,
                    other_versions: other.versions.to_string(),
                    other_fact: other.fact.to_string(),
                },
            ));
        }
        entries.push((entry, range));
    }
    Ok(entries.into_iter().map(|(entry, _)| entry).collect())
}

/// Validates one entry.
fn convert(
    raw: RawEntry,
    lines: &Lines<'_>,
    error_at: &impl Fn(Range<usize>, FactsErrorKind) -> FactsError,
) -> Result<CuratedFact, FactsError> {
    let package = PackageName::from_str(raw.package.get_ref()).map_err(|source| {
        error_at(
            raw.package.span(),
            FactsErrorKind::PackageName {
                value: raw.package.get_ref().clone(),
                source,
            },
        )
    })?;
    let versions = VersionSpecifiers::from_str(raw.versions.get_ref()).map_err(|source| {
        error_at(
            raw.versions.span(),
            FactsErrorKind::Specifiers {
                value: raw.versions.get_ref().clone(),
                source: Box::new(source),
            },
        )
    })?;
    if versions.is_empty() {
        return Err(error_at(
            raw.versions.span(),
            FactsErrorKind::EmptySpecifiers,
        ));
    }
    let python_tags = patterns(raw.python, "python", error_at)?;
    let platforms = patterns(raw.platforms, "platforms", error_at)?;
    let floor = match &raw.floor {
        Some(floor) => Some(Version::from_str(floor.get_ref()).map_err(|source| {
            error_at(
                floor.span(),
                FactsErrorKind::Floor {
                    value: floor.get_ref().clone(),
                    source,
                },
            )
        })?),
        None => None,
    };
    let keyword = raw.fact.get_ref().as_str();
    let fact = match keyword {
        "numpy1" => BuildFact::Numpy1 {
            floor: floor.clone(),
        },
        "numpy2" => BuildFact::Numpy2 {
            floor: floor.clone(),
        },
        "numpy1-silent" => match &raw.binding {
            Some(binding) if !binding.get_ref().trim().is_empty() => BuildFact::Numpy1Silent {
                binding: binding.get_ref().trim().to_string(),
            },
            _ => {
                return Err(error_at(
                    raw.fact.span(),
                    FactsErrorKind::Binding {
                        fact: keyword.to_string(),
                    },
                ));
            }
        },
        "no-capi" => BuildFact::NoCapi,
        _ => {
            return Err(error_at(
                raw.fact.span(),
                FactsErrorKind::Fact {
                    value: keyword.to_string(),
                },
            ));
        }
    };
    if let Some(binding) = &raw.binding
        && !matches!(fact, BuildFact::Numpy1Silent { .. })
    {
        return Err(error_at(
            binding.span(),
            FactsErrorKind::Binding {
                fact: keyword.to_string(),
            },
        ));
    }
    if let (Some(raw_floor), Some(floor)) = (&raw.floor, &floor) {
        match numpy_runtime_range(&fact) {
            Some(range) if fact.floor().is_some() => {
                if !range.contains(floor) {
                    return Err(error_at(
                        raw_floor.span(),
                        FactsErrorKind::FloorOutOfRange {
                            floor: floor.to_string(),
                            fact: keyword.to_string(),
                        },
                    ));
                }
            }
            _ => {
                return Err(error_at(
                    raw_floor.span(),
                    FactsErrorKind::FloorNotAllowed {
                        fact: keyword.to_string(),
                    },
                ));
            }
        }
    }
    let source = raw.source.get_ref().trim().to_string();
    if source.is_empty() {
        return Err(error_at(raw.source.span(), FactsErrorKind::EmptySource));
    }
    let checked = plain_date(raw.checked.get_ref()).ok_or_else(|| {
        error_at(
            raw.checked.span(),
            FactsErrorKind::Checked {
                value: raw.checked.get_ref().to_string(),
            },
        )
    })?;
    let (line, _) = lines.line_column(raw.package.span().start);
    Ok(CuratedFact {
        package,
        versions,
        python_tags,
        platforms,
        fact,
        source,
        checked,
        note: raw
            .note
            .map(|note| note.trim().to_string())
            .filter(|note| !note.is_empty()),
        line,
    })
}

/// Validates tag patterns, keeping their order.
fn patterns(
    raw: Vec<Spanned<String>>,
    field: &'static str,
    error_at: &impl Fn(Range<usize>, FactsErrorKind) -> FactsError,
) -> Result<Vec<String>, FactsError> {
    raw.into_iter()
        .map(|pattern| {
            TagPattern::new(pattern.get_ref())
                .map(TagPattern::into_string)
                .ok_or_else(|| {
                    error_at(
                        pattern.span(),
                        FactsErrorKind::Tag {
                            field,
                            value: pattern.get_ref().clone(),
                        },
                    )
                })
        })
        .collect()
}

/// Whether two pattern lists name the same set of patterns.
fn same_patterns(a: &[String], b: &[String]) -> bool {
    let mut a = a.to_vec();
    let mut b = b.to_vec();
    a.sort();
    a.dedup();
    b.sort();
    b.dedup();
    a == b
}

/// A TOML local date (no time, no offset) as a civil date.
fn plain_date(value: &toml::value::Datetime) -> Option<jiff::civil::Date> {
    if value.time.is_some() || value.offset.is_some() {
        return None;
    }
    let date = value.date?;
    let year = i16::try_from(date.year).ok()?;
    let month = i8::try_from(date.month).ok()?;
    let day = i8::try_from(date.day).ok()?;
    jiff::civil::Date::new(year, month, day).ok()
}

/// Where each line of a text starts: every entry records its line, and counting newlines
/// from the top for each of them was most of the time spent loading the bundled facts.
struct Lines<'a> {
    text: &'a str,
    /// The byte offset of each line's first byte.
    starts: Vec<usize>,
}

impl<'a> Lines<'a> {
    fn new(text: &'a str) -> Lines<'a> {
        let mut starts = vec![0];
        starts.extend(
            text.bytes()
                .enumerate()
                .filter(|&(_, byte)| byte == b'\n')
                .map(|(index, _)| index + 1),
        );
        Lines { text, starts }
    }

    /// 1-based line and character column of byte `offset`.
    fn line_column(&self, offset: usize) -> (usize, usize) {
        let offset = offset.min(self.text.len());
        let line = self.starts.partition_point(|&start| start <= offset);
        let line_start = self.starts[line - 1];
        let column = self
            .text
            .get(line_start..offset)
            .map_or(0, |rest| rest.chars().count())
            + 1;
        (line, column)
    }
}
