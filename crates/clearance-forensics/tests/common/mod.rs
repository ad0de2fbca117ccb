//! Shared helpers for the integration tests: fixture loading and a recording stand-in for the
//! engine's embedded-file callback.

use std::cell::RefCell;
use std::path::PathBuf;

use clearance_extract::Limits;
use clearance_forensics::{analyze_report, Analysis, Context};
use clearance_model::{Category, Finding, Severity, Source};

pub fn fixture(name: &str) -> Vec<u8> {
    let p = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../fixtures/forensics")
        .join(name);
    std::fs::read(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

/// What the engine callback was asked to scan.
pub struct Embedded {
    pub name: String,
    pub bytes: Vec<u8>,
    pub depth: usize,
}

/// Extracts `bytes` with the real extractor and runs forensics. The embedded-file callback
/// records each call and answers with one marker finding, so relabelling can be checked.
pub fn analyze(bytes: &[u8]) -> (Analysis, Vec<Embedded>) {
    let limits = Limits::default();
    let doc = clearance_extract::extract(bytes, &limits).unwrap_or_else(|e| panic!("extract: {e}"));
    let calls = RefCell::new(Vec::new());
    let scan = |name: &str, b: &[u8], depth: usize| {
        calls.borrow_mut().push(Embedded {
            name: name.to_string(),
            bytes: b.to_vec(),
            depth,
        });
        let mut f = Finding::new(
            Category::WatchlistTerm,
            "engine-marker",
            Severity::High,
            "marker",
            Source::Body,
            "x",
        );
        f.part = Some("inner part".into());
        f.page = Some(1);
        vec![f]
    };
    let ctx = Context {
        limits: &limits,
        depth: 0,
        scan_embedded: &scan,
        pdf_paint: None,
    };
    let a = analyze_report(bytes, &doc, &ctx);
    (a, calls.into_inner())
}

/// `(category, rule, text)` of every finding except the engine markers.
pub fn summary(a: &Analysis) -> Vec<(String, String, String)> {
    a.findings
        .iter()
        .filter(|f| f.rule != "engine-marker")
        .map(|f| {
            (
                f.category.as_str().to_string(),
                f.rule.clone(),
                f.text.clone(),
            )
        })
        .collect()
}

pub fn triple(c: &str, r: &str, t: &str) -> (String, String, String) {
    (c.to_string(), r.to_string(), t.to_string())
}
