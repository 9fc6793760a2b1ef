//! Documents and the stage: which pages exist, who may see which, what everyone sees,
//! and who drives it.
//!
//! Presenters see every document from the moment its upload starts converting;
//! attendees see a document once it is ready. Everyone sees the stage. An attendee may
//! fetch the page on stage and the one after it (so flipping is instant), and any page of
//! a ready document when presenters let attendees browse independently.
//!
//! One presenter at a time *presents*: only they change the stage, so two presenters
//! never fight over it. Whoever shows a page while nobody presents becomes the presenter;
//! another presenter takes over explicitly, or is handed the stage.
//!
//! Whiteboards and text documents are made in the meeting: their pages are added,
//! reordered and removed here, and each page carries stable names for its shared
//! documents, so its ink follows it when it moves.

use confab_proto::{
    content::{DocumentInfo, DocumentKind, DocumentStatus, PageInfo, Stage, BLANK_PAGE_SIZE},
    room::{RoomErrorCode, RoomEvent},
    shared_doc::DocName,
    DocumentId, ParticipantId,
};
use uuid::Uuid;

use super::{Meeting, Output, Persist};
use crate::rights::{self, Action};

/// Whether a document shows to someone (presenter or not).
pub(super) fn visible(doc: &DocumentInfo, presenter: bool) -> bool {
    presenter || doc.status == DocumentStatus::Ready
}

/// Longest name of a whiteboard or text document, in characters.
pub const MAX_DOCUMENT_NAME_CHARS: usize = 120;

/// Why a content command was refused.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ContentError {
    #[error("no such document")]
    NoSuchDocument,
    #[error("that page does not exist (yet)")]
    NoSuchPage,
    #[error("{0} is presenting: take over, or ask them to pass the stage to you")]
    SomeoneElsePresents(String),
    #[error("only whiteboards and text documents can be made or changed page by page")]
    NotBlank,
    #[error("a document keeps at least one page: remove the document instead")]
    LastPage,
    #[error("a document has at most {0} pages")]
    TooManyPages(u32),
    #[error("give it a name of 1 to {MAX_DOCUMENT_NAME_CHARS} characters")]
    BadName,
    #[error("only presenters can present")]
    NotAPresenter,
}

impl ContentError {
    pub fn code(&self) -> RoomErrorCode {
        match self {
            ContentError::NoSuchDocument | ContentError::NoSuchPage => RoomErrorCode::NotFound,
            ContentError::SomeoneElsePresents(_) | ContentError::NotAPresenter => {
                RoomErrorCode::NotAllowed
            }
            ContentError::NotBlank | ContentError::LastPage | ContentError::TooManyPages(_) => {
                RoomErrorCode::Invalid
            }
            ContentError::BadName => RoomErrorCode::TooLong,
        }
    }
}

/// A fresh page for a whiteboard or text document, with its own shared-document names.
fn blank_page(kind: DocumentKind, index: u32) -> PageInfo {
    let id = Uuid::now_v7();
    PageInfo {
        index,
        slide: None,
        step: None,
        width: BLANK_PAGE_SIZE.0,
        height: BLANK_PAGE_SIZE.1,
        collab: DocName::Board(id),
        text: (kind == DocumentKind::Text).then_some(DocName::Text(id)),
    }
}

/// The shared documents of a page: its ink layer, and a text page's text.
fn shared_docs(page: &PageInfo) -> impl Iterator<Item = DocName> {
    std::iter::once(page.collab).chain(page.text)
}

/// Where the stage's page index goes when pages of its document move: it follows the
/// page it showed. `None` when that page was removed.
fn follow_page(shown: u32, change: PageChange) -> Option<u32> {
    match change {
        PageChange::Moved { from, to } if shown == from => Some(to),
        PageChange::Moved { from, to } if from < shown && shown <= to => Some(shown - 1),
        PageChange::Moved { from, to } if to <= shown && shown < from => Some(shown + 1),
        PageChange::Moved { .. } => Some(shown),
        PageChange::Removed(p) if p == shown => None,
        PageChange::Removed(p) if p < shown => Some(shown - 1),
        PageChange::Removed(_) => Some(shown),
    }
}

/// A page command, as the room channel says it.
#[derive(Clone, Copy, Debug)]
pub(super) enum PageChangeCmd {
    Move { from: u32, to: u32 },
    Remove(u32),
}

/// What happened to the pages, for the stage to follow.
#[derive(Clone, Copy, Debug)]
enum PageChange {
    Moved { from: u32, to: u32 },
    Removed(u32),
}

impl Meeting {
    fn document(&self, id: DocumentId) -> Option<&DocumentInfo> {
        self.documents.iter().find(|d| d.id == id)
    }

    /// Who drives the stage now.
    pub fn presenting(&self) -> Option<ParticipantId> {
        self.presenting
    }

    /// Refuses `who` while another presenter drives the stage.
    fn someone_else_presents(&self, who: ParticipantId) -> Result<(), ContentError> {
        match self.presenting {
            Some(p) if p != who => Err(ContentError::SomeoneElsePresents(
                self.members
                    .get(&p)
                    .map_or_else(|| "someone".into(), |m| m.info.name.clone()),
            )),
            _ => Ok(()),
        }
    }

    /// Checks that `who` (a presenter) may change the stage, and makes them the presenter
    /// if nobody presents.
    pub(super) fn drive_stage(
        &mut self,
        who: ParticipantId,
        out: &mut Vec<Output>,
    ) -> Result<(), ContentError> {
        self.someone_else_presents(who)?;
        self.set_presenting(Some(who), out);
        Ok(())
    }

    /// `who` stops driving the stage (a no-op if nobody does).
    pub(super) fn stop_presenting(
        &mut self,
        who: ParticipantId,
        out: &mut Vec<Output>,
    ) -> Result<(), ContentError> {
        self.someone_else_presents(who)?;
        self.set_presenting(None, out);
        Ok(())
    }

    pub(super) fn set_presenting(&mut self, who: Option<ParticipantId>, out: &mut Vec<Output>) {
        if self.presenting != who {
            self.presenting = who;
            self.emit(
                self.everyone(),
                RoomEvent::PresenterChanged { presenter: who },
                out,
            );
        }
    }

    /// `from` hands the stage to `to`: allowed to whoever presents now and to the
    /// organizer; `to` must be a presenter in the meeting.
    pub(super) fn pass_presenting(
        &mut self,
        from: ParticipantId,
        to: ParticipantId,
        organizer: bool,
        out: &mut Vec<Output>,
    ) -> Result<(), ContentError> {
        if !organizer {
            self.someone_else_presents(from)?;
        }
        match self.members.get(&to) {
            None => Err(ContentError::NotAPresenter),
            Some(m) if !m.info.role.is_presenter() => Err(ContentError::NotAPresenter),
            Some(_) => {
                self.set_presenting(Some(to), out);
                Ok(())
            }
        }
    }

    /// `who` left or is no longer a presenter: the stage stays, nobody drives it.
    pub(super) fn release_presenting(&mut self, who: ParticipantId, out: &mut Vec<Output>) {
        if self.presenting == Some(who) {
            self.set_presenting(None, out);
        }
    }

    /// The converter reports a document (new, more pages, ready or failed).
    pub(super) fn document_progress(&mut self, doc: DocumentInfo, out: &mut Vec<Output>) {
        let was_visible_to_all = self.document(doc.id).is_some_and(|d| visible(d, false));
        match self.documents.iter_mut().find(|d| d.id == doc.id) {
            Some(d) => *d = doc.clone(),
            None => self.documents.push(doc.clone()),
        }
        let to = if visible(&doc, false) || was_visible_to_all {
            self.everyone()
        } else {
            self.presenters()
        };
        self.emit(to, RoomEvent::Document { document: doc }, out);
    }

    pub(super) fn show_page(
        &mut self,
        document: DocumentId,
        page: u32,
        out: &mut Vec<Output>,
    ) -> Result<(), ContentError> {
        let doc = self
            .document(document)
            .ok_or(ContentError::NoSuchDocument)?;
        if page as usize >= doc.pages.len() {
            return Err(ContentError::NoSuchPage);
        }
        self.set_stage(Some(Stage { document, page }), out);
        Ok(())
    }

    pub(super) fn set_stage(&mut self, stage: Option<Stage>, out: &mut Vec<Output>) {
        if self.stage == stage {
            return;
        }
        self.stage = stage;
        self.emit(self.everyone(), RoomEvent::StageChanged { stage }, out);
        out.push(Output::Persist(Persist::Stage(stage)));
    }

    /// A new whiteboard or text document with one page, shown on the stage.
    pub(super) fn new_document(
        &mut self,
        kind: DocumentKind,
        name: &str,
        out: &mut Vec<Output>,
    ) -> Result<(), ContentError> {
        if !kind.is_blank() {
            return Err(ContentError::NotBlank);
        }
        let name = name.trim();
        if name.is_empty() || name.chars().count() > MAX_DOCUMENT_NAME_CHARS {
            return Err(ContentError::BadName);
        }
        let doc = DocumentInfo {
            id: DocumentId::new(),
            name: name.to_owned(),
            kind,
            status: DocumentStatus::Ready,
            pages: vec![blank_page(kind, 0)],
        };
        let id = doc.id;
        self.save_document(doc, out);
        self.set_stage(
            Some(Stage {
                document: id,
                page: 0,
            }),
            out,
        );
        Ok(())
    }

    /// A blank page at the end of a whiteboard or text document, shown on the stage.
    pub(super) fn add_page(
        &mut self,
        document: DocumentId,
        out: &mut Vec<Output>,
    ) -> Result<(), ContentError> {
        let max = self.cfg.max_pages;
        let doc = self.blank_document(document)?;
        if doc.pages.len() >= max as usize {
            return Err(ContentError::TooManyPages(max));
        }
        let mut doc = doc.clone();
        let page = doc.pages.len() as u32;
        doc.pages.push(blank_page(doc.kind, page));
        self.save_document(doc, out);
        self.set_stage(Some(Stage { document, page }), out);
        Ok(())
    }

    /// Moves or removes a page of a whiteboard or text document; the stage keeps showing
    /// the page it showed (or the one that took the removed page's place).
    pub(super) fn change_page(
        &mut self,
        document: DocumentId,
        change: PageChangeCmd,
        out: &mut Vec<Output>,
    ) -> Result<(), ContentError> {
        let mut doc = self.blank_document(document)?.clone();
        let n = doc.pages.len() as u32;
        let change = match change {
            PageChangeCmd::Move { from, to } if from < n && to < n => {
                let page = doc.pages.remove(from as usize);
                doc.pages.insert(to as usize, page);
                PageChange::Moved { from, to }
            }
            PageChangeCmd::Remove(_) if n == 1 => return Err(ContentError::LastPage),
            PageChangeCmd::Remove(page) if page < n => {
                let removed = doc.pages.remove(page as usize);
                let shared = shared_docs(&removed).collect();
                out.push(Output::Persist(Persist::SharedDocsRemoved(shared)));
                PageChange::Removed(page)
            }
            PageChangeCmd::Move { .. } | PageChangeCmd::Remove(_) => {
                return Err(ContentError::NoSuchPage)
            }
        };
        for (i, p) in doc.pages.iter_mut().enumerate() {
            p.index = i as u32;
        }
        let last = doc.pages.len() as u32 - 1;
        self.save_document(doc, out);
        if let Some(s) = self.stage.filter(|s| s.document == document) {
            let page = follow_page(s.page, change).unwrap_or(s.page.min(last));
            self.set_stage(Some(Stage { document, page }), out);
        }
        Ok(())
    }

    fn blank_document(&self, id: DocumentId) -> Result<&DocumentInfo, ContentError> {
        let doc = self.document(id).ok_or(ContentError::NoSuchDocument)?;
        if doc.kind.is_blank() {
            Ok(doc)
        } else {
            Err(ContentError::NotBlank)
        }
    }

    /// Adds or replaces a document made in the meeting, tells everyone, and keeps it.
    fn save_document(&mut self, doc: DocumentInfo, out: &mut Vec<Output>) {
        match self.documents.iter_mut().find(|d| d.id == doc.id) {
            Some(d) => *d = doc.clone(),
            None => self.documents.push(doc.clone()),
        }
        self.emit(
            self.everyone(),
            RoomEvent::Document {
                document: doc.clone(),
            },
            out,
        );
        out.push(Output::Persist(Persist::Document(doc)));
    }

    pub(super) fn remove_document(
        &mut self,
        id: DocumentId,
        out: &mut Vec<Output>,
    ) -> Result<(), ContentError> {
        let i = self
            .documents
            .iter()
            .position(|d| d.id == id)
            .ok_or(ContentError::NoSuchDocument)?;
        let doc = self.documents.remove(i);
        if self.stage.is_some_and(|s| s.document == id) {
            self.set_stage(None, out);
        }
        let to = if visible(&doc, false) {
            self.everyone()
        } else {
            self.presenters()
        };
        self.emit(to, RoomEvent::DocumentRemoved { id }, out);
        let shared = doc.pages.iter().flat_map(shared_docs).collect();
        out.push(Output::Persist(Persist::DocumentRemoved { id, shared }));
        Ok(())
    }

    /// After a role change, `who` gains or loses the documents still converting.
    pub(super) fn refresh_documents_for(
        &mut self,
        who: ParticipantId,
        presenter: bool,
        out: &mut Vec<Output>,
    ) {
        let pending: Vec<DocumentInfo> = self
            .documents
            .iter()
            .filter(|d| !visible(d, false))
            .cloned()
            .collect();
        for document in pending {
            let event = if presenter {
                RoomEvent::Document { document }
            } else {
                RoomEvent::DocumentRemoved { id: document.id }
            };
            self.emit(vec![who], event, out);
        }
    }

    /// Whether `who` may fetch page `page` of `document` right now.
    pub fn may_view_page(&self, who: ParticipantId, document: DocumentId, page: u32) -> bool {
        let (Some(me), Some(doc)) = (self.members.get(&who), self.document(document)) else {
            return false;
        };
        if page as usize >= doc.pages.len() {
            return false;
        }
        if me.info.role.is_presenter() {
            return true;
        }
        if doc.status != DocumentStatus::Ready {
            return false;
        }
        let near_stage = self
            .stage
            .is_some_and(|s| s.document == document && (page == s.page || page == s.page + 1));
        near_stage
            || rights::check(
                &self.cfg.policy,
                &self.permissions,
                me.info.role,
                Action::BrowseContent,
            )
            .is_ok()
    }

    /// Whether `who` may open the shared document `name`, and if so whether they may
    /// change it: ink layers are writable by those who may annotate, a text page's text by
    /// presenters only. `None` for a document that is not one of a page `who` may see.
    pub fn collab_access(&self, who: ParticipantId, name: DocName) -> Option<bool> {
        let (document, page, text) = match name {
            DocName::Page { document, page } => {
                let doc = self.document(document)?;
                (doc.kind == DocumentKind::Upload).then_some((document, page, false))?
            }
            DocName::Board(_) | DocName::Text(_) => self.documents.iter().find_map(|d| {
                d.pages.iter().find_map(|p| {
                    if p.collab == name {
                        Some((d.id, p.index, false))
                    } else if p.text == Some(name) {
                        Some((d.id, p.index, true))
                    } else {
                        None
                    }
                })
            })?,
        };
        if !self.may_view_page(who, document, page) {
            return None;
        }
        Some(if text {
            self.is_presenter(who)
        } else {
            self.may_annotate(who)
        })
    }

    /// Whether `who` may export documents with their annotations: presenters, and
    /// attendees while the `export_content` permission is on.
    pub fn may_export(&self, who: ParticipantId, document: DocumentId) -> bool {
        self.document_for(who, document).is_some() && self.may(who, Action::ExportContent)
    }

    /// A document as `who` may see it (for export).
    pub fn document_for(&self, who: ParticipantId, document: DocumentId) -> Option<DocumentInfo> {
        let me = self.members.get(&who)?;
        self.document(document)
            .filter(|d| visible(d, me.info.role.is_presenter()))
            .cloned()
    }

    /// Whether `who` is in the meeting as organizer or presenter (e.g. to upload).
    pub fn is_presenter(&self, who: ParticipantId) -> bool {
        self.members
            .get(&who)
            .is_some_and(|m| m.info.role.is_presenter())
    }

    /// Whether `who` may change shared drawings (ink layers of every kind of page):
    /// presenters, and attendees while the live `annotate` permission is on; never when
    /// the policy disables annotations. Non-members may not.
    pub fn may_annotate(&self, who: ParticipantId) -> bool {
        self.may(who, Action::Annotate)
    }

    fn may(&self, who: ParticipantId, action: Action) -> bool {
        self.members.get(&who).is_some_and(|m| {
            rights::check(&self.cfg.policy, &self.permissions, m.info.role, action).is_ok()
        })
    }
}
