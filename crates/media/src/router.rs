//! Per-subscriber forwarding decisions for a whole meeting.
//!
//! Inputs: tracks published (with their simulcast layers), each subscriber's layout
//! (tiles in priority order: pinned, speaker, visible) and bandwidth estimate, audio
//! levels and keyframes observed, and time. Outputs: [`Decision`]s the I/O workers carry
//! out. Rules:
//!
//! - Audio: the loudest speakers plus the dominant one, never your own.
//! - Video: last-N, the first tiles of the layout that fit the video slots; each gets the
//!   layer its tile size and its share of the bandwidth allow. A subscriber whose page has
//!   not reported a layout yet sees every camera (the speaker's first) as a small tile.
//! - A subscriber switches layer only on a keyframe of the new layer; until then the old
//!   layer keeps flowing, so the picture never breaks.
//! - Keyframe requests to a publisher are throttled per layer.
//! - A layer whose keyframe does not come although asked for is, for a while, treated as
//!   not sent: browsers stop sending upper simulcast layers when CPU or uplink run short,
//!   and waiting for them would show nothing at all.
//! - A layer no subscriber receives or waits for is paused at the publisher.

use std::{
    collections::{BTreeMap, BTreeSet, HashMap},
    time::{Duration, Instant},
};

use crate::{
    layers::{self, Layer, LayerInfo},
    slot_assignment::{SlotChange, Slots},
    speakers::{SpeakerConfig, SpeakerDetector},
    ParticipantId,
};

/// What a track carries.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Source {
    Camera,
    Screen,
}

/// A published video track.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct TrackId {
    pub publisher: ParticipantId,
    pub source: Source,
}

/// Who fills each slot of one kind, in slot order (`None`: empty).
pub type SlotMap = Vec<Option<ParticipantId>>;

/// One tile of a subscriber's layout.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Tile {
    /// A particular track, `height` pixels tall on screen.
    Track { track: TrackId, height: u32 },
    /// Whoever is the dominant speaker's camera.
    Speaker { height: u32 },
}

#[derive(Clone, Debug)]
pub struct RouterConfig {
    /// A new subscriber's budget until its first bandwidth estimate, bits per second.
    pub initial_budget: u32,
    /// At most one keyframe request per track layer this often.
    pub keyframe_interval: Duration,
    /// A layer wanted this long without a keyframe is taken as not sent...
    pub stall_after: Duration,
    /// ...and tried again this much later.
    pub stall_retry: Duration,
    pub speakers: SpeakerConfig,
}

impl Default for RouterConfig {
    fn default() -> Self {
        Self {
            initial_budget: 1_000_000,
            keyframe_interval: Duration::from_millis(300),
            // Several keyframe requests' worth: a loaded browser answers within a second.
            stall_after: Duration::from_millis(1500),
            stall_retry: Duration::from_secs(5),
            speakers: SpeakerConfig::default(),
        }
    }
}

/// Something the I/O workers must do.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Decision {
    DominantSpeaker(ParticipantId),
    AudioSlot {
        subscriber: ParticipantId,
        change: SlotChange<ParticipantId>,
    },
    VideoSlot {
        subscriber: ParticipantId,
        change: SlotChange<TrackId>,
    },
    /// Forward `layer` of `track` to `subscriber` from now on (`None`: stop).
    Forward {
        subscriber: ParticipantId,
        track: TrackId,
        layer: Option<Layer>,
    },
    RequestKeyframe {
        track: TrackId,
        layer: Layer,
    },
    PauseLayer {
        track: TrackId,
        layer: Layer,
    },
    ResumeLayer {
        track: TrackId,
        layer: Layer,
    },
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
struct Forwarding {
    /// The layer whose packets flow now.
    current: Option<Layer>,
    /// The layer wanted next, waiting for its keyframe.
    pending: Option<Layer>,
}

/// How tall a tile is assumed to be before the subscriber reports its layout: small
/// enough for the lowest layer, which costs the least and is what a grid mostly shows.
const DEFAULT_TILE_HEIGHT: u32 = 180;

#[derive(Debug)]
struct Subscriber {
    /// The tiles the page shows, `None` until it says. Waiting for it would show nothing
    /// at all while the page is slow to measure and report, or never if it reports
    /// only what it already receives.
    layout: Option<Vec<Tile>>,
    budget: u32,
    audio: Slots<ParticipantId>,
    video: Slots<TrackId>,
    forwarding: BTreeMap<TrackId, Forwarding>,
}

#[derive(Debug, Default)]
struct Published {
    layers: Vec<LayerInfo>,
    paused: BTreeSet<Layer>,
}

/// The routing state of one meeting.
#[derive(Debug)]
pub struct Router {
    cfg: RouterConfig,
    tracks: BTreeMap<TrackId, Published>,
    subscribers: BTreeMap<ParticipantId, Subscriber>,
    speakers: SpeakerDetector,
    last_keyframe_request: HashMap<(TrackId, Layer), Instant>,
    /// Layers somebody waits to switch to, since when.
    waiting: HashMap<(TrackId, Layer), Instant>,
    /// Layers taken as not sent, until when.
    stalled: HashMap<(TrackId, Layer), Instant>,
}

impl Router {
    pub fn new(cfg: RouterConfig) -> Self {
        Self {
            speakers: SpeakerDetector::new(cfg.speakers.clone()),
            cfg,
            tracks: BTreeMap::new(),
            subscribers: BTreeMap::new(),
            last_keyframe_request: HashMap::new(),
            waiting: HashMap::new(),
            stalled: HashMap::new(),
        }
    }

    /// A participant starts receiving into `audio_slots` and `video_slots` (replacing an
    /// earlier subscription of theirs), with the initial budget until estimates arrive.
    pub fn add_subscriber(&mut self, who: ParticipantId, audio_slots: usize, video_slots: usize) {
        self.subscribers.insert(
            who,
            Subscriber {
                layout: None,
                budget: self.cfg.initial_budget,
                audio: Slots::new(audio_slots),
                video: Slots::new(video_slots),
                forwarding: BTreeMap::new(),
            },
        );
    }

    /// Publishes or updates a video track's layers.
    pub fn set_track(&mut self, track: TrackId, layers: Vec<LayerInfo>) {
        self.tracks.entry(track).or_default().layers = layers;
    }

    /// Stops forwarding `track` at once. Should it come back (a camera switched on again,
    /// a publisher reconnecting before the next tick), its packets are a new stream:
    /// subscribers wait for its keyframe again instead of receiving deltas they cannot
    /// decode.
    pub fn remove_track(&mut self, track: TrackId) {
        self.tracks.remove(&track);
        self.last_keyframe_request.retain(|(t, _), _| *t != track);
        self.waiting.retain(|(t, _), _| *t != track);
        self.stalled.retain(|(t, _), _| *t != track);
        for s in self.subscribers.values_mut() {
            s.forwarding.remove(&track);
        }
    }

    /// Forgets everything about a participant who left: their tracks and subscription.
    pub fn remove_participant(&mut self, who: ParticipantId) {
        self.subscribers.remove(&who);
        let gone: Vec<TrackId> = self
            .tracks
            .keys()
            .filter(|t| t.publisher == who)
            .copied()
            .collect();
        for t in gone {
            self.remove_track(t);
        }
        self.speakers.remove(who);
    }

    pub fn set_layout(&mut self, who: ParticipantId, layout: Vec<Tile>) {
        if let Some(s) = self.subscribers.get_mut(&who) {
            s.layout = Some(layout);
        }
    }

    /// The subscriber's downlink bandwidth estimate, bits per second.
    pub fn set_budget(&mut self, who: ParticipantId, bps: u32) {
        if let Some(s) = self.subscribers.get_mut(&who) {
            s.budget = bps;
        }
    }

    pub fn on_audio_level(&mut self, who: ParticipantId, level: u8, now: Instant) {
        self.speakers.on_level(who, level, now);
    }

    /// A keyframe of `layer` arrived: subscribers waiting for it switch now.
    pub fn on_keyframe(&mut self, track: TrackId, layer: Layer) -> Vec<Decision> {
        self.waiting.remove(&(track, layer));
        self.stalled.remove(&(track, layer));
        let mut out = Vec::new();
        for (id, s) in &mut self.subscribers {
            if let Some(f) = s.forwarding.get_mut(&track) {
                if f.pending == Some(layer) {
                    f.current = Some(layer);
                    f.pending = None;
                    out.push(Decision::Forward {
                        subscriber: *id,
                        track,
                        layer: Some(layer),
                    });
                }
            }
        }
        out
    }

    /// The audio slot of `subscriber` that `publisher`'s audio fills.
    pub fn audio_slot(&self, subscriber: ParticipantId, publisher: ParticipantId) -> Option<usize> {
        self.subscribers.get(&subscriber)?.audio.slot_of(&publisher)
    }

    /// The video slot of `subscriber` that `track` fills, and the layer flowing into it.
    pub fn video_slot(&self, subscriber: ParticipantId, track: TrackId) -> Option<(usize, Layer)> {
        let s = self.subscribers.get(&subscriber)?;
        Some((s.video.slot_of(&track)?, s.forwarding.get(&track)?.current?))
    }

    /// Whose media fills each of `subscriber`'s audio and video slots, in slot order.
    pub fn slot_lists(&self, subscriber: ParticipantId) -> Option<(SlotMap, SlotMap)> {
        let s = self.subscribers.get(&subscriber)?;
        let audio = (0..s.audio.len()).map(|i| s.audio.source_in(i).copied());
        let video = (0..s.video.len()).map(|i| s.video.source_in(i).map(|t| t.publisher));
        Some((audio.collect(), video.collect()))
    }

    /// The layers of `track` somebody receives or waits for (the rest are paused).
    pub fn active_layers(&self, track: TrackId) -> Vec<Layer> {
        let Some(p) = self.tracks.get(&track) else {
            return Vec::new();
        };
        p.layers
            .iter()
            .map(|l| l.layer)
            .filter(|l| !p.paused.contains(l))
            .collect()
    }

    /// Whether `layer` of `track` is published and not capped away.
    pub fn has_layer(&self, track: TrackId, layer: Layer) -> bool {
        self.tracks
            .get(&track)
            .is_some_and(|p| p.layers.iter().any(|l| l.layer == layer))
    }

    /// Whether a keyframe of `layer` may be requested from its publisher now (at most one
    /// per layer per `keyframe_interval`, however many subscribers ask); records it if so.
    pub fn may_request_keyframe(&mut self, track: TrackId, layer: Layer, now: Instant) -> bool {
        let due = self
            .last_keyframe_request
            .get(&(track, layer))
            .is_none_or(|t| now.saturating_duration_since(*t) >= self.cfg.keyframe_interval);
        if due {
            self.last_keyframe_request.insert((track, layer), now);
        }
        due
    }

    /// Whether nothing is left (every participant gone): no leak.
    pub fn is_empty(&self) -> bool {
        self.tracks.is_empty()
            && self.subscribers.is_empty()
            && self.last_keyframe_request.is_empty()
            && self.waiting.is_empty()
            && self.stalled.is_empty()
    }

    /// Re-decides everything for the current inputs.
    pub fn tick(&mut self, now: Instant) -> Vec<Decision> {
        let mut out = Vec::new();
        if let Some(d) = self.speakers.tick(now) {
            out.push(Decision::DominantSpeaker(d));
        }
        let heard = self.speakers.forwarded(now);
        let dominant = self.speakers.dominant();
        self.stalled.retain(|_, until| *until > now);
        // A layer somebody receives is being sent, however long another waits for it.
        let flowing: BTreeSet<(TrackId, Layer)> = self
            .subscribers
            .values()
            .flat_map(|s| s.forwarding.iter())
            .filter_map(|(t, f)| Some((*t, f.current?)))
            .collect();
        let (after, retry) = (self.cfg.stall_after, self.cfg.stall_retry);
        for (key, since) in &self.waiting {
            if now.saturating_duration_since(*since) >= after && !flowing.contains(key) {
                self.stalled.insert(*key, now + retry);
            }
        }
        let ids: Vec<ParticipantId> = self.subscribers.keys().copied().collect();
        let mut keyframes: BTreeSet<(TrackId, Layer)> = BTreeSet::new();
        for id in ids {
            self.route_audio(id, &heard, &mut out);
            self.route_video(id, dominant, &mut keyframes, &mut out);
        }
        // Waiting starts when a layer is first wanted and ends when nobody wants it.
        self.waiting.retain(|key, _| keyframes.contains(key));
        for key in &keyframes {
            self.waiting.entry(*key).or_insert(now);
        }
        // Resume layers first, so a keyframe request reaches a layer that is being sent.
        self.pause_unwatched(&mut out);
        for (track, layer) in keyframes {
            if self.may_request_keyframe(track, layer, now) {
                out.push(Decision::RequestKeyframe { track, layer });
            }
        }
        out
    }

    fn route_audio(&mut self, id: ParticipantId, heard: &[ParticipantId], out: &mut Vec<Decision>) {
        let wanted: Vec<ParticipantId> = heard.iter().copied().filter(|p| *p != id).collect();
        let sub = self
            .subscribers
            .get_mut(&id)
            .expect("iterating subscribers");
        for change in sub.audio.assign(&wanted) {
            out.push(Decision::AudioSlot {
                subscriber: id,
                change,
            });
        }
    }

    fn route_video(
        &mut self,
        id: ParticipantId,
        dominant: Option<ParticipantId>,
        keyframes: &mut BTreeSet<(TrackId, Layer)>,
        out: &mut Vec<Decision>,
    ) {
        let sub = self
            .subscribers
            .get_mut(&id)
            .expect("iterating subscribers");
        let default_layout: Vec<Tile>;
        let layout = match &sub.layout {
            Some(layout) => layout,
            None => {
                let height = DEFAULT_TILE_HEIGHT;
                let cameras = self.tracks.keys().filter(|t| t.source == Source::Camera);
                default_layout = std::iter::once(Tile::Speaker { height })
                    .chain(cameras.map(|&track| Tile::Track { track, height }))
                    .collect();
                &default_layout
            }
        };
        // Resolve the layout into distinct, existing tracks that are not the viewer's own.
        let mut tiles: Vec<(TrackId, u32)> = Vec::new();
        for tile in layout {
            let (track, height) = match *tile {
                Tile::Track { track, height } => (track, height),
                Tile::Speaker { height } => match dominant {
                    Some(p) => (
                        TrackId {
                            publisher: p,
                            source: Source::Camera,
                        },
                        height,
                    ),
                    None => continue,
                },
            };
            if track.publisher == id || !self.tracks.contains_key(&track) {
                continue;
            }
            match tiles.iter_mut().find(|(t, _)| *t == track) {
                Some((_, h)) => *h = (*h).max(height),
                None => tiles.push((track, height)),
            }
        }
        tiles.truncate(sub.video.len());
        let wanted: Vec<TrackId> = tiles.iter().map(|(t, _)| *t).collect();
        for change in sub.video.assign(&wanted) {
            out.push(Decision::VideoSlot {
                subscriber: id,
                change,
            });
        }
        // Stop what is no longer shown.
        let dropped: Vec<TrackId> = sub
            .forwarding
            .keys()
            .filter(|t| !wanted.contains(t))
            .copied()
            .collect();
        for track in dropped {
            if sub
                .forwarding
                .remove(&track)
                .is_some_and(|f| f.current.is_some())
            {
                out.push(Decision::Forward {
                    subscriber: id,
                    track,
                    layer: None,
                });
            }
        }
        // Spend the budget in priority order (a pinned or speaking tile first): a tile may
        // take all but what the later tiles' lowest layers cost. An equal split would
        // hold the big tile at the lowest layer while thumbnails got more.
        let lowest: Vec<u32> = tiles
            .iter()
            .map(|(t, _)| layers::lowest_bitrate(&self.tracks[t].layers))
            .collect();
        let mut budget = sub.budget;
        for (i, (track, height)) in tiles.iter().enumerate() {
            let published = &self.tracks[track].layers;
            let sent: Vec<LayerInfo> = published
                .iter()
                .filter(|l| !self.stalled.contains_key(&(*track, l.layer)))
                .copied()
                .collect();
            // With every layer stalled, keep asking for all of them.
            let available = if sent.is_empty() { published } else { &sent };
            let later: u32 = lowest[i + 1..].iter().sum();
            // When not even that is left, this tile gets its lowest layer if anything.
            let share = match budget.checked_sub(later) {
                Some(spare) if spare >= lowest[i] => spare,
                _ => budget.min(lowest[i]),
            };
            let target = layers::choose(available, *height, share);
            if let Some(l) = target.and_then(|t| available.iter().find(|x| x.layer == t)) {
                budget = budget.saturating_sub(l.bitrate);
            }
            let f = sub.forwarding.entry(*track).or_default();
            match target {
                None => {
                    f.pending = None;
                    if f.current.take().is_some() {
                        out.push(Decision::Forward {
                            subscriber: id,
                            track: *track,
                            layer: None,
                        });
                    }
                }
                Some(t) if f.current == Some(t) => f.pending = None,
                Some(t) => {
                    f.pending = Some(t);
                    keyframes.insert((*track, t));
                }
            }
        }
    }

    fn pause_unwatched(&mut self, out: &mut Vec<Decision>) {
        let mut in_use: BTreeSet<(TrackId, Layer)> = BTreeSet::new();
        for s in self.subscribers.values() {
            for (t, f) in &s.forwarding {
                in_use.extend(f.current.iter().chain(f.pending.iter()).map(|l| (*t, *l)));
            }
        }
        for (track, p) in &mut self.tracks {
            for info in &p.layers {
                let used = in_use.contains(&(*track, info.layer));
                let paused = p.paused.contains(&info.layer);
                if used && paused {
                    p.paused.remove(&info.layer);
                    out.push(Decision::ResumeLayer {
                        track: *track,
                        layer: info.layer,
                    });
                } else if !used && !paused {
                    p.paused.insert(info.layer);
                    out.push(Decision::PauseLayer {
                        track: *track,
                        layer: info.layer,
                    });
                }
            }
        }
    }
}

#[cfg(test)]
mod tests;
