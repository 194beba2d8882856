//! Which distribution owns a top-level module, when no environment is at hand.

use pep508_rs::PackageName;

/// Import names that differ from their distribution's name, for packages with
/// compiled NumPy code (from each project's own install instructions).
const IMPORT_NAMES: &[(&str, &str)] = &[
    ("sklearn", "scikit-learn"),
    ("skimage", "scikit-image"),
    ("cv2", "opencv-python"),
    ("PIL", "pillow"),
    ("tables", "tables"),
    ("pywt", "pywavelets"),
    ("erfa", "pyerfa"),
    ("netCDF4", "netcdf4"),
    ("Bio", "biopython"),
    ("faiss", "faiss-cpu"),
    ("osgeo", "gdal"),
    ("torch", "torch"),
    ("quaternion", "numpy-quaternion"),
];

/// The distribution most likely to own the top-level module `module`: a known import
/// name, else the module name itself (normalised per PEP 503).
pub fn distribution_for_module(module: &str) -> Option<PackageName> {
    let top = module.split('.').next().unwrap_or(module);
    let name = IMPORT_NAMES
        .iter()
        .find(|(import, _)| *import == top)
        .map_or(top, |(_, distribution)| distribution);
    PackageName::new(name.to_string()).ok()
}
