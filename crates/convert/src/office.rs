//! LibreOffice: an office document or plain text → one PDF, in the job's sandbox.
//!
//! For: the soffice command line (import filter forced to the *detected* type, its own profile
//! in the job directory, hidden slides exported so pages match slides) and telling success from
//! failure. Not for: PDFs (they go straight to [`crate::pdf`]) or images (see `picture.rs`:
//! LibreOffice Draw would put an image on an A4 page).
//!
//! Two facts shape this (FACTS.md, "Document conversion"): soffice exits 0 when it fails, so
//! failure is "no output file" (with an `Error:` line on stderr); and without a forced import
//! filter, random bytes named `.pptx` are imported as plain text for 44 s instead of failing in
//! about a second.

use std::path::PathBuf;
use std::time::Duration;

use crate::detect::DocumentKind;
use crate::sandbox::{Sandbox, JOB_MOUNT};
use crate::{ConvertError, Stage};

/// LibreOffice's import filter for a kind, or `None` if LibreOffice is not used for it.
pub fn import_filter(kind: DocumentKind) -> Option<&'static str> {
    use DocumentKind::*;
    Some(match kind {
        Pptx => "Impress MS PowerPoint 2007 XML",
        Ppt => "MS PowerPoint 97",
        Odp => "impress8",
        Docx => "MS Word 2007 XML",
        Doc => "MS Word 97",
        Rtf => "Rich Text Format",
        Odt => "writer8",
        Xlsx => "Calc MS Excel 2007 XML",
        Xls => "MS Excel 97",
        Ods => "calc8",
        // Options: character set, line ending (then font and language left default).
        Text => "Text (encoded):UTF8,LF,,,",
        Pdf | Png | Jpeg | Gif | Bmp | Webp => return None,
    })
}

/// The `--convert-to` argument: PDF through the exporter of the kind's application.
fn export_target(kind: DocumentKind) -> &'static str {
    use crate::detect::Family;
    match kind.family() {
        // Hidden slides are printed too, so page n is slide n and the step map holds.
        Family::Presentation => {
            r#"pdf:impress_pdf_Export:{"ExportHiddenSlides":{"type":"boolean","value":"true"}}"#
        }
        Family::Spreadsheet => "pdf:calc_pdf_Export",
        _ => "pdf:writer_pdf_Export",
    }
}

/// The soffice arguments for converting `/job/<input_name>` into `/job/out/`.
pub(crate) fn soffice_argv(
    soffice: &[String],
    kind: DocumentKind,
    filter: &str,
    input_name: &str,
) -> Vec<String> {
    let mut argv: Vec<String> = soffice.to_vec();
    argv.extend(
        [
            "--headless",
            "--norestore",
            "--nolockcheck",
            "--nodefault",
            "--nologo",
            // A profile of its own per job: concurrent jobs never share state, and nothing a
            // document does to a profile outlives its job.
            &format!("-env:UserInstallation=file://{JOB_MOUNT}/profile"),
            &format!("--infilter={filter}"),
            "--convert-to",
            export_target(kind),
            "--outdir",
            &format!("{JOB_MOUNT}/out"),
            &format!("{JOB_MOUNT}/{input_name}"),
        ]
        .map(String::from),
    );
    argv
}

/// Convert `input_name` (a file in the job directory, of `kind`) to a PDF; returns its path.
pub(crate) async fn to_pdf(
    sandbox: &Sandbox,
    kind: DocumentKind,
    input_name: &str,
    timeout: Duration,
) -> Result<PathBuf, ConvertError> {
    let filter = import_filter(kind).ok_or_else(|| ConvertError::Internal {
        detail: format!("no office import for {kind:?}"),
    })?;
    let argv = soffice_argv(&sandbox.tools.soffice, kind, filter, input_name);
    let finished = sandbox
        .spawn(Stage::Office, timeout, &argv)?
        .finish()
        .await?;

    let stem = input_name
        .rsplit_once('.')
        .map_or(input_name, |(stem, _)| stem);
    let pdf = sandbox.job_dir.join("out").join(format!("{stem}.pdf"));
    let produced = tokio::fs::metadata(&pdf)
        .await
        .is_ok_and(|m| m.is_file() && m.len() > 0);
    if produced {
        return Ok(pdf);
    }
    let error_line = finished
        .stderr
        .lines()
        .find(|l| l.starts_with("Error:"))
        .map(|l| l.trim_start_matches("Error:").trim().to_owned());
    match error_line {
        // "source file could not be loaded": truncated, not this format, or encrypted.
        Some(detail) => Err(ConvertError::Corrupt {
            expected: kind.label(),
            detail: format!("LibreOffice: {detail}; is it damaged or protected by a password?"),
        }),
        None => Err(ConvertError::Internal {
            detail: format!(
                "LibreOffice produced no PDF ({}): {}",
                finished.status,
                finished.stderr.trim()
            ),
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_office_kind_has_a_forced_import_filter() {
        use DocumentKind::*;
        for kind in [Pptx, Ppt, Odp, Docx, Doc, Rtf, Odt, Xlsx, Xls, Ods, Text] {
            assert!(import_filter(kind).is_some(), "{kind:?}");
        }
        for kind in [Pdf, Png, Jpeg] {
            assert!(import_filter(kind).is_none(), "{kind:?}");
        }
    }

    #[test]
    fn the_command_forces_the_filter_and_a_job_profile() {
        let argv = soffice_argv(
            &["soffice".into()],
            DocumentKind::Pptx,
            "Impress MS PowerPoint 2007 XML",
            "input.pptx",
        );
        assert_eq!(argv[0], "soffice");
        assert!(argv.contains(&"--infilter=Impress MS PowerPoint 2007 XML".into()));
        assert!(argv.contains(&"-env:UserInstallation=file:///job/profile".into()));
        assert!(argv.iter().any(|a| a.contains("ExportHiddenSlides")));
        assert_eq!(argv.last().map(String::as_str), Some("/job/input.pptx"));
    }
}
