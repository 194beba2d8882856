//! Dev-only test harness: a loopback HTTP server for snapshot index folders.
//!
//! It owns [`FixtureServer`], which serves a folder written by `npsolve index snapshot`
//! (`simple/<name>/index.json|index.html`, `files/…`) on `127.0.0.1:0` from its own thread and
//! runtime, so synchronous tests (`assert_cmd`) can use it too. It speaks what the index client
//! must handle: content negotiation, ETag revalidation, single byte ranges, redirects to the
//! normalised project URL, Basic auth, and injected faults (by rule, or drawn at random from a
//! seed for the soak test's `npsolve-fixture-server`). It also builds the index of a packse
//! scenario in process ([`packse::Scenario`], [`write_index`]): real wheels and sdists from
//! the scenario's TOML. It resolves nothing.

mod faults;
pub mod packse;
mod ranges;
mod scenario_index;
mod server;

pub use faults::{FaultKind, FaultRule, RandomFaults};
pub use scenario_index::write_index;
pub use server::{FixtureServer, Flavor, RequestRecord, ServerOptions};
