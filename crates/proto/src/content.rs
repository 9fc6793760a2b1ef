//! Shared content in a meeting: uploaded documents (decks, documents, PDFs, images) as
//! pages, and the stage that shows one page to everyone.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::DocumentId;

/// Where a document's conversion stands.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, TS)]
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
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, TS)]
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
    /// Size of the large image, in pixels.
    pub width: u32,
    pub height: u32,
}

/// A document shared in the meeting.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct DocumentInfo {
    pub id: DocumentId,
    /// The file name it was uploaded under.
    pub name: String,
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
