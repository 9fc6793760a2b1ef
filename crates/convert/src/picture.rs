//! An uploaded image → one page (three JPEG widths), in-process.
//!
//! For: PNG, JPEG, GIF (first frame), BMP and WebP uploads. Not for: images inside documents
//! (LibreOffice handles those).
//!
//! Why not LibreOffice like everything else: Draw places an image on an A4 page, so the page
//! would be mostly margin, and it costs a 1.4 s start for one page. Decoding here is safe
//! enough because the `image` crate's decoders are memory-safe Rust and run with explicit
//! dimension and allocation limits; the work is a few hundred milliseconds of one blocking
//! thread at most.

use std::io::Cursor;

use image::imageops::FilterType;
use image::{DynamicImage, ImageReader, RgbImage};

use crate::detect::DocumentKind;
use crate::pdf::{Page, PageImage};
use crate::pptx_steps::PageSource;
use crate::{ConvertError, Limits};

/// Larger than any camera or screenshot; the allocation cap is the real bound.
const MAX_SIDE: u32 = 16_384;

/// Decode `bytes` and render the page. Blocking: call from a blocking thread.
pub(crate) fn render(
    bytes: &[u8],
    kind: DocumentKind,
    limits: &Limits,
) -> Result<Page, ConvertError> {
    let corrupt = |detail: String| ConvertError::Corrupt {
        expected: kind.label(),
        detail,
    };
    let mut reader = ImageReader::new(Cursor::new(bytes))
        .with_guessed_format()
        .map_err(|e| corrupt(e.to_string()))?;
    let mut decode_limits = image::Limits::default();
    decode_limits.max_image_width = Some(MAX_SIDE);
    decode_limits.max_image_height = Some(MAX_SIDE);
    decode_limits.max_alloc = Some(limits.memory_bytes.min(1024 * 1024 * 1024));
    reader.limits(decode_limits);
    let decoded = reader.decode().map_err(|e| match e {
        image::ImageError::Limits(_) => ConvertError::TooLarge {
            bytes: bytes.len() as u64,
            max: limits.max_file_bytes,
        },
        other => corrupt(other.to_string()),
    })?;
    let flat = on_white(&decoded);
    let image = |width: u32| scaled_jpeg(&flat, width);
    Ok(Page {
        index: 0,
        source: PageSource::page(0),
        large: image(limits.large_width)?,
        medium: image(limits.medium_width)?,
        thumbnail: image(limits.thumbnail_width)?,
        text: String::new(),
        notes: None,
    })
}

/// Transparent pixels shown on white, as a slide background would be.
fn on_white(image: &DynamicImage) -> RgbImage {
    let rgba = image.to_rgba8();
    let mut out = RgbImage::new(rgba.width(), rgba.height());
    for (dst, src) in out.pixels_mut().zip(rgba.pixels()) {
        let alpha = u32::from(src[3]);
        for c in 0..3 {
            let v = (u32::from(src[c]) * alpha + 255 * (255 - alpha)) / 255;
            dst[c] = v as u8;
        }
    }
    out
}

fn scaled_jpeg(image: &RgbImage, width: u32) -> Result<PageImage, ConvertError> {
    let height = ((u64::from(image.height()) * u64::from(width)) / u64::from(image.width().max(1)))
        .clamp(1, u64::from(MAX_SIDE)) as u32;
    let scaled = image::imageops::resize(image, width, height, FilterType::Triangle);
    let mut jpeg = Vec::new();
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut jpeg, 85)
        .encode_image(&scaled)
        .map_err(|e| ConvertError::internal("encoding JPEG", e))?;
    Ok(PageImage {
        width,
        height,
        jpeg,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn png(width: u32, height: u32) -> Vec<u8> {
        let mut bytes = Vec::new();
        DynamicImage::ImageRgba8(image::RgbaImage::new(width, height))
            .write_to(&mut Cursor::new(&mut bytes), image::ImageFormat::Png)
            .expect("encoding a PNG in memory");
        bytes
    }

    #[test]
    fn an_image_becomes_one_page_at_every_width_keeping_its_aspect() {
        let page = render(&png(400, 300), DocumentKind::Png, &Limits::default()).expect("valid");
        assert_eq!((page.large.width, page.large.height), (1920, 1440));
        assert_eq!((page.medium.width, page.medium.height), (960, 720));
        assert_eq!((page.thumbnail.width, page.thumbnail.height), (320, 240));
        assert_eq!(crate::jpeg_dimensions(&page.large.jpeg), Some((1920, 1440)));
        assert_eq!(page.source, PageSource::page(0));
    }

    #[test]
    fn a_truncated_image_is_corrupt() {
        let bytes = png(40, 30);
        let err = render(
            &bytes[..bytes.len() / 2],
            DocumentKind::Png,
            &Limits::default(),
        )
        .expect_err("truncated");
        assert!(matches!(err, ConvertError::Corrupt { .. }), "{err:?}");
    }
}
