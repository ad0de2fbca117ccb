//! Extraction of the generated fixtures and the shared corpus.

#![allow(clippy::unwrap_used)] // Tests fail loudly on purpose.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use super::*;

fn fixture(name: &str) -> Vec<u8> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../fixtures")
        .join(name);
    std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn page_text(doc: &ExtractedDocument, page: u32) -> &Segment {
    doc.segments
        .iter()
        .find(|s| s.page == Some(page))
        .unwrap_or_else(|| panic!("no text on page {page}"))
}

/// Asserts `needle` is on `page` and that its chars' boxes lie inside the media box.
fn assert_planted(doc: &ExtractedDocument, page: u32, needle: &str) {
    let seg = page_text(doc, page);
    let start = seg
        .text
        .find(needle)
        .unwrap_or_else(|| panic!("{needle:?} not in page {page}: {:?}", seg.text));
    assert_eq!(
        seg.boxes.len(),
        seg.text.chars().count(),
        "one box per char"
    );
    let media = doc
        .page_info
        .iter()
        .find(|p| p.page == page)
        .map(|p| p.media_box)
        .unwrap();
    let bbox = seg
        .bbox_of(start, start + needle.len())
        .unwrap_or_else(|| panic!("no boxes for {needle:?}"));
    assert!(
        bbox.x0 >= media.x0 && bbox.y0 >= media.y0 && bbox.x1 <= media.x1 && bbox.y1 <= media.y1,
        "{needle:?} box {bbox:?} outside media box {media:?}"
    );
}

#[test]
fn sample_en_planted_text() {
    let doc = extract(&fixture("sample-en.pdf"), &Limits::default()).unwrap();
    assert_eq!(doc.pages, Some(2));
    assert_eq!(doc.page_info.len(), 2);
    assert_eq!(
        doc.page_info[0].media_box,
        Rect::new(0.0, 0.0, 612.0, 792.0)
    );
    for needle in [
        "TOP SECRET//NOFORN",
        "Project Nightjar",
        "40.51234, 89.45100",
    ] {
        assert_planted(&doc, 1, needle);
    }
    for needle in [
        "Classified By: J. Smith",
        "Derived From: SCG 2019-03",
        "Declassify On: 20451231",
        "r.jones@example.mil",
        "TOP\nSECRET//NOFORN",
    ] {
        assert_planted(&doc, 2, needle);
    }
    let banner = page_text(&doc, 1);
    assert!(
        banner.text.starts_with("TOP SECRET//NOFORN\n"),
        "the banner is the first line: {:?}",
        banner.text
    );
    assert!(doc.warnings.is_empty(), "{:?}", doc.warnings);
    let author = doc
        .metadata
        .iter()
        .find(|m| m.part == "PDF Info" && m.key == "Author");
    assert_eq!(author.map(|m| m.value.as_str()), Some("J. Smith"));
}

#[test]
fn sample_zh_planted_text() {
    let doc = extract(&fixture("sample-zh.pdf"), &Limits::default()).unwrap();
    for needle in [
        "机密★5年",
        "关于黄羊试验场配套设施涉密采购的通知",
        "61398部队",
        "北纬40度30分 东经89度27分",
        "夜鹰\n工程",
    ] {
        assert_planted(&doc, 1, needle);
    }
    assert!(page_text(&doc, 1).text.starts_with("机密★5年\n"));
    assert!(doc.warnings.is_empty(), "{:?}", doc.warnings);
    let title = doc
        .metadata
        .iter()
        .find(|m| m.key == "Title")
        .map(|m| m.value.as_str());
    assert_eq!(title, Some("采购通知"), "UTF-16BE Info strings decode");
}

#[test]
fn predefined_cmap_fixture_needs_the_fallback() {
    let bytes = fixture("cjk-predefined-cmap.pdf");
    let lopdf_doc = Document::load_mem(&bytes).unwrap();
    assert!(
        primary::page_glyphs(&lopdf_doc, 1, 1000).is_err(),
        "pdf-extract cannot read UniGB-UCS2-H"
    );
    let doc = extract(&bytes, &Limits::default()).unwrap();
    for needle in ["绝密★长期", "夜鹰工程 配套设施", "内部资料"] {
        assert_planted(&doc, 1, needle);
    }
    let seg = page_text(&doc, 1);
    assert_eq!(
        seg.text, "绝密★长期\n夜鹰工程 配套设施\n内部资料",
        "horizontal lines, then the vertical column"
    );
    assert!(doc.warnings.is_empty(), "{:?}", doc.warnings);
    let title = doc
        .metadata
        .iter()
        .find(|m| m.key == "Title")
        .map(|m| m.value.as_str());
    assert_eq!(title, Some("内部"));
}

#[test]
fn truncated_and_garbage_input_are_errors_not_panics() {
    let bytes = fixture("sample-en.pdf");
    for cut in [0, 10, bytes.len() / 3, bytes.len() / 2, bytes.len() - 10] {
        let _ = extract(&bytes[..cut], &Limits::default());
    }
    let err = extract(b"%PDF-1.4\nthis is not a pdf", &Limits::default()).unwrap_err();
    assert!(matches!(err, ExtractError::Corrupt { .. }), "{err:?}");
}

#[test]
fn limits_are_honoured() {
    let bytes = fixture("sample-en.pdf");
    let limits = Limits {
        max_pages: 1,
        max_text_chars: 10,
        ..Limits::default()
    };
    let doc = extract(&bytes, &limits).unwrap();
    assert_eq!(doc.page_info.len(), 1);
    assert!(
        doc.segments
            .iter()
            .map(|s| s.text.chars().count())
            .sum::<usize>()
            <= 10 + 2
    );
    assert!(
        doc.warnings.iter().any(|w| w.contains("only the first 1")),
        "{:?}",
        doc.warnings
    );
    assert!(
        doc.warnings.iter().any(|w| w.contains("text limit")),
        "{:?}",
        doc.warnings
    );
}

/// A one-page PDF that only draws `jpeg` (a scan with EXIF), built with lopdf.
fn scanned_page_pdf(jpeg: Vec<u8>) -> Vec<u8> {
    use lopdf::{dictionary, Object, Stream};
    let mut doc = Document::with_version("1.5");
    let pages_id = doc.new_object_id();
    let image = Stream::new(
        dictionary! {
            "Type" => "XObject", "Subtype" => "Image", "Width" => 64, "Height" => 48,
            "ColorSpace" => "DeviceRGB", "BitsPerComponent" => 8, "Filter" => "DCTDecode",
        },
        jpeg,
    );
    let image_id = doc.add_object(image);
    let content = doc.add_object(Stream::new(
        dictionary! {},
        b"q 128 0 0 96 72 600 cm /Im0 Do Q".to_vec(),
    ));
    let page = doc.add_object(dictionary! {
        "Type" => "Page", "Parent" => pages_id, "MediaBox" => vec![0.into(), 0.into(), 612.into(), 792.into()],
        "Contents" => content, "Resources" => dictionary! { "XObject" => dictionary! { "Im0" => image_id } },
    });
    doc.objects.insert(
        pages_id,
        Object::Dictionary(
            dictionary! { "Type" => "Pages", "Kids" => vec![page.into()], "Count" => 1 },
        ),
    );
    let catalog = doc.add_object(dictionary! { "Type" => "Catalog", "Pages" => pages_id });
    doc.trailer.set("Root", catalog);
    let mut out = Vec::new();
    doc.save_to(&mut out).unwrap();
    out
}

#[test]
fn scanned_page_lists_its_image_with_exif_and_warns() {
    let pdf = scanned_page_pdf(fixture("photo-gps.jpg"));
    let doc = extract(&pdf, &Limits::default()).unwrap();
    assert_eq!(doc.warnings, ["page 1: no text layer (scanned image?)"]);
    assert_eq!(doc.images.len(), 1);
    let image = &doc.images[0];
    assert_eq!(
        (image.part.as_str(), image.page, image.width, image.height),
        ("page 1 /Im0", Some(1), Some(64), Some(48))
    );
    assert_eq!(image.kind.as_deref(), Some("jpeg"));
    let gps = doc
        .gps
        .iter()
        .find(|g| g.page == Some(1))
        .unwrap_or_else(|| panic!("no GPS from the embedded JPEG: {:?}", doc.gps));
    assert!(
        (gps.lat - 40.512).abs() < 1e-3 && (gps.lon - 89.451).abs() < 1e-3,
        "{gps:?}"
    );
    assert!(
        doc.metadata
            .iter()
            .any(|m| m.page == Some(1) && m.value.contains("Canon")),
        "{:?}",
        doc.metadata
    );
}

#[test]
fn annotation_comments_and_field_values_are_read() {
    use lopdf::{dictionary, Object, Stream, StringFormat};
    let mut doc = Document::with_version("1.5");
    let pages_id = doc.new_object_id();
    let content = doc.add_object(Stream::new(dictionary! {}, Vec::new()));
    let note = dictionary! {
        "Type" => "Annot", "Subtype" => "Text", "Rect" => vec![10.into(), 10.into(), 30.into(), 30.into()],
        "Contents" => Object::String(b"\xfe\xff\x59\x1c\x9e\x70".to_vec(), StringFormat::Literal),
        "T" => Object::string_literal("Li Na"),
    };
    let field = dictionary! {
        "Type" => "Annot", "Subtype" => "Widget", "FT" => "Tx", "Rect" => vec![100.into(), 700.into(), 300.into(), 720.into()],
        "V" => Object::string_literal("Falcon Ridge"), "DA" => Object::string_literal("/Helv 12 Tf 0 g"),
    };
    let page = doc.add_object(dictionary! {
        "Type" => "Page", "Parent" => pages_id, "MediaBox" => vec![0.into(), 0.into(), 612.into(), 792.into()],
        "Contents" => content, "Annots" => vec![Object::Dictionary(note), Object::Dictionary(field)],
    });
    doc.objects.insert(
        pages_id,
        Object::Dictionary(
            dictionary! { "Type" => "Pages", "Kids" => vec![page.into()], "Count" => 1 },
        ),
    );
    let catalog = doc.add_object(dictionary! { "Type" => "Catalog", "Pages" => pages_id });
    doc.trailer.set("Root", catalog);
    let mut pdf = Vec::new();
    doc.save_to(&mut pdf).unwrap();
    let out = extract(&pdf, &Limits::default()).unwrap();
    assert_planted(&out, 1, "Falcon Ridge");
    let comment = out
        .segments
        .iter()
        .find(|s| s.source == Source::Comment)
        .unwrap();
    assert_eq!(comment.text, "夜鹰");
    assert_eq!(comment.label.as_deref(), Some("Text annotation by Li Na"));
    assert_eq!(comment.page, Some(1));
}

fn corpus() -> Option<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/corpus");
    if dir.is_dir() {
        Some(dir)
    } else {
        eprintln!("skipped: no corpus at {}", dir.display());
        None
    }
}

#[test]
fn hostile_pdfs_end_in_bounded_results() {
    let Some(dir) = corpus() else { return };
    // Files whose bombs live inside lopdf's own loader are left to the engine's worker.
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir.join("hostile"))
        .unwrap()
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| {
            p.file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n.starts_with("pdf_"))
        })
        .collect();
    files.sort();
    let limits = Limits {
        max_inflated_bytes: 64 << 20,
        ..Limits::default()
    };
    for path in files {
        let bytes = std::fs::read(&path).unwrap();
        let t = std::time::Instant::now();
        let r = primary::quietly(|| extract(&bytes, &limits));
        let outcome = match &r {
            Ok(Ok(d)) => format!(
                "ok, {} warnings: {:?}",
                d.warnings.len(),
                d.warnings.iter().take(2).collect::<Vec<_>>()
            ),
            Ok(Err(e)) => format!("error: {e}"),
            Err(p) => format!("PANIC: {p}"),
        };
        eprintln!(
            "{:<32} {:>6} ms  {outcome}",
            path.file_name().unwrap().to_string_lossy(),
            t.elapsed().as_millis()
        );
        assert!(r.is_ok(), "panic escaped on {}", path.display());
    }
}

/// Chars of `s` other than whitespace, counted.
/// The chars that are text: not white space, not controls (NUL, form feeds), not the
/// replacement char a tool prints for a glyph it could not map, and not the bidi marks
/// (U+200E/F, U+202A–E, U+2066–9) pdftotext wraps right-to-left lines in.
fn is_text(c: char) -> bool {
    !c.is_whitespace()
        && !c.is_control()
        && c != '\u{FFFD}'
        && !matches!(c, '\u{200E}' | '\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

fn char_counts(s: &str) -> HashMap<char, usize> {
    let mut m = HashMap::new();
    for c in s.chars().filter(|&c| is_text(c)) {
        *m.entry(c).or_insert(0) += 1;
    }
    m
}

#[test]
fn aes256_with_indirect_crypt_filters_is_decrypted() {
    // lopdf authenticates this file but reads no crypt filter (`/CF 7 0 R`) and leaves the
    // page's content stream encrypted: without decrypt.rs the page reads as empty and the
    // document as clean.
    let bytes = fixture("aes256-indirect-cf.pdf");
    let doc = extract(&bytes, &Limits::default()).expect("decrypted with the empty password");
    assert_planted(&doc, 1, "SECRET//NOFORN");
    assert_planted(&doc, 1, "Project Nightjar");
    assert!(doc.warnings.is_empty(), "{:?}", doc.warnings);
}

/// Share of `reference`'s chars (as a multiset) that `ours` also has.
fn overlap(ours: &str, reference: &str) -> f64 {
    let (a, b) = (char_counts(ours), char_counts(reference));
    let total: usize = b.values().sum();
    if total == 0 {
        return 1.0;
    }
    let common: usize = b
        .iter()
        .map(|(c, n)| (*n).min(*a.get(c).unwrap_or(&0)))
        .sum();
    common as f64 / total as f64
}

fn pdftotext(path: &Path) -> Option<String> {
    let out = std::process::Command::new("timeout")
        .args(["10", "pdftotext", "-q", "-enc", "UTF-8"])
        .arg(path)
        .arg("-")
        .output()
        .ok()?;
    out.status
        .success()
        .then(|| String::from_utf8_lossy(&out.stdout).into_owned())
}

#[test]
fn corpus_against_pdftotext() {
    let Some(dir) = corpus() else { return };
    let have_poppler = std::process::Command::new("pdftotext")
        .arg("-v")
        .output()
        .is_ok();
    if !have_poppler {
        eprintln!("pdftotext not installed: extracting without comparison");
    }
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir.join("pdf"))
        .unwrap()
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|e| e.eq_ignore_ascii_case("pdf")))
        .collect();
    files.sort();
    let (mut with_text, mut matched, mut panics) = (0, 0, Vec::new());
    let mut rows = Vec::new();
    for path in &files {
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        let bytes = std::fs::read(path).unwrap();
        let t = std::time::Instant::now();
        let result = primary::quietly(|| extract(&bytes, &Limits::default()));
        let ms = t.elapsed().as_millis();
        let (ours, status) = match &result {
            Ok(Ok(d)) => (
                d.segments
                    .iter()
                    .map(|s| s.text.as_str())
                    .collect::<Vec<_>>()
                    .join("\n"),
                if d.warnings.is_empty() {
                    "ok".to_string()
                } else {
                    format!("ok, warn: {}", d.warnings[0])
                },
            ),
            Ok(Err(e)) => (String::new(), format!("error: {e}")),
            Err(p) => {
                panics.push(name.clone());
                (String::new(), format!("PANIC: {p}"))
            }
        };
        let reference = if have_poppler { pdftotext(path) } else { None };
        let ref_chars = reference
            .as_deref()
            .map_or(0, |r| char_counts(r).values().sum::<usize>());
        let score = reference
            .as_deref()
            .filter(|_| ref_chars > 0)
            .map(|r| overlap(&ours, r));
        if let Some(s) = score {
            with_text += 1;
            if s >= 0.9 {
                matched += 1;
            }
        }
        let ours_chars: usize = char_counts(&ours).values().sum();
        let score_s = score.map_or("-".to_string(), |s| format!("{:.0}%", s * 100.0));
        rows.push(format!(
            "{name:<48} {ours_chars:>7} {ref_chars:>7} {score_s:>5} {ms:>5}ms  {}",
            status.chars().take(110).collect::<String>()
        ));
    }
    eprintln!(
        "{:<48} {:>7} {:>7} {:>5}",
        "file", "ours", "poppler", "match"
    );
    for r in &rows {
        eprintln!("{r}");
    }
    eprintln!("\n>= 90% of pdftotext's chars: {matched} of {with_text} files where pdftotext gets text ({} files)", files.len());
    assert!(panics.is_empty(), "panics escaped: {panics:?}");
}

/// Diagnostics for one file: `PDF_DEBUG=path cargo test -p clearance-extract debug_one -- --ignored --nocapture`.
#[test]
#[ignore = "diagnostic tool, needs PDF_DEBUG"]
fn debug_one() {
    let Ok(path) = std::env::var("PDF_DEBUG") else {
        return;
    };
    let bytes = std::fs::read(&path).unwrap();
    let doc = Document::load_mem(&bytes).unwrap();
    for (n, id) in doc.get_pages() {
        let page = doc.get_dictionary(id).unwrap();
        let vet = primary::vet_page(&doc, page, &Limits::default());
        let prim = vet
            .clone()
            .and_then(|()| primary::page_glyphs(&doc, n, 100_000));
        let mut fonts = run::FontCache::default();
        let scan = run::run_page(&doc, &bytes, n, id, &Limits::default(), &mut fonts, 100_000).scan;
        let ptext: String = prim
            .as_ref()
            .map(|g| g.iter().map(|g| g.ch).take(80).collect())
            .unwrap_or_default();
        let stext: String = scan.glyphs.iter().map(|g| g.ch).take(80).collect();
        if std::env::var("PDF_DEBUG_GLYPHS").is_ok() {
            for g in scan.glyphs.iter().take(60) {
                eprintln!(
                    "  {:?} x {:.1} y {:.1} adv {:.2} size {:.1}",
                    g.ch, g.x, g.y, g.advance, g.size
                );
            }
        }
        eprintln!("page {n}: vet {vet:?}\n primary {:?} {ptext:?}\n scan ops {} images {} untrusted {} problems {:?} {stext:?}", prim.as_ref().map(Vec::len), scan.text_ops, scan.images, scan.untrusted, scan.problems);
    }
}

/// Timing: `PDF_TIMING=file.pdf cargo test --release -p clearance-extract time_extract -- --ignored --nocapture`.
#[test]
#[ignore = "timing tool, needs PDF_TIMING"]
fn time_extract() {
    let Ok(path) = std::env::var("PDF_TIMING") else {
        return;
    };
    let bytes = std::fs::read(&path).unwrap();
    let mut times = Vec::new();
    let mut chars = 0;
    for _ in 0..3 {
        let t = std::time::Instant::now();
        let doc = extract(&bytes, &Limits::default()).unwrap();
        times.push(t.elapsed().as_secs_f64());
        chars = doc
            .segments
            .iter()
            .map(|s| s.text.chars().count())
            .sum::<usize>();
    }
    times.sort_by(f64::total_cmp);
    eprintln!(
        "extract {path}: median {:.3} s over 3 runs, {chars} chars",
        times[1]
    );
    let t = std::time::Instant::now();
    let text = primary::quietly(|| pdf_extract::extract_text_from_mem(&bytes))
        .unwrap()
        .unwrap_or_default();
    eprintln!(
        "pdf-extract alone (extract_text_from_mem): {:.3} s, {} chars",
        t.elapsed().as_secs_f64(),
        text.chars().count()
    );
    let doc = Document::load_mem(&bytes).unwrap();
    let t = std::time::Instant::now();
    for (n, id) in doc.get_pages() {
        let page = doc.get_dictionary(id).unwrap();
        primary::vet_page(&doc, page, &Limits::default()).unwrap();
        let _ = n;
    }
    eprintln!("vetting: {:.3} s", t.elapsed().as_secs_f64());
    let t = std::time::Instant::now();
    let mut all = Vec::new();
    for (n, _) in doc.get_pages() {
        all.push(primary::page_glyphs(&doc, n, usize::MAX).unwrap());
    }
    eprintln!("pdf-extract per page: {:.3} s", t.elapsed().as_secs_f64());
    let t = std::time::Instant::now();
    let n = primary::whole_document_glyph_count(&doc);
    eprintln!(
        "pdf-extract whole document, same collector: {:.3} s ({n} glyphs)",
        t.elapsed().as_secs_f64()
    );
    let t = std::time::Instant::now();
    for g in &all {
        let _ = layout::assemble(g);
    }
    eprintln!("layout: {:.3} s", t.elapsed().as_secs_f64());
    let t = std::time::Instant::now();
    let mut fonts = run::FontCache::default();
    for (n, id) in doc.get_pages() {
        let _ = run::run_page(
            &doc,
            &bytes,
            n,
            id,
            &Limits::default(),
            &mut fonts,
            usize::MAX,
        );
    }
    eprintln!(
        "our interpreter (text and paint) on every page: {:.3} s",
        t.elapsed().as_secs_f64()
    );
}
