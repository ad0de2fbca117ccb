//! Extraction: every supported format becomes one [`ExtractedDocument`] of text segments that
//! know where they came from (page and glyph boxes, DOCX part, image), plus metadata, GPS
//! positions and the list of images.
//!
//! Design decision: extraction is pure (bytes in, model out) and bounded by explicit
//! [`Limits`], but it is still never trusted to survive hostile input on its own: third-party
//! parsers can abort the process (stack overflow, allocation failure), so the engine runs this
//! code inside a worker process with a memory cap and a wall-clock limit. Limits here keep the
//! common bombs cheap and give clear errors; the worker is the last line of defence.
#![deny(missing_docs)]

mod error;
mod limits;
mod sniff;

pub mod docx;
pub mod image;
pub mod pdf;
pub mod text;

pub use clearance_model::{ExtractedDocument, Format};
pub use error::ExtractError;
pub use limits::Limits;
pub use sniff::sniff;

/// Extracts a document of any supported format, decided from its content.
///
/// # Errors
/// [`ExtractError::UnknownFormat`] when the bytes are of no supported format, and the
/// format-specific errors of [`pdf::extract`], [`docx::extract`], [`image::extract`] and
/// [`text::extract`].
pub fn extract(bytes: &[u8], limits: &Limits) -> Result<ExtractedDocument, ExtractError> {
    extract_for_forensics(bytes, limits).map(|e| e.document)
}

/// A document as extracted, plus what extraction learned on the way that forensics reuses.
#[derive(Debug)]
pub struct Extraction {
    /// The document.
    pub document: ExtractedDocument,
    /// For a PDF, the paint log of each page read (see [`pdf::extract_with_paint`]).
    pub pdf_paint: Option<pdf::paint::PaintLogs>,
}

/// [`extract`], keeping what forensics can reuse (a PDF's paint logs), so the engine does
/// not interpret a PDF's pages twice.
///
/// # Errors
/// As [`extract`].
pub fn extract_for_forensics(bytes: &[u8], limits: &Limits) -> Result<Extraction, ExtractError> {
    let document = |document| Extraction {
        document,
        pdf_paint: None,
    };
    match sniff(bytes) {
        Some(Format::Pdf) => pdf::extract_with_paint(bytes, limits).map(|(doc, logs)| Extraction {
            document: doc,
            pdf_paint: Some(logs),
        }),
        Some(Format::Docx) => docx::extract(bytes, limits).map(document),
        Some(Format::Image) => image::extract(bytes, limits).map(document),
        Some(Format::Text) => text::extract(bytes, limits).map(document),
        None => Err(sniff::explain_unknown(bytes)),
    }
}
