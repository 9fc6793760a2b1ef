//! Tenant conferencing policy, modelled on the OCS/Lync conferencing policy.
//! The policy caps what any meeting of the tenant may enable; `confab-core` resolves it.

use serde::{Deserialize, Serialize};
use ts_rs::TS;
use utoipa::ToSchema;

/// How much of a screen may be shared.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, TS, ToSchema,
)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum DesktopSharing {
    None,
    SingleApplication,
    Desktop,
}

/// A tenant's conferencing policy. Missing fields in stored or posted JSON take their defaults.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, TS, ToSchema)]
#[serde(default)]
#[ts(export)]
pub struct Policy {
    pub ip_audio: bool,
    pub ip_video: bool,
    pub desktop_sharing: DesktopSharing,
    pub participant_control: bool,
    pub external_participant_control: bool,
    pub chat: bool,
    pub annotations: bool,
    pub polls: bool,
    pub qa: bool,
    pub shared_notes: bool,
    pub file_transfer: bool,
    pub recording: bool,
    pub anonymous_participants: bool,
    /// Largest number of people in one meeting.
    #[schema(schema_with = crate::rules::schema::meeting_size)]
    pub max_meeting_size: u32,
    /// Cap on one participant's video bitrate.
    #[schema(schema_with = crate::rules::schema::video_bitrate_kbps)]
    pub max_video_bitrate_kbps: u32,
    /// Tallest video forwarded, in pixels (720: HD).
    #[schema(schema_with = crate::rules::schema::video_height)]
    pub max_video_height: u32,
}

impl Default for Policy {
    fn default() -> Self {
        Self {
            ip_audio: true,
            ip_video: true,
            desktop_sharing: DesktopSharing::Desktop,
            participant_control: true,
            external_participant_control: false,
            chat: true,
            annotations: true,
            polls: true,
            qa: true,
            shared_notes: true,
            file_transfer: true,
            recording: false,
            anonymous_participants: true,
            max_meeting_size: 250,
            max_video_bitrate_kbps: 2500,
            max_video_height: 720,
        }
    }
}
