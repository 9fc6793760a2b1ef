//! A str0m peer that reaches the server only over ICE-TCP: one real TCP connection to
//! the server's passive candidate, RFC 4571 frames both ways, one microphone and one
//! audio slot. It stands for a browser on a network that blocks UDP.

use std::{
    net::SocketAddr,
    time::{Duration, Instant},
};

use confab_media::framing::{frame, Deframer, MAX_FRAME};
use confab_proto::room::{ClientMsg, ServerMsg};
use str0m::{
    format::Codec,
    media::{Direction, MediaKind, Mid},
    net::{Protocol, Receive, TcpType},
    rtp::{ExtensionValues, RtpWrite},
    Candidate, Event, Input, Output, Rtc,
};
use tokio::{
    io::{AsyncReadExt, AsyncWriteExt},
    net::TcpStream,
};

use crate::common::Room;

/// Opus frames are 20 ms.
const FRAME: Duration = Duration::from_millis(20);

pub struct TcpPeer {
    rtc: Rtc,
    stream: TcpStream,
    local: SocketAddr,
    server: SocketAddr,
    deframer: Deframer,
    microphone: Mid,
    sent: u64,
    last_sent: Option<Instant>,
    pub connected: bool,
    /// RTP packets forwarded to it.
    pub received: usize,
}

impl TcpPeer {
    /// Connects to the server's ICE-TCP address and negotiates through `room`.
    pub async fn join(room: &mut Room, server: SocketAddr) -> Self {
        let stream = TcpStream::connect(server).await.unwrap();
        let local = stream.local_addr().unwrap();
        let mut rtc = Rtc::builder().set_rtp_mode(true).build(Instant::now());
        let candidate = Candidate::builder()
            .tcp()
            .host(local)
            .tcptype(TcpType::Active)
            .build()
            .unwrap();
        rtc.add_local_candidate(candidate);
        let mut api = rtc.sdp_api();
        let microphone = api.add_media(MediaKind::Audio, Direction::SendOnly, None, None, None);
        api.add_media(MediaKind::Audio, Direction::RecvOnly, None, None, None);
        let (offer, pending) = api.apply().unwrap();
        room.send(&ClientMsg::MediaOffer {
            sdp: offer.to_sdp_string(),
        })
        .await;
        let answer = room
            .until(|m| matches!(m, ServerMsg::MediaAnswer { .. }))
            .await;
        let ServerMsg::MediaAnswer { sdp } = answer else {
            unreachable!()
        };
        assert!(sdp.contains("tcptype passive"), "{sdp}");
        let answer = str0m::change::SdpAnswer::from_sdp_string(&sdp).unwrap();
        rtc.sdp_api().accept_answer(pending, answer).unwrap();
        Self {
            rtc,
            stream,
            local,
            server,
            deframer: Deframer::new(MAX_FRAME),
            microphone,
            sent: 0,
            last_sent: None,
            connected: false,
            received: 0,
        }
    }

    /// One round: a voice frame when one is due (once connected), whatever str0m has to
    /// send, then what arrives within a frame's time. False once the server closed.
    pub async fn step(&mut self) -> bool {
        let now = Instant::now();
        if self.connected && self.last_sent.is_none_or(|t| now - t >= FRAME) {
            self.speak(now);
        }
        loop {
            match self.rtc.poll_output().unwrap() {
                Output::Transmit(t) if t.proto == Protocol::Tcp => {
                    let framed = frame(&t.contents).unwrap();
                    if self.stream.write_all(&framed).await.is_err() {
                        return false;
                    }
                }
                Output::Transmit(_) => {}
                Output::Event(Event::Connected) => self.connected = true,
                Output::Event(Event::RtpPacket(_)) => self.received += 1,
                Output::Event(_) => {}
                Output::Timeout(_) => break,
            }
        }
        let mut buf = vec![0u8; 4096];
        match tokio::time::timeout(FRAME, self.stream.read(&mut buf)).await {
            Ok(Ok(0) | Err(_)) => return false,
            Ok(Ok(n)) => {
                for packet in self.deframer.push(&buf[..n]).unwrap() {
                    let input = Input::Receive(
                        Instant::now(),
                        Receive {
                            proto: Protocol::Tcp,
                            source: self.server,
                            destination: self.local,
                            contents: packet.as_slice().try_into().unwrap(),
                        },
                    );
                    self.rtc.handle_input(input).unwrap();
                }
            }
            Err(_) => {}
        }
        self.rtc
            .handle_input(Input::Timeout(Instant::now()))
            .unwrap();
        true
    }

    /// Sends one Opus packet at a speaking level (RFC 6464: -30 dBov), so the server
    /// counts it among the loudest voices.
    fn speak(&mut self, now: Instant) {
        let pt = self
            .rtc
            .codec_config()
            .find(|p| p.spec().codec == Codec::Opus)
            .expect("Opus is negotiated")
            .pt();
        let mut api = self.rtc.direct_api();
        let Some(tx) = api.stream_tx_by_mid(self.microphone, None) else {
            return;
        };
        let exts = ExtensionValues {
            audio_level: Some(-30),
            voice_activity: Some(true),
            ..Default::default()
        };
        let n = self.sent;
        let payload = format!("opus frame {n}").into_bytes();
        let packet = RtpWrite::new(pt, (1000 + n).into(), (n * 960) as u32, now, payload);
        tx.write_rtp(packet.ext_vals(exts));
        self.sent += 1;
        self.last_sent = Some(now);
    }

    /// The connection, for a test that watches it after the peer is done.
    pub fn into_stream(self) -> TcpStream {
        self.stream
    }
}
