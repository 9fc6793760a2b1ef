//! Liveness and readiness probes.

use axum::{extract::State, http::StatusCode};

use super::AppState;

/// The process is up.
#[utoipa::path(get, path = "/healthz", tag = "health", security(()),
    responses((status = 200, description = "alive", content_type = "text/plain", body = String)))]
pub async fn alive() -> &'static str {
    "ok"
}

/// The process can serve requests: its database answers.
#[utoipa::path(get, path = "/readyz", tag = "health",
    security(()),
    responses((status = 200, description = "ready", content_type = "text/plain", body = String),
              (status = 503, description = "database unavailable", content_type = "text/plain", body = String)))]
pub async fn ready(State(state): State<AppState>) -> (StatusCode, &'static str) {
    match state.store.ping().await {
        Ok(()) => (StatusCode::OK, "ready"),
        Err(e) => {
            tracing::warn!(error = %e, "not ready");
            (StatusCode::SERVICE_UNAVAILABLE, "database unavailable")
        }
    }
}
