//! The shared corpus of real and hostile images: OCR never panics or hangs on them, and
//! photos without signs give no OCR findings (junk text read from texture would be a false
//! finding on every holiday photo). Skips with a message when the corpus or tesseract is
//! absent.
#![allow(clippy::unwrap_used)]

use std::path::PathBuf;
use std::time::Duration;

use clearance_detect::DetectorSet;
use clearance_extract::Limits;
use clearance_model::Source;
use clearance_ocr::{read_pictures, OcrOptions};

#[test]
fn corpus_images_give_no_ocr_findings() {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/corpus/image");
    let Ok(entries) = std::fs::read_dir(&dir) else {
        eprintln!("SKIPPED: corpus not found at {}", dir.display());
        return;
    };
    if let Err(e) = clearance_ocr::tesseract::available() {
        eprintln!("SKIPPED: needs tesseract with eng and chi_sim: {e}");
        return;
    }
    let limits = Limits::default();
    let opts = OcrOptions {
        per_picture: Duration::from_secs(60),
        ..OcrOptions::default()
    };
    let detectors = DetectorSet::builtin();
    let mut paths: Vec<PathBuf> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
    paths.sort();
    let mut read = 0;
    for path in paths {
        let bytes = std::fs::read(&path).unwrap();
        let Ok(mut doc) = clearance_extract::extract(&bytes, &limits) else {
            continue;
        };
        read_pictures(&bytes, &mut doc, None, &opts, &limits);
        read += 1;
        for s in doc.segments.iter().filter(|s| s.source == Source::Ocr) {
            eprintln!(
                "{}: ocr {:?} conf {:?}",
                path.display(),
                s.text,
                s.confidence
            );
        }
        let ocr: Vec<_> = detectors
            .detect(&doc)
            .into_iter()
            .filter(|f| f.source == Source::Ocr)
            .collect();
        assert!(ocr.is_empty(), "{}: {ocr:#?}", path.display());
    }
    assert!(read > 0, "no corpus image could be read");
}

/// The corpus PDFs, real and hostile: OCR of page images (any encoding, pages with and without text) never
/// panics or hangs, stays within its budget, and every OCR box is in page space: smaller than
/// the page and near it (an image may be drawn partly or wholly off the page, as in
/// issue1350.pdf, and is still read: its text is in the file).
#[test]
fn corpus_pdf_images_are_read_onto_their_pages() {
    let corpus = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/corpus");
    let Ok(entries) = std::fs::read_dir(corpus.join("pdf")) else {
        eprintln!("SKIPPED: corpus not found at {}", corpus.display());
        return;
    };
    // The hostile PDFs too: an image XObject bomb, XObject cycles, a huge media box.
    let hostile = std::fs::read_dir(corpus.join("hostile"))
        .into_iter()
        .flatten();
    if let Err(e) = clearance_ocr::tesseract::available() {
        eprintln!("SKIPPED: needs tesseract with eng and chi_sim: {e}");
        return;
    }
    let limits = Limits::default();
    let opts = OcrOptions {
        max_pictures: 4,
        per_picture: Duration::from_secs(20),
        budget: Duration::from_secs(30),
        ..OcrOptions::default()
    };
    let mut paths: Vec<PathBuf> = entries
        .chain(hostile)
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|e| e == "pdf"))
        .collect();
    paths.sort();
    let mut boxed = 0;
    for path in paths {
        let bytes = std::fs::read(&path).unwrap();
        let Ok(mut doc) = clearance_extract::extract(&bytes, &limits) else {
            continue;
        };
        let start = std::time::Instant::now();
        read_pictures(&bytes, &mut doc, None, &opts, &limits);
        // The budget, plus the last helper run it let start (killed at its own limit).
        assert!(
            start.elapsed() < opts.budget + opts.per_picture + Duration::from_secs(5),
            "{}",
            path.display()
        );
        for w in doc.warnings.iter().filter(|w| w.contains("OCR")) {
            eprintln!("{}: {w}", path.display());
        }
        for s in doc.segments.iter().filter(|s| s.source == Source::Ocr) {
            eprintln!("{}: ocr {:?} part {:?}", path.display(), s.text, s.part);
            let page = s.page.expect("PDF OCR segments have a page");
            let media = doc
                .page_info
                .iter()
                .find(|p| p.page == page)
                .unwrap()
                .media_box;
            let (w, h) = (media.x1 - media.x0, media.y1 - media.y0);
            for b in s.boxes.iter().filter(|b| !b.is_unknown()) {
                assert!(
                    b.x1 - b.x0 <= w
                        && b.y1 - b.y0 <= h
                        && b.x0 >= media.x0 - w
                        && b.y0 >= media.y0 - h
                        && b.x1 <= media.x1 + w
                        && b.y1 <= media.y1 + h,
                    "{}: {:?} off page {page} {media:?} ({:?})",
                    path.display(),
                    b,
                    s.text
                );
                boxed += 1;
            }
        }
    }
    eprintln!("{boxed} OCR char boxes checked");
}
