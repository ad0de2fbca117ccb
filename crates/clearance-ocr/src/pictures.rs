//! Which pictures of a document hold text to read, and their pixels.
//!
//! Standalone images, DOCX media, JPEG images of PDF pages that have a text layer, and PDF
//! pages without a text layer (rendered whole with pdftoppm, so every image on them and
//! their layout is read at once). A page-sized JPEG on a page that has text is a scan with an
//! OCR text layer: that layer already is the page's text, so it is not read again.

use std::io::{Cursor, Read};
use std::process::Command;
use std::time::Duration;

use clearance_extract::{ExtractedDocument, Format, Limits};
use clearance_model::Rect;
use image::DynamicImage;

use crate::layout::Space;
use crate::{process, OcrError};

/// Longest side, in pixels, of a picture handed to tesseract; larger ones are scaled down.
const MAX_SIDE: u32 = 4000;

/// Most pixels of a rendered page; a huge media box gets a lower resolution.
const MAX_PAGE_PIXELS: f32 = 40_000_000.0;

/// One picture to read.
#[derive(Debug, Clone, PartialEq)]
pub enum Target {
    /// An image whose encoded bytes are found by `part`: `image` (the file itself),
    /// `word/media/image1.png`, `page 2 /Im0`.
    Image {
        /// Where it lives.
        part: String,
        /// Page, for PDF images.
        page: Option<u32>,
    },
    /// A PDF page without a text layer, rendered whole.
    Page {
        /// 1-based page number.
        page: u32,
    },
}

/// The pictures of `doc` whose text would be read, in document order, and the parts of the
/// pictures that cannot be read (images of PDF pages with text that are stored in a form
/// other than JPEG: CCITT, JBIG2, JPEG 2000, raw pixels).
pub fn targets(doc: &ExtractedDocument) -> (Vec<Target>, Vec<String>) {
    match doc.format {
        Format::Image => (
            doc.images
                .iter()
                .take(1)
                .map(|_| Target::Image {
                    part: "image".into(),
                    page: None,
                })
                .collect(),
            Vec::new(),
        ),
        Format::Docx => (
            doc.images
                .iter()
                .filter(|i| i.part.starts_with("word/"))
                .map(|i| Target::Image {
                    part: i.part.clone(),
                    page: None,
                })
                .collect(),
            Vec::new(),
        ),
        Format::Pdf => {
            let scanned = scanned_pages(doc);
            let mut out: Vec<Target> = Vec::new();
            let mut unread = Vec::new();
            for p in &scanned {
                out.push(Target::Page { page: *p });
            }
            for i in &doc.images {
                let Some(page) = i.page else { continue };
                if scanned.contains(&page) || is_page_scan(doc, page, i.width, i.height) {
                    continue;
                }
                if i.kind.as_deref() != Some("jpeg") {
                    unread.push(i.part.clone());
                    continue;
                }
                out.push(Target::Image {
                    part: i.part.clone(),
                    page: Some(page),
                });
            }
            out.sort_by_key(|t| match t {
                Target::Page { page } => (*page, 0),
                Target::Image { page, .. } => (page.unwrap_or(0), 1),
            });
            (out, unread)
        }
        Format::Text => (Vec::new(), Vec::new()),
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

/// True when an image of `w`×`h` pixels has its page's shape and a scan's size: the page
/// image of a scanned PDF whose text layer was already read.
fn is_page_scan(doc: &ExtractedDocument, page: u32, w: Option<u32>, h: Option<u32>) -> bool {
    let (Some(w), Some(h)) = (w, h) else {
        return false;
    };
    let Some(mb) = media_box(doc, page) else {
        return false;
    };
    let (pw, ph) = (mb.x1 - mb.x0, mb.y1 - mb.y0);
    if w < 1000 || h == 0 || ph <= 0.0 {
        return false;
    }
    let ratio = (w as f32 / h as f32) / (pw / ph);
    (0.97..=1.03).contains(&ratio)
}

pub(crate) fn media_box(doc: &ExtractedDocument, page: u32) -> Option<Rect> {
    doc.page_info
        .iter()
        .find(|p| p.page == page)
        .map(|p| p.media_box)
        .filter(|r| r.x1 > r.x0 && r.y1 > r.y0)
}

/// The encoded bytes of an image target.
///
/// # Errors
/// [`OcrError::Picture`] when the part cannot be found or read within the limits.
pub fn image_bytes(
    bytes: &[u8],
    doc: &ExtractedDocument,
    part: &str,
    page: Option<u32>,
    limits: &Limits,
    pdf: &mut Option<lopdf::Document>,
) -> Result<Vec<u8>, OcrError> {
    match doc.format {
        Format::Image => Ok(bytes.to_vec()),
        Format::Docx => docx_media(bytes, part, limits),
        Format::Pdf => pdf_jpeg(bytes, part, page, pdf),
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

fn pdf_jpeg(
    bytes: &[u8],
    part: &str,
    page: Option<u32>,
    pdf: &mut Option<lopdf::Document>,
) -> Result<Vec<u8>, OcrError> {
    let bad = |e: &str| OcrError::Picture(format!("{part}: {e}"));
    let page = page.ok_or_else(|| bad("no page"))?;
    let name = part
        .rsplit_once(" /")
        .map(|(_, n)| n)
        .ok_or_else(|| bad("no image name"))?;
    if pdf.is_none() {
        *pdf = Some(lopdf::Document::load_mem(bytes).map_err(|e| bad(&e.to_string()))?);
    }
    let doc = pdf.as_ref().ok_or_else(|| bad("PDF not loaded"))?;
    let page_id = *doc
        .get_pages()
        .get(&page)
        .ok_or_else(|| bad("page not found"))?;
    let (own, inherited) = doc
        .get_page_resources(page_id)
        .map_err(|e| bad(&e.to_string()))?;
    let mut dicts: Vec<&lopdf::Dictionary> = own.into_iter().collect();
    dicts.extend(
        inherited
            .iter()
            .filter_map(|id| doc.get_dictionary(*id).ok()),
    );
    for res in dicts {
        let Some(xobjects) = res
            .get(b"XObject")
            .ok()
            .and_then(|o| doc.dereference(o).ok())
            .and_then(|(_, o)| o.as_dict().ok())
        else {
            continue;
        };
        let Some(x) = xobjects.get(name.as_bytes()).ok() else {
            continue;
        };
        let Ok(stream) = doc.dereference(x).and_then(|(_, o)| o.as_stream()) else {
            continue;
        };
        if stream.content.starts_with(&[0xFF, 0xD8]) {
            return Ok(stream.content.clone());
        }
    }
    Err(bad("only JPEG images stored as-is are read"))
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

/// Decodes an image target within the extraction limits.
///
/// # Errors
/// [`OcrError::Picture`] for undecodable pixels or a picture over budget.
pub fn decode(bytes: &[u8], limits: &Limits) -> Result<DynamicImage, OcrError> {
    clearance_extract::image::decode(bytes, limits).map_err(|e| OcrError::Picture(e.to_string()))
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
    fn pdf_targets_are_scanned_pages_and_small_jpegs() {
        let mut doc = ExtractedDocument::new(Format::Pdf);
        doc.warnings = vec![
            "page 2: no text layer (scanned image?)".into(),
            "page 3: text could not be extracted (x)".into(),
        ];
        for p in 1..=3 {
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
            img("page 1 /Im0", 1, 640, 480, "jpeg"),
            img("page 1 /Im1", 1, 2480, 3508, "jpeg"),
            img("page 1 /Im2", 1, 640, 480, "raw"),
            img("page 2 /Im0", 2, 2480, 3508, "jpeg"),
        ];
        let (read, unread) = targets(&doc);
        assert_eq!(unread, ["page 1 /Im2"]);
        assert_eq!(
            read,
            vec![
                Target::Image {
                    part: "page 1 /Im0".into(),
                    page: Some(1)
                },
                Target::Page { page: 2 },
            ],
            "a page-sized scan on a page with text is its OCR layer's image; raw images are skipped"
        );
    }
}
