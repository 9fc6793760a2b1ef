//! An uploaded image → one page (three JPEG widths), in-process.
//!
//! For: PNG, JPEG, GIF (first frame), BMP and WebP uploads. Not for: images inside documents
//! (LibreOffice handles those).
//!
//! Why not LibreOffice like everything else: Draw places an image on an A4 page, so the page
//! would be mostly margin, and it costs a 1.4 s start for one page. Decoding here is safe
//! enough because the `image` crate's decoders are memory-safe Rust, and because every
//! allocation is bounded *before* it happens: the header's dimensions are checked against
//! [`Limits::max_image_pixels`] before decoding (a 32 KB PNG can declare 16384×16384 pixels:
//! 1 GiB as RGBA), the decoder's own allocation cap covers the decode, and the conversion to
//! RGB consumes the decoded image instead of copying it. Peak memory is at most about
//! `max_image_pixels × 12` bytes (16-bit RGBA decoded, plus its 8-bit copy): 192 MB at the
//! default 16 MP, 112 MB for an ordinary 8-bit image. One image decodes at a time per job.

use std::io::Cursor;

use image::imageops::FilterType;
use image::{DynamicImage, ImageReader, RgbImage};

use crate::detect::DocumentKind;
use crate::pdf::{Page, PageImage};
use crate::pptx_steps::PageSource;
use crate::{ConvertError, Limits};

/// Longest side: larger than any camera or screenshot; the pixel count is the real bound.
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
    let reader = || {
        ImageReader::new(Cursor::new(bytes))
            .with_guessed_format()
            .map_err(|e| corrupt(e.to_string()))
    };
    // The header alone first: nothing is allocated for pixels an image merely declares.
    let (width, height) = reader()?
        .into_dimensions()
        .map_err(|e| corrupt(e.to_string()))?;
    let too_large = || ConvertError::ImageTooLarge {
        width,
        height,
        max_pixels: limits.max_image_pixels,
    };
    if u64::from(width) * u64::from(height) > limits.max_image_pixels
        || width > MAX_SIDE
        || height > MAX_SIDE
    {
        return Err(too_large());
    }
    let mut decode_limits = image::Limits::default();
    decode_limits.max_image_width = Some(MAX_SIDE);
    decode_limits.max_image_height = Some(MAX_SIDE);
    // 8 bytes per pixel: the widest decoded format (16-bit RGBA).
    decode_limits.max_alloc = Some(limits.max_image_pixels.saturating_mul(8));
    let mut reader = reader()?;
    reader.limits(decode_limits);
    let decoded = reader.decode().map_err(|e| match e {
        image::ImageError::Limits(_) => too_large(),
        other => corrupt(other.to_string()),
    })?;
    let flat = on_white(decoded);
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

/// Transparent pixels shown on white, as a slide background would be. Consumes the decoded
/// image so that at most it and one 8-bit copy exist at once.
fn on_white(image: DynamicImage) -> RgbImage {
    if !image.color().has_alpha() {
        return image.into_rgb8();
    }
    let rgba = image.into_rgba8();
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

    /// A 1-bit PNG declaring 16384×16384 pixels, all black: about 32 KB of file.
    fn huge_bilevel_png() -> Vec<u8> {
        let side = 16_384u32;
        let mut bytes = Vec::new();
        let mut png = png::Encoder::new(&mut bytes, side, side);
        png.set_color(png::ColorType::Grayscale);
        png.set_depth(png::BitDepth::One);
        png.set_compression(png::Compression::High);
        let mut writer = png.write_header().expect("header");
        writer
            .write_image_data(&vec![0u8; (side / 8 * side) as usize])
            .expect("pixels");
        writer.finish().expect("end");
        bytes
    }

    #[test]
    fn a_small_file_declaring_a_huge_image_is_refused_before_decoding() {
        let bytes = huge_bilevel_png();
        assert!(bytes.len() < 64 * 1024, "{} bytes", bytes.len());
        let err = render(&bytes, DocumentKind::Png, &Limits::default()).expect_err("too large");
        assert!(
            matches!(
                err,
                ConvertError::ImageTooLarge {
                    width: 16_384,
                    height: 16_384,
                    ..
                }
            ),
            "{err:?}"
        );
        assert_eq!(err.code(), "image_too_large");
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
