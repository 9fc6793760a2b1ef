//! Configuration: built-in defaults, then an optional TOML file, then environment
//! variables and command-line flags (clap reads both). Unknown keys in the file are
//! refused, so a typo cannot silently leave a default in place. Every limit lives here.

use std::{
    net::{IpAddr, SocketAddr},
    path::PathBuf,
    time::Duration,
};

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
    /// The IP browsers are told to send media to (in UDP and TCP candidates alike), when
    /// it differs from the listening one: behind a 1:1 NAT, or listening on 0.0.0.0.
    pub public_ip: Option<IpAddr>,
    /// Passive ICE-TCP, for networks that block UDP.
    pub ice_tcp: bool,
    /// The TCP address for ICE-TCP. Default: `listen`'s IP and port number (a TCP port
    /// of its own; port 0: any free port).
    pub tcp_listen: Option<SocketAddr>,
    /// Largest packet accepted, in bytes, over UDP or in one ICE-TCP frame (WebRTC keeps
    /// packets under the path MTU). A larger datagram is dropped; a larger frame closes
    /// its TCP connection.
    pub max_packet_bytes: usize,
    /// ICE-TCP connections open at once; more are refused.
    pub max_tcp_connections: usize,
    /// Bytes queued toward one ICE-TCP connection; packets beyond it are dropped (media
    /// tolerates loss better than delay).
    pub tcp_send_buffer_bytes: usize,
    /// Seconds an ICE-TCP connection may carry nothing any participant accepts before it
    /// is closed (browsers check consent every few seconds).
    pub tcp_idle_secs: u64,
    /// TURN relays (coturn with `use-auth-secret`); none by default.
    pub turn: Option<crate::runtime::media::turn::TurnConfig>,
    /// Kernel receive and send buffer of the media socket, in bytes. Every participant's
    /// packets arrive on this one socket: with the kernel's default (about 200 KiB) it
    /// overflowed at 250 participants while the loop was busy sending. The kernel caps it
    /// at `net.core.rmem_max` / `wmem_max` (raise those to match; a warning says so).
    pub socket_buffer_bytes: usize,
}

impl Default for MediaConfig {
    fn default() -> Self {
        Self {
            listen: "127.0.0.1:0".parse().expect("valid literal"),
            public_ip: None,
            ice_tcp: true,
            tcp_listen: None,
            max_packet_bytes: 2048,
            max_tcp_connections: 4096,
            tcp_send_buffer_bytes: 256 * 1024,
            tcp_idle_secs: 30,
            turn: None,
            socket_buffer_bytes: 4 << 20,
        }
    }
}

impl MediaConfig {
    /// Where the ICE-TCP listener binds, if it runs.
    pub fn tcp_listen(&self) -> Option<SocketAddr> {
        self.ice_tcp.then(|| self.tcp_listen.unwrap_or(self.listen))
    }

    pub fn tcp_idle(&self) -> Duration {
        Duration::from_secs(self.tcp_idle_secs)
    }

    fn validate(&self) -> anyhow::Result<()> {
        if self.public_ip.is_none() && self.listen.ip().is_unspecified() {
            bail!(
                "media.listen on {} needs media.public_ip: browsers cannot be told to send to it",
                self.listen.ip()
            );
        }
        if self.public_ip.is_some_and(|ip| ip.is_unspecified()) {
            bail!("media.public_ip must be an address browsers can reach");
        }
        // 1200: what WebRTC stacks assume every path carries.
        let frame = confab_media::tcp::MAX_FRAME;
        if !(1200..=frame).contains(&self.max_packet_bytes) {
            bail!("media.max_packet_bytes must be between 1200 and {frame}");
        }
        if self.max_tcp_connections == 0
            || self.tcp_send_buffer_bytes < self.max_packet_bytes
            || self.tcp_idle_secs == 0
        {
            bail!("media: max_tcp_connections and tcp_idle_secs > 0, tcp_send_buffer_bytes >= max_packet_bytes");
        }
        if let Some(turn) = &self.turn {
            turn.validate()?;
        }
        Ok(())
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
        self.media.validate()?;
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
        assert_eq!(parsed.media.max_packet_bytes, d.media.max_packet_bytes);
        assert_eq!(parsed.media.tcp_idle_secs, d.media.tcp_idle_secs);
        assert_eq!(parsed.media.tcp_listen(), d.media.tcp_listen());
        parsed.validate().unwrap();
    }

    #[test]
    fn ice_tcp_listens_beside_udp_and_candidates_need_a_reachable_ip() {
        let media: MediaConfig = toml::from_str("listen = \"0.0.0.0:10000\"").unwrap();
        assert_eq!(media.tcp_listen(), Some("0.0.0.0:10000".parse().unwrap()));
        assert!(
            media.validate().is_err(),
            "0.0.0.0 is no address to send to"
        );
        let media: MediaConfig =
            toml::from_str("listen = \"0.0.0.0:10000\"\npublic_ip = \"203.0.113.7\"").unwrap();
        media.validate().unwrap();
        let media: MediaConfig = toml::from_str("ice_tcp = false").unwrap();
        assert_eq!(media.tcp_listen(), None);
        let media: MediaConfig = toml::from_str("max_packet_bytes = 70000").unwrap();
        assert!(media.validate().is_err(), "no frame carries that");
    }

    #[test]
    fn unknown_keys_are_refused() {
        assert!(toml::from_str::<Config>("lisen = \"0.0.0.0:1\"").is_err());
        assert!(toml::from_str::<Config>("[limits]\nmax_chat = 3").is_err());
    }
}
