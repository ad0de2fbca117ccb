//! From positioned glyphs to page text: lines by baseline, reading order, synthesized spaces,
//! and one box per char.

use clearance_model::Rect;

/// A text rendering matrix `[a b c d e f]` (row-vector convention, as in the PDF spec).
pub(crate) type Matrix = [f64; 6];

/// One glyph painted on a page, in page space (points, y up).
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Glyph {
    pub ch: char,
    /// Pen position before the glyph (baseline origin; top centre for vertical writing).
    pub x: f64,
    pub y: f64,
    /// Advance along the writing direction, in page space.
    pub advance: f64,
    /// Glyph height (font size after transforms).
    pub size: f64,
    pub bbox: Rect,
    pub vertical: bool,
}

/// Glyphs for a shown string `text` drawn with text rendering matrix `trm` (text space
/// without the font size), advance `width` (em) and `font_size`. Multi-char texts (ligatures)
/// share the advance.
pub(crate) fn glyphs_for(
    trm: &Matrix,
    width: f64,
    font_size: f64,
    text: &str,
    vertical: bool,
    out: &mut Vec<Glyph>,
) {
    let n = if text.len() == 1 {
        1
    } else {
        text.chars().count()
    };
    if n == 0 {
        return;
    }
    let [a, b, c, d, e, f] = *trm;
    let map = |u: f64, v: f64| (u * a + v * c + e, u * b + v * d + f);
    let fs = if font_size.is_finite() && font_size != 0.0 {
        font_size
    } else {
        1.0
    };
    let scale_x = (a * a + b * b).sqrt();
    let scale_y = (c * c + d * d).sqrt();
    let size = (fs * scale_y).abs();
    let step = width * fs / n as f64;
    for (k, ch) in text.chars().enumerate() {
        let (u0, u1, v0, v1) = if vertical {
            let top = -(k as f64) * fs;
            (-0.5 * fs, 0.5 * fs, top - fs, top)
        } else {
            let u0 = step * k as f64;
            (u0, u0 + step, -0.2 * fs, 0.8 * fs)
        };
        let bbox = if b == 0.0 && c == 0.0 {
            // Upright (the common case): two corners decide the box.
            let (x0, x1) = (u0 * a + e, u1 * a + e);
            let (y0, y1) = (v0 * d + f, v1 * d + f);
            Rect::new(x0 as f32, y0 as f32, x1 as f32, y1 as f32)
        } else {
            let corners = [map(u0, v0), map(u1, v0), map(u0, v1), map(u1, v1)];
            let xs = corners.iter().map(|p| p.0);
            let ys = corners.iter().map(|p| p.1);
            Rect::new(
                xs.clone().fold(f64::INFINITY, f64::min) as f32,
                ys.clone().fold(f64::INFINITY, f64::min) as f32,
                xs.fold(f64::NEG_INFINITY, f64::max) as f32,
                ys.fold(f64::NEG_INFINITY, f64::max) as f32,
            )
        };
        let (x, y) = if vertical {
            map(0.0, -(k as f64) * fs)
        } else {
            map(step * k as f64, 0.0)
        };
        let advance = if vertical {
            (fs * scale_y).abs()
        } else {
            (step * scale_x).abs()
        };
        if x.is_finite() && y.is_finite() && size.is_finite() && advance.is_finite() {
            out.push(Glyph {
                ch,
                x,
                y,
                advance,
                size: size.max(0.01),
                bbox,
                vertical,
            });
        }
    }
}

/// True for Han, kana, Hangul and CJK punctuation: no spaces are synthesized between them.
pub(crate) fn is_cjk(c: char) -> bool {
    matches!(c as u32,
        0x2E80..=0x2FDF | 0x3000..=0x30FF | 0x3100..=0x31FF | 0x3200..=0x9FFF | 0xAC00..=0xD7AF
        | 0xF900..=0xFAFF | 0xFE30..=0xFE4F | 0xFF00..=0xFFEF | 0x20000..=0x3FFFF)
        || c == '★'
        || c == '☆'
}

/// Page text in reading order with one box per char (`\n` and synthesized spaces get the
/// unknown box). Horizontal lines top to bottom, chars left to right; vertical columns right
/// to left, chars top to bottom.
pub(crate) fn assemble(glyphs: &[Glyph]) -> (String, Vec<Rect>) {
    let (horizontal, vertical): (Vec<&Glyph>, Vec<&Glyph>) =
        glyphs.iter().partition(|g| !g.vertical);
    let mut lines = group_lines(horizontal, false);
    lines.extend(group_lines(vertical, true));
    let mut text = String::new();
    let mut boxes = Vec::new();
    for (n, line) in lines.iter().enumerate() {
        if n > 0 {
            text.push('\n');
            boxes.push(Rect::default());
        }
        emit_line(line, &mut text, &mut boxes);
    }
    (text, boxes)
}

/// Groups glyphs whose baselines (columns, for vertical text) lie within half a glyph size.
fn group_lines(mut glyphs: Vec<&Glyph>, vertical: bool) -> Vec<Vec<&Glyph>> {
    // Cross-axis coordinate: baseline y (descending) or column x (right to left).
    let cross = |g: &Glyph| if vertical { g.x } else { g.y };
    let along = |g: &Glyph| if vertical { -g.y } else { g.x };
    glyphs.sort_by(|a, b| cross(b).total_cmp(&cross(a)));
    let mut lines: Vec<Vec<&Glyph>> = Vec::new();
    let mut anchor = f64::NAN;
    let mut anchor_size = 0.0;
    for g in glyphs {
        let tol = 0.5 * g.size.max(anchor_size).max(0.5);
        match lines.last_mut() {
            Some(line) if (cross(g) - anchor).abs() <= tol => line.push(g),
            _ => {
                anchor = cross(g);
                anchor_size = g.size;
                lines.push(vec![g]);
            }
        }
    }
    for line in &mut lines {
        line.sort_by(|a, b| along(a).total_cmp(&along(b)));
        // Fake bold and shadow effects paint the same char twice at almost the same place.
        line.dedup_by(|b, a| {
            a.ch == b.ch && (along(a) - along(b)).abs() < 0.15 * a.size.max(b.size)
        });
    }
    lines
}

fn emit_line(line: &[&Glyph], text: &mut String, boxes: &mut Vec<Rect>) {
    let mut prev: Option<&Glyph> = None;
    for g in line {
        if let Some(p) = prev {
            let gap = if g.vertical {
                (p.y - p.advance) - g.y
            } else {
                g.x - (p.x + p.advance)
            };
            let size = p.size.max(g.size);
            let either_space = p.ch.is_whitespace() || g.ch.is_whitespace();
            let both_cjk = is_cjk(p.ch) && is_cjk(g.ch);
            let needs_space = !either_space && !both_cjk && gap > 0.15 * size;
            if needs_space {
                text.push(' ');
                boxes.push(Rect::default());
            }
        }
        let ch = if g.ch.is_control() { ' ' } else { g.ch };
        text.push(ch);
        boxes.push(g.bbox);
        prev = Some(g);
    }
}

/// Counts that decide whether a page's text is usable.
#[derive(Debug, Default, Clone, Copy, PartialEq)]
pub(crate) struct Quality {
    /// Visible, meaningful chars.
    pub good: usize,
    /// U+FFFD, control and private-use chars.
    pub bad: usize,
}

impl Quality {
    pub(crate) fn of(glyphs: &[Glyph]) -> Quality {
        let mut q = Quality::default();
        for g in glyphs {
            if is_bad(g.ch) {
                q.bad += 1;
            } else if !g.ch.is_whitespace() {
                q.good += 1;
            }
        }
        q
    }

    /// True when at least one readable char exists and readable chars are the majority.
    pub(crate) fn usable(self) -> bool {
        self.good > 0 && self.bad <= self.good
    }
}

/// Replacement, control and private-use chars: the marks of text that did not decode.
pub(crate) fn is_bad(c: char) -> bool {
    c == '\u{FFFD}'
        || (c.is_control() && !c.is_whitespace())
        || matches!(c as u32, 0xE000..=0xF8FF | 0xFDD0..=0xFDEF | 0xFFFE..=0xFFFF | 0xF0000..=0x10FFFF)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)] // Tests fail loudly on purpose.
mod tests {
    use super::*;

    const ID: Matrix = [1.0, 0.0, 0.0, 1.0, 0.0, 0.0];

    fn run(text: &str, x: f64, y: f64, size: f64, width: f64, out: &mut Vec<Glyph>) {
        let mut pen = x;
        for ch in text.chars() {
            let trm = [1.0, 0.0, 0.0, 1.0, pen, y];
            glyphs_for(&trm, width, size, &ch.to_string(), false, out);
            pen += width * size;
        }
    }

    #[test]
    fn lines_are_ordered_top_down_and_left_right() {
        let mut g = Vec::new();
        run("world", 100.0, 700.0, 10.0, 0.5, &mut g);
        run("Hello", 40.0, 700.4, 10.0, 0.5, &mut g);
        run("second", 40.0, 680.0, 10.0, 0.5, &mut g);
        let (text, boxes) = assemble(&g);
        assert_eq!(text, "Hello world\nsecond");
        assert_eq!(boxes.len(), text.chars().count());
        assert!(
            boxes[5].is_unknown() && boxes[11].is_unknown(),
            "synthesized space and newline have no box"
        );
        assert!(!boxes[0].is_unknown());
    }

    #[test]
    fn no_spaces_between_cjk_but_between_latin_words() {
        let mut g = Vec::new();
        run("夜鹰", 40.0, 700.0, 12.0, 1.0, &mut g);
        run("工程", 70.0, 700.0, 12.0, 1.0, &mut g);
        run("ab", 40.0, 600.0, 10.0, 0.5, &mut g);
        run("cd", 50.5, 600.0, 10.0, 0.5, &mut g);
        run("ef", 63.0, 600.0, 10.0, 0.5, &mut g);
        assert_eq!(
            assemble(&g).0,
            "夜鹰工程\nabcd ef",
            "a 0.5 pt gap is kerning, 2.5 pt is a word gap"
        );
    }

    #[test]
    fn superscript_stays_on_its_line_and_next_line_separates() {
        let mut g = Vec::new();
        run("x", 40.0, 700.0, 10.0, 0.5, &mut g);
        run("2", 45.0, 703.0, 6.0, 0.5, &mut g);
        run("y", 40.0, 688.0, 10.0, 0.5, &mut g);
        assert_eq!(assemble(&g).0, "x2\ny");
    }

    #[test]
    fn duplicate_fake_bold_glyphs_collapse() {
        let mut g = Vec::new();
        run("A", 40.0, 700.0, 10.0, 0.6, &mut g);
        run("A", 40.3, 700.0, 10.0, 0.6, &mut g);
        assert_eq!(assemble(&g).0, "A");
    }

    #[test]
    fn vertical_columns_read_right_to_left() {
        let mut g = Vec::new();
        // Right column "机密", left column "文件".
        for (k, ch) in "机密".chars().enumerate() {
            glyphs_for(
                &[1.0, 0.0, 0.0, 1.0, 300.0, 700.0 - 12.0 * k as f64],
                1.0,
                12.0,
                &ch.to_string(),
                true,
                &mut g,
            );
        }
        for (k, ch) in "文件".chars().enumerate() {
            glyphs_for(
                &[1.0, 0.0, 0.0, 1.0, 280.0, 700.0 - 12.0 * k as f64],
                1.0,
                12.0,
                &ch.to_string(),
                true,
                &mut g,
            );
        }
        assert_eq!(assemble(&g).0, "机密\n文件");
    }

    #[test]
    fn boxes_follow_the_matrix() {
        let mut g = Vec::new();
        glyphs_for(
            &[2.0, 0.0, 0.0, 2.0, 10.0, 20.0],
            0.5,
            10.0,
            "ﬁ",
            false,
            &mut g,
        );
        glyphs_for(&ID, 0.5, 10.0, "fi", false, &mut g);
        assert_eq!(g[0].bbox, Rect::new(10.0, 16.0, 20.0, 36.0));
        assert_eq!(g.len(), 3);
        assert!(
            (g[2].x - 2.5).abs() < 1e-9,
            "a 2-char ligature splits its advance"
        );
    }

    #[test]
    fn quality_counts() {
        let mut g = Vec::new();
        run(
            "ab\u{FFFD}\u{E001}\u{1}\u{FFFF}",
            0.0,
            0.0,
            10.0,
            0.5,
            &mut g,
        );
        let q = Quality::of(&g);
        assert_eq!(q, Quality { good: 2, bad: 4 });
        assert!(!q.usable());
        assert!(Quality { good: 3, bad: 1 }.usable());
        assert!(!Quality::default().usable());
    }
}
