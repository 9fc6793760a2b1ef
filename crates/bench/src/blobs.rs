//! `blobs`: the region stores through the server's own blob layer (`confab_store::Blobs`).
//! Page-image-sized blobs are written and read one after another (as a conversion
//! stores its pages) in a local-directory region and in an S3 region on a real S3
//! server (moto, on loopback); then one tenant gets `--census` small blobs and the
//! residency report (its census plus the scan of the other region) is timed, with the
//! tenant in either region.

use std::time::{Duration, Instant};

use anyhow::{anyhow, Context};
use bytes::Bytes;
use confab_proto::{DocumentId, MeetingId, Policy, TenantId};
use confab_store::{
    moto::Moto,
    regions::{open_all, RegionSpec, S3Tuning},
    residency, BlobKey, Blobs, Store,
};
use futures_util::{stream, StreamExt, TryStreamExt};

use crate::stats::{ms, percentile};

#[derive(clap::Args)]
pub struct Args {
    /// Page images written and read per region.
    #[arg(long, default_value_t = 300)]
    pages: u32,
    /// Size of one page image, in bytes.
    #[arg(long, default_value_t = 100_000)]
    page_bytes: usize,
    /// Blobs of the tenant whose residency report is timed.
    #[arg(long, default_value_t = 10_000)]
    census: u32,
}

const BUCKET: &str = "confab-bench";

/// Sequential writes, then reads, of `pages` page images; prints the figures.
async fn throughput(blobs: &Blobs, region: &str, a: &Args) -> anyhow::Result<()> {
    let (t, m, d) = (TenantId::new(), MeetingId::new(), DocumentId::new());
    // Incompressible content, like JPEG.
    let body: Bytes = (0..a.page_bytes)
        .map(|i| (i as u32).wrapping_mul(2_654_435_761).to_le_bytes()[3])
        .collect::<Vec<u8>>()
        .into();
    let (mut writes, mut reads) = (Vec::new(), Vec::new());
    let start = Instant::now();
    for i in 0..a.pages {
        let t0 = Instant::now();
        blobs
            .put(region, &BlobKey::page(t, m, d, i, "large"), body.clone())
            .await?;
        writes.push(t0.elapsed());
    }
    let write = start.elapsed();
    let start = Instant::now();
    for i in 0..a.pages {
        let t0 = Instant::now();
        let got = blobs
            .get(region, &BlobKey::page(t, m, d, i, "large"))
            .await?;
        anyhow::ensure!(got.as_deref() == Some(&body[..]), "read back differs");
        reads.push(t0.elapsed());
    }
    let read = start.elapsed();
    for (what, total, samples) in [("write", write, &mut writes), ("read", read, &mut reads)] {
        let mb = a.pages as f64 * a.page_bytes as f64 / 1e6;
        println!(
            "{region:<6} {what:<5} {:>7.1} MB/s {:>7.0} blobs/s  p50 {} p99 {}",
            mb / total.as_secs_f64(),
            a.pages as f64 / total.as_secs_f64(),
            ms(percentile(samples, 50.0)),
            ms(percentile(samples, 99.0)),
        );
    }
    Ok(())
}

/// Gives a new tenant in `region` `n` small blobs; returns how long its report takes.
async fn census(store: &Store, blobs: &Blobs, region: &str, n: u32) -> anyhow::Result<Duration> {
    let tenant = store
        .create_tenant("Census", region, &Policy::default())
        .await?;
    let (m, d) = (MeetingId::new(), DocumentId::new());
    stream::iter(0..n)
        .map(|i| {
            let key = BlobKey::page(tenant.id(), m, d, i, "thumb");
            async move { blobs.put(region, &key, Bytes::from_static(b"jpeg")).await }
        })
        .buffer_unordered(16)
        .try_collect::<()>()
        .await?;
    let start = Instant::now();
    let report = residency::report(store, blobs, &tenant, "bench".into()).await?;
    let took = start.elapsed();
    let items: u64 = report.files.iter().map(|f| f.items).sum();
    anyhow::ensure!(
        items == u64::from(n) && report.resident,
        "census counted {items}"
    );
    Ok(took)
}

pub async fn run(a: Args) -> anyhow::Result<()> {
    let moto = Moto::start().await.map_err(|e| anyhow!(e))?;
    moto.create_bucket(BUCKET).await.map_err(|e| anyhow!(e))?;
    let dir = tempfile::tempdir()?;
    let specs = [
        ("local".to_owned(), RegionSpec::Local { directory: None }),
        ("s3".to_owned(), moto.region(BUCKET, None)),
    ];
    let tuning = S3Tuning {
        connect_timeout_ms: 500,
        request_timeout_ms: 30_000,
        max_retries: 2,
        retry_timeout_ms: 2000,
    };
    let blobs = Blobs::new(open_all(&specs.into_iter().collect(), dir.path(), &tuning)?);
    let store = Store::open_sqlite(&dir.path().join("bench.db"))
        .await
        .context("opening the database")?;
    println!(
        "{} page images of {} bytes, one at a time (moto {} on loopback)",
        a.pages, a.page_bytes, moto.endpoint
    );
    for region in ["local", "s3"] {
        throughput(&blobs, region, &a).await?;
    }
    for region in ["local", "s3"] {
        let took = census(&store, &blobs, region, a.census).await?;
        println!(
            "residency report, tenant in {region} with {} blobs (other region scanned): {}",
            a.census,
            ms(took)
        );
    }
    store.close().await;
    Ok(())
}
