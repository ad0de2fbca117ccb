//! Findings for the review residue that extraction already separated out: comments, tracked
//! insertions and deletions, and `w:vanish` hidden text.

use clearance_model::{ExtractedDocument, Segment, Severity, Source, Span};

use crate::report::{hidden, quote, TEXT_CAP};

/// `("Zhang Wei", Some("2024-05-01"))` from `comment by Zhang Wei, 2024-05-01T10:00:00Z` or
/// `deleted by Li Na on 2024-05-01T10:00:00Z`.
fn who_and_when(label: &str) -> (Option<String>, Option<String>) {
    let lower = label.to_ascii_lowercase();
    let rest = [
        "comment by ",
        "inserted by ",
        "deleted by ",
        "moved away by ",
        "moved here by ",
        "moved by ",
    ]
    .iter()
    .find(|p| lower.starts_with(*p))
    .and_then(|p| label.get(p.len()..))
    .unwrap_or("");
    let split = rest.rsplit_once(" on ").or_else(|| rest.rsplit_once(", "));
    let (who, when) = match split {
        Some((w, d)) if d.trim_start().starts_with(|c: char| c.is_ascii_digit()) => {
            (w, Some(d.trim()))
        }
        _ => (rest, None),
    };
    let who = who.trim();
    let who = if who.eq_ignore_ascii_case("unknown author") {
        ""
    } else {
        who
    };
    let day = when.map(|d| {
        d.get(..10)
            .filter(|s| s.as_bytes().get(4) == Some(&b'-'))
            .unwrap_or(d)
            .to_string()
    });
    ((!who.is_empty()).then(|| who.to_string()), day)
}

fn is_deletion(seg: &Segment) -> bool {
    seg.label
        .as_deref()
        .is_some_and(|l| l.to_lowercase().starts_with("deleted"))
}

/// Adds one finding per comment, tracked-change and hidden segment.
pub(super) fn check(doc: &ExtractedDocument, out: &mut crate::report::Out) {
    for (i, seg) in doc.segments.iter().enumerate() {
        let trimmed = seg.text.trim();
        if trimmed.is_empty() {
            continue;
        }
        let start = seg.text.len() - seg.text.trim_start().len();
        let end = start + trimmed.len();
        let label = seg.label.as_deref().unwrap_or("");
        let (who, when) = who_and_when(label);
        let by = who.as_ref().map(|w| format!(" by {w}")).unwrap_or_default();
        let on = when.as_ref().map(|d| format!(" ({d})")).unwrap_or_default();
        let q = quote(trimmed);
        let (rule, severity, why) = match seg.source {
            Source::Comment => (
                "docx-comment",
                Severity::Medium,
                format!("Comment{by}{on} is still in the file: {q}"),
            ),
            Source::TrackedChange if is_deletion(seg) => (
                "docx-tracked-deletion",
                Severity::High,
                format!("Tracked deletion{by}{on} can be recovered: {q}"),
            ),
            Source::TrackedChange if label.to_ascii_lowercase().starts_with("moved") => (
                "docx-tracked-move",
                Severity::Medium,
                format!("Tracked move{by}{on} is not accepted and keeps its author and date: {q}"),
            ),
            Source::TrackedChange => (
                "docx-tracked-insertion",
                Severity::Medium,
                format!(
                    "Tracked insertion{by}{on} is not accepted and keeps its author and date: {q}"
                ),
            ),
            Source::Hidden if label.starts_with("image ") => {
                let part = seg.part.as_deref().unwrap_or("the document");
                (
                    "docx-image-alt-text",
                    Severity::Low,
                    format!(
                        "Picture description ({label}) in {part} is not shown on the page: {q}"
                    ),
                )
            }
            Source::Hidden => {
                let part = seg.part.as_deref().unwrap_or("the document");
                let how = if label.is_empty() {
                    "hidden text (w:vanish)".to_string()
                } else {
                    label.to_string()
                };
                let mut how_cap = how.clone();
                if let Some(first) = how_cap.get_mut(..1) {
                    first.make_ascii_uppercase();
                }
                (
                    "docx-hidden-text",
                    Severity::High,
                    format!("{how_cap} in {part} is still in the file: {q}"),
                )
            }
            _ => continue,
        };
        let mut f = hidden(rule, severity, trimmed, seg.source, why);
        f.part = seg.part.clone();
        f.page = seg.page;
        f.span = Some(Span::new(i, start, end));
        f.bbox = seg.bbox_of(start, end);
        if !label.is_empty() {
            f.context = format!("{label}: {}", crate::report::clip(trimmed, TEXT_CAP));
        }
        out.push(f);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::Out;

    #[test]
    fn labels_give_author_and_day() {
        let cases = [
            (
                "comment by Zhang Wei, 2024-05-01T10:00:00Z",
                Some("Zhang Wei"),
                Some("2024-05-01"),
            ),
            (
                "deleted by Li Na on 2024-05-01T10:00:00Z",
                Some("Li Na"),
                Some("2024-05-01"),
            ),
            ("inserted by Bob", Some("Bob"), None),
            ("comment by Smith, John", Some("Smith, John"), None),
            ("moved away by unknown author", None, None),
            ("", None, None),
        ];
        for (label, who, when) in cases {
            let (w, d) = who_and_when(label);
            assert_eq!((w.as_deref(), d.as_deref()), (who, when), "{label}");
        }
    }

    #[test]
    fn one_finding_per_review_segment() {
        let mut doc = ExtractedDocument::new(clearance_model::Format::Docx);
        doc.segments
            .push(Segment::new(Source::Body, "Visible body text"));
        doc.segments.push(
            Segment::new(Source::Comment, " Budget line for 夜鹰工程 ")
                .with_label("comment by Zhang Wei, 2024-05-01T10:00:00Z")
                .with_part("word/comments.xml"),
        );
        doc.segments.push(
            Segment::new(Source::TrackedChange, "Falcon Ridge")
                .with_label("deleted by Li Na on 2024-05-01"),
        );
        doc.segments.push(Segment::new(Source::Hidden, "   "));
        let mut out = Out::default();
        check(&doc, &mut out);
        let got: Vec<_> = out
            .findings
            .iter()
            .map(|f| (f.rule.as_str(), f.text.as_str(), f.explanation.as_str()))
            .collect();
        assert_eq!(
            got,
            vec![
                ("docx-comment", "Budget line for 夜鹰工程", "Comment by Zhang Wei (2024-05-01) is still in the file: \"Budget line for 夜鹰工程\""),
                ("docx-tracked-deletion", "Falcon Ridge", "Tracked deletion by Li Na (2024-05-01) can be recovered: \"Falcon Ridge\""),
            ]
        );
        assert_eq!(
            out.findings[0].span,
            Some(Span::new(1, 1, 1 + "Budget line for 夜鹰工程".len()))
        );
    }
}
