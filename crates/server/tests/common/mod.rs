//! Test harness: a real server on an ephemeral port with a real SQLite file, an HTTP
//! client with a cookie jar, and a room-channel client. Waits poll for a condition
//! with a generous deadline; nothing sleeps for a fixed time.

#![allow(dead_code)] // each test binary uses a different part of the harness

use std::{path::PathBuf, time::Duration};

use confab_proto::{
    content::{DocumentInfo, DocumentKind},
    rest::{JoinResponse, MeetingInput, MeetingView},
    room::{ClientMsg, Resume, RoomEvent, ServerMsg},
};
use confab_server::{config::Config, Server};
use futures_util::{SinkExt, StreamExt};
use serde_json::{json, Value};
use tokio_tungstenite::{tungstenite::Message, MaybeTlsStream, WebSocketStream};

pub const WAIT: Duration = Duration::from_secs(10);
/// Conversion runs poppler (and LibreOffice) in a sandbox: seconds on a quiet machine, far
/// more on a loaded CI runner. A generous bound; a fast run returns as soon as it is done.
pub const CONVERT_WAIT: Duration = Duration::from_secs(180);

pub struct TestServer {
    pub server: Option<Server>,
    pub data: PathBuf,
    pub base: String,
    pub admin: (String, String),
}

pub fn temp_dir() -> PathBuf {
    let d = std::env::temp_dir().join(format!("confab-it-{}", uuid::Uuid::new_v4()));
    std::fs::create_dir_all(&d).unwrap();
    d
}

pub fn config(data: &std::path::Path) -> Config {
    Config {
        listen: "127.0.0.1:0".parse().unwrap(),
        data: data.to_owned(),
        ..Default::default()
    }
}

impl TestServer {
    pub async fn start() -> Self {
        Self::start_with(|_| {}).await
    }

    pub async fn start_with(tweak: impl FnOnce(&mut Config)) -> Self {
        let data = temp_dir();
        let mut c = config(&data);
        tweak(&mut c);
        let server = confab_server::start(c).await.unwrap();
        let admin = server
            .first_admin
            .clone()
            .expect("fresh data dir creates an admin");
        let base = server.url.clone();
        Self {
            server: Some(server),
            data,
            base,
            admin,
        }
    }

    /// Stops and starts again on the same data directory (and a new port).
    pub async fn restart(&mut self) {
        self.server.take().unwrap().stop().await.unwrap();
        let server = confab_server::start(config(&self.data)).await.unwrap();
        assert!(
            server.first_admin.is_none(),
            "a restart must not re-run first-start setup"
        );
        self.base = server.url.clone();
        self.server = Some(server);
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    pub fn ws_url(&self) -> String {
        format!("{}/api/v1/room", self.base.replacen("http://", "ws://", 1))
    }

    pub async fn admin_client(&self) -> Client {
        let c = Client::new(self);
        c.login(&self.admin.0, &self.admin.1).await;
        c
    }

    /// Creates a user with `role` through the API (as the admin) and signs them in.
    pub async fn user(&self, email: &str, role: &str) -> Client {
        let admin = self.admin_client().await;
        let r = admin
            .post("/api/v1/users", json!({"email": email, "name": email.split('@').next().unwrap(), "role": role, "password": "correct horse battery"}))
            .await;
        assert_eq!(r.status(), 201, "{}", r.text().await.unwrap());
        let c = Client::new(self);
        c.login(email, "correct horse battery").await;
        c
    }

    /// Creates an organisation (as the provider admin) with a tenant admin `email`, signed
    /// in; returns the organisation's id and that admin's client.
    pub async fn tenant_admin(&self, tenant: &str, email: &str) -> (String, Client) {
        let provider = self.admin_client().await;
        let r = provider
            .post(
                "/api/v1/tenants",
                json!({"name": tenant, "region": "eu-central"}),
            )
            .await;
        assert_eq!(r.status(), 201, "{}", r.text().await.unwrap());
        let id = r.json::<Value>().await.unwrap()["id"]
            .as_str()
            .unwrap()
            .to_owned();
        let r = provider
            .post(
                &format!("/api/v1/users?tenant={id}"),
                json!({"email": email, "name": "Admin", "role": "tenant_admin",
                       "password": "correct horse battery"}),
            )
            .await;
        assert_eq!(r.status(), 201, "{}", r.text().await.unwrap());
        let c = Client::new(self);
        c.login(email, "correct horse battery").await;
        (id, c)
    }
}

/// An HTTP client with its own cookie jar (one browser).
pub struct Client {
    pub http: reqwest::Client,
    base: String,
}

impl Client {
    pub fn new(server: &TestServer) -> Self {
        Self {
            http: reqwest::Client::builder()
                .cookie_store(true)
                .build()
                .unwrap(),
            base: server.base.clone(),
        }
    }

    /// A client with its own HTTP settings (e.g. another source address).
    pub fn with_http(server: &TestServer, http: reqwest::Client) -> Self {
        Self {
            http,
            base: server.base.clone(),
        }
    }

    pub async fn login(&self, email: &str, password: &str) {
        let r = self
            .post(
                "/api/v1/auth/login",
                json!({"email": email, "password": password}),
            )
            .await;
        assert_eq!(r.status(), 200, "login: {}", r.text().await.unwrap());
    }

    pub async fn get(&self, path: &str) -> reqwest::Response {
        self.http
            .get(format!("{}{path}", self.base))
            .send()
            .await
            .unwrap()
    }

    pub async fn post(&self, path: &str, body: Value) -> reqwest::Response {
        self.http
            .post(format!("{}{path}", self.base))
            .json(&body)
            .send()
            .await
            .unwrap()
    }

    pub async fn put(&self, path: &str, body: Value) -> reqwest::Response {
        self.http
            .put(format!("{}{path}", self.base))
            .json(&body)
            .send()
            .await
            .unwrap()
    }

    pub async fn schedule(&self, input: &MeetingInput) -> MeetingView {
        let r = self
            .http
            .post(format!("{}/api/v1/meetings", self.base))
            .json(input)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 201, "{}", r.text().await.unwrap());
        r.json().await.unwrap()
    }

    /// Joins through a full link URL; returns the join token.
    pub async fn join(
        &self,
        link: &str,
        name: Option<&str>,
        passcode: Option<&str>,
    ) -> reqwest::Response {
        let key = link.rsplit('/').next().unwrap();
        self.post(
            &format!("/api/v1/links/{key}/join"),
            json!({"display_name": name, "passcode": passcode}),
        )
        .await
    }

    pub async fn join_ok(
        &self,
        link: &str,
        name: Option<&str>,
        passcode: Option<&str>,
    ) -> JoinResponse {
        let r = self.join(link, name, passcode).await;
        assert_eq!(r.status(), 200, "{}", r.text().await.unwrap());
        r.json().await.unwrap()
    }
}

/// A meeting input tomorrow, an hour long, in Berlin.
pub fn meeting(title: &str) -> MeetingInput {
    let day = (chrono::Utc::now() + chrono::TimeDelta::days(1)).format("%Y-%m-%d");
    MeetingInput {
        title: title.into(),
        description: "Agenda".into(),
        start: format!("{day}T10:00"),
        end: format!("{day}T11:00"),
        time_zone: "Europe/Berlin".into(),
        passcode: None,
        lobby: false,
        allow_guests: true,
        wait_for_presenter: false,
        presenters: vec![],
    }
}

pub async fn problem_type(r: reqwest::Response) -> (u16, String) {
    let status = r.status().as_u16();
    assert_eq!(
        r.headers().get("content-type").unwrap(),
        "application/problem+json",
        "errors are problem+json"
    );
    let v: Value = r.json().await.unwrap();
    (
        status,
        v["type"]
            .as_str()
            .unwrap()
            .trim_start_matches("urn:confab:problem:")
            .to_owned(),
    )
}

type Ws = WebSocketStream<MaybeTlsStream<tokio::net::TcpStream>>;

/// A room-channel client that keeps every message it received.
pub struct Room {
    pub ws: Ws,
    pub seen: Vec<ServerMsg>,
    pub last_seq: u64,
    pub epoch: String,
    pub token: String,
    pub closed: Option<u16>,
}

impl Room {
    pub async fn open(server: &TestServer, token: &str, resume: Option<Resume>) -> Room {
        let (ws, _) = tokio_tungstenite::connect_async(server.ws_url())
            .await
            .unwrap();
        let mut room = Room {
            ws,
            seen: vec![],
            last_seq: 0,
            epoch: String::new(),
            token: token.into(),
            closed: None,
        };
        room.send(&ClientMsg::Hello {
            token: token.into(),
            resume,
        })
        .await;
        room
    }

    /// Opens and waits for the welcome.
    pub async fn enter(server: &TestServer, token: &str) -> Room {
        let mut r = Room::open(server, token, None).await;
        r.until(|m| matches!(m, ServerMsg::Welcome { .. })).await;
        r
    }

    pub async fn send(&mut self, msg: &ClientMsg) {
        self.send_raw(&serde_json::to_string(msg).unwrap()).await;
    }

    pub async fn send_raw(&mut self, text: &str) {
        self.ws.send(Message::text(text)).await.unwrap();
    }

    fn record(&mut self, m: &ServerMsg) {
        match m {
            ServerMsg::Welcome { seq, epoch, .. } => {
                self.last_seq = *seq;
                self.epoch = epoch.clone();
            }
            ServerMsg::Event { seq, .. } => {
                assert!(
                    *seq > self.last_seq,
                    "event {seq} after {}: duplicate or out of order",
                    self.last_seq
                );
                self.last_seq = *seq;
            }
            _ => {}
        }
    }

    /// Reads until a message matches; returns it. Panics after [`WAIT`].
    pub async fn until(&mut self, pred: impl Fn(&ServerMsg) -> bool) -> ServerMsg {
        self.until_within(WAIT, pred).await
    }

    /// Reads until a message matches; returns it. Panics after `wait`.
    pub async fn until_within(
        &mut self,
        wait: Duration,
        pred: impl Fn(&ServerMsg) -> bool,
    ) -> ServerMsg {
        let deadline = tokio::time::Instant::now() + wait;
        loop {
            let next = tokio::time::timeout_at(deadline, self.ws.next())
                .await
                .unwrap_or_else(|_| panic!("timed out; seen: {:#?}", self.seen));
            match next {
                Some(Ok(Message::Text(t))) => {
                    let m: ServerMsg = serde_json::from_str(&t).unwrap();
                    self.record(&m);
                    self.seen.push(m.clone());
                    if pred(&m) {
                        return m;
                    }
                }
                Some(Ok(Message::Close(frame))) => {
                    self.closed = Some(frame.map_or(1005, |f| u16::from(f.code)));
                    panic!(
                        "closed ({:?}) while waiting; seen: {:#?}",
                        self.closed, self.seen
                    );
                }
                Some(Ok(_)) => {}
                other => panic!("connection ended: {other:?}; seen: {:#?}", self.seen),
            }
        }
    }

    /// Reads until the server closes; returns the close code.
    pub async fn closed_with(&mut self) -> u16 {
        let deadline = tokio::time::Instant::now() + WAIT;
        loop {
            match tokio::time::timeout_at(deadline, self.ws.next())
                .await
                .expect("timed out waiting for close")
            {
                Some(Ok(Message::Text(t))) => {
                    let m: ServerMsg = serde_json::from_str(&t).unwrap();
                    self.seen.push(m);
                }
                Some(Ok(Message::Close(frame))) => {
                    return frame.map_or(1005, |f| u16::from(f.code))
                }
                Some(Ok(_)) => {}
                _ => return 1006,
            }
        }
    }

    pub fn resume_point(&self) -> Resume {
        Resume {
            epoch: self.epoch.clone(),
            since: self.last_seq,
        }
    }
}

/// Has the presenter in `room` make a whiteboard or text document.
pub async fn new_document(room: &mut Room, kind: DocumentKind) -> DocumentInfo {
    room.send(&ClientMsg::NewDocument {
        kind,
        name: "Sketches".into(),
    })
    .await;
    let msg = room
        .until(|m| {
            matches!(m, ServerMsg::Event { event: RoomEvent::Document { document }, .. }
                if document.kind == kind)
        })
        .await;
    let ServerMsg::Event {
        event: RoomEvent::Document { document },
        ..
    } = msg
    else {
        unreachable!("matched above")
    };
    document
}

pub fn is_chat(text: &'static str) -> impl Fn(&ServerMsg) -> bool {
    move |m| matches!(m, ServerMsg::Event { event: confab_proto::room::RoomEvent::Chat { message }, .. } if message.text == text)
}

/// A small valid PDF with `pages` pages, each saying "Page N" (xref offsets computed).
pub fn tiny_pdf(pages: usize) -> Vec<u8> {
    let mut objects: Vec<String> = vec![
        "<< /Type /Catalog /Pages 2 0 R >>".into(),
        String::new(), // the page tree, filled in below
        "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>".into(),
    ];
    let mut kids = Vec::new();
    for n in 1..=pages {
        let content = format!("BT /F1 48 Tf 72 400 Td (Page {n}) Tj ET");
        objects.push(format!(
            "<< /Length {} >>\nstream\n{content}\nendstream",
            content.len()
        ));
        let content_id = objects.len();
        objects.push(format!(
            "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 842 595] /Resources << /Font << /F1 3 0 R >> >> /Contents {content_id} 0 R >>"
        ));
        kids.push(format!("{} 0 R", objects.len()));
    }
    objects[1] = format!(
        "<< /Type /Pages /Kids [{}] /Count {pages} >>",
        kids.join(" ")
    );
    let mut pdf = String::from("%PDF-1.4\n");
    let mut offsets = Vec::new();
    for (i, o) in objects.iter().enumerate() {
        offsets.push(pdf.len());
        pdf.push_str(&format!("{} 0 obj\n{o}\nendobj\n", i + 1));
    }
    let xref = pdf.len();
    pdf.push_str(&format!(
        "xref\n0 {}\n0000000000 65535 f \n",
        objects.len() + 1
    ));
    for off in offsets {
        pdf.push_str(&format!("{off:010} 00000 n \n"));
    }
    pdf.push_str(&format!(
        "trailer\n<< /Size {} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n",
        objects.len() + 1
    ));
    pdf.into_bytes()
}
