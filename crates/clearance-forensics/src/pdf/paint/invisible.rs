//! Text in the file that nobody sees on the page: invisible render mode (except a scan's OCR
//! layer), text in the colour of what lies under it, text under 1 pt, text off the page.

use clearance_extract::pdf::paint::{Blend, FillPaint, PaintItem, PaintLog, Rgb};
use clearance_model::{Category, ExtractedDocument, Rect, Severity, Source};

use super::glyphs::{is_placeholder, line_runs, painted_text, recover_run, GlyphAt};
use crate::report::{finding, quote, Out};

/// Images covering this share of the visible page make it a scan: invisible text on it is
/// the OCR layer that makes the scan searchable.
const SCAN_SHARE: f32 = 0.5;
/// Font size in points under which text cannot be read.
const TINY: f32 = 1.0;
/// Largest colour difference (per component) at which text is lost in its background.
const SAME_COLOUR: f32 = 0.06;
/// Most paint items looked through, back from a glyph, for what lies under it.
const MAX_BACKGROUND_SCAN: usize = 5000;
/// A box darker than this under text of its own colour is a redaction attempt.
const DARK_BOX: f32 = 0.35;
/// Findings per rule per page; the rest is summarised in a warning.
pub(super) const MAX_RUNS: usize = 20;

/// Rule of text outside the visible page.
pub(super) const OFFPAGE_RULE: &str = "pdf-offpage-text";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Hidden {
    OffPage,
    Invisible,
    Tiny,
    SameColour,
    /// Dark text on a dark box painted before it: black highlighting used as redaction.
    SameColourBox,
}

impl Hidden {
    fn rule(self) -> &'static str {
        match self {
            Hidden::OffPage => OFFPAGE_RULE,
            Hidden::Invisible => "pdf-invisible-text",
            Hidden::Tiny => "pdf-tiny-text",
            Hidden::SameColour => "pdf-white-text",
            Hidden::SameColourBox => "pdf-text-on-same-colour-box",
        }
    }

    fn explain(self, page: u32, text: &str) -> String {
        let q = quote(text);
        match self {
            Hidden::OffPage => format!("Text placed outside the visible area of page {page} is in the file: {q}"),
            Hidden::Invisible => format!("Invisible text (render mode 3 or fully transparent) on page {page} is in the file: {q}"),
            Hidden::Tiny => format!("Text smaller than 1 pt on page {page} cannot be read but is in the file: {q}"),
            Hidden::SameColourBox => format!("Text on page {page} is printed in the colour of the dark box under it and can be copied: {q}"),
            Hidden::SameColour => format!("Text in the same colour as its background on page {page} cannot be seen but can be copied: {q}"),
        }
    }
}

/// What is under a point when a glyph is painted: the page's white, a known colour, or
/// something of unknown colour (an image, a pattern, a translucent fill).
/// Background colour and whether a filled shape (rather than the bare page) gives it.
/// `None` also when the background lies more than [`MAX_BACKGROUND_SCAN`] items back (a page
/// of many thousand shapes): unknown, so nothing is claimed.
fn background(log: &PaintLog, before: usize, g: &GlyphAt) -> Option<(Rgb, bool)> {
    let r = &g.bbox;
    let start = before.saturating_sub(MAX_BACKGROUND_SCAN);
    for item in log
        .items
        .get(start..before)
        .unwrap_or_default()
        .iter()
        .rev()
    {
        match item {
            PaintItem::Fill(f) => {
                if f.coverage(r) < 0.5 {
                    continue;
                }
                if f.alpha < 0.9 || f.soft_mask || f.blend != Blend::Normal || f.text_clip {
                    return None;
                }
                return f.colour.map(|c| (c, true));
            }
            PaintItem::Image(i)
                if r.intersect(&i.bbox)
                    .and_then(|o| o.intersect(&i.clip))
                    .is_some() =>
            {
                return None;
            }
            _ => {}
        }
    }
    (start == 0).then_some((Rgb::WHITE, false))
}

/// How far `r` lies outside `page` (0 when they touch or overlap).
fn distance_outside(r: &Rect, page: &Rect) -> f32 {
    let dx = (page.x0 - r.x1).max(r.x0 - page.x1).max(0.0);
    let dy = (page.y0 - r.y1).max(r.y0 - page.y1).max(0.0);
    dx.max(dy)
}

/// What the page knows about itself before glyphs are classified.
struct Page<'a> {
    log: &'a PaintLog,
    /// Most of the page is covered by images.
    scan: bool,
    /// Image boxes (clipped).
    images: Vec<Rect>,
    /// White plus the colour of every opaque fill: text of another colour cannot match its
    /// background, so the search for the background is skipped.
    backgrounds: Vec<Rgb>,
}

fn classify(page: &Page, g: &GlyphAt) -> Option<Hidden> {
    let (log, scan, images) = (page.log, page.scan, &page.images);
    if g.ch.is_whitespace() || !g.ch.is_alphanumeric() && !g.ch.is_ascii_punctuation() {
        return None;
    }
    let t = g.text;
    if g.bbox.intersect(&log.crop_box).is_none() {
        // A line that runs a few chars past the edge is cut, not hidden (and the paint log
        // may place the end of a line a little too far when it lacks the font's widths).
        let on_page = t
            .glyphs
            .iter()
            .any(|o| o.bbox.intersect(&log.crop_box).is_some());
        return (!on_page || distance_outside(&g.bbox, &log.crop_box) > 3.0 * t.font_size)
            .then_some(Hidden::OffPage);
    }
    let transparent = t.fill_alpha.max(t.stroke_alpha) <= 0.05;
    if t.render_mode == 3 || (transparent && t.paints()) {
        let (x, y) = g.centre();
        let on_image = images
            .iter()
            .any(|i| x >= i.x0 && x <= i.x1 && y >= i.y0 && y <= i.y1);
        return (!scan && !on_image).then_some(Hidden::Invisible);
    }
    if !g.painted() {
        return None;
    }
    if t.font_size < TINY {
        return Some(Hidden::Tiny);
    }
    let colour = t.visible_colour()?;
    if !page
        .backgrounds
        .iter()
        .any(|b| colour.distance(b) < SAME_COLOUR)
    {
        return None;
    }
    let (bg, boxed) = background(log, g.item, g)?;
    if colour.distance(&bg) >= SAME_COLOUR {
        return None;
    }
    Some(if boxed && bg.luminance() < DARK_BOX {
        Hidden::SameColourBox
    } else {
        Hidden::SameColour
    })
}

pub(super) fn check(log: &PaintLog, glyphs: &[GlyphAt], doc: &ExtractedDocument, out: &mut Out) {
    let images: Vec<Rect> = log
        .items
        .iter()
        .filter_map(|i| match i {
            PaintItem::Image(i) => i.bbox.intersect(&i.clip),
            _ => None,
        })
        .collect();
    let image_area: f32 = images
        .iter()
        .filter_map(|r| r.intersect(&log.crop_box))
        .map(|r| r.area())
        .sum();
    let mut backgrounds = vec![Rgb::WHITE];
    for item in &log.items {
        if let PaintItem::Fill(FillPaint {
            colour: Some(c), ..
        }) = item
        {
            if !backgrounds.iter().any(|b| b.distance(c) < 0.01) && backgrounds.len() < 256 {
                backgrounds.push(*c);
            }
        }
    }
    let page = Page {
        log,
        scan: image_area >= SCAN_SHARE * log.crop_box.area(),
        images,
        backgrounds,
    };
    let mut by_rule: Vec<(Hidden, Vec<&GlyphAt>)> = Vec::new();
    for g in glyphs {
        let Some(kind) = classify(&page, g) else {
            continue;
        };
        match by_rule.iter_mut().find(|(k, _)| *k == kind) {
            Some((_, list)) => list.push(g),
            None => by_rule.push((kind, vec![g])),
        }
    }
    for (kind, list) in by_rule {
        let runs = line_runs(list);
        let total = runs.len();
        // Off-page lines are capped by the caller, after dropping those another page shows.
        let cap = if kind == Hidden::OffPage {
            usize::MAX
        } else {
            MAX_RUNS
        };
        for run in runs.into_iter().take(cap) {
            report(log.page, kind, &run, doc, out);
        }
        if total > cap {
            out.warn(format!(
                "page {}: {} more lines of {} not listed",
                log.page,
                total - cap,
                kind.rule()
            ));
        }
    }
}

fn report(page: u32, kind: Hidden, run: &[&GlyphAt], doc: &ExtractedDocument, out: &mut Out) {
    let boxes: Vec<Rect> = run.iter().map(|g| g.bbox).collect();
    let (text, span) =
        recover_run(doc, page, run).map_or_else(|| (painted_text(run), None), |(t, s)| (t, s));
    if !text.chars().any(char::is_alphanumeric) || text.split_whitespace().all(is_placeholder) {
        return;
    }
    let mut f = finding(
        if kind == Hidden::SameColourBox {
            Category::FailedRedaction
        } else {
            Category::HiddenContent
        },
        kind.rule(),
        Severity::High,
        &text,
        Source::Body,
        kind.explain(page, &text),
    );
    f.page = Some(page);
    f.bbox = Rect::union(&boxes);
    f.span = span;
    out.push(f);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pdf::paint::testlog::{grey, image, log, rect, run, text};
    use PaintItem::{Fill, Image, Text};

    fn found(items: Vec<PaintItem>) -> Vec<(String, String)> {
        run(&log(items), check)
    }

    fn one(rule: &str) -> Vec<(String, String)> {
        vec![(rule.to_string(), "Falcon".to_string())]
    }

    #[test]
    fn hidden_text_table() {
        let t = || text("Falcon", 72.0);
        let mut tr3 = t();
        tr3.render_mode = 3;
        let mut clear = t();
        clear.fill_alpha = 0.0;
        clear.stroke_alpha = 0.0;
        let mut white = t();
        white.fill = Some(Rgb::WHITE);
        let mut tiny = t();
        tiny.font_size = 0.5;
        let behind = Rect::new(60.0, 690.0, 200.0, 715.0);
        type Case<'a> = (&'a str, Vec<PaintItem>, Vec<(String, String)>);
        let cases: Vec<Case> = vec![
            (
                "render mode 3",
                vec![Text(tr3.clone())],
                one("pdf-invisible-text"),
            ),
            (
                "fully transparent",
                vec![Text(clear)],
                one("pdf-invisible-text"),
            ),
            (
                "white on the page",
                vec![Text(white.clone())],
                one("pdf-white-text"),
            ),
            (
                "white on a white box",
                vec![Fill(rect(behind, Rgb::WHITE)), Text(white.clone())],
                one("pdf-white-text"),
            ),
            (
                "black on a black box",
                vec![Fill(rect(behind, grey(0.0))), Text(t())],
                one("pdf-text-on-same-colour-box"),
            ),
            ("tiny", vec![Text(tiny)], one("pdf-tiny-text")),
            (
                "off the page",
                vec![Text(text("Falcon", 700.0))],
                one("pdf-offpage-text"),
            ),
            // Traps.
            (
                "OCR layer of a scan",
                vec![
                    Image(image(Rect::new(0.0, 0.0, 612.0, 792.0))),
                    Text(tr3.clone()),
                ],
                vec![],
            ),
            (
                "OCR layer of a figure",
                vec![Image(image(behind)), Text(tr3)],
                vec![],
            ),
            (
                "white on a dark bar",
                vec![Fill(rect(behind, grey(0.1))), Text(white.clone())],
                vec![],
            ),
            (
                "white on a picture",
                vec![Image(image(behind)), Text(white)],
                vec![],
            ),
            ("black on the page", vec![Text(t())], vec![]),
            (
                "line cut at the edge",
                vec![Text(text("Falcon", 590.0))],
                vec![],
            ),
        ];
        for (name, items, want) in cases {
            assert_eq!(found(items), want, "{name}");
        }
    }
}
