//! The one content interpreter: walks a page's operations (forms inlined on an explicit
//! frame stack bounded by `Limits::max_depth`, with a cycle check) and yields, in a single
//! pass, the glyphs for the page text and the paint log forensics reads (every paint with
//! its graphics state).
//!
//! Design decision: text and paint share one pass and one text state so a glyph has the same
//! box in both and a page's content is decoded and parsed once. Fonts are loaded once per
//! document ([`FontCache`]), not per page. Painting costs little when the caller does not
//! want the log (annotation appearances): items are simply not kept.

use std::collections::HashMap;
use std::rc::Rc;

use clearance_model::Rect;
use lopdf::content::{Content, Operation};
use lopdf::{Dictionary, Document, Object, ObjectId, Stream};

use super::font::{Code, Font};
use super::interp::{
    content_cap, deref, mul, num, nums, page_content, page_resources, strip_comments, translate,
    PageScan, IDENTITY,
};
use super::layout::{glyphs_for, Glyph, Matrix};
use super::paint::colour::{operand_numbers, space_named, Rgb, Space};
use super::paint::image;
use super::paint::path::{FillRule, PathBuilder, Shape};
use super::paint::standard_widths::{self, Widths};
use super::paint::{Blend, FillPaint, ImagePaint, PaintItem, PaintLog, PaintedGlyph, TextPaint};
use super::{media_box, primary, streams};
use crate::{ExtractError, Limits};

/// Most operations executed for one page, forms included (a form drawn a million times is a
/// denial of service, not a document).
const MAX_OPS: usize = 20_000_000;
/// Most paint items kept for one page.
const MAX_ITEMS: usize = 200_000;
/// Most glyphs kept in one page's paint log.
const MAX_GLYPHS: usize = 500_000;
/// Deepest `q` nesting honoured; deeper saves are dropped.
const MAX_SAVE_DEPTH: usize = 4096;

/// Fonts of one document, loaded once: pages sharing a font object share its decoding.
#[derive(Default)]
pub(crate) struct FontCache {
    fonts: HashMap<FontKey, (Rc<Font>, Option<&'static Widths>)>,
}

#[derive(Hash, PartialEq, Eq)]
enum FontKey {
    Object(ObjectId),
    /// A font dictionary written inline in a resource dictionary, by address (the
    /// document outlives the cache).
    Inline(usize),
}

/// One page read once: its text scan and its paint log (or why the page could not be read).
pub(crate) struct PageRun {
    pub scan: PageScan,
    pub paint: Result<PaintLog, ExtractError>,
}

/// Interprets page `page` (1-based; `page_id` its object). `char_budget` bounds the text
/// glyphs kept; the paint log has its own bounds.
pub(crate) fn run_page(
    doc: &Document,
    file: &[u8],
    page: u32,
    page_id: ObjectId,
    limits: &Limits,
    fonts: &mut FontCache,
    char_budget: usize,
) -> PageRun {
    let mut scan = PageScan::default();
    let fail = |scan: PageScan, e: String| PageRun {
        scan,
        paint: Err(ExtractError::corrupt("pdf", format!("page {page}: {e}"))),
    };
    let Ok(dict) = doc.get_dictionary(page_id) else {
        scan.problems.push("page object is not a dictionary".into());
        return fail(scan, "page object is not a dictionary".into());
    };
    let media = media_box(doc, dict);
    let crop = primary::inherited(doc, dict, b"CropBox")
        .and_then(|o| deref(doc, o).1.as_array().ok())
        .and_then(|a| {
            let v: Vec<f64> = a.iter().filter_map(|o| num(deref(doc, o).1)).collect();
            nums_from(&v)
        })
        .and_then(|r| r.intersect(&media))
        .unwrap_or(media);
    let cap = content_cap(limits);
    let mut content = match page_content(doc, file, dict, cap) {
        Ok(c) => c,
        Err(e) => {
            scan.problems.push(e.clone());
            return fail(scan, e);
        }
    };
    strip_comments(&mut content);
    let ops = match Content::decode(&content) {
        Ok(c) => c.operations,
        Err(e) => {
            let e = format!("content stream does not parse ({e})");
            scan.problems.push(e.clone());
            return fail(scan, e);
        }
    };
    // A note for the page text only: the paint log of an unreadable page is simply empty.
    let unreadable = ops.is_empty() && content.iter().any(|b| !b.is_ascii_whitespace());
    drop(content);
    let log = PaintLog {
        page,
        media_box: media,
        crop_box: crop,
        ..PaintLog::default()
    };
    let mut run = Run::new(doc, limits, fonts, char_budget, Some(log));
    run.execute(ops, page_resources(doc, dict), State::new(IDENTITY, media));
    let Run { mut scan, log, .. } = run;
    let paint = match log {
        Some(mut log) => {
            log.problems.clone_from(&scan.problems);
            Ok(log)
        }
        None => Err(ExtractError::corrupt(
            "pdf",
            format!("page {page}: no paint log"),
        )),
    };
    if unreadable {
        scan.problems.insert(
            0,
            "content stream holds no readable operators (damaged, or encrypted in a way \
             that was not undone)"
                .into(),
        );
    }
    PageRun { scan, paint }
}

#[derive(Clone)]
/// The graphics state (text state included).
pub(crate) struct State {
    ctm: Matrix,
    clip: Rect,
    text_clip: bool,
    fill_space: Space,
    stroke_space: Space,
    fill: Option<Rgb>,
    stroke: Option<Rgb>,
    fill_alpha: f32,
    stroke_alpha: f32,
    blend: Blend,
    soft_mask: bool,
    font: Option<Rc<Font>>,
    /// Widths of a standard font named without `/Widths`.
    std_widths: Option<&'static Widths>,
    font_size: f64,
    char_spacing: f64,
    word_spacing: f64,
    h_scale: f64,
    leading: f64,
    rise: f64,
    render_mode: u8,
}

impl State {
    pub(crate) fn new(ctm: Matrix, clip: Rect) -> Self {
        State {
            ctm,
            clip,
            text_clip: false,
            fill_space: Space::Gray,
            stroke_space: Space::Gray,
            fill: Some(Rgb::BLACK),
            stroke: Some(Rgb::BLACK),
            fill_alpha: 1.0,
            stroke_alpha: 1.0,
            blend: Blend::Normal,
            soft_mask: false,
            font: None,
            std_widths: None,
            font_size: 0.0,
            char_spacing: 0.0,
            word_spacing: 0.0,
            h_scale: 1.0,
            leading: 0.0,
            rise: 0.0,
            render_mode: 0,
        }
    }
}

struct Frame<'a> {
    ops: Vec<Operation>,
    pos: usize,
    resources: Option<&'a Dictionary>,
    form: Option<ObjectId>,
    saved: Option<(State, usize)>,
}

/// The interpreter over one page (or one annotation appearance after another).
pub(crate) struct Run<'a, 'c> {
    doc: &'a Document,
    max_depth: usize,
    cap: u64,
    fonts: &'c mut FontCache,
    /// The paint log, when the caller wants one.
    log: Option<PaintLog>,
    /// Glyphs in the paint log so far.
    glyphs: usize,
    /// Image bytes decoded so far for darkness.
    sampled: u64,
    /// What the page text needs.
    pub scan: PageScan,
    char_budget: usize,
    /// Reused buffers: codes of the string being shown, glyphs of the operator.
    codes: Vec<Code>,
    shown: Vec<Glyph>,
}

fn nums_from(v: &[f64]) -> Option<Rect> {
    match v {
        [a, b, c, d] if [a, b, c, d].iter().all(|x| x.is_finite()) => {
            Some(Rect::new(*a as f32, *b as f32, *c as f32, *d as f32))
        }
        _ => None,
    }
}

/// The standard widths of a simple font that names a standard font (or Arial, which shares
/// Helvetica's metrics) without giving `/Widths`.
fn standard_widths(dict: &Dictionary) -> Option<&'static Widths> {
    if dict.has(b"Widths") {
        return None;
    }
    let subtype = dict.get(b"Subtype").and_then(Object::as_name).ok()?;
    if subtype != b"Type1" && subtype != b"TrueType" {
        return None;
    }
    let name = dict.get(b"BaseFont").and_then(Object::as_name).ok()?;
    let name = String::from_utf8_lossy(name).to_ascii_lowercase();
    let bold = name.contains("bold") || name.contains(",black");
    let italic = name.contains("italic") || name.contains("oblique");
    if name.contains("courier") {
        Some(&standard_widths::COURIER)
    } else if name.contains("times") {
        Some(match (bold, italic) {
            (false, false) => &standard_widths::TIMES,
            (true, false) => &standard_widths::TIMES_BOLD,
            (false, true) => &standard_widths::TIMES_ITALIC,
            (true, true) => &standard_widths::TIMES_BOLD_ITALIC,
        })
    } else if name.contains("helvetica") || name.contains("arial") {
        Some(if bold {
            &standard_widths::HELVETICA_BOLD
        } else {
            &standard_widths::HELVETICA
        })
    } else {
        None
    }
}

/// The clip after intersecting with `area`; an empty clip is a zero-size box at its corner.
fn clipped(clip: &Rect, area: &Rect) -> Rect {
    clip.intersect(area).unwrap_or(Rect {
        x0: clip.x0,
        y0: clip.y0,
        x1: clip.x0,
        y1: clip.y0,
    })
}

fn unit_square(ctm: &Matrix) -> Option<Rect> {
    let pts = [(0.0, 0.0), (1.0, 0.0), (0.0, 1.0), (1.0, 1.0)].map(|(x, y): (f64, f64)| {
        (
            (x * ctm[0] + y * ctm[2] + ctm[4]) as f32,
            (x * ctm[1] + y * ctm[3] + ctm[5]) as f32,
        )
    });
    super::paint::path::bbox_of(pts.iter()).filter(|r| !r.is_unknown() && r.area() > 0.0)
}

impl<'a, 'c> Run<'a, 'c> {
    pub(crate) fn new(
        doc: &'a Document,
        limits: &Limits,
        fonts: &'c mut FontCache,
        char_budget: usize,
        log: Option<PaintLog>,
    ) -> Self {
        Run {
            doc,
            max_depth: limits.max_depth,
            cap: content_cap(limits),
            fonts,
            log,
            glyphs: 0,
            sampled: 0,
            scan: PageScan::default(),
            char_budget,
            codes: Vec::new(),
            shown: Vec::new(),
        }
    }

    /// The most glyphs the text may take.
    pub(crate) fn char_budget(&self) -> usize {
        self.char_budget
    }

    pub(crate) fn cap(&self) -> u64 {
        self.cap
    }

    fn push(&mut self, item: PaintItem) {
        let Some(log) = self.log.as_mut() else {
            return;
        };
        if log.items.len() < MAX_ITEMS {
            log.items.push(item);
        } else if log.items.len() == MAX_ITEMS {
            self.scan
                .problems
                .push(format!("more than {MAX_ITEMS} paint operations"));
            log.items.push(PaintItem::Clip(Rect::default()));
        }
    }

    /// Runs `ops` (a page or an appearance stream) from graphics state `gs`.
    pub(crate) fn execute(
        &mut self,
        ops: Vec<Operation>,
        resources: Option<&'a Dictionary>,
        gs: State,
    ) {
        let mut frames = vec![Frame {
            ops,
            pos: 0,
            resources,
            form: None,
            saved: None,
        }];
        let mut gs = gs;
        let mut saves: Vec<State> = Vec::new();
        let mut path = PathBuilder::new();
        let mut pending_clip = false;
        let (mut tm, mut tlm) = (IDENTITY, IDENTITY);
        // Glyph boxes of clipping text (render modes 4–7) since BT.
        let mut clip_text: Vec<Rect> = Vec::new();
        let mut executed = 0usize;
        let mut decoded = 0u64;
        while let Some(frame) = frames.last_mut() {
            let Some(op) = frame.ops.get(frame.pos) else {
                if let Some(Some((state, depth))) = frames.pop().map(|f| f.saved) {
                    gs = state;
                    saves.truncate(depth);
                }
                continue;
            };
            frame.pos += 1;
            executed += 1;
            if executed > MAX_OPS {
                self.scan
                    .problems
                    .push(format!("more than {MAX_OPS} operations"));
                return;
            }
            let resources = frame.resources;
            let floor = frame.saved.as_ref().map_or(0, |s| s.1);
            let operands = op.operands.as_slice();
            match op.operator.as_str() {
                "q" if saves.len() < MAX_SAVE_DEPTH => saves.push(gs.clone()),
                "Q" if saves.len() > floor => {
                    if let Some(s) = saves.pop() {
                        if s.clip != gs.clip {
                            self.push(PaintItem::Clip(s.clip));
                        }
                        gs = s;
                    }
                }
                "cm" => {
                    if let Some(m) = nums::<6>(operands) {
                        gs.ctm = mul(&m, &gs.ctm);
                    }
                }
                "w" | "J" | "j" | "M" | "d" | "ri" | "i" => {}
                "gs" => self.ext_gstate(resources, operands, &mut gs),
                // Colours.
                "g" | "G" | "rg" | "RG" | "k" | "K" => {
                    let space = match op.operator.as_str() {
                        "g" | "G" => Space::Gray,
                        "rg" | "RG" => Space::Rgb,
                        _ => Space::Cmyk,
                    };
                    let colour = space.colour(&operand_numbers(operands));
                    if op.operator.chars().all(char::is_lowercase) {
                        gs.fill = colour;
                        gs.fill_space = space;
                    } else {
                        gs.stroke = colour;
                        gs.stroke_space = space;
                    }
                }
                "cs" | "CS" => {
                    if let Some(Object::Name(n)) = operands.first() {
                        let space = space_named(self.doc, resources, n);
                        if op.operator == "cs" {
                            gs.fill = space.initial();
                            gs.fill_space = space;
                        } else {
                            gs.stroke = space.initial();
                            gs.stroke_space = space;
                        }
                    }
                }
                "sc" | "scn" => {
                    let pattern = matches!(operands.last(), Some(Object::Name(_)));
                    gs.fill = if pattern {
                        None
                    } else {
                        gs.fill_space.colour(&operand_numbers(operands))
                    };
                }
                "SC" | "SCN" => {
                    let pattern = matches!(operands.last(), Some(Object::Name(_)));
                    gs.stroke = if pattern {
                        None
                    } else {
                        gs.stroke_space.colour(&operand_numbers(operands))
                    };
                }
                // Path construction.
                "m" => {
                    if let Some([x, y]) = nums::<2>(operands) {
                        path.move_to(&gs.ctm, x, y);
                    }
                }
                "l" => {
                    if let Some([x, y]) = nums::<2>(operands) {
                        path.line_to(&gs.ctm, x, y);
                    }
                }
                "c" => {
                    if let Some([a, b, c, d, e, f]) = nums::<6>(operands) {
                        path.curve_to(&gs.ctm, (a, b), (c, d), (e, f));
                    }
                }
                "v" => {
                    if let Some([c, d, e, f]) = nums::<4>(operands) {
                        let p = path.pen();
                        path.curve_to(&gs.ctm, p, (c, d), (e, f));
                    }
                }
                "y" => {
                    if let Some([a, b, e, f]) = nums::<4>(operands) {
                        path.curve_to(&gs.ctm, (a, b), (e, f), (e, f));
                    }
                }
                "h" => path.close(),
                "re" => {
                    if let Some([x, y, w, h]) = nums::<4>(operands) {
                        path.rect(&gs.ctm, x, y, w, h);
                    }
                }
                "W" | "W*" => pending_clip = true,
                // Path painting.
                "f" | "F" | "f*" | "B" | "B*" | "b" | "b*" | "S" | "s" | "n" => {
                    let op_name = op.operator.as_str();
                    if matches!(op_name, "b" | "b*" | "s") {
                        path.close();
                    }
                    let shape = path.finish();
                    let fills = !matches!(op_name, "S" | "s" | "n");
                    if let (true, Some(shape)) = (fills, shape.clone()) {
                        let rule = if op_name.ends_with('*') {
                            FillRule::EvenOdd
                        } else {
                            FillRule::NonZero
                        };
                        self.fill(&gs, shape, rule, false);
                    }
                    if std::mem::take(&mut pending_clip) {
                        let area = shape.map_or(Rect::default(), |s| s.bbox);
                        gs.clip = clipped(&gs.clip, &area);
                        self.push(PaintItem::Clip(gs.clip));
                    }
                }
                "sh" => {
                    let shape = Shape {
                        subpaths: Vec::new(),
                        bbox: gs.clip,
                        is_rect: true,
                    };
                    let mut g = gs.clone();
                    g.fill = None;
                    self.fill(&g, shape, FillRule::NonZero, true);
                }
                // Text.
                "BT" => {
                    tm = IDENTITY;
                    tlm = IDENTITY;
                    clip_text.clear();
                }
                "ET" if !clip_text.is_empty() => {
                    if let Some(area) = Rect::union(&clip_text) {
                        gs.clip = clipped(&gs.clip, &area);
                        gs.text_clip = true;
                        self.push(PaintItem::Clip(gs.clip));
                    }
                    clip_text.clear();
                }
                "Tf" => {
                    if let (Some(Object::Name(name)), Some(size)) =
                        (operands.first(), operands.get(1).and_then(num))
                    {
                        let (font, widths) = self.font(resources, name).unzip();
                        gs.font = font;
                        gs.std_widths = widths.flatten();
                        gs.font_size = size;
                    }
                }
                "Tr" => {
                    if let Some([v]) = nums::<1>(operands) {
                        gs.render_mode = v.clamp(0.0, 7.0) as u8;
                    }
                }
                "Tc" => gs.char_spacing = nums::<1>(operands).map_or(gs.char_spacing, |[v]| v),
                "Tw" => gs.word_spacing = nums::<1>(operands).map_or(gs.word_spacing, |[v]| v),
                "Tz" => gs.h_scale = nums::<1>(operands).map_or(gs.h_scale, |[v]| v / 100.0),
                "TL" => gs.leading = nums::<1>(operands).map_or(gs.leading, |[v]| v),
                "Ts" => gs.rise = nums::<1>(operands).map_or(gs.rise, |[v]| v),
                "Td" | "TD" => {
                    if let Some([tx, ty]) = nums::<2>(operands) {
                        if op.operator == "TD" {
                            gs.leading = -ty;
                        }
                        tlm = mul(&translate(tx, ty), &tlm);
                        tm = tlm;
                    }
                }
                "Tm" => {
                    if let Some(m) = nums::<6>(operands) {
                        tlm = m;
                        tm = m;
                    }
                }
                "T*" => {
                    tlm = mul(&translate(0.0, -gs.leading), &tlm);
                    tm = tlm;
                }
                "Tj" | "'" | "\"" => {
                    if op.operator == "\"" {
                        if let Some([aw, ac]) = nums::<2>(operands.get(..2).unwrap_or_default()) {
                            gs.word_spacing = aw;
                            gs.char_spacing = ac;
                        }
                    }
                    if op.operator != "Tj" {
                        tlm = mul(&translate(0.0, -gs.leading), &tlm);
                        tm = tlm;
                    }
                    self.scan.text_ops += 1;
                    self.shown.clear();
                    if let Some(Object::String(s, _)) = operands.last() {
                        self.show(&gs, &mut tm, s);
                    }
                    self.text(&gs, &mut clip_text);
                }
                "TJ" => {
                    self.scan.text_ops += 1;
                    self.shown.clear();
                    if let Some(Object::Array(items)) = operands.first() {
                        for item in items {
                            match item {
                                Object::String(s, _) => self.show(&gs, &mut tm, s),
                                other => {
                                    if let Some(n) = num(other) {
                                        let shift = -n / 1000.0 * gs.font_size;
                                        let vertical = gs.font.as_ref().is_some_and(|f| f.vertical);
                                        let t = if vertical {
                                            translate(0.0, shift)
                                        } else {
                                            translate(shift * gs.h_scale, 0.0)
                                        };
                                        tm = mul(&t, &tm);
                                    }
                                }
                            }
                        }
                    }
                    self.text(&gs, &mut clip_text);
                }
                "BI" => {
                    self.scan.images += 1;
                    if let Some(Object::Stream(s)) = operands.first() {
                        self.image(&gs, s, true);
                    }
                }
                "Do" => {
                    let Some(Object::Name(name)) = operands.first() else {
                        continue;
                    };
                    let Some((id, stream)) = self.xobject(resources, name) else {
                        continue;
                    };
                    let subtype = stream
                        .dict
                        .get(b"Subtype")
                        .and_then(Object::as_name)
                        .unwrap_or_default();
                    if subtype == b"Image" {
                        self.scan.images += 1;
                        self.image(&gs, stream, false);
                        continue;
                    }
                    if subtype != b"Form" {
                        continue;
                    }
                    if frames.len() > self.max_depth {
                        self.scan.problems.push(format!(
                            "form XObjects nested deeper than {}",
                            self.max_depth
                        ));
                        continue;
                    }
                    if id.is_some() && frames.iter().any(|f| f.form == id) {
                        self.scan
                            .problems
                            .push("form XObject draws itself (cycle)".into());
                        continue;
                    }
                    let budget = self.cap.saturating_sub(decoded);
                    let mut data = match streams::decoded(stream, budget) {
                        Ok(d) => d,
                        Err(e) => {
                            self.scan.problems.push(format!("form XObject: {e}"));
                            continue;
                        }
                    };
                    decoded += data.len() as u64;
                    strip_comments(&mut data);
                    let ops = match Content::decode(&data) {
                        Ok(c) => c.operations,
                        Err(e) => {
                            self.scan
                                .problems
                                .push(format!("form XObject does not parse ({e})"));
                            continue;
                        }
                    };
                    let saved = (gs.clone(), saves.len());
                    if let Some(m) = stream
                        .dict
                        .get(b"Matrix")
                        .ok()
                        .and_then(|o| o.as_array().ok())
                        .and_then(|a| nums::<6>(a))
                    {
                        gs.ctm = mul(&m, &gs.ctm);
                    }
                    if let Some(b) = stream
                        .dict
                        .get(b"BBox")
                        .ok()
                        .and_then(|o| deref(self.doc, o).1.as_array().ok())
                        .and_then(|a| nums::<4>(a))
                    {
                        let mut p = PathBuilder::new();
                        p.rect(&gs.ctm, b[0], b[1], b[2] - b[0], b[3] - b[1]);
                        if let Some(s) = p.finish() {
                            gs.clip = clipped(&gs.clip, &s.bbox);
                        }
                    }
                    let form_resources = stream
                        .dict
                        .get(b"Resources")
                        .ok()
                        .and_then(|r| deref(self.doc, r).1.as_dict().ok())
                        .or(resources);
                    frames.push(Frame {
                        ops,
                        pos: 0,
                        resources: form_resources,
                        form: id,
                        saved: Some(saved),
                    });
                }
                _ => {}
            }
        }
    }

    fn fill(&mut self, gs: &State, shape: Shape, rule: FillRule, shading: bool) {
        self.push(PaintItem::Fill(FillPaint {
            shape,
            rule,
            colour: gs.fill,
            alpha: gs.fill_alpha,
            blend: gs.blend,
            soft_mask: gs.soft_mask,
            clip: gs.clip,
            text_clip: gs.text_clip,
            shading,
        }));
    }

    /// Records the glyphs of one text operator (in `self.shown`): into the page text
    /// within its budget, and as one paint item.
    fn text(&mut self, gs: &State, clip_text: &mut Vec<Rect>) {
        if self.shown.is_empty() {
            return;
        }
        let room = self.char_budget.saturating_sub(self.scan.glyphs.len());
        self.scan
            .glyphs
            .extend(self.shown.iter().take(room).cloned());
        if gs.render_mode >= 4 {
            clip_text.extend(self.shown.iter().map(|g| g.bbox));
        }
        if self.log.is_none() || self.glyphs >= MAX_GLYPHS {
            return;
        }
        self.glyphs += self.shown.len();
        let size = self.shown.first().map_or(0.0, |g| g.size as f32);
        let glyphs = self
            .shown
            .iter()
            .map(|g| PaintedGlyph {
                ch: g.ch,
                bbox: g.bbox,
            })
            .collect();
        self.push(PaintItem::Text(TextPaint {
            glyphs,
            fill: gs.fill,
            stroke: gs.stroke,
            render_mode: gs.render_mode,
            font_size: size,
            fill_alpha: gs.fill_alpha,
            stroke_alpha: gs.stroke_alpha,
            clip: gs.clip,
        }));
    }

    fn ext_gstate(&self, resources: Option<&'a Dictionary>, operands: &[Object], gs: &mut State) {
        let Some(Object::Name(name)) = operands.first() else {
            return;
        };
        let Some(d) = resources
            .and_then(|r| r.get(b"ExtGState").ok())
            .and_then(|o| deref(self.doc, o).1.as_dict().ok())
            .and_then(|d| d.get(name).ok())
            .and_then(|o| deref(self.doc, o).1.as_dict().ok())
        else {
            return;
        };
        if let Some(a) = d.get(b"ca").ok().and_then(num) {
            gs.fill_alpha = a.clamp(0.0, 1.0) as f32;
        }
        if let Some(a) = d.get(b"CA").ok().and_then(num) {
            gs.stroke_alpha = a.clamp(0.0, 1.0) as f32;
        }
        if let Ok(bm) = d.get(b"BM") {
            let name = match deref(self.doc, bm).1 {
                Object::Name(n) => n.clone(),
                Object::Array(a) => a
                    .first()
                    .and_then(|o| o.as_name().ok())
                    .map(<[u8]>::to_vec)
                    .unwrap_or_default(),
                _ => Vec::new(),
            };
            gs.blend = match name.as_slice() {
                b"Normal" | b"Compatible" => Blend::Normal,
                b"Multiply" | b"Darken" => Blend::Darken,
                _ => Blend::Other,
            };
        }
        if let Ok(sm) = d.get(b"SMask") {
            gs.soft_mask = !matches!(deref(self.doc, sm).1, Object::Name(n) if n == b"None");
        }
    }

    fn image(&mut self, gs: &State, stream: &Stream, inline: bool) {
        if self.log.is_none() {
            return;
        }
        let Some(bbox) = unit_square(&gs.ctm) else {
            return;
        };
        let dict = &stream.dict;
        let get = |long: &[u8], short: &[u8]| dict.get(long).or_else(|_| dict.get(short)).ok();
        let mask = get(b"ImageMask", b"IM")
            .and_then(|o| o.as_bool().ok())
            .unwrap_or(false);
        let transparent = dict.has(b"SMask") || dict.has(b"Mask");
        let darkness = if inline {
            None
        } else {
            image::darkness(self.doc, stream, mask, gs.fill, &mut self.sampled)
        };
        self.push(PaintItem::Image(ImagePaint {
            bbox,
            inline,
            mask,
            darkness,
            transparent,
            alpha: gs.fill_alpha,
            clip: gs.clip,
            text_clip: gs.text_clip,
        }));
    }

    fn xobject(
        &self,
        resources: Option<&'a Dictionary>,
        name: &[u8],
    ) -> Option<(Option<ObjectId>, &'a Stream)> {
        let xobjects = deref(self.doc, resources?.get(b"XObject").ok()?)
            .1
            .as_dict()
            .ok()?;
        let (id, obj) = deref(self.doc, xobjects.get(name).ok()?);
        Some((id, obj.as_stream().ok()?))
    }

    fn font(
        &mut self,
        resources: Option<&'a Dictionary>,
        name: &[u8],
    ) -> Option<(Rc<Font>, Option<&'static Widths>)> {
        let fonts = deref(self.doc, resources?.get(b"Font").ok()?)
            .1
            .as_dict()
            .ok()?;
        let (id, obj) = deref(self.doc, fonts.get(name).ok()?);
        let dict = obj.as_dict().ok()?;
        let key = match id {
            Some(id) => FontKey::Object(id),
            None => FontKey::Inline(std::ptr::from_ref(dict) as usize),
        };
        if let Some((font, widths)) = self.fonts.fonts.get(&key) {
            return Some((Rc::clone(font), *widths));
        }
        let font = Rc::new(Font::load(self.doc, dict, self.cap));
        let widths = standard_widths(dict);
        self.fonts.fonts.insert(key, (Rc::clone(&font), widths));
        Some((font, widths))
    }

    /// Glyphs of one shown string, appended to `self.shown`; `tm` advances past them.
    fn show(&mut self, gs: &State, tm: &mut Matrix, bytes: &[u8]) {
        let Some(font) = gs.font.as_ref() else { return };
        let fs = gs.font_size;
        let mut codes = std::mem::take(&mut self.codes);
        font.decode_into(bytes, &mut codes);
        // A simple font decodes one code per byte: the byte picks the standard width.
        let std = gs.std_widths.filter(|_| codes.len() == bytes.len());
        let base = if font.vertical {
            IDENTITY
        } else {
            [gs.h_scale, 0.0, 0.0, font.height_scale, 0.0, gs.rise]
        };
        for (k, code) in codes.iter().enumerate() {
            let width = std
                .and_then(|t| t.get(usize::from(*bytes.get(k)?).checked_sub(32)?))
                .map_or(code.width, |w| f64::from(*w) / 1000.0);
            let spacing = gs.char_spacing + if code.is_space { gs.word_spacing } else { 0.0 };
            if !code.trusted {
                self.scan.untrusted += 1;
            }
            let trm = mul(&mul(&base, tm), &gs.ctm);
            if self.shown.len() < MAX_GLYPHS {
                let text = code.text.as_deref().unwrap_or("\u{FFFD}");
                glyphs_for(&trm, width, fs, text, font.vertical, &mut self.shown);
            }
            let advance = if font.vertical {
                translate(0.0, -fs + spacing)
            } else {
                translate((width * fs + spacing) * gs.h_scale, 0.0)
            };
            *tm = mul(&advance, tm);
        }
        self.codes = codes;
    }
}
