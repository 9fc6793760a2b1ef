//! The media I/O loop: one UDP socket shared by every live meeting's SFU (str0m peers
//! behind one address), driven by datagrams, commands and time. Meetings reach it through
//! [`Media`]; it tells each meeting whose media fills a participant's receive slots.
//!
//! Each meeting has its own [`Sfu`], so media never crosses meetings. A datagram goes to
//! the SFU whose participant accepts it.

use std::{
    collections::HashMap,
    net::SocketAddr,
    time::{Duration, Instant},
};

use confab_media::sfu::{Allowed, SdpOffer, Sfu, SlotMap};
use confab_proto::{MeetingId, ParticipantId};
use tokio::{
    net::UdpSocket,
    sync::{mpsc, oneshot},
};
use tokio_util::sync::CancellationToken;

use crate::room::ActorMsg;

enum Command {
    Offer {
        meeting: MeetingId,
        participant: ParticipantId,
        sdp: String,
        allowed: Allowed,
        room: mpsc::Sender<ActorMsg>,
        reply: oneshot::Sender<Result<String, String>>,
    },
    Gone {
        meeting: MeetingId,
        participant: ParticipantId,
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

    /// Answers a participant's offer, or says why not.
    pub(crate) async fn offer(
        &self,
        meeting: MeetingId,
        participant: ParticipantId,
        sdp: String,
        allowed: Allowed,
        room: mpsc::Sender<ActorMsg>,
    ) -> Result<String, String> {
        let (reply, answer) = oneshot::channel();
        let cmd = Command::Offer {
            meeting,
            participant,
            sdp,
            allowed,
            room,
            reply,
        };
        self.tx
            .send(cmd)
            .await
            .map_err(|_| "media is shutting down".to_owned())?;
        answer
            .await
            .map_err(|_| "media is shutting down".to_owned())?
    }

    /// A participant left media (their peer connection is gone).
    pub async fn gone(&self, meeting: MeetingId, participant: ParticipantId) {
        let _ = self
            .tx
            .send(Command::Gone {
                meeting,
                participant,
            })
            .await;
    }
}

struct MeetingMedia {
    sfu: Sfu,
    room: mpsc::Sender<ActorMsg>,
    /// The slot lists last told to each participant.
    told: HashMap<ParticipantId, (SlotMap, SlotMap)>,
}

impl MeetingMedia {
    /// Tells participants whose slots changed (without waiting on the meeting actor).
    fn tell_slots(&mut self) {
        let ids: Vec<ParticipantId> = self.sfu.peers().collect();
        self.told.retain(|id, _| ids.contains(id));
        for id in ids {
            let Some(slots) = self.sfu.slots_of(id) else {
                continue;
            };
            if self.told.get(&id) != Some(&slots) {
                let (audio, video) = slots.clone();
                if self
                    .room
                    .try_send(ActorMsg::MediaSlots {
                        participant: id,
                        audio,
                        video,
                    })
                    .is_ok()
                {
                    self.told.insert(id, slots);
                }
            }
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
    let mut next = tokio::time::Instant::now() + Duration::from_millis(100);
    loop {
        tokio::select! {
            r = socket.recv_from(&mut buf) => {
                if let Ok((n, from)) = r {
                    let now = Instant::now();
                    let data = &buf[..n];
                    if let Some(m) = meetings.values_mut().find(|m| m.sfu.accepts(now, from, data)) {
                        m.sfu.handle_receive(now, from, data);
                    }
                }
            }
            cmd = rx.recv() => match cmd {
                Some(Command::Offer { meeting, participant, sdp, allowed, room, reply }) => {
                    let m = meetings.entry(meeting).or_insert_with(|| MeetingMedia {
                        sfu: Sfu::new(local),
                        room: room.clone(),
                        told: HashMap::new(),
                    });
                    m.room = room;
                    let answer = SdpOffer::from_sdp_string(&sdp)
                        .map_err(|e| format!("not a valid offer: {e}"))
                        .and_then(|offer| {
                            m.sfu
                                .add_peer(participant, offer, allowed, Instant::now())
                                .map_err(|e| e.to_string())
                        })
                        .map(|a| a.to_sdp_string());
                    let _ = reply.send(answer);
                    m.tell_slots();
                }
                Some(Command::Gone { meeting, participant }) => {
                    if let Some(m) = meetings.get_mut(&meeting) {
                        m.sfu.remove_peer(participant);
                        m.tell_slots();
                        if m.sfu.peer_count() == 0 {
                            meetings.remove(&meeting);
                        }
                    }
                }
                None => break,
            },
            () = tokio::time::sleep_until(next) => {}
            () = shutdown.cancelled() => break,
        }
        let now = Instant::now();
        let mut wake = now + Duration::from_millis(100);
        for m in meetings.values_mut() {
            let before = m.sfu.peer_count();
            let (datagrams, t) = m.sfu.poll(now);
            wake = wake.min(t);
            for (to, data) in datagrams {
                let _ = socket.send_to(&data, to).await;
            }
            if m.sfu.peer_count() != before {
                m.tell_slots();
            }
        }
        next = tokio::time::Instant::now() + wake.saturating_duration_since(Instant::now());
    }
}
