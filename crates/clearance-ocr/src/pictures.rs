//! Which pictures of a document hold text to read, and their pixels.
//!
//! Standalone images, DOCX media, PDF pages without a text layer (rendered whole with
//! pdftoppm, so every image on them and their layout is read at once), and the images of
//! PDF pages that have a text layer (see [`crate::page_images`]).

use std::io::{Cursor, Read};
use std::process::Command;
use std::time::Duration;

use clearance_extract::{ExtractedDocument, Format, Limits};
use clearance_model::Rect;
use image::DynamicImage;

use crate::layout::Space;
use crate::page_images::MIN_SIDE;
use crate::{process, OcrError};

/// Longest side, in pixels, of a picture handed to tesseract; larger ones are scaled down.
const MAX_SIDE: u32 = 4000;

/// Most pixels of a rendered page; a huge media box gets a lower resolution.
const MAX_PAGE_PIXELS: f32 = 40_000_000.0;

/// One picture, or set of pictures, to read.
#[derive(Debug, Clone, PartialEq)]
pub enum Target {
    /// An image whose encoded bytes are found by `part`: `image` (the file itself),
    /// `word/media/image1.png`.
    Image {
        /// Where it lives.
        part: String,
    },
    /// A PDF page without a text layer, rendered whole.
    Page {
        /// 1-based page number.
        page: u32,
    },
    /// The images of a PDF page that has a text layer.
    PageImages {
        /// 1-based page number.
        page: u32,
        /// How many images the extractor lists there that may be worth reading (the page's
        /// own listing decides): the count a warning gives when the page is not reached.
        expected: usize,
    },
}

/// The pictures of `doc` whose text would be read, in document order.
pub fn targets(doc: &ExtractedDocument) -> Vec<Target> {
    match doc.format {
        Format::Image => doc
            .images
            .iter()
            .take(1)
            .map(|_| Target::Image {
                part: "image".into(),
            })
            .collect(),
        Format::Docx => doc
            .images
            .iter()
            .filter(|i| i.part.starts_with("word/"))
            .map(|i| Target::Image {
                part: i.part.clone(),
            })
            .collect(),
        Format::Pdf => {
            let scanned = scanned_pages(doc);
            let mut out: Vec<Target> = scanned.iter().map(|p| Target::Page { page: *p }).collect();
            let mut counts: Vec<(u32, usize)> = Vec::new();
            for i in &doc.images {
                let Some(page) = i.page else { continue };
                let small =
                    i.width.is_some_and(|w| w < MIN_SIDE) || i.height.is_some_and(|h| h < MIN_SIDE);
                if scanned.contains(&page) || small {
                    continue;
                }
                match counts.iter_mut().find(|(p, _)| *p == page) {
                    Some((_, n)) => *n += 1,
                    None => counts.push((page, 1)),
                }
            }
            out.extend(
                counts
                    .into_iter()
                    .map(|(page, expected)| Target::PageImages { page, expected }),
            );
            out.sort_by_key(|t| match t {
                Target::Page { page } | Target::PageImages { page, .. } => *page,
                Target::Image { .. } => 0,
            });
            out
        }
        Format::Text => Vec::new(),
    }
}

/// Pages the extractor found without a text layer.
fn scanned_pages(doc: &ExtractedDocument) -> Vec<u32> {
    let mut pages: Vec<u32> = doc
        .warnings
        .iter()
        .filter_map(|w| {
            let rest = w.strip_prefix("page ")?;
            let (n, why) = rest.split_once(": ")?;
            why.starts_with("no text layer").then(|| n.parse().ok())?
        })
        .collect();
    pages.sort_unstable();
    pages.dedup();
    pages
}

pub(crate) fn media_box(doc: &ExtractedDocument, page: u32) -> Option<Rect> {
    doc.page_info
        .iter()
        .find(|p| p.page == page)
        .map(|p| p.media_box)
        .filter(|r| r.x1 > r.x0 && r.y1 > r.y0)
}

/// The encoded bytes of a standalone image or DOCX media part.
///
/// # Errors
/// [`OcrError::Picture`] when the part cannot be found or read within the limits.
pub fn image_bytes(
    bytes: &[u8],
    doc: &ExtractedDocument,
    part: &str,
    limits: &Limits,
) -> Result<Vec<u8>, OcrError> {
    match doc.format {
        Format::Image => Ok(bytes.to_vec()),
        Format::Docx => docx_media(bytes, part, limits),
        Format::Pdf => Err(OcrError::Picture(
            "PDF images are read per page with pdfimages".into(),
        )),
        Format::Text => Err(OcrError::Picture("a text file has no pictures".into())),
    }
}

fn docx_media(bytes: &[u8], part: &str, limits: &Limits) -> Result<Vec<u8>, OcrError> {
    let bad = |e: &dyn std::fmt::Display| OcrError::Picture(format!("{part}: {e}"));
    let mut zip = zip::ZipArchive::new(Cursor::new(bytes)).map_err(|e| bad(&e))?;
    let file = zip.by_name(part).map_err(|e| bad(&e))?;
    let cap = limits.max_inflated_bytes;
    let mut out = Vec::new();
    file.take(cap.saturating_add(1))
        .read_to_end(&mut out)
        .map_err(|e| bad(&e))?;
    if out.len() as u64 > cap {
        return Err(bad(&format!("inflates past {cap} bytes")));
    }
    Ok(out)
}

/// A decoded picture as PNG bytes for tesseract, scaled by `scale` (times the reduction that
/// brings its longest side under [`MAX_SIDE`]), with the [`Space`] that maps boxes back to the
/// picture's own pixels.
///
/// # Errors
/// [`OcrError::Picture`] when the picture cannot be encoded.
pub fn png_at(img: &DynamicImage, scale: f32) -> Result<(Vec<u8>, Space), OcrError> {
    let (w, h) = (img.width().max(1), img.height().max(1));
    let fit = (MAX_SIDE as f32 / w.max(h) as f32).min(1.0);
    let s = (scale * fit).clamp(0.01, 1.0);
    let gray = img.to_luma8();
    let scaled = if s < 0.999 {
        let nw = ((w as f32 * s).round() as u32).max(1);
        let nh = ((h as f32 * s).round() as u32).max(1);
        image::imageops::resize(&gray, nw, nh, image::imageops::FilterType::Triangle)
    } else {
        gray
    };
    let mut out = Cursor::new(Vec::new());
    scaled
        .write_to(&mut out, image::ImageFormat::Png)
        .map_err(|e| OcrError::Picture(e.to_string()))?;
    Ok((out.into_inner(), Space::Pixels { scale: s }))
}

/// Decodes an image target within the extraction limits, turned upright as its EXIF
/// orientation says (a sideways photo of a sign reads as junk), so boxes are in the picture
/// as viewers display it.
///
/// # Errors
/// [`OcrError::Picture`] for undecodable pixels or a picture over budget.
pub fn decode(bytes: &[u8], limits: &Limits) -> Result<DynamicImage, OcrError> {
    clearance_extract::image::decode_upright(bytes, limits)
        .map_err(|e| OcrError::Picture(e.to_string()))
}

/// Renders one PDF page to a grayscale PNG with pdftoppm, at 300 dpi or less for a huge page.
///
/// # Errors
/// [`OcrError::Unavailable`] without pdftoppm, [`OcrError::Timeout`] or [`OcrError::Failed`].
pub fn render_page(
    pdf_path: &std::path::Path,
    page: u32,
    media_box: Rect,
    limit: Duration,
) -> Result<(Vec<u8>, Space), OcrError> {
    let (w_in, h_in) = (
        (media_box.x1 - media_box.x0) / 72.0,
        (media_box.y1 - media_box.y0) / 72.0,
    );
    let max_dpi = (MAX_PAGE_PIXELS / (w_in * h_in).max(0.01)).sqrt();
    let dpi = max_dpi.clamp(10.0, 300.0).floor();
    let n = page.to_string();
    let png = process::run(
        "pdftoppm",
        Command::new("pdftoppm")
            .args(["-r", &format!("{dpi}"), "-f", &n, "-l", &n, "-gray", "-png"])
            .arg(pdf_path),
        Vec::new(),
        limit,
    )?;
    if png.is_empty() {
        return Err(OcrError::Failed {
            program: "pdftoppm",
            detail: format!("page {page} gave no image"),
        });
    }
    Ok((png, Space::Page { dpi, media_box }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use clearance_model::{ImageInfo, PageInfo};

    #[test]
    fn pdf_targets_are_scanned_pages_and_pages_with_images() {
        let mut doc = ExtractedDocument::new(Format::Pdf);
        doc.warnings = vec![
            "page 2: no text layer (scanned image?)".into(),
            "page 3: text could not be extracted (x)".into(),
        ];
        for p in 1..=4 {
            doc.page_info.push(PageInfo {
                page: p,
                media_box: Rect::new(0.0, 0.0, 595.0, 842.0),
            });
        }
        let img = |part: &str, page, w, h, kind: &str| ImageInfo {
            part: part.into(),
            page: Some(page),
            width: Some(w),
            height: Some(h),
            kind: Some(kind.into()),
        };
        doc.images = vec![
            img("page 3 /Im0", 3, 640, 480, "ccitt"),
            img("page 1 /Im0", 1, 640, 480, "jpeg"),
            img("page 1 /Im1", 1, 900, 300, "raw"),
            img("page 1 /Im2", 1, 32, 32, "raw"),
            img("page 2 /Im0", 2, 2480, 3508, "jpeg"),
            img("page 4 /Icon", 4, 16, 16, "raw"),
        ];
        assert_eq!(
            targets(&doc),
            vec![
                Target::PageImages {
                    page: 1,
                    expected: 2
                },
                Target::Page { page: 2 },
                Target::PageImages {
                    page: 3,
                    expected: 1
                },
            ],
            "icons are not counted; the scanned page is rendered whole instead"
        );
    }
}
