//! Roles and the attendee permissions presenters toggle live (as in Live Meeting).

use serde::{Deserialize, Serialize};
use ts_rs::TS;
use utoipa::ToSchema;

/// What a person may do across the installation.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, TS, ToSchema)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum AccountRole {
    /// Runs the installation: manages tenants.
    ProviderAdmin,
    /// Manages one organisation: its users, tokens and policy.
    TenantAdmin,
    /// May schedule meetings.
    Organizer,
    /// May sign in and join, but not schedule.
    Member,
}

impl AccountRole {
    /// Whether this account may schedule or start meetings.
    pub fn may_schedule(self) -> bool {
        !matches!(self, AccountRole::Member)
    }

    /// Whether this account administers its tenant.
    pub fn is_tenant_admin(self) -> bool {
        matches!(self, AccountRole::ProviderAdmin | AccountRole::TenantAdmin)
    }

    pub fn as_str(self) -> &'static str {
        match self {
            AccountRole::ProviderAdmin => "provider_admin",
            AccountRole::TenantAdmin => "tenant_admin",
            AccountRole::Organizer => "organizer",
            AccountRole::Member => "member",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "provider_admin" => AccountRole::ProviderAdmin,
            "tenant_admin" => AccountRole::TenantAdmin,
            "organizer" => AccountRole::Organizer,
            "member" => AccountRole::Member,
            _ => return None,
        })
    }
}

/// A participant's role inside one meeting.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, TS, ToSchema,
)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum MeetingRole {
    /// Owns the meeting; can never be demoted.
    Organizer,
    /// Runs the meeting: content, moderation, permissions.
    Presenter,
    /// Takes part within the attendee permissions.
    Attendee,
}

impl MeetingRole {
    /// Organizers and presenters moderate the meeting.
    pub fn is_presenter(self) -> bool {
        matches!(self, MeetingRole::Organizer | MeetingRole::Presenter)
    }

    pub fn as_str(self) -> &'static str {
        match self {
            MeetingRole::Organizer => "organizer",
            MeetingRole::Presenter => "presenter",
            MeetingRole::Attendee => "attendee",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "organizer" => MeetingRole::Organizer,
            "presenter" => MeetingRole::Presenter,
            "attendee" => MeetingRole::Attendee,
            _ => return None,
        })
    }
}

/// What attendees may do; presenters and organizers always may.
/// Presenters toggle these live; policy can cap some of them for the whole meeting.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, TS, ToSchema)]
#[ts(export)]
pub struct AttendeePermissions {
    /// Send chat messages.
    pub chat: bool,
    /// See other attendees in the roster (presenters are always visible).
    pub see_attendee_list: bool,
    /// Ask questions in Q&A.
    pub ask_questions: bool,
    /// Draw on shared pages.
    pub annotate: bool,
    /// Page through content on their own.
    pub browse_independently: bool,
    /// Share files as handouts.
    pub upload_handouts: bool,
    /// Edit the shared notes.
    pub edit_notes: bool,
    /// Export or print content and chat.
    pub export_content: bool,
    /// Publish their camera.
    pub use_camera: bool,
    /// Publish their microphone.
    pub use_microphone: bool,
}

impl Default for AttendeePermissions {
    /// Live Meeting's defaults: attendees talk and see, but do not change content.
    fn default() -> Self {
        Self {
            chat: true,
            see_attendee_list: true,
            ask_questions: true,
            annotate: false,
            browse_independently: true,
            upload_handouts: false,
            edit_notes: false,
            export_content: false,
            use_camera: true,
            use_microphone: true,
        }
    }
}
