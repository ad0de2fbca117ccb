//! Robustness and false-positive review on the shared corpus of real-world files: every PDF,
//! DOCX and image is extracted and analysed in-process (under `catch_unwind`), and every
//! failed-redaction and hidden-content finding is printed with its file name for review.
//! Skipped with a message when the corpus is absent. `hostile/` is left out: those files are
//! meant to abort a process, which the engine's worker isolates.

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::{Path, PathBuf};

use clearance_extract::Limits;
use clearance_forensics::{analyze_report, Context};
use clearance_model::{Category, Finding};

fn corpus() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/corpus")
}

/// The engine's recursion, minus detection: extract the embedded file and analyse it.
fn scan_nested(name: &str, bytes: &[u8], depth: usize) -> Vec<Finding> {
    let limits = Limits::default();
    let Ok(doc) = clearance_extract::extract(bytes, &limits) else {
        return Vec::new();
    };
    let _ = name;
    let ctx = Context {
        limits: &limits,
        depth,
        scan_embedded: &scan_nested,
        pdf_paint: None,
    };
    analyze_report(bytes, &doc, &ctx).findings
}

fn run_dir(dir: &Path, lines: &mut Vec<String>) -> (usize, usize, usize) {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .map(|rd| rd.filter_map(Result::ok).map(|e| e.path()).collect())
        .unwrap_or_default();
    files.sort();
    let (mut analysed, mut not_extracted, mut crashed) = (0, 0, 0);
    for path in files {
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        if name.ends_with(".md") {
            continue;
        }
        let Ok(bytes) = std::fs::read(&path) else {
            continue;
        };
        let limits = Limits::default();
        let doc = match catch_unwind(AssertUnwindSafe(|| {
            clearance_extract::extract(&bytes, &limits)
        })) {
            Ok(Ok(d)) => d,
            Ok(Err(_)) | Err(_) => {
                not_extracted += 1;
                continue;
            }
        };
        let ctx = Context {
            limits: &limits,
            depth: 0,
            scan_embedded: &scan_nested,
            pdf_paint: None,
        };
        match catch_unwind(AssertUnwindSafe(|| analyze_report(&bytes, &doc, &ctx))) {
            Ok(a) => {
                analysed += 1;
                for f in a.findings.iter().filter(|f| {
                    matches!(
                        f.category,
                        Category::FailedRedaction | Category::HiddenContent
                    )
                }) {
                    let page = f.page.map(|p| format!(" p{p}")).unwrap_or_default();
                    let text: String = f.text.chars().take(70).collect();
                    lines.push(format!(
                        "{name}{page} [{}] {}: {text}",
                        f.category.as_str(),
                        f.rule
                    ));
                }
            }
            Err(_) => {
                crashed += 1;
                lines.push(format!("{name}: FORENSICS PANICKED"));
            }
        }
    }
    (analysed, not_extracted, crashed)
}

#[test]
fn corpus_findings_are_listed_and_nothing_panics() {
    let root = corpus();
    if !root.is_dir() {
        eprintln!("skipped: corpus not found at {}", root.display());
        return;
    }
    let mut crashed_total = 0;
    for sub in ["pdf", "docx", "image"] {
        let mut lines = Vec::new();
        let (ok, skipped, crashed) = run_dir(&root.join(sub), &mut lines);
        crashed_total += crashed;
        println!(
            "== corpus/{sub}: {ok} analysed, {skipped} not extractable, {crashed} forensic panics"
        );
        for l in &lines {
            println!("{l}");
        }
    }
    assert_eq!(crashed_total, 0, "forensics must never panic");
}
