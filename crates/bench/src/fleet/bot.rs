//! One headless WebRTC peer connection on str0m (RTP mode): ICE, DTLS and SRTP for
//! real, replaying encoded media on its sending m-lines and measuring what arrives on
//! its receiving ones. It knows nothing of Confab or Janus: signalling (in
//! `confab_signal` and `janus_signal`) builds the [`Rtc`], negotiates it, and hands it
//! here with the socket and what each m-line carries.
//!
//! A bot in Confab is one peer; in Janus it is two (a publisher and a subscriber handle),
//! whose reports are added up.

use std::{
    collections::HashMap,
    net::SocketAddr,
    sync::Arc,
    time::{Duration, Instant},
};

use str0m::{
    change::{SdpOffer, SdpPendingOffer},
    format::Codec,
    media::{Direction, KeyframeRequest, MediaKind, Mid, Pt, Rid, Simulcast, SimulcastLayer},
    net::{Protocol, Receive},
    rtp::{ExtensionValues, RtpWrite, SeqNo, Ssrc},
    Candidate, Event, Input, Output, Rtc, RtcError,
};
use tokio::{
    net::UdpSocket,
    sync::{mpsc, watch},
};

use super::{
    media_files::{vp8_payloads, MediaSet, VideoClip},
    metrics::{self, Histogram, PublisherIdx, SendLog, SeqTracker},
};

/// What the whole fleet shares: the media to replay, the send log, the phase.
pub struct Shared {
    pub media: MediaSet,
    pub log: SendLog,
}

/// Where the run is: counters only count while measuring.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Phase {
    /// Bots are still joining.
    Joining,
    /// Everyone has joined; not counting yet.
    Warmup,
    Measure,
    Stop,
}

/// What a bot publishes on one of its sending m-lines.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Track {
    Microphone,
    /// Three simulcast layers, rids l, m, h.
    Camera,
    /// One layer.
    Screen,
}

/// Simulcast rids, smallest first, as browsers name them.
pub const RIDS: [&str; 3] = ["l", "m", "h"];

/// Changes to a running peer from its signalling.
#[derive(Debug)]
pub enum Control {
    /// Which publisher's media each receiving m-line now carries.
    Sources(HashMap<Mid, PublisherIdx>),
    /// The simulcast layers (rids) somebody receives: pause the others, as a browser
    /// does on `RTCRtpSender.setParameters`.
    ActiveLayers(Vec<String>),
}

/// A str0m peer as the bots configure it: RTP mode, Opus and VP8 only, stats each second.
pub fn new_rtc(socket_addr: SocketAddr) -> Result<Rtc, RtcError> {
    let mut rtc = Rtc::builder()
        .set_rtp_mode(true)
        .clear_codecs()
        .enable_opus(true, false)
        .enable_vp8(true)
        .set_stats_interval(Some(Duration::from_secs(1)))
        .build(Instant::now());
    let candidate = Candidate::host(socket_addr, "udp")?;
    rtc.add_local_candidate(candidate);
    Ok(rtc)
}

/// The m-lines of an offer: sending tracks, then `audio_slots` and `video_slots`
/// receive-only ones (the order Confab's slots follow).
pub struct OfferPlan {
    pub sending: Vec<(Mid, Track)>,
    pub receiving: Vec<(Mid, MediaKind)>,
}

pub fn make_offer(
    rtc: &mut Rtc,
    tracks: &[Track],
    audio_slots: usize,
    video_slots: usize,
) -> Option<(SdpOffer, SdpPendingOffer, OfferPlan)> {
    let mut api = rtc.sdp_api();
    let mut sending = Vec::new();
    for &track in tracks {
        let (kind, simulcast) = match track {
            Track::Microphone => (MediaKind::Audio, None),
            Track::Camera => {
                let mut s = Simulcast::new();
                for rid in RIDS {
                    s.add_send_layer(SimulcastLayer::new(rid));
                }
                (MediaKind::Video, Some(s))
            }
            Track::Screen => (MediaKind::Video, None),
        };
        let mid = api.add_media(kind, Direction::SendOnly, None, None, simulcast);
        sending.push((mid, track));
    }
    let mut receiving = Vec::new();
    for (kind, n) in [
        (MediaKind::Audio, audio_slots),
        (MediaKind::Video, video_slots),
    ] {
        for _ in 0..n {
            receiving.push((
                api.add_media(kind, Direction::RecvOnly, None, None, None),
                kind,
            ));
        }
    }
    let (offer, pending) = api.apply()?;
    Some((offer, pending, OfferPlan { sending, receiving }))
}

/// What one peer saw. Counters cover the measurement phase; times cover the whole run.
#[derive(Default)]
pub struct PeerReport {
    pub connected: Option<Instant>,
    pub first_packet: Option<Instant>,
    /// The first complete video keyframe, or the first audio packet for audio-only peers.
    pub first_frame: Option<Instant>,
    pub rx_audio: u64,
    pub rx_video: u64,
    pub rx_bytes: u64,
    pub tx_packets: u64,
    pub latency: Option<Box<Histogram>>,
    /// Packets whose send time was not found (a slot's source just changed, or
    /// an SFU rewrote the payload).
    pub unmatched: u64,
    pub expected: u64,
    pub received: u64,
    pub nacks_sent: u64,
    pub plis_sent: u64,
    pub nacks_received: u64,
    pub plis_received: u64,
    pub send_errors: u64,
}

/// A layer being replayed: position in its clip and RTP numbering.
struct Layer {
    rid: Option<Rid>,
    clip: &'static str,
    frame: usize,
    seq: u64,
    time: u32,
    picture_id: u16,
    /// False while the SFU says nobody receives this layer.
    active: bool,
}

struct Outgoing {
    mid: Mid,
    track: Track,
    layers: Vec<Layer>,
    next_due: Instant,
    interval: Duration,
}

fn clip<'a>(media: &'a MediaSet, name: &str) -> &'a VideoClip {
    match name {
        "l" => &media.camera[0],
        "m" => &media.camera[1],
        "h" => &media.camera[2],
        _ => &media.screen,
    }
}

#[derive(Default)]
struct Receiving {
    kind: Option<MediaKind>,
    source: Option<PublisherIdx>,
    keyframe_started: bool,
}

/// A peer connection whose negotiation is done: its socket and what its m-lines carry.
pub struct Peer {
    pub rtc: Rtc,
    pub socket: UdpSocket,
    pub plan: OfferPlan,
}

/// Runs a negotiated peer of bot `me` until the phase says stop; its clips start at
/// `start_offset`.
pub async fn run(
    peer: Peer,
    me: PublisherIdx,
    start_offset: usize,
    shared: Arc<Shared>,
    mut phase: watch::Receiver<Phase>,
    mut control: mpsc::UnboundedReceiver<Control>,
) -> PeerReport {
    let Peer {
        mut rtc,
        socket,
        plan,
    } = peer;
    let local = socket.local_addr().expect("bound socket");
    let mut report = PeerReport::default();
    let mut buf = vec![0u8; 2048];
    let now = Instant::now();
    let mut outgoing: Vec<Outgoing> = plan
        .sending
        .iter()
        .map(|&(mid, track)| {
            let (names, interval): (&[&'static str], _) = match track {
                Track::Microphone => (&["audio"], Duration::from_millis(20)),
                Track::Camera => (&RIDS, Duration::from_secs(1) / shared.media.camera[0].fps),
                Track::Screen => (
                    &["screen"],
                    Duration::from_secs(1) / shared.media.screen.fps,
                ),
            };
            let layers = names
                .iter()
                .map(|&name| Layer {
                    rid: (track == Track::Camera).then(|| Rid::from(name)),
                    clip: name,
                    frame: start_offset,
                    seq: 1 + (me as u64 * 7919) % 30_000,
                    time: me.wrapping_mul(2_654_435_761),
                    picture_id: (me as u16).wrapping_mul(131),
                    active: true,
                })
                .collect();
            Outgoing {
                mid,
                track,
                layers,
                next_due: now,
                interval,
            }
        })
        .collect();
    let mut receiving: HashMap<Mid, Receiving> = plan
        .receiving
        .iter()
        .map(|&(mid, kind)| {
            (
                mid,
                Receiving {
                    kind: Some(kind),
                    ..Default::default()
                },
            )
        })
        .collect();
    let mut seqs: HashMap<Ssrc, SeqTracker> = HashMap::new();
    let mut ingress: HashMap<(Mid, Option<Rid>), (u64, u64)> = HashMap::new();
    let mut egress: HashMap<(Mid, Option<Rid>), (u64, u64)> = HashMap::new();
    let mut measuring = *phase.borrow() == Phase::Measure;
    let mut last_rx = now;
    let mut pts = (None, None);

    loop {
        // Drain str0m: send what it wants sent, handle events, learn when to wake.
        let timeout = loop {
            match rtc.poll_output() {
                Ok(Output::Transmit(t)) => {
                    if socket.try_send_to(&t.contents, t.destination).is_err() {
                        report.send_errors += 1;
                    }
                }
                Ok(Output::Timeout(t)) => break t,
                Ok(Output::Event(e)) => match e {
                    Event::Connected => {
                        report.connected = Some(Instant::now());
                        let pt = |codec| {
                            rtc.codec_config()
                                .params()
                                .iter()
                                .find(|p| p.spec().codec == codec)
                                .map(|p| p.pt())
                        };
                        pts = (pt(Codec::Opus), pt(Codec::Vp8));
                        declare_streams(&mut rtc, &outgoing);
                    }
                    Event::RtpPacket(p) => {
                        let mid = rtc.direct_api().stream_rx(&p.header.ssrc).map(|s| s.mid());
                        let Some(r) = mid.and_then(|m| receiving.get_mut(&m)) else {
                            continue;
                        };
                        let video = r.kind == Some(MediaKind::Video);
                        report.first_packet.get_or_insert(last_rx);
                        if video {
                            if metrics::vp8_starts_keyframe(&p.payload) {
                                r.keyframe_started = true;
                            }
                            if r.keyframe_started && p.header.marker {
                                report.first_frame.get_or_insert(last_rx);
                            }
                        } else if plan.receiving.iter().all(|(_, k)| *k == MediaKind::Audio) {
                            report.first_frame.get_or_insert(last_rx);
                        }
                        if !measuring {
                            continue;
                        }
                        if video {
                            report.rx_video += 1;
                        } else {
                            report.rx_audio += 1;
                        }
                        report.rx_bytes += (p.header.header_len + p.payload.len()) as u64;
                        seqs.entry(p.header.ssrc).or_default().record(*p.seq_no);
                        let body = metrics::media_body(video, &p.payload);
                        match r.source.and_then(|s| shared.log.send_time(s, body)) {
                            Some(sent) => report
                                .latency
                                .get_or_insert_with(Default::default)
                                .record(last_rx.saturating_duration_since(sent)),
                            None => report.unmatched += 1,
                        }
                    }
                    Event::KeyframeRequest(KeyframeRequest { mid, rid, .. }) => {
                        // A real encoder answers with a keyframe: jump to the clip's next one.
                        for o in outgoing.iter_mut().filter(|o| o.mid == mid) {
                            for l in o.layers.iter_mut().filter(|l| l.rid == rid) {
                                let frames = &clip(&shared.media, l.clip).frames;
                                l.frame = (l.frame..l.frame + frames.len())
                                    .find(|i| frames[i % frames.len()][0] & 1 == 0)
                                    .unwrap_or(l.frame);
                            }
                        }
                    }
                    Event::MediaIngressStats(s) => {
                        ingress.insert((s.mid, s.rid), (s.nacks, s.plis));
                    }
                    Event::MediaEgressStats(s) => {
                        egress.insert((s.mid, s.rid), (s.nacks, s.plis));
                    }
                    _ => {}
                },
                Err(e) => {
                    eprintln!("bot {me}: connection failed: {e}");
                    return finish(report, &seqs, &ingress, &egress);
                }
            }
        };
        let media_due = if report.connected.is_some() {
            outgoing.iter().map(|o| o.next_due).min()
        } else {
            None
        };
        let wake = media_due.map_or(timeout, |d| d.min(timeout));
        tokio::select! {
            r = socket.recv_from(&mut buf) => {
                if let Ok((n, source)) = r {
                    last_rx = Instant::now();
                    if let Ok(contents) = buf[..n].try_into() {
                        let input = Input::Receive(last_rx, Receive {
                            proto: Protocol::Udp,
                            source,
                            destination: local,
                            contents,
                        });
                        if rtc.handle_input(input).is_err() {
                            return finish(report, &seqs, &ingress, &egress);
                        }
                    }
                }
            }
            () = tokio::time::sleep_until(wake.into()) => {}
            changed = phase.changed() => {
                let p = if changed.is_ok() { *phase.borrow() } else { Phase::Stop };
                if p == Phase::Stop {
                    return finish(report, &seqs, &ingress, &egress);
                }
                if p == Phase::Measure && !measuring {
                    measuring = true;
                    seqs.clear();
                }
            }
            Some(c) = control.recv() => match c {
                Control::Sources(map) => {
                    for (mid, r) in receiving.iter_mut() {
                        r.source = map.get(mid).copied();
                    }
                }
                Control::ActiveLayers(rids) => {
                    for o in outgoing.iter_mut().filter(|o| o.track == Track::Camera) {
                        for l in &mut o.layers {
                            l.active = l.rid.is_some_and(|r| rids.iter().any(|a| *a == *r));
                        }
                    }
                }
            },
        }
        let now = Instant::now();
        if rtc.handle_input(Input::Timeout(now)).is_err() {
            return finish(report, &seqs, &ingress, &egress);
        }
        if report.connected.is_some() {
            for o in outgoing.iter_mut().filter(|o| o.next_due <= now) {
                // Behind by more than a few intervals (the machine is overloaded): skip
                // ahead rather than burst.
                o.next_due = if now - o.next_due > o.interval * 5 {
                    now + o.interval
                } else {
                    o.next_due + o.interval
                };
                let sent = send_frame(&mut rtc, o, &shared, me, pts, now);
                if measuring {
                    report.tx_packets += sent;
                }
            }
        }
    }
}

/// Writes one frame of every layer of a track; returns the packets written.
fn send_frame(
    rtc: &mut Rtc,
    o: &mut Outgoing,
    shared: &Shared,
    me: PublisherIdx,
    pts: (Option<Pt>, Option<Pt>),
    now: Instant,
) -> u64 {
    let mut written = 0;
    for l in o.layers.iter_mut().filter(|l| l.active) {
        let (pt, payloads, step, ext) = match o.track {
            Track::Microphone => {
                let opus = &shared.media.opus;
                // Talkers are loud enough to be picked by any audio-level selection.
                let ext = ExtensionValues {
                    audio_level: Some(-30),
                    voice_activity: Some(true),
                    ..Default::default()
                };
                (pts.0, vec![opus[l.frame % opus.len()].clone()], 960, ext)
            }
            Track::Camera | Track::Screen => {
                let c = clip(&shared.media, l.clip);
                l.picture_id = l.picture_id.wrapping_add(1);
                let frame = &c.frames[l.frame % c.frames.len()];
                let payloads = vp8_payloads(frame, l.picture_id);
                (pts.1, payloads, 90_000 / c.fps, ExtensionValues::default())
            }
        };
        l.frame += 1;
        l.time = l.time.wrapping_add(step);
        let Some(pt) = pt else { continue };
        let mut api = rtc.direct_api();
        let Some(tx) = api.stream_tx_by_mid(o.mid, l.rid) else {
            continue;
        };
        let (video, last) = (o.track != Track::Microphone, payloads.len() - 1);
        for (i, payload) in payloads.into_iter().enumerate() {
            shared
                .log
                .sent(me, metrics::media_body(video, &payload), now);
            let write = RtpWrite::new(pt, SeqNo::from(l.seq), l.time, now, payload)
                .marker(video && i == last)
                .ext_vals(ext.clone());
            tx.write_rtp(write);
            l.seq += 1;
            written += 1;
        }
    }
    written
}

/// Sending streams str0m did not declare itself from the negotiation.
fn declare_streams(rtc: &mut Rtc, outgoing: &[Outgoing]) {
    let mut api = rtc.direct_api();
    for o in outgoing {
        for l in &o.layers {
            if api.stream_tx_by_mid(o.mid, l.rid).is_none() {
                api.declare_stream_tx(Ssrc::new(), None, o.mid, l.rid);
            }
        }
    }
}

fn finish(
    mut report: PeerReport,
    seqs: &HashMap<Ssrc, SeqTracker>,
    ingress: &HashMap<(Mid, Option<Rid>), (u64, u64)>,
    egress: &HashMap<(Mid, Option<Rid>), (u64, u64)>,
) -> PeerReport {
    report.expected = seqs.values().map(|s| s.expected()).sum();
    report.received = seqs.values().map(|s| s.received()).sum();
    report.nacks_sent = ingress.values().map(|v| v.0).sum();
    report.plis_sent = ingress.values().map(|v| v.1).sum();
    report.nacks_received = egress.values().map(|v| v.0).sum();
    report.plis_received = egress.values().map(|v| v.1).sum();
    report
}
