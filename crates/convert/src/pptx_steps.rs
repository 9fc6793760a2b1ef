//! PowerPoint click builds → one slide per click state, so a PDF page exists for every "next".
//!
//! For: rewriting a pptx (bytes in, bytes out) before LibreOffice converts it, which would
//! otherwise print only each slide's final state, and the map from PDF page to `(slide, step)`.
//! Not for: reproducing how effects look (a fade is shown as an appear), motion paths,
//! transitions, or other formats.
//!
//! # What is understood
//!
//! A slide's `p:timing` main sequence holds one `p:par` per click (FACTS.md, "PowerPoint click
//! builds"). Inside, every effect `p:cTn` with a `presetClass` targets a shape (`p:spTgt spid`)
//! or a range of its paragraphs (`p:txEl/p:pRg st end`, 0-based):
//!
//! - `entr` (any entrance: appear, fade, fly in …): the target is hidden before this click and
//!   shown from it on; `exit` the reverse. A target's state before its first effect is the
//!   opposite of that effect.
//! - `emph` and `path` change how a shape looks or where it is, not whether it is shown: they
//!   are dropped, but their click still counts, so "next" stays in step with PowerPoint.
//! - A group that starts "with/after previous" instead of on a click joins the state before it
//!   (at the start of the slide: step 0).
//!
//! Anything else on a slide (triggers/interactive sequences, media, chart or diagram builds,
//! by-letter text, background targets) leaves that slide as it is: one page, everything shown,
//! which is what PowerPoint prints too. So an effect we cannot reproduce degrades to a complete
//! slide, never to a broken page.
//!
//! # How a step is written
//!
//! Step 0 rewrites the original slide part; steps 1..=clicks are copies added right after it
//! (slide part; its rels without the notes relation; a content-type override; a presentation
//! relationship; a `p:sldId`). Every copy loses `p:timing`. A hidden shape gets
//! `p:cNvPr hidden="1"`; a hidden paragraph keeps its place (so vertically centred text does not
//! move) but its runs become fully transparent and its bullet `a:buNone`, because a transparent
//! bullet colour is ignored by LibreOffice (all verified on LibreOffice 7.4, FACTS.md).

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::io::{Cursor, Read, Write};

use zip::write::SimpleFileOptions;

use crate::xml_tree::{self, Element, Node};
use crate::ConvertError;

/// Where a PDF page comes from: slide (or document page) number from 1, and click step from 0.
///
/// For documents other than pptx, `slide` is the page number and `step` is 0.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct PageSource {
    pub slide: u32,
    pub step: u32,
    /// The slide is hidden in the deck (`show="0"`); it is still converted so numbers stay in
    /// step with the deck, and the presenter decides whether to skip it.
    pub hidden: bool,
}

impl PageSource {
    /// The page of a document (or an unexpanded deck) at 0-based `index`.
    pub fn page(index: u32) -> PageSource {
        PageSource {
            slide: index + 1,
            step: 0,
            hidden: false,
        }
    }
}

/// The result of [`expand_click_steps`].
#[derive(Debug)]
pub enum Expansion {
    /// The rewritten deck, and for each page it will print, where the page comes from.
    Expanded {
        pptx: Vec<u8>,
        pages: Vec<PageSource>,
        /// Speaker notes by slide number (slides without notes are absent).
        notes: BTreeMap<u32, String>,
    },
    /// The deck's structure was not what we expect: convert it as it is, one page per slide.
    Unchanged { reason: String },
}

/// Expand the click builds of every slide of `pptx`. Fails only if the expanded deck would have
/// more than `max_pages` pages; a deck we cannot read is returned [`Expansion::Unchanged`]
/// (LibreOffice then says whether it is corrupt).
pub fn expand_click_steps(pptx: &[u8], max_pages: u32) -> Result<Expansion, ConvertError> {
    match expand(pptx, max_pages) {
        Ok(expansion) => Ok(expansion),
        Err(Failure::TooManyPages(pages)) => Err(ConvertError::TooManyPages {
            pages,
            max: max_pages,
        }),
        Err(Failure::Structure(reason)) => Ok(Expansion::Unchanged { reason }),
    }
}

enum Failure {
    TooManyPages(u32),
    Structure(String),
}

impl From<String> for Failure {
    fn from(reason: String) -> Self {
        Failure::Structure(reason)
    }
}

impl From<&str> for Failure {
    fn from(reason: &str) -> Self {
        Failure::Structure(reason.to_owned())
    }
}

const PRESENTATION: &str = "ppt/presentation.xml";
const PRESENTATION_RELS: &str = "ppt/_rels/presentation.xml.rels";
const CONTENT_TYPES: &str = "[Content_Types].xml";
const SLIDE_REL_TYPE: &str =
    "http://schemas.openxmlformats.org/officeDocument/2006/relationships/slide";
const SLIDE_CONTENT_TYPE: &str =
    "application/vnd.openxmlformats-officedocument.presentationml.slide+xml";
/// Parts are small XML; anything bigger is not a slide we want to rewrite in memory.
const MAX_PART_BYTES: u64 = 64 * 1024 * 1024;

fn expand(pptx: &[u8], max_pages: u32) -> Result<Expansion, Failure> {
    let mut archive = zip::ZipArchive::new(Cursor::new(pptx)).map_err(|e| format!("zip: {e}"))?;
    let mut presentation = xml_tree::parse(&read_part(&mut archive, PRESENTATION)?)?;
    let mut pres_rels = xml_tree::parse(&read_part(&mut archive, PRESENTATION_RELS)?)?;
    let mut content_types = xml_tree::parse(&read_part(&mut archive, CONTENT_TYPES)?)?;

    let targets: HashMap<String, String> = xml_tree::root(&pres_rels)
        .ok_or("empty presentation rels")?
        .elements()
        .filter_map(|r| Some((r.attr("Id")?, r.attr("Target")?)))
        .collect();
    let sld_ids: Vec<Element> = xml_tree::root(&presentation)
        .and_then(|p| p.child("sldIdLst"))
        .map(|l| l.elements().cloned().collect())
        .unwrap_or_default();
    let mut next_id = sld_ids
        .iter()
        .filter_map(|s| s.attr("id")?.parse::<u32>().ok())
        .max()
        .unwrap_or(255)
        + 1;

    let mut pages = Vec::new();
    let mut notes = BTreeMap::new();
    let mut replaced: HashMap<String, Vec<u8>> = HashMap::new();
    let mut added: Vec<(String, Vec<u8>)> = Vec::new();
    let mut new_sld_list: Vec<Element> = Vec::new();
    let existing: HashSet<String> = archive.file_names().map(str::to_owned).collect();

    for (index, sld_id) in sld_ids.iter().enumerate() {
        let slide_no = index as u32 + 1;
        new_sld_list.push(sld_id.clone());
        let rel_attr = rel_id_attr(sld_id).ok_or("sldId without relationship")?;
        let rel_id = sld_id.attr(&rel_attr).ok_or("sldId without relationship")?;
        let target = targets.get(&rel_id).ok_or("slide relationship missing")?;
        let part = resolve("ppt", target);
        let slide_xml = read_part(&mut archive, &part)?;
        let slide = xml_tree::parse(&slide_xml)?;
        let root = xml_tree::root(&slide).ok_or("empty slide")?;
        let hidden = root.attr("show").as_deref() == Some("0");
        let rels_part = rels_path(&part);
        let slide_rels = match archive.index_for_name(&rels_part) {
            Some(_) => Some(read_part(&mut archive, &rels_part)?),
            None => None,
        };
        if let Some(text) = slide_rels
            .as_deref()
            .and_then(|rels| notes_part(&part, rels))
            .and_then(|p| read_part(&mut archive, &p).ok())
            .and_then(|xml| notes_text(&xml))
        {
            notes.insert(slide_no, text);
        }
        let steps = match root.child("timing").map(analyse_timing) {
            Some(Ok(steps)) if steps.len() > 1 => steps,
            // No clicks, or a build we do not understand: the slide as it is, one page.
            _ => {
                pages.push(PageSource {
                    slide: slide_no,
                    step: 0,
                    hidden,
                });
                continue;
            }
        };

        let rels = match &slide_rels {
            Some(r) => Some(without_notes(r)?),
            None => None,
        };
        for (step, state) in steps.iter().enumerate() {
            pages.push(PageSource {
                slide: slide_no,
                step: step as u32,
                hidden,
            });
            let xml = write_step(&slide, state);
            if step == 0 {
                replaced.insert(part.clone(), xml);
                continue;
            }
            let (dir, file) = part.rsplit_once('/').ok_or("slide part outside a folder")?;
            let stem = file.strip_suffix(".xml").unwrap_or(file);
            let new_part = format!("{dir}/{stem}-confab-step{step}.xml");
            if existing.contains(&new_part) {
                return Err(format!("{new_part} already exists").into());
            }
            if let Some(rels) = &rels {
                added.push((rels_path(&new_part), rels.clone()));
            }
            added.push((new_part.clone(), xml));
            let new_rel = format!("rIdConfab{slide_no}s{step}");
            if targets.contains_key(&new_rel) {
                return Err(format!("relationship {new_rel} already exists").into());
            }
            add_child(
                &mut pres_rels,
                "Relationship",
                &[
                    ("Id", &new_rel),
                    ("Type", SLIDE_REL_TYPE),
                    ("Target", &relative_to("ppt", &new_part)),
                ],
            )?;
            add_child(
                &mut content_types,
                "Override",
                &[
                    ("PartName", &format!("/{new_part}")),
                    ("ContentType", SLIDE_CONTENT_TYPE),
                ],
            )?;
            // Slide ids live in [256, 2^31); the master ids start at 2^31.
            if next_id >= 0x8000_0000 {
                return Err("slide ids exhausted".into());
            }
            let mut copy = sld_id.clone();
            copy.set_attr("id", &next_id.to_string());
            copy.set_attr(&rel_attr, &new_rel);
            next_id += 1;
            new_sld_list.push(copy);
        }
    }
    if pages.len() > max_pages as usize {
        return Err(Failure::TooManyPages(pages.len() as u32));
    }
    if added.is_empty() {
        return Ok(Expansion::Expanded {
            pptx: pptx.to_vec(),
            pages,
            notes,
        });
    }
    let list = xml_tree::root_mut(&mut presentation)
        .and_then(|p| p.child_mut("sldIdLst"))
        .ok_or("no slide list")?;
    list.children = new_sld_list.into_iter().map(Node::Element).collect();
    replaced.insert(PRESENTATION.into(), xml_tree::write(&presentation));
    replaced.insert(PRESENTATION_RELS.into(), xml_tree::write(&pres_rels));
    replaced.insert(CONTENT_TYPES.into(), xml_tree::write(&content_types));

    let pptx = repack(&mut archive, &replaced, &added).map_err(|e| format!("zip write: {e}"))?;
    Ok(Expansion::Expanded { pptx, pages, notes })
}

fn read_part(archive: &mut zip::ZipArchive<Cursor<&[u8]>>, name: &str) -> Result<Vec<u8>, String> {
    let entry = archive.by_name(name).map_err(|e| format!("{name}: {e}"))?;
    let mut bytes = Vec::new();
    entry
        .take(MAX_PART_BYTES)
        .read_to_end(&mut bytes)
        .map_err(|e| format!("{name}: {e}"))?;
    Ok(bytes)
}

/// Copy every entry unchanged (no recompression) except `replaced`, then append `added`.
fn repack(
    archive: &mut zip::ZipArchive<Cursor<&[u8]>>,
    replaced: &HashMap<String, Vec<u8>>,
    added: &[(String, Vec<u8>)],
) -> zip::result::ZipResult<Vec<u8>> {
    let mut out = zip::ZipWriter::new(Cursor::new(Vec::new()));
    let options = SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
    for i in 0..archive.len() {
        let entry = archive.by_index_raw(i)?;
        match replaced.get(entry.name()) {
            Some(bytes) => {
                let name = entry.name().to_owned();
                drop(entry);
                out.start_file(name, options)?;
                out.write_all(bytes)?;
            }
            None => out.raw_copy_file(entry)?,
        }
    }
    for (name, bytes) in added {
        out.start_file(name.as_str(), options)?;
        out.write_all(bytes)?;
    }
    Ok(out.finish()?.into_inner())
}

/// The name of the attribute holding the relationship id (`r:id`, whatever the prefix).
fn rel_id_attr(sld_id: &Element) -> Option<String> {
    sld_id.start.attributes().flatten().find_map(|a| {
        let key = String::from_utf8_lossy(a.key.as_ref()).into_owned();
        key.ends_with(":id").then_some(key)
    })
}

/// Resolve a relationship target relative to the folder of its source part.
fn resolve(base_dir: &str, target: &str) -> String {
    if let Some(absolute) = target.strip_prefix('/') {
        return absolute.to_owned();
    }
    let mut parts: Vec<&str> = base_dir.split('/').filter(|s| !s.is_empty()).collect();
    for seg in target.split('/') {
        match seg {
            ".." => {
                parts.pop();
            }
            "." | "" => {}
            s => parts.push(s),
        }
    }
    parts.join("/")
}

fn relative_to(base_dir: &str, part: &str) -> String {
    part.strip_prefix(&format!("{base_dir}/"))
        .map(str::to_owned)
        .unwrap_or_else(|| format!("/{part}"))
}

fn rels_path(part: &str) -> String {
    match part.rsplit_once('/') {
        Some((dir, file)) => format!("{dir}/_rels/{file}.rels"),
        None => format!("_rels/{part}.rels"),
    }
}

/// The notes slide a slide's relationships point to, as a part name.
fn notes_part(slide_part: &str, rels: &[u8]) -> Option<String> {
    let nodes = xml_tree::parse(rels).ok()?;
    let target = xml_tree::root(&nodes)?
        .elements()
        .find(|r| r.attr("Type").is_some_and(|t| t.ends_with("/notesSlide")))?
        .attr("Target")?;
    let dir = slide_part.rsplit_once('/').map_or("", |(d, _)| d);
    Some(resolve(dir, &target))
}

/// The text of a notes slide (not its slide picture, number, header, footer or date), one
/// line per paragraph; `None` when there is none.
fn notes_text(xml: &[u8]) -> Option<String> {
    let nodes = xml_tree::parse(xml).ok()?;
    let root = xml_tree::root(&nodes)?;
    let mut lines = Vec::new();
    for shape in root.descendants().into_iter().filter(|e| e.is("sp")) {
        // Skip the slide picture, number, header, footer and date; keep the notes body and
        // any text box an author (or LibreOffice's export) put there.
        let furniture = shape.path(&["nvSpPr", "nvPr", "ph"]).is_some_and(|ph| {
            matches!(
                ph.attr("type").as_deref(),
                Some("sldImg" | "sldNum" | "hdr" | "ftr" | "dt")
            )
        });
        if furniture {
            continue;
        }
        for paragraph in shape.descendants().into_iter().filter(|e| e.is("p")) {
            let line: String = paragraph
                .descendants()
                .into_iter()
                .filter(|e| e.is("t"))
                .map(|t| t.text())
                .collect();
            lines.push(line);
        }
    }
    let text = lines.join("\n").trim().to_owned();
    (!text.is_empty()).then_some(text)
}

/// A slide's rels without the notes relation: a notes slide points back at exactly one slide.
fn without_notes(rels: &[u8]) -> Result<Vec<u8>, String> {
    let mut nodes = xml_tree::parse(rels)?;
    let root = xml_tree::root_mut(&mut nodes).ok_or("empty rels")?;
    root.children.retain(|n| match n {
        Node::Element(r) => !r.attr("Type").is_some_and(|t| t.ends_with("/notesSlide")),
        Node::Other(_) => true,
    });
    Ok(xml_tree::write(&nodes))
}

fn add_child(doc: &mut [Node], local: &str, attrs: &[(&str, &str)]) -> Result<(), String> {
    let root = xml_tree::root_mut(doc).ok_or("empty document")?;
    let el = Element::new(&root.prefix(), local, attrs);
    root.children.push(Node::Element(el));
    Ok(())
}

/// What is hidden at one click state of a slide.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub(crate) struct StepState {
    pub hidden_shapes: BTreeSet<u32>,
    pub hidden_paragraphs: BTreeSet<(u32, u32)>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Target {
    Shape(u32),
    Paragraph(u32, u32),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Visibility {
    Show,
    Hide,
}

/// One click group: whether it waits for a click, and the visibility changes it makes.
struct Group {
    on_click: bool,
    changes: Vec<(Target, Visibility)>,
}

/// Paragraph ranges longer than this are not a build we expand.
const MAX_PARAGRAPH_RANGE: u32 = 1000;

/// The state at each click (index 0 = before the first click), or why the timing is not
/// understood.
pub(crate) fn analyse_timing(timing: &Element) -> Result<Vec<StepState>, String> {
    let root_ctn = timing
        .path(&["tnLst", "par", "cTn"])
        .filter(|c| c.attr("nodeType").as_deref() == Some("tmRoot"))
        .ok_or("no timing root")?;
    let mut main = None;
    for child in root_ctn
        .child("childTnLst")
        .ok_or("empty timing")?
        .elements()
    {
        let kind = child.path(&["cTn"]).and_then(|c| c.attr("nodeType"));
        match (child.is("seq"), kind.as_deref()) {
            (true, Some("mainSeq")) if main.is_none() => main = Some(child),
            _ => return Err("timing beyond one main sequence (triggers, media)".into()),
        }
    }
    let groups = main
        .and_then(|m| m.path(&["cTn", "childTnLst"]))
        .ok_or("no main sequence")?
        .elements()
        .map(parse_group)
        .collect::<Result<Vec<_>, _>>()?;

    // Before its first effect, a target is the opposite of what that effect makes it.
    let mut state: HashMap<Target, Visibility> = HashMap::new();
    for group in &groups {
        for &(target, vis) in &group.changes {
            state.entry(target).or_insert(match vis {
                Visibility::Show => Visibility::Hide,
                Visibility::Hide => Visibility::Show,
            });
        }
    }
    let snapshot = |state: &HashMap<Target, Visibility>| {
        let mut s = StepState::default();
        for (target, vis) in state {
            match (target, vis) {
                (Target::Shape(id), Visibility::Hide) => {
                    s.hidden_shapes.insert(*id);
                }
                (Target::Paragraph(id, p), Visibility::Hide) => {
                    s.hidden_paragraphs.insert((*id, *p));
                }
                _ => {}
            }
        }
        s
    };
    let mut steps: Vec<StepState> = Vec::new();
    for group in &groups {
        // A click closes the state before it; an automatic group extends that state.
        if group.on_click {
            steps.push(snapshot(&state));
        }
        for &(target, vis) in &group.changes {
            state.insert(target, vis);
        }
    }
    steps.push(snapshot(&state));
    Ok(steps)
}

fn parse_group(par: &Element) -> Result<Group, String> {
    let ctn = par
        .child("cTn")
        .filter(|_| par.is("par"))
        .ok_or("odd click group")?;
    let conds: Vec<&Element> = ctn
        .child("stCondLst")
        .map(|l| l.elements().collect())
        .unwrap_or_default();
    let on_click = conds
        .iter()
        .any(|c| c.attr("delay").as_deref() == Some("indefinite"))
        && !conds
            .iter()
            .any(|c| c.attr("evt").as_deref() == Some("onBegin"));
    let mut changes = Vec::new();
    for effect in ctn.descendants() {
        if !effect.is("cTn") {
            continue;
        }
        let Some(class) = effect.attr("presetClass") else {
            continue;
        };
        let vis = match class.as_str() {
            "entr" => Visibility::Show,
            "exit" => Visibility::Hide,
            "emph" | "path" => continue,
            other => return Err(format!("effect class {other}")),
        };
        let targets: Vec<&Element> = effect
            .descendants()
            .into_iter()
            .filter(|e| e.is("tgtEl"))
            .collect();
        if targets.is_empty() {
            return Err("effect without target".into());
        }
        for tgt in targets {
            for t in parse_target(tgt)? {
                changes.push((t, vis));
            }
        }
    }
    Ok(Group { on_click, changes })
}

fn parse_target(tgt_el: &Element) -> Result<Vec<Target>, String> {
    let sp = tgt_el.child("spTgt").ok_or("target is not a shape")?;
    let spid: u32 = sp
        .attr("spid")
        .and_then(|s| s.parse().ok())
        .ok_or("shape target without id")?;
    let mut inner = sp.elements();
    match inner.next() {
        None => Ok(vec![Target::Shape(spid)]),
        Some(tx) if tx.is("txEl") && inner.next().is_none() => {
            let rg = tx
                .child("pRg")
                .ok_or("text target is not a paragraph range")?;
            let num = |name: &str| rg.attr(name).and_then(|s| s.parse::<u32>().ok());
            let (st, end) = num("st").zip(num("end")).ok_or("paragraph range")?;
            if end < st || end - st > MAX_PARAGRAPH_RANGE {
                return Err("paragraph range out of bounds".into());
            }
            Ok((st..=end).map(|p| Target::Paragraph(spid, p)).collect())
        }
        Some(_) => Err("target inside a shape that is not a paragraph range".into()),
    }
}

/// The slide as it looks at `state`, without its timing.
fn write_step(slide: &[Node], state: &StepState) -> Vec<u8> {
    let mut doc = slide.to_vec();
    if let Some(root) = xml_tree::root_mut(&mut doc) {
        root.remove_children(&["timing"]);
        if let Some(tree) = root.child_mut("cSld").and_then(|c| c.child_mut("spTree")) {
            apply_state(tree, state);
        }
    }
    xml_tree::write(&doc)
}

/// Walk the shapes of a shape tree (and of groups in it), hiding what `state` hides.
fn apply_state(tree: &mut Element, state: &StepState) {
    for shape in tree.elements_mut() {
        let Some(id) = shape_id(shape) else { continue };
        if state.hidden_shapes.contains(&id) {
            if let Some(c_nv_pr) = non_visual_props(shape) {
                c_nv_pr.set_attr("hidden", "1");
            }
            continue;
        }
        if shape.is("grpSp") {
            apply_state(shape, state);
            continue;
        }
        let Some(body) = shape.child_mut("txBody") else {
            continue;
        };
        for (index, paragraph) in body.elements_mut().filter(|e| e.is("p")).enumerate() {
            if state.hidden_paragraphs.contains(&(id, index as u32)) {
                hide_paragraph(paragraph);
            }
        }
    }
}

/// The `p:cNvPr` inside a shape's `p:nvSpPr` / `p:nvPicPr` / `p:nvGrpSpPr` / … .
fn non_visual_props(shape: &mut Element) -> Option<&mut Element> {
    shape
        .elements_mut()
        .find(|e| {
            let name = e.start.local_name();
            name.as_ref().starts_with(b"nv") && name.as_ref().ends_with(b"Pr")
        })?
        .child_mut("cNvPr")
}

fn shape_id(shape: &Element) -> Option<u32> {
    shape
        .elements()
        .find(|e| {
            let name = e.start.local_name();
            name.as_ref().starts_with(b"nv") && name.as_ref().ends_with(b"Pr")
        })?
        .child("cNvPr")?
        .attr("id")?
        .parse()
        .ok()
}

/// Make a paragraph invisible without removing it: no bullet, transparent runs.
fn hide_paragraph(paragraph: &mut Element) {
    let prefix = paragraph.prefix();
    if !paragraph.first_element_is("pPr") {
        let ppr = Element::new(&prefix, "pPr", &[]);
        paragraph.children.insert(0, Node::Element(ppr));
    }
    if let Some(ppr) = paragraph.child_mut("pPr") {
        ppr.remove_children(&["buNone", "buAutoNum", "buChar", "buBlip"]);
        // Schema order: the bullet comes before tabLst, defRPr and extLst.
        let at = ppr
            .position_of(&["tabLst", "defRPr", "extLst"])
            .unwrap_or(ppr.children.len());
        ppr.children
            .insert(at, Node::Element(Element::new(&prefix, "buNone", &[])));
    }
    for run in paragraph
        .elements_mut()
        .filter(|e| e.is("r") || e.is("fld"))
    {
        if !run.first_element_is("rPr") {
            run.children
                .insert(0, Node::Element(Element::new(&prefix, "rPr", &[])));
        }
        let Some(rpr) = run.child_mut("rPr") else {
            continue;
        };
        rpr.remove_children(&[
            "noFill",
            "solidFill",
            "gradFill",
            "blipFill",
            "pattFill",
            "grpFill",
            "highlight",
        ]);
        let mut colour = Element::new(&prefix, "srgbClr", &[("val", "000000")]);
        colour.children.push(Node::Element(Element::new(
            &prefix,
            "alpha",
            &[("val", "0")],
        )));
        let mut fill = Element::new(&prefix, "solidFill", &[]);
        fill.children.push(Node::Element(colour));
        // Schema order: the fill follows the outline (`a:ln`) and precedes everything else.
        let at = match rpr.position_of(&["ln"]) {
            Some(ln) if rpr.first_element_is("ln") => ln + 1,
            _ => 0,
        };
        rpr.children.insert(at, Node::Element(fill));
    }
}

#[cfg(test)]
mod tests;
