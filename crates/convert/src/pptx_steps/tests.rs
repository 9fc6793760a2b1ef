//! Click-step expansion on small slides built here from XML strings.

use std::io::{Cursor, Read, Write};

use super::*;

const NS: &str = r#"xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main" xmlns:p="http://schemas.openxmlformats.org/presentationml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships""#;

/// One effect: (presetClass, spid, optional paragraph index).
type Effect<'a> = (&'a str, u32, Option<u32>);

/// `p:timing` with one group per entry; a group is (starts on click?, effects).
fn timing(groups: &[(bool, &[Effect])]) -> String {
    let mut id = 3;
    let mut pars = String::new();
    for (on_click, effects) in groups {
        let cond = if *on_click {
            r#"<p:cond delay="indefinite"/>"#
        } else {
            r#"<p:cond delay="indefinite"/><p:cond evt="onBegin" delay="0"><p:tn val="2"/></p:cond>"#
        };
        let mut inner = String::new();
        for (class, spid, para) in *effects {
            let txel = para
                .map(|p| format!(r#"<p:txEl><p:pRg st="{p}" end="{p}"/></p:txEl>"#))
                .unwrap_or_default();
            inner.push_str(&format!(
                r#"<p:par><p:cTn id="{}" presetID="1" presetClass="{class}" presetSubtype="0" fill="hold" nodeType="clickEffect"><p:stCondLst><p:cond delay="0"/></p:stCondLst><p:childTnLst><p:set><p:cBhvr><p:cTn id="{}" dur="1" fill="hold"/><p:tgtEl><p:spTgt spid="{spid}">{txel}</p:spTgt></p:tgtEl><p:attrNameLst><p:attrName>style.visibility</p:attrName></p:attrNameLst></p:cBhvr><p:to><p:strVal val="visible"/></p:to></p:set></p:childTnLst></p:cTn></p:par>"#,
                id + 1,
                id + 2
            ));
            id += 2;
        }
        pars.push_str(&format!(
            r#"<p:par><p:cTn id="{id}" fill="hold"><p:stCondLst>{cond}</p:stCondLst><p:childTnLst><p:par><p:cTn id="{}" fill="hold"><p:stCondLst><p:cond delay="0"/></p:stCondLst><p:childTnLst>{inner}</p:childTnLst></p:cTn></p:par></p:childTnLst></p:cTn></p:par>"#,
            id + 100
        ));
        id += 1;
    }
    format!(
        r#"<p:timing><p:tnLst><p:par><p:cTn id="1" dur="indefinite" restart="never" nodeType="tmRoot"><p:childTnLst><p:seq concurrent="1" nextAc="seek"><p:cTn id="2" dur="indefinite" nodeType="mainSeq"><p:childTnLst>{pars}</p:childTnLst></p:cTn><p:prevCondLst><p:cond evt="onPrev" delay="0"><p:tgtEl><p:sldTgt/></p:tgtEl></p:cond></p:prevCondLst><p:nextCondLst><p:cond evt="onNext" delay="0"><p:tgtEl><p:sldTgt/></p:tgtEl></p:cond></p:nextCondLst></p:seq></p:childTnLst></p:cTn></p:par></p:tnLst></p:timing>"#
    )
}

fn bullet(text: &str) -> String {
    format!(
        r#"<a:p><a:pPr marL="216000"><a:buFont typeface="Arial"/><a:buChar char="•"/></a:pPr><a:r><a:rPr lang="en-US" sz="1800"><a:solidFill><a:srgbClr val="000000"/></a:solidFill></a:rPr><a:t>{text}</a:t></a:r></a:p>"#
    )
}

/// A slide with a title shape (id 2) and a body (id 3) of `bullets`, plus `timing`.
fn slide(bullets: &[&str], timing: &str) -> String {
    let body: String = bullets.iter().map(|b| bullet(b)).collect();
    format!(
        r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<p:sld {NS}><p:cSld><p:spTree><p:nvGrpSpPr><p:cNvPr id="1" name=""/><p:cNvGrpSpPr/><p:nvPr/></p:nvGrpSpPr><p:grpSpPr/><p:sp><p:nvSpPr><p:cNvPr id="2" name="Title"/><p:cNvSpPr/><p:nvPr/></p:nvSpPr><p:spPr/><p:txBody><a:bodyPr/><a:p><a:r><a:t>Title</a:t></a:r></a:p></p:txBody></p:sp><p:sp><p:nvSpPr><p:cNvPr id="3" name="Body"/><p:cNvSpPr/><p:nvPr/></p:nvSpPr><p:spPr/><p:txBody><a:bodyPr anchor="ctr"/>{body}</p:txBody></p:sp></p:spTree></p:cSld>{timing}</p:sld>"#
    )
}

fn analyse(slide_xml: &str) -> Result<Vec<StepState>, String> {
    let nodes = xml_tree::parse(slide_xml.as_bytes()).expect("fixture is XML");
    let timing = xml_tree::root(&nodes)
        .and_then(|r| r.child("timing"))
        .expect("fixture has timing");
    analyse_timing(timing)
}

fn hidden_paragraphs(state: &StepState) -> Vec<u32> {
    state.hidden_paragraphs.iter().map(|&(_, p)| p).collect()
}

#[test]
fn a_by_paragraph_build_of_three_bullets_has_four_states() {
    let t = timing(&[
        (true, &[("entr", 3, Some(0))]),
        (true, &[("entr", 3, Some(1))]),
        (true, &[("entr", 3, Some(2))]),
    ]);
    let steps = analyse(&slide(&["one", "two", "three"], &t)).expect("understood");
    let hidden: Vec<Vec<u32>> = steps.iter().map(hidden_paragraphs).collect();
    assert_eq!(hidden, vec![vec![0, 1, 2], vec![1, 2], vec![2], vec![]]);
    assert!(steps.iter().all(|s| s.hidden_shapes.is_empty()));
}

#[test]
fn an_exit_shows_the_target_until_its_click() {
    let t = timing(&[(true, &[("entr", 2, None)]), (true, &[("exit", 3, None)])]);
    let steps = analyse(&slide(&["x"], &t)).expect("understood");
    let shapes: Vec<Vec<u32>> = steps
        .iter()
        .map(|s| s.hidden_shapes.iter().copied().collect())
        .collect();
    assert_eq!(shapes, vec![vec![2], vec![], vec![3]]);
}

#[test]
fn an_after_previous_group_joins_the_click_before_it() {
    let t = timing(&[
        (true, &[("entr", 3, Some(0))]),
        (false, &[("entr", 3, Some(1))]),
    ]);
    let steps = analyse(&slide(&["one", "two"], &t)).expect("understood");
    let hidden: Vec<Vec<u32>> = steps.iter().map(hidden_paragraphs).collect();
    assert_eq!(hidden, vec![vec![0, 1], vec![]]);
}

#[test]
fn an_automatic_first_group_is_part_of_step_zero() {
    let t = timing(&[(false, &[("entr", 2, None)]), (true, &[("entr", 3, None)])]);
    let steps = analyse(&slide(&["x"], &t)).expect("understood");
    assert_eq!(steps.len(), 2);
    assert_eq!(steps[0].hidden_shapes.iter().collect::<Vec<_>>(), vec![&3]);
    assert!(steps[1].hidden_shapes.is_empty());
}

#[test]
fn an_emphasis_click_is_kept_as_a_step_without_change() {
    let t = timing(&[(true, &[("emph", 2, None)]), (true, &[("entr", 3, None)])]);
    let steps = analyse(&slide(&["x"], &t)).expect("understood");
    assert_eq!(steps.len(), 3);
    assert_eq!(steps[0], steps[1]);
}

#[test]
fn a_trigger_sequence_is_not_understood() {
    let t = timing(&[(true, &[("entr", 3, None)])]).replace(
        "</p:childTnLst></p:cTn></p:par></p:tnLst>",
        r#"<p:seq><p:cTn id="90" nodeType="interactiveSeq"/></p:seq></p:childTnLst></p:cTn></p:par></p:tnLst>"#,
    );
    assert!(analyse(&slide(&["x"], &t)).is_err());
}

#[test]
fn a_by_letter_build_is_not_understood() {
    let t = timing(&[(true, &[("entr", 3, Some(0))])]).replace(
        r#"<p:pRg st="0" end="0"/>"#,
        r#"<p:charRg st="0" end="4"/>"#,
    );
    assert!(analyse(&slide(&["x"], &t)).is_err());
}

#[test]
fn a_media_effect_is_not_understood() {
    let t = timing(&[(true, &[("mediacall", 3, None)])]);
    assert!(analyse(&slide(&["x"], &t)).is_err());
}

#[test]
fn a_hidden_paragraph_keeps_its_place_with_no_bullet_and_transparent_text() {
    let xml = slide(&["one", "two"], "");
    let nodes = xml_tree::parse(xml.as_bytes()).expect("xml");
    let state = StepState {
        hidden_shapes: [2].into(),
        hidden_paragraphs: [(3, 1)].into(),
    };
    let out = String::from_utf8(write_step(&nodes, &state)).expect("utf-8");
    assert_eq!(
        out.matches("<a:p>").count(),
        3,
        "no paragraph removed: {out}"
    );
    assert!(
        out.contains(r#"<p:cNvPr id="2" name="Title" hidden="1"/>"#),
        "{out}"
    );
    let second = &out[out.rfind("<a:p>").expect("a paragraph")..];
    assert!(
        second.contains(r#"<a:buFont typeface="Arial"/><a:buNone/></a:pPr>"#),
        "{second}"
    );
    assert!(!second.contains("buChar"), "{second}");
    assert!(second.contains(
        r#"<a:rPr lang="en-US" sz="1800"><a:solidFill><a:srgbClr val="000000"><a:alpha val="0"/></a:srgbClr></a:solidFill></a:rPr><a:t>two</a:t>"#
    ), "{second}");
    let first = out.split("<a:p>").nth(2).expect("the first bullet");
    assert!(
        first.contains("buChar"),
        "the shown paragraph keeps its bullet: {first}"
    );
}

#[test]
fn a_paragraph_without_properties_gets_them() {
    let xml = format!(
        r#"<p:sld {NS}><p:cSld><p:spTree><p:sp><p:nvSpPr><p:cNvPr id="3" name=""/></p:nvSpPr><p:txBody><a:p><a:r><a:t>x</a:t></a:r></a:p></p:txBody></p:sp></p:spTree></p:cSld></p:sld>"#
    );
    let nodes = xml_tree::parse(xml.as_bytes()).expect("xml");
    let state = StepState {
        hidden_paragraphs: [(3, 0)].into(),
        ..StepState::default()
    };
    let out = String::from_utf8(write_step(&nodes, &state)).expect("utf-8");
    assert!(out.contains(r#"<a:p><a:pPr><a:buNone/></a:pPr><a:r><a:rPr><a:solidFill><a:srgbClr val="000000"><a:alpha val="0"/></a:srgbClr></a:solidFill></a:rPr><a:t>x</a:t>"#), "{out}");
}

/// A package with the parts the expansion reads; slide 2 has a notes relation.
fn package(slides: &[String]) -> Vec<u8> {
    let mut zip = zip::ZipWriter::new(Cursor::new(Vec::new()));
    let opts = SimpleFileOptions::default();
    let mut put = |name: &str, body: &str| {
        zip.start_file(name, opts).expect("zip entry");
        zip.write_all(body.as_bytes()).expect("zip write");
    };
    let overrides: String = (1..=slides.len())
        .map(|i| format!(r#"<Override PartName="/ppt/slides/slide{i}.xml" ContentType="{SLIDE_CONTENT_TYPE}"/>"#))
        .collect();
    put(
        CONTENT_TYPES,
        &format!(
            r#"<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">{overrides}</Types>"#
        ),
    );
    let ids: String = (1..=slides.len())
        .map(|i| format!(r#"<p:sldId id="{}" r:id="rId{}"/>"#, 255 + i, 10 + i))
        .collect();
    put(
        PRESENTATION,
        &format!(
            r#"<?xml version="1.0"?><p:presentation {NS}><p:sldIdLst>{ids}</p:sldIdLst><p:sldSz cx="1" cy="1"/></p:presentation>"#
        ),
    );
    let rels: String = (1..=slides.len())
        .map(|i| format!(r#"<Relationship Id="rId{}" Type="{SLIDE_REL_TYPE}" Target="slides/slide{i}.xml"/>"#, 10 + i))
        .collect();
    put(
        PRESENTATION_RELS,
        &format!(
            r#"<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">{rels}</Relationships>"#
        ),
    );
    for (i, s) in slides.iter().enumerate() {
        put(&format!("ppt/slides/slide{}.xml", i + 1), s);
        put(
            &format!("ppt/slides/_rels/slide{}.xml.rels", i + 1),
            r#"<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/slideLayout" Target="../slideLayouts/slideLayout1.xml"/><Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/notesSlide" Target="../notesSlides/notesSlide1.xml"/></Relationships>"#,
        );
    }
    zip.finish().expect("zip finish").into_inner()
}

fn entry(pptx: &[u8], name: &str) -> String {
    let mut archive = zip::ZipArchive::new(Cursor::new(pptx)).expect("zip");
    let mut s = String::new();
    archive
        .by_name(name)
        .unwrap_or_else(|e| panic!("{name}: {e}"))
        .read_to_string(&mut s)
        .expect("utf-8 entry");
    s
}

fn three_slide_deck() -> Vec<u8> {
    let build = timing(&[
        (true, &[("entr", 3, Some(0))]),
        (true, &[("entr", 3, Some(1))]),
        (true, &[("entr", 3, Some(2))]),
    ]);
    package(&[
        slide(&["a"], ""),
        slide(&["one", "two", "three"], &build),
        slide(&["c"], ""),
    ])
}

#[test]
fn a_deck_with_one_build_gets_a_page_per_click_state() {
    let Expansion::Expanded { pptx, pages, .. } =
        expand_click_steps(&three_slide_deck(), 200).expect("within limits")
    else {
        panic!("expected an expansion");
    };
    let pairs: Vec<(u32, u32)> = pages.iter().map(|p| (p.slide, p.step)).collect();
    assert_eq!(pairs, vec![(1, 0), (2, 0), (2, 1), (2, 2), (2, 3), (3, 0)]);

    let presentation = entry(&pptx, PRESENTATION);
    let order: Vec<&str> = presentation
        .split("r:id=\"")
        .skip(1)
        .map(|s| &s[..s.find('"').expect("closing quote")])
        .collect();
    assert_eq!(
        order,
        [
            "rId11",
            "rId12",
            "rIdConfab2s1",
            "rIdConfab2s2",
            "rIdConfab2s3",
            "rId13"
        ]
    );
    for id in 256..=261 {
        assert!(
            presentation.contains(&format!(r#"id="{id}""#)),
            "{presentation}"
        );
    }
    let rels = entry(&pptx, PRESENTATION_RELS);
    assert!(
        rels.contains(r#"Target="slides/slide2-confab-step3.xml""#),
        "{rels}"
    );
    let types = entry(&pptx, CONTENT_TYPES);
    assert!(
        types.contains(r#"PartName="/ppt/slides/slide2-confab-step1.xml""#),
        "{types}"
    );

    let step0 = entry(&pptx, "ppt/slides/slide2.xml");
    assert!(!step0.contains("p:timing"));
    assert_eq!(step0.matches("<a:buNone/>").count(), 3);
    let step2 = entry(&pptx, "ppt/slides/slide2-confab-step2.xml");
    assert_eq!(step2.matches("<a:buNone/>").count(), 1);
    let step3 = entry(&pptx, "ppt/slides/slide2-confab-step3.xml");
    assert_eq!(step3.matches("<a:buNone/>").count(), 0);
    let copy_rels = entry(&pptx, "ppt/slides/_rels/slide2-confab-step1.xml.rels");
    assert!(copy_rels.contains("slideLayout") && !copy_rels.contains("notesSlide"));
    assert!(entry(&pptx, "ppt/slides/_rels/slide2.xml.rels").contains("notesSlide"));
    assert!(entry(&pptx, "ppt/slides/slide1.xml").contains("<a:buChar"));
}

#[test]
fn a_deck_that_would_exceed_the_page_limit_is_refused() {
    let err = expand_click_steps(&three_slide_deck(), 5).expect_err("6 pages > 5");
    assert!(
        matches!(err, ConvertError::TooManyPages { pages: 6, max: 5 }),
        "{err:?}"
    );
}

#[test]
fn a_deck_without_builds_maps_one_page_per_slide_and_is_not_rewritten() {
    let deck = package(&[slide(&["a"], ""), slide(&["b"], "")]);
    let Expansion::Expanded { pptx, pages, .. } = expand_click_steps(&deck, 200).expect("ok")
    else {
        panic!("expected an expansion");
    };
    assert_eq!(pptx, deck);
    assert_eq!(pages, vec![PageSource::page(0), PageSource::page(1)]);
}

#[test]
fn a_slide_with_a_build_we_do_not_understand_keeps_one_page() {
    let t = timing(&[(true, &[("mediacall", 3, None)])]);
    let deck = package(&[slide(&["a"], &t)]);
    let Expansion::Expanded { pages, .. } = expand_click_steps(&deck, 200).expect("ok") else {
        panic!("expected an expansion");
    };
    assert_eq!(pages, vec![PageSource::page(0)]);
}

#[test]
fn bytes_that_are_not_a_deck_are_left_unchanged() {
    let result = expand_click_steps(b"not a zip", 200).expect("not a limit error");
    assert!(matches!(result, Expansion::Unchanged { .. }), "{result:?}");
}

#[test]
fn speaker_notes_come_from_the_body_placeholder_of_each_slides_notes() {
    let deck = three_slide_deck();
    let mut zip = zip::ZipWriter::new_append(Cursor::new(deck)).expect("append");
    zip.start_file(
        "ppt/notesSlides/notesSlide1.xml",
        SimpleFileOptions::default(),
    )
    .expect("zip entry");
    let notes = format!(
        r#"<?xml version="1.0"?><p:notes {NS}><p:cSld><p:spTree>
        <p:sp><p:nvSpPr><p:cNvPr id="2" name="Slide Image"/><p:cNvSpPr/><p:nvPr><p:ph type="sldImg"/></p:nvPr></p:nvSpPr></p:sp>
        <p:sp><p:nvSpPr><p:cNvPr id="3" name="Notes"/><p:cNvSpPr/><p:nvPr><p:ph type="body" idx="1"/></p:nvPr></p:nvSpPr>
          <p:txBody><a:p><a:r><a:t>Mention the budget &amp; </a:t></a:r><a:r><a:t>timeline</a:t></a:r></a:p><a:p><a:r><a:t>Then take questions</a:t></a:r></a:p></p:txBody></p:sp>
        <p:sp><p:nvSpPr><p:cNvPr id="4" name="Number"/><p:cNvSpPr/><p:nvPr><p:ph type="sldNum" idx="2"/></p:nvPr></p:nvSpPr>
          <p:txBody><a:p><a:r><a:t>2</a:t></a:r></a:p></p:txBody></p:sp>
        </p:spTree></p:cSld></p:notes>"#
    );
    zip.write_all(notes.as_bytes()).expect("zip write");
    let deck = zip.finish().expect("zip finish").into_inner();
    let Expansion::Expanded { notes, .. } = expand_click_steps(&deck, 200).expect("within limits")
    else {
        panic!("expected an expansion");
    };
    // Every slide of the test package points at the same notes part.
    assert_eq!(notes.len(), 3);
    assert_eq!(
        notes[&2],
        "Mention the budget & timeline\nThen take questions"
    );
}
