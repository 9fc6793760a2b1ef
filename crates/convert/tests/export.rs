//! The annotated export, read back by poppler: pages, text, and ink where it was drawn.

use std::{path::Path, process::Command};

use confab_convert::export::{annotated_pdf, Background, ExportPage};
use confab_proto::shared_doc::{BlockKind, InkTool, Stroke, TextBlock, TextRun};

fn stroke(tool: InkTool, color: &str, points: &[f64]) -> Stroke {
    Stroke {
        id: format!("{tool:?}"),
        tool,
        color: color.into(),
        width: 0.01,
        points: points.to_vec(),
        text: None,
        author: "p".into(),
    }
}

fn blue_jpeg() -> Vec<u8> {
    let img = image::RgbImage::from_pixel(320, 180, image::Rgb([20, 40, 220]));
    let mut out = std::io::Cursor::new(Vec::new());
    img.write_to(&mut out, image::ImageFormat::Jpeg).unwrap();
    out.into_inner()
}

fn run(tool: &str, args: &[&str]) -> String {
    let out = Command::new(tool).args(args).output().expect(tool);
    assert!(
        out.status.success(),
        "{tool}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// Page `page` (1-based) rendered at 36 dpi.
fn render(pdf: &Path, page: u32) -> image::RgbImage {
    let prefix = pdf.with_extension("");
    let n = page.to_string();
    let prefix_str = prefix.to_str().unwrap();
    run(
        "pdftoppm",
        &[
            "-r",
            "36",
            "-f",
            &n,
            "-l",
            &n,
            "-png",
            "-singlefile",
            pdf.to_str().unwrap(),
            prefix_str,
        ],
    );
    image::open(prefix.with_extension("png")).unwrap().to_rgb8()
}

/// The pixel at page-normalised `(x, y)`.
fn at(img: &image::RgbImage, x: f64, y: f64) -> [u8; 3] {
    let px = ((img.width() - 1) as f64 * x) as u32;
    let py = ((img.height() - 1) as f64 * y) as u32;
    img.get_pixel(px, py).0
}

#[test]
fn pages_text_and_ink_come_out_where_they_were_drawn() {
    let mut label = stroke(InkTool::Text, "#000000", &[0.1, 0.8]);
    label.text = Some("Ship it\nnext week".into());
    label.width = 0.03;
    let whiteboard = ExportPage {
        width: 1600,
        height: 900,
        background: Background::Blank,
        ink: vec![
            stroke(InkTool::Pen, "#ff0000", &[0.1, 0.5, 0.5, 0.5, 0.9, 0.5]),
            stroke(InkTool::Highlighter, "#ffff00", &[0.1, 0.2, 0.9, 0.2]),
            stroke(InkTool::Line, "#00ff00", &[0.1, 0.1, 0.2, 0.3]),
            stroke(InkTool::Arrow, "#0000ff", &[0.3, 0.3, 0.4, 0.4]),
            stroke(InkTool::Rect, "#000000", &[0.6, 0.6, 0.8, 0.9]),
            stroke(InkTool::Ellipse, "#000000", &[0.2, 0.6, 0.4, 0.9]),
            label,
            // What a buggy or hostile client might write: skipped or drawn harmlessly.
            stroke(InkTool::Pen, "not a colour", &[f64::NAN, 0.5, 0.6, 0.6]),
            stroke(InkTool::Line, "#ff0000", &[]),
            stroke(InkTool::Pen, "#ff0000", &[0.5, 0.5, 0.7]),
        ],
    };
    let run = |text: &str| TextRun {
        text: text.into(),
        bold: false,
        italic: false,
    };
    let text_page = ExportPage {
        width: 1600,
        height: 900,
        background: Background::Text(vec![
            TextBlock {
                kind: BlockKind::Heading(1),
                runs: vec![run("Agenda")],
            },
            TextBlock {
                kind: BlockKind::Bullet,
                runs: vec![run("First point, "), run("café")],
            },
            TextBlock {
                kind: BlockKind::Numbered(2),
                runs: vec![run(&"long words wrap ".repeat(20))],
            },
        ]),
        ink: vec![],
    };
    let slide = ExportPage {
        width: 1920,
        height: 1080,
        background: Background::Jpeg(blue_jpeg()),
        ink: vec![stroke(InkTool::Pen, "#ff0000", &[0.0, 0.9, 1.0, 0.9])],
    };
    let broken_image = ExportPage {
        width: 4,
        height: 3,
        background: Background::Jpeg(b"not a jpeg".to_vec()),
        ink: vec![],
    };
    let bytes = annotated_pdf(&[slide, whiteboard, text_page, broken_image]);

    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("export.pdf");
    std::fs::write(&path, &bytes).unwrap();
    let info = run_tool("pdfinfo", &path);
    assert!(
        info.lines()
            .any(|l| l.split_whitespace().eq(["Pages:", "4"])),
        "{info}"
    );
    let text = run_tool("pdftotext", &path);
    for want in [
        "Agenda",
        "First point",
        "café",
        "Ship it",
        "next week",
        "2.",
    ] {
        assert!(text.contains(want), "{want:?} missing from {text:?}");
    }
    assert!(
        !text.contains("it?next"),
        "a line break is a new line, not a '?'"
    );

    let slide = render(&path, 1);
    let [r, g, b] = at(&slide, 0.5, 0.3);
    assert!(
        b > 180 && r < 80 && g < 100,
        "the page image shows: {:?}",
        [r, g, b]
    );
    let [r, g, b] = at(&slide, 0.5, 0.9);
    assert!(
        r > 180 && g < 80 && b < 80,
        "ink on the image: {:?}",
        [r, g, b]
    );

    let board = render(&path, 2);
    let [r, g, b] = at(&board, 0.7, 0.5);
    assert!(
        r > 180 && g < 80 && b < 80,
        "the red pen stroke: {:?}",
        [r, g, b]
    );
    let [r, g, b] = at(&board, 0.5, 0.2);
    assert!(
        r > 200 && g > 200 && b < 200,
        "translucent yellow highlighter: {:?}",
        [r, g, b]
    );
    assert_eq!(at(&board, 0.95, 0.05), [255, 255, 255], "blank elsewhere");
}

fn run_tool(tool: &str, pdf: &Path) -> String {
    let mut args = vec![pdf.to_str().unwrap()];
    if tool == "pdftotext" {
        args.push("-");
    }
    run(tool, &args)
}
