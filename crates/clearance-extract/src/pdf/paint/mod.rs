//! The paint log of a page: what was painted, in paint order, with the graphics state that
//! decides whether it can be seen (colours, alpha, blend mode, render mode, clip).
//!
//! Design decision: the log comes from the same single pass over the page that yields its
//! text ([`super::run`]), during extraction. Extraction hands the logs over with the
//! document ([`crate::extract_for_forensics`]) so forensics reuses them instead of
//! interpreting every page again; [`page_paint`] reads one page afresh when they are not
//! there.

pub(crate) mod colour;
pub(crate) mod image;
mod keeper;
pub(crate) mod path;
pub(crate) mod standard_widths;

use clearance_model::Rect;
use lopdf::Document;

pub(crate) use keeper::Keeper;
pub use keeper::PaintLogs;

pub use colour::Rgb;
pub use path::{FillRule, Shape};

use crate::{ExtractError, Limits};

/// Everything painted on one page, in paint order.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct PaintLog {
    /// 1-based page number.
    pub page: u32,
    /// The page's media box (US Letter when missing).
    pub media_box: Rect,
    /// The visible area: the crop box clipped to the media box, or the media box.
    pub crop_box: Rect,
    /// Paint operations in the order the page paints them, forms inlined.
    pub items: Vec<PaintItem>,
    /// Parts of the page that could not be followed (damaged forms, limits reached): the log
    /// is then incomplete and checks built on it may miss things.
    pub problems: Vec<String>,
}

/// One paint operation.
#[derive(Debug, Clone, PartialEq)]
pub enum PaintItem {
    /// A text-showing operator's glyphs.
    Text(TextPaint),
    /// A filled path (`f`, `f*`, `B`, `b`, ...) or a shading (`sh`).
    Fill(FillPaint),
    /// An image XObject or inline image.
    Image(ImagePaint),
    /// The clip changed to this box (a `W`/`W*` path or clipping text took effect).
    Clip(Rect),
}

/// A glyph as painted: its decoded char (U+FFFD when the font gives none) and its box.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PaintedGlyph {
    /// The char.
    pub ch: char,
    /// Its box in page space.
    pub bbox: Rect,
}

/// Glyphs shown by one text operator and the state they were painted with.
#[derive(Debug, Clone, PartialEq)]
pub struct TextPaint {
    /// The glyphs, in show order.
    pub glyphs: Vec<PaintedGlyph>,
    /// Fill colour (`None`: a pattern or an unknown space).
    pub fill: Option<Rgb>,
    /// Stroke colour.
    pub stroke: Option<Rgb>,
    /// Text render mode `Tr` (0 fill, 1 stroke, 2 both, 3 invisible, 4–7 add to clip).
    pub render_mode: u8,
    /// Font size in page space (points).
    pub font_size: f32,
    /// Fill alpha (`ca`).
    pub fill_alpha: f32,
    /// Stroke alpha (`CA`).
    pub stroke_alpha: f32,
    /// The clip box in effect.
    pub clip: Rect,
}

impl TextPaint {
    /// The colour the glyphs are seen in: stroke colour for stroke-only text.
    pub fn visible_colour(&self) -> Option<Rgb> {
        if self.render_mode == 1 || self.render_mode == 5 {
            self.stroke
        } else {
            self.fill
        }
    }

    /// True unless the render mode paints nothing (3 invisible, 7 clip only).
    pub fn paints(&self) -> bool {
        !matches!(self.render_mode, 3 | 7)
    }
}

/// How a fill combines with what lies under it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Blend {
    /// `Normal` or `Compatible`: the fill replaces what is under it.
    Normal,
    /// `Multiply` or `Darken`: only darkens (a highlighter unless the fill is dark).
    Darken,
    /// Any other blend mode.
    Other,
}

/// A filled area.
#[derive(Debug, Clone, PartialEq)]
pub struct FillPaint {
    /// The area in page space.
    pub shape: Shape,
    /// Non-zero or even-odd.
    pub rule: FillRule,
    /// Fill colour (`None`: pattern, shading or unknown space).
    pub colour: Option<Rgb>,
    /// Fill alpha (`ca`).
    pub alpha: f32,
    /// Blend mode.
    pub blend: Blend,
    /// A soft mask was active: parts of the fill may be transparent.
    pub soft_mask: bool,
    /// The clip box in effect.
    pub clip: Rect,
    /// The clip is made of glyph outlines (text render modes 4–7): the fill paints the text
    /// shapes rather than covering them.
    pub text_clip: bool,
    /// Painted by `sh` (a shading filling the clip), not by a path.
    pub shading: bool,
}

impl FillPaint {
    /// Share (0–1) of `r` that this fill paints: inside the shape and inside the clip.
    pub fn coverage(&self, r: &Rect) -> f32 {
        let Some(visible) = r.intersect(&self.clip) else {
            return 0.0;
        };
        let inside_clip = visible.area() / r.area().max(f32::MIN_POSITIVE);
        let c = self.shape.coverage(self.rule, r);
        c.min(inside_clip)
    }
}

/// An image painted on the page.
#[derive(Debug, Clone, PartialEq)]
pub struct ImagePaint {
    /// The unit square under the CTM, in page space.
    pub bbox: Rect,
    /// An inline image (`BI ... EI`) rather than an XObject.
    pub inline: bool,
    /// A stencil mask (`/ImageMask true`): painted in the fill colour where the mask says.
    pub mask: bool,
    /// Mean darkness 0 (white) to 1 (black) when cheap to know (uncompressed or Flate,
    /// 8-bit grey/RGB, or 1-bit masks: the painted share times the fill darkness).
    pub darkness: Option<f32>,
    /// The image has an `/SMask` or `/Mask`: parts of it may be see-through.
    pub transparent: bool,
    /// Fill alpha (`ca`).
    pub alpha: f32,
    /// The clip box in effect.
    pub clip: Rect,
    /// The clip is made of glyph outlines.
    pub text_clip: bool,
}

/// The paint log of page `page` (1-based) of `doc`; `file` is the raw file, used to recover
/// stream bodies lopdf lost.
///
/// # Errors
/// [`ExtractError::Corrupt`] when the page does not exist or its content cannot be read or
/// parsed. Problems inside the page (a damaged form, a limit reached) are listed in
/// [`PaintLog::problems`] instead.
pub fn page_paint(
    doc: &Document,
    file: &[u8],
    page: u32,
    limits: &Limits,
) -> Result<PaintLog, ExtractError> {
    let page_id = doc
        .get_pages()
        .get(&page)
        .copied()
        .ok_or_else(|| ExtractError::corrupt("pdf", format!("page {page} does not exist")))?;
    let mut fonts = super::run::FontCache::default();
    super::run::run_page(doc, file, page, page_id, limits, &mut fonts, 0).paint
}

#[cfg(test)]
mod tests;
