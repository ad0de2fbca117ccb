//! Each forensic check on its generated fixture (fixtures/generate/gen_forensics.py), with the
//! exact findings expected, and the false-positive traps that must stay silent.

mod common;

use common::{analyze, fixture, summary, triple};

#[test]
fn unapplied_redaction_recovers_the_text_under_it() {
    let (a, _) = analyze(&fixture("redact_unapplied.pdf"));
    assert_eq!(
        summary(&a),
        vec![triple(
            "failed-redaction",
            "pdf-unapplied-redaction",
            "Project Nightjar"
        )]
    );
    let f = &a.findings[0];
    assert_eq!(f.page, Some(1));
    assert!(
        f.bbox.is_some_and(|b| b.x0 < 72.0 && b.x1 > 150.0),
        "{:?}",
        f.bbox
    );
    assert!(
        f.span.is_some(),
        "the recovered text is located in the page text"
    );
    assert_eq!(
        f.explanation,
        "Redaction on page 1 was marked but never applied: the text under it can still be copied: \"Project Nightjar\""
    );
}

#[test]
fn sticky_note_is_reported_once_with_author() {
    let (a, _) = analyze(&fixture("sticky_note.pdf"));
    assert_eq!(
        summary(&a),
        vec![triple(
            "hidden-content",
            "pdf-annotation-comment",
            "Move the Falcon Ridge test to May"
        )]
    );
    assert_eq!(
        a.findings[0].explanation,
        "Sticky note by Li Na (2024-05-01) on page 1 is still in the file: \"Move the Falcon Ridge test to May\""
    );
}

#[test]
fn empty_annotations_and_light_boxes_are_silent() {
    let (a, _) = analyze(&fixture("annotation_empty.pdf"));
    assert_eq!(summary(&a), vec![]);
}

#[test]
fn form_field_value_is_reported() {
    let (a, _) = analyze(&fixture("form_value.pdf"));
    assert_eq!(
        summary(&a),
        vec![triple(
            "hidden-content",
            "pdf-form-value",
            "Liu Yang, gate 3 escort"
        )]
    );
    assert_eq!(a.findings[0].page, Some(1));
}

#[test]
fn text_removed_by_an_incremental_update_is_recovered() {
    let (a, _) = analyze(&fixture("incremental_update.pdf"));
    assert_eq!(
        summary(&a),
        vec![
            triple(
                "hidden-content",
                "pdf-earlier-revisions",
                "1 earlier revision(s)"
            ),
            triple(
                "hidden-content",
                "pdf-revision-removed-text",
                "Falcon Ridge"
            ),
        ]
    );
    let f = &a.findings[1];
    assert_eq!(
        f.explanation,
        "Earlier revision 1 of 2 contains text removed from the final version: \"Falcon Ridge\""
    );
    assert_eq!(f.page, Some(1));
}

#[test]
fn embedded_file_is_scanned_and_relabelled() {
    let (a, calls) = analyze(&fixture("embedded_file.pdf"));
    assert_eq!(
        summary(&a),
        vec![triple("hidden-content", "pdf-embedded-file", "notes.txt")]
    );
    assert_eq!(calls.len(), 1);
    assert_eq!((calls[0].name.as_str(), calls[0].depth), ("notes.txt", 1));
    assert!(String::from_utf8_lossy(&calls[0].bytes).contains("机密★5年"));
    let marker = a
        .findings
        .iter()
        .find(|f| f.rule == "engine-marker")
        .map(|f| (f.part.clone(), f.page));
    assert_eq!(
        marker,
        Some((Some("embedded notes.txt, page 1: inner part".into()), None))
    );
}

#[test]
fn javascript_is_reported() {
    let (a, _) = analyze(&fixture("javascript.pdf"));
    assert_eq!(
        summary(&a),
        vec![triple(
            "hidden-content",
            "pdf-javascript",
            "app.alert('Nightjar review copy');"
        )]
    );
}

#[test]
fn only_bookmark_titles_missing_from_the_pages_are_reported() {
    let (a, _) = analyze(&fixture("bookmarks.pdf"));
    assert_eq!(
        summary(&a),
        vec![triple(
            "hidden-content",
            "pdf-bookmark-title",
            "Annex B: Falcon Ridge site plan"
        )]
    );
}

#[test]
fn exif_thumbnail_that_differs_is_reported_and_a_matching_one_is_not() {
    let (a, _) = analyze(&fixture("thumbnail_mismatch.jpg"));
    assert_eq!(
        summary(&a),
        vec![triple(
            "hidden-content",
            "exif-thumbnail-mismatch",
            "EXIF thumbnail 160×107"
        )]
    );
    let (a, _) = analyze(&fixture("thumbnail_match.jpg"));
    assert_eq!(summary(&a), vec![]);
}

#[test]
fn second_png_after_iend_is_reported_and_a_clean_png_is_not() {
    let (a, _) = analyze(&fixture("acropalypse.png"));
    assert_eq!(
        summary(&a),
        vec![triple(
            "hidden-content",
            "image-trailing-image",
            "second 240×160 PNG image after the end of the PNG"
        )]
    );
    let (a, _) = analyze(&fixture("plain.png"));
    assert_eq!(summary(&a), vec![]);
}

#[test]
fn docx_hidden_formatting_parts_and_review_residue() {
    let (a, _) = analyze(&fixture("hidden_formatting.docx"));
    let mut got = summary(&a);
    got.sort();
    let mut want = vec![
        triple("hidden-content", "docx-comment", "Budget line for 夜鹰工程"),
        triple("hidden-content", "docx-tracked-deletion", "Falcon Ridge"),
        triple(
            "hidden-content",
            "docx-white-text",
            "Project Nightjar budget 4.2M",
        ),
        triple("hidden-content", "docx-tiny-text", "Falcon Ridge"),
        triple(
            "hidden-content",
            "docx-document-variable",
            "Nightjar review copy 7",
        ),
        triple(
            "hidden-content",
            "docx-cropped-picture",
            "word/media/image1.png (cropped left 25%, right 10%)",
        ),
    ];
    want.sort();
    assert_eq!(got, want);
    let comment = a
        .findings
        .iter()
        .find(|f| f.rule == "docx-comment")
        .map(|f| f.explanation.as_str());
    assert_eq!(
        comment,
        Some(
            "Comment by Zhang Wei (2024-05-01) is still in the file: \"Budget line for 夜鹰工程\""
        )
    );
    let deletion = a
        .findings
        .iter()
        .find(|f| f.rule == "docx-tracked-deletion")
        .map(|f| f.explanation.as_str());
    assert_eq!(
        deletion,
        Some("Tracked deletion by Li Na (2024-05-01) can be recovered: \"Falcon Ridge\"")
    );
    let white = a.findings.iter().find(|f| f.rule == "docx-white-text");
    assert!(
        white.is_some_and(|f| f.span.is_some()),
        "white text is located in the body text"
    );
}

#[test]
fn plain_docx_has_no_hidden_content() {
    let (a, _) = analyze(&fixture("plain.docx"));
    assert_eq!(summary(&a), vec![]);
}

#[test]
fn embedded_docx_object_is_reported_and_scanned() {
    let (a, calls) = analyze(&fixture("embedded_object.docx"));
    assert_eq!(
        summary(&a),
        vec![triple(
            "hidden-content",
            "docx-embedded-object",
            "word/embeddings/Microsoft_Word_Document1.docx"
        )]
    );
    assert_eq!(calls.len(), 1);
    assert!(calls[0].bytes.starts_with(b"PK\x03\x04"));
}

#[test]
fn dark_box_annotation_over_text_is_a_failed_redaction() {
    let (a, _) = analyze(&fixture("annotation_box.pdf"));
    assert_eq!(
        summary(&a),
        vec![triple(
            "failed-redaction",
            "pdf-annotation-over-text",
            "Huangyang Test Range"
        )]
    );
    assert_eq!(
        a.findings[0].explanation,
        "Text under a dark filled shape annotation on page 1 can be copied: \"Huangyang Test Range\""
    );
}

#[test]
fn photo_on_a_pdf_page_keeps_its_original_thumbnail() {
    let (a, _) = analyze(&fixture("pdf_photo_thumbnail.pdf"));
    assert_eq!(
        summary(&a),
        vec![triple(
            "hidden-content",
            "exif-thumbnail-mismatch",
            "EXIF thumbnail 160×107"
        )]
    );
    assert_eq!(a.findings[0].page, Some(1));
    assert_eq!(
        a.findings[0].part.as_deref(),
        Some("page 1 /Im0 EXIF thumbnail")
    );
}
