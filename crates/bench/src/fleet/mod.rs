//! The bot fleet: N headless WebRTC participants on str0m, all in this process with
//! one clock, joining a real Confab server (its REST + room WebSocket signalling) or a
//! real Janus (its VideoRoom over the HTTP API), replaying real Opus and VP8 simulcast
//! and measuring what the SFU forwards: join-to-first-packet/frame, loss, NACK/PLI,
//! bitrate, server-added latency, and forwarded packets per server CPU-second.
//!
//! - [`media_files`]: the encoded media (ffmpeg, once) and its RTP payloads.
//! - [`bot`]: one str0m peer connection, signalling-agnostic.
//! - [`confab_signal`], [`janus_signal`]: how a bot joins each SFU.
//! - [`metrics`]: the arithmetic (latency matching, histogram, loss).

mod bot;
mod confab_signal;
mod janus_signal;
mod media_files;
mod metrics;

use std::{
    path::PathBuf,
    sync::Arc,
    time::{Duration, Instant},
};

use anyhow::Context;
use confab_proto::room::MAX_LAYOUT_TILES;
use tokio::sync::{watch, Semaphore};

use crate::{procstat, server::ConfabProcess, stats};
use bot::{PeerReport, Phase, Shared, Track};
use metrics::{Histogram, PublisherIdx};

#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum ScenarioName {
    /// 5 talkers, 25 cameras, every viewer 9 small tiles and the speaker.
    Meeting,
    /// 10 talkers, everyone listens.
    Audio,
    /// One presenter's camera and screen to everyone.
    Presenter,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum SfuName {
    Confab,
    Janus,
}

#[derive(clap::Args)]
pub struct Args {
    /// Scenarios to run, in order.
    #[arg(
        long,
        value_enum,
        value_delimiter = ',',
        default_value = "meeting,audio,presenter"
    )]
    scenario: Vec<ScenarioName>,
    /// SFUs to compare, each in turn on the same scenario.
    #[arg(
        long,
        value_enum,
        value_delimiter = ',',
        default_value = "confab,janus"
    )]
    sfu: Vec<SfuName>,
    /// Participants (bots) per scenario; the size is 250.
    #[arg(long, default_value_t = 250)]
    participants: usize,
    /// Seconds of measurement, after everyone joined and the warm-up.
    #[arg(long, default_value_t = 15)]
    seconds: u64,
    /// Seconds between the last join and the start of measurement.
    #[arg(long, default_value_t = 3)]
    warmup: u64,
    /// Joins in flight at once.
    #[arg(long, default_value_t = 16)]
    join_concurrency: usize,
    /// The confab server binary (build it with --release for meaningful figures).
    #[arg(long, default_value = "target/release/confab")]
    server: PathBuf,
    #[arg(long, default_value_t = 18182)]
    port: u16,
    /// HTTP port of the Janus this tool starts.
    #[arg(long, default_value_t = 18088)]
    janus_port: u16,
    /// Where the encoded test media is cached.
    #[arg(long, default_value = "target/bench-media")]
    media_dir: PathBuf,
}

/// One video tile a bot shows, with its height in pixels (which picks the layer).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Tile {
    /// Whoever speaks (Confab follows its dominant speaker).
    Speaker(u32),
    /// One publisher's video (its camera, or its screen if it shares one).
    Of(PublisherIdx, u32),
}

/// One bot's part in a scenario.
#[derive(Clone, Debug)]
pub struct BotPlan {
    pub index: PublisherIdx,
    pub tracks: Vec<Track>,
    /// Receive slots offered to Confab (its protocol: fixed slots, server-filled).
    pub audio_slots: usize,
    pub video_slots: usize,
    /// What the bot shows, in priority order, as a client reports it.
    pub layout: Vec<Tile>,
    /// Where in the clips this bot starts, so no two publishers send the same bytes
    /// at the same moment.
    pub start_offset: usize,
}

/// What a Janus subscriber asks for, since Janus forwards exactly what is subscribed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Want {
    /// A talker's microphone.
    Audio(PublisherIdx),
    /// A camera, at a simulcast layer (0 = smallest).
    Camera(PublisherIdx, u8),
    Screen(PublisherIdx),
}

/// The simulcast layer (0 = l) a tile of this height gets: the smallest at least as tall.
pub fn layer_for_height(height: u32) -> u8 {
    media_files::CAMERA_HEIGHTS
        .iter()
        .position(|&h| h >= height)
        .unwrap_or(media_files::CAMERA_HEIGHTS.len() - 1) as u8
}

pub struct Scenario {
    bots: Vec<BotPlan>,
}

/// Meeting: talkers also show their camera. Presenter: bot 0 talks with its camera on,
/// bot 1 shares a screen (Confab takes one video track per peer connection, as a
/// browser tab sharing its screen beside a camera would be two participants).
const MEETING_TALKERS: usize = 5;
const MEETING_CAMERAS: usize = 25;
const AUDIO_TALKERS: usize = 10;
/// Video slots of a meeting viewer: the speaker and nine small tiles.
const MEETING_SLOTS: usize = 10;

impl Scenario {
    fn build(name: ScenarioName, participants: usize) -> Self {
        let bots = (0..participants)
            .map(|i| {
                let me = i as PublisherIdx;
                let (tracks, audio_slots, video_slots, layout) = match name {
                    ScenarioName::Meeting => {
                        let mut t = Vec::new();
                        if i < MEETING_TALKERS {
                            t.push(Track::Microphone);
                        }
                        if i < MEETING_CAMERAS {
                            t.push(Track::Camera);
                        }
                        // The speaker view: the speaker large, everyone else's camera small.
                        let layout = std::iter::once(Tile::Speaker(720))
                            .chain(
                                (0..participants.min(MEETING_CAMERAS) as PublisherIdx)
                                    .filter(|&c| c != me)
                                    .map(|c| Tile::Of(c, 180)),
                            )
                            .take(MAX_LAYOUT_TILES)
                            .collect();
                        (t, 4, MEETING_SLOTS, layout)
                    }
                    ScenarioName::Audio => {
                        let t = if i < AUDIO_TALKERS {
                            vec![Track::Microphone]
                        } else {
                            vec![]
                        };
                        (t, 4, 0, vec![])
                    }
                    ScenarioName::Presenter => match i {
                        0 => (vec![Track::Microphone, Track::Camera], 0, 0, vec![]),
                        1 => (vec![Track::Screen], 0, 0, vec![]),
                        _ => (vec![], 4, 2, vec![Tile::Of(0, 360), Tile::Of(1, 720)]),
                    },
                };
                BotPlan {
                    index: me,
                    tracks,
                    audio_slots,
                    video_slots,
                    layout,
                    start_offset: (i * 97) % 600,
                }
            })
            .collect();
        Self { bots }
    }

    fn publishes(&self, idx: PublisherIdx, track: Track) -> bool {
        self.bots
            .get(idx as usize)
            .is_some_and(|b| b.tracks.contains(&track))
    }

    /// What bot `i` subscribes to in Janus, which forwards exactly that: every talker's
    /// voice (Janus has no audio selection) and the tiles of its layout, as many as it
    /// has video slots. Janus has no dominant speaker either, so the speaker tile shows
    /// the first talker, as a client doing its own speaker detection would.
    fn janus_wants(&self, i: PublisherIdx) -> Vec<Want> {
        let plan = &self.bots[i as usize];
        if plan.audio_slots + plan.video_slots == 0 {
            return vec![];
        }
        let mut wants: Vec<Want> = self
            .bots
            .iter()
            .filter(|b| b.index != i && b.tracks.contains(&Track::Microphone))
            .map(|b| Want::Audio(b.index))
            .collect();
        let speaker = self
            .bots
            .iter()
            .find(|b| b.index != i && b.tracks.contains(&Track::Microphone))
            .map(|b| b.index);
        let mut shown = Vec::new();
        for tile in &plan.layout {
            let (idx, height) = match *tile {
                Tile::Speaker(h) => match speaker {
                    Some(s) => (s, h),
                    None => continue,
                },
                Tile::Of(idx, h) => (idx, h),
            };
            if shown.contains(&idx) || shown.len() == plan.video_slots {
                continue;
            }
            if self.publishes(idx, Track::Camera) {
                wants.push(Want::Camera(idx, layer_for_height(height)));
            } else if self.publishes(idx, Track::Screen) {
                wants.push(Want::Screen(idx));
            } else {
                continue;
            }
            shown.push(idx);
        }
        wants
    }
}

/// A bot's peers' reports, and when it started joining.
pub struct BotResult {
    pub joined: Instant,
    pub reports: Vec<PeerReport>,
}

/// The figures of one scenario on one SFU.
#[derive(Default)]
struct Figures {
    joined: usize,
    window: Duration,
    server_cpu: f64,
    rss_idle: f64,
    rss_end: f64,
    first_packet: Vec<Duration>,
    first_frame: Vec<Duration>,
    waiting: usize,
    rx_audio: u64,
    rx_video: u64,
    rx_bytes: u64,
    tx_packets: u64,
    expected: u64,
    received: u64,
    nacks_sent: u64,
    plis_sent: u64,
    nacks_received: u64,
    plis_received: u64,
    latency: Histogram,
    unmatched: u64,
    send_errors: u64,
}

impl Figures {
    fn add(&mut self, r: BotResult, receives: bool) {
        self.joined += 1;
        let first = |f: fn(&PeerReport) -> Option<Instant>| {
            r.reports.iter().filter_map(f).min().map(|t| t - r.joined)
        };
        if receives {
            match first(|p| p.first_packet) {
                Some(t) => self.first_packet.push(t),
                None => self.waiting += 1,
            }
            if let Some(t) = first(|p| p.first_frame) {
                self.first_frame.push(t);
            }
        }
        for p in r.reports {
            self.rx_audio += p.rx_audio;
            self.rx_video += p.rx_video;
            self.rx_bytes += p.rx_bytes;
            self.tx_packets += p.tx_packets;
            self.expected += p.expected;
            self.received += p.received;
            self.nacks_sent += p.nacks_sent;
            self.plis_sent += p.plis_sent;
            self.nacks_received += p.nacks_received;
            self.plis_received += p.plis_received;
            self.unmatched += p.unmatched;
            self.send_errors += p.send_errors;
            if let Some(h) = p.latency {
                self.latency.merge(&h);
            }
        }
    }

    fn forwarded(&self) -> u64 {
        self.rx_audio + self.rx_video
    }

    fn per_cpu_second(&self) -> f64 {
        self.forwarded() as f64 / self.server_cpu.max(1e-9)
    }
}

pub async fn run(args: Args) -> anyhow::Result<()> {
    let started = Instant::now();
    let media = tokio::task::spawn_blocking({
        let dir = args.media_dir.clone();
        move || media_files::load(&dir)
    })
    .await??;
    let shared = Arc::new(Shared {
        media,
        log: metrics::SendLog::new(started),
    });
    let mut rows = Vec::new();
    for &name in &args.scenario {
        let scenario = Scenario::build(name, args.participants);
        let mut results = Vec::new();
        for &sfu in &args.sfu {
            eprintln!("== {name:?} on {sfu:?}, {} bots", args.participants);
            let f = run_one(&args, &scenario, sfu, shared.clone()).await?;
            print_figures(name, sfu, &f);
            results.push((sfu, f));
        }
        rows.push((name, results));
    }
    print_table(&rows);
    Ok(())
}

async fn run_one(
    args: &Args,
    scenario: &Scenario,
    sfu: SfuName,
    shared: Arc<Shared>,
) -> anyhow::Result<Figures> {
    let (phase_tx, phase) = watch::channel(Phase::Joining);
    let gate = Arc::new(Semaphore::new(args.join_concurrency));
    let receives = |b: &BotPlan| b.audio_slots + b.video_slots > 0;
    let mut figures = Figures::default();
    let mut handles = Vec::new();
    let (pid, rss_idle, janus);
    match sfu {
        SfuName::Confab => {
            let server = ConfabProcess::start_for_crowd(&args.server, args.port).await?;
            pid = server.pid;
            let (_, key) = server.meeting_now("Fleet").await?;
            rss_idle = procstat::rss_mib(pid)?;
            let target = confab_signal::Target {
                base: server.base.clone(),
                ws_url: server.ws_url.clone(),
                key,
                http: reqwest::Client::new(),
            };
            let directory = confab_signal::Directory::default();
            // Publishers first, as in a meeting that is under way when the audience comes.
            let mut joins = Vec::new();
            for plan in &scenario.bots {
                let (target, plan, dir, shared, phase, gate) = (
                    target.clone(),
                    plan.clone(),
                    directory.clone(),
                    shared.clone(),
                    phase.clone(),
                    gate.clone(),
                );
                let r = receives(&plan);
                joins.push(tokio::spawn(async move {
                    let _permit = gate.acquire().await.expect("never closed");
                    confab_signal::join(target, plan, dir, shared, phase)
                        .await
                        .map(|h| (h, r))
                }));
            }
            for j in joins {
                match j.await? {
                    Ok(h) => handles.push(h),
                    Err(e) => eprintln!("a bot failed to join: {e:#}"),
                }
            }
            janus = None;
            figures.window = measure(args, pid, &phase_tx, &mut figures).await?;
            figures.rss_idle = rss_idle;
            collect(handles, &mut figures).await;
            server.stop().await;
        }
        SfuName::Janus => {
            let j = janus_signal::Janus::start(args.janus_port).await?;
            pid = j.pid();
            let room = j.create_room(scenario.bots.len()).await?;
            rss_idle = procstat::rss_mib(pid)?;
            handles = janus_signal::join_all(&j, room, scenario, &shared, &phase, &gate).await?;
            janus = Some(j);
            figures.window = measure(args, pid, &phase_tx, &mut figures).await?;
            figures.rss_idle = rss_idle;
            collect(handles, &mut figures).await;
        }
    }
    drop(janus);
    Ok(figures)
}

/// Warm-up, then the measured window: server CPU and memory around it.
async fn measure(
    args: &Args,
    pid: u32,
    phase: &watch::Sender<Phase>,
    figures: &mut Figures,
) -> anyhow::Result<Duration> {
    // Everyone is in: layouts may name anyone now.
    phase.send_replace(Phase::Warmup);
    tokio::time::sleep(Duration::from_secs(args.warmup)).await;
    let cpu0 = procstat::cpu_seconds(pid)?;
    let t0 = Instant::now();
    phase.send_replace(Phase::Measure);
    tokio::time::sleep(Duration::from_secs(args.seconds)).await;
    let cpu1 = procstat::cpu_seconds(pid)?;
    let window = t0.elapsed();
    figures.server_cpu = cpu1 - cpu0;
    figures.rss_end = procstat::rss_mib(pid).context("server RSS")?;
    phase.send_replace(Phase::Stop);
    Ok(window)
}

async fn collect(handles: Vec<(tokio::task::JoinHandle<BotResult>, bool)>, figures: &mut Figures) {
    for (h, receives) in handles {
        if let Ok(r) = h.await {
            figures.add(r, receives);
        }
    }
}

fn opt_ms(d: Option<Duration>) -> String {
    match d {
        None => "-".into(),
        Some(d) if d >= metrics::HISTOGRAM_CAP => format!("≥ {} ms", d.as_millis()),
        Some(d) => format!("{:.2} ms", d.as_secs_f64() * 1e3),
    }
}

fn print_figures(name: ScenarioName, sfu: SfuName, f: &Figures) {
    let secs = f.window.as_secs_f64();
    let mut fp = f.first_packet.clone();
    let mut ff = f.first_frame.clone();
    println!(
        "--- {name:?} on {sfu:?}: {} bots joined, window {secs:.1} s",
        f.joined
    );
    println!(
        "join→first packet p50/p99: {} / {}   (no packet: {})",
        stats::ms(stats::percentile(&mut fp, 50.0)),
        stats::ms(stats::percentile(&mut fp, 99.0)),
        f.waiting
    );
    println!(
        "join→first frame p50/p99:  {} / {}   ({} of them)",
        stats::ms(stats::percentile(&mut ff, 50.0)),
        stats::ms(stats::percentile(&mut ff, 99.0)),
        ff.len()
    );
    println!(
        "forwarded: {} audio + {} video packets = {:.0} pkt/s; sent by publishers {:.0} pkt/s",
        f.rx_audio,
        f.rx_video,
        f.forwarded() as f64 / secs,
        f.tx_packets as f64 / secs
    );
    println!(
        "server CPU {:.2} s ({:.2} cores) → {:.0} forwarded packets per CPU-second",
        f.server_cpu,
        f.server_cpu / secs,
        f.per_cpu_second()
    );
    println!(
        "received {:.1} Mbit/s in all, {:.0} kbit/s per receiving bot",
        f.rx_bytes as f64 * 8.0 / secs / 1e6,
        f.rx_bytes as f64 * 8.0 / secs / 1e3 / (f.first_packet.len().max(1)) as f64
    );
    println!(
        "loss {:.3} %, NACK sent/received {} / {}, PLI sent/received {} / {}",
        metrics::loss_fraction(f.expected, f.received) * 100.0,
        f.nacks_sent,
        f.nacks_received,
        f.plis_sent,
        f.plis_received
    );
    println!(
        "server-added latency p50/p99/p99.9: {} / {} / {}  ({} matched, {} unmatched)",
        opt_ms(f.latency.percentile(50.0)),
        opt_ms(f.latency.percentile(99.0)),
        opt_ms(f.latency.percentile(99.9)),
        f.latency.count(),
        f.unmatched
    );
    println!(
        "server RSS idle {:.1} MiB, end {:.1} MiB → {:.0} KiB per participant; bot send errors {}",
        f.rss_idle,
        f.rss_end,
        (f.rss_end - f.rss_idle) * 1024.0 / f.joined.max(1) as f64,
        f.send_errors
    );
}

/// Confab and Janus side by side, with Janus ÷ Confab or Confab ÷ Janus, whichever
/// makes "above 1" mean "Confab is better".
fn print_table(rows: &[(ScenarioName, Vec<(SfuName, Figures)>)]) {
    println!("\n| scenario | figure | Confab | Janus | Confab advantage |");
    println!("| --- | --- | --- | --- | --- |");
    for (name, results) in rows {
        let get = |s| results.iter().find(|(n, _)| *n == s).map(|(_, f)| f);
        let (Some(c), Some(j)) = (get(SfuName::Confab), get(SfuName::Janus)) else {
            continue;
        };
        let lat = |f: &Figures, p| f.latency.percentile(p).map(|d| d.as_secs_f64() * 1e3);
        let p99 = |f: &Figures| {
            let mut v = f.first_frame.clone();
            stats::percentile(&mut v, 99.0).as_secs_f64() * 1e3
        };
        let mem = |f: &Figures| (f.rss_end - f.rss_idle) * 1024.0 / f.joined.max(1) as f64;
        let loss = |f: &Figures| metrics::loss_fraction(f.expected, f.received) * 100.0;
        // (figure, confab, janus, higher is better)
        let lines: Vec<(&str, Option<f64>, Option<f64>, bool)> = vec![
            (
                "forwarded pkt per server CPU-s",
                Some(c.per_cpu_second()),
                Some(j.per_cpu_second()),
                true,
            ),
            (
                "server cores used",
                Some(c.server_cpu / c.window.as_secs_f64()),
                Some(j.server_cpu / j.window.as_secs_f64()),
                false,
            ),
            ("latency p50 (ms)", lat(c, 50.0), lat(j, 50.0), false),
            ("latency p99 (ms)", lat(c, 99.0), lat(j, 99.0), false),
            ("latency p99.9 (ms)", lat(c, 99.9), lat(j, 99.9), false),
            (
                "join→first frame p99 (ms)",
                Some(p99(c)),
                Some(p99(j)),
                false,
            ),
            ("subscriber loss (%)", Some(loss(c)), Some(loss(j)), false),
            (
                "memory per participant (KiB)",
                Some(mem(c)),
                Some(mem(j)),
                false,
            ),
        ];
        for (label, cv, jv, higher_better) in lines {
            let fmt = |v: Option<f64>| v.map_or("-".into(), |v| format!("{v:.2}"));
            let ratio = match (cv, jv) {
                (Some(c), Some(j)) if c > 0.0 && j > 0.0 => {
                    format!("{:.2}×", if higher_better { c / j } else { j / c })
                }
                _ => "-".into(),
            };
            println!(
                "| {name:?} | {label} | {} | {} | {ratio} |",
                fmt(cv),
                fmt(jv)
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tiles_get_the_smallest_layer_at_least_as_tall() {
        assert_eq!(layer_for_height(90), 0);
        assert_eq!(layer_for_height(180), 0);
        assert_eq!(layer_for_height(181), 1);
        assert_eq!(layer_for_height(720), 2);
        assert_eq!(layer_for_height(1080), 2);
    }

    #[test]
    fn janus_substreams_count_from_the_top() {
        assert_eq!(janus_signal::janus_substream(0), 2);
        assert_eq!(janus_signal::janus_substream(2), 0);
    }

    #[test]
    fn meeting_viewer_in_janus_hears_every_talker_and_sees_speaker_plus_nine() {
        let s = Scenario::build(ScenarioName::Meeting, 40);
        let w = s.janus_wants(30);
        let audio = w.iter().filter(|w| matches!(w, Want::Audio(_))).count();
        assert_eq!(audio, MEETING_TALKERS);
        let video: Vec<_> = w
            .iter()
            .filter_map(|w| match w {
                Want::Camera(i, l) => Some((*i, *l)),
                _ => None,
            })
            .collect();
        assert_eq!(video.len(), MEETING_SLOTS);
        assert_eq!(video[0], (0, 2));
        assert!(video[1..].iter().all(|&(i, l)| i != 0 && l == 0));
    }

    #[test]
    fn layouts_fit_what_confab_accepts() {
        let s = Scenario::build(ScenarioName::Meeting, 250);
        assert!(s.bots.iter().all(|b| b.layout.len() <= MAX_LAYOUT_TILES));
        assert_eq!(s.bots[100].layout[0], Tile::Speaker(720));
    }

    #[test]
    fn a_talker_never_subscribes_to_itself() {
        let s = Scenario::build(ScenarioName::Meeting, 40);
        let w = s.janus_wants(0);
        assert!(!w.contains(&Want::Audio(0)));
        assert_eq!(w[MEETING_TALKERS - 1], Want::Camera(1, 2));
        assert!(w.iter().all(|w| !matches!(w, Want::Camera(0, _))));
    }

    #[test]
    fn presenter_viewers_get_camera_at_middle_layer_and_the_screen() {
        let s = Scenario::build(ScenarioName::Presenter, 5);
        assert_eq!(
            s.janus_wants(3),
            vec![Want::Audio(0), Want::Camera(0, 1), Want::Screen(1)]
        );
        assert!(s.janus_wants(0).is_empty());
        assert!(s.janus_wants(1).is_empty());
    }

    #[test]
    fn audio_listeners_subscribe_to_every_talker_in_janus() {
        let s = Scenario::build(ScenarioName::Audio, 50);
        assert_eq!(s.janus_wants(40).len(), AUDIO_TALKERS);
        assert_eq!(s.janus_wants(3).len(), AUDIO_TALKERS - 1);
    }
}
