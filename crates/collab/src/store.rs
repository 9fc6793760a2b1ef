//! Persistence of shared documents: an append-only log of updates plus a snapshot.
//!
//! Every change a room accepts is appended as one v1 update ([`DocStore::append`]); every
//! `compact_after` updates (and when a room closes) the room writes its whole state as
//! a snapshot and the log before it is dropped ([`DocStore::compact`]). Loading is the
//! snapshot followed by the log, in order. Yjs updates commute and are idempotent, so a
//! crash between an append and a compaction loses nothing and duplicates nothing.
//!
//! The invariant implementations rely on: for one document, calls arrive one at a time
//! and in order (each room has one persister); `compact` therefore covers exactly the
//! updates appended before it. The SQLite implementation is in `confab-store`; a
//! [`MemStore`] here serves tests.

use std::{collections::HashMap, future::Future, sync::Mutex};

use crate::DocKey;

/// What is stored for one document.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Stored {
    /// The last compaction: the whole state as one v1 update.
    pub snapshot: Option<Vec<u8>>,
    /// v1 updates appended since, oldest first.
    pub updates: Vec<Vec<u8>>,
}

/// Where documents are kept.
pub trait DocStore: Send + Sync + 'static {
    type Error: std::error::Error + Send + Sync + 'static;

    /// The snapshot and the log after it (empty for a new document).
    fn load(&self, doc: &DocKey) -> impl Future<Output = Result<Stored, Self::Error>> + Send;

    /// Appends one update to the log.
    fn append(
        &self,
        doc: &DocKey,
        update: &[u8],
    ) -> impl Future<Output = Result<(), Self::Error>> + Send;

    /// Replaces the snapshot and drops every update appended before this call.
    fn compact(
        &self,
        doc: &DocKey,
        snapshot: &[u8],
    ) -> impl Future<Output = Result<(), Self::Error>> + Send;
}

/// An in-memory [`DocStore`] for tests.
#[derive(Debug, Default)]
pub struct MemStore(Mutex<HashMap<DocKey, Stored>>);

/// [`MemStore`] never fails.
#[derive(Debug, thiserror::Error)]
#[error("unreachable")]
pub enum Never {}

impl MemStore {
    fn with<T>(&self, f: impl FnOnce(&mut HashMap<DocKey, Stored>) -> T) -> T {
        f(&mut self.0.lock().unwrap_or_else(|e| e.into_inner()))
    }
}

impl DocStore for MemStore {
    type Error = Never;

    async fn load(&self, doc: &DocKey) -> Result<Stored, Never> {
        Ok(self.with(|m| m.get(doc).cloned().unwrap_or_default()))
    }

    async fn append(&self, doc: &DocKey, update: &[u8]) -> Result<(), Never> {
        self.with(|m| m.entry(*doc).or_default().updates.push(update.to_vec()));
        Ok(())
    }

    async fn compact(&self, doc: &DocKey, snapshot: &[u8]) -> Result<(), Never> {
        self.with(|m| {
            *m.entry(*doc).or_default() = Stored {
                snapshot: Some(snapshot.to_vec()),
                updates: Vec::new(),
            }
        });
        Ok(())
    }
}
