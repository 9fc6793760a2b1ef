//! Who may do what, tried over real HTTP and WebSockets the way someone without the right
//! would try it: other people's meetings, tokens and organisations, another meeting's
//! join token, stale links, cross-site requests, and bars across a restart.

mod common;

use common::*;
use confab_proto::{
    content::DocumentKind,
    rest::{JoinResponse, LinkInfo, MeetingView},
    room::{ByeReason, ClientMsg, RoomEvent, ServerMsg},
    MeetingRole,
};
use serde_json::{json, Value};
use tokio_tungstenite::tungstenite;

/// Status and problem slug of a WebSocket upgrade to a shared document: (101, "upgraded")
/// when it opens.
async fn collab_problem(s: &TestServer, meeting: &str, doc: &str, token: &str) -> (u16, String) {
    let url = format!(
        "{}/api/v1/collab/{meeting}/{doc}?token={token}",
        s.base.replacen("http://", "ws://", 1)
    );
    match tokio_tungstenite::connect_async(url).await {
        Ok((_ws, resp)) => (resp.status().as_u16(), "upgraded".into()),
        Err(tungstenite::Error::Http(resp)) => {
            let body: Value = serde_json::from_slice(resp.body().as_deref().unwrap_or(b"{}"))
                .unwrap_or(Value::Null);
            let slug = body["type"]
                .as_str()
                .unwrap_or("")
                .trim_start_matches("urn:confab:problem:")
                .to_owned();
            (resp.status().as_u16(), slug)
        }
        Err(e) => panic!("connecting: {e}"),
    }
}

/// The organizer joins through `link`, enters and makes a whiteboard: their join token,
/// their room and the board's shared-document name.
async fn whiteboard_in(s: &TestServer, org: &Client, link: Option<&str>) -> (String, Room, String) {
    let token = org.join_ok(link.unwrap(), None, None).await.token;
    let mut room = Room::enter(s, &token).await;
    let board = new_document(&mut room, DocumentKind::Whiteboard)
        .await
        .pages[0]
        .collab
        .to_string();
    (token, room, board)
}

fn you(welcome: &ServerMsg) -> (confab_proto::ParticipantId, MeetingRole) {
    match welcome {
        ServerMsg::Welcome {
            snapshot: Some(snapshot),
            ..
        } => (snapshot.you.id, snapshot.you.role),
        other => panic!("not a welcome: {other:?}"),
    }
}

/// A bearer-token request (join tokens, API tokens), without cookies.
async fn with_token(
    s: &TestServer,
    method: reqwest::Method,
    path: &str,
    token: &str,
) -> reqwest::Response {
    reqwest::Client::new()
        .request(method, s.url(path))
        .bearer_auth(token)
        .send()
        .await
        .unwrap()
}

#[tokio::test]
async fn shared_documents_are_refused_once_the_meeting_is_cancelled_or_ended() {
    let s = TestServer::start().await;
    let org = s.admin_client().await;

    // Cancelled over REST while its participant still holds a valid join token.
    let m = org.schedule(&meeting("Cancelled")).await;
    let (token, mut o, board) = whiteboard_in(&s, &org, m.attendee_link.as_deref()).await;
    let id = m.id.to_string();
    assert_eq!(
        collab_problem(&s, &id, &board, &token).await,
        (101, "upgraded".into())
    );
    let r = org
        .post(&format!("/api/v1/meetings/{id}/cancel"), json!({}))
        .await;
    assert_eq!(r.status(), 200);
    assert_eq!(
        o.closed_with().await,
        ByeReason::MeetingCancelled.close_code()
    );
    assert_eq!(
        collab_problem(&s, &id, &board, &token).await,
        (410, "meeting-cancelled".into())
    );

    // A "meet now" meeting ended from the room by its organizer is over for good (a
    // scheduled one may meet again).
    let r = org.post("/api/v1/meetings/now", json!({})).await;
    assert_eq!(r.status(), 201);
    let m: MeetingView = r.json().await.unwrap();
    let (token, mut o, board) = whiteboard_in(&s, &org, m.presenter_link.as_deref()).await;
    let id = m.id.to_string();
    o.send(&ClientMsg::EndMeeting).await;
    assert_eq!(o.closed_with().await, ByeReason::MeetingEnded.close_code());
    // Ending is persisted by the actor as it stops: poll until the store says so.
    let deadline = tokio::time::Instant::now() + WAIT;
    loop {
        let got = collab_problem(&s, &id, &board, &token).await;
        if got == (410, "meeting-ended".to_owned()) {
            break;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "an ended meeting's document still answered {got:?}"
        );
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
}

#[tokio::test]
async fn only_the_organizer_or_an_admin_of_its_organisation_may_change_a_meeting() {
    let s = TestServer::start().await;
    let organizer = s.user("org@example.org", "organizer").await;
    let presenter = s.user("pres@example.org", "organizer").await;
    let colleague = s.user("colleague@example.org", "organizer").await;
    let tenant_admin = s.user("boss@example.org", "tenant_admin").await;
    let mut input = meeting("Board meeting");
    input.presenters = vec!["pres@example.org".into()];
    let m = organizer.schedule(&input).await;
    let id = m.id;

    // Another organisation's administrator.
    let (_, outsider) = s.tenant_admin("Other", "admin@other.org").await;

    let update = |title: &str| {
        let mut i = input.clone();
        i.title = title.into();
        serde_json::to_value(i).unwrap()
    };
    // (who, expected status for a change, expected problem) — a named presenter sees the
    // meeting but may not change it; people who may not see it get 404, as for any id.
    for (who, status, slug) in [
        (&presenter, 403, "forbidden"),
        (&colleague, 404, "not-found"),
        (&outsider, 404, "not-found"),
    ] {
        let attempts = [
            who.put(&format!("/api/v1/meetings/{id}"), update("Hijacked"))
                .await,
            who.post(&format!("/api/v1/meetings/{id}/cancel"), json!({}))
                .await,
            who.post(&format!("/api/v1/meetings/{id}/rotate-links"), json!({}))
                .await,
            who.get(&format!("/api/v1/meetings/{id}/chat")).await,
        ];
        for r in attempts {
            assert_eq!(problem_type(r).await, (status, slug.to_owned()));
        }
    }
    let now: MeetingView = organizer
        .get(&format!("/api/v1/meetings/{id}"))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(now.title, "Board meeting");
    assert_eq!(now.attendee_link, m.attendee_link, "links unchanged");
    assert_eq!(now.status, confab_proto::rest::MeetingStatus::Scheduled);

    // The organizer and an administrator of the meeting's organisation may.
    for who in [&organizer, &tenant_admin] {
        let r = who
            .put(&format!("/api/v1/meetings/{id}"), update("Renamed"))
            .await;
        assert_eq!(r.status(), 200);
        let r = who
            .post(&format!("/api/v1/meetings/{id}/rotate-links"), json!({}))
            .await;
        assert_eq!(r.status(), 200);
        let r = who.get(&format!("/api/v1/meetings/{id}/chat")).await;
        assert_eq!(r.status(), 200);
    }
    let r = tenant_admin
        .post(&format!("/api/v1/meetings/{id}/cancel"), json!({}))
        .await;
    assert_eq!(r.status(), 200);
}

#[tokio::test]
async fn a_tenant_admin_administers_only_their_own_organisation() {
    let s = TestServer::start().await;
    let provider = s.admin_client().await;
    let me: Value = provider.get("/api/v1/me").await.json().await.unwrap();
    let home = me["tenant"]["id"].as_str().unwrap().to_owned();
    let (acme, boss) = s.tenant_admin("Acme", "boss@acme.org").await;

    // Their own organisation: users, policy.
    let user = |email: &str, role: &str| json!({"email": email, "name": "Someone", "role": role, "password": "correct horse battery"});
    let r = boss
        .post("/api/v1/users", user("ana@acme.org", "organizer"))
        .await;
    assert_eq!(r.status(), 201);
    let r = boss
        .post("/api/v1/users", user("deputy@acme.org", "tenant_admin"))
        .await;
    assert_eq!(r.status(), 201);
    let users: Vec<Value> = boss.get("/api/v1/users").await.json().await.unwrap();
    let mut emails: Vec<_> = users.iter().map(|u| u["email"].as_str().unwrap()).collect();
    emails.sort();
    assert_eq!(emails, ["ana@acme.org", "boss@acme.org", "deputy@acme.org"]);
    let policy: Value = boss
        .get(&format!("/api/v1/tenants/{acme}/policy"))
        .await
        .json()
        .await
        .unwrap();
    let mut stricter = policy.clone();
    stricter["chat"] = json!(false);
    let r = boss
        .put(&format!("/api/v1/tenants/{acme}/policy"), stricter)
        .await;
    assert_eq!(r.status(), 200);

    // Not a provider administrator, in no organisation.
    let r = boss
        .post("/api/v1/users", user("root@acme.org", "provider_admin"))
        .await;
    assert_eq!(problem_type(r).await, (403, "forbidden".into()));
    // Nothing of another organisation, by query or by path.
    let refused = [
        boss.get(&format!("/api/v1/users?tenant={home}")).await,
        boss.post(
            &format!("/api/v1/users?tenant={home}"),
            user("mole@example.org", "tenant_admin"),
        )
        .await,
        boss.get(&format!("/api/v1/tenants/{home}/policy")).await,
        boss.put(&format!("/api/v1/tenants/{home}/policy"), policy.clone())
            .await,
        boss.get("/api/v1/tenants").await,
        boss.post(
            "/api/v1/tenants",
            json!({"name": "Mine", "region": "eu-central"}),
        )
        .await,
    ];
    for r in refused {
        assert_eq!(problem_type(r).await, (403, "forbidden".into()));
    }
    let home_users: Vec<Value> = provider.get("/api/v1/users").await.json().await.unwrap();
    assert!(
        home_users
            .iter()
            .all(|u| u["email"] != "mole@example.org" && u["email"] != "root@acme.org"),
        "{home_users:?}"
    );
    let home_policy: Value = provider
        .get(&format!("/api/v1/tenants/{home}/policy"))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        home_policy["chat"], true,
        "the other organisation's policy is untouched"
    );
}

#[tokio::test]
async fn content_refuses_another_meetings_token_and_notes_are_for_presenters() {
    let s = TestServer::start().await;
    let org = s.admin_client().await;
    let m = org.schedule(&meeting("Ours")).await;
    let link = m.attendee_link.clone().unwrap();
    let org_token = org.join_ok(&link, None, None).await.token;
    let mut o = Room::enter(&s, &org_token).await;
    let ann_token = Client::new(&s)
        .join_ok(&link, Some("Ann"), None)
        .await
        .token;
    let _a = Room::enter(&s, &ann_token).await;
    let doc = new_document(&mut o, DocumentKind::Whiteboard).await.id;

    // The organizer of another meeting, present in it, with a presenter's token.
    let theirs = org.schedule(&meeting("Theirs")).await;
    let their_token = Client::new(&s)
        .join_ok(theirs.presenter_link.as_deref().unwrap(), Some("Eve"), None)
        .await
        .token;
    let _e = Room::enter(&s, &their_token).await;

    let id = m.id;
    let paths = [
        (
            reqwest::Method::GET,
            format!("/api/v1/meetings/{id}/documents/{doc}/pages/0/large"),
        ),
        (
            reqwest::Method::GET,
            format!("/api/v1/meetings/{id}/documents/{doc}/notes"),
        ),
        (
            reqwest::Method::GET,
            format!("/api/v1/meetings/{id}/documents/{doc}/export"),
        ),
        (
            reqwest::Method::POST,
            format!("/api/v1/meetings/{id}/documents?name=x.pdf"),
        ),
    ];
    for (method, path) in &paths {
        let r = with_token(&s, method.clone(), path, &their_token).await;
        assert_eq!(
            problem_type(r).await,
            (404, "not-found".into()),
            "{method} {path} with another meeting's token"
        );
    }
    // Nor, through their own meeting, this meeting's documents (speaker notes fetched this
    // way leaked: issue 9, finding 1).
    let theirs_id = theirs.id;
    for what in ["notes", "export"] {
        let r = with_token(
            &s,
            reqwest::Method::GET,
            &format!("/api/v1/meetings/{theirs_id}/documents/{doc}/{what}"),
            &their_token,
        )
        .await;
        assert_eq!(problem_type(r).await, (404, "not-found".into()), "{what}");
    }
    let r = with_token(
        &s,
        reqwest::Method::GET,
        &format!("/api/v1/meetings/{theirs_id}/documents/{doc}/pages/0/large"),
        &their_token,
    )
    .await;
    assert_eq!(
        problem_type(r).await,
        (403, "forbidden".into()),
        "not shown to them"
    );

    // Speaker notes are for presenters of this meeting.
    let notes = format!("/api/v1/meetings/{id}/documents/{doc}/notes");
    let r = with_token(&s, reqwest::Method::GET, &notes, &ann_token).await;
    assert_eq!(problem_type(r).await, (403, "forbidden".into()));
    let r = with_token(&s, reqwest::Method::GET, &notes, &org_token).await;
    assert_eq!(r.status(), 200);
}

#[tokio::test]
async fn a_bar_holds_across_a_server_restart() {
    let mut s = TestServer::start().await;
    let org = s.admin_client().await;
    let m = org.schedule(&meeting("Bars")).await;
    let link = m.attendee_link.clone().unwrap();
    let mut o = Room::enter(&s, &org.join_ok(&link, None, None).await.token).await;
    // A guest, and a signed-in member who could otherwise come back with a new token.
    let guest = Client::new(&s).join_ok(&link, Some("Troll"), None).await;
    let member = s.user("mem@example.org", "member").await;
    let member_join = member.join_ok(&link, None, None).await;
    let mut g = Room::enter(&s, &guest.token).await;
    let mut mb = Room::enter(&s, &member_join.token).await;
    for room in [&mut g, &mut mb] {
        let (who, _) = you(&room.seen[0]);
        o.send(&ClientMsg::RemoveParticipant {
            participant: who,
            bar: true,
        })
        .await;
        assert_eq!(room.closed_with().await, ByeReason::Barred.close_code());
    }

    let stop = tokio::spawn(async move {
        s.restart().await;
        s
    });
    o.closed_with().await;
    let s = stop.await.unwrap();

    let mut again = Room::open(&s, &guest.token, None).await;
    assert_eq!(again.closed_with().await, ByeReason::Barred.close_code());
    let member = Client::new(&s);
    member
        .login("mem@example.org", "correct horse battery")
        .await;
    let fresh = member.join_ok(&link, None, None).await;
    let mut again = Room::open(&s, &fresh.token, None).await;
    assert_eq!(
        again.closed_with().await,
        ByeReason::Barred.close_code(),
        "a barred account stays barred with a new token after a restart"
    );
}

#[tokio::test]
async fn cookie_requests_from_another_site_are_refused_by_sec_fetch_site() {
    let s = TestServer::start().await;
    let c = s.admin_client().await;
    let post = |site: &'static str| {
        c.http
            .post(s.url("/api/v1/meetings/now"))
            .header("sec-fetch-site", site)
            .json(&json!({}))
            .send()
    };
    for site in ["cross-site", "same-site"] {
        let r = post(site).await.unwrap();
        assert_eq!(problem_type(r).await, (403, "cross-site".into()), "{site}");
    }
    for site in ["same-origin", "none"] {
        assert_eq!(post(site).await.unwrap().status(), 201, "{site}");
    }
    // Reading is not a state change; an API token is not a cookie a browser attaches.
    let r = c
        .http
        .get(s.url("/api/v1/meetings"))
        .header("sec-fetch-site", "cross-site")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let created: Value = c
        .post("/api/v1/tokens", json!({"name": "script"}))
        .await
        .json()
        .await
        .unwrap();
    let r = reqwest::Client::new()
        .post(s.url("/api/v1/meetings/now"))
        .bearer_auth(created["token"].as_str().unwrap())
        .header("sec-fetch-site", "cross-site")
        .json(&json!({}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201);
}

#[tokio::test]
async fn links_expire_after_the_meeting_ends_and_its_grace_period() {
    let s = TestServer::start_with(|c| c.limits.link_grace_hours = 1).await;
    let org = s.admin_client().await;
    // Ended two hours ago: past its one hour of grace.
    let now = chrono::Utc::now();
    let mut past = meeting("Yesterday's");
    past.time_zone = "UTC".into();
    past.start = (now - chrono::TimeDelta::hours(3))
        .format("%Y-%m-%dT%H:%M")
        .to_string();
    past.end = (now - chrono::TimeDelta::hours(2))
        .format("%Y-%m-%dT%H:%M")
        .to_string();
    let old = org.schedule(&past).await;
    // Ended half an hour ago: still within it.
    let mut recent = past.clone();
    recent.start = (now - chrono::TimeDelta::hours(1))
        .format("%Y-%m-%dT%H:%M")
        .to_string();
    recent.end = (now - chrono::TimeDelta::minutes(30))
        .format("%Y-%m-%dT%H:%M")
        .to_string();
    let recent = org.schedule(&recent).await;

    let guest = Client::new(&s);
    for link in [old.attendee_link.as_deref(), old.presenter_link.as_deref()] {
        let key = link.unwrap().rsplit('/').next().unwrap();
        let r = guest.get(&format!("/api/v1/links/{key}")).await;
        assert_eq!(problem_type(r).await, (410, "link-expired".into()));
        let r = guest.join(link.unwrap(), Some("Late"), None).await;
        assert_eq!(problem_type(r).await, (410, "link-expired".into()));
    }
    guest
        .join_ok(recent.attendee_link.as_deref().unwrap(), Some("Late"), None)
        .await;
}

#[tokio::test]
async fn the_presenter_link_makes_a_guest_a_presenter() {
    let s = TestServer::start().await;
    let org = s.admin_client().await;
    let m = org.schedule(&meeting("Roles by link")).await;
    let guest = Client::new(&s);
    let presenter_link = m.presenter_link.clone().unwrap();
    let key = presenter_link.rsplit('/').next().unwrap();
    let info: LinkInfo = guest
        .get(&format!("/api/v1/links/{key}"))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(info.role, MeetingRole::Presenter);
    let join: JoinResponse = guest.join_ok(&presenter_link, Some("Pia"), None).await;
    assert_eq!(join.role, MeetingRole::Presenter);
    let attendee = Client::new(&s)
        .join_ok(m.attendee_link.as_deref().unwrap(), Some("Ann"), None)
        .await;
    assert_eq!(attendee.role, MeetingRole::Attendee);

    let mut p = Room::enter(&s, &join.token).await;
    assert_eq!(you(&p.seen[0]).1, MeetingRole::Presenter);
    // …and the room treats them as one: a presenter-only command works.
    p.send(&ClientMsg::SetLocked { locked: true }).await;
    p.until(|m| {
        matches!(
            m,
            ServerMsg::Event {
                event: RoomEvent::LockChanged { locked: true },
                ..
            }
        )
    })
    .await;
}

#[tokio::test]
async fn a_password_change_needs_the_current_one_and_replaces_it() {
    let s = TestServer::start().await;
    let ana = s.user("ana@example.org", "organizer").await;
    let change = |current: &str, new: &str| {
        ana.post(
            "/api/v1/me/password",
            json!({"current": current, "new": new}),
        )
    };
    let r = change("not my password", "a brand new secret").await;
    assert_eq!(problem_type(r).await, (401, "invalid-credentials".into()));
    let r = change("correct horse battery", "short").await;
    assert_eq!(problem_type(r).await, (422, "invalid-input".into()));
    let r = change("correct horse battery", "a brand new secret").await;
    assert_eq!(r.status(), 204);

    let fresh = Client::new(&s);
    let r = fresh
        .post(
            "/api/v1/auth/login",
            json!({"email": "ana@example.org", "password": "correct horse battery"}),
        )
        .await;
    assert_eq!(problem_type(r).await, (401, "invalid-credentials".into()));
    fresh.login("ana@example.org", "a brand new secret").await;
}

#[tokio::test]
async fn nobody_deletes_or_lists_another_users_api_token() {
    let s = TestServer::start().await;
    let ana = s.user("ana@example.org", "organizer").await;
    let created: Value = ana
        .post("/api/v1/tokens", json!({"name": "calendar"}))
        .await
        .json()
        .await
        .unwrap();
    let (secret, id) = (
        created["token"].as_str().unwrap().to_owned(),
        created["info"]["id"].as_str().unwrap().to_owned(),
    );
    // Not another user, and not even the provider administrator.
    let bob = s.user("bob@example.org", "tenant_admin").await;
    let provider = s.admin_client().await;
    for who in [&bob, &provider] {
        let r = who
            .http
            .delete(s.url(&format!("/api/v1/tokens/{id}")))
            .send()
            .await
            .unwrap();
        assert_eq!(problem_type(r).await, (404, "not-found".into()));
        let theirs: Vec<Value> = who.get("/api/v1/tokens").await.json().await.unwrap();
        assert!(theirs.iter().all(|t| t["id"] != id.as_str()), "{theirs:?}");
    }
    let r = with_token(&s, reqwest::Method::GET, "/api/v1/me", &secret).await;
    assert_eq!(r.status(), 200, "the token still works");
}
