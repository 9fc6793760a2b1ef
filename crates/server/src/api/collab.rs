//! Shared documents over the standard y-websocket protocol:
//! `GET /api/v1/collab/{meeting}/{doc}?token=…` upgrades to a WebSocket on which a stock
//! Yjs client (`y-websocket`'s `WebsocketProvider` with server URL
//! `…/api/v1/collab/{meeting}`, room name `{doc}` and `params: { token }`) syncs one
//! document: `page:{document}:{page}` (an annotation layer), `board:{uuid}` (a whiteboard
//! page) or `text:{uuid}` (a text page).
//!
//! **Why the join token is a query parameter.** Browsers cannot set headers on a
//! WebSocket handshake and the stock provider puts its `params` in the URL, so the token
//! travels in the query string, as in most WebSocket APIs. That is acceptable because the
//! token is a short-lived (hours) join token of one seat, not a sign-in, and travels over
//! TLS in production. It **must never be logged**: handlers here never log it, and the
//! request span of the HTTP trace layer (see `app.rs`) records the path without the query
//! (tower-http's default span holds the full URI, at DEBUG level).
//!
//! Who may do what is decided once, at connect time, by the live meeting actor:
//! the seat must belong to `{meeting}`, be in the meeting now (and for an annotation
//! layer, be allowed to see that page); it may write iff
//! [`confab_core::meeting::Meeting::may_annotate`]. A permission change applies to the
//! next connection (the client reconnects on close).
//!
//! One room per document runs as its own task ([`CollabRooms`]), owning a sans-IO
//! [`confab_collab::Room`] and a persister task; it stops when its last peer leaves, after
//! a final compaction has been written. Sockets never share state with it: they send it
//! frames and write what it queues for them (bounded; a full queue cuts that socket off).

use std::{collections::HashMap, str::FromStr, sync::Arc, time::Duration};

use axum::{
    extract::{
        ws::{CloseFrame, Message, WebSocket},
        State, WebSocketUpgrade,
    },
    response::Response,
};
use bytes::Bytes;
use chrono::Utc;
use confab_collab::{CollabError, DocKey, DocName, DocStore, Output, PeerId, Room};
use confab_core::ratelimit::TokenBucket;
use confab_proto::{rest::MeetingStatus, MeetingId};
use confab_store::Store;
use futures_util::{SinkExt, StreamExt};
use serde::Deserialize;
use tokio::sync::{mpsc, oneshot, Mutex};
use tokio_util::{sync::CancellationToken, task::TaskTracker};

use crate::{
    app::AppState,
    auth::secret_hash,
    config::Config,
    error::{ApiError, ApiResult, Path, Query},
    room::ActorMsg,
};

/// Time to write one frame before the client counts as gone.
const WRITE_TIMEOUT: Duration = Duration::from_secs(10);
/// Time for a room to load its document and take a peer in.
const JOIN_TIMEOUT: Duration = Duration::from_secs(10);
/// Frames per second a connection may send (after a burst of as many). Generous for
/// freehand drawing; beyond it reading pauses (TCP pushes back), nothing is dropped,
/// because a dropped update would leave that client diverged.
const FRAMES_PER_SECOND: u32 = 100;

static NEXT_PEER: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(1);

#[derive(Deserialize)]
pub struct TokenQuery {
    token: String,
}

/// What a room queues for a socket.
#[derive(Debug)]
enum Outbound {
    Frame(Bytes),
    Close(u16, &'static str),
}

/// What a socket tells a room.
enum RoomMsg {
    Join {
        peer: PeerId,
        writable: bool,
        tx: mpsc::Sender<Outbound>,
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
}

/// WebSocket close code and reason for why a room let a peer go. The stock client treats
/// 4400–4499 as final (it stops reconnecting and emits `closed`), which is what each of
/// these needs: reconnecting would resend the same refused message. Transient closes
/// (too slow, shutting down) use 1013/1001, and the client reconnects.
fn close_for(why: &CollabError) -> (u16, &'static str) {
    match why {
        CollabError::ReadOnly => (4403, "read-only"),
        CollabError::TooLarge { .. } => (4413, "message too large"),
        CollabError::DocumentFull { .. } => (4413, "document full"),
        CollabError::Malformed(_) | CollabError::Unsupported(_) | CollabError::Update(_) => {
            (4400, "malformed message")
        }
    }
}

/// `GET /api/v1/collab/{meeting}/{doc}?token=…`: authorises, then upgrades.
pub async fn connect(
    State(state): State<AppState>,
    Path((meeting, doc)): Path<(String, String)>,
    Query(q): Query<TokenQuery>,
    ws: WebSocketUpgrade,
) -> ApiResult<Response> {
    let meeting = MeetingId::from_str(&meeting).map_err(|_| ApiError::NotFound("meeting"))?;
    let name = DocName::from_str(&doc).map_err(|_| ApiError::NotFound("document"))?;
    let seat = state
        .store
        .seat(&secret_hash(&q.token), Utc::now())
        .await?
        .ok_or(ApiError::Unauthenticated)?;
    if seat.meeting() != meeting {
        return Err(ApiError::Forbidden("this token is for another meeting"));
    }
    let row = state
        .store
        .meeting(meeting)
        .await?
        .ok_or(ApiError::NotFound("meeting"))?;
    match row.status()? {
        MeetingStatus::Scheduled => {}
        MeetingStatus::Cancelled => return Err(ApiError::MeetingCancelled),
        MeetingStatus::Ended => return Err(ApiError::MeetingEnded),
    }
    let participant = seat.participant();
    let writable = state
        .rooms
        .ask(meeting, |reply| ActorMsg::CollabAccess {
            participant,
            name,
            reply,
        })
        .await
        .flatten()
        .ok_or(ApiError::Forbidden(
            "join the meeting (and see this page) first",
        ))?;
    let key = DocKey {
        tenant: row.tenant(),
        meeting,
        name,
    };
    let max = state.config.collab.max_message_bytes;
    // Frames up to twice the limit are read so an oversized one gets a clear close code
    // from the room; beyond that the transport refuses them itself.
    Ok(ws
        .max_message_size(max * 2)
        .max_frame_size(max * 2)
        .read_buffer_size(8 * 1024)
        .write_buffer_size(8 * 1024)
        .on_upgrade(move |socket| serve(socket, state, key, writable)))
}

/// Runs one connection to its end.
async fn serve(ws: WebSocket, state: AppState, key: DocKey, writable: bool) {
    let (mut sink, mut stream) = ws.split();
    let peer = PeerId(NEXT_PEER.fetch_add(1, std::sync::atomic::Ordering::Relaxed));
    let (tx, mut rx) = mpsc::channel(state.config.limits.outbound_queue);
    let Some(room) = state.collab.join(key, peer, writable, tx).await else {
        let _ = sink
            .send(Message::Close(Some(CloseFrame {
                code: 1013,
                reason: "try again".into(),
            })))
            .await;
        return;
    };
    tracing::debug!(%key, %peer, writable, "collab peer joined");
    let mut bucket = TokenBucket::new(FRAMES_PER_SECOND, f64::from(FRAMES_PER_SECOND));
    let idle = state.config.limits.idle_timeout();
    let mut last_heard = tokio::time::Instant::now();
    loop {
        tokio::select! {
            out = rx.recv() => match out {
                Some(Outbound::Frame(f)) => {
                    match tokio::time::timeout(WRITE_TIMEOUT, sink.send(Message::Binary(f))).await {
                        Ok(Ok(())) => {}
                        _ => break,
                    }
                }
                Some(Outbound::Close(code, reason)) => {
                    let close = Message::Close(Some(CloseFrame { code, reason: reason.into() }));
                    let _ = tokio::time::timeout(WRITE_TIMEOUT, sink.send(close)).await;
                    break;
                }
                // The room let us go (too slow, or it stopped).
                None => {
                    let close = Message::Close(Some(CloseFrame { code: 1013, reason: "try again".into() }));
                    let _ = tokio::time::timeout(WRITE_TIMEOUT, sink.send(close)).await;
                    break;
                }
            },
            incoming = tokio::time::timeout_at(last_heard + idle, stream.next()) => {
                let frame = match incoming {
                    Ok(Some(Ok(Message::Binary(b)))) => b,
                    Ok(Some(Ok(Message::Ping(_) | Message::Pong(_)))) => {
                        last_heard = tokio::time::Instant::now();
                        continue;
                    }
                    Ok(Some(Ok(Message::Text(_)))) => {
                        let close = Message::Close(Some(CloseFrame { code: 1003, reason: "binary frames only".into() }));
                        let _ = tokio::time::timeout(WRITE_TIMEOUT, sink.send(close)).await;
                        break;
                    }
                    // Closed, broken, or silent for too long (stock clients renew their
                    // presence every 15 s, so a live one is never idle for a minute).
                    _ => break,
                };
                last_heard = tokio::time::Instant::now();
                while !bucket.try_take(Utc::now()) {
                    tokio::time::sleep(Duration::from_millis(10)).await;
                }
                if room.send(RoomMsg::Frame { peer, frame }).await.is_err() {
                    break;
                }
            }
        }
    }
    let _ = room.send(RoomMsg::Leave { peer }).await;
    tracing::debug!(%key, %peer, "collab peer left");
}

/// The running rooms of this node, one per document.
#[derive(Clone)]
pub struct CollabRooms {
    map: Arc<Mutex<HashMap<DocKey, mpsc::Sender<RoomMsg>>>>,
    store: Store,
    config: Arc<Config>,
    shutdown: CancellationToken,
    tasks: TaskTracker,
}

impl CollabRooms {
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
    async fn join(
        &self,
        key: DocKey,
        peer: PeerId,
        writable: bool,
        tx: mpsc::Sender<Outbound>,
    ) -> Option<mpsc::Sender<RoomMsg>> {
        // A room that is stopping drops the join unanswered: then a fresh one is started.
        for _ in 0..3 {
            let room = self.get_or_start(key).await;
            let (ack, acked) = oneshot::channel();
            let join = RoomMsg::Join {
                peer,
                writable,
                tx: tx.clone(),
                ack,
            };
            if room.send(join).await.is_ok()
                && matches!(tokio::time::timeout(JOIN_TIMEOUT, acked).await, Ok(Ok(())))
            {
                return Some(room);
            }
        }
        None
    }

    async fn get_or_start(&self, key: DocKey) -> mpsc::Sender<RoomMsg> {
        let mut map = self.map.lock().await;
        if let Some(tx) = map.get(&key).filter(|tx| !tx.is_closed()) {
            return tx.clone();
        }
        let (tx, rx) = mpsc::channel(4096);
        map.insert(key, tx.clone());
        let task = RoomTask {
            key,
            store: self.store.clone(),
            cfg: self.config.collab.room(),
            map: self.map.clone(),
            shutdown: self.shutdown.clone(),
        };
        self.tasks.spawn(task.run(rx));
        tx
    }
}

/// One document's room, run as a task.
struct RoomTask {
    key: DocKey,
    store: Store,
    cfg: confab_collab::Config,
    map: Arc<Mutex<HashMap<DocKey, mpsc::Sender<RoomMsg>>>>,
    shutdown: CancellationToken,
}

/// What the persister writes, in order.
enum Write {
    Append(Vec<u8>),
    Compact(Vec<u8>),
}

impl RoomTask {
    async fn run(self, mut rx: mpsc::Receiver<RoomMsg>) {
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
        let (persist_tx, persist_rx) = mpsc::channel(4096);
        let persister = tokio::spawn(persist(self.store.clone(), key, persist_rx));
        let mut peers: HashMap<PeerId, mpsc::Sender<Outbound>> = HashMap::new();
        loop {
            let msg = tokio::select! {
                msg = rx.recv() => msg,
                () = self.shutdown.cancelled() => None,
            };
            let Some(msg) = msg else { break };
            let now = std::time::Instant::now();
            let outputs = match msg {
                RoomMsg::Join {
                    peer,
                    writable,
                    tx,
                    ack,
                } => {
                    peers.insert(peer, tx);
                    let _ = ack.send(());
                    room.handle(now, confab_collab::Input::Join { peer, writable })
                }
                RoomMsg::Frame { peer, frame } => room.handle(
                    now,
                    confab_collab::Input::Frame {
                        peer,
                        frame: &frame[..],
                    },
                ),
                RoomMsg::Leave { peer } => {
                    peers.remove(&peer);
                    room.handle(now, confab_collab::Input::Leave { peer })
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
            let _ = tx.try_send(Outbound::Close(1001, "server shutting down"));
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
    async fn stop_if_idle(&self, rx: &mut mpsc::Receiver<RoomMsg>) -> bool {
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
        peers: &mut HashMap<PeerId, mpsc::Sender<Outbound>>,
        outputs: Vec<Output>,
        persist_tx: &mpsc::Sender<Write>,
    ) {
        let mut too_slow = Vec::new();
        for out in outputs {
            match out {
                Output::Send { to, frame } => {
                    if let Some(tx) = peers.get(&to) {
                        if let Err(mpsc::error::TrySendError::Full(_)) =
                            tx.try_send(Outbound::Frame(frame))
                        {
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
                        let (code, reason) = close_for(&why);
                        let _ = tx.try_send(Outbound::Close(code, reason));
                    }
                }
            }
        }
        // Dropping a slow peer's sender ends its socket; the room forgets it too (its
        // presence removal may find more slow peers, handled on their next send).
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
                            let _ = tx.try_send(Outbound::Frame(frame));
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
