//! Annotated export: a document's pages with their ink, as one PDF.
//!
//! Each page is a background (the page image as uploaded and converted, a blank
//! whiteboard, or a text page's rich text) with its strokes drawn on top as vector paths,
//! in the same page-normalised coordinates the browser draws them in. Pure: data in, bytes
//! out; the server gathers the images and shared documents.
//!
//! It never fails: a stroke with non-finite numbers is skipped, a page image that is not a
//! readable JPEG leaves its page blank, characters outside the standard PDF fonts'
//! encoding print as `?`. An export is a copy for the reader, and a bad stroke from one
//! client must not cost everyone their copy.

use confab_proto::shared_doc::{BlockKind, InkTool, Stroke, TextBlock, TextRun};
use pdf_writer::{
    types::{LineCapStyle, LineJoinStyle},
    Content, Filter, Finish, Name, Pdf, Rect, Ref, Str,
};

use crate::pdf::jpeg_frame;

/// Width of every exported page, in PDF points (A4 landscape); heights keep the aspect.
const PAGE_WIDTH_PT: f32 = 842.0;
/// Opacity of highlighter ink, as in the browser.
const HIGHLIGHTER_ALPHA: f32 = 0.35;
/// Margin around a text page's text, in points.
const TEXT_MARGIN_PT: f32 = 48.0;

/// One page to export.
#[derive(Clone, Debug)]
pub struct ExportPage {
    /// The page's size in any unit (only the aspect ratio counts).
    pub width: u32,
    pub height: u32,
    pub background: Background,
    pub ink: Vec<Stroke>,
}

/// What lies under the ink.
#[derive(Clone, Debug)]
pub enum Background {
    /// A converted page image.
    Jpeg(Vec<u8>),
    /// A whiteboard page.
    Blank,
    /// A text page.
    Text(Vec<TextBlock>),
}

// Resource names shared by every page.
const IMAGE: Name = Name(b"Im");
const TRANSLUCENT: Name = Name(b"Hl");
const FONTS: [(Name, &[u8]); 4] = [
    (Name(b"F0"), b"Helvetica"),
    (Name(b"F1"), b"Helvetica-Bold"),
    (Name(b"F2"), b"Helvetica-Oblique"),
    (Name(b"F3"), b"Helvetica-BoldOblique"),
];

/// Writes `pages` as one PDF.
pub fn annotated_pdf(pages: &[ExportPage]) -> Vec<u8> {
    let mut pdf = Pdf::new();
    let mut ids = (1..).map(Ref::new);
    let mut next = || ids.next().expect("refs are unbounded");
    let (catalog, tree, translucent) = (next(), next(), next());
    let fonts: Vec<Ref> = FONTS.iter().map(|_| next()).collect();
    pdf.catalog(catalog).pages(tree);
    pdf.ext_graphics(translucent)
        .stroking_alpha(HIGHLIGHTER_ALPHA)
        .non_stroking_alpha(HIGHLIGHTER_ALPHA);
    for (id, (_, base)) in fonts.iter().zip(FONTS) {
        pdf.type1_font(*id)
            .base_font(Name(base))
            .encoding_predefined(Name(b"WinAnsiEncoding"));
    }

    let mut kids = Vec::with_capacity(pages.len());
    for page in pages {
        let (id, contents) = (next(), next());
        kids.push(id);
        let w = PAGE_WIDTH_PT;
        let h = w * page.height.max(1) as f32 / page.width.max(1) as f32;
        let mut content = Content::new();
        let image = match &page.background {
            Background::Jpeg(jpeg) => jpeg_frame(jpeg).map(|frame| (next(), jpeg, frame)),
            Background::Blank | Background::Text(_) => None,
        };
        if let Some((image_id, jpeg, (px_w, px_h, components))) = image {
            let mut xobject = pdf.image_xobject(image_id, jpeg);
            xobject.filter(Filter::DctDecode);
            xobject.width(px_w as i32).height(px_h as i32);
            xobject.bits_per_component(8);
            match components {
                1 => xobject.color_space().device_gray(),
                4 => xobject.color_space().device_cmyk(),
                _ => xobject.color_space().device_rgb(),
            }
            xobject.finish();
            content.save_state();
            content.transform([w, 0.0, 0.0, h, 0.0, 0.0]);
            content.x_object(IMAGE);
            content.restore_state();
        }
        if let Background::Text(blocks) = &page.background {
            draw_text_page(&mut content, blocks, w, h);
        }
        for stroke in &page.ink {
            draw_stroke(&mut content, stroke, w, h);
        }
        pdf.stream(contents, &content.finish());

        let mut p = pdf.page(id);
        p.media_box(Rect::new(0.0, 0.0, w, h))
            .parent(tree)
            .contents(contents);
        let mut resources = p.resources();
        if let Some((image_id, ..)) = image {
            resources.x_objects().pair(IMAGE, image_id);
        }
        resources.ext_g_states().pair(TRANSLUCENT, translucent);
        let mut font_dict = resources.fonts();
        for (id, (name, _)) in fonts.iter().zip(FONTS) {
            font_dict.pair(name, *id);
        }
    }
    pdf.pages(tree).count(kids.len() as i32).kids(kids);
    pdf.finish()
}

/// Draws one stroke onto a `w`×`h` point page (PDF's origin is bottom-left, the page's
/// top-left).
fn draw_stroke(c: &mut Content, s: &Stroke, w: f32, h: f32) {
    if !s.width.is_finite() || s.points.iter().any(|v| !v.is_finite()) {
        return;
    }
    let pts: Vec<(f32, f32)> = s
        .points
        .chunks_exact(2)
        .map(|p| (p[0] as f32 * w, h - p[1] as f32 * h))
        .collect();
    let Some(&(x0, y0)) = pts.first() else {
        return;
    };
    let size = (s.width as f32 * w).clamp(0.1, w);
    let [r, g, b] = s.rgb();
    c.save_state();
    if s.tool == InkTool::Highlighter {
        c.set_parameters(TRANSLUCENT);
    }
    c.set_stroke_rgb(r, g, b).set_fill_rgb(r, g, b);
    c.set_line_width(size)
        .set_line_cap(LineCapStyle::RoundCap)
        .set_line_join(LineJoinStyle::RoundJoin);
    let (x1, y1) = pts.get(1).copied().unwrap_or((x0, y0));
    match s.tool {
        InkTool::Pen | InkTool::Highlighter => {
            c.move_to(x0, y0);
            if pts.len() == 1 {
                // A single point is a dot: a zero-length line with round caps.
                c.line_to(x0, y0);
            }
            for &(x, y) in &pts[1..] {
                c.line_to(x, y);
            }
            c.stroke();
        }
        InkTool::Line => {
            c.move_to(x0, y0).line_to(x1, y1).stroke();
        }
        InkTool::Arrow => {
            c.move_to(x0, y0).line_to(x1, y1).stroke();
            let angle = (y1 - y0).atan2(x1 - x0);
            let head = (size * 4.0).max(w * 0.015);
            for side in [-0.5f32, 0.5] {
                let a = angle + std::f32::consts::PI + side;
                c.move_to(x1, y1)
                    .line_to(x1 + head * a.cos(), y1 + head * a.sin())
                    .stroke();
            }
        }
        InkTool::Rect => {
            c.rect(x0.min(x1), y0.min(y1), (x1 - x0).abs(), (y1 - y0).abs())
                .stroke();
        }
        InkTool::Ellipse => {
            ellipse(
                c,
                (x0 + x1) / 2.0,
                (y0 + y1) / 2.0,
                (x1 - x0).abs() / 2.0,
                (y1 - y0).abs() / 2.0,
            );
            c.stroke();
        }
        InkTool::Text => {
            let text = s.text.as_deref().unwrap_or("");
            // `width` is the text's height for the text tool; the point its top-left.
            // Lines 1.25 heights apart, as the browser draws them.
            let size = size.max(2.0);
            for (i, line) in text.lines().enumerate() {
                c.begin_text()
                    .set_font(FONTS[0].0, size)
                    .next_line(x0, y0 - size - i as f32 * size * 1.25)
                    .show(Str(&win_ansi(line)))
                    .end_text();
            }
        }
    }
    c.restore_state();
}

/// An ellipse from four cubic Béziers (the standard circle approximation).
fn ellipse(c: &mut Content, cx: f32, cy: f32, rx: f32, ry: f32) {
    const K: f32 = 0.552_284_8;
    let (kx, ky) = (rx * K, ry * K);
    c.move_to(cx + rx, cy)
        .cubic_to(cx + rx, cy + ky, cx + kx, cy + ry, cx, cy + ry)
        .cubic_to(cx - kx, cy + ry, cx - rx, cy + ky, cx - rx, cy)
        .cubic_to(cx - rx, cy - ky, cx - kx, cy - ry, cx, cy - ry)
        .cubic_to(cx + kx, cy - ry, cx + rx, cy - ky, cx + rx, cy)
        .close_path();
}

/// Lays a text page's blocks out top to bottom, wrapping words at the margin; what does
/// not fit on the page is cut (as it is on screen, where the page does not scroll).
fn draw_text_page(c: &mut Content, blocks: &[TextBlock], w: f32, h: f32) {
    let mut y = h - TEXT_MARGIN_PT;
    c.set_fill_rgb(0.0, 0.0, 0.0);
    for block in blocks {
        let (size, indent, marker) = match block.kind {
            BlockKind::Heading(level) => {
                let size = [26.0, 21.0, 17.0][usize::from(level.clamp(1, 3)) - 1];
                (size, 0.0, None)
            }
            BlockKind::Paragraph => (13.0, 0.0, None),
            BlockKind::Bullet => (13.0, 18.0, Some("\u{2022}".to_owned())),
            BlockKind::Numbered(n) => (13.0, 18.0, Some(format!("{n}."))),
        };
        let leading = size * 1.35;
        let left = TEXT_MARGIN_PT + indent;
        let lines = wrap(block, size, w - TEXT_MARGIN_PT - left);
        for (i, line) in lines.iter().enumerate() {
            y -= leading;
            if y < TEXT_MARGIN_PT {
                return;
            }
            c.begin_text();
            if let (0, Some(marker)) = (i, &marker) {
                c.set_font(FONTS[0].0, size)
                    .next_line(TEXT_MARGIN_PT, y)
                    .show(Str(&win_ansi(marker)))
                    .next_line(left - TEXT_MARGIN_PT, 0.0);
            } else {
                c.next_line(left, y);
            }
            // One text object per line: the viewer advances by the fonts' real widths.
            for (font, text) in line {
                c.set_font(*font, size).show(Str(&win_ansi(text)));
            }
            c.end_text();
        }
        y -= size * 0.4;
    }
}

/// A block's words in lines of at most `width` points (estimated), each line a list of
/// (font, text) segments.
fn wrap(block: &TextBlock, size: f32, width: f32) -> Vec<Vec<(Name<'static>, String)>> {
    let heading = matches!(block.kind, BlockKind::Heading(_));
    let mut lines: Vec<Vec<(Name<'static>, String)>> = vec![Vec::new()];
    let mut x = 0.0;
    for (word, run) in words(&block.runs) {
        let font = FONTS[usize::from(run.bold || heading) + 2 * usize::from(run.italic)].0;
        let advance = text_width(word, size);
        if x > 0.0 && x + advance > width {
            lines.push(Vec::new());
            x = 0.0;
        }
        let line = lines.last_mut().expect("never empty");
        let spaced = if x > 0.0 {
            format!(" {word}")
        } else {
            word.to_owned()
        };
        match line.last_mut() {
            Some((f, text)) if *f == font => text.push_str(&spaced),
            _ => line.push((font, spaced)),
        }
        x += advance + text_width(" ", size);
    }
    lines
}

/// The words of a block with the run each belongs to.
fn words(runs: &[TextRun]) -> impl Iterator<Item = (&str, &TextRun)> {
    runs.iter()
        .flat_map(|r| r.text.split_whitespace().map(move |w| (w, r)))
}

/// Width of `text` in Helvetica at `size`: an average advance (a little generous, so a
/// line never runs past the margin), close enough to wrap lines.
fn text_width(text: &str, size: f32) -> f32 {
    text.chars().count() as f32 * size * 0.55
}

/// `text` in the standard fonts' WinAnsi encoding; what it cannot say becomes `?`.
fn win_ansi(text: &str) -> Vec<u8> {
    text.chars()
        .map(|ch| match ch {
            ' '..='~' | '\u{A0}'..='\u{FF}' => ch as u8,
            '€' => 0x80,
            '…' => 0x85,
            '‘' => 0x91,
            '’' => 0x92,
            '“' => 0x93,
            '”' => 0x94,
            '•' => 0x95,
            '–' => 0x96,
            '—' => 0x97,
            _ => b'?',
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_is_encoded_for_the_standard_fonts() {
        assert_eq!(win_ansi("Café – 5 € • ok"), b"Caf\xe9 \x96 5 \x80 \x95 ok");
        assert_eq!(win_ansi("日本\n"), b"???");
    }

    #[test]
    fn words_keep_their_run() {
        let run = |text: &str, bold| TextRun {
            text: text.into(),
            bold,
            italic: false,
        };
        let runs = [run("Hello  big", false), run(" world", true)];
        let got: Vec<_> = words(&runs).map(|(w, r)| (w, r.bold)).collect();
        assert_eq!(got, [("Hello", false), ("big", false), ("world", true)]);
    }
}
