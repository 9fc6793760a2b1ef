//! The blob store: files (uploads, page images) in the tenant's region, over
//! `object_store`. Every key starts with the tenant, and each region has its own store
//! ([`crate::regions`]), so one organisation's files are never written where another
//! region's live. A region that is not declared, or whose store fails, is an error:
//! nothing falls back to another store.

use std::{collections::BTreeMap, sync::Arc};

use bytes::Bytes;
use confab_proto::{DocumentId, MeetingId, TenantId};
use futures_util::{stream::BoxStream, StreamExt, TryStreamExt};
use object_store::{path::Path, ObjectMeta, PutPayload};

use crate::regions::Region;

/// What can go wrong with blobs.
#[derive(Debug, thiserror::Error)]
pub enum BlobError {
    /// The region's store failed or could not be reached; nothing was stored elsewhere.
    #[error("the storage of region {region} failed: {source}")]
    Store {
        region: String,
        source: object_store::Error,
    },
    #[error("blob store directory: {0}")]
    Io(#[from] std::io::Error),
    /// A region that is not declared in the configuration.
    #[error("no region {0:?} is configured")]
    UnknownRegion(String),
}

impl BlobError {
    fn store(region: &str) -> impl Fn(object_store::Error) -> Self + '_ {
        move |source| BlobError::Store {
            region: region.to_owned(),
            source,
        }
    }
}

/// The kinds of file a tenant has, told apart by their keys.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum BlobClass {
    /// Files as uploaded (decks, documents, images).
    Upload,
    /// Rendered page images (every size).
    PageImage,
    /// Anything else under the tenant's prefix (none is written today).
    Other,
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

    /// Everything of one tenant, in any region.
    pub fn tenant_prefix(tenant: TenantId) -> Self {
        Self(Path::from(format!("tenants/{tenant}")))
    }

    /// Which kind of file the key at `path` holds.
    pub fn class_of(path: &Path) -> BlobClass {
        let parts: Vec<_> = path.parts().collect();
        match parts.iter().map(|p| p.as_ref()).collect::<Vec<&str>>()[..] {
            ["tenants", _, "meetings", _, "documents", _, "upload"] => BlobClass::Upload,
            ["tenants", _, "meetings", _, "documents", _, "pages", _] => BlobClass::PageImage,
            _ => BlobClass::Other,
        }
    }

    /// Everything of one document.
    pub fn document_prefix(tenant: TenantId, meeting: MeetingId, doc: DocumentId) -> Self {
        Self(Path::from(Self::document(tenant, meeting, doc)))
    }
}

/// The blob stores of every declared region; cheap to clone.
#[derive(Clone, Debug)]
pub struct Blobs {
    regions: Arc<BTreeMap<String, Region>>,
}

impl Blobs {
    pub fn new(regions: Vec<Region>) -> Self {
        Self {
            regions: Arc::new(regions.into_iter().map(|r| (r.name.clone(), r)).collect()),
        }
    }

    /// The declared region called `name`.
    pub fn region(&self, name: &str) -> Result<&Region, BlobError> {
        self.regions
            .get(name)
            .ok_or_else(|| BlobError::UnknownRegion(name.to_owned()))
    }

    /// Every declared region, by name.
    pub fn regions(&self) -> impl Iterator<Item = &Region> {
        self.regions.values()
    }

    pub async fn put(&self, region: &str, key: &BlobKey, bytes: Bytes) -> Result<(), BlobError> {
        self.region(region)?
            .store
            .put(&key.0, PutPayload::from_bytes(bytes))
            .await
            .map_err(BlobError::store(region))?;
        Ok(())
    }

    /// The blob's bytes, or `None` if there is no such blob.
    pub async fn get(&self, region: &str, key: &BlobKey) -> Result<Option<Bytes>, BlobError> {
        let got = self.region(region)?.store.get(&key.0).await;
        match got {
            Ok(r) => Ok(Some(r.bytes().await.map_err(BlobError::store(region))?)),
            Err(object_store::Error::NotFound { .. }) => Ok(None),
            Err(e) => Err(BlobError::store(region)(e)),
        }
    }

    /// Every blob under `prefix` in one region, as the store lists them.
    pub fn list<'a>(
        &'a self,
        region: &'a str,
        prefix: &BlobKey,
    ) -> BoxStream<'a, Result<ObjectMeta, BlobError>> {
        match self.region(region) {
            Ok(r) => r
                .store
                .list(Some(&prefix.0))
                .map_err(BlobError::store(region))
                .boxed(),
            Err(e) => futures_util::stream::once(async { Err(e) }).boxed(),
        }
    }

    /// Deletes every blob under `prefix`.
    pub async fn delete_prefix(&self, region: &str, prefix: &BlobKey) -> Result<(), BlobError> {
        let paths: Vec<Path> = self
            .list(region, prefix)
            .map_ok(|m| m.location)
            .try_collect()
            .await?;
        let store = &self.region(region)?.store;
        for p in paths {
            store.delete(&p).await.map_err(BlobError::store(region))?;
        }
        Ok(())
    }

    /// Deletes one blob (absent is fine).
    pub async fn delete(&self, region: &str, key: &BlobKey) -> Result<(), BlobError> {
        match self.region(region)?.store.delete(&key.0).await {
            Ok(()) | Err(object_store::Error::NotFound { .. }) => Ok(()),
            Err(e) => Err(BlobError::store(region)(e)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::regions::{open_all, RegionSpec};

    #[tokio::test]
    async fn blobs_round_trip_per_region_and_deleting_a_document_removes_its_pages() {
        let root = std::env::temp_dir().join(format!("confab-blobs-{}", uuid::Uuid::new_v4()));
        let tuning = crate::regions::tests::tuning();
        let local = RegionSpec::Local { directory: None };
        let specs = [
            ("eu-central".to_owned(), local.clone()),
            ("us-east".to_owned(), local),
        ];
        let blobs = Blobs::new(open_all(&specs.into_iter().collect(), &root, &tuning).unwrap());
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
            blobs.get("atlantis", &page).await,
            Err(BlobError::UnknownRegion(_))
        ));
        assert_eq!(BlobKey::class_of(&page.0), BlobClass::PageImage);
        assert_eq!(
            BlobKey::class_of(&BlobKey::upload(t, m, d).0),
            BlobClass::Upload
        );
    }
}
