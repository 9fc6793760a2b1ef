//! The room channel: one WebSocket per participant, JSON text frames.
//!
//! The client's first frame is [`ClientMsg::Hello`]. The server answers with
//! [`ServerMsg::Welcome`] (a snapshot, or a resume), or [`ServerMsg::Lobby`] while the
//! participant waits to be admitted. After that the server sends ordered
//! [`ServerMsg::Event`]s; each carries the meeting's sequence number, and a client that
//! reconnects with the last number it saw gets exactly the events it missed.
//! `docs/protocol.md` walks through the exchange message by message.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::{
    content::{DocumentInfo, DocumentKind, Stage},
    AttendeePermissions, DocumentId, MeetingId, MeetingRole, ParticipantId, Seq,
};

/// A frame from the client: an optional correlation number plus one message.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct ClientFrame {
    /// Echoed in the error that answers this frame, if any.
    #[serde(default, rename = "ref", skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub reference: Option<u32>,
    #[serde(flatten)]
    pub msg: ClientMsg,
}

/// Where to pick up after a dropped connection.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct Resume {
    /// The `epoch` from the last welcome: identifies one run of the meeting actor.
    pub epoch: String,
    /// The last sequence number the client applied.
    #[ts(type = "number")]
    pub since: Seq,
}

/// Where a chat message goes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, TS, utoipa::ToSchema)]
#[serde(tag = "kind", rename_all = "snake_case")]
#[ts(export)]
pub enum ChatTo {
    /// Everyone in the meeting.
    Everyone,
    /// Organizer and presenters only (plus the sender).
    Presenters,
    /// One person, privately.
    Participant { id: ParticipantId },
}

/// Everything a client can say on the room channel.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, TS)]
#[serde(tag = "type", rename_all = "snake_case")]
#[ts(export)]
pub enum ClientMsg {
    /// First frame: the join token from `POST /api/v1/links/{key}/join`, and where to resume.
    Hello {
        token: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        #[ts(optional)]
        resume: Option<Resume>,
    },
    /// Keep-alive; answered with `pong`.
    Ping,
    SendChat {
        to: ChatTo,
        text: String,
    },
    RaiseHand {
        raised: bool,
    },
    SetAway {
        away: bool,
    },
    /// Promote to presenter or demote to attendee (presenters only).
    SetRole {
        participant: ParticipantId,
        role: MeetingRole,
    },
    /// Remove someone; with `bar`, their link no longer lets them back in.
    RemoveParticipant {
        participant: ParticipantId,
        bar: bool,
    },
    /// Let someone waiting in the lobby in.
    Admit {
        participant: ParticipantId,
    },
    /// Turn someone waiting in the lobby away.
    Deny {
        participant: ParticipantId,
    },
    AdmitAll,
    /// Locked meetings admit nobody new.
    SetLocked {
        locked: bool,
    },
    SetPermissions {
        permissions: AttendeePermissions,
    },
    /// Ends the meeting for everyone.
    EndMeeting,
    /// Shows a page of a document to everyone (presenters only).
    ShowPage {
        document: DocumentId,
        page: u32,
    },
    /// Empties the stage (presenters only).
    ClearStage,
    /// Removes a document from the meeting (presenters only).
    RemoveDocument {
        document: DocumentId,
    },
    /// Creates a whiteboard or a text document of one page and shows it (drives the
    /// stage, so only the presenting presenter, or any presenter while nobody presents).
    NewDocument {
        kind: DocumentKind,
        name: String,
    },
    /// Appends a blank page to a whiteboard or text document and shows it (drives the
    /// stage).
    AddPage {
        document: DocumentId,
    },
    /// Moves page `from` of a whiteboard or text document to position `to` (presenters).
    MovePage {
        document: DocumentId,
        from: u32,
        to: u32,
    },
    /// Removes one page of a whiteboard or text document; the last page goes with its
    /// document (`remove_document`), not alone (presenters).
    RemovePage {
        document: DocumentId,
        page: u32,
    },
    /// Become the one presenter who drives the stage (presenters only).
    TakePresenting,
    /// Hand the stage to another presenter (whoever presents now, or the organizer).
    PassPresenting {
        to: ParticipantId,
    },
    /// Stop driving the stage; the next presenter who shows a page takes it.
    StopPresenting,
    /// Starts (or restarts) audio/video: a WebRTC offer (`RTCSessionDescription.sdp`) with
    /// the tracks to send and receive-only transceivers as slots for others' media.
    MediaOffer {
        sdp: String,
    },
    /// The videos you show, in priority order (pinned first): the server forwards the
    /// first ones that fit your video slots, each in the simulcast layer its tile needs.
    /// Send again whenever the layout or a tile's size changes.
    MediaLayout {
        tiles: Vec<MediaTile>,
    },
    /// Your own microphone and camera switches. The server forwards only what is on, so
    /// a presenter's mute holds until you turn your microphone on again yourself.
    SetMedia {
        microphone: bool,
        camera: bool,
    },
    /// Mutes one participant (presenters only). Nobody can unmute someone else.
    MuteParticipant {
        participant: ParticipantId,
    },
    /// Mutes everyone but presenters (presenters only).
    MuteEveryone,
    /// Asks a muted participant to unmute; they get a prompt (presenters only).
    AskToUnmute {
        participant: ParticipantId,
    },
    /// Turns off one participant's camera (presenters only).
    StopCamera {
        participant: ParticipantId,
    },
    /// Leave for good (a dropped socket, by contrast, may resume).
    Leave,
}

/// One video tile of a subscriber's layout. `height` is the tile's height in device
/// pixels: it picks the simulcast layer.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(tag = "kind", rename_all = "snake_case")]
#[ts(export)]
pub enum MediaTile {
    /// A particular participant's camera.
    Participant {
        participant: ParticipantId,
        height: u32,
    },
    /// Whoever is the dominant speaker.
    Speaker { height: u32 },
}

/// One simulcast encoding of a camera, smallest first; serialised as its RTP stream id
/// (the `rid` of `RTCRtpEncodingParameters`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, TS)]
#[ts(export)]
pub enum SimulcastLayer {
    /// A quarter of the capture's height.
    #[serde(rename = "l")]
    Low,
    /// Half the capture's height.
    #[serde(rename = "m")]
    Medium,
    /// The full capture.
    #[serde(rename = "h")]
    High,
}

impl SimulcastLayer {
    pub const ALL: [SimulcastLayer; 3] = [Self::Low, Self::Medium, Self::High];

    /// The RTP stream id browsers use for this layer.
    pub fn rid(self) -> &'static str {
        match self {
            Self::Low => "l",
            Self::Medium => "m",
            Self::High => "h",
        }
    }

    pub fn from_rid(rid: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|l| l.rid() == rid)
    }

    /// How much smaller than the capture this layer is (`scaleResolutionDownBy`).
    pub fn scale_down_by(self) -> u32 {
        match self {
            Self::Low => 4,
            Self::Medium => 2,
            Self::High => 1,
        }
    }

    /// The bitrate the client caps this layer at (`maxBitrate`), bits per second. The
    /// server picks layers by these figures, so both sides read them from here.
    pub fn nominal_bitrate(self) -> u32 {
        match self {
            Self::Low => 150_000,
            Self::Medium => 500_000,
            Self::High => 1_500_000,
        }
    }
}

/// Height of the camera capture, in pixels: clients capture 1280x720 (Chromium sends
/// only two layers below that) and scale each layer down by
/// [`SimulcastLayer::scale_down_by`].
pub const CAPTURE_HEIGHT: u32 = 720;

/// Most tiles one `media_layout` may list: more than any screen shows, far fewer than
/// would let a client make the router's work per tick large.
pub const MAX_LAYOUT_TILES: usize = 25;

/// A kind of media track.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum TrackKind {
    Audio,
    Video,
}

/// Another participant's track your browser cannot decode: it offered no codec matching
/// the one they send. The server does not send it to you.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct UndecodableTrack {
    pub publisher: ParticipantId,
    pub kind: TrackKind,
    /// The codec they send, as SDP names it (`VP8`, `H264`, `opus`).
    pub codec: String,
}

/// What a presenter asks of a participant's media.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum MediaRequest {
    /// You were muted; the server stopped forwarding your microphone.
    Mute,
    /// Your camera was turned off; the server stopped forwarding it.
    StopCamera,
    /// Please unmute (only you can).
    Unmute,
}

/// The organisation's limits on audio and video, for the client to reflect (the server
/// enforces them regardless).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct MediaLimits {
    pub ip_audio: bool,
    pub ip_video: bool,
    /// Tallest video layer forwarded, in pixels.
    pub max_video_height: u32,
    /// Cap on one participant's video, all layers together.
    pub max_video_bitrate_kbps: u32,
}

/// A TURN server for `RTCPeerConnection`'s `iceServers`, with time-limited credentials.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct IceServer {
    pub urls: Vec<String>,
    pub username: String,
    pub credential: String,
}

/// A person in the meeting, as others see them.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct Participant {
    pub id: ParticipantId,
    pub name: String,
    pub role: MeetingRole,
    /// Joined without an account.
    pub guest: bool,
    pub hand_raised: bool,
    pub away: bool,
    /// False while their connection is down and they may still resume.
    pub connected: bool,
    pub joined_at: DateTime<Utc>,
    /// Their microphone is on (as they set it, or off after a presenter muted them).
    pub microphone: bool,
    /// Their camera is on.
    pub camera: bool,
}

/// Someone waiting to be let in.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct LobbyEntry {
    pub id: ParticipantId,
    pub name: String,
    pub guest: bool,
    pub since: DateTime<Utc>,
}

/// One chat message.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, TS, utoipa::ToSchema)]
#[ts(export)]
pub struct ChatMessage {
    /// Increases by one per message in a meeting, across restarts.
    #[ts(type = "number")]
    pub id: u64,
    pub from: ParticipantId,
    pub from_name: String,
    pub to: ChatTo,
    /// For private messages: the recipient's name, for display.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub to_name: Option<String>,
    pub text: String,
    pub sent_at: DateTime<Utc>,
}

/// The meeting as a participant sees it on arrival.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct Snapshot {
    pub meeting: MeetingId,
    pub title: String,
    pub you: Participant,
    /// Everyone this participant may see (attendees without `see_attendee_list` see presenters only).
    pub participants: Vec<Participant>,
    /// Who waits in the lobby; empty unless you are a presenter.
    pub lobby: Vec<LobbyEntry>,
    pub permissions: AttendeePermissions,
    /// Whether chat is allowed at all by the tenant policy.
    pub chat_enabled: bool,
    pub locked: bool,
    /// The chat history this participant may read, oldest first.
    pub chat: Vec<ChatMessage>,
    /// Server limit on one chat message, in characters.
    pub max_chat_chars: u32,
    /// The organisation's limits on audio and video.
    pub media_limits: MediaLimits,
    /// TURN servers to relay media through when a direct path fails (empty: none
    /// configured). Their credentials last as long as a join token.
    pub ice_servers: Vec<IceServer>,
    /// Who has been talking, if anyone yet (later changes come as `dominant_speaker`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub dominant_speaker: Option<ParticipantId>,
    /// Documents you may see: all of them for presenters, ready ones for attendees.
    pub documents: Vec<DocumentInfo>,
    /// What the stage shows, if anything.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub stage: Option<Stage>,
    /// Who drives the stage, if anyone.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub presenter: Option<ParticipantId>,
}

/// Why someone left the roster.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum LeaveReason {
    Left,
    /// Their connection dropped and did not come back in time.
    TimedOut,
    Removed,
}

/// An ordered change to the meeting. Each participant sees those meant for them.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, TS)]
#[serde(tag = "type", rename_all = "snake_case")]
#[ts(export)]
pub enum RoomEvent {
    ParticipantJoined {
        participant: Participant,
    },
    /// Role, hand, away or connection changed.
    ParticipantUpdated {
        participant: Participant,
    },
    ParticipantLeft {
        id: ParticipantId,
        reason: LeaveReason,
    },
    /// The whole roster, sent when what you may see changes.
    Roster {
        participants: Vec<Participant>,
    },
    /// The lobby changed (presenters only).
    Lobby {
        lobby: Vec<LobbyEntry>,
    },
    Chat {
        message: ChatMessage,
    },
    PermissionsChanged {
        permissions: AttendeePermissions,
    },
    LockChanged {
        locked: bool,
    },
    /// Your own role changed; the client should re-read what it may do.
    RoleChanged {
        role: MeetingRole,
    },
    /// A document was added or its conversion progressed.
    Document {
        document: DocumentInfo,
    },
    DocumentRemoved {
        id: DocumentId,
    },
    /// The stage shows another page, or nothing.
    StageChanged {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        #[ts(optional)]
        stage: Option<Stage>,
    },
    /// Someone else drives the stage now, or nobody.
    PresenterChanged {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        #[ts(optional)]
        presenter: Option<ParticipantId>,
    },
    MeetingEnded,
    /// The loudest participant for a while now (the speaker view shows them).
    DominantSpeaker {
        participant: ParticipantId,
    },
    /// A presenter acted on your media (sent to you only).
    MediaRequest {
        request: MediaRequest,
        by: ParticipantId,
    },
}

/// Why a participant waits in the lobby.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum LobbyReason {
    /// A presenter must admit them.
    AwaitingAdmission,
    /// The meeting has not started: no presenter has arrived yet.
    AwaitingPresenter,
}

/// Error codes of the room channel; the connection stays open after these.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum RoomErrorCode {
    /// The frame was not valid JSON or not a known message.
    BadMessage,
    /// Your role or the attendee permissions do not allow this.
    NotAllowed,
    /// Policy of the organisation forbids this.
    DisabledByPolicy,
    /// Too many messages too fast; try again shortly.
    RateLimited,
    /// The text is longer than the limit.
    TooLong,
    /// The message is empty or otherwise invalid.
    Invalid,
    /// No such participant.
    NotFound,
    /// Only allowed once you are in the meeting (not from the lobby).
    NotAdmitted,
}

/// Why the server is closing the connection. Sent just before the close frame,
/// whose close code is the same reason (see `close_code`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum ByeReason {
    /// The join token is unknown, expired, or the meeting is gone.
    InvalidToken,
    /// The first frame was not a hello.
    HelloExpected,
    /// Removed by a presenter.
    Removed,
    /// Barred from this meeting.
    Barred,
    /// A presenter turned you away from the lobby.
    Denied,
    /// The meeting is at its maximum size.
    MeetingFull,
    /// The meeting is locked.
    MeetingLocked,
    MeetingEnded,
    /// The meeting was cancelled.
    MeetingCancelled,
    /// You left.
    Left,
    /// The same seat connected again elsewhere.
    Replaced,
    /// Your connection fell too far behind; reconnect to resume.
    TooSlow,
    /// A frame exceeded the size limit.
    FrameTooLarge,
    /// The server is restarting; reconnect shortly.
    ServerShutdown,
}

impl ByeReason {
    pub const ALL: [ByeReason; 14] = [
        ByeReason::InvalidToken,
        ByeReason::HelloExpected,
        ByeReason::Removed,
        ByeReason::Barred,
        ByeReason::Denied,
        ByeReason::MeetingFull,
        ByeReason::MeetingLocked,
        ByeReason::MeetingEnded,
        ByeReason::MeetingCancelled,
        ByeReason::Left,
        ByeReason::Replaced,
        ByeReason::TooSlow,
        ByeReason::FrameTooLarge,
        ByeReason::ServerShutdown,
    ];

    /// The WebSocket close code for this reason (4000–4999 are ours).
    pub fn close_code(self) -> u16 {
        match self {
            ByeReason::InvalidToken => 4001,
            ByeReason::HelloExpected => 4002,
            ByeReason::Removed => 4003,
            ByeReason::Barred => 4004,
            ByeReason::Denied => 4005,
            ByeReason::MeetingFull => 4006,
            ByeReason::MeetingLocked => 4007,
            ByeReason::MeetingEnded => 4008,
            ByeReason::MeetingCancelled => 4009,
            ByeReason::Left => 4010,
            ByeReason::Replaced => 4011,
            ByeReason::TooSlow => 4012,
            ByeReason::FrameTooLarge => 1009,
            ByeReason::ServerShutdown => 1012,
        }
    }

    /// Whether a client should reconnect and resume after this.
    pub fn may_resume(self) -> bool {
        matches!(self, ByeReason::TooSlow | ByeReason::ServerShutdown)
    }
}

/// Everything the server sends on the room channel.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, TS)]
#[serde(tag = "type", rename_all = "snake_case")]
#[ts(export)]
pub enum ServerMsg {
    /// You are in. With a snapshot on a fresh join; without one when resuming, in which
    /// case the missed events follow.
    Welcome {
        protocol: u32,
        epoch: String,
        you: ParticipantId,
        /// The sequence number the snapshot reflects (or the resume point).
        #[ts(type = "number")]
        seq: Seq,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        #[ts(optional)]
        snapshot: Option<Box<Snapshot>>,
    },
    /// You wait to be let in.
    Lobby {
        reason: LobbyReason,
        title: String,
    },
    Event {
        #[ts(type = "number")]
        seq: Seq,
        event: RoomEvent,
    },
    Error {
        code: RoomErrorCode,
        message: String,
        #[serde(default, rename = "ref", skip_serializing_if = "Option::is_none")]
        #[ts(optional)]
        reference: Option<u32>,
    },
    /// The connection is about to close, and why.
    Bye {
        reason: ByeReason,
    },
    Pong,
    /// The answer to your `media_offer`.
    MediaAnswer {
        sdp: String,
    },
    /// Whose media fills each of your receive slots, in the order of your offer's
    /// receive-only audio and video transceivers (`null`: empty).
    MediaSlots {
        audio: Vec<Option<ParticipantId>>,
        video: Vec<Option<ParticipantId>>,
    },
    /// The simulcast layers of your camera that someone receives: keep these encodings
    /// active and pause the others (`RTCRtpSender.setParameters`, `active: false`).
    /// Sent when it changes; until the first one, send all.
    MediaLayers {
        active: Vec<SimulcastLayer>,
    },
    /// The other participants' tracks your browser cannot decode (see
    /// [`UndecodableTrack`]), all of them each time the list changes.
    MediaUndecodable {
        tracks: Vec<UndecodableTrack>,
    },
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::shared_doc::CollabClose;

    /// Writes `closeCodes.ts` beside the ts-rs bindings: close codes and resumability
    /// are defined here once, and the client reads them from there.
    #[test]
    fn export_close_codes() {
        let name = |r: ByeReason| {
            serde_json::to_value(r)
                .unwrap()
                .as_str()
                .unwrap()
                .to_owned()
        };
        let mut ts = String::from(
            "// Generated from crates/proto (room.rs, shared_doc.rs) by `cargo test -p confab-proto`. Do not edit.\n\
             import type { ByeReason } from './ByeReason';\n\
             import type { CollabClose } from './CollabClose';\n\n\
             /** The close code the server uses with each bye reason. */\n\
             export const BYE_CLOSE_CODES: Readonly<Record<number, ByeReason>> = {\n",
        );
        for r in ByeReason::ALL {
            ts.push_str(&format!("  {}: '{}',\n", r.close_code(), name(r)));
        }
        ts.push_str("};\n\n/** Reasons after which a client reconnects and resumes. */\n");
        let resumable: Vec<String> = ByeReason::ALL
            .into_iter()
            .filter(|r| r.may_resume())
            .map(|r| format!("'{}'", name(r)))
            .collect();
        ts.push_str(&format!(
            "export const RESUMABLE_BYES: ReadonlySet<ByeReason> = new Set<ByeReason>([{}]);\n",
            resumable.join(", ")
        ));
        ts.push_str(
            "\n/** The close code of each reason the server closes a shared-document socket. */\n\
             export const COLLAB_CLOSE_CODES: Readonly<Record<CollabClose, number>> = {\n",
        );
        for c in CollabClose::ALL {
            let name = serde_json::to_value(c).unwrap();
            ts.push_str(&format!(
                "  {}: {},\n",
                name.as_str().unwrap(),
                c.close_code()
            ));
        }
        ts.push_str("};\n");
        crate::write_generated("closeCodes.ts", &ts);
    }

    #[test]
    fn collab_refusals_are_final_for_the_stock_client_and_the_rest_are_not() {
        for c in CollabClose::ALL {
            let refusal = matches!(
                c,
                CollabClose::Malformed
                    | CollabClose::ReadOnly
                    | CollabClose::Withdrawn
                    | CollabClose::TooLarge
                    | CollabClose::DocumentFull
            );
            assert_eq!((4400..4500).contains(&c.close_code()), refusal, "{c:?}");
        }
    }

    #[test]
    fn close_codes_are_distinct() {
        let mut codes: Vec<u16> = ByeReason::ALL.iter().map(|r| r.close_code()).collect();
        codes.sort_unstable();
        codes.dedup();
        assert_eq!(codes.len(), ByeReason::ALL.len());
    }
}
