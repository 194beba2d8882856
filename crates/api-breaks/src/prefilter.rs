//! The cheap test before parsing: whether a source file could use a removed name at all.
//! Most files of a numpy-dependent package mention numpy and use none of the removed names;
//! parsing costs far more than one multi-pattern search, so only files that pass are parsed.
//!
//! A file passes when it holds, outside any identifier:
//! * `X.N` for a name `N` removed from module `M`, where a line of the file imports `X`
//!   and names `M`'s library (`import numpy as np` for `np.float_`), and `X` stands for
//!   `M` itself or its library (`scipy.integrate.simps`, `si.simps`);
//! * `N` in a `from M import` statement for a name `N` removed from module `M` (on its
//!   line, a `\` continuation, or inside its parentheses);
//! * the path of a removed module (`scipy.misc`).
//!
//! It never rejects a file the scanner would find a use in; it may pass files that have
//! none (`.str` in a pandas accessor, `int` in a docstring beside `from numpy import`).

use std::collections::HashMap;

use aho_corasick::AhoCorasick;

use crate::facts::Removals;

/// What a pattern stands for.
#[derive(Debug)]
enum Needle {
    /// A removed name, with each module it was removed from and the index in `imports` of
    /// that module's `from M import`.
    Name(Vec<(usize, String)>),
    /// The path of a removed module.
    Module,
}

/// The patterns of every removal, compiled once.
#[derive(Debug)]
pub struct Prefilter {
    matcher: AhoCorasick,
    needles: Vec<Needle>,
    /// The `from M import` texts, by index.
    imports: AhoCorasick,
}

fn is_identifier_byte(byte: u8) -> bool {
    byte.is_ascii_alphanumeric() || byte == b'_' || byte >= 0x80
}

impl Prefilter {
    /// The prefilter for `removals`.
    pub fn new(removals: &Removals) -> Prefilter {
        let mut patterns: Vec<String> = Vec::new();
        let mut needles = Vec::new();
        let mut imports: Vec<String> = Vec::new();
        for removal in removals.all() {
            if removal.name == "*" {
                patterns.push(removal.module.clone());
                needles.push(Needle::Module);
            }
            // A whole module is also a name of its parent (`from scipy import misc`).
            let (module, name) = match removal.name.as_str() {
                "*" => match removal.module.rsplit_once('.') {
                    Some((parent, last)) => (parent, last),
                    None => continue,
                },
                name => (removal.module.as_str(), name),
            };
            let import = format!("from {module} import");
            let import_index = match imports.iter().position(|known| *known == import) {
                Some(index) => index,
                None => {
                    imports.push(import);
                    imports.len() - 1
                }
            };
            let entry = (import_index, module.to_string());
            match patterns.iter().position(|known| known == name) {
                Some(index) => {
                    if let Needle::Name(modules) = &mut needles[index] {
                        modules.push(entry);
                    }
                }
                None => {
                    patterns.push(name.to_string());
                    needles.push(Needle::Name(vec![entry]));
                }
            }
        }
        let compile = |patterns: &[String]| match AhoCorasick::new(patterns) {
            Ok(matcher) => matcher,
            Err(error) => unreachable!("removal names are short literals: {error}"),
        };
        Prefilter {
            matcher: compile(&patterns),
            needles,
            imports: compile(&imports),
        }
    }

    /// Whether `source` could use a removed name (see the module's rules).
    pub fn might_use(&self, source: &[u8]) -> bool {
        // What `attribute_reaches` answered, by chain and module: a file repeats its chains.
        let mut reached: HashMap<(&[u8], &str), bool> = HashMap::new();
        // Where the file's `from M import` texts end, found once, when first needed.
        let mut imports_seen: Option<Vec<(usize, usize)>> = None;
        for found in self.matcher.find_overlapping_iter(source) {
            let before = found.start().checked_sub(1).map(|at| source[at]);
            let after = source.get(found.end()).copied();
            if before.is_some_and(is_identifier_byte) || after.is_some_and(is_identifier_byte) {
                continue;
            }
            match &self.needles[found.pattern().as_usize()] {
                Needle::Module => return true,
                Needle::Name(modules) if before == Some(b'.') => {
                    let chain = chain_before(source, found.start() - 1);
                    if modules.iter().any(|(_, module)| {
                        *reached
                            .entry((chain, module.as_str()))
                            .or_insert_with(|| attribute_reaches(source, chain, module))
                    }) {
                        return true;
                    }
                }
                Needle::Name(modules) => {
                    let imports = imports_seen.get_or_insert_with(|| {
                        self.imports
                            .find_overlapping_iter(source)
                            .map(|import| (import.pattern().as_usize(), import.end()))
                            .collect()
                    });
                    let in_import = imports.iter().any(|(module, end)| {
                        modules.iter().any(|(import, _)| import == module)
                            && *end <= found.start()
                            && same_statement(&source[*end..found.start()])
                    });
                    if in_import {
                        return true;
                    }
                }
            }
        }
        false
    }
}

/// The dotted chain of identifiers that ends just before the `.` at `dot` (`np.linalg` in
/// `np.linalg.linalg`).
fn chain_before(source: &[u8], dot: usize) -> &[u8] {
    let start = source[..dot]
        .iter()
        .rposition(|byte| !(is_identifier_byte(*byte) || *byte == b'.'))
        .map_or(0, |at| at + 1);
    &source[start..dot]
}

/// Whether `chain.N` can reach a name of `module` the way the scanner resolves aliases:
/// `np.N` for a name of `numpy` when a line binds `np` and names numpy, `scipy.integrate.N`
/// for a name of `scipy.integrate`, or `si.N` when the line binding `si` names the
/// submodule.
fn attribute_reaches(source: &[u8], chain: &[u8], module: &str) -> bool {
    let (root, tail) = module.split_once('.').unwrap_or((module, ""));
    let (first, rest) = match chain.iter().position(|byte| *byte == b'.') {
        Some(at) => (&chain[..at], &chain[at + 1..]),
        None => (chain, &b""[..]),
    };
    if first.is_empty() {
        return false;
    }
    let submodule = tail.rsplit('.').next().unwrap_or(tail);
    match (rest.is_empty(), tail.is_empty()) {
        (true, true) => binds(source, first, &[root]),
        (true, false) => binds(source, first, &[root, submodule]),
        (false, _) => rest == tail.as_bytes() && binds(source, first, &[root]),
    }
}

/// Whether a line of `source` binds `name` by an import (`import name`, `as name`) and holds
/// every text in `naming`.
fn binds(source: &[u8], name: &[u8], naming: &[&str]) -> bool {
    let line_of = |at: usize| {
        let start = memchr::memrchr(b'\n', &source[..at]).map_or(0, |newline| newline + 1);
        let end = memchr::memchr(b'\n', &source[at..]).map_or(source.len(), |newline| at + newline);
        &source[start..end]
    };
    memchr::memmem::find_iter(source, name).any(|at| {
        let before = source[..at].trim_ascii_end();
        let bound_here = before.ends_with(b"import")
            || before.ends_with(b" as")
            || before.ends_with(b",")
            || before.ends_with(b"(");
        let whole = at
            .checked_sub(1)
            .is_none_or(|before| !is_identifier_byte(source[before]))
            && source
                .get(at + name.len())
                .is_none_or(|next| !is_identifier_byte(*next));
        if !(bound_here && whole) {
            return false;
        }
        let line = line_of(at);
        memchr::memmem::find(line, b"import").is_some()
            && naming
                .iter()
                .all(|text| memchr::memmem::find(line, text.as_bytes()).is_some())
    })
}

/// Whether the text between `from M import` and a name keeps the name in that statement:
/// on the same line (or continued with `\`), or inside the statement's parentheses.
fn same_statement(between: &[u8]) -> bool {
    if between.contains(&b')') {
        return false;
    }
    if between.trim_ascii_start().starts_with(b"(") {
        return true;
    }
    between.iter().enumerate().all(|(at, byte)| {
        *byte != b'\n'
            || at
                .checked_sub(1)
                .is_some_and(|before| between[before] == b'\\')
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passes_the_files_with_uses_and_rejects_the_rest() {
        let filter = Prefilter::new(Removals::bundled());
        assert!(filter.might_use(b"import numpy as np\nx = np.float_\n"));
        assert!(filter.might_use(b"from scipy.linalg import get_blas_funcs, triu\n"));
        assert!(filter.might_use(b"from scipy.linalg import (\n    triu,\n)\n"));
        assert!(filter.might_use(b"import scipy.misc\n"));
        assert!(filter.might_use(b"from scipy import misc\n"));
        // float64 is not float_, triu without its import is another triu.
        assert!(!filter.might_use(b"import numpy as np\nx = np.float64(1)\n"));
        assert!(!filter.might_use(b"def triu(a):\n    return a\n"));
        assert!(filter.might_use(b"from numpy import ndarray, \\\n    float_\n"));
        // A builtin's name elsewhere in a file that imports from numpy is not an import.
        assert!(!filter.might_use(b"from numpy import ndarray\nColumn = Union[str, bytes]\n"));
        assert!(!filter.might_use(b"import numpy as np\ny = np.asarray([1])\n"));
        // An attribute of something that is not a library alias.
        assert!(!filter.might_use(b"import numpy as np\nsize = arr.nbytes\n"));
        assert!(!filter.might_use(b"import numpy as np\nimport pandas\npandas.compat\n"));
        assert!(!filter.might_use(b"import numpy as np\nn = np.linalg.norm\n"));
        assert!(filter.might_use(b"import numpy as np\nn = np.linalg.linalg.norm\n"));
        assert!(filter.might_use(b"import scipy.integrate as si\nsi.simps\n"));
        assert!(filter.might_use(b"from scipy import integrate\nintegrate.simps\n"));
        assert!(filter.might_use(b"import numpy\nnumpy.float_\n"));
    }
}
