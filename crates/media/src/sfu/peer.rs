//! One participant's peer connection in the SFU: its str0m `Rtc`, what it publishes,
//! its receive slots, and what the meeting was last told about it.

use std::{
    collections::{BTreeSet, HashMap},
    time::Instant,
};

use confab_proto::room::UndecodableTrack;

use str0m::{
    media::{MediaKind, Mid},
    Event, Output, Rtc,
};

use super::{slot::SlotTx, Datagram, Gate};
use crate::{
    layers::{Layer, RateMeter},
    router::{SlotMap, Source, TrackId},
    ParticipantId,
};

#[derive(Debug)]
pub(super) struct Peer {
    pub(super) id: ParticipantId,
    pub(super) rtc: Rtc,
    /// The tracks this participant publishes, by mid (at most one per kind).
    pub(super) publishes: HashMap<Mid, MediaKind>,
    pub(super) gate: Gate,
    pub(super) audio_slots: Vec<SlotTx>,
    pub(super) video_slots: Vec<SlotTx>,
    /// Fed input since last polled to `Timeout`.
    pub(super) touched: bool,
    /// When str0m wants time next.
    pub(super) wake: Instant,
    /// What the meeting was last told about this peer.
    pub(super) told_slots: Option<(SlotMap, SlotMap)>,
    pub(super) told_layers: Option<Vec<Layer>>,
    /// Others' tracks this participant cannot decode, and what the meeting was told.
    pub(super) undecodable: BTreeSet<UndecodableTrack>,
    pub(super) told_undecodable: Option<BTreeSet<UndecodableTrack>>,
    /// What the camera actually sends per layer, against the policy's bitrate cap.
    pub(super) rates: HashMap<Layer, RateMeter>,
}

impl Peer {
    pub(super) fn camera(&self) -> TrackId {
        TrackId {
            publisher: self.id,
            source: Source::Camera,
        }
    }

    pub(super) fn video_mid(&self) -> Option<Mid> {
        self.publishes
            .iter()
            .find(|(_, k)| **k == MediaKind::Video)
            .map(|(m, _)| *m)
    }

    /// Polls str0m until it wants time: packets go to `out`, events are returned.
    pub(super) fn drain(&mut self, out: &mut Vec<Datagram>) -> Vec<Event> {
        self.touched = false;
        let mut events = Vec::new();
        loop {
            match self.rtc.poll_output() {
                Ok(Output::Transmit(t)) => out.push(Datagram {
                    proto: t.proto,
                    to: t.destination,
                    data: t.contents.to_vec(),
                }),
                Ok(Output::Timeout(t)) => {
                    self.wake = t;
                    return events;
                }
                Ok(Output::Event(e)) => events.push(e),
                Err(e) => {
                    tracing::debug!(participant = %self.id, error = %e, "participant connection failed");
                    self.rtc.disconnect();
                    return events;
                }
            }
        }
    }
}
