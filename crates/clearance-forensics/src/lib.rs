//! Forensic checks: what a document still carries beyond its visible text. Failed redactions
//! (unapplied PDF `/Redact` annotations), hidden content (comments, tracked changes, hidden and
//! white text, annotations, form values, JavaScript, embedded files, earlier PDF revisions,
//! image thumbnails and trailing bytes) and telltale metadata (sensitivity labels, editing
//! history, template paths).
//!
//! Design decision: forensics runs after extraction, on the original bytes plus the
//! [`ExtractedDocument`], and re-reads only the structures extraction does not model (PDF
//! objects through lopdf, OOXML parts, image containers). It never repeats what the content
//! detectors already flag from [`clearance_model::MetaField`]s and [`clearance_model::GpsPoint`]s.
//! Embedded documents are handed back to the engine through [`Context::scan_embedded`] so they
//! get the full pipeline, depth-limited. Every reader here is bounded by
//! [`clearance_extract::Limits`]; a structure that cannot be read becomes a warning, never a
//! panic and never silence.
#![deny(missing_docs)]

mod diff;
mod docx;
mod embedded;
mod image;
mod labels;
mod package;
mod pdf;
mod report;
mod xml;
mod xmp;

use clearance_extract::Limits;
use clearance_model::{ExtractedDocument, Finding, Format, Segment};

pub use embedded::MAX_EMBED_DEPTH;

/// What the engine hands to [`analyze`].
pub struct Context<'a> {
    /// Budgets for every reader (zip entries, inflation, image pixels, nesting).
    pub limits: &'a Limits,
    /// How deep this document is nested inside others: 0 for a file given by the user.
    pub depth: usize,
    /// Runs the whole pipeline (extraction, detection, forensics) on an embedded file and
    /// returns its findings: `(name, bytes, depth of the embedded file)`.
    pub scan_embedded: &'a ScanEmbedded<'a>,
    /// A PDF's paint logs as extraction made them
    /// ([`clearance_extract::extract_for_forensics`]); pages missing are interpreted again.
    pub pdf_paint: Option<&'a clearance_extract::pdf::paint::PaintLogs>,
}

/// The engine's callback for embedded files: `(name, bytes, depth of the embedded file)` →
/// the findings of the full pipeline on those bytes.
pub type ScanEmbedded<'a> = dyn Fn(&str, &[u8], usize) -> Vec<Finding> + 'a;

/// Findings plus the problems met while looking for them.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Analysis {
    /// Everything flagged, in document order per check.
    pub findings: Vec<Finding>,
    /// Structures that could not be examined (`PDF objects could not be read: ...`). A reviewer
    /// must know that a check did not run; the engine should add these to the report's warnings.
    pub warnings: Vec<String>,
}

/// Runs every forensic check that applies to the document's format and returns the findings.
/// Problems that stopped a check are dropped; use [`analyze_report`] to keep them.
pub fn analyze(bytes: &[u8], doc: &ExtractedDocument, ctx: &Context) -> Vec<Finding> {
    analyze_report(bytes, doc, ctx).findings
}

/// Like [`analyze`], and also says which checks could not run.
pub fn analyze_report(bytes: &[u8], doc: &ExtractedDocument, ctx: &Context) -> Analysis {
    let mut out = report::Out::default();
    match doc.format {
        Format::Pdf => pdf::analyze(bytes, doc, ctx, &mut out),
        Format::Docx => docx::analyze(bytes, doc, ctx, &mut out),
        Format::Image => image::analyze_standalone(bytes, doc, ctx.limits, &mut out),
        Format::Text => {}
    }
    Analysis {
        findings: out.findings,
        warnings: out.warnings,
    }
}

/// Rules whose finding text is words recovered from the file (not a description such as
/// "1 earlier revision(s)"), and which extraction does not put in the document's segments.
const RECOVERED_TEXT_RULES: &[&str] = &[
    "pdf-unapplied-redaction",
    "pdf-annotation-over-text",
    "pdf-annotation-comment",
    "pdf-form-value",
    "pdf-bookmark-title",
    "pdf-javascript",
    "pdf-revision-removed-text",
    "pdf-text-under-box",
    "pdf-text-under-image",
    "pdf-text-on-same-colour-box",
    "pdf-invisible-text",
    "pdf-white-text",
    "pdf-tiny-text",
    "pdf-offpage-text",
    "docx-document-variable",
    "docx-custom-xml",
    "docx-custom-property",
    "image-caption",
];

/// A document holding, as one segment each, the recovered text of the forensic findings that
/// is not already in `format`'s extracted segments (annotation contents, form values, text of
/// earlier revisions, document variables, captions). The engine runs the content detectors
/// on it so that a code name in a comment or a removed passage is also a watchlist or marking
/// finding; spans of those findings point into this document, not the original, so the
/// engine should clear them and keep page and part.
pub fn recovered_document(format: Format, findings: &[Finding]) -> ExtractedDocument {
    let mut doc = ExtractedDocument::new(format);
    for f in findings {
        if f.span.is_some()
            || !RECOVERED_TEXT_RULES.contains(&f.rule.as_str())
            || f.text.trim().is_empty()
        {
            continue;
        }
        let mut seg = Segment::new(f.source, f.text.clone()).with_label(f.rule.clone());
        seg.page = f.page;
        seg.part = f.part.clone();
        doc.segments.push(seg);
    }
    doc
}

#[cfg(test)]
mod tests {
    use super::*;
    use clearance_model::{Category, Severity, Source, Span};

    #[test]
    fn recovered_document_keeps_only_unplaced_recovered_text() {
        let mk = |rule: &str, text: &str, span: Option<Span>| {
            let mut f = Finding::new(
                Category::HiddenContent,
                rule,
                Severity::High,
                text,
                Source::Annotation,
                "x",
            );
            f.span = span;
            f.page = Some(2);
            f
        };
        let findings = vec![
            mk("pdf-annotation-comment", "Move the Falcon Ridge test", None),
            mk("pdf-earlier-revisions", "1 earlier revision(s)", None),
            mk(
                "pdf-unapplied-redaction",
                "Project Nightjar",
                Some(Span::new(0, 0, 16)),
            ),
            mk("pdf-revision-removed-text", "Falcon Ridge", None),
        ];
        let doc = recovered_document(Format::Pdf, &findings);
        let got: Vec<(&str, Option<u32>)> = doc
            .segments
            .iter()
            .map(|s| (s.text.as_str(), s.page))
            .collect();
        assert_eq!(
            got,
            vec![
                ("Move the Falcon Ridge test", Some(2)),
                ("Falcon Ridge", Some(2))
            ]
        );
    }
}
