//! Repository round trips on a real SQLite file.

use chrono::{TimeDelta, Utc};
use confab_proto::{
    room::{ChatMessage, ChatTo},
    AccountRole, MeetingRole, ParticipantId, Policy,
};

use confab_core::schedule::{self, Schedule};
use confab_proto::rest::MeetingInput;

use crate::{Store, StoreError};

async fn store() -> (Store, std::path::PathBuf) {
    let dir = std::env::temp_dir().join(format!("confab-store-{}", uuid::Uuid::new_v4()));
    std::fs::create_dir_all(&dir).unwrap();
    (
        Store::open_sqlite(&dir.join("confab.db")).await.unwrap(),
        dir,
    )
}

fn meeting() -> Schedule {
    schedule::validate(&MeetingInput {
        title: "Review".into(),
        description: String::new(),
        start: "2026-12-01T10:00".into(),
        end: "2026-12-01T11:00".into(),
        time_zone: "UTC".into(),
        passcode: None,
        lobby: true,
        allow_guests: true,
        wait_for_presenter: true,
        presenters: vec!["pre@example.org".into()],
    })
    .unwrap()
}

#[tokio::test]
async fn data_survives_reopening_the_database() {
    let (s, dir) = store().await;
    let t = s
        .create_tenant("Acme", "eu-central", &Policy::default())
        .await
        .unwrap();
    let u = s
        .create_user(
            t.id(),
            "ana@example.org",
            "Ana",
            AccountRole::Organizer,
            "hash",
        )
        .await
        .unwrap();
    let m = s
        .create_meeting(t.id(), u.id(), &meeting(), false, ("pk", "ak"))
        .await
        .unwrap();
    let msg = ChatMessage {
        id: 1,
        from: ParticipantId::new(),
        from_name: "Ana".into(),
        to: ChatTo::Everyone,
        to_name: None,
        text: "hello".into(),
        sent_at: Utc::now(),
    };
    s.append_chat(t.id(), m.id(), std::slice::from_ref(&msg))
        .await
        .unwrap();
    s.save_locked(t.id(), m.id(), true).await.unwrap();
    s.close().await;

    let s = Store::open_sqlite(&dir.join("confab.db")).await.unwrap();
    assert_eq!(
        s.user_by_email("ana@example.org")
            .await
            .unwrap()
            .unwrap()
            .name,
        "Ana"
    );
    let (found, presenter) = s.meeting_by_key("ak").await.unwrap().unwrap();
    assert_eq!(found.id, m.id);
    assert!(!presenter);
    assert_eq!(s.chat(m.id(), 100).await.unwrap(), vec![msg]);
    assert!(s.meeting_state(m.id()).await.unwrap().locked);
}

#[tokio::test]
async fn duplicate_emails_are_a_conflict() {
    let (s, _dir) = store().await;
    let t = s
        .create_tenant("Acme", "eu", &Policy::default())
        .await
        .unwrap();
    s.create_user(t.id(), "a@x.org", "A", AccountRole::Member, "h")
        .await
        .unwrap();
    let err = s
        .create_user(t.id(), "a@x.org", "B", AccountRole::Member, "h")
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::Conflict(_)));
}

#[tokio::test]
async fn named_presenters_see_the_meeting_in_their_list_and_rotation_kills_old_keys() {
    let (s, _dir) = store().await;
    let t = s
        .create_tenant("Acme", "eu", &Policy::default())
        .await
        .unwrap();
    let org = s
        .create_user(
            t.id(),
            "org@example.org",
            "Org",
            AccountRole::Organizer,
            "h",
        )
        .await
        .unwrap();
    let pre = s
        .create_user(t.id(), "pre@example.org", "Pre", AccountRole::Member, "h")
        .await
        .unwrap();
    let m = s
        .create_meeting(t.id(), org.id(), &meeting(), false, ("pk", "ak"))
        .await
        .unwrap();
    assert_eq!(
        s.meetings_for(t.id(), pre.id(), "pre@example.org")
            .await
            .unwrap()
            .len(),
        1
    );
    let rotated = s
        .rotate_keys(m.id(), ("pk2", "ak2"))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(rotated.sequence, 1);
    assert!(s.meeting_by_key("ak").await.unwrap().is_none());
    assert!(s.meeting_by_key("pk2").await.unwrap().unwrap().1);
}

#[tokio::test]
async fn expired_seats_and_sessions_are_not_found() {
    let (s, _dir) = store().await;
    let t = s
        .create_tenant("Acme", "eu", &Policy::default())
        .await
        .unwrap();
    let u = s
        .create_user(t.id(), "a@x.org", "A", AccountRole::Organizer, "h")
        .await
        .unwrap();
    let m = s
        .create_meeting(t.id(), u.id(), &meeting(), true, ("p", "a"))
        .await
        .unwrap();
    let now = Utc::now();
    s.create_seat(
        b"tok",
        t.id(),
        m.id(),
        ParticipantId::new(),
        "A",
        MeetingRole::Organizer,
        Some(u.id()),
        now + TimeDelta::hours(1),
    )
    .await
    .unwrap();
    assert!(s.seat(b"tok", now).await.unwrap().is_some());
    assert!(s
        .seat(b"tok", now + TimeDelta::hours(2))
        .await
        .unwrap()
        .is_none());
    s.create_session(b"sess", &u, now + TimeDelta::minutes(1))
        .await
        .unwrap();
    assert!(s.session_user(b"sess", now).await.unwrap().is_some());
    assert!(s
        .session_user(b"sess", now + TimeDelta::minutes(2))
        .await
        .unwrap()
        .is_none());
}
