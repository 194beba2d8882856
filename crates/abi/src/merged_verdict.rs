//! One verdict per wheel from every source that knows something about it: a curated
//! entry, the bundled verdict table, a scan made now, the binaries installed on disk.
//!
//! The rules (the one place they live):
//!
//! * **The major** (NumPy 1, NumPy 2, no C-API) is settled by the strongest evidence: a
//!   reading of this very file's binaries (a scan, a table row, the installed modules, or a
//!   curated probe of this file name) beats a curated entry learned elsewhere (release
//!   notes, issues, a probe of a sibling wheel, an inference); between equals the newer
//!   reading wins, then the one listed first. A loud NumPy-1 build and a silent one
//!   (pybind11 < 2.12) agree on the major; the result is loud when any source saw NumPy's
//!   own headers.
//! * **The floor** is the strictest one any source of the settled major proves, so a
//!   curated entry without a floor never hides the floor the binaries show.
//! * A source that says something else is kept as a **disagreement**, in words, for `-v`,
//!   `npsolve abi` and `npsolve scan`. Undecided sources say nothing.

use std::fmt;

use pep440_rs::Version;

use crate::{BuildFact, CuratedFact};

/// Where a verdict came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SourceKind {
    /// An entry of `data/numpy-abi.toml` (its line).
    Curated {
        /// The entry's line in the facts file.
        line: usize,
        /// What the entry cites.
        source: String,
    },
    /// The bundled verdict table (`data/numpy-verdicts.tsv`), by sha256.
    VerdictTable,
    /// A scan of the wheel's binaries (made now, or its cached result).
    Scan,
    /// The modules installed on disk (`npsolve doctor`).
    InstalledBinaries,
}

/// One source's verdict on one wheel.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SourceVerdict {
    /// Who says it.
    pub kind: SourceKind,
    /// What it says.
    pub fact: BuildFact,
    /// Whether it read this very file's binaries (not a sibling wheel, not release notes).
    pub reads_this_file: bool,
    /// When it was read or checked, as `YYYY-MM-DD` (sorts by date); `None` when unknown.
    pub date: Option<String>,
    /// What was found where, in words.
    pub evidence: String,
}

impl SourceVerdict {
    /// The curated entry `fact` as a source for the wheel named `wheel_file` (when known):
    /// it reads this file when its source is a probe of exactly that file name.
    pub fn curated(fact: &CuratedFact, wheel_file: Option<&str>) -> SourceVerdict {
        // `probe of a.whl, b.whl; https://…`: the probed files are listed after `probe of`.
        let reads_this_file = wheel_file.is_some_and(|file| {
            fact.source.split(';').any(|part| {
                part.trim()
                    .strip_prefix("probe of ")
                    .is_some_and(|files| files.split(',').any(|probed| probed.trim() == file))
            })
        });
        SourceVerdict {
            kind: SourceKind::Curated {
                line: fact.line,
                source: fact.source.clone(),
            },
            fact: fact.fact.clone(),
            reads_this_file,
            date: Some(fact.checked.to_string()),
            evidence: format!("source: {}", fact.source),
        }
    }

    /// A reading of this file's binaries (`kind` is not [`SourceKind::Curated`]).
    pub fn binaries(
        kind: SourceKind,
        fact: BuildFact,
        date: Option<String>,
        evidence: String,
    ) -> SourceVerdict {
        SourceVerdict {
            kind,
            fact,
            reads_this_file: true,
            date,
            evidence,
        }
    }

    /// A short label, e.g. `the curated fact (data/numpy-abi.toml line 12)`.
    pub fn label(&self) -> String {
        match &self.kind {
            SourceKind::Curated { line, .. } => {
                format!("the curated fact (data/numpy-abi.toml line {line})")
            }
            SourceKind::VerdictTable => "the bundled verdict table".to_string(),
            SourceKind::Scan => "the scan of its binaries".to_string(),
            SourceKind::InstalledBinaries => "its installed binaries".to_string(),
        }
    }

    /// How strongly this source settles the major: a reading of this file first, then the
    /// newer date.
    fn strength(&self) -> (bool, Option<&str>) {
        (self.reads_this_file, self.date.as_deref())
    }
}

/// The major family a fact belongs to, for agreement: NumPy 1 (loud or silent), NumPy 2,
/// no C-API; `None` for an undecided source.
fn family(fact: &BuildFact) -> Option<u8> {
    match fact {
        BuildFact::Numpy1 { .. } | BuildFact::Numpy1Silent { .. } => Some(1),
        BuildFact::Numpy2 { .. } => Some(2),
        BuildFact::NoCapi => Some(0),
        BuildFact::Unknown => None,
    }
}

/// The merged verdict on one wheel, with every source that contributed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MergedVerdict {
    /// The verdict: the settled major with the strictest floor its sources prove.
    pub fact: BuildFact,
    /// Every source, in the order given.
    pub sources: Vec<SourceVerdict>,
    /// The index (in `sources`) of the source that settled the major.
    pub settled_by: usize,
    /// The index of the source whose floor was taken, when there is a floor.
    pub floor_from: Option<usize>,
    /// The sources that said another major, in words; empty when all agree.
    pub disagreements: Vec<String>,
}

impl MergedVerdict {
    /// The source that settled the major.
    pub fn settling_source(&self) -> &SourceVerdict {
        &self.sources[self.settled_by]
    }

    /// The evidence behind the verdict in words: the settling source's, and where the floor
    /// came from when another source gave it.
    pub fn evidence(&self) -> String {
        let settling = self.settling_source();
        let mut text = settling.evidence.clone();
        if let Some(from) = self.floor_from.filter(|from| *from != self.settled_by)
            && let Some(floor) = self.fact.floor()
        {
            let source = &self.sources[from];
            text.push_str(&format!(
                "; floor {floor} from {}: {}",
                source.label(),
                source.evidence
            ));
        }
        text
    }

    /// Whether any source read this file's binaries.
    pub fn from_binaries(&self) -> bool {
        self.sources.iter().any(|source| source.reads_this_file)
    }
}

impl fmt::Display for MergedVerdict {
    /// `numpy2 (floor 2.0), settled by the scan of its binaries; ...disagreements`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.fact.keyword())?;
        if let Some(floor) = self.fact.floor() {
            write!(f, " (floor {floor})")?;
        }
        write!(f, ", settled by {}", self.settling_source().label())?;
        for disagreement in &self.disagreements {
            write!(f, "; {disagreement}")?;
        }
        Ok(())
    }
}

/// Merges what every source says about one wheel (see the module docs for the rules);
/// `None` when no source decided anything.
pub fn merge_verdicts(sources: Vec<SourceVerdict>) -> Option<MergedVerdict> {
    let settled_by = sources
        .iter()
        .enumerate()
        .filter(|(_, source)| family(&source.fact).is_some())
        // The first of the strongest: `max_by` keeps the last of equals, so compare reversed
        // positions as the tie-break.
        .max_by(|(a_at, a), (b_at, b)| a.strength().cmp(&b.strength()).then(b_at.cmp(a_at)))
        .map(|(at, _)| at)?;
    let settled = family(&sources[settled_by].fact);
    let agreeing = || {
        sources
            .iter()
            .enumerate()
            .filter(move |(_, source)| family(&source.fact) == settled)
    };
    // The settling source first, so that it is named when another only repeats its floor.
    let mut floor: Option<(Version, usize)> = sources[settled_by]
        .fact
        .floor()
        .map(|floor| (floor.clone(), settled_by));
    for (at, source) in agreeing() {
        if let Some(candidate) = source.fact.floor()
            && floor.as_ref().is_none_or(|(best, _)| candidate > best)
        {
            floor = Some((candidate.clone(), at));
        }
    }
    let fact = match settled {
        Some(1) => {
            let loud =
                agreeing().any(|(_, source)| matches!(source.fact, BuildFact::Numpy1 { .. }));
            if loud {
                BuildFact::Numpy1 {
                    floor: floor.as_ref().map(|(floor, _)| floor.clone()),
                }
            } else {
                sources[settled_by].fact.clone()
            }
        }
        Some(2) => BuildFact::Numpy2 {
            floor: floor.as_ref().map(|(floor, _)| floor.clone()),
        },
        _ => BuildFact::NoCapi,
    };
    let settling_label = sources[settled_by].label();
    let why = if sources[settled_by].reads_this_file {
        "it read this wheel's binaries"
    } else {
        "it is the newer evidence"
    };
    let disagreements = sources
        .iter()
        .filter(|source| family(&source.fact).is_some_and(|other| Some(other) != settled))
        .map(|source| {
            format!(
                "{} says {} but {} says {}; {settling_label} is taken ({why})",
                source.label(),
                source.fact,
                settling_label,
                sources[settled_by].fact
            )
        })
        .collect();
    let floor_from = floor.map(|(_, at)| at);
    Some(MergedVerdict {
        fact,
        sources,
        settled_by,
        floor_from,
        disagreements,
    })
}

#[cfg(test)]
mod tests {
    use std::str::FromStr;

    use super::*;

    fn v(text: &str) -> Version {
        Version::from_str(text).expect("valid version")
    }

    fn curated(fact: BuildFact, date: &str) -> SourceVerdict {
        SourceVerdict {
            kind: SourceKind::Curated {
                line: 7,
                source: "https://example.org/notes".to_string(),
            },
            fact,
            reads_this_file: false,
            date: Some(date.to_string()),
            evidence: "source: https://example.org/notes".to_string(),
        }
    }

    fn scan(fact: BuildFact) -> SourceVerdict {
        SourceVerdict::binaries(
            SourceKind::Scan,
            fact,
            Some("2026-12-01".to_string()),
            "NumPy 2.x headers in `demo/_ext.so` (NPY_TARGET_VERSION 2.0)".to_string(),
        )
    }

    #[test]
    fn a_curated_fact_without_a_floor_keeps_the_floor_the_binaries_show() {
        let merged = merge_verdicts(vec![
            curated(BuildFact::Numpy2 { floor: None }, "2026-11-23"),
            scan(BuildFact::Numpy2 {
                floor: Some(v("2.0")),
            }),
        ])
        .expect("decided");
        assert_eq!(
            merged.fact,
            BuildFact::Numpy2 {
                floor: Some(v("2.0"))
            }
        );
        assert!(merged.disagreements.is_empty());
        assert_eq!(merged.floor_from, Some(1));
    }

    #[test]
    fn the_strictest_floor_of_the_agreeing_sources_wins() {
        let merged = merge_verdicts(vec![
            curated(
                BuildFact::Numpy1 {
                    floor: Some(v("1.23")),
                },
                "2026-11-23",
            ),
            scan(BuildFact::Numpy1 {
                floor: Some(v("1.20")),
            }),
        ])
        .expect("decided");
        assert_eq!(
            merged.fact,
            BuildFact::Numpy1 {
                floor: Some(v("1.23"))
            }
        );
        assert_eq!(merged.settled_by, 1, "the binaries settle the major");
        assert_eq!(merged.floor_from, Some(0));
        assert!(
            merged
                .evidence()
                .contains("floor 1.23 from the curated fact")
        );
    }

    #[test]
    fn the_binaries_settle_a_disagreement_on_the_major_and_it_is_reported() {
        let merged = merge_verdicts(vec![
            curated(BuildFact::NoCapi, "2026-11-23"),
            scan(BuildFact::Numpy1 {
                floor: Some(v("1.16")),
            }),
        ])
        .expect("decided");
        assert_eq!(
            merged.fact,
            BuildFact::Numpy1 {
                floor: Some(v("1.16"))
            }
        );
        assert_eq!(merged.disagreements.len(), 1);
        assert!(
            merged.disagreements[0].contains("the curated fact (data/numpy-abi.toml line 7)"),
            "{:?}",
            merged.disagreements
        );
        assert!(
            merged
                .to_string()
                .starts_with("numpy1 (floor 1.16), settled by the scan")
        );
    }

    #[test]
    fn between_curated_facts_alone_the_newer_wins() {
        let merged = merge_verdicts(vec![
            curated(BuildFact::Numpy1 { floor: None }, "2025-01-01"),
            curated(BuildFact::Numpy2 { floor: None }, "2026-11-23"),
        ])
        .expect("decided");
        assert_eq!(merged.fact, BuildFact::Numpy2 { floor: None });
        assert_eq!(merged.settled_by, 1);
    }

    #[test]
    fn a_loud_numpy1_source_makes_a_silent_one_loud() {
        let silent = BuildFact::Numpy1Silent {
            binding: "pybind11 < 2.12".to_string(),
        };
        let merged = merge_verdicts(vec![
            curated(silent.clone(), "2026-11-23"),
            scan(BuildFact::Numpy1 {
                floor: Some(v("1.23")),
            }),
        ])
        .expect("decided");
        assert_eq!(
            merged.fact,
            BuildFact::Numpy1 {
                floor: Some(v("1.23"))
            }
        );
        assert!(merged.disagreements.is_empty());
        let alone = merge_verdicts(vec![curated(silent.clone(), "2026-11-23")]).expect("decided");
        assert_eq!(alone.fact, silent);
    }

    #[test]
    fn undecided_sources_say_nothing() {
        assert_eq!(merge_verdicts(vec![scan(BuildFact::Unknown)]), None);
        let merged = merge_verdicts(vec![
            scan(BuildFact::Unknown),
            curated(BuildFact::Numpy2 { floor: None }, "2026-11-23"),
        ])
        .expect("decided");
        assert_eq!(merged.settled_by, 1);
        assert!(merged.disagreements.is_empty());
    }

    #[test]
    fn a_curated_probe_of_this_very_file_reads_its_binaries() {
        let text = r#"schema = 1
[[entry]]
package = "demo"
versions = "<=1.0"
fact = "numpy1"
source = "probe of demo-0.9-cp311-cp311-manylinux_2_17_x86_64.whl, demo-1.0-cp311-cp311-manylinux_2_17_x86_64.whl; https://example.org"
checked = 2026-11-23
"#;
        let facts = crate::Facts::parse(text, "facts.toml").expect("valid");
        let entry = facts.iter().next().expect("one entry");
        let same = SourceVerdict::curated(
            entry,
            Some("demo-1.0-cp311-cp311-manylinux_2_17_x86_64.whl"),
        );
        assert!(same.reads_this_file);
        let sibling = SourceVerdict::curated(entry, Some("demo-1.0-cp312-cp312-win_amd64.whl"));
        assert!(!sibling.reads_this_file);
    }
}
