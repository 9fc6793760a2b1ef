//! Who is calling: the extractors that resolve a session cookie or API token to a user,
//! and the cross-site check of cookie-authenticated changes. The secrets themselves are
//! made and hashed in [`crate::secrets`].

use axum::{
    extract::{FromRef, FromRequestParts},
    http::{header, request::Parts, Method},
};
use chrono::Utc;
use confab_store::{Store, UserRow};

use super::error::ApiError;
use crate::secrets::secret_hash;

pub const SESSION_COOKIE: &str = "confab_session";

pub(super) fn cookie<'a>(parts: &'a Parts, name: &str) -> Option<&'a str> {
    parts
        .headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|c| c.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v)
}

/// Refuses cookie-authenticated state changes that come from another site.
fn check_same_origin(parts: &Parts) -> Result<(), ApiError> {
    if matches!(parts.method, Method::GET | Method::HEAD | Method::OPTIONS) {
        return Ok(());
    }
    if let Some(site) = parts
        .headers
        .get("sec-fetch-site")
        .and_then(|v| v.to_str().ok())
    {
        if !matches!(site, "same-origin" | "none") {
            return Err(ApiError::CrossSite);
        }
    }
    if let Some(origin) = parts
        .headers
        .get(header::ORIGIN)
        .and_then(|v| v.to_str().ok())
    {
        let host = parts
            .headers
            .get(header::HOST)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("");
        let origin_host = origin.split_once("://").map_or("", |(_, h)| h);
        if origin_host != host {
            return Err(ApiError::CrossSite);
        }
    }
    Ok(())
}

/// How the caller authenticated.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Via {
    Session,
    ApiToken,
}

/// A signed-in caller. Rejects with 401 when there is none.
#[derive(Clone, Debug)]
pub struct Auth {
    pub user: UserRow,
    pub via: Via,
}

async fn resolve(parts: &Parts, store: &Store) -> Result<Option<Auth>, ApiError> {
    let now = Utc::now();
    if let Some(bearer) = parts
        .headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
    {
        return match store
            .api_token_user(&secret_hash(bearer.trim()), now)
            .await?
        {
            Some(user) => Ok(Some(Auth {
                user,
                via: Via::ApiToken,
            })),
            None => Err(ApiError::Unauthenticated),
        };
    }
    if let Some(token) = cookie(parts, SESSION_COOKIE) {
        if let Some(user) = store.session_user(&secret_hash(token), now).await? {
            check_same_origin(parts)?;
            return Ok(Some(Auth {
                user,
                via: Via::Session,
            }));
        }
    }
    Ok(None)
}

impl<S> FromRequestParts<S> for Auth
where
    Store: FromRef<S>,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        resolve(parts, &Store::from_ref(state))
            .await?
            .ok_or(ApiError::Unauthenticated)
    }
}

/// A caller who may or may not be signed in (join pages).
#[derive(Clone, Debug)]
pub struct MaybeAuth(pub Option<Auth>);

impl<S> FromRequestParts<S> for MaybeAuth
where
    Store: FromRef<S>,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        Ok(MaybeAuth(resolve(parts, &Store::from_ref(state)).await?))
    }
}

/// The raw session secret of a request, for sign-out.
pub fn session_secret(parts: &Parts) -> Option<&str> {
    cookie(parts, SESSION_COOKIE)
}
