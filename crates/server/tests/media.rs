//! Audio and video signalling over real WebSockets: what policy and permissions refuse,
//! and that a participant who leaves leaves nothing behind in the SFU.

mod common;
mod tcp_peer;

use std::time::Instant;

use common::*;
use confab_proto::{
    room::{ClientMsg, RoomErrorCode, ServerMsg},
    AttendeePermissions,
};
use serde_json::{json, Value};
use str0m::{
    media::{Direction, MediaKind},
    Rtc,
};
use tcp_peer::TcpPeer;

/// A browser-like offer: `media` (kind, direction) in m-line order.
fn offer(media: &[(MediaKind, Direction)]) -> String {
    let mut rtc = Rtc::builder().build(Instant::now());
    let mut api = rtc.sdp_api();
    for (kind, dir) in media {
        api.add_media(*kind, *dir, None, None, None);
    }
    let (offer, _) = api.apply().expect("media was added");
    offer.to_sdp_string()
}

const CAMERA_AND_MIC: [(MediaKind, Direction); 3] = [
    (MediaKind::Audio, Direction::SendOnly),
    (MediaKind::Video, Direction::SendOnly),
    (MediaKind::Video, Direction::RecvOnly),
];

fn is_answer(m: &ServerMsg) -> bool {
    matches!(m, ServerMsg::MediaAnswer { .. })
}

fn is_error(code: RoomErrorCode) -> impl Fn(&ServerMsg) -> bool {
    move |m| matches!(m, ServerMsg::Error { code: c, .. } if *c == code)
}

#[tokio::test]
async fn an_attendee_without_camera_permission_is_refused_video_but_may_talk() {
    let s = TestServer::start().await;
    let org = s.admin_client().await;
    let m = org.schedule(&meeting("Cameras off")).await;
    let link = m.attendee_link.clone().unwrap();
    let mut o = Room::enter(&s, &org.join_ok(&link, None, None).await.token).await;
    let permissions = AttendeePermissions {
        use_camera: false,
        ..Default::default()
    };
    o.send(&ClientMsg::SetPermissions { permissions }).await;

    let ann = Client::new(&s).join_ok(&link, Some("Ann"), None).await;
    let mut a = Room::enter(&s, &ann.token).await;
    let sdp = offer(&CAMERA_AND_MIC);
    a.send(&ClientMsg::MediaOffer { sdp }).await;
    let refused = a.until(is_error(RoomErrorCode::NotAllowed)).await;
    assert!(format!("{refused:?}").contains("video"), "{refused:?}");

    // Receiving video and sending audio is fine.
    let sdp = offer(&[
        (MediaKind::Audio, Direction::SendOnly),
        (MediaKind::Video, Direction::RecvOnly),
    ]);
    a.send(&ClientMsg::MediaOffer { sdp }).await;
    a.until(is_answer).await;
    a.until(|m| matches!(m, ServerMsg::MediaSlots { video, .. } if video.len() == 1))
        .await;

    // Switching the camera on is refused too, not just the track.
    a.send(&ClientMsg::SetMedia {
        microphone: true,
        camera: true,
    })
    .await;
    a.until(is_error(RoomErrorCode::NotAllowed)).await;
}

#[tokio::test]
async fn a_policy_without_ip_video_refuses_even_the_organizers_camera() {
    let s = TestServer::start().await;
    let org = s.admin_client().await;
    let me: Value = org.get("/api/v1/me").await.json().await.unwrap();
    let tid = me["tenant"]["id"].as_str().unwrap();
    let mut policy = me["tenant"]["policy"].clone();
    policy["ip_video"] = json!(false);
    let r = org
        .put(&format!("/api/v1/tenants/{tid}/policy"), policy)
        .await;
    assert_eq!(r.status(), 200);

    let m = org.schedule(&meeting("Audio only")).await;
    let link = m.attendee_link.clone().unwrap();
    let joined = org.join_ok(&link, None, None).await;
    let mut o = Room::open(&s, &joined.token, None).await;
    let welcome = o.until(|m| matches!(m, ServerMsg::Welcome { .. })).await;
    let ServerMsg::Welcome {
        snapshot: Some(snapshot),
        ..
    } = welcome
    else {
        panic!("{welcome:?}")
    };
    assert!(
        !snapshot.media_limits.ip_video,
        "the client is told, to hide the camera"
    );
    o.send(&ClientMsg::MediaOffer {
        sdp: offer(&CAMERA_AND_MIC),
    })
    .await;
    o.until(is_error(RoomErrorCode::NotAllowed)).await;
}

#[tokio::test]
async fn a_garbled_offer_gets_an_error_and_the_connection_stays() {
    let s = TestServer::start().await;
    let org = s.admin_client().await;
    let m = org.schedule(&meeting("Garbled")).await;
    let link = m.attendee_link.clone().unwrap();
    let mut o = Room::enter(&s, &org.join_ok(&link, None, None).await.token).await;
    o.send(&ClientMsg::MediaOffer {
        sdp: "v=0 nonsense".into(),
    })
    .await;
    o.until(is_error(RoomErrorCode::Invalid)).await;
    o.send(&ClientMsg::Ping).await;
    o.until(|m| matches!(m, ServerMsg::Pong)).await;
}

#[tokio::test]
async fn an_offer_numbering_payload_types_two_ways_is_refused_saying_why_and_a_good_one_answered() {
    let s = TestServer::start().await;
    let org = s.admin_client().await;
    let m = org.schedule(&meeting("Renumbered")).await;
    let link = m.attendee_link.clone().unwrap();
    let mut o = Room::enter(&s, &org.join_ok(&link, None, None).await.token).await;
    // VP8's number means H.264 in the receiving m-line.
    let good = offer(&CAMERA_AND_MIC);
    let at = good.rfind("VP8/90000").expect("the offer has VP8");
    let bad = format!("{}H264/90000{}", &good[..at], &good[at + 9..]);
    o.send(&ClientMsg::MediaOffer { sdp: bad }).await;
    let refused = o.until(is_error(RoomErrorCode::Invalid)).await;
    let ServerMsg::Error { message, .. } = refused else {
        unreachable!("matched an error")
    };
    assert!(message.contains("payload type"), "{message}");
    o.send(&ClientMsg::MediaOffer { sdp: good }).await;
    o.until(is_answer).await;
}

#[tokio::test]
async fn media_is_forgotten_when_participants_leave_or_drop() {
    let s = TestServer::start().await;
    let org = s.admin_client().await;
    let m = org.schedule(&meeting("Leak check")).await;
    let link = m.attendee_link.clone().unwrap();
    let mut o = Room::enter(&s, &org.join_ok(&link, None, None).await.token).await;
    let ann = Client::new(&s).join_ok(&link, Some("Ann"), None).await;
    let mut a = Room::enter(&s, &ann.token).await;
    for r in [&mut o, &mut a] {
        r.send(&ClientMsg::MediaOffer {
            sdp: offer(&CAMERA_AND_MIC),
        })
        .await;
        r.until(is_answer).await;
    }
    let media = &s.server.as_ref().unwrap().media;
    assert!(!media.is_empty(m.id).await);

    // Ann leaves; the organizer's connection drops (no leave).
    a.send(&ClientMsg::Leave).await;
    drop(o);
    let deadline = Instant::now() + WAIT;
    while !media.is_empty(m.id).await {
        assert!(Instant::now() < deadline, "media still held after {WAIT:?}");
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
}

/// Runs a str0m client over ICE-TCP until it is connected (ICE and DTLS done); returns
/// the connection.
async fn connect_over_tcp(
    room: &mut Room,
    server: std::net::SocketAddr,
) -> Option<tokio::net::TcpStream> {
    let mut peer = TcpPeer::join(room, server).await;
    let deadline = Instant::now() + WAIT;
    while !peer.connected && Instant::now() < deadline {
        if !peer.step().await {
            return None;
        }
    }
    peer.connected.then(|| peer.into_stream())
}

/// Whether the server closes `stream` within `WAIT`, reading (and ignoring) what it sends.
async fn closed_by_server(stream: &mut tokio::net::TcpStream) -> bool {
    use tokio::io::AsyncReadExt;
    let mut buf = vec![0u8; 4096];
    let deadline = tokio::time::Instant::now() + WAIT;
    loop {
        match tokio::time::timeout_at(deadline, stream.read(&mut buf)).await {
            Ok(Ok(0) | Err(_)) => return true,
            Ok(Ok(_)) => {}
            Err(_) => return false,
        }
    }
}

fn ice_tcp_addr(s: &TestServer) -> std::net::SocketAddr {
    let addr = s.server.as_ref().unwrap().media_addr;
    addr.tcp.expect("ICE-TCP listens by default")
}

#[tokio::test]
async fn a_client_that_cannot_use_udp_connects_over_ice_tcp_until_it_leaves() {
    let s = TestServer::start().await;
    let tcp = ice_tcp_addr(&s);
    assert_eq!(
        tcp.ip(),
        s.server.as_ref().unwrap().media_addr.udp.ip(),
        "beside the UDP address"
    );
    let org = s.admin_client().await;
    let m = org.schedule(&meeting("Behind a firewall")).await;
    let link = m.attendee_link.clone().unwrap();
    let mut o = Room::enter(&s, &org.join_ok(&link, None, None).await.token).await;
    let mut stream = connect_over_tcp(&mut o, tcp)
        .await
        .expect("connected over TCP");

    // Leaving the meeting ends the media connection too.
    o.send(&ClientMsg::Leave).await;
    assert!(closed_by_server(&mut stream).await, "the connection closed");
}

#[tokio::test]
async fn behind_a_nat_candidates_carry_the_public_ip_and_browsers_connect_through_it() {
    // Listening on every address, reached at another one (all of 127/8 is loopback): as
    // a cloud VM is reached at its public IP.
    let s = TestServer::start_with(|c| {
        c.media.listen = "0.0.0.0:0".parse().unwrap();
        c.media.public_ip = Some("127.0.0.2".parse().unwrap());
    })
    .await;
    let addr = s.server.as_ref().unwrap().media_addr;
    let org = s.admin_client().await;
    let m = org.schedule(&meeting("Natted")).await;
    let link = m.attendee_link.clone().unwrap();
    let mut o = Room::enter(&s, &org.join_ok(&link, None, None).await.token).await;
    o.send(&ClientMsg::MediaOffer {
        sdp: offer(&CAMERA_AND_MIC),
    })
    .await;
    let ServerMsg::MediaAnswer { sdp } = o.until(is_answer).await else {
        unreachable!()
    };
    // Every m-section lists the same two.
    let mut candidates: Vec<&str> = Vec::new();
    for c in sdp.lines().filter(|l| l.starts_with("a=candidate")) {
        if !candidates.contains(&c) {
            candidates.push(c);
        }
    }
    assert_eq!(candidates.len(), 2, "{candidates:?}");
    for (c, port) in candidates
        .iter()
        .zip([addr.udp.port(), addr.tcp.unwrap().port()])
    {
        assert!(c.contains(&format!(" 127.0.0.2 {port} ")), "{c}");
    }
    let public_tcp =
        std::net::SocketAddr::new("127.0.0.2".parse().unwrap(), addr.tcp.unwrap().port());
    assert!(connect_over_tcp(&mut o, public_tcp).await.is_some());
}

#[tokio::test]
async fn two_clients_without_udp_hear_each_other_through_the_sfu() {
    let s = TestServer::start().await;
    let tcp = ice_tcp_addr(&s);
    let org = s.admin_client().await;
    let m = org.schedule(&meeting("Both firewalled")).await;
    let link = m.attendee_link.clone().unwrap();
    let mut o = Room::enter(&s, &org.join_ok(&link, None, None).await.token).await;
    let ann = Client::new(&s).join_ok(&link, Some("Ann"), None).await;
    let mut a = Room::enter(&s, &ann.token).await;
    let mut peers = [
        TcpPeer::join(&mut o, tcp).await,
        TcpPeer::join(&mut a, tcp).await,
    ];
    let deadline = Instant::now() + WAIT;
    while peers.iter().any(|p| p.received < 50) {
        assert!(
            Instant::now() < deadline,
            "packets received: {:?}",
            peers.each_ref().map(|p| p.received)
        );
        for p in &mut peers {
            assert!(p.step().await, "the server kept the connection");
        }
    }
}

#[tokio::test]
async fn strangers_and_garbage_on_ice_tcp_are_cut_off() {
    use confab_media::framing::frame;
    use tokio::io::AsyncWriteExt;
    let s = TestServer::start().await;
    let tcp = ice_tcp_addr(&s);
    let packets: [Vec<u8>; 3] = [
        // Bytes that are no STUN, DTLS or RTP.
        frame(b"GET / HTTP/1.1\r\n\r\n").unwrap(),
        // A frame announcing more than any packet the server takes.
        u16::MAX.to_be_bytes().to_vec(),
        // A well-formed STUN binding request for a participant nobody knows.
        frame(&stun_binding_request("nobody:knows")).unwrap(),
    ];
    for bytes in packets {
        let mut stream = tokio::net::TcpStream::connect(tcp).await.unwrap();
        stream.write_all(&bytes).await.unwrap();
        assert!(closed_by_server(&mut stream).await, "{bytes:?}");
    }
    // The server still serves.
    let org = s.admin_client().await;
    let m = org.schedule(&meeting("After the noise")).await;
    let link = m.attendee_link.clone().unwrap();
    let mut o = Room::enter(&s, &org.join_ok(&link, None, None).await.token).await;
    assert!(connect_over_tcp(&mut o, tcp).await.is_some());
}

/// A STUN binding request (RFC 5389) with a USERNAME and no integrity: enough for the
/// server to look up whose it is.
fn stun_binding_request(username: &str) -> Vec<u8> {
    let mut attr = Vec::new();
    attr.extend_from_slice(&0x0006u16.to_be_bytes());
    attr.extend_from_slice(&(username.len() as u16).to_be_bytes());
    attr.extend_from_slice(username.as_bytes());
    while attr.len() % 4 != 0 {
        attr.push(0);
    }
    let mut msg = Vec::new();
    msg.extend_from_slice(&0x0001u16.to_be_bytes());
    msg.extend_from_slice(&(attr.len() as u16).to_be_bytes());
    msg.extend_from_slice(&0x2112_A442u32.to_be_bytes());
    msg.extend_from_slice(&[7; 12]);
    msg.extend_from_slice(&attr);
    msg
}

#[tokio::test]
async fn turn_credentials_come_with_the_snapshot_when_configured() {
    let turn: confab_server::runtime::media::turn::TurnConfig = toml_turn();
    let s = TestServer::start_with(|c| c.media.turn = Some(turn)).await;
    let org = s.admin_client().await;
    let m = org.schedule(&meeting("Relayed")).await;
    let link = m.attendee_link.clone().unwrap();
    let joined = org.join_ok(&link, None, None).await;
    let mut o = Room::open(&s, &joined.token, None).await;
    let welcome = o.until(|m| matches!(m, ServerMsg::Welcome { .. })).await;
    let ServerMsg::Welcome {
        snapshot: Some(snapshot),
        you,
        ..
    } = welcome
    else {
        panic!("{welcome:?}")
    };
    let [server] = &snapshot.ice_servers[..] else {
        panic!("{:?}", snapshot.ice_servers)
    };
    assert_eq!(server.urls, vec!["turn:127.0.0.1:3478?transport=udp"]);
    let (expiry, who) = server.username.split_once(':').unwrap();
    assert_eq!(who, you.to_string());
    assert!(expiry.parse::<u64>().is_ok());
    assert_eq!(server.credential.len(), 28, "base64 of a SHA-1 HMAC");
}

fn toml_turn() -> confab_server::runtime::media::turn::TurnConfig {
    toml::from_str(
        r#"
        urls = ["turn:127.0.0.1:3478?transport=udp"]
        secret = "shared with coturn"
        "#,
    )
    .unwrap()
}
