//! A real S3-compatible server for tests and benchmarks (feature `moto`): moto's server
//! mode from PyPI, started on a loopback port, so regions on S3 are exercised through
//! `object_store`'s real S3 client. `scripts/test` installs it into `.venv-s3` and sets
//! `CONFAB_MOTO_SERVER`; without it, starting fails with a message saying how to
//! install it (a test that needs S3 must fail, never pass without having run).

use std::{
    path::PathBuf,
    process::{Child, Command, Stdio},
    time::{Duration, Instant},
};

use tokio::io::{AsyncReadExt, AsyncWriteExt};

use crate::regions::{RegionSpec, S3Spec, Secret};

/// A running moto server; stopped when dropped.
pub struct Moto {
    child: Child,
    pub endpoint: String,
    addr: std::net::SocketAddr,
}

const INSTALL: &str = "moto (the S3 server the region tests run against) is not installed. \
    Run scripts/test once, or: python3 -m venv .venv-s3 && \
    .venv-s3/bin/pip install -r scripts/s3-requirements.txt \
    (or set CONFAB_MOTO_SERVER to a moto_server executable)";

/// Where `moto_server` is: `CONFAB_MOTO_SERVER`, else the repository's `.venv-s3`.
pub fn binary() -> Result<PathBuf, String> {
    let path = match std::env::var_os("CONFAB_MOTO_SERVER") {
        Some(p) => PathBuf::from(p),
        None => PathBuf::from(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../.venv-s3/bin/moto_server"
        )),
    };
    if path.is_file() {
        Ok(path)
    } else {
        Err(format!("{INSTALL} [looked for {}]", path.display()))
    }
}

/// One HTTP/1.1 request with an empty body; returns the status code.
async fn request(addr: std::net::SocketAddr, method: &str, path: &str) -> std::io::Result<u16> {
    let mut s = tokio::net::TcpStream::connect(addr).await?;
    let req = format!(
        "{method} {path} HTTP/1.1\r\nHost: {addr}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
    );
    s.write_all(req.as_bytes()).await?;
    let mut head = [0u8; 12];
    s.read_exact(&mut head).await?;
    std::str::from_utf8(&head[9..12])
        .ok()
        .and_then(|c| c.parse().ok())
        .ok_or_else(|| std::io::Error::other("not an HTTP response"))
}

impl Moto {
    /// Starts moto on a free loopback port and waits (up to 30 s) until it answers.
    pub async fn start() -> Result<Self, String> {
        let bin = binary()?;
        // A port that was free a moment ago; moto binds it itself.
        let addr = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .map_err(|e| e.to_string())?;
        let child = Command::new(&bin)
            .args(["-H", "127.0.0.1", "-p", &addr.port().to_string()])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .map_err(|e| format!("starting {}: {e}", bin.display()))?;
        let mut moto = Self {
            child,
            endpoint: format!("http://{addr}"),
            addr,
        };
        let deadline = Instant::now() + Duration::from_secs(30);
        while request(addr, "GET", "/").await.is_err() {
            if let Ok(Some(status)) = moto.child.try_wait() {
                return Err(format!("moto_server exited at start: {status}"));
            }
            if Instant::now() > deadline {
                return Err("moto_server did not answer within 30 s".into());
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        Ok(moto)
    }

    /// Creates a bucket (moto accepts any credentials).
    pub async fn create_bucket(&self, bucket: &str) -> Result<(), String> {
        match request(self.addr, "PUT", &format!("/{bucket}")).await {
            Ok(200) => Ok(()),
            Ok(status) => Err(format!("creating bucket {bucket}: HTTP {status}")),
            Err(e) => Err(format!("creating bucket {bucket}: {e}")),
        }
    }

    /// A region on `bucket` of this server.
    pub fn region(&self, bucket: &str, prefix: Option<&str>) -> RegionSpec {
        RegionSpec::S3(S3Spec {
            endpoint: self.endpoint.clone(),
            bucket: bucket.to_owned(),
            prefix: prefix.map(str::to_owned),
            signing_region: "us-east-1".into(),
            access_key_id: "confab-test".into(),
            secret_access_key: Secret::new("confab-test-secret"),
        })
    }

    /// Stops the server (everything in it is gone: moto keeps it in memory).
    pub fn stop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for Moto {
    fn drop(&mut self) {
        self.stop();
    }
}
