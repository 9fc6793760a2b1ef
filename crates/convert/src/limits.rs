//! The configurable bounds of conversion: sizes, pages, times, memory, concurrency, image widths.
//!
//! Not for enforcing them: each stage checks the limits that concern it. The defaults follow
//! DESIGN.md ("Defaults worth knowing"); the server embeds [`Limits`] in its config file, where any
//! field may be left out.

use std::time::Duration;

use serde::Deserialize;

/// Bounds of one conversion job and of the queue. `Default` gives the documented defaults.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Limits {
    /// Largest upload accepted (OCS data MCU: 50 MB per file).
    pub max_file_bytes: u64,
    /// Most pages a document may have, counted after click steps are expanded (BigBlueButton: 200).
    pub max_pages: u32,
    /// Wall-clock limit of the LibreOffice stage (BigBlueButton: 60 s).
    #[serde(with = "secs")]
    pub office_timeout: Duration,
    /// Wall-clock limit of each poppler stage (page count; rendering all pages).
    #[serde(with = "secs")]
    pub pdf_stage_timeout: Duration,
    /// Memory a job's processes may use together; beyond it they are killed.
    pub memory_bytes: u64,
    /// Jobs converting at the same time. LibreOffice uses one core; the server shares the machine.
    pub concurrency: usize,
    /// Jobs that may wait for a slot; past this `submit` answers `QueueFull`.
    pub queue_capacity: usize,
    /// Zip containers: most bytes all entries may unpack to.
    pub max_unpacked_bytes: u64,
    /// Zip containers: highest unpacked/packed ratio of one entry larger than 1 MiB unpacked.
    /// Office XML compresses 5–20×; 100× is the usual zip-bomb threshold (Apache POI uses it).
    pub max_compression_ratio: u64,
    /// Zip containers: most entries.
    pub max_zip_entries: usize,
    /// Most pixels an uploaded image may have (width × height), checked from its header
    /// before decoding; decoding costs up to 8 bytes per pixel in the server process.
    pub max_image_pixels: u64,
    /// Width in pixels of the large page image (full-screen presenting).
    pub large_width: u32,
    /// Width in pixels of the medium page image (normal stage, small screens).
    pub medium_width: u32,
    /// Width in pixels of the thumbnail.
    pub thumbnail_width: u32,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_file_bytes: 50 * 1000 * 1000,
            max_pages: 200,
            office_timeout: Duration::from_secs(60),
            pdf_stage_timeout: Duration::from_secs(30),
            memory_bytes: 1536 * 1024 * 1024,
            concurrency: 1,
            queue_capacity: 32,
            max_unpacked_bytes: 512 * 1024 * 1024,
            max_compression_ratio: 100,
            max_zip_entries: 10_000,
            // Phone cameras (12 MP) and 5K screenshots (14.7 MP) fit.
            max_image_pixels: 16_000_000,
            large_width: 1920,
            medium_width: 960,
            thumbnail_width: 320,
        }
    }
}

/// Durations are whole or fractional seconds in the config file (`office_timeout = 60`).
mod secs {
    use std::time::Duration;

    use serde::{Deserialize, Deserializer};

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Duration, D::Error> {
        let secs = f64::deserialize(d)?;
        Duration::try_from_secs_f64(secs).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn missing_fields_take_the_documented_defaults() {
        let limits: Limits = serde_json::from_str(r#"{"max_pages": 20, "office_timeout": 1.5}"#)
            .expect("valid config");
        assert_eq!(limits.max_pages, 20);
        assert_eq!(limits.office_timeout, Duration::from_millis(1500));
        assert_eq!(limits.max_file_bytes, 50_000_000);
        assert_eq!(limits.large_width, 1920);
    }

    #[test]
    fn unknown_fields_are_rejected() {
        assert!(serde_json::from_str::<Limits>(r#"{"max_pagez": 20}"#).is_err());
    }

    #[test]
    fn negative_durations_are_rejected() {
        assert!(serde_json::from_str::<Limits>(r#"{"office_timeout": -1}"#).is_err());
    }
}
