//! PDF extraction: page text with a box per char, Info/XMP metadata, embedded images.
//!
//! Design decision: every page is read once by our own interpreter ([`run`]), which yields
//! both its glyphs and its paint log for forensics ([`paint`]: everything painted, in paint
//! order, with colours, alpha, render mode and clip). Its text is taken as it is when every
//! char was read through a source that names it (ToUnicode, a standard encoding or known
//! glyph names, a predefined CMap) and reads as text. Only the other pages go to pdf-extract
//! ([`primary`]), whose font handling (embedded CFF/Type1 encodings, core metrics) is the
//! most complete available; the side with more readable chars wins, **per page**, so one bad
//! font costs no other page its text. pdf-extract gets a page only after vetting
//! ([`primary::vet_page`]) so it never meets what it cannot survive (form cycles, inflation
//! bombs); our interpreter is iterative and capped throughout. Fonts are loaded once per
//! document.

mod cmap;
mod decrypt;
mod encoding;
mod font;
mod interp;
mod layout;
mod meta;
pub mod paint;
mod primary;
mod repair;
mod run;
mod streams;
mod strings;
mod truetype;

use clearance_model::{ExtractedDocument, Format, PageInfo, Rect, Segment, Source};
use lopdf::Document;

use crate::{ExtractError, Limits};
use layout::{Glyph, Quality};

/// Extracts text (one [`Segment`] per page, with one box per char in PDF page space),
/// metadata, GPS positions and the list of images of a PDF.
///
/// Pages whose text cannot be read get a warning (`page N: text could not be extracted
/// (...)`, `page N: no text layer (scanned image?)`) instead of silently empty text.
///
/// # Errors
/// [`ExtractError::Encrypted`] when the PDF needs a password, [`ExtractError::Corrupt`] when
/// its structure cannot be parsed.
pub fn extract(bytes: &[u8], limits: &Limits) -> Result<ExtractedDocument, ExtractError> {
    extract_with_paint(bytes, limits).map(|(doc, _)| doc)
}

/// [`extract`], plus the paint logs its single pass over each page made, for forensics to
/// reuse (within a bound: pages missing from the map were not kept).
///
/// # Errors
/// As [`extract`].
pub fn extract_with_paint(
    bytes: &[u8],
    limits: &Limits,
) -> Result<(ExtractedDocument, paint::PaintLogs), ExtractError> {
    let (doc, repaired) = load(bytes)?;
    let mut out = ExtractedDocument::new(Format::Pdf);
    if repaired {
        out.warnings.push(
            "cross-reference table is damaged; objects were found by scanning the file".into(),
        );
    }
    let pages = doc.get_pages();
    out.pages = Some(u32::try_from(pages.len()).unwrap_or(u32::MAX));
    if pages.len() > limits.max_pages {
        out.warnings.push(format!(
            "document has {} pages; only the first {} were read",
            pages.len(),
            limits.max_pages
        ));
    }
    let mut chars_left = limits.max_text_chars;
    let mut fonts = run::FontCache::default();
    let mut keeper = paint::Keeper::default();
    for (&number, &page_id) in pages.iter().take(limits.max_pages) {
        let page_run = run::run_page(&doc, bytes, number, page_id, limits, &mut fonts, chars_left);
        keeper.keep(number, page_run.paint);
        let Ok(page) = doc.get_dictionary(page_id) else {
            out.warnings
                .push(format!("page {number}: page object is damaged"));
            continue;
        };
        out.page_info.push(PageInfo {
            page: number,
            media_box: media_box(&doc, page),
        });
        if chars_left == 0 {
            continue;
        }
        let text = page_text(
            &doc,
            number,
            page_id,
            limits,
            chars_left,
            page_run.scan,
            &mut fonts,
        );
        out.warnings
            .extend(text.warning.map(|w| format!("page {number}: {w}")));
        let (body, boxes) = layout::assemble(&text.glyphs);
        if body.is_empty() {
            continue;
        }
        let n = body.chars().count();
        chars_left = chars_left.saturating_sub(n);
        if chars_left == 0 {
            out.warnings.push(format!(
                "text limit of {} characters reached at page {number}; later text was not read",
                limits.max_text_chars
            ));
        }
        let mut seg = Segment::new(Source::Body, body).with_page(number);
        seg.boxes = boxes;
        out.segments.push(seg);
        meta::page_images(&doc, page, number, limits, &mut out);
    }
    // Images of pages without text were skipped above; list them too.
    for (&number, &page_id) in pages.iter().take(limits.max_pages) {
        let Ok(page) = doc.get_dictionary(page_id) else {
            continue;
        };
        if !out.segments.iter().any(|s| s.page == Some(number)) {
            meta::page_images(&doc, page, number, limits, &mut out);
        }
        meta::page_comments(&doc, page, number, &mut out);
    }
    meta::info_fields(&doc, &mut out);
    meta::xmp_fields(&doc, limits, &mut out);
    Ok((out, keeper.into_logs()))
}

/// Parses a PDF as the extractor does (damaged xref rebuilt, AES-256 decryption finished
/// where lopdf stops short), so the forensic checks and OCR see the objects the text came
/// from.
pub fn load_document(bytes: &[u8]) -> Result<Document, ExtractError> {
    load(bytes).map(|(doc, _)| doc)
}

/// Parses the file, turning lopdf's failures into the crate's errors; a damaged xref is
/// rebuilt once (`true` in the result says so).
fn load(bytes: &[u8]) -> Result<(Document, bool), ExtractError> {
    let parse = |b: &[u8]| match primary::quietly(|| Document::load_mem(b)) {
        Ok(Ok(doc)) => Ok(doc),
        Ok(Err(e)) => Err(load_error(&e)),
        Err(panic) => Err(ExtractError::corrupt(
            "pdf",
            format!("parser failed: {panic}"),
        )),
    };
    let (mut doc, repaired) = match parse(bytes) {
        Ok(doc) => (doc, false),
        Err(ExtractError::Corrupt { detail, .. }) => {
            match repair::rebuild(bytes).map(|b| parse(&b)) {
                Some(Ok(doc)) if !doc.get_pages().is_empty() => (doc, true),
                _ => return Err(ExtractError::corrupt("pdf", detail)),
            }
        }
        Err(e) => return Err(e),
    };
    if doc.is_encrypted() {
        return Err(ExtractError::encrypted("PDF needs a password to open"));
    }
    // It re-parses object streams with lopdf, which panics on some hostile ones.
    if let Err(panic) = primary::quietly(|| decrypt::finish_aes256(&mut doc)) {
        return Err(ExtractError::corrupt(
            "pdf",
            format!("decryption failed: {panic}"),
        ));
    }
    Ok((doc, repaired))
}

fn load_error(e: &lopdf::Error) -> ExtractError {
    match e {
        lopdf::Error::Decryption(_) | lopdf::Error::InvalidPassword => {
            ExtractError::encrypted("PDF needs a password to open")
        }
        lopdf::Error::Unimplemented(what) if what.contains("encrypted") => {
            ExtractError::encrypted("PDF needs a password to open")
        }
        other => ExtractError::corrupt("pdf", format!("cannot parse PDF structure: {other}")),
    }
}

/// The page's media box, inherited from the page tree; US Letter when missing or unreadable,
/// as viewers assume.
fn media_box(doc: &Document, page: &lopdf::Dictionary) -> Rect {
    let nums: Vec<f32> = primary::inherited(doc, page, b"MediaBox")
        .and_then(|o| o.as_array().ok())
        .map(|a| {
            a.iter()
                .filter_map(|o| doc.dereference(o).ok().and_then(|(_, o)| o.as_float().ok()))
                .collect()
        })
        .unwrap_or_default();
    match nums.as_slice() {
        [x0, y0, x1, y1]
            if [x0, y0, x1, y1].iter().all(|v| v.is_finite()) && x0 != x1 && y0 != y1 =>
        {
            Rect::new(*x0, *y0, *x1, *y1)
        }
        _ => Rect::new(0.0, 0.0, 612.0, 792.0),
    }
}

/// The glyphs chosen for one page and the warning a reviewer must see, if any.
struct PageText {
    glyphs: Vec<Glyph>,
    warning: Option<String>,
}

/// Our interpreter's scan when it is trusted and readable; otherwise pdf-extract too, and
/// the side with more readable chars (fewer unreadable on a tie) wins.
fn page_text(
    doc: &Document,
    number: u32,
    page_id: lopdf::ObjectId,
    limits: &Limits,
    budget: usize,
    scan: interp::PageScan,
    fonts: &mut run::FontCache,
) -> PageText {
    let q_scan = Quality::of(&scan.glyphs);
    if scan.trusted() && (q_scan.usable() || scan.text_ops == 0) {
        let warning = (scan.text_ops == 0 && scan.images > 0)
            .then(|| "no text layer (scanned image?)".to_string());
        let mut text = PageText {
            glyphs: scan.glyphs,
            warning,
        };
        add_annotation_text(doc, page_id, limits, &mut text, budget, fonts);
        return text;
    }
    let primary = match doc.get_dictionary(page_id) {
        Ok(page) => primary::vet_page(doc, page, limits)
            .and_then(|()| primary::page_glyphs(doc, number, budget)),
        Err(_) => Err("page object is damaged".into()),
    };
    let primary_glyphs = primary.as_ref().map(Vec::as_slice).unwrap_or_default();
    let q_primary = Quality::of(primary_glyphs);
    // A usable pdf-extract reading beats an untrusted one of ours (its font handling reads
    // embedded programs' encodings that ours only guesses).
    let use_scan = !(primary.is_ok() && q_primary.usable())
        && (q_scan.good > q_primary.good
            || (q_scan.good == q_primary.good && q_scan.bad < q_primary.bad));
    let chosen_quality = if use_scan { q_scan } else { q_primary };
    let warning = if chosen_quality.good == 0 && chosen_quality.bad == 0 {
        if scan.text_ops > 0 || !scan.problems.is_empty() {
            let reason = if scan.problems.is_empty() {
                "its fonts give no Unicode mapping for the characters drawn".to_string()
            } else {
                scan.problems.join("; ")
            };
            Some(format!("text could not be extracted ({reason})"))
        } else if scan.images > 0 {
            Some("no text layer (scanned image?)".to_string())
        } else {
            None
        }
    } else if !chosen_quality.usable() {
        Some(format!(
            "text could not be extracted (mostly unreadable characters: {} of {})",
            chosen_quality.bad,
            chosen_quality.bad + chosen_quality.good
        ))
    } else if use_scan && !scan.problems.is_empty() {
        Some(format!(
            "part of the page could not be read ({})",
            scan.problems.join("; ")
        ))
    } else {
        None
    };
    let glyphs = if use_scan {
        scan.glyphs
    } else {
        primary.unwrap_or_default()
    };
    let mut text = PageText { glyphs, warning };
    add_annotation_text(doc, page_id, limits, &mut text, budget, fonts);
    text
}

/// Adds the text of the page's annotation appearances to its glyphs.
fn add_annotation_text(
    doc: &Document,
    page_id: lopdf::ObjectId,
    limits: &Limits,
    text: &mut PageText,
    budget: usize,
    fonts: &mut run::FontCache,
) {
    let Ok(page) = doc.get_dictionary(page_id) else {
        return;
    };
    let left = budget.saturating_sub(text.glyphs.len());
    let annots = interp::scan_annotations(doc, page, limits, fonts, left);
    text.glyphs.extend(annots.glyphs);
}

#[cfg(test)]
mod tests;
