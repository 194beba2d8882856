//! One module per subcommand.

pub mod abi;
pub mod api_breaks;
pub mod check;
pub mod compile;
pub mod completions;
pub mod doctor;
pub mod explain;
pub mod lock;
pub mod scan;
pub mod snapshot;
