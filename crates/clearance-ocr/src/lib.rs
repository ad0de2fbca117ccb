//! Text in pictures: standalone images, images embedded in DOCX and PDF, and PDF pages
//! without a text layer are read with Tesseract (English and Simplified Chinese), and the
//! text is added to the document as segments of source `ocr` with one box per char, so every
//! detector runs on it and findings are highlighted on the picture or page.
//!
//! Images of PDF pages (any encoding, drawn by the page or its forms) are written out by
//! poppler's `pdfimages` and placed on the page, so their boxes are in page space like the
//! rest of the page's text.
//!
//! Design decision: the `tesseract`, `pdftoppm` and `pdfimages` command lines, not C
//! bindings: nothing native to build, a crash stays in the helper process, and each run has
//! a time limit after which the helper is killed. OCR is never skipped silently: a document with pictures whose
//! text was not read (OCR off, tesseract missing, a cap or time budget reached, a picture that
//! failed) says so in its warnings.
#![deny(missing_docs)]

mod error;
pub mod layout;
pub mod page_images;
pub mod pictures;
mod process;
pub mod relines;
pub mod smoothing;
pub mod tesseract;
pub mod tsv;

use std::time::{Duration, Instant};

use clearance_extract::{ExtractedDocument, Limits};
use clearance_model::Segment;

use clearance_extract::pdf::paint::{PaintLog, PaintLogs};
pub use error::OcrError;
use pictures::Target;
pub use process::die_with_parent;

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
/// segments; anything not read is a warning on `doc`. `paint` holds the PDF paint logs the
/// extraction kept ([`clearance_extract::extract_for_forensics`]): where a page's log is
/// there, its image draws are taken from it instead of interpreting the page again.
pub fn read_pictures(
    bytes: &[u8],
    doc: &mut ExtractedDocument,
    paint: Option<&PaintLogs>,
    opts: &OcrOptions,
    limits: &Limits,
) {
    let targets = pictures::targets(doc);
    let all: usize = targets.iter().map(expected).sum();
    if targets.is_empty() {
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
    let mut run = Run {
        start: Instant::now(),
        opts,
        read: 0,
        unread: Vec::new(),
        unread_count: 0,
        unread_pages: 0,
        by_count: false,
    };
    let mut pdf = PdfFiles::default();
    let mut segments: Vec<Segment> = Vec::new();
    let mut warnings: Vec<String> = Vec::new();
    let mut read_pages: Vec<u32> = Vec::new();
    for target in &targets {
        match target {
            Target::Image { part } => {
                let Some(limit) = run.next(part) else {
                    continue;
                };
                match read_image(bytes, doc, part, limits, limit) {
                    Ok(found) => segments.extend(found),
                    Err(e) => warnings.push(format!("OCR of {part}: {e}")),
                }
            }
            Target::Page { page } => {
                let Some(limit) = run.next(&format!("page {page}")) else {
                    continue;
                };
                match read_page(bytes, doc, *page, limit, &mut pdf) {
                    Ok(found) => {
                        read_pages.push(*page);
                        segments.extend(found);
                    }
                    Err(e) => warnings.push(format!("OCR of page {page}: {e}")),
                }
            }
            Target::PageImages { page, .. } => {
                let what = format!("images of page {page}");
                let Some(limit) = run.page_limit(&what) else {
                    continue;
                };
                let args = PageArgs {
                    bytes,
                    doc,
                    page: *page,
                    limits,
                    limit,
                    kept: paint.and_then(|logs| logs.get(page)?.as_ref().ok()),
                };
                if let Err(e) =
                    read_page_images(&args, &mut run, &mut pdf, &mut segments, &mut warnings)
                {
                    warnings.push(format!("OCR of {what}: {e}"));
                }
            }
        }
    }
    if !run.unread.is_empty() {
        let why = if run.by_count {
            format!("OCR stops at {} pictures per document", opts.max_pictures)
        } else {
            format!("OCR time budget of {} s reached", opts.budget.as_secs())
        };
        let shown: Vec<&str> = run.unread.iter().take(5).map(String::as_str).collect();
        let more = if run.unread.len() > shown.len() {
            ", ..."
        } else {
            ""
        };
        let what = match (run.unread_count, run.unread_pages) {
            (n, 0) => format!("{n} image(s)"),
            (0, p) => format!("the images of {p} page(s)"),
            (n, p) => format!("{n} image(s) and in the images of {p} page(s)"),
        };
        warnings.push(format!(
            "{why}: text in {what} was not read ({}{more})",
            shown.join(", ")
        ));
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

/// How many pictures a target stands for.
fn expected(t: &Target) -> usize {
    match t {
        Target::Image { .. } | Target::Page { .. } => 1,
        Target::PageImages { expected, .. } => *expected,
    }
}

/// The budgets of one document's OCR as it goes: pictures read, time spent, and what was
/// left unread because a budget ran out.
struct Run<'a> {
    start: Instant,
    opts: &'a OcrOptions,
    read: usize,
    /// Names of what was not read.
    unread: Vec<String>,
    /// Pictures not read.
    unread_count: usize,
    /// Pages whose images were not looked at (how many is not known).
    unread_pages: usize,
    /// The picture cap (not the time budget) stopped OCR.
    by_count: bool,
}

impl Run<'_> {
    /// The time limit of a helper run that reads no picture itself (listing the images of
    /// a page), or `None` (and `what`, a page's images, is recorded as unread) when a budget
    /// has run out.
    fn page_limit(&mut self, what: &str) -> Option<Duration> {
        let limit = self.limit(what);
        if limit.is_none() {
            self.unread_pages += 1;
        }
        limit
    }

    /// The time limit of reading one more picture, which is counted, or `None` (and `what` is
    /// recorded as unread) when a budget has run out.
    fn next(&mut self, what: &str) -> Option<Duration> {
        let limit = self.limit(what);
        match limit {
            Some(_) => self.read += 1,
            None => self.unread_count += 1,
        }
        limit
    }

    fn limit(&mut self, what: &str) -> Option<Duration> {
        let left = self.opts.budget.saturating_sub(self.start.elapsed());
        let over_count = self.read >= self.opts.max_pictures;
        if over_count || left.is_zero() {
            self.by_count |= over_count;
            self.unread.push(what.to_string());
            return None;
        }
        Some(left.min(self.opts.per_picture))
    }
}

/// The PDF as lopdf reads it and as a file for poppler, made once per document on demand.
#[derive(Default)]
struct PdfFiles {
    file: Option<tempfile::NamedTempFile>,
    doc: Option<lopdf::Document>,
}

impl PdfFiles {
    fn path(&mut self, bytes: &[u8]) -> Result<std::path::PathBuf, OcrError> {
        if self.file.is_none() {
            let mut f = tempfile::NamedTempFile::new()
                .map_err(|e| OcrError::Picture(format!("temporary file: {e}")))?;
            std::io::Write::write_all(&mut f, bytes)
                .map_err(|e| OcrError::Picture(format!("temporary file: {e}")))?;
            self.file = Some(f);
        }
        self.file
            .as_ref()
            .map(|f| f.path().to_path_buf())
            .ok_or_else(|| OcrError::Picture("temporary file".into()))
    }

    fn doc(&mut self, bytes: &[u8]) -> Result<&lopdf::Document, OcrError> {
        if self.doc.is_none() {
            self.doc = Some(
                clearance_extract::pdf::load_document(bytes)
                    .map_err(|e| OcrError::Picture(e.to_string()))?,
            );
        }
        self.doc
            .as_ref()
            .ok_or_else(|| OcrError::Picture("PDF not loaded".into()))
    }
}

/// The extractor's warning for a page without text (after `page N: `).
const NO_TEXT_LAYER: &str = "no text layer (scanned image?)";

/// Scale of the second pass over an image: tesseract misreads large characters (a sign
/// filling a photo), and reads them well at a fraction of the size.
const SMALL_PASS: f32 = 0.3;

/// The smallest side a picture needs (after the pass's scale) for a second, smaller pass.
const SMALL_PASS_MIN_SIDE: f32 = 90.0;

/// The words of a decoded picture, read at full size and (for a large one) at a fraction of
/// it, whichever reads better, with the scale they were read at.
fn recognize_image(
    img: &image::DynamicImage,
    limit: Duration,
) -> Result<(Vec<tsv::Word>, f32), OcrError> {
    let start = Instant::now();
    let (png, space) = pictures::png_at(img, 1.0)?;
    let mut best = (tesseract::recognize(png, limit)?, space);
    let small_side = img.width().min(img.height()) as f32 * SMALL_PASS;
    let left = limit.saturating_sub(start.elapsed());
    if small_side >= SMALL_PASS_MIN_SIDE && !left.is_zero() {
        let (png, space) = pictures::png_at(img, SMALL_PASS)?;
        let words = tesseract::recognize(png, left)?;
        if layout::score(&words) > layout::score(&best.0) {
            best = (words, space);
        }
    }
    let scale = match best.1 {
        layout::Space::Pixels { scale } => scale,
        _ => 1.0,
    };
    Ok((best.0, scale))
}

fn read_image(
    bytes: &[u8],
    doc: &ExtractedDocument,
    part: &str,
    limits: &Limits,
    limit: Duration,
) -> Result<Vec<Segment>, OcrError> {
    let encoded = pictures::image_bytes(bytes, doc, part, limits)?;
    let img = pictures::decode(&encoded, limits)?;
    let (words, scale) = recognize_image(&img, limit)?;
    Ok(layout::segments(
        &words,
        layout::Space::Pixels { scale },
        part,
        None,
    ))
}

fn read_page(
    bytes: &[u8],
    doc: &ExtractedDocument,
    page: u32,
    limit: Duration,
    pdf: &mut PdfFiles,
) -> Result<Vec<Segment>, OcrError> {
    let media_box = pictures::media_box(doc, page)
        .ok_or_else(|| OcrError::Picture(format!("page {page} has no usable media box")))?;
    let path = pdf.path(bytes)?;
    let start = Instant::now();
    // A page that cannot be listed is still rendered and read, unsmoothed.
    let listed = page_images::list(&path, page, limit).unwrap_or_default();
    let left = limit.saturating_sub(start.elapsed());
    let (png, space) = pictures::render_page(&path, page, media_box, left)?;
    let sigma = match space {
        layout::Space::Page { dpi, media_box } if pixels(media_box, dpi) <= MAX_SMOOTHED_PIXELS => {
            smoothing::page_sigma(&listed, dpi)
        }
        _ => None,
    };
    // An upsampled 1-bit scan is read with its staircase edges smoothed (see [`smoothing`]).
    let png = match sigma {
        Some(sigma) => smoothing::blur_png(&png, sigma)?,
        None => png,
    };
    let left = limit.saturating_sub(start.elapsed());
    let words = tesseract::recognize(png, left)?;
    Ok(layout::segments(
        &words,
        space,
        &format!("page {page}"),
        Some(page),
    ))
}

/// Largest rendered page that is smoothed (an A3 page at 300 dpi is 17.4 million pixels).
const MAX_SMOOTHED_PIXELS: f32 = 20_000_000.0;

/// Pixels of a page rendered at `dpi`.
fn pixels(media_box: clearance_model::Rect, dpi: f32) -> f32 {
    (media_box.x1 - media_box.x0) * (media_box.y1 - media_box.y0) * (dpi / 72.0).powi(2)
}

/// What [`read_page_images`] reads from.
struct PageArgs<'a> {
    bytes: &'a [u8],
    doc: &'a ExtractedDocument,
    page: u32,
    limits: &'a Limits,
    /// Time limit of listing the page's images.
    limit: Duration,
    /// The page's paint log, if extraction kept it.
    kept: Option<&'a PaintLog>,
}

/// Reads the images of a PDF page that has a text layer: lists them, places them on the
/// page, writes them out with pdfimages (bounded in bytes) and reads each within the run's
/// budgets, deleting each file once read.
fn read_page_images(
    a: &PageArgs,
    run: &mut Run,
    pdf: &mut PdfFiles,
    segments: &mut Vec<Segment>,
    warnings: &mut Vec<String>,
) -> Result<(), OcrError> {
    let page = a.page;
    let media_box = pictures::media_box(a.doc, page)
        .ok_or_else(|| OcrError::Picture(format!("page {page} has no usable media box")))?;
    let path = pdf.path(a.bytes)?;
    let listed = page_images::list(&path, page, a.limit)?;
    let lopdf_doc = pdf.doc(a.bytes)?;
    let draws = match a.kept {
        Some(log) => page_images::image_boxes(log),
        None => page_images::draws(lopdf_doc, a.bytes, page, a.limits)?,
    };
    let names = page_images::resource_names(lopdf_doc, page, a.limits.max_depth);
    let plan = page_images::plan(page, &listed, &draws, &names, media_box, a.limits);
    warnings.extend(plan.refused.iter().map(|r| format!("OCR of {r}")));
    if plan.read.is_empty() {
        return Ok(());
    }
    page_images::check_disk(&listed, a.limits.max_image_alloc, plan.read.len())?;
    let dir = tempfile::tempdir().map_err(|e| OcrError::Picture(format!("temporary dir: {e}")))?;
    let Some(limit) = run.page_limit(&format!("images of page {page}")) else {
        return Ok(());
    };
    page_images::write_all(&path, page, dir.path(), limit)?;
    for img in &plan.read {
        let Some(limit) = run.next(&img.part) else {
            continue;
        };
        let result = page_images::take_file(dir.path(), img.num, a.limits.max_inflated_bytes)
            .and_then(|png| pictures::decode(&png, a.limits))
            .and_then(|pixels| {
                let (words, scale) = recognize_image(&pixels, limit)?;
                let space = layout::Space::Placed {
                    scale,
                    width: pixels.width(),
                    height: pixels.height(),
                    bbox: img.bbox,
                };
                Ok(layout::segments(&words, space, &img.part, Some(page)))
            });
        match result {
            Ok(found) => segments.extend(found),
            Err(e) => warnings.push(format!("OCR of {}: {e}", img.part)),
        }
    }
    Ok(())
}
