//! Collaborative documents on [`yrs`] (the Rust port of Yjs): annotation layers, whiteboard
//! pages and text pages, each one shared Yjs document, synced over the standard
//! y-websocket protocol so that a stock `y-websocket` + `yjs` browser client takes part
//! unchanged.
//!
//! What lives here, and what does not:
//!
//! - [`protocol`]: decoding and encoding y-sync frames (sync step 1 / step 2 / update,
//!   awareness), with hard size limits. A malformed frame is an error, never a panic.
//! - [`room`]: one document and its connected peers, **sans-IO** in the style of str0m: feed
//!   it [`room::Input`]s (a peer joined, sent a frame, left, with `now` passed in) and carry
//!   out the [`room::Output`]s it returns (frames for specific peers, updates to persist, a
//!   compaction to write, peers to disconnect). It owns no socket, no task, no clock.
//! - [`store`]: the persistence seam, [`store::DocStore`] (update log + snapshot), with an
//!   in-memory implementation for tests. The SQLite one lives in `confab-store`.
//! - [`read`]: what a stored document says, as data (strokes, text blocks), for export.
//! - [`key`]: typed names of documents ([`DocName`], [`DocKey`]) and peers ([`PeerId`]).
//!
//! Not here: sockets, tasks, authentication and the decision who may write. The server
//! decides `writable` when a peer joins; this crate enforces it for every frame.
//!
//! The one rule of the run loop: **every output is carried out, in order**. In
//! particular each [`room::Output::Send`] is exactly one WebSocket frame holding exactly
//! one protocol message, because the y-websocket client decodes one message per frame and
//! silently drops anything after it.

pub mod key;
pub mod protocol;
pub mod read;
pub mod room;
pub mod store;

pub use key::{DocKey, DocName, PeerId};
pub use room::{Config, Input, Output, Room};
pub use store::{DocStore, MemStore, Stored};
/// The document type of every room (yrs), for readers such as [`read`].
pub use yrs::Doc;

/// Everything that can go wrong in this crate.
#[derive(Debug, thiserror::Error)]
pub enum CollabError {
    /// A frame is larger than the configured limit.
    #[error("message of {size} bytes exceeds the limit of {limit}")]
    TooLarge { size: usize, limit: usize },
    /// A frame or its payload could not be decoded (truncated, bad tag, bad update).
    #[error("malformed message: {0}")]
    Malformed(String),
    /// A well-formed message of a kind a client must not send (e.g. `auth`, custom tags).
    #[error("unsupported message: {0}")]
    Unsupported(&'static str),
    /// A read-only peer tried to change the document.
    #[error("read-only peer tried to change the document")]
    ReadOnly,
    /// An update that decoded but could not be integrated into the document.
    #[error("update refused: {0}")]
    Update(String),
    /// The document would grow past the configured limit.
    #[error("document is full ({limit} bytes)")]
    DocumentFull { limit: usize },
}
