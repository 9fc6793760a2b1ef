//! Configuration: built-in defaults, then an optional TOML file, then environment
//! variables and command-line flags (clap reads both). Unknown keys in the file are
//! refused, so a typo cannot silently leave a default in place. Every limit lives here.

use std::{net::SocketAddr, path::PathBuf, time::Duration};

use anyhow::{bail, Context};
use serde::Deserialize;

/// The whole configuration of one server process.
#[derive(Clone, Debug, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Config {
    /// Address and port to listen on.
    pub listen: SocketAddr,
    /// Directory for the SQLite database (and, later, blobs).
    pub data: PathBuf,
    /// The URL people reach this server at; join links are built from it.
    /// Default: `http://<listen>`.
    pub public_url: Option<String>,
    /// Region of the first tenant created on first start.
    pub region: String,
    pub limits: Limits,
    /// Document conversion (sizes, pages, time and memory limits, concurrency).
    pub convert: confab_convert::Limits,
    /// Shared documents (annotation, whiteboard, text pages).
    pub collab: CollabConfig,
    pub media: MediaConfig,
}

/// Where WebRTC media flows.
#[derive(Clone, Debug, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct MediaConfig {
    /// The UDP address media is received on (port 0: any free port).
    pub listen: SocketAddr,
    /// The address browsers are told to send media to, when it differs from `listen`
    /// (behind NAT, or when listening on 0.0.0.0).
    pub public_addr: Option<SocketAddr>,
    /// A TCP address for passive ICE-TCP, for networks that block UDP (off when unset).
    /// Advertised at `public_addr`'s IP, if set, with this port.
    pub tcp_listen: Option<SocketAddr>,
    /// TURN relays (coturn with `use-auth-secret`); none by default.
    pub turn: Option<crate::turn::TurnConfig>,
}

impl Default for MediaConfig {
    fn default() -> Self {
        Self {
            listen: "127.0.0.1:0".parse().expect("valid literal"),
            public_addr: None,
            tcp_listen: None,
            turn: None,
        }
    }
}

/// Sizes, rates and durations. Defaults follow DESIGN.md.
#[derive(Clone, Debug, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Limits {
    /// Largest room-channel frame accepted, in bytes.
    pub max_frame_bytes: usize,
    /// Largest chat message, in characters.
    pub max_chat_chars: u32,
    /// Chat messages a late joiner receives.
    pub chat_history: u32,
    /// Chat burst per participant, then messages per second.
    pub chat_burst: u32,
    pub chat_per_second: f64,
    /// Room-channel frames per second per connection (any kind), after a burst.
    pub frames_burst: u32,
    pub frames_per_second: f64,
    /// Seconds a dropped participant keeps their seat.
    pub reconnect_grace_secs: u64,
    /// Seconds without any frame from a client before its connection is closed.
    pub idle_timeout_secs: u64,
    /// Frames queued for one connection before it is cut off as too slow.
    pub outbound_queue: usize,
    /// Events kept per participant for resuming after a dropped connection.
    pub replay_events: usize,
    /// How long a join token stays valid, in hours.
    pub join_token_ttl_hours: u64,
    /// How long a sign-in lasts, in hours.
    pub session_ttl_hours: u64,
    /// Hours after a scheduled meeting's end that its links keep working.
    pub link_grace_hours: u64,
    /// Request bodies larger than this are refused, in bytes (uploads have their own limit).
    pub max_body_bytes: usize,
    /// Bytes of documents one meeting may hold (each file: `convert.max_file_bytes`).
    pub max_meeting_upload_bytes: u64,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            listen: "127.0.0.1:8080".parse().expect("valid literal"),
            data: PathBuf::from("data"),
            public_url: None,
            region: "local".into(),
            limits: Limits::default(),
            convert: confab_convert::Limits::default(),
            collab: CollabConfig::default(),
            media: MediaConfig::default(),
        }
    }
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            max_frame_bytes: 64 * 1024,
            max_chat_chars: 2000,
            chat_history: 500,
            chat_burst: 5,
            chat_per_second: 1.0,
            frames_burst: 50,
            frames_per_second: 20.0,
            reconnect_grace_secs: 60,
            idle_timeout_secs: 60,
            outbound_queue: 1024,
            replay_events: 2048,
            join_token_ttl_hours: 12,
            session_ttl_hours: 24 * 14,
            link_grace_hours: 24,
            max_body_bytes: 1024 * 1024,
            max_meeting_upload_bytes: 100 * 1000 * 1000,
        }
    }
}

impl Limits {
    pub fn reconnect_grace(&self) -> Duration {
        Duration::from_secs(self.reconnect_grace_secs)
    }

    pub fn idle_timeout(&self) -> Duration {
        Duration::from_secs(self.idle_timeout_secs)
    }
}

/// Limits of shared documents; see `confab_collab::room` for what each one bounds.
#[derive(Clone, Debug, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct CollabConfig {
    /// Largest y-websocket message (and so update) accepted, in bytes.
    pub max_message_bytes: usize,
    /// Largest presence (awareness) message accepted, in bytes.
    pub max_awareness_bytes: usize,
    /// Presence updates relayed per connection per second.
    pub awareness_per_second: u32,
    /// Whether viewers' presence is relayed (off: 250 viewers cause no heartbeat storm).
    pub awareness_for_readers: bool,
    /// Updates kept in the log before a snapshot replaces them.
    pub compact_after: u32,
    /// Largest stored size of one document, in bytes.
    pub max_doc_bytes: usize,
}

impl Default for CollabConfig {
    fn default() -> Self {
        let d = confab_collab::Config::default();
        Self {
            max_message_bytes: d.max_message_bytes,
            max_awareness_bytes: d.max_awareness_bytes,
            awareness_per_second: d.awareness_per_second,
            awareness_for_readers: d.awareness_for_readers,
            compact_after: d.compact_after,
            max_doc_bytes: d.max_doc_bytes,
        }
    }
}

impl CollabConfig {
    pub fn room(&self) -> confab_collab::Config {
        confab_collab::Config {
            max_message_bytes: self.max_message_bytes,
            max_awareness_bytes: self.max_awareness_bytes,
            awareness_per_second: self.awareness_per_second,
            awareness_for_readers: self.awareness_for_readers,
            compact_after: self.compact_after,
            max_doc_bytes: self.max_doc_bytes,
            ..confab_collab::Config::default()
        }
    }
}

impl Config {
    /// Reads a TOML file over the defaults.
    pub fn from_file(path: &std::path::Path) -> anyhow::Result<Self> {
        let text = std::fs::read_to_string(path)
            .with_context(|| format!("reading config file {}", path.display()))?;
        toml::from_str(&text).with_context(|| format!("in config file {}", path.display()))
    }

    /// The base URL join links are built from, without a trailing slash.
    pub fn public_url(&self) -> String {
        match &self.public_url {
            Some(u) => u.trim_end_matches('/').to_owned(),
            None => format!("http://{}", self.listen),
        }
    }

    /// Whether cookies must be marked `Secure`.
    pub fn https(&self) -> bool {
        self.public_url().starts_with("https://")
    }

    pub fn validate(&self) -> anyhow::Result<()> {
        let l = &self.limits;
        if l.max_frame_bytes < 1024 {
            bail!("limits.max_frame_bytes must be at least 1024");
        }
        if l.max_chat_chars == 0 || l.chat_burst == 0 || l.chat_per_second <= 0.0 {
            bail!("chat limits must be positive");
        }
        if l.frames_burst == 0 || l.frames_per_second <= 0.0 {
            bail!("frame rate limits must be positive");
        }
        if l.outbound_queue < 16 || l.replay_events < 16 {
            bail!("limits.outbound_queue and limits.replay_events must be at least 16");
        }
        let cl = &self.collab;
        if cl.max_message_bytes < 1024 || cl.compact_after == 0 || cl.awareness_per_second == 0 {
            bail!("collab: max_message_bytes >= 1024, compact_after and awareness_per_second > 0");
        }
        if let Some(u) = &self.public_url {
            if !(u.starts_with("http://") || u.starts_with("https://")) {
                bail!("public_url must start with http:// or https://");
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_sample_config_parses_and_matches_the_defaults() {
        let sample = include_str!("../../../confab.sample.toml");
        let parsed: Config = toml::from_str(sample).unwrap();
        let d = Config::default();
        assert_eq!(parsed.listen, d.listen);
        assert_eq!(parsed.limits.max_chat_chars, d.limits.max_chat_chars);
        assert_eq!(parsed.limits.replay_events, d.limits.replay_events);
        parsed.validate().unwrap();
    }

    #[test]
    fn unknown_keys_are_refused() {
        assert!(toml::from_str::<Config>("lisen = \"0.0.0.0:1\"").is_err());
        assert!(toml::from_str::<Config>("[limits]\nmax_chat = 3").is_err());
    }
}
