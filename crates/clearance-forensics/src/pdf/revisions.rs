//! Incremental updates. A PDF edited and saved "incrementally" keeps every earlier version in
//! the file: cutting the file after an earlier `%%EOF` restores it. Text that an earlier
//! revision had and the final one lacks was removed by someone, often on purpose.

use std::panic::{catch_unwind, AssertUnwindSafe};

use clearance_model::{ExtractedDocument, Severity, Source};

use crate::diff::removed_passages;
use crate::report::{hidden, quote, Out};
use crate::xmp::find;
use crate::Context;

/// Most earlier revisions extracted and compared (the most recent ones).
const MAX_REVISIONS: usize = 10;
/// How far before `%%EOF` the `startxref` keyword must be for the marker to end a revision.
const STARTXREF_WINDOW: usize = 1024;

/// Byte offsets just past each `%%EOF` that ends a complete revision, in file order. The
/// last one ends the final revision. The first-page section of a linearized file is not a
/// revision and is left out.
pub(crate) fn revision_ends(bytes: &[u8]) -> Vec<usize> {
    let mut ends = Vec::new();
    let mut from = 0;
    while let Some(rel) = bytes.get(from..).and_then(|b| find(b, b"%%EOF")) {
        let at = from + rel;
        let mut end = at + 5;
        for _ in 0..2 {
            if matches!(bytes.get(end), Some(b'\r' | b'\n')) {
                end += 1;
            }
        }
        let window = bytes
            .get(at.saturating_sub(STARTXREF_WINDOW)..at)
            .unwrap_or(&[]);
        if find(window, b"startxref").is_some() {
            ends.push(end);
        }
        from = at + 5;
    }
    let head = bytes.get(..bytes.len().min(1024)).unwrap_or(bytes);
    if ends.len() > 1 && find(head, b"/Linearized").is_some() {
        ends.remove(0);
    }
    ends
}

fn page_text(doc: &ExtractedDocument) -> String {
    doc.segments
        .iter()
        .filter(|s| s.page.is_some())
        .map(|s| s.text.as_str())
        .collect::<Vec<_>>()
        .join("\n")
}

/// Adds one finding per passage removed since an earlier revision, and one that earlier
/// revisions exist.
pub(super) fn check(bytes: &[u8], doc: &ExtractedDocument, ctx: &Context, out: &mut Out) {
    let ends = revision_ends(bytes);
    if ends.len() < 2 {
        return;
    }
    let earlier = &ends[..ends.len() - 1];
    let total = ends.len();
    let n = earlier.len();
    let mut f = hidden(
        "pdf-earlier-revisions",
        Severity::Low,
        &format!("{n} earlier revision(s)"),
        Source::Hidden,
        format!(
            "The file keeps {n} earlier revision(s) from incremental updates; anyone can restore them, with any text, comments or form data they held"
        ),
    );
    f.part = Some("incremental updates".into());
    out.push(f);

    let final_text = page_text(doc);
    if final_text.trim().is_empty() {
        out.warn(
            "earlier PDF revisions were not compared: the final revision has no extractable text",
        );
        return;
    }
    let mut reported: Vec<String> = Vec::new();
    let first = n.saturating_sub(MAX_REVISIONS);
    for (i, &end) in earlier.iter().enumerate().skip(first).rev() {
        let Some(prefix) = bytes.get(..end) else {
            continue;
        };
        let rev = i + 1;
        let extracted = catch_unwind(AssertUnwindSafe(|| {
            clearance_extract::extract(prefix, ctx.limits)
        }));
        let old = match extracted {
            Ok(Ok(d)) => d,
            Ok(Err(e)) => {
                out.warn(format!(
                    "revision {rev} of {total} could not be extracted: {e}"
                ));
                continue;
            }
            Err(_) => {
                out.warn(format!(
                    "revision {rev} of {total} could not be extracted: the parser crashed"
                ));
                continue;
            }
        };
        for passage in removed_passages(&page_text(&old), &final_text) {
            if reported.contains(&passage) {
                continue;
            }
            let why = format!("Earlier revision {rev} of {total} contains text removed from the final version: {}", quote(&passage));
            let mut f = hidden(
                "pdf-revision-removed-text",
                Severity::High,
                &passage,
                Source::Hidden,
                why,
            );
            f.part = Some(format!("revision {rev} of {total}"));
            if let Some((page, bbox)) = old.segments.iter().find_map(|s| {
                let at = s.text.find(passage.as_str())?;
                Some((s.page, s.bbox_of(at, at + passage.len())))
            }) {
                f.page = page;
                f.bbox = bbox;
            }
            out.push(f);
            reported.push(passage);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_revision_ends() {
        let one =
            b"%PDF-1.4\n1 0 obj<<>>endobj\nxref\n0 1\ntrailer<<>>\nstartxref\n9\n%%EOF\n".to_vec();
        let mut two = one.clone();
        two.extend_from_slice(
            b"2 0 obj<<>>endobj\nxref\n0 1\ntrailer<<>>\nstartxref\n70\n%%EOF\r\n",
        );
        assert_eq!(revision_ends(&one), vec![one.len()]);
        assert_eq!(revision_ends(&two), vec![one.len(), two.len()]);
        let mut stray = one.clone();
        stray.extend_from_slice(&[b'x'; 2000]);
        stray.extend_from_slice(b"%%EOF in a stream without startxref nearby");
        assert_eq!(
            revision_ends(&stray),
            vec![one.len()],
            "a %%EOF far from startxref is not a revision"
        );
        let lin = [
            b"%PDF-1.4\n1 0 obj<</Linearized 1>>endobj\n".as_slice(),
            &one[9..],
            &two[one.len()..],
        ]
        .concat();
        assert_eq!(
            revision_ends(&lin).len(),
            1,
            "the linearization section is not a revision"
        );
    }
}
