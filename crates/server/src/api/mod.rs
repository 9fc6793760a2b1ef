//! The HTTP/WebSocket edge: the router, the state every handler shares, and one file
//! per resource (REST under `/api/v1`) or socket (the room channel, shared documents).
//! Handlers are thin: they check who may do what, call core for decisions, the live
//! runtimes ([`crate::runtime`]) and the store for data, and map the result to wire
//! types. HTTP statuses and problem types are chosen in [`error`], nowhere else.

pub mod admin;
pub mod auth;
pub mod collab;
pub mod documents;
pub mod error;
pub mod export;
pub mod guesses;
pub mod health;
pub mod links;
pub mod listener;
pub mod meetings;
pub mod openapi;
pub mod residency;
pub mod room_channel;
pub mod session;
pub mod socket;
pub mod web;

use std::sync::Arc;

use axum::{
    extract::{DefaultBodyLimit, FromRef},
    http::{header, HeaderValue},
    routing::{delete, get, patch, post},
    Router,
};
use confab_store::{Blobs, Store};
use tower_http::{set_header::SetResponseHeaderLayer, trace::TraceLayer};

use confab_proto::MeetingId;

use self::{error::ApiError, guesses::Guard};
use crate::{
    config::Config,
    runtime::{
        conversion::Conversions, meeting::LiveMeetings, passwords::Hasher, shared_docs::SharedDocs,
    },
};

/// Everything a request handler may need; cheap to clone.
#[derive(Clone)]
pub struct AppState {
    pub store: Store,
    pub blobs: Blobs,
    pub config: Arc<Config>,
    /// The live meetings of this node (their actors).
    pub meetings: LiveMeetings,
    /// The shared documents being edited on this node (y-websocket).
    pub shared_docs: SharedDocs,
    /// Uploads being converted into pages.
    pub conversions: Conversions,
    /// Password guesses, by normalised e-mail address.
    pub passwords: Guard<String>,
    /// Meeting passcode guesses.
    pub passcodes: Guard<MeetingId>,
    /// Guest joins, per address.
    pub joins: Guard<()>,
    /// Argon2 runs, bounded.
    pub hasher: Hasher,
}

impl FromRef<AppState> for Store {
    fn from_ref(s: &AppState) -> Store {
        s.store.clone()
    }
}

/// The Content-Security-Policy of every response: nothing from any third party.
pub const CSP: &str = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; \
    connect-src 'self'; media-src 'self' blob:; font-src 'self'; object-src 'none'; base-uri 'none'; \
    form-action 'self'; frame-ancestors 'none'";

pub fn router(state: AppState) -> Router {
    let body_limit = state.config.limits.max_body_bytes;
    let upload_limit = usize::try_from(state.config.convert.max_file_bytes).unwrap_or(usize::MAX);
    let header =
        |name, value| SetResponseHeaderLayer::if_not_present(name, HeaderValue::from_static(value));
    Router::new()
        .route("/healthz", get(health::alive))
        .route("/readyz", get(health::ready))
        .route("/api/openapi.json", get(openapi::serve))
        .route("/api/v1/room", get(room_channel::connect))
        .nest("/api/v1", v1(upload_limit))
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

/// `upload_limit`: the largest document upload, in bytes.
fn v1(upload_limit: usize) -> Router<AppState> {
    Router::new()
        .route("/auth/login", post(session::login))
        .route("/auth/logout", post(session::logout))
        .route("/me", get(session::me))
        .route("/me/password", post(session::change_password))
        .route("/meetings", get(meetings::list).post(meetings::create))
        .route("/meetings/now", post(meetings::meet_now))
        .route("/meetings/{id}", get(meetings::get).put(meetings::update))
        .route("/meetings/{id}/cancel", post(meetings::cancel))
        .route("/meetings/{id}/rotate-links", post(meetings::rotate_links))
        .route("/meetings/{id}/invite.ics", get(meetings::invitation))
        .route("/meetings/{id}/chat", get(meetings::chat_export))
        .route(
            "/meetings/{id}/documents",
            post(documents::upload).layer(DefaultBodyLimit::max(upload_limit)),
        )
        .route(
            "/meetings/{id}/documents/{doc}/pages/{page}/{size}",
            get(documents::page),
        )
        .route(
            "/meetings/{id}/documents/{doc}/notes",
            get(documents::notes),
        )
        .route("/meetings/{id}/documents/{doc}/export", get(export::export))
        .route("/collab/{meeting}/{doc}", get(collab::connect))
        .route("/links/{key}", get(links::info))
        .route("/links/{key}/join", post(links::join))
        .route(
            "/tenants",
            get(admin::list_tenants).post(admin::create_tenant),
        )
        .route(
            "/tenants/{id}/policy",
            get(admin::get_policy).put(admin::set_policy),
        )
        .route("/tenants/{id}/residency", get(residency::report))
        .route("/users", get(admin::list_users).post(admin::create_user))
        .route("/users/{id}", patch(admin::update_user))
        .route("/tokens", get(admin::list_tokens).post(admin::create_token))
        .route("/tokens/{id}", delete(admin::delete_token))
        .fallback(|| async { ApiError::NotFound("endpoint") })
        // axum keeps the Allow header on this answer.
        .method_not_allowed_fallback(|| async { ApiError::MethodNotAllowed })
}
