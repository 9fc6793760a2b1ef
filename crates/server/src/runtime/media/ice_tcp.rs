//! Passive ICE-TCP (RFC 6544) for the media loop, for browsers whose network blocks UDP:
//! the listener, one task per connection (RFC 4571 frames in and out, framed by
//! [`confab_media::framing`]), and the loop's table of open connections, keyed by the peer's
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

use confab_media::framing::{frame, Deframer};
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
                    // Out of file descriptors fails at once, every time: pause rather
                    // than spin.
                    tracing::warn!(error = %e, "ICE-TCP accept failed");
                    tokio::time::sleep(Duration::from_millis(100)).await;
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

#[cfg(test)]
mod tests {
    use super::*;

    fn table(send_buffer: usize) -> Connections {
        Connections::new(&MediaConfig {
            tcp_send_buffer_bytes: send_buffer,
            tcp_idle_secs: 30,
            ..crate::config::Config::default().media
        })
    }

    /// A connection as its task would open it, with the task's ends.
    fn open(
        t: &mut Connections,
        peer: &str,
        now: Instant,
    ) -> (mpsc::UnboundedReceiver<Vec<u8>>, CancellationToken) {
        let (tx, rx) = mpsc::unbounded_channel();
        let close = CancellationToken::new();
        let conn = Conn {
            id: 1,
            tx,
            queued: Arc::default(),
            close: close.clone(),
        };
        t.opened(peer.parse().unwrap(), conn, now);
        (rx, close)
    }

    fn owner(n: u128) -> Owner {
        let meeting = MeetingId(uuid::Uuid::from_u128(1));
        (meeting, ParticipantId(uuid::Uuid::from_u128(n)))
    }

    #[test]
    fn packets_go_framed_to_the_connection_from_that_address_and_nowhere_else() {
        let mut t = table(1 << 16);
        let (mut rx, _) = open(&mut t, "192.0.2.1:50000", Instant::now());
        t.send("192.0.2.1:50000".parse().unwrap(), b"rtp");
        // A browser's `tcptype active` candidate: nothing listens there.
        t.send("192.0.2.1:9".parse().unwrap(), b"stun");
        assert_eq!(rx.try_recv().unwrap(), vec![0, 3, b'r', b't', b'p']);
        assert!(rx.try_recv().is_err());
    }

    #[test]
    fn a_full_send_buffer_drops_packets_rather_than_waiting() {
        let mut t = table(2500);
        let (mut rx, _) = open(&mut t, "192.0.2.1:50000", Instant::now());
        for _ in 0..3 {
            t.send("192.0.2.1:50000".parse().unwrap(), &[0; 1000]);
        }
        assert_eq!(rx.try_recv().unwrap().len(), 1002);
        assert_eq!(rx.try_recv().unwrap().len(), 1002);
        assert!(rx.try_recv().is_err(), "the third did not fit");
    }

    #[test]
    fn strangers_are_cut_off_but_a_participant_only_loses_the_packet() {
        let now = Instant::now();
        let mut t = table(1 << 16);
        let (_rx, stranger) = open(&mut t, "192.0.2.1:50000", now);
        let (_rx2, known) = open(&mut t, "192.0.2.2:50000", now);
        t.accepted("192.0.2.2:50000".parse().unwrap(), owner(7), now);
        t.rejected("192.0.2.1:50000".parse().unwrap());
        t.rejected("192.0.2.2:50000".parse().unwrap());
        assert!(stranger.is_cancelled());
        assert!(!known.is_cancelled());
    }

    #[test]
    fn connections_close_when_idle_or_when_their_participant_leaves() {
        let now = Instant::now();
        let mut t = table(1 << 16);
        let (_a, ann) = open(&mut t, "192.0.2.1:50000", now);
        let (_b, bob) = open(&mut t, "192.0.2.2:50000", now);
        let (_c, cid) = open(&mut t, "192.0.2.3:50000", now);
        t.accepted("192.0.2.1:50000".parse().unwrap(), owner(1), now);
        t.accepted("192.0.2.2:50000".parse().unwrap(), owner(2), now);
        t.left(owner(1));
        assert!(ann.is_cancelled() && !bob.is_cancelled());
        // Bob keeps talking; Cid never says anything anyone accepts.
        let later = now + Duration::from_secs(31);
        t.accepted("192.0.2.2:50000".parse().unwrap(), owner(2), later);
        t.close_idle(later);
        assert!(!bob.is_cancelled() && cid.is_cancelled());
    }
}
