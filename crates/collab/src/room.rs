//! One shared document and the peers connected to it, sans-IO.
//!
//! The shell feeds [`Input`]s to [`Room::handle`] with the current time and carries out
//! every returned [`Output`], in order: frames to specific peers (one protocol message
//! per frame), updates to append to the log, snapshots that replace the log, and peers to
//! disconnect. The room never blocks, never reads a clock and never touches a socket, so
//! every rule below is unit-tested without any (see `tests.rs`).
//!
//! Rules it enforces, per frame:
//!
//! - **Read-only peers** receive everything, but may not change the document. Their
//!   sync step 2 / update is checked *without applying it*: one that adds nothing the
//!   document lacks (a stock client's step-2 answer with an empty or already-known state)
//!   is accepted as the no-op it is; one that would change anything **disconnects** the
//!   peer (the server closes with a final code, see the server's collab endpoint). We chose disconnecting
//!   over silently ignoring because an ignored edit leaves that client diverged and
//!   believing its edit was shared; a client that edits when it may not is broken or
//!   hostile. The document is untouched either way.
//! - **Malformed** frames (undecodable, oversized, unknown types, updates yrs refuses)
//!   disconnect their sender only; other peers and the document are unaffected.
//! - **Awareness** (presence) is relayed to all peers, bounded: a per-peer rate
//!   (excess updates are dropped, not punished: cursors are bursty), a size cap
//!   (exceeding it disconnects), a cap on the Yjs client ids one peer may speak for (and
//!   no peer may speak for another's ids), and with `awareness_for_readers` off, readers'
//!   awareness is neither stored nor relayed (only echoed to its sender, which keeps a
//!   stock client's socket alive), so 250 viewers renewing every 15 s make no storm.
//!   When a peer leaves, its presence is removed for everyone.
//! - The document is bounded by `max_doc_bytes` (approximated by the bytes stored since
//!   the last snapshot plus that snapshot), and compacted every `compact_after` updates.

use std::{
    collections::{BTreeMap, BTreeSet, HashMap},
    time::{Duration, Instant},
};

use bytes::Bytes;
use yrs::{
    sync::{Awareness, AwarenessUpdate},
    ClientID, Doc, ReadTxn, StateVector, Transact, Update,
};

use crate::{
    protocol::{self, ClientMessage},
    store::Stored,
    CollabError, PeerId,
};

/// Limits and switches of a room. Defaults suit a meeting of 250.
#[derive(Clone, Debug)]
pub struct Config {
    /// Largest frame accepted from a peer (and so the largest single update).
    pub max_message_bytes: usize,
    /// Largest awareness frame accepted; beyond it the peer is disconnected.
    pub max_awareness_bytes: usize,
    /// Awareness updates relayed per peer per second (also the burst); excess is dropped.
    pub awareness_per_second: u32,
    /// Whether read-only peers' awareness is relayed (off: viewers stay invisible).
    pub awareness_for_readers: bool,
    /// Yjs client ids one peer may publish presence for (a browser tab uses one).
    pub max_clients_per_peer: usize,
    /// Updates appended to the log before a snapshot replaces them.
    pub compact_after: u32,
    /// Refuse updates once the document's stored size would pass this.
    pub max_doc_bytes: usize,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            max_message_bytes: protocol::DEFAULT_MAX_MESSAGE_BYTES,
            max_awareness_bytes: 8 * 1024,
            awareness_per_second: 10,
            awareness_for_readers: false,
            max_clients_per_peer: 4,
            compact_after: 500,
            max_doc_bytes: 16 * 1024 * 1024,
        }
    }
}

/// What happens to a room.
#[derive(Debug)]
pub enum Input<'a> {
    /// A peer connected; `writable` was decided by the server's authorisation.
    Join { peer: PeerId, writable: bool },
    /// One binary frame from a peer.
    Frame { peer: PeerId, frame: &'a [u8] },
    /// A peer's connection closed (unknown peers are ignored: it may have been cut off).
    Leave { peer: PeerId },
    /// The server's authorisation changed: from now on the peer may (or may not) change
    /// the document. Rights follow the meeting, so this can come at any time.
    SetWritable { peer: PeerId, writable: bool },
}

/// What the shell must do, in order.
#[derive(Debug)]
pub enum Output {
    /// Write `frame` (one protocol message) to `to` as one binary WebSocket frame.
    Send { to: PeerId, frame: Bytes },
    /// Append this v1 update to the document's log.
    Persist(Vec<u8>),
    /// Replace the stored snapshot with this full state and drop the log before it.
    Compact(Vec<u8>),
    /// Close `peer`'s connection; the room has already forgotten it.
    Disconnect { peer: PeerId, why: CollabError },
}

/// A token bucket over `Instant`s passed in (never read here).
#[derive(Debug)]
struct Bucket {
    tokens: f64,
    at: Option<Instant>,
}

impl Bucket {
    fn take(&mut self, now: Instant, per_second: u32) -> bool {
        let rate = f64::from(per_second);
        let elapsed = self
            .at
            .map_or(Duration::ZERO, |t| now.saturating_duration_since(t));
        self.tokens = (self.tokens + elapsed.as_secs_f64() * rate).min(rate);
        self.at = Some(now);
        if self.tokens >= 1.0 {
            self.tokens -= 1.0;
            true
        } else {
            false
        }
    }
}

#[derive(Debug)]
struct Peer {
    writable: bool,
    /// Yjs client ids whose presence this peer publishes.
    clients: BTreeSet<ClientID>,
    bucket: Bucket,
}

/// Awareness keeps timestamps we never read; this clock keeps time out of the room.
fn no_clock() -> u64 {
    0
}

/// One shared document with its peers. See the module docs for the rules.
pub struct Room {
    cfg: Config,
    /// The document and everyone's presence (yrs keeps both in one value).
    awareness: Awareness,
    peers: BTreeMap<PeerId, Peer>,
    /// Updates appended since the last snapshot.
    since_compact: u32,
    /// Snapshot size plus the updates appended since (an upper bound of the state size).
    stored_bytes: usize,
}

impl Room {
    /// A room holding what was stored (snapshot, then the log in order). Entries that do
    /// not decode or apply are skipped; their count is returned for the shell to report.
    pub fn restore(cfg: Config, stored: Stored) -> (Self, usize) {
        let stored_bytes = stored
            .snapshot
            .iter()
            .chain(stored.updates.iter())
            .map(Vec::len)
            .sum();
        let (doc, skipped) = crate::read::doc_from(&stored);
        let room = Self {
            cfg,
            awareness: Awareness::with_clock(doc, no_clock),
            peers: BTreeMap::new(),
            since_compact: u32::try_from(stored.updates.len()).unwrap_or(u32::MAX),
            stored_bytes,
        };
        (room, skipped)
    }

    /// An empty room.
    pub fn new(cfg: Config) -> Self {
        Self::restore(cfg, Stored::default()).0
    }

    pub fn is_empty(&self) -> bool {
        self.peers.is_empty()
    }

    pub fn peer_count(&self) -> usize {
        self.peers.len()
    }

    /// The document (read it in tests and tools; change it only through [`Room::handle`]).
    pub fn doc(&self) -> &Doc {
        self.awareness.doc()
    }

    /// The whole state as one v1 update (what a snapshot stores).
    pub fn snapshot(&self) -> Vec<u8> {
        self.doc()
            .transact()
            .encode_state_as_update_v1(&StateVector::default())
    }

    /// Whether the log holds updates that a final [`Output::Compact`] would fold away.
    pub fn has_uncompacted(&self) -> bool {
        self.since_compact > 0
    }

    /// A compaction of everything so far (the shell calls this when the room closes).
    pub fn compact(&mut self) -> Output {
        let snapshot = self.snapshot();
        self.since_compact = 0;
        self.stored_bytes = snapshot.len();
        Output::Compact(snapshot)
    }

    /// Feeds one input; returns what to do, in order.
    pub fn handle(&mut self, now: Instant, input: Input<'_>) -> Vec<Output> {
        let mut out = Vec::new();
        match input {
            Input::Join { peer, writable } => self.join(peer, writable, &mut out),
            Input::Frame { peer, frame } => {
                if self.peers.contains_key(&peer) {
                    if let Err(why) = self.frame(now, peer, frame, &mut out) {
                        self.remove(peer, &mut out);
                        out.push(Output::Disconnect { peer, why });
                    }
                }
            }
            Input::Leave { peer } => self.remove(peer, &mut out),
            Input::SetWritable { peer, writable } => {
                if let Some(p) = self.peers.get_mut(&peer) {
                    p.writable = writable;
                }
            }
        }
        out
    }

    fn join(&mut self, peer: PeerId, writable: bool, out: &mut Vec<Output>) {
        let fresh = Peer {
            writable,
            clients: BTreeSet::new(),
            bucket: Bucket {
                tokens: f64::from(self.cfg.awareness_per_second),
                at: None,
            },
        };
        if self.peers.insert(peer, fresh).is_some() {
            // The shell numbers connections uniquely; a repeated id is its bug. Treat the
            // join as a fresh connection rather than trusting leftover state.
            debug_assert!(false, "{peer} joined twice");
        }
        // As the y-websocket server does: our state vector first, then presence, each in
        // its own frame (the client reads one message per frame).
        let sv = self.doc().transact().state_vector();
        out.push(Output::Send {
            to: peer,
            frame: protocol::sync_step1(&sv),
        });
        if let Some(frame) = self.all_presence() {
            out.push(Output::Send { to: peer, frame });
        }
    }

    /// Everyone's current presence as one frame, if anyone has any.
    fn all_presence(&self) -> Option<Bytes> {
        let update = self.awareness.update().ok()?;
        (!update.clients.is_empty()).then(|| protocol::awareness(update))
    }

    fn frame(
        &mut self,
        now: Instant,
        peer: PeerId,
        frame: &[u8],
        out: &mut Vec<Output>,
    ) -> Result<(), CollabError> {
        match protocol::decode(frame, self.cfg.max_message_bytes)? {
            ClientMessage::SyncStep1(sv) => {
                let diff = self.doc().transact().encode_state_as_update_v1(&sv);
                out.push(Output::Send {
                    to: peer,
                    frame: protocol::sync_step2(diff),
                });
            }
            ClientMessage::SyncStep2(update) | ClientMessage::Update(update) => {
                self.update(peer, update, frame.len(), out)?;
            }
            ClientMessage::Awareness(update) => {
                self.presence(now, peer, update, frame.len(), out)?
            }
            ClientMessage::AwarenessQuery => {
                if let Some(frame) = self.all_presence() {
                    out.push(Output::Send { to: peer, frame });
                }
            }
        }
        Ok(())
    }

    fn update(
        &mut self,
        peer: PeerId,
        update: Update,
        size: usize,
        out: &mut Vec<Output>,
    ) -> Result<(), CollabError> {
        let writable = self.peers.get(&peer).is_some_and(|p| p.writable);
        if !writable {
            if changes_anything(self.doc(), &update) {
                // No `auth` "permission denied" frame first: the stock client logs it
                // with its URL, and the URL holds the join token. The close code says it.
                return Err(CollabError::ReadOnly);
            }
            return Ok(());
        }
        if self.stored_bytes.saturating_add(size) > self.cfg.max_doc_bytes
            && changes_anything(self.doc(), &update)
        {
            return Err(CollabError::DocumentFull {
                limit: self.cfg.max_doc_bytes,
            });
        }
        // What this transaction actually changed (not the raw bytes received): duplicates
        // and already-known parts are not relayed or stored again.
        let diff = {
            let mut txn = self.doc().transact_mut();
            txn.apply_update(update)
                .map_err(|e| CollabError::Update(e.to_string()))?;
            txn.encode_update_v1()
        };
        if diff.as_slice() == Update::EMPTY_V1 {
            return Ok(());
        }
        let frame = protocol::update(diff.clone());
        for &to in self.peers.keys().filter(|p| **p != peer) {
            out.push(Output::Send {
                to,
                frame: frame.clone(),
            });
        }
        self.stored_bytes += diff.len();
        out.push(Output::Persist(diff));
        self.since_compact += 1;
        if self.since_compact >= self.cfg.compact_after {
            out.push(self.compact());
        }
        Ok(())
    }

    fn presence(
        &mut self,
        now: Instant,
        peer: PeerId,
        mut update: AwarenessUpdate,
        size: usize,
        out: &mut Vec<Output>,
    ) -> Result<(), CollabError> {
        if size > self.cfg.max_awareness_bytes {
            return Err(CollabError::TooLarge {
                size,
                limit: self.cfg.max_awareness_bytes,
            });
        }
        let (max_clients, rate) = (self.cfg.max_clients_per_peer, self.cfg.awareness_per_second);
        let for_readers = self.cfg.awareness_for_readers;
        let others: BTreeSet<ClientID> = self
            .peers
            .iter()
            .filter(|(id, _)| **id != peer)
            .flat_map(|(_, p)| p.clients.iter().copied())
            .collect();
        let Some(me) = self.peers.get_mut(&peer) else {
            return Ok(());
        };
        if !me.bucket.take(now, rate) {
            return Ok(());
        }
        if !me.writable && !for_readers {
            // Neither stored nor relayed, only echoed: a stock client closes a socket
            // that brought no message for 30 s, and its own presence renewal (every
            // 15 s) coming back is what keeps a quiet document's viewers connected.
            out.push(Output::Send {
                to: peer,
                frame: protocol::awareness(update),
            });
            return Ok(());
        }
        // A peer speaks only for its own Yjs clients: the first ids it uses (up to the
        // cap) become its own; others' ids and any beyond the cap are dropped.
        update.clients.retain(|id, _| {
            if others.contains(id) {
                return false;
            }
            if me.clients.contains(id) {
                return true;
            }
            if me.clients.len() < max_clients {
                me.clients.insert(*id);
                return true;
            }
            false
        });
        let entries = update.clients.clone();
        let Ok(Some(summary)) = self.awareness.apply_update_summary(update) else {
            return Ok(()); // nothing newer than what we had
        };
        let changed: HashMap<_, _> = summary
            .all_changes()
            .into_iter()
            .filter_map(|id| entries.get(&id).map(|e| (id, e.clone())))
            .collect();
        if changed.is_empty() {
            return Ok(());
        }
        let frame = protocol::awareness(AwarenessUpdate { clients: changed });
        // Everyone, the sender included, as the stock server does (see above for why).
        for &to in self.peers.keys() {
            out.push(Output::Send {
                to,
                frame: frame.clone(),
            });
        }
        Ok(())
    }

    /// Forgets a peer and clears its presence for everyone left.
    fn remove(&mut self, peer: PeerId, out: &mut Vec<Output>) {
        let Some(gone) = self.peers.remove(&peer) else {
            return;
        };
        if gone.clients.is_empty() {
            return;
        }
        for id in &gone.clients {
            self.awareness.remove_state(*id);
        }
        // `remove_state` bumped each clock and cleared the state: encoding those entries
        // gives the `null` states that tell clients the presence is gone.
        let Ok(update) = self.awareness.update_with_clients(gone.clients) else {
            return;
        };
        let frame = protocol::awareness(update);
        for &to in self.peers.keys() {
            out.push(Output::Send {
                to,
                frame: frame.clone(),
            });
        }
    }
}

/// Whether applying `update` would change `doc` at all: does it insert anything past the
/// document's state vector, or delete anything not already deleted? Checked without
/// applying, so a refused update leaves no trace (not even in yrs's pending queue).
fn changes_anything(doc: &Doc, update: &Update) -> bool {
    let txn = doc.transact();
    let sv = txn.state_vector();
    let inserts_new = update
        .insertions(true)
        .iter()
        .any(|(client, ranges)| ranges.iter().any(|r| r.end > sv.get(client)));
    if inserts_new {
        return true;
    }
    let known_deleted = txn.snapshot().delete_set;
    update
        .delete_set()
        .diff(&known_deleted)
        .iter()
        .any(|(_, ranges)| ranges.iter().any(|r| !r.is_empty()))
}

#[cfg(test)]
#[path = "tests.rs"]
mod tests;
