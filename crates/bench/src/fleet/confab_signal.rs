//! A bot joining Confab the way the browser client does: guest join over REST, the room
//! WebSocket (hello → welcome), `media_offer` → `media_answer`, then `media_slots`
//! telling whose media fills each receive slot. The socket stays open (pings) while
//! the bot's peer runs.

use std::{
    collections::HashMap,
    sync::{Arc, Mutex},
    time::{Duration, Instant},
};

use anyhow::{bail, Context};
use confab_proto::{
    rest::JoinResponse,
    room::{ClientMsg, MediaTile, ServerMsg},
    ParticipantId,
};
use futures_util::{SinkExt, StreamExt};
use serde_json::json;
use str0m::{change::SdpAnswer, media::MediaKind};
use tokio::{
    net::UdpSocket,
    sync::{mpsc, watch},
};
use tokio_tungstenite::tungstenite::Message;

use super::{
    bot::{self, Control, Phase, Shared},
    metrics::PublisherIdx,
    BotPlan, BotResult, Tile,
};

/// Who is who: participant ids (from each bot's welcome) to fleet indices.
pub type Directory = Arc<Mutex<HashMap<ParticipantId, PublisherIdx>>>;

/// Where the meeting is.
#[derive(Clone)]
pub struct Target {
    pub base: String,
    pub ws_url: String,
    pub key: String,
    pub http: reqwest::Client,
}

type Ws =
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

async fn send(ws: &mut Ws, msg: &ClientMsg) -> anyhow::Result<()> {
    ws.send(Message::text(serde_json::to_string(msg)?)).await?;
    Ok(())
}

async fn next_msg(ws: &mut Ws) -> anyhow::Result<ServerMsg> {
    loop {
        match tokio::time::timeout(Duration::from_secs(30), ws.next()).await? {
            Some(Ok(Message::Text(t))) => return Ok(serde_json::from_str(&t)?),
            Some(Ok(_)) => {}
            other => bail!("room socket closed: {other:?}"),
        }
    }
}

/// A layout in Confab's terms; tiles of bots that failed to join are left out.
fn media_tiles(layout: &[Tile], directory: &Directory) -> Vec<MediaTile> {
    let dir = directory.lock().expect("not poisoned");
    layout
        .iter()
        .filter_map(|t| match *t {
            Tile::Speaker(height) => Some(MediaTile::Speaker { height }),
            Tile::Of(idx, height) => {
                dir.iter()
                    .find(|(_, i)| **i == idx)
                    .map(|(p, _)| MediaTile::Participant {
                        participant: *p,
                        height,
                    })
            }
        })
        .collect()
}

/// Joins, negotiates, and returns once the answer is applied; the peer then runs in
/// the returned future's task until the phase says stop.
pub async fn join(
    target: Target,
    plan: BotPlan,
    directory: Directory,
    shared: Arc<Shared>,
    phase: watch::Receiver<Phase>,
) -> anyhow::Result<tokio::task::JoinHandle<BotResult>> {
    let joined = Instant::now();
    let join: JoinResponse = target
        .http
        .post(format!("{}/api/v1/links/{}/join", target.base, target.key))
        .json(&json!({"display_name": format!("Bot {}", plan.index)}))
        .send()
        .await?
        .error_for_status()?
        .json()
        .await?;
    let (mut ws, _) = tokio_tungstenite::connect_async(&target.ws_url).await?;
    send(
        &mut ws,
        &ClientMsg::Hello {
            token: join.token,
            resume: None,
        },
    )
    .await?;
    let me = loop {
        match next_msg(&mut ws).await? {
            ServerMsg::Welcome { you, .. } => break you,
            ServerMsg::Bye { reason } => bail!("refused: {reason:?}"),
            _ => {}
        }
    };
    directory
        .lock()
        .expect("not poisoned")
        .insert(me, plan.index);

    let socket = UdpSocket::bind("127.0.0.1:0").await?;
    let mut rtc = bot::new_rtc(socket.local_addr()?)?;
    let (offer, pending, offer_plan) =
        bot::make_offer(&mut rtc, &plan.tracks, plan.audio_slots, plan.video_slots)
            .context("nothing to offer")?;
    send(
        &mut ws,
        &ClientMsg::MediaOffer {
            sdp: offer.to_sdp_string(),
        },
    )
    .await?;
    let mut slots = None;
    let answer = loop {
        match next_msg(&mut ws).await? {
            ServerMsg::MediaAnswer { sdp } => break sdp,
            ServerMsg::MediaSlots { audio, video } => slots = Some((audio, video)),
            ServerMsg::Error { code, message, .. } => bail!("offer refused: {code:?} {message}"),
            _ => {}
        }
    };
    rtc.sdp_api()
        .accept_answer(pending, SdpAnswer::from_sdp_string(&answer)?)?;

    let audio_mids: Vec<_> = offer_plan
        .receiving
        .iter()
        .filter(|(_, k)| *k == MediaKind::Audio)
        .map(|(m, _)| *m)
        .collect();
    let video_mids: Vec<_> = offer_plan
        .receiving
        .iter()
        .filter(|(_, k)| *k == MediaKind::Video)
        .map(|(m, _)| *m)
        .collect();
    let (control_tx, control_rx) = mpsc::unbounded_channel();
    let layers_tx = control_tx.clone();
    let layout_dir = directory.clone();
    // Slots name participants; the peer wants fleet indices, per receiving mid.
    let idx = plan.index;
    let tell = move |audio: Vec<Option<ParticipantId>>, video: Vec<Option<ParticipantId>>| {
        let dir = directory.lock().expect("not poisoned");
        let map = audio_mids
            .iter()
            .zip(audio)
            .chain(video_mids.iter().zip(video))
            .filter_map(|(mid, p)| Some((*mid, *dir.get(&p?)?)))
            .collect();
        let _ = control_tx.send(Control::Sources(map));
    };
    if let Some((a, v)) = slots {
        tell(a, v);
    }
    let mut ws_phase = phase.clone();
    let layout = plan.layout.clone();
    tokio::spawn(async move {
        // Like the web client: the layout of who is here now, right after the answer,
        // and again once everyone is in.
        if !layout.is_empty() {
            let tiles = media_tiles(&layout, &layout_dir);
            if send(&mut ws, &ClientMsg::MediaLayout { tiles })
                .await
                .is_err()
            {
                return;
            }
        }
        let mut ping = tokio::time::interval(Duration::from_secs(20));
        loop {
            tokio::select! {
                msg = next_msg(&mut ws) => match msg {
                    Ok(ServerMsg::MediaSlots { audio, video }) => tell(audio, video),
                    Ok(ServerMsg::MediaLayers { active }) => {
                        let rids = active.iter().map(|l| l.rid().to_owned()).collect();
                        let _ = layers_tx.send(Control::ActiveLayers(rids));
                    }
                    // A refused command is a bug in the bots: say so, once per bot.
                    Ok(ServerMsg::Error { code, message, .. }) => {
                        eprintln!("bot {idx}: server refused a command: {code:?} {message}");
                    }
                    Ok(_) => {}
                    Err(_) => return,
                },
                _ = ping.tick() => {
                    if send(&mut ws, &ClientMsg::Ping).await.is_err() {
                        return;
                    }
                }
                r = ws_phase.changed() => {
                    let now = if r.is_ok() { *ws_phase.borrow() } else { Phase::Stop };
                    match now {
                        Phase::Stop => {
                            let _ = send(&mut ws, &ClientMsg::Leave).await;
                            return;
                        }
                        // Everyone has joined: every tile can name its participant.
                        Phase::Warmup if !layout.is_empty() => {
                            let tiles = media_tiles(&layout, &layout_dir);
                            if send(&mut ws, &ClientMsg::MediaLayout { tiles }).await.is_err() {
                                return;
                            }
                        }
                        _ => {}
                    }
                }
            }
        }
    });
    Ok(tokio::spawn(async move {
        let peer = bot::Peer {
            rtc,
            socket,
            plan: offer_plan,
        };
        let report = bot::run(
            peer,
            plan.index,
            plan.start_offset,
            shared,
            phase,
            control_rx,
        )
        .await;
        BotResult {
            joined,
            reports: vec![report],
        }
    }))
}
