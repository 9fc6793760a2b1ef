//! Confab's selective forwarding unit, starting with its routing core.
//!
//! The routing core is sans-IO, in the manner of str0m: it owns no sockets and reads no
//! clock. The I/O workers (str0m peer connections on UDP / ICE-TCP) feed it what they
//! observe — audio levels, keyframes, bandwidth estimates, each subscriber's layout — with
//! the current time, and carry out its decisions:
//!
//! - [`speakers`]: who is talking. The 3 loudest audio streams plus the dominant speaker
//!   are forwarded; the dominant speaker changes only with hysteresis.
//! - [`layers`]: which simulcast layer suits a tile of a given size and a bandwidth budget.
//! - [`slot_assignment`]: each subscriber has fixed receive slots; sources are mapped into them
//!   stably, so a join or leave never renegotiates anyone.
//! - [`router`]: puts it together per subscriber (last-N video from the layout), switches
//!   layers only on keyframes, throttles keyframe requests per publisher, and pauses
//!   layers nobody watches.
//!
//! [`sfu`] is the str0m shell around the router (one peer connection per participant, UDP
//! and passive ICE-TCP candidates); [`framing`] frames packets for ICE-TCP (RFC 4571).
//!
//! This crate knows participant ids, never meetings, roles or permissions: whether a
//! track may be published at all is decided above it.

pub mod framing;
pub mod layers;
pub mod router;
pub mod sfu;
pub mod slot_assignment;
pub mod speakers;

pub use confab_proto::ParticipantId;
