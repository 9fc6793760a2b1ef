//! Reading shared documents back as data: a stored document, the strokes of an ink layer
//! and the blocks of a text page (for the annotated export). The shapes are those defined
//! in `confab_proto::shared_doc`; what does not fit them (a stroke a buggy client wrote
//! half of, an unknown element) is skipped, never an error, because a reader must cope
//! with whatever any Yjs client wrote.

use confab_proto::shared_doc::{BlockKind, Stroke, TextBlock, TextRun, INK, TEXT};
use yrs::{
    any::Number,
    types::{
        text::{Diff, YChange},
        ToJson,
    },
    updates::decoder::Decode,
    Any, Doc, GetString, Out, ReadTxn, Text, Transact, Update, Xml, XmlElementRef, XmlFragment,
    XmlOut, XmlTextRef,
};

use crate::Stored;

/// The document that `stored` holds (snapshot, then the log in order), and how many
/// entries did not decode or apply and were skipped.
pub fn doc_from(stored: &Stored) -> (Doc, usize) {
    let doc = Doc::new();
    let mut skipped = 0;
    for bytes in stored.snapshot.iter().chain(stored.updates.iter()) {
        let ok = Update::decode_v1(bytes)
            .ok()
            .is_some_and(|u| doc.transact_mut().apply_update(u).is_ok());
        if !ok {
            skipped += 1;
        }
    }
    (doc, skipped)
}

/// The strokes of an ink layer, in drawing order.
pub fn ink(doc: &Doc) -> Vec<Stroke> {
    let array = doc.get_or_insert_array(INK);
    let Any::Array(items) = array.to_json(&doc.transact()) else {
        return Vec::new();
    };
    items
        .iter()
        .filter_map(|item| serde_json::to_value(item).ok())
        .filter_map(|value| serde_json::from_value(value).ok())
        .collect()
}

/// The blocks of a text page, top to bottom.
pub fn text(doc: &Doc) -> Vec<TextBlock> {
    let fragment = doc.get_or_insert_xml_fragment(TEXT);
    let txn = doc.transact();
    let mut blocks = Vec::new();
    for node in fragment.children(&txn) {
        read_node(&txn, node, BlockKind::Paragraph, &mut blocks);
    }
    blocks
}

/// Appends the blocks of `node`; `kind` is what a paragraph here becomes (a list item's
/// first paragraph carries its marker).
fn read_node<T: ReadTxn>(txn: &T, node: XmlOut, kind: BlockKind, out: &mut Vec<TextBlock>) {
    match node {
        XmlOut::Text(t) => push_block(out, kind, runs(txn, &t)),
        XmlOut::Fragment(f) => {
            for child in f.children(txn) {
                read_node(txn, child, kind, out);
            }
        }
        XmlOut::Element(e) => read_element(txn, &e, kind, out),
    }
}

fn read_element<T: ReadTxn>(txn: &T, e: &XmlElementRef, kind: BlockKind, out: &mut Vec<TextBlock>) {
    match e.tag().as_ref() {
        "paragraph" | "codeBlock" => {
            let mut line = Vec::new();
            for child in e.children(txn) {
                match child {
                    XmlOut::Text(t) => line.extend(runs(txn, &t)),
                    XmlOut::Element(inline) if inline.tag().as_ref() == "hardBreak" => {
                        line.push(plain(" "));
                    }
                    _ => {}
                }
            }
            push_block(out, kind, line);
        }
        "heading" => {
            let level = number_attribute(txn, e, "level").unwrap_or(1).clamp(1, 6);
            let mut line = Vec::new();
            for child in e.children(txn) {
                if let XmlOut::Text(t) = child {
                    line.extend(runs(txn, &t));
                }
            }
            push_block(out, BlockKind::Heading(level as u8), line);
        }
        "bulletList" | "orderedList" => {
            let ordered = e.tag().as_ref() == "orderedList";
            let start = number_attribute(txn, e, "start").unwrap_or(1);
            for (n, item) in (start..).zip(e.children(txn)) {
                let marker = if ordered {
                    BlockKind::Numbered(u32::try_from(n).unwrap_or(0))
                } else {
                    BlockKind::Bullet
                };
                read_node(txn, item, marker, out);
            }
        }
        // listItem, blockquote and anything unknown: their content, in order.
        _ => {
            for child in e.children(txn) {
                read_node(txn, child, kind, out);
            }
        }
    }
}

fn push_block(out: &mut Vec<TextBlock>, kind: BlockKind, runs: Vec<TextRun>) {
    out.push(TextBlock { kind, runs });
}

fn plain(text: &str) -> TextRun {
    TextRun {
        text: text.to_owned(),
        bold: false,
        italic: false,
    }
}

/// The styled stretches of a text node: ProseMirror marks are Yjs formatting attributes
/// (TipTap names them `bold` and `italic`; plain ProseMirror `strong` and `em`).
fn runs<T: ReadTxn>(txn: &T, t: &XmlTextRef) -> Vec<TextRun> {
    let diff: Vec<Diff<YChange>> = t.diff(txn, YChange::identity);
    if diff.is_empty() {
        let s = t.get_string(txn);
        return if s.is_empty() {
            Vec::new()
        } else {
            vec![plain(&s)]
        };
    }
    diff.into_iter()
        .filter_map(|d| {
            let Out::Any(Any::String(s)) = d.insert else {
                return None;
            };
            let has = |names: [&str; 2]| {
                d.attributes
                    .as_ref()
                    .is_some_and(|a| names.iter().any(|n| a.contains_key(*n)))
            };
            Some(TextRun {
                text: s.to_string(),
                bold: has(["bold", "strong"]),
                italic: has(["italic", "em"]),
            })
        })
        .collect()
}

/// A whole-number attribute, however the client stored it (number or string).
fn number_attribute<T: ReadTxn>(txn: &T, e: &XmlElementRef, name: &str) -> Option<i64> {
    match e.get_attribute(txn, name)? {
        Out::Any(Any::Number(Number::Int(n))) => Some(n),
        Out::Any(Any::Number(Number::Float(f))) if f.fract() == 0.0 => Some(f as i64),
        Out::Any(Any::String(s)) => s.parse().ok(),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use confab_proto::shared_doc::InkTool;
    use yrs::{
        types::Attrs, Array, ArrayPrelim, Map, MapPrelim, WriteTxn, XmlElementPrelim, XmlTextPrelim,
    };

    use super::*;

    /// A stroke as the browser writes it: a `Y.Map` whose `points` is a nested `Y.Array`.
    fn push_stroke(doc: &Doc, entries: Vec<(&str, Any)>, points: Option<Vec<f64>>) {
        let mut txn = doc.transact_mut();
        let ink = txn.get_or_insert_array(INK);
        let map = ink.push_back(
            &mut txn,
            MapPrelim::from_iter(entries.into_iter().map(|(k, v)| (k.to_owned(), v))),
        );
        if let Some(points) = points {
            map.insert(&mut txn, "points", ArrayPrelim::from(points));
        }
    }

    fn s(v: &str) -> Any {
        Any::String(v.into())
    }

    #[test]
    fn strokes_read_back_and_half_written_ones_are_skipped() {
        let doc = Doc::new();
        let full = |tool: &str| {
            vec![
                ("id", s("a")),
                ("tool", s(tool)),
                ("color", s("#ff0000")),
                ("width", Any::Number(Number::Float(0.004))),
                ("author", s("p1")),
            ]
        };
        push_stroke(&doc, full("pen"), Some(vec![0.1, 0.2, 0.3, 0.4]));
        let mut text = full("text");
        text.push(("text", s("Hi")));
        text.push(("width", Any::Number(Number::Int(0)))); // integers are numbers too
        push_stroke(&doc, text, Some(vec![0.5, 0.5]));
        push_stroke(&doc, full("spraycan"), Some(vec![0.1, 0.1]));
        push_stroke(&doc, full("pen"), None);
        push_stroke(&doc, vec![("tool", s("pen"))], Some(vec![0.1, 0.1]));

        let ink = ink(&doc);
        assert_eq!(ink.len(), 2, "{ink:?}");
        assert_eq!(ink[0].tool, InkTool::Pen);
        assert_eq!(ink[0].points, [0.1, 0.2, 0.3, 0.4]);
        assert_eq!(ink[1].tool, InkTool::Text);
        assert_eq!(ink[1].text.as_deref(), Some("Hi"));
        assert_eq!(ink[1].width, 0.0);
    }

    #[test]
    fn a_text_page_reads_as_tiptap_writes_it() {
        let doc = Doc::new();
        {
            let mut txn = doc.transact_mut();
            let root = txn.get_or_insert_xml_fragment(TEXT);
            let h = root.push_back(&mut txn, XmlElementPrelim::empty("heading"));
            h.insert_attribute(&mut txn, "level", Any::Number(Number::Int(2)));
            h.push_back(&mut txn, XmlTextPrelim::new("Plan"));

            let p = root.push_back(&mut txn, XmlElementPrelim::empty("paragraph"));
            let t = p.push_back(&mut txn, XmlTextPrelim::new("plain "));
            let bold: Attrs = HashMap::from([("bold".into(), Any::Map(Default::default()))]);
            t.insert_with_attributes(&mut txn, 6, "strong", bold);

            let list = root.push_back(&mut txn, XmlElementPrelim::empty("orderedList"));
            list.insert_attribute(&mut txn, "start", s("3"));
            for word in ["three", "four"] {
                let item = list.push_back(&mut txn, XmlElementPrelim::empty("listItem"));
                let p = item.push_back(&mut txn, XmlElementPrelim::empty("paragraph"));
                p.push_back(&mut txn, XmlTextPrelim::new(word));
            }
            let bullets = root.push_back(&mut txn, XmlElementPrelim::empty("bulletList"));
            let item = bullets.push_back(&mut txn, XmlElementPrelim::empty("listItem"));
            let p = item.push_back(&mut txn, XmlElementPrelim::empty("paragraph"));
            p.push_back(&mut txn, XmlTextPrelim::new("dot"));
        }
        let blocks = text(&doc);
        let summary: Vec<(BlockKind, String)> = blocks
            .iter()
            .map(|b| (b.kind, b.runs.iter().map(|r| r.text.as_str()).collect()))
            .collect();
        assert_eq!(
            summary,
            [
                (BlockKind::Heading(2), "Plan".into()),
                (BlockKind::Paragraph, "plain strong".into()),
                (BlockKind::Numbered(3), "three".into()),
                (BlockKind::Numbered(4), "four".into()),
                (BlockKind::Bullet, "dot".into()),
            ]
        );
        let styled: Vec<bool> = blocks[1].runs.iter().map(|r| r.bold).collect();
        assert_eq!(styled, [false, true]);
    }

    #[test]
    fn stored_updates_that_do_not_apply_are_counted_and_skipped() {
        let doc = Doc::new();
        push_stroke(&doc, vec![("tool", s("pen"))], None);
        let update = doc
            .transact()
            .encode_state_as_update_v1(&Default::default());
        let stored = Stored {
            snapshot: Some(update),
            updates: vec![vec![0xFF, 0x00, 0x13]],
        };
        let (back, skipped) = doc_from(&stored);
        assert_eq!(skipped, 1);
        assert_eq!(back.get_or_insert_array(INK).len(&back.transact()), 1);
    }
}
