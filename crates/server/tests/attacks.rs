//! Issue 9's attacks on a real server, each written as the attack: it succeeded against
//! the server before the fix, and must fail now. Many come from several addresses: all
//! of 127.0.0.0/8 reaches the loopback listener, so a client bound to 127.0.0.N is
//! another source.

mod common;

use std::{net::IpAddr, time::Duration};

use common::*;
use confab_proto::{
    content::{DocumentInfo, DocumentKind, DocumentStatus},
    room::{ByeReason, ChatTo, ClientMsg, RoomEvent, ServerMsg},
};
use serde_json::{json, Value};
use tokio::{
    io::{AsyncReadExt, AsyncWriteExt},
    net::{TcpSocket, TcpStream},
};

/// A browser at `127.0.0.{n}` with its own cookie jar.
fn browser_at(n: u8) -> reqwest::Client {
    reqwest::Client::builder()
        .cookie_store(true)
        .local_address(IpAddr::from([127, 0, 0, n]))
        .build()
        .unwrap()
}

async fn login_from(
    s: &TestServer,
    http: &reqwest::Client,
    email: &str,
    password: &str,
) -> reqwest::Response {
    http.post(s.url("/api/v1/auth/login"))
        .json(&json!({"email": email, "password": password}))
        .send()
        .await
        .unwrap()
}

/// Guess budgets that do not refill during a test, so that counts are exact however
/// slowly argon2 runs.
fn no_refill(c: &mut confab_server::config::Config) {
    let g = &mut c.guesses;
    g.per_address_refill_secs = 86_400.0;
    g.per_account_address_refill_secs = 86_400.0;
    g.per_account_refill_secs = 86_400.0;
}

// ---- 1. speaker notes by a bare document id ----

#[tokio::test]
async fn a_presenter_of_one_meeting_cannot_read_another_meetings_speaker_notes() {
    let s = TestServer::start().await;
    let org = s.admin_client().await;
    let mine = org.schedule(&meeting("Mine")).await;
    let theirs = org.schedule(&meeting("Theirs")).await;
    // Their meeting has a deck with notes (written as conversion would).
    let store = confab_store::Store::open_sqlite(&s.data.join("confab.db"))
        .await
        .unwrap();
    let row = store.meeting(theirs.id).await.unwrap().unwrap();
    let doc = DocumentInfo {
        id: confab_proto::DocumentId::new(),
        name: "board.pptx".into(),
        kind: DocumentKind::Upload,
        status: DocumentStatus::Ready,
        pages: vec![],
    };
    store
        .save_document(row.tenant(), theirs.id, &doc, 1)
        .await
        .unwrap();
    store
        .save_notes(row.tenant(), doc.id, 0, "the takeover price is 42")
        .await
        .unwrap();
    // The attacker presents in their own meeting (a presenter link is enough).
    let attacker = Client::new(&s)
        .join_ok(
            mine.presenter_link.as_deref().unwrap(),
            Some("Mallory"),
            None,
        )
        .await;
    let _in_room = Room::enter(&s, &attacker.token).await;
    let r = reqwest::Client::new()
        .get(s.url(&format!(
            "/api/v1/meetings/{}/documents/{}/notes",
            mine.id, doc.id
        )))
        .bearer_auth(&attacker.token)
        .send()
        .await
        .unwrap();
    let status = r.status();
    let body = r.text().await.unwrap();
    assert!(!body.contains("takeover"), "leaked: {body}");
    assert_eq!(status, 404, "{body}");
}

// ---- 3. sign-in hashing is bounded and sheds load ----

#[tokio::test]
async fn concurrent_sign_ins_past_the_hashing_queue_are_shed_before_hashing() {
    let s = TestServer::start_with(|c| {
        c.limits.password_hashes = 1;
        c.limits.password_hash_queue = 0;
        c.guesses.per_address = 10_000;
    })
    .await;
    let http = reqwest::Client::new();
    let attempts = (0..64).map(|i| {
        let http = http.clone();
        let url = s.url("/api/v1/auth/login");
        async move {
            let r = http
                .post(url)
                .json(&json!({"email": format!("nobody{i}@x.org"), "password": "whatever"}))
                .send()
                .await
                .unwrap();
            let retry = r.headers().get("retry-after").is_some();
            (r.status().as_u16(), retry)
        }
    });
    let results = futures_util::future::join_all(attempts).await;
    let shed: Vec<_> = results.iter().filter(|(s, _)| *s == 503).collect();
    assert!(!shed.is_empty(), "nothing was shed: {results:?}");
    assert!(
        shed.iter().all(|(_, retry)| *retry),
        "503 without Retry-After"
    );
    assert!(
        results.iter().all(|(s, _)| *s == 401 || *s == 503),
        "{results:?}"
    );
}

// ---- 6. the sign-in and passcode throttles ----

#[tokio::test]
async fn concurrent_wrong_passwords_are_checked_only_up_to_the_budget() {
    let s = TestServer::start_with(no_refill).await;
    let http = browser_at(2);
    let attempts = (0..60).map(|_| login_from(&s, &http, &s.admin.0, "wrong password"));
    let statuses: Vec<u16> = futures_util::future::join_all(attempts)
        .await
        .iter()
        .map(|r| r.status().as_u16())
        .collect();
    let checked = statuses.iter().filter(|s| **s == 401).count();
    assert_eq!(checked, 10, "{statuses:?}");
    assert!(statuses.iter().all(|s| *s == 401 || *s == 429));
}

#[tokio::test]
async fn an_attacker_spending_the_budget_does_not_lock_out_the_owner() {
    let s = TestServer::start_with(no_refill).await;
    let attacker = browser_at(2);
    for variant in [s.admin.0.to_uppercase(), format!("  {}", s.admin.0)] {
        for _ in 0..12 {
            login_from(&s, &attacker, &variant, "wrong password").await;
        }
    }
    let r = login_from(&s, &attacker, &s.admin.0, &s.admin.1).await;
    assert_eq!(
        problem_type(r).await,
        (429, "too-many-attempts".into()),
        "letter case does not make a new budget"
    );
    let owner = browser_at(3);
    let r = login_from(&s, &owner, &s.admin.0, &s.admin.1).await;
    assert_eq!(r.status(), 200, "the owner is locked out");
}

#[tokio::test]
async fn a_distributed_attack_does_not_lock_the_owners_browser_out() {
    let s = TestServer::start_with(|c| {
        no_refill(c);
        c.guesses.per_account = 20;
    })
    .await;
    let owner = browser_at(3);
    assert_eq!(
        login_from(&s, &owner, &s.admin.0, &s.admin.1)
            .await
            .status(),
        200
    );
    // Many addresses, each within its own budget, spend the account's.
    for n in 10..14 {
        let bot = browser_at(n);
        for _ in 0..5 {
            login_from(&s, &bot, &s.admin.0, "wrong password").await;
        }
    }
    let newcomer = browser_at(40);
    let r = login_from(&s, &newcomer, &s.admin.0, &s.admin.1).await;
    assert_eq!(r.status(), 429, "the account's budget is spent");
    // The owner's browser signed in before: it is not counted against the account.
    let r = login_from(&s, &owner, &s.admin.0, &s.admin.1).await;
    assert_eq!(r.status(), 200);
}

#[tokio::test]
async fn passcode_guessing_does_not_lock_out_the_attendees() {
    let s = TestServer::start_with(no_refill).await;
    let org = s.admin_client().await;
    let mut input = meeting("Board");
    input.passcode = Some("7391".into());
    let m = org.schedule(&input).await;
    let key = m
        .attendee_link
        .unwrap()
        .rsplit('/')
        .next()
        .unwrap()
        .to_owned();
    let join = |http: reqwest::Client, passcode: &'static str| {
        let url = s.url(&format!("/api/v1/links/{key}/join"));
        async move {
            http.post(url)
                .json(&json!({"display_name": "Guest", "passcode": passcode}))
                .send()
                .await
                .unwrap()
                .status()
                .as_u16()
        }
    };
    let attacker = browser_at(2);
    let mut refused = false;
    for _ in 0..12 {
        refused |= join(attacker.clone(), "0000").await == 429;
    }
    assert!(refused, "the attacker's guesses are throttled");
    assert_eq!(
        join(browser_at(3), "7391").await,
        200,
        "an attendee is locked out"
    );
}

// ---- 5. slow clients ----

async fn connect_from(s: &TestServer, n: u8) -> TcpStream {
    let socket = TcpSocket::new_v4().unwrap();
    socket
        .bind((IpAddr::from([127, 0, 0, n]), 0).into())
        .unwrap();
    let addr = s.base.trim_start_matches("http://").parse().unwrap();
    socket.connect(addr).await.unwrap()
}

/// Whether the server has closed `conn` (read returns end of file or an error).
async fn closed(conn: &mut TcpStream) -> bool {
    let mut buf = [0u8; 64];
    match tokio::time::timeout(Duration::from_millis(20), conn.read(&mut buf)).await {
        Ok(Ok(0)) | Ok(Err(_)) => true,
        Ok(Ok(_)) | Err(_) => false,
    }
}

#[tokio::test]
async fn a_client_trickling_its_header_is_cut_off() {
    let s = TestServer::start_with(|c| c.limits.header_timeout_secs = 1).await;
    let mut slow = connect_from(&s, 4).await;
    slow.write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\n")
        .await
        .unwrap();
    let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
    loop {
        // One more header line now and then, as a slowloris does.
        if slow.write_all(b"X-Slow: yes\r\n").await.is_err() || closed(&mut slow).await {
            break;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "a trickled header held its connection open"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

#[tokio::test]
async fn half_open_connections_from_one_address_are_capped_and_others_are_served() {
    let s = TestServer::start_with(|c| {
        c.limits.max_pending_per_address = 8;
        c.limits.header_timeout_secs = 600;
    })
    .await;
    let mut held = Vec::new();
    for _ in 0..20 {
        held.push(connect_from(&s, 5).await);
    }
    // Twelve are closed at once; the eight within the cap wait for their header.
    let mut shut = vec![false; held.len()];
    let deadline = tokio::time::Instant::now() + Duration::from_secs(60);
    while shut.iter().filter(|x| **x).count() < 12 {
        assert!(
            tokio::time::Instant::now() < deadline,
            "never closed: {shut:?}"
        );
        for (i, c) in held.iter_mut().enumerate() {
            if !shut[i] && closed(c).await {
                shut[i] = true;
            }
        }
    }
    assert_eq!(shut.iter().filter(|x| **x).count(), 12);
    // Another address is served meanwhile.
    let r = browser_at(6).get(s.url("/healthz")).send().await.unwrap();
    assert_eq!(r.status(), 200);
}

// ---- 7. link rotation revokes the tokens the old links gave ----

#[tokio::test]
async fn after_rotation_an_old_presenter_token_opens_nothing() {
    let s = TestServer::start().await;
    let org = s.admin_client().await;
    let m = org.schedule(&meeting("Rotate")).await;
    let org_join = org
        .join_ok(m.attendee_link.as_deref().unwrap(), None, None)
        .await;
    let mut o = Room::enter(&s, &org_join.token).await;
    let old = Client::new(&s)
        .join_ok(m.presenter_link.as_deref().unwrap(), Some("Ex"), None)
        .await;
    let mut ex = Room::enter(&s, &old.token).await;
    let r = org
        .post(
            &format!("/api/v1/meetings/{}/rotate-links", m.id),
            json!({}),
        )
        .await;
    assert_eq!(r.status(), 200);
    // The holder of the old token is out at once…
    let code = ex.closed_with().await;
    assert!(
        ex.seen.iter().any(|m| matches!(
            m,
            ServerMsg::Bye {
                reason: ByeReason::InvalidToken,
                ..
            }
        )),
        "closed with {code} after {:?}",
        ex.seen
    );
    // …cannot come back with it…
    let mut again = Room::open(&s, &old.token, None).await;
    again.closed_with().await;
    assert!(
        !again
            .seen
            .iter()
            .any(|m| matches!(m, ServerMsg::Welcome { .. })),
        "{:?}",
        again.seen
    );
    // …nor use it over REST; the organizer stays.
    let r = reqwest::Client::new()
        .post(s.url(&format!("/api/v1/meetings/{}/documents?name=x.pdf", m.id)))
        .bearer_auth(&old.token)
        .body(tiny_pdf(1))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 401);
    o.send(&ClientMsg::RaiseHand { raised: true }).await;
    o.until(|m| matches!(m, ServerMsg::Event { .. })).await;
}

// ---- 8. guests ----

#[tokio::test]
async fn guest_joins_are_throttled_per_address() {
    let s = TestServer::start_with(|c| c.guesses.joins_per_address_refill_secs = 86_400.0).await;
    let org = s.admin_client().await;
    let m = org.schedule(&meeting("Open")).await;
    let link = m.attendee_link.unwrap();
    let bot = Client::with_http(&s, browser_at(7));
    let mut statuses = Vec::new();
    for i in 0..25 {
        statuses.push(
            bot.join(&link, Some(&format!("Bot {i}")), None)
                .await
                .status(),
        );
    }
    assert_eq!(statuses.iter().filter(|s| s.as_u16() == 200).count(), 20);
    assert!(statuses.iter().skip(20).all(|s| s.as_u16() == 429));
    let r = Client::with_http(&s, browser_at(8))
        .join(&link, Some("Real person"), None)
        .await;
    assert_eq!(r.status(), 200, "another address is not affected");
}

#[tokio::test]
async fn a_barred_guest_cannot_rejoin_from_the_same_browser() {
    let s = TestServer::start().await;
    let org = s.admin_client().await;
    let m = org.schedule(&meeting("Bar")).await;
    let link = m.attendee_link.clone().unwrap();
    let org_join = org.join_ok(&link, None, None).await;
    let mut o = Room::enter(&s, &org_join.token).await;
    let troll = Client::new(&s);
    let first = troll.join_ok(&link, Some("Troll"), None).await;
    let mut t = Room::enter(&s, &first.token).await;
    let id = o
        .until(|m| matches!(m, ServerMsg::Event { event: RoomEvent::ParticipantJoined { participant }, .. } if participant.name == "Troll"))
        .await;
    let ServerMsg::Event {
        event: RoomEvent::ParticipantJoined { participant },
        ..
    } = id
    else {
        unreachable!()
    };
    o.send(&ClientMsg::RemoveParticipant {
        participant: participant.id,
        bar: true,
    })
    .await;
    t.closed_with().await;
    let r = troll.join(&link, Some("Troll again"), None).await;
    assert_eq!(r.status(), 403, "{}", r.text().await.unwrap());
    // Another browser is another guest.
    assert_eq!(
        Client::new(&s)
            .join(&link, Some("Someone"), None)
            .await
            .status(),
        200
    );
}

// ---- 10. password change and API tokens ----

#[tokio::test]
async fn a_password_change_ends_every_other_session() {
    let s = TestServer::start().await;
    let here = s.admin_client().await;
    let stolen = s.admin_client().await;
    let r = here
        .post(
            "/api/v1/me/password",
            json!({"current": s.admin.1, "new": "a much better passphrase"}),
        )
        .await;
    assert_eq!(r.status(), 204);
    assert_eq!(stolen.get("/api/v1/me").await.status(), 401);
    assert_eq!(here.get("/api/v1/me").await.status(), 200);
}

#[tokio::test]
async fn api_tokens_may_expire_and_show_their_last_use() {
    let s = TestServer::start().await;
    let c = s.admin_client().await;
    let r = c
        .post(
            "/api/v1/tokens",
            json!({"name": "ci", "expires_in_days": 0}),
        )
        .await;
    assert_eq!(problem_type(r).await, (422, "invalid-input".into()));
    let r = c
        .post(
            "/api/v1/tokens",
            json!({"name": "ci", "expires_in_days": 30}),
        )
        .await;
    assert_eq!(r.status(), 201);
    let created: Value = r.json().await.unwrap();
    let expires: chrono::DateTime<chrono::Utc> =
        serde_json::from_value(created["info"]["expires_at"].clone()).unwrap();
    let days = (expires - chrono::Utc::now()).num_days();
    assert!((29..=30).contains(&days), "{days}");
    let token = created["token"].as_str().unwrap();
    let r = reqwest::Client::new()
        .get(s.url("/api/v1/me"))
        .bearer_auth(token)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let listed: Value = c.get("/api/v1/tokens").await.json().await.unwrap();
    assert!(listed[0]["last_used_at"].is_string(), "{listed}");
    assert!(listed[0]["expires_at"].is_string(), "{listed}");
}

// ---- 11. the text export ----

#[tokio::test]
async fn a_chat_message_cannot_forge_a_line_of_the_text_export() {
    let s = TestServer::start().await;
    let org = s.admin_client().await;
    let m = org.schedule(&meeting("Chat")).await;
    let link = m.attendee_link.clone().unwrap();
    let org_join = org.join_ok(&link, None, None).await;
    let mut o = Room::enter(&s, &org_join.token).await;
    let eve = Client::new(&s).join_ok(&link, Some("Eve"), None).await;
    let mut e = Room::enter(&s, &eve.token).await;
    let forged = "hello\n[2026-12-01 10:00:00 UTC] Administrator: pay invoice 4711 today";
    e.send(&ClientMsg::SendChat {
        to: ChatTo::Everyone,
        text: forged.into(),
    })
    .await;
    o.until(|m| {
        matches!(
            m,
            ServerMsg::Event {
                event: RoomEvent::Chat { .. },
                ..
            }
        )
    })
    .await;
    let text = org
        .get(&format!("/api/v1/meetings/{}/chat?format=text", m.id))
        .await
        .text()
        .await
        .unwrap();
    let message_lines: Vec<&str> = text.lines().filter(|l| l.starts_with('[')).collect();
    assert_eq!(message_lines.len(), 1, "{text}");
    assert!(message_lines[0].contains("] Eve: hello"), "{text}");
}

// ---- 12. e-mail addresses of other organisations ----

#[tokio::test]
async fn creating_a_user_does_not_reveal_another_organisations_address() {
    let s = TestServer::start().await;
    let provider = s.admin_client().await;
    let r = provider
        .post(
            "/api/v1/tenants",
            json!({"name": "Other", "region": "local"}),
        )
        .await;
    assert_eq!(r.status(), 201);
    let other: Value = r.json().await.unwrap();
    let tid = other["id"].as_str().unwrap();
    let r = provider
        .post(
            &format!("/api/v1/users?tenant={tid}"),
            json!({"email": "boss@other.org", "name": "Boss", "role": "tenant_admin", "password": "correct horse battery"}),
        )
        .await;
    assert_eq!(r.status(), 201);
    let boss = Client::new(&s);
    boss.login("boss@other.org", "correct horse battery").await;
    // The provider's own address exists in the first organisation; creating it in this
    // one succeeds like any free address would.
    let r = boss
        .post(
            "/api/v1/users",
            json!({"email": s.admin.0.to_uppercase(), "name": "Probe", "role": "member", "password": "another long password"}),
        )
        .await;
    assert_eq!(r.status(), 201, "{}", r.text().await.unwrap());
    let r = boss
        .post(
            "/api/v1/users",
            json!({"email": s.admin.0, "name": "Probe", "role": "member", "password": "another long password"}),
        )
        .await;
    assert_eq!(
        problem_type(r).await.0,
        409,
        "a duplicate within the organisation"
    );
    // Both accounts sign in, each with its own password.
    let probe = Client::new(&s);
    probe.login(&s.admin.0, "another long password").await;
    let me: Value = probe.get("/api/v1/me").await.json().await.unwrap();
    assert_eq!(me["user"]["name"], "Probe");
    let admin = Client::new(&s);
    admin.login(&s.admin.0, &s.admin.1).await;
    let me: Value = admin.get("/api/v1/me").await.json().await.unwrap();
    assert_eq!(me["user"]["role"], "provider_admin");
}

// ---- 13. meeting size ----

#[tokio::test]
async fn a_meeting_size_outside_two_to_a_thousand_is_refused() {
    let s = TestServer::start().await;
    let c = s.admin_client().await;
    let me: Value = c.get("/api/v1/me").await.json().await.unwrap();
    let tid = me["tenant"]["id"].as_str().unwrap();
    let path = format!("/api/v1/tenants/{tid}/policy");
    let mut policy: Value = c.get(&path).await.json().await.unwrap();
    for size in [4_000_000_000u64, 1001, 1, 0] {
        policy["max_meeting_size"] = json!(size);
        let r = c.put(&path, policy.clone()).await;
        assert_eq!(
            problem_type(r).await,
            (422, "invalid-input".into()),
            "{size}"
        );
    }
    policy["max_meeting_size"] = json!(1000);
    assert_eq!(c.put(&path, policy).await.status(), 200);
}
