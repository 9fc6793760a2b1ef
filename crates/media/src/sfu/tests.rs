//! Real str0m peers publishing and receiving through the SFU, with packets carried in
//! memory between fake addresses and a simulated clock (as str0m's own tests do).

use std::{
    net::SocketAddr,
    time::{Duration, Instant},
};

use confab_proto::room::{TrackKind, UndecodableTrack};
use str0m::{
    change::{SdpOffer, SdpPendingOffer},
    format::{Codec, FormatParams},
    media::{Direction, Frequency, MediaKind, Mid, Pt},
    net::{Protocol, Receive, TcpType},
    rtp::{Extension, ExtensionMap, ExtensionValues, RtpHeader, RtpWrite},
    Candidate, Event, Input, Output, Rtc, RtcConfig,
};

use super::{Addresses, Dropped, Gate, Notice, Sfu, SfuConfig, SfuError};
use crate::{
    layers::Layer,
    router::{Source, Tile, TrackId},
    ParticipantId,
};

const SFU: &str = "10.0.0.1:5000";
const SFU_TCP: &str = "10.0.0.1:5001";

fn addresses(tcp: bool) -> Addresses {
    Addresses {
        udp: SFU.parse().unwrap(),
        tcp: tcp.then(|| SFU_TCP.parse().unwrap()),
    }
}

/// A browser stand-in.
struct Client {
    id: ParticipantId,
    rtc: Rtc,
    addr: SocketAddr,
    proto: Protocol,
    connected: bool,
    received: Vec<Vec<u8>>,
    /// The headers of what it received, as its own str0m parsed them.
    headers: Vec<RtpHeader>,
    /// Keyframe requests (PLI/FIR) received for what it sends.
    keyframe_requests: usize,
}

impl Client {
    fn new(addr: &str, now: Instant) -> Self {
        let addr: SocketAddr = addr.parse().unwrap();
        Self::with(Candidate::host(addr, "udp").unwrap(), Protocol::Udp, now)
    }

    /// A client on a network without UDP: one active TCP candidate.
    fn over_tcp(addr: &str, now: Instant) -> Self {
        let addr: SocketAddr = addr.parse().unwrap();
        let candidate = Candidate::builder()
            .tcp()
            .host(addr)
            .tcptype(TcpType::Active)
            .build()
            .unwrap();
        Self::with(candidate, Protocol::Tcp, now)
    }

    fn with(candidate: Candidate, proto: Protocol, now: Instant) -> Self {
        Self::configured(candidate, proto, Rtc::builder(), now)
    }

    /// A client numbering codecs and header extensions its own way (str0m's defaults are
    /// Chromium's: Opus 111, VP8 96 with RTX 97, audio level as extension 1).
    fn numbered(addr: &str, numbering: &Numbering, now: Instant) -> Self {
        let mut cfg = Rtc::builder().clear_codecs();
        let codecs = cfg.codec_config();
        if let Some(pt) = numbering.opus {
            let opus = FormatParams {
                min_p_time: Some(10),
                use_inband_fec: Some(true),
                ..Default::default()
            };
            let (freq, default) = (Frequency::FORTY_EIGHT_KHZ, opus);
            codecs.add_config(pt.into(), None, Codec::Opus, freq, Some(2), default);
        }
        if let Some((pt, rtx)) = numbering.vp8 {
            let (freq, default) = (Frequency::NINETY_KHZ, FormatParams::default());
            codecs.add_config(pt.into(), Some(rtx.into()), Codec::Vp8, freq, None, default);
        }
        if let Some((pt, rtx)) = numbering.h264 {
            codecs.add_h264(pt.into(), Some(rtx.into()), true, 0x42e01f);
        }
        if let Some((pt, rtx)) = numbering.vp9 {
            let (freq, default) = (Frequency::NINETY_KHZ, FormatParams::default());
            codecs.add_config(pt.into(), Some(rtx.into()), Codec::Vp9, freq, None, default);
        }
        let mut exts = ExtensionMap::empty();
        let base = numbering.first_extension;
        exts.set(base, Extension::AudioLevel);
        exts.set(base + 1, Extension::TransportSequenceNumber);
        exts.set(base + 2, Extension::RtpMid);
        exts.set(base + 3, Extension::RtpStreamId);
        exts.set(base + 4, Extension::RepairedRtpStreamId);
        let addr: SocketAddr = addr.parse().unwrap();
        let candidate = Candidate::host(addr, "udp").unwrap();
        Self::configured(candidate, Protocol::Udp, cfg.set_extension_map(exts), now)
    }

    fn configured(candidate: Candidate, proto: Protocol, cfg: RtcConfig, now: Instant) -> Self {
        let addr = candidate.addr();
        let mut rtc = cfg.set_rtp_mode(true).build(now);
        rtc.add_local_candidate(candidate);
        Self {
            id: ParticipantId::new(),
            rtc,
            addr,
            proto,
            connected: false,
            received: Vec::new(),
            headers: Vec::new(),
            keyframe_requests: 0,
        }
    }

    /// This client's own payload type for `codec`.
    fn pt(&self, codec: Codec) -> Pt {
        self.rtc
            .codec_config()
            .find(|p| p.spec().codec == codec)
            .unwrap()
            .pt()
    }

    /// Offers `media` (kind, direction) and returns the offer's pending state. Video is
    /// one layer: str0m's RTP mode does not make a simulcast sender easy to fake, so
    /// simulcast is covered by the router's tests and the browser tests.
    fn offer(
        &mut self,
        media: &[(MediaKind, Direction)],
    ) -> (str0m::change::SdpOffer, SdpPendingOffer, Vec<Mid>) {
        let mut api = self.rtc.sdp_api();
        let mids = media
            .iter()
            .map(|(k, d)| api.add_media(*k, *d, None, None, None))
            .collect();
        let (offer, pending) = api.apply().unwrap();
        (offer, pending, mids)
    }
}

/// Carries packets both ways until `until` of simulated time has passed, calling `each`
/// every step.
fn run(
    sfu: &mut Sfu,
    clients: &mut [&mut Client],
    now: &mut Instant,
    until: Duration,
    mut each: impl FnMut(&mut [&mut Client], Instant),
) {
    let sfu_addr = |proto| match proto {
        Protocol::Tcp => SFU_TCP.parse::<SocketAddr>().unwrap(),
        _ => SFU.parse().unwrap(),
    };
    let end = *now + until;
    while *now < end {
        each(clients, *now);
        for c in clients.iter_mut() {
            c.rtc.handle_input(Input::Timeout(*now)).unwrap();
            loop {
                let out = match c.rtc.poll_output() {
                    Ok(out) => out,
                    Err(e) => panic!("client failed: {e}"),
                };
                match out {
                    Output::Transmit(t) if t.destination == sfu_addr(t.proto) => {
                        sfu.handle_receive(*now, t.proto, c.addr, &t.contents);
                    }
                    Output::Transmit(_) => {}
                    Output::Timeout(_) => break,
                    Output::Event(Event::Connected) => c.connected = true,
                    Output::Event(Event::RtpPacket(p)) => {
                        c.received.push(p.payload.to_vec());
                        c.headers.push(p.header);
                    }
                    Output::Event(Event::KeyframeRequest(_)) => c.keyframe_requests += 1,
                    Output::Event(_) => {}
                }
            }
        }
        for d in sfu.poll(*now) {
            // Like a network: a packet reaches only a client on its protocol and address.
            if let Some(c) = clients
                .iter_mut()
                .find(|c| c.addr == d.to && c.proto == d.proto)
            {
                let input = Input::Receive(
                    *now,
                    Receive {
                        proto: d.proto,
                        source: sfu_addr(d.proto),
                        destination: d.to,
                        contents: d.data.as_slice().try_into().unwrap(),
                    },
                );
                c.rtc.handle_input(input).unwrap();
            }
        }
        *now += Duration::from_millis(5);
    }
}

fn join(
    sfu: &mut Sfu,
    c: &mut Client,
    media: &[(MediaKind, Direction)],
    gate: Gate,
    now: Instant,
) -> Result<Vec<Mid>, SfuError> {
    let (offer, pending, mids) = c.offer(media);
    let answer = sfu.add_peer(c.id, offer, gate, now)?;
    c.rtc.sdp_api().accept_answer(pending, answer).unwrap();
    Ok(mids)
}

const ALL: Gate = Gate {
    audio: true,
    video: true,
};

fn sfu() -> Sfu {
    Sfu::new(addresses(false), SfuConfig::default())
}

fn camera(p: ParticipantId) -> TrackId {
    TrackId {
        publisher: p,
        source: Source::Camera,
    }
}

/// How a client numbers what it sends and receives (`None`: it lacks the codec).
struct Numbering {
    opus: Option<u8>,
    vp8: Option<(u8, u8)>,
    h264: Option<(u8, u8)>,
    vp9: Option<(u8, u8)>,
    /// Audio level, transport sequence, mid, rid and repair rid follow from here.
    first_extension: u8,
}

/// Firefox's numbering (FACTS.md): Opus 109, VP8 120 with RTX 124.
const FIREFOX: Numbering = Numbering {
    opus: Some(109),
    vp8: Some((120, 124)),
    h264: None,
    vp9: None,
    first_extension: 7,
};

/// Sends one Opus packet at a speaking level (RFC 6464: -30 dBov).
fn send_audio(c: &mut Client, mid: Mid, n: u64, t: Instant) {
    let pt = c.pt(Codec::Opus);
    let mut api = c.rtc.direct_api();
    let Some(tx) = api.stream_tx_by_mid(mid, None) else {
        return;
    };
    let exts = ExtensionValues {
        audio_level: Some(-30),
        voice_activity: Some(true),
        ..Default::default()
    };
    let payload = format!("opus frame {n}").into_bytes();
    tx.write_rtp(RtpWrite::new(pt, (1000 + n).into(), (n * 960) as u32, t, payload).ext_vals(exts));
}

/// Sends frame `n` as one small VP8 packet; every 10th is a keyframe.
fn send_video(c: &mut Client, mid: Mid, n: u64, t: Instant) {
    send_video_sized(c, mid, n, t, 0);
}

/// Sends frame `n` as one VP8 packet of at least `size` bytes; every 10th is a keyframe.
fn send_video_sized(c: &mut Client, mid: Mid, n: u64, t: Instant, size: usize) {
    send_vp8(c, mid, n, t, size, n.is_multiple_of(10));
}

/// Sends frame `n` as one VP8 packet of at least `size` bytes.
fn send_vp8(c: &mut Client, mid: Mid, n: u64, t: Instant, size: usize, keyframe: bool) {
    let pt = c.pt(Codec::Vp8);
    let mut api = c.rtc.direct_api();
    let Some(tx) = api.stream_tx_by_mid(mid, None) else {
        return;
    };
    // VP8 payload descriptor (S=1, partition 0), then the frame header: P=0 is a keyframe.
    let mut payload = vec![0x10, u8::from(!keyframe)];
    payload.extend(format!("frame {n}").bytes());
    if payload.len() < size {
        payload.resize(size, 0xab);
    }
    tx.write_rtp(RtpWrite::new(pt, (5000 + n).into(), (n * 3000) as u32, t, payload).marker(true));
}

/// The video frames a client received.
fn frames(c: &Client) -> Vec<&[u8]> {
    c.received
        .iter()
        .filter(|p| p.len() > 2 && p[0] == 0x10)
        .map(|p| &p[..])
        .collect()
}

#[test]
fn audio_published_by_one_participant_reaches_another_through_the_sfu() {
    let mut now = Instant::now();
    let mut sfu = sfu();
    let mut alice = Client::new("10.0.0.2:1000", now);
    let mut bob = Client::new("10.0.0.3:1000", now);
    let mids = join(
        &mut sfu,
        &mut alice,
        &[(MediaKind::Audio, Direction::SendOnly)],
        ALL,
        now,
    )
    .unwrap();
    join(
        &mut sfu,
        &mut bob,
        &[
            (MediaKind::Audio, Direction::RecvOnly),
            (MediaKind::Audio, Direction::RecvOnly),
        ],
        ALL,
        now,
    )
    .unwrap();

    let mut sent = 0u64;
    run(
        &mut sfu,
        &mut [&mut alice, &mut bob],
        &mut now,
        Duration::from_secs(3),
        |clients, t| {
            if clients[0].connected && sent < 100 {
                send_audio(clients[0], mids[0], sent, t);
                sent += 1;
            }
        },
    );

    assert!(
        alice.connected && bob.connected,
        "both connect to the ICE-lite SFU"
    );
    assert!(sent >= 100, "alice sent {sent}");
    let got: Vec<String> = bob
        .received
        .iter()
        .map(|p| String::from_utf8_lossy(p).into_owned())
        .collect();
    // The first packets make her a speaker; from then on everything flows.
    assert!(
        got.len() >= 90,
        "bob received {} of {sent}: {got:?}",
        got.len()
    );
    assert!(got.iter().all(|p| p.starts_with("opus frame ")), "{got:?}");
    assert!(alice.received.is_empty(), "nobody receives their own audio");
    let notices = sfu.take_notices();
    assert!(
        notices.contains(&Notice::DominantSpeaker(alice.id)),
        "{notices:?}"
    );
    assert!(notices.contains(&Notice::Slots {
        participant: bob.id,
        audio: vec![Some(alice.id), None],
        video: vec![],
    }));
}

#[test]
fn a_muted_participant_is_no_longer_forwarded() {
    let mut now = Instant::now();
    let mut sfu = sfu();
    let mut alice = Client::new("10.0.0.2:1000", now);
    let mut bob = Client::new("10.0.0.3:1000", now);
    let mids = join(
        &mut sfu,
        &mut alice,
        &[(MediaKind::Audio, Direction::SendOnly)],
        ALL,
        now,
    )
    .unwrap();
    join(
        &mut sfu,
        &mut bob,
        &[(MediaKind::Audio, Direction::RecvOnly)],
        ALL,
        now,
    )
    .unwrap();
    let mut n = 0;
    let mut talk = |clients: &mut [&mut Client], t| {
        if clients[0].connected {
            send_audio(clients[0], mids[0], n, t);
            n += 1;
        }
    };
    let mut both = [&mut alice, &mut bob];
    run(
        &mut sfu,
        &mut both,
        &mut now,
        Duration::from_secs(2),
        &mut talk,
    );
    let before = both[1].received.len();
    assert!(before > 50, "{before}");
    let gate = Gate {
        audio: false,
        video: true,
    };
    sfu.set_gate(both[0].id, gate, now);
    run(
        &mut sfu,
        &mut both,
        &mut now,
        Duration::from_secs(2),
        &mut talk,
    );
    // Packets already in flight may still land; nothing after that.
    assert!(
        both[1].received.len() <= before + 2,
        "{}",
        both[1].received.len()
    );
}

#[test]
fn video_flows_once_in_the_layout_starting_at_a_keyframe_and_policy_caps_it() {
    let mut now = Instant::now();
    let mut sfu = sfu();
    let mut alice = Client::new("10.0.0.2:1000", now);
    let mut bob = Client::new("10.0.0.3:1000", now);
    let mids = join(
        &mut sfu,
        &mut alice,
        &[(MediaKind::Video, Direction::SendOnly)],
        ALL,
        now,
    )
    .unwrap();
    join(
        &mut sfu,
        &mut bob,
        &[(MediaKind::Video, Direction::RecvOnly)],
        ALL,
        now,
    )
    .unwrap();
    sfu.set_layout(bob.id, vec![], now);
    assert!(
        sfu.take_notices().contains(&Notice::Layers {
            participant: alice.id,
            active: vec![]
        }),
        "nobody watches: the layer may pause"
    );
    let mut n = 0;
    let mut film = |clients: &mut [&mut Client], t| {
        if clients[0].connected {
            send_video(clients[0], mids[0], n, t);
            n += 1;
        }
    };
    let mut both = [&mut alice, &mut bob];
    run(
        &mut sfu,
        &mut both,
        &mut now,
        Duration::from_millis(500),
        &mut film,
    );
    assert!(frames(both[1]).is_empty(), "an empty layout, no video");

    let track = camera(both[0].id);
    sfu.set_layout(both[1].id, vec![Tile::Track { track, height: 360 }], now);
    run(
        &mut sfu,
        &mut both,
        &mut now,
        Duration::from_secs(1),
        &mut film,
    );
    let got = frames(both[1]);
    assert!(got.len() > 50, "{}", got.len());
    assert_eq!(got[0][1], 0, "the first frame forwarded is a keyframe");
    let notices = sfu.take_notices();
    assert!(notices.contains(&Notice::Layers {
        participant: both[0].id,
        active: vec![Layer::High]
    }));
    assert!(notices.contains(&Notice::Slots {
        participant: both[1].id,
        audio: vec![],
        video: vec![Some(both[0].id)]
    }));

    // Out of the layout: no more video; the layer may pause again.
    sfu.set_layout(both[1].id, vec![], now);
    let before = frames(both[1]).len();
    run(
        &mut sfu,
        &mut both,
        &mut now,
        Duration::from_secs(1),
        &mut film,
    );
    assert!(frames(both[1]).len() <= before + 2);
}

#[test]
fn a_camera_without_simulcast_is_forwarded_under_a_lower_height_cap() {
    let mut now = Instant::now();
    let mut cfg = SfuConfig::default();
    cfg.layers.max_height = 360;
    let mut sfu = Sfu::new(addresses(false), cfg);
    let mut alice = Client::new("10.0.0.2:1000", now);
    let mut bob = Client::new("10.0.0.3:1000", now);
    let mids = join(
        &mut sfu,
        &mut alice,
        &[(MediaKind::Video, Direction::SendOnly)],
        ALL,
        now,
    )
    .unwrap();
    join(
        &mut sfu,
        &mut bob,
        &[(MediaKind::Video, Direction::RecvOnly)],
        ALL,
        now,
    )
    .unwrap();
    let track = camera(alice.id);
    sfu.set_layout(bob.id, vec![Tile::Track { track, height: 180 }], now);
    let mut n = 0;
    run(
        &mut sfu,
        &mut [&mut alice, &mut bob],
        &mut now,
        Duration::from_secs(1),
        |clients, t| {
            if clients[0].connected {
                send_video(clients[0], mids[0], n, t);
                n += 1;
            }
        },
    );
    assert!(n > 100);
    // The server cannot scale a single encoding down: it forwards it rather than
    // leave the tile empty (the cap chooses among simulcast layers).
    assert!(frames(&bob).len() > 50, "{}", frames(&bob).len());
}

#[test]
fn a_track_the_participant_may_not_send_refuses_the_offer() {
    let now = Instant::now();
    let mut sfu = sfu();
    let mut carol = Client::new("10.0.0.4:1000", now);
    let media = [
        (MediaKind::Audio, Direction::SendOnly),
        (MediaKind::Video, Direction::SendOnly),
    ];
    let audio_only = Gate {
        audio: true,
        video: false,
    };
    let err = join(&mut sfu, &mut carol, &media, audio_only, now).unwrap_err();
    assert!(matches!(err, SfuError::Forbidden("video")), "{err}");
    assert_eq!(sfu.peer_count(), 0);
    // Receiving video is fine for her; only sending is refused.
    let media = [
        (MediaKind::Audio, Direction::SendOnly),
        (MediaKind::Video, Direction::RecvOnly),
    ];
    let mut carol = Client::new("10.0.0.4:1001", now);
    join(&mut sfu, &mut carol, &media, audio_only, now).unwrap();
    assert_eq!(sfu.peer_count(), 1);
    // Two microphones at once are one too many.
    let mut dan = Client::new("10.0.0.4:1002", now);
    let two = [
        (MediaKind::Audio, Direction::SendOnly),
        (MediaKind::Audio, Direction::SendOnly),
    ];
    let err = join(&mut sfu, &mut dan, &two, ALL, now).unwrap_err();
    assert!(matches!(err, SfuError::TooManyTracks("audio")), "{err}");
}

#[test]
fn participants_who_leave_or_drop_leave_nothing_behind() {
    let mut now = Instant::now();
    let mut sfu = sfu();
    let mut people: Vec<Client> = (0..3)
        .map(|i| Client::new(&format!("10.0.1.{i}:1000"), now))
        .collect();
    let media = [
        (MediaKind::Audio, Direction::SendOnly),
        (MediaKind::Video, Direction::SendOnly),
        (MediaKind::Audio, Direction::RecvOnly),
        (MediaKind::Video, Direction::RecvOnly),
        (MediaKind::Video, Direction::RecvOnly),
    ];
    let mut mids = Vec::new();
    for c in &mut people {
        mids.push(join(&mut sfu, c, &media, ALL, now).unwrap());
    }
    let ids: Vec<ParticipantId> = people.iter().map(|c| c.id).collect();
    for &viewer in &ids {
        let tiles = ids
            .iter()
            .filter(|&&p| p != viewer)
            .map(|&p| Tile::Track {
                track: camera(p),
                height: 360,
            })
            .collect();
        sfu.set_layout(viewer, tiles, now);
    }
    let mut n = 0;
    let mut refs: Vec<&mut Client> = people.iter_mut().collect();
    run(
        &mut sfu,
        &mut refs,
        &mut now,
        Duration::from_secs(3),
        |clients, t| {
            for (c, m) in clients.iter_mut().zip(&mids) {
                if c.connected {
                    send_audio(c, m[0], n, t);
                    send_video(c, m[1], n, t);
                }
            }
            n += 1;
        },
    );
    assert!(
        refs.iter().all(|c| !c.received.is_empty()),
        "media flowed before anyone left"
    );
    // One leaves (the room says so)...
    sfu.remove_peer(ids[0]);
    assert_eq!(sfu.peer_count(), 2);
    // ...one drops off the network: no more packets, ICE times out.
    let mut rest: Vec<&mut Client> = refs.into_iter().skip(2).collect();
    let mut gone = Vec::new();
    for _ in 0..60 {
        run(
            &mut sfu,
            &mut rest,
            &mut now,
            Duration::from_secs(1),
            |_, _| {},
        );
        gone.extend(sfu.take_notices().into_iter().filter_map(|n| match n {
            Notice::Gone(id) => Some(id),
            _ => None,
        }));
        if gone.contains(&ids[1]) {
            break;
        }
    }
    assert_eq!(
        gone,
        vec![ids[1]],
        "the silent one is noticed and forgotten"
    );
    sfu.remove_peer(ids[2]);
    assert!(
        sfu.is_empty(),
        "no peers, routes, tracks or slots left: {sfu:?}"
    );
}

#[test]
fn a_client_without_udp_connects_over_ice_tcp_and_hears_a_udp_client() {
    let mut now = Instant::now();
    let mut sfu = Sfu::new(addresses(true), SfuConfig::default());
    let mut alice = Client::new("10.0.0.2:1000", now);
    let mut tom = Client::over_tcp("10.0.0.7:40000", now);
    let mids = join(
        &mut sfu,
        &mut alice,
        &[(MediaKind::Audio, Direction::SendOnly)],
        ALL,
        now,
    )
    .unwrap();
    join(
        &mut sfu,
        &mut tom,
        &[(MediaKind::Audio, Direction::RecvOnly)],
        ALL,
        now,
    )
    .unwrap();
    let mut n = 0;
    run(
        &mut sfu,
        &mut [&mut alice, &mut tom],
        &mut now,
        Duration::from_secs(2),
        |clients, t| {
            if clients[0].connected {
                send_audio(clients[0], mids[0], n, t);
                n += 1;
            }
        },
    );
    assert!(tom.connected, "ICE and DTLS complete over TCP");
    assert!(tom.received.len() > 50, "{}", tom.received.len());
}

#[test]
fn a_camera_sending_above_the_bitrate_cap_stops_being_forwarded() {
    let mut now = Instant::now();
    let mut cfg = SfuConfig::default();
    cfg.layers.max_bitrate = 200_000;
    let mut sfu = Sfu::new(addresses(false), cfg);
    let mut alice = Client::new("10.0.0.2:1000", now);
    let mut bob = Client::new("10.0.0.3:1000", now);
    let mids = join(
        &mut sfu,
        &mut alice,
        &[(MediaKind::Video, Direction::SendOnly)],
        ALL,
        now,
    )
    .unwrap();
    join(
        &mut sfu,
        &mut bob,
        &[(MediaKind::Video, Direction::RecvOnly)],
        ALL,
        now,
    )
    .unwrap();
    let track = camera(alice.id);
    sfu.set_layout(bob.id, vec![Tile::Track { track, height: 720 }], now);
    // 1 kB every 5 ms: 1.6 Mbit/s, eight times the cap.
    let mut n = 0;
    let mut film = |clients: &mut [&mut Client], t| {
        if clients[0].connected {
            send_video_sized(clients[0], mids[0], n, t, 1000);
            n += 1;
        }
    };
    let mut both = [&mut alice, &mut bob];
    run(
        &mut sfu,
        &mut both,
        &mut now,
        Duration::from_millis(1500),
        &mut film,
    );
    let measured = frames(both[1]).len();
    assert!(measured > 0, "forwarded until a whole window was measured");
    run(
        &mut sfu,
        &mut both,
        &mut now,
        Duration::from_secs(1),
        &mut film,
    );
    assert!(
        frames(both[1]).len() <= measured + 2,
        "{} then {}",
        measured,
        frames(both[1]).len()
    );
}

#[test]
fn a_late_subscriber_without_a_layout_gets_video_starting_with_a_keyframe() {
    let mut now = Instant::now();
    let mut sfu = sfu();
    let mut alice = Client::new("10.0.0.2:1000", now);
    let mut bob = Client::new("10.0.0.3:1000", now);
    let mids = join(
        &mut sfu,
        &mut alice,
        &[(MediaKind::Video, Direction::SendOnly)],
        ALL,
        now,
    )
    .unwrap();
    // Like a browser's encoder: one keyframe at the start, then only when asked.
    let mut n = 0;
    let mut answered = 0;
    let mut film = |clients: &mut [&mut Client], t| {
        let c = &mut *clients[0];
        if c.connected {
            let keyframe = n == 0 || c.keyframe_requests > answered;
            answered = c.keyframe_requests;
            send_vp8(c, mids[0], n, t, 0, keyframe);
            n += 1;
        }
    };
    run(
        &mut sfu,
        &mut [&mut alice],
        &mut now,
        Duration::from_millis(500),
        &mut film,
    );
    // Bob joins long after alice's keyframe and reports no layout.
    join(
        &mut sfu,
        &mut bob,
        &[(MediaKind::Video, Direction::RecvOnly)],
        ALL,
        now,
    )
    .unwrap();
    let mut both = [&mut alice, &mut bob];
    run(
        &mut sfu,
        &mut both,
        &mut now,
        Duration::from_secs(1),
        &mut film,
    );
    let got = frames(both[1]);
    assert!(got.len() > 50, "{} frames", got.len());
    assert_eq!(got[0][1], 0, "the first frame bob gets is a keyframe");
    assert!(sfu.take_notices().contains(&Notice::Slots {
        participant: both[1].id,
        audio: vec![],
        video: vec![Some(both[0].id)]
    }));
}

#[test]
fn a_publisher_who_reconnects_is_heard_again_however_its_new_stream_is_numbered() {
    let mut now = Instant::now();
    let mut sfu = sfu();
    let mut alice = Client::new("10.0.0.2:1000", now);
    let mut bob = Client::new("10.0.0.3:1000", now);
    let audio = [(MediaKind::Audio, Direction::SendOnly)];
    let mids = join(&mut sfu, &mut alice, &audio, ALL, now).unwrap();
    let slot = [(MediaKind::Audio, Direction::RecvOnly)];
    join(&mut sfu, &mut bob, &slot, ALL, now).unwrap();
    let mut n = 0u64;
    let mut speak = |clients: &mut [&mut Client], t| {
        if clients[0].connected {
            send_audio(clients[0], mids[0], n, t);
            n += 1;
        }
    };
    run(
        &mut sfu,
        &mut [&mut alice, &mut bob],
        &mut now,
        Duration::from_secs(1),
        &mut speak,
    );
    let before = bob.received.len();
    assert!(before > 50, "{before}");

    // Alice's page reconnects: a new connection whose numbering starts over, lower than
    // where the old one had got to.
    let mut again = Client::new("10.0.0.2:1001", now);
    again.id = alice.id;
    let mids = join(&mut sfu, &mut again, &audio, ALL, now).unwrap();
    let mut n = 0u64;
    run(
        &mut sfu,
        &mut [&mut again, &mut bob],
        &mut now,
        Duration::from_secs(1),
        |clients, t| {
            if clients[0].connected {
                send_audio(clients[0], mids[0], n, t);
                n += 1;
            }
        },
    );
    let after = bob.received.len() - before;
    assert!(
        after > 50,
        "bob heard {after} packets of alice's new connection"
    );
}

#[test]
fn slots_and_layers_the_meeting_never_got_are_told_again() {
    let now = Instant::now();
    let mut sfu = sfu();
    let mut alice = Client::new("10.0.0.2:1000", now);
    let mut bob = Client::new("10.0.0.3:1000", now);
    let camera_only = [(MediaKind::Video, Direction::SendOnly)];
    join(&mut sfu, &mut alice, &camera_only, ALL, now).unwrap();
    let slot = [(MediaKind::Video, Direction::RecvOnly)];
    join(&mut sfu, &mut bob, &slot, ALL, now).unwrap();
    let told = sfu.take_notices();
    let slots = Notice::Slots {
        participant: bob.id,
        audio: vec![],
        video: vec![Some(alice.id)],
    };
    let layers = Notice::Layers {
        participant: alice.id,
        active: vec![Layer::High],
    };
    assert!(told.contains(&slots) && told.contains(&layers), "{told:?}");
    // Unchanged state is not told twice...
    sfu.poll(now + Duration::from_millis(100));
    assert!(!sfu.take_notices().contains(&slots));
    // ...unless the meeting never got it.
    sfu.notice_lost(&slots);
    sfu.notice_lost(&layers);
    sfu.poll(now + Duration::from_millis(200));
    let again = sfu.take_notices();
    assert!(
        again.contains(&slots) && again.contains(&layers),
        "{again:?}"
    );
}

/// Alice and Bob publish audio and video and receive each other's, numbering codecs as
/// given; runs until both have sent for a while and returns the SFU.
fn talk_and_film(alice: &mut Client, bob: &mut Client, now: &mut Instant) -> Sfu {
    let mut sfu = sfu();
    let media = [
        (MediaKind::Audio, Direction::SendOnly),
        (MediaKind::Video, Direction::SendOnly),
        (MediaKind::Audio, Direction::RecvOnly),
        (MediaKind::Video, Direction::RecvOnly),
    ];
    let a = join(&mut sfu, alice, &media, ALL, *now).unwrap();
    let b = join(&mut sfu, bob, &media, ALL, *now).unwrap();
    let mids = [a, b];
    let mut n = 0;
    run(
        &mut sfu,
        &mut [alice, bob],
        now,
        Duration::from_secs(3),
        |clients, t| {
            for (c, m) in clients.iter_mut().zip(&mids) {
                // One packet a step: str0m's unpaced sender lets one queue go per poll.
                if c.connected && n % 2 == 0 {
                    send_audio(c, m[0], n / 2, t);
                } else if c.connected {
                    send_video(c, m[1], n / 2, t);
                }
            }
            n += 1;
        },
    );
    sfu
}

/// What a client received with its own payload type for `codec`.
fn received_as(c: &Client, codec: Codec) -> Vec<&RtpHeader> {
    let pt = c.pt(codec);
    c.headers.iter().filter(|h| h.payload_type == pt).collect()
}

#[test]
fn peers_numbering_codecs_and_extensions_differently_decode_each_other() {
    let mut now = Instant::now();
    // Alice numbers like Chromium (str0m's defaults), Bob like Firefox.
    let mut alice = Client::new("10.0.0.2:1000", now);
    let mut bob = Client::numbered("10.0.0.3:1000", &FIREFOX, now);
    assert_ne!(alice.pt(Codec::Opus), bob.pt(Codec::Opus));
    assert_ne!(alice.pt(Codec::Vp8), bob.pt(Codec::Vp8));
    let sfu = talk_and_film(&mut alice, &mut bob, &mut now);

    for (who, c) in [("alice", &alice), ("bob", &bob)] {
        let audio = received_as(c, Codec::Opus);
        let video = received_as(c, Codec::Vp8);
        assert!(audio.len() > 100, "{who} heard {} packets", audio.len());
        assert!(video.len() > 50, "{who} saw {} frames", video.len());
        assert_eq!(
            audio.len() + video.len(),
            c.headers.len(),
            "{who} got nothing in a payload type of the other's numbering"
        );
        // The audio level travels in each one's own extension id.
        assert!(audio.iter().all(|h| h.ext_vals.audio_level == Some(-30)));
    }
    assert_eq!(sfu.dropped(), Dropped::default());
}

#[test]
fn a_subscriber_who_cannot_decode_the_publishers_codec_is_told_and_sent_nothing() {
    let mut now = Instant::now();
    let mut sfu = sfu();
    // Alice publishes H.264 only (as a native publisher might).
    let h264_only = Numbering {
        opus: Some(111),
        vp8: None,
        h264: Some((102, 103)),
        vp9: None,
        first_extension: 1,
    };
    let mut alice = Client::numbered("10.0.0.2:1000", &h264_only, now);
    // Bob decodes VP8 only; Carol H.264 too, numbered her own way.
    let mut bob = Client::numbered("10.0.0.3:1000", &FIREFOX, now);
    let both = Numbering {
        h264: Some((126, 127)),
        ..FIREFOX
    };
    let mut carol = Client::numbered("10.0.0.4:1000", &both, now);
    // Dan offers no video codec the server takes at all.
    let vp9_only = Numbering {
        vp8: None,
        vp9: Some((98, 99)),
        ..FIREFOX
    };
    let mut dan = Client::numbered("10.0.0.5:1000", &vp9_only, now);
    let mids = join(
        &mut sfu,
        &mut alice,
        &[(MediaKind::Video, Direction::SendOnly)],
        ALL,
        now,
    )
    .unwrap();
    let slot = [(MediaKind::Video, Direction::RecvOnly)];
    join(&mut sfu, &mut bob, &slot, ALL, now).unwrap();
    join(&mut sfu, &mut carol, &slot, ALL, now).unwrap();
    join(&mut sfu, &mut dan, &slot, ALL, now).unwrap();
    let mut n = 0;
    run(
        &mut sfu,
        &mut [&mut alice, &mut bob, &mut carol, &mut dan],
        &mut now,
        Duration::from_secs(2),
        |clients, t| {
            if clients[0].connected {
                send_h264(clients[0], mids[0], n, t);
                n += 1;
            }
        },
    );
    assert!(carol.connected && bob.connected);
    let carol_got = received_as(&carol, Codec::H264).len();
    assert!(carol_got > 100, "carol decodes H.264: {carol_got}");
    assert!(bob.received.is_empty(), "bob was sent {:?}", bob.headers);
    assert!(dan.received.is_empty(), "dan was sent {:?}", dan.headers);
    let told = sfu.take_notices();
    let undecodable = Notice::Undecodable {
        participant: bob.id,
        tracks: vec![UndecodableTrack {
            publisher: alice.id,
            kind: TrackKind::Video,
            codec: "H264".into(),
        }],
    };
    assert!(told.contains(&undecodable), "{told:?}");
    let dan_told = Notice::Undecodable {
        participant: dan.id,
        tracks: vec![UndecodableTrack {
            publisher: alice.id,
            kind: TrackKind::Video,
            codec: "H264".into(),
        }],
    };
    assert!(told.contains(&dan_told), "{told:?}");
    assert!(
        !told
            .iter()
            .any(|t| matches!(t, Notice::Undecodable { participant, tracks } if *participant == carol.id && !tracks.is_empty())),
        "{told:?}"
    );
    assert!(sfu.dropped().undecodable > 100, "{:?}", sfu.dropped());

    // Alice leaves: nothing is left that Bob cannot decode.
    sfu.remove_peer(alice.id);
    sfu.poll(now + Duration::from_millis(100));
    let told = sfu.take_notices();
    let cleared = Notice::Undecodable {
        participant: bob.id,
        tracks: vec![],
    };
    assert!(told.contains(&cleared), "{told:?}");
}

/// Sends frame `n` as one H.264 packet: every 10th a keyframe (its parameter sets),
/// the others a slice.
fn send_h264(c: &mut Client, mid: Mid, n: u64, t: Instant) {
    let pt = c.pt(Codec::H264);
    let mut api = c.rtc.direct_api();
    let Some(tx) = api.stream_tx_by_mid(mid, None) else {
        return;
    };
    let payload = if n.is_multiple_of(10) {
        // STAP-A holding an SPS and a PPS.
        vec![24, 0, 2, 0x67, 0x42, 0, 2, 0x68, 0xce]
    } else {
        vec![0x41, 0x9a, n as u8]
    };
    tx.write_rtp(RtpWrite::new(pt, (5000 + n).into(), (n * 3000) as u32, t, payload).marker(true));
}

#[test]
fn the_answer_carries_every_candidate_in_every_section_and_says_they_are_all() {
    let now = Instant::now();
    let mut sfu = Sfu::new(addresses(true), SfuConfig::default());
    let mut alice = Client::new("10.0.0.2:1000", now);
    let (offer, pending, _) = alice.offer(&[
        (MediaKind::Audio, Direction::SendOnly),
        (MediaKind::Video, Direction::SendOnly),
        (MediaKind::Video, Direction::RecvOnly),
    ]);
    let answer = sfu.add_peer(alice.id, offer, ALL, now).unwrap();
    let sdp = answer.to_sdp_string();
    let sections: Vec<&str> = sdp.split("\r\nm=").skip(1).collect();
    assert_eq!(sections.len(), 3, "{sdp}");
    for section in sections {
        let candidates: Vec<&str> = section
            .lines()
            .filter(|l| l.starts_with("a=candidate:"))
            .collect();
        assert_eq!(candidates.len(), 2, "UDP and TCP in {section}");
        assert!(candidates
            .iter()
            .any(|c| c.contains(SFU.split(':').next().unwrap())));
        let lines: Vec<&str> = section.lines().collect();
        let end = lines.iter().position(|l| *l == "a=end-of-candidates");
        let last = lines.iter().rposition(|l| l.starts_with("a=candidate:"));
        assert!(
            end > last,
            "end-of-candidates after the candidates: {section}"
        );
    }
    // A peer still takes the answer.
    alice.rtc.sdp_api().accept_answer(pending, answer).unwrap();
}

/// An offer from `c` for a publisher of audio and video with a receive slot each, its
/// SDP text edited by `edit`.
fn tampered_offer(c: &mut Client, edit: impl FnOnce(String) -> String) -> SdpOffer {
    let (offer, ..) = c.offer(&[
        (MediaKind::Audio, Direction::SendOnly),
        (MediaKind::Video, Direction::SendOnly),
        (MediaKind::Audio, Direction::RecvOnly),
        (MediaKind::Video, Direction::RecvOnly),
    ]);
    SdpOffer::from_sdp_string(&edit(offer.to_sdp_string())).unwrap()
}

#[test]
fn offers_numbering_payload_types_inconsistently_are_refused_and_the_meeting_goes_on() {
    let mut now = Instant::now();
    let mut sfu = sfu();
    let mut alice = Client::new("10.0.0.2:1000", now);
    let mut bob = Client::new("10.0.0.3:1000", now);
    let mids = join(
        &mut sfu,
        &mut alice,
        &[(MediaKind::Audio, Direction::SendOnly)],
        ALL,
        now,
    )
    .unwrap();
    join(
        &mut sfu,
        &mut bob,
        &[(MediaKind::Audio, Direction::RecvOnly)],
        ALL,
        now,
    )
    .unwrap();
    let mut n = 0;
    let mut speak = |clients: &mut [&mut Client], t| {
        if clients[0].connected {
            send_audio(clients[0], mids[0], n, t);
            n += 1;
        }
    };
    run(
        &mut sfu,
        &mut [&mut alice, &mut bob],
        &mut now,
        Duration::from_secs(1),
        &mut speak,
    );
    let before = bob.received.len();
    assert!(before > 50);

    let mut mallory = Client::new("10.0.0.6:1000", now);
    // VP8's number means H.264 in the last (receiving) m-line.
    let conflicting = tampered_offer(&mut mallory, |sdp| {
        let at = sdp.rfind("VP8/90000").unwrap();
        format!("{}H264/90000{}", &sdp[..at], &sdp[at + 9..])
    });
    // Opus renumbered in the receiving audio m-line.
    let renumbered = tampered_offer(&mut mallory, |sdp| {
        let last = sdp.rfind("m=audio").unwrap();
        let (head, tail) = sdp.split_at(last);
        let tail = tail
            .replace("SAVPF 111", "SAVPF 109")
            .replace(":111 ", ":109 ");
        format!("{head}{tail}")
    });
    // A payload type listed twice.
    let twice = tampered_offer(&mut mallory, |sdp| {
        sdp.replacen("SAVPF 111", "SAVPF 111 111", 1)
    });
    for (what, offer) in [
        ("conflicting", conflicting),
        ("renumbered", renumbered),
        ("listed twice", twice),
    ] {
        let err = sfu.add_peer(mallory.id, offer, ALL, now).unwrap_err();
        assert!(matches!(err, SfuError::PayloadTypes(_)), "{what}: {err}");
        assert_eq!(sfu.peer_count(), 2, "{what}");
    }
    run(
        &mut sfu,
        &mut [&mut alice, &mut bob],
        &mut now,
        Duration::from_secs(1),
        &mut speak,
    );
    assert!(bob.received.len() > before + 50, "alice is still heard");
}

#[test]
fn a_peer_renumbering_on_renegotiation_is_still_heard_and_still_hears() {
    let mut now = Instant::now();
    let mut sfu = sfu();
    let mut alice = Client::new("10.0.0.2:1000", now);
    let mut bob = Client::new("10.0.0.3:1000", now);
    let audio = [(MediaKind::Audio, Direction::SendOnly)];
    let slot = [(MediaKind::Audio, Direction::RecvOnly)];
    let mids = join(&mut sfu, &mut alice, &audio, ALL, now).unwrap();
    join(&mut sfu, &mut bob, &slot, ALL, now).unwrap();
    let mut n = 0;
    run(
        &mut sfu,
        &mut [&mut alice, &mut bob],
        &mut now,
        Duration::from_secs(1),
        |clients, t| {
            if clients[0].connected {
                send_audio(clients[0], mids[0], n, t);
                n += 1;
            }
        },
    );
    let before = received_as(&bob, Codec::Opus).len();
    assert!(before > 50, "{before}");

    // Both offer anew, numbered like Firefox now (a new connection each).
    let mut alice2 = Client::numbered("10.0.0.2:1001", &FIREFOX, now);
    alice2.id = alice.id;
    let mut bob2 = Client::numbered("10.0.0.3:1001", &FIREFOX, now);
    bob2.id = bob.id;
    let mids = join(&mut sfu, &mut alice2, &audio, ALL, now).unwrap();
    join(&mut sfu, &mut bob2, &slot, ALL, now).unwrap();
    let mut n = 0;
    run(
        &mut sfu,
        &mut [&mut alice2, &mut bob2],
        &mut now,
        Duration::from_secs(1),
        |clients, t| {
            if clients[0].connected {
                send_audio(clients[0], mids[0], n, t);
                n += 1;
            }
        },
    );
    let after = received_as(&bob2, Codec::Opus).len();
    assert!(after > 50, "{after}");
    assert_eq!(after, bob2.headers.len(), "all in bob's new numbering");
}

#[test]
fn a_payload_type_not_negotiated_for_the_track_is_dropped_and_counted() {
    let mut now = Instant::now();
    let mut sfu = sfu();
    let mut alice = Client::new("10.0.0.2:1000", now);
    let mut bob = Client::new("10.0.0.3:1000", now);
    let mids = join(
        &mut sfu,
        &mut alice,
        &[(MediaKind::Audio, Direction::SendOnly)],
        ALL,
        now,
    )
    .unwrap();
    join(
        &mut sfu,
        &mut bob,
        &[
            (MediaKind::Audio, Direction::RecvOnly),
            (MediaKind::Video, Direction::RecvOnly),
        ],
        ALL,
        now,
    )
    .unwrap();
    let mut n = 0;
    run(
        &mut sfu,
        &mut [&mut alice, &mut bob],
        &mut now,
        Duration::from_secs(2),
        |clients, t| {
            let c = &mut *clients[0];
            if c.connected {
                // Every other packet is VP8 on the microphone's track: a number the
                // connection knows, for another kind of media.
                let codec = [Codec::Opus, Codec::Vp8][n as usize % 2];
                let pt = c.pt(codec);
                let exts = ExtensionValues {
                    audio_level: Some(-30),
                    voice_activity: Some(true),
                    ..Default::default()
                };
                let payload = format!("{codec} {n}").into_bytes();
                let write = RtpWrite::new(pt, (1000 + n).into(), (n * 960) as u32, t, payload);
                let mut api = c.rtc.direct_api();
                if let Some(tx) = api.stream_tx_by_mid(mids[0], None) {
                    tx.write_rtp(write.ext_vals(exts));
                }
                n += 1;
            }
        },
    );
    assert!(n > 200);
    let heard = received_as(&bob, Codec::Opus).len();
    assert!(heard > 80, "{heard}");
    assert_eq!(heard, bob.headers.len(), "{:?}", bob.headers.last());
    assert!(sfu.dropped().not_negotiated > 100, "{:?}", sfu.dropped());
}

#[test]
fn real_browser_offers_are_answered_in_their_own_numbering() {
    let now = Instant::now();
    for (browser, sdp, opus, vp8) in [
        ("chromium", include_str!("offers/chromium-156.sdp"), 111, 96),
        (
            "firefox",
            include_str!("offers/firefox-esr-153.sdp"),
            109,
            120,
        ),
    ] {
        let mut sfu = Sfu::new(addresses(true), SfuConfig::default());
        let offer = SdpOffer::from_sdp_string(sdp).unwrap();
        let answer = sfu
            .add_peer(ParticipantId::new(), offer, ALL, now)
            .unwrap_or_else(|e| panic!("{browser}: {e}"))
            .to_sdp_string();
        let first = |kind: &str| {
            let line = answer.lines().find(|l| l.starts_with(kind)).unwrap();
            line.split_whitespace()
                .nth(3)
                .unwrap()
                .parse::<u8>()
                .unwrap()
        };
        assert_eq!(
            (first("m=audio"), first("m=video")),
            (opus, vp8),
            "{browser}"
        );
    }
}
