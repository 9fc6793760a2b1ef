//! Conversion benchmark: a generated 30-slide pptx and a 100-page PDF through the whole
//! pipeline (sandbox, LibreOffice, poppler), timing total, per page, and first page ready.
//!
//! `cargo run -p confab-convert --bin convert-bench -- [runs]` (the time is spent in LibreOffice
//! and poppler, so a debug build measures the same).

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use confab_convert::{Converter, ConverterConfig, JobEvent};

const ODP_HEAD: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<office:document xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" xmlns:draw="urn:oasis:names:tc:opendocument:xmlns:drawing:1.0" xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" xmlns:svg="urn:oasis:names:tc:opendocument:xmlns:svg-compatible:1.0" xmlns:presentation="urn:oasis:names:tc:opendocument:xmlns:presentation:1.0" office:version="1.3" office:mimetype="application/vnd.oasis.opendocument.presentation"><office:body><office:presentation>"#;

fn deck(slides: u32) -> String {
    let mut s = String::from(ODP_HEAD);
    for n in 1..=slides {
        s.push_str(&format!(
            r#"<draw:page draw:name="s{n}"><draw:frame svg:x="1cm" svg:y="1cm" svg:width="24cm" svg:height="2.5cm"><draw:text-box><text:p>Slide {n}: quarterly results</text:p></draw:text-box></draw:frame><draw:frame svg:x="1cm" svg:y="4cm" svg:width="24cm" svg:height="10cm"><draw:text-box><text:list><text:list-item><text:p>Revenue grew in every region this quarter</text:p></text:list-item><text:list-item><text:p>Costs stayed flat while headcount rose</text:p></text:list-item><text:list-item><text:p>Next steps: hire, ship, and measure again</text:p></text:list-item></text:list></draw:text-box></draw:frame><draw:custom-shape svg:x="18cm" svg:y="10cm" svg:width="5cm" svg:height="3cm"><draw:enhanced-geometry draw:type="ellipse"/></draw:custom-shape></draw:page>"#
        ));
    }
    s.push_str("</office:presentation></office:body></office:document>");
    s
}

fn text_document(pages: u32) -> String {
    let mut s = String::from(
        r#"<?xml version="1.0" encoding="UTF-8"?>
<office:document xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" xmlns:style="urn:oasis:names:tc:opendocument:xmlns:style:1.0" xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" xmlns:fo="urn:oasis:names:tc:opendocument:xmlns:xsl-fo-compatible:1.0" office:version="1.3" office:mimetype="application/vnd.oasis.opendocument.text"><office:automatic-styles><style:style style:name="Break" style:family="paragraph"><style:paragraph-properties fo:break-before="page"/></style:style></office:automatic-styles><office:body><office:text>"#,
    );
    let para = "The quick brown fox jumps over the lazy dog. ".repeat(12);
    for n in 1..=pages {
        let style = if n == 1 { "Standard" } else { "Break" };
        s.push_str(&format!(
            r#"<text:h text:style-name="{style}">Chapter {n}</text:h>"#
        ));
        for _ in 0..6 {
            s.push_str(&format!("<text:p>{para}</text:p>"));
        }
    }
    s.push_str("</office:text></office:body></office:document>");
    s
}

fn libreoffice(dir: &Path, name: &str, content: &str, to: &str) -> PathBuf {
    let src = dir.join(name);
    std::fs::write(&src, content).expect("write flat ODF");
    let profile = dir.join("generator-profile");
    let status = Command::new("soffice")
        .arg("--headless")
        .arg(format!(
            "-env:UserInstallation=file://{}",
            profile.display()
        ))
        .args(["--convert-to", to, "--outdir"])
        .arg(dir)
        .arg(&src)
        .output()
        .expect("soffice runs");
    let out = src.with_extension(to);
    assert!(out.exists(), "no {}: {status:?}", out.display());
    out
}

struct Run {
    pages: u32,
    total: Duration,
    first_page: Duration,
    office: Duration,
    render: Duration,
}

async fn convert(converter: &Converter, input: &Path, name: &str) -> Run {
    let start = Instant::now();
    let mut job = converter.submit(input, name).await.expect("accepted");
    let (mut first_page, mut rendering_at) = (None, None);
    let mut converting_at = start;
    while let Some(event) = job.next().await {
        match event {
            JobEvent::Converting => converting_at = Instant::now(),
            JobEvent::Rendering { .. } => rendering_at = Some(Instant::now()),
            JobEvent::PageReady(_) => {
                first_page.get_or_insert_with(|| start.elapsed());
            }
            JobEvent::Done { pages } => {
                let rendering_at = rendering_at.unwrap_or(converting_at);
                return Run {
                    pages,
                    total: start.elapsed(),
                    first_page: first_page.unwrap_or_default(),
                    office: rendering_at - converting_at,
                    render: rendering_at.elapsed(),
                };
            }
            JobEvent::Failed(e) => panic!("{name}: {e}"),
            JobEvent::Queued => {}
        }
    }
    panic!("{name}: job ended without an outcome");
}

#[tokio::main]
async fn main() {
    let runs: usize = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(3);
    let tmp = tempfile::tempdir().expect("tmp");
    eprintln!("generating inputs with LibreOffice…");
    let pptx = libreoffice(tmp.path(), "deck.fodp", &deck(30), "pptx");
    let pdf = libreoffice(tmp.path(), "book.fodt", &text_document(100), "pdf");
    let converter =
        Converter::start(ConverterConfig::new(tmp.path().join("work"))).expect("converter starts");
    println!("memory limit: {:?}", converter.memory_limit());
    println!("| input | run | pages | total | per page | first page | office → PDF | render |");
    println!("| --- | --- | --- | --- | --- | --- | --- | --- |");
    for (input, name) in [(&pptx, "deck-30-slides.pptx"), (&pdf, "book-100-pages.pdf")] {
        for run in 1..=runs {
            let r = convert(&converter, input, name).await;
            println!(
                "| {name} | {run} | {} | {:.2} s | {:.3} s | {:.2} s | {:.2} s | {:.2} s |",
                r.pages,
                r.total.as_secs_f64(),
                r.total.as_secs_f64() / f64::from(r.pages),
                r.first_page.as_secs_f64(),
                r.office.as_secs_f64(),
                r.render.as_secs_f64(),
            );
        }
    }
}
