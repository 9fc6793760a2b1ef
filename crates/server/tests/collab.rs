//! Shared documents over real WebSockets, spoken to by yrs clients the way the stock
//! y-websocket provider speaks (step 1 on connect, step 2 in answer, one message per
//! binary frame): edits reach others, attendees without the annotate permission cannot
//! change anything, bad tokens are refused, and content survives a restart.

mod common;

use common::*;
use confab_proto::{
    content::{DocumentInfo, DocumentKind, PageInfo},
    room::{ClientMsg, RoomEvent, ServerMsg},
};
use futures_util::{SinkExt, StreamExt};
use tokio_tungstenite::tungstenite::{self, Message};
use yrs::{
    sync::{Message as YMessage, SyncMessage},
    updates::{decoder::Decode, encoder::Encode},
    Array, ArrayRef, Doc, GetString, ReadTxn, Text, Transact, TransactionMut, Update, WriteTxn,
};

type Ws =
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

fn collab_url(s: &TestServer, meeting: &str, doc: &str, token: &str) -> String {
    format!(
        "{}/api/v1/collab/{meeting}/{doc}?token={token}",
        s.base.replacen("http://", "ws://", 1)
    )
}

/// A Yjs client over a real socket.
struct YClient {
    ws: Ws,
    doc: Doc,
    synced: bool,
}

impl YClient {
    /// Connects; `Err(status)` when the server refuses the upgrade.
    async fn connect(s: &TestServer, meeting: &str, doc: &str, token: &str) -> Result<Self, u16> {
        match tokio_tungstenite::connect_async(collab_url(s, meeting, doc, token)).await {
            Ok((ws, _)) => {
                let mut c = Self {
                    ws,
                    doc: Doc::new(),
                    synced: false,
                };
                let sv = c.doc.transact().state_vector();
                c.send(YMessage::Sync(SyncMessage::SyncStep1(sv))).await;
                Ok(c)
            }
            Err(tungstenite::Error::Http(resp)) => Err(resp.status().as_u16()),
            Err(e) => panic!("connecting: {e}"),
        }
    }

    async fn send(&mut self, msg: YMessage) {
        self.ws
            .send(Message::binary(msg.encode_v1()))
            .await
            .unwrap();
    }

    /// Handles one frame; `Some(code)` when the server closed.
    async fn step(&mut self) -> Option<u16> {
        let next = tokio::time::timeout(WAIT, self.ws.next())
            .await
            .expect("timed out waiting for the server");
        match next {
            Some(Ok(Message::Binary(b))) => {
                match YMessage::decode_v1(&b).expect("server frames are one message each") {
                    YMessage::Sync(SyncMessage::SyncStep1(sv)) => {
                        let diff = self.doc.transact().encode_state_as_update_v1(&sv);
                        self.send(YMessage::Sync(SyncMessage::SyncStep2(diff)))
                            .await;
                    }
                    YMessage::Sync(SyncMessage::SyncStep2(u)) => {
                        self.apply(&u);
                        self.synced = true;
                    }
                    YMessage::Sync(SyncMessage::Update(u)) => self.apply(&u),
                    _ => {}
                }
                None
            }
            Some(Ok(Message::Close(frame))) => Some(frame.map_or(1005, |f| u16::from(f.code))),
            Some(Ok(_)) => None,
            _ => Some(1006),
        }
    }

    fn apply(&self, update: &[u8]) {
        let u = Update::decode_v1(update).unwrap();
        self.doc.transact_mut().apply_update(u).unwrap();
    }

    /// Reads until `pred` holds of this client.
    async fn until(&mut self, pred: impl Fn(&Self) -> bool) {
        while !pred(self) {
            if let Some(code) = self.step().await {
                panic!("closed ({code}) while waiting");
            }
        }
    }

    /// Reads until the server closes; returns the code.
    async fn closed_with(&mut self) -> u16 {
        loop {
            if let Some(code) = self.step().await {
                return code;
            }
        }
    }

    /// A local change, sent as an update the way a provider does.
    async fn edit(&mut self, f: impl FnOnce(&mut TransactionMut)) {
        let update = {
            let mut txn = self.doc.transact_mut();
            f(&mut txn);
            txn.encode_update_v1()
        };
        self.send(YMessage::Sync(SyncMessage::Update(update))).await;
    }

    fn strokes(&self) -> ArrayRef {
        self.doc.get_or_insert_array("strokes")
    }

    fn stroke_count(&self) -> u32 {
        self.strokes().len(&self.doc.transact())
    }

    fn title(&self) -> String {
        let t = self.doc.get_or_insert_text("title");
        t.get_string(&self.doc.transact())
    }
}

/// A meeting with an organizer (a presenter) and an attendee, both in the room.
async fn setup(s: &TestServer) -> (String, String, String, Room, Room) {
    let org = s.admin_client().await;
    let m = org.schedule(&meeting("Whiteboard")).await;
    let link = m.attendee_link.clone().unwrap();
    let org_token = org.join_ok(&link, None, None).await.token;
    let o = Room::enter(s, &org_token).await;
    let ann_token = Client::new(s).join_ok(&link, Some("Ann"), None).await.token;
    let a = Room::enter(s, &ann_token).await;
    (m.id.to_string(), org_token, ann_token, o, a)
}

/// A name of no page of any meeting.
fn stray_board() -> String {
    format!("board:{}", uuid::Uuid::now_v7())
}

/// Has the presenter in `room` make a whiteboard or text document; its first page.
async fn new_page(room: &mut Room, kind: DocumentKind) -> PageInfo {
    new_document(room, kind).await.pages[0].clone()
}

/// A whiteboard page's ink layer, made by the presenter in `room`.
async fn board(room: &mut Room) -> String {
    new_page(room, DocumentKind::Whiteboard)
        .await
        .collab
        .to_string()
}

#[tokio::test]
async fn a_presenters_stroke_reaches_an_attendee_who_cannot_change_the_board() {
    let s = TestServer::start().await;
    let (id, org_token, ann_token, mut o, _a) = setup(&s).await;
    let doc = board(&mut o).await;

    let mut p = YClient::connect(&s, &id, &doc, &org_token).await.unwrap();
    p.until(|c| c.synced).await;
    let mut a = YClient::connect(&s, &id, &doc, &ann_token).await.unwrap();
    a.until(|c| c.synced).await;

    p.edit(|txn| {
        txn.get_or_insert_array("strokes")
            .push_back(&mut *txn, vec![0.1, 0.2, 0.3, 0.4]);
        txn.get_or_insert_text("title").push(&mut *txn, "Plan");
    })
    .await;
    a.until(|c| c.stroke_count() == 1 && c.title() == "Plan")
        .await;

    // Annotate is off for attendees by default: the edit is refused and the socket closed.
    a.edit(|txn| {
        txn.get_or_insert_text("title")
            .push(&mut *txn, " (vandalised)")
    })
    .await;
    assert_eq!(
        a.closed_with().await,
        4403,
        "final: a stock client stops reconnecting"
    );

    // The presenter's next edit still goes through; a fresh reader sees the document
    // without the attendee's change.
    p.edit(|txn| {
        txn.get_or_insert_array("strokes")
            .push_back(&mut *txn, vec![0.5]);
    })
    .await;
    let mut again = YClient::connect(&s, &id, &doc, &ann_token).await.unwrap();
    again.until(|c| c.stroke_count() == 2).await;
    assert_eq!(again.title(), "Plan");
}

#[tokio::test]
async fn with_the_annotate_permission_an_attendee_may_draw() {
    let s = TestServer::start().await;
    let (id, org_token, ann_token, mut o, _a) = setup(&s).await;
    o.send(&confab_proto::room::ClientMsg::SetPermissions {
        permissions: confab_proto::AttendeePermissions {
            annotate: true,
            ..Default::default()
        },
    })
    .await;
    o.until(|m| {
        matches!(
            m,
            confab_proto::room::ServerMsg::Event {
                event: confab_proto::room::RoomEvent::PermissionsChanged { .. },
                ..
            }
        )
    })
    .await;
    let doc = board(&mut o).await;
    let mut p = YClient::connect(&s, &id, &doc, &org_token).await.unwrap();
    let mut a = YClient::connect(&s, &id, &doc, &ann_token).await.unwrap();
    a.until(|c| c.synced).await;
    a.edit(|txn| {
        txn.get_or_insert_array("strokes")
            .push_back(&mut *txn, vec![1.0]);
    })
    .await;
    p.until(|c| c.stroke_count() == 1).await;
}

#[tokio::test]
async fn bad_tokens_names_and_outsiders_are_refused() {
    let s = TestServer::start().await;
    let (id, org_token, _ann_token, mut o, _a) = setup(&s).await;
    let doc = board(&mut o).await;

    let refused = |r: Result<YClient, u16>| r.err();
    assert_eq!(
        refused(YClient::connect(&s, &id, &doc, "not-a-token").await),
        Some(401)
    );
    // Another meeting's id with this meeting's token.
    let other = uuid::Uuid::now_v7().to_string();
    assert_eq!(
        refused(YClient::connect(&s, &other, &doc, &org_token).await),
        Some(403)
    );
    for name in [
        "board:NOT-A-UUID",
        "notes:0191f3a4-7b2c-7d3e-8f40-123456789abc",
        "page:0191f3a4-7b2c-7d3e-8f40-123456789abc:01",
    ] {
        assert_eq!(
            refused(YClient::connect(&s, &id, name, &org_token).await),
            Some(404),
            "{name}"
        );
    }
    // The annotation layer of a document that does not exist, and a whiteboard page
    // that is not one of this meeting's.
    let page = format!("page:{}:0", uuid::Uuid::now_v7());
    for name in [page, stray_board()] {
        assert_eq!(
            refused(YClient::connect(&s, &id, &name, &org_token).await),
            Some(403),
            "{name}"
        );
    }
}

#[tokio::test]
async fn a_seat_not_in_the_meeting_right_now_is_refused() {
    let s = TestServer::start().await;
    let org = s.admin_client().await;
    let m = org.schedule(&meeting("Later")).await;
    let link = m.attendee_link.clone().unwrap();
    let token = Client::new(&s)
        .join_ok(&link, Some("Ann"), None)
        .await
        .token;
    // A valid token, but its holder never entered the room.
    assert_eq!(
        YClient::connect(&s, &m.id.to_string(), &stray_board(), &token)
            .await
            .err(),
        Some(403)
    );
}

#[tokio::test]
async fn content_survives_a_server_restart() {
    let mut s = TestServer::start().await;
    let (id, org_token, ann_token, mut o, a) = setup(&s).await;
    let doc = board(&mut o).await;
    {
        let mut p = YClient::connect(&s, &id, &doc, &org_token).await.unwrap();
        let mut r = YClient::connect(&s, &id, &doc, &ann_token).await.unwrap();
        for i in 0..3 {
            p.edit(|txn| {
                txn.get_or_insert_array("strokes")
                    .push_back(&mut *txn, vec![f64::from(i)]);
            })
            .await;
        }
        p.edit(|txn| txn.get_or_insert_text("title").push(&mut *txn, "Kept"))
            .await;
        r.until(|c| c.stroke_count() == 3 && c.title() == "Kept")
            .await;
    }
    drop((o, a));
    s.restart().await;

    let _o = Room::enter(&s, &org_token).await;
    let mut p = YClient::connect(&s, &id, &doc, &org_token).await.unwrap();
    p.until(|c| c.synced).await;
    assert_eq!(p.stroke_count(), 3);
    assert_eq!(p.title(), "Kept");
}

#[tokio::test]
async fn a_text_page_is_typed_by_presenters_only_even_for_annotators() {
    let s = TestServer::start().await;
    let (id, org_token, ann_token, mut o, _a) = setup(&s).await;
    o.send(&ClientMsg::SetPermissions {
        permissions: confab_proto::AttendeePermissions {
            annotate: true,
            ..Default::default()
        },
    })
    .await;
    let page = new_page(&mut o, DocumentKind::Text).await;
    let text = page.text.expect("a text page has its text").to_string();
    let mut p = YClient::connect(&s, &id, &text, &org_token).await.unwrap();
    p.until(|c| c.synced).await;
    p.edit(|txn| txn.get_or_insert_text("title").push(&mut *txn, "Agenda"))
        .await;
    let mut a = YClient::connect(&s, &id, &text, &ann_token).await.unwrap();
    a.until(|c| c.title() == "Agenda").await;
    a.edit(|txn| txn.get_or_insert_text("title").push(&mut *txn, "!"))
        .await;
    assert_eq!(a.closed_with().await, 4403);
    // The same attendee draws on the page's ink layer.
    let ink = page.collab.to_string();
    let mut a = YClient::connect(&s, &id, &ink, &ann_token).await.unwrap();
    a.until(|c| c.synced).await;
    a.edit(|txn| {
        txn.get_or_insert_array("strokes")
            .push_back(&mut *txn, vec![0.5]);
    })
    .await;
    let mut p = YClient::connect(&s, &id, &ink, &org_token).await.unwrap();
    p.until(|c| c.stroke_count() == 1).await;
}

fn contains(hay: &[u8], needle: &[u8]) -> bool {
    hay.windows(needle.len()).any(|w| w == needle)
}

/// `GET …/export` with a join token.
async fn export(s: &TestServer, meeting: &str, document: &str, token: &str) -> reqwest::Response {
    reqwest::Client::new()
        .get(s.url(&format!(
            "/api/v1/meetings/{meeting}/documents/{document}/export"
        )))
        .bearer_auth(token)
        .send()
        .await
        .unwrap()
}

#[tokio::test]
async fn a_whiteboard_exports_with_its_ink_for_those_allowed() {
    let s = TestServer::start().await;
    let (id, org_token, ann_token, mut o, _a) = setup(&s).await;
    let doc = new_document(&mut o, DocumentKind::Whiteboard).await;
    let (doc_id, page) = (doc.id.to_string(), &doc.pages[0]);
    let mut p = YClient::connect(&s, &id, &page.collab.to_string(), &org_token)
        .await
        .unwrap();
    p.until(|c| c.synced).await;
    // A red pen stroke, as the browser writes it (confab_proto::shared_doc).
    p.edit(|txn| {
        let ink = txn.get_or_insert_array(confab_proto::shared_doc::INK);
        let stroke = ink.push_back(
            &mut *txn,
            yrs::MapPrelim::from([
                ("id".to_owned(), yrs::Any::from("s1")),
                ("tool".to_owned(), yrs::Any::from("pen")),
                ("color".to_owned(), yrs::Any::from("#ff0000")),
                ("width".to_owned(), yrs::Any::from(0.01)),
                ("author".to_owned(), yrs::Any::from("org")),
            ]),
        );
        yrs::Map::insert(
            &stroke,
            &mut *txn,
            "points",
            yrs::ArrayPrelim::from(vec![0.1, 0.5, 0.9, 0.5]),
        );
    })
    .await;

    // Each update is written as it arrives; wait for this one to be in the store.
    let deadline = tokio::time::Instant::now() + WAIT;
    let pdf = loop {
        let r = export(&s, &id, &doc_id, &org_token).await;
        assert_eq!(r.status(), 200);
        assert_eq!(r.headers()["content-type"], "application/pdf");
        assert!(r.headers()["content-disposition"]
            .to_str()
            .unwrap()
            .contains("Sketches%20%28annotated%29.pdf"));
        let bytes = r.bytes().await.unwrap();
        assert!(bytes.starts_with(b"%PDF-"));
        if contains(&bytes, b"1 0 0 RG") {
            break bytes;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "the stroke never reached the export"
        );
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    };
    assert!(contains(&pdf, b"/Count 1"), "one page");

    // Attendees need the export permission; strangers' tokens and unknown documents fail.
    let (status, problem) = problem_type(export(&s, &id, &doc_id, &ann_token).await).await;
    assert_eq!((status, problem.as_str()), (403, "forbidden"));
    o.send(&ClientMsg::SetPermissions {
        permissions: confab_proto::AttendeePermissions {
            export_content: true,
            ..Default::default()
        },
    })
    .await;
    o.until(|m| {
        matches!(
            m,
            ServerMsg::Event {
                event: RoomEvent::PermissionsChanged { .. },
                ..
            }
        )
    })
    .await;
    assert_eq!(export(&s, &id, &doc_id, &ann_token).await.status(), 200);
    assert_eq!(export(&s, &id, &doc_id, "nope").await.status(), 401);
    let unknown = uuid::Uuid::now_v7().to_string();
    assert_eq!(export(&s, &id, &unknown, &org_token).await.status(), 404);
}

// Rights follow the meeting (issue 9, finding 2): whatever takes an attendee's right to
// change a shared document away — the annotate permission turned off, a demotion, being
// removed, the meeting ending or being cancelled, the page going — reaches their open
// socket at once. Each test connects an attendee while annotate is on, proves the
// attendee could write, takes the right away, and has them try again.

/// An attendee who may annotate, drawing on a whiteboard: the presenter's and the
/// attendee's room channels, both collab sockets (synced), the board's name, the
/// attendee's id, and the organizer's REST client.
struct Annotating {
    id: String,
    org: Client,
    org_token: String,
    o: Room,
    ann: confab_proto::ParticipantId,
    doc: String,
    document: DocumentInfo,
    p: YClient,
    a: YClient,
}

async fn set_annotate(o: &mut Room, annotate: bool) {
    o.send(&ClientMsg::SetPermissions {
        permissions: confab_proto::AttendeePermissions {
            annotate,
            ..Default::default()
        },
    })
    .await;
    o.until(|m| {
        matches!(m, ServerMsg::Event { event: RoomEvent::PermissionsChanged { permissions }, .. }
            if permissions.annotate == annotate)
    })
    .await;
}

async fn annotating(s: &TestServer) -> Annotating {
    let org = s.admin_client().await;
    let m = org.schedule(&meeting("Rights")).await;
    let link = m.attendee_link.clone().unwrap();
    let org_token = org.join_ok(&link, None, None).await.token;
    let mut o = Room::enter(s, &org_token).await;
    let ann_token = Client::new(s).join_ok(&link, Some("Ann"), None).await.token;
    let a_room = Room::enter(s, &ann_token).await;
    let ann = match &a_room.seen[0] {
        ServerMsg::Welcome {
            snapshot: Some(snap),
            ..
        } => snap.you.id,
        other => panic!("expected a welcome, got {other:?}"),
    };
    // The attendee's room channel stays open (a removal or end closes it).
    std::mem::forget(a_room);
    set_annotate(&mut o, true).await;
    let document = new_document(&mut o, DocumentKind::Whiteboard).await;
    let doc = document.pages[0].collab.to_string();
    let id = m.id.to_string();
    let mut p = YClient::connect(s, &id, &doc, &org_token).await.unwrap();
    p.until(|c| c.synced).await;
    let mut a = YClient::connect(s, &id, &doc, &ann_token).await.unwrap();
    a.until(|c| c.synced).await;
    a.edit(|txn| {
        txn.get_or_insert_array("strokes")
            .push_back(&mut *txn, vec![1.0]);
    })
    .await;
    p.until(|c| c.stroke_count() == 1).await;
    Annotating {
        id,
        org,
        org_token,
        o,
        ann,
        doc,
        document,
        p,
        a,
    }
}

/// The attendee draws once more: the socket must be closed with a final (44xx) code, and
/// the stroke must reach nobody and be stored nowhere. Returns the close code.
async fn attack_is_refused(s: &TestServer, mut t: Annotating, reader_may_connect: bool) -> u16 {
    let legit = t.p.stroke_count();
    t.a.edit(|txn| {
        txn.get_or_insert_array("strokes")
            .push_back(&mut *txn, vec![666.0]);
    })
    .await;
    let code = t.a.closed_with().await;
    assert!((4400..4500).contains(&code), "closed with {code}");
    if reader_may_connect {
        // The presenter marks the board; a fresh reader sees the mark but not the attack.
        t.p.edit(|txn| {
            txn.get_or_insert_array("strokes")
                .push_back(&mut *txn, vec![2.0]);
        })
        .await;
        let mut r = YClient::connect(s, &t.id, &t.doc, &t.org_token)
            .await
            .unwrap();
        r.until(|c| c.stroke_count() > legit).await;
        assert_eq!(r.stroke_count(), legit + 1, "the attack was stored");
    } else {
        // The presenter's socket closes too; it never received the attack.
        t.p.closed_with().await;
        assert_eq!(t.p.stroke_count(), legit, "the attack was relayed");
    }
    code
}

#[tokio::test]
async fn turning_annotate_off_takes_the_pen_from_an_open_socket() {
    let s = TestServer::start().await;
    let mut t = annotating(&s).await;
    set_annotate(&mut t.o, false).await;
    assert_eq!(attack_is_refused(&s, t, true).await, 4403, "read-only now");
}

#[tokio::test]
async fn a_removed_attendee_loses_their_open_socket() {
    let s = TestServer::start().await;
    let mut t = annotating(&s).await;
    t.o.send(&ClientMsg::RemoveParticipant {
        participant: t.ann,
        bar: true,
    })
    .await;
    t.o.until(|m| {
        matches!(m, ServerMsg::Event { event: RoomEvent::ParticipantLeft { id, .. }, .. }
            if *id == t.ann)
    })
    .await;
    attack_is_refused(&s, t, true).await;
}

#[tokio::test]
async fn ending_the_meeting_closes_every_open_socket() {
    let s = TestServer::start().await;
    let mut t = annotating(&s).await;
    t.o.send(&ClientMsg::EndMeeting).await;
    t.o.closed_with().await;
    attack_is_refused(&s, t, false).await;
}

#[tokio::test]
async fn cancelling_the_meeting_over_rest_closes_every_open_socket() {
    let s = TestServer::start().await;
    let mut t = annotating(&s).await;
    let r = t
        .org
        .post(
            &format!("/api/v1/meetings/{}/cancel", t.id),
            serde_json::json!({}),
        )
        .await;
    assert_eq!(r.status(), 200);
    t.o.closed_with().await;
    attack_is_refused(&s, t, false).await;
}

#[tokio::test]
async fn a_socket_to_a_removed_page_cannot_write() {
    let mut s = TestServer::start().await;
    let mut t = annotating(&s).await;
    t.o.send(&ClientMsg::RemoveDocument {
        document: t.document.id,
    })
    .await;
    t.o.until(|m| {
        matches!(
            m,
            ServerMsg::Event {
                event: RoomEvent::DocumentRemoved { .. },
                ..
            }
        )
    })
    .await;
    // The presenter's socket to the gone page closes as well.
    let (meeting, name) = (t.id.clone(), t.doc.clone());
    attack_is_refused(&s, t, false).await;
    // Nothing of the gone page is left behind in the store, not even the last state its
    // room wrote when it stopped (a restart waits for every room's last write).
    s.restart().await;
    let store = confab_store::Store::open_sqlite(&s.data.join("confab.db"))
        .await
        .unwrap();
    let meeting: confab_proto::MeetingId = meeting.parse().unwrap();
    let row = store.meeting(meeting).await.unwrap().unwrap();
    let key = confab_collab::DocKey {
        tenant: row.tenant(),
        meeting,
        name: name.parse().unwrap(),
    };
    let stored = confab_collab::DocStore::load(&store, &key).await.unwrap();
    assert!(
        stored.snapshot.is_none() && stored.updates.is_empty(),
        "the removed page's document was written back"
    );
}

#[tokio::test]
async fn a_demoted_presenter_loses_the_pen_on_an_open_socket() {
    let s = TestServer::start().await;
    let mut t = annotating(&s).await;
    let set_role = |role| ClientMsg::SetRole {
        participant: t.ann,
        role,
    };
    let is_role = |ann, role| {
        move |m: &ServerMsg| {
            matches!(m, ServerMsg::Event { event: RoomEvent::ParticipantUpdated { participant }, .. }
                if participant.id == ann && participant.role == role)
        }
    };
    t.o.send(&set_role(confab_proto::MeetingRole::Presenter))
        .await;
    t.o.until(is_role(t.ann, confab_proto::MeetingRole::Presenter))
        .await;
    // As a presenter they draw without the attendee permission...
    set_annotate(&mut t.o, false).await;
    t.a.edit(|txn| {
        txn.get_or_insert_array("strokes")
            .push_back(&mut *txn, vec![1.5]);
    })
    .await;
    t.p.until(|c| c.stroke_count() == 2).await;
    // ...until they are an attendee again.
    t.o.send(&set_role(confab_proto::MeetingRole::Attendee))
        .await;
    t.o.until(is_role(t.ann, confab_proto::MeetingRole::Attendee))
        .await;
    assert_eq!(attack_is_refused(&s, t, true).await, 4403, "read-only now");
}
