//! One outgoing slot of a subscriber: packets of whichever source the router puts there,
//! renumbered so the receiver sees one continuous stream.

use std::time::Instant;

use str0m::{
    media::{MediaKind, Mid, Pt},
    rtp::{ExtensionValues, RtpPacket, RtpWrite, SeqNo, Ssrc},
    Rtc,
};

use super::codecs::Mapping;
use crate::{layers::Layer, ParticipantId};

/// What a slot's packets come from: a publisher's track, and for video its layer. A
/// layer switch is a change of source, so numbering continues across it.
pub(super) type SlotSource = (ParticipantId, MediaKind, Option<Layer>);

/// One outgoing slot of a subscriber.
#[derive(Debug)]
pub(super) struct SlotTx {
    pub(super) ssrc: Ssrc,
    pub(super) mid: Mid,
    /// The source whose packets fill the slot, and the offsets that map its sequence
    /// numbers and RTP times onto the slot's continuous ones.
    pub(super) current: Option<(SlotSource, i64, i64)>,
    /// The last sequence number and RTP time written, so a new source continues from there.
    pub(super) last_seq: u64,
    pub(super) last_time: u64,
    /// The last publisher and payload type mapped into this slot, and the outcome (a
    /// slot mostly carries one source in one codec).
    pub(super) mapped: Option<(ParticipantId, Pt, Mapping)>,
}

impl SlotTx {
    /// Rewrites one packet of `source` into this slot's numbering, as payload type `pt`.
    pub(super) fn write(
        &mut self,
        rtc: &mut Rtc,
        source: SlotSource,
        pt: Pt,
        packet: &RtpPacket,
        now: Instant,
    ) {
        let seq = *packet.seq_no as i64;
        let time = packet.time.numer() as i64;
        let (seq_off, time_off) = match self.current {
            Some((s, so, to)) if s == source => (so, to),
            _ => {
                // A new source continues the slot's numbering right after the last packet.
                let so = self.last_seq as i64 + 1 - seq;
                let to = self.last_time as i64 + 1 - time;
                self.current = Some((source, so, to));
                (so, to)
            }
        };
        let out_seq = (seq + seq_off).max(0) as u64;
        let out_time = (time + time_off).max(0) as u64;
        self.last_seq = self.last_seq.max(out_seq);
        self.last_time = self.last_time.max(out_time);
        // What the media says travels on (audio level, orientation…); what names the
        // publisher's own streams and transport (mid, rid, sequence for congestion
        // control, send time) is the subscriber connection's own, written by str0m.
        let ext_vals = ExtensionValues {
            mid: None,
            rid: None,
            rid_repair: None,
            transport_cc: None,
            abs_send_time: None,
            ..packet.header.ext_vals.clone()
        };
        let write = RtpWrite::new(
            pt,
            SeqNo::from(out_seq),
            out_time as u32,
            now,
            packet.payload.to_vec(),
        )
        .marker(packet.header.marker)
        .ext_vals(ext_vals);
        if let Some(tx) = rtc.direct_api().stream_tx(&self.ssrc) {
            tx.write_rtp(write);
        }
    }
}
