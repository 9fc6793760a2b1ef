//! What an upload really is, decided from its bytes before anything is unpacked or converted.
//!
//! For: the real [`DocumentKind`] from magic bytes, the zip central directory (OOXML, ODF) or the
//! compound-file directory (legacy Office, encrypted OOXML); refusing a name that lies, zip bombs
//! (from the directory's declared sizes, so nothing is inflated) and password-protected files.
//! Not for: validating the document itself (LibreOffice does that, sandboxed) or encrypted PDFs
//! (`pdfinfo` tells, see [`crate::pdf`]).
//!
//! Rule for names: the extension picks which kinds are acceptable; the content decides which
//! importer runs. Within one family the content wins (Word routinely saves RTF as `.doc`; a
//! `.jpg` that is a PNG is still an image). Across families the file is refused, because a lying
//! extension is how a file reaches an importer it was not meant for.

use std::io::{Read, Seek, SeekFrom};

use crate::{ConvertError, Limits};

/// The formats we convert, as found in the content.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DocumentKind {
    Pptx,
    Ppt,
    Odp,
    Docx,
    Doc,
    Rtf,
    Odt,
    Xlsx,
    Xls,
    Ods,
    Pdf,
    Text,
    Png,
    Jpeg,
    Gif,
    Bmp,
    Webp,
}

/// Which application family a kind belongs to; mismatches inside a family are tolerated.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Family {
    Presentation,
    TextDocument,
    Spreadsheet,
    Pdf,
    PlainText,
    Image,
}

impl DocumentKind {
    /// The kind a file name claims, from its extension (case-insensitive).
    pub fn from_name(name: &str) -> Option<DocumentKind> {
        let (_, ext) = name.rsplit_once('.')?;
        Some(match ext.to_ascii_lowercase().as_str() {
            "pptx" => DocumentKind::Pptx,
            "ppt" => DocumentKind::Ppt,
            "odp" => DocumentKind::Odp,
            "docx" => DocumentKind::Docx,
            "doc" => DocumentKind::Doc,
            "rtf" => DocumentKind::Rtf,
            "odt" => DocumentKind::Odt,
            "xlsx" => DocumentKind::Xlsx,
            "xls" => DocumentKind::Xls,
            "ods" => DocumentKind::Ods,
            "pdf" => DocumentKind::Pdf,
            "txt" | "text" => DocumentKind::Text,
            "png" => DocumentKind::Png,
            "jpg" | "jpeg" => DocumentKind::Jpeg,
            "gif" => DocumentKind::Gif,
            "bmp" => DocumentKind::Bmp,
            "webp" => DocumentKind::Webp,
            _ => return None,
        })
    }

    pub fn family(self) -> Family {
        use DocumentKind::*;
        match self {
            Pptx | Ppt | Odp => Family::Presentation,
            Docx | Doc | Rtf | Odt => Family::TextDocument,
            Xlsx | Xls | Ods => Family::Spreadsheet,
            Pdf => Family::Pdf,
            Text => Family::PlainText,
            Png | Jpeg | Gif | Bmp | Webp => Family::Image,
        }
    }

    /// The canonical file extension, used for the file handed to LibreOffice.
    pub fn extension(self) -> &'static str {
        use DocumentKind::*;
        match self {
            Pptx => "pptx",
            Ppt => "ppt",
            Odp => "odp",
            Docx => "docx",
            Doc => "doc",
            Rtf => "rtf",
            Odt => "odt",
            Xlsx => "xlsx",
            Xls => "xls",
            Ods => "ods",
            Pdf => "pdf",
            Text => "txt",
            Png => "png",
            Jpeg => "jpg",
            Gif => "gif",
            Bmp => "bmp",
            Webp => "webp",
        }
    }

    /// What the kind is called in messages ("a PowerPoint presentation").
    pub fn label(self) -> &'static str {
        use DocumentKind::*;
        match self {
            Pptx | Ppt => "a PowerPoint presentation",
            Odp => "an OpenDocument presentation",
            Docx | Doc => "a Word document",
            Rtf => "an RTF document",
            Odt => "an OpenDocument text",
            Xlsx | Xls => "an Excel workbook",
            Ods => "an OpenDocument spreadsheet",
            Pdf => "a PDF document",
            Text => "plain text",
            Png | Jpeg | Gif | Bmp | Webp => "an image",
        }
    }
}

/// Decide what `file` (of `len` bytes, uploaded as `declared_name`) really is.
///
/// Reads at most the first 64 KiB, the zip central directory and, for compound files, the file
/// itself (bounded by `limits.max_file_bytes`, checked first).
pub fn detect<R: Read + Seek>(
    declared_name: &str,
    file: &mut R,
    len: u64,
    limits: &Limits,
) -> Result<DocumentKind, ConvertError> {
    let declared =
        DocumentKind::from_name(declared_name).ok_or_else(|| ConvertError::UnsupportedType {
            name: declared_name.to_owned(),
        })?;
    if len > limits.max_file_bytes {
        return Err(ConvertError::TooLarge {
            bytes: len,
            max: limits.max_file_bytes,
        });
    }
    if len == 0 {
        return Err(ConvertError::Empty);
    }
    let mut head = Vec::with_capacity(64 * 1024);
    file.by_ref()
        .take(64 * 1024)
        .read_to_end(&mut head)
        .map_err(|e| ConvertError::internal("reading upload", e))?;

    let corrupt = |detail: &str| ConvertError::Corrupt {
        expected: declared.label(),
        detail: detail.to_owned(),
    };
    let actual = match sniff(&head) {
        Sniffed::Kind(kind) => kind,
        Sniffed::Zip => zip_kind(file, len, limits, declared.label())?,
        Sniffed::CompoundFile => {
            let mut bytes = Vec::new();
            file.seek(SeekFrom::Start(0))
                .and_then(|_| file.by_ref().take(len).read_to_end(&mut bytes))
                .map_err(|e| ConvertError::internal("reading upload", e))?;
            compound_file_kind(&bytes, declared.label())?
        }
        Sniffed::Unknown if declared == DocumentKind::Text => {
            if looks_like_text(&head) {
                DocumentKind::Text
            } else {
                return Err(corrupt("not UTF-8 text"));
            }
        }
        Sniffed::Unknown => return Err(corrupt("unrecognised content")),
    };
    if actual == declared || actual.family() == declared.family() {
        Ok(actual)
    } else {
        Err(ConvertError::ExtensionMismatch {
            declared: declared_name
                .rsplit_once('.')
                .map(|(_, ext)| ext.to_ascii_lowercase())
                .unwrap_or_default(),
            actual: actual.label(),
        })
    }
}

enum Sniffed {
    Kind(DocumentKind),
    Zip,
    CompoundFile,
    Unknown,
}

fn sniff(head: &[u8]) -> Sniffed {
    const CFB: &[u8] = &[0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1];
    let starts = |magic: &[u8]| head.starts_with(magic);
    if starts(b"PK\x03\x04") || starts(b"PK\x05\x06") {
        Sniffed::Zip
    } else if starts(CFB) {
        Sniffed::CompoundFile
    } else if head.len() >= 12 && starts(b"RIFF") && &head[8..12] == b"WEBP" {
        Sniffed::Kind(DocumentKind::Webp)
    } else if starts(b"\x89PNG\r\n\x1a\n") {
        Sniffed::Kind(DocumentKind::Png)
    } else if starts(&[0xFF, 0xD8, 0xFF]) {
        Sniffed::Kind(DocumentKind::Jpeg)
    } else if starts(b"GIF87a") || starts(b"GIF89a") {
        Sniffed::Kind(DocumentKind::Gif)
    } else if starts(b"BM") && head.len() >= 26 {
        Sniffed::Kind(DocumentKind::Bmp)
    } else if starts(b"{\\rtf") {
        Sniffed::Kind(DocumentKind::Rtf)
    } else if find(&head[..head.len().min(1024)], b"%PDF-").is_some() {
        // The PDF header may follow up to 1 KiB of junk; poppler accepts that, so do we.
        Sniffed::Kind(DocumentKind::Pdf)
    } else {
        Sniffed::Unknown
    }
}

/// UTF-8 (a truncated last character is fine: `head` may cut one) without NUL bytes.
fn looks_like_text(head: &[u8]) -> bool {
    let valid = match std::str::from_utf8(head) {
        Ok(_) => true,
        Err(e) => e.error_len().is_none(),
    };
    valid && !head.contains(&0)
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

/// Classify a zip container from its central directory, refusing bombs and encryption.
fn zip_kind<R: Read + Seek>(
    file: &mut R,
    len: u64,
    limits: &Limits,
    expected: &'static str,
) -> Result<DocumentKind, ConvertError> {
    let corrupt = |detail: String| ConvertError::Corrupt { expected, detail };
    // The zip crate materialises every directory entry; check the declared count first so a
    // 50 MB file of a million empty entries cannot cost hundreds of MB in the server.
    if let Some(entries) = eocd_entry_count(file, len) {
        if entries > limits.max_zip_entries as u64 {
            return Err(zip_bomb(format!(
                "{entries} entries, at most {}",
                limits.max_zip_entries
            )));
        }
    }
    file.seek(SeekFrom::Start(0))
        .map_err(|e| ConvertError::internal("reading upload", e))?;
    let mut archive = zip::ZipArchive::new(file).map_err(|e| corrupt(format!("zip: {e}")))?;
    if archive.len() > limits.max_zip_entries {
        return Err(zip_bomb(format!(
            "{} entries, at most {}",
            archive.len(),
            limits.max_zip_entries
        )));
    }
    let mut total: u64 = 0;
    for i in 0..archive.len() {
        let entry = archive
            .by_index_raw(i)
            .map_err(|e| corrupt(format!("zip entry {i}: {e}")))?;
        if entry.encrypted() {
            return Err(ConvertError::PasswordProtected);
        }
        let (size, packed) = (entry.size(), entry.compressed_size().max(1));
        total = total.saturating_add(size);
        if size > 1024 * 1024 && size / packed > limits.max_compression_ratio {
            return Err(zip_bomb(format!(
                "{} expands {}×, at most {}×",
                entry.name(),
                size / packed,
                limits.max_compression_ratio
            )));
        }
    }
    if total > limits.max_unpacked_bytes {
        return Err(zip_bomb(format!(
            "{total} bytes unpacked, at most {}",
            limits.max_unpacked_bytes
        )));
    }

    let has = |name: &str| archive.index_for_name(name).is_some();
    if has("[Content_Types].xml") {
        if has("ppt/presentation.xml") {
            return Ok(DocumentKind::Pptx);
        }
        if has("word/document.xml") {
            return Ok(DocumentKind::Docx);
        }
        if has("xl/workbook.xml") {
            return Ok(DocumentKind::Xlsx);
        }
        return Err(corrupt(
            "an Office package without a presentation, document or workbook".into(),
        ));
    }
    let mimetype = read_small_entry(&mut archive, "mimetype", 256)
        .ok_or_else(|| corrupt("a zip file that is not an Office document".into()))?;
    let kind = match mimetype.trim_ascii() {
        b"application/vnd.oasis.opendocument.presentation" => DocumentKind::Odp,
        b"application/vnd.oasis.opendocument.text" => DocumentKind::Odt,
        b"application/vnd.oasis.opendocument.spreadsheet" => DocumentKind::Ods,
        other => {
            return Err(corrupt(format!(
                "OpenDocument of type {}",
                String::from_utf8_lossy(other)
            )))
        }
    };
    // ODF encrypts entry by entry and says so in the manifest.
    let manifest =
        read_small_entry(&mut archive, "META-INF/manifest.xml", 1024 * 1024).unwrap_or_default();
    if find(&manifest, b"encryption-data").is_some() {
        return Err(ConvertError::PasswordProtected);
    }
    Ok(kind)
}

fn zip_bomb(reason: String) -> ConvertError {
    ConvertError::ZipBomb { reason }
}

/// Inflate one entry, at most `max` bytes (the directory check already bounded its size).
fn read_small_entry<R: Read + Seek>(
    archive: &mut zip::ZipArchive<R>,
    name: &str,
    max: u64,
) -> Option<Vec<u8>> {
    let entry = archive.by_name(name).ok()?;
    let mut bytes = Vec::new();
    entry.take(max).read_to_end(&mut bytes).ok()?;
    Some(bytes)
}

/// Total entries from the end-of-central-directory record; `None` if absent or zip64 (then the
/// zip crate's own parse, followed by our count check, is the guard).
fn eocd_entry_count<R: Read + Seek>(file: &mut R, len: u64) -> Option<u64> {
    // The record is 22 bytes plus a comment of at most 65535 bytes, at the very end.
    let tail_len = len.min(22 + 65535);
    file.seek(SeekFrom::Start(len - tail_len)).ok()?;
    let mut tail = Vec::new();
    file.by_ref().take(tail_len).read_to_end(&mut tail).ok()?;
    let at = tail.windows(4).rposition(|w| w == b"PK\x05\x06")?;
    let record = tail.get(at..at + 22)?;
    let entries = u16::from_le_bytes([record[10], record[11]]);
    (entries != u16::MAX).then_some(u64::from(entries))
}

/// Classify an OLE2 compound file by the names in its directory: legacy Word, Excel or
/// PowerPoint, or an encrypted OOXML package (which Office wraps in a compound file).
fn compound_file_kind(bytes: &[u8], expected: &'static str) -> Result<DocumentKind, ConvertError> {
    let corrupt = |detail: String| ConvertError::Corrupt { expected, detail };
    let names = compound_file_names(bytes).map_err(corrupt)?;
    let has = |n: &str| names.iter().any(|x| x.eq_ignore_ascii_case(n));
    if has("EncryptionInfo") || has("EncryptedPackage") {
        return Err(ConvertError::PasswordProtected);
    }
    if has("PowerPoint Document") {
        Ok(DocumentKind::Ppt)
    } else if has("WordDocument") {
        Ok(DocumentKind::Doc)
    } else if has("Workbook") || has("Book") {
        Ok(DocumentKind::Xls)
    } else {
        Err(corrupt(
            "a compound file that is not a Word, Excel or PowerPoint document".into(),
        ))
    }
}

/// Entry names of a compound file's directory ([MS-CFB] 2.2, 2.6): header → FAT sectors (via
/// the DIFAT) → the directory's sector chain → 128-byte entries with UTF-16 names.
fn compound_file_names(bytes: &[u8]) -> Result<Vec<String>, String> {
    let u16_at = |at: usize| {
        bytes
            .get(at..at + 2)
            .map(|b| u16::from_le_bytes([b[0], b[1]]))
    };
    let u32_at = |at: usize| {
        bytes
            .get(at..at + 4)
            .map(|b| u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
    };
    let bad = || "damaged compound file".to_owned();
    let shift = u16_at(0x1E).ok_or_else(bad)?;
    if shift != 9 && shift != 12 {
        return Err(bad());
    }
    let sector_size = 1usize << shift;
    let sector = |id: u32| -> Option<&[u8]> {
        let start = (id as usize + 1).checked_mul(sector_size)?;
        bytes.get(start..start + sector_size)
    };
    const END_OF_CHAIN: u32 = 0xFFFF_FFFE;
    const FREE: u32 = 0xFFFF_FFFF;
    // A sector id can be visited at most once per chain; anything longer is a loop.
    let max_steps = bytes.len() / sector_size + 1;

    let mut fat_sectors: Vec<u32> = (0..109)
        .filter_map(|i| u32_at(0x4C + 4 * i))
        .filter(|&id| id != FREE)
        .collect();
    let mut difat = u32_at(0x44).ok_or_else(bad)?;
    let mut steps = 0;
    while difat != END_OF_CHAIN && difat != FREE {
        steps += 1;
        let s = sector(difat)
            .filter(|_| steps <= max_steps)
            .ok_or_else(bad)?;
        let ids: Vec<u32> = s
            .chunks_exact(4)
            .map(|b| u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
            .collect();
        let (next, entries) = ids.split_last().ok_or_else(bad)?;
        fat_sectors.extend(entries.iter().filter(|&&id| id != FREE));
        difat = *next;
    }
    let mut fat: Vec<u32> = Vec::new();
    for id in fat_sectors {
        let s = sector(id).ok_or_else(bad)?;
        fat.extend(
            s.chunks_exact(4)
                .map(|b| u32::from_le_bytes([b[0], b[1], b[2], b[3]])),
        );
    }

    let mut names = Vec::new();
    let mut dir = u32_at(0x30).ok_or_else(bad)?;
    let mut steps = 0;
    while dir != END_OF_CHAIN {
        steps += 1;
        let s = sector(dir).filter(|_| steps <= max_steps).ok_or_else(bad)?;
        for entry in s.chunks_exact(128) {
            let name_bytes = usize::from(u16::from_le_bytes([entry[64], entry[65]])).min(64);
            let object_type = entry[66];
            if object_type == 0 || name_bytes < 2 {
                continue;
            }
            let units: Vec<u16> = entry[..name_bytes - 2]
                .chunks_exact(2)
                .map(|b| u16::from_le_bytes([b[0], b[1]]))
                .collect();
            names.push(String::from_utf16_lossy(&units));
        }
        dir = *fat.get(dir as usize).ok_or_else(bad)?;
    }
    Ok(names)
}

#[cfg(test)]
mod tests {
    use std::io::{Cursor, Write};

    use super::*;

    fn detect_bytes(name: &str, bytes: &[u8]) -> Result<DocumentKind, ConvertError> {
        detect(
            name,
            &mut Cursor::new(bytes),
            bytes.len() as u64,
            &Limits::default(),
        )
    }

    fn zip_of(entries: &[(&str, &[u8])]) -> Vec<u8> {
        let mut zip = zip::ZipWriter::new(Cursor::new(Vec::new()));
        let opts = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Deflated);
        for (name, body) in entries {
            zip.start_file(*name, opts).expect("zip entry");
            zip.write_all(body).expect("zip write");
        }
        zip.finish().expect("zip finish").into_inner()
    }

    fn pptx() -> Vec<u8> {
        zip_of(&[
            ("[Content_Types].xml", b"<Types/>"),
            ("ppt/presentation.xml", b"<p/>"),
        ])
    }

    /// A compound file whose directory holds a root entry and these stream names.
    fn compound_file(streams: &[&str]) -> Vec<u8> {
        let mut f = vec![0u8; 512 * 3];
        f[..8].copy_from_slice(&[0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1]);
        f[0x1E..0x20].copy_from_slice(&9u16.to_le_bytes());
        f[0x2C..0x30].copy_from_slice(&1u32.to_le_bytes()); // one FAT sector
        f[0x30..0x34].copy_from_slice(&1u32.to_le_bytes()); // directory in sector 1
        f[0x44..0x48].copy_from_slice(&0xFFFF_FFFEu32.to_le_bytes()); // no DIFAT sectors
        f[0x4C..0x50].copy_from_slice(&0u32.to_le_bytes()); // FAT in sector 0
        for i in 1..109 {
            f[0x4C + 4 * i..0x50 + 4 * i].copy_from_slice(&0xFFFF_FFFFu32.to_le_bytes());
        }
        let fat = 512;
        f[fat..fat + 4].copy_from_slice(&0xFFFF_FFFDu32.to_le_bytes());
        f[fat + 4..fat + 8].copy_from_slice(&0xFFFF_FFFEu32.to_le_bytes());
        let names = std::iter::once(("Root Entry", 5u8)).chain(streams.iter().map(|s| (*s, 2)));
        for (i, (name, kind)) in names.enumerate() {
            let at = 1024 + 128 * i;
            let units: Vec<u16> = name.encode_utf16().chain([0]).collect();
            for (j, u) in units.iter().enumerate() {
                f[at + 2 * j..at + 2 * j + 2].copy_from_slice(&u.to_le_bytes());
            }
            f[at + 64..at + 66].copy_from_slice(&(2 * units.len() as u16).to_le_bytes());
            f[at + 66] = kind;
        }
        f
    }

    #[test]
    fn the_content_decides_within_a_family() {
        assert_eq!(
            detect_bytes("a.pptx", &pptx()).ok(),
            Some(DocumentKind::Pptx)
        );
        assert_eq!(
            detect_bytes("A.PPT", &pptx()).ok(),
            Some(DocumentKind::Pptx)
        );
        assert_eq!(
            detect_bytes("letter.doc", b"{\\rtf1 hi}").ok(),
            Some(DocumentKind::Rtf)
        );
        assert_eq!(
            detect_bytes("x.pdf", b"%PDF-1.7\n").ok(),
            Some(DocumentKind::Pdf)
        );
        assert_eq!(
            detect_bytes("x.jpg", b"\x89PNG\r\n\x1a\n....").ok(),
            Some(DocumentKind::Png)
        );
    }

    #[test]
    fn a_name_from_another_family_is_refused() {
        let err = detect_bytes("deck.pptx", b"%PDF-1.7\n").expect_err("lie");
        assert!(
            matches!(err, ConvertError::ExtensionMismatch { ref declared, actual: "a PDF document" } if declared == "pptx"),
            "{err:?}"
        );
        let err = detect_bytes("sheet.xlsx", &pptx()).expect_err("lie");
        assert!(
            matches!(err, ConvertError::ExtensionMismatch { .. }),
            "{err:?}"
        );
    }

    #[test]
    fn random_bytes_named_pptx_are_corrupt() {
        let noise: Vec<u8> = (0..4096u32)
            .map(|i| (i.wrapping_mul(2654435761) >> 13) as u8)
            .collect();
        let err = detect_bytes("deck.pptx", &noise).expect_err("noise");
        assert!(
            matches!(
                err,
                ConvertError::Corrupt {
                    expected: "a PowerPoint presentation",
                    ..
                }
            ),
            "{err:?}"
        );
    }

    #[test]
    fn unknown_extensions_and_empty_or_large_files_are_refused() {
        assert!(matches!(
            detect_bytes("run.exe", b"MZ"),
            Err(ConvertError::UnsupportedType { .. })
        ));
        assert!(matches!(
            detect_bytes("noext", b"x"),
            Err(ConvertError::UnsupportedType { .. })
        ));
        assert!(matches!(
            detect_bytes("a.pdf", b""),
            Err(ConvertError::Empty)
        ));
        let limits = Limits {
            max_file_bytes: 3,
            ..Limits::default()
        };
        let err = detect("a.pdf", &mut Cursor::new(b"%PDF-"), 5, &limits).expect_err("big");
        assert!(
            matches!(err, ConvertError::TooLarge { bytes: 5, max: 3 }),
            "{err:?}"
        );
    }

    #[test]
    fn text_must_be_utf8_without_nul() {
        assert_eq!(
            detect_bytes("n.txt", "héllo\n".as_bytes()).ok(),
            Some(DocumentKind::Text)
        );
        assert!(matches!(
            detect_bytes("n.txt", b"a\0b"),
            Err(ConvertError::Corrupt { .. })
        ));
        assert!(matches!(
            detect_bytes("n.txt", b"\xff\xfe\x00"),
            Err(ConvertError::Corrupt { .. })
        ));
    }

    #[test]
    fn a_highly_compressed_entry_is_a_zip_bomb_found_without_inflating() {
        let zeros = vec![0u8; 20 * 1024 * 1024];
        let bomb = zip_of(&[
            ("[Content_Types].xml", b"<T/>"),
            ("ppt/presentation.xml", &zeros),
        ]);
        let err = detect_bytes("deck.pptx", &bomb).expect_err("bomb");
        assert!(matches!(err, ConvertError::ZipBomb { .. }), "{err:?}");
    }

    #[test]
    fn too_much_unpacked_data_or_too_many_entries_is_a_zip_bomb() {
        let limits = Limits {
            max_unpacked_bytes: 10,
            ..Limits::default()
        };
        let deck = pptx();
        let err = detect(
            "d.pptx",
            &mut Cursor::new(&deck),
            deck.len() as u64,
            &limits,
        )
        .expect_err("bomb");
        assert!(matches!(err, ConvertError::ZipBomb { .. }), "{err:?}");
        let limits = Limits {
            max_zip_entries: 1,
            ..Limits::default()
        };
        let err = detect(
            "d.pptx",
            &mut Cursor::new(&deck),
            deck.len() as u64,
            &limits,
        )
        .expect_err("bomb");
        assert!(matches!(err, ConvertError::ZipBomb { .. }), "{err:?}");
    }

    #[test]
    fn opendocument_is_known_by_its_mimetype_and_encryption_by_its_manifest() {
        let odp = zip_of(&[(
            "mimetype",
            b"application/vnd.oasis.opendocument.presentation",
        )]);
        assert_eq!(detect_bytes("a.odp", &odp).ok(), Some(DocumentKind::Odp));
        let locked = zip_of(&[
            ("mimetype", b"application/vnd.oasis.opendocument.text"),
            ("META-INF/manifest.xml", b"<manifest:encryption-data/>"),
        ]);
        assert!(matches!(
            detect_bytes("a.odt", &locked),
            Err(ConvertError::PasswordProtected)
        ));
        assert!(matches!(
            detect_bytes("a.odt", &zip_of(&[("x", b"y")])),
            Err(ConvertError::Corrupt { .. })
        ));
    }

    #[test]
    fn compound_files_are_told_apart_by_their_streams() {
        let ppt = compound_file(&["PowerPoint Document", "Current User"]);
        assert_eq!(detect_bytes("a.ppt", &ppt).ok(), Some(DocumentKind::Ppt));
        assert_eq!(
            detect_bytes("a.doc", &compound_file(&["WordDocument"])).ok(),
            Some(DocumentKind::Doc)
        );
        assert_eq!(
            detect_bytes("a.xls", &compound_file(&["Workbook"])).ok(),
            Some(DocumentKind::Xls)
        );
        let err = detect_bytes("a.ppt", &compound_file(&["WordDocument"])).expect_err("lie");
        assert!(
            matches!(err, ConvertError::ExtensionMismatch { .. }),
            "{err:?}"
        );
    }

    #[test]
    fn an_encrypted_ooxml_package_is_password_protected() {
        let locked = compound_file(&["EncryptionInfo", "EncryptedPackage"]);
        assert!(matches!(
            detect_bytes("a.pptx", &locked),
            Err(ConvertError::PasswordProtected)
        ));
    }

    #[test]
    fn a_damaged_compound_file_is_corrupt_not_a_panic() {
        let mut cf = compound_file(&["WordDocument"]);
        cf.truncate(600);
        assert!(matches!(
            detect_bytes("a.doc", &cf),
            Err(ConvertError::Corrupt { .. })
        ));
        let mut looped = compound_file(&["WordDocument"]);
        looped[512 + 4..512 + 8].copy_from_slice(&1u32.to_le_bytes()); // directory chain → itself
        assert!(matches!(
            detect_bytes("a.doc", &looped),
            Err(ConvertError::Corrupt { .. })
        ));
    }
}
