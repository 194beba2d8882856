//! One module per subcommand.

pub mod abi;
pub mod compile;
pub mod snapshot;
