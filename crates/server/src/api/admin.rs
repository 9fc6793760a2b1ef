//! Administration: tenants and their policy (provider admins), users (tenant admins),
//! and each user's own API tokens.

use super::{
    auth::Auth,
    error::{ApiError, ApiResult, Json, Path, Query},
    AppState,
};
use crate::provision;
use axum::{extract::State, http::StatusCode};
use confab_proto::{
    rest::{
        ApiTokenView, CreateApiToken, CreateTenant, CreateUser, CreatedApiToken, Problem,
        TenantView, UserView,
    },
    AccountRole, ApiTokenId, Policy, TenantId,
};
use confab_store::TenantRow;
use serde::Deserialize;
use utoipa::IntoParams;

fn require_provider(auth: &Auth) -> ApiResult<()> {
    match auth.user.role()? {
        AccountRole::ProviderAdmin => Ok(()),
        _ => Err(ApiError::Forbidden(
            "only provider administrators manage organisations",
        )),
    }
}

/// The tenant `auth` may administer: their own, or any for a provider admin.
async fn administered(
    state: &AppState,
    auth: &Auth,
    tenant: Option<TenantId>,
) -> ApiResult<TenantRow> {
    let role = auth.user.role()?;
    let id = tenant.unwrap_or(auth.user.tenant());
    let allowed = match role {
        AccountRole::ProviderAdmin => true,
        AccountRole::TenantAdmin => id == auth.user.tenant(),
        _ => false,
    };
    if !allowed {
        return Err(ApiError::Forbidden(
            "only administrators of this organisation may do this",
        ));
    }
    state
        .store
        .tenant(id)
        .await?
        .ok_or(ApiError::NotFound("organisation"))
}

/// All organisations (provider admins).
#[utoipa::path(get, path = "/api/v1/tenants", tag = "admin",
    responses((status = 200, body = [TenantView]), (status = 403, response = Problem)))]
pub async fn list_tenants(
    State(state): State<AppState>,
    auth: Auth,
) -> ApiResult<Json<Vec<TenantView>>> {
    require_provider(&auth)?;
    let rows = state.store.tenants().await?;
    Ok(Json(
        rows.iter().map(TenantRow::view).collect::<Result<_, _>>()?,
    ))
}

/// Creates an organisation in a region (provider admins).
#[utoipa::path(post, path = "/api/v1/tenants", tag = "admin", request_body = CreateTenant,
    responses((status = 201, body = TenantView), (status = 403, response = Problem),
              (status = 422, response = Problem)))]
pub async fn create_tenant(
    State(state): State<AppState>,
    auth: Auth,
    Json(req): Json<CreateTenant>,
) -> ApiResult<(StatusCode, Json<TenantView>)> {
    require_provider(&auth)?;
    let row = provision::create_tenant(&state.store, &req.name, &req.region, req.policy).await?;
    Ok((StatusCode::CREATED, Json(row.view()?)))
}

/// An organisation's conferencing policy.
#[utoipa::path(get, path = "/api/v1/tenants/{id}/policy", tag = "admin",
    params(("id" = Uuid, Path, description = "tenant id")),
    responses((status = 200, body = Policy), (status = 403, response = Problem)))]
pub async fn get_policy(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<TenantId>,
) -> ApiResult<Json<Policy>> {
    let t = administered(&state, &auth, Some(id)).await?;
    Ok(Json(t.policy()?))
}

/// Replaces an organisation's policy; meetings that start afterwards follow it.
#[utoipa::path(put, path = "/api/v1/tenants/{id}/policy", tag = "admin", request_body = Policy,
    params(("id" = Uuid, Path, description = "tenant id")),
    responses((status = 200, body = Policy), (status = 403, response = Problem),
              (status = 422, response = Problem)))]
pub async fn set_policy(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<TenantId>,
    Json(policy): Json<Policy>,
) -> ApiResult<Json<Policy>> {
    let t = administered(&state, &auth, Some(id)).await?;
    if let Some((field, needs)) = confab_core::rights::policy_problem(&policy) {
        return Err(ApiError::invalid(field, needs));
    }
    state.store.set_policy(t.id(), &policy).await?;
    Ok(Json(policy))
}

#[derive(Debug, Deserialize, IntoParams)]
pub struct TenantQuery {
    /// Which organisation (provider admins); default: your own.
    #[param(value_type = Option<Uuid>)]
    pub tenant: Option<TenantId>,
}

/// Users of an organisation.
#[utoipa::path(get, path = "/api/v1/users", tag = "admin", params(TenantQuery),
    responses((status = 200, body = [UserView]), (status = 403, response = Problem),
              (status = 404, response = Problem)))]
pub async fn list_users(
    State(state): State<AppState>,
    auth: Auth,
    Query(q): Query<TenantQuery>,
) -> ApiResult<Json<Vec<UserView>>> {
    let t = administered(&state, &auth, q.tenant).await?;
    let rows = state.store.users(t.id()).await?;
    Ok(Json(
        rows.iter().map(|u| u.view()).collect::<Result<_, _>>()?,
    ))
}

/// Creates a user in an organisation.
#[utoipa::path(post, path = "/api/v1/users", tag = "admin", params(TenantQuery), request_body = CreateUser,
    responses((status = 201, body = UserView), (status = 403, response = Problem),
              (status = 404, response = Problem), (status = 409, response = Problem),
              (status = 422, response = Problem)))]
pub async fn create_user(
    State(state): State<AppState>,
    auth: Auth,
    Query(q): Query<TenantQuery>,
    Json(req): Json<CreateUser>,
) -> ApiResult<(StatusCode, Json<UserView>)> {
    let t = administered(&state, &auth, q.tenant).await?;
    if req.role == AccountRole::ProviderAdmin && auth.user.role()? != AccountRole::ProviderAdmin {
        return Err(ApiError::Forbidden(
            "only provider administrators create provider administrators",
        ));
    }
    let user = provision::create_user(&state.store, &t, req).await?;
    Ok((StatusCode::CREATED, Json(user.view()?)))
}

/// Your API tokens.
#[utoipa::path(get, path = "/api/v1/tokens", tag = "admin", responses((status = 200, body = [ApiTokenView])))]
pub async fn list_tokens(
    State(state): State<AppState>,
    auth: Auth,
) -> ApiResult<Json<Vec<ApiTokenView>>> {
    let rows = state.store.api_tokens(auth.user.id()).await?;
    Ok(Json(rows.iter().map(|t| t.view()).collect()))
}

/// Creates an API token for integrations; its secret is shown only in this response.
#[utoipa::path(post, path = "/api/v1/tokens", tag = "admin", request_body = CreateApiToken,
    responses((status = 201, body = CreatedApiToken), (status = 422, response = Problem)))]
pub async fn create_token(
    State(state): State<AppState>,
    auth: Auth,
    Json(req): Json<CreateApiToken>,
) -> ApiResult<(StatusCode, Json<CreatedApiToken>)> {
    let (token, row) =
        provision::create_token(&state.store, &auth.user, &req.name, req.expires_in_days).await?;
    Ok((
        StatusCode::CREATED,
        Json(CreatedApiToken {
            token,
            info: row.view(),
        }),
    ))
}

/// Revokes one of your API tokens.
#[utoipa::path(delete, path = "/api/v1/tokens/{id}", tag = "admin",
    params(("id" = Uuid, Path, description = "token id")),
    responses((status = 204)))]
pub async fn delete_token(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<ApiTokenId>,
) -> ApiResult<StatusCode> {
    if state.store.delete_api_token(auth.user.id(), id).await? {
        Ok(StatusCode::NO_CONTENT)
    } else {
        Err(ApiError::NotFound("token"))
    }
}
