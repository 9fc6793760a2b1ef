//! The residency report: where each class of a tenant's data lives, how much of it
//! there is, and the proof that none of its files is in any other region's store.
//! Written for a customer's data-protection officer as much as for a program.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use ts_rs::TS;
use utoipa::ToSchema;

use crate::TenantId;

/// Where an object store is (never its credentials).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, TS, ToSchema)]
#[serde(tag = "kind", rename_all = "snake_case")]
#[ts(export)]
pub enum StoreLocation {
    /// A directory on the server's disk.
    Local { directory: String },
    /// A bucket on an S3-compatible service.
    S3 {
        endpoint: String,
        bucket: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        #[ts(optional)]
        prefix: Option<String>,
    },
}

/// A class of files.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, TS, ToSchema)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum FileClass {
    /// Files as uploaded (decks, documents, images).
    Upload,
    /// Rendered page images, every size.
    PageImage,
    /// Any other file under the tenant's keys.
    Other,
}

/// How many files of one class a tenant has, and where.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, TS, ToSchema)]
#[ts(export)]
pub struct FileResidency {
    pub class: FileClass,
    pub region: String,
    pub location: StoreLocation,
    pub items: u64,
    pub bytes: u64,
}

/// A class of database records.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, TS, ToSchema)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum RecordClass {
    Accounts,
    Sessions,
    ApiTokens,
    Meetings,
    Participants,
    ChatMessages,
    MeetingState,
    Bans,
    Documents,
    SpeakerNotes,
    SharedDocumentUpdates,
    SharedDocumentSnapshots,
}

/// How many records of one class a tenant has.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, TS, ToSchema)]
#[ts(export)]
pub struct RecordCount {
    pub class: RecordClass,
    pub items: u64,
}

/// Where a tenant's records are kept.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, TS, ToSchema)]
#[ts(export)]
pub struct RecordResidency {
    /// The database file holding them.
    pub database: String,
    /// Whether that database belongs to the tenant's region alone (false today: one
    /// database serves every region; see `note`).
    pub per_region: bool,
    pub note: String,
    pub classes: Vec<RecordCount>,
}

/// What a scan of another region's store found under this tenant's keys.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, TS, ToSchema)]
#[ts(export)]
pub struct StrayCheck {
    pub region: String,
    pub location: StoreLocation,
    /// Files of this tenant found there (0 when its data stayed in its region).
    pub strays: u64,
    /// The first few of their keys.
    pub examples: Vec<String>,
}

/// The residency report of one tenant.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, TS, ToSchema)]
#[ts(export)]
pub struct ResidencyReport {
    pub tenant: TenantId,
    pub tenant_name: String,
    /// The region the tenant is pinned to.
    pub region: String,
    pub generated_at: DateTime<Utc>,
    /// Files in the tenant's own region, by class.
    pub files: Vec<FileResidency>,
    pub records: RecordResidency,
    /// Every other region's store, scanned for this tenant's keys.
    pub other_regions: Vec<StrayCheck>,
    /// True when no other region holds any file of this tenant.
    pub resident: bool,
}
