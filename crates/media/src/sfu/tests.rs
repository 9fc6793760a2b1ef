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
    net::{Protocol, Receive},
    rtp::RtpWrite,
    Candidate, Event, Input, Output, Rtc,
};

use super::{Allowed, Sfu, SfuError};
use crate::ParticipantId;

const SFU: &str = "10.0.0.1:5000";

/// A browser stand-in.
struct Client {
    id: ParticipantId,
    rtc: Rtc,
    addr: SocketAddr,
    connected: bool,
    received: Vec<Vec<u8>>,
}

impl Client {
    fn new(addr: &str, now: Instant) -> Self {
        let addr: SocketAddr = addr.parse().unwrap();
        let mut rtc = Rtc::builder().set_rtp_mode(true).build(now);
        rtc.add_local_candidate(Candidate::host(addr, "udp").unwrap());
        Self {
            id: ParticipantId::new(),
            rtc,
            addr,
            connected: false,
            received: Vec::new(),
        }
    }

    /// Offers `media` (kind, direction) and returns the offer's pending state.
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
    let sfu_addr: SocketAddr = SFU.parse().unwrap();
    let end = *now + until;
    while *now < end {
        each(clients, *now);
        for c in clients.iter_mut() {
            c.rtc.handle_input(Input::Timeout(*now)).unwrap();
            while let Ok(out) = c.rtc.poll_output() {
                match out {
                    Output::Transmit(t) if t.destination == sfu_addr => {
                        sfu.handle_receive(*now, c.addr, &t.contents);
                    }
                    Output::Transmit(_) => {}
                    Output::Timeout(_) => break,
                    Output::Event(Event::Connected) => c.connected = true,
                    Output::Event(Event::RtpPacket(p)) => c.received.push(p.payload.to_vec()),
                    Output::Event(_) => {}
                }
            }
        }
        let (datagrams, _) = sfu.poll(*now);
        for (to, data) in datagrams {
            if let Some(c) = clients.iter_mut().find(|c| c.addr == to) {
                let input = Input::Receive(
                    *now,
                    Receive {
                        proto: Protocol::Udp,
                        source: sfu_addr,
                        destination: to,
                        contents: data.as_slice().try_into().unwrap(),
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
    allowed: Allowed,
    now: Instant,
) -> Result<Vec<Mid>, SfuError> {
    let (offer, pending, mids) = c.offer(media);
    let answer = sfu.add_peer(c.id, offer, allowed, now)?;
    c.rtc.sdp_api().accept_answer(pending, answer).unwrap();
    Ok(mids)
}

const ALL: Allowed = Allowed {
    audio: true,
    video: true,
};

#[test]
fn audio_published_by_one_participant_reaches_another_through_the_sfu() {
    let mut now = Instant::now();
    let mut sfu = Sfu::new(SFU.parse().unwrap());
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

    let pt = alice
        .rtc
        .codec_config()
        .find(|p| p.spec().codec == Codec::Opus)
        .unwrap()
        .pt();
    let mut sent = 0u64;
    run(
        &mut sfu,
        &mut [&mut alice, &mut bob],
        &mut now,
        Duration::from_secs(3),
        |clients, t| {
            let alice = &mut clients[0];
            if !alice.connected || sent >= 100 {
                return;
            }
            let mut api = alice.rtc.direct_api();
            let Some(tx) = api.stream_tx_by_mid(mids[0], None) else {
                return;
            };
            let payload = format!("opus frame {sent}").into_bytes();
            tx.write_rtp(RtpWrite::new(
                pt,
                (1000 + sent).into(),
                (sent * 960) as u32,
                t,
                payload,
            ));
            sent += 1;
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
    assert!(
        got.len() >= 90,
        "bob received {} of {sent}: {got:?}",
        got.len()
    );
    assert!(got.iter().all(|p| p.starts_with("opus frame ")), "{got:?}");
    assert!(alice.received.is_empty(), "nobody receives their own audio");
}

#[test]
fn a_track_the_participant_may_not_send_refuses_the_offer() {
    let now = Instant::now();
    let mut sfu = Sfu::new(SFU.parse().unwrap());
    let mut carol = Client::new("10.0.0.4:1000", now);
    let media = [
        (MediaKind::Audio, Direction::SendOnly),
        (MediaKind::Video, Direction::SendOnly),
    ];
    let err = join(
        &mut sfu,
        &mut carol,
        &media,
        Allowed {
            audio: true,
            video: false,
        },
        now,
    )
    .unwrap_err();
    assert!(matches!(err, SfuError::Forbidden("video")), "{err}");
    assert_eq!(sfu.peer_count(), 0);
    // Receiving video is fine for her; only sending is refused.
    let media = [
        (MediaKind::Audio, Direction::SendOnly),
        (MediaKind::Video, Direction::RecvOnly),
    ];
    let mut carol = Client::new("10.0.0.4:1001", now);
    join(
        &mut sfu,
        &mut carol,
        &media,
        Allowed {
            audio: true,
            video: false,
        },
        now,
    )
    .unwrap();
    assert_eq!(sfu.peer_count(), 1);
}

#[test]
fn a_participant_who_leaves_is_gone_from_the_sfu() {
    let now = Instant::now();
    let mut sfu = Sfu::new(SFU.parse().unwrap());
    let mut dave = Client::new("10.0.0.5:1000", now);
    join(
        &mut sfu,
        &mut dave,
        &[(MediaKind::Audio, Direction::SendOnly)],
        ALL,
        now,
    )
    .unwrap();
    let mut erin = Client::new("10.0.0.6:1000", now);
    join(
        &mut sfu,
        &mut erin,
        &[(MediaKind::Audio, Direction::RecvOnly)],
        ALL,
        now,
    )
    .unwrap();
    assert_eq!(sfu.peer_count(), 2);
    sfu.remove_peer(dave.id);
    assert_eq!(sfu.peer_count(), 1);
    sfu.remove_peer(erin.id);
    assert_eq!(sfu.peer_count(), 0);
}
