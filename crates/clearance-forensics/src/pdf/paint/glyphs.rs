//! Glyphs of a paint log in one flat list, words recovered from the extracted page text, and
//! grouping of glyphs into line runs.

use clearance_extract::pdf::paint::{PaintItem, PaintLog, TextPaint};
use clearance_model::{ExtractedDocument, Rect, Span};

/// One painted glyph and the text operation that painted it.
pub(super) struct GlyphAt<'a> {
    /// Index of its item in the paint log (paint order).
    pub item: usize,
    pub ch: char,
    pub bbox: Rect,
    pub text: &'a TextPaint,
}

impl GlyphAt<'_> {
    pub fn centre(&self) -> (f32, f32) {
        centre(&self.bbox)
    }

    /// Painted at all: a visible render mode, not transparent, inside the clip, and not a
    /// blank.
    pub fn painted(&self) -> bool {
        let (x, y) = self.centre();
        let c = &self.text.clip;
        self.text.paints()
            && self.text.fill_alpha.max(self.text.stroke_alpha) > 0.05
            && x >= c.x0
            && x <= c.x1
            && y >= c.y0
            && y <= c.y1
            && !self.ch.is_whitespace()
    }
}

pub(super) fn centre(r: &Rect) -> (f32, f32) {
    ((r.x0 + r.x1) / 2.0, (r.y0 + r.y1) / 2.0)
}

/// Every glyph of the log, in paint order.
pub(super) fn flatten(log: &PaintLog) -> Vec<GlyphAt<'_>> {
    let n = log
        .items
        .iter()
        .map(|p| match p {
            PaintItem::Text(t) => t.glyphs.len(),
            _ => 0,
        })
        .sum();
    let mut out = Vec::with_capacity(n);
    for (item, p) in log.items.iter().enumerate() {
        if let PaintItem::Text(t) = p {
            out.extend(
                t.glyphs
                    .iter()
                    .filter(|g| !g.bbox.is_unknown())
                    .map(|g| GlyphAt {
                        item,
                        ch: g.ch,
                        bbox: g.bbox,
                        text: t,
                    }),
            );
        }
    }
    out
}

/// Words printed on redaction boxes by redaction tools; never themselves a leak.
const PLACEHOLDERS: &[&str] = &[
    "redacted",
    "[redacted]",
    "(redacted)",
    "withheld",
    "(b)(1)",
    "(b)(3)",
    "(b)(5)",
    "(b)(6)",
    "(b)(7)(c)",
    "b6",
    "b7c",
];

/// True for a placeholder word: a listed one, or only X, *, █ and similar mask chars.
pub(super) fn is_placeholder(word: &str) -> bool {
    let w = word.trim_matches(|c: char| matches!(c, ',' | ';' | '.' | ':'));
    let lower = w.to_lowercase();
    PLACEHOLDERS.contains(&lower.as_str())
        || (!w.is_empty()
            && w.chars()
                .all(|c| matches!(c, 'X' | 'x' | '*' | '█' | '■' | '▇' | '-' | '_')))
}

/// The page's chars (from the extracted segments, which have the font's real widths) whose
/// centre lies on one of `lines` (a box per hidden line: its vertical span exact, its
/// horizontal span widened by two heights, since the paint log may not know the widths of
/// an unembedded standard font) and whose box `keep` accepts. With the span of the stretch;
/// `None` when extraction has no such chars.
pub(super) fn recover_in(
    doc: &ExtractedDocument,
    page: u32,
    lines: &[Rect],
    keep: impl Fn(&Rect) -> bool,
) -> Option<(String, Option<Span>)> {
    let on_line = |(x, y): (f32, f32)| {
        lines.iter().any(|l| {
            let h = l.y1 - l.y0;
            y >= l.y0 && y <= l.y1 && x >= l.x0 - 2.0 * h && x <= l.x1 + 2.0 * h
        })
    };
    collect(doc, page, |_, b| on_line(centre(b)) && keep(b))
}

/// The page's chars matching `run` (glyphs on one line): starting at the char nearest the
/// run's first glyph, as many non-blank chars as the run has, staying on its line. Counting
/// chars instead of comparing boxes survives wrong widths in the paint log.
pub(super) fn recover_run(
    doc: &ExtractedDocument,
    page: u32,
    run: &[&GlyphAt],
) -> Option<(String, Option<Span>)> {
    let first = run.first()?;
    let want = run.iter().filter(|g| !g.ch.is_whitespace()).count();
    let (fx, fy) = first.centre();
    let h = (first.bbox.y1 - first.bbox.y0).max(0.1);
    // Nearest char to the first glyph: (segment, char index, distance).
    let mut best: Option<(usize, usize, f32)> = None;
    for (si, seg) in doc
        .segments
        .iter()
        .enumerate()
        .filter(|(_, s)| s.page == Some(page))
    {
        if seg.boxes.len() != seg.text.chars().count() {
            continue;
        }
        for (ci, (ch, b)) in seg.text.chars().zip(&seg.boxes).enumerate() {
            if b.is_unknown() || ch.is_whitespace() {
                continue;
            }
            let (x, y) = centre(b);
            if (y - fy).abs() > 0.5 * h || (x - fx).abs() > 1.5 * h {
                continue;
            }
            let d = (x - fx).abs() + (y - fy).abs();
            if best.is_none_or(|(_, _, bd)| d < bd) {
                best = Some((si, ci, d));
            }
        }
    }
    let (si, start, _) = best?;
    let mut taken = 0usize;
    collect(doc, page, |(s, ci), b| {
        if s != si || ci < start || taken >= want {
            return false;
        }
        let (_, y) = centre(b);
        if (y - fy).abs() > 0.5 * h {
            taken = want;
            return false;
        }
        taken += 1;
        true
    })
}

/// Chars of `page`'s segments with known boxes accepted by `keep((segment, char index),
/// box)` (called in order), joined with a space across gaps; with the span of the stretch in
/// the first segment.
fn collect(
    doc: &ExtractedDocument,
    page: u32,
    mut keep: impl FnMut((usize, usize), &Rect) -> bool,
) -> Option<(String, Option<Span>)> {
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
            if b.is_unknown() || ch.is_whitespace() || !keep((si, ci), b) {
                continue;
            }
            if let Some(l) = last {
                let gap_is_space = seg
                    .text
                    .chars()
                    .skip(l + 1)
                    .take(ci.saturating_sub(l + 1))
                    .any(char::is_whitespace);
                if gap_is_space || l + 1 != ci {
                    text.push(' ');
                }
            } else if !text.is_empty() {
                text.push(' ');
            }
            text.push(ch);
            last = Some(ci);
            let end = bi + ch.len_utf8();
            span = Some(match span {
                Some(s) if s.segment == si => Span::new(si, s.start, end),
                Some(s) => s,
                None => Span::new(si, bi, end),
            });
        }
    }
    let text = text.split_whitespace().collect::<Vec<_>>().join(" ");
    (!text.is_empty()).then_some((text, span))
}

/// The chars of painted glyphs as text, a space where the gap between glyphs is wide.
pub(super) fn painted_text(glyphs: &[&GlyphAt]) -> String {
    let mut s = String::new();
    let mut prev: Option<&Rect> = None;
    for g in glyphs {
        if let Some(p) = prev {
            let h = (g.bbox.y1 - g.bbox.y0).max(1.0);
            if g.bbox.x0 - p.x1 > 0.15 * h || (centre(&g.bbox).1 - centre(p).1).abs() > 0.5 * h {
                s.push(' ');
            }
        }
        s.push(g.ch);
        prev = Some(&g.bbox);
    }
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Splits glyphs (in paint order) into runs on one line: a run breaks where the baseline
/// moves by half a glyph height or the horizontal gap exceeds three heights.
pub(super) fn line_runs<'a, 'g>(glyphs: Vec<&'g GlyphAt<'a>>) -> Vec<Vec<&'g GlyphAt<'a>>> {
    let mut runs: Vec<Vec<&GlyphAt>> = Vec::new();
    for g in glyphs {
        let joins = runs.last().and_then(|r| r.last()).is_some_and(|p| {
            let h = (p.bbox.y1 - p.bbox.y0).max(g.bbox.y1 - g.bbox.y0).max(0.5);
            (centre(&p.bbox).1 - centre(&g.bbox).1).abs() < 0.5 * h
                && (g.bbox.x0 - p.bbox.x1).abs() < 3.0 * h
        });
        match runs.last_mut() {
            Some(r) if joins => r.push(g),
            _ => runs.push(vec![g]),
        }
    }
    runs
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_are_recognised() {
        for w in [
            "REDACTED",
            "(b)(6)",
            "XXXX",
            "****",
            "[Redacted]",
            "██",
            "(b)(7)(C)",
        ] {
            assert!(is_placeholder(w), "{w} is a placeholder");
        }
        for w in ["Nightjar", "X-ray", "Box", "6"] {
            assert!(!is_placeholder(w), "{w} is a real word");
        }
    }
}
