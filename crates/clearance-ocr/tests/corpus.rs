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
        read_pictures(&bytes, &mut doc, &opts, &limits);
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
