//! Inputs generated for the conversion tests (LibreOffice makes the office files from flat XML),
//! and helpers to run a job to its end.

#![allow(dead_code)] // each test binary uses a different subset

use std::io::{Cursor, Read, Write};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use confab_convert::{ConvertError, Converter, ConverterConfig, JobEvent, Page};

/// Convert a flat ODF file with a real (unsandboxed) LibreOffice, with a throwaway profile.
pub fn libreoffice(input: &Path, to: &str, out_dir: &Path) -> PathBuf {
    let profile = tempfile::tempdir().expect("profile dir");
    let status = Command::new("soffice")
        .arg("--headless")
        .arg(format!(
            "-env:UserInstallation=file://{}",
            profile.path().display()
        ))
        .args(["--convert-to", to, "--outdir"])
        .arg(out_dir)
        .arg(input)
        .output()
        .expect("soffice runs (apt-get install libreoffice-impress libreoffice-writer)");
    let stem = input.file_stem().expect("file stem").to_string_lossy();
    let ext = to.split(':').next().expect("target format");
    let out = out_dir.join(format!("{stem}.{ext}"));
    assert!(
        out.exists(),
        "soffice made no {}: {:?}",
        out.display(),
        status
    );
    out
}

const ODP_HEAD: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<office:document xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" xmlns:draw="urn:oasis:names:tc:opendocument:xmlns:drawing:1.0" xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" xmlns:svg="urn:oasis:names:tc:opendocument:xmlns:svg-compatible:1.0" xmlns:presentation="urn:oasis:names:tc:opendocument:xmlns:presentation:1.0" office:version="1.3" office:mimetype="application/vnd.oasis.opendocument.presentation"><office:body><office:presentation>"#;

/// A deck of `slides` slides; slide `bullets_on` (1-based) has a frame of three bullets.
pub fn fodp(slides: u32, bullets_on: u32) -> String {
    let mut s = String::from(ODP_HEAD);
    for n in 1..=slides {
        let body = if n == bullets_on {
            "<text:list><text:list-item><text:p>Bullet one</text:p></text:list-item><text:list-item><text:p>Bullet two</text:p></text:list-item><text:list-item><text:p>Bullet three</text:p></text:list-item></text:list>".to_owned()
        } else {
            format!("<text:p>Slide {n}</text:p>")
        };
        s.push_str(&format!(
            r#"<draw:page draw:name="s{n}"><draw:frame svg:x="2cm" svg:y="2cm" svg:width="20cm" svg:height="10cm"><draw:text-box>{body}</draw:text-box></draw:frame></draw:page>"#
        ));
    }
    s.push_str("</office:presentation></office:body></office:document>");
    s
}

/// A text document of `pages` pages (a page break before each but the first).
pub fn fodt(pages: u32) -> String {
    let mut s = String::from(
        r#"<?xml version="1.0" encoding="UTF-8"?>
<office:document xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" xmlns:style="urn:oasis:names:tc:opendocument:xmlns:style:1.0" xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" xmlns:fo="urn:oasis:names:tc:opendocument:xmlns:xsl-fo-compatible:1.0" office:version="1.3" office:mimetype="application/vnd.oasis.opendocument.text"><office:automatic-styles><style:style style:name="Break" style:family="paragraph"><style:paragraph-properties fo:break-before="page"/></style:style></office:automatic-styles><office:body><office:text>"#,
    );
    for n in 1..=pages {
        let style = if n == 1 { "Standard" } else { "Break" };
        s.push_str(&format!(
            r#"<text:p text:style-name="{style}">Page {n} of the document</text:p>"#
        ));
    }
    s.push_str("</office:text></office:body></office:document>");
    s
}

/// Write `content` to `dir/name` and convert it with LibreOffice to `to`.
pub fn generate(dir: &Path, name: &str, content: &str, to: &str) -> PathBuf {
    let src = dir.join(name);
    std::fs::write(&src, content).expect("write flat ODF");
    libreoffice(&src, to, dir)
}

/// The by-paragraph "appear on click" timing PowerPoint writes, for paragraphs 0..count of `spid`.
pub fn click_build_timing(spid: u32, count: u32) -> String {
    let mut pars = String::new();
    for p in 0..count {
        let id = 10 + p * 4;
        pars.push_str(&format!(
            r#"<p:par><p:cTn id="{id}" fill="hold"><p:stCondLst><p:cond delay="indefinite"/></p:stCondLst><p:childTnLst><p:par><p:cTn id="{}" fill="hold"><p:stCondLst><p:cond delay="0"/></p:stCondLst><p:childTnLst><p:par><p:cTn id="{}" presetID="1" presetClass="entr" presetSubtype="0" fill="hold" grpId="0" nodeType="clickEffect"><p:stCondLst><p:cond delay="0"/></p:stCondLst><p:childTnLst><p:set><p:cBhvr><p:cTn id="{}" dur="1" fill="hold"><p:stCondLst><p:cond delay="0"/></p:stCondLst></p:cTn><p:tgtEl><p:spTgt spid="{spid}"><p:txEl><p:pRg st="{p}" end="{p}"/></p:txEl></p:spTgt></p:tgtEl><p:attrNameLst><p:attrName>style.visibility</p:attrName></p:attrNameLst></p:cBhvr><p:to><p:strVal val="visible"/></p:to></p:set></p:childTnLst></p:cTn></p:par></p:childTnLst></p:cTn></p:par></p:childTnLst></p:cTn></p:par>"#,
            id + 1,
            id + 2,
            id + 3
        ));
    }
    format!(
        r#"<p:timing><p:tnLst><p:par><p:cTn id="1" dur="indefinite" restart="never" nodeType="tmRoot"><p:childTnLst><p:seq concurrent="1" nextAc="seek"><p:cTn id="2" dur="indefinite" nodeType="mainSeq"><p:childTnLst>{pars}</p:childTnLst></p:cTn><p:prevCondLst><p:cond evt="onPrev" delay="0"><p:tgtEl><p:sldTgt/></p:tgtEl></p:cond></p:prevCondLst><p:nextCondLst><p:cond evt="onNext" delay="0"><p:tgtEl><p:sldTgt/></p:tgtEl></p:cond></p:nextCondLst></p:seq></p:childTnLst></p:cTn></p:par></p:tnLst><p:bldLst><p:bldP spid="{spid}" grpId="0" build="p"/></p:bldLst></p:timing>"#
    )
}

/// Add a three-click build to the bullet frame of `slide` (1-based) of a LibreOffice-made pptx.
pub fn inject_click_build(pptx: &Path, slide: u32) {
    let bytes = std::fs::read(pptx).expect("read pptx");
    let mut archive = zip::ZipArchive::new(Cursor::new(&bytes)).expect("pptx is a zip");
    let part = format!("ppt/slides/slide{slide}.xml");
    let mut xml = String::new();
    archive
        .by_name(&part)
        .expect("slide part")
        .read_to_string(&mut xml)
        .expect("slide XML");
    // The frame is the last shape; its id is on its p:cNvPr.
    let at = xml.rfind("<p:cNvPr id=\"").expect("a shape") + "<p:cNvPr id=\"".len();
    let spid: u32 = xml[at..at + xml[at..].find('"').expect("id end")]
        .parse()
        .expect("numeric id");
    let xml = xml.replace(
        "</p:sld>",
        &format!("{}</p:sld>", click_build_timing(spid, 3)),
    );

    let mut out = zip::ZipWriter::new(Cursor::new(Vec::new()));
    let opts = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    for i in 0..archive.len() {
        let mut entry = archive.by_index(i).expect("entry");
        let name = entry.name().to_owned();
        let mut body = Vec::new();
        entry.read_to_end(&mut body).expect("entry body");
        out.start_file(name.as_str(), opts).expect("start");
        if name == part {
            out.write_all(xml.as_bytes()).expect("write");
        } else {
            out.write_all(&body).expect("write");
        }
    }
    let bytes = out.finish().expect("finish").into_inner();
    std::fs::write(pptx, bytes).expect("write pptx");
}

/// What a job ended with.
pub struct Outcome {
    pub pages: Vec<Page>,
    pub result: Result<u32, ConvertError>,
    pub saw_rendering: Option<u32>,
}

/// Drive a job to its end (bounded: a hung test fails instead of hanging CI).
pub async fn run_job(
    converter: &Converter,
    input: &Path,
    name: &str,
) -> Result<Outcome, ConvertError> {
    let mut job = converter.submit(input, name).await?;
    let mut outcome = Outcome {
        pages: Vec::new(),
        result: Err(ConvertError::Stopped),
        saw_rendering: None,
    };
    let deadline = tokio::time::Instant::now() + Duration::from_secs(180);
    while let Ok(Some(event)) = tokio::time::timeout_at(deadline, job.next()).await {
        match event {
            JobEvent::Rendering { pages } => outcome.saw_rendering = Some(pages),
            JobEvent::PageReady(page) => outcome.pages.push(page),
            JobEvent::Done { pages } => outcome.result = Ok(pages),
            JobEvent::Failed(e) => outcome.result = Err(e),
            JobEvent::Queued | JobEvent::Converting => {}
        }
    }
    Ok(outcome)
}

/// A converter working in a fresh directory under `root`.
pub fn converter(root: &Path, configure: impl FnOnce(&mut ConverterConfig)) -> Converter {
    let mut config = ConverterConfig::new(root.join("work"));
    configure(&mut config);
    Converter::start(config).expect("converter starts")
}

/// Entries left in the work root.
pub fn leftovers(root: &Path) -> Vec<String> {
    std::fs::read_dir(root.join("work"))
        .map(|d| {
            d.flatten()
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .collect()
        })
        .unwrap_or_default()
}

/// Processes whose command line contains `needle` (to prove a killed job left nothing running).
pub fn processes_with(needle: &str) -> usize {
    std::fs::read_dir("/proc")
        .map(|d| {
            d.flatten()
                .filter_map(|e| std::fs::read(e.path().join("cmdline")).ok())
                .filter(|c| {
                    String::from_utf8_lossy(c)
                        .replace('\0', " ")
                        .contains(needle)
                })
                .count()
        })
        .unwrap_or(0)
}
