//! Uses of removed names in one Python source file, found with a real Python parser
//! (tree-sitter-python), never by running it.
//!
//! * `from numpy import float_` and `from scipy.misc import face` are uses at the import;
//!   `import scipy.misc` is a use of the removed module.
//! * `np.float_`, `numpy.linalg.linalg.norm` and `si.simps` are uses through the module
//!   aliases the file binds (`import numpy as np`, `import scipy.integrate as si`, `from
//!   scipy import integrate`), wherever the file binds them.
//! * A use runs at import time unless it sits in the body of a function or a lambda: module
//!   level, class bodies, decorators, default arguments and annotations all run on import. A
//!   local variable's annotation never runs, nor does any annotation under `from __future__
//!   import annotations`.
//! * A use is guarded when a failure cannot escape: inside a `try` whose handlers catch
//!   `ImportError`, `AttributeError` (or `Exception`, or everything) or in such a handler,
//!   inside an `if` (or a conditional expression) that tests `hasattr(...)` or a version, or
//!   under `if TYPE_CHECKING:`, which never runs.

use std::collections::HashMap;

use tree_sitter::{Node, Parser};

use crate::facts::{Removal, Removals};

/// The file could not be parsed at all.
#[derive(Debug, thiserror::Error)]
#[error("cannot parse Python source: {0}")]
pub struct ScanError(String);

/// One use of a removed name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Use<'r> {
    /// The removal it uses.
    pub removal: &'r Removal,
    /// As written, e.g. `np.float_`.
    pub text: String,
    /// 1-based line.
    pub line: usize,
    /// 1-based column.
    pub column: usize,
    /// Whether it runs when the module is imported (else only when a function is called).
    pub import_time: bool,
    /// Whether a `try`, `hasattr` or version check keeps its failure in.
    pub guarded: bool,
}

/// Every use of a name in `removals` in `source`, in source order.
pub fn scan_source<'r>(source: &[u8], removals: &'r Removals) -> Result<Vec<Use<'r>>, ScanError> {
    let mut parser = Parser::new();
    parser
        .set_language(&tree_sitter_python::LANGUAGE.into())
        .map_err(|error| ScanError(error.to_string()))?;
    let tree = parser
        .parse(source, None)
        .ok_or_else(|| ScanError("the parser gave no tree".to_string()))?;
    let libraries = removals.libraries();
    let mut scanner = Scanner {
        source,
        removals,
        libraries,
        aliases: HashMap::new(),
        lazy_annotations: lazy_annotations(source),
        uses: Vec::new(),
    };
    scanner.bind_aliases(tree.root_node());
    scanner.walk(tree.root_node(), false, false);
    scanner.uses.sort_by_key(|found| (found.line, found.column));
    Ok(scanner.uses)
}

struct Scanner<'s, 'r> {
    source: &'s [u8],
    removals: &'r Removals,
    libraries: Vec<&'r str>,
    /// Local name → the module it stands for (`np` → `numpy`).
    aliases: HashMap<String, String>,
    /// `from __future__ import annotations`: no annotation is evaluated.
    lazy_annotations: bool,
    uses: Vec<Use<'r>>,
}

impl<'r> Scanner<'_, 'r> {
    fn text(&self, node: Node<'_>) -> String {
        node.utf8_text(self.source).unwrap_or_default().to_string()
    }

    fn ours(&self, module: &str) -> bool {
        let root = module.split('.').next().unwrap_or(module);
        self.libraries.contains(&root)
    }

    /// Records the module aliases every import in the file binds.
    fn bind_aliases(&mut self, node: Node<'_>) {
        match node.kind() {
            "import_statement" => {
                let mut cursor = node.walk();
                for child in node.named_children(&mut cursor) {
                    match child.kind() {
                        "dotted_name" => {
                            let module = self.text(child);
                            if self.ours(&module) {
                                let root = module.split('.').next().unwrap_or(&module).to_string();
                                self.aliases.insert(root.clone(), root);
                            }
                        }
                        "aliased_import" => {
                            if let (Some(name), Some(alias)) = (
                                child.child_by_field_name("name"),
                                child.child_by_field_name("alias"),
                            ) {
                                let module = self.text(name);
                                if self.ours(&module) {
                                    self.aliases.insert(self.text(alias), module);
                                }
                            }
                        }
                        _ => {}
                    }
                }
            }
            "import_from_statement" => {
                let Some(module) = node.child_by_field_name("module_name") else {
                    return;
                };
                let module = self.text(module);
                if !self.ours(&module) {
                    return;
                }
                // `from scipy import integrate`: a submodule alias (a plain name imported
                // this way is reported at the import and needs no alias).
                let mut cursor = node.walk();
                for child in node.children_by_field_name("name", &mut cursor) {
                    let (name, local) = match child.kind() {
                        "aliased_import" => (
                            child.child_by_field_name("name").map(|n| self.text(n)),
                            child.child_by_field_name("alias").map(|n| self.text(n)),
                        ),
                        _ => (Some(self.text(child)), Some(self.text(child))),
                    };
                    if let (Some(name), Some(local)) = (name, local) {
                        self.aliases.insert(local, format!("{module}.{name}"));
                    }
                }
            }
            _ => {
                let mut cursor = node.walk();
                for child in node.named_children(&mut cursor) {
                    self.bind_aliases(child);
                }
            }
        }
    }

    fn record(&mut self, node: Node<'_>, removal: &'r Removal, in_function: bool, guarded: bool) {
        let start = node.start_position();
        self.uses.push(Use {
            removal,
            text: self.text(node),
            line: start.row + 1,
            column: start.column + 1,
            import_time: !in_function,
            guarded,
        });
    }

    fn walk(&mut self, node: Node<'_>, in_function: bool, guarded: bool) {
        match node.kind() {
            "import_from_statement" => {
                let Some(module) = node.child_by_field_name("module_name") else {
                    return;
                };
                let module = self.text(module);
                if !self.ours(&module) {
                    return;
                }
                if let Some(removal) = self.removals.module_removal(&module) {
                    self.record(node, removal, in_function, guarded);
                    return;
                }
                let mut cursor = node.walk();
                let names: Vec<Node<'_>> =
                    node.children_by_field_name("name", &mut cursor).collect();
                for child in names {
                    let name_node = match child.kind() {
                        "aliased_import" => child.child_by_field_name("name"),
                        _ => Some(child),
                    };
                    // `from scipy import misc` imports a removed module as a name.
                    if let Some(name_node) = name_node
                        && let Some(removal) = self
                            .removals
                            .lookup(&module, &self.text(name_node))
                            .or_else(|| {
                                self.removals
                                    .module_removal(&format!("{module}.{}", self.text(name_node)))
                            })
                    {
                        self.record(child, removal, in_function, guarded);
                    }
                }
            }
            "import_statement" => {
                let mut cursor = node.walk();
                let children: Vec<Node<'_>> = node.named_children(&mut cursor).collect();
                for child in children {
                    let name = match child.kind() {
                        "aliased_import" => child.child_by_field_name("name"),
                        "dotted_name" => Some(child),
                        _ => None,
                    };
                    if let Some(name) = name
                        && let Some(removal) = self.removals.module_removal(&self.text(name))
                    {
                        self.record(child, removal, in_function, guarded);
                    }
                }
            }
            "attribute" => {
                // The outermost attribute of a chain is looked at once, whole.
                if let Some(removal) = self.attribute_removal(node) {
                    self.record(node, removal, in_function, guarded);
                    return;
                }
                self.walk_children(node, in_function, guarded);
            }
            "function_definition" | "lambda" => {
                let body = node.child_by_field_name("body");
                let returns = node.child_by_field_name("return_type");
                let mut cursor = node.walk();
                let children: Vec<Node<'_>> = node.named_children(&mut cursor).collect();
                for child in children {
                    if Some(child) == returns && self.lazy_annotations {
                        continue;
                    }
                    let inside = in_function || Some(child) == body;
                    self.walk(child, inside, guarded);
                }
            }
            "typed_parameter" | "typed_default_parameter" if self.lazy_annotations => {
                let annotation = node.child_by_field_name("type");
                let mut cursor = node.walk();
                let children: Vec<Node<'_>> = node.named_children(&mut cursor).collect();
                for child in children
                    .into_iter()
                    .filter(|child| Some(*child) != annotation)
                {
                    self.walk(child, in_function, guarded);
                }
            }
            "try_statement" => {
                let catches = self.try_catches_failures(node);
                let body = node.child_by_field_name("body");
                let mut cursor = node.walk();
                let children: Vec<Node<'_>> = node.named_children(&mut cursor).collect();
                for child in children {
                    // The body is shielded; so is a handler that catches the failure: it
                    // is the fallback that runs only when the body's name was missing.
                    let fallback = child.kind() == "except_clause" && catches_failure(self, child);
                    let shielded = guarded || (catches && Some(child) == body) || fallback;
                    self.walk(child, in_function, shielded);
                }
            }
            "assignment" => {
                // `numpy.Inf = numpy.inf` writes the name (a shim): only the right side and
                // the subscripts of the left are reads.
                let left = node.child_by_field_name("left");
                // A local variable's annotation is never evaluated; any annotation is not
                // under `from __future__ import annotations`.
                let annotation = node.child_by_field_name("type");
                let mut cursor = node.walk();
                let children: Vec<Node<'_>> = node.named_children(&mut cursor).collect();
                for child in children {
                    if Some(child) == annotation && (in_function || self.lazy_annotations) {
                        continue;
                    }
                    if Some(child) == left && child.kind() == "attribute" {
                        if let Some(object) = child.child_by_field_name("object") {
                            self.walk_object(object, in_function, guarded);
                        }
                        continue;
                    }
                    self.walk(child, in_function, guarded);
                }
            }
            "if_statement" | "conditional_expression" => {
                // `a if check(np.__version__) else b` has no field names: its condition is
                // the second expression.
                let condition = match node.kind() {
                    "if_statement" => node.child_by_field_name("condition"),
                    _ => node.named_child(1),
                }
                .map(|condition| self.text(condition))
                .unwrap_or_default();
                // `if TYPE_CHECKING:` never runs: what it imports is for type checkers.
                let checks = condition.contains("hasattr(")
                    || condition.contains("version")
                    || condition.contains("__version__")
                    || condition.contains("TYPE_CHECKING");
                self.walk_children(node, in_function, guarded || checks);
            }
            _ => self.walk_children(node, in_function, guarded),
        }
    }

    /// The object of an attribute that is written (`a.b.c = ...`): `a.b` is read, unless it
    /// is itself only a module path.
    fn walk_object(&mut self, object: Node<'_>, in_function: bool, guarded: bool) {
        if object.kind() != "identifier" {
            self.walk(object, in_function, guarded);
        }
    }

    fn walk_children(&mut self, node: Node<'_>, in_function: bool, guarded: bool) {
        let mut cursor = node.walk();
        let children: Vec<Node<'_>> = node.named_children(&mut cursor).collect();
        for child in children {
            self.walk(child, in_function, guarded);
        }
    }

    /// The removal an attribute chain (`np.float_`, `numpy.linalg.linalg.norm`) reaches
    /// through a module alias, if any.
    fn attribute_removal(&self, node: Node<'_>) -> Option<&'r Removal> {
        let mut parts = Vec::new();
        let mut at = node;
        loop {
            match at.kind() {
                "attribute" => {
                    parts.push(self.text(at.child_by_field_name("attribute")?));
                    at = at.child_by_field_name("object")?;
                }
                "identifier" => {
                    parts.push(self.text(at));
                    break;
                }
                _ => return None,
            }
        }
        parts.reverse();
        let module = self.aliases.get(&parts[0])?;
        let mut path = module.clone();
        for name in &parts[1..] {
            if let Some(removal) = self.removals.lookup(&path, name) {
                return Some(removal);
            }
            path = format!("{path}.{name}");
        }
        None
    }

    /// Whether a handler of this `try` catches what a removed name raises (`ImportError`,
    /// `ModuleNotFoundError`, `AttributeError`, `Exception`, `BaseException`, or a bare
    /// `except:`).
    fn try_catches_failures(&self, node: Node<'_>) -> bool {
        let mut cursor = node.walk();
        let clauses: Vec<Node<'_>> = node
            .named_children(&mut cursor)
            .filter(|child| child.kind() == "except_clause")
            .collect();
        clauses.iter().any(|clause| catches_failure(self, *clause))
    }
}

/// Whether the file turns on postponed evaluation of annotations (PEP 563).
fn lazy_annotations(source: &[u8]) -> bool {
    source.split(|byte| *byte == b'\n').any(|line| {
        line.starts_with(b"from __future__ import")
            && line.windows(11).any(|window| window == b"annotations")
    })
}

/// Whether one `except` clause catches what a removed name raises.
fn catches_failure(scanner: &Scanner<'_, '_>, clause: Node<'_>) -> bool {
    let mut cursor = clause.walk();
    let caught: Vec<String> = clause
        .named_children(&mut cursor)
        .filter(|child| !matches!(child.kind(), "block" | "comment"))
        .map(|child| scanner.text(child))
        .collect();
    caught.is_empty()
        || caught.iter().any(|text| {
            [
                "ImportError",
                "ModuleNotFoundError",
                "AttributeError",
                "Exception",
                "BaseException",
            ]
            .iter()
            .any(|name| text.contains(name))
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn uses(source: &str) -> Vec<(String, usize, bool, bool)> {
        scan_source(source.as_bytes(), Removals::bundled())
            .expect("parses")
            .into_iter()
            .map(|found| (found.text, found.line, found.import_time, found.guarded))
            .collect()
    }

    #[test]
    fn attribute_uses_through_aliases_are_found_and_timed() {
        let source = r#"import numpy as np
from scipy import integrate
import scipy.linalg as sl

DEFAULT = np.float_

class Grid:
    dtype = np.NaN

def area(y, x=np.cast):
    return integrate.simps(y) + sl.tri(3).sum() + np.float64(1)

@np.deprecate
def old():
    pass

f = lambda a: np.product(a)
"#;
        assert_eq!(
            uses(source),
            [
                ("np.float_".to_string(), 5, true, false),
                ("np.NaN".to_string(), 8, true, false),
                ("np.cast".to_string(), 10, true, false),
                ("integrate.simps".to_string(), 11, false, false),
                ("sl.tri".to_string(), 11, false, false),
                ("np.deprecate".to_string(), 13, true, false),
                ("np.product".to_string(), 17, false, false),
            ]
        );
    }

    #[test]
    fn imports_of_removed_names_and_modules_are_uses() {
        let source = "from numpy import float_, int64\nfrom scipy.integrate import cumtrapz as ct\nimport scipy.misc\nfrom scipy.misc import face\nfrom scipy import misc, stats\n";
        let found: Vec<String> = uses(source).into_iter().map(|found| found.0).collect();
        assert_eq!(
            found,
            [
                "float_",
                "cumtrapz as ct",
                "scipy.misc",
                "from scipy.misc import face\n".trim_end(),
                "misc",
            ]
        );
    }

    #[test]
    fn guarded_uses_are_marked() {
        let source = r#"import numpy as np
try:
    from numpy import trapz
except ImportError:
    from numpy import trapezoid as trapz

try:
    BOOL = np.bool8
except (AttributeError, TypeError):
    BOOL = np.bool_

if hasattr(np, "in1d"):
    isin = np.in1d

if np.__version__ >= "2":
    pass
else:
    x = np.float_

try:
    y = np.NaN
except ValueError:
    y = 0
"#;
        assert_eq!(
            uses(source),
            [
                ("trapz".to_string(), 3, true, true),
                ("np.bool8".to_string(), 8, true, true),
                ("np.in1d".to_string(), 13, true, true),
                ("np.float_".to_string(), 18, true, true),
                ("np.NaN".to_string(), 21, true, false),
            ]
        );
    }

    #[test]
    fn shims_fallbacks_and_version_conditional_expressions_are_safe() {
        // A shim writes the name; a bare `except:` handler is the fallback for a missing
        // newer name; a conditional expression on the version picks one name.
        let source = r#"import numpy
import numpy as np
numpy.Inf = numpy.inf
try:
    from numpy import trapezoid
except:
    # numpy<2: a comment in the handler is not what it catches
    from numpy import trapz as trapezoid
area = np.trapezoid if check_version(np.__version__, ">=2.0") else np.trapz
ratio = np.float_(1) if old else 2
if TYPE_CHECKING:
    from pandas.core.internals import ArrayManager
"#;
        assert_eq!(
            uses(source),
            [
                ("trapz as trapezoid".to_string(), 8, true, true),
                ("np.trapz".to_string(), 9, true, true),
                ("np.float_".to_string(), 10, true, false),
                ("ArrayManager".to_string(), 12, true, true),
            ]
        );
    }

    #[test]
    fn postponed_annotations_are_not_evaluated() {
        let source = "from __future__ import annotations\nimport numpy as np\n\nclass A:\n    x: np.float_\n\ndef f(a: np.float_ = 1) -> np.float_:\n    return a\n\nY = np.float_\n";
        assert_eq!(uses(source), [("np.float_".to_string(), 10, true, false)]);
        // Without the import, the class annotation and the signature run on import.
        let eager = source.replacen("from __future__ import annotations\n", "\n", 1);
        assert_eq!(uses(&eager).len(), 4);
    }

    #[test]
    fn names_that_only_look_alike_are_not_uses() {
        // No alias binds `np` here, `float_` is a local name, and strings are not uses.
        let source = "np = object()\nx = np.float_\nfloat_ = 1\ny = getattr(__import__('numpy'), 'float_', float)\n";
        assert!(uses(source).is_empty());
    }
}
