//! The `confab` server, layered one way:
//!
//! - [`api`]: the HTTP/WebSocket edge (router, handlers, auth, error mapping, sockets);
//! - [`runtime`]: the live runtimes (meeting actors, shared documents, media I/O,
//!   conversions), which know nothing of HTTP;
//! - the domain crates below (`confab_core`, `confab_store`, `confab_collab`,
//!   `confab_media`, `confab_convert`);
//!
//! beside them [`config`] (every limit), [`secrets`], [`provision`] (creating tenants,
//! users and tokens for the API and the CLI), [`cli`], and the wiring here.
//!
//! [`start`] runs a whole server in-process (the binary and the integration tests
//! both use it); [`Server::stop`] shuts it down the way SIGTERM does: participants
//! are told, pending writes are flushed, then the process may exit.

pub mod api;
pub mod cli;
pub mod config;
pub mod provision;
pub mod runtime;
pub mod secrets;

use std::{net::SocketAddr, sync::Arc};

use anyhow::Context;
use confab_convert::{Converter, ConverterConfig};
use confab_proto::{rest::CreateUser, AccountRole};
use confab_store::{Blobs, Store};
use tokio_util::sync::CancellationToken;

use crate::{
    api::{guesses::Guard, listener, AppState},
    config::Config,
    runtime::{
        conversion::Conversions, media::Media, meeting::LiveMeetings, shared_docs::SharedDocs,
    },
};

/// A running server.
pub struct Server {
    pub addr: SocketAddr,
    pub url: String,
    /// Sign-in of the provider admin created on first start (shown once).
    pub first_admin: Option<(String, String)>,
    /// The media loop, for inspecting what it holds (nothing must outlive a participant).
    pub media: Media,
    /// Where media is received (UDP, and ICE-TCP when configured).
    pub media_addr: confab_media::sfu::Addresses,
    shutdown: CancellationToken,
    task: tokio::task::JoinHandle<anyhow::Result<()>>,
}

impl Server {
    /// Stops the server: says goodbye to every participant, flushes, closes the database.
    pub async fn stop(self) -> anyhow::Result<()> {
        self.shutdown.cancel();
        self.task.await.context("server task")?
    }

    /// Runs until the shutdown token is cancelled elsewhere (e.g. by a signal).
    pub async fn wait(self) -> anyhow::Result<()> {
        self.task.await.context("server task")?
    }

    pub fn shutdown_token(&self) -> CancellationToken {
        self.shutdown.clone()
    }
}

pub const FIRST_ADMIN_EMAIL: &str = "admin@confab.local";

/// Opens the database in the data directory (creating it), and on first start the
/// first organisation and its provider admin.
pub async fn open_store(config: &Config) -> anyhow::Result<(Store, Option<(String, String)>)> {
    std::fs::create_dir_all(&config.data)
        .with_context(|| format!("creating data directory {}", config.data.display()))?;
    let store = Store::open_sqlite(&config.data.join("confab.db")).await?;
    let mut first_admin = None;
    if store.tenant_count().await? == 0 {
        let tenant = provision::create_tenant(&store, "Default", &config.region, None).await?;
        let password = secrets::new_password();
        let req = CreateUser {
            email: FIRST_ADMIN_EMAIL.into(),
            name: "Administrator".into(),
            role: AccountRole::ProviderAdmin,
            password: password.clone(),
        };
        provision::create_user(&store, &tenant, req).await?;
        first_admin = Some((FIRST_ADMIN_EMAIL.to_owned(), password));
    }
    Ok((store, first_admin))
}

/// Binds with a deep accept queue: 250 people joining at once must not overflow it
/// (an overflow costs a client a one-second SYN retransmit).
fn listen(addr: SocketAddr) -> std::io::Result<tokio::net::TcpListener> {
    let socket = if addr.is_ipv4() {
        tokio::net::TcpSocket::new_v4()?
    } else {
        tokio::net::TcpSocket::new_v6()?
    };
    socket.set_reuseaddr(true)?;
    socket.bind(addr)?;
    socket.listen(4096)
}

/// Starts a server on `config.listen` (port 0 picks a free port).
pub async fn start(config: Config) -> anyhow::Result<Server> {
    config.validate()?;
    let (store, first_admin) = open_store(&config).await?;
    // HTTP connections must never take the descriptors the rest of the server needs.
    let files = listener::raise_fd_limit();
    let room = files.saturating_sub(listener::fd_headroom(config.media.max_tcp_connections));
    let mut limits = config.limits.connections();
    if (limits.max_connections as u64) > room {
        tracing::warn!(
            files,
            max_connections = room,
            "the open-file limit is too low for limits.max_connections; serving fewer \
             (raise `ulimit -n` / LimitNOFILE)"
        );
        limits.max_connections = usize::try_from(room).unwrap_or(usize::MAX).max(64);
    }
    let tcp = listen(config.listen).with_context(|| format!("listening on {}", config.listen))?;
    let addr = tcp.local_addr()?;
    let mut config = config;
    config.listen = addr;
    let config = Arc::new(config);
    let shutdown = CancellationToken::new();
    let blobs = Blobs::local(config.data.join("blobs"));
    let converter = Converter::start(ConverterConfig {
        work_root: config.data.join("convert"),
        limits: config.convert.clone(),
        tools: Default::default(),
    })
    .context("starting the document converter")?;
    let (media, media_addr) = Media::start(&config.media, shutdown.clone())
        .await
        .context("binding the media addresses")?;
    tracing::info!(udp = %media_addr.udp, tcp = ?media_addr.tcp, "media listening");
    let meetings = LiveMeetings::new(
        store.clone(),
        blobs.clone(),
        media.clone(),
        config.clone(),
        shutdown.clone(),
    );
    let shared_docs = SharedDocs::new(store.clone(), config.clone(), shutdown.clone());
    let conversions = Conversions {
        store: store.clone(),
        blobs: blobs.clone(),
        converter,
        meetings: meetings.clone(),
        uploads: config.data.join("uploads"),
    };
    let state = AppState {
        store: store.clone(),
        blobs,
        config: config.clone(),
        meetings: meetings.clone(),
        shared_docs: shared_docs.clone(),
        conversions,
        passwords: Guard::new(config.guesses.budgets()),
        passcodes: Guard::new(config.guesses.budgets()),
        joins: Guard::new(config.guesses.join_budgets()),
        hasher: runtime::passwords::Hasher::new(
            config.limits.password_hashes,
            config.limits.password_hash_queue,
        ),
    };
    let router = api::router(state);
    let token = shutdown.clone();
    let task = tokio::spawn(async move {
        // Meeting actors see the same token: they say goodbye to every socket, which lets
        // the graceful shutdown finish; then they flush their writes.
        listener::serve(tcp, router, limits, token)
            .await
            .context("serving HTTP")?;
        meetings.drained().await;
        shared_docs.drained().await;
        store.close().await;
        tracing::info!("stopped cleanly");
        Ok(())
    });
    Ok(Server {
        addr,
        url: config.public_url(),
        first_admin,
        media,
        media_addr,
        shutdown,
        task,
    })
}
