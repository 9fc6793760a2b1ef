//! What the bots measure, and the arithmetic over it: send-time matching for the
//! server-added latency, a latency histogram, sequence-number loss, VP8 payload headers.
//!
//! Latency matching works for any SFU without touching the media: every publisher logs
//! the send time of each payload under (publisher, hash of the payload), the receiver
//! looks up the same key. SFUs may rewrite the VP8 payload descriptor (picture ids on a
//! simulcast switch), so the hash covers only the VP8 data behind it.

use std::{
    collections::HashMap,
    hash::{Hash, Hasher},
    sync::Mutex,
    time::{Duration, Instant},
};

/// A publishing bot, as the receivers know it (its index in the fleet).
pub type PublisherIdx = u32;

/// Length of the VP8 payload descriptor at the start of an RTP payload (RFC 7741 §4.2).
pub fn vp8_descriptor_len(payload: &[u8]) -> Option<usize> {
    let first = *payload.first()?;
    if first & 0x80 == 0 {
        return Some(1);
    }
    let ext = *payload.get(1)?;
    let mut len = 2;
    if ext & 0x80 != 0 {
        // Picture id: 7 bits, or 15 when its first bit (M) is set.
        len += if *payload.get(len)? & 0x80 != 0 { 2 } else { 1 };
    }
    if ext & 0x40 != 0 {
        len += 1; // TL0PICIDX
    }
    if ext & 0x30 != 0 {
        len += 1; // TID / KEYIDX
    }
    (len <= payload.len()).then_some(len)
}

/// Whether this packet starts a VP8 keyframe: start of partition 0 and the frame tag's
/// P bit clear (RFC 6386 §9.1).
pub fn vp8_starts_keyframe(payload: &[u8]) -> bool {
    let Some(len) = vp8_descriptor_len(payload) else {
        return false;
    };
    let starts_frame = payload[0] & 0x10 != 0 && payload[0] & 0x07 == 0;
    starts_frame && payload.get(len).is_some_and(|tag| tag & 0x01 == 0)
}

/// The part of a payload an SFU forwards untouched.
pub fn media_body(video: bool, payload: &[u8]) -> &[u8] {
    if video {
        vp8_descriptor_len(payload).map_or(payload, |n| &payload[n..])
    } else {
        payload
    }
}

fn key(publisher: PublisherIdx, body: &[u8]) -> u64 {
    let mut h = std::collections::hash_map::DefaultHasher::new();
    publisher.hash(&mut h);
    body.hash(&mut h);
    h.finish()
}

const SHARDS: usize = 16;
/// How long a send time is kept: far above any plausible latency, far below a clip's loop.
const KEEP: Duration = Duration::from_secs(4);

/// When each payload was sent, shared by every bot of the process (one clock).
/// Two generations per shard: entries live between one and two `KEEP` periods.
pub struct SendLog {
    shards: Vec<Mutex<Generations>>,
}

struct Generations {
    current: HashMap<u64, Instant>,
    previous: HashMap<u64, Instant>,
    rotated: Instant,
}

impl SendLog {
    pub fn new(now: Instant) -> Self {
        Self {
            shards: (0..SHARDS)
                .map(|_| {
                    Mutex::new(Generations {
                        current: HashMap::new(),
                        previous: HashMap::new(),
                        rotated: now,
                    })
                })
                .collect(),
        }
    }

    fn shard(&self, key: u64) -> std::sync::MutexGuard<'_, Generations> {
        self.shards[(key as usize) % SHARDS]
            .lock()
            .expect("no bot panics while holding the log")
    }

    pub fn sent(&self, publisher: PublisherIdx, body: &[u8], at: Instant) {
        let k = key(publisher, body);
        let mut g = self.shard(k);
        if at.duration_since(g.rotated) > KEEP {
            g.previous = std::mem::take(&mut g.current);
            g.rotated = at;
        }
        g.current.insert(k, at);
    }

    pub fn send_time(&self, publisher: PublisherIdx, body: &[u8]) -> Option<Instant> {
        let k = key(publisher, body);
        let g = self.shard(k);
        g.current.get(&k).or_else(|| g.previous.get(&k)).copied()
    }
}

/// Latencies in 10 µs buckets up to 200 ms (everything above lands in the last one).
#[derive(Clone)]
pub struct Histogram {
    buckets: Vec<u64>,
}

const BUCKET: Duration = Duration::from_micros(10);
const BUCKETS: usize = 20_000;
/// A percentile this high means "this or more".
pub const HISTOGRAM_CAP: Duration = Duration::from_millis(200);

impl Default for Histogram {
    fn default() -> Self {
        Self {
            buckets: vec![0; BUCKETS],
        }
    }
}

impl Histogram {
    pub fn record(&mut self, d: Duration) {
        let i = (d.as_nanos() / BUCKET.as_nanos()) as usize;
        self.buckets[i.min(BUCKETS - 1)] += 1;
    }

    pub fn merge(&mut self, other: &Histogram) {
        for (a, b) in self.buckets.iter_mut().zip(&other.buckets) {
            *a += b;
        }
    }

    pub fn count(&self) -> u64 {
        self.buckets.iter().sum()
    }

    /// The `p`-th percentile (0–100) by nearest rank, as the upper edge of its bucket.
    pub fn percentile(&self, p: f64) -> Option<Duration> {
        let n = self.count();
        if n == 0 {
            return None;
        }
        let rank = ((p / 100.0) * n as f64).ceil().max(1.0) as u64;
        let mut seen = 0;
        for (i, c) in self.buckets.iter().enumerate() {
            seen += c;
            if seen >= rank {
                return Some(BUCKET * (i as u32 + 1));
            }
        }
        unreachable!("rank is at most the count")
    }
}

/// Loss on one received RTP stream, from its (already extended) sequence numbers.
#[derive(Default, Clone, Copy, Debug)]
pub struct SeqTracker {
    first: Option<u64>,
    highest: u64,
    received: u64,
}

impl SeqTracker {
    pub fn record(&mut self, seq: u64) {
        let first = *self.first.get_or_insert(seq);
        if seq < first {
            // A late packet from before the first one seen: the range grows backwards.
            self.first = Some(seq);
        }
        self.highest = self.highest.max(seq);
        self.received += 1;
    }

    /// Packets that should have arrived between the first and the highest seen.
    pub fn expected(&self) -> u64 {
        self.first.map_or(0, |f| self.highest - f + 1)
    }

    /// Packets received (duplicates included, as RTP receiver reports count them).
    pub fn received(&self) -> u64 {
        self.received
    }
}

/// Loss as a fraction of what was expected; duplicates never make it negative.
pub fn loss_fraction(expected: u64, received: u64) -> f64 {
    if expected == 0 {
        0.0
    } else {
        expected.saturating_sub(received) as f64 / expected as f64
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn descriptor_lengths_follow_the_extension_bits() {
        assert_eq!(vp8_descriptor_len(&[0x10, 0x9d]), Some(1));
        // X, I with a 15-bit picture id.
        assert_eq!(vp8_descriptor_len(&[0x90, 0x80, 0x81, 0x02, 0]), Some(4));
        // X, I with a 7-bit id, L and T.
        assert_eq!(vp8_descriptor_len(&[0x90, 0xe0, 0x05, 1, 2, 0]), Some(5));
        assert_eq!(vp8_descriptor_len(&[0x90, 0x80]), None);
        assert_eq!(vp8_descriptor_len(&[]), None);
    }

    #[test]
    fn keyframe_start_needs_the_start_bit_and_a_clear_p_bit() {
        assert!(vp8_starts_keyframe(&[0x90, 0x80, 0x80, 0x01, 0x10]));
        assert!(!vp8_starts_keyframe(&[0x90, 0x80, 0x80, 0x01, 0x11]));
        assert!(!vp8_starts_keyframe(&[0x80, 0x80, 0x80, 0x01, 0x10]));
    }

    #[test]
    fn body_ignores_a_rewritten_picture_id() {
        let a = [0x90, 0x80, 0x80, 0x01, 7, 7, 7];
        let b = [0x90, 0x80, 0x85, 0x33, 7, 7, 7];
        assert_eq!(media_body(true, &a), media_body(true, &b));
        assert_eq!(media_body(false, &a), &a);
    }

    #[test]
    fn send_log_matches_by_publisher_and_body() {
        let t0 = Instant::now();
        let log = SendLog::new(t0);
        log.sent(1, b"frame", t0);
        assert_eq!(log.send_time(1, b"frame"), Some(t0));
        assert_eq!(log.send_time(2, b"frame"), None);
        // Survives one rotation, not two.
        log.sent(1, b"later", t0 + KEEP * 2);
        assert_eq!(log.send_time(1, b"frame"), Some(t0));
    }

    #[test]
    fn histogram_percentiles_by_nearest_rank() {
        let mut h = Histogram::default();
        for us in 1..=100 {
            h.record(Duration::from_micros(us * 10 - 5));
        }
        assert_eq!(h.percentile(50.0), Some(Duration::from_micros(500)));
        assert_eq!(h.percentile(99.0), Some(Duration::from_micros(990)));
        assert_eq!(h.percentile(100.0), Some(Duration::from_micros(1000)));
        let mut g = Histogram::default();
        g.record(Duration::from_secs(10));
        h.merge(&g);
        assert_eq!(h.count(), 101);
        assert_eq!(h.percentile(100.0), Some(HISTOGRAM_CAP));
        assert_eq!(Histogram::default().percentile(50.0), None);
    }

    #[test]
    fn loss_counts_gaps_between_first_and_highest() {
        let mut t = SeqTracker::default();
        for s in [10, 11, 13, 12, 16] {
            t.record(s);
        }
        assert_eq!(t.expected(), 7);
        assert_eq!(t.received(), 5);
        assert!((loss_fraction(t.expected(), t.received()) - 2.0 / 7.0).abs() < 1e-9);
        assert_eq!(loss_fraction(3, 5), 0.0);
    }
}
