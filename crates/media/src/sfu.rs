//! The SFU's WebRTC shell: one str0m [`Rtc`] per participant, in RTP mode and ICE-lite,
//! all behind one UDP address (and optionally one passive ICE-TCP address, for networks
//! that block UDP), with the [`Router`] deciding who receives what. It owns no
//! socket and reads no clock: the I/O loop feeds it datagrams and time, sends what
//! [`Sfu::poll`] returns, and relays [`Notice`]s to the meeting, like str0m itself.
//!
//! Each participant's offer carries its own tracks (at most one audio and one video, the
//! camera, possibly as simulcast with rids `l`/`m`/`h`) and a fixed number of receive-only
//! m-lines: its slots. Packets are forwarded into slots as the router decides — the
//! loudest voices into audio slots, the layout's tiles in their layer into video slots —
//! rewriting sequence numbers and timestamps per slot, so a slot's source (or layer) can
//! change without the receiver seeing a jump, and payload types into each receiver's own
//! numbering (the `codecs` module; a track the receiver cannot decode is not sent, and
//! the meeting hears which). The answer names every candidate in every m-section and says
//! there are no more (`a=end-of-candidates`: the SFU is ICE-lite). A track the
//! participant may not publish (policy, permission) refuses the whole offer before any
//! media flows; a [`Gate`] closed later (a mute, a permission toggled off) stops
//! forwarding at once.
//!
//! Invariant (str0m's): after any input to a peer's `Rtc`, it is polled until `Timeout`.
//! [`Sfu::poll`] does that for every peer touched since the last call.

use std::{
    collections::{BTreeSet, HashMap},
    net::SocketAddr,
    time::{Duration, Instant},
};

use confab_proto::room::{TrackKind, UndecodableTrack};
use str0m::{
    bwe::{Bitrate, BweKind},
    change::SdpAnswer,
    media::{Direction, KeyframeRequestKind, MediaKind, Mid, Rids},
    net::{Receive, TcpType},
    rtp::{RtpPacket, Ssrc},
    Candidate, Event, IceConnectionState, Input, Rtc, RtcError,
};

pub use str0m::{change::SdpOffer, net::Protocol};

use self::{
    codecs::Mapping,
    peer::Peer,
    slot::{SlotSource, SlotTx},
};
use crate::{
    layers::{Layer, LayerInfo, LayerLimits, RateMeter},
    router::{Decision, Router, RouterConfig, SlotMap, Source, Tile, TrackId},
    ParticipantId,
};

/// What may flow from a participant: at offer time, what they may publish at all
/// (policy ∩ permissions ∩ role); later, also their own microphone and camera switches.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Gate {
    pub audio: bool,
    pub video: bool,
}

/// Why an offer was refused.
#[derive(Debug, thiserror::Error)]
pub enum SfuError {
    /// The offer could not be parsed or negotiated.
    #[error("offer refused: {0}")]
    Offer(#[from] RtcError),
    /// The offer numbers its payload types inconsistently across its m-lines.
    #[error("offer refused: {0}")]
    PayloadTypes(String),
    /// The WebRTC stack failed on the offer (a bug there, which an offer must not be able
    /// to turn into a crash).
    #[error("offer refused: it could not be negotiated")]
    Unnegotiable,
    /// The offer publishes a kind of media the participant may not send.
    #[error("not allowed to send {0}")]
    Forbidden(&'static str),
    /// The offer publishes more than one track of a kind.
    #[error("at most one {0} track may be sent")]
    TooManyTracks(&'static str),
    /// The offer has more receive slots than the server allows.
    #[error("at most {0} receive slots per kind")]
    TooManySlots(usize),
    #[error("the address {0} is not a usable candidate")]
    Candidate(SocketAddr),
    /// The answer could not be completed with the candidates (a bug).
    #[error("the answer could not be written: {0}")]
    Answer(String),
}

/// Tuning of one meeting's SFU.
#[derive(Clone, Debug)]
pub struct SfuConfig {
    pub router: RouterConfig,
    pub layers: LayerLimits,
    /// Most receive slots of one kind a subscriber may offer.
    pub max_slots: usize,
    /// Over how long a layer's bitrate is measured against the policy's cap.
    pub rate_window: Duration,
    /// How often the router re-decides (speakers, layers, slots).
    pub tick: Duration,
    /// What a subscriber's bandwidth estimator assumes before it measures, and what it
    /// probes for.
    pub initial_bwe: u32,
    pub desired_bwe: u32,
    /// The least budget a subscriber is given whatever its estimate says. The estimate
    /// is delay-based and follows what is actually sent (the slots carry no padding to
    /// probe with), and on a busy host scheduling delays read as congestion: it sinks,
    /// often below what the link carries, and would keep a tile the viewer enlarged at
    /// the lowest layer for good. This lets one medium tile and a few thumbnails flow.
    pub min_budget: u32,
}

impl Default for SfuConfig {
    fn default() -> Self {
        Self {
            router: RouterConfig::default(),
            layers: LayerLimits::default(),
            max_slots: 16,
            rate_window: Duration::from_secs(1),
            tick: Duration::from_millis(50),
            initial_bwe: 1_500_000,
            desired_bwe: 5_000_000,
            min_budget: 1_000_000,
        }
    }
}

/// The addresses the SFU's candidates advertise; received packets name the one they
/// arrived on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Addresses {
    pub udp: SocketAddr,
    /// A passive ICE-TCP candidate (RFC 6544), when a TCP listener runs.
    pub tcp: Option<SocketAddr>,
}

impl Addresses {
    fn local(&self, proto: Protocol) -> Option<SocketAddr> {
        match proto {
            Protocol::Udp => Some(self.udp),
            Protocol::Tcp => self.tcp,
            _ => None,
        }
    }
}

/// A packet to send: over UDP, or framed on the TCP connection from `to`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Datagram {
    pub proto: Protocol,
    pub to: SocketAddr,
    pub data: Vec<u8>,
}

/// Something the meeting must hear about.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Notice {
    /// Whose media now fills `participant`'s slots.
    Slots {
        participant: ParticipantId,
        audio: SlotMap,
        video: SlotMap,
    },
    /// The layers of `participant`'s camera somebody receives; the rest may pause.
    Layers {
        participant: ParticipantId,
        active: Vec<Layer>,
    },
    DominantSpeaker(ParticipantId),
    /// The tracks `participant` cannot decode (none of their offer's codecs matches the
    /// publisher's), which the SFU does not send them.
    Undecodable {
        participant: ParticipantId,
        tracks: Vec<UndecodableTrack>,
    },
    /// `participant`'s connection failed or timed out; the SFU forgot them.
    Gone(ParticipantId),
}

/// Packets the SFU dropped rather than forward, by why.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Dropped {
    /// Arrived with a payload type the publisher did not negotiate for that track.
    pub not_negotiated: u64,
    /// Routed to a subscriber who cannot decode their codec (counted per subscriber).
    pub undecodable: u64,
}

/// All participants of one meeting on one UDP address.
#[derive(Debug)]
pub struct Sfu {
    local: Addresses,
    cfg: SfuConfig,
    peers: Vec<Peer>,
    router: Router,
    next_tick: Option<Instant>,
    notices: Vec<Notice>,
    dropped: Dropped,
}

impl Sfu {
    /// An SFU whose ICE candidates are `local` (the addresses the I/O loop listens on, as
    /// browsers reach them).
    pub fn new(local: Addresses, cfg: SfuConfig) -> Self {
        Self {
            local,
            router: Router::new(cfg.router.clone()),
            cfg,
            peers: Vec::new(),
            next_tick: None,
            notices: Vec::new(),
            dropped: Dropped::default(),
        }
    }

    /// Packets dropped so far, by why.
    pub fn dropped(&self) -> Dropped {
        self.dropped
    }

    pub fn peer_count(&self) -> usize {
        self.peers.len()
    }

    /// Whether nothing is left of anyone: no peers and an empty router.
    pub fn is_empty(&self) -> bool {
        self.peers.is_empty() && self.router.is_empty()
    }

    /// Accepts a participant's offer (replacing any earlier connection of theirs). `gate`
    /// is what they may publish; media of a kind outside it refuses the offer.
    pub fn add_peer(
        &mut self,
        id: ParticipantId,
        offer: SdpOffer,
        gate: Gate,
        now: Instant,
    ) -> Result<SdpAnswer, SfuError> {
        self.remove_peer(id);
        codecs::check_numbering(&offer.to_sdp_string()).map_err(SfuError::PayloadTypes)?;
        // Codecs whose keyframes `codecs::starts_keyframe` finds (switching layers needs
        // them), VP8 first: browsers send the answer's first codec, and every browser
        // decodes VP8. H.264 is for publishers that send nothing else.
        let mut rtc = Rtc::builder()
            .set_rtp_mode(true)
            .set_ice_lite(true)
            .clear_codecs()
            .enable_opus(true, false)
            .enable_vp8(true)
            .enable_h264(true)
            .enable_bwe(Some(Bitrate::bps(u64::from(self.cfg.initial_bwe))))
            .build(now);
        let udp = self.local.udp;
        let candidate = Candidate::host(udp, "udp").map_err(|_| SfuError::Candidate(udp))?;
        rtc.add_local_candidate(candidate);
        if let Some(tcp) = self.local.tcp {
            let candidate = Candidate::builder()
                .tcp()
                .host(tcp)
                .tcptype(TcpType::Passive)
                .build()
                .map_err(|_| SfuError::Candidate(tcp))?;
            rtc.add_local_candidate(candidate);
        }
        // str0m trusts parts of an offer it has not checked (it asserts on payload-type
        // clashes it does not expect): a bad offer must not take the meeting's media down.
        let accepted = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            rtc.sdp_api().accept_offer(offer)
        }));
        let answer = accepted.map_err(|_| SfuError::Unnegotiable)??;
        let answer = candidates_everywhere(&answer)?;
        rtc.bwe().set_bitrate(
            Bitrate::bps(0),
            Bitrate::bps(u64::from(self.cfg.desired_bwe)),
        );
        // The media the offer added is known now; check it before any packet flows.
        // (str0m announces media in events only once connected, so ask it per mid.)
        let mut publishes = HashMap::new();
        let mut sent_layers = None;
        let (mut audio_slots, mut video_slots) = (Vec::new(), Vec::new());
        for mid in offered_mids(&answer) {
            let Some(media) = rtc.media(mid) else {
                continue;
            };
            let kind = media.kind();
            let name = match kind {
                MediaKind::Audio => "audio",
                MediaKind::Video => "video",
            };
            match media.direction() {
                Direction::RecvOnly | Direction::SendRecv => {
                    let allowed = match kind {
                        MediaKind::Audio => gate.audio,
                        MediaKind::Video => gate.video,
                    };
                    if !allowed {
                        return Err(SfuError::Forbidden(name));
                    }
                    if publishes.values().any(|k| *k == kind) {
                        return Err(SfuError::TooManyTracks(name));
                    }
                    if kind == MediaKind::Video {
                        sent_layers = Some(self.cfg.layers.of(media.rids_rx()));
                    }
                    publishes.insert(mid, kind);
                }
                Direction::SendOnly => {
                    let slots = match kind {
                        MediaKind::Audio => &mut audio_slots,
                        MediaKind::Video => &mut video_slots,
                    };
                    slots.push(mid);
                }
                Direction::Inactive => {}
            }
        }
        let max = self.cfg.max_slots;
        if audio_slots.len() > max || video_slots.len() > max {
            return Err(SfuError::TooManySlots(max));
        }
        let mut declare = |mids: Vec<Mid>, base: u32| -> Vec<SlotTx> {
            mids.into_iter()
                .enumerate()
                .map(|(i, mid)| {
                    let mut api = rtc.direct_api();
                    let ssrc = match api.stream_tx_by_mid(mid, None) {
                        Some(tx) => tx.ssrc(),
                        None => {
                            let ssrc: Ssrc = (base + i as u32).into();
                            api.declare_stream_tx(ssrc, None, mid, None);
                            ssrc
                        }
                    };
                    SlotTx {
                        ssrc,
                        mid,
                        current: None,
                        last_seq: 0,
                        last_time: 0,
                        mapped: None,
                    }
                })
                .collect()
        };
        let audio_slots = declare(audio_slots, 0x4346_0000);
        let video_slots = declare(video_slots, 0x4346_0100);
        self.router
            .add_subscriber(id, audio_slots.len(), video_slots.len());
        let peer = Peer {
            id,
            rtc,
            publishes,
            gate,
            audio_slots,
            video_slots,
            touched: true,
            wake: now,
            told_slots: None,
            told_layers: None,
            undecodable: BTreeSet::new(),
            told_undecodable: None,
            rates: HashMap::new(),
        };
        if let Some(layers) = sent_layers {
            self.router.set_track(peer.camera(), layers);
        }
        tracing::debug!(participant = %id, ?gate, audio_slots = peer.audio_slots.len(), video_slots = peer.video_slots.len(), "peer added");
        self.peers.push(peer);
        self.decide(now);
        Ok(answer)
    }

    /// Shows `tiles` (priority order) to `id`.
    pub fn set_layout(&mut self, id: ParticipantId, tiles: Vec<Tile>, now: Instant) {
        tracing::debug!(participant = %id, ?tiles, "layout");
        self.router.set_layout(id, tiles);
        self.decide(now);
    }

    /// Opens or closes what flows from `id` (their switches ∩ their rights).
    pub fn set_gate(&mut self, id: ParticipantId, gate: Gate, now: Instant) {
        let Some(peer) = self.peers.iter_mut().find(|p| p.id == id) else {
            return;
        };
        peer.gate = gate;
        let camera = peer.camera();
        if !gate.video {
            self.router.remove_track(camera);
        } else if let Some(media) = peer.video_mid().and_then(|m| peer.rtc.media(m)) {
            let layers = self.cfg.layers.of(media.rids_rx());
            self.router.set_track(camera, layers);
        }
        self.decide(now);
    }

    /// Forgets a participant: their tracks leave every slot, their subscription ends.
    pub fn remove_peer(&mut self, id: ParticipantId) {
        self.peers.retain(|p| p.id != id);
        self.router.remove_participant(id);
        // A new connection of theirs numbers its packets afresh: the slots they filled
        // must rebase on its first packet, not map it through the old offsets (which
        // could send it backwards, where the receiver drops it as old).
        // Its codecs may differ too: map them afresh.
        for peer in &mut self.peers {
            for slot in peer.audio_slots.iter_mut().chain(&mut peer.video_slots) {
                if slot.current.is_some_and(|(source, ..)| source.0 == id) {
                    slot.current = None;
                }
                if slot.mapped.is_some_and(|(publisher, ..)| publisher == id) {
                    slot.mapped = None;
                }
            }
            peer.undecodable.retain(|t| t.publisher != id);
        }
    }

    /// Everyone connected.
    pub fn peers(&self) -> impl Iterator<Item = ParticipantId> + '_ {
        self.peers.iter().map(|p| p.id)
    }

    /// What happened since the last call that the meeting must hear about.
    pub fn take_notices(&mut self) -> Vec<Notice> {
        std::mem::take(&mut self.notices)
    }

    /// A notice never reached the meeting. Slots and layers are told only when they
    /// change, so a lost one would leave a page without tiles or a camera layer paused
    /// for good: forget it was told, and the next decision tells the current state again.
    pub fn notice_lost(&mut self, notice: &Notice) {
        let participant = match notice {
            Notice::Slots { participant, .. }
            | Notice::Layers { participant, .. }
            | Notice::Undecodable { participant, .. } => participant,
            Notice::DominantSpeaker(_) | Notice::Gone(_) => return,
        };
        if let Some(peer) = self.peers.iter_mut().find(|p| p.id == *participant) {
            match notice {
                Notice::Slots { .. } => peer.told_slots = None,
                Notice::Layers { .. } => peer.told_layers = None,
                _ => peer.told_undecodable = None,
            }
        }
    }

    fn receive<'a>(
        &self,
        now: Instant,
        proto: Protocol,
        source: SocketAddr,
        data: &'a [u8],
    ) -> Option<Input<'a>> {
        Some(Input::Receive(
            now,
            Receive {
                proto,
                source,
                destination: self.local.local(proto)?,
                contents: data.try_into().ok()?,
            },
        ))
    }

    /// Whether a packet belongs to one of this SFU's participants.
    pub fn accepts(&self, now: Instant, proto: Protocol, source: SocketAddr, data: &[u8]) -> bool {
        let Some(input) = self.receive(now, proto, source, data) else {
            return false;
        };
        self.peers.iter().any(|p| p.rtc.accepts(&input))
    }

    /// Feeds one received packet to the participant it belongs to, and says who that is
    /// (the I/O loop ties an ICE-TCP connection to them); [`Sfu::poll`] next.
    pub fn handle_receive(
        &mut self,
        now: Instant,
        proto: Protocol,
        source: SocketAddr,
        data: &[u8],
    ) -> Option<ParticipantId> {
        let input = self.receive(now, proto, source, data)?;
        let peer = self.peers.iter_mut().find(|p| p.rtc.accepts(&input))?;
        if let Err(e) = peer.rtc.handle_input(input) {
            tracing::debug!(participant = %peer.id, error = %e, "dropping a participant's connection");
            peer.rtc.disconnect();
        }
        peer.touched = true;
        Some(peer.id)
    }

    /// When [`Sfu::poll`] must run next even if no datagram arrives.
    pub fn next_wake(&self) -> Option<Instant> {
        self.peers
            .iter()
            .map(|p| p.wake)
            .chain(self.next_tick)
            .min()
    }

    /// Drives time and every touched peer, forwards media, and returns the packets to
    /// send.
    pub fn poll(&mut self, now: Instant) -> Vec<Datagram> {
        let mut out = Vec::new();
        for peer in &mut self.peers {
            if peer.wake <= now {
                if peer.rtc.handle_input(Input::Timeout(now)).is_err() {
                    peer.rtc.disconnect();
                }
                peer.touched = true;
            }
        }
        if self.next_tick.is_some_and(|t| t <= now) {
            self.decide(now);
        }
        // Forwarding touches subscribers, whose draining may yield more events: settle.
        loop {
            let mut events = Vec::new();
            for (i, peer) in self.peers.iter_mut().enumerate() {
                if peer.touched {
                    events.extend(peer.drain(&mut out).into_iter().map(|e| (i, e)));
                }
            }
            if events.is_empty() {
                break;
            }
            for (i, event) in events {
                self.on_event(i, event, now);
            }
        }
        let gone: Vec<ParticipantId> = self
            .peers
            .iter()
            .filter(|p| !p.rtc.is_alive())
            .map(|p| p.id)
            .collect();
        for id in gone {
            self.remove_peer(id);
            self.notices.push(Notice::Gone(id));
            self.decide(now);
        }
        out
    }

    fn on_event(&mut self, from: usize, event: Event, now: Instant) {
        match event {
            Event::RtpPacket(p) => self.forward(from, &p, now),
            Event::EgressBitrateEstimate(BweKind::Twcc { estimate, .. }) => {
                let bps = u32::try_from(estimate.as_u64()).unwrap_or(u32::MAX);
                let budget = bps.max(self.cfg.min_budget);
                tracing::trace!(participant = %self.peers[from].id, bps, "estimate");
                self.router.set_budget(self.peers[from].id, budget);
            }
            Event::KeyframeRequest(req) => {
                // A subscriber lost the picture in one slot: ask that slot's publisher.
                let peer = &self.peers[from];
                let source = peer
                    .video_slots
                    .iter()
                    .find(|s| s.mid == req.mid)
                    .and_then(|s| s.current.map(|c| c.0));
                tracing::debug!(participant = %peer.id, mid = %req.mid, ?source, "keyframe request");
                if let Some((publisher, _, Some(layer))) = source {
                    self.request_keyframe(publisher, layer, now);
                }
            }
            Event::Connected => {
                tracing::debug!(participant = %self.peers[from].id, "connected");
            }
            Event::IceConnectionStateChange(IceConnectionState::Disconnected) => {
                self.peers[from].rtc.disconnect();
            }
            _ => {}
        }
    }

    /// Asks `publisher` for a keyframe of `layer`, unless one was asked for just now.
    fn request_keyframe(&mut self, publisher: ParticipantId, layer: Layer, now: Instant) {
        let track = TrackId {
            publisher,
            source: Source::Camera,
        };
        if !self.router.may_request_keyframe(track, layer, now) {
            return;
        }
        self.send_keyframe_request(track, layer);
    }

    fn send_keyframe_request(&mut self, track: TrackId, layer: Layer) {
        let Some(peer) = self.peers.iter_mut().find(|p| p.id == track.publisher) else {
            return;
        };
        let Some(mid) = peer.video_mid() else {
            return;
        };
        let mut api = peer.rtc.direct_api();
        let rx = match api.stream_rx_by_mid(mid, Some(layer.rid().into())) {
            Some(rx) => Some(rx),
            // A publisher without simulcast sends one stream without a rid.
            None => api.stream_rx_by_mid(mid, None),
        };
        if let Some(rx) = rx {
            rx.request_keyframe(KeyframeRequestKind::Pli);
            peer.touched = true;
        }
    }

    /// Writes one publisher packet into every slot the router routes it to, in each
    /// subscriber's own payload-type numbering.
    fn forward(&mut self, from: usize, packet: &RtpPacket, now: Instant) {
        let publisher = &mut self.peers[from];
        let mut api = publisher.rtc.direct_api();
        let Some((mid, stream_rid)) = api
            .stream_rx(&packet.header.ssrc)
            .map(|s| (s.mid(), s.rid()))
        else {
            return;
        };
        let pt = packet.header.payload_type;
        let Some(published) = codecs::published(&publisher.rtc, mid, pt) else {
            // str0m drops payload types the connection never negotiated; this one was,
            // but for another track.
            self.dropped.not_negotiated += 1;
            tracing::debug!(participant = %publisher.id, %mid, %pt, "payload type not negotiated for this track");
            return;
        };
        // The packet's own rid when it carries one (browsers stop sending it once the
        // SSRC is known; then the stream's rid holds).
        let rid = packet.header.ext_vals.rid.or(stream_rid);
        let (id, gate, camera) = (publisher.id, publisher.gate, publisher.camera());
        let source: SlotSource = match publisher.publishes.get(&mid) {
            Some(MediaKind::Audio) if gate.audio => {
                if let Some(level) = packet.header.ext_vals.audio_level {
                    self.router
                        .on_audio_level(id, level.unsigned_abs().min(127), now);
                }
                (id, MediaKind::Audio, None)
            }
            Some(MediaKind::Video) if gate.video => {
                let layer = match rid {
                    Some(rid) => match Layer::from_rid(&rid) {
                        Some(l) => l,
                        None => return,
                    },
                    None => Layer::High,
                };
                if !self.router.has_layer(camera, layer) {
                    return;
                }
                let window = self.cfg.rate_window;
                let sent = publisher
                    .rates
                    .entry(layer)
                    .or_insert_with(|| RateMeter::new(window))
                    .on_packet(packet.payload.len(), now);
                // A quarter over the cap is tolerated: encoders overshoot briefly on
                // keyframes, and a layer flickering off would be worse than the excess.
                if u64::from(sent) * 4 > u64::from(self.cfg.layers.max_bitrate) * 5 {
                    return;
                }
                if codecs::starts_keyframe(published.codec(), &packet.payload) {
                    // Subscribers waiting for this layer switch now. The router's state
                    // says so, which is what the loop below reads.
                    for d in self.router.on_keyframe(camera, layer) {
                        tracing::debug!(decision = ?d, "keyframe");
                    }
                }
                (id, MediaKind::Video, Some(layer))
            }
            _ => return,
        };
        let (before, rest) = self.peers.split_at_mut(from);
        let Some((_, after)) = rest.split_first_mut() else {
            return;
        };
        for sub in before.iter_mut().chain(after) {
            let slot = match source.2 {
                None => self
                    .router
                    .audio_slot(sub.id, id)
                    .and_then(|i| sub.audio_slots.get_mut(i)),
                Some(layer) => self
                    .router
                    .video_slot(sub.id, camera)
                    .filter(|(_, l)| *l == layer)
                    .and_then(|(i, _)| sub.video_slots.get_mut(i)),
            };
            let Some(slot) = slot else {
                continue;
            };
            let mapping = match slot.mapped {
                Some((p, from_pt, m)) if p == id && from_pt == pt => m,
                _ => {
                    let m = codecs::map(&published, &sub.rtc, slot.mid);
                    slot.mapped = Some((id, pt, m));
                    if let Mapping::Undecodable(codec) = m {
                        tracing::debug!(participant = %sub.id, publisher = %id, %codec, "cannot decode");
                        sub.undecodable.insert(UndecodableTrack {
                            publisher: id,
                            kind: match source.1 {
                                MediaKind::Audio => TrackKind::Audio,
                                MediaKind::Video => TrackKind::Video,
                            },
                            codec: codec.to_string(),
                        });
                    }
                    m
                }
            };
            match mapping {
                Mapping::Pt(to) => {
                    slot.write(&mut sub.rtc, source, to, packet, now);
                    sub.touched = true;
                }
                Mapping::Undecodable(_) => self.dropped.undecodable += 1,
            }
        }
    }

    /// Lets the router re-decide and carries out what it says.
    fn decide(&mut self, now: Instant) {
        self.next_tick = Some(now + self.cfg.tick);
        for d in self.router.tick(now) {
            tracing::debug!(decision = ?d, "router");
            match d {
                Decision::DominantSpeaker(p) => self.notices.push(Notice::DominantSpeaker(p)),
                Decision::RequestKeyframe { track, layer } => {
                    self.send_keyframe_request(track, layer)
                }
                // Slots, forwarding and paused layers are read from the router's state
                // below and per packet; nothing to do per decision.
                Decision::AudioSlot { .. }
                | Decision::VideoSlot { .. }
                | Decision::Forward { .. }
                | Decision::PauseLayer { .. }
                | Decision::ResumeLayer { .. } => {}
            }
        }
        for peer in &mut self.peers {
            if let Some(slots) = self.router.slot_lists(peer.id) {
                if peer.told_slots.as_ref() != Some(&slots) {
                    tracing::debug!(participant = %peer.id, ?slots, "slots");
                    peer.told_slots = Some(slots.clone());
                    self.notices.push(Notice::Slots {
                        participant: peer.id,
                        audio: slots.0,
                        video: slots.1,
                    });
                }
            }
            if peer.told_undecodable.as_ref() != Some(&peer.undecodable) {
                peer.told_undecodable = Some(peer.undecodable.clone());
                self.notices.push(Notice::Undecodable {
                    participant: peer.id,
                    tracks: peer.undecodable.iter().cloned().collect(),
                });
            }
            if peer.video_mid().is_some() {
                let active = self.router.active_layers(peer.camera());
                if peer.told_layers.as_ref() != Some(&active) {
                    tracing::debug!(participant = %peer.id, ?active, "layers");
                    peer.told_layers = Some(active.clone());
                    self.notices.push(Notice::Layers {
                        participant: peer.id,
                        active,
                    });
                }
            }
        }
    }
}

impl LayerLimits {
    /// The forwardable layers of a video m-line, from its negotiated rids.
    fn of(&self, rids: &Rids) -> Vec<LayerInfo> {
        match rids {
            Rids::Specific(rids) => {
                let sent: Vec<Layer> = rids.iter().filter_map(|r| Layer::from_rid(r)).collect();
                self.forwardable(&sent)
            }
            Rids::None | Rids::Any => self.single(),
        }
    }
}

/// The answer with every candidate in every m-section that is not rejected, and
/// `a=end-of-candidates` after them. str0m writes candidates in the first section only;
/// a peer reading them per section (RFC 8839 allows it) would never connect, and one
/// waiting for the end of candidates would wait for ever. The SFU is ICE-lite: its
/// candidates are all known when it answers.
fn candidates_everywhere(answer: &SdpAnswer) -> Result<SdpAnswer, SfuError> {
    let sdp = answer.to_sdp_string();
    let candidates: Vec<&str> = sdp
        .lines()
        .filter(|l| l.starts_with("a=candidate:"))
        .collect();
    let mut out = String::with_capacity(sdp.len() * 2);
    for (i, section) in sdp.split("\r\nm=").enumerate() {
        if i > 0 {
            out.push_str("\r\nm=");
        }
        let lines = section
            .lines()
            .filter(|l| !l.starts_with("a=candidate:") && *l != "a=end-of-candidates");
        for (n, line) in lines.enumerate() {
            if n > 0 {
                out.push_str("\r\n");
            }
            out.push_str(line);
        }
        // A port of 0 rejects the m-section: no candidates there.
        let rejected = section.split_whitespace().nth(1) == Some("0");
        if i > 0 && !rejected {
            for c in &candidates {
                out.push_str("\r\n");
                out.push_str(c);
            }
            out.push_str("\r\na=end-of-candidates");
        }
    }
    out.push_str("\r\n");
    SdpAnswer::from_sdp_string(&out).map_err(|e| SfuError::Answer(e.to_string()))
}

/// The mids of an SDP, in m-line order.
fn offered_mids(sdp: &SdpAnswer) -> Vec<Mid> {
    sdp.to_sdp_string()
        .lines()
        .filter_map(|l| l.strip_prefix("a=mid:"))
        .map(|m| Mid::from(m.trim()))
        .collect()
}

mod codecs;
mod peer;
mod slot;
#[cfg(test)]
mod tests;
