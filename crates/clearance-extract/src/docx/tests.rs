use super::*;
use clearance_model::{Segment, Source};
use std::collections::BTreeMap;
use std::path::PathBuf;

fn fixture(name: &str) -> Option<Vec<u8>> {
    let bytes = std::fs::read(format!(
        "{}/../../fixtures/{name}",
        env!("CARGO_MANIFEST_DIR")
    ))
    .ok();
    if bytes.is_none() {
        eprintln!("skipped: fixtures/{name} not generated");
    }
    bytes
}

fn corpus(sub: &str) -> Option<PathBuf> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../../shared/corpus")
        .join(sub);
    if dir.is_dir() {
        Some(dir)
    } else {
        eprintln!("skipped: corpus folder {} is absent", dir.display());
        None
    }
}

fn of(doc: &ExtractedDocument, source: Source) -> Vec<&Segment> {
    doc.segments.iter().filter(|s| s.source == source).collect()
}

fn meta<'d>(doc: &'d ExtractedDocument, part: &str, key: &str) -> Option<&'d str> {
    doc.metadata
        .iter()
        .find(|m| m.part == part && m.key == key)
        .map(|m| m.value.as_str())
}

fn kind_of(e: &ExtractError) -> &'static str {
    match e {
        ExtractError::UnknownFormat { .. } => "unknown-format",
        ExtractError::Encrypted { .. } => "encrypted",
        ExtractError::Corrupt { .. } => "corrupt",
        ExtractError::Unsupported { .. } => "unsupported",
        ExtractError::TooLarge { .. } => "too-large",
    }
}

fn sample() -> Option<ExtractedDocument> {
    let bytes = fixture("sample.docx")?;
    Some(extract(&bytes, &Limits::default()).unwrap())
}

#[test]
fn sample_body_and_table_cells() {
    let Some(doc) = sample() else { return };
    let body: Vec<&str> = of(&doc, Source::Body)
        .iter()
        .map(|s| s.text.as_str())
        .collect();
    assert!(
        body.iter()
            .any(|t| t.contains("Project Nightjar") && t.contains("黄羊试验场")),
        "{body:?}"
    );
    assert!(
        body.contains(&"Unit 61398"),
        "each table cell is a paragraph: {body:?}"
    );
    assert!(body.contains(&"11010519491231002X"));
    assert!(of(&doc, Source::Body)
        .iter()
        .all(|s| s.part.as_deref() == Some("word/document.xml")));
}

#[test]
fn sample_header_footer_footnote_comment() {
    let Some(doc) = sample() else { return };
    let header = of(&doc, Source::Header);
    assert_eq!(header.len(), 1);
    assert_eq!(header[0].text, "内部资料 注意保存");
    assert_eq!(header[0].part.as_deref(), Some("word/header1.xml"));
    assert_eq!(
        of(&doc, Source::Footer)[0].part.as_deref(),
        Some("word/footer1.xml")
    );
    let notes = of(&doc, Source::Footnote);
    assert_eq!(
        notes.len(),
        1,
        "separator footnotes are not text: {notes:?}"
    );
    assert_eq!(notes[0].text.trim(), "Derived From: SCG 2019-03");
    assert_eq!(notes[0].label.as_deref(), Some("footnote 1"));
    let comments = of(&doc, Source::Comment);
    assert_eq!(comments.len(), 1);
    assert_eq!(comments[0].text, "Budget line for 夜鹰工程");
    assert_eq!(
        comments[0].label.as_deref(),
        Some("comment by Zhang Wei, 2024-05-03")
    );
    assert_eq!(comments[0].part.as_deref(), Some("word/comments.xml"));
}

#[test]
fn sample_tracked_and_hidden_text_is_not_body_text() {
    let Some(doc) = sample() else { return };
    let body: String = of(&doc, Source::Body)
        .iter()
        .map(|s| s.text.as_str())
        .collect::<Vec<_>>()
        .join("\n");
    assert!(
        !body.contains("Falcon Ridge"),
        "a deletion is not visible text"
    );
    assert!(
        !body.contains("the northern site"),
        "an insertion is reported as tracked, not as body"
    );
    assert!(!body.contains("(S//NF)"), "hidden text is not visible text");
    assert!(
        body.contains("The survey team moves from  next week."),
        "{body}"
    );
    assert!(body.contains("Visible sentence."));
    let tracked: Vec<(&str, Option<&str>)> = of(&doc, Source::TrackedChange)
        .iter()
        .map(|s| (s.text.as_str(), s.label.as_deref()))
        .collect();
    assert_eq!(
        tracked,
        vec![
            ("Falcon Ridge", Some("deleted by Li Na on 2024-05-02")),
            ("the northern site", Some("inserted by Li Na on 2024-05-02")),
        ]
    );
    let hidden = of(&doc, Source::Hidden);
    assert_eq!(hidden.len(), 1);
    assert_eq!(hidden[0].text, "(S//NF) hidden portion");
    assert_eq!(hidden[0].label.as_deref(), Some("hidden text (w:vanish)"));
}

#[test]
fn sample_metadata() {
    let Some(doc) = sample() else { return };
    assert_eq!(
        meta(&doc, "docProps/core.xml", "dc:creator"),
        Some("Zhang Wei")
    );
    assert_eq!(
        meta(&doc, "docProps/core.xml", "cp:lastModifiedBy"),
        Some("Li Na")
    );
    assert_eq!(
        meta(&doc, "docProps/core.xml", "dc:title"),
        Some("Test range logistics")
    );
    assert_eq!(
        meta(&doc, "docProps/app.xml", "Company"),
        Some("Northwest Institute of Technical Physics")
    );
    assert_eq!(meta(&doc, "docProps/app.xml", "Manager"), Some("Wang Fang"));
    assert_eq!(
        meta(&doc, "docProps/app.xml", "Template"),
        Some("Normal.dotm")
    );
    assert_eq!(
        meta(&doc, "docProps/custom.xml", "MSIP_Label_0a1b_Enabled"),
        Some("true")
    );
    assert_eq!(
        meta(&doc, "word/settings.xml", "CaseNumber"),
        Some("NJ-2024-07")
    );
    assert!(doc.warnings.is_empty(), "{:?}", doc.warnings);
}

#[test]
fn sample_media_exif_and_gps() {
    let Some(doc) = sample() else { return };
    assert_eq!(doc.images.len(), 1);
    let image = &doc.images[0];
    assert_eq!(image.part, "word/media/image1.jpg");
    assert_eq!(
        (image.width, image.height, image.kind.as_deref()),
        (Some(64), Some(48), Some("jpeg"))
    );
    assert_eq!(
        meta(&doc, "word/media/image1.jpg EXIF", "BodySerialNumber"),
        Some("032024001234")
    );
    assert_eq!(doc.gps.len(), 1);
    assert_eq!(doc.gps[0].part, "word/media/image1.jpg EXIF");
    assert!((doc.gps[0].lat - 40.512).abs() < 1e-4 && (doc.gps[0].lon - 89.451).abs() < 1e-4);
}

#[test]
fn budgets_apply_to_real_documents() {
    let Some(bytes) = fixture("sample.docx") else {
        return;
    };
    let few_entries = Limits {
        max_zip_entries: 5,
        ..Limits::default()
    };
    assert!(matches!(
        extract(&bytes, &few_entries),
        Err(ExtractError::TooLarge { .. })
    ));
    let short = Limits {
        max_text_chars: 10,
        ..Limits::default()
    };
    let doc = extract(&bytes, &short).unwrap();
    let total: usize = doc.segments.iter().map(|s| s.text.chars().count()).sum();
    assert!(
        total <= 10 + 200,
        "only alt text and labels escape the text budget: {total}"
    );
    assert!(doc
        .warnings
        .iter()
        .any(|w| w.contains("only the first 10 characters")));
}

#[test]
fn hostile_docx_files_fail_cleanly_or_stay_within_limits() {
    let Some(dir) = corpus("hostile") else { return };
    let read = |name: &str| {
        std::fs::read(dir.join(name))
            .ok()
            .map(|b| extract(&b, &Limits::default()))
    };
    for name in ["docx_bomb_document_xml.docx", "docx_size_lie.docx"] {
        if let Some(result) = read(name) {
            assert!(
                matches!(result, Err(ExtractError::TooLarge { .. })),
                "{name}: {result:?}"
            );
        }
    }
    if let Some(result) = read("docx_deep_nesting.docx") {
        let doc = result.unwrap();
        assert!(
            doc.warnings.iter().any(|w| w.contains("nested deeper")),
            "{:?}",
            doc.warnings
        );
    }
    if let Some(result) = read("docx_billion_laughs.docx") {
        match result {
            Ok(doc) => {
                let chars: usize = doc.segments.iter().map(|s| s.text.len()).sum();
                assert!(
                    chars < 10_000,
                    "entities must not be expanded ({chars} bytes of text)"
                );
            }
            Err(e) => assert!(matches!(e, ExtractError::Corrupt { .. }), "{e:?}"),
        }
    }
    for name in ["docx_image_bomb.docx", "docx_jpeg_preview_bomb.docx"] {
        if let Some(result) = read(name) {
            let doc = result.unwrap();
            assert_eq!(doc.images.len(), 1, "{name}");
            assert!(
                doc.images[0].width.is_some(),
                "the declared size is still listed"
            );
            assert!(
                doc.warnings.iter().any(|w| w.contains("exceeds the limit")),
                "{name}: {:?}",
                doc.warnings
            );
        }
    }
}

#[test]
fn reads_the_parts_docx_rs_misses_in_real_files() {
    let Some(dir) = corpus("docx") else { return };
    let read = |name: &str| {
        std::fs::read(dir.join(name))
            .ok()
            .map(|b| crate::extract(&b, &Limits::default()))
    };
    if let Some(Ok(doc)) = read("docxrs_footnotes.docx") {
        assert!(
            !of(&doc, Source::Footnote).is_empty(),
            "footnotes.xml is read"
        );
    }
    if let Some(Ok(doc)) = read("mammoth_endnotes.docx") {
        assert!(!of(&doc, Source::Endnote).is_empty());
    }
    if let Some(Ok(doc)) = read("pydocx_having-images.docx") {
        assert!(
            doc.images
                .iter()
                .any(|i| i.part == "docProps/thumbnail.jpeg"),
            "the first-page thumbnail is listed: {:?}",
            doc.images
        );
    }
    if let Some(Ok(doc)) = read("pydocx_doc-coreprops.docx") {
        assert!(
            doc.metadata.iter().any(|m| m.part == "docProps/core.xml"),
            "{:?}",
            doc.metadata
        );
    }
    if let Some(Ok(doc)) = read("poi_SimpleMacro.docm") {
        assert!(
            doc.metadata.iter().any(|m| m.key == "vbaProject"),
            "{:?}",
            doc.metadata
        );
    }
    if let Some(Ok(doc)) = read("poi_delins.docx") {
        assert!(of(&doc, Source::TrackedChange).len() >= 4);
    }
    if let Some(Ok(doc)) = read("docxrs_hidden.docx") {
        assert!(!of(&doc, Source::Hidden).is_empty());
    }
    if let Some(Ok(doc)) = read("mammoth_text-box.docx") {
        assert!(!of(&doc, Source::TextBox).is_empty());
    }
    if let Some(result) = read("poi_bug53475-password-is-pass.docx") {
        assert!(
            matches!(result, Err(ExtractError::Encrypted { .. })),
            "{result:?}"
        );
    }
    if let Some(Ok(doc)) = read("poi_ExternalEntityInText.docx") {
        {
            assert!(
                doc.segments.iter().all(|s| !s.text.contains("root:")),
                "no external entity is resolved"
            );
        }
    }
}

#[test]
fn every_corpus_docx_is_read_or_refused_cleanly() {
    let (Some(docx_dir), Some(hostile)) = (corpus("docx"), corpus("hostile")) else {
        return;
    };
    let mut paths: Vec<PathBuf> = std::fs::read_dir(docx_dir)
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .collect();
    paths.extend(
        std::fs::read_dir(hostile)
            .unwrap()
            .flatten()
            .map(|e| e.path())
            .filter(|p| {
                p.file_name()
                    .and_then(|n| n.to_str())
                    .is_some_and(|n| n.starts_with("docx_"))
            }),
    );
    paths.retain(|p| {
        p.extension()
            .and_then(|e| e.to_str())
            .is_some_and(|e| e == "docx" || e == "docm")
    });
    paths.sort();
    let mut outcomes: BTreeMap<&str, usize> = BTreeMap::new();
    for path in &paths {
        let bytes = std::fs::read(path).unwrap();
        let started = std::time::Instant::now();
        let outcome = match crate::extract(&bytes, &Limits::default()) {
            Ok(doc) if doc.warnings.is_empty() => "ok",
            Ok(doc) => {
                eprintln!("{}: warnings {:?}", path.display(), doc.warnings);
                "ok-with-warnings"
            }
            Err(e) => {
                eprintln!("{}: {e}", path.display());
                kind_of(&e)
            }
        };
        assert!(
            started.elapsed().as_secs() < 10,
            "{} took {:?}",
            path.display(),
            started.elapsed()
        );
        *outcomes.entry(outcome).or_default() += 1;
    }
    eprintln!("docx corpus outcomes ({} files): {outcomes:?}", paths.len());
    let ok = outcomes.get("ok").copied().unwrap_or(0)
        + outcomes.get("ok-with-warnings").copied().unwrap_or(0);
    assert!(ok >= 30, "most real documents read: {outcomes:?}");
}

/// A small deterministic generator, so that a failing mutation can be replayed.
struct XorShift(u64);

impl XorShift {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn below(&mut self, n: usize) -> usize {
        usize::try_from(self.next() % n.max(1) as u64).unwrap_or(0)
    }
}

/// Re-zips the sample with its main part replaced, so that mutations reach the XML walker
/// instead of stopping at the zip CRC check.
fn sample_with_document(bytes: &[u8], document: &[u8]) -> Vec<u8> {
    use std::io::{Cursor, Read, Write};
    let mut archive = zip::ZipArchive::new(Cursor::new(bytes)).unwrap();
    let mut out = zip::ZipWriter::new(Cursor::new(Vec::new()));
    for i in 0..archive.len() {
        let mut file = archive.by_index(i).unwrap();
        let name = file.name().unwrap().into_owned();
        let mut data = Vec::new();
        file.read_to_end(&mut data).unwrap();
        let options = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Stored);
        out.start_file(name.as_str(), options).unwrap();
        out.write_all(if name == "word/document.xml" {
            document
        } else {
            &data
        })
        .unwrap();
    }
    out.finish().unwrap().into_inner()
}

#[test]
fn mutated_documents_never_panic() {
    use std::io::{Cursor, Read};
    let Some(bytes) = fixture("sample.docx") else {
        return;
    };
    let mut document = Vec::new();
    zip::ZipArchive::new(Cursor::new(&bytes))
        .unwrap()
        .by_name("word/document.xml")
        .unwrap()
        .read_to_end(&mut document)
        .unwrap();
    let mut rng = XorShift(0x5EED_1234_ABCD_0001);
    let specials = [b'<', b'>', b'/', b'&', b';', b'"', 0xFF, 0xE9, b'#', b'x'];
    for round in 0..150 {
        let mut xml = document.clone();
        for _ in 0..1 + rng.below(8) {
            let at = rng.below(xml.len());
            match rng.below(4) {
                0 => xml[at] = specials[rng.below(specials.len())],
                1 => xml[at] = u8::try_from(rng.below(256)).unwrap_or(0),
                2 => xml.truncate(at.max(1)),
                _ => {
                    let len = rng.below(200).min(xml.len() - at);
                    let chunk = xml[at..at + len].to_vec();
                    xml.splice(at..at, chunk);
                }
            }
        }
        let docx = sample_with_document(&bytes, &xml);
        let result = std::panic::catch_unwind(|| extract(&docx, &Limits::default()));
        assert!(result.is_ok(), "round {round} panicked");
    }
    for cut in (0..bytes.len()).step_by(997) {
        let result = std::panic::catch_unwind(|| extract(&bytes[..cut], &Limits::default()));
        assert!(result.is_ok(), "truncation at {cut} panicked");
    }
}
