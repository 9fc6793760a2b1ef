//! Wire types shared by the server and the browser client.
//!
//! Everything that crosses the network is defined here, once: the room channel
//! ([`room`]), REST request and response bodies ([`rest`]), and the shared
//! vocabulary both use (ids, roles, permissions, policy). `cargo test -p confab-proto`
//! regenerates the TypeScript bindings in `web/src/proto/` (ts-rs), so the client
//! cannot drift from the server. This crate holds data only: no I/O, no decisions.

pub mod ids;
pub mod permissions;
pub mod policy;
pub mod rest;
pub mod room;

pub use ids::*;
pub use permissions::*;
pub use policy::*;

/// Version of the room channel protocol; bumped on any incompatible change.
pub const PROTOCOL_VERSION: u32 = 1;
