//! The media I/O loop: one UDP socket shared by every live meeting's SFU (str0m peers
//! behind one address), driven by datagrams, commands and time. Meetings reach it through
//! [`Media`]; it tells each meeting what its SFU noticed (slots, layers to pause, the
//! dominant speaker, dropped connections).
//!
//! Each meeting has its own [`Sfu`], so media never crosses meetings. A datagram goes to
//! the SFU whose participant accepts it, and only that SFU is polled; the others are
//! polled when their own timers come due.

use std::{
    collections::HashMap,
    net::SocketAddr,
    time::{Duration, Instant},
};

use confab_media::{
    layers::LayerLimits,
    router::{Source, Tile, TrackId},
    sfu::{Gate, SdpOffer, Sfu, SfuConfig, SfuError},
};
use confab_proto::{room::MediaTile, MeetingId, ParticipantId, Policy};
use tokio::{
    net::UdpSocket,
    sync::{mpsc, oneshot},
};
use tokio_util::sync::CancellationToken;

use crate::room::ActorMsg;

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
}

impl Media {
    /// Binds the UDP socket and starts the loop. `public` is the address advertised to
    /// browsers when it differs from the bound one (NAT, containers).
    pub async fn start(
        listen: SocketAddr,
        public: Option<SocketAddr>,
        shutdown: CancellationToken,
    ) -> std::io::Result<(Self, SocketAddr)> {
        let socket = UdpSocket::bind(listen).await?;
        let bound = socket.local_addr()?;
        let advertised = public.unwrap_or(bound);
        let (tx, rx) = mpsc::channel(1024);
        tokio::spawn(run(socket, advertised, rx, shutdown));
        Ok((Self { tx }, bound))
    }

    /// Answers a participant's offer, or says why not. `gate` is what they may publish;
    /// `policy` (the meeting's) caps the video layers forwarded.
    pub(crate) async fn offer(
        &self,
        meeting: MeetingId,
        participant: ParticipantId,
        sdp: String,
        gate: Gate,
        policy: &Policy,
        room: mpsc::Sender<ActorMsg>,
    ) -> Result<String, OfferError> {
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
        self.tx
            .send(cmd)
            .await
            .map_err(|_| OfferError::ShuttingDown)?;
        answer.await.map_err(|_| OfferError::ShuttingDown)?
    }

    /// Commands that need no answer: the loop is never awaited for long.
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
fn sfu_config(policy: &Policy) -> SfuConfig {
    SfuConfig {
        layers: LayerLimits {
            max_height: policy.max_video_height,
            max_bitrate: policy.max_video_bitrate_kbps.saturating_mul(1000),
            ..LayerLimits::default()
        },
        ..SfuConfig::default()
    }
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
    sfu: Sfu,
    room: mpsc::Sender<ActorMsg>,
}

impl MeetingMedia {
    /// Polls the SFU, sends its datagrams, and relays its notices to the meeting (without
    /// waiting on the meeting actor: a full queue drops the notice, and the next change
    /// sends the state again).
    async fn poll(&mut self, socket: &UdpSocket, now: Instant) {
        for (to, data) in self.sfu.poll(now) {
            let _ = socket.send_to(&data, to).await;
        }
        for notice in self.sfu.take_notices() {
            let _ = self.room.try_send(ActorMsg::Media(notice));
        }
    }
}

async fn run(
    socket: UdpSocket,
    local: SocketAddr,
    mut rx: mpsc::Receiver<Command>,
    shutdown: CancellationToken,
) {
    let mut meetings: HashMap<MeetingId, MeetingMedia> = HashMap::new();
    let mut buf = vec![0u8; 2048];
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
            r = socket.recv_from(&mut buf) => {
                let Ok((n, from)) = r else { continue };
                let now = Instant::now();
                let data = &buf[..n];
                if let Some(m) = meetings.values_mut().find(|m| m.sfu.accepts(now, from, data)) {
                    m.sfu.handle_receive(now, from, data);
                    m.poll(&socket, now).await;
                }
            }
            cmd = rx.recv() => {
                let Some(cmd) = cmd else { break };
                command(cmd, &mut meetings, local, &socket).await;
            }
            () = tokio::time::sleep_until(sleep) => {
                let now = Instant::now();
                for m in meetings.values_mut() {
                    if m.sfu.next_wake().is_some_and(|t| t <= now) {
                        m.poll(&socket, now).await;
                    }
                }
            }
            () = shutdown.cancelled() => break,
        }
    }
}

async fn command(
    cmd: Command,
    meetings: &mut HashMap<MeetingId, MeetingMedia>,
    local: SocketAddr,
    socket: &UdpSocket,
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
                sfu: Sfu::new(local, sfu_config(&policy)),
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
            meeting
        }
        Command::IsEmpty { meeting, reply } => {
            let _ = reply.send(meetings.get(&meeting).is_none_or(|m| m.sfu.is_empty()));
            return;
        }
    };
    if let Some(m) = meetings.get_mut(&meeting) {
        m.poll(socket, now).await;
        if m.sfu.is_empty() {
            meetings.remove(&meeting);
        }
    }
}
