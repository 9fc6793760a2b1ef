//! The REST API over real HTTP: accounts, scheduling, invitations, links, errors.

mod common;

use common::*;
use confab_proto::rest::{JoinResponse, LinkInfo, MeetingView};
use serde_json::{json, Value};

#[tokio::test]
async fn health_readiness_and_openapi_are_served() {
    let s = TestServer::start().await;
    let c = Client::new(&s);
    assert_eq!(c.get("/healthz").await.status(), 200);
    assert_eq!(c.get("/readyz").await.status(), 200);
    let doc: Value = c.get("/api/openapi.json").await.json().await.unwrap();
    assert_eq!(doc["openapi"], "3.1.0");
    assert!(doc["paths"]["/api/v1/meetings"]["post"].is_object());
    assert!(doc["components"]["schemas"]["MeetingInput"].is_object());
}

#[tokio::test]
async fn sign_in_failures_are_precise_and_sessions_end_on_sign_out() {
    let s = TestServer::start().await;
    let c = Client::new(&s);
    let r = c
        .post(
            "/api/v1/auth/login",
            json!({"email": s.admin.0, "password": "wrong password"}),
        )
        .await;
    assert_eq!(problem_type(r).await, (401, "invalid-credentials".into()));
    let r = c
        .post(
            "/api/v1/auth/login",
            json!({"email": "nobody@x.org", "password": "whatever"}),
        )
        .await;
    assert_eq!(problem_type(r).await, (401, "invalid-credentials".into()));
    let r = c
        .http
        .post(s.url("/api/v1/auth/login"))
        .header("content-type", "application/json")
        .body("{nope")
        .send()
        .await
        .unwrap();
    assert_eq!(problem_type(r).await.1, "malformed-request");
    assert_eq!(
        problem_type(c.get("/api/v1/me").await).await,
        (401, "unauthenticated".into())
    );

    c.login(&s.admin.0, &s.admin.1).await;
    let me: Value = c.get("/api/v1/me").await.json().await.unwrap();
    assert_eq!(me["user"]["role"], "provider_admin");
    assert_eq!(c.post("/api/v1/auth/logout", json!({})).await.status(), 204);
    assert_eq!(c.get("/api/v1/me").await.status(), 401);
}

#[tokio::test]
async fn repeated_wrong_passwords_are_throttled() {
    // The budget must not refill while argon2 runs (slowly, in a debug build on a loaded
    // machine): with a refill of a day, the count is exact whatever the timing.
    let s = TestServer::start_with(|c| c.guesses.per_account_address_refill_secs = 86_400.0).await;
    let c = Client::new(&s);
    for _ in 0..10 {
        let r = c
            .post(
                "/api/v1/auth/login",
                json!({"email": s.admin.0, "password": "wrong password"}),
            )
            .await;
        assert_eq!(r.status(), 401);
    }
    // Even the right password is refused while the budget is spent.
    let r = c
        .post(
            "/api/v1/auth/login",
            json!({"email": s.admin.0, "password": s.admin.1}),
        )
        .await;
    assert_eq!(problem_type(r).await, (429, "too-many-attempts".into()));
}

#[tokio::test]
async fn cross_site_cookie_requests_are_refused() {
    let s = TestServer::start().await;
    let c = s.admin_client().await;
    let r = c
        .http
        .post(s.url("/api/v1/meetings/now"))
        .header("origin", "https://evil.example")
        .json(&json!({}))
        .send()
        .await
        .unwrap();
    assert_eq!(problem_type(r).await, (403, "cross-site".into()));
}

#[tokio::test]
async fn roles_limit_scheduling_and_administration() {
    let s = TestServer::start().await;
    let member = s.user("mem@example.org", "member").await;
    let r = member
        .post(
            "/api/v1/meetings",
            serde_json::to_value(meeting("x")).unwrap(),
        )
        .await;
    assert_eq!(problem_type(r).await, (403, "forbidden".into()));
    let org = s.user("org@example.org", "organizer").await;
    assert_eq!(problem_type(org.get("/api/v1/tenants").await).await.0, 403);
    assert_eq!(problem_type(org.get("/api/v1/users").await).await.0, 403);
    let r = org
        .post(
            "/api/v1/users",
            json!({"email": "x@y.z", "name": "X", "role": "member", "password": "long enough pw"}),
        )
        .await;
    assert_eq!(r.status(), 403);
}

#[tokio::test]
async fn administrators_edit_users_and_a_password_reset_signs_them_out() {
    let s = TestServer::start().await;
    let admin = s.admin_client().await;
    let bo = s.user("bo@example.org", "member").await;
    let id_of = |v: Value| v["user"]["id"].as_str().unwrap().to_owned();
    let bo_id = id_of(bo.get("/api/v1/me").await.json().await.unwrap());
    let admin_id = id_of(admin.get("/api/v1/me").await.json().await.unwrap());
    let bo_path = format!("/api/v1/users/{bo_id}");

    let r = admin
        .patch(&bo_path, json!({"name": "Bo Brown", "role": "organizer"}))
        .await;
    assert_eq!(r.status(), 200);
    let v: Value = r.json().await.unwrap();
    assert_eq!(
        (v["name"].as_str(), v["role"].as_str()),
        (Some("Bo Brown"), Some("organizer"))
    );
    assert_eq!(
        bo.get("/api/v1/me").await.status(),
        200,
        "a rename keeps the session"
    );

    let short = admin.patch(&bo_path, json!({"password": "short"})).await;
    assert_eq!(problem_type(short).await.0, 422);
    let r = admin
        .patch(&bo_path, json!({"password": "a brand new secret"}))
        .await;
    assert_eq!(r.status(), 200);
    assert_eq!(
        bo.get("/api/v1/me").await.status(),
        401,
        "a reset signs out"
    );
    let again = Client::new(&s);
    again.login("bo@example.org", "a brand new secret").await;

    // Organizers do not manage users; nobody changes their own role.
    let r = again.patch(&bo_path, json!({"name": "Me"})).await;
    assert_eq!(problem_type(r).await.0, 403);
    let own = admin
        .patch(
            &format!("/api/v1/users/{admin_id}"),
            json!({"role": "member"}),
        )
        .await;
    assert_eq!(problem_type(own).await.0, 403);

    // Another organisation's administrator cannot see Bo at all.
    let t: Value = admin
        .post(
            "/api/v1/tenants",
            json!({"name": "Acme", "region": "local"}),
        )
        .await
        .json()
        .await
        .unwrap();
    let r = admin
        .post(
            &format!("/api/v1/users?tenant={}", t["id"].as_str().unwrap()),
            json!({"email": "boss@acme.org", "name": "Boss", "role": "tenant_admin", "password": "correct horse battery"}),
        )
        .await;
    assert_eq!(r.status(), 201);
    let boss = Client::new(&s);
    boss.login("boss@acme.org", "correct horse battery").await;
    let r = boss.patch(&bo_path, json!({"name": "Hijacked"})).await;
    assert_eq!(problem_type(r).await.0, 404);
    let r = admin
        .patch(
            "/api/v1/users/00000000-0000-0000-0000-000000000000",
            json!({}),
        )
        .await;
    assert_eq!(problem_type(r).await.0, 404);
}

#[tokio::test]
async fn tenants_users_and_api_tokens_work_for_integrations() {
    let s = TestServer::start().await;
    let admin = s.admin_client().await;
    let r = admin
        .post(
            "/api/v1/tenants",
            json!({"name": "Acme", "region": "eu-central"}),
        )
        .await;
    assert_eq!(r.status(), 201);
    let t: Value = r.json().await.unwrap();
    let r = admin
        .post(
            "/api/v1/tenants",
            json!({"name": "Bad", "region": "eu central!"}),
        )
        .await;
    assert_eq!(problem_type(r).await, (422, "invalid-input".into()));
    let tid = t["id"].as_str().unwrap();
    let r = admin
        .post(&format!("/api/v1/users?tenant={tid}"), json!({"email": "Boss@Acme.org", "name": "Boss", "role": "tenant_admin", "password": "correct horse battery"}))
        .await;
    assert_eq!(r.status(), 201);
    let r = admin
        .post(&format!("/api/v1/users?tenant={tid}"), json!({"email": "boss@acme.org", "name": "Boss 2", "role": "member", "password": "correct horse battery"}))
        .await;
    assert_eq!(problem_type(r).await, (409, "conflict".into()));
    let r = admin
        .post(
            "/api/v1/users",
            json!({"email": "short@acme.org", "name": "S", "role": "member", "password": "short"}),
        )
        .await;
    assert_eq!(problem_type(r).await, (422, "invalid-input".into()));

    let created: Value = admin
        .post("/api/v1/tokens", json!({"name": "calendar sync"}))
        .await
        .json()
        .await
        .unwrap();
    let secret = created["token"].as_str().unwrap().to_owned();
    let bare = reqwest::Client::new();
    let r = bare
        .post(s.url("/api/v1/meetings"))
        .bearer_auth(&secret)
        .json(&meeting("Via token"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201);
    let id = created["info"]["id"].as_str().unwrap();
    assert_eq!(
        admin
            .http
            .delete(s.url(&format!("/api/v1/tokens/{id}")))
            .send()
            .await
            .unwrap()
            .status(),
        204
    );
    let r = bare
        .get(s.url("/api/v1/meetings"))
        .bearer_auth(&secret)
        .send()
        .await
        .unwrap();
    assert_eq!(problem_type(r).await, (401, "unauthenticated".into()));
}

#[tokio::test]
async fn scheduling_validates_input_and_names_the_field() {
    let s = TestServer::start().await;
    let c = s.admin_client().await;
    let mut bad = meeting("Bad zone");
    bad.time_zone = "Mars/Olympus".into();
    let r = c
        .post("/api/v1/meetings", serde_json::to_value(&bad).unwrap())
        .await;
    let (status, kind) = problem_type(r).await;
    assert_eq!((status, kind.as_str()), (422, "invalid-input"));
    let mut bad = meeting("Backwards");
    bad.end = bad.start.replace("T10:00", "T09:00");
    let r = c
        .post("/api/v1/meetings", serde_json::to_value(&bad).unwrap())
        .await;
    let body: Value = r.json().await.unwrap();
    assert!(
        body["detail"].as_str().unwrap().starts_with("end:"),
        "{body}"
    );
}

fn unfold(s: &str) -> String {
    s.replace("\r\n ", "")
}

#[tokio::test]
async fn invitations_keep_their_uid_bump_sequence_and_turn_into_cancel() {
    let s = TestServer::start().await;
    let c = s.admin_client().await;
    let mut input = meeting("Board meeting");
    input.passcode = Some("4711".into());
    let m = c.schedule(&input).await;
    let ics = unfold(
        &c.get(&format!("/api/v1/meetings/{}/invite.ics", m.id))
            .await
            .text()
            .await
            .unwrap(),
    );
    let uid_line = ics
        .lines()
        .find(|l| l.starts_with("UID:"))
        .unwrap()
        .to_owned();
    assert!(ics.contains("METHOD:REQUEST"));
    assert!(ics.contains("SEQUENCE:0"));
    assert!(
        ics.contains(&format!(
            "DTSTART;TZID=Europe/Berlin:{}",
            input.start.replace(['-', ':'], "") + "00"
        )),
        "{ics}"
    );
    assert!(ics.contains("ORGANIZER;CN=Administrator:mailto:admin@confab.local"));
    assert!(ics.contains(m.attendee_link.as_deref().unwrap()));
    assert!(ics.contains("Passcode: 4711"));

    input.title = "Board meeting (moved)".into();
    input.start = input.start.replace("T10:00", "T12:00");
    input.end = input.end.replace("T11:00", "T13:00");
    let r = c
        .put(
            &format!("/api/v1/meetings/{}", m.id),
            serde_json::to_value(&input).unwrap(),
        )
        .await;
    assert_eq!(r.status(), 200);
    let ics = unfold(
        &c.get(&format!("/api/v1/meetings/{}/invite.ics", m.id))
            .await
            .text()
            .await
            .unwrap(),
    );
    assert!(ics.contains(&uid_line));
    assert!(ics.contains("SEQUENCE:1"));
    assert!(ics.contains("T120000"));

    let cancelled: MeetingView = c
        .post(&format!("/api/v1/meetings/{}/cancel", m.id), json!({}))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(cancelled.sequence, 2);
    let ics = unfold(
        &c.get(&format!("/api/v1/meetings/{}/invite.ics", m.id))
            .await
            .text()
            .await
            .unwrap(),
    );
    assert!(ics.contains("METHOD:CANCEL") && ics.contains(&uid_line) && ics.contains("SEQUENCE:2"));
    let key = m
        .attendee_link
        .unwrap()
        .rsplit('/')
        .next()
        .unwrap()
        .to_owned();
    assert_eq!(
        problem_type(c.get(&format!("/api/v1/links/{key}")).await).await,
        (410, "meeting-cancelled".into())
    );
    let r = c
        .put(
            &format!("/api/v1/meetings/{}", m.id),
            serde_json::to_value(&input).unwrap(),
        )
        .await;
    assert_eq!(problem_type(r).await.0, 410);
}

#[tokio::test]
async fn joining_checks_passcode_guest_name_and_rotated_links() {
    let s = TestServer::start().await;
    let org = s.admin_client().await;
    let mut input = meeting("Secret");
    input.passcode = Some("2468".into());
    let m = org.schedule(&input).await;
    let link = m.attendee_link.clone().unwrap();
    let guest = Client::new(&s);
    let key = link.rsplit('/').next().unwrap();
    let info: LinkInfo = guest
        .get(&format!("/api/v1/links/{key}"))
        .await
        .json()
        .await
        .unwrap();
    assert!(info.needs_passcode && info.allow_guests && info.signed_in_as.is_none());
    assert_eq!(info.title, "Secret");

    assert_eq!(
        problem_type(guest.join(&link, Some("Gus"), Some("1111")).await).await,
        (403, "wrong-passcode".into())
    );
    assert_eq!(
        problem_type(guest.join(&link, None, Some("2468")).await).await,
        (422, "invalid-input".into())
    );
    assert_eq!(
        problem_type(guest.join(&link, Some(&"x".repeat(65)), Some("2468")).await)
            .await
            .0,
        422
    );
    let ok: JoinResponse = guest.join_ok(&link, Some("Gus"), Some("2468")).await;
    assert_eq!(ok.meeting, m.id);

    // The organizer joins through the attendee link as organizer, without passcode.
    let own = org.join_ok(&link, None, None).await;
    assert_eq!(own.role, confab_proto::MeetingRole::Organizer);

    let rotated: MeetingView = org
        .post(
            &format!("/api/v1/meetings/{}/rotate-links", m.id),
            json!({}),
        )
        .await
        .json()
        .await
        .unwrap();
    assert_ne!(rotated.attendee_link.as_deref(), Some(link.as_str()));
    assert_eq!(
        problem_type(guest.join(&link, Some("Gus"), Some("2468")).await).await,
        (404, "unknown-link".into())
    );
    assert_eq!(
        problem_type(guest.get("/api/v1/links/not-a-key").await).await,
        (404, "unknown-link".into())
    );
}

#[tokio::test]
async fn guests_are_refused_when_the_meeting_or_policy_says_so() {
    let s = TestServer::start().await;
    let org = s.admin_client().await;
    let mut input = meeting("Members only");
    input.allow_guests = false;
    let m = org.schedule(&input).await;
    let guest = Client::new(&s);
    let r = guest
        .join(m.attendee_link.as_deref().unwrap(), Some("Gus"), None)
        .await;
    assert_eq!(problem_type(r).await, (403, "sign-in-required".into()));

    let me: Value = org.get("/api/v1/me").await.json().await.unwrap();
    let tid = me["tenant"]["id"].as_str().unwrap();
    let mut policy = me["tenant"]["policy"].clone();
    policy["anonymous_participants"] = json!(false);
    assert_eq!(
        org.put(&format!("/api/v1/tenants/{tid}/policy"), policy)
            .await
            .status(),
        200
    );
    let open = org.schedule(&meeting("Open")).await;
    let r = guest
        .join(open.attendee_link.as_deref().unwrap(), Some("Gus"), None)
        .await;
    assert_eq!(problem_type(r).await, (403, "sign-in-required".into()));
}

#[tokio::test]
async fn named_presenters_see_the_meeting_and_join_as_presenters() {
    let s = TestServer::start().await;
    let org = s.admin_client().await;
    let pre = s.user("pre@example.org", "member").await;
    let mut input = meeting("Talk");
    input.presenters = vec!["PRE@example.org".into()];
    let m = org.schedule(&input).await;
    let list: Vec<MeetingView> = pre.get("/api/v1/meetings").await.json().await.unwrap();
    assert_eq!(list.len(), 1);
    let j = pre
        .join_ok(m.attendee_link.as_deref().unwrap(), None, None)
        .await;
    assert_eq!(j.role, confab_proto::MeetingRole::Presenter);
    // A stranger cannot see it.
    let other = s.user("other@example.org", "organizer").await;
    assert_eq!(
        problem_type(other.get(&format!("/api/v1/meetings/{}", m.id)).await)
            .await
            .0,
        404
    );
}

#[tokio::test]
async fn unknown_api_paths_and_bad_ids_are_problem_json() {
    let s = TestServer::start().await;
    let c = s.admin_client().await;
    assert_eq!(
        problem_type(c.get("/api/v1/nothing-here").await).await,
        (404, "not-found".into())
    );
    assert_eq!(
        problem_type(c.get("/api/v1/meetings/not-a-uuid").await).await,
        (404, "not-found".into())
    );
    let big = "x".repeat(2 * 1024 * 1024);
    let r = c
        .http
        .post(s.url("/api/v1/meetings"))
        .header("content-type", "application/json")
        .body(big)
        .send()
        .await
        .unwrap();
    assert_eq!(problem_type(r).await, (413, "too-large".into()));
    // A method the path does not have: problem+json too, with the methods it has.
    let r = c
        .http
        .patch(s.url("/api/v1/meetings"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.headers()["allow"], "GET,HEAD,POST");
    assert_eq!(problem_type(r).await, (405, "method-not-allowed".into()));
}

#[tokio::test]
async fn the_web_client_is_served_with_a_strict_csp_on_every_path() {
    let s = TestServer::start().await;
    let r = Client::new(&s).get("/j/some-key").await;
    let csp = r
        .headers()
        .get("content-security-policy")
        .unwrap()
        .to_str()
        .unwrap()
        .to_owned();
    assert!(
        csp.contains("default-src 'self'")
            && csp.contains("script-src 'self'")
            && !csp.contains("unsafe")
    );
    assert_eq!(r.headers().get("x-frame-options").unwrap(), "DENY");
}

/// What the OpenAPI document forbids, the server refuses (each of these was accepted once).
#[tokio::test]
async fn bodies_the_document_forbids_are_refused() {
    let s = TestServer::start().await;
    let c = s.admin_client().await;
    let me: Value = c.get("/api/v1/me").await.json().await.unwrap();
    let tenant = me["tenant"]["id"].as_str().unwrap();

    // A JSON array where an object is expected (serde would read it as the fields in order).
    let r = c
        .http
        .post(s.url("/api/v1/meetings/now"))
        .json(&json!([]))
        .send()
        .await
        .unwrap();
    assert_eq!(problem_type(r).await, (400, "malformed-request".into()));
    let r = c.post("/api/v1/meetings/now", json!({"title": ""})).await;
    assert_eq!(problem_type(r).await, (422, "invalid-input".into()));

    let policy_path = format!("/api/v1/tenants/{tenant}/policy");
    let mut policy: Value = c.get(&policy_path).await.json().await.unwrap();
    policy["max_meeting_size"] = json!(2_147_483_648_u64);
    let r = c.put(&policy_path, policy).await;
    assert_eq!(problem_type(r).await, (422, "invalid-input".into()));

    let user = |email: &str, password: String| json!({"email": email, "name": "N", "role": "member", "password": password});
    for body in [
        user("long@example.org", "x".repeat(1025)),
        user(" padded@example.org", "correct horse battery".into()),
    ] {
        let r = c.post("/api/v1/users", body).await;
        assert_eq!(problem_type(r).await, (422, "invalid-input".into()));
    }
    let r = c
        .post(
            "/api/v1/tenants",
            json!({"name": "Acme", "region": " eu-central"}),
        )
        .await;
    assert_eq!(problem_type(r).await, (422, "invalid-input".into()));

    let mut crowded = meeting("Crowded");
    crowded.presenters = vec!["ana@example.org".into(); 101];
    let r = c
        .post("/api/v1/meetings", serde_json::to_value(&crowded).unwrap())
        .await;
    assert_eq!(problem_type(r).await, (422, "invalid-input".into()));
    let r = c
        .post(
            "/api/v1/links/whatever/join",
            json!({"display_name": "x".repeat(65)}),
        )
        .await;
    assert_eq!(problem_type(r).await, (422, "invalid-input".into()));

    // Bad input is bad whatever the meeting's state (it was 410 for a cancelled one).
    let m = c.schedule(&meeting("Cancelled")).await;
    let path = format!("/api/v1/meetings/{}", m.id);
    c.post(&format!("{path}/cancel"), json!({})).await;
    let r = c.put(&path, serde_json::to_value(&crowded).unwrap()).await;
    assert_eq!(problem_type(r).await, (422, "invalid-input".into()));
    let r = c
        .put(&path, serde_json::to_value(meeting("Fine")).unwrap())
        .await;
    assert_eq!(problem_type(r).await, (410, "meeting-cancelled".into()));
}
