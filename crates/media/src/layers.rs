//! Choosing a simulcast layer for one subscriber's view of one video track.
//!
//! A publisher sends up to three encodings (rid `l`, `m`, `h`; by default 1/4, 1/2 and
//! full resolution). A subscriber gets the smallest layer that fills its tile, or a lower
//! one when its bandwidth share cannot carry that.

/// One simulcast encoding, smallest first.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Layer {
    Low,
    Medium,
    High,
}

impl Layer {
    pub const ALL: [Layer; 3] = [Layer::Low, Layer::Medium, Layer::High];

    /// The RTP stream id browsers use for this layer.
    pub fn rid(self) -> &'static str {
        match self {
            Layer::Low => "l",
            Layer::Medium => "m",
            Layer::High => "h",
        }
    }

    pub fn from_rid(rid: &str) -> Option<Layer> {
        Layer::ALL.into_iter().find(|l| l.rid() == rid)
    }
}

/// What a publisher currently sends on one layer.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LayerInfo {
    pub layer: Layer,
    /// Frame height in pixels.
    pub height: u32,
    /// Measured bitrate, bits per second.
    pub bitrate: u32,
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
    fn missing_layers_are_skipped() {
        // At 640x480 Chromium sends only l and m (FACTS.md).
        let two = &simulcast()[1..];
        assert_eq!(choose(two, 700, 10_000_000), Some(Layer::Medium));
        assert_eq!(choose(&[], 700, 10_000_000), None);
        assert_eq!(Layer::from_rid("m"), Some(Layer::Medium));
        assert_eq!(Layer::from_rid("x"), None);
    }
}
