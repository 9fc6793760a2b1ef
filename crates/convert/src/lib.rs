//! Document conversion for Confab: an uploaded deck or document becomes page images and page text.
//!
//! # The pipeline
//!
//! ```text
//! upload ─► detect ─► (pptx: click steps) ─► office ─► pdf ─► PageReady, PageReady, … ─► Done
//!           sniff      one slide copy per     sandboxed   pdfinfo, then per page:
//!           type,      click state            LibreOffice pdftocairo ×3 + text
//!           zip bomb,                         → PDF
//!           password
//! ```
//!
//! 1. [`detect`] (pure, in the server process, before anything is unpacked): the real type from
//!    magic bytes and, for zip containers, the central directory. A name that lies about the
//!    type, a zip bomb, an encrypted Office/ODF file or an oversized upload is refused here, in
//!    milliseconds.
//! 2. [`pptx_steps`] (pure, PowerPoint only): "appear on click" builds become one slide copy per
//!    click state, so that LibreOffice, which prints only a slide's final state, prints each
//!    step as its own page. Every page of the result maps back to a [`PageSource`] `(slide, step)`.
//! 3. [`office`]: one LibreOffice process per job converts to PDF with the import filter of the
//!    *detected* type (never LibreOffice's own guess), inside the [`sandbox`].
//! 4. [`pdf`]: `pdfinfo` counts pages (too many → refused before rendering), then each page is
//!    rendered by poppler at two widths plus a thumbnail (JPEG) and reported as soon as its
//!    images exist, so the first page can be shown while the rest render.
//! 5. [`job`]: the [`Converter`] runs jobs from a bounded queue with a concurrency limit; each
//!    job lives in its own temporary directory that is removed however the job ends.
//!
//! PDFs skip step 3; plain text goes through LibreOffice like documents; an image becomes its
//! one page in-process (see `picture.rs` for why not through LibreOffice).
//!
//! # Using it
//!
//! ```no_run
//! # async fn demo() -> Result<(), confab_convert::ConvertError> {
//! use confab_convert::{Converter, ConverterConfig, JobEvent};
//! let converter = Converter::start(ConverterConfig::new("/var/lib/confab/convert"))?;
//! let mut job = converter.submit("/tmp/upload-123".as_ref(), "Quarterly.pptx").await?;
//! while let Some(event) = job.next().await {
//!     match event {
//!         JobEvent::PageReady(page) => { /* store page.large.jpeg, … as blobs; show it */ }
//!         JobEvent::Done { pages } => { /* all `pages` pages were delivered */ }
//!         JobEvent::Failed(error) => { /* show error.to_string() to the uploader */ }
//!         _ => { /* progress */ }
//!     }
//! }
//! # Ok(()) }
//! ```
//!
//! > **Rule:** an error is the uploader's fault or ours, never a panic. Every way a file can be
//! > bad has a [`ConvertError`] variant whose message can be shown to the uploader as is;
//! > [`ConvertError::is_internal`] tells the two kinds apart for logging and status codes.

pub mod detect;
pub mod export;
pub mod job;
pub mod limits;
pub mod office;
pub mod pdf;
mod picture;
pub mod pptx_steps;
pub mod sandbox;
mod xml_tree;

use std::time::Duration;

pub use detect::DocumentKind;
pub use job::{Converter, ConverterConfig, JobEvent, JobHandle};
pub use limits::Limits;
pub use pdf::{jpeg_dimensions, Page, PageImage};
pub use pptx_steps::PageSource;
pub use sandbox::{MemoryLimit, Tools};

/// A conversion stage, named in [`ConvertError::TimedOut`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stage {
    /// LibreOffice turning the upload into a PDF.
    Office,
    /// poppler reading the PDF's page count and encryption.
    PdfInfo,
    /// poppler rendering page images and extracting text.
    Render,
}

impl std::fmt::Display for Stage {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Stage::Office => "converting the document",
            Stage::PdfInfo => "reading the PDF",
            Stage::Render => "rendering the pages",
        })
    }
}

/// Why a conversion did not happen. The message (`Display`) is written for the uploader.
#[derive(Debug, thiserror::Error)]
pub enum ConvertError {
    /// The file's name has no extension we convert (e.g. `.exe`, `.zip`, or none).
    #[error("files of this type cannot be presented ({name}); use PowerPoint, OpenDocument, Word, Excel, PDF, text or an image")]
    UnsupportedType { name: String },
    /// The content is a different kind of file than its name says (e.g. a PDF named `.pptx`).
    #[error("the file is named .{declared} but it is {actual}")]
    ExtensionMismatch {
        declared: String,
        actual: &'static str,
    },
    /// The file is damaged, truncated, or not a valid file of its type.
    #[error("the file could not be read as {expected}: it is damaged or not a valid file of that type ({detail})")]
    Corrupt {
        expected: &'static str,
        detail: String,
    },
    /// The file has no content at all.
    #[error("the file is empty")]
    Empty,
    /// The document is encrypted with a password; we never ask for it.
    #[error("the document is protected by a password; remove the protection and upload it again")]
    PasswordProtected,
    /// A zip container (pptx, docx, odp, …) would unpack to far more than it weighs.
    #[error("the file unpacks to more data than allowed ({reason})")]
    ZipBomb { reason: String },
    /// The document has more pages (after click steps are expanded) than allowed.
    #[error("the document has {pages} pages; at most {max} are allowed")]
    TooManyPages { pages: u32, max: u32 },
    /// An image declares more pixels than allowed (decoding it would take too much memory).
    #[error("the image is {width}×{height} pixels; at most {max_pixels} pixels are allowed")]
    ImageTooLarge {
        width: u32,
        height: u32,
        max_pixels: u64,
    },
    /// The upload is bigger than allowed.
    #[error("the file is {bytes} bytes; at most {max} bytes are allowed")]
    TooLarge { bytes: u64, max: u64 },
    /// A stage ran longer than its limit and was killed.
    #[error("conversion stopped: {stage} took longer than {} s", limit.as_secs_f64())]
    TimedOut { stage: Stage, limit: Duration },
    /// A stage was killed for using more memory than allowed.
    #[error("conversion stopped: {stage} needed more memory than allowed")]
    OutOfMemory { stage: Stage },
    /// The queue of waiting conversions is full.
    #[error("too many conversions are waiting; try again in a minute")]
    QueueFull,
    /// The converter is shutting down or has stopped.
    #[error("the converter is not running")]
    Stopped,
    /// The sandbox or a conversion tool could not be started: a setup problem on our side.
    #[error("conversion is not available on this server ({detail})")]
    Sandbox { detail: String },
    /// Anything else that went wrong on our side (I/O on the work directory, a tool crashing).
    #[error("conversion failed on the server ({detail})")]
    Internal { detail: String },
}

impl ConvertError {
    /// True when the fault is ours (setup, I/O, tool crash), not the uploaded file's.
    pub fn is_internal(&self) -> bool {
        matches!(
            self,
            ConvertError::Sandbox { .. } | ConvertError::Internal { .. } | ConvertError::Stopped
        )
    }

    /// A stable snake_case code for the wire and for metrics.
    pub fn code(&self) -> &'static str {
        match self {
            ConvertError::UnsupportedType { .. } => "unsupported_type",
            ConvertError::ExtensionMismatch { .. } => "extension_mismatch",
            ConvertError::Corrupt { .. } => "corrupt",
            ConvertError::Empty => "empty",
            ConvertError::PasswordProtected => "password_protected",
            ConvertError::ZipBomb { .. } => "zip_bomb",
            ConvertError::TooManyPages { .. } => "too_many_pages",
            ConvertError::TooLarge { .. } => "too_large",
            ConvertError::ImageTooLarge { .. } => "image_too_large",
            ConvertError::TimedOut { .. } => "timed_out",
            ConvertError::OutOfMemory { .. } => "out_of_memory",
            ConvertError::QueueFull => "queue_full",
            ConvertError::Stopped => "stopped",
            ConvertError::Sandbox { .. } => "sandbox",
            ConvertError::Internal { .. } => "internal",
        }
    }

    pub(crate) fn internal(context: &str, error: impl std::fmt::Display) -> Self {
        ConvertError::Internal {
            detail: format!("{context}: {error}"),
        }
    }
}
