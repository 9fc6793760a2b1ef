//! Documents in a live meeting over real HTTP, WebSocket, LibreOffice-free PDF conversion
//! (poppler in the sandbox) and the blob store: upload, pages as they render, the stage,
//! who may fetch which page, removal.

mod common;

use common::*;
use confab_proto::{
    content::{DocumentInfo, DocumentStatus, Stage},
    room::{ClientMsg, RoomEvent, ServerMsg},
    AttendeePermissions,
};

async fn upload(
    s: &TestServer,
    token: &str,
    meeting: &str,
    name: &str,
    body: Vec<u8>,
) -> reqwest::Response {
    reqwest::Client::new()
        .post(s.url(&format!("/api/v1/meetings/{meeting}/documents?name={name}")))
        .bearer_auth(token)
        .body(body)
        .send()
        .await
        .unwrap()
}

async fn fetch_page(
    s: &TestServer,
    token: &str,
    meeting: &str,
    doc: &DocumentInfo,
    page: u32,
    size: &str,
) -> reqwest::Response {
    reqwest::Client::new()
        .get(s.url(&format!(
            "/api/v1/meetings/{meeting}/documents/{}/pages/{page}/{size}",
            doc.id
        )))
        .bearer_auth(token)
        .send()
        .await
        .unwrap()
}

fn document_event(m: &ServerMsg) -> Option<&DocumentInfo> {
    match m {
        ServerMsg::Event {
            event: RoomEvent::Document { document },
            ..
        } => Some(document),
        _ => None,
    }
}

#[tokio::test]
async fn a_presenter_shows_an_uploaded_pdf_and_attendees_see_the_page_on_stage() {
    let s = TestServer::start().await;
    let org = s.admin_client().await;
    let m = org.schedule(&meeting("Slides")).await;
    let link = m.attendee_link.clone().unwrap();
    let org_join = org.join_ok(&link, None, None).await;
    let mut o = Room::enter(&s, &org_join.token).await;
    let ann_join = Client::new(&s).join_ok(&link, Some("Ann"), None).await;
    let mut a = Room::enter(&s, &ann_join.token).await;
    let id = m.id.to_string();

    // Who may upload, and what is refused.
    let r = upload(&s, &ann_join.token, &id, "slides.pdf", tiny_pdf(3)).await;
    assert_eq!(problem_type(r).await, (403, "forbidden".into()));
    let r = reqwest::Client::new()
        .post(s.url(&format!("/api/v1/meetings/{id}/documents?name=x.pdf")))
        .body("x")
        .send()
        .await
        .unwrap();
    assert_eq!(problem_type(r).await, (401, "unauthenticated".into()));
    let r = upload(
        &s,
        &org_join.token,
        &id,
        "lies.pdf",
        b"this is not a pdf at all".to_vec(),
    )
    .await;
    let (status, kind) = problem_type(r).await;
    assert_eq!((status, kind.as_str()), (422, "bad-document"));

    let r = upload(&s, &org_join.token, &id, "slides.pdf", tiny_pdf(3)).await;
    assert_eq!(r.status(), 202, "{}", r.text().await.unwrap());
    let doc: DocumentInfo = r.json().await.unwrap();
    assert_eq!(doc.status, DocumentStatus::Converting);

    // The presenter sees pages arrive, then the document ready; the attendee only the latter.
    let ready = o
        .until_within(CONVERT_WAIT, |m| {
            document_event(m).is_some_and(|d| d.status == DocumentStatus::Ready)
        })
        .await;
    let ready = document_event(&ready).unwrap().clone();
    assert_eq!(ready.pages.len(), 3);
    assert!(
        ready.pages.iter().all(|p| p.width == 1920),
        "{:?}",
        ready.pages
    );
    a.until_within(CONVERT_WAIT, |m| {
        document_event(m).is_some_and(|d| d.status == DocumentStatus::Ready)
    })
    .await;
    assert!(
        !a.seen
            .iter()
            .filter_map(document_event)
            .any(|d| d.status == DocumentStatus::Converting),
        "attendees do not see a document while it converts"
    );

    o.send(&ClientMsg::ShowPage {
        document: doc.id,
        page: 1,
    })
    .await;
    let stage = Some(Stage {
        document: doc.id,
        page: 1,
    });
    a.until(|m| matches!(m, ServerMsg::Event { event: RoomEvent::StageChanged { stage: s }, .. } if *s == stage)).await;

    let r = fetch_page(&s, &ann_join.token, &id, &doc, 1, "large").await;
    assert_eq!(r.status(), 200);
    assert_eq!(r.headers()["content-type"], "image/jpeg");
    let jpeg = r.bytes().await.unwrap();
    assert_eq!(&jpeg[..3], &[0xFF, 0xD8, 0xFF], "a JPEG");
    assert_eq!(
        fetch_page(&s, &ann_join.token, &id, &doc, 1, "huge")
            .await
            .status(),
        404
    );

    // Without browsing independently, an attendee gets the stage page and the next only.
    let no_browse = AttendeePermissions {
        browse_independently: false,
        ..Default::default()
    };
    o.send(&ClientMsg::SetPermissions {
        permissions: no_browse,
    })
    .await;
    a.until(|m| {
        matches!(
            m,
            ServerMsg::Event {
                event: RoomEvent::PermissionsChanged { .. },
                ..
            }
        )
    })
    .await;
    assert_eq!(
        fetch_page(&s, &ann_join.token, &id, &doc, 2, "medium")
            .await
            .status(),
        200
    );
    assert_eq!(
        problem_type(fetch_page(&s, &ann_join.token, &id, &doc, 0, "thumb").await)
            .await
            .0,
        403
    );
    assert_eq!(
        fetch_page(&s, &org_join.token, &id, &doc, 0, "thumb")
            .await
            .status(),
        200
    );

    o.send(&ClientMsg::RemoveDocument { document: doc.id })
        .await;
    a.until(|m| {
        matches!(
            m,
            ServerMsg::Event {
                event: RoomEvent::DocumentRemoved { .. },
                ..
            }
        )
    })
    .await;
    assert_eq!(
        problem_type(fetch_page(&s, &org_join.token, &id, &doc, 1, "large").await)
            .await
            .0,
        403
    );
}

#[tokio::test]
async fn documents_and_the_stage_survive_a_restart() {
    let mut s = TestServer::start().await;
    let org = s.admin_client().await;
    let m = org.schedule(&meeting("Durable")).await;
    let join = org
        .join_ok(m.attendee_link.as_deref().unwrap(), None, None)
        .await;
    let mut o = Room::enter(&s, &join.token).await;
    let r = upload(&s, &join.token, &m.id.to_string(), "one.pdf", tiny_pdf(1)).await;
    let doc: DocumentInfo = r.json().await.unwrap();
    o.until_within(CONVERT_WAIT, |m| {
        document_event(m).is_some_and(|d| d.status == DocumentStatus::Ready)
    })
    .await;
    o.send(&ClientMsg::ShowPage {
        document: doc.id,
        page: 0,
    })
    .await;
    o.until(|m| {
        matches!(
            m,
            ServerMsg::Event {
                event: RoomEvent::StageChanged { .. },
                ..
            }
        )
    })
    .await;

    let stop = tokio::spawn(async move {
        s.restart().await;
        s
    });
    o.closed_with().await;
    let s = stop.await.unwrap();
    let mut again = Room::enter(&s, &join.token).await;
    let ServerMsg::Welcome {
        snapshot: Some(snap),
        ..
    } = &again.seen[0]
    else {
        panic!("{:?}", again.seen)
    };
    assert_eq!(snap.documents.len(), 1);
    assert_eq!(
        snap.stage,
        Some(Stage {
            document: doc.id,
            page: 0
        })
    );
    assert_eq!(
        fetch_page(&s, &join.token, &m.id.to_string(), &doc, 0, "large")
            .await
            .status(),
        200
    );
    again.send(&ClientMsg::Ping).await;
    again.until(|m| matches!(m, ServerMsg::Pong)).await;
}
