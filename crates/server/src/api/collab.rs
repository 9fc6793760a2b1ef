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
//! Who may do what is decided once, at connect time, by the live meeting actor:
//! the seat must belong to `{meeting}`, be in the meeting now (and for an annotation
//! layer, be allowed to see that page); it may write iff
//! [`confab_core::meeting::Meeting::may_annotate`]. A permission change applies to the
//! next connection (the client reconnects on close).
//!
//! One room per document runs as its own task in [`crate::runtime::shared_docs`]; this
//! socket sends it frames and writes what it queues (bounded; a full queue cuts the
//! socket off).

use std::{str::FromStr, time::Duration};

use axum::{
    extract::{
        ws::{CloseFrame, Message, WebSocket},
        State, WebSocketUpgrade,
    },
    response::Response,
};
use chrono::Utc;
use confab_collab::{DocKey, DocName, PeerId};
use confab_core::ratelimit::TokenBucket;
use confab_proto::{rest::MeetingStatus, MeetingId};
use futures_util::{SinkExt, StreamExt};
use serde::Deserialize;
use tokio::sync::mpsc;

use super::{
    error::{ApiError, ApiResult, Path, Query},
    AppState,
};
use crate::{
    runtime::{
        meeting::ActorMsg,
        shared_docs::{DocMsg, Outbound},
    },
    secrets::secret_hash,
};

/// Time to write one frame before the client counts as gone.
const WRITE_TIMEOUT: Duration = Duration::from_secs(10);
/// Frames per second a connection may send (after a burst of as many). Generous for
/// freehand drawing; beyond it reading pauses (TCP pushes back), nothing is dropped,
/// because a dropped update would leave that client diverged.
const FRAMES_PER_SECOND: u32 = 100;

static NEXT_PEER: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(1);

#[derive(Deserialize)]
pub struct TokenQuery {
    token: String,
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
        .meetings
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
    let Some(room) = state.shared_docs.join(key, peer, writable, tx).await else {
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
                if room.send(DocMsg::Frame { peer, frame }).await.is_err() {
                    break;
                }
            }
        }
    }
    let _ = room.send(DocMsg::Leave { peer }).await;
    tracing::debug!(%key, %peer, "collab peer left");
}
