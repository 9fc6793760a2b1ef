//! Real conversions: LibreOffice and poppler in the sandbox, on inputs generated here.

mod common;

use std::time::Duration;

use common::*;
use confab_convert::{jpeg_dimensions, ConvertError, Stage};

#[tokio::test]
async fn a_deck_with_a_three_click_build_becomes_a_page_per_step() {
    let tmp = tempfile::tempdir().expect("tmp");
    let pptx = generate(tmp.path(), "deck.fodp", &fodp(3, 2), "pptx");
    inject_click_build(&pptx, 2);
    let converter = converter(tmp.path(), |_| {});

    let outcome = run_job(&converter, &pptx, "Deck.pptx")
        .await
        .expect("accepted");
    assert_eq!(
        outcome.result.as_ref().ok(),
        Some(&6),
        "{:?}",
        outcome.result
    );
    assert_eq!(outcome.saw_rendering, Some(6));
    let steps: Vec<(u32, u32)> = outcome
        .pages
        .iter()
        .map(|p| (p.source.slide, p.source.step))
        .collect();
    assert_eq!(steps, [(1, 0), (2, 0), (2, 1), (2, 2), (2, 3), (3, 0)]);
    for (i, page) in outcome.pages.iter().enumerate() {
        assert_eq!(page.index, i as u32);
        assert_eq!(jpeg_dimensions(&page.large.jpeg).map(|d| d.0), Some(1920));
        assert_eq!(jpeg_dimensions(&page.medium.jpeg).map(|d| d.0), Some(960));
        assert_eq!(
            jpeg_dimensions(&page.thumbnail.jpeg).map(|d| d.0),
            Some(320)
        );
        assert_eq!(
            jpeg_dimensions(&page.large.jpeg),
            Some((page.large.width, page.large.height))
        );
    }
    // Text reveals what each step shows: hidden bullets are in the page but not printed.
    let text = |i: usize| outcome.pages[i].text.as_str();
    assert!(!text(1).contains("Bullet one"), "step 0: {:?}", text(1));
    assert!(
        text(2).contains("Bullet one") && !text(2).contains("Bullet two"),
        "{:?}",
        text(2)
    );
    assert!(
        text(3).contains("Bullet two") && !text(3).contains("Bullet three"),
        "{:?}",
        text(3)
    );
    assert!(text(4).contains("Bullet three"), "{:?}", text(4));
    assert!(text(5).contains("Slide 3"), "{:?}", text(5));
    assert!(
        leftovers(tmp.path()).is_empty(),
        "{:?}",
        leftovers(tmp.path())
    );
}

#[tokio::test]
async fn a_docx_and_a_pdf_yield_their_page_counts() {
    let tmp = tempfile::tempdir().expect("tmp");
    let docx = generate(tmp.path(), "letter.fodt", &fodt(3), "docx");
    let pdf = generate(tmp.path(), "report.fodt", &fodt(5), "pdf");
    let converter = converter(tmp.path(), |_| {});

    let outcome = run_job(&converter, &docx, "letter.docx")
        .await
        .expect("accepted");
    assert_eq!(
        outcome.result.as_ref().ok(),
        Some(&3),
        "{:?}",
        outcome.result
    );
    assert!(outcome.pages[2].text.contains("Page 3 of the document"));
    // A portrait page is as tall as its width says.
    assert!(outcome.pages[0].large.height > outcome.pages[0].large.width);

    let outcome = run_job(&converter, &pdf, "report.pdf")
        .await
        .expect("accepted");
    assert_eq!(
        outcome.result.as_ref().ok(),
        Some(&5),
        "{:?}",
        outcome.result
    );
    assert_eq!(outcome.pages.len(), 5);
    assert_eq!(outcome.pages[4].source.slide, 5);
    assert!(leftovers(tmp.path()).is_empty());
}

#[tokio::test]
async fn plain_text_and_an_image_become_pages() {
    let tmp = tempfile::tempdir().expect("tmp");
    let txt = tmp.path().join("notes");
    std::fs::write(&txt, "Agenda\nÉtape deux\n").expect("write text");
    let converter = converter(tmp.path(), |_| {});
    let outcome = run_job(&converter, &txt, "notes.txt")
        .await
        .expect("accepted");
    assert_eq!(
        outcome.result.as_ref().ok(),
        Some(&1),
        "{:?}",
        outcome.result
    );
    assert!(outcome.pages[0].text.contains("Étape deux"));

    // A PNG rendered by poppler from a generated PDF.
    let pdf = generate(tmp.path(), "one.fodt", &fodt(1), "pdf");
    let status = std::process::Command::new("pdftocairo")
        .args(["-png", "-singlefile", "-scale-to", "200"])
        .arg(&pdf)
        .arg(tmp.path().join("picture"))
        .status()
        .expect("pdftocairo runs");
    assert!(status.success());
    let outcome = run_job(&converter, &tmp.path().join("picture.png"), "photo.PNG")
        .await
        .expect("accepted");
    assert_eq!(
        outcome.result.as_ref().ok(),
        Some(&1),
        "{:?}",
        outcome.result
    );
    assert_eq!(outcome.pages[0].large.width, 1920);
    assert!(leftovers(tmp.path()).is_empty());
}

#[tokio::test]
async fn a_truncated_file_is_refused_at_once() {
    let tmp = tempfile::tempdir().expect("tmp");
    let docx = generate(tmp.path(), "letter.fodt", &fodt(2), "docx");
    let bytes = std::fs::read(&docx).expect("read");
    let cut = tmp.path().join("cut.docx");
    std::fs::write(&cut, &bytes[..bytes.len() / 2]).expect("write");
    let converter = converter(tmp.path(), |_| {});
    let err = converter
        .submit(&cut, "cut.docx")
        .await
        .expect_err("corrupt");
    assert!(matches!(err, ConvertError::Corrupt { .. }), "{err:?}");
    assert!(leftovers(tmp.path()).is_empty());
}

#[tokio::test]
async fn a_damaged_document_inside_a_valid_container_fails_as_corrupt() {
    let tmp = tempfile::tempdir().expect("tmp");
    let docx = tmp.path().join("bad.docx");
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let opts = zip::write::SimpleFileOptions::default();
    for (name, body) in [
        ("[Content_Types].xml", "not xml at all"),
        ("word/document.xml", "<w:document"),
    ] {
        zip.start_file(name, opts).expect("entry");
        std::io::Write::write_all(&mut zip, body.as_bytes()).expect("write");
    }
    std::fs::write(&docx, zip.finish().expect("zip").into_inner()).expect("write");
    let converter = converter(tmp.path(), |_| {});
    let outcome = run_job(&converter, &docx, "bad.docx")
        .await
        .expect("accepted");
    assert!(
        matches!(outcome.result, Err(ConvertError::Corrupt { .. })),
        "{:?}",
        outcome.result
    );
    assert!(leftovers(tmp.path()).is_empty());
}

#[tokio::test]
async fn random_bytes_named_pptx_are_refused_without_running_libreoffice() {
    let tmp = tempfile::tempdir().expect("tmp");
    let noise = tmp.path().join("noise");
    let bytes: Vec<u8> = (0..100_000u32)
        .map(|i| (i.wrapping_mul(2_654_435_761) >> 11) as u8)
        .collect();
    std::fs::write(&noise, bytes).expect("write");
    let converter = converter(tmp.path(), |c| {
        // Were LibreOffice started, this would show: the test would hang instead of failing fast.
        c.tools.soffice = vec!["/bin/sh".into(), "-c".into(), "sleep 600".into()];
    });
    let err = converter
        .submit(&noise, "deck.pptx")
        .await
        .expect_err("refused");
    assert!(
        matches!(
            err,
            ConvertError::Corrupt { .. } | ConvertError::ExtensionMismatch { .. }
        ),
        "{err:?}"
    );
}

#[tokio::test]
async fn a_zip_bomb_is_refused_without_unpacking() {
    let tmp = tempfile::tempdir().expect("tmp");
    let bomb = tmp.path().join("bomb");
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let opts = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated)
        .large_file(true);
    zip.start_file("[Content_Types].xml", opts).expect("entry");
    zip.start_file("ppt/presentation.xml", opts).expect("entry");
    let chunk = vec![b' '; 1 << 20];
    for _ in 0..600 {
        std::io::Write::write_all(&mut zip, &chunk).expect("write");
    }
    std::fs::write(&bomb, zip.finish().expect("zip").into_inner()).expect("write");
    assert!(std::fs::metadata(&bomb).expect("meta").len() < 2_000_000);
    let converter = converter(tmp.path(), |_| {});
    let err = converter
        .submit(&bomb, "deck.pptx")
        .await
        .expect_err("bomb");
    assert!(matches!(err, ConvertError::ZipBomb { .. }), "{err:?}");
    assert!(leftovers(tmp.path()).is_empty());
}

#[tokio::test]
async fn a_pdf_over_the_page_limit_is_refused_before_rendering() {
    let tmp = tempfile::tempdir().expect("tmp");
    let pdf = generate(tmp.path(), "long.fodt", &fodt(5), "pdf");
    let converter = converter(tmp.path(), |c| c.limits.max_pages = 4);
    let outcome = run_job(&converter, &pdf, "long.pdf")
        .await
        .expect("accepted");
    assert!(
        matches!(
            outcome.result,
            Err(ConvertError::TooManyPages { pages: 5, max: 4 })
        ),
        "{:?}",
        outcome.result
    );
    assert!(outcome.pages.is_empty());
    assert!(leftovers(tmp.path()).is_empty());
}

#[tokio::test]
async fn an_upload_over_the_size_limit_is_refused() {
    let tmp = tempfile::tempdir().expect("tmp");
    let pdf = generate(tmp.path(), "small.fodt", &fodt(1), "pdf");
    let converter = converter(tmp.path(), |c| c.limits.max_file_bytes = 100);
    let err = converter
        .submit(&pdf, "small.pdf")
        .await
        .expect_err("too large");
    assert!(
        matches!(err, ConvertError::TooLarge { max: 100, .. }),
        "{err:?}"
    );
}

/// A "LibreOffice" that never finishes; the marker makes its processes findable.
fn hanging_office(marker: &str) -> Vec<String> {
    vec![
        "/bin/sh".into(),
        "-c".into(),
        format!("sleep 600 # {marker}"),
    ]
}

#[tokio::test]
async fn a_hanging_conversion_times_out_and_leaves_nothing_behind() {
    let tmp = tempfile::tempdir().expect("tmp");
    let docx = generate(tmp.path(), "letter.fodt", &fodt(1), "docx");
    let marker = "confab-test-hang-timeout";
    let converter = converter(tmp.path(), |c| {
        c.tools.soffice = hanging_office(marker);
        c.limits.office_timeout = Duration::from_secs(2);
    });
    let outcome = run_job(&converter, &docx, "letter.docx")
        .await
        .expect("accepted");
    assert!(
        matches!(
            outcome.result,
            Err(ConvertError::TimedOut {
                stage: Stage::Office,
                ..
            })
        ),
        "{:?}",
        outcome.result
    );
    assert!(
        leftovers(tmp.path()).is_empty(),
        "{:?}",
        leftovers(tmp.path())
    );
    wait_until(|| processes_with(marker) == 0).await;
}

#[tokio::test]
async fn the_queue_carries_on_after_a_failed_job_and_cancelling_cleans_up() {
    let tmp = tempfile::tempdir().expect("tmp");
    let pdf = generate(tmp.path(), "doc.fodt", &fodt(2), "pdf");
    let docx = generate(tmp.path(), "letter.fodt", &fodt(1), "docx");
    let marker = "confab-test-hang-cancel";
    let converter = converter(tmp.path(), |c| {
        c.tools.soffice = hanging_office(marker);
        c.limits.concurrency = 1;
    });
    // The hanging job holds the only slot; the PDF waits behind it.
    let hanging = converter
        .submit(&docx, "letter.docx")
        .await
        .expect("accepted");
    let waiting = tokio::spawn({
        let converter = converter.clone();
        async move { run_job(&converter, &pdf, "doc.pdf").await }
    });
    wait_until(|| processes_with(marker) > 0).await;
    drop(hanging);
    let outcome = waiting.await.expect("task").expect("accepted");
    assert_eq!(
        outcome.result.as_ref().ok(),
        Some(&2),
        "{:?}",
        outcome.result
    );
    wait_until(|| processes_with(marker) == 0).await;
    wait_until(|| leftovers(tmp.path()).is_empty()).await;
}

/// Poll (up to 20 s) until `cond` holds; no fixed sleeps.
async fn wait_until(cond: impl Fn() -> bool) {
    for _ in 0..400 {
        if cond() {
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("condition not reached in 20 s");
}

/// Speaker notes written in LibreOffice survive its PowerPoint export and come back with
/// the slide's pages, and only there.
#[tokio::test]
async fn speaker_notes_arrive_with_the_pages_of_their_slide() {
    let tmp = tempfile::tempdir().expect("tmp");
    let notes = r#"<presentation:notes><draw:frame presentation:class="notes" svg:x="2cm" svg:y="14cm" svg:width="17cm" svg:height="10cm"><draw:text-box><text:p>Mention the budget</text:p><text:p>Then take questions</text:p></draw:text-box></draw:frame></presentation:notes>"#;
    let deck = fodp(2, 0).replacen(
        r#"<draw:page draw:name="s2">"#,
        &format!(r#"<draw:page draw:name="s2">{notes}"#),
        1,
    );
    // Notes belong after the slide's shapes in ODF; LibreOffice accepts either order.
    let pptx = generate(tmp.path(), "notes.fodp", &deck, "pptx");
    let converter = converter(tmp.path(), |_| {});
    let outcome = run_job(&converter, &pptx, "Notes.pptx")
        .await
        .expect("accepted");
    assert_eq!(
        outcome.result.as_ref().ok(),
        Some(&2),
        "{:?}",
        outcome.result
    );
    assert_eq!(outcome.pages[0].notes, None);
    assert_eq!(
        outcome.pages[1].notes.as_deref(),
        Some("Mention the budget\nThen take questions")
    );
}
