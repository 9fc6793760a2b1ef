//! Bodies of the REST API under `/api/v1`. Errors are [`Problem`] (RFC 9457).

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use ts_rs::TS;
use utoipa::{ToResponse, ToSchema};

use crate::{rules, AccountRole, ApiTokenId, MeetingId, MeetingRole, Policy, TenantId, UserId};

/// An error, as `application/problem+json`. `type` is stable; match on it, not on `title`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, TS, ToSchema, ToResponse)]
#[response(
    description = "An error (RFC 9457); `type` says which",
    content_type = "application/problem+json"
)]
#[ts(export)]
pub struct Problem {
    /// A stable URI naming the error, e.g. `urn:confab:problem:wrong-passcode`.
    #[serde(rename = "type")]
    pub kind: String,
    pub title: String,
    pub status: u16,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub detail: Option<String>,
}

/// The stable `type` of every problem the API answers with: `urn:confab:problem:<slug>`.
/// Defined here once; the client's copy is generated (`contracts.ts`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ProblemType {
    Unauthenticated,
    InvalidCredentials,
    Forbidden,
    CrossSite,
    NotFound,
    MethodNotAllowed,
    UnknownLink,
    LinkExpired,
    MeetingCancelled,
    MeetingEnded,
    WrongPasscode,
    SignInRequired,
    InvalidInput,
    MalformedRequest,
    TooLarge,
    Conflict,
    TooManyAttempts,
    BadDocument,
    MeetingQuota,
    Busy,
    /// The organisation's storage region cannot be reached; nothing was stored elsewhere.
    RegionUnavailable,
    Internal,
}

impl ProblemType {
    pub const ALL: [ProblemType; 22] = [
        Self::Unauthenticated,
        Self::InvalidCredentials,
        Self::Forbidden,
        Self::CrossSite,
        Self::NotFound,
        Self::MethodNotAllowed,
        Self::UnknownLink,
        Self::LinkExpired,
        Self::MeetingCancelled,
        Self::MeetingEnded,
        Self::WrongPasscode,
        Self::SignInRequired,
        Self::InvalidInput,
        Self::MalformedRequest,
        Self::TooLarge,
        Self::Conflict,
        Self::TooManyAttempts,
        Self::BadDocument,
        Self::MeetingQuota,
        Self::Busy,
        Self::RegionUnavailable,
        Self::Internal,
    ];

    /// The last part of the type URI.
    pub fn slug(self) -> &'static str {
        match self {
            Self::Unauthenticated => "unauthenticated",
            Self::InvalidCredentials => "invalid-credentials",
            Self::Forbidden => "forbidden",
            Self::CrossSite => "cross-site",
            Self::NotFound => "not-found",
            Self::MethodNotAllowed => "method-not-allowed",
            Self::UnknownLink => "unknown-link",
            Self::LinkExpired => "link-expired",
            Self::MeetingCancelled => "meeting-cancelled",
            Self::MeetingEnded => "meeting-ended",
            Self::WrongPasscode => "wrong-passcode",
            Self::SignInRequired => "sign-in-required",
            Self::InvalidInput => "invalid-input",
            Self::MalformedRequest => "malformed-request",
            Self::TooLarge => "too-large",
            Self::Conflict => "conflict",
            Self::TooManyAttempts => "too-many-attempts",
            Self::BadDocument => "bad-document",
            Self::MeetingQuota => "meeting-quota",
            Self::Busy => "busy",
            Self::RegionUnavailable => "region-unavailable",
            Self::Internal => "internal",
        }
    }

    /// The `type` of a [`Problem`].
    pub fn uri(self) -> String {
        format!("urn:confab:problem:{}", self.slug())
    }
}

#[derive(Clone, Debug, Serialize, Deserialize, TS, ToSchema)]
#[ts(export)]
pub struct LoginRequest {
    pub email: String,
    pub password: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, TS, ToSchema)]
#[ts(export)]
pub struct TenantView {
    pub id: TenantId,
    pub name: String,
    /// Where this organisation's data lives, e.g. `eu-central`.
    pub region: String,
    pub policy: Policy,
    pub created_at: DateTime<Utc>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, TS, ToSchema)]
#[ts(export)]
pub struct UserView {
    pub id: UserId,
    pub tenant: TenantId,
    pub email: String,
    pub name: String,
    pub role: AccountRole,
    pub created_at: DateTime<Utc>,
}

/// Who is signed in.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, TS, ToSchema)]
#[ts(export)]
pub struct Me {
    pub user: UserView,
    pub tenant: TenantView,
}

#[derive(Clone, Debug, Serialize, Deserialize, TS, ToSchema)]
#[ts(export)]
pub struct CreateTenant {
    #[schema(schema_with = rules::schema::tenant_name)]
    pub name: String,
    #[schema(schema_with = rules::schema::region)]
    pub region: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub policy: Option<Policy>,
}

#[derive(Clone, Debug, Serialize, Deserialize, TS, ToSchema)]
#[ts(export)]
pub struct CreateUser {
    #[schema(schema_with = rules::schema::email)]
    pub email: String,
    #[schema(schema_with = rules::schema::user_name)]
    pub name: String,
    pub role: AccountRole,
    #[schema(schema_with = rules::schema::password)]
    pub password: String,
}

/// An administrator's change to a user: any of name, role, or a new password (which
/// signs the user out everywhere). Omitted fields stay as they are.
#[derive(Clone, Debug, Default, Serialize, Deserialize, TS, ToSchema)]
#[ts(export)]
pub struct UpdateUser {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    #[schema(schema_with = rules::schema::optional_user_name)]
    pub name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub role: Option<AccountRole>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    #[schema(schema_with = rules::schema::optional_password)]
    pub password: Option<String>,
}

/// A new password for the signed-in user, who proves it is them with the current one.
#[derive(Clone, Debug, Serialize, Deserialize, TS, ToSchema)]
#[ts(export)]
pub struct ChangePassword {
    pub current: String,
    #[schema(schema_with = rules::schema::password)]
    pub new: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, TS, ToSchema)]
#[ts(export)]
pub struct ApiTokenView {
    pub id: ApiTokenId,
    pub name: String,
    pub created_at: DateTime<Utc>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub last_used_at: Option<DateTime<Utc>>,
    /// When the token stops working; absent: it works until revoked.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub expires_at: Option<DateTime<Utc>>,
}

#[derive(Clone, Debug, Serialize, Deserialize, TS, ToSchema)]
#[ts(export)]
pub struct CreateApiToken {
    #[schema(schema_with = rules::schema::token_name)]
    pub name: String,
    /// Days until the token stops working (1 to 3650); absent: until revoked.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub expires_in_days: Option<u32>,
}

/// The secret is shown once, here; the server keeps only its hash.
#[derive(Clone, Debug, Serialize, Deserialize, TS, ToSchema)]
#[ts(export)]
pub struct CreatedApiToken {
    pub token: String,
    pub info: ApiTokenView,
}

/// A meeting as its organizer schedules or edits it.
/// Times are wall-clock times in `time_zone` (an IANA name such as `Europe/Berlin`),
/// written `YYYY-MM-DDTHH:MM` (as an HTML `datetime-local` input gives them).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, TS, ToSchema)]
#[ts(export)]
pub struct MeetingInput {
    #[schema(schema_with = rules::schema::title)]
    pub title: String,
    #[serde(default)]
    #[schema(schema_with = rules::schema::description)]
    pub description: String,
    #[schema(schema_with = rules::schema::local_time)]
    pub start: String,
    #[schema(schema_with = rules::schema::local_time)]
    pub end: String,
    /// An IANA time zone, e.g. `Europe/Berlin`.
    pub time_zone: String,
    /// Empty or absent: no passcode; otherwise 4 to 32 characters.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    #[schema(schema_with = rules::schema::optional_passcode)]
    pub passcode: Option<String>,
    #[serde(default = "yes")]
    pub lobby: bool,
    #[serde(default = "yes")]
    pub allow_guests: bool,
    /// Attendees who arrive before any presenter wait in the lobby until one comes.
    #[serde(default = "yes")]
    pub wait_for_presenter: bool,
    /// E-mail addresses of accounts who join as presenters whichever link they use.
    #[serde(default)]
    #[schema(schema_with = rules::schema::presenters)]
    pub presenters: Vec<String>,
}

fn yes() -> bool {
    true
}

/// Start a meeting now, without scheduling.
#[derive(Clone, Debug, Default, Serialize, Deserialize, TS, ToSchema)]
#[ts(export)]
pub struct MeetNow {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    #[schema(schema_with = rules::schema::optional_title)]
    pub title: Option<String>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, TS, ToSchema)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum MeetingStatus {
    Scheduled,
    Ended,
    Cancelled,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, TS, ToSchema)]
#[ts(export)]
pub struct PersonRef {
    pub id: UserId,
    pub name: String,
    pub email: String,
}

/// A meeting as the API shows it. Links and passcode are shown to its organizer only.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, TS, ToSchema)]
#[ts(export)]
pub struct MeetingView {
    pub id: MeetingId,
    pub title: String,
    pub description: String,
    pub status: MeetingStatus,
    /// Started with "meet now" rather than scheduled.
    pub instant: bool,
    pub start: String,
    pub end: String,
    pub time_zone: String,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    pub lobby: bool,
    pub allow_guests: bool,
    pub wait_for_presenter: bool,
    pub presenters: Vec<String>,
    pub organizer: PersonRef,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub passcode: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub presenter_link: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub attendee_link: Option<String>,
    /// iCalendar SEQUENCE: bumped on every change.
    pub sequence: u32,
    /// People in the meeting right now (0 when not live).
    pub live_participants: u32,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// What a join link leads to, shown on the join page before joining.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, TS, ToSchema)]
#[ts(export)]
pub struct LinkInfo {
    pub meeting: MeetingId,
    pub title: String,
    pub organizer_name: String,
    /// The role this link grants (a signed-in named presenter gets presenter anyway).
    pub role: MeetingRole,
    pub starts_at: DateTime<Utc>,
    pub time_zone: String,
    pub needs_passcode: bool,
    /// Guests may join without an account.
    pub allow_guests: bool,
    /// The signed-in user's name, if any: they join under it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub signed_in_as: Option<String>,
}

#[derive(Clone, Debug, Default, Serialize, Deserialize, TS, ToSchema)]
#[ts(export)]
pub struct JoinRequest {
    /// Required for guests; ignored for signed-in users.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    #[schema(schema_with = rules::schema::optional_display_name)]
    pub display_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    #[schema(schema_with = rules::schema::optional_passcode)]
    pub passcode: Option<String>,
}

/// A join token opens the room channel (first frame `hello`).
#[derive(Clone, Debug, Serialize, Deserialize, TS, ToSchema)]
#[ts(export)]
pub struct JoinResponse {
    pub token: String,
    pub meeting: MeetingId,
    pub role: MeetingRole,
    pub expires_at: DateTime<Utc>,
}
