//! poppler: a PDF → its page count, then per page three JPEGs and the page's text, in order.
//!
//! For: `pdfinfo` (page count, encryption) and one sandboxed render loop that reports each page
//! as soon as its images exist, so the first page can be shown while later ones render.
//! Not for: deciding where a page comes from (the job passes the [`PageSource`] map in).
//!
//! Why this shape (FACTS.md timings): JPEG at 1920 px is about 10× faster than PNG; starting a
//! sandbox costs about 0.1 s, so the whole loop runs in *one* sandbox (a small shell script
//! that prints `page N` after each page) instead of one per tool call; `pdftotext` on the whole
//! file is cheap, so it runs once before the first page and is split at form feeds.

use std::path::PathBuf;
use std::time::Duration;

use crate::pptx_steps::PageSource;
use crate::sandbox::{Running, Sandbox, JOB_MOUNT};
use crate::{ConvertError, Limits, Stage};

/// One rendered image of a page.
#[derive(Debug, Clone)]
pub struct PageImage {
    pub width: u32,
    pub height: u32,
    pub jpeg: Vec<u8>,
}

/// One page, ready to store and show.
#[derive(Debug, Clone)]
pub struct Page {
    /// 0-based position in the converted document.
    pub index: u32,
    /// The slide and click step (or document page) it shows.
    pub source: PageSource,
    /// `Limits::large_width` wide.
    pub large: PageImage,
    /// `Limits::medium_width` wide.
    pub medium: PageImage,
    /// `Limits::thumbnail_width` wide.
    pub thumbnail: PageImage,
    /// The page's text (for search and accessibility); may be empty.
    pub text: String,
    /// The speaker notes of the page's slide, for decks that have them (presenters only).
    pub notes: Option<String>,
}

/// Pages of `pdf` (a path inside the sandbox, relative to the job directory).
pub(crate) async fn page_count(
    sandbox: &Sandbox,
    pdf: &str,
    timeout: Duration,
) -> Result<u32, ConvertError> {
    let argv = vec![sandbox.tools.pdfinfo.clone(), format!("{JOB_MOUNT}/{pdf}")];
    let mut running = sandbox.spawn(Stage::PdfInfo, timeout, &argv)?;
    let mut pages = None;
    while let Some(line) = running.next_line().await? {
        if let Some(n) = line.strip_prefix("Pages:") {
            pages = n.trim().parse::<u32>().ok();
        }
    }
    let finished = running.finish().await?;
    // poppler opens a PDF with only an owner password (printing/copy restrictions) fine; it
    // is a user password (needed to open it) that makes it fail like this.
    if finished.stderr.contains("Incorrect password") {
        return Err(ConvertError::PasswordProtected);
    }
    match pages {
        Some(n) if finished.status.success() && n > 0 => Ok(n),
        _ => Err(ConvertError::Corrupt {
            expected: "a PDF document",
            detail: format!("pdfinfo: {}", first_line(&finished.stderr)),
        }),
    }
}

fn first_line(s: &str) -> &str {
    s.lines().next().unwrap_or("no page count").trim()
}

/// The render loop, run by `sh` inside the sandbox. Arguments: pdf, pages, the three widths,
/// pdftocairo, pdftotext. `set -e`: a page that fails to render ends the loop (and the job)
/// rather than leaving a hole.
const RENDER_SCRIPT: &str = r#"set -e
pdf=$1 n=$2 large=$3 medium=$4 thumb=$5 cairo=$6 text=$7
mkdir -p pages
"$text" -enc UTF-8 -eol unix "$pdf" pages/text.txt || : > pages/text.txt
echo text
i=1
while [ "$i" -le "$n" ]; do
  for size in large:$large medium:$medium thumb:$thumb; do
    "$cairo" -jpeg -jpegopt quality=85 -f "$i" -l "$i" -singlefile \
      -scale-to-x "${size#*:}" -scale-to-y -1 "$pdf" "pages/$i-${size%%:*}"
  done
  echo "page $i"
  i=$((i + 1))
done
"#;

/// Renders pages one after another; see [`Renderer::next_page`].
pub(crate) struct Renderer {
    running: Option<Running>,
    pages_dir: PathBuf,
    sources: Vec<PageSource>,
    texts: Vec<String>,
    next: u32,
}

impl Renderer {
    /// Start rendering all `sources.len()` pages of `pdf` (relative to the job directory).
    pub fn start(
        sandbox: &Sandbox,
        pdf: &str,
        sources: Vec<PageSource>,
        limits: &Limits,
    ) -> Result<Renderer, ConvertError> {
        let argv: Vec<String> = vec![
            "/bin/sh".into(),
            "-c".into(),
            RENDER_SCRIPT.into(),
            "render".into(),
            format!("{JOB_MOUNT}/{pdf}"),
            sources.len().to_string(),
            limits.large_width.to_string(),
            limits.medium_width.to_string(),
            limits.thumbnail_width.to_string(),
            sandbox.tools.pdftocairo.clone(),
            sandbox.tools.pdftotext.clone(),
        ];
        let running = sandbox.spawn(Stage::Render, limits.pdf_stage_timeout, &argv)?;
        Ok(Renderer {
            running: Some(running),
            pages_dir: sandbox.job_dir.join("pages"),
            sources,
            texts: Vec::new(),
            next: 0,
        })
    }

    /// The next page once its images exist; `None` after the last.
    pub async fn next_page(&mut self) -> Result<Option<Page>, ConvertError> {
        loop {
            let Some(running) = self.running.as_mut() else {
                return Ok(None);
            };
            let Some(line) = running.next_line().await? else {
                // The script ended: success only if every page was reported.
                let running = self.running.take().ok_or_else(|| ConvertError::Internal {
                    detail: "renderer polled after its end".into(),
                })?;
                let finished = running.finish().await?;
                if finished.status.success() && self.next as usize == self.sources.len() {
                    return Ok(None);
                }
                return Err(ConvertError::Corrupt {
                    expected: "a PDF document",
                    detail: format!(
                        "page {} could not be rendered: {}",
                        self.next + 1,
                        first_line(&finished.stderr)
                    ),
                });
            };
            if line == "text" {
                let text = tokio::fs::read(self.pages_dir.join("text.txt"))
                    .await
                    .map_err(|e| ConvertError::internal("reading page text", e))?;
                self.texts = String::from_utf8_lossy(&text)
                    .split('\u{c}')
                    .map(|t| t.trim().to_owned())
                    .collect();
                continue;
            }
            if line.strip_prefix("page ") == Some(&(self.next + 1).to_string()) {
                return self.collect_page().await.map(Some);
            }
            return Err(ConvertError::Internal {
                detail: format!("unexpected renderer output {line:?}"),
            });
        }
    }

    async fn collect_page(&mut self) -> Result<Page, ConvertError> {
        let index = self.next;
        let n = index + 1;
        let read = |size: &str| {
            let path = self.pages_dir.join(format!("{n}-{size}.jpg"));
            async move {
                let jpeg = tokio::fs::read(&path)
                    .await
                    .map_err(|e| ConvertError::internal("reading page image", e))?;
                // The page is handed over in memory; its files are no longer needed.
                let _ = tokio::fs::remove_file(&path).await;
                let (width, height) =
                    jpeg_dimensions(&jpeg).ok_or_else(|| ConvertError::Internal {
                        detail: format!("{} is not a JPEG", path.display()),
                    })?;
                Ok::<_, ConvertError>(PageImage {
                    width,
                    height,
                    jpeg,
                })
            }
        };
        let source = *self
            .sources
            .get(index as usize)
            .ok_or_else(|| ConvertError::Internal {
                detail: format!("renderer reported page {n} of {}", self.sources.len()),
            })?;
        let page = Page {
            index,
            source,
            large: read("large").await?,
            medium: read("medium").await?,
            thumbnail: read("thumb").await?,
            text: self.texts.get(index as usize).cloned().unwrap_or_default(),
            notes: None,
        };
        self.next += 1;
        Ok(page)
    }
}

/// Width and height from a JPEG's start-of-frame header, without decoding it.
pub fn jpeg_dimensions(jpeg: &[u8]) -> Option<(u32, u32)> {
    jpeg_frame(jpeg).map(|(w, h, _)| (w, h))
}

/// Width, height and number of colour components (1 grey, 3 colour, 4 CMYK) from a JPEG's
/// frame header.
pub(crate) fn jpeg_frame(jpeg: &[u8]) -> Option<(u32, u32, u8)> {
    if !jpeg.starts_with(&[0xFF, 0xD8]) {
        return None;
    }
    let mut at = 2;
    while at + 10 <= jpeg.len() {
        if jpeg[at] != 0xFF {
            return None;
        }
        let marker = jpeg[at + 1];
        // Fill bytes may precede a marker.
        if marker == 0xFF {
            at += 1;
            continue;
        }
        let len = usize::from(u16::from_be_bytes([jpeg[at + 2], jpeg[at + 3]]));
        // SOF0..SOF15 carry the size, except DHT (C4), JPG (C8) and DAC (CC).
        if (0xC0..=0xCF).contains(&marker) && ![0xC4, 0xC8, 0xCC].contains(&marker) {
            let height = u16::from_be_bytes([jpeg[at + 5], jpeg[at + 6]]);
            let width = u16::from_be_bytes([jpeg[at + 7], jpeg[at + 8]]);
            return Some((u32::from(width), u32::from(height), jpeg[at + 9]));
        }
        at += 2 + len;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn jpeg_dimensions_come_from_the_frame_header() {
        // SOI, an APP0 segment of 16 bytes, then SOF0 with height 1080 and width 1920.
        let mut jpeg = vec![0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x10];
        jpeg.extend([0; 14]);
        jpeg.extend([0xFF, 0xC0, 0x00, 0x11, 0x08, 0x04, 0x38, 0x07, 0x80, 0x03]);
        assert_eq!(jpeg_dimensions(&jpeg), Some((1920, 1080)));
    }

    #[test]
    fn non_jpegs_have_no_dimensions() {
        assert_eq!(jpeg_dimensions(b"\x89PNG\r\n"), None);
        assert_eq!(jpeg_dimensions(&[0xFF, 0xD8, 0x00, 0x00]), None);
    }
}
