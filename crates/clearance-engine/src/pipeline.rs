//! One document through the pipeline, in-process: extract, detect, report.

use std::path::Path;

use clearance_detect::{DetectorSet, RulesError, Watchlist};
use clearance_model::{DocumentReport, ExtractedDocument, Finding};

use crate::{sha256_hex, OcrMode, ScanOptions};

/// The built-in detectors plus the watchlist at `rules`, if given.
///
/// # Errors
/// The watchlist cannot be read or is malformed (the error names the line and the field).
pub fn load_detectors(rules: Option<&Path>) -> Result<DetectorSet, RulesError> {
    let set = DetectorSet::builtin();
    Ok(match rules {
        Some(p) => set.with_watchlist(Watchlist::load(p)?),
        None => set,
    })
}

/// Scans one document held in memory, in the current process. `path` only labels the report.
///
/// This is what a worker process runs; call it directly only for trusted input (tests,
/// benchmarks), since a hostile file can abort the process (see the crate docs).
pub fn scan_bytes(
    path: &str,
    bytes: &[u8],
    detectors: &DetectorSet,
    opts: &ScanOptions,
) -> DocumentReport {
    let sha256 = sha256_hex(bytes);
    let clearance_extract::Extraction {
        document: mut doc,
        pdf_paint,
    } = match clearance_extract::extract_for_forensics(bytes, &opts.extract) {
        Ok(extraction) => extraction,
        Err(e) => {
            let mut report = DocumentReport::failed(path, sha256, e.to_string());
            report.format = clearance_extract::sniff(bytes);
            return report;
        }
    };
    // Text in pictures joins the document before detection, so every detector reads it.
    clearance_ocr::read_pictures(
        bytes,
        &mut doc,
        pdf_paint.as_ref(),
        &ocr_options(opts),
        &opts.extract,
    );
    let mut findings = detectors.detect(&doc);
    let forensic = forensics(bytes, &doc, pdf_paint.as_ref(), detectors, opts, 0);
    // Text that only forensics recovered (a comment, a removed revision) gets the content
    // detectors too: a code name under a failed redaction is also a watchlist finding. Its
    // spans point into the recovered text, not the document's segments, so they are dropped.
    let recovered = clearance_forensics::recovered_document(doc.format, &forensic.findings);
    findings.extend(detectors.detect(&recovered).into_iter().map(|mut f| {
        f.span = None;
        f
    }));
    findings.extend(forensic.findings);
    let mut warnings = doc.warnings.clone();
    warnings.extend(forensic.warnings);
    DocumentReport {
        path: path.to_string(),
        sha256,
        format: Some(doc.format),
        pages: doc.pages,
        findings,
        errors: Vec::new(),
        warnings,
        content: opts.include_content.then_some(doc),
    }
}

/// OCR settings of a scan: OCR gets two thirds of the worker's time, so a slow scan ends
/// with a warning naming the pictures not read instead of a killed worker.
fn ocr_options(opts: &ScanOptions) -> clearance_ocr::OcrOptions {
    let budget = opts.worker.timeout.mul_f64(2.0 / 3.0);
    clearance_ocr::OcrOptions {
        enabled: opts.ocr == OcrMode::Auto,
        budget,
        per_picture: budget,
        ..clearance_ocr::OcrOptions::default()
    }
}

/// Forensic checks of one document; embedded files go through extraction, detection and
/// forensics again, one level deeper (the forensics crate stops at its depth limit).
fn forensics(
    bytes: &[u8],
    doc: &ExtractedDocument,
    pdf_paint: Option<&clearance_extract::pdf::paint::PaintLogs>,
    detectors: &DetectorSet,
    opts: &ScanOptions,
    depth: usize,
) -> clearance_forensics::Analysis {
    let scan = |_name: &str, inner: &[u8], depth: usize| -> Vec<Finding> {
        match clearance_extract::extract(inner, &opts.extract) {
            Ok(sub) => {
                let mut found = detectors.detect(&sub);
                found.extend(forensics(inner, &sub, None, detectors, opts, depth).findings);
                found
            }
            // The forensics crate already reports that the embedded file exists; one it
            // cannot open adds no content findings.
            Err(_) => Vec::new(),
        }
    };
    let ctx = clearance_forensics::Context {
        limits: &opts.extract,
        depth,
        scan_embedded: &scan,
        pdf_paint,
    };
    clearance_forensics::analyze_report(bytes, doc, &ctx)
}
