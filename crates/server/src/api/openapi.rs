//! The OpenAPI document of the REST API, served at `/api/openapi.json`.

use axum::Json;
use utoipa::OpenApi;

use super::{admin, documents, export, health, links, meetings, residency, session};

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Confab API",
        description = "REST API of Confab. Errors are application/problem+json with a stable `type` \
            (urn:confab:problem:<slug>). Sign in with a session cookie (POST /api/v1/auth/login) or \
            send `Authorization: Bearer <api token>`. The room channel is a WebSocket at /api/v1/room \
            (see docs/protocol.md)."
    ),
    paths(
        health::alive, health::ready,
        session::login, session::logout, session::me, session::change_password,
        meetings::list, meetings::create, meetings::meet_now, meetings::get, meetings::update,
        meetings::cancel, meetings::rotate_links, meetings::invitation, meetings::chat_export,
        links::info, links::join,
        documents::upload, documents::page, documents::notes, export::export,
        admin::list_tenants, admin::create_tenant, admin::get_policy, admin::set_policy,
        admin::list_users, admin::create_user, admin::list_tokens, admin::create_token, admin::delete_token,
        residency::report,
    ),
    tags(
        (name = "session", description = "Signing in and out"),
        (name = "meetings", description = "Scheduling and managing meetings"),
        (name = "joining", description = "Join links"),
        (name = "content", description = "Documents shown in meetings (join-token authenticated)"),
        (name = "admin", description = "Organisations, users, policy and API tokens"),
        (name = "health", description = "Probes"),
    )
)]
pub struct ApiDoc;

pub async fn serve() -> Json<utoipa::openapi::OpenApi> {
    Json(ApiDoc::openapi())
}
