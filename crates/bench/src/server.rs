//! A real `confab serve` process on a fresh data directory, its first administrator
//! signed in, and instant meetings on it: what every benchmark starts from.

use std::{path::PathBuf, process::Stdio, time::Duration};

use anyhow::{bail, Context};
use confab_proto::{
    rest::{JoinResponse, MeetingView},
    room::{ClientMsg, ServerMsg},
    MeetingId,
};
use serde_json::json;
use tokio::io::{AsyncBufReadExt, BufReader};

pub struct ConfabProcess {
    child: tokio::process::Child,
    pub pid: u32,
    /// `http://127.0.0.1:PORT`
    pub base: String,
    pub ws_url: String,
    /// Signed in as the provider administrator (cookie session).
    pub admin: reqwest::Client,
    data: PathBuf,
}

/// Configuration for a crowd from one machine: every simulated person comes from
/// 127.0.0.1, which the per-address guest-join budget would otherwise stop at 20.
const CROWD_CONFIG: &str = "[guesses]\njoins_per_address = 1000000\n";

impl ConfabProcess {
    /// A server with its defaults (as hostile clients meet it).
    pub async fn start(binary: &std::path::Path, port: u16) -> anyhow::Result<Self> {
        Self::start_with(binary, port, None).await
    }

    /// A server that lets a whole crowd join from this one machine.
    pub async fn start_for_crowd(binary: &std::path::Path, port: u16) -> anyhow::Result<Self> {
        Self::start_with(binary, port, Some(CROWD_CONFIG)).await
    }

    async fn start_with(
        binary: &std::path::Path,
        port: u16,
        config: Option<&str>,
    ) -> anyhow::Result<Self> {
        let data = std::env::temp_dir().join(format!("confab-bench-{}-{port}", std::process::id()));
        let _ = std::fs::remove_dir_all(&data);
        let mut command = tokio::process::Command::new(binary);
        command
            .args(["serve", "--listen", &format!("127.0.0.1:{port}"), "--data"])
            .arg(&data);
        if let Some(config) = config {
            std::fs::create_dir_all(&data)?;
            let file = data.join("bench.toml");
            std::fs::write(&file, config)?;
            command.arg("--config").arg(file);
        }
        let mut child = command
            .env("RUST_LOG", "warn")
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .kill_on_drop(true)
            .spawn()
            .with_context(|| format!("starting {}", binary.display()))?;
        let pid = child.id().context("server pid")?;
        let mut lines = BufReader::new(child.stdout.take().context("stdout")?).lines();
        let (mut email, mut password) = (None, None);
        while let Some(line) =
            tokio::time::timeout(Duration::from_secs(30), lines.next_line()).await??
        {
            if let Some(e) = line.trim().strip_prefix("e-mail:") {
                email = Some(e.trim().to_owned());
            }
            if let Some(p) = line.trim().strip_prefix("password:") {
                password = Some(p.trim().to_owned());
                break;
            }
        }
        let (Some(email), Some(password)) = (email, password) else {
            bail!("server did not print its first admin")
        };
        let base = format!("http://127.0.0.1:{port}");
        let admin = reqwest::Client::builder().cookie_store(true).build()?;
        let r = admin
            .post(format!("{base}/api/v1/auth/login"))
            .json(&json!({"email": email, "password": password}))
            .send()
            .await?;
        if !r.status().is_success() {
            bail!("login failed: {}", r.status());
        }
        Ok(Self {
            child,
            pid,
            ws_url: format!("ws://127.0.0.1:{port}/api/v1/room"),
            base,
            admin,
            data,
        })
    }

    /// An instant meeting and the key of its attendee link.
    pub async fn meeting_now(&self, title: &str) -> anyhow::Result<(MeetingId, String)> {
        let meeting: MeetingView = self
            .admin
            .post(format!("{}/api/v1/meetings/now", self.base))
            .json(&json!({"title": title}))
            .send()
            .await?
            .json()
            .await?;
        let key = meeting
            .attendee_link
            .context("link")?
            .rsplit('/')
            .next()
            .context("key")?
            .to_owned();
        Ok((meeting.id, key))
    }

    pub async fn stop(mut self) {
        let _ = self.child.kill().await;
    }
}

impl Drop for ConfabProcess {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.data);
    }
}

/// A WebSocket to the server under test (room channel or shared document).
pub type ServerSocket =
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

/// Joins through the link `key` (as guest `name`, or as whoever `http` is signed in as when
/// `None`) and enters the room: the join token and the room socket, once welcomed.
pub async fn enter_room(
    http: &reqwest::Client,
    base: &str,
    ws_url: &str,
    key: &str,
    name: Option<&str>,
) -> anyhow::Result<(String, ServerSocket)> {
    use futures_util::{SinkExt, StreamExt};
    use tokio_tungstenite::tungstenite::Message;

    let body = name.map_or_else(|| json!({}), |n| json!({"display_name": n}));
    let join: JoinResponse = http
        .post(format!("{base}/api/v1/links/{key}/join"))
        .json(&body)
        .send()
        .await?
        .json()
        .await?;
    let (mut ws, _) = tokio_tungstenite::connect_async(ws_url).await?;
    let hello = ClientMsg::Hello {
        token: join.token.clone(),
        resume: None,
    };
    ws.send(Message::text(serde_json::to_string(&hello)?))
        .await?;
    loop {
        match tokio::time::timeout(Duration::from_secs(60), ws.next()).await? {
            Some(Ok(Message::Text(t))) => {
                if let ServerMsg::Welcome { .. } = serde_json::from_str(&t)? {
                    return Ok((join.token, ws));
                }
            }
            Some(Ok(_)) => {}
            other => bail!("{name:?} lost the room connection before the welcome: {other:?}"),
        }
    }
}
