//! A minimal owned XML tree over quick-xml, for rewriting small OOXML parts (slides, rels).
//!
//! For: parse → edit a few elements → write back, keeping everything else byte-for-byte as
//! read (text stays escaped as it was, prefixes stay as they were). Not for: namespaces (we match
//! elements by local name, which is unambiguous inside the parts we edit), big documents, or
//! validation.

use std::borrow::Cow;

use quick_xml::events::attributes::Attribute;
use quick_xml::events::{BytesStart, Event};
use quick_xml::name::QName;
use quick_xml::{Reader, Writer};

/// A node: an element, or any other event (text, comment, declaration…) kept verbatim.
#[derive(Debug, Clone)]
pub(crate) enum Node {
    Element(Element),
    Other(Event<'static>),
}

#[derive(Debug, Clone)]
pub(crate) struct Element {
    pub start: BytesStart<'static>,
    pub children: Vec<Node>,
}

/// Parse a whole document into its top-level nodes (declaration, root element, …).
pub(crate) fn parse(xml: &[u8]) -> Result<Vec<Node>, String> {
    let mut reader = Reader::from_reader(xml);
    // Whitespace inside `a:t` is content: keep every text event as it is.
    reader.config_mut().trim_text(false);
    let mut buf = Vec::new();
    let mut stack: Vec<Element> = Vec::new();
    let mut top: Vec<Node> = Vec::new();
    loop {
        let event = reader
            .read_event_into(&mut buf)
            .map_err(|e| format!("XML at byte {}: {e}", reader.buffer_position()))?;
        let node = match event {
            Event::Eof => break,
            Event::Start(start) => {
                stack.push(Element {
                    start: start.into_owned(),
                    children: Vec::new(),
                });
                buf.clear();
                continue;
            }
            Event::End(_) => Node::Element(stack.pop().ok_or("unbalanced end tag")?),
            Event::Empty(start) => Node::Element(Element {
                start: start.into_owned(),
                children: Vec::new(),
            }),
            other => Node::Other(other.into_owned()),
        };
        match stack.last_mut() {
            Some(parent) => parent.children.push(node),
            None => top.push(node),
        }
        buf.clear();
    }
    if !stack.is_empty() {
        return Err("unclosed element at end of document".into());
    }
    Ok(top)
}

/// Serialise nodes; an element without children is written as an empty tag.
pub(crate) fn write(nodes: &[Node]) -> Vec<u8> {
    let mut writer = Writer::new(Vec::new());
    for node in nodes {
        write_node(&mut writer, node);
    }
    writer.into_inner()
}

fn write_node(writer: &mut Writer<Vec<u8>>, node: &Node) {
    // Writing into a Vec cannot fail: its io::Write never returns an error.
    let ok = |r: std::io::Result<()>| r.expect("writing XML into a Vec cannot fail");
    match node {
        Node::Other(event) => ok(writer.write_event(event.borrow())),
        Node::Element(el) if el.children.is_empty() => {
            ok(writer.write_event(Event::Empty(el.start.borrow())))
        }
        Node::Element(el) => {
            ok(writer.write_event(Event::Start(el.start.borrow())));
            for child in &el.children {
                write_node(writer, child);
            }
            ok(writer.write_event(Event::End(el.start.to_end())));
        }
    }
}

/// The root element of a parsed document.
pub(crate) fn root_mut(nodes: &mut [Node]) -> Option<&mut Element> {
    nodes.iter_mut().find_map(|n| match n {
        Node::Element(el) => Some(el),
        Node::Other(_) => None,
    })
}

pub(crate) fn root(nodes: &[Node]) -> Option<&Element> {
    nodes.iter().find_map(|n| match n {
        Node::Element(el) => Some(el),
        Node::Other(_) => None,
    })
}

fn local(qname: &[u8]) -> &[u8] {
    match qname.iter().position(|&b| b == b':') {
        Some(i) => &qname[i + 1..],
        None => qname,
    }
}

impl Element {
    /// A new element named `prefix:local` with the given (already escaped) attributes.
    pub fn new(prefix: &str, local: &str, attrs: &[(&str, &str)]) -> Element {
        let name = if prefix.is_empty() {
            local.to_owned()
        } else {
            format!("{prefix}:{local}")
        };
        let mut start = BytesStart::new(name);
        for (k, v) in attrs {
            start.push_attribute(Attribute::from((k.as_bytes(), v.as_bytes())));
        }
        Element {
            start,
            children: Vec::new(),
        }
    }

    pub fn is(&self, local_name: &str) -> bool {
        local(self.start.name().as_ref()) == local_name.as_bytes()
    }

    /// The namespace prefix of this element ("a" for `a:p`), for creating siblings and children.
    pub fn prefix(&self) -> String {
        let name = self.start.name();
        let name = name.as_ref();
        match name.iter().position(|&b| b == b':') {
            Some(i) => String::from_utf8_lossy(&name[..i]).into_owned(),
            None => String::new(),
        }
    }

    /// The unescaped value of the attribute with this exact (possibly prefixed) name.
    pub fn attr(&self, name: &str) -> Option<String> {
        self.start
            .attributes()
            .flatten()
            .find(|a| a.key.as_ref() == name.as_bytes())
            .and_then(|a| a.unescape_value().ok().map(Cow::into_owned))
    }

    /// Set (or add) an attribute; `value` must not need escaping (ids, numbers, flags).
    pub fn set_attr(&mut self, name: &str, value: &str) {
        let mut attrs: Vec<(Vec<u8>, Vec<u8>)> = self
            .start
            .attributes()
            .flatten()
            .filter(|a| a.key.as_ref() != name.as_bytes())
            .map(|a| (a.key.as_ref().to_vec(), a.value.into_owned()))
            .collect();
        attrs.push((name.as_bytes().to_vec(), value.as_bytes().to_vec()));
        self.start.clear_attributes();
        for (k, v) in &attrs {
            self.start.push_attribute(Attribute {
                key: QName(k),
                value: Cow::Borrowed(v),
            });
        }
    }

    pub fn elements(&self) -> impl Iterator<Item = &Element> {
        self.children.iter().filter_map(|n| match n {
            Node::Element(el) => Some(el),
            Node::Other(_) => None,
        })
    }

    pub fn elements_mut(&mut self) -> impl Iterator<Item = &mut Element> {
        self.children.iter_mut().filter_map(|n| match n {
            Node::Element(el) => Some(el),
            Node::Other(_) => None,
        })
    }

    pub fn child(&self, local_name: &str) -> Option<&Element> {
        self.elements().find(|e| e.is(local_name))
    }

    pub fn child_mut(&mut self, local_name: &str) -> Option<&mut Element> {
        self.elements_mut().find(|e| e.is(local_name))
    }

    /// Follow a path of local names through first matching children.
    pub fn path(&self, names: &[&str]) -> Option<&Element> {
        names.iter().try_fold(self, |el, name| el.child(name))
    }

    /// The text directly inside this element, with entity and character references resolved.
    pub fn text(&self) -> String {
        let mut out = String::new();
        for child in &self.children {
            match child {
                Node::Other(Event::Text(t)) => out.push_str(&t.decode().unwrap_or_default()),
                Node::Other(Event::CData(t)) => out.push_str(&t.decode().unwrap_or_default()),
                Node::Other(Event::GeneralRef(r)) => {
                    if let Ok(Some(c)) = r.resolve_char_ref() {
                        out.push(c);
                    } else {
                        match r.decode().unwrap_or_default().as_ref() {
                            "amp" => out.push('&'),
                            "lt" => out.push('<'),
                            "gt" => out.push('>'),
                            "quot" => out.push('"'),
                            "apos" => out.push('\''),
                            _ => {}
                        }
                    }
                }
                _ => {}
            }
        }
        out
    }

    /// Every descendant element (depth first, not including `self`).
    pub fn descendants(&self) -> Vec<&Element> {
        let mut out = Vec::new();
        let mut stack: Vec<&Element> = self.elements().collect();
        stack.reverse();
        while let Some(el) = stack.pop() {
            out.push(el);
            let before = stack.len();
            stack.extend(el.elements());
            stack[before..].reverse();
        }
        out
    }

    /// Remove every child element whose local name is in `names`.
    pub fn remove_children(&mut self, names: &[&str]) {
        self.children.retain(|n| match n {
            Node::Element(el) => !names.iter().any(|name| el.is(name)),
            Node::Other(_) => true,
        });
    }

    /// Whether the first child element (ignoring text and comments) is named `local_name`.
    pub fn first_element_is(&self, local_name: &str) -> bool {
        self.elements().next().is_some_and(|e| e.is(local_name))
    }

    /// Index in `children` of the first element child named one of `names`.
    pub fn position_of(&self, names: &[&str]) -> Option<usize> {
        self.children.iter().position(|n| match n {
            Node::Element(el) => names.iter().any(|name| el.is(name)),
            Node::Other(_) => false,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_keeps_text_entities_and_declaration() {
        let xml = br#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<a:p xmlns:a="urn:x"><a:r><a:t> Tom &amp; Jerry &lt;3 </a:t></a:r><a:br/></a:p>"#;
        let nodes = parse(xml).expect("valid XML");
        assert_eq!(
            String::from_utf8_lossy(&write(&nodes)),
            String::from_utf8_lossy(xml)
        );
    }

    #[test]
    fn set_attr_replaces_an_existing_value() {
        let mut nodes = parse(br#"<p:cNvPr id="4" name="A &amp; B" hidden="0"/>"#).expect("xml");
        let el = root_mut(&mut nodes).expect("root");
        el.set_attr("hidden", "1");
        assert_eq!(el.attr("name").as_deref(), Some("A & B"));
        assert_eq!(
            String::from_utf8_lossy(&write(&nodes)),
            r#"<p:cNvPr id="4" name="A &amp; B" hidden="1"/>"#
        );
    }

    #[test]
    fn unbalanced_documents_are_errors() {
        assert!(parse(b"<a><b></a>").is_err());
        assert!(parse(b"<a><b>").is_err());
    }
}
