//! Building findings: the quoted text, the one-line explanation, and where it sits.

use clearance_model::{
    Category, ExtractedDocument, Finding, Rect, Segment, Severity, Source, Span,
};

/// Longest text kept in a finding's `text`.
pub(crate) const TEXT_CAP: usize = 200;
/// Longest quotation inside an explanation, so it stays one readable line.
const QUOTE_CAP: usize = 80;

/// Collects findings and warnings while the checks run.
#[derive(Debug, Default)]
pub(crate) struct Out {
    pub findings: Vec<Finding>,
    pub warnings: Vec<String>,
}

impl Out {
    pub fn push(&mut self, f: Finding) {
        self.findings.push(f);
    }

    pub fn warn(&mut self, w: impl Into<String>) {
        self.warnings.push(w.into());
    }
}

/// Whitespace runs collapsed to one space, trimmed, and cut to `cap` chars with an ellipsis.
pub(crate) fn clip(text: &str, cap: usize) -> String {
    let mut out = String::new();
    let mut n = 0;
    for word in text.split_whitespace() {
        if n > 0 {
            out.push(' ');
            n += 1;
        }
        for ch in word.chars() {
            if n >= cap {
                out.push('…');
                return out;
            }
            out.push(ch);
            n += 1;
        }
    }
    out
}

/// The finding text: trimmed, one line, at most [`TEXT_CAP`] chars.
pub(crate) fn finding_text(text: &str) -> String {
    clip(text, TEXT_CAP)
}

/// `"text"` shortened for an explanation.
pub(crate) fn quote(text: &str) -> String {
    format!("\"{}\"", clip(text, QUOTE_CAP))
}

/// A new finding with the text clipped and the context set to the same line.
pub(crate) fn finding(
    category: Category,
    rule: &str,
    severity: Severity,
    text: &str,
    source: Source,
    explanation: String,
) -> Finding {
    let text = finding_text(text);
    let mut f = Finding::new(category, rule, severity, text.clone(), source, explanation);
    f.context = text;
    f
}

/// Shorthand for a hidden-content finding.
pub(crate) fn hidden(
    rule: &str,
    severity: Severity,
    text: &str,
    source: Source,
    why: String,
) -> Finding {
    finding(Category::HiddenContent, rule, severity, text, source, why)
}

/// Where a piece of text sits in the extracted document.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Located {
    pub span: Span,
    pub bbox: Option<Rect>,
    pub boxes: Vec<Rect>,
    pub page: Option<u32>,
}

/// Where `needle` first occurs among the segments accepted by `keep`. Lets a finding about
/// text that extraction also produced be shown in place.
pub(crate) fn locate(
    doc: &ExtractedDocument,
    needle: &str,
    keep: impl Fn(&Segment) -> bool,
) -> Option<Located> {
    let needle = needle.trim();
    if needle.is_empty() {
        return None;
    }
    doc.segments
        .iter()
        .enumerate()
        .filter(|(_, s)| keep(s))
        .find_map(|(i, s)| {
            let start = s.text.find(needle)?;
            let end = start + needle.len();
            Some(Located {
                span: Span::new(i, start, end),
                bbox: s.bbox_of(start, end),
                boxes: s.line_boxes_of(start, end),
                page: s.page,
            })
        })
}

/// Sets span, bbox, boxes and page of `f` from [`locate`], when found.
pub(crate) fn place(
    f: &mut Finding,
    doc: &ExtractedDocument,
    needle: &str,
    keep: impl Fn(&Segment) -> bool,
) {
    if let Some(at) = locate(doc, needle, keep) {
        f.span = Some(at.span);
        f.bbox = at.bbox.or(f.bbox);
        if at.boxes.len() > 1 {
            f.boxes = at.boxes;
        }
        f.page = at.page.or(f.page);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clip_collapses_whitespace_and_caps() {
        let cases = [
            ("  a \n b\t c ", 10, "a b c"),
            ("abcdef", 3, "abc…"),
            ("机密 文件", 3, "机密 …"),
            ("", 5, ""),
        ];
        for (input, cap, want) in cases {
            assert_eq!(clip(input, cap), want, "input {input:?}");
        }
    }

    #[test]
    fn locate_finds_span_in_kept_segments_only() {
        let mut doc = ExtractedDocument::new(clearance_model::Format::Docx);
        doc.segments
            .push(Segment::new(Source::Comment, "Falcon Ridge"));
        doc.segments
            .push(Segment::new(Source::Body, "at Falcon Ridge"));
        let hit = locate(&doc, "Falcon Ridge", |s| s.source == Source::Body);
        assert_eq!(hit.map(|h| h.span), Some(Span::new(1, 3, 15)));
        assert!(locate(&doc, "  ", |_| true).is_none());
    }
}
