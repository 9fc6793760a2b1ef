//! The document pipeline: an upload becomes a conversion job, each rendered page becomes
//! blobs in the tenant's region as soon as it exists, and the meeting hears of every step
//! (so the first page can be shown while the rest still render).
//!
//! Not HTTP: the upload handler (`api::documents`) checks who may upload and maps a
//! [`ConversionError`] to its response.

use std::path::PathBuf;

use bytes::Bytes;
use confab_convert::{ConvertError, Converter, JobEvent, JobHandle, Page};
use confab_proto::{
    content::{DocumentInfo, DocumentKind, DocumentStatus, PageInfo},
    shared_doc::DocName,
    DocumentId, MeetingId, TenantId,
};
use confab_store::{BlobError, BlobKey, Blobs, Store, StoreError};

use super::meeting::LiveMeetings;

/// Why an upload could not start converting.
#[derive(Debug, thiserror::Error)]
pub enum ConversionError {
    /// The converter refused the file (type, size, password, queue full) or failed.
    #[error(transparent)]
    Convert(#[from] ConvertError),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Blob(#[from] BlobError),
    /// The upload could not be staged on local disk.
    #[error("staging the upload: {0}")]
    Io(#[from] std::io::Error),
}

/// Uploads being converted on this node; cheap to clone.
#[derive(Clone)]
pub struct Conversions {
    pub store: Store,
    pub blobs: Blobs,
    pub converter: Converter,
    pub meetings: LiveMeetings,
    /// Where uploads wait for the converter to take its own copy.
    pub uploads: PathBuf,
}

/// The page image sizes stored per page, as they appear in URLs.
pub const SIZES: [&str; 3] = ["large", "medium", "thumb"];

/// Where one upload is being converted.
struct Target {
    tenant: TenantId,
    meeting: MeetingId,
    region: String,
}

/// Removes the upload's temporary file however the request ends.
struct TempUpload(PathBuf);

impl Drop for TempUpload {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}

/// Starts converting an upload. Refusals the converter can make at once (wrong type,
/// zip bomb, password, size) come back as errors; the rest is reported to the meeting.
pub async fn start(
    state: &Conversions,
    tenant: TenantId,
    meeting: MeetingId,
    region: String,
    name: String,
    upload: Bytes,
) -> Result<DocumentInfo, ConversionError> {
    let id = DocumentId::new();
    let key = BlobKey::upload(tenant, meeting, id);
    // Into the tenant's region first: when its store is unreachable the upload fails
    // here, before any conversion work (and nothing is kept anywhere else).
    state.blobs.put(&region, &key, upload.clone()).await?;
    let job = match submit(state, id, &name, &upload).await {
        Ok(job) => job,
        Err(e) => {
            if let Err(d) = state.blobs.delete(&region, &key).await {
                tracing::warn!(document = %id, error = %d, "removing a refused upload failed");
            }
            return Err(e);
        }
    };
    let doc = DocumentInfo {
        id,
        name,
        kind: DocumentKind::Upload,
        status: DocumentStatus::Converting,
        pages: Vec::new(),
    };
    state
        .store
        .save_document(tenant, meeting, &doc, upload.len() as u64)
        .await?;
    state.meetings.document(meeting, doc.clone()).await;
    let target = Target {
        tenant,
        meeting,
        region,
    };
    tokio::spawn(follow(
        state.clone(),
        target,
        doc.clone(),
        upload.len() as u64,
        job,
    ));
    Ok(doc)
}

/// Hands the upload to the converter (through a temporary file it copies).
async fn submit(
    state: &Conversions,
    id: DocumentId,
    name: &str,
    upload: &Bytes,
) -> Result<JobHandle, ConversionError> {
    tokio::fs::create_dir_all(&state.uploads).await?;
    let temp = TempUpload(state.uploads.join(id.to_string()));
    tokio::fs::write(&temp.0, upload).await?;
    Ok(state.converter.submit(&temp.0, name).await?)
}

/// Follows a job to its end, storing pages and reporting progress.
async fn follow(
    state: Conversions,
    t: Target,
    mut doc: DocumentInfo,
    bytes: u64,
    mut job: JobHandle,
) {
    while let Some(event) = job.next().await {
        match event {
            JobEvent::PageReady(page) => match store_page(&state, &t, doc.id, &page).await {
                Ok(info) => doc.pages.push(info),
                Err(e) => {
                    tracing::error!(document = %doc.id, error = %e, "storing a page failed");
                    doc.status = DocumentStatus::Failed {
                        error: "the page images could not be stored (this organisation's storage region is unavailable)".into(),
                    };
                }
            },
            JobEvent::Done { .. } => {
                if doc.status == DocumentStatus::Converting {
                    doc.status = DocumentStatus::Ready;
                }
            }
            JobEvent::Failed(e) => {
                if e.is_internal() {
                    tracing::error!(document = %doc.id, error = %e, "conversion failed");
                }
                doc.status = DocumentStatus::Failed {
                    error: e.to_string(),
                };
            }
            JobEvent::Queued | JobEvent::Converting | JobEvent::Rendering { .. } => continue,
        }
        if let Err(e) = state
            .store
            .save_document(t.tenant, t.meeting, &doc, bytes)
            .await
        {
            tracing::error!(document = %doc.id, error = %e, "saving a document failed");
        }
        state.meetings.document(t.meeting, doc.clone()).await;
        if doc.status != DocumentStatus::Converting {
            break;
        }
    }
}

async fn store_page(
    state: &Conversions,
    t: &Target,
    doc: DocumentId,
    page: &Page,
) -> Result<PageInfo, ConversionError> {
    // The sizes at once: on S3 each is a round trip (BENCHMARKS.md, region stores).
    let puts = SIZES
        .iter()
        .zip([&page.large, &page.medium, &page.thumbnail])
        .map(|(size, image)| {
            let key = BlobKey::page(t.tenant, t.meeting, doc, page.index, size);
            let bytes = Bytes::from(image.jpeg.clone());
            async move { state.blobs.put(&t.region, &key, bytes).await }
        });
    futures_util::future::try_join_all(puts).await?;
    if let Some(notes) = &page.notes {
        state
            .store
            .save_notes(t.tenant, doc, page.index, notes)
            .await?;
    }
    Ok(PageInfo {
        index: page.index,
        slide: Some(page.source.slide),
        step: Some(page.source.step),
        width: page.large.width,
        height: page.large.height,
        collab: DocName::Page {
            document: doc,
            page: page.index,
        },
        text: None,
    })
}
