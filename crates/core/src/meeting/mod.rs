//! The live meeting as a pure state machine.
//!
//! The server's meeting actor feeds it [`Input`]s with the current time and carries out
//! the [`Output`]s: events go to the listed participants, replies to one, `Persist` to the
//! store. It never reads a clock, never awaits, never touches a socket, so every rule
//! (lobby, roles, permissions, chat, visibility) is tested here with a virtual clock.
//!
//! Rule: every event a participant may see is addressed to them when it happens, even
//! while their connection is down, so that the shell can replay exactly what they missed.

mod chat;
mod commands;
mod content;
#[cfg(test)]
mod content_tests;
mod media;
#[cfg(test)]
mod tests;

use std::collections::{BTreeMap, HashMap, HashSet, VecDeque};

use chrono::{DateTime, TimeDelta, Utc};
use confab_proto::{
    content::{DocumentInfo, Stage},
    room::{
        ByeReason, ChatMessage, ClientMsg, LeaveReason, LobbyEntry, LobbyReason, MediaLimits,
        MediaTile, Participant, RoomErrorCode, RoomEvent, Snapshot,
    },
    shared_doc::DocName,
    AttendeePermissions, DocumentId, MeetingId, MeetingRole, ParticipantId, Policy, Seq, UserId,
};

use crate::{
    ratelimit::TokenBucket,
    rights::{self, Action},
};

/// Fixed for the life of one live meeting.
#[derive(Clone, Debug)]
pub struct MeetingConfig {
    pub meeting: MeetingId,
    pub title: String,
    /// The organizer's tenant policy.
    pub policy: Policy,
    pub lobby: bool,
    pub wait_for_presenter: bool,
    pub max_chat_chars: u32,
    /// Most pages of one document (also bounds whiteboards and text documents).
    pub max_pages: u32,
    /// Chat messages kept for late joiners.
    pub chat_history: usize,
    /// Chat rate limit per participant: burst, then messages per second.
    pub chat_burst: u32,
    pub chat_per_second: f64,
    /// How long a dropped participant keeps their seat before they time out.
    pub reconnect_grace: TimeDelta,
    /// Most people waiting in the lobby. The lobby does not count toward the meeting's size
    /// (waiting bots must not make a meeting full for the people let in), so it has its own
    /// bound.
    pub max_lobby: usize,
}

/// Who is connecting: decided by the join link and account, before the meeting sees them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Seat {
    pub id: ParticipantId,
    pub name: String,
    pub role: MeetingRole,
    pub user: Option<UserId>,
}

/// What lasts from an earlier run of the meeting (restored from the store).
#[derive(Clone, Debug, Default)]
pub struct Restored {
    pub permissions: Option<AttendeePermissions>,
    pub locked: bool,
    /// Oldest first.
    pub chat: Vec<ChatMessage>,
    pub barred_seats: Vec<ParticipantId>,
    pub barred_users: Vec<UserId>,
    /// Seats let in earlier, with the role they had: they come back without the lobby.
    pub admitted: Vec<(ParticipantId, MeetingRole)>,
    /// Documents uploaded earlier, in upload order.
    pub documents: Vec<DocumentInfo>,
    pub stage: Option<Stage>,
}

/// Something that happened to the meeting.
#[derive(Clone, Debug, PartialEq)]
pub enum Input {
    /// A participant's connection said hello (new seat or returning one).
    Connect(Seat),
    /// A participant's connection dropped without `leave`.
    Disconnect(ParticipantId),
    Command(ParticipantId, ClientMsg),
    /// Time passed: expire seats whose grace ran out.
    Tick,
    /// The meeting was ended from outside the room (e.g. cancelled by its organizer);
    /// everyone is told `reason`.
    End(ByeReason),
    /// An uploaded document's conversion started or progressed (from the converter).
    Document(DocumentInfo),
    /// The SFU's dominant speaker changed.
    DominantSpeaker(ParticipantId),
    /// These seats' join tokens were revoked (the meeting's links were replaced): they leave
    /// the meeting or the lobby at once, told their token is no longer valid.
    Revoke(Vec<ParticipantId>),
}

/// Something the shell must do.
#[derive(Clone, Debug, PartialEq)]
pub enum Output {
    /// Deliver `event` (numbered `seq`) to each of `to`.
    Event {
        seq: Seq,
        to: Vec<ParticipantId>,
        event: RoomEvent,
    },
    /// `to` is in: send a welcome. `returning` seats may be resumed from the shell's
    /// replay buffer; others get a [`Meeting::snapshot`].
    Welcome {
        to: ParticipantId,
        returning: bool,
    },
    /// `to` waits in the lobby.
    Lobby {
        to: ParticipantId,
        reason: LobbyReason,
    },
    Error {
        to: ParticipantId,
        code: RoomErrorCode,
        message: String,
    },
    /// Tell `to` why, then close their connection.
    Bye {
        to: ParticipantId,
        reason: ByeReason,
    },
    Persist(Persist),
    /// `from` offers WebRTC media; the SFU answers it, refusing what is not allowed.
    MediaOffer {
        from: ParticipantId,
        sdp: String,
        audio: bool,
        video: bool,
    },
    /// `participant` no longer takes part in media (left, dropped, removed).
    MediaGone {
        participant: ParticipantId,
    },
    /// `from` shows these video tiles (validated: at most 25).
    MediaLayout {
        from: ParticipantId,
        tiles: Vec<MediaTile>,
    },
    /// What the SFU may forward from `participant` from now on: their switches ∩ rights.
    MediaGate {
        participant: ParticipantId,
        audio: bool,
        video: bool,
    },
}

/// Changes that must outlive the meeting actor.
#[derive(Clone, Debug, PartialEq)]
pub enum Persist {
    Chat(ChatMessage),
    Permissions(AttendeePermissions),
    Locked(bool),
    Bar {
        seat: ParticipantId,
        user: Option<UserId>,
    },
    /// The stage changed.
    Stage(Option<Stage>),
    /// A whiteboard or text document was made or its pages changed.
    Document(DocumentInfo),
    /// A document was removed: its pages, blobs and shared documents (`shared`) go.
    DocumentRemoved {
        id: DocumentId,
        shared: Vec<DocName>,
    },
    /// Pages of a whiteboard or text document were removed: their shared documents go.
    SharedDocsRemoved(Vec<DocName>),
    /// A seat was let in with `role` (`admitted: false`: it must pass the lobby again).
    Seat {
        seat: ParticipantId,
        role: MeetingRole,
        admitted: bool,
    },
    Ended,
}

#[derive(Clone, Debug)]
struct Member {
    info: Participant,
    user: Option<UserId>,
    disconnected_at: Option<DateTime<Utc>>,
    chat_bucket: TokenBucket,
    /// The media gate last reported to the shell.
    gate: Option<media::Gate>,
}

#[derive(Clone, Debug)]
struct Waiter {
    seat: Seat,
    since: DateTime<Utc>,
    reason: LobbyReason,
}

/// The state of one live meeting.
#[derive(Debug)]
pub struct Meeting {
    cfg: MeetingConfig,
    seq: Seq,
    /// Keyed by UUIDv7 ids, so iteration is in join order.
    members: BTreeMap<ParticipantId, Member>,
    lobby: Vec<Waiter>,
    permissions: AttendeePermissions,
    locked: bool,
    ended: bool,
    barred_seats: HashSet<ParticipantId>,
    barred_users: HashSet<UserId>,
    /// Seats let in during this meeting and their current role (kept while they are away).
    admitted: HashMap<ParticipantId, MeetingRole>,
    /// Upload order.
    documents: Vec<DocumentInfo>,
    stage: Option<Stage>,
    /// The presenter who drives the stage. Not kept across restarts: whoever shows a page
    /// first afterwards takes it.
    presenting: Option<ParticipantId>,
    chat: VecDeque<ChatMessage>,
    next_chat_id: u64,
    /// The SFU's dominant speaker, for late joiners' snapshots.
    dominant_speaker: Option<ParticipantId>,
}

impl Meeting {
    pub fn new(cfg: MeetingConfig, restored: Restored) -> Self {
        let permissions =
            rights::cap_permissions(&cfg.policy, restored.permissions.unwrap_or_default());
        let next_chat_id = restored.chat.last().map_or(1, |m| m.id + 1);
        let skip = restored.chat.len().saturating_sub(cfg.chat_history);
        Self {
            seq: 0,
            members: BTreeMap::new(),
            lobby: Vec::new(),
            permissions,
            locked: restored.locked,
            ended: false,
            barred_seats: restored.barred_seats.into_iter().collect(),
            barred_users: restored.barred_users.into_iter().collect(),
            admitted: restored.admitted.into_iter().collect(),
            documents: restored.documents,
            stage: restored.stage,
            presenting: None,
            chat: restored.chat.into_iter().skip(skip).collect(),
            next_chat_id,
            dominant_speaker: None,
            cfg,
        }
    }

    /// Applies one input at time `now` and returns what the shell must do, in order.
    pub fn handle(&mut self, now: DateTime<Utc>, input: Input) -> Vec<Output> {
        let mut out = Vec::new();
        match input {
            Input::Connect(seat) => self.connect(now, seat, &mut out),
            Input::Disconnect(id) => self.disconnect(now, id, &mut out),
            Input::Command(id, cmd) => self.command(now, id, cmd, &mut out),
            Input::Tick => self.expire(now, &mut out),
            Input::Document(doc) => self.document_progress(doc, &mut out),
            Input::DominantSpeaker(id) => self.dominant_speaker(id, &mut out),
            Input::Revoke(ids) => self.revoke(&ids, &mut out),
            Input::End(reason) => {
                if !self.ended {
                    self.end(reason, &mut out);
                }
            }
        }
        self.sync_gates(&mut out);
        out
    }

    /// When [`Input::Tick`] should next be sent, if ever.
    pub fn next_deadline(&self) -> Option<DateTime<Utc>> {
        self.members
            .values()
            .filter_map(|m| m.disconnected_at)
            .min()
            .map(|t| t + self.cfg.reconnect_grace)
    }

    /// The last sequence number handed out.
    pub fn seq(&self) -> Seq {
        self.seq
    }

    pub fn config(&self) -> &MeetingConfig {
        &self.cfg
    }

    /// People in the meeting, including those whose connection is briefly down.
    pub fn member_count(&self) -> usize {
        self.members.len()
    }

    /// Whether `id` is in the meeting (connected or within their reconnect grace).
    pub fn is_member(&self, id: ParticipantId) -> bool {
        self.members.contains_key(&id)
    }

    /// Nobody in the meeting and nobody waiting: the actor may stop.
    pub fn is_idle(&self) -> bool {
        self.members.is_empty() && self.lobby.is_empty()
    }

    pub fn is_ended(&self) -> bool {
        self.ended
    }

    /// What `id` sees on arrival, or `None` if they are not in the meeting.
    pub fn snapshot(&self, id: ParticipantId) -> Option<Snapshot> {
        let me = self.members.get(&id)?;
        let presenter = me.info.role.is_presenter();
        Some(Snapshot {
            meeting: self.cfg.meeting,
            title: self.cfg.title.clone(),
            you: me.info.clone(),
            participants: self.visible_roster(id),
            lobby: if presenter {
                self.lobby_entries()
            } else {
                Vec::new()
            },
            permissions: self.permissions,
            chat_enabled: self.cfg.policy.chat,
            locked: self.locked,
            chat: self
                .chat
                .iter()
                .filter(|m| chat::readable_by(m, id, presenter))
                .cloned()
                .collect(),
            max_chat_chars: self.cfg.max_chat_chars,
            media_limits: MediaLimits {
                ip_audio: self.cfg.policy.ip_audio,
                ip_video: self.cfg.policy.ip_video,
                max_video_height: self.cfg.policy.max_video_height,
                max_video_bitrate_kbps: self.cfg.policy.max_video_bitrate_kbps,
            },
            // The shell fills these in: it knows the TURN configuration.
            ice_servers: Vec::new(),
            dominant_speaker: self.dominant_speaker,
            documents: self
                .documents
                .iter()
                .filter(|d| content::visible(d, presenter))
                .cloned()
                .collect(),
            stage: self.stage,
            presenter: self.presenting,
        })
    }

    // ---- joining and leaving ----

    fn connect(&mut self, now: DateTime<Utc>, seat: Seat, out: &mut Vec<Output>) {
        let id = seat.id;
        if self.ended {
            return out.push(Output::Bye {
                to: id,
                reason: ByeReason::MeetingEnded,
            });
        }
        if self.barred_seats.contains(&id)
            || seat.user.is_some_and(|u| self.barred_users.contains(&u))
        {
            return out.push(Output::Bye {
                to: id,
                reason: ByeReason::Barred,
            });
        }
        if let Some(member) = self.members.get_mut(&id) {
            let was_down = member.disconnected_at.take().is_some();
            member.info.connected = true;
            let role = member.info.role;
            out.push(Output::Welcome {
                to: id,
                returning: true,
            });
            if was_down {
                self.emit_participant_updated(id, out);
            }
            if role.is_presenter() {
                self.release_waiting_for_presenter(now, out);
            }
            return;
        }
        if let Some(w) = self.lobby.iter().find(|w| w.seat.id == id) {
            return out.push(Output::Lobby {
                to: id,
                reason: w.reason,
            });
        }
        // A seat let in before (e.g. before a restart) returns with its role, past the lobby.
        let mut seat = seat;
        let returning = self.admitted.get(&id).copied();
        if let Some(role) = returning {
            seat.role = role;
        }
        if self.locked && seat.role != MeetingRole::Organizer && returning.is_none() {
            return out.push(Output::Bye {
                to: id,
                reason: ByeReason::MeetingLocked,
            });
        }
        let reason = if seat.role.is_presenter() || returning.is_some() {
            None
        } else if self.cfg.wait_for_presenter && !self.presenter_present() {
            Some(LobbyReason::AwaitingPresenter)
        } else if self.cfg.lobby {
            Some(LobbyReason::AwaitingAdmission)
        } else {
            None
        };
        // Only people let in count toward the size; the lobby is bounded on its own.
        let full = match reason {
            None => self.members.len() >= self.cfg.policy.max_meeting_size as usize,
            Some(_) => self.lobby.len() >= self.cfg.max_lobby,
        };
        if full {
            return out.push(Output::Bye {
                to: id,
                reason: ByeReason::MeetingFull,
            });
        }
        match reason {
            Some(reason) => {
                self.lobby.push(Waiter {
                    seat,
                    since: now,
                    reason,
                });
                out.push(Output::Lobby { to: id, reason });
                self.emit_lobby(out);
            }
            None => {
                let presenter = seat.role.is_presenter();
                self.admit_seat(now, seat, out);
                if presenter {
                    self.release_waiting_for_presenter(now, out);
                }
            }
        }
    }

    fn admit_seat(&mut self, now: DateTime<Utc>, seat: Seat, out: &mut Vec<Output>) {
        let id = seat.id;
        let member = Member {
            info: Participant {
                id,
                name: seat.name,
                role: seat.role,
                guest: seat.user.is_none(),
                hand_raised: false,
                away: false,
                connected: true,
                joined_at: now,
                microphone: true,
                camera: true,
            },
            user: seat.user,
            disconnected_at: None,
            chat_bucket: TokenBucket::new(self.cfg.chat_burst, self.cfg.chat_per_second),
            gate: None,
        };
        let participant = member.info.clone();
        self.members.insert(id, member);
        self.remember_admitted(id, participant.role, out);
        // The newcomer learns the roster from their snapshot, taken after this event.
        let to: Vec<_> = self
            .audience_of(id)
            .into_iter()
            .filter(|&p| p != id)
            .collect();
        self.emit(to, RoomEvent::ParticipantJoined { participant }, out);
        out.push(Output::Welcome {
            to: id,
            returning: false,
        });
    }

    /// Records that `id` is in with `role`, durably, so a restart does not undo it.
    fn remember_admitted(&mut self, id: ParticipantId, role: MeetingRole, out: &mut Vec<Output>) {
        if self.admitted.insert(id, role) != Some(role) {
            out.push(Output::Persist(Persist::Seat {
                seat: id,
                role,
                admitted: true,
            }));
        }
    }

    /// Forgets an admission: the seat must pass the lobby again.
    fn forget_admitted(&mut self, id: ParticipantId, out: &mut Vec<Output>) {
        if let Some(role) = self.admitted.remove(&id) {
            out.push(Output::Persist(Persist::Seat {
                seat: id,
                role,
                admitted: false,
            }));
        }
    }

    /// A presenter is here: attendees waiting for one move on (in, or to admission).
    fn release_waiting_for_presenter(&mut self, now: DateTime<Utc>, out: &mut Vec<Output>) {
        if !self
            .lobby
            .iter()
            .any(|w| w.reason == LobbyReason::AwaitingPresenter)
        {
            return;
        }
        if self.cfg.lobby {
            for w in &mut self.lobby {
                if w.reason == LobbyReason::AwaitingPresenter {
                    w.reason = LobbyReason::AwaitingAdmission;
                    out.push(Output::Lobby {
                        to: w.seat.id,
                        reason: w.reason,
                    });
                }
            }
        } else {
            let (released, kept) = std::mem::take(&mut self.lobby)
                .into_iter()
                .partition(|w| w.reason == LobbyReason::AwaitingPresenter);
            self.lobby = kept;
            let released: Vec<Waiter> = released;
            for w in released {
                self.admit_seat(now, w.seat, out);
            }
        }
        self.emit_lobby(out);
    }

    fn disconnect(&mut self, now: DateTime<Utc>, id: ParticipantId, out: &mut Vec<Output>) {
        if let Some(member) = self.members.get_mut(&id) {
            if member.disconnected_at.is_none() {
                member.disconnected_at = Some(now);
                member.info.connected = false;
                self.emit_participant_updated(id, out);
                // The browser's peer connection went with its page; a resume offers anew.
                out.push(Output::MediaGone { participant: id });
            }
        } else if self.remove_waiter(id).is_some() {
            self.emit_lobby(out);
        }
    }

    fn expire(&mut self, now: DateTime<Utc>, out: &mut Vec<Output>) {
        let grace = self.cfg.reconnect_grace;
        let expired: Vec<ParticipantId> = self
            .members
            .values()
            .filter(|m| m.disconnected_at.is_some_and(|t| t + grace <= now))
            .map(|m| m.info.id)
            .collect();
        for id in expired {
            self.remove_member(id, LeaveReason::TimedOut, out);
        }
    }

    fn remove_member(&mut self, id: ParticipantId, reason: LeaveReason, out: &mut Vec<Output>) {
        let to = self.audience_of(id);
        if self.dominant_speaker == Some(id) {
            self.dominant_speaker = None;
        }
        if self.members.remove(&id).is_some() {
            let to = to.into_iter().filter(|&p| p != id).collect();
            self.emit(to, RoomEvent::ParticipantLeft { id, reason }, out);
            out.push(Output::MediaGone { participant: id });
            self.release_presenting(id, out);
        }
    }

    fn revoke(&mut self, ids: &[ParticipantId], out: &mut Vec<Output>) {
        let mut lobby_changed = false;
        for &id in ids {
            if self.members.contains_key(&id) {
                self.remove_member(id, LeaveReason::Removed, out);
            } else if self.remove_waiter(id).is_some() {
                lobby_changed = true;
            } else {
                continue;
            }
            self.forget_admitted(id, out);
            out.push(Output::Bye {
                to: id,
                reason: ByeReason::InvalidToken,
            });
        }
        if lobby_changed {
            self.emit_lobby(out);
        }
    }

    fn remove_waiter(&mut self, id: ParticipantId) -> Option<Waiter> {
        let i = self.lobby.iter().position(|w| w.seat.id == id)?;
        Some(self.lobby.remove(i))
    }

    // ---- who sees what ----

    fn presenter_present(&self) -> bool {
        self.members
            .values()
            .any(|m| m.info.role.is_presenter() && m.info.connected)
    }

    /// Whether `viewer` may see `subject` in the roster.
    fn sees(&self, viewer: &Member, subject: &Member) -> bool {
        viewer.info.id == subject.info.id
            || subject.info.role.is_presenter()
            || rights::check(
                &self.cfg.policy,
                &self.permissions,
                viewer.info.role,
                Action::SeeAttendeeList,
            )
            .is_ok()
    }

    /// Everyone who sees `subject` in their roster.
    fn audience_of(&self, subject: ParticipantId) -> Vec<ParticipantId> {
        let Some(s) = self.members.get(&subject) else {
            return Vec::new();
        };
        self.members
            .values()
            .filter(|v| self.sees(v, s))
            .map(|v| v.info.id)
            .collect()
    }

    fn visible_roster(&self, viewer: ParticipantId) -> Vec<Participant> {
        let Some(v) = self.members.get(&viewer) else {
            return Vec::new();
        };
        self.members
            .values()
            .filter(|s| self.sees(v, s))
            .map(|s| s.info.clone())
            .collect()
    }

    fn everyone(&self) -> Vec<ParticipantId> {
        self.members.keys().copied().collect()
    }

    fn presenters(&self) -> Vec<ParticipantId> {
        self.members
            .values()
            .filter(|m| m.info.role.is_presenter())
            .map(|m| m.info.id)
            .collect()
    }

    fn lobby_entries(&self) -> Vec<LobbyEntry> {
        self.lobby
            .iter()
            .map(|w| LobbyEntry {
                id: w.seat.id,
                name: w.seat.name.clone(),
                guest: w.seat.user.is_none(),
                since: w.since,
            })
            .collect()
    }

    // ---- emitting ----

    fn emit(&mut self, to: Vec<ParticipantId>, event: RoomEvent, out: &mut Vec<Output>) {
        if to.is_empty() {
            return;
        }
        self.seq += 1;
        out.push(Output::Event {
            seq: self.seq,
            to,
            event,
        });
    }

    fn emit_participant_updated(&mut self, id: ParticipantId, out: &mut Vec<Output>) {
        if let Some(m) = self.members.get(&id) {
            let participant = m.info.clone();
            let to = self.audience_of(id);
            self.emit(to, RoomEvent::ParticipantUpdated { participant }, out);
        }
    }

    fn emit_lobby(&mut self, out: &mut Vec<Output>) {
        let lobby = self.lobby_entries();
        let to = self.presenters();
        self.emit(to, RoomEvent::Lobby { lobby }, out);
    }

    /// Sends each of `viewers` the whole roster they may now see.
    fn emit_roster_to(&mut self, viewers: Vec<ParticipantId>, out: &mut Vec<Output>) {
        for v in viewers {
            let participants = self.visible_roster(v);
            self.emit(vec![v], RoomEvent::Roster { participants }, out);
        }
    }
}
