//! The live shared documents of this node: one task per document ([`SharedDocs`]),
//! owning a sans-IO [`confab_collab::Room`] and a persister task; it stops when its last
//! peer leaves, after a final compaction has been written. Sockets (`api::collab`) never
//! share state with it: they send it frames and write what it queues for them (an
//! [`Outbox`]: a full one cuts that socket off).
//!
//! Who may change a document is the meeting's call (`runtime::meeting`), kept current
//! while a socket is open: the socket passes each change on as [`DocMsg::Access`].

use std::{collections::HashMap, sync::Arc};

use bytes::Bytes;
use confab_collab::{CollabError, DocKey, DocStore, Output, PeerId, Room};
use confab_proto::shared_doc::CollabClose;
use confab_store::Store;
use tokio::sync::{mpsc, oneshot, Mutex};
use tokio_util::{sync::CancellationToken, task::TaskTracker};

use super::outbox::{NotQueued, Outbox};
use crate::config::Config;

/// What a room queues for a socket.
#[derive(Debug)]
pub enum DocOut {
    Frame(Bytes),
    Close(CollabClose),
}

/// What a socket tells a room.
pub(crate) enum DocMsg {
    Join {
        peer: PeerId,
        writable: bool,
        tx: Outbox<DocOut>,
        /// Answered once the peer is in; dropped unanswered by a room that is stopping,
        /// which tells the socket to join a fresh one.
        ack: oneshot::Sender<()>,
    },
    Frame {
        peer: PeerId,
        frame: Bytes,
    },
    Leave {
        peer: PeerId,
    },
    /// The meeting changed what this peer may do.
    Access {
        peer: PeerId,
        writable: bool,
    },
}

/// Why a room let a peer go, as the socket's close says it (the codes are final for the
/// stock client: reconnecting would resend the same refused message).
fn close_for(why: &CollabError) -> CollabClose {
    match why {
        CollabError::ReadOnly => CollabClose::ReadOnly,
        CollabError::TooLarge { .. } => CollabClose::TooLarge,
        CollabError::DocumentFull { .. } => CollabClose::DocumentFull,
        CollabError::Malformed(_) | CollabError::Unsupported(_) | CollabError::Update(_) => {
            CollabClose::Malformed
        }
    }
}

/// The shared documents being edited on this node, one task each.
#[derive(Clone)]
pub struct SharedDocs {
    map: Arc<Mutex<HashMap<DocKey, mpsc::Sender<DocMsg>>>>,
    store: Store,
    config: Arc<Config>,
    shutdown: CancellationToken,
    tasks: TaskTracker,
}

impl SharedDocs {
    pub fn new(store: Store, config: Arc<Config>, shutdown: CancellationToken) -> Self {
        Self {
            map: Arc::default(),
            store,
            config,
            shutdown,
            tasks: TaskTracker::new(),
        }
    }

    /// Waits until every room has stopped and written its last changes (after shutdown).
    pub async fn drained(&self) {
        self.tasks.close();
        self.tasks.wait().await;
    }

    /// Puts a peer in the room of `key` (starting it if needed); `None` if that failed.
    pub(crate) async fn join(
        &self,
        key: DocKey,
        peer: PeerId,
        writable: bool,
        tx: Outbox<DocOut>,
    ) -> Option<mpsc::Sender<DocMsg>> {
        // A room that is stopping drops the join unanswered: then a fresh one is started.
        for _ in 0..3 {
            let room = self.get_or_start(key).await;
            let (ack, acked) = oneshot::channel();
            let join = DocMsg::Join {
                peer,
                writable,
                tx: tx.clone(),
                ack,
            };
            if room.send(join).await.is_ok()
                && matches!(
                    tokio::time::timeout(self.config.collab.join_timeout(), acked).await,
                    Ok(Ok(()))
                )
            {
                return Some(room);
            }
        }
        None
    }

    async fn get_or_start(&self, key: DocKey) -> mpsc::Sender<DocMsg> {
        let mut map = self.map.lock().await;
        if let Some(tx) = map.get(&key).filter(|tx| !tx.is_closed()) {
            return tx.clone();
        }
        let (tx, rx) = mpsc::channel(self.config.limits.runtime_queue);
        map.insert(key, tx.clone());
        let task = DocTask {
            key,
            store: self.store.clone(),
            cfg: self.config.collab.room(),
            queue: self.config.limits.runtime_queue,
            map: self.map.clone(),
            shutdown: self.shutdown.clone(),
        };
        self.tasks.spawn(task.run(rx));
        tx
    }
}

/// One document's room, run as a task.
struct DocTask {
    key: DocKey,
    store: Store,
    cfg: confab_collab::Config,
    /// Bound of the persister's queue.
    queue: usize,
    map: Arc<Mutex<HashMap<DocKey, mpsc::Sender<DocMsg>>>>,
    shutdown: CancellationToken,
}

/// What the persister writes, in order.
enum Write {
    Append(Vec<u8>),
    Compact(Vec<u8>),
}

impl DocTask {
    async fn run(self, mut rx: mpsc::Receiver<DocMsg>) {
        let key = self.key;
        let stored = match self.store.load(&key).await {
            Ok(s) => s,
            Err(e) => {
                // Joins waiting in the queue are dropped unanswered and retried.
                tracing::error!(%key, error = %e, "loading a shared document failed");
                self.map.lock().await.remove(&key);
                return;
            }
        };
        let (mut room, skipped) = Room::restore(self.cfg.clone(), stored);
        if skipped > 0 {
            tracing::warn!(%key, skipped, "stored updates of a shared document were unreadable");
        }
        let (persist_tx, persist_rx) = mpsc::channel(self.queue);
        let persister = tokio::spawn(persist(self.store.clone(), key, persist_rx));
        let mut peers: HashMap<PeerId, Outbox<DocOut>> = HashMap::new();
        loop {
            let msg = tokio::select! {
                msg = rx.recv() => msg,
                () = self.shutdown.cancelled() => None,
            };
            let Some(msg) = msg else { break };
            let now = std::time::Instant::now();
            let outputs = match msg {
                DocMsg::Join {
                    peer,
                    writable,
                    tx,
                    ack,
                } => {
                    peers.insert(peer, tx);
                    let _ = ack.send(());
                    room.handle(now, confab_collab::Input::Join { peer, writable })
                }
                DocMsg::Frame { peer, frame } => room.handle(
                    now,
                    confab_collab::Input::Frame {
                        peer,
                        frame: &frame[..],
                    },
                ),
                DocMsg::Leave { peer } => {
                    peers.remove(&peer);
                    room.handle(now, confab_collab::Input::Leave { peer })
                }
                DocMsg::Access { peer, writable } => {
                    room.handle(now, confab_collab::Input::SetWritable { peer, writable })
                }
            };
            self.carry_out(&mut room, &mut peers, outputs, &persist_tx)
                .await;
            if room.is_empty() && self.stop_if_idle(&mut rx).await {
                break;
            }
        }
        rx.close();
        // Shutdown or idle: let every socket go, then write the last state.
        for (_, tx) in peers.drain() {
            let _ = tx.push(DocOut::Close(CollabClose::ServerShutdown));
        }
        if room.has_uncompacted() {
            if let Output::Compact(snapshot) = room.compact() {
                let _ = persist_tx.send(Write::Compact(snapshot)).await;
            }
        }
        drop(persist_tx);
        if let Err(e) = persister.await {
            tracing::error!(%key, error = %e, "collab persister failed");
        }
        let mut map = self.map.lock().await;
        if map.get(&key).is_some_and(|tx| tx.is_closed()) {
            map.remove(&key);
        }
    }

    /// With nobody left and nothing queued, leaves the registry (under its lock, so no new
    /// join can find this room) and closes the queue. Joins that raced in are dropped
    /// unanswered, which sends them to a fresh room.
    async fn stop_if_idle(&self, rx: &mut mpsc::Receiver<DocMsg>) -> bool {
        let mut map = self.map.lock().await;
        if !rx.is_empty() {
            return false;
        }
        map.remove(&self.key);
        rx.close();
        true
    }

    async fn carry_out(
        &self,
        room: &mut Room,
        peers: &mut HashMap<PeerId, Outbox<DocOut>>,
        outputs: Vec<Output>,
        persist_tx: &mpsc::Sender<Write>,
    ) {
        let mut too_slow = Vec::new();
        for out in outputs {
            match out {
                Output::Send { to, frame } => {
                    if let Some(tx) = peers.get(&to) {
                        if let Err(NotQueued::TooSlow) = tx.push(DocOut::Frame(frame)) {
                            too_slow.push(to);
                        }
                    }
                }
                Output::Persist(update) => {
                    if persist_tx.send(Write::Append(update)).await.is_err() {
                        tracing::error!(key = %self.key, "collab persister gone; change not saved");
                    }
                }
                Output::Compact(snapshot) => {
                    let _ = persist_tx.send(Write::Compact(snapshot)).await;
                }
                Output::Disconnect { peer, why } => {
                    tracing::info!(key = %self.key, %peer, %why, "collab peer disconnected");
                    if let Some(tx) = peers.remove(&peer) {
                        let _ = tx.push(DocOut::Close(close_for(&why)));
                    }
                }
            }
        }
        // A slow peer's socket was cut off; the room forgets it too (its presence removal
        // may find more slow peers, handled on their next send).
        for peer in too_slow {
            if peers.remove(&peer).is_some() {
                tracing::warn!(key = %self.key, %peer, "collab peer too slow; cutting it off");
                let more = room.handle(
                    std::time::Instant::now(),
                    confab_collab::Input::Leave { peer },
                );
                for out in more {
                    if let Output::Send { to, frame } = out {
                        if let Some(tx) = peers.get(&to) {
                            let _ = tx.push(DocOut::Frame(frame));
                        }
                    }
                }
            }
        }
    }
}

/// Writes a room's changes in order (the [`DocStore`] contract).
async fn persist(store: Store, key: DocKey, mut rx: mpsc::Receiver<Write>) {
    while let Some(w) = rx.recv().await {
        let result = match &w {
            Write::Append(update) => store.append(&key, update).await,
            Write::Compact(snapshot) => store.compact(&key, snapshot).await,
        };
        if let Err(e) = result {
            tracing::error!(%key, error = %e, "saving a shared document failed");
        }
    }
}
