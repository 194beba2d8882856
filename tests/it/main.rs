//! End-to-end tests: the real `npsolve` binary against the recorded fixture index
//! (`tests/fixtures/index`, recorded from PyPI with `npsolve index snapshot`), served on
//! loopback. No test here touches the internet.

mod abi;
mod api_breaks;
mod check;
mod common;
mod compile;
mod conflicts;
mod credentials;
mod direct;
mod doctor;
mod explain;
mod inputs;
mod lock;
mod new_user;
mod packse;
mod scan;
mod sdists;
mod shipping;
mod universal;
