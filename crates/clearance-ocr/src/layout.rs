//! Recognised words into segments: one segment per text block, lines joined with `\n`,
//! Latin words with a space, CJK chars with nothing, and one box per char.

use clearance_model::{Rect, Segment, Source};

use crate::tsv::Word;

/// Words below this confidence are dropped: at lower values tesseract mostly reports texture.
pub const MIN_WORD_CONF: f32 = 40.0;

/// A block whose kept words average below this confidence is noise.
const MIN_BLOCK_CONF: f32 = 60.0;

/// A block needs at least this many letters, digits or CJK chars to be kept.
const MIN_BLOCK_CHARS: usize = 3;

/// Where the pixels tesseract saw sit in the document.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Space {
    /// A picture that was scaled by `scale` before OCR: boxes go back to its own pixels.
    Pixels {
        /// Scale applied before OCR (0.5 = half size).
        scale: f32,
    },
    /// A PDF page rendered at `dpi`: boxes go to page space (points, y up).
    Page {
        /// Render resolution.
        dpi: f32,
        /// The page's media box.
        media_box: Rect,
    },
    /// An image of `width`×`height` pixels, scaled by `scale` before OCR, drawn in `bbox` on
    /// a PDF page: boxes go to page space (points, y up), the image's top row at the top.
    Placed {
        /// Scale applied before OCR.
        scale: f32,
        /// The image's pixel width.
        width: u32,
        /// The image's pixel height.
        height: u32,
        /// Where it is drawn on the page.
        bbox: Rect,
    },
}

impl Space {
    /// A word-space box (pixels, y down) in the target space.
    pub fn map(&self, x0: f32, y0: f32, x1: f32, y1: f32) -> Rect {
        match *self {
            Space::Pixels { scale } => {
                let s = if scale > 0.0 { scale } else { 1.0 };
                Rect::new(x0 / s, y0 / s, x1 / s, y1 / s)
            }
            Space::Page { dpi, media_box } => {
                let k = if dpi > 0.0 { 72.0 / dpi } else { 1.0 };
                Rect::new(
                    media_box.x0 + x0 * k,
                    media_box.y1 - y0 * k,
                    media_box.x0 + x1 * k,
                    media_box.y1 - y1 * k,
                )
            }
            Space::Placed {
                scale,
                width,
                height,
                bbox,
            } => {
                let s = if scale > 0.0 { scale } else { 1.0 };
                let kx = (bbox.x1 - bbox.x0) / (width.max(1) as f32 * s);
                let ky = (bbox.y1 - bbox.y0) / (height.max(1) as f32 * s);
                Rect::new(
                    bbox.x0 + x0 * kx,
                    bbox.y1 - y0 * ky,
                    bbox.x0 + x1 * kx,
                    bbox.y1 - y1 * ky,
                )
            }
        }
    }
}

/// True for chars that are written without spaces between them.
fn is_cjk(c: char) -> bool {
    matches!(c as u32,
        0x3000..=0x303F | 0x3400..=0x4DBF | 0x4E00..=0x9FFF | 0xF900..=0xFAFF
        | 0xFF00..=0xFFEF | 0x20000..=0x3FFFF | 0x2605 | 0x2606)
}

fn is_content(c: char) -> bool {
    c.is_alphanumeric()
}

/// How much real text a set of words holds: content chars weighted by confidence. Used to
/// pick the better of two passes over one picture at different scales.
pub fn score(words: &[Word]) -> f32 {
    words
        .iter()
        .filter(|w| w.conf >= MIN_WORD_CONF)
        .map(|w| w.text.chars().filter(|c| is_content(*c)).count() as f32 * w.conf / 100.0)
        .sum()
}

/// Segments (source `ocr`) of the confident words, one per block; noise blocks are dropped.
pub fn segments(words: &[Word], space: Space, part: &str, page: Option<u32>) -> Vec<Segment> {
    let mut out = Vec::new();
    let mut block: Vec<&Word> = Vec::new();
    for w in words.iter().filter(|w| w.conf >= MIN_WORD_CONF) {
        if block.last().is_some_and(|b| b.block != w.block) {
            out.extend(block_segment(&block, space, part, page));
            block.clear();
        }
        block.push(w);
    }
    out.extend(block_segment(&block, space, part, page));
    out
}

fn block_segment(words: &[&Word], space: Space, part: &str, page: Option<u32>) -> Option<Segment> {
    let content: usize = words
        .iter()
        .map(|w| w.text.chars().filter(|c| is_content(*c)).count())
        .sum();
    if words.is_empty() || content < MIN_BLOCK_CHARS {
        return None;
    }
    let mean = words.iter().map(|w| w.conf).sum::<f32>() / words.len() as f32;
    if mean < MIN_BLOCK_CONF {
        return None;
    }
    let mut text = String::new();
    let mut boxes = Vec::new();
    let mut prev: Option<&Word> = None;
    for w in words {
        if let Some(p) = prev {
            let new_line = (p.par, p.line) != (w.par, w.line);
            let glue = text.chars().next_back().is_some_and(is_cjk)
                && w.text.chars().next().is_some_and(is_cjk);
            if new_line {
                text.push('\n');
                boxes.push(Rect::default());
            } else if !glue {
                text.push(' ');
                boxes.push(Rect::default());
            }
        }
        let n = w.text.chars().count().max(1) as f32;
        let step = w.width / n;
        for (i, c) in w.text.chars().enumerate() {
            let x0 = w.left + step * i as f32;
            text.push(c);
            boxes.push(space.map(x0, w.top, x0 + step, w.top + w.height));
        }
        prev = Some(w);
    }
    let mut seg = Segment::new(Source::Ocr, text).with_part(part);
    seg.page = page;
    seg.boxes = boxes;
    seg.confidence = Some(mean.clamp(0.0, 100.0).round() as u8);
    Some(seg)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn w(block: u32, line: u32, left: f32, width: f32, conf: f32, text: &str) -> Word {
        Word {
            block,
            par: 1,
            line,
            left,
            top: 10.0,
            width,
            height: 20.0,
            conf,
            text: text.into(),
        }
    }

    #[test]
    fn joins_latin_with_spaces_cjk_without_and_lines_with_newlines() {
        let words = [
            w(1, 1, 0.0, 40.0, 90.0, "NO"),
            w(1, 1, 50.0, 100.0, 90.0, "PHOTO"),
            w(1, 2, 0.0, 40.0, 90.0, "军事"),
            w(1, 2, 40.0, 40.0, 90.0, "禁区"),
            w(1, 2, 90.0, 30.0, 90.0, "A1"),
        ];
        let segs = segments(&words, Space::Pixels { scale: 1.0 }, "image", None);
        assert_eq!(segs.len(), 1);
        let s = &segs[0];
        assert_eq!(s.text, "NO PHOTO\n军事禁区 A1");
        assert_eq!(s.boxes.len(), s.text.chars().count());
        assert_eq!(s.source, Source::Ocr);
        assert_eq!(s.part.as_deref(), Some("image"));
        assert_eq!(s.confidence, Some(90));
        // Each char gets an even share of its word box.
        assert_eq!(s.boxes[3], Rect::new(50.0, 10.0, 70.0, 30.0));
        let start = s.text.find("禁区").unwrap();
        assert_eq!(
            s.bbox_of(start, start + "禁区".len()),
            Some(Rect::new(40.0, 10.0, 80.0, 30.0))
        );
    }

    #[test]
    fn blocks_split_and_noise_is_dropped() {
        let words = [
            w(1, 1, 0.0, 40.0, 92.0, "TOP"),
            w(1, 1, 50.0, 40.0, 30.0, "garbage"),
            w(2, 1, 0.0, 10.0, 95.0, "|"),
            w(2, 1, 20.0, 10.0, 95.0, "K"),
            w(3, 1, 0.0, 40.0, 45.0, "abc"),
            w(3, 1, 0.0, 40.0, 50.0, "def"),
            w(4, 1, 0.0, 40.0, 85.0, "SECRET"),
        ];
        let segs = segments(&words, Space::Pixels { scale: 1.0 }, "image", None);
        let texts: Vec<&str> = segs.iter().map(|s| s.text.as_str()).collect();
        assert_eq!(
            texts,
            ["TOP", "SECRET"],
            "low-confidence word, tiny and weak blocks go"
        );
    }

    #[test]
    fn maps_to_scaled_pixels_and_to_pdf_page_space() {
        let px = Space::Pixels { scale: 0.5 };
        assert_eq!(
            px.map(10.0, 20.0, 30.0, 40.0),
            Rect::new(20.0, 40.0, 60.0, 80.0)
        );
        let page = Space::Page {
            dpi: 300.0,
            media_box: Rect::new(0.0, 0.0, 595.0, 842.0),
        };
        // 300 px at 300 dpi is one inch: 72 pt from the left, 72 pt down from the top.
        let r = page.map(300.0, 300.0, 600.0, 600.0);
        assert_eq!(r, Rect::new(72.0, 842.0 - 144.0, 144.0, 842.0 - 72.0));
        // A 900x300 image drawn at (72, 560)-(432, 680), read at half size: 450x150 px.
        let placed = Space::Placed {
            scale: 0.5,
            width: 900,
            height: 300,
            bbox: Rect::new(72.0, 560.0, 432.0, 680.0),
        };
        assert_eq!(
            placed.map(0.0, 0.0, 450.0, 150.0),
            Rect::new(72.0, 680.0, 432.0, 560.0)
        );
        // 45 px of 450 is a tenth of the 360 pt width; 15 px of 150 a tenth of 120 pt.
        assert_eq!(
            placed.map(45.0, 15.0, 90.0, 30.0),
            Rect::new(108.0, 668.0, 144.0, 656.0)
        );
    }

    #[test]
    fn score_prefers_confident_text() {
        let good = [w(1, 1, 0.0, 10.0, 90.0, "军事禁区")];
        let bad = [
            w(1, 1, 0.0, 10.0, 50.0, "车事"),
            w(1, 1, 0.0, 10.0, 20.0, "茶"),
        ];
        assert!(score(&good) > score(&bad));
    }
}
