//! Janus (Debian's 1.1.2) as the comparison SFU, driven by the same bots through its
//! VideoRoom plugin over the HTTP API: a configuration of its own in a temporary
//! directory (the HTTP transport and the VideoRoom plugin only), a room sized for the
//! scenario, publishers with simulcast (`joinandconfigure` with an offer), and one
//! multistream subscriber handle per receiving bot (Janus offers, the bot answers).
//!
//! One Janus session holds every handle; one long-poll task routes events to handles.

use std::{
    collections::HashMap,
    net::IpAddr,
    path::{Path, PathBuf},
    sync::{Arc, Mutex},
    time::{Duration, Instant},
};

use anyhow::{bail, Context};
use serde_json::{json, Value};
use str0m::{
    change::{SdpAnswer, SdpOffer},
    media::{MediaKind, Mid},
};
use tokio::{
    net::UdpSocket,
    sync::{mpsc, watch, Semaphore},
};

use super::{
    bot::{self, Control, OfferPlan, Phase, Shared, Track},
    metrics::PublisherIdx,
    BotResult, Scenario, Want,
};

const JANUS_LIB: &str = "/usr/lib/x86_64-linux-gnu/janus";

type Routes = Arc<Mutex<HashMap<u64, mpsc::UnboundedSender<Value>>>>;

pub struct Janus {
    child: tokio::process::Child,
    dir: PathBuf,
    base: String,
    http: reqwest::Client,
    session: u64,
    routes: Routes,
    poller: tokio::task::JoinHandle<()>,
    /// Where Janus gathers its ICE candidate, and where the bots bind for it.
    ip: IpAddr,
}

/// Janus never offers a loopback candidate (libnice skips `lo`), and str0m does not pair
/// a loopback candidate with another address: both sides use the machine's first
/// non-loopback IPv4 address (traffic to it stays on the loopback device all the same).
fn media_ip() -> IpAddr {
    std::process::Command::new("hostname")
        .arg("-I")
        .output()
        .ok()
        .and_then(|o| {
            String::from_utf8_lossy(&o.stdout)
                .split_whitespace()
                .filter_map(|w| w.parse::<std::net::Ipv4Addr>().ok())
                .find(|a| !a.is_loopback())
        })
        .map_or(IpAddr::from([127, 0, 0, 1]), IpAddr::V4)
}

/// The configuration files, in libconfig syntax, for a Janus with only what the
/// benchmark uses.
pub fn config_files(dir: &Path, port: u16, ip: IpAddr) -> Vec<(&'static str, String)> {
    let d = dir.display();
    vec![
        (
            "janus.jcfg",
            format!(
                "general: {{\n  configs_folder = \"{d}\"\n  plugins_folder = \"{d}/plugins\"\n  \
                 transports_folder = \"{d}/transports\"\n  events_folder = \"{d}/none\"\n  \
                 loggers_folder = \"{d}/none\"\n  debug_level = 3\n  session_timeout = 120\n}}\n\
                 media: {{\n  rtp_port_range = \"30000-39999\"\n}}\n\
                 nat: {{\n  ice_enforce_list = \"{ip}\"\n}}\n"
            ),
        ),
        (
            "janus.transport.http.jcfg",
            format!(
                "general: {{\n  json = \"compact\"\n  base_path = \"/janus\"\n  http = true\n  \
                 port = {port}\n  https = false\n}}\nadmin: {{\n  admin_http = false\n}}\n"
            ),
        ),
        ("janus.plugin.videoroom.jcfg", "general: {\n}\n".into()),
    ]
}

/// A VideoRoom `create` request for a room with room for `publishers`.
pub fn create_room_body(room: u64, publishers: usize) -> Value {
    json!({
        "request": "create",
        "room": room,
        "publishers": publishers,
        "audiocodec": "opus",
        "videocodec": "vp8",
        "audiolevel_ext": true,
        "notify_joining": false,
        "bitrate": 0,
    })
}

/// Where a bot's tracks are in its publisher offer (the mids Janus subscribers name).
type PublishedMids = HashMap<PublisherIdx, Vec<(Track, Mid)>>;

/// A multistream subscribe request for what a bot wants; `None` if a wanted publisher
/// has not published that track.
pub fn subscribe_streams(wants: &[Want], published: &PublishedMids) -> Option<Vec<Value>> {
    wants
        .iter()
        .map(|w| {
            let (idx, track) = match *w {
                Want::Audio(i) => (i, Track::Microphone),
                Want::Camera(i, _) => (i, Track::Camera),
                Want::Screen(i) => (i, Track::Screen),
            };
            let mid = published.get(&idx)?.iter().find(|(t, _)| *t == track)?.1;
            Some(json!({"feed": feed_id(idx), "mid": mid.to_string()}))
        })
        .collect()
}

/// Janus's substream number for a layer (0 = l). Janus counts from the highest
/// quality down (its own janus.js offers the rids h, m, l), whatever order the offer
/// lists them in: measured here, 0 forwards the 1280×720 layer.
pub fn janus_substream(layer: u8) -> u8 {
    2 - layer.min(2)
}

/// Janus feed ids start at 1; the bot's index is kept inside.
fn feed_id(idx: PublisherIdx) -> u64 {
    idx as u64 + 1
}

fn transaction() -> String {
    use std::sync::atomic::{AtomicU64, Ordering};
    static NEXT: AtomicU64 = AtomicU64::new(1);
    format!("t{}", NEXT.fetch_add(1, Ordering::Relaxed))
}

impl Janus {
    /// Writes the configuration and starts `janus`, installing Debian's package if needed.
    pub async fn start(port: u16) -> anyhow::Result<Self> {
        if !Path::new(JANUS_LIB)
            .join("plugins/libjanus_videoroom.so")
            .exists()
        {
            let status = tokio::process::Command::new("apt-get")
                .args(["install", "-y", "janus"])
                .env("DEBIAN_FRONTEND", "noninteractive")
                .status()
                .await?;
            if !status.success() {
                bail!("apt-get install janus failed");
            }
        }
        let dir = std::env::temp_dir().join(format!("janus-bench-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        for sub in ["plugins", "transports", "none"] {
            std::fs::create_dir_all(dir.join(sub))?;
        }
        std::os::unix::fs::symlink(
            Path::new(JANUS_LIB).join("plugins/libjanus_videoroom.so"),
            dir.join("plugins/libjanus_videoroom.so"),
        )?;
        std::os::unix::fs::symlink(
            Path::new(JANUS_LIB).join("transports/libjanus_http.so"),
            dir.join("transports/libjanus_http.so"),
        )?;
        let ip = media_ip();
        for (name, text) in config_files(&dir, port, ip) {
            std::fs::write(dir.join(name), text)?;
        }
        // Janus logs to stdout; keep it beside the configuration for when a run fails.
        let log = std::fs::File::create(dir.join("janus.log"))?;
        let child = tokio::process::Command::new("janus")
            .arg("-C")
            .arg(dir.join("janus.jcfg"))
            .arg("-F")
            .arg(&dir)
            .args(["-i", "127.0.0.1"])
            .stdout(log.try_clone()?)
            .stderr(log)
            .kill_on_drop(true)
            .spawn()
            .context("starting janus")?;
        let base = format!("http://127.0.0.1:{port}/janus");
        let http = reqwest::Client::new();
        let deadline = Instant::now() + Duration::from_secs(20);
        let session = loop {
            let r = http
                .post(&base)
                .json(&json!({"janus": "create", "transaction": transaction()}))
                .send()
                .await;
            if let Ok(r) = r {
                let v: Value = r.json().await?;
                break v["data"]["id"].as_u64().context("session id")?;
            }
            if Instant::now() > deadline {
                bail!("janus did not answer on port {port}");
            }
            tokio::time::sleep(Duration::from_millis(200)).await;
        };
        let routes = Routes::default();
        let poller = tokio::spawn(poll_events(
            http.clone(),
            format!("{base}/{session}?maxev=100"),
            routes.clone(),
        ));
        Ok(Self {
            child,
            dir,
            base,
            http,
            session,
            routes,
            poller,
            ip,
        })
    }

    pub fn pid(&self) -> u32 {
        self.child.id().unwrap_or(0)
    }

    async fn post(&self, path: &str, mut body: Value) -> anyhow::Result<Value> {
        body["transaction"] = transaction().into();
        let v: Value = self
            .http
            .post(format!("{}/{}{path}", self.base, self.session))
            .json(&body)
            .send()
            .await?
            .json()
            .await?;
        if v["janus"] == "error" {
            bail!("janus: {}", v["error"]);
        }
        Ok(v)
    }

    /// A VideoRoom handle and the events addressed to it.
    async fn attach(&self) -> anyhow::Result<(u64, mpsc::UnboundedReceiver<Value>)> {
        let v = self
            .post(
                "",
                json!({"janus": "attach", "plugin": "janus.plugin.videoroom"}),
            )
            .await?;
        let handle = v["data"]["id"].as_u64().context("handle id")?;
        let (tx, rx) = mpsc::unbounded_channel();
        self.routes.lock().expect("not poisoned").insert(handle, tx);
        Ok((handle, rx))
    }

    async fn message(
        &self,
        handle: u64,
        body: Value,
        jsep: Option<Value>,
    ) -> anyhow::Result<Value> {
        let mut msg = json!({"janus": "message", "body": body});
        if let Some(j) = jsep {
            msg["jsep"] = j;
        }
        let v = self.post(&format!("/{handle}"), msg).await?;
        if let Some(e) = v["plugindata"]["data"].get("error") {
            bail!("videoroom: {e}");
        }
        Ok(v)
    }

    pub async fn create_room(&self, participants: usize) -> anyhow::Result<u64> {
        let (handle, _) = self.attach().await?;
        let room = 4242;
        self.message(handle, create_room_body(room, participants + 5), None)
            .await?;
        Ok(room)
    }
}

impl Drop for Janus {
    fn drop(&mut self) {
        self.poller.abort();
        let _ = self.child.start_kill();
        if std::env::var_os("FLEET_KEEP_JANUS").is_none() {
            let _ = std::fs::remove_dir_all(&self.dir);
        }
    }
}

/// Long-polls the session and hands each event to its handle's channel.
async fn poll_events(http: reqwest::Client, url: String, routes: Routes) {
    loop {
        let Ok(r) = http.get(&url).send().await else {
            tokio::time::sleep(Duration::from_millis(100)).await;
            continue;
        };
        let Ok(v) = r.json::<Value>().await else {
            continue;
        };
        let events = match v {
            Value::Array(a) => a,
            one => vec![one],
        };
        let routes = routes.lock().expect("not poisoned");
        for e in events {
            if let Some(tx) = e["sender"].as_u64().and_then(|s| routes.get(&s)) {
                let _ = tx.send(e);
            }
        }
    }
}

/// The next plugin event that carries a JSEP, or an error event.
async fn jsep_event(rx: &mut mpsc::UnboundedReceiver<Value>) -> anyhow::Result<Value> {
    loop {
        let e = tokio::time::timeout(Duration::from_secs(30), rx.recv())
            .await
            .context("no answer from janus")?
            .context("janus went away")?;
        if let Some(err) = e["plugindata"]["data"].get("error") {
            bail!("videoroom: {err}");
        }
        if e.get("jsep").is_some() {
            return Ok(e);
        }
    }
}

/// A negotiated peer, ready to run.
struct Negotiated {
    peer: bot::Peer,
    /// Which publisher each receiving mid carries (fixed for a Janus subscription).
    sources: HashMap<Mid, PublisherIdx>,
}

async fn publish(
    janus: &Janus,
    room: u64,
    idx: PublisherIdx,
    tracks: &[Track],
) -> anyhow::Result<(Negotiated, mpsc::UnboundedReceiver<Value>)> {
    let (handle, mut events) = janus.attach().await?;
    let socket = UdpSocket::bind((janus.ip, 0)).await?;
    let mut rtc = bot::new_rtc(socket.local_addr()?)?;
    let (offer, pending, plan) = bot::make_offer(&mut rtc, tracks, 0, 0).context("no tracks")?;
    let body = json!({
        "request": "joinandconfigure",
        "ptype": "publisher",
        "room": room,
        "id": feed_id(idx),
        "display": format!("Bot {idx}"),
        "audio": true,
        "video": true,
    });
    let jsep = json!({"type": "offer", "sdp": offer.to_sdp_string(), "trickle": false});
    janus.message(handle, body, Some(jsep)).await?;
    let e = jsep_event(&mut events).await?;
    let sdp = e["jsep"]["sdp"].as_str().context("answer sdp")?;
    if std::env::var_os("FLEET_DEBUG").is_some() {
        eprintln!("OFFER\n{}\nANSWER\n{sdp}", offer.to_sdp_string());
    }
    rtc.sdp_api()
        .accept_answer(pending, SdpAnswer::from_sdp_string(sdp)?)?;
    let n = Negotiated {
        peer: bot::Peer { rtc, socket, plan },
        sources: HashMap::new(),
    };
    Ok((n, events))
}

/// Waits until Janus says the publisher's PeerConnection is up: only then may anyone
/// subscribe to its feed.
async fn webrtc_up(events: &mut mpsc::UnboundedReceiver<Value>) -> anyhow::Result<()> {
    loop {
        let e = tokio::time::timeout(Duration::from_secs(20), events.recv())
            .await
            .context("publisher never connected")?
            .context("janus went away")?;
        if e["janus"] == "webrtcup" {
            return Ok(());
        }
    }
}

async fn subscribe(
    janus: &Janus,
    room: u64,
    wants: &[Want],
    published: &PublishedMids,
) -> anyhow::Result<Negotiated> {
    let streams = subscribe_streams(wants, published).context("a wanted track is missing")?;
    let (handle, mut events) = janus.attach().await?;
    let body = json!({"request": "join", "ptype": "subscriber", "room": room, "streams": streams});
    janus.message(handle, body, None).await?;
    let e = jsep_event(&mut events).await?;
    let socket = UdpSocket::bind((janus.ip, 0)).await?;
    let mut rtc = bot::new_rtc(socket.local_addr()?)?;
    let offer = SdpOffer::from_sdp_string(e["jsep"]["sdp"].as_str().context("offer sdp")?)?;
    let answer = rtc.sdp_api().accept_offer(offer)?;
    let mut receiving = Vec::new();
    let mut sources = HashMap::new();
    let mut layers = Vec::new();
    let listed = e["plugindata"]["data"]["streams"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    for s in listed {
        let (Some(mid), Some(feed)) = (s["mid"].as_str(), s["feed_id"].as_u64()) else {
            continue;
        };
        let mid = Mid::from(mid);
        let kind = if s["type"] == "audio" {
            MediaKind::Audio
        } else {
            MediaKind::Video
        };
        receiving.push((mid, kind));
        let idx = (feed - 1) as PublisherIdx;
        sources.insert(mid, idx);
        let want = wants.iter().find(|w| match **w {
            Want::Camera(i, _) => {
                i == idx
                    && kind == MediaKind::Video
                    && s["feed_mid"].as_str().is_some_and(|fm| {
                        published[&idx]
                            .iter()
                            .any(|(t, m)| *t == Track::Camera && m.to_string() == fm)
                    })
            }
            _ => false,
        });
        if let Some(Want::Camera(_, layer)) = want {
            layers.push(json!({"mid": mid.to_string(), "substream": janus_substream(*layer)}));
        }
    }
    if std::env::var_os("FLEET_DEBUG").is_some() {
        eprintln!("ATTACHED {}\nLAYERS {layers:?}", e["plugindata"]);
    }
    let jsep = json!({"type": "answer", "sdp": answer.to_sdp_string(), "trickle": false});
    janus
        .message(handle, json!({"request": "start"}), Some(jsep))
        .await?;
    if !layers.is_empty() {
        janus
            .message(
                handle,
                json!({"request": "configure", "streams": layers}),
                None,
            )
            .await?;
    }
    let plan = OfferPlan {
        sending: vec![],
        receiving,
    };
    Ok(Negotiated {
        peer: bot::Peer { rtc, socket, plan },
        sources,
    })
}

fn spawn_peer(
    n: Negotiated,
    idx: PublisherIdx,
    shared: &Arc<Shared>,
    phase: &watch::Receiver<Phase>,
    start_offset: usize,
) -> tokio::task::JoinHandle<bot::PeerReport> {
    let (tx, rx) = mpsc::unbounded_channel();
    let _ = tx.send(Control::Sources(n.sources));
    tokio::spawn(bot::run(
        n.peer,
        idx,
        start_offset,
        shared.clone(),
        phase.clone(),
        rx,
    ))
}

/// Every publisher first, then every subscriber; returns one result per bot.
pub async fn join_all(
    janus: &Janus,
    room: u64,
    scenario: &Scenario,
    shared: &Arc<Shared>,
    phase: &watch::Receiver<Phase>,
    gate: &Arc<Semaphore>,
) -> anyhow::Result<Vec<(tokio::task::JoinHandle<BotResult>, bool)>> {
    let mut published = PublishedMids::new();
    let mut peers: HashMap<PublisherIdx, (Instant, Vec<tokio::task::JoinHandle<bot::PeerReport>>)> =
        HashMap::new();
    // Janus handles are cheap to run one after another from one task; the gate only
    // bounds what is in flight when the futures run concurrently below.
    let pubs = scenario
        .bots
        .iter()
        .filter(|b| !b.tracks.is_empty())
        .map(|b| async move {
            let _permit = gate.acquire().await.expect("never closed");
            let t0 = Instant::now();
            (b, t0, publish(janus, room, b.index, &b.tracks).await)
        });
    let mut ups = Vec::new();
    for (b, t0, r) in futures_util::future::join_all(pubs).await {
        match r {
            Ok((n, events)) => {
                ups.push((b.index, events));
                published.insert(
                    b.index,
                    n.peer.plan.sending.iter().map(|&(m, t)| (t, m)).collect(),
                );
                let h = spawn_peer(n, b.index, shared, phase, b.start_offset);
                peers.entry(b.index).or_insert((t0, vec![])).1.push(h);
            }
            Err(e) => eprintln!("bot {} failed to publish: {e:#}", b.index),
        }
    }
    for (idx, mut events) in ups {
        if let Err(e) = webrtc_up(&mut events).await {
            eprintln!("bot {idx}: {e:#}");
            published.remove(&idx);
        }
    }
    let published = &published;
    let subs = scenario.bots.iter().map(|b| async move {
        let wants = scenario.janus_wants(b.index);
        if wants.is_empty() {
            return (b, None);
        }
        let _permit = gate.acquire().await.expect("never closed");
        let t0 = Instant::now();
        (
            b,
            Some((t0, subscribe(janus, room, &wants, published).await)),
        )
    });
    let mut receiving = std::collections::HashSet::new();
    for (b, r) in futures_util::future::join_all(subs).await {
        match r {
            Some((t0, Ok(n))) => {
                let h = spawn_peer(n, b.index, shared, phase, 0);
                // A bot's joining time is when it started to receive.
                let e = peers.entry(b.index).or_insert((t0, vec![]));
                e.0 = t0;
                e.1.push(h);
                receiving.insert(b.index);
            }
            Some((_, Err(e))) => eprintln!("bot {} failed to subscribe: {e:#}", b.index),
            None => {}
        }
    }
    Ok(peers
        .into_iter()
        .map(|(idx, (joined, handles))| {
            let h = tokio::spawn(async move {
                let mut reports = Vec::new();
                for h in handles {
                    if let Ok(r) = h.await {
                        reports.push(r);
                    }
                }
                BotResult { joined, reports }
            });
            (h, receiving.contains(&idx))
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn config_loads_only_http_and_videoroom_on_the_given_port() {
        let files = config_files(Path::new("/tmp/j"), 18088, IpAddr::from([10, 0, 0, 1]));
        let names: Vec<_> = files.iter().map(|(n, _)| *n).collect();
        assert_eq!(
            names,
            [
                "janus.jcfg",
                "janus.transport.http.jcfg",
                "janus.plugin.videoroom.jcfg"
            ]
        );
        assert!(files[0].1.contains("plugins_folder = \"/tmp/j/plugins\""));
        assert!(files[0].1.contains("rtp_port_range"));
        assert!(files[0].1.contains("ice_enforce_list = \"10.0.0.1\""));
        assert!(files[1].1.contains("port = 18088"));
    }

    #[test]
    fn room_is_sized_and_uses_the_bots_codecs() {
        let body = create_room_body(7, 255);
        assert_eq!(body["request"], "create");
        assert_eq!(body["publishers"], 255);
        assert_eq!(body["videocodec"], "vp8");
        assert_eq!(body["audiocodec"], "opus");
    }

    #[test]
    fn subscriptions_name_feed_and_publisher_mid() {
        let mut published = PublishedMids::new();
        published.insert(
            0,
            vec![
                (Track::Microphone, Mid::from("0")),
                (Track::Camera, Mid::from("1")),
            ],
        );
        let s = subscribe_streams(&[Want::Audio(0), Want::Camera(0, 0)], &published).unwrap();
        assert_eq!(
            s,
            vec![
                json!({"feed": 1, "mid": "0"}),
                json!({"feed": 1, "mid": "1"})
            ]
        );
        assert!(subscribe_streams(&[Want::Screen(0)], &published).is_none());
        assert!(subscribe_streams(&[Want::Audio(3)], &published).is_none());
    }
}
