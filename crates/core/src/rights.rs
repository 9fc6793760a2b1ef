//! Effective rights: tenant policy ∩ meeting settings ∩ role and attendee permissions.
//!
//! Every command a participant sends is checked here by the meeting state machine;
//! the client only mirrors the answer. Settings that gate a meeting come from the
//! organizer's policy; settings that gate an action come from the actor's.

use confab_proto::{room::RoomErrorCode, AttendeePermissions, MeetingRole, Policy};

/// Something a participant may try to do in a meeting.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Action {
    Chat,
    SeeAttendeeList,
    /// Page through shared documents on one's own.
    BrowseContent,
    /// Publish a microphone.
    SendAudio,
    /// Publish a camera.
    SendVideo,
    /// Draw on shared pages (ink layers of slides, documents, whiteboards, text pages).
    Annotate,
    /// Export content (documents with their annotations) or print it.
    ExportContent,
    /// Admit, deny, remove, lock, change roles, permissions, end the meeting.
    Moderate,
}

/// Why an action is refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum Refusal {
    /// The organisation's policy forbids it for everyone.
    #[error("disabled by your organisation's policy")]
    Policy,
    /// The participant's role or the attendee permissions forbid it.
    #[error("not allowed for your role")]
    Role,
}

impl Refusal {
    pub fn code(self) -> RoomErrorCode {
        match self {
            Refusal::Policy => RoomErrorCode::DisabledByPolicy,
            Refusal::Role => RoomErrorCode::NotAllowed,
        }
    }
}

/// Decides whether `role` may perform `action` under `policy` and the live `permissions`.
pub fn check(
    policy: &Policy,
    permissions: &AttendeePermissions,
    role: MeetingRole,
    action: Action,
) -> Result<(), Refusal> {
    let (by_policy, by_attendee_permission) = match action {
        Action::Chat => (policy.chat, permissions.chat),
        Action::SeeAttendeeList => (true, permissions.see_attendee_list),
        Action::BrowseContent => (true, permissions.browse_independently),
        Action::SendAudio => (policy.ip_audio, permissions.use_microphone),
        Action::SendVideo => (policy.ip_video, permissions.use_camera),
        Action::Annotate => (policy.annotations, permissions.annotate),
        Action::ExportContent => (true, permissions.export_content),
        Action::Moderate => (true, false),
    };
    if !by_policy {
        return Err(Refusal::Policy);
    }
    if role.is_presenter() || by_attendee_permission {
        Ok(())
    } else {
        Err(Refusal::Role)
    }
}

/// Why a policy cannot be saved: the field at fault and what it needs, or `None`.
/// The ranges are [`confab_proto::rules`]', which the OpenAPI document states.
pub fn policy_problem(policy: &Policy) -> Option<(&'static str, String)> {
    use confab_proto::rules::{MEETING_SIZE, VIDEO_BITRATE_KBPS, VIDEO_HEIGHT};
    [
        (
            "max_meeting_size",
            MEETING_SIZE.check(policy.max_meeting_size),
        ),
        (
            "max_video_height",
            VIDEO_HEIGHT.check(policy.max_video_height),
        ),
        (
            "max_video_bitrate_kbps",
            VIDEO_BITRATE_KBPS.check(policy.max_video_bitrate_kbps),
        ),
    ]
    .into_iter()
    .find_map(|(field, check)| check.err().map(|needs| (field, needs)))
}

/// Attendee permissions capped by policy: a permission the policy forbids cannot be granted.
pub fn cap_permissions(policy: &Policy, wanted: AttendeePermissions) -> AttendeePermissions {
    AttendeePermissions {
        chat: wanted.chat && policy.chat,
        ask_questions: wanted.ask_questions && policy.qa,
        annotate: wanted.annotate && policy.annotations,
        upload_handouts: wanted.upload_handouts && policy.file_transfer,
        edit_notes: wanted.edit_notes && policy.shared_notes,
        use_camera: wanted.use_camera && policy.ip_video,
        use_microphone: wanted.use_microphone && policy.ip_audio,
        ..wanted
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn policies_that_could_carry_no_video_or_nobody_are_refused() {
        assert_eq!(policy_problem(&Policy::default()), None);
        let tiny = Policy {
            max_video_height: 90,
            ..Default::default()
        };
        assert_eq!(policy_problem(&tiny).map(|p| p.0), Some("max_video_height"));
        let thin = Policy {
            max_video_bitrate_kbps: 100,
            ..Default::default()
        };
        assert_eq!(
            policy_problem(&thin).map(|p| p.0),
            Some("max_video_bitrate_kbps")
        );
        for size in [0, 1, 1001, 4_000_000_000] {
            let odd = Policy {
                max_meeting_size: size,
                ..Default::default()
            };
            assert_eq!(policy_problem(&odd).map(|p| p.0), Some("max_meeting_size"));
        }
        for size in [2, 250, 1000] {
            let fine = Policy {
                max_meeting_size: size,
                ..Default::default()
            };
            assert_eq!(policy_problem(&fine), None);
        }
        // A tenant admin cannot make room for four billion people.
        let huge = Policy {
            max_meeting_size: 4_000_000_000,
            ..Default::default()
        };
        assert_eq!(
            policy_problem(&huge),
            Some(("max_meeting_size", "from 2 to 1000".to_owned()))
        );
    }

    #[test]
    fn presenters_chat_even_when_attendee_chat_is_off() {
        let perms = AttendeePermissions {
            chat: false,
            ..Default::default()
        };
        let p = Policy::default();
        assert_eq!(
            check(&p, &perms, MeetingRole::Presenter, Action::Chat),
            Ok(())
        );
        assert_eq!(
            check(&p, &perms, MeetingRole::Attendee, Action::Chat),
            Err(Refusal::Role)
        );
    }

    #[test]
    fn policy_beats_role_for_chat() {
        let p = Policy {
            chat: false,
            ..Default::default()
        };
        let perms = AttendeePermissions::default();
        assert_eq!(
            check(&p, &perms, MeetingRole::Organizer, Action::Chat),
            Err(Refusal::Policy)
        );
    }

    #[test]
    fn attendees_never_moderate_whatever_the_permissions() {
        let perms = AttendeePermissions {
            chat: true,
            see_attendee_list: true,
            ask_questions: true,
            annotate: true,
            browse_independently: true,
            upload_handouts: true,
            edit_notes: true,
            export_content: true,
            use_camera: true,
            use_microphone: true,
        };
        let p = Policy::default();
        assert_eq!(
            check(&p, &perms, MeetingRole::Attendee, Action::Moderate),
            Err(Refusal::Role)
        );
        assert_eq!(
            check(&p, &perms, MeetingRole::Presenter, Action::Moderate),
            Ok(())
        );
    }

    #[test]
    fn capping_removes_what_policy_forbids_and_keeps_the_rest() {
        let p = Policy {
            ip_video: false,
            annotations: false,
            ..Default::default()
        };
        let wanted = AttendeePermissions {
            annotate: true,
            ..Default::default()
        };
        let capped = cap_permissions(&p, wanted);
        assert!(!capped.use_camera);
        assert!(!capped.annotate);
        assert!(capped.use_microphone);
        assert!(capped.chat);
    }
}
