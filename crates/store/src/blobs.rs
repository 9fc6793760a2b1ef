//! The blob store: files (uploads, page images) in the tenant's region, over
//! `object_store`. Every key starts with the tenant, and each region has its own store,
//! so one organisation's files are never written where another region's live.
//!
//! The embedded default keeps each region in its own directory under the data
//! directory; an S3-compatible store per region plugs in here.

use std::{collections::HashMap, path::PathBuf, sync::Arc};

use bytes::Bytes;
use confab_proto::{DocumentId, MeetingId, TenantId};
use futures_util::TryStreamExt;
use object_store::{local::LocalFileSystem, path::Path, ObjectStore, PutPayload};

/// What can go wrong with blobs.
#[derive(Debug, thiserror::Error)]
pub enum BlobError {
    #[error("blob store: {0}")]
    Store(#[from] object_store::Error),
    #[error("blob store directory: {0}")]
    Io(#[from] std::io::Error),
    /// A region name that cannot be a directory.
    #[error("invalid region {0:?}")]
    Region(String),
}

/// Where a blob lives; built only from typed ids, so keys cannot collide or escape.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BlobKey(Path);

impl BlobKey {
    fn document(tenant: TenantId, meeting: MeetingId, doc: DocumentId) -> String {
        format!("tenants/{tenant}/meetings/{meeting}/documents/{doc}")
    }

    /// The file as uploaded.
    pub fn upload(tenant: TenantId, meeting: MeetingId, doc: DocumentId) -> Self {
        Self(Path::from(format!(
            "{}/upload",
            Self::document(tenant, meeting, doc)
        )))
    }

    /// One rendered image of a page (`size`: large, medium or thumb).
    pub fn page(
        tenant: TenantId,
        meeting: MeetingId,
        doc: DocumentId,
        index: u32,
        size: &str,
    ) -> Self {
        Self(Path::from(format!(
            "{}/pages/{index}-{size}.jpg",
            Self::document(tenant, meeting, doc)
        )))
    }

    /// Everything of one document.
    pub fn document_prefix(tenant: TenantId, meeting: MeetingId, doc: DocumentId) -> Self {
        Self(Path::from(Self::document(tenant, meeting, doc)))
    }
}

/// Blob stores per region.
#[derive(Clone, Debug)]
pub struct Blobs {
    root: PathBuf,
    stores: Arc<std::sync::Mutex<HashMap<String, Arc<dyn ObjectStore>>>>,
}

impl Blobs {
    /// Local directories under `root`, one per region.
    pub fn local(root: PathBuf) -> Self {
        Self {
            root,
            stores: Arc::default(),
        }
    }

    fn store(&self, region: &str) -> Result<Arc<dyn ObjectStore>, BlobError> {
        if region.is_empty()
            || !region
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-')
        {
            return Err(BlobError::Region(region.to_owned()));
        }
        let mut stores = self.stores.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(s) = stores.get(region) {
            return Ok(s.clone());
        }
        let dir = self.root.join(region);
        std::fs::create_dir_all(&dir)?;
        let store: Arc<dyn ObjectStore> = Arc::new(LocalFileSystem::new_with_prefix(&dir)?);
        stores.insert(region.to_owned(), store.clone());
        Ok(store)
    }

    pub async fn put(&self, region: &str, key: &BlobKey, bytes: Bytes) -> Result<(), BlobError> {
        self.store(region)?
            .put(&key.0, PutPayload::from_bytes(bytes))
            .await?;
        Ok(())
    }

    /// The blob's bytes, or `None` if there is no such blob.
    pub async fn get(&self, region: &str, key: &BlobKey) -> Result<Option<Bytes>, BlobError> {
        match self.store(region)?.get(&key.0).await {
            Ok(r) => Ok(Some(r.bytes().await?)),
            Err(object_store::Error::NotFound { .. }) => Ok(None),
            Err(e) => Err(e.into()),
        }
    }

    /// Deletes every blob under `prefix`.
    pub async fn delete_prefix(&self, region: &str, prefix: &BlobKey) -> Result<(), BlobError> {
        let store = self.store(region)?;
        let paths: Vec<Path> = store
            .list(Some(&prefix.0))
            .map_ok(|m| m.location)
            .try_collect()
            .await?;
        for p in paths {
            store.delete(&p).await?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn blobs_round_trip_per_region_and_deleting_a_document_removes_its_pages() {
        let root = std::env::temp_dir().join(format!("confab-blobs-{}", uuid::Uuid::new_v4()));
        let blobs = Blobs::local(root.clone());
        let (t, m, d) = (TenantId::new(), MeetingId::new(), DocumentId::new());
        let page = BlobKey::page(t, m, d, 0, "large");
        blobs
            .put("eu-central", &page, Bytes::from_static(b"jpeg"))
            .await
            .unwrap();
        assert_eq!(
            blobs.get("eu-central", &page).await.unwrap().as_deref(),
            Some(&b"jpeg"[..])
        );
        assert_eq!(
            blobs.get("us-east", &page).await.unwrap(),
            None,
            "regions do not share blobs"
        );
        assert!(root.join("eu-central/tenants").is_dir());
        blobs
            .delete_prefix("eu-central", &BlobKey::document_prefix(t, m, d))
            .await
            .unwrap();
        assert_eq!(blobs.get("eu-central", &page).await.unwrap(), None);
        assert!(matches!(
            blobs.get("../etc", &page).await,
            Err(BlobError::Region(_))
        ));
    }
}
