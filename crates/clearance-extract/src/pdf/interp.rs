//! The fallback text interpreter: walks a page's content operations with lopdf and its own
//! font decoding, for the pages pdf-extract panics on or reads as empty (predefined CJK CMaps,
//! vertical writing, Type3 fonts, malformed operands).
//!
//! It is iterative: form XObjects push a frame on an explicit stack bounded by
//! `Limits::max_depth`, with a cycle check, so hostile nesting cannot overflow the stack.
//! Image XObjects are counted, never decoded.

use std::collections::HashMap;
use std::rc::Rc;

use lopdf::content::{Content, Operation};
use lopdf::{Dictionary, Document, Object, ObjectId};

use super::font::Font;
use super::layout::{glyphs_for, Glyph, Matrix};
use super::streams;
use crate::Limits;

/// Most operations executed for one page, forms included (a form drawn a million times is a
/// denial of service, not a document).
const MAX_OPS_PER_PAGE: usize = 20_000_000;
/// Deepest `q` nesting honoured; deeper saves are dropped.
const MAX_SAVE_DEPTH: usize = 4096;
pub(crate) const IDENTITY: Matrix = [1.0, 0.0, 0.0, 1.0, 0.0, 0.0];

/// What the interpreter saw on a page.
#[derive(Debug, Default)]
pub(crate) struct PageScan {
    pub glyphs: Vec<Glyph>,
    /// Text-showing operators executed (`Tj`, `TJ`, `'`, `"`).
    pub text_ops: usize,
    /// Images drawn (image XObjects and inline images).
    pub images: usize,
    /// Why part of the page could not be read.
    pub problems: Vec<String>,
}

#[derive(Clone)]
struct State {
    ctm: Matrix,
    font: Option<Rc<Font>>,
    font_size: f64,
    char_spacing: f64,
    word_spacing: f64,
    h_scale: f64,
    leading: f64,
    rise: f64,
}

impl Default for State {
    fn default() -> Self {
        State {
            ctm: IDENTITY,
            font: None,
            font_size: 0.0,
            char_spacing: 0.0,
            word_spacing: 0.0,
            h_scale: 1.0,
            leading: 0.0,
            rise: 0.0,
        }
    }
}

struct Frame<'a> {
    ops: Vec<Operation>,
    pos: usize,
    resources: Option<&'a Dictionary>,
    form: Option<ObjectId>,
    /// Graphics state to restore when the form ends, and the save-stack height at entry.
    saved: Option<(State, usize)>,
}

#[derive(Hash, PartialEq, Eq)]
enum FontKey {
    Object(ObjectId),
    Inline(usize),
}

/// Multiplies two matrices in the PDF row-vector convention (`a × b`).
pub(crate) fn mul(a: &Matrix, b: &Matrix) -> Matrix {
    [
        a[0] * b[0] + a[1] * b[2],
        a[0] * b[1] + a[1] * b[3],
        a[2] * b[0] + a[3] * b[2],
        a[2] * b[1] + a[3] * b[3],
        a[4] * b[0] + a[5] * b[2] + b[4],
        a[4] * b[1] + a[5] * b[3] + b[5],
    ]
}

pub(crate) fn translate(tx: f64, ty: f64) -> Matrix {
    [1.0, 0.0, 0.0, 1.0, tx, ty]
}

pub(crate) fn num(o: &Object) -> Option<f64> {
    match o {
        Object::Integer(i) => Some(*i as f64),
        Object::Real(r) => Some(f64::from(*r)),
        _ => None,
    }
}

pub(crate) fn nums<const N: usize>(operands: &[Object]) -> Option<[f64; N]> {
    let mut out = [0.0; N];
    if operands.len() < N {
        return None;
    }
    let start = operands.len() - N;
    for (slot, o) in out.iter_mut().zip(operands.iter().skip(start)) {
        *slot = num(o).filter(|v| v.is_finite())?;
    }
    Some(out)
}

pub(crate) fn deref<'a>(doc: &'a Document, o: &'a Object) -> (Option<ObjectId>, &'a Object) {
    doc.dereference(o).unwrap_or((None, o))
}

/// The resources of a page, inherited from the page tree when the page has none.
pub(crate) fn page_resources<'a>(
    doc: &'a Document,
    page: &'a Dictionary,
) -> Option<&'a Dictionary> {
    let mut node = page;
    for _ in 0..64 {
        if let Ok(r) = node.get(b"Resources") {
            return deref(doc, r).1.as_dict().ok();
        }
        let parent = node.get(b"Parent").ok()?;
        node = deref(doc, parent).1.as_dict().ok()?;
    }
    None
}

/// The decoded, concatenated content streams of a page.
pub(crate) fn page_content(
    doc: &Document,
    file: &[u8],
    page: &Dictionary,
    cap: u64,
) -> Result<Vec<u8>, String> {
    let Ok(contents) = page.get(b"Contents") else {
        return Ok(Vec::new());
    };
    // Keep references (not the objects they point to): a lost stream body is re-read from
    // the file at its object's offset.
    let parts: Vec<&Object> = match deref(doc, contents).1 {
        Object::Array(a) => a.iter().collect(),
        _ => vec![contents],
    };
    let mut out = Vec::new();
    for part in parts {
        let (id, obj) = deref(doc, part);
        let Ok(stream) = obj.as_stream() else {
            if let Some(recovered) = part
                .as_reference()
                .ok()
                .and_then(|id| streams::recover_raw(doc, file, id, None))
            {
                let budget = cap.saturating_sub(out.len() as u64);
                out.extend(
                    streams::decoded(&recovered, budget)
                        .map_err(|e| format!("content stream: {e}"))?,
                );
                out.push(b'\n');
            }
            continue;
        };
        let budget = cap.saturating_sub(out.len() as u64);
        let recovered = match id {
            Some(id) if stream.content.is_empty() => {
                streams::recover_raw(doc, file, id, Some(&stream.dict))
            }
            _ => None,
        };
        let data = streams::decoded(recovered.as_ref().unwrap_or(stream), budget)
            .map_err(|e| format!("content stream: {e}"))?;
        out.extend_from_slice(&data);
        out.push(b'\n');
    }
    Ok(out)
}

/// Interprets one page's content. `char_budget` bounds the glyphs kept.
pub(crate) fn scan_page(
    doc: &Document,
    file: &[u8],
    page_id: ObjectId,
    limits: &Limits,
    char_budget: usize,
) -> PageScan {
    let mut scan = PageScan::default();
    let Ok(page) = doc.get_dictionary(page_id) else {
        scan.problems.push("page object is not a dictionary".into());
        return scan;
    };
    let cap = content_cap(limits);
    let content = match page_content(doc, file, page, cap) {
        Ok(c) => c,
        Err(e) => {
            scan.problems.push(e);
            return scan;
        }
    };
    let mut content = content;
    strip_comments(&mut content);
    let ops = match Content::decode(&content) {
        Ok(c) => c.operations,
        Err(e) => {
            scan.problems
                .push(format!("content stream does not parse ({e})"));
            return scan;
        }
    };
    if ops.is_empty() && content.iter().any(|b| !b.is_ascii_whitespace()) {
        scan.problems.push("content stream holds no readable operators (damaged, or encrypted in a way that was not undone)".into());
    }
    drop(content);
    let mut run = Run {
        doc,
        limits,
        cap,
        char_budget,
        fonts: HashMap::new(),
        scan,
    };
    run.execute(ops, page_resources(doc, page), IDENTITY);
    run.scan
}

/// Most annotations of one page whose appearance is drawn.
const MAX_ANNOTATIONS: usize = 1000;

/// Text drawn by the page's annotation appearances (form fields, free text, stamps): viewers
/// show it on the page, so it belongs to the page text. Hidden annotations are included on
/// purpose: a reviewer must see them.
pub(crate) fn scan_annotations(
    doc: &Document,
    page: &Dictionary,
    limits: &Limits,
    char_budget: usize,
) -> PageScan {
    let mut run = Run {
        doc,
        limits,
        cap: content_cap(limits),
        char_budget,
        fonts: HashMap::new(),
        scan: PageScan::default(),
    };
    let Some(Object::Array(annots)) = page.get(b"Annots").ok().map(|o| deref(doc, o).1) else {
        return run.scan;
    };
    let form_resources = doc
        .catalog()
        .ok()
        .and_then(|c| c.get(b"AcroForm").ok())
        .and_then(|o| deref(doc, o).1.as_dict().ok())
        .and_then(|f| f.get(b"DR").ok())
        .and_then(|o| deref(doc, o).1.as_dict().ok());
    for annot in annots.iter().take(MAX_ANNOTATIONS) {
        let Ok(annot) = deref(doc, annot).1.as_dict() else {
            continue;
        };
        let Some(ap) = annot
            .get(b"AP")
            .ok()
            .and_then(|o| deref(doc, o).1.as_dict().ok())
        else {
            widget_value(doc, annot, &mut run);
            continue;
        };
        let Some(normal) = ap.get(b"N").ok() else {
            continue;
        };
        let mut obj = deref(doc, normal).1;
        if let Object::Dictionary(states) = obj {
            let Some(state) = annot.get(b"AS").ok().and_then(|o| o.as_name().ok()) else {
                continue;
            };
            let Some(o) = states.get(state).ok() else {
                continue;
            };
            obj = deref(doc, o).1;
        }
        let Ok(stream) = obj.as_stream() else {
            continue;
        };
        let Some(rect) = annot
            .get(b"Rect")
            .ok()
            .and_then(|o| deref(doc, o).1.as_array().ok())
            .and_then(|a| nums::<4>(a))
        else {
            continue;
        };
        let matrix = stream
            .dict
            .get(b"Matrix")
            .ok()
            .and_then(|o| o.as_array().ok())
            .and_then(|a| nums::<6>(a))
            .unwrap_or(IDENTITY);
        let bbox = stream
            .dict
            .get(b"BBox")
            .ok()
            .and_then(|o| deref(doc, o).1.as_array().ok())
            .and_then(|a| nums::<4>(a));
        let Some(bbox) = bbox else { continue };
        let Some(fit) = fit_box(&bbox, &matrix, &rect) else {
            continue;
        };
        let Ok(mut data) = streams::decoded(stream, run.cap) else {
            continue;
        };
        strip_comments(&mut data);
        let Ok(content) = Content::decode(&data) else {
            continue;
        };
        let resources = stream
            .dict
            .get(b"Resources")
            .ok()
            .and_then(|r| deref(doc, r).1.as_dict().ok())
            .or(form_resources);
        run.execute(content.operations, resources, mul(&matrix, &fit));
    }
    run.scan
}

/// A form field without an appearance stream (viewers build one from /V when the form asks
/// for it): its value is laid out on one line inside the field's rectangle.
fn widget_value(doc: &Document, annot: &Dictionary, run: &mut Run<'_, '_>) {
    let is_widget = annot
        .get(b"Subtype")
        .and_then(Object::as_name)
        .is_ok_and(|n| n == b"Widget");
    let value = match annot.get(b"V").ok().map(|o| deref(doc, o).1) {
        Some(Object::String(s, _)) => super::strings::decode_text_string(s),
        _ => return,
    };
    let Some(rect) = annot
        .get(b"Rect")
        .ok()
        .and_then(|o| deref(doc, o).1.as_array().ok())
        .and_then(|a| nums::<4>(a))
    else {
        return;
    };
    if !is_widget || value.trim().is_empty() {
        return;
    }
    let height = (rect[3] - rect[1]).abs();
    let da_size = annot
        .get(b"DA")
        .ok()
        .and_then(|o| o.as_str().ok())
        .and_then(|da| {
            let da = String::from_utf8_lossy(da);
            let words: Vec<&str> = da.split_whitespace().collect();
            let at = words.iter().position(|w| *w == "Tf")?;
            words.get(at.checked_sub(1)?)?.parse::<f64>().ok()
        })
        .filter(|s| *s > 0.0 && s.is_finite());
    let size = da_size.unwrap_or(height * 0.6).max(1.0);
    let mut x = rect[0].min(rect[2]) + 2.0;
    let y = rect[1].min(rect[3]) + (height - size) / 2.0 + 0.2 * size;
    for ch in value.chars().filter(|c| !c.is_control()) {
        if run.scan.glyphs.len() >= run.char_budget {
            break;
        }
        let width = if super::layout::is_cjk(ch) { 1.0 } else { 0.5 };
        glyphs_for(
            &[1.0, 0.0, 0.0, 1.0, x, y],
            width,
            size,
            &ch.to_string(),
            false,
            &mut run.scan.glyphs,
        );
        x += width * size;
    }
}

/// The matrix that maps the appearance's transformed bounding box onto the annotation's
/// rectangle (PDF 32000 12.5.5, Algorithm 8.1).
fn fit_box(bbox: &[f64; 4], matrix: &Matrix, rect: &[f64; 4]) -> Option<Matrix> {
    let corners = [
        (bbox[0], bbox[1]),
        (bbox[2], bbox[1]),
        (bbox[0], bbox[3]),
        (bbox[2], bbox[3]),
    ];
    let pts: Vec<(f64, f64)> = corners
        .iter()
        .map(|&(x, y)| {
            (
                x * matrix[0] + y * matrix[2] + matrix[4],
                x * matrix[1] + y * matrix[3] + matrix[5],
            )
        })
        .collect();
    let (x0, x1) = pts
        .iter()
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), p| {
            (a.min(p.0), b.max(p.0))
        });
    let (y0, y1) = pts
        .iter()
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), p| {
            (a.min(p.1), b.max(p.1))
        });
    let (rx0, rx1) = (rect[0].min(rect[2]), rect[0].max(rect[2]));
    let (ry0, ry1) = (rect[1].min(rect[3]), rect[1].max(rect[3]));
    if x1 - x0 <= 0.0 || y1 - y0 <= 0.0 {
        return None;
    }
    let (sx, sy) = ((rx1 - rx0) / (x1 - x0), (ry1 - ry0) / (y1 - y0));
    let m = [sx, 0.0, 0.0, sy, rx0 - sx * x0, ry0 - sy * y0];
    m.iter().all(|v| v.is_finite()).then_some(m)
}

/// Largest content stream (page or form) decoded and parsed: parsed operations take several
/// times their source size, so this is a fraction of the inflation limit.
pub(crate) fn content_cap(limits: &Limits) -> u64 {
    (limits.max_inflated_bytes / 8).max(1 << 20)
}

struct Run<'a, 'l> {
    doc: &'a Document,
    limits: &'l Limits,
    cap: u64,
    char_budget: usize,
    fonts: HashMap<FontKey, Rc<Font>>,
    scan: PageScan,
}

impl<'a> Run<'a, '_> {
    fn execute(&mut self, ops: Vec<Operation>, resources: Option<&'a Dictionary>, ctm: Matrix) {
        let mut frames = vec![Frame {
            ops,
            pos: 0,
            resources,
            form: None,
            saved: None,
        }];
        let mut gs = State {
            ctm,
            ..State::default()
        };
        let mut saves: Vec<State> = Vec::new();
        let mut tm = IDENTITY;
        let mut tlm = IDENTITY;
        let mut executed = 0usize;
        let mut decoded_bytes = 0u64;
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
            if executed > MAX_OPS_PER_PAGE {
                self.scan
                    .problems
                    .push(format!("more than {MAX_OPS_PER_PAGE} operations"));
                return;
            }
            let resources = frame.resources;
            let operands = op.operands.as_slice();
            match op.operator.as_str() {
                "q" if saves.len() < MAX_SAVE_DEPTH => saves.push(gs.clone()),
                "Q" => {
                    let floor = frame.saved.as_ref().map_or(0, |s| s.1);
                    if saves.len() > floor {
                        if let Some(s) = saves.pop() {
                            gs = s;
                        }
                    }
                }
                "cm" => {
                    if let Some(m) = nums::<6>(operands) {
                        gs.ctm = mul(&m, &gs.ctm);
                    }
                }
                "BT" => {
                    tm = IDENTITY;
                    tlm = IDENTITY;
                }
                "Tf" => {
                    if let (Some(Object::Name(name)), Some(size)) =
                        (operands.first(), operands.get(1).and_then(num))
                    {
                        gs.font = self.font(resources, name);
                        gs.font_size = size;
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
                    if let Some(Object::String(s, _)) = operands.last() {
                        self.show(&gs, &mut tm, s);
                    }
                }
                "TJ" => {
                    self.scan.text_ops += 1;
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
                }
                "BI" | "ID" | "EI" => self.scan.images += usize::from(op.operator == "BI"),
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
                        continue;
                    }
                    if subtype != b"Form" {
                        continue;
                    }
                    if frames.len() > self.limits.max_depth {
                        self.scan.problems.push(format!(
                            "form XObjects nested deeper than {}",
                            self.limits.max_depth
                        ));
                        continue;
                    }
                    if id.is_some() && frames.iter().any(|f| f.form == id) {
                        self.scan
                            .problems
                            .push("form XObject draws itself (cycle)".into());
                        continue;
                    }
                    let budget = self.cap.saturating_sub(decoded_bytes);
                    let data = match streams::decoded(stream, budget) {
                        Ok(d) => d,
                        Err(e) => {
                            self.scan.problems.push(format!("form XObject: {e}"));
                            continue;
                        }
                    };
                    decoded_bytes += data.len() as u64;
                    let mut data = data;
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

    fn xobject(
        &self,
        resources: Option<&'a Dictionary>,
        name: &[u8],
    ) -> Option<(Option<ObjectId>, &'a lopdf::Stream)> {
        let xobjects = deref(self.doc, resources?.get(b"XObject").ok()?)
            .1
            .as_dict()
            .ok()?;
        let (id, obj) = deref(self.doc, xobjects.get(name).ok()?);
        Some((id, obj.as_stream().ok()?))
    }

    fn font(&mut self, resources: Option<&'a Dictionary>, name: &[u8]) -> Option<Rc<Font>> {
        let fonts = deref(self.doc, resources?.get(b"Font").ok()?)
            .1
            .as_dict()
            .ok()?;
        let (id, obj) = deref(self.doc, fonts.get(name).ok()?);
        let dict = obj.as_dict().ok()?;
        let key = match id {
            Some(id) => FontKey::Object(id),
            None => FontKey::Inline(dict as *const Dictionary as usize),
        };
        if let Some(f) = self.fonts.get(&key) {
            return Some(Rc::clone(f));
        }
        let font = Rc::new(Font::load(self.doc, dict, self.cap));
        self.fonts.insert(key, Rc::clone(&font));
        Some(font)
    }

    fn show(&mut self, gs: &State, tm: &mut Matrix, bytes: &[u8]) {
        let Some(font) = gs.font.as_ref() else { return };
        let fs = gs.font_size;
        for code in font.decode(bytes) {
            let spacing = gs.char_spacing + if code.is_space { gs.word_spacing } else { 0.0 };
            let base = if font.vertical {
                [1.0, 0.0, 0.0, 1.0, 0.0, 0.0]
            } else {
                [gs.h_scale, 0.0, 0.0, font.height_scale, 0.0, gs.rise]
            };
            let trm = mul(&mul(&base, tm), &gs.ctm);
            if self.scan.glyphs.len() < self.char_budget {
                let text = code.text.as_deref().unwrap_or("\u{FFFD}");
                glyphs_for(
                    &trm,
                    code.width,
                    fs,
                    text,
                    font.vertical,
                    &mut self.scan.glyphs,
                );
            }
            let advance = if font.vertical {
                translate(0.0, -fs + spacing)
            } else {
                translate((code.width * fs + spacing) * gs.h_scale, 0.0)
            };
            *tm = mul(&advance, tm);
        }
    }
}

/// Blanks out `%` comments, which lopdf's content parser mishandles (a comment ending in
/// CR, or holding a parenthesis, swallows the operators after it). Strings and inline image
/// data are left alone.
pub(crate) fn strip_comments(data: &mut [u8]) {
    if !data.contains(&b'%') {
        return;
    }
    let mut i = 0;
    let mut prev_delim = true;
    while i < data.len() {
        let Some(&b) = data.get(i) else { break };
        match b {
            b'(' => {
                let mut depth = 0usize;
                while let Some(&c) = data.get(i) {
                    i += 1;
                    match c {
                        b'\\' => i += 1,
                        b'(' => depth += 1,
                        b')' => {
                            depth = depth.saturating_sub(1);
                            if depth == 0 {
                                break;
                            }
                        }
                        _ => {}
                    }
                }
                prev_delim = true;
                continue;
            }
            b'<' if data.get(i + 1) != Some(&b'<') => {
                while data.get(i).is_some_and(|&c| c != b'>') {
                    i += 1;
                }
            }
            b'%' => {
                while let Some(c) = data.get_mut(i) {
                    if *c == b'\n' || *c == b'\r' {
                        break;
                    }
                    *c = b' ';
                    i += 1;
                }
                prev_delim = true;
                continue;
            }
            b'I' if prev_delim
                && data.get(i + 1) == Some(&b'D')
                && data.get(i + 2).is_some_and(u8::is_ascii_whitespace) =>
            {
                // Inline image data runs to a whitespace-delimited EI.
                i += 3;
                while i < data.len() {
                    let at_ei = data.get(i).is_some_and(u8::is_ascii_whitespace)
                        && data.get(i + 1) == Some(&b'E')
                        && data.get(i + 2) == Some(&b'I')
                        && data.get(i + 3).is_none_or(u8::is_ascii_whitespace);
                    i += 1;
                    if at_ei {
                        i += 2;
                        break;
                    }
                }
                prev_delim = false;
                continue;
            }
            _ => {}
        }
        prev_delim = b.is_ascii_whitespace() || b"()<>[]{}/%".contains(&b);
        i += 1;
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)] // Tests fail loudly on purpose.
mod tests {
    use super::*;

    #[test]
    fn comments_are_blanked_outside_strings_and_images() {
        let original =
            b"BT\r\n /F 10 Tf % Select (fill\r\n (50% off) Tj ET\nBI /W 1 ID \x25x\n EI % end";
        let mut src = original.to_vec();
        strip_comments(&mut src);
        let want = String::from_utf8_lossy(original)
            .replace("% Select (fill", &" ".repeat(14))
            .replace("% end", "     ");
        assert_eq!(String::from_utf8_lossy(&src), want);
        let ops = Content::decode(&src).unwrap().operations;
        let names: Vec<&str> = ops.iter().map(|o| o.operator.as_str()).collect();
        assert_eq!(&names[..4], ["BT", "Tf", "Tj", "ET"]);
    }

    #[test]
    fn matrix_product_follows_the_spec_convention() {
        let scale = [2.0, 0.0, 0.0, 2.0, 0.0, 0.0];
        let shift = translate(10.0, 5.0);
        // Translate then scale: the shift is scaled too.
        assert_eq!(mul(&shift, &scale), [2.0, 0.0, 0.0, 2.0, 20.0, 10.0]);
        assert_eq!(mul(&scale, &shift), [2.0, 0.0, 0.0, 2.0, 10.0, 5.0]);
    }

    #[test]
    fn short_or_bad_operands_are_ignored() {
        assert_eq!(nums::<2>(&[Object::Integer(1)]), None);
        assert_eq!(
            nums::<2>(&[Object::Name(b"x".to_vec()), Object::Integer(2)]),
            None
        );
        assert_eq!(
            nums::<1>(&[Object::Integer(9), Object::Real(2.5)]),
            Some([2.5])
        );
    }
}
