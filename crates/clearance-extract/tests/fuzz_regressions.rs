//! Replays every committed fuzz reproducer (`fuzz/regressions/<target>/*`) through the
//! extractor its target drives: each must give a document or a clear error, never a panic.
//! Reproducers of findings not yet fixed wait in `fuzz/regressions/<target>/open/`, which is
//! not replayed; moving a file up one level makes it a regression test.

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::{Path, PathBuf};

use clearance_extract::{docx, extract, image, pdf, ExtractError, ExtractedDocument, Limits};

type Extractor = fn(&[u8], &Limits) -> Result<ExtractedDocument, ExtractError>;

fn regressions_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fuzz/regressions")
}

/// The reproducer files of one target: regular files only, without the README.
fn reproducers(target: &str) -> Vec<PathBuf> {
    let Ok(entries) = std::fs::read_dir(regressions_dir().join(target)) else {
        return Vec::new();
    };
    let mut files: Vec<PathBuf> = entries
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.is_file() && p.file_name().is_some_and(|n| n != "README.md"))
        .collect();
    files.sort();
    files
}

/// Runs every reproducer of `target` through `run`; returns the files that panicked.
fn replay(target: &str, run: Extractor) -> Vec<String> {
    let mut panicked = Vec::new();
    for path in reproducers(target) {
        let bytes =
            std::fs::read(&path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
        let outcome = catch_unwind(AssertUnwindSafe(|| run(&bytes, &Limits::default())));
        match outcome {
            Ok(Ok(_)) => {}
            Ok(Err(e)) => assert!(!e.to_string().is_empty(), "{}: empty error", path.display()),
            Err(_) => panicked.push(path.display().to_string()),
        }
    }
    panicked
}

#[test]
fn the_regressions_folder_exists() {
    assert!(
        regressions_dir().is_dir(),
        "{} is missing",
        regressions_dir().display()
    );
}

#[test]
fn docx_reproducers_do_not_panic() {
    assert_eq!(replay("docx", docx::extract), Vec::<String>::new());
}

#[test]
fn image_reproducers_do_not_panic() {
    assert_eq!(replay("image", image::extract), Vec::<String>::new());
}

#[test]
fn pdf_reproducers_do_not_panic() {
    assert_eq!(replay("pdf", pdf::extract), Vec::<String>::new());
}

#[test]
fn any_reproducer_through_the_top_level_extract_does_not_panic() {
    let mut panicked = Vec::new();
    for target in ["sniff_any", "docx", "image", "pdf"] {
        panicked.extend(replay(target, extract));
    }
    assert_eq!(panicked, Vec::<String>::new());
}
