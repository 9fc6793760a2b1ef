//! The media I/O loop: one UDP socket and one TCP listener for passive ICE-TCP (unless
//! turned off; see the `ice_tcp` module) shared by every live meeting's SFU (str0m peers behind one
//! address), driven by packets, commands and time. Meetings reach it through
//! [`Media`]; it tells each meeting what its SFU noticed (slots, layers to pause, the
//! dominant speaker, dropped connections).
//!
//! Each meeting has its own [`Sfu`], so media never crosses meetings. A datagram goes to
//! the SFU whose participant accepts it, and only that SFU is polled; the others are
//! polled when their own timers come due.

use std::{
    collections::HashMap,
    net::SocketAddr,
    sync::Arc,
    time::{Duration, Instant},
};

use confab_media::{
    layers::LayerLimits,
    router::{Source, Tile, TrackId},
    sfu::{
        Addresses, Datagram, Dropped, Gate, Notice, Protocol, SdpOffer, Sfu, SfuConfig, SfuError,
    },
};
use confab_proto::{
    room::{IceServer, MediaTile},
    MeetingId, ParticipantId, Policy,
};
use tokio::{
    net::{TcpListener, UdpSocket},
    sync::{mpsc, oneshot},
};
use tokio_util::sync::CancellationToken;

use self::{
    ice_tcp::{Connections, TcpEvent},
    turn::TurnConfig,
};
use crate::{
    config::{MediaConfig, SfuSettings},
    runtime::meeting::ActorMsg,
};

mod ice_tcp;
pub mod turn;

/// Why an offer got no answer.
#[derive(Debug, thiserror::Error)]
pub enum OfferError {
    #[error("not a valid offer: {0}")]
    Sdp(String),
    #[error(transparent)]
    Refused(#[from] SfuError),
    #[error("media is shutting down")]
    ShuttingDown,
}

enum Command {
    Offer {
        meeting: MeetingId,
        participant: ParticipantId,
        sdp: String,
        gate: Gate,
        policy: Box<Policy>,
        room: mpsc::Sender<ActorMsg>,
        reply: oneshot::Sender<Result<String, OfferError>>,
    },
    Layout {
        meeting: MeetingId,
        participant: ParticipantId,
        tiles: Vec<MediaTile>,
    },
    Gate {
        meeting: MeetingId,
        participant: ParticipantId,
        gate: Gate,
    },
    Gone {
        meeting: MeetingId,
        participant: ParticipantId,
    },
    /// Answers whether nothing is left of a meeting's media (for tests).
    IsEmpty {
        meeting: MeetingId,
        reply: oneshot::Sender<bool>,
    },
}

/// Handle to the media loop; cheap to clone.
#[derive(Clone)]
pub struct Media {
    tx: mpsc::Sender<Command>,
    turn: Option<Arc<TurnConfig>>,
}

impl Media {
    /// Binds the UDP socket (and the ICE-TCP listener, unless turned off) and starts the
    /// loop. Returns the bound addresses. Candidates carry `public_ip` when set (NAT,
    /// containers) with the bound ports.
    pub async fn start(
        cfg: &MediaConfig,
        shutdown: CancellationToken,
    ) -> std::io::Result<(Self, Addresses)> {
        let socket = bind_udp(cfg.listen, cfg.socket_buffer_bytes)?;
        let udp = socket.local_addr()?;
        let listener = match cfg.tcp_listen() {
            Some(addr) => Some(TcpListener::bind(addr).await?),
            None => None,
        };
        let tcp = listener.as_ref().map(TcpListener::local_addr).transpose()?;
        let public = |bound: SocketAddr| match cfg.public_ip {
            Some(ip) => SocketAddr::new(ip, bound.port()),
            None => bound,
        };
        let advertised = Addresses {
            udp: public(udp),
            tcp: tcp.map(public),
        };
        let (tx, rx) = mpsc::channel(cfg.command_queue);
        let (inbound_tx, inbound) = mpsc::channel(cfg.command_queue);
        if let Some(listener) = listener {
            let (max, packet) = (cfg.max_tcp_connections, cfg.max_packet_bytes);
            tokio::spawn(ice_tcp::listen(
                listener,
                max,
                packet,
                inbound_tx,
                shutdown.clone(),
            ));
        }
        let io = Io {
            socket,
            tcp: Connections::new(cfg),
            max_packet: cfg.max_packet_bytes,
            sfu: cfg.sfu.clone(),
        };
        tokio::spawn(run(io, advertised, rx, inbound, shutdown));
        let turn = cfg.turn.clone().map(Arc::new);
        Ok((Self { tx, turn }, Addresses { udp, tcp }))
    }

    /// The TURN relays `participant` may use, with fresh credentials (none if unset).
    pub fn ice_servers(&self, participant: ParticipantId) -> Vec<IceServer> {
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_secs());
        self.turn
            .iter()
            .map(|t| t.ice_server(participant, now))
            .collect()
    }

    /// Answers a participant's offer, or says why not. `gate` is what they may publish;
    /// `policy` (the meeting's) caps the video layers forwarded.
    ///
    /// The offer is queued in order with the other commands (a gate or layout sent after
    /// it applies to the new connection); the returned future waits for the answer.
    pub(crate) async fn offer(
        &self,
        meeting: MeetingId,
        participant: ParticipantId,
        sdp: String,
        gate: Gate,
        policy: &Policy,
        room: mpsc::Sender<ActorMsg>,
    ) -> impl std::future::Future<Output = Result<String, OfferError>> + use<> {
        let (reply, answer) = oneshot::channel();
        let cmd = Command::Offer {
            meeting,
            participant,
            sdp,
            gate,
            policy: Box::new(policy.clone()),
            room,
            reply,
        };
        let queued = self.tx.send(cmd).await.is_ok();
        async move {
            if !queued {
                return Err(OfferError::ShuttingDown);
            }
            answer.await.map_err(|_| OfferError::ShuttingDown)?
        }
    }

    /// Commands that need no answer, in order: the loop is never awaited for long.
    async fn tell(&self, cmd: Command) {
        let _ = self.tx.send(cmd).await;
    }

    /// A participant's layout changed.
    pub async fn layout(
        &self,
        meeting: MeetingId,
        participant: ParticipantId,
        tiles: Vec<MediaTile>,
    ) {
        self.tell(Command::Layout {
            meeting,
            participant,
            tiles,
        })
        .await;
    }

    /// What may flow from a participant changed (a mute, a permission).
    pub async fn gate(&self, meeting: MeetingId, participant: ParticipantId, gate: Gate) {
        self.tell(Command::Gate {
            meeting,
            participant,
            gate,
        })
        .await;
    }

    /// A participant left media (their peer connection is gone).
    pub async fn gone(&self, meeting: MeetingId, participant: ParticipantId) {
        self.tell(Command::Gone {
            meeting,
            participant,
        })
        .await;
    }

    /// Whether nothing is left of a meeting's media: no peers, routes, tracks or slots.
    pub async fn is_empty(&self, meeting: MeetingId) -> bool {
        let (reply, answer) = oneshot::channel();
        self.tell(Command::IsEmpty { meeting, reply }).await;
        answer.await.unwrap_or(true)
    }
}

/// The SFU's settings for a meeting under `policy`.
fn sfu_config(settings: &SfuSettings, policy: &Policy) -> SfuConfig {
    settings.sfu_config(LayerLimits {
        max_height: policy.max_video_height,
        max_bitrate: policy.max_video_bitrate_kbps.saturating_mul(1000),
        ..LayerLimits::default()
    })
}

/// A client's layout in the router's terms.
fn tiles(layout: Vec<MediaTile>) -> Vec<Tile> {
    layout
        .into_iter()
        .map(|t| match t {
            MediaTile::Participant {
                participant,
                height,
            } => Tile::Track {
                track: TrackId {
                    publisher: participant,
                    source: Source::Camera,
                },
                height,
            },
            MediaTile::Speaker { height } => Tile::Speaker { height },
        })
        .collect()
}

struct MeetingMedia {
    id: MeetingId,
    sfu: Sfu,
    room: mpsc::Sender<ActorMsg>,
}

impl MeetingMedia {
    /// Whether nobody is left, in which case what the SFU dropped over the meeting is
    /// logged (payload types not negotiated, tracks a receiver could not decode).
    fn ended(&self) -> bool {
        let ended = self.sfu.is_empty();
        let dropped = self.sfu.dropped();
        if ended && dropped != Dropped::default() {
            tracing::info!(meeting = %self.id, ?dropped, "media packets dropped during the meeting");
        }
        ended
    }

    /// Polls the SFU, sends its datagrams, and relays its notices to the meeting (without
    /// waiting on the meeting actor: a full queue drops the notice, and the SFU tells
    /// the state again at its next decision).
    async fn poll(&mut self, io: &Io, now: Instant) {
        for d in self.sfu.poll(now) {
            io.send(d).await;
        }
        for notice in self.sfu.take_notices() {
            if let Notice::Gone(participant) = notice {
                io.tcp.left((self.id, participant));
            }
            if let Err(e) = self.room.try_send(ActorMsg::Media(notice)) {
                if let ActorMsg::Media(notice) = e.into_inner() {
                    tracing::warn!(?notice, "the meeting could not take a media notice");
                    self.sfu.notice_lost(&notice);
                }
            }
        }
    }
}

/// The sockets: UDP, and the ICE-TCP connections by peer address.
struct Io {
    socket: UdpSocket,
    tcp: Connections,
    max_packet: usize,
    sfu: SfuSettings,
}

impl Io {
    async fn send(&self, d: Datagram) {
        match d.proto {
            Protocol::Udp => {
                let _ = self.socket.send_to(&d.data, d.to).await;
            }
            Protocol::Tcp => self.tcp.send(d.to, &d.data),
            _ => {}
        }
    }
}

async fn run(
    mut io: Io,
    local: Addresses,
    mut rx: mpsc::Receiver<Command>,
    mut tcp_events: mpsc::Receiver<TcpEvent>,
    shutdown: CancellationToken,
) {
    let mut meetings: HashMap<MeetingId, MeetingMedia> = HashMap::new();
    // One byte more than the largest packet, to tell a larger datagram (cut to fit).
    let mut buf = vec![0u8; io.max_packet + 1];
    let idle = Duration::from_secs(1);
    loop {
        let now = Instant::now();
        let wake = meetings
            .values()
            .filter_map(|m| m.sfu.next_wake())
            .min()
            .unwrap_or(now + idle);
        let sleep = tokio::time::Instant::now() + wake.saturating_duration_since(now);
        tokio::select! {
            r = io.socket.recv_from(&mut buf) => {
                let Ok((n, from)) = r else { continue };
                if n <= io.max_packet {
                    receive(&mut meetings, &io, Protocol::Udp, from, &buf[..n]).await;
                }
            }
            Some(event) = tcp_events.recv() => match event {
                TcpEvent::Opened(peer, conn) => io.tcp.opened(peer, conn, Instant::now()),
                TcpEvent::Closed(peer, id) => io.tcp.closed(peer, id),
                TcpEvent::Packet(peer, packet) => {
                    match receive(&mut meetings, &io, Protocol::Tcp, peer, &packet).await {
                        Some(owner) => io.tcp.accepted(peer, owner, Instant::now()),
                        None => io.tcp.rejected(peer),
                    }
                }
            },
            cmd = rx.recv() => {
                let Some(cmd) = cmd else { break };
                command(cmd, &mut meetings, local, &io).await;
            }
            () = tokio::time::sleep_until(sleep) => {
                let now = Instant::now();
                for m in meetings.values_mut() {
                    if m.sfu.next_wake().is_some_and(|t| t <= now) {
                        m.poll(&io, now).await;
                    }
                }
                // Connections that timed out may have left a meeting's SFU empty.
                meetings.retain(|_, m| !m.ended());
                io.tcp.close_idle(now);
            }
            () = shutdown.cancelled() => break,
        }
    }
}

/// Hands a packet to the meeting whose participant it belongs to, polls only that one,
/// and says whose it was (nobody's: dropped).
async fn receive(
    meetings: &mut HashMap<MeetingId, MeetingMedia>,
    io: &Io,
    proto: Protocol,
    from: SocketAddr,
    packet: &[u8],
) -> Option<ice_tcp::Owner> {
    let now = Instant::now();
    let m = meetings
        .values_mut()
        .find(|m| m.sfu.accepts(now, proto, from, packet))?;
    let participant = m.sfu.handle_receive(now, proto, from, packet);
    m.poll(io, now).await;
    Some((m.id, participant?))
}

async fn command(
    cmd: Command,
    meetings: &mut HashMap<MeetingId, MeetingMedia>,
    local: Addresses,
    io: &Io,
) {
    let now = Instant::now();
    let meeting = match cmd {
        Command::Offer {
            meeting,
            participant,
            sdp,
            gate,
            policy,
            room,
            reply,
        } => {
            let m = meetings.entry(meeting).or_insert_with(|| MeetingMedia {
                id: meeting,
                sfu: Sfu::new(local, sfu_config(&io.sfu, &policy)),
                room: room.clone(),
            });
            m.room = room;
            let answer = SdpOffer::from_sdp_string(&sdp)
                .map_err(|e| OfferError::Sdp(e.to_string()))
                .and_then(|offer| Ok(m.sfu.add_peer(participant, offer, gate, now)?))
                .map(|a| a.to_sdp_string());
            let _ = reply.send(answer);
            meeting
        }
        Command::Layout {
            meeting,
            participant,
            tiles: layout,
        } => {
            if let Some(m) = meetings.get_mut(&meeting) {
                m.sfu.set_layout(participant, tiles(layout), now);
            }
            meeting
        }
        Command::Gate {
            meeting,
            participant,
            gate,
        } => {
            if let Some(m) = meetings.get_mut(&meeting) {
                m.sfu.set_gate(participant, gate, now);
            }
            meeting
        }
        Command::Gone {
            meeting,
            participant,
        } => {
            if let Some(m) = meetings.get_mut(&meeting) {
                m.sfu.remove_peer(participant);
            }
            io.tcp.left((meeting, participant));
            meeting
        }
        Command::IsEmpty { meeting, reply } => {
            let _ = reply.send(meetings.get(&meeting).is_none_or(|m| m.sfu.is_empty()));
            return;
        }
    };
    if let Some(m) = meetings.get_mut(&meeting) {
        m.poll(io, now).await;
        if m.ended() {
            meetings.remove(&meeting);
        }
    }
}

/// The media socket, with kernel buffers of `buffer` bytes each way (as far as the
/// kernel allows: it caps them at `net.core.rmem_max` / `wmem_max`).
fn bind_udp(addr: SocketAddr, buffer: usize) -> std::io::Result<UdpSocket> {
    use socket2::{Domain, Protocol, Socket, Type};
    let socket = Socket::new(Domain::for_address(addr), Type::DGRAM, Some(Protocol::UDP))?;
    socket.set_recv_buffer_size(buffer)?;
    socket.set_send_buffer_size(buffer)?;
    // Linux reports twice the size it was given (the doubling covers its bookkeeping).
    let got = socket.recv_buffer_size()? / 2;
    if got < buffer {
        tracing::warn!(
            asked = buffer,
            got,
            "media socket receive buffer capped by the kernel: raise net.core.rmem_max \
             (and wmem_max) or packets will be dropped under load"
        );
    }
    socket.set_nonblocking(true)?;
    socket.bind(&addr.into())?;
    UdpSocket::from_std(socket.into())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn the_media_socket_gets_the_buffer_it_asks_for_as_far_as_the_kernel_allows() {
        let cap = |file| {
            std::fs::read_to_string(format!("/proc/sys/net/core/{file}"))
                .ok()
                .and_then(|s| s.trim().parse::<usize>().ok())
                .unwrap_or(usize::MAX)
        };
        let asked = 1 << 20;
        let socket = bind_udp("127.0.0.1:0".parse().unwrap(), asked).unwrap();
        let socket = socket2::SockRef::from(&socket);
        // Linux reports twice what was granted.
        assert!(socket.recv_buffer_size().unwrap() / 2 >= asked.min(cap("rmem_max")));
        assert!(socket.send_buffer_size().unwrap() / 2 >= asked.min(cap("wmem_max")));
    }
}
