//! Shared content in a meeting: uploaded documents (decks, documents, PDFs, images) as
//! pages, and the stage that shows one page to everyone.

use serde::{Deserialize, Serialize};
use ts_rs::TS;
use utoipa::ToSchema;

use crate::{shared_doc::DocName, DocumentId};

/// What a document is made of.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, TS, ToSchema)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum DocumentKind {
    /// An uploaded file, converted to page images.
    Upload,
    /// Blank pages to draw on.
    Whiteboard,
    /// Pages of rich text that presenters type.
    Text,
}

impl DocumentKind {
    /// Whether its pages are made in the meeting (added, reordered, removed), rather than
    /// converted from a file.
    pub fn is_blank(self) -> bool {
        matches!(self, DocumentKind::Whiteboard | DocumentKind::Text)
    }
}

/// Size of whiteboard and text pages, in the same units as page images: 16:9 like a
/// slide, so switching between them does not move the stage.
pub const BLANK_PAGE_SIZE: (u32, u32) = (1600, 900);

/// Where a document's conversion stands.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, TS, ToSchema)]
#[serde(tag = "state", rename_all = "snake_case")]
#[ts(export)]
pub enum DocumentStatus {
    /// Pages appear in `pages` as they are rendered.
    Converting,
    Ready,
    /// Conversion failed; `error` says why, in words for the uploader.
    Failed {
        error: String,
    },
}

/// One page of a document. For a PowerPoint deck with click animations, each click
/// state of a slide is its own page (`slide`, `step`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, TS, ToSchema)]
#[ts(export)]
pub struct PageInfo {
    /// 0-based position in the document.
    pub index: u32,
    /// 1-based slide number, for decks.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub slide: Option<u32>,
    /// Click step within the slide (0 = before the first click), for decks.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub step: Option<u32>,
    /// Size of the large image, in pixels (its aspect ratio, for blank and text pages).
    pub width: u32,
    pub height: u32,
    /// The page's ink layer: the shared document its annotations live in.
    #[ts(type = "string")]
    #[schema(value_type = String)]
    pub collab: DocName,
    /// A text page's rich text: a second shared document, which only presenters may edit.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional, type = "string")]
    #[schema(value_type = Option<String>)]
    pub text: Option<DocName>,
}

/// A document shared in the meeting.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, TS, ToSchema)]
#[ts(export)]
pub struct DocumentInfo {
    pub id: DocumentId,
    /// The file name it was uploaded under, or the name it was given.
    pub name: String,
    pub kind: DocumentKind,
    pub status: DocumentStatus,
    /// Rendered pages so far, in order.
    pub pages: Vec<PageInfo>,
}

/// What the stage shows everyone.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct Stage {
    pub document: DocumentId,
    /// 0-based page index.
    pub page: u32,
}
