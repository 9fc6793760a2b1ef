//! Stroke fan-out: one presenter draws continuously on a whiteboard page while N viewers
//! watch its ink layer over y-websocket, as the browser does (freehand points appended in
//! batches at a bounded rate). Measures, for every batch and every viewer, the time from
//! the presenter's send to the viewer's receipt, and the server's CPU while drawing.
//!
//! Everyone joins through the real REST + room channel (the shared document is only open
//! to people in the meeting), then opens the page's ink layer like a stock Yjs client:
//! sync step 1 on connect, step 2 in answer, updates after.

use std::{
    path::PathBuf,
    sync::{Arc, Mutex},
    time::{Duration, Instant},
};

use anyhow::{bail, Context};
use confab_proto::{
    content::DocumentKind,
    room::{ClientMsg, RoomEvent, ServerMsg},
    shared_doc::INK,
};
use futures_util::{SinkExt, StreamExt};
use tokio::sync::mpsc;
use tokio_tungstenite::tungstenite::Message;
use yrs::{
    sync::{Message as YMessage, SyncMessage},
    updates::{decoder::Decode, encoder::Encode},
    Any, Array, ArrayPrelim, ArrayRef, Doc, Map, MapPrelim, ReadTxn, StateVector, Transact,
    WriteTxn,
};

use crate::{
    procstat,
    server::{enter_room, ConfabProcess, ServerSocket},
    stats,
    swarm::Organizer,
};

#[derive(clap::Args)]
pub struct Args {
    /// The confab server binary to run (build it with --release for meaningful figures).
    #[arg(long, default_value = "target/release/confab")]
    server: PathBuf,
    /// Viewers of the page besides the presenter.
    #[arg(long, default_value_t = 249)]
    viewers: usize,
    /// Batches of points the presenter sends.
    #[arg(long, default_value_t = 400)]
    batches: usize,
    /// Milliseconds between two batches (the browser sends ink at about 20 Hz).
    #[arg(long, default_value_t = 50)]
    interval_ms: u64,
    /// Points per batch (a pointer at 60–120 Hz gives 3–6 per 50 ms).
    #[arg(long, default_value_t = 4)]
    points: usize,
    /// Port for the server under test.
    #[arg(long, default_value_t = 18182)]
    port: u16,
}

/// A v1 update that changes nothing: a viewer's whole state.
const EMPTY_UPDATE: &[u8] = &[0, 0];

pub async fn run(args: Args) -> anyhow::Result<()> {
    let server = ConfabProcess::start_for_crowd(&args.server, args.port).await?;
    let (meeting, key) = server.meeting_now("Strokes").await?;
    let mut organizer =
        Organizer::join(&server.admin, &server.base, &server.ws_url, &key, meeting).await?;
    organizer
        .send(&ClientMsg::NewDocument {
            kind: DocumentKind::Whiteboard,
            name: "Bench".into(),
        })
        .await?;
    let page = match organizer
        .until(|m| {
            matches!(
                m,
                ServerMsg::Event {
                    event: RoomEvent::Document { .. },
                    ..
                }
            )
        })
        .await?
    {
        ServerMsg::Event {
            event: RoomEvent::Document { document },
            ..
        } => document.pages[0].collab.to_string(),
        _ => unreachable!("matched above"),
    };
    // The page's ink layer; each connection appends its join token.
    let ink_url = format!(
        "{}/api/v1/collab/{meeting}/{page}?token=",
        server.base.replacen("http://", "ws://", 1)
    );

    // Viewers: in the meeting (room channel kept open), then on the ink layer.
    let sent: Arc<Mutex<Vec<Instant>>> = Arc::default();
    let (synced_tx, mut synced_rx) = mpsc::unbounded_channel::<()>();
    let (lat_tx, mut lat_rx) = mpsc::unbounded_channel::<Duration>();
    let guest_http = reqwest::Client::new();
    let mut tasks = Vec::with_capacity(args.viewers);
    for i in 0..args.viewers {
        let (http, base, key, ws_url) = (
            guest_http.clone(),
            server.base.clone(),
            key.clone(),
            server.ws_url.clone(),
        );
        let (sent, synced_tx, lat_tx) = (sent.clone(), synced_tx.clone(), lat_tx.clone());
        let ink_url = ink_url.clone();
        let batches = args.batches;
        tasks.push(tokio::spawn(async move {
            let name = format!("Viewer {i}");
            let (token, room) = enter_room(&http, &base, &ws_url, &key, Some(&name)).await?;
            // Stay in the meeting (answered and pinged) while on the page.
            let room = tokio::spawn(keep_alive(room));
            let (mut ink, _) =
                tokio_tungstenite::connect_async(format!("{ink_url}{token}")).await?;
            send(&mut ink, SyncMessage::SyncStep1(StateVector::default())).await?;
            let (mut stroke_made, mut seen) = (false, 0);
            while seen < batches {
                let Some(frame) = ink.next().await else {
                    bail!("viewer {i}: the ink layer closed");
                };
                let Message::Binary(bytes) = frame? else {
                    continue;
                };
                match YMessage::decode_v1(&bytes)? {
                    // Answer the server's step 1 with our (empty) state, as a stock client does.
                    YMessage::Sync(SyncMessage::SyncStep1(_)) => {
                        send(&mut ink, SyncMessage::SyncStep2(EMPTY_UPDATE.to_vec())).await?;
                    }
                    YMessage::Sync(SyncMessage::SyncStep2(_)) => {
                        let _ = synced_tx.send(());
                    }
                    // The first update makes the stroke; the timed batches follow it.
                    YMessage::Sync(SyncMessage::Update(_)) if !stroke_made => stroke_made = true,
                    YMessage::Sync(SyncMessage::Update(_)) => {
                        let at = sent.lock().expect("not poisoned").get(seen).copied();
                        if let Some(at) = at {
                            let _ = lat_tx.send(at.elapsed());
                        }
                        seen += 1;
                    }
                    _ => {}
                }
            }
            room.abort();
            anyhow::Ok(())
        }));
    }
    drop((synced_tx, lat_tx));
    for n in 0..args.viewers {
        tokio::time::timeout(Duration::from_secs(60), synced_rx.recv())
            .await
            .with_context(|| format!("only {n} of {} viewers synced", args.viewers))?
            .context("a viewer failed before syncing")?;
    }

    // The presenter draws one long freehand stroke, batch by batch.
    let (mut pen, _) =
        tokio_tungstenite::connect_async(format!("{ink_url}{}", organizer.token())).await?;
    let doc = Doc::new();
    let points: ArrayRef = {
        let mut txn = doc.transact_mut();
        let ink = txn.get_or_insert_array(INK);
        let stroke = ink.push_back(
            &mut txn,
            MapPrelim::from([
                ("id".to_owned(), Any::from("bench")),
                ("tool".to_owned(), Any::from("pen")),
                ("color".to_owned(), Any::from("#d03030")),
                ("width".to_owned(), Any::from(0.004)),
                ("author".to_owned(), Any::from("organizer")),
            ]),
        );
        stroke.insert(&mut txn, "points", ArrayPrelim::default())
    };
    let first = doc
        .transact()
        .encode_state_as_update_v1(&StateVector::default());
    send(&mut pen, SyncMessage::Update(first)).await?;
    // Let the stroke's creation reach everyone before timing the batches.
    tokio::time::sleep(Duration::from_millis(500)).await;
    let rss_before = procstat::rss_mib(server.pid)?;
    let cpu_before = procstat::cpu_seconds(server.pid)?;
    let started = Instant::now();
    let mut x = 0.0f64;
    for _ in 0..args.batches {
        let update = {
            let mut txn = doc.transact_mut();
            for _ in 0..args.points {
                x = (x + 0.001) % 1.0;
                let len = points.len(&txn);
                points.insert_range(&mut txn, len, [x, 0.5 + 0.2 * (x * 40.0).sin()]);
            }
            txn.encode_update_v1()
        };
        sent.lock().expect("not poisoned").push(Instant::now());
        send(&mut pen, SyncMessage::Update(update)).await?;
        tokio::time::sleep(Duration::from_millis(args.interval_ms)).await;
    }
    let drawing = started.elapsed();
    let expected = args.batches * args.viewers;
    let mut latencies = Vec::with_capacity(expected);
    while latencies.len() < expected {
        match tokio::time::timeout(Duration::from_secs(30), lat_rx.recv()).await {
            Ok(Some(l)) => latencies.push(l),
            _ => bail!(
                "received {} of {} ink deliveries",
                latencies.len(),
                expected
            ),
        }
    }
    for t in tasks {
        t.await??;
    }
    let cpu = procstat::cpu_seconds(server.pid)? - cpu_before;
    let rss = procstat::rss_mib(server.pid)?;
    server.stop().await;

    println!(
        "viewers:                   {} (plus the presenter drawing)",
        args.viewers
    );
    println!(
        "batches:                   {} of {} points, one every {} ms ({:.1} s of drawing)",
        args.batches,
        args.points,
        args.interval_ms,
        drawing.as_secs_f64()
    );
    println!("deliveries:                {}", latencies.len());
    println!(
        "ink fan-out p50 / p99 / max: {} / {} / {}",
        stats::ms(stats::percentile(&mut latencies, 50.0)),
        stats::ms(stats::percentile(&mut latencies, 99.0)),
        stats::ms(stats::percentile(&mut latencies, 100.0))
    );
    println!(
        "server CPU while drawing:  {:.2} s ({:.0}% of one core)",
        cpu,
        100.0 * cpu / drawing.as_secs_f64()
    );
    println!("server RSS before / after: {rss_before:.1} / {rss:.1} MiB");
    Ok(())
}

/// Reads the room channel and pings it, so the participant stays in the meeting.
async fn keep_alive(mut ws: ServerSocket) {
    let mut ping = tokio::time::interval(Duration::from_secs(20));
    loop {
        tokio::select! {
            frame = ws.next() => if !matches!(frame, Some(Ok(_))) { return },
            _ = ping.tick() => {
                let Ok(text) = serde_json::to_string(&ClientMsg::Ping) else { return };
                if ws.send(Message::text(text)).await.is_err() {
                    return;
                }
            }
        }
    }
}

async fn send(ws: &mut ServerSocket, msg: SyncMessage) -> anyhow::Result<()> {
    ws.send(Message::binary(YMessage::Sync(msg).encode_v1()))
        .await?;
    Ok(())
}
