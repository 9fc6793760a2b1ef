//! `GET /api/v1/tenants/{id}/residency`: where an organisation's data lives and the
//! proof that none of its files is in another region (see `confab_store::residency`).
//!
//! Provider admins may read any organisation's report, tenant admins their own. Anyone
//! asking about another organisation gets the same 404 as for one that does not exist,
//! so the answer does not reveal which organisations there are.

use axum::extract::State;
use confab_proto::{residency::ResidencyReport, rest::Problem, AccountRole, TenantId};

use super::{
    auth::Auth,
    error::{ApiError, ApiResult, Json, Path},
    AppState,
};

/// The residency report of an organisation: its files by class and where they are, its
/// records, and every other region's store scanned for its files. 503
/// (region-unavailable) when a region's store cannot be listed.
#[utoipa::path(get, path = "/api/v1/tenants/{id}/residency", tag = "admin",
    params(("id" = Uuid, Path, description = "tenant id")),
    responses((status = 200, body = ResidencyReport), (status = 403, response = Problem),
              (status = 404, response = Problem),
              (status = 503, response = Problem)))]
pub async fn report(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<TenantId>,
) -> ApiResult<Json<ResidencyReport>> {
    let role = auth.user.role()?;
    let own = id == auth.user.tenant();
    match role {
        AccountRole::ProviderAdmin => {}
        AccountRole::TenantAdmin if own => {}
        _ if !own => return Err(ApiError::NotFound("organisation")),
        _ => {
            return Err(ApiError::Forbidden(
                "only administrators of this organisation may read its residency report",
            ))
        }
    }
    let tenant = state
        .store
        .tenant(id)
        .await?
        .ok_or(ApiError::NotFound("organisation"))?;
    let database = crate::database_path(&state.config).display().to_string();
    let report =
        confab_store::residency::report(&state.store, &state.blobs, &tenant, database).await?;
    Ok(Json(report))
}
