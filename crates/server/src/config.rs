//! Configuration: the defaults, then an optional TOML file, then environment variables
//! and command-line flags (clap reads both). Unknown keys in the file are refused, so a
//! typo cannot silently leave a default in place.
//!
//! Every limit and tunable of the server lives here, and its default is written once: in
//! the commented `confab.sample.toml`, which is compiled in. A file given at start is laid
//! over the sample key by key, so the structs below have no defaults of their own (a key
//! missing from the sample is an error, found by the tests).

use std::{
    net::{IpAddr, SocketAddr},
    path::PathBuf,
    time::Duration,
};

use anyhow::{bail, Context};
use confab_media::{router::RouterConfig, sfu::SfuConfig};
use serde::Deserialize;

/// The commented sample configuration: every key, with its default.
pub const SAMPLE: &str = include_str!("../../../confab.sample.toml");

/// The whole configuration of one server process.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
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
    /// How many guesses of secrets (passwords, passcodes) and joins are let through.
    pub guesses: GuessConfig,
}

/// Where WebRTC media flows.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
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
    /// Commands queued for the media loop (offers, layouts, gates) before meetings wait.
    pub command_queue: usize,
    /// How the SFU forwards.
    pub sfu: SfuSettings,
}

/// The SFU's tunables (what `confab_media::sfu::SfuConfig` leaves to the deployment).
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SfuSettings {
    /// Most receive slots of one kind (audio, video) a subscriber may offer.
    pub max_slots: usize,
    /// How often the router re-decides (speakers, layers, slots), in milliseconds.
    pub tick_ms: u64,
    /// Over how long a layer's bitrate is measured against the policy's cap, in ms.
    pub rate_window_ms: u64,
    /// A subscriber's bandwidth estimate before it measures, and what it probes for.
    pub initial_bwe_bps: u32,
    pub desired_bwe_bps: u32,
    /// The least budget a subscriber gets whatever its estimate says.
    pub min_budget_bps: u32,
    /// At most one keyframe request per track layer this often, in milliseconds.
    pub keyframe_interval_ms: u64,
    /// A wanted layer without a keyframe for this long counts as not sent, and is tried
    /// again this much later, in milliseconds.
    pub stall_after_ms: u64,
    pub stall_retry_ms: u64,
}

impl SfuSettings {
    /// The SFU's configuration for a meeting whose policy allows `layers`.
    pub fn sfu_config(&self, layers: confab_media::layers::LayerLimits) -> SfuConfig {
        let d = SfuConfig::default();
        SfuConfig {
            router: RouterConfig {
                keyframe_interval: Duration::from_millis(self.keyframe_interval_ms),
                stall_after: Duration::from_millis(self.stall_after_ms),
                stall_retry: Duration::from_millis(self.stall_retry_ms),
                ..d.router
            },
            layers,
            max_slots: self.max_slots,
            rate_window: Duration::from_millis(self.rate_window_ms),
            tick: Duration::from_millis(self.tick_ms),
            initial_bwe: self.initial_bwe_bps,
            desired_bwe: self.desired_bwe_bps,
            min_budget: self.min_budget_bps,
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
        let frame = confab_media::framing::MAX_FRAME;
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
#[serde(deny_unknown_fields)]
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
    /// People waiting in one meeting's lobby (the lobby does not count toward the
    /// meeting's size, so it has its own bound).
    pub max_lobby: usize,
    /// Seconds a connection may take to send a complete request header, after opening
    /// and between requests (also the idle keep-alive time).
    pub header_timeout_secs: u64,
    /// Seconds a request body may stall before the request is ended.
    pub body_timeout_secs: u64,
    /// HTTP connections open at once (WebSockets included); more are closed at once.
    pub max_connections: usize,
    /// Connections from one address (an IPv6 /64) that have not yet sent a complete
    /// request; more from it are closed at once.
    pub max_pending_per_address: u32,
    /// Password hashes (argon2, 19 MiB each) computed at once; 0: one per core.
    pub password_hashes: usize,
    /// Sign-ins waiting for a hash slot; more are answered 503 without hashing.
    pub password_hash_queue: usize,
    /// Seconds a client has to send its `hello`.
    pub hello_timeout_secs: u64,
    /// Seconds to write one frame to a client (any socket) before it counts as gone.
    pub write_timeout_secs: u64,
    /// Seconds a meeting actor with nobody in it lingers before it stops.
    pub idle_linger_secs: u64,
    /// Messages queued for one meeting actor or shared document, and changes queued for
    /// their persisters.
    pub runtime_queue: usize,
}

impl Default for Config {
    /// The sample configuration.
    fn default() -> Self {
        Self::from_toml("").expect("the sample configuration is valid")
    }
}

impl Limits {
    pub fn reconnect_grace(&self) -> Duration {
        Duration::from_secs(self.reconnect_grace_secs)
    }

    pub fn idle_timeout(&self) -> Duration {
        Duration::from_secs(self.idle_timeout_secs)
    }

    pub fn hello_timeout(&self) -> Duration {
        Duration::from_secs(self.hello_timeout_secs)
    }

    pub fn write_timeout(&self) -> Duration {
        Duration::from_secs(self.write_timeout_secs)
    }

    pub fn idle_linger(&self) -> Duration {
        Duration::from_secs(self.idle_linger_secs)
    }

    pub fn connections(&self) -> crate::api::listener::ConnectionLimits {
        crate::api::listener::ConnectionLimits {
            header_timeout: Duration::from_secs(self.header_timeout_secs),
            body_timeout: Duration::from_secs(self.body_timeout_secs),
            max_connections: self.max_connections,
            max_pending_per_address: self.max_pending_per_address,
        }
    }
}

/// Budgets of guesses and joins (see `confab_core::throttle`): a burst, then one more
/// every so many seconds. "Account" is a sign-in address or a meeting (for passcodes);
/// "address" an IP address (IPv6: its /64).
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GuessConfig {
    /// Wrong guesses from one address, at anything.
    pub per_address: u32,
    pub per_address_refill_secs: f64,
    /// Wrong guesses at one account from one address.
    pub per_account_address: u32,
    pub per_account_address_refill_secs: f64,
    /// Wrong guesses at one account from everywhere (a device that signed in to the
    /// account before is not counted, so this never locks out its owner).
    pub per_account: u32,
    pub per_account_refill_secs: f64,
    /// Guest joins (each makes a seat) from one address.
    pub joins_per_address: u32,
    pub joins_per_address_refill_secs: f64,
    /// Budgets remembered at most (about 100 bytes each).
    pub max_tracked: usize,
}

impl GuessConfig {
    pub fn budgets(&self) -> confab_core::throttle::Budgets {
        use confab_core::throttle::{Budget, Budgets};
        Budgets {
            per_source: Budget {
                burst: self.per_address,
                refill_secs: self.per_address_refill_secs,
            },
            per_target_source: Budget {
                burst: self.per_account_address,
                refill_secs: self.per_account_address_refill_secs,
            },
            per_target: Budget {
                burst: self.per_account,
                refill_secs: self.per_account_refill_secs,
            },
            max_keys: self.max_tracked,
        }
    }

    /// Joins: only the per-address budget applies.
    pub fn join_budgets(&self) -> confab_core::throttle::Budgets {
        use confab_core::throttle::Budget;
        confab_core::throttle::Budgets {
            per_source: Budget {
                burst: self.joins_per_address,
                refill_secs: self.joins_per_address_refill_secs,
            },
            ..self.budgets()
        }
    }

    fn validate(&self) -> anyhow::Result<()> {
        let bursts = [
            self.per_address,
            self.per_account_address,
            self.per_account,
            self.joins_per_address,
        ];
        let refills = [
            self.per_address_refill_secs,
            self.per_account_address_refill_secs,
            self.per_account_refill_secs,
            self.joins_per_address_refill_secs,
        ];
        if bursts.contains(&0)
            || refills.iter().any(|r| r.is_nan() || *r <= 0.0)
            || self.max_tracked < 1000
        {
            bail!(
                "guesses: budgets and refill seconds must be positive, max_tracked at least 1000"
            );
        }
        Ok(())
    }
}

/// Limits of shared documents; see `confab_collab::room` for what each one bounds.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
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
    /// Frames a connection may send at once, then per second; beyond it reading pauses
    /// (nothing is dropped: a dropped update would leave that client diverged).
    pub frames_burst: u32,
    pub frames_per_second: f64,
    /// Seconds for a document to load and take a peer in.
    pub join_timeout_secs: u64,
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

impl CollabConfig {
    pub fn join_timeout(&self) -> Duration {
        Duration::from_secs(self.join_timeout_secs)
    }
}

/// Lays `over` onto `base`, table by table: a key in `over` replaces the one in `base`.
fn merge(base: &mut toml::Table, over: toml::Table) {
    for (key, value) in over {
        match (base.get_mut(&key), value) {
            (Some(toml::Value::Table(b)), toml::Value::Table(o)) => merge(b, o),
            (_, value) => {
                base.insert(key, value);
            }
        }
    }
}

impl Config {
    /// Reads a TOML file over the defaults.
    pub fn from_file(path: &std::path::Path) -> anyhow::Result<Self> {
        let text = std::fs::read_to_string(path)
            .with_context(|| format!("reading config file {}", path.display()))?;
        Self::from_toml(&text).with_context(|| format!("in config file {}", path.display()))
    }

    /// TOML laid over the sample configuration.
    pub fn from_toml(text: &str) -> anyhow::Result<Self> {
        let mut table: toml::Table = SAMPLE.parse().context("the sample configuration")?;
        merge(&mut table, text.parse()?);
        Ok(table.try_into()?)
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
        if l.outbound_queue < 16 || l.replay_events < 16 || l.runtime_queue < 16 {
            bail!("limits.outbound_queue, replay_events and runtime_queue must be at least 16");
        }
        let cl = &self.collab;
        if cl.max_message_bytes < 1024 || cl.compact_after == 0 || cl.awareness_per_second == 0 {
            bail!("collab: max_message_bytes >= 1024, compact_after and awareness_per_second > 0");
        }
        if l.header_timeout_secs == 0
            || l.body_timeout_secs == 0
            || l.max_connections == 0
            || l.max_pending_per_address == 0
            || l.max_lobby == 0
        {
            bail!("limits: timeouts, max_connections, max_pending_per_address and max_lobby must be positive");
        }
        self.guesses.validate()?;
        if cl.frames_burst == 0 || cl.frames_per_second <= 0.0 {
            bail!("collab: frames_burst and frames_per_second must be positive");
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
    fn the_sample_config_is_the_default_and_valid() {
        let d = Config::default();
        assert_eq!(d.listen, "127.0.0.1:8080".parse().unwrap());
        assert_eq!(d.limits.max_chat_chars, 2000);
        assert_eq!(d.media.tcp_listen(), Some(d.media.listen));
        d.validate().unwrap();
    }

    /// The collab, convert and media crates keep defaults of their own (for their tests
    /// and other users); the sample must not disagree with them.
    #[test]
    fn the_samples_figures_are_the_crates_own_defaults() {
        let d = Config::default();
        assert_eq!(d.convert, confab_convert::Limits::default());
        assert_eq!(
            format!("{:?}", d.collab.room()),
            format!("{:?}", confab_collab::Config::default())
        );
        let layers = confab_media::layers::LayerLimits::default();
        assert_eq!(
            format!("{:?}", d.media.sfu.sfu_config(layers)),
            format!("{:?}", SfuConfig::default())
        );
    }

    #[test]
    fn a_file_overrides_only_the_keys_it_names() {
        let c =
            Config::from_toml("[limits]\nmax_chat_chars = 10\n[media.sfu]\ntick_ms = 20").unwrap();
        let d = Config::default();
        assert_eq!(c.limits.max_chat_chars, 10);
        assert_eq!(c.limits.chat_history, d.limits.chat_history);
        assert_eq!(c.media.sfu.tick_ms, 20);
        assert_eq!(c.media.sfu.max_slots, d.media.sfu.max_slots);
    }

    #[test]
    fn ice_tcp_listens_beside_udp_and_candidates_need_a_reachable_ip() {
        let media = |toml: &str| {
            Config::from_toml(&format!("[media]\n{toml}"))
                .unwrap()
                .media
        };
        let m = media("listen = \"0.0.0.0:10000\"");
        assert_eq!(m.tcp_listen(), Some("0.0.0.0:10000".parse().unwrap()));
        assert!(m.validate().is_err(), "0.0.0.0 is no address to send to");
        media("listen = \"0.0.0.0:10000\"\npublic_ip = \"203.0.113.7\"")
            .validate()
            .unwrap();
        assert_eq!(media("ice_tcp = false").tcp_listen(), None);
        assert!(
            media("max_packet_bytes = 70000").validate().is_err(),
            "no frame carries that"
        );
    }

    #[test]
    fn unknown_keys_are_refused() {
        assert!(Config::from_toml("lisen = \"0.0.0.0:1\"").is_err());
        assert!(Config::from_toml("[limits]\nmax_chat = 3").is_err());
    }
}
