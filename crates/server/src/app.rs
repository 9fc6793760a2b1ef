//! The HTTP application: shared state and the router (REST, room channel, web client).

use std::{collections::HashMap, sync::Arc};

use axum::{
    extract::{DefaultBodyLimit, FromRef, State, WebSocketUpgrade},
    http::{header, HeaderValue},
    response::Response,
    routing::get,
    Router,
};
use chrono::Utc;
use confab_convert::Converter;
use confab_core::ratelimit::TokenBucket;
use confab_store::{Blobs, Store};
use tower_http::{set_header::SetResponseHeaderLayer, trace::TraceLayer};

use crate::{api, config::Config, error::ApiError, room::Rooms, web};

/// Everything a request handler may need; cheap to clone.
#[derive(Clone)]
pub struct AppState {
    pub store: Store,
    pub blobs: Blobs,
    pub converter: Converter,
    pub config: Arc<Config>,
    pub rooms: Rooms,
    pub attempts: Attempts,
    /// Shared documents' rooms (y-websocket).
    pub collab: api::collab::CollabRooms,
}

impl FromRef<AppState> for Store {
    fn from_ref(s: &AppState) -> Store {
        s.store.clone()
    }
}

/// Counts failed guesses (passwords, passcodes) per key, e.g. per e-mail or per link.
/// Only failures cost; once a key's budget is spent every attempt is refused until it
/// refills, so a correct guess cannot slip through a brute-force run.
#[derive(Clone, Default)]
pub struct Attempts(Arc<std::sync::Mutex<HashMap<String, TokenBucket>>>);

impl Attempts {
    fn with<T>(&self, key: &str, f: impl FnOnce(&mut TokenBucket) -> T) -> T {
        let mut map = self.0.lock().unwrap_or_else(|e| e.into_inner());
        if map.len() > 100_000 {
            map.clear(); // bounded memory
        }
        // Ten failures at once, then one every six seconds.
        f(map
            .entry(key.to_owned())
            .or_insert_with(|| TokenBucket::new(10, 1.0 / 6.0)))
    }

    /// Refuses when `key` has no failures left.
    pub fn check(&self, key: &str) -> Result<(), ApiError> {
        if self.with(key, |b| b.has_token(Utc::now())) {
            Ok(())
        } else {
            Err(ApiError::TooManyAttempts)
        }
    }

    /// Records a failure for `key`.
    pub fn failed(&self, key: &str) {
        self.with(key, |b| b.try_take(Utc::now()));
    }
}

/// The Content-Security-Policy of every response: nothing from any third party.
pub const CSP: &str = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; \
    connect-src 'self'; media-src 'self' blob:; font-src 'self'; object-src 'none'; base-uri 'none'; \
    form-action 'self'; frame-ancestors 'none'";

pub fn router(state: AppState) -> Router {
    let body_limit = state.config.limits.max_body_bytes;
    let max_frame = state.config.limits.max_frame_bytes;
    let upload_limit = usize::try_from(state.config.convert.max_file_bytes).unwrap_or(usize::MAX);
    let header =
        |name, value| SetResponseHeaderLayer::if_not_present(name, HeaderValue::from_static(value));
    Router::new()
        .route("/healthz", get(api::health::alive))
        .route("/readyz", get(api::health::ready))
        .route("/api/openapi.json", get(api::openapi::serve))
        .route(
            "/api/v1/room",
            get(
                move |State(state): State<AppState>, ws: WebSocketUpgrade| async move {
                    room_channel(state, ws, max_frame)
                },
            ),
        )
        .nest("/api/v1", api::router(upload_limit))
        .fallback(web::serve)
        .layer(DefaultBodyLimit::max(body_limit))
        .layer(header(header::CONTENT_SECURITY_POLICY, CSP))
        .layer(header(header::X_CONTENT_TYPE_OPTIONS, "nosniff"))
        .layer(header(header::REFERRER_POLICY, "no-referrer"))
        .layer(header(header::X_FRAME_OPTIONS, "DENY"))
        .layer(
            TraceLayer::new_for_http().make_span_with(|req: &axum::extract::Request| {
                // The path only: a query string may hold a join token (`/api/v1/collab`),
                // and tower-http's default span records the whole URI.
                tracing::debug_span!("request", method = %req.method(), path = %req.uri().path())
            }),
        )
        .with_state(state)
}

fn room_channel(state: AppState, ws: WebSocketUpgrade, max_frame: usize) -> Response {
    // Frames up to twice the limit are read so an oversized one gets a clear close code
    // (1009) from us; beyond that the transport itself refuses them.
    // Small buffers: 250 connections with tungstenite's 128 KiB defaults would cost
    // 64 MiB for nothing; room-channel frames are small.
    ws.max_message_size(max_frame * 2)
        .max_frame_size(max_frame * 2)
        .read_buffer_size(8 * 1024)
        .write_buffer_size(8 * 1024)
        .on_upgrade(move |socket| crate::room::socket::serve(socket, state))
}
