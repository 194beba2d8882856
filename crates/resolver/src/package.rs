//! The packages PubGrub reasons about: the root, real distributions and extras.

use std::fmt;

use pep508_rs::{ExtraName, PackageName};

/// A node in the PubGrub graph.
///
/// Python concepts map onto PubGrub packages the way uv maps them: the user's
/// requirements hang off [`PubPackage::Root`], and an extra is a proxy package that
/// depends on its base distribution at exactly the same version, so choosing
/// `pandas[performance]==2.2.2` forces `pandas==2.2.2`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum PubPackage {
    /// The user's requirements.
    Root,
    /// A distribution on the index.
    Dist(PackageName),
    /// An extra of a distribution, pinned to the distribution's version.
    Extra(PackageName, ExtraName),
}

impl PubPackage {
    /// The distribution this node stands for, if any.
    pub fn name(&self) -> Option<&PackageName> {
        match self {
            PubPackage::Root => None,
            PubPackage::Dist(name) | PubPackage::Extra(name, _) => Some(name),
        }
    }
}

impl fmt::Display for PubPackage {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PubPackage::Root => f.write_str("your requirements"),
            PubPackage::Dist(name) => write!(f, "{name}"),
            PubPackage::Extra(name, extra) => write!(f, "{name}[{extra}]"),
        }
    }
}
