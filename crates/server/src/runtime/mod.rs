//! The live runtimes of this node, below the HTTP/WebSocket edge and above the domain
//! crates: meeting actors ([`meeting`]), the shared documents being edited
//! ([`shared_docs`]), the media I/O loop ([`media`]), uploads being converted
//! ([`conversion`]) and the bounded password hasher ([`passwords`]). Each is a set of
//! tasks reached through a cheap, cloneable handle; none of them knows HTTP. What they
//! queue for sockets goes through an [`outbox`].

pub mod conversion;
pub mod media;
pub mod meeting;
pub mod outbox;
pub mod passwords;
pub mod shared_docs;
