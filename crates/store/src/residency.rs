//! The residency census of one tenant: its files in its own region counted by class,
//! every other region's store scanned for any key under the tenant's prefix, and its
//! database records counted by class. Shared by the REST API and the CLI.
//!
//! The scan lists the stores themselves (never an index kept beside them), so a file
//! written to the wrong region by any path, past or future, shows up as a stray.

use std::collections::BTreeMap;

use chrono::Utc;
use confab_proto::residency::{
    FileClass, FileResidency, RecordClass, RecordCount, RecordResidency, ResidencyReport,
    StrayCheck,
};
use futures_util::TryStreamExt;

use crate::{BlobClass, BlobError, BlobKey, Blobs, Store, StoreError, TenantRow};

/// Keys of strays listed per region (all of them are counted).
const STRAY_EXAMPLES: usize = 10;

/// Why a report could not be made.
#[derive(Debug, thiserror::Error)]
pub enum ResidencyError {
    #[error(transparent)]
    Store(#[from] StoreError),
    /// A region's store could not be listed: the report would be incomplete.
    #[error(transparent)]
    Blob(#[from] BlobError),
}

/// The tables holding a tenant's records, each with its `tenant_id` column.
const RECORD_TABLES: [(RecordClass, &str); 12] = [
    (RecordClass::Accounts, "users"),
    (RecordClass::Sessions, "sessions"),
    (RecordClass::ApiTokens, "api_tokens"),
    (RecordClass::Meetings, "meetings"),
    (RecordClass::Participants, "seats"),
    (RecordClass::ChatMessages, "chat_messages"),
    (RecordClass::MeetingState, "room_state"),
    (RecordClass::Bans, "bans"),
    (RecordClass::Documents, "documents"),
    (RecordClass::SpeakerNotes, "document_notes"),
    (RecordClass::SharedDocumentUpdates, "collab_updates"),
    (RecordClass::SharedDocumentSnapshots, "collab_snapshots"),
];

fn file_class(class: BlobClass) -> FileClass {
    match class {
        BlobClass::Upload => FileClass::Upload,
        BlobClass::PageImage => FileClass::PageImage,
        BlobClass::Other => FileClass::Other,
    }
}

impl Store {
    /// How many records of each class `tenant` has.
    pub async fn record_counts(
        &self,
        tenant: confab_proto::TenantId,
    ) -> crate::Result<Vec<RecordCount>> {
        let mut counts = Vec::with_capacity(RECORD_TABLES.len());
        for (class, table) in RECORD_TABLES {
            // The table names are the constants above, never input.
            let n: i64 =
                sqlx::query_scalar(&format!("SELECT COUNT(*) FROM {table} WHERE tenant_id = ?"))
                    .bind(tenant.0)
                    .fetch_one(&self.read)
                    .await?;
            counts.push(RecordCount {
                class,
                items: u64::try_from(n).unwrap_or(0),
            });
        }
        Ok(counts)
    }
}

/// Counts `tenant`'s files in `region` by class (every class appears, even at zero).
async fn census(
    blobs: &Blobs,
    region: &str,
    tenant: confab_proto::TenantId,
) -> Result<Vec<FileResidency>, BlobError> {
    let location = blobs.region(region)?.location.clone();
    let mut by_class: BTreeMap<BlobClass, (u64, u64)> =
        [BlobClass::Upload, BlobClass::PageImage, BlobClass::Other]
            .into_iter()
            .map(|c| (c, (0, 0)))
            .collect();
    let mut listing = blobs.list(region, &BlobKey::tenant_prefix(tenant));
    while let Some(meta) = listing.try_next().await? {
        let entry = by_class
            .entry(BlobKey::class_of(&meta.location))
            .or_default();
        entry.0 += 1;
        entry.1 += meta.size;
    }
    Ok(by_class
        .into_iter()
        .map(|(class, (items, bytes))| FileResidency {
            class: file_class(class),
            region: region.to_owned(),
            location: location.clone(),
            items,
            bytes,
        })
        .collect())
}

/// Lists `tenant`'s keys in a region that is not its own.
async fn strays(
    blobs: &Blobs,
    region: &str,
    tenant: confab_proto::TenantId,
) -> Result<StrayCheck, BlobError> {
    let location = blobs.region(region)?.location.clone();
    let mut check = StrayCheck {
        region: region.to_owned(),
        location,
        strays: 0,
        examples: Vec::new(),
    };
    let mut listing = blobs.list(region, &BlobKey::tenant_prefix(tenant));
    while let Some(meta) = listing.try_next().await? {
        check.strays += 1;
        if check.examples.len() < STRAY_EXAMPLES {
            check.examples.push(meta.location.to_string());
        }
    }
    Ok(check)
}

/// The residency report of `tenant`. `database` names where its records are kept.
pub async fn report(
    store: &Store,
    blobs: &Blobs,
    tenant: &TenantRow,
    database: String,
) -> Result<ResidencyReport, ResidencyError> {
    let id = tenant.id();
    let files = census(blobs, &tenant.region, id).await?;
    let others: Vec<String> = blobs
        .regions()
        .map(|r| r.name.clone())
        .filter(|name| *name != tenant.region)
        .collect();
    let other_regions =
        futures_util::future::try_join_all(others.iter().map(|r| strays(blobs, r, id))).await?;
    let resident = other_regions.iter().all(|c| c.strays == 0);
    Ok(ResidencyReport {
        tenant: id,
        tenant_name: tenant.name.clone(),
        region: tenant.region.clone(),
        generated_at: Utc::now(),
        files,
        records: RecordResidency {
            database,
            per_region: false,
            note: "Records of every region are kept in this one database for now; a database \
                   per region is not built yet. Files are kept per region."
                .into(),
            classes: store.record_counts(id).await?,
        },
        other_regions,
        resident,
    })
}
