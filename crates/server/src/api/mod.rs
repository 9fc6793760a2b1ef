//! The REST API under `/api/v1`, one file per resource. Handlers are thin: they check
//! who may do what, call core for decisions and the store for data, and map the
//! result to wire types.

pub mod admin;
pub mod collab;
pub mod documents;
pub mod export;
pub mod health;
pub mod links;
pub mod meetings;
pub mod openapi;
pub mod session;

use axum::{
    extract::DefaultBodyLimit,
    routing::{delete, get, post},
    Router,
};

use crate::{app::AppState, error::ApiError};

/// `upload_limit`: the largest document upload, in bytes.
pub fn router(upload_limit: usize) -> Router<AppState> {
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
        .route("/users", get(admin::list_users).post(admin::create_user))
        .route("/tokens", get(admin::list_tokens).post(admin::create_token))
        .route("/tokens/{id}", delete(admin::delete_token))
        .fallback(|| async { ApiError::NotFound("endpoint") })
}
