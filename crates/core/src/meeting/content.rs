//! Documents and the stage: which pages exist, who may see which, what everyone sees.
//!
//! Presenters see every document from the moment its upload starts converting;
//! attendees see a document once it is ready. Everyone sees the stage. An attendee may
//! fetch the page on stage and the one after it (so flipping is instant), and any page of
//! a ready document when presenters let attendees browse independently.

use confab_proto::{
    content::{DocumentInfo, DocumentStatus, Stage},
    room::{RoomErrorCode, RoomEvent},
    DocumentId, ParticipantId,
};

use super::{Meeting, Output, Persist};
use crate::rights::{self, Action};

/// Whether a document shows to someone (presenter or not).
pub(super) fn visible(doc: &DocumentInfo, presenter: bool) -> bool {
    presenter || doc.status == DocumentStatus::Ready
}

/// Why a content command was refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ContentError {
    #[error("no such document")]
    NoSuchDocument,
    #[error("that page does not exist (yet)")]
    NoSuchPage,
}

impl ContentError {
    pub fn code(self) -> RoomErrorCode {
        RoomErrorCode::NotFound
    }
}

impl Meeting {
    fn document(&self, id: DocumentId) -> Option<&DocumentInfo> {
        self.documents.iter().find(|d| d.id == id)
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
        out.push(Output::Persist(Persist::DocumentRemoved(id)));
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

    /// Whether `who` is in the meeting as organizer or presenter (e.g. to upload).
    pub fn is_presenter(&self, who: ParticipantId) -> bool {
        self.members
            .get(&who)
            .is_some_and(|m| m.info.role.is_presenter())
    }

    /// Whether `who` may change shared drawings and pages (annotation layers, whiteboards,
    /// text pages): presenters always; attendees while the live `annotate` permission is
    /// on (already capped by the policy's `annotations`, checked again here so a policy
    /// change can never be outrun). Non-members may not.
    pub fn may_annotate(&self, who: ParticipantId) -> bool {
        self.members.get(&who).is_some_and(|m| {
            m.info.role.is_presenter() || (self.permissions.annotate && self.cfg.policy.annotations)
        })
    }
}
