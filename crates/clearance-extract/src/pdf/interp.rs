//! What our own interpreter ([`super::run`]) reads for the page text: the page scan, the
//! text of annotation appearances and form values, and the helpers (matrices, operands,
//! content streams) the interpreter shares.

use lopdf::content::Content;
use lopdf::{Dictionary, Document, Object, ObjectId};

use super::layout::{glyphs_for, Glyph, Matrix};
use super::run::{FontCache, Run, State};
use super::streams;
use crate::Limits;

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
    /// Codes whose text came from a guess (no ToUnicode, an embedded program's own
    /// encoding, a Type3 or symbolic font) or was not found at all.
    pub untrusted: usize,
}

impl PageScan {
    /// Every char was read through a source that names it and nothing stopped the reading:
    /// this text needs no second opinion.
    pub(crate) fn trusted(&self) -> bool {
        self.untrusted == 0 && self.problems.is_empty()
    }
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

/// Most annotations of one page whose appearance is drawn.
const MAX_ANNOTATIONS: usize = 1000;

/// Text drawn by the page's annotation appearances (form fields, free text, stamps): viewers
/// show it on the page, so it belongs to the page text. Hidden annotations are included on
/// purpose: a reviewer must see them.
pub(crate) fn scan_annotations(
    doc: &Document,
    page: &Dictionary,
    limits: &Limits,
    fonts: &mut FontCache,
    char_budget: usize,
) -> PageScan {
    let mut run = Run::new(doc, limits, fonts, char_budget, None);
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
        let Ok(mut data) = streams::decoded(stream, run.cap()) else {
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
        let ctm = mul(&matrix, &fit);
        run.execute(
            content.operations,
            resources,
            State::new(ctm, clearance_model::Rect::new(-1e9, -1e9, 1e9, 1e9)),
        );
    }
    run.scan
}

/// A form field without an appearance stream (viewers build one from /V when the form asks
/// for it): its value is laid out on one line inside the field's rectangle.
fn widget_value(doc: &Document, annot: &Dictionary, run: &mut Run<'_, '_>) {
    let char_budget = run.char_budget();
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
        if run.scan.glyphs.len() >= char_budget {
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
