//! Choosing a simulcast layer for one subscriber's view of one video track.
//!
//! A publisher sends up to three encodings (rid `l`, `m`, `h`; by default 1/4, 1/2 and
//! full resolution). A subscriber gets the smallest layer that fills its tile, or a lower
//! one when its bandwidth share cannot carry that.

/// One simulcast encoding, smallest first (a wire type: the client pauses layers by it).
pub use confab_proto::room::SimulcastLayer as Layer;

/// What a publisher currently sends on one layer.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LayerInfo {
    pub layer: Layer,
    /// Frame height in pixels.
    pub height: u32,
    /// Measured bitrate, bits per second.
    pub bitrate: u32,
}

/// What publishers send and what policy lets through.
#[derive(Clone, Debug)]
pub struct LayerLimits {
    /// Height of the full-size layer, scaled down by [`Layer::scale_down_by`].
    pub capture_height: u32,
    /// The `maxBitrate` the client sets on each encoding, smallest layer first, bits per
    /// second.
    pub bitrates: [u32; 3],
    /// Policy: no layer taller than this is forwarded.
    pub max_height: u32,
    /// Policy: no layer above this bitrate is forwarded.
    pub max_bitrate: u32,
}

impl Default for LayerLimits {
    fn default() -> Self {
        // The client's simulcast profile, from the one definition both sides read.
        Self {
            capture_height: confab_proto::room::CAPTURE_HEIGHT,
            bitrates: Layer::ALL.map(Layer::nominal_bitrate),
            max_height: 720,
            max_bitrate: 2_500_000,
        }
    }
}

impl LayerLimits {
    /// A publisher without simulcast: one layer, under any height cap. The server
    /// cannot scale it down, and leaving it out would give every subscriber an empty
    /// tile; the cap is what selects among simulcast layers. Its bitrate is unknown and
    /// cannot be lowered, so it counts as free: no budget ever keeps it from a tile
    /// (what it actually sends is still held to the bitrate cap).
    pub fn single(&self) -> Vec<LayerInfo> {
        vec![LayerInfo {
            layer: Layer::High,
            height: self.capture_height.min(self.max_height),
            bitrate: 0,
        }]
    }

    /// The layers of a simulcast publisher sending `sent`, with their nominal sizes,
    /// less those the policy caps away.
    pub fn forwardable(&self, sent: &[Layer]) -> Vec<LayerInfo> {
        sent.iter()
            .map(|&layer| LayerInfo {
                layer,
                height: self.capture_height / layer.scale_down_by(),
                bitrate: self.bitrates[layer as usize],
            })
            .filter(|l| l.height <= self.max_height && l.bitrate <= self.max_bitrate)
            .collect()
    }
}

/// Measures what a publisher actually sends on one layer, over whole windows, so the
/// policy's bitrate cap holds even for a client that ignores its `maxBitrate` (or sends
/// without simulcast, whose one layer has no nominal figure).
#[derive(Clone, Debug)]
pub struct RateMeter {
    window: std::time::Duration,
    started: Option<std::time::Instant>,
    bytes: u64,
    /// Bits per second over the last complete window.
    last: u32,
}

impl RateMeter {
    pub fn new(window: std::time::Duration) -> Self {
        Self {
            window,
            started: None,
            bytes: 0,
            last: 0,
        }
    }

    /// Counts a packet of `bytes` at `now`; returns the rate of the last whole window.
    pub fn on_packet(&mut self, bytes: usize, now: std::time::Instant) -> u32 {
        let started = *self.started.get_or_insert(now);
        let elapsed = now.saturating_duration_since(started);
        if elapsed >= self.window {
            let bps = self.bytes as f64 * 8.0 / elapsed.as_secs_f64();
            self.last = bps.min(f64::from(u32::MAX)) as u32;
            self.started = Some(now);
            self.bytes = 0;
        }
        self.bytes += bytes as u64;
        self.last
    }
}

/// What the cheapest of `available` costs, bits per second (0 when there is none).
pub fn lowest_bitrate(available: &[LayerInfo]) -> u32 {
    available.iter().map(|l| l.bitrate).min().unwrap_or(0)
}

/// The best layer for a tile `tile_height` pixels tall within `budget` bits per second:
/// the smallest layer at least as tall as the tile, stepped down until it fits the
/// budget. `None` when not even the lowest layer fits (the video is then not sent).
pub fn choose(available: &[LayerInfo], tile_height: u32, budget: u32) -> Option<Layer> {
    let mut layers: Vec<&LayerInfo> = available.iter().collect();
    layers.sort_by_key(|l| l.layer);
    let wanted = layers
        .iter()
        .position(|l| l.height >= tile_height)
        .unwrap_or(layers.len().checked_sub(1)?);
    layers[..=wanted]
        .iter()
        .rev()
        .find(|l| l.bitrate <= budget)
        .map(|l| l.layer)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn simulcast() -> Vec<LayerInfo> {
        vec![
            LayerInfo {
                layer: Layer::High,
                height: 720,
                bitrate: 1_500_000,
            },
            LayerInfo {
                layer: Layer::Low,
                height: 180,
                bitrate: 150_000,
            },
            LayerInfo {
                layer: Layer::Medium,
                height: 360,
                bitrate: 500_000,
            },
        ]
    }

    #[test]
    fn a_small_tile_gets_the_low_layer_and_a_big_one_the_high() {
        assert_eq!(choose(&simulcast(), 120, 10_000_000), Some(Layer::Low));
        assert_eq!(choose(&simulcast(), 300, 10_000_000), Some(Layer::Medium));
        assert_eq!(choose(&simulcast(), 700, 10_000_000), Some(Layer::High));
        assert_eq!(
            choose(&simulcast(), 1080, 10_000_000),
            Some(Layer::High),
            "bigger than any: the biggest"
        );
    }

    #[test]
    fn a_tight_budget_steps_down_and_an_impossible_one_sends_nothing() {
        assert_eq!(choose(&simulcast(), 700, 600_000), Some(Layer::Medium));
        assert_eq!(choose(&simulcast(), 700, 200_000), Some(Layer::Low));
        assert_eq!(choose(&simulcast(), 700, 100_000), None);
    }

    #[test]
    fn policy_caps_remove_layers_that_are_too_tall_or_too_costly() {
        let all = Layer::ALL;
        let open = LayerLimits::default().forwardable(&all);
        assert_eq!(
            open.iter().map(|l| (l.layer, l.height)).collect::<Vec<_>>(),
            vec![(Layer::Low, 180), (Layer::Medium, 360), (Layer::High, 720)]
        );
        let sd = LayerLimits {
            max_height: 360,
            ..Default::default()
        };
        assert_eq!(sd.forwardable(&all).len(), 2);
        let thin = LayerLimits {
            max_bitrate: 200_000,
            ..Default::default()
        };
        assert_eq!(thin.forwardable(&all)[..], open[..1]);
    }

    #[test]
    fn a_camera_without_simulcast_is_forwarded_under_any_height_cap() {
        for max_height in [90, 180, 360, 720, 1080] {
            let limits = LayerLimits {
                max_height,
                ..Default::default()
            };
            let single = limits.single();
            assert_eq!(single.len(), 1, "under a {max_height} cap");
            assert!(single[0].height <= max_height.max(1));
            assert_eq!(choose(&single, 720, 0), Some(Layer::High));
        }
    }

    #[test]
    fn the_meter_reports_whole_windows_only() {
        use std::time::{Duration, Instant};
        let mut m = RateMeter::new(Duration::from_secs(1));
        let t0 = Instant::now();
        // 1000 bytes every 10 ms: 800 kbit/s.
        let mut rate = 0;
        for i in 0..=150 {
            rate = m.on_packet(1000, t0 + Duration::from_millis(10 * i));
            if i < 100 {
                assert_eq!(rate, 0, "no whole window yet at {i}");
            }
        }
        assert!((790_000..=810_000).contains(&rate), "{rate}");
    }

    #[test]
    fn missing_layers_are_skipped() {
        // At 640x480 Chromium sends only l and m (FACTS.md).
        let two = &simulcast()[1..];
        assert_eq!(choose(two, 700, 10_000_000), Some(Layer::Medium));
        assert_eq!(choose(&[], 700, 10_000_000), None);
        assert_eq!(Layer::from_rid("m"), Some(Layer::Medium));
        assert_eq!(Layer::from_rid("x"), None);
    }
}
