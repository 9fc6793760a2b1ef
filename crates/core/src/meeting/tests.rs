//! Behaviour of the meeting state machine, driven with a virtual clock.

use chrono::{DateTime, TimeDelta, Utc};
use confab_proto::{
    room::{
        ByeReason, ChatTo, ClientMsg, LeaveReason, LobbyReason, MediaRequest, MediaTile,
        RoomErrorCode, RoomEvent,
    },
    AttendeePermissions, MeetingId, MeetingRole, ParticipantId, Policy, UserId,
};
use proptest::prelude::*;

use super::*;

pub(super) fn cfg() -> MeetingConfig {
    MeetingConfig {
        meeting: MeetingId::new(),
        title: "Weekly".into(),
        policy: Policy::default(),
        lobby: false,
        wait_for_presenter: false,
        max_chat_chars: 100,
        max_pages: 5,
        chat_history: 50,
        chat_burst: 5,
        chat_per_second: 1.0,
        reconnect_grace: TimeDelta::seconds(30),
        max_lobby: 10,
    }
}

pub(super) struct Harness {
    pub(super) m: Meeting,
    pub(super) now: DateTime<Utc>,
}

impl Harness {
    pub(super) fn new(cfg: MeetingConfig) -> Self {
        Self {
            m: Meeting::new(cfg, Restored::default()),
            now: DateTime::<Utc>::UNIX_EPOCH + TimeDelta::days(20000),
        }
    }

    pub(super) fn connect(
        &mut self,
        id: ParticipantId,
        name: &str,
        role: MeetingRole,
        user: Option<UserId>,
    ) -> Vec<Output> {
        let seat = Seat {
            id,
            name: name.into(),
            role,
            user,
        };
        self.m.handle(self.now, Input::Connect(seat))
    }

    pub(super) fn join(&mut self, name: &str, role: MeetingRole) -> (ParticipantId, Vec<Output>) {
        let id = ParticipantId::new();
        (id, self.connect(id, name, role, Some(UserId::new())))
    }

    pub(super) fn cmd(&mut self, id: ParticipantId, cmd: ClientMsg) -> Vec<Output> {
        self.m.handle(self.now, Input::Command(id, cmd))
    }

    pub(super) fn advance(&mut self, secs: i64) -> Vec<Output> {
        self.now += TimeDelta::seconds(secs);
        self.m.handle(self.now, Input::Tick)
    }
}

/// Events delivered to `who`, in order.
pub(super) fn events_for(out: &[Output], who: ParticipantId) -> Vec<RoomEvent> {
    out.iter()
        .filter_map(|o| match o {
            Output::Event { to, event, .. } if to.contains(&who) => Some(event.clone()),
            _ => None,
        })
        .collect()
}

pub(super) fn error_for(out: &[Output], who: ParticipantId) -> Option<RoomErrorCode> {
    out.iter().find_map(|o| match o {
        Output::Error { to, code, .. } if *to == who => Some(*code),
        _ => None,
    })
}

fn bye_for(out: &[Output], who: ParticipantId) -> Option<ByeReason> {
    out.iter().find_map(|o| match o {
        Output::Bye { to, reason } if *to == who => Some(*reason),
        _ => None,
    })
}

fn chat(text: &str) -> ClientMsg {
    ClientMsg::SendChat {
        to: ChatTo::Everyone,
        text: text.into(),
    }
}

#[test]
fn a_joiner_is_welcomed_and_announced_to_the_others() {
    let mut h = Harness::new(cfg());
    let (org, _) = h.join("Org", MeetingRole::Organizer);
    let (ann, out) = h.join("Ann", MeetingRole::Attendee);
    assert!(out.contains(&Output::Welcome {
        to: ann,
        returning: false
    }));
    assert!(
        matches!(&events_for(&out, org)[..], [RoomEvent::ParticipantJoined { participant }] if participant.name == "Ann")
    );
    let snap = h.m.snapshot(ann).unwrap();
    assert_eq!(snap.participants.len(), 2);
    assert_eq!(snap.you.role, MeetingRole::Attendee);
}

#[test]
fn attendees_wait_in_the_lobby_until_a_presenter_admits_them() {
    let mut h = Harness::new(MeetingConfig {
        lobby: true,
        ..cfg()
    });
    let (org, _) = h.join("Org", MeetingRole::Organizer);
    let (ann, out) = h.join("Ann", MeetingRole::Attendee);
    assert!(out.contains(&Output::Lobby {
        to: ann,
        reason: LobbyReason::AwaitingAdmission
    }));
    assert!(matches!(&events_for(&out, org)[..], [RoomEvent::Lobby { lobby }] if lobby.len() == 1));
    assert!(
        h.m.snapshot(ann).is_none(),
        "not in the meeting while waiting"
    );
    assert_eq!(
        error_for(&h.cmd(ann, chat("hi")), ann),
        Some(RoomErrorCode::NotAdmitted)
    );

    let out = h.cmd(org, ClientMsg::Admit { participant: ann });
    assert!(out.contains(&Output::Welcome {
        to: ann,
        returning: false
    }));
    assert!(
        matches!(events_for(&out, org).last(), Some(RoomEvent::Lobby { lobby }) if lobby.is_empty())
    );
}

#[test]
fn an_attendee_cannot_admit_or_deny() {
    let mut h = Harness::new(MeetingConfig {
        lobby: true,
        ..cfg()
    });
    let (_org, _) = h.join("Org", MeetingRole::Organizer);
    let (pre, _) = h.join("Pre", MeetingRole::Presenter);
    h.cmd(
        pre,
        ClientMsg::SetRole {
            participant: pre,
            role: MeetingRole::Attendee,
        },
    );
    let (bob, _) = h.join("Bob", MeetingRole::Attendee);
    for cmd in [
        ClientMsg::Admit { participant: bob },
        ClientMsg::Deny { participant: bob },
        ClientMsg::AdmitAll,
    ] {
        assert_eq!(
            error_for(&h.cmd(pre, cmd), pre),
            Some(RoomErrorCode::NotAllowed)
        );
    }
}

#[test]
fn denied_waiters_are_sent_away() {
    let mut h = Harness::new(MeetingConfig {
        lobby: true,
        ..cfg()
    });
    let (org, _) = h.join("Org", MeetingRole::Organizer);
    let (ann, _) = h.join("Ann", MeetingRole::Attendee);
    let out = h.cmd(org, ClientMsg::Deny { participant: ann });
    assert_eq!(bye_for(&out, ann), Some(ByeReason::Denied));
    assert!(!h.m.is_idle() && h.m.member_count() == 1);
}

#[test]
fn admit_all_lets_everyone_in() {
    let mut h = Harness::new(MeetingConfig {
        lobby: true,
        ..cfg()
    });
    let (org, _) = h.join("Org", MeetingRole::Organizer);
    let waiting: Vec<_> = (0..3)
        .map(|i| h.join(&format!("A{i}"), MeetingRole::Attendee).0)
        .collect();
    let out = h.cmd(org, ClientMsg::AdmitAll);
    for w in waiting {
        assert!(out.contains(&Output::Welcome {
            to: w,
            returning: false
        }));
    }
    assert_eq!(h.m.member_count(), 4);
}

#[test]
fn attendees_who_come_early_wait_for_a_presenter_then_get_in() {
    let mut h = Harness::new(MeetingConfig {
        wait_for_presenter: true,
        ..cfg()
    });
    let (ann, out) = h.join("Ann", MeetingRole::Attendee);
    assert!(out.contains(&Output::Lobby {
        to: ann,
        reason: LobbyReason::AwaitingPresenter
    }));
    let (_pre, out) = h.join("Pre", MeetingRole::Presenter);
    assert!(out.contains(&Output::Welcome {
        to: ann,
        returning: false
    }));
}

#[test]
fn with_a_lobby_early_attendees_move_on_to_awaiting_admission() {
    let mut h = Harness::new(MeetingConfig {
        wait_for_presenter: true,
        lobby: true,
        ..cfg()
    });
    let (ann, _) = h.join("Ann", MeetingRole::Attendee);
    let (_org, out) = h.join("Org", MeetingRole::Organizer);
    assert!(out.contains(&Output::Lobby {
        to: ann,
        reason: LobbyReason::AwaitingAdmission
    }));
}

#[test]
fn the_meeting_is_full_at_the_policy_maximum() {
    let mut h = Harness::new(MeetingConfig {
        policy: Policy {
            max_meeting_size: 3,
            ..Default::default()
        },
        ..cfg()
    });
    for i in 0..3 {
        h.join(&format!("P{i}"), MeetingRole::Attendee);
    }
    let (late, out) = h.join("Late", MeetingRole::Attendee);
    assert_eq!(bye_for(&out, late), Some(ByeReason::MeetingFull));
    assert_eq!(h.m.member_count(), 3);
}

#[test]
fn waiting_bots_do_not_make_the_meeting_full_and_the_lobby_has_its_own_bound() {
    let mut h = Harness::new(MeetingConfig {
        policy: Policy {
            max_meeting_size: 3,
            ..Default::default()
        },
        lobby: true,
        max_lobby: 5,
        ..cfg()
    });
    let (org, _) = h.join("Org", MeetingRole::Organizer);
    for i in 0..5 {
        let (bot, out) = h.join(&format!("Bot{i}"), MeetingRole::Attendee);
        assert_eq!(bye_for(&out, bot), None);
    }
    let (extra, out) = h.join("Bot5", MeetingRole::Attendee);
    assert_eq!(bye_for(&out, extra), Some(ByeReason::MeetingFull));
    // The lobby is full of bots, yet a presenter still gets in: it is not the meeting.
    let (pres, out) = h.join("Pat", MeetingRole::Presenter);
    assert_eq!(bye_for(&out, pres), None);
    assert_eq!(h.m.member_count(), 2);
    let _ = org;
}

#[test]
fn revoked_seats_leave_the_meeting_and_the_lobby_at_once() {
    let mut h = Harness::new(MeetingConfig {
        lobby: true,
        ..cfg()
    });
    let (org, _) = h.join("Org", MeetingRole::Organizer);
    let (pres, _) = h.join("Old presenter link", MeetingRole::Presenter);
    let (waiting, _) = h.join("Waiting", MeetingRole::Attendee);
    let out = h.m.handle(h.now, Input::Revoke(vec![pres, waiting]));
    assert_eq!(bye_for(&out, pres), Some(ByeReason::InvalidToken));
    assert_eq!(bye_for(&out, waiting), Some(ByeReason::InvalidToken));
    assert_eq!(bye_for(&out, org), None);
    assert_eq!(h.m.member_count(), 1);
    // A removed presenter's command does nothing any more.
    let out = h.cmd(pres, ClientMsg::SetLocked { locked: true });
    assert!(!out.contains(&Output::Persist(Persist::Locked(true))));
}

#[test]
fn a_locked_meeting_admits_nobody_new_but_lets_seats_resume() {
    let mut h = Harness::new(cfg());
    let (org, _) = h.join("Org", MeetingRole::Organizer);
    let (ann, _) = h.join("Ann", MeetingRole::Attendee);
    let out = h.cmd(org, ClientMsg::SetLocked { locked: true });
    assert!(out.contains(&Output::Persist(Persist::Locked(true))));
    assert!(matches!(
        &events_for(&out, ann)[..],
        [RoomEvent::LockChanged { locked: true }]
    ));
    let (bob, out) = h.join("Bob", MeetingRole::Presenter);
    assert_eq!(bye_for(&out, bob), Some(ByeReason::MeetingLocked));
    h.m.handle(h.now, Input::Disconnect(ann));
    let out = h.connect(ann, "Ann", MeetingRole::Attendee, None);
    assert!(out.contains(&Output::Welcome {
        to: ann,
        returning: true
    }));
}

#[test]
fn chat_to_everyone_reaches_all_and_is_persisted() {
    let mut h = Harness::new(cfg());
    let (org, _) = h.join("Org", MeetingRole::Organizer);
    let (ann, _) = h.join("Ann", MeetingRole::Attendee);
    let out = h.cmd(ann, chat("  hello  "));
    for who in [org, ann] {
        assert!(
            matches!(&events_for(&out, who)[..], [RoomEvent::Chat { message }] if message.text == "hello")
        );
    }
    assert!(matches!(&out.last(), Some(Output::Persist(Persist::Chat(m))) if m.id == 1));
}

#[test]
fn private_chat_reaches_only_sender_and_recipient_and_late_joiners_do_not_see_it() {
    let mut h = Harness::new(cfg());
    let (org, _) = h.join("Org", MeetingRole::Organizer);
    let (ann, _) = h.join("Ann", MeetingRole::Attendee);
    let (bob, _) = h.join("Bob", MeetingRole::Attendee);
    let out = h.cmd(
        ann,
        ClientMsg::SendChat {
            to: ChatTo::Participant { id: bob },
            text: "psst".into(),
        },
    );
    assert_eq!(events_for(&out, ann).len(), 1);
    assert!(
        matches!(&events_for(&out, bob)[..], [RoomEvent::Chat { message }] if message.to_name.as_deref() == Some("Bob"))
    );
    assert!(events_for(&out, org).is_empty());
    h.cmd(ann, chat("public"));
    let (cid, _) = h.join("Cid", MeetingRole::Attendee);
    let history: Vec<_> =
        h.m.snapshot(cid)
            .unwrap()
            .chat
            .into_iter()
            .map(|m| m.text)
            .collect();
    assert_eq!(history, vec!["public"]);
    assert_eq!(h.m.snapshot(bob).unwrap().chat.len(), 2);
}

#[test]
fn chat_to_presenters_reaches_presenters_and_the_sender_only() {
    let mut h = Harness::new(cfg());
    let (org, _) = h.join("Org", MeetingRole::Organizer);
    let (pre, _) = h.join("Pre", MeetingRole::Presenter);
    let (ann, _) = h.join("Ann", MeetingRole::Attendee);
    let (bob, _) = h.join("Bob", MeetingRole::Attendee);
    let out = h.cmd(
        ann,
        ClientMsg::SendChat {
            to: ChatTo::Presenters,
            text: "q".into(),
        },
    );
    for who in [org, pre, ann] {
        assert_eq!(events_for(&out, who).len(), 1);
    }
    assert!(events_for(&out, bob).is_empty());
}

#[test]
fn chat_is_refused_when_too_long_empty_too_fast_or_switched_off() {
    let mut h = Harness::new(cfg());
    let (org, _) = h.join("Org", MeetingRole::Organizer);
    let (ann, _) = h.join("Ann", MeetingRole::Attendee);
    assert_eq!(
        error_for(&h.cmd(ann, chat(&"x".repeat(101))), ann),
        Some(RoomErrorCode::TooLong)
    );
    assert_eq!(
        error_for(&h.cmd(ann, chat("   ")), ann),
        Some(RoomErrorCode::Invalid)
    );
    for _ in 0..5 {
        assert_eq!(error_for(&h.cmd(ann, chat("x")), ann), None);
    }
    assert_eq!(
        error_for(&h.cmd(ann, chat("x")), ann),
        Some(RoomErrorCode::RateLimited)
    );
    h.advance(2);
    assert_eq!(error_for(&h.cmd(ann, chat("x")), ann), None);

    let perms = AttendeePermissions {
        chat: false,
        ..Default::default()
    };
    h.cmd(org, ClientMsg::SetPermissions { permissions: perms });
    h.advance(10);
    assert_eq!(
        error_for(&h.cmd(ann, chat("x")), ann),
        Some(RoomErrorCode::NotAllowed)
    );
    assert_eq!(
        error_for(&h.cmd(org, chat("presenters still may")), org),
        None
    );
}

#[test]
fn chat_disabled_by_policy_is_refused_even_for_the_organizer() {
    let mut h = Harness::new(MeetingConfig {
        policy: Policy {
            chat: false,
            ..Default::default()
        },
        ..cfg()
    });
    let (org, _) = h.join("Org", MeetingRole::Organizer);
    assert_eq!(
        error_for(&h.cmd(org, chat("x")), org),
        Some(RoomErrorCode::DisabledByPolicy)
    );
    assert!(!h.m.snapshot(org).unwrap().chat_enabled);
}

#[test]
fn attendees_without_the_list_permission_see_presenters_and_themselves_only() {
    let mut h = Harness::new(cfg());
    let (org, _) = h.join("Org", MeetingRole::Organizer);
    let (ann, _) = h.join("Ann", MeetingRole::Attendee);
    let perms = AttendeePermissions {
        see_attendee_list: false,
        ..Default::default()
    };
    let out = h.cmd(org, ClientMsg::SetPermissions { permissions: perms });
    assert!(
        matches!(events_for(&out, ann).last(), Some(RoomEvent::Roster { participants }) if participants.len() == 2)
    );
    let (bob, out) = h.join("Bob", MeetingRole::Attendee);
    assert!(
        events_for(&out, ann).is_empty(),
        "Ann must not learn Bob joined"
    );
    assert_eq!(events_for(&out, org).len(), 1);
    let names: Vec<_> =
        h.m.snapshot(bob)
            .unwrap()
            .participants
            .into_iter()
            .map(|p| p.name)
            .collect();
    assert_eq!(names, vec!["Org", "Bob"]);
    let out = h.cmd(
        bob,
        ClientMsg::SendChat {
            to: ChatTo::Participant { id: ann },
            text: "hi".into(),
        },
    );
    assert_eq!(
        error_for(&out, bob),
        Some(RoomErrorCode::NotFound),
        "cannot message someone you cannot see"
    );
}

#[test]
fn a_promoted_attendee_can_moderate_and_a_demoted_presenter_cannot() {
    let mut h = Harness::new(cfg());
    let (org, _) = h.join("Org", MeetingRole::Organizer);
    let (ann, _) = h.join("Ann", MeetingRole::Attendee);
    assert_eq!(
        error_for(&h.cmd(ann, ClientMsg::SetLocked { locked: true }), ann),
        Some(RoomErrorCode::NotAllowed)
    );
    let out = h.cmd(
        org,
        ClientMsg::SetRole {
            participant: ann,
            role: MeetingRole::Presenter,
        },
    );
    assert!(events_for(&out, ann).contains(&RoomEvent::RoleChanged {
        role: MeetingRole::Presenter
    }));
    assert_eq!(
        error_for(&h.cmd(ann, ClientMsg::SetLocked { locked: true }), ann),
        None
    );
    h.cmd(
        org,
        ClientMsg::SetRole {
            participant: ann,
            role: MeetingRole::Attendee,
        },
    );
    assert_eq!(
        error_for(&h.cmd(ann, ClientMsg::SetLocked { locked: false }), ann),
        Some(RoomErrorCode::NotAllowed)
    );
}

#[test]
fn the_organizer_cannot_be_demoted_or_removed() {
    let mut h = Harness::new(cfg());
    let (org, _) = h.join("Org", MeetingRole::Organizer);
    let (pre, _) = h.join("Pre", MeetingRole::Presenter);
    let out = h.cmd(
        pre,
        ClientMsg::SetRole {
            participant: org,
            role: MeetingRole::Attendee,
        },
    );
    assert_eq!(error_for(&out, pre), Some(RoomErrorCode::NotAllowed));
    let out = h.cmd(
        pre,
        ClientMsg::RemoveParticipant {
            participant: org,
            bar: false,
        },
    );
    assert_eq!(error_for(&out, pre), Some(RoomErrorCode::NotAllowed));
    let out = h.cmd(
        pre,
        ClientMsg::SetRole {
            participant: pre,
            role: MeetingRole::Organizer,
        },
    );
    assert_eq!(error_for(&out, pre), Some(RoomErrorCode::Invalid));
}

#[test]
fn a_barred_participant_cannot_come_back_with_their_seat_or_account() {
    let mut h = Harness::new(cfg());
    let (org, _) = h.join("Org", MeetingRole::Organizer);
    let user = UserId::new();
    let ann = ParticipantId::new();
    h.connect(ann, "Ann", MeetingRole::Attendee, Some(user));
    let out = h.cmd(
        org,
        ClientMsg::RemoveParticipant {
            participant: ann,
            bar: true,
        },
    );
    assert_eq!(bye_for(&out, ann), Some(ByeReason::Barred));
    assert!(matches!(
        events_for(&out, org)[..],
        [RoomEvent::ParticipantLeft {
            reason: LeaveReason::Removed,
            ..
        }]
    ));
    assert!(out.contains(&Output::Persist(Persist::Bar {
        seat: ann,
        user: Some(user)
    })));
    let again = ParticipantId::new();
    let out = h.connect(again, "Ann", MeetingRole::Attendee, Some(user));
    assert_eq!(bye_for(&out, again), Some(ByeReason::Barred));
}

#[test]
fn a_removed_but_not_barred_participant_may_rejoin() {
    let mut h = Harness::new(cfg());
    let (org, _) = h.join("Org", MeetingRole::Organizer);
    let (ann, _) = h.join("Ann", MeetingRole::Attendee);
    let out = h.cmd(
        org,
        ClientMsg::RemoveParticipant {
            participant: ann,
            bar: false,
        },
    );
    assert_eq!(bye_for(&out, ann), Some(ByeReason::Removed));
    let out = h.connect(ann, "Ann", MeetingRole::Attendee, None);
    assert!(out.contains(&Output::Welcome {
        to: ann,
        returning: false
    }));
}

#[test]
fn a_dropped_participant_keeps_the_seat_during_grace_then_times_out() {
    let mut h = Harness::new(cfg());
    let (org, _) = h.join("Org", MeetingRole::Organizer);
    let (ann, _) = h.join("Ann", MeetingRole::Attendee);
    let out = h.m.handle(h.now, Input::Disconnect(ann));
    assert!(
        matches!(&events_for(&out, org)[..], [RoomEvent::ParticipantUpdated { participant }] if !participant.connected)
    );
    assert_eq!(h.m.next_deadline(), Some(h.now + TimeDelta::seconds(30)));
    // Chat sent while Ann is away is still addressed to her, for replay.
    let out = h.cmd(org, chat("while you were away"));
    assert_eq!(events_for(&out, ann).len(), 1);
    assert!(h.advance(29).is_empty());
    let out = h.advance(1);
    assert!(matches!(
        &events_for(&out, org)[..],
        [RoomEvent::ParticipantLeft {
            reason: LeaveReason::TimedOut,
            ..
        }]
    ));
    assert_eq!(h.m.member_count(), 1);
    assert_eq!(h.m.next_deadline(), None);
}

#[test]
fn ending_the_meeting_says_goodbye_to_everyone_including_the_lobby() {
    let mut h = Harness::new(MeetingConfig {
        lobby: true,
        ..cfg()
    });
    let (org, _) = h.join("Org", MeetingRole::Organizer);
    let (ann, _) = h.join("Ann", MeetingRole::Attendee);
    let out = h.cmd(org, ClientMsg::EndMeeting);
    assert_eq!(bye_for(&out, org), Some(ByeReason::MeetingEnded));
    assert_eq!(bye_for(&out, ann), Some(ByeReason::MeetingEnded));
    assert!(out.contains(&Output::Persist(Persist::Ended)));
    assert!(h.m.is_ended() && h.m.is_idle());
    let (late, out) = h.join("Late", MeetingRole::Presenter);
    assert_eq!(bye_for(&out, late), Some(ByeReason::MeetingEnded));
}

#[test]
fn permissions_are_capped_by_policy() {
    let mut h = Harness::new(MeetingConfig {
        policy: Policy {
            ip_video: false,
            ..Default::default()
        },
        ..cfg()
    });
    let (org, _) = h.join("Org", MeetingRole::Organizer);
    let wanted = AttendeePermissions {
        use_camera: true,
        annotate: true,
        ..Default::default()
    };
    let out = h.cmd(
        org,
        ClientMsg::SetPermissions {
            permissions: wanted,
        },
    );
    assert!(
        matches!(&events_for(&out, org)[..], [RoomEvent::PermissionsChanged { permissions }] if !permissions.use_camera && permissions.annotate)
    );
}

#[test]
fn restored_chat_continues_numbering_and_shows_to_late_joiners() {
    let mut first = Harness::new(cfg());
    let (org, _) = first.join("Org", MeetingRole::Organizer);
    first.cmd(org, chat("before restart"));
    let saved = first.m.snapshot(org).unwrap().chat;
    let mut h = Harness::new(cfg());
    h.m = Meeting::new(
        cfg(),
        Restored {
            chat: saved,
            locked: true,
            ..Default::default()
        },
    );
    let (org2, _) = h.join("Org", MeetingRole::Organizer);
    let out = h.cmd(org2, chat("after"));
    assert!(matches!(&out.last(), Some(Output::Persist(Persist::Chat(m))) if m.id == 2));
    assert!(h.m.snapshot(org2).unwrap().locked);
}

#[test]
fn leaving_from_the_lobby_tells_presenters() {
    let mut h = Harness::new(MeetingConfig {
        lobby: true,
        ..cfg()
    });
    let (org, _) = h.join("Org", MeetingRole::Organizer);
    let (ann, _) = h.join("Ann", MeetingRole::Attendee);
    let out = h.cmd(ann, ClientMsg::Leave);
    assert_eq!(bye_for(&out, ann), Some(ByeReason::Left));
    assert!(matches!(&events_for(&out, org)[..], [RoomEvent::Lobby { lobby }] if lobby.is_empty()));
}

// ---- properties: any sequence of inputs keeps the invariants ----

#[derive(Clone, Debug)]
enum Step {
    Join(u8, u8),
    Drop(u8),
    Cmd(u8, u8, u8, bool),
    Wait(u8),
}

fn step() -> impl Strategy<Value = Step> {
    prop_oneof![
        (0u8..12, 0u8..3).prop_map(|(p, r)| Step::Join(p, r)),
        (0u8..12).prop_map(Step::Drop),
        (0u8..12, 0u8..14, 0u8..12, any::<bool>()).prop_map(|(p, c, t, b)| Step::Cmd(p, c, t, b)),
        (0u8..40).prop_map(Step::Wait),
    ]
}

fn command(c: u8, target: ParticipantId, b: bool) -> ClientMsg {
    let role = if b {
        MeetingRole::Presenter
    } else {
        MeetingRole::Attendee
    };
    match c {
        0 => chat("hello"),
        1 => ClientMsg::SendChat {
            to: ChatTo::Participant { id: target },
            text: "p".into(),
        },
        2 => ClientMsg::SendChat {
            to: ChatTo::Presenters,
            text: "q".into(),
        },
        3 => ClientMsg::RaiseHand { raised: b },
        4 => ClientMsg::SetAway { away: b },
        5 => ClientMsg::SetRole {
            participant: target,
            role,
        },
        6 => ClientMsg::RemoveParticipant {
            participant: target,
            bar: b,
        },
        7 => ClientMsg::Admit {
            participant: target,
        },
        8 => ClientMsg::Deny {
            participant: target,
        },
        9 => ClientMsg::AdmitAll,
        10 => ClientMsg::SetLocked { locked: b },
        11 => ClientMsg::SetPermissions {
            permissions: AttendeePermissions {
                see_attendee_list: b,
                chat: !b,
                ..Default::default()
            },
        },
        12 => ClientMsg::Leave,
        _ => ClientMsg::EndMeeting,
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    #[test]
    fn no_sequence_of_inputs_breaks_the_invariants(steps in proptest::collection::vec(step(), 1..80)) {
        let mut h = Harness::new(MeetingConfig {
            lobby: true,
            wait_for_presenter: true,
            policy: Policy { max_meeting_size: 6, ..Default::default() },
            ..cfg()
        });
        let people: Vec<ParticipantId> = (0..12).map(|_| ParticipantId::new()).collect();
        let mut last_seq = 0;
        for s in steps {
            let out = match s {
                Step::Join(p, r) => {
                    let role = [MeetingRole::Organizer, MeetingRole::Presenter, MeetingRole::Attendee][r as usize];
                    let seat = Seat { id: people[p as usize], name: format!("P{p}"), role, user: None };
                    h.m.handle(h.now, Input::Connect(seat))
                }
                Step::Drop(p) => h.m.handle(h.now, Input::Disconnect(people[p as usize])),
                Step::Cmd(p, c, t, b) => h.cmd(people[p as usize], command(c, people[t as usize], b)),
                Step::Wait(s) => h.advance(i64::from(s)),
            };
            for o in &out {
                if let Output::Event { seq, to, event } = o {
                    prop_assert!(*seq > last_seq, "sequence numbers strictly increase");
                    last_seq = *seq;
                    prop_assert!(!to.is_empty());
                    if let RoomEvent::ParticipantJoined { participant } = event {
                        for v in to {
                            if let Some(snap) = h.m.snapshot(*v) {
                                let sees_all = snap.you.role.is_presenter() || snap.permissions.see_attendee_list;
                                prop_assert!(sees_all || participant.role.is_presenter(),
                                    "an attendee without the list permission learned of another attendee");
                            }
                        }
                    }
                }
            }
            prop_assert!(h.m.member_count() <= 6, "never above the maximum size");
            prop_assert_eq!(h.m.seq(), last_seq);
        }
    }
}

#[test]
fn ending_from_outside_says_goodbye_with_the_given_reason_once() {
    let mut h = Harness::new(cfg());
    let (org, _) = h.join("Org", MeetingRole::Organizer);
    let out = h.m.handle(h.now, Input::End(ByeReason::MeetingCancelled));
    assert_eq!(bye_for(&out, org), Some(ByeReason::MeetingCancelled));
    assert!(h
        .m
        .handle(h.now, Input::End(ByeReason::MeetingCancelled))
        .is_empty());
}

#[test]
fn admitted_seats_come_back_after_a_restart_past_the_lobby_with_their_role() {
    let mut h = Harness::new(MeetingConfig {
        lobby: true,
        ..cfg()
    });
    let (org, _) = h.join("Org", MeetingRole::Organizer);
    let (ann, _) = h.join("Ann", MeetingRole::Attendee);
    let out = h.cmd(org, ClientMsg::Admit { participant: ann });
    assert!(out.contains(&Output::Persist(Persist::Seat {
        seat: ann,
        role: MeetingRole::Attendee,
        admitted: true
    })));
    let out = h.cmd(
        org,
        ClientMsg::SetRole {
            participant: ann,
            role: MeetingRole::Presenter,
        },
    );
    assert!(out.contains(&Output::Persist(Persist::Seat {
        seat: ann,
        role: MeetingRole::Presenter,
        admitted: true
    })));

    // A new run of the meeting, restored with what was persisted.
    let restored = Restored {
        admitted: vec![(ann, MeetingRole::Presenter)],
        locked: true,
        ..Default::default()
    };
    h.m = Meeting::new(
        MeetingConfig {
            lobby: true,
            ..cfg()
        },
        restored,
    );
    let out = h.connect(ann, "Ann", MeetingRole::Attendee, None);
    assert!(
        out.contains(&Output::Welcome {
            to: ann,
            returning: false
        }),
        "no lobby, even though locked: {out:?}"
    );
    assert_eq!(h.m.snapshot(ann).unwrap().you.role, MeetingRole::Presenter);
}

#[test]
fn a_removed_participant_must_pass_the_lobby_again() {
    let mut h = Harness::new(MeetingConfig {
        lobby: true,
        ..cfg()
    });
    let (org, _) = h.join("Org", MeetingRole::Organizer);
    let (ann, _) = h.join("Ann", MeetingRole::Attendee);
    h.cmd(org, ClientMsg::Admit { participant: ann });
    let out = h.cmd(
        org,
        ClientMsg::RemoveParticipant {
            participant: ann,
            bar: false,
        },
    );
    assert!(out.contains(&Output::Persist(Persist::Seat {
        seat: ann,
        role: MeetingRole::Attendee,
        admitted: false
    })));
    let out = h.connect(ann, "Ann", MeetingRole::Attendee, None);
    assert!(out.contains(&Output::Lobby {
        to: ann,
        reason: LobbyReason::AwaitingAdmission
    }));
}

// ---- content ----

pub(super) fn doc(
    status: confab_proto::content::DocumentStatus,
    pages: u32,
) -> confab_proto::content::DocumentInfo {
    let id = confab_proto::DocumentId::new();
    confab_proto::content::DocumentInfo {
        id,
        name: "deck.pptx".into(),
        kind: confab_proto::content::DocumentKind::Upload,
        status,
        pages: (0..pages)
            .map(|index| confab_proto::content::PageInfo {
                index,
                slide: Some(index + 1),
                step: Some(0),
                width: 1920,
                height: 1080,
                collab: confab_proto::shared_doc::DocName::Page {
                    document: id,
                    page: index,
                },
                text: None,
            })
            .collect(),
    }
}

#[test]
fn converting_documents_show_to_presenters_and_ready_ones_to_everyone() {
    use confab_proto::content::DocumentStatus;
    let mut h = Harness::new(cfg());
    let (org, _) = h.join("Org", MeetingRole::Organizer);
    let (ann, _) = h.join("Ann", MeetingRole::Attendee);
    let mut d = doc(DocumentStatus::Converting, 1);
    let out = h.m.handle(h.now, Input::Document(d.clone()));
    assert_eq!(events_for(&out, org).len(), 1);
    assert!(
        events_for(&out, ann).is_empty(),
        "attendees do not see half-converted documents"
    );
    assert!(h.m.snapshot(ann).unwrap().documents.is_empty());
    d.status = DocumentStatus::Ready;
    let out = h.m.handle(h.now, Input::Document(d.clone()));
    assert!(
        matches!(&events_for(&out, ann)[..], [RoomEvent::Document { document }] if document.status == DocumentStatus::Ready)
    );
    assert_eq!(h.m.snapshot(ann).unwrap().documents.len(), 1);
}

#[test]
fn presenters_put_pages_on_stage_and_attendees_may_fetch_that_page_and_the_next() {
    use confab_proto::content::{DocumentStatus, Stage};
    let mut h = Harness::new(cfg());
    let (org, _) = h.join("Org", MeetingRole::Organizer);
    let (ann, _) = h.join("Ann", MeetingRole::Attendee);
    let d = doc(DocumentStatus::Ready, 5);
    h.m.handle(h.now, Input::Document(d.clone()));
    let show = |page| ClientMsg::ShowPage {
        document: d.id,
        page,
    };
    assert_eq!(
        error_for(&h.cmd(ann, show(1)), ann),
        Some(RoomErrorCode::NotAllowed)
    );
    assert_eq!(
        error_for(&h.cmd(org, show(9)), org),
        Some(RoomErrorCode::NotFound)
    );
    let out = h.cmd(org, show(2));
    let stage = Some(Stage {
        document: d.id,
        page: 2,
    });
    assert!(
        matches!(&events_for(&out, ann)[..], [RoomEvent::StageChanged { stage: s }] if *s == stage)
    );
    assert!(out.contains(&Output::Persist(Persist::Stage(stage))));
    assert_eq!(h.m.snapshot(ann).unwrap().stage, stage);

    // Browsing independently is on by default: any page.
    assert!(h.m.may_view_page(ann, d.id, 4));
    let no_browse = AttendeePermissions {
        browse_independently: false,
        ..Default::default()
    };
    h.cmd(
        org,
        ClientMsg::SetPermissions {
            permissions: no_browse,
        },
    );
    assert!(
        h.m.may_view_page(ann, d.id, 2) && h.m.may_view_page(ann, d.id, 3),
        "the stage page and the next"
    );
    assert!(!h.m.may_view_page(ann, d.id, 4) && !h.m.may_view_page(ann, d.id, 1));
    assert!(h.m.may_view_page(org, d.id, 4), "presenters see everything");
    assert!(
        !h.m.may_view_page(ann, d.id, 5),
        "no page beyond the document"
    );
}

#[test]
fn removing_the_document_on_stage_clears_the_stage() {
    use confab_proto::content::DocumentStatus;
    let mut h = Harness::new(cfg());
    let (org, _) = h.join("Org", MeetingRole::Organizer);
    let (ann, _) = h.join("Ann", MeetingRole::Attendee);
    let d = doc(DocumentStatus::Ready, 2);
    h.m.handle(h.now, Input::Document(d.clone()));
    h.cmd(
        org,
        ClientMsg::ShowPage {
            document: d.id,
            page: 0,
        },
    );
    let out = h.cmd(org, ClientMsg::RemoveDocument { document: d.id });
    let events = events_for(&out, ann);
    assert!(events.contains(&RoomEvent::StageChanged { stage: None }));
    assert!(events.contains(&RoomEvent::DocumentRemoved { id: d.id }));
    let shared = d.pages.iter().map(|p| p.collab).collect();
    assert!(out.contains(&Output::Persist(Persist::DocumentRemoved {
        id: d.id,
        shared
    })));
    assert!(!h.m.may_view_page(ann, d.id, 0));
}

#[test]
fn a_promoted_attendee_gets_the_documents_still_converting() {
    use confab_proto::content::DocumentStatus;
    let mut h = Harness::new(cfg());
    let (org, _) = h.join("Org", MeetingRole::Organizer);
    let (ann, _) = h.join("Ann", MeetingRole::Attendee);
    h.m.handle(h.now, Input::Document(doc(DocumentStatus::Converting, 0)));
    let out = h.cmd(
        org,
        ClientMsg::SetRole {
            participant: ann,
            role: MeetingRole::Presenter,
        },
    );
    assert!(events_for(&out, ann)
        .iter()
        .any(|e| matches!(e, RoomEvent::Document { .. })));
    assert_eq!(h.m.snapshot(ann).unwrap().documents.len(), 1);
}

#[test]
fn media_offers_carry_what_the_sender_may_publish() {
    let mut h = Harness::new(MeetingConfig {
        policy: Policy {
            ip_video: false,
            ..Default::default()
        },
        ..cfg()
    });
    let (org, _) = h.join("Org", MeetingRole::Organizer);
    let (ann, _) = h.join("Ann", MeetingRole::Attendee);
    let offer = |sdp: &str| ClientMsg::MediaOffer { sdp: sdp.into() };
    let out = h.cmd(org, offer("o"));
    assert!(
        out.contains(&Output::MediaOffer {
            from: org,
            sdp: "o".into(),
            audio: true,
            video: false
        }),
        "policy: no video"
    );
    let no_mic = AttendeePermissions {
        use_microphone: false,
        ..Default::default()
    };
    h.cmd(
        org,
        ClientMsg::SetPermissions {
            permissions: no_mic,
        },
    );
    let out = h.cmd(ann, offer("a"));
    assert!(out.contains(&Output::MediaOffer {
        from: ann,
        sdp: "a".into(),
        audio: false,
        video: false
    }));
    let out = h.m.handle(h.now, Input::Disconnect(ann));
    assert!(out.contains(&Output::MediaGone { participant: ann }));
}

#[test]
fn presenters_annotate_and_attendees_only_with_the_permission_under_policy() {
    let mut h = Harness::new(cfg());
    let (org, _) = h.join("Org", MeetingRole::Organizer);
    let (pre, _) = h.join("Pre", MeetingRole::Presenter);
    let (ann, _) = h.join("Ann", MeetingRole::Attendee);
    assert!(h.m.may_annotate(org) && h.m.may_annotate(pre));
    assert!(!h.m.may_annotate(ann), "off by default");
    assert!(!h.m.may_annotate(ParticipantId::new()), "strangers never");
    let grant = |annotate| ClientMsg::SetPermissions {
        permissions: AttendeePermissions {
            annotate,
            ..Default::default()
        },
    };
    h.cmd(org, grant(true));
    assert!(h.m.may_annotate(ann));
    h.cmd(org, grant(false));
    assert!(!h.m.may_annotate(ann));

    let mut capped = Harness::new(MeetingConfig {
        policy: Policy {
            annotations: false,
            ..Default::default()
        },
        ..cfg()
    });
    let (org, _) = capped.join("Org", MeetingRole::Organizer);
    let (ann, _) = capped.join("Ann", MeetingRole::Attendee);
    capped.cmd(org, grant(true));
    assert!(
        !capped.m.may_annotate(ann),
        "the policy caps the permission"
    );
    assert!(
        !capped.m.may_annotate(org),
        "a policy without annotations binds presenters too"
    );
}

/// What may flow from a participant, as last reported in outputs.
#[derive(Debug, PartialEq)]
struct Gate {
    audio: bool,
    video: bool,
}

/// The last media gate reported for `who` in `out`.
fn gate_in(out: &[Output], who: ParticipantId) -> Option<Gate> {
    out.iter().rev().find_map(|o| match o {
        Output::MediaGate {
            participant,
            audio,
            video,
        } if *participant == who => Some(Gate {
            audio: *audio,
            video: *video,
        }),
        _ => None,
    })
}

const OPEN: Gate = Gate {
    audio: true,
    video: true,
};

#[test]
fn a_presenter_mutes_an_attendee_who_alone_can_unmute() {
    let mut h = Harness::new(cfg());
    let (org, _) = h.join("Org", MeetingRole::Organizer);
    let (ann, out) = h.join("Ann", MeetingRole::Attendee);
    assert_eq!(gate_in(&out, ann), Some(OPEN), "switches start on");

    let out = h.cmd(org, ClientMsg::MuteParticipant { participant: ann });
    assert_eq!(
        gate_in(&out, ann),
        Some(Gate {
            audio: false,
            video: true
        }),
        "forwarding stops at once"
    );
    assert!(events_for(&out, ann).contains(&RoomEvent::MediaRequest {
        request: MediaRequest::Mute,
        by: org
    }));
    assert!(
        events_for(&out, org).iter().any(|e| matches!(e,
            RoomEvent::ParticipantUpdated { participant } if participant.id == ann && !participant.microphone)),
        "the roster shows the mute"
    );

    // Offering again (say after a reconnection) keeps her muted in the SFU.
    let out = h.cmd(ann, ClientMsg::MediaOffer { sdp: "a".into() });
    assert!(
        matches!(&out[0], Output::MediaOffer { audio: true, .. }),
        "rights allow the track"
    );
    assert_eq!(
        gate_in(&out, ann),
        Some(Gate {
            audio: false,
            video: true
        }),
        "the switch keeps it from being forwarded"
    );

    // Asking does not unmute; only Ann's own switch does.
    let out = h.cmd(org, ClientMsg::AskToUnmute { participant: ann });
    assert_eq!(gate_in(&out, ann), None);
    assert!(events_for(&out, ann).contains(&RoomEvent::MediaRequest {
        request: MediaRequest::Unmute,
        by: org
    }));
    let out = h.cmd(
        ann,
        ClientMsg::SetMedia {
            microphone: true,
            camera: true,
        },
    );
    assert_eq!(gate_in(&out, ann), Some(OPEN));
}

#[test]
fn attendees_cannot_mute_others_or_stop_cameras() {
    let mut h = Harness::new(cfg());
    let (org, _) = h.join("Org", MeetingRole::Organizer);
    let (ann, _) = h.join("Ann", MeetingRole::Attendee);
    for cmd in [
        ClientMsg::MuteParticipant { participant: org },
        ClientMsg::StopCamera { participant: org },
        ClientMsg::AskToUnmute { participant: org },
        ClientMsg::MuteEveryone,
    ] {
        let out = h.cmd(ann, cmd);
        assert!(matches!(
            &out[..],
            [Output::Error {
                code: RoomErrorCode::NotAllowed,
                ..
            }]
        ));
    }
    let out = h.cmd(
        org,
        ClientMsg::StopCamera {
            participant: ParticipantId::new(),
        },
    );
    assert!(matches!(
        &out[..],
        [Output::Error {
            code: RoomErrorCode::NotFound,
            ..
        }]
    ));
}

#[test]
fn mute_everyone_spares_presenters_and_stop_camera_stops_video() {
    let mut h = Harness::new(cfg());
    let (org, _) = h.join("Org", MeetingRole::Organizer);
    let (pre, _) = h.join("Pre", MeetingRole::Presenter);
    let (ann, _) = h.join("Ann", MeetingRole::Attendee);
    let (bob, _) = h.join("Bob", MeetingRole::Attendee);
    let out = h.cmd(org, ClientMsg::MuteEveryone);
    assert_eq!(gate_in(&out, pre), None);
    for who in [ann, bob] {
        assert_eq!(gate_in(&out, who).map(|g| g.audio), Some(false));
    }
    let out = h.cmd(org, ClientMsg::StopCamera { participant: pre });
    assert_eq!(
        gate_in(&out, pre),
        Some(Gate {
            audio: true,
            video: false
        })
    );
}

#[test]
fn turning_off_attendee_microphones_stops_forwarding_and_refuses_unmuting() {
    let mut h = Harness::new(cfg());
    let (org, _) = h.join("Org", MeetingRole::Organizer);
    let (ann, _) = h.join("Ann", MeetingRole::Attendee);
    let permissions = AttendeePermissions {
        use_microphone: false,
        ..Default::default()
    };
    let out = h.cmd(org, ClientMsg::SetPermissions { permissions });
    assert_eq!(
        gate_in(&out, ann),
        Some(Gate {
            audio: false,
            video: true
        })
    );
    assert_eq!(gate_in(&out, org), None, "presenters keep their microphone");
    let out = h.cmd(
        ann,
        ClientMsg::SetMedia {
            microphone: true,
            camera: true,
        },
    );
    assert!(matches!(
        &out[..],
        [Output::Error {
            code: RoomErrorCode::NotAllowed,
            ..
        }]
    ));
    // Promoted, Ann may talk again (her switch stayed on).
    let out = h.cmd(
        org,
        ClientMsg::SetRole {
            participant: ann,
            role: MeetingRole::Presenter,
        },
    );
    assert_eq!(gate_in(&out, ann), Some(OPEN));
}

#[test]
fn policy_without_ip_video_refuses_the_camera_switch_for_everyone() {
    let mut h = Harness::new(MeetingConfig {
        policy: Policy {
            ip_video: false,
            ..Default::default()
        },
        ..cfg()
    });
    let (org, out) = h.join("Org", MeetingRole::Organizer);
    assert_eq!(gate_in(&out, org).map(|g| g.video), Some(false));
    let out = h.cmd(
        org,
        ClientMsg::SetMedia {
            microphone: true,
            camera: true,
        },
    );
    assert!(matches!(
        &out[..],
        [Output::Error {
            code: RoomErrorCode::DisabledByPolicy,
            ..
        }]
    ));
    assert!(!h.m.snapshot(org).unwrap().media_limits.ip_video);
}

#[test]
fn layouts_are_bounded_and_dominant_speakers_announced() {
    let mut h = Harness::new(cfg());
    let (org, _) = h.join("Org", MeetingRole::Organizer);
    let tile = MediaTile::Speaker { height: 100 };
    let out = h.cmd(
        org,
        ClientMsg::MediaLayout {
            tiles: vec![tile; 26],
        },
    );
    assert!(matches!(
        &out[..],
        [Output::Error {
            code: RoomErrorCode::Invalid,
            ..
        }]
    ));
    let out = h.cmd(org, ClientMsg::MediaLayout { tiles: vec![tile] });
    assert_eq!(
        out,
        vec![Output::MediaLayout {
            from: org,
            tiles: vec![tile]
        }]
    );
    let out = h.m.handle(h.now, Input::DominantSpeaker(org));
    assert!(events_for(&out, org).contains(&RoomEvent::DominantSpeaker { participant: org }));
    let gone = ParticipantId::new();
    assert!(h.m.handle(h.now, Input::DominantSpeaker(gone)).is_empty());
    let (late, _) = h.join("Late", MeetingRole::Attendee);
    assert_eq!(
        h.m.snapshot(late).unwrap().dominant_speaker,
        Some(org),
        "a late joiner learns who speaks"
    );
    h.cmd(org, ClientMsg::Leave);
    assert_eq!(h.m.snapshot(late).unwrap().dominant_speaker, None);
}
