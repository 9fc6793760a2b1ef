//! The room channel over real WebSockets: lobby, chat, roles, bad input, resume, restart.

mod common;

use common::*;
use confab_proto::{
    room::{
        ByeReason, ChatTo, ClientMsg, LeaveReason, LobbyReason, RoomErrorCode, RoomEvent, ServerMsg,
    },
    MeetingRole,
};
use serde_json::json;

fn is_error(code: RoomErrorCode) -> impl Fn(&ServerMsg) -> bool {
    move |m| matches!(m, ServerMsg::Error { code: c, .. } if *c == code)
}

fn welcome_snapshot(m: &ServerMsg) -> &confab_proto::room::Snapshot {
    match m {
        ServerMsg::Welcome {
            snapshot: Some(s), ..
        } => s,
        other => panic!("expected a welcome with snapshot, got {other:?}"),
    }
}

#[tokio::test]
async fn guests_wait_in_the_lobby_get_admitted_and_chat_including_privately() {
    let s = TestServer::start().await;
    let org = s.admin_client().await;
    let mut input = meeting("Lobby");
    input.lobby = true;
    let m = org.schedule(&input).await;
    let link = m.attendee_link.clone().unwrap();

    let org_join = org.join_ok(&link, None, None).await;
    assert_eq!(org_join.role, MeetingRole::Organizer);
    let mut o = Room::enter(&s, &org_join.token).await;

    let ann_join = Client::new(&s).join_ok(&link, Some("Ann"), None).await;
    let mut a = Room::open(&s, &ann_join.token, None).await;
    a.until(|m| {
        matches!(
            m,
            ServerMsg::Lobby {
                reason: LobbyReason::AwaitingAdmission,
                ..
            }
        )
    })
    .await;
    let lobby = o.until(|m| matches!(m, ServerMsg::Event { event: RoomEvent::Lobby { lobby }, .. } if lobby.len() == 1)).await;
    let ServerMsg::Event {
        event: RoomEvent::Lobby { lobby },
        ..
    } = lobby
    else {
        unreachable!()
    };
    assert_eq!(lobby[0].name, "Ann");
    assert!(lobby[0].guest);

    // Ann cannot act from the lobby.
    a.send(&ClientMsg::SendChat {
        to: ChatTo::Everyone,
        text: "let me in".into(),
    })
    .await;
    a.until(is_error(RoomErrorCode::NotAdmitted)).await;

    o.send(&ClientMsg::Admit {
        participant: lobby[0].id,
    })
    .await;
    let w = a.until(|m| matches!(m, ServerMsg::Welcome { .. })).await;
    let snap = welcome_snapshot(&w);
    assert_eq!(snap.participants.len(), 2);
    let ann_id = snap.you.id;
    o.until(|m| matches!(m, ServerMsg::Event { event: RoomEvent::ParticipantJoined { participant }, .. } if participant.name == "Ann")).await;

    a.send(&ClientMsg::SendChat {
        to: ChatTo::Everyone,
        text: "hello all".into(),
    })
    .await;
    o.until(is_chat("hello all")).await;
    a.until(is_chat("hello all")).await;
    let org_id = welcome_snapshot(&o.seen[0]).you.id;
    o.send(&ClientMsg::SendChat {
        to: ChatTo::Participant { id: ann_id },
        text: "just for you".into(),
    })
    .await;
    a.until(is_chat("just for you")).await;

    // A third guest joins: history shows the public message but not the private one.
    let bob_join = Client::new(&s).join_ok(&link, Some("Bob"), None).await;
    let mut b = Room::open(&s, &bob_join.token, None).await;
    b.until(|m| matches!(m, ServerMsg::Lobby { .. })).await;
    let bob_id = match o.until(|m| matches!(m, ServerMsg::Event { event: RoomEvent::Lobby { lobby }, .. } if lobby.len() == 1)).await {
        ServerMsg::Event { event: RoomEvent::Lobby { lobby }, .. } => lobby[0].id,
        _ => unreachable!(),
    };
    o.send(&ClientMsg::AdmitAll).await;
    let w = b.until(|m| matches!(m, ServerMsg::Welcome { .. })).await;
    let texts: Vec<_> = welcome_snapshot(&w)
        .chat
        .iter()
        .map(|c| c.text.clone())
        .collect();
    assert_eq!(texts, vec!["hello all"]);
    assert_ne!(bob_id, org_id);
}

#[tokio::test]
async fn attendees_are_refused_presenter_actions_until_promoted() {
    let s = TestServer::start().await;
    let org = s.admin_client().await;
    let m = org.schedule(&meeting("Roles")).await;
    let link = m.attendee_link.clone().unwrap();
    let mut o = Room::enter(&s, &org.join_ok(&link, None, None).await.token).await;
    let mut a = Room::enter(
        &s,
        &Client::new(&s)
            .join_ok(&link, Some("Ann"), None)
            .await
            .token,
    )
    .await;
    let ann_id = welcome_snapshot(&a.seen[0]).you.id;
    let org_id = welcome_snapshot(&o.seen[0]).you.id;

    for cmd in [
        ClientMsg::SetLocked { locked: true },
        ClientMsg::RemoveParticipant {
            participant: org_id,
            bar: false,
        },
        ClientMsg::SetRole {
            participant: ann_id,
            role: MeetingRole::Presenter,
        },
        ClientMsg::SetPermissions {
            permissions: Default::default(),
        },
        ClientMsg::AdmitAll,
        ClientMsg::EndMeeting,
    ] {
        a.send(&cmd).await;
        a.until(is_error(RoomErrorCode::NotAllowed)).await;
    }

    o.send(&ClientMsg::SetRole {
        participant: ann_id,
        role: MeetingRole::Presenter,
    })
    .await;
    a.until(|m| {
        matches!(
            m,
            ServerMsg::Event {
                event: RoomEvent::RoleChanged {
                    role: MeetingRole::Presenter
                },
                ..
            }
        )
    })
    .await;
    a.send(&ClientMsg::SetLocked { locked: true }).await;
    o.until(|m| {
        matches!(
            m,
            ServerMsg::Event {
                event: RoomEvent::LockChanged { locked: true },
                ..
            }
        )
    })
    .await;

    // Locked: a newcomer is turned away with a clear close code.
    let late = Client::new(&s).join_ok(&link, Some("Late"), None).await;
    let mut l = Room::open(&s, &late.token, None).await;
    assert_eq!(l.closed_with().await, ByeReason::MeetingLocked.close_code());
    assert!(l.seen.contains(&ServerMsg::Bye {
        reason: ByeReason::MeetingLocked
    }));
}

#[tokio::test]
async fn bad_frames_get_error_events_and_the_connection_stays() {
    let s = TestServer::start().await;
    let org = s.admin_client().await;
    let m = org.schedule(&meeting("Bad input")).await;
    let mut o = Room::enter(
        &s,
        &org.join_ok(m.attendee_link.as_deref().unwrap(), None, None)
            .await
            .token,
    )
    .await;

    o.send_raw("{not json").await;
    o.until(is_error(RoomErrorCode::BadMessage)).await;
    o.send_raw(r#"{"type":"launch_rockets","ref":7}"#).await;
    let e = o.until(is_error(RoomErrorCode::BadMessage)).await;
    assert!(
        matches!(
            e,
            ServerMsg::Error {
                reference: Some(7),
                ..
            }
        ),
        "the ref is echoed: {e:?}"
    );
    o.send_raw(r#"{"type":"send_chat","to":{"kind":"everyone"}}"#)
        .await;
    o.until(is_error(RoomErrorCode::BadMessage)).await;
    o.send_raw(&json!({"type": "send_chat", "to": {"kind": "everyone"}, "text": "x".repeat(2001), "ref": 9}).to_string()).await;
    let e = o.until(is_error(RoomErrorCode::TooLong)).await;
    assert!(matches!(
        e,
        ServerMsg::Error {
            reference: Some(9),
            ..
        }
    ));
    o.send(&ClientMsg::Hello {
        token: "again".into(),
        resume: None,
    })
    .await;
    o.until(is_error(RoomErrorCode::BadMessage)).await;

    // Still alive and well.
    o.send(&ClientMsg::Ping).await;
    o.until(|m| matches!(m, ServerMsg::Pong)).await;
    o.send(&ClientMsg::SendChat {
        to: ChatTo::Everyone,
        text: "still here".into(),
    })
    .await;
    o.until(is_chat("still here")).await;

    // An oversized frame closes with 1009.
    o.send_raw(&"y".repeat(70 * 1024)).await;
    assert_eq!(o.closed_with().await, 1009);
}

#[tokio::test]
async fn unknown_tokens_and_missing_hello_are_closed_with_their_codes() {
    let s = TestServer::start().await;
    let mut r = Room::open(&s, "not-a-token", None).await;
    assert_eq!(r.closed_with().await, ByeReason::InvalidToken.close_code());
    let (mut ws, _) = tokio_tungstenite::connect_async(s.ws_url()).await.unwrap();
    use futures_util::SinkExt;
    ws.send(tokio_tungstenite::tungstenite::Message::text(
        r#"{"type":"ping"}"#,
    ))
    .await
    .unwrap();
    let mut room = Room {
        ws,
        seen: vec![],
        last_seq: 0,
        epoch: String::new(),
        token: String::new(),
        closed: None,
    };
    assert_eq!(
        room.closed_with().await,
        ByeReason::HelloExpected.close_code()
    );
}

#[tokio::test]
async fn a_dropped_connection_resumes_without_losing_or_repeating_messages() {
    let s = TestServer::start().await;
    let org = s.admin_client().await;
    let m = org.schedule(&meeting("Resume")).await;
    let link = m.attendee_link.clone().unwrap();
    let mut o = Room::enter(&s, &org.join_ok(&link, None, None).await.token).await;
    let ann = Client::new(&s).join_ok(&link, Some("Ann"), None).await;
    let mut a = Room::enter(&s, &ann.token).await;
    o.send(&ClientMsg::SendChat {
        to: ChatTo::Everyone,
        text: "before".into(),
    })
    .await;
    a.until(is_chat("before")).await;
    let resume = a.resume_point();

    drop(a); // the connection drops without a goodbye
    o.until(|m| matches!(m, ServerMsg::Event { event: RoomEvent::ParticipantUpdated { participant }, .. } if !participant.connected)).await;
    o.send(&ClientMsg::SendChat {
        to: ChatTo::Everyone,
        text: "while you were gone".into(),
    })
    .await;
    o.until(is_chat("while you were gone")).await;

    let mut a = Room::open(&s, &ann.token, Some(resume.clone())).await;
    a.last_seq = resume.since;
    let w = a.until(|m| matches!(m, ServerMsg::Welcome { .. })).await;
    assert!(
        matches!(w, ServerMsg::Welcome { snapshot: None, .. }),
        "a resume, not a snapshot: {w:?}"
    );
    a.until(is_chat("while you were gone")).await;
    o.send(&ClientMsg::SendChat {
        to: ChatTo::Everyone,
        text: "after".into(),
    })
    .await;
    a.until(is_chat("after")).await;
    let chats = a
        .seen
        .iter()
        .filter(|m| {
            matches!(
                m,
                ServerMsg::Event {
                    event: RoomEvent::Chat { .. },
                    ..
                }
            )
        })
        .count();
    assert_eq!(
        chats, 2,
        "exactly the missed message and the new one: {:#?}",
        a.seen
    );
    o.until(|m| matches!(m, ServerMsg::Event { event: RoomEvent::ParticipantUpdated { participant }, .. } if participant.connected && participant.name == "Ann")).await;
}

#[tokio::test]
async fn the_same_seat_on_a_second_connection_replaces_the_first() {
    let s = TestServer::start().await;
    let org = s.admin_client().await;
    let m = org.schedule(&meeting("Two tabs")).await;
    let j = org
        .join_ok(m.attendee_link.as_deref().unwrap(), None, None)
        .await;
    let mut first = Room::enter(&s, &j.token).await;
    let _second = Room::enter(&s, &j.token).await;
    assert_eq!(first.closed_with().await, ByeReason::Replaced.close_code());
}

#[tokio::test]
async fn the_meeting_turns_people_away_when_full() {
    let s = TestServer::start().await;
    let org = s.admin_client().await;
    let me: serde_json::Value = org.get("/api/v1/me").await.json().await.unwrap();
    let tid = me["tenant"]["id"].as_str().unwrap();
    let mut policy = me["tenant"]["policy"].clone();
    policy["max_meeting_size"] = json!(2);
    assert_eq!(
        org.put(&format!("/api/v1/tenants/{tid}/policy"), policy)
            .await
            .status(),
        200
    );
    let m = org.schedule(&meeting("Small")).await;
    let link = m.attendee_link.clone().unwrap();
    let _o = Room::enter(&s, &org.join_ok(&link, None, None).await.token).await;
    let _a = Room::enter(
        &s,
        &Client::new(&s).join_ok(&link, Some("A"), None).await.token,
    )
    .await;
    let mut c = Room::open(
        &s,
        &Client::new(&s).join_ok(&link, Some("C"), None).await.token,
        None,
    )
    .await;
    assert_eq!(c.closed_with().await, ByeReason::MeetingFull.close_code());
}

#[tokio::test]
async fn ending_the_meeting_closes_everyone_and_chat_exports_afterwards() {
    let s = TestServer::start().await;
    let org = s.admin_client().await;
    let m = org.schedule(&meeting("Ending")).await;
    let link = m.attendee_link.clone().unwrap();
    let mut o = Room::enter(&s, &org.join_ok(&link, None, None).await.token).await;
    let mut a = Room::enter(
        &s,
        &Client::new(&s)
            .join_ok(&link, Some("Ann"), None)
            .await
            .token,
    )
    .await;
    a.send(&ClientMsg::SendChat {
        to: ChatTo::Everyone,
        text: "public words".into(),
    })
    .await;
    o.until(is_chat("public words")).await;
    let org_id = welcome_snapshot(&o.seen[0]).you.id;
    a.send(&ClientMsg::SendChat {
        to: ChatTo::Participant { id: org_id },
        text: "private words".into(),
    })
    .await;
    o.until(is_chat("private words")).await;
    o.send(&ClientMsg::EndMeeting).await;
    assert_eq!(a.closed_with().await, ByeReason::MeetingEnded.close_code());
    assert!(a.seen.iter().any(|m| matches!(
        m,
        ServerMsg::Event {
            event: RoomEvent::MeetingEnded,
            ..
        }
    )));

    // The chat was persisted (the actor flushes as it goes): poll the export.
    let deadline = tokio::time::Instant::now() + WAIT;
    loop {
        let text = org
            .get(&format!("/api/v1/meetings/{}/chat?format=text", m.id))
            .await
            .text()
            .await
            .unwrap();
        if text.contains("Ann: public words") {
            assert!(
                !text.contains("private words"),
                "private messages are not exported"
            );
            break;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "chat never exported: {text}"
        );
        tokio::task::yield_now().await;
    }
    let json: Vec<confab_proto::room::ChatMessage> = org
        .get(&format!("/api/v1/meetings/{}/chat?format=json", m.id))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(json.len(), 1);
    let guest = Client::new(&s);
    assert_eq!(
        guest
            .get(&format!("/api/v1/meetings/{}/chat", m.id))
            .await
            .status(),
        401
    );
}

/// "End meeting for all" means what its dialog says: nobody can rejoin. The list, the
/// join page and the room channel agree, after a restart too.
#[tokio::test]
async fn a_scheduled_meeting_ended_early_is_over_for_the_list_the_links_and_the_room() {
    let mut s = TestServer::start().await;
    let org = s.admin_client().await;
    let m = org.schedule(&meeting("Ended early")).await;
    let link = m.attendee_link.clone().unwrap();
    let key = link.rsplit('/').next().unwrap().to_owned();
    let held = Client::new(&s)
        .join_ok(&link, Some("Ann"), None)
        .await
        .token;
    let mut o = Room::enter(&s, &org.join_ok(&link, None, None).await.token).await;
    o.send(&ClientMsg::EndMeeting).await;
    assert_eq!(o.closed_with().await, ByeReason::MeetingEnded.close_code());

    let deadline = tokio::time::Instant::now() + WAIT;
    loop {
        let v: serde_json::Value = org
            .get(&format!("/api/v1/meetings/{}", m.id))
            .await
            .json()
            .await
            .unwrap();
        if v["status"] == "ended" {
            break;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "still {}",
            v["status"]
        );
        tokio::task::yield_now().await;
    }
    for _ in 0..2 {
        let guest = Client::new(&s);
        assert_eq!(
            guest.get(&format!("/api/v1/links/{key}")).await.status(),
            410
        );
        assert_eq!(guest.join(&link, Some("Bo"), None).await.status(), 410);
        // A token handed out before the end does not reopen the room.
        let mut late = Room::open(&s, &held, None).await;
        assert_eq!(
            late.closed_with().await,
            ByeReason::MeetingEnded.close_code()
        );
        s.restart().await;
    }
}

/// A browser closing its page says "going away" (1001): the person leaves the roster
/// after the short page grace, not after the whole reconnect grace; a dropped network
/// keeps the long one.
#[tokio::test]
async fn a_closed_page_leaves_the_roster_quickly_a_dropped_network_does_not() {
    let s = TestServer::start_with(|c| {
        c.limits.page_closed_grace_secs = 1;
        c.limits.reconnect_grace_secs = 600;
    })
    .await;
    let org = s.admin_client().await;
    let m = org.schedule(&meeting("Tabs")).await;
    let link = m.attendee_link.clone().unwrap();
    let mut o = Room::enter(&s, &org.join_ok(&link, None, None).await.token).await;
    let guest = Client::new(&s);
    let mut ann = Room::enter(&s, &guest.join_ok(&link, Some("Ann"), None).await.token).await;
    let bo = Room::enter(&s, &guest.join_ok(&link, Some("Bo"), None).await.token).await;
    let id_of = |r: &Room| welcome_snapshot(&r.seen[0]).you.id;
    let (ann_id, bo_id) = (id_of(&ann), id_of(&bo));

    ann.ws
        .close(Some(tokio_tungstenite::tungstenite::protocol::CloseFrame {
            code: 1001.into(),
            reason: "".into(),
        }))
        .await
        .unwrap();
    // Bo's connection just ends, with no close frame: what a dropped network looks like.
    drop(bo);
    o.until(|m| {
        matches!(
            m,
            ServerMsg::Event {
                event: RoomEvent::ParticipantLeft {
                    id,
                    reason: LeaveReason::Left
                },
                ..
            } if *id == ann_id
        )
    })
    .await;
    // Bo's network dropped: he is shown disconnected, and still there.
    assert!(!o.seen.iter().any(|m| matches!(
        m,
        ServerMsg::Event {
            event: RoomEvent::ParticipantLeft { id, .. },
            ..
        } if *id == bo_id
    )));
}

#[tokio::test]
async fn a_restart_tells_participants_and_keeps_accounts_meetings_and_chat() {
    let mut s = TestServer::start().await;
    let org = s.admin_client().await;
    let m = org.schedule(&meeting("Survives")).await;
    let link = m.attendee_link.clone().unwrap();
    let join = org.join_ok(&link, None, None).await;
    let mut o = Room::enter(&s, &join.token).await;
    o.send(&ClientMsg::SendChat {
        to: ChatTo::Everyone,
        text: "remember me".into(),
    })
    .await;
    o.until(is_chat("remember me")).await;
    o.send(&ClientMsg::SetLocked { locked: true }).await;
    o.until(|m| {
        matches!(
            m,
            ServerMsg::Event {
                event: RoomEvent::LockChanged { .. },
                ..
            }
        )
    })
    .await;

    let stop = tokio::spawn(async move {
        s.restart().await;
        s
    });
    assert_eq!(
        o.closed_with().await,
        ByeReason::ServerShutdown.close_code()
    );
    assert!(o.seen.contains(&ServerMsg::Bye {
        reason: ByeReason::ServerShutdown
    }));
    let s = stop.await.unwrap();

    let org = s.admin_client().await;
    let list: Vec<confab_proto::rest::MeetingView> =
        org.get("/api/v1/meetings").await.json().await.unwrap();
    assert_eq!(list.len(), 1);
    // The same join token rejoins; the history and the lock are still there.
    let mut again = Room::open(&s, &join.token, Some(o.resume_point())).await;
    let w = again
        .until(|m| matches!(m, ServerMsg::Welcome { .. }))
        .await;
    let snap = welcome_snapshot(&w);
    assert_eq!(
        snap.chat
            .iter()
            .map(|c| c.text.as_str())
            .collect::<Vec<_>>(),
        vec!["remember me"]
    );
    assert!(snap.locked);
}

#[tokio::test]
async fn cancelling_a_live_meeting_closes_it_for_everyone() {
    let s = TestServer::start().await;
    let org = s.admin_client().await;
    let m = org.schedule(&meeting("Cancel me")).await;
    let mut a = Room::enter(
        &s,
        &Client::new(&s)
            .join_ok(m.attendee_link.as_deref().unwrap(), Some("Ann"), None)
            .await
            .token,
    )
    .await;
    assert_eq!(
        org.post(&format!("/api/v1/meetings/{}/cancel", m.id), json!({}))
            .await
            .status(),
        200
    );
    assert_eq!(
        a.closed_with().await,
        ByeReason::MeetingCancelled.close_code()
    );
    let status: confab_proto::rest::MeetingView = org
        .get(&format!("/api/v1/meetings/{}", m.id))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        status.status,
        confab_proto::rest::MeetingStatus::Cancelled,
        "ending must not overwrite the cancellation"
    );
}

#[tokio::test]
async fn after_a_restart_admitted_and_promoted_guests_come_back_as_they_were() {
    let mut s = TestServer::start().await;
    let org = s.admin_client().await;
    let mut input = meeting("Lobby survives");
    input.lobby = true;
    let m = org.schedule(&input).await;
    let link = m.attendee_link.clone().unwrap();
    let mut o = Room::enter(&s, &org.join_ok(&link, None, None).await.token).await;
    let ann = Client::new(&s).join_ok(&link, Some("Ann"), None).await;
    let mut a = Room::open(&s, &ann.token, None).await;
    a.until(|m| matches!(m, ServerMsg::Lobby { .. })).await;
    let ann_id = match o.until(|m| matches!(m, ServerMsg::Event { event: RoomEvent::Lobby { lobby }, .. } if lobby.len() == 1)).await {
        ServerMsg::Event { event: RoomEvent::Lobby { lobby }, .. } => lobby[0].id,
        _ => unreachable!(),
    };
    o.send(&ClientMsg::Admit {
        participant: ann_id,
    })
    .await;
    a.until(|m| matches!(m, ServerMsg::Welcome { .. })).await;
    o.send(&ClientMsg::SetRole {
        participant: ann_id,
        role: MeetingRole::Presenter,
    })
    .await;
    a.until(|m| {
        matches!(
            m,
            ServerMsg::Event {
                event: RoomEvent::RoleChanged { .. },
                ..
            }
        )
    })
    .await;

    let stop = tokio::spawn(async move {
        s.restart().await;
        s
    });
    a.closed_with().await;
    let s = stop.await.unwrap();
    let mut again = Room::open(&s, &ann.token, Some(a.resume_point())).await;
    let w = again
        .until(|m| matches!(m, ServerMsg::Welcome { .. } | ServerMsg::Lobby { .. }))
        .await;
    assert_eq!(
        welcome_snapshot(&w).you.role,
        MeetingRole::Presenter,
        "straight in, still presenter"
    );
}
