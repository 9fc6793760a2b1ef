//! Repository round trips on a real SQLite file.

use chrono::{TimeDelta, Utc};
use confab_proto::{
    room::{ChatMessage, ChatTo},
    AccountRole, MeetingRole, ParticipantId, Policy,
};

use confab_core::schedule::{self, Schedule};
use confab_proto::rest::MeetingInput;

use crate::{NewSeat, Store, StoreError};

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
        s.users_by_email("ana@example.org").await.unwrap()[0].name,
        "Ana"
    );
    let (found, presenter) = s.meeting_by_key("ak").await.unwrap().unwrap();
    assert_eq!(found.id, m.id);
    assert!(!presenter);
    assert_eq!(s.chat(t.id(), m.id(), 100).await.unwrap(), vec![msg]);
    assert!(s.meeting_state(t.id(), m.id()).await.unwrap().locked);
    // Another tenant's id opens nothing of this meeting.
    let other = s
        .create_tenant("Other", "eu", &Policy::default())
        .await
        .unwrap();
    assert!(s.chat(other.id(), m.id(), 100).await.unwrap().is_empty());
    assert!(!s.meeting_state(other.id(), m.id()).await.unwrap().locked);
    assert!(s.meeting_in(other.id(), m.id()).await.unwrap().is_none());
}

#[tokio::test]
async fn an_address_is_unique_per_organisation_so_others_learn_nothing() {
    let (s, _dir) = store().await;
    let a = s
        .create_tenant("A", "eu", &Policy::default())
        .await
        .unwrap();
    let b = s
        .create_tenant("B", "eu", &Policy::default())
        .await
        .unwrap();
    s.create_user(a.id(), "x@x.org", "In A", AccountRole::Member, "h1")
        .await
        .unwrap();
    // B's admin creating the same address is not told that A has it.
    s.create_user(b.id(), "x@x.org", "In B", AccountRole::Member, "h2")
        .await
        .expect("the address is free in B");
    let both = s.users_by_email("x@x.org").await.unwrap();
    assert_eq!(
        both.iter().map(|u| u.name.as_str()).collect::<Vec<_>>(),
        ["In A", "In B"]
    );
}

#[tokio::test]
async fn speaker_notes_open_only_through_their_own_meeting_and_tenant() {
    use confab_proto::content::{DocumentInfo, DocumentKind, DocumentStatus};
    let (s, _dir) = store().await;
    let t = s
        .create_tenant("A", "eu", &Policy::default())
        .await
        .unwrap();
    let u = s
        .create_user(t.id(), "o@x.org", "O", AccountRole::Organizer, "h")
        .await
        .unwrap();
    let m = s
        .create_meeting(t.id(), u.id(), &meeting(), false, ("p1", "a1"))
        .await
        .unwrap();
    let elsewhere = s
        .create_meeting(t.id(), u.id(), &meeting(), false, ("p2", "a2"))
        .await
        .unwrap();
    let other = s
        .create_tenant("B", "eu", &Policy::default())
        .await
        .unwrap();
    let doc = DocumentInfo {
        id: confab_proto::DocumentId::new(),
        name: "deck.pptx".into(),
        kind: DocumentKind::Upload,
        status: DocumentStatus::Ready,
        pages: Vec::new(),
    };
    s.save_document(t.id(), m.id(), &doc, 1).await.unwrap();
    s.save_notes(t.id(), doc.id, 0, "the secret plan")
        .await
        .unwrap();
    assert_eq!(
        s.notes(t.id(), m.id(), doc.id).await.unwrap(),
        [(0, "the secret plan".to_owned())]
    );
    assert!(s
        .notes(t.id(), elsewhere.id(), doc.id)
        .await
        .unwrap()
        .is_empty());
    assert!(s
        .notes(other.id(), m.id(), doc.id)
        .await
        .unwrap()
        .is_empty());
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
        .rotate_keys(t.id(), m.id(), ("pk2", "ak2"))
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
    let seat = |participant, name, role, user| NewSeat {
        tenant: t.id(),
        meeting: m.id(),
        participant,
        name,
        role,
        user,
        expires_at: now + TimeDelta::hours(1),
        device_hash: None,
    };
    s.create_seat(
        b"tok",
        &seat(
            ParticipantId::new(),
            "A",
            MeetingRole::Organizer,
            Some(u.id()),
        ),
    )
    .await
    .unwrap();
    // Replacing the links ends every token they gave, not the organizer's.
    let guest = ParticipantId::new();
    s.create_seat(b"guest", &seat(guest, "G", MeetingRole::Presenter, None))
        .await
        .unwrap();
    assert_eq!(
        s.revoke_seats(t.id(), m.id(), u.id()).await.unwrap(),
        [guest]
    );
    assert!(s.seat(b"guest", now).await.unwrap().is_none());
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

#[tokio::test]
async fn a_password_change_can_end_every_other_session_and_tokens_may_expire() {
    let (s, _dir) = store().await;
    let t = s
        .create_tenant("A", "eu", &Policy::default())
        .await
        .unwrap();
    let u = s
        .create_user(t.id(), "a@x.org", "A", AccountRole::Member, "h")
        .await
        .unwrap();
    let now = Utc::now();
    for secret in [&b"here"[..], b"laptop", b"stolen"] {
        s.create_session(secret, &u, now + TimeDelta::hours(1))
            .await
            .unwrap();
    }
    assert_eq!(
        s.end_other_sessions(u.id(), Some(b"here")).await.unwrap(),
        2
    );
    assert!(s.session_user(b"here", now).await.unwrap().is_some());
    assert!(s.session_user(b"stolen", now).await.unwrap().is_none());

    s.create_api_token(&u, "ci", b"t1", Some(now + TimeDelta::days(1)))
        .await
        .unwrap();
    assert!(s.api_token_user(b"t1", now).await.unwrap().is_some());
    assert!(s
        .api_token_user(b"t1", now + TimeDelta::days(2))
        .await
        .unwrap()
        .is_none());
    let listed = s.api_tokens(u.id()).await.unwrap();
    assert_eq!(listed[0].expires_at, Some(now + TimeDelta::days(1)));
    assert!(listed[0].last_used_at.is_some());
}

#[tokio::test]
async fn upgrading_a_database_keeps_its_users_sessions_and_tokens() {
    use sqlx::sqlite::{SqliteConnectOptions, SqlitePool};
    let dir = std::env::temp_dir().join(format!("confab-store-{}", uuid::Uuid::new_v4()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("confab.db");
    let opts = SqliteConnectOptions::new()
        .filename(&path)
        .create_if_missing(true)
        .foreign_keys(true);
    let pool = SqlitePool::connect_with(opts).await.unwrap();
    let mut before = sqlx::migrate!("./migrations");
    before.migrations = before
        .migrations
        .iter()
        .filter(|m| m.version < 6)
        .cloned()
        .collect::<Vec<_>>()
        .into();
    before.run(&pool).await.unwrap();
    let (t, u) = (uuid::Uuid::now_v7(), uuid::Uuid::now_v7());
    let later = Utc::now() + TimeDelta::hours(1);
    sqlx::query("INSERT INTO tenants VALUES (?, 'A', 'eu', '{}', '2026-01-01T00:00:00Z')")
        .bind(t)
        .execute(&pool)
        .await
        .unwrap();
    sqlx::query(
        "INSERT INTO users VALUES (?, ?, 'a@x.org', 'A', 'member', 'h', '2026-01-01T00:00:00Z')",
    )
    .bind(u)
    .bind(t)
    .execute(&pool)
    .await
    .unwrap();
    sqlx::query("INSERT INTO sessions VALUES (?, ?, ?, ?)")
        .bind(&b"sess"[..])
        .bind(t)
        .bind(u)
        .bind(later)
        .execute(&pool)
        .await
        .unwrap();
    sqlx::query("INSERT INTO api_tokens VALUES (?, ?, ?, 'ci', ?, '2026-01-01T00:00:00Z', NULL)")
        .bind(uuid::Uuid::now_v7())
        .bind(t)
        .bind(u)
        .bind(&b"tok"[..])
        .execute(&pool)
        .await
        .unwrap();
    pool.close().await;

    let s = Store::open_sqlite(&path).await.unwrap();
    let now = Utc::now();
    assert_eq!(
        s.session_user(b"sess", now).await.unwrap().unwrap().name,
        "A"
    );
    assert_eq!(
        s.api_token_user(b"tok", now).await.unwrap().unwrap().name,
        "A"
    );
    assert_eq!(s.users_by_email("a@x.org").await.unwrap().len(), 1);
}

#[tokio::test]
async fn admissions_and_their_roles_are_kept_per_meeting() {
    let (s, _dir) = store().await;
    let t = s
        .create_tenant("A", "eu", &Policy::default())
        .await
        .unwrap();
    let u = s
        .create_user(t.id(), "o@x.org", "O", AccountRole::Organizer, "h")
        .await
        .unwrap();
    let m = s
        .create_meeting(t.id(), u.id(), &meeting(), false, ("p", "a"))
        .await
        .unwrap();
    let ann = ParticipantId::new();
    let seat = NewSeat {
        tenant: t.id(),
        meeting: m.id(),
        participant: ann,
        name: "Ann",
        role: MeetingRole::Attendee,
        user: None,
        expires_at: Utc::now() + TimeDelta::hours(1),
        device_hash: None,
    };
    s.create_seat(b"ann", &seat).await.unwrap();
    s.set_seat_admission(t.id(), m.id(), ann, MeetingRole::Presenter, true)
        .await
        .unwrap();
    let state = s.meeting_state(t.id(), m.id()).await.unwrap();
    assert_eq!(state.admitted, [(ann, MeetingRole::Presenter)]);
    let row = s.seat(b"ann", Utc::now()).await.unwrap().unwrap();
    assert_eq!(row.role().unwrap(), MeetingRole::Presenter);
}
