//! Documents in a meeting, for its participants: uploading (presenters) and fetching page
//! images (whoever may see that page now). Participants authenticate with their join
//! token (`Authorization: Bearer <token>`), since guests have no account; the meeting's
//! actor decides what their live role allows.

use axum::{
    body::Bytes,
    extract::{rejection::BytesRejection, FromRequestParts, State},
    http::{header, request::Parts, StatusCode},
    response::IntoResponse,
};
use chrono::Utc;
use std::collections::BTreeMap;

use super::{
    error::{ApiError, ApiResult, Json, Path, Query},
    AppState,
};
use crate::{
    runtime::{conversion, meeting::ActorMsg},
    secrets::secret_hash,
};
use confab_proto::{content::DocumentInfo, rest::Problem, rules, DocumentId, MeetingId};
use confab_store::{BlobKey, SeatRow};
use serde::Deserialize;
use utoipa::IntoParams;

/// A participant, by their join token.
pub struct Participant(pub SeatRow);

impl FromRequestParts<AppState> for Participant {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let token = parts
            .headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            .ok_or(ApiError::Unauthenticated)?;
        let seat = state
            .store
            .seat(&secret_hash(token.trim()), Utc::now())
            .await?;
        seat.map(Participant).ok_or(ApiError::Unauthenticated)
    }
}

/// The seat's meeting must be the one in the path.
pub(super) fn same_meeting(seat: &SeatRow, meeting: MeetingId) -> ApiResult<()> {
    if seat.meeting() == meeting {
        Ok(())
    } else {
        Err(ApiError::NotFound("meeting"))
    }
}

pub(super) async fn region_of(state: &AppState, seat: &SeatRow) -> ApiResult<String> {
    let tenant = state
        .store
        .tenant(confab_proto::TenantId(seat.tenant_id))
        .await?
        .ok_or_else(|| ApiError::Internal("seat without tenant".into()))?;
    Ok(tenant.region)
}

/// Refuses unless the seat is a presenter in the live meeting (its live role, which
/// may differ from the role the link gave).
async fn require_presenter(state: &AppState, seat: &SeatRow, why: &'static str) -> ApiResult<()> {
    let participant = seat.participant();
    let presenter = state
        .meetings
        .ask(seat.meeting(), |reply| ActorMsg::IsPresenter {
            participant,
            reply,
        })
        .await
        .unwrap_or(false);
    if presenter {
        Ok(())
    } else {
        Err(ApiError::Forbidden(why))
    }
}

#[derive(Debug, Deserialize, IntoParams)]
pub struct UploadQuery {
    /// The file's name, with its extension.
    #[param(schema_with = rules::schema::file_name)]
    pub name: String,
}

/// Uploads a document (presenters in the live meeting); it converts in the background and
/// its pages appear on the room channel as they render.
#[utoipa::path(post, path = "/api/v1/meetings/{id}/documents", tag = "content",
    params(("id" = Uuid, Path, description = "meeting id"), UploadQuery),
    request_body(content = Vec<u8>, content_type = "application/octet-stream"),
    security(("join_token" = [])),
    responses((status = 202, description = "converting", body = DocumentInfo),
              (status = 403, response = Problem), (status = 413, response = Problem),
              (status = 422, response = Problem), (status = 503, response = Problem)))]
pub async fn upload(
    State(state): State<AppState>,
    Participant(seat): Participant,
    Path(meeting): Path<MeetingId>,
    Query(q): Query<UploadQuery>,
    body: Result<Bytes, BytesRejection>,
) -> ApiResult<(StatusCode, Json<DocumentInfo>)> {
    same_meeting(&seat, meeting)?;
    require_presenter(&state, &seat, "only presenters in the meeting may upload").await?;
    let body = body.map_err(|r| match r.status() {
        StatusCode::PAYLOAD_TOO_LARGE => ApiError::TooLarge,
        _ => ApiError::Malformed(r.body_text()),
    })?;
    let invalid = |needs| ApiError::invalid("name", needs);
    rules::FILE_NAME.check(&q.name).map_err(invalid)?;
    // The name only labels the file and picks its expected type: no directories.
    let name = q.name.rsplit(['/', '\\']).next().unwrap_or("").trim();
    if name.is_empty() {
        return Err(invalid("a file name, not a directory".into()));
    }
    let name = name.to_owned();
    let used = state.store.uploaded_bytes(seat.tenant(), meeting).await?;
    if used + body.len() as u64 > state.config.limits.max_meeting_upload_bytes {
        return Err(ApiError::QuotaExceeded);
    }
    let region = region_of(&state, &seat).await?;
    let tenant = confab_proto::TenantId(seat.tenant_id);
    let doc = conversion::start(&state.conversions, tenant, meeting, region, name, body).await?;
    Ok((StatusCode::ACCEPTED, Json(doc)))
}

/// One page image of a document, if the caller may see that page now.
#[utoipa::path(get, path = "/api/v1/meetings/{id}/documents/{doc}/pages/{page}/{size}", tag = "content",
    params(("id" = Uuid, Path, description = "meeting id"), ("doc" = Uuid, Path, description = "document id"),
           ("page" = u32, Path, description = "0-based page"),
           ("size" = String, Path, description = "large, medium or thumb", pattern = "^(large|medium|thumb)$")),
    security(("join_token" = [])),
    responses((status = 200, content_type = "image/jpeg", body = Vec<u8>), (status = 403, response = Problem)))]
pub async fn page(
    State(state): State<AppState>,
    Participant(seat): Participant,
    Path((meeting, document, page, size)): Path<(MeetingId, DocumentId, u32, String)>,
) -> ApiResult<impl IntoResponse> {
    same_meeting(&seat, meeting)?;
    if !conversion::SIZES.contains(&size.as_str()) {
        return Err(ApiError::NotFound("page size"));
    }
    let participant = seat.participant();
    let allowed = state
        .meetings
        .ask(meeting, |reply| ActorMsg::MayViewPage {
            participant,
            document,
            page,
            reply,
        })
        .await
        .unwrap_or(false);
    if !allowed {
        return Err(ApiError::Forbidden("this page is not shown to you now"));
    }
    let region = region_of(&state, &seat).await?;
    let key = BlobKey::page(
        confab_proto::TenantId(seat.tenant_id),
        meeting,
        document,
        page,
        &size,
    );
    let jpeg = state
        .blobs
        .get(&region, &key)
        .await?
        .ok_or(ApiError::NotFound("page"))?;
    Ok((
        [
            (header::CONTENT_TYPE, "image/jpeg"),
            // A document's pages never change; only the access check is per request.
            (header::CACHE_CONTROL, "private, max-age=86400, immutable"),
        ],
        jpeg,
    ))
}

/// Speaker notes of a document, by page (presenters only).
#[utoipa::path(get, path = "/api/v1/meetings/{id}/documents/{doc}/notes", tag = "content",
    params(("id" = Uuid, Path, description = "meeting id"), ("doc" = Uuid, Path, description = "document id")),
    security(("join_token" = [])),
    responses((status = 200, description = "page index → notes", body = BTreeMap<u32, String>),
              (status = 403, response = Problem), (status = 404, response = Problem)))]
pub async fn notes(
    State(state): State<AppState>,
    Participant(seat): Participant,
    Path((meeting, document)): Path<(MeetingId, DocumentId)>,
) -> ApiResult<Json<BTreeMap<u32, String>>> {
    same_meeting(&seat, meeting)?;
    require_presenter(&state, &seat, "speaker notes are for presenters").await?;
    // Scoped by the tenant and meeting the token was issued for: a document id from
    // anywhere else opens nothing.
    let notes = state.store.notes(seat.tenant(), meeting, document).await?;
    if notes.is_empty()
        && !state
            .store
            .documents(seat.tenant(), meeting)
            .await?
            .iter()
            .any(|d| d.id == document)
    {
        return Err(ApiError::NotFound("document"));
    }
    Ok(Json(notes.into_iter().collect()))
}
