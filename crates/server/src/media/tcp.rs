//! Passive ICE-TCP (RFC 6544) for the media loop, for browsers whose network blocks UDP:
//! the listener, one task per connection (RFC 4571 frames in and out, framed by
//! [`confab_media::tcp`]), and the loop's table of open connections, keyed by the peer's
//! address as str0m names it. Which participant a packet belongs to is the SFUs' call;
//! the table only remembers the answer.
//!
//! A connection lives while it carries something a participant accepts. Its first packet
//! must be (a STUN check with a participant's credentials), or it is closed: garbage and
//! strangers hold nothing. It is closed too when it carries nothing accepted for
//! `tcp_idle_secs`, when its participant leaves the SFU, on a frame over
//! `max_packet_bytes`, and at shutdown. Sending never waits on a slow connection: past
//! `tcp_send_buffer_bytes` queued, packets toward it are dropped.

use std::{
    collections::HashMap,
    net::SocketAddr,
    sync::{
        atomic::{AtomicUsize, Ordering},
        Arc,
    },
    time::{Duration, Instant},
};

use confab_media::tcp::{frame, Deframer};
use confab_proto::{MeetingId, ParticipantId};
use tokio::{
    io::{AsyncReadExt, AsyncWriteExt},
    net::{TcpListener, TcpStream},
    sync::{mpsc, Semaphore},
};
use tokio_util::sync::CancellationToken;

use crate::config::MediaConfig;

/// Whose peer connection a TCP connection carries.
pub(super) type Owner = (MeetingId, ParticipantId);

/// What the connection tasks tell the media loop, in order per connection.
pub(super) enum TcpEvent {
    Opened(SocketAddr, Conn),
    Packet(SocketAddr, Vec<u8>),
    /// The connection with this id ended (an id, so a late notice of an old connection
    /// from the same address cannot remove a new one).
    Closed(SocketAddr, u64),
}

/// The media loop's end of one connection.
pub(super) struct Conn {
    id: u64,
    tx: mpsc::UnboundedSender<Vec<u8>>,
    /// Bytes handed to the writer and not yet written; bounded by the loop, not the channel.
    queued: Arc<AtomicUsize>,
    close: CancellationToken,
}

struct Entry {
    conn: Conn,
    owner: Option<Owner>,
    last_accepted: Instant,
}

/// The open ICE-TCP connections by peer address.
pub(super) struct Connections {
    by_peer: HashMap<SocketAddr, Entry>,
    send_buffer: usize,
    idle: Duration,
}

impl Connections {
    pub fn new(cfg: &MediaConfig) -> Self {
        Self {
            by_peer: HashMap::new(),
            send_buffer: cfg.tcp_send_buffer_bytes,
            idle: cfg.tcp_idle(),
        }
    }

    pub fn opened(&mut self, peer: SocketAddr, conn: Conn, now: Instant) {
        let entry = Entry {
            conn,
            owner: None,
            last_accepted: now,
        };
        if let Some(old) = self.by_peer.insert(peer, entry) {
            old.conn.close.cancel();
        }
    }

    pub fn closed(&mut self, peer: SocketAddr, id: u64) {
        if self.by_peer.get(&peer).is_some_and(|e| e.conn.id == id) {
            self.by_peer.remove(&peer);
        }
    }

    /// Frames `packet` onto the connection from `to`. Without one there is nothing to
    /// do: str0m also aims at browsers' `tcptype active` candidates (port 9), which
    /// accept nothing; only connections the browser opened carry media.
    pub fn send(&self, to: SocketAddr, packet: &[u8]) {
        let Some(entry) = self.by_peer.get(&to) else {
            return;
        };
        let Ok(framed) = frame(packet) else {
            return;
        };
        let conn = &entry.conn;
        let len = framed.len();
        if conn.queued.load(Ordering::Relaxed) + len > self.send_buffer {
            return;
        }
        conn.queued.fetch_add(len, Ordering::Relaxed);
        if conn.tx.send(framed).is_err() {
            conn.queued.fetch_sub(len, Ordering::Relaxed);
        }
    }

    /// `owner`'s peer connection accepted a packet from `peer`.
    pub fn accepted(&mut self, peer: SocketAddr, owner: Owner, now: Instant) {
        if let Some(entry) = self.by_peer.get_mut(&peer) {
            entry.owner = Some(owner);
            entry.last_accepted = now;
        }
    }

    /// Nobody accepted a packet from `peer`: a connection that never carried anything
    /// accepted belongs to nobody and is closed; an established one just loses the packet.
    pub fn rejected(&mut self, peer: SocketAddr) {
        if let Some(entry) = self.by_peer.get(&peer) {
            if entry.owner.is_none() {
                tracing::debug!(%peer, "closing an ICE-TCP connection nobody accepts");
                entry.conn.close.cancel();
            }
        }
    }

    /// `owner` left the SFU: their connections close.
    pub fn left(&self, owner: Owner) {
        for entry in self.by_peer.values() {
            if entry.owner == Some(owner) {
                entry.conn.close.cancel();
            }
        }
    }

    /// Closes connections that carried nothing accepted for the idle limit.
    pub fn close_idle(&self, now: Instant) {
        for (peer, entry) in &self.by_peer {
            if now.saturating_duration_since(entry.last_accepted) > self.idle {
                tracing::debug!(%peer, "closing an idle ICE-TCP connection");
                entry.conn.close.cancel();
            }
        }
    }
}

/// Accepts connections until shutdown, at most `max_tcp_connections` at once.
pub(super) async fn listen(
    listener: TcpListener,
    max_connections: usize,
    max_packet: usize,
    events: mpsc::Sender<TcpEvent>,
    shutdown: CancellationToken,
) {
    let slots = Arc::new(Semaphore::new(max_connections));
    let mut next_id = 0u64;
    loop {
        let (stream, peer) = tokio::select! {
            r = listener.accept() => match r {
                Ok(accepted) => accepted,
                Err(e) => {
                    tracing::debug!(error = %e, "ICE-TCP accept failed");
                    continue;
                }
            },
            () = shutdown.cancelled() => return,
        };
        let Ok(permit) = slots.clone().try_acquire_owned() else {
            tracing::debug!(%peer, "refusing an ICE-TCP connection: too many open");
            continue;
        };
        next_id += 1;
        let close = shutdown.child_token();
        let task = connection(stream, peer, next_id, max_packet, events.clone(), close);
        tokio::spawn(async move {
            task.await;
            drop(permit);
        });
    }
}

/// One connection: frames in to the loop, frames from the loop out, until either side
/// closes or the loop closes it.
async fn connection(
    stream: TcpStream,
    peer: SocketAddr,
    id: u64,
    max_packet: usize,
    events: mpsc::Sender<TcpEvent>,
    close: CancellationToken,
) {
    let _ = stream.set_nodelay(true);
    let (mut read, mut write) = stream.into_split();
    let (tx, mut outgoing) = mpsc::unbounded_channel::<Vec<u8>>();
    let queued = Arc::new(AtomicUsize::new(0));
    let conn = Conn {
        id,
        tx,
        queued: queued.clone(),
        close: close.clone(),
    };
    if events.send(TcpEvent::Opened(peer, conn)).await.is_err() {
        return;
    }
    let writer_close = close.clone();
    let writer = tokio::spawn(async move {
        while let Some(framed) = outgoing.recv().await {
            let written = write.write_all(&framed).await;
            queued.fetch_sub(framed.len(), Ordering::Relaxed);
            if written.is_err() {
                writer_close.cancel();
                break;
            }
        }
    });
    let mut deframer = Deframer::new(max_packet);
    let mut buf = vec![0u8; 16 * 1024];
    'read: loop {
        let n = tokio::select! {
            r = read.read(&mut buf) => match r {
                Ok(0) | Err(_) => break,
                Ok(n) => n,
            },
            () = close.cancelled() => break,
        };
        let packets = match deframer.push(&buf[..n]) {
            Ok(packets) => packets,
            Err(e) => {
                tracing::debug!(%peer, error = %e, "closing an ICE-TCP connection");
                break;
            }
        };
        for packet in packets {
            if events.send(TcpEvent::Packet(peer, packet)).await.is_err() {
                break 'read;
            }
        }
    }
    writer.abort();
    let _ = events.send(TcpEvent::Closed(peer, id)).await;
}
