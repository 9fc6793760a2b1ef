//! Signing in and out, and who is signed in.

use axum::{
    extract::State,
    http::{header, request::Parts, StatusCode},
    http::{HeaderMap, HeaderValue},
    response::{AppendHeaders, IntoResponse},
};
use chrono::{TimeDelta, Utc};
use confab_proto::{
    rest::{ChangePassword, LoginRequest, Me, Problem},
    rules,
};
use confab_store::UserRow;

use confab_core::throttle::Outcome;

use super::{
    auth::{self, Auth, SESSION_COOKIE},
    error::{ApiError, ApiResult, Json},
    guesses::{Device, Peer},
    AppState,
};
use crate::{
    provision::{self, normalise_email},
    runtime::passwords::Busy,
    secrets,
};

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
///
/// Order matters: the guess is reserved against the throttle (429) before anything else,
/// then waits for a hashing slot (503 when too many wait), and only then is argon2 run,
/// against every account with this address (one per organisation) or a dummy hash, so
/// that unknown addresses cost and take the same.
#[utoipa::path(post, path = "/api/v1/auth/login", tag = "session", request_body = LoginRequest,
    security(()), responses((status = 200, body = Me), (status = 401, response = Problem),
              (status = 429, response = Problem), (status = 503, response = Problem)))]
pub async fn login(
    State(state): State<AppState>,
    peer: Peer,
    device: Device,
    Json(req): Json<LoginRequest>,
) -> ApiResult<impl IntoResponse> {
    let email = normalise_email(&req.email);
    let reservation = state.passwords.reserve(&email, peer, &device)?;
    let users = match state.store.users_by_email(&email).await {
        Ok(users) => users,
        Err(e) => {
            state.passwords.settle(reservation, Outcome::Unchecked);
            return Err(e.into());
        }
    };
    let hashes = match users.is_empty() {
        true => vec![secrets::dummy_hash().to_owned()],
        false => users.iter().map(|u| u.password_hash.clone()).collect(),
    };
    let matched = match state.hasher.verify(hashes, req.password).await {
        Ok(m) => m,
        Err(Busy) => {
            state.passwords.settle(reservation, Outcome::Unchecked);
            return Err(ApiError::Busy);
        }
    };
    let Some(user) = matched.and_then(|i| users.into_iter().nth(i)) else {
        state.passwords.settle(reservation, Outcome::Wrong);
        return Err(ApiError::InvalidCredentials);
    };
    let (device, device_cookie) = device.or_new(state.config.https());
    let device_id = device.id();
    state.passwords.settle(
        reservation,
        Outcome::Right {
            device: device_id.as_deref(),
        },
    );
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
    let mut headers = HeaderMap::new();
    for c in std::iter::once(cookie).chain(device_cookie) {
        if let Ok(v) = HeaderValue::try_from(c) {
            headers.append(header::SET_COOKIE, v);
        }
    }
    Ok((headers, Json(me)))
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

/// Changes the signed-in user's password. Every other session of the user ends (a
/// password change is what someone does who fears their sessions are not all theirs);
/// API tokens stay, each revocable on its own.
#[utoipa::path(post, path = "/api/v1/me/password", tag = "session", request_body = ChangePassword,
    responses((status = 204), (status = 401, response = Problem), (status = 422, response = Problem),
              (status = 429, response = Problem), (status = 503, response = Problem)))]
pub async fn change_password(
    State(state): State<AppState>,
    peer: Peer,
    device: Device,
    auth: Auth,
    parts: Parts,
    Json(req): Json<ChangePassword>,
) -> ApiResult<StatusCode> {
    provision::check("new", rules::PASSWORD, &req.new)?;
    let reservation = state.passwords.reserve(&auth.user.email, peer, &device)?;
    let hashes = vec![auth.user.password_hash.clone()];
    let checked = state.hasher.verify(hashes, req.current).await;
    match checked {
        Ok(Some(_)) => state
            .passwords
            .settle(reservation, Outcome::Right { device: None }),
        Ok(None) => {
            state.passwords.settle(reservation, Outcome::Wrong);
            return Err(ApiError::InvalidCredentials);
        }
        Err(Busy) => {
            state.passwords.settle(reservation, Outcome::Unchecked);
            return Err(ApiError::Busy);
        }
    }
    let new_hash = state
        .hasher
        .hash(req.new)
        .await
        .map_err(|Busy| ApiError::Busy)?;
    state.store.set_password(auth.user.id(), &new_hash).await?;
    let keep = auth::session_secret(&parts).map(secrets::secret_hash);
    let ended = state
        .store
        .end_other_sessions(auth.user.id(), keep.as_ref().map(|k| &k[..]))
        .await?;
    tracing::info!(user = %auth.user.id(), ended, "password changed; other sessions ended");
    Ok(StatusCode::NO_CONTENT)
}
