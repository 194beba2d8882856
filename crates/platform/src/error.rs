//! Errors of this crate: one enum for targets, one for distribution filenames.

/// A target (Python version, platform or interpreter) that cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum PlatformError {
    /// A Python version that is not `X.Y` or `X.Y.Z` with small integers.
    #[error("invalid Python version `{0}`: expected `X.Y` or `X.Y.Z`, e.g. `3.12`")]
    InvalidPythonVersion(String),
    /// A platform name that is none of the accepted forms.
    #[error(
        "unknown platform `{0}`: expected `linux`, `macos`, `windows`, `ARCH-manylinux_2_Y`, \
         `ARCH-musllinux_1_Y`, `ARCH-unknown-linux-gnu`, `ARCH-unknown-linux-musl`, \
         `ARCH-apple-darwin[MAJOR.MINOR]`, `ARCH-macosx_MAJOR_MINOR` or `ARCH-pc-windows-msvc` \
         with ARCH one of x86_64, aarch64, i686, armv7l, ppc64le, s390x"
    )]
    UnknownPlatform(String),
    /// An architecture that the named operating system does not ship.
    #[error("architecture `{arch}` is not supported on `{os}`")]
    UnsupportedArch {
        /// The architecture.
        arch: String,
        /// The operating system family.
        os: String,
    },
    /// This machine's operating system or architecture has no wheel platform.
    #[error("cannot describe this machine as a wheel platform: {0}")]
    UnsupportedHost(String),
    /// The interpreter could not be started.
    #[error("failed to run the Python interpreter `{path}`")]
    InterpreterSpawn {
        /// The interpreter path as given.
        path: String,
        /// Why it did not start.
        #[source]
        source: std::io::Error,
    },
    /// The interpreter ran but failed or printed something unexpected.
    #[error("the Python interpreter `{path}` could not describe itself: {message}")]
    InterpreterOutput {
        /// The interpreter path as given.
        path: String,
        /// What went wrong (exit status, stderr or the unexpected output).
        message: String,
    },
    /// The interpreter is not CPython, whose tags and markers this crate models.
    #[error("the Python interpreter `{path}` is `{implementation}`; only CPython is supported")]
    UnsupportedInterpreter {
        /// The interpreter path as given.
        path: String,
        /// Its `sys.implementation.name`.
        implementation: String,
    },
}

/// A distribution filename that does not follow the wheel or sdist naming rules.
#[derive(Debug, thiserror::Error)]
pub enum FilenameError {
    /// Neither `.whl` nor a known source-archive extension.
    #[error("`{0}` is neither a wheel (`.whl`) nor a source distribution (`.tar.gz`, `.zip`, …)")]
    UnknownExtension(String),
    /// A wheel filename without exactly five or six dash-separated parts.
    #[error(
        "invalid wheel filename `{0}`: expected `{{name}}-{{version}}(-{{build}})?-{{python}}-{{abi}}-{{platform}}.whl`"
    )]
    WheelParts(String),
    /// The distribution name part is not a valid package name.
    #[error("invalid package name in `{filename}`")]
    InvalidName {
        /// The whole filename.
        filename: String,
        /// Why the name was rejected.
        #[source]
        source: pep508_rs::InvalidNameError,
    },
    /// The version part is not a PEP 440 version.
    #[error("invalid version `{version}` in `{filename}`")]
    InvalidVersion {
        /// The whole filename.
        filename: String,
        /// The version text.
        version: String,
        /// Why it was rejected.
        #[source]
        source: pep440_rs::VersionParseError,
    },
    /// A build tag that does not start with a digit (or is too large).
    #[error("invalid build tag `{build}` in `{filename}`: it must start with a digit")]
    InvalidBuildTag {
        /// The whole filename.
        filename: String,
        /// The build tag text.
        build: String,
    },
    /// An empty python, ABI or platform tag (e.g. `cp311..cp312`).
    #[error("empty compatibility tag in `{0}`")]
    EmptyTag(String),
    /// The filename names another project than the one it was listed for.
    #[error("`{filename}` does not belong to package `{package}`")]
    NameMismatch {
        /// The whole filename.
        filename: String,
        /// The project the file was expected to belong to.
        package: String,
    },
}
