//! Real str0m peers publishing and receiving through the SFU, with packets carried in
//! memory between fake addresses and a simulated clock (as str0m's own tests do).

use std::{
    net::SocketAddr,
    time::{Duration, Instant},
};

use str0m::{
    change::SdpPendingOffer,
    format::Codec,
    media::{Direction, MediaKind, Mid},
    net::{Protocol, Receive, TcpType},
    rtp::{ExtensionValues, RtpWrite},
    Candidate, Event, Input, Output, Rtc,
};

use super::{Addresses, Gate, Notice, Sfu, SfuConfig, SfuError};
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
        let addr = candidate.addr();
        let mut rtc = Rtc::builder().set_rtp_mode(true).build(now);
        rtc.add_local_candidate(candidate);
        Self {
            id: ParticipantId::new(),
            rtc,
            addr,
            proto,
            connected: false,
            received: Vec::new(),
            keyframe_requests: 0,
        }
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
                    Output::Event(Event::RtpPacket(p)) => c.received.push(p.payload.to_vec()),
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

/// Sends one Opus packet at a speaking level (RFC 6464: -30 dBov).
fn send_audio(c: &mut Client, mid: Mid, n: u64, t: Instant) {
    let pt = c
        .rtc
        .codec_config()
        .find(|p| p.spec().codec == Codec::Opus)
        .unwrap()
        .pt();
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
    let pt = c
        .rtc
        .codec_config()
        .find(|p| p.spec().codec == Codec::Vp8)
        .unwrap()
        .pt();
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
fn a_layer_taller_than_the_policy_allows_is_not_forwarded() {
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
    assert!(
        frames(&bob).is_empty(),
        "a single 720p layer exceeds a 360p cap"
    );
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
        Duration::from_secs(2),
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
