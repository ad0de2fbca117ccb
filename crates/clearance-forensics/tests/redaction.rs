//! Paint-order forensics on the generated fixtures (fixtures/generate/gen_redaction.py): text
//! under boxes and images, invisible text, and the false-positive traps that must stay silent.
//! Also runs the real-world corpus under `catch_unwind` and prints what it flags.

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::PathBuf;

use clearance_extract::Limits;
use clearance_forensics::{analyze_report, Analysis, Context};
use clearance_model::Finding;

/// Rules of the paint-order checks.
const RULES: &[&str] = &[
    "pdf-text-under-box",
    "pdf-text-under-image",
    "pdf-invisible-text",
    "pdf-white-text",
    "pdf-tiny-text",
    "pdf-offpage-text",
    "pdf-text-on-same-colour-box",
];

fn fixture(name: &str) -> Vec<u8> {
    let p = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../fixtures/redaction")
        .join(name);
    std::fs::read(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

/// Forensics as the engine runs it, on the paint logs extraction kept; checked against a run
/// that interprets every page afresh, which must find exactly the same.
fn analyze(bytes: &[u8]) -> Analysis {
    let limits = Limits::default();
    let extraction = clearance_extract::extract_for_forensics(bytes, &limits)
        .unwrap_or_else(|e| panic!("extract: {e}"));
    let doc = &extraction.document;
    let scan = |_: &str, _: &[u8], _: usize| Vec::<Finding>::new();
    let mut ctx = Context {
        limits: &limits,
        depth: 0,
        scan_embedded: &scan,
        pdf_paint: extraction.pdf_paint.as_ref(),
    };
    let reused = analyze_report(bytes, doc, &ctx);
    ctx.pdf_paint = None;
    assert_eq!(
        reused,
        analyze_report(bytes, doc, &ctx),
        "kept paint logs and a fresh reading disagree"
    );
    reused
}

/// `(category, rule, text)` of the paint-order findings.
fn paint_findings(a: &Analysis) -> Vec<(String, String, String)> {
    a.findings
        .iter()
        .filter(|f| RULES.contains(&f.rule.as_str()))
        .map(|f| {
            (
                f.category.as_str().to_string(),
                f.rule.clone(),
                f.text.clone(),
            )
        })
        .collect()
}

fn one(c: &str, r: &str, t: &str) -> Vec<(String, String, String)> {
    vec![(c.to_string(), r.to_string(), t.to_string())]
}

#[test]
fn black_box_over_text_is_a_failed_redaction() {
    let a = analyze(&fixture("redaction_black_box.pdf"));
    assert_eq!(
        paint_findings(&a),
        one("failed-redaction", "pdf-text-under-box", "Project Nightjar")
    );
    let Some(f) = a.findings.iter().find(|f| f.rule == "pdf-text-under-box") else {
        panic!("no text-under-box finding");
    };
    assert_eq!(
        f.explanation,
        "Text under a black box on page 1 can be copied: \"Project Nightjar\""
    );
    assert_eq!(f.page, Some(1));
    let Some(b) = f.bbox else {
        panic!("the finding has the box's bbox");
    };
    assert!(b.x0 < 72.0 && b.x1 > 150.0 && b.y0 <= 697.0, "{b:?}");
    assert!(
        f.span.is_some(),
        "the covered words are located in the page text"
    );
}

#[test]
fn dark_grey_even_odd_box_counts() {
    let a = analyze(&fixture("redaction_dark_grey_fstar.pdf"));
    assert_eq!(
        paint_findings(&a),
        one("failed-redaction", "pdf-text-under-box", "Project Nightjar")
    );
    assert!(a.findings[0].explanation.contains("dark grey box"));
}

#[test]
fn black_image_over_text_is_a_failed_redaction() {
    let a = analyze(&fixture("redaction_image_over_text.pdf"));
    assert_eq!(
        paint_findings(&a),
        one(
            "failed-redaction",
            "pdf-text-under-image",
            "Project Nightjar"
        )
    );
    assert!(
        a.findings[0]
            .explanation
            .starts_with("Text under a black image on page 1"),
        "{}",
        a.findings[0].explanation
    );
}

#[test]
fn black_text_on_a_black_box_drawn_first_is_a_failed_redaction() {
    let a = analyze(&fixture("redaction_black_highlight.pdf"));
    assert_eq!(
        paint_findings(&a),
        one(
            "failed-redaction",
            "pdf-text-on-same-colour-box",
            "Project Nightjar"
        )
    );
    assert_eq!(
        a.findings[0].explanation,
        "Text on page 1 is printed in the colour of the dark box under it and can be copied: \"Project Nightjar\""
    );
}

#[test]
fn traps_stay_silent() {
    for name in [
        "box_before_text.pdf",
        "header_bar_white_text.pdf",
        "proper_redaction.pdf",
        "thin_rules.pdf",
        "scan_with_ocr_layer.pdf",
    ] {
        let a = analyze(&fixture(name));
        assert_eq!(paint_findings(&a), vec![], "{name} hides nothing");
        assert_eq!(a.warnings, Vec::<String>::new(), "{name} is checked fully");
    }
}

#[test]
fn invisible_text_is_hidden_content() {
    let cases = [
        ("invisible_tr3.pdf", "pdf-invisible-text"),
        ("white_text.pdf", "pdf-white-text"),
        ("tiny_text.pdf", "pdf-tiny-text"),
        ("offpage_text.pdf", "pdf-offpage-text"),
    ];
    for (name, rule) in cases {
        let a = analyze(&fixture(name));
        assert_eq!(
            paint_findings(&a),
            one("hidden-content", rule, "Falcon Ridge test site"),
            "{name}"
        );
        assert_eq!(a.findings[0].page, Some(1));
    }
}

/// The project's other PDF fixtures (text samples, scans with an OCR layer, the other
/// forensic cases) hide nothing by paint order.
#[test]
fn other_fixtures_are_silent() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../fixtures");
    let mut checked = 0;
    for dir in ["", "ocr", "forensics"] {
        let Ok(entries) = std::fs::read_dir(root.join(dir)) else {
            continue;
        };
        for p in entries.flatten().map(|e| e.path()) {
            if p.extension().is_none_or(|e| e != "pdf") {
                continue;
            }
            let a = analyze(&std::fs::read(&p).unwrap_or_default());
            assert_eq!(paint_findings(&a), vec![], "{}", p.display());
            checked += 1;
        }
    }
    assert!(checked >= 10, "found only {checked} fixtures");
}

/// Runs every corpus PDF and prints the paint-order findings for review (the closing note
/// lists each with a verdict from the rendered page). Fails only on a panic.
#[test]
fn corpus_paint_findings() {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/corpus/pdf");
    let Ok(entries) = std::fs::read_dir(&dir) else {
        eprintln!("skipped: corpus folder {} is absent", dir.display());
        return;
    };
    let mut paths: Vec<PathBuf> = entries.flatten().map(|e| e.path()).collect();
    paths.sort();
    let mut panics = Vec::new();
    for p in paths {
        let Ok(bytes) = std::fs::read(&p) else {
            continue;
        };
        let name = p
            .file_name()
            .unwrap_or_default()
            .to_string_lossy()
            .to_string();
        let result = catch_unwind(AssertUnwindSafe(|| {
            let limits = Limits::default();
            let Ok(doc) = clearance_extract::extract(&bytes, &limits) else {
                return Vec::new();
            };
            let scan = |_: &str, _: &[u8], _: usize| Vec::<Finding>::new();
            let ctx = Context {
                limits: &limits,
                depth: 0,
                scan_embedded: &scan,
                pdf_paint: None,
            };
            let a = analyze_report(&bytes, &doc, &ctx);
            for w in a
                .warnings
                .iter()
                .filter(|w| w.contains("paint order") || w.contains("not listed"))
            {
                println!("CORPUS-WARNING {name}: {w}");
            }
            a.findings
        }));
        match result {
            Ok(findings) => {
                for f in findings.iter().filter(|f| RULES.contains(&f.rule.as_str())) {
                    println!(
                        "CORPUS {name} p{} {} {} {:?} {:?}",
                        f.page.unwrap_or(0),
                        f.category.as_str(),
                        f.rule,
                        f.text,
                        f.bbox
                    );
                }
            }
            Err(_) => panics.push(name),
        }
    }
    assert_eq!(panics, Vec::<String>::new(), "forensics must not panic");
}

/// The paint log on the hostile corpus PDFs (bombs, cycles, deep nesting), called directly
/// so that extraction refusing a file does not hide the interpreter: it must return, bounded,
/// without a panic.
#[test]
fn paint_log_survives_hostile_pdfs() {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/corpus/hostile");
    let Ok(entries) = std::fs::read_dir(&dir) else {
        eprintln!("skipped: corpus folder {} is absent", dir.display());
        return;
    };
    let limits = Limits::default();
    for p in entries.flatten().map(|e| e.path()) {
        if p.extension().is_none_or(|e| e != "pdf") {
            continue;
        }
        let bytes = std::fs::read(&p).unwrap_or_default();
        let started = std::time::Instant::now();
        let outcome = catch_unwind(AssertUnwindSafe(|| {
            let Ok(doc) = lopdf::Document::load_mem(&bytes) else {
                return "not loadable".to_string();
            };
            let pages: Vec<u32> = doc.get_pages().keys().copied().take(5).collect();
            let mut notes = Vec::new();
            for page in pages {
                match clearance_extract::pdf::paint::page_paint(&doc, &bytes, page, &limits) {
                    Ok(log) => notes.push(format!(
                        "p{page}: {} items, problems {:?}",
                        log.items.len(),
                        log.problems
                    )),
                    Err(e) => notes.push(format!("p{page}: {e}")),
                }
            }
            notes.join("; ")
        }));
        let name = p
            .file_name()
            .unwrap_or_default()
            .to_string_lossy()
            .to_string();
        println!("HOSTILE {name} {:?}: {:?}", started.elapsed(), outcome);
        assert!(outcome.is_ok(), "{name} panicked");
    }
}

/// A one-page PDF (Helvetica as /F1) drawing `content`.
fn one_page(content: &str) -> Vec<u8> {
    let objs = [
        "<< /Type /Catalog /Pages 2 0 R >>".to_string(),
        "<< /Type /Pages /Kids [3 0 R] /Count 1 >>".to_string(),
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources << /Font << /F1 5 0 R >> >> /Contents 4 0 R >>".to_string(),
        format!("<< /Length {} >>\nstream\n{content}\nendstream", content.len()),
        "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>".to_string(),
    ];
    let mut out = String::from("%PDF-1.7\n");
    let mut offsets = Vec::new();
    for (i, body) in objs.iter().enumerate() {
        offsets.push(out.len());
        out.push_str(&format!("{} 0 obj\n{body}\nendobj\n", i + 1));
    }
    let xref = out.len();
    out.push_str(&format!(
        "xref\n0 {}\n0000000000 65535 f \n",
        objs.len() + 1
    ));
    for o in offsets {
        out.push_str(&format!("{o:010} 00000 n \n"));
    }
    out.push_str(&format!(
        "trailer\n<< /Size {} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n",
        objs.len() + 1
    ));
    out.into_bytes()
}

/// A dense page painted over by a white sheet, and a page of thousands of small boxes after
/// the text: both are checked in bounded time.
#[test]
fn dense_pages_are_checked_quickly() {
    let line = "secret plan ".repeat(8);
    let text: String = (0..150)
        .map(|i| format!("BT /F1 4 Tf 20 {} Td ({line}) Tj ET\n", 20 + i * 5))
        .collect();
    let sheet = one_page(&format!("{text}1 g 0 0 612 792 re f"));
    let started = std::time::Instant::now();
    let a = analyze(&sheet);
    let found = paint_findings(&a);
    assert_eq!(found.len(), 1, "one finding for the one cover");
    assert_eq!(found[0].1, "pdf-text-under-box");
    assert!(started.elapsed().as_secs() < 30, "{:?}", started.elapsed());
    println!("sheet: {:?}", started.elapsed());

    let boxes: String = (0..5000)
        .map(|i| format!("{} {} 3 3 re f\n", 20 + (i % 100) * 5, 20 + (i / 100) * 5))
        .collect();
    let tiles = one_page(&format!("{text}0.5 g\n{boxes}"));
    let started = std::time::Instant::now();
    let a = analyze(&tiles);
    println!("tiles: {:?} {:?}", started.elapsed(), a.warnings);
    assert!(started.elapsed().as_secs() < 30, "{:?}", started.elapsed());
}
