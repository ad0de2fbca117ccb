//! Hand-built paint logs for the rule tables: a page of text items, boxes and images in a
//! chosen order, without a PDF.

use clearance_extract::pdf::paint::{
    Blend, FillPaint, FillRule, ImagePaint, PaintItem, PaintLog, PaintedGlyph, Rgb, Shape,
    TextPaint,
};
use clearance_model::{ExtractedDocument, Format, Rect};

use crate::report::Out;

pub(super) const PAGE: Rect = Rect {
    x0: 0.0,
    y0: 0.0,
    x1: 612.0,
    y1: 792.0,
};

pub(super) fn grey(v: f32) -> Rgb {
    Rgb { r: v, g: v, b: v }
}

/// `s` at (x, 700), 10 pt, 6 pt per char, black fill, render mode 0.
pub(super) fn text(s: &str, x: f32) -> TextPaint {
    TextPaint {
        glyphs: s
            .chars()
            .enumerate()
            .map(|(i, ch)| PaintedGlyph {
                ch,
                bbox: Rect::new(x + 6.0 * i as f32, 698.0, x + 6.0 * (i + 1) as f32, 708.0),
            })
            .collect(),
        fill: Some(Rgb::BLACK),
        stroke: Some(Rgb::BLACK),
        render_mode: 0,
        font_size: 10.0,
        fill_alpha: 1.0,
        stroke_alpha: 1.0,
        clip: PAGE,
    }
}

/// A rectangle fill in `colour`.
pub(super) fn rect(r: Rect, colour: Rgb) -> FillPaint {
    FillPaint {
        shape: Shape {
            subpaths: vec![vec![(r.x0, r.y0), (r.x1, r.y0), (r.x1, r.y1), (r.x0, r.y1)]],
            bbox: r,
            is_rect: true,
        },
        rule: FillRule::NonZero,
        colour: Some(colour),
        alpha: 1.0,
        blend: Blend::Normal,
        soft_mask: false,
        clip: PAGE,
        text_clip: false,
        shading: false,
    }
}

pub(super) fn image(r: Rect) -> ImagePaint {
    ImagePaint {
        bbox: r,
        inline: false,
        mask: false,
        darkness: Some(1.0),
        transparent: false,
        alpha: 1.0,
        clip: PAGE,
        text_clip: false,
    }
}

pub(super) fn log(items: Vec<PaintItem>) -> PaintLog {
    PaintLog {
        page: 1,
        media_box: PAGE,
        crop_box: PAGE,
        items,
        problems: Vec::new(),
    }
}

/// `(rule, text)` of what `check` finds on `log` (no extracted text: the paint log's chars
/// are used).
pub(super) fn run(
    log: &PaintLog,
    check: impl Fn(&PaintLog, &[super::glyphs::GlyphAt], &ExtractedDocument, &mut Out),
) -> Vec<(String, String)> {
    let glyphs = super::glyphs::flatten(log);
    let mut out = Out::default();
    check(log, &glyphs, &ExtractedDocument::new(Format::Pdf), &mut out);
    out.findings.into_iter().map(|f| (f.rule, f.text)).collect()
}
