//! The participant swarm: one meeting, N WebSocket participants, chat fan-out.

use std::{
    path::PathBuf,
    sync::Arc,
    time::{Duration, Instant},
};

use anyhow::bail;
use confab_proto::{
    content::{DocumentInfo, DocumentStatus},
    room::{ChatTo, ClientMsg, RoomEvent, ServerMsg},
    DocumentId, MeetingId,
};
use futures_util::{SinkExt, StreamExt};
use tokio::sync::mpsc;
use tokio_tungstenite::tungstenite::Message;

use crate::{
    procstat,
    server::{enter_room, ConfabProcess, ServerSocket},
    stats,
};

#[derive(clap::Args)]
pub struct Args {
    /// The confab server binary to run (build it with --release for meaningful figures).
    #[arg(long, default_value = "target/release/confab")]
    server: PathBuf,
    /// People in the meeting: the organizer plus this many minus one guests.
    #[arg(long, default_value_t = 250)]
    participants: usize,
    /// Chat messages to send, each from a different participant, paced by --interval-ms.
    #[arg(long, default_value_t = 200)]
    messages: usize,
    /// Milliseconds between two chat messages.
    #[arg(long, default_value_t = 20)]
    interval_ms: u64,
    /// Page changes the organizer makes after the chat phase.
    #[arg(long, default_value_t = 100)]
    pages: usize,
    /// Milliseconds between two page changes (the server allows 20 frames/s per connection).
    #[arg(long, default_value_t = 100)]
    page_interval_ms: u64,
    /// Port for the server under test.
    #[arg(long, default_value_t = 18181)]
    port: u16,
}

/// A chat message's text carries its send time (µs since the bench started).
fn stamp(epoch: Instant) -> String {
    format!("t={}", epoch.elapsed().as_micros())
}

fn unstamp(text: &str) -> Option<Duration> {
    text.strip_prefix("t=")?
        .parse()
        .ok()
        .map(Duration::from_micros)
}

pub async fn run(args: Args) -> anyhow::Result<()> {
    let server = ConfabProcess::start_for_crowd(&args.server, args.port).await?;
    let (pid, base, ws_url) = (server.pid, server.base.clone(), server.ws_url.clone());
    let http = server.admin.clone();
    let (meeting_id, key) = server.meeting_now("Swarm").await?;
    let guest_http = reqwest::Client::new();

    // The organizer joins first, with two one-page documents to flip between.
    let mut organizer = Organizer::join(&http, &base, &ws_url, &key, meeting_id).await?;
    let docs = [
        organizer
            .upload(&base, "a.png", png([200, 40, 40])?)
            .await?,
        organizer
            .upload(&base, "b.png", png([40, 40, 200])?)
            .await?,
    ];
    organizer.wait_ready(&docs).await?;

    let cpu_before = procstat::cpu_seconds(pid)?;
    let rss_idle = procstat::rss_mib(pid)?;
    let epoch = Instant::now();

    // Join everyone at once: REST join, WebSocket, hello, until the welcome.
    let (lat_tx, mut lat_rx) = mpsc::unbounded_channel::<Duration>();
    let (stage_tx, mut stage_rx) = mpsc::unbounded_channel::<Duration>();
    // When the organizer sent each page change; the k-th StageChanged answers the k-th.
    let stage_sent: Arc<std::sync::Mutex<Vec<Instant>>> = Arc::default();
    let (ready_tx, mut ready_rx) = mpsc::unbounded_channel::<(usize, Duration)>();
    let (go_tx, _) = tokio::sync::broadcast::channel::<usize>(args.messages + 1);
    let go = Arc::new(go_tx);
    let mut tasks = Vec::new();
    let join_start = Instant::now();
    let guests = args.participants.saturating_sub(1).max(1);
    for i in 0..guests {
        let (guest_http, base, key, ws_url) = (
            guest_http.clone(),
            base.clone(),
            key.clone(),
            ws_url.clone(),
        );
        let (lat_tx, ready_tx, go) = (lat_tx.clone(), ready_tx.clone(), go.clone());
        let (stage_tx, stage_sent) = (stage_tx.clone(), stage_sent.clone());
        let (expected, pages) = (args.messages, args.pages);
        tasks.push(tokio::spawn(async move {
            let mut go_rx = go.subscribe();
            let t0 = Instant::now();
            let name = format!("Bot {i}");
            let (_, mut ws) = enter_room(&guest_http, &base, &ws_url, &key, Some(&name)).await?;
            let _ = ready_tx.send((i, t0.elapsed()));
            let (mut received, mut stage_seen) = (0, 0);
            loop {
                tokio::select! {
                    sender = go_rx.recv() => {
                        if let Ok(sender) = sender {
                            if sender == i {
                                let text = stamp(epoch);
                                let msg = ClientMsg::SendChat { to: ChatTo::Everyone, text };
                                ws.send(Message::text(serde_json::to_string(&msg)?)).await?;
                            }
                        }
                    }
                    frame = ws.next() => match frame {
                        Some(Ok(Message::Text(t))) => {
                            if let ServerMsg::Event { event: RoomEvent::Chat { message }, .. } = serde_json::from_str(&t)? {
                                if let Some(sent) = unstamp(&message.text) {
                                    let _ = lat_tx.send(epoch.elapsed().saturating_sub(sent));
                                    received += 1;
                                }
                            } else if let ServerMsg::Event { event: RoomEvent::StageChanged { .. }, .. } = serde_json::from_str(&t)? {
                                let sent = stage_sent.lock().expect("not poisoned").get(stage_seen).copied();
                                if let Some(sent) = sent {
                                    let _ = stage_tx.send(sent.elapsed());
                                }
                                stage_seen += 1;
                            }
                            if received == expected && stage_seen == pages {
                                return Ok(());
                            }
                        }
                        Some(Ok(_)) => {}
                        other => bail!("participant {i} lost its connection: {other:?}"),
                    }
                }
            }
        }));
    }
    drop((lat_tx, ready_tx, stage_tx));
    let mut join_times = Vec::with_capacity(guests);
    while join_times.len() < guests {
        match tokio::time::timeout(Duration::from_secs(60), ready_rx.recv()).await {
            Ok(Some((_, t))) => join_times.push(t),
            _ => bail!(
                "only {} of {} participants joined",
                join_times.len(),
                guests
            ),
        }
    }
    let all_joined = join_start.elapsed();
    let cpu_joined = procstat::cpu_seconds(pid)?;
    let rss_joined = procstat::rss_mib(pid)?;

    for m in 0..args.messages {
        let _ = go.send(m % guests);
        tokio::time::sleep(Duration::from_millis(args.interval_ms)).await;
    }
    let mut latencies = Vec::with_capacity(args.messages * guests);
    let expected = args.messages * guests;
    while latencies.len() < expected {
        match tokio::time::timeout(Duration::from_secs(30), lat_rx.recv()).await {
            Ok(Some(l)) => latencies.push(l),
            _ => bail!(
                "received {} of {} chat deliveries",
                latencies.len(),
                expected
            ),
        }
    }
    let cpu_chat = procstat::cpu_seconds(pid)?;
    for k in 0..args.pages {
        stage_sent
            .lock()
            .expect("not poisoned")
            .push(Instant::now());
        organizer.show(docs[k % 2]).await?;
        tokio::time::sleep(Duration::from_millis(args.page_interval_ms)).await;
    }
    let mut stage_latencies = Vec::with_capacity(args.pages * guests);
    while stage_latencies.len() < args.pages * guests {
        match tokio::time::timeout(Duration::from_secs(30), stage_rx.recv()).await {
            Ok(Some(l)) => stage_latencies.push(l),
            _ => bail!(
                "received {} of {} page changes",
                stage_latencies.len(),
                args.pages * guests
            ),
        }
    }
    for t in tasks {
        t.await??;
    }
    let cpu_end = procstat::cpu_seconds(pid)?;
    let rss_end = procstat::rss_mib(pid)?;
    server.stop().await;

    println!(
        "participants:              {} (the organizer and {guests} guests)",
        guests + 1
    );
    println!("all joined after:          {}", stats::ms(all_joined));
    println!(
        "join p50 / p99:            {} / {}",
        stats::ms(stats::percentile(&mut join_times, 50.0)),
        stats::ms(stats::percentile(&mut join_times, 99.0))
    );
    println!(
        "chat messages:             {} (one every {} ms), {} deliveries",
        args.messages,
        args.interval_ms,
        latencies.len()
    );
    println!(
        "fan-out p50 / p99 / max:   {} / {} / {}",
        stats::ms(stats::percentile(&mut latencies, 50.0)),
        stats::ms(stats::percentile(&mut latencies, 99.0)),
        stats::ms(stats::percentile(&mut latencies, 100.0))
    );
    println!(
        "server CPU joining:        {:.2} s",
        cpu_joined - cpu_before
    );
    println!("server CPU chat phase:     {:.2} s", cpu_chat - cpu_joined);
    println!(
        "page changes:              {} (one every {} ms), {} deliveries",
        args.pages,
        args.page_interval_ms,
        stage_latencies.len()
    );
    println!(
        "page fan-out p50 / p99 / max: {} / {} / {}",
        stats::ms(stats::percentile(&mut stage_latencies, 50.0)),
        stats::ms(stats::percentile(&mut stage_latencies, 99.0)),
        stats::ms(stats::percentile(&mut stage_latencies, 100.0))
    );
    println!("server CPU page phase:     {:.2} s", cpu_end - cpu_chat);
    println!(
        "server RSS idle / joined / end: {:.1} / {:.1} / {:.1} MiB",
        rss_idle, rss_joined, rss_end
    );
    Ok(())
}

/// A one-colour PNG to upload as a one-page document.
fn png(rgb: [u8; 3]) -> anyhow::Result<Vec<u8>> {
    let img = image::RgbImage::from_pixel(320, 180, image::Rgb(rgb));
    let mut out = std::io::Cursor::new(Vec::new());
    img.write_to(&mut out, image::ImageFormat::Png)?;
    Ok(out.into_inner())
}

/// The meeting's organizer: uploads documents and turns pages.
pub(crate) struct Organizer {
    ws: ServerSocket,
    token: String,
    meeting: MeetingId,
}

impl Organizer {
    pub(crate) async fn join(
        http: &reqwest::Client,
        base: &str,
        ws_url: &str,
        key: &str,
        meeting: MeetingId,
    ) -> anyhow::Result<Self> {
        let (token, ws) = enter_room(http, base, ws_url, key, None).await?;
        Ok(Organizer { ws, token, meeting })
    }

    pub(crate) async fn until(
        &mut self,
        pred: impl Fn(&ServerMsg) -> bool,
    ) -> anyhow::Result<ServerMsg> {
        loop {
            match tokio::time::timeout(Duration::from_secs(60), self.ws.next()).await? {
                Some(Ok(Message::Text(t))) => {
                    let m: ServerMsg = serde_json::from_str(&t)?;
                    if pred(&m) {
                        return Ok(m);
                    }
                }
                Some(Ok(_)) => {}
                other => bail!("organizer lost its connection: {other:?}"),
            }
        }
    }

    async fn upload(&self, base: &str, name: &str, body: Vec<u8>) -> anyhow::Result<DocumentId> {
        let r = reqwest::Client::new()
            .post(format!(
                "{base}/api/v1/meetings/{}/documents?name={name}",
                self.meeting
            ))
            .bearer_auth(&self.token)
            .body(body)
            .send()
            .await?;
        if !r.status().is_success() {
            bail!("upload failed: {} {}", r.status(), r.text().await?);
        }
        Ok(r.json::<DocumentInfo>().await?.id)
    }

    async fn wait_ready(&mut self, docs: &[DocumentId]) -> anyhow::Result<()> {
        let mut ready = std::collections::HashSet::new();
        while ready.len() < docs.len() {
            if let ServerMsg::Event { event: RoomEvent::Document { document }, .. } = self
                .until(|m| matches!(m, ServerMsg::Event { event: RoomEvent::Document { document }, .. } if document.status == DocumentStatus::Ready))
                .await?
            {
                ready.insert(document.id);
            }
        }
        Ok(())
    }

    async fn show(&mut self, document: DocumentId) -> anyhow::Result<()> {
        self.send(&ClientMsg::ShowPage { document, page: 0 }).await
    }

    pub(crate) async fn send(&mut self, msg: &ClientMsg) -> anyhow::Result<()> {
        self.ws
            .send(Message::text(serde_json::to_string(msg)?))
            .await?;
        Ok(())
    }

    /// The organizer's join token (for the shared-document endpoint).
    pub(crate) fn token(&self) -> &str {
        &self.token
    }
}
