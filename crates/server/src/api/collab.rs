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
//! request span of the HTTP trace layer (see `api/mod.rs`) records the path without the query
//! (tower-http's default span holds the full URI, at DEBUG level).
//!
//! Who may do what is the live meeting actor's call, and it follows the meeting: the
//! seat must belong to `{meeting}` and be in the meeting now (for an annotation layer,
//! able to see that page) to connect; it may write iff
//! [`confab_core::meeting::Meeting::collab_access`] says so, and while the socket is open
//! every change of permission, role, membership, page or meeting state reaches it at
//! once: it becomes read-only (a write is then refused with [`CollabClose::ReadOnly`]),
//! writable again, or is closed with [`CollabClose::Withdrawn`].
//!
//! One room per document runs as its own task in [`crate::runtime::shared_docs`]; this
//! socket runs on the shared [`Socket`], sends the room frames and writes what it queues.

use std::{
    str::FromStr,
    sync::atomic::{AtomicU64, Ordering},
};

use axum::{
    extract::{ws::Message, State, WebSocketUpgrade},
    response::Response,
};
use chrono::Utc;
use confab_collab::{DocKey, DocName, PeerId};
use confab_proto::{rest::MeetingStatus, shared_doc::CollabClose, MeetingId};
use serde::Deserialize;
use tokio::sync::watch;

use super::{
    error::{ApiError, ApiResult, Path, Query},
    socket::{self, Next, Socket, SocketLimits},
    AppState,
};
use crate::{
    config::Config,
    runtime::{
        meeting::{ActorMsg, DocAccess},
        outbox::outbox,
        shared_docs::{DocMsg, DocOut},
    },
    secrets::secret_hash,
};

static NEXT_PEER: AtomicU64 = AtomicU64::new(1);

#[derive(Deserialize)]
pub struct TokenQuery {
    token: String,
}

/// This socket's limits, from the configuration.
fn limits(config: &Config) -> SocketLimits {
    let c = &config.collab;
    SocketLimits {
        max_frame_bytes: c.max_message_bytes,
        write_timeout: config.limits.write_timeout(),
        // Stock clients renew their presence (or, read-only, ask for it) well within it.
        idle_timeout: config.limits.idle_timeout(),
        burst: c.frames_burst,
        per_second: c.frames_per_second,
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
        .meeting_in(seat.tenant(), meeting)
        .await?
        .ok_or(ApiError::NotFound("meeting"))?;
    match row.status()? {
        MeetingStatus::Scheduled => {}
        MeetingStatus::Cancelled => return Err(ApiError::MeetingCancelled),
        MeetingStatus::Ended => return Err(ApiError::MeetingEnded),
    }
    let participant = seat.participant();
    let access = state
        .meetings
        .ask(meeting, |reply| ActorMsg::OpenDoc {
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
    let limits = limits(&state.config);
    Ok(socket::upgrade(ws, &limits)
        .on_upgrade(move |ws| serve(Socket::new(ws, limits), state, key, access)))
}

async fn close(socket: &mut Socket, why: CollabClose) {
    socket.close(why.close_code(), why.reason()).await;
}

/// Runs one connection to its end.
async fn serve(
    mut socket: Socket,
    state: AppState,
    key: DocKey,
    mut access: watch::Receiver<DocAccess>,
) {
    let peer = PeerId(NEXT_PEER.fetch_add(1, Ordering::Relaxed));
    let (tx, mut rx) = outbox(state.config.limits.outbound_queue);
    // Any change from here on is passed to the room after the join.
    let writable = *access.borrow_and_update() == DocAccess::Write;
    let Some(room) = state.shared_docs.join(key, peer, writable, tx).await else {
        return close(&mut socket, CollabClose::TryAgain).await;
    };
    tracing::debug!(%key, %peer, writable, "collab peer joined");
    let why = loop {
        let next = tokio::select! {
            biased;
            changed = access.changed() => match changed.map(|()| *access.borrow_and_update()) {
                Ok(DocAccess::Withdrawn) => break Some(CollabClose::Withdrawn),
                Ok(a) => {
                    let writable = a == DocAccess::Write;
                    if room.send(DocMsg::Access { peer, writable }).await.is_err() {
                        break Some(CollabClose::TryAgain);
                    }
                    continue;
                }
                // The meeting stopped (the server is shutting down): reconnect later.
                Err(_) => break Some(CollabClose::ServerShutdown),
            },
            next = socket.next(&mut rx) => next,
        };
        let frame = match next {
            Next::Out(DocOut::Frame(f)) => {
                if !socket.send(Message::Binary(f)).await {
                    break None;
                }
                continue;
            }
            Next::Out(DocOut::Close(why)) => break Some(why),
            // Too slow, or the room let us go (it stopped).
            Next::Cut | Next::Dropped => break Some(CollabClose::TryAgain),
            Next::Text(_) => break Some(CollabClose::BinaryOnly),
            Next::Gone => break None,
            Next::Binary(frame) => frame,
        };
        socket.throttle().await;
        if room.send(DocMsg::Frame { peer, frame }).await.is_err() {
            break None;
        }
    };
    if let Some(why) = why {
        close(&mut socket, why).await;
    }
    let _ = room.send(DocMsg::Leave { peer }).await;
    tracing::debug!(%key, %peer, "collab peer left");
}
