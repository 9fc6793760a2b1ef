//! The HTTP listener: accepting connections and serving them with every phase bounded.
//!
//! For: what `axum::serve` does not do. Not for: routing (the router) or what happens on
//! an upgraded WebSocket (each socket module has its own timeouts).
//!
//! - **Headers in time.** A connection must deliver a request's complete header within
//!   `header_timeout` of opening, and of finishing the previous request (hyper's header-read
//!   timer, which also bounds idle keep-alive). A client trickling a header line every 20 s
//!   is closed.
//! - **Bodies in time.** A request body that stalls for `body_timeout` between two pieces
//!   ends the request (tower-http's body timeout).
//! - **Few half-open connections per address.** Connections that have not yet sent a
//!   complete request head count against their address (an IPv6 /64 is one address); past
//!   `max_pending_per_address` new ones from it are closed at once. Connections that got
//!   going (a page load, a WebSocket) do not count: a whole office behind one NAT can
//!   join one meeting.
//! - **A ceiling, below the file-descriptor limit.** At most `max_connections` at once;
//!   past it new connections are closed at once rather than left to exhaust descriptors.
//!   At start the soft descriptor limit is raised to the hard one, and the ceiling must fit
//!   under it with room for the database, blobs, conversions and media sockets
//!   ([`fd_headroom`]). If `accept` still fails (EMFILE), the loop pauses briefly instead of
//!   spinning.

use std::{
    collections::HashMap,
    net::{IpAddr, SocketAddr},
    sync::{Arc, Mutex},
    time::Duration,
};

use axum::{extract::ConnectInfo, Router};
use confab_core::throttle::Source;
use hyper::body::Incoming;
use hyper_util::{
    rt::{TokioExecutor, TokioIo, TokioTimer},
    server::{conn::auto::Builder, graceful::GracefulShutdown},
    service::TowerToHyperService,
};
use tokio::{net::TcpListener, sync::Semaphore};
use tokio_util::sync::CancellationToken;
use tower::ServiceExt;

/// The bounds of HTTP connections (from the config's `[limits]`).
#[derive(Clone, Copy, Debug)]
pub struct ConnectionLimits {
    pub header_timeout: Duration,
    pub body_timeout: Duration,
    pub max_connections: usize,
    pub max_pending_per_address: u32,
}

/// Connections of each address that have not yet sent a complete request head.
#[derive(Clone, Default)]
struct Pending(Arc<Mutex<HashMap<Source, u32>>>);

/// One pending connection; counted until dropped.
struct PendingSlot {
    pending: Pending,
    source: Source,
}

impl Pending {
    fn claim(&self, ip: IpAddr, max: u32) -> Option<PendingSlot> {
        let source = Source::of(ip);
        let mut map = self.0.lock().unwrap_or_else(|e| e.into_inner());
        let n = map.entry(source).or_insert(0);
        if *n >= max {
            return None;
        }
        *n += 1;
        Some(PendingSlot {
            pending: self.clone(),
            source,
        })
    }
}

impl Drop for PendingSlot {
    fn drop(&mut self) {
        let mut map = self.pending.0.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(n) = map.get_mut(&self.source) {
            *n -= 1;
            if *n == 0 {
                map.remove(&self.source);
            }
        }
    }
}

/// Raises the soft limit on open files to the hard one; returns the soft limit now in force.
pub fn raise_fd_limit() -> u64 {
    let mut lim = libc::rlimit {
        rlim_cur: 0,
        rlim_max: 0,
    };
    // SAFETY: getrlimit/setrlimit only read and write the struct passed.
    unsafe {
        if libc::getrlimit(libc::RLIMIT_NOFILE, &mut lim) != 0 {
            return 1024;
        }
        if lim.rlim_cur < lim.rlim_max {
            let raised = libc::rlimit {
                rlim_cur: lim.rlim_max,
                rlim_max: lim.rlim_max,
            };
            if libc::setrlimit(libc::RLIMIT_NOFILE, &raised) == 0 {
                lim = raised;
            }
        }
    }
    lim.rlim_cur
}

/// Descriptors kept free of HTTP connections: the database pool, blob files, conversion
/// pipes, the media sockets and the log.
pub fn fd_headroom(media_tcp_connections: usize) -> u64 {
    256 + media_tcp_connections as u64
}

/// Serves `router` on `listener` until `shutdown`; then stops accepting and lets open
/// requests finish (upgraded sockets are ended by their own modules on the same signal).
pub async fn serve(
    listener: TcpListener,
    router: Router,
    limits: ConnectionLimits,
    shutdown: CancellationToken,
) -> std::io::Result<()> {
    let open = Arc::new(Semaphore::new(limits.max_connections));
    let pending = Pending::default();
    let graceful = GracefulShutdown::new();
    let mut builder = Builder::new(TokioExecutor::new());
    builder
        .http1()
        .timer(TokioTimer::new())
        .header_read_timeout(limits.header_timeout);
    builder
        .http2()
        .timer(TokioTimer::new())
        // Browsers' HTTP/2 needs CONNECT for WebSockets (RFC 8441).
        .enable_connect_protocol()
        .keep_alive_interval(limits.header_timeout)
        .keep_alive_timeout(limits.header_timeout);
    loop {
        let (stream, addr) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(a) => a,
                Err(e) => {
                    // Out of descriptors (or a transient error): pause instead of spinning.
                    tracing::warn!(error = %e, "accept failed");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
            () = shutdown.cancelled() => break,
        };
        let Ok(slot) = open.clone().try_acquire_owned() else {
            tracing::debug!(%addr, "connection refused: at max_connections");
            continue; // dropping the stream closes it
        };
        let Some(first_head) = pending.claim(addr.ip(), limits.max_pending_per_address) else {
            tracing::debug!(%addr, "connection refused: too many pending from this address");
            continue;
        };
        let _ = stream.set_nodelay(true);
        let first_head = Arc::new(Mutex::new(Some(first_head)));
        let router = router.clone();
        let service = tower::service_fn(move |mut req: hyper::Request<Incoming>| {
            // A complete request head: this connection is no longer half-open.
            first_head.lock().unwrap_or_else(|e| e.into_inner()).take();
            req.extensions_mut().insert(ConnectInfo(addr));
            let body_timeout = limits.body_timeout;
            router.clone().oneshot(req.map(|body| {
                axum::body::Body::new(tower_http::timeout::TimeoutBody::new(body_timeout, body))
            }))
        });
        let conn = builder.serve_connection_with_upgrades(
            TokioIo::new(stream),
            TowerToHyperService::new(service),
        );
        let conn = graceful.watch(conn.into_owned());
        tokio::spawn(async move {
            let _ = conn.await;
            drop(slot);
        });
    }
    drop(listener);
    graceful.shutdown().await;
    Ok(())
}

/// The address a request came from (set by [`serve`]; tests that call the router
/// directly have none).
pub fn peer(parts: &axum::http::request::Parts) -> Option<SocketAddr> {
    parts
        .extensions
        .get::<ConnectInfo<SocketAddr>>()
        .map(|c| c.0)
}
