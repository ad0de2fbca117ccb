//! Page annotations: unapplied redactions and opaque boxes drawn as annotations over text
//! (failed redactions), comments and notes with their authors, attached files and scripts.

use std::collections::BTreeMap;

use clearance_model::{Category, ExtractedDocument, Rect, Severity, Source, Span};
use lopdf::{Dictionary, Document, Object, ObjectId};

use super::attachments;
use super::objects::{
    dict, get, get_dict, get_name, get_text, pdf_date, quads, rect, resolve, MAX_ITEMS,
};
use crate::report::{finding, hidden, place, quote, Out};
use crate::Context;

/// One annotation and where it sits.
pub(super) struct Annot<'a> {
    pub page: u32,
    pub dict: &'a Dictionary,
}

/// Every annotation of every page, in page order.
pub(super) fn all<'a>(pdf: &'a Document, pages: &BTreeMap<u32, ObjectId>) -> Vec<Annot<'a>> {
    let mut out = Vec::new();
    for (&page, &pid) in pages {
        let Ok(pd) = pdf.get_dictionary(pid) else {
            continue;
        };
        let Some(Object::Array(list)) = get(pdf, pd, b"Annots") else {
            continue;
        };
        for item in list.iter().take(MAX_ITEMS) {
            if let Some(d) = dict(pdf, item) {
                out.push(Annot { page, dict: d });
            }
        }
        if out.len() >= MAX_ITEMS {
            break;
        }
    }
    out
}

/// The text of page `page` under `areas`, recovered from the extracted glyph boxes: every
/// char whose box centre lies inside an area. Also the span of the first stretch.
pub(crate) fn text_under(
    doc: &ExtractedDocument,
    page: u32,
    areas: &[Rect],
) -> (String, Option<Span>) {
    let mut text = String::new();
    let mut span: Option<Span> = None;
    for (si, seg) in doc
        .segments
        .iter()
        .enumerate()
        .filter(|(_, s)| s.page == Some(page))
    {
        if seg.boxes.len() != seg.text.chars().count() {
            continue;
        }
        let mut last: Option<usize> = None;
        for (ci, ((bi, ch), b)) in seg.text.char_indices().zip(&seg.boxes).enumerate() {
            if b.is_unknown() {
                continue;
            }
            let (cx, cy) = ((b.x0 + b.x1) / 2.0, (b.y0 + b.y1) / 2.0);
            if !areas
                .iter()
                .any(|a| cx >= a.x0 && cx <= a.x1 && cy >= a.y0 && cy <= a.y1)
            {
                continue;
            }
            if last.is_some_and(|l| l + 1 != ci) && !text.ends_with(char::is_whitespace) {
                text.push(' ');
            }
            text.push(if ch == '\n' { ' ' } else { ch });
            last = Some(ci);
            let end = bi + ch.len_utf8();
            span = Some(match span {
                Some(s) if s.segment == si => Span::new(si, s.start, end),
                Some(s) => s,
                None => Span::new(si, bi, end),
            });
        }
    }
    (text.split_whitespace().collect::<Vec<_>>().join(" "), span)
}

/// Luminance of a colour array (grey, RGB or CMYK components in 0–1).
fn luminance(pdf: &Document, o: Option<&Object>) -> Option<f32> {
    let a = o?.as_array().ok()?;
    let n: Vec<f32> = a
        .iter()
        .filter_map(|x| match resolve(pdf, x)? {
            Object::Integer(i) => Some(*i as f32),
            Object::Real(r) => Some(*r),
            _ => None,
        })
        .collect();
    match n.as_slice() {
        [g] => Some(*g),
        [r, g, b] => Some(0.299 * r + 0.587 * g + 0.114 * b),
        [c, m, y, k] => Some((1.0 - c.max(*m).max(*y)) * (1.0 - k)),
        _ => None,
    }
}

fn opacity(pdf: &Document, d: &Dictionary) -> f32 {
    match get(pdf, d, b"CA") {
        Some(Object::Real(r)) => *r,
        Some(Object::Integer(i)) => *i as f32,
        _ => 1.0,
    }
}

fn areas(pdf: &Document, d: &Dictionary) -> Vec<Rect> {
    let q = d
        .get(b"QuadPoints")
        .ok()
        .map(|o| quads(pdf, o))
        .unwrap_or_default();
    if q.is_empty() {
        d.get(b"Rect")
            .ok()
            .and_then(|o| rect(pdf, o))
            .into_iter()
            .collect()
    } else {
        q
    }
}

fn author(pdf: &Document, d: &Dictionary) -> Option<String> {
    get_text(pdf, d, b"T")
        .map(|t| t.trim().to_string())
        .filter(|t| !t.is_empty())
}

fn report_redaction(
    pdf: &Document,
    a: &Annot,
    doc: &ExtractedDocument,
    kind: RedactKind,
    out: &mut Out,
) {
    let boxes = areas(pdf, a.dict);
    if boxes.is_empty() {
        return;
    }
    let (text, span) = text_under(doc, a.page, &boxes);
    let page = a.page;
    let (rule, severity, shown, why) = match (kind, text.is_empty()) {
        (RedactKind::Unapplied, false) => (
            "pdf-unapplied-redaction",
            Severity::High,
            text.clone(),
            format!("Redaction on page {page} was marked but never applied: the text under it can still be copied: {}", quote(&text)),
        ),
        (RedactKind::Unapplied, true) => (
            "pdf-unapplied-redaction",
            Severity::Medium,
            "(no extractable text under the mark)".to_string(),
            format!("Redaction on page {page} was marked but never applied: whatever lies under it is still in the file"),
        ),
        (RedactKind::OpaqueAnnotation(sub), false) => (
            "pdf-annotation-over-text",
            Severity::High,
            text.clone(),
            format!("Text under a dark {sub} annotation on page {page} can be copied: {}", quote(&text)),
        ),
        (RedactKind::OpaqueAnnotation(_), true) => return,
    };
    let mut f = finding(
        Category::FailedRedaction,
        rule,
        severity,
        &shown,
        Source::Body,
        why,
    );
    f.page = Some(page);
    f.bbox = Rect::union(&boxes);
    if boxes.len() > 1 {
        f.boxes = boxes;
    }
    f.span = span;
    if let Some(who) = author(pdf, a.dict) {
        f.context = format!("marked by {who}: {}", f.context);
    }
    out.push(f);
}

#[derive(Clone, Copy)]
enum RedactKind {
    Unapplied,
    OpaqueAnnotation(&'static str),
}

/// Subtypes whose `/Contents` is a reviewer's comment rather than link or widget plumbing.
fn comment_kind(sub: &[u8]) -> Option<(&'static str, Severity)> {
    Some(match sub {
        b"Text" => ("Sticky note", Severity::Medium),
        b"Popup" => ("Pop-up note", Severity::Medium),
        b"FreeText" => ("Text box annotation", Severity::Low),
        b"Highlight" | b"Underline" | b"Squiggly" | b"StrikeOut" => {
            ("Comment on marked text", Severity::Medium)
        }
        b"Square" | b"Circle" | b"Polygon" | b"PolyLine" | b"Line" | b"Ink" => {
            ("Comment on a drawing", Severity::Medium)
        }
        b"Stamp" => ("Stamp comment", Severity::Medium),
        b"Caret" => ("Insertion comment", Severity::Medium),
        b"FileAttachment" | b"Sound" => ("Comment on an attachment", Severity::Medium),
        b"Redact" => ("Comment on a redaction", Severity::Medium),
        _ => return None,
    })
}

fn report_contents(
    pdf: &Document,
    a: &Annot,
    sub: &[u8],
    attached: Option<&str>,
    doc: &ExtractedDocument,
    out: &mut Out,
) {
    let Some(contents) = get_text(pdf, a.dict, b"Contents") else {
        return;
    };
    let contents = contents.trim();
    if contents.is_empty() || attached == Some(contents) {
        // An attachment's contents is usually just its file name, reported with the file.
        return;
    }
    if sub == b"Popup" {
        // A pop-up shows its parent's text; the parent is reported on its own.
        let parent_has = get_dict(pdf, a.dict, b"Parent")
            .and_then(|p| get_text(pdf, p, b"Contents"))
            .is_some_and(|t| !t.trim().is_empty());
        if parent_has {
            return;
        }
    }
    let Some((kind, severity)) = comment_kind(sub) else {
        return;
    };
    let who = author(pdf, a.dict)
        .map(|w| format!(" by {w}"))
        .unwrap_or_default();
    let when = get_text(pdf, a.dict, b"M")
        .and_then(|m| pdf_date(&m))
        .map(|d| format!(" ({d})"))
        .unwrap_or_default();
    let why = format!(
        "{kind}{who}{when} on page {} is still in the file: {}",
        a.page,
        quote(contents)
    );
    let mut f = hidden(
        "pdf-annotation-comment",
        severity,
        contents,
        Source::Annotation,
        why,
    );
    f.page = Some(a.page);
    f.bbox = a.dict.get(b"Rect").ok().and_then(|o| rect(pdf, o));
    // Where extraction also surfaced the comment as text, point at it.
    let page = a.page;
    place(&mut f, doc, contents, |s| {
        matches!(s.source, Source::Annotation | Source::Comment) && s.page.is_none_or(|p| p == page)
    });
    out.push(f);
}

/// Checks every annotation.
pub(super) fn check(
    pdf: &Document,
    annots: &[Annot],
    doc: &ExtractedDocument,
    ctx: &Context,
    out: &mut Out,
) {
    for a in annots {
        let sub = get_name(pdf, a.dict, b"Subtype").unwrap_or(b"");
        match sub {
            b"Redact" => report_redaction(pdf, a, doc, RedactKind::Unapplied, out),
            b"Square" | b"Polygon" | b"Circle" => {
                let dark = luminance(pdf, get(pdf, a.dict, b"IC")).is_some_and(|l| l < 0.25);
                if dark && opacity(pdf, a.dict) >= 0.9 {
                    report_redaction(
                        pdf,
                        a,
                        doc,
                        RedactKind::OpaqueAnnotation("filled shape"),
                        out,
                    );
                }
            }
            b"Highlight" => {
                let dark = luminance(pdf, get(pdf, a.dict, b"C")).is_some_and(|l| l < 0.25);
                if dark && opacity(pdf, a.dict) >= 0.9 {
                    report_redaction(pdf, a, doc, RedactKind::OpaqueAnnotation("highlight"), out);
                }
            }
            _ => {}
        }
        let attached = match (sub, get(pdf, a.dict, b"FS")) {
            (b"FileAttachment", Some(fs)) => {
                attachments::report_filespec(pdf, fs, Some(a.page), ctx, out)
            }
            _ => None,
        };
        report_contents(pdf, a, sub, attached.as_deref(), doc, out);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clearance_model::Segment;

    #[test]
    fn text_under_takes_chars_whose_centre_is_inside() {
        let mut doc = ExtractedDocument::new(clearance_model::Format::Pdf);
        let mut s = Segment::new(Source::Body, "ab cd").with_page(1);
        s.boxes = (0..5)
            .map(|i| Rect::new(i as f32 * 10.0, 0.0, i as f32 * 10.0 + 10.0, 10.0))
            .collect();
        doc.segments.push(s);
        let (t, span) = text_under(&doc, 1, &[Rect::new(28.0, -1.0, 52.0, 11.0)]);
        assert_eq!(t, "cd");
        assert_eq!(span, Some(Span::new(0, 3, 5)));
        let (t, _) = text_under(&doc, 1, &[Rect::new(100.0, 0.0, 120.0, 10.0)]);
        assert_eq!(t, "", "a box with nothing under it recovers nothing");
        let (t, _) = text_under(&doc, 2, &[Rect::new(0.0, 0.0, 100.0, 10.0)]);
        assert_eq!(t, "", "other pages are not read");
    }
}
