//! Shared (Yjs) documents of a meeting: their names and what is inside them.
//!
//! Every page on the stage has an **ink layer**, one Yjs document that holds its
//! annotations; a text page has a second document with its rich text. A [`DocName`] is
//! the y-websocket room name a client connects to (`/api/v1/collab/{meeting}/{name}`);
//! the server hands each page its names in [`crate::content::PageInfo`], so clients never
//! build them.
//!
//! The content of an ink layer is defined here once, for the browser client (which draws
//! it) and the server (which exports it to PDF): a root `Y.Array` named [`INK`] of
//! `Y.Map`s with the keys of [`Stroke`], where `points` is a nested `Y.Array<number>` so
//! that a freehand stroke can grow while it is drawn. A text page's rich text is a root
//! `Y.XmlFragment` named [`TEXT`] in ProseMirror's document shape (paragraph, heading,
//! bulletList, orderedList, listItem; bold, italic, link marks), as TipTap writes it.

use std::{fmt, str::FromStr};

use serde::{Deserialize, Serialize};
use ts_rs::TS;
use uuid::Uuid;

use crate::DocumentId;

/// Name of the root `Y.Array` holding a page's strokes.
pub const INK: &str = "ink";
/// Name of the root `Y.XmlFragment` holding a text page's rich text.
pub const TEXT: &str = "text";

/// Longest accepted document name (`page:` + 36 + `:` + 10 digits is 52).
const MAX_NAME_LEN: usize = 64;

/// Which shared document, within a meeting.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum DocName {
    /// The ink layer of one page (0-based) of an uploaded document.
    Page { document: DocumentId, page: u32 },
    /// The ink layer of a whiteboard or text page (pages that can be reordered, so they
    /// are named by a stable id rather than their position).
    Board(Uuid),
    /// The rich text of a text page.
    Text(Uuid),
}

/// A name that is not one of the three forms, or not in their one canonical spelling.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct InvalidDocName;

impl fmt::Display for InvalidDocName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("invalid document name")
    }
}

impl std::error::Error for InvalidDocName {}

impl fmt::Display for DocName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DocName::Page { document, page } => write!(f, "page:{document}:{page}"),
            DocName::Board(id) => write!(f, "board:{id}"),
            DocName::Text(id) => write!(f, "text:{id}"),
        }
    }
}

impl FromStr for DocName {
    type Err = InvalidDocName;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        if s.len() > MAX_NAME_LEN || !s.is_ascii() {
            return Err(InvalidDocName);
        }
        let uuid = |t: &str| Uuid::parse_str(t).map_err(|_| InvalidDocName);
        let parsed = match s.split_once(':') {
            Some(("page", rest)) => {
                let (doc, page) = rest.split_once(':').ok_or(InvalidDocName)?;
                DocName::Page {
                    document: DocumentId(uuid(doc)?),
                    page: page.parse().map_err(|_| InvalidDocName)?,
                }
            }
            Some(("board", id)) => DocName::Board(uuid(id)?),
            Some(("text", id)) => DocName::Text(uuid(id)?),
            _ => return Err(InvalidDocName),
        };
        // One spelling per document: refuse `+1`, `01`, upper case, braces, simple UUIDs.
        if parsed.to_string() != s {
            return Err(InvalidDocName);
        }
        Ok(parsed)
    }
}

impl Serialize for DocName {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for DocName {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

/// Why the server closes a shared-document socket, each with its WebSocket close code and
/// reason, defined here once (the client reads them from the generated `closeCodes.ts`).
/// The stock y-websocket client treats 4400–4499 as final (it stops reconnecting): the
/// refusals use them, since reconnecting would meet the same refusal. Transient closes use
/// standard codes, after which the client reconnects.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum CollabClose {
    /// A message that is not the y-websocket protocol, or an update that does not apply.
    Malformed,
    /// A change from a peer who may only read (never allowed, or no longer: the right
    /// follows the meeting).
    ReadOnly,
    /// The document is no longer open to this peer: they left or were removed, the
    /// meeting ended, or the page is gone.
    Withdrawn,
    /// A message over the size limit.
    TooLarge,
    /// The document reached its stored-size limit.
    DocumentFull,
    /// A text frame (the protocol is binary).
    BinaryOnly,
    /// Too slow to keep up, or the document was busy starting or stopping: reconnect.
    TryAgain,
    /// The server is shutting down.
    ServerShutdown,
}

impl CollabClose {
    pub const ALL: [CollabClose; 8] = [
        CollabClose::Malformed,
        CollabClose::ReadOnly,
        CollabClose::Withdrawn,
        CollabClose::TooLarge,
        CollabClose::DocumentFull,
        CollabClose::BinaryOnly,
        CollabClose::TryAgain,
        CollabClose::ServerShutdown,
    ];

    /// The WebSocket close code.
    pub fn close_code(self) -> u16 {
        match self {
            CollabClose::Malformed => 4400,
            CollabClose::ReadOnly => 4403,
            CollabClose::Withdrawn => 4410,
            CollabClose::TooLarge | CollabClose::DocumentFull => 4413,
            CollabClose::BinaryOnly => 1003,
            CollabClose::TryAgain => 1013,
            CollabClose::ServerShutdown => 1001,
        }
    }

    /// The close frame's reason text.
    pub fn reason(self) -> &'static str {
        match self {
            CollabClose::Malformed => "malformed message",
            CollabClose::ReadOnly => "read-only",
            CollabClose::Withdrawn => "no longer open to you",
            CollabClose::TooLarge => "message too large",
            CollabClose::DocumentFull => "document full",
            CollabClose::BinaryOnly => "binary frames only",
            CollabClose::TryAgain => "try again",
            CollabClose::ServerShutdown => "server shutting down",
        }
    }
}

/// A drawing tool, as stored in a stroke's `tool` key.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum InkTool {
    /// Freehand, opaque.
    Pen,
    /// Freehand, translucent and wide.
    Highlighter,
    Line,
    Arrow,
    /// Axis-aligned, from the first point to the second.
    Rect,
    /// Inscribed in the rectangle of the two points.
    Ellipse,
    /// `text` drawn with its top-left corner at the one point.
    Text,
}

/// One stroke of an ink layer: the keys of each `Y.Map` in the [`INK`] array.
/// Coordinates are page-normalised (0..1 of the page's width and height), so ink lines up
/// at any window size.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct Stroke {
    pub id: String,
    pub tool: InkTool,
    /// `#rrggbb`.
    pub color: String,
    /// Line width (or text height) as a fraction of the page width.
    pub width: f64,
    /// Flat `x0, y0, x1, y1, …`: freehand strokes grow while drawn; line, arrow, rect and
    /// ellipse have two points (start, end); text has one.
    pub points: Vec<f64>,
    /// The words of a text stroke.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub text: Option<String>,
    /// Participant id of whoever drew it.
    pub author: String,
}

impl Stroke {
    /// The `#rrggbb` colour as RGB fractions; black if malformed (a stroke from a buggy or
    /// hostile client must still render, never fail an export).
    pub fn rgb(&self) -> [f32; 3] {
        let hex = self.color.strip_prefix('#').unwrap_or("");
        let channel = |i: usize| {
            hex.get(i..i + 2)
                .and_then(|h| u8::from_str_radix(h, 16).ok())
                .map_or(0.0, |v| f32::from(v) / 255.0)
        };
        if hex.len() == 6 {
            [channel(0), channel(2), channel(4)]
        } else {
            [0.0; 3]
        }
    }
}

/// One block of a text page, as read back from its `Y.XmlFragment` (for export).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TextBlock {
    pub kind: BlockKind,
    pub runs: Vec<TextRun>,
}

/// What a block is: ProseMirror's paragraph, heading (level 1–6) and list items (bullet,
/// or numbered with its number).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BlockKind {
    Paragraph,
    Heading(u8),
    Bullet,
    Numbered(u32),
}

/// A stretch of text with one style.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TextRun {
    pub text: String,
    pub bold: bool,
    pub italic: bool,
}

#[cfg(test)]
mod tests {
    use super::*;

    const ID: &str = "0191f3a4-7b2c-7d3e-8f40-123456789abc";

    #[test]
    fn the_three_forms_round_trip() {
        for s in [
            format!("page:{ID}:0"),
            format!("page:{ID}:4294967295"),
            format!("board:{ID}"),
            format!("text:{ID}"),
        ] {
            assert_eq!(s.parse::<DocName>().unwrap().to_string(), s);
        }
    }

    #[test]
    fn other_spellings_are_refused() {
        let upper = ID.to_uppercase();
        let simple = ID.replace('-', "");
        for s in [
            String::new(),
            format!("page:{ID}"),
            format!("page:{ID}:"),
            format!("page:{ID}:01"),
            format!("page:{ID}:+1"),
            format!("page:{ID}:-1"),
            format!("page:{ID}:4294967296"),
            format!("page:{ID}:1:2"),
            format!("board:{upper}"),
            format!("board:{simple}"),
            format!("board:{{{ID}}}"),
            format!("board:{ID} "),
            format!("notes:{ID}"),
            format!("text:{ID}/x"),
            format!("text:urn:uuid:{ID}"),
            "board:é".into(),
        ] {
            assert!(s.parse::<DocName>().is_err(), "{s} was accepted");
        }
    }

    #[test]
    fn names_travel_as_strings() {
        let name: DocName = format!("board:{ID}").parse().unwrap();
        let json = serde_json::to_string(&name).unwrap();
        assert_eq!(json, format!("\"board:{ID}\""));
        assert_eq!(serde_json::from_str::<DocName>(&json).unwrap(), name);
        assert!(serde_json::from_str::<DocName>("\"board:x\"").is_err());
    }

    #[test]
    fn colours_parse_and_bad_ones_fall_back_to_black() {
        let mut s = Stroke {
            id: "1".into(),
            tool: InkTool::Pen,
            color: "#ff8000".into(),
            width: 0.004,
            points: vec![],
            text: None,
            author: "a".into(),
        };
        assert_eq!(s.rgb(), [1.0, 128.0 / 255.0, 0.0]);
        for bad in ["ff8000", "#ff80", "#gg0000", "#ff8000ff", "#é0000"] {
            s.color = bad.into();
            assert_eq!(s.rgb(), [0.0; 3], "{bad}");
        }
    }
}
