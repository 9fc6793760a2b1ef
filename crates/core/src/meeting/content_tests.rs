//! Whiteboards, text pages and who drives the stage, driven through the state machine.

use confab_proto::{
    content::{DocumentInfo, DocumentKind, DocumentStatus, Stage},
    room::{ClientMsg, RoomErrorCode, RoomEvent},
    shared_doc::DocName,
    AttendeePermissions, DocumentId, MeetingRole, ParticipantId,
};
use proptest::prelude::*;

use super::tests::{cfg, doc, error_for, events_for, Harness};
use super::*;

fn new_doc(kind: DocumentKind) -> ClientMsg {
    ClientMsg::NewDocument {
        kind,
        name: "Ideas".into(),
    }
}

/// The document a set of outputs announced last.
fn announced(out: &[Output]) -> DocumentInfo {
    out.iter()
        .rev()
        .find_map(|o| match o {
            Output::Persist(Persist::Document(d)) => Some(d.clone()),
            _ => None,
        })
        .expect("a document was saved")
}

fn stage_of(h: &Harness, who: ParticipantId) -> Option<Stage> {
    h.m.snapshot(who).and_then(|s| s.stage)
}

#[test]
fn a_new_whiteboard_goes_to_everyone_on_stage_and_its_creator_presents() {
    let mut h = Harness::new(cfg());
    let (org, _) = h.join("Org", MeetingRole::Organizer);
    let (ann, _) = h.join("Ann", MeetingRole::Attendee);
    let out = h.cmd(org, new_doc(DocumentKind::Whiteboard));
    let d = announced(&out);
    assert_eq!(
        (d.kind, d.status.clone(), d.pages.len()),
        (DocumentKind::Whiteboard, DocumentStatus::Ready, 1)
    );
    assert!(matches!(d.pages[0].collab, DocName::Board(_)));
    assert_eq!(d.pages[0].text, None);
    let seen = events_for(&out, ann);
    assert!(seen.contains(&RoomEvent::Document {
        document: d.clone()
    }));
    assert!(seen.contains(&RoomEvent::PresenterChanged {
        presenter: Some(org)
    }));
    assert!(seen.contains(&RoomEvent::StageChanged {
        stage: Some(Stage {
            document: d.id,
            page: 0
        })
    }));
    assert_eq!(h.m.snapshot(ann).unwrap().presenter, Some(org));
}

#[test]
fn attendees_cannot_make_documents_and_names_are_checked() {
    let mut h = Harness::new(cfg());
    let (org, _) = h.join("Org", MeetingRole::Organizer);
    let (ann, _) = h.join("Ann", MeetingRole::Attendee);
    let out = h.cmd(ann, new_doc(DocumentKind::Whiteboard));
    assert_eq!(error_for(&out, ann), Some(RoomErrorCode::NotAllowed));
    for name in ["", "   ", &"x".repeat(content::MAX_DOCUMENT_NAME_CHARS + 1)] {
        let kind = DocumentKind::Text;
        let out = h.cmd(
            org,
            ClientMsg::NewDocument {
                kind,
                name: name.into(),
            },
        );
        assert_eq!(
            error_for(&out, org),
            Some(RoomErrorCode::TooLong),
            "{name:?}"
        );
    }
    let out = h.cmd(org, new_doc(DocumentKind::Upload));
    assert_eq!(error_for(&out, org), Some(RoomErrorCode::Invalid));
    assert!(h.m.snapshot(org).unwrap().documents.is_empty());
}

#[test]
fn ink_is_writable_by_annotators_and_text_by_presenters_only() {
    let mut h = Harness::new(cfg());
    let (org, _) = h.join("Org", MeetingRole::Organizer);
    let (ann, _) = h.join("Ann", MeetingRole::Attendee);
    let d = announced(&h.cmd(org, new_doc(DocumentKind::Text)));
    let (ink, text) = (
        d.pages[0].collab,
        d.pages[0].text.expect("a text page has text"),
    );
    assert_eq!(h.m.collab_access(org, ink), Some(true));
    assert_eq!(h.m.collab_access(org, text), Some(true));
    assert_eq!(h.m.collab_access(ann, ink), Some(false));
    assert_eq!(h.m.collab_access(ann, text), Some(false));
    h.cmd(
        org,
        ClientMsg::SetPermissions {
            permissions: AttendeePermissions {
                annotate: true,
                ..Default::default()
            },
        },
    );
    assert_eq!(h.m.collab_access(ann, ink), Some(true));
    assert_eq!(
        h.m.collab_access(ann, text),
        Some(false),
        "annotators never edit the text"
    );
    // Names that are no page of this meeting, or a page-number name for a whiteboard.
    assert_eq!(
        h.m.collab_access(org, DocName::Board(uuid::Uuid::now_v7())),
        None
    );
    let by_number = DocName::Page {
        document: d.id,
        page: 0,
    };
    assert_eq!(h.m.collab_access(org, by_number), None);
    assert_eq!(h.m.collab_access(ParticipantId::new(), ink), None);
}

#[test]
fn upload_pages_are_opened_by_number_while_visible() {
    let mut h = Harness::new(cfg());
    let (org, _) = h.join("Org", MeetingRole::Organizer);
    let (ann, _) = h.join("Ann", MeetingRole::Attendee);
    let d = doc(DocumentStatus::Converting, 2);
    h.m.handle(h.now, Input::Document(d.clone()));
    let page = |p| DocName::Page {
        document: d.id,
        page: p,
    };
    assert_eq!(h.m.collab_access(org, page(1)), Some(true));
    assert_eq!(h.m.collab_access(ann, page(0)), None, "not ready yet");
    assert_eq!(h.m.collab_access(org, page(2)), None, "no such page");
}

#[test]
fn one_presenter_drives_the_stage_until_another_takes_over_or_is_handed_it() {
    let mut h = Harness::new(cfg());
    let (org, _) = h.join("Org", MeetingRole::Organizer);
    let (pat, _) = h.join("Pat", MeetingRole::Presenter);
    let (ann, _) = h.join("Ann", MeetingRole::Attendee);
    let d = doc(DocumentStatus::Ready, 3);
    h.m.handle(h.now, Input::Document(d.clone()));
    let show = |page| ClientMsg::ShowPage {
        document: d.id,
        page,
    };

    let out = h.cmd(pat, show(1));
    assert!(
        events_for(&out, ann).contains(&RoomEvent::PresenterChanged {
            presenter: Some(pat)
        })
    );
    let out = h.cmd(org, show(2));
    assert_eq!(error_for(&out, org), Some(RoomErrorCode::NotAllowed));
    assert_eq!(
        stage_of(&h, ann).unwrap().page,
        1,
        "the refused flip changed nothing"
    );

    // Handing to an attendee is refused; to a presenter it works.
    let out = h.cmd(pat, ClientMsg::PassPresenting { to: ann });
    assert_eq!(error_for(&out, pat), Some(RoomErrorCode::NotAllowed));
    h.cmd(pat, ClientMsg::PassPresenting { to: org });
    assert_eq!(h.m.presenting(), Some(org));
    let out = h.cmd(pat, show(0));
    assert_eq!(error_for(&out, pat), Some(RoomErrorCode::NotAllowed));
    // Pat takes over explicitly; the organizer may always hand the stage on.
    h.cmd(pat, ClientMsg::TakePresenting);
    assert_eq!(h.m.presenting(), Some(pat));
    h.cmd(org, ClientMsg::PassPresenting { to: org });
    assert_eq!(h.m.presenting(), Some(org));
    let out = h.cmd(ann, ClientMsg::TakePresenting);
    assert_eq!(error_for(&out, ann), Some(RoomErrorCode::NotAllowed));

    // Stopping frees the stage for whoever shows a page next.
    let out = h.cmd(pat, ClientMsg::StopPresenting);
    assert_eq!(error_for(&out, pat), Some(RoomErrorCode::NotAllowed));
    h.cmd(org, ClientMsg::StopPresenting);
    assert_eq!(h.m.presenting(), None);
    h.cmd(pat, show(2));
    assert_eq!(h.m.presenting(), Some(pat));
}

#[test]
fn the_presenter_leaving_or_being_demoted_frees_the_stage() {
    let mut h = Harness::new(cfg());
    let (org, _) = h.join("Org", MeetingRole::Organizer);
    let (pat, _) = h.join("Pat", MeetingRole::Presenter);
    let (ann, _) = h.join("Ann", MeetingRole::Attendee);
    h.cmd(pat, new_doc(DocumentKind::Whiteboard));
    let role = MeetingRole::Attendee;
    let out = h.cmd(
        org,
        ClientMsg::SetRole {
            participant: pat,
            role,
        },
    );
    assert!(events_for(&out, ann).contains(&RoomEvent::PresenterChanged { presenter: None }));
    assert!(stage_of(&h, ann).is_some(), "the stage itself stays");
    h.cmd(org, ClientMsg::TakePresenting);
    let out = h.cmd(org, ClientMsg::Leave);
    assert!(events_for(&out, ann).contains(&RoomEvent::PresenterChanged { presenter: None }));
}

#[test]
fn pages_are_added_up_to_the_limit_and_the_last_one_stays() {
    let mut h = Harness::new(cfg()); // max_pages: 5
    let (org, _) = h.join("Org", MeetingRole::Organizer);
    let d = announced(&h.cmd(org, new_doc(DocumentKind::Whiteboard)));
    for n in 2..=5 {
        let d = announced(&h.cmd(org, ClientMsg::AddPage { document: d.id }));
        assert_eq!(d.pages.len(), n);
        assert_eq!(
            stage_of(&h, org),
            Some(Stage {
                document: d.id,
                page: n as u32 - 1
            })
        );
    }
    let out = h.cmd(org, ClientMsg::AddPage { document: d.id });
    assert_eq!(error_for(&out, org), Some(RoomErrorCode::Invalid));
    for _ in 0..4 {
        h.cmd(
            org,
            ClientMsg::RemovePage {
                document: d.id,
                page: 0,
            },
        );
    }
    let out = h.cmd(
        org,
        ClientMsg::RemovePage {
            document: d.id,
            page: 0,
        },
    );
    assert_eq!(error_for(&out, org), Some(RoomErrorCode::Invalid));
    let out = h.cmd(
        org,
        ClientMsg::RemovePage {
            document: d.id,
            page: 1,
        },
    );
    assert_eq!(
        error_for(&out, org),
        Some(RoomErrorCode::Invalid),
        "last page stays"
    );
}

#[test]
fn uploaded_documents_are_not_changed_page_by_page() {
    let mut h = Harness::new(cfg());
    let (org, _) = h.join("Org", MeetingRole::Organizer);
    let d = doc(DocumentStatus::Ready, 3);
    h.m.handle(h.now, Input::Document(d.clone()));
    for cmd in [
        ClientMsg::AddPage { document: d.id },
        ClientMsg::MovePage {
            document: d.id,
            from: 0,
            to: 1,
        },
        ClientMsg::RemovePage {
            document: d.id,
            page: 0,
        },
    ] {
        let out = h.cmd(org, cmd);
        assert_eq!(error_for(&out, org), Some(RoomErrorCode::Invalid));
    }
    let out = h.cmd(
        org,
        ClientMsg::AddPage {
            document: DocumentId::new(),
        },
    );
    assert_eq!(error_for(&out, org), Some(RoomErrorCode::NotFound));
}

#[derive(Clone, Debug)]
enum PageOp {
    Move(u32, u32),
    Remove(u32),
    Add,
    Show(u32),
}

fn page_op() -> impl Strategy<Value = PageOp> {
    prop_oneof![
        (0u32..6, 0u32..6).prop_map(|(a, b)| PageOp::Move(a, b)),
        (0u32..6).prop_map(PageOp::Remove),
        Just(PageOp::Add),
        (0u32..6).prop_map(PageOp::Show),
    ]
}

proptest! {
    /// Whatever happens to the pages, the stage shows the page it showed (by its ink
    /// layer's name), or, when that page was removed, a page of the same document; page
    /// indexes stay 0..n; a refused command changes nothing.
    #[test]
    fn the_stage_follows_its_page_through_moves_and_removals(ops in proptest::collection::vec(page_op(), 1..40)) {
        let mut h = Harness::new(cfg());
        let (org, _) = h.join("Org", MeetingRole::Organizer);
        let mut d = announced(&h.cmd(org, new_doc(DocumentKind::Whiteboard)));
        for op in ops {
            let before = stage_of(&h, org).expect("a stage");
            let shown = d.pages[before.page as usize].collab;
            let cmd = match op {
                PageOp::Move(from, to) => ClientMsg::MovePage { document: d.id, from, to },
                PageOp::Remove(page) => ClientMsg::RemovePage { document: d.id, page },
                PageOp::Add => ClientMsg::AddPage { document: d.id },
                PageOp::Show(page) => ClientMsg::ShowPage { document: d.id, page },
            };
            let out = h.cmd(org, cmd);
            let refused = error_for(&out, org).is_some();
            let after = stage_of(&h, org).expect("a stage");
            let now = h.m.snapshot(org).unwrap().documents.into_iter().find(|x| x.id == d.id).unwrap();
            if refused {
                prop_assert_eq!(&now, &d);
                prop_assert_eq!(after, before);
            }
            for (i, p) in now.pages.iter().enumerate() {
                prop_assert_eq!(p.index as usize, i);
            }
            prop_assert!((after.page as usize) < now.pages.len());
            if let PageOp::Move(..) = op {
                prop_assert_eq!(now.pages[after.page as usize].collab, shown);
            }
            if let PageOp::Remove(_) = op {
                if now.pages.iter().any(|p| p.collab == shown) {
                    prop_assert_eq!(now.pages[after.page as usize].collab, shown);
                }
            }
            d = now;
        }
    }
}

#[test]
fn removing_pages_and_documents_removes_their_shared_documents() {
    let mut h = Harness::new(cfg());
    let (org, _) = h.join("Org", MeetingRole::Organizer);
    let d = announced(&h.cmd(org, new_doc(DocumentKind::Text)));
    let d = announced(&h.cmd(org, ClientMsg::AddPage { document: d.id }));
    let first = &d.pages[0];
    let out = h.cmd(
        org,
        ClientMsg::RemovePage {
            document: d.id,
            page: 0,
        },
    );
    let gone = vec![first.collab, first.text.unwrap()];
    assert!(out.contains(&Output::Persist(Persist::SharedDocsRemoved(gone))));
    let last = &d.pages[1];
    let out = h.cmd(org, ClientMsg::RemoveDocument { document: d.id });
    let shared = vec![last.collab, last.text.unwrap()];
    assert!(out.contains(&Output::Persist(Persist::DocumentRemoved {
        id: d.id,
        shared
    })));
}
