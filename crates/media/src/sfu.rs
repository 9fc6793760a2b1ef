//! The SFU's WebRTC shell: one str0m [`Rtc`] per participant, in RTP mode and ICE-lite,
//! all behind one UDP address. It owns no socket and reads no clock: the I/O loop feeds it
//! datagrams and time and sends what [`Sfu::poll`] returns, like str0m itself.
//!
//! Each participant's offer carries its own tracks (sending m-lines) and a fixed number of
//! receive-only m-lines: its slots. The SFU maps publishers' tracks into subscribers'
//! slots with [`Slots`] and forwards RTP packets into them, rewriting sequence numbers and
//! timestamps per slot so that a slot's source can change without the receiver seeing a
//! jump. A track the participant may not publish (policy, permission) refuses the whole
//! offer, before any media flows.

use std::{collections::HashMap, net::SocketAddr, time::Instant};

use str0m::{
    change::SdpAnswer,
    media::{Direction, MediaKind, Mid},
    net::{Protocol, Receive},
    rtp::{RtpPacket, RtpWrite, SeqNo, Ssrc},
    Candidate, Event, Input, Output, Rtc, RtcError,
};

pub use str0m::change::SdpOffer;

use crate::{slots::Slots, ParticipantId};

/// What a participant may publish, decided above (policy ∩ permissions ∩ role).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Allowed {
    pub audio: bool,
    pub video: bool,
}

/// Why an offer was refused.
#[derive(Debug, thiserror::Error)]
pub enum SfuError {
    /// The offer could not be parsed or negotiated.
    #[error("offer refused: {0}")]
    Offer(#[from] RtcError),
    /// The offer publishes a kind of media the participant may not send.
    #[error("not allowed to send {0}")]
    Forbidden(&'static str),
    #[error("the address {0} is not a usable candidate")]
    Candidate(SocketAddr),
}

/// The mids of an SDP, in m-line order.
fn offered_mids(sdp: &SdpAnswer) -> Vec<Mid> {
    sdp.to_sdp_string()
        .lines()
        .filter_map(|l| l.strip_prefix("a=mid:"))
        .map(|m| Mid::from(m.trim()))
        .collect()
}

/// Who fills each slot of one kind, in slot order (`None`: empty).
pub type SlotMap = Vec<Option<ParticipantId>>;

/// A publisher's track, as subscribers' slots name it.
type Source = (ParticipantId, Mid);

/// One outgoing slot of a subscriber.
#[derive(Debug)]
struct SlotTx {
    ssrc: Ssrc,
    kind: MediaKind,
    /// The source whose packets fill the slot, and the offsets that map its sequence
    /// numbers and RTP times onto the slot's continuous ones.
    current: Option<(Source, i64, i64)>,
    /// The last sequence number and RTP time written, so a new source continues from there.
    last_seq: u64,
    last_time: u64,
}

#[derive(Debug)]
struct Peer {
    id: ParticipantId,
    rtc: Rtc,
    /// Tracks this participant publishes, by mid.
    publishes: HashMap<Mid, MediaKind>,
    slots: Vec<SlotTx>,
    audio: Slots<Source>,
    video: Slots<Source>,
}

/// All participants on one UDP address.
#[derive(Debug)]
pub struct Sfu {
    local: SocketAddr,
    peers: Vec<Peer>,
}

impl Sfu {
    /// An SFU whose only ICE candidate is `local` (the address the I/O loop listens on).
    pub fn new(local: SocketAddr) -> Self {
        Self {
            local,
            peers: Vec::new(),
        }
    }

    pub fn peer_count(&self) -> usize {
        self.peers.len()
    }

    /// Accepts a participant's offer (replacing any earlier connection of theirs).
    pub fn add_peer(
        &mut self,
        id: ParticipantId,
        offer: SdpOffer,
        allowed: Allowed,
        now: Instant,
    ) -> Result<SdpAnswer, SfuError> {
        self.remove_peer(id);
        let mut rtc = Rtc::builder()
            .set_rtp_mode(true)
            .set_ice_lite(true)
            .build(now);
        let candidate =
            Candidate::host(self.local, "udp").map_err(|_| SfuError::Candidate(self.local))?;
        rtc.add_local_candidate(candidate);
        let answer = rtc.sdp_api().accept_offer(offer)?;
        // The media the offer added is known now; check it before any packet flows.
        // (str0m announces media in events only once connected, so ask it per mid.)
        let mut publishes = HashMap::new();
        let mut slots = Vec::new();
        for mid in offered_mids(&answer) {
            let Some(media) = rtc.media(mid) else {
                continue;
            };
            let kind = media.kind();
            match media.direction() {
                Direction::RecvOnly | Direction::SendRecv => {
                    let (name, allowed_kind) = match kind {
                        MediaKind::Audio => ("audio", allowed.audio),
                        MediaKind::Video => ("video", allowed.video),
                    };
                    if !allowed_kind {
                        return Err(SfuError::Forbidden(name));
                    }
                    publishes.insert(mid, kind);
                }
                Direction::SendOnly => slots.push((mid, kind)),
                Direction::Inactive => {}
            }
        }
        let mut slot_txs = Vec::new();
        for (i, (mid, kind)) in slots.into_iter().enumerate() {
            let mut api = rtc.direct_api();
            let ssrc = match api.stream_tx_by_mid(mid, None) {
                Some(tx) => tx.ssrc(),
                None => {
                    let ssrc: Ssrc = (0x4346_0000 + i as u32).into();
                    api.declare_stream_tx(ssrc, None, mid, None);
                    ssrc
                }
            };
            slot_txs.push(SlotTx {
                ssrc,
                kind,
                current: None,
                last_seq: 0,
                last_time: 0,
            });
        }
        let audio_slots = slot_txs
            .iter()
            .filter(|s| s.kind == MediaKind::Audio)
            .count();
        let video_slots = slot_txs.len() - audio_slots;
        self.peers.push(Peer {
            id,
            rtc,
            publishes,
            slots: slot_txs,
            audio: Slots::new(audio_slots),
            video: Slots::new(video_slots),
        });
        self.assign_slots();
        Ok(answer)
    }

    /// Whose media fills each of `id`'s audio and video slots, in slot order.
    pub fn slots_of(&self, id: ParticipantId) -> Option<(SlotMap, SlotMap)> {
        let peer = self.peers.iter().find(|p| p.id == id)?;
        let list = |slots: &Slots<Source>| {
            (0..slots.len())
                .map(|i| slots.source_in(i).map(|s| s.0))
                .collect()
        };
        Some((list(&peer.audio), list(&peer.video)))
    }

    /// Everyone connected.
    pub fn peers(&self) -> impl Iterator<Item = ParticipantId> + '_ {
        self.peers.iter().map(|p| p.id)
    }

    /// Whether a datagram belongs to one of this SFU's participants.
    pub fn accepts(&self, now: Instant, source: SocketAddr, data: &[u8]) -> bool {
        let Ok(contents) = data.try_into() else {
            return false;
        };
        let input = Input::Receive(
            now,
            Receive {
                proto: Protocol::Udp,
                source,
                destination: self.local,
                contents,
            },
        );
        self.peers.iter().any(|p| p.rtc.accepts(&input))
    }

    /// Forgets a participant: their tracks leave every slot.
    pub fn remove_peer(&mut self, id: ParticipantId) {
        let before = self.peers.len();
        self.peers.retain(|p| p.id != id);
        if self.peers.len() != before {
            self.assign_slots();
        }
    }

    /// Every publisher's tracks in everyone else's slots, in join order.
    fn assign_slots(&mut self) {
        let tracks: Vec<(Source, MediaKind)> = self
            .peers
            .iter()
            .flat_map(|p| {
                p.publishes
                    .iter()
                    .map(move |(mid, kind)| ((p.id, *mid), *kind))
            })
            .collect();
        for peer in &mut self.peers {
            let others = |kind| {
                tracks
                    .iter()
                    .filter(|(s, k)| s.0 != peer.id && *k == kind)
                    .map(|(s, _)| *s)
                    .collect::<Vec<_>>()
            };
            let (audio, video) = (others(MediaKind::Audio), others(MediaKind::Video));
            peer.audio.assign(&audio);
            peer.video.assign(&video);
        }
    }

    /// Feeds one received datagram to the participant it belongs to.
    pub fn handle_receive(&mut self, now: Instant, source: SocketAddr, data: &[u8]) -> bool {
        let Ok(contents) = data.try_into() else {
            return false;
        };
        let input = Input::Receive(
            now,
            Receive {
                proto: Protocol::Udp,
                source,
                destination: self.local,
                contents,
            },
        );
        match self.peers.iter_mut().find(|p| p.rtc.accepts(&input)) {
            Some(peer) => {
                if let Err(e) = peer.rtc.handle_input(input) {
                    tracing::debug!(participant = %peer.id, error = %e, "dropping a participant's connection");
                    peer.rtc.disconnect();
                }
                true
            }
            None => false,
        }
    }

    /// Drives time, forwards media, and returns datagrams to send and when to call again.
    pub fn poll(&mut self, now: Instant) -> (Vec<(SocketAddr, Vec<u8>)>, Instant) {
        let mut out = Vec::new();
        let mut next = now + std::time::Duration::from_millis(100);
        let mut packets: Vec<(Source, RtpPacket)> = Vec::new();
        for peer in &mut self.peers {
            if peer.rtc.handle_input(Input::Timeout(now)).is_err() {
                peer.rtc.disconnect();
            }
            loop {
                match peer.rtc.poll_output() {
                    Ok(Output::Transmit(t)) => out.push((t.destination, t.contents.to_vec())),
                    Ok(Output::Timeout(t)) => {
                        next = next.min(t);
                        break;
                    }
                    Ok(Output::Event(Event::RtpPacket(p))) => {
                        let mid = peer
                            .rtc
                            .direct_api()
                            .stream_rx(&p.header.ssrc)
                            .map(|s| s.mid());
                        if let Some(mid) = mid.filter(|m| peer.publishes.contains_key(m)) {
                            packets.push(((peer.id, mid), p));
                        }
                    }
                    Ok(Output::Event(_)) => {}
                    Err(e) => {
                        tracing::debug!(participant = %peer.id, error = %e, "participant connection failed");
                        peer.rtc.disconnect();
                        break;
                    }
                }
            }
        }
        self.peers.retain(|p| p.rtc.is_alive());
        if !packets.is_empty() {
            for (source, packet) in &packets {
                self.forward(*source, packet, now);
            }
            // Forwarded packets are queued in the subscribers' Rtc: send them now.
            let (more, t) = self.poll_transmits(now);
            out.extend(more);
            next = next.min(t);
        }
        (out, next)
    }

    fn poll_transmits(&mut self, now: Instant) -> (Vec<(SocketAddr, Vec<u8>)>, Instant) {
        let mut out = Vec::new();
        let mut next = now + std::time::Duration::from_millis(100);
        for peer in &mut self.peers {
            loop {
                match peer.rtc.poll_output() {
                    Ok(Output::Transmit(t)) => out.push((t.destination, t.contents.to_vec())),
                    Ok(Output::Timeout(t)) => {
                        next = next.min(t);
                        break;
                    }
                    Ok(Output::Event(_)) => {}
                    Err(_) => break,
                }
            }
        }
        (out, next)
    }

    /// Writes one publisher packet into every slot that shows its source.
    fn forward(&mut self, source: Source, packet: &RtpPacket, now: Instant) {
        let seq = *packet.seq_no as i64;
        let time = packet.time.numer() as i64;
        for peer in self.peers.iter_mut().filter(|p| p.id != source.0) {
            let index = peer
                .audio
                .slot_of(&source)
                .map(|i| (MediaKind::Audio, i))
                .or_else(|| peer.video.slot_of(&source).map(|i| (MediaKind::Video, i)));
            let Some((kind, i)) = index else { continue };
            let Some(slot) = peer.slots.iter_mut().filter(|s| s.kind == kind).nth(i) else {
                continue;
            };
            let (seq_off, time_off) = match slot.current {
                Some((s, so, to)) if s == source => (so, to),
                _ => {
                    // A new source continues the slot's numbering right after the last packet.
                    let so = slot.last_seq as i64 + 1 - seq;
                    let to = slot.last_time as i64 + 1 - time;
                    slot.current = Some((source, so, to));
                    (so, to)
                }
            };
            let out_seq = (seq + seq_off).max(0) as u64;
            let out_time = (time + time_off).max(0) as u64;
            slot.last_seq = slot.last_seq.max(out_seq);
            slot.last_time = slot.last_time.max(out_time);
            let write = RtpWrite::new(
                packet.header.payload_type,
                SeqNo::from(out_seq),
                out_time as u32,
                now,
                packet.payload.to_vec(),
            )
            .marker(packet.header.marker)
            .ext_vals(packet.header.ext_vals.clone());
            if let Some(tx) = peer.rtc.direct_api().stream_tx(&slot.ssrc) {
                tx.write_rtp(write);
            }
        }
    }
}

#[cfg(test)]
mod tests;
