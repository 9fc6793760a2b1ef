//! Media rules of the meeting: each participant's microphone and camera switches, what
//! presenters may do to them, and what the SFU may forward from whom.
//!
//! The SFU forwards a participant's audio only while their microphone switch is on *and*
//! their rights (policy ∩ permissions ∩ role) allow it; likewise video. Whenever that
//! gate changes for anyone (a mute, a permission toggled live, a role change) the shell
//! gets an [`Output::MediaGate`], so enforcement does not depend on the client obeying.
//! Switches start on: a participant who publishes nothing has nothing to forward anyway.

use confab_proto::{
    room::{MediaRequest, RoomErrorCode, RoomEvent},
    ParticipantId,
};

use super::{Meeting, Output};
use crate::rights::{self, Action, Refusal};

/// What the SFU may forward from one participant.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(super) struct Gate {
    pub audio: bool,
    pub video: bool,
}

/// Why a media command is refused.
#[derive(Debug, PartialEq, Eq, thiserror::Error)]
pub(super) enum MediaRefusal {
    #[error("{0}")]
    Rights(#[from] Refusal),
    #[error("nobody by that id is in the meeting")]
    NotFound,
}

impl MediaRefusal {
    pub(super) fn code(&self) -> RoomErrorCode {
        match self {
            MediaRefusal::Rights(r) => r.code(),
            MediaRefusal::NotFound => RoomErrorCode::NotFound,
        }
    }
}

impl Meeting {
    /// What `id` may publish at all (for their offer), by rights alone.
    pub(super) fn may_publish(&self, id: ParticipantId) -> Result<Gate, Refusal> {
        let role = self.members.get(&id).map(|m| m.info.role);
        let Some(role) = role else {
            return Err(Refusal::Role);
        };
        let may = |a| rights::check(&self.cfg.policy, &self.permissions, role, a);
        Ok(Gate {
            audio: may(Action::SendAudio).is_ok(),
            video: may(Action::SendVideo).is_ok(),
        })
    }

    /// Rights ∩ switches.
    fn gate_of(&self, id: ParticipantId) -> Gate {
        let (Ok(may), Some(m)) = (self.may_publish(id), self.members.get(&id)) else {
            return Gate::default();
        };
        Gate {
            audio: may.audio && m.info.microphone,
            video: may.video && m.info.camera,
        }
    }

    /// `id`'s current gate, for the SFU to apply right after their offer: the offer is
    /// checked against rights alone (a muted participant may still offer a microphone),
    /// and forwarding then follows the switches too.
    pub(super) fn gate_output(&self, id: ParticipantId) -> Output {
        let gate = self.gate_of(id);
        Output::MediaGate {
            participant: id,
            audio: gate.audio,
            video: gate.video,
        }
    }

    /// Reports every participant whose gate changed since last told. Called after each
    /// input, so no rule needs to remember to.
    pub(super) fn sync_gates(&mut self, out: &mut Vec<Output>) {
        let ids: Vec<ParticipantId> = self.members.keys().copied().collect();
        for id in ids {
            let gate = self.gate_of(id);
            let member = self.members.get_mut(&id).expect("iterating members");
            if member.gate != Some(gate) {
                member.gate = Some(gate);
                out.push(Output::MediaGate {
                    participant: id,
                    audio: gate.audio,
                    video: gate.video,
                });
            }
        }
    }

    /// The participant's own switches. Turning on what they may not send is refused.
    pub(super) fn set_media(
        &mut self,
        id: ParticipantId,
        microphone: bool,
        camera: bool,
        out: &mut Vec<Output>,
    ) -> Result<(), MediaRefusal> {
        let role = self.members[&id].info.role;
        let check = |on: bool, action| {
            if on {
                rights::check(&self.cfg.policy, &self.permissions, role, action)
            } else {
                Ok(())
            }
        };
        check(microphone, Action::SendAudio)?;
        check(camera, Action::SendVideo)?;
        self.update_self(id, out, |p| {
            p.microphone = microphone;
            p.camera = camera;
        });
        Ok(())
    }

    /// A presenter's mute, camera stop or unmute request. `by` was checked to moderate.
    pub(super) fn request_media(
        &mut self,
        by: ParticipantId,
        target: ParticipantId,
        request: MediaRequest,
        out: &mut Vec<Output>,
    ) -> Result<(), MediaRefusal> {
        if !self.members.contains_key(&target) {
            return Err(MediaRefusal::NotFound);
        }
        match request {
            MediaRequest::Mute => self.update_self(target, out, |p| p.microphone = false),
            MediaRequest::StopCamera => self.update_self(target, out, |p| p.camera = false),
            // Asking changes nothing: only the participant can switch their microphone on.
            MediaRequest::Unmute => {}
        }
        self.emit(vec![target], RoomEvent::MediaRequest { request, by }, out);
        Ok(())
    }

    /// Mutes every attendee whose microphone is on; presenters keep theirs.
    pub(super) fn mute_everyone(&mut self, by: ParticipantId, out: &mut Vec<Output>) {
        let targets: Vec<ParticipantId> = self
            .members
            .values()
            .filter(|m| !m.info.role.is_presenter() && m.info.microphone)
            .map(|m| m.info.id)
            .collect();
        for id in targets {
            self.request_media(by, id, MediaRequest::Mute, out)
                .expect("targets are members");
        }
    }

    /// The SFU's dominant speaker changed: everyone is told.
    pub(super) fn dominant_speaker(&mut self, participant: ParticipantId, out: &mut Vec<Output>) {
        if self.members.contains_key(&participant) {
            self.dominant_speaker = Some(participant);
            let to = self.everyone();
            self.emit(to, RoomEvent::DominantSpeaker { participant }, out);
        }
    }
}
