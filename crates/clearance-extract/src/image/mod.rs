//! Image extraction: dimensions and metadata (EXIF, XMP, IPTC, PNG text chunks, JPEG
//! comments) of JPEG, PNG, TIFF, WebP and GIF files; EXIF only for HEIF.
//!
//! Design decision: reading an image never decodes its pixels. Dimensions come from the
//! header and are checked against the pixel budget before anything else, so a file that
//! claims 100000×100000 pixels costs a few hundred bytes of parsing. Decoding is a separate,
//! bounded step ([`decode`]) for later OCR and forensics. Metadata readers walk the
//! containers themselves with bounds-checked slices, so damaged or fuzzed files give partial
//! results and warnings, never panics.

mod containers;
mod exif_fields;
mod xmp;

use std::io::Cursor;

use clearance_model::{ExtractedDocument, Format, ImageInfo};
use image::metadata::Orientation;
use image::{ImageDecoder, ImageError, ImageFormat, ImageReader};

use crate::sniff::image_kind;
use crate::{ExtractError, Limits};

/// Extracts an image file: one [`ImageInfo`] with part `image`, and its metadata with parts
/// `EXIF`, `XMP`, `IPTC`, `PNG text` and `JPEG comment`.
///
/// A header that cannot be read still gives a document (with a warning), because its
/// metadata may be intact; HEIF and BigTIFF give metadata only, with a warning.
///
/// # Errors
/// [`ExtractError::TooLarge`] when the header declares more pixels than
/// [`Limits::max_image_pixels`] or needs more memory than [`Limits::max_image_alloc`];
/// [`ExtractError::UnknownFormat`] when the bytes are no supported image.
pub fn extract(bytes: &[u8], limits: &Limits) -> Result<ExtractedDocument, ExtractError> {
    let Some(kind) = image_kind(bytes) else {
        return Err(ExtractError::UnknownFormat {
            detail: "not a supported image".to_string(),
        });
    };
    let mut doc = ExtractedDocument::new(Format::Image);
    let (width, height) = match dimensions(bytes, limits) {
        Ok(Some((w, h))) => (Some(w), Some(h)),
        Ok(None) => {
            doc.warnings
                .push(format!("{} image: pixels not decoded", kind_label(kind)));
            (None, None)
        }
        Err(e @ ExtractError::TooLarge { .. }) => return Err(e),
        Err(e) => match exif_fields::tiff_dimensions(bytes).filter(|_| kind == "tiff") {
            Some((w, h)) => {
                check_pixel_budget(w, h, limits)?;
                doc.warnings
                    .push(format!("TIFF pixels cannot be decoded: {e}"));
                (Some(w), Some(h))
            }
            None => {
                doc.warnings
                    .push(format!("image header could not be read: {e}"));
                (None, None)
            }
        },
    };
    doc.images.push(ImageInfo {
        part: "image".to_string(),
        page: None,
        width,
        height,
        kind: Some(kind.to_string()),
    });
    read_metadata(bytes, "image", None, &mut doc);
    Ok(doc)
}

/// The pixel size from the image header, checked against the pixel budget; `Ok(None)` for
/// containers whose pixels are not supported (HEIF, BigTIFF). Nothing is decoded.
///
/// # Errors
/// [`ExtractError::TooLarge`] over the budget, [`ExtractError::Corrupt`] for an unreadable
/// header, [`ExtractError::UnknownFormat`] for bytes of no supported image kind.
pub fn dimensions(bytes: &[u8], limits: &Limits) -> Result<Option<(u32, u32)>, ExtractError> {
    let dims = header_dimensions(bytes, limits)?;
    if let Some((w, h)) = dims {
        check_pixel_budget(w, h, limits)?;
    }
    Ok(dims)
}

/// The pixel size the header declares, without the pixel-budget check (for listing an
/// embedded image that is too large to decode); `Ok(None)` for HEIF and BigTIFF.
pub(crate) fn header_dimensions(
    bytes: &[u8],
    limits: &Limits,
) -> Result<Option<(u32, u32)>, ExtractError> {
    let Some(kind) = image_kind(bytes) else {
        return Err(ExtractError::UnknownFormat {
            detail: "not a supported image".to_string(),
        });
    };
    let Some(format) = image_format(kind) else {
        return Ok(None);
    };
    let mut reader = ImageReader::with_format(Cursor::new(bytes), format);
    let mut header_limits = image::Limits::default();
    header_limits.max_alloc = Some(limits.max_image_alloc);
    reader.limits(header_limits);
    let (w, h) = reader
        .into_dimensions()
        .map_err(|e| image_error(e, limits))?;
    Ok(Some((w, h)))
}

/// Decodes the pixels of an image as they are stored, within the pixel and allocation
/// budgets (forensics compares these with the EXIF thumbnail, which is stored the same way).
/// The header is checked first, so a lying header costs nothing.
///
/// # Errors
/// [`ExtractError::TooLarge`] over a budget, [`ExtractError::Unsupported`] for HEIF and
/// BigTIFF, [`ExtractError::Corrupt`] when the pixel data is damaged.
pub fn decode(bytes: &[u8], limits: &Limits) -> Result<image::DynamicImage, ExtractError> {
    decode_with(bytes, limits, false)
}

/// Decodes an image the way viewers show it: turned and mirrored as its EXIF orientation
/// says. Phones store most photos sideways with an orientation tag, and OCR reads a sideways
/// sign as junk; the boxes it finds are then in the picture as displayed.
///
/// # Errors
/// As [`decode`].
pub fn decode_upright(bytes: &[u8], limits: &Limits) -> Result<image::DynamicImage, ExtractError> {
    decode_with(bytes, limits, true)
}

fn decode_with(
    bytes: &[u8],
    limits: &Limits,
    upright: bool,
) -> Result<image::DynamicImage, ExtractError> {
    let Some(kind) = image_kind(bytes) else {
        return Err(ExtractError::UnknownFormat {
            detail: "not a supported image".to_string(),
        });
    };
    let Some(format) = image_format(kind) else {
        return Err(ExtractError::unsupported(
            "image",
            format!("{} pixels cannot be decoded", kind_label(kind)),
        ));
    };
    dimensions(bytes, limits)?;
    let side = u32::try_from(limits.max_image_pixels).unwrap_or(u32::MAX);
    let mut decode_limits = image::Limits::default();
    decode_limits.max_image_width = Some(side);
    decode_limits.max_image_height = Some(side);
    decode_limits.max_alloc = Some(limits.max_image_alloc);
    let mut reader = ImageReader::with_format(Cursor::new(bytes), format);
    reader.limits(decode_limits);
    let mut decoder = reader.into_decoder().map_err(|e| image_error(e, limits))?;
    // A damaged orientation tag is no reason to lose the picture: shown as stored.
    let orientation = if upright {
        decoder.orientation().unwrap_or(Orientation::NoTransforms)
    } else {
        Orientation::NoTransforms
    };
    let mut img = image::DynamicImage::from_decoder(decoder).map_err(|e| image_error(e, limits))?;
    img.apply_orientation(orientation);
    Ok(img)
}

/// Reads every kind of metadata the image container holds into `doc`: EXIF fields and GPS,
/// XMP properties and GPS, IPTC datasets, PNG text chunks and JPEG comments. `part` names the
/// image (`image` for a standalone file, `word/media/image1.jpeg`, `page 3 /Im0`); fields get
/// the part `"<part> EXIF"` (exactly `EXIF` when `part` is `image`), and so on. Damage is
/// reported as warnings; this never fails.
pub fn read_metadata(bytes: &[u8], part: &str, page: Option<u32>, doc: &mut ExtractedDocument) {
    let label = |what: &str| {
        if part == "image" {
            what.to_string()
        } else {
            format!("{part} {what}")
        }
    };
    let kind = image_kind(bytes);
    if matches!(kind, Some("jpeg" | "png" | "tiff" | "webp" | "heif")) {
        exif_fields::read(bytes, &label("EXIF"), page, doc);
    }
    let mut xmp_packets: Vec<Vec<u8>> = Vec::new();
    match kind {
        Some("jpeg") => {
            let segments = containers::jpeg_segments(bytes);
            xmp_packets.extend(segments.xmp.iter().map(|p| p.to_vec()));
            xmp_packets.extend(containers::extended_xmp(&segments.extended_xmp));
            for comment in &segments.comments {
                let value = containers::lossy_text(comment);
                if !value.is_empty() {
                    push_field(doc, &label("JPEG comment"), "Comment", value, page);
                }
            }
            for resources in &segments.photoshop {
                for (key, value) in containers::iptc_fields(resources) {
                    push_field(doc, &label("IPTC"), &key, value, page);
                }
            }
        }
        Some("png") => {
            let chunks = containers::png_text_chunks(bytes);
            for (key, value) in chunks.fields {
                push_field(doc, &label("PNG text"), &key, value, page);
            }
            xmp_packets.extend(chunks.xmp);
            for warning in chunks.warnings {
                doc.warnings
                    .push(format!("{}: {warning}", label("PNG text")));
            }
        }
        _ => {}
    }
    if xmp_packets.is_empty() {
        xmp_packets.extend(containers::find_xmp_packet(bytes).map(<[u8]>::to_vec));
    }
    for packet in &xmp_packets {
        xmp::read(packet, &label("XMP"), page, doc);
    }
}

/// Most characters kept of one metadata value; the rest is cut with an ellipsis.
const MAX_VALUE_CHARS: usize = 4096;

/// Most metadata fields taken from one image, so a crafted file cannot flood the report.
const MAX_FIELDS_PER_IMAGE: usize = 2000;

fn push_field(
    doc: &mut ExtractedDocument,
    part: &str,
    key: &str,
    value: String,
    page: Option<u32>,
) {
    let value = cap_chars(value.trim_matches(|c: char| c == '\0' || c.is_whitespace()));
    if value.is_empty() {
        return;
    }
    let already = doc.metadata.iter().filter(|m| m.part == part).count();
    if already >= MAX_FIELDS_PER_IMAGE {
        return;
    }
    if doc
        .metadata
        .iter()
        .any(|m| m.part == part && m.key == key && m.value == value)
    {
        return;
    }
    doc.metadata.push(clearance_model::MetaField {
        part: part.to_string(),
        key: key.to_string(),
        value,
        page,
    });
}

fn cap_chars(value: &str) -> String {
    match value.char_indices().nth(MAX_VALUE_CHARS) {
        Some((cut, _)) => format!("{}…", value.get(..cut).unwrap_or_default()),
        None => value.to_string(),
    }
}

fn image_format(kind: &str) -> Option<ImageFormat> {
    match kind {
        "jpeg" => Some(ImageFormat::Jpeg),
        "png" => Some(ImageFormat::Png),
        "tiff" => Some(ImageFormat::Tiff),
        "webp" => Some(ImageFormat::WebP),
        "gif" => Some(ImageFormat::Gif),
        _ => None,
    }
}

fn kind_label(kind: &str) -> &'static str {
    match kind {
        "heif" => "HEIF",
        "bigtiff" => "BigTIFF",
        "jpeg" => "JPEG",
        "png" => "PNG",
        "tiff" => "TIFF",
        "webp" => "WebP",
        "gif" => "GIF",
        _ => "unknown",
    }
}

pub(crate) fn check_pixel_budget(w: u32, h: u32, limits: &Limits) -> Result<(), ExtractError> {
    if u64::from(w) * u64::from(h) > limits.max_image_pixels {
        return Err(ExtractError::too_large(format!(
            "image of {w}x{h} pixels exceeds the limit of {} megapixels",
            limits.max_image_pixels as f64 / 1_000_000.0
        )));
    }
    Ok(())
}

fn image_error(e: ImageError, limits: &Limits) -> ExtractError {
    match e {
        ImageError::Limits(_) => ExtractError::too_large(format!(
            "image needs more than the limit of {} MiB of memory to read",
            limits.max_image_alloc / (1024 * 1024)
        )),
        ImageError::Unsupported(u) => ExtractError::unsupported("image", u),
        other => ExtractError::corrupt("image", other),
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)] // a failed unwrap is a failed test
mod tests;
