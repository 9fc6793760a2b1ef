//! One WebSocket connection, whatever it carries. Every socket of the edge (the room
//! channel, shared documents, and whatever comes next) runs on this, so each gets the
//! same guarantees without writing them again:
//!
//! - a bounded outbox from its runtime ([`crate::runtime::outbox`]), written with a
//!   deadline per frame, and closed at once when the runtime cuts it off as too slow;
//! - an idle timeout on reads (pings and pongs count as heard);
//! - a token bucket for the client's frames;
//! - small transport buffers, and a transport limit of twice the protocol's frame limit,
//!   so an oversized frame still arrives to be answered with a precise close code.
//!
//! What the frames mean, and which close code answers what, is each protocol's business
//! (`room_channel`, `collab`); the codes themselves are defined once, in `confab_proto`.

use std::time::Duration;

use axum::extract::{
    ws::{CloseFrame, Message, Utf8Bytes, WebSocket},
    WebSocketUpgrade,
};
use bytes::Bytes;
use chrono::Utc;
use confab_core::ratelimit::TokenBucket;
use futures_util::{
    stream::{SplitSink, SplitStream},
    SinkExt, StreamExt,
};
use tokio::time::Instant;

use crate::runtime::outbox::{OutboxRx, Taken};

/// The limits of one kind of socket.
#[derive(Clone, Copy, Debug)]
pub struct SocketLimits {
    /// Largest frame the protocol accepts, in bytes.
    pub max_frame_bytes: usize,
    /// Time to write one frame before the client counts as gone.
    pub write_timeout: Duration,
    /// Time without any frame from the client before the connection is closed.
    pub idle_timeout: Duration,
    /// Client frames accepted at once, then per second.
    pub burst: u32,
    pub per_second: f64,
}

/// Kernel-side buffers of each socket: 250 connections with tungstenite's 128 KiB
/// defaults would cost 64 MiB for nothing; frames here are small.
const BUFFER_BYTES: usize = 8 * 1024;

/// Configures an upgrade for a socket with these limits. Frames up to twice the limit
/// are read so an oversized one gets a clear close code from the protocol; beyond that
/// the transport refuses them itself.
pub fn upgrade(ws: WebSocketUpgrade, limits: &SocketLimits) -> WebSocketUpgrade {
    ws.max_message_size(limits.max_frame_bytes * 2)
        .max_frame_size(limits.max_frame_bytes * 2)
        .read_buffer_size(BUFFER_BYTES)
        .write_buffer_size(BUFFER_BYTES)
}

/// What happened next on a socket.
#[derive(Debug)]
pub enum Next<M> {
    /// The runtime queued this.
    Out(M),
    /// The runtime cut the socket off (its outbox was full).
    Cut,
    /// The runtime let the socket go, or stopped.
    Dropped,
    /// A text frame from the client.
    Text(Utf8Bytes),
    /// A binary frame from the client.
    Binary(Bytes),
    /// The client closed, the connection broke, or it was silent for too long.
    /// `going_away`: the client's close frame said 1001, which browsers send when the
    /// page closes or reloads (as opposed to a network that dropped).
    Gone { going_away: bool },
}

/// The close code browsers send when a page closes or navigates away (RFC 6455).
const GOING_AWAY: u16 = 1001;

/// One connection: the writer and reader halves with their deadlines and rate.
pub struct Socket {
    sink: SplitSink<WebSocket, Message>,
    stream: SplitStream<WebSocket>,
    limits: SocketLimits,
    last_heard: Instant,
    bucket: TokenBucket,
}

impl Socket {
    pub fn new(ws: WebSocket, limits: SocketLimits) -> Self {
        let (sink, stream) = ws.split();
        Self {
            sink,
            stream,
            limits,
            last_heard: Instant::now(),
            bucket: TokenBucket::new(limits.burst, limits.per_second),
        }
    }

    /// The first data frame, if it comes within `timeout` (a handshake such as `hello`).
    pub async fn first(&mut self, timeout: Duration) -> Option<Message> {
        let deadline = Instant::now() + timeout;
        loop {
            match tokio::time::timeout_at(deadline, self.stream.next()).await {
                Ok(Some(Ok(Message::Ping(_) | Message::Pong(_)))) => continue,
                Ok(Some(Ok(m @ (Message::Text(_) | Message::Binary(_))))) => {
                    self.last_heard = Instant::now();
                    return Some(m);
                }
                _ => return None,
            }
        }
    }

    /// Waits for what comes next: what the runtime queued first (a cut before all), then
    /// what the client sent. Cancel-safe.
    pub async fn next<M>(&mut self, outbox: &mut OutboxRx<M>) -> Next<M> {
        let idle_at = self.last_heard + self.limits.idle_timeout;
        loop {
            tokio::select! {
                biased;
                taken = outbox.take() => return match taken {
                    Taken::Message(m) => Next::Out(m),
                    Taken::Cut => Next::Cut,
                    Taken::Dropped => Next::Dropped,
                },
                incoming = tokio::time::timeout_at(idle_at, self.stream.next()) => {
                    let frame = match incoming {
                        Ok(Some(Ok(frame))) => frame,
                        // Closed, broken, or silent for too long.
                        _ => return Next::Gone { going_away: false },
                    };
                    self.last_heard = Instant::now();
                    match frame {
                        Message::Text(t) => return Next::Text(t),
                        Message::Binary(b) => return Next::Binary(b),
                        Message::Ping(_) | Message::Pong(_) => continue,
                        Message::Close(frame) => {
                            let going_away = frame.is_some_and(|f| f.code == GOING_AWAY);
                            return Next::Gone { going_away };
                        }
                    }
                }
            }
        }
    }

    /// Writes one frame within the write timeout; `false` when the client is gone.
    pub async fn send(&mut self, msg: Message) -> bool {
        matches!(
            tokio::time::timeout(self.limits.write_timeout, self.sink.send(msg)).await,
            Ok(Ok(()))
        )
    }

    /// Sends a close frame (best effort, within the write timeout). The caller stops.
    pub async fn close(&mut self, code: u16, reason: impl Into<Utf8Bytes>) {
        let frame = Message::Close(Some(CloseFrame {
            code,
            reason: reason.into(),
        }));
        let _ = self.send(frame).await;
    }

    /// Takes one frame's token from the client's budget; `false` when it is spent.
    pub fn allow(&mut self) -> bool {
        self.bucket.try_take(Utc::now())
    }

    /// Waits until the client's budget has a token, and takes it. Reading pauses
    /// meanwhile, so TCP pushes back on the client and nothing it sent is dropped.
    pub async fn throttle(&mut self) {
        while !self.allow() {
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    }
}
