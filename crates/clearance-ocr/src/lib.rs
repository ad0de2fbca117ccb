//! Text in pictures: standalone images, images embedded in DOCX and PDF, and PDF pages
//! without a text layer are read with Tesseract (English and Simplified Chinese), and the
//! text is added to the document as segments of source `ocr` with one box per char, so every
//! detector runs on it and findings are highlighted on the picture or page.
//!
//! Design decision: the `tesseract` and `pdftoppm` command lines, not C bindings: nothing
//! native to build, a crash stays in the helper process, and each run has a time limit after
//! which the helper is killed. OCR is never skipped silently: a document with pictures whose
//! text was not read (OCR off, tesseract missing, a cap or time budget reached, a picture that
//! failed) says so in its warnings.
#![deny(missing_docs)]

mod error;
pub mod layout;
pub mod pictures;
mod process;
pub mod relines;
pub mod tesseract;
pub mod tsv;

use std::time::{Duration, Instant};

use clearance_extract::{ExtractedDocument, Limits};
use clearance_model::Segment;

pub use error::OcrError;
use pictures::Target;

/// What OCR of one document may do and cost.
#[derive(Debug, Clone, PartialEq)]
pub struct OcrOptions {
    /// Read pictures at all; when false, documents with pictures get an `OCR off` warning.
    pub enabled: bool,
    /// Most pictures (images and pages) read per document.
    pub max_pictures: usize,
    /// Time limit of one tesseract or pdftoppm run.
    pub per_picture: Duration,
    /// Time all OCR of one document may take (keep it under the worker's timeout).
    pub budget: Duration,
}

impl Default for OcrOptions {
    fn default() -> Self {
        OcrOptions {
            enabled: true,
            max_pictures: 50,
            per_picture: Duration::from_secs(30),
            budget: Duration::from_secs(120),
        }
    }
}

/// Reads the text of the pictures of `doc` (extracted from `bytes`) and appends it as `ocr`
/// segments; anything not read is a warning on `doc`.
pub fn read_pictures(
    bytes: &[u8],
    doc: &mut ExtractedDocument,
    opts: &OcrOptions,
    limits: &Limits,
) {
    let (targets, unread) = pictures::targets(doc);
    let all = targets.len() + unread.len();
    if all == 0 {
        return;
    }
    if !opts.enabled {
        doc.warnings
            .push(format!("OCR off: text in {all} image(s) was not read"));
        return;
    }
    if let Err(e) = tesseract::available() {
        doc.warnings.push(format!(
            "OCR unavailable: {e}; text in {all} image(s) was not read"
        ));
        return;
    }
    if !unread.is_empty() {
        let shown: Vec<&str> = unread.iter().take(5).map(String::as_str).collect();
        let more = if unread.len() > shown.len() {
            ", ..."
        } else {
            ""
        };
        doc.warnings.push(format!(
            "OCR reads only JPEG images on PDF pages that have text: text in {} image(s) was not read ({}{more})",
            unread.len(),
            shown.join(", ")
        ));
    }
    let n = targets.len();
    let start = Instant::now();
    let mut pdf: Option<lopdf::Document> = None;
    let mut pdf_file: Option<tempfile::NamedTempFile> = None;
    let mut segments: Vec<Segment> = Vec::new();
    let mut warnings: Vec<String> = Vec::new();
    let mut done = 0usize;
    let mut read_pages: Vec<u32> = Vec::new();
    for target in targets.iter().take(opts.max_pictures) {
        let left = opts.budget.saturating_sub(start.elapsed());
        if left.is_zero() {
            break;
        }
        let limit = left.min(opts.per_picture);
        let result = match target {
            Target::Image { part, page } => {
                read_image(bytes, doc, part, *page, limits, limit, &mut pdf)
            }
            Target::Page { page } => read_page(bytes, doc, *page, limit, &mut pdf_file),
        };
        done += 1;
        match result {
            Ok(found) => {
                if let Target::Page { page } = target {
                    read_pages.push(*page);
                }
                segments.extend(found);
            }
            Err(e) => warnings.push(format!("OCR of {}: {e}", name(target))),
        }
    }
    if done < n {
        let why = if done >= opts.max_pictures {
            format!("OCR stops at {} pictures per document", opts.max_pictures)
        } else {
            format!("OCR time budget of {} s reached", opts.budget.as_secs())
        };
        warnings.push(format!("{why}: text in {} image(s) was not read", n - done));
    }
    // The page still has no text layer (the reviewer must know its text is machine-read),
    // but the warning now says it was read.
    for w in &mut doc.warnings {
        let read = read_pages
            .iter()
            .any(|p| *w == format!("page {p}: {NO_TEXT_LAYER}"));
        if read {
            w.push_str("; its text was read by OCR, which can misread words");
        }
    }
    doc.segments.extend(segments);
    doc.warnings.extend(warnings);
}

/// The extractor's warning for a page without text (after `page N: `).
const NO_TEXT_LAYER: &str = "no text layer (scanned image?)";

fn name(t: &Target) -> String {
    match t {
        Target::Image { part, .. } => part.clone(),
        Target::Page { page } => format!("page {page}"),
    }
}

/// Scale of the second pass over an image: tesseract misreads large characters (a sign
/// filling a photo), and reads them well at a fraction of the size.
const SMALL_PASS: f32 = 0.3;

/// The smallest side a picture needs (after the pass's scale) for a second, smaller pass.
const SMALL_PASS_MIN_SIDE: f32 = 90.0;

fn read_image(
    bytes: &[u8],
    doc: &ExtractedDocument,
    part: &str,
    page: Option<u32>,
    limits: &Limits,
    limit: Duration,
    pdf: &mut Option<lopdf::Document>,
) -> Result<Vec<Segment>, OcrError> {
    let encoded = pictures::image_bytes(bytes, doc, part, page, limits, pdf)?;
    let img = pictures::decode(&encoded, limits)?;
    let start = Instant::now();
    let (png, space) = pictures::png_at(&img, 1.0)?;
    let mut best = (tesseract::recognize(png, limit)?, space);
    let small_side = img.width().min(img.height()) as f32 * SMALL_PASS;
    let left = limit.saturating_sub(start.elapsed());
    if small_side >= SMALL_PASS_MIN_SIDE && !left.is_zero() {
        let (png, space) = pictures::png_at(&img, SMALL_PASS)?;
        let words = tesseract::recognize(png, left)?;
        if layout::score(&words) > layout::score(&best.0) {
            best = (words, space);
        }
    }
    Ok(layout::segments(&best.0, best.1, part, page))
}

fn read_page(
    bytes: &[u8],
    doc: &ExtractedDocument,
    page: u32,
    limit: Duration,
    pdf_file: &mut Option<tempfile::NamedTempFile>,
) -> Result<Vec<Segment>, OcrError> {
    let media_box = pictures::media_box(doc, page)
        .ok_or_else(|| OcrError::Picture(format!("page {page} has no usable media box")))?;
    if pdf_file.is_none() {
        let mut f = tempfile::NamedTempFile::new()
            .map_err(|e| OcrError::Picture(format!("temporary file: {e}")))?;
        std::io::Write::write_all(&mut f, bytes)
            .map_err(|e| OcrError::Picture(format!("temporary file: {e}")))?;
        *pdf_file = Some(f);
    }
    let path = pdf_file
        .as_ref()
        .map(|f| f.path().to_path_buf())
        .ok_or_else(|| OcrError::Picture("temporary file".into()))?;
    let start = Instant::now();
    let (png, space) = pictures::render_page(&path, page, media_box, limit)?;
    let left = limit.saturating_sub(start.elapsed());
    let words = tesseract::recognize(png, left)?;
    Ok(layout::segments(
        &words,
        space,
        &format!("page {page}"),
        Some(page),
    ))
}
