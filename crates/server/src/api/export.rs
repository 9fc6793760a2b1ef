//! `GET /api/v1/meetings/{id}/documents/{doc}/export`: a document with its annotations, as
//! a PDF, for presenters and for attendees with the `export_content` permission.
//!
//! Each page is drawn from what is stored: the page image from the tenant's blob store,
//! the ink layer and (for text pages) the text from the shared-document store. Ink drawn
//! in the last moment before the request may not be in it yet (each update is written
//! as it arrives, so that moment is short).

use axum::{
    extract::State,
    http::{header, HeaderValue},
    response::IntoResponse,
};
use confab_collab::{read, DocKey, DocStore};
use confab_convert::export::{annotated_pdf, Background, ExportPage};
use confab_proto::{
    content::{DocumentInfo, DocumentKind, PageInfo},
    rest::Problem,
    shared_doc::DocName,
    DocumentId, MeetingId, TenantId,
};

use super::{
    documents::{region_of, same_meeting, Participant},
    error::{ApiError, ApiResult, Path},
    AppState,
};
use crate::runtime::meeting::ActorMsg;

/// The document with every page's annotations, as a PDF download.
#[utoipa::path(get, path = "/api/v1/meetings/{id}/documents/{doc}/export", tag = "content",
    params(("id" = Uuid, Path, description = "meeting id"), ("doc" = Uuid, Path, description = "document id")),
    security(("join_token" = [])),
    responses((status = 200, content_type = "application/pdf", body = Vec<u8>),
              (status = 403, response = Problem)))]
pub async fn export(
    State(state): State<AppState>,
    Participant(seat): Participant,
    Path((meeting, document)): Path<(MeetingId, DocumentId)>,
) -> ApiResult<impl IntoResponse> {
    same_meeting(&seat, meeting)?;
    let participant = seat.participant();
    let (doc, allowed) = state
        .meetings
        .ask(meeting, |reply| ActorMsg::Export {
            participant,
            document,
            reply,
        })
        .await
        .flatten()
        .ok_or(ApiError::NotFound("document"))?;
    if !allowed {
        return Err(ApiError::Forbidden(
            "exporting content is not allowed for you in this meeting",
        ));
    }
    let tenant = TenantId(seat.tenant_id);
    let region = region_of(&state, &seat).await?;
    let mut pages = Vec::with_capacity(doc.pages.len());
    for page in &doc.pages {
        pages.push(export_page(&state, tenant, meeting, &region, &doc, page).await?);
    }
    let pdf = tokio::task::spawn_blocking(move || annotated_pdf(&pages))
        .await
        .map_err(|e| ApiError::Internal(format!("export: {e}")))?;
    Ok((
        [
            (
                header::CONTENT_TYPE,
                HeaderValue::from_static("application/pdf"),
            ),
            (header::CONTENT_DISPOSITION, attachment(&doc.name)),
            // Annotations change: never serve a stale copy.
            (header::CACHE_CONTROL, HeaderValue::from_static("no-store")),
        ],
        pdf,
    ))
}

/// One page: its background and its ink.
async fn export_page(
    state: &AppState,
    tenant: TenantId,
    meeting: MeetingId,
    region: &str,
    doc: &DocumentInfo,
    page: &PageInfo,
) -> ApiResult<ExportPage> {
    let background = match doc.kind {
        DocumentKind::Upload => {
            let key = confab_store::BlobKey::page(tenant, meeting, doc.id, page.index, "large");
            match state.blobs.get(region, &key).await? {
                Some(jpeg) => Background::Jpeg(jpeg.to_vec()),
                None => Background::Blank,
            }
        }
        DocumentKind::Whiteboard => Background::Blank,
        DocumentKind::Text => match page.text {
            Some(name) => Background::Text(read::text(&load(state, tenant, meeting, name).await?)),
            None => Background::Blank,
        },
    };
    let ink = read::ink(&load(state, tenant, meeting, page.collab).await?);
    Ok(ExportPage {
        width: page.width,
        height: page.height,
        background,
        ink,
    })
}

/// A shared document as stored.
async fn load(
    state: &AppState,
    tenant: TenantId,
    meeting: MeetingId,
    name: DocName,
) -> ApiResult<confab_collab::Doc> {
    let key = DocKey {
        tenant,
        meeting,
        name,
    };
    let stored = state
        .store
        .load(&key)
        .await
        .map_err(|e| ApiError::Internal(format!("loading {key}: {e}")))?;
    let (doc, skipped) = read::doc_from(&stored);
    if skipped > 0 {
        tracing::warn!(%key, skipped, "stored updates that do not apply were left out of an export");
    }
    Ok(doc)
}

/// `attachment; filename*=UTF-8''…` naming the download after the document.
fn attachment(name: &str) -> HeaderValue {
    let stem = name.rsplit_once('.').map_or(name, |(stem, _)| stem);
    let file = format!("{stem} (annotated).pdf");
    let encoded: String = file
        .bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'.' | b'-' | b'_' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect();
    HeaderValue::from_str(&format!("attachment; filename*=UTF-8''{encoded}"))
        .unwrap_or_else(|_| HeaderValue::from_static("attachment"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_download_is_named_after_the_document_whatever_its_name() {
        assert_eq!(
            attachment("Q3 plan.pptx"),
            "attachment; filename*=UTF-8''Q3%20plan%20%28annotated%29.pdf"
        );
        assert_eq!(
            attachment("Ünï\"\r\n.pdf"),
            "attachment; filename*=UTF-8''%C3%9Cn%C3%AF%22%0D%0A%20%28annotated%29.pdf"
        );
    }
}
