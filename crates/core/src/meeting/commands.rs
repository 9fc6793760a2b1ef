//! What each room command does, once the sender is known to be in the meeting.

use chrono::{DateTime, Utc};
use confab_proto::{
    room::{
        ByeReason, ChatMessage, ChatTo, ClientMsg, LeaveReason, MediaRequest, RoomErrorCode,
        RoomEvent, MAX_LAYOUT_TILES,
    },
    AttendeePermissions, MeetingRole, ParticipantId,
};

use super::{
    content::{ContentError, PageChangeCmd},
    media::MediaRefusal,
    Meeting, Output, Persist,
};
use crate::rights::{self, Action, Refusal};

/// A refused command: an error to the sender; the meeting is unchanged.
struct Refused(RoomErrorCode, String);

impl From<ContentError> for Refused {
    fn from(e: ContentError) -> Self {
        Refused(e.code(), e.to_string())
    }
}

impl From<Refusal> for Refused {
    fn from(r: Refusal) -> Self {
        Refused(r.code(), r.to_string())
    }
}

impl From<MediaRefusal> for Refused {
    fn from(r: MediaRefusal) -> Self {
        Refused(r.code(), r.to_string())
    }
}

/// The right each command needs before anything else is looked at: who may do what, at a
/// glance. `None`: anyone in the meeting, and the command checks finer rights itself
/// (what an offer may publish, which media switches may go on). No wildcard arm, so a new
/// command has to take its place here.
fn required(cmd: &ClientMsg) -> Option<Action> {
    use ClientMsg as C;
    match cmd {
        C::Hello { .. }
        | C::Ping
        | C::Leave
        | C::RaiseHand { .. }
        | C::SetAway { .. }
        | C::MediaOffer { .. }
        | C::MediaLayout { .. }
        | C::SetMedia { .. } => None,
        C::SendChat { .. } => Some(Action::Chat),
        C::SetRole { .. }
        | C::RemoveParticipant { .. }
        | C::Admit { .. }
        | C::AdmitAll
        | C::Deny { .. }
        | C::SetLocked { .. }
        | C::SetPermissions { .. }
        | C::EndMeeting
        | C::ShowPage { .. }
        | C::ClearStage
        | C::NewDocument { .. }
        | C::AddPage { .. }
        | C::MovePage { .. }
        | C::RemovePage { .. }
        | C::RemoveDocument { .. }
        | C::TakePresenting
        | C::PassPresenting { .. }
        | C::StopPresenting
        | C::MuteParticipant { .. }
        | C::MuteEveryone
        | C::AskToUnmute { .. }
        | C::StopCamera { .. } => Some(Action::Moderate),
    }
}

fn refuse<T>(code: RoomErrorCode, message: impl Into<String>) -> Result<T, Refused> {
    Err(Refused(code, message.into()))
}

impl Meeting {
    pub(super) fn command(
        &mut self,
        now: DateTime<Utc>,
        from: ParticipantId,
        cmd: ClientMsg,
        out: &mut Vec<Output>,
    ) {
        if let Err(Refused(code, message)) = self.try_command(now, from, cmd, out) {
            out.push(Output::Error {
                to: from,
                code,
                message,
            });
        }
    }

    fn try_command(
        &mut self,
        now: DateTime<Utc>,
        from: ParticipantId,
        cmd: ClientMsg,
        out: &mut Vec<Output>,
    ) -> Result<(), Refused> {
        if let ClientMsg::Leave = cmd {
            return self.leave(from, out);
        }
        let Some(me) = self.members.get(&from) else {
            return refuse(RoomErrorCode::NotAdmitted, "you are not in the meeting yet");
        };
        let role = me.info.role;
        if let Some(action) = required(&cmd) {
            rights::check(&self.cfg.policy, &self.permissions, role, action)?;
        }
        match cmd {
            ClientMsg::Hello { .. } | ClientMsg::Ping | ClientMsg::Leave => {
                refuse(RoomErrorCode::BadMessage, "unexpected message here")
            }
            ClientMsg::SendChat { to, text } => self.send_chat(now, from, to, text, out),
            ClientMsg::RaiseHand { raised } => {
                self.update_self(from, out, |p| p.hand_raised = raised);
                Ok(())
            }
            ClientMsg::SetAway { away } => {
                self.update_self(from, out, |p| p.away = away);
                Ok(())
            }
            ClientMsg::SetRole { participant, role } => self.set_role(now, participant, role, out),
            ClientMsg::RemoveParticipant { participant, bar } => {
                self.remove(from, participant, bar, out)
            }
            ClientMsg::Admit { participant } => self.admit(now, &[participant], out),
            ClientMsg::AdmitAll => {
                let all: Vec<_> = self.lobby.iter().map(|w| w.seat.id).collect();
                self.admit(now, &all, out)
            }
            ClientMsg::Deny { participant } => {
                if self.remove_waiter(participant).is_none() {
                    return refuse(RoomErrorCode::NotFound, "nobody by that id is waiting");
                }
                out.push(Output::Bye {
                    to: participant,
                    reason: ByeReason::Denied,
                });
                self.emit_lobby(out);
                Ok(())
            }
            ClientMsg::SetLocked { locked } => {
                if self.locked != locked {
                    self.locked = locked;
                    self.emit(self.everyone(), RoomEvent::LockChanged { locked }, out);
                    out.push(Output::Persist(Persist::Locked(locked)));
                }
                Ok(())
            }
            ClientMsg::SetPermissions { permissions } => {
                self.set_permissions(permissions, out);
                Ok(())
            }
            ClientMsg::EndMeeting => {
                self.end(ByeReason::MeetingEnded, out);
                Ok(())
            }
            ClientMsg::ShowPage { document, page } => {
                self.drive_stage(from, out)?;
                Ok(self.show_page(document, page, out)?)
            }
            ClientMsg::ClearStage => {
                self.drive_stage(from, out)?;
                self.set_stage(None, out);
                Ok(())
            }
            ClientMsg::NewDocument { kind, name } => {
                self.drive_stage(from, out)?;
                Ok(self.new_document(kind, &name, out)?)
            }
            ClientMsg::AddPage { document } => {
                self.drive_stage(from, out)?;
                Ok(self.add_page(document, out)?)
            }
            ClientMsg::MovePage {
                document,
                from: a,
                to: b,
            } => {
                let change = PageChangeCmd::Move { from: a, to: b };
                Ok(self.change_page(document, change, out)?)
            }
            ClientMsg::RemovePage { document, page } => {
                Ok(self.change_page(document, PageChangeCmd::Remove(page), out)?)
            }
            ClientMsg::TakePresenting => {
                self.set_presenting(Some(from), out);
                Ok(())
            }
            ClientMsg::PassPresenting { to } => {
                let organizer = role == MeetingRole::Organizer;
                Ok(self.pass_presenting(from, to, organizer, out)?)
            }
            ClientMsg::StopPresenting => Ok(self.stop_presenting(from, out)?),
            ClientMsg::MediaOffer { sdp } => {
                let may = self.may_publish(from)?;
                out.push(Output::MediaOffer {
                    from,
                    sdp,
                    audio: may.audio,
                    video: may.video,
                });
                out.push(self.gate_output(from));
                Ok(())
            }
            ClientMsg::MediaLayout { tiles } => {
                if tiles.len() > MAX_LAYOUT_TILES {
                    return refuse(
                        RoomErrorCode::Invalid,
                        format!("a layout has at most {MAX_LAYOUT_TILES} tiles"),
                    );
                }
                out.push(Output::MediaLayout { from, tiles });
                Ok(())
            }
            ClientMsg::SetMedia { microphone, camera } => {
                Ok(self.set_media(from, microphone, camera, out)?)
            }
            ClientMsg::MuteParticipant { participant } => {
                Ok(self.request_media(from, participant, MediaRequest::Mute, out)?)
            }
            ClientMsg::MuteEveryone => {
                self.mute_everyone(from, out);
                Ok(())
            }
            ClientMsg::AskToUnmute { participant } => {
                Ok(self.request_media(from, participant, MediaRequest::Unmute, out)?)
            }
            ClientMsg::StopCamera { participant } => {
                Ok(self.request_media(from, participant, MediaRequest::StopCamera, out)?)
            }
            ClientMsg::RemoveDocument { document } => Ok(self.remove_document(document, out)?),
        }
    }

    fn send_chat(
        &mut self,
        now: DateTime<Utc>,
        from: ParticipantId,
        to: ChatTo,
        text: String,
        out: &mut Vec<Output>,
    ) -> Result<(), Refused> {
        // The chat right itself was checked by `required`.
        let me = &self.members[&from];
        let text = text.trim().to_owned();
        if text.is_empty() {
            return refuse(RoomErrorCode::Invalid, "the message is empty");
        }
        let max = self.cfg.max_chat_chars as usize;
        if text.chars().count() > max {
            return refuse(RoomErrorCode::TooLong, format!("at most {max} characters"));
        }
        let (recipients, to_name) = match to {
            ChatTo::Everyone => (self.everyone(), None),
            ChatTo::Presenters => {
                let mut r = self.presenters();
                if !r.contains(&from) {
                    r.push(from);
                }
                (r, None)
            }
            ChatTo::Participant { id } => {
                let target = match self.members.get(&id) {
                    Some(t) if id != from && self.sees(me, t) => t,
                    _ => return refuse(RoomErrorCode::NotFound, "no such participant"),
                };
                (vec![from, id], Some(target.info.name.clone()))
            }
        };
        let me = self
            .members
            .get_mut(&from)
            .expect("checked above: sender is a member");
        if !me.chat_bucket.try_take(now) {
            return refuse(RoomErrorCode::RateLimited, "slow down: too many messages");
        }
        let message = ChatMessage {
            id: self.next_chat_id,
            from,
            from_name: me.info.name.clone(),
            to,
            to_name,
            text,
            sent_at: now,
        };
        self.next_chat_id += 1;
        if self.chat.len() >= self.cfg.chat_history {
            self.chat.pop_front();
        }
        self.chat.push_back(message.clone());
        self.emit(
            recipients,
            RoomEvent::Chat {
                message: message.clone(),
            },
            out,
        );
        out.push(Output::Persist(Persist::Chat(message)));
        Ok(())
    }

    pub(super) fn update_self(
        &mut self,
        id: ParticipantId,
        out: &mut Vec<Output>,
        change: impl FnOnce(&mut confab_proto::room::Participant),
    ) {
        let member = self
            .members
            .get_mut(&id)
            .expect("caller checked membership");
        let before = member.info.clone();
        change(&mut member.info);
        if member.info != before {
            self.emit_participant_updated(id, out);
        }
    }

    fn set_role(
        &mut self,
        now: DateTime<Utc>,
        target: ParticipantId,
        role: MeetingRole,
        out: &mut Vec<Output>,
    ) -> Result<(), Refused> {
        if role == MeetingRole::Organizer {
            return refuse(RoomErrorCode::Invalid, "there is only one organizer");
        }
        let Some(t) = self.members.get(&target) else {
            return refuse(RoomErrorCode::NotFound, "no such participant");
        };
        if t.info.role == MeetingRole::Organizer {
            return refuse(
                RoomErrorCode::NotAllowed,
                "the organizer's role cannot change",
            );
        }
        if t.info.role == role {
            return Ok(());
        }
        let before = self.audience_of(target);
        self.members
            .get_mut(&target)
            .expect("checked above")
            .info
            .role = role;
        self.remember_admitted(target, role, out);
        let after = self.audience_of(target);
        self.emit(vec![target], RoomEvent::RoleChanged { role }, out);
        self.emit_participant_updated(target, out);
        // Those who no longer see the target get their roster anew, as does the target,
        // whose view of the roster and lobby changed with the role.
        let mut refresh: Vec<_> = before.into_iter().filter(|p| !after.contains(p)).collect();
        refresh.push(target);
        self.emit_roster_to(refresh, out);
        let lobby = if role.is_presenter() {
            self.lobby_entries()
        } else {
            Vec::new()
        };
        self.emit(vec![target], RoomEvent::Lobby { lobby }, out);
        self.refresh_documents_for(target, role.is_presenter(), out);
        if role.is_presenter() {
            self.release_waiting_for_presenter(now, out);
        } else {
            self.release_presenting(target, out);
        }
        Ok(())
    }

    fn remove(
        &mut self,
        from: ParticipantId,
        target: ParticipantId,
        bar: bool,
        out: &mut Vec<Output>,
    ) -> Result<(), Refused> {
        let Some(t) = self.members.get(&target) else {
            return refuse(RoomErrorCode::NotFound, "no such participant");
        };
        if target == from {
            return refuse(RoomErrorCode::Invalid, "use leave to leave the meeting");
        }
        if t.info.role == MeetingRole::Organizer {
            return refuse(RoomErrorCode::NotAllowed, "the organizer cannot be removed");
        }
        let user = t.user;
        self.remove_member(target, LeaveReason::Removed, out);
        self.forget_admitted(target, out);
        if bar {
            self.barred_seats.insert(target);
            if let Some(u) = user {
                self.barred_users.insert(u);
            }
            out.push(Output::Persist(Persist::Bar { seat: target, user }));
        }
        let reason = if bar {
            ByeReason::Barred
        } else {
            ByeReason::Removed
        };
        out.push(Output::Bye { to: target, reason });
        Ok(())
    }

    fn admit(
        &mut self,
        now: DateTime<Utc>,
        ids: &[ParticipantId],
        out: &mut Vec<Output>,
    ) -> Result<(), Refused> {
        let max = self.cfg.policy.max_meeting_size as usize;
        let mut admitted = 0;
        for &id in ids {
            if self.members.len() >= max {
                self.emit_lobby(out);
                return refuse(RoomErrorCode::Invalid, "the meeting is full");
            }
            let Some(w) = self.remove_waiter(id) else {
                return refuse(RoomErrorCode::NotFound, "nobody by that id is waiting");
            };
            self.admit_seat(now, w.seat, out);
            admitted += 1;
        }
        if admitted > 0 {
            self.emit_lobby(out);
        }
        Ok(())
    }

    fn set_permissions(&mut self, wanted: AttendeePermissions, out: &mut Vec<Output>) {
        let permissions = rights::cap_permissions(&self.cfg.policy, wanted);
        if permissions == self.permissions {
            return;
        }
        let list_changed = permissions.see_attendee_list != self.permissions.see_attendee_list;
        self.permissions = permissions;
        self.emit(
            self.everyone(),
            RoomEvent::PermissionsChanged { permissions },
            out,
        );
        out.push(Output::Persist(Persist::Permissions(permissions)));
        if list_changed {
            let attendees = self
                .members
                .values()
                .filter(|m| !m.info.role.is_presenter())
                .map(|m| m.info.id)
                .collect();
            self.emit_roster_to(attendees, out);
        }
    }

    pub(super) fn end(&mut self, reason: ByeReason, out: &mut Vec<Output>) {
        self.ended = true;
        self.emit(self.everyone(), RoomEvent::MeetingEnded, out);
        let everyone: Vec<_> = self
            .members
            .keys()
            .copied()
            .chain(self.lobby.iter().map(|w| w.seat.id))
            .collect();
        for to in everyone {
            out.push(Output::Bye { to, reason });
        }
        self.members.clear();
        self.lobby.clear();
        out.push(Output::Persist(Persist::Ended));
    }

    fn leave(&mut self, from: ParticipantId, out: &mut Vec<Output>) -> Result<(), Refused> {
        if self.members.contains_key(&from) {
            self.remove_member(from, LeaveReason::Left, out);
        } else if self.remove_waiter(from).is_some() {
            self.emit_lobby(out);
        } else {
            return refuse(RoomErrorCode::NotAdmitted, "you are not in the meeting");
        }
        out.push(Output::Bye {
            to: from,
            reason: ByeReason::Left,
        });
        Ok(())
    }
}
