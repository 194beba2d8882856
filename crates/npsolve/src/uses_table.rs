//! The bundled table of Python-API readings (`data/python-api-uses.tsv`): the uses of removed
//! names in popular wheels, read by `npsolve scan --api` and keyed by sha256 (a file's bytes
//! never change), so a cold resolution of a common stack reads no sources. The table names
//! the facts' fingerprint it was made with; when the facts have changed since, it is not
//! used (a test keeps the two in step).

use std::collections::HashMap;
use std::sync::OnceLock;

use npsolve_api_breaks::Removals;

use crate::wheel_uses::{WheelUse, WheelUses, facts_fingerprint};

/// The bundled table.
const BUNDLED: &str = include_str!("../../../data/python-api-uses.tsv");

/// Readings by sha256.
#[derive(Debug, Default)]
pub struct UsesTable {
    /// The facts' fingerprint the table was made with.
    fingerprint: String,
    readings: HashMap<String, WheelUses>,
}

impl UsesTable {
    /// The bundled table, parsed once; empty when it was made with other facts.
    pub fn bundled() -> &'static UsesTable {
        static TABLE: OnceLock<UsesTable> = OnceLock::new();
        TABLE.get_or_init(|| {
            let removals = Removals::bundled();
            let table = UsesTable::parse(BUNDLED, removals);
            if table.fingerprint == facts_fingerprint(removals) {
                table
            } else {
                UsesTable::default()
            }
        })
    }

    /// Parses a table: `# facts: FINGERPRINT`, then a header and one row per use (or one
    /// row with `-` for a wheel with none): `file sha256 complete member line module name
    /// import_time guarded text`. Rows that name a removal the facts lack are skipped.
    pub fn parse(text: &str, removals: &'static Removals) -> UsesTable {
        let mut table = UsesTable::default();
        for line in text.lines() {
            if let Some(fingerprint) = line.strip_prefix("# facts: ") {
                table.fingerprint = fingerprint.trim().to_string();
                continue;
            }
            if line.starts_with('#') || line.starts_with("file\t") || line.is_empty() {
                continue;
            }
            let fields: Vec<&str> = line.splitn(10, '\t').collect();
            let [
                _,
                sha256,
                complete,
                member,
                number,
                module,
                name,
                import_time,
                guarded,
                text,
            ] = fields[..]
            else {
                continue;
            };
            let entry = table
                .readings
                .entry(sha256.to_ascii_lowercase())
                .or_insert_with(|| WheelUses {
                    uses: Vec::new(),
                    complete: complete == "true",
                });
            if member == "-" {
                continue;
            }
            let (Some(removal), Ok(line), Ok(import_time), Ok(guarded)) = (
                removals.lookup(module, name),
                number.parse(),
                import_time.parse(),
                guarded.parse(),
            ) else {
                continue;
            };
            entry.uses.push(WheelUse {
                file: member.to_string(),
                line,
                text: text.to_string(),
                removal,
                import_time,
                guarded,
            });
        }
        table
    }

    /// The reading of the file with this sha256, if the table holds it.
    pub fn by_sha256(&self, sha256: &str) -> Option<WheelUses> {
        self.readings.get(&sha256.to_ascii_lowercase()).cloned()
    }

    /// How many wheels the table holds.
    pub fn len(&self) -> usize {
        self.readings.len()
    }

    /// Whether it holds none.
    pub fn is_empty(&self) -> bool {
        self.readings.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_bundled_table_was_made_with_the_bundled_facts() {
        let removals = Removals::bundled();
        let table = UsesTable::parse(BUNDLED, removals);
        assert_eq!(
            table.fingerprint,
            facts_fingerprint(removals),
            "data/python-api-uses.tsv was made with other facts: regenerate it (data/python-api-uses.sh)"
        );
        assert!(!UsesTable::bundled().is_empty());
    }

    #[test]
    fn rows_become_readings() {
        let text = "# facts: x\nfile\tsha256\tcomplete\tmember\tline\tmodule\tname\timport_time\tguarded\ttext\n\
            a.whl\tAA\ttrue\t-\t-\t-\t-\t-\t-\t-\n\
            b.whl\tbb\tfalse\tb/m.py\t20\tscipy.linalg\ttriu\ttrue\tfalse\ttriu\n";
        let table = UsesTable::parse(text, Removals::bundled());
        assert_eq!(table.len(), 2);
        let none = table.by_sha256("aa").expect("a");
        assert!(none.uses.is_empty() && none.complete);
        let some = table.by_sha256("BB").expect("b");
        assert!(!some.complete);
        assert_eq!(some.uses[0].removal.path(), "scipy.linalg.triu");
        assert_eq!(some.uses[0].line, 20);
    }
}
