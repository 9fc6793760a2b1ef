//! Signing in and out, and who is signed in.

use axum::{
    extract::State,
    http::{header, request::Parts, StatusCode},
    response::{AppendHeaders, IntoResponse},
};
use chrono::{TimeDelta, Utc};
use confab_proto::{
    rest::{ChangePassword, LoginRequest, Me, Problem},
    rules,
};
use confab_store::UserRow;

use super::{
    auth::{self, Auth, SESSION_COOKIE},
    error::{ApiError, ApiResult, Json},
    AppState,
};
use crate::{provision, secrets};

pub async fn me_of(state: &AppState, user: &UserRow) -> ApiResult<Me> {
    let tenant = state
        .store
        .tenant(user.tenant())
        .await?
        .ok_or_else(|| ApiError::Internal("user without tenant".into()))?;
    Ok(Me {
        user: user.view()?,
        tenant: tenant.view()?,
    })
}

/// Signs in with e-mail and password; sets an HttpOnly session cookie.
#[utoipa::path(post, path = "/api/v1/auth/login", tag = "session", request_body = LoginRequest,
    security(()), responses((status = 200, body = Me), (status = 401, response = Problem),
              (status = 429, response = Problem)))]
pub async fn login(
    State(state): State<AppState>,
    Json(req): Json<LoginRequest>,
) -> ApiResult<impl IntoResponse> {
    let email = req.email.trim().to_lowercase();
    state.attempts.check(&format!("login:{email}"))?;
    let user = state.store.user_by_email(&email).await?;
    let hash = user
        .as_ref()
        .map_or(secrets::dummy_hash(), |u| u.password_hash.as_str())
        .to_owned();
    let password = req.password;
    let ok = tokio::task::spawn_blocking(move || secrets::verify_password(&hash, &password))
        .await
        .map_err(|e| ApiError::Internal(e.to_string()))?;
    let user = match user {
        Some(u) if ok => u,
        _ => {
            state.attempts.failed(&format!("login:{email}"));
            return Err(ApiError::InvalidCredentials);
        }
    };
    let secret = secrets::new_secret();
    let ttl = TimeDelta::hours(state.config.limits.session_ttl_hours as i64);
    state
        .store
        .create_session(&secrets::secret_hash(&secret), &user, Utc::now() + ttl)
        .await?;
    let secure = if state.config.https() { "; Secure" } else { "" };
    let cookie = format!(
        "{SESSION_COOKIE}={secret}; Path=/; HttpOnly; SameSite=Lax; Max-Age={}{secure}",
        ttl.num_seconds()
    );
    let me = me_of(&state, &user).await?;
    tracing::info!(user = %user.id(), "signed in");
    Ok((AppendHeaders([(header::SET_COOKIE, cookie)]), Json(me)))
}

/// Signs out: the session ends on the server and the cookie is cleared.
#[utoipa::path(post, path = "/api/v1/auth/logout", tag = "session", security(()),
    responses((status = 204)))]
pub async fn logout(State(state): State<AppState>, parts: Parts) -> ApiResult<impl IntoResponse> {
    if let Some(secret) = auth::session_secret(&parts) {
        state
            .store
            .delete_session(&secrets::secret_hash(secret))
            .await?;
    }
    let clear = format!("{SESSION_COOKIE}=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0");
    Ok((
        StatusCode::NO_CONTENT,
        AppendHeaders([(header::SET_COOKIE, clear)]),
    ))
}

/// The signed-in user and their organisation.
#[utoipa::path(get, path = "/api/v1/me", tag = "session", responses((status = 200, body = Me)))]
pub async fn me(State(state): State<AppState>, auth: Auth) -> ApiResult<Json<Me>> {
    Ok(Json(me_of(&state, &auth.user).await?))
}

/// Changes the signed-in user's password.
#[utoipa::path(post, path = "/api/v1/me/password", tag = "session", request_body = ChangePassword,
    responses((status = 204), (status = 401, response = Problem), (status = 422, response = Problem),
              (status = 429, response = Problem)))]
pub async fn change_password(
    State(state): State<AppState>,
    auth: Auth,
    Json(req): Json<ChangePassword>,
) -> ApiResult<StatusCode> {
    let attempt_key = format!("password:{}", auth.user.id());
    state.attempts.check(&attempt_key)?;
    provision::check("new", rules::PASSWORD, &req.new)?;
    let hash = auth.user.password_hash.clone();
    let new_hash = tokio::task::spawn_blocking(move || {
        secrets::verify_password(&hash, &req.current).then(|| secrets::hash_password(&req.new))
    })
    .await
    .map_err(|e| ApiError::Internal(e.to_string()))?
    .ok_or_else(|| {
        state.attempts.failed(&attempt_key);
        ApiError::InvalidCredentials
    })?;
    state.store.set_password(auth.user.id(), &new_hash).await?;
    Ok(StatusCode::NO_CONTENT)
}
