//! `abuse`: what hostile clients do to a server's memory and responsiveness.
//!
//! - `signins`: N concurrent sign-ins with unknown e-mail addresses, each from its own
//!   loopback address (127.0.0.2…; every address in 127/8 reaches the listener), so that
//!   per-address throttles do not hide the cost of hashing.
//! - `slow`: N connections that send a request line and then one header line every
//!   `--interval` seconds and never finish, spread over `--sources` addresses.
//!
//! Both sample the server's resident memory and time `GET /healthz` from another address
//! every 100 ms while the attack runs and for `--settle` seconds after, and report the peak
//! and settled memory and the slowest and failed health checks.

use std::{
    net::{IpAddr, SocketAddr},
    sync::Arc,
    time::{Duration, Instant},
};

use clap::{Parser, ValueEnum};
use serde_json::json;
use tokio::{io::AsyncWriteExt, net::TcpSocket, sync::Mutex};

use crate::{procstat, server::ConfabProcess};

#[derive(Clone, Copy, Debug, ValueEnum)]
pub enum Attack {
    Signins,
    Slow,
}

#[derive(Parser)]
pub struct Args {
    /// Which attack.
    #[arg(value_enum)]
    attack: Attack,
    /// The confab binary to start.
    #[arg(long, default_value = "target/release/confab")]
    server: std::path::PathBuf,
    #[arg(long, default_value_t = 18090)]
    port: u16,
    /// Concurrent sign-ins, or slow connections.
    #[arg(long, default_value_t = 128)]
    count: usize,
    /// Source addresses the slow connections come from (127.0.0.2 onwards).
    #[arg(long, default_value_t = 10)]
    sources: usize,
    /// Seconds between header lines of a slow connection.
    #[arg(long, default_value_t = 20)]
    interval: u64,
    /// Seconds the slow connections are held.
    #[arg(long, default_value_t = 60)]
    hold: u64,
    /// Seconds of sampling after the attack.
    #[arg(long, default_value_t = 10)]
    settle: u64,
}

/// The `n`th attacking address: 127.0.0.2, 127.0.0.3, … (200 per third octet).
fn loopback(n: usize) -> IpAddr {
    IpAddr::from([127, 0, (n / 200) as u8, (n % 200 + 2) as u8])
}

#[derive(Default)]
struct Samples {
    peak_rss: f64,
    slowest_health: Duration,
    health_failures: u32,
    checks: u32,
}

/// Samples memory and /healthz (from 127.0.0.1) until `stop` is set.
async fn sample(
    server: &ConfabProcess,
    samples: Arc<Mutex<Samples>>,
    stop: Arc<tokio::sync::Notify>,
) {
    // A new connection per check, as a newcomer's browser would open one.
    let http = reqwest::Client::builder()
        .timeout(Duration::from_secs(5))
        .pool_max_idle_per_host(0)
        .local_address(IpAddr::from([127, 0, 0, 1]))
        .build()
        .expect("client");
    let url = format!("{}/healthz", server.base);
    loop {
        let t = Instant::now();
        let ok = http
            .get(&url)
            .send()
            .await
            .is_ok_and(|r| r.status().is_success());
        let took = t.elapsed();
        let rss = procstat::rss_mib(server.pid).unwrap_or(0.0);
        {
            let mut s = samples.lock().await;
            s.checks += 1;
            s.peak_rss = s.peak_rss.max(rss);
            s.slowest_health = s.slowest_health.max(took);
            if !ok {
                s.health_failures += 1;
            }
        }
        tokio::select! {
            _ = tokio::time::sleep(Duration::from_millis(100)) => {}
            _ = stop.notified() => return,
        }
    }
}

pub async fn run(args: Args) -> anyhow::Result<()> {
    let server = ConfabProcess::start(&args.server, args.port).await?;
    let idle_rss = procstat::rss_mib(server.pid)?;
    let samples = Arc::new(Mutex::new(Samples::default()));
    let stop = Arc::new(tokio::sync::Notify::new());
    let sampler = {
        let (samples, stop) = (samples.clone(), stop.clone());
        let server = &server;
        async move { sample(server, samples, stop).await }
    };
    let attack = async {
        let outcome = match args.attack {
            Attack::Signins => signins(&server, args.count).await,
            Attack::Slow => slow(&server, &args).await,
        };
        tokio::time::sleep(Duration::from_secs(args.settle)).await;
        stop.notify_one();
        outcome
    };
    let (outcome, ()) = tokio::join!(attack, sampler);
    let outcome = outcome?;
    let settled_rss = procstat::rss_mib(server.pid)?;
    let s = samples.lock().await;
    println!(
        "{:?} count={} idle_rss_mib={idle_rss:.0} peak_rss_mib={:.0} settled_rss_mib={settled_rss:.0} \
         health_checks={} health_failures={} slowest_health_ms={:.0} {outcome}",
        args.attack,
        args.count,
        s.peak_rss,
        s.checks,
        s.health_failures,
        s.slowest_health.as_secs_f64() * 1000.0,
    );
    Ok(())
}

/// `count` concurrent sign-ins of unknown addresses, one per source address; returns the
/// statuses seen.
async fn signins(server: &ConfabProcess, count: usize) -> anyhow::Result<String> {
    let attempts = (0..count).map(|i| {
        let url = format!("{}/api/v1/auth/login", server.base);
        async move {
            let http = reqwest::Client::builder()
                .local_address(loopback(i))
                .build()
                .ok()?;
            let r = http
                .post(url)
                .json(&json!({"email": format!("nobody{i}@example.org"), "password": "guess"}))
                .send()
                .await
                .ok()?;
            Some(r.status().as_u16())
        }
    });
    let statuses = futures_util::future::join_all(attempts).await;
    let mut counts = std::collections::BTreeMap::new();
    for s in statuses {
        *counts
            .entry(s.map_or("error".to_owned(), |s| s.to_string()))
            .or_insert(0) += 1;
    }
    Ok(format!("statuses={counts:?}"))
}

/// Opens `count` slow connections and trickles header lines until `hold` passes; returns
/// how many the server closed before then.
async fn slow(server: &ConfabProcess, args: &Args) -> anyhow::Result<String> {
    let addr: SocketAddr = server.base.trim_start_matches("http://").parse()?;
    let deadline = Instant::now() + Duration::from_secs(args.hold);
    let conns = (0..args.count).map(|i| {
        let source = loopback(i % args.sources.max(1));
        let interval = Duration::from_secs(args.interval);
        async move {
            let socket = TcpSocket::new_v4().ok()?;
            socket.bind(SocketAddr::new(source, 0)).ok()?;
            let mut stream = socket.connect(addr).await.ok()?;
            if stream
                .write_all(b"GET / HTTP/1.1\r\nHost: confab\r\n")
                .await
                .is_err()
            {
                return Some(true);
            }
            while Instant::now() < deadline {
                tokio::time::sleep(
                    interval.min(deadline.saturating_duration_since(Instant::now())),
                )
                .await;
                if stream.write_all(b"X-Slow: 1\r\n").await.is_err() {
                    return Some(true);
                }
            }
            // Still open: did the server hang up meanwhile (a write may not notice)?
            let mut buf = [0u8; 1];
            Some(matches!(
                tokio::time::timeout(Duration::from_millis(50), stream.peek(&mut buf)).await,
                Ok(Ok(0)) | Ok(Err(_))
            ))
        }
    });
    let results = futures_util::future::join_all(conns).await;
    let connected = results.iter().filter(|r| r.is_some()).count();
    let cut = results.iter().filter(|r| **r == Some(true)).count();
    Ok(format!("connected={connected} cut_off_by_server={cut}"))
}
