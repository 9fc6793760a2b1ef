//! Speaker detection from the RTP audio-level header extension (RFC 6464).
//!
//! Levels arrive as -dBov (0 = loudest, 127 = silence) per packet, about 50 per second
//! per talker. Each participant's loudness is smoothed over time, so one loud packet does
//! not make a speaker. The dominant speaker changes only when another participant has
//! been clearly louder for a while (hysteresis), so the highlight does not flicker.

use std::{
    collections::HashMap,
    time::{Duration, Instant},
};

use crate::ParticipantId;

/// Tuning of the detector.
#[derive(Clone, Debug)]
pub struct SpeakerConfig {
    /// How many of the loudest participants' audio is forwarded.
    pub loudest: usize,
    /// Weight of a new sample in the smoothed loudness (0..1).
    pub smoothing: f32,
    /// Below this smoothed loudness (in dB above silence) a participant counts as silent.
    pub speech_threshold: f32,
    /// A challenger must be this many dB louder than the dominant speaker…
    pub switch_margin: f32,
    /// …for this long before taking over.
    pub switch_after: Duration,
    /// A participant not heard for this long counts as silent.
    pub silence_after: Duration,
}

impl Default for SpeakerConfig {
    fn default() -> Self {
        Self {
            loudest: 3,
            smoothing: 0.1,
            speech_threshold: 20.0,
            switch_margin: 6.0,
            switch_after: Duration::from_millis(800),
            silence_after: Duration::from_millis(500),
        }
    }
}

#[derive(Clone, Debug)]
struct Voice {
    /// Smoothed loudness in dB above silence (127 - level).
    loudness: f32,
    last_heard: Instant,
    /// Since when this participant has been clearly louder than the dominant speaker.
    louder_since: Option<Instant>,
}

/// Tracks who is speaking.
#[derive(Debug)]
pub struct SpeakerDetector {
    cfg: SpeakerConfig,
    voices: HashMap<ParticipantId, Voice>,
    dominant: Option<ParticipantId>,
}

impl SpeakerDetector {
    pub fn new(cfg: SpeakerConfig) -> Self {
        Self {
            cfg,
            voices: HashMap::new(),
            dominant: None,
        }
    }

    /// Records one audio packet's level (-dBov, 0..=127; louder is smaller).
    pub fn on_level(&mut self, who: ParticipantId, level: u8, now: Instant) {
        let sample = 127.0 - f32::from(level.min(127));
        let a = self.cfg.smoothing;
        let voice = self.voices.entry(who).or_insert(Voice {
            loudness: 0.0,
            last_heard: now,
            louder_since: None,
        });
        voice.loudness = voice.loudness * (1.0 - a) + sample * a;
        voice.last_heard = now;
    }

    /// Forgets a participant who left.
    pub fn remove(&mut self, who: ParticipantId) {
        self.voices.remove(&who);
        if self.dominant == Some(who) {
            self.dominant = None;
        }
    }

    fn loudness(&self, v: &Voice, now: Instant) -> f32 {
        if now.saturating_duration_since(v.last_heard) > self.cfg.silence_after {
            0.0
        } else {
            v.loudness
        }
    }

    /// Re-evaluates the dominant speaker; returns the new one when it changed.
    pub fn tick(&mut self, now: Instant) -> Option<ParticipantId> {
        let current = self
            .dominant
            .and_then(|d| self.voices.get(&d))
            .map_or(0.0, |v| self.loudness(v, now));
        let (threshold, margin, after) = (
            self.cfg.speech_threshold,
            self.cfg.switch_margin,
            self.cfg.switch_after,
        );
        let mut winner: Option<(ParticipantId, f32)> = None;
        let loud: Vec<(ParticipantId, f32)> = self
            .voices
            .iter()
            .map(|(id, v)| (*id, self.loudness(v, now)))
            .collect();
        for (id, loudness) in loud {
            let voice = self.voices.get_mut(&id).expect("iterating known voices");
            let challenging =
                Some(id) != self.dominant && loudness >= threshold && loudness > current + margin;
            if !challenging {
                voice.louder_since = None;
                continue;
            }
            let since = *voice.louder_since.get_or_insert(now);
            // With nobody dominant, the first clear voice takes over at once.
            let ready = self.dominant.is_none() || now.saturating_duration_since(since) >= after;
            if ready && winner.is_none_or(|(_, l)| loudness > l) {
                winner = Some((id, loudness));
            }
        }
        let (id, _) = winner?;
        self.dominant = Some(id);
        for v in self.voices.values_mut() {
            v.louder_since = None;
        }
        Some(id)
    }

    pub fn dominant(&self) -> Option<ParticipantId> {
        self.dominant
    }

    /// Whose audio to forward: the loudest speaking participants, plus the dominant one.
    pub fn forwarded(&self, now: Instant) -> Vec<ParticipantId> {
        let mut speaking: Vec<(ParticipantId, f32)> = self
            .voices
            .iter()
            .map(|(id, v)| (*id, self.loudness(v, now)))
            .filter(|(_, l)| *l >= self.cfg.speech_threshold)
            .collect();
        speaking.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
        let mut out: Vec<ParticipantId> = speaking
            .into_iter()
            .take(self.cfg.loudest)
            .map(|(id, _)| id)
            .collect();
        if let Some(d) = self.dominant {
            if !out.contains(&d) && self.voices.contains_key(&d) {
                out.push(d);
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Feeds `level` for `who` at 50 packets per second for `ms`.
    fn talk(
        d: &mut SpeakerDetector,
        who: ParticipantId,
        level: u8,
        start: Instant,
        ms: u64,
    ) -> Instant {
        let mut t = start;
        for _ in 0..(ms / 20) {
            d.on_level(who, level, t);
            t += Duration::from_millis(20);
        }
        t
    }

    #[test]
    fn the_first_clear_voice_becomes_dominant() {
        let mut d = SpeakerDetector::new(SpeakerConfig::default());
        let (a, t0) = (ParticipantId::new(), Instant::now());
        let t = talk(&mut d, a, 30, t0, 1000);
        assert_eq!(d.tick(t), Some(a));
        assert_eq!(d.tick(t), None, "no change, no event");
    }

    #[test]
    fn a_cough_does_not_steal_the_floor_but_sustained_speech_does() {
        let mut d = SpeakerDetector::new(SpeakerConfig::default());
        let (a, b, t0) = (ParticipantId::new(), ParticipantId::new(), Instant::now());
        let t = talk(&mut d, a, 60, t0, 1000); // a speaks moderately
        d.tick(t);
        // b is much louder for 300 ms (while a keeps talking): not long enough.
        let mut t2 = t;
        for _ in 0..15 {
            d.on_level(a, 60, t2);
            d.on_level(b, 5, t2);
            t2 += Duration::from_millis(20);
            assert_eq!(d.tick(t2), None);
        }
        // b keeps going past the switch delay.
        let mut switched = None;
        for _ in 0..60 {
            d.on_level(a, 60, t2);
            d.on_level(b, 5, t2);
            t2 += Duration::from_millis(20);
            switched = switched.or(d.tick(t2));
        }
        assert_eq!(switched, Some(b));
    }

    #[test]
    fn the_three_loudest_and_the_dominant_are_forwarded() {
        let mut d = SpeakerDetector::new(SpeakerConfig::default());
        let t0 = Instant::now();
        let ids: Vec<_> = (0..6).map(|_| ParticipantId::new()).collect();
        let t = talk(&mut d, ids[0], 40, t0, 1000);
        d.tick(t);
        assert_eq!(d.dominant(), Some(ids[0]));
        // Now four others are louder than ids[0]; ids[5] is silent.
        let mut t2 = t;
        for _ in 0..50 {
            for (i, id) in ids.iter().enumerate().take(5) {
                d.on_level(*id, [45, 10, 15, 20, 25][i], t2);
            }
            d.on_level(ids[5], 127, t2);
            t2 += Duration::from_millis(20);
        }
        let f = d.forwarded(t2);
        assert_eq!(&f[..3], &[ids[1], ids[2], ids[3]]);
        assert!(
            f.contains(&ids[0]) || d.dominant() != Some(ids[0]),
            "the dominant speaker is always forwarded"
        );
        assert!(!f.contains(&ids[5]), "silence is not forwarded");
    }

    #[test]
    fn someone_not_heard_for_a_while_is_silent() {
        let mut d = SpeakerDetector::new(SpeakerConfig::default());
        let (a, t0) = (ParticipantId::new(), Instant::now());
        let t = talk(&mut d, a, 20, t0, 1000);
        assert_eq!(d.forwarded(t), vec![a]);
        assert!(d.forwarded(t + Duration::from_secs(1)).is_empty());
        d.remove(a);
        assert_eq!(d.dominant(), None);
    }
}
