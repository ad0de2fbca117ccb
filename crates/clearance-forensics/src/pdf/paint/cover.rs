//! Failed redactions drawn into the page: glyphs that an opaque filled shape or image painted
//! after them covers (by area, 80% or more). The text is gone from the rendered page but
//! still in the file, where copy and paste or any text extractor finds it.

use std::collections::HashMap;

use clearance_extract::pdf::paint::{Blend, FillPaint, ImagePaint, PaintItem, PaintLog, Rgb};
use clearance_model::{Category, ExtractedDocument, Rect, Severity, Source};

use super::glyphs::{centre, is_placeholder, line_runs, painted_text, recover_in, GlyphAt};
use crate::report::{finding, quote, Out};

/// Share of a glyph a cover must paint over for the glyph to count as hidden.
const MIN_COVERAGE: f32 = 0.8;
/// Opacity from which a fill or image hides what lies under it.
const MIN_ALPHA: f32 = 0.9;
/// A cover thinner than this (points) is a rule or a line, not a box.
const MIN_SIDE: f32 = 2.0;
/// A picture covering this share of the page is the page itself (a scan, a slide image):
/// text under it is an OCR layer or a stale copy, not a redaction.
const PAGE_IMAGE_SHARE: f32 = 0.5;
/// Most (cover, glyph) pairs examined per page: a page of thousands of vector shapes and
/// thousands of glyphs is checked partly, with a warning, rather than slowly.
const MAX_PAIRS: usize = 50_000_000;

/// A paint operation that hides whatever it covers.
enum Cover<'a> {
    Fill(&'a FillPaint),
    Image(&'a ImagePaint),
}

impl Cover<'_> {
    fn bbox(&self) -> Rect {
        match self {
            Cover::Fill(f) => f
                .shape
                .bbox
                .intersect(&f.clip)
                .unwrap_or(Rect::new(0.0, 0.0, 0.0, 0.0)),
            Cover::Image(i) => i
                .bbox
                .intersect(&i.clip)
                .unwrap_or(Rect::new(0.0, 0.0, 0.0, 0.0)),
        }
    }

    fn coverage(&self, r: &Rect) -> f32 {
        match self {
            Cover::Fill(f) => f.coverage(r),
            Cover::Image(i) => {
                let Some(on) = r.intersect(&i.bbox).and_then(|o| o.intersect(&i.clip)) else {
                    return 0.0;
                };
                on.area() / r.area().max(f32::MIN_POSITIVE)
            }
        }
    }

    /// "a black box", "a dark grey box", "an image", "a black image".
    fn noun(&self) -> String {
        match self {
            Cover::Fill(f) => match f.colour.map(|c| c.luminance()) {
                Some(l) if l < 0.12 => "a black box".into(),
                Some(l) if l < 0.45 => "a dark grey box".into(),
                Some(l) if l < 0.75 => "a grey box".into(),
                Some(l) if l > 0.97 => "a white box".into(),
                _ => "an opaque box".into(),
            },
            Cover::Image(i) => match i.darkness {
                Some(d) if d > 0.85 => "a black image".into(),
                _ => "an image".into(),
            },
        }
    }
}

/// Side of a grid cell, in points.
const CELL: f32 = 32.0;
/// Cells a glyph or cover may span before it is handled by a plain scan instead.
const MAX_CELLS: i64 = 4096;

/// Painted glyphs bucketed by 32 pt cells, so a cover only meets the glyphs near it.
struct Grid {
    cells: HashMap<(i32, i32), Vec<usize>>,
    /// Glyphs too big for the grid: always candidates.
    oversize: Vec<usize>,
    count: usize,
}

/// The cell range `r` spans, `None` when it spans too many (or is not finite).
fn cell_range(r: &Rect) -> Option<(i32, i32, i32, i32)> {
    let f = |v: f32| (v / CELL).floor();
    let (x0, y0, x1, y1) = (f(r.x0), f(r.y0), f(r.x1), f(r.y1));
    if ![x0, y0, x1, y1]
        .iter()
        .all(|v| v.is_finite() && v.abs() < 1e6)
    {
        return None;
    }
    let n = (i64::from(x1 as i32) - i64::from(x0 as i32) + 1)
        * (i64::from(y1 as i32) - i64::from(y0 as i32) + 1);
    (n <= MAX_CELLS).then_some((x0 as i32, y0 as i32, x1 as i32, y1 as i32))
}

impl Grid {
    fn new(glyphs: &[GlyphAt]) -> Grid {
        let mut grid = Grid {
            cells: HashMap::new(),
            oversize: Vec::new(),
            count: glyphs.len(),
        };
        for (i, g) in glyphs.iter().enumerate() {
            match cell_range(&g.bbox) {
                Some((x0, y0, x1, y1)) => {
                    for x in x0..=x1 {
                        for y in y0..=y1 {
                            grid.cells.entry((x, y)).or_default().push(i);
                        }
                    }
                }
                None => grid.oversize.push(i),
            }
        }
        grid
    }

    /// Indices (sorted, unique, below `before`) of the glyphs that may meet `area`.
    fn candidates(&self, area: &Rect, before: usize) -> Vec<usize> {
        let mut out: Vec<usize> = match cell_range(area) {
            Some((x0, y0, x1, y1)) => {
                let mut v = self.oversize.clone();
                for x in x0..=x1 {
                    for y in y0..=y1 {
                        if let Some(list) = self.cells.get(&(x, y)) {
                            v.extend(list.iter().take_while(|&&i| i < before));
                        }
                    }
                }
                v
            }
            None => (0..self.count).collect(),
        };
        out.retain(|&i| i < before);
        out.sort_unstable();
        out.dedup();
        out
    }
}

/// The paint item as a cover, when it hides what lies under it.
fn as_cover<'a>(item: &'a PaintItem, page_area: f32) -> Option<Cover<'a>> {
    match item {
        PaintItem::Fill(f) => {
            let colour: Rgb = f.colour?;
            let dark_enough = match f.blend {
                Blend::Normal => true,
                // Multiply over text hides it only when the fill is near black.
                Blend::Darken => colour.luminance() < 0.2,
                Blend::Other => false,
            };
            let b = f.shape.bbox;
            let opaque = f.alpha >= MIN_ALPHA && !f.soft_mask && !f.text_clip && !f.shading;
            (opaque && dark_enough && b.x1 - b.x0 >= MIN_SIDE && b.y1 - b.y0 >= MIN_SIDE)
                .then_some(Cover::Fill(f))
        }
        PaintItem::Image(i) => {
            let on_page = i.bbox.intersect(&i.clip).map_or(0.0, |r| r.area());
            let mask_ok = !i.mask || i.darkness.is_some_and(|d| d > 0.6);
            (i.alpha >= MIN_ALPHA
                && !i.transparent
                && !i.text_clip
                && mask_ok
                && on_page < PAGE_IMAGE_SHARE * page_area)
                .then_some(Cover::Image(i))
        }
        _ => None,
    }
}

pub(super) fn check(log: &PaintLog, glyphs: &[GlyphAt], doc: &ExtractedDocument, out: &mut Out) {
    let page_area = log.crop_box.area().max(1.0);
    // Most pages paint no cover after their first glyph: nothing to examine.
    let first_text = glyphs.first().map_or(usize::MAX, |g| g.item);
    let any_cover = log
        .items
        .iter()
        .skip(first_text.saturating_add(1))
        .any(|item| as_cover(item, page_area).is_some());
    if !any_cover {
        return;
    }
    // For each glyph, the first cover painted after it that hides it.
    let mut hidden_by: Vec<Option<usize>> = vec![None; glyphs.len()];
    let painted: Vec<bool> = glyphs.iter().map(GlyphAt::painted).collect();
    // Built when the first cover turns up: most pages have none, and indexing thousands of
    // glyphs for nothing was a sixth of a text-only scan.
    let mut grid: Option<Grid> = None;
    let mut pairs = 0usize;
    let mut partial = false;
    for (ci, item) in log.items.iter().enumerate() {
        let Some(cover) = as_cover(item, page_area) else {
            continue;
        };
        let area = cover.bbox();
        if area.area() <= 0.0 {
            continue;
        }
        let before = glyphs.partition_point(|g| g.item < ci);
        if before == 0 {
            continue;
        }
        let candidates = grid
            .get_or_insert_with(|| Grid::new(glyphs))
            .candidates(&area, before);
        pairs += candidates.len();
        if pairs > MAX_PAIRS {
            partial = true;
            break;
        }
        for gi in candidates {
            let Some(g) = glyphs.get(gi) else { continue };
            if hidden_by.get(gi).copied().flatten().is_some()
                || !painted.get(gi).copied().unwrap_or(false)
                || g.bbox.intersect(&area).is_none()
            {
                continue;
            }
            if cover.coverage(&g.bbox) >= MIN_COVERAGE {
                if let Some(slot) = hidden_by.get_mut(gi) {
                    *slot = Some(ci);
                }
            }
        }
    }
    if partial {
        out.warn(format!(
            "page {}: too many shapes to check every one for text under it",
            log.page
        ));
    }
    // A glyph painted again at the same place after its cover is still visible. Visible
    // glyphs are indexed by char and 1 pt cell so the lookup stays cheap on full pages.
    let cell = |g: &GlyphAt| {
        let (x, y) = g.centre();
        (g.ch, x.floor() as i32, y.floor() as i32)
    };
    let mut visible: HashMap<(char, i32, i32), Vec<usize>> = HashMap::new();
    if hidden_by.iter().any(Option::is_some) {
        for (j, g) in glyphs.iter().enumerate() {
            if painted.get(j).copied().unwrap_or(false)
                && hidden_by.get(j).copied().flatten().is_none()
            {
                visible.entry(cell(g)).or_default().push(j);
            }
        }
    }
    let redrawn = |gi: usize, ci: usize| {
        let Some(g) = glyphs.get(gi) else {
            return false;
        };
        let (ch, cx, cy) = cell(g);
        let (x, y) = g.centre();
        (-1..=1).any(|dx| {
            (-1..=1).any(|dy| {
                visible
                    .get(&(ch, cx + dx, cy + dy))
                    .into_iter()
                    .flatten()
                    .filter_map(|&j| glyphs.get(j))
                    .any(|o| {
                        let (ox, oy) = o.centre();
                        o.item > ci && (ox - x).abs() < 1.0 && (oy - y).abs() < 1.0
                    })
            })
        })
    };
    let mut covers: Vec<usize> = hidden_by.iter().flatten().copied().collect();
    covers.sort_unstable();
    covers.dedup();
    for ci in covers {
        let Some(cover) = log.items.get(ci).and_then(|i| as_cover(i, page_area)) else {
            continue;
        };
        let under: Vec<&GlyphAt> = glyphs
            .iter()
            .enumerate()
            .filter(|(gi, _)| {
                hidden_by.get(*gi).copied().flatten() == Some(ci) && !redrawn(*gi, ci)
            })
            .map(|(_, g)| g)
            .collect();
        if under.is_empty() {
            continue;
        }
        report(log.page, &cover, under, doc, out);
    }
}

fn report(page: u32, cover: &Cover, under: Vec<&GlyphAt>, doc: &ExtractedDocument, out: &mut Out) {
    let runs = line_runs(under);
    let lines: Vec<Rect> = runs
        .iter()
        .filter_map(|r| Rect::union(r.iter().map(|g| &g.bbox)))
        .collect();
    let recovered = recover_in(doc, page, &lines, |b| {
        let (x, y) = centre(b);
        let probe = Rect::new(x - 0.25, y - 0.25, x + 0.25, y + 0.25);
        cover.coverage(&probe) > 0.5
    });
    let (text, span) = match recovered {
        Some((t, s)) => (t, s),
        None => {
            let text = runs
                .iter()
                .map(|r| painted_text(r))
                .collect::<Vec<_>>()
                .join(" ");
            (text, None)
        }
    };
    let words: Vec<&str> = text
        .split_whitespace()
        .filter(|w| !is_placeholder(w))
        .collect();
    if words.iter().all(|w| !w.chars().any(char::is_alphanumeric)) {
        return;
    }
    let text = words.join(" ");
    let (rule, what) = match cover {
        Cover::Fill(_) => ("pdf-text-under-box", cover.noun()),
        Cover::Image(_) => ("pdf-text-under-image", cover.noun()),
    };
    let mut f = finding(
        Category::FailedRedaction,
        rule,
        Severity::High,
        &text,
        Source::Body,
        format!(
            "Text under {what} on page {page} can be copied: {}",
            quote(&text)
        ),
    );
    f.page = Some(page);
    f.bbox = Some(cover.bbox());
    f.span = span;
    out.push(f);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pdf::paint::testlog::{grey, image, log, rect, run, text};
    use PaintItem::{Fill, Image, Text};

    fn over_secret() -> Rect {
        Rect::new(70.0, 696.0, 170.0, 710.0)
    }

    fn found(items: Vec<PaintItem>) -> Vec<(String, String)> {
        run(&log(items), check)
    }

    fn box_rule(t: &str) -> Vec<(String, String)> {
        vec![("pdf-text-under-box".to_string(), t.to_string())]
    }

    #[test]
    fn boxes_painted_after_text_hide_it() {
        let secret = || Text(text("Nightjar", 72.0));
        for colour in [grey(0.0), grey(0.3), grey(0.6), grey(1.0)] {
            assert_eq!(
                found(vec![secret(), Fill(rect(over_secret(), colour))]),
                box_rule("Nightjar"),
                "an opaque box of any colour painted after the text hides it"
            );
        }
        assert_eq!(
            found(vec![secret(), Image(image(over_secret()))]),
            vec![("pdf-text-under-image".to_string(), "Nightjar".to_string())]
        );
    }

    #[test]
    fn traps_are_silent() {
        let secret = || Text(text("Nightjar", 72.0));
        let mut see_through = rect(over_secret(), grey(0.0));
        see_through.alpha = 0.5;
        let mut highlighter = rect(
            over_secret(),
            Rgb {
                r: 1.0,
                g: 1.0,
                b: 0.0,
            },
        );
        highlighter.blend = Blend::Darken;
        let mut clipped_to_glyphs = rect(over_secret(), grey(0.0));
        clipped_to_glyphs.text_clip = true;
        let mut soft = rect(over_secret(), grey(0.0));
        soft.soft_mask = true;
        let mut pattern = rect(over_secret(), grey(0.0));
        pattern.colour = None;
        let mut transparent_image = image(over_secret());
        transparent_image.transparent = true;
        let page_image = image(Rect::new(0.0, 0.0, 612.0, 792.0));
        let rule = Rect::new(72.0, 697.0, 300.0, 698.5);
        let mut redacted = text("REDACTED", 72.0);
        redacted.fill = Some(Rgb::WHITE);
        let cases: Vec<(&str, Vec<PaintItem>)> = vec![
            (
                "box before text",
                vec![Fill(rect(over_secret(), grey(0.9))), secret()],
            ),
            ("translucent box", vec![secret(), Fill(see_through)]),
            ("multiply highlighter", vec![secret(), Fill(highlighter)]),
            (
                "fill clipped to the glyphs",
                vec![secret(), Fill(clipped_to_glyphs)],
            ),
            ("soft-masked fill", vec![secret(), Fill(soft)]),
            ("pattern fill", vec![secret(), Fill(pattern)]),
            (
                "image with a mask",
                vec![secret(), Image(transparent_image)],
            ),
            ("full-page image (scan)", vec![secret(), Image(page_image)]),
            ("thin rule", vec![secret(), Fill(rect(rule, grey(0.0)))]),
            (
                "box with nothing under it",
                vec![Fill(rect(over_secret(), grey(0.0)))],
            ),
            (
                "placeholder under a second box",
                vec![
                    Fill(rect(over_secret(), grey(0.0))),
                    Text(redacted),
                    Fill(rect(over_secret(), grey(0.0))),
                ],
            ),
            (
                "text redrawn on top",
                vec![secret(), Fill(rect(over_secret(), grey(0.9))), secret()],
            ),
        ];
        for (name, items) in cases {
            assert_eq!(found(items), vec![], "{name}");
        }
    }

    #[test]
    fn partly_covered_word_gives_the_covered_chars() {
        let half = Rect::new(70.0, 696.0, 110.0, 710.0);
        assert_eq!(
            found(vec![
                Text(text("Nightjar", 72.0)),
                Fill(rect(half, grey(0.0)))
            ]),
            box_rule("Nightj"),
            "chars up to 'j' (102–108) are covered, 'a' (108–114) only by a third"
        );
    }
}
